"""A local fake Slack: Web API, file upload URLs, response_urls, Socket Mode, and signed HTTP requests.

The real slack_sdk / slack-bolt clients talk to it over 127.0.0.1, so adapter tests exercise the same
code paths as production: point `AsyncWebClient(base_url=fake.api_url)` at it, and (for Socket Mode)
the client finds the websocket through `apps.connections.open` on that same base URL.

Things worth knowing when writing tests against it:
- slack_sdk sends some arguments in the query string (e.g. chat.delete, conversations.open,
  files.getUploadURLExternal/completeUploadExternal, apps.connections.open) and others as a form or
  JSON body (chat.postMessage, views.*). The fake merges query + body into `ApiCall.args`, and decodes
  JSON-valued fields (blocks, view, files, ...) that arrive as strings.
- Every request, including failed and faulted ones, is recorded in `calls`; successful effects land in
  `messages`, `ephemerals`, `views`, `home_views`, `files` (files.delete moves a file to `deleted_files`),
  `responses`.
- Image blocks that show an uploaded file (`slack_file`) are checked against `files`: a file that is gone,
  unfinished, not an image, or neither the poster's own upload nor shared anywhere is refused as
  "invalid slack file", like Slack does.
- Wait with `wait_for_calls` / `wait_for_ack` (condition-based, with timeouts), never with sleep.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, NamedTuple, Self

from aiohttp import WSMsgType, web

# Defaults shared by the fake server and the payload builders, so that a payload built with no
# arguments matches what auth.test reports for the default workspace.
TEAM_ID = "T0FAKE001"
TEAM_NAME = "Fake Team"
TEAM_DOMAIN = "fake-team"
API_APP_ID = "A0FAKEAPP"
BOT_USER_ID = "U0FAKEBOT"
BOT_ID = "B0FAKEBOT"
USER_ID = "U0FAKEUSR"
CHANNEL_ID = "C0FAKECHN"
BOT_TOKEN = "xoxb-1-fake-bot-token"
APP_TOKEN = "xapp-1-A0FAKEAPP-1-fake-app-token"
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "fake-client-secret"
BOT_SCOPES = "commands,chat:write,im:write,im:history,users:read,team:read,files:write"
TRIGGER_ID = "13345224609.738474920.8088930838d88f008e0"

# How long the wait_for_* helpers wait for what a test expects before failing (they return as soon as it is
# there): the first chart drawn in a test process imports matplotlib, seconds on a busy machine.
WAIT = 10.0

_JSON_FIELDS = ("blocks", "attachments", "view", "files", "metadata", "unfurls", "user_auth_blocks")
_JSON_TYPE = "application/json"


# ---------------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True)
class ApiCall:
    """One request the fake received: `method, args, token` plus what it answered."""

    method: str
    args: dict[str, Any]
    token: str | None
    status: int = 200
    error: str | None = None
    at: float = 0.0  # time.monotonic() when the request arrived


@dataclass(frozen=True)
class SocketAck:
    """A Socket Mode acknowledgement: `{"envelope_id": ..., "payload"?: ...}` sent back by the client."""

    envelope_id: str
    payload: dict[str, Any] | None
    latency: float  # seconds between the fake sending the envelope and receiving the ack
    received_at: float


@dataclass(frozen=True)
class FakeWorkspace:
    """A workspace the fake knows; tokens issued by oauth.v2.access belong to one."""

    team_id: str = TEAM_ID
    team_name: str = TEAM_NAME
    domain: str = TEAM_DOMAIN
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    bot_user_id: str = BOT_USER_ID
    bot_id: str = BOT_ID


@dataclass
class _Fault:
    error: str | None
    status: int
    retry_after: int | None
    remaining: int


@dataclass
class _OAuthGrant:
    workspace: FakeWorkspace
    installer_id: str
    user_scopes: str | None
    is_enterprise_install: bool


def _fault_error(fault: _Fault) -> str:
    return fault.error or ("ratelimited" if fault.status == 429 else "internal_error")


class _ApiError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


# ---------------------------------------------------------------------------------------------------
# Block Kit checks: only limits Slack really enforces, so a failure here is a failure in production.


def _text_errors(obj: Any, pointer: str, *, max_len: int, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        return [f"must be a text object [json-pointer:{pointer}]"]
    if plain_only and obj.get("type") != "plain_text":
        return [f"must be plain_text [json-pointer:{pointer}/type]"]
    if obj.get("type") not in ("plain_text", "mrkdwn"):
        return [f"must be one of plain_text, mrkdwn [json-pointer:{pointer}/type]"]
    if len(obj["text"]) > max_len:
        return [f"must be less than {max_len + 1} characters [json-pointer:{pointer}/text]"]
    return []


def _length_errors(value: Any, pointer: str, max_len: int) -> list[str]:
    if value is not None and len(str(value)) > max_len:
        return [f"must be less than {max_len + 1} characters [json-pointer:{pointer}]"]
    return []


_OPTION_LIMITS = {"static_select": 100, "multi_static_select": 100, "radio_buttons": 10, "checkboxes": 10}


def _element_errors(element: Any, pointer: str) -> list[str]:
    if not isinstance(element, dict) or "type" not in element:
        return [f"missing required field: type [json-pointer:{pointer}]"]
    errors = _length_errors(element.get("action_id"), f"{pointer}/action_id", 255)
    kind = element["type"]
    if kind == "button":
        errors += _text_errors(element.get("text"), f"{pointer}/text", max_len=75, plain_only=True)
        errors += _length_errors(element.get("value"), f"{pointer}/value", 2000)
        if element.get("style") not in (None, "primary", "danger"):
            errors.append(f"must be one of primary, danger [json-pointer:{pointer}/style]")
    elif kind in _OPTION_LIMITS:
        options = element.get("options")
        if not isinstance(options, list) or not options:
            errors.append(f"must provide options [json-pointer:{pointer}/options]")
        else:
            if len(options) > _OPTION_LIMITS[kind]:
                errors.append(f"must contain at most {_OPTION_LIMITS[kind]} items [json-pointer:{pointer}/options]")
            for j, option in enumerate(options):
                opt = f"{pointer}/options/{j}"
                plain = kind in ("static_select", "multi_static_select")
                errors += _text_errors(option.get("text") if isinstance(option, dict) else None,
                                       f"{opt}/text", max_len=75, plain_only=plain)
                errors += _length_errors(option.get("value") if isinstance(option, dict) else None,
                                         f"{opt}/value", 150)
            initial = element.get("initial_options")
            if initial is not None and (not isinstance(initial, list)
                                        or any(option not in options for option in initial)):
                errors.append(f"initial options must be among the options [json-pointer:{pointer}/initial_options]")
    return errors


_IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif")  # the Slack files an image block can show


def _image_errors(block: dict[str, Any], at: str) -> list[str]:
    """An image block: alt_text (<= 2000), and either image_url (<= 3000) or slack_file ({"id"} or {"url"},
    not both); whether a slack_file can be shown is checked against the fake's files (`slack_file_errors`)."""
    errors: list[str] = []
    alt = block.get("alt_text")
    if not isinstance(alt, str) or not alt:
        errors.append(f"missing required field: alt_text [json-pointer:{at}]")
    else:
        errors += _length_errors(alt, f"{at}/alt_text", 2000)
    if "title" in block:
        errors += _text_errors(block["title"], f"{at}/title", max_len=2000, plain_only=True)
    has_url, source = "image_url" in block, block.get("slack_file")
    if has_url == (source is not None):
        errors.append(f"must provide exactly one of image_url, slack_file [json-pointer:{at}]")
    elif has_url:
        errors += _length_errors(block["image_url"], f"{at}/image_url", 3000)
    elif not isinstance(source, dict) or ("id" in source) == ("url" in source):
        errors.append(f"invalid slack file [json-pointer:{at}/slack_file]")
    return errors


