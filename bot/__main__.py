"""The `boundary-bot` command (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import NoReturn, cast

from cryptography.fernet import Fernet
from pydantic import SecretStr, ValidationError
from pydantic_settings import BaseSettings

from bot.app import ConfigurationError, cipher_for, configure_logging
from bot.community.store import CommunityStore
from bot.config import Settings, explain_settings
from bot.content.loader import ContentInvalid, load_content
from bot.privacy.crypto import KEYS_BACKUP, CipherError
from bot.safety.evaluation import evaluate_files
from bot.safety.screening import Level, Screener
from bot.scheduling.rules import (
    Rule,
    RuleError,
    find_zones,
    firings_after,
    fixed_offset_zone,
    parse_days,
    parse_quiet,
    parse_time,
    zone_info,
)
from bot.storage.database import make_engine, make_sessionmaker, migrate, readable_by_others, schema_status
from bot.storage.repository import Repository
from bot.storage.urls import DatabaseUrlError, normalize_database_url, redact

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    from adapters import PLATFORMS, names  # the composition root may import adapters

    parser = argparse.ArgumentParser(prog="boundary-bot", description="Private boundary check-ins.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = commands.add_parser("run", help=f"start the bot ({names()[-1]} unless a platform token is set)")
    run.add_argument("--adapter", choices=names(), help="override ADAPTER")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    commands.add_parser("doctor", help="say what is configured, what is missing, and whether the database answers")
    status = commands.add_parser("status", help="readiness, outbox depth and last-hour counts, from the database")
    status.add_argument("--json", action="store_true", help="print the report as JSON")
    commands.add_parser("keygen", help="print a new encryption key for ENCRYPTION_KEYS")
    commands.add_parser("rotate-keys", help="re-encrypt everything under the newest ENCRYPTION_KEYS key")
    screen = commands.add_parser("screen", help="show how crisis screening reads a piece of text")
    screen.add_argument("--json", action="store_true", help="print the verdict as JSON")
    screen.add_argument("--eval", dest="eval_files", metavar="FILE", action="append", type=Path,
                        help="score a labelled corpus (JSON Lines: text, kind, level, about, lang); repeatable")
    screen.add_argument("--misses", action="store_true", help="with --eval: list every miss and false alarm")
    screen.add_argument("text", nargs="*", help="the text to screen")
    schedule = commands.add_parser("schedule", help="work with check-in schedules")
    schedule_commands = schedule.add_subparsers(dest="schedule_command", required=True, metavar="ACTION")
    preview = schedule_commands.add_parser("preview", help="print the next fire times of a rule (no database)")
    preview.add_argument("--days", default="daily", help="mon-fri, weekends, daily, mon,wed,fri (default daily)")
    preview.add_argument("--time", action="append", required=True, help="local time, e.g. 09:00 (up to 3)")
    preview.add_argument("--tz", required=True, help="time zone, city or offset: Europe/Berlin, Berlin, UTC+2")
    preview.add_argument("--from", dest="start", help="start: 2026-03-27 (midnight in --tz) or "
                                                      "2026-03-27T00:00:00Z (default now)")
    preview.add_argument("--count", type=int, default=5, help="how many fire times (default 5, at most 1000)")
    preview.add_argument("--quiet-hours", help="apply quiet hours the way delivery does, e.g. 21:00-08:00")
    preview.add_argument("--json", action="store_true", help="print a JSON list of {utc, local}")
    for platform in PLATFORMS:  # each platform's own subcommands: `boundary-bot <platform> ...`
        if platform.add_commands is not None:
            platform.add_commands(commands.add_parser(platform.name, help=platform.help))
    content = commands.add_parser("content", help="work with content/ files")
    content_commands = content.add_subparsers(dest="content_command", required=True, metavar="ACTION")
    content_commands.add_parser("check", help="validate every content file")
    return parser


def _fast_loop() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop when it is installed (the `fast` extra, part of `all`), else asyncio's own: it answers
    bursts of clicks sooner (docs/reliability.md, item 8)."""
    try:
        import uvloop
    except ImportError:
        return None
    return cast(Callable[[], asyncio.AbstractEventLoop], uvloop.new_event_loop)


