"""A chart is drawn once per change: /history again (or a Slack Home refresh) reuses it; a new check-in or a
different period draws a new one."""

from __future__ import annotations

from typing import Any

import pytest

import bot.features.history
from adapters.console.adapter import ConsoleAdapter
from bot.insights import render_chart
from tests.conftest import FakeClock


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return render_chart(*args, **kwargs)

    monkeypatch.setattr(bot.features.history, "render_chart", counting)
    return calls


async def checkin(console: ConsoleAdapter) -> None:
    await console.respond("/checkin")
    for answer in ("4", "1", "skip"):
        await console.respond(answer)


async def test_history_twice_draws_the_chart_once(console: ConsoleAdapter, clock: FakeClock,
                                                  drawn: list[int]) -> None:
    await checkin(console)
    first = await console.respond("/history")
    second = await console.respond("/history")
    assert len(drawn) == 1
    assert "Chart saved" in first or ".png" in first
    assert first == second, "the same chart, the same words"


async def test_a_new_checkin_or_another_period_draws_again(console: ConsoleAdapter, clock: FakeClock,
                                                           drawn: list[int]) -> None:
    await checkin(console)
    await console.respond("/history")
    clock.advance(days=1)
    await checkin(console)
    await console.respond("/history")
    assert len(drawn) == 2
    await console.respond("/history all")
    assert len(drawn) == 3
