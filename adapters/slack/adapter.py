"""The Slack adapter: slack-bolt's AsyncApp, one `/boundary` command, Block Kit buttons and selects that carry
core tokens, modals for typed answers and forms, an App Home dashboard, and scheduled prompts by DM.

Thin by design: it turns Slack payloads into core events and core replies into Block Kit. Nothing a person
writes is logged or shown in a channel: in a channel every answer is ephemeral (only that person sees it)
and a check-in moves to the person's DM with the app. Every request is acknowledged first and worked on
after, so Slack's 3-second limit holds however slow the database is; in HTTP mode a click on the app's own
controls is acknowledged by the HTTP handler itself, as soon as its signature is checked (see `_handle_post`).
"""

from __future__ import annotations

import asyncio
import binascii
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, cast
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.dm_cleanup import delete_own_messages, newest_ts
from adapters.slack.errors import delivery_error
from adapters.slack.installations import EncryptedInstallationStore
from adapters.slack.manifest import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH, bot_scopes
from adapters.slack.ops_routes import add_ops_routes
from adapters.slack.pulse_form import (
    PULSE_FORM_CALLBACK,
    form_comment,
    form_place,
    form_scores,
    join_round,
    missing_errors,
    pulse_modal,
)
from adapters.slack.quiet import QuietGate
from adapters.slack.render import (
    CAPABILITIES,
    COMMAND_PREFIX,
    FORM_BUTTON_PREFIX,
    FORM_CALLBACK_PREFIX,
    TEXT_CALLBACK,
    SlackMessage,
    escape,
    form_modal,
    has_question,
    home_view,
    latest_image,
    picked_labels,
    read_metadata,
    render_replies,
    settled_blocks,
    text_modal,
    text_modal_answer,
    view_values,
)
from adapters.slack.socket_ack import AckTimer
from bot.background import start_counted
from bot.bounded import BoundedDict
from bot.commands import COMMANDS
from bot.community.common import ChannelPost, Removal
from bot.conversation import Conversation
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, Incoming, TextSubmitted
from bot.logsafe import describe_exception
from bot.messages import Address, Image, Reply, form_name
from bot.ops.server import SharedOps
from bot.ports import Unreachable
from bot.privacy.crypto import Cipher
from bot.response import NOBODY, Actor, OpenForm, Place, TextBox, Where, opens_text_box, settles, where
from bot.storage.seen import MemorySeenEvents, SeenEvents

log = logging.getLogger(__name__)

PLATFORM = "slack"
ALT_TEXT_MAX = 1000
COMMAND = "/boundary"
SHORTCUT_CHECKIN = "bb_checkin"
DEFAULT_API_URL = "https://slack.com/api/"
LIBRARY_LOGGERS = ("slack_bolt", "slack_sdk")
LISTEN_BACKLOG = 1024  # a burst of clicks arrives as that many new connections at once (aiohttp's default: 128)
# Clicks on the app's own controls: acknowledged as soon as the request is verified, worked on after the response.
EARLY_ACK_ACTIONS = ("ci:", FORM_BUTTON_PREFIX, COMMAND_PREFIX)
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
SIGNATURE_WINDOW_SECONDS = 5 * 60  # Slack's: an older (or later) timestamp is refused
REPLAY_WINDOW_SECONDS = SIGNATURE_WINDOW_SECONDS * 2  # a signature is remembered while its timestamp passes
REPLAYS_KEPT = 100_000  # request signatures remembered (about 12 MB at most)
HOME_CHARTS_KEPT = 20_000  # people whose App Home chart file id is remembered (in memory, per process)
DM_CHANNELS_KEPT = 50_000  # people whose DM channel id is remembered here (the core keeps it too)
DELIVERY_CLIENTS_KEPT = 256  # workspaces whose Web API client (and token) scheduled delivery keeps at hand
# After these a cached token is no good any more (uninstalled, reinstalled, workspace gone): look it up afresh.
STALE_TOKEN_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "token_expired", "not_authed"})
GONE_FILE_ERRORS = frozenset({"file_not_found", "file_deleted"})
AFTER_RESPONSE_CONCURRENCY = 8  # answered clicks worked on at once; the rest wait their turn, in order
# An answered click's work waits while other requests are still being answered (adapters/slack/quiet.py), but
# never longer than this after its own acknowledgement.
ACKS_FIRST_SECONDS = 1.0
WORK_SLOT_SECONDS = 10.0  # a click's work that takes longer goes on, but no longer keeps the others waiting


class _Answered:
    """Set (through a context variable) while bolt dispatches a request whose HTTP response has already gone
    out; bolt's listener task inherits it and says when it is done."""

    def __init__(self) -> None:
        self.listeners = 0
        self.done = asyncio.Event()


_ANSWERED: ContextVar[_Answered | None] = ContextVar("slack_answered_request", default=None)

class NoInstallation(Unreachable):
    """The app is not (or no longer) installed in the workspace of an address."""


def retry_handlers(*, rate_limits: int) -> list[AsyncRetryHandler]:
    """slack_sdk's own retries: a dropped connection once; a 429 after its Retry-After, `rate_limits` times."""
    handlers: list[AsyncRetryHandler] = [AsyncConnectionErrorRetryHandler(max_retry_count=1)]
    if rate_limits > 0:
        handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=rate_limits))
    return handlers


