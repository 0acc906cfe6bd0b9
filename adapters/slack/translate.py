"""Slack payloads -> the core's events, as pure functions: slash commands, clicks and picks (block_actions),
submitted modals (view_submission), messages in the DM with the app, and the App Home tab being opened.

Each takes the dicts Slack sends (slack-bolt hands them over as they are; its context is a dict too) and
answers with a core event, or None for a payload the app does not act on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adapters.slack.render import (
    COMMAND_PREFIX,
    COMMENT_BLOCK,
    EXAMPLES_ACTION,
    EXAMPLES_BLOCK,
    FORM_BUTTON_PREFIX,
    FORM_CALLBACK_PREFIX,
    SCORE_ACTION,
    TEXT_BLOCK,
    TEXT_CALLBACK,
    item_block,
)
from bot.commands import COMMANDS
from bot.community.pulses import JOIN_STEP, PULSE_SESSION
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, TextSubmitted
from bot.messages import Address, form_name, parse_token

PLATFORM = "slack"
COMMAND = "/boundary"
TOKEN_PREFIX = "ci:"  # a core token on a button or select (bot.messages.make_token)
Click = ChoicePicked | FormOpened | Command


def address(context: Mapping[str, Any], channel: str = "") -> Address:
    """Who acted, in which workspace (an Enterprise Grid install is keyed by its enterprise)."""
    workspace = context.get("team_id") or context.get("enterprise_id") or ""
    return Address(PLATFORM, str(workspace), str(context.get("user_id") or ""), channel)


def parse_command_text(text: str) -> tuple[str, str]:
    """`/boundary tip saying-no` -> ("tip", "saying-no"); `/boundary` alone -> help."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), words[1] if len(words) > 1 else ""


def command_event(command: Mapping[str, Any], who: Address) -> Command | FormOpened:
    """`/boundary share` with nothing to share opens the share form (while the trigger id lets a modal open);
    anything else is the command it names."""
    name, args = parse_command_text(str(command.get("text") or ""))
    if name == "share" and not args.strip() and command.get("trigger_id"):
        return FormOpened(who, "share")
    return Command(who, name, args)


def click_channel(body: Mapping[str, Any]) -> str:
    """The conversation a click happened in; "" for a click in a view (App Home, a modal)."""
    container = body.get("container") or {}
    channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
    return "" if container.get("type") == "view" else channel


def selected(action: Mapping[str, Any]) -> tuple[str, ...]:
    """The values a select sends; a button's value is already in its token."""
    if isinstance(action.get("selected_options"), list):
        return tuple(str(option.get("value")) for option in action["selected_options"] if option.get("value"))
    option = action.get("selected_option")
    if isinstance(option, Mapping) and option.get("value"):
        return (str(option["value"]),)
    return ()


def click_event(action: Mapping[str, Any], who: Address) -> Click | None:
    """A click on one of the app's controls: an answer (its token), a form's button, or an App Home button."""
    action_id = str(action.get("action_id") or "")
    if action_id.startswith(TOKEN_PREFIX):
        return ChoicePicked(who, action_id, selected(action))
    if action_id.startswith(FORM_BUTTON_PREFIX):
        return FormOpened(who, form_name(action_id, FORM_BUTTON_PREFIX) or "")
    name = action_id.removeprefix(COMMAND_PREFIX)
    return Command(who, name) if action_id.startswith(COMMAND_PREFIX) and name in COMMANDS else None


def picked_labels(action: Mapping[str, Any]) -> list[str]:
    """What a person saw for what they picked: the button's text, or the chosen options' texts."""
    options = action.get("selected_options")
    if isinstance(options, list):
        return [str((option.get("text") or {}).get("text") or "") for option in options if option]
    option = action.get("selected_option")
    if isinstance(option, Mapping):
        return [str((option.get("text") or {}).get("text") or "")]
    text = action.get("text")
    return [str(text.get("text") or "")] if isinstance(text, Mapping) else []


