"""The load process of drill 5: fires every request of a file at once, signed, and times each acknowledgement.

    python -m drills.slack_load_client URL SIGNING_SECRET REQUESTS.json RESULTS.json
    python -m drills.slack_load_client serve PORT

REQUESTS.json is a list of Slack interactive payloads (block_actions). All requests are built and signed before
the burst; then one connection per request is started in one pass, each request is written as soon as its
connection is up, and each is timed from the start of the burst to the last byte of its response.
RESULTS.json gets one {"status", "seconds", "started", "ended"} per request (status 0 = no answer).

`serve` is the yardstick: a bare aiohttp server on 127.0.0.1:PORT (the bot's listen backlog) that reads each
body and answers 200 at once. The same burst against it measures what this client and the machine take by
themselves: a floor no bot can get under.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import sys
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from aiohttp import web

from tests.fakes.slack_server import SlackRequests

T = TypeVar("T")
LISTEN_BACKLOG = 1024  # as adapters.slack.server.LISTEN_BACKLOG (not imported: this process stays light)


class Probe(asyncio.Protocol):
    """One request of the burst: opens its connection, writes the prepared request as soon as the connection is
    up, and notes when the last byte of the HTTP response has arrived."""

    def __init__(self, request: bytes) -> None:
        self.request = request
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.done: asyncio.Future[tuple[int, float]] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's transports don't subclass asyncio's
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0 or self.done.done():
            return
        head = bytes(self.buffer[:head_end]).decode("latin-1").split("\r\n")
        length = 0
        for line in head[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if len(self.buffer) >= head_end + 4 + length:
            self.done.set_result((int(head[0].split()[1]), time.perf_counter()))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result((0, time.perf_counter()))


def raw_request(url: str, body: bytes, headers: dict[str, str]) -> bytes:
    parsed = urlsplit(url)
    lines = [f"POST {parsed.path or '/'} HTTP/1.1", f"Host: {parsed.netloc}", f"Content-Length: {len(body)}",
             "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()
              if name.lower() not in {"host", "content-length", "connection"}]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def fire(url: str, secret: str, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every request at once, each on a new connection; one result per request.

    All requests are built and signed first. Then every connection is started in one pass; each request is
    written the moment its connection is up and timed from the start of the burst (so its TCP handshake counts)
    to the last byte of its response. The client is a bare asyncio protocol rather than an HTTP client library,
    whose own per-request work in this same process would be measured too.
    """
    signer = SlackRequests(secret)
    requests = [raw_request(url, signed.body, dict(signed.headers)) for signed in
                (signer.interactive(payload) for payload in payloads)]
    parsed = urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    loop = asyncio.get_running_loop()
    probes = [Probe(request) for request in requests]
    started, started_wall = time.perf_counter(), time.time()
    opened = await asyncio.gather(*(loop.create_connection(functools.partial(lambda probe: probe, probe), host, port)
                                    for probe in probes), return_exceptions=True)
    results: list[dict[str, Any]] = []
    for probe, outcome in zip(probes, opened, strict=True):
        status, ended = 0, time.perf_counter()
        if not isinstance(outcome, BaseException):
            with contextlib.suppress(TimeoutError):
                status, ended = await asyncio.wait_for(asyncio.shield(probe.done), 30)
        results.append({"status": status, "seconds": ended - started, "started": started_wall,
                        "ended": started_wall + (ended - started)})
        if probe.transport is not None:
            probe.transport.close()
    return results


async def serve(port: int) -> None:
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.Response(status=200)

    application = web.Application()
    application.router.add_post("/slack/events", answer)
    runner = web.AppRunner(application, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=LISTEN_BACKLOG).start()
    print("floor server listening", flush=True)
    await asyncio.Event().wait()


def run(main: Coroutine[Any, Any, T]) -> T:
    """uvloop when installed, as the bot itself uses it: the lighter the measuring process, the truer the number."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def main() -> None:
    if sys.argv[1] == "serve":
        run(serve(int(sys.argv[2])))
        return
    url, secret, requests_path, results_path = sys.argv[1:5]
    payloads = json.loads(Path(requests_path).read_text())
    Path(results_path).write_text(json.dumps(run(fire(url, secret, payloads))))


if __name__ == "__main__":
    main()
