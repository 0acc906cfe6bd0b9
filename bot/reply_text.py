"""A reply as plain text (notifications, screen readers, a message's fallback), and text cut to fit a limit
that escaping for a platform's markup makes longer."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.content.loader import Texts
from bot.messages import Reply
from bot.text import split_text


def quoted(text: str) -> str:
    """Every line as a quote ("> "), blank lines too."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in text.splitlines())


def as_text(reply: Reply, texts: Texts, spell: Callable[[str], str] = str) -> str:
    """Title, words, the script set apart as a quote, links, footer. `spell` rewrites the core's words where the
    platform names commands differently."""
    parts = [part for part in (reply.title, spell(reply.text)) if part]
    if reply.script:
        parts.append(f"{texts.get('script_label')}:\n{quoted(reply.script)}")
    parts.extend(reply.links)
    if reply.footer:
        parts.append(spell(reply.footer))
    return "\n\n".join(parts)


def shorten_lines(text: str, limit: int) -> str:
    """Like bot.text.shorten, but keeps line breaks (such text is read line by line)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def summary(replies: Sequence[Reply], texts: Texts, limit: int, spell: Callable[[str], str] = str) -> str:
    """Several replies as one text of at most `limit` characters: each has its say, in its share of the room."""
    plain = [text for text in (as_text(reply, texts, spell) for reply in replies) if text]
    share = (limit - 2 * len(plain)) // max(1, len(plain))
    return "\n\n".join(shorten_lines(text, share) for text in plain)


def escaped_chunks(text: str, limit: int, escape: Callable[[str], str]) -> list[str]:
    """Escaped pieces of at most `limit` characters (escaping makes text longer, so it is split first)."""
    pieces: list[str] = []

    def add(raw: str, raw_limit: int) -> None:
        for chunk in split_text(raw, raw_limit):
            escaped = escape(chunk)
            if len(escaped) <= limit:
                pieces.append(escaped)
            else:  # many characters to escape in one chunk: split it finer until every escaped piece fits
                add(chunk, max(1, raw_limit * limit // len(escaped)))

    add(text, limit)
    return pieces
