"""Where an answer is shown, for adapters that answer in a shared channel: the replies that belong in the person's
DM go there and a private line here says so; when the DM is closed or does not open, the replies are shown
here, privately. And how an answered question is marked once its controls are gone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.content.loader import Texts
from bot.messages import Reply
from bot.ports import Capabilities
from bot.response import Place, Response, Where

# Sends the replies to the person's DM: True when they went, False when the person's DMs are closed, None
# when the DM did not open in time.
ToDm = Callable[[Sequence[Reply]], Awaitable[bool | None]]


async def shown_here(response: Response, place: Place, capabilities: Capabilities, texts: Texts,
                     to_dm: ToDm) -> list[Reply]:
    """What is shown where the person acted, after the replies that belong in the DM went there. With DMs
    closed, the replies are shown here after a line saying why; a DM that did not open in time is not blamed
    on the person's settings."""
    replies = list(response.replies)
    if response.where(place, capabilities) is not Where.DM:
        return replies
    moved = await to_dm(replies)
    if moved:
        return [Reply(texts.get("moved_to_dm"))]
    if moved is False:
        return [Reply(texts.get("dm_closed")), *replies]
    return replies


def answered_line(texts: Texts, replies: Sequence[Reply], picked: Sequence[str]) -> str:
    """The line an answered question keeps in place of its controls ("✓ 4 · Mostly safe"): nothing when the
    click no longer counted (a stale click records nothing) or nothing was picked."""
    if not picked or any(reply.stale for reply in replies):
        return ""
    return texts.get("answered_mark", picked=", ".join(picked))
