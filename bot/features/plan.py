"""/plan: the person's own safety plan, written one part at a time on a flow, and its place in /sos, /help,
/privacy, /export and the crisis reply. Without content/safety/plan.yaml there is no plan: `NoPlan`."""

from __future__ import annotations

from typing import Any, Protocol

from bot.content.schema import Flow, Step
from bot.events import ChoicePicked, Command, Event, TextSubmitted
from bot.features.base import Feature
from bot.features.context import Context
from bot.features.sessions import FlowRules, Sessions
from bot.flows import engine
from bot.messages import Attachment, ParsedToken, Reply, Tone, parse_token
from bot.response import Actor, Response, said, saying
from bot.safety.plan import (
    DELETE_KEEP,
    DELETE_STEP,
    DELETE_YES,
    EDIT_STEP,
    EDITING,
    KEEP_FOREVER,
    KEEP_STEP,
    OFFER_EVERY,
    PLAN,
    SafetyPlans,
    plan_flow,
)
from bot.storage.repository import OPEN, Profile, SessionRecord
from bot.text import fold


class OwnPlan(Protocol):
    """What other features ask of the plan; `NoPlan` answers for a bot without one."""

    async def offer(self, who: Profile) -> list[Reply]: ...

    async def own_lines(self, who: Profile) -> list[str]: ...

    async def answer_anyway(self, who: Profile, event: Event) -> bool: ...

    async def typed_into(self, who: Profile, event: Event) -> bool: ...

    async def printable(self, who: Profile) -> list[Attachment]: ...

    def privacy(self) -> list[Reply]: ...

    def text(self, key: str, **fields: object) -> str: ...

    async def examples(self, who: Profile, token: ParsedToken) -> tuple[str, ...]: ...

    async def prefill(self, who: Profile, token: ParsedToken) -> str: ...


class NoPlan:
    async def offer(self, who: Profile) -> list[Reply]:
        return []

    async def own_lines(self, who: Profile) -> list[str]:
        return []

    async def answer_anyway(self, who: Profile, event: Event) -> bool:
        return False

    async def typed_into(self, who: Profile, event: Event) -> bool:
        return False

    async def printable(self, who: Profile) -> list[Attachment]:
        return []

    def privacy(self) -> list[Reply]:
        return []

    def text(self, key: str, **fields: object) -> str:
        return ""

    async def examples(self, who: Profile, token: ParsedToken) -> tuple[str, ...]:
        return ()

    async def prefill(self, who: Profile, token: ParsedToken) -> str:
        return ""


class _PlanRules(FlowRules):
    """Each part is saved as soon as it is answered (the session keeps only that it was); changing one part is
    done once it is answered; the services part lists the person's country's services."""

    def __init__(self, context: Context, plans: SafetyPlans) -> None:
        self._context = context
        self._plans = plans

    async def answered(self, who: Profile, step: Step, answer: Any) -> Any:
        if step.id == KEEP_STEP:
            return answer
        await self._plans.save_part(who.identity_id, step.id, answer if isinstance(answer, str) else None,
                                    self._context.country(who))
        return answer is not None

    def done(self, answers: dict[str, Any]) -> bool:
        return bool(answers.get(EDITING))

    def asked(self, who: Profile, step: Step, reply: Reply) -> Reply:
        return self._plans.asked(step.id, reply, self._context.country(who))


