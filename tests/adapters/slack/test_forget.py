"""/forget on Slack stays done: nothing the app shows afterwards (the App Home refresh that follows the "erased"
reply, a later Home visit, a form) brings the person back into the database. Only something they start
themselves does."""

from __future__ import annotations

from typing import Any

import aiohttp
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.conversation import Conversation
from bot.storage.models import Identity
from tests.adapters.slack.conftest import ME, SECRET, Slack, install, oauth_adapter, text_of
from tests.adapters.slack.test_home_chart import check_in, images, open_home
from tests.fakes.slack_server import USER_ID, FakeSlackApi, SlackRequests, message_im, serve_app


async def people_named(engine: AsyncEngine, user_id: str) -> int:
    async with engine.connect() as db:
        return int(await db.scalar(select(func.count()).select_from(Identity).where(Identity.user_id == user_id))
                   or 0)


async def forget_in_dm(slack: Slack) -> None:
    dm = slack.fake.dm_channel_for(USER_ID)
    await slack.command("forget", channel_id=dm)
    await slack.adapter.drain()
    await slack.post(slack.signed.event(message_im("1", channel=dm, event_id="Ev0FORGETME")))  # "Yes, erase"
    await slack.adapter.drain()


async def test_the_home_refresh_after_forget_does_not_bring_the_person_back(
        slack: Slack, service: Conversation, raw_engine: AsyncEngine) -> None:
    await check_in(slack, service, "4")
    assert await people_named(raw_engine, USER_ID) == 1

    await forget_in_dm(slack)

    dm = slack.fake.dm_channel_for(USER_ID)
    assert "erase" in text_of(slack.fake.messages_in(dm)[-1]).lower()
    assert USER_ID in slack.fake.home_views, "the Home was refreshed after the erase"
    assert await people_named(raw_engine, USER_ID) == 0

    home = await open_home(slack)  # they look at the Home tab again, and at the schedule form
    assert "No check-ins yet" in text_of(home)
    assert await service.form(ME, "schedule") is not None
    assert await service.paused(ME) is None
    assert not await service.has_open_checkin(ME)
    assert await people_named(raw_engine, USER_ID) == 0


async def test_a_forgotten_person_who_starts_again_exists_again(
        slack: Slack, service: Conversation, raw_engine: AsyncEngine) -> None:
    await check_in(slack, service, "4")
    await forget_in_dm(slack)
    await check_in(slack, service, "3")
    assert await people_named(raw_engine, USER_ID) == 1
    assert "1 check-in" in text_of(await open_home(slack))


async def test_forget_deletes_the_files_uploaded_to_the_dm_and_the_home_chart(
        slack: Slack, service: Conversation) -> None:
    await check_in(slack, service, "4")
    dm = slack.fake.dm_channel_for(USER_ID)
    await slack.command("export", channel_id=dm)
    await slack.command("history", channel_id=dm)
    await slack.adapter.drain()
    [chart] = images(await open_home(slack))
    uploaded = set(slack.fake.files)
    assert len(uploaded) == 4, "two export files and a history chart in the DM, the Home's chart"
    assert chart["slack_file"]["id"] in uploaded

    await forget_in_dm(slack)

    assert slack.fake.files == {}
    assert uploaded <= set(slack.fake.deleted_files)


async def test_forget_removes_the_installers_user_id_from_the_installation(
        fake: FakeSlackApi, service: Conversation, raw_engine: AsyncEngine) -> None:
    adapter = await oauth_adapter(service, fake, raw_engine)
    signed = SlackRequests(SECRET)
    async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
        assert await install(http, url, fake, fake.workspace) == 200
        slack = Slack(fake, adapter, url, http, signed)
        await check_in(slack, service, "4")
        async with raw_engine.connect() as db:
            assert USER_ID in set(await db.scalars(select(adapter_installations(adapter).c.user_id)))

        await forget_in_dm(slack)

        async with raw_engine.connect() as db:
            assert USER_ID not in set(await db.scalars(select(adapter_installations(adapter).c.user_id)))
        store = adapter.app.installation_store
        assert store is not None
        bot = await store.async_find_bot(enterprise_id=None, team_id=fake.workspace.team_id)
        assert bot is not None
        assert bot.bot_token, "the workspace's install still works"
        await check_in(slack, service, "3")  # and so does the bot, for everyone
        await adapter.drain()


def adapter_installations(adapter: object) -> Any:
    store = adapter.app.installation_store  # type: ignore[attr-defined]
    return store.inner.installations


async def test_forget_deletes_the_apps_messages_in_the_dm_after_the_erased_reply(slack: Slack) -> None:
    dm = slack.fake.dm_channel_for(USER_ID)
    await slack.command("checkin", channel_id=dm, key="ci")
    for number, answer in enumerate(("4", "1", "skip")):
        mine = slack.fake.user_wrote(dm, answer)
        await slack.post(slack.signed.event(message_im(answer, channel=dm, event_id=f"Ev0DMCLEAN{number}")))
        await slack.adapter.drain()
    bot = slack.fake.workspace.bot_user_id
    slack.fake.fail_next("chat.delete", status=429, retry_after=0)  # a rate limit on the way is waited out
    before = len([m for m in slack.fake.messages_in(dm) if m.get("user") == bot])
    assert before >= 3

    await forget_in_dm(slack)
    await slack.fake._wait(lambda: len([m for m in slack.fake.messages_in(dm) if m.get("user") == bot]) == 1, 3.0)
    [left] = [m for m in slack.fake.messages_in(dm) if m.get("user") == bot]
    assert "erase" in text_of(left).lower(), "only the reply that says it is erased stays"
    assert "removing my earlier messages" in text_of(left)
    assert len([m for m in slack.fake.messages_in(dm) if m.get("user") == USER_ID]) == 3, \
        "the person's own messages cannot be deleted by the app's token"
    assert mine in [m["ts"] for m in slack.fake.messages_in(dm)]
    assert len(slack.fake.calls_to("chat.delete")) >= before


async def test_privacy_says_the_persons_own_dm_messages_are_theirs_to_delete(slack: Slack) -> None:
    dm = slack.fake.dm_channel_for(USER_ID)
    assert await slack.command("privacy", channel_id=dm, key="privacy") == 200
    await slack.adapter.drain()
    said = "\n".join(text_of(m) for m in slack.fake.messages_in(dm))
    assert "deletes my own messages in our direct messages" in said
    assert "only you can remove them" in said
