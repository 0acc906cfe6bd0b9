"""The Slack adapter: slack-bolt's AsyncApp with one `/boundary` command, Block Kit buttons and selects that carry
core tokens, modals for typed answers and forms, an App Home dashboard, and scheduled prompts by DM.

Thin by design, and wired here from its parts: translate.py turns Slack payloads into core events, the core
answers, render.py draws the answer in Block Kit, transport.py sends it (bot.answering decides where), home.py
keeps the App Home, and server.py is HTTP mode's endpoint. Nothing a person writes is logged or shown in a
channel. Every request is acknowledged first and worked on after, so Slack's 3-second limit holds however slow
the database is.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, cast

from aiohttp import web
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render, translate
from adapters.slack.home import SlackHome
from adapters.slack.installations import database_oauth_settings
from adapters.slack.manifest import EVENTS_PATH
from adapters.slack.server import SlackHttp
from adapters.slack.transport import ChannelPosts, Origin, SlackTransport
from bot.acks_first import CONCURRENCY, tracked
from bot.answering import AskedActor, answered_mark, guarded
from bot.community.common import ChannelPost, Removal
from bot.conversation import Conversation
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, Incoming, TextSubmitted
from bot.inflight import InFlight
from bot.logsafe import no_bodies_logged
from bot.messages import Address, Reply
from bot.ops.acks import AckClock
from bot.ops.server import SharedOps
from bot.response import NOBODY, Actor, OpenForm, Response, TextBox, opens_text_box
from bot.storage.seen import MemorySeenEvents, SeenEvents, claimed

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://slack.com/api/"
SHORTCUT_CHECKIN = "bb_checkin"
_ENVELOPE_ID = re.compile(r'"envelope_id"\s*:\s*"([^"]{1,200})"')


def slack_actor(client: AsyncWebClient, user_id: str) -> Actor:
    """Whether the person is a workspace admin or owner (who may also moderate a circle), and the workspace's
    time zone: team.info's when it names one, else the person's own (users.info); "" when unknown. Asked of
    Slack only when the core needs to know, once per event, never stored."""

    async def ask() -> tuple[bool, str]:
        try:
            found = await client.users_info(user=user_id)
        except SlackApiError as exc:
            log.warning("slack users.info failed: %s", exc.response.get("error"))
            return False, ""
        user = found.get("user") or {}
        admin = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        zone = ""
        try:
            zone = str(((await client.team_info()).get("team") or {}).get("tz") or "")
        except SlackApiError as exc:
            log.warning("slack team.info failed: %s", exc.response.get("error"))
        return admin, zone or str(user.get("tz") or "")

    return AskedActor(ask)


def time_acks(client: Any, acks: AckClock) -> None:
    """Socket Mode's acknowledgement latency: the envelope arrives when slack_sdk's client queues it (time in its
    queue counts), and is answered once the response naming it has been written to the socket. Both methods are
    looked up on the instance by slack_sdk, so the wrappers are what it calls."""
    client.enqueue_message, client.send_socket_mode_response = acks.timed(
        client.enqueue_message, client.send_socket_mode_response, _arriving_envelope, _answered_envelope)


def _arriving_envelope(message: str) -> str | None:
    found = _ENVELOPE_ID.search(message[:1000])
    return found.group(1) if found else None


def _answered_envelope(response: Any) -> str | None:
    envelope = response.get("envelope_id") if isinstance(response, dict) else getattr(response, "envelope_id", None)
    return str(envelope) if envelope else None


class SlackAdapter:
    name = translate.PLATFORM
    capabilities = render.CAPABILITIES

    def __init__(self, conversation: Conversation, *, signing_secret: str, token: str = "",
                 api_url: str = DEFAULT_API_URL, app_token: str = "",
                 installation_store: AsyncInstallationStore | None = None,
                 oauth_settings: AsyncOAuthSettings | None = None, seen_events: SeenEvents | None = None,
                 rate_limit_retries: int = 1, after_response_concurrency: int = CONCURRENCY,
                 ack_observer: Callable[[float], None] | None = None) -> None:
        no_bodies_logged("slack_bolt", "slack_sdk")
        self._conversation = conversation
        self._ack_observer = ack_observer  # seconds from a request's (or envelope's) arrival to its ack
        self.serving = asyncio.Event()  # set while HTTP mode listens or Socket Mode is connected (readiness)
        self._app_token = app_token
        self._seen = seen_events or MemorySeenEvents()
        self._work = InFlight()
        installations = installation_store or (oauth_settings.installation_store if oauth_settings else None)
        self.transport = SlackTransport(conversation, token=token, api_url=api_url, installations=installations,
                                        rate_limit_retries=rate_limit_retries)
        self.client = self.transport.client
        self._home = SlackHome(conversation, self.transport)
        self.app = AsyncApp(client=self.client, signing_secret=signing_secret,
                            installation_store=installation_store if oauth_settings is None else None,
                            installation_store_bot_only=True if installations is not None else None,
                            oauth_settings=oauth_settings, before_authorize=self._skip_repeats,
                            process_before_response=False, raise_error_for_unhandled_request=False)
        # Socket Mode needs no signing secret (Slack's websocket is authenticated by the app token).
        self._http = SlackHttp(self.app, signing_secret, self._work, serving=self.serving,
                               concurrency=after_response_concurrency, ack_observer=ack_observer)
        self._register()
        conversation.traces.keep_with(translate.PLATFORM, self)

    # ------------------------------------------------------------ serving

    def web_app(self, path: str = EVENTS_PATH) -> web.Application:
        """The aiohttp app for HTTP mode (server.py)."""
        return self._http.web_app(path)

    def share_port_with(self, ops: SharedOps) -> None:
        """/healthz, /readyz and /metrics are served on this app's own port too (HTTP mode)."""
        self._http.shared_ops = ops

    async def serve_http(self, host: str, port: int, path: str = EVENTS_PATH) -> None:
        await self._http.serve(host, port, path)

    @asynccontextmanager
    async def socket_mode(self) -> AsyncIterator[None]:
        """Connected to Slack over Socket Mode (no public URL needed) while inside."""
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        handler: Any = AsyncSocketModeHandler(self.app, app_token=self._app_token)  # untyped library methods
        if self._ack_observer is not None:
            time_acks(handler.client, AckClock(self._ack_observer))
        await cast(Callable[[], Awaitable[None]], handler.connect_async)()
        self.serving.set()
        try:
            yield
        finally:
            self.serving.clear()
            await cast(Callable[[], Awaitable[None]], handler.close_async)()

    async def run(self, host: str = "0.0.0.0", port: int = 3000) -> None:
        if not self._app_token:
            await self.serve_http(host, port)
            return
        async with self.socket_mode():
            log.info("slack Socket Mode connected")
            await asyncio.Event().wait()

    async def drain(self, within: float = 10.0) -> None:
        """Wait until every acknowledged request has been worked off."""
        await self._work.drain(within)

    async def _skip_repeats(self, body: dict[str, Any], next_: Callable[[], Awaitable[BoltResponse]]) -> BoltResponse:
        """Slack re-sends an event it thinks we missed (X-Slack-Retry-Num); one that was already taken is
        acknowledged and dropped, so nothing happens twice (bot.storage.seen.claimed: a ledger that cannot answer
        lets the event through, as on every platform)."""
        event_id = body.get("event_id")
        if body.get("type") == "event_callback" and isinstance(event_id, str) \
                and not await claimed(self._seen, event_id):
            return BoltResponse(status=200, body="")
        return await next_()

    # ------------------------------------------------------------ listeners

    def _register(self) -> None:
        app, work = self.app, self._work
        app.command(translate.COMMAND)(tracked(self._on_command, work))
        for prefix in (translate.TOKEN_PREFIX, render.FORM_BUTTON_PREFIX, render.COMMAND_PREFIX):
            app.action(re.compile("^" + re.escape(prefix)))(tracked(self._on_click, work))
        app.view(render.TEXT_CALLBACK)(tracked(self._on_view, work))
        app.view(re.compile("^" + re.escape(render.FORM_CALLBACK_PREFIX)))(tracked(self._on_view, work))
        app.view(render.PULSE_FORM_CALLBACK)(tracked(self._on_pulse_form_submitted, work))
        app.shortcut(SHORTCUT_CHECKIN)(tracked(self._on_checkin_shortcut, work))
        app.event("app_home_opened")(tracked(self._on_home_opened, work))
        app.event("message")(tracked(self._on_message, work))
        app.event("app_uninstalled")(tracked(self._on_tokens_gone, work))
        app.event("tokens_revoked")(tracked(self._on_tokens_gone, work))

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext,
                          client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()  # an empty ack: Slack shows nothing in the channel, not even the command typed
        origin = Origin(str(command.get("channel_id") or ""), respond)
        who = translate.address(context, origin.channel)
        event = translate.command_event(command, who)

        async def run() -> None:
            if isinstance(event, FormOpened):  # the share form; without one, the command says why
                response = await self._conversation.handle(event)
                if await self._open(client, origin, response, str(command["trigger_id"])):
                    return
            command_event = Command(who, "share") if isinstance(event, FormOpened) else event
            await self._handle(client, origin, command_event, slack_actor(client, who.user_id))

        await self._guarded(client, who, origin, f"{translate.COMMAND} command", run)

    async def _on_click(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any],
                        context: AsyncBoltContext, client: AsyncWebClient, respond: AsyncRespond) -> None:
        """A click or a pick on the app's own controls: an answer, a form's button, or an App Home button."""
        await ack()
        channel = translate.click_channel(body)
        origin = Origin(channel, respond if channel and body.get("response_url") else None)
        who = translate.address(context, channel)
        event = translate.click_event(action, who)
        trigger_id = str(body.get("trigger_id") or "")

        async def run() -> None:
            if isinstance(event, FormOpened):
                await self._open_or_answer(client, origin, event, trigger_id)
            elif isinstance(event, Command):
                await self._handle(client, origin, event)
            elif isinstance(event, ChoicePicked):
                await self._picked(client, origin, event, trigger_id, body, action)

        if event is not None:
            await self._guarded(client, who, origin, "click", run)

    async def _picked(self, client: AsyncWebClient, origin: Origin, event: ChoicePicked, trigger_id: str,
                      body: Mapping[str, Any], action: Mapping[str, Any]) -> None:
        round_id = translate.join_round(event.token)
        if round_id is not None:  # the team pulse: one private modal, never statements in a DM
            await self._open_pulse_form(client, event.address, origin, trigger_id, round_id)
            return
        if opens_text_box(event.token):  # "Write it": a box, opened while the trigger id is fresh
            await self._open_or_answer(client, origin, event, trigger_id)
            return
        replies = await self._handle(client, origin, event, slack_actor(client, event.address.user_id))
        await self._settle(client, body, action, origin, replies)

    async def _open(self, client: AsyncWebClient, origin: Origin, response: Response, trigger_id: str) -> bool:
        """Open the text box or form the core asks for, while the trigger id is fresh; False when it asks neither.
        A form is fetched afresh, so a button from before a restart still works."""
        texts = self._conversation.texts
        if isinstance(response.opens, TextBox):
            view = render.text_modal(response.opens, texts, channel=origin.channel)
        elif isinstance(response.opens, OpenForm):
            view = render.form_modal(response.opens.form, texts, channel=origin.channel)
        else:
            return False
        await client.views_open(trigger_id=trigger_id, view=view)
        return True

    async def _open_or_answer(self, client: AsyncWebClient, origin: Origin, event: ChoicePicked | FormOpened,
                              trigger_id: str) -> None:
        response = await self._conversation.handle(event)
        if not await self._open(client, origin, response, trigger_id):
            await self._answer(client, event.address, origin, response.replies)

    async def _settle(self, client: AsyncWebClient, body: Mapping[str, Any], action: Mapping[str, Any],
                      origin: Origin, replies: Sequence[Reply]) -> None:
        """In the DM, an answered question loses its buttons and shows what was picked (bot.answering)."""
        message = body.get("message")
        if not origin.channel.startswith("D") or not isinstance(message, Mapping) or not message.get("ts"):
            return
        mark = answered_mark(self._conversation.texts, replies, translate.picked_labels(action))
        blocks = render.settled_blocks(list(message.get("blocks") or []), mark)
        # The plain-text fallback stays what it was (notifications, screen readers), or says what was picked.
        fallback = str(message.get("text") or "").strip() or mark or self._conversation.texts.get("answered")
        try:
            await client.chat_update(channel=origin.channel, ts=str(message["ts"]), blocks=blocks, text=fallback)
        except SlackApiError as exc:  # cosmetic: the answer itself was taken
            log.info("slack: could not settle an answered message: %s", exc.response.get("error"))

    async def _on_view(self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext,
                       client: AsyncWebClient) -> None:
        """A submitted text box (the answer arrives as a message) or form (it runs the command it stands for)."""
        await ack()  # closes the modal
        origin = Origin(translate.view_channel(view))
        who = translate.address(context, origin.channel)
        event = translate.view_event(view, who)
        if event is None:
            return
        actor = slack_actor(client, who.user_id) if isinstance(event, FormSubmitted) else NOBODY
        await self._guarded(client, who, origin, "modal", lambda: self._handle(client, origin, event, actor))

    async def _open_pulse_form(self, client: AsyncWebClient, who: Address, origin: Origin, trigger_id: str,
                               round_id: str) -> None:
        """Join: the whole pulse as one modal (or, when it cannot be answered from here, a private line)."""
        form = await self._conversation.pulse_form(who, round_id) if trigger_id \
            else [Reply(self._conversation.texts.get("stale_click"), stale=True)]
        if isinstance(form, list):
            await self._answer(client, who, origin, form, refresh_home=False)
            return
        await client.views_open(trigger_id=trigger_id, view=render.pulse_modal(form, self._conversation.texts))

    async def _on_pulse_form_submitted(self, ack: AsyncAck, view: dict[str, Any], context: AsyncBoltContext,
                                       client: AsyncWebClient) -> None:
        """A sent pulse form: a statement without an answer keeps the modal open with an error under it;
        otherwise the modal closes and the answers go in, anonymously. The only line after it is ephemeral."""
        round_id, channel, count = translate.form_place(view)
        scores = translate.form_scores(view, count)
        missing = [number for number, score in enumerate(scores, start=1) if score is None]
        if missing:
            await ack(response_action="errors", errors=render.missing_errors(self._conversation.texts, missing))
            return
        await ack()
        origin = Origin(channel)
        who = translate.address(context, channel)

        async def run() -> None:
            result = await self._conversation.submit_pulse_form(who, round_id, scores, translate.form_comment(view))
            replies = list(result.replies) or [Reply(self._conversation.texts.get(
                "pulse_form_missing", numbers=", ".join(map(str, result.missing))))]
            await self._answer(client, who, origin, replies, refresh_home=False)

        await self._guarded(client, who, origin, "pulse form", run)

    async def _on_checkin_shortcut(self, ack: AsyncAck, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        await ack()
        who = translate.address(context)
        await self._guarded(client, who, Origin(), "shortcut",
                            lambda: self._handle(client, Origin(), Command(who, "checkin")))

    async def _on_home_opened(self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        if translate.home_opened(event):
            await self._home.publish(client, translate.address(context))

    async def _on_tokens_gone(self, event: dict[str, Any], context: AsyncBoltContext) -> None:
        """The app was uninstalled, or Slack revoked tokens: a workspace's bot token goes with its installation
        at once (its people's data follows the retention rules, and /forget still works if they come back); a
        revoked user token goes too."""
        installations = self.transport.installations
        users, bot = translate.revoked(event) if event.get("type") == "tokens_revoked" else ([], True)
        if bot:
            self.transport.drop_workspace(context.team_id or context.enterprise_id or "")
        if installations is None:
            if event.get("type") == "tokens_revoked":
                log.warning("slack: the bot token was revoked; set a new SLACK_BOT_TOKEN")
            return
        for user_id in users:
            await installations.async_delete_installation(enterprise_id=context.enterprise_id,
                                                          team_id=context.team_id, user_id=user_id)
        if bot:
            await installations.async_delete_all(enterprise_id=context.enterprise_id, team_id=context.team_id)
        log.info("slack: a workspace's tokens are gone (%s); deleted", event.get("type"))

    async def _on_message(self, event: dict[str, Any], context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """A typed answer in the DM with the app works like the console: "3" answers a scale. A message with a
        file is read for its words too; an edited message is only read for danger (it answers nothing again)."""
        words = translate.typed(event)
        if words is None:
            return
        origin = Origin(words.channel)
        who = translate.address(context, words.channel)
        self.transport.dm_seen(who, words.channel)
        if not words.edited:
            await self._guarded(client, who, origin, "direct message",
                                lambda: self._handle(client, origin, TextSubmitted(who, words.text)))
            return

        async def screen_edit() -> None:
            replies = await self._conversation.screen_only(TextSubmitted(who, words.text))
            if replies:
                await self._answer(client, who, origin, replies)

        await self._guarded(client, who, origin, "edited message", screen_edit)

    # ------------------------------------------------------------ answering, inside the error boundary

    async def _guarded(self, client: AsyncWebClient, who: Address, origin: Origin, place: str,
                       run: Callable[[], Awaitable[object]]) -> None:
        async def apologise(reply: Reply) -> None:
            await self._answer(client, who, origin, [reply], refresh_home=False)

        await guarded(f"slack {place}", run, apologise, self._conversation.texts)

    async def _handle(self, client: AsyncWebClient, origin: Origin, event: Incoming,
                      actor: Actor = NOBODY) -> list[Reply]:
        outcome = await self._conversation.handle(event, actor)
        if outcome.posts or outcome.removals:  # the channel first: "it's posted" is then true when it is read
            await self._conversation.post_and_remove(outcome, ChannelPosts(client, self._conversation))
        replies = list(outcome.replies)
        await self._answer(client, event.address, origin, replies)
        return replies

    async def _answer(self, client: AsyncWebClient, who: Address, origin: Origin, replies: Sequence[Reply],
                      *, refresh_home: bool = True) -> None:
        await self.transport.answer(client, who, origin, replies)
        # A finished check-in, a new schedule, a pause: whatever just ended may change the dashboard.
        if refresh_home and not any(reply.question is not None for reply in replies):
            await self._home.publish(client, who)

    # ------------------------------------------------------------ the core's ports, served by the transport

    async def remove_files(self, workspace_id: str, refs: Sequence[str]) -> list[str]:
        """Files uploaded for someone (exports, history charts, App Home charts), deleted from Slack."""
        gone = await self.transport.delete_files(await self.transport.workspace_client(workspace_id), refs)
        self._home.charts.removed(workspace_id, gone)
        return gone

    async def forget_person(self, address: Address) -> bool:
        """What this process remembers about the person (PersonalTraces); True when their DM is being cleared."""
        cleaning = await self.transport.forget_person(address)
        await self._home.forget(address)
        return cleaning

    async def dm_cleanups_done(self) -> None:
        await self.transport.cleanups.done()

    async def post_to_channel(self, post: ChannelPost) -> str:
        async with self.transport.channel_posts(post.workspace_id) as posts:
            return await posts.post_to_channel(post)

    async def delete_message(self, removal: Removal) -> None:
        async with self.transport.channel_posts(removal.workspace_id) as posts:
            await posts.delete_message(removal)

    def request_cost(self, address: Address, replies: Sequence[Reply]) -> int:
        return self.transport.request_cost(address, replies)

    async def send(self, address: Address, replies: Sequence[Reply]) -> None:
        await self.transport.send_keyed(address, replies, "", maybe_sent_since=None)

    async def send_keyed(self, address: Address, replies: Sequence[Reply], key: str, *,
                         maybe_sent_since: datetime | None) -> bool:
        return await self.transport.send_keyed(address, replies, key, maybe_sent_since=maybe_sent_since)


__all__ = ["EVENTS_PATH", "SlackAdapter", "database_oauth_settings"]
