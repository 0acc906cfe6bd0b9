"""Everything the Slack adapter sends, through the Web API: answers (in the DM, ephemeral, or moved to the DM),
scheduled prompts with their workspace's own token (keyed, so a prompt is never posted twice), community posts
into channels, uploads (every file reported to the core, so /forget and retention reach it), and what /forget
removes from Slack: the files, the app's messages in the person's DM, their user id as the app's installer.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.installations import EncryptedInstallationStore
from adapters.slack.render import CAPABILITIES, escape, render_replies
from bot.answering import shown_here
from bot.bounded import BoundedDict
from bot.community.common import ChannelPost, Removal
from bot.conversation import DM_CHANNELS_KEPT, Conversation
from bot.dm_cleanup import DmCleanups
from bot.logsafe import describe_exception
from bot.messages import Address, Reply
from bot.patience import delivery_errors, patiently, rate_limited
from bot.ports import DeliveryError, TemporaryFailure, Unreachable
from bot.response import Place

log = logging.getLogger(__name__)

ALT_TEXT_MAX = 1000
DELIVERY_CLIENTS_KEPT = 256  # workspaces whose Web API client (and token) scheduled delivery keeps at hand
# After these a cached token is no good any more (uninstalled, reinstalled, workspace gone): look it up afresh.
STALE_TOKEN_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "token_expired", "not_authed"})
GONE_FILE_ERRORS = frozenset({"file_not_found", "file_deleted"})
PROMPT_EVENT = "boundary_prompt"
HISTORY_MARGIN = timedelta(minutes=10)  # Slack's clock and ours may differ: look this much further back
HISTORY_PAGE = 200  # messages per conversations.history page (Slack advises at most 200)
HISTORY_PAGES = 10  # the most pages read for one look-up (a DM with thousands of messages since is not a bot's)
PAGE_SIZE = 200
MAX_PAGES = 50  # the most pages of a DM cleared after /forget: 10,000 messages, a daily check-in for years
GONE = frozenset({"message_not_found", "cant_delete_message"})  # nothing to do for this one message
# Errors after which a person cannot be reached until something changes (the app removed, the account gone).
UNREACHABLE_ERRORS = frozenset({
    "user_not_found", "user_not_visible", "cannot_dm_bot", "channel_not_found", "is_archived", "account_inactive",
    "user_disabled", "messages_tab_disabled", "not_in_channel", "token_revoked", "token_expired", "invalid_auth",
    "not_authed", "team_not_found", "team_access_not_granted", "access_denied", "no_installation",
    "restricted_action", "ekm_access_denied",
})
TEMPORARY_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})


def delivery_error(exc: BaseException) -> DeliveryError | None:
    """What a failed Web API call means for the core's delivery: wait, try again later, or give up."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = str(exc.response.get("error") or "")
        if status == 429 or error == "ratelimited":
            return rate_limited(exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after"))
        if error in UNREACHABLE_ERRORS:
            return Unreachable(error)
        if status >= 500 or error in TEMPORARY_ERRORS:
            return TemporaryFailure(f"slack answered {status} {error}".strip())
        return None
    if isinstance(exc, (TimeoutError, aiohttp.ClientError, OSError)):
        return TemporaryFailure(type(exc).__name__)
    return None


def retry_handlers(*, rate_limits: int) -> list[AsyncRetryHandler]:
    """slack_sdk's own retries: a dropped connection once; a 429 after its Retry-After, `rate_limits` times."""
    handlers: list[AsyncRetryHandler] = [AsyncConnectionErrorRetryHandler(max_retry_count=1)]
    if rate_limits > 0:
        handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limits))
    return handlers


def prompt_metadata(key: str) -> dict[str, Any]:
    """Slack message metadata naming the outbox row a prompt belongs to (no person, no words)."""
    return {"event_type": PROMPT_EVENT, "event_payload": {"outbox": key}}


def is_prompt_of(message: Any, key: str) -> bool:
    metadata = message.get("metadata") if isinstance(message, dict) else None
    if not isinstance(metadata, dict) or metadata.get("event_type") != PROMPT_EVENT:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, dict) and str(payload.get("outbox")) == key


