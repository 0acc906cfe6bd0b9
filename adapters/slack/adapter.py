"""The Slack adapter: slack-bolt's AsyncApp, one `/boundary` command, Block Kit buttons and selects that carry
core tokens, modals for typed answers and forms, an App Home dashboard, and scheduled prompts by DM.

Thin by design: it turns Slack payloads into core events and core replies into Block Kit. Nothing a person
writes is logged or shown in a channel: in a channel every answer is ephemeral (only that person sees it)
and a check-in moves to the person's DM with the app. Every request is acknowledged first and worked on
after, so Slack's 3-second limit holds however slow the database is.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl

import aiohttp
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

from adapters.slack.manifest import EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH, bot_scopes
from adapters.slack.render import (
    COMMAND_PREFIX,
    FORM_BUTTON_PREFIX,
    FORM_CALLBACK_PREFIX,
    TEXT_CALLBACK,
    SlackMessage,
    escape,
    form_modal,
    has_files,
    has_question,
    home_view,
    picked_labels,
    read_metadata,
    render_replies,
    settled_blocks,
    text_modal,
    view_values,
)
from bot.community.common import ChannelPost, Removal
from bot.events import ChoicePicked, Command, Event, TextSubmitted
from bot.logsafe import describe_exception
from bot.messages import Address, Reply, form_name, parse_text_value, parse_token
from bot.ports import Capabilities, DeliveryError, RateLimited, TemporaryFailure, Unreachable
from bot.service import COMMANDS, ChannelPoster, CheckinService

log = logging.getLogger(__name__)

PLATFORM = "slack"
ALT_TEXT_MAX = 1000
COMMAND = "/boundary"
SHORTCUT_CHECKIN = "bb_checkin"
DEFAULT_API_URL = "https://slack.com/api/"
MOVED_TO_DMS = "I've sent this to our direct messages, so it stays between us."
DM_FAILED = "I couldn't open a direct message with you, so here it is privately instead. Only you can see this."
FORM_GONE = "That form isn't available any more. Run the command again to get a fresh one."
# Errors after which a person cannot be reached until something changes (the app removed, the account gone).
UNREACHABLE_ERRORS = frozenset({
    "user_not_found", "user_not_visible", "cannot_dm_bot", "channel_not_found", "is_archived", "account_inactive",
    "user_disabled", "messages_tab_disabled", "not_in_channel", "token_revoked", "token_expired", "invalid_auth",
    "not_authed", "team_not_found", "team_access_not_granted", "access_denied", "no_installation",
    "restricted_action", "ekm_access_denied",
})
TEMPORARY_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
LIBRARY_LOGGERS = ("slack_bolt", "slack_sdk")
ADMIN_COMMANDS = ("circle", "pulse")
SHARE_FORM = "share"

class NoInstallation(Unreachable):
    """The app is not (or no longer) installed in the workspace of an address."""


def delivery_error(exc: BaseException) -> DeliveryError | None:
    """What a failed Web API call means for the core's delivery: wait, try again later, or give up."""
    if isinstance(exc, DeliveryError):
        return exc
    if isinstance(exc, SlackApiError):
        status = exc.response.status_code
        error = str(exc.response.get("error") or "")
        if status == 429 or error == "ratelimited":
            retry_after = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
            if isinstance(retry_after, list):
                retry_after = retry_after[0] if retry_after else None
            try:
                return RateLimited(max(0.0, float(retry_after)) if retry_after is not None else 1.0)
            except ValueError:
                return RateLimited(1.0)
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


class SeenEvents(Protocol):
    async def first_time(self, event_id: str) -> bool:
        """True the first time an event id is offered, False for every repeat."""
        ...


class MemorySeenEvents:
    """Event ids seen by this process (enough for Socket Mode and a single HTTP worker)."""

    def __init__(self, size: int = 10_000) -> None:
        self._size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def first_time(self, event_id: str) -> bool:
        if event_id in self._seen:
            return False
        self._seen[event_id] = None
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True


async def database_oauth_settings(engine: AsyncEngine, client_id: str, client_secret: str, *,
                                  redirect_uri: str = "") -> AsyncOAuthSettings:
    """The OAuth install flow with slack_sdk's own SQLAlchemy installation and state stores, on the bot's own
    database (their tables are created here if missing): each workspace that installs gets its own token."""
    installations = AsyncSQLAlchemyInstallationStore(client_id=client_id, engine=engine, logger=log)
    states = AsyncSQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine, logger=log)
    for store in (installations, states):
        await cast(Callable[[], Awaitable[None]], store.create_tables)()
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


