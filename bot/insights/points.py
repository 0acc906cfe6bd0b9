"""What insights read: a check-in reduced to its day, score and boundaries — never its words.

`Point` has no room for a note's text on purpose, so no summary, observation or chart can ever show one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol

from bot.content.loader import Content
from bot.insights.texts import default_texts

NOT_HELD_DEFAULT = frozenset({"none"})


@dataclass(frozen=True)
class Point:
    day: date
    score: int | None
    boundaries: tuple[str, ...] = ()
    has_note: bool = False


class CheckinLike(Protocol):
    """What a stored check-in offers (bot.storage.repository.CheckinRecord fits)."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def safety_score(self) -> int | None: ...
    @property
    def boundaries(self) -> tuple[str, ...]: ...
    @property
    def has_note(self) -> bool: ...


def points_from_checkins(records: Iterable[CheckinLike], zone: tzinfo | None = None) -> list[Point]:
    """Check-ins to points on the person's local day (UTC when their zone is unknown), oldest first."""
    points = [Point((record.created_at.astimezone(zone) if zone else record.created_at).date(),
                    record.safety_score, tuple(record.boundaries), record.has_note) for record in records]
    points.sort(key=lambda point: point.day)
    return points


@dataclass(frozen=True)
class Boundaries:
    """Labels of the boundaries a person can name, and the answers that mean none was held."""

    labels: Mapping[str, str] = field(default_factory=dict)
    not_held: frozenset[str] = NOT_HELD_DEFAULT

    def label(self, value: str) -> str:
        return self.labels.get(value, value.replace("_", " "))

    def named(self, value: str) -> bool:
        """Worth naming in a sentence: a known boundary, not 'none' or 'something else'."""
        return value in self.labels and value not in self.not_held

    def held(self, values: Iterable[str]) -> list[str]:
        return [value for value in values if value not in self.not_held]


def boundaries_from_content(content: Content) -> Boundaries:
    """Labels from every step that records boundaries, lower-cased at the start so they read mid-sentence
    ("weeks when you asked for space"). Options with tags are named; exclusive ones mean 'none held'."""
    labels: dict[str, str] = {}
    not_held: set[str] = set()
    for flow in content.flows.values():
        for step in flow.steps:
            if step.records != "boundaries":
                continue
            for option in step.options:
                if option.exclusive:
                    not_held.add(option.value)
                elif option.tags:
                    labels.setdefault(option.value, option.label[:1].lower() + option.label[1:])
    return Boundaries(labels, frozenset(not_held) or NOT_HELD_DEFAULT)


# ---------------------------------------------------------------- periods


class PeriodError(ValueError):
    """An answer to /history we can't read; the message is fit to show the person."""


@dataclass(frozen=True)
class Period:
    key: str
    weeks: int | None  # None: everything

    def start(self, today: date, first_day: date | None) -> date:
        if self.weeks is None:
            return min(first_day, today) if first_day else today
        return today - timedelta(days=7 * self.weeks - 1)

    def previous(self, today: date) -> tuple[date, date] | None:
        """The period of the same length just before this one; none for 'all'."""
        if self.weeks is None:
            return None
        end = self.start(today, None) - timedelta(days=1)
        return end - timedelta(days=7 * self.weeks - 1), end


FOUR_WEEKS = Period("4w", 4)
TWELVE_WEEKS = Period("12w", 12)
ALL = Period("all", None)
PERIODS = {period.key: period for period in (FOUR_WEEKS, TWELVE_WEEKS, ALL)}
_PERIOD_WORDS = {"": FOUR_WEEKS, "4": FOUR_WEEKS, "4 weeks": FOUR_WEEKS, "month": FOUR_WEEKS,
                 "12": TWELVE_WEEKS, "12 weeks": TWELVE_WEEKS, "everything": ALL, "all time": ALL}


def parse_period(text: str, texts: Mapping[str, str] | None = None) -> Period:
    """'4w' (the default), '12w' or 'all'; a few natural spellings too."""
    texts = texts if texts is not None else default_texts()
    words = " ".join(text.lower().split())
    found = PERIODS.get(words) or _PERIOD_WORDS.get(words)
    if found is None:
        raise PeriodError(texts["insights_period_help"])
    return found


def week_start(day: date) -> date:
    """Weeks start on Monday, the same for the chart's bars, observations and streaks."""
    return day - timedelta(days=day.weekday())


def in_range(points: Iterable[Point], start: date, end: date) -> list[Point]:
    """The points from start to end, inclusive, oldest first whatever order they came in."""
    return sorted((point for point in points if start <= point.day <= end), key=lambda point: point.day)


def short_date(day: date, *, year: bool = True) -> str:
    """'3 Nov 2026' — no leading zero, the same on every platform."""
    return f"{day.day} {day:%b} {day.year}" if year else f"{day.day} {day:%b}"


def date_range(start: date, end: date) -> str:
    """'3 Nov to 24 Nov 2026', or with both years when they differ."""
    if start == end:
        return short_date(end)
    return f"{short_date(start, year=start.year != end.year)} to {short_date(end)}"
