"""A local fake Discord (REST API v10 + JSON gateway) for testing with the real, unmodified discord.py client.

Point discord.py at it, then run a normal ``discord.Client``::

    async with FakeDiscord() as fake:
        monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)
        monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
        ...  # client.start("token"); fake.slash_command(...); await fake.wait_for_callback(...)

What it does, in the shapes discord.py 2.7.1 parses (read from its source, not guessed):

* REST: the bot user, application info, global and guild command bulk overwrite, DM open, channel messages
  (JSON and multipart with files), message edit/delete, interaction callbacks (``with_response=1`` answered
  with an interaction-callback object), follow-ups and ``@original`` edits, typing. Everything else gets a 404
  JSON body naming the route and is recorded in ``unhandled``.
* Discord-side checks that matter to an adapter: 2000-character content, empty messages, component limits
  (5 rows, 5 buttons a row, ``custom_id`` of at most 100 characters and unique, labels of 80), embed limits,
  modal limits, interactions answered twice (40060) or too late (10062 after ``interaction_deadline``),
  follow-ups before an acknowledgement (10015), DMs to a user who closed them (``block_dms``: 50007).
* Faults on demand: ``fail_next(route_substring, status, ...)``. A 429 carries ``Via`` (without it discord.py
  takes a 429 for a Cloudflare ban and raises at once), a ``Retry-After`` header and the JSON body discord.py reads.
* Gateway at ``/gateway``: HELLO, HEARTBEAT/ACK, IDENTIFY -> READY (+ GUILD_CREATE per guild), RESUME with
  replay of missed events -> RESUMED, INVALID_SESSION, RECONNECT, ``zlib-stream`` compression (discord.py
  always asks for it when ``zstandard`` is not installed), sequence numbers, ``drop_connection()``.
* Users' actions as INTERACTION_CREATE / MESSAGE_CREATE: ``slash_command``, ``click_button``, ``select``,
  ``submit_modal``, ``autocomplete``, ``user_message``.

Only 127.0.0.1 is used. Nothing here imports discord.py: the fake is "Discord", the client under test is real.
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import secrets
import time
import zlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Self, TypeVar

from aiohttp import BodyPartReader, WSMsgType, web

__all__ = [
    "FakeDiscord",
    "GatewaySession",
    "InteractionCallback",
    "PushedInteraction",
    "SentFile",
    "SentMessage",
]

JsonDict = dict[str, Any]
T = TypeVar("T")

API_VERSION = 10
API_PREFIX = f"/api/v{API_VERSION}"
DISCORD_EPOCH_MS = 1_420_070_400_000
# Exactly this: discord.py's json_or_text() only parses a body whose content-type *equals* "application/json".
JSON_CONTENT_TYPE = "application/json"

# Gateway opcodes.
OP_DISPATCH = 0
OP_HEARTBEAT = 1
OP_IDENTIFY = 2
OP_PRESENCE_UPDATE = 3
OP_VOICE_STATE_UPDATE = 4
OP_RESUME = 6
OP_RECONNECT = 7
OP_REQUEST_GUILD_MEMBERS = 8
OP_INVALID_SESSION = 9
OP_HELLO = 10
OP_HEARTBEAT_ACK = 11

# Gateway intents the fake looks at.
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Interaction types, callback types, component types, contexts.
INTERACTION_PING = 1
INTERACTION_APPLICATION_COMMAND = 2
INTERACTION_MESSAGE_COMPONENT = 3
INTERACTION_AUTOCOMPLETE = 4
INTERACTION_MODAL_SUBMIT = 5

CALLBACK_PONG = 1
CALLBACK_CHANNEL_MESSAGE = 4
CALLBACK_DEFERRED_CHANNEL_MESSAGE = 5
CALLBACK_DEFERRED_UPDATE_MESSAGE = 6
CALLBACK_UPDATE_MESSAGE = 7
CALLBACK_AUTOCOMPLETE_RESULT = 8
CALLBACK_MODAL = 9
CALLBACK_LAUNCH_ACTIVITY = 12

COMPONENT_ACTION_ROW = 1
COMPONENT_BUTTON = 2
COMPONENT_STRING_SELECT = 3
COMPONENT_TEXT_INPUT = 4
COMPONENT_USER_SELECT = 5
COMPONENT_ROLE_SELECT = 6
COMPONENT_MENTIONABLE_SELECT = 7
COMPONENT_CHANNEL_SELECT = 8
COMPONENT_TEXT_DISPLAY = 10
COMPONENT_LABEL = 18
SELECT_TYPES = frozenset(
    {COMPONENT_STRING_SELECT, COMPONENT_USER_SELECT, COMPONENT_ROLE_SELECT, COMPONENT_MENTIONABLE_SELECT,
     COMPONENT_CHANNEL_SELECT}
)

CONTEXT_GUILD = 0
CONTEXT_BOT_DM = 1
CONTEXT_PRIVATE_CHANNEL = 2

CHANNEL_GUILD_TEXT = 0
CHANNEL_DM = 1
CHANNEL_PUBLIC_THREAD = 11

MESSAGE_FLAG_SUPPRESS_EMBEDS = 1 << 2
MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
MESSAGE_FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
MESSAGE_FLAG_IS_COMPONENTS_V2 = 1 << 15
SENDABLE_MESSAGE_FLAGS = (
    MESSAGE_FLAG_SUPPRESS_EMBEDS | MESSAGE_FLAG_EPHEMERAL | MESSAGE_FLAG_SUPPRESS_NOTIFICATIONS
    | MESSAGE_FLAG_IS_COMPONENTS_V2
)

# Roughly "everything a bot normally has", as the decimal strings Discord sends.
DEFAULT_APP_PERMISSIONS = "2248473465835073"
DEFAULT_MEMBER_PERMISSIONS = "2248473465835073"
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024

# Error codes Discord sends in JSON bodies (and messages worded as Discord words them).
ERROR_MESSAGES: dict[int, str] = {
    0: "General error",
    10003: "Unknown Channel",
    10008: "Unknown Message",
    10013: "Unknown User",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    10063: "Unknown application command",
    40060: "Interaction has already been acknowledged.",
    50001: "Missing Access",
    50006: "Cannot send an empty message",
    50007: "Cannot send messages to this user",
    50013: "Missing Permissions",
    50035: "Invalid Form Body",
}

_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


class _ApiError(Exception):
    """Raised inside a handler; becomes a Discord-shaped JSON error response."""

    def __init__(self, status: int, code: int, message: str | None = None, errors: JsonDict | None = None) -> None:
        self.status = status
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, "Error")
        self.errors = errors
        super().__init__(f"{status} {code} {self.message}")

    def body(self) -> JsonDict:
        body: JsonDict = {"message": self.message, "code": self.code}
        if self.errors:
            body["errors"] = self.errors
        return body


def _form_error(field_path: str, error_code: str, message: str) -> _ApiError:
    """A 400 Invalid Form Body in Discord's nested ``errors`` format (``a.0.b`` -> nested keys)."""
    errors: JsonDict = {"_errors": [{"code": error_code, "message": message}]}
    for part in reversed(field_path.split(".")):
        errors = {part: errors}
    return _ApiError(400, 50035, errors=errors)


def _iso(ts: float | None = None) -> str:
    return datetime.fromtimestamp(time.time() if ts is None else ts, UTC).isoformat()


def _snowflake_int(value: Any) -> int:
    return int(value)


# --------------------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------------------


@dataclass
class SentFile:
    """One uploaded file from a multipart request (``files[n]`` fields)."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class SentMessage:
    """A message the bot created: ``payload`` is the full message object Discord returned (kept up to date on
    edits); ``request`` is the JSON the client sent (``payload_json`` for multipart)."""

    payload: JsonDict
    request: JsonDict
    files: list[SentFile] = field(default_factory=list)
    edits: list[JsonDict] = field(default_factory=list)
    deleted: bool = False
    interaction_id: int | None = None
    visible_to: int | None = None  # set for ephemeral messages: only this user can see (and click) it

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def channel_id(self) -> int:
        return int(self.payload["channel_id"])

    @property
    def content(self) -> str:
        return str(self.payload.get("content", ""))

    @property
    def embeds(self) -> list[JsonDict]:
        return list(self.payload.get("embeds", []))

    @property
    def components(self) -> list[JsonDict]:
        return list(self.payload.get("components", []))

    @property
    def flags(self) -> int:
        return int(self.payload.get("flags", 0))

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MESSAGE_FLAG_EPHEMERAL)

    @property
    def allowed_mentions(self) -> JsonDict | None:
        value = self.request.get("allowed_mentions")
        return value if isinstance(value, dict) else None

    @property
    def attachments(self) -> list[JsonDict]:
        return list(self.payload.get("attachments", []))

    def walk_components(self) -> list[JsonDict]:
        return list(_walk_components(self.components))

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in self.walk_components() if "custom_id" in c]

    def find_component(self, custom_id: str) -> JsonDict | None:
        for component in self.walk_components():
            if component.get("custom_id") == custom_id:
                return component
        return None


@dataclass
class PushedInteraction:
    """An INTERACTION_CREATE the fake pushed; ``id`` and ``token`` find the bot's answer."""

    id: int
    token: str
    type: int
    user_id: int
    channel_id: int
    guild_id: int | None
    context: int
    payload: JsonDict
    pushed_at: float
    message_id: int | None = None

    @property
    def data(self) -> JsonDict:
        return dict(self.payload.get("data", {}))


@dataclass
class InteractionCallback:
    """What the bot POSTed to /interactions/{id}/{token}/callback."""

    interaction_id: int
    token: str
    type: int
    data: JsonDict
    files: list[SentFile] = field(default_factory=list)
    message: SentMessage | None = None  # the message created (4, 5) or updated (7) by this response

    @property
    def content(self) -> str:
        if self.message is not None:
            return self.message.content
        return str(self.data.get("content") or "")

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & MESSAGE_FLAG_EPHEMERAL)

    @property
    def components(self) -> list[JsonDict]:
        return list(self.data.get("components") or [])

    @property
    def custom_id(self) -> str | None:
        """For a modal (type 9): the modal's custom_id."""
        value = self.data.get("custom_id")
        return str(value) if value is not None else None

    @property
    def choices(self) -> list[JsonDict]:
        """For an autocomplete result (type 8)."""
        return list(self.data.get("choices") or [])


@dataclass
class _Failure:
    substring: str
    status: int
    retry_after: float | None
    json_code: int | None
    message: str | None
    method: str | None
    times: int
    global_: bool
    via: bool

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and self.substring in path


@dataclass
class _Connection:
    ws: web.WebSocketResponse
    compressor: Any | None  # zlib compress object for zlib-stream, else None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    session: GatewaySession | None = None
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class GatewaySession:
    """A gateway session (survives a dropped connection; RESUME re-attaches a new connection)."""

    session_id: str
    identify: JsonDict
    seq: int = 0
    backlog: list[JsonDict] = field(default_factory=list)
    connection: _Connection | None = None
    resumes: int = 0

    @property
    def intents(self) -> int:
        return int(self.identify.get("intents") or 0)

    @property
    def shard(self) -> tuple[int, int] | None:
        shard = self.identify.get("shard")
        if isinstance(shard, list) and len(shard) == 2:
            return int(shard[0]), int(shard[1])
        return None

    @property
    def connected(self) -> bool:
        return self.connection is not None and not self.connection.ws.closed


def _walk_components(components: Iterable[JsonDict]) -> Iterable[JsonDict]:
    for component in components:
        yield component
        yield from _walk_components(component.get("components") or [])
        inner = component.get("component")
        if isinstance(inner, dict):
            yield from _walk_components([inner])
        accessory = component.get("accessory")
        if isinstance(accessory, dict):
            yield from _walk_components([accessory])


