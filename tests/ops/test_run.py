"""`boundary-bot run` with METRICS_PORT set: the console adapter serves the endpoints too, and stops cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.ops.conftest import closed_port, get


def test_the_console_bot_serves_health_readiness_and_metrics(tmp_path: Path) -> None:
    port = closed_port()
    environment = {**os.environ, "DATA_DIR": str(tmp_path), "METRICS_PORT": str(port), "LOG_FORMAT": "json",
                   "ADAPTER": "console", "DATABASE_URL": "", "DISCORD_TOKEN": "", "SLACK_BOT_TOKEN": "",
                   "SLACK_APP_TOKEN": ""}
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=environment, cwd=tmp_path)
    watchdog = threading.Timer(120, process.kill)  # a hung start fails the test instead of the whole run
    watchdog.start()
    try:
        assert process.stderr is not None
        for line in process.stderr:  # blocks until the bot says it serves (or exits)
            if "health and metrics on" in line:
                break
        else:
            raise AssertionError("the bot exited without serving the metrics port")
        assert line.startswith("{"), "a JSON log line"
        assert f"127.0.0.1:{port}" in line
        # Just started, the bot may still be busy starting and the machine with other work:
        # /healthz says 503 while its loop misses the 100 ms deadline. Each such answer takes that long, so
        # asking again at once is paced; the bot must answer 200 within 10 s.
        deadline = time.monotonic() + 10
        while (health := get(port, "/healthz")).status != 200 and time.monotonic() < deadline:
            pass
        ready = get(port, "/readyz")
        metrics = get(port, "/metrics")
        assert health.status == 200, health.json()
        assert ready.status == 200 or set(ready.json()["not_ready"]) == {"dispatcher"}, ready.json()
        assert "boundary_outbox_depth 0.0" in metrics.text
        stdout, _ = process.communicate("/help\n", timeout=60)  # its input ends: the console bot stops
        assert process.returncode == 0
        assert stdout.strip()
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()