def parse_command_text(text: str) -> tuple[str, str]:
    """`/boundary tip saying-no` -> ("tip", "saying-no"); `/boundary` alone -> help."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), words[1] if len(words) > 1 else ""


def repair_form_body(request: AsyncBoltRequest) -> AsyncBoltRequest:
    """slack-bolt reads any form body that contains the word "payload" as an interactive payload, so a slash
    command like `/boundary checkin the payload of today` parses to {} and is dropped (404). Read such a
    body as the plain form it is. (The raw body, and so the signature check, is untouched.)"""
    if request.body or not request.raw_body or request.content_type != "application/x-www-form-urlencoded":
        return request
    fields = dict(parse_qsl(request.raw_body, keep_blank_values=True))
    if "payload" not in fields and "command" in fields:
        request.body = fields
        request.context = build_async_context(AsyncBoltContext({}), fields)
    return request


_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


def form_value(encoded: str) -> str | None:
    """One application/x-www-form-urlencoded value, decoded; None when it holds a malformed %-escape.

    urllib's unquote is pure Python and slow for a click's payload of hundreds of escapes, on the path that has
    to answer a burst of clicks at once; binascii's quoted-printable decoder is the same operation in C once
    "%XX" is spelled "=XX" (a literal "=" and "+" are rewritten first, so nothing else changes)."""
    if _BAD_ESCAPE.search(encoded):
        return None
    data = encoded.encode().replace(b"=", b"=3D").replace(b"%", b"=").replace(b"+", b"=20")
    try:
        return binascii.a2b_qp(data).decode()
    except UnicodeDecodeError:
        return None


def is_plain_timestamp(timestamp: str) -> bool:
    """ASCII digits only ("²" passes str.isdigit and then fails int())."""
    return 0 < len(timestamp) <= 12 and timestamp.isascii() and timestamp.isdigit()


@dataclass(frozen=True)
class BadBody:
    reason: str


def read_body(raw_body: str, content_type: str | None) -> dict[str, Any] | BadBody:
    """The body as Slack sends it: a form (a slash command; or one `payload` field holding a JSON object, for
    interactions) or a JSON object (events). Anything else is not from Slack, signed or not."""
    if content_type == FORM_CONTENT_TYPE:
        if raw_body.startswith("payload=") and "&" not in raw_body:
            text = form_value(raw_body[len("payload="):])
            try:
                payload = json.loads(text) if text is not None else None
            except ValueError:
                return BadBody("payload is not JSON")
            return {"payload": payload} if isinstance(payload, dict) else BadBody("payload is not an object")
        try:
            fields = dict(parse_qsl(raw_body, keep_blank_values=True, strict_parsing=bool(raw_body)))
        except ValueError:
            return BadBody("a malformed form")
        if "payload" in fields:
            return BadBody("payload beside other fields")
        return fields
    if content_type == "application/json":
        try:
            body = json.loads(raw_body)
        except ValueError:
            return BadBody("not JSON")
        return body if isinstance(body, dict) else BadBody("JSON that is not an object")
    return BadBody("an unknown content type")


def is_own_click(body: Mapping[str, Any]) -> bool:
    """A block_actions request (a click or a pick) on one of the app's own controls: every listener for those
    acknowledges with an empty 200 before it does anything, so the HTTP layer can answer for it."""
    payload = body.get("payload")
    if not isinstance(payload, dict) or payload.get("type") != "block_actions":
        return False
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], dict):
        return False
    action_id = actions[0].get("action_id")  # bolt routes a block_actions request by its first action
    return isinstance(action_id, str) and action_id.startswith(EARLY_ACK_ACTIONS)


class ReplayGuard:
    """Signatures of the requests taken in the last five minutes (Slack's window; an older timestamp fails the
    signature check), so a byte-identical replay is not run twice. Bounded: past `size` entries the oldest go
    first (a replay of one of those would run again, which only an attacker holding a signed request could
    cause, and only while the map is flooded with other valid requests)."""

    def __init__(self, size: int = REPLAYS_KEPT, window: int = REPLAY_WINDOW_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self._seen: OrderedDict[str, int] = OrderedDict()
        self._size = size
        self._window = window
        self._clock = clock

    def first_time(self, signature: str, timestamp: int) -> bool:
        horizon = self._clock() - self._window
        while self._seen and (len(self._seen) >= self._size or next(iter(self._seen.values())) < horizon):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = timestamp
        return True

    def __len__(self) -> int:
        return len(self._seen)


async def database_oauth_settings(engine: AsyncEngine, client_id: str, client_secret: str, *, cipher: Cipher,
                                  redirect_uri: str = "", allowed_teams: Collection[str] = (),
                                  api_url: str | None = None) -> AsyncOAuthSettings:
    """The OAuth install flow with slack_sdk's own SQLAlchemy installation and state stores, on the bot's own
    database (their tables are created here if missing): each workspace that installs gets its own token, stored
    encrypted; with `allowed_teams`, only those workspaces can install."""
    plain = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine, logger=log)
    for store in (plain, states):
        await cast(Callable[[], Awaitable[None]], store.create_tables)()
    installations = EncryptedInstallationStore(plain, cipher, allowed_teams=allowed_teams, api_url=api_url)
    return AsyncOAuthSettings(client_id=client_id, client_secret=client_secret, scopes=bot_scopes(), user_scopes=[],
                              redirect_uri=redirect_uri or None, install_path=INSTALL_PATH,
                              redirect_uri_path=REDIRECT_PATH, installation_store=installations,
                              installation_store_bot_only=True, state_store=states)


@dataclass(frozen=True)
class Origin:
    """Where a person acted: a conversation (with a response_url for ephemeral answers) or nowhere in
    particular (App Home, a shortcut, a modal opened from there)."""

    channel: str = ""
    respond: AsyncRespond | None = None


Handler = Callable[..., Awaitable[None]]


class SlackActor:
    """A person as Slack sees them: whether they are a workspace admin (who may also moderate a circle), and the
    workspace's zone, asked of Slack only when the core needs to know, once per event."""

    def __init__(self, client: AsyncWebClient, user_id: str) -> None:
        self._client = client
        self._user_id = user_id
        self._known: tuple[bool, str] | None = None

    async def _ask(self) -> tuple[bool, str]:
        """Whether the person is a workspace admin or owner, and the workspace's time zone: team.info's when it
        names one, else the person's own (users.info); "" when unknown. Never stored."""
        if self._known is not None:
            return self._known
        client = self._client
        try:
            found = await client.users_info(user=self._user_id)
        except SlackApiError as exc:
            log.warning("slack users.info failed: %s", exc.response.get("error"))
            self._known = False, ""
            return self._known
        user = found.get("user") or {}
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        zone = ""
        try:
            team = (await client.team_info()).get("team") or {}
            zone = str(team.get("tz") or "")
        except SlackApiError as exc:
            log.warning("slack team.info failed: %s", exc.response.get("error"))
        self._known = admin, zone or str(user.get("tz") or "")
        return self._known

    async def is_admin(self) -> bool:
        return (await self._ask())[0]

    async def is_moderator(self) -> bool:
        return (await self._ask())[0]

    async def zone(self) -> str:
        return (await self._ask())[1]


