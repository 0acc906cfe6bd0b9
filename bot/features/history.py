"""/history: the person's trend in words and a chart, from numbers and labels only (no note is ever read)."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, tzinfo

from bot.events import Command
from bot.features.base import Feature
from bot.features.context import Context
from bot.insights import (
    PeriodError,
    Point,
    boundaries_from_content,
    parse_period,
    points_from_checkins,
    render_chart,
    summarize,
)
from bot.messages import Image, Reply, Tone
from bot.response import Actor, Response, saying
from bot.storage.repository import Profile

CHART_CACHE_SIZE = 500  # people whose latest chart is kept in memory (a PNG of some tens of kB each)
# How long a drawn chart is kept: /forget in another process cannot reach this one's memory, so a chart of a
# forgotten person lasts at most this long here.
CHART_CACHE_SECONDS = 600.0

ZoneOf = Callable[[int], Awaitable[tzinfo]]


async def utc(identity_id: int) -> tzinfo:
    return UTC


class History(Feature):
    commands = ("history",)
    namespaces: tuple[str, ...] = ()

    def __init__(self, context: Context, zone_of: ZoneOf = utc) -> None:
        self._context = context
        self._zone_of = zone_of  # the person's own zone (from their schedule), so weeks and days are theirs
        self._boundaries = boundaries_from_content(context.content)
        # The last chart drawn per person, keyed by exactly what it shows: App Home refreshes after every
        # command and /history again draw nothing new (drawing costs a few hundred ms of CPU).
        self._charts: OrderedDict[int, tuple[int, Image | None, float]] = OrderedDict()  # oldest first

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        return saying((await self.summary(who, args))[0])

    def forget(self, identity_id: int) -> None:
        self._charts.pop(identity_id, None)

    async def summary(self, who: Profile | None, args: str = "") -> tuple[list[Reply], int]:
        """/history [4w|12w|all]: a short summary in words and, when there is anything to draw, a chart; and
        how many check-ins it covers. `who` is None for someone not known (nothing to read, nothing created)."""
        texts = self._context.texts.values
        try:
            period = parse_period(args, texts)
        except PeriodError as problem:
            return [Reply(str(problem), title="Your history", tone=Tone.NOTICE)], 0
        zone = await self._zone_of(who.identity_id) if who is not None else UTC
        today = self._context.clock().astimezone(zone).date()
        # Check-ins are what /history counts: the daily and weekly ones. A prepare or repair draft (answered or
        # all skipped) is not a check-in.
        drafts = {flow.id for flow in self._context.content.flows.values() if flow.outcome.kind == "script"}
        points = points_from_checkins([record for record in await self._context.repo.checkins(who.identity_id)
                                       if record.flow_id not in drafts], zone) if who is not None else []
        summary = summarize(points, period, today, self._boundaries,
                            streaks_enabled=who is not None and who.show_streaks, texts=texts)
        replies = [Reply(summary.text, title=summary.title, footer=summary.footer)]
        if summary.count and who is not None:
            image = await self._chart(who.identity_id, points, summary.start, summary.end, texts)
            if image is not None:
                replies.append(Reply("", image=image))
        return replies, summary.count

    async def _chart(self, identity_id: int, points: Sequence[Point], start: date, end: date,
                     texts: Mapping[str, str]) -> Image | None:
        key = hash((tuple(points), start, end))
        now = time.monotonic()
        while self._charts and next(iter(self._charts.values()))[2] < now - CHART_CACHE_SECONDS:
            self._charts.popitem(last=False)
        cached = self._charts.get(identity_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        # Drawing takes a few hundred milliseconds: off the event loop, so nobody else waits for it.
        chart = await asyncio.to_thread(render_chart, points, start, end, self._boundaries, texts)
        image = Image(chart.png, chart.alt_text, chart.filename) if chart is not None else None
        self._charts.pop(identity_id, None)
        self._charts[identity_id] = (key, image, now)
        if len(self._charts) > CHART_CACHE_SIZE:
            self._charts.popitem(last=False)
        return image
