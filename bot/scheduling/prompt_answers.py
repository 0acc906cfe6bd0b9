"""The answers to a delivered prompt: its Snooze buttons (or /snooze), and the kind question about the rhythm
after three unanswered prompts (keep, less often, pause)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta

from bot.content.loader import Texts
from bot.messages import Choice, InputKind, Question, Reply, Tone
from bot.scheduling.rules import (
    Rule,
    in_quiet_hours,
    zone_info,
)
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import ScheduleRecord, ScheduleStore

UNTIL_RESUMED = datetime(9999, 1, 1, tzinfo=UTC)
SNOOZE_SESSION, DIALDOWN_SESSION = "snooze", "dd"
SNOOZE_CHOICES = ("1h", "evening", "tomorrow", "skip")
DIALDOWN_CHOICES = ("keep", "less", "pause")
EVENING = time(19, 0)


def fmt_local(moment: datetime, zone: str) -> str:
    local = moment.astimezone(zone_info(zone))
    return local.strftime("%a %d %b %H:%M")



class PromptAnswers:
    def __init__(self, store: ScheduleStore, texts: Texts, clock: Callable[[], datetime],
                 describe: Callable[[ScheduleRecord], str],
                 put_away: Callable[[int, str], Awaitable[None]] | None = None,
                 snoozes: PendingSnoozes | None = None) -> None:
        self._store = store
        self._texts = texts
        self._clock = clock
        self._describe = describe  # a schedule in words, as /schedule shows it
        self._put_away = put_away  # sets aside a snoozed or skipped prompt's check-in, if still untouched
        self._snoozes = snoozes

    def prompt_question(self, delivery_id: int) -> Question:
        return Question(session_id=SNOOZE_SESSION, step_id=str(delivery_id), kind=InputKind.SINGLE,
                        choices=tuple(Choice(choice, self._texts.get(f"snooze_choice_{choice}"))
                                      for choice in SNOOZE_CHOICES), skippable=False, command="snooze")

    def dialdown_question(self, schedule_id: int) -> Question:
        return Question(session_id=DIALDOWN_SESSION, step_id=str(schedule_id), kind=InputKind.SINGLE,
                        choices=tuple(Choice(choice, self._texts.get(f"dialdown_{choice}_label"))
                                      for choice in DIALDOWN_CHOICES), skippable=False, command="schedule")

    async def snooze(self, identity_id: int, choice: str, delivery_id: int | None = None) -> list[Reply]:
        latest = await self._store.latest_prompt(identity_id)
        if latest is None or (delivery_id is not None and latest[0] != delivery_id):
            return [Reply(self._texts.get("snooze_nothing"), tone=Tone.INFO)]
        record = await self._store.get(identity_id)
        if record is None or record.id != latest[1]:
            return [Reply(self._texts.get("snooze_nothing"), tone=Tone.INFO)]
        choice = {"hour": "1h", "1hour": "1h", "60m": "1h", "tonight": "evening", "later": "1h"}.get(choice, choice)
        if choice not in SNOOZE_CHOICES:
            return [Reply(self._texts.get("snooze_unknown"), tone=Tone.NOTICE)]
        await self._store.reset_unanswered(identity_id)  # a snooze or a skip is hearing back
        if self._put_away is not None and latest[3]:
            await self._put_away(identity_id, latest[3])  # later means later: it no longer takes answers now
        if choice == "skip":
            dropped = await self._snoozes.drop(identity_id) if self._snoozes is not None else 0
            return [Reply(self._texts.get("prompt_skipped_snooze" if dropped else "prompt_skipped"), tone=Tone.INFO)]
        now = self._clock()
        tz = record.rule.tz
        local_now = now.astimezone(tz)
        if choice == "1h":
            at, when = now + timedelta(hours=1), "in an hour"
        elif choice == "evening" and local_now.time() < EVENING:
            at = datetime.combine(local_now.date(), EVENING, tzinfo=tz).astimezone(UTC)
            when = f"this evening ({EVENING.strftime('%H:%M')})"
        else:
            slot_time = time.fromisoformat(latest[2][11:16]) if len(latest[2]) >= 16 else record.rule.times[0]
            at = datetime.combine(local_now.date() + timedelta(days=1), slot_time, tzinfo=tz).astimezone(UTC)
            when = f"tomorrow at {slot_time.strftime('%H:%M')}"
        if in_quiet_hours(at.astimezone(tz), record.rule.quiet) and record.rule.quiet is not None:
            end = record.rule.quiet[1]
            day = at.astimezone(tz).date() + (timedelta(days=1) if at.astimezone(tz).time() >= end else timedelta())
            at = datetime.combine(day, end, tzinfo=tz).astimezone(UTC)
            when = f"after your quiet hours ({fmt_local(at, record.rule.zone)})"
        if record.next_fire_at is not None and at >= record.next_fire_at:
            # The regular prompt comes first (or at the same moment): it is the one that arrives.
            return [Reply(self._texts.get("snoozed", when=when), tone=Tone.INFO)]
        await self._store.add_extra(record.id, identity_id, snooze_slot(latest[2]), "snooze", at, replace_pending=True)
        return [Reply(self._texts.get("snoozed", when=when), tone=Tone.INFO)]

    async def dialdown(self, identity_id: int, schedule_id: int, choice: str) -> list[Reply]:
        record = await self._store.get(identity_id)
        if record is None or record.id != schedule_id or choice not in DIALDOWN_CHOICES:
            return [Reply(self._texts.get("stale_click"), tone=Tone.NOTICE, stale=True)]
        if choice == "pause":
            await self._store.set_pause(identity_id, UNTIL_RESUMED, "pause")
            return [Reply(self._texts.get("dialdown_paused"), tone=Tone.INFO)]
        if choice == "keep":
            await self._store.set_dialdown(schedule_id, asked=False, reset_unanswered=True)
            return [Reply(self._texts.get("dialdown_kept"), tone=Tone.INFO)]
        saved = await self._store.save(identity_id, less_often(record.rule), record.flow_id)
        return [Reply(self._texts.get("dialdown_less", schedule=self._describe(saved).split("\n")[0]), tone=Tone.INFO)]


def snooze_slot(slot: str) -> str:
    """The outbox key of a snooze of `slot`: snoozing again before it arrives moves it, after it
    arrived makes the next one ("2026-11-26T09:00~z1", "~z2", ...)."""
    base, _, count = slot.partition("~z")
    return f"{base}~z{int(count) + 1 if count.isdigit() else 1}"


def less_often(rule: Rule) -> Rule:
    """One step quieter: fewer times a day first, then fewer days (Mon/Wed/Fri, then once a week)."""
    if len(rule.times) > 1:
        return Rule(rule.days, rule.times[:1], rule.zone, rule.quiet)
    days = [index for index in range(7) if rule.days >> index & 1]
    if len(days) > 3:
        keep = [day for day in (0, 2, 4) if day in days] or days[::2]
        keep = keep[:3] if len(keep) >= 2 else days[::2][:3]
    elif len(days) > 1:
        keep = days[:1]
    else:
        keep = days
    return Rule(sum(1 << day for day in keep), rule.times, rule.zone, rule.quiet)
