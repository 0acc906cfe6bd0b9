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

from adapters.slack import render
from bot.commands import COMMANDS, split_command
from bot.community.pulses import JOIN_STEP, PULSE_SESSION
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, TextSubmitted
from bot.messages import Address, form_name, parse_token

PLATFORM = "slack"
COMMAND = "/boundary"
TOKEN_PREFIX = "ci:"  # a core token on a button or select (bot.messages.make_token)


def address(context: Mapping[str, Any], channel: str = "") -> Address:
    """Who acted, in which workspace (an Enterprise Grid install is keyed by its enterprise)."""
    workspace = context.get("team_id") or context.get("enterprise_id") or ""
    return Address(PLATFORM, str(workspace), str(context.get("user_id") or ""), channel)


def command_event(command: Mapping[str, Any], who: Address) -> Command | FormOpened:
    """`/boundary share` with nothing to share opens the share form (while the trigger id lets a modal open);
    anything else is the command it names."""
    name, args = split_command(str(command.get("text") or ""))
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


def click_event(action: Mapping[str, Any], who: Address) -> ChoicePicked | FormOpened | Command | None:
    """A click on one of the app's controls: an answer (its token), a form's button, or an App Home button."""
    action_id = str(action.get("action_id") or "")
    if action_id.startswith(TOKEN_PREFIX):
        return ChoicePicked(who, action_id, selected(action))
    if action_id.startswith(render.FORM_BUTTON_PREFIX):
        return FormOpened(who, form_name(action_id, render.FORM_BUTTON_PREFIX) or "")
    name = action_id.removeprefix(render.COMMAND_PREFIX)
    return Command(who, name) if action_id.startswith(render.COMMAND_PREFIX) and name in COMMANDS else None


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


def _entry(state: Any, block_id: str, action_id: str) -> Mapping[str, Any]:
    """One input's entry in a submitted view's state ({} when it is not there)."""
    values = state.get("values") if isinstance(state, Mapping) else None
    block = values.get(block_id) if isinstance(values, Mapping) else None
    entry = block.get(action_id) if isinstance(block, Mapping) else None
    return entry if isinstance(entry, Mapping) else {}


def text_modal_answer(state: Mapping[str, Any]) -> str:
    """A submitted text modal as one answer: the ticked examples and the typed words, one item a line."""
    options = _entry(state, render.EXAMPLES_BLOCK, render.EXAMPLES_ACTION).get("selected_options")
    ticked = [str(option.get("value")) for option in options or [] if isinstance(option, Mapping)
              and option.get("value")]
    typed = view_values(state).get(render.TEXT_BLOCK, "")
    return "\n".join([*ticked, typed] if typed.strip() else ticked)


def view_event(view: Mapping[str, Any], who: Address) -> TextSubmitted | FormSubmitted | None:
    """A submitted modal: the text box of one answer (its token travels in the view), or a form."""
    callback_id = str(view.get("callback_id") or "")
    state = view.get("state") or {}
    if callback_id == render.TEXT_CALLBACK:
        token = read_metadata(str(view.get("private_metadata") or "")).get("token", "")
        return TextSubmitted(who, text_modal_answer(state), token=token)
    name = form_name(callback_id, render.FORM_CALLBACK_PREFIX)
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
    scores: list[int | None] = []
    for number in range(1, count + 1):
        option = _entry(view.get("state"), render.item_block(number), render.SCORE_ACTION).get("selected_option")
        value = option.get("value") if isinstance(option, Mapping) else None
        scores.append(int(value) if isinstance(value, str) and value.isdigit() and len(value) == 1 else None)
    return scores


def form_comment(view: Mapping[str, Any]) -> str:
    state = view.get("state")
    return view_values(state).get(render.COMMENT_BLOCK, "") if isinstance(state, Mapping) else ""