def read_metadata(text: str) -> dict[str, str]:
    """A view's private_metadata back; anything unreadable is simply empty."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def view_channel(view: Mapping[str, Any]) -> str:
    """Where the modal was opened from (kept in its private_metadata, which Slack holds on its side)."""
    return read_metadata(str(view.get("private_metadata") or "")).get("channel", "")


def view_values(state: Mapping[str, Any]) -> dict[str, str]:
    """Every text input's value in a submitted view, by block_id."""
    values: dict[str, str] = {}
    for block_id, actions in (state.get("values") or {}).items():
        if not isinstance(actions, Mapping):
            continue
        for entry in actions.values():
            if isinstance(entry, Mapping) and isinstance(entry.get("value"), str):
                values[str(block_id)] = entry["value"]
    return values


def text_modal_answer(state: Mapping[str, Any]) -> str:
    """A submitted text modal as one answer: the ticked examples and the typed words, one item a line."""
    values = state.get("values") or {}
    picked = ((values.get(EXAMPLES_BLOCK) or {}).get(EXAMPLES_ACTION) or {}) if isinstance(values, Mapping) else {}
    options = picked.get("selected_options") if isinstance(picked, Mapping) else None
    ticked = [str(option.get("value")) for option in options or [] if isinstance(option, Mapping)
              and option.get("value")]
    typed = view_values(state).get(TEXT_BLOCK, "")
    return "\n".join([*ticked, typed] if typed.strip() else ticked)


def view_event(view: Mapping[str, Any], who: Address) -> TextSubmitted | FormSubmitted | None:
    """A submitted modal: the text box of one answer (its token travels in the view), or a form."""
    callback_id = str(view.get("callback_id") or "")
    state = view.get("state") or {}
    if callback_id == TEXT_CALLBACK:
        token = read_metadata(str(view.get("private_metadata") or "")).get("token", "")
        return TextSubmitted(who, text_modal_answer(state), token=token)
    name = form_name(callback_id, FORM_CALLBACK_PREFIX)
    return FormSubmitted(who, name, tuple(view_values(state).items())) if name is not None else None


@dataclass(frozen=True)
class Typed:
    """Words a person wrote in their DM with the app; `edited`: a message changed afterwards."""

    channel: str
    text: str
    edited: bool = False


def typed(event: Mapping[str, Any]) -> Typed | None:
    """A message event worth reading: a person's own words in the DM with the app (one with a file too; an
    edited one, which is only read for danger). Not the app's own messages, nor anything without words."""
    if event.get("channel_type") != "im" or event.get("bot_id"):
        return None
    subtype = event.get("subtype")
    channel = str(event.get("channel") or "")
    edited = event.get("message") if subtype == "message_changed" else None
    if isinstance(edited, Mapping):
        if edited.get("bot_id") or not edited.get("user") or not edited.get("text"):
            return None
        return Typed(channel, str(edited["text"]), edited=True)
    if subtype not in (None, "file_share") or not event.get("user") or not event.get("text"):
        return None
    return Typed(channel, str(event["text"]))


def home_opened(event: Mapping[str, Any]) -> bool:
    """app_home_opened fires for the Messages tab too; only the Home tab shows the dashboard."""
    return event.get("tab") == "home"


def revoked(event: Mapping[str, Any]) -> tuple[list[str], bool]:
    """tokens_revoked: the users whose tokens went, and whether the bot's did."""
    found = event.get("tokens")
    tokens: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    return [str(user_id) for user_id in tokens.get("oauth") or []], bool(tokens.get("bot"))


def join_round(action_id: str) -> str | None:
    """The round a Join button opens, or None for any other control."""
    parsed = parse_token(action_id)
    if parsed is None or parsed.session_id != PULSE_SESSION or parsed.step_id != JOIN_STEP or not parsed.value:
        return None
    return parsed.value


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
