"""The Slack app manifest (manifest.yaml), filled in for Socket Mode or for HTTP mode at a public URL.

Plain YAML and no Slack library, so `boundary-bot slack manifest` works before the slack extra is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

MANIFEST_PATH = Path(__file__).with_name("manifest.yaml")
EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"


def load_manifest(url: str = "") -> dict[str, Any]:
    """The manifest as shipped (Socket Mode), or with `url` (https://host) every request URL for HTTP mode,
    including the OAuth redirect for installing into more workspaces."""
    manifest: dict[str, Any] = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    if not url:
        return manifest
    base = url.rstrip("/")
    events = base + EVENTS_PATH
    for command in manifest["features"]["slash_commands"]:
        command["url"] = events
    manifest["oauth_config"]["redirect_urls"] = [base + REDIRECT_PATH]
    settings = manifest["settings"]
    settings["event_subscriptions"]["request_url"] = events
    settings["interactivity"]["request_url"] = events
    settings["socket_mode_enabled"] = False
    return manifest


def bot_scopes() -> list[str]:
    return list(load_manifest()["oauth_config"]["scopes"]["bot"])


def manifest_text(url: str = "") -> str:
    return yaml.safe_dump(load_manifest(url), sort_keys=False, allow_unicode=True, width=1000)
