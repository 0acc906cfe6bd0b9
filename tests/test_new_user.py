"""The rough edges a newcomer met (issue 18), each as the console shows it: nothing is lost or erased without
asking, no question traps anyone, and what the bot says is true and reads as good English."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import pty
import random
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest

import bot.app
from adapters.console.adapter import ConsoleAdapter
from adapters.slack.manifest import bot_scopes
from bot.__main__ import main as cli_main
from bot.app import build_app, configure_logging
from bot.config import Settings
from bot.content.loader import Content
from bot.content.schema import Tip
from bot.content.tips import TipPicker, TipRequest
from bot.flows.engine import build_outcome
from bot.insights import Point, boundaries_from_content
from bot.insights.chart import chart_figure
from bot.scheduling.dispatcher import Dispatcher
from bot.storage.repository import Repository
from tests.conftest import CollectingTransport, FakeClock

ROOT = Path(__file__).resolve().parent.parent
NOTE = "Marjoram-quarry 5120 my sister called late again"


def read_json(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return cast(dict[str, Any], json.load(handle))


def squash(text: str) -> str:
    return " ".join(text.split())


async def daily_with_note(console: ConsoleAdapter, note: str = NOTE) -> str:
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("1")
    return await console.respond(note)


# ---------------------------------------------------------------- nothing erased without asking


async def test_numbers_only_asks_before_erasing_past_words_and_offers_export(
    console: ConsoleAdapter, repository: Repository, content: Content
) -> None:
    await daily_with_note(console)
    me = await repository.identity_id(console.address)
    await console.respond("/settings")
    await console.respond("skip")
    out = await console.respond("Numbers only")
    assert "erases the words I've kept so far" in squash(out)
    assert "/export" in out
    assert "1. Yes, erase my past words" in out
    assert (await repository.export(me))["checkins"][0]["own_words"] == {"note": NOTE}, "nothing gone yet"

    out = await console.respond("/export")
    assert "Saved:" in out
    out = await console.respond("no")
    assert "weeks in a row" in out
    out = await console.respond("skip")
    assert "Your own words: kept, encrypted." in out
    assert (await repository.export(me))["checkins"][0]["own_words"] == {"note": NOTE}


async def test_numbers_only_confirmed_with_yes_erases_past_words(console: ConsoleAdapter,
                                                                 repository: Repository) -> None:
    await daily_with_note(console)
    me = await repository.identity_id(console.address)
    await console.respond("/settings")
    await console.respond("skip")
    await console.respond("2")
    await console.respond("yes")
    out = await console.respond("skip")
    assert "Your own words: not kept (numbers only)." in out
    assert (await repository.export(me))["checkins"][0]["own_words"] == {}


async def test_numbers_only_with_no_words_kept_does_not_ask(console: ConsoleAdapter) -> None:
    await console.respond("/settings")
    await console.respond("skip")
    out = await console.respond("Numbers only")
    assert "erases" not in out
    assert "weeks in a row" in out


# ---------------------------------------------------------------- yes/no questions take yes and no


async def test_forget_takes_no_and_cancel_says_nothing_was_erased(console: ConsoleAdapter, content: Content,
                                                                  repository: Repository) -> None:
    await daily_with_note(console)
    me = await repository.identity_id(console.address)
    out = await console.respond("/forget")
    assert "(type yes or no)" in out
    out = await console.respond("no")
    assert content.texts.get("forget_kept") in out
    await console.respond("/forget")
    out = await console.respond("skip")
    assert "Please answer yes or no" in out
    assert "or 'skip'" not in out
    out = await console.respond("/cancel")
    assert content.texts.get("forget_kept") in out
    assert "check-in" not in out
    assert await repository.checkin_count(me) == 1


async def test_forget_takes_yes(console: ConsoleAdapter, content: Content, repository: Repository) -> None:
    await daily_with_note(console)
    me = await repository.identity_id(console.address)
    await console.respond("/forget")
    out = await console.respond("Yes")
    assert content.texts.get("forgotten") in out
    assert await repository.checkin_count(me) == 0


async def test_cancel_in_settings_says_the_settings_stay(console: ConsoleAdapter) -> None:
    await console.respond("/settings")
    out = await console.respond("/cancel")
    assert "Okay, your settings stay as they were." in out


# ---------------------------------------------------------------- exports


async def test_two_exports_in_the_same_second_are_two_files(console: ConsoleAdapter, tmp_path: Path) -> None:
    await daily_with_note(console)
    first = await console.respond("/export")
    await console.respond("/checkin")
    await console.respond("4")
    second = await console.respond("/export")  # the clock has not moved: the same second
    first_paths = first.split("Saved: ", 1)[1].split()[0].rstrip(",")
    second_paths = second.split("Saved: ", 1)[1].split()[0].rstrip(",")
    assert first_paths != second_paths
    exports = sorted((tmp_path / "exports").glob("*.json"))
    assert len(exports) == 2
    first_export = read_json(first_paths)
    assert len(first_export["checkins"]) == 1, "the first export is as it was"


# ---------------------------------------------------------------- an unfinished flow is never set aside unasked


async def test_checkin_over_an_unfinished_flow_asks_and_keeps_it(console: ConsoleAdapter,
                                                                 repository: Repository) -> None:
    await console.respond("/checkin prepare")
    await console.respond("you shout when I disagree")
    out = await console.respond("/checkin")
    assert "partway through your Prepare a hard conversation" in out
    assert "/checkin daily new" in out
    assert "How do you feel when it happens?" in out, "its question is asked again"
    out = await console.respond("small")
    assert "What do you need instead?" in out, "the unfinished flow carried on"

    out = await console.respond("/checkin daily new")
    assert "How emotionally safe did you feel today" in out
    assert "set your unfinished Prepare a hard conversation aside" in out


async def test_a_prompt_due_during_another_flow_says_so_and_leaves_the_flow(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    clock.now = datetime(2026, 11, 27, 7, 55, tzinfo=UTC)  # 08:55 in Berlin
    await console.respond("/checkin repair")
    await console.respond("our argument about the holidays")
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)
    await dispatcher.tick()
    [said] = transport.texts_for("ana")
    assert "It's time for your Daily check-in" in said
    assert "/checkin daily" in said
    out = await console.respond("that I care about us")
    assert "To feel safe again" in out or "feel safe with them again" in out, "the repair flow carried on"


# ---------------------------------------------------------------- leaving: Ctrl-C, Ctrl-D, shutdown


def _bot_env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DISCORD_", "SLACK_")) and key not in {"ADAPTER", "DATABASE_URL", "ENCRYPTION_KEYS",
                                                                          "CONTENT_DIR", "CONSOLE_USER"}}
    env.update(DATA_DIR=str(data_dir), LOG_LEVEL="INFO", PYTHONUNBUFFERED="1")
    return env


def _read_until(fd: int, marker: bytes, limit: float = 60.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + limit
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            raise AssertionError(f"waited for {marker!r}, got {seen[-500:]!r}")
        chunk = os.read(fd, 4096)
        if not chunk:
            raise AssertionError(f"output ended before {marker!r}: {seen[-500:]!r}")
        seen += chunk
    return seen


def _at_the_interactive_prompt(tmp_path: Path, press: Callable[[subprocess.Popen[bytes], int], object]
                               ) -> tuple[int, bytes]:
    """`make run` in a terminal: once it waits for the person, `press` (given the process and the terminal);
    the exit code and stderr, within 20 s (before the Ctrl-C fix it blocked until Enter)."""
    main, child = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=child, stdout=child,
                               stderr=subprocess.PIPE, env=_bot_env(tmp_path / "data"), cwd=ROOT)
    os.close(child)
    try:
        _read_until(main, b"Ctrl-D to leave.")
        press(process, main)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
    return process.returncode, stderr


def test_ctrl_c_at_the_interactive_prompt_quits_at_once_without_a_traceback(tmp_path: Path) -> None:
    returncode, stderr = _at_the_interactive_prompt(
        tmp_path, lambda process, terminal: process.send_signal(signal.SIGINT))
    assert returncode == 130
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    assert b"CancelledError" not in stderr


def test_ctrl_c_while_a_pipe_is_open_quits_at_once_without_a_traceback(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=_bot_env(tmp_path / "data"), cwd=ROOT)
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        process.stdin.write(b"/help\n")
        process.stdin.flush()
        _read_until(process.stdout.fileno(), b"/help \xe2\x80\x94 this list")
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)
        stderr = process.stderr.read() if process.stderr else b""
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
    assert b"CancelledError" not in stderr


async def test_shutdown_cancels_a_running_job_without_an_error(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    # The job never ends, so shutdown's grace runs out whatever its length: 0.1 s instead of 5 takes the same path.
    monkeypatch.setattr(bot.app, "SHUTDOWN_GRACE_SECONDS", 0.1)
    executor_log = logging.getLogger("apscheduler.executors.default")
    kept = list(executor_log.filters)
    configure_logging("INFO")
    started = asyncio.Event()

    async def long_job() -> None:
        started.set()
        await asyncio.Event().wait()

    try:
        with caplog.at_level(logging.INFO):
            async with build_app(Settings(data_dir=tmp_path / "data")) as app:
                app.scheduler.add_job(long_job, "date", run_date=datetime.now(UTC), id="long")
                app.scheduler.add_job(long_job, "date", run_date=datetime.now(UTC), id="unstarted")
                await started.wait()
            for _ in range(5):  # whatever the shutdown left to unwind gets its turns
                await asyncio.sleep(0)
    finally:
        executor_log.filters[:] = kept
    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert errors == [], [record.getMessage() for record in errors]


# ---------------------------------------------------------------- offsets people type


@pytest.mark.parametrize(("typed", "shown", "berlin_time"), [
    ("UTC+2", "UTC+2", "Fri 27 Nov 09:00"), ("UTC+02:00", "UTC+2", "Fri 27 Nov 09:00"),
    ("GMT+1", "UTC+1", "Fri 27 Nov 09:00"), ("UTC-5", "UTC-5", "Fri 27 Nov 09:00"),
])
async def test_an_offset_resolves_to_a_fixed_zone_and_says_it_ignores_daylight_saving(
        console: ConsoleAdapter, typed: str, shown: str, berlin_time: str) -> None:
    out = await console.respond(f"/schedule 09:00 daily {typed}")
    assert "Saved." in out
    assert "Which one?" not in out
    assert f"every day at 09:00 ({shown})" in out
    assert "won't move with daylight saving" in out
    assert berlin_time in out, "the next check-ins are shown in the person's own offset"
    assert "Etc/GMT" not in out


# ---------------------------------------------------------------- drafts in good English


@pytest.mark.parametrize(("step_id", "typed", "line"), [
    ("need", "I need her to ask before she borrows my car", "What I need is for her to ask before she borrows my car."),
    ("need", "I need you to listen", "What I need is for you to listen."),
    ("need", "her to ask first", "What I need is for her to ask first."),
    ("need", "I really need some quiet after work", "What I need is some quiet after work."),
    ("need", "to be asked first", "What I need is to be asked first."),
    ("need", "space", "What I need is space."),
    ("if_crossed", "I will put my phone away", "If it happens again, I'll put my phone away."),
    ("if_crossed", "I'll leave the room", "If it happens again, I'll leave the room."),
    ("if_crossed", "I\u2019m going to go for a walk", "If it happens again, I'll go for a walk."),
    ("if_crossed", "I would hang up", "If it happens again, I'll hang up."),
    ("if_crossed", "Leave", "If it happens again, I'll leave."),
    ("feel", "I'm scared", "When you shout, I feel scared."),
    ("feel", "I am really hurt", "When you shout, I feel really hurt."),
    ("feel", "It makes me feel small", "When you shout, I feel small."),
    ("feel", "like nobody listens", "When you shout, I feel like nobody listens."),
    ("feel", "Feeling invisible", "When you shout, I feel invisible."),
])
def test_prepare_drafts_read_as_good_english_for_natural_answers(content: Content, step_id: str, typed: str,
                                                                 line: str) -> None:
    answers: dict[str, Any] = {"happened": "you shout", "feel": "small", "need": None, "if_crossed": None}
    answers[step_id] = typed
    assert line in build_outcome(content.flows["prepare"], answers).lines


@pytest.mark.parametrize(("step_id", "typed", "line"), [
    ("what_happened", "we argued about money",
     "I've been thinking about what happened between us: we argued about money."),
    ("what_happened", "Our argument about the holidays",
     "I've been thinking about what happened between us: our argument about the holidays."),
    ("what_happened", "I walked out on you", "I've been thinking about what happened between us: I walked out on you."),
    ("want_known", "I care about us", "I want you to know I care about us."),
    ("want_known", "I want you to know that I'm sorry", "I want you to know that I'm sorry."),
    ("need_safe", "I need us to take a break when it gets heated",
     "To feel safe with you again, I need us to take a break when it gets heated."),
    ("need_safe", "I'd need you to stop yelling", "To feel safe with you again, I need you to stop yelling."),
])
def test_repair_drafts_read_as_good_english_for_natural_answers(content: Content, step_id: str, typed: str,
                                                                line: str) -> None:
    answers: dict[str, Any] = {"what_happened": None, "want_known": None, "need_safe": None}
    answers[step_id] = typed
    assert line in build_outcome(content.flows["repair"], answers).lines


# ---------------------------------------------------------------- tips open on what the person said


def _opening(tip: Tip) -> str:
    return tip.body.split(".")[0]


@pytest.mark.parametrize("topic", ["saying-no", "work", "space", "family", "guilt-and-manipulation", "energy"])
async def test_a_tip_asked_for_by_topic_never_opens_on_something_the_person_did(
        console: ConsoleAdapter, content: Content, topic: str) -> None:
    told = set()
    for _ in range(12):
        out = await console.respond(f"/tip {topic}")
        told.update(tip.id for tip in content.tips if tip.title in out)
    shown = [tip for tip in content.tips if tip.id in told]
    assert shown
    for tip in shown:
        assert tip.stage != "reinforce", f"/tip {topic} showed {tip.id}: {_opening(tip)}"


def test_a_checkin_tip_opens_only_on_the_kind_of_boundary_held(content: Content) -> None:
    picker = TipPicker(content.tips, random.Random(3))
    request = TipRequest(tags=("saying-no",), safety=4, boundaries=("saying_no",))
    for tip in content.tips:
        if picker.score(tip, request) > 0 and tip.stage == "reinforce":
            assert tip.tags[0] == "saying-no", f"{tip.id} opens: {_opening(tip)}"
    bodies = " ".join(tip.body for tip in content.tips)
    for assumed in ("You said no and they pushed", "You held a workload boundary today",
                    "You held a boundary and someone is disappointed"):
        assert assumed not in bodies


# ---------------------------------------------------------------- /history counts what it says


async def test_history_counts_check_ins_not_drafts_or_all_skipped_flows(console: ConsoleAdapter) -> None:
    await daily_with_note(console)  # a score (2) and a boundary
    for flow, answers in (("prepare", ["you shout", "small", "quiet", "leave"]),
                          ("prepare", ["skip", "skip", "skip", "skip"]),
                          ("repair", ["our fight", "I care", "a break"])):
        await console.respond(f"/checkin {flow}")
        for answer in answers:
            await console.respond(answer)
    await console.respond("/checkin")
    await console.respond("skip")
    await console.respond("1")  # boundaries, no score
    await console.respond("skip")
    out = squash(await console.respond("/history"))
    assert "2 check-ins in the last four weeks." in out
    assert "Average safety: 2.0 out of 5." in out


# ---------------------------------------------------------------- the chart and its observations


def _drawn(points: list[Point], start: date, end: date, content: Content) -> Any:
    pytest.importorskip("matplotlib")
    return chart_figure(points, start, end, boundaries_from_content(content), content.texts.values)


def test_the_average_line_breaks_at_a_three_week_gap_and_is_only_in_the_legend_when_drawn(content: Content) -> None:
    end = date(2026, 12, 20)
    before = [Point(date(2026, 11, 2) + timedelta(days=day), 2, ()) for day in range(5)]
    after = [Point(date(2026, 11, 30) + timedelta(days=day), 5, ()) for day in range(5)]
    figure = _drawn(before + after, date(2026, 10, 26), end, content)
    scores_axes = figure.axes[0]
    lines = [line for line in scores_axes.get_lines() if line.get_linestyle() == "-"]
    assert len(lines) == 2, "one average line each side of the gap, none across it"
    for line in lines:
        assert len(set(line.get_ydata())) == 1, "no climb drawn that never happened"
    assert [text.get_text() for text in scores_axes.get_legend().get_texts()] == [
        "a check-in", content.texts.get("chart_average_legend", days=7)]

    lonely = [Point(date(2026, 11, 2), 3, ()), Point(date(2026, 12, 1), 4, ())]
    figure = _drawn(lonely, date(2026, 10, 26), end, content)
    assert [text.get_text() for text in figure.axes[0].get_legend().get_texts()] == ["a check-in"]


def test_chart_dates_have_one_style(content: Content) -> None:
    points = [Point(date(2026, 11, 1) + timedelta(days=day), 3, ()) for day in range(0, 40, 3)]
    figure = _drawn(points, date(2026, 10, 30), date(2026, 12, 10), content)
    figure.canvas.draw()
    labels = [label.get_text() for label in figure.axes[1].get_xticklabels() if label.get_text()]
    assert labels
    for label in labels:
        assert re.fullmatch(r"[1-9]\d? [A-Z][a-z]{2}", label), labels


def test_an_observation_does_not_read_as_a_cause(content: Content) -> None:
    for key in ("insights_observation_higher", "insights_observation_lower"):
        text = content.texts.get(key, boundary="said no")
        assert text.startswith("In weeks when you said no")
        assert "doesn't mean one caused the other" in text


# ---------------------------------------------------------------- schedules say what was asked for


async def test_a_daily_schedule_after_a_weekly_one_is_the_daily_check_in(console: ConsoleAdapter) -> None:
    await console.respond("/schedule weekly sun 18:00 Europe/Berlin")
    out = await console.respond("/schedule 09:00 mon-fri Europe/Berlin")
    assert "Daily check-in: Monday to Friday at 09:00 (Europe/Berlin)." in out
    assert "Weekly reflection" not in out
    out = await console.respond("/schedule weekly mon-fri 18:00")
    assert "once a week, so pick one day" in out
    assert "Daily check-in: Monday to Friday at 09:00" in await console.respond("/schedule"), "nothing changed"


async def test_quiet_hours_are_not_added_unasked_and_an_early_time_is_kept(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock) -> None:
    out = await console.respond("/schedule 07:00 daily Europe/Berlin")
    assert "Quiet hours" not in out
    assert "falls in your quiet hours" not in out
    assert "Next check-ins: Fri 27 Nov 07:00" in out
    assert "/schedule daily 07:00 quiet off tz Europe/Berlin" in out, "the schedule as it can be typed back"
    assert "daily daily" not in out
    clock.now = datetime(2026, 11, 27, 6, 0, 30, tzinfo=UTC)  # 07:00:30 in Berlin
    await dispatcher.tick()
    assert any("A minute for you" in said for said in transport.texts_for("ana"))


# ---------------------------------------------------------------- pause and snooze


async def test_pause_until_a_past_date_says_it_is_past(console: ConsoleAdapter) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    out = await console.respond("/pause until 2020-01-01")
    assert "1 Jan 2020 isn't ahead of us" in out
    assert "couldn't read" not in out


async def test_a_snoozed_checkin_no_longer_takes_answers_and_the_evening_has_a_time(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock,
        content: Content) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)  # 09:00:30 in Berlin
    await dispatcher.tick()
    assert any("How emotionally safe" in said for said in transport.texts_for("ana"))
    out = await console.respond("/snooze evening")
    assert "this evening (19:00)" in out
    out = await console.respond("3")
    assert "Which boundaries" not in out, "the snoozed check-in waits for the evening"
    assert content.texts.get("idle_text").split(":")[0] in out


# ---------------------------------------------------------------- typos


@pytest.mark.parametrize(("typed", "meant"), [("chekin", "checkin"), ("histroy", "history"), ("sheduel", "schedule"),
                                              ("exprot", "export"), ("snoze", "snooze")])
async def test_a_mistyped_command_gets_the_closest_one(console: ConsoleAdapter, typed: str, meant: str) -> None:
    out = await console.respond(f"/{typed}")
    assert f"I don't know /{typed}. Did you mean /{meant}?" in out


async def test_a_command_far_from_any_gets_no_guess(console: ConsoleAdapter) -> None:
    out = await console.respond("/xylophone")
    assert "Did you mean" not in out
    assert "I don't know /xylophone" in out


# ---------------------------------------------------------------- the command line


def _cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
         *args: str) -> tuple[int, str, str]:
    monkeypatch.chdir(tmp_path)  # no .env from the project folder
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    code = cli_main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


PREVIEW = ("schedule", "preview", "--time", "09:00", "--from", "2026-03-27T00:00:00Z")


@pytest.mark.parametrize("count", ["0", "-3", "100000"])
def test_preview_refuses_a_count_outside_one_to_a_thousand(capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                           count: str) -> None:
    code, out, err = _cli(capsys, monkeypatch, tmp_path, *PREVIEW, "--tz", "Europe/Berlin", "--count", count)
    assert code == 2
    assert out == ""
    assert f"--count must be from 1 to 1000 (got {count})" in err


def test_preview_says_when_it_shows_fewer_than_asked(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out, _ = _cli(capsys, monkeypatch, tmp_path, *PREVIEW, "--tz", "Europe/Berlin", "--days", "sun",
                        "--count", "1000")
    assert code == 0
    assert "(only 52" in out.splitlines()[-1]


def test_preview_reads_a_city_an_offset_and_a_plain_date(capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, out, err = _cli(capsys, monkeypatch, tmp_path, "schedule", "preview", "--time", "09:00", "--tz", "Berlin",
                          "--from", "2026-03-27", "--count", "1")
    assert code == 0, err
    assert out.startswith("2026-03-27T08:00:00Z   Fri 2026-03-27 09:00 CET")
    code, out, err = _cli(capsys, monkeypatch, tmp_path, *PREVIEW, "--tz", "UTC+2", "--count", "1")
    assert code == 0, err
    assert out.startswith("2026-03-27T07:00:00Z")
    code, out, err = _cli(capsys, monkeypatch, tmp_path, *PREVIEW[:4], "--tz", "Berlin", "--from", "yesterday")
    assert code == 2
    assert "--from 'yesterday' is not a date; use 2026-03-27" in err
    assert "isoformat" not in err


@pytest.mark.parametrize("url", ["http://bot.example.org", "ftp://bot.example.org", "https://", "bot.example.org"])
def test_slack_manifest_refuses_anything_but_a_public_https_url(capsys: pytest.CaptureFixture[str],
                                                                monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                                url: str) -> None:
    code, out, err = _cli(capsys, monkeypatch, tmp_path, "slack", "manifest", "--url", url)
    assert code == 2
    assert out == ""
    assert "--url must be a public https:// address, e.g. https://bot.example.org" in err


def test_slack_manifest_takes_an_https_url(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
    code, out, _ = _cli(capsys, monkeypatch, tmp_path, "slack", "manifest", "--url", "https://bot.example.org/")
    assert code == 0
    assert "https://bot.example.org/slack/events" in out


def test_the_readme_names_every_slack_scope_the_manifest_asks_for() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    slack_part = readme.split("## Slack", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([a-z]+:[a-z]+|commands)`", slack_part)) - {"connections:write"}
    assert named == set(bot_scopes())


def test_benchmark_comments_name_files_relative_to_the_repository() -> None:
    for path in (ROOT / "benchmarks").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![\w.])/(?:work|home|root|Users|tmp)/", text), f"{path.name} names a machine's path"


# ---------------------------------------------------------------- bad settings: one line each


@pytest.mark.parametrize(("setting", "value", "said"), [
    ("ADAPTER", "foo", "ADAPTER=foo: should be 'auto', 'console', 'discord', 'echo' or 'slack'. "
                       "For example: ADAPTER=console"),
    ("DISCORD_APPLICATION_ID", "abc", "DISCORD_APPLICATION_ID=abc: should be the application's number (digits only). "
                                      "For example: DISCORD_APPLICATION_ID=1234567890123456789"),
    ("DEFAULT_TIMEZONE", "Mars/Base", "DEFAULT_TIMEZONE=Mars/Base: is not an IANA time zone. "
                                      "For example: DEFAULT_TIMEZONE=Europe/Berlin"),
    ("LOG_LEVEL", "loud", "LOG_LEVEL=loud: should be one of DEBUG, INFO, WARNING, ERROR. For example: LOG_LEVEL=INFO"),
])
@pytest.mark.parametrize("command", ["run", "doctor"])
def test_a_bad_setting_is_one_line_naming_it_with_an_example(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, setting: str, value: str,
        said: str, command: str) -> None:
    monkeypatch.setenv(setting, value)
    code, out, err = _cli(capsys, monkeypatch, tmp_path, command)
    shown = out + err
    assert code in (1, 2)
    assert said in shown
    assert len(shown.strip().splitlines()) == 1, shown
    assert "pydantic" not in shown
    assert "Traceback" not in shown


def test_an_unwritable_data_dir_is_one_line_and_doctor_fails_on_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    code, out, err = _cli(capsys, monkeypatch, tmp_path, "migrate")  # DATA_DIR is set to tmp/data by _cli
    assert code == 0, err
    monkeypatch.setenv("DATA_DIR", str(blocked / "data"))
    code, out, err = cli_main(["run"]), *capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines() == [
        f"configuration problem: DATA_DIR={blocked / 'data'}: can't write there (not a directory). "
        "For example: DATA_DIR=data"]
    code, out, err = cli_main(["doctor"]), *capsys.readouterr()
    assert code == 1
    assert f"[FAIL] DATA_DIR={blocked / 'data'}: can't write there" in out
    assert "Traceback" not in out + err


def test_doctor_marks_an_installed_extra_as_ok(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    _, out, _ = _cli(capsys, monkeypatch, tmp_path, "doctor")
    installed = [line for line in out.splitlines() if "support installed: yes" in line]
    assert installed, out
    assert all(line.startswith("[ok  ]") for line in installed)


# ---------------------------------------------------------------- the first make run


FAKE_PYTHON = """#!/bin/sh
# Stands in for python: "-m venv [--without-pip] DIR" makes DIR/bin/python (this script); "-m pip ..." and
# "-m ensurepip" make pip's noise.
if [ "$2" = "venv" ]; then for dir; do :; done; mkdir -p "$dir/bin" && cp "$0" "$dir/bin/python" && exit 0; fi
echo "WARNING: Location 'file:///opt/simple/x/' is ignored: it is neither a file nor a directory."
echo "  BuildBackendWarning: Editable installation." >&2
exit ${FAKE_PIP_EXIT:-0}
"""


def _fresh_clone_make(tmp_path: Path, pip_exit: int) -> subprocess.CompletedProcess[str]:
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "Makefile").write_text((ROOT / "Makefile").read_text(encoding="utf-8"), encoding="utf-8")
    (clone / "pyproject.toml").write_text("[project]\\nname = 'x'\\n", encoding="utf-8")
    fake = tmp_path / "python"
    fake.write_text(FAKE_PYTHON, encoding="utf-8")
    fake.chmod(0o755)
    env = {**os.environ, "FAKE_PIP_EXIT": str(pip_exit)}
    return subprocess.run(["make", "--no-print-directory", f"PYTHON={fake}", ".venv/.installed"], cwd=clone,
                          env=env, capture_output=True, text=True, timeout=60, check=False)


def test_the_first_make_run_says_what_it_does_and_shows_no_pip_noise(tmp_path: Path) -> None:
    result = _fresh_clone_make(tmp_path, 0)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0].startswith("boundary-bot: setting up .venv")
    assert "about a minute" in lines[0]
    assert lines[-1].startswith("boundary-bot: ready")
    assert "WARNING" not in result.stderr
    assert "BuildBackendWarning" not in result.stderr


def test_a_failed_install_shows_pips_output_after_all(tmp_path: Path) -> None:
    result = _fresh_clone_make(tmp_path, 1)
    assert result.returncode != 0
    assert "WARNING: Location" in result.stderr, "what pip said is shown when it matters"
    assert "the full log is .venv/install.log" in result.stderr


async def test_a_snooze_shows_in_the_schedule_and_a_later_skip_drops_it(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    clock.now = datetime(2026, 11, 27, 8, 0, 30, tzinfo=UTC)  # Fri 09:00:30 in Berlin
    await dispatcher.tick()
    out = await console.respond("/snooze evening")
    assert "this evening (19:00)" in out
    assert "Snoozed: the check-in you put off comes Fri 27 Nov 19:00." in await console.respond("/schedule")
    out = await console.respond("/snooze skip")
    assert "the snoozed check-in won't come either" in out
    assert "Snoozed" not in await console.respond("/schedule")
    prompts_before = len(transport.texts_for("ana"))
    clock.now = datetime(2026, 11, 27, 18, 0, 30, tzinfo=UTC)  # 19:00:30 in Berlin
    await dispatcher.tick()
    assert len(transport.texts_for("ana")) == prompts_before, "a skip after a snooze means no prompt tonight"


def test_ctrl_d_at_the_interactive_prompt_quits_at_once_and_cleanly(tmp_path: Path) -> None:
    returncode, stderr = _at_the_interactive_prompt(tmp_path, lambda process, terminal: os.write(terminal, b"\x04"))
    assert returncode == 0
    assert b"Traceback" not in stderr, stderr.decode()[-2000:]
