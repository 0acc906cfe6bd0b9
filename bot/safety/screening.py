"""Crisis screening of free text, in layers; recall comes first and explicit always wins.

1. Phrases (content/safety/phrases.yaml, six languages): text is normalised (case, accents, punctuation,
   spacing, zero-width and look-alike characters, digit and symbol substitutions, stretched letters, emoji
   that stand for words) and matched on whole words. `explicit`, `slang` and `danger` are `clear`; `burden`,
   `farewell` and `method` are `possible`; `ambiguous` counts only where the grammar agrees.
2. Typos: the few words that carry danger are matched within an edit or two (bot/safety/typos.py), and
   the phrases and grammar are read again over the corrected words.
3. Grammar (bot/safety/grammar.py): a subject, a wish or intent, and a predicate about dying, not living,
   being gone, hurting oneself or being hurt, with the modifiers that change it.
4. Learned (bot/safety/semantic.py): a classifier head over words and pairs of words, trained at build time on
   the team's bank and development sets; it only ever adds `possible`.

A stated wish that is denied ("I would never kill myself") or told in the past is asked about (`possible`),
never silenced. Another person as the subject, or harm done to the writer, sets `about`.
See docs/safety.md for how it is measured.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import chain, compress, islice, pairwise
from operator import ne
from pathlib import Path
from typing import Any

from bot.content.schema import ScreeningHead
from bot.safety import grammar, prefilter, semantic
from bot.safety.memo import Memo
from bot.safety.semantic import Head
from bot.safety.typos import Typos

ALWAYS = ("explicit", "slang", "burden", "farewell", "method", "danger")
CLEAR_CATEGORIES = frozenset({"explicit", "slang", "danger"})
AMBIGUOUS = "ambiguous"
IDIOMS = "idioms"
WILDCARD = "*"
TITLE = "title"  # what a title in quotes is read as ("the album title by suicideboys")
COMPACT_MIN = 6
LONG_TEXT = 2_000  # from this many characters a text is searched for many things at once (RE2)

_CONFUSABLES = str.maketrans({
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "і": "i", "ѕ": "s", "ј": "j",
    "к": "k", "ԁ": "d", "һ": "h", "ӏ": "l", "ο": "o", "α": "a", "ι": "i", "κ": "k", "ν": "v", "ε": "e",
    "ρ": "p", "τ": "t", "υ": "u", "’": "'", "‘": "'", "ʼ": "'", "`": "'",
})
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a",
                       "$": "s", "!": "i", "|": "l", "+": "t"})
# Emoji that people use in place of the words (the variation selector is dropped with the other Cf marks).
_EMOJI = str.maketrans({"💀": " die ", "☠": " die ", "⚰": " die ", "🪦": " die ", "🪢": " hang myself ",
                        "🔪": " cut ", "🗡": " cut ", "🩸": " bleed ", "💊": " pills ", "🔫": " shoot ",
                        "🌉": " bridge ", "🚄": " train ", "🚆": " train ", "➡": " go to ", "⬇": " jump ",
                        "🤝": " and ", "🔚": " end it ", **dict.fromkeys("😂🤣😅😆😹🙈🤭", " laughing emoji ")})
# Invisible format characters (zero-width joiners, bidi marks, tags): removed before anything else.
_FORMAT_CHARS = dict.fromkeys(
    cp for cp in (*range(0x10000), *range(0x110BD, 0x110CE), *range(0x13430, 0x13440), *range(0x1BCA0, 0x1BCA4),
                  *range(0x1D173, 0x1D17B), *range(0xE0001, 0xE0080))
    if unicodedata.category(chr(cp)) == "Cf")
# One table for what is read outside ASCII; applied only to runs of such characters, so a long message in plain
# ASCII costs nothing here ("`" is the one ASCII look-alike and is replaced on its own).
_NON_ASCII_TABLE = {**_EMOJI, **_FORMAT_CHARS, **{key: value for key, value in _CONFUSABLES.items() if key >= 128}}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
_OUTSIDE_ASCII = prefilter.compiled(r"[^\x00-\x7f]+")
_EMOJI_VERBS = "💀☠🔫🔪"  # emoji that people write "-ing" after ("💀ing")
_EMOJI_ING = re.compile(f"[{_EMOJI_VERBS}]\ufe0f?\\s*ing\\b")
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_TOKEN = re.compile(r"[a-z0-9@$!|+']+")
_NOT_TOKEN = {code: " " for code in range(128) if not _TOKEN.fullmatch(chr(code))}  # ASCII that is no token's
_STRETCH = re.compile(r"(.)\1{2,}")
_RUNS = re.compile(r"(.)\1+")
_NEGATIONS = frozenset({"not", "never", "dont", "don't", "didnt", "didn't", "wont", "won't", "wouldnt",
                        "wouldn't", "cant", "can't", "isnt", "isn't", "no", "nor", "without", "zero"})
_PAST = re.compile(r"\b(used to|years ago|months ago|a year ago|when i was|last year|in the past|back then|"
                   r"back when|back in|since my (?:last )?attempt|(?:\d+|one|two|three|four|five|six|seven|eight|nine|"
                   r"ten|a) (?:days?|weeks?|months?|years?) (?:clean|free|since|without|ago)|"
                   r"in (high )?school|in uni|in college|as a teenager|when i was younger|for a while back|"
                   r"a long time ago|as a (kid|teen|child)|had been|was going to|wanted to|this time last year|"
                   r"(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|a|eighteen) (?:days?|weeks?|months?|"
                   r"years?) (?:since|free|clean)|(?:first|second) (?:christmas|birthday|year) since|since (?:the|my) "
                   r"(?:overdose|attempt|od|hospital)|(?:i )?(?:was|used to be) (?:\S+ )?(?:suicidal|self harming|"
                   r"cutting|burning myself) (?:at|in|as|when|for|after|before|back)|(?:i|since i) (?:last|stopped) "
                   r"(?:hurt|cut|burned|harmed|starved|tried)|ago today|after (?:the|my) overdose|remember (?:when|the "
                   r"night|the day)|when i first|clean (?:from|of) (?:self harm|sh|cutting)|since i last "
                   r"(?:self harmed|self harm)|last (?:winter|spring|summer|autumn)|the first year after|in (?:19|20)"
                   r"[0-9][0-9])\b")
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
    reasons_: tuple[str, ...] = ()
    negated: bool = False
    past: bool = False
    other_person: bool = False

    @property
    def crisis(self) -> bool:
        """True for `possible` and `clear`: something must be said before anything else happens."""
        return self.level is not Level.NONE

    @property
    def learned_only(self) -> bool:
        """True when only the learned head raised this (no phrase or rule did): a `possible`, never `clear`."""
        return bool(self.matches) and all(match.category == "semantic" for match in self.matches)

    @property
    def reasons(self) -> list[str]:
        return list(self.reasons_) or [f"{match.category}: {match.phrase}" for match in self.matches]

    @property
    def context(self) -> list[str]:
        return [name for name, on in (("negated", self.negated), ("past", self.past),
                                      ("other_person", self.other_person)) if on]

    def as_json(self) -> dict[str, object]:
        return {"crisis": self.crisis, "level": self.level.value, "about": self.about.value,
                "reasons": self.reasons, "context": self.context}


def _squeezed(word: str) -> str:
    return _RUNS.sub(r"\1", word)


_squeeze = Memo(_squeezed).__getitem__


def _fix_token(token: str) -> str:
    # "!", "|" and "+" stand for letters only inside a word ("k!ll"); at its end they are punctuation ("kms!").
    token = token.strip("'").rstrip("!|+")
    if any(ch.isalpha() for ch in token) and not token.isdigit():
        token = token.translate(_LEET)
    return token


_EMPTY, _LETTER, _WORD = 0, 1, 2
_LETTER_RUN = bytes((_LETTER,) * 3)


def _kind(token: str) -> int:
    """What a fixed token is to the joining of spelled-out words: nothing, one letter, or a word."""
    return _EMPTY if not token else _LETTER if len(token) == 1 and token.isalpha() else _WORD


_FIXED = Memo(_fix_token)
_KINDS = Memo(_kind)
_LETTER_RUNS = re.compile(re.escape(bytes((_LETTER,))) + b"{3,}")  # three or more one-letter tokens in a row


KNOT_REACH = 80  # characters either side of a knot emoji where the words of knots are looked for
_KNOT_CRAFT = re.compile(r"(?i)\b(?:knots?|bowline|hitch|hitches|sailing|sail|scouts?|scouting|swing|macrame|"
                         r"climb|climbing|climbed|pe|gym|badge|boat|anchor|camping|tent|shoelaces?|sheepshank|belay|"
                         r"harness|tug of war|skipping)\b")


def knots_as_knots(text: str) -> str:
    """A knot emoji stands for hanging ("going to 🪢 tonight"), unless each one sits beside the words of knots
    ("learned the bowline 🪢", "the 🪢 climb in pe"), where it is read as a knot."""
    if "🪢" not in text:
        return text
    spots = [found.start() for found in re.finditer("🪢", text)]
    if all(_KNOT_CRAFT.search(text, max(0, spot - KNOT_REACH), spot + KNOT_REACH) for spot in spots):
        return text.replace("🪢", " knot ")
    return text


def _read_run(run: str) -> str:
    """A run of characters outside ASCII as screening reads it: emoji as the words they stand for, invisible marks
    left out, look-alike letters as the letters, and accents dropped ("möchte" is "mochte", "não" is "nao": the
    phrase lists are written the same way). Each run is read on its own: ASCII around it changes none of this.
    What is still outside ASCII then is no token's, and is read as a space."""
    read = run.translate(_NON_ASCII_TABLE)
    return read if read.isascii() else _NON_ASCII.sub(" ", _COMBINING.sub("", unicodedata.normalize("NFKD", read)))


