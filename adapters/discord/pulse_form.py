"""The team pulse on Discord as one private form: Join in the round's channel answers with an EPHEMERAL message
(only the person sees it, Discord never keeps it in any history) laid out by bot.community.pulse_pages, four
statements to a page (Discord allows five action rows), with Back/Next, Send and, when the round takes one,
"Send with a comment" (a modal for the words). Sending it records the answers once, through the core's anonymous
path, and the form turns into "Thanks — your answers are in (anonymous)". (discord.py 2.7 can put selects in a
modal, but a modal holds at most five components and a pulse has up to ten statements, so the form is a message.)

Every form interaction happens in the round's channel and so carries its server: one without a server (a
DM) is refused, the core refuses any channel but the round's own (channel ids are unique across Discord, so
that binds the answer to the round's server), and Join checks the channel's server as discord.py knows it
against the interaction's.
"""

from __future__ import annotations

from collections.abc import Sequence

import discord

from adapters.discord.render import comment_modal, edit_kwargs, message_kwargs, render_page, render_replies
from adapters.discord.translate import Origin, PulseFormEvent
from adapters.discord.transport import Transport
from bot.community.pulse_pages import UNANSWERED, clicked, missing, missing_page, page, scores_of
from bot.community.pulses import PulseForm
from bot.conversation import Conversation
from bot.messages import Reply

Interaction = discord.Interaction[discord.Client]


class DiscordPulseForm:
    """The form's interactions: each answered at once, by drawing the form again or sending it."""

    def __init__(self, conversation: Conversation, transport: Transport) -> None:
        self._conversation = conversation
        self._transport = transport

    async def on_event(self, interaction: Interaction, origin: Origin, event: PulseFormEvent) -> None:
        texts = self._conversation.texts
        if not origin.guild_id or not origin.channel_id:  # a DM: no server to check against
            await interaction.response.send_message(texts.get("pulse_wrong_place"), ephemeral=True)
            return
        click = clicked(event.token, event.values)
        if event.submitted or click.action == "send":
            await self._send(interaction, origin, event.token.round_id, click.digits, event.comment)
        elif click.action == "join":
            await self._join(interaction, origin, event.token.round_id)
        else:
            form = await self._form(origin, event.token.round_id)
            if form is None or len(form.items) != len(click.digits):
                await interaction.response.edit_message(content=texts.get("pulse_not_open"), view=None)
            elif click.action == "comment" and not missing(click.digits):
                await interaction.response.send_modal(comment_modal(form, click.digits, texts))
            else:
                shown = missing_page(texts, form, click.digits, missing(click.digits)) if click.action == "comment" \
                    else page(texts, form, click.digits, click.page)
                await interaction.response.edit_message(**edit_kwargs(render_page(shown)))

    async def _join(self, interaction: Interaction, origin: Origin, round_id: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        form = await self._conversation.pulse_form(origin.address, round_id)
        if isinstance(form, list):
            await self._followups(interaction, form)
            return
        known = await self._transport.guild_of(int(form.channel_id)) if form.channel_id.isdigit() else None
        if known is not None and str(known) != origin.guild_id:
            await self._followups(interaction, [Reply(self._conversation.texts.get("pulse_wrong_place"))])
            return
        first = page(self._conversation.texts, form, UNANSWERED * len(form.items), 1)
        await interaction.followup.send(ephemeral=True, **message_kwargs(render_page(first)))

    async def _form(self, origin: Origin, round_id: str) -> PulseForm | None:
        form = await self._conversation.pulse_form(origin.address, round_id)
        return form if isinstance(form, PulseForm) else None

    async def _send(self, interaction: Interaction, origin: Origin, round_id: str, digits: str, comment: str) -> None:
        """Sent once: the answers go in (anonymously), the form becomes the thanks, nothing of it is left."""
        await interaction.response.defer()
        result = await self._conversation.submit_pulse_form(origin.address, round_id, scores_of(digits), comment)
        if result.missing:
            form = await self._form(origin, round_id)
            if form is not None:
                shown = missing_page(self._conversation.texts, form, digits, result.missing)
                await interaction.edit_original_response(**edit_kwargs(render_page(shown)))
                return
        replies = list(result.replies)
        first = replies.pop(0) if replies and replies[0].question is None else None
        await interaction.edit_original_response(content=first.text if first is not None else "…", view=None)
        if replies:
            await self._followups(interaction, replies)

    async def _followups(self, interaction: Interaction, replies: Sequence[Reply]) -> None:
        for outgoing in render_replies(replies, self._conversation.texts):
            await interaction.followup.send(ephemeral=True, **message_kwargs(outgoing))
