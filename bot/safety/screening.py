"""Deterministic, auditable crisis screening of free text.

Text is normalised (case, punctuation, spacing, zero-width and look-alike characters, digit and symbol
substitutions, stretched letters) and matched on whole words against the phrase lists in
content/safety/phrases.yaml. Recall comes first: idioms may silence only `ambiguous` matches, never an
explicit one. Negation, past tense or another person as the subject are reported as context, which may
change the wording of the reply, never whether resources are shown.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

ALWAYS = ("explicit", "slang", "burden", "farewell", "method", "danger")
AMBIGUOUS = "ambiguous"
IDIOMS = "idioms"
WILDCARD = "*"
COMPACT_MIN = 6

_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ѕ": "s", "ј": "j",
    "к": "k", "ԁ": "d", "һ": "h", "ӏ": "l", "ο": "o", "α": "a", "ι": "i", "κ": "k", "ν": "v", "ε": "e",
    "ρ": "p", "τ": "t", "υ": "u", "’": "'", "‘": "'", "ʼ": "'", "`": "'",
})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
                       "$": "s", "!": "i", "|": "l", "+": "t"})
_TOKEN = re.compile(r"[a-z0-9@$!|+']+")
_STRETCH = re.compile(r"(.)\1{2,}")
_RUNS = re.compile(r"(.)\1+")
_NEGATIONS = frozenset({"not", "never", "dont", "don't", "didnt", "didn't", "wont", "won't", "wouldnt",
                        "wouldn't", "cant", "can't", "isnt", "isn't", "no", "nor", "without"})
_PAST = re.compile(r"\b(used to|years ago|months ago|when i was|last year|in the past|back then|back when|"
                   r"a long time ago|as a (kid|teen|child)|had been|was going to|wanted to)\b")
_OTHERS = re.compile(r"\b(my (friend|sister|brother|mum|mom|dad|mother|father|partner|son|daughter|kid|child|"
                     r"colleague|coworker|roommate|cousin|boyfriend|girlfriend|wife|husband)|someone i know|"
                     r"a friend|he|she|they|herself|himself|themselves|her|him)\b")
_FIRST_PERSON = frozenset({"i", "i'm", "im", "me", "my", "myself", "mine"})


@dataclass(frozen=True)
class Match:
    category: str
    phrase: str


class Level(StrEnum):
    """How sure the screen is. `possible` asks the person before anything is paused."""

    NONE = "none"
    POSSIBLE = "possible"
    CLEAR = "clear"


class About(StrEnum):
    """Whose danger the words are about: the writer's own, someone the writer knows, or harm done to the writer."""

    SELF = "self"
    SOMEONE_ELSE = "someone_else"
    HARM_FROM_OTHERS = "harm_from_others"


@dataclass(frozen=True)
class Verdict:
    level: Level = Level.NONE
    about: About = About.SELF
    matches: tuple[Match, ...] = ()
    negated: bool = False
    past: bool = False
    other_person: bool = False

    @property
    def crisis(self) -> bool:
        """True for `possible` and `clear`: something must be said before anything else happens."""
        return self.level is not Level.NONE

    @property
    def reasons(self) -> list[str]:
        return [f"{match.category}: {match.phrase}" for match in self.matches]

    @property
    def context(self) -> list[str]:
        return [name for name, on in (("negated", self.negated), ("past", self.past),
                                      ("other_person", self.other_person)) if on]

    def as_json(self) -> dict[str, object]:
        return {"crisis": self.crisis, "level": self.level.value, "about": self.about.value,
                "reasons": self.reasons, "context": self.context}


def _squeeze(word: str) -> str:
    return _RUNS.sub(r"\1", word)


def _fix_token(token: str) -> str:
    # "!", "|" and "+" stand for letters only inside a word ("k!ll"); at its end they are punctuation ("kms!").
    token = token.strip("'").rstrip("!|+")
    if any(ch.isalpha() for ch in token) and not token.isdigit():
        token = token.translate(_LEET)
    return token


