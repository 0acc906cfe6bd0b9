"""Whole-person and whole-table work: export, erase, retention and key rotation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, false, select, update

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
)
from bot.storage.person_rows import PersonRows
from bot.storage.records import (
    ASKING,
    CANCELLED,
    LIVE,
    FileRef,
)


class Housekeeping(PersonRows):
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
