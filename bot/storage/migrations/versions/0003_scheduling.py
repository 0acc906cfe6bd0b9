"""Schedules and the delivery outbox; unreachable people.

Revision ID: 0003_scheduling
Revises: 0002_privacy_safety
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0003_scheduling"
down_revision = "0002_privacy_safety"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("unreachable_at", UTCDateTime(), nullable=True))
    op.create_table(
        "schedules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identity_id", sa.Integer(), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("flow_id", sa.String(24), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("times", sa.String(32), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("quiet", sa.String(16), nullable=True),
        sa.Column("paused_until", UTCDateTime(), nullable=True),
        sa.Column("pause_kind", sa.String(16), nullable=True),
        sa.Column("next_fire_at", UTCDateTime(), nullable=True),
        sa.Column("next_slot", sa.String(24), nullable=True),
        sa.Column("unanswered", sa.Integer(), nullable=False),
        sa.Column("dialdown_asked", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("identity_id", "kind", name="uq_schedule_identity_kind"),
    )
    op.create_index("ix_schedules_next_fire_at", "schedules", ["next_fire_at"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("schedule_id", sa.Integer(), nullable=False),
        sa.Column("identity_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("lease_until", UTCDateTime(), nullable=True),
        sa.Column("lease_owner", sa.String(32), nullable=True),
        sa.Column("session_id", sa.String(24), nullable=True),
        sa.Column("reason", sa.String(32), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.UniqueConstraint("schedule_id", "slot", name="uq_delivery_schedule_slot"),
    )
    op.create_index("ix_deliveries_status_next_attempt", "deliveries", ["status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("schedules")
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("unreachable_at")
