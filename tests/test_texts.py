"""Every text the code asks for exists in content/locales/en.yaml, so no person ever meets a KeyError."""

from __future__ import annotations

import re
import string
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


def test_texts_are_well_formed_templates(content: Content) -> None:
    """Every placeholder is a plain name (no stray braces, no positional {} a caller could not fill)."""
    for key, template in content.texts.values.items():
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
        assert all(re.fullmatch(r"[a-z_]+", name) for name in names), key
        assert content.texts.get(key, **dict.fromkeys(names, "x"))