class ChannelPosts:
    """Community posts into Slack channels with one client: mentions off (no link_names, parse "none", no
    unfurls, & < > escaped), the care notice pinned, shares into the weekly prompt's thread."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

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
        for message in render_replies([reply]):
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


class SlackAdapter:
    name = PLATFORM
    capabilities = CAPABILITIES

    def __init__(self, conversation: Conversation, *, signing_secret: str, token: str = "",
                 api_url: str = DEFAULT_API_URL, app_token: str = "",
                 installation_store: AsyncInstallationStore | None = None,
                 oauth_settings: AsyncOAuthSettings | None = None, seen_events: SeenEvents | None = None,
                 rate_limit_retries: int = 1, after_response_concurrency: int = AFTER_RESPONSE_CONCURRENCY,
                 ack_observer: Callable[[float], None] | None = None) -> None:
        # slack_sdk and slack-bolt log request and response bodies at DEBUG: those hold what people write.
        for name in LIBRARY_LOGGERS:
            library_log = logging.getLogger(name)
            library_log.setLevel(max(logging.INFO, library_log.level))
        self._conversation = conversation
        self._ack_observer = ack_observer  # seconds from a request's (or envelope's) arrival to its ack
        self.serving = asyncio.Event()  # set while HTTP mode listens or Socket Mode is connected (readiness)
        self._api_url = api_url
        self._app_token = app_token
        self._installations = installation_store or (oauth_settings.installation_store if oauth_settings else None)
        self._seen = seen_events or MemorySeenEvents()
        self._dm_channels: BoundedDict[tuple[str, str], str] = BoundedDict(DM_CHANNELS_KEPT)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # Socket Mode needs no signing secret (Slack's websocket is authenticated by the app token).
        self._signing_secret = signing_secret.encode()
        self._replays = ReplayGuard()
        self._after_response: set[asyncio.Task[None]] = set()  # dispatches of requests already answered
        self._dm_cleanups: set[asyncio.Task[None]] = set()  # the app's DM messages going after a /forget
        self._shared_ops: SharedOps | None = None  # health and metrics on the app's port (share_port_with)
        self._work_slots = asyncio.Semaphore(max(1, after_response_concurrency))
        self._answering = QuietGate()  # shut while HTTP requests are being answered
        # (workspace, user) -> (sha256 of the chart's PNG, Slack file id) of the chart their App Home shows. In
        # memory only: after a restart (or past HOME_CHARTS_KEPT people) a chart is uploaded once more and the
        # file before it is left in Slack, private to the app.
        self._home_charts: OrderedDict[tuple[str, str], tuple[str, str]] = OrderedDict()
        # Files no Home shows any more, to delete (the core's uploaded_files row also reaches them on /forget).
        self._old_charts: BoundedDict[tuple[str, str], list[str]] = BoundedDict(HOME_CHARTS_KEPT)
        self._home_locks: dict[tuple[str, str], tuple[asyncio.Lock, int]] = {}
        self._delivery_clients: OrderedDict[str, AsyncWebClient] = OrderedDict()
        # Only `client=` (with the token inside it); everything else explicit, so SLACK_* variables in the
        # environment never switch on OAuth or another token behind our back.
        self.client = AsyncWebClient(token=token or None, base_url=api_url,
                                     retry_handlers=retry_handlers(rate_limits=rate_limit_retries))
        # Scheduled delivery lets the dispatcher honour Retry-After (its pacer backs off for everyone).
        self._delivery_retries = retry_handlers(rate_limits=0)
        self.app = AsyncApp(client=self.client, signing_secret=signing_secret,
                            installation_store=installation_store if oauth_settings is None else None,
                            installation_store_bot_only=True if self._installations is not None else None,
                            oauth_settings=oauth_settings, before_authorize=self._skip_repeats,
                            process_before_response=False, raise_error_for_unhandled_request=False)
        self._register()
        conversation.traces.keep_with(PLATFORM, self)

    # ------------------------------------------------------------ serving

    def web_app(self, path: str = EVENTS_PATH) -> web.Application:
        """The aiohttp app for HTTP mode: events, commands and interactions on `path`; the OAuth install pages
        when OAuth is configured."""
        application = web.Application()
        application.router.add_post(path, self._handle_post)
        if self._shared_ops is not None:
            add_ops_routes(application, self._shared_ops)
        flow = self.app.oauth_flow
        if flow is not None:
            application.router.add_get(flow.install_path, self._handle_install)
            application.router.add_get(flow.redirect_uri_path, self._handle_oauth_redirect)
        return application

    def share_port_with(self, ops: SharedOps) -> None:
        """/healthz, /readyz and /metrics are served on this app's own port too (HTTP mode)."""
        self._shared_ops = ops

    async def serve_http(self, host: str, port: int, path: str = EVENTS_PATH) -> None:
        if not self._signing_secret:
            raise ValueError("HTTP mode needs SLACK_SIGNING_SECRET")
        runner = web.AppRunner(self.web_app(path), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG).start()
            log.info("slack HTTP mode listening on http://%s:%d%s", host, port, path)
            self.serving.set()
            await asyncio.Event().wait()
        finally:
            self.serving.clear()
            await runner.cleanup()

    @asynccontextmanager
    async def socket_mode(self) -> AsyncIterator[None]:
        """Connected to Slack over Socket Mode (no public URL needed) while inside."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler: Any = AsyncSocketModeHandler(self.app, app_token=self._app_token)  # untyped library methods
        if self._ack_observer is not None:
            AckTimer(self._ack_observer).attach(handler.client)
        await cast(Callable[[], Awaitable[None]], handler.connect_async)()
        self.serving.set()
        try:
            yield
        finally:
            self.serving.clear()
            await cast(Callable[[], Awaitable[None]], handler.close_async)()

    async def serve_socket_mode(self) -> None:
        async with self.socket_mode():
            log.info("slack Socket Mode connected")
            await asyncio.Event().wait()

    async def run(self, host: str = "0.0.0.0", port: int = 3000) -> None:
        if self._app_token:
            await self.serve_socket_mode()
        else:
            await self.serve_http(host, port)

    @classmethod
    async def _bolt_request(cls, request: web.Request) -> AsyncBoltRequest:
        return cls._bolt_request_from(request, await request.text())

    @classmethod
    def _bolt_request_from(cls, request: web.Request, raw_body: str) -> AsyncBoltRequest:
        return AsyncBoltRequest(body=raw_body, query=request.query_string, headers=cls._headers(request))

    @staticmethod
    def _headers(request: web.Request) -> dict[str, str | Sequence[str]]:
        return {key: request.headers.getall(key) for key in request.headers}

    async def _handle_post(self, request: web.Request) -> web.Response:
        self._answering.enter()
        arrived = time.perf_counter()
        try:
            return await self._answer_post(request)
        finally:
            self._answering.leave()
            if self._ack_observer is not None:
                self._ack_observer(time.perf_counter() - arrived)

    async def _answer_post(self, request: web.Request) -> web.Response:
        """Verified first, parsed after: a request that is not signed by Slack (or whose headers could not have
        come from Slack) gets 401; a signed body that is not what Slack sends gets 400; a byte-identical signed
        request seen in the last five minutes is acknowledged and not run again."""
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not is_plain_timestamp(timestamp) or not signature.isascii():
            return web.Response(status=401)  # bolt would fail on int() or compare_digest and answer 500
        raw = await request.read()
        if not self._verified(raw, timestamp, signature):
            return web.Response(status=401)
        try:
            raw_body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._not_from_slack("not UTF-8")
        payload = read_body(raw_body, request.content_type)
        if isinstance(payload, BadBody):
            return self._not_from_slack(payload.reason)
        if not self._replays.first_time(signature, int(timestamp)):
            log.info("slack: a signed request seen before was sent again; acknowledged, not run")
            return web.Response(status=200)
        if is_own_click(payload):
            # Answered here, before bolt has parsed, authorized or routed it: bolt's own acknowledgement would
            # be the same empty 200, but only after its middleware ran and its listener task was polled (every
            # 10 ms) while every other request of a burst competed for the same event loop. Bolt still gets
            # the whole request afterwards, signature check included, and runs the listener as usual.
            self._dispatch_after_response(raw_body, self._headers(request), request.query_string)
            return web.Response(status=200)
        bolt_request = repair_form_body(self._bolt_request_from(request, raw_body))
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    @staticmethod
    def _not_from_slack(reason: str) -> web.Response:
        log.info("slack: a signed request with a body Slack does not send (%s), answered 400", reason)
        return web.Response(status=400)

    def _verified(self, raw_body: bytes, timestamp: str, signature: str) -> bool:
        """Slack's signature over the body's bytes (whatever they are), and a timestamp within five minutes.
        `timestamp` is plain ASCII digits and `signature` ASCII (checked before)."""
        if not self._signing_secret or not signature or abs(time.time() - int(timestamp)) > SIGNATURE_WINDOW_SECONDS:
            return False
        expected = hmac.new(self._signing_secret, b"v0:" + timestamp.encode() + b":" + raw_body, hashlib.sha256)
        return hmac.compare_digest("v0=" + expected.hexdigest(), signature)

    def _dispatch_after_response(self, raw_body: str, headers: dict[str, str | Sequence[str]], query: str) -> None:
        self._started()
        loop = asyncio.get_running_loop()
        task = loop.create_task(self._dispatch_answered(raw_body, headers, query, loop.time()))
        self._after_response.add(task)
        task.add_done_callback(self._after_response.discard)

    async def _dispatch_answered(self, raw_body: str, headers: dict[str, str | Sequence[str]], query: str,
                                 answered_at: float) -> None:
        """Bolt's dispatch and the listener it starts, for a request that was answered already; a few at a
        time, and only once the requests still coming in have been answered (or ACKS_FIRST_SECONDS after this
        one was), so that the work of a burst does not slow down the acknowledgements of the rest of it."""
        answered = _Answered()
        _ANSWERED.set(answered)  # this task's own context, copied into the listener task bolt starts from it
        try:
            async with self._work_slots:
                await self._answering.wait(answered_at + ACKS_FIRST_SECONDS)
                bolt_request = AsyncBoltRequest(body=raw_body, query=query, headers=headers)  # parsing, here too
                response = await self.app.async_dispatch(bolt_request)
                if response.status != 200:
                    log.warning("slack: an acknowledged click was answered %d by bolt", response.status)
                if answered.listeners:  # bolt returns on the listener's ack(); its work goes on
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(answered.done.wait(), WORK_SLOT_SECONDS)
        except Exception as exc:
            log.error("slack: an acknowledged click failed: %s", describe_exception(exc))
        finally:
            self._finished()

    async def _handle_install(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        if flow is None:
            return web.Response(status=404)
        return await to_aiohttp_response(await flow.handle_installation(await self._bolt_request(request)))

    async def _handle_oauth_redirect(self, request: web.Request) -> web.Response:
        flow = self.app.oauth_flow
        if flow is None:
            return web.Response(status=404)
        return await to_aiohttp_response(await flow.handle_callback(await self._bolt_request(request)))

    async def _skip_repeats(self, body: dict[str, Any], next_: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Slack re-sends an event it thinks we missed (X-Slack-Retry-Num); one that was already taken is
        acknowledged and dropped, so nothing happens twice."""
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and isinstance(event_id, str) \
                and not await self._seen.first_time(event_id):
            return BoltResponse(status=200, body="")
        return await next_()

    # ------------------------------------------------------------ listeners

    def _register(self) -> None:
        app, tracked = self.app, self._tracked
        app.command(COMMAND)(tracked(self._on_command))
        app.action(_prefixed("ci:"))(tracked(self._on_token_action))
        app.action(_prefixed(FORM_BUTTON_PREFIX))(tracked(self._on_form_button))
        app.action(_prefixed(COMMAND_PREFIX))(tracked(self._on_command_button))
        app.view(TEXT_CALLBACK)(tracked(self._on_text_submitted))
        app.view(_prefixed(FORM_CALLBACK_PREFIX))(tracked(self._on_form_submitted))
        app.view(PULSE_FORM_CALLBACK)(tracked(self._on_pulse_form_submitted))
        app.shortcut(SHORTCUT_CHECKIN)(tracked(self._on_checkin_shortcut))
        app.event("app_home_opened")(tracked(self._on_home_opened))
        app.event("message")(tracked(self._on_message))
        app.event("app_uninstalled")(tracked(self._on_uninstalled))
        app.event("tokens_revoked")(tracked(self._on_tokens_revoked))

    def _tracked(self, listener: Handler) -> Handler:
        """Counts work in flight (acknowledged, not finished), so a shutdown or a test can wait for it."""

        @functools.wraps(listener)  # bolt reads the listener's parameter names through the wrapper
        async def run(**kwargs: Any) -> None:
            answered = _ANSWERED.get()
            if answered is not None:
                answered.listeners += 1
            self._started()
            try:
                await listener(**kwargs)
            finally:
                self._finished()
                if answered is not None:
                    answered.listeners -= 1
                    if answered.listeners == 0:
                        answered.done.set()

        return run

    def _started(self) -> None:
        self._in_flight += 1
        self._idle.clear()

    def _finished(self) -> None:
        self._in_flight -= 1
        if self._in_flight == 0:
            self._idle.set()

    async def drain(self, within: float = 10.0) -> None:
        """Wait until every acknowledged request has been worked off."""
        async with asyncio.timeout(within):
            await self._idle.wait()

    @staticmethod
    def address(context: AsyncBoltContext, channel: str = "") -> Address:
        workspace = context.team_id or context.enterprise_id or ""
        return Address(PLATFORM, workspace, context.user_id or "", channel)

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext,
                          client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()  # an empty ack: Slack shows nothing in the channel, not even the command typed
        origin = Origin(str(command.get("channel_id") or ""), respond)
        address = self.address(context, origin.channel)
        name, args = parse_command_text(str(command.get("text") or ""))

        async def run() -> None:
            if name == "share" and not args.strip() and command.get("trigger_id"):
                response = await self._conversation.handle(FormOpened(address, "share"))
                if isinstance(response.opens, OpenForm):
                    await client.views_open(trigger_id=str(command["trigger_id"]),
                                            view=form_modal(response.opens.form, channel=origin.channel))
                    return
            await self._handle(client, origin, Command(address, name, args), SlackActor(client, address.user_id))

        await self._guarded(client, address, origin, f"{COMMAND} command", run)

    async def _on_token_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                               context: AsyncBoltContext, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        origin = _origin(body, respond)
        address = self.address(context, origin.channel)
        action_id = str(action.get("action_id") or "")

        async def run() -> None:
            round_id = join_round(action_id)
            if round_id is not None:  # the team pulse: one private modal, never statements in a DM
                await self._open_pulse_form(client, address, origin, str(body.get("trigger_id") or ""), round_id)
                return
            event = ChoicePicked(address, action_id, _selected(action))
            if opens_text_box(action_id):  # "Write it": a box, opened while the trigger id is fresh
                response = await self._conversation.handle(event)
                box = response.opens
                if isinstance(box, TextBox):
                    await client.views_open(trigger_id=body["trigger_id"],
                                            view=text_modal(box, self._conversation.texts, channel=origin.channel))
                    return
                await self._answer(client, address, origin, response.replies)
                return
            replies = await self._handle(client, origin, event, SlackActor(client, address.user_id))
            await self._settle(client, body, action, origin, replies)

        await self._guarded(client, address, origin, "action", run)

    async def _settle(self, client: AsyncWebClient, body: Mapping[str, Any], action: Mapping[str, Any],
                      origin: Origin, replies: Sequence[Reply]) -> None:
        """In the DM, an answered question loses its buttons and shows what was picked (a stale click only
        loses the dead buttons: nothing was recorded)."""
        message = body.get("message")
        place = Place.DM if origin.channel.startswith("D") else Place.SHARED
        if not settles(place) or not isinstance(message, Mapping) or not message.get("ts"):
            return
        stale = any(reply.stale for reply in replies)
        picked = [] if stale else picked_labels(action)
        blocks = settled_blocks(list(message.get("blocks") or []), picked)
        # The plain-text fallback stays what it was (notifications, screen readers), or says what was picked.
        fallback = str(message.get("text") or "").strip() or ("✓ " + ", ".join(picked) if picked else "Answered")
        try:
            await client.chat_update(channel=origin.channel, ts=str(message["ts"]), blocks=blocks, text=fallback)
        except SlackApiError as exc:  # cosmetic: the answer itself was taken
            log.info("slack: could not settle an answered message: %s", exc.response.get("error"))

    async def _on_form_button(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                              context: AsyncBoltContext, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        origin = _origin(body, respond)
        address = self.address(context, origin.channel)

        async def run() -> None:
            name = form_name(str(action.get("action_id") or ""), FORM_BUTTON_PREFIX) or ""
            response = await self._conversation.handle(FormOpened(address, name))
            if not isinstance(response.opens, OpenForm):
                await self._answer(client, address, origin, response.replies)
                return
            await client.views_open(trigger_id=body["trigger_id"],
                                    view=form_modal(response.opens.form, channel=origin.channel))

        await self._guarded(client, address, origin, "form button", run)

    async def _on_command_button(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                                 context: AsyncBoltContext, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        origin = _origin(body, respond)
        address = self.address(context, origin.channel)
        name = str(action.get("action_id") or "").removeprefix(COMMAND_PREFIX)
        if name not in COMMANDS:
            return
        await self._guarded(client, address, origin, "home button",
                            lambda: self._handle(client, origin, Command(address, name)))

    async def _on_text_submitted(self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext,
                                 client: AsyncWebClient) -> None:
        await ack()  # closes the modal; the answer arrives as a message
        metadata = read_metadata(str(view.get("private_metadata") or ""))
        origin = Origin(metadata.get("channel", ""))
        address = self.address(context, origin.channel)
        token = metadata.get("token", "")
        text = text_modal_answer(view.get("state") or {})
        await self._guarded(client, address, origin, "text modal",
                            lambda: self._handle(client, origin, TextSubmitted(address, text, token=token)))

    async def _on_form_submitted(self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext,
                                 client: AsyncWebClient) -> None:
        """A submitted form runs the command it stands for, with the fields written out as its arguments; the
        form is fetched afresh, so a modal opened before a restart still works."""
        await ack()
        metadata = read_metadata(str(view.get("private_metadata") or ""))
        origin = Origin(metadata.get("channel", ""))
        address = self.address(context, origin.channel)

        async def run() -> None:
            name = form_name(str(view.get("callback_id") or ""), FORM_CALLBACK_PREFIX) or ""
            values = tuple(view_values(view.get("state") or {}).items())
            actor = SlackActor(client, address.user_id)
            await self._handle(client, origin, FormSubmitted(address, name, values), actor)

        await self._guarded(client, address, origin, "form", run)

    # ------------------------------------------------------------ the team pulse's private form

    async def _open_pulse_form(self, client: AsyncWebClient, address: Address, origin: Origin, trigger_id: str,
                               round_id: str) -> None:
        """Join: the whole pulse as one modal (or, when it cannot be answered from here, a private line)."""
        form = await self._conversation.pulse_form(address, round_id) if trigger_id \
            else [Reply(self._conversation.texts.get("stale_click"), stale=True)]
        if isinstance(form, list):
            await self._answer(client, address, origin, form, refresh_home=False)
            return
        await client.views_open(trigger_id=trigger_id, view=pulse_modal(form, self._conversation.texts))

    async def _on_pulse_form_submitted(self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext,
                                       client: AsyncWebClient) -> None:
        """A sent pulse form: a statement without an answer keeps the modal open with an error under it;
        otherwise the modal closes and the answers go in, anonymously. The only line after it is ephemeral."""
        round_id, channel, count = form_place(view)
        scores = form_scores(view, count)
        missing = [number for number, score in enumerate(scores, start=1) if score is None]
        if missing:
            await ack(response_action="errors", errors=missing_errors(self._conversation.texts, missing))
            return
        await ack()
        origin = Origin(channel)
        address = self.address(context, channel)

        async def run() -> None:
            result = await self._conversation.submit_pulse_form(address, round_id, scores, form_comment(view))
            replies = list(result.replies) or [Reply(self._conversation.texts.get(
                "pulse_form_missing", numbers=", ".join(map(str, result.missing))))]
            await self._answer(client, address, origin, replies, refresh_home=False)

        await self._guarded(client, address, origin, "pulse form", run)

    async def _on_checkin_shortcut(self, ack: AsyncAck, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        await ack()
        address = self.address(context)
        await self._guarded(client, address, Origin(), "shortcut",
                            lambda: self._handle(client, Origin(), Command(address, "checkin")))

    async def _on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        await self.publish_home(client, self.address(context))

    async def _on_uninstalled(self, context: AsyncBoltContext) -> None:
        """The app was removed from a workspace: its tokens go at once (its people's data follows the retention
        rules, and /forget still works if they come back)."""
        workspace = context.team_id or context.enterprise_id or ""
        self._delivery_clients.pop(workspace, None)
        if self._installations is not None:
            await self._installations.async_delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        log.info("slack: uninstalled from a workspace; its tokens are deleted")

    async def _on_tokens_revoked(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """Slack revoked tokens: a revoked bot token and its installation go; so does a revoked user token."""
        found = event.get("tokens")
        tokens: dict[str, Any] = found if isinstance(found, dict) else {}
        workspace = context.team_id or context.enterprise_id or ""
        if self._installations is None:
            log.warning("slack: the bot token was revoked; set a new SLACK_BOT_TOKEN")
            return
        for user_id in tokens.get("oauth") or []:
            await self._installations.async_delete_installation(enterprise_id=context.enterprise_id,
                                                                team_id=context.team_id, user_id=str(user_id))
        if tokens.get("bot"):
            self._delivery_clients.pop(workspace, None)
            await self._installations.async_delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        log.info("slack: tokens revoked in a workspace; deleted")

    async def _on_message(self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """A typed answer in the DM with the app works like the console: "3" answers a scale. A message with a
        file is read for its words too; an edited message is only read for danger (it answers nothing again)."""
        if event.get("channel_type") != "im" or event.get("bot_id"):
            return
        subtype = event.get("subtype")
        edited = event.get("message") if subtype == "message_changed" else None
        if isinstance(edited, dict):
            if edited.get("bot_id") or not edited.get("user") or not edited.get("text"):
                return
        elif subtype not in (None, "file_share") or not event.get("user") or not event.get("text"):
            return
        channel = str(event.get("channel") or "")
        origin = Origin(channel)
        address = self.address(context, channel)
        self._dm_channels.setdefault((address.workspace_id, address.user_id), channel)
        if isinstance(edited, dict):
            words = TextSubmitted(address, str(edited["text"]))

            async def screen_edit() -> None:
                replies = await self._conversation.screen_only(words)
                if replies:
                    await self._answer(client, address, origin, replies)

            await self._guarded(client, address, origin, "edited message", screen_edit)
            return
        await self._guarded(client, address, origin, "direct message",
                            lambda: self._handle(client, origin, TextSubmitted(address, str(event["text"]))))

    # ------------------------------------------------------------ the error boundary

    async def _guarded(self, client: AsyncWebClient, address: Address, origin: Origin, place: str,
                       run: Callable[[], Awaitable[object]]) -> None:
        """Log type and place only, apologise privately, keep running."""
        try:
            await run()
        except Exception as exc:
            log.error("slack %s failed: %s", place, describe_exception(exc))
            try:
                await self._answer(client, address, origin, [Reply(self._conversation.texts.get("error"))],
                                   refresh_home=False)
            except Exception as again:
                log.error("slack apology failed: %s", describe_exception(again))

    # ------------------------------------------------------------ answering

    async def _handle(self, client: AsyncWebClient, origin: Origin, event: Incoming,
                      actor: Actor = NOBODY) -> list[Reply]:
        outcome = await self._conversation.handle(event, actor)
        if outcome.posts or outcome.removals:  # the channel first: "it's posted" is then true when it is read
            await self._conversation.post_and_remove(outcome, ChannelPosts(client))
        replies = list(outcome.replies)
        await self._answer(client, event.address, origin, replies)
        return replies

    async def _answer(self, client: AsyncWebClient, address: Address, origin: Origin, replies: Sequence[Reply],
                      *, refresh_home: bool = True) -> None:
        """In the DM with the app: answer there. In any other conversation: privately (ephemeral), and a
        check-in or a file moves to the DM. From App Home or a shortcut: in the DM."""
        dm = await self._dm_channel(client, address) if origin.channel.startswith("D") else ""
        place = Place.DM if dm and dm == origin.channel else Place.SHARED if origin.channel else Place.NOWHERE
        going = where(replies, place, self.capabilities)
        if going is Where.HERE:
            await self._post_all(client, address, dm, replies)
            await self._after(client, address, replies, refresh_home)
            return
        if going is Where.PRIVATELY_HERE:
            await self._ephemeral(client, address, origin, render_replies(replies))
            await self._after(client, address, replies, refresh_home)
            return
        texts = self._conversation.texts
        try:
            dm = dm or await self._dm_channel(client, address)
            await self._post_all(client, address, dm, replies)
        except SlackApiError as exc:
            if place is Place.NOWHERE or delivery_error(exc) is None:
                raise
            log.warning("slack could not open a DM: %s", exc.response.get("error"))
            await self._ephemeral(client, address, origin,
                                  render_replies([Reply(texts.get("dm_not_opened")), *replies]))
        else:
            if place is Place.SHARED:
                await self._ephemeral(client, address, origin, [SlackMessage(texts.get("moved_to_dm"))])
        await self._after(client, address, replies, refresh_home)

    async def _after(self, client: AsyncWebClient, address: Address, replies: Sequence[Reply],
                     refresh_home: bool) -> None:
        # A finished check-in, a new schedule, a pause: whatever just ended may change the dashboard.
        if refresh_home and not has_question(replies):
            await self.publish_home(client, address)

    async def _ephemeral(self, client: AsyncWebClient, address: Address, origin: Origin,
                         messages: Sequence[SlackMessage]) -> None:
        for message in messages:
            if origin.respond is not None:
                await origin.respond(response_type="ephemeral", replace_original=False, **message.kwargs())
            else:
                await client.chat_postEphemeral(channel=origin.channel, user=address.user_id, **message.kwargs())

    async def _post_all(self, client: AsyncWebClient, address: Address, channel: str,
                        replies: Sequence[Reply], key: str = "") -> None:
        """Every uploaded file is reported to the core, so /forget and retention can delete it from Slack. With
        a `key` (an outbox row), every message carries it as metadata, for `_already_posted`."""
        extra: dict[str, Any] = {"metadata": prompt_metadata(key)} if key else {}
        for message in render_replies(replies):
            if message.blocks or not (message.files or message.images):
                await client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False,
                                              **message.kwargs(), **extra)
            for item in message.files:
                await self._uploaded(address, await client.files_upload_v2(
                    channel=channel, content=item.content, filename=item.filename, title=item.filename))
            for image in message.images:  # Slack's current upload API (getUploadURLExternal + complete)
                await self._uploaded(address, await client.files_upload_v2(
                    channel=channel, content=image.content, filename=image.filename, title=image.filename,
                    alt_txt=image.alt_text[:ALT_TEXT_MAX]))

    async def _uploaded(self, address: Address, response: Any) -> str:
        """The id of a file just uploaded, reported to the core ("" when Slack named none)."""
        listed = response.get("files") if response is not None else None
        file_id = str(listed[0].get("id") or "") if isinstance(listed, list) and listed else ""
        if file_id:
            await self._conversation.traces.remember_file(address, file_id)
        return file_id

    async def _dm_channel(self, client: AsyncWebClient, address: Address) -> str:
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

    async def publish_home(self, client: AsyncWebClient, address: Address) -> None:
        try:
            async with self._home_turn((address.workspace_id, address.user_id)):
                await self._publish_home(client, address)
        except Exception as exc:  # a dashboard that could not be drawn must not spoil the answer itself
            log.error("slack App Home failed: %s", describe_exception(exc))

    async def _publish_home(self, client: AsyncWebClient, address: Address) -> None:
        """The dashboard with the latest history chart, uploaded privately (shared in no conversation) once per
        chart; the charts it replaced are deleted once the new Home is up."""
        replies = await self._conversation.home(address)
        file_id = await self._home_chart(client, address, latest_image(replies))
        paused = await self._conversation.paused(address)
        try:
            await client.views_publish(user_id=address.user_id,
                                       view=home_view(replies, chart_file_id=file_id, paused=paused))
        except SlackApiError as exc:
            if not file_id or delivery_error(exc) is not None:
                raise
            # Slack would not show that file (not ready yet, or gone): the Home goes up without it.
            log.warning("slack App Home chart refused: %s", exc.response.get("error"))
            await client.views_publish(user_id=address.user_id, view=home_view(replies, paused=paused))
        await self._delete_old_charts(client, address)

    async def _home_chart(self, client: AsyncWebClient, address: Address, chart: Image | None) -> str:
        """The file id of the chart to show ("" for none), uploaded if this chart is new; a file it replaces
        joins the ones to delete."""
        key = (address.workspace_id, address.user_id)
        current = self._home_charts.get(key)
        if chart is None:  # no check-ins (any more, after /forget): the old chart goes too
            if current is not None:
                del self._home_charts[key]
                self._old_charts.setdefault(key, []).append(current[1])
            return ""
        digest = hashlib.sha256(chart.content).hexdigest()
        if current is not None and current[0] == digest:
            self._home_charts.move_to_end(key)
            return current[1]
        try:  # no channel: the file is private to the app, shown only through the Home's image block
            uploaded = await client.files_upload_v2(content=chart.content, filename=chart.filename,
                                                    title=chart.filename, alt_txt=chart.alt_text[:ALT_TEXT_MAX])
            file_id = str(uploaded["files"][0]["id"])
            await self._conversation.traces.remember_file(address, file_id)
        except Exception as exc:  # the Home goes up without the chart; the old file is replaced next time
            log.warning("slack could not upload the App Home chart: %s", describe_exception(exc))
            return ""
        if current is not None:
            self._old_charts.setdefault(key, []).append(current[1])
        self._home_charts[key] = (digest, file_id)
        self._home_charts.move_to_end(key)
        while len(self._home_charts) > HOME_CHARTS_KEPT:
            self._home_charts.popitem(last=False)
        return file_id

    async def _delete_old_charts(self, client: AsyncWebClient, address: Address) -> None:
        """After a Home went up: the chart files it no longer shows (one that could not be deleted now is
        tried again after the next Home)."""
        key = (address.workspace_id, address.user_id)
        old = self._old_charts.pop(key, [])
        gone = await self._delete_files(client, old)
        for file_id in gone:
            await self._conversation.traces.file_removed(address, file_id)
        kept = [file_id for file_id in old if file_id not in gone]
        if kept:
            self._old_charts[key] = kept[-10:]

    @staticmethod
    async def _delete_files(client: AsyncWebClient, file_ids: Sequence[str]) -> list[str]:
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

    # ------------------------------------------------------------ /forget and retention (the PersonalTraces port)

    async def remove_files(self, workspace_id: str, refs: Sequence[str]) -> list[str]:
        """Files uploaded for someone (exports, history charts, App Home charts), deleted from Slack."""
        gone = await self._delete_files(await self._delivery_client(workspace_id), refs)
        removed = set(gone)
        for key, (_, file_id) in list(self._home_charts.items()):
            if key[0] == workspace_id and file_id in removed:
                del self._home_charts[key]
        return gone

    async def forget_person(self, address: Address) -> bool:
        """What this process remembers about the person, and their user id as the installer of the app; the
        bot's messages in their DM go in the background (the "erased" reply is not held up). True when they do."""
        key = (address.workspace_id, address.user_id)
        cleaning = await self._start_dm_cleanup(address, self._dm_channels.get(key, ""))
        self._home_charts.pop(key, None)
        self._dm_channels.pop(key, None)
        old = self._old_charts.pop(key, [])
        if old:
            await self._delete_files(await self._delivery_client(address.workspace_id), old)
        store = self._installations.inner if isinstance(self._installations, EncryptedInstallationStore) \
            else self._installations
        if isinstance(store, AsyncSQLAlchemyInstallationStore):
            table = store.installations
            async with store.engine.begin() as db:
                await db.execute(table.update().where(table.c.team_id == address.workspace_id,
                                                      table.c.user_id == address.user_id)
                                 .values(user_id="", user_token=None, user_scopes=None, user_refresh_token=None))
        return cleaning

    async def dm_cleanups_done(self) -> None:
        """Wait for the DM clean-ups under way (tests, and a shutdown that wants them finished)."""
        if self._dm_cleanups:
            await asyncio.gather(*list(self._dm_cleanups), return_exceptions=True)

    async def _start_dm_cleanup(self, address: Address, channel: str) -> bool:
        """The cut-off is read now (one call); the deleting runs on its own, its failure logged by type only."""
        try:
            client = await self._delivery_client(address.workspace_id)
            if not channel:
                opened = await client.conversations_open(users=address.user_id)
                channel = str(opened["channel"]["id"])
            latest = await newest_ts(client, channel)
        except (SlackApiError, NoInstallation) as exc:
            log.info("slack: the DM clean-up after /forget could not start: %s", describe_exception(exc))
            return False
        if not latest:
            return False

        start_counted(self._dm_cleanups, delete_own_messages(client, channel, latest), name="slack-dm-cleanup",
                      done="slack: deleted %d of the app's messages in a DM after /forget", log=log)
        return True

    @asynccontextmanager
    async def _home_turn(self, key: tuple[str, str]) -> AsyncIterator[None]:
        """One Home publish per person at a time, so two at once never upload the same chart twice."""
        lock, users = self._home_locks.get(key) or (asyncio.Lock(), 0)
        self._home_locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._home_locks[key]
            if users <= 1:
                del self._home_locks[key]
            else:
                self._home_locks[key] = (lock, users - 1)

    # ------------------------------------------------------------ community channels (the ChannelPoster port)

    @asynccontextmanager
    async def _channel_posts(self, workspace_id: str) -> AsyncIterator[ChannelPosts]:
        """Channel posts with the workspace's kept client; a token Slack refuses drops that client."""
        client = await self._delivery_client(workspace_id)
        try:
            yield ChannelPosts(client)
        except SlackApiError as exc:
            self._forget_client_after(workspace_id, client, exc)
            raise

    async def post_to_channel(self, post: ChannelPost) -> str:
        async with self._channel_posts(post.workspace_id) as posts:
            return await posts.post_to_channel(post)

    async def delete_message(self, removal: Removal) -> None:
        async with self._channel_posts(removal.workspace_id) as posts:
            await posts.delete_message(removal)

    # ------------------------------------------------------------ scheduled delivery (the Transport port)

    async def _delivery_client(self, workspace_id: str) -> AsyncWebClient:
        """The workspace's Web API client, made (and its installation looked up) once, then kept: the most
        recently used DELIVERY_CLIENTS_KEPT workspaces."""
        client = self._delivery_clients.get(workspace_id)
        if client is not None:
            self._delivery_clients.move_to_end(workspace_id)
            return client
        client = AsyncWebClient(token=await self._delivery_token(workspace_id), base_url=self._api_url,
                                retry_handlers=self._delivery_retries)
        self._delivery_clients[workspace_id] = client
        while len(self._delivery_clients) > DELIVERY_CLIENTS_KEPT:
            self._delivery_clients.popitem(last=False)
        return client

    async def _delivery_token(self, workspace_id: str) -> str | None:
        if self._installations is None:
            return self.client.token
        bot = await self._installations.async_find_bot(enterprise_id=None, team_id=workspace_id)
        if bot is None:
            bot = await self._installations.async_find_bot(enterprise_id=workspace_id, team_id=None,
                                                           is_enterprise_install=True)
        if bot is None or not bot.bot_token:
            raise NoInstallation("no installation for this workspace")
        return bot.bot_token

    def _forget_client_after(self, workspace_id: str, client: AsyncWebClient, exc: BaseException) -> bool:
        """A token Slack no longer takes: the client goes, so the installation is looked up again (a reinstall
        works). True if the client was dropped."""
        if isinstance(exc, SlackApiError) and exc.response.get("error") in STALE_TOKEN_ERRORS \
                and self._delivery_clients.get(workspace_id) is client:
            del self._delivery_clients[workspace_id]
            return True
        return False

    def request_cost(self, address: Address, replies: Sequence[Reply]) -> int:
        """Web API calls `send` makes for these replies: one chat.postMessage per rendered message, two per
        upload (files.getUploadURLExternal and files.completeUploadExternal; the bytes go to the upload URL,
        which is not a Web API method), and conversations.open when the DM is not known yet."""
        calls = 0
        for message in render_replies(replies):
            if message.blocks or not (message.files or message.images):
                calls += 1
            calls += 2 * (len(message.files) + len(message.images))
        if not address.channel_id and (address.workspace_id, address.user_id) not in self._dm_channels:
            calls += 1
        return calls

    async def send(self, address: Address, replies: Sequence[Reply]) -> None:
        await self.send_keyed(address, replies, "", maybe_sent_since=None)

    async def send_keyed(self, address: Address, replies: Sequence[Reply], key: str, *,
                         maybe_sent_since: datetime | None) -> bool:
        """Scheduled prompts: to the person's DM with the app, with their workspace's token. Each message names
        its outbox row (`key`) in its metadata; when an earlier attempt may have gone out, the DM's messages since
        then are looked at first, and a prompt already there is not posted again (returns True)."""
        try:
            client = await self._delivery_client(address.workspace_id)
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
                fresh = await self._delivery_client(address.workspace_id)
                if fresh.token == client.token:
                    raise
                await self._send_with(fresh, address, replies, key)
        except Exception as exc:
            mapped = delivery_error(exc)
            if mapped is None:
                raise
            if mapped is exc:
                raise
            raise mapped from exc
        return False

    async def _already_posted(self, client: AsyncWebClient, address: Address, key: str, since: datetime) -> bool:
        """Whether the DM holds one of this outbox row's messages (conversations.history with its metadata),
        among those posted since the earliest moment an earlier attempt could have gone out (less a margin for
        clocks that differ), page by page: however busy the DM was since, the copy is found."""
        channel = address.channel_id or await self._dm_channel(client, address)
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
        channel = address.channel_id or await self._dm_channel(client, address)
        try:
            await self._post_all(client, address, channel, replies, key)
        except SlackApiError as exc:
            if not address.channel_id or exc.response.get("error") != "channel_not_found":
                raise
            # The remembered DM is gone (the app was reinstalled): open it afresh, once.
            self._dm_channels.pop((address.workspace_id, address.user_id), None)
            await self._post_all(client, address, await self._dm_channel(client, address), replies, key)


PROMPT_EVENT = "boundary_prompt"
HISTORY_MARGIN = timedelta(minutes=10)  # Slack's clock and ours may differ: look this much further back
HISTORY_PAGE = 200  # messages per conversations.history page (Slack advises at most 200)
HISTORY_PAGES = 10  # the most pages read for one look-up (a DM with thousands of messages since is not a bot's)


def prompt_metadata(key: str) -> dict[str, Any]:
    """Slack message metadata naming the outbox row a prompt belongs to (no person, no words)."""
    return {"event_type": PROMPT_EVENT, "event_payload": {"outbox": key}}


def is_prompt_of(message: Any, key: str) -> bool:
    metadata = message.get("metadata") if isinstance(message, dict) else None
    if not isinstance(metadata, dict) or metadata.get("event_type") != PROMPT_EVENT:
        return False
    payload = metadata.get("event_payload")
    return isinstance(payload, dict) and str(payload.get("outbox")) == key


def _prefixed(prefix: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(prefix))


def _origin(body: Mapping[str, Any], respond: AsyncRespond) -> Origin:
    """Where a click happened: a message in a conversation (answer there or ephemerally) or a view."""
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    if container.get("type") == "view" or not channel:
        return Origin()
    return Origin(channel, respond if body.get("response_url") else None)


def _selected(action: Mapping[str, Any]) -> tuple[str, ...]:
    """The values a select sends; a button's value is already in its token."""
    if isinstance(action.get("selected_options"), list):
        return tuple(str(option.get("value")) for option in action["selected_options"] if option.get("value"))
    selected = action.get("selected_option")
    if isinstance(selected, Mapping) and selected.get("value"):
        return (str(selected["value"]),)
    return ()
