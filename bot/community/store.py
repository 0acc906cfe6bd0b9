"""Every community query, in one place. Thin and async; the decisions live in circles.py and pulses.py."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.privacy.crypto import Cipher
from bot.storage.models import (
    Circle,
    CirclePost,
    CircleShare,
    CircleShareQuota,
    PulseAnswer,
    PulseParticipation,
    PulseRound,
)

PENDING, POSTED, REMOVED, DELETED = "pending", "posted", "removed", "deleted"
SCHEDULED, OPEN, CLOSED = "scheduled", "open", "closed"
T = TypeVar("T")


@dataclass(frozen=True)
class CircleRecord:
    id: int
    platform: str
    workspace_id: str
    channel_id: str
    weekday: int
    local_time: str
    zone: str
    rotation: int
    next_post_at: datetime | None
    posts_count: int
    shares_count: int
    removed_count: int


@dataclass(frozen=True)
class ShareRecord:
    id: str
    circle_id: int
    platform: str
    workspace_id: str
    channel_id: str
    status: str
    message_id: str | None
    author_tag: str | None


@dataclass(frozen=True)
class RoundRecord:
    id: str
    platform: str
    workspace_id: str
    channel_id: str
    item_set: str
    opens_at: datetime
    closes_at: datetime
    min_respondents: int
    status: str
    reminded: bool
    published: bool
    results: dict[str, Any] | None
    invitation_id: str | None = None
    zone: str | None = None


def _circle(row: Circle) -> CircleRecord:
    return CircleRecord(row.id, row.platform, row.workspace_id, row.channel_id, row.weekday, row.local_time,
                        row.zone, row.rotation, row.next_post_at, row.posts_count, row.shares_count,
                        row.removed_count)


def _round(row: PulseRound) -> RoundRecord:
    return RoundRecord(row.id, row.platform, row.workspace_id, row.channel_id, row.item_set, row.opens_at,
                       row.closes_at, row.min_respondents, row.status, row.reminded, row.published, row.results,
                       row.invitation_id, row.zone)


def _changed(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


class _Rows:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], cipher: Cipher) -> None:
        self._sessions = sessions
        self._cipher = cipher


class CircleRows(_Rows):
    """Circles, their weekly prompts, and the anonymous shares with their daily quota."""

    # ------------------------------------------------------------ circles

    async def circle_in(self, platform: str, workspace_id: str, channel_id: str) -> CircleRecord | None:
        async with self._sessions() as db:
            row = await db.scalar(select(Circle).where(Circle.platform == platform,
                                                       Circle.workspace_id == workspace_id,
                                                       Circle.channel_id == channel_id))
            return _circle(row) if row else None

    async def save_circle(self, platform: str, workspace_id: str, channel_id: str, *, weekday: int,
                          local_time: str, zone: str, next_post_at: datetime,
                          now: datetime) -> tuple[CircleRecord, bool]:
        """Create or reconfigure the channel's circle; True when it is new (then the care notice goes out)."""
        for _ in range(2):
            async with self._sessions() as db:
                try:
                    async with db.begin():
                        row = await db.scalar(select(Circle).where(Circle.platform == platform,
                                                                   Circle.workspace_id == workspace_id,
                                                                   Circle.channel_id == channel_id))
                        created = row is None
                        if row is None:
                            row = Circle(platform=platform, workspace_id=workspace_id, channel_id=channel_id,
                                         rotation=0, posts_count=0, shares_count=0, removed_count=0,
                                         created_at=now)
                            db.add(row)
                        row.weekday, row.local_time, row.zone = weekday, local_time, zone
                        row.next_post_at = next_post_at
                    return _circle(row), created
                except IntegrityError:  # set up twice at the same moment: the second one reconfigures
                    continue
        raise RuntimeError("could not save the circle")

    async def due_circles(self, now: datetime, limit: int = 200,
                          platforms: Collection[str] | None = None) -> list[CircleRecord]:
        """Circles due now; only those of `platforms` when given (a process posts only where it runs)."""
        async with self._sessions() as db:
            query = select(Circle).where(Circle.next_post_at <= now)
            if platforms is not None:
                query = query.where(Circle.platform.in_(list(platforms)))
            rows = await db.scalars(query.order_by(Circle.next_post_at).limit(limit))
            return [_circle(row) for row in rows]

    async def claim_circle_post(self, circle: CircleRecord, *, next_post_at: datetime, week_key: str,
                                theme_ids: Sequence[str], now: datetime) -> tuple[int, str] | None:
        """Advance the circle's schedule and record this week's post, once across instances.
        Returns (post id, theme id), or None when another instance got there first or the week has a post."""
        async with self._sessions() as db, db.begin():
            claimed = await db.execute(update(Circle).where(Circle.id == circle.id,
                                                            Circle.next_post_at == circle.next_post_at)
                                       .values(next_post_at=next_post_at))
            if _changed(claimed) != 1 or not theme_ids:
                return None
            if await db.scalar(select(CirclePost.id).where(CirclePost.circle_id == circle.id,
                                                           CirclePost.week_key == week_key)) is not None:
                return None
            row = await db.get(Circle, circle.id)
            if row is None:
                return None
            theme_id = theme_ids[row.rotation % len(theme_ids)]
            post = CirclePost(circle_id=circle.id, week_key=week_key, theme_id=theme_id, posted_at=now)
            db.add(post)
            row.rotation += 1
            row.posts_count += 1
            await db.flush()
            return post.id, theme_id

    async def prompt_posted(self, post_id: int, message_id: str) -> None:
        async with self._sessions() as db, db.begin():
            await db.execute(update(CirclePost).where(CirclePost.id == post_id).values(message_id=message_id[:64]))

    async def latest_prompt_message(self, circle_id: int) -> str | None:
        async with self._sessions() as db:
            return await db.scalar(select(CirclePost.message_id)
                                   .where(CirclePost.circle_id == circle_id, CirclePost.message_id.is_not(None))
                                   .order_by(CirclePost.posted_at.desc(), CirclePost.id.desc()).limit(1))

    # ------------------------------------------------------------ shares

    async def take_share_quota(self, tag: str, day: date, limit: int) -> bool:
        """Count one share against today's tag; False when the limit is reached. Old days are dropped."""
        for _ in range(3):
            async with self._sessions() as db:
                try:
                    async with db.begin():
                        await db.execute(delete(CircleShareQuota).where(CircleShareQuota.day < day - timedelta(days=1)))
                        taken = await db.execute(update(CircleShareQuota)
                                                 .where(CircleShareQuota.tag == tag, CircleShareQuota.count < limit)
                                                 .values(count=CircleShareQuota.count + 1))
                        if _changed(taken) == 1:
                            return True
                        if await db.get(CircleShareQuota, tag) is not None:
                            return False
                        db.add(CircleShareQuota(tag=tag, day=day, count=1))
                    return limit >= 1
                except IntegrityError:  # two shares at once on a fresh day: count again
                    continue
        return False

    async def drop_share_quota(self, tags: Sequence[str]) -> None:
        """/forget: the person's quota rows (their tags recomputed for the days still kept)."""
        async with self._sessions() as db, db.begin():
            await db.execute(delete(CircleShareQuota).where(CircleShareQuota.tag.in_(list(tags))))

    async def add_share(self, share_id: str, circle_id: int, text: str, author_tag: str, day: date) -> None:
        async with self._sessions() as db, db.begin():
            db.add(CircleShare(id=share_id, circle_id=circle_id, text_enc=self._cipher.encrypt(text),
                               author_tag=author_tag, status=PENDING, created_on=day))

    async def share_posted(self, share_id: str, message_id: str) -> bool:
        async with self._sessions() as db, db.begin():
            result = await db.execute(update(CircleShare)
                                      .where(CircleShare.id == share_id, CircleShare.status == PENDING)
                                      .values(status=POSTED, message_id=message_id[:64]))
            if _changed(result) != 1:
                return False
            await db.execute(update(Circle).where(Circle.id == select(CircleShare.circle_id)
                                                  .where(CircleShare.id == share_id).scalar_subquery())
                             .values(shares_count=Circle.shares_count + 1))
            return True

    async def share(self, share_id: str) -> ShareRecord | None:
        async with self._sessions() as db:
            row = (await db.execute(select(CircleShare, Circle).join(Circle, Circle.id == CircleShare.circle_id)
                                    .where(CircleShare.id == share_id))).first()
            if row is None:
                return None
            share, circle = row
            return ShareRecord(share.id, circle.id, circle.platform, circle.workspace_id, circle.channel_id,
                               share.status, share.message_id, share.author_tag)

    async def live_shares(self, platform: str) -> list[ShareRecord]:
        """Every share of a platform still up (or about to be): for finding one person's by their tags."""
        async with self._sessions() as db:
            rows = (await db.execute(select(CircleShare, Circle).join(Circle, Circle.id == CircleShare.circle_id)
                                     .where(Circle.platform == platform,
                                            CircleShare.status.in_((PENDING, POSTED))))).all()
            return [ShareRecord(share.id, circle.id, circle.platform, circle.workspace_id, circle.channel_id,
                                share.status, share.message_id, share.author_tag) for share, circle in rows]

    async def close_share(self, share: ShareRecord, status: str) -> bool:
        """Take a share down: its words and its author tag are erased, the row keeps only that it was there."""
        async with self._sessions() as db, db.begin():
            result = await db.execute(update(CircleShare)
                                      .where(CircleShare.id == share.id, CircleShare.status.in_((PENDING, POSTED)))
                                      .values(status=status, text_enc=None, author_tag=None))
            if _changed(result) != 1:
                return False
            if status == REMOVED:
                await db.execute(update(Circle).where(Circle.id == share.circle_id)
                                 .values(removed_count=Circle.removed_count + 1))
            return True



