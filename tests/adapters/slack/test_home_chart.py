"""The App Home shows the person's latest history chart: uploaded to Slack privately (shared in no
conversation), shown through an image block with its alt text, uploaded once per chart, and the replaced
file deleted. End to end: signed requests into the real AsyncApp, the real service, the fake Slack."""

from __future__ import annotations

import itertools
from typing import Any

from bot.conversation import Conversation
from bot.events import Command, TextSubmitted
from tests.adapters.slack.conftest import ME, Slack, text_of
from tests.fakes.slack_server import USER_ID, app_home_opened, message_im

_event_ids = itertools.count(1)


async def check_in(slack: Slack, service: Conversation, score: str) -> None:
    """A finished daily check-in, answered the way a typed DM answers (score, one boundary, no note)."""
    for event in (Command(ME, "checkin"), TextSubmitted(ME, score), TextSubmitted(ME, "1"), TextSubmitted(ME, "skip")):
        await service.handle(event)


async def open_home(slack: Slack) -> dict[str, Any]:
    """The person opens the app's Home tab; returns the Home as Slack now holds it."""
    event = app_home_opened(USER_ID, event_id=f"Ev0CHART{next(_event_ids):04d}")
    status, _ = await slack.post(slack.signed.event(event))
    assert status == 200
    await slack.adapter.drain()
    return slack.fake.home_views[USER_ID]


def images(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [block for block in view["blocks"] if block["type"] == "image"]


async def the_chart(service: Conversation) -> Any:
    chart = (await service.home(ME))[-1].image
    assert chart is not None
    return chart


async def test_after_a_checkin_the_home_shows_the_chart_uploaded_privately(
        slack: Slack, service: Conversation) -> None:
    await check_in(slack, service, "4")
    home = await open_home(slack)

    [image] = images(home)
    file_id = image["slack_file"]["id"]
    uploaded = slack.fake.files[file_id]
    assert uploaded["content"].startswith(b"\x89PNG\r\n\x1a\n")
    assert uploaded["name"].endswith(".png")
    assert uploaded["channels"] == [], "shared in no conversation: only the app has the file"
    chart = await the_chart(service)
    assert image["alt_text"] == chart.alt_text  # what a screen reader says for it
    assert "4 out of 5" in image["alt_text"]
    assert uploaded["content"] == chart.content
    assert "1 check-in in the last four weeks" in text_of(home)  # the words are still there beside it
    assert slack.fake.messages == []  # nothing was posted anywhere to get it there


async def test_opening_the_home_again_uploads_nothing(slack: Slack, service: Conversation) -> None:
    await check_in(slack, service, "4")
    first = await open_home(slack)
    second = await open_home(slack)
    third = await open_home(slack)

    assert len(slack.fake.calls_to("files.getUploadURLExternal")) == 1
    assert len(slack.fake.calls_to("files.completeUploadExternal")) == 1
    assert images(first) == images(second) == images(third)
    assert slack.fake.calls_to("files.delete") == []
    assert len(slack.fake.files) == 1


async def test_a_new_checkin_replaces_the_chart_and_the_old_file_is_deleted(
        slack: Slack, service: Conversation) -> None:
    await check_in(slack, service, "4")
    [before] = images(await open_home(slack))
    await check_in(slack, service, "2")
    [after] = images(await open_home(slack))

    old, new = before["slack_file"]["id"], after["slack_file"]["id"]
    assert old != new
    assert old not in slack.fake.files
    assert old in slack.fake.deleted_files  # deleted through files.delete, not just forgotten
    assert list(slack.fake.files) == [new]
    assert after["alt_text"] == (await the_chart(service)).alt_text
    assert after["alt_text"] != before["alt_text"]
    [deleted] = slack.fake.calls_to("files.delete")
    assert deleted.error is None


async def test_a_person_without_checkins_gets_no_chart(slack: Slack) -> None:
    home = await open_home(slack)
    assert images(home) == []
    assert "check-in" in text_of(home).lower()  # the history still says there is nothing yet
    assert slack.fake.calls_to("files.getUploadURLExternal") == []
    assert not any(block["type"] == "divider" and next_block["type"] == "divider"
                   for block, next_block in itertools.pairwise(home["blocks"]))  # no empty section left behind


async def test_a_failed_upload_still_publishes_the_home_and_the_next_one_has_the_chart(
        slack: Slack, service: Conversation) -> None:
    await check_in(slack, service, "4")
    slack.fake.fail_next("files.getUploadURLExternal", status=500)
    home = await open_home(slack)
    assert images(home) == []
    assert "1 check-in in the last four weeks" in text_of(home)

    [image] = images(await open_home(slack))
    assert image["slack_file"]["id"] in slack.fake.files


async def test_a_chart_slack_will_not_show_leaves_the_home_without_it(slack: Slack, service: Conversation) -> None:
    """Slack refuses an image block whose file it cannot show (here: the file vanished behind the app's back);
    the Home goes up without the picture rather than not at all."""
    await check_in(slack, service, "4")
    [image] = images(await open_home(slack))
    slack.fake.files.pop(image["slack_file"]["id"])

    home = await open_home(slack)
    assert images(home) == []
    assert "1 check-in in the last four weeks" in text_of(home)
    refused, published = slack.fake.calls_to("views.publish")[-2:]
    assert (refused.error, published.error) == ("invalid_arguments", None)


async def test_forget_deletes_the_chart_file(slack: Slack, service: Conversation) -> None:
    await check_in(slack, service, "4")
    [image] = images(await open_home(slack))
    dm = slack.fake.dm_channel_for(USER_ID)
    await slack.command("forget", channel_id=dm)
    await slack.adapter.drain()
    await slack.post(slack.signed.event(message_im("1", channel=dm, event_id="Ev0FORGET1")))  # "Yes, erase"
    await slack.adapter.drain()

    assert "erase" in text_of(slack.fake.messages_in(dm)[-1]).lower()
    assert images(slack.fake.home_views[USER_ID]) == []
    assert slack.fake.files == {}
    assert image["slack_file"]["id"] in slack.fake.deleted_files


async def test_an_old_chart_that_could_not_be_deleted_is_deleted_after_the_next_home(
        slack: Slack, service: Conversation) -> None:
    await check_in(slack, service, "4")
    [before] = images(await open_home(slack))
    await check_in(slack, service, "2")
    slack.fake.fail_next("files.delete", status=503)
    [after] = images(await open_home(slack))
    assert before["slack_file"]["id"] in slack.fake.files  # Slack was down for that one

    assert images(await open_home(slack)) == [after]
    assert list(slack.fake.files) == [after["slack_file"]["id"]]
    assert before["slack_file"]["id"] in slack.fake.deleted_files
