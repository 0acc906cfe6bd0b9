"""Every query the core makes, in one place. Words go in and out through the cipher, never in plain."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messages import Address
from bot.privacy.crypto import Cipher
from bot.storage.models import (
    Checkin,
    CircleShare,
    CircleShareQuota,
    CrisisEvent,
    Delivery,
    FlowSession,
    Identity,
    SafetyPlan,
    Schedule,
    TipView,
    UploadedFile,
    utcnow,
)

OPEN, HELD, DONE, CANCELLED = "open", "held", "done", "cancelled"
LIVE = (OPEN, HELD)
ASKING = "asking"  # a direct question waiting for its answer, holding the words that raised it (encrypted)
ASK_FLOW = "ask"


@dataclass(frozen=True)
class SessionRecord:
    id: str
    identity_id: int
    flow_id: str
    step_id: str | None
    answers: dict[str, Any]
    status: str
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class Profile:
    identity_id: int
    country: str | None
    store_notes: bool
    introduced_at: datetime | None
    crisis_at: datetime | None
    unreachable_at: datetime | None = None
    show_streaks: bool = False


@dataclass(frozen=True)
class PlanRecord:
    """A person's safety plan: each part a list of their own items (a part left empty is an empty list)."""

    parts: dict[str, list[str]]
    keep: bool
    updated_at: datetime


@dataclass(frozen=True)
class CheckinRecord:
    id: int
    flow_id: str
    created_at: datetime
    safety_score: int | None
    boundaries: tuple[str, ...]
    has_note: bool
    tip_id: str | None


@dataclass(frozen=True)
class FileRef:
    """A file the bot put somewhere for a person: the platform's file id, or a path for the console."""

    platform: str
    workspace_id: str
    ref: str


@dataclass(frozen=True)
class Picked:
    """What a person picked in a finished check-in (stored encrypted in `checkins.picked_enc`)."""

    safety: int | None
    boundaries: tuple[str, ...]
    answers: dict[str, Any]


def new_session_id() -> str:
    """Unguessable, so a forged button token cannot name someone else's session by luck."""
    return secrets.token_urlsafe(12)


