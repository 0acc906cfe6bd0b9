"""docs/reliability.md, written from the latest result of every drill."""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence

from drills.common import DrillResult, load_average

INTRO = """\
# Reliability drills

The whole bot, as real processes, through the things that go wrong in production (issue 9). Each drill
starts `python -m bot run --adapter discord` (or `slack`) as its own process with the real clock, a fresh
PostgreSQL database (`bb_drill_<random>`, dropped afterwards) and a local fake platform
(`tests/fakes/discord_server.py`, `tests/fakes/slack_server.py`) that records every message. Time moves
by seeding schedules that are due *now* directly into the database (bulk `COPY`); nothing is patched.
Each drill ends by counting what every person received on the fake platform against the `deliveries`
table.

Run them: `make drill` (all, full size: several minutes), or `python -m drills --only crash,two --quick`
(small numbers, for development). This page is regenerated from `docs/reliability-results.json`, which
keeps the latest result of each drill, so a partial run updates its own sections only. The date, the
mode (full or quick) and the load average are recorded per drill: the machine is shared, and timings on
a busy 2-core machine are pessimistic.

Settings: `DRILL_POSTGRES_DSN` (default `TEST_POSTGRES_DSN`, else `postgresql://postgres@127.0.0.1:5432/test`)
is the server on which each drill creates and drops its database; `DRILL_PG_BIN`
(default `/usr/lib/postgresql/15/bin`) holds `initdb` and `pg_ctl` for the database drill, which runs its
own server in a temp dir on a free port (as the `postgres` user when run as root); `DRILL_KEEP_LOGS=1`
keeps each drill's temp folder with the bot's logs. The drills live in `drills/` (a package, outside
`tests/`, so `make test` never runs them); `python -m drills --report-only` rewrites this page from the
stored results.
"""