def _read_outside_ascii(text: str) -> str:
    """`text` with each run of characters outside ASCII read by `_read_run`. In a long text RE2 finds the runs, in
    one pass over its UTF-8 bytes (a long message is nearly all ASCII)."""
    try:
        data = text.encode() if len(text) >= LONG_TEXT and _OUTSIDE_ASCII is not None else None
    except UnicodeEncodeError:  # a lone surrogate, which UTF-8 cannot hold
        data = None
    if data is None:
        return _NON_ASCII.sub(lambda run: _read_run(run[0]), text)
    out: list[str] = []
    done = extra = 0  # extra: how many more bytes than characters come before the run
    for found in _OUTSIDE_ASCII.finditer(data):
        run = data[found.start():found.end()].decode()
        start = found.start() - extra
        out += (text[done:start], _read_run(run))
        done = start + len(run)
        extra += found.end() - found.start() - len(run)
    return "".join((*out, text[done:]))


def tokens(text: str) -> list[str]:
    """The words of `text` as screening sees them."""
    if text.isascii():  # ASCII is its own NFKC, and its case folding is its lower case
        text = text.lower().replace("`", "'")
    else:
        text = unicodedata.normalize("NFKC", text).casefold().replace("`", "'")
    if not text.isascii():  # the emoji, invisible marks and look-alike letters are all outside ASCII
        if any(emoji in text for emoji in _EMOJI_VERBS):
            text = _EMOJI_ING.sub(" killing ", text)
        text = _read_outside_ascii(text)
    # the text is ASCII now: its tokens are the runs of _TOKEN's characters, split at any other
    raw = list(map(_FIXED.__getitem__, text.translate(_NOT_TOKEN).split()))
    kinds = bytes(map(_KINDS.__getitem__, raw))
    if _LETTER_RUN not in kinds:  # no "k i l l" to join: the words are the tokens, empty ones left out
        return raw if _EMPTY not in kinds else list(filter(None, raw))
    words: list[str] = []
    done = 0
    for run in _LETTER_RUNS.finditer(kinds):  # "k i l l" and "k.i.l.l" are one word (one or two letters are not)
        words += filter(None, raw[done:run.start()])
        words.append("".join(raw[run.start():run.end()]))
        done = run.end()
    words += filter(None, raw[done:])
    return words


def _is_stretched(word: str) -> bool:
    """Whether a letter is written three or more times in a row ("killlll")."""
    return bool(_STRETCH.search(word))


_stretched = Memo(_is_stretched).__getitem__


def _same_word(token: str, word: str) -> bool:
    """Equal, or equal once stretched letters are squeezed ("killlll" is "kill", but "of" is not "off")."""
    if token == word:
        return True
    return _stretched(token) and _squeeze(token) == _squeeze(word)


@dataclass(frozen=True)
class _Phrase:
    category: str
    text: str
    words: tuple[str, ...]
    compact: str
    second: str = ""  # the second word squeezed, which the word after the first must squeeze to ("": any word)


