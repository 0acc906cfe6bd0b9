"""CheckinService: the one place where the flow engine, content, safety and storage meet.

`handle(event)` takes any incoming event and returns the replies to show that person, privately.
Every piece of free text is screened for crisis before anything else happens with it.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Protocol

from bot.community.circles import CIRCLE_SESSION, Circles
from bot.community.common import ChannelPost, PostKind, Removal
from bot.community.common import Outcome as CommunityOutcome
from bot.community.pulses import NOTE_STEP, PULSE_SESSION, FormResult, PulseForm, Pulses
from bot.content.loader import Content, Texts
from bot.content.schema import Flow, Step, Tip
from bot.content.schema import Outcome as OutcomeSpec
from bot.content.tips import TipPicker, TipRequest
from bot.events import ChoicePicked, Command, Event, TextSubmitted
from bot.flows import engine
from bot.insights import (
    PeriodError,
    Point,
    boundaries_from_content,
    parse_period,
    points_from_checkins,
    render_chart,
    summarize,
)
from bot.logsafe import describe_exception
from bot.messages import (
    Address,
    Attachment,
    Form,
    Image,
    InputKind,
    ParsedToken,
    Reply,
    Tone,
    make_token,
    parse_token,
)
from bot.ops.metrics import Metrics
from bot.ports import PersonalTraces
from bot.privacy.export import checkins_csv, export_json
from bot.safety.asking import ANSWERS, ASK_SESSION, NO, UNSURE, Held, ask_reply, typed_answer
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
from bot.safety.responder import (
    SOS_SESSION,
    Screens,
    crisis_replies,
    danger_replies,
    pauses,
    safety_replies,
    sos_replies,
)
from bot.safety.screening import About, Level, Screener, Verdict
from bot.scheduling.dispatcher import Prompt
from bot.scheduling.manage import DIALDOWN_SESSION, SNOOZE_SESSION, SUMMARY_FLOW, ScheduleCommands
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import DeliveryJob, ScheduleStore
from bot.storage.repository import HELD, OPEN, FileRef, Profile, Repository, SessionRecord
from bot.system_flows import (
    CONFIRM_NUMBERS,
    ERASE,
    ERASE_WORDS,
    FORGET,
    KEEP_NOTES,
    NUMBERS_ONLY,
    SETTINGS,
    SHOW_STREAKS,
    system_flows,
)
from bot.text import clean_text, fold

log = logging.getLogger(__name__)

RESUME_WINDOW = timedelta(hours=24)
NOT_MEANT_WINDOW = timedelta(hours=1)
ASK_TYPED_WINDOW = timedelta(hours=1)  # a typed "1", "yes" or "no" answers the direct question for this long
COMMAND_ARGS_MAX = 200
FRESH_WORDS = frozenset({"new", "fresh", "restart", "again", "over", "start over"})
NOT_MEANT_WORDS = frozenset({"that's not what i meant", "thats not what i meant", "not what i meant",
                             "i didn't mean that", "i didnt mean that", "false alarm", "you misread me"})
SCHEDULING_COMMANDS = ("schedule", "pause", "vacation", "resume", "skip", "snooze")
# Community commands: they act on the channel they are run in (a Discord server or a Slack workspace).
COMMUNITY_COMMANDS = ("circle", "share", "pulse")
COMMANDS = ("checkin", "tip", "history", "cancel", "help", "sos", "privacy", "export", "forget", "settings",
            *SCHEDULING_COMMANDS, *COMMUNITY_COMMANDS, PLAN)
_DURATION = re.compile(r"^(\d{1,3})\s*(h|hours?|d|days?|w|weeks?)$")
BUSY_WINDOW = timedelta(minutes=30)
CHART_CACHE_SIZE = 500  # people whose latest chart is kept in memory (a PNG of some tens of kB each)
# How long a drawn chart is kept: /forget in another process cannot reach this one's memory, so a chart of a
# forgotten person lasts at most this long here.
CHART_CACHE_SECONDS = 600.0
SCREEN_INLINE_MAX = 2000
COMMAND_ALIASES = {"start": "help", "stop": "cancel", "quit": "cancel", "tips": "tip", "topics": "tip",
                   "help me": "sos", "crisis": "sos", "delete": "forget", "erase": "forget"}


class ChannelPoster(Protocol):
    """What an adapter does with community output: post to a whole channel, delete a bot message."""

    async def post_to_channel(self, post: ChannelPost) -> str:
        """Post with every mention disabled; return the platform message id ("" when unknown)."""
        ...

    async def delete_message(self, removal: Removal) -> None: ...


def parse_close(text: str, now: datetime) -> datetime | None:
    """When a pulse round closes: "3d", "48h", "2w", or a UTC date and time ("2026-12-01 17:00")."""
    word = text.strip().lower()
    duration = _DURATION.match(word)
    if duration:
        amount, unit = int(duration.group(1)), duration.group(2)[0]
        return now + timedelta(hours=amount * {"h": 1, "d": 24, "w": 24 * 7}[unit])
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1) if " " in text.strip() else text.strip())
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def is_pulse_event(event: Event) -> bool:
    """A click or comment inside a team pulse: anonymous work business, never the start of personal check-ins."""
    parsed = parse_token(event.token) if isinstance(event, ChoicePicked | TextSubmitted) and event.token else None
    return parsed is not None and parsed.session_id == PULSE_SESSION


class CheckinService:
    def __init__(self, content: Content, repository: Repository, *, tip_history_size: int = 20,
                 picker: TipPicker | None = None, clock: Callable[[], datetime] | None = None,
                 screener: Screens | None = None, default_country: str = "",
                 crisis_pause: timedelta = timedelta(hours=72), retention_days: int = 365,
                 schedules: ScheduleStore | None = None, default_zone: str = "",
                 circles: Circles | None = None, pulses: Pulses | None = None,
                 snoozes: PendingSnoozes | None = None,
                 metrics: Metrics | None = None) -> None:
        self._content = content
        self._metrics = metrics  # plain counts (crisis replies, /sos, check-ins done); never who or what
        self._circles = circles
        self._pulses = pulses
        self._repo = repository
        self._tip_history_size = tip_history_size
        self._picker = picker or TipPicker(content.tips)
        self._clock = clock or (lambda: datetime.now(UTC))
        self._texts = content.texts
        self._screener: Screens = screener or Screener(content.phrases, content.screening_head)
        self._default_country = default_country.upper()
        self._crisis_pause = crisis_pause
        self._retention_days = retention_days
        self._flows: dict[str, Flow] = {**content.flows, **system_flows(content)}
        # The personal safety plan (/plan), when content/safety/plan.yaml is there.
        self._plans = SafetyPlans(content.safety_plan, repository, content.resources, retention_days) \
            if content.safety_plan is not None else None
        if self._plans is not None:
            self._flows[PLAN] = plan_flow(self._plans.plan, retention_days)
        self._schedules = schedules
        self._boundaries = boundaries_from_content(content)
        # Erased during the current event, with the files the bot had put on platforms for them: their shares,
        # pulse answers and files go too.
        self._forgotten: dict[int, list[FileRef]] = {}
        self._traces: dict[str, list[PersonalTraces]] = {}  # per platform: what its adapters remove there
        # The last chart drawn per person, keyed by exactly what it shows: App Home refreshes after every
        # command and /history again draw nothing new (drawing costs a few hundred ms of CPU).
        self._charts: OrderedDict[int, tuple[int, Image | None, float]] = OrderedDict()  # oldest first
        self._scheduling = ScheduleCommands(schedules, self._texts, content.flows, self._clock, default_zone,
                                            put_away=self._put_away_prompt, snoozes=snoozes) \
            if schedules is not None else None

    @property
    def texts(self) -> Texts:
        return self._texts

    # ------------------------------------------------------------ entry points

    async def handle(self, event: Event) -> list[Reply]:
        """The replies for the person who acted (community posts and removals are dropped: see `act`)."""
        return list((await self.act(event)).replies)

    async def act(self, event: Event, *, is_admin: bool = False, is_moderator: bool = False,
                  zone: str = "") -> CommunityOutcome:
        """Like `handle`, with what community commands have for channels. `is_admin` / `is_moderator` come
        from the platform (the adapter asks it); the core never guesses them. `zone`: the workspace's time zone
        where the platform tells it (Slack: the admin's), for the times a pulse round shows."""
        if await self._is_traceless_pulse_event(event):
            return await self._community(event, is_admin=is_admin, is_moderator=is_moderator, zone=zone) \
                or CommunityOutcome()
        identity = await self._repo.identity_id(event.address)
        who = await self._repo.profile(identity)
        answered = await self._answer_to_question(who, event)
        if answered is not None:
            return answered
        safety = await self._screened(who, event)
        if safety is not None:
            return CommunityOutcome(replies=tuple(safety))
        if isinstance(event, TextSubmitted) and not event.token:
            waiting = await self._waiting_question(who)
            if waiting is not None:  # words that answer neither way: the question is asked again, gently
                question_id, held = waiting
                return CommunityOutcome(replies=(ask_reply(self._texts, question_id, held.about, again=True),))
        return await self._carry_on(who, event, is_admin=is_admin, is_moderator=is_moderator, zone=zone)

    async def screen_only(self, event: Event) -> list[Reply]:
        """What the screen has to say about an event's words, and nothing else ([] when nothing): for words an
        adapter does not otherwise pass on (a community command where there is no community, an edited DM)."""
        who = await self._repo.profile(await self._repo.identity_id(event.address))
        replies = await self._screened(who, event, carry_on=False) or []
        if self._metrics is not None:
            self._metrics.outcome(False, replies)
        return replies

    async def _screened(self, who: Profile, event: Event, *, carry_on: bool = True) -> list[Reply] | None:
        """The reply to words that suggest danger (None when they do not). A `possible` verdict about the
        writer asks directly first; only a clear one about their own safety starts the pause."""
        typed = event.text if isinstance(event, TextSubmitted) else event.args if isinstance(event, Command) else ""
        if isinstance(event, Command) and fold(event.name) not in (*COMMANDS, *COMMAND_ALIASES):
            typed = f"{event.name} {typed}"  # "/kms" or "/boundary i want out" is words, not a command
        if not typed.strip():
            return None
        # Long text is screened off the event loop, so one huge message never stalls anyone else.
        verdict = self._screener.screen(typed) if len(typed) < SCREEN_INLINE_MAX \
            else await asyncio.to_thread(self._screener.screen, typed)
        if not verdict.crisis:
            return None
        if verdict.learned_only and await self._typed_into_plan(who, event):
            return None  # a safety plan's parts name warning signs by design; only phrases and grammar read them
        if verdict.level is Level.POSSIBLE and verdict.about is not About.SOMEONE_ELSE:
            return [await self._ask_directly(who, event, verdict.about, carry_on=carry_on)]
        saved_to_plan = carry_on and await self._plan_answer_anyway(who, event)
        if pauses(verdict):
            # Only the fact and the time are kept; the words that led here are never stored or logged.
            await self._repo.record_crisis(who.identity_id)
        replies = safety_replies(self._texts, self._content.resources, self._country(who), verdict,
                                 own=await self._own_plan(who))
        if saved_to_plan and self._plans is not None:
            replies.append(Reply(self._plans.text("crisis_saved"), tone=Tone.INFO))
        return replies

    async def _typed_into_plan(self, who: Profile, event: Event) -> bool:
        """Whether these words were typed into an open part of the person's safety plan."""
        if self._plans is None or not isinstance(event, TextSubmitted):
            return False
        parsed = parse_token(event.token) if event.token else None
        record = (await self._repo.get_session(parsed.session_id) if parsed is not None else None) if event.token \
            else await self._open_session(who.identity_id)
        return record is not None and record.flow_id == PLAN and record.status == OPEN \
            and record.identity_id == who.identity_id

    async def _plan_answer_anyway(self, who: Profile, event: Event) -> bool:
        """Words typed into a part of the safety plan are the person's own plan, whatever the screen found: the
        part is saved (the crisis reply then shows it), and the next part waits until they come back to /plan."""
        if self._plans is None or not isinstance(event, TextSubmitted):
            return False
        if event.token:
            parsed = parse_token(event.token)
            record = await self._repo.get_session(parsed.session_id) if parsed is not None else None
        else:
            record = await self._open_session(who.identity_id)
        if record is None or record.flow_id != PLAN or record.status != OPEN or record.identity_id != who.identity_id:
            return False
        step = self._step_of(record)
        resolution = engine.resolve_text(step, event.text) if step is not None and step.id != KEEP_STEP else None
        if step is None or not isinstance(resolution, engine.Resolved) or resolution.answer is None:
            return False  # not a part's answer (too long, or the keep question): nothing is saved
        await self._apply(who, record, step, resolution)
        return True

    async def _own_plan(self, who: Profile) -> list[str]:
        return await self._plans.own_lines(who.identity_id) if self._plans is not None else []

    async def _ask_directly(self, who: Profile, event: Event, about: About, *, carry_on: bool) -> Reply:
        """Ask before pausing anything; keep the words (encrypted) so "No, I'm OK" can carry on with them.
        Text typed into a check-in step is tied to that step: it is applied there, or nowhere. Without
        `carry_on` nothing is kept: after "No" there is nothing to go on with."""
        if not carry_on:
            question_id = await self._repo.keep_asked(who.identity_id, Held(about, event.address.channel_id).to_json())
            return ask_reply(self._texts, question_id, about)
        step_token = ""
        if isinstance(event, TextSubmitted) and not event.token:
            current = await self._open_session(who.identity_id)
            step = self._step_of(current) if current is not None and current.status == OPEN else None
            if current is not None and step is not None:
                step_token = make_token(current.id, step.id)
        question_id = await self._repo.keep_asked(who.identity_id, Held.of(event, about, step_token).to_json())
        return ask_reply(self._texts, question_id, about)

    async def _answer_to_question(self, who: Profile, event: Event) -> CommunityOutcome | None:
        """A click on the direct question, or its answer typed; None for every other event."""
        now = self._clock()
        if isinstance(event, ChoicePicked):
            parsed = parse_token(event.token)
            if parsed is None or parsed.session_id != ASK_SESSION:
                return None
            answer: str | None = (event.values or (parsed.value,))[0]
            question_id: str | None = parsed.step_id
        elif isinstance(event, TextSubmitted) and not event.token:
            answer = typed_answer(self._texts, event.text)
            waiting = await self._waiting_question(who) if answer is not None else None
            if waiting is None:
                return None
            question_id = waiting[0]
        else:
            return None
        kept = await self._repo.take_asked(who.identity_id, question_id, now - RESUME_WINDOW) \
            if answer in ANSWERS and question_id else None
        if kept is None:
            return CommunityOutcome(replies=(Reply(self._texts.get("ask_stale"), tone=Tone.NOTICE, stale=True),))
        held = Held.from_json(kept)
        if answer != NO:
            await self._repo.record_crisis(who.identity_id)
            country = self._country(who)
            if held.about is About.HARM_FROM_OTHERS:
                replies = danger_replies(self._texts, self._content.resources, country, lead_key="danger_lead_asked",
                                         own=await self._own_plan(who))
            else:
                lead = "ask_unsure_lead" if answer == UNSURE else "ask_yes_lead"
                replies = crisis_replies(self._texts, self._content.resources, country, Verdict(), lead_key=lead,
                                         own=await self._own_plan(who))
            return CommunityOutcome(replies=tuple(replies))
        # "No, I'm OK": carry on where they were, with what they sent, as if the question had never come up.
        if not held.carries:
            return CommunityOutcome(replies=(Reply(self._texts.get("ask_no_reply"), tone=Tone.INFO),))
        outcome = await self._carry_on(who, held.event(event.address), is_admin=False, is_moderator=False)
        carried = tuple(reply for reply in outcome.replies if not reply.stale)
        return replace(outcome, replies=(Reply(self._texts.get("ask_no_reply"), tone=Tone.INFO), *carried))

    async def _waiting_question(self, who: Profile) -> tuple[str, Held] | None:
        """The direct question that typed words answer: asked within the hour, and still the last question (no
        check-in was started or answered since, so a typed "2" then belongs to the check-in, not to it)."""
        latest = await self._repo.latest_asked(who.identity_id, self._clock() - ASK_TYPED_WINDOW)
        if latest is None:
            return None
        question_id, kept, asked_at = latest
        current = await self._open_session(who.identity_id)
        if current is not None and current.updated_at > asked_at:
            return None
        return question_id, Held.from_json(kept)

    async def _carry_on(self, who: Profile, event: Event, *, is_admin: bool,
                        is_moderator: bool, zone: str = "") -> CommunityOutcome:
        """Everything an event does once its words have been screened."""
        identity = who.identity_id
        outcome = await self._community(event, is_admin=is_admin, is_moderator=is_moderator, zone=zone)
        if outcome is not None:
            replies = list(outcome.replies)
        elif isinstance(event, Command):
            replies = await self._command(who, event)
        elif isinstance(event, ChoicePicked):
            replies = await self._picked(who, event)
        else:
            replies = await self._typed(who, event)
        if who.unreachable_at is not None and not isinstance(event, ChoicePicked):
            await self._repo.clear_unreachable(identity)
            replies = [Reply(self._texts.get("unreachable_notice"), tone=Tone.NOTICE), *replies]
        if identity in self._forgotten:  # /forget reaches past the person's own rows
            files = self._forgotten.pop(identity)
            removals = await self._circles.forget_author(event.address) if self._circles is not None else ()
            if self._pulses is not None:
                await self._pulses.forget_member(event.address)
            if await self._remove_traces(event.address, files):
                replies.append(Reply(self._texts.get("forgotten_messages"), tone=Tone.INFO))
            return CommunityOutcome(replies=tuple(replies), removals=removals)
        if who.introduced_at is None and not is_pulse_event(event) and not self._is_pulse_command(event) \
                and await self._repo.mark_introduced(identity):
            replies = [Reply(self._texts.get("intro"), tone=Tone.INFO), *replies]
        if outcome is None:
            return CommunityOutcome(replies=tuple(replies))
        return replace(outcome, replies=tuple(replies))

    async def handle_safely(self, event: Event) -> list[Reply]:
        """The error boundary every adapter wraps each event in: log the fault, apologise, keep going."""
        return list((await self.act_safely(event)).replies)

    async def act_safely(self, event: Event, *, is_admin: bool = False,
                         is_moderator: bool = False, zone: str = "") -> CommunityOutcome:
        """`act` inside the error boundary."""
        try:
            outcome = await self.act(event, is_admin=is_admin, is_moderator=is_moderator, zone=zone)
            if self._metrics is not None:
                self._metrics.outcome(self._is_sos(event), outcome.replies)
            return outcome
        except Exception as exc:  # the message may quote what the person wrote: log only type and place
            log.error("event %s on %s failed: %s", type(event).__name__, event.address.platform,
                      describe_exception(exc))
            return CommunityOutcome(replies=(Reply(self._texts.get("error"), tone=Tone.NOTICE),))

    @staticmethod
    def _is_pulse_command(event: Event) -> bool:
        """An admin running a pulse round is at work: no personal check-in greeting before the answer."""
        return isinstance(event, Command) and fold(event.name) == "pulse"

    @staticmethod
    def _is_sos(event: Event) -> bool:
        if not isinstance(event, Command):
            return False
        name = fold(event.name)
        return COMMAND_ALIASES.get(name, name) == "sos"

    # ------------------------------------------------------------ community (circles and pulses)

    @property
    def has_community(self) -> bool:
        return self._circles is not None and self._pulses is not None

    @staticmethod
    def is_community_token(token: str) -> bool:
        parsed = parse_token(token)
        return parsed is not None and parsed.session_id in (CIRCLE_SESSION, PULSE_SESSION)

    async def _is_traceless_pulse_event(self, event: Event) -> bool:
        """A pulse click, or a pulse comment the screen finds nothing in, from someone the bot does not know:
        answered without creating an identity, so a copy of the database never shows who joined a round.
        Words that need a safety reply take the usual path, identity and all: help comes first."""
        if self._pulses is None or not is_pulse_event(event):
            return False
        if await self._repo.find_identity(event.address) is not None:
            return False
        if isinstance(event, TextSubmitted):
            text = event.text
            verdict = self._screener.screen(text) if len(text) < SCREEN_INLINE_MAX \
                else await asyncio.to_thread(self._screener.screen, text)
            return not verdict.crisis
        return True

    async def _community(self, event: Event, *, is_admin: bool, is_moderator: bool,
                         zone: str = "") -> CommunityOutcome | None:
        """Community commands, clicks and pulse comments; None for everything else."""
        address = event.address
        if isinstance(event, Command):
            name = fold(event.name)
            if name not in COMMUNITY_COMMANDS:
                return None
            if self._circles is None or self._pulses is None:
                return CommunityOutcome(replies=(Reply(self._texts.get("community_elsewhere"), tone=Tone.INFO),))
            if name == "share":
                return await self._circles.share(address, event.args)  # the whole text, not the command cut
            args = clean_text(event.args)[:COMMAND_ARGS_MAX]
            if name == "circle":
                if fold(args).split()[:1] == ["status"]:
                    return await self._circles.circle_status(address, is_admin)
                return await self._circles.setup_command(address, is_admin, args)
            return await self._pulse_command(address, is_admin, args, zone)
        token = event.token if isinstance(event, ChoicePicked | TextSubmitted) else ""
        parsed = parse_token(token) if token else None
        if parsed is None or parsed.session_id not in (CIRCLE_SESSION, PULSE_SESSION):
            return None
        if self._circles is None or self._pulses is None:
            return CommunityOutcome(replies=(Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True),))
        if isinstance(event, TextSubmitted):
            replies = await self._pulses.on_text(address, parsed, event.text) \
                if parsed.session_id == PULSE_SESSION else None
            return CommunityOutcome(replies=tuple(replies or [Reply(self._texts.get("stale_click"), stale=True)]))
        assert isinstance(event, ChoicePicked)
        picked = ParsedToken(parsed.session_id, parsed.step_id, event.values[0]) if event.values else parsed
        if picked.session_id == CIRCLE_SESSION:
            outcome = await self._circles.on_pick(address, picked, is_moderator=is_moderator)
            return outcome or CommunityOutcome(replies=(Reply(self._texts.get("stale_click"), stale=True),))
        replies = await self._pulses.on_pick(address, picked)
        return CommunityOutcome(replies=tuple(replies or [Reply(self._texts.get("stale_click"), stale=True)]))

    # ------------------------------------------------------------ the private pulse form (adapters' modal or form)

    async def pulse_form(self, address: Address, round_id: str) -> PulseForm | list[Reply]:
        """The private answer form of a round, for someone who pressed Join in its channel (replies instead when
        it cannot be answered there). Creates no identity."""
        if self._pulses is None:
            return [Reply(self._texts.get("community_elsewhere"), tone=Tone.INFO)]
        form = await self._pulses.form(address, round_id)
        return form if isinstance(form, PulseForm) else [form]

    async def submit_pulse_form(self, address: Address, round_id: str, scores: Sequence[int | None],
                                comment: str = "") -> FormResult:
        """A sent pulse form: the answers through the anonymous path (no identity), then the optional comment
        the way a typed pulse comment goes (screened first: words that need a safety reply get it, and only
        then does that person become known, as with any comment)."""
        if self._pulses is None:
            return FormResult(replies=(Reply(self._texts.get("community_elsewhere"), tone=Tone.INFO),))
        result = await self._pulses.submit_form(address, round_id, scores)
        if not result.saved or not clean_text(comment):
            return result
        note = TextSubmitted(address, comment, token=make_token(PULSE_SESSION, f"{NOTE_STEP}{round_id}"))
        outcome = await self.act_safely(note)
        return replace(result, replies=(*result.replies, *outcome.replies))

    async def _pulse_command(self, address: Address, is_admin: bool, args: str, zone: str) -> CommunityOutcome:
        """`pulse open <closes> [min N]` (closes: 3d, 48h, 2w or a UTC "2026-12-01 17:00"); `pulse status`."""
        assert self._pulses is not None
        words = args.split()
        action = fold(words[0]) if words else ""
        if action == "status":
            return await self._pulses.status(address, is_admin)
        if not is_admin:
            return await self._pulses.status(address, False)  # the kind "for admins" answer, nothing else
        if action != "open":
            return CommunityOutcome(replies=(Reply(self._texts.get("pulse_usage")),))
        rest = " ".join(words[1:])
        minimum: int | None = None
        found = re.search(r"\b(?:min|minimum|threshold)[= ]?(\d{1,3})\b", rest, flags=re.IGNORECASE)
        if found:
            minimum = int(found.group(1))
            rest = (rest[:found.start()] + rest[found.end():]).strip()
        closes = parse_close(rest, self._clock()) if rest else None
        if closes is None:
            return CommunityOutcome(replies=(Reply(self._texts.get("pulse_usage")),))
        return await self._pulses.open_round(address, is_admin, closes_at=closes, min_respondents=minimum,
                                             zone=zone or await self._own_zone(address))

    async def _own_zone(self, address: Address) -> str:
        """The zone of the person's own check-in schedule ("" without one): the admin's zone where the platform
        names none for the workspace."""
        identity = await self._repo.find_identity(address)
        schedule = await self._schedules.get(identity) if identity is not None and self._schedules is not None \
            else None
        return schedule.rule.zone if schedule is not None else ""

    async def community_posts(self, platforms: Collection[str] | None = None) -> list[ChannelPost]:
        """Everything due in community channels now: weekly circle prompts, pulse openings, reminders, results;
        only for `platforms` when given (the ones this process can post to)."""
        if self._circles is None or self._pulses is None:
            return []
        return [*await self._circles.due_circle_posts(platforms=platforms),
                *await self._pulses.due_posts(platforms=platforms)]

    async def deliver(self, outcome: CommunityOutcome, poster: ChannelPoster) -> None:
        """Post an outcome's channel posts (reporting message ids back) and carry out its removals. One post that
        fails is logged (type and place only) and does not stop the others."""
        await self.publish(outcome.posts, poster)
        for removal in outcome.removals:
            try:
                await poster.delete_message(removal)
            except Exception as exc:
                log.error("community removal on %s failed: %s", removal.platform, describe_exception(exc))

    async def publish(self, posts: Sequence[ChannelPost], poster: ChannelPoster) -> list[ChannelPost]:
        """Post each one and report its message id back; returns the posts that did not go out (already claimed:
        the caller keeps them to try again, or they are lost)."""
        failed: list[ChannelPost] = []
        for post in posts:
            try:
                message_id = await poster.post_to_channel(post)
                if self._circles is not None and post.ref and message_id:
                    if post.kind is PostKind.CIRCLE_PROMPT:
                        await self._circles.prompt_posted(post.ref, message_id)
                    elif post.kind is PostKind.SHARE:
                        await self._circles.share_posted(post.ref, message_id)
                if self._pulses is not None and post.kind is PostKind.PULSE_OPEN and post.ref and message_id:
                    await self._pulses.invitation_posted(post.ref, message_id)
            except Exception as exc:
                log.error("community post %s on %s failed: %s", post.kind, post.platform, describe_exception(exc))
                failed.append(post)
        return failed

    async def remember_dm_channel(self, address: Address, channel_id: str) -> None:
        await self._repo.remember_dm_channel(address, channel_id)

    # ------------------------------------------------------------ what adapters keep about a person

    def keep_traces_with(self, platform: str, traces: PersonalTraces) -> None:
        """The adapter of `platform` removes its files and traces on /forget and retention."""
        self._traces.setdefault(platform, []).append(traces)

    async def remember_file(self, address: Address, ref: str) -> None:
        """An adapter put a file on its platform for this person (an export, a chart)."""
        await self._repo.remember_file(address, ref)

    async def file_removed(self, address: Address, ref: str) -> None:
        await self._repo.drop_files([FileRef(address.platform, address.workspace_id, ref)])

    async def _remove_traces(self, address: Address, files: Sequence[FileRef]) -> bool:
        """After /forget: the files go from their platforms, and the adapter's own traces. A failure is logged
        (type only) and does not undo the erase. True when an adapter is removing its messages to the person."""
        removing = False
        for traces in self._traces.get(address.platform, ()):
            try:
                removing = bool(await traces.forget_person(address)) or removing
            except Exception as exc:
                log.error("forget on %s failed: %s", address.platform, describe_exception(exc))
        await self._remove_files(files)
        return removing

    async def _remove_files(self, files: Sequence[FileRef]) -> list[FileRef]:
        gone: list[FileRef] = []
        groups: dict[tuple[str, str], list[str]] = {}
        for item in files:
            groups.setdefault((item.platform, item.workspace_id), []).append(item.ref)
        for (platform, workspace_id), refs in groups.items():
            removed: set[str] = set()
            for traces in self._traces.get(platform, ()):
                try:
                    removed.update(await traces.remove_files(workspace_id, [ref for ref in refs if ref not in removed]))
                except Exception as exc:
                    log.error("file removal on %s failed: %s", platform, describe_exception(exc))
            gone.extend(FileRef(platform, workspace_id, ref) for ref in refs if ref in removed)
        return gone

    async def expire_files(self, before: datetime) -> int:
        """Retention: files put on platforms before `before` are deleted there (by the adapters running in this
        process; another process takes its own platform's). Returns how many went."""
        gone = await self._remove_files(await self._repo.files_older_than(before))
        await self._repo.drop_files(gone)
        return len(gone)

    async def form(self, address: Address, name: str) -> Form | None:
        """Form `name` filled in with the person's current settings: what an adapter opens when its button is
        clicked, also long after the message was sent (and after restarts)."""
        if name == "share" and self._circles is not None:
            return self._circles.share_form()
        if name == "circle" and self._circles is not None:
            return self._circles.setup_form()
        if name != "schedule" or self._scheduling is None or self._schedules is None:
            return None
        identity = await self._repo.find_identity(address)
        return self._scheduling.form(await self._schedules.get(identity) if identity is not None else None)

    async def text_examples(self, address: Address, token: str) -> tuple[str, ...]:
        """The examples a text box offers to pick (a part of the safety plan), for the step the token names."""
        parsed = parse_token(token)
        if self._plans is None or parsed is None:
            return ()
        record = await self._repo.get_session(parsed.session_id)
        who = await self._repo.find_identity(address)
        if record is None or record.flow_id != PLAN or record.identity_id != who or record.step_id != parsed.step_id:
            return ()
        return self._plans.examples(parsed.step_id)

    async def text_prefill(self, address: Address, token: str) -> str:
        """What a text box opens with ("" for an empty box): for a part of the safety plan, what that part holds
        now, or for part 5 the services of the person's country, so it is edited rather than written anew."""
        parsed = parse_token(token)
        if self._plans is None or parsed is None:
            return ""
        record = await self._repo.get_session(parsed.session_id)
        who = await self._repo.identity_id(address)
        if record is None or record.flow_id != PLAN or record.identity_id != who or record.step_id != parsed.step_id:
            return ""
        plan = await self._repo.plan(who)
        items = plan.parts.get(parsed.step_id) if plan is not None else None
        part = self._plans.part(parsed.step_id)
        if not items and part is not None and part.prefilled:
            items = self._plans.prefill(self._country(await self._repo.profile(who)))
        return "\n".join(items or [])

    async def has_open_checkin(self, address: Address) -> bool:
        identity = await self._repo.find_identity(address)
        return identity is not None and await self._open_session(identity) is not None

    # ------------------------------------------------------------ commands

    async def _command(self, who: Profile, event: Command) -> list[Reply]:
        raw_name = fold(event.name)
        name = COMMAND_ALIASES.get(raw_name, raw_name.replace(" ", ""))
        args = clean_text(event.args)[:COMMAND_ARGS_MAX]
        if name == "help":
            return [self._help(), *await self._plan_offer(who)]
        if name == "sos":
            own = await self._own_plan(who)
            replies = sos_replies(self._texts, self._content.resources, self._country(who), own)
            return replies if own else [*replies, *await self._plan_offer(who)]
        if name == PLAN:
            return await self._plan_command(who, args)
        if name == "checkin":
            return await self._checkin(who, args)
        if name == "cancel":
            return await self._cancel(who)
        if name == "tip":
            return await self._tip(who, "topics" if raw_name == "topics" else args)
        if name == "history":
            return await self._history(who, args)
        if name == "privacy":
            plan = [Reply(self._plans.text("privacy", days=self._retention_days), tone=Tone.INFO)] \
                if self._plans is not None else []
            return [Reply(self._texts.get("privacy", retention=self._retention_days), title="Your privacy"), *plan]
        if name == "export":
            return await self._export(who)
        if name in (SETTINGS, FORGET):
            return await self._start(who, self._flows[name], fresh=True)
        if name in SCHEDULING_COMMANDS:
            return await self._scheduling_command(who, name, args)
        shown = clean_text(event.name).split(" ")[0][:30]
        if not shown:
            return [Reply(self._texts.get("empty_command"), tone=Tone.NOTICE)]
        closest = difflib.get_close_matches(name, [*COMMANDS, *COMMAND_ALIASES], n=1, cutoff=0.7)
        if closest:  # "/chekin": offer the command they most likely meant
            meant = COMMAND_ALIASES.get(closest[0], closest[0])
            return [Reply(self._texts.get("unknown_command_close", command=shown, meant=meant), tone=Tone.NOTICE)]
        return [Reply(self._texts.get("unknown_command", command=shown), tone=Tone.NOTICE)]

    def _help(self) -> Reply:
        flows = "\n".join(
            f"  /checkin {flow.name} — {flow.description}"
            for flow in self._content.flows.values()
            if flow.id != "daily"
        )
        return Reply(self._texts.get("help", flows=flows), title="boundary-bot", footer=self._texts.get("about"))

    async def _checkin(self, who: Profile, args: str) -> list[Reply]:
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
        return [*self._sos_beside(who), *await self._start(who, flow, fresh=fresh)]

    async def _start(self, who: Profile, flow: Flow, *, fresh: bool) -> list[Reply]:
        current = await self._open_session(who.identity_id)
        replies: list[Reply] = []
        if current is not None and not fresh and current.flow_id == flow.id:
            if current.status == HELD:
                current = await self._repo.reopen(current)
            step = self._step_of(current) if current else None
            if current is not None and step is not None:
                return [Reply(self._texts.get("checkin_open", title=self._flow(current).title), tone=Tone.NOTICE),
                        self._ask(self._flow(current), step, current.id)]
        if current is not None and current.flow_id != flow.id and current.flow_id in self._content.flows \
                and current.status == OPEN and current.answers and not fresh:
            return self._unfinished(current, flow)  # answers would be lost: ask, change nothing
        if current is not None and current.flow_id != flow.id and current.flow_id in self._content.flows:
            replies.append(Reply(self._texts.get("set_aside", title=self._flow(current).title), tone=Tone.NOTICE))
        record = await self._repo.start_session(who.identity_id, flow.id, engine.first_step(flow))
        if flow.intro:
            replies.append(Reply(flow.intro, title=flow.title, tone=Tone.INFO))
        replies.append(self._ask(flow, flow.steps[0], record.id))
        return replies

    def _unfinished(self, current: SessionRecord, wanted: Flow) -> list[Reply]:
        """Another flow is partway through: say how to carry on or start over, and ask its question again."""
        open_flow = self._flow(current)
        replies = [Reply(self._texts.get("unfinished_other", current=open_flow.title, wanted=wanted.title,
                                         wanted_name=wanted.name), tone=Tone.NOTICE)]
        step = self._step_of(current)
        if step is not None:
            replies.append(self._ask(open_flow, step, current.id))
        return replies

    async def _cancel(self, who: Profile) -> list[Reply]:
        current = await self._repo.open_session(who.identity_id)
        if await self._repo.cancel_open(who.identity_id):
            # Leaving a question about erasing or settings changes nothing: say that, not "check-in".
            key = {FORGET: "forget_kept", SETTINGS: "settings_unchanged"}.get(
                current.flow_id if current else "", "cancelled")
            return [Reply(self._texts.get(key), tone=Tone.INFO)]
        return [Reply(self._texts.get("nothing_to_cancel"), tone=Tone.INFO)]

    async def _tip(self, who: Profile, args: str) -> list[Reply]:
        topic_word = fold(args).replace(" ", "-")
        if topic_word in ("topics", "list", "help", "?"):
            return [self._topics_reply()]
        topic = None
        if topic_word:
            topic = self._match_topic(topic_word)
            if topic is None:
                return [Reply(self._texts.get("tip_unknown_topic", topic=args[:40]), tone=Tone.NOTICE),
                        self._topics_reply()]
        recent = await self._repo.recent_tip_ids(who.identity_id, self._tip_history_size)
        tip = self._picker.pick(TipRequest(topic=topic), recent)
        if tip is None:
            return [self._topics_reply()]
        await self._repo.record_tip_view(who.identity_id, tip.id)
        return [self._tip_reply(tip), *self._sos_beside(who)]

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

    async def _history(self, who: Profile, args: str = "") -> list[Reply]:
        return (await self._history_and_count(who, args))[0]

    async def _history_and_count(self, who: Profile | None, args: str = "") -> tuple[list[Reply], int]:
        """/history [4w|12w|all]: a short summary in words and, when there is anything to draw, a chart; and
        how many check-ins it covers. Numbers and labels only: no note is ever read for it. `who` is None for
        someone not known (nothing to read, nothing created)."""
        texts = self._texts.values
        try:
            period = parse_period(args, texts)
        except PeriodError as problem:
            return [Reply(str(problem), title="Your history", tone=Tone.NOTICE)], 0
        zone = await self._zone_of(who.identity_id) if who is not None else UTC
        today = self._clock().astimezone(zone).date()
        # Check-ins are what /history counts: the daily and weekly ones. A prepare or repair draft (answered or
        # all skipped) is not a check-in.
        drafts = {flow.id for flow in self._content.flows.values() if flow.outcome.kind == "script"}
        points = points_from_checkins([record for record in await self._repo.checkins(who.identity_id)
                                       if record.flow_id not in drafts], zone) if who is not None else []
        summary = summarize(points, period, today, self._boundaries,
                            streaks_enabled=who is not None and who.show_streaks, texts=texts)
        replies = [Reply(summary.text, title=summary.title, footer=summary.footer)]
        if summary.count and who is not None:
            image = await self._chart(who.identity_id, points, summary.start, summary.end, texts)
            if image is not None:
                replies.append(Reply("", image=image))
        return replies, summary.count

    async def _chart(self, identity_id: int, points: Sequence[Point], start: date, end: date,
                     texts: Mapping[str, str]) -> Image | None:
        key = hash((tuple(points), start, end))
        now = time.monotonic()
        while self._charts and next(iter(self._charts.values()))[2] < now - CHART_CACHE_SECONDS:
            self._charts.popitem(last=False)
        cached = self._charts.get(identity_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        # Drawing takes a few hundred milliseconds: off the event loop, so nobody else waits for it.
        chart = await asyncio.to_thread(render_chart, points, start, end, self._boundaries, texts)
        image = Image(chart.png, chart.alt_text, chart.filename) if chart is not None else None
        self._charts.pop(identity_id, None)
        self._charts[identity_id] = (key, image, now)
        if len(self._charts) > CHART_CACHE_SIZE:
            self._charts.popitem(last=False)
        return image

    async def _zone_of(self, identity_id: int) -> tzinfo:
        """The person's own time zone (from their schedule), so weeks and days are theirs; else UTC."""
        record = await self._schedules.get(identity_id) if self._schedules is not None else None
        return record.rule.tz if record is not None else UTC

    async def _export(self, who: Profile) -> list[Reply]:
        data = await self._repo.export(who.identity_id)
        count = len(data["checkins"])
        stamp = self._clock().strftime("%Y%m%d-%H%M%S")
        files = (Attachment(f"boundary-bot-{stamp}.json", export_json(data), "application/json"),
                 Attachment(f"boundary-bot-checkins-{stamp}.csv", checkins_csv(data), "text/csv"),
                 *await self._plan_printable(who))
        return [Reply(self._texts.get("export_ready", checkins=count, plural="" if count == 1 else "s"),
                      title="Your data", files=files)]

    # ------------------------------------------------------------ the safety plan (/plan)

    async def _plan_command(self, who: Profile, args: str) -> list[Reply]:
        """/plan: build it (or see it, once there is one); `/plan edit <part>`, `/plan new`, `/plan delete`."""
        if self._plans is None:
            return [Reply(self._texts.get("unknown_command", command=PLAN), tone=Tone.NOTICE)]
        words = fold(args).split()
        action = words[0] if words else ""
        flow = self._flows[PLAN]
        if action in ("delete", "remove", "erase"):
            return await self._plan_delete(who, words[1] if len(words) > 1 else "")
        current = await self._open_session(who.identity_id)
        # An unfinished check-in is set aside (as /checkin does when another one starts), and the person is told.
        set_aside = [Reply(self._texts.get("set_aside", title=self._flow(current).title), tone=Tone.NOTICE)] \
            if current is not None and current.flow_id in self._content.flows else []
        if action in ("edit", "change"):
            part = self._plans.find_part(" ".join(words[1:]))
            if part is None:
                return [self._plans.unknown_part()]
            record = await self._repo.start_session(who.identity_id, PLAN, part.id)
            await self._repo.save_step(record, part.id, {EDITING: part.id})
            return [*set_aside, self._ask_person(who, flow, self._require_step(flow, part.id), record.id)]
        fresh = action in ("new", "again", "start")
        if current is not None and current.flow_id == PLAN and current.step_id == KEEP_STEP:
            await self._repo.cancel_open(who.identity_id)  # every part is saved; the last question is optional
        elif current is not None and current.flow_id == PLAN and not fresh:
            return await self._start(who, flow, fresh=False)  # picks up at the part they were on
        existing = await self._repo.plan(who.identity_id)
        if existing is not None and not fresh:
            return self._plans.view(existing)
        record = await self._repo.start_session(who.identity_id, PLAN, engine.first_step(flow))
        return [*set_aside, Reply(flow.intro, title=flow.title, tone=Tone.INFO),
                self._ask_person(who, flow, flow.steps[0], record.id)]

    async def _plan_delete(self, who: Profile, answer: str) -> list[Reply]:
        """/plan delete asks first ("Yes, delete" / "Keep it"); only the yes deletes."""
        assert self._plans is not None
        if answer == DELETE_KEEP:
            return [Reply(self._plans.text("delete_kept"), tone=Tone.INFO)]
        if answer != DELETE_YES:
            if await self._repo.plan(who.identity_id) is None:
                return [Reply(self._plans.text("nothing_to_delete"), tone=Tone.INFO)]
            return [self._plans.confirm_delete()]
        deleted = await self._repo.delete_plan(who.identity_id)
        current = await self._open_session(who.identity_id)
        if current is not None and current.flow_id == PLAN:
            await self._repo.cancel_open(who.identity_id)
        return [Reply(self._plans.text("deleted" if deleted else "nothing_to_delete"), tone=Tone.INFO)]

    async def _plan_saved(self, who: Profile, record: SessionRecord, answers: dict[str, Any]) -> list[Reply]:
        if not await self._repo.close(record):
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True)]
        assert self._plans is not None
        editing = str(answers.get(EDITING) or "")
        keep: bool | None = None
        if not editing and answers.get(KEEP_STEP) is not None:
            keep = answers.get(KEEP_STEP) == KEEP_FOREVER
            await self._repo.keep_plan(who.identity_id, keep)
        replies = [self._plans.saved(keep, editing)]
        saved = await self._repo.plan(who.identity_id)
        if saved is not None:
            replies.extend(self._plans.view(saved))
        return replies

    async def _plan_offer(self, who: Profile) -> list[Reply]:
        """One line offering to write a plan: only at a calm moment (not during the pause after a crisis reply),
        only to someone without one, and never twice in a week."""
        if self._plans is None or self._quiet_after_crisis(who):
            return []
        if self._plans.has_content(await self._repo.plan(who.identity_id)):
            return []
        if not await self._repo.offer_plan(who.identity_id, self._clock(), OFFER_EVERY):
            return []
        return [self._plans.offer()]

    async def _plan_printable(self, who: Profile) -> list[Attachment]:
        record = await self._repo.plan(who.identity_id) if self._plans is not None else None
        if self._plans is None or record is None:
            return []
        stamp = self._clock().strftime("%Y%m%d-%H%M%S")
        return [Attachment(f"boundary-bot-safety-plan-{stamp}.txt", self._plans.printable(record, self._clock()),
                           "text/plain")]

    # ------------------------------------------------------------ answers

    async def _typed(self, who: Profile, event: TextSubmitted) -> list[Reply]:
        if event.token:
            return await self._answer_token(who, event.token, text=event.text)
        current = await self._open_session(who.identity_id)
        if self._just_shown_crisis(who) and (current is None or current.status == HELD) and (
                fold(event.text) in NOT_MEANT_WORDS or fold(event.text) == "1"):
            return [Reply(self._texts.get("not_meant"), tone=Tone.INFO)]
        if current is not None and current.status == HELD:
            return [Reply(self._texts.get("held_text"), tone=Tone.INFO)]
        step = self._step_of(current) if current else None
        if current is None or step is None:
            key = "idle_empty" if not clean_text(event.text).strip() else "idle_text"
            return [Reply(self._texts.get(key), tone=Tone.INFO)]
        return await self._apply(who, current, step, engine.resolve_text(step, event.text))

    async def _scheduling_command(self, who: Profile, name: str, args: str) -> list[Reply]:
        if self._scheduling is None:
            return [Reply(self._texts.get("no_schedule"), tone=Tone.INFO)]
        if name == "schedule" and fold(args) == "pause":
            name, args = "pause", ""
        if name == "schedule":
            return await self._scheduling.schedule(who.identity_id, args)
        if name in ("pause", "vacation"):
            return await self._scheduling.pause(who.identity_id, args, name)
        if name == "resume":
            return await self._scheduling.resume(who.identity_id)
        if name == "skip":
            return await self._scheduling.skip(who.identity_id)
        return await self._scheduling.snooze(who.identity_id, fold(args).replace(" ", "") or "1h")

    async def prompt_for(self, job: DeliveryJob) -> Prompt | str:
        """What a scheduled delivery says: a gentle prompt that starts the check-in, or (after three
        unanswered in a row) one kind question about the rhythm. A string is a reason to send nothing."""
        if self._scheduling is None or self._schedules is None:
            return "no-scheduling"
        if job.flow_id == SUMMARY_FLOW:  # the optional weekly summary: words and a chart, never a question
            replies, count = await self._history_and_count(await self._repo.profile(job.identity_id))
            if count == 0:
                return "nothing-to-summarize"  # no check-ins lately: say nothing rather than point it out
            return Prompt(replies, counts_as_prompt=False)
        if job.kind == "prompt" and job.unanswered >= 3 and not job.dialdown_asked:
            await self._schedules.set_dialdown(job.schedule_id, asked=True)
            question = self._scheduling.dialdown_question(job.schedule_id)
            return Prompt([Reply(self._texts.get("dialdown_prompt"), tone=Tone.PROMPT, question=question)],
                          counts_as_prompt=False)
        current = await self._repo.open_session(job.identity_id)
        flow = self._content.flows.get(job.flow_id) or self._content.flows["daily"]
        if current is not None and current.status == OPEN and current.answers \
                and self._clock() - current.updated_at < RESUME_WINDOW and current.flow_id in self._content.flows:
            if current.flow_id == flow.id and self._clock() - current.updated_at < BUSY_WINDOW:
                return "busy"  # doing this very check-in right now: no interruption
            # Partway through something else: leave it as it is, and say this one is there when they are ready.
            return Prompt([Reply(self._texts.get("prompt_while_open", due=flow.title, name=flow.name,
                                                 current=self._flow(current).title), tone=Tone.INFO)],
                          counts_as_prompt=False)
        record = await self._repo.start_session(job.identity_id, flow.id, engine.first_step(flow))
        return Prompt([
            Reply(self._texts.get("prompt_greeting"), title=flow.title, tone=Tone.PROMPT),
            self._ask(flow, flow.steps[0], record.id),
            Reply(self._texts.get("prompt_snooze"), tone=Tone.INFO, question=self._scheduling.prompt_question(job.id)),
        ], session_id=record.id)

    async def _put_away_prompt(self, identity_id: int, session_id: str) -> None:
        """A snoozed or skipped prompt's check-in is set aside, unless the person has started answering it."""
        record = await self._repo.open_session(identity_id)
        if record is not None and record.id == session_id and record.status == OPEN and not record.answers:
            await self._repo.cancel_open(identity_id)

    async def _picked(self, who: Profile, event: ChoicePicked) -> list[Reply]:
        parsed = parse_token(event.token)
        if parsed is not None and parsed.session_id == SOS_SESSION:
            return [Reply(self._texts.get("not_meant"), tone=Tone.INFO)]
        if parsed is not None and parsed.session_id == PLAN and parsed.step_id == EDIT_STEP:
            return await self._plan_command(who, f"edit {(event.values or (parsed.value,))[0]}")
        if parsed is not None and parsed.session_id == PLAN and parsed.step_id == DELETE_STEP:
            return await self._plan_delete(who, (event.values or (parsed.value,))[0])
        if parsed is not None and parsed.session_id in (SNOOZE_SESSION, DIALDOWN_SESSION) \
                and self._scheduling is not None and parsed.step_id.isdigit():
            choice = (event.values or (parsed.value,))[0]
            if parsed.session_id == SNOOZE_SESSION:
                return await self._scheduling.snooze(who.identity_id, choice, int(parsed.step_id))
            return await self._scheduling.dialdown(who.identity_id, int(parsed.step_id), choice)
        values = event.values or ((parsed.value,) if parsed and parsed.value else ())
        return await self._answer_token(who, event.token, values=values)

    async def _answer_token(self, who: Profile, token: str, *, values: Sequence[str] = (),
                            text: str | None = None) -> list[Reply]:
        parsed = parse_token(token)
        record = await self._repo.get_session(parsed.session_id) if parsed else None
        if parsed is None or record is None or record.identity_id != who.identity_id or record.status != OPEN \
                or record.step_id != parsed.step_id:
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True)]
        step = self._step_of(record)
        if step is None:
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True)]
        resolution = engine.resolve_text(step, text) if text is not None else engine.resolve_values(step, values)
        return await self._apply(who, record, step, resolution)

    async def _apply(self, who: Profile, record: SessionRecord, step: Step,
                     resolution: engine.Resolution) -> list[Reply]:
        flow = self._flow(record)
        if isinstance(resolution, engine.Rejected):
            return [Reply(self._texts.get(resolution.reason, **resolution.fields), tone=Tone.NOTICE),
                    self._ask_person(who, flow, step, record.id)]
        answers: dict[str, Any] = dict(record.answers)
        answers[step.id] = resolution.answer
        if flow.id == PLAN and step.id != KEEP_STEP and self._plans is not None:
            # Each part is saved as soon as it is answered; the session keeps only that it was.
            await self._plans.save_part(who.identity_id, step.id, resolution.answer if isinstance(
                resolution.answer, str) else None, self._country(who))
            answers[step.id] = resolution.answer is not None
        following = engine.next_step(flow, step, answers)
        if flow.id == PLAN and answers.get(EDITING):
            following = None  # changing one part: done once it is answered
        while following is not None and ((not who.store_notes and self._records_note(flow, following))
                                         or await self._nothing_to_erase(who, flow, following)):
            answers[following] = None  # "numbers only": the note step is not asked at all
            following = engine.next_step(flow, self._require_step(flow, following), answers)
        replies: list[Reply] = []
        if resolution.answer is None:
            replies.append(Reply(self._texts.get("skipped"), tone=Tone.INFO))
        if following is not None:
            if not await self._repo.save_step(record, following, answers):
                return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True)]
            return [*replies, self._ask_person(who, flow, self._require_step(flow, following), record.id)]
        return await self._finish(who, record, flow, answers)

    async def _finish(self, who: Profile, record: SessionRecord, flow: Flow,
                      answers: dict[str, Any]) -> list[Reply]:
        spec = flow.outcome
        if spec.kind == "settings":
            return await self._save_settings(who, record, answers)
        if spec.kind == "forget":
            return await self._forget(who, record, answers)
        if spec.kind == "plan":
            return await self._plan_saved(who, record, answers)
        outcome = engine.build_outcome(flow, answers)
        unsafe = self._unsafe_day(flow, outcome)
        tip: Tip | None = None
        if (spec.tip or spec.kind == "tip") and not unsafe:
            recent = await self._repo.recent_tip_ids(record.identity_id, self._tip_history_size)
            request = TipRequest(tags=outcome.tags, safety=outcome.safety, boundaries=outcome.boundaries)
            tip = self._picker.pick(request, recent)
        text_steps = {step.id for step in flow.steps if step.input is InputKind.TEXT}
        picked = {key: value for key, value in answers.items() if key not in text_steps}
        words = {key: value for key, value in answers.items()
                 if key in text_steps and isinstance(value, str)} if who.store_notes else {}
        saved = await self._repo.finish(record, picked, words, safety=outcome.safety,
                                        boundaries=outcome.boundaries, tip_id=tip.id if tip else None)
        if not saved:
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True)]
        if self._schedules is not None:
            await self._schedules.reset_unanswered(record.identity_id)
        if self._metrics is not None:
            self._metrics.checkins_completed.inc()
        replies = self._outcome_replies(spec, outcome)
        if unsafe and (spec.tip or spec.kind == "tip"):
            # Not safe at all and no boundary held: no tip pretending all is well, one gentle line to /sos.
            replies = [Reply(self._texts.get("unsafe_day"), tone=Tone.INFO)]
        if await self._repo.checkin_count(record.identity_id) == 1:
            replies.append(Reply(self._texts.get("settings_offer"), tone=Tone.INFO))
        if tip is not None:
            replies.append(self._tip_reply(tip))  # the tip comes last: it is what the person takes away
            replies.extend(self._sos_beside(who))
        return replies

    async def _save_settings(self, who: Profile, record: SessionRecord, answers: dict[str, Any]) -> list[Reply]:
        if not await self._repo.close(record):
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True)]
        chosen = answers.get("country")
        country = chosen.upper() if isinstance(chosen, str) else who.country
        notes = answers.get("notes")
        if notes == NUMBERS_ONLY and answers.get(CONFIRM_NUMBERS) not in (None, ERASE_WORDS):
            notes = None  # they chose to keep the words they have: nothing about notes changes
        store_notes = who.store_notes if notes is None else notes == KEEP_NOTES
        streaks = answers.get("streaks")
        show_streaks = who.show_streaks if streaks is None else streaks == SHOW_STREAKS
        await self._repo.update_settings(who.identity_id, country=country, store_notes=store_notes,
                                         show_streaks=show_streaks)
        region = self._content.resources.countries.get((country or self._default_country).upper())
        offer = await self._plan_offer(who)
        return [Reply(self._texts.get("settings_saved",
                                      country=region.name if region else self._texts.get("crisis_anywhere"),
                                      notes=self._texts.get("notes_kept" if store_notes else "notes_not_kept"),
                                      streaks=self._texts.get("streaks_shown" if show_streaks else "streaks_hidden")),
                      tone=Tone.INFO), *offer]

    async def _forget(self, who: Profile, record: SessionRecord, answers: dict[str, Any]) -> list[Reply]:
        if not await self._repo.close(record):
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True)]
        if answers.get("confirm") != ERASE:
            return [Reply(self._texts.get("forget_kept"), tone=Tone.INFO)]
        files = await self._repo.forget_identity(who.identity_id)
        self._charts.pop(who.identity_id, None)
        self._forgotten[who.identity_id] = files
        return [Reply(self._texts.get("forgotten"), tone=Tone.INFO)]

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

    def _country(self, who: Profile) -> str | None:
        return who.country or self._default_country or None

    def _quiet_after_crisis(self, who: Profile) -> bool:
        """True for a while after a crisis reply: the bot starts nothing itself (prompts, invitations, tips nobody
        asked for); what the person asks for is answered, with /sos beside it."""
        return who.crisis_at is not None and self._clock() - who.crisis_at < self._crisis_pause

    def _sos_beside(self, who: Profile) -> list[Reply]:
        return [Reply(self._texts.get("sos_beside"), tone=Tone.INFO)] if self._quiet_after_crisis(who) else []

    @staticmethod
    def _unsafe_day(flow: Flow, outcome: engine.Outcome) -> bool:
        """The lowest safety score and no boundary held ("None today" or nothing picked)."""
        scale = next((step.scale for step in flow.steps if step.records == "safety" and step.scale), None)
        if scale is None or outcome.safety is None or outcome.safety > scale.min:
            return False
        alone = {option.value for step in flow.steps if step.records == "boundaries"
                 for option in step.options if option.exclusive}
        return not [boundary for boundary in outcome.boundaries if boundary not in alone]

    def _just_shown_crisis(self, who: Profile) -> bool:
        return who.crisis_at is not None and self._clock() - who.crisis_at < NOT_MEANT_WINDOW

    async def _open_session(self, identity: int) -> SessionRecord | None:
        """The person's open or held session, unless it has gone stale (then it is quietly set aside)."""
        record = await self._repo.open_session(identity)
        if record is None or record.flow_id not in self._flows:
            return None
        if self._clock() - record.updated_at > RESUME_WINDOW:
            await self._repo.cancel_open(identity)
            return None
        return record

    def _flow(self, record: SessionRecord) -> Flow:
        return self._flows[record.flow_id]

    def _step_of(self, record: SessionRecord) -> Step | None:
        flow = self._flows.get(record.flow_id)
        return flow.step(record.step_id) if flow and record.step_id else None

    @staticmethod
    def _require_step(flow: Flow, step_id: str) -> Step:
        step = flow.step(step_id)
        if step is None:
            raise LookupError(f"flow {flow.id} has no step {step_id}")
        return step

    async def _nothing_to_erase(self, who: Profile, flow: Flow, step_id: str) -> bool:
        """The "erase your past words?" question is asked only when there are past words to erase."""
        if flow.id != SETTINGS or step_id != CONFIRM_NUMBERS:
            return False
        if not who.store_notes:
            return True
        data = await self._repo.export(who.identity_id)
        return not any(row.get("own_words") for row in data["checkins"])

    @staticmethod
    def _records_note(flow: Flow, step_id: str) -> bool:
        step = flow.step(step_id)
        return step is not None and step.records == "note"

    def _ask_person(self, who: Profile, flow: Flow, step: Step, session_id: str) -> Reply:
        """`_ask`, with what depends on the person: the plan's services part lists their country's services."""
        reply = self._ask(flow, step, session_id)
        if flow.id == PLAN and self._plans is not None:
            return self._plans.asked(step.id, reply, self._country(who))
        return reply

    def _ask(self, flow: Flow, step: Step, session_id: str) -> Reply:
        question = engine.question_for(flow, step, session_id)
        return Reply(step.prompt, title=flow.title, tone=Tone.PROMPT, question=question, footer=step.help)

    async def paused(self, address: Address) -> bool | None:
        """Whether the person's scheduled check-ins are paused now (None: they have no schedule), for
        dashboards that offer Pause or Resume."""
        identity = await self._repo.find_identity(address)
        if self._schedules is None or identity is None:
            return None
        record = await self._schedules.get(identity)
        return None if record is None else record.paused(self._clock())

    async def home(self, address: Address) -> list[Reply]:
        """A dashboard (Slack's App Home): what /schedule and /history show, read-only, in one place. The
        history's chart is among the replies (as `Reply.image`) for adapters that can show it there. Showing it
        never creates the person: someone not (or no longer) known sees what a newcomer sees."""
        identity = await self._repo.find_identity(address)
        if identity is None:
            replies = self._scheduling.overview(None) if self._scheduling is not None else []
            return [*replies, *(await self._history_and_count(None))[0]]
        replies = await self._scheduling.schedule(identity, "") if self._scheduling is not None else []
        history = await self._history(await self._repo.profile(identity))
        return [*replies, *history]


__all__ = ["COMMANDS", "COMMUNITY_COMMANDS", "ChannelPoster", "CheckinService", "parse_close"]
