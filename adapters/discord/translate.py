"""Discord -> the core's events, as pure functions of what Discord sends (no client, no event loop).

An interaction is read from its origin (who, in which channel, in which server, with which permissions) and
its `data` exactly as Discord sends it: a slash command's options (subcommands nested), a component's custom id
and picked values, a modal's text inputs. The slash commands are registered from the same table they are read
back with (bot.command_options).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from bot.command_options import OPTIONS, SUBCOMMANDS, Option, choices, command_args
from bot.commands import COMMANDS
from bot.community.pulse_pages import FormToken, read_token
from bot.content.loader import Content
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, TextSubmitted
from bot.messages import TOKEN_PATTERN, Address, form_name, parse_token
from bot.response import Place, Roles

PLATFORM = "discord"
# One identity per Discord user: user ids are global, and a check-in started in a server continues in DMs.
PERSONAL_WORKSPACE = "dm"
TEXT_INPUT_ID = "text"
COMMENT_INPUT = "comment"
FORM_BUTTON_PREFIX = "bb:form:"  # + the form's name: a button that opens the form, valid after restarts
FORM_MODAL_PREFIX = "bb:formsubmit:"  # + the form's name: the modal's own custom id
MANAGE_GUILD = 1 << 5
MANAGE_MESSAGES = 1 << 13
SUBCOMMAND, STRING, INTEGER = 1, 3, 4
MAX_CHOICE = 100  # characters of a choice's name
MAX_CHOICES = 25


@dataclass(frozen=True)
class Origin:
    """Who acted and where: the user, the channel, the server ("" in a DM) and their permissions there."""

    user_id: str
    channel_id: str
    guild_id: str = ""
    permissions: int = 0

    @classmethod
    def of(cls, payload: Mapping[str, Any]) -> Origin:
        """From an interaction as Discord sends it (a server's carries `member`, a DM's `user`)."""
        member = payload.get("member")
        member = member if isinstance(member, Mapping) else {}
        user = member.get("user") or payload.get("user") or {}
        return cls(str(user.get("id", "")), str(payload.get("channel_id") or ""), str(payload.get("guild_id") or ""),
                   int(member.get("permissions") or 0))

    @property
    def address(self) -> Address:
        return Address(PLATFORM, PERSONAL_WORKSPACE, self.user_id, self.channel_id)

    @property
    def place(self) -> Place:
        return Place.SHARED if self.guild_id else Place.DM

    @property
    def roles(self) -> Roles:
        """Admin and moderator as Discord says: Manage Server / Manage Messages, and only in a server."""
        allowed = self.permissions if self.guild_id else 0
        return Roles(bool(allowed & MANAGE_GUILD), bool(allowed & MANAGE_MESSAGES))


def _options(data: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = data.get("options")
    return [option for option in options if isinstance(option, Mapping)] if isinstance(options, list) else []


def _path(data: Mapping[str, Any]) -> tuple[str, str, list[Mapping[str, Any]]]:
    """A command's name, its subcommand ("" without one) and the options given to it."""
    options = _options(data)
    sub = next((option for option in options if option.get("type") == SUBCOMMAND), None)
    if sub is None:
        return str(data.get("name") or ""), "", options
    return str(data.get("name") or ""), str(sub.get("name") or ""), _options(sub)


def command(origin: Origin, data: Mapping[str, Any]) -> Command | FormOpened:
    """A slash command as the core's command, its options written out as the arguments a person would type
    (bot.command_options). `/share` without its text opens the box to write it in."""
    name, sub, given = _path(data)
    values = {str(option.get("name")): str(option.get("value")) for option in given if option.get("value") is not None}
    args = command_args(name, sub, values)
    if name == "share" and not args.strip():
        return FormOpened(origin.address, "share")
    return Command(origin.address, name, args)


def focused(data: Mapping[str, Any]) -> tuple[str, str]:
    """The option a person is typing into (autocomplete) and what they typed so far."""
    _, _, given = _path(data)
    option = next((option for option in given if option.get("focused")), {})
    return str(option.get("name") or ""), str(option.get("value") or "")


@dataclass(frozen=True)
class PulseFormEvent:
    """A click on, or the comment box of, the team pulse's private form (never the conversation's events)."""

    token: FormToken
    values: tuple[str, ...] = ()
    comment: str = ""
    submitted: bool = False  # the comment box was sent


