"""Observations: a pattern in someone's own answers, said only when there is enough to say it.

The rule, for each boundary a person can name:
- at least MIN_WEEKS_WITH_DATA weeks with a safety score;
- among those, at least MIN_WEEKS_EACH_SIDE weeks in which they held that boundary and as many in which they
  did not;
- the mean of the weekly mean scores differs between those two groups by at least MIN_DIFFERENCE points.
Then, at most MAX_OBSERVATIONS, largest difference first (ties by boundary value), so the same answers
always give the same sentences. The words say what happened in those weeks, never why, never what to do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from statistics import fmean

from bot.insights.points import Boundaries, Point, week_start
from bot.insights.texts import default_texts

MIN_WEEKS_WITH_DATA = 8  # two months: fewer weeks than this is too little to say anything
MIN_WEEKS_EACH_SIDE = 3  # so one unusual week on either side cannot make a pattern
MIN_DIFFERENCE = 0.75  # points on the 1-5 scale, between the means of weekly means
MAX_OBSERVATIONS = 2


@dataclass(frozen=True)
class Week:
    start: date
    mean_score: float
    held: frozenset[str]


@dataclass(frozen=True)
class Observation:
    boundary: str
    weeks_with: int
    weeks_without: int
    mean_with: float
    mean_without: float
    text: str

    @property
    def difference(self) -> float:
        return self.mean_with - self.mean_without


def scored_weeks(points: Iterable[Point]) -> list[Week]:
    """Weeks (Monday first) that have at least one safety score, oldest first."""
    scores: dict[date, list[int]] = defaultdict(list)
    held: dict[date, set[str]] = defaultdict(set)
    for point in points:
        week = week_start(point.day)
        if point.score is not None:
            scores[week].append(point.score)
        held[week].update(point.boundaries)
    return [Week(week, fmean(values), frozenset(held[week])) for week, values in sorted(scores.items())]


def observe(points: Iterable[Point], boundaries: Boundaries,
            texts: Mapping[str, str] | None = None) -> list[Observation]:
    texts = texts if texts is not None else default_texts()
    weeks = scored_weeks(points)
    if len(weeks) < MIN_WEEKS_WITH_DATA:
        return []
    candidates = sorted({value for week in weeks for value in week.held if boundaries.named(value)})
    found: list[Observation] = []
    for value in candidates:
        with_it = [week.mean_score for week in weeks if value in week.held]
        without = [week.mean_score for week in weeks if value not in week.held]
        if len(with_it) < MIN_WEEKS_EACH_SIDE or len(without) < MIN_WEEKS_EACH_SIDE:
            continue
        mean_with, mean_without = fmean(with_it), fmean(without)
        # rounded so that 3.75 - 3.0 counts as 0.75 despite binary floating point
        if round(abs(mean_with - mean_without), 9) < MIN_DIFFERENCE:
            continue
        key = "insights_observation_higher" if mean_with > mean_without else "insights_observation_lower"
        found.append(Observation(value, len(with_it), len(without), mean_with, mean_without,
                                 texts[key].format(boundary=boundaries.label(value))))
    found.sort(key=lambda observation: (-abs(observation.difference), observation.boundary))
    return found[:MAX_OBSERVATIONS]
