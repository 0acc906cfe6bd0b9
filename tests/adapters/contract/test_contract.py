"""The adapter contract: the same scenarios, written once, for every platform in the registry, each through its
own fake (tests/adapters/contract/drivers.py). What a person sees is platform-shaped; what they are told, what
is recorded and that nothing fails are the same everywhere."""

from __future__ import annotations

from adapters import rate_limits
from bot.content.loader import Content
from bot.conversation import Conversation
from bot.scheduling.dispatcher import Dispatcher
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.adapters.contract.drivers import Driver
from tests.conftest import FakeClock
from tests.fakes.screen import MAYBE_SELF

FIRST_QUESTION = "emotionally safe"
DIRECT_QUESTION = "Are you thinking about ending your life or hurting yourself?"


async def test_a_daily_checkin_from_start_to_tip(driver: Driver, repository: Repository, content: Content) -> None:
    await driver.command("checkin")
    assert FIRST_QUESTION in driver.seen()
    await driver.click(driver.question(), 3)  # 4 of 5
    await driver.click(driver.question(), 0, 2)  # two of the boundaries
    await driver.write(driver.question(), "I said no to overtime, kindly")
    seen = driver.seen()
    assert "Thank you for checking in" in seen
    assert any(tip.title in seen for tip in content.tips), "the check-in ends with a tip"
    [checkin] = await repository.checkins(await repository.identity_id(driver.me))
    assert (checkin.safety_score, len(checkin.boundaries), checkin.has_note) == (4, 2, True)
    assert content.texts.get("error") not in seen


async def test_a_possible_crisis_is_asked_about_and_a_clear_one_gets_the_crisis_reply(
        driver: Driver, content: Content) -> None:
    await driver.say(MAYBE_SELF)
    asked = driver.seen()
    assert DIRECT_QUESTION in asked
    assert all(label in asked for label in ("Yes", "I'm not sure", "No, I'm OK"))
    await driver.click(driver.question(), 2)  # No, I'm OK
    assert content.texts.get("ask_no_reply") in driver.seen()

    await driver.say("I want to kill myself")
    seen = driver.seen()
    assert content.texts.get("crisis_title") in seen
    assert "988 Suicide & Crisis Lifeline" in seen
    assert content.texts.get("error") not in seen


async def test_a_click_on_a_finished_question_is_answered_kindly(
        driver: Driver, repository: Repository, content: Content) -> None:
    await driver.command("checkin")
    first = driver.question()
    await driver.command("cancel")  # the check-in is over; its first question's buttons still show
    kindly = content.texts.get(driver.stale_key)
    before = driver.seen().count(kindly)
    await driver.click(first, 3)
    assert driver.seen().count(kindly) == before + 1
    assert await repository.checkins(await repository.identity_id(driver.me)) == []
    assert content.texts.get("error") not in driver.seen()


async def test_closed_direct_messages_drop_the_prompt_safely_and_answers_still_reach_the_person(
        driver: Driver, service: Conversation, schedules: ScheduleStore, clock: FakeClock,
        content: Content) -> None:
    await driver.command("schedule", "daily 19:00 in UTC", shared=True)

    async def fake_sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)

    dispatcher = Dispatcher(schedules, service, {driver.me.platform: driver.transport}, clock=clock,
                            pacer=Pacer(clock=lambda: clock.now.timestamp(), **rate_limits()), sleep=fake_sleep)
    clock.advance(hours=1, minutes=1)
    closes = driver.close_dms()
    stats = await dispatcher.tick()
    assert (stats.sent, stats.unreachable) == ((0, 1) if closes else (1, 0))

    await driver.command("checkin", shared=True)
    seen = driver.seen()
    assert FIRST_QUESTION in seen
    if closes:
        assert content.texts.get("unreachable_notice") in seen
    assert content.texts.get("error") not in seen


async def test_a_form_opens_filled_in_and_saves(driver: Driver, repository: Repository, schedules: ScheduleStore,
                                               content: Content) -> None:
    await driver.command("schedule", "mon-fri 09:00 in Europe/Berlin")
    await driver.command("schedule", shared=True)
    assert "Monday to Friday at 09:00" in driver.seen()
    await driver.submit_form({"times": "07:30, 18:00", "zone": "Lisbon"})
    assert "07:30, 18:00 (Europe/Lisbon)" in driver.seen()
    record = await schedules.get(await repository.identity_id(driver.me))
    assert record is not None
    assert (record.rule.zone, [at.strftime("%H:%M") for at in record.rule.times]) == ("Europe/Lisbon",
                                                                                      ["07:30", "18:00"])
    assert content.texts.get("error") not in driver.seen()
