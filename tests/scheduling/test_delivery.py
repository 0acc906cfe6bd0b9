"""Scheduled prompts as a person receives them: through the dispatcher, the service and the console, on
SQLite and PostgreSQL, with the fake clock. Once, on time, never at night, never with guilt."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.console.adapter import ConsoleAdapter, render
from bot.conversation import Conversation
from bot.events import ChoicePicked
from bot.messages import Address, Question, Reply
from bot.ports import RateLimited, TemporaryFailure, Unreachable
from bot.scheduling.dispatcher import Dispatcher, DispatchStats
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from bot.storage.models import Delivery, ScheduleRule
from tests.conftest import CollectingTransport, FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
GREETING = "A minute for you, if you'd like it."
DIALDOWN = "without hearing back"
GUILT = ("missed", "streak", "you forgot", "forgot to")


def berlin(month: int, day: int, hour: int = 9, minute: int = 5, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=BERLIN).astimezone(UTC)


class Person:
    """Ana at her console: what she types, clicks, and everything she is shown."""

    def __init__(self, console: ConsoleAdapter, service: Conversation, transport: CollectingTransport) -> None:
        self.console = console
        self.service = service
        self.transport = transport
        self.heard: list[str] = []

    async def says(self, line: str) -> str:
        out = await self.console.respond(line)
        self.heard.append(out)
        return out

    async def clicks(self, token: str) -> str:
        replies = (await self.service.handle(ChoicePicked(self.console.address, token))).replies
        out = self.console.render_all(replies)
        self.heard.append(out)
        return out

    def received(self) -> list[str]:
        """Each delivery, rendered the way she would see it (titles, text, choices, footers)."""
        return ["\n".join(render(reply, self.service.texts) for reply in replies)
                for address, replies in self.transport.sent if address.user_id == self.console.address.user_id]

    def prompts(self) -> list[str]:
        return [text for text in self.received() if GREETING in text]

    def last_question(self, session_id: str) -> Question:
        for _address, replies in reversed(self.transport.sent):
            for reply in replies:
                if reply.question is not None and reply.question.session_id == session_id:
                    return reply.question
        raise AssertionError(f"no delivered question {session_id!r}")

    def assert_no_guilt(self) -> None:
        for text in [*self.received(), *self.heard]:
            lowered = text.lower()
            for word in GUILT:
                assert word not in lowered, f"{word!r} in: {text}"


@pytest.fixture
def ana(console: ConsoleAdapter, service: Conversation, transport: CollectingTransport) -> Person:
    return Person(console, service, transport)


@pytest.fixture
def attempts(transport: CollectingTransport, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> list[datetime]:
    """When each send was tried (successful or not): to see retries, waits and busy loops."""
    tried: list[datetime] = []
    original: Callable[[Address, Sequence[Reply]], Awaitable[None]] = transport.send

    async def counting(address: Address, replies: Sequence[Reply]) -> None:
        tried.append(clock.now)
        await original(address, replies)

    monkeypatch.setattr(transport, "send", counting)
    return tried


async def tick_at(dispatcher: Dispatcher, clock: FakeClock, moment: datetime) -> None:
    clock.now = moment
    await dispatcher.tick()


async def ticks_every(dispatcher: Dispatcher, clock: FakeClock, until: datetime, step: timedelta) -> None:
    while clock.now < until:
        clock.advance(seconds=step.total_seconds())
        await dispatcher.tick()


async def next_due(sessions: async_sessionmaker[AsyncSession]) -> datetime | None:
    """The next moment delivery has anything to do: a pending delivery's next attempt or a rule's next firing."""
    async with sessions() as db:
        attempt = await db.scalar(select(func.min(Delivery.next_attempt_at)).where(Delivery.status == "pending"))
        firing = await db.scalar(select(func.min(ScheduleRule.next_fire_at)))
    return min((moment for moment in (attempt, firing) if moment is not None), default=None)


async def ticks_at_each_due_time(dispatcher: Dispatcher, clock: FakeClock, sessions: async_sessionmaker[AsyncSession],
                                 until: datetime, step: timedelta) -> None:
    """What ticking every `step` until `until` does, without the ticks that find nothing due: the clock jumps to
    the next due time, and moves by `step` only while something due stays pending (as when ticking)."""
    while clock.now < until:
        due = await next_due(sessions)
        if due is None or due >= until:
            clock.now = until
        else:
            clock.now = due if due > clock.now else clock.now + step
        await dispatcher.tick()


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    async with sessions() as db:
        return list((await db.scalars(select(Delivery).order_by(Delivery.id))).all())


# ---------------------------------------------------------------- on time, once


async def test_the_prompt_arrives_once_a_day_at_nine_berlin_and_not_before(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    arrivals: list[datetime] = []
    while clock.now < berlin(11, 29, 23, 0):
        clock.advance(minutes=10)
        before = len(ana.received())
        await dispatcher.tick()
        if len(ana.received()) > before:
            arrivals.extend([clock.now] * (len(ana.received()) - before))
    assert len(ana.prompts()) == 3
    assert [moment.astimezone(BERLIN).strftime("%d %H:%M") for moment in arrivals] == \
        ["27 09:00", "28 09:00", "29 09:00"]
    assert "How emotionally safe" in ana.prompts()[0], "the prompt opens the check-in itself"
    ana.assert_no_guilt()


async def test_the_prompt_keeps_its_local_time_across_the_autumn_change(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    clock.now = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    arrivals: list[datetime] = []
    while clock.now < datetime(2026, 10, 26, 12, 0, tzinfo=UTC):
        clock.advance(minutes=5)
        before = len(ana.received())
        await dispatcher.tick()
        if len(ana.received()) > before:
            arrivals.append(clock.now)
    assert [moment.astimezone(BERLIN).strftime("%a %H:%M") for moment in arrivals] == \
        ["Sat 09:00", "Sun 09:00", "Mon 09:00"]


# ---------------------------------------------------------------- quiet hours at delivery time


async def test_a_prompt_delayed_by_an_outage_into_the_night_is_not_sent(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 20:30 daily Europe/Berlin")  # no quiet hours asked for: still never late at night
    await tick_at(dispatcher, clock, berlin(11, 27, 21, 15))  # down from 20:00 to 21:15: 45 min late
    assert ana.received() == [], "not in the middle of her quiet hours"
    await ticks_every(dispatcher, clock, berlin(11, 28, 8, 30), timedelta(minutes=15))
    assert ana.received() == [], "and not in the morning either"
    await tick_at(dispatcher, clock, berlin(11, 28, 20, 31))
    assert len(ana.prompts()) == 1, "the next evening's prompt comes as usual"


async def test_quiet_hours_within_the_day_hold_a_late_prompt(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    out = await ana.says("/schedule 12:45 daily quiet 13:00-14:00 Europe/Berlin")
    assert "Quiet hours 13:00–14:00" in out
    await tick_at(dispatcher, clock, berlin(11, 27, 13, 20))
    assert ana.received() == []
    await tick_at(dispatcher, clock, berlin(11, 28, 12, 46))
    assert len(ana.prompts()) == 1


# ---------------------------------------------------------------- pause, vacation, resume, skip


async def test_pause_holds_prompts_and_resume_brings_them_back(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    out = await ana.says("/pause")
    assert "/resume" in out
    for day in (27, 28):
        await tick_at(dispatcher, clock, berlin(11, day))
    assert ana.received() == []
    clock.now = berlin(11, 28, 10, 0)
    out = await ana.says("/resume")
    assert "Welcome back" in out
    assert "Sun 29 Nov 09:00" in out
    await tick_at(dispatcher, clock, berlin(11, 29))
    assert len(ana.prompts()) == 1
    ana.assert_no_guilt()


async def test_pause_until_a_date_holds_prompts_until_that_day(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    out = await ana.says("/pause until 2026-11-29")
    assert "Sun 29 Nov" in out
    for day in (27, 28):
        await tick_at(dispatcher, clock, berlin(11, day))
    assert ana.received() == []
    await tick_at(dispatcher, clock, berlin(11, 29))
    assert len(ana.prompts()) == 1, "back on the day she chose, without a word from her"


async def test_vacation_holds_prompts_and_picks_up_after(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    out = await ana.says("/vacation until 2026-11-30")
    assert "Enjoy your break" in out
    for day in (27, 28, 29):
        await tick_at(dispatcher, clock, berlin(11, day))
    assert ana.received() == []
    await tick_at(dispatcher, clock, berlin(11, 30))
    assert len(ana.prompts()) == 1


async def test_resume_ends_a_vacation_early(ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await ana.says("/vacation 2 weeks")
    await tick_at(dispatcher, clock, berlin(11, 27))
    assert ana.received() == []
    await ana.says("/resume")
    await tick_at(dispatcher, clock, berlin(11, 28))
    assert len(ana.prompts()) == 1


async def test_skip_skips_only_the_next_prompt(ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    out = await ana.says("/skip")
    assert "Sat 28 Nov 09:00" in out, "she is told when the one after comes"
    await tick_at(dispatcher, clock, berlin(11, 27))
    assert ana.received() == []
    await tick_at(dispatcher, clock, berlin(11, 28))
    await tick_at(dispatcher, clock, berlin(11, 29))
    assert len(ana.prompts()) == 2


# ---------------------------------------------------------------- after a crisis reply


async def test_a_crisis_reply_during_a_checkin_holds_prompts_for_three_days(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    assert len(ana.prompts()) == 1
    clock.now = berlin(11, 27, 9, 10)
    await ana.says("2")
    out = await ana.says("1")
    assert "Anything you'd like to note" in out
    out = await ana.says("honestly I want to die, I can't do this anymore")
    assert "You don't have to carry this alone" in out
    for day in (28, 29, 30):  # the 30th at 09:05 is 71h55 after the crisis reply
        await tick_at(dispatcher, clock, berlin(11, day))
    assert len(ana.received()) == 1, "no check-in prompts for 72 hours"
    await tick_at(dispatcher, clock, berlin(12, 1))
    assert len(ana.prompts()) == 2, "then they return, gently, as before"
    ana.assert_no_guilt()


# ---------------------------------------------------------------- platform trouble


async def test_rate_limited_prompt_waits_for_retry_after_and_is_sent_once(
        ana: Person, dispatcher: Dispatcher, transport: CollectingTransport, attempts: list[datetime],
        clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    transport.failures.append(RateLimited(2.0))
    limited_at = berlin(11, 27, 9, 0, 30)
    await tick_at(dispatcher, clock, limited_at)
    assert len(attempts) == 1, "one try, then it waits: no spinning inside the tick"
    assert ana.received() == []
    await tick_at(dispatcher, clock, limited_at + timedelta(seconds=1))
    assert len(attempts) == 1, "not before Retry-After has passed"
    await tick_at(dispatcher, clock, limited_at + timedelta(seconds=2, milliseconds=100))
    assert len(attempts) == 2
    assert attempts[1] - attempts[0] >= timedelta(seconds=2)
    await ticks_every(dispatcher, clock, berlin(11, 27, 12, 0), timedelta(minutes=5))
    assert len(ana.prompts()) == 1
    assert len(attempts) == 2


async def test_a_temporary_failure_is_retried_and_then_sent_once(
        ana: Person, dispatcher: Dispatcher, transport: CollectingTransport, attempts: list[datetime],
        clock: FakeClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    transport.failures.append(TemporaryFailure("502"))
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    assert ana.received() == []
    await ticks_at_each_due_time(dispatcher, clock, sessions, berlin(11, 27, 9, 30), timedelta(seconds=1))
    assert len(ana.prompts()) == 1
    assert len(attempts) == 2
    assert timedelta(seconds=0.9) <= attempts[1] - attempts[0] <= timedelta(seconds=10), "a short first backoff"


async def test_a_send_the_platform_never_answers_times_out_and_is_retried_once(
        ana: Person, schedules: ScheduleStore, service: Conversation, transport: CollectingTransport,
        clock: FakeClock, monkeypatch: pytest.MonkeyPatch, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Found by the platform drill: one unanswered request held the whole batch (every other prompt) for
    minutes. Now it is a temporary failure after the send timeout, and the prompt comes once, later."""
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    original = transport.send
    hung = asyncio.Event()

    async def first_never_answers(address: Address, replies: Sequence[Reply]) -> None:
        if not hung.is_set():
            hung.set()
            await asyncio.Event().wait()  # the platform keeps the connection open and never answers
        await original(address, replies)

    monkeypatch.setattr(transport, "send", first_never_answers)

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    dispatcher = Dispatcher(schedules, service, {"console": transport}, clock=clock, sleep=fake_sleep,
                            pacer=Pacer(clock=lambda: clock.now.timestamp()), send_timeout=0.05)
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))  # returns: the hung send no longer blocks
    assert hung.is_set()
    assert ana.prompts() == []
    await ticks_at_each_due_time(dispatcher, clock, sessions, berlin(11, 27, 9, 30), timedelta(seconds=1))
    assert len(ana.prompts()) == 1