class Repository:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: Cipher,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._now = clock

    @property
    def cipher(self) -> Cipher:
        """The keys, for stores kept elsewhere (Slack's installation tokens)."""
        return self._cipher

    # ------------------------------------------------------------ identities

    async def find_identity(self, address: Address) -> int | None:
        """The person's id if they exist; never creates one (showing someone something must not bring back a
        person who asked to be forgotten)."""
        async with self._sessions() as db:
            found: int | None = await db.scalar(select(Identity.id).where(
                Identity.platform == address.platform, Identity.workspace_id == address.workspace_id,
                Identity.user_id == address.user_id))
            return found

    async def identity_id(self, address: Address) -> int:
        """The person's id, created on first contact: only for something the person started themselves."""
        key = (Identity.platform == address.platform, Identity.workspace_id == address.workspace_id,
               Identity.user_id == address.user_id)
        async with self._sessions() as db:
            found = await db.scalar(select(Identity.id).where(*key))
            if found is not None:
                return found
            row = Identity(platform=address.platform, workspace_id=address.workspace_id, user_id=address.user_id,
                           created_at=self._now())
            db.add(row)
            try:
                await db.commit()
                return row.id
            except IntegrityError:  # another instance created it a moment ago
                await db.rollback()
                return (await db.scalars(select(Identity.id).where(*key))).one()

    # ------------------------------------------------------------ flow sessions

    def _record(self, row: FlowSession) -> SessionRecord:
        return SessionRecord(row.id, row.identity_id, row.flow_id, row.step_id,
                             json.loads(self._cipher.decrypt(row.answers_enc)), row.status, row.version,
                             row.updated_at)

    async def open_session(self, identity_id: int) -> SessionRecord | None:
        async with self._sessions() as db:
            row = await db.scalar(
                select(FlowSession)
                .where(FlowSession.identity_id == identity_id, FlowSession.status.in_(LIVE))
                .order_by(FlowSession.updated_at.desc())
                .limit(1)
            )
            return self._record(row) if row else None

    async def get_session(self, session_id: str) -> SessionRecord | None:
        async with self._sessions() as db:
            row = await db.get(FlowSession, session_id)
            return self._record(row) if row else None

    async def start_session(self, identity_id: int, flow_id: str, step_id: str) -> SessionRecord:
        """Open a new session; any other open one is closed, so a person has at most one."""
        now = self._now()
        row = FlowSession(id=new_session_id(), identity_id=identity_id, flow_id=flow_id, step_id=step_id,
                          answers_enc=self._cipher.encrypt("{}"), status=OPEN, version=1, created_at=now,
                          updated_at=now)
        async with self._sessions() as db, db.begin():
            await db.execute(
                update(FlowSession)
                .where(FlowSession.identity_id == identity_id, FlowSession.status.in_(LIVE))
                .values(status=CANCELLED, version=FlowSession.version + 1, updated_at=now,
                        answers_enc=self._cipher.encrypt("{}"))
            )
            db.add(row)
        return self._record(row)

    async def save_step(self, record: SessionRecord, step_id: str | None, answers: dict[str, Any],
                        status: str = OPEN) -> bool:
        """Compare-and-set on `version`: False when another click or instance got there first."""
        async with self._sessions() as db, db.begin():
            return await self._save(db, record, step_id, answers, status)

    async def _save(self, db: AsyncSession, record: SessionRecord, step_id: str | None,
                    answers: dict[str, Any], status: str) -> bool:
        result = await db.execute(
            update(FlowSession)
            .where(FlowSession.id == record.id, FlowSession.version == record.version,
                   FlowSession.status == OPEN)
            .values(step_id=step_id, answers_enc=self._cipher.encrypt(json.dumps(answers)), status=status,
                    version=record.version + 1, updated_at=self._now())
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def reopen(self, record: SessionRecord) -> SessionRecord | None:
        """A session held during a crisis reply goes on when the person asks for it."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(FlowSession)
                .where(FlowSession.id == record.id, FlowSession.version == record.version,
                       FlowSession.status == HELD)
                .values(status=OPEN, version=record.version + 1, updated_at=self._now())
            )
            if getattr(result, "rowcount", 0) != 1:
                return None
        return await self.get_session(record.id)

    async def close(self, record: SessionRecord) -> bool:
        """End a session that leaves no check-in behind (settings, erase confirmation)."""
        async with self._sessions() as db, db.begin():
            return await self._save(db, record, None, {}, DONE)

    async def finish(self, record: SessionRecord, picked: dict[str, Any], words: dict[str, str], *,
                     safety: int | None, boundaries: Sequence[str], tip_id: str | None) -> bool:
        """Close the session and keep the check-in, in one transaction, or neither."""
        async with self._sessions() as db, db.begin():
            # The check-in keeps the answers; the finished session keeps no second copy of them.
            if not await self._save(db, record, None, {}, DONE):
                return False
            db.add(Checkin(identity_id=record.identity_id, session_id=record.id, flow_id=record.flow_id,
                           created_at=self._now(), picked_enc=self._encrypt_picked(safety, boundaries, picked),
                           has_note=bool(words),
                           words_enc=self._cipher.encrypt(json.dumps(words)) if words else None,
                           tip_id=tip_id))
            if tip_id:
                db.add(TipView(identity_id=record.identity_id, tip_id=tip_id, shown_at=self._now()))
            return True

    async def cancel_open(self, identity_id: int) -> bool:
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(FlowSession)
                .where(FlowSession.identity_id == identity_id, FlowSession.status.in_(LIVE))
                .values(status=CANCELLED, version=FlowSession.version + 1, updated_at=self._now(),
                        answers_enc=self._cipher.encrypt("{}"))
            )
            return bool(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------ a direct question after a "possible" verdict

    async def keep_asked(self, identity_id: int, held: dict[str, Any]) -> str:
        """Keep what raised a direct question, encrypted, until it is answered; returns the question's id. An
        earlier unanswered question of the same person is dropped with its words: only the latest counts."""
        now = self._now()
        row = FlowSession(id=new_session_id(), identity_id=identity_id, flow_id=ASK_FLOW, step_id=None,
                          answers_enc=self._cipher.encrypt(json.dumps(held)), status=ASKING, version=1,
                          created_at=now, updated_at=now)
        async with self._sessions() as db, db.begin():
            await db.execute(
                update(FlowSession)
                .where(FlowSession.identity_id == identity_id, FlowSession.status == ASKING)
                .values(status=CANCELLED, version=FlowSession.version + 1, updated_at=now,
                        answers_enc=self._cipher.encrypt("{}"))
            )
            db.add(row)
        return row.id

    async def take_asked(self, identity_id: int, question_id: str, newer_than: datetime) -> dict[str, Any] | None:
        """The kept words of this person's question, once: the row is closed and emptied in the same step,
        so a second click (or a second instance) gets None."""
        async with self._sessions() as db, db.begin():
            row = await db.scalar(select(FlowSession).where(
                FlowSession.id == question_id, FlowSession.identity_id == identity_id,
                FlowSession.status == ASKING, FlowSession.updated_at >= newer_than))
            if row is None:
                return None
            held = json.loads(self._cipher.decrypt(row.answers_enc))
            result = await db.execute(
                update(FlowSession)
                .where(FlowSession.id == row.id, FlowSession.version == row.version, FlowSession.status == ASKING)
                .values(status=DONE, version=row.version + 1, updated_at=self._now(),
                        answers_enc=self._cipher.encrypt("{}"))
            )
            return held if getattr(result, "rowcount", 0) == 1 and isinstance(held, dict) else None

    async def latest_asked(self, identity_id: int, newer_than: datetime) -> tuple[str, dict[str, Any], datetime] | None:
        """The person's unanswered question asked since `newer_than`, if any: its id, what it keeps, and when."""
        async with self._sessions() as db:
            row = await db.scalar(
                select(FlowSession)
                .where(FlowSession.identity_id == identity_id, FlowSession.status == ASKING,
                       FlowSession.updated_at >= newer_than)
                .order_by(FlowSession.updated_at.desc())
                .limit(1)
            )
            if row is None:
                return None
            held = json.loads(self._cipher.decrypt(row.answers_enc))
            return row.id, held if isinstance(held, dict) else {}, row.updated_at

    # ------------------------------------------------------------ tips

    async def recent_tip_ids(self, identity_id: int, limit: int) -> list[str]:
        """Newest first."""
        if limit <= 0:
            return []
        async with self._sessions() as db:
            rows = await db.scalars(
                select(TipView.tip_id)
                .where(TipView.identity_id == identity_id)
                .order_by(TipView.shown_at.desc(), TipView.id.desc())
                .limit(limit)
            )
            return list(rows)

    async def record_tip_view(self, identity_id: int, tip_id: str) -> None:
        async with self._sessions() as db, db.begin():
            db.add(TipView(identity_id=identity_id, tip_id=tip_id, shown_at=self._now()))

    # ------------------------------------------------------------ the safety plan (only ever decrypted for its owner)

    async def plan(self, identity_id: int) -> PlanRecord | None:
        async with self._sessions() as db:
            row = await db.get(SafetyPlan, identity_id)
            return self._plan_record(row) if row is not None else None

    def _plan_record(self, row: SafetyPlan) -> PlanRecord:
        parts = json.loads(self._cipher.decrypt(row.parts_enc))
        return PlanRecord({str(key): [str(item) for item in items] for key, items in parts.items()
                           if isinstance(items, list)} if isinstance(parts, dict) else {}, row.keep, row.updated_at)

    async def save_plan_part(self, identity_id: int, part: str, items: Sequence[str]) -> None:
        """Write one part (creating the plan on its first part); the other parts stay as they are."""
        now = self._now()
        async with self._sessions() as db, db.begin():
            row = await db.get(SafetyPlan, identity_id, with_for_update=True)
            if row is None:
                first = self._cipher.encrypt(json.dumps({part: list(items)}))
                db.add(SafetyPlan(identity_id=identity_id, parts_enc=first, keep=False, created_at=now, updated_at=now))
                return
            parts = json.loads(self._cipher.decrypt(row.parts_enc))
            parts[part] = list(items)
            row.parts_enc = self._cipher.encrypt(json.dumps(parts))
            row.updated_at = now

    async def keep_plan(self, identity_id: int, keep: bool) -> bool:
        async with self._sessions() as db, db.begin():
            result = await db.execute(update(SafetyPlan).where(SafetyPlan.identity_id == identity_id)
                                      .values(keep=keep, updated_at=self._now()))
            return bool(getattr(result, "rowcount", 0))

    async def delete_plan(self, identity_id: int) -> bool:
        async with self._sessions() as db, db.begin():
            result = await db.execute(delete(SafetyPlan).where(SafetyPlan.identity_id == identity_id))
            return bool(getattr(result, "rowcount", 0))

    async def offer_plan(self, identity_id: int, now: datetime, every: timedelta) -> bool:
        """True only for the call that may make the offer: none was made within `every` before `now` (so never
        twice in a week, whatever instance asks)."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Identity).where(Identity.id == identity_id, or_(Identity.plan_offered_at.is_(None),
                                                                       Identity.plan_offered_at <= now - every))
                .values(plan_offered_at=now))
            return bool(getattr(result, "rowcount", 0))

    # ------------------------------------------------------------ check-ins

    async def checkins(self, identity_id: int, since: datetime | None = None) -> list[CheckinRecord]:
        """Oldest first."""
        query = select(Checkin).where(Checkin.identity_id == identity_id)
        if since is not None:
            query = query.where(Checkin.created_at >= since)
        async with self._sessions() as db:
            rows = (await db.execute(query.with_only_columns(
                Checkin.id, Checkin.flow_id, Checkin.created_at, Checkin.picked_enc, Checkin.has_note, Checkin.tip_id)
                .order_by(Checkin.created_at, Checkin.id))).all()
        records = []
        for row in rows:
            picked = self._decrypt_picked(row.picked_enc)
            records.append(CheckinRecord(row.id, row.flow_id, row.created_at, picked.safety, picked.boundaries,
                                         row.has_note, row.tip_id))
        return records

    def _encrypt_picked(self, safety: int | None, boundaries: Sequence[str], answers: dict[str, Any]) -> str:
        return self._cipher.encrypt(json.dumps({"safety": safety, "boundaries": list(boundaries), "answers": answers},
                                               separators=(",", ":")))

    def _decrypt_picked(self, token: str) -> Picked:
        data = json.loads(self._cipher.decrypt(token))
        safety = data.get("safety")
        return Picked(safety if isinstance(safety, int) else None, tuple(data.get("boundaries") or ()),
                      dict(data.get("answers") or {}))

    async def checkin_count(self, identity_id: int) -> int:
        async with self._sessions() as db:
            return int(await db.scalar(select(func.count()).where(Checkin.identity_id == identity_id)) or 0)

    # ------------------------------------------------------------ the person

    async def profile(self, identity_id: int) -> Profile:
        async with self._sessions() as db:
            row = await db.get(Identity, identity_id)
            if row is None:
                raise LookupError("no such identity")
            return Profile(row.id, row.country, row.store_notes, row.introduced_at, row.crisis_at, row.unreachable_at,
                           row.show_streaks)

    async def mark_introduced(self, identity_id: int) -> bool:
        """True only for the call that made the mark, so the introduction is shown once."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Identity).where(Identity.id == identity_id, Identity.introduced_at.is_(None))
                .values(introduced_at=self._now())
            )
            return bool(getattr(result, "rowcount", 0))

    async def remember_dm_channel(self, address: Address, channel_id: str) -> None:
        """Adapters report the direct-message channel they opened, so later sends skip opening it again (for a
        person who exists: a DM opened to say "erased" must not bring them back)."""
        identity_id = await self.find_identity(address)
        if identity_id is None:
            return
        async with self._sessions() as db, db.begin():
            await db.execute(update(Identity).where(Identity.id == identity_id, or_(
                Identity.dm_channel_id.is_(None), Identity.dm_channel_id != channel_id))
                .values(dm_channel_id=channel_id[:64]))

    async def clear_unreachable(self, identity_id: int) -> None:
        async with self._sessions() as db, db.begin():
            await db.execute(update(Identity).where(Identity.id == identity_id).values(unreachable_at=None))

    async def update_settings(self, identity_id: int, *, country: str | None, store_notes: bool,
                              show_streaks: bool = False) -> None:
        async with self._sessions() as db, db.begin():
            await db.execute(update(Identity).where(Identity.id == identity_id)
                             .values(country=country, store_notes=store_notes, show_streaks=show_streaks))
            if not store_notes:
                await db.execute(update(Checkin).where(Checkin.identity_id == identity_id)
                                 .values(words_enc=None, has_note=False))

    async def record_crisis(self, identity_id: int) -> None:
        """Keep only that resources were shown, and when; hold any open check-in."""
        now = self._now()
        async with self._sessions() as db, db.begin():
            db.add(CrisisEvent(identity_id=identity_id, shown_enc=self._cipher.encrypt(now.isoformat())))
            await db.execute(update(Identity).where(Identity.id == identity_id).values(crisis_at=now))
            await db.execute(
                update(FlowSession)
                .where(FlowSession.identity_id == identity_id, FlowSession.status == OPEN)
                .values(status=HELD, version=FlowSession.version + 1, updated_at=now)
            )

    async def export(self, identity_id: int) -> dict[str, Any]:
        """Everything stored about one person, decrypted, for them alone."""
        async with self._sessions() as db:
            person = await db.get(Identity, identity_id)
            if person is None:
                raise LookupError("no such identity")
            checkins = (await db.scalars(select(Checkin).where(Checkin.identity_id == identity_id)
                                         .order_by(Checkin.created_at, Checkin.id))).all()
            sessions = (await db.scalars(select(FlowSession).where(FlowSession.identity_id == identity_id)
                                         .order_by(FlowSession.created_at))).all()
            tips = (await db.scalars(select(TipView).where(TipView.identity_id == identity_id)
                                     .order_by(TipView.shown_at, TipView.id))).all()
            crises = sorted(datetime.fromisoformat(self._cipher.decrypt(token)) for token in await db.scalars(
                select(CrisisEvent.shown_enc).where(CrisisEvent.identity_id == identity_id)))
            plan = await db.get(SafetyPlan, identity_id)
        return {
            "person": {"platform": person.platform, "workspace_id": person.workspace_id, "user_id": person.user_id,
                       "first_seen": person.created_at.isoformat()},
            "settings": {"country": person.country, "store_notes": person.store_notes,
                         "show_streaks": person.show_streaks},
            "checkins": [
                {"date": row.created_at.isoformat(), "flow": row.flow_id, "safety_score": picked.safety,
                 "boundaries": list(picked.boundaries), "answers": picked.answers,
                 "own_words": json.loads(self._cipher.decrypt(row.words_enc)) if row.words_enc else {},
                 "tip_shown": row.tip_id}
                for row, picked in ((row, self._decrypt_picked(row.picked_enc)) for row in checkins)
            ],
            "unfinished_checkins": [
                {"flow": row.flow_id, "step": row.step_id, "started": row.created_at.isoformat(),
                 "answers": json.loads(self._cipher.decrypt(row.answers_enc))}
                for row in sessions if row.status in LIVE
            ],
            "tips_shown": [{"tip": row.tip_id, "date": row.shown_at.isoformat()} for row in tips],
            "crisis_resources_shown": [moment.isoformat() for moment in crises],
            "safety_plan": None if plan is None else {
                "parts": self._plan_record(plan).parts, "keep_until_deleted": plan.keep,
                "created": plan.created_at.isoformat(), "updated": plan.updated_at.isoformat()},
        }

    async def forget_identity(self, identity_id: int) -> list[FileRef]:
        """Erase the person and everything keyed to them; returns the files the bot had put on platforms for
        them, for the adapters to delete there (their rows go with the person)."""
        async with self._sessions() as db, db.begin():
            files = [FileRef(row.platform, row.workspace_id, row.ref) for row in
                     await db.scalars(select(UploadedFile).where(UploadedFile.identity_id == identity_id))]
            await db.execute(delete(Delivery).where(Delivery.schedule_id.in_(
                select(Schedule.id).where(Schedule.identity_id == identity_id))))
            for table in (Schedule, TipView, Checkin, FlowSession, CrisisEvent, SafetyPlan, UploadedFile):
                await db.execute(delete(table).where(table.identity_id == identity_id))
            await db.execute(delete(Identity).where(Identity.id == identity_id))
        return files

    # ------------------------------------------------------------ files put on platforms

    async def remember_file(self, address: Address, ref: str) -> None:
        """A file just uploaded for this person (nothing kept for someone unknown: there is nobody to erase)."""
        identity_id = await self.find_identity(address)
        if identity_id is None:
            return
        async with self._sessions() as db, db.begin():
            db.add(UploadedFile(identity_id=identity_id, platform=address.platform[:16],
                                workspace_id=address.workspace_id[:64], ref=ref[:500], created_at=self._now()))

    async def drop_files(self, files: Sequence[FileRef]) -> None:
        """Files deleted from their platform (or already gone there)."""
        async with self._sessions() as db, db.begin():
            for item in files:
                await db.execute(delete(UploadedFile).where(
                    UploadedFile.platform == item.platform, UploadedFile.workspace_id == item.workspace_id,
                    UploadedFile.ref == item.ref))

    async def files_older_than(self, moment: datetime, limit: int = 1000) -> list[FileRef]:
        async with self._sessions() as db:
            rows = await db.scalars(select(UploadedFile).where(UploadedFile.created_at < moment)
                                    .order_by(UploadedFile.id).limit(limit))
            return [FileRef(row.platform, row.workspace_id, row.ref) for row in rows]

    # ------------------------------------------------------------ housekeeping

    async def purge_words(self, older_than: datetime, *, abandoned_before: datetime | None = None,
                          crisis_over_before: datetime | None = None) -> int:
        """Retention: people's own words go after the retention period; their numbers stay. An unfinished
        check-in left longer than it can be resumed (`abandoned_before`) loses its answers too, and a crisis
        moment older than the pause it starts (`crisis_over_before`) its clear copy on the person's row."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(
                update(Checkin).where(Checkin.created_at < older_than, Checkin.words_enc.is_not(None))
                .values(words_enc=None, has_note=False)
            )
            # The stored copy of an anonymous share's words goes too (the post itself is the circle's; its
            # author can still take it down: the author tag stays).
            await db.execute(update(CircleShare).where(CircleShare.created_on < older_than.date(),
                                                       CircleShare.text_enc.is_not(None))
                             .values(text_enc=None))
            # A safety plan follows retention from its last change, unless its owner chose to keep it.
            await db.execute(delete(SafetyPlan).where(SafetyPlan.updated_at < older_than, SafetyPlan.keep == false()))
            stale = older_than if abandoned_before is None else max(older_than, abandoned_before)
            await db.execute(
                update(FlowSession).where(FlowSession.updated_at < stale, FlowSession.status.in_((*LIVE, ASKING)))
                .values(status=CANCELLED, version=FlowSession.version + 1, answers_enc=self._cipher.encrypt("{}"))
            )
            # What serves nobody after the retention period: finished sessions, tips shown, the moments crisis
            # resources were shown, and prompts long due (sent or not: a prompt that late is never sent).
            await db.execute(delete(FlowSession).where(FlowSession.updated_at < older_than,
                                                       FlowSession.status.not_in(LIVE)))
            await db.execute(delete(TipView).where(TipView.shown_at < older_than))
            # Crisis moments are encrypted, so they are read to be judged (they are few).
            crises = (await db.execute(select(CrisisEvent.id, CrisisEvent.shown_enc))).all()
            old = [row.id for row in crises if datetime.fromisoformat(self._cipher.decrypt(row.shown_enc)) < older_than]
            if old:
                await db.execute(delete(CrisisEvent).where(CrisisEvent.id.in_(old)))
            # The clear copy the scheduler reads goes once the pause it serves is over.
            crisis_over = older_than if crisis_over_before is None else max(older_than, crisis_over_before)
            await db.execute(update(Identity).where(Identity.crisis_at < crisis_over).values(crisis_at=None))
            # Share counts are per day and needed for today and yesterday only.
            yesterday = self._now().date() - timedelta(days=1)
            await db.execute(delete(CircleShareQuota).where(CircleShareQuota.day < yesterday))
            await db.execute(delete(Delivery).where(Delivery.due_at < older_than))
            return int(getattr(result, "rowcount", 0) or 0)

    async def rotate_keys(self, batch_size: int = 500) -> int:
        """Re-encrypt every encrypted value under the newest key. Returns how many values changed."""
        count = 0
        for model, attribute in ((FlowSession, "answers_enc"), (Checkin, "words_enc"), (Checkin, "picked_enc"),
                                 (CrisisEvent, "shown_enc")):
            count += await self._rotate(model, attribute, batch_size)
        return count + await self._rotate_plans(batch_size)

    async def _rotate_plans(self, batch_size: int) -> int:
        count = 0
        last = -1
        while True:
            async with self._sessions() as db, db.begin():
                rows = (await db.scalars(select(SafetyPlan).where(SafetyPlan.identity_id > last)
                                         .order_by(SafetyPlan.identity_id).limit(batch_size))).all()
                if not rows:
                    return count
                for row in rows:
                    row.parts_enc = self._cipher.rotate(row.parts_enc)
                count += len(rows)
                last = rows[-1].identity_id

    async def _rotate(self, model: type[FlowSession] | type[Checkin] | type[CrisisEvent], attribute: str,
                      batch_size: int) -> int:
        count = 0
        last: str | int | None = None
        column = getattr(model, attribute)
        while True:
            async with self._sessions() as db, db.begin():
                query = select(model).where(column.is_not(None)).order_by(model.id).limit(batch_size)
                if last is not None:
                    query = query.where(model.id > last)
                rows = (await db.scalars(query)).all()
                if not rows:
                    return count
                for row in rows:
                    setattr(row, attribute, self._cipher.rotate(getattr(row, attribute)))
                count += len(rows)
                last = max(row.id for row in rows if isinstance(row, FlowSession | Checkin | CrisisEvent))
