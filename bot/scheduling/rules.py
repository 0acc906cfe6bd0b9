"""Schedule rules and their calendar math: pure, zone-aware, computed once per distinct (rule, zone).

A rule is: which weekdays, one to three local times, an IANA zone, and quiet hours. Each configured
time fires once per local day:
- a local time that does not exist (spring forward) fires at the first valid instant after it;
- a local time that happens twice (fall back) fires once, at its first occurrence.
Every firing has a `slot` ("2026-03-29T02:30"): the local date and configured time it stands for. The
outbox is unique per (schedule, slot), which is what makes "once" hold across restarts and instances.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY = 0b1111111
WEEKDAYS = 0b0011111
WEEKEND = 0b1100000
MAX_TIMES = 3
DEFAULT_QUIET = (time(21, 0), time(8, 0))


class RuleError(ValueError):
    """A rule a person typed that cannot be used; the message says how to fix it."""


@dataclass(frozen=True)
class Rule:
    days: int
    times: tuple[time, ...]
    zone: str
    quiet: tuple[time, time] | None = DEFAULT_QUIET

    def __post_init__(self) -> None:
        if not 0 < self.days <= EVERY_DAY:
            raise RuleError("pick at least one day")
        if not 1 <= len(self.times) <= MAX_TIMES:
            raise RuleError(f"pick one to {MAX_TIMES} times a day")
        zone_info(self.zone)

    @property
    def tz(self) -> ZoneInfo:
        return zone_info(self.zone)

    def runs_on(self, day: date) -> bool:
        return bool(self.days >> day.weekday() & 1)


@lru_cache(maxsize=1024)
def zone_info(name: str) -> ZoneInfo:
    try:
        if name != name.strip() or not name:
            raise ZoneInfoNotFoundError(name)
        return ZoneInfo(name)
    # OSError: a name the file system refuses (too long, odd bytes) is simply not a zone either.
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise RuleError(f"'{name[:40]}' is not a time zone I know; try a city like Europe/Berlin") from exc


@dataclass(frozen=True)
class Firing:
    at: datetime  # UTC
    slot: str  # local date and configured time, e.g. "2026-03-29T02:30"

    def local(self, zone: str) -> datetime:
        return self.at.astimezone(zone_info(zone))


def resolve_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant for a wall-clock time on a day: the first occurrence if it happens twice,
    the first valid instant after it if it does not exist."""
    naive = datetime.combine(day, at)
    first = naive.replace(tzinfo=tz, fold=0)
    utc = first.astimezone(UTC)
    if utc.astimezone(tz).replace(tzinfo=None) == naive:
        return utc
    # A gap: the wall time was skipped. Find the transition (the first instant whose wall time is past
    # `naive`) by bisection on whole seconds between two bounds around it.
    low = int(min(utc, naive.replace(tzinfo=tz, fold=1).astimezone(UTC)).timestamp()) - 4 * 3600
    high = int(max(utc, naive.replace(tzinfo=tz, fold=1).astimezone(UTC)).timestamp()) + 4 * 3600
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).replace(tzinfo=None) > naive:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def in_quiet_hours(local: datetime, quiet: tuple[time, time] | None) -> bool:
    if quiet is None:
        return False
    start, end = quiet
    now = local.time().replace(tzinfo=None)
    if start == end:
        return False
    return start <= now < end if start < end else now >= start or now < end


@lru_cache(maxsize=16384)
def _steady_offset(zone: str, day: date) -> timedelta | None:
    """The zone's UTC offset if it is the same all that local day (no DST change), else None."""
    tz = zone_info(zone)
    offsets = {datetime.combine(day, at, tzinfo=tz).replace(fold=fold).utcoffset()
               for at in (time(0), time(12), time(23, 59, 59)) for fold in (0, 1)}
    steady = offsets.pop() if len(offsets) == 1 else None
    return steady


def _firings_on(rule: Rule, day: date) -> list[Firing]:
    if not rule.runs_on(day):
        return []
    prefix = day.isoformat()
    offset = _steady_offset(rule.zone, day)
    if offset is not None:  # most days: plain arithmetic, no search for a gap or an overlap
        firings = [Firing((datetime.combine(day, at) - offset).replace(tzinfo=UTC),
                          f"{prefix}T{at.hour:02d}:{at.minute:02d}") for at in rule.times]
    else:
        tz = rule.tz
        firings = [Firing(resolve_local(day, at, tz), f"{prefix}T{at.hour:02d}:{at.minute:02d}")
                   for at in rule.times]
    return sorted(firings, key=lambda firing: firing.at)


def firings_after(rule: Rule, after: datetime, *, quiet: bool = False) -> Iterator[Firing]:
    """Every firing strictly after `after` (UTC), earliest first; with `quiet`, skipping quiet hours."""
    tz = rule.tz
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _ in range(3700):  # ten years of days, at most
        for firing in _firings_on(rule, day):
            if firing.at > after and not (quiet and in_quiet_hours(firing.local(rule.zone), rule.quiet)):
                yield firing
        day += timedelta(days=1)


