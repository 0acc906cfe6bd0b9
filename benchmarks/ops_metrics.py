"""What serving /metrics costs the Slack acknowledgement: the Slack load drill (500 people answering at once over
HTTP mode, PostgreSQL, the fake Slack Web API) run in pairs, without METRICS_PORT and with it while /metrics is
read every SCRAPE_EVERY seconds through the burst; the runs alternate so the machine's other load falls on both.

    .venv/bin/python benchmarks/ops_metrics.py [--pairs 3] [--people-quick] [--scrape-every 0.5] [--sides off,idle,on]

Needs the PostgreSQL the drills use (DRILL_POSTGRES_DSN or TEST_POSTGRES_DSN). Prints one line per run and the
median p99 of each side; the README's table is written from that output by hand.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drills.common import load_average
from drills.slack_load import run


def p99_ms(numbers: dict[str, str]) -> float:
    return float(re.match(r"[\d.]+", numbers["p99 acknowledgement"]).group(0))  # type: ignore[union-attr]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--people-quick", action="store_true", help="100 people instead of 500")
    parser.add_argument("--scrape-every", type=float, default=0.5)
    parser.add_argument("--sides", default="off,on", help="of off (no METRICS_PORT), idle (served, not read during "
                                                          "the burst), on (read every --scrape-every s)")
    args = parser.parse_args()
    every = {"off": None, "idle": 0.0, "on": args.scrape_every}  # no port; port served, not read; read
    sides: dict[str, list[float]] = {side: [] for side in args.sides.split(",")}
    for pair in range(args.pairs):
        order = list(sides) if pair % 2 == 0 else list(reversed(sides))
        for side in order:
            result = asyncio.run(run(args.people_quick, scrape_every=every[side]))
            if result.error or not all(check.passed for check in result.checks if "300 ms" not in check.promise):
                print(f"pair {pair + 1} {side}: the drill failed: {result.error or result.checks}", flush=True)
                return 1
            p99 = p99_ms(result.numbers)
            sides[side].append(p99)
            extra = result.numbers.get("/metrics read during the burst", "")
            print(f"round {pair + 1} metrics {side:4}: p99 {p99:6.1f} ms  load {load_average()}  {extra}", flush=True)
    base = statistics.median(sides["off"]) if sides.get("off") else None
    for side, runs in sides.items():
        median = statistics.median(runs)
        cost = f", {100 * (median - base) / base:+.1f}% against off" if base and side != "off" else ""
        print(f"median p99 {side}: {median:.1f} ms{cost} (runs {runs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