@dataclass(frozen=True)
class Origin:
    """Where a person acted: a conversation (with a response_url for ephemeral answers) or nowhere in
    particular (App Home, a shortcut, a modal opened from there)."""

    channel: str = ""
    respond: AsyncRespond | None = None


class ChannelPosts:
    """Community posts into Slack channels with one client: mentions off (no link_names, parse "none", no
    unfurls, & < > escaped), the care notice pinned, shares into the weekly prompt's thread."""

    def __init__(self, client: AsyncWebClient, conversation: Conversation) -> None:
        self._client = client
        self._texts = conversation.texts

    async def post_to_channel(self, post: ChannelPost) -> str:
        first = ""
        reply = post.reply
        if post.link_to:
            try:
                linked = await self._client.chat_getPermalink(channel=post.channel_id, message_ts=post.link_to)
                permalink = str(linked.get("permalink") or "")
                if permalink:
                    reply = replace(reply, links=(*reply.links, permalink))
            except SlackApiError as exc:  # the message is gone: the post still goes out, without the link
                log.warning("slack could not link to an earlier post: %s", exc.response.get("error"))
        for message in render_replies([reply], self._texts):
            arguments = message.kwargs()
            arguments["text"] = escape(arguments["text"])
            if post.thread_id:
                arguments["thread_ts"] = post.thread_id
            sent = await self._client.chat_postMessage(channel=post.channel_id, unfurl_links=False,
                                                       unfurl_media=False, parse="none", **arguments)
            first = first or str(sent.get("ts") or "")
        if post.pin and first:
            try:
                await self._client.pins_add(channel=post.channel_id, timestamp=first)
            except SlackApiError as exc:  # not allowed to pin here: the notice still stands
                log.warning("slack could not pin the care notice: %s", exc.response.get("error"))
        return first  # a message's ts; replies to it form its thread

    async def delete_message(self, removal: Removal) -> None:
        try:
            await self._client.chat_delete(channel=removal.channel_id, ts=removal.message_id)
        except SlackApiError as exc:
            if exc.response.get("error") != "message_not_found":
                raise