@dataclass
class Screener:
    """Built once from the phrase lists; `screen(text)` is pure and safe to call from anywhere."""

    phrases: Mapping[str, Sequence[str]]
    head: ScreeningHead | None = None
    semantic: bool = True
    _by_first: dict[str, list[_Phrase]] = field(init=False, default_factory=dict)
    _wild_first: list[_Phrase] = field(init=False, default_factory=list)
    _idioms: list[_Phrase] = field(init=False, default_factory=list)
    _idioms_by_first: dict[str, list[_Phrase]] = field(init=False, default_factory=dict)
    _longest_idiom: int = field(init=False, default=0)
    _compact: list[tuple[_Phrase, str]] = field(init=False, default_factory=list)
    _compact_finder: Any = field(init=False, default=None)

    _head: Head | None = field(init=False, default=None)
    _typos: Typos = field(init=False)

    def __post_init__(self) -> None:
        self._typos = Typos(semantic.vocabulary())
        if self.semantic and self.head is not None:
            self._head = _head_for(self.head)
        known: set[tuple[str, ...]] = set()
        for category, items in self.phrases.items():
            # each phrase also as people type it without apostrophes ("dont want to be here anymore")
            as_typed = ((said, typed) for said in items for typed in dict.fromkeys((said, said.replace("'", ""))))
            for item, typed in as_typed:
                # A "*" stands for any one word; it is put back between the words of the parts around it.
                parts = [tuple(tokens(part)) for part in typed.split(WILDCARD)]
                words = tuple(word for index, part in enumerate(parts)
                              for word in ((WILDCARD,) if index else ()) + part)
                if not words or (category != IDIOMS and words in known):
                    continue
                known.add(words)
                compact = _squeeze("".join(word for word in words if word != WILDCARD))
                second = _squeeze(words[1]) if len(words) > 1 and words[1] != WILDCARD else ""
                phrase = _Phrase(category, item, words, compact, second)
                if category == IDIOMS:
                    self._idioms.append(phrase)
                    self._idioms_by_first.setdefault(_squeeze(words[0]), []).append(phrase)
                    self._longest_idiom = max(self._longest_idiom, len(words))
                elif words[0] == WILDCARD:
                    self._wild_first.append(phrase)
                else:
                    self._by_first.setdefault(_squeeze(words[0]), []).append(phrase)
        # the phrases also looked for written without spaces, in the order they are looked for
        self._compact = [(phrase, "".join(phrase.words)) for bucket in (*self._by_first.values(), self._wild_first)
                         for phrase in bucket if phrase.category in ALWAYS and WILDCARD not in phrase.words
                         and len(phrase.words) >= 2 and len("".join(phrase.words)) >= COMPACT_MIN]
        self._compact_finder = prefilter.literal_set([joined for _phrase, joined in self._compact])
        _warm_up()

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
        stretched = [_squeeze(word) for word in set(words) if _stretched(word)]
        # in a long message every phrase is looked for in one pass, not one pass a phrase
        present = set(self._compact_finder.Match(plain) or ()) \
            if self._compact_finder is not None and len(plain) >= LONG_TEXT else None
        hits = []
        for index, (phrase, joined) in enumerate(self._compact):
            if phrase.compact in already:
                continue
            if (joined in plain if present is None else index in present) \
                    or any(phrase.compact in word for word in stretched):
                hits.append(phrase)
                already.add(phrase.compact)
        return hits

    def _phrase_hits(self, words: Sequence[str]) -> list[tuple[int, int, _Phrase]]:
        hits: list[tuple[int, int, _Phrase]] = []
        squeezed = [*map(_squeeze, words), ""]
        buckets = list(map(self._by_first.get, squeezed))
        # a phrase is tried only where a word can begin it (every word, when a phrase begins with any word) and
        # the next word can be its second: a word is its phrase's word only if the two squeeze alike
        for start in range(len(words)) if self._wild_first else compress(range(len(words)), buckets):
            after = squeezed[start + 1]
            for phrase in [*(buckets[start] or ()), *self._wild_first]:
                if (not phrase.second or phrase.second == after) and self._at(words, start, phrase):
                    hits.append((start, start + len(phrase.words), phrase))
        return [(start, end, phrase) for start, end, phrase in hits
                if phrase.category != AMBIGUOUS or not self._inside_idiom(words, start, end)]

    def _read(self, words: Sequence[str], found: list[_Found], *, typo: str = "") -> set[str]:
        """Phrases and grammar over one reading of the words; what they find is added to `found`. Returns the
        phrases read and set aside (an accident, a title, a denial), so no other reading raises them again."""
        line = grammar.canonical(words)
        kept = self._phrase_hits(words)
        answered = _answered_no(line)
        dismissed: set[str] = set()
        ambiguous_only: list[tuple[int, int, _Phrase]] = []
        for start, end, phrase in kept:
            if phrase.category == AMBIGUOUS:
                ambiguous_only.append((start, end, phrase))
                continue
            told = _as_told(words, start, end, phrase.category)
            if told is None or (answered and _inside(answered, _canonical_index(words, start))) or (
                    phrase.category == "farewell" and _farewell_denied(words, start)):
                dismissed.add(phrase.compact)
                continue
            level, negated = told, _denied(words, start)
            around = grammar.canonical(words[max(0, start - 20):end + 20])
            if phrase.category == "explicit" and _SELF_INJURY.search(phrase.text) and grammar.accidental(around):
                dismissed.add(phrase.compact)
                continue  # "nicked myself shaving", "cut myself cooking"
            if phrase.text == "suicide" and start and words[start - 1] in _FIGURATIVE:
                dismissed.add(phrase.compact)
                continue  # "is that career suicide haha": a figure of speech, and only this word of the message
            if len(phrase.words) == 1 and _TOPIC.search(" ".join(words[max(0, start - 8):end + 2])):
                dismissed.add(phrase.compact)
                continue  # "a song about suicide", "suicide prevention training": the subject, not a statement
            if phrase.category == "method" and (grammar.asked_for_a_thing(around) or grammar.made_up(around)):
                dismissed.add(phrase.compact)
                continue  # "what's the tallest bridge in europe, settling a pub argument"
            if phrase.text == "catch the bus" and " ".join(words[end:end + 2]).startswith(_BUS_AFTER):
                dismissed.add(phrase.compact)
                continue  # "gotta catch the bus at 7:15"
            if phrase.text == "ctb" and " ".join(words[end:end + 1]).startswith(_CTB_AFTER):
                dismissed.add(phrase.compact)
                continue  # "took the ctb bus to the mall", "is the ctb 970 still running"
            if phrase.text == "kms" and ((start and (words[start - 1].isdigit() or words[start - 1] in _NUMBERS))
                                         or (end < len(words) and words[end].isdigit())
                                         or " ".join(words[end:end + 2]).startswith(_KMS_AFTER)):
                dismissed.add(phrase.compact)
                continue  # "ran 8 kms today", "kms per week", "KMS 12" on a road sign
            about = About.HARM_FROM_OTHERS if phrase.category == "danger" else (
                About.SOMEONE_ELSE if _THIRD_PERSON.search(phrase.text) or self._other_subject(words, start)
                else About.SELF)
            if about is About.SOMEONE_ELSE and grammar.fiction(around):
                dismissed.add(phrase.compact)
                continue  # "why romeo and juliet kill themselves"
            if phrase.words[-1] in ("die", "dead", "dying") and (_IDIOM_AFTER.match(" ".join(words[end:end + 2]))
                                                                 or grammar.trivial(around)):
                dismissed.add(phrase.compact)
                continue  # "i want to die of embarrassment"
            if about is About.HARM_FROM_OTHERS and grammar.hyperbole(around) and "kill" in phrase.words:
                dismissed.add(phrase.compact)
                continue  # "my mum is going to kill me when she sees this lol"
            reason = f"{phrase.category}: {phrase.text}" + (f" (typo {typo})" if typo else "")
            found.append(_Found(level, about, Match(phrase.category, phrase.text), reason, start, negated,
                                phrase.compact))
        hits = grammar.apply(line)
        spaced = bool(hits) and _one_space_apart(line)
        said = line.split() if hits else []  # the words the rules read, as `_words_before` counts them
        for hit in hits:
            rule = hit.rule
            at = _words_before(line, hit.start, spaced)
            if answered and _inside(answered, at):
                continue
            near = line[max(0, hit.start - 160):hit.start + 160]
            past = bool(_PAST.search(near))
            if past and rule.about == "self" and _RECOVERY.search(near) \
                    and not _PULL.search(line[max(0, hit.start - 60):hit.start + 100]):
                continue
            if rule.about == "self" and _looked_back(
                    said, at, at + 1, past=bool(_PAST.search(" ".join(said[max(0, at - 6):at + 4])))):
                continue
            if rule.category == "farewell" and _farewell_denied(said, at):
                continue
            if rule.about == "harm_from_others" and rule.level != "possible" and _harm_behind(said, at, at + 1):
                continue
            if past and rule.level == "clear" and rule.about == "self":
                rule = grammar.GrammarRule(rule.name, rule.category, "possible", rule.about, rule.pattern)
            reason = f"grammar {rule.category}: {rule.name}" + (f" (typo {typo})" if typo else "")
            found.append(_Found(Level(rule.level), About(rule.about), Match(rule.category, rule.name), reason, at,
                                False))
        if ambiguous_only and found:
            for start, _end, phrase in ambiguous_only:
                found.append(_Found(Level.POSSIBLE, About.SELF, Match(phrase.category, phrase.text),
                                    f"{phrase.category}: {phrase.text}", start, False))
        return dismissed

    def words_for_head(self, text: str) -> list[str]:
        """The words of `text` as the semantic head reads them: links, platform mentions and titles in quotes left
        out (their words are no one's statement), corrected, contractions spelled out."""
        return self._head_reading(_changed(text, _head_spans(text, _plain_spans(text))))

    def _head_reading(self, text: str) -> list[str]:
        return grammar.canonical(self._typos.correct(tokens(text))[0]).split()

    def _head_words(self, read: _Reading, corrected: list[str]) -> list[str]:
        """`words_for_head(read.text)`, reusing the corrected words the screen has already read (from the text with
        the abbreviations it defines spelled out) wherever the head's text (links left out) is the same: a piece
        that reads the same either way has the same words. Only a piece where the two differ is read again; if a
        cut between pieces has a word whose correction depends on its neighbour (the very short misspellings
        corrected beside their phrase's words), the whole text is."""
        if len(read.pieces) == 1:
            without = _changed(read.text, read.links)
            if without == _changed(read.text, read.plain):
                return grammar.canonical(corrected).split()
            return self._head_reading(without)
        tokens_read: list[list[str]] = []
        corrected_read: list[list[str]] = []
        done = 0
        for words, (start, stop, changed) in zip(read.words, read.pieces, strict=True):
            piece = _changed(read.text, read.links, start, stop) if changed else None
            if piece is not None and piece != _changed(read.text, read.plain, start, stop):
                tokens_read.append(tokens(piece))
                corrected_read.append(self._typos.correct(tokens_read[-1])[0])
            else:
                tokens_read.append(words)
                corrected_read.append(corrected[done:done + len(words)])
            done += len(words)
        for before, after in pairwise(tokens_read):
            if not (before and after and self._typos.alone(before[-1]) and self._typos.alone(after[0])):
                return self.words_for_head(read.text)
        return grammar.canonical([*chain.from_iterable(corrected_read)]).split()

    def _best_sentence(self, text: str) -> float | None:
        """The head's highest score of one sentence of a long check-in, when it is sure enough: a risk sentence
        among ordinary ones is read in a window with them, where it can score too little. Each sentence is one
        more chance of a false alarm, so with n sentences a score s counts as 1 - (1 - s) * n."""
        assert self._head is not None
        scored = [self._head.score(words) for part in _SENTENCE_END.split(text)
                  if len(words := self.words_for_head(part)) >= semantic.MIN_WORDS]
        if len(scored) < 2:
            return None
        best = max(scored)
        return best if 1 - (1 - best) * len(scored) >= semantic.SENTENCE_THRESHOLD else None

    @staticmethod
    def _other_subject(words: Sequence[str], start: int) -> bool:
        before = " ".join(words[max(0, start - 6):start + 1])
        return bool(_OTHERS.search(before)) and not any(
            word in _FIRST_PERSON for word in words[max(0, start - 3):start])

    def screen(self, text: str) -> Verdict:
        text = knots_as_knots(_encodable(text))
        read = _Reading.of(text)
        words = read.words[0] if len(read.words) == 1 else [*chain.from_iterable(read.words)]
        found: list[_Found] = []
        dismissed = self._read(words, found)
        for phrase in self._compact_hits(words, dismissed | {f.compact for f in found if f.compact}):
            level = _phrase_level(phrase.category)
            about = About.HARM_FROM_OTHERS if phrase.category == "danger" else About.SELF
            start = _spaced_start(words, phrase) if phrase.category != "danger" else None
            if start is not None:
                # the phrase with its words apart and an ending ("never self harmed"): told as the phrase is
                told = _as_told(words, start, start + len(phrase.words), phrase.category)
                if told is None:
                    continue
                level = told
            found.append(_Found(level, about, Match(phrase.category, phrase.text),
                                f"{phrase.category}: {phrase.text}", 0, False))
        corrected, made = self._typos.correct(words)
        if made:
            before = len(found)
            for begin, stop in _windows(list(compress(range(len(words)), map(ne, words, corrected))), len(words)):
                self._read(corrected[begin:stop], found, typo=", ".join(dict.fromkeys(made)))
            # a correction that only finds what was set aside in the plain reading adds nothing
            found[before:] = [f for f in found[before:] if f.compact not in dismissed]
        # A short message whose words were read and set aside (a denial, an accident, a title, recovery) is not
        # raised again by the head, which cannot tell "not going to kill myself" from the statement.
        judged = bool(dismissed) and len(words) <= semantic.CHUNK_WORDS
        judged = judged or len(words) < semantic.MIN_WORDS  # "keep", "2 3": too little for a model to read
        if not found and len(words) <= semantic.CHUNK_WORDS:
            # "No SI, no SH, just a rough day", "nobody hits me, my mum just shouts": a denial the head cannot read,
            # unless a wish still follows it ("i won't do anything, but i wouldn't mind not waking up")
            line = " ".join(words)
            judged = judged or (bool(_DENIAL.search(line)) and not _STILL_WISHING.search(line))
        if judged and not found and self._head is not None and len(words) >= semantic.MIN_WORDS:
            # "no self harm urges? i cut again tonight": the denial sets aside its own sentence, not the others
            # ("a year ago i tried to end my life. today i'm grateful": the sentence told as a look back stays aside)
            parts = [part for part in _SENTENCE_END.split(text) if part.strip()]
            if len(parts) > 1:
                for part in parts:
                    squeezed = _squeeze("".join(tokens(part)))
                    if any(phrase in squeezed for phrase in dismissed):
                        continue
                    said = self.screen(part)
                    if said.level is not Level.NONE:
                        found.append(_Found(said.level, said.about, said.matches[0], said.reasons_[0], 0, False))
                        break
        if not any(f.level is Level.CLEAR for f in found) and self._head is not None and text.strip() \
                and not judged:
            head_words = self._head_words(read, corrected)
            score = self._head.score(head_words)
            if score >= (self._head.threshold if len(head_words) <= semantic.CHUNK_WORDS
                         else max(self._head.threshold, semantic.LONG_THRESHOLD)):
                found.append(_Found(Level.POSSIBLE, About.SELF, Match("semantic", f"{score:.2f}"),
                                    f"semantic: {score:.2f}", 0, False))
            elif not found and len(head_words) > semantic.CHUNK_WORDS and len(text) <= semantic.SENTENCES_UP_TO:
                sentence = self._best_sentence(text)
                if sentence is not None:
                    found.append(_Found(Level.POSSIBLE, About.SELF, Match("semantic", f"{sentence:.2f}"),
                                        f"semantic, one sentence: {sentence:.2f}", 0, False))
        if not found:
            return Verdict()
        level = Level.CLEAR if any(f.level is Level.CLEAR for f in found) else Level.POSSIBLE
        top = [f for f in found if f.level is level]
        abouts = {f.about for f in top}
        about = next(a for a in (About.SELF, About.HARM_FROM_OTHERS, About.SOMEONE_ELSE) if a in abouts) \
            if About.SELF in abouts and any(f.match.category != "semantic" for f in top if f.about is About.SELF) \
            else next(a for a in (About.HARM_FROM_OTHERS, About.SOMEONE_ELSE, About.SELF) if a in abouts)
        first = min(f.start for f in found)
        joined = " ".join(words)
        return Verdict(
            level=level,
            about=about,
            matches=tuple(dict.fromkeys(f.match for f in found)),
            reasons_=tuple(dict.fromkeys(f.reason for f in found)),
            negated=any(f.negated for f in found),
            past=bool(_PAST.search(joined)),
            other_person=about is About.SOMEONE_ELSE or (
                bool(_OTHERS.search(" ".join(words[:first + 1]))) and about is not About.HARM_FROM_OTHERS
                and not any(word in _FIRST_PERSON for word in words[max(0, first - 3):first + 4])),
        )


