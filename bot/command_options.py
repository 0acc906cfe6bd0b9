"""The options of the commands, for platforms that ask for them one by one (a field each, with suggestions or a
fixed list) rather than as one line of text: which options each command takes, and how their values are written
out as the arguments the core reads (`rule` "weekdays 09:00" and `timezone` "Europe/Berlin" are
"weekdays 09:00 in Europe/Berlin"). Admin commands come as subcommands.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from bot.content.loader import Content
from bot.logsafe import describe_exception
from bot.scheduling.prompt_answers import SNOOZE_CHOICES
from bot.scheduling.rules import find_zones

log = logging.getLogger(__name__)
SUGGESTIONS = 25


@dataclass(frozen=True)
class Option:
    name: str
    number: bool = False  # a whole number rather than text
    required: bool = False
    suggested: bool = False  # suggestions while typing (tip topics, time zones)


# The options of the commands that take any, in the order they are written out (the rest take none).
OPTIONS: dict[str, tuple[Option, ...]] = {
    "checkin": (Option("flow"),), "tip": (Option("topic", suggested=True),),
    "schedule": (Option("rule"), Option("timezone", suggested=True)), "pause": (Option("until"),),
    "vacation": (Option("until"),), "snooze": (Option("when"),), "share": (Option("text"),),
    "plan": (Option("action"),),
}
# Commands for admins, as subcommands (a platform may show them only to people who may manage the place).
SUBCOMMANDS: dict[str, dict[str, tuple[Option, ...]]] = {
    "circle": {"setup": (Option("day", required=True), Option("time", required=True),
                         Option("timezone", required=True, suggested=True)), "status": ()},
    "pulse": {"open": (Option("closes", required=True), Option("minimum", number=True)), "status": ()},
}
PREFIXES = {("schedule", "timezone"): "in ", ("pulse", "minimum"): "min "}  # how a value is introduced


def options_of(name: str, sub: str = "") -> tuple[Option, ...]:
    return SUBCOMMANDS.get(name, {}).get(sub, ()) if sub else OPTIONS.get(name, ())


def command_args(name: str, sub: str, values: Mapping[str, str]) -> str:
    """The arguments a person would type for these option values (empty ones left out)."""
    parts = [sub, *(f"{PREFIXES.get((name, option.name), '')}{values[option.name]}"
                    for option in options_of(name, sub) if values.get(option.name))]
    return " ".join(part for part in parts if part)


def choices(content: Content, name: str, option: str) -> list[tuple[str, str]]:
    """The fixed list an option is picked from, as (label, value); [] for an option typed freely."""
    if (name, option) == ("checkin", "flow"):
        return [(f"{flow.name} — {flow.description}", flow.name) for flow in content.flows.values()]
    if (name, option) == ("snooze", "when"):
        return [(content.texts.get(f"snooze_choice_{value}"), value) for value in SNOOZE_CHOICES if value != "skip"]
    return []


def suggestions(content: Content, option: str, typed: str) -> list[tuple[str, str]]:
    """What to offer as a person types into a suggested option, as (label, value): tip topics, or time zones."""
    if option == "topic":
        typed = typed.strip().lower()
        return [(f"{topic.label} — {topic.description}", topic.id) for topic in content.topics.values()
                if not typed or typed in topic.id or typed in topic.label.lower()][:SUGGESTIONS]
    try:
        return [(zone, zone) for zone in find_zones(typed[:100], limit=SUGGESTIONS)]
    except Exception as exc:  # a suggestion list must never take the command down
        log.error("time zone suggestions failed: %s", describe_exception(exc))
        return []
