"""CheckinService.home: the App Home dashboard's content, composed from what /schedule and /history say."""

from __future__ import annotations

from bot.events import ChoicePicked, Command
from bot.service import CheckinService
from tests.adapters.slack.conftest import ME


async def test_home_for_a_newcomer_offers_a_schedule_and_says_there_is_no_history(service: CheckinService) -> None:
    schedule, history = await service.home(ME)
    assert schedule.form is not None
    assert schedule.form.name == "schedule"
    assert schedule.text == service.texts.get("schedule_none")
    assert history.text == service.texts.get("no_history")


async def test_home_shows_schedule_pause_and_the_last_checkins(service: CheckinService) -> None:
    await service.handle(Command(ME, "schedule", "weekdays 09:00 in Europe/Berlin"))
    await service.handle(Command(ME, "pause"))
    [*_, question] = await service.handle(Command(ME, "checkin"))
    assert question.question is not None
    await service.handle(ChoicePicked(ME, question.question.token("4")))
    await service.handle(Command(ME, "cancel"))
    [*_, question] = await service.handle(Command(ME, "checkin", "new"))
    assert question.question is not None
    replies = await service.handle(ChoicePicked(ME, question.question.token("skip")))
    while replies[-1].question is not None:
        replies = await service.handle(ChoicePicked(ME, replies[-1].question.token("skip")))

    schedule, history = await service.home(ME)
    assert "09:00" in schedule.text
    assert "Europe/Berlin" in schedule.text
    assert service.texts.get("schedule_paused_open") in schedule.text
    assert schedule.form is not None
    assert "1 check-in in the last four weeks" in history.text
