"""The semantic layer: a small embedding model that ships inside a package, and a classifier head trained at
start-up on the team's labelled bank (content/safety/bank.yaml), so indirect wording that no phrase or rule
names can still bring up the direct question. It only adds `possible`; it never silences anything.

The model is WordLlama's 256-dimension "l2_supercat" embeddings (MIT), loaded from the wheel itself with
no download: the package looks for its tokenizer in a folder its wheel does not ship, so both files are
opened here directly. It is loaded once per process, on first use, and shared by every screener.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_SENTENCES = re.compile(r"[^.!?\n;]+[.!?\n;]*")
CHUNK_WORDS = 40  # a sentence longer than this is read in overlapping windows
MAX_CHUNKS = 4_000


@dataclass(frozen=True)
class Model:
    embed: Any  # (list[str]) -> numpy array of unit vectors
    vocabulary: frozenset[str]


_lock = threading.Lock()
_loaded: list[Model | None] = []


def _load() -> Model | None:
    try:
        import numpy as np
        import wordllama
        from safetensors import safe_open
        from tokenizers import Tokenizer
        from wordllama.inference import WordLlamaInference
    except ImportError as exc:  # the layer is optional; phrases and grammar still screen
        log.warning("semantic screening is off: %s is not installed", exc.name)
        return None
    root = Path(wordllama.__file__).parent
    try:
        tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
        with safe_open(str(root / "weights" / "l2_supercat_256.safetensors"), framework="np", device="cpu") as f:
            weights = f.get_tensor("embedding.weight")
    except (OSError, ValueError, RuntimeError) as exc:
        log.warning("semantic screening is off: the packaged model did not load (%s)", type(exc).__name__)
        return None
    inference = WordLlamaInference(weights, tokenizer, binary=False)
    vocabulary = frozenset(piece[1:].casefold() for piece in tokenizer.get_vocab()
                           if piece.startswith("▁") and piece[1:].isalpha() and len(piece) > 2)

    def embed(texts: list[str]) -> Any:
        return np.asarray(inference.embed(texts, norm=True), dtype=np.float32)

    return Model(embed, vocabulary)


def model() -> Model | None:
    """The shared model, loaded on first use (about a quarter of a second here); None if it cannot load."""
    if not _loaded:
        with _lock:
            if not _loaded:
                _loaded.append(_load())
    return _loaded[0]


def chunks(text: str) -> list[str]:
    """Sentences, and windows of long ones, so risk buried in a long message is read on its own."""
    out: list[str] = []
    for sentence in _SENTENCES.findall(text):
        words = sentence.split()
        if not words:
            continue
        if len(words) <= CHUNK_WORDS:
            out.append(" ".join(words))
        else:
            step = CHUNK_WORDS // 2
            out.extend(" ".join(words[i:i + CHUNK_WORDS]) for i in range(0, len(words) - step, step))
        if len(out) >= MAX_CHUNKS:
            break
    return out


class Head:
    """Logistic regression over sentence embeddings, trained on the bank when the screener is built."""

    def __init__(self, model: Model, crisis: Sequence[str], benign: Sequence[str], *, threshold: float) -> None:
        import numpy as np

        self._model = model
        self.threshold = threshold
        x = model.embed([*crisis, *benign])
        y = np.array([1.0] * len(crisis) + [0.0] * len(benign), dtype=np.float32)
        weight = np.where(y == 1.0, 0.5 / max(1, len(crisis)), 0.5 / max(1, len(benign))).astype(np.float32)
        self._w = np.zeros(x.shape[1], dtype=np.float32)
        self._b = np.float32(0.0)
        rate, l2 = 4.0, 1e-4
        for _ in range(600):
            p = 1.0 / (1.0 + np.exp(-(x @ self._w + self._b)))
            error = (p - y) * weight
            self._w -= rate * (x.T @ error + l2 * self._w)
            self._b -= rate * float(error.sum())

    def scores(self, texts: Sequence[str]) -> Any:
        import numpy as np

        if not texts:
            return np.zeros(0, dtype=np.float32)
        return 1.0 / (1.0 + np.exp(-(self._model.embed(list(texts)) @ self._w + self._b)))

    def score(self, text: str) -> tuple[float, str]:
        """The highest score of any part of `text`, and that part."""
        parts = chunks(text)
        if not parts:
            return 0.0, ""
        scores = self.scores(parts)
        best = int(scores.argmax())
        return float(scores[best]), parts[best]