@dataclass(frozen=True)
class _Found:
    level: Level
    about: About
    match: Match
    reason: str
    start: int
    negated: bool
    compact: str = ""


_FIGURATIVE = frozenset({"career", "social", "political", "commercial", "electoral"})  # "... suicide"
_TOPIC = re.compile(r"\b(?:song|songs|film|films|movie|movies|book|books|documentary|show|episode|podcast|article|"
                    r"news|series|story|novel|lyrics|album|poem|essay|lecture|talk|training|course|class|video|post|"
                    r"thread|scene|character|research|paper|statistics|stats|report|play|opera|game|anime|manga|"
                    r"comic|memoir|biography|autobiography|radio) (?:\S+ ){0,4}(?:about|on|of|regarding|around|and|"
                    r"with|after) (?:\S+ ){0,6}(?:suicide|suicidal|overdose|overdoses|self harm|selfharm)\b|"
                    r"\bsuicide is painless\b|\bvirgin suicides\b|\b(?:suicide|suicidal|overdose|"
                    r"self harm) (?:prevention|awareness|squad|hotline|helpline|rates?|statistics|stats|forest|"
                    r"scene|training|course|module|charity|research|hotlines|lines|bombers?|doors?|mission|runs?|"
                    r"sprints?|drills?|squeeze|pact in|barriers?|nets?|calls?|callouts?|patients?|cases?|kits?|"
                    r"protocols?|albums?|band|records?|themes?|storyline|arc|plot|in the (?:film|book|show|song|"
                    r"game|news|movie))\b|\b(?:song|track|book|film|novel|album|tune|movie) (?:\S+ ){0,3}(?:is|"
                    r"called|named|titled) (?:\S+ ){0,2}suicides?\b|\b(?:single|song|track|album|book|episode|film|"
                    r"play|poem|novel|zine|podcast|show|series|game|tune) (?:\S+ ){0,2}(?:called|titled|"
                    r"named) (?:\S+ ){0,3}(?:suicide|suicidal|overdose|self harm)\b|\b(?:reading|read|listening to|"
                    r"listened to|watching|watched|finished) (?:\S+ ){0,2}suicides?\b|\bsuicides? \S+ by\b")
