"""The learned layer: a classifier head trained at build time (`python -m bot.safety.train`) on the team's own
labelled messages, so indirect wording that no phrase or rule names can still bring up the direct question. It
only adds `possible`; it never silences anything.

The head is a logistic regression over the words of a message and the pairs of adjacent words, as the grammar
reads them (corrected, contractions spelled out), in every language the bot offers. It reads them twice: as they
are, and with each word of a known kind (content/safety/concepts.yaml: a place to fall from, a medicine, a day, a
part of the body...) read as its kind, so what it learned of one word carries over to the others of its kind. A
message's sum is divided by the square root of how many words and pairs it has, so a long message is not more sure
of itself than a short one only because it has more words. Every weight is in
content/safety/semantic-head.json, so what it learned can be read and diffed, and it needs no model at run
time: scoring a message is a sum over its words.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import accumulate, chain, pairwise, repeat
from operator import add
from pathlib import Path

CHUNK_WORDS = 40  # a message longer than this is read in overlapping windows of this many words
MAX_CHUNKS = 4_000
# A message read in windows asks only from this score: each window is one more chance of a false alarm
LONG_THRESHOLD = 0.9
# A long check-in (up to this many characters) is also read a sentence at a time; a sentence asks from this score,
# counted as above with the sentences as the windows
SENTENCES_UP_TO = 3_000
SENTENCE_THRESHOLD = 0.96
MIN_WORDS = 3  # shorter messages are left to the phrases and the grammar
MIN_KNOWN = 2  # a part is scored only when the head learned from at least this many of its words or pairs
# A window's bound is running sums' differences over a long message, so it may be off by a little rounding; a
# window is passed over only when its bound is this much below what it would have to beat.
BOUND_SLACK = 1e-3
VOCABULARY = Path(__file__).resolve().parents[2] / "content" / "safety" / "vocabulary.txt"


@lru_cache(maxsize=1)
def vocabulary() -> frozenset[str]:
    """Whole words the typo layer never corrects ("wife" and "lift" stay as they are); empty if the file is
    missing, which only makes the typo layer bolder."""
    try:
        text = VOCABULARY.read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def grams(words: Sequence[str]) -> set[str]:
    """The words and pairs of adjacent words the head reads."""
    return set(words) | {f"{first} {second}" for first, second in pairwise(words)}


def features(words: Sequence[str], kinds: Mapping[str, str]) -> set[str]:
    """What the head reads of these words: their words and pairs, and the same of the words with each word of a known
    kind read as its kind ("@place")."""
    found = grams(words)
    if any(word in kinds for word in words):
        found |= grams([kinds.get(word, word) for word in words])
    return found


def scale(words: int) -> float:
    """What a part's sum of weights is multiplied by: one over the square root of its words and pairs."""
    return 1.0 / math.sqrt(max(1, 2 * words - 1))


_NONE: dict[str, float] = {}  # a word that begins no positive pair


def _sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, value))))


def train(crisis: Sequence[Sequence[str]], benign: Sequence[Sequence[str]], *, kinds: Mapping[str, str] | None = None,
          epochs: int = 12, rate: float = 1.0, l2: float = 1e-5, seed: int = 0) -> tuple[dict[str, float], float]:
    """Logistic regression by stochastic gradient descent with per-weight step sizes (AdaGrad), over the
    `features` of each line, each worth `scale(len(words))`; a fixed seed makes it deterministic, so the shipped
    head can be checked. Returns the weights of the words and pairs (those that matter, rounded) and the bias."""
    kinds = kinds or {}
    lines = [(sorted(features(words, kinds)), scale(len(words)), 1.0) for words in crisis] + \
        [(sorted(features(words, kinds)), scale(len(words)), 0.0) for words in benign]
    weights: dict[str, float] = {}
    squares: dict[str, float] = {}
    bias, bias_square = 0.0, 1e-6
    order = list(range(len(lines)))
    shuffle = random.Random(seed).shuffle
    for _ in range(epochs):
        shuffle(order)
        for index in order:
            read, value, label = lines[index]
            error = _sigmoid(sum(weights.get(feature, 0.0) for feature in read) * value + bias) - label
            for feature in read:
                weight = weights.get(feature, 0.0)
                step = error * value + l2 * weight
                square = squares.get(feature, 1e-6) + step * step
                squares[feature] = square
                weights[feature] = weight - rate * step / math.sqrt(square)
            bias_square += error * error
            bias -= rate * error / math.sqrt(bias_square)
    kept = {feature: round(weight, 4) for feature, weight in sorted(weights.items()) if abs(weight) >= 0.001}
    return kept, round(bias, 6)


