"""What every feature reads: content, storage, the clock, and the few rules about a person they all share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.content.loader import Content, Texts
from bot.messages import Reply, Tone
from bot.ops.metrics import Metrics
from bot.storage.repository import Profile, Repository

RESUME_WINDOW = timedelta(hours=24)
NOT_MEANT_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Context:
    content: Content
    repo: Repository
    clock: Callable[[], datetime]
    default_country: str = ""
    crisis_pause: timedelta = timedelta(hours=72)
    retention_days: int = 365
    metrics: Metrics | None = None  # plain counts (crisis replies, /sos, check-ins done); never who or what

    @property
    def texts(self) -> Texts:
        return self.content.texts

    def country(self, who: Profile) -> str | None:
        return who.country or self.default_country or None

    def quiet_after_crisis(self, who: Profile) -> bool:
        """True for a while after a crisis reply: the bot starts nothing itself (prompts, invitations, tips nobody
        asked for); what the person asks for is answered, with /sos beside it."""
        return who.crisis_at is not None and self.clock() - who.crisis_at < self.crisis_pause

    def just_shown_crisis(self, who: Profile) -> bool:
        return who.crisis_at is not None and self.clock() - who.crisis_at < NOT_MEANT_WINDOW

    def sos_beside(self, who: Profile) -> list[Reply]:
        return [Reply(self.texts.get("sos_beside"), tone=Tone.INFO)] if self.quiet_after_crisis(who) else []

    def stale(self) -> Reply:
        return Reply(self.texts.get("stale_click"), tone=Tone.NOTICE, stale=True)
