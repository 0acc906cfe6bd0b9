"""`boundary-bot status` for someone with a shell: readiness, the outbox and the last hour, from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console.adapter import ConsoleAdapter
from bot.__main__ import main
from bot.ops.status import report
from bot.ports import RateLimited
from bot.scheduling.dispatcher import Dispatcher
from tests.conftest import CollectingTransport, FakeClock

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

NINE_BERLIN = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)


async def test_the_report_counts_what_went_out_late_and_what_waits(
        console: ConsoleAdapter, dispatcher: Dispatcher, transport: CollectingTransport, clock: FakeClock,
        raw_engine: AsyncEngine) -> None:
    await console.respond("/schedule 09:00 daily Europe/Berlin")
    clock.now = NINE_BERLIN + timedelta(minutes=15)
    await dispatcher.tick()
    sent = await report(raw_engine, 10.0, clock.now)
    assert not sent.problems
    assert sent.last_hour is not None
    assert (sent.last_hour.by_outcome, sent.last_hour.late) == ({"sent": 1}, 1)
    assert "last hour: 1 due (sent 1); 1 sent more than 10 min late" in sent.lines()

    clock.advance(days=1)
    clock.now = clock.now.replace(hour=8, minute=0, second=30)
    transport.failures.append(RateLimited(3600))
    await dispatcher.tick()
    clock.advance(minutes=2)
    stuck = await report(raw_engine, 10.0, clock.now)
    assert stuck.outbox is not None
    assert stuck.outbox.depth == 1
    assert "outbox: 1 waiting, oldest due 2.5 min ago" in stuck.lines()
    assert list(stuck.problems) == [], "a prompt waiting out Retry-After is not a stuck dispatcher"

    clock.advance(hours=1, minutes=1)  # Retry-After is over and nothing sent it: no process is delivering
    idle = await report(raw_engine, 10.0, clock.now)
    assert list(idle.problems) == ["delivery"]
    assert idle.as_json()["ready"] is False


def test_status_on_a_database_without_the_schema_says_not_ready(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("METRICS_PORT", raising=False)
    assert main(["status"]) == 1
    assert "not ready: migrations: schema at nothing" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    capsys.readouterr()
    assert main(["status"]) == 0
    out = capsys.readouterr().out
    assert "ready: yes" in out
    assert "outbox: 0 waiting" in out
