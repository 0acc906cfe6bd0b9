"""Every command the bot knows, whichever features this process runs: platforms register them all, and a
command of a feature that is not here gets a kind answer rather than "unknown command"."""

from __future__ import annotations

from bot.features.community import COMMUNITY_COMMANDS
from bot.safety.plan import PLAN
from bot.scheduling.feature import SCHEDULING_COMMANDS

COMMANDS = ("checkin", "tip", "history", "cancel", "help", "sos", "privacy", "export", "forget", "settings",
            *SCHEDULING_COMMANDS, *COMMUNITY_COMMANDS, PLAN)
COMMAND_ALIASES = {"start": "help", "stop": "cancel", "quit": "cancel", "tips": "tip", "topics": "tip",
                   "help me": "sos", "crisis": "sos", "delete": "forget", "erase": "forget"}
COMMAND_ARGS_MAX = 200


def split_command(text: str) -> tuple[str, str]:
    """A command typed as words ("tip saying-no") -> its name, lowercased, and its arguments; nothing -> help."""
    words = text.strip().split(maxsplit=1)
    if not words:
        return "help", ""
    return words[0].lower(), words[1] if len(words) > 1 else ""


__all__ = ["COMMANDS", "COMMAND_ALIASES", "COMMAND_ARGS_MAX", "COMMUNITY_COMMANDS", "SCHEDULING_COMMANDS",
           "split_command"]
