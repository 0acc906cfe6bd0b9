"""The load process of drill 5: fires every request of a file at once, signed, and times each acknowledgement.

    python -m drills.slack_load_client URL SIGNING_SECRET REQUESTS.json RESULTS.json
    python -m drills.slack_load_client serve PORT

REQUESTS.json is a list of Slack interactive payloads (block_actions). All bodies are built and signed
before the first request goes out; then every request is started at the same moment on its own connection.
RESULTS.json gets one {"status", "seconds", "started", "ended"} per request (status 0 = connection error).

`serve` is the yardstick: a bare aiohttp server on 127.0.0.1:PORT (the bot's listen backlog) that reads each
body and answers 200 at once. The same burst against it measures what this client and the machine take by
themselves: a floor no bot can get under.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.slack_server import SlackRequests

LISTEN_BACKLOG = 1024  # as adapters.slack.adapter.LISTEN_BACKLOG (not imported: this process stays light)


async def fire(url: str, secret: str, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    signer = SlackRequests(secret)
    signed = [signer.interactive(payload) for payload in payloads]
    connector = aiohttp.TCPConnector(limit=0, force_close=True)
    results: list[dict[str, Any]] = []
    gate = asyncio.Event()
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:

        async def one(body: bytes, headers: dict[str, str]) -> None:
            await gate.wait()
            started = time.perf_counter()
            wall = time.time()
            try:
                async with http.post(url, data=body, headers=headers) as answer:
                    await answer.read()
                    status = answer.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0
            results.append({"status": status, "seconds": time.perf_counter() - started, "started": wall,
                            "ended": time.time()})

        tasks = [asyncio.create_task(one(body, headers)) for body, headers in signed]
        await asyncio.sleep(0.2)  # every task is waiting at the gate
        gate.set()
        await asyncio.gather(*tasks)
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


def main() -> None:
    if sys.argv[1] == "serve":
        asyncio.run(serve(int(sys.argv[2])))
        return
    url, secret, requests_path, results_path = sys.argv[1:5]
    payloads = json.loads(Path(requests_path).read_text())
    results = asyncio.run(fire(url, secret, payloads))
    Path(results_path).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
