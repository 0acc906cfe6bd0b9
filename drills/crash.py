"""Drill 1 — crash: the bot is SIGKILLed at random moments while thousands of prompts go out, and restarted.

Promise (issue 4, README "The one duplicate window"): nothing is lost; a prompt is sent twice only if the
platform accepted it and the process died before recording it — at most one per concurrent send.
"""

from __future__ import annotations

import asyncio
import random
import time

from drills.common import (
    CONCURRENCY,
    LEASE_S,
    TOKEN,
    BotProcess,
    DrillDiscord,
    DrillResult,
    bot_environment,
    busiest_second,
    finished,
    fresh_database,
    greeting_text,
    keygen,
    make_people,
    migrate,
    seed,
    spread,
    tally,
    wait_for_identify,
    workspace,
)


async def run(quick: bool) -> DrillResult:
    people_count, kills, minutes = (500, 2, 1) if quick else (10_000, 5, 3)
    result = DrillResult(
        "crash", "SIGKILL at random moments, restart", quick=quick,
        what=(f"{people_count:,} daily prompts due within {minutes} minute(s) (half the people with a known DM "
              f"channel, half opened on first send) go out through the real bot process to the fake Discord; the "
              f"process is killed with SIGKILL {kills} times at random moments (startup included) and restarted "
              f"after 0-2 s. Afterwards every person's DMs are counted against the deliveries table."))
    rng = random.Random()
    greeting = greeting_text()
    started = time.monotonic()
    async with DrillDiscord(token=TOKEN) as fake, fresh_database() as dsn, workspace("crash") as folder:
        await migrate(dsn)
        people = make_people(fake, people_count, minutes=minutes)
        await seed(dsn, people)
        bot = BotProcess("bot", bot_environment(fake, dsn, keygen(), folder), folder)
        expected_send_s = people_count / 45
        await bot.start()
        kill_log: list[str] = []
        for number in range(kills):
            wait = rng.uniform(1.0, max(5.0, 2 * expected_send_s / (kills + 1)))
            await asyncio.sleep(wait)
            before = sum(len(messages) for messages in fake.messages.values())
            await bot.kill()
            kill_log.append(f"#{number + 1} {wait:.1f} s after start #{bot.starts} ({before} messages so far)")
            await asyncio.sleep(rng.uniform(0.0, 2.0))
            await bot.start()
        await wait_for_identify(fake, 1, [bot])
        deadline = time.monotonic() + expected_send_s + LEASE_S + 240
        while time.monotonic() < deadline:
            done, _ = await finished(dsn, people_count)
            if done:
                break
            if not bot.alive:
                code = bot.process.returncode if bot.process else "?"
                result.findings.append(f"the bot exited by itself (code {code}):\n{bot.log_tail()}")
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(3.0)  # anything still in flight lands now, duplicates included
        await bot.stop()
        counted = await tally(fake, dsn, people, greeting)

    duplicates = sum(counted.extra.values())
    busiest = busiest_second(moment for moment, _, _, _ in fake.times)
    window = counted.window_s
    kill_times = bot.kills
    result.numbers.update({
        "people / prompts due": f"{people_count:,}",
        "kills (SIGKILL)": f"{len(kill_times)}: " + "; ".join(kill_log),
        "delivered exactly once": f"{counted.once:,}",
        "lost": f"{len(counted.lost)}",
        "duplicates (extra copies)": f"{duplicates} to {len(counted.extra)} people "
                                     f"(bound: {CONCURRENCY} in flight x {len(kill_times)} kills = "
                                     f"{CONCURRENCY * len(kill_times)})",
        "partial prompts (a greeting without its question)": f"{counted.partial}",
        "outbox at the end": str(dict(counted.status)),
        "accepted -> recorded window (first message accepted by the platform until `sent` committed)":
            spread(window, "s", 3),
        "due -> first delivery": spread(counted.latency_s, "s", 1),
        "bot starts": str(bot.starts),
        "busiest second (REST requests)": f"{busiest} (Discord's global limit: 50/s)",
    })
    result.check("nothing lost", not counted.lost and not counted.sent_not_received,
                 f"{len(counted.lost)} people got no prompt; {len(counted.sent_not_received)} recorded as sent but "
                 f"never received")
    sent = counted.status.get("sent", 0)
    result.check("every prompt recorded", not counted.received_not_sent and sent == people_count,
                 f"{counted.status.get('sent', 0)} of {people_count} outbox rows are `sent`; "
                 f"{len(counted.received_not_sent)} received but not recorded")
    result.check("duplicates only inside the accepted-but-not-recorded window",
                 duplicates <= CONCURRENCY * len(kill_times),
                 f"{duplicates} extra copies after {len(kill_times)} kills (at most {CONCURRENCY} sends in flight "
                 f"per kill); the window measured on every prompt: {spread(window, 's', 3)}")
    result.check("paced under Discord's global limit", busiest <= 50,
                 f"busiest second: {busiest} REST requests (limit 50/s; the Pacer allows 40 requests/s, every "
                 f"request of the client 42/s + 3)")
    result.seconds = time.monotonic() - started
    return result
