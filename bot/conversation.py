"""The conversation: every event any adapter receives goes through `Conversation.handle(event, actor)`.

In order: a pulse click from someone unknown is answered without creating them; the direct question's
answers; the screening gate; then the routing table, by command name or by the namespace of a control's
token, to the feature that owns it. The notices (intro, unreachable DMs) and /forget's reach past the
person's own rows are added here, and one error boundary keeps a fault from reaching the person.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.bounded import BoundedDict
from bot.commands import COMMAND_ALIASES, COMMAND_ARGS_MAX, COMMANDS, COMMUNITY_COMMANDS, SCHEDULING_COMMANDS
from bot.community.circles import Circles
from bot.community.common import ChannelPost
from bot.community.pulses import NOTE_STEP, PULSE_SESSION, FormResult, PulseForm, Pulses
from bot.content.loader import Content, Texts
from bot.content.tips import TipPicker
from bot.events import ChoicePicked, Command, Event, FormOpened, FormSubmitted, Incoming, TextSubmitted
from bot.features.base import Feature
from bot.features.checkins import CheckIns
from bot.features.community import (
    ChannelPoster,
    Community,
    NoCommunity,
    is_pulse_command,
    is_pulse_event,
    no_zone,
)
from bot.features.context import Context
from bot.features.history import History
from bot.features.plan import NoPlan, OwnPlan, SafetyPlan
from bot.features.privacy import Privacy, Traces
from bot.features.sessions import Sessions
from bot.features.support import Support
from bot.features.tips import Tips
from bot.gate import ScreeningGate
from bot.logsafe import describe_exception
from bot.messages import Address, Form, ParsedToken, Reply, Tone, make_token, parse_text_value, parse_token
from bot.ops.metrics import Metrics
from bot.response import NOBODY, Actor, OpenForm, Response, TextBox, opens_text_box, said
from bot.safety.plan import PLAN, SafetyPlans
from bot.safety.responder import Screens
from bot.safety.screening import Screener
from bot.scheduling.dispatcher import Prompt
from bot.scheduling.feature import NoScheduling, Scheduling, zones
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import DeliveryJob, ScheduleStore
from bot.storage.repository import Profile, Repository
from bot.text import clean_text, fold

log = logging.getLogger(__name__)

SHARE_FORM = "share"
DM_CHANNELS_KEPT = 50_000  # people whose DM channel is known (per process; adapters keep as many)


class Conversation:
    """Built by `build_conversation`; `features` are routed to by the commands and namespaces they declare."""

    def __init__(self, context: Context, screener: Screens, sessions: Sessions, checkins: CheckIns,
                 features: Sequence[Feature], *, plan: OwnPlan, traces: Traces, community: Community | NoCommunity,
                 scheduling: Scheduling | NoScheduling, history: History) -> None:
        self._context = context
        self._repo = context.repo
        self._sessions = sessions
        self._checkins = checkins
        self._gate = ScreeningGate(context, screener, sessions, plan)
        self._plan = plan
        self.traces = traces
        self.community = community
        self.scheduling = scheduling
        self._history = history
        self._dm_channels: BoundedDict[tuple[str, str, str], str] = BoundedDict(DM_CHANNELS_KEPT)
        self._commands: dict[str, Feature] = {}
        self._namespaces: dict[str, Feature] = {}
        for feature in (checkins, *features, scheduling, community):
            for table, keys in ((self._commands, feature.commands), (self._namespaces, feature.namespaces)):
                taken = [key for key in keys if key in table]
                if taken:
                    raise ValueError(f"{type(feature).__name__} claims what another feature owns: {taken}")
                table.update(dict.fromkeys(keys, feature))

    @property
    def texts(self) -> Texts:
        return self._context.texts

    # ------------------------------------------------------------ the one entry point

    async def handle(self, event: Incoming, actor: Actor = NOBODY) -> Response:
        """The response to one event, inside the error boundary: a fault is logged (type and place only: the
        message may quote what the person wrote) and the person gets an apology."""
        try:
            if isinstance(event, FormOpened):
                return await self._open_form(event)
            if isinstance(event, FormSubmitted):
                command = await self._form_command(event)
                if command is None:
                    return said(Reply(self.texts.get("form_gone"), tone=Tone.NOTICE))
                event = command
            response = await self._respond(event, actor)
            if self._context.metrics is not None:
                self._context.metrics.outcome(self._is_sos(event), response.replies)
            return response
        except Exception as exc:
            log.error("event %s on %s failed: %s", type(event).__name__, event.address.platform,
                      describe_exception(exc))
            return said(Reply(self.texts.get("error"), tone=Tone.NOTICE))

    async def _respond(self, event: Event, actor: Actor) -> Response:
        if isinstance(event, ChoicePicked) and opens_text_box(event.token):
            return await self._text_box(event)
        if isinstance(event, ChoicePicked | TextSubmitted) and await self._traceless(event):
            anonymous = await self.community.anonymous(event, actor)
            if anonymous is not None:
                return anonymous
        who = await self._repo.profile(await self._repo.identity_id(event.address))
        answered = await self._gate.answered(who, event, lambda person, held: self._carry_on(person, held, NOBODY))
        if answered is not None:
            return answered
        safety = await self._gate.screen(who, event)
        if safety is not None:
            return Response(replies=tuple(safety))
        if isinstance(event, TextSubmitted) and not event.token:
            waiting = await self._gate.waiting(who)
            if waiting is not None:  # words that answer neither way: the question is asked again, gently
                return said(self._gate.ask_again(*waiting))
        return await self._carry_on(who, event, actor)

    async def screen_only(self, event: Event) -> list[Reply]:
        """What the screen has to say about an event's words, and nothing else ([] when nothing): for words an
        adapter does not otherwise pass on (a community command where there is no community, an edited DM)."""
        who = await self._repo.profile(await self._repo.identity_id(event.address))
        replies = await self._gate.screen(who, event, carry_on=False) or []
        if self._context.metrics is not None:
            self._context.metrics.outcome(False, replies)
        return replies

    async def _traceless(self, event: ChoicePicked | TextSubmitted) -> bool:
        """A pulse click, or a pulse comment the screen finds nothing in, from someone the bot does not know:
        answered without creating an identity, so a copy of the database never shows who joined a round.
        Words that need a safety reply take the usual path, identity and all: help comes first."""
        if not is_pulse_event(event) or await self._repo.find_identity(event.address) is not None:
            return False
        return not (await self._gate.verdict(event.text)).crisis if isinstance(event, TextSubmitted) else True

    async def _carry_on(self, who: Profile, event: Event, actor: Actor) -> Response:
        """Everything an event does once its words have been screened."""
        response = await self._route(who, event, actor)
        replies = list(response.replies)
        texts = self.texts
        if who.unreachable_at is not None and not isinstance(event, ChoicePicked):
            await self._repo.clear_unreachable(who.identity_id)
            replies = [Reply(texts.get("unreachable_notice"), tone=Tone.NOTICE), *replies]
        if response.erased is not None:  # /forget reaches past the person's own rows
            removals = await self.community.forget(event.address)
            if await self.traces.remove(event.address, response.erased):
                replies.append(Reply(texts.get("forgotten_messages"), tone=Tone.INFO))
            return Response(replies=tuple(replies), removals=removals)
        if who.introduced_at is None and not is_pulse_event(event) and not is_pulse_command(event) \
                and await self._repo.mark_introduced(who.identity_id):
            replies = [Reply(texts.get("intro"), tone=Tone.INFO), *replies]
        return response.with_replies(replies)

    # ------------------------------------------------------------ the routing table

    async def _route(self, who: Profile, event: Event, actor: Actor) -> Response:
        if isinstance(event, Command):
            return await self._command(who, event, actor)
        token = parse_token(event.token) if event.token else None
        feature = self._namespaces.get(token.session_id) if token is not None else None
        if isinstance(event, ChoicePicked):
            response = await feature.picked(who, event, token, actor) if feature is not None else None
            return response or await self._checkins.picked(who, event, token, actor)
        response = await feature.typed(who, event, actor) if feature is not None else None
        return response or await self._checkins.typed(who, event, actor)

    async def _command(self, who: Profile, event: Command, actor: Actor) -> Response:
        raw_name = fold(event.name)
        name = COMMAND_ALIASES.get(raw_name, raw_name.replace(" ", ""))
        args = clean_text(event.args)[:COMMAND_ARGS_MAX]
        feature = self._commands.get(name)
        if feature is not None:
            return await feature.command(who, event, name, args, actor)
        texts = self.texts
        absent = self._absent(name)
        if absent is not None:
            return said(absent)
        shown = clean_text(event.name).split(" ")[0][:30]
        if not shown:
            return said(Reply(texts.get("empty_command"), tone=Tone.NOTICE))
        closest = difflib.get_close_matches(name, [*COMMANDS, *COMMAND_ALIASES], n=1, cutoff=0.7)
        if closest:  # "/chekin": offer the command they most likely meant
            meant = COMMAND_ALIASES.get(closest[0], closest[0])
            return said(Reply(texts.get("unknown_command_close", command=shown, meant=meant), tone=Tone.NOTICE))
        return said(Reply(texts.get("unknown_command", command=shown), tone=Tone.NOTICE))

    def _absent(self, name: str) -> Reply | None:
        """What a command of a feature this process does not run answers (instead of "unknown command")."""
        texts = self.texts
        if name in COMMUNITY_COMMANDS:
            return Reply(texts.get("community_elsewhere"), tone=Tone.INFO)
        if name in SCHEDULING_COMMANDS:
            return Reply(texts.get("no_schedule"), tone=Tone.INFO)
        if name == PLAN:
            return Reply(texts.get("unknown_command", command=PLAN), tone=Tone.NOTICE)
        return None

    @staticmethod
    def _is_sos(event: Event) -> bool:
        if not isinstance(event, Command):
            return False
        name = fold(event.name)
        return COMMAND_ALIASES.get(name, name) == "sos"

    # ------------------------------------------------------------ what adapters ask besides events

    async def form(self, address: Address, name: str) -> Form | None:
        """Form `name` filled in with the person's current settings: what an adapter opens when its button is
        clicked, also long after the message was sent (and after restarts)."""
        return await self.scheduling.form(address) if name == "schedule" else self.community.form(name)

    async def _text_box(self, event: ChoicePicked) -> Response:
        """"Write it": the box for the step's answer, with its length limit, what it opens with (a part of the
        safety plan holds what the part holds now) and the examples it offers to pick."""
        parsed = parse_token(event.token)
        limit = parse_text_value(parsed.value) if parsed is not None else None
        if parsed is None or limit is None:
            return said(self._context.stale())
        step = ParsedToken(parsed.session_id, parsed.step_id, "")
        who = await self._repo.profile(await self._repo.identity_id(event.address))
        return Response(opens=TextBox(make_token(parsed.session_id, parsed.step_id), limit,
                                      await self._plan.prefill(who, step), await self._plan.examples(who, step)))

    async def _open_form(self, event: FormOpened) -> Response:
        """Form `name` filled in with the person's current settings, also long after the message with its button
        was sent (and after restarts)."""
        form = await self.form(event.address, event.name)
        if form is None:
            return said(Reply(self.texts.get("form_gone"), tone=Tone.NOTICE))
        return Response(opens=OpenForm(form, raw=form.name == SHARE_FORM))

    async def _form_command(self, event: FormSubmitted) -> Command | None:
        """A submitted form runs the command it stands for, with the fields written out as its arguments; a
        share keeps its words as written (lines and all). The form is fetched afresh, so a form opened before a
        restart still works."""
        form = await self.form(event.address, event.name)
        if form is None:
            return None
        values = dict(event.values)
        args = values.get("text", "") if form.name == SHARE_FORM else form.command_args(values)
        return Command(event.address, form.command, args)

    async def pulse_form(self, address: Address, round_id: str) -> PulseForm | list[Reply]:
        return await self.community.pulse_form(address, round_id)

    async def submit_pulse_form(self, address: Address, round_id: str, scores: Sequence[int | None],
                                comment: str = "") -> FormResult:
        """A sent pulse form: the answers through the anonymous path (no identity), then the optional comment
        the way a typed pulse comment goes (screened first: words that need a safety reply get it, and only
        then does that person become known, as with any comment)."""
        result = await self.community.submit_pulse_form(address, round_id, scores)
        if not result.saved or not clean_text(comment):
            return result
        note = TextSubmitted(address, comment, token=make_token(PULSE_SESSION, f"{NOTE_STEP}{round_id}"))
        response = await self.handle(note)
        return replace(result, replies=(*result.replies, *response.replies))

    async def post_and_remove(self, response: Response, poster: ChannelPoster) -> None:
        """Post a response's channel posts (reporting message ids back) and carry out its removals. One post that
        fails is logged (type and place only) and does not stop the others."""
        await self.publish(response.posts, poster)
        for removal in response.removals:
            try:
                await poster.delete_message(removal)
            except Exception as exc:
                log.error("community removal on %s failed: %s", removal.platform, describe_exception(exc))

    async def publish(self, posts: Sequence[ChannelPost], poster: ChannelPoster) -> list[ChannelPost]:
        return await self.community.publish(posts, poster)

    async def community_posts(self, platforms: Collection[str] | None = None) -> list[ChannelPost]:
        return await self.community.due_posts(platforms)

    async def remember_dm_channel(self, address: Address, channel_id: str) -> None:
        """The person's DM with the bot, for scheduled prompts; written when it is new or has changed."""
        key = (address.platform, address.workspace_id, address.user_id)
        if self._dm_channels.get(key) != channel_id:
            await self._repo.remember_dm_channel(address, channel_id)
            self._dm_channels[key] = channel_id

    async def has_open_checkin(self, address: Address) -> bool:
        identity = await self._repo.find_identity(address)
        return identity is not None and await self._sessions.open_session(identity) is not None

    async def paused(self, address: Address) -> bool | None:
        """Whether the person's scheduled check-ins are paused now (None: they have no schedule), for
        dashboards that offer Pause or Resume."""
        return await self.scheduling.paused(address)

    async def home(self, address: Address) -> list[Reply]:
        """A dashboard (an app's home tab): what /schedule and /history show, read-only, in one place. Showing it
        never creates the person: someone not (or no longer) known sees what a newcomer sees."""
        identity = await self._repo.find_identity(address)
        schedule = await self.scheduling.overview(identity)
        history = (await self._history.summary(await self._repo.profile(identity) if identity is not None
                                                else None))[0]
        return [*schedule, *history]

    async def prompt_for(self, job: DeliveryJob) -> Prompt | str:
        """What a scheduled delivery says (bot.scheduling.dispatcher.PromptSource)."""
        return await self.scheduling.prompt_for(job)


