"""The screening gate: every word a person sends is read for danger before anything else happens with it.

A clear verdict gets the safety reply (and, about the writer's own safety, starts the pause); a `possible`
one about the writer asks directly first, keeping the words (encrypted) so "No, I'm OK" carries on with them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from bot.commands import COMMAND_ALIASES, COMMANDS
from bot.events import ChoicePicked, Command, Event, TextSubmitted
from bot.features.context import RESUME_WINDOW, Context
from bot.features.plan import OwnPlan
from bot.features.sessions import Sessions
from bot.messages import Reply, Tone, make_token, parse_token
from bot.response import Response, said, saying
from bot.safety.asking import ANSWERS, ASK_SESSION, NO, UNSURE, Held, ask_reply, typed_answer
from bot.safety.responder import Screens, crisis_replies, danger_replies, pauses, safety_replies
from bot.safety.screening import About, Level, Verdict
from bot.storage.repository import OPEN, Profile
from bot.text import fold

ASK_TYPED_WINDOW = timedelta(hours=1)  # a typed "1", "yes" or "no" answers the direct question for this long
SCREEN_INLINE_MAX = 2000

CarryOn = Callable[[Profile, Event], Awaitable[Response]]


class ScreeningGate:
    def __init__(self, context: Context, screener: Screens, sessions: Sessions, plan: OwnPlan) -> None:
        self._context = context
        self._screener = screener
        self._sessions = sessions
        self._plan = plan
        self._repo = context.repo

    async def verdict(self, text: str) -> Verdict:
        """Long text is screened off the event loop, so one huge message never stalls anyone else."""
        return self._screener.screen(text) if len(text) < SCREEN_INLINE_MAX \
            else await asyncio.to_thread(self._screener.screen, text)

    async def screen(self, who: Profile, event: Event, *, carry_on: bool = True) -> list[Reply] | None:
        """The reply to words that suggest danger (None when they do not). A `possible` verdict about the
        writer asks directly first; only a clear one about their own safety starts the pause."""
        typed = event.text if isinstance(event, TextSubmitted) else event.args if isinstance(event, Command) else ""
        if isinstance(event, Command) and fold(event.name) not in (*COMMANDS, *COMMAND_ALIASES):
            typed = f"{event.name} {typed}"  # "/kms" or "/boundary i want out" is words, not a command
        if not typed.strip():
            return None
        verdict = await self.verdict(typed)
        if not verdict.crisis:
            return None
        if verdict.learned_only and await self._plan.typed_into(who, event):
            return None  # a safety plan's parts name warning signs by design; only phrases and grammar read them
        if verdict.level is Level.POSSIBLE and verdict.about is not About.SOMEONE_ELSE:
            return [await self._ask_directly(who, event, verdict.about, carry_on=carry_on)]
        saved_to_plan = carry_on and await self._plan.answer_anyway(who, event)
        if pauses(verdict):
            # Only the fact and the time are kept; the words that led here are never stored or logged.
            await self._repo.record_crisis(who.identity_id)
        context = self._context
        replies = safety_replies(context.texts, context.content.resources, context.country(who), verdict,
                                 own=await self._plan.own_lines(who))
        if saved_to_plan:
            replies.append(Reply(self._plan.text("crisis_saved"), tone=Tone.INFO))
        return replies

    async def _ask_directly(self, who: Profile, event: Event, about: About, *, carry_on: bool) -> Reply:
        """Ask before pausing anything; keep the words (encrypted) so "No, I'm OK" can carry on with them.
        Text typed into a check-in step is tied to that step: it is applied there, or nowhere. Without
        `carry_on` nothing is kept: after "No" there is nothing to go on with."""
        texts = self._context.texts
        if not carry_on:
            question_id = await self._repo.keep_asked(who.identity_id, Held(about, event.address.channel_id).to_json())
            return ask_reply(texts, question_id, about)
        step_token = ""
        if isinstance(event, TextSubmitted) and not event.token:
            current = await self._sessions.open_session(who.identity_id)
            step = self._sessions.step_of(current) if current is not None and current.status == OPEN else None
            if current is not None and step is not None:
                step_token = make_token(current.id, step.id)
        question_id = await self._repo.keep_asked(who.identity_id, Held.of(event, about, step_token).to_json())
        return ask_reply(texts, question_id, about)

    async def answered(self, who: Profile, event: Event, carry_on: CarryOn) -> Response | None:
        """A click on the direct question, or its answer typed; None for every other event."""
        context = self._context
        texts = context.texts
        if isinstance(event, ChoicePicked):
            parsed = parse_token(event.token)
            if parsed is None or parsed.session_id != ASK_SESSION:
                return None
            answer: str | None = (event.values or (parsed.value,))[0]
            question_id: str | None = parsed.step_id
        elif isinstance(event, TextSubmitted) and not event.token:
            answer = typed_answer(texts, event.text)
            waiting = await self.waiting(who) if answer is not None else None
            if waiting is None:
                return None
            question_id = waiting[0]
        else:
            return None
        kept = await self._repo.take_asked(who.identity_id, question_id, context.clock() - RESUME_WINDOW) \
            if answer in ANSWERS and question_id else None
        if kept is None:
            return said(Reply(texts.get("ask_stale"), tone=Tone.NOTICE, stale=True))
        held = Held.from_json(kept)
        if answer != NO:
            await self._repo.record_crisis(who.identity_id)
            country = context.country(who)
            own = await self._plan.own_lines(who)
            if held.about is About.HARM_FROM_OTHERS:
                replies = danger_replies(texts, context.content.resources, country, lead_key="danger_lead_asked",
                                         own=own)
            else:
                lead = "ask_unsure_lead" if answer == UNSURE else "ask_yes_lead"
                replies = crisis_replies(texts, context.content.resources, country, Verdict(), lead_key=lead, own=own)
            return saying(replies)
        # "No, I'm OK": carry on where they were, with what they sent, as if the question had never come up.
        if not held.carries:
            return said(Reply(texts.get("ask_no_reply"), tone=Tone.INFO))
        response = await carry_on(who, held.event(event.address))
        carried = tuple(reply for reply in response.replies if not reply.stale)
        return replace(response, replies=(Reply(texts.get("ask_no_reply"), tone=Tone.INFO), *carried))

    async def waiting(self, who: Profile) -> tuple[str, Held] | None:
        """The direct question that typed words answer: asked within the hour, and still the last question (no
        check-in was started or answered since, so a typed "2" then belongs to the check-in, not to it)."""
        latest = await self._repo.latest_asked(who.identity_id, self._context.clock() - ASK_TYPED_WINDOW)
        if latest is None:
            return None
        question_id, kept, asked_at = latest
        current = await self._sessions.open_session(who.identity_id)
        if current is not None and current.updated_at > asked_at:
            return None
        return question_id, Held.from_json(kept)

    def ask_again(self, question_id: str, held: Held) -> Reply:
        return ask_reply(self._context.texts, question_id, held.about, again=True)
