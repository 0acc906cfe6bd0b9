"""The core must never depend on a platform: adapters import bot, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("adapters", "discord", "slack_bolt", "slack_sdk")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _core_files() -> list[Path]:
    return sorted((ROOT / "bot").rglob("*.py"))


def _violations(path: Path) -> list[str]:
    # The composition root and the CLI start an adapter, and only through a function-level import.
    if path.relative_to(ROOT).as_posix() in {"bot/__main__.py", "bot/app.py"}:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
        names = [alias.name for node in top_level if isinstance(node, ast.Import) for alias in node.names]
        names += [node.module or "" for node in top_level if isinstance(node, ast.ImportFrom)]
        return [name for name in names if name.split(".")[0] in FORBIDDEN]
    return [f"line {line}: {name}" for line, name in _imports(path) if name.split(".")[0] in FORBIDDEN]


def test_the_core_has_files_to_check() -> None:
    assert len(_core_files()) > 10


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_core_module_imports_no_platform_library(path: Path) -> None:
    assert _violations(path) == []


def test_the_check_catches_a_platform_import(tmp_path: Path) -> None:
    sneaky = tmp_path / "sneaky.py"
    sneaky.write_text("import os\nfrom slack_sdk import WebClient\nimport discord.ui as ui\n")
    assert [name for _, name in _imports(sneaky)] == ["os", "slack_sdk", "discord.ui"]
