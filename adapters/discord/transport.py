"""Sending on Discord: follow-ups to an interaction, DMs (opened once, their channel remembered), scheduled
prompts sent with nonces so a repeated attempt never makes a second copy, channel posts and their removal, and
the bot's DM messages deleted after /forget. What a failed send means for the core's delivery is decided here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import aiohttp
import discord

from adapters.discord.render import Outgoing, message_kwargs, messages_for, render_replies
from bot.bounded import BoundedDict
from bot.community.common import ChannelPost, Removal
from bot.conversation import DM_CHANNELS_KEPT, Conversation
from bot.dm_cleanup import DmCleanups
from bot.logsafe import describe_exception
from bot.messages import Address, Reply
from bot.patience import delivery_errors, rate_limited
from bot.ports import DeliveryError, RateLimited, TemporaryFailure, Unreachable

log = logging.getLogger(__name__)

DMS_CLOSED = 50007
NONCE_MAX = 25  # Discord's limit on a nonce's length
THREAD_NAME_MAX = 100
MAX_CLEANUP_MESSAGES = 10_000  # of a DM's history read after /forget

Interaction = discord.Interaction[discord.Client]


def delivery_error(exc: BaseException) -> DeliveryError | None:
    """What a failed send means for the core's delivery: closed DMs, wait, or try again later."""
    if isinstance(exc, discord.Forbidden) and exc.code == DMS_CLOSED:
        return Unreachable("direct messages closed")
    if isinstance(exc, discord.RateLimited):
        return RateLimited(float(exc.retry_after))
    if isinstance(exc, discord.HTTPException) and exc.status == 429:
        return rate_limited(exc.response.headers.get("Retry-After") if exc.response is not None else None, 5.0)
    if isinstance(exc, discord.HTTPException) and exc.status >= 500:
        return TemporaryFailure(f"discord answered {exc.status}")
    if isinstance(exc, (TimeoutError, aiohttp.ClientError, OSError, discord.GatewayNotFound)):
        return TemporaryFailure(type(exc).__name__)
    return None


def prompt_nonce(key: str, index: int) -> str:
    """The nonce of message `index` of the prompt of outbox row `key`: the same in every attempt and process."""
    nonce = f"bb{key}.{index}"
    if len(nonce) > NONCE_MAX:
        raise ValueError("an outbox key too long for a Discord nonce")
    return nonce


def message_link(guild_id: int, channel_id: str, message_id: str) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id.rpartition('/')[2]}"


