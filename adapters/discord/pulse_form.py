"""The team pulse on Discord as one private form: Join in the round's channel answers with an EPHEMERAL message
(only the person sees it, Discord never keeps it in any history) holding one select per statement, four to a
page (Discord allows five action rows), with Back/Next, Send and, when the round takes one, "Send with a
comment" (a modal for the words). Picks are carried in the controls' own tokens ("<round>.<digits>", "_" for
a statement not answered yet), so nothing of a half-filled form is stored anywhere; sending it records the
answers once, through the core's anonymous path, and the form turns into "Thanks — your answers are in
(anonymous)". Opened again, it starts empty. (discord.py 2.7 can put selects in a modal, but a modal holds at
most five components and a pulse has up to ten statements, so the form is a message.)

Every form interaction happens in the round's channel and so carries its server: one without a server (a
DM) is refused, the core refuses any channel but the round's own (channel ids are unique across Discord, so
that binds the answer to the round's server), and Join checks the channel's server as discord.py knows it
against the interaction's.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from adapters.discord.render import MAX_CONTENT, ButtonSpec, OptionSpec, Outgoing, SelectSpec, Style, render_replies
from bot.community.pulses import JOIN_STEP, PULSE_SESSION, PulseForm
from bot.content.loader import Texts
from bot.conversation import Conversation
from bot.messages import Address, Reply, make_token, parse_token
from bot.text import shorten

log = logging.getLogger(__name__)

PER_PAGE = 4  # four selects and one row of buttons: Discord's five action rows
ITEM_STEP = "f"  # f<n>: the select of statement n
PAGE_STEP = "fp"  # fp<n>: go to page n
SEND_STEP = "fs"
COMMENT_STEP = "fc"  # opens the comment modal
MODAL_STEP = "fm"  # the comment modal itself
UNANSWERED = "_"
COMMENT_INPUT = "comment"
MAX_PLACEHOLDER = 150
MAX_OPTION_LABEL = 100
MAX_MODAL_TITLE = 45
MAX_INPUT_LABEL = 45
MODAL_TIMEOUT = 900.0

Interaction = discord.Interaction[discord.Client]
Kwargs = Callable[[Outgoing], dict[str, Any]]


@dataclass(frozen=True)
class FormToken:
    step: str
    round_id: str
    digits: str  # one character per statement: the picked point, or "_"


def read_token(custom_id: str) -> FormToken | None:
    """A pulse form control's token (Join included, with empty digits), or None for anything else."""
    parsed = parse_token(custom_id)
    if parsed is None or parsed.session_id != PULSE_SESSION:
        return None
    if parsed.step_id == JOIN_STEP:
        return FormToken(JOIN_STEP, parsed.value, "") if parsed.value else None
    steps = (PAGE_STEP, SEND_STEP, COMMENT_STEP, MODAL_STEP, ITEM_STEP)
    step = next((s for s in steps if parsed.step_id.startswith(s)), None)
    round_id, dot, digits = parsed.value.partition(".")
    if step is None or not dot or not round_id or not digits \
            or not all(ch.isdigit() or ch == UNANSWERED for ch in digits):
        return None
    return FormToken(parsed.step_id, round_id, digits)


def scores_of(digits: str) -> list[int | None]:
    return [int(ch) if ch.isdigit() else None for ch in digits]


def _number(step: str, prefix: str) -> int:
    rest = step[len(prefix):]
    return int(rest) if rest.isdigit() else 0


