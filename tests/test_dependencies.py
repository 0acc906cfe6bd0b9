"""Dependency floors exclude releases with published advisories for what the bot uses: aiohttp serves Slack's
public HTTP endpoint (request smuggling fixed in 3.12.14), cryptography does all encryption (44.0.1 ships a fixed
OpenSSL)."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata

from tests.conftest import ROOT

FLOORS = {"aiohttp": (3, 12, 14), "cryptography": (44, 0, 1)}


def version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_every_requirement_of_these_packages_has_the_floor() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = [*project["dependencies"], *(req for extra in project["optional-dependencies"].values()
                                                 for req in extra)]
    for package, floor in FLOORS.items():
        mine = [req for req in requirements if re.match(rf"{package}\b", req)]
        assert mine, f"{package} is required somewhere"
        for requirement in mine:
            found = re.search(r">=\s*([0-9.]+)", requirement)
            assert found is not None, requirement
            assert version(found.group(1)) >= floor, requirement


def test_the_installed_versions_meet_the_floors() -> None:
    for package, floor in FLOORS.items():
        assert version(metadata.version(package)) >= floor, package


def test_maps_keyed_by_people_or_requests_have_a_bound() -> None:
    from adapters.discord import transport as discord_transport
    from adapters.slack import transport as slack_transport
    from bot import replay
    from bot.bounded import BoundedDict

    remembered: BoundedDict[str, int] = BoundedDict(3)
    for number in range(10):
        remembered[f"person-{number}"] = number
    assert list(remembered) == ["person-7", "person-8", "person-9"]
    remembered["person-7"] = 70  # written again: now the newest
    remembered["person-10"] = 10
    assert list(remembered) == ["person-9", "person-7", "person-10"]
    assert slack_transport.DM_CHANNELS_KEPT <= 100_000
    assert replay.REPLAYS_KEPT <= 100_000
    assert discord_transport.DM_CHANNELS_KEPT <= 100_000
