"""Core replies -> Discord messages, views and modals (no client, no event loop).

Everything here stays inside Discord's limits and degrades rather than fails: text is split under 2,000
characters, labels are shortened, and controls that cannot fit are dropped (the prompt still says what to
do, and /checkin shows where the person is). `merge_messages` then packs the parts into as few messages as
those limits allow: a scheduled prompt is one message, so a failed send never leaves half a prompt behind
to be repeated by the retry.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import discord

from adapters.discord.translate import COMMENT_INPUT, FORM_BUTTON_PREFIX, FORM_MODAL_PREFIX, TEXT_INPUT_ID
from bot.community.pulse_pages import Page, comment_token
from bot.community.pulses import PulseForm
from bot.content.loader import Texts
from bot.layout import Picker, Write, layout
from bot.messages import Attachment, Form, Image, InputKind, Question, Reply, Tone
from bot.packing import packed
from bot.ports import Capabilities
from bot.reply_text import quoted
from bot.response import TextBox
from bot.text import shorten, split_text

MAX_CONTENT = 2000
MAX_ROWS = 5
MAX_BUTTONS_PER_ROW = 5
MAX_COMPONENTS = 25
MAX_LABEL = 80
MAX_OPTION_TEXT = 100
MAX_SELECT_OPTIONS = 25
MAX_EMBED_DESCRIPTION = 4096
MAX_EMBED_TITLE = 256
MAX_FIELD_VALUE = 1024
MAX_FOOTER = 2048
MAX_MODAL_INPUTS = 5
MAX_INPUT_LABEL = 45
MAX_INPUT_PLACEHOLDER = 100
MAX_MODAL_TITLE = 45
MAX_EMBEDS = 10  # per message
MAX_EMBED_TOTAL = 6000  # characters across all of a message's embeds
PART_SEPARATOR = "\n\n"  # between the texts of messages merged into one
TIP_COLOUR = 0x5B8DEF
MAX_TEXT_INPUT = 4000
MAX_PLACEHOLDER = 150
MODAL_TIMEOUT = 900.0  # a box opened and closed unsent does not stay in discord.py's memory for ever


class Style(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class ButtonSpec:
    label: str
    custom_id: str
    style: Style = Style.PRIMARY


@dataclass(frozen=True)
class OptionSpec:
    label: str
    value: str
    description: str = ""
    default: bool = False  # shown as already picked (a pulse form redrawn after a pick)


@dataclass(frozen=True)
class SelectSpec:
    custom_id: str
    options: tuple[OptionSpec, ...]
    min_values: int = 1
    max_values: int = 1
    placeholder: str = ""


Row = tuple[ButtonSpec, ...] | SelectSpec


@dataclass(frozen=True)
class Outgoing:
    """One Discord message: content and/or embeds, optional controls (action rows) and files."""

    content: str = ""
    embeds: tuple[discord.Embed, ...] = ()
    rows: tuple[Row, ...] = ()
    files: tuple[Attachment, ...] = field(default=())
    image: Image | None = None  # attached as a file, its alt text as the attachment's description


CAPABILITIES = Capabilities(max_text_length=MAX_CONTENT, max_buttons=MAX_COMPONENTS - 1,
                            max_select_options=MAX_SELECT_OPTIONS, ephemeral=True, modals=True, images=True,
                            rich_text=True)


def _buttons_in_rows(buttons: Sequence[ButtonSpec], rows_left: int) -> list[tuple[ButtonSpec, ...]]:
    rows = [tuple(buttons[start:start + MAX_BUTTONS_PER_ROW]) for start in range(0, len(buttons), MAX_BUTTONS_PER_ROW)]
    return rows[:rows_left]


def _select(picker: Picker, texts: Texts) -> SelectSpec | None:
    options = [OptionSpec(shorten(choice.label or choice.value, MAX_OPTION_TEXT), choice.value,
                          shorten(choice.description, MAX_OPTION_TEXT) if choice.description else "")
               for choice in picker.options if len(choice.value) <= MAX_OPTION_TEXT][:MAX_SELECT_OPTIONS]
    if not options:
        return None
    if picker.examples:  # picked ones are the answer, each stored as if written
        return SelectSpec(picker.token, tuple(options), 1, len(options), texts.get("control_examples"))
    high = max(1, min(picker.max_choices, len(options)))
    low = max(1, min(picker.min_choices, high)) if picker.multi else 1
    return SelectSpec(picker.token, tuple(options), low, high, shorten(picker.placeholder, MAX_PLACEHOLDER))


def question_rows(question: Question, texts: Texts) -> tuple[Row, ...]:
    """The controls of one question as bot.layout lays them out, in Discord's rows: buttons five a row, a
    select in a row of its own, and Skip last."""
    plan = layout(question, CAPABILITIES)
    skip = [ButtonSpec(texts.get("control_skip"), plan.skip.token, Style.SECONDARY)] if plan.skip is not None else []
    select = _select(plan.picker, texts) if plan.picker is not None else None
    if question.kind is InputKind.TEXT:
        label = texts.get("control_write_own") if plan.write_kind is Write.OWN else texts.get("control_write")
        write = [ButtonSpec(label, plan.write.token)] if plan.write is not None else []
        return (*([select] if select is not None else []), *_buttons_in_rows(write + skip, MAX_ROWS - 1))
    if plan.picker is None:
        buttons = [ButtonSpec(shorten(control.label, MAX_LABEL), control.token) for control in plan.buttons]
        return tuple(_buttons_in_rows(buttons + skip, MAX_ROWS))
    return (*([select] if select is not None else []), *([tuple(skip)] if skip else []))


def _plain(reply: Reply) -> str:
    parts: list[str] = []
    if reply.title:
        parts.append(f"**{reply.title}**")
    if reply.text:
        parts.append(reply.text)
    if reply.script:
        parts.append(quoted(reply.script))
    if reply.links:
        parts.append("\n".join(reply.links))
    if reply.footer:
        parts.append("\n".join(f"-# {line}" for line in reply.footer.splitlines() if line.strip()))
    return "\n\n".join(parts)


def tip_embed(reply: Reply, texts: Texts) -> discord.Embed | None:
    """A tip as an embed, its script set apart in a field; None when it would not fit (then plain text)."""
    if len(reply.text) > MAX_EMBED_DESCRIPTION or len(reply.script) > MAX_FIELD_VALUE - 4:
        return None
    embed = discord.Embed(title=shorten(reply.title, MAX_EMBED_TITLE) if reply.title else None,
                          description=reply.text or None, colour=TIP_COLOUR)
    if reply.script:
        embed.add_field(name=texts.get("script_label"), value=quoted(reply.script)[:MAX_FIELD_VALUE], inline=False)
    if reply.footer:
        embed.set_footer(text=reply.footer[:MAX_FOOTER])
    return embed


def form_button(form: Form) -> ButtonSpec:
    return ButtonSpec(shorten(form.open_label, MAX_LABEL), f"{FORM_BUTTON_PREFIX}{form.name}", Style.SECONDARY)


def render_reply(reply: Reply, texts: Texts) -> list[Outgoing]:
    """One reply as one or more messages; controls and files ride on the last one."""
    rows = question_rows(reply.question, texts) if reply.question is not None else ()
    if reply.form is not None and len(rows) < MAX_ROWS:
        rows = (*rows, (form_button(reply.form),))
    embed = tip_embed(reply, texts) if reply.tone is Tone.TIP else None
    if embed is not None:
        return [Outgoing(embeds=(embed,), rows=rows, files=reply.files, image=reply.image)]
    chunks = split_text(_plain(reply), MAX_CONTENT) or ([" "] if rows or reply.files or reply.image else [])
    if not chunks:
        return []
    messages = [Outgoing(content=chunk) for chunk in chunks]
    messages[-1] = Outgoing(content=chunks[-1], rows=rows, files=reply.files, image=reply.image)
    return messages


def render_replies(replies: Sequence[Reply], texts: Texts) -> list[Outgoing]:
    return [message for reply in replies for message in render_reply(reply, texts)]


def messages_for(replies: Sequence[Reply], texts: Texts) -> list[Outgoing]:
    """What replies become on Discord: as few messages as its limits allow (a scheduled prompt's greeting,
    question and snooze offer are one message, so a retried send never repeats half of it)."""
    return merge_messages(render_replies(replies, texts))


def _custom_ids(rows: Sequence[Row]) -> set[str]:
    ids: set[str] = set()
    for row in rows:
        if isinstance(row, SelectSpec):
            ids.add(row.custom_id)
        else:
            ids.update(button.custom_id for button in row)
    return ids


def _joined(first: Outgoing, second: Outgoing) -> Outgoing | None:
    """`first` and `second` as one message, or None when that would break a limit or change what is shown.

    Discord shows a message's text first, then its embeds and attachments, then its controls: text after an
    embed or a file would move above it, so such a pair stays apart (controls may move down: a prompt's
    question and snooze buttons end up together under its text). Attachments come from one side only (two
    exports in one upload could pass the size limit that each one alone keeps). Custom ids must be unique
    in a message."""
    first_files = bool(first.files) or first.image is not None
    if (first.embeds or first_files) and second.content.strip():
        return None
    if first_files and (second.files or second.image is not None):
        return None
    rows = (*first.rows, *second.rows)
    embeds = (*first.embeds, *second.embeds)
    if len(rows) > MAX_ROWS or len(embeds) > MAX_EMBEDS or sum(len(embed) for embed in embeds) > MAX_EMBED_TOTAL:
        return None
    if _custom_ids(first.rows) & _custom_ids(second.rows):
        return None
    content = PART_SEPARATOR.join(part for part in (first.content, second.content) if part.strip())
    if len(content) > MAX_CONTENT:
        return None
    # A message of controls alone carries a blank text (render_reply): keep it when nothing else is left.
    content = content or first.content or second.content
    return Outgoing(content=content, embeds=embeds, rows=rows, files=first.files or second.files,
                    image=first.image if first.image is not None else second.image)


def merge_messages(messages: Sequence[Outgoing]) -> list[Outgoing]:
    """The same messages, in order, packed into as few Discord messages as the limits allow (2,000 characters
    of text joined with a blank line, 5 rows of controls, 10 embeds, one sender of attachments). Nothing is
    dropped or shortened: a message that cannot join the one before it starts the next."""
    return packed(messages, _joined)


MAX_ALT_TEXT = 1024  # Discord's limit on an attachment's description


def discord_files(attachments: Sequence[Attachment], image: Image | None = None) -> list[discord.File]:
    """Fresh File objects for one send (discord.py consumes them). An image goes with its alt text as the
    attachment's description, which screen readers read out."""
    files = [discord.File(io.BytesIO(item.content), filename=item.filename) for item in attachments]
    if image is not None:
        files.append(discord.File(io.BytesIO(image.content), filename=image.filename,
                                  description=shorten(image.alt_text, MAX_ALT_TEXT) or None))
    return files


