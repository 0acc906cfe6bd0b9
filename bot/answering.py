"""Where the replies to an event go, and what an answered question shows: decided here for every adapter, which
only says where the event came from and how to post in each place (an `Outlet`).

From the person's DM the replies stay there. From a shared channel they are answered privately, except a
question (answered over time, in private) and files the platform cannot show privately, which move to the DM
with a private line saying so. When the DM cannot be opened (closed DMs) the replies are shown privately where
they were asked, after a line that says why. An event from no conversation at all (a dashboard, a shortcut) is
answered in the DM, or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.content.loader import Texts
from bot.logsafe import describe_exception
from bot.messages import Reply
from bot.ports import Capabilities, Unreachable
from bot.response import Place, TextBox, Where, where

log = logging.getLogger(__name__)


class Outlet(Protocol):
    """How an adapter posts the replies to one event."""

    async def here(self, replies: Sequence[Reply]) -> None:
        """In the DM the event came from."""
        ...

    async def privately(self, replies: Sequence[Reply]) -> None:
        """Where the event came from, seen only by the person who acted."""
        ...

    async def to_dm(self, replies: Sequence[Reply]) -> bool:
        """In the person's DM; False when it cannot be opened (their DMs are closed to the bot)."""
        ...


async def answer(replies: Sequence[Reply], place: Place, capabilities: Capabilities, outlet: Outlet,
                 texts: Texts, *, closed_notice: str = "") -> None:
    """Post `replies` where they belong. `closed_notice`: the line shown before them when the DM could not be
    opened (the platform's wording of why); "" for `texts`' own."""
    going = where(replies, place, capabilities)
    if going is Where.HERE:
        await outlet.here(replies)
    elif going is Where.PRIVATELY_HERE:
        await outlet.privately(replies)
    elif await outlet.to_dm(replies):
        if place is Place.SHARED:
            await outlet.privately([Reply(texts.get("moved_to_dm"))])
    elif place is Place.NOWHERE:
        raise Unreachable("the person's DM could not be opened, and there is no other place to answer")
    else:
        await outlet.privately([Reply(closed_notice or texts.get("dm_not_opened")), *replies])


def answered_mark(replies: Sequence[Reply], picked: Sequence[str]) -> str:
    """What an answered question shows in place of its controls, so an old message never invites a second
    answer: what was picked; nothing after a click that no longer counted (nothing was recorded)."""
    shown = [label for label in picked if label]
    if not shown or any(reply.stale for reply in replies):
        return ""
    return "✓ " + ", ".join(shown)


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
