"""Core replies -> Discord message parts, as pure functions (no client, no event loop).

Everything here stays inside Discord's limits and degrades rather than fails: text is split under 2,000
characters, labels are shortened, and controls that cannot fit are dropped (the prompt still says what to
do, and /checkin shows where the person is). `merge_messages` then packs the parts into as few messages as
those limits allow: a scheduled prompt is one message, so a failed send never leaves half a prompt behind
to be repeated by the retry.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import discord

from bot.layout import Picker, Write, layout
from bot.messages import Attachment, Form, Image, InputKind, Question, Reply, Tone
from bot.ports import Capabilities
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
WRITE_LABEL = "Write it"
WRITE_OWN_LABEL = "Write my own"
EXAMPLES_PLACEHOLDER = "Pick from these examples…"
SKIP_LABEL = "Skip"
FORM_BUTTON_PREFIX = "bb:form:"  # + the form's name: a button that opens the form, valid after restarts
FORM_MODAL_PREFIX = "bb:formsubmit:"  # + the form's name: the modal's own custom id
MAX_MODAL_INPUTS = 5
MAX_INPUT_LABEL = 45
MAX_INPUT_PLACEHOLDER = 100
MAX_MODAL_TITLE = 45
MAX_EMBEDS = 10  # per message
MAX_EMBED_TOTAL = 6000  # characters across all of a message's embeds
PART_SEPARATOR = "\n\n"  # between the texts of messages merged into one
TIP_COLOUR = 0x5B8DEF
SCRIPT_FIELD = "Try saying"


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
class InputSpec:
    """One text input of a modal."""

    custom_id: str
    label: str
    default: str
    placeholder: str
    max_length: int


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
    rows: list[tuple[ButtonSpec, ...]] = []
    for start in range(0, len(buttons), MAX_BUTTONS_PER_ROW):
        if len(rows) >= rows_left:
            break
        rows.append(tuple(buttons[start:start + MAX_BUTTONS_PER_ROW]))
    return rows


def _select(picker: Picker) -> SelectSpec | None:
    options = [OptionSpec(shorten(choice.label or choice.value, MAX_OPTION_TEXT), choice.value,
                          shorten(choice.description, MAX_OPTION_TEXT) if choice.description else "")
               for choice in picker.options if len(choice.value) <= MAX_OPTION_TEXT][:MAX_SELECT_OPTIONS]
    if not options:
        return None
    if picker.examples:  # picked ones are the answer, each stored as if written
        return SelectSpec(picker.token, tuple(options), 1, len(options), EXAMPLES_PLACEHOLDER)
    high = max(1, min(picker.max_choices, len(options)))
    low = max(1, min(picker.min_choices, high)) if picker.multi else 1
    return SelectSpec(picker.token, tuple(options), low, high, shorten(picker.placeholder, 150))


def question_rows(question: Question) -> tuple[Row, ...]:
    """The controls of one question as bot.layout lays them out, in Discord's rows: buttons five a row, a
    select in a row of its own, and Skip last."""
    plan = layout(question, CAPABILITIES)
    skip = [ButtonSpec(SKIP_LABEL, plan.skip.token, Style.SECONDARY)] if plan.skip is not None else []
    select = _select(plan.picker) if plan.picker is not None else None
    if question.kind is InputKind.TEXT:
        label = WRITE_OWN_LABEL if plan.write_kind is Write.OWN else WRITE_LABEL
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
        parts.append("\n".join(f"> {line}" if line.strip() else ">" for line in reply.script.splitlines()))
    if reply.links:
        parts.append("\n".join(reply.links))
    if reply.footer:
        parts.append("\n".join(f"-# {line}" for line in reply.footer.splitlines() if line.strip()))
    return "\n\n".join(parts)


def tip_embed(reply: Reply) -> discord.Embed | None:
    """A tip as an embed, its script set apart in a field; None when it would not fit (then plain text)."""
    if len(reply.text) > MAX_EMBED_DESCRIPTION or len(reply.script) > MAX_FIELD_VALUE - 4:
        return None
    embed = discord.Embed(title=shorten(reply.title, MAX_EMBED_TITLE) if reply.title else None,
                          description=reply.text or None, colour=TIP_COLOUR)
    if reply.script:
        quoted = "\n".join(f"> {line}" if line.strip() else ">" for line in reply.script.splitlines())
        embed.add_field(name=SCRIPT_FIELD, value=quoted[:MAX_FIELD_VALUE], inline=False)
    if reply.footer:
        embed.set_footer(text=reply.footer[:MAX_FOOTER])
    return embed


def form_button(form: Form) -> ButtonSpec:
    return ButtonSpec(shorten(form.open_label, MAX_LABEL), f"{FORM_BUTTON_PREFIX}{form.name}", Style.SECONDARY)


def form_inputs(form: Form) -> list[InputSpec]:
    """A form's fields as a modal's text inputs, inside Discord's limits (5 inputs, 45-character labels)."""
    return [InputSpec(spec.name, shorten(spec.label, MAX_INPUT_LABEL), spec.value[:spec.max_length],
                      shorten(spec.placeholder, MAX_INPUT_PLACEHOLDER), max(1, min(spec.max_length, 4000)))
            for spec in form.fields[:MAX_MODAL_INPUTS]]


def render_reply(reply: Reply) -> list[Outgoing]:
    """One reply as one or more messages; controls and files ride on the last one."""
    rows = question_rows(reply.question) if reply.question is not None else ()
    if reply.form is not None and len(rows) < MAX_ROWS:
        rows = (*rows, (form_button(reply.form),))
    embed = tip_embed(reply) if reply.tone is Tone.TIP else None
    if embed is not None:
        return [Outgoing(embeds=(embed,), rows=rows, files=reply.files, image=reply.image)]
    chunks = split_text(_plain(reply), MAX_CONTENT) or ([" "] if rows or reply.files or reply.image else [])
    if not chunks:
        return []
    messages = [Outgoing(content=chunk) for chunk in chunks]
    messages[-1] = Outgoing(content=chunks[-1], rows=rows, files=reply.files, image=reply.image)
    return messages


def render_replies(replies: Sequence[Reply]) -> list[Outgoing]:
    return [message for reply in replies for message in render_reply(reply)]


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
    dropped or shortened: a message that cannot join the one before it starts the next. Packing greedily in
    order gives the fewest messages: whatever keeps two parts apart also keeps apart any longer run holding
    both."""
    merged: list[Outgoing] = []
    for message in messages:
        joined = _joined(merged[-1], message) if merged else None
        if joined is None:
            merged.append(message)
        else:
            merged[-1] = joined
    return merged


MAX_ALT_TEXT = 1024  # Discord's limit on an attachment's description


def discord_files(attachments: Sequence[Attachment], image: Image | None = None) -> list[discord.File]:
    """Fresh File objects for one send (discord.py consumes them). An image goes with its alt text as the
    attachment's description, which screen readers read out."""
    files = [discord.File(io.BytesIO(item.content), filename=item.filename) for item in attachments]
    if image is not None:
        files.append(discord.File(io.BytesIO(image.content), filename=image.filename,
                                  description=shorten(image.alt_text, MAX_ALT_TEXT) or None))
    return files
