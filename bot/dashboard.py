"""A person's dashboard (a platform's home tab): what it shows, and the life of its chart as a hosted file.

`dashboard` shapes it: a title, the buttons that act on it (each runs a command; Resume while paused, Pause
while not, both when that is not known), what /schedule and /history show, and the newest history chart.
`ChartFiles` keeps the chart a platform shows by a file id: uploaded once per picture, the file it replaces
deleted once the new dashboard is up (one that could not be is tried again after the next), one dashboard per
person drawn at a time so two at once never upload the same chart twice. Every file is reported to the core's
traces, so /forget and retention reach it too. In memory only: after a restart (or past `kept` people) a chart
is uploaded once more and the file before it stays where it is, private to the bot, until retention.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

from bot.bounded import BoundedDict
from bot.content.loader import Texts
from bot.conversation import Conversation
from bot.features.privacy import Traces
from bot.messages import Address, Image, Reply

CHARTS_KEPT = 20_000  # people whose dashboard chart file id is remembered (per process)
OLD_CHARTS_KEPT = 10  # replaced files still to delete, per person


@dataclass(frozen=True)
class Action:
    """A dashboard button: what it says and the command it runs."""

    label: str
    command: str
    primary: bool = False


@dataclass(frozen=True)
class Dashboard:
    title: str
    actions: tuple[Action, ...]
    replies: tuple[Reply, ...]

    @property
    def chart(self) -> Image | None:
        """The newest picture among the replies (a dashboard shows one chart: the newest history's)."""
        return next((reply.image for reply in reversed(self.replies) if reply.image is not None), None)


def board(texts: Texts, replies: Sequence[Reply], paused: bool | None) -> Dashboard:
    """`paused`: whether the person's scheduled check-ins are paused (None: they have no schedule)."""
    hidden = {True: "pause", False: "resume"}.get(paused) if paused is not None else None
    actions = (Action(texts.get("home_checkin"), "checkin", primary=True), Action(texts.get("home_pause"), "pause"),
               Action(texts.get("home_resume"), "resume"), Action(texts.get("home_export"), "export"),
               Action(texts.get("home_forget"), "forget"))
    return Dashboard(texts.get("home_title"), tuple(action for action in actions if action.command != hidden),
                     tuple(replies))


async def dashboard(conversation: Conversation, address: Address) -> Dashboard:
    """Showing it never creates the person: someone not (or no longer) known sees what a newcomer sees."""
    replies = await conversation.home(address)
    return board(conversation.texts, replies, await conversation.paused(address))


Key = tuple[str, str]


class ChartFiles:
    """The chart file each person's dashboard shows, and the replaced ones still to delete."""

    def __init__(self, traces: Traces, kept: int = CHARTS_KEPT) -> None:
        self._traces = traces
        self._shown: BoundedDict[Key, tuple[str, str]] = BoundedDict(kept)  # sha256 of the picture, file id
        self._old: BoundedDict[Key, list[str]] = BoundedDict(kept)
        self._locks: dict[Key, tuple[asyncio.Lock, int]] = {}

    @staticmethod
    def _key(address: Address) -> Key:
        return address.workspace_id, address.user_id

    @asynccontextmanager
    async def turn(self, address: Address) -> AsyncIterator[None]:
        """One dashboard per person at a time."""
        key = self._key(address)
        lock, users = self._locks.get(key) or (asyncio.Lock(), 0)
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def file_for(self, address: Address, chart: Image | None,
                       upload: Callable[[Image], Awaitable[str]]) -> str:
        """The file id of the chart to show ("" for none), uploaded with `upload` if this chart is new (an
        upload that fails answers "": the dashboard goes up without it, and the old file is replaced next time)."""
        key = self._key(address)
        current = self._shown.get(key)
        if chart is None:  # no check-ins (any more, after /forget): the old chart goes too
            if current is not None:
                del self._shown[key]
                self._retire(key, current[1])
            return ""
        digest = hashlib.sha256(chart.content).hexdigest()
        if current is not None and current[0] == digest:
            self._shown[key] = current
            return current[1]
        file_id = await upload(chart)
        if not file_id:
            return ""
        await self._traces.remember_file(address, file_id)
        if current is not None:
            self._retire(key, current[1])
        self._shown[key] = (digest, file_id)
        return file_id

    def _retire(self, key: Key, file_id: str) -> None:
        self._old[key] = [*self._old.get(key, []), file_id]

    async def delete_old(self, address: Address, delete: Callable[[Sequence[str]], Awaitable[list[str]]]) -> None:
        """After a dashboard went up: the chart files it no longer shows (`delete` returns those that are gone)."""
        key = self._key(address)
        old = self._old.pop(key, [])
        gone = await delete(old) if old else []
        for file_id in gone:
            await self._traces.file_removed(address, file_id)
        kept = [file_id for file_id in old if file_id not in gone]
        if kept:
            self._old[key] = kept[-OLD_CHARTS_KEPT:]

    def removed(self, workspace_id: str, file_ids: Sequence[str]) -> None:
        """These files are gone (/forget, retention): a dashboard showing one uploads its chart afresh."""
        gone = set(file_ids)
        for key, (_, file_id) in list(self._shown.items()):
            if key[0] == workspace_id and file_id in gone:
                del self._shown[key]

    def forget(self, address: Address) -> list[str]:
        """Forget the person; returns the replaced files still to delete (the one shown is among their files)."""
        key = self._key(address)
        self._shown.pop(key, None)
        return self._old.pop(key, [])