_IDIOM_AFTER = re.compile(r"(?:of|from) (?:embarrassment|shame|cringe|laughter|laughing|boredom|happiness|cuteness|"
                          r"hunger|thirst|curiosity|envy|jealousy)\b|(?:laughing|lol|lmao|haha)\b")
# The abbreviations a message can define as something else ("ctb = call the boss"), for all three patterns below.
_DEFINABLE = ("ctb", "sh", "si", "kms", "od", "sui", "kys")
_DEFINES = re.compile(
    r"(?i)(?<![:\w])(" + "|".join(_DEFINABLE) + r")\b[\"'”]?\s*(?:(?:on|in) (?:my|the|our|his|her|their|this|a) "
    r"(?:[\w']+ ){0,3}?|(?:[\w']+[\"'”]?(?:\s+|(?=\?))){1,4}?(?=(?:=|meaning|stands for|\?)))?(=|:|-|\(|(?=[\"'“‘])|"
    r"stands for|"
    r"means|meaning|is short for|short for|is|for|\?|was on the \w+ as|on the \w+ means)\s*"
    r"(?:the |an? )?[\"'“]?((?:[a-z]+[\s,]+){0,4}[a-z]+)")
_MENTIONS = re.compile(
    r"(?i)\bsi(?= (?:joint|joints|units?|system|prefix|prefixes|base units?)\b)|\bsui(?= generis\b)|"
    r"\b(?P<keep>say|says|said|saying|"
    r"word|term|use|using|write|writes|called) [\"'“]?(?:unalive|unalived|unaliving|sewerslide|kms|kys|ctb)\b"
    r"(?=[\"'”]? (?:instead|rather|because|so|to avoid|for))|"
    # a title in quotes after what names it: "the album 'i want to die in new orleans'", "who sings 'i don't wanna
    # live forever'" (its words are the title's, not the writer's)
    r"\b(?P<cue>albums?|songs?|tracks?|single|book|novel|film|movie|show|episode|poem|play|record|called|titled|"
    r"named|sings|sang|lyrics?) (?:(?!i |me |my |we |im |i'm )\S+ ){0,3}?[\"“‘'](?:[^\"”’'\n]|(?<=\w)'(?=\w)){3,60}"
    r"[\"”’']")


# Where _DEFINES and _MENTIONS could match (RE2, linear): a long message is read by them only there.
_MAY_DEFINE = prefilter.compiled(
    "(?:^|[^A-Za-z0-9_:])" + prefilter.any_of(*_DEFINABLE)
    + r"[^\pL\pN][^\n]{0,80}?(?:[=:\-(\"'“‘?]|" + prefilter.any_of("stands for", "means", "meaning", "is short for",
                                                                 "is", " as", "for")
    + ")")
# Where one of _DEFINES' abbreviations is a whole word (the first group): a definition, and a defined abbreviation
# used, can begin only there.
_MAY_START_ABBREVIATION = prefilter.compiled(
    "(?:^|[^A-Za-z0-9_])(" + prefilter.any_word(*_DEFINABLE) + ")")
_MAY_MENTION = prefilter.compiled(
    prefilter.folded("si ") + prefilter.any_of("joint", "unit", "system", "prefix", "base unit") + "|"
    + prefilter.any_of("say", "says", "said", "saying", "word", "term", "use", "using", "write", "writes", "called")
    + " [\"'“]?" + prefilter.any_of("unaliv", "sewerslide", "kms", "kys", "ctb") + "|"
    + prefilter.folded("sui generis") + "|"
    + prefilter.any_of("album", "song", "track", "single", "book", "novel", "film", "movie", "show", "episode", "poem",
                       "play", "record", "called", "titled", "named", "sings", "sang", "lyric") + "[^\\n]{0,40}[\"“‘']")


def _spells(abbreviation: str, how: str, meaning: str) -> bool:
    """Whether `meaning` is what `abbreviation` stands for: its words' first letters ("call the boss" for ctb,
    "outside diameter" for OD), or, after "=" or "means", one word with its letters in order ("overdraft")."""
    short, words = abbreviation.casefold(), meaning.casefold().split()
    if "".join(word[0] for word in words[:len(short)]) == short:
        return True
    letters = iter(words[0][1:])
    return how.casefold() != "is" and words[0][0] == short[0] and all(letter in letters for letter in short[1:])


def _plain_words(text: str) -> str:
    """`text` with each abbreviation it defines as something else (its letters spelled out after "=", ":", "stands
    for": "ctb = call the boss", "SH = stock hold") read as a plain word everywhere in it, units ("SI units") and
    a word talked about rather than used ("youtubers say unalive instead of died") too."""
    return _changed(text, _plain_spans(text))


Spans = list[tuple[int, int, str]]  # where a text is changed, in order and apart: start, end, what is put there


def _plain_spans(text: str) -> Spans:
    """Where `_plain_words` changes `text`, and what it puts there. The words talked about are replaced first;
    an abbreviation is then a whole word that no replacement holds or touches (each begins and ends at a word's
    edge, and what it puts there begins and ends with a space and holds no abbreviation), so every defined
    abbreviation is found in one pass over `text` itself, outside the words talked about."""
    long = len(text) >= LONG_TEXT and _MAY_DEFINE is not None
    defined: set[str] = set()
    if not long or _MAY_DEFINE.search(text):
        starts = prefilter.starts(_MAY_START_ABBREVIATION, text) if long else None
        defined = {found[1].casefold() for found in prefilter.finditer(_DEFINES, starts, text)
                   if _spells(found[1], found[2], found[3])}
    spans = [(found.start(), found.end(), f" {found['cue']} {TITLE} " if found["cue"] else
              f" {found['keep'] or ''} abbreviation ")
             for found in prefilter.finditer(_MENTIONS, prefilter.starts(_MAY_MENTION, text) if long else None, text)]
    if defined:
        mentioned = spans.copy()
        used = re.compile(rf"(?i)\b(?:{'|'.join(sorted(defined))})\b")
        spans += [(found.start(), found.end(), " abbreviation ") for found in prefilter.finditer(used, starts, text)
                  if not any(start < found.end() and found.start() < end for start, end, _put in mentioned)]
        spans.sort()
    return spans


def _changed(text: str, spans: Spans, begin: int = 0, end: int | None = None) -> str:
    """`text[begin:end]` with the spans in it replaced (`spans` in order and apart; none crosses `begin` or `end`)."""
    end = len(text) if end is None else end
    out: list[str] = []
    done = begin
    for start, stop, put in islice(spans, bisect_left(spans, (begin,)), None):
        if stop > end:
            break
        out += (text[done:start], put)
        done = stop
    return "".join((*out, text[done:end])) if out else text[begin:end]


_BUS_AFTER = ("at ", "to ", "home", "into", "from", "with", "every", "back", "because", "and walk", "in the morning",
              "tomorrow morning", "to work", "to school", "or ", "instead")
