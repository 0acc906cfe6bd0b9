"""What the core answers an event with, and who acted: the decisions adapters used to make each on their own.

`Response` says what to show and where: replies for the person, posts and removals for channels, whether the
replies belong in the person's DM, and whether the adapter should open a text box or a form instead. `Actor`
is asked for the person's roles only when a command needs them (on some platforms that is an API call).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from bot.community.common import ChannelPost, Removal
from bot.messages import Form, Reply, parse_text_value, parse_token
from bot.ports import Capabilities
from bot.storage.repository import FileRef


class Actor(Protocol):
    """The person behind an event, as their platform sees them."""

    async def is_admin(self) -> bool:
        """May run a channel's community (a server manager, a workspace admin)."""
        ...

    async def is_moderator(self) -> bool:
        """May remove a circle's shares (a message moderator, a workspace admin)."""
        ...

    async def zone(self) -> str:
        """The workspace's time zone where the platform tells it ("" where it does not)."""
        ...


@dataclass(frozen=True)
class Roles:
    """An actor whose roles are known up front (a terminal, tests, an interaction that carries them)."""

    admin: bool = False
    moderator: bool = False
    workspace_zone: str = ""

    async def is_admin(self) -> bool:
        return self.admin

    async def is_moderator(self) -> bool:
        return self.moderator

    async def zone(self) -> str:
        return self.workspace_zone


NOBODY = Roles()


class Place(StrEnum):
    """Where an event came from, as its adapter sees it."""

    DM = "dm"  # the person's conversation with the bot (a DM, a terminal)
    SHARED = "shared"  # a channel others read: answers there are private (ephemeral)
    NOWHERE = "nowhere"  # no conversation (an app's home tab, a shortcut)


class Where(StrEnum):
    """Where replies go."""

    HERE = "here"  # in the DM they came from
    PRIVATELY_HERE = "privately_here"  # in the shared channel, seen only by the person
    DM = "dm"  # in the person's DM; from a shared channel a private line says so (`moved_to_dm`)


def where(replies: Sequence[Reply], place: Place, capabilities: Capabilities) -> Where:
    """A question is answered in private, over time: it moves to the DM. So do files where the platform cannot
    show them privately in a channel. Everything else is answered where it was asked, privately."""
    if place is Place.DM:
        return Where.HERE
    asks = any(reply.question is not None for reply in replies)
    files = any(reply.files or reply.image is not None for reply in replies)
    if place is Place.SHARED and not asks and not (files and not capabilities.private_files):
        return Where.PRIVATELY_HERE
    return Where.DM


def settles(place: Place) -> bool:
    """An answered question loses its controls and shows what was picked, so an old message never invites a
    second answer: in the DM only (in a channel the click was answered in a new private message)."""
    return place is Place.DM


def opens_text_box(token: str) -> bool:
    """A click on "Write it": the adapter opens a text box (it must do so at once, before anything else)."""
    parsed = parse_token(token)
    return parsed is not None and bool(parsed.value) and parse_text_value(parsed.value) is not None


@dataclass(frozen=True)
class TextBox:
    """Open a box to type one answer in (the "Write it" button): its token, length limit, what it opens with,
    and the examples it offers to pick."""

    token: str
    max_length: int = 0
    initial: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenForm:
    """Open this form. `raw`: its text field is sent as written (a share keeps its lines), not as settings."""

    form: Form
    raw: bool = False


@dataclass(frozen=True)
class Response:
    """`replies` go privately to the person who acted; `posts` and `removals` to channels. `to_dm`: the replies
    ask something or carry files, so from a shared channel they move to the person's DM. `opens`: instead of
    replying, open a text box or a form (replies are then shown only where it cannot be opened)."""

    replies: tuple[Reply, ...] = ()
    posts: tuple[ChannelPost, ...] = ()
    removals: tuple[Removal, ...] = ()
    opens: TextBox | OpenForm | None = None
    erased: tuple[FileRef, ...] | None = field(default=None, compare=False)  # set by /forget, for the core only

    @property
    def stale(self) -> bool:
        """Answers a click on a control that no longer counts: nothing was recorded."""
        return any(reply.stale for reply in self.replies)

    def where(self, place: Place, capabilities: Capabilities) -> Where:
        return where(self.replies, place, capabilities)

    def with_replies(self, replies: Sequence[Reply]) -> Response:
        return Response(tuple(replies), self.posts, self.removals, self.opens, self.erased)


def said(*replies: Reply) -> Response:
    return Response(replies=replies)


def saying(replies: Sequence[Reply]) -> Response:
    return Response(replies=tuple(replies))
