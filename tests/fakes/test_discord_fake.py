"""The fake Discord, proven with the real, unmodified discord.py client talking to it over 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import pytest
import yarl
from discord import app_commands

from tests.fakes.discord_client import GUILD_ID, TIMEOUT, TOKEN, USER_ID, fake_discord, started
from tests.fakes.discord_server import FakeDiscord

OTHER_USER_ID = 400_000_000_000_000_002


class CiButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
               template=r"ci:(?P<session>[^:]+):(?P<step>[^:]+):(?P<value>.+)"):
    """The check-in answer button: everything it needs is in its custom_id, so it survives restarts."""

    def __init__(self, session: str, step: str, value: str) -> None:
        super().__init__(discord.ui.Button(label=value, style=discord.ButtonStyle.primary,
                                           custom_id=f"ci:{session}:{step}:{value}"))
        self.session, self.step, self.value = session, step, value

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[discord.Client],
                             item: discord.ui.Item[discord.ui.View], match: re.Match[str], /) -> CiButton:
        return cls(match["session"], match["step"], match["value"])

    async def callback(self, interaction: discord.Interaction[discord.Client]) -> None:
        client = interaction.client
        assert isinstance(client, CheckinBot)
        client.clicks.append((self.session, self.step, self.value))
        await interaction.response.send_message(f"got {self.value}", ephemeral=True)


def scale_view(session: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for value in ("1", "2", "3"):
        view.add_item(CiButton(session, "safety", value))
    return view


class NoteModal(discord.ui.Modal, title="A private note"):
    text: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(label="Note", custom_id="text", max_length=500)

    async def on_submit(self, interaction: discord.Interaction[discord.Client]) -> None:
        await interaction.response.send_message(f"saved: {self.text.value}", ephemeral=True)


class PickView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.select(custom_id="pick", options=[discord.SelectOption(label=f"Option {n}", value=str(n))
                                                  for n in range(1, 4)])
    async def pick(self, interaction: discord.Interaction[discord.Client],
                   select: discord.ui.Select[PickView]) -> None:
        await interaction.response.edit_message(content=f"picked {select.values[0]}", view=None)


@app_commands.command(name="ping", description="Is the bot there?")
async def ping(interaction: discord.Interaction[discord.Client]) -> None:
    await interaction.response.send_message("pong", ephemeral=True)


@app_commands.command(name="note", description="Write a private note")
async def note(interaction: discord.Interaction[discord.Client]) -> None:
    await interaction.response.send_modal(NoteModal(custom_id="note:abc123"))


@app_commands.command(name="slow", description="Defer, then follow up")
async def slow(interaction: discord.Interaction[discord.Client]) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.followup.send("done", ephemeral=True)


async def feelings(interaction: discord.Interaction[discord.Client], current: str) -> list[app_commands.Choice[str]]:
    names = ("calm", "careful", "tense", "unsafe")
    return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]


@app_commands.command(name="mood", description="Say how you feel")
@app_commands.autocomplete(feeling=feelings)
async def mood(interaction: discord.Interaction[discord.Client], feeling: str, level: int) -> None:
    await interaction.response.send_message(f"{feeling}/{level}", ephemeral=True)


class CheckinBot(discord.Client):
    def __init__(self) -> None:
        # guild_ready_timeout: discord.py waits this long after the last GUILD_CREATE before READY (default 2 s).
        super().__init__(intents=discord.Intents.default(), guild_ready_timeout=0.05)
        self.tree = app_commands.CommandTree(self)
        commands: tuple[app_commands.Command[Any, ..., None], ...] = (ping, note, slow, mood)
        for command in commands:
            self.tree.add_command(command)
        self.clicks: list[tuple[str, str, str]] = []
        self.own_messages: asyncio.Queue[discord.Message] = asyncio.Queue()  # Discord echoes what the bot sends
        self.inbox: asyncio.Queue[discord.Message] = asyncio.Queue()  # what people write to the bot
        self.resumed = asyncio.Event()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(CiButton)

    async def on_resumed(self) -> None:
        self.resumed.set()

    async def on_message(self, message: discord.Message) -> None:
        if self.user is not None and message.author.id == self.user.id:
            await self.own_messages.put(message)
        else:
            await self.inbox.put(message)


@contextlib.asynccontextmanager
async def running_bot(fake: FakeDiscord) -> AsyncIterator[CheckinBot]:
    """Start the real client against the fake, wait (bounded) until it is ready, close it cleanly after."""
    client = CheckinBot()
    async with started(client, fake):
        yield client


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    async with fake_discord(monkeypatch) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[CheckinBot]:
    async with running_bot(fake) as client:
        yield client


async def test_login_gateway_and_ready(fake: FakeDiscord, bot: CheckinBot) -> None:
    assert bot.user is not None
    assert bot.user.id == fake.bot_id
    assert bot.application_id == fake.application_id
    assert fake.requests[:2] == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert ("GET", "/gateway/bot") not in fake.requests  # a plain Client goes straight to DEFAULT_GATEWAY
    assert fake.gateway_queries == [{"v": "10", "encoding": "json", "compress": "zlib-stream"}]
    assert fake.identify_count == 1
    assert fake.heartbeats >= 1
    identify = next(f["d"] for f in fake.gateway_received if f["op"] == 2)
    assert identify["token"] == TOKEN
    assert identify["intents"] == discord.Intents.default().value
    guild = bot.get_guild(GUILD_ID)
    assert guild is not None
    assert not guild.unavailable
    assert guild.name == "Boundaries circle"
    assert [c.name for c in guild.text_channels] == ["general"]


async def test_sync_and_ephemeral_slash_command(fake: FakeDiscord, bot: CheckinBot) -> None:
    synced = await bot.tree.sync()
    stored = {c["name"]: c for c in fake.commands[None]}
    assert set(stored) == {"ping", "note", "slow", "mood"}
    assert {c.name: c.id for c in synced} == {name: int(c["id"]) for name, c in stored.items()}

    pushed = await fake.slash_command(USER_ID, "ping")
    assert pushed.data["id"] == stored["ping"]["id"]
    assert pushed.context == 1
    callback = await fake.wait_for_callback(pushed, TIMEOUT)
    assert callback.type == 4
    assert callback.data["flags"] == 64
    assert callback.ephemeral
    assert callback.content == "pong"
    # Re-syncing the same commands keeps their ids, as Discord's bulk overwrite does.
    await bot.tree.sync()
    assert {c["name"]: c["id"] for c in fake.commands[None]} == {n: c["id"] for n, c in stored.items()}


async def test_guild_command_in_guild_channel(fake: FakeDiscord, bot: CheckinBot) -> None:
    guild = discord.Object(GUILD_ID)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    assert {c["name"] for c in fake.commands[GUILD_ID]} >= {"ping"}
    assert all(c["guild_id"] == str(GUILD_ID) for c in fake.commands[GUILD_ID])

    pushed = await fake.slash_command(USER_ID, "ping", guild_id=GUILD_ID)
    assert pushed.payload["member"]["user"]["id"] == str(USER_ID)
    assert "user" not in pushed.payload
    assert pushed.data["guild_id"] == str(GUILD_ID)  # discord.py looks guild commands up by this
    callback = await fake.wait_for_callback(pushed, TIMEOUT)
    assert (callback.type, callback.content, callback.flags) == (4, "pong", 64)


async def test_dm_is_opened_once_and_keeps_allowed_mentions(fake: FakeDiscord, bot: CheckinBot) -> None:
    user = await bot.fetch_user(USER_ID)
    await user.send("How safe did you feel today?", allowed_mentions=discord.AllowedMentions.none())
    await user.send("Still there?")
    assert fake.dm_opens == [USER_ID]  # discord.py caches the DM channel (for up to 128 private channels)
    first, second = fake.dms(USER_ID)
    assert first.content == "How safe did you feel today?"
    assert first.allowed_mentions == {"parse": []}
    assert second.allowed_mentions is None
    assert first.channel_id == fake.dm_channel_id(USER_ID)
    # Discord echoes the bot's own messages as MESSAGE_CREATE (on_message fires); an adapter must ignore them.
    echoes = [await asyncio.wait_for(bot.own_messages.get(), TIMEOUT) for _ in range(2)]
    assert [m.content for m in echoes] == ["How safe did you feel today?", "Still there?"]
    assert all(isinstance(m.channel, discord.DMChannel) for m in echoes)


async def test_dynamic_item_button_reaches_its_callback(fake: FakeDiscord, bot: CheckinBot) -> None:
    user = await bot.fetch_user(USER_ID)
    sent = await user.send("Pick 1 to 3", view=scale_view("abc123"))
    stored = fake.message(sent.id)
    assert stored.custom_ids() == ["ci:abc123:safety:1", "ci:abc123:safety:2", "ci:abc123:safety:3"]

    pushed = await fake.click_button(USER_ID, "ci:abc123:safety:3", stored)
    callback = await fake.wait_for_callback(pushed, TIMEOUT)
    assert (callback.type, callback.content, callback.ephemeral) == (4, "got 3", True)
    assert bot.clicks == [("abc123", "safety", "3")]


async def test_dynamic_item_survives_a_restart(fake: FakeDiscord) -> None:
    async with running_bot(fake) as first:
        sent = await (await first.fetch_user(USER_ID)).send("Pick", view=scale_view("s1"))
    async with running_bot(fake) as second:  # a new process: nothing in memory but the registered template
        pushed = await fake.click_button(USER_ID, "ci:s1:safety:2", sent.id)
        callback = await fake.wait_for_callback(pushed, TIMEOUT)
        assert callback.content == "got 2"
        assert second.clicks == [("s1", "safety", "2")]
    assert fake.identify_count == 2


async def test_forbidden_dm_raises_50007(fake: FakeDiscord, bot: CheckinBot) -> None:
    user = await bot.fetch_user(USER_ID)
    fake.fail_next("/messages", 403, json_code=50007)
    with pytest.raises(discord.Forbidden) as raised:
        await user.send("hello")
    assert raised.value.code == 50007
    assert raised.value.status == 403
    assert "Cannot send messages to this user" in raised.value.text
    assert fake.dms(USER_ID) == []

    fake.block_dms(OTHER_USER_ID)  # the persistent version: the user closed their DMs
    other = await bot.fetch_user(OTHER_USER_ID)
    with pytest.raises(discord.Forbidden) as again:
        await other.send("hello")
    assert again.value.code == 50007


async def test_rate_limit_429_is_retried(fake: FakeDiscord, bot: CheckinBot) -> None:
    channel = bot.get_channel(fake.guild_channel(GUILD_ID))
    assert isinstance(channel, discord.TextChannel)
    fake.fail_next("/messages", 429, retry_after=0.01)
    message = await channel.send("after the rate limit")
    assert message.content == "after the rate limit"
    assert fake.count("POST", f"/channels/{channel.id}/messages") == 2
    assert fake.failures_served == [("POST", f"/channels/{channel.id}/messages", 429)]
    assert [m.content for m in fake.messages[channel.id]] == ["after the rate limit"]


async def test_discord_side_validation(fake: FakeDiscord, bot: CheckinBot) -> None:
    channel = bot.get_channel(fake.guild_channel(GUILD_ID))
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400
    assert too_long.value.code == 50035
    assert "2000 or fewer" in too_long.value.text
    assert fake.messages[channel.id] == []


async def test_modal_round_trip(fake: FakeDiscord, bot: CheckinBot) -> None:
    await bot.tree.sync()
    opened = await fake.slash_command(USER_ID, "note")
    modal = await fake.wait_for_callback(opened, TIMEOUT)
    assert modal.type == 9
    assert modal.custom_id == "note:abc123"
    assert modal.data["title"] == "A private note"

    submitted = await fake.submit_modal(USER_ID, "note:abc123", {"text": "I said no, kindly"})
    callback = await fake.wait_for_callback(submitted, TIMEOUT)
    assert (callback.type, callback.content, callback.ephemeral) == (4, "saved: I said no, kindly", True)


async def test_select_updates_the_message(fake: FakeDiscord, bot: CheckinBot) -> None:
    sent = await (await bot.fetch_user(USER_ID)).send("Choose", view=PickView())
    pushed = await fake.select(USER_ID, "pick", ["2"], sent.id)
    callback = await fake.wait_for_callback(pushed, TIMEOUT)
    assert callback.type == 7
    assert fake.message(sent.id).content == "picked 2"
    assert fake.message(sent.id).components == []


async def test_autocomplete_and_typed_options(fake: FakeDiscord, bot: CheckinBot) -> None:
    await bot.tree.sync()
    typing = await fake.autocomplete(USER_ID, "mood", {"feeling": "ca"}, focused="feeling")
    choices = await fake.wait_for_callback(typing, TIMEOUT)
    assert choices.type == 8
    assert [c["value"] for c in choices.choices] == ["calm", "careful"]

    run = await fake.slash_command(USER_ID, "mood", {"feeling": "calm", "level": 4})
    assert [o["type"] for o in run.data["options"]] == [3, 4]  # typed from the synced definition
    assert (await fake.wait_for_callback(run, TIMEOUT)).content == "calm/4"


async def test_defer_then_followup(fake: FakeDiscord, bot: CheckinBot) -> None:
    await bot.tree.sync()
    pushed = await fake.slash_command(USER_ID, "slow")
    followup = await fake.wait_for_followup(pushed, within=TIMEOUT)
    callback = fake.interaction_responses[pushed.id]
    assert callback.type == 5
    assert callback.ephemeral
    assert followup.content == "done"
    assert followup.ephemeral


async def test_answering_twice_is_rejected(fake: FakeDiscord, bot: CheckinBot) -> None:
    view = discord.ui.View(timeout=None)
    view.add_item(discord.ui.Button(label="Manual", custom_id="manual"))  # its callback does nothing
    sent = await (await bot.fetch_user(USER_ID)).send("Answer by hand", view=view)
    seen = asyncio.create_task(bot.wait_for("interaction", timeout=TIMEOUT))
    pushed = await fake.click_button(USER_ID, "manual", sent.id)
    interaction: discord.Interaction[discord.Client] = await seen
    assert interaction.id == pushed.id
    assert interaction.message is not None
    assert interaction.message.id == sent.id
    await interaction.response.send_message("one")
    interaction.response._response_type = None  # pretend we forgot we had answered
    with pytest.raises(discord.HTTPException) as raised:
        await interaction.response.send_message("two")
    assert raised.value.code == 40060
    assert fake.interaction_responses[pushed.id].content == "one"
    assert fake.rejected_callbacks[0][0] == pushed.id


async def test_people_writing_to_the_bot(fake: FakeDiscord, bot: CheckinBot) -> None:
    await fake.user_message(USER_ID, "3")  # typed answer in the DM
    dm = await asyncio.wait_for(bot.inbox.get(), TIMEOUT)
    assert (dm.author.id, dm.content, dm.guild) == (USER_ID, "3", None)
    # In a guild channel, without the privileged MESSAGE_CONTENT intent, Discord blanks the content.
    await fake.user_message(USER_ID, "hello circle", channel_id=fake.guild_channel(GUILD_ID))
    in_guild = await asyncio.wait_for(bot.inbox.get(), TIMEOUT)
    assert in_guild.guild is not None
    assert in_guild.guild.id == GUILD_ID
    assert in_guild.content == ""
    await fake.user_message(USER_ID, f"<@{fake.bot_id}> hi", channel_id=fake.guild_channel(GUILD_ID))
    assert (await asyncio.wait_for(bot.inbox.get(), TIMEOUT)).content == f"<@{fake.bot_id}> hi"


async def test_unknown_route_is_recorded(fake: FakeDiscord, bot: CheckinBot) -> None:
    with pytest.raises(discord.NotFound) as raised:
        await bot.http.request(discord.http.Route("GET", "/guilds/{guild_id}/bans", guild_id=GUILD_ID))
    assert "no handler for GET /api/v10/guilds" in raised.value.text
    assert fake.unhandled == [("GET", f"/guilds/{GUILD_ID}/bans")]
    fake.unhandled.clear()


async def test_dropped_connection_is_resumed(fake: FakeDiscord, bot: CheckinBot) -> None:
    await bot.tree.sync()
    await fake.drop_connection()
    await asyncio.wait_for(bot.resumed.wait(), TIMEOUT)
    assert fake.resume_count == 1
    assert fake.identify_count == 1
    assert len(fake.gateway_queries) == 2  # reconnected via READY's resume_gateway_url, i.e. the fake
    pushed = await fake.slash_command(USER_ID, "ping")
    assert (await fake.wait_for_callback(pushed, TIMEOUT)).content == "pong"


async def test_multi_session_sends_one_click_to_every_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes logged in with one token: with multi_session both keep their session, one click reaches
    both (only the first answer counts), and session_ids aims an interaction at one of them."""
    async with FakeDiscord(token=TOKEN, multi_session=True) as server:
        monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
        async with running_bot(server) as first, running_bot(server) as second:
            assert len(server.sessions) == 2
            sent = await (await first.fetch_user(USER_ID)).send("Pick", view=scale_view("both"))
            pushed = await server.click_button(USER_ID, "ci:both:safety:1", sent.id)
            await server.wait_for_callback(pushed, TIMEOUT)
            await server.wait_until(lambda: first.clicks and second.clicks, TIMEOUT, "both clicks")
            await server.wait_until(lambda: server.rejected_callbacks, TIMEOUT, "the second answer")
            assert server.rejected_callbacks[0][2]["code"] == 40060
            only = next(iter(server.sessions))
            aimed = await server.click_button(USER_ID, "ci:both:safety:2", sent.id, session_ids=[only])
            await server.wait_for_callback(aimed, TIMEOUT)
            assert len(first.clicks) + len(second.clicks) == 3
            again = await server.repush(aimed, session_ids=[only])
            assert again.id == aimed.id
        assert server.errors == []