class Transport:
    """Everything the bot sends, through one discord.py client."""

    def __init__(self, client: discord.Client, conversation: Conversation, open_dm_timeout: float) -> None:
        self.client = client
        self._conversation = conversation
        self._open_dm_timeout = open_dm_timeout
        self._dm_channels: BoundedDict[str, int] = BoundedDict(DM_CHANNELS_KEPT)
        self.cleanups = DmCleanups("discord")  # the bot's DM messages going after a /forget

    def messages_for(self, replies: Sequence[Reply]) -> list[Outgoing]:
        return messages_for(replies, self._conversation.texts)

    # ------------------------------------------------------------ to the person

    async def followups(self, interaction: Interaction, replies: Sequence[Reply], *, ephemeral: bool) -> None:
        for message in self.messages_for(replies) or [Outgoing(content="…")]:
            await interaction.followup.send(ephemeral=ephemeral, **message_kwargs(message))

    async def send_all(self, channel: discord.abc.Messageable, replies: Sequence[Reply], key: str = "") -> None:
        """With a `key` (an outbox row), each message carries a nonce of its own derived from it; discord.py
        sends it with `enforce_nonce`, so Discord returns the message it already has for a repeated attempt
        within its nonce window instead of creating a second one."""
        for index, message in enumerate(self.messages_for(replies)):
            extra: dict[str, Any] = {"nonce": prompt_nonce(key, index)} if key else {}
            await channel.send(**message_kwargs(message), **extra)

    async def to_dm(self, address: Address, replies: Sequence[Reply]) -> bool | None:
        """True when the replies went to the person's DMs; False when their DMs are closed; None when Discord
        did not open the DM in time (bot.answering decides what is shown in their place)."""
        try:
            channel = await self.open_dm(int(address.user_id))
            await self.remember_dm(address, channel.id)
            await self.send_all(channel, replies)
        except TimeoutError:
            log.warning("discord: a DM did not open within %.0f s; answering in place", self._open_dm_timeout)
            return None
        except discord.Forbidden as closed:
            if closed.code != DMS_CLOSED:
                raise
            return False
        return True

    async def open_dm(self, user_id: int) -> discord.DMChannel:
        """The person's DM channel: from discord.py's cache, else opened with one request (no user lookup first).

        Every DM open shares one rate-limit bucket, and discord.py lets a bucket whose limit it has not learned
        yet (the first requests after start-up) send one request at a time: an open that Discord never answers
        would hold every other person's open for up to 30 s. Opening a DM is safe to repeat, so it gets
        `open_dm_timeout` and then fails as a temporary failure, and the bucket is free again."""
        async with asyncio.timeout(self._open_dm_timeout):
            return await self.client.create_dm(discord.Object(id=user_id))

    async def remember_dm(self, address: Address, channel_id: int) -> None:
        self._dm_channels[address.user_id] = channel_id
        await self._conversation.remember_dm_channel(address, str(channel_id))

    # ------------------------------------------------------------ scheduled prompts (bot.ports.KeyedTransport)

    def request_cost(self, address: Address, replies: Sequence[Reply]) -> int:
        """The HTTP requests `send` makes: one per message, and one more (open the DM) when the DM channel is
        not known yet. The core's pacer charges that many (bot.ports.CostedTransport)."""
        return len(self.messages_for(replies)) + (0 if address.channel_id else 1)

    async def send(self, address: Address, replies: Sequence[Reply]) -> None:
        await self.send_keyed(address, replies, "", maybe_sent_since=None)

    async def send_keyed(self, address: Address, replies: Sequence[Reply], key: str, *,
                         maybe_sent_since: datetime | None) -> bool:
        """Scheduled prompts: to the known DM channel, else open the DM (and tell the core its id). A repeated
        attempt needs no look-up: the nonces make Discord keep one copy (bot.ports.KeyedTransport)."""
        with delivery_errors(delivery_error):
            if address.channel_id:
                channel: discord.abc.Messageable = self.client.get_partial_messageable(
                    int(address.channel_id), type=discord.ChannelType.private)
            else:
                channel = await self.open_dm(int(address.user_id))
                await self.remember_dm(address, channel.id)
            await self.send_all(channel, replies, key)
        return False

    # ------------------------------------------------------------ community channels (the ChannelPoster port)

    async def guild_of(self, channel_id: int) -> int | None:
        """The server a channel belongs to (a message link names it; community addresses do not)."""
        channel = self.client.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.client.fetch_channel(channel_id)
            except discord.HTTPException as exc:
                log.warning("discord: could not look up a channel: %s", describe_exception(exc))
                return None
        guild = getattr(channel, "guild", None)
        return guild.id if guild is not None else None

    async def post_to_channel(self, post: ChannelPost) -> str:
        """A post for the whole channel (or its thread), every mention off; pinned and given a thread when
        asked. Returns the message id, as "<thread>/<message>" for a message inside a thread."""
        target = int(post.thread_id) if post.thread_id else int(post.channel_id)
        channel = self.client.get_partial_messageable(target)
        first: discord.Message | None = None
        reply = post.reply
        guild_id = await self.guild_of(target) if post.link_to else None
        if post.link_to and guild_id is not None:  # a message link: Discord shows it as a jump to that message
            reply = replace(reply, links=(*reply.links, message_link(guild_id, post.channel_id, post.link_to)))
        for outgoing in render_replies([reply], self._conversation.texts):
            sent = await channel.send(**message_kwargs(outgoing))
            first = first or sent
        if first is None:
            return ""
        if post.pin:
            try:
                await first.pin(reason=self._conversation.texts.get("pin_reason"))
            except discord.HTTPException as exc:  # no Manage Messages permission: the notice still stands
                log.warning("discord: could not pin the care notice: %s", describe_exception(exc))
        if post.open_thread:
            name = (post.reply.title or self._conversation.texts.get("circle_thread_name"))[:THREAD_NAME_MAX]
            try:
                await self.client.http.start_thread_with_message(target, first.id, name=name,
                                                                 auto_archive_duration=10080)
            except discord.HTTPException as exc:  # without threads, shares go to the channel itself
                log.warning("discord: could not open a thread: %s", describe_exception(exc))
                return ""
        return f"{post.thread_id}/{first.id}" if post.thread_id else str(first.id)

    async def delete_message(self, removal: Removal) -> None:
        channel_id, _, message_id = removal.message_id.rpartition("/")
        channel = self.client.get_partial_messageable(int(channel_id or removal.channel_id))
        try:
            await channel.get_partial_message(int(message_id)).delete()
        except discord.NotFound:
            log.info("discord: a removed share was already gone")

    # ------------------------------------------------------------ /forget (the PersonalTraces port)

    async def remove_files(self, workspace_id: str, refs: Sequence[str]) -> list[str]:
        """Files sent in DMs go with the messages that carry them (forget_person); none are kept apart."""
        return []

    async def dm_cleanups_done(self) -> None:
        await self.cleanups.done()

    async def forget_person(self, address: Address) -> bool:
        """The bot's messages in the person's DM go (with the files they carry), in the background
        (bot.dm_cleanup). A bot cannot delete what the person wrote in a DM (Discord answers 50003), so /privacy
        tells them how to delete their own; discord.py waits out 429s itself."""
        user = self.client.user
        if user is None or not address.user_id.isdigit():
            return False
        known = self._dm_channels.pop(address.user_id, None)

        async def find() -> tuple[discord.abc.Messageable, int | None]:
            channel: discord.abc.Messageable = self.client.get_partial_messageable(
                known, type=discord.ChannelType.private) if known else await self.open_dm(int(address.user_id))
            return channel, next(iter([message.id async for message in channel.history(limit=1)]), None)

        return await self.cleanups.start(find, lambda channel, newest: delete_own_messages(channel, user.id, newest),
                                         (discord.HTTPException, TimeoutError))


async def delete_own_messages(channel: discord.abc.Messageable, bot_user_id: int, up_to: int) -> int:
    """Delete the bot's messages in `channel` up to and including message `up_to` (a message already gone is
    skipped); returns how many went."""
    deleted = 0
    async for message in channel.history(limit=MAX_CLEANUP_MESSAGES, before=discord.Object(id=up_to + 1)):
        if message.author.id == bot_user_id:
            with contextlib.suppress(discord.NotFound):
                await message.delete()
                deleted += 1
    return deleted
