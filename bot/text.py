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


def shorten(text: str, limit: int) -> str:
    """One line of at most `limit` characters, with an ellipsis when it was cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def split_text(text: str, limit: int) -> list[str]:
    """Chunks of at most `limit` characters, cut at a paragraph, a line or a space where possible."""
    chunks: list[str] = []
    rest = text.strip("\n")
    while len(rest) > limit:
        window = rest[: limit + 1]
        cuts = [window.rfind(separator, 0, limit + 1) for separator in ("\n\n", "\n", " ")]
        # A paragraph break is the nicest cut, unless it would leave a tiny first message.
        cut = next((c for c in cuts if c >= limit // 2), max(cuts))
        if cut <= 0:
            cut = limit  # one word longer than the limit: nothing better than a hard cut
        chunk = rest[:cut].rstrip()
        if chunk:
            chunks.append(chunk)
        rest = rest[cut:].lstrip()
    if rest.strip():
        chunks.append(rest)
    return chunks
