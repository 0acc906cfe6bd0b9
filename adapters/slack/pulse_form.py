"""The team pulse on Slack as one private form: Join in the round's channel opens a modal (views.open with the
click's trigger_id) holding every statement with the scale and, when the round takes one, the optional
comment. It is sent once (view_submission), checked (every statement answered, or the modal says which are
not), and recorded through the core's anonymous path; then it closes. No answer is ever posted anywhere: the
only line after it is an ephemeral "Thanks — your answers are in (anonymous)". Opened again, it starts empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from adapters.slack.render import MAX_OPTION_TEXT, MAX_PLACEHOLDER, input_block, modal, mrkdwn_chunks, plain, text_input
from adapters.slack.translate import read_metadata, view_values
from bot.community.pulses import JOIN_STEP, PULSE_SESSION, PulseForm
from bot.content.loader import Texts
from bot.messages import parse_token

Block = dict[str, Any]

PULSE_FORM_CALLBACK = "bb:pulse"
ITEM_BLOCK_PREFIX = "item-"
SCORE_ACTION = "score"
COMMENT_BLOCK = "comment"
COMMENT_ACTION = "text"
MAX_RADIO_OPTIONS = 10
MAX_HINT = 2000


def join_round(action_id: str) -> str | None:
    """The round a Join button opens, or None for any other control."""
    parsed = parse_token(action_id)
    if parsed is None or parsed.session_id != PULSE_SESSION or parsed.step_id != JOIN_STEP or not parsed.value:
        return None
    return parsed.value


def item_block(number: int) -> str:
    return f"{ITEM_BLOCK_PREFIX}{number}"


def pulse_modal(form: PulseForm, texts: Texts) -> Block:
    """Every statement as a required radio group on the scale (a select where the scale has more than ten
    points), the comment box when the round takes one; nothing pre-selected, so it always starts empty."""
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
    return modal(PULSE_FORM_CALLBACK, metadata, form.title, texts.get("pulse_form_send"), texts, blocks)


def form_place(view: Mapping[str, Any]) -> tuple[str, str, int]:
    """(round id, the round's channel, how many statements) from a sent form's private_metadata, which Slack
    keeps on its side (a person cannot change it)."""
    metadata = read_metadata(str(view.get("private_metadata") or ""))
    count = metadata.get("items", "")
    return metadata.get("round", ""), metadata.get("channel", ""), int(count) if count.isdigit() else 0


def form_scores(view: Mapping[str, Any], count: int) -> list[int | None]:
    """The picked point per statement (None where nothing was picked), from a sent form's state."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    found: Mapping[str, Any] = values if isinstance(values, Mapping) else {}
    scores: list[int | None] = []
    for number in range(1, count + 1):
        block = found.get(item_block(number))
        entry = block.get(SCORE_ACTION) if isinstance(block, Mapping) else None
        option = entry.get("selected_option") if isinstance(entry, Mapping) else None
        value = option.get("value") if isinstance(option, Mapping) else None
        scores.append(int(value) if isinstance(value, str) and value.isdigit() and len(value) == 1 else None)
    return scores


def form_comment(view: Mapping[str, Any]) -> str:
    state = view.get("state")
    return view_values(state).get(COMMENT_BLOCK, "") if isinstance(state, Mapping) else ""


def missing_errors(texts: Texts, missing: Sequence[int]) -> dict[str, str]:
    """The modal's errors (response_action "errors"): one under each statement still without an answer."""
    return {item_block(number): texts.get("pulse_form_pick") for number in missing}

