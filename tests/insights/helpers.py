"""Seeded check-ins for insight tests, built as `Point`s (which have no room for words)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from bot.insights import Point

TODAY = date(2026, 11, 26)  # a Thursday


def daily(days: int, *, end: date = TODAY) -> list[Point]:
    """One check-in a day for `days` days up to `end`: scores cycle 1..5, every third day asks for space,
    every seventh day has a note."""
    first = end - timedelta(days=days - 1)
    points: list[Point] = []
    for index in range(days):
        held = ("asked_space",) if index % 3 == 0 else ("saying_no",) if index % 3 == 1 else ("none",)
        points.append(Point(first + timedelta(days=index), 1 + index % 5, held, has_note=index % 7 == 0))
    return points


def weeks(*scores_per_week: tuple[Sequence[int | None], tuple[str, ...]],
          first_monday: date = date(2026, 9, 7)) -> list[Point]:
    """One week per argument, oldest first: the scores of that week's check-ins (Monday, Tuesday, ...),
    each holding the given boundaries."""
    points: list[Point] = []
    for number, (scores, held) in enumerate(scores_per_week):
        monday = first_monday + timedelta(weeks=number)
        points.extend(Point(monday + timedelta(days=offset), score, held) for offset, score in enumerate(scores))
    return points
