"""Core replies -> Slack Block Kit, as pure functions (no client, no event loop).

Everything here stays inside Block Kit's limits and degrades rather than fails: text is split into
sections of at most 3,000 characters, messages hold at most 50 blocks, labels are shortened, and controls
that cannot fit are dropped (the prompt still says what to do, and typing the answer in the DM works too).
Every message also carries a plain-text `text`, which Slack shows in notifications and screen readers read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.answering import box_examples
from bot.commands import as_subcommands
from bot.community.pulses import PulseForm
from bot.content.loader import Texts
from bot.dashboard import Dashboard
from bot.layout import Picker, Write, layout
from bot.messages import SKIP, Attachment, Form, Image, InputKind, Question, Reply, Tone
from bot.packing import packed
from bot.ports import Capabilities
from bot.reply_text import escaped_chunks, quoted, summary
from bot.response import TextBox
from bot.text import shorten

Block = dict[str, Any]

MAX_BLOCKS = 50  # per message
MAX_VIEW_BLOCKS = 100  # per modal or App Home
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_ACTION_ID = 255
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS_ELEMENTS = 25
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
MAX_SELECT_OPTIONS = 100
MAX_PLACEHOLDER = 150
MAX_MODAL_TITLE = 24
MAX_MODAL_BUTTON = 24
MAX_INPUT_LABEL = 2000
MAX_INPUT_LENGTH = 3000
MAX_PRIVATE_METADATA = 3000
MAX_FALLBACK_TEXT = 4000  # Slack accepts 40,000; notifications show far less
MAX_BUTTONS = 5  # more choices than this become a select menu
MAX_IMAGE_ALT_TEXT = 2000

FORM_BUTTON_PREFIX = "bb:form:"  # + the form's name: a button that opens the form, valid after restarts
FORM_CALLBACK_PREFIX = "bb:formsubmit:"  # + the form's name: the form modal's callback_id
COMMAND_PREFIX = "bb:cmd:"  # + a core command: an App Home button that runs the command
TEXT_CALLBACK = "bb:text"  # the free-text modal; its private_metadata carries the token
FORM_VALUE_ACTION = "value"
TEXT_ACTION = "text"
TEXT_BLOCK = "answer"
EXAMPLES_BLOCK = "examples"  # the checkboxes of a text modal that offers examples to pick
EXAMPLES_ACTION = "picked"
MAX_CHECKBOXES = 10
PULSE_FORM_CALLBACK = "bb:pulse"  # the team pulse's private form
ITEM_BLOCK_PREFIX = "item-"
SCORE_ACTION = "score"
COMMENT_BLOCK = "comment"
COMMENT_ACTION = "text"
MAX_RADIO_OPTIONS = 10
MAX_HINT = 2000


@dataclass(frozen=True)
class SlackMessage:
    """One chat message: Block Kit blocks, the plain-text fallback, and files to upload after it."""

    text: str
    blocks: tuple[Block, ...] = ()
    files: tuple[Attachment, ...] = field(default=())
    images: tuple[Image, ...] = field(default=())  # uploaded with their alt text (files cannot be ephemeral)

    def kwargs(self) -> dict[str, Any]:
        """Arguments for chat.postMessage / chat.postEphemeral / a response_url."""
        arguments: dict[str, Any] = {"text": self.text or " "}
        if self.blocks:
            arguments["blocks"] = list(self.blocks)
        return arguments


# ---------------------------------------------------------------- text

def slack_commands(text: str) -> str:
    """On Slack every command is a word of /boundary: "/checkin weekly" -> "/boundary checkin weekly"."""
    return as_subcommands(text, "/boundary")


def escape(text: str) -> str:
    """Slack's three control characters; anything else in mrkdwn is shown as typed."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn_chunks(text: str, limit: int = MAX_SECTION_TEXT) -> list[str]:
    """Escaped mrkdwn pieces of at most `limit` characters."""
    return escaped_chunks(text, limit, escape)


def plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": shorten(text, limit) or " ", "emoji": True}


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


# ---------------------------------------------------------------- controls


CAPABILITIES = Capabilities(max_text_length=MAX_SECTION_TEXT, max_buttons=MAX_BUTTONS,
                            max_select_options=MAX_SELECT_OPTIONS, ephemeral=True, private_files=False,
                            modals=True, images=True, rich_text=True, max_text_box=MAX_INPUT_LENGTH,
                            choices_in_text_box=True)


