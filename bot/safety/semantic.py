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
from collections.abc import Container, Sequence
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


EMBEDDING_WEIGHT = 4.0  # the embedding's 256 values against the words and pairs of words
MIN_KNOWN = 2  # a line is scored only when it has at least this many known words or pairs
MIN_COUNT = 2  # a word or pair of words the head knows was seen at least this often in its training lines


def grams(words: Sequence[str]) -> set[str]:
    """The words and pairs of adjacent words the head reads (the words as the grammar reads them)."""
    return set(words) | {f"{first} {second}" for first, second in pairwise(words)}


def known_text(words: Sequence[str], known: Container[str]) -> str:
    """What the embedding reads of a line, in training and in scoring alike: only the single words the head
    learned (a word it never saw moves nothing)."""
    return " ".join(word for word in words if word in known and " " not in word) or "."


def vocabulary(lines: Sequence[Sequence[str]]) -> list[str]:
    """Every word and pair seen in at least MIN_COUNT training lines: a word the head never saw weighs nothing,
    rather than whatever another word that shares its slot taught it."""
    counts: dict[str, int] = {}
    for words in lines:
        for gram in grams(words):
            counts[gram] = counts.get(gram, 0) + 1
    return sorted(gram for gram, count in counts.items() if count >= MIN_COUNT)


def train(model: Model, crisis: Sequence[Sequence[str]], benign: Sequence[Sequence[str]], *,
          steps: int = 300, rate: float = 2.0, l2: float = 1e-3) -> tuple[dict[str, float], Any, float]:
    """Logistic regression by full-batch gradient descent over known words and pairs plus the embedding;
    deterministic, so the shipped head can be checked. Returns the word weights, the embedding weights and
    the bias."""
    import numpy as np

    lines = [*crisis, *benign]
    known = vocabulary(lines)
    index = {gram: position for position, gram in enumerate(known)}
    x = np.zeros((len(lines), len(known)), dtype=np.float32)
    for row, words in enumerate(lines):
        for gram in grams(words):
            if gram in index:
                x[row, index[gram]] = 1.0
    x = np.hstack([x, model.embed([known_text(words, index) for words in lines]) * EMBEDDING_WEIGHT])
    y = np.array([1.0] * len(crisis) + [0.0] * len(benign), dtype=np.float32)
    weights = np.zeros(x.shape[1], dtype=np.float32)
    bias = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
        error = (p - y) / len(y)
        weights -= rate * (x.T @ error + l2 * weights)
        bias -= rate * float(error.sum())
    words_weights = {gram: round(float(weight), 4) for gram, weight in zip(known, weights[:len(known)], strict=True)}
    return words_weights, weights[len(known):], bias


class Head:
    """The classifier head shipped in content/safety/semantic-head.json (see `python -m bot.safety.train`)."""

    def __init__(self, model: Model, words: dict[str, float], embedding: Any, bias: float, *,
                 threshold: float) -> None:
        self._model = model
        self._words = words
        self._embedding = embedding
        self._bias = bias
        self.threshold = threshold

    def scores(self, lines: Sequence[Sequence[str]]) -> Any:
        import numpy as np

        if not lines:
            return np.zeros(0, dtype=np.float32)
        known = self._words
        weights = [[known[gram] for gram in grams(words) if gram in known] for words in lines]
        totals = np.array([sum(found) for found in weights], dtype=np.float32)
        vectors = self._model.embed([known_text(words, known) for words in lines]) * EMBEDDING_WEIGHT
        scores = 1.0 / (1.0 + np.exp(-(totals + vectors @ self._embedding + self._bias)))
        # A line with fewer than MIN_KNOWN words the head learned from is one it cannot judge: no score.
        return np.where(np.array([len(found) >= MIN_KNOWN for found in weights]), scores, 0.0)

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