def next_firing(rule: Rule, after: datetime) -> Firing:
    return next(firings_after(rule, after))


_EPOCH_DAY = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=16384)
def _steady_midnight(zone: str, ordinal: int) -> float | None:
    """The Unix time of local midnight of that day if the zone's offset is the same all day, else None."""
    offset = _steady_offset(zone, date.fromordinal(ordinal))
    return None if offset is None else (ordinal - _EPOCH_DAY) * 86400 - offset.total_seconds()


@lru_cache(maxsize=16384)
def _marks(times: tuple[time, ...]) -> tuple[tuple[int, str], ...]:
    return tuple(sorted((at.hour * 3600 + at.minute * 60, f"{at.hour:02d}:{at.minute:02d}") for at in times))


SteadyFiring = tuple[float, int, str]  # Unix time, local day (ordinal), configured time "HH:MM"


def steady_firings(days: int, zone: str, marks: tuple[tuple[int, str], ...], today: int,
                   now_ts: float) -> tuple[SteadyFiring, SteadyFiring | None] | None:
    """The next firing after `now_ts` and the latest at or before it, as plain numbers, when no DST change
    touches the days looked at; None otherwise (then use the exact path). `today` is the local day's ordinal."""
    latest: SteadyFiring | None = None
    for ordinal in range(today + 1, today - 8, -1):
        if not days >> (ordinal - 1) % 7 & 1:  # ordinal 1 was a Monday
            continue
        start = _steady_midnight(zone, ordinal)
        if start is None:
            return None
        for second, label in reversed(marks):
            if start + second <= now_ts:
                latest = (start + second, ordinal, label)
                break
        if latest is not None:
            break
    for ordinal in range(today - 1, today + 9):
        if not days >> (ordinal - 1) % 7 & 1:
            continue
        start = _steady_midnight(zone, ordinal)
        if start is None:
            return None
        for second, label in marks:
            if start + second > now_ts:
                return (start + second, ordinal, label), latest
    return None


def steady_firing(firing: SteadyFiring) -> Firing:
    at, ordinal, label = firing
    return Firing(datetime.fromtimestamp(at, UTC), f"{date.fromordinal(ordinal).isoformat()}T{label}")


def claim_firings(rule: Rule, now: datetime) -> tuple[Firing, Firing | None]:
    """`next_firing(rule, now)` and `last_firing_at_or_before(rule, now)` at once: what a claim needs of a
    due rule. On days without a DST change it is arithmetic on seconds and day numbers (a claim after an
    outage runs it for every distinct rule); around a change it is the exact path."""
    found = steady_firings(rule.days, rule.zone, _marks(rule.times), now.astimezone(rule.tz).toordinal(),
                           now.timestamp())
    if found is None:
        return _claim_firings_exact(rule, now)
    upcoming, latest = found
    return steady_firing(upcoming), None if latest is None else steady_firing(latest)


def _claim_firings_exact(rule: Rule, now: datetime) -> tuple[Firing, Firing | None]:
    return next_firing(rule, now), last_firing_at_or_before(rule, now)


def last_firing_at_or_before(rule: Rule, moment: datetime) -> Firing | None:
    tz = rule.tz
    day = moment.astimezone(tz).date() + timedelta(days=1)
    for _ in range(9):
        for firing in reversed(_firings_on(rule, day)):
            if firing.at <= moment:
                return firing
        day -= timedelta(days=1)
    return None


# ---------------------------------------------------------------- parsing what people type

_DAY_WORD = re.compile(r"(mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(day|nesday|rsday|urday)?s?")
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip().lower())
    if not match:
        raise RuleError(f"'{text[:20]}' isn't a time I can read; try 09:00 or 6pm")
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            raise RuleError(f"'{text[:20]}' isn't a time I can read; try 09:00 or 6pm")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise RuleError(f"'{text[:20]}' isn't a time of day; try 09:00 or 6pm")
    return time(hour, minute)


def parse_days(text: str) -> int:
    """'mon-fri', 'weekdays', 'weekends', 'daily', 'mon,wed,fri', 'sat sun'."""
    words = text.strip().lower().replace(" ", ",")
    named = {"daily": EVERY_DAY, "everyday": EVERY_DAY, "every-day": EVERY_DAY, "all": EVERY_DAY,
             "weekdays": WEEKDAYS, "workdays": WEEKDAYS, "weekends": WEEKEND, "weekend": WEEKEND}
    mask = 0
    for part in filter(None, words.split(",")):
        if part in named:
            mask |= named[part]
            continue
        ends = part.split("-")
        if not all(_DAY_WORD.fullmatch(end) for end in ends):
            raise RuleError(f"'{part[:20]}' isn't a day I know; try mon-fri, weekends or mon,wed,fri")
        indexes = [DAY_NAMES.index(end[:3]) for end in ends]
        if len(indexes) == 1:
            mask |= 1 << indexes[0]
        elif len(indexes) == 2:
            start, end = indexes
            index = start
            while True:
                mask |= 1 << index
                if index == end:
                    break
                index = (index + 1) % 7
        else:
            raise RuleError(f"'{part[:20]}' isn't a day range; try mon-fri")
    if not mask:
        raise RuleError("pick at least one day, e.g. mon-fri or daily")
    return mask