def button(label: str, action_id: str, value: str = "", *, primary: bool = False) -> Block:
    element: Block = {"type": "button", "text": plain(label, MAX_BUTTON_TEXT), "action_id": action_id[:MAX_ACTION_ID]}
    if value:
        element["value"] = value[:MAX_BUTTON_VALUE]
    if primary:
        element["style"] = "primary"
    return element


def _option(label: str, value: str, description: str = "") -> Block:
    option: Block = {"text": plain(label or value, MAX_OPTION_TEXT), "value": value}
    if description:
        option["description"] = plain(description, MAX_OPTION_TEXT)
    return option


def _select(picker: Picker, texts: Texts) -> Block | None:
    options = [_option(choice.label, choice.value, choice.description) for choice in picker.options
               if len(choice.value) <= MAX_OPTION_VALUE][:MAX_SELECT_OPTIONS]
    if not options:
        return None
    placeholder = plain(picker.placeholder or texts.get("control_choose"), MAX_PLACEHOLDER)
    if picker.multi:
        high = max(1, min(picker.max_choices, len(options)))
        return {"type": "multi_static_select", "action_id": picker.token, "options": options,
                "placeholder": placeholder, "max_selected_items": high}
    return {"type": "static_select", "action_id": picker.token, "options": options, "placeholder": placeholder}


def question_elements(question: Question, texts: Texts) -> list[Block]:
    """The controls of one question as bot.layout lays them out, for one actions block: buttons for a short
    scale or one choice of a few, a select menu for several answers or many choices, a "Write it" button that
    opens a text box (which offers the examples to tick), and Skip when the step may be skipped."""
    plan = layout(question, CAPABILITIES)
    skip = [button(texts.get("control_skip"), plan.skip.token, SKIP)] if plan.skip is not None else []
    if question.kind is InputKind.TEXT:
        label = texts.get("control_pick_or_write") if plan.write_kind is Write.PICK_OR_WRITE \
            else texts.get("control_write")
        write = plan.write
        return ([button(label, write.token, write.value, primary=True)] if write is not None else []) + skip
    if plan.picker is None:
        return [button(control.label, control.token, control.value) for control in plan.buttons] + skip
    select = _select(plan.picker, texts)
    return ([select] if select is not None else []) + skip


def form_button(form: Form) -> Block:
    return button(form.open_label, f"{FORM_BUTTON_PREFIX}{form.name}", form.name)


# ---------------------------------------------------------------- messages


def reply_blocks(reply: Reply, texts: Texts) -> list[Block]:
    """One reply as blocks: a section per 3,000 characters, the script set apart as a quote, the footer as
    context, and the controls last."""
    chunks = mrkdwn_chunks(slack_commands(reply.text))
    if reply.title:
        head = f"*{escape(shorten(reply.title, 200))}*"
        if chunks and len(head) + 1 + len(chunks[0]) <= MAX_SECTION_TEXT:
            chunks[0] = f"{head}\n{chunks[0]}"
        else:
            chunks.insert(0, head)
    blocks: list[Block] = [_section(chunk) for chunk in chunks]
    if reply.script:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": f"*{texts.get('script_label')}*"}]})
        blocks.extend(_section(chunk) for chunk in mrkdwn_chunks(quoted(reply.script)))
    if reply.links:
        blocks.extend(_section(chunk) for chunk in mrkdwn_chunks("\n".join(reply.links)))
    if reply.footer:
        footer = mrkdwn_chunks(slack_commands(reply.footer))[:MAX_CONTEXT_ELEMENTS]
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": chunk} for chunk in footer]})
    elements = question_elements(reply.question, texts) if reply.question is not None else []
    if reply.form is not None:
        elements.append(form_button(reply.form))
    if elements:
        blocks.append({"type": "actions", "elements": elements[:MAX_ACTIONS_ELEMENTS]})
    if reply.tone is Tone.CRISIS and blocks:
        blocks.insert(0, {"type": "divider"})
    return blocks


@dataclass(frozen=True)
class _Piece:
    replies: tuple[Reply, ...]
    blocks: tuple[Block, ...]
    files: tuple[Attachment, ...] = ()
    images: tuple[Image, ...] = ()


