"""/healthz, /readyz and /metrics as an operator's probe and Prometheus see them, ready and not."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import App
from bot.ops.metrics import Metrics
from bot.ops.server import Readiness, serving
from bot.storage.database import make_engine
from tests.ops.conftest import Ticking, closed_port, get


async def test_healthz_answers_200_while_the_loop_is_free(app: App) -> None:
    async with serving(app.metrics, app.readiness(lambda: True), host="127.0.0.1", port=0) as server:
        answer = await asyncio.to_thread(get, server.port, "/healthz")
    assert answer.status == 200
    assert answer.json()["status"] == "ok"


async def test_healthz_answers_503_when_the_loop_is_stuck(app: App) -> None:
    async with serving(app.metrics, app.readiness(lambda: True), host="127.0.0.1", port=0) as server:
        answer = get(server.port, "/healthz")  # called on the loop itself: the loop is blocked until it returns
    assert answer.status == 503
    assert "did not answer within 100 ms" in answer.json()["status"]


async def test_readyz_is_ready_once_the_dispatcher_has_run(app: App) -> None:
    dispatcher = app.start_delivery({})
    async with serving(app.metrics, app.readiness(lambda: True), host="127.0.0.1", port=0) as server:
        before = await asyncio.to_thread(get, server.port, "/readyz")
        await dispatcher.tick()
        after = await asyncio.to_thread(get, server.port, "/readyz")
    assert before.status == 503
    assert before.json() == {"ready": False, "not_ready": {"dispatcher": "has not run yet"}}
    assert after.status == 200
    assert after.json() == {"ready": True}
    assert after.content_type == "application/json"


async def test_readyz_names_a_stalled_dispatcher(app: App, ticking: Ticking) -> None:
    dispatcher = app.start_delivery({})
    await dispatcher.tick()
    async with serving(app.metrics, app.readiness(lambda: True), host="127.0.0.1", port=0) as server:
        ticking.now += 29  # three intervals of 10 s not yet over
        still = await asyncio.to_thread(get, server.port, "/readyz")
        ticking.now += 2
        stalled = await asyncio.to_thread(get, server.port, "/readyz")
    assert still.status == 200
    assert stalled.status == 503
    assert list(stalled.json()["not_ready"]) == ["dispatcher"]
    assert "no progress for 31 s" in stalled.json()["not_ready"]["dispatcher"]


async def test_readyz_names_a_platform_that_is_not_connected(app: App) -> None:
    connected = False
    app.start_delivery({})
    await app.start_delivery({}).tick()
    async with serving(app.metrics, app.readiness(lambda: connected), host="127.0.0.1", port=0) as server:
        down = await asyncio.to_thread(get, server.port, "/readyz")
        connected = True
        up = await asyncio.to_thread(get, server.port, "/readyz")
    assert (down.status, down.json()["not_ready"]) == (503, {"platform": "not connected"})
    assert up.status == 200


async def test_readyz_names_a_database_that_does_not_answer(tmp_path: Path) -> None:
    engine = make_engine(f"postgresql+asyncpg://bot@127.0.0.1:{closed_port()}/boundary")
    metrics = Metrics()
    metrics.heartbeat()
    try:
        readiness = Readiness(engine, metrics, lambda: True, 10.0)
        async with serving(metrics, readiness, host="127.0.0.1", port=0) as server:
            answer = await asyncio.to_thread(get, server.port, "/readyz")
            health = await asyncio.to_thread(get, server.port, "/healthz")
            scraped = await asyncio.to_thread(get, server.port, "/metrics")
    finally:
        await engine.dispose()
    assert answer.status == 503
    assert answer.json()["not_ready"]["database"].startswith("not answering (")
    assert health.status == 200, "a database outage is not the process being dead"
    assert scraped.status == 200, "metrics still answer, with the last figures"


async def test_readyz_names_migrations_that_are_not_at_head(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    metrics = Metrics()
    metrics.heartbeat()
    try:
        async with serving(metrics, Readiness(engine, metrics, lambda: True, 10.0), host="127.0.0.1",
                           port=0) as server:
            answer = await asyncio.to_thread(get, server.port, "/readyz")
    finally:
        await engine.dispose()
    assert answer.status == 503
    assert answer.json()["not_ready"]["migrations"].startswith("schema at nothing, head is ")


async def test_metrics_is_the_prometheus_text_format_with_the_outbox_depth(app: App) -> None:
    async with serving(app.metrics, app.readiness(lambda: True), host="127.0.0.1", port=0) as server:
        answer = await asyncio.to_thread(get, server.port, "/metrics")
        missing = await asyncio.to_thread(get, server.port, "/nothing")
    assert answer.status == 200
    assert answer.content_type.startswith("text/plain; version=")
    assert "# TYPE boundary_prompts_sent_total counter" in answer.text
    assert "boundary_outbox_depth 0.0" in answer.text
    assert missing.status == 404


async def test_the_port_is_off_unless_metrics_port_is_set(app: App) -> None:
    async with app.ops(lambda: True) as server:
        assert server is None
