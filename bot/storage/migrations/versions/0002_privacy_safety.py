"""Personal settings, first-contact and crisis timestamps; crisis events.

Revision ID: 0002_privacy_safety
Revises: 0001_core
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0002_privacy_safety"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("country", sa.String(2), nullable=True))
        batch.add_column(sa.Column("store_notes", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("introduced_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("crisis_at", UTCDateTime(), nullable=True))
    op.create_table(
        "crisis_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identity_id", sa.Integer(), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("shown_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_crisis_events_identity_id", "crisis_events", ["identity_id"])


def downgrade() -> None:
    op.drop_table("crisis_events")
    with op.batch_alter_table("identities") as batch:
        for column in ("crisis_at", "introduced_at", "store_notes", "country"):
            batch.drop_column(column)
