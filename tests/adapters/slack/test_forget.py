"""/forget on Slack stays done: nothing the app shows afterwards (the App Home refresh that follows the "erased"
reply, a later Home visit, a form) brings the person back into the database. Only something they start
themselves does."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.service import CheckinService
from bot.storage.models import Identity
from tests.adapters.slack.conftest import ME, Slack, text_of
from tests.adapters.slack.test_home_chart import check_in, open_home
from tests.fakes.slack_server import USER_ID, message_im


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
        slack: Slack, service: CheckinService, raw_engine: AsyncEngine) -> None:
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
        slack: Slack, service: CheckinService, raw_engine: AsyncEngine) -> None:
    await check_in(slack, service, "4")
    await forget_in_dm(slack)
    await check_in(slack, service, "3")
    assert await people_named(raw_engine, USER_ID) == 1
    assert "1 check-in" in text_of(await open_home(slack))
