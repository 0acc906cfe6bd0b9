"""Community: circles, their weekly posts and anonymous shares; team pulse rounds, answers, participation.

Revision ID: 0005_community
Revises: 0004_dm_channel
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0005_community"
down_revision = "0004_dm_channel"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "circles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.String(5), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("rotation", sa.Integer(), nullable=False),
        sa.Column("next_post_at", UTCDateTime(), nullable=True),
        sa.Column("posts_count", sa.Integer(), nullable=False),
        sa.Column("shares_count", sa.Integer(), nullable=False),
        sa.Column("removed_count", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("platform", "workspace_id", "channel_id", name="uq_circle_channel"),
    )
    op.create_index("ix_circles_next_post_at", "circles", ["next_post_at"])
    op.create_table(
        "circle_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("circle_id", sa.Integer(), sa.ForeignKey("circles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("week_key", sa.String(10), nullable=False),
        sa.Column("theme_id", sa.String(40), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.UniqueConstraint("circle_id", "week_key", name="uq_circle_post_week"),
    )
    op.create_table(
        "circle_shares",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("circle_id", sa.Integer(), sa.ForeignKey("circles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text_enc", sa.Text(), nullable=True),
        sa.Column("author_tag", sa.String(64), nullable=True),
        sa.Column("message_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
    )
    op.create_index("ix_circle_shares_circle_id", "circle_shares", ["circle_id"])
    op.create_table(
        "circle_share_quota",
        sa.Column("tag", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
    )
    op.create_table(
        "pulse_rounds",
        sa.Column("id", sa.String(24), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("workspace_id", sa.String(64), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("item_set", sa.String(40), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("min_respondents", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("reminded", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("published", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("results", sa.JSON(), nullable=True),
    )
    op.create_index("ix_pulse_rounds_channel", "pulse_rounds", ["platform", "workspace_id", "channel_id"])
    op.create_index("ix_pulse_rounds_status", "pulse_rounds", ["status"])
    # No user column, no timestamp, hashed keys only; WITHOUT ROWID on SQLite, so rows keep no insertion order.
    op.create_table(
        "pulse_answers",
        sa.Column("round_id", sa.String(24), sa.ForeignKey("pulse_rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("slot", sa.String(64), nullable=False),
        sa.Column("answers", sa.String(16), nullable=False),
        sa.Column("comment_enc", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("round_id", "slot", name="pk_pulse_answers"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "pulse_participation",
        sa.Column("round_id", sa.String(24), sa.ForeignKey("pulse_rounds.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tag", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("round_id", "tag", name="pk_pulse_participation"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("pulse_participation")
    op.drop_table("pulse_answers")
    op.drop_table("pulse_rounds")
    op.drop_table("circle_share_quota")
    op.drop_table("circle_shares")
    op.drop_table("circle_posts")
    op.drop_table("circles")
