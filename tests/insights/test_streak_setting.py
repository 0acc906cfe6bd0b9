"""Streaks are opt-in: /history shows weeks in a row only after the person turns them on in /settings, and a
gap is never pointed out."""

from __future__ import annotations

from adapters.console.adapter import ConsoleAdapter
from tests.conftest import FakeClock

STREAK_LINE = "weeks in a row with at least one check-in"
UNKIND = ("missed", "broke", "lost", "streak", "gap", "behind")


async def checkin(console: ConsoleAdapter) -> None:
    await console.respond("/checkin")
    for answer in ("4", "1", "skip"):
        await console.respond(answer)


async def weekly(console: ConsoleAdapter, clock: FakeClock, weeks: int) -> None:
    for _ in range(weeks):
        await checkin(console)
        clock.advance(days=7)


async def set_streaks(console: ConsoleAdapter, choice: str) -> str:
    await console.respond("/settings")
    await console.respond("skip")  # country: as it was
    out = await console.respond("skip")  # notes: as they were
    assert "weeks in a row" in out
    assert "off unless you turn it on" in out
    return await console.respond(choice)


async def test_history_has_no_streak_until_it_is_turned_on(console: ConsoleAdapter, clock: FakeClock) -> None:
    await weekly(console, clock, 3)
    out = await console.respond("/history")
    assert "3 check-ins in the last four weeks." in out
    assert STREAK_LINE not in out

    saved = await set_streaks(console, "Show weeks in a row")
    assert "Weeks in a row in /history: shown." in saved
    out = await console.respond("/history")
    assert f"3 {STREAK_LINE}." in out


async def test_turning_streaks_off_again_removes_the_line(console: ConsoleAdapter, clock: FakeClock) -> None:
    await weekly(console, clock, 3)
    await set_streaks(console, "Show weeks in a row")
    assert STREAK_LINE in await console.respond("/history")
    saved = await set_streaks(console, "Leave them out")
    assert "Weeks in a row in /history: not shown." in saved
    assert STREAK_LINE not in await console.respond("/history")


async def test_skipping_the_question_keeps_the_choice(console: ConsoleAdapter, clock: FakeClock) -> None:
    await weekly(console, clock, 2)
    await set_streaks(console, "Show weeks in a row")
    saved = await set_streaks(console, "skip")
    assert "Weeks in a row in /history: shown." in saved


async def test_after_a_quiet_stretch_nothing_points_at_the_gap(console: ConsoleAdapter, clock: FakeClock) -> None:
    await set_streaks(console, "Show weeks in a row")
    await weekly(console, clock, 3)
    clock.advance(days=14)  # two weeks without a check-in
    out = (await console.respond("/history")).lower()
    assert STREAK_LINE not in out, "no count of zero, and no 'you broke it'"
    for word in UNKIND:
        assert word not in out.replace(STREAK_LINE, ""), word
    await checkin(console)
    clock.advance(days=7)
    await checkin(console)
    out = await console.respond("/history")
    assert f"2 {STREAK_LINE}." in out, "a new run simply counts from where it starts"
