#!/usr/bin/env python
"""Insights: the /history summary and chart for a long history, timed.

    python benchmarks/insights.py [--runs 20]

Two histories ending on the same day, built from a fixed seed:
- 1,000 check-ins spread over three years (about nine days in ten, scores drifting, 0-3 boundaries each);
- three years of daily check-ins (1,096).

For each history and each period (4w, 12w, all) a FRESH subprocess times `summarize` + `render_chart`
exactly as /history would call them: the first call in a process that has not drawn a chart yet (cold: it
pays the lazy import of matplotlib and loading fonts), then in another fresh process `prepare_charts()` (as
the app would run it at start-up), the first call after it, and `--runs` more, reporting the median and the
worst, and that process's peak RSS (getrusage ru_maxrss).
Results: markdown on stdout and in benchmarks/results/insights.md.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from importlib import metadata
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
END = date(2026, 11, 26)
HISTORIES = {"1000": "1,000 check-ins over three years", "daily": "three years daily (1,096)"}
PERIODS = ("4w", "12w", "all")
TARGET_S = 1.0  # summary and chart for 1,000 check-ins (issue 8)
BOUNDARY_VALUES = ("saying_no", "asked_space", "not_carrying", "cut_short", "guilt", "other")


def history(kind: str) -> list[Any]:
    from bot.insights import Point

    rng = random.Random(8)
    days = [END - timedelta(days=offset) for offset in range(1095, -1, -1)]
    if kind == "1000":
        days = sorted(rng.sample(days, 1000))
    points = []
    level = 3.0
    for day in days:
        level = min(4.6, max(1.4, level + rng.uniform(-0.3, 0.3)))
        score = None if rng.random() < 0.05 else min(5, max(1, round(level + rng.uniform(-1, 1))))
        held = tuple(rng.sample(BOUNDARY_VALUES, rng.randint(0, 3))) or ("none",)
        points.append(Point(day, score, held, has_note=rng.random() < 0.2))
    return points


def measure(kind: str, period_key: str, runs: int, warm: bool) -> dict[str, Any]:
    from bot.content.loader import load_content
    from bot.insights import boundaries_from_content, parse_period, prepare_charts, render_chart, summarize

    boundaries = boundaries_from_content(load_content(ROOT / "content"))
    points = history(kind)
    period = parse_period(period_key)

    def once() -> tuple[float, float, int, int]:
        started = time.perf_counter()
        summary = summarize(points, period, END, boundaries)
        summarized = time.perf_counter()
        chart = render_chart(points, summary.start, summary.end, boundaries)
        finished = time.perf_counter()
        if chart is None:
            raise SystemExit("no chart: is matplotlib installed (pip install -e '.[charts]')?")
        return finished - started, summarized - started, len(chart.png), summary.count

    started = time.perf_counter()
    if warm and not prepare_charts():
        raise SystemExit("matplotlib is not installed")
    prepared = time.perf_counter() - started
    cold, _, _, count = once()
    if not runs:
        return {"cold_s": cold, "prepare_s": prepared}
    timings = [once() for _ in range(runs)]
    totals = [timing[0] for timing in timings]
    return {
        "history": kind, "period": period_key, "points": count, "runs": runs, "prepare_s": prepared,
        "first_warm_s": cold,
        "median_s": statistics.median(totals), "worst_s": max(totals),
        "summary_median_ms": statistics.median(timing[1] for timing in timings) * 1000,
        "png_kb": timings[-1][2] / 1024,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }


def measure_read(count: int, runs: int) -> dict[str, Any]:
    """What /history reads before it computes: `count` check-ins of one person from a SQLite file, each one's
    answers decrypted (MultiFernet), as `Repository.checkins` returns them."""
    import asyncio
    import tempfile

    from cryptography.fernet import Fernet

    from bot.messages import Address
    from bot.privacy.crypto import Cipher
    from bot.storage.database import make_engine, make_sessionmaker, migrate
    from bot.storage.models import Checkin
    from bot.storage.repository import Repository

    points = history("1000")[:count]

    async def run() -> dict[str, Any]:
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(f"sqlite+aiosqlite:///{folder}/bench.db")
            await migrate(engine)
            sessions = make_sessionmaker(engine)
            repository = Repository(sessions, Cipher([Fernet.generate_key()]))
            identity = await repository.identity_id(Address("console", "local", "bench"))
            async with sessions() as db, db.begin():
                for number, point in enumerate(points):
                    db.add(Checkin(identity_id=identity, session_id=f"s{number}", flow_id="daily",
                                   created_at=datetime(point.day.year, point.day.month, point.day.day, 18, tzinfo=UTC),
                                   picked_enc=repository._encrypt_picked(point.score, point.boundaries, {}),
                                   has_note=point.has_note))
            timings = []
            for _ in range(runs + 1):
                started = time.perf_counter()
                records = await repository.checkins(identity)
                timings.append(time.perf_counter() - started)
            await engine.dispose()
            assert len(records) == count
            return {"count": count, "runs": runs, "first_s": timings[0], "median_s": statistics.median(timings[1:]),
                    "worst_s": max(timings[1:]), "load": os.getloadavg()[0]}

    return asyncio.run(run())


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| History | Period | Check-ins drawn | First call, cold (s) | prepare_charts() (s) "
             "| First call after it (s) | Median (s) | Worst (s) | Summary alone, median (ms) | PNG (KB) "
             "| Peak RSS (MB) | Load avg |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(f"| {HISTORIES[row['history']]} | {row['period']} | {row['points']:,} | {row['cold_s']:.2f} "
                     f"| {row['prepare_s']:.2f} | {row['first_warm_s']:.3f} "
                     f"| {row['median_s']:.3f} | {row['worst_s']:.3f} | {row['summary_median_ms']:.1f} "
                     f"| {row['png_kb']:.0f} | {row['rss_mb']:.0f} | {row['load']:.1f} |")
    return "\n".join(lines)


def verdicts(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    for kind in HISTORIES:
        mine = [row for row in rows if row["history"] == kind]
        worst = max(mine, key=lambda row: row["worst_s"])
        slowest_median = max(row["median_s"] for row in mine)
        met = "MET" if worst["worst_s"] < TARGET_S else "NOT MET"
        lines.append(f"- Summary + chart for {HISTORIES[kind]} under {TARGET_S:.0f} s: {met} (slowest median "
                     f"{slowest_median:.3f} s, worst single run {worst['worst_s']:.3f} s, period {worst['period']}).")
    cold = max(rows, key=lambda row: row["cold_s"])
    warm = max(rows, key=lambda row: row["first_warm_s"])
    lines.append(f"- The first chart in a fresh process, which imports matplotlib, took up to {cold['cold_s']:.2f} s "
                 f"({HISTORIES[cold['history']]}, {cold['period']}); once per process. With `prepare_charts()` run "
                 f"at start-up (up to {max(row['prepare_s'] for row in rows):.2f} s, off the event loop) the first "
                 f"/history took at most {warm['first_warm_s']:.3f} s.")
    return lines


def machine() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    scheduling = importlib.import_module("scheduling")  # the same machine block as the other reports
    info: dict[str, str] = scheduling.machine_info()
    for package in ("matplotlib", "numpy", "pillow"):
        with suppress(metadata.PackageNotFoundError):
            info[package] = metadata.version(package)
    return info


def run_child(kind: str, period: str, runs: int, *, warm: bool) -> dict[str, Any]:
    """One measurement in a fresh process, so the cold call is really cold and the RSS is its own."""
    result = subprocess.run([sys.executable, __file__, "_measure", kind, period, str(runs), "warm" if warm else "cold"],
                            capture_output=True, text=True, check=True)
    parsed: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs after the first, per row")
    options = parser.parse_args()
    rows = []
    for kind in HISTORIES:
        for period in PERIODS:
            cold = run_child(kind, period, 0, warm=False)
            row = run_child(kind, period, options.runs, warm=True)
            rows.append({**row, "cold_s": cold["cold_s"]})
            print(f"measured {kind} {period}", file=sys.stderr)
    read = json.loads(subprocess.run([sys.executable, __file__, "_read", "1000", str(options.runs)], capture_output=True,
                                     text=True, check=True).stdout.strip().splitlines()[-1])
    slowest = max(row["worst_s"] for row in rows if row["history"] == "1000")
    info = machine()
    report = "\n".join([
        "# Insights benchmark",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `python benchmarks/insights.py "
        f"{' '.join(sys.argv[1:])}".rstrip() + "`.",
        "",
        "What /history computes: `summarize` (count, averages now and before, top boundaries, last note date, "
        "observations) plus `render_chart` (1000x700 PNG, scores with a rolling average, weekly bars), for two "
        "three-year histories. Cold: the first call in a fresh subprocess (it imports matplotlib and loads fonts). "
        f"Then, in another fresh subprocess, `prepare_charts()` as the app would run it at start-up, the first call "
        f"after it, and {options.runs} timed runs, median and worst; peak RSS is that process's getrusage ru_maxrss. "
        "Load avg: the machine's 1-minute load average when the row finished (other work shares this machine).",
        "",
        table(rows),
        "",
        "Targets:",
        "",
        *verdicts(rows),
        f"- Reading the 1,000 check-ins from SQLite with every answer decrypted (`Repository.checkins`): first "
        f"{read['first_s'] * 1000:.1f} ms, median {read['median_s'] * 1000:.1f} ms, worst "
        f"{read['worst_s'] * 1000:.1f} ms over {read['runs']} runs; with the slowest summary + chart above, /history "
        f"for 1,000 check-ins takes at most {slowest + read['worst_s']:.3f} s "
        f"({'MET' if slowest + read['worst_s'] < TARGET_S else 'NOT MET'}).",
        "",
        "Machine:",
        "",
        "\n".join(f"- {key}: {value}" for key, value in info.items()),
        "",
    ])
    print(report)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "insights.md").write_text(report)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_read":
        print(json.dumps(measure_read(int(sys.argv[2]), int(sys.argv[3]))))
    elif len(sys.argv) > 1 and sys.argv[1] == "_measure":
        print(json.dumps(measure(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5] == "warm")))
    else:
        main()
