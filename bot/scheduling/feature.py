"""Scheduling as a feature of the conversation: /schedule, /pause, /vacation, /resume, /skip, /snooze, the
Snooze and dial-down buttons of a prompt, and what a scheduled delivery says (`prompt_for`)."""

from __future__ import annotations

from datetime import UTC, timedelta, tzinfo

from bot.content.schema import Flow
from bot.events import ChoicePicked, Command
from bot.features.base import Feature
from bot.features.context import RESUME_WINDOW, Context
from bot.features.history import History, ZoneOf
from bot.features.sessions import Sessions
from bot.flows import engine
from bot.messages import Address, Form, ParsedToken, Reply, Tone
from bot.response import Actor, Response, saying
from bot.scheduling.dispatcher import Prompt
from bot.scheduling.manage import SUMMARY_FLOW, ScheduleCommands
from bot.scheduling.prompt_answers import DIALDOWN_SESSION, SNOOZE_SESSION
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import DeliveryJob, ScheduleStore
from bot.storage.repository import OPEN, Profile
from bot.text import fold

SCHEDULING_COMMANDS = ("schedule", "pause", "vacation", "resume", "skip", "snooze")
BUSY_WINDOW = timedelta(minutes=30)


def zones(store: ScheduleStore) -> ZoneOf:
    """The person's own time zone (from their schedule), else UTC: so their weeks and days are theirs."""

    async def zone_of(identity_id: int) -> tzinfo:
        record = await store.get(identity_id)
        return record.rule.tz if record is not None else UTC

    return zone_of