def _pieces(reply: Reply, texts: Texts) -> list[_Piece]:
    """A reply's blocks, 50 a piece: its last blocks (its controls), files and picture go with its last piece."""
    blocks = reply_blocks(reply, texts)
    pieces = [_Piece((reply,), tuple(blocks[start:start + MAX_BLOCKS])) for start in range(0, len(blocks), MAX_BLOCKS)]
    last = pieces.pop() if pieces else _Piece((reply,), ())
    return [*pieces, replace(last, files=reply.files, images=(reply.image,) if reply.image is not None else ())]


def _joined(first: _Piece, second: _Piece) -> _Piece | None:
    if len(first.blocks) + len(second.blocks) > MAX_BLOCKS:
        return None
    return _Piece(first.replies + second.replies, first.blocks + second.blocks, first.files + second.files,
                  first.images + second.images)


def render_replies(replies: Sequence[Reply], texts: Texts) -> list[SlackMessage]:
    """Replies as few messages as fit 50 blocks each (bot.packing)."""
    return [SlackMessage(summary(piece.replies, texts, MAX_FALLBACK_TEXT, slack_commands), piece.blocks,
                         piece.files, piece.images)
            for piece in packed([piece for reply in replies for piece in _pieces(reply, texts)], _joined)
            if piece.blocks or piece.files or piece.images]


# ---------------------------------------------------------------- modals and App Home


def _metadata(data: Mapping[str, str]) -> str:
    text = json.dumps(dict(data), separators=(",", ":"))
    return text if len(text) <= MAX_PRIVATE_METADATA else "{}"


def modal(callback_id: str, metadata: Mapping[str, str], title: str, submit: str, texts: Texts,
          blocks: list[Block]) -> Block:
    return {"type": "modal", "callback_id": callback_id, "private_metadata": _metadata(metadata),
            "title": plain(title, MAX_MODAL_TITLE), "submit": plain(submit, MAX_MODAL_BUTTON),
            "close": plain(texts.get("modal_cancel"), MAX_MODAL_BUTTON), "blocks": blocks}


def text_input(action_id: str, max_length: int, *, initial: str = "", placeholder: str = "",
               multiline: bool = False) -> Block:
    element: Block = {"type": "plain_text_input", "action_id": action_id,
                      "max_length": max(1, min(max_length, MAX_INPUT_LENGTH))}
    if multiline:
        element["multiline"] = True
    if initial:
        element["initial_value"] = initial[:element["max_length"]]
    if placeholder:
        element["placeholder"] = plain(placeholder, MAX_PLACEHOLDER)
    return element


def input_block(block_id: str, label: str, element: Block, *, optional: bool = False, **extra: Any) -> Block:
    return {"type": "input", "block_id": block_id, "optional": optional, "label": plain(label, MAX_INPUT_LABEL),
            "element": element, **extra}


def text_modal(box: TextBox, texts: Texts, placeholder: str = "", *, channel: str = "") -> Block:
    """The private text box the core asked for; the token and where to answer travel in the view. It opens with
    `box.initial` (a safety-plan part being changed); `box.examples` become checkboxes above it (then either may
    be left empty), and lines of `initial` that are examples open ticked."""
    offered, ticked, own = box_examples(box, min(MAX_OPTION_TEXT, MAX_OPTION_VALUE), MAX_CHECKBOXES)
    options = [{"text": plain(example, MAX_OPTION_TEXT), "value": example} for example in offered]
    element = text_input(TEXT_ACTION, box.max_length if box.max_length > 0 else MAX_INPUT_LENGTH, initial=own,
                         placeholder=placeholder, multiline=True)
    blocks = [input_block(TEXT_BLOCK, texts.get("text_box_label"), element)]
    if options:
        checkboxes: Block = {"type": "checkboxes", "action_id": EXAMPLES_ACTION, "options": options}
        if ticked:
            checkboxes["initial_options"] = [option for option in options if option["value"] in ticked]
        blocks = [input_block(EXAMPLES_BLOCK, texts.get("text_box_examples"), checkboxes, optional=True),
                  input_block(TEXT_BLOCK, texts.get("text_box_own_words"), element, optional=True)]
    return modal(TEXT_CALLBACK, {"token": box.token, "channel": channel}, texts.get("text_box_title"),
                 texts.get("send"), texts, blocks)


