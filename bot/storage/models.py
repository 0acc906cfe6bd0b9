"""Tables. What a person said (their words, their answers, crisis moments) is stored only as ciphertext (columns
ending in `_enc`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime()}


class Identity(Base):
    """One person on one platform in one workspace; everything personal hangs off this row."""

    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "workspace_id", "user_id", name="uq_identity_address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    country: Mapped[str | None] = mapped_column(String(2))
    store_notes: Mapped[bool] = mapped_column(default=True, server_default=true())
    show_streaks: Mapped[bool] = mapped_column(default=False, server_default=false())  # opt-in only
    introduced_at: Mapped[datetime | None] = mapped_column()
    # In clear because the scheduler reads it with every prompt; cleared once the crisis pause is over.
    crisis_at: Mapped[datetime | None] = mapped_column()
    unreachable_at: Mapped[datetime | None] = mapped_column()
    dm_channel_id: Mapped[str | None] = mapped_column(String(64))
    plan_offered_at: Mapped[datetime | None] = mapped_column()  # the last calm-moment offer to write a plan


class FlowSession(Base):
    """An open or finished run of a flow; `version` makes two racing answers impossible to both apply."""

    __tablename__ = "flow_sessions"
    __table_args__ = (Index("ix_flow_sessions_identity_status", "identity_id", "status"),)

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    flow_id: Mapped[str] = mapped_column(String(24))
    step_id: Mapped[str | None] = mapped_column(String(24))
    answers_enc: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="open")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Checkin(Base):
    """A finished flow. Everything the person said is encrypted: what they picked (score, boundaries, choices)
    in `picked_enc`, their own words (notes, scripts) in `words_enc`, which goes after the retention period."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_identity_created", "identity_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(String(24), unique=True)
    flow_id: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    picked_enc: Mapped[str] = mapped_column(Text)
    has_note: Mapped[bool] = mapped_column(default=False)
    words_enc: Mapped[str | None] = mapped_column(Text)
    tip_id: Mapped[str | None] = mapped_column(String(40))


class SafetyPlan(Base):
    """A person's own safety plan (/plan): every part only as ciphertext, for them alone. `keep` is their
    choice to keep it past the retention period; otherwise it goes that long after its last change."""

    __tablename__ = "safety_plans"

    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), primary_key=True)
    parts_enc: Mapped[str] = mapped_column(Text)
    keep: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TipView(Base):
    __tablename__ = "tip_views"
    __table_args__ = (Index("ix_tip_views_identity_shown", "identity_id", "shown_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    tip_id: Mapped[str] = mapped_column(String(40))
    shown_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrisisEvent(Base):
    """Only that crisis resources were shown, and when (the moment encrypted). Never the text that led to it."""

    __tablename__ = "crisis_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"), index=True)
    shown_enc: Mapped[str] = mapped_column(Text)


