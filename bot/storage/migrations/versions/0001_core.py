"""Core tables: identities, flow sessions, check-ins, tip views.

Revision ID: 0001_core
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("platform", "workspace_id", "user_id", name="uq_identity_address"),
    )
    op.create_table(
        "flow_sessions",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("identity_id", sa.Integer(), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("flow_id", sa.String(24), nullable=False),
        sa.Column("step_id", sa.String(24), nullable=True),
        sa.Column("answers_enc", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_flow_sessions_identity_status", "flow_sessions", ["identity_id", "status"])
    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identity_id", sa.Integer(), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("session_id", sa.String(24), nullable=False, unique=True),
        sa.Column("flow_id", sa.String(24), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("safety_score", sa.Integer(), nullable=True),
        sa.Column("boundaries", sa.JSON(), nullable=False),
        sa.Column("has_note", sa.Boolean(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("words_enc", sa.Text(), nullable=True),
        sa.Column("tip_id", sa.String(40), nullable=True),
    )
    op.create_index("ix_checkins_identity_created", "checkins", ["identity_id", "created_at"])
    op.create_table(
        "tip_views",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("identity_id", sa.Integer(), sa.ForeignKey("identities.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tip_id", sa.String(40), nullable=False),
        sa.Column("shown_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_tip_views_identity_shown", "tip_views", ["identity_id", "shown_at"])


def downgrade() -> None:
    op.drop_table("tip_views")
    op.drop_table("checkins")
    op.drop_table("flow_sessions")
    op.drop_table("identities")