_CTB_AFTER = ("bus", "route", "line", "service", "stop", "timetable", *"0123456789")
_KMS_AFTER = ("marker", "sign", "away", "from", "long", "an hour", "per hour",
              "per", "a week", "a day", "half", "run", "race", "today", "this week", "so far", "total", "in ",
              "on the", "done", "ran", "walked", "cycled", "rode", "left", "to go", "uphill", "of ", "road",
              "not miles", "instead of miles")
_RECOVERY = re.compile(r"\b(?:(?:[1-9]\d+ days|weeks|months|years|a year|a month) since (?:i|my) last|now|these days|"
                       r"therapy helped|therapy works|helped me|helped a friend|proud|clean|"
                       r"days without|months without|years without|without self harm|free of|free from|"
                       r"happy|glad|grateful|not anymore|no longer|i am here and|still here|recovered|"
                       r"recovery|doing better|got help|survived|volunteer|since then|so far from|trust it|healed|"
                       r"faded|wedding|married|looking forward|degree|celebrate|made it|in ages|have not since|"
                       r"havent since|a good day|good place|stable|peace|marathons?|training to|changed my life|"
                       r"define me|beach|got engaged|engaged|kitten|best thing i (?:ever )?did|planning to stay|"
                       r"barely think about it|sober|bloody fine|healed|proud of me|different life|breathing again|"
                       r"feel strong|like my life|happiest|be amazed|binned it|felt good|(?:cant|can not) remember the "
                       r"last time|(?:havent|have not) in (?:months|years|ages|a while)|grown back|changed everything|"
                       r"gone quiet|best thing i|finally feel safe|i (?:do not|dont) anymore|(?:today|tonight|"
                       r"this year|this week|last week|"
                       r"yesterday) i (?:am )?(?:passed|ran|made|finished|cooked|laughed|said|started|graduated|ate|"
                       r"writing|wrote|booked|planted|signed))\b")
# A look back that still pulls at the writer now ("a year since my attempt and the urges are back") is never
# read as recovery, whatever else it says.
_PULL = re.compile(r"\b(?:urges?|again|tonight|back again|are back|is back|back to|back there|back where|"
                   r"scared of myself|numb|same as|white knuckling|struggling|barely(?! think)|tempted|craving|relapse|"
                   r"cant stop|can not stop|right now|not okay|not ok|hard to|pulling|miss it|thinking about it)\b")
_ASKED_NO = re.compile(r"\basked (?:me )?(?:about|if|whether|how|do i|have i|am i) (?:\S+ ){0,14}?(?:and|so|"
                       r",) (?:(?!but )\S+ ){0,6}?i (?:could |can |was able to )?(?:\S+ )?(?:say|said|answer|"
                       r"answered|tell|told (?:her|him|them)) (?:no|nope|not really|never|none|"
                       r"nothing)\b(?!.{0,80}\b(?:but|lied|lie|lying|though|actually i|truth is|not true|wasnt true|"
                       r"was not true)\b)")
LOOK_BACK_WORDS = 80  # a message up to this many words is read whole for a look back's present
# Told in the past, beyond _PAST: an age or a year, a time since, an old diary, "my attempt", "the girl who".
_LOOK_BACK = re.compile(r"\b(?:(?:at|when i was|since i was|until i was|til i was|till i was) (?:age )?(?:1[0-9]|"
                        r"[2-9][0-9])\b(?! ?(?:\d+|am|pm|h|hrs|mg|o clock|oclock|tonight|today|tomorrow|mins?|"
                        r"minutes|percent|pills|tablets|of them)\b)|(?:19[6-9][0-9]|20[0-2][0-9])\b(?! ?mg)|(?:\d+|"
                        r"a|one|two|three|four|five|six|seven|eight|nine|ten|twenty) (?:yrs?|years?|months?) (?:ago|"
                        r"since|clean|free|out|sober|later|on|of recovery)|former|old (?:diary|diaries|journals?|"
                        r"tumblr|blog|letters?|notes?|texts|me|self|scars?|history)|history of|(?:since|of|"
                        r"after) my attempt|my attempt (?:is|was)|(?:the|my) (?:\w+ )?era (?:of my life )?(?:is|"
                        r"was)|the (?:girl|boy|kid|person|me) (?:who|from|that)|growing up|in my (?:teens|twenties|"
                        r"thirties|20s|30s)|years later|at uni|from uni|in rehab|from rehab|rehab (?:twice|once))")
# A life that goes on now, beyond _RECOVERY.
_NOW_WELL = re.compile(r"\b(?:i am (?:fine|well|ok|okay|good|alright)(?! with)|fine now|"
                       r"(?:it )?(?:can )?gets? better|new me|growth|i am staying|(?:so )?glad i stayed|(?:cant|"
                       r"can not) remember the last one|(?:i am|been) doing (?:ok|okay|well|good|great|fine|"
                       r"alright)|doing (?:well|good) now|at peace|lighter|full circle|thriving|believe it now|"
                       r"good tears|ends well|a normal (?:day|tuesday|monday|evening|life)|feels huge|"
                       r"would have missed|wouldve missed|missed this|i have got people|kept walking|mortgage|"
                       r"savings account|(?:i am|at) (?:[2-9][0-9])(?: now)?(?: and|,)? (?:a|and|i|with)|"
                       r"i am a (?:dad|mum|mom|nurse|pharmacist|teacher|paramedic|counsellor|counselor|"
                       r"tattoo artist|youth worker)|not ashamed|it was fine|what recovery|whole share|marrying|"
                       r"my (?:kids|son|daughter|twins|grandkids|fiance|fiancee|garden|dog|cat)|i do that now|"
                       r"i have a (?:dog|cat|garden|flat|house|job))\b")
# Anywhere in a short message: what pulls now, so a look back is asked about, never set aside.
_PULL_NOW = re.compile(r"\b(?:tonight|right now|relaps\w*|urges?|again|last night|this morning|scared of myself|"
                       r"do not trust (?:myself|my)|lately|starting to|this time|can not stop|cant stop|"
                       r"miss(?:ing)? it|tempted|craving|feels like a lie|same (?:want|feeling|thought)|going to|"
                       r"gonna|want to die|wanna die|planning (?:to|it|on|how|my (?:death|exit|suicide|goodbye|"
                       r"funeral))|plan to|about to|thinking about|think about it|keep thinking|runs in|empty|numb|"
                       r"slipping|slipped|answers?|looks? like an?|look tempting|looks tempting)\b")
# Distress now, anywhere in a short message: a look back beside it is asked about.
_STILL_HARD = re.compile(r"\b(?:hard|rough|tough|struggl\w*|scared|afraid|worried|wobbly|low|dark|trigger\w*|"
                         r"panic\w*|cry|crying|cried|lonely|alone|close to|feel like|feeling like|can not|cant|"
                         r"miss(?:ing)?|wish|if only|still|spiral\w*|what if)\b")
# Harm done to the writer told as long over.
_HARM_PAST = re.compile(r"\b(?:used to|(?:when|until|til|till) i was (?:[1-9][0-9]?\b(?! (?:months?|weeks?))|"
                        r"a (?:kid|child|teen|teenager|baby|little \w+)|little|small|young|younger|\w+teen)|"
                        r"as a (?:kid|child|teen|teenager)|as kids|growing up|years ago|(?:19[6-9][0-9]|"
                        r"20[0-2][0-9])|since i left|years since|the years (?:my|he|she))\b")
_HARM_OVER = re.compile(r"\b(?:i left|left (?:him|her|them|home|for good)|moved (?:out|away|to)|out of my life|"
                        r"care home|(?:he|she) (?:is|was) (?:dead|gone)|passed away|died|new owner|across the world|"
                        r"no contact|never (?:saw|see) (?:him|her|them)|i (?:believe|told|said|decided))\b")
