"""What the repository hands out: plain records, never ORM rows, words already decrypted for their owner."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

OPEN, HELD, DONE, CANCELLED = "open", "held", "done", "cancelled"
LIVE = (OPEN, HELD)
ASKING = "asking"  # a direct question waiting for its answer, holding the words that raised it (encrypted)
ASK_FLOW = "ask"


@dataclass(frozen=True)
class SessionRecord:
    id: str
    identity_id: int
    flow_id: str
    step_id: str | None
    answers: dict[str, Any]
    status: str
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class Profile:
    identity_id: int
    country: str | None
    store_notes: bool
    introduced_at: datetime | None
    crisis_at: datetime | None
    unreachable_at: datetime | None = None
    show_streaks: bool = False


@dataclass(frozen=True)
class PlanRecord:
    """A person's safety plan: each part a list of their own items (a part left empty is an empty list)."""

    parts: dict[str, list[str]]
    keep: bool
    updated_at: datetime


@dataclass(frozen=True)
class CheckinRecord:
    id: int
    flow_id: str
    created_at: datetime
    safety_score: int | None
    boundaries: tuple[str, ...]
    has_note: bool
    tip_id: str | None


@dataclass(frozen=True)
class FileRef:
    """A file the bot put somewhere for a person: the platform's file id, or a local path."""

    platform: str
    workspace_id: str
    ref: str


@dataclass(frozen=True)
class Picked:
    """What a person picked in a finished check-in (stored encrypted in `checkins.picked_enc`)."""

    safety: int | None
    boundaries: tuple[str, ...]
    answers: dict[str, Any]


def new_session_id() -> str:
    """Unguessable, so a forged button token cannot name someone else's session by luck."""
    return secrets.token_urlsafe(12)
