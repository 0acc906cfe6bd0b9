"""The Discord adapter: wires discord.py's client to translate.py (what arrived), the core's conversation, and
render.py / transport.py (what goes out).

Nothing a person writes is logged or shown in a server channel: in a server every answer is ephemeral and a
check-in moves to the person's DMs (bot.answering).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord import translate
from adapters.discord.gateway_guard import guard_gateway
from adapters.discord.global_pace import GlobalPace, count_answers
from adapters.discord.pulse_form import DiscordPulseForm
from adapters.discord.render import (
    CAPABILITIES,
    MAX_CONTENT,
    Outgoing,
    form_modal,
    message_kwargs,
    text_box_modal,
)
from adapters.discord.translate import Origin, PulseFormEvent
from adapters.discord.transport import Transport
from bot.answering import answered_mark, guarded, shown_here, under
from bot.command_options import suggestions
from bot.content.loader import Content
from bot.conversation import Conversation
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, Incoming
from bot.logsafe import describe_exception
from bot.messages import Reply
from bot.ops.metrics import response_class
from bot.response import OpenForm, Response, TextBox, opens_text_box, settles
from bot.storage.seen import SeenEvents, claimed

log = logging.getLogger(__name__)

ALREADY_ACKNOWLEDGED = 40060  # another process answered this interaction first
OPEN_DM_TIMEOUT_S = 5.0  # opening a DM is safe to repeat: one Discord does not answer fails after this

Interaction = discord.Interaction[discord.Client]
Reader = Callable[[Origin, Mapping[str, Any]], Incoming | PulseFormEvent | None]
READERS: dict[discord.InteractionType, Reader] = {
    discord.InteractionType.application_command: translate.command,
    discord.InteractionType.component: translate.click, discord.InteractionType.modal_submit: translate.submission,
}


def configure_endpoints(api_base: str, gateway_url: str) -> None:
    """Point discord.py at a REST proxy or a local Discord (process-wide: discord.py keeps these on classes)."""
    discord.http.Route.BASE = api_base.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def acknowledged_elsewhere(interaction: Interaction, exc: BaseException) -> bool:
    """Whether acknowledging an interaction failed because another instance had already answered it (two
    processes on one token both receive every interaction; the first answer wins)."""
    return (isinstance(exc, discord.HTTPException) and exc.code == ALREADY_ACKNOWLEDGED
            and not interaction.response.is_done())


def origin_of(interaction: Interaction) -> Origin:
    return Origin(str(interaction.user.id), str(interaction.channel_id or ""), str(interaction.guild_id or ""),
                  interaction.permissions.value)


class DiscordAdapter(Transport):
    name = translate.PLATFORM
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
        self._content = content
        self._token = token
        self._guild_ids = tuple(guild_ids)
        self._sync_commands = sync_commands
        conversation.traces.keep_with(translate.PLATFORM, self)
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
        sharding: dict[str, Any] = {"shard_ids": list(shard_ids) if shard_ids else None, "shard_count": shard_count}
        client = discord.AutoShardedClient(**options, **sharding) if shard_ids or shard_count \
            else discord.Client(**options)
        client.setup_hook = self.setup  # type: ignore[method-assign]
        # discord.py dispatches an event to the client's attribute of its name (what `@client.event` sets)
        for name, handler in (("on_interaction", self.on_interaction), ("on_message", self.on_message),
                              ("on_raw_message_edit", self._on_raw_edit), ("on_error", self._on_error)):
            setattr(client, name, handler)
        super().__init__(client, conversation, open_dm_timeout)
        guard_gateway(self.client)  # a malformed gateway event is dropped, not the end of the process
        self._pulse_form = DiscordPulseForm(conversation, self)

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
        """The slash commands, registered as translate.py declares them: in the given servers at once, or
        globally (Discord may take a while to show those everywhere)."""
        application_id = self.client.application_id
        if not self._sync_commands or application_id is None:
            return
        payloads = translate.command_payloads(self._content)
        for guild_id in self._guild_ids:
            synced = await self.client.http.bulk_upsert_guild_commands(application_id, guild_id, payloads)
            log.info("synced %d commands to server %s", len(synced), guild_id)
        if not self._guild_ids:
            synced = await self.client.http.bulk_upsert_global_commands(application_id, payloads)
            log.info("synced %d global commands (Discord may take a while to show them everywhere)", len(synced))

    # ------------------------------------------------------------ incoming

    async def on_interaction(self, interaction: Interaction) -> None:
        raw = interaction.data
        data: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        if interaction.type is discord.InteractionType.autocomplete:
            await self._guarded(interaction, "autocomplete", lambda: self._suggest(interaction, data))
            return
        read = READERS.get(interaction.type)
        if read is not None:
            place = f"/{data.get('name')}" if read is translate.command else interaction.type.name
            await self._guarded(interaction, place, lambda: self._on_event(interaction, read(origin_of(interaction),
                                                                                                data)))

    async def _on_event(self, interaction: Interaction, event: Incoming | PulseFormEvent | None) -> None:
        origin = origin_of(interaction)
        if event is None:  # a control or modal this bot never made: answered like a dead button
            await interaction.response.send_message(self._conversation.texts.get("stale_click"), ephemeral=True)
        elif isinstance(event, PulseFormEvent):  # the team pulse: one private form in the round's channel
            await self._pulse_form.on_event(interaction, origin, event)
        elif isinstance(event, FormOpened) or (isinstance(event, ChoicePicked) and opens_text_box(event.token)):
            # a text box or a form opens at once, before anything is deferred
            await self._open(interaction, origin, await self._conversation.handle(event))
        else:
            replies = await self._handle(interaction, origin, event)
            if isinstance(event, ChoicePicked):
                await self._settle(interaction, origin, event, replies)

    async def _suggest(self, interaction: Interaction, data: Mapping[str, Any]) -> None:
        """Autocomplete, with the core's suggestions (bot.command_options)."""
        offered = suggestions(self._content, *translate.focused(data))
        await interaction.response.autocomplete([discord.app_commands.Choice(name=name[:100], value=value[:100])
                                                 for name, value in offered])

    async def _handle(self, interaction: Interaction, origin: Origin, event: Incoming) -> list[Reply]:
        in_guild = bool(origin.guild_id)
        # Acknowledge first: the core touches the database and may take longer than Discord's 3 seconds.
        await interaction.response.defer(ephemeral=in_guild,
                                         thinking=isinstance(event, Command | FormSubmitted) or in_guild)
        if not in_guild and origin.channel_id:
            await self.remember_dm(origin.address, int(origin.channel_id))
        response = await self._conversation.handle(event, origin.roles)
        if response.posts or response.removals:  # the channel first: "it's posted" is then true when it is read
            await self._conversation.post_and_remove(response, self)
        here = await shown_here(response.replies, origin.place, self.capabilities, self._conversation.texts,
                                lambda replies: self.to_dm(origin.address, replies))
        await self.followups(interaction, here, ephemeral=in_guild)
        return list(response.replies)

    async def _open(self, interaction: Interaction, origin: Origin, response: Response) -> None:
        """Open the text box or form the core asks for; or say privately why it cannot be opened (`/share`
        without a form to write in runs as the command)."""
        texts = self._conversation.texts
        if isinstance(response.opens, TextBox):
            await interaction.response.send_modal(text_box_modal(response.opens, texts))
        elif isinstance(response.opens, OpenForm):
            await interaction.response.send_modal(form_modal(response.opens.form, texts))
        elif interaction.type is discord.InteractionType.application_command:
            await self._handle(interaction, origin, Command(origin.address, "share", ""))
        else:
            [message, *_] = self.messages_for(response.replies) or [Outgoing(content="…")]
            await interaction.response.send_message(ephemeral=True, **message_kwargs(message))

    async def _settle(self, interaction: Interaction, origin: Origin, event: ChoicePicked,
                      replies: Sequence[Reply]) -> None:
        """An answered question loses its buttons and shows what was picked, so an old message never invites
        a second answer (bot.response.settles)."""
        message = interaction.message
        if message is None or not settles(origin.place):
            return
        components = [component.to_dict() for component in message.components]
        line = answered_mark(self._conversation.texts, replies,
                             translate.picked_labels(components, event.token, event.values))
        content = under(message.content, f"-# {line}", MAX_CONTENT) if line else message.content
        try:
            await interaction.edit_original_response(content=content or None, view=None)
        except discord.HTTPException as exc:  # the question was answered; a cosmetic edit may fail quietly
            log.info("discord: could not settle an answered message: %s", describe_exception(exc))

    async def _on_raw_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        await self.on_message_edit(payload.message)

    async def _on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        exc = sys.exc_info()[1]
        log.error("discord event %s failed: %s", event_method,
                  describe_exception(exc) if exc is not None else "unknown")

    async def on_message(self, message: discord.Message) -> None:
        """A typed answer in a DM works like the console: '3' answers a scale, '/help' is not needed."""
        event = translate.dm_text(message)
        if event is None:
            return
        try:
            if not await claimed(self._seen_events, f"discord:msg:{message.id}"):
                return  # another instance has it (a typed answer must be applied once, not once per process)
            await self.remember_dm(event.address, message.channel.id)
            response = await self._conversation.handle(event)
            await self.send_all(message.channel, response.replies)
            if response.posts or response.removals:  # e.g. a typed "erase" after /forget takes down their shares
                await self._conversation.post_and_remove(response, self)
        except Exception as exc:
            log.error("discord DM message failed: %s", describe_exception(exc))

    async def on_message_edit(self, message: discord.Message) -> None:
        """An edited DM is read for danger only: an edit never answers a check-in a second time. (Discord also
        sends an update when it adds a link preview; that one has no edit time and is not read again.)"""
        event = translate.dm_text(message)
        if event is None or message.edited_at is None:
            return
        try:
            if not await claimed(self._seen_events, f"discord:edit:{message.id}:{message.edited_at.timestamp()}"):
                return
            replies = await self._conversation.screen_only(event)
            if replies:
                await self.send_all(message.channel, replies)
        except Exception as exc:
            log.error("discord DM edit failed: %s", describe_exception(exc))

    async def _guarded(self, interaction: Interaction, place: str, run: Callable[[], Awaitable[object]]) -> None:
        """The core's error boundary (bot.answering.guarded). An interaction another instance answered first is
        not an error, and there is nothing to apologise for."""
        if not getattr(interaction, "user", None):  # malformed (discord.py leaves MISSING): nobody to act for
            log.warning("discord %s: dropped an interaction without a user", place)
            return

        async def unless_answered_elsewhere() -> None:
            try:
                await run()
            except Exception as exc:
                if not acknowledged_elsewhere(interaction, exc):
                    raise
                log.info("discord %s: another instance answered this interaction", place)

        await guarded(f"discord {place}", unless_answered_elsewhere,
                      lambda apology: self._apologise(interaction, apology), self._conversation.texts)

    async def _apologise(self, interaction: Interaction, apology: Reply) -> None:
        try:
            if interaction.response.is_done():
                await interaction.followup.send(apology.text, ephemeral=True)
            else:
                await interaction.response.send_message(apology.text, ephemeral=True)
        except Exception as exc:
            if not acknowledged_elsewhere(interaction, exc):
                raise
            log.info("discord: no apology needed, another instance answered this interaction")