async def test_hand_made_interactions_and_raw_frames(fake: FakeDiscord, bot: CheckinBot) -> None:
    seen = asyncio.create_task(bot.wait_for("interaction", timeout=TIMEOUT))
    pushed = await fake.push_interaction({
        "id": "123", "application_id": str(fake.application_id), "type": 3, "token": "tok", "version": 1,
        "attachment_size_limit": 1024, "locale": "en-US",
        "channel_id": str(fake.dm_channel_id(USER_ID)), "user": fake.add_user(USER_ID),
        "data": {"custom_id": "not-a-token", "component_type": 2}})
    interaction: discord.Interaction[discord.Client] = await seen
    assert (interaction.id, pushed.token, pushed.user_id) == (123, "tok", USER_ID)
    await interaction.response.send_message("ok")
    assert fake.interaction_responses[123].content == "ok"


async def test_raw_frames_go_out_as_they_are() -> None:
    async with FakeDiscord() as server, aiohttp.ClientSession() as http, \
            http.ws_connect(server.gateway_url + "?v=10&encoding=json") as ws:
        hello = await ws.receive_json(timeout=TIMEOUT)
        assert hello["op"] == 10
        assert await server.send_raw_frame("{not json") == 1
        assert (await ws.receive(timeout=TIMEOUT)).data == "{not json"
