"""/healthz, /readyz and /metrics on the Slack app's own port (HTTP mode, METRICS_PORT equal to PORT): the
answers are bot.ops.server.SharedOps's; here they only become aiohttp routes."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.ops.server import SharedOps

OPS_PATHS = ("/healthz", "/readyz", "/metrics")


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(status=status, body=json.dumps(body).encode(), content_type="application/json",
                        headers={"Cache-Control": "no-store"})


def add_ops_routes(application: web.Application, ops: SharedOps) -> None:
    async def healthz(request: web.Request) -> web.Response:
        return _json(*await ops.health())

    async def readyz(request: web.Request) -> web.Response:
        return _json(*await ops.ready())

    async def metrics(request: web.Request) -> web.Response:
        response = web.Response(status=200, body=await ops.exposition(), headers={"Cache-Control": "no-store"})
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    application.router.add_get("/healthz", healthz)
    application.router.add_get("/readyz", readyz)
    application.router.add_get("/metrics", metrics)
