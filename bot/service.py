"""CheckinService: the one place where the flow engine, the content and storage meet.

`handle(event)` takes any incoming event and returns the replies to show that person, privately.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.content.loader import Content, Texts
from bot.content.schema import Flow, Step, Tip
from bot.content.schema import Outcome as OutcomeSpec
from bot.content.tips import TipPicker, TipRequest
from bot.events import ChoicePicked, Command, Event, TextSubmitted
from bot.flows import engine
from bot.messages import Address, Choice, InputKind, Question, Reply, Tone, parse_token
from bot.storage.repository import Repository, SessionRecord
from bot.text import clean_text, fold

log = logging.getLogger(__name__)

RESUME_WINDOW = timedelta(hours=24)
HISTORY_WINDOW = timedelta(days=28)
COMMAND_ARGS_MAX = 200
FRESH_WORDS = frozenset({"new", "fresh", "restart", "again", "over", "start over"})
COMMANDS = ("checkin", "tip", "history", "cancel", "help")
COMMAND_ALIASES = {"start": "help", "stop": "cancel", "quit": "cancel", "tips": "tip", "topics": "tip"}


class CheckinService:
    def __init__(self, content: Content, repository: Repository, *, tip_history_size: int = 20,
                 picker: TipPicker | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self._content = content
        self._repo = repository
        self._tip_history_size = tip_history_size
        self._picker = picker or TipPicker(content.tips)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._texts = content.texts

    # ------------------------------------------------------------ entry points

    async def handle(self, event: Event) -> list[Reply]:
        if isinstance(event, Command):
            return await self._command(event)
        if isinstance(event, ChoicePicked):
            return await self._picked(event)
        return await self._typed(event)

    async def handle_safely(self, event: Event) -> list[Reply]:
        """The error boundary every adapter wraps each event in: log the fault, apologise, keep going."""
        try:
            return await self.handle(event)
        except Exception:
            log.exception("event %s for %s failed", type(event).__name__, event.address.platform)
            return [Reply(self._texts.get("error"), tone=Tone.NOTICE)]

    @property
    def texts(self) -> Texts:
        return self._texts

    async def has_open_checkin(self, address: Address) -> bool:
        identity = await self._repo.identity_id(address)
        return await self._open_session(identity) is not None

    # ------------------------------------------------------------ commands

    async def _command(self, event: Command) -> list[Reply]:
        name = fold(event.name).replace(" ", "")
        name = COMMAND_ALIASES.get(name, name)
        args = clean_text(event.args)[:COMMAND_ARGS_MAX]
        if name == "help":
            return [self._help()]
        if name == "checkin":
            return await self._checkin(event.address, args)
        if name == "cancel":
            return await self._cancel(event.address)
        if name == "tip":
            return await self._tip(event.address, args if event.name.strip("/") != "topics" else "topics")
        if name == "history":
            return await self._history(event.address)
        shown = clean_text(event.name).split(" ")[0][:30]
        if not shown:
            return [Reply(self._texts.get("empty_command"), tone=Tone.NOTICE)]
        return [Reply(self._texts.get("unknown_command", command=shown), tone=Tone.NOTICE)]

    def _help(self) -> Reply:
        flows = "\n".join(
            f"  /checkin {flow.name} — {flow.description}"
            for flow in self._content.flows.values()
            if flow.id != "daily"
        )
        return Reply(self._texts.get("help", flows=flows), title="boundary-bot", footer=self._texts.get("about"))

    async def _checkin(self, address: Address, args: str) -> list[Reply]:
        words = fold(args).split()
        fresh = bool(FRESH_WORDS & set(words)) or fold(args) in FRESH_WORDS
        names = [word for word in words if word not in FRESH_WORDS]
        flow = self._content.flows["daily"]
        if names:
            found = self._content.flow_named(names[0])
            if found is None:
                options = ", ".join(f.name for f in self._content.flows.values())
                return [Reply(self._texts.get("unknown_flow", name=names[0][:30], options=options),
                              tone=Tone.NOTICE)]
            flow = found
        identity = await self._repo.identity_id(address)
        current = await self._open_session(identity)
        replies: list[Reply] = []
        if current is not None and not fresh and current.flow_id == flow.id:
            step = self._step_of(current)
            if step is not None:
                return [Reply(self._texts.get("checkin_open", title=self._flow(current).title), tone=Tone.NOTICE),
                        self._ask(self._flow(current), step, current.id)]
        if current is not None and current.flow_id != flow.id:
            replies.append(Reply(self._texts.get("set_aside", title=self._flow(current).title), tone=Tone.NOTICE))
        record = await self._repo.start_session(identity, flow.id, engine.first_step(flow))
        if flow.intro:
            replies.append(Reply(flow.intro, title=flow.title, tone=Tone.INFO))
        replies.append(self._ask(flow, flow.steps[0], record.id))
        return replies

    async def _cancel(self, address: Address) -> list[Reply]:
        identity = await self._repo.identity_id(address)
        if await self._repo.cancel_open(identity):
            return [Reply(self._texts.get("cancelled"), tone=Tone.INFO)]
        return [Reply(self._texts.get("nothing_to_cancel"), tone=Tone.INFO)]

    async def _tip(self, address: Address, args: str) -> list[Reply]:
        topic_word = fold(args).replace(" ", "-")
        if topic_word in ("topics", "list", "help", "?"):
            return [self._topics_reply()]
        topic = None
        if topic_word:
            topic = self._match_topic(topic_word)
            if topic is None:
                return [Reply(self._texts.get("tip_unknown_topic", topic=args[:40]), tone=Tone.NOTICE),
                        self._topics_reply()]
        identity = await self._repo.identity_id(address)
        recent = await self._repo.recent_tip_ids(identity, self._tip_history_size)
        tip = self._picker.pick(TipRequest(topic=topic), recent)
        if tip is None:
            return [self._topics_reply()]
        await self._repo.record_tip_view(identity, tip.id)
        return [self._tip_reply(tip)]

    def _match_topic(self, word: str) -> str | None:
        for topic in self._content.topics.values():
            if word in (topic.id, fold(topic.label).replace(" ", "-")):
                return topic.id
        prefixed = [topic for topic in self._content.topics if topic.startswith(word)]
        return prefixed[0] if len(prefixed) == 1 else None

    def _topics_reply(self) -> Reply:
        lines = "\n".join(f"  {topic.id} — {topic.description}" for topic in self._content.topics.values())
        return Reply(self._texts.get("topics", topics=lines), title="Tip topics")

    def _tip_reply(self, tip: Tip) -> Reply:
        return Reply(tip.body, title=tip.title, script=tip.script, tone=Tone.TIP,
                     footer=self._texts.get("tip_footer"))

    async def _history(self, address: Address) -> list[Reply]:
        identity = await self._repo.identity_id(address)
        now = self._clock()
        rows = await self._repo.checkins(identity, since=now - 2 * HISTORY_WINDOW)
        recent = [row for row in rows if row.created_at >= now - HISTORY_WINDOW]
        earlier = [row for row in rows if row.created_at < now - HISTORY_WINDOW]
        if not recent:
            total = await self._repo.checkin_count(identity)
            key = "no_history" if total == 0 else "no_recent_history"
            return [Reply(self._texts.get(key), title="Your history")]
        lines = [self._texts.get("history_count", count=len(recent), plural="" if len(recent) == 1 else "s")]
        scores = [row.safety_score for row in recent if row.safety_score is not None]
        before = [row.safety_score for row in earlier if row.safety_score is not None]
        if scores:
            average = sum(scores) / len(scores)
            line = self._texts.get("history_average", average=f"{average:.1f}")
            if before:
                line += " " + self._texts.get("history_before", average=f"{sum(before) / len(before):.1f}")
            lines.append(line)
        held = Counter(value for row in recent for value in row.boundaries if value not in ("none", "other"))
        if held:
            labels = self._boundary_labels()
            top = ", ".join(f"{labels.get(value, value)} ({count}×)" for value, count in held.most_common(3))
            lines.append(self._texts.get("history_boundaries", boundaries=top))
        noted = [row for row in recent if row.has_note]
        if noted:
            lines.append(self._texts.get("history_last_note", date=noted[-1].created_at.strftime("%d %b %Y")))
        return [Reply("\n".join(lines), title="Your last four weeks", footer=self._texts.get("history_footer"))]

    def _boundary_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for flow in self._content.flows.values():
            for step in flow.steps:
                if step.records == "boundaries":
                    labels.update({option.value: option.label.lower() for option in step.options})
        return labels

    # ------------------------------------------------------------ answers

    async def _typed(self, event: TextSubmitted) -> list[Reply]:
        identity = await self._repo.identity_id(event.address)
        if event.token:
            return await self._answer_token(identity, event.token, text=event.text)
        current = await self._open_session(identity)
        step = self._step_of(current) if current else None
        if current is None or step is None:
            key = "idle_empty" if not clean_text(event.text).strip() else "idle_text"
            return [Reply(self._texts.get(key), tone=Tone.INFO)]
        return await self._apply(current, step, engine.resolve_text(step, event.text))

    async def _picked(self, event: ChoicePicked) -> list[Reply]:
        identity = await self._repo.identity_id(event.address)
        parsed = parse_token(event.token)
        values = event.values or ((parsed.value,) if parsed and parsed.value else ())
        return await self._answer_token(identity, event.token, values=values)

    async def _answer_token(self, identity: int, token: str, *, values: Sequence[str] = (),
                            text: str | None = None) -> list[Reply]:
        parsed = parse_token(token)
        record = await self._repo.get_session(parsed.session_id) if parsed else None
        if parsed is None or record is None or record.identity_id != identity or record.status != "open" \
                or record.step_id != parsed.step_id:
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE)]
        step = self._step_of(record)
        if step is None:
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE)]
        resolution = engine.resolve_text(step, text) if text is not None else engine.resolve_values(step, values)
        return await self._apply(record, step, resolution)

    async def _apply(self, record: SessionRecord, step: Step, resolution: engine.Resolution) -> list[Reply]:
        flow = self._flow(record)
        if isinstance(resolution, engine.Rejected):
            return [Reply(self._texts.get(resolution.reason, **resolution.fields), tone=Tone.NOTICE),
                    self._ask(flow, step, record.id)]
        answers: dict[str, Any] = dict(record.answers)
        answers[step.id] = resolution.answer
        following = engine.next_step(flow, step, answers)
        replies: list[Reply] = []
        if resolution.answer is None:
            replies.append(Reply(self._texts.get("skipped"), tone=Tone.INFO))
        if following is not None:
            if not await self._repo.save_step(record, following, answers):
                return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE)]
            next_step = flow.step(following)
            assert next_step is not None
            return [*replies, self._ask(flow, next_step, record.id)]
        return await self._finish(record, flow, answers)

    async def _finish(self, record: SessionRecord, flow: Flow, answers: dict[str, Any]) -> list[Reply]:
        outcome = engine.build_outcome(flow, answers)
        spec = flow.outcome
        tip: Tip | None = None
        if spec.tip or spec.kind == "tip":
            recent = await self._repo.recent_tip_ids(record.identity_id, self._tip_history_size)
            request = TipRequest(tags=outcome.tags, safety=outcome.safety, boundaries=outcome.boundaries)
            tip = self._picker.pick(request, recent)
        saved = await self._repo.finish(record, answers, safety=outcome.safety, boundaries=outcome.boundaries,
                                        has_note=outcome.note is not None, tip_id=tip.id if tip else None)
        if not saved:
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE)]
        replies = self._outcome_replies(spec, outcome)
        if tip is not None:
            replies.append(self._tip_reply(tip))
        return replies

    def _outcome_replies(self, spec: OutcomeSpec, outcome: engine.Outcome) -> list[Reply]:
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

    # ------------------------------------------------------------ helpers

    async def _open_session(self, identity: int) -> SessionRecord | None:
        """The person's open session, unless it has gone stale (then it is quietly set aside)."""
        record = await self._repo.open_session(identity)
        if record is None or record.flow_id not in self._content.flows:
            return None
        if self._clock() - record.updated_at > RESUME_WINDOW:
            await self._repo.cancel_open(identity)
            return None
        return record

    def _flow(self, record: SessionRecord) -> Flow:
        return self._content.flows[record.flow_id]

    def _step_of(self, record: SessionRecord) -> Step | None:
        flow = self._content.flows.get(record.flow_id)
        return flow.step(record.step_id) if flow and record.step_id else None

    def _ask(self, flow: Flow, step: Step, session_id: str) -> Reply:
        question: Question = engine.question_for(flow, step, session_id)
        return Reply(step.prompt, title=flow.title, tone=Tone.PROMPT, question=question, footer=step.help)


__all__ = ["COMMANDS", "CheckinService", "Choice", "InputKind"]