_HARM_NOW = re.compile(r"\b(?:still (?:hits|hurts|does|comes|calls|texts|lives|there)|again|now (?:he|she|they)|"
                       r"is back|found (?:me|my|out where)|rang|called me|texted|text from|message from|turned up|"
                       r"showed up|outside|know where|knows where|see (?:u|you)|will|going to|gonna|threat\w*|"
                       r"moving back|coming (?:back|round|over|for)|scared|afraid|flinch|tonight|last night|today|"
                       r"yesterday|this morning|this week|lately|just|earlier|hours? ago|right now|when (?:he|"
                       r"she) drinks|keeps|every time|i live with|still live|lives with me|at home now)\b")
_DENIAL = re.compile(r"\b(?:not|never|no|nobody|no one|noone|nothing|dont|do not|didnt|did not|havent|have not|"
                     r"wouldnt|would not|wont|will not|am not|im not) (?:\S+ ){0,2}(?:suicidal|si|sh|self harm|"
                     r"self harmed|self harming|hurt(?:ing)? (?:me|myself)|hits? me|hitting me|touch(?:es|ing)? me|"
                     r"wish to die|want(?:ing)? to die|in danger|unsafe|going to do anything|do anything stupid|"
                     r"kill myself|thoughts of|plans? to|urges?)\b")
_STILL_WISHING = re.compile(r"\b(?:but|though|although|dont care|do not care|wouldnt mind|would not mind|would "
                            r"welcome|if i (?:just )?(?:didnt|did not|never|died|stopped)|live or die|wake up|make it|"
                            r"hope|wish i|rather)\b")
_FILLER = frozenset({"want", "to", "wanna", "going", "gonna", "be", "am", "feeling", "feel", "have", "any",
                     "thoughts", "of", "would", "will", "ever", "really", "actually", "plan", "plans", "planning",
                     "think", "thinking", "about", "a", "the", "was", "had", "it's", "its", "that", "so", "and",
                     "urge", "urges", "wish", "desire", "intention"})


def _one_space_apart(line: str) -> bool:
    """Whether a line's words are one space apart, none at its ends, and no other space is in it (a canonical
    line's are: its words hold none, spelled-out contractions one between words)."""
    return line.isprintable() and line[:1] != " " and line[-1:] != " " and "  " not in line


def _words_before(line: str, at: int, spaced: bool) -> int:
    """`len(line[:at].split())`: for a line `_one_space_apart`, the spaces before `at`, and one more if `at` is
    inside a word or at its end (no split of a long line's first part for each hit)."""
    if not spaced:
        return len(line[:at].split())
    at = min(at, len(line))
    return line.count(" ", 0, at) + (line[at - 1:at] not in ("", " "))


def _phrase_level(category: str) -> Level:
    """`explicit`, `slang` and `danger` phrases are clear; `burden`, `farewell` and `method` are asked about."""
    return Level.CLEAR if category in CLEAR_CATEGORIES else Level.POSSIBLE


def _windows(changed: Sequence[int], size: int, reach: int = 12) -> list[tuple[int, int]]:
    """Merged windows of `reach` words either side of each changed word: a corrected reading is read only there."""
    spans: list[tuple[int, int]] = []
    for index in changed:
        begin, stop = max(0, index - reach), min(size, index + reach + 1)
        if spans and begin <= spans[-1][1]:
            spans[-1] = (spans[-1][0], stop)
        else:
            spans.append((begin, stop))
    return spans


def _encodable(text: str) -> str:
    """`text` with any lone surrogate (a broken client's half of an emoji) made "?", so that RE2, which reads UTF-8,
    can read it."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _as_told(words: Sequence[str], start: int, end: int, category: str) -> Level | None:
    """The level of the phrase at `words[start:end]` as it is told: None when it is set aside, a look back beside
    recovery ("back in uni i was suicidal, now i volunteer on a helpline") or a denial ("not suicidal, just burnt
    out": reported, not raised); `possible` when told in the past (asked about, never silenced). Danger from
    someone else is never set aside this way."""
    level = _phrase_level(category)
    if category == "danger":
        return None if _harm_behind(words, start, end) else level
    past = bool(_PAST.search(" ".join(words[max(0, start - 6):end + 3])))
    if _looked_back(words, start, end, past=past):
        return None
    if category in CLEAR_CATEGORIES and _denied(words, start):
        return None
    return Level.POSSIBLE if past else level


def _answered_no(line: str) -> list[tuple[int, int]]:
    """The words of `line` (first, last + 1; a canonical line's words) of each question someone asked the writer and
    the writer answered no to, with nothing after that takes the no back: "my counsellor asked if i've had thoughts
    of ending my life and i could honestly say no"."""
    if "asked" not in line:
        return []
    return [(_words_before(line, found.start(), True), _words_before(line, found.end(), True))
            for found in _ASKED_NO.finditer(line)]


def _inside(spans: Sequence[tuple[int, int]], at: int) -> bool:
    return any(start <= at < end for start, end in spans)


def _canonical_index(words: Sequence[str], at: int) -> int:
    """Where `words[at]` stands among the words of `grammar.canonical(words)`, which spells contractions out ("i've"
    is two words there): the index `_answered_no` and the grammar's hits count in."""
    return len(grammar.canonical(words[:at]).split())


def _whole_or_near(words: Sequence[str], start: int, end: int, reach: int) -> str:
    """The canonical words of a short message (up to `LOOK_BACK_WORDS`), or of `reach` words either side of a
    phrase in a longer one."""
    if len(words) <= LOOK_BACK_WORDS:
        return grammar.canonical(words)
    return grammar.canonical(words[max(0, start - reach):end + reach])


def _looked_back(words: Sequence[str], start: int, end: int, *, past: bool) -> bool:
    """Whether the writer's own danger at `words[start:end]` is told as a hopeful look back: in the past ("i tried
    to kill myself in 2014", "overdosed at 16"), beside a life that goes on now ("i'm fine", "a mortgage and a bad
    knee"), with nothing that pulls now anywhere in a short message ("clean 2 years but the urges are back")."""
    if past and _RECOVERY.search(grammar.canonical(words[max(0, start - 20):end + 20])) \
            and not _PULL.search(" ".join(words[max(0, start - 8):end + 12])):
        return True
    if not (past or _LOOK_BACK.search(grammar.canonical(words[max(0, start - 12):end + 10]))):
        return False
    around = _whole_or_near(words, start, end, 20)
    return _life_goes_on(around) and not (_PULL.search(around) or _pulls_now(around))


def _harm_behind(words: Sequence[str], start: int, end: int) -> bool:
    """Whether harm done to the writer at `words[start:end]` is told as long over ("my stepdad used to hit me when
    mum was at work. i moved out at 22 and now i have a garden"): a look back far in the past, a life away from
    that person now, and nothing of the person now or of fear now."""
    near = grammar.canonical(words[max(0, start - 12):end + 12])
    if not _HARM_PAST.search(near):
        return False
    around = _whole_or_near(words, start, end, 25)
    return (_life_goes_on(around) or bool(_HARM_OVER.search(around))) \
        and not (_HARM_NOW.search(around) or _pulls_now(around))


def _life_goes_on(around: str) -> bool:
    """A life that goes on now, told beside a look back ("i'm fine", "two years clean", "a mortgage")."""
    return bool(_RECOVERY.search(around) or _NOW_WELL.search(around))


def _pulls_now(around: str) -> bool:
    """Something that pulls now, or distress now ("lately", "tonight", "scared", "spiralling")."""
    return bool(_PULL_NOW.search(around) or _STILL_HARD.search(around))


def _spaced_start(words: Sequence[str], phrase: _Phrase) -> int | None:
    """Where `phrase` begins with its words apart, the last one perhaps with an ending ("self harmed" for "self
    harm"), or None when it is only found written together ("#selfharm")."""
    if len(phrase.words) < 2 or WILDCARD in phrase.words:
        return None
    first, size = phrase.words[0], len(phrase.words)
    for index, word in enumerate(words):
        if word == first and list(words[index + 1:index + size - 1]) == list(phrase.words[1:-1]) \
                and index + size - 1 < len(words) and words[index + size - 1].startswith(phrase.words[-1]):
            return index
    return None


def _farewell_denied(words: Sequence[str], start: int) -> bool:
    """A farewell said not to be one, with what it is instead: "i'm not saying goodbye forever lol, just logging off
    till monday", "not giving my stuff away because anything's wrong, i'm moving into a dorm"."""
    before = " ".join(words[max(0, start - 4):start])
    return bool(_NOT_BEFORE.search(before)) and bool(_INSTEAD.search(grammar.canonical(words[start:start + 30])))


_NOT_BEFORE = re.compile(r"\b(?:not|never|im not|i'm not|no)(?: \S+)?$")
_INSTEAD = re.compile(r"\b(?:lol|lmao|haha\w*|just (?:logging|going|moving|taking|deleting|leaving the|muting|off)|"
                      r"logging off|log off|for lent|for the weekend|till|until|on holiday|moving|downsizing|"
                      r"decluttering|a break from|deleting (?:tiktok|instagram|twitter|the app|my account))\b")


def _denied(words: Sequence[str], start: int) -> bool:
    """A negation right before the phrase, with only filler between ("i'm not suicidal", "i don't want to
    kill myself", "no thoughts of self harm"); "can't stop thinking about killing myself" is not denied."""
    for back in range(1, 6):
        if start - back < 0:
            return False
        word = words[start - back]
        if word in _NEGATIONS:
            return True
        if word not in _FILLER:
            return False
    return False


_NUMBERS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "a", "few",
                      "many", "more", "couple", "several", "twenty", "half", "fifteen", "hundred", "thousand"})
