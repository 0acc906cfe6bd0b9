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

__all__ = ["COMMANDS", "COMMAND_ALIASES", "COMMAND_ARGS_MAX", "COMMUNITY_COMMANDS", "SCHEDULING_COMMANDS"]
