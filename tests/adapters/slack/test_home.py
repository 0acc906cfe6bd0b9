"""Conversation.home: the App Home dashboard's content, composed from what /schedule and /history say
(the history chart included)."""

from __future__ import annotations

from bot.conversation import Conversation
from bot.events import ChoicePicked, Command
from tests.adapters.slack.conftest import ME, Slack, elements
from tests.fakes.slack_server import USER_ID


async def test_home_for_a_newcomer_offers_a_schedule_and_says_there_is_no_history(service: Conversation) -> None:
    schedule, history = await service.home(ME)
    assert schedule.form is not None
    assert schedule.form.name == "schedule"
    assert schedule.text == service.texts.get("schedule_none")
    assert history.text == service.texts.get("insights_none")


async def test_home_shows_schedule_pause_and_the_last_checkins(service: Conversation) -> None:
    await service.handle(Command(ME, "schedule", "weekdays 09:00 in Europe/Berlin"))
    await service.handle(Command(ME, "pause"))
    [*_, question] = (await service.handle(Command(ME, "checkin"))).replies
    assert question.question is not None
    await service.handle(ChoicePicked(ME, question.question.token("4")))
    await service.handle(Command(ME, "cancel"))
    [*_, question] = (await service.handle(Command(ME, "checkin", "new"))).replies
    assert question.question is not None
    replies = (await service.handle(ChoicePicked(ME, question.question.token("skip")))).replies
    while replies[-1].question is not None:
        replies = (await service.handle(ChoicePicked(ME, replies[-1].question.token("skip")))).replies

    schedule, history, chart = await service.home(ME)
    assert "09:00" in schedule.text
    assert "Europe/Berlin" in schedule.text
    assert service.texts.get("schedule_paused_open") in schedule.text
    assert schedule.form is not None
    assert "1 check-in in the last four weeks" in history.text
    assert chart.image is not None  # the history chart, for the App Home to show
    assert chart.image.content.startswith(b"\x89PNG")
    assert chart.image.alt_text


def home_buttons(slack: Slack) -> list[str]:
    return [element["text"]["text"] for element in elements(slack.fake.home_views[USER_ID])]


async def test_the_home_offers_resume_while_paused_and_pause_otherwise(slack: Slack) -> None:
    dm = slack.fake.dm_channel_for(USER_ID)
    for command, shown, hidden in (("schedule weekdays 09:00 in Europe/Berlin", "Pause", "Resume"),
                                   ("pause", "Resume", "Pause"),
                                   ("resume", "Pause", "Resume"),
                                   ("pause until 2099-12-24", "Resume", "Pause")):
        await slack.command(command, channel_id=dm)
        await slack.adapter.drain()
        buttons = home_buttons(slack)
        assert shown in buttons, (command, buttons)
        assert hidden not in buttons, (command, buttons)
        assert "Check in now" in buttons