def render_page(page: Page) -> Outgoing:
    """One page of the team pulse's private form: its statements as text and as selects (a pick shows as the
    select's choice), then its buttons."""
    lines = [f"**{page.title}**", *([page.intro] if page.intro else []), *(f"-# {line}" for line in page.notes), ""]
    lines.extend(f"**{statement.number}.** {statement.text}" for statement in page.statements)
    lines.extend(line for text in (page.comment_prompt, page.note) if text for line in ("", text))
    lines.append(f"-# {page.footer}")
    rows: list[Row] = [SelectSpec(statement.token, tuple(
        OptionSpec(shorten(choice.label, MAX_OPTION_TEXT), choice.value, default=choice.value == statement.picked)
        for choice in statement.scale), placeholder=shorten(f"{statement.number}. {statement.text}", MAX_PLACEHOLDER))
        for statement in page.statements]
    rows.append(tuple(ButtonSpec(button.label, button.token, Style.PRIMARY if button.primary else Style.SECONDARY)
                      for button in page.buttons))
    content = "\n".join(lines)
    if len(content) > MAX_CONTENT:
        content = content[:MAX_CONTENT - 1].rstrip() + "…"
    return Outgoing(content=content, rows=tuple(rows))


# ---------------------------------------------------------------- discord.py objects


