"""Circles through the core API on SQLite and PostgreSQL: set up, weekly prompts, anonymous shares."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.community.anonymity import ZWSP
from bot.community.circles import Circles, next_post_after, week_key
from bot.community.common import PostKind
from bot.community.store import CommunityStore
from bot.content.loader import Content
from bot.messages import Address, Tone
from bot.privacy.crypto import Cipher
from bot.storage.repository import Repository
from tests.community.conftest import click
from tests.conftest import FakeClock
from tests.storage.test_repository import every_stored_value

ADMIN = Address("discord", "guild-1", "admin-1", "circle-chan")
ANA = Address("discord", "guild-1", "ana", "circle-chan")
BEN = Address("discord", "guild-1", "ben", "circle-chan")
MOD = Address("discord", "guild-1", "mod-1", "circle-chan")


async def set_up(circles: Circles) -> None:
    outcome = await circles.setup_circle(ADMIN, True, weekday="mon", local_time="18:00", zone="Europe/Berlin")
    assert [post.kind for post in outcome.posts] == [PostKind.CARE_NOTICE]


async def test_only_an_admin_can_set_up_a_circle(circles: Circles, content: Content) -> None:
    refused = await circles.setup_circle(ANA, False, weekday="mon", local_time="18:00", zone="Europe/Berlin")
    assert [reply.text for reply in refused.replies] == [content.texts.get("circle_admin_only")]
    assert refused.posts == ()
    assert (await circles.circle_status(ANA, False)).replies[0].text == content.texts.get("circle_admin_only")
    # Nothing was set up: members cannot share into it.
    shared = await circles.share(ANA, "hello")
    assert [reply.text for reply in shared.replies] == [content.texts.get("circle_none")]


async def test_setup_posts_and_pins_the_care_notice_once(circles: Circles, content: Content) -> None:
    outcome = await circles.setup_circle(ADMIN, True, weekday="monday", local_time="6pm", zone="Europe/Berlin")
    [notice] = outcome.posts
    assert notice.pin
    assert notice.channel_id == "circle-chan"
    assert not notice.reply.private
    assert "/sos" in notice.reply.text
    assert "not a crisis service" in notice.reply.text
    assert "Monday" in outcome.replies[0].text
    assert "18:00" in outcome.replies[0].text
    again = await circles.setup_circle(ADMIN, True, weekday="tue", local_time="19:00", zone="Europe/Berlin")
    assert again.posts == ()
    assert "Tuesday" in again.replies[0].text


async def test_setup_with_a_typo_explains_what_to_type(circles: Circles) -> None:
    outcome = await circles.setup_circle(ADMIN, True, weekday="funday", local_time="18:00", zone="Europe/Berlin")
    assert "funday" in outcome.replies[0].text
    outcome = await circles.setup_command(ADMIN, True, "setup mon 18:00 Mars/Olympus")
    assert "Mars/Olympus" in outcome.replies[0].text
    usage = await circles.setup_command(ADMIN, True, "")
    assert usage.replies[0].form is not None
    assert usage.replies[0].form.command_args({"day": "mon", "time": "18:00", "zone": "Europe/Berlin"}) \
        == "setup mon 18:00 Europe/Berlin"


async def test_weekly_prompts_rotate_through_the_themes_once_a_week(circles: Circles, content: Content,
                                                                     clock: FakeClock) -> None:
    await set_up(circles)
    assert await circles.due_circle_posts() == []  # set up on a Thursday: nothing until Monday
    titles: list[str] = []
    for _ in range(len(content.circle_themes) + 1):
        clock.now = next_post_after(0, datetime.strptime("18:00", "%H:%M").time(), "Europe/Berlin", clock.now)
        posts = await circles.due_circle_posts()
        assert len(posts) == 1
        [post] = posts
        assert post.kind is PostKind.CIRCLE_PROMPT
        assert post.open_thread
        assert post.ref
        assert post.reply.text.count("?") == 1  # one reflection question
        titles.append(post.reply.title)
        assert await circles.due_circle_posts() == []  # and only once
        assert clock.now.astimezone(UTC).hour == 17  # 18:00 in Berlin in winter
    themes = content.circle_themes
    assert titles[: len(themes)] == [content.texts.get("circle_prompt_title", title=theme.title) for theme in themes]
    assert titles[len(themes)] == titles[0]


async def test_a_long_outage_gives_one_prompt_not_a_backlog(circles: Circles, clock: FakeClock) -> None:
    await set_up(circles)
    clock.advance(days=30)
    assert len(await circles.due_circle_posts()) == 1
    assert await circles.due_circle_posts() == []


async def test_an_instance_claims_only_the_prompts_it_can_post(circles: Circles, clock: FakeClock) -> None:
    """A Discord-only process must not take (and lose) a Slack circle's weekly prompt."""
    await set_up(circles)
    slack_admin = Address("slack", "T1", "admin-2", "C1")
    await circles.setup_circle(slack_admin, True, weekday="mon", local_time="18:00", zone="Europe/Berlin")
    clock.advance(days=7)
    assert [post.platform for post in await circles.due_circle_posts(platforms=["discord"])] == ["discord"]
    assert [post.platform for post in await circles.due_circle_posts(platforms=["discord"])] == []
    assert [post.platform for post in await circles.due_circle_posts(platforms=["slack"])] == ["slack"]


