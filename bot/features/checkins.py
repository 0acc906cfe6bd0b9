"""Check-ins: /checkin [flow] [new], /cancel, /help, typed answers, and what a finished check-in gives back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.content.schema import Flow
from bot.content.schema import Outcome as OutcomeSpec
from bot.content.tips import TipRequest
from bot.events import ChoicePicked, Command, TextSubmitted
from bot.features.base import Feature
from bot.features.context import Context
from bot.features.plan import OwnPlan
from bot.features.sessions import Sessions
from bot.features.tips import Tips
from bot.flows import engine
from bot.messages import InputKind, ParsedToken, Reply, Tone
from bot.response import Actor, Response, said, saying
from bot.storage.repository import HELD, Profile, SessionRecord
from bot.system_flows import FORGET, SETTINGS
from bot.text import clean_text, fold

FRESH_WORDS = frozenset({"new", "fresh", "restart", "again", "over", "start over"})
NOT_MEANT_WORDS = frozenset({"that's not what i meant", "thats not what i meant", "not what i meant",
                             "i didn't mean that", "i didnt mean that", "false alarm", "you misread me"})

AfterCheckin = Callable[[int], Awaitable[None]]


class CheckIns(Feature):
    """Owns the flows of content/flows/ and every token of a session (the namespace no other feature names)."""

    commands = ("checkin", "cancel", "help")
    namespaces: tuple[str, ...] = ()

    def __init__(self, context: Context, sessions: Sessions, tips: Tips, plan: OwnPlan) -> None:
        self._context = context
        self._sessions = sessions
        self._tips = tips
        self._plan = plan
        self._after: list[AfterCheckin] = []
        sessions.finish_with("", self.finish)

    def after_checkin(self, hook: AfterCheckin) -> None:
        self._after.append(hook)

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        if name == "help":
            return said(self._help(), *await self._plan.offer(who))
        if name == "cancel":
            return said(await self._cancel(who))
        return saying(await self._checkin(who, args))

    async def picked(self, who: Profile, event: ChoicePicked, token: ParsedToken | None, actor: Actor) -> Response:
        values = event.values or ((token.value,) if token is not None and token.value else ())
        return await self._sessions.answer_token(who, event.token, values=values)

    async def typed(self, who: Profile, event: TextSubmitted, actor: Actor) -> Response:
        """Typed words: the answer to the token's step, or to the person's open question; else a kind nudge."""
        sessions = self._sessions
        texts = self._context.texts
        if event.token:
            return await sessions.answer_token(who, event.token, text=event.text)
        current = await sessions.open_session(who.identity_id)
        if self._context.just_shown_crisis(who) and (current is None or current.status == HELD) and (
                fold(event.text) in NOT_MEANT_WORDS or fold(event.text) == "1"):
            return said(Reply(texts.get("not_meant"), tone=Tone.INFO))
        if current is not None and current.status == HELD:
            return said(Reply(texts.get("held_text"), tone=Tone.INFO))
        step = sessions.step_of(current) if current else None
        if current is None or step is None:
            key = "idle_empty" if not clean_text(event.text).strip() else "idle_text"
            return said(Reply(texts.get(key), tone=Tone.INFO))
        return await sessions.apply(who, current, step, engine.resolve_text(step, event.text))

    def _help(self) -> Reply:
        texts = self._context.texts
        flows = "\n".join(f"  /checkin {flow.name} — {flow.description}"
                          for flow in self._context.content.flows.values() if flow.id != "daily")
        return Reply(texts.get("help", flows=flows), title="boundary-bot", footer=texts.get("about"))

    async def _checkin(self, who: Profile, args: str) -> list[Reply]:
        content = self._context.content
        words = fold(args).split()
        fresh = bool(FRESH_WORDS & set(words)) or fold(args) in FRESH_WORDS
        names = [word for word in words if word not in FRESH_WORDS]
        flow = content.flows["daily"]
        if names:
            found = content.flow_named(names[0])
            if found is None:
                options = ", ".join(f.name for f in content.flows.values())
                return [Reply(self._context.texts.get("unknown_flow", name=names[0][:30], options=options),
                              tone=Tone.NOTICE)]
            flow = found
        return [*self._context.sos_beside(who), *await self._sessions.start(who, flow, fresh=fresh)]

    async def _cancel(self, who: Profile) -> Reply:
        repo = self._context.repo
        current = await repo.open_session(who.identity_id)
        if await repo.cancel_open(who.identity_id):
            # Leaving a question about erasing or settings changes nothing: say that, not "check-in".
            key = {FORGET: "forget_kept", SETTINGS: "settings_unchanged"}.get(
                current.flow_id if current else "", "cancelled")
            return Reply(self._context.texts.get(key), tone=Tone.INFO)
        return Reply(self._context.texts.get("nothing_to_cancel"), tone=Tone.INFO)

    async def finish(self, who: Profile, record: SessionRecord, flow: Flow, answers: dict[str, Any]) -> Response:
        context = self._context
        texts = context.texts
        spec = flow.outcome
        outcome = engine.build_outcome(flow, answers)
        unsafe = unsafe_day(flow, outcome)
        tip = None
        if (spec.tip or spec.kind == "tip") and not unsafe:
            request = TipRequest(tags=outcome.tags, safety=outcome.safety, boundaries=outcome.boundaries)
            tip = await self._tips.after_checkin(record.identity_id, request)
        text_steps = {step.id for step in flow.steps if step.input is InputKind.TEXT}
        picked = {key: value for key, value in answers.items() if key not in text_steps}
        words = {key: value for key, value in answers.items()
                 if key in text_steps and isinstance(value, str)} if who.store_notes else {}
        saved = await context.repo.finish(record, picked, words, safety=outcome.safety,
                                          boundaries=outcome.boundaries, tip_id=tip.id if tip else None)
        if not saved:
            return said(context.stale())
        for hook in self._after:
            await hook(record.identity_id)
        if context.metrics is not None:
            context.metrics.checkins_completed.inc()
        replies = self._outcome_replies(spec, outcome)
        if unsafe and (spec.tip or spec.kind == "tip"):
            # Not safe at all and no boundary held: no tip pretending all is well, one gentle line to /sos.
            replies = [Reply(texts.get("unsafe_day"), tone=Tone.INFO)]
        if await context.repo.checkin_count(record.identity_id) == 1:
            replies.append(Reply(texts.get("settings_offer"), tone=Tone.INFO))
        if tip is not None:
            replies.append(self._tips.reply(tip))  # the tip comes last: it is what the person takes away
            replies.extend(context.sos_beside(who))
        return saying(replies)

    @staticmethod
    def _outcome_replies(spec: OutcomeSpec, outcome: engine.FlowResult) -> list[Reply]:
        low = outcome.safety is not None and outcome.safety <= 2
        lead = spec.lead_when_low if low and spec.lead_when_low else spec.lead
        if spec.kind == "script":
            if not outcome.lines:
                return [Reply(spec.empty or lead, title=spec.title, tone=Tone.INFO)]
            return [Reply(lead, title=spec.title, script="\n".join(outcome.lines), tone=Tone.SCRIPT,
                          footer=spec.closing)]
        text = "\n".join(part for part in (lead, *outcome.lines) if part)
        if not text and not spec.closing:
            return []
        return [Reply(text or spec.closing, title=spec.title, tone=Tone.INFO,
                      footer=spec.closing if text else "")]


def unsafe_day(flow: Flow, outcome: engine.FlowResult) -> bool:
    """The lowest safety score and no boundary held ("None today" or nothing picked)."""
    scale = next((step.scale for step in flow.steps if step.records == "safety" and step.scale), None)
    if scale is None or outcome.safety is None or outcome.safety > scale.min:
        return False
    alone = {option.value for step in flow.steps if step.records == "boundaries"
             for option in step.options if option.exclusive}
    return not [boundary for boundary in outcome.boundaries if boundary not in alone]
