"""HTTP mode: the aiohttp server Slack posts events, commands and interactions to (and the OAuth install pages).

Verified first, parsed after: a request not signed by Slack (or with headers Slack never sends) gets 401, a
signed body Slack never sends gets 400, and a byte-identical signed request seen in the last minutes is
acknowledged and not run again. A click on the app's own controls is acknowledged here, as soon as its
signature is checked, and worked on after the response, a few at a time and only once the requests still
coming in have been answered (bot/acks_first.py): Slack's 3-second limit holds however big the burst.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.slack.manifest import EVENTS_PATH
from adapters.slack.render import COMMAND_PREFIX, FORM_BUTTON_PREFIX
from adapters.slack.translate import TOKEN_PREFIX
from bot.acks_first import CONCURRENCY, AcksFirst
from bot.inflight import InFlight
from bot.ops.server import OPS_PATHS, SharedOps
from bot.replay import ReplayGuard
from bot.webform import form_value

log = logging.getLogger(__name__)

LISTEN_BACKLOG = 1024  # a burst of clicks arrives as that many new connections at once (aiohttp's default: 128)
# Clicks on the app's own controls: acknowledged as soon as the request is verified, worked on after the response.
EARLY_ACK_ACTIONS = (TOKEN_PREFIX, FORM_BUTTON_PREFIX, COMMAND_PREFIX)
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
SIGNATURE_WINDOW_SECONDS = 5 * 60  # Slack's: an older (or later) timestamp is refused
REPLAY_WINDOW_SECONDS = SIGNATURE_WINDOW_SECONDS * 2  # a signature is remembered while its timestamp passes
Headers = dict[str, str | Sequence[str]]


def repair_form_body(request: AsyncBoltRequest) -> AsyncBoltRequest:
    """slack-bolt reads any form body that contains the word "payload" as an interactive payload, so a slash
    command like `/boundary checkin the payload of today` parses to {} and is dropped (404). Read such a
    body as the plain form it is. (The raw body, and so the signature check, is untouched.)"""
    if request.body or not request.raw_body or request.content_type != FORM_CONTENT_TYPE:
        return request
    fields = dict(parse_qsl(request.raw_body, keep_blank_values=True))
    if "payload" not in fields and "command" in fields:
        request.body = fields
        request.context = build_async_context(AsyncBoltContext({}), fields)
    return request


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


def _headers(request: web.Request) -> Headers:
    return {key: request.headers.getall(key) for key in request.headers}


def add_ops_routes(application: web.Application, ops: SharedOps) -> None:
    """/healthz, /readyz and /metrics on the app's own port (METRICS_PORT equal to PORT): SharedOps's answers."""

    async def answer(request: web.Request) -> web.Response:
        status, content_type, body = await ops.answer(request.path)
        return web.Response(status=status, body=body, headers={"Cache-Control": "no-store",
                                                               "Content-Type": content_type})

    for path in OPS_PATHS:
        application.router.add_get(path, answer)


class SlackHttp:
    """The HTTP endpoint in front of bolt's AsyncApp."""

    def __init__(self, app: AsyncApp, signing_secret: str, work: InFlight, *, serving: asyncio.Event,
                 concurrency: int = CONCURRENCY,
                 ack_observer: Callable[[float], None] | None = None) -> None:
        self._app = app
        self._signing_secret = signing_secret.encode()
        self._serving = serving
        self._ack_observer = ack_observer  # seconds from a request's arrival to its answer
        self._replays = ReplayGuard(REPLAY_WINDOW_SECONDS)
        self._acks_first = AcksFirst(work, concurrency)
        self.shared_ops: SharedOps | None = None  # health and metrics on the app's port

    def web_app(self, path: str = EVENTS_PATH) -> web.Application:
        """Events, commands and interactions on `path`; the OAuth install pages when OAuth is configured."""
        application = web.Application()
        application.router.add_post(path, self._handle_post)
        if self.shared_ops is not None:
            add_ops_routes(application, self.shared_ops)
        flow = self._app.oauth_flow
        if flow is not None:
            application.router.add_get(flow.install_path, functools.partial(self._oauth, install=True))
            application.router.add_get(flow.redirect_uri_path, functools.partial(self._oauth, install=False))
        return application

    async def serve(self, host: str, port: int, path: str = EVENTS_PATH) -> None:
        if not self._signing_secret:
            raise ValueError("HTTP mode needs SLACK_SIGNING_SECRET")
        runner = web.AppRunner(self.web_app(path), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port, backlog=LISTEN_BACKLOG).start()
            log.info("slack HTTP mode listening on http://%s:%d%s", host, port, path)
            self._serving.set()
            await asyncio.Event().wait()
        finally:
            self._serving.clear()
            await runner.cleanup()

    async def _handle_post(self, request: web.Request) -> web.Response:
        self._acks_first.enter()
        arrived = time.perf_counter()
        try:
            return await self._answer_post(request)
        finally:
            self._acks_first.leave()
            if self._ack_observer is not None:
                self._ack_observer(time.perf_counter() - arrived)

    async def _answer_post(self, request: web.Request) -> web.Response:
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
            self._acks_first.later(functools.partial(self._dispatch_answered, raw_body, _headers(request),
                                                     request.query_string), "slack")
            return web.Response(status=200)
        bolt_request = AsyncBoltRequest(body=raw_body, query=request.query_string, headers=_headers(request))
        return await to_aiohttp_response(await self._app.async_dispatch(repair_form_body(bolt_request)))

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

    async def _dispatch_answered(self, raw_body: str, headers: Headers, query: str) -> None:
        bolt_request = AsyncBoltRequest(body=raw_body, query=query, headers=headers)  # parsing, here too
        response = await self._app.async_dispatch(bolt_request)
        if response.status != 200:
            log.warning("slack: an acknowledged click was answered %d by bolt", response.status)

    async def _oauth(self, request: web.Request, *, install: bool) -> web.Response:
        """The install page, or the redirect back from Slack's approval."""
        flow = self._app.oauth_flow
        if flow is None:
            return web.Response(status=404)
        bolt_request = AsyncBoltRequest(body=await request.text(), query=request.query_string,
                                        headers=_headers(request))
        handle = flow.handle_installation if install else flow.handle_callback
        return await to_aiohttp_response(await handle(bolt_request))