async def test_a_share_is_posted_inert_and_without_its_author(circles: Circles, raw_engine: AsyncEngine) -> None:
    await set_up(circles)
    outcome = await circles.share(ANA, "@everyone I finally said no! Read https://example.com/no and <@123>")
    [post] = outcome.posts
    body = post.reply.text
    assert post.kind is PostKind.SHARE
    assert not post.reply.private
    assert "@everyone" not in body
    assert f"@{ZWSP}everyone" in body
    assert "https://" not in body
    assert "hxxps://example[.]com/no" in body
    assert "<@123>" not in body
    assert "I finally said no!" in body
    assert "ana" not in repr(post)
    # The author alone gets a private confirmation, with a way to delete it.
    [confirmation] = outcome.replies
    assert confirmation.private
    assert confirmation.question is not None
    # The words are stored only encrypted.
    stored = await every_stored_value(raw_engine)
    assert not [value for _, _, value in stored if "finally said no" in value]
    assert not [(table, column) for table, column, value in stored if table.startswith("circle") and value == "ana"]


async def test_three_shares_a_day_per_member(circles: Circles, clock: FakeClock, content: Content) -> None:
    await set_up(circles)
    for number in range(3):
        assert (await circles.share(ANA, f"share number {number}")).posts
    refused = await circles.share(ANA, "a fourth one")
    assert refused.posts == ()
    assert refused.replies[0].text == content.texts.get("share_limit", limit=3)
    assert (await circles.share(BEN, "someone else can still share")).posts
    clock.advance(days=1)
    assert (await circles.share(ANA, "a new day")).posts


async def test_a_crisis_share_gets_the_crisis_reply_and_is_never_posted(
        circles: Circles, repository: Repository, raw_engine: AsyncEngine) -> None:
    await set_up(circles)
    outcome = await circles.share(ANA, "honestly I want to kill myself")
    assert outcome.posts == ()
    assert outcome.replies
    assert all(reply.tone is Tone.CRISIS and reply.private for reply in outcome.replies)
    async with raw_engine.connect() as connection:
        assert (await connection.execute(text("SELECT count(*) FROM circle_shares"))).scalar_one() == 0
    profile = await repository.profile(await repository.identity_id(ANA))
    assert profile.crisis_at is not None
    stored = await every_stored_value(raw_engine)
    assert not [value for _, _, value in stored if "kill myself" in value]


