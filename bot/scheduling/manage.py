"""The person's side of scheduling: /schedule, /pause, /vacation, /resume, /skip, /snooze, and the kind
question after three unanswered prompts. Replies only; the dispatcher does the sending."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice

from bot.content.loader import Texts
from bot.content.schema import Flow
from bot.messages import Form, FormField, Reply, Tone
from bot.scheduling.prompt_answers import UNTIL_RESUMED, PromptAnswers, fmt_local, less_often
from bot.scheduling.rules import (
    EVERY_DAY,
    Rule,
    RuleError,
    days_text,
    describe_days,
    find_zones,
    firings_after,
    fixed_offset_zone,
    in_quiet_hours,
    parse_days,
    parse_quiet,
    parse_time,
    zone_info,
    zone_label,
)
from bot.scheduling.snoozes import PendingSnoozes
from bot.scheduling.store import CHECKIN, ScheduleRecord, ScheduleStore

SUMMARY, SUMMARY_FLOW = "summary", "summary"  # the optional weekly summary DM: a schedule of its own kind
_SUNDAY = 1 << 6


class ScheduleCommands:
    def __init__(self, store: ScheduleStore, texts: Texts, flows: dict[str, Flow],
                 clock: Callable[[], datetime], default_zone: str = "",
                 put_away: Callable[[int, str], Awaitable[None]] | None = None,
                 snoozes: PendingSnoozes | None = None) -> None:
        self._put_away = put_away  # sets aside a snoozed or skipped prompt's check-in, if still untouched
        self._snoozes = snoozes
        self._store = store
        self._texts = texts
        self._flows = flows
        self._clock = clock
        self._default_zone = default_zone
        self.answers = PromptAnswers(store, texts, clock, self.describe, put_away, snoozes)

    # ------------------------------------------------------------ describing

    def next_times(self, record: ScheduleRecord, count: int = 3) -> list[datetime]:
        start = self._clock()
        if record.paused(start) and record.paused_until is not None:
            if record.paused_until >= UNTIL_RESUMED:
                return []
            start = record.paused_until
        if record.next_fire_at is not None:
            start = max(start, record.next_fire_at - timedelta(microseconds=1))
        return [firing.at for firing in islice(firings_after(record.rule, start, quiet=True), count)]

    def describe(self, record: ScheduleRecord) -> str:
        rule = record.rule
        flow = self._flows.get(record.flow_id)
        quiet = ""
        if rule.quiet:
            quiet = self._texts.get("schedule_quiet", start=rule.quiet[0].strftime("%H:%M"),
                                    end=rule.quiet[1].strftime("%H:%M"))
        lines = [self._texts.get("schedule_show", flow=flow.title if flow else record.flow_id,
                                 days=describe_days(rule.days),
                                 times=", ".join(at.strftime("%H:%M") for at in rule.times),
                                 zone=zone_label(rule.zone), quiet=quiet)]
        now = self._clock()
        if record.paused(now) and record.paused_until is not None:
            lines.append(self._texts.get("schedule_paused_open") if record.paused_until >= UNTIL_RESUMED
                         else self._texts.get("schedule_paused", until=fmt_local(record.paused_until, rule.zone)))
        upcoming = self.next_times(record)
        if upcoming:
            lines.append(self._texts.get("schedule_next",
                                         times="; ".join(fmt_local(moment, rule.zone) for moment in upcoming)))
        for at in rule.times:
            probe = datetime.combine(now.astimezone(rule.tz).date(), at, tzinfo=rule.tz)
            if in_quiet_hours(probe, rule.quiet):
                lines.append(self._texts.get("schedule_in_quiet", time=at.strftime("%H:%M")))
        return "\n".join(lines)

    def form(self, current: ScheduleRecord | None) -> Form:
        """The schedule as a form, filled in with what is set now (or the usual defaults)."""
        rule = current.rule if current else None
        quiet = rule.quiet if rule else None
        flow = self._flows.get(current.flow_id) if current else None
        return Form(
            name="schedule", title=self._texts.get("schedule_form_title"), command="schedule",
            open_label=self._texts.get("schedule_form_open"), submit_label=self._texts.get("form_save"),
            fields=(
                FormField("flow", self._texts.get("schedule_field_flow"), flow.name if flow else "daily",
                          self._texts.get("schedule_field_flow_hint"), max_length=20),
                FormField("days", self._texts.get("schedule_field_days"), days_text(rule.days) if rule else "daily",
                          self._texts.get("schedule_field_days_hint"), max_length=40),
                FormField("times", self._texts.get("schedule_field_times"),
                          ", ".join(at.strftime("%H:%M") for at in rule.times) if rule else "",
                          self._texts.get("schedule_field_times_hint"), max_length=30),
                FormField("quiet", self._texts.get("schedule_field_quiet"),
                          f"{quiet[0].strftime('%H:%M')}-{quiet[1].strftime('%H:%M')}" if quiet else "off",
                          self._texts.get("schedule_field_quiet_hint"), keyword="quiet", max_length=20),
                # Last: everything after "tz" is read as the zone.
                FormField("zone", self._texts.get("field_zone"),
                          zone_label(rule.zone) if rule else self._default_zone,
                          self._texts.get("schedule_field_zone_hint"), keyword="tz", max_length=60),
            ))

    # ------------------------------------------------------------ /schedule

    async def schedule(self, identity_id: int, args: str) -> list[Reply]:
        current = await self._store.get(identity_id)
        words = [word for word in re.split(r"[\s,]+", args.strip()) if word]
        lowered = [word.lower() for word in words]
        if not words:
            if current is None:
                return self.overview(None)
            shown = self.describe(current)
            snoozed = await self._snoozes.next_at(identity_id) if self._snoozes is not None else None
            if snoozed is not None:
                shown += "\n" + self._texts.get("schedule_snoozed", when=fmt_local(snoozed, current.rule.zone))
            return [Reply(shown, title="Your check-in schedule", form=self.form(current))]
        if lowered[:1] == [SUMMARY]:
            return await self._summary(identity_id, words[1:], current)
        if lowered in (["off"], ["stop"], ["none"], ["clear"]):
            await self._store.delete(identity_id)
            return [Reply(self._texts.get("schedule_removed"), tone=Tone.INFO)]
        if lowered in (["keep"], ["less"]) and current is not None:
            return await self.answers.dialdown(identity_id, current.id, lowered[0])
        try:
            rule, flow_id = self._parse(words, current)
        except RuleError as problem:
            return [Reply(str(problem)[0].upper() + str(problem)[1:] + ".", tone=Tone.NOTICE)]
        except _ZoneQuestion as question:
            return [Reply(question.text, tone=Tone.NOTICE)]
        record = await self._store.save(identity_id, rule, flow_id)
        summary = self.describe(record)
        if zone_label(rule.zone) != rule.zone:
            summary += "\n" + self._texts.get("schedule_fixed_offset", zone=zone_label(rule.zone))
        return [Reply(self._texts.get("schedule_saved", summary=summary), title="Your check-in schedule",
                      form=self.form(record))]

    def overview(self, current: ScheduleRecord | None) -> list[Reply]:
        """What `/schedule` alone shows: the schedule and its form, or the offer to set one up."""
        if current is None:
            return [Reply(self._texts.get("schedule_none"), title="Your check-in schedule", form=self.form(None))]
        return [Reply(self.describe(current), title="Your check-in schedule", form=self.form(current))]

    async def _summary(self, identity_id: int, words: list[str], current: ScheduleRecord | None) -> list[Reply]:
        """/schedule summary sun 18:00 — a weekly summary of the last four weeks, on its own day and time
        (quiet hours, pauses and crisis suppression apply as to every prompt); /schedule summary off."""
        existing = await self._store.get(identity_id, SUMMARY)
        if [word.lower() for word in words] in ([], ["off"], ["stop"], ["none"]):
            if words and existing is not None:
                await self._store.delete(identity_id, SUMMARY)
                return [Reply(self._texts.get("summary_off"), tone=Tone.INFO)]
            return [Reply(self._texts.get("summary_how"), tone=Tone.INFO)]
        try:
            times, days = [], 0
            for word in words:
                if word[:1].isdigit():
                    times.append(parse_time(word))
                else:
                    days |= parse_days(word)
            known = current or existing  # the person's zone and quiet hours, as their check-ins have them
            zone = known.rule.zone if known is not None else self._default_zone
            if not zone:
                raise _ZoneQuestion(self._texts.get("schedule_need_zone"))
            rule = Rule(days or _SUNDAY, tuple(times[:1]) or (time(18, 0),), zone,
                        known.rule.quiet if known is not None else None)
        except RuleError as problem:
            return [Reply(str(problem)[0].upper() + str(problem)[1:] + ".", tone=Tone.NOTICE)]
        except _ZoneQuestion as question:
            return [Reply(question.text, tone=Tone.NOTICE)]
        record = await self._store.save(identity_id, rule, SUMMARY_FLOW, SUMMARY)
        upcoming = self.next_times(record, 1)
        return [Reply(self._texts.get("summary_saved", days=describe_days(rule.days),
                                      time=rule.times[0].strftime("%H:%M"), zone=zone_label(rule.zone),
                                      next=fmt_local(upcoming[0], rule.zone) if upcoming else "—"),
                      tone=Tone.INFO)]

    def _parse(self, words: list[str], current: ScheduleRecord | None) -> tuple[Rule, str]:
        times: list[time] = []
        days: int | None = None
        quiet: tuple[time, time] | str | None = "unset"
        flow_id = "daily"  # a flow is kept only when just the time changes: "/schedule 09:00 mon-fri" is daily
        named_flow = False
        every_day = False
        leftovers: list[str] = []
        index = 0
        while index < len(words):
            word, low = words[index], words[index].lower()
            if low == "quiet" and index + 1 < len(words):
                following = words[index + 1]
                if following.lower() in ("off", "none", "no"):
                    quiet, index = None, index + 2
                    continue
                quiet_text = following if index + 2 >= len(words) or words[index + 2].lower() not in ("to",) \
                    else f"{following} to {words[index + 3] if index + 3 < len(words) else ''}"
                quiet = parse_quiet(quiet_text)
                index += 2 if " to " not in quiet_text else 4
                continue
            if low in ("tz", "timezone", "zone", "in") and index + 1 < len(words):
                leftovers.extend(words[index + 1:])
                break
            if low in {flow.name for flow in self._flows.values()}:
                flow_id = next(flow.id for flow in self._flows.values() if flow.name == low)
                named_flow = True
                every_day = every_day or low == "daily"
                index += 1
                continue
            try:
                times.append(parse_time(word))
                index += 1
                continue
            except RuleError:
                if word[:1].isdigit():  # meant as a time: say what is wrong with it
                    raise
            try:
                days = (days or 0) | parse_days(word)
                index += 1
                continue
            except RuleError as problem:
                if low.endswith(("day", "days")):  # meant as a day ("funday"): say so, not "unknown zone"
                    raise problem from None
            leftovers.append(word)
            index += 1
        if days is None and every_day:
            days = EVERY_DAY
        if not named_flow and days is None and current is not None:
            flow_id = current.flow_id
        zone = self._zone(" ".join(leftovers)) if leftovers else (current.rule.zone if current else
                                                                  self._default_zone)
        if not zone:
            raise _ZoneQuestion(self._texts.get("schedule_need_zone"))
        chosen_times = tuple(sorted(set(times))) if times else (current.rule.times if current else ())
        if not chosen_times:
            raise _ZoneQuestion(self._texts.get("schedule_need_time"))
        if days is None:
            days = current.rule.days if current and current.flow_id == flow_id else (
                _SUNDAY if flow_id == "weekly" else EVERY_DAY)
        if flow_id == "weekly" and bin(days).count("1") > 1:
            raise RuleError(self._texts.get("schedule_weekly_one_day"))
        # Quiet hours only when asked for: a default would silently block an early or late time they chose.
        chosen_quiet = (current.rule.quiet if current else None) if quiet == "unset" else quiet
        assert not isinstance(chosen_quiet, str)
        return Rule(days, chosen_times, zone, chosen_quiet), flow_id

    def _zone(self, query: str) -> str:
        fixed = fixed_offset_zone(query)
        if fixed is not None:  # "UTC+2": a fixed offset, said so when saved (it won't follow daylight saving)
            return fixed
        found = find_zones(query, now=self._clock())
        if len(found) == 1:
            return found[0]
        if not found:
            raise _ZoneQuestion(self._texts.get("schedule_zone_unknown", query=query[:40]))
        raise _ZoneQuestion(self._texts.get("schedule_zone_many", query=query[:40], options=", ".join(found[:6])))

    # ------------------------------------------------------------ pause, vacation, resume, skip

    def parse_until(self, text: str, zone: str) -> datetime:
        """'2026-12-24', 'friday', 'tomorrow', '3 days', '2 weeks' -> the start of that local day, in UTC."""
        cleaned = text.strip().lower().removeprefix("until ").strip()
        today = self._clock().astimezone(zone_info(zone)).date()
        day: date | None = None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
            try:
                day = date.fromisoformat(cleaned)
            except ValueError:
                day = None
        elif cleaned == "tomorrow":
            day = today + timedelta(days=1)
        elif match := re.fullmatch(r"(\d{1,3})\s*(day|days|d|week|weeks|w)", cleaned):
            amount = int(match.group(1)) * (7 if match.group(2).startswith("w") else 1)
            day = today + timedelta(days=amount)
        else:
            names = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
            matches = [index for index, name in enumerate(names) if cleaned and name.startswith(cleaned[:3])]
            if len(cleaned) >= 3 and len(matches) == 1:
                ahead = (matches[0] - today.weekday()) % 7 or 7
                day = today + timedelta(days=ahead)
        if day is not None and day <= today:
            raise RuleError(self._texts.get("date_not_ahead", date=f"{day.day} {day:%b %Y}"))
        if day is None:
            raise RuleError(self._texts.get("bad_date", text=text[:30]))
        return datetime.combine(day, time(0), tzinfo=zone_info(zone)).astimezone(UTC)

    async def pause(self, identity_id: int, args: str, kind: str = "pause") -> list[Reply]:
        record = await self._store.get(identity_id)
        if record is None:
            return [Reply(self._texts.get("no_schedule"), tone=Tone.INFO)]
        until = UNTIL_RESUMED
        if args.strip():
            try:
                until = self.parse_until(args, record.rule.zone)
            except RuleError as problem:
                return [Reply(str(problem), tone=Tone.NOTICE)]
        await self._store.set_pause(identity_id, until, kind)
        if until >= UNTIL_RESUMED:
            return [Reply(self._texts.get("paused_open"), tone=Tone.INFO)]
        shown = until.astimezone(record.rule.tz).strftime("%a %d %b")
        return [Reply(self._texts.get("vacation" if kind == "vacation" else "paused", until=shown), tone=Tone.INFO)]

    async def resume(self, identity_id: int) -> list[Reply]:
        record = await self._store.get(identity_id)
        if record is None:
            return [Reply(self._texts.get("no_schedule"), tone=Tone.INFO)]
        was_paused = record.paused(self._clock())
        await self._store.set_pause(identity_id, None, None)
        refreshed = await self._store.get(identity_id)
        assert refreshed is not None
        upcoming = self.next_times(refreshed, 1)
        following = self._texts.get("schedule_next", times=fmt_local(upcoming[0], refreshed.rule.zone)) \
            if upcoming else ""
        return [Reply(self._texts.get("resumed" if was_paused else "not_paused", next=following), tone=Tone.INFO)]

    async def skip(self, identity_id: int) -> list[Reply]:
        record = await self._store.get(identity_id)
        if record is None:
            return [Reply(self._texts.get("no_schedule"), tone=Tone.INFO)]
        following = await self._store.skip_next(identity_id)
        if following is None:
            return [Reply(self._texts.get("no_schedule"), tone=Tone.INFO)]
        return [Reply(self._texts.get("skip_next", next=fmt_local(following.at, record.rule.zone)), tone=Tone.INFO)]


class _ZoneQuestion(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


__all__ = ["CHECKIN", "ScheduleCommands", "less_often"]