FINDINGS = """\
## Findings (bugs found by the drills)

Each is reproducible with the command given; the numbers of the latest run are in the drill's section below.
Fixed since that run: 3 (a send timeout, commit 1deee11, tested in `tests/scheduling/test_delivery.py`) and
5 (commit b971676, `tests/scheduling/test_rules.py`); the drill numbers below predate both fixes. The others
are open.

1. **A prompt is sent twice without any crash when a later part of it fails** (drill platform). A Discord
   prompt is three messages (greeting, first question, snooze offer), sent one after the other by
   `DiscordAdapter.send`. When the second or third fails (a 503, a request that gets no answer), the
   dispatcher retries the delivery as a whole: `prompt_for` starts a new session and all three messages go
   out again, so the person sees the greeting and the question twice. Reproduce:
   `python -m drills --only platform --quick` ("extra copies", with no process killed). Expected: a
   retry never repeats what the platform already accepted (send one message per prompt, or remember which
   parts went out, or use Discord's `nonce` + `enforce_nonce`).
2. **Pacing counts prompts, not requests** (drills crash, platform: "busiest second"). `Dispatcher._deliver`
   takes one `Pacer` token per prompt (48/s), but a Discord prompt is 3 requests, and 5 when the DM channel
   has to be opened (`GET /users/{id}`, `POST /users/@me/channels`). The fake Discord counted well over
   Discord's global 50 requests/s in the busiest second. Expected: a token per request, so the bot stays
   under the limit instead of relying on 429s (`benchmarks/delivery.py` does not see this: its transport
   sends one request per prompt).
3. **(Fixed: a per-send timeout of 60 s, at most half the lease.) One unanswered request stalls all delivery
   of an instance** (drill platform: "longest silence").
   `Dispatcher.deliver_ready` awaits the whole leased batch (200) before it leases more, and the dispatch
   job has `max_instances=1`; discord.py has no request timeout of its own (aiohttp's default: 300 s).
   So one stuck connection holds back every other due prompt until it ends, and a send can outlive its
   120 s lease (the README asks transports to time out well within it), after which the row is leased and
   sent again. Reproduce: `python -m drills --only platform` (2% of requests held 30 s). Expected: a
   per-send timeout well inside the lease, and a batch that does not wait for its slowest send.
4. **One malformed gateway event ends the bot process** (drill hostile). An `INTERACTION_CREATE` without
   `data`, with a non-string `custom_id`, a non-numeric user id or non-list components makes discord.py's
   parser (`discord/state.py`, `parse_interaction_create`) raise inside `Client.connect()`; the exception
   leaves `DiscordAdapter.run()` and `boundary-bot run` exits with code 1, scheduler included. The
   adapter's error boundary never sees the event. Real Discord does not send such events, so it takes a
   broken proxy or a hostile gateway; still, it is the failure STYLE.md cites (opsdroid #1909). Reproduce:
   `FakeDiscord.push_interaction({...})` without `"data"` (see `drills/hostile.py`, `malformed_payloads`).
   Expected: the process stays up and logs the event type only. An unparsable (non-JSON) frame has the
   same effect (JSONDecodeError).
5. **(Fixed: OSError is an unknown zone.) `/schedule` with a long time-zone or rule text answers "something
   went wrong on my side"** (drill
   hostile: the zalgo and emoji strings, in either option).
   `bot.scheduling.rules.zone_info` catches `ZoneInfoNotFoundError` and `ValueError`, but `ZoneInfo(name)`
   raises `OSError: [Errno 36] File name too long` for a name longer than the file system allows.
   Reproduce: `.venv/bin/python -c "from bot.scheduling.rules import find_zones; find_zones('x' * 300)"`,
   or `/schedule timezone:<300 characters>` (also `/schedule rule:<long text>`, which reaches the same
   lookup). Expected: the usual "'…' is not a time zone I know" reply (catch `OSError` there too).
6. **Some forged clicks get no answer at all** (drill hostile). A component click whose `custom_id` does
   not match the `TokenItem` template (e.g. `ci::safety:1`, `not-a-token`) is dropped by discord.py, so
   Discord would show "This interaction failed". Minor: Discord only sends custom ids the bot created.
   Expected: a private "that button isn't valid any more".
7. **A typed answer is applied twice when two instances receive the same DM** (drill two, mode c). A typed
   answer in a DM carries no token, so each instance resolves it against the session's *current* step.
   The second instance, reading the row after the first committed, applies the same text to the next step:
   "4" answers the safety scale and is then recorded as option 4 of the boundaries question, which the
   person never picked, and the check-in jumps two steps. The optimistic version cannot catch it (the second
   read came after the first write). It needs one `MESSAGE_CREATE` to reach two processes (two unsharded
   instances with one token, as in this drill; a sharded deployment sends DMs to shard 0 only). Clicks
   carry their step in the token and were applied once in every case. Reproduce: `python -m drills --only
   two`. Expected: a typed message is applied at most once (remember handled message ids, or bind a typed
   answer to the step that was current when it was written).
8. **The Slack acknowledgement target (p99 under 300 ms) is not met for 500 clicks at once** (drill load).
   Every request was acknowledged, all with the same delay (p50 and p99 within a few tens of ms of each
   other, about 1.4 s for 500 and 0.27 s for 100): the one event loop of the HTTP-mode process verifies,
   parses and acknowledges about 350 requests a second (≈ 2.8 ms each), so a burst of N waits about
   N × 2.8 ms. That is well inside Slack's 3 s, but not the issue's 300 ms; one process cannot meet it for a
   burst of more than about 100. Expected (DESIGN "Running at scale"): several HTTP workers behind a load
   balancer; not measured here. Reproduce: `python -m drills --only load`.
9. **Every click both instances receive logs two ERROR lines on the losing instance** (drill two): its
   acknowledgement is refused (40060), then its apology is refused too. Nothing goes wrong for the person,
   but with several instances the error log fills with non-errors. Expected: 40060 on acknowledging is
   logged at INFO ("another instance answered").

## What the crash window means in practice

A process killed by SIGKILL leaves its leased outbox rows (up to a batch of 200) to their lease, so those
prompts go out up to `lease_for` (120 s) late, from the restarted process or another instance; prompts
that the platform had accepted but the process had not yet marked `sent` go out a second time. The
drills measure both: "due -> first delivery" and "duplicates" in the crash and database drills, and the
accepted → recorded window on every prompt.

"""

