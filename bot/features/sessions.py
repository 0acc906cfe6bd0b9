"""Sessions: one person's way through a flow, step by step, on the flow engine. Check-ins, settings, the erase
confirmation and the safety plan all run on it; each says what happens when its flow is finished."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from bot.content.schema import Flow, Step
from bot.features.context import RESUME_WINDOW, Context
from bot.flows import engine
from bot.messages import Reply, Tone, parse_token
from bot.response import Response, said, saying
from bot.storage.repository import HELD, OPEN, Profile, SessionRecord

Finisher = Callable[[Profile, SessionRecord, Flow, dict[str, Any]], Awaitable[Response]]


class FlowRules:
    """What a flow does beyond asking its steps in order; the defaults do nothing more."""

    async def answered(self, who: Profile, step: Step, answer: Any) -> Any:
        """Called with each answer; returns what the session keeps of it."""
        return answer

    def done(self, answers: dict[str, Any]) -> bool:
        """True when the flow is finished with this answer, whatever steps would follow."""
        return False

    async def skipped(self, who: Profile, step_id: str) -> bool:
        """True for a step not to ask this person (it is answered with None)."""
        return False

    def asked(self, who: Profile, step: Step, reply: Reply) -> Reply:
        """The question of a step, with what depends on the person."""
        return reply


PLAIN = FlowRules()


class Sessions:
    def __init__(self, context: Context, flows: dict[str, Flow]) -> None:
        self._context = context
        self._repo = context.repo
        self.flows = flows
        self._rules: dict[str, FlowRules] = {}
        self._finishers: dict[str, Finisher] = {}  # by the outcome kind of a flow

    def add_flow(self, flow: Flow, rules: FlowRules = PLAIN) -> None:
        self.flows[flow.id] = flow
        self._rules[flow.id] = rules

    def set_rules(self, flow_id: str, rules: FlowRules) -> None:
        self._rules[flow_id] = rules

    def finish_with(self, kind: str, finisher: Finisher) -> None:
        self._finishers[kind] = finisher

    # ------------------------------------------------------------ reading

    async def open_session(self, identity: int) -> SessionRecord | None:
        """The person's open or held session, unless it has gone stale (then it is quietly set aside)."""
        record = await self._repo.open_session(identity)
        if record is None or record.flow_id not in self.flows:
            return None
        if self._context.clock() - record.updated_at > RESUME_WINDOW:
            await self._repo.cancel_open(identity)
            return None
        return record

    def flow(self, record: SessionRecord) -> Flow:
        return self.flows[record.flow_id]

    def step_of(self, record: SessionRecord) -> Step | None:
        flow = self.flows.get(record.flow_id)
        return flow.step(record.step_id) if flow and record.step_id else None

    @staticmethod
    def require_step(flow: Flow, step_id: str) -> Step:
        step = flow.step(step_id)
        if step is None:
            raise LookupError(f"flow {flow.id} has no step {step_id}")
        return step

    @staticmethod
    def ask(flow: Flow, step: Step, session_id: str) -> Reply:
        question = engine.question_for(flow, step, session_id)
        return Reply(step.prompt, title=flow.title, tone=Tone.PROMPT, question=question, footer=step.help)

    def ask_person(self, who: Profile, flow: Flow, step: Step, session_id: str) -> Reply:
        """`ask`, with what depends on the person (the plan's services part lists their country's services)."""
        return self._rules.get(flow.id, PLAIN).asked(who, step, self.ask(flow, step, session_id))

    # ------------------------------------------------------------ starting

    async def start(self, who: Profile, flow: Flow, *, fresh: bool) -> list[Reply]:
        content_flows = self._context.content.flows
        texts = self._context.texts
        current = await self.open_session(who.identity_id)
        replies: list[Reply] = []
        if current is not None and not fresh and current.flow_id == flow.id:
            if current.status == HELD:
                current = await self._repo.reopen(current)
            step = self.step_of(current) if current else None
            if current is not None and step is not None:
                return [Reply(texts.get("checkin_open", title=self.flow(current).title), tone=Tone.NOTICE),
                        self.ask(self.flow(current), step, current.id)]
        if current is not None and current.flow_id != flow.id and current.flow_id in content_flows \
                and current.status == OPEN and current.answers and not fresh:
            return self._unfinished(current, flow)  # answers would be lost: ask, change nothing
        if current is not None and current.flow_id != flow.id and current.flow_id in content_flows:
            replies.append(Reply(texts.get("set_aside", title=self.flow(current).title), tone=Tone.NOTICE))
        record = await self._repo.start_session(who.identity_id, flow.id, engine.first_step(flow))
        if flow.intro:
            replies.append(Reply(flow.intro, title=flow.title, tone=Tone.INFO))
        replies.append(self.ask(flow, flow.steps[0], record.id))
        return replies

    def _unfinished(self, current: SessionRecord, wanted: Flow) -> list[Reply]:
        """Another flow is partway through: say how to carry on or start over, and ask its question again."""
        open_flow = self.flow(current)
        replies = [Reply(self._context.texts.get("unfinished_other", current=open_flow.title, wanted=wanted.title,
                                                 wanted_name=wanted.name), tone=Tone.NOTICE)]
        step = self.step_of(current)
        if step is not None:
            replies.append(self.ask(open_flow, step, current.id))
        return replies

    # ------------------------------------------------------------ answering

    async def answer_token(self, who: Profile, token: str, *, values: Sequence[str] = (),
                           text: str | None = None) -> Response:
        parsed = parse_token(token)
        record = await self._repo.get_session(parsed.session_id) if parsed else None
        if parsed is None or record is None or record.identity_id != who.identity_id or record.status != OPEN \
                or record.step_id != parsed.step_id:
            return said(self._context.stale())
        step = self.step_of(record)
        if step is None:
            return said(self._context.stale())
        resolution = engine.resolve_text(step, text) if text is not None else engine.resolve_values(step, values)
        return await self.apply(who, record, step, resolution)

    async def apply(self, who: Profile, record: SessionRecord, step: Step,
                    resolution: engine.Resolution) -> Response:
        texts = self._context.texts
        flow = self.flow(record)
        rules = self._rules.get(flow.id, PLAIN)
        if isinstance(resolution, engine.Rejected):
            return said(Reply(texts.get(resolution.reason, **resolution.fields), tone=Tone.NOTICE),
                        self.ask_person(who, flow, step, record.id))
        answers: dict[str, Any] = dict(record.answers)
        answers[step.id] = await rules.answered(who, step, resolution.answer)
        following = None if rules.done(answers) else engine.next_step(flow, step, answers)
        while following is not None and ((not who.store_notes and self._records_note(flow, following))
                                         or await rules.skipped(who, following)):
            answers[following] = None  # "numbers only": the note step is not asked at all
            following = engine.next_step(flow, self.require_step(flow, following), answers)
        replies: list[Reply] = []
        if resolution.answer is None:
            replies.append(Reply(texts.get("skipped"), tone=Tone.INFO))
        if following is not None:
            if not await self._repo.save_step(record, following, answers):
                return said(self._context.stale())
            return saying([*replies, self.ask_person(who, flow, self.require_step(flow, following), record.id)])
        return await self._finishers[flow.outcome.kind if flow.outcome.kind in self._finishers else ""](
            who, record, flow, answers)

    async def close(self, record: SessionRecord) -> bool:
        return await self._repo.close(record)

    @staticmethod
    def _records_note(flow: Flow, step_id: str) -> bool:
        step = flow.step(step_id)
        return step is not None and step.records == "note"
