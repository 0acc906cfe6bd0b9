"""What the bot's own log configuration keeps and drops."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator

import pytest

from bot.app import SkippedRoundFilter, configure_logging
from bot.logsafe import JsonFormatter


@pytest.fixture
def scheduler_log() -> Iterator[logging.Logger]:
    log = logging.getLogger("apscheduler.scheduler")
    filters, level = list(log.filters), log.level
    yield log
    log.filters[:] = filters
    log.setLevel(level)


def test_a_dispatch_round_still_running_is_not_logged_as_a_warning_every_interval(
        scheduler_log: logging.Logger, caplog: pytest.LogCaptureFixture) -> None:
    configure_logging("INFO")
    configure_logging("INFO")  # twice (a restart in one process): still one filter
    assert sum(isinstance(existing, SkippedRoundFilter) for existing in scheduler_log.filters) == 1
    with caplog.at_level(logging.WARNING):
        scheduler_log.warning('Execution of job "%s" skipped: maximum number of running instances reached (%d)',
                              "guarded.<locals>.run (trigger: interval[0:00:10])", 1)
        scheduler_log.warning('Run time of job "%s" was missed by %s', "dispatch", "0:00:05")
    assert [record.getMessage() for record in caplog.records] == [
        'Run time of job "dispatch" was missed by 0:00:05']


def test_json_logs_are_one_object_a_line_and_an_exception_keeps_no_message() -> None:
    formatter = JsonFormatter()
    try:
        raise ValueError("my marker note: I told nobody")
    except ValueError:
        record = logging.LogRecord("bot.conversation", logging.ERROR, __file__, 1, "event %s failed", ("Command",),
                                   sys.exc_info())
    line = formatter.format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert set(entry) == {"time", "level", "logger", "message", "exception"}
    assert (entry["level"], entry["logger"], entry["message"]) == ("ERROR", "bot.conversation", "event Command failed")
    assert entry["exception"].startswith("builtins.ValueError at ")
    assert "marker" not in line
    assert "nobody" not in line
    assert entry["time"].endswith("+00:00")


def test_log_format_json_switches_the_handlers_and_text_stays_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    handler = logging.StreamHandler()
    monkeypatch.setattr(root, "handlers", [handler])
    configure_logging("INFO")
    assert not isinstance(handler.formatter, JsonFormatter)
    configure_logging("INFO", "json")
    assert isinstance(handler.formatter, JsonFormatter)