def train_averaged(crisis: Sequence[Sequence[str]], benign: Sequence[Sequence[str]], *,
                   kinds: Mapping[str, str] | None = None, seeds: int = 5) -> tuple[dict[str, float], float]:
    """`train` once for each of `seeds` seeds (each reads the lines in another order), its weights and bias
    averaged: the head then depends on its data, not on the order one pass happened to read it in."""
    heads = [train(crisis, benign, kinds=kinds, seed=seed) for seed in range(seeds)]
    grams_learned = sorted(set().union(*(weights for weights, _ in heads)))
    averaged = {gram: round(sum(weights.get(gram, 0.0) for weights, _ in heads) / seeds, 4) for gram in grams_learned}
    return ({gram: weight for gram, weight in averaged.items() if abs(weight) >= 0.001},
            round(sum(bias for _, bias in heads) / seeds, 6))


class Head:
    """The classifier head shipped in content/safety/semantic-head.json (see `python -m bot.safety.train`)."""

    def __init__(self, weights: Mapping[str, float], bias: float, *, threshold: float,
                 kinds: Mapping[str, str] | None = None) -> None:
        self._weights = weights
        self._kinds = dict(kinds or {})
        self._positive = {gram: weight for gram, weight in weights.items() if weight > 0}
        # the same, split for long messages' bounds: the words', and the pairs' by their first word, so a message's
        # pairs are looked up without being written out (small tables, most of them hot)
        self._positive_words = {gram: weight for gram, weight in self._positive.items() if " " not in gram}
        self._positive_after: dict[str, dict[str, float]] = {}
        for gram, weight in self._positive.items():
            first, space, second = gram.partition(" ")
            if space:
                self._positive_after.setdefault(first, {})[second] = weight
        self._bias = bias
        self.threshold = threshold

    def probability(self, words: Sequence[str]) -> float:
        """How likely the head thinks these words are a message to check on; 0 when it knows too few of them
        to judge."""
        found = [self._weights[gram] for gram in features(words, self._kinds) if gram in self._weights]
        if len(found) < MIN_KNOWN:
            return 0.0
        return _sigmoid(sum(found) * scale(len(words)) + self._bias)

    def score(self, words: Sequence[str]) -> float:
        """The highest score of any part of a message (the whole, or windows of CHUNK_WORDS of its words,
        overlapping by half, when it is long). Each window of a long message is one more chance of a false
        alarm, so a window's score counts as if the head's error margin were shared among the windows: with n
        windows, a score s counts as 1 - (1 - s) * n.

        A long message's words and pairs (in both readings, see `features`) are each looked up once, and each
        window is first bounded from above by the sum of the positive weights in it (counted wherever they occur,
        so never less than its sum of distinct words and pairs); running sums give every window's bound at once.
        Windows are then summed exactly from the highest bound down, until no bound left can beat the best sum
        found, or can score more than 0 at all (with n windows, a best sum below log(n - 1) less the bias does
        not). The score is the one every window summed exactly would give."""
        if len(words) <= CHUNK_WORDS:
            return self.probability(words)
        step = CHUNK_WORDS // 2
        starts = list(range(0, len(words) - step, step))[:MAX_CHUNKS]
        words = words[:starts[-1] + CHUNK_WORDS]
        # the second reading, with each word of a known kind read as its kind; None when no word has a kind
        kinded = [word in self._kinds for word in words]
        read = [self._kinds.get(word, word) for word in words] if any(kinded) else None
        word_sums, pair_sums = self._running_sums(words)
        if read is not None:
            more = self._kind_sums(read, kinded)
            word_sums = list(map(add, word_sums, more[0]))
            pair_sums = list(map(add, pair_sums, more[1]))
        full = scale(CHUNK_WORDS)
        scales = [full if len(words) - start >= CHUNK_WORDS else scale(len(words) - start) for start in starts]
        bounds = [(word_sums[min(start + CHUNK_WORDS, len(words))] - word_sums[start]
                   + pair_sums[min(start + CHUNK_WORDS - 1, len(words) - 1)] - pair_sums[start]) * part_scale
                  for start, part_scale in zip(starts, scales, strict=True)]
        # the sigmoid only ever grows with the scaled sum, so the best window is the one with the largest
        floor = math.log(len(starts) - 1) - self._bias - BOUND_SLACK if len(starts) > 1 else -math.inf
        best = -math.inf
        for index in sorted((index for index, bound in enumerate(bounds) if bound + BOUND_SLACK >= floor),
                            key=bounds.__getitem__, reverse=True):
            if bounds[index] + BOUND_SLACK < best:
                break
            begin, stop = starts[index], starts[index] + CHUNK_WORDS
            part = words[begin:stop]
            grams_of_part = chain(part, map(" ".join, pairwise(part)))
            if read is not None:
                part = read[begin:stop]
                grams_of_part = chain(grams_of_part, part, map(" ".join, pairwise(part)))
            total, known = self._sum(grams_of_part)
            if known >= MIN_KNOWN:
                best = max(best, total * scales[index])
        if best < floor:  # no window's score is above 1 - 1 / n: every one counts as 0
            return 0.0
        return max(0.0, 1.0 - (1.0 - _sigmoid(best + self._bias)) * len(starts))

    def _running_sums(self, words: Sequence[str]) -> tuple[list[float], list[float]]:
        """The running sums of the positive weights of the words, and of the pairs (pair i: words i and i + 1),
        from the first on; words that hold no space can be neither a pair nor part of another pair's first
        word."""
        if " " in "".join(words):
            word_sums = list(accumulate(map(self._positive.get, words, repeat(0.0)), initial=0.0))
            pairs = map(self._positive.get, map(" ".join, pairwise(words)), repeat(0.0))
        else:
            word_sums = list(accumulate(map(self._positive_words.get, words, repeat(0.0)), initial=0.0))
            pairs = map(dict.get, map(self._positive_after.get, words, repeat(_NONE)), words[1:], repeat(0.0))
        return word_sums, list(accumulate(pairs, initial=0.0))

    def _kind_sums(self, read: Sequence[str], kinded: Sequence[bool]) -> tuple[list[float], list[float]]:
        """`_running_sums` of the second reading, counting only the words it reads as a kind (`kinded`) and the pairs
        that hold one: the rest are the plain reading's, already counted."""
        positive = self._positive
        counted = (positive.get(word, 0.0) if kind else 0.0 for word, kind in zip(read, kinded, strict=True))
        word_sums = list(accumulate(counted, initial=0.0))
        pairs = (positive.get(f"{first} {second}", 0.0) if kind or next_kind else 0.0
                 for (first, second), (kind, next_kind) in zip(pairwise(read), pairwise(kinded), strict=True))
        return word_sums, list(accumulate(pairs, initial=0.0))

    def _sum(self, grams: Iterable[str]) -> tuple[float, int]:
        """The sum of the weights of the distinct words and pairs among `grams` that the head knows, and how many
        those are."""
        found = [weight for weight in map(self._weights.get, dict.fromkeys(grams)) if weight is not None]
        return sum(found), len(found)