def describe_days(mask: int) -> str:
    if mask == EVERY_DAY:
        return "every day"
    if mask == WEEKDAYS:
        return "Monday to Friday"
    if mask == WEEKEND:
        return "weekends"
    return ", ".join(name.capitalize() for index, name in enumerate(DAY_NAMES) if mask >> index & 1)


def days_text(mask: int) -> str:
    """The days as a person would type them back: 'daily', 'mon-fri', 'weekends', 'mon,wed,fri'."""
    named = {EVERY_DAY: "daily", WEEKDAYS: "mon-fri", WEEKEND: "weekends"}
    return named.get(mask) or ",".join(name for index, name in enumerate(DAY_NAMES) if mask >> index & 1)


def parse_quiet(text: str) -> tuple[time, time] | None:
    cleaned = text.strip().lower()
    if cleaned in ("off", "none", "no"):
        return None
    parts = [part for part in re.split(r"\s*(?:-|–|to)\s*", cleaned) if part]
    if len(parts) != 2:
        raise RuleError("quiet hours look like 21:00-08:00 (or 'off')")
    return parse_time(parts[0]), parse_time(parts[1])


# ---------------------------------------------------------------- finding a zone

_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?$")


# Offered first when several zones fit an offset: the ones most people mean.
_WELL_KNOWN = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto",
               "America/Sao_Paulo", "America/Mexico_City", "Europe/London", "Europe/Dublin", "Europe/Paris",
               "Europe/Berlin", "Europe/Madrid", "Europe/Amsterdam", "Africa/Johannesburg", "Asia/Kolkata",
               "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney", "Australia/Perth", "Pacific/Auckland")


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    """Canonical zones only (zone1970.tab), so one city never appears under two names."""
    canonical: set[str] = set()
    try:  # tzdata, a dependency, ships the IANA tables that list the canonical zones
        table = resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab")
        for line in table.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                canonical.add(line.split("\t")[2])
    except (ModuleNotFoundError, OSError, IndexError):
        canonical = {zone for zone in available_timezones() if "/" in zone}
    ordered = [zone for zone in _WELL_KNOWN if zone in canonical]
    return tuple(ordered + sorted(canonical - set(ordered)))


def find_zones(query: str, *, now: datetime | None = None, limit: int = 10) -> list[str]:
    """Zones for what a person types: an IANA name, a city ('berlin', 'new york'), or an offset ('UTC+2')."""
    text = query.strip()
    if not text:
        return []
    try:
        zone_info(text)
        if "/" in text or text.upper() == "UTC":
            return [text]
    except RuleError:
        pass
    lowered = text.lower().replace(" ", "_")
    offset = _OFFSET.match(text.lower().replace(" ", ""))
    if offset or lowered in ("utc", "gmt"):
        sign, hours, minutes = (offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)) if offset \
            else ("+", 0, 0)
        wanted = timedelta(hours=hours, minutes=minutes) * (1 if sign == "+" else -1)
        moment = now or datetime.now(UTC)
        return [zone for zone in _zones() if moment.astimezone(zone_info(zone)).utcoffset() == wanted][:limit]
    exact = [zone for zone in _zones() if zone.lower().rsplit("/", 1)[-1] == lowered]
    if exact:
        return exact[:limit]
    return [zone for zone in _zones() if lowered in zone.lower()][:limit]


# ---------------------------------------------------------------- fixed offsets ("UTC+2")


def fixed_offset_zone(query: str) -> str | None:
    """A whole-hour offset as a fixed zone: "UTC+2", "UTC+02:00", "GMT+1", "UTC-5", "+3" -> "Etc/GMT-2" (the
    IANA sign is the other way round). None for anything else, including "+5:30", which needs a real zone."""
    offset = _OFFSET.match(query.strip().lower().replace(" ", ""))
    if offset is None or int(offset.group(3) or 0) != 0:
        return None
    sign, hours = offset.group(1), int(offset.group(2))
    if hours == 0:
        return "UTC"
    if hours > (14 if sign == "+" else 12):
        return None
    return f"Etc/GMT{'-' if sign == '+' else '+'}{hours}"


def zone_label(zone: str) -> str:
    """A zone as a person reads it: "Etc/GMT-2" is shown as "UTC+2"; every other zone by its own name."""
    fixed = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", zone)
    if fixed is None:
        return zone
    return f"UTC{'-' if fixed.group(1) == '+' else '+'}{int(fixed.group(2))}"
