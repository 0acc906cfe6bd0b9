"""Drill 3 — platform trouble: rate limits, server errors, requests that never get an answer, a dropped gateway.

Promise (issue 4): delivery honours Retry-After on 429, retries 5xx and timeouts with backoff and a bound;
every prompt still arrives once, within a bounded delay, without hammering the platform.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections import Counter

from drills.common import (
    LEASE_S,
    TOKEN,
    BotProcess,
    DrillDiscord,
    DrillResult,
    bot_environment,
    busiest_second,
    check_metrics_agree,
    finished,
    fresh_database,
    greeting_text,
    keygen,
    make_people,
    migrate,
    query,
    requests_by_channel,
    scrape,
    seed,
    spread,
    tally,
    wait_for_identify,
    workspace,
)
from drills.database import free_port

MESSAGES_PER_PROMPT = 1  # greeting, first question and snooze offer travel as one message
RATE_429, RATE_5XX, RATE_HANG = 0.20, 0.05, 0.02  # the share of REST requests the fake refuses or holds


def retry_bound(people: int, fail_rate: float = RATE_429 + RATE_5XX + RATE_HANG) -> int:
    """The most requests one person's message may take before it looks like a retry loop rather than bad luck.

    Each request fails on its own with `fail_rate`, so a message that needs k requests has had k - 1 failures in a
    row, with chance fail_rate ** (k - 1); among `people`, some one person gets there by chance in fewer than one
    run in 1,000 only from this k on (12 for 1,000 people at 27%). A loop that does not back off goes far past it."""
    k = 2
    while people * fail_rate ** (k - 1) >= 0.001:
        k += 1
    return k


async def run(quick: bool) -> DrillResult:
    people_count, hang_s = (400, 20.0) if quick else (1_000, 30.0)
    result = DrillResult(
        "platform", "platform trouble: 429, 5xx, timeouts, dropped gateway", quick=quick,
        what=(f"{people_count:,} prompts due at once, through a fake Discord that answers 20% of REST calls with 429 "
              f"(Retry-After 0.2-2 s), 5% with 500/502/503, and gives no answer at all to 2% (holds the request "
              f"{hang_s:.0f} s, then drops the connection without processing it); the gateway is dropped twice while "
              f"the prompts go out. Successful answers carry Discord's X-RateLimit headers (50 per bucket). Every "
              f"REST request is timed, so retries are counted per person."))
    greeting = greeting_text()
    started = time.monotonic()
    async with DrillDiscord(token=TOKEN, rate_429=RATE_429, rate_5xx=RATE_5XX, rate_hang=RATE_HANG, hang_s=hang_s,
                            ratelimit_headers=True) as fake, \
            fresh_database() as dsn, workspace("platform") as folder:
        await migrate(dsn)
        metrics_port = free_port()
        bot = BotProcess("bot", bot_environment(fake, dsn, keygen(), folder, {"METRICS_PORT": str(metrics_port)}),
                         folder)
        await bot.start()
        await wait_for_identify(fake, 1, [bot])  # login and command sync go through without faults
        fake.faults_on = True
        people = make_people(fake, people_count)
        await seed(dsn, people)
        faults_from = time.time()
        drops = 0
        deadline = time.monotonic() + people_count / 20 + LEASE_S + 8 * hang_s + 400
        while time.monotonic() < deadline:
            done, _ = await finished(dsn, people_count)
            if done:
                break
            if drops < 2 and time.time() - faults_from >= (20, 60)[drops]:  # twice while prompts go out
                await fake.drop_connection()
                drops += 1
            if not bot.alive:
                result.findings.append(f"the bot exited by itself:\n{bot.log_tail()}")
                break
            await asyncio.sleep(0.5)
        await asyncio.sleep(3.0)
        fake.faults_on = False
        counted = await tally(fake, dsn, people, greeting)
        rows = await query(dsn, "SELECT attempts, count(*) AS n FROM deliveries GROUP BY attempts ORDER BY attempts")
        sent_times = [row["sent_at"].timestamp() for row in
                      await query(dsn, "SELECT sent_at FROM deliveries WHERE sent_at IS NOT NULL")]
        attempts = ", ".join(f"{row['attempts']}: {row['n']}" for row in rows)
        resumed, identified = fake.resume_count, fake.identify_count
        alive = bot.alive
        if alive:
            await check_metrics_agree(result, dsn, [await scrape(metrics_port)])
        await bot.stop()

    per_channel = requests_by_channel(fake)
    per_person = [per_channel.get(p.dm_channel or fake.dm_channels.get(p.user_id, -1), 0) / MESSAGES_PER_PROMPT
                  for p in people]
    calls = sorted((entry for entry in fake.times if entry[0] >= faults_from), key=lambda entry: entry[0])
    rest_times = [moment for moment, _, _, _ in calls]
    user_lookups = sum(1 for _, method, path, _ in calls if method == "GET" and re.fullmatch(r"/users/\d+", path))
    opens = sum(1 for _, _, path, _ in calls if path == "/users/@me/channels")
    overlapped = 0
    for start, end, path in fake.hung:  # the same request again while its first attempt was still open
        if path != "/users/@me/channels":  # one path for everyone's DM opens: not the same request
            overlapped += any(start < moment < end and p == path for moment, _, p, _ in calls)
    # A retry loop shows as a request to the same path soon after a failure that discord.py does not retry itself.
    quick_retries: list[float] = []
    last_failure: dict[str, float] = {}
    for moment, _, path, status in calls:
        if path == "/users/@me/channels":  # one path for everyone's DM opens: not one prompt's retries
            continue
        if path in last_failure:
            quick_retries.append(moment - last_failure.pop(path))
        if status in (0, 503):
            last_failure[path] = moment
    silence = max(itertools.pairwise(rest_times), key=lambda pair: pair[1] - pair[0], default=(0.0, 0.0))
    longest = silence[1] - silence[0]  # the longest gap between two REST requests
    # The requests the fake was holding without an answer during the longest silence, and the most of it one covered.
    held_during = [(start, end, path) for start, end, path in fake.hung if start < silence[1] and end > silence[0]]
    held_paths = Counter(re.sub(r"\d{6,}", "{id}", path) for _, _, path in held_during)
    covered = max((min(end, silence[1]) - max(start, silence[0]) for start, end, _ in held_during), default=0.0)
    sent_after = sum(1 for t in sent_times if t >= silence[1])
    bound_s = 300 + people_count / 40
    twice = sum(counted.extra.values())
    result.numbers.update({
        "prompts due": f"{people_count:,}",
        "faults served": str(dict(fake.faults)),
        "gateway drops / RESUMEs / IDENTIFYs": f"{drops} / {resumed} / {identified}",
        "delivered exactly once / not (yet) delivered / extra copies": f"{counted.once:,} / {len(counted.lost)} / "
                                                                        f"{twice}",
        "outbox at the end": str(dict(counted.status)),
        "attempts per prompt (outbox)": attempts,
        "due -> first delivery": spread(counted.latency_s, "s", 1),
        "REST requests after the faults began": f"{len(rest_times):,} ({len(rest_times) / people_count:.2f} per "
                                                f"prompt; a prompt is {MESSAGES_PER_PROMPT} message, plus a DM open "
                                                f"for half the people: {opens} opens, {user_lookups} user lookups)",
        "message requests per prompt (per person)": spread(per_person, "", 2),
        "same request again after a 503 or an unanswered request": spread(quick_retries, "s", 1),
        "busiest second (REST requests)": f"{busiest_second(rest_times)} (Discord's global limit: 50/s)",
        "longest silence on the REST API while prompts were waiting": f"{longest:.1f} s",
        "requests re-sent while their first attempt was still unanswered": str(overlapped),
        "the longest silence, from the first fault": (
            f"{silence[0] - faults_from:.1f} s to {silence[1] - faults_from:.1f} s; prompts recorded as sent before "
            f"it {sum(1 for t in sent_times if t <= silence[0])}, during it "
            f"{sum(1 for t in sent_times if silence[0] < t < silence[1])}, after it {sent_after}"),
        "requests held unanswered during the longest silence": (
            f"{len(held_during)} ({', '.join(f'{n} {path}' for path, n in held_paths.most_common())}); one of them "
            f"covered {covered:.1f} s of it" if held_during else "0"),
    })
    result.check("every prompt arrives", not counted.lost and counted.status.get("sent", 0) == people_count,
                 f"{len(counted.lost)} not received by the end of the drill; {counted.status.get('sent', 0)}/"
                 f"{people_count} sent; outbox {dict(counted.status)}")
    result.check("and only once", twice == 0, f"{twice} extra copies (no process was killed)")
    worst = max(counted.latency_s, default=0.0)
    result.check("within a bounded delay", worst <= bound_s,
                 f"slowest prompt {worst:.0f} s after it was due; bound {bound_s:.0f} s (5 minutes + the backlog "
                 f"at 40 prompts/s)")
    worst_person = max(per_person, default=0.0)
    if per_channel:  # what the fake answered, in order, to the message posts of the person with the most of them
        channel = max(per_channel, key=lambda key: per_channel[key])
        answers = [str(status) for _, method, path, status in calls
                   if method == "POST" and path == f"/channels/{channel}/messages"]
        result.numbers["the message posts of the person with the most, as answered"] = " ".join(answers) or "-"
    soonest = min(quick_retries, default=99.0)
    bound = retry_bound(people_count)
    result.check("no busy retry loop", worst_person <= bound and soonest >= 0.5,
                 f"at most {worst_person:.1f} requests per message for one person (bound {bound}: what 27% failed "
                 f"requests give one of {people_count:,} people by chance in 1 run of 1,000); a failed request was "
                 f"tried again {soonest:.1f} s later at the soonest")
    result.check("the bot stays up", alive, "process alive at the end" if alive else "process ended")
    if twice:
        result.findings.append(
            f"DUPLICATES WITHOUT A CRASH ({twice} here): a Discord prompt is three messages (greeting, first "
            f"question, snooze offer) sent one after the other by DiscordAdapter.send; when a later one fails "
            f"(503, no answer) the delivery is retried as a whole, so the person receives the greeting and the "
            f"question again, with a new session. Reproduce: `python -m drills --only platform --quick`. "
            f"Expected: a retry sends only what the platform has not accepted yet (or the prompt is one message, "
            f"or uses Discord's `enforce_nonce`), so a failed later part never repeats an earlier one.")
    # A silence at the tail, with only prompts behind a held request still to go, is the hold itself.
    explained = bool(held_during) and sent_after <= len(held_during) and covered >= 0.5 * longest
    if longest > 10 and explained:
        result.limits.append(
            f"The longest silence ({longest:.0f} s) came when {sent_after} prompt(s) were left, each "
            f"behind a request the fake held without an answer ({hang_s:.0f} s, then the connection dropped): the "
            f"bot waits for such a request to fail (or for its 60 s send timeout) before trying again.")
    if longest > 10 and not explained:
        result.findings.append(
            f"LONG SILENCE: {longest:.0f} s without a single REST request while {sent_after} prompts "
            f"were still to go, more than the {len(held_during)} request(s) the fake was holding then can explain. "
            f"Not the batch (the dispatcher is a pipeline) and not a retry waiting for the slowest send (it looks "
            f"for due rows every dispatch interval); the cause is not identified. Reproduce: this drill "
            f"(`--quick`: 2% of requests held 20 s).")
    if busiest_second(rest_times) > 50:
        result.findings.append(
            f"OVER DISCORD'S GLOBAL LIMIT: the busiest second had {busiest_second(rest_times)} REST requests "
            f"against Discord's 50/s, although every REST request of the client passes "
            f"adapters/discord/global_pace.py (42/s, 3 at once). Reproduce: drill crash or platform (busiest "
            f"second).")
    result.limits.append("Faults are drawn per request at random, so each run differs; the fake never processes "
                         "a request it holds without answering (a platform that does so late would produce a "
                         "duplicate that no client can prevent without an idempotency key).")
    result.seconds = time.monotonic() - started
    return result
