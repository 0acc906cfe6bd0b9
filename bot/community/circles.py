"""Peer-support circles: a weekly prompt in a channel, anonymous shares, moderation that names nobody.

Admins configure (the adapter says who is an admin; the core never guesses). Nobody, admins and
moderators included, can learn who wrote a share through the bot: the share row holds only the words
(encrypted), and an author tag that is an HMAC of the share id and the author, which the author alone can
reproduce by asking to delete it. The daily limit counts shares under a per-day tag kept apart from the
shares. See bot/community/__init__.py for what someone with the database could learn.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime, time, timedelta

from bot.community.anonymity import Pseudonyms, inert, new_public_id
from bot.community.common import ChannelPost, Clock, CrisisGate, PostKind, Removal
from bot.community.store import DELETED, PENDING, POSTED, REMOVED, CircleRecord, CommunityStore, ShareRecord
from bot.content.loader import Content
from bot.content.schema import CircleTheme
from bot.messages import Address, Choice, Form, FormField, InputKind, ParsedToken, Question, Reply, Tone
from bot.response import Response
from bot.safety.responder import Screens
from bot.scheduling.rules import DAY_NAMES, RuleError, parse_time, resolve_local, zone_info
from bot.storage.repository import Repository
from bot.text import clean_text

CIRCLE_SESSION = "circle"
REMOVE_STEP = "rm"
DELETE_STEP = "del"
SHARES_PER_DAY = 3
SHARE_MAX_LENGTH = 1000
DAY_TITLES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY = re.compile(r"(mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(day|nesday|rsday|urday)?")


def parse_weekday(text: str) -> int:
    word = text.strip().lower()
    if not _DAY.fullmatch(word):
        raise RuleError(word)
    return DAY_NAMES.index(word[:3])


def next_post_after(weekday: int, at: time, zone: str, after: datetime) -> datetime:
    """The first weekly slot strictly after `after` (UTC), at local wall-clock time in `zone`."""
    tz = zone_info(zone)
    start = after.astimezone(tz).date()
    for offset in range(9):
        day = start + timedelta(days=offset)
        if day.weekday() == weekday:
            moment = resolve_local(day, at, tz)
            if moment > after:
                return moment
    raise AssertionError("a weekday comes round within nine days")


def week_key(moment: datetime, zone: str) -> str:
    year, week, _ = moment.astimezone(zone_info(zone)).isocalendar()
    return f"{year}-W{week:02d}"


class Circles:
    def __init__(self, content: Content, store: CommunityStore, repository: Repository, pseudonyms: Pseudonyms,
                 *, clock: Clock | None = None, screener: Screens | None = None, default_country: str = "",
                 shares_per_day: int = SHARES_PER_DAY, share_max_length: int = SHARE_MAX_LENGTH) -> None:
        self._content = content
        self._texts = content.texts
        self._themes: tuple[CircleTheme, ...] = content.circle_themes
        self._store = store
        self._pseudonyms = pseudonyms
        self._clock = clock or (lambda: datetime.now(UTC))
        self._gate = CrisisGate(content, repository, screener, default_country)
        self._shares_per_day = shares_per_day
        self._share_max_length = share_max_length

    # ------------------------------------------------------------ forms (modals where the platform has them)

    def setup_form(self) -> Form:
        texts = self._texts
        fields = (
            FormField("day", texts.get("circle_field_day"), placeholder="mon", keyword="setup", max_length=10),
            FormField("time", texts.get("circle_field_time"), placeholder="18:00", max_length=8),
            FormField("zone", texts.get("field_zone"), placeholder="Europe/Berlin", max_length=64),
        )
        return Form(name="circle", title=texts.get("circle_form_title"), command="circle", fields=fields,
                    open_label=texts.get("circle_form_open"), submit_label=texts.get("form_save"))

    def share_form(self) -> Form:
        texts = self._texts
        field = FormField("text", texts.get("share_form_field"), placeholder=texts.get("share_form_hint"),
                          max_length=self._share_max_length)
        return Form(name="share", title=texts.get("share_form_title"), command="share", fields=(field,),
                    open_label=texts.get("share_form_title"), submit_label=texts.get("share_form_submit"))

    # ------------------------------------------------------------ setup and status (admins)

    async def setup_command(self, address: Address, is_admin: bool, args: str) -> Response:
        """`/circle setup mon 18:00 Europe/Berlin` (any order); what the setup form submits too."""
        words = [word for word in clean_text(args).split() if word.lower() != "setup"]
        day = next((word for word in words if _DAY.fullmatch(word.lower())), None)
        rest = [word for word in words if word is not day]
        clock = next((word for word in rest if re.match(r"^\d", word)), None)
        zone = next((word for word in rest if word is not clock), None)
        if day is None or clock is None or zone is None:
            if not is_admin:
                return self._private(self._texts.get("circle_admin_only"))
            return Response(replies=(Reply(self._texts.get("circle_setup_usage"), form=self.setup_form()),))
        return await self.setup_circle(address, is_admin, weekday=day, local_time=clock, zone=zone)

    async def setup_circle(self, address: Address, is_admin: bool, *, weekday: str | int, local_time: str | time,
                           zone: str) -> Response:
        if not is_admin:
            return self._private(self._texts.get("circle_admin_only"))
        if not address.channel_id:
            return self._private(self._texts.get("circle_need_channel"))
        try:
            day = weekday if isinstance(weekday, int) else parse_weekday(weekday)
            if not 0 <= day <= 6:
                raise RuleError(str(weekday))
        except RuleError:
            return self._private(self._texts.get("circle_bad_day", text=str(weekday)[:20]))
        try:
            at = local_time if isinstance(local_time, time) else parse_time(local_time)
            zone_info(zone)
        except RuleError as problem:
            return self._private(str(problem))
        now = self._clock()
        first = next_post_after(day, at, zone, now)
        circle, created = await self._store.save_circle(
            address.platform, address.workspace_id, address.channel_id, weekday=day,
            local_time=at.strftime("%H:%M"), zone=zone, next_post_at=first, now=now)
        summary = dict(day=DAY_TITLES[day], time=at.strftime("%H:%M"), zone=zone,
                       next=self._local(first, zone))
        if not created:
            return self._private(self._texts.get("circle_updated", **summary))
        posts: tuple[ChannelPost, ...] = ()
        if self._content.care_notice is not None:
            notice = self._content.care_notice
            posts = (self._post(circle, Reply(notice.body, title=notice.title, tone=Tone.NOTICE, private=False),
                                PostKind.CARE_NOTICE, pin=True),)
        return Response(replies=(Reply(self._texts.get("circle_saved", **summary)),), posts=posts)

    async def circle_status(self, address: Address, is_admin: bool) -> Response:
        """Configuration and counts only: nothing about any person, and no share's words."""
        if not is_admin:
            return self._private(self._texts.get("circle_admin_only"))
        circle = await self._store.circle_in(address.platform, address.workspace_id, address.channel_id)
        if circle is None:
            return self._private(self._texts.get("circle_none"))
        upcoming = self._local(circle.next_post_at, circle.zone) if circle.next_post_at else "-"
        return self._private(self._texts.get(
            "circle_status", day=DAY_TITLES[circle.weekday], time=circle.local_time, zone=circle.zone,
            next=upcoming, posts=circle.posts_count, shares=circle.shares_count, removed=circle.removed_count))

    # ------------------------------------------------------------ the weekly prompt

    async def due_circle_posts(self, now: datetime | None = None,
                               platforms: Collection[str] | None = None) -> list[ChannelPost]:
        """This week's theme for every circle that is due, each claimed once across instances. A circle
        whose bot was down for weeks gets one prompt, not a backlog. With `platforms`, only circles this
        process can post to are claimed, so an instance running one platform never takes another's prompt."""
        now = now or self._clock()
        posts: list[ChannelPost] = []
        for circle in await self._store.due_circles(now, platforms=platforms):
            if circle.next_post_at is None:
                continue
            at = parse_time(circle.local_time)
            claimed = await self._store.claim_circle_post(
                circle, next_post_at=next_post_after(circle.weekday, at, circle.zone, now),
                week_key=week_key(circle.next_post_at, circle.zone), theme_ids=[theme.id for theme in self._themes],
                now=now)
            if claimed is None:
                continue
            post_id, theme_id = claimed
            theme = next(theme for theme in self._themes if theme.id == theme_id)
            reply = Reply(f"{theme.framing}\n\n{theme.question}",
                          title=self._texts.get("circle_prompt_title", title=theme.title), tone=Tone.PROMPT,
                          private=False, footer=self._texts.get("circle_prompt_footer"))
            posts.append(self._post(circle, reply, PostKind.CIRCLE_PROMPT, ref=str(post_id), open_thread=True))
        return posts

    async def prompt_posted(self, post_ref: str, message_id: str) -> None:
        """The adapter posted a weekly prompt (and opened its thread): later shares go into that thread."""
        if post_ref.isdigit():
            await self._store.prompt_posted(int(post_ref), message_id)

    # ------------------------------------------------------------ anonymous shares

    async def share(self, address: Address, raw_text: str) -> Response:
        circle = await self._store.circle_in(address.platform, address.workspace_id, address.channel_id)
        if circle is None:
            return self._private(self._texts.get("circle_none"))
        text = clean_text(raw_text)
        if not text:
            return Response(replies=(Reply(self._texts.get("share_empty"), form=self.share_form()),))
        if len(text) > self._share_max_length:
            return self._private(self._texts.get("share_too_long", length=len(text), limit=self._share_max_length))
        crisis = await self._gate.check(address, text)
        if crisis:
            return Response(replies=tuple(crisis))  # never stored, never posted, never counted
        today = self._clock().astimezone(UTC).date()
        quota_tag = self._pseudonyms.person("share-quota", today.isoformat(), address)
        if not await self._store.take_share_quota(quota_tag, today, self._shares_per_day):
            return self._private(self._texts.get("share_limit", limit=self._shares_per_day))
        share_id = new_public_id()
        await self._store.add_share(share_id, circle.id, text,
                                    self._pseudonyms.person("share-author", share_id, address), today)
        remove = Question(CIRCLE_SESSION, REMOVE_STEP, InputKind.SINGLE, skippable=False,
                          choices=(Choice(share_id, self._texts.get("share_remove_label")),))
        post = Reply(inert(text), title=self._texts.get("share_title"), tone=Tone.INFO, private=False,
                     footer=self._texts.get("share_footer"), question=remove)
        delete = Question(CIRCLE_SESSION, DELETE_STEP, InputKind.SINGLE, skippable=False,
                          choices=(Choice(share_id, self._texts.get("share_delete_label")),))
        thread = await self._store.latest_prompt_message(circle.id) or ""
        return Response(replies=(Reply(self._texts.get("share_posted"), question=delete),),
                       posts=(self._post(circle, post, PostKind.SHARE, ref=share_id, thread_id=thread),))

    async def share_posted(self, share_id: str, message_id: str) -> None:
        await self._store.share_posted(share_id, message_id)

    async def remove_share(self, address: Address, is_moderator: bool, share_id: str) -> Response:
        """A moderator takes a share down. The reply is the same whoever wrote it: there is nothing to tell."""
        if not is_moderator:
            return self._private(self._texts.get("share_not_moderator"))
        share = await self._live_share(address, share_id)
        # A moderator's rights are those of the server the click came from: only in the share's own channel (or
        # its thread) do they count, so a moderator elsewhere cannot take down another server's share.
        if share is None or not self._in_share_channel(share, address) \
                or not await self._store.close_share(share, REMOVED):
            return self._private(self._texts.get("share_gone"))
        return Response(replies=(Reply(self._texts.get("share_removed")),), removals=self._removal(share))

    async def delete_own_share(self, address: Address, share_id: str) -> Response:
        share = await self._live_share(address, share_id)
        if share is None:
            return self._private(self._texts.get("share_gone"))
        if not Pseudonyms.same(share.author_tag, self._pseudonyms.person("share-author", share_id, address)):
            return self._private(self._texts.get("share_not_yours"))
        if not await self._store.close_share(share, DELETED):
            return self._private(self._texts.get("share_gone"))
        return Response(replies=(Reply(self._texts.get("share_deleted")),), removals=self._removal(share))

    async def forget_author(self, address: Address) -> tuple[Removal, ...]:
        """/forget: take down every share this person still has up (found by recomputing their author tag for
        each live share; nothing else links a share to anyone), and drop their daily share count."""
        today = self._clock().astimezone(UTC).date()
        await self._store.drop_share_quota([self._pseudonyms.person("share-quota", day.isoformat(), address)
                                            for day in (today - timedelta(days=1), today)])
        removals: list[Removal] = []
        for share in await self._store.live_shares(address.platform):
            mine = Pseudonyms.same(share.author_tag, self._pseudonyms.person("share-author", share.id, address))
            if mine and await self._store.close_share(share, DELETED):
                removals.extend(self._removal(share))
        return tuple(removals)

    async def on_pick(self, address: Address, token: ParsedToken, *, is_moderator: bool) -> Response | None:
        """A click on a circle button (token session "circle"); None when the token is not a circle's."""
        if token.session_id != CIRCLE_SESSION:
            return None
        if token.step_id == REMOVE_STEP:
            return await self.remove_share(address, is_moderator, token.value)
        if token.step_id == DELETE_STEP:
            return await self.delete_own_share(address, token.value)
        return Response(replies=(Reply(self._texts.get("stale_click"), stale=True),))

    # ------------------------------------------------------------ helpers

    async def _live_share(self, address: Address, share_id: str) -> ShareRecord | None:
        share = await self._store.share(share_id) if share_id else None
        if share is None or share.status not in (PENDING, POSTED):
            return None
        if (share.platform, share.workspace_id) != (address.platform, address.workspace_id):
            return None
        return share

    @staticmethod
    def _in_share_channel(share: ShareRecord, address: Address) -> bool:
        thread = share.message_id.split("/", 1)[0] if share.message_id and "/" in share.message_id else None
        return bool(address.channel_id) and address.channel_id in (share.channel_id, thread)

    @staticmethod
    def _removal(share: ShareRecord) -> tuple[Removal, ...]:
        if not share.message_id:
            return ()
        return (Removal(share.platform, share.workspace_id, share.channel_id, share.message_id),)

    @staticmethod
    def _private(text: str) -> Response:
        return Response(replies=(Reply(text),))

    @staticmethod
    def _post(circle: CircleRecord, reply: Reply, kind: PostKind, *, ref: str = "", pin: bool = False,
              open_thread: bool = False, thread_id: str = "") -> ChannelPost:
        return ChannelPost(circle.platform, circle.workspace_id, circle.channel_id, reply, kind, ref=ref, pin=pin,
                           open_thread=open_thread, thread_id=thread_id)

    @staticmethod
    def _local(moment: datetime, zone: str) -> str:
        return moment.astimezone(zone_info(zone)).strftime("%a %d %b %H:%M")
