"""Community as a feature of the conversation: circles (/circle, /share) and team pulses (/pulse), their
buttons and comments, the forms adapters open for them, and what is due in their channels."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.community.circles import CIRCLE_SESSION, Circles
from bot.community.common import ChannelPost, PostKind, Removal
from bot.community.pulses import PULSE_SESSION, FormResult, PulseForm, Pulses
from bot.events import ChoicePicked, Command, Event, TextSubmitted
from bot.features.base import Feature
from bot.features.context import Context
from bot.logsafe import describe_exception
from bot.messages import Address, Form, ParsedToken, Reply, Tone, parse_token
from bot.response import Actor, Response
from bot.storage.repository import Profile
from bot.text import fold

log = logging.getLogger(__name__)

COMMUNITY_COMMANDS = ("circle", "share", "pulse")
_DURATION = re.compile(r"^(\d{1,3})\s*(h|hours?|d|days?|w|weeks?)$")


class ChannelPoster(Protocol):
    """What an adapter does with community output: post to a whole channel, delete a bot message."""

    async def post_to_channel(self, post: ChannelPost) -> str:
        """Post with every mention disabled; return the platform message id ("" when unknown)."""
        ...

    async def delete_message(self, removal: Removal) -> None: ...


def parse_close(text: str, now: datetime) -> datetime | None:
    """When a pulse round closes: "3d", "48h", "2w", or a UTC date and time ("2026-12-01 17:00")."""
    word = text.strip().lower()
    duration = _DURATION.match(word)
    if duration:
        amount, unit = int(duration.group(1)), duration.group(2)[0]
        return now + timedelta(hours=amount * {"h": 1, "d": 24, "w": 24 * 7}[unit])
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1) if " " in text.strip() else text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_pulse_event(event: Event) -> bool:
    """A click or comment inside a team pulse: anonymous work business, never the start of personal check-ins."""
    parsed = parse_token(event.token) if isinstance(event, ChoicePicked | TextSubmitted) and event.token else None
    return parsed is not None and parsed.session_id == PULSE_SESSION


def is_pulse_command(event: Event) -> bool:
    """An admin running a pulse round is at work: no personal check-in greeting before the answer."""
    return isinstance(event, Command) and fold(event.name) == "pulse"


OwnZone = Callable[[Address], Awaitable[str]]


async def no_zone(address: Address) -> str:
    return ""


class Community(Feature):
    commands = COMMUNITY_COMMANDS
    namespaces = (CIRCLE_SESSION, PULSE_SESSION)

    def __init__(self, context: Context, circles: Circles, pulses: Pulses, own_zone: OwnZone = no_zone) -> None:
        self._context = context
        self._own_zone = own_zone  # the admin's own schedule's zone, where the platform names none for the place
        self._circles = circles
        self._pulses = pulses

    def _gone(self) -> Response:
        return Response(replies=(Reply(self._context.texts.get("stale_click"), stale=True),))

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        address = event.address
        if name == "share":
            return await self._circles.share(address, event.args)  # the whole text, not the cut
        if name == "circle":
            if fold(args).split()[:1] == ["status"]:
                return await self._circles.circle_status(address, await actor.is_admin())
            return await self._circles.setup_command(address, await actor.is_admin(), args)
        return await self._pulse_command(address, actor, args)

    async def picked(self, who: Profile, event: ChoicePicked, token: ParsedToken | None,
                     actor: Actor) -> Response | None:
        return await self.anonymous(event, actor)

    async def typed(self, who: Profile, event: TextSubmitted, actor: Actor) -> Response | None:
        return await self.anonymous(event, actor)

    async def anonymous(self, event: ChoicePicked | TextSubmitted, actor: Actor) -> Response | None:
        """A click or a comment, answered without knowing who sent it (a pulse keeps no trace of its members)."""
        address = event.address
        token = parse_token(event.token)
        if token is None:
            return self._gone()
        if isinstance(event, TextSubmitted):
            replies = await self._pulses.on_text(address, token, event.text) \
                if token.session_id == PULSE_SESSION else None
            return Response(replies=tuple(replies)) if replies else self._gone()
        picked = ParsedToken(token.session_id, token.step_id, event.values[0]) if event.values else token
        if picked.session_id == CIRCLE_SESSION:
            outcome = await self._circles.on_pick(address, picked, is_moderator=await actor.is_moderator())
            return outcome if outcome is not None else self._gone()
        replies = await self._pulses.on_pick(address, picked)
        return Response(replies=tuple(replies)) if replies else self._gone()

    async def _pulse_command(self, address: Address, actor: Actor, args: str) -> Response:
        """`pulse open <closes> [min N]` (closes: 3d, 48h, 2w or a UTC "2026-12-01 17:00"); `pulse status`."""
        words = args.split()
        action = fold(words[0]) if words else ""
        is_admin = await actor.is_admin()
        if action == "status":
            return await self._pulses.status(address, is_admin)
        if not is_admin:
            return await self._pulses.status(address, False)  # the kind "for admins" answer, nothing else
        if action != "open":
            return Response(replies=(Reply(self._context.texts.get("pulse_usage")),))
        rest = " ".join(words[1:])
        minimum: int | None = None
        found = re.search(r"\b(?:min|minimum|threshold)[= ]?(\d{1,3})\b", rest, flags=re.IGNORECASE)
        if found:
            minimum = int(found.group(1))
            rest = (rest[:found.start()] + rest[found.end():]).strip()
        closes = parse_close(rest, self._context.clock()) if rest else None
        if closes is None:
            return Response(replies=(Reply(self._context.texts.get("pulse_usage")),))
        return await self._pulses.open_round(address, is_admin, closes_at=closes, min_respondents=minimum,
                                             zone=await actor.zone() or await self._own_zone(address))

    # ------------------------------------------------------------ forms

    def form(self, name: str) -> Form | None:
        if name == "share":
            return self._circles.share_form()
        if name == "circle":
            return self._circles.setup_form()
        return None

    async def pulse_form(self, address: Address, round_id: str) -> PulseForm | list[Reply]:
        """The private answer form of a round, for someone who pressed Join in its channel (replies instead when
        it cannot be answered there). Creates no identity."""
        form = await self._pulses.form(address, round_id)
        return form if isinstance(form, PulseForm) else [form]

    async def submit_pulse_form(self, address: Address, round_id: str, scores: Sequence[int | None]) -> FormResult:
        return await self._pulses.submit_form(address, round_id, scores)

    # ------------------------------------------------------------ channels

    async def forget(self, address: Address) -> tuple[Removal, ...]:
        """/forget reaches past the person's own rows: their shares go, and their pulse memberships."""
        removals = await self._circles.forget_author(address)
        await self._pulses.forget_member(address)
        return removals

    async def due_posts(self, platforms: Collection[str] | None = None) -> list[ChannelPost]:
        """Everything due in community channels now: weekly circle prompts, pulse openings, reminders, results;
        only for `platforms` when given (the ones this process can post to)."""
        return [*await self._circles.due_circle_posts(platforms=platforms),
                *await self._pulses.due_posts(platforms=platforms)]

    async def publish(self, posts: Sequence[ChannelPost], poster: ChannelPoster) -> list[ChannelPost]:
        """Post each one and report its message id back; returns the posts that did not go out (already claimed:
        the caller keeps them to try again, or they are lost)."""
        failed: list[ChannelPost] = []
        for post in posts:
            try:
                message_id = await poster.post_to_channel(post)
                if post.ref and message_id:
                    if post.kind is PostKind.CIRCLE_PROMPT:
                        await self._circles.prompt_posted(post.ref, message_id)
                    elif post.kind is PostKind.SHARE:
                        await self._circles.share_posted(post.ref, message_id)
                    elif post.kind is PostKind.PULSE_OPEN:
                        await self._pulses.invitation_posted(post.ref, message_id)
            except Exception as exc:
                log.error("community post %s on %s failed: %s", post.kind, post.platform, describe_exception(exc))
                failed.append(post)
        return failed


class NoCommunity(Feature):
    """A bot without circles and pulses: their commands get `community_elsewhere` (bot.conversation.ABSENT),
    a form or a round cannot be opened, and nothing is due in any channel."""

    def __init__(self, context: Context) -> None:
        self._context = context

    def _elsewhere(self) -> Reply:
        return Reply(self._context.texts.get("community_elsewhere"), tone=Tone.INFO)

    async def anonymous(self, event: ChoicePicked | TextSubmitted, actor: Actor) -> Response | None:
        return None

    def form(self, name: str) -> Form | None:
        return None

    async def pulse_form(self, address: Address, round_id: str) -> PulseForm | list[Reply]:
        return [self._elsewhere()]

    async def submit_pulse_form(self, address: Address, round_id: str, scores: Sequence[int | None]) -> FormResult:
        return FormResult(replies=(self._elsewhere(),))

    async def forget(self, address: Address) -> tuple[Removal, ...]:
        return ()

    async def due_posts(self, platforms: Collection[str] | None = None) -> list[ChannelPost]:
        return []

    async def publish(self, posts: Sequence[ChannelPost], poster: ChannelPoster) -> list[ChannelPost]:
        return []