async def test_a_moderator_removes_a_share_and_never_learns_who_wrote_it(
        circles: Circles, raw_engine: AsyncEngine, content: Content) -> None:
    await set_up(circles)
    shared = await circles.share(ANA, "a share that breaks the rules")
    [post] = shared.posts
    await circles.share_posted(post.ref, "msg-77")
    remove = post.reply.question
    assert remove is not None
    refused = await circles.remove_share(BEN, False, remove.choices[0].value)
    assert refused.removals == ()
    assert refused.replies[0].text == content.texts.get("share_not_moderator")

    outcome = await circles.on_pick(MOD, click(remove, remove.choices[0].value), is_moderator=True)
    assert outcome is not None
    assert [(r.channel_id, r.message_id) for r in outcome.removals] == [("circle-chan", "msg-77")]
    assert outcome.replies[0].text == content.texts.get("share_removed")
    assert "ana" not in repr(outcome)
    # What remains in the database says only that a share was removed.
    async with raw_engine.connect() as connection:
        row = (await connection.execute(text("SELECT status, text_enc, author_tag FROM circle_shares"))).one()
    assert tuple(row) == ("removed", None, None)
    # The author cannot delete it again, and a second removal changes nothing.
    assert (await circles.delete_own_share(ANA, post.ref)).replies[0].text == content.texts.get("share_gone")
    assert (await circles.remove_share(MOD, True, post.ref)).removals == ()
    status = await circles.circle_status(ADMIN, True)
    assert "1 anonymous share" in status.replies[0].text
    assert "1 removed" in status.replies[0].text


async def test_the_author_can_delete_their_own_share_and_nobody_else_can(circles: Circles, content: Content) -> None:
    await set_up(circles)
    shared = await circles.share(ANA, "I want to take this back later")
    [post] = shared.posts
    await circles.share_posted(post.ref, "msg-1")
    delete = shared.replies[0].question
    assert delete is not None
    share_id = delete.choices[0].value
    assert (await circles.delete_own_share(BEN, share_id)).replies[0].text == content.texts.get("share_not_yours")
    assert (await circles.delete_own_share(Address("slack", "guild-1", "ana", "circle-chan"), share_id)).removals == ()
    outcome = await circles.on_pick(ANA, click(delete, share_id), is_moderator=False)
    assert outcome is not None
    assert [r.message_id for r in outcome.removals] == ["msg-1"]
    assert outcome.replies[0].text == content.texts.get("share_deleted")


async def test_status_shows_configuration_and_counts_only(circles: Circles, clock: FakeClock) -> None:
    await set_up(circles)
    clock.advance(days=5)
    [prompt] = await circles.due_circle_posts()
    await circles.prompt_posted(prompt.ref, "thread-9")
    [post] = (await circles.share(ANA, "my words")).posts
    assert post.thread_id == "thread-9"  # shares go into this week's thread
    await circles.share_posted(post.ref, "msg-2")
    [reply] = (await circles.circle_status(ADMIN, True)).replies
    assert "Monday at 18:00 (Europe/Berlin)" in reply.text
    assert "1 weekly prompts, 1 anonymous shares, 0 removed" in reply.text
    assert "my words" not in reply.text
    assert "ana" not in reply.text


def test_week_keys_follow_the_local_calendar() -> None:
    # Sunday 23:30 UTC is already Monday in Berlin: a new ISO week there.
    assert week_key(datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "Europe/Berlin") == "2026-W49"
    assert week_key(datetime(2026, 11, 29, 23, 30, tzinfo=UTC), "UTC") == "2026-W48"


async def test_stored_share_words_follow_a_key_rotation(sessions: async_sessionmaker[AsyncSession],
                                                        circles: Circles, raw_engine: AsyncEngine) -> None:
    await set_up(circles)
    old_key, new_key = Fernet.generate_key(), Fernet.generate_key()
    circle = await CommunityStore(sessions, Cipher([old_key])).circle_in("discord", "guild-1", "circle-chan")
    assert circle is not None
    await CommunityStore(sessions, Cipher([old_key])).add_share("s1", circle.id, "words to keep readable", "tag",
                                                                 date(2026, 11, 26))
    assert await CommunityStore(sessions, Cipher([new_key, old_key])).rotate_keys() == 1
    async with raw_engine.connect() as connection:
        stored = (await connection.execute(text("SELECT text_enc FROM circle_shares"))).scalar_one()
    assert Cipher([new_key]).decrypt(stored) == "words to keep readable"
