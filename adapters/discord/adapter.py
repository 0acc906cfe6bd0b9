"""The Discord adapter: slash commands, token buttons and selects, modals for typed answers, DMs.

Thin by design: it turns interactions into core events and core replies into Discord messages. Nothing a
person writes is logged or shown in a server channel: in a server every answer is ephemeral and a check-in
moves to the person's DMs.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Self

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl
from discord import app_commands

from adapters.discord.dm_cleanup import delete_own_messages, newest_id
from adapters.discord.gateway_guard import guard_gateway
from adapters.discord.global_pace import GlobalPace, count_answers
from adapters.discord.pulse_form import COMMENT_INPUT, DiscordPulseForm
from adapters.discord.pulse_form import read_token as pulse_form_token
from adapters.discord.render import (
    CAPABILITIES,
    FORM_BUTTON_PREFIX,
    FORM_MODAL_PREFIX,
    MAX_CONTENT,
    MAX_MODAL_TITLE,
    ButtonSpec,
    Outgoing,
    SelectSpec,
    Style,
    discord_files,
    form_inputs,
    merge_messages,
    render_replies,
)
from bot.background import start_counted
from bot.bounded import BoundedDict
from bot.commands import COMMANDS
from bot.community.common import ChannelPost, Removal
from bot.content.loader import Content, Texts
from bot.conversation import Conversation
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, Incoming, TextSubmitted
from bot.logsafe import describe_exception
from bot.messages import TOKEN_PATTERN, Address, Form, Reply, form_name, parse_token
from bot.ops.metrics import response_class
from bot.ports import RateLimited, TemporaryFailure, Unreachable
from bot.response import OpenForm, Place, Response, Roles, TextBox, Where, opens_text_box, settles
from bot.scheduling.rules import find_zones
from bot.storage.seen import SeenEvents

log = logging.getLogger(__name__)

PLATFORM = "discord"
# One identity per Discord user: user ids are global, and a check-in started in a server continues in DMs.
PERSONAL_WORKSPACE = "dm"
TEXT_INPUT_ID = "text"
DMS_CLOSED = 50007
DM_CHANNELS_KEPT = 50_000  # people whose DM channel id is remembered here (the core keeps it too)
ALREADY_ACKNOWLEDGED = 40060  # another process answered this interaction first
OPEN_DM_TIMEOUT_S = 5.0  # opening a DM is safe to repeat: one Discord does not answer fails after this (see _open_dm)
DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
MODAL_TIMEOUT = 900.0

THREAD_NAME_MAX = 100
SNOOZE_OPTIONS = ("1h", "evening", "tomorrow")

Interaction = discord.Interaction[discord.Client]


def configure_endpoints(api_base: str, gateway_url: str) -> None:
    """Point discord.py at a REST proxy or a local Discord (process-wide: discord.py keeps these on classes)."""
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def delivery_error(exc: BaseException) -> Exception | None:
    """What a failed send means for the core's delivery: closed DMs, wait, or try again later."""
    if isinstance(exc, discord.Forbidden) and exc.code == DMS_CLOSED:
        return Unreachable("direct messages closed")
    if isinstance(exc, discord.RateLimited):
        return RateLimited(exc.retry_after)
    if isinstance(exc, discord.HTTPException) and exc.status == 429:
        retry_after = exc.response.headers.get("Retry-After") if exc.response is not None else None
        try:
            return RateLimited(float(retry_after) if retry_after else 5.0)
        except ValueError:
            return RateLimited(5.0)
    if isinstance(exc, discord.HTTPException) and exc.status >= 500:
        return TemporaryFailure(f"discord answered {exc.status}")
    if isinstance(exc, (TimeoutError, aiohttp.ClientError, OSError, discord.GatewayNotFound)):
        return TemporaryFailure(type(exc).__name__)
    return None


def acknowledged_elsewhere(interaction: Interaction, exc: BaseException) -> bool:
    """Whether acknowledging an interaction failed because another instance had already answered it (two
    processes on one token both receive every interaction; the first answer wins)."""
    return (isinstance(exc, discord.HTTPException) and exc.code == ALREADY_ACKNOWLEDGED
            and not interaction.response.is_done())


def our_custom_id(custom_id: str) -> bool:
    """Whether a component's custom id is one this adapter makes (a core token or a form button), i.e. one
    that discord.py hands to TokenItem or FormItem; any other click would go unanswered."""
    return any(item.__discord_ui_compiled_template__.fullmatch(custom_id) is not None
               for item in (TokenItem, FormItem))