class Scheduling(Feature):
    commands = SCHEDULING_COMMANDS
    namespaces = (SNOOZE_SESSION, DIALDOWN_SESSION)

    def __init__(self, context: Context, sessions: Sessions, store: ScheduleStore, history: History, *,
                 default_zone: str = "", snoozes: PendingSnoozes | None = None) -> None:
        self._context = context
        self._sessions = sessions
        self._store = store
        self._history = history
        self._manage = ScheduleCommands(store, context.texts, context.content.flows, context.clock, default_zone,
                                        put_away=self._put_away_prompt, snoozes=snoozes)

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        manage = self._manage
        identity = who.identity_id
        if name == "schedule" and fold(args) == "pause":
            name, args = "pause", ""
        if name == "schedule":
            return saying(await manage.schedule(identity, args))
        if name in ("pause", "vacation"):
            return saying(await manage.pause(identity, args, name))
        if name == "resume":
            return saying(await manage.resume(identity))
        if name == "skip":
            return saying(await manage.skip(identity))
        return saying(await manage.answers.snooze(identity, fold(args).replace(" ", "") or "1h"))

    async def picked(self, who: Profile, event: ChoicePicked, token: ParsedToken | None, actor: Actor) -> Response:
        assert token is not None
        if not token.step_id.isdigit():
            values = event.values or ((token.value,) if token.value else ())
            return await self._sessions.answer_token(who, event.token, values=values)
        choice = (event.values or (token.value,))[0]
        if token.session_id == SNOOZE_SESSION:
            return saying(await self._manage.answers.snooze(who.identity_id, choice, int(token.step_id)))
        return saying(await self._manage.answers.dialdown(who.identity_id, int(token.step_id), choice))

    # ------------------------------------------------------------ for other features and dashboards

    async def zone_name(self, address: Address) -> str:
        """The zone of the person's own check-in schedule ("" without one)."""
        identity = await self._context.repo.find_identity(address)
        schedule = await self._store.get(identity) if identity is not None else None
        return schedule.rule.zone if schedule is not None else ""

    async def reset_unanswered(self, identity_id: int) -> None:
        await self._store.reset_unanswered(identity_id)

    async def form(self, address: Address) -> Form | None:
        identity = await self._context.repo.find_identity(address)
        return self._manage.form(await self._store.get(identity) if identity is not None else None)

    async def overview(self, identity_id: int | None) -> list[Reply]:
        """What /schedule alone shows, read-only (a dashboard)."""
        if identity_id is None:
            return self._manage.overview(None)
        return await self._manage.schedule(identity_id, "")

    async def paused(self, address: Address) -> bool | None:
        """Whether the person's scheduled check-ins are paused now (None: they have no schedule)."""
        identity = await self._context.repo.find_identity(address)
        if identity is None:
            return None
        record = await self._store.get(identity)
        return None if record is None else record.paused(self._context.clock())

    # ------------------------------------------------------------ what a delivery says

    async def prompt_for(self, job: DeliveryJob) -> Prompt | str:
        """A gentle prompt that starts the check-in, or (after three unanswered in a row) one kind question
        about the rhythm. A string is a reason to send nothing."""
        context = self._context
        texts = context.texts
        repo = context.repo
        flows = context.content.flows
        if job.flow_id == SUMMARY_FLOW:  # the optional weekly summary: words and a chart, never a question
            replies, count = await self._history.summary(await repo.profile(job.identity_id))
            if count == 0:
                return "nothing-to-summarize"  # no check-ins lately: say nothing rather than point it out
            return Prompt(replies, counts_as_prompt=False)
        if job.kind == "prompt" and job.unanswered >= 3 and not job.dialdown_asked:
            await self._store.set_dialdown(job.schedule_id, asked=True)
            question = self._manage.answers.dialdown_question(job.schedule_id)
            return Prompt([Reply(texts.get("dialdown_prompt"), tone=Tone.PROMPT, question=question)],
                          counts_as_prompt=False)
        current = await repo.open_session(job.identity_id)
        flow = flows.get(job.flow_id) or flows["daily"]
        now = context.clock()
        if job.session_id is not None and current is not None and current.id == job.session_id \
                and current.status == OPEN and not current.answers:
            # An earlier attempt may have reached them: the same check-in again, so that copy's buttons stay live.
            return Prompt(self._prompt_replies(job, flow, current.id), session_id=current.id)
        if current is not None and current.status == OPEN and current.answers \
                and now - current.updated_at < RESUME_WINDOW and current.flow_id in flows:
            if current.flow_id == flow.id and now - current.updated_at < BUSY_WINDOW:
                return "busy"  # doing this very check-in right now: no interruption
            # Partway through something else: leave it as it is, and say this one is there when they are ready.
            return Prompt([Reply(texts.get("prompt_while_open", due=flow.title, name=flow.name,
                                           current=self._sessions.flow(current).title), tone=Tone.INFO)],
                          counts_as_prompt=False)
        record = await repo.start_session(job.identity_id, flow.id, engine.first_step(flow))
        return Prompt(self._prompt_replies(job, flow, record.id), session_id=record.id)

    def _prompt_replies(self, job: DeliveryJob, flow: Flow, session_id: str) -> list[Reply]:
        texts = self._context.texts
        return [
            Reply(texts.get("prompt_greeting"), title=flow.title, tone=Tone.PROMPT),
            self._sessions.ask(flow, flow.steps[0], session_id),
            Reply(texts.get("prompt_snooze"), tone=Tone.INFO, question=self._manage.answers.prompt_question(job.id)),
        ]

    async def _put_away_prompt(self, identity_id: int, session_id: str) -> None:
        """A snoozed or skipped prompt's check-in is set aside, unless the person has started answering it."""
        repo = self._context.repo
        record = await repo.open_session(identity_id)
        if record is not None and record.id == session_id and record.status == OPEN and not record.answers:
            await repo.cancel_open(identity_id)


class NoScheduling(Feature):
    """A bot without a schedule store: its commands get `no_schedule` (bot.conversation.ABSENT), nothing is
    ever due, and dashboards show no schedule."""

    async def form(self, address: Address) -> Form | None:
        return None

    async def overview(self, identity_id: int | None) -> list[Reply]:
        return []

    async def paused(self, address: Address) -> bool | None:
        return None

    async def prompt_for(self, job: DeliveryJob) -> Prompt | str:
        return "no-scheduling"
