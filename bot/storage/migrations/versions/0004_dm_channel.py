"""Remember each person's direct-message channel, so a scheduled prompt is one request, not two.

Revision ID: 0004_dm_channel
Revises: 0003_scheduling
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_dm_channel"
down_revision = "0003_scheduling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("dm_channel_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identities") as batch:
        batch.drop_column("dm_channel_id")
