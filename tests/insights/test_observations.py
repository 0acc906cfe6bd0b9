"""Observations appear only when the rule in bot/insights/observations.py holds, and stay silent just
below each of its thresholds."""

from __future__ import annotations

import random

import pytest

from bot.content.loader import Content
from bot.insights import Boundaries, boundaries_from_content, observe
from bot.insights.observations import MAX_OBSERVATIONS, MIN_DIFFERENCE, MIN_WEEKS_EACH_SIDE, MIN_WEEKS_WITH_DATA
from tests.insights.helpers import weeks

SPACE = ("asked_space",)
NOTHING: tuple[str, ...] = ()


@pytest.fixture
def boundaries(content: Content) -> Boundaries:
    return boundaries_from_content(content)


def test_the_rule_is_what_the_tests_assume() -> None:
    assert (MIN_WEEKS_WITH_DATA, MIN_WEEKS_EACH_SIDE, MIN_DIFFERENCE, MAX_OBSERVATIONS) == (8, 3, 0.75, 2)


def test_fires_when_every_threshold_is_met(boundaries: Boundaries) -> None:
    # 8 weeks: 5 asking for space (weekly mean 4), 3 without (weekly mean 3)
    points = weeks(*[([4], SPACE)] * 5, *[([3], NOTHING)] * 3)
    [observation] = observe(points, boundaries)
    assert observation.text.startswith("In weeks when you asked for space, your scores also tended to be higher.")
    assert (observation.weeks_with, observation.weeks_without) == (5, 3)
    assert observation.difference == 1.0


def test_silent_with_one_week_too_few(boundaries: Boundaries) -> None:
    points = weeks(*[([4], SPACE)] * 4, *[([3], NOTHING)] * 3)  # 7 weeks
    assert observe(points, boundaries) == []


def test_silent_with_too_few_weeks_on_one_side(boundaries: Boundaries) -> None:
    assert observe(weeks(*[([4], SPACE)] * 6, *[([3], NOTHING)] * 2), boundaries) == []  # 2 without
    assert observe(weeks(*[([4], SPACE)] * 2, *[([3], NOTHING)] * 6), boundaries) == []  # 2 with


def test_fires_at_exactly_the_minimum_difference(boundaries: Boundaries) -> None:
    # weekly means 3.75 (4, 4, 4, 3) with space against 3.0 without: 0.75 apart
    points = weeks(*[([4, 4, 4, 3], SPACE)] * 5, *[([3], NOTHING)] * 3)
    [observation] = observe(points, boundaries)
    assert observation.difference == pytest.approx(0.75)


def test_silent_just_below_the_minimum_difference(boundaries: Boundaries) -> None:
    # weekly means 3.75 x4 and 3.5 with space: 3.7 against 3.0, 0.7 apart
    points = weeks(*[([4, 4, 4, 3], SPACE)] * 4, ([4, 3], SPACE), *[([3], NOTHING)] * 3)
    assert observe(points, boundaries) == []


def test_lower_weeks_are_described_the_same_plain_way(boundaries: Boundaries) -> None:
    points = weeks(*[([2], ("saying_no",))] * 4, *[([4], NOTHING)] * 4)
    [observation] = observe(points, boundaries)
    assert observation.text.startswith(
        "In weeks when you said no without over-explaining, your scores also tended to be lower.")


def test_weeks_without_a_score_do_not_count(boundaries: Boundaries) -> None:
    # as in the first test, but the last week's only check-in skipped the score: 7 scored weeks
    points = weeks(*[([4], SPACE)] * 5, *[([3], NOTHING)] * 2, ([None], NOTHING))
    assert observe(points, boundaries) == []


def test_none_and_something_else_are_never_observed(boundaries: Boundaries) -> None:
    points = weeks(*[([5], ("other",))] * 4, *[([1], ("none",))] * 4)
    assert observe(points, boundaries) == []


def test_at_most_two_largest_first_and_the_same_every_time(boundaries: Boundaries) -> None:
    # Three boundaries that all pass the rule: saying no 4.0 vs 1.0 (3.0 apart), space 4.5 vs 2.0 (2.5),
    # guilt 5.0 vs 2.67 (2.33). Only the two largest are said.
    points = weeks(*[([5], ("guilt", "asked_space", "saying_no"))] * 3, *[([4], ("asked_space", "saying_no"))] * 3,
                   *[([3], ("saying_no",))] * 3, *[([1], NOTHING)] * 3)
    found = observe(points, boundaries)
    assert [(observation.boundary, round(observation.difference, 2)) for observation in found] == [
        ("saying_no", 3.0), ("asked_space", 2.5)]
    shuffled = points[:]
    random.Random(8).shuffle(shuffled)
    assert observe(shuffled, boundaries) == found


def test_nothing_to_say_about_no_check_ins(boundaries: Boundaries) -> None:
    assert observe([], boundaries) == []
