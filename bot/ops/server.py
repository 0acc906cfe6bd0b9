"""/healthz, /readyz and /metrics on METRICS_PORT, served from a thread of their own.

The server runs beside the event loop, not on it: a loop that is stuck still gets an answer (503) instead of
a probe that hangs, and a scrape never queues behind the requests the bot is answering. A scrape reads the
outbox depth on a loop and a database connection of the server's own, so it adds no work to the bot's loop;
readiness asks the bot's own loop and engine (that they answer is what it checks), with a deadline.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.logsafe import describe_exception
from bot.ops.metrics import Metrics
from bot.ops.status import outbox
from bot.storage.database import make_engine, schema_status
from bot.storage.models import utcnow

log = logging.getLogger(__name__)
T = TypeVar("T")

OPS_PATHS = ("/healthz", "/readyz", "/metrics")
HEALTH_DEADLINE = 0.1  # the loop must run a callback within this long for /healthz to say 200
READY_DEADLINE = 5.0
DATABASE_DEADLINE = 2.0
LOOP_PROBE_EVERY = 0.5


@dataclass
class Readiness:
    """What must hold before this process should be sent traffic or trusted to deliver prompts."""

    engine: AsyncEngine
    metrics: Metrics
    platform_ready: Callable[[], bool]
    dispatch_interval: float
    delivering: Callable[[], bool] = lambda: True

    async def problems(self) -> dict[str, str]:
        """Name -> what is wrong; empty when ready."""
        found: dict[str, str] = {}
        try:
            current, head = await asyncio.wait_for(schema_status(self.engine), DATABASE_DEADLINE)
        except Exception as exc:  # a driver's message can quote a row: its type only
            found["database"] = f"not answering ({type(exc).__name__})"
        else:
            if current != head:
                found["migrations"] = f"schema at {current or 'nothing'}, head is {head}"
        try:
            if not self.platform_ready():
                found["platform"] = "not connected"
        except Exception as exc:
            found["platform"] = f"check failed ({type(exc).__name__})"
        if self.delivering():
            quiet = self.metrics.quiet_for()
            allowed = 3 * self.dispatch_interval
            if quiet is None:
                found["dispatcher"] = "has not run yet"
            elif quiet > allowed:
                found["dispatcher"] = f"no progress for {quiet:.0f} s (allowed {allowed:.0f} s)"
        return found


class OpsServer:
    def __init__(self, metrics: Metrics, readiness: Readiness, loop: asyncio.AbstractEventLoop, *,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.metrics = metrics
        self.readiness = readiness
        self._loop = loop
        handler = type("Handler", (_Handler,), {"ops": self})
        self._http = ThreadingHTTPServer((host, port), handler)
        self._http.daemon_threads = True
        self._thread = threading.Thread(target=self._http.serve_forever, name="ops-http", daemon=True)
        self._own = _OwnLoop(readiness.engine.url.render_as_string(hide_password=False))

    @property
    def port(self) -> int:
        return int(self._http.server_address[1])

    def start(self) -> None:
        self._own.start()
        self._thread.start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)
        self._own.stop()

    # ------------------------------------------------------------ answers (run on the server's threads)

    def _on_loop(self, coroutine: Coroutine[Any, Any, Any], deadline: float) -> Any:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        try:
            return future.result(timeout=deadline)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None

    def health(self) -> tuple[int, dict[str, Any]]:
        answered = threading.Event()
        started = time.monotonic()
        try:
            self._loop.call_soon_threadsafe(answered.set)
        except RuntimeError:  # the loop is closed
            return 503, {"status": "event loop stopped"}
        if not answered.wait(HEALTH_DEADLINE):
            return 503, {"status": f"event loop did not answer within {HEALTH_DEADLINE * 1000:.0f} ms"}
        return 200, {"status": "ok", "loop_answer_ms": round((time.monotonic() - started) * 1000, 2)}

    def ready(self) -> tuple[int, dict[str, Any]]:
        try:
            problems: dict[str, str] = self._on_loop(self.readiness.problems(), READY_DEADLINE)
        except TimeoutError:
            problems = {"event_loop": f"did not answer within {READY_DEADLINE:.0f} s"}
        except Exception as exc:
            problems = {"readiness": f"check failed ({describe_exception(exc)})"}
        if problems:
            return 503, {"ready": False, "not_ready": problems}
        return 200, {"ready": True}

    def exposition(self) -> bytes:
        return _scrape(self.metrics, self._own)


def _scrape(metrics: Metrics, own: _OwnLoop) -> bytes:
    """The Prometheus text, with the outbox read just now on the server's own loop and connection."""
    with contextlib.suppress(Exception):  # a slow or absent database keeps the last figures
        box = own.run(outbox, DATABASE_DEADLINE)
        metrics.outbox_depth.set(box.depth)
        metrics.oldest_due.set(box.oldest_age(utcnow()))
    return metrics.exposition()