def block_errors(blocks: Any, *, max_blocks: int, pointer: str = "/blocks") -> list[str]:
    """Slack-style error strings for `blocks` (empty when valid)."""
    if not isinstance(blocks, list):
        return [f"must be an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"must contain at most {max_blocks} items [json-pointer:{pointer}]")
    block_ids: set[str] = set()
    for i, block in enumerate(blocks):
        at = f"{pointer}/{i}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{at}]")
            continue
        block_id = block.get("block_id")
        if block_id is not None:
            errors += _length_errors(block_id, f"{at}/block_id", 255)
            if block_id in block_ids:
                errors.append(f"duplicate block_id [json-pointer:{at}/block_id]")
            block_ids.add(block_id)
        kind = block["type"]
        if kind == "section":
            if "text" not in block and "fields" not in block:
                errors.append(f"must provide text or fields [json-pointer:{at}]")
            if "text" in block:
                errors += _text_errors(block["text"], f"{at}/text", max_len=3000)
            for j, item in enumerate(block.get("fields") or []):
                errors += _text_errors(item, f"{at}/fields/{j}", max_len=2000)
            if len(block.get("fields") or []) > 10:
                errors.append(f"must contain at most 10 items [json-pointer:{at}/fields]")
            if "accessory" in block:
                errors += _element_errors(block["accessory"], f"{at}/accessory")
        elif kind == "header":
            errors += _text_errors(block.get("text"), f"{at}/text", max_len=150, plain_only=True)
        elif kind in ("actions", "context"):
            elements = block.get("elements")
            limit = 25 if kind == "actions" else 10
            if not isinstance(elements, list) or not elements:
                errors.append(f"must provide elements [json-pointer:{at}/elements]")
                continue
            if len(elements) > limit:
                errors.append(f"must contain at most {limit} items [json-pointer:{at}/elements]")
            action_ids: set[str] = set()
            for j, element in enumerate(elements):
                if kind == "actions":
                    errors += _element_errors(element, f"{at}/elements/{j}")
                    action_id = element.get("action_id") if isinstance(element, dict) else None
                    if action_id is not None:
                        if action_id in action_ids:
                            errors.append(f"duplicate action_id [json-pointer:{at}/elements/{j}/action_id]")
                        action_ids.add(str(action_id))
        elif kind == "input":
            errors += _text_errors(block.get("label"), f"{at}/label", max_len=2000, plain_only=True)
            if "element" not in block:
                errors.append(f"missing required field: element [json-pointer:{at}]")
            else:
                errors += _element_errors(block["element"], f"{at}/element")
        elif kind == "image":
            errors += _image_errors(block, at)
        elif kind not in ("divider", "rich_text", "file", "video", "markdown", "table"):
            errors.append(f"unsupported block type {kind!r} [json-pointer:{at}/type]")
    return errors


def view_errors(view: Any, *, expected_type: str) -> list[str]:
    """Slack-style error strings for a modal or App Home view (empty when valid)."""
    if not isinstance(view, dict):
        return ["must be an object [json-pointer:/view]"]
    if view.get("type") != expected_type:
        return [f"must be {expected_type} [json-pointer:/view/type]"]
    errors = block_errors(view.get("blocks"), max_blocks=100, pointer="/view/blocks")
    errors += _length_errors(view.get("private_metadata"), "/view/private_metadata", 3000)
    errors += _length_errors(view.get("callback_id"), "/view/callback_id", 255)
    errors += _length_errors(view.get("external_id"), "/view/external_id", 255)
    if expected_type == "modal":
        errors += _text_errors(view.get("title"), "/view/title", max_len=24, plain_only=True)
        for name in ("submit", "close"):
            if name in view:
                errors += _text_errors(view[name], f"/view/{name}", max_len=24, plain_only=True)
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and "submit" not in view:
            errors.append("must provide submit when the view has input blocks [json-pointer:/view/submit]")
    return errors


# ---------------------------------------------------------------------------------------------------
# the fake server


