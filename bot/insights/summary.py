"""The /history summary: a few plain sentences about a period, with the numbers behind them.

Pass every check-in the person has (three years of daily check-ins is about 1,100 points, which takes
milliseconds): the summary needs the period before this one for the comparison, and everything to tell
"no check-ins yet" from "none lately".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from statistics import fmean

from bot.insights.observations import Observation, observe
from bot.insights.points import Boundaries, Period, Point, in_range, short_date, week_start
from bot.insights.texts import default_texts

SAME_BAND = 0.25  # averages closer than this read as "about the same"
TOP_BOUNDARIES = 3
MIN_STREAK_WEEKS = 2  # a streak line for one week would say nothing


class Trend(StrEnum):
    HIGHER = "higher"
    SAME = "same"
    LOWER = "lower"


@dataclass(frozen=True)
class Summary:
    period: Period
    start: date
    end: date
    count: int
    average: float | None
    previous_average: float | None
    trend: Trend | None
    top_boundaries: tuple[tuple[str, int], ...]
    last_note: date | None
    streak_weeks: int | None
    observations: tuple[Observation, ...]
    title: str
    lines: tuple[str, ...]
    footer: str

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _average(points: Iterable[Point]) -> float | None:
    scores = [point.score for point in points if point.score is not None]
    return fmean(scores) if scores else None


def _trend(average: float | None, previous: float | None) -> Trend | None:
    if average is None or previous is None:
        return None
    if abs(average - previous) < SAME_BAND:
        return Trend.SAME
    return Trend.HIGHER if average > previous else Trend.LOWER


def top_boundaries(points: Iterable[Point], boundaries: Boundaries,
                   limit: int = TOP_BOUNDARIES) -> list[tuple[str, int]]:
    """How many check-ins named each boundary; most first, ties in a stable order (by value)."""
    held = Counter(value for point in points for value in set(point.boundaries) if boundaries.named(value))
    return sorted(held.items(), key=lambda item: (-item[1], item[0]))[:limit]


def streak_weeks(points: Iterable[Point], today: date) -> int:
    """Weeks in a row with at least one check-in, up to this week — or up to last week while this week has
    none yet, so an ordinary Monday never reads as a lost streak."""
    weeks = {week_start(point.day) for point in points if point.day <= today}
    week = week_start(today)
    if week not in weeks:
        week -= timedelta(days=7)
    count = 0
    while week in weeks:
        count += 1
        week -= timedelta(days=7)
    return count


def summarize(points: Sequence[Point], period: Period, today: date, boundaries: Boundaries, *,
              streaks_enabled: bool = False, texts: Mapping[str, str] | None = None) -> Summary:
    texts = texts if texts is not None else default_texts()
    first_day = min((point.day for point in points), default=None)
    start = period.start(today, first_day)
    current = in_range(points, start, today)
    title = texts[f"insights_title_{period.key}"]
    footer = texts["insights_footer"]

    def empty(line: str) -> Summary:
        return Summary(period, start, today, 0, None, None, None, (), None, None, (), title, (line,), "")

    if not points:
        return empty(texts["insights_none"])
    if not current:
        return empty(texts["insights_none_in_period"].format(span=texts[f"insights_span_{period.key}"]))

    count = len(current)
    plural = "" if count == 1 else "s"
    if period.weeks is None:
        lines = [texts["insights_count_all"].format(count=f"{count:,}", plural=plural, start=short_date(start))]
    else:
        lines = [texts["insights_count"].format(count=f"{count:,}", plural=plural,
                                                span=texts[f"insights_span_{period.key}"])]

    average = _average(current)
    before = period.previous(today)
    previous_average = _average(in_range(points, *before)) if before else None
    trend = _trend(average, previous_average)
    if average is not None:
        if trend is None or previous_average is None:
            lines.append(texts["insights_average"].format(average=f"{average:.1f}"))
        else:
            lines.append(texts[f"insights_average_{trend.value}"].format(
                average=f"{average:.1f}", previous=f"{previous_average:.1f}",
                previous_span=texts[f"insights_previous_{period.key}"]))

    top = top_boundaries(current, boundaries)
    if top:
        listed = ", ".join(texts["insights_boundary_count"].format(label=boundaries.label(value), count=n)
                           for value, n in top)
        lines.append(texts["insights_boundaries"].format(boundaries=listed))

    last_note = max((point.day for point in current if point.has_note), default=None)
    if last_note is not None:
        lines.append(texts["insights_last_note"].format(date=short_date(last_note)))

    streak: int | None = None
    if streaks_enabled:
        streak = streak_weeks(points, today)
        if streak >= MIN_STREAK_WEEKS:
            lines.append(texts["insights_streak"].format(count=streak))

    observations = tuple(observe(current, boundaries, texts))
    lines.extend(observation.text for observation in observations)

    return Summary(period, start, today, count, average, previous_average, trend, tuple(top), last_note, streak,
                   observations, title, tuple(lines), footer)
