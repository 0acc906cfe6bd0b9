"""Every query the core makes, in one place. Words go in and out through the cipher, never in plain.

Split by responsibility: bot/storage/session_rows.py (identities, flow sessions, the direct question),
person_rows.py (tips, the safety plan, check-ins, settings, files), housekeeping.py (export, erase, retention,
key rotation); the records it hands out are in records.py.
"""

from __future__ import annotations

from bot.storage.housekeeping import Housekeeping
from bot.storage.records import (
    ASK_FLOW,
    ASKING,
    CANCELLED,
    DONE,
    HELD,
    LIVE,
    OPEN,
    CheckinRecord,
    FileRef,
    Picked,
    PlanRecord,
    Profile,
    SessionRecord,
    new_session_id,
)


class Repository(Housekeeping):
    """The one object the core is given for its tables."""


__all__ = ["ASKING", "ASK_FLOW", "CANCELLED", "DONE", "HELD", "LIVE", "OPEN", "CheckinRecord", "FileRef", "Picked",
           "PlanRecord", "Profile", "Repository", "SessionRecord", "new_session_id"]
