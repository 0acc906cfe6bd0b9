"""`boundary-bot run --adapter slack` and `boundary-bot slack manifest` as a newcomer runs them: real
processes for `run`, a real HTTP server, and the fake Slack Web API on 127.0.0.1; `manifest`, which only prints,
through the command's main() in this process."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
from pathlib import Path

import aiohttp
import yaml

from adapters.slack.manifest import bot_scopes
from tests.adapters.slack.conftest import SECRET
from tests.conftest import Cli
from tests.fakes.slack_server import BOT_TOKEN, FakeSlackApi, SlackRequests, slash_command, url_verification

ROOT = Path(__file__).resolve().parents[3]


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DISCORD_", "SLACK_")) and key not in {"ADAPTER", "DATABASE_URL", "ENCRYPTION_KEYS",
                                                                          "CONTENT_DIR", "PORT"}}
    env.update(DATA_DIR=str(data_dir), LOG_LEVEL="INFO", **extra)
    return env


async def _bot(*args: str, env: dict[str, str]) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=ROOT, env=env,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    return process.returncode or 0, out.decode(), err.decode()


def test_manifest_for_socket_mode_and_for_http_mode(cli: Cli, tmp_path: Path) -> None:
    result = cli("slack", "manifest", DATA_DIR=str(tmp_path))
    assert result.returncode == 0
    socket_mode = yaml.safe_load(result.stdout)
    assert socket_mode["settings"]["socket_mode_enabled"] is True
    assert socket_mode["oauth_config"]["scopes"]["bot"] == bot_scopes()
    assert set(bot_scopes()) == {"commands", "chat:write", "im:write", "im:history", "files:write",
                                "users:read", "pins:write"}
    assert socket_mode["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened", "message.im",
                                                                      "app_uninstalled", "tokens_revoked"]
    assert [c["command"] for c in socket_mode["features"]["slash_commands"]] == ["/boundary"]
    assert socket_mode["features"]["app_home"]["home_tab_enabled"] is True
    assert socket_mode["features"]["app_home"]["messages_tab_enabled"] is True

    result = cli("slack", "manifest", "--url", "https://bot.example.org/", DATA_DIR=str(tmp_path))
    assert result.returncode == 0
    http = yaml.safe_load(result.stdout)
    events = "https://bot.example.org/slack/events"
    assert http["settings"]["socket_mode_enabled"] is False
    assert http["settings"]["event_subscriptions"]["request_url"] == events
    assert http["settings"]["interactivity"]["request_url"] == events
    assert http["features"]["slash_commands"][0]["url"] == events
    assert http["oauth_config"]["redirect_urls"] == ["https://bot.example.org/slack/oauth_redirect"]


async def test_run_without_credentials_explains_what_to_set(tmp_path: Path) -> None:
    code, _, err = await _bot("run", "--adapter", "slack", env=_env(tmp_path))
    assert code == 2
    assert "SLACK_BOT_TOKEN" in err


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_serves_http_mode_on_port(tmp_path: Path) -> None:
    port = _free_port()
    async with FakeSlackApi() as fake:
        env = _env(tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url,
                   PORT=str(port))
        process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                       stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=asyncio.subprocess.PIPE)
        try:
            assert process.stderr is not None
            async with asyncio.timeout(60):
                while b"slack HTTP mode listening" not in (line := await process.stderr.readline()):
                    assert line, "the bot stopped before it listened"
            signed = SlackRequests(SECRET)
            url = f"http://127.0.0.1:{port}/slack/events"
            async with aiohttp.ClientSession() as http:
                verification = signed.event(url_verification("ping"))
                async with http.post(url, data=verification.body, headers=verification.headers) as answer:
                    assert json.loads(await answer.text()) == {"challenge": "ping"}
                command = signed.command(slash_command(text="help", response_url=fake.response_url("cli")))
                async with http.post(url, data=command.body, headers=command.headers) as answer:
                    assert answer.status == 200
            [(_, reply)] = await fake.wait_for_responses(within=10)
            assert reply["response_type"] == "ephemeral"
        finally:
            process.terminate()
            async with asyncio.timeout(30):
                await process.wait()
