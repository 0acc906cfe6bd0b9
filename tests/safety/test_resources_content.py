"""The crisis numbers file: complete, sourced, recently checked, and refused with file:line when it is not.

A wrong or stale number shown to a person in crisis is the worst bug this project can have, so the loader
refuses the whole content folder rather than start with a doubtful entry.
"""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.content.loader import VERIFIED_WITHIN_DAYS, Content, ContentError, ContentInvalid, load_content
from bot.content.schema import Region

RESOURCES = "safety/resources.yaml"
SHOWN = "content/safety/resources.yaml"
COUNTRIES = ("US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "ES", "NL", "IN", "BR", "ZA")
# The day the shipped entries were checked; every edit below is judged against it.
CHECKED = date(2026, 12, 7)
NUMBER = re.compile(r"^[0-9][0-9 -]*[0-9]$|^[0-9]$")


@pytest.fixture
def copy(content: Content, tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(content.root, target)
    return target


def _edit(folder: Path, old: str, new: str) -> str:
    """Replace one exact, unique fragment of resources.yaml; return the new text."""
    path = folder / RESOURCES
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {RESOURCES}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def _line(text: str, fragment: str) -> int:
    """1-based line of the (unique) fragment."""
    assert text.count(fragment) == 1, fragment
    return text[: text.index(fragment)].count("\n") + 1


def _only_error(folder: Path, today: date = CHECKED) -> ContentError:
    with pytest.raises(ContentInvalid) as caught:
        load_content(folder, today=today)
    errors = caught.value.errors
    assert len(errors) == 1, errors
    return errors[0]


def _regions(content: Content) -> list[tuple[str, Region]]:
    return [*content.resources.countries.items(), ("fallback", content.resources.fallback)]


# ---------------------------------------------------------------- the shipped file


def test_the_shipped_file_has_every_required_country_and_a_fallback(content: Content) -> None:
    assert set(COUNTRIES) <= set(content.resources.countries)
    assert content.resources.fallback.services
    assert "findahelpline.com" in " ".join(service.chat or "" for service in content.resources.fallback.services)


def test_the_shipped_file_loads_on_the_day_it_was_checked(content: Content) -> None:
    assert load_content(content.root, today=CHECKED).resources == content.resources


def test_every_entry_has_an_https_source_and_a_verification_date(content: Content) -> None:
    for code, region in _regions(content):
        for entry in (region.emergency, *region.services):
            name = getattr(entry, "name", "emergency number")
            assert entry.source.startswith("https://"), f"{code}: {name} source {entry.source!r}"
            assert isinstance(entry.last_verified, date), f"{code}: {name}"
            assert entry.last_verified <= CHECKED, f"{code}: {name} verified in the future"


def test_every_service_can_be_reached_and_its_numbers_look_like_numbers(content: Content) -> None:
    for code, region in _regions(content):
        for service in region.services:
            assert service.phone or service.text or service.chat, f"{code}: {service.name}"
            for number in (service.phone, service.text):
                assert not number or NUMBER.match(number), f"{code}: {service.name} has {number!r}"
            assert service.chat is None or service.chat.startswith("https://"), f"{code}: {service.name}"


def test_every_country_has_an_emergency_number_and_a_crisis_line_first(content: Content) -> None:
    for code, region in content.resources.countries.items():
        assert NUMBER.match(region.emergency.number), f"{code}: emergency {region.emergency.number!r}"
        assert region.services[0].kind == "crisis", f"{code}: {region.services[0].name} is listed first"
    assert content.resources.fallback.emergency.number == "", "the fallback says 'your local emergency number'"


def test_every_country_has_an_abuse_line_for_danger_from_someone_else(content: Content) -> None:
    """"My partner hits me" is answered with the country's abuse or domestic-violence line first."""
    for code, region in content.resources.countries.items():
        assert any(service.kind == "abuse" for service in region.services), f"{code} has no abuse line"


def test_the_oldest_check_is_the_first_to_expire(content: Content) -> None:
    """A year and a day after the oldest check, the file is refused, naming exactly those entries."""
    entries = [("fallback" if code == "fallback" else f"countries/{code}", getattr(entry, "name", "emergency number"),
                entry.last_verified)
               for code, region in _regions(content) for entry in (region.emergency, *region.services)]
    oldest = min(verified for *_, verified in entries)
    expected = {f"{where}: {name}" for where, name, verified in entries if verified == oldest}

    load_content(content.root, today=oldest + timedelta(days=VERIFIED_WITHIN_DAYS))
    with pytest.raises(ContentInvalid) as caught:
        load_content(content.root, today=oldest + timedelta(days=VERIFIED_WITHIN_DAYS + 1))
    named = set()
    for error in caught.value.errors:
        assert error.path == SHOWN
        named.add(error.message.split(f" was last verified {VERIFIED_WITHIN_DAYS + 1} days ago")[0])
    assert named == expected


# ---------------------------------------------------------------- broken copies

SAMARITANS_SOURCE = '        source: "https://www.samaritans.org/how-we-can-help/contact-samaritan/"\n'


def test_an_entry_verified_more_than_a_year_ago_is_refused_at_its_line(copy: Path) -> None:
    text = _edit(copy, SAMARITANS_SOURCE + "        last_verified: 2026-11-26\n",
                 SAMARITANS_SOURCE + "        last_verified: 2025-12-06\n")
    error = _only_error(copy)
    line = _line(text, "last_verified: 2025-12-06")
    assert (error.path, error.line) == (SHOWN, line)
    assert error.message == ("countries/GB: Samaritans was last verified 366 days ago (more than 365): "
                             "check it against its source")
    assert str(error).startswith(f"{SHOWN}:{line}: countries/GB: Samaritans ")


def test_an_entry_verified_exactly_a_year_ago_still_loads(copy: Path) -> None:
    _edit(copy, SAMARITANS_SOURCE + "        last_verified: 2026-11-26\n",
          SAMARITANS_SOURCE + "        last_verified: 2025-12-07\n")
    loaded = load_content(copy, today=CHECKED)
    assert loaded.resources.countries["GB"].services[0].last_verified == date(2025, 12, 7)


def test_a_stale_emergency_number_is_refused_naming_the_country(copy: Path) -> None:
    text = _edit(copy, '      number: "000"\n      source: "https://www.police.nsw.gov.au/?a=6943"\n'
                       "      last_verified: 2026-11-26\n",
                 '      number: "000"\n      source: "https://www.police.nsw.gov.au/?a=6943"\n'
                 "      last_verified: 2024-01-01\n")
    error = _only_error(copy)
    assert (error.path, error.line) == (SHOWN, _line(text, "last_verified: 2024-01-01"))
    assert error.message.startswith("countries/AU: emergency number was last verified ")


def test_an_entry_without_a_source_is_refused_at_the_entry(copy: Path) -> None:
    text = _edit(copy, SAMARITANS_SOURCE, "")
    error = _only_error(copy)
    assert (error.path, error.line) == (SHOWN, _line(text, '- name: "Samaritans"\n'))
    assert error.message.startswith("countries.GB.services.0.source: ")
    assert "required" in error.message.lower()


def test_an_entry_with_a_plain_http_source_is_refused(copy: Path) -> None:
    text = _edit(copy, SAMARITANS_SOURCE, SAMARITANS_SOURCE.replace("https://", "http://"))
    error = _only_error(copy)
    assert (error.path, error.line) == (SHOWN, _line(text, '"http://www.samaritans.org'))
    assert error.message.startswith("countries.GB.services.0.source: ")


def test_a_service_with_no_phone_text_or_chat_is_refused(copy: Path) -> None:
    text = _edit(copy, '      - name: "Samaritans"\n        phone: "116 123"\n', '      - name: "Samaritans"\n')
    error = _only_error(copy)
    assert (error.path, error.line) == (SHOWN, _line(text, '- name: "Samaritans"\n'))
    assert error.message.startswith("countries.GB.services.0: ")
    assert "Samaritans: a service needs a phone, a text number or a chat address" in error.message


def test_a_missing_required_country_is_refused(copy: Path) -> None:
    path = copy / RESOURCES
    text = path.read_text(encoding="utf-8")
    start, end = text.index("\n  NZ:\n"), text.index("\n  DE:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    error = _only_error(copy)
    assert error.path == SHOWN
    assert error.message == "resources missing for: NZ"
    assert str(error) == f"{SHOWN}:1: resources missing for: NZ"