def build_conversation(content: Content, repository: Repository, *, tip_history_size: int = 20,
                       picker: TipPicker | None = None, clock: Callable[[], datetime] | None = None,
                       screener: Screens | None = None, default_country: str = "",
                       crisis_pause: timedelta = timedelta(hours=72), retention_days: int = 365,
                       schedules: ScheduleStore | None = None, default_zone: str = "",
                       circles: Circles | None = None, pulses: Pulses | None = None,
                       snoozes: PendingSnoozes | None = None, metrics: Metrics | None = None) -> Conversation:
    """The conversation with the features this process has: scheduling with a schedule store, community with
    circles and pulses, the safety plan when content/safety/plan.yaml is there."""
    context = Context(content, repository, clock or (lambda: datetime.now(UTC)), default_country.upper(),
                      crisis_pause, retention_days, metrics)
    sessions = Sessions(context, dict(content.flows))
    tips = Tips(context, picker or TipPicker(content.tips), tip_history_size)
    plan: OwnPlan = SafetyPlan(context, sessions, SafetyPlans(content.safety_plan, repository, content.resources,
                                                               retention_days)) \
        if content.safety_plan is not None else NoPlan()
    history = History(context, zones(schedules)) if schedules is not None else History(context)
    checkins = CheckIns(context, sessions, tips, plan)
    privacy = Privacy(context, sessions, plan)
    privacy.on_forget(history.forget)
    traces = Traces(context)
    features: list[Feature] = [tips, history, privacy, Support(context, plan)]
    if isinstance(plan, SafetyPlan):
        features.append(plan)
    scheduling: Scheduling | NoScheduling = NoScheduling()
    if schedules is not None:
        scheduling = Scheduling(context, sessions, schedules, history, default_zone=default_zone, snoozes=snoozes)
        checkins.after_checkin(scheduling.reset_unanswered)
    community: Community | NoCommunity = NoCommunity(context)
    if circles is not None and pulses is not None:
        community = Community(context, circles, pulses,
                              scheduling.zone_name if isinstance(scheduling, Scheduling) else no_zone)
    return Conversation(context, screener or Screener(content.phrases, content.screening_head), sessions,
                        checkins, features, plan=plan, traces=traces, community=community, scheduling=scheduling,
                        history=history)
