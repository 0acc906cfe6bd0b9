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
    """Typed text: a terminal line, a DM, or a modal field (then `token` names the step it answers)."""

    address: Address
    text: str
    token: str = ""


@dataclass(frozen=True)
class FormOpened:
    """A click on a form's button ("Change"): the core answers with the form to open, or why it cannot."""

    address: Address
    name: str


@dataclass(frozen=True)
class FormSubmitted:
    """A submitted form: its fields by name. The core runs the command the form stands for."""

    address: Address
    name: str
    values: tuple[tuple[str, str], ...] = ()


Event = Command | ChoicePicked | TextSubmitted
Incoming = Event | FormOpened | FormSubmitted
