"""Everything a person said about themselves is encrypted: a check-in's picked answers (score, boundaries,
choices) move into `checkins.picked_enc`, and the moment crisis resources were shown into
`crisis_events.shown_enc`. Existing rows are encrypted here, with the keys `migrate` was given.

Revision ID: 0010_encrypt_checkin_answers
Revises: 0009_uploaded_files
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0010_encrypt_checkin_answers"
down_revision = "0009_uploaded_files"
branch_labels = None
depends_on = None

BATCH = 500


def _cipher(table: str) -> Any:
    config = op.get_context().config
    cipher = config.attributes.get("cipher") if config is not None else None
    if cipher is None:
        raise RuntimeError(f"{table} holds rows to (de)crypt: run `boundary-bot migrate` with the encryption keys")
    return cipher


def _count(table: str) -> int:
    return int(op.get_bind().execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _moment(value: Any) -> datetime:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def upgrade() -> None:
    bind = op.get_bind()
    # Checked before any change: SQLite does not roll DDL back, and half a migration is worse than none.
    have_checkins, have_crises = _count("checkins") > 0, _count("crisis_events") > 0
    cipher: Any = _cipher("checkins") if have_checkins or have_crises else None
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("picked_enc", sa.Text(), nullable=True))
    with op.batch_alter_table("crisis_events") as batch:
        batch.add_column(sa.Column("shown_enc", sa.Text(), nullable=True))
    checkins = sa.table("checkins", sa.column("id", sa.Integer()), sa.column("safety_score", sa.Integer()),
                        sa.column("boundaries", sa.JSON()), sa.column("answers", sa.JSON()),
                        sa.column("picked_enc", sa.Text()))
    crises = sa.table("crisis_events", sa.column("id", sa.Integer()), sa.column("shown_at", UTCDateTime()),
                      sa.column("shown_enc", sa.Text()))
    if have_checkins:
        last = 0
        while rows := bind.execute(sa.select(checkins).where(checkins.c.id > last).order_by(checkins.c.id)
                                   .limit(BATCH)).all():
            for row in rows:
                picked = {"safety": row.safety_score, "boundaries": list(_json(row.boundaries) or []),
                          "answers": dict(_json(row.answers) or {})}
                bind.execute(checkins.update().where(checkins.c.id == row.id).values(
                    picked_enc=cipher.encrypt(json.dumps(picked, separators=(",", ":")))))
            last = rows[-1].id
    if have_crises:
        for row in bind.execute(sa.select(crises)).all():
            bind.execute(crises.update().where(crises.c.id == row.id).values(
                shown_enc=cipher.encrypt(_moment(row.shown_at).isoformat())))
    with op.batch_alter_table("checkins") as batch:
        batch.alter_column("picked_enc", existing_type=sa.Text(), nullable=False)
        for column in ("safety_score", "boundaries", "answers"):
            batch.drop_column(column)
    with op.batch_alter_table("crisis_events") as batch:
        batch.alter_column("shown_enc", existing_type=sa.Text(), nullable=False)
        batch.drop_column("shown_at")


def downgrade() -> None:
    bind = op.get_bind()
    have_checkins, have_crises = _count("checkins") > 0, _count("crisis_events") > 0
    cipher: Any = _cipher("checkins") if have_checkins or have_crises else None
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("safety_score", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("boundaries", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("answers", sa.JSON(), nullable=True))
    with op.batch_alter_table("crisis_events") as batch:
        batch.add_column(sa.Column("shown_at", UTCDateTime(), nullable=True))
    checkins = sa.table("checkins", sa.column("id", sa.Integer()), sa.column("safety_score", sa.Integer()),
                        sa.column("boundaries", sa.JSON()), sa.column("answers", sa.JSON()),
                        sa.column("picked_enc", sa.Text()))
    crises = sa.table("crisis_events", sa.column("id", sa.Integer()), sa.column("shown_at", UTCDateTime()),
                      sa.column("shown_enc", sa.Text()))
    if have_checkins:
        for row in bind.execute(sa.select(checkins.c.id, checkins.c.picked_enc)).all():
            picked = json.loads(cipher.decrypt(row.picked_enc))
            bind.execute(checkins.update().where(checkins.c.id == row.id).values(
                safety_score=picked["safety"], boundaries=picked["boundaries"], answers=picked["answers"]))
    if have_crises:
        for row in bind.execute(sa.select(crises.c.id, crises.c.shown_enc)).all():
            bind.execute(crises.update().where(crises.c.id == row.id).values(
                shown_at=datetime.fromisoformat(cipher.decrypt(row.shown_enc))))
    with op.batch_alter_table("checkins") as batch:
        batch.alter_column("boundaries", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("answers", existing_type=sa.JSON(), nullable=False)
        batch.drop_column("picked_enc")
    with op.batch_alter_table("crisis_events") as batch:
        batch.alter_column("shown_at", existing_type=UTCDateTime(), nullable=False)
        batch.drop_column("shown_enc")
