"""The time zone a pulse round's times are shown in (the workspace's, or the admin's who opened it).

Revision ID: 0013_pulse_zone
Revises: 0012_pulse_invitation
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_pulse_zone"
down_revision = "0012_pulse_invitation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pulse_rounds", sa.Column("zone", sa.String(64), nullable=True))


def downgrade() -> None:
    # SQLite 3.35+ drops a column in place (batch mode would copy the table).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE pulse_rounds DROP COLUMN zone")
    else:
        op.drop_column("pulse_rounds", "zone")