def form_modal(form: Form, texts: Texts, *, channel: str = "") -> Block:
    """A form as a modal, its inputs filled in with the current settings."""
    blocks = [input_block(spec.name[:255], spec.label or spec.name, text_input(
        FORM_VALUE_ACTION, spec.max_length, initial=spec.value, placeholder=spec.placeholder), optional=True)
              for spec in form.fields[:MAX_VIEW_BLOCKS]]
    return modal(f"{FORM_CALLBACK_PREFIX}{form.name}", {"channel": channel}, form.title, form.submit_label, texts,
                 blocks)


def image_block(file_id: str, alt_text: str) -> Block:
    """A picture uploaded to Slack, shown by its file id (the file need not be shared in any conversation)."""
    return {"type": "image", "slack_file": {"id": file_id}, "alt_text": shorten(alt_text, MAX_IMAGE_ALT_TEXT)}


def home_view(board: Dashboard, texts: Texts, *, chart_file_id: str = "") -> Block:
    """The App Home: the dashboard's title, its buttons, and its replies (schedule, history); the history chart
    too when it has been uploaded (`chart_file_id`), with its alt text."""
    blocks: list[Block] = [
        {"type": "header", "text": plain(board.title, 150)},
        {"type": "actions", "block_id": "home_actions",
         "elements": [button(action.label, f"{COMMAND_PREFIX}{action.command}", action.command,
                             primary=action.primary) for action in board.actions]},
    ]
    chart = board.chart if chart_file_id else None
    for reply in board.replies:
        own = reply_blocks(reply, texts)
        if chart is not None and reply.image is chart:
            own.append(image_block(chart_file_id, chart.alt_text))
        if not own:  # a picture that could not be shown: no empty section
            continue
        if len(blocks) + 1 + len(own) > MAX_VIEW_BLOCKS:
            break
        blocks.append({"type": "divider"})
        blocks.extend(own)
    return {"type": "home", "blocks": blocks}


def settled_blocks(blocks: Sequence[Block], mark: str) -> list[Block]:
    """An answered question's message without its controls, and with `mark` (bot.answering.answered_mark)."""
    kept = [block for block in blocks if block.get("type") != "actions"]
    if mark:
        kept.append({"type": "context",
                     "elements": [{"type": "mrkdwn", "text": escape(shorten(mark, MAX_SECTION_TEXT))}]})
    return kept[:MAX_BLOCKS]


def item_block(number: int) -> str:
    return f"{ITEM_BLOCK_PREFIX}{number}"


def pulse_modal(form: PulseForm, texts: Texts) -> Block:
    """The team pulse as one private form, opened by Join in the round's channel: every statement as a required
    radio group on the scale (a select where the scale has more than ten points), the comment box when the
    round takes one. Nothing pre-selected, so it always starts empty; it is sent once, checked (every statement
    answered, or the modal says which are not) and recorded anonymously, and nothing is ever posted."""
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
                           for chunk in mrkdwn_chunks(form.intro)]
    blocks.extend({"type": "context", "elements": [{"type": "mrkdwn", "text": chunk}]}
                  for note in form.notes for chunk in mrkdwn_chunks(note, 2000))
    options = [{"text": plain(choice.label, MAX_OPTION_TEXT), "value": choice.value} for choice in form.scale]
    for number, statement in enumerate(form.items, start=1):
        element: Block = {"type": "radio_buttons", "action_id": SCORE_ACTION, "options": options} \
            if len(options) <= MAX_RADIO_OPTIONS else \
            {"type": "static_select", "action_id": SCORE_ACTION, "options": options,
             "placeholder": plain(texts.get("pulse_form_choose"), MAX_PLACEHOLDER)}
        blocks.append(input_block(item_block(number), f"{number}. {statement}", element))
    if form.comment is not None:
        box = text_input(COMMENT_ACTION, form.comment.max_length, placeholder=form.comment.placeholder,
                         multiline=True)
        blocks.append(input_block(COMMENT_BLOCK, texts.get("pulse_form_comment_label"), box, optional=True,
                                  hint=plain(form.comment.prompt, MAX_HINT)))
    metadata = {"round": form.round_id, "channel": form.channel_id, "items": str(len(form.items))}
    return modal(PULSE_FORM_CALLBACK, metadata, form.title, texts.get("send"), texts, blocks)


def missing_errors(texts: Texts, missing: Sequence[int]) -> dict[str, str]:
    """The modal's errors (response_action "errors"): one under each statement still without an answer."""
    return {item_block(number): texts.get("pulse_form_pick") for number in missing}
