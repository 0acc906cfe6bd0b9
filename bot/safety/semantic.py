"""The semantic layer: a small embedding model that ships inside a package, and a classifier head trained at
build time (`python -m bot.safety.train`) on the team's own labelled messages, so indirect wording that no
phrase or rule names can still bring up the direct question. It only adds `possible`; it never silences
anything.

The model is WordLlama's 256-dimension "l2_supercat" embeddings (MIT), loaded from the wheel itself with
no download: the package looks for its tokenizer in a folder its wheel does not ship, so both files are
opened here directly. It is loaded once per process, on first use, and shared by every screener.
"""

from __future__ import annotations

import logging
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CHUNK_WORDS = 40  # a message longer than this is read in overlapping windows of this many words
MAX_CHUNKS = 4_000
MIN_WORDS = 4  # shorter messages are left to the phrases and the grammar


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
    """The message whole, or overlapping windows of it when it is long: risk buried in a long message is read
    with the words around it, and a short sentence is never read out of its context."""
    words = text.split()
    if len(words) <= CHUNK_WORDS:
        return [" ".join(words)] if words else []
    step = CHUNK_WORDS // 2
    return [" ".join(words[i:i + CHUNK_WORDS]) for i in range(0, len(words) - step, step)][:MAX_CHUNKS]


GRAM_DIMS = 1 << 13
EMBEDDING_WEIGHT = 4.0  # the embedding's 256 values against the hashed words and pairs of words


def grams(words: Sequence[str]) -> set[str]:
    """The words and pairs of adjacent words the head reads (the words as the grammar reads them)."""
    return set(words) | {f"{first} {second}" for first, second in pairwise(words)}


def features(model: Model, lines: Sequence[Sequence[str]]) -> Any:
    """One row per line of words: hashed words and word pairs, then the sentence embedding."""
    import numpy as np

    hashed = np.zeros((len(lines), GRAM_DIMS), dtype=np.float32)
    for row, words in enumerate(lines):
        for gram in grams(words):
            hashed[row, zlib.crc32(gram.encode("utf-8")) % GRAM_DIMS] = 1.0
    embedded = model.embed([" ".join(words) for words in lines]) * EMBEDDING_WEIGHT
    return np.hstack([hashed, embedded])


def train(model: Model, crisis: Sequence[Sequence[str]], benign: Sequence[Sequence[str]], *,
          steps: int = 300, rate: float = 2.0, l2: float = 1e-3) -> tuple[Any, float]:
    """Logistic regression by full-batch gradient descent; deterministic, so the shipped head can be checked."""
    import numpy as np

    x = features(model, [*crisis, *benign])
    y = np.array([1.0] * len(crisis) + [0.0] * len(benign), dtype=np.float32)
    weights = np.zeros(x.shape[1], dtype=np.float32)
    bias = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
        error = (p - y) / len(y)
        weights -= rate * (x.T @ error + l2 * weights)
        bias -= rate * float(error.sum())
    return weights, bias


class Head:
    """The classifier head shipped in content/safety/semantic-head.json (see `python -m bot.safety.train`)."""

    def __init__(self, model: Model, weights: Any, bias: float, *, threshold: float) -> None:
        self._model = model
        self._weights = weights
        self._bias = bias
        self.threshold = threshold
        self._gram_weights: dict[str, float] = {}

    def scores(self, lines: Sequence[Sequence[str]]) -> Any:
        """The same as `features(...) @ weights`, without building the mostly empty hashed part."""
        import numpy as np

        if not lines:
            return np.zeros(0, dtype=np.float32)
        hashed, embedded = self._weights[:GRAM_DIMS], self._weights[GRAM_DIMS:]
        cache = self._gram_weights
        totals = np.empty(len(lines), dtype=np.float32)
        for row, words in enumerate(lines):
            total = 0.0
            for gram in grams(words):
                weight = cache.get(gram)
                if weight is None:
                    weight = float(hashed[zlib.crc32(gram.encode("utf-8")) % GRAM_DIMS])
                    if len(cache) < 200_000:
                        cache[gram] = weight
                total += weight
            totals[row] = total
        vectors = self._model.embed([" ".join(words) for words in lines]) * EMBEDDING_WEIGHT
        return 1.0 / (1.0 + np.exp(-(totals + vectors @ embedded + self._bias)))

    def score(self, text: str, words_of: Any) -> tuple[float, str]:
        """The highest score of any part of `text` (the whole, or windows of a long one), and that part. Each
        window of a long message is one more chance of a false alarm, so a window's score counts as if the
        head's error margin were shared among the windows: with n windows, a score s counts as
        1 - (1 - s) * n."""
        parts = [(part, words) for part in chunks(text) if (words := words_of(part))]
        if not parts:
            return 0.0, ""
        scores = self.scores([words for _, words in parts])
        best = int(scores.argmax())
        return max(0.0, 1.0 - (1.0 - float(scores[best])) * len(parts)), parts[best][0]
