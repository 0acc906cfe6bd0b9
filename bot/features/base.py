"""The shape of a feature: the commands and token namespaces it owns, and what it does with each."""

from __future__ import annotations

from bot.events import ChoicePicked, Command, TextSubmitted
from bot.messages import ParsedToken
from bot.response import Actor, Response
from bot.storage.repository import Profile


class Feature:
    """`commands`: the command names it answers. `namespaces`: the token session ids it put on its controls;
    clicks and typed words carrying them come here. A feature that takes no clicks or words leaves the
    defaults (None: the check-in sessions answer, which for a token nobody knows is "that no longer counts")."""

    commands: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        raise NotImplementedError

    async def picked(self, who: Profile, event: ChoicePicked, token: ParsedToken | None,
                     actor: Actor) -> Response | None:
        return None

    async def typed(self, who: Profile, event: TextSubmitted, actor: Actor) -> Response | None:
        return None
