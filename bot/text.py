"""Text hygiene for what people type: keep their words, drop what only confuses a terminal or a chat."""

from __future__ import annotations

import re
import unicodedata

# Bidi overrides and isolates can make text display as something other than what it is.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_SPACES = re.compile(r"[ \t\u00a0]+")


def clean_text(raw: str) -> str:
    """Normalise to NFC, drop control and bidi-override characters, keep newlines, emoji and any script."""
    text = unicodedata.normalize("NFC", raw).translate(_BIDI_CONTROLS)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = [ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Co")]
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(kept).split("\n")]
    return "\n".join(lines).strip("\n")


def fold(text: str) -> str:
    """A lenient key for matching typed answers against values and labels."""
    text = clean_text(text).casefold().replace("’", "'").replace("-", " ").replace("_", " ")
    return " ".join(re.sub(r"[^\w\s']", " ", text).split())