class Control(discord.ui.DynamicItem[discord.ui.Item[discord.ui.View]], template=re.compile(r".+", re.DOTALL)):
    """Every button and select the bot sends. As dynamic items, discord.py keeps no view of them in memory;
    what a click means is read from the interaction itself (adapter.on_interaction), after restarts too."""

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[discord.Client],
                             item: discord.ui.Item[discord.ui.View], match: re.Match[str], /) -> Control:
        return cls(item)


def view_for(message: Outgoing) -> discord.ui.View | None:
    if not message.rows:
        return None
    view = discord.ui.View(timeout=None)
    for row_index, row in enumerate(message.rows):
        if isinstance(row, SelectSpec):
            view.add_item(Control(discord.ui.Select(
                custom_id=row.custom_id, min_values=row.min_values, max_values=row.max_values,
                placeholder=row.placeholder or None, row=row_index,
                options=[discord.SelectOption(label=o.label, value=o.value, description=o.description or None,
                                              default=o.default) for o in row.options])))
            continue
        for spec in row:
            style = discord.ButtonStyle.primary if spec.style is Style.PRIMARY else discord.ButtonStyle.secondary
            view.add_item(Control(discord.ui.Button(label=spec.label, custom_id=spec.custom_id, style=style,
                                                    row=row_index)))
    return view


