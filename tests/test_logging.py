"""What the bot's own log configuration keeps and drops."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from bot.app import SkippedRoundFilter, configure_logging


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
