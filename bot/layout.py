"""How a question's controls are laid out, decided once for every platform: the renderers draw it.

Answers are buttons while they fit the platform's `Capabilities.max_buttons`, else one select (always one
for several answers); free text is a "Write it" button that opens a text box, its examples offered beside it
as a select, or inside the box where the platform can (`Capabilities.choices_in_text_box`); Skip comes last
when the step may be skipped. Every control carries a token the core can read back, or is left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.messages import (
    SKIP,
    TOKEN_MAX_LENGTH,
    Choice,
    InputKind,
    Question,
    make_token,
    parse_token,
    text_value,
)
from bot.ports import Capabilities


class Write(StrEnum):
    """Which "write" button a free-text question gets (each platform words it)."""

    PLAIN = "plain"  # "Write it"
    OWN = "own"  # "Write my own": examples are offered beside it
    PICK_OR_WRITE = "pick_or_write"  # the box itself offers the examples to tick


@dataclass(frozen=True)
class Control:
    """One button: what it says, the token it carries, and the answer's value."""

    token: str
    label: str
    value: str = ""


@dataclass(frozen=True)
class Picker:
    """One select: its options (distinct, non-empty values); `examples` when picked ones are the answer's text."""

    token: str
    options: tuple[Choice, ...]
    multi: bool
    min_choices: int = 1
    max_choices: int = 1
    placeholder: str = ""
    examples: bool = False


@dataclass(frozen=True)
class Layout:
    picker: Picker | None = None
    buttons: tuple[Control, ...] = ()  # the answers as buttons
    write: Control | None = None  # opens a text box; its value carries the box's length limit
    write_kind: Write = Write.PLAIN
    skip: Control | None = None


def token_for(question: Question, value: str = "") -> str | None:
    """The token of one answer, or None when it would be too long or not read back (it could only ever answer
    "that check-in moved on", so the control is left out)."""
    try:
        token = make_token(question.session_id, question.step_id, value)
    except ValueError:
        return None
    return token if len(token) <= TOKEN_MAX_LENGTH and parse_token(token) is not None else None


def button_label(question: Question, choice: Choice) -> str:
    label = choice.label or choice.value
    return f"{label} · {choice.description}" if question.kind is InputKind.SCALE and choice.description else label


def layout(question: Question, capabilities: Capabilities) -> Layout:
    skip_token = token_for(question, SKIP) if question.skippable else None
    skip = Control(skip_token, "", SKIP) if skip_token is not None else None
    if question.kind is InputKind.TEXT:
        limit = min(question.max_length, capabilities.max_text_box) if question.max_length > 0 else 0
        value = text_value(limit)
        write_token = token_for(question, value)
        write = Control(write_token, "", value) if write_token is not None else None
        if not question.examples:
            return Layout(write=write, skip=skip)
        if capabilities.choices_in_text_box:
            return Layout(write=write, write_kind=Write.PICK_OR_WRITE, skip=skip)
        examples = tuple(Choice(example, example) for example in dict.fromkeys(question.examples) if example)
        token = token_for(question)
        picker = Picker(token, examples, multi=True, max_choices=len(examples), examples=True) \
            if token is not None and examples else None
        return Layout(picker=picker, write=write, write_kind=Write.OWN, skip=skip)
    if question.kind is not InputKind.MULTI:
        buttons: list[Control] = []
        for choice in question.choices:
            token = token_for(question, choice.value)
            if token is not None and token not in {button.token for button in buttons}:
                buttons.append(Control(token, button_label(question, choice), choice.value))
        if len(buttons) <= capabilities.max_buttons:
            return Layout(buttons=tuple(buttons), skip=skip)
    return Layout(picker=_choices(question), skip=skip)


def _choices(question: Question) -> Picker | None:
    token = token_for(question)
    if token is None:
        return None
    seen: set[str] = set()
    options: list[Choice] = []
    for choice in question.choices:
        if choice.value and choice.value not in seen:
            seen.add(choice.value)
            options.append(choice)
    if not options:
        return None
    multi = question.kind is InputKind.MULTI
    high = max(1, min(question.max_choices if multi else 1, len(options)))
    low = max(1, min(question.min_choices, high)) if multi else 1
    return Picker(token, tuple(options), multi, low, high, question.placeholder)
