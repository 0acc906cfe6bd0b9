"""What community features hand to adapters: posts for a whole channel, removals, private replies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, available_timezones

from bot.content.loader import Content
from bot.messages import Address, Reply
from bot.safety.responder import Screens, pauses, safety_replies
from bot.safety.screening import Level, Screener
from bot.storage.repository import Repository


class PostKind(StrEnum):
    CARE_NOTICE = "care_notice"
    CIRCLE_PROMPT = "circle_prompt"
    SHARE = "share"
    PULSE_OPEN = "pulse_open"
    PULSE_REMINDER = "pulse_reminder"
    PULSE_RESULTS = "pulse_results"


@dataclass(frozen=True)
class ChannelPost:
    """A message to a whole channel, never to one person.

    Adapters post it with every mention disabled (no mention parsing, no link names, no unfurling) and
    escape platform markup; the core has already made any text a person wrote inert
    (bot.community.anonymity.inert). After posting, an adapter reports the platform message id for posts
    with a `ref` (circle prompts: `Circles.prompt_posted`; shares:
    `Circles.share_posted`; pulse invitations: `Pulses.invitation_posted`), so a thread can be opened, a share
    removed, and a reminder can link to its invitation.
    """

    platform: str
    workspace_id: str
    channel_id: str
    reply: Reply
    kind: PostKind
    ref: str = ""
    pin: bool = False
    open_thread: bool = False
    thread_id: str = ""
    link_to: str = ""  # the message id of an earlier post in this channel; the adapter adds a link to it

    @property
    def address(self) -> Address:
        return Address(self.platform, self.workspace_id, "", self.channel_id)


@dataclass(frozen=True)
class Removal:
    """Delete this bot message from the channel."""

    platform: str
    workspace_id: str
    channel_id: str
    message_id: str


class CrisisGate:
    """Screen words before they go anywhere; clear danger gets the private safety reply and nothing else.

    A `possible` verdict passes here: the service screens every community command and comment before it
    reaches a circle or a pulse, asks the person directly, and only passes the words on after "No, I'm OK".
    """

    def __init__(self, content: Content, repository: Repository, screener: Screens | None = None,
                 default_country: str = "") -> None:
        self._content = content
        self._repo = repository
        self._screener: Screens = screener or Screener(content.phrases, content.screening_head)
        self._default_country = default_country.upper()

    async def check(self, address: Address, text: str) -> list[Reply]:
        verdict = self._screener.screen(text)
        if verdict.level is not Level.CLEAR:
            return []
        identity = await self._repo.identity_id(address)
        if pauses(verdict):
            await self._repo.record_crisis(identity)  # the fact and the time only, never the words
        who = await self._repo.profile(identity)
        return safety_replies(self._content.texts, self._content.resources,
                              who.country or self._default_country or None, verdict)


def when(moment: datetime, zone: str | None = None) -> str:
    """A moment in the workspace's zone with UTC beside, for a channel of people who may be in many zones
    ("Tue 08 Dec 18:00 CET (17:00 UTC)"); UTC alone without a zone."""
    utc = moment.astimezone(UTC)
    local = utc.astimezone(ZoneInfo(zone)) if zone and zone != "UTC" else None
    if local is None:
        return utc.strftime("%a %d %b %H:%M UTC")
    beside = utc.strftime("%H:%M UTC") if local.date() == utc.date() else utc.strftime("%a %d %b %H:%M UTC")
    return f"{local.strftime('%a %d %b %H:%M')} {local.tzname()} ({beside})"


def known_zone(zone: str | None) -> str | None:
    """`zone` if it is an IANA zone this machine knows, else None (a platform may send anything)."""
    return zone if zone and zone in available_timezones() else None


Clock = Callable[[], datetime]