Handler = Callable[[web.Request, re.Match[str]], Awaitable[web.StreamResponse]]


# --------------------------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------------------------


class FakeDiscord:
    """A fake Discord on 127.0.0.1 (random free port); use as ``async with FakeDiscord() as fake``."""

    def __init__(
        self,
        *,
        bot_id: int = 1_180_000_000_000_000_001,
        application_id: int | None = None,
        bot_name: str = "boundary-bot",
        token: str | None = None,
        heartbeat_interval_ms: int = 41_250,
        interaction_deadline: float | None = 3.0,
        allowed_intents: int | None = None,
        echo_messages: bool = True,
        app_permissions: str = DEFAULT_APP_PERMISSIONS,
        multi_session: bool = False,
    ) -> None:
        """``token``: if set, REST and IDENTIFY must use it (else 401 / close 4004); if None any token is fine.
        ``interaction_deadline``: seconds within which an interaction must be answered (Discord: 3); None = no
        limit. ``allowed_intents``: the intents enabled for the app; a privileged intent requested beyond it
        closes the gateway with 4014 (None = everything allowed). ``echo_messages``: send MESSAGE_CREATE for the
        bot's own channel messages, as Discord does. ``multi_session``: several processes logged in with one token
        (and the same shard) each keep their session and each receive every event, as on Discord; by default a
        new IDENTIFY replaces the older session of its shard."""
        self.bot_id = bot_id
        self.application_id = application_id if application_id is not None else bot_id
        self.bot_name = bot_name
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline
        self.allowed_intents = allowed_intents
        self.echo_messages = echo_messages
        self.app_permissions = app_permissions
        self.multi_session = multi_session
        self.wait_timeout = 5.0  # default for the wait_* helpers

        # Records.
        self.requests: list[tuple[str, str]] = []  # (method, path below /api/v10), in order
        self.request_log: list[JsonDict] = []  # the same with query, JSON body and response status
        self.unhandled: list[tuple[str, str]] = []
        self.errors: list[str] = []  # exceptions inside the fake itself (a bug in the fake, or a bad request)
        self.messages: defaultdict[int, list[SentMessage]] = defaultdict(list)  # bot messages per channel id
        self.user_messages: defaultdict[int, list[JsonDict]] = defaultdict(list)  # pushed MESSAGE_CREATEs
        self.dm_opens: list[int] = []  # recipient id per POST /users/@me/channels
        # Create-message with `enforce_nonce`: the bot's message per nonce, returned again (not created) when the
        # same nonce comes back within `nonce_window_s` (Discord: "the past few minutes").
        self.nonce_window_s = 300.0
        self.nonces: dict[str, tuple[float, SentMessage]] = {}
        self.nonce_replays = 0  # creates answered with the existing message
        self.interactions: dict[int, PushedInteraction] = {}
        self.interaction_responses: dict[int, InteractionCallback] = {}
        self.rejected_callbacks: list[tuple[int, JsonDict, JsonDict]] = []  # (interaction id, body, error)
        self.followups: defaultdict[int, list[SentMessage]] = defaultdict(list)  # per interaction id
        self.commands: dict[int | None, list[JsonDict]] = {}  # None = global, else guild id
        self.failures_served: list[tuple[str, str, int]] = []
        self.gateway_received: list[JsonDict] = []
        self.gateway_queries: list[dict[str, str]] = []  # query string of every gateway connection
        self.heartbeats = 0
        self.identify_count = 0
        self.resume_count = 0
        self.sessions: dict[str, GatewaySession] = {}

        # World.
        self.users: dict[int, JsonDict] = {}
        self.guilds: dict[int, JsonDict] = {}
        self.members: defaultdict[int, dict[int, JsonDict]] = defaultdict(dict)  # guild id -> user id -> member
        self.channels: dict[int, JsonDict] = {}
        self.dm_channels: dict[int, int] = {}  # user id -> DM channel id
        self.blocked_dms: set[int] = set()
        self.pins: defaultdict[int, list[int]] = defaultdict(list)  # channel id -> pinned message ids, in order
        self.threads: dict[int, int] = {}  # thread id (= its starter message id) -> parent channel id

        self._failures: list[_Failure] = []
        self._holds: list[tuple[str, str | None, asyncio.Event]] = []  # hold_next: (path part, method, release)
        self._messages_by_id: dict[int, SentMessage] = {}
        self._interactions_by_token: dict[str, PushedInteraction] = {}
        self._connections: list[_Connection] = []
        self._last_snowflake = 0
        self._changed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = self._build_routes()

        self.users[bot_id] = self._make_user(bot_id, bot_name, bot=True)

    # ---------------------------------------------------------------------------------------------- lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        address = self._runner.addresses[0]
        self._port = int(address[1])

    async def stop(self) -> None:
        for connection in list(self._connections):
            if not connection.ws.closed:
                await connection.ws.close(code=1001, message=b"fake Discord stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        """The value (wrapped in ``yarl.URL``) for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    # ---------------------------------------------------------------------------------------------- world setup

    def add_user(self, user_id: int, username: str | None = None, *, global_name: str | None = None,
                 bot: bool = False) -> JsonDict:
        """Create (or replace) a user. Users the bot or a helper mentions are also created on demand."""
        self.users[user_id] = self._make_user(user_id, username or f"user{user_id % 100000}", bot=bot,
                                              global_name=global_name)
        return self.users[user_id]

    def add_guild(self, guild_id: int | None = None, *, name: str = "Test Circle",
                  channels: Iterable[str] = ("general",), owner_id: int | None = None,
                  member_ids: Iterable[int] = ()) -> int:
        """Configure a guild the bot is in (sent as unavailable in READY, then as GUILD_CREATE). If a client is
        already connected, follow with ``await fake.announce_guild(id)`` (the bot joined it). Returns its id."""
        gid = guild_id if guild_id is not None else self._snowflake()
        owner = owner_id if owner_id is not None else self._snowflake()
        self._ensure_user(owner)
        self.guilds[gid] = {"id": gid, "name": name, "owner_id": owner, "channel_ids": [], "joined_at": _iso()}
        for channel_name in channels:
            self.add_text_channel(gid, channel_name)
        self.add_member(gid, self.bot_id)
        self.add_member(gid, owner)
        for member_id in member_ids:
            self.add_member(gid, member_id)
        return gid

    def add_text_channel(self, guild_id: int, name: str) -> int:
        cid = self._snowflake()
        guild = self.guilds[guild_id]
        self.channels[cid] = {
            "id": str(cid), "type": CHANNEL_GUILD_TEXT, "guild_id": str(guild_id), "name": name,
            "position": len(guild["channel_ids"]), "permission_overwrites": [], "nsfw": False, "parent_id": None,
            "topic": None, "rate_limit_per_user": 0, "last_message_id": None, "flags": 0,
        }
        guild["channel_ids"].append(cid)
        return cid

    def add_member(self, guild_id: int, user_id: int, *, permissions: str = DEFAULT_MEMBER_PERMISSIONS,
                   roles: Iterable[int] = ()) -> JsonDict:
        user = self._ensure_user(user_id)
        member = {
            "user": user, "roles": [str(r) for r in roles], "joined_at": _iso(), "deaf": False, "mute": False,
            "flags": 0, "pending": False, "nick": None, "avatar": None, "banner": None, "premium_since": None,
            "communication_disabled_until": None, "permissions": permissions,
        }
        self.members[guild_id][user_id] = member
        return member

    def guild_channel(self, guild_id: int, name: str | None = None) -> int:
        """The id of a guild's text channel (by name, or its first one)."""
        for cid in self.guilds[guild_id]["channel_ids"]:
            if name is None or self.channels[cid]["name"] == name:
                return int(cid)
        raise KeyError(f"guild {guild_id} has no channel {name!r}")

    def dm_channel_id(self, user_id: int) -> int:
        """The DM channel between the bot and a user (stable; created on first use without counting an open)."""
        return int(self._dm_channel(user_id)["id"])

    def block_dms(self, user_id: int, blocked: bool = True) -> None:
        """The user closed their DMs: every message to their DM channel fails with 403 / 50007."""
        if blocked:
            self.blocked_dms.add(user_id)
        else:
            self.blocked_dms.discard(user_id)

    async def announce_guild(self, guild_id: int) -> None:
        """Push GUILD_CREATE for a guild added after the client connected (the bot joined it)."""
        await self.dispatch("GUILD_CREATE", self._guild_create_payload(guild_id, unavailable=None))

    # ---------------------------------------------------------------------------------------------- faults

    def fail_next(self, route_substring: str, status: int, retry_after: float | None = None,
                  json_code: int | None = None, *, message: str | None = None, method: str | None = None,
                  times: int = 1, global_: bool = False, via: bool = True) -> None:
        """Answer the next ``times`` requests whose path (below /api/v10) contains ``route_substring`` (and whose
        method is ``method``, if given) with ``status`` instead of handling them.

        429: JSON ``{"message", "retry_after", "global"}`` plus ``Retry-After`` and ``Via`` headers (``via=False``
        imitates Cloudflare, which discord.py does not retry). Other statuses: ``{"code": json_code, "message"}``,
        e.g. 403 + 50007 for closed DMs. Note discord.py retries 500/502/504/524 itself after sleeping
        1, 3, 5, 7 s."""
        self._failures.append(_Failure(route_substring, status, retry_after, json_code, message,
                                       method.upper() if method else None, times, global_, via))

    def hold_next(self, route_substring: str, *, method: str | None = None) -> asyncio.Event:
        """Hold the next request whose path contains ``route_substring`` (and whose method is ``method``, if given)
        without an answer until the returned event is set; then drop its connection without processing it, as a
        platform does with a request it never answers."""
        release = asyncio.Event()
        self._holds.append((route_substring, method.upper() if method else None, release))
        return release

    # ---------------------------------------------------------------------------------------------- waiting

    def _touch(self) -> None:
        """Wake everyone waiting in ``wait_until``."""
        event = self._changed
        self._changed = asyncio.Event()
        event.set()

    async def wait_until(self, predicate: Callable[[], T | None], within: float | None = None, what: str = "") -> T:
        """Wait (without polling or sleeping) until ``predicate()`` is truthy; returns its value. It is
        re-checked whenever the fake records something (a request, a gateway frame, a dispatch), so the predicate
        must read the fake's records; for the client's own state use ``client.wait_for(...)`` or an
        ``asyncio.Event``. Gives up after ``within`` seconds (default ``self.wait_timeout``) with a
        ``TimeoutError`` naming ``what`` and the last requests."""
        timeout = self.wait_timeout if within is None else within

        async def wait() -> T:
            while True:
                changed = self._changed
                result = predicate()
                if result:
                    return result
                await changed.wait()

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            recent = ", ".join(f"{m} {p}" for m, p in self.requests[-8:])
            raise TimeoutError(f"fake Discord: timed out after {timeout}s waiting for {what or predicate!r}; "
                               f"last requests: {recent or 'none'}; unhandled: {self.unhandled}") from None

    async def wait_for_callback(self, interaction: PushedInteraction | int, within: float | None = None
                                ) -> InteractionCallback:
        iid = interaction.id if isinstance(interaction, PushedInteraction) else int(interaction)
        return await self.wait_until(lambda: self.interaction_responses.get(iid), within,
                                     f"the callback to interaction {iid}")

    async def wait_for_followup(self, interaction: PushedInteraction | int, count: int = 1,
                                within: float | None = None) -> SentMessage:
        """The ``count``-th follow-up message to an interaction."""
        iid = interaction.id if isinstance(interaction, PushedInteraction) else int(interaction)

        def found() -> SentMessage | None:
            sent = self.followups.get(iid, [])
            return sent[count - 1] if len(sent) >= count else None

        return await self.wait_until(found, within, f"follow-up #{count} to interaction {iid}")

    async def wait_for_message(self, channel_id: int, count: int = 1, within: float | None = None) -> SentMessage:
        """The ``count``-th message the bot sent to a channel."""

        def found() -> SentMessage | None:
            sent = self.messages.get(channel_id, [])
            return sent[count - 1] if len(sent) >= count else None

        return await self.wait_until(found, within, f"message #{count} in channel {channel_id}")

    async def wait_for_dm(self, user_id: int, count: int = 1, within: float | None = None) -> SentMessage:
        return await self.wait_for_message(self.dm_channel_id(user_id), count, within)

    async def wait_for_session(self, within: float | None = None) -> GatewaySession:
        """The first identified session that currently has a live connection."""
        return await self.wait_until(lambda: next((s for s in self.sessions.values() if s.connected), None),
                                     within, "an identified gateway session")

    def count(self, method: str, path_substring: str) -> int:
        return sum(1 for m, p in self.requests if m == method.upper() and path_substring in p)

    def message(self, message_id: int) -> SentMessage:
        return self._messages_by_id[message_id]

    def every_message(self) -> list[SentMessage]:
        """Every message the bot created anywhere (channels, DMs, interaction answers and follow-ups, ephemeral
        ones included), deleted ones too, in the order they were made; each holds its edits."""
        return list(self._messages_by_id.values())

    def dms(self, user_id: int) -> list[SentMessage]:
        channel = self.dm_channels.get(user_id)
        return list(self.messages.get(channel, [])) if channel is not None else []

    # ---------------------------------------------------------------------------------------------- payloads

    def _snowflake(self) -> int:
        now = int(time.time() * 1000) - DISCORD_EPOCH_MS
        candidate = (now << 22) | (1 << 17)
        if candidate <= self._last_snowflake:
            candidate = self._last_snowflake + 1
        self._last_snowflake = candidate
        return candidate

    def _make_user(self, user_id: int, username: str, *, bot: bool = False, global_name: str | None = None
                   ) -> JsonDict:
        user: JsonDict = {
            "id": str(user_id), "username": username, "discriminator": "0", "global_name": global_name,
            "avatar": None, "avatar_decoration_data": None, "banner": None, "accent_color": None,
            "public_flags": 0, "flags": 0, "collectibles": None, "primary_guild": None,
        }
        if bot:
            user["bot"] = True
        return user

    def _ensure_user(self, user_id: int) -> JsonDict:
        if user_id not in self.users:
            self.add_user(user_id)
        return self.users[user_id]

    def _bot_user(self) -> JsonDict:
        return self.users[self.bot_id]

    def _me(self) -> JsonDict:
        me = dict(self._bot_user())
        me.update({"verified": True, "mfa_enabled": False, "email": None, "locale": "en-US", "bio": "",
                   "premium_type": 0})
        return me

    def _application(self) -> JsonDict:
        owner = self._ensure_user(self.bot_id + 1)
        return {
            "id": str(self.application_id), "name": self.bot_name, "icon": None, "description": "",
            "summary": "", "type": None, "hook": True, "bot_public": True, "bot_require_code_grant": False,
            "verify_key": "0" * 64, "owner": owner, "team": None, "flags": 0, "bot": self._bot_user(),
            "interactions_endpoint_url": None, "redirect_uris": [], "rpc_origins": [], "tags": [],
            "approximate_guild_count": len(self.guilds), "approximate_user_install_count": 0,
            "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
            "integration_types_config": {"0": {}, "1": {}},
        }

    def _dm_channel(self, user_id: int) -> JsonDict:
        cid = self.dm_channels.get(user_id)
        if cid is None:
            cid = self._snowflake()
            self.dm_channels[user_id] = cid
            self.channels[cid] = {"id": str(cid), "type": CHANNEL_DM, "last_message_id": None, "flags": 0,
                                  "recipient_id": str(user_id)}
        channel = dict(self.channels[cid])
        channel.pop("recipient_id", None)
        channel["recipients"] = [self._ensure_user(user_id)]
        return channel

    def _channel_payload(self, channel_id: int) -> JsonDict:
        channel = self.channels[channel_id]
        if channel["type"] == CHANNEL_DM:
            return self._dm_channel(int(channel["recipient_id"]))
        return dict(channel)

    def _guild_of_channel(self, channel_id: int) -> int | None:
        guild_id = self.channels.get(channel_id, {}).get("guild_id")
        return int(guild_id) if guild_id is not None else None

    def _guild_create_payload(self, guild_id: int, *, unavailable: bool | None) -> JsonDict:
        guild = self.guilds[guild_id]
        channels = []
        for cid in guild["channel_ids"]:
            channel = dict(self.channels[cid])
            channel.pop("guild_id", None)
            channels.append(channel)
        everyone = {"id": str(guild_id), "name": "@everyone", "permissions": DEFAULT_MEMBER_PERMISSIONS,
                    "position": 0, "color": 0, "colors": {"primary_color": 0, "secondary_color": None,
                                                          "tertiary_color": None},
                    "hoist": False, "managed": False, "mentionable": False, "icon": None, "unicode_emoji": None,
                    "flags": 0, "description": None}
        members = []
        for member in self.members[guild_id].values():
            entry = dict(member)
            entry.pop("permissions", None)
            members.append(entry)
        payload: JsonDict = {
            "id": str(guild_id), "name": guild["name"], "icon": None, "splash": None, "discovery_splash": None,
            "banner": None, "description": None, "owner_id": str(guild["owner_id"]), "afk_channel_id": None,
            "afk_timeout": 300, "verification_level": 0, "default_message_notifications": 0,
            "explicit_content_filter": 0, "roles": [everyone], "emojis": [], "stickers": [], "features": [],
            "mfa_level": 0, "system_channel_id": None, "system_channel_flags": 0, "rules_channel_id": None,
            "public_updates_channel_id": None, "safety_alerts_channel_id": None, "vanity_url_code": None,
            "premium_tier": 0, "premium_subscription_count": 0, "preferred_locale": "en-US", "nsfw_level": 0,
            "premium_progress_bar_enabled": False, "max_members": 500000, "max_video_channel_users": 25,
            "joined_at": guild["joined_at"], "large": False, "member_count": len(members),
            "voice_states": [], "members": members, "channels": channels, "threads": [], "presences": [],
            "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [], "lazy": True,
            "application_command_counts": {}, "incidents_data": None,
        }
        if unavailable is not None:
            payload["unavailable"] = unavailable
        return payload

    # ---------------------------------------------------------------------------------------------- validation

    def _validate_message_body(self, body: JsonDict, files: list[SentFile], *, creating: bool,
                               prefix: str = "") -> None:
        content = body.get("content")
        if content is not None and len(str(content)) > 2000:
            raise _form_error(f"{prefix}content", "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
        embeds = body.get("embeds") or []
        if len(embeds) > 10:
            raise _form_error(f"{prefix}embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        total = 0
        for index, embed in enumerate(embeds):
            total += self._validate_embed(embed, f"{prefix}embeds.{index}.")
        if total > 6000:
            raise _form_error(f"{prefix}embeds", "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000")
        flags = int(body.get("flags") or 0)
        self._validate_components(body.get("components") or [], v2=bool(flags & MESSAGE_FLAG_IS_COMPONENTS_V2),
                                  prefix=f"{prefix}components")
        if creating and not (content or embeds or body.get("components") or files or body.get("sticker_ids")
                             or body.get("poll")):
            raise _ApiError(400, 50006)

    @staticmethod
    def _validate_embed(embed: JsonDict, prefix: str) -> int:
        limits = {"title": 256, "description": 4096}
        size = 0
        for key, limit in limits.items():
            value = str(embed.get(key) or "")
            if len(value) > limit:
                raise _form_error(f"{prefix}{key}", "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")
            size += len(value)
        fields = embed.get("fields") or []
        if len(fields) > 25:
            raise _form_error(f"{prefix}fields", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        for index, item in enumerate(fields):
            name, value = str(item.get("name", "")), str(item.get("value", ""))
            if not name or len(name) > 256:
                raise _form_error(f"{prefix}fields.{index}.name", "BASE_TYPE_BAD_LENGTH",
                                  "Must be between 1 and 256 in length.")
            if not value or len(value) > 1024:
                raise _form_error(f"{prefix}fields.{index}.value", "BASE_TYPE_BAD_LENGTH",
                                  "Must be between 1 and 1024 in length.")
            size += len(name) + len(value)
        footer = str((embed.get("footer") or {}).get("text") or "")
        author = str((embed.get("author") or {}).get("name") or "")
        if len(footer) > 2048:
            raise _form_error(f"{prefix}footer.text", "BASE_TYPE_MAX_LENGTH", "Must be 2048 or fewer in length.")
        if len(author) > 256:
            raise _form_error(f"{prefix}author.name", "BASE_TYPE_MAX_LENGTH", "Must be 256 or fewer in length.")
        return size + len(footer) + len(author)

    @staticmethod
    def _validate_components(components: list[JsonDict], *, v2: bool, prefix: str) -> None:
        if not v2 and len(components) > 5:
            raise _form_error(prefix, "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
        for index, row in enumerate(components):
            if not v2 and row.get("type") != COMPONENT_ACTION_ROW:
                raise _form_error(f"{prefix}.{index}.type", "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                                  "Top-level components must be action rows without the components v2 flag.")
            if row.get("type") != COMPONENT_ACTION_ROW:
                continue
            children = row.get("components") or []
            if not children or len(children) > 5:
                raise _form_error(f"{prefix}.{index}.components", "BASE_TYPE_BAD_LENGTH",
                                  "Must be between 1 and 5 in length.")
            kinds = {child.get("type") for child in children}
            if kinds & SELECT_TYPES and len(children) > 1:
                raise _form_error(f"{prefix}.{index}.components", "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                                  "The specified component exceeds the maximum width")
        seen: set[str] = set()
        for component in _walk_components(components):
            ctype = component.get("type")
            custom_id = component.get("custom_id")
            if custom_id is not None:
                if not 1 <= len(str(custom_id)) <= 100:
                    raise _form_error(f"{prefix}.custom_id", "BASE_TYPE_BAD_LENGTH",
                                      "Must be between 1 and 100 in length.")
                if custom_id in seen:
                    raise _form_error(f"{prefix}.custom_id", "COMPONENT_CUSTOM_ID_DUPLICATED",
                                      "Component custom id cannot be duplicated")
                seen.add(str(custom_id))
            if ctype == COMPONENT_BUTTON:
                if len(str(component.get("label") or "")) > 80:
                    raise _form_error(f"{prefix}.label", "BASE_TYPE_MAX_LENGTH", "Must be 80 or fewer in length.")
                if component.get("style") != 5 and component.get("style") != 6 and custom_id is None:
                    raise _form_error(f"{prefix}.custom_id", "BASE_TYPE_REQUIRED", "This field is required")
            if ctype == COMPONENT_STRING_SELECT:
                options = component.get("options") or []
                if not 1 <= len(options) <= 25:
                    raise _form_error(f"{prefix}.options", "BASE_TYPE_BAD_LENGTH",
                                      "Must be between 1 and 25 in length.")
                for option in options:
                    for key in ("label", "value", "description"):
                        if len(str(option.get(key) or "")) > 100:
                            raise _form_error(f"{prefix}.options.{key}", "BASE_TYPE_MAX_LENGTH",
                                              "Must be 100 or fewer in length.")
            if ctype in SELECT_TYPES and len(str(component.get("placeholder") or "")) > 150:
                raise _form_error(f"{prefix}.placeholder", "BASE_TYPE_MAX_LENGTH", "Must be 150 or fewer in length.")

    @classmethod
    def _validate_modal(cls, data: JsonDict) -> None:
        title = str(data.get("title") or "")
        if not 1 <= len(title) <= 45:
            raise _form_error("data.title", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 45 in length.")
        custom_id = str(data.get("custom_id") or "")
        if not 1 <= len(custom_id) <= 100:
            raise _form_error("data.custom_id", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        components = data.get("components") or []
        if not 1 <= len(components) <= 5:
            raise _form_error("data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
        for component in _walk_components(components):
            if component.get("type") == COMPONENT_TEXT_INPUT:
                if len(str(component.get("label") or "")) > 45:
                    raise _form_error("data.components.label", "BASE_TYPE_MAX_LENGTH",
                                      "Must be 45 or fewer in length.")
                if int(component.get("max_length") or 4000) > 4000:
                    raise _form_error("data.components.max_length", "NUMBER_TYPE_MAX",
                                      "Must be less than or equal to 4000.")
                if len(str(component.get("value") or "")) > 4000:
                    raise _form_error("data.components.value", "BASE_TYPE_MAX_LENGTH",
                                      "Must be 4000 or fewer in length.")

    # ---------------------------------------------------------------------------------------------- messages

    def _assign_component_ids(self, components: list[JsonDict]) -> list[JsonDict]:
        """Discord numbers every component that has no ``id`` (1, 2, ... in tree order)."""
        components = copy.deepcopy(components)
        used = {c["id"] for c in _walk_components(components) if isinstance(c.get("id"), int)}
        next_id = 1
        for component in _walk_components(components):
            if not isinstance(component.get("id"), int):
                while next_id in used:
                    next_id += 1
                component["id"] = next_id
                used.add(next_id)
        return components

    def _attachments(self, body: JsonDict, files: list[SentFile], keep: list[JsonDict] | None = None
                     ) -> list[JsonDict]:
        described = {str(a.get("id")): a for a in body.get("attachments") or [] if isinstance(a, dict)}
        result = list(keep or [])
        for index, sent in enumerate(files):
            aid = self._snowflake()
            meta = described.get(str(index), {})
            url = f"{self.base_url}/attachments/{aid}/{sent.filename}"
            result.append({
                "id": str(aid), "filename": meta.get("filename", sent.filename), "size": len(sent.data),
                "url": url, "proxy_url": url, "content_type": sent.content_type,
                "description": meta.get("description"), "ephemeral": False,
            })
        return result

    def _message_payload(self, channel_id: int, body: JsonDict, files: list[SentFile], *,
                         message_type: int = 0, interaction: PushedInteraction | None = None,
                         author: JsonDict | None = None, loading: bool = False) -> JsonDict:
        mid = self._snowflake()
        flags = int(body.get("flags") or 0) & SENDABLE_MESSAGE_FLAGS
        if loading:
            flags |= MESSAGE_FLAG_LOADING
        payload: JsonDict = {
            "id": str(mid), "channel_id": str(channel_id), "type": message_type,
            "author": author or self._bot_user(), "content": str(body.get("content") or ""),
            "timestamp": _iso(), "edited_timestamp": None, "tts": bool(body.get("tts", False)),
            "mention_everyone": False, "mentions": [], "mention_roles": [], "mention_channels": [],
            "attachments": self._attachments(body, files), "embeds": list(body.get("embeds") or []),
            "reactions": [], "pinned": False, "flags": flags,
            "components": self._assign_component_ids(list(body.get("components") or [])),
        }
        if body.get("nonce") is not None:
            payload["nonce"] = body["nonce"]
        reference = body.get("message_reference")
        if isinstance(reference, dict) and reference.get("message_id"):
            payload["type"] = 19
            payload["message_reference"] = {"type": 0, "message_id": str(reference["message_id"]),
                                            "channel_id": str(reference.get("channel_id") or channel_id)}
            referenced = self._messages_by_id.get(int(reference["message_id"]))
            payload["referenced_message"] = referenced.payload if referenced else None
        if interaction is not None:
            payload["webhook_id"] = str(self.application_id)
            payload["application_id"] = str(self.application_id)
            metadata: JsonDict = {
                "id": str(interaction.id), "type": interaction.type,
                "user": self._ensure_user(interaction.user_id),
                "authorizing_integration_owners": interaction.payload.get("authorizing_integration_owners", {}),
            }
            if interaction.type == INTERACTION_APPLICATION_COMMAND:
                metadata["name"] = interaction.data.get("name")
                metadata["command_type"] = interaction.data.get("type", 1)
            if interaction.message_id is not None:
                metadata["interacted_message_id"] = str(interaction.message_id)
            payload["interaction_metadata"] = metadata
        return payload

    def _store(self, message: SentMessage) -> SentMessage:
        self._messages_by_id[message.id] = message
        channel = self.channels.get(message.channel_id)
        if channel is not None and message.interaction_id is None:
            channel["last_message_id"] = str(message.id)
        return message

    def _apply_edit(self, message: SentMessage, body: JsonDict, files: list[SentFile]) -> SentMessage:
        payload = message.payload
        for key in ("content", "embeds"):
            if key in body:
                payload[key] = body[key] if body[key] is not None else ("" if key == "content" else [])
        if "components" in body:
            payload["components"] = self._assign_component_ids(list(body["components"] or []))
        if "flags" in body and body["flags"] is not None:
            keep = payload.get("flags", 0) & (MESSAGE_FLAG_EPHEMERAL | MESSAGE_FLAG_IS_COMPONENTS_V2)
            payload["flags"] = keep | (int(body["flags"]) & MESSAGE_FLAG_SUPPRESS_EMBEDS)
        payload["flags"] = int(payload.get("flags", 0)) & ~MESSAGE_FLAG_LOADING
        if "attachments" in body or files:
            # An entry naming an attachment the message has keeps it; any other entry describes a new upload
            # by its index in ``files`` (as discord.py sends them), so its description is not lost.
            existing = {str(a["id"]) for a in payload.get("attachments", [])}
            kept_ids = {str(a.get("id")) for a in body.get("attachments") or [] if isinstance(a, dict)} & existing
            kept = [a for a in payload.get("attachments", []) if str(a["id"]) in kept_ids]
            new_body = {"attachments": [a for a in body.get("attachments") or []
                                        if isinstance(a, dict) and str(a.get("id")) not in existing]}
            payload["attachments"] = self._attachments(new_body, files, keep=kept)
        payload["edited_timestamp"] = _iso()
        message.edits.append(copy.deepcopy(body))
        if "allowed_mentions" in body:
            message.request["allowed_mentions"] = body["allowed_mentions"]
        message.files.extend(files)
        return message

    # ---------------------------------------------------------------------------------------------- HTTP plumbing

    @staticmethod
    def _json(data: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
        all_headers = {"Content-Type": JSON_CONTENT_TYPE}
        all_headers.update(headers or {})
        return web.Response(status=status, body=json.dumps(data).encode(), headers=all_headers)

    @staticmethod
    def _no_content() -> web.Response:
        return web.Response(status=204)

    async def _read_body(self, request: web.Request) -> tuple[JsonDict, list[SentFile]]:
        if request.content_type.startswith("multipart/"):
            body: JsonDict = {}
            files: list[SentFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):  # nested multipart: not something Discord takes
                    continue
                name = part.name or ""
                if name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    data = bytes(await part.read())
                    files.append(SentFile(name, part.filename or name,
                                          part.headers.get("Content-Type", "application/octet-stream"), data))
            return body, files
        raw = await request.read()
        if not raw:
            return {}, []
        parsed = json.loads(raw)
        return (parsed if isinstance(parsed, dict) else {"_": parsed}), []

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        app = r"/applications/(?P<app>\d+)"
        table: list[tuple[str, str, Handler]] = [
            ("GET", r"/gateway", self._get_gateway),
            ("GET", r"/gateway/bot", self._get_gateway_bot),
            ("GET", r"/users/@me", self._get_me),
            ("POST", r"/users/@me/channels", self._open_dm),
            ("GET", r"/users/(?P<user>\d+)", self._get_user),
            ("GET", r"/oauth2/applications/@me", self._get_application),
            ("GET", r"/applications/@me", self._get_application),
            ("GET", rf"{app}/commands", self._list_commands),
            ("PUT", rf"{app}/commands", self._bulk_commands),
            ("POST", rf"{app}/commands", self._upsert_command),
            ("GET", rf"{app}/commands/(?P<cmd>\d+)", self._get_command),
            ("PATCH", rf"{app}/commands/(?P<cmd>\d+)", self._edit_command),
            ("DELETE", rf"{app}/commands/(?P<cmd>\d+)", self._delete_command),
            ("GET", rf"{app}/guilds/(?P<guild>\d+)/commands", self._list_commands),
            ("PUT", rf"{app}/guilds/(?P<guild>\d+)/commands", self._bulk_commands),
            ("POST", rf"{app}/guilds/(?P<guild>\d+)/commands", self._upsert_command),
            ("GET", rf"{app}/guilds/(?P<guild>\d+)/commands/(?P<cmd>\d+)", self._get_command),
            ("PATCH", rf"{app}/guilds/(?P<guild>\d+)/commands/(?P<cmd>\d+)", self._edit_command),
            ("DELETE", rf"{app}/guilds/(?P<guild>\d+)/commands/(?P<cmd>\d+)", self._delete_command),
            ("GET", r"/channels/(?P<channel>\d+)", self._get_channel),
            ("POST", r"/channels/(?P<channel>\d+)/typing", self._typing),
            ("POST", r"/channels/(?P<channel>\d+)/messages", self._create_message),
            ("GET", r"/channels/(?P<channel>\d+)/messages", self._channel_history),
            ("GET", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._get_message),
            ("PATCH", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._edit_message),
            ("DELETE", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)", self._delete_message),
            ("PUT", r"/channels/(?P<channel>\d+)/messages/pins/(?P<message>\d+)", self._pin_message),
            ("PUT", r"/channels/(?P<channel>\d+)/pins/(?P<message>\d+)", self._pin_message),
            ("POST", r"/channels/(?P<channel>\d+)/messages/(?P<message>\d+)/threads", self._start_thread),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._interaction_callback),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", self._create_followup),
            ("GET", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<message>@original|\d+)",
             self._get_webhook_message),
            ("PATCH", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<message>@original|\d+)",
             self._edit_webhook_message),
            ("DELETE", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<message>@original|\d+)",
             self._delete_webhook_message),
        ]
        return [(method, re.compile(pattern + "$"), handler) for method, pattern, handler in table]

    @staticmethod
    def _needs_bot_auth(path: str) -> bool:
        # Interaction callbacks and webhook-token routes are authenticated by the token in the path.
        return not (path.startswith("/interactions/") or re.match(r"^/webhooks/\d+/[^/]+", path) is not None)

    def _take_failure(self, method: str, path: str) -> _Failure | None:
        for failure in self._failures:
            if failure.matches(method, path):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _failure_response(self, failure: _Failure, method: str, path: str) -> web.Response:
        self.failures_served.append((method, path, failure.status))
        if failure.status == 429:
            retry_after = failure.retry_after if failure.retry_after is not None else 1.0
            if not failure.via:  # what a Cloudflare ban looks like: text, no Via
                return web.Response(status=429, text="error code: 1015", content_type="text/plain")
            headers = {
                "Retry-After": f"{retry_after:g}", "Via": "1.1 google",
                "X-RateLimit-Scope": "global" if failure.global_ else "user",
            }
            if failure.global_:
                headers["X-RateLimit-Global"] = "true"
            body: JsonDict = {"message": failure.message or "You are being rate limited.",
                              "retry_after": retry_after, "global": failure.global_}
            if failure.json_code is not None:
                body["code"] = failure.json_code
            return self._json(body, 429, headers)
        code = failure.json_code if failure.json_code is not None else 0
        default = f"{failure.status}: {ERROR_MESSAGES.get(code, 'Error')}" if code == 0 else ERROR_MESSAGES.get(code)
        return self._json({"message": failure.message or default, "code": code}, failure.status)

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        method = request.method.upper()
        full_path = request.path
        if not full_path.startswith(API_PREFIX + "/"):
            self.unhandled.append((method, full_path))
            self._touch()
            return self._json({"message": f"fake Discord: {method} {full_path} is outside {API_PREFIX}",
                               "code": 0}, 404)
        path = full_path[len(API_PREFIX):]
        self.requests.append((method, path))
        entry: JsonDict = {"method": method, "path": path, "query": dict(request.query), "at": time.monotonic()}
        self.request_log.append(entry)
        held = next((hold for hold in self._holds if hold[0] in path and hold[1] in (None, method)), None)
        if held is not None:
            self._holds.remove(held)
            self._touch()
            await held[2].wait()
            entry["status"] = 0
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=599)
        response: web.StreamResponse
        try:
            failure = self._take_failure(method, path)
            if failure is not None:
                response = self._failure_response(failure, method, path)
            elif self._needs_bot_auth(path) and not self._authorized(request):
                response = self._json({"message": "401: Unauthorized", "code": 0}, 401)
            else:
                response = await self._route(request, method, path)
        except _ApiError as error:
            response = self._json(error.body(), error.status)
        except Exception as error:  # a bug in the fake or a request it cannot parse: fail fast and loudly
            self.errors.append(f"{method} {path}: {error!r}")
            # Not 500: discord.py retries 500/502/504/524 after sleeping 1, 3, 5, 7 s; any other 5xx raises at once.
            response = self._json({"message": f"fake Discord error: {error!r}", "code": 0}, 599)
        entry["status"] = response.status
        self._touch()
        return response

    def _authorized(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        if self.token is None:
            return header.startswith("Bot ") and len(header) > 4
        return header == f"Bot {self.token}"

    async def _route(self, request: web.Request, method: str, path: str) -> web.StreamResponse:
        for route_method, pattern, handler in self._routes:
            match = pattern.match(path)
            if match is not None and route_method == method:
                return await handler(request, match)
        self.unhandled.append((method, path))
        return self._json({"message": f"fake Discord has no handler for {method} {API_PREFIX}{path}", "code": 0},
                          404)

    # ---------------------------------------------------------------------------------------------- REST handlers

    async def _get_gateway(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        return self._json({"url": self.gateway_url})

    async def _get_gateway_bot(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": {
            "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}})

    async def _get_me(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        return self._json(self._me())

    async def _get_user(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        return self._json(self._ensure_user(int(match["user"])))

    async def _get_application(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        return self._json(self._application())

    async def _open_dm(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        body, _ = await self._read_body(request)
        recipient = body.get("recipient_id")
        if recipient is None:
            raise _form_error("recipient_id", "BASE_TYPE_REQUIRED", "This field is required")
        user_id = int(recipient)
        if user_id == self.bot_id:
            raise _ApiError(400, 50007)
        self.dm_opens.append(user_id)
        return self._json(self._dm_channel(user_id))

    async def _get_channel(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        channel_id = int(match["channel"])
        if channel_id not in self.channels:
            raise _ApiError(404, 10003)
        return self._json(self._channel_payload(channel_id))

    async def _typing(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        if int(match["channel"]) not in self.channels:
            raise _ApiError(404, 10003)
        return self._no_content()

    def _check_can_post(self, channel_id: int) -> JsonDict:
        channel = self.channels.get(channel_id)
        if channel is None:
            raise _ApiError(404, 10003)
        if channel["type"] == CHANNEL_DM and int(channel["recipient_id"]) in self.blocked_dms:
            raise _ApiError(403, 50007)
        return channel

    async def _create_message(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        channel_id = int(match["channel"])
        body, files = await self._read_body(request)
        channel = self._check_can_post(channel_id)
        self._validate_message_body(body, files, creating=True)
        if int(body.get("flags") or 0) & MESSAGE_FLAG_EPHEMERAL:
            raise _form_error("flags", "MESSAGE_FLAGS_INVALID", "Ephemeral messages only exist for interactions")
        nonce = self._nonce_of(body)
        if nonce is not None and body.get("enforce_nonce"):
            known = self.nonces.get(nonce)
            if known is not None and time.monotonic() - known[0] <= self.nonce_window_s:
                self.nonce_replays += 1
                return self._json(known[1].payload)  # Discord: the existing message, nothing new created
        message = self._store(SentMessage(self._message_payload(channel_id, body, files), body, files))
        self.messages[channel_id].append(message)
        if nonce is not None and body.get("enforce_nonce"):
            self.nonces[nonce] = (time.monotonic(), message)
        if self.echo_messages:
            event = dict(message.payload)
            if channel.get("guild_id") is not None:
                event["guild_id"] = channel["guild_id"]
                event["member"] = {k: v for k, v in self.members[int(channel["guild_id"])][self.bot_id].items()
                                   if k not in ("user", "permissions")}
            intent = INTENT_DIRECT_MESSAGES if channel["type"] == CHANNEL_DM else INTENT_GUILD_MESSAGES
            await self._dispatch_if_listening("MESSAGE_CREATE", event, intent)
        return self._json(message.payload)

    @staticmethod
    def _nonce_of(body: JsonDict) -> str | None:
        """A create-message nonce as Discord checks it: an integer or a string of at most 25 characters."""
        nonce = body.get("nonce")
        if nonce is None:
            return None
        if isinstance(nonce, bool) or not isinstance(nonce, (int, str)) or len(str(nonce)) > 25:
            raise _form_error("nonce", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        return str(nonce)

    def _channel_message(self, channel_id: int, message_id: int) -> SentMessage:
        message = self._messages_by_id.get(message_id)
        if message is None or message.deleted or message.channel_id != channel_id or message.ephemeral:
            raise _ApiError(404, 10008)
        return message

    async def _get_message(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        return self._json(self._channel_message(int(match["channel"]), int(match["message"])).payload)

    async def _edit_message(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        message = self._channel_message(int(match["channel"]), int(match["message"]))
        body, files = await self._read_body(request)
        self._validate_message_body(body, files, creating=False)
        return self._json(self._apply_edit(message, body, files).payload)

    def _history(self, channel_id: int) -> list[JsonDict]:
        """What a channel's history holds: the bot's messages (interaction replies included, ephemeral ones not)
        and what people wrote, oldest first."""
        own = [m.payload for m in self._messages_by_id.values()
               if m.channel_id == channel_id and not m.deleted and not m.ephemeral]
        return sorted([*own, *self.user_messages.get(channel_id, [])], key=lambda m: int(m["id"]))

    async def _channel_history(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        """GET /channels/{id}/messages: newest first, `limit` 1-100 (default 50), `before` / `after` a message id."""
        channel_id = int(match["channel"])
        if channel_id not in self.channels:
            raise _ApiError(404, 10003)
        limit = int(request.query.get("limit") or 50)
        if not 1 <= limit <= 100:
            raise _form_error("limit", "NUMBER_TYPE_MAX", "int value should be less than or equal to 100.")
        found = self._history(channel_id)
        if request.query.get("before"):
            found = [m for m in found if int(m["id"]) < int(request.query["before"])]
        if request.query.get("after"):
            found = [m for m in found if int(m["id"]) > int(request.query["after"])]
            return self._json(list(reversed(found[:limit])))
        return self._json(list(reversed(found))[:limit])

    async def _delete_message(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        channel_id, message_id = int(match["channel"]), int(match["message"])
        if self.channels.get(channel_id, {}).get("type") == CHANNEL_DM \
                and message_id in {int(m["id"]) for m in self.user_messages.get(channel_id, [])}:
            raise _ApiError(403, 50003)  # a bot cannot delete what the person wrote in a DM
        message = self._channel_message(channel_id, message_id)
        message.deleted = True
        return self._no_content()

    async def _pin_message(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        channel_id = int(match["channel"])
        message = self._channel_message(channel_id, int(match["message"]))
        if message.id not in self.pins[channel_id]:
            self.pins[channel_id].append(message.id)
        return self._no_content()

    async def _start_thread(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        """A public thread from a message: as on Discord, the thread's id is the starter message's id."""
        channel_id = int(match["channel"])
        message = self._channel_message(channel_id, int(match["message"]))
        parent = self.channels[channel_id]
        if parent.get("guild_id") is None:
            raise _ApiError(400, 50024)  # cannot start a thread in a DM
        if message.id in self.threads:
            raise _ApiError(400, 160004)  # a thread has already been created for this message
        body, _ = await self._read_body(request)
        name = str(body.get("name") or "")
        if not 1 <= len(name) <= 100:
            raise _form_error("name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        self.threads[message.id] = channel_id
        self.channels[message.id] = {
            "id": str(message.id), "type": CHANNEL_PUBLIC_THREAD, "guild_id": parent["guild_id"], "name": name,
            "parent_id": str(channel_id), "owner_id": str(self.bot_id), "last_message_id": None, "flags": 0,
            "rate_limit_per_user": 0, "message_count": 0, "member_count": 1, "total_message_sent": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": int(body.get("auto_archive_duration")
                                                                                or 1440),
                                "archive_timestamp": _iso(), "locked": False},
        }
        return self._json(dict(self.channels[message.id]))

    # commands

    def _scope(self, match: re.Match[str]) -> int | None:
        if int(match["app"]) != self.application_id:
            raise _ApiError(403, 50001)
        guild = match.groupdict().get("guild")
        if guild is not None and int(guild) not in self.guilds:
            raise _ApiError(403, 50001)
        return int(guild) if guild is not None else None

    def _command_payload(self, body: JsonDict, scope: int | None, existing: JsonDict | None) -> JsonDict:
        name = str(body.get("name") or "")
        ctype = int(body.get("type") or 1)
        if not _COMMAND_NAME.match(name) or (ctype == 1 and name != name.lower()):
            raise _form_error("name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        description = str(body.get("description") or "")
        if ctype == 1 and not 1 <= len(description) <= 100:
            raise _form_error("description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
        if len(body.get("options") or []) > 25:
            raise _form_error("options", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        command: JsonDict = {
            "type": 1, "nsfw": False, "default_member_permissions": None, "dm_permission": True,
            "contexts": None, "integration_types": [0], "options": [], "name_localizations": None,
            "description_localizations": None,
        }
        command.update(copy.deepcopy(body))
        command["type"] = ctype
        command["id"] = existing["id"] if existing else str(self._snowflake())
        command["application_id"] = str(self.application_id)
        command["version"] = str(self._snowflake())
        if scope is not None:
            command["guild_id"] = str(scope)
        else:
            command.pop("guild_id", None)
        return command

    async def _list_commands(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        return self._json(self.commands.get(self._scope(match), []))

    async def _bulk_commands(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        scope = self._scope(match)
        body, _ = await self._read_body(request)
        items = body.get("_", [])
        if not isinstance(items, list):
            raise _form_error("_", "BASE_TYPE_ARRAY", "Must be an array.")
        if len(items) > 100:
            raise _form_error("_", "BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.")
        previous = {(c["name"], c["type"]): c for c in self.commands.get(scope, [])}
        result = [self._command_payload(item, scope, previous.get((item.get("name"), int(item.get("type") or 1))))
                  for item in items]
        keys = [(c["name"], c["type"]) for c in result]
        if len(keys) != len(set(keys)):
            raise _form_error("_", "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
        self.commands[scope] = result
        return self._json(result)

    async def _upsert_command(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        scope = self._scope(match)
        body, _ = await self._read_body(request)
        current = self.commands.setdefault(scope, [])
        key = (body.get("name"), int(body.get("type") or 1))
        existing = next((c for c in current if (c["name"], c["type"]) == key), None)
        command = self._command_payload(body, scope, existing)
        if existing is not None:
            current[current.index(existing)] = command
            return self._json(command)
        current.append(command)
        return self._json(command, 201)

    def _find_command(self, scope: int | None, command_id: str) -> JsonDict:
        for command in self.commands.get(scope, []):
            if command["id"] == command_id:
                return command
        raise _ApiError(404, 10063)

    async def _get_command(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        return self._json(self._find_command(self._scope(match), match["cmd"]))

    async def _edit_command(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        scope = self._scope(match)
        existing = self._find_command(scope, match["cmd"])
        body, _ = await self._read_body(request)
        merged = {k: v for k, v in existing.items() if k not in ("id", "application_id", "version", "guild_id")}
        merged.update(body)
        command = self._command_payload(merged, scope, existing)
        current = self.commands[scope]
        current[current.index(existing)] = command
        return self._json(command)

    async def _delete_command(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        scope = self._scope(match)
        existing = self._find_command(scope, match["cmd"])
        self.commands[scope].remove(existing)
        return self._no_content()

    # interactions

    def _interaction_for(self, interaction_id: int | None, token: str) -> PushedInteraction:
        interaction = self._interactions_by_token.get(token)
        if interaction is None or (interaction_id is not None and interaction.id != interaction_id):
            raise _ApiError(404, 10062)
        return interaction

    async def _interaction_callback(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        body, files = await self._read_body(request)
        iid = int(match["iid"])
        try:
            interaction = self._interaction_for(iid, match["token"])
            callback = self._accept_callback(interaction, body, files)
        except _ApiError as error:
            self.rejected_callbacks.append((iid, body, error.body()))
            raise
        if request.query.get("with_response") not in ("1", "true", "True"):
            return self._no_content()
        response: JsonDict = {"interaction": {
            "id": str(interaction.id), "type": interaction.type, "activity_instance_id": None,
            "response_message_id": str(callback.message.id) if callback.message else None,
            "response_message_loading": callback.type == CALLBACK_DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(callback.message and callback.message.ephemeral),
        }}
        if callback.message is not None and callback.type in (
                CALLBACK_CHANNEL_MESSAGE, CALLBACK_DEFERRED_CHANNEL_MESSAGE, CALLBACK_UPDATE_MESSAGE):
            response["resource"] = {"type": callback.type, "message": callback.message.payload}
        return self._json(response)

    def _accept_callback(self, interaction: PushedInteraction, body: JsonDict, files: list[SentFile]
                         ) -> InteractionCallback:
        loop_now = asyncio.get_running_loop().time()
        if self.interaction_deadline is not None and loop_now - interaction.pushed_at > self.interaction_deadline:
            raise _ApiError(404, 10062)
        if interaction.id in self.interaction_responses:
            raise _ApiError(400, 40060)
        ctype = int(body.get("type") or 0)
        data: JsonDict = dict(body.get("data") or {})
        allowed = {
            INTERACTION_APPLICATION_COMMAND: {CALLBACK_CHANNEL_MESSAGE, CALLBACK_DEFERRED_CHANNEL_MESSAGE,
                                              CALLBACK_MODAL, CALLBACK_LAUNCH_ACTIVITY},
            INTERACTION_MESSAGE_COMPONENT: {CALLBACK_CHANNEL_MESSAGE, CALLBACK_DEFERRED_CHANNEL_MESSAGE,
                                            CALLBACK_DEFERRED_UPDATE_MESSAGE, CALLBACK_UPDATE_MESSAGE,
                                            CALLBACK_MODAL, CALLBACK_LAUNCH_ACTIVITY},
            INTERACTION_AUTOCOMPLETE: {CALLBACK_AUTOCOMPLETE_RESULT},
            INTERACTION_MODAL_SUBMIT: {CALLBACK_CHANNEL_MESSAGE, CALLBACK_DEFERRED_CHANNEL_MESSAGE}
            | ({CALLBACK_DEFERRED_UPDATE_MESSAGE, CALLBACK_UPDATE_MESSAGE} if interaction.message_id else set()),
        }[interaction.type]
        if ctype not in allowed:
            raise _form_error("type", "INTERACTION_RESPONSE_TYPE_INVALID",
                              f"Interaction response type {ctype} is not valid for interaction type "
                              f"{interaction.type}")
        message: SentMessage | None = None
        if ctype == CALLBACK_CHANNEL_MESSAGE:
            self._validate_message_body(data, files, creating=True, prefix="data.")
            message = self._interaction_message(interaction, data, files)
        elif ctype == CALLBACK_DEFERRED_CHANNEL_MESSAGE:
            message = self._interaction_message(interaction, {"flags": data.get("flags", 0)}, [], loading=True)
        elif ctype == CALLBACK_UPDATE_MESSAGE:
            self._validate_message_body(data, files, creating=False, prefix="data.")
            assert interaction.message_id is not None
            message = self._apply_edit(self._messages_by_id[interaction.message_id], data, files)
        elif ctype == CALLBACK_MODAL:
            self._validate_modal(data)
        elif ctype == CALLBACK_AUTOCOMPLETE_RESULT:
            choices = data.get("choices") or []
            if len(choices) > 25:
                raise _form_error("data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.")
        callback = InteractionCallback(interaction.id, interaction.token, ctype, data, files, message)
        self.interaction_responses[interaction.id] = callback
        return callback

    def _interaction_message(self, interaction: PushedInteraction, body: JsonDict, files: list[SentFile], *,
                             loading: bool = False) -> SentMessage:
        message_type = 20 if interaction.type == INTERACTION_APPLICATION_COMMAND else 0
        payload = self._message_payload(interaction.channel_id, body, files, message_type=message_type,
                                        interaction=interaction, loading=loading)
        message = SentMessage(payload, body, files, interaction_id=interaction.id)
        if message.ephemeral:
            message.visible_to = interaction.user_id
        return self._store(message)

    def _acknowledged(self, match: re.Match[str]) -> tuple[PushedInteraction, InteractionCallback]:
        if int(match["app"]) != self.application_id:
            raise _ApiError(404, 10015)
        interaction = self._interaction_for(None, match["token"])
        callback = self.interaction_responses.get(interaction.id)
        if callback is None:
            raise _ApiError(404, 10015)
        return interaction, callback

    async def _create_followup(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        interaction, callback = self._acknowledged(match)
        body, files = await self._read_body(request)
        self._validate_message_body(body, files, creating=True)
        if (callback.type == CALLBACK_DEFERRED_CHANNEL_MESSAGE and callback.message is not None
                and callback.message.flags & MESSAGE_FLAG_LOADING):
            # The first follow-up after a "thinking" defer edits the loading message (Discord behaviour).
            message = self._apply_edit(callback.message, body, files)
        else:
            message = self._interaction_message(interaction, body, files)
        self.followups[interaction.id].append(message)
        if request.query.get("wait") in ("1", "true", "True"):
            return self._json(message.payload)
        return self._no_content()

    def _webhook_message(self, interaction: PushedInteraction, callback: InteractionCallback, which: str
                         ) -> SentMessage:
        if which == "@original":
            if callback.message is not None:
                return callback.message
            if interaction.message_id is not None and callback.type in (CALLBACK_DEFERRED_UPDATE_MESSAGE,
                                                                        CALLBACK_UPDATE_MESSAGE):
                return self._messages_by_id[interaction.message_id]
            raise _ApiError(404, 10008)
        for message in self.followups.get(interaction.id, []):
            if message.id == int(which) and not message.deleted:
                return message
        raise _ApiError(404, 10008)

    async def _get_webhook_message(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        interaction, callback = self._acknowledged(match)
        return self._json(self._webhook_message(interaction, callback, match["message"]).payload)

    async def _edit_webhook_message(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        interaction, callback = self._acknowledged(match)
        message = self._webhook_message(interaction, callback, match["message"])
        body, files = await self._read_body(request)
        self._validate_message_body(body, files, creating=False)
        return self._json(self._apply_edit(message, body, files).payload)

    async def _delete_webhook_message(self, request: web.Request, match: re.Match[str]) -> web.StreamResponse:
        interaction, callback = self._acknowledged(match)
        self._webhook_message(interaction, callback, match["message"]).deleted = True
        return self._no_content()

    # ---------------------------------------------------------------------------------------------- gateway

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        query = dict(request.query)
        self.gateway_queries.append(query)
        compress = query.get("compress")
        connection = _Connection(ws, zlib.compressobj() if compress == "zlib-stream" else None, query=query)
        self._connections.append(connection)
        try:
            if query.get("encoding", "json") != "json" or compress not in (None, "zlib-stream"):
                self.unhandled.append(("WS", f"/gateway?{request.query_string}"))
                await ws.close(code=4000 if compress not in (None, "zlib-stream") else 4002)
                return ws
            if query.get("v") not in (None, str(API_VERSION)):
                self.unhandled.append(("WS", f"/gateway?{request.query_string}"))
                await ws.close(code=4012)
                return ws
            await self._send(connection, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_interval_ms,
                                                                "_trace": ["fake-gateway"]}, "s": None, "t": None})
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    try:
                        await self._on_gateway_frame(connection, json.loads(msg.data))
                    except Exception as error:  # a bug in the fake: record it, keep the connection
                        self.errors.append(f"gateway frame {msg.data[:200]!r}: {error!r}")
                elif msg.type == WSMsgType.BINARY:
                    self.unhandled.append(("WS", "binary frame from client"))
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            if connection.session is not None and connection.session.connection is connection:
                connection.session.connection = None
            self._connections.remove(connection)
            self._touch()
        return ws

    async def _send(self, connection: _Connection, frame: JsonDict) -> bool:
        raw = json.dumps(frame, separators=(",", ":"))
        async with connection.lock:
            if connection.ws.closed:
                return False
            try:
                if connection.compressor is not None:
                    data = connection.compressor.compress(raw.encode()) + connection.compressor.flush(zlib.Z_SYNC_FLUSH)
                    await connection.ws.send_bytes(data)
                else:
                    await connection.ws.send_str(raw)
            except ConnectionError:
                return False
        return True

    async def _on_gateway_frame(self, connection: _Connection, frame: JsonDict) -> None:
        self.gateway_received.append(frame)
        op = frame.get("op")
        data = frame.get("d")
        if op == OP_HEARTBEAT:
            self.heartbeats += 1
            await self._send(connection, {"op": OP_HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == OP_IDENTIFY and isinstance(data, dict):
            await self._identify(connection, data)
        elif op == OP_RESUME and isinstance(data, dict):
            await self._resume(connection, data)
        elif op in (OP_PRESENCE_UPDATE, OP_VOICE_STATE_UPDATE):
            pass  # recorded in gateway_received
        elif op == OP_REQUEST_GUILD_MEMBERS and isinstance(data, dict):
            await self._members_chunk(connection, data)
        else:
            self.unhandled.append(("WS", f"op {op}"))
        self._touch()

    async def _identify(self, connection: _Connection, data: JsonDict) -> None:
        if connection.session is not None:
            await connection.ws.close(code=4005)  # already authenticated
            return
        if self.token is not None and data.get("token") != self.token:
            await connection.ws.close(code=4004)
            return
        intents = int(data.get("intents") or 0)
        if self.allowed_intents is not None and intents & PRIVILEGED_INTENTS & ~self.allowed_intents:
            await connection.ws.close(code=4014)
            return
        session = GatewaySession(session_id=secrets.token_hex(16), identify=dict(data))
        for old_id, old in list(self.sessions.items()):
            if old.shard == session.shard and not (self.multi_session and old.connected):
                del self.sessions[old_id]
        self.sessions[session.session_id] = session
        session.connection = connection
        connection.session = session
        self.identify_count += 1
        ready: JsonDict = {
            "v": API_VERSION, "user": self._me(), "user_settings": {}, "relationships": [], "private_channels": [],
            "presences": [], "guild_join_requests": [], "geo_ordered_rtc_regions": ["fake"],
            "guilds": [{"id": str(gid), "unavailable": True} for gid in self.guilds],
            "session_id": session.session_id, "session_type": "normal", "resume_gateway_url": self.gateway_url,
            "application": {"id": str(self.application_id), "flags": 0}, "auth": {}, "_trace": ["fake-gateway"],
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        await self._dispatch_to(session, "READY", ready)
        for gid in self.guilds:
            if self._shard_of(gid, session):
                await self._dispatch_to(session, "GUILD_CREATE", self._guild_create_payload(gid, unavailable=False))

    async def _resume(self, connection: _Connection, data: JsonDict) -> None:
        session = self.sessions.get(str(data.get("session_id")))
        if session is None or (self.token is not None and data.get("token") != self.token):
            await self._send(connection, {"op": OP_INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        seq = int(data.get("seq") or 0)
        if session.connection is not None and session.connection is not connection:
            old = session.connection
            session.connection = None
            if not old.ws.closed:
                await old.ws.close(code=4000)
        session.connection = connection
        connection.session = session
        session.resumes += 1
        self.resume_count += 1
        for frame in [f for f in session.backlog if int(f["s"]) > seq]:
            await self._send(connection, frame)
        await self._dispatch_to(session, "RESUMED", {"_trace": ["fake-gateway"]})

    async def _members_chunk(self, connection: _Connection, data: JsonDict) -> None:
        session = connection.session
        if session is None:
            return
        guild_id = int(data.get("guild_id") or 0)
        wanted = {int(u) for u in data.get("user_ids") or []}
        members = [
            {k: v for k, v in m.items() if k != "permissions"}
            for uid, m in self.members.get(guild_id, {}).items() if not wanted or uid in wanted
        ]
        chunk: JsonDict = {"guild_id": str(guild_id), "members": members, "chunk_index": 0, "chunk_count": 1}
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        await self._dispatch_to(session, "GUILD_MEMBERS_CHUNK", chunk)

    @staticmethod
    def _shard_of(guild_id: int | None, session: GatewaySession) -> bool:
        shard = session.shard
        if shard is None or guild_id is None:
            return shard is None or shard[0] == 0
        return (guild_id >> 22) % shard[1] == shard[0]

    async def _dispatch_to(self, session: GatewaySession, event: str, data: JsonDict) -> int:
        session.seq += 1
        frame = {"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data}
        session.backlog.append(frame)
        if session.connection is not None:
            await self._send(session.connection, frame)
        self._touch()
        return session.seq

    def _target_sessions(self, data: JsonDict, only: Iterable[str] | None = None) -> list[GatewaySession]:
        guild_id = data.get("guild_id")
        wanted = None if only is None else set(only)
        return [s for s in self.sessions.values() if self._shard_of(int(guild_id) if guild_id else None, s)
                and (wanted is None or s.session_id in wanted)]

    async def dispatch(self, event_name: str, data: JsonDict, *, session_ids: Iterable[str] | None = None) -> int:
        """Push a DISPATCH event to every identified session (to the right shard if sharded), or only to the
        sessions named in ``session_ids``. A session whose connection dropped keeps it for replay on RESUME.
        Returns the sequence number used."""
        sessions = self._target_sessions(data, session_ids)
        if not sessions:
            raise RuntimeError(f"fake Discord: no gateway session to dispatch {event_name} to "
                               "(has the client connected and identified?)")
        seq = 0
        for session in sessions:
            seq = await self._dispatch_to(session, event_name, data)
        return seq

    async def _dispatch_if_listening(self, event_name: str, data: JsonDict, intent: int) -> None:
        for session in self._target_sessions(data):
            if session.intents & intent:
                await self._dispatch_to(session, event_name, data)

    async def drop_connection(self, code: int = 4000) -> None:
        """Close every gateway connection (sessions stay resumable). discord.py reconnects at once and RESUMEs
        for 4000 and (as an 'improper close') 1000; 4004 and 4010-4014 make it give up."""
        for connection in list(self._connections):
            if not connection.ws.closed:
                await connection.ws.close(code=code)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT: the client closes and RESUMEs."""
        for connection in list(self._connections):
            await self._send(connection, {"op": OP_RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; with ``resumable=False`` the sessions are forgotten (client re-IDENTIFYs)."""
        for connection in list(self._connections):
            if connection.session is not None and not resumable:
                self.sessions.pop(connection.session.session_id, None)
            await self._send(connection, {"op": OP_INVALID_SESSION, "d": resumable, "s": None, "t": None})

    # ---------------------------------------------------------------------------------------------- user actions

    def _interaction_base(self, itype: int, user_id: int, data: JsonDict, *, guild_id: int | None,
                          channel_id: int | None, message: SentMessage | None = None, locale: str = "en-US"
                          ) -> PushedInteraction:
        user = self._ensure_user(user_id)
        if channel_id is None:
            channel_id = self.guild_channel(guild_id) if guild_id is not None else self.dm_channel_id(user_id)
        if channel_id not in self.channels:
            raise ValueError(f"unknown channel {channel_id}: add it with add_guild/add_text_channel first")
        channel_guild = self._guild_of_channel(channel_id)
        if guild_id is None:
            guild_id = channel_guild
        elif channel_guild != guild_id:
            raise ValueError(f"channel {channel_id} is not in guild {guild_id}")
        iid = self._snowflake()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        payload: JsonDict = {
            "id": str(iid), "application_id": str(self.application_id), "type": itype, "data": data,
            "token": token, "version": 1, "locale": locale, "app_permissions": self.app_permissions,
            "entitlements": [], "entitlement_sku_ids": [], "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "channel_id": str(channel_id), "channel": self._channel_payload(channel_id),
        }
        if guild_id is not None:
            member = self.members[guild_id].get(user_id) or self.add_member(guild_id, user_id)
            payload.update({
                "guild_id": str(guild_id), "guild": {"id": str(guild_id), "locale": "en-US", "features": []},
                "guild_locale": "en-US", "member": member, "context": CONTEXT_GUILD,
                "authorizing_integration_owners": {"0": str(guild_id)},
            })
            context = CONTEXT_GUILD
        else:
            channel = self.channels[channel_id]
            if channel["type"] == CHANNEL_DM and int(channel["recipient_id"]) == user_id:
                context = CONTEXT_BOT_DM
                owners = {"0": "0"}
            else:
                context = CONTEXT_PRIVATE_CHANNEL
                owners = {"1": str(user_id)}
            payload.update({"user": user, "context": context, "authorizing_integration_owners": owners})
        if message is not None:
            payload["message"] = message.payload
        pushed = PushedInteraction(iid, token, itype, user_id, channel_id, guild_id, context, payload,
                                   asyncio.get_running_loop().time(),
                                   message.id if message is not None else None)
        return pushed

    async def _push(self, interaction: PushedInteraction, session_ids: Iterable[str] | None = None
                    ) -> PushedInteraction:
        # Register first: the bot may answer before dispatch() returns.
        self.interactions[interaction.id] = interaction
        self._interactions_by_token[interaction.token] = interaction
        interaction.pushed_at = asyncio.get_running_loop().time()
        await self.dispatch("INTERACTION_CREATE", interaction.payload, session_ids=session_ids)
        return interaction

    async def push_interaction(self, payload: JsonDict, *, session_ids: Iterable[str] | None = None
                               ) -> PushedInteraction:
        """Push a hand-made INTERACTION_CREATE (say, a malformed one) as it is. If it has an ``id`` and a
        ``token`` the fake accepts callbacks to it like any other; its ``type``, ``user`` or ``member`` may be
        anything, which is the point."""
        def number(value: Any, default: int) -> int:
            try:
                return int(value)
            except (TypeError, ValueError):
                return default

        iid = number(payload.get("id"), 0) or self._snowflake()
        token = str(payload.get("token") or "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48))
        user = payload.get("user") or (payload.get("member") or {}).get("user") or {}
        message = payload.get("message")
        message_id = number(message.get("id"), 0) if isinstance(message, dict) else 0
        pushed = PushedInteraction(iid, token, number(payload.get("type"), 0),
                                   number(user.get("id") if isinstance(user, dict) else None, 0),
                                   number(payload.get("channel_id"), 0), None, number(payload.get("context"), 0),
                                   payload, asyncio.get_running_loop().time(), message_id or None)
        return await self._push(pushed, session_ids)

    async def repush(self, interaction: PushedInteraction, *, session_ids: Iterable[str] | None = None
                     ) -> PushedInteraction:
        """Deliver an interaction already pushed (same id and token) once more, e.g. to another session."""
        await self.dispatch("INTERACTION_CREATE", interaction.payload, session_ids=session_ids)
        return interaction

    async def send_raw_frame(self, text: str) -> int:
        """Send ``text`` as it is (not necessarily JSON) on every open gateway connection; returns how many."""
        sent = 0
        for connection in list(self._connections):
            async with connection.lock:
                if connection.ws.closed:
                    continue
                data = text.encode()
                if connection.compressor is not None:
                    await connection.ws.send_bytes(connection.compressor.compress(data)
                                                   + connection.compressor.flush(zlib.Z_SYNC_FLUSH))
                else:
                    await connection.ws.send_str(text)
                sent += 1
        return sent

    def _synced_command(self, name: str, guild_id: int | None, ctype: int = 1) -> JsonDict | None:
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for command in self.commands.get(scope, []):
                if command["name"] == name and command["type"] == ctype:
                    return command
        return None

    def _command_data(self, name: str, options: Mapping[str, Any] | list[JsonDict] | None, guild_id: int | None,
                      context: int, focused: str | None = None) -> JsonDict:
        root, *path = name.split()
        command = self._synced_command(root, guild_id)
        if command is not None:
            contexts = command.get("contexts")
            if contexts is not None and context not in contexts:
                raise ValueError(f"/{root} is not available in context {context} (its contexts: {contexts})")
            if context != CONTEXT_GUILD and command.get("guild_id") is not None:
                raise ValueError(f"/{root} is a guild command; it cannot be used outside its guild")
        definitions: list[JsonDict] = list(command.get("options") or []) if command else []
        for part in path:
            sub = next((o for o in definitions if o.get("name") == part), None)
            definitions = list(sub.get("options") or []) if sub else []
        resolved: JsonDict = {}
        built = self._options(options, definitions, resolved, focused)
        for part, depth in reversed(list(zip(path, range(len(path)), strict=True))):
            kind = 2 if depth < len(path) - 1 else 1
            built = [{"type": kind, "name": part, "options": built}]
        data: JsonDict = {"id": command["id"] if command else str(self._snowflake()), "name": root, "type": 1}
        if built:
            data["options"] = built
        if resolved:
            data["resolved"] = resolved
        if command is not None and command.get("guild_id") is not None:
            data["guild_id"] = command["guild_id"]
        return data

    def _options(self, options: Mapping[str, Any] | list[JsonDict] | None, definitions: list[JsonDict],
                 resolved: JsonDict, focused: str | None) -> list[JsonDict]:
        if options is None:
            return []
        if isinstance(options, list):
            return copy.deepcopy(options)
        built: list[JsonDict] = []
        for key, value in options.items():
            definition = next((d for d in definitions if d.get("name") == key), None)
            if definition is not None:
                kind = int(definition["type"])
            elif isinstance(value, bool):
                kind = 5
            elif isinstance(value, int):
                kind = 4
            elif isinstance(value, float):
                kind = 10
            else:
                kind = 3
            option: JsonDict = {"name": key, "type": kind, "value": value}
            if kind in (6, 9) and focused != key:  # user / mentionable: resolve the user
                uid = int(value)
                option["value"] = str(uid)
                resolved.setdefault("users", {})[str(uid)] = self._ensure_user(uid)
            elif kind == 7 and focused != key:
                cid = int(value)
                option["value"] = str(cid)
                resolved.setdefault("channels", {})[str(cid)] = {
                    k: v for k, v in self._channel_payload(cid).items() if k in ("id", "type", "name", "guild_id")
                } | {"permissions": DEFAULT_MEMBER_PERMISSIONS}
            if focused == key:
                option["focused"] = True
                option["value"] = str(value)
            built.append(option)
        return built

    async def slash_command(self, user_id: int, name: str, options: Mapping[str, Any] | list[JsonDict] | None = None,
                            guild_id: int | None = None, channel_id: int | None = None, *, locale: str = "en-US"
                            ) -> PushedInteraction:
        """A user runs ``/name`` (``"group sub"`` for subcommands). ``options``: raw option dicts, or
        ``{name: value}`` typed from the synced command's definition (or from the Python type). Without
        ``guild_id``/``channel_id`` it happens in the user's DM with the bot. ``data.id`` (and ``data.guild_id``
        for guild commands) match the synced command, as discord.py's CommandTree needs."""
        context = self._context_for(user_id, guild_id, channel_id)
        data = self._command_data(name, options, guild_id if guild_id is not None else
                                  (self._guild_of_channel(channel_id) if channel_id else None), context)
        interaction = self._interaction_base(INTERACTION_APPLICATION_COMMAND, user_id, data, guild_id=guild_id,
                                             channel_id=channel_id, locale=locale)
        return await self._push(interaction)

    async def autocomplete(self, user_id: int, name: str, options: Mapping[str, Any] | list[JsonDict] | None,
                           focused: str, guild_id: int | None = None, channel_id: int | None = None
                           ) -> PushedInteraction:
        """A user is typing into option ``focused`` of ``/name`` (type 4); the bot answers with callback type 8."""
        context = self._context_for(user_id, guild_id, channel_id)
        data = self._command_data(name, options, guild_id if guild_id is not None else
                                  (self._guild_of_channel(channel_id) if channel_id else None), context, focused)
        interaction = self._interaction_base(INTERACTION_AUTOCOMPLETE, user_id, data, guild_id=guild_id,
                                             channel_id=channel_id)
        return await self._push(interaction)

    def _context_for(self, user_id: int, guild_id: int | None, channel_id: int | None) -> int:
        if guild_id is not None or (channel_id is not None and self._guild_of_channel(channel_id) is not None):
            return CONTEXT_GUILD
        if channel_id is None or self.channels.get(channel_id, {}).get("recipient_id") == str(user_id):
            return CONTEXT_BOT_DM
        return CONTEXT_PRIVATE_CHANNEL

    def _clickable(self, user_id: int, custom_id: str, message: SentMessage | JsonDict | int | None,
                   types: frozenset[int]) -> tuple[SentMessage, JsonDict]:
        if message is None:
            candidates = [m for m in reversed(self._messages_by_id.values()) if not m.deleted
                          and (m.visible_to in (None, user_id)) and (c := m.find_component(custom_id)) is not None
                          and c.get("type") in types]
            if not candidates:
                raise ValueError(f"no message the user can see has a component with custom_id {custom_id!r}")
            found = candidates[0]
        elif isinstance(message, SentMessage):
            found = message
        else:
            mid = int(message["id"]) if isinstance(message, dict) else int(message)
            if mid not in self._messages_by_id:
                raise ValueError(f"unknown message {mid}")
            found = self._messages_by_id[mid]
        if found.deleted:
            raise ValueError(f"message {found.id} was deleted")
        if found.visible_to is not None and found.visible_to != user_id:
            raise ValueError(f"message {found.id} is ephemeral for user {found.visible_to}")
        channel = self.channels.get(found.channel_id, {})
        if channel.get("type") == CHANNEL_DM and channel.get("recipient_id") != str(user_id):
            raise ValueError(f"message {found.id} is in another user's DM")
        component = found.find_component(custom_id)
        if component is None or component.get("type") not in types:
            raise ValueError(f"message {found.id} has no such component {custom_id!r}; it has {found.custom_ids()}")
        if component.get("disabled"):
            raise ValueError(f"component {custom_id!r} on message {found.id} is disabled")
        return found, component

    async def click_button(self, user_id: int, custom_id: str, message: SentMessage | JsonDict | int | None = None,
                           guild_id: int | None = None, channel_id: int | None = None, *,
                           session_ids: Iterable[str] | None = None) -> PushedInteraction:
        """A user clicks a button (INTERACTION_CREATE type 3, component_type 2) on a message the bot sent
        (default: the newest one that has this custom_id and that the user can see). The payload carries the
        full message: discord.py's DynamicItem dispatch silently drops clicks whose message lacks the button."""
        found, _ = self._clickable(user_id, custom_id, message, frozenset({COMPONENT_BUTTON}))
        data = {"custom_id": custom_id, "component_type": COMPONENT_BUTTON}
        interaction = self._interaction_base(INTERACTION_MESSAGE_COMPONENT, user_id, data, guild_id=guild_id,
                                             channel_id=channel_id or found.channel_id, message=found)
        return await self._push(interaction, session_ids)

    async def select(self, user_id: int, custom_id: str, values: list[str],
                     message: SentMessage | JsonDict | int | None = None, guild_id: int | None = None,
                     channel_id: int | None = None) -> PushedInteraction:
        """A user picks ``values`` in a select menu (component_type 3, or 5-8 as the component says)."""
        found, component = self._clickable(user_id, custom_id, message, SELECT_TYPES)
        ctype = int(component["type"])
        low, high = int(component.get("min_values", 1)), int(component.get("max_values", 1))
        if not low <= len(values) <= high:
            raise ValueError(f"select {custom_id!r} takes {low}..{high} values, got {len(values)}")
        data: JsonDict = {"custom_id": custom_id, "component_type": ctype, "values": [str(v) for v in values]}
        if ctype == COMPONENT_STRING_SELECT:
            offered = {str(o.get("value")) for o in component.get("options") or []}
            unknown = [v for v in values if str(v) not in offered]
            if unknown:
                raise ValueError(f"select {custom_id!r} offers {sorted(offered)}, not {unknown}")
        elif ctype == COMPONENT_USER_SELECT:
            data["resolved"] = {"users": {str(v): self._ensure_user(int(v)) for v in values}}
        interaction = self._interaction_base(INTERACTION_MESSAGE_COMPONENT, user_id, data, guild_id=guild_id,
                                             channel_id=channel_id or found.channel_id, message=found)
        return await self._push(interaction)

    async def submit_modal(self, user_id: int, custom_id: str, fields: Mapping[str, str | list[str]]
                           ) -> PushedInteraction:
        """A user submits the modal ``custom_id`` the bot showed them (type 9 callback) with ``fields``
        (text input custom_id -> value; select custom_id -> list of values). The submission mirrors the modal's
        layout (action rows or labels) and carries the opener's channel, guild and message."""
        opened = [
            (self.interactions[iid], cb) for iid, cb in self.interaction_responses.items()
            if cb.type == CALLBACK_MODAL and cb.custom_id == custom_id and self.interactions[iid].user_id == user_id
        ]
        if not opened:
            raise ValueError(f"the bot never showed user {user_id} a modal with custom_id {custom_id!r}")
        opener, callback = opened[-1]
        remaining = dict(fields)

        def answer(component: JsonDict) -> JsonDict | None:
            ctype = component.get("type")
            if ctype == COMPONENT_ACTION_ROW:
                inner = [a for c in component.get("components") or [] if (a := answer(c)) is not None]
                return {"type": ctype, "id": component.get("id"), "components": inner}
            if ctype == COMPONENT_LABEL:
                inner_answer = answer(component["component"])
                return {"type": ctype, "id": component.get("id"), "component": inner_answer}
            if ctype == COMPONENT_TEXT_INPUT:
                cid = str(component["custom_id"])
                value = remaining.pop(cid, None)
                if value is None and component.get("value"):  # left as the bot filled it in
                    value = str(component["value"])
                if value is None:
                    if component.get("required", True):
                        raise ValueError(f"modal {custom_id!r}: text input {cid!r} is required")
                    value = ""
                if not isinstance(value, str):
                    raise ValueError(f"modal {custom_id!r}: text input {cid!r} takes a string")
                if len(value) > int(component.get("max_length") or 4000) or len(value) < int(
                        component.get("min_length") or 0):
                    raise ValueError(f"modal {custom_id!r}: {cid!r} length out of bounds")
                return {"type": ctype, "id": component.get("id"), "custom_id": cid, "value": value}
            if ctype in SELECT_TYPES:
                cid = str(component["custom_id"])
                picked = remaining.pop(cid, [])
                return {"type": ctype, "id": component.get("id"), "custom_id": cid,
                        "values": [picked] if isinstance(picked, str) else list(picked)}
            if ctype == COMPONENT_TEXT_DISPLAY:
                return {"type": ctype, "id": component.get("id")}
            return None

        components = [a for c in self._assign_component_ids(callback.components) if (a := answer(c)) is not None]
        if remaining:
            raise ValueError(f"modal {custom_id!r} has no inputs {sorted(remaining)}")
        data = {"custom_id": custom_id, "components": components}
        message = self._messages_by_id.get(opener.message_id) if opener.message_id is not None else None
        interaction = self._interaction_base(INTERACTION_MODAL_SUBMIT, user_id, data, guild_id=opener.guild_id,
                                             channel_id=opener.channel_id, message=message)
        return await self._push(interaction)

    async def user_edits_message(self, user_id: int, message: JsonDict, content: str) -> JsonDict | None:
        """A user edits a message they wrote in their DM with the bot -> MESSAGE_UPDATE carrying the whole edited
        message, as Discord sends it (with DIRECT_MESSAGES). Returns the payload pushed (None if nobody wanted it)."""
        payload = dict(message, content=content, edited_timestamp=_iso())
        sent = None
        for session in self._target_sessions(payload):
            if session.intents & INTENT_DIRECT_MESSAGES:
                await self._dispatch_to(session, "MESSAGE_UPDATE", payload)
                sent = payload
        return sent

    async def user_message(self, user_id: int, content: str, channel_id: int | None = None) -> JsonDict | None:
        """A user writes a message (default: in their DM with the bot) -> MESSAGE_CREATE. As on Discord, guild
        messages carry content only with the MESSAGE_CONTENT intent or when they mention the bot, and nothing is
        sent without DIRECT_MESSAGES / GUILD_MESSAGES. Returns the payload pushed (None if no session wanted it)."""
        user = self._ensure_user(user_id)
        cid = channel_id if channel_id is not None else self.dm_channel_id(user_id)
        guild_id = self._guild_of_channel(cid)
        mid = self._snowflake()
        mentions_bot = f"<@{self.bot_id}>" in content or f"<@!{self.bot_id}>" in content
        payload: JsonDict = {
            "id": str(mid), "channel_id": str(cid), "type": 0, "author": user, "content": content,
            "timestamp": _iso(), "edited_timestamp": None, "tts": False, "mention_everyone": False,
            "mentions": [self._bot_user()] if mentions_bot else [], "mention_roles": [], "attachments": [],
            "embeds": [], "components": [], "pinned": False, "flags": 0, "nonce": str(mid),
        }
        if guild_id is not None:
            payload["guild_id"] = str(guild_id)
            member = self.members[guild_id].get(user_id) or self.add_member(guild_id, user_id)
            payload["member"] = {k: v for k, v in member.items() if k not in ("user", "permissions")}
        self.user_messages[cid].append(payload)
        sent = None
        for session in self._target_sessions(payload):
            intent = INTENT_GUILD_MESSAGES if guild_id is not None else INTENT_DIRECT_MESSAGES
            if not session.intents & intent:
                continue
            event = dict(payload)
            if guild_id is not None and not mentions_bot and not session.intents & INTENT_MESSAGE_CONTENT:
                event.update({"content": "", "embeds": [], "attachments": [], "components": []})
            await self._dispatch_to(session, "MESSAGE_CREATE", event)
            sent = event
        return sent