class SlackTransport:
    """The Web API side of the adapter. `client` is the app's own (its token, or bolt's per-request one);
    scheduled delivery, channel posts and /forget use a client per workspace, with its installation's token."""

    def __init__(self, conversation: Conversation, *, token: str, api_url: str,
                 installations: AsyncInstallationStore | None, rate_limit_retries: int) -> None:
        self._conversation = conversation
        self._texts = conversation.texts
        self._api_url = api_url
        self.installations = installations
        self._dm_channels: BoundedDict[tuple[str, str], str] = BoundedDict(DM_CHANNELS_KEPT)
        self._clients: BoundedDict[str, AsyncWebClient] = BoundedDict(DELIVERY_CLIENTS_KEPT)
        self.cleanups = DmCleanups("slack")  # the app's DM messages going after a /forget
        # Only `client=` (with the token inside it); everything else explicit, so SLACK_* variables in the
        # environment never switch on OAuth or another token behind our back.
        self.client = AsyncWebClient(token=token or None, base_url=api_url,
                                     retry_handlers=retry_handlers(rate_limits=rate_limit_retries))
        # Scheduled delivery lets the dispatcher honour Retry-After (its pacer backs off for everyone).
        self._delivery_retries = retry_handlers(rate_limits=0)

    # ------------------------------------------------------------ answering a person

    async def answer(self, client: AsyncWebClient, address: Address, origin: Origin,
                     replies: Sequence[Reply]) -> None:
        """Where the replies go is bot.answering's to decide: here only where the event came from, and how."""
        dm = await self.dm_channel(client, address) if origin.channel.startswith("D") else ""
        place = Place.DM if dm and dm == origin.channel else Place.SHARED if origin.channel else Place.NOWHERE

        async def to_dm(moving: Sequence[Reply]) -> bool:
            try:
                await self.post_all(client, address, dm or await self.dm_channel(client, address), moving)
            except SlackApiError as exc:
                if delivery_error(exc) is None:
                    raise
                log.warning("slack could not open a DM: %s", exc.response.get("error"))
                return False
            return True

        shown = await shown_here(replies, place, CAPABILITIES, self._texts, to_dm)
        if place is Place.DM:
            await self.post_all(client, address, dm, shown)
        elif shown:
            await self.ephemeral(client, address, origin, shown)

    async def ephemeral(self, client: AsyncWebClient, address: Address, origin: Origin,
                        replies: Sequence[Reply]) -> None:
        for message in render_replies(replies, self._texts):
            if origin.respond is not None:
                await origin.respond(response_type="ephemeral", replace_original=False, **message.kwargs())
            else:
                await client.chat_postEphemeral(channel=origin.channel, user=address.user_id, **message.kwargs())

    async def post_all(self, client: AsyncWebClient, address: Address, channel: str, replies: Sequence[Reply],
                       key: str = "") -> None:
        """Every uploaded file is reported to the core, so /forget and retention can delete it from Slack. With
        a `key` (an outbox row), every message carries it as metadata, for `_already_posted`."""
        extra: dict[str, Any] = {"metadata": prompt_metadata(key)} if key else {}
        for message in render_replies(replies, self._texts):
            if message.blocks or not (message.files or message.images):
                await client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False,
                                              **message.kwargs(), **extra)
            for item in message.files:
                await self.uploaded(address, await client.files_upload_v2(
                    channel=channel, content=item.content, filename=item.filename, title=item.filename))
            for image in message.images:  # Slack's current upload API (getUploadURLExternal + complete)
                await self.uploaded(address, await client.files_upload_v2(
                    channel=channel, content=image.content, filename=image.filename, title=image.filename,
                    alt_txt=image.alt_text[:ALT_TEXT_MAX]))

    @staticmethod
    def file_id(response: Any) -> str:
        """The id of a file just uploaded ("" when Slack named none)."""
        listed = response.get("files") if response is not None else None
        return str(listed[0].get("id") or "") if isinstance(listed, list) and listed else ""

    async def uploaded(self, address: Address, response: Any) -> str:
        """The id of a file just uploaded, reported to the core."""
        file_id = self.file_id(response)
        if file_id:
            await self._conversation.traces.remember_file(address, file_id)
        return file_id

    async def dm_channel(self, client: AsyncWebClient, address: Address) -> str:
        """The person's DM with the app (opened once, then remembered, also by the core for scheduling)."""
        key = (address.workspace_id, address.user_id)
        known = self._dm_channels.get(key)
        if known:
            return known
        opened = await client.conversations_open(users=address.user_id)
        channel = str(opened["channel"]["id"])
        self._dm_channels[key] = channel
        await self._conversation.remember_dm_channel(address, channel)
        return channel

    def dm_seen(self, address: Address, channel: str) -> None:
        """The person wrote in this DM: it is theirs with the app."""
        self._dm_channels.setdefault((address.workspace_id, address.user_id), channel)

    # ------------------------------------------------------------ per-workspace clients

    async def workspace_client(self, workspace_id: str) -> AsyncWebClient:
        """The workspace's Web API client, made (and its installation looked up) once, then kept: the most
        recently used DELIVERY_CLIENTS_KEPT workspaces."""
        client = self._clients.get(workspace_id)
        if client is None:
            client = AsyncWebClient(token=await self._token(workspace_id), base_url=self._api_url,
                                    retry_handlers=self._delivery_retries)
        self._clients[workspace_id] = client
        return client

    async def _token(self, workspace_id: str) -> str | None:
        if self.installations is None:
            return self.client.token
        bot = await self.installations.async_find_bot(enterprise_id=None, team_id=workspace_id)
        if bot is None:
            bot = await self.installations.async_find_bot(enterprise_id=workspace_id, team_id=None,
                                                          is_enterprise_install=True)
        if bot is None or not bot.bot_token:
            raise Unreachable("the app is not (or no longer) installed in this workspace")
        return bot.bot_token

    def drop_workspace(self, workspace_id: str) -> None:
        """The app left the workspace (uninstalled, its token revoked): its client goes."""
        self._clients.pop(workspace_id, None)

    def _forget_client_after(self, workspace_id: str, client: AsyncWebClient, exc: BaseException) -> bool:
        """A token Slack no longer takes: the client goes, so the installation is looked up again (a reinstall
        works). True if the client was dropped."""
        if isinstance(exc, SlackApiError) and exc.response.get("error") in STALE_TOKEN_ERRORS \
                and self._clients.get(workspace_id) is client:
            del self._clients[workspace_id]
            return True
        return False

    # ------------------------------------------------------------ scheduled delivery (the Transport port)

    def request_cost(self, address: Address, replies: Sequence[Reply]) -> int:
        """Web API calls `send` makes for these replies: one chat.postMessage per rendered message, two per
        upload (files.getUploadURLExternal and files.completeUploadExternal; the bytes go to the upload URL,
        which is not a Web API method), and conversations.open when the DM is not known yet."""
        calls = 0
        for message in render_replies(replies, self._texts):
            if message.blocks or not (message.files or message.images):
                calls += 1
            calls += 2 * (len(message.files) + len(message.images))
        if not address.channel_id and (address.workspace_id, address.user_id) not in self._dm_channels:
            calls += 1
        return calls

    async def send_keyed(self, address: Address, replies: Sequence[Reply], key: str, *,
                         maybe_sent_since: datetime | None) -> bool:
        """Scheduled prompts: to the person's DM with the app, with their workspace's token. Each message names
        its outbox row (`key`) in its metadata; when an earlier attempt may have gone out, the DM's messages since
        then are looked at first, and a prompt already there is not posted again (returns True)."""
        with delivery_errors(delivery_error):
            client = await self.workspace_client(address.workspace_id)
            if key and maybe_sent_since is not None \
                    and await self._already_posted(client, address, key, maybe_sent_since):
                return True
            try:
                await self._send_with(client, address, replies, key)
            except SlackApiError as exc:
                if not self._forget_client_after(address.workspace_id, client, exc):
                    raise
                # The kept token is refused: look the installation up again. A reinstall brought a new token
                # (Slack refused the old one before anything was posted with it): send with that.
                fresh = await self.workspace_client(address.workspace_id)
                if fresh.token == client.token:
                    raise
                await self._send_with(fresh, address, replies, key)
        return False

    async def _already_posted(self, client: AsyncWebClient, address: Address, key: str, since: datetime) -> bool:
        """Whether the DM holds one of this outbox row's messages (conversations.history with its metadata),
        among those posted since the earliest moment an earlier attempt could have gone out (less a margin for
        clocks that differ), page by page: however busy the DM was since, the copy is found."""
        channel = address.channel_id or await self.dm_channel(client, address)
        oldest = f"{(since - HISTORY_MARGIN).timestamp():.6f}"
        cursor = ""
        for _ in range(HISTORY_PAGES):
            history = await client.conversations_history(channel=channel, oldest=oldest, limit=HISTORY_PAGE,
                                                         include_all_metadata=True, cursor=cursor or None)
            if any(is_prompt_of(message, key) for message in history.get("messages") or []):
                return True
            cursor = str((history.get("response_metadata") or {}).get("next_cursor") or "")
            if not history.get("has_more") or not cursor:
                return False
        log.warning("slack: a DM holds more than %d messages since a prompt's first attempt; it is sent again",
                    HISTORY_PAGES * HISTORY_PAGE)
        return False

    async def _send_with(self, client: AsyncWebClient, address: Address, replies: Sequence[Reply],
                         key: str = "") -> None:
        channel = address.channel_id or await self.dm_channel(client, address)
        try:
            await self.post_all(client, address, channel, replies, key)
        except SlackApiError as exc:
            if not address.channel_id or exc.response.get("error") != "channel_not_found":
                raise
            # The remembered DM is gone (the app was reinstalled): open it afresh, once.
            self._dm_channels.pop((address.workspace_id, address.user_id), None)
            await self.post_all(client, address, await self.dm_channel(client, address), replies, key)

    # ------------------------------------------------------------ community channels (the ChannelPoster port)

    @asynccontextmanager
    async def channel_posts(self, workspace_id: str) -> AsyncIterator[ChannelPosts]:
        """Channel posts with the workspace's kept client; a token Slack refuses drops that client."""
        client = await self.workspace_client(workspace_id)
        try:
            yield ChannelPosts(client, self._conversation)
        except SlackApiError as exc:
            self._forget_client_after(workspace_id, client, exc)
            raise

    # ------------------------------------------------------------ /forget and retention

    @staticmethod
    async def delete_files(client: AsyncWebClient, file_ids: Sequence[str]) -> list[str]:
        """files.delete each; returns those that are gone (deleted now, or already)."""
        gone: list[str] = []
        for file_id in file_ids:
            try:
                await client.files_delete(file=file_id)
            except SlackApiError as exc:
                if exc.response.get("error") not in GONE_FILE_ERRORS:
                    log.warning("slack could not delete a file: %s", exc.response.get("error"))
                    continue
            except Exception as exc:
                log.warning("slack could not delete a file: %s", describe_exception(exc))
                continue
            gone.append(file_id)
        return gone

    async def forget_person(self, address: Address) -> bool:
        """Their DM channel, and their user id as the installer of the app; the bot's messages in their DM go in
        the background (the "erased" reply is not held up). True when they do."""
        key = (address.workspace_id, address.user_id)
        known = self._dm_channels.pop(key, "")

        async def find() -> tuple[tuple[AsyncWebClient, str], str | None]:
            client = await self.workspace_client(address.workspace_id)
            channel = known or str((await client.conversations_open(users=address.user_id))["channel"]["id"])
            return (client, channel), await newest_ts(client, channel) or None

        cleaning = await self.cleanups.start(find, lambda dm, latest: delete_own_messages(*dm, latest),
                                             (SlackApiError, Unreachable))
        store = self.installations.inner if isinstance(self.installations, EncryptedInstallationStore) \
            else self.installations
        if isinstance(store, AsyncSQLAlchemyInstallationStore):
            table = store.installations
            async with store.engine.begin() as db:
                await db.execute(table.update().where(table.c.team_id == address.workspace_id,
                                                      table.c.user_id == address.user_id)
                                 .values(user_id="", user_token=None, user_scopes=None, user_refresh_token=None))
        return cleaning


