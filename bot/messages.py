"""Outgoing messages: what the core says, in a shape every adapter can render natively.

Replies are text-first. Anything interactive is a `Question` with plain `Choice` values, so a clicked
button, a picked option and a typed "3" in a terminal all come back as the same answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

TOKEN_PREFIX = "ci"
_TOKEN_ID = re.compile(r"[A-Za-z0-9_-]{1,24}")
_TOKEN_VALUE = re.compile(r"[A-Za-z0-9_.-]{1,40}")
TOKEN_MAX_LENGTH = 100
# A token as a regular expression, for platform libraries that route a control by matching its id.
TOKEN_PATTERN = (rf"{TOKEN_PREFIX}:(?P<session>{_TOKEN_ID.pattern}):(?P<step>{_TOKEN_ID.pattern})"
                 rf"(?::(?P<value>{_TOKEN_VALUE.pattern}))?")
SKIP = "skip"
TEXT_VALUE = "_text"  # the token value of the button that opens a text box (adapters with buttons)


@dataclass(frozen=True)
class Address:
    """Who and where: the key every event and reply carries."""

    platform: str
    workspace_id: str
    user_id: str
    channel_id: str = ""


class InputKind(StrEnum):
    SCALE = "scale"
    SINGLE = "single"
    MULTI = "multi"
    TEXT = "text"


class Tone(StrEnum):
    """How a reply should feel when rendered; adapters may colour or label by it."""

    INFO = "info"
    PROMPT = "prompt"
    TIP = "tip"
    SCRIPT = "script"
    NOTICE = "notice"
    CRISIS = "crisis"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    description: str = ""


def make_token(session_id: str, step_id: str, value: str = "") -> str:
    """A compact, restart-proof reference to one answer of one step of one session."""
    token = f"{TOKEN_PREFIX}:{session_id}:{step_id}"
    if value:
        token = f"{token}:{value}"
    if len(token) > TOKEN_MAX_LENGTH:
        raise ValueError("token too long for a platform custom id")
    return token


@dataclass(frozen=True)
class ParsedToken:
    session_id: str
    step_id: str
    value: str


def parse_token(token: str) -> ParsedToken | None:
    """Read a token back; anything malformed (forged, truncated, foreign) is simply not a token."""
    if len(token) > TOKEN_MAX_LENGTH:
        return None
    parts = token.split(":", 3)
    if len(parts) < 3 or parts[0] != TOKEN_PREFIX:
        return None
    if not (_TOKEN_ID.fullmatch(parts[1]) and _TOKEN_ID.fullmatch(parts[2])):
        return None
    value = parts[3] if len(parts) == 4 else ""
    if value and not _TOKEN_VALUE.fullmatch(value):
        return None
    return ParsedToken(parts[1], parts[2], value)


@dataclass(frozen=True)
class Question:
    """A request for one answer. Adapters render buttons, selects or a text box; all resolve alike."""

    session_id: str
    step_id: str
    kind: InputKind
    choices: tuple[Choice, ...] = ()
    skippable: bool = True
    min_choices: int = 1
    max_choices: int = 1
    max_length: int = 0
    placeholder: str = ""
    command: str = ""  # where buttons are not available, "/{command} {value}" gives the same answer
    # A free-text answer's suggestions: picked ones arrive as their text, or typed by number ("1;3;my own").
    examples: tuple[str, ...] = ()

    def token(self, value: str = "") -> str:
        return make_token(self.session_id, self.step_id, value)


@dataclass(frozen=True)
class Image:
    """A picture (a PNG chart) with the words a screen reader says for it."""

    content: bytes
    alt_text: str
    filename: str = "chart.png"
    mime_type: str = "image/png"


@dataclass(frozen=True)
class Attachment:
    """A file for the person alone (an export); adapters upload it privately or save it locally."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True)
class FormField:
    """One typed setting of a form, shown filled in with its current value."""

    name: str
    label: str
    value: str = ""
    placeholder: str = ""
    keyword: str = ""  # written before the value in the command ("quiet 21:00-08:00"); "" writes the value alone
    max_length: int = 100


@dataclass(frozen=True)
class Form:
    """Several settings typed at once: a modal where the platform has them. Submitting it runs
    `/{command} {command_args(values)}`, so a form never does anything the typed command could not."""

    name: str
    title: str
    command: str
    fields: tuple[FormField, ...]
    open_label: str = "Change"
    submit_label: str = "Save"

    def command_args(self, values: Mapping[str, str]) -> str:
        parts: list[str] = []
        for spec in self.fields:
            value = " ".join(values.get(spec.name, "").split())[:spec.max_length]
            if value and not (parts and not spec.keyword and parts[-1] == value):  # not "daily daily"
                parts.append(f"{spec.keyword} {value}" if spec.keyword else value)
        return " ".join(parts)


@dataclass(frozen=True)
class Reply:
    text: str
    title: str = ""
    script: str = ""
    tone: Tone = Tone.INFO
    question: Question | None = None
    image: Image | None = None
    private: bool = True
    footer: str = ""
    links: tuple[str, ...] = field(default=())
    files: tuple[Attachment, ...] = field(default=())
    form: Form | None = None  # offered beside the text: "Change" opens it where the platform has forms
    stale: bool = False  # the answer to a click on a control that no longer counts: nothing was recorded


def text_value(max_length: int) -> str:
    """The token value of the "Write it" button; it carries the box's length limit across restarts."""
    return f"{TEXT_VALUE}-{max_length}" if max_length > 0 else TEXT_VALUE


def parse_text_value(value: str) -> int | None:
    """The length limit a "Write it" value carries (0 = none), or None if the value is a plain answer."""
    if value == TEXT_VALUE:
        return 0
    prefix = TEXT_VALUE + "-"
    if value.startswith(prefix) and value[len(prefix):].isdigit():
        return int(value[len(prefix):])
    return None


def form_name(custom_id: str, prefix: str) -> str | None:
    """The form a platform id names (`<prefix><name>`), or None for anything else."""
    name = custom_id.removeprefix(prefix)
    return name if custom_id.startswith(prefix) and 0 < len(name) <= 30 and name.replace("_", "").isalpha() \
        else None
