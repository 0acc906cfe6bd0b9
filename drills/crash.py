"""Drill 1 — crash: the bot is SIGKILLed at random moments while thousands of prompts go out, and restarted; on
Discord (this module's `run`) and on Slack (`drills.crash_slack`).

Promise (issue 4): nothing is lost. Issue 22: no prompt twice, even when the process died between the platform
accepting a prompt and its `sent` record (Discord keeps one copy per nonce; on Slack the DM is looked at first),
and what the killed process held goes out within seconds of the restart, not after its lease.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from drills.common import (
    TOKEN,
    BotProcess,
    DrillDiscord,
    DrillResult,
    Person,
    Received,
    bot_environment,
    busiest_second,
    finished,
    fresh_database,
    greeting_text,
    keygen,
    make_people,
    migrate,
    percentile,
    query,
    received,
    seed,
    spread,
    tally,
    wait_for_identify,
    workspace,
)

LATE_AFTER_KILL_S = 15.0  # issue 22: p99 of how late a kill makes the prompts the killed process held


async def run(quick: bool) -> DrillResult:
    people_count, kills, minutes = (500, 2, 1) if quick else (10_000, 5, 3)
    result = DrillResult(
        "crash", "SIGKILL at random moments, restart", quick=quick,
        what=(f"{people_count:,} daily prompts due within {minutes} minute(s) (half the people with a known DM "
              f"channel, half opened on first send) go out through the real bot process to the fake Discord; the "
              f"process is killed with SIGKILL {kills} times at random moments once it is up, and restarted "
              f"after 0-2 s. Afterwards every person's DMs are counted against the deliveries table."))
    # Rate-limit headers on successful answers, as Discord sends them (docs/reliability.md, finding 10).
    async with DrillDiscord(token=TOKEN, ratelimit_headers=True) as fake, fresh_database() as dsn, \
            workspace("crash") as folder:
        people = make_people(fake, people_count, minutes=minutes)
        bot = BotProcess("bot", bot_environment(fake, dsn, keygen(), folder), folder)

        async def ready() -> None:
            await wait_for_identify(fake, bot.starts, [bot])

        greeting = greeting_text()
        platform = Platform("discord", bot, ready, lambda: sum(len(m) for m in fake.messages.values()),
                            lambda: received(fake, people, greeting), seed_options={})
        await crash_and_count(result, platform, dsn, people, kills, people_count / 45)
        busiest = busiest_second(moment for moment, _, _, _ in fake.times)
        result.numbers["busiest second (REST requests)"] = f"{busiest} (Discord's global limit: 50/s)"
        result.numbers["creates answered from Discord's nonce window (a repeat, not a new message)"] = \
            str(fake.nonce_replays)
        result.check("paced under Discord's global limit", busiest <= 50,
                     f"busiest second: {busiest} REST requests (limit 50/s; the Pacer allows 40 requests/s, every "
                     f"request of the client 42/s + 3)")
    return result


@dataclass
class Platform:
    name: str
    bot: BotProcess
    ready: Callable[[], Any]  # awaitable: the started bot can deliver
    messages: Callable[[], int]  # messages accepted so far
    got: Callable[[], Mapping[int, Received]]  # what people received, by user id
    seed_options: dict[str, Any]


async def crash_and_count(result: DrillResult, platform: Platform, dsn: str, people: Sequence[Person], kills: int,
                          expected_send_s: float) -> None:
    """Seed, start, kill and restart `kills` times, wait until the outbox is settled, then count."""
    rng = random.Random()
    greeting = greeting_text()
    started = time.monotonic()
    bot = platform.bot
    await migrate(dsn)
    await seed(dsn, people, **platform.seed_options)
    await bot.start()
    kill_log: list[str] = []
    held: dict[int, int] = {}  # identity id -> the kill (index) of the process that held its leased row
    ups: list[float] = []  # when each start was up (connected / listening)
    for number in range(kills):
        # Killed while it sends: once it is up (on a busy machine start-up alone can outlast the whole run).
        await platform.ready()
        ups.append(time.time())
        wait = rng.uniform(1.0, max(3.0, 2 * expected_send_s / (kills + 1)))
        await asyncio.sleep(wait)
        before = platform.messages()
        await bot.kill()
        for row in await query(dsn, "SELECT identity_id FROM deliveries WHERE status = 'sending'"):
            held.setdefault(int(row["identity_id"]), number)
        kill_log.append(f"#{number + 1} {wait:.1f} s after start #{bot.starts} was up ({before} messages so far)")
        await asyncio.sleep(rng.uniform(0.0, 2.0))
        await bot.start()
    await platform.ready()
    ups.append(time.time())
    deadline = time.monotonic() + expected_send_s + 240
    while time.monotonic() < deadline:
        done, _ = await finished(dsn, len(people))
        if done:
            break
        if not bot.alive:
            code = bot.process.returncode if bot.process else "?"
            result.findings.append(f"the bot exited by itself (code {code}):\n{bot.log_tail()}")
            break
        await asyncio.sleep(1.0)
    await asyncio.sleep(3.0)  # anything still in flight lands now, duplicates included
    await bot.stop()
    got = platform.got()
    counted = await tally(None, dsn, people, greeting, got)
    late = late_after_kill(people, {who: bot.kills[kill] for who, kill in held.items()}, got)
    after_up = late_after_kill(people, {who: ups[kill + 1] for who, kill in held.items()}, got,
                               {who: bot.kills[kill] for who, kill in held.items()})
    restarts = [up - killed for killed, up in zip(bot.kills, ups[1:], strict=False)]
    order = restart_order(people, held, got, bot.kills, ups[1:])

    duplicates = sum(counted.extra.values())
    result.numbers.update({
        "people / prompts due": f"{len(people):,}",
        "kills (SIGKILL)": f"{len(bot.kills)}: " + "; ".join(kill_log),
        "delivered exactly once": f"{counted.once:,}",
        "lost": f"{len(counted.lost)}",
        "duplicates (extra copies)": f"{duplicates} to {len(counted.extra)} people",
        "partial prompts (a greeting without its question)": f"{counted.partial}",
        "outbox at the end": str(dict(counted.status)),
        "accepted -> recorded window (first message accepted by the platform until `sent` committed)":
            spread(counted.window_s, "s", 3),
        "due -> first delivery": spread(counted.latency_s, "s", 1),
        "prompts a killed process held (leased, not yet sent)": f"{len(held)}",
        "held by a killed process: first delivery after max(due, kill)": spread(late, "s", 1),
        "  of which: kill -> the restarted process up (connected / listening)": spread(restarts, "s", 1),
        "  of which: after the restarted process was up (first delivery - max(due, up))": spread(after_up, "s", 1),
        "  of which: the restarted process up -> its first prompt accepted": order.first_send,
        "  prompts not held that went out before the last held one (per restart: overtaken by)": order.overtaking,
        "bot starts": str(bot.starts),
    })
    result.check("nothing lost", not counted.lost and not counted.sent_not_received,
                 f"{len(counted.lost)} people got no prompt; {len(counted.sent_not_received)} recorded as sent but "
                 f"never received")
    recorded = counted.status.get("sent", 0)
    result.check("every prompt recorded", not counted.received_not_sent and recorded == len(people),
                 f"{counted.status.get('sent', 0)} of {len(people)} outbox rows are `sent`; "
                 f"{len(counted.received_not_sent)} received but not recorded")
    result.check("no prompt twice", duplicates == 0,
                 f"{duplicates} extra copies after {len(bot.kills)} kills; the accepted-but-not-recorded window "
                 f"measured on every prompt: {spread(counted.window_s, 's', 3)}")
    p99 = percentile(late, 99) if late else 0.0
    result.check(f"what a killed process held goes out within {LATE_AFTER_KILL_S:.0f} s (p99)",
                 p99 <= LATE_AFTER_KILL_S,
                 f"p99 {p99:.1f} s after the kill (or the due time, if later), restart included; "
                 f"{len(late)} prompts held at a kill" if late else "no prompt was held at a kill")
    result.seconds = time.monotonic() - started


@dataclass(frozen=True)
class RestartOrder:
    first_send: str
    overtaking: str


def restart_order(people: Sequence[Person], held: Mapping[int, int], got: Mapping[int, Received],
                  kills: Sequence[float], ups: Sequence[float]) -> RestartOrder:
    """Where the time after a restart goes: how long the restarted process took to send its first prompt, and how
    many prompts the killed process had not held went out ahead of the last one it held (queueing behind them)."""
    firsts = {person.identity_id: min(got[person.user_id].sessions.values()) for person in people
              if person.user_id in got and got[person.user_id].sessions}
    first_send, overtaking = [], []
    for number, (killed, up) in enumerate(zip(kills, ups, strict=False)):
        after = [moment for moment in firsts.values() if moment > killed]
        first_send.append(f"{min(after) - up:.1f} s" if after else "n/a")
        mine = [firsts[who] for who, kill in held.items() if kill == number and firsts.get(who, 0.0) > killed]
        if not mine:
            overtaking.append("0")
            continue
        last = max(mine)
        ahead = sum(1 for who, moment in firsts.items() if killed < moment < last and held.get(who) != number)
        overtaking.append(f"{ahead} (of {len(mine)} held)")
    return RestartOrder(", ".join(first_send) or "n/a", ", ".join(overtaking) or "n/a")


def late_after_kill(people: Sequence[Person], since: Mapping[int, float], got: Mapping[int, Received],
                    killed: Mapping[int, float] | None = None) -> list[float]:
    """For each prompt a killed process held and had not yet delivered: first delivery - max(due, `since`)."""
    late = []
    for person in people:
        moment = since.get(person.identity_id)
        mine = got.get(person.user_id)
        if moment is None or mine is None or not mine.sessions:
            continue
        first = min(mine.sessions.values())
        if first < (killed or since)[person.identity_id]:
            continue  # it had gone out before the kill: not held back by it
        late.append(first - max(person.due_from, moment))
    return late


