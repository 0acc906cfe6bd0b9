"""The long message's shortcuts read exactly what the plain, slow reading would: each is checked against a
straightforward version of what it stands for."""

from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.loader import Content
from bot.safety import screening, semantic
from bot.safety.screening import Screener
from bot.safety.semantic import CHUNK_WORDS, MAX_CHUNKS, MIN_KNOWN, Head, features, scale

CORPUS = Path(__file__).resolve().parent / "corpus"


@pytest.fixture(scope="module")
def screener(content: Content) -> Screener:
    return Screener(content.phrases, content.screening_head)


@pytest.fixture(scope="module")
def development() -> list[str]:
    """The development sets' lines (never the test, fresh or hold-out sets)."""
    return [json.loads(line)["text"] for path in sorted(CORPUS.glob("dev*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line]


def _score_window_by_window(head: Head, weights: dict[str, float], bias: float, words: list[str],
                            kinds: dict[str, str] | None = None) -> float:
    """`Head.score` as it is defined: every window summed on its own, in both readings (`features`)."""
    if len(words) <= CHUNK_WORDS:
        return head.probability(words)
    starts = list(range(0, len(words) - CHUNK_WORDS // 2, CHUNK_WORDS // 2))[:MAX_CHUNKS]
    totals = []
    for start in starts:
        part = words[start:start + CHUNK_WORDS]
        found = [weights[gram] for gram in features(part, kinds or {}) if gram in weights]
        if len(found) >= MIN_KNOWN:
            totals.append(sum(found) * scale(len(part)))
    best = semantic._sigmoid(max(totals) + bias) if totals else 0.0
    return max(0.0, 1.0 - (1.0 - best) * len(starts))


@pytest.fixture(scope="module")
def shipped(content: Content) -> tuple[Head, dict[str, float], float, list[str], dict[str, str]]:
    head = content.screening_head
    assert head is not None
    assert head.kinds, "the shipped head reads words of known kinds as their kind"
    # the words it learned, and every word of a known kind, so that the second reading is tried too
    words = sorted({word for gram in head.words for word in gram.split() if not word.startswith("@")} | set(head.kinds))
    return (Head(head.words, head.bias, threshold=head.threshold, kinds=head.kinds), head.words, head.bias, words,
            head.kinds)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), length=st.integers(0, 1_500), known=st.floats(0.3, 1.0))
def test_a_long_message_scores_as_every_window_summed_on_its_own(
        shipped: tuple[Head, dict[str, float], float, list[str], dict[str, str]], seed: int, length: int,
        known: float) -> None:
    head, weights, bias, vocabulary, kinds = shipped
    rng = random.Random(seed)
    # words the head knows, repeated as people repeat them, and words it does not
    common = rng.sample(vocabulary, 30)
    words = [rng.choice(common) if rng.random() < 0.4 else rng.choice(vocabulary) if rng.random() < known
             else f"unknown{rng.randrange(50)}" for _ in range(length)]
    assert head.score(words) == pytest.approx(_score_window_by_window(head, weights, bias, words, kinds), abs=1e-9)


@pytest.mark.parametrize("kinds", [{}, {"a": "@k", "x": "@k", "c": "@j"}])
@pytest.mark.parametrize("bias", [-30.0, -0.9, 0.0, 5.0])
@pytest.mark.parametrize("length", [41, 60, 61, 200, 2_000])
def test_a_small_head_scores_long_messages_as_every_window_summed(bias: float, length: int,
                                                                  kinds: dict[str, str]) -> None:
    """Weights of every sign (none known, one, negative only, a zero), with and without kinds of words (a kind's
    reading sharing a pair with the plain one, "d a" and "d @k"): the bound never passes over the best."""
    weights = {"a": 0.0, "b": -2.0, "c": 3.5, "d": 0.25, "a b": 1.5, "c c": -4.0, "d a": 9.0, "e": -0.5,
               "a b c": 6.0, "d a b": 2.5, "@k": 2.0, "@k b": -3.0, "d @k": 4.0, "@j @j": -1.0, "@k @j": 0.5}
    head = Head(weights, bias, threshold=0.5, kinds=kinds)
    rng = random.Random(length)
    # (words are a reading's, without spaces; "a b" as one word, and the grams of two spaces, only test the rest)
    for letters in (["x"], ["a", "x"], ["b", "e"], list("abcde"), ["c", "d"], list("abcdex"), ["a b", "c", "d"]):
        words = [rng.choice(letters) for _ in range(length)]
        assert head.score(words) == pytest.approx(_score_window_by_window(head, weights, bias, words, kinds),
                                                  abs=1e-12)


def _read_run_as_defined(run: re.Match[str]) -> str:
    read = run[0].translate(screening._NON_ASCII_TABLE)
    return read if read.isascii() else screening._COMBINING.sub("", unicodedata.normalize("NFKD", read))


def _tokens_one_by_one(text: str) -> list[str]:
    """`screening.tokens` as it is defined: the text normalised, each run outside ASCII read on its own, the tokens
    found by `_TOKEN`, each fixed, and runs of three or more one-letter tokens joined token by token."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold().replace("`", "'")
    if not text.isascii():
        if any(emoji in text for emoji in screening._EMOJI_VERBS):
            text = screening._EMOJI_ING.sub(" killing ", text)
        text = screening._NON_ASCII.sub(_read_run_as_defined, text)
    words: list[str] = []
    letters: list[str] = []
    for token in [*map(screening._fix_token, screening._TOKEN.findall(text)), ""]:
        if len(token) == 1 and token.isalpha():
            letters.append(token)
            continue
        if letters:
            words.extend(letters if len(letters) < 3 else ["".join(letters)])
            letters = []
        if token:
            words.append(token)
    return words


_PIECES = st.sampled_from(["k", "i", "l", "a", "I", "kill", "my", "self", "myself", "kil", "lfe", "'", "''", "!",
                           "k!", "|", "+", "1", "$", "3", "@", "don't", "j'ai", "ctb", "sh", "http://x.io/a b",
                           "<@123>", "@name", "www.x.com", "💀", "💀 ing", "😂", "é", "ﬁ", "\u200b", "İ", "ſ", "K",
                           "a.b.c", "k.i.l.l", "me", "ab"])
_GAPS = st.sampled_from([" ", "  ", "\n", ".", ", ", "-", "", " = ", ": "])


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_PIECES, _GAPS), max_size=60), st.booleans())
def test_the_words_of_a_text_are_its_tokens_fixed_and_spelled_out_letters_joined(
        parts: list[tuple[str, str]], long: bool) -> None:
    text = "".join(piece + gap for piece, gap in parts)
    if long:  # from 2,000 characters RE2 finds the runs outside ASCII
        text = "".join(piece + gap for piece, gap in parts * 3) + "xyz \u00e9 " * 200 + text
    assert screening.tokens(text) == _tokens_one_by_one(text)


def test_the_words_of_the_development_sets_joined_are_read_as_one_by_one(development: list[str]) -> None:
    text = " ".join(development)
    assert screening.tokens(text) == _tokens_one_by_one(text)


def _plain_words_in_turn(text: str) -> str:
    """`screening._plain_words` as it is defined: the words talked about replaced, then each defined abbreviation
    everywhere, one after another (a long text is searched for definitions only where RE2 says one may be)."""
    defined = {found[1].casefold() for found in screening._DEFINES.finditer(text)
               if screening._spells(found[1], found[2], found[3])} \
        if len(text) < screening.LONG_TEXT or screening._MAY_DEFINE.search(text) else set()
    text = screening._MENTIONS.sub(lambda found: f" {found['keep'] or ''} abbreviation ", text)
    for word in defined:
        text = re.sub(rf"(?i)\b{word}\b", " abbreviation ", text)
    return text


_SAYINGS = st.sampled_from([
    "ctb = call the boss", "CTB stands for call the boss", "i will ctb", "sh means stock hold", "my sh is up",
    "ſh = ſtock hold", "\u212aMS = \u212ailo metre sum", "kms", "i will kms tonight", "SI units", "si units are hard",
    "youtubers say unalive instead of died", "they SAY UNAL\u0130VE instead", "say kms instead", "od = overdraft",
    "od is on the way", "sh si = stock item", "sui: suite", "kys: keys", "she shut the side door", "odd", "sh",
    "<@123> sh", "http://x.io/sh", "sh:", "on sh", "ctb?", "ctb' ctb", "sh\u0301", "Sİ = sand island", "si",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_SAYINGS, _GAPS), max_size=12), st.integers(0, 3))
def test_a_text_with_its_abbreviations_read_as_plain_words_is_as_replaced_one_after_another(
        development: list[str], sayings: list[tuple[str, str]], filler: int) -> None:
    padding = " ".join(development[:30]) * filler  # long from 2,000 characters: then RE2 finds where to look
    text = padding + " " + "".join(said + gap for said, gap in sayings) + " " + padding
    assert screening._plain_words(text) == _plain_words_in_turn(text)


@pytest.mark.parametrize("said", [
    "kms = kilo metre sum. youtubers say kms instead of died, i ran 5 kms",
    "ctb = call the boss, they write ctb because of filters",
    "sh si = stock item, SI units, si = sand island, my si",
])
@pytest.mark.parametrize("filler", [0, 2])
def test_a_defined_abbreviation_inside_a_word_talked_about_is_replaced_once(
        development: list[str], said: str, filler: int) -> None:
    padding = " ".join(development[:30]) * filler
    text = f"{padding} {said} {padding}"
    assert screening._plain_words(text) == _plain_words_in_turn(text)


_AROUND_CHANGES = st.sampled_from([
    "ctb = call the boss", "sh means stock hold", "say unalive instead", "SI units", "kms = kilo metre sum",
    "ran 5 kms", "http://x.io/a", "https://ex.com/kil", "<@123>", "<#chan>", "@name", "www.x.com", "x.com/path",
    "<b>", "</i>", "<@!99 x>", "kil", "kil myself", "lfe", "my lfe", "dei", "be ded", "k i l l", "a", "i", "my",
    "self", "my self", "💀", "💀 ing", "é", "’", "don't", "j'ai", "a.b.c", "ab", "cd", "the", "end my lif", "\n",
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_AROUND_CHANGES, _GAPS), max_size=30), st.integers(0, 10_000), st.integers(0, 3))
def test_a_long_text_read_in_pieces_has_the_words_of_one_reading(
        screener: Screener, development: list[str], sayings: list[tuple[str, str]], seed: int, filler: int) -> None:
    """Cut at places nothing crosses, a long text's pieces give the words of the whole read at once, and the head's
    words (links left out), read again only in the pieces with a change, are the whole text's too."""
    rng = random.Random(seed)
    text = "".join(said + gap for said, gap in sayings)
    if filler:
        text = " ".join(rng.sample(development, 25 * filler)) + " " + text + " " + " ".join(rng.sample(development, 25))
    read = screening._Reading.of(text)
    assert [start for start, _stop, _changed in read.pieces] == [0, *(stop for _start, stop, _c in read.pieces[:-1])]
    assert read.pieces[-1][1] == len(text)
    words = [word for piece in read.words for word in piece]
    assert words == screening.tokens(screening._plain_words(text))
    assert screener._head_words(read, screener._typos.correct(words)[0]) == screener.words_for_head(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["i", "am", "im", "don't", "j'ai", "my", "self", "k", "", " ", "a  b", "\t"]),
                max_size=30), st.integers(0, 200))
def test_the_words_before_a_place_in_a_line_are_counted_as_split(words: list[str], at: int) -> None:
    for line in (screening.grammar.canonical(words), " ".join(words)):
        spaced = screening._one_space_apart(line)
        assert screening._words_before(line, at, spaced) == len(line[:at].split())


def test_spelled_out_contractions_are_words_one_space_apart() -> None:
    """What `_words_before` counts on: a canonical line's words are one space apart."""
    assert all(value and " ".join(value.split()) == value for value in screening.grammar._EXPAND.values())


def test_every_abbreviation_a_definition_can_begin_with_is_found_where_it_is_a_whole_word() -> None:
    """`_MAY_START_ABBREVIATION` finds every abbreviation `_DEFINES` reads, written in either case."""
    abbreviations = re.search(r"\(\?<!\[:\\w\]\)\(([^)]*)\)", screening._DEFINES.pattern)
    assert abbreviations is not None
    for abbreviation in abbreviations[1].split("|"):
        for written in (abbreviation, abbreviation.upper()):
            text = f"x {written} = y " + "z " * 1_000
            assert screening.prefilter.starts(screening._MAY_START_ABBREVIATION, text) == [2], written
