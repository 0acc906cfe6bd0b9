"""The calendar math a person relies on without seeing it: one prompt per chosen local time, in any zone,
on any day of the year, and the words people type to choose them. Pure: no database, no clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from bot.scheduling.rules import (
    DEFAULT_QUIET,
    EVERY_DAY,
    WEEKDAYS,
    WEEKEND,
    Firing,
    Rule,
    RuleError,
    find_zones,
    firings_after,
    in_quiet_hours,
    last_firing_at_or_before,
    next_firing,
    parse_days,
    parse_quiet,
    parse_time,
    zone_info,
)

MON, TUE, WED, THU, FRI, SAT, SUN = (1 << index for index in range(7))
NOW = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def on_local_day(rule: Rule, day: date) -> list[Firing]:
    """Every firing whose local date is `day` (searching a generous window around it)."""
    start = datetime.combine(day, time(0), tzinfo=rule.tz).astimezone(UTC) - timedelta(days=2)
    found: list[Firing] = []
    for firing in firings_after(rule, start):
        local_day = firing.local(rule.zone).date()
        if local_day > day + timedelta(days=1):
            break
        if firing.slot.startswith(day.isoformat()):
            found.append(firing)
    return found


def daily(at: str, zone: str, *, quiet: tuple[time, time] | None = None) -> Rule:
    return Rule(EVERY_DAY, (time.fromisoformat(at),), zone, quiet)


# ---------------------------------------------------------------- DST, zone by zone


def test_new_york_spring_forward_fires_at_the_first_valid_instant_after_the_chosen_time() -> None:
    rule = daily("02:30", "America/New_York")
    firings = on_local_day(rule, date(2026, 3, 8))
    assert len(firings) == 1, "02:30 does not exist that night, but the prompt still comes, once"
    (firing,) = firings
    assert firing.at == utc(2026, 3, 8, 7, 0)
    assert firing.local(rule.zone).strftime("%H:%M %Z") == "03:00 EDT", "03:00, not 03:30 (CronTrigger's habit)"
    assert firing.slot == "2026-03-08T02:30", "the slot names the chosen time, not the shifted one"


def test_new_york_fall_back_fires_an_ambiguous_time_once_at_its_first_occurrence() -> None:
    rule = daily("01:30", "America/New_York")
    firings = on_local_day(rule, date(2026, 11, 1))
    assert [firing.at for firing in firings] == [utc(2026, 11, 1, 5, 30)], "01:30 EDT, not again at 01:30 EST"
    assert firings[0].local(rule.zone).strftime("%H:%M %Z") == "01:30 EDT"
    assert firings[0].slot == "2026-11-01T01:30"
    following = next_firing(rule, firings[0].at)
    assert following.slot == "2026-11-02T01:30", "the next one is the next day, not an hour later"
    assert following.at == utc(2026, 11, 2, 6, 30)


def test_new_york_days_around_the_changes_keep_the_same_local_time() -> None:
    rule = daily("09:00", "America/New_York")
    starts = [utc(2026, 3, 6), utc(2026, 10, 30)]
    for start in starts:
        locals_ = [firing.local(rule.zone) for firing in islice(firings_after(rule, start), 5)]
        assert [moment.strftime("%H:%M") for moment in locals_] == ["09:00"] * 5
        assert len({moment.date() for moment in locals_}) == 5, "one per day, five different days"


def test_berlin_spring_forward_and_fall_back() -> None:
    rule = daily("02:30", "Europe/Berlin")
    spring = on_local_day(rule, date(2026, 3, 29))
    assert [(firing.at, firing.slot) for firing in spring] == [(utc(2026, 3, 29, 1, 0), "2026-03-29T02:30")]
    assert spring[0].local(rule.zone).strftime("%H:%M %Z") == "03:00 CEST"
    autumn = on_local_day(rule, date(2026, 10, 25))
    assert [(firing.at, firing.slot) for firing in autumn] == [(utc(2026, 10, 25, 0, 30), "2026-10-25T02:30")]
    assert autumn[0].local(rule.zone).strftime("%H:%M %Z") == "02:30 CEST", "the first 02:30, in summer time"


def test_berlin_nine_oclock_moves_in_utc_but_not_on_the_wall() -> None:
    rule = daily("09:00", "Europe/Berlin")
    firings = list(islice(firings_after(rule, utc(2026, 3, 28)), 2))
    assert [firing.at for firing in firings] == [utc(2026, 3, 28, 8, 0), utc(2026, 3, 29, 7, 0)]
    firings = list(islice(firings_after(rule, utc(2026, 10, 24)), 2))
    assert [firing.at for firing in firings] == [utc(2026, 10, 24, 7, 0), utc(2026, 10, 25, 8, 0)]
    assert {firing.local(rule.zone).strftime("%H:%M") for firing in firings} == {"09:00"}


def test_lord_howe_half_hour_spring_forward_fires_at_half_past_two() -> None:
    rule = daily("02:15", "Australia/Lord_Howe")
    firings = on_local_day(rule, date(2026, 10, 4))
    assert len(firings) == 1
    local = firings[0].local(rule.zone)
    assert (local.hour, local.minute) == (2, 30), "02:00-02:30 is skipped there; 02:30 is the first valid instant"
    assert local.utcoffset() == timedelta(hours=11)
    assert firings[0].at == utc(2026, 10, 3, 15, 30)
    assert firings[0].slot == "2026-10-04T02:15"


def test_lord_howe_april_fall_back_fires_once() -> None:
    rule = daily("01:45", "Australia/Lord_Howe")
    firings = on_local_day(rule, date(2026, 4, 5))
    assert [firing.at for firing in firings] == [utc(2026, 4, 4, 14, 45)], "01:45 happens twice; asked once"
    assert firings[0].local(rule.zone).utcoffset() == timedelta(hours=11), "the first occurrence"
    assert next_firing(rule, firings[0].at).slot == "2026-04-06T01:45"


def test_sydney_changes_the_other_way_round() -> None:
    rule = daily("02:30", "Australia/Sydney")
    autumn = on_local_day(rule, date(2026, 4, 5))  # southern autumn: clocks go back
    assert [firing.at for firing in autumn] == [utc(2026, 4, 4, 15, 30)]
    assert autumn[0].local(rule.zone).strftime("%H:%M %Z") == "02:30 AEDT"
    spring = on_local_day(rule, date(2026, 10, 4))  # southern spring: clocks go forward
    assert [firing.at for firing in spring] == [utc(2026, 10, 3, 16, 0)]
    assert spring[0].local(rule.zone).strftime("%H:%M %Z") == "03:00 AEDT"
    assert spring[0].slot == "2026-10-04T02:30"


def test_utc_is_plain() -> None:
    rule = daily("09:00", "UTC")
    firings = list(islice(firings_after(rule, utc(2026, 3, 28)), 3))
    assert [firing.at for firing in firings] == [utc(2026, 3, 28, 9), utc(2026, 3, 29, 9), utc(2026, 3, 30, 9)]
    assert [firing.slot for firing in firings] == ["2026-03-28T09:00", "2026-03-29T09:00", "2026-03-30T09:00"]


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Australia/Sydney",
                                  "UTC"])
def test_a_whole_year_gives_exactly_one_firing_per_local_day(zone: str) -> None:
    rule = Rule(EVERY_DAY, (time(1, 30), time(2, 30), time(9, 0)), zone, None)
    new_year = datetime(2026, 1, 1, tzinfo=ZoneInfo(zone)).astimezone(UTC) - timedelta(microseconds=1)
    firings = list(islice(firings_after(rule, new_year), 365 * 3))
    slots = [firing.slot for firing in firings]
    assert len(set(slots)) == len(slots), "no slot twice"
    assert [firing.at for firing in firings] == sorted(firing.at for firing in firings)
    days = {slot[:10] for slot in slots}
    assert days == {(date(2026, 1, 1) + timedelta(days=offset)).isoformat() for offset in range(365)}
    for firing in firings:
        local = firing.local(zone)
        assert local.date().isoformat() == firing.slot[:10], "each firing happens on the local day it stands for"
        assert local.strftime("%H:%M") >= firing.slot[11:], "never earlier than the chosen time"


def test_the_instant_of_a_firing_counts_as_at_or_before_it() -> None:
    rule = daily("09:00", "Europe/Berlin")
    firing = next_firing(rule, NOW)
    assert last_firing_at_or_before(rule, firing.at) == firing
    before = last_firing_at_or_before(rule, firing.at - timedelta(seconds=1))
    assert before is not None
    assert before.slot == "2026-11-26T09:00"


# ---------------------------------------------------------------- days and times


def test_weekdays_only_skip_the_weekend() -> None:
    rule = Rule(WEEKDAYS, (time(9),), "Europe/Berlin")
    firings = list(islice(firings_after(rule, NOW), 6))  # from Thursday evening
    assert [firing.slot for firing in firings] == ["2026-11-27T09:00", "2026-11-30T09:00", "2026-12-01T09:00",
                                                   "2026-12-02T09:00", "2026-12-03T09:00", "2026-12-04T09:00"]


def test_chosen_days_only() -> None:
    rule = Rule(MON | WED | FRI, (time(18),), "Europe/Berlin")
    days = [firing.local(rule.zone).strftime("%a") for firing in islice(firings_after(rule, NOW), 6)]
    assert days == ["Fri", "Mon", "Wed", "Fri", "Mon", "Wed"]
    weekend = Rule(WEEKEND, (time(10),), "Europe/Berlin")
    days = [firing.local(weekend.zone).strftime("%a %d") for firing in islice(firings_after(weekend, NOW), 4)]
    assert days == ["Sat 28", "Sun 29", "Sat 05", "Sun 06"]


def test_three_times_a_day_in_order_each_with_its_own_slot() -> None:
    rule = Rule(EVERY_DAY, (time(20), time(8), time(13)), "Europe/Berlin", None)
    firings = list(islice(firings_after(rule, utc(2026, 11, 27, 0)), 6))
    assert [firing.slot for firing in firings] == [
        "2026-11-27T08:00", "2026-11-27T13:00", "2026-11-27T20:00",
        "2026-11-28T08:00", "2026-11-28T13:00", "2026-11-28T20:00"]
    assert [firing.local(rule.zone).strftime("%H:%M") for firing in firings[:3]] == ["08:00", "13:00", "20:00"]


def test_a_fourth_time_or_no_day_is_refused_kindly() -> None:
    with pytest.raises(RuleError, match="one to 3 times"):
        Rule(EVERY_DAY, (time(8), time(12), time(16), time(20)), "UTC")
    with pytest.raises(RuleError, match="at least one day"):
        Rule(0, (time(8),), "UTC")
    with pytest.raises(RuleError, match="time zone"):
        Rule(EVERY_DAY, (time(8),), "Mars/Olympus_Mons")


# ---------------------------------------------------------------- quiet hours


def berlin(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 27, hour, minute, tzinfo=ZoneInfo("Europe/Berlin"))


def test_quiet_hours_across_midnight() -> None:
    quiet = (time(21), time(8))
    assert [in_quiet_hours(berlin(hour, minute), quiet) for hour, minute in
            [(20, 59), (21, 0), (23, 30), (0, 0), (3, 0), (7, 59), (8, 0), (12, 0)]] == \
        [False, True, True, True, True, True, False, False]


def test_quiet_hours_within_a_day() -> None:
    quiet = (time(12), time(14))
    assert [in_quiet_hours(berlin(hour, minute), quiet) for hour, minute in
            [(11, 59), (12, 0), (13, 30), (14, 0), (23, 0), (3, 0)]] == [False, True, True, False, False, False]


def test_no_quiet_hours_means_never_quiet() -> None:
    assert not in_quiet_hours(berlin(3), None)
    assert (time(21), time(8)) == DEFAULT_QUIET, "the default protects the night"


def test_firings_inside_quiet_hours_are_left_out_when_asked() -> None:
    rule = Rule(EVERY_DAY, (time(7), time(12), time(22)), "Europe/Berlin", (time(21), time(8)))
    kept = [firing.slot[11:] for firing in islice(firings_after(rule, NOW, quiet=True), 4)]
    assert kept == ["12:00"] * 4
    lunch = Rule(EVERY_DAY, (time(9), time(13)), "Europe/Berlin", (time(12, 30), time(14)))
    assert {firing.slot[11:] for firing in islice(firings_after(lunch, NOW, quiet=True), 6)} == {"09:00"}


# ---------------------------------------------------------------- what people type


@pytest.mark.parametrize(("typed", "expected"), [
    ("9am", time(9)), ("9 am", time(9)), ("9AM", time(9)), ("6pm", time(18)), ("6:30pm", time(18, 30)),
    ("12am", time(0)), ("12pm", time(12)), ("18:00", time(18)), ("09:00", time(9)), ("9:05", time(9, 5)),
    ("7", time(7)), (" 21:15 ", time(21, 15)), ("0:00", time(0)), ("23:59", time(23, 59)),
])
def test_parse_time_reads_what_people_type(typed: str, expected: time) -> None:
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "24:00", "9:75", "13pm", "0am", "noon-ish", "", "9.30.1", "nine", "-1"])
def test_parse_time_rejects_nonsense_and_says_how(typed: str) -> None:
    with pytest.raises(RuleError) as problem:
        parse_time(typed)
    assert "09:00" in str(problem.value), "the message shows a time that works"


@pytest.mark.parametrize(("typed", "expected"), [
    ("mon-fri", WEEKDAYS), ("weekdays", WEEKDAYS), ("weekends", WEEKEND), ("weekend", WEEKEND),
    ("daily", EVERY_DAY), ("mon,wed,fri", MON | WED | FRI), ("sat sun", SAT | SUN), ("fri-mon", FRI | SAT | SUN | MON),
    ("sun-tue", SUN | MON | TUE), ("Monday", MON), ("tuesdays", TUE), ("MON-FRI", WEEKDAYS), ("thu", THU),
])
def test_parse_days_reads_what_people_type(typed: str, expected: int) -> None:
    assert parse_days(typed) == expected


@pytest.mark.parametrize("typed", ["funday", "mon-wed-fri", "", ",", "xyz-fri", "8"])
def test_parse_days_rejects_nonsense_and_says_how(typed: str) -> None:
    with pytest.raises(RuleError) as problem:
        parse_days(typed)
    assert "mon-fri" in str(problem.value), "the message shows days that work"


@pytest.mark.parametrize("typed", ["montevideo", "monterrey", "sunny"])
def test_parse_days_does_not_read_any_word_that_starts_like_a_day_as_that_day(typed: str) -> None:
    """'/schedule 09:00 montevideo' must not quietly become 'Mondays'."""
    with pytest.raises(RuleError):
        parse_days(typed)


def test_parse_quiet_reads_ranges_and_off() -> None:
    assert parse_quiet("21:00-08:00") == (time(21), time(8))
    assert parse_quiet("9pm to 7am") == (time(21), time(7))
    assert parse_quiet("22:00–06:30") == (time(22), time(6, 30))
    assert parse_quiet("12:00-13:00") == (time(12), time(13))
    assert parse_quiet("off") is None
    for nonsense in ("21:00", "late", "21:00-08:00-09:00"):
        with pytest.raises(RuleError, match="21:00-08:00"):
            parse_quiet(nonsense)
    with pytest.raises(RuleError, match="09:00"):
        parse_quiet("25:00-08:00")


# ---------------------------------------------------------------- finding a zone


def test_find_zones_by_city_name() -> None:
    assert find_zones("berlin") == ["Europe/Berlin"]
    assert find_zones("Berlin") == ["Europe/Berlin"]
    assert find_zones("new york") == ["America/New_York"]
    assert find_zones("lord howe") == ["Australia/Lord_Howe"]


def test_find_zones_by_iana_name_and_utc() -> None:
    assert find_zones("Europe/Berlin") == ["Europe/Berlin"]
    assert find_zones("UTC") == ["UTC"]


def test_find_zones_by_offset_gives_zones_with_that_offset_now() -> None:
    found = find_zones("UTC+5:30", now=NOW)
    assert "Asia/Kolkata" in found
    assert all(NOW.astimezone(ZoneInfo(zone)).utcoffset() == timedelta(hours=5, minutes=30) for zone in found)
    assert find_zones("UTC+8:45", now=NOW) == ["Australia/Eucla"]
    assert "America/New_York" in find_zones("UTC-5", now=NOW, limit=500), "New York is UTC-5 in November"
    assert "America/New_York" not in find_zones("UTC-5", now=utc(2026, 7, 1), limit=500), "and UTC-4 in July"


@pytest.mark.parametrize("typed", ["atlantis", "", "   ", "Mars/Olympus_Mons", "UTC+99"])
def test_find_zones_unknown_is_empty(typed: str) -> None:
    assert find_zones(typed, now=NOW) == []


@pytest.mark.parametrize("name", ["x" * 300, "Europe/" + "y" * 300])
def test_a_name_too_long_for_the_file_system_is_just_an_unknown_zone(name: str) -> None:
    """Found by the hostile-input drill: the zone lookup's OSError became the generic apology."""
    assert find_zones(name) == []
    with pytest.raises(RuleError, match="not a time zone I know"):
        zone_info(name)


def test_claim_firings_agrees_with_the_exact_math_everywhere_and_around_every_dst_change() -> None:
    """The claim's fast path (plain arithmetic on days without a DST change) gives exactly what
    `next_firing` and `last_firing_at_or_before` give: every zone, random rules, moments around changes."""
    from random import Random

    from bot.scheduling.rules import _zones, claim_firings

    rng = Random(16)
    zones = _zones()
    for index in range(6000):
        zone = zones[index % len(zones)]
        times = tuple(sorted({time(rng.randrange(24), rng.choice((0, 15, 30, 45, rng.randrange(60))))
                              for _ in range(rng.randint(1, 3))}))
        rule = Rule(rng.randrange(1, EVERY_DAY + 1), times, zone, None)
        month = rng.choice((1, 3, 4, 6, 9, 10, 11, 12))
        moment = datetime(2026, month, rng.randint(1, 28), tzinfo=UTC) + timedelta(minutes=rng.randrange(4 * 1440))
        assert claim_firings(rule, moment) == (next_firing(rule, moment), last_firing_at_or_before(rule, moment)), \
            (rule, moment)