_NOT_WORDS = re.compile(r"https?://\S+|www\.\S+|<[@#!][^>]*>|</?[A-Za-z][A-Za-z0-9]{0,9}>|(?<!\w)@\w+|"
                        r"\S+\.(?:com|org|net|io|de|uk)\S*")
# Every match of _NOT_WORDS holds one of these: a text with none has no link, mention or markup tag to leave out.
_NOT_WORDS_MARKS = ("://", "www.", "<", "@", ".com", ".org", ".net", ".io", ".de", ".uk")


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


def _head_spans(text: str, plain: Spans) -> Spans:
    """What the head leaves out of `text`: its links, mentions and markup tags, and the titles in quotes that
    `_plain_spans` found (`plain`), each put there as in `_plain_words`."""
    links = _link_spans(text)
    titles = [span for span in plain if span[2].endswith(f" {TITLE} ")]
    if not titles:
        return links
    return sorted(links + [(start, end, put) for start, end, put in titles
                           if not any(start < stop and begin < end for begin, stop, _put in links)])


def _link_spans(text: str) -> Spans:
    """Where `text` has links, platform mentions and markup tags (`_NOT_WORDS`): each read as a space."""
    if not any(mark in text for mark in _NOT_WORDS_MARKS):
        return []
    return [(found.start(), found.end(), " ") for found in _NOT_WORDS.finditer(text)]


# A place a long text can be cut: a space between two words that each begin or end there with two ASCII letters.
# Nothing the screen reads crosses it: no normalising (ASCII on both sides), no token (a space), no spelled-out
# letters joined ("k i l l": the words on both sides are two letters or more). A correction crosses it only if a
# word beside it is one of the very short misspellings corrected beside their phrase's words; that is checked
# where pieces are put together (`Screener._head_words`).
_CUT = re.compile(r"[A-Za-z]{2} [A-Za-z]{2}")
CUT_REACH = 400  # how far from a change a cut is looked for; past that the piece runs to the text's end


def _cut_before(text: str, at: int) -> int:
    """The last place at or before `at` where `text` can be cut (the space), or 0."""
    if at < 2:
        return 0
    low = max(0, at - CUT_REACH)
    space = text.rfind(" ", low, at + 1)
    while space >= 2:
        if _CUT.match(text, space - 2):
            return space
        space = text.rfind(" ", low, space)
    return 0


def _cut_after(text: str, at: int) -> int:
    """The first place at or after `at` where `text` can be cut (the space), or its length."""
    high = min(len(text), at + CUT_REACH)
    space = text.find(" ", at, high)
    while space != -1:
        if space >= 2 and _CUT.match(text, space - 2):
            return space
        space = text.find(" ", space + 1, high)
    return len(text)


def _pieces(text: str, *changes: Spans) -> list[tuple[int, int, bool]]:
    """`text` cut into pieces (start, end, whether a change is in it) at places where it can be cut (`_CUT`), each
    change inside a piece at least two characters from its cuts, so a cut reads the same in the text as changed;
    a piece without changes reads the same either way."""
    regions: list[list[int]] = []
    for start, end in sorted((start, end) for spans in changes for start, end, _put in spans):
        if regions and start < regions[-1][1] + 3:
            regions[-1][1] = max(regions[-1][1], _cut_after(text, end + 2))
            continue
        left = _cut_before(text, start - 3)
        if regions and left < regions[-1][1]:
            regions[-1][1] = _cut_after(text, end + 2)
        else:
            regions.append([left, _cut_after(text, end + 2)])
    pieces: list[tuple[int, int, bool]] = []
    done = 0
    for left, right in regions:
        if left > done:
            pieces.append((done, left, False))
        pieces.append((left, right, True))
        done = right
    if done < len(text) or not pieces:
        pieces.append((done, len(text), False))
    return pieces


@dataclass(frozen=True)
class _Reading:
    """A text as the screen reads it: where `_plain_words` and the head's reading (`_head_spans`: links and titles
    left out) change it, and its words (those of
    `_plain_words(text)`) piece by piece. A long text with changes is read in pieces (`_pieces`), so the head's
    reading, which differs only around the changes, is read again only there; the pieces' words put together are
    the text's (`tokens` reads nothing across a cut)."""

    text: str
    plain: Spans
    links: Spans
    pieces: list[tuple[int, int, bool]]
    words: list[list[str]]

    @classmethod
    def of(cls, text: str) -> _Reading:
        plain = _plain_spans(text)
        links = _head_spans(text, plain)
        pieces = _pieces(text, plain, links) if len(text) >= LONG_TEXT and (plain or links) \
            else [(0, len(text), bool(plain or links))]
        words = [tokens(_changed(text, plain, start, stop) if changed else text[start:stop])
                 for start, stop, changed in pieces]
        return cls(text, plain, links, pieces, words)


# RE2 builds an automaton's states as a text needs them, so the first long message after start-up would build most
# of the grammar's (its sets read every long message whole): about twice a later message's time. The first
# screener built in a process has the grammar read the team's training bank instead (about 200,000 characters of
# messages, as plain text), at start-up.
WARM_UP = Path(__file__).resolve().parents[2] / "content" / "safety" / "bank.yaml"
_warmed: list[bool] = []


def _warm_up() -> None:
    if _warmed or _OUTSIDE_ASCII is None:  # without RE2 there is nothing to build
        return
    _warmed.append(True)
    try:
        text = WARM_UP.read_text(encoding="utf-8")
    except OSError:
        return
    grammar.apply(grammar.canonical(tokens(text)))


_SELF_INJURY = re.compile(r"\b(?:cut|cutting|hurt|hurting|harm|burn|burning)\b")
_THIRD_PERSON = re.compile(r"\b(?:herself|himself|themselves|themself)\b")
_heads: dict[int, tuple[ScreeningHead, Head]] = {}


def _head_for(head: ScreeningHead) -> Head:
    """One head per file per process: every screener built from the same content shares it."""
    kept = _heads.get(id(head))
    if kept is None or kept[0] is not head:
        kept = (head, Head(head.words, head.bias, threshold=head.threshold, kinds=head.kinds))
        _heads[id(head)] = kept
    return kept[1]
