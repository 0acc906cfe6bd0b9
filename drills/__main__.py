"""`python -m drills [--only KEY,...] [--quick]`: run the drills, print a block each, write docs/reliability.md."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import sys
import time
import traceback
from collections.abc import Callable, Coroutine
from typing import Any

from drills.common import ROOT, DrillResult, kill_leftovers, load_average, now_iso, write_json
from drills.report import machine, render

DRILLS: dict[str, tuple[str, str]] = {  # key -> (module, title); the order they run in
    "crash": ("drills.crash", "SIGKILL at random moments, restart"),
    "crash_slack": ("drills.crash_slack", "SIGKILL at random moments, restart (Slack)"),
    "two": ("drills.two_instances", "two instances on one PostgreSQL"),
    "platform": ("drills.platform", "platform trouble: 429, 5xx, timeouts, dropped gateway"),
    "database": ("drills.database", "database restarted in the middle of a dispatch"),
    "hostile": ("drills.hostile", "hostile input"),
    "load": ("drills.slack_load", "500 people answering at once over Slack HTTP"),
}
RESULTS = ROOT / "docs" / "reliability-results.json"
REPORT = ROOT / "docs" / "reliability.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drills", description=__doc__)
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(DRILLS)}")
    parser.add_argument("--quick", action="store_true", help="small numbers, for development")
    parser.add_argument("--no-report", action="store_true", help="do not touch docs/")
    parser.add_argument("--report-only", action="store_true", help="only rewrite docs/reliability.md from the "
                                                                   "stored results")
    args = parser.parse_args(argv)
    chosen = [] if args.report_only else [key.strip() for key in args.only.split(",") if key.strip()] or list(DRILLS)
    unknown = [key for key in chosen if key not in DRILLS]
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(unknown)}")
    command = "python -m drills" + (f" --only {','.join(chosen)}" if args.only else "") + \
        (" --quick" if args.quick else "")
    stored: dict[str, dict[str, object]] = {}
    failed = 0
    for key in chosen:
        module_name, title = DRILLS[key]
        print(f"--- drill {key}: {title} (load {load_average()}) ...", flush=True)
        started = time.monotonic()
        load_before = load_average()
        try:
            module = importlib.import_module(module_name)
            drill: Callable[[bool], Coroutine[Any, Any, DrillResult]] = module.run
            result: DrillResult = asyncio.run(drill(args.quick))
        except Exception as exc:
            result = DrillResult(key, title, "", quick=args.quick,
                                 error=f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=6)}")
            result.seconds = time.monotonic() - started
        finally:
            leftovers = kill_leftovers()
        if leftovers:
            print(f"(killed {leftovers} bot process(es) the drill left running)", flush=True)
        result.load = f"before {load_before}, after {load_average()}"
        result.date = now_iso()
        result.numbers["command"] = command
        print(result.block(), flush=True)
        failed += not result.passed
        if not args.no_report:
            # Read again just before writing: another run may have stored its own drills meanwhile.
            stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
            stored[key] = result.as_json()
            write_json(RESULTS, stored)
    if not args.no_report:
        stored = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        results = [DrillResult.from_json(stored[key]) for key in DRILLS if key in stored]
        REPORT.write_text(render(results, machine()))
        print(f"wrote {REPORT.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
