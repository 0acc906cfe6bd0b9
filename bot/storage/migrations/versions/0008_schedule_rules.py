"""Schedules share rules: one `schedule_rules` row per (days, times, zone) knows the next firing; a schedule
keeps what is the person's own (quiet hours, pause, `fires_from`) and points at its rule.

Nothing is lost or sent twice: a rule starts at the earliest next firing of its members, and each member's
`fires_from` is its old `next_fire_at`, so a member the claim had already moved past a slot (or who had
skipped one) is not queued for it again; the outbox's unique (schedule, slot) stays as it was.

Revision ID: 0008_schedule_rules
Revises: 0007_show_streaks
Create Date: 2026-12-07
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import sqlalchemy as sa
from alembic import op

from bot.storage.models import UTCDateTime

revision = "0008_schedule_rules"
down_revision = "0007_show_streaks"
branch_labels = None
depends_on = None

_NEVER = datetime(9999, 1, 1, tzinfo=UTC)  # a group whose members had no next firing keeps having none


def upgrade() -> None:
    op.create_table(
        "schedule_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("times", sa.String(32), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("next_fire_at", UTCDateTime(), nullable=False),
        sa.Column("next_slot", sa.String(24), nullable=False),
        sa.Column("queue_slot", sa.String(24), nullable=True),
        sa.Column("queue_due", UTCDateTime(), nullable=True),
        sa.Column("queued_through", sa.Integer(), nullable=False),
        sa.UniqueConstraint("days", "times", "zone", name="uq_schedule_rule_calendar"),
    )
    op.create_index("ix_schedule_rules_next_fire_at", "schedule_rules", ["next_fire_at"])
    op.create_index("ix_schedule_rules_queue_due", "schedule_rules", ["queue_due"],
                    postgresql_where=sa.text("queue_due IS NOT NULL"), sqlite_where=sa.text("queue_due IS NOT NULL"))
    op.execute(sa.text("""
        INSERT INTO schedule_rules (days, times, zone, next_fire_at, next_slot, queued_through)
        SELECT g.days, g.times, g.zone, COALESCE(g.first_at, :never),
               COALESCE((SELECT s.next_slot FROM schedules s
                         WHERE s.days = g.days AND s.times = g.times AND s.zone = g.zone
                           AND s.next_fire_at IS NOT NULL
                         ORDER BY s.next_fire_at, s.id LIMIT 1), ''), 0
        FROM (SELECT days, times, zone, min(next_fire_at) AS first_at FROM schedules
              GROUP BY days, times, zone) g
    """).bindparams(sa.bindparam("never", _NEVER, type_=UTCDateTime())))
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("rule_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fires_from", UTCDateTime(), nullable=True))
    op.execute(sa.text("""
        UPDATE schedules SET
            rule_id = (SELECT r.id FROM schedule_rules r
                       WHERE r.days = schedules.days AND r.times = schedules.times AND r.zone = schedules.zone),
            fires_from = COALESCE(next_fire_at, :never)
    """).bindparams(sa.bindparam("never", _NEVER, type_=UTCDateTime())))
    op.drop_index("ix_schedules_next_fire_at", table_name="schedules")
    with op.batch_alter_table("schedules") as batch:
        batch.alter_column("rule_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key("fk_schedules_rule_id", "schedule_rules", ["rule_id"], ["id"])
        for column in ("days", "times", "zone", "next_fire_at", "next_slot"):
            batch.drop_column(column)
    op.create_index("ix_schedules_rule_id", "schedules", ["rule_id", "id"])


def downgrade() -> None:
    from bot.scheduling.rules import Rule, next_firing

    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("times", sa.String(32), nullable=True))
        batch.add_column(sa.Column("zone", sa.String(64), nullable=True))
        batch.add_column(sa.Column("next_fire_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("next_slot", sa.String(24), nullable=True))
    # A member still waiting in a rule's unfinished queue gets that slot back as its next firing.
    op.execute(sa.text("""
        UPDATE schedules SET
            days = (SELECT r.days FROM schedule_rules r WHERE r.id = schedules.rule_id),
            times = (SELECT r.times FROM schedule_rules r WHERE r.id = schedules.rule_id),
            zone = (SELECT r.zone FROM schedule_rules r WHERE r.id = schedules.rule_id),
            next_fire_at = (SELECT CASE WHEN r.queue_due IS NOT NULL AND schedules.id > r.queued_through
                                         AND (schedules.fires_from IS NULL OR schedules.fires_from <= r.queue_due)
                                        THEN r.queue_due ELSE r.next_fire_at END
                            FROM schedule_rules r WHERE r.id = schedules.rule_id),
            next_slot = (SELECT CASE WHEN r.queue_due IS NOT NULL AND schedules.id > r.queued_through
                                      AND (schedules.fires_from IS NULL OR schedules.fires_from <= r.queue_due)
                                     THEN r.queue_slot ELSE r.next_slot END
                         FROM schedule_rules r WHERE r.id = schedules.rule_id)
    """))
    # A member whose own first firing is later than the rule's (a skipped prompt) keeps it.
    bind = op.get_bind()
    later = bind.execute(sa.text(
        "SELECT id, days, times, zone, fires_from FROM schedules WHERE fires_from > next_fire_at"
    ).columns(sa.column("fires_from", UTCDateTime()))).all()
    for row in later:
        if row.fires_from >= _NEVER:
            continue
        rule = Rule(row.days, tuple(time.fromisoformat(part) for part in row.times.split(",")), row.zone, None)
        firing = next_firing(rule, row.fires_from - timedelta(microseconds=1))
        bind.execute(sa.text("UPDATE schedules SET next_fire_at = :at, next_slot = :slot WHERE id = :id")
                     .bindparams(sa.bindparam("at", type_=UTCDateTime())),
                     {"at": firing.at, "slot": firing.slot, "id": row.id})
    op.drop_index("ix_schedules_rule_id", table_name="schedules")
    with op.batch_alter_table("schedules") as batch:
        batch.drop_constraint("fk_schedules_rule_id", type_="foreignkey")
        for column in ("days", "times", "zone"):
            batch.alter_column(column, existing_type=sa.Integer() if column == "days" else sa.String(64),
                               nullable=False)
        batch.drop_column("rule_id")
        batch.drop_column("fires_from")
    op.create_index("ix_schedules_next_fire_at", "schedules", ["next_fire_at"])
    op.drop_table("schedule_rules")
