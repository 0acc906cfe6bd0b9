"""Every command the bot knows, whichever features this process runs: platforms register them all, and a
command of a feature that is not here gets a kind answer rather than "unknown command"."""

from __future__ import annotations

import re

from bot.features.community import COMMUNITY_COMMANDS
from bot.safety.plan import PLAN
from bot.scheduling.feature import SCHEDULING_COMMANDS

COMMANDS = ("checkin", "tip", "history", "cancel", "help", "sos", "privacy", "export", "forget", "settings",
            *SCHEDULING_COMMANDS, *COMMUNITY_COMMANDS, PLAN)
COMMAND_ALIASES = {"start": "help", "stop": "cancel", "quit": "cancel", "tips": "tip", "topics": "tip",
                   "help me": "sos", "crisis": "sos", "delete": "forget", "erase": "forget"}
COMMAND_ARGS_MAX = 200

# A command as the core's texts name it ("/checkin"): not inside a word, a path or a URL.
_COMMAND_WORD = re.compile(r"(?<![\w/])/(" + "|".join(sorted(COMMANDS, key=len, reverse=True)) + r")\b")


def as_subcommands(text: str, command: str) -> str:
    """For a platform where every command is a word of one `command`: "/checkin weekly" -> "<command> checkin
    weekly" (URLs and `command` itself are left alone)."""
    return _COMMAND_WORD.sub(lambda found: f"{command} {found.group(1)}", text)


def split_command(text: str) -> tuple[str, str]:
    """A command typed as words ("tip saying-no") -> its name, lowercased, and its arguments; nothing -> help."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), words[1] if len(words) > 1 else ""


__all__ = ["COMMANDS", "COMMAND_ALIASES", "COMMAND_ARGS_MAX", "COMMUNITY_COMMANDS", "SCHEDULING_COMMANDS",
           "as_subcommands", "split_command"]
