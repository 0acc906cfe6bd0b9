"""Drill 4 — database trouble: the drill's own PostgreSQL is restarted (cleanly, then as a crash) while prompts
go out. The machine's shared server is not touched.

Promise (issue 4): a crash at any point loses nothing; the bot recovers by itself. Issue 22: no prompt twice
(the sends the platform accepted while the database was away are recorded once it is back), sending again within
5 s of the database answering, however it was stopped, and an outage is a few log lines, not a stream.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from drills.common import (
    LEASE_S,
    TOKEN,
    BotProcess,
    DrillDiscord,
    DrillResult,
    bot_environment,
    check_metrics_agree,
    finished,
    fresh_database,
    greeting_text,
    keygen,
    make_people,
    migrate,
    scrape,
    seed,
    spread,
    tally,
    wait_for_identify,
)

PG_BIN = Path(os.environ.get("DRILL_PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OwnPostgres:
    """A PostgreSQL server of the drill's own: its own data directory (in a temp dir) and port. initdb refuses
    to run as root, so as root it runs as the `postgres` user."""

    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="bb_drill_pg_"))
        self.port = free_port()
        self.data = self.base / "data"
        self.log = self.base / "server.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.base, "postgres")

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o",
                  f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-m", mode, "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


async def run(quick: bool) -> DrillResult:
    people_count, down_s = (600, 4.0) if quick else (3_000, 8.0)
    result = DrillResult(
        "database", "database restarted in the middle of a dispatch", quick=quick,
        what=(f"The drill starts its own PostgreSQL 15 (initdb into a temp dir, its own port; as root it runs as the "
              f"`postgres` user) and {people_count:,} prompts due at once. When a third have gone out the server is "
              f"stopped (`pg_ctl stop -m fast`) for {down_s:.0f} s and started again; at two thirds it is killed "
              f"(`-m immediate`: a crash, with recovery from the WAL) for {down_s:.0f} s and started again. The bot "
              f"is never touched. Afterwards: everything delivered, a normal command answered."))
    greeting = greeting_text()
    started = time.monotonic()
    server = OwnPostgres()
    outages: list[str] = []
    try:
        await asyncio.to_thread(server.init)
        await asyncio.to_thread(server.start)
        async with DrillDiscord(token=TOKEN, ratelimit_headers=True) as fake, fresh_database(server.admin_dsn) as dsn:
            await migrate(dsn)
            folder = server.base
            metrics_port = free_port()
            bot = BotProcess("bot", bot_environment(fake, dsn, keygen(), folder, {"METRICS_PORT": str(metrics_port)}),
                             folder)
            await bot.start()
            await wait_for_identify(fake, 1, [bot])
            people = make_people(fake, people_count)
            await seed(dsn, people)
            recoveries: list[float] = []
            outage_lines: list[list[str]] = []
            restarts = 0
            deadline = time.monotonic() + people_count / 30 + LEASE_S + 240
            while time.monotonic() < deadline:
                try:
                    done, counts = await finished(dsn, people_count)
                except (OSError, Exception):
                    await asyncio.sleep(0.5)
                    continue
                if done:
                    break
                if restarts < 2 and counts.get("sent", 0) >= people_count * (restarts + 1) / 3:
                    mode = ("fast", "immediate")[restarts]
                    before = sum(len(m) for m in fake.messages.values())
                    lines_before = len(bot.log_text().splitlines())
                    await asyncio.to_thread(server.stop, mode)
                    down_at = time.time()
                    await asyncio.sleep(down_s)
                    during = sum(len(m) for m in fake.messages.values()) - before
                    await asyncio.to_thread(server.start)
                    up_at = time.time()
                    restarts += 1
                    # how long until the bot sends again on its own
                    while time.time() - up_at < 120:
                        if any(moment > up_at and path.endswith("/messages") for moment, _, path, _ in fake.times):
                            break
                        await asyncio.sleep(0.2)
                    recovered = next((moment for moment, _, path, _ in fake.times
                                      if moment > up_at and path.endswith("/messages")), None)
                    if recovered is not None:
                        recoveries.append(recovered - up_at)
                    await asyncio.sleep(5.0)  # the "back" line comes with the first round that finds the database
                    outage_lines.append(bot.log_text().splitlines()[lines_before:])
                    outages.append(f"{mode} stop at {counts.get('sent', 0)} sent, down {up_at - down_at:.1f} s "
                                   f"({during} messages accepted while it was down), sending again "
                                   + (f"{recovered - up_at:.1f} s after it was back" if recovered else "never"))
                if not bot.alive:
                    result.findings.append(f"the bot exited by itself:\n{bot.log_tail()}")
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(3.0)
            counted = await tally(fake, dsn, people, greeting)
            probe = await fake.slash_command(people[0].user_id, "help")
            try:
                answer = await fake.wait_for_followup(probe, within=20)
                command_ok = bool(answer.content)
            except TimeoutError:
                command_ok = False
            alive = bot.alive
            if alive:  # what the bot's own /metrics say, against the outbox
                await check_metrics_agree(result, dsn, [await scrape(metrics_port)])
            errors = bot.error_lines()
            await bot.stop()
    finally:
        await asyncio.to_thread(server.remove)

    twice = sum(counted.extra.values())
    result.numbers.update({
        "prompts due": f"{people_count:,}",
        "outages": "; ".join(outages) or "none (the prompts went out before a restart could happen)",
        "delivered exactly once / lost / extra copies": f"{counted.once:,} / {len(counted.lost)} / {twice}",
        "outbox at the end": str(dict(counted.status)),
        "due -> first delivery": spread(counted.latency_s, "s", 1),
        "ERROR lines in the bot's log": str(len(errors)),
        "log lines per outage (from the stop until 5 s after sending resumed)":
            ", ".join(str(len(lines)) for lines in outage_lines) or "n/a",
    })
    for number, lines in enumerate(outage_lines, 1):
        result.numbers[f"outage {number}: what the bot logged"] = " | ".join(
            line.split(" ", 3)[-1][:160] for line in lines[:12]) or "nothing"
    result.check("the database really went away", len(outages) == 2, f"{len(outages)} of 2 restarts done")
    result.check("nothing lost", not counted.lost and counted.status.get("sent", 0) == people_count,
                 f"{len(counted.lost)} lost; outbox {dict(counted.status)}")
    result.check("no prompt twice", twice == 0,
                 f"{twice} extra copies (sends accepted while the database was away are recorded when it is back)")
    result.check("sending again within 5 s of each restart", len(recoveries) == len(outages) and all(
        r <= 5.0 for r in recoveries), "after " + (", ".join(f"{r:.1f} s" for r in recoveries) or "never"))
    result.check("at most 10 log lines per outage", bool(outage_lines) and all(len(x) <= 10 for x in outage_lines),
                 "lines: " + (", ".join(str(len(x)) for x in outage_lines) or "none counted"))
    result.check("recovers by itself", alive and command_ok and len(recoveries) == len(outages),
                 f"process {'alive' if alive else 'gone'}; /help afterwards "
                 f"{'answered' if command_ok else 'NOT answered'}; sending again after "
                 + ", ".join(f"{r:.1f} s" for r in recoveries))
    if errors:
        kinds = sorted({line.split(": ", 1)[-1][:100] for line in errors})
        result.limits.append(f"while the database was away the bot logged {len(errors)} ERROR lines, e.g. "
                             + "; ".join(kinds[:4]))
    result.seconds = time.monotonic() - started
    return result
