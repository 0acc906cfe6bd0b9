"""/schedule as a person types it, and `boundary-bot schedule preview` as an operator runs it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.conversation import Conversation
from bot.scheduling.dispatcher import Dispatcher
from tests.conftest import Cli, CollectingTransport, FakeClock, Ran

SAVED = "Saved."


# ---------------------------------------------------------------- /schedule in the chat


async def test_the_schedule_form_is_filled_in_and_writing_it_back_changes_nothing(
        console: ConsoleAdapter, service: Conversation) -> None:
    """The form adapters show as a modal holds exactly the current settings: submitting it untouched saves the
    same schedule, and each field changes only itself."""
    await console.respond("/schedule weekly 18:30 wed quiet 22:00-07:00 tz Lisbon")
    form = await service.form(console.address, "schedule")
    assert form is not None
    values = {spec.name: spec.value for spec in form.fields}
    assert values == {"flow": "weekly", "days": "wed", "times": "18:30", "quiet": "22:00-07:00",
                      "zone": "Europe/Lisbon"}
    before = await console.respond("/schedule")
    untouched = await console.respond(f"/schedule {form.command_args(values)}")
    assert SAVED in untouched
    assert before.splitlines()[1] in untouched, "the same schedule, saved again"
    changed = await console.respond(f"/schedule {form.command_args({**values, 'times': '07:00, 19:00'})}")
    assert "Weekly reflection: Wed at 07:00, 19:00 (Europe/Lisbon). Quiet hours 22:00–07:00." in changed
    assert await service.form(console.address, "nonsense") is None


async def test_with_nothing_set_the_form_offers_the_usual_defaults(console: ConsoleAdapter,
                                                                   service: Conversation) -> None:
    form = await service.form(console.address, "schedule")
    assert form is not None
    assert {spec.name: spec.value for spec in form.fields} == {
        "flow": "daily", "days": "daily", "times": "", "quiet": "off", "zone": ""}
    filled = form.command_args({"flow": "daily", "days": "mon-fri", "times": "09:00", "zone": "Berlin"})
    assert filled == "daily mon-fri 09:00 tz Berlin"
    assert "Monday to Friday at 09:00 (Europe/Berlin)" in await console.respond(f"/schedule {filled}")


async def test_schedule_with_nothing_set_explains_how(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule")
    assert "don't have scheduled check-ins yet" in out
    assert "/schedule 09:00 mon-fri Europe/Berlin" in out, "with an example to copy"


async def test_weekdays_in_berlin_are_saved_and_the_next_three_times_shown(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 mon-fri Europe/Berlin")
    assert SAVED in out
    assert "Monday to Friday at 09:00 (Europe/Berlin)" in out
    assert "Next check-ins: Fri 27 Nov 09:00; Mon 30 Nov 09:00; Tue 01 Dec 09:00." in out
    again = await console.respond("/schedule")
    assert "Monday to Friday at 09:00 (Europe/Berlin)" in again, "and shown again later"
    assert SAVED not in again


async def test_next_times_are_in_the_persons_local_time(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 12:30pm daily America/New_York")
    assert "every day at 12:30 (America/New_York)" in out
    # 18:00 UTC on Thursday is 13:00 in New York: Thursday's 12:30 has passed, Friday's comes first
    assert "Next check-ins: Fri 27 Nov 12:30; Sat 28 Nov 12:30; Sun 29 Nov 12:30." in out


@pytest.mark.parametrize(("typed", "zone"), [("berlin", "Europe/Berlin"), ("Berlin", "Europe/Berlin"),
                                             ("new york", "America/New_York"), ("lord howe", "Australia/Lord_Howe")])
async def test_a_city_is_enough(console: ConsoleAdapter, typed: str, zone: str) -> None:
    out = await console.respond(f"/schedule 9am daily {typed}")
    assert SAVED in out
    assert f"every day at 09:00 ({zone})" in out


async def test_a_city_whose_name_starts_like_a_weekday_is_a_city(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 daily montevideo")
    assert "every day at 09:00 (America/Montevideo)" in out, "not 'Mondays', not another zone"


async def test_a_city_with_one_zone_under_two_names_is_not_a_question(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 daily buenos aires")
    assert SAVED in out, "Buenos Aires has one time zone; asking which one makes no sense to her"
    assert "Buenos_Aires" in out


async def test_an_offset_is_enough_when_it_names_one_zone(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 daily UTC+8:45")
    assert SAVED in out
    assert "(Australia/Eucla)" in out


async def test_a_shared_offset_asks_which_zone_and_the_answer_is_used(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 daily UTC+5:30")
    assert "Asia/Kolkata" in out
    assert "Which one?" in out
    assert SAVED not in out
    out = await console.respond("/schedule 09:00 daily Asia/Kolkata")
    assert "every day at 09:00 (Asia/Kolkata)" in out


async def test_an_ambiguous_place_asks_kindly_with_options(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 daily port")
    assert "could be several time zones" in out
    assert "Pacific/Port_Moresby" in out
    assert "Which one?" in out
    assert "don't have scheduled check-ins yet" in await console.respond("/schedule"), "nothing saved"


async def test_an_unknown_zone_asks_kindly_with_examples(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 daily atlantis")
    assert "couldn't find a time zone for 'atlantis'" in out
    assert "Berlin" in out
    assert "UTC+2" in out


async def test_no_zone_at_all_asks_for_one(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 mon-fri")
    assert "Which time zone?" in out


async def test_a_later_change_keeps_what_was_not_mentioned(console: ConsoleAdapter) -> None:
    await console.respond("/schedule 09:00 mon-fri Europe/Berlin")
    out = await console.respond("/schedule 18:30")
    assert "Monday to Friday at 18:30 (Europe/Berlin)" in out


async def test_daily_after_weekdays_means_every_day(console: ConsoleAdapter) -> None:
    await console.respond("/schedule 09:00 mon-fri Europe/Berlin")
    out = await console.respond("/schedule 09:00 daily Europe/Berlin")
    assert "every day at 09:00 (Europe/Berlin)" in out
    assert "Sat 28 Nov 09:00" in out


async def test_weekly_on_sunday_evening(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule weekly sun 18:00 Europe/Berlin")
    assert SAVED in out
    assert "Weekly reflection" in out
    assert "at 18:00 (Europe/Berlin)" in out
    assert "Next check-ins: Sun 29 Nov 18:00; Sun 06 Dec 18:00; Sun 13 Dec 18:00." in out


async def test_three_times_a_day_and_no_more(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 8am 1pm 6pm daily Europe/Berlin")
    assert "every day at 08:00, 13:00, 18:00 (Europe/Berlin)" in out
    assert "Next check-ins: Fri 27 Nov 08:00; Fri 27 Nov 13:00; Fri 27 Nov 18:00." in out
    out = await console.respond("/schedule 8am 12:00 5pm 8pm daily Europe/Berlin")
    assert "3 times a day" in out
    assert "08:00, 13:00, 18:00" in await console.respond("/schedule"), "the old schedule stays"


async def test_a_time_inside_quiet_hours_gets_a_heads_up(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 22:00 daily quiet 21:00-08:00 Europe/Berlin")
    assert "22:00 falls in your quiet hours" in out
    assert "Next check-ins" not in out, "no promise of prompts that will not come"
    out = await console.respond("/schedule 22:00 daily quiet off Europe/Berlin")
    assert "falls in your quiet hours" not in out
    assert "Next check-ins: Thu 26 Nov 22:00" in out


@pytest.mark.parametrize("typed", ["25:00", "13pm"])
async def test_a_bad_time_gets_a_clear_reply_about_the_time(console: ConsoleAdapter, typed: str) -> None:
    out = await console.respond(f"/schedule {typed} daily Europe/Berlin")
    assert typed in out
    assert "time zone" not in out, f"she typed a bad time, not a bad zone: {out}"
    assert "09:00" in out, "with a time that works"
    assert "don't have scheduled check-ins yet" in await console.respond("/schedule")


async def test_a_bad_day_gets_a_clear_reply_about_the_day(console: ConsoleAdapter) -> None:
    out = await console.respond("/schedule 09:00 funday Europe/Berlin")
    assert "funday" in out
    assert "time zone" not in out, f"she typed a bad day, not a bad zone: {out}"
    assert "mon-fri" in out, "with days that work"


async def test_schedule_off_stops_prompts(console: ConsoleAdapter, dispatcher: Dispatcher,
                                          transport: CollectingTransport, clock: FakeClock) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    out = await console.respond("/schedule off")
    assert "Scheduled check-ins are off" in out
    assert "don't have scheduled check-ins yet" in await console.respond("/schedule")
    clock.now = datetime(2026, 11, 27, 9, 5, tzinfo=ZoneInfo("Europe/Berlin")).astimezone(UTC)
    await dispatcher.tick()
    assert transport.sent == []


# ---------------------------------------------------------------- boundary-bot schedule preview


def preview(cli: Cli, tmp_path: Path, *args: str) -> Ran:
    return cli("schedule", "preview", *args, DATA_DIR=str(tmp_path / "data"))


def test_preview_lists_weekday_times_across_the_spring_change(cli: Cli, tmp_path: Path) -> None:
    result = preview(cli, tmp_path, "--days", "mon-fri", "--time", "09:00", "--tz", "Europe/Berlin",
                     "--from", "2026-03-27T00:00:00Z", "--count", "5", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"utc": "2026-03-27T08:00:00Z", "local": "2026-03-27T09:00:00+01:00"},
        {"utc": "2026-03-30T07:00:00Z", "local": "2026-03-30T09:00:00+02:00"},
        {"utc": "2026-03-31T07:00:00Z", "local": "2026-03-31T09:00:00+02:00"},
        {"utc": "2026-04-01T07:00:00Z", "local": "2026-04-01T09:00:00+02:00"},
        {"utc": "2026-04-02T07:00:00Z", "local": "2026-04-02T09:00:00+02:00"},
    ]


def test_preview_of_a_skipped_local_time_shows_the_first_valid_instant(cli: Cli, tmp_path: Path) -> None:
    result = preview(cli, tmp_path, "--time", "02:30", "--tz", "Europe/Berlin", "--from", "2026-03-28T00:00:00Z",
                     "--count", "3", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"utc": "2026-03-28T01:30:00Z", "local": "2026-03-28T02:30:00+01:00"},
        {"utc": "2026-03-29T01:00:00Z", "local": "2026-03-29T03:00:00+02:00"},
        {"utc": "2026-03-30T00:30:00Z", "local": "2026-03-30T02:30:00+02:00"},
    ]


def test_preview_with_quiet_hours_lists_nothing_inside_them(cli: Cli, tmp_path: Path) -> None:
    result = preview(cli, tmp_path, "--days", "mon-fri", "--time", "22:00", "--tz", "Europe/Berlin",
                     "--from", "2026-03-27T00:00:00Z", "--count", "5", "--quiet-hours", "21:00-08:00", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    plain = preview(cli, tmp_path, "--days", "mon-fri", "--time", "22:00", "--tz", "Europe/Berlin",
                    "--from", "2026-03-27T00:00:00Z", "--quiet-hours", "21:00-08:00")
    assert plain.returncode == 0, plain.stderr
    assert "quiet hours" in plain.stdout


def test_preview_with_quiet_hours_keeps_the_times_outside_them(cli: Cli, tmp_path: Path) -> None:
    result = preview(cli, tmp_path, "--days", "mon-fri", "--time", "07:00", "--time", "12:00", "--time", "22:00",
                     "--tz", "Europe/Berlin", "--from", "2026-03-27T00:00:00Z", "--count", "3",
                     "--quiet-hours", "21:00-08:00", "--json")
    assert result.returncode == 0, result.stderr
    assert [row["local"] for row in json.loads(result.stdout)] == [
        "2026-03-27T12:00:00+01:00", "2026-03-30T12:00:00+02:00", "2026-03-31T12:00:00+02:00"]


def test_preview_rejects_a_bad_rule_with_a_readable_message(cli: Cli, tmp_path: Path) -> None:
    result = preview(cli, tmp_path, "--time", "25:00", "--tz", "Europe/Berlin")
    assert result.returncode == 2
    assert "25:00" in result.stderr
    assert "Traceback" not in result.stderr
    result = preview(cli, tmp_path, "--time", "09:00", "--tz", "Mars/Olympus")
    assert result.returncode == 2
    assert "time zone" in result.stderr