class SafetyPlan(Feature):
    commands = (PLAN,)
    namespaces = (PLAN,)

    def __init__(self, context: Context, sessions: Sessions, plans: SafetyPlans) -> None:
        self._context = context
        self._sessions = sessions
        self._plans = plans
        self._repo = context.repo
        sessions.add_flow(plan_flow(plans.plan, context.retention_days), _PlanRules(context, plans))
        sessions.finish_with("plan", self._saved)

    @property
    def _flow(self) -> Flow:
        return self._sessions.flows[PLAN]

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        return saying(await self._command(who, args))

    async def picked(self, who: Profile, event: ChoicePicked, token: ParsedToken | None, actor: Actor) -> Response:
        assert token is not None
        if token.step_id == EDIT_STEP:
            return saying(await self._command(who, f"edit {(event.values or (token.value,))[0]}"))
        if token.step_id == DELETE_STEP:
            return saying(await self._delete(who, (event.values or (token.value,))[0]))
        values = event.values or ((token.value,) if token.value else ())
        return await self._sessions.answer_token(who, event.token, values=values)

    async def typed(self, who: Profile, event: TextSubmitted, actor: Actor) -> Response:
        return await self._sessions.answer_token(who, event.token, text=event.text)

    async def _command(self, who: Profile, args: str) -> list[Reply]:
        """/plan: build it (or see it, once there is one); `/plan edit <part>`, `/plan new`, `/plan delete`."""
        words = fold(args).split()
        action = words[0] if words else ""
        flow = self._flow
        sessions = self._sessions
        if action in ("delete", "remove", "erase"):
            return await self._delete(who, words[1] if len(words) > 1 else "")
        current = await sessions.open_session(who.identity_id)
        # An unfinished check-in is set aside (as /checkin does when another one starts), and the person is told.
        set_aside = [Reply(self._context.texts.get("set_aside", title=sessions.flow(current).title),
                           tone=Tone.NOTICE)] \
            if current is not None and current.flow_id in self._context.content.flows else []
        if action in ("edit", "change"):
            part = self._plans.find_part(" ".join(words[1:]))
            if part is None:
                return [self._plans.unknown_part()]
            record = await self._repo.start_session(who.identity_id, PLAN, part.id)
            await self._repo.save_step(record, part.id, {EDITING: part.id})
            return [*set_aside, sessions.ask_person(who, flow, sessions.require_step(flow, part.id), record.id)]
        fresh = action in ("new", "again", "start")
        if current is not None and current.flow_id == PLAN and current.step_id == KEEP_STEP:
            await self._repo.cancel_open(who.identity_id)  # every part is saved; the last question is optional
        elif current is not None and current.flow_id == PLAN and not fresh:
            return await sessions.start(who, flow, fresh=False)  # picks up at the part they were on
        existing = await self._repo.plan(who.identity_id)
        if existing is not None and not fresh:
            return self._plans.view(existing)
        record = await self._repo.start_session(who.identity_id, PLAN, engine.first_step(flow))
        return [*set_aside, Reply(flow.intro, title=flow.title, tone=Tone.INFO),
                sessions.ask_person(who, flow, flow.steps[0], record.id)]

    async def _delete(self, who: Profile, answer: str) -> list[Reply]:
        """/plan delete asks first ("Yes, delete" / "Keep it"); only the yes deletes."""
        if answer == DELETE_KEEP:
            return [Reply(self._plans.text("delete_kept"), tone=Tone.INFO)]
        if answer != DELETE_YES:
            if await self._repo.plan(who.identity_id) is None:
                return [Reply(self._plans.text("nothing_to_delete"), tone=Tone.INFO)]
            return [self._plans.confirm_delete()]
        deleted = await self._repo.delete_plan(who.identity_id)
        current = await self._sessions.open_session(who.identity_id)
        if current is not None and current.flow_id == PLAN:
            await self._repo.cancel_open(who.identity_id)
        return [Reply(self._plans.text("deleted" if deleted else "nothing_to_delete"), tone=Tone.INFO)]

    async def _saved(self, who: Profile, record: SessionRecord, flow: Flow, answers: dict[str, Any]) -> Response:
        if not await self._repo.close(record):
            return said(self._context.stale())
        editing = str(answers.get(EDITING) or "")
        keep: bool | None = None
        if not editing and answers.get(KEEP_STEP) is not None:
            keep = answers.get(KEEP_STEP) == KEEP_FOREVER
            await self._repo.keep_plan(who.identity_id, keep)
        replies = [self._plans.saved(keep, editing)]
        saved = await self._repo.plan(who.identity_id)
        if saved is not None:
            replies.extend(self._plans.view(saved))
        return saying(replies)

    # ------------------------------------------------------------ the plan elsewhere (OwnPlan)

    async def offer(self, who: Profile) -> list[Reply]:
        """One line offering to write a plan: only at a calm moment (not during the pause after a crisis reply),
        only to someone without one, and never twice in a week."""
        if self._context.quiet_after_crisis(who):
            return []
        if self._plans.has_content(await self._repo.plan(who.identity_id)):
            return []
        if not await self._repo.offer_plan(who.identity_id, self._context.clock(), OFFER_EVERY):
            return []
        return [self._plans.offer()]

    async def own_lines(self, who: Profile) -> list[str]:
        return await self._plans.own_lines(who.identity_id)

    async def _typed_into(self, who: Profile, event: Event) -> SessionRecord | None:
        """The open part of the person's own safety plan these words were typed into, or None."""
        if not isinstance(event, TextSubmitted):
            return None
        if event.token:
            parsed = parse_token(event.token)
            record = await self._repo.get_session(parsed.session_id) if parsed is not None else None
        else:
            record = await self._sessions.open_session(who.identity_id)
        if record is None or record.flow_id != PLAN or record.status != OPEN or record.identity_id != who.identity_id:
            return None
        return record

    async def typed_into(self, who: Profile, event: Event) -> bool:
        """Whether these words were typed into an open part of the person's safety plan."""
        return await self._typed_into(who, event) is not None

    async def answer_anyway(self, who: Profile, event: Event) -> bool:
        """Words typed into a part of the safety plan are the person's own plan, whatever the screen found: the
        part is saved (the crisis reply then shows it), and the next part waits until they come back to /plan."""
        record = await self._typed_into(who, event)
        if record is None or not isinstance(event, TextSubmitted):
            return False
        sessions = self._sessions
        step = sessions.step_of(record)
        resolution = engine.resolve_text(step, event.text) if step is not None and step.id != KEEP_STEP else None
        if step is None or not isinstance(resolution, engine.Resolved) or resolution.answer is None:
            return False  # not a part's answer (too long, or the keep question): nothing is saved
        await sessions.apply(who, record, step, resolution)
        return True

    async def printable(self, who: Profile) -> list[Attachment]:
        record = await self._repo.plan(who.identity_id)
        if record is None:
            return []
        now = self._context.clock()
        stamp = now.strftime("%Y%m%d-%H%M%S")
        return [Attachment(f"boundary-bot-safety-plan-{stamp}.txt", self._plans.printable(record, now), "text/plain")]

    def privacy(self) -> list[Reply]:
        return [Reply(self._plans.text("privacy", days=self._context.retention_days), tone=Tone.INFO)]

    def text(self, key: str, **fields: object) -> str:
        return self._plans.text(key, **fields)

    async def _part_session(self, who: Profile, token: ParsedToken) -> SessionRecord | None:
        record = await self._repo.get_session(token.session_id)
        if record is None or record.flow_id != PLAN or record.identity_id != who.identity_id \
                or record.step_id != token.step_id:
            return None
        return record

    async def examples(self, who: Profile, token: ParsedToken) -> tuple[str, ...]:
        """The examples a text box offers to pick, for the part the token names."""
        return self._plans.examples(token.step_id) if await self._part_session(who, token) is not None else ()

    async def prefill(self, who: Profile, token: ParsedToken) -> str:
        """What a part's text box opens with: what that part holds now, or for the services part the services
        of the person's country, so it is edited rather than written anew."""
        if await self._part_session(who, token) is None:
            return ""
        plan = await self._repo.plan(who.identity_id)
        items = plan.parts.get(token.step_id) if plan is not None else None
        part = self._plans.part(token.step_id)
        if not items and part is not None and part.prefilled:
            items = self._plans.prefill(self._context.country(who))
        return "\n".join(items or [])