class FakeSlackApi:
    """Fake Slack Web API + Socket Mode on 127.0.0.1 (random port). Use as `async with FakeSlackApi() as fake`."""

    def __init__(
        self,
        *,
        workspace: FakeWorkspace | None = None,
        app_id: str = API_APP_ID,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        bot_scopes: str = BOT_SCOPES,
        strict_blocks: bool = True,
    ) -> None:
        self.workspace = workspace or FakeWorkspace()
        self.app_id = app_id
        self.client_id = client_id
        self.client_secret = client_secret
        self.bot_scopes = bot_scopes
        self.strict_blocks = strict_blocks

        self.calls: list[ApiCall] = []
        self.messages: list[dict[str, Any]] = []  # current channel messages (chat.update/delete applied)
        self.ephemerals: list[dict[str, Any]] = []
        self.views: dict[str, dict[str, Any]] = {}  # view_id -> modal view
        self.home_views: dict[str, dict[str, Any]] = {}  # user_id -> published App Home view
        self.files: dict[str, dict[str, Any]] = {}  # file_id -> {"name", "length", "content", "channels", ...}
        self.deleted_files: dict[str, dict[str, Any]] = {}  # file_id -> the record, as it was, per files.delete
        self.responses: list[tuple[str, dict[str, Any]]] = []  # (key, JSON body) posted to a response_url
        self.users: dict[str, dict[str, Any]] = {}  # user_id -> overrides for users.info (e.g. {"tz": ...})
        self.revoked_tokens: set[str] = set()
        self.pins: list[tuple[str, str]] = []  # (channel, message ts) per pins.add
        self.conversations_open_counts: Counter[str] = Counter()  # user_id -> conversations.open calls

        self.acks: list[SocketAck] = []
        self.envelopes: dict[str, dict[str, Any]] = {}  # envelope_id -> envelope sent
        self.socket_connections = 0  # websocket connections ever accepted

        self._faults: dict[str, deque[_Fault]] = {}
        self._dm_channels: dict[str, str] = {}
        self._tokens: dict[str, FakeWorkspace] = {}
        self._oauth_codes: dict[str, _OAuthGrant] = {}
        self._used_trigger_ids: set[str] = set()
        self._tickets: set[str] = set()
        self._sent_at: dict[str, float] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._ids = itertools.count(1)
        self._epoch = int(time.time())
        self._cond = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self._url: str | None = None

    # ---- lifecycle

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>` (only while running)."""
        if self._url is None:
            raise RuntimeError("FakeSlackApi is not running; use `async with FakeSlackApi() as fake`")
        return self._url

    @property
    def api_url(self) -> str:
        """Pass as `AsyncWebClient(base_url=...)`."""
        return self.url + "/api/"

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.add_routes(
            [
                web.route("*", "/api/{method}", self._handle_api),
                web.post("/upload/v1/{file_id}", self._handle_upload),
                web.post("/hooks/{key}", self._handle_response_url),
                web.get("/socket-mode", self._handle_socket),
            ]
        )
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self._url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close_sockets()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._url = None

    # ---- knobs

    def fail_next(
        self,
        method: str,
        error: str | None = None,
        status: int = 200,
        retry_after: int | None = None,
        *,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls to `method` fail.

        status 429 → `{"ok": false, "error": "ratelimited"}` with a `Retry-After` header (default 1 s);
        status 200 → `{"ok": false, "error": error}`; any other status → that status with a JSON error
        body (`internal_error` unless given). Use method "upload" for the file upload URL.
        """
        if status == 200 and error is None:
            raise ValueError("a status-200 failure needs an error code, e.g. 'channel_not_found'")
        fault = _Fault(error=error, status=status, retry_after=retry_after, remaining=times)
        self._faults.setdefault(method, deque()).append(fault)

    def issue_oauth_code(
        self,
        workspace: FakeWorkspace | None = None,
        *,
        installer_id: str = USER_ID,
        user_scopes: str | None = None,
        is_enterprise_install: bool = False,
    ) -> str:
        """A single-use code that oauth.v2.access exchanges for a bot token in `workspace`."""
        code = f"fake-code-{next(self._ids)}"
        self._oauth_codes[code] = _OAuthGrant(workspace or self.workspace, installer_id, user_scopes,
                                              is_enterprise_install)
        return code

    def response_url(self, key: str = "default") -> str:
        """A response_url served by the fake; bodies posted to it land in `responses`."""
        return f"{self.url}/hooks/{key}"

    def dm_channel_for(self, user_id: str) -> str:
        """The stable DM channel id conversations.open returns for `user_id`."""
        if user_id not in self._dm_channels:
            self._dm_channels[user_id] = f"D0FAKE{len(self._dm_channels) + 1:04d}"
        return self._dm_channels[user_id]

    # ---- inspection

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == channel]

    async def wait_for_calls(self, method: str, *, count: int = 1, within: float = WAIT) -> list[ApiCall]:
        """Wait until `count` calls to `method` were recorded; returns them all."""
        try:
            await self._wait(lambda: len(self.calls_to(method)) >= count, within)
        except TimeoutError:
            seen = [c.method for c in self.calls]
            raise AssertionError(f"expected {count} {method} call(s) within {within}s; saw {seen}") from None
        return self.calls_to(method)

    async def wait_for_responses(self, *, count: int = 1, within: float = WAIT) -> list[tuple[str, dict[str, Any]]]:
        """Wait until `count` bodies were posted to response_urls."""
        try:
            await self._wait(lambda: len(self.responses) >= count, within)
        except TimeoutError:
            raise AssertionError(f"expected {count} response_url post(s) within {within}s") from None
        return self.responses

    async def wait_for_ack(self, envelope_id: str, *, within: float = WAIT) -> SocketAck:
        try:
            await self._wait(lambda: any(a.envelope_id == envelope_id for a in self.acks), within)
        except TimeoutError:
            raise AssertionError(f"envelope {envelope_id} was not acknowledged within {within}s") from None
        return next(a for a in self.acks if a.envelope_id == envelope_id)

    async def wait_for_socket(self, *, connections: int = 1, within: float = WAIT) -> None:
        """Wait until a Socket Mode client is connected (and was sent `hello`), and at least `connections`
        connections were ever accepted (use 2 to wait for a reconnect)."""
        try:
            await self._wait(
                lambda: self.socket_connections >= connections and any(not ws.closed for ws in self._sockets),
                within,
            )
        except TimeoutError:
            raise AssertionError(f"no Socket Mode connection #{connections} within {within}s") from None

    async def _wait(self, predicate: Callable[[], bool], within: float) -> None:
        async with asyncio.timeout(within), self._cond:
            await self._cond.wait_for(predicate)

    async def _changed(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    # ---- Socket Mode

    async def push_envelope(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
        within: float = WAIT,
    ) -> str:
        """Send an envelope ("slash_commands" | "interactive" | "events_api") to the connected client."""
        await self.wait_for_socket(within=within)
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive" and payload.get("type") in ("view_submission", "block_suggestion")
            )
        envelope_id = f"fake-envelope-{next(self._ids)}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        socket = next(ws for ws in reversed(self._sockets) if not ws.closed)
        self.envelopes[envelope_id] = envelope
        self._sent_at[envelope_id] = time.monotonic()
        await socket.send_json(envelope)
        return envelope_id

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """What Slack sends before rotating a connection; the client should reconnect."""
        for ws in list(self._sockets):
            if not ws.closed:
                await ws.send_json({"type": "disconnect", "reason": reason,
                                    "debug_info": {"host": "fake-slack"}})

    async def close_sockets(self) -> None:
        for ws in list(self._sockets):
            await ws.close()

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        if request.query.get("ticket") not in self._tickets:
            return web.json_response({"ok": False, "error": "invalid_ticket"}, status=401)
        ws = web.WebSocketResponse()  # autoping answers the client's pings
        await ws.prepare(request)
        self.socket_connections += 1
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": sum(1 for s in self._sockets if not s.closed),
                "debug_info": {"host": "fake-slack", "build_number": 1, "approximate_connection_time": 18060},
                "connection_info": {"app_id": self.app_id},
            }
        )
        await self._changed()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                envelope_id = data.get("envelope_id") if isinstance(data, dict) else None
                if envelope_id:
                    now = time.monotonic()
                    latency = now - self._sent_at.get(envelope_id, now)
                    self.acks.append(SocketAck(envelope_id, data.get("payload"), latency, now))
                    await self._changed()
        finally:
            self._sockets.remove(ws)
            await self._changed()
        return ws

    # ---- HTTP plumbing

    async def _handle_upload(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        content = await request.read()
        started = time.monotonic()
        fault = self._take_fault("upload")
        if fault is not None:
            self._record("upload", {"file_id": file_id, "length": len(content)}, None, fault.status,
                         _fault_error(fault), started)
            await self._changed()
            return self._fault_response(fault)
        record = self.files.get(file_id)
        if record is None:
            self._record("upload", {"file_id": file_id}, None, 404, "file_not_found", started)
            await self._changed()
            return web.Response(status=404, text="file_not_found", content_type="text/plain")
        record["content"] = content
        self._record("upload", {"file_id": file_id, "length": len(content)}, None, 200, None, started)
        await self._changed()
        return web.Response(text=f"OK - {len(content)}", content_type="text/plain")

    async def _handle_response_url(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.responses.append((request.match_info["key"], body))
        await self._changed()
        return web.Response(text="ok", content_type="text/plain")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        method = request.match_info["method"]
        args = await _read_args(request)
        token, basic = _credentials(request, args)
        status, headers, body = 200, {}, {}
        fault = self._take_fault(method)
        if fault is not None:
            self._record(method, args, token, fault.status, _fault_error(fault), started)
            await self._changed()
            return self._fault_response(fault)
        try:
            handler = _HANDLERS.get(method)
            if handler is None:
                raise _ApiError("unknown_method")
            workspace = self._authenticate(method, token, basic, args)
            body = {"ok": True, **handler(self, args, token, workspace)}
            if token and token.startswith("xoxb-"):
                headers["x-oauth-scopes"] = self.bot_scopes
        except _ApiError as exc:
            body = {"ok": False, "error": exc.error, **exc.extra}
        self._record(method, args, token, status, None if body["ok"] else body["error"], started)
        await self._changed()
        return web.json_response(body, status=status, headers=headers)

    def _record(self, method: str, args: dict[str, Any], token: str | None, status: int, error: str | None,
                started: float) -> None:
        self.calls.append(ApiCall(method, args, token, status, error, started))

    def _take_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.remaining -= 1
        if fault.remaining <= 0:
            queue.popleft()
        return fault

    @staticmethod
    def _fault_response(fault: _Fault) -> web.Response:
        headers: dict[str, str] = {}
        if fault.retry_after is not None or fault.status == 429:
            headers["Retry-After"] = str(fault.retry_after if fault.retry_after is not None else 1)
        return web.json_response({"ok": False, "error": _fault_error(fault)}, status=fault.status, headers=headers)

    def _authenticate(self, method: str, token: str | None, basic: tuple[str, str] | None,
                      args: dict[str, Any]) -> FakeWorkspace:
        if method == "oauth.v2.access":
            client_id, client_secret = basic or (args.get("client_id"), args.get("client_secret"))
            if client_id != self.client_id:
                raise _ApiError("invalid_client_id")
            if client_secret != self.client_secret:
                raise _ApiError("bad_client_secret")
            return self.workspace
        if not token:
            raise _ApiError("not_authed")
        if token in self.revoked_tokens:
            raise _ApiError("token_revoked")
        if method == "apps.connections.open":
            if not token.startswith("xapp-"):
                raise _ApiError("not_allowed_token_type")
            return self.workspace
        if token.startswith("xapp-"):
            raise _ApiError("not_allowed_token_type")
        if not token.startswith(("xoxb-", "xoxp-")):
            raise _ApiError("invalid_auth")
        return self._tokens.get(token, self.workspace)

    # ---- ids

    def _ts(self) -> str:
        return f"{self._epoch}.{next(self._ids):06d}"

    def _channel_id(self, channel: Any) -> str:
        if not channel:
            raise _ApiError("channel_not_found")
        channel_id = str(channel)
        if channel_id.startswith(("U", "W")):  # posting to a user id lands in the app's DM with them
            return self.dm_channel_for(channel_id)
        return channel_id

    # ---- Web API methods

    def _auth_revoke(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        """The calling token stops working (what an app does with a token it must not keep)."""
        assert token is not None
        self.revoked_tokens.add(token)
        return {"revoked": True}

    def _auth_test(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        is_bot = bool(token and token.startswith("xoxb-"))
        body: dict[str, Any] = {
            "url": f"https://{ws.domain}.slack.com/",
            "team": ws.team_name,
            "user": "boundarybot" if is_bot else "installer",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id if is_bot else USER_ID,
            "is_enterprise_install": False,
        }
        if is_bot:
            body["bot_id"] = ws.bot_id
        if ws.enterprise_id:
            body["enterprise_id"] = ws.enterprise_id
        return body

    def _message(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        text, blocks, attachments = args.get("text"), args.get("blocks"), args.get("attachments")
        if not text and not blocks and not attachments:
            raise _ApiError("no_text")
        if text and len(str(text)) > 40000:
            raise _ApiError("msg_too_long")
        if blocks is not None and self.strict_blocks:
            errors = block_errors(blocks, max_blocks=50) or self.slack_file_errors(blocks, token, ws)
            if errors:
                raise _ApiError("invalid_blocks", errors=errors,
                                response_metadata={"messages": [f"[ERROR] {e}" for e in errors]})
        message: dict[str, Any] = {"type": "message", "text": text or "", "user": ws.bot_user_id,
                                   "bot_id": ws.bot_id, "app_id": self.app_id, "team": ws.team_id}
        if blocks is not None:
            message["blocks"] = blocks
        if attachments is not None:
            message["attachments"] = attachments
        if args.get("thread_ts"):
            message["thread_ts"] = str(args["thread_ts"])
        if args.get("metadata"):
            message["metadata"] = args["metadata"]
        return message

    def _chat_post_message(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        channel = self._channel_id(args.get("channel"))
        message = self._message(args, token, ws)
        message["ts"] = self._ts()
        self.messages.append({"channel": channel, **message})
        return {"channel": channel, "ts": message["ts"], "message": message}

    def _chat_post_ephemeral(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        channel = self._channel_id(args.get("channel"))
        if not args.get("user"):
            raise _ApiError("user_not_found")
        message = self._message(args, token, ws)
        ts = self._ts()
        self.ephemerals.append({"channel": channel, "user": args["user"], "ts": ts, **message})
        return {"message_ts": ts}

    def _find_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel_id(args.get("channel"))
        for message in self.messages:
            if message["channel"] == channel and message["ts"] == str(args.get("ts")):
                return message
        raise _ApiError("message_not_found")

    def _chat_update(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        stored = self._find_message(args)
        updated = self._message(args, token, ws)
        for key in ("blocks", "attachments"):
            if key not in updated:
                stored.pop(key, None)
        stored.update({k: v for k, v in updated.items() if k != "thread_ts"})
        message = {k: v for k, v in stored.items() if k != "channel"}
        return {"channel": stored["channel"], "ts": stored["ts"], "text": stored["text"], "message": message}

    def _chat_delete(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        stored = self._find_message(args)
        if _is_bot(token) and stored.get("user") != ws.bot_user_id:
            raise _ApiError("cant_delete_message")  # a bot token deletes only the bot's own messages
        self.messages.remove(stored)
        return {"channel": stored["channel"], "ts": stored["ts"]}

    def user_wrote(self, channel: str, text: str, user_id: str = USER_ID) -> str:
        """A person's own message in a conversation (e.g. typed in the app's DM), kept in its history."""
        ts = self._ts()
        self.messages.append({"channel": channel, "type": "message", "text": text, "user": user_id, "ts": ts})
        return ts

    def _conversations_history(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        """Newest first, `limit` (≤ 999) a page, between `oldest` and `latest` (`inclusive` takes the bounds in);
        the cursor is opaque to callers (here: the ts the next page starts below). Message metadata is only
        returned with `include_all_metadata`, as on Slack."""
        channel = self._channel_id(args.get("channel"))
        limit = max(1, min(int(args.get("limit") or 100), 999))
        inclusive = str(args.get("inclusive") or "").lower() in ("1", "true")
        latest, oldest, cursor = args.get("latest"), args.get("oldest"), args.get("cursor")

        def ts_key(ts: Any) -> tuple[int, int]:
            whole, _, part = str(ts).partition(".")
            return int(whole), int(part or 0)

        found = sorted((m for m in self.messages if m["channel"] == channel), key=lambda m: ts_key(m["ts"]),
                       reverse=True)
        if latest:
            found = [m for m in found if ts_key(m["ts"]) < ts_key(latest)
                     or (inclusive and ts_key(m["ts"]) == ts_key(latest))]
        if oldest:
            found = [m for m in found if ts_key(m["ts"]) > ts_key(oldest)
                     or (inclusive and ts_key(m["ts"]) == ts_key(oldest))]
        if cursor:
            found = [m for m in found if ts_key(m["ts"]) < ts_key(cursor)]
        page = found[:limit]
        more = len(found) > limit
        with_metadata = str(args.get("include_all_metadata")).lower() in ("1", "true")
        return {"messages": [{k: v for k, v in m.items() if k != "channel" and (with_metadata or k != "metadata")}
                             for m in page], "has_more": more,
                "response_metadata": {"next_cursor": page[-1]["ts"] if more else ""}}

    def _pins_add(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        stored = self._find_message({"channel": args.get("channel"), "ts": args.get("timestamp")})
        pin = (stored["channel"], stored["ts"])
        if pin in self.pins:
            raise _ApiError("already_pinned")
        self.pins.append(pin)
        return {}

    def _conversations_open(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        if args.get("channel"):
            return {"channel": {"id": str(args["channel"])}}
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise _ApiError("users_list_not_supplied")
        if any(not u.startswith(("U", "W")) for u in users):
            raise _ApiError("user_not_found")
        for user in users:
            self.conversations_open_counts[user] += 1
        if len(users) > 1:
            channel_id = "G0FAKE" + hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:6].upper()
            return {"channel": {"id": channel_id}}
        already_open = users[0] in self._dm_channels
        channel: dict[str, Any] = {"id": self.dm_channel_for(users[0])}
        if str(args.get("return_im")) in ("1", "true", "True"):
            channel.update({"is_im": True, "user": users[0], "is_open": True, "created": self._epoch})
        return {"no_op": already_open, "already_open": already_open, "channel": channel}

    def _new_view(self, view: dict[str, Any], ws: FakeWorkspace, *, root: str | None = None,
                  previous: str | None = None) -> dict[str, Any]:
        view_id = f"V0FAKE{next(self._ids):04d}"
        return {
            "id": view_id,
            "team_id": ws.team_id,
            "type": view.get("type"),
            "title": view.get("title"),
            "submit": view.get("submit"),
            "close": view.get("close"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": f"{self._epoch}.{next(self._ids)}",
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": root or view_id,
            "previous_view_id": previous,
            "app_id": self.app_id,
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
        }

    def _check_view(self, view: Any, expected_type: str, token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        errors = view_errors(view, expected_type=expected_type) if self.strict_blocks else []
        if not errors and self.strict_blocks and isinstance(view, dict):
            errors = self.slack_file_errors(view.get("blocks"), token, ws, pointer="/view/blocks")
        if not isinstance(view, dict) or errors:
            raise _ApiError("invalid_arguments", response_metadata={"messages": [f"[ERROR] {e}" for e in errors]})
        return view

    def _use_trigger(self, args: dict[str, Any]) -> None:
        trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
        if not trigger_id:
            raise _ApiError("invalid_arguments",
                            response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]})
        if trigger_id in self._used_trigger_ids:
            raise _ApiError("trigger_exchanged")
        self._used_trigger_ids.add(str(trigger_id))

    def _views_open(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        view = self._check_view(args.get("view"), "modal", token, ws)
        self._use_trigger(args)
        stored = self._new_view(view, ws)
        self.views[stored["id"]] = stored
        return {"view": stored}

    def _views_push(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        view = self._check_view(args.get("view"), "modal", token, ws)
        self._use_trigger(args)
        stored = self._new_view(view, ws)
        self.views[stored["id"]] = stored
        return {"view": stored}

    def _views_update(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        view = self._check_view(args.get("view"), "modal", token, ws)
        current = self.views.get(str(args.get("view_id")))
        if current is None and args.get("external_id"):
            current = next((v for v in self.views.values() if v["external_id"] == args["external_id"]), None)
        if current is None:
            raise _ApiError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        stored = self._new_view(view, ws, root=current["root_view_id"], previous=current["previous_view_id"])
        stored["id"] = current["id"]
        self.views[current["id"]] = stored
        return {"view": stored}

    def _views_publish(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        user_id = args.get("user_id")
        if not user_id or not str(user_id).startswith(("U", "W")):
            raise _ApiError("invalid_arguments", response_metadata={"messages": ["[ERROR] invalid user_id"]})
        view = self._check_view(args.get("view"), "home", token, ws)
        current = self.home_views.get(str(user_id))
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            raise _ApiError("hash_conflict")
        stored = self._new_view(view, ws)
        if current is not None:
            stored["id"] = current["id"]
        self.home_views[str(user_id)] = stored
        return {"view": stored}

    def _users_info(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        user_id = str(args.get("user") or "")
        if not user_id.startswith(("U", "W")):
            raise _ApiError("user_not_found")
        name = user_id.lower()
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": ws.team_id,
            "name": name,
            "deleted": False,
            "real_name": f"Person {user_id}",
            "tz": "Europe/Berlin",
            "tz_label": "Central European Time",
            "tz_offset": 3600,
            "is_bot": user_id == ws.bot_user_id,
            "is_admin": False,
            "is_app_user": False,
            "updated": self._epoch,
            "profile": {"real_name": f"Person {user_id}", "display_name": name, "team": ws.team_id},
        }
        user.update(self.users.get(user_id, {}))
        if str(args.get("include_locale")) in ("1", "true", "True"):
            user.setdefault("locale", "en-US")
        return {"user": user}

    def _chat_get_permalink(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        channel, ts = str(args.get("channel") or ""), str(args.get("message_ts") or "")
        if not any(str(message.get("ts")) == ts for message in self.messages_in(channel)):
            raise _ApiError("message_not_found")
        permalink = f"https://{ws.domain}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": permalink}

    def _team_info(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        team: dict[str, Any] = {
            "id": ws.team_id,
            "name": ws.team_name,
            "domain": ws.domain,
            "email_domain": "",
            "icon": {"image_default": True},
        }
        if ws.enterprise_id:
            team.update({"enterprise_id": ws.enterprise_id, "enterprise_name": ws.enterprise_name})
        return {"team": team}

    def _files_get_upload_url(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        filename, length = args.get("filename"), args.get("length")
        if not filename or length is None or not str(length).isdigit():
            raise _ApiError("invalid_arguments")
        file_id = f"F0FAKE{next(self._ids):04d}"
        self.files[file_id] = {"id": file_id, "name": str(filename), "length": int(length), "content": None,
                               "alt_txt": args.get("alt_txt"), "channels": [], "completed": False,
                               "team": ws.team_id, "user": ws.bot_user_id if _is_bot(token) else USER_ID}
        return {"upload_url": f"{self.url}/upload/v1/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            raise _ApiError("invalid_arguments")
        channels = [c for c in str(args.get("channels") or args.get("channel_id") or "").split(",") if c]
        shared = []
        for item in items:
            record = self.files.get(str(item.get("id")))
            if record is None or record["content"] is None:
                raise _ApiError("file_not_found")
            record.update({"title": item.get("title") or record["name"], "channels": channels, "completed": True,
                           "initial_comment": args.get("initial_comment"), "thread_ts": args.get("thread_ts")})
            shared.append(
                {
                    "id": record["id"],
                    "name": record["name"],
                    "title": record["title"],
                    "mimetype": "image/png" if record["name"].endswith(".png") else "application/octet-stream",
                    "size": len(record["content"]),
                    "user": ws.bot_user_id,
                    "url_private": f"https://files.slack.com/files-pri/{ws.team_id}-{record['id']}/{record['name']}",
                    "permalink": f"https://{ws.domain}.slack.com/files/{ws.bot_user_id}/{record['id']}/{record['name']}",
                    "channels": [c for c in channels if c.startswith("C")],
                    "ims": [c for c in channels if c.startswith("D")],
                    "groups": [c for c in channels if c.startswith("G")],
                }
            )
        return {"files": shared}

    def _files_delete(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        """Deletes a file: file_not_found (missing, or not visible to the caller), file_deleted (already gone),
        cant_delete_file (someone else's file in the same workspace)."""
        file_id = str(args.get("file") or "")
        if file_id in self.deleted_files and self.deleted_files[file_id]["team"] == ws.team_id:
            raise _ApiError("file_deleted")
        record = self.files.get(file_id)
        if record is None or record["team"] != ws.team_id:
            raise _ApiError("file_not_found")
        if record["user"] != (ws.bot_user_id if _is_bot(token) else USER_ID):
            raise _ApiError("cant_delete_file")
        self.deleted_files[file_id] = self.files.pop(file_id)
        return {}

    def slack_file_errors(self, blocks: Any, token: str | None, ws: FakeWorkspace, *,
                          pointer: str = "/blocks") -> list[str]:
        """Image blocks' slack_file: the file must exist (not deleted), be a finished upload of a png, jpg,
        jpeg or gif, and be visible to whoever posts the blocks (their own upload, or shared in a channel)."""
        errors: list[str] = []
        poster = ws.bot_user_id if _is_bot(token) else USER_ID
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            source = block.get("slack_file") if isinstance(block, dict) and block.get("type") == "image" else None
            if not isinstance(source, dict):
                continue
            if "id" in source:
                record = self.files.get(str(source["id"]))
            else:
                record = next((f for f in self.files.values() if source.get("url") in self._file_urls(f)), None)
            usable = record is not None and record["completed"] and record["team"] == ws.team_id \
                and record["name"].lower().endswith(_IMAGE_TYPES) and (record["user"] == poster or record["channels"])
            if not usable:
                errors.append(f"invalid slack file [json-pointer:{pointer}/{i}/slack_file]")
        return errors

    def _file_urls(self, record: dict[str, Any]) -> tuple[str, str]:
        workspace = next((w for w in (self.workspace, *self._tokens.values()) if w.team_id == record["team"]),
                         self.workspace)
        return (f"https://files.slack.com/files-pri/{record['team']}-{record['id']}/{record['name']}",
                f"https://{workspace.domain}.slack.com/files/{record['user']}/{record['id']}/{record['name']}")

    def _oauth_v2_access(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        grant = self._oauth_codes.pop(str(args.get("code")), None)
        if grant is None:
            raise _ApiError("invalid_code")
        team = grant.workspace
        bot_token = f"xoxb-{team.team_id}-{next(self._ids)}-fake"
        self._tokens[bot_token] = team
        authed_user: dict[str, Any] = {"id": grant.installer_id}
        if grant.user_scopes:
            user_token = f"xoxp-{team.team_id}-{next(self._ids)}-fake"
            self._tokens[user_token] = team
            authed_user.update({"scope": grant.user_scopes, "access_token": user_token, "token_type": "user"})
        enterprise = {"id": team.enterprise_id, "name": team.enterprise_name} if team.enterprise_id else None
        return {
            "app_id": self.app_id,
            "authed_user": authed_user,
            "scope": self.bot_scopes,
            "token_type": "bot",
            "access_token": bot_token,
            "bot_user_id": team.bot_user_id,
            "team": None if grant.is_enterprise_install else {"id": team.team_id, "name": team.team_name},
            "enterprise": enterprise,
            "is_enterprise_install": grant.is_enterprise_install,
        }

    def _apps_connections_open(self, args: dict[str, Any], token: str | None, ws: FakeWorkspace) -> dict[str, Any]:
        ticket = f"fake-ticket-{next(self._ids)}"
        self._tickets.add(ticket)
        host = self.url.removeprefix("http://")
        return {"url": f"ws://{host}/socket-mode?ticket={ticket}&app_id={self.app_id}"}


_Handler = Callable[[FakeSlackApi, dict[str, Any], str | None, FakeWorkspace], dict[str, Any]]
_HANDLERS: dict[str, _Handler] = {
    "auth.test": FakeSlackApi._auth_test,
    "auth.revoke": FakeSlackApi._auth_revoke,
    "chat.postMessage": FakeSlackApi._chat_post_message,
    "chat.postEphemeral": FakeSlackApi._chat_post_ephemeral,
    "chat.update": FakeSlackApi._chat_update,
    "chat.delete": FakeSlackApi._chat_delete,
    "chat.getPermalink": FakeSlackApi._chat_get_permalink,
    "pins.add": FakeSlackApi._pins_add,
    "conversations.open": FakeSlackApi._conversations_open,
    "conversations.history": FakeSlackApi._conversations_history,
    "views.open": FakeSlackApi._views_open,
    "views.push": FakeSlackApi._views_push,
    "views.update": FakeSlackApi._views_update,
    "views.publish": FakeSlackApi._views_publish,
    "users.info": FakeSlackApi._users_info,
    "team.info": FakeSlackApi._team_info,
    "files.getUploadURLExternal": FakeSlackApi._files_get_upload_url,
    "files.completeUploadExternal": FakeSlackApi._files_complete_upload,
    "files.delete": FakeSlackApi._files_delete,
    "oauth.v2.access": FakeSlackApi._oauth_v2_access,
    "apps.connections.open": FakeSlackApi._apps_connections_open,
}


async def _read_args(request: web.Request) -> dict[str, Any]:
    """Query string and body (form, multipart or JSON) merged; JSON-valued fields decoded."""
    args: dict[str, Any] = dict(request.query)
    if request.can_read_body:
        if request.content_type == _JSON_TYPE:
            body = await request.json()
            if isinstance(body, dict):
                args.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, item in form.items():
                args[key] = item.file.read() if isinstance(item, web.FileField) else item
    for key in _JSON_FIELDS:
        value = args.get(key)
        if isinstance(value, str) and value[:1] in ("[", "{"):
            with suppress(ValueError):
                args[key] = json.loads(value)
    return args


def _is_bot(token: str | None) -> bool:
    return bool(token and token.startswith("xoxb-"))


def _credentials(request: web.Request, args: dict[str, Any]) -> tuple[str | None, tuple[str, str] | None]:
    """(bearer token, basic-auth (client_id, client_secret)); a `token` argument counts as a bearer token."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip(), None
    if header.startswith("Basic "):
        decoded = base64.b64decode(header.removeprefix("Basic ")).decode()
        client_id, _, client_secret = decoded.partition(":")
        return None, (client_id, client_secret)
    token = args.pop("token", None)
    return (str(token) if token else None), None


@asynccontextmanager
async def serve_app(app: web.Application) -> AsyncIterator[str]:
    """Run an aiohttp app (e.g. bolt's `AsyncApp.web_app()`) on 127.0.0.1; yields its base URL."""
    runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


# ---------------------------------------------------------------------------------------------------
# payloads Slack sends (pure builders; the same dicts go into signed HTTP requests and Socket Mode)


def _user(user_id: str, team_id: str) -> dict[str, Any]:
    return {"id": user_id, "username": user_id.lower(), "name": user_id.lower(), "team_id": team_id}


def slash_command(
    command: str = "/boundary",
    text: str = "",
    *,
    user_id: str = USER_ID,
    user_name: str = "alex",
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    enterprise_id: str | None = None,
    channel_id: str = CHANNEL_ID,
    channel_name: str = "general",
    trigger_id: str = TRIGGER_ID,
    response_url: str = "https://hooks.slack.com/commands/T0FAKE001/1/fake",
    api_app_id: str = API_APP_ID,
) -> dict[str, str]:
    """A slash command as Slack sends it: flat string fields (form-encoded over HTTP)."""
    payload = {
        "token": "fake-verification-token",
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name,
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }
    if enterprise_id:
        payload["enterprise_id"] = enterprise_id
    return payload


def block_actions(
    action_id: str,
    *,
    value: str | None = None,
    selected_option: dict[str, Any] | None = None,
    selected_options: list[dict[str, Any]] | None = None,
    action_type: str | None = None,
    block_id: str = "actions",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    channel_id: str | None = CHANNEL_ID,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    trigger_id: str = TRIGGER_ID,
    response_url: str = "https://hooks.slack.com/actions/T0FAKE001/1/fake",
    api_app_id: str = API_APP_ID,
) -> dict[str, Any]:
    """A click or selection. With `view`, it comes from a modal or App Home (no channel, no response_url)."""
    action: dict[str, Any] = {"action_id": action_id, "block_id": block_id, "action_ts": "1700000000.000001"}
    if selected_options is not None:
        action.update({"type": action_type or "checkboxes", "selected_options": selected_options})
    elif selected_option is not None:
        action.update({"type": action_type or "static_select", "selected_option": selected_option})
    else:
        action.update({"type": action_type or "button", "value": value,
                       "text": {"type": "plain_text", "text": value or action_id, "emoji": True}})
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": "fake-verification-token",
        "trigger_id": trigger_id,
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "enterprise": None,
        "is_enterprise_install": False,
        "state": {"values": {}},
        "actions": [action],
    }
    if view is not None:
        full_view = {"id": "V0FAKEVIEW", "team_id": team_id, "state": {"values": {}}, "hash": "1.1",
                     "private_metadata": "", "callback_id": "", "app_id": api_app_id, **view}
        payload["view"] = full_view
        payload["container"] = {"type": "view", "view_id": full_view["id"]}
    else:
        message = message or {"type": "message", "ts": "1700000000.000100", "text": "", "user": BOT_USER_ID}
        payload.update(
            {
                "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel_id,
                              "is_ephemeral": False},
                "channel": {"id": channel_id, "name": "general"},
                "message": message,
                "response_url": response_url,
            }
        )
    return payload


def text_input(value: str | None) -> dict[str, Any]:
    """state.values entry for a plain_text_input."""
    return {"type": "plain_text_input", "value": value}


def static_select(value: str, text: str | None = None) -> dict[str, Any]:
    """state.values entry for a static_select."""
    return {"type": "static_select",
            "selected_option": {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}}


def view_submission(
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    *,
    private_metadata: str = "",
    view_id: str = "V0FAKEVIEW",
    title: str = "Check-in",
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    trigger_id: str = TRIGGER_ID,
    api_app_id: str = API_APP_ID,
) -> dict[str, Any]:
    """A modal submit; `values` is `{block_id: {action_id: {"type": ..., "value"/"selected_option": ...}}}`."""
    return {
        "type": "view_submission",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": "fake-verification-token",
        "trigger_id": trigger_id,
        "view": {
            "id": view_id,
            "team_id": team_id,
            "type": "modal",
            "blocks": [],
            "private_metadata": private_metadata,
            "callback_id": callback_id,
            "state": {"values": values},
            "hash": "1700000000.fakehash",
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": {"type": "plain_text", "text": "Save", "emoji": True},
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": api_app_id,
            "external_id": "",
            "app_installed_team_id": team_id,
            "bot_id": BOT_ID,
        },
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }


def view_closed(callback_id: str, *, private_metadata: str = "", user_id: str = USER_ID,
                team_id: str = TEAM_ID) -> dict[str, Any]:
    """Sent only for modals opened with notify_on_close=true."""
    submission = view_submission(callback_id, {}, private_metadata=private_metadata, user_id=user_id,
                                 team_id=team_id)
    submission.pop("trigger_id")
    submission.pop("response_urls")
    return {**submission, "type": "view_closed", "is_cleared": False}


def global_shortcut(callback_id: str, *, user_id: str = USER_ID, team_id: str = TEAM_ID,
                    trigger_id: str = TRIGGER_ID) -> dict[str, Any]:
    return {
        "type": "shortcut",
        "token": "fake-verification-token",
        "action_ts": "1700000000.000001",
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": _user(user_id, team_id),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id,
    }


def message_shortcut(callback_id: str, *, message_text: str = "hello", message_ts: str = "1700000000.000100",
                     user_id: str = USER_ID, team_id: str = TEAM_ID, channel_id: str = CHANNEL_ID,
                     trigger_id: str = TRIGGER_ID,
                     response_url: str = "https://hooks.slack.com/app/T0FAKE001/1/fake") -> dict[str, Any]:
    return {
        **global_shortcut(callback_id, user_id=user_id, team_id=team_id, trigger_id=trigger_id),
        "type": "message_action",
        "channel": {"id": channel_id, "name": "general"},
        "response_url": response_url,
        "message_ts": message_ts,
        "message": {"type": "message", "user": user_id, "ts": message_ts, "text": message_text},
    }


def event_callback(event: dict[str, Any], *, event_id: str = "Ev0FAKE0001", event_time: int = 1700000000,
                   team_id: str = TEAM_ID, enterprise_id: str | None = None,
                   api_app_id: str = API_APP_ID, bot_user_id: str = BOT_USER_ID) -> dict[str, Any]:
    """The Events API envelope; Slack retries reuse the same event_id."""
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "enterprise_id": enterprise_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": event_time,
        "authorizations": [{"enterprise_id": enterprise_id, "team_id": team_id, "user_id": bot_user_id,
                            "is_bot": True, "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
        "event_context": f"4-fake-{event_id}",
    }


def app_home_opened(user_id: str = USER_ID, *, tab: str = "home", channel: str = "D0FAKEHOME",
                    view: dict[str, Any] | None = None, **envelope: Any) -> dict[str, Any]:
    event: dict[str, Any] = {"type": "app_home_opened", "user": user_id, "channel": channel, "tab": tab,
                             "event_ts": "1700000000.000200"}
    if view is not None:
        event["view"] = view
    return event_callback(event, **envelope)


def message_im(text: str, *, user_id: str = USER_ID, channel: str = "D0FAKEHOME", ts: str = "1700000000.000300",
               team_id: str = TEAM_ID, **envelope: Any) -> dict[str, Any]:
    event = {
        "type": "message",
        "channel": channel,
        "user": user_id,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": "im",
        "team": team_id,
        "client_msg_id": f"fake-{ts}",
        "blocks": [{"type": "rich_text", "block_id": "rt",
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}]}],
    }
    return event_callback(event, team_id=team_id, **envelope)


def url_verification(challenge: str = "fake-challenge") -> dict[str, Any]:
    return {"token": "fake-verification-token", "challenge": challenge, "type": "url_verification"}


# ---------------------------------------------------------------------------------------------------
# signed HTTP requests (what Slack POSTs to the app in HTTP mode)


class SignedRequest(NamedTuple):
    body: bytes
    headers: dict[str, str]


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """`v0=` + HMAC-SHA256 over `v0:{timestamp}:{body}`."""
    base = b"v0:" + str(timestamp).encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SlackRequests:
    """Builds signed requests for bolt's HTTP mode: `body, headers = SlackRequests(secret).command(...)`."""

    signing_secret: str
    clock: Callable[[], float] = field(default=time.time)

    def command(self, payload: Mapping[str, str], *, timestamp: int | None = None) -> SignedRequest:
        """A slash command: form-encoded fields."""
        return self._sign(urllib.parse.urlencode(payload).encode(), "application/x-www-form-urlencoded", timestamp)

    def interactive(self, payload: Mapping[str, Any], *, timestamp: int | None = None) -> SignedRequest:
        """block_actions, view_submission, shortcuts: one form field `payload` holding JSON."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self._sign(body, "application/x-www-form-urlencoded", timestamp)

    def event(self, payload: Mapping[str, Any], *, timestamp: int | None = None, retry_num: int | None = None,
              retry_reason: str = "http_timeout") -> SignedRequest:
        """An Events API callback (JSON); a retry carries X-Slack-Retry-Num/Reason."""
        signed = self._sign(json.dumps(payload).encode(), _JSON_TYPE, timestamp)
        if retry_num is not None:
            signed.headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason})
        return signed

    def forged(self, request: tuple[bytes, Mapping[str, str]]) -> SignedRequest:
        """Same body and timestamp, signed with a different secret."""
        body, headers = request
        timestamp = headers["X-Slack-Request-Timestamp"]
        forged = signature(self.signing_secret + "-forged", timestamp, body)
        return SignedRequest(body, {**headers, "X-Slack-Signature": forged})

    def stale(self, request: tuple[bytes, Mapping[str, str]], *, age: int = 600) -> SignedRequest:
        """Correctly signed, but with a timestamp `age` seconds old (Slack's window is 5 minutes)."""
        body, headers = request
        timestamp = int(self.clock()) - age
        return SignedRequest(body, {**headers, "X-Slack-Request-Timestamp": str(timestamp),
                                    "X-Slack-Signature": signature(self.signing_secret, timestamp, body)})

    def _sign(self, body: bytes, content_type: str, timestamp: int | None) -> SignedRequest:
        ts = int(self.clock()) if timestamp is None else timestamp
        return SignedRequest(
            body,
            {
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": signature(self.signing_secret, ts, body),
            },
        )


__all__ = [
    "API_APP_ID",
    "APP_TOKEN",
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "CHANNEL_ID",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "TEAM_ID",
    "TRIGGER_ID",
    "USER_ID",
    "ApiCall",
    "FakeSlackApi",
    "FakeWorkspace",
    "SignedRequest",
    "SlackRequests",
    "SocketAck",
    "app_home_opened",
    "block_actions",
    "block_errors",
    "event_callback",
    "global_shortcut",
    "message_im",
    "message_shortcut",
    "serve_app",
    "signature",
    "slash_command",
    "static_select",
    "text_input",
    "url_verification",
    "view_closed",
    "view_errors",
    "view_submission",
]
