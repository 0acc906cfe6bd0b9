"""The personal safety plan: one encrypted row per person, and when a plan was last offered.

Revision ID: 0011_safety_plans
Revises: 0010_encrypt_checkin_answers
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0011_safety_plans"
down_revision = "0010_encrypt_checkin_answers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "safety_plans",
        sa.Column("identity_id", sa.Integer(), sa.ForeignKey("identities.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("parts_enc", sa.Text(), nullable=False),
        sa.Column("keep", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    with op.batch_alter_table("identities") as batch:
        batch.add_column(sa.Column("plan_offered_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite that copies `identities` and drops the original, and with foreign keys on the
    # drop cascades to every check-in. SQLite 3.35+ drops a column in place.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE identities DROP COLUMN plan_offered_at")
    else:
        op.drop_column("identities", "plan_offered_at")
    op.drop_table("safety_plans")
