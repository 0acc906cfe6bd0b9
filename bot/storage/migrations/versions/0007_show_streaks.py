"""Streaks are opt-in: a person's choice to see weeks-in-a-row in /history (off unless they turn it on).

Revision ID: 0007_show_streaks
Revises: 0006_seen_events
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_show_streaks"
down_revision = "0006_seen_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("show_streaks", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("show_streaks")
