"""Where the replies to an event are shown, and what an answered question shows: decided here for every adapter,
which only says where the event came from, sends to the DM when asked, and shows the rest where the person acted.

From the person's DM the replies stay there. From a shared channel they are answered privately, except a
question (answered over time, in private) and files the platform cannot show privately, which move to the DM
with a private line saying so. When the DM cannot be opened (closed DMs) the replies are shown privately where
they were asked, after a line that says why. An event from no conversation at all (a dashboard, a shortcut) is
answered in the DM, or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.commands import COMMUNITY_COMMANDS
from bot.content.loader import Texts
from bot.conversation import Conversation
from bot.events import Command, Event
from bot.logsafe import describe_exception
from bot.messages import Reply, Tone
from bot.ports import Capabilities, Unreachable
from bot.response import Place, TextBox, Where, where

log = logging.getLogger(__name__)
# Sends the replies to the person's DM: True when they went, False when it cannot be opened (their DMs are
# closed to the bot), None when it did not open in time.
ToDm = Callable[[Sequence[Reply]], Awaitable[bool | None]]


async def shown_here(replies: Sequence[Reply], place: Place, capabilities: Capabilities, texts: Texts,
                     to_dm: ToDm) -> list[Reply]:
    """What is shown where the person acted (in the DM, or privately in a shared channel), after the replies
    that belong in the DM went there. With the DM closed they are shown here after a line saying why; a DM that
    did not open in time is not blamed on the person's settings. From no conversation there is no "here": the
    replies reach the DM or raise Unreachable."""
    if where(replies, place, capabilities) is not Where.DM:
        return list(replies)
    moved = await to_dm(replies)
    if place is Place.NOWHERE:
        if not moved:
            raise Unreachable("the person's DM could not be opened, and there is no other place to answer")
        return []
    if moved:
        return [Reply(texts.get("moved_to_dm"))]
    if moved is False:
        return [Reply(texts.get("dm_not_opened")), *replies]
    return list(replies)


def answered_mark(texts: Texts, replies: Sequence[Reply], picked: Sequence[str]) -> str:
    """What an answered question shows in place of its controls ("✓ 4 · Mostly safe"), so an old message never
    invites a second answer: what was picked; nothing after a click that no longer counted (nothing was
    recorded) or when nothing was picked."""
    shown = [label for label in picked if label]
    if not shown or any(reply.stale for reply in replies):
        return ""
    return texts.get("answered_mark", picked=", ".join(shown))


def under(content: str, line: str, limit: int) -> str:
    """`content` with `line` below it, within `limit` characters: a full message is shortened to make room,
    the line (at most half the limit) is kept whole."""
    line = f"\n{line}"[:limit // 2]
    if len(content) + len(line) > limit:
        content = content[:limit - len(line) - 1].rstrip() + "…"
    return content + line


async def without_channels(conversation: Conversation, event: Event) -> list[Reply] | None:
    """Circles, shares and pulses belong to a channel of people; where there is none (a terminal), their
    commands are answered so. The words are still read for danger first: a share that says something worrying
    is answered, not brushed off. None for any other event."""
    if not isinstance(event, Command) or event.name.strip().lower() not in COMMUNITY_COMMANDS:
        return None
    safety = await conversation.screen_only(event)
    return safety or [Reply(conversation.texts.get("community_elsewhere"), tone=Tone.INFO)]


class AskedActor:
    """A person whose roles and workspace zone cost the platform a request: asked once, only when the core
    needs to know, and kept for the one event. `ask` answers (is admin, zone); an admin may also moderate."""

    def __init__(self, ask: Callable[[], Awaitable[tuple[bool, str]]]) -> None:
        self._ask = ask
        self._known: tuple[bool, str] | None = None

    async def _answer(self) -> tuple[bool, str]:
        if self._known is None:
            self._known = await self._ask()
        return self._known

    async def is_admin(self) -> bool:
        return (await self._answer())[0]

    async def is_moderator(self) -> bool:
        return (await self._answer())[0]

    async def zone(self) -> str:
        return (await self._answer())[1]


def box_examples(box: TextBox, longest: int, most: int) -> tuple[list[str], list[str], str]:
    """For a text box that offers its examples to tick (`Capabilities.choices_in_text_box`): the examples it
    offers (distinct, non-empty, none longer than `longest`, at most `most`), those it opens ticked (lines of
    `box.initial`), and the rest of `box.initial`, which opens typed in."""
    offered = [example for example in dict.fromkeys(box.examples) if example and len(example) <= longest][:most]
    lines = box.initial.splitlines()
    ticked = [example for example in offered if example in lines]
    return offered, ticked, "\n".join(line for line in lines if line not in ticked)


async def guarded(what: str, run: Callable[[], Awaitable[object]], apologise: Callable[[Reply], Awaitable[None]],
                  texts: Texts) -> None:
    """The error boundary around an adapter's work for one event: a fault is logged by its type and `what` only
    (its message may quote what the person wrote), the person gets a private apology, and the adapter runs on."""
    try:
        await run()
    except Exception as exc:
        log.error("%s failed: %s", what, describe_exception(exc))
        try:
            await apologise(Reply(texts.get("error")))
        except Exception as again:
            log.error("%s: the apology failed: %s", what, describe_exception(again))
