"""Identities, flow sessions and the direct question: what a conversation reads and writes as it goes."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messages import Address
from bot.privacy.crypto import Cipher
from bot.storage.models import (
    Checkin,
    FlowSession,
    Identity,
    TipView,
    utcnow,
)
from bot.storage.records import (
    ASK_FLOW,
    ASKING,
    CANCELLED,
    DONE,
    HELD,
    LIVE,
    OPEN,
    Picked,
    SessionRecord,
    new_session_id,
)


class SessionRows:
    """The base of the repository: its connection and cipher; identities, flow sessions, the direct question."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: Cipher,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = sessions
        self._cipher = cipher
        self._now = clock

    @property
    def cipher(self) -> Cipher:
        """The keys, for stores kept elsewhere (an adapter's installation tokens)."""
        return self._cipher

    def _encrypt_picked(self, safety: int | None, boundaries: Sequence[str], answers: dict[str, Any]) -> str:
        return self._cipher.encrypt(json.dumps({"safety": safety, "boundaries": list(boundaries), "answers": answers},
                                               separators=(",", ":")))

    def _decrypt_picked(self, token: str) -> Picked:
        data = json.loads(self._cipher.decrypt(token))
        safety = data.get("safety")
        return Picked(safety if isinstance(safety, int) else None, tuple(data.get("boundaries") or ()),
                      dict(data.get("answers") or {}))

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
