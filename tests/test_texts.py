"""Every text the code asks for exists in content/locales/en.yaml, so no person ever meets a KeyError."""

from __future__ import annotations

import re
from pathlib import Path

from bot.content.loader import REQUIRED_TEXTS, Content

ROOT = Path(__file__).resolve().parent.parent
KEY_USE = re.compile(r"""(?:texts\.get|Rejected)\(\s*["']([a-z0-9_.]+)["']""")


def _keys_used_in_code() -> set[str]:
    used: set[str] = set()
    for folder in ("bot", "adapters"):
        for path in (ROOT / folder).rglob("*.py"):
            used.update(KEY_USE.findall(path.read_text(encoding="utf-8")))
    return used


def test_code_uses_texts() -> None:
    assert {"help", "stale_click", "invalid_scale"} <= _keys_used_in_code()


def test_every_text_the_code_uses_is_required_and_present(content: Content) -> None:
    used = _keys_used_in_code()
    assert used - set(REQUIRED_TEXTS) == set()
    assert used - set(content.texts.values) == set()


def test_texts_fill_in_without_errors(content: Content) -> None:
    fields = {"command": "x", "name": "x", "options": "x", "title": "x", "min": 1, "max": 5, "answer": "x",
              "count": 3, "label": "x", "limit": 10, "length": 20, "topic": "x", "topics": "x", "flows": "x",
              "plural": "s", "average": "3.0", "boundaries": "x", "date": "1 Jan 2026", "number": "112",
              "where": "x", "retention": 365, "checkins": 2, "paths": "x", "country": "x", "notes": "x"}
    for key in content.texts.values:
        assert content.texts.get(key, **fields)