async def is_workspace_admin(client: AsyncWebClient, user_id: str) -> bool:
    """Slack's word on it (users.info: admin or owner), asked when it matters and never stored."""
    try:
        found = await client.users_info(user=user_id)
    except SlackApiError as exc:
        log.warning("slack users.info failed: %s", exc.response.get("error"))
        return False
    user = found.get("user") or {}
    return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


class ChannelPosts:
    """Community posts into Slack channels with one client: mentions off (no link_names, parse "none", no
    unfurls, & < > escaped), the care notice pinned, shares into the weekly prompt's thread."""

    def __init__(self, client: AsyncWebClient) -> None:
        self._client = client

    async def post_to_channel(self, post: ChannelPost) -> str:
        first = ""
        for message in render_replies([post.reply]):
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
    capabilities = Capabilities(max_text_length=3000, max_buttons=25, max_select_options=100, ephemeral=True,
                                modals=True, images=True, rich_text=True)

    def __init__(self, service: CheckinService, *, signing_secret: str, token: str = "",
                 api_url: str = DEFAULT_API_URL, app_token: str = "",
                 installation_store: AsyncInstallationStore | None = None,
                 oauth_settings: AsyncOAuthSettings | None = None, seen_events: SeenEvents | None = None,
                 rate_limit_retries: int = 1) -> None:
        # slack_sdk and slack-bolt log request and response bodies at DEBUG: those hold what people write.
        for name in LIBRARY_LOGGERS:
            library_log = logging.getLogger(name)
            library_log.setLevel(max(logging.INFO, library_log.level))
        self._service = service
        self._api_url = api_url
        self._app_token = app_token
        self._installations = installation_store or (oauth_settings.installation_store if oauth_settings else None)
        self._seen = seen_events or MemorySeenEvents()
        self._dm_channels: dict[tuple[str, str], str] = {}
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
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

    # ------------------------------------------------------------ serving

    def web_app(self, path: str = EVENTS_PATH) -> web.Application:
        """The aiohttp app for HTTP mode: events, commands and interactions on `path`; the OAuth install pages
        when OAuth is configured."""
        application = web.Application()
        application.router.add_post(path, self._handle_post)
        flow = self.app.oauth_flow
        if flow is not None:
            application.router.add_get(flow.install_path, self._handle_install)
            application.router.add_get(flow.redirect_uri_path, self._handle_oauth_redirect)
        return application

    async def serve_http(self, host: str, port: int, path: str = EVENTS_PATH) -> None:
        runner = web.AppRunner(self.web_app(path), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
            log.info("slack HTTP mode listening on http://%s:%d%s", host, port, path)
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    @asynccontextmanager
    async def socket_mode(self) -> AsyncIterator[None]:
        """Connected to Slack over Socket Mode (no public URL needed) while inside."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler: Any = AsyncSocketModeHandler(self.app, app_token=self._app_token)  # untyped library methods
        await cast(Callable[[], Awaitable[None]], handler.connect_async)()
        try:
            yield
        finally:
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

    @staticmethod
    async def _bolt_request(request: web.Request) -> AsyncBoltRequest:
        headers: dict[str, str | Sequence[str]] = {key: request.headers.getall(key) for key in request.headers}
        return AsyncBoltRequest(body=await request.text(), query=request.query_string, headers=headers)

    async def _handle_post(self, request: web.Request) -> web.Response:
        bolt_request = repair_form_body(await self._bolt_request(request))
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

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
        app.shortcut(SHORTCUT_CHECKIN)(tracked(self._on_checkin_shortcut))
        app.event("app_home_opened")(tracked(self._on_home_opened))
        app.event("message")(tracked(self._on_message))

    def _tracked(self, listener: Handler) -> Handler:
        """Counts work in flight (acknowledged, not finished), so a shutdown or a test can wait for it."""

        @functools.wraps(listener)  # bolt reads the listener's parameter names through the wrapper
        async def run(**kwargs: Any) -> None:
            self._in_flight += 1
            self._idle.clear()
            try:
                await listener(**kwargs)
            finally:
                self._in_flight -= 1
                if self._in_flight == 0:
                    self._idle.set()

        return run

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
            if name == SHARE_FORM and not args.strip() and command.get("trigger_id"):
                form = await self._service.form(address, SHARE_FORM)
                if form is not None:
                    await client.views_open(trigger_id=str(command["trigger_id"]),
                                            view=form_modal(form, channel=origin.channel))
                    return
            admin = name in ADMIN_COMMANDS and await is_workspace_admin(client, address.user_id)
            await self._handle(client, origin, Command(address, name, args), is_admin=admin)

        await self._guarded(client, address, origin, f"{COMMAND} command", run)

    async def _on_token_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                               context: AsyncBoltContext, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        origin = _origin(body, respond)
        address = self.address(context, origin.channel)
        action_id = str(action.get("action_id") or "")

        async def run() -> None:
            parsed = parse_token(action_id)
            limit = parse_text_value(parsed.value) if parsed is not None and parsed.value else None
            if parsed is not None and limit is not None:
                token = f"ci:{parsed.session_id}:{parsed.step_id}"
                await client.views_open(trigger_id=body["trigger_id"],
                                        view=text_modal(token, limit, channel=origin.channel))
                return
            moderator = parsed is not None and parsed.session_id == "circle" \
                and await is_workspace_admin(client, address.user_id)
            replies = await self._handle(client, origin, ChoicePicked(address, action_id, _selected(action)),
                                         is_moderator=moderator)
            await self._settle(client, body, action, origin, replies)

        await self._guarded(client, address, origin, "action", run)

    async def _settle(self, client: AsyncWebClient, body: Mapping[str, Any], action: Mapping[str, Any],
                      origin: Origin, replies: Sequence[Reply]) -> None:
        """In the DM, an answered question loses its buttons and shows what was picked (a stale click only
        loses the dead buttons: nothing was recorded)."""
        message = body.get("message")
        if not origin.channel.startswith("D") or not isinstance(message, Mapping) or not message.get("ts"):
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
            name = form_name(str(action.get("action_id") or ""), FORM_BUTTON_PREFIX)
            form = await self._service.form(address, name) if name else None
            if form is None:
                await self._answer(client, address, origin, [Reply(FORM_GONE)])
                return
            await client.views_open(trigger_id=body["trigger_id"], view=form_modal(form, channel=origin.channel))

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
        text = next(iter(view_values(view.get("state") or {}).values()), "")
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
            name = form_name(str(view.get("callback_id") or ""), FORM_CALLBACK_PREFIX)
            form = await self._service.form(address, name) if name else None
            if form is None:
                await self._answer(client, address, origin, [Reply(FORM_GONE)])
                return
            values = view_values(view.get("state") or {})
            # A share keeps its words as written (lines and all); other forms become a typed command.
            args = values.get("text", "") if form.name == SHARE_FORM else form.command_args(values)
            admin = form.command in ADMIN_COMMANDS and await is_workspace_admin(client, address.user_id)
            await self._handle(client, origin, Command(address, form.command, args), is_admin=admin)

        await self._guarded(client, address, origin, "form", run)

    async def _on_checkin_shortcut(self, ack: AsyncAck, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        await ack()
        address = self.address(context)
        await self._guarded(client, address, Origin(), "shortcut",
                            lambda: self._handle(client, Origin(), Command(address, "checkin")))

    async def _on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        await self.publish_home(client, self.address(context))

    async def _on_message(self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """A typed answer in the DM with the app works like the console: "3" answers a scale."""
        if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id") \
                or not event.get("user") or not event.get("text"):
            return
        channel = str(event.get("channel") or "")
        origin = Origin(channel)
        address = self.address(context, channel)
        self._dm_channels.setdefault((address.workspace_id, address.user_id), channel)
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
                await self._answer(client, address, origin, [Reply(self._service.texts.get("error"))],
                                   refresh_home=False)
            except Exception as again:
                log.error("slack apology failed: %s", describe_exception(again))

    # ------------------------------------------------------------ answering

    async def _handle(self, client: AsyncWebClient, origin: Origin, event: Event, *, is_admin: bool = False,
                      is_moderator: bool = False) -> list[Reply]:
        outcome = await self._service.act_safely(event, is_admin=is_admin, is_moderator=is_moderator)
        if outcome.posts or outcome.removals:  # the channel first: "it's posted" is then true when it is read
            await self._service.deliver(outcome, ChannelPosts(client))
        replies = list(outcome.replies)
        await self._answer(client, event.address, origin, replies)
        return replies

    async def _answer(self, client: AsyncWebClient, address: Address, origin: Origin, replies: Sequence[Reply],
                      *, refresh_home: bool = True) -> None:
        """In the DM with the app: answer there. In any other conversation: privately (ephemeral), and a
        check-in or a file moves to the DM. From App Home or a shortcut: in the DM."""
        dm = ""
        if origin.channel.startswith("D"):
            dm = await self._dm_channel(client, address)
            if dm == origin.channel:
                await self._post_all(client, dm, replies)
                await self._after(client, address, replies, refresh_home)
                return
        if origin.channel and not has_question(replies) and not has_files(replies):
            await self._ephemeral(client, address, origin, render_replies(replies))
            await self._after(client, address, replies, refresh_home)
            return
        try:
            dm = dm or await self._dm_channel(client, address)
            await self._post_all(client, dm, replies)
        except SlackApiError as exc:
            if not origin.channel or delivery_error(exc) is None:
                raise
            log.warning("slack could not open a DM: %s", exc.response.get("error"))
            await self._ephemeral(client, address, origin, render_replies([Reply(DM_FAILED), *replies]))
        else:
            if origin.channel:
                await self._ephemeral(client, address, origin, [SlackMessage(MOVED_TO_DMS)])
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

    async def _post_all(self, client: AsyncWebClient, channel: str, replies: Sequence[Reply]) -> None:
        for message in render_replies(replies):
            if message.blocks or not (message.files or message.images):
                await client.chat_postMessage(channel=channel, unfurl_links=False, unfurl_media=False,
                                              **message.kwargs())
            for item in message.files:
                await client.files_upload_v2(channel=channel, content=item.content, filename=item.filename,
                                             title=item.filename)
            for image in message.images:  # Slack's current upload API (getUploadURLExternal + complete)
                await client.files_upload_v2(channel=channel, content=image.content, filename=image.filename,
                                             title=image.filename, alt_txt=image.alt_text[:ALT_TEXT_MAX])

    async def _dm_channel(self, client: AsyncWebClient, address: Address) -> str:
        """The person's DM with the app (opened once, then remembered, also by the core for scheduling)."""
        key = (address.workspace_id, address.user_id)
        known = self._dm_channels.get(key)
        if known:
            return known
        opened = await client.conversations_open(users=address.user_id)
        channel = str(opened["channel"]["id"])
        self._dm_channels[key] = channel
        await self._service.remember_dm_channel(address, channel)
        return channel

    async def publish_home(self, client: AsyncWebClient, address: Address) -> None:
        try:
            replies = await self._service.home(address)
            await client.views_publish(user_id=address.user_id, view=home_view(replies))
        except Exception as exc:  # a dashboard that could not be drawn must not spoil the answer itself
            log.error("slack App Home failed: %s", describe_exception(exc))

    # ------------------------------------------------------------ community channels (the ChannelPoster port)

    async def _poster(self, workspace_id: str) -> ChannelPoster:
        return ChannelPosts(await self._delivery_client(workspace_id))

    async def post_to_channel(self, post: ChannelPost) -> str:
        return await (await self._poster(post.workspace_id)).post_to_channel(post)

    async def delete_message(self, removal: Removal) -> None:
        await (await self._poster(removal.workspace_id)).delete_message(removal)

    # ------------------------------------------------------------ scheduled delivery (the Transport port)

    async def _delivery_client(self, workspace_id: str) -> AsyncWebClient:
        if self._installations is None:
            return AsyncWebClient(token=self.client.token, base_url=self._api_url,
                                  retry_handlers=self._delivery_retries)
        bot = await self._installations.async_find_bot(enterprise_id=None, team_id=workspace_id)
        if bot is None:
            bot = await self._installations.async_find_bot(enterprise_id=workspace_id, team_id=None,
                                                           is_enterprise_install=True)
        if bot is None or not bot.bot_token:
            raise NoInstallation("no installation for this workspace")
        return AsyncWebClient(token=bot.bot_token, base_url=self._api_url, retry_handlers=self._delivery_retries)

    async def send(self, address: Address, replies: Sequence[Reply]) -> None:
        """Scheduled prompts: to the person's DM with the app, with their workspace's token."""
        try:
            client = await self._delivery_client(address.workspace_id)
            channel = address.channel_id or await self._dm_channel(client, address)
            try:
                await self._post_all(client, channel, replies)
            except SlackApiError as exc:
                if not address.channel_id or exc.response.get("error") != "channel_not_found":
                    raise
                # The remembered DM is gone (the app was reinstalled): open it afresh, once.
                self._dm_channels.pop((address.workspace_id, address.user_id), None)
                await self._post_all(client, await self._dm_channel(client, address), replies)
        except Exception as exc:
            mapped = delivery_error(exc)
            if mapped is None:
                raise
            if mapped is exc:
                raise
            raise mapped from exc


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
