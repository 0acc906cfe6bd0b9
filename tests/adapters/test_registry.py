"""The adapter registry is the one place that names the platforms: the core is given the list, not the names."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from pydantic_settings import BaseSettings

from adapters import PLATFORMS, chosen, names, rate_limits
from bot.config import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_core_names_no_platform() -> None:
    """Settings, the command line, pacing and metrics take each platform from the registry; comments and
    docstrings say what a platform does, not which one (platform-specific remarks live in its adapter)."""
    sources = sorted((ROOT / "bot").rglob("*.py"))
    assert len(sources) > 50
    found = [f"{path.relative_to(ROOT)}: {name}" for path in sources for name in names()
             if re.search(rf"\b{name}\b", path.read_text(encoding="utf-8"), flags=re.IGNORECASE)]
    assert found == []


def test_the_shared_test_fixtures_deliver_through_every_platform_by_the_registry() -> None:
    text = (ROOT / "tests" / "conftest.py").read_text(encoding="utf-8")
    assert [name for name in names() if f'"{name}"' in text] == []


def test_every_platform_brings_settings_a_way_to_run_and_its_limits() -> None:
    assert len(set(names())) == len(PLATFORMS)
    for platform in PLATFORMS:
        assert issubclass(platform.settings, BaseSettings)
        assert inspect.iscoroutinefunction(platform.run)
        assert (platform.add_commands is None) == (platform.command is None), platform.name
    limits = rate_limits()
    assert set(limits["platform_limits"]) == {p.name for p in PLATFORMS if p.limit is not None} != set()
    assert all(limit.rate > 0 and limit.burst >= 1 for kind in limits.values() for limit in kind.values())


def test_no_two_platforms_and_not_the_core_claim_the_same_setting() -> None:
    fields = [*Settings.model_fields, *(name for platform in PLATFORMS for name in platform.settings.model_fields)]
    assert len(fields) == len(set(fields))


def test_auto_starts_the_demonstration_platform_only_when_its_own_setting_asks_for_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [*Settings.model_fields, *(field for p in PLATFORMS for field in p.settings.model_fields)]:
        monkeypatch.delenv(name.upper(), raising=False)

    def started() -> str:
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        return chosen(settings, {p.name: p.settings(_env_file=None) for p in PLATFORMS}).name  # type: ignore[call-arg]

    assert started() == names()[-1] == "console"  # `make run` with nothing set: the terminal
    monkeypatch.setenv("ECHO_SCRIPT", "lines.txt")
    assert started() == "echo"
