"""A person's own rows: tips shown, the safety plan, check-ins, settings and the files put on platforms."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update

from bot.messages import Address
from bot.storage.models import (
    Checkin,
    CrisisEvent,
    FlowSession,
    Identity,
    SafetyPlan,
    TipView,
    UploadedFile,
)
from bot.storage.records import (
    HELD,
    OPEN,
    CheckinRecord,
    FileRef,
    PlanRecord,
    Profile,
)
from bot.storage.session_rows import SessionRows


class PersonRows(SessionRows):
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