class ScheduleRule(Base):
    """A (days, times, zone) calendar that everyone who chose it shares, and its next firing: the claim job
    reads rules, not people, so the calendar math runs once per rule that is due.

    While a firing's prompts are being queued, `queue_slot`/`queue_due` name it and `queued_through` is the
    highest member schedule id already queued, so a claim cut short (a crash, a window limit) goes on where it
    stopped."""

    __tablename__ = "schedule_rules"
    __table_args__ = (
        UniqueConstraint("days", "times", "zone", name="uq_schedule_rule_calendar"),
        Index("ix_schedule_rules_next_fire_at", "next_fire_at"),
        # Only rules still queueing are in it, so moving a rule on writes no entry here.
        Index("ix_schedule_rules_queue_due", "queue_due", postgresql_where=text("queue_due IS NOT NULL"),
              sqlite_where=text("queue_due IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    days: Mapped[int] = mapped_column(Integer)
    times: Mapped[str] = mapped_column(String(32))
    zone: Mapped[str] = mapped_column(String(64))
    next_fire_at: Mapped[datetime] = mapped_column()
    next_slot: Mapped[str] = mapped_column(String(24))
    queue_slot: Mapped[str | None] = mapped_column(String(24))
    queue_due: Mapped[datetime | None] = mapped_column()
    queued_through: Mapped[int] = mapped_column(Integer, default=0)


class Schedule(Base):
    """When a person wants to be asked: their rule (shared calendar) and what is theirs alone: quiet hours,
    pause, the first firing they may get (`fires_from`: set when they choose a rule or skip a prompt), and
    the unanswered count."""

    __tablename__ = "schedules"
    __table_args__ = (
        UniqueConstraint("identity_id", "kind", name="uq_schedule_identity_kind"),
        # Claims find a rule's members by this index, in id order (cursor `queued_through`).
        Index("ix_schedules_rule_id", "rule_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("schedule_rules.id", name="fk_schedules_rule_id"))
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="checkin")
    flow_id: Mapped[str] = mapped_column(String(24), default="daily")
    quiet: Mapped[str | None] = mapped_column(String(16))
    fires_from: Mapped[datetime | None] = mapped_column()
    paused_until: Mapped[datetime | None] = mapped_column()
    pause_kind: Mapped[str | None] = mapped_column(String(16))
    unanswered: Mapped[int] = mapped_column(Integer, default=0)
    dialdown_asked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Delivery(Base):
    """The outbox: one row per (schedule, slot), so a prompt can be claimed, sent and retried but never
    created twice, whatever crashes or how many instances run."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("schedule_id", "slot", name="uq_delivery_schedule_slot"),
        # A person's deliveries are found through their schedules (uq_delivery_schedule_slot), not by an
        # index of their own: one index fewer to write per claimed prompt.
        Index("ix_deliveries_status_next_attempt", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign keys here, on purpose: their checks doubled the cost of claiming 100,000 prompts on
    # PostgreSQL. Erasing a person deletes their deliveries explicitly (Repository.forget_identity).
    schedule_id: Mapped[int] = mapped_column(Integer)
    identity_id: Mapped[int] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(16))
    slot: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12), default="prompt")
    due_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    lease_until: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(32))
    session_id: Mapped[str | None] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class UploadedFile(Base):
    """A file the bot put on a platform (or on local disk) for one person: an export, a chart. Kept
    so that /forget and retention can delete it there too, from any process. `ref` is the platform's file id
    (or a local path); no content, no name."""

    __tablename__ = "uploaded_files"
    __table_args__ = (Index("ix_uploaded_files_identity", "identity_id"),
                      Index("ix_uploaded_files_created", "created_at"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    identity_id: Mapped[int] = mapped_column(ForeignKey("identities.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    ref: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# ---------------------------------------------------------------- community (docs: bot/community/__init__.py)
# Nothing here names a person. Authors and respondents appear only as keyed hashes (HMAC with a server
# secret), each for one purpose and one share or round, so no two tables share a value to join on.


class Circle(Base):
    """A peer-support circle: one channel, a weekly prompt at a local time. Who set it up is not kept."""

    __tablename__ = "circles"
    __table_args__ = (
        UniqueConstraint("platform", "workspace_id", "channel_id", name="uq_circle_channel"),
        Index("ix_circles_next_post_at", "next_post_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    weekday: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[str] = mapped_column(String(5))
    zone: Mapped[str] = mapped_column(String(64))
    rotation: Mapped[int] = mapped_column(Integer, default=0)
    next_post_at: Mapped[datetime | None] = mapped_column()
    posts_count: Mapped[int] = mapped_column(Integer, default=0)
    shares_count: Mapped[int] = mapped_column(Integer, default=0)
    removed_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CirclePost(Base):
    """A weekly prompt; unique per (circle, ISO week of the local date), so it is posted once."""

    __tablename__ = "circle_posts"
    __table_args__ = (UniqueConstraint("circle_id", "week_key", name="uq_circle_post_week"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    week_key: Mapped[str] = mapped_column(String(10))
    theme_id: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[datetime] = mapped_column()


class CircleShare(Base):
    """An anonymous share. `author_tag` = HMAC(secret, share id, author address): it answers "is this
    person the author?" for that person, and nothing else, to anyone without the secret."""

    __tablename__ = "circle_shares"
    __table_args__ = (Index("ix_circle_shares_circle_id", "circle_id"),)

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    circle_id: Mapped[int] = mapped_column(ForeignKey("circles.id", ondelete="CASCADE"))
    text_enc: Mapped[str | None] = mapped_column(Text)
    author_tag: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12))
    created_on: Mapped[date] = mapped_column(Date)


class CircleShareQuota(Base):
    """Shares per member per day. `tag` = HMAC(secret, day, member): a new, unrelated tag every day,
    kept only for today and yesterday, and never stored beside a share."""

    __tablename__ = "circle_share_quota"

    tag: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)


class PulseRound(Base):
    """One pulse round in one channel. The threshold is fixed here when the round is opened; `results`
    holds only the published aggregate (never anything of a round below its threshold)."""

    __tablename__ = "pulse_rounds"
    __table_args__ = (
        Index("ix_pulse_rounds_channel", "platform", "workspace_id", "channel_id"),
        Index("ix_pulse_rounds_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(24), primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace_id: Mapped[str] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(64))
    item_set: Mapped[str] = mapped_column(String(40))
    opens_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    min_respondents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))
    reminded: Mapped[bool] = mapped_column(default=False, server_default=false())
    published: Mapped[bool] = mapped_column(default=False, server_default=false())
    results: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    invitation_id: Mapped[str | None] = mapped_column(String(64))  # the platform message id of the invitation
    zone: Mapped[str | None] = mapped_column(String(64))  # IANA zone its times are shown in, UTC beside


class PulseAnswer(Base):
    """One person's answers to one round: no user column, no timestamp, a primary key that is a keyed
    hash (so rows carry no order), and on SQLite no rowid either. Deleted when the round closes."""

    __tablename__ = "pulse_answers"
    __table_args__ = (PrimaryKeyConstraint("round_id", "slot", name="pk_pulse_answers"),
                      {"sqlite_with_rowid": False})

    round_id: Mapped[str] = mapped_column(ForeignKey("pulse_rounds.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(64))
    answers: Mapped[str] = mapped_column(String(16))
    comment_enc: Mapped[str | None] = mapped_column(Text)


class PulseParticipation(Base):
    """That someone answered a round, as HMAC(secret, "joined", round, person): a different hash from
    the answer's slot, so the two tables share no value. Deleted when the round closes."""

    __tablename__ = "pulse_participation"
    __table_args__ = (PrimaryKeyConstraint("round_id", "tag", name="pk_pulse_participation"),
                      {"sqlite_with_rowid": False})

    round_id: Mapped[str] = mapped_column(ForeignKey("pulse_rounds.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(64))


class SeenEvent(Base):
    """Platform events already taken (a platform re-sends one it thinks was missed), shared by every worker so a
    retry that lands elsewhere is still recognised. Ids only; forgotten after a few hours."""

    __tablename__ = "seen_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(index=True)