async def test_temporary_failures_back_off_and_give_up_after_max_attempts(
        ana: Person, dispatcher: Dispatcher, transport: CollectingTransport, attempts: list[datetime],
        clock: FakeClock, sessions: async_sessionmaker[AsyncSession]) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    transport.failures.extend(TemporaryFailure("503") for _ in range(50))
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    gaps: list[float] = []
    for _ in range(20):
        (row,) = await outbox(sessions)
        if row.status != "pending":
            break
        gaps.append((row.next_attempt_at - clock.now).total_seconds())
        await tick_at(dispatcher, clock, row.next_attempt_at)
    (row,) = await outbox(sessions)
    assert row.status == "failed"
    assert len(attempts) == 8, "a bounded number of tries"
    assert gaps[0] <= 3, f"the first wait is short: {gaps}"
    assert gaps[-1] >= 30, f"waits grow between tries: {gaps}"
    await ticks_every(dispatcher, clock, berlin(11, 27, 12, 0), timedelta(minutes=5))
    assert len(attempts) == 8, "no endless retries"
    transport.failures.clear()
    await tick_at(dispatcher, clock, berlin(11, 28))
    assert len(ana.prompts()) == 1, "the next day is a fresh start"


async def test_closed_dms_mark_the_person_unreachable_and_tell_them_once(
        ana: Person, dispatcher: Dispatcher, transport: CollectingTransport, attempts: list[datetime],
        clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    transport.failures.append(Unreachable("50007"))
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    await ticks_every(dispatcher, clock, berlin(11, 27, 12, 0), timedelta(minutes=1))
    assert len(attempts) == 1, "not retried"
    await tick_at(dispatcher, clock, berlin(11, 28))
    assert len(attempts) == 1, "and nothing more is tried while DMs are closed"
    assert ana.received() == []
    clock.now = berlin(11, 28, 12, 0)
    first = await ana.says("/history")
    assert "couldn't reach you by direct message" in first
    assert "allow direct messages" in first
    second = await ana.says("/history")
    assert "couldn't reach you" not in second, "the note is shown once"
    await tick_at(dispatcher, clock, berlin(11, 29))
    assert len(ana.prompts()) == 1, "she wrote to us, so she can be reached again"
    ana.assert_no_guilt()


# ---------------------------------------------------------------- snooze and skip from the prompt


async def test_snooze_button_brings_the_prompt_back_an_hour_later_once(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    question = ana.last_question("snooze")
    assert {choice.value for choice in question.choices} >= {"1h", "skip"}
    clock.now = berlin(11, 27, 9, 2)
    out = await ana.clicks(question.token("1h"))
    assert "in an hour" in out
    await tick_at(dispatcher, clock, berlin(11, 27, 10, 1))
    assert len(ana.prompts()) == 1, "not before the hour is up"
    await tick_at(dispatcher, clock, berlin(11, 27, 10, 2, 30))
    assert len(ana.prompts()) == 2
    await ticks_every(dispatcher, clock, berlin(11, 27, 20, 0), timedelta(minutes=15))
    assert len(ana.prompts()) == 2, "once"
    await tick_at(dispatcher, clock, berlin(11, 28))
    assert len(ana.prompts()) == 3, "and the next day's prompt as usual"
    ana.assert_no_guilt()


async def test_typed_snooze_brings_the_prompt_back_an_hour_later_once(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    clock.now = berlin(11, 27, 9, 5)
    out = await ana.says("/snooze 1h")
    assert "in an hour" in out
    await tick_at(dispatcher, clock, berlin(11, 27, 10, 4))
    assert len(ana.prompts()) == 1
    await ticks_every(dispatcher, clock, berlin(11, 27, 14, 0), timedelta(minutes=2))
    assert len(ana.prompts()) == 2
    assert len(ana.received()) == 2


async def test_skip_from_the_prompt_sends_nothing_more_that_day(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    out = await ana.clicks(ana.last_question("snooze").token("skip"))
    assert "no problem" in out.lower()
    await ticks_every(dispatcher, clock, berlin(11, 28, 8, 30), timedelta(minutes=15))
    assert len(ana.received()) == 1
    ana.assert_no_guilt()


async def test_snooze_until_tomorrow_brings_one_prompt_not_two(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    out = await ana.clicks(ana.last_question("snooze").token("tomorrow"))
    assert "tomorrow" in out
    await ticks_every(dispatcher, clock, berlin(11, 28, 12, 0), timedelta(minutes=10))
    assert len(ana.prompts()) == 2, "Friday's, then one on Saturday morning: the snooze and the regular one are one"


async def test_snoozing_the_same_prompt_twice_brings_it_back_once(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    clock.now = berlin(11, 27, 9, 2)
    await ana.clicks(ana.last_question("snooze").token("1h"))
    clock.now = berlin(11, 27, 9, 5)  # not sure the click worked, she types it too
    await ana.says("/snooze 1h")
    await ticks_every(dispatcher, clock, berlin(11, 27, 13, 0), timedelta(minutes=1))
    assert len(ana.prompts()) == 2, "one prompt back an hour later, not one per snooze"


async def test_a_prompt_never_interrupts_a_checkin_in_progress(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    clock.now = berlin(11, 27, 8, 55)
    await ana.says("/checkin")
    await ana.says("4")
    await tick_at(dispatcher, clock, berlin(11, 27, 9, 0, 30))
    assert ana.received() == []
    out = await ana.says("1")
    assert "Anything you'd like to note" in out, "her check-in carries on where it was"


@pytest.mark.storage
async def test_two_instances_ticking_together_send_one_prompt(
        ana: Person, dispatcher: Dispatcher, transport: CollectingTransport, attempts: list[datetime],
        clock: FakeClock, sessions: async_sessionmaker[AsyncSession], service: Conversation) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    other = Dispatcher(ScheduleStore(sessions, clock), service, {"console": transport}, clock=clock)
    clock.now = berlin(11, 27, 9, 0, 30)
    await asyncio.gather(dispatcher.tick(), other.tick())
    await asyncio.gather(dispatcher.tick(), other.tick())
    assert len(ana.prompts()) == 1
    assert len(attempts) == 1


# ---------------------------------------------------------------- three unanswered: the kind question


async def three_unanswered_then_the_fourth(ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> str:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    for day in (27, 28, 29):
        await tick_at(dispatcher, clock, berlin(11, day))
    assert len(ana.prompts()) == 3
    await tick_at(dispatcher, clock, berlin(11, 30))
    received = ana.received()
    assert len(received) == 4
    return received[-1]


async def test_after_three_unanswered_prompts_the_fourth_is_a_kind_question(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    fourth = await three_unanswered_then_the_fourth(ana, dispatcher, clock)
    assert DIALDOWN in fourth
    assert GREETING not in fourth, "the question instead of a prompt, not on top of it"
    question = ana.last_question("dd")
    assert [choice.value for choice in question.choices] == ["keep", "less", "pause"]
    assert "completely okay" in fourth
    ana.assert_no_guilt()


async def test_keep_the_rhythm_resets_the_count(ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await three_unanswered_then_the_fourth(ana, dispatcher, clock)
    out = await ana.clicks(ana.last_question("dd").token("keep"))
    assert "Keeping the rhythm" in out
    for day in (1, 2, 3):
        await tick_at(dispatcher, clock, berlin(12, day))
    assert len(ana.prompts()) == 6, "three ordinary prompts again"
    await tick_at(dispatcher, clock, berlin(12, 4))
    assert DIALDOWN in ana.received()[-1], "asked again only after three more go unanswered"
    ana.assert_no_guilt()


async def test_less_often_reduces_the_rhythm(ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await three_unanswered_then_the_fourth(ana, dispatcher, clock)  # Monday 30 Nov
    out = await ana.clicks(ana.last_question("dd").token("less"))
    assert "less often" in out
    assert "Mon, Wed, Fri at 09:00" in out
    prompted: list[str] = []
    for day in range(1, 8):
        before = len(ana.received())
        await tick_at(dispatcher, clock, berlin(12, day))
        if len(ana.received()) > before:
            prompted.append(clock.now.astimezone(BERLIN).strftime("%a %d"))
    assert prompted == ["Wed 02", "Fri 04", "Mon 07"], "three days a week instead of every day"
    assert all(GREETING in text for text in ana.received()[4:])
    ana.assert_no_guilt()


async def test_pause_from_the_question_stops_prompts_until_resume(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await three_unanswered_then_the_fourth(ana, dispatcher, clock)
    out = await ana.clicks(ana.last_question("dd").token("pause"))
    assert "/resume" in out
    for day in range(1, 8):
        await tick_at(dispatcher, clock, berlin(12, day))
    assert len(ana.received()) == 4
    clock.now = berlin(12, 7, 12, 0)
    await ana.says("/resume")
    await tick_at(dispatcher, clock, berlin(12, 8))
    assert len(ana.prompts()) == 4
    assert DIALDOWN not in ana.received()[-1], "a fresh start, not the question again"
    ana.assert_no_guilt()


async def test_typed_answer_to_the_kind_question_works_too(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    fourth = await three_unanswered_then_the_fourth(ana, dispatcher, clock)
    assert "/schedule keep" in fourth, "the console shows how to answer by typing"
    out = await ana.says("/schedule keep")
    assert "Keeping the rhythm" in out
    await tick_at(dispatcher, clock, berlin(12, 1))
    assert GREETING in ana.received()[-1]


async def test_completing_a_checkin_resets_the_unanswered_count(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    for day in (27, 28, 29):
        await tick_at(dispatcher, clock, berlin(11, day))
    clock.now = berlin(11, 29, 9, 10)
    await ana.says("4")
    await ana.says("1")
    out = await ana.says("skip")
    assert "Thank you for checking in" in out
    await tick_at(dispatcher, clock, berlin(11, 30))
    for day in (1, 2):
        await tick_at(dispatcher, clock, berlin(12, day))
    assert len(ana.prompts()) == 6, "answering counts: no question the day after"
    await tick_at(dispatcher, clock, berlin(12, 3))
    assert DIALDOWN in ana.received()[-1]
    ana.assert_no_guilt()


async def test_skipping_a_prompt_counts_as_hearing_back(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    """She tapped 'Skip this one' on Friday: 'without hearing back' comes after three unanswered prompts
    from then on (Sat, Sun, Mon), so on Tuesday, not on Monday."""
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await tick_at(dispatcher, clock, berlin(11, 27))
    await ana.clicks(ana.last_question("snooze").token("skip"))
    for day in (28, 29, 30):
        await tick_at(dispatcher, clock, berlin(11, day))
    assert len(ana.prompts()) == 4, "Monday is an ordinary prompt: she answered on Friday"
    await tick_at(dispatcher, clock, berlin(12, 1))
    assert DIALDOWN in ana.received()[-1]


async def test_snoozing_a_prompt_counts_as_hearing_back(
        ana: Person, dispatcher: Dispatcher, clock: FakeClock) -> None:
    """She snoozed Friday's prompt: the snoozed one, Saturday's and Sunday's go unanswered, so the
    question comes on Monday, not on Sunday."""
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    await tick_at(dispatcher, clock, berlin(11, 27))
    clock.now = berlin(11, 27, 9, 6)
    await ana.clicks(ana.last_question("snooze").token("1h"))
    await tick_at(dispatcher, clock, berlin(11, 27, 10, 7))
    assert len(ana.prompts()) == 2
    for day in (28, 29):
        await tick_at(dispatcher, clock, berlin(11, day))
    assert len(ana.prompts()) == 4, "Sunday is an ordinary prompt: she answered on Friday"
    await tick_at(dispatcher, clock, berlin(11, 30))
    assert DIALDOWN in ana.received()[-1]


# ---------------------------------------------------------------- the optional weekly summary


def summaries(transport: CollectingTransport) -> list[list[Reply]]:
    return [replies for _address, replies in transport.sent if any(reply.image is not None for reply in replies)]


async def test_the_weekly_summary_comes_on_its_day_only_when_there_is_something_to_show(
        ana: Person, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock) -> None:
    await ana.says("/schedule 09:00 daily Europe/Berlin")
    saved = await ana.says("/schedule summary sun 18:00")
    assert "Sun at 18:00 (Europe/Berlin)" in saved
    assert "Sun 29 Nov 18:00" in saved

    await tick_at(dispatcher, clock, berlin(11, 29, 18, 0, 30))
    assert summaries(transport) == [], "no check-ins yet: nothing is sent, and nothing says so"

    for answer in ("/checkin", "4", "1", "skip"):
        await ana.says(answer)
    await tick_at(dispatcher, clock, berlin(12, 6, 18, 0, 30))
    [summary] = summaries(transport)
    assert "Average safety: 4.0 out of 5." in "\n".join(reply.text for reply in summary)
    assert not any(reply.question for reply in summary), "a summary asks nothing"
    await tick_at(dispatcher, clock, berlin(12, 6, 18, 30))
    assert len(summaries(transport)) == 1, "once"
    ana.assert_no_guilt()


async def test_the_weekly_summary_respects_quiet_hours_and_pauses(
        ana: Person, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock,
        sessions: async_sessionmaker[AsyncSession]) -> None:
    await ana.says("/schedule 09:00 daily quiet 21:00-08:00 Europe/Berlin")
    for answer in ("/checkin", "4", "1", "skip"):
        await ana.says(answer)
    await ana.says("/schedule summary sun 22:30")  # inside her quiet hours, 21:00-08:00
    await ticks_at_each_due_time(dispatcher, clock, sessions, berlin(11, 30, 0, 35), timedelta(minutes=5))
    assert summaries(transport) == []
    await ana.says("/schedule summary sun 18:00")
    await ana.says("/pause")
    await tick_at(dispatcher, clock, berlin(12, 6, 18, 0, 30))
    assert summaries(transport) == []
    await ana.says("/resume")
    await ana.says("/schedule summary off")
    await tick_at(dispatcher, clock, berlin(12, 13, 18, 0, 30))
    assert summaries(transport) == []


async def test_a_send_the_platform_holds_does_not_hold_back_everyone_elses_prompt(
        service: Conversation, schedules: ScheduleStore, transport: CollectingTransport, clock: FakeClock,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    people = [ConsoleAdapter(service, f"person{index}", interactive=False, files_dir=tmp_path) for index in range(7)]
    for console in people:
        await console.respond("/schedule 09:00 daily Europe/Berlin")
    original = transport.send
    release, others_arrived = asyncio.Event(), asyncio.Event()

    async def first_person_is_held(address: Address, replies: Sequence[Reply]) -> None:
        if address.user_id == "person0":
            await release.wait()  # the platform sits on this one request
        await original(address, replies)
        if len({sent.user_id for sent, _ in transport.sent} - {"person0"}) == len(people) - 1:
            others_arrived.set()

    monkeypatch.setattr(transport, "send", first_person_is_held)

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    dispatcher = Dispatcher(schedules, service, {"console": transport}, clock=clock, sleep=fake_sleep,
                            pacer=Pacer(clock=lambda: clock.now.timestamp()), batch_size=2, concurrency=4)
    clock.now = berlin(11, 27, 9, 0, 30)
    tick = asyncio.create_task(dispatcher.tick())
    # Leased two at a time, the held prompt shares its batch with one other; the other five must not wait for it.
    await asyncio.wait_for(others_arrived.wait(), timeout=20)
    assert "person0" not in {address.user_id for address, _ in transport.sent}
    release.set()
    stats = await tick
    assert stats.sent == len(people)
    assert sorted(address.user_id for address, _ in transport.sent) == sorted(f"person{i}" for i in range(7))


def tick_looking_again(service: Conversation, schedules: ScheduleStore, transport: CollectingTransport,
                       clock: FakeClock) -> asyncio.Task[DispatchStats]:
    """A round started at 09:00:30 in Berlin by a dispatcher that looks for due rows every 10 ms while sends
    are out."""
    dispatcher = Dispatcher(schedules, service, {"console": transport}, clock=clock,
                            pacer=Pacer(clock=lambda: clock.now.timestamp()), look_again_every=0.01)
    clock.now = berlin(11, 27, 9, 0, 30)
    return asyncio.create_task(dispatcher.tick())


async def test_a_retry_that_falls_due_while_a_send_is_held_goes_out_without_waiting_for_it(
        service: Conversation, schedules: ScheduleStore, transport: CollectingTransport, clock: FakeClock,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the outbox is drained the dispatcher still looks for newly due rows while sends are out: a prompt
    whose first try failed (its retry a second later) does not wait the 30 s the platform holds another one."""
    people = [ConsoleAdapter(service, f"person{index}", interactive=False, files_dir=tmp_path) for index in range(2)]
    for console in people:
        await console.respond("/schedule 09:00 daily Europe/Berlin")
    original = transport.send
    release, retried = asyncio.Event(), asyncio.Event()
    tries: dict[str, int] = {}

    async def held_and_failing(address: Address, replies: Sequence[Reply]) -> None:
        tries[address.user_id] = tries.get(address.user_id, 0) + 1
        if address.user_id == "person0":
            await release.wait()  # the platform sits on this one request
        elif tries[address.user_id] == 1:
            raise TemporaryFailure("503")
        await original(address, replies)
        if address.user_id == "person1":
            retried.set()

    monkeypatch.setattr(transport, "send", held_and_failing)
    schedule_retry = schedules.retry

    async def retry_then_time_passes(*args: object, **kwargs: object) -> None:
        await schedule_retry(*args, **kwargs)  # type: ignore[arg-type]
        clock.advance(seconds=10)  # past the backoff: the retry is due now

    monkeypatch.setattr(schedules, "retry", retry_then_time_passes)
    tick = tick_looking_again(service, schedules, transport, clock)
    try:
        await asyncio.wait_for(retried.wait(), timeout=5)
        assert [address.user_id for address, _ in transport.sent] == ["person1"], "person0's send is still held"
    finally:
        release.set()
    stats = await tick
    assert stats.sent == 2
    assert sorted(address.user_id for address, _ in transport.sent) == ["person0", "person1"]


@pytest.mark.storage
async def test_sends_already_out_finish_when_leasing_more_fails(
        service: Conversation, schedules: ScheduleStore, transport: CollectingTransport, clock: FakeClock,
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The database goes away while a send is out: the next lease fails, and the send still ends and is recorded
    instead of being cancelled along with the round (a cancelled send the platform took is a duplicate later)."""
    console = ConsoleAdapter(service, "person0", interactive=False, files_dir=tmp_path)
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    original = transport.send
    release, lease_failed = asyncio.Event(), asyncio.Event()

    async def held(address: Address, replies: Sequence[Reply]) -> None:
        await release.wait()
        await original(address, replies)

    monkeypatch.setattr(transport, "send", held)
    lease = schedules.lease
    calls = 0

    async def lease_then_fail(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 2:
            lease_failed.set()
            raise ConnectionRefusedError("the database is restarting")
        return await lease(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(schedules, "lease", lease_then_fail)
    tick = tick_looking_again(service, schedules, transport, clock)
    try:
        await asyncio.wait_for(lease_failed.wait(), timeout=5)
    finally:
        release.set()
    stats = await asyncio.wait_for(tick, timeout=5)
    assert stats.sent == 1
    assert [address.user_id for address, _ in transport.sent] == ["person0"]
    assert await schedules.lease(limit=10, lease_for=timedelta(seconds=120), platforms=["console"]) == []
