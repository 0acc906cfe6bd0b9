"""RE2 pre-filters for the screen's long messages: one linear pass says where (or whether) a Python pattern could
match, and Python's own pattern decides only there, so what it finds is exactly what it would have found alone.

Each finder must match wherever its pattern can (a superset). Python's `(?i)` matches a few letters outside ASCII
that RE2's does not ("İ" and "ı" for "i"), so a finder spells its letters out with `folded`. Without RE2 (it is a
dependency, but the screen must still work) every finder is None and the Python pattern reads the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

# Letters outside ASCII that Python's (?i) matches for an ASCII letter (checked in tests/safety/test_screening.py).
FOLDS = {"i": "İı", "k": "\u212a", "s": "ſ"}


def folded(literal: str) -> str:
    """`literal` as an RE2 pattern that matches whatever Python's `(?i)` matches of it."""
    return "".join(f"[{char}{char.upper()}{FOLDS.get(char, '')}]" if "a" <= char <= "z"
                   else char if char == " " else re.escape(char) for char in literal)


def any_of(*literals: str) -> str:
    """An RE2 pattern that matches any of `literals` as Python's `(?i)` would."""
    return f"(?:{'|'.join(map(folded, literals))})"


def any_word(*literals: str) -> str:
    """An RE2 pattern that matches any of `literals` as Python's `(?i)` would, wherever Python's `\\b` can follow it.
    RE2's `\\b` knows only ASCII: after an ASCII letter it holds wherever Python's does (and before a letter outside
    ASCII too), but after a letter outside ASCII it means something else, so there it is left out."""
    forms: list[str] = []
    for literal in literals:
        stem, last = folded(literal[:-1]), literal[-1]
        if "a" <= last <= "z":
            forms.append(f"{stem}[{last}{last.upper()}]\\b")
            if last in FOLDS:
                forms.append(f"{stem}[{FOLDS[last]}]")
        else:
            forms.append(folded(literal))
    return f"(?:{'|'.join(forms)})"


def compiled(pattern: str) -> Any:
    """An RE2 pattern, or None without RE2."""
    try:
        import re2
    except ImportError:
        return None
    options = re2.Options()
    options.max_mem = 8 << 20
    return re2.compile(pattern, options)


def literal_set(literals: Sequence[str]) -> Any:
    """An RE2 set that says in one pass which of `literals` occur in a text, or None (no RE2, or no literals)."""
    try:
        import re2
    except ImportError:
        return None
    if not literals:
        return None
    options = re2.Options()
    options.max_mem = 8 << 20
    found = re2.Set.SearchSet(options)
    for literal in literals:
        found.Add(re2.escape(literal))
    found.Compile()
    return found


def starts(finder: Any, text: str) -> list[int] | None:
    """Where in `text` each match of `finder` begins (or its first group, if it has one), in order; None without a
    finder. RE2 reads the text's UTF-8 bytes once; their offsets are turned into the text's own here."""
    if finder is None:
        return None
    data = text.encode()
    group = 1 if finder.groups else 0
    found = [candidate.start(group) for candidate in finder.finditer(data)]
    if len(data) == len(text):  # ASCII: a byte is a character
        return found
    out: list[int] = []
    done = at = 0
    for byte in found:
        at += len(data[done:byte].decode())
        done = byte
        out.append(at)
    return out


def finditer(pattern: re.Pattern[str], at: Sequence[int] | None, text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, with the pattern tried only at the places `at` (`starts` of a finder; None: every
    place). Exact for a pattern that never matches nothing, when each of its matches begins at one of the places and
    none begins inside one (true when the pattern begins at a word boundary and no word inside a finder match can
    begin it)."""
    if at is None:
        yield from pattern.finditer(text)
        return
    done = 0
    for start in at:
        if start < done:
            continue
        found = pattern.match(text, start)
        if found is not None:
            yield found
            done = found.end()


def sub(pattern: re.Pattern[str], finder: Any, replace: Callable[[re.Match[str]], str], text: str) -> str:
    """`pattern.sub(replace, text)`, with the pattern tried only where `finder` begins a match (see `finditer`)."""
    out: list[str] = []
    done = 0
    for found in finditer(pattern, starts(finder, text), text):
        out += (text[done:found.start()], replace(found))
        done = found.end()
    return "".join((*out, text[done:])) if out else text
