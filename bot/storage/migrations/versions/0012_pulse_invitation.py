"""Where a pulse round's invitation was posted, so its reminder can link to it.

Revision ID: 0012_pulse_invitation
Revises: 0011_safety_plans
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_pulse_invitation"
down_revision = "0011_safety_plans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pulse_rounds", sa.Column("invitation_id", sa.String(64), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (batch mode would copy the table).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE pulse_rounds DROP COLUMN invitation_id")
    else:
        op.drop_column("pulse_rounds", "invitation_id")