async def _run(settings: Settings, platforms: dict[str, BaseSettings], adapter_name: str | None) -> int:
    from adapters import chosen, named  # the composition root may import adapters

    _interrupt_on_ctrl_c()
    platform = named(adapter_name) if adapter_name else chosen(settings, platforms)
    return await platform.run(settings, platforms[platform.name])


def _interrupt_on_ctrl_c() -> None:
    """Ctrl-C ends `run` at once, wherever the signal lands. The kernel may hand it to any thread (one reading input,
    blocked on the terminal, as often as not); a handler set with `signal.signal` then waits for the event
    loop's next event to run, which an idle bot may never have. The loop's own handler wakes it."""
    def interrupt() -> None:
        raise KeyboardInterrupt

    with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # no signals here: nothing to set
        asyncio.get_running_loop().add_signal_handler(signal.SIGINT, interrupt)


PREVIEW_MAX = 1000


def _preview_zone(typed: str) -> str:
    """--tz as chat reads it: a zone, a city ("Berlin") or an offset ("UTC+2")."""
    fixed = fixed_offset_zone(typed)
    if fixed is not None:
        return fixed
    found = find_zones(typed)
    if len(found) == 1:
        return found[0]
    if found:
        raise RuleError(f"--tz '{typed[:40]}' could be several zones: {', '.join(found[:6])}; name one of them")
    raise RuleError(f"--tz '{typed[:40]}' is not a time zone I know; try Europe/Berlin, a city like Berlin, or UTC+2")


