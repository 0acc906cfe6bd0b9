"""Incoming events: the few shapes every adapter turns platform payloads into."""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import Address


@dataclass(frozen=True)
class Command:
    """A slash command or a typed "/name args" line."""

    address: Address
    name: str
    args: str = ""


@dataclass(frozen=True)
class ChoicePicked:
    """A click on a button or select; carries the token the core put on it."""

    address: Address
    token: str
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class TextSubmitted:
    """Typed text: a console line, a DM, or a modal field (then `token` names the step it answers)."""

    address: Address
    text: str
    token: str = ""


Event = Command | ChoicePicked | TextSubmitted