def modal_values(components: Iterable[Any]) -> dict[str, str]:
    """Every text input's value in a modal submission, by custom id (in action rows or labels, as Discord
    sends them)."""
    values: dict[str, str] = {}
    for component in components:
        if not isinstance(component, Mapping):  # a malformed submission: nothing to read here
            continue
        if "custom_id" in component and "value" in component:
            values[str(component["custom_id"])] = str(component["value"])
        nested = component.get("components")
        inner = list(nested) if isinstance(nested, list) else []
        if isinstance(component.get("component"), Mapping):
            inner.append(component["component"])
        values.update(modal_values(inner))
    return values


def modal_text(components: Iterable[Any]) -> str | None:
    """The value of our text input in a modal submission."""
    return modal_values(components).get(TEXT_INPUT_ID)


def message_link(guild_id: int, channel_id: str, message_id: str) -> str:
    return f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id.rpartition('/')[2]}"


def picked_labels(components: Sequence[discord.Component], custom_id: str, values: Sequence[str]) -> list[str]:
    """The labels a person saw for what they picked: the clicked button's, or the chosen options'."""
    for component in components:
        if isinstance(component, discord.ActionRow):
            found = picked_labels(component.children, custom_id, values)
            if found:
                return found
        elif isinstance(component, discord.Button) and component.custom_id == custom_id and component.label:
            return [component.label]
        elif isinstance(component, discord.SelectMenu) and component.custom_id == custom_id:
            return [option.label for option in component.options if option.value in values]
    return []


class TokenItem(discord.ui.DynamicItem[discord.ui.Item[discord.ui.View]], template=TOKEN_PATTERN):
    """A button or select whose custom_id is a core token: it works after a restart, on any instance."""

    def __init__(self, item: discord.ui.Item[discord.ui.View], adapter: DiscordAdapter | None = None) -> None:
        super().__init__(item)
        self.adapter = adapter

    @classmethod
    async def from_custom_id(cls, interaction: Interaction, item: discord.ui.Item[discord.ui.View],
                             match: re.Match[str], /) -> Self:
        client = interaction.client
        adapter = client.adapter if isinstance(client, _Hooks) else None
        return cls(item, adapter)

    async def callback(self, interaction: Interaction) -> None:
        if self.adapter is not None:
            values = tuple(self.item.values) if isinstance(self.item, discord.ui.Select) else ()
            await self.adapter.on_component(interaction, self.custom_id, values)


class TokenModal(discord.ui.Modal):
    """The text box for a free-text step. Its submission is handled in on_interaction (the same code path
    after a restart, when discord.py no longer knows the modal), so on_submit does nothing."""

    def __init__(self, box: TextBox, texts: Texts) -> None:
        # A timeout, so a box opened and closed unsent does not stay in discord.py's memory for ever.
        super().__init__(title=texts.get("text_box_title"), custom_id=box.token, timeout=MODAL_TIMEOUT)
        limit = min(box.max_length, 4000) if box.max_length > 0 else 4000
        default = box.initial
        self.add_item(discord.ui.TextInput(label=texts.get("text_box_label"), custom_id=TEXT_INPUT_ID,
                                           style=discord.TextStyle.paragraph, max_length=limit,
                                           default=default[:limit] or None))

    async def on_submit(self, interaction: Interaction, /) -> None:
        return None


class FormItem(TokenItem, template=FORM_BUTTON_PREFIX.replace(":", r"\:") + r"(?P<name>[a-z_]{1,30})"):
    """The button that opens a form (the schedule settings): filled in fresh when clicked, after restarts too."""

    async def callback(self, interaction: Interaction) -> None:
        if self.adapter is not None:
            await self.adapter.on_form_button(interaction, self.custom_id)


class FormModal(discord.ui.Modal):
    """A form as a modal, its inputs filled in with the current settings. Like TokenModal, its submission is
    handled in on_interaction, so it works the same after a restart."""

    def __init__(self, form: Form) -> None:
        super().__init__(title=form.title[:MAX_MODAL_TITLE] or "Settings", custom_id=FORM_MODAL_PREFIX + form.name,
                         timeout=MODAL_TIMEOUT)
        for spec in form_inputs(form):
            style = discord.TextStyle.paragraph if spec.max_length > 200 else discord.TextStyle.short
            self.add_item(discord.ui.TextInput(label=spec.label, custom_id=spec.custom_id, required=False,
                                               default=spec.default or None, max_length=spec.max_length,
                                               placeholder=spec.placeholder or None, style=style))

    async def on_submit(self, interaction: Interaction, /) -> None:
        return None


class _Hooks:
    """What the adapter needs from its client; mixed into Client or AutoShardedClient."""

    adapter: DiscordAdapter

    async def setup_hook(self) -> None:
        await self.adapter.setup()

    async def on_interaction(self, interaction: Interaction) -> None:
        await self.adapter.on_interaction(interaction)

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self.adapter.on_message_edit(payload.message)

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        exc = sys.exc_info()[1]
        log.error("discord event %s failed: %s", event_method,
                  describe_exception(exc) if exc is not None else "unknown")


class _Client(_Hooks, discord.Client):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter


class _ShardedClient(_Hooks, discord.AutoShardedClient):
    def __init__(self, adapter: DiscordAdapter, **options: Any) -> None:
        super().__init__(**options)
        self.adapter = adapter


class DiscordAdapter:
    name = PLATFORM
    capabilities = CAPABILITIES

    def __init__(self, conversation: Conversation, content: Content, token: str, *,
                 guild_ids: Sequence[int] = (), shard_ids: Sequence[int] | None = None,
                 shard_count: int | None = None, sync_commands: bool = True,
                 guild_ready_timeout: float = 2.0, max_ratelimit_timeout: float | None = 30.0,
                 seen_events: SeenEvents | None = None, global_pace: GlobalPace | None = None,
                 open_dm_timeout: float = OPEN_DM_TIMEOUT_S,
                 http_observer: Callable[[str], None] | None = None) -> None:
        # discord.py logs raw gateway payloads and request bodies at DEBUG: those hold what people write.
        library_log = logging.getLogger("discord")
        library_log.setLevel(max(logging.INFO, library_log.level))
        self._conversation = conversation
        self._content = content
        self._token = token
        self._guild_ids = tuple(guild_ids)
        self._sync_commands = sync_commands
        self._dm_channels: BoundedDict[str, int] = BoundedDict(DM_CHANNELS_KEPT)
        self._open_dm_timeout = open_dm_timeout
        self._dm_cleanups: set[asyncio.Task[None]] = set()  # the bot's DM messages going after a /forget
        conversation.traces.keep_with(PLATFORM, self)
        # Two unsharded processes on one token both receive every DM: the first to claim a message handles it.
        self._seen_events = seen_events
        intents = discord.Intents.default()
        intents.message_content = False
        # Every REST request, discord.py's own retries included, within Discord's 50 a second.
        self.global_pace = global_pace or GlobalPace()
        trace = self.global_pace.trace_config()
        if http_observer is not None:  # operators' counts of Discord's answers by class (bot/ops/metrics.py)
            count_answers(trace, http_observer, response_class)
        options: dict[str, Any] = {
            "intents": intents, "allowed_mentions": discord.AllowedMentions.none(),
            "guild_ready_timeout": guild_ready_timeout, "max_ratelimit_timeout": max_ratelimit_timeout,
            "http_trace": trace,
        }
        if shard_ids or shard_count:
            self.client: discord.Client = _ShardedClient(self, shard_ids=list(shard_ids) if shard_ids else None,
                                                         shard_count=shard_count, **options)
        else:
            self.client = _Client(self, **options)
        guard_gateway(self.client)  # a malformed gateway event is dropped, not the end of the process
        self.tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(
            self.client,
            allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True, private_channel=True),
            allowed_installs=app_commands.AppInstallationType(guild=True, user=True),
        )
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self._add_commands()
        self._pulse_form = DiscordPulseForm(conversation, self._kwargs, self.address, self._guild_of)

    # ------------------------------------------------------------ lifecycle

    async def run(self) -> None:
        async with self.client:
            await self.client.start(self._token)

    def connected(self) -> bool:
        """The gateway is up: ready once, not closed, and every websocket this process runs is open (readiness)."""
        client = self.client
        if not client.is_ready() or client.is_closed():
            return False
        if isinstance(client, discord.AutoShardedClient):
            return bool(client.shards) and not any(shard.is_closed() for shard in client.shards.values())
        socket = client.ws
        return socket is not None and socket.open

    async def setup(self) -> None:
        self.client.add_dynamic_items(TokenItem, FormItem)
        if not self._sync_commands:
            return
        if self._guild_ids:
            for guild_id in self._guild_ids:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d commands to server %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (Discord may take a while to show them everywhere)", len(synced))

    # ------------------------------------------------------------ commands

    def _add_commands(self) -> None:
        texts = self._conversation.texts
        flows = [app_commands.Choice(name=f"{flow.name} — {flow.description}"[:100], value=flow.name)
                 for flow in self._content.flows.values()][:25]
        adapter = self

        @app_commands.command(name="checkin", description=texts.get("command_checkin"))
        @app_commands.describe(flow=texts.get("option_checkin_flow"))
        @app_commands.choices(flow=flows)
        async def checkin(interaction: Interaction, flow: str | None = None) -> None:
            await adapter.on_command(interaction, "checkin", flow or "")

        @app_commands.command(name="tip", description=texts.get("command_tip"))
        @app_commands.describe(topic=texts.get("option_tip_topic"))
        async def tip(interaction: Interaction, topic: str | None = None) -> None:
            await adapter.on_command(interaction, "tip", topic or "")

        @tip.autocomplete("topic")
        async def topic_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
            return adapter.topic_choices(current)

        @app_commands.command(name="schedule", description=texts.get("command_schedule"))
        @app_commands.describe(rule=texts.get("option_schedule_rule"),
                               timezone=texts.get("option_schedule_timezone"))
        async def schedule(interaction: Interaction, rule: str | None = None, timezone: str | None = None) -> None:
            args = " ".join(part for part in (rule or "", f"in {timezone}" if timezone else "") if part)
            await adapter.on_command(interaction, "schedule", args)

        @schedule.autocomplete("timezone")
        async def zone_choices(interaction: Interaction, current: str) -> list[app_commands.Choice[str]]:
            try:
                zones = find_zones(current[:100], limit=25)
            except Exception as exc:  # a suggestion list must never take the command down
                log.error("discord timezone autocomplete failed: %s", describe_exception(exc))
                zones = []
            return [app_commands.Choice(name=zone[:100], value=zone[:100]) for zone in zones]

        @app_commands.command(name="pause", description=texts.get("command_pause"))
        @app_commands.describe(until=texts.get("option_pause_until"))
        async def pause(interaction: Interaction, until: str | None = None) -> None:
            await adapter.on_command(interaction, "pause", until or "")

        @app_commands.command(name="vacation", description=texts.get("command_vacation"))
        @app_commands.describe(until=texts.get("option_vacation_until"))
        async def vacation(interaction: Interaction, until: str | None = None) -> None:
            await adapter.on_command(interaction, "vacation", until or "")

        @app_commands.command(name="snooze", description=texts.get("command_snooze"))
        @app_commands.describe(when=texts.get("option_snooze_when"))
        @app_commands.choices(when=[app_commands.Choice(name=texts.get(f"snooze_choice_{value}"), value=value)
                                    for value in SNOOZE_OPTIONS])
        async def snooze(interaction: Interaction, when: str | None = None) -> None:
            await adapter.on_command(interaction, "snooze", when or "")

        @app_commands.command(name="share", description=texts.get("command_share"))
        @app_commands.describe(text=texts.get("option_share_text"))
        async def share(interaction: Interaction, text: str | None = None) -> None:
            await adapter.on_share(interaction, text or "")

        @app_commands.command(name="plan", description=texts.get("command_plan"))
        @app_commands.describe(action=texts.get("option_plan_action"))
        async def plan(interaction: Interaction, action: str | None = None) -> None:
            await adapter.on_command(interaction, "plan", action or "")

        admins_only = discord.Permissions(manage_guild=True)
        circle = app_commands.Group(name="circle", description=texts.get("command_circle"),
                                    default_permissions=admins_only)

        @circle.command(name="setup", description=texts.get("command_circle_setup"))
        @app_commands.describe(day=texts.get("option_circle_setup_day"), time=texts.get("option_circle_setup_time"),
                               timezone=texts.get("option_circle_setup_timezone"))
        async def circle_setup(interaction: Interaction, day: str, time: str, timezone: str) -> None:
            await adapter.on_command(interaction, "circle", f"setup {day} {time} {timezone}")

        circle_setup.autocomplete("timezone")(zone_choices)

        @circle.command(name="status", description=texts.get("command_circle_status"))
        async def circle_status(interaction: Interaction) -> None:
            await adapter.on_command(interaction, "circle", "status")

        pulse = app_commands.Group(name="pulse", description=texts.get("command_pulse"),
                                   default_permissions=admins_only)

        @pulse.command(name="open", description=texts.get("command_pulse_open"))
        @app_commands.describe(closes=texts.get("option_pulse_open_closes"),
                               minimum=texts.get("option_pulse_open_minimum"))
        async def pulse_open(interaction: Interaction, closes: str, minimum: int | None = None) -> None:
            extra = f" min {minimum}" if minimum is not None else ""
            await adapter.on_command(interaction, "pulse", f"open {closes}{extra}")

        @pulse.command(name="status", description=texts.get("command_pulse_status"))
        async def pulse_status(interaction: Interaction) -> None:
            await adapter.on_command(interaction, "pulse", "status")

        special: dict[str, app_commands.Command[Any, ..., None] | app_commands.Group] = {
            "checkin": checkin, "tip": tip, "schedule": schedule, "pause": pause, "vacation": vacation,
            "snooze": snooze, "share": share, "circle": circle, "pulse": pulse, "plan": plan,
        }
        for name in COMMANDS:
            self.tree.add_command(special.get(name) or self._plain_command(name))

    def _plain_command(self, name: str) -> app_commands.Command[Any, ..., None]:
        async def run(interaction: Interaction) -> None:
            await self.on_command(interaction, name, "")

        return app_commands.Command(name=name, description=self._conversation.texts.get(f"command_{name}"),
                                    callback=run)

    def topic_choices(self, current: str) -> list[app_commands.Choice[str]]:
        typed = current.strip().lower()
        return [app_commands.Choice(name=f"{topic.label} — {topic.description}"[:100], value=topic.id)
                for topic in self._content.topics.values()
                if not typed or typed in topic.id or typed in topic.label.lower()][:25]

    # ------------------------------------------------------------ incoming

    @staticmethod
    def address(interaction: Interaction) -> Address:
        return Address(PLATFORM, PERSONAL_WORKSPACE, str(interaction.user.id), str(interaction.channel_id or ""))

    @staticmethod
    def _in_guild(interaction: Interaction) -> bool:
        return interaction.guild_id is not None

    @staticmethod
    def roles(interaction: Interaction) -> tuple[bool, bool]:
        """(admin, moderator) as Discord says: Manage Server / Manage Messages, and only in a server."""
        if interaction.guild_id is None:
            return False, False
        permissions = interaction.permissions
        return bool(permissions.manage_guild), bool(permissions.manage_messages)

    async def on_share(self, interaction: Interaction, text: str) -> None:
        """`/share text` shares at once; `/share` alone opens the box (a modal) to write it in."""
        if text.strip():
            await self.on_command(interaction, "share", text)
            return

        async def run() -> None:
            response = await self._conversation.handle(FormOpened(self.address(interaction), "share"))
            if not isinstance(response.opens, OpenForm):
                await self._handle(interaction, Command(self.address(interaction), "share", ""))
                return
            await interaction.response.send_modal(FormModal(response.opens.form))

        await self._guarded(interaction, "/share", run)

    async def on_command(self, interaction: Interaction, name: str, args: str) -> None:
        await self._guarded(interaction, f"/{name}", lambda: self._handle(
            interaction, Command(self.address(interaction), name, args)))

    async def on_component(self, interaction: Interaction, custom_id: str, values: tuple[str, ...]) -> None:
        form_token = pulse_form_token(custom_id)
        if form_token is not None:  # the team pulse: one private form in the round's channel, never a DM
            await self._guarded(interaction, "pulse form",
                                lambda: self._pulse_form.on_component(interaction, form_token, values))
            return

        async def run() -> None:
            if opens_text_box(custom_id):  # "Write it": the box opens at once, before anything is deferred
                await self._open(interaction, await self._conversation.handle(
                    ChoicePicked(self.address(interaction), custom_id, values)))
                return
            replies = await self._handle(interaction, ChoicePicked(self.address(interaction), custom_id, values))
            await self._settle(interaction, custom_id, values, replies)

        await self._guarded(interaction, "component", run)

    async def _settle(self, interaction: Interaction, custom_id: str, values: tuple[str, ...],
                      replies: Sequence[Reply]) -> None:
        """An answered question loses its buttons and shows what was picked, so an old message never invites
        a second answer. Only in DMs: in a server the click was answered in a new private message."""
        message = interaction.message
        if message is None or not settles(self._place(interaction)):
            return
        stale = any(reply.stale for reply in replies)
        picked = [] if stale else picked_labels(message.components, custom_id, values)
        content = message.content
        if picked:
            tick = f"\n-# ✓ {', '.join(picked)}"[:MAX_CONTENT // 2]
            if len(content) + len(tick) > MAX_CONTENT:  # a full (merged) message: the tick matters more now
                content = content[:MAX_CONTENT - len(tick) - 1].rstrip() + "…"
            content += tick
        try:
            await interaction.edit_original_response(content=content or None, view=None)
        except discord.HTTPException as exc:  # the question was answered; a cosmetic edit may fail quietly
            log.info("discord: could not settle an answered message: %s", describe_exception(exc))

    async def on_form_button(self, interaction: Interaction, custom_id: str) -> None:
        async def run() -> None:
            name = form_name(custom_id, FORM_BUTTON_PREFIX) or ""
            response = await self._conversation.handle(FormOpened(self.address(interaction), name))
            await self._open(interaction, response)

        await self._guarded(interaction, "form button", run)

    async def on_interaction(self, interaction: Interaction) -> None:
        raw = interaction.data
        data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        if interaction.type is discord.InteractionType.component:
            clicked = data.get("custom_id")
            if isinstance(clicked, str) and not our_custom_id(clicked):
                # discord.py drops a click that no DynamicItem template matches: without this answer
                # Discord would show "This interaction failed".
                await self._guarded(interaction, "unknown click", lambda: self._answer_stale(interaction))
            return
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        custom_id = str(data.get("custom_id") or "")
        name = form_name(custom_id, FORM_MODAL_PREFIX)
        if name is not None:
            await self._guarded(interaction, "form", lambda: self._submit_form(interaction, name, data))
            return
        form_token = pulse_form_token(custom_id)
        if form_token is not None:
            comment = modal_values(data.get("components") or []).get(COMMENT_INPUT, "")
            await self._guarded(interaction, "pulse form",
                                lambda: self._pulse_form.on_modal(interaction, form_token, comment))
            return
        if parse_token(custom_id) is None:  # a modal this adapter never opened: answered like a dead button
            await self._guarded(interaction, "unknown modal", lambda: self._answer_stale(interaction))
            return

        async def run() -> None:
            text = modal_text(data.get("components") or []) or ""
            await self._handle(interaction, TextSubmitted(self.address(interaction), text, token=custom_id))

        await self._guarded(interaction, "modal", run)

    async def _answer_stale(self, interaction: Interaction) -> None:
        await interaction.response.send_message(self._conversation.texts.get("stale_click"), ephemeral=True)

    async def _submit_form(self, interaction: Interaction, name: str, data: Mapping[str, Any]) -> None:
        values = modal_values(data.get("components") or [])
        await self._handle(interaction, FormSubmitted(self.address(interaction), name, tuple(values.items())))

    async def _open(self, interaction: Interaction, response: Response) -> None:
        """Open the text box or form the core asks for; or say privately why it cannot be opened."""
        if isinstance(response.opens, TextBox):
            await interaction.response.send_modal(TokenModal(response.opens, self._conversation.texts))
        elif isinstance(response.opens, OpenForm):
            await interaction.response.send_modal(FormModal(response.opens.form))
        else:
            [message, *_] = self.messages_for(response.replies) or [Outgoing(content="…")]
            await interaction.response.send_message(ephemeral=True, **self._kwargs(message))

    async def on_message(self, message: discord.Message) -> None:
        """A typed answer in a DM works like the console: '3' answers a scale, '/help' is not needed."""
        if message.guild is not None or message.author.bot or not message.content:
            return
        address = Address(PLATFORM, PERSONAL_WORKSPACE, str(message.author.id), str(message.channel.id))
        try:
            if not await self._claim(f"discord:msg:{message.id}"):
                return  # another instance has it (a typed answer must be applied once, not once per process)
            await self._remember_dm(address, message.channel.id)
            outcome = await self._conversation.handle(TextSubmitted(address, message.content))
            await self._send_all(message.channel, outcome.replies)
            if outcome.posts or outcome.removals:  # e.g. a typed "erase" after /forget takes down their shares
                await self._conversation.post_and_remove(outcome, self)
        except Exception as exc:
            log.error("discord DM message failed: %s", describe_exception(exc))

    async def on_message_edit(self, message: discord.Message) -> None:
        """An edited DM is read for danger only: an edit never answers a check-in a second time. (Discord also
        sends an update when it adds a link preview; that one has no edit time and is not read again.)"""
        if message.guild is not None or message.author.bot or not message.content or message.edited_at is None:
            return
        address = Address(PLATFORM, PERSONAL_WORKSPACE, str(message.author.id), str(message.channel.id))
        try:
            if not await self._claim(f"discord:edit:{message.id}:{message.edited_at.timestamp()}"):
                return
            replies = await self._conversation.screen_only(TextSubmitted(address, message.content))
            if replies:
                await self._send_all(message.channel, replies)
        except Exception as exc:
            log.error("discord DM edit failed: %s", describe_exception(exc))

    async def _claim(self, event_id: str) -> bool:
        """True when this process should handle the event: the shared ledger says it is the first to ask (or
        there is no ledger). If the ledger cannot answer, the event is handled: an answer applied twice on two
        instances is rarer and milder than a person left without any answer."""
        if self._seen_events is None:
            return True
        try:
            return await self._seen_events.first_time(event_id)
        except Exception as exc:
            log.warning("discord: the seen-events ledger failed, handling the message anyway: %s",
                        describe_exception(exc))
            return True

    async def _guarded(self, interaction: Interaction, place: str, run: Callable[[], Awaitable[object]]) -> None:
        """The error boundary: log type and place only, apologise privately, keep running. An interaction
        another instance answered first is not an error, and there is nothing to apologise for."""
        if not getattr(interaction, "user", None):  # malformed (discord.py leaves MISSING): nobody to act for
            log.warning("discord %s: dropped an interaction without a user", place)
            return
        try:
            await run()
        except Exception as exc:
            if acknowledged_elsewhere(interaction, exc):
                log.info("discord %s: another instance answered this interaction", place)
                return
            log.error("discord %s failed: %s", place, describe_exception(exc))
            await self._apologise(interaction)

    async def _apologise(self, interaction: Interaction) -> None:
        text = self._conversation.texts.get("error")
        try:
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True)
            else:
                await interaction.response.send_message(text, ephemeral=True)
        except Exception as exc:
            if acknowledged_elsewhere(interaction, exc):
                log.info("discord: no apology needed, another instance answered this interaction")
                return
            log.error("discord apology failed: %s", describe_exception(exc))

    async def _on_tree_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        log.error("discord command failed: %s", describe_exception(error))
        await self._apologise(interaction)

    def _place(self, interaction: Interaction) -> Place:
        return Place.SHARED if self._in_guild(interaction) else Place.DM

    async def _handle(self, interaction: Interaction, event: Incoming) -> list[Reply]:
        in_guild = self._in_guild(interaction)
        # Acknowledge first: the core touches the database and may take longer than Discord's 3 seconds.
        await interaction.response.defer(ephemeral=in_guild,
                                         thinking=isinstance(event, Command | FormSubmitted) or in_guild)
        if not in_guild and interaction.channel_id is not None:
            await self._remember_dm(event.address, interaction.channel_id)
        is_admin, is_moderator = self.roles(interaction)
        response = await self._conversation.handle(event, Roles(is_admin, is_moderator))
        replies = list(response.replies)
        await self._post_and_remove(response)  # the channel first: "it's posted" is then true when it is read
        if response.where(self._place(interaction), self.capabilities) is Where.DM:
            moved = await self._move_to_dms(interaction, event.address, replies)
            texts = self._conversation.texts
            if moved:
                await interaction.followup.send(texts.get("moved_to_dm"), ephemeral=True)
                return replies
            if moved is False:
                replies = [Reply(texts.get("dm_closed")), *replies]
        await self._followups(interaction, replies, ephemeral=in_guild)
        return replies

    async def _post_and_remove(self, outcome: Response) -> None:
        if outcome.posts or outcome.removals:
            await self._conversation.post_and_remove(outcome, self)

    async def _move_to_dms(self, interaction: Interaction, address: Address,
                           replies: Sequence[Reply]) -> bool | None:
        """True when the replies went to the person's DMs; False when their DMs are closed; None when Discord
        did not open the DM in time (the replies are then shown privately where they asked, without blaming
        their settings)."""
        try:
            channel = await self._open_dm(interaction.user.id)
            await self._remember_dm(address, channel.id)
            await self._send_all(channel, replies)
        except TimeoutError:
            log.warning("discord: a DM did not open within %.0f s; answering in place", self._open_dm_timeout)
            return None
        except discord.Forbidden as closed:
            if closed.code != DMS_CLOSED:
                raise
            return False
        return True

    async def _open_dm(self, user_id: int) -> discord.DMChannel:
        """The person's DM channel: from discord.py's cache, else opened with one request (no user lookup first).

        Every DM open shares one rate-limit bucket, and discord.py lets a bucket whose limit it has not learned
        yet (the first requests after start-up) send one request at a time: an open that Discord never answers
        would hold every other person's open for up to 30 s. Opening a DM is safe to repeat, so it gets
        `OPEN_DM_TIMEOUT_S` and then fails as a temporary failure, and the bucket is free again."""
        async with asyncio.timeout(self._open_dm_timeout):
            return await self.client.create_dm(discord.Object(id=user_id))

    async def _remember_dm(self, address: Address, channel_id: int) -> None:
        self._dm_channels[address.user_id] = channel_id
        await self._conversation.remember_dm_channel(address, str(channel_id))

    # ------------------------------------------------------------ outgoing

    @staticmethod
    def view_for(message: Outgoing) -> discord.ui.View | None:
        if not message.rows:
            return None
        view = discord.ui.View(timeout=None)
        for row_index, row in enumerate(message.rows):
            if isinstance(row, SelectSpec):
                select: discord.ui.Select[discord.ui.View] = discord.ui.Select(
                    custom_id=row.custom_id, min_values=row.min_values, max_values=row.max_values,
                    placeholder=row.placeholder or None, row=row_index,
                    options=[discord.SelectOption(label=o.label, value=o.value, description=o.description or None,
                                                  default=o.default)
                             for o in row.options])
                view.add_item(TokenItem(select))
                continue
            for spec in row:
                button = _button(spec, row_index)
                view.add_item(FormItem(button) if spec.custom_id.startswith(FORM_BUTTON_PREFIX) else TokenItem(button))
        return view

    @staticmethod
    def _kwargs(message: Outgoing) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
        if message.content:
            kwargs["content"] = message.content
        if message.embeds:
            kwargs["embeds"] = list(message.embeds)
        view = DiscordAdapter.view_for(message)
        if view is not None:
            kwargs["view"] = view
        if message.files or message.image is not None:
            kwargs["files"] = discord_files(message.files, message.image)
        return kwargs

    @staticmethod
    def messages_for(replies: Sequence[Reply]) -> list[Outgoing]:
        """What replies become on Discord: as few messages as its limits allow (a scheduled prompt's greeting,
        question and snooze offer are one message, so a retried send never repeats half of it)."""
        return merge_messages(render_replies(replies))

    async def _followups(self, interaction: Interaction, replies: Sequence[Reply], *, ephemeral: bool) -> None:
        messages = self.messages_for(replies)
        if not messages:
            messages = [Outgoing(content="…")]
        for message in messages:
            await interaction.followup.send(ephemeral=ephemeral, **self._kwargs(message))

    async def _send_all(self, channel: discord.abc.Messageable, replies: Sequence[Reply], key: str = "") -> None:
        """With a `key` (an outbox row), each message carries a nonce of its own derived from it; discord.py
        sends it with `enforce_nonce`, so Discord returns the message it already has for a repeated attempt
        within its nonce window instead of creating a second one."""
        for index, message in enumerate(self.messages_for(replies)):
            extra: dict[str, Any] = {"nonce": prompt_nonce(key, index)} if key else {}
            await channel.send(**self._kwargs(message), **extra)

    # ------------------------------------------------------------ community channels (the ChannelPoster port)

    async def _guild_of(self, channel_id: int) -> int | None:
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
        guild_id = await self._guild_of(target) if post.link_to else None
        if post.link_to and guild_id is not None:  # a message link: Discord shows it as a jump to that message
            reply = replace(reply, links=(*reply.links, message_link(guild_id, post.channel_id, post.link_to)))
        for outgoing in render_replies([reply]):
            sent = await channel.send(**self._kwargs(outgoing))
            first = first or sent
        if first is None:
            return ""
        if post.pin:
            try:
                await first.pin(reason="community-care notice")
            except discord.HTTPException as exc:  # no Manage Messages permission: the notice still stands
                log.warning("discord: could not pin the care notice: %s", describe_exception(exc))
        if post.open_thread:
            name = (post.reply.title or "This week's circle")[:THREAD_NAME_MAX]
            try:
                await self.client.http.start_thread_with_message(target, first.id, name=name,
                                                                 auto_archive_duration=10080)
            except discord.HTTPException as exc:  # without threads, shares go to the channel itself
                log.warning("discord: could not open a thread: %s", describe_exception(exc))
                return ""
        return f"{post.thread_id}/{first.id}" if post.thread_id else str(first.id)

    # ------------------------------------------------------------ /forget (the PersonalTraces port)

    async def remove_files(self, workspace_id: str, refs: Sequence[str]) -> list[str]:
        """Files sent in DMs go with the messages that carry them (forget_person); none are kept apart."""
        return []

    async def dm_cleanups_done(self) -> None:
        """Wait for the DM clean-ups under way (tests, and a shutdown that wants them finished)."""
        if self._dm_cleanups:
            await asyncio.gather(*list(self._dm_cleanups), return_exceptions=True)

    async def forget_person(self, address: Address) -> bool:
        """The bot's messages in the person's DM go in the background, so the "erased" reply is not held up."""
        user = self.client.user
        if user is None or not address.user_id.isdigit():
            return False
        try:
            known = self._dm_channels.get(address.user_id)
            channel: discord.abc.Messageable = self.client.get_partial_messageable(
                known, type=discord.ChannelType.private) if known else await self._open_dm(int(address.user_id))
            newest = await newest_id(channel)
        except (discord.HTTPException, TimeoutError) as exc:
            log.info("discord: the DM clean-up after /forget could not start: %s", describe_exception(exc))
            return False
        self._dm_channels.pop(address.user_id, None)
        if newest is None:
            return False

        start_counted(self._dm_cleanups, delete_own_messages(channel, user.id, newest), name="discord-dm-cleanup",
                      done="discord: deleted %d of the bot's messages in a DM after /forget", log=log)
        return True

    async def delete_message(self, removal: Removal) -> None:
        channel_id, _, message_id = removal.message_id.rpartition("/")
        channel = self.client.get_partial_messageable(int(channel_id or removal.channel_id))
        try:
            await channel.get_partial_message(int(message_id)).delete()
        except discord.NotFound:
            log.info("discord: a removed share was already gone")

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
        try:
            if address.channel_id:
                channel: discord.abc.Messageable = self.client.get_partial_messageable(
                    int(address.channel_id), type=discord.ChannelType.private)
            else:
                channel = await self._open_dm(int(address.user_id))
                await self._remember_dm(address, channel.id)
            await self._send_all(channel, replies, key)
        except Exception as exc:
            mapped = delivery_error(exc)
            if mapped is None:
                raise
            raise mapped from exc
        return False


NONCE_MAX = 25  # Discord's limit on a nonce's length


def prompt_nonce(key: str, index: int) -> str:
    """The nonce of message `index` of the prompt of outbox row `key`: the same in every attempt and process."""
    nonce = f"bb{key}.{index}"
    if len(nonce) > NONCE_MAX:
        raise ValueError("an outbox key too long for a Discord nonce")
    return nonce


def _button(spec: ButtonSpec, row: int) -> discord.ui.Button[discord.ui.View]:
    style = discord.ButtonStyle.primary if spec.style is Style.PRIMARY else discord.ButtonStyle.secondary
    return discord.ui.Button(label=spec.label, custom_id=spec.custom_id, style=style, row=row)