def tokens(text: str) -> list[str]:
    """The words of `text` as screening sees them."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    text = text.casefold().translate(_CONFUSABLES)
    raw = [_fix_token(token) for token in _TOKEN.findall(text)]
    words: list[str] = []
    letters: list[str] = []
    for token in [*raw, ""]:
        if len(token) == 1 and token.isalpha():  # "k i l l" and "k.i.l.l" are one word
            letters.append(token)
            continue
        if letters:
            words.extend(letters if len(letters) < 3 else ["".join(letters)])
            letters = []
        if token:
            words.append(token)
    return words


def _same_word(token: str, word: str) -> bool:
    """Equal, or equal once stretched letters are squeezed ("killlll" is "kill", but "of" is not "off")."""
    if token == word:
        return True
    return bool(_STRETCH.search(token)) and _squeeze(token) == _squeeze(word)


@dataclass(frozen=True)
class _Phrase:
    category: str
    text: str
    words: tuple[str, ...]
    compact: str


@dataclass
class Screener:
    """Built once from the phrase lists; `screen(text)` is pure and safe to call from anywhere."""

    phrases: Mapping[str, Sequence[str]]
    _by_first: dict[str, list[_Phrase]] = field(init=False, default_factory=dict)
    _wild_first: list[_Phrase] = field(init=False, default_factory=list)
    _idioms: list[_Phrase] = field(init=False, default_factory=list)
    _idioms_by_first: dict[str, list[_Phrase]] = field(init=False, default_factory=dict)
    _longest_idiom: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        known: set[tuple[str, ...]] = set()
        for category, items in self.phrases.items():
            for item in items:
                # A "*" stands for any one word; it is put back between the words of the parts around it.
                parts = [tuple(tokens(part)) for part in item.split(WILDCARD)]
                words = tuple(word for index, part in enumerate(parts)
                              for word in ((WILDCARD,) if index else ()) + part)
                if not words or (category != IDIOMS and words in known):
                    continue
                known.add(words)
                compact = _squeeze("".join(word for word in words if word != WILDCARD))
                phrase = _Phrase(category, item, words, compact)
                if category == IDIOMS:
                    self._idioms.append(phrase)
                    self._idioms_by_first.setdefault(_squeeze(words[0]), []).append(phrase)
                    self._longest_idiom = max(self._longest_idiom, len(words))
                elif words[0] == WILDCARD:
                    self._wild_first.append(phrase)
                else:
                    self._by_first.setdefault(_squeeze(words[0]), []).append(phrase)

    @staticmethod
    def _at(words: Sequence[str], start: int, phrase: _Phrase) -> bool:
        if start + len(phrase.words) > len(words):
            return False
        return all(want == WILDCARD or _same_word(words[start + i], want) for i, want in enumerate(phrase.words))

    def _inside_idiom(self, words: Sequence[str], start: int, end: int) -> bool:
        """Whether words[start:end] lie wholly inside an idiom; only idioms that could reach are tried."""
        for begin in range(max(0, end - self._longest_idiom), start + 1):
            for idiom in self._idioms_by_first.get(_squeeze(words[begin]), ()):
                if begin + len(idiom.words) >= end and self._at(words, begin, idiom):
                    return True
        return False

    def _compact_hits(self, words: Sequence[str], already: set[str]) -> list[_Phrase]:
        """Phrases written without spaces ("#killmyself"); a stretched word is also read squeezed."""
        plain = "".join(words)
        stretched = [_squeeze(word) for word in words if _STRETCH.search(word)]
        hits = []
        for bucket in (*self._by_first.values(), self._wild_first):
            for phrase in bucket:
                if phrase.category not in ALWAYS or WILDCARD in phrase.words or phrase.compact in already:
                    continue
                joined = "".join(phrase.words)
                if len(joined) < COMPACT_MIN:
                    continue
                if joined in plain or any(phrase.compact in word for word in stretched):
                    hits.append(phrase)
                    already.add(phrase.compact)
        return hits

    def screen(self, text: str) -> Verdict:
        words = tokens(text)
        hits: list[tuple[int, int, _Phrase]] = []
        for start, word in enumerate(words):
            for phrase in [*self._by_first.get(_squeeze(word), ()), *self._wild_first]:
                if self._at(words, start, phrase):
                    hits.append((start, start + len(phrase.words), phrase))
        kept = [
            (start, end, phrase)
            for start, end, phrase in hits
            if phrase.category != AMBIGUOUS or not self._inside_idiom(words, start, end)
        ]
        compact_hits = self._compact_hits(words, {phrase.compact for *_, phrase in kept})
        matches = [Match(phrase.category, phrase.text) for *_, phrase in kept]
        matches += [Match(phrase.category, phrase.text) for phrase in compact_hits]
        if not matches:
            return Verdict()
        unique = tuple(dict.fromkeys(matches))
        first_start = min((start for start, *_ in kept), default=0)
        before = words[max(0, first_start - 3):first_start]
        joined = " ".join(words)
        phrase_words = {word for *_, phrase in kept for word in phrase.words}
        other = bool(_OTHERS.search(" ".join(words[:first_start + 1]))) and not (phrase_words & _FIRST_PERSON)
        danger = any(match.category == "danger" for match in unique)
        return Verdict(
            level=Level.CLEAR,
            about=About.HARM_FROM_OTHERS if danger else About.SOMEONE_ELSE if other else About.SELF,
            matches=unique,
            negated=any(word in _NEGATIONS for word in before),
            past=bool(_PAST.search(joined)),
            other_person=other,
        )
