"""Anonymous team pulses: rounds with a respondent threshold fixed at open, answers nobody can attribute.

What is published, and why subtracting results reveals nothing hidden:
- A round's results are posted once, after it closes, and only when at least its threshold (fixed when
  it opened, never below 3) answered. Below it, the channel gets one fixed sentence and nothing else: no
  count, no partial numbers, no comments.
- Every published number is a function of exactly one round's complete set of answers. Each answer
  belongs to one round; a round publishes once; answers cannot change after close; there are no interim
  counts, no per-subgroup or filtered results, and one round at a time per channel. So any two published
  results are computed from disjoint answer sets of threshold size or more, and no difference of published
  results isolates an answer or any part of a hidden round (tests/community/test_pulse_properties.py
  checks this as non-interference: changing a hidden round's answers changes nothing published).
- "Change since the last round" is shown only when the previous round was published too: it is the
  difference of two published numbers, so it adds nothing.
- Comments are shown only when 10 or more answered, shuffled, made inert, with no time or order.
Limits that remain by nature: results are published for the whole group, so if everyone gave the same
answer, everyone's answer is known; and a person who knows how all but one colleague answered can infer
the last one. Thresholds make both unlikely; nothing can rule them out.

Answers are given in one private form (`Pulses.form` / `Pulses.submit_form`): a modal, or an ephemeral
message that is never kept. Until it is sent, a half-filled form lives only in that form (an ephemeral one:
one digit per statement in the controls' tokens, "<round>.<digits>"), so nothing links a half-answered pulse
to anyone in the database; the row is written when the form is sent, and nothing that stays in a DM or a
channel shows any answer. The step-by-step path (`on_pick`, one statement a message) is kept for a terminal.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.community.anonymity import Pseudonyms, inert, new_public_id
from bot.community.common import ChannelPost, Clock, CrisisGate, PostKind, known_zone, when
from bot.community.store import CLOSED, OPEN, SCHEDULED, CommunityStore, RoundRecord
from bot.content.loader import Content, Texts
from bot.content.schema import PulseComment, PulseSet
from bot.messages import SKIP, Address, Choice, InputKind, ParsedToken, Question, Reply, Tone
from bot.response import Response
from bot.safety.responder import Screens
from bot.storage.repository import Repository
from bot.text import clean_text

PULSE_SESSION = "pulse"
JOIN_STEP = "join"
ITEM_STEP = "i"
NOTE_STEP = "note-"
DEFAULT_ITEM_SET = "team-safety"
MIN_THRESHOLD = 3
DEFAULT_THRESHOLD = 5
COMMENTS_MIN_RESPONDENTS = 10
DISTRIBUTION_MIN_RESPONDENTS = 10
MIN_CELL = 3
ROUND_ID_LENGTH = 12


# ---------------------------------------------------------------- pure: aggregate and render


@dataclass(frozen=True)
class Cell:
    """How many answered within a span of scored points (low..high, both included)."""
    low: int
    high: int
    count: int


@dataclass(frozen=True)
class ItemSummary:
    id: str
    mean: float  # reverse items turned: higher is always safer
    favourable: int | None  # per cent of answers on the safe side of the middle; None in aggregates kept before it
    cells: tuple[Cell, ...]  # scored points, least safe first; empty when the round is too small to show them


@dataclass(frozen=True)
class RoundSummary:
    respondents: int
    index: int  # 0-100
    items: tuple[ItemSummary, ...]

    def to_json(self) -> dict[str, Any]:
        """Only what is published: a kept aggregate holds nothing the channel was not shown."""
        return {"respondents": self.respondents, "index": self.index,
                "items": [{"id": item.id, "mean": item.mean, "favourable": item.favourable,
                           "cells": [[cell.low, cell.high, cell.count] for cell in item.cells]}
                          for item in self.items]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RoundSummary:
        return cls(int(data["respondents"]), int(data["index"]),
                   tuple(ItemSummary(str(item["id"]), float(item["mean"]), _optional_int(item.get("favourable")),
                                     tuple(Cell(int(low), int(high), int(count))
                                           for low, high, count in item.get("cells", [])))
                         for item in data["items"]))

    def item(self, item_id: str) -> ItemSummary | None:
        return next((item for item in self.items if item.id == item_id), None)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def valid_answers(pulse_set: PulseSet, digits: str) -> bool:
    low, high = pulse_set.scale.min, pulse_set.scale.max
    return len(digits) == len(pulse_set.items) and all(ch.isdigit() and low <= int(ch) <= high for ch in digits)


def merge_small_cells(counts: Sequence[int], low: int, minimum: int = MIN_CELL) -> tuple[Cell, ...]:
    """Per-point counts with every cell below `minimum` merged into its smaller neighbour (the lower one on a
    tie), smallest first, until none is left below it or one cell remains: no cell says "one or two people"."""
    cells = [Cell(low + offset, low + offset, count) for offset, count in enumerate(counts)]
    while len(cells) > 1:
        small = [position for position, cell in enumerate(cells) if cell.count < minimum]
        if not small:
            break
        position = min(small, key=lambda at: (cells[at].count, at))
        neighbours = [at for at in (position - 1, position + 1) if 0 <= at < len(cells)]
        other = min(neighbours, key=lambda at: (cells[at].count, at))
        first, second = sorted((position, other))
        merged = Cell(cells[first].low, cells[second].high, cells[first].count + cells[second].count)
        cells[first:second + 1] = [merged]
    return tuple(cells)


def summarise(pulse_set: PulseSet, answers: Sequence[str]) -> RoundSummary:
    low, high = pulse_set.scale.min, pulse_set.scale.max
    middle = (low + high) / 2
    rows = [row for row in answers if valid_answers(pulse_set, row)]
    show_cells = len(rows) >= DISTRIBUTION_MIN_RESPONDENTS
    items: list[ItemSummary] = []
    normalised: list[float] = []
    for position, item in enumerate(pulse_set.items):
        scored = [low + high - int(row[position]) if item.reverse else int(row[position]) for row in rows]
        mean = sum(scored) / len(scored) if scored else 0.0
        favourable = round(100 * sum(value > middle for value in scored) / len(scored)) if scored else 0
        normalised.extend((value - low) / (high - low) for value in scored)
        cells = merge_small_cells([scored.count(point) for point in range(low, high + 1)], low) if show_cells else ()
        items.append(ItemSummary(item.id, round(mean, 2), favourable, cells))
    index = round(100 * sum(normalised) / len(normalised)) if normalised else 0
    return RoundSummary(len(rows), index, tuple(items))


def too_few_reply(texts: Texts) -> Reply:
    """The whole message for a round below its threshold: the same words whatever happened in it."""
    return Reply(texts.get("pulse_too_few"), title=texts.get("pulse_closed_title"), tone=Tone.INFO, private=False)


def _change(texts: Texts, now: int, before: int, prefix: str) -> str:
    delta = now - before
    return texts.get(f"{prefix}_up", delta=delta) if delta > 0 else \
        texts.get(f"{prefix}_down", delta=-delta) if delta < 0 else texts.get(f"{prefix}_same")


def _cells_text(cells: Sequence[Cell]) -> str:
    return " · ".join(f"{cell.low}: {cell.count}" if cell.low == cell.high else f"{cell.low}–{cell.high}: {cell.count}"
                      for cell in cells)


def results_reply(texts: Texts, pulse_set: PulseSet, summary: RoundSummary, previous: RoundSummary | None,
                  comments: Sequence[str], rng: random.Random) -> Reply:
    """Per statement the mean and the favourable share; the spread of answers only from ten respondents on,
    with small cells merged. Comparisons use published numbers of the last published round only."""
    low, high = pulse_set.scale.min, pulse_set.scale.max
    change = _change(texts, summary.index, previous.index, "pulse_change") if previous is not None else ""
    lines = [texts.get("pulse_results_lead", count=summary.respondents, index=summary.index, change=change)]
    for item, result in zip(pulse_set.items, summary.items, strict=True):
        before = previous.item(item.id) if previous is not None else None
        item_change = _change(texts, result.favourable, before.favourable, "pulse_item_change") \
            if before is not None and before.favourable is not None and result.favourable is not None else ""
        spread = texts.get("pulse_result_spread", low=low, high=high, cells=_cells_text(result.cells)) \
            if result.cells else ""
        lines.append(texts.get("pulse_result_item", text=item.text,
                               reversed=texts.get("pulse_reversed") if item.reverse else "",
                               mean=f"{result.mean:.1f}", low=low, high=high, favourable=result.favourable,
                               change=item_change, spread=spread))
    if summary.respondents < DISTRIBUTION_MIN_RESPONDENTS:
        lines.append(texts.get("pulse_spread_hidden", minimum=DISTRIBUTION_MIN_RESPONDENTS))
    if summary.respondents < COMMENTS_MIN_RESPONDENTS:
        lines.append(texts.get("pulse_comments_hidden", minimum=COMMENTS_MIN_RESPONDENTS))
    elif comments:
        shuffled = list(comments)
        rng.shuffle(shuffled)
        lines.append(texts.get("pulse_comments_title"))
        lines.extend(f"• {inert(comment)}" for comment in shuffled)
    return Reply("\n".join(lines), title=texts.get("pulse_results_title", title=pulse_set.title), tone=Tone.INFO,
                 private=False, footer=texts.get("pulse_results_footer", low=low, high=high))


def decide_close(texts: Texts, pulse_set: PulseSet, threshold: int, answers: Sequence[str],
                 comments: Sequence[str], previous: RoundSummary | None,
                 rng: random.Random) -> tuple[Reply, dict[str, Any] | None]:
    """What a closing round publishes, and the aggregate to keep (None: nothing is kept or shown)."""
    summary = summarise(pulse_set, answers)
    if summary.respondents < max(threshold, MIN_THRESHOLD):
        return too_few_reply(texts), None
    return results_reply(texts, pulse_set, summary, previous, comments, rng), summary.to_json()


# ---------------------------------------------------------------- the private form


@dataclass(frozen=True)
class PulseForm:
    """Everything one private answer form shows: every statement with the scale, and the optional comment.
    It holds no answer: opened again, it starts empty."""

    round_id: str
    channel_id: str  # the round's channel: the form is answered from there only
    title: str
    intro: str
    notes: tuple[str, ...]  # "you answered already", /sos beside it after a crisis reply
    items: tuple[str, ...]  # the statements, in order
    scale: tuple[Choice, ...]  # value: the point as a digit; label: "4 · Agree"
    comment: PulseComment | None  # None: this round takes no comment


@dataclass(frozen=True)
class FormResult:
    """What sending a form did: `missing` (statement numbers, from 1) when not every statement has an answer
    (nothing was recorded); otherwise `replies` for the person, and `saved` when the answers are in."""

    missing: tuple[int, ...] = ()
    replies: tuple[Reply, ...] = ()
    saved: bool = False


# ---------------------------------------------------------------- the service


class _PulseBase:
    """What every part of a pulse reads: content, the stores, the anonymous tags; and the shared helpers."""

    def __init__(self, content: Content, store: CommunityStore, repository: Repository, pseudonyms: Pseudonyms,
                 *, clock: Clock | None = None, screener: Screens | None = None, default_country: str = "",
                 pulse_min_respondents: int = DEFAULT_THRESHOLD, crisis_pause: timedelta = timedelta(hours=72),
                 rng: random.Random | None = None) -> None:
        if pulse_min_respondents < MIN_THRESHOLD:
            raise ValueError(f"PULSE_MIN_RESPONDENTS must be at least {MIN_THRESHOLD}")
        self._texts = content.texts
        self._sets = content.pulse_sets
        self._store = store
        self._repo = repository
        self._pseudonyms = pseudonyms
        self._clock = clock or (lambda: datetime.now(UTC))
        self._gate = CrisisGate(content, repository, screener, default_country)
        self._default_threshold = pulse_min_respondents
        self._crisis_pause = crisis_pause
        self._rng = rng or random.SystemRandom()

    # ------------------------------------------------------------ helpers

    async def _open(self, round_id: str, address: Address) -> tuple[RoundRecord | None, PulseSet | None]:
        """The round, if it is open now and belongs to the workspace the person acts in."""
        record = await self._store.round(round_id) if round_id else None
        if record is None or record.status != OPEN \
                or (record.platform, record.workspace_id) != (address.platform, address.workspace_id):
            return None, None
        now = self._clock()
        if not record.opens_at <= now < record.closes_at:
            return None, None
        return record, self._sets.get(record.item_set)

    def _participation(self, round_id: str, address: Address) -> str:
        return self._pseudonyms.person("pulse-joined", round_id, address)

    def _slot(self, round_id: str, address: Address) -> str:
        return self._pseudonyms.person("pulse-answer", round_id, address)

    def _item(self, record: RoundRecord, pulse_set: PulseSet, digits: str) -> Reply:
        position = len(digits)
        item = pulse_set.items[position]
        scale = pulse_set.scale
        choices = tuple(Choice(f"{record.id}.{digits}{point}", str(point), scale.labels.get(point, ""))
                        for point in range(scale.min, scale.max + 1))
        question = Question(PULSE_SESSION, f"{ITEM_STEP}{position + 1}", InputKind.SCALE, choices=choices,
                            skippable=False)
        return Reply(item.text, title=self._texts.get("pulse_item_title", number=position + 1,
                                                      total=len(pulse_set.items)),
                     tone=Tone.PROMPT, question=question)

    def _announcement(self, record: RoundRecord, pulse_set: PulseSet) -> ChannelPost:
        join = Question(PULSE_SESSION, JOIN_STEP, InputKind.SINGLE, skippable=False,
                        choices=(Choice(record.id, self._texts.get("pulse_join_label")),))
        reply = Reply(self._texts.get("pulse_open_text", intro=self._about(record, pulse_set),
                                      closes=when(record.closes_at, record.zone)),
                      title=self._texts.get("pulse_open_title", title=pulse_set.title), tone=Tone.PROMPT,
                      private=False, question=join)
        return self._channel_post(record, reply, PostKind.PULSE_OPEN)

    def _reminder(self, record: RoundRecord) -> ChannelPost:
        """The halfway reminder, linked to the invitation when its message id is known (a busy channel buries it)."""
        text = self._texts.get("pulse_reminder_linked" if record.invitation_id else "pulse_reminder")
        post = self._channel_post(record, Reply(text, tone=Tone.INFO, private=False), PostKind.PULSE_REMINDER)
        return replace(post, link_to=record.invitation_id or "")

    async def invitation_posted(self, round_id: str, message_id: str) -> None:
        await self._store.invitation_posted(round_id, message_id)

    def _about(self, record: RoundRecord, pulse_set: PulseSet) -> str:
        """A pulse's own introduction: what it is, that it is anonymous, and its threshold (never the personal
        check-in greeting: a pulse is work business, and /forget has nothing of it to erase)."""
        return "\n".join((pulse_set.intro, self._texts.get("pulse_about", minimum=record.min_respondents,
                                                            distribution=DISTRIBUTION_MIN_RESPONDENTS)))

    @staticmethod
    def _channel_post(record: RoundRecord, reply: Reply, kind: PostKind) -> ChannelPost:
        return ChannelPost(record.platform, record.workspace_id, record.channel_id, reply, kind, ref=record.id)

    @staticmethod
    def _private(text: str) -> Response:
        return Response(replies=(Reply(text),))


class PulseMembers(_PulseBase):
    """A member's side: joining, the private form, answers and comments, and leaving no trace."""

    # ------------------------------------------------------------ members

    async def join(self, address: Address, round_id: str) -> list[Reply]:
        """A member pressed Join: the statements, privately. Nobody is ever enrolled by someone else. Joining is
        the person's own choice, so it is answered during the pause after a crisis reply too, with /sos beside it."""
        record, pulse_set = await self._open(round_id, address)
        if record is None or pulse_set is None:
            return [Reply(self._texts.get("pulse_not_open"))]
        known = await self._repo.find_identity(address)  # never created here: joining leaves no identity
        who = await self._repo.profile(known) if known is not None else None
        replies = [Reply(self._about(record, pulse_set), title=pulse_set.title, tone=Tone.INFO)]
        if who is not None and who.crisis_at is not None and self._clock() - who.crisis_at < self._crisis_pause:
            replies.append(Reply(self._texts.get("sos_beside"), tone=Tone.INFO))
        if await self._store.has_answered(round_id, self._participation(round_id, address)):
            replies.append(Reply(self._texts.get("pulse_already")))
        replies.append(self._item(record, pulse_set, ""))
        return replies

    async def form(self, address: Address, round_id: str) -> PulseForm | Reply:
        """The private form for a member who pressed Join in the round's channel (a Reply when it cannot be
        answered from there). Looks the person up without creating anyone: joining leaves no identity."""
        record, pulse_set = await self._open(round_id, address)
        if record is None or pulse_set is None:
            return Reply(self._texts.get("pulse_not_open"))
        if address.channel_id != record.channel_id:
            return Reply(self._texts.get("pulse_wrong_place"))
        notes: list[str] = []
        if await self._store.has_answered(round_id, self._participation(round_id, address)):
            notes.append(self._texts.get("pulse_form_again"))
        known = await self._repo.find_identity(address)
        who = await self._repo.profile(known) if known is not None else None
        if who is not None and who.crisis_at is not None and self._clock() - who.crisis_at < self._crisis_pause:
            notes.append(self._texts.get("sos_beside"))
        scale = pulse_set.scale
        points = tuple(Choice(str(point), f"{point} · {scale.labels[point]}" if scale.labels.get(point) else str(point))
                       for point in range(scale.min, scale.max + 1))
        return PulseForm(record.id, record.channel_id, pulse_set.title, self._about(record, pulse_set), tuple(notes),
                         tuple(item.text for item in pulse_set.items), points, pulse_set.comment)

    async def submit_form(self, address: Address, round_id: str, scores: Sequence[int | None]) -> FormResult:
        """A sent form: every statement answered (else the missing numbers, and nothing is recorded), written
        through the anonymous path (participation tag + answer slot; a second form replaces the first)."""
        record, pulse_set = await self._open(round_id, address)
        if record is None or pulse_set is None:
            return FormResult(replies=(Reply(self._texts.get("pulse_not_open")),))
        if address.channel_id != record.channel_id:
            return FormResult(replies=(Reply(self._texts.get("pulse_wrong_place")),))
        if len(scores) != len(pulse_set.items):
            return FormResult(replies=(Reply(self._texts.get("pulse_bad_answer")),))
        missing = tuple(number for number, score in enumerate(scores, start=1) if score is None)
        if missing:
            return FormResult(missing=missing)
        digits = "".join(str(score) for score in scores)
        if not valid_answers(pulse_set, digits):
            return FormResult(replies=(Reply(self._texts.get("pulse_bad_answer")),))
        saved = await self._store.save_answers(round_id, self._participation(round_id, address),
                                               self._slot(round_id, address), digits, self._clock())
        if saved is None:
            return FormResult(replies=(Reply(self._texts.get("pulse_closed")),))
        text = self._texts.get("pulse_form_saved" if saved == "new" else "pulse_form_changed")
        return FormResult(replies=(Reply(text),), saved=True)

    async def answer(self, address: Address, round_id: str, scores: Sequence[int],
                     comment: str | None = None) -> list[Reply]:
        """All answers at once (a modal, or the last click of the step-by-step path)."""
        record, pulse_set = await self._open(round_id, address)
        if record is None or pulse_set is None:
            return [Reply(self._texts.get("pulse_not_open"))]
        digits = "".join(str(score) for score in scores)
        if not valid_answers(pulse_set, digits):
            return [Reply(self._texts.get("pulse_bad_answer"))]
        saved = await self._store.save_answers(round_id, self._participation(round_id, address),
                                               self._slot(round_id, address), digits, self._clock())
        if saved is None:
            return [Reply(self._texts.get("pulse_closed"))]
        if comment is not None and clean_text(comment):
            return await self.comment(address, round_id, comment)
        done = Reply(self._texts.get("pulse_saved") if saved == "new" else self._texts.get("pulse_changed"))
        if pulse_set.comment is None:
            return [done]
        note = pulse_set.comment
        question = Question(PULSE_SESSION, f"{NOTE_STEP}{round_id}", InputKind.TEXT, skippable=True,
                            max_length=note.max_length, placeholder=note.placeholder)
        return [done, Reply(note.prompt, tone=Tone.PROMPT, question=question)]

    async def comment(self, address: Address, round_id: str, raw: str) -> list[Reply]:
        record, pulse_set = await self._open(round_id, address)
        if record is None or pulse_set is None or pulse_set.comment is None:
            return [Reply(self._texts.get("pulse_not_open"))]
        text = clean_text(raw)
        if not text:
            return [Reply(self._texts.get("pulse_saved"))]
        if len(text) > pulse_set.comment.max_length:
            return [Reply(self._texts.get("too_long", length=len(text), limit=pulse_set.comment.max_length))]
        crisis = await self._gate.check(address, text)
        if crisis:
            return crisis  # the answers stay; these words are neither kept nor shown
        if not await self._store.save_comment(round_id, self._slot(round_id, address), text, self._clock()):
            return [Reply(self._texts.get("pulse_closed"))]
        return [Reply(self._texts.get("pulse_comment_saved"))]

    async def on_pick(self, address: Address, token: ParsedToken) -> list[Reply] | None:
        """A click on a pulse button (token session "pulse"); None when the token is not a pulse's."""
        if token.session_id != PULSE_SESSION:
            return None
        if token.step_id == JOIN_STEP:
            return await self.join(address, token.value)
        if token.step_id.startswith(NOTE_STEP):
            if token.value == SKIP:
                return [Reply(self._texts.get("pulse_saved"))]
            return [Reply(self._texts.get("stale_click"), stale=True)]
        round_id, _, digits = token.value.partition(".")
        if not token.step_id.startswith(ITEM_STEP) or not digits:
            return [Reply(self._texts.get("stale_click"), stale=True)]
        record, pulse_set = await self._open(round_id, address)
        if record is None or pulse_set is None:
            return [Reply(self._texts.get("pulse_not_open"))]
        padded = digits + str(pulse_set.scale.min) * (len(pulse_set.items) - len(digits))
        if len(digits) > len(pulse_set.items) or not valid_answers(pulse_set, padded):
            return [Reply(self._texts.get("pulse_bad_answer"))]
        if len(digits) < len(pulse_set.items):
            return [self._item(record, pulse_set, digits)]
        return await self.answer(address, round_id, [int(ch) for ch in digits])

    async def on_text(self, address: Address, token: ParsedToken, text: str) -> list[Reply] | None:
        """Typed text answering the comment question; None when the token is not a pulse's."""
        if token.session_id != PULSE_SESSION or not token.step_id.startswith(NOTE_STEP):
            return None
        return await self.comment(address, token.step_id[len(NOTE_STEP):], text)

    async def forget_member(self, address: Address) -> int:
        """/forget: the person's answers to rounds still open in their workspace are withdrawn (closed rounds
        keep only the published aggregate, which no answer can be traced back out of). Returns how many."""
        withdrawn = 0
        for round_id in await self._store.answerable_round_ids(address.platform, address.workspace_id):
            if await self._store.withdraw(round_id, self._participation(round_id, address),
                                          self._slot(round_id, address)):
                withdrawn += 1
        return withdrawn


