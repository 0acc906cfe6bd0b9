"""Every text the code reads exists in content/locales/en.yaml, and every text there is read by the code.

The list of texts is derived from the source of bot/ and adapters/, never kept by hand: a key is read where it
is passed to a text accessor (`texts.get("…")`, `texts["…"]`, `Rejected("…")`), either as a literal, as an
f-string (`texts.get(f"snooze_choice_{choice}")`: every key it can name) or as a name the function assigns
from literals (`key = "idle_empty" if … else "idle_text"`, `lead_key: str = "danger_lead"`). The loader then
requires of any content folder every key of the project's en.yaml (`required_texts()`).
"""

from __future__ import annotations

import ast
import functools
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.content.loader import Content

ROOT = Path(__file__).resolve().parent.parent
KEY = re.compile(r"[a-z0-9][a-z0-9_.]*")
pytestmark = pytest.mark.xdist_group("texts")  # under pytest-xdist, one worker reads the source once for all


def _is_accessor(node: ast.AST, elsewhere: set[str]) -> ast.expr | None:
    """The key argument of a text accessor call or subscript, or None. `elsewhere`: names in this function
    that hold another file's texts (the safety plan's, which content/safety/plan.yaml's schema checks)."""
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get" and _names_texts(func.value, elsewhere):
            return node.args[0]
        if isinstance(func, ast.Name) and func.id == "Rejected":
            return node.args[0]
    if isinstance(node, ast.Subscript) and _names_texts(node.value, elsewhere):
        return node.slice
    return None


def _chain(node: ast.expr) -> list[str]:
    names: list[str] = []
    while isinstance(node, ast.Attribute):
        names.append(node.attr)
        node = node.value
    return [*names, node.id] if isinstance(node, ast.Name) else names


def _names_texts(node: ast.expr, elsewhere: set[str]) -> bool:
    """`texts`, `self._texts`, `service.texts`, `self._texts.values`: anything the code calls its texts."""
    chain = _chain(node)
    if chain[:1] == ["values"]:
        chain = chain[1:]
    if "plan" in chain or (len(chain) == 1 and chain[0] in elsewhere):
        return False
    return bool(chain) and chain[0].lstrip("_") == "texts"


def _plan_names(scope: ast.AST) -> set[str]:
    return {target.id for node in ast.walk(scope) if isinstance(node, ast.Assign) and "plan" in _chain(node.value)
            for target in node.targets if isinstance(target, ast.Name)}


def _literals(node: ast.AST) -> set[str]:
    return {child.value for child in ast.walk(node) if isinstance(child, ast.Constant)
            and isinstance(child.value, str) and KEY.fullmatch(child.value)}


@dataclass
class Reads:
    literal: dict[str, str] = field(default_factory=dict)  # key -> where it is read
    patterns: dict[str, str] = field(default_factory=dict)  # regex of an f-string key -> where
    constants: set[str] = field(default_factory=set)  # every string literal in the code


def _functions(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    yield from (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))


def _assigned(scope: ast.AST, name: str) -> set[str]:
    """The literals a function gives `name`: by assignment in its body, or as the parameter's default."""
    found: set[str] = set()
    for node in ast.walk(scope):
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign | ast.AugAssign) else []
        value = getattr(node, "value", None)
        if value is not None and any(isinstance(target, ast.Name) and target.id == name for target in targets):
            found |= _literals(value)
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        arguments = scope.args
        positional = [*arguments.posonlyargs, *arguments.args]
        pairs = list(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults, strict=True))
        pairs += [(arg, default) for arg, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
                  if default is not None]
        found |= {value for arg, default in pairs if arg.arg == name for value in _literals(default)}
    return found


def _pattern(node: ast.JoinedStr) -> str:
    return "".join(re.escape(part.value) if isinstance(part, ast.Constant) else "{}" for part in node.values)


@functools.cache
def code_reads() -> Reads:
    """Read once per test session: the three tests below ask the same question of the same source."""
    reads = Reads()
    for folder in ("bot", "adapters"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            reads.constants |= _literals(tree)
            shown = path.relative_to(ROOT)
            for scope in _functions(tree):
                elsewhere = _plan_names(scope)
                for node in ast.walk(scope):
                    argument = _is_accessor(node, elsewhere)
                    if argument is None:
                        continue
                    where = f"{shown}:{getattr(node, 'lineno', 0)}"
                    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                        reads.literal.setdefault(argument.value, where)
                    elif isinstance(argument, ast.JoinedStr):
                        reads.patterns.setdefault(_pattern(argument), where)
                    elif isinstance(argument, ast.Name) and scope is not tree:
                        reads.literal.update((key, where) for key in _assigned(scope, argument.id)
                                             if key not in reads.literal)
    return reads


def _pattern_keys(pattern: str, constants: set[str]) -> re.Pattern[str]:
    """An f-string key as a regex whose placeholders are literals of the code (`{prefix}_up` with prefix
    "pulse_change"), so that a text is counted as read only when some value in the code can name it."""
    choices = "|".join(re.escape(value) for value in sorted(constants, key=len, reverse=True))
    return re.compile(pattern.replace("{}", f"(?:{choices})"))


def test_the_derivation_finds_reads_of_every_kind() -> None:
    reads = code_reads()
    assert {"help", "stale_click", "invalid_scale"} <= set(reads.literal)  # texts.get("…"), Rejected("…")
    assert {"chart_alt_bars", "idle_empty", "idle_text", "danger_lead"} <= set(reads.literal)  # [], names
    assert any(pattern.startswith("snooze_choice_") for pattern in reads.patterns)


def test_every_text_the_code_reads_is_in_the_locale(content: Content) -> None:
    reads = code_reads()
    missing = {key: where for key, where in reads.literal.items() if key not in content.texts.values}
    assert missing == {}
    for pattern, where in reads.patterns.items():
        keys = _pattern_keys(pattern, reads.constants)
        assert any(keys.fullmatch(key) for key in content.texts.values), f"{where}: no text for {pattern}"


def test_every_text_in_the_locale_is_read_by_the_code(content: Content) -> None:
    """Keys no code reads are gone; a key read by a computed name counts when a literal of the code fills it."""
    reads = code_reads()
    patterns = [_pattern_keys(pattern, reads.constants) for pattern in reads.patterns]
    unread = [key for key in content.texts.values if key not in reads.literal and key not in reads.constants
              and not any(pattern.fullmatch(key) for pattern in patterns)]
    assert unread == []


def test_texts_are_well_formed_templates(content: Content) -> None:
    """Every placeholder is a plain name (no stray braces, no positional {} a caller could not fill)."""
    for key, template in content.texts.values.items():
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
        assert all(re.fullmatch(r"[a-z_]+", name) for name in names), key
        assert content.texts.get(key, **dict.fromkeys(names, "x"))
