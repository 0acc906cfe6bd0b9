"""/sos: the people a person can reach right now, their own plan first; and "that's not what I meant" after a
crisis reply."""

from __future__ import annotations

from bot.events import ChoicePicked, Command
from bot.features.base import Feature
from bot.features.context import Context
from bot.features.plan import OwnPlan
from bot.messages import ParsedToken, Reply, Tone
from bot.response import Actor, Response, said, saying
from bot.safety.responder import SOS_SESSION, sos_replies
from bot.storage.repository import Profile


class Support(Feature):
    commands = ("sos",)
    namespaces = (SOS_SESSION,)

    def __init__(self, context: Context, plan: OwnPlan) -> None:
        self._context = context
        self._plan = plan

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        context = self._context
        own = await self._plan.own_lines(who)
        replies = sos_replies(context.texts, context.content.resources, context.country(who), own)
        return saying(replies if own else [*replies, *await self._plan.offer(who)])

    async def picked(self, who: Profile, event: ChoicePicked, token: ParsedToken | None, actor: Actor) -> Response:
        return said(Reply(self._context.texts.get("not_meant"), tone=Tone.INFO))