GENERAL_LIMITS = """\
## Known limits of the drills

- The platforms are fakes. They answer like Discord and Slack on the points that matter here (status codes,
  `Retry-After`, 40060 for a second answer to one interaction, 50007, gateway RESUME), but real latency,
  real rate-limit buckets and real outages differ. The fake Discord runs in the drill's own process and
  shares the 2 cores with the bot and PostgreSQL.
- Time is real: prompts are seeded due within the current minutes, so the claim → outbox → send path is
  exercised as in production, but day boundaries, DST and the grace period are not (the unit tests cover
  them with a controlled clock).
- Each drill uses one platform at a time; the pacing budget per platform (Discord 48 requests/s) bounds
  how fast prompts go out, so the prompt counts are chosen to keep every drill within a few minutes.
- The fake Discord sends no `X-RateLimit-*` headers, so discord.py keeps every rate-limit bucket at one
  request at a time. Message posts have a bucket per channel and are not held back by this, but user
  lookups (`GET /users/{id}`) and DM opens (`POST /users/@me/channels`) share one bucket each for
  everyone: delivery to people whose DM channel is not known yet runs one request at a time, and under the
  platform drill's 429s it crawls. Real Discord announces larger buckets, so those delays are pessimistic.
- "Due -> first delivery" counts from the later of the prompt's due minute and the moment the drill
  seeded it (a prompt seeded at 12:00:50 for 12:00 is not 50 s late), to the platform's acceptance of the
  prompt's first question.
- Duplicates are counted by the session id in a prompt's first question button: every send of a prompt
  starts its own session, so two copies of one scheduled prompt are two sessions in one person's DMs.
"""


def machine() -> dict[str, str]:
    # The benchmarks' own description of the machine (imported by name: benchmarks/ is not type-checked).
    machine_info: Callable[[], dict[str, str]] = importlib.import_module("benchmarks.scheduling").machine_info
    info = machine_info()
    info["load average (1/5/15 min) when the report was written"] = load_average()
    info["cpus available"] = str(os.cpu_count())
    return info


def _summary(results: Sequence[DrillResult]) -> str:
    lines = ["| drill | result | promises kept | failed | mode | date | duration | load average before → after |",
             "|---|---|---|---|---|---|---|---|"]
    for result in results:
        kept = sum(check.passed for check in result.checks)
        failed = ", ".join(check.promise for check in result.checks if not check.passed) or "—"
        lines.append(f"| {result.key}: {result.title} | {'PASS' if result.passed else '**FAIL**'} | "
                     f"{kept} of {len(result.checks)} | {failed} | {'quick' if result.quick else 'full'} | "
                     f"{result.date} | {result.seconds:.0f} s | {result.load} |")
    return "\n".join(lines)


def _section(result: DrillResult) -> str:
    parts = [f"## Drill {result.key}: {result.title} — {'PASS' if result.passed else 'FAIL'}", ""]
    if result.what:
        parts += [result.what, ""]
    parts += ["| measured | value |", "|---|---|"]
    parts += [f"| {name} | {str(value).replace('|', '/')} |" for name, value in result.numbers.items()]
    parts += ["", "| promise | result | detail |", "|---|---|---|"]
    parts += [f"| {c.promise} | {'pass' if c.passed else '**FAIL**'} | {c.detail.replace('|', '/')} |"
              for c in result.checks]
    if result.error:
        parts += ["", "The drill itself failed:", "", "```", result.error.strip(), "```"]
    if result.findings:
        parts += ["", "Findings:", ""] + [f"- {finding}" for finding in result.findings]
    if result.limits:
        parts += ["", "Limits of this drill:", ""] + [f"- {limit}" for limit in result.limits]
    return "\n".join(parts)


def render(results: Sequence[DrillResult], info: dict[str, str]) -> str:
    parts = [INTRO, "## Machine", "", "\n".join(f"- {key}: {value}" for key, value in info.items()), "",
             "## Summary", "", _summary(results), "", FINDINGS]
    for result in results:
        parts += [_section(result), ""]
    parts += [GENERAL_LIMITS]
    return "\n".join(parts)