def _preview_start(typed: str | None, zone: str) -> datetime:
    if not typed:
        return datetime.now(UTC)
    try:
        start = datetime.fromisoformat(typed.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RuleError(f"--from '{typed[:40]}' is not a date; use 2026-03-27 (midnight in --tz) or "
                        "2026-03-27T00:00:00Z") from None
    if start.tzinfo is None:
        if len(typed.strip()) > 10:
            raise RuleError("--from needs a time zone when it has a time, e.g. 2026-03-27T00:00:00Z")
        start = start.replace(tzinfo=zone_info(zone))
    return start


def _preview(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= PREVIEW_MAX:
        print(f"schedule preview: --count must be from 1 to {PREVIEW_MAX} (got {args.count})", file=sys.stderr)
        return 2
    try:
        times = tuple(parse_time(part) for value in args.time for part in value.split(",") if part.strip())
        quiet = parse_quiet(args.quiet_hours) if args.quiet_hours else None
        zone = _preview_zone(args.tz)
        rule = Rule(parse_days(args.days), times, zone, quiet)
        start = _preview_start(args.start, zone)
    except (RuleError, ValueError) as problem:
        print(f"schedule preview: {problem}", file=sys.stderr)
        return 2
    count = args.count
    # A firing exactly at --from counts: "from" includes its own instant.
    firings = list(islice(firings_after(rule, start - timedelta(microseconds=1), quiet=quiet is not None), count))
    rows = [{"utc": firing.at.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "local": firing.local(rule.zone).isoformat(timespec="seconds")} for firing in firings]
    if args.json:
        print(json.dumps(rows))
        return 0
    if not rows:
        print("no fire times: every configured time falls inside the quiet hours")
        return 0
    for row, firing in zip(rows, firings, strict=True):
        local = firing.local(rule.zone)
        print(f"{row['utc']}   {local.strftime('%a %Y-%m-%d %H:%M')} {local.tzname()} ({local.strftime('%z')})")
    if len(rows) < count:
        print(f"(only {len(rows)} fire times within the ten years a preview looks ahead)")
    return 0


def _screen(settings: Settings, text: str, as_json: bool) -> int:
    content = load_content(settings.content_dir)
    verdict = Screener(content.phrases, content.screening_head).screen(text)
    if as_json:
        print(json.dumps(verdict.as_json(), ensure_ascii=False))
        return 0
    print({Level.CLEAR: "crisis: YES (clear) — resources would be shown",
           Level.POSSIBLE: "crisis: YES (possible) — the bot would ask directly before anything else",
           Level.NONE: "crisis: no"}[verdict.level] + ("" if verdict.level is Level.NONE else
                                                        f", about: {verdict.about.value}"))
    for reason in verdict.reasons:
        print(f"  matched {reason}")
    if verdict.context:
        print(f"  context (changes the wording only): {', '.join(verdict.context)}")
    return 0


def _screen_eval(settings: Settings, files: list[Path], as_json: bool, misses: bool) -> int:
    content = load_content(settings.content_dir)
    screener = Screener(content.phrases, content.screening_head)
    try:
        report = evaluate_files(screener, files)
    except (OSError, ValueError) as exc:
        print(f"screen --eval: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    else:
        print("\n".join(report.lines(show_misses=misses)))
    return 0


async def _rotate(settings: Settings) -> int:
    from adapters import PLATFORMS  # the composition root may import adapters

    url = normalize_database_url(settings.database_url, settings.data_dir)
    cipher = cipher_for(settings, url)  # check the keys before touching the database
    engine = make_engine(url)
    try:
        await migrate(engine, cipher)
        sessions = make_sessionmaker(engine)
        repository = Repository(sessions, cipher)
        count = await repository.rotate_keys()
        count += await CommunityStore(sessions, cipher).rotate_keys()
        for platform in PLATFORMS:  # what a platform keeps encrypted (installations' tokens), when it has any
            if platform.rotate_keys is not None:
                count += await platform.rotate_keys(engine, cipher)
    finally:
        await engine.dispose()
    print(f"re-encrypted {count} value(s) under the newest key; older keys can be removed once every "
          "instance runs with the new ENCRYPTION_KEYS")
    return 0


async def _migrate(settings: Settings) -> int:
    url = normalize_database_url(settings.database_url, settings.data_dir)
    cipher = cipher_for(settings, url)  # a migration may encrypt what was stored in clear before
    engine = make_engine(url)
    try:
        await migrate(engine, cipher)
        current, _ = await schema_status(engine)
    finally:
        await engine.dispose()
    print(f"database schema is at revision {current}")
    return 0


def _content_check(settings: Settings) -> int:
    try:
        content = load_content(settings.content_dir)
    except ContentInvalid as invalid:
        for error in invalid.errors:
            print(error, file=sys.stderr)
        print(f"{len(invalid.errors)} problem(s) found in {settings.content_dir}", file=sys.stderr)
        return 1
    print(f"content OK: {len(content.flows)} flows, {len(content.tips)} tips, {len(content.topics)} topics")
    return 0


def private_paths(settings: Settings, url: str) -> list[Path]:
    """What must be readable by the bot's user only: the SQLite database and its WAL, the data folder, the
    key folder and its files, the exports."""
    paths = [settings.data_dir, settings.data_dir / "exports", settings.key_folder()]
    if url.startswith("sqlite") and ":///" in url:
        database = Path(url.split(":///", 1)[1])
        paths += [database.parent, database, *(database.with_name(database.name + end) for end in ("-wal", "-shm"))]
    for folder in (settings.data_dir, settings.key_folder(), settings.data_dir / "exports"):
        if folder.is_dir():
            paths += sorted(item for item in folder.iterdir() if item.name.endswith((".key", ".json", ".csv", ".png")))
    return list(dict.fromkeys(paths))


async def _status(settings: Settings, as_json: bool) -> int:
    """Exit 0 when ready, 1 when not: usable from a shell script or a cron job as well as by eye."""
    from bot.ops.status import report

    url = normalize_database_url(settings.database_url, settings.data_dir)
    engine = make_engine(url)
    try:
        found = await asyncio.wait_for(report(engine, settings.dispatch_interval_seconds), timeout=30)
    finally:
        await engine.dispose()
    process = await asyncio.to_thread(_process_readiness, settings)
    if as_json:
        print(json.dumps({"database": redact(url), **found.as_json(), "process": process}))
    else:
        print(f"database: {redact(url)}")
        print("\n".join(found.lines()))
        if process is None:
            print("process: not asked (set METRICS_PORT to let `status` ask the running bot too)")
        else:
            print(f"process: {'ready' if process.get('ready') else 'NOT ready'} {json.dumps(process)}")
    ready = not found.problems and (process is None or bool(process.get("ready")))
    return 0 if ready else 1


def _process_readiness(settings: Settings) -> dict[str, object] | None:
    """The running bot's own /readyz (the platform connection and the dispatcher are known only to it)."""
    import urllib.error
    import urllib.request

    if not settings.metrics_port:
        return None
    host = "127.0.0.1" if settings.metrics_host in ("0.0.0.0", "::", "") else settings.metrics_host
    try:
        with urllib.request.urlopen(f"http://{host}:{settings.metrics_port}/readyz", timeout=5) as response:
            return cast(dict[str, object], json.loads(response.read()))
    except urllib.error.HTTPError as error:
        return cast(dict[str, object], json.loads(error.read()))
    except (OSError, ValueError) as exc:
        return {"ready": False, "not_ready": {"process": f"no answer on port {settings.metrics_port} "
                                                         f"({type(exc).__name__})"}}


async def _doctor(settings: Settings, platforms: dict[str, BaseSettings]) -> int:
    from adapters import PLATFORMS, chosen  # the composition root may import adapters

    problems = 0

    def line(ok: bool | None, what: str, *, warn: bool = False) -> None:
        mark = "warn" if warn else {True: "ok  ", False: "FAIL", None: "--  "}[ok]
        print(f"[{mark}] {what}")

    line(True, f"adapter: {chosen(settings, platforms).name} (ADAPTER={settings.adapter})")
    for platform_settings in platforms.values():  # every platform's secrets: set or not, never their values
        for name, value in platform_settings:
            if isinstance(value, SecretStr):
                line(None, f"{name.upper()}: {'set' if value.get_secret_value() else 'not set'}")
    keys = "set" if settings.encryption_keys.get_secret_value() \
        else f"not set (the key file in {settings.key_folder()} is used; {KEYS_BACKUP})"
    line(None, f"ENCRYPTION_KEYS: {keys}")
    for platform in PLATFORMS:
        if platform.library is not None:
            installed = importlib.util.find_spec(platform.library) is not None
            line(True if installed else None, f"{platform.name} support installed: {'yes' if installed else 'no'}")
    data_dir = settings.data_dir_problem()
    if data_dir is not None:
        problems += 1
        line(False, data_dir)
    else:
        line(True, f"DATA_DIR: {settings.data_dir} is writable")
    line(True, f"DEFAULT_TIMEZONE: {settings.default_timezone or 'not set (people are asked for theirs)'}")
    try:
        content = load_content(settings.content_dir)
        line(True, f"content: {len(content.flows)} flows, {len(content.tips)} tips ({settings.content_dir})")
    except ContentInvalid as invalid:
        problems += 1
        line(False, f"content: {len(invalid.errors)} problem(s); run `boundary-bot content check`")
    try:
        url = normalize_database_url(settings.database_url, settings.data_dir)
    except DatabaseUrlError as exc:
        line(False, f"database: {exc}")
        return 1
    if data_dir is not None and url.startswith("sqlite"):
        line(None, "database: not checked (it lives in DATA_DIR, see above)")
        return 1
    for path in readable_by_others(private_paths(settings, url)):
        line(None, f"{path} can be read by other users of this machine: chmod {'700' if path.is_dir() else '600'} "
                   f"{path}", warn=True)
    engine = make_engine(url)
    try:
        current, head = await asyncio.wait_for(schema_status(engine), timeout=10)
        if current == head:
            line(True, f"database: reachable, schema up to date ({redact(url)})")
        else:
            line(None, f"database: reachable, schema {current or 'empty'} -> {head} on next start ({redact(url)})")
    except Exception as exc:
        problems += 1
        line(False, f"database: not reachable ({redact(url)}): {type(exc).__name__}")
    finally:
        await engine.dispose()
    return 1 if problems else 0


def _leave_now(code: int) -> NoReturn:
    """Ctrl-C: end at once and without a traceback. A terminal reader thread may still be blocked on the
    terminal, and a normal interpreter exit would wait on it (or trip over its lock on stdin)."""
    print(flush=True)
    sys.stderr.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "keygen":
        print(Fernet.generate_key().decode("ascii"))
        return 0
    from adapters import PLATFORMS, names  # the composition root may import adapters

    problems: list[str] = []
    loaded: dict[type[BaseSettings], BaseSettings] = {}
    models: list[type[BaseSettings]] = [Settings, *(platform.settings for platform in PLATFORMS)]
    for model in models:  # the core's settings, then each platform's own
        try:
            loaded[model] = model()
        except ValidationError as exc:
            problems += explain_settings(exc, model)  # one line per setting: name, what is wrong, a right example
    settings = cast(Settings, loaded.get(Settings))
    platforms = {platform.name: loaded[platform.settings] for platform in PLATFORMS if platform.settings in loaded}
    if not problems and settings.adapter not in ("auto", *names()):
        choices = [f"'{name}'" for name in sorted(("auto", *names()))]
        problems.append(f"ADAPTER={settings.adapter[:60]}: should be {', '.join(choices[:-1])} or {choices[-1]}. "
                        f"For example: ADAPTER={names()[-1]}")  # the last one needs no settings
    if problems:
        for line in problems:
            print(f"[FAIL] {line}" if args.command == "doctor" else f"configuration problem: {line}",
                  file=sys.stdout if args.command == "doctor" else sys.stderr)
        return 1 if args.command == "doctor" else 2
    configure_logging(settings.log_level, settings.log_format)
    if args.command in ("run", "migrate", "rotate-keys"):
        problem = settings.data_dir_problem()
        if problem is not None:
            print(f"configuration problem: {problem}", file=sys.stderr)
            return 2
    try:
        if args.command == "run":
            try:
                with asyncio.Runner(loop_factory=_fast_loop()) as runner:
                    return runner.run(_run(settings, platforms, args.adapter))
            except KeyboardInterrupt:
                _leave_now(130)
        if args.command == "migrate":
            return asyncio.run(_migrate(settings))
        if args.command == "doctor":
            return asyncio.run(_doctor(settings, platforms))
        if args.command == "status":
            return asyncio.run(_status(settings, args.json))
        platform = next((platform for platform in PLATFORMS if platform.name == args.command), None)
        if platform is not None and platform.command is not None:
            return platform.command(args, settings, platforms[platform.name])
        if args.command == "content":
            return _content_check(settings)
        if args.command == "schedule":
            return _preview(args)
        if args.command == "screen":
            if args.eval_files:
                return _screen_eval(settings, args.eval_files, args.json, args.misses)
            if not args.text:
                print("screen needs TEXT, or --eval FILE", file=sys.stderr)
                return 2
            return _screen(settings, " ".join(args.text), args.json)
        if args.command == "rotate-keys":
            return asyncio.run(_rotate(settings))
    except ContentInvalid as invalid:
        print(f"content problems, see `boundary-bot content check`:\n{invalid}", file=sys.stderr)
        return 1
    except (DatabaseUrlError, ConfigurationError, CipherError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