class PulseRows(_Rows):
    """Pulse rounds: opening, reminders, anonymous answers and comments, closing."""

    # ------------------------------------------------------------ pulse rounds

    async def add_round(self, record: RoundRecord) -> None:
        async with self._sessions() as db, db.begin():
            db.add(PulseRound(id=record.id, platform=record.platform, workspace_id=record.workspace_id,
                              channel_id=record.channel_id, item_set=record.item_set, opens_at=record.opens_at,
                              closes_at=record.closes_at, min_respondents=record.min_respondents,
                              status=record.status, reminded=False, published=False, results=None, zone=record.zone))

    async def round(self, round_id: str) -> RoundRecord | None:
        async with self._sessions() as db:
            row = await db.get(PulseRound, round_id)
            return _round(row) if row else None

    async def live_rounds(self, platform: str, workspace_id: str, channel_id: str) -> list[RoundRecord]:
        async with self._sessions() as db:
            rows = await db.scalars(select(PulseRound).where(
                PulseRound.platform == platform, PulseRound.workspace_id == workspace_id,
                PulseRound.channel_id == channel_id, PulseRound.status.in_((SCHEDULED, OPEN)))
                .order_by(PulseRound.opens_at))
            return [_round(row) for row in rows]

    async def rounds_needing_attention(self, now: datetime,
                                       platforms: Collection[str] | None = None) -> list[RoundRecord]:
        async with self._sessions() as db:
            query = select(PulseRound).where(PulseRound.status.in_((SCHEDULED, OPEN)), PulseRound.opens_at <= now)
            if platforms is not None:
                query = query.where(PulseRound.platform.in_(list(platforms)))
            rows = await db.scalars(query.order_by(PulseRound.opens_at))
            return [_round(row) for row in rows]

    async def previous_closed(self, record: RoundRecord) -> RoundRecord | None:
        """The channel's round of the same item set that closed just before this one, published or not."""
        async with self._sessions() as db:
            row = await db.scalar(select(PulseRound).where(
                PulseRound.platform == record.platform, PulseRound.workspace_id == record.workspace_id,
                PulseRound.channel_id == record.channel_id, PulseRound.item_set == record.item_set,
                PulseRound.status == CLOSED, PulseRound.id != record.id, PulseRound.closes_at <= record.closes_at)
                .order_by(PulseRound.closes_at.desc()).limit(1))
            return _round(row) if row else None

    async def mark_opened(self, round_id: str) -> bool:
        async with self._sessions() as db, db.begin():
            return _changed(await db.execute(update(PulseRound)
                                             .where(PulseRound.id == round_id, PulseRound.status == SCHEDULED)
                                             .values(status=OPEN))) == 1

    async def invitation_posted(self, round_id: str, message_id: str) -> None:
        async with self._sessions() as db, db.begin():
            await db.execute(update(PulseRound).where(PulseRound.id == round_id)
                             .values(invitation_id=message_id[:64]))

    async def mark_reminded(self, round_id: str) -> bool:
        async with self._sessions() as db, db.begin():
            return _changed(await db.execute(update(PulseRound)
                                             .where(PulseRound.id == round_id, PulseRound.status == OPEN,
                                                    PulseRound.reminded.is_(False))
                                             .values(reminded=True))) == 1

    async def answerable_round_ids(self, platform: str, workspace_id: str) -> list[str]:
        """Rounds of a workspace that still hold answers (they are deleted when a round closes)."""
        async with self._sessions() as db:
            return list(await db.scalars(select(PulseRound.id).where(
                PulseRound.platform == platform, PulseRound.workspace_id == workspace_id,
                PulseRound.status.in_((SCHEDULED, OPEN)))))

    async def withdraw(self, round_id: str, participation_tag: str, slot: str) -> bool:
        """/forget in an open round: the person's participation and answer go, found by recomputing the same
        keyed hashes the bot used to write them (no new link is made). True if they had answered."""
        async with self._sessions() as db, db.begin():
            joined = await db.execute(delete(PulseParticipation).where(
                PulseParticipation.round_id == round_id, PulseParticipation.tag == participation_tag))
            await db.execute(delete(PulseAnswer).where(PulseAnswer.round_id == round_id, PulseAnswer.slot == slot))
            return _changed(joined) == 1

    async def has_answered(self, round_id: str, participation_tag: str) -> bool:
        async with self._sessions() as db:
            return await db.get(PulseParticipation, (round_id, participation_tag)) is not None

    async def save_answers(self, round_id: str, participation_tag: str, slot: str, answers: str,
                           now: datetime) -> str | None:
        """Write one person's answers: "new", "changed", or None when the round is not open for answers.
        Participation and answers are written in one transaction but share no value."""
        for _ in range(2):
            async with self._sessions() as db:
                try:
                    async with db.begin():
                        live = await db.scalar(select(PulseRound.id).where(
                            PulseRound.id == round_id, PulseRound.status == OPEN, PulseRound.opens_at <= now,
                            PulseRound.closes_at > now).with_for_update())
                        if live is None:
                            return None
                        if await db.get(PulseParticipation, (round_id, participation_tag)) is not None:
                            changed = await db.execute(update(PulseAnswer)
                                                       .where(PulseAnswer.round_id == round_id,
                                                              PulseAnswer.slot == slot)
                                                       .values(answers=answers, comment_enc=None))
                            if _changed(changed) == 1:
                                return "changed"
                        else:
                            db.add(PulseParticipation(round_id=round_id, tag=participation_tag))
                        db.add(PulseAnswer(round_id=round_id, slot=slot, answers=answers, comment_enc=None))
                    return "new"
                except IntegrityError:  # the same person twice at once: the second write is a change
                    continue
        return None

    async def save_comment(self, round_id: str, slot: str, comment: str, now: datetime) -> bool:
        async with self._sessions() as db, db.begin():
            live = await db.scalar(select(PulseRound.id).where(
                PulseRound.id == round_id, PulseRound.status == OPEN, PulseRound.closes_at > now).with_for_update())
            if live is None:
                return False
            result = await db.execute(update(PulseAnswer)
                                      .where(PulseAnswer.round_id == round_id, PulseAnswer.slot == slot)
                                      .values(comment_enc=self._cipher.encrypt(comment)))
            return _changed(result) == 1

    async def close_round(self, round_id: str,
                          decide: Callable[[list[str], list[str]], tuple[T, dict[str, Any] | None]]) -> T | None:
        """Close a round exactly once: `decide(answers, comments)` returns what to post and the aggregate to
        keep (None below the threshold). In the same transaction every answer and participation row of the
        round is deleted, so after close nothing individual remains, not even in a later backup."""
        async with self._sessions() as db, db.begin():
            closed = await db.execute(update(PulseRound).where(PulseRound.id == round_id, PulseRound.status == OPEN)
                                      .values(status=CLOSED))
            if _changed(closed) != 1:
                return None
            rows = (await db.execute(select(PulseAnswer.answers, PulseAnswer.comment_enc)
                                     .where(PulseAnswer.round_id == round_id))).all()
            answers = [row.answers for row in rows]
            comments = [self._cipher.decrypt(row.comment_enc) for row in rows if row.comment_enc]
            outcome, results = decide(answers, comments)
            await db.execute(update(PulseRound).where(PulseRound.id == round_id)
                             .values(results=results, published=results is not None))
            await db.execute(delete(PulseAnswer).where(PulseAnswer.round_id == round_id))
            await db.execute(delete(PulseParticipation).where(PulseParticipation.round_id == round_id))
            return outcome



class CommunityStore(CircleRows, PulseRows):
    """Every query of circles and pulses; words go in and out through the cipher."""

    async def rotate_keys(self) -> int:
        """Re-encrypt share texts and open-round comments under the newest key (run with Repository.rotate_keys)."""
        count = 0
        async with self._sessions() as db, db.begin():
            for share in (await db.scalars(select(CircleShare).where(CircleShare.text_enc.is_not(None)))).all():
                share.text_enc = self._cipher.rotate(share.text_enc or "")
                count += 1
            for answer in (await db.scalars(select(PulseAnswer).where(PulseAnswer.comment_enc.is_not(None)))).all():
                answer.comment_enc = self._cipher.rotate(answer.comment_enc or "")
                count += 1
        return count