class SharedOps:
    """The same three answers, served by the platform's own web server on the bot's loop (an adapter's HTTP
    mode with METRICS_PORT equal to PORT). /healthz then answers only if the loop does, so a stuck loop shows as a probe
    that times out rather than a 503; the scrape's database read still runs on a loop and connection of its own,
    off the bot's loop."""

    def __init__(self, metrics: Metrics, readiness: Readiness) -> None:
        self.metrics = metrics
        self.readiness = readiness
        self._own = _OwnLoop(readiness.engine.url.render_as_string(hide_password=False))

    def start(self) -> None:
        self._own.start()

    def stop(self) -> None:
        self._own.stop()

    async def health(self) -> tuple[int, dict[str, Any]]:
        return 200, {"status": "ok"}

    async def ready(self) -> tuple[int, dict[str, Any]]:
        try:
            problems = await asyncio.wait_for(self.readiness.problems(), READY_DEADLINE)
        except TimeoutError:
            problems = {"readiness": f"did not finish within {READY_DEADLINE:.0f} s"}
        except Exception as exc:
            problems = {"readiness": f"check failed ({describe_exception(exc)})"}
        if problems:
            return 503, {"ready": False, "not_ready": problems}
        return 200, {"ready": True}

    async def exposition(self) -> bytes:
        return await asyncio.to_thread(_scrape, self.metrics, self._own)

    async def answer(self, path: str) -> tuple[int, str, bytes]:
        """The status, content type and body of one of OPS_PATHS, for the web server that serves it."""
        if path == "/metrics":
            return 200, CONTENT_TYPE_LATEST, await self.exposition()
        status, body = await (self.health() if path == "/healthz" else self.ready())
        return status, "application/json", json.dumps(body).encode()


class _OwnLoop:
    """An event loop in a thread with an engine of its own (one connection at a time, opened on first use)."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="ops-loop", daemon=True)
        self._engine: AsyncEngine | None = None

    def start(self) -> None:
        self._thread.start()

    def run(self, query: Callable[[AsyncEngine], Coroutine[Any, Any, T]], deadline: float) -> T:
        async def call() -> T:
            if self._engine is None:
                self._engine = make_engine(self._url)
            return await query(self._engine)

        future = asyncio.run_coroutine_threadsafe(call(), self._loop)
        try:
            return future.result(timeout=deadline)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise TimeoutError from None

    def stop(self) -> None:
        if self._engine is not None:
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(self._engine.dispose(), self._loop).result(timeout=5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self._loop.close()


class _Handler(BaseHTTPRequestHandler):
    ops: OpsServer
    server_version = "boundary-bot"
    sys_version = ""

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, self.ops.exposition(), CONTENT_TYPE_LATEST)
        elif path == "/healthz":
            self._json(*self.ops.health())
        elif path == "/readyz":
            self._json(*self.ops.ready())
        else:
            self._json(404, {"error": "not found", "paths": ["/healthz", "/readyz", "/metrics"]})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Probes every few seconds are not worth a log line each."""


async def watch_loop_lag(metrics: Metrics, every: float = LOOP_PROBE_EVERY) -> None:
    """How late the loop wakes a timer is how long everything else waited too."""
    loop = asyncio.get_running_loop()
    while True:
        asked = loop.time()
        await asyncio.sleep(every)
        metrics.loop_lag.observe(max(0.0, loop.time() - asked - every))


@contextlib.asynccontextmanager
async def shared(metrics: Metrics, readiness: Readiness) -> AsyncIterator[SharedOps]:
    """The answers for a platform's own web server to serve, and the loop-lag watch, while inside."""
    ops = SharedOps(metrics, readiness)
    ops.start()
    watcher = asyncio.ensure_future(watch_loop_lag(metrics))
    try:
        yield ops
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await asyncio.to_thread(ops.stop)


@contextlib.asynccontextmanager
async def serving(metrics: Metrics, readiness: Readiness, *, host: str, port: int) -> AsyncIterator[OpsServer]:
    server = OpsServer(metrics, readiness, asyncio.get_running_loop(), host=host, port=port)
    server.start()
    watcher = asyncio.ensure_future(watch_loop_lag(metrics))
    log.info("health and metrics on http://%s:%d (/healthz /readyz /metrics)", host, server.port)
    try:
        yield server
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await asyncio.to_thread(server.stop)