async def newest_ts(client: AsyncWebClient, channel: str) -> str:
    """The newest message's ts in the conversation ("" when it is empty)."""
    page = await client.conversations_history(channel=channel, limit=1)
    messages = page.get("messages") or []
    return str(messages[0].get("ts") or "") if messages else ""


def is_own(message: Mapping[str, Any], bot_user_id: str, bot_id: str) -> bool:
    return bool((bot_user_id and message.get("user") == bot_user_id) or (bot_id and message.get("bot_id") == bot_id))


async def delete_own_messages(client: AsyncWebClient, channel: str, latest: str, *, page_size: int = PAGE_SIZE,
                              max_pages: int = MAX_PAGES) -> int:
    """After /forget: the app's own messages in `channel` up to and including `latest` (the newest when the erase
    was confirmed, so the "erased" reply that follows stays) are deleted; returns how many went. A bot token
    cannot delete what the person wrote, so /privacy tells them how. At most `max_pages` pages; a 429 is waited
    out, and any other refusal ends the clean-up (the erase itself is done and stays done)."""
    identity = await client.auth_test()
    bot_user_id, bot_id = str(identity.get("user_id") or ""), str(identity.get("bot_id") or "")
    deleted, cursor = 0, ""
    for _ in range(max_pages):
        arguments: dict[str, Any] = {"channel": channel, "latest": latest, "inclusive": True, "limit": page_size}
        if cursor:
            arguments["cursor"] = cursor
        page = await patiently(functools.partial(client.conversations_history, **arguments), delivery_error)
        for message in page.get("messages") or []:
            if not is_own(message, bot_user_id, bot_id) or not message.get("ts"):
                continue
            try:
                await patiently(functools.partial(client.chat_delete, channel=channel, ts=str(message["ts"])),
                                delivery_error)
                deleted += 1
            except SlackApiError as exc:
                if exc.response.get("error") not in GONE:
                    raise
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not page.get("has_more") or not cursor:
            break
    return deleted