def message_kwargs(message: Outgoing) -> dict[str, Any]:
    """discord.py's arguments for sending one message: nobody is ever mentioned."""
    kwargs: dict[str, Any] = {"allowed_mentions": discord.AllowedMentions.none()}
    if message.content:
        kwargs["content"] = message.content
    if message.embeds:
        kwargs["embeds"] = list(message.embeds)
    view = view_for(message)
    if view is not None:
        kwargs["view"] = view
    if message.files or message.image is not None:
        kwargs["files"] = discord_files(message.files, message.image)
    return kwargs


def edit_kwargs(message: Outgoing) -> dict[str, Any]:
    """discord.py's arguments for redrawing a message in place (its controls go when it has none)."""
    kwargs = message_kwargs(message)
    kwargs.pop("allowed_mentions", None)
    kwargs.setdefault("view", None)
    return kwargs


def _modal(title: str, custom_id: str, *inputs: discord.ui.TextInput[discord.ui.Modal]) -> discord.ui.Modal:
    """A modal whose submission is read in adapter.on_interaction (the same path after a restart, when
    discord.py no longer knows it), so it has nothing to do itself."""
    modal = discord.ui.Modal(title=title, custom_id=custom_id, timeout=MODAL_TIMEOUT)
    for text_input in inputs:
        modal.add_item(text_input)
    return modal


def text_box_modal(box: TextBox, texts: Texts) -> discord.ui.Modal:
    """The box for a free-text answer ("Write it")."""
    limit = min(box.max_length, MAX_TEXT_INPUT) if box.max_length > 0 else MAX_TEXT_INPUT
    return _modal(texts.get("text_box_title"), box.token, discord.ui.TextInput(
        label=texts.get("text_box_label"), custom_id=TEXT_INPUT_ID, style=discord.TextStyle.paragraph,
        max_length=limit, default=box.initial[:limit] or None))


def form_modal(form: Form, texts: Texts) -> discord.ui.Modal:
    """A form (the schedule settings, a share) with its inputs filled in with the current settings, inside
    Discord's limits (5 inputs, 45-character labels)."""
    title = form.title[:MAX_MODAL_TITLE] or texts.get("form_title")
    return _modal(title, FORM_MODAL_PREFIX + form.name, *(discord.ui.TextInput(
        label=shorten(spec.label, MAX_INPUT_LABEL), custom_id=spec.name, required=False,
        default=spec.value[:spec.max_length] or None, max_length=max(1, min(spec.max_length, MAX_TEXT_INPUT)),
        placeholder=shorten(spec.placeholder, MAX_INPUT_PLACEHOLDER) or None,
        style=discord.TextStyle.paragraph if spec.max_length > 200 else discord.TextStyle.short)
        for spec in form.fields[:MAX_MODAL_INPUTS]))


def comment_modal(form: PulseForm, digits: str, texts: Texts) -> discord.ui.Modal:
    """The pulse form's optional comment, sent with the answers picked so far (they travel in its token)."""
    comment = form.comment
    title = shorten(form.title, MAX_MODAL_TITLE) or texts.get("pulse_form_title")
    return _modal(title, comment_token(form, digits), discord.ui.TextInput(
        label=shorten(texts.get("pulse_form_comment_label"), MAX_INPUT_LABEL), custom_id=COMMENT_INPUT,
        style=discord.TextStyle.paragraph, required=False,
        max_length=min(comment.max_length, MAX_TEXT_INPUT) if comment is not None else 1000,
        placeholder=(comment.placeholder[:MAX_INPUT_PLACEHOLDER] if comment is not None else "") or None))