def page_count(items: int) -> int:
    return max(1, -(-items // PER_PAGE))


def render_page(texts: Texts, form: PulseForm, digits: str, page: int, note: str = "") -> Outgoing:
    """One page of the form: its statements as text and as selects (a pick shows as the select's choice),
    then Back / Next, or Send on the last page."""
    total = len(form.items)
    pages = page_count(total)
    page = min(max(page, 1), pages)
    first = (page - 1) * PER_PAGE + 1
    last = min(page * PER_PAGE, total)
    value = f"{form.round_id}.{digits}"
    lines = [f"**{form.title}**"]
    if page == 1:
        lines.append(form.intro)
        lines.extend(f"-# {line}" for line in form.notes)
    lines.append("")
    lines.extend(f"**{number}.** {form.items[number - 1]}" for number in range(first, last + 1))
    if page == pages and form.comment is not None:
        lines.extend(("", form.comment.prompt))
    if note:
        lines.extend(("", note))
    lines.append(f"-# {texts.get('pulse_form_page', first=first, last=last, total=total)}")
    rows: list[SelectSpec | tuple[ButtonSpec, ...]] = []
    for number in range(first, last + 1):
        picked = digits[number - 1]
        options = tuple(OptionSpec(shorten(choice.label, MAX_OPTION_LABEL), choice.value,
                                   default=choice.value == picked) for choice in form.scale)
        rows.append(SelectSpec(make_token(PULSE_SESSION, f"{ITEM_STEP}{number}", value), options,
                               placeholder=shorten(f"{number}. {form.items[number - 1]}", MAX_PLACEHOLDER)))
    buttons: list[ButtonSpec] = []
    if page > 1:
        buttons.append(ButtonSpec(texts.get("pulse_form_back"),
                                  make_token(PULSE_SESSION, f"{PAGE_STEP}{page - 1}", value), Style.SECONDARY))
    if page < pages:
        buttons.append(ButtonSpec(texts.get("pulse_form_next"),
                                  make_token(PULSE_SESSION, f"{PAGE_STEP}{page + 1}", value)))
    else:
        buttons.append(ButtonSpec(texts.get("pulse_form_send"), make_token(PULSE_SESSION, SEND_STEP, value)))
        if form.comment is not None:
            buttons.append(ButtonSpec(texts.get("pulse_form_send_comment"),
                                      make_token(PULSE_SESSION, COMMENT_STEP, value), Style.SECONDARY))
    rows.append(tuple(buttons))
    content = "\n".join(lines)
    if len(content) > MAX_CONTENT:
        content = content[:MAX_CONTENT - 1].rstrip() + "…"
    return Outgoing(content=content, rows=tuple(rows))


def page_of(number: int) -> int:
    return (number - 1) // PER_PAGE + 1


class CommentModal(discord.ui.Modal):
    """The optional comment, sent with the answers picked so far (they travel in the modal's token). Its
    submission is handled in the adapter's on_interaction, so it works after a restart too."""

    def __init__(self, texts: Texts, form: PulseForm, digits: str) -> None:
        super().__init__(title=shorten(form.title, MAX_MODAL_TITLE) or "Team pulse",
                         custom_id=make_token(PULSE_SESSION, MODAL_STEP, f"{form.round_id}.{digits}"),
                         timeout=MODAL_TIMEOUT)
        comment = form.comment
        limit = min(comment.max_length, 4000) if comment is not None else 1000
        self.add_item(discord.ui.TextInput(label=shorten(texts.get("pulse_form_comment_label"), MAX_INPUT_LABEL),
                                           custom_id=COMMENT_INPUT, style=discord.TextStyle.paragraph,
                                           required=False, max_length=limit,
                                           placeholder=(comment.placeholder[:100] if comment is not None else "")
                                           or None))

    async def on_submit(self, interaction: Interaction, /) -> None:
        return None


class DiscordPulseForm:
    """The form's interactions; `kwargs` turns an Outgoing into discord.py send/edit arguments (the adapter's,
    so its selects and buttons are the adapter's restart-proof token items)."""

    def __init__(self, conversation: Conversation, kwargs: Kwargs,
                 address: Callable[[Interaction], Address],
                 guild_of: Callable[[int], Awaitable[int | None]]) -> None:
        self._conversation = conversation
        self._kwargs = kwargs
        self._address = address
        self._guild_of = guild_of

    @property
    def _texts(self) -> Texts:
        return self._conversation.texts

    def _edit_kwargs(self, outgoing: Outgoing) -> dict[str, Any]:
        kwargs = self._kwargs(outgoing)
        kwargs.pop("allowed_mentions", None)
        kwargs.setdefault("view", None)
        return kwargs

    async def _refuse(self, interaction: Interaction) -> None:
        await interaction.response.send_message(self._texts.get("pulse_wrong_place"), ephemeral=True)

    async def on_component(self, interaction: Interaction, token: FormToken, values: Sequence[str]) -> None:
        if interaction.guild_id is None or interaction.channel_id is None:  # a DM: no server to check against
            await self._refuse(interaction)
            return
        if token.step == JOIN_STEP:
            await self._join(interaction, token.round_id)
            return
        if token.step.startswith(PAGE_STEP) or token.step in (SEND_STEP, COMMENT_STEP):
            if token.step.startswith(PAGE_STEP):
                await self._show(interaction, token, token.digits, _number(token.step, PAGE_STEP))
            elif token.step == SEND_STEP:
                await self._send(interaction, token.round_id, token.digits, "")
            else:
                await self._comment(interaction, token)
            return
        number = _number(token.step, ITEM_STEP)
        digits = token.digits
        if 1 <= number <= len(digits) and values and len(values[0]) == 1 and values[0].isdigit():
            digits = digits[:number - 1] + values[0] + digits[number:]
        await self._show(interaction, token, digits, page_of(max(number, 1)))

    async def on_modal(self, interaction: Interaction, token: FormToken, comment: str) -> None:
        if interaction.guild_id is None or interaction.channel_id is None:
            await self._refuse(interaction)
            return
        await self._send(interaction, token.round_id, token.digits, comment)

    async def _join(self, interaction: Interaction, round_id: str) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        address = self._address(interaction)
        form = await self._conversation.pulse_form(address, round_id)
        if isinstance(form, list):
            await self._followups(interaction, form)
            return
        known = await self._guild_of(int(form.channel_id)) if form.channel_id.isdigit() else None
        if known is not None and known != interaction.guild_id:
            await self._followups(interaction, [Reply(self._texts.get("pulse_wrong_place"))])
            return
        empty = UNANSWERED * len(form.items)
        await interaction.followup.send(ephemeral=True, **self._kwargs(render_page(self._texts, form, empty, 1)))

    async def _form(self, interaction: Interaction, round_id: str) -> PulseForm | None:
        form = await self._conversation.pulse_form(self._address(interaction), round_id)
        return form if isinstance(form, PulseForm) else None

    async def _show(self, interaction: Interaction, token: FormToken, digits: str, page: int) -> None:
        """A pick or a page turn: the same ephemeral message, redrawn (nothing is stored)."""
        form = await self._form(interaction, token.round_id)
        if form is None or len(form.items) != len(digits):
            await interaction.response.edit_message(content=self._texts.get("pulse_not_open"), view=None)
            return
        await interaction.response.edit_message(**self._edit_kwargs(render_page(self._texts, form, digits, page)))

    async def _comment(self, interaction: Interaction, token: FormToken) -> None:
        form = await self._form(interaction, token.round_id)
        if form is None or len(form.items) != len(token.digits):
            await interaction.response.edit_message(content=self._texts.get("pulse_not_open"), view=None)
            return
        missing = [n for n, score in enumerate(scores_of(token.digits), start=1) if score is None]
        if missing:
            await interaction.response.edit_message(**self._edit_kwargs(self._missing(form, token.digits, missing)))
            return
        await interaction.response.send_modal(CommentModal(self._texts, form, token.digits))

    def _missing(self, form: PulseForm, digits: str, missing: Sequence[int]) -> Outgoing:
        note = self._texts.get("pulse_form_missing", numbers=", ".join(map(str, missing)))
        return render_page(self._texts, form, digits, page_of(missing[0]), note=note)

    async def _send(self, interaction: Interaction, round_id: str, digits: str, comment: str) -> None:
        """Sent once: the answers go in (anonymously), the form becomes the thanks, nothing of it is left."""
        await interaction.response.defer()
        address = self._address(interaction)
        result = await self._conversation.submit_pulse_form(address, round_id, scores_of(digits), comment)
        if result.missing:
            form = await self._form(interaction, round_id)
            if form is not None:
                await interaction.edit_original_response(**self._edit_kwargs(self._missing(form, digits,
                                                                                           result.missing)))
                return
        replies = list(result.replies)
        first = replies.pop(0) if replies and replies[0].question is None else None
        await interaction.edit_original_response(content=first.text if first is not None else "…", view=None)
        if replies:
            await self._followups(interaction, replies)

    async def _followups(self, interaction: Interaction, replies: Sequence[Reply]) -> None:
        for outgoing in render_replies(replies):
            await interaction.followup.send(ephemeral=True, **self._kwargs(outgoing))
