"""What /history says: the numbers of a period, in words a person can read at a glance."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.content.loader import Content
from bot.insights import (
    ALL,
    FOUR_WEEKS,
    TWELVE_WEEKS,
    Boundaries,
    PeriodError,
    Point,
    Trend,
    boundaries_from_content,
    parse_period,
    points_from_checkins,
    summarize,
)
from bot.storage.repository import CheckinRecord
from tests.insights.helpers import TODAY, daily

UNKIND_WORDS = ("streak", "missed", "broke", "lost", "should", "must", "failed", "behind")


@pytest.fixture
def boundaries(content: Content) -> Boundaries:
    return boundaries_from_content(content)


def seeded(previous_scores: tuple[int, ...] = (2, 3)) -> list[Point]:
    """Four weeks (30 Oct - 26 Nov 2026) of five check-ins, the four weeks before, and one long ago."""
    before = [Point(date(2026, 10, 5) + timedelta(days=4 * index), score)
              for index, score in enumerate(previous_scores)]
    return [
        Point(date(2026, 1, 1), 1, ("guilt",), has_note=True),
        *before,
        Point(date(2026, 11, 2), 3, ("saying_no", "asked_space"), has_note=True),
        Point(date(2026, 11, 5), 4, ("saying_no",)),
        Point(date(2026, 11, 10), None, ("saying_no",)),
        Point(date(2026, 11, 20), 5, ("guilt",), has_note=True),
        Point(date(2026, 11, 25), 4, ("other",)),
    ]


def test_four_weeks_summary_on_seeded_data(boundaries: Boundaries) -> None:
    summary = summarize(seeded(), FOUR_WEEKS, TODAY, boundaries)

    assert (summary.start, summary.end) == (date(2026, 10, 30), TODAY)
    assert summary.count == 5
    assert summary.average == 4.0  # 3, 4, 5, 4; the check-in without a score is counted but not averaged
    assert summary.previous_average == 2.5
    assert summary.trend is Trend.HIGHER
    assert summary.top_boundaries == (("saying_no", 3), ("asked_space", 1), ("guilt", 1))
    assert summary.last_note == date(2026, 11, 20)
    assert summary.title == "Your last four weeks"
    assert summary.lines == (
        "5 check-ins in the last four weeks.",
        "Average safety: 4.0 out of 5, higher than the four weeks before (2.5).",
        "Boundaries you held most: said no without over-explaining (3×), asked for space (1×), "
        "stepped back from guilt-tripping (1×).",
        "Your last note is from 20 Nov 2026. Notes stay private and encrypted.",
    )
    assert "not advice" in summary.footer


@pytest.mark.parametrize(("previous", "trend", "words"), [
    ((4, 4, 4, 4, 4, 3), Trend.SAME, "about the same as the four weeks before (3.8)"),  # 0.17 apart
    ((5, 4), Trend.LOWER, "lower than the four weeks before (4.5)"),
    ((3, 4), Trend.HIGHER, "higher than the four weeks before (3.5)"),
])
def test_the_comparison_with_the_period_before(boundaries: Boundaries, previous: tuple[int, ...], trend: Trend,
                                               words: str) -> None:
    summary = summarize(seeded(previous), FOUR_WEEKS, TODAY, boundaries)
    assert summary.trend is trend
    assert summary.lines[1] == f"Average safety: 4.0 out of 5, {words}."


def test_no_comparison_when_the_period_before_has_no_scores(boundaries: Boundaries) -> None:
    summary = summarize(seeded(previous_scores=()), FOUR_WEEKS, TODAY, boundaries)
    assert summary.trend is None
    assert summary.lines[1] == "Average safety: 4.0 out of 5."


def test_twelve_weeks_reach_back_eighty_four_days(boundaries: Boundaries) -> None:
    summary = summarize(seeded(), TWELVE_WEEKS, TODAY, boundaries)
    assert summary.start == date(2026, 9, 4)
    assert summary.count == 7  # the five recent ones and the two in October
    assert summary.average == pytest.approx((2 + 3 + 3 + 4 + 5 + 4) / 6)
    assert summary.lines[0] == "7 check-ins in the last twelve weeks."


def test_no_check_ins_at_all(boundaries: Boundaries) -> None:
    summary = summarize([], FOUR_WEEKS, TODAY, boundaries, streaks_enabled=True)
    assert summary.count == 0
    assert summary.lines == ("No check-ins yet. Your first one takes about a minute — /checkin whenever you like.",)


def test_none_lately_is_not_none_ever(boundaries: Boundaries) -> None:
    summary = summarize([Point(date(2026, 1, 1), 3)], FOUR_WEEKS, TODAY, boundaries, streaks_enabled=True)
    assert summary.lines == ("No check-ins in the last four weeks. Whenever you're ready, /checkin is here.",)
    assert summarize([Point(date(2026, 1, 1), 3)], ALL, TODAY, boundaries).count == 1


def test_one_check_in(boundaries: Boundaries) -> None:
    summary = summarize([Point(TODAY, 3, ("none",))], FOUR_WEEKS, TODAY, boundaries)
    assert summary.count == 1
    assert summary.average == 3.0
    assert summary.top_boundaries == ()  # "none today" is not a boundary held
    assert summary.lines == ("1 check-in in the last four weeks.", "Average safety: 3.0 out of 5.")


def test_three_years_of_daily_check_ins(boundaries: Boundaries) -> None:
    points = daily(1096)  # 27 Nov 2023 to 26 Nov 2026
    summary = summarize(points, ALL, TODAY, boundaries)
    assert summary.count == 1096
    assert summary.average == pytest.approx(3286 / 1096)  # 219 full cycles of 1..5, then one 1
    assert summary.previous_average is None
    assert summary.top_boundaries == (("asked_space", 366), ("saying_no", 365))
    assert summary.last_note == date(2026, 11, 23)  # index 1092, the last multiple of 7, three days before the end
    assert summary.lines[:2] == ("1,096 check-ins since 27 Nov 2023.", "Average safety: 3.0 out of 5.")

    recent = summarize(points, FOUR_WEEKS, TODAY, boundaries)
    assert recent.count == 28
    assert recent.average == pytest.approx(sum(1 + index % 5 for index in range(1068, 1096)) / 28)


def test_streaks_only_when_turned_on(boundaries: Boundaries) -> None:
    points = daily(60)
    assert not any("in a row" in line for line in summarize(points, FOUR_WEEKS, TODAY, boundaries).lines)
    summary = summarize(points, FOUR_WEEKS, TODAY, boundaries, streaks_enabled=True)
    assert summary.streak_weeks == 9  # the weeks of 28 Sep ... 23 Nov 2026: nine Mondays
    assert "9 weeks in a row with at least one check-in." in summary.lines


def test_a_week_without_a_check_in_yet_does_not_end_the_count(boundaries: Boundaries) -> None:
    monday = date(2026, 11, 23)
    points = [Point(monday - timedelta(weeks=weeks_back), 3) for weeks_back in (1, 2, 3)]
    summary = summarize(points, FOUR_WEEKS, TODAY, boundaries, streaks_enabled=True)
    assert summary.streak_weeks == 3
    assert "3 weeks in a row with at least one check-in." in summary.lines


def test_after_a_gap_there_is_simply_no_streak_line(boundaries: Boundaries) -> None:
    monday = date(2026, 11, 23)
    points = [Point(monday - timedelta(weeks=weeks_back), 3) for weeks_back in (2, 3, 4, 5, 6)]
    summary = summarize(points, FOUR_WEEKS, TODAY, boundaries, streaks_enabled=True)
    assert summary.streak_weeks == 0
    assert len(summary.lines) == 2  # the count and the average; nothing about what stopped
    for line in (*summary.lines, summary.footer):
        assert not any(word in line.lower() for word in UNKIND_WORDS), line


@pytest.mark.parametrize(("typed", "key"), [("", "4w"), ("4w", "4w"), (" 12W ", "12w"), ("all", "all"),
                                            ("12 weeks", "12w")])
def test_periods_people_type(typed: str, key: str) -> None:
    assert parse_period(typed).key == key


@pytest.mark.parametrize("typed", ["5w", "last year", "4w please"])
def test_a_period_we_cannot_read_gets_a_kind_answer(typed: str) -> None:
    with pytest.raises(PeriodError) as raised:
        parse_period(typed)
    assert str(raised.value) == ("I can show 4w (the last four weeks), 12w (the last twelve weeks) or all — "
                                 "for example /history 12w.")


def test_check_ins_land_on_the_persons_local_day() -> None:
    late = CheckinRecord(1, "daily", datetime(2026, 11, 26, 23, 30, tzinfo=UTC), 4, ("guilt",), True, None)
    early = CheckinRecord(2, "daily", datetime(2026, 11, 20, 8, 0, tzinfo=UTC), 2, (), False, None)
    assert points_from_checkins([late, early], ZoneInfo("Asia/Tokyo")) == [
        Point(date(2026, 11, 20), 2, (), False),
        Point(date(2026, 11, 27), 4, ("guilt",), True),
    ]
    assert points_from_checkins([late])[0].day == date(2026, 11, 26)