def click(origin: Origin, data: Mapping[str, Any]) -> ChoicePicked | FormOpened | PulseFormEvent | None:
    """A button or select: a core token answers (values: what a select picked), a form button opens its form,
    a pulse form control is the form's; None for a control this bot never made."""
    custom_id = str(data.get("custom_id") or "")
    raw = data.get("values")
    values = tuple(str(value) for value in raw) if isinstance(raw, list) else ()
    token = read_token(custom_id)
    if token is not None:
        return PulseFormEvent(token, values)
    name = form_name(custom_id, FORM_BUTTON_PREFIX)
    if name is not None:
        return FormOpened(origin.address, name)
    return ChoicePicked(origin.address, custom_id, values) if re.fullmatch(TOKEN_PATTERN, custom_id) else None


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


def submission(origin: Origin, data: Mapping[str, Any]) -> FormSubmitted | TextSubmitted | PulseFormEvent | None:
    """A modal sent: a form's fields, the pulse form's comment, or a typed answer to the step its token names;
    None for a modal this bot never opened."""
    custom_id = str(data.get("custom_id") or "")
    raw = data.get("components")
    values = modal_values(raw if isinstance(raw, list) else [])
    name = form_name(custom_id, FORM_MODAL_PREFIX)
    if name is not None:
        return FormSubmitted(origin.address, name, tuple(values.items()))
    token = read_token(custom_id)
    if token is not None:
        return PulseFormEvent(token, comment=values.get(COMMENT_INPUT, ""), submitted=True)
    if parse_token(custom_id) is None:
        return None
    return TextSubmitted(origin.address, values.get(TEXT_INPUT_ID, ""), token=custom_id)


class Message(Protocol):
    """What is read of a message (discord.Message, or a recorded one)."""

    @property
    def guild(self) -> object | None: ...
    @property
    def author(self) -> Any: ...
    @property
    def channel(self) -> Any: ...
    @property
    def content(self) -> str: ...


def dm_text(message: Message) -> TextSubmitted | None:
    """A message typed in a DM answers like the console ('3' answers a scale); nothing in a server is read."""
    if message.guild is not None or message.author.bot or not message.content:
        return None
    address = Address(PLATFORM, PERSONAL_WORKSPACE, str(message.author.id), str(message.channel.id))
    return TextSubmitted(address, message.content)


def command_payloads(content: Content) -> list[dict[str, Any]]:
    """Every slash command as Discord registers it: in servers, DMs and group DMs, for server and user installs;
    admin commands shown to those who may manage the server."""
    texts = content.texts

    def option(spec: Option, description: str, listed: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        payload: dict[str, Any] = {"type": INTEGER if spec.number else STRING, "name": spec.name,
                                   "required": spec.required, "description": description}
        if spec.suggested:
            payload["autocomplete"] = True
        if listed:
            payload["choices"] = [{"name": name[:MAX_CHOICE], "value": value} for name, value in listed[:MAX_CHOICES]]
        return payload

    payloads: list[dict[str, Any]] = []
    for name in COMMANDS:
        payload: dict[str, Any] = {"type": 1, "name": name, "description": texts.get(f"command_{name}"),
                                   "contexts": [0, 1, 2], "integration_types": [0, 1], "nsfw": False,
                                   "default_member_permissions": None, "dm_permission": True,
                                   "options": [option(spec, texts.get(f"option_{name}_{spec.name}"),
                                                      choices(content, name, spec.name))
                                               for spec in OPTIONS.get(name, ())]}
        if name in SUBCOMMANDS:
            payload["default_member_permissions"] = MANAGE_GUILD
            payload["options"] = [{"type": SUBCOMMAND, "name": sub, "description": texts.get(f"command_{name}_{sub}"),
                                   "options": [option(spec, texts.get(f"option_{name}_{sub}_{spec.name}"))
                                               for spec in specs]}
                                  for sub, specs in SUBCOMMANDS[name].items()]
        payloads.append(payload)
    return payloads


def picked_labels(components: Sequence[Any], custom_id: str, values: Sequence[str]) -> list[str]:
    """The labels a person saw for what they picked: the clicked button's, or the chosen options' (components
    as Discord sends them with the message)."""
    for component in components:
        if not isinstance(component, Mapping):
            continue
        if component.get("type") == 1:
            found = picked_labels(component.get("components") or [], custom_id, values)
            if found:
                return found
        elif component.get("custom_id") == custom_id and component.get("type") == 2 and component.get("label"):
            return [str(component["label"])]
        elif component.get("custom_id") == custom_id and component.get("type") == 3:
            return [str(option.get("label")) for option in component.get("options") or []
                    if isinstance(option, Mapping) and option.get("value") in values]
    return []