class Pulses(PulseMembers):
    """Team pulses: an admin opens a round, members answer anonymously, the channel sees only the aggregate."""

    # ------------------------------------------------------------ admins

    async def open_round(self, address: Address, is_admin: bool, *, opens_at: datetime | None = None,
                         closes_at: datetime, min_respondents: int | None = None,
                         item_set: str = DEFAULT_ITEM_SET, zone: str | None = None) -> Response:
        """`zone`: the workspace's time zone (or the admin's), for every time the round shows; UTC stands beside."""
        if not is_admin:
            return self._private(self._texts.get("pulse_admin_only"))
        if not address.channel_id:
            return self._private(self._texts.get("pulse_need_channel"))
        threshold = self._default_threshold if min_respondents is None else min_respondents
        if threshold < MIN_THRESHOLD:
            return self._private(self._texts.get("pulse_min_too_low", value=threshold, minimum=MIN_THRESHOLD))
        pulse_set = self._sets.get(item_set)
        if pulse_set is None:
            return self._private(self._texts.get("pulse_unknown_set", name=item_set[:40]))
        now = self._clock()
        opens = opens_at or now
        if closes_at <= opens or closes_at <= now:
            return self._private(self._texts.get("pulse_bad_times"))
        live = await self._store.live_rounds(address.platform, address.workspace_id, address.channel_id)
        if live:
            return self._private(self._texts.get("pulse_busy", closes=when(live[0].closes_at, live[0].zone)))
        record = RoundRecord(new_public_id(ROUND_ID_LENGTH), address.platform, address.workspace_id,
                             address.channel_id, item_set, opens, closes_at, threshold, SCHEDULED, False, False, None,
                             zone=known_zone(zone))
        await self._store.add_round(record)
        confirmation = Reply(self._texts.get("pulse_scheduled", opens=when(opens, record.zone),
                                             closes=when(closes_at, record.zone),
                                             minimum=threshold, comments=COMMENTS_MIN_RESPONDENTS))
        posts: list[ChannelPost] = []
        if opens <= now and await self._store.mark_opened(record.id):
            posts.append(self._announcement(record, pulse_set))
        return Response(replies=(confirmation,), posts=tuple(posts))

    async def status(self, address: Address, is_admin: bool) -> Response:
        """The round's settings only. No count of answers while it is open: a count that ticks up after
        someone says "done" would tell who answered."""
        if not is_admin:
            return self._private(self._texts.get("pulse_admin_only"))
        live = await self._store.live_rounds(address.platform, address.workspace_id, address.channel_id)
        if not live:
            return self._private(self._texts.get("pulse_none"))
        record = live[0]
        return self._private(self._texts.get("pulse_status", opens=when(record.opens_at, record.zone),
                                             closes=when(record.closes_at, record.zone),
                                             minimum=record.min_respondents))

    # ------------------------------------------------------------ the clock

    async def due_posts(self, now: datetime | None = None,
                        platforms: Collection[str] | None = None) -> list[ChannelPost]:
        """Everything rounds have to say now: openings, the one halfway reminder, results. Each is claimed by
        compare-and-set, so several instances never post the same thing twice; with `platforms`, only
        rounds this process can post to."""
        now = now or self._clock()
        posts: list[ChannelPost] = []
        for record in await self._store.rounds_needing_attention(now, platforms):
            pulse_set = self._sets.get(record.item_set)
            if pulse_set is None:
                continue
            if record.status == SCHEDULED:
                if not await self._store.mark_opened(record.id):
                    continue
                if now < record.closes_at:
                    posts.append(self._announcement(record, pulse_set))
            if now >= record.closes_at:
                closing = await self._close(record, pulse_set)
                if closing is not None:
                    posts.append(closing)
            elif not record.reminded and now >= record.opens_at + (record.closes_at - record.opens_at) / 2 \
                    and await self._store.mark_reminded(record.id):
                posts.append(self._reminder(record))
        return posts

    async def close_due_rounds(self, now: datetime | None = None) -> list[ChannelPost]:
        """Only the results (or the "too few" notice) of rounds whose close time has passed."""
        now = now or self._clock()
        posts: list[ChannelPost] = []
        for record in await self._store.rounds_needing_attention(now):
            pulse_set = self._sets.get(record.item_set)
            if pulse_set is None or now < record.closes_at:
                continue
            if record.status == SCHEDULED:
                await self._store.mark_opened(record.id)
            closing = await self._close(record, pulse_set)
            if closing is not None:
                posts.append(closing)
        return posts

    async def _close(self, record: RoundRecord, pulse_set: PulseSet) -> ChannelPost | None:
        previous_round = await self._store.previous_closed(record)
        previous = RoundSummary.from_json(previous_round.results) \
            if previous_round is not None and previous_round.published and previous_round.results else None

        def decide(answers: list[str], comments: list[str]) -> tuple[Reply, dict[str, Any] | None]:
            return decide_close(self._texts, pulse_set, record.min_respondents, answers, comments, previous,
                                self._rng)

        reply = await self._store.close_round(record.id, decide)
        return self._channel_post(record, reply, PostKind.PULSE_RESULTS) if reply is not None else None


__all__ = ["CLOSED", "FormResult", "PulseForm", "Pulses", "RoundSummary", "decide_close", "summarise"]
