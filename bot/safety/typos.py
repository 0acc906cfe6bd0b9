"""Typo tolerance for the few words that carry danger ("suicdal", "kil my self", "end my lfe").

A word is corrected to a key word only when it is not itself a word people use (the embedding model's
whole-word vocabulary says which are: "wife" and "lift" stay as they are), it is close by edit distance
(one edit for words of up to six letters, two for longer ones, counting a swap of two letters as one), and
it starts like the key word. Very short words ("kil", "lfe") are corrected only beside the words that make
the phrase ("my", "myself").
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from itertools import compress
from operator import ne

from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

from bot.safety.memo import Memo

KEY_WORDS = (
    "suicide", "suicidal", "kill", "killing", "myself", "yourself", "life", "die", "dying", "dead", "overdose",
    "overdosing", "harm", "harming", "hurting", "cutting", "unalive", "alive", "living", "hang", "hanging",
    "pills", "burden", "goodbye", "disappear", "exist", "existing", "tablets", "lethal", "self", "anymore",
    "selfharm", "suicidally", "wrists", "razor", "noose", "bleed", "bleeding", "without", "everyone", "better",
    "everybody", "nobody", "jump", "bridge", "cut",
    # the other languages' key words (their rules read the corrected words too)
    "sterben", "umbringen", "selbstmord", "suizid", "suicidarme", "suicidio", "matarme", "morirme", "suicider",
    "suicidaire", "mourir", "zelfmoord", "morrer", "suicida",
)
_SHORT = {"kil": ("kill", frozenset({"my", "myself", "me", "self", "urself", "yourself", "mysef", "mself"})),
          "lfe": ("life", frozenset({"my", "own", "this", "the"})),
          "lif": ("life", frozenset({"my", "own", "this", "the"})),
          "dei": ("die", frozenset({"to", "wanna", "i", "just"})),
          "ded": ("dead", frozenset({"be", "was", "were", "im", "i'm"})),
          "rist": ("wrist", frozenset({"my", "her", "his", "both", "left", "right"})),
          "rists": ("wrists", frozenset({"my", "her", "his", "both"}))}
_NEVER = frozenset({"kills", "killer", "skill", "dice", "diet", "died", "dies", "life's", "lift", "lite",
                    "dying", "living", "alive", "harms", "hang", "self", "selfie", "helf", "myth", "hangs", "dyed",
                    "lives", "lived", "killed", "suicided", "dive", "dives", "dine", "dire", "dime", "dial",
                    "overdue", "suicides"})


class Typos:
    """Corrects a message's words towards `KEY_WORDS`; `known` are the words never corrected."""

    def __init__(self, known: Collection[str]) -> None:
        self._known = known
        self._keys = KEY_WORDS
        self._key_set = frozenset(KEY_WORDS)
        self._seen: dict[str, str | None] = {}
        # each word's correction on its own (the word itself when none), looked up a word at a time
        self._long = Memo(self._alone, size=50_000)

    def _closest(self, word: str) -> str | None:
        if word in self._seen:
            return self._seen[word]
        best: str | None = None
        if 4 <= len(word) <= 14 and word.isalpha() and word not in self._known and word not in _NEVER:
            limit = 1 if len(word) <= 6 else 2
            found = extractOne(word, self._keys, scorer=OSA.distance, score_cutoff=limit)
            if found is not None:
                key = found[0]
                if key[0] == word[0] and abs(len(key) - len(word)) <= limit and key != word:
                    best = key
        if len(self._seen) < 50_000:
            self._seen[word] = best
        return best

    def _alone(self, word: str) -> str:
        """The word a word of four or more letters is corrected to, or the word itself."""
        return word if word in _SHORT or word in self._key_set else self._closest(word) or word

    @staticmethod
    def alone(word: str) -> bool:
        """Whether the word is corrected (or not) whatever words are beside it: all but the very short
        misspellings, corrected only beside their phrase's words."""
        return word not in _SHORT

    def correct(self, words: Sequence[str]) -> tuple[list[str], list[str]]:
        """The corrected words and the corrections made ("suicdal→suicidal")."""
        longer = list(map(self._long.__getitem__, words))  # a long message repeats its words: each is worked out once
        out = longer.copy()
        made: list[str] = []
        # only the words corrected and the short ones that may be are looked at: every other word stays itself
        at = sorted({*compress(range(len(words)), map(ne, words, longer)),
                     *compress(range(len(words)), map(_SHORT.__contains__, words))})
        for index in at:
            word = words[index]
            if word in _SHORT:
                key, beside = _SHORT[word]
                neighbours = {longer[index - 1] if index else "", longer[index + 1] if index + 1 < len(words) else ""}
                if not neighbours & beside:
                    continue
                out[index] = key
            made.append(f"{word}→{out[index]}")
        return out, made
