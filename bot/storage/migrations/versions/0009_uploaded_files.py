"""Files the bot uploaded for a person (exports, charts), so /forget and retention delete them on the platform.

Revision ID: 0009_uploaded_files
Revises: 0008_schedule_rules
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0009_uploaded_files"
down_revision = "0008_schedule_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "uploaded_files",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identity_id", sa.Integer(), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("ref", sa.String(500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_uploaded_files_identity", "uploaded_files", ["identity_id"])
    op.create_index("ix_uploaded_files_created", "uploaded_files", ["created_at"])


def downgrade() -> None:
    op.drop_table("uploaded_files")
