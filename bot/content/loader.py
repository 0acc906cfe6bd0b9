"""Load and cross-check everything in content/, with errors that name the file and line."""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from bot.config import PROJECT_CONTENT
from bot.content.schema import (
    END,
    CareNotice,
    CirclesFile,
    CircleTheme,
    Flow,
    PhrasesFile,
    PlanFile,
    PulseSet,
    Region,
    ResourcesFile,
    ScreeningBank,
    ScreeningConcepts,
    ScreeningHead,
    Step,
    TextsFile,
    Tip,
    TipsFile,
    Topic,
    TopicsFile,
    Verified,
)
from bot.messages import InputKind

M = TypeVar("M", bound=BaseModel)
# libyaml's parser where PyYAML was built with it (its wheels are): the same documents, nodes and line numbers as
# the pure-Python SafeLoader, in a fraction of the time every start of the bot spends reading content/.
YAML_LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

@functools.cache
def required_texts() -> frozenset[str]:
    """The text keys every content folder must have: those of the project's own locale file, which
    tests/test_texts.py holds equal to the keys the code reads (found in the source, never listed by hand)."""
    data = yaml.load((PROJECT_CONTENT / "locales" / "en.yaml").read_text(encoding="utf-8"), Loader=YAML_LOADER)
    return frozenset(str(key) for key in data["texts"])


@dataclass(frozen=True)
class ContentError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass(frozen=True)
class Texts:
    values: dict[str, str]

    def get(self, key: str, **fields: object) -> str:
        return self.values[key].format(**fields) if fields else self.values[key]


@dataclass(frozen=True)
class Content:
    flows: dict[str, Flow]
    tips: tuple[Tip, ...]
    topics: dict[str, Topic]
    texts: Texts
    phrases: dict[str, list[str]]
    resources: ResourcesFile
    root: Path = field(default=Path("content"))
    circle_themes: tuple[CircleTheme, ...] = ()
    care_notice: CareNotice | None = None
    pulse_sets: dict[str, PulseSet] = field(default_factory=dict)
    screening_bank: ScreeningBank | None = None
    screening_concepts: ScreeningConcepts | None = None
    screening_head: ScreeningHead | None = None
    safety_plan: PlanFile | None = None

    def flow_named(self, name: str) -> Flow | None:
        return next((flow for flow in self.flows.values() if flow.name == name), None)


def _line_of(node: yaml.Node | None, loc: Iterable[int | str]) -> int:
    """Follow a pydantic error location into the YAML node tree, for the nearest line number."""
    if node is None:
        return 1
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if key.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            child = node.value[part]
        if child is None:
            break
        node = child
        line = node.start_mark.line + 1
    return line


def _parse(text: str) -> tuple[yaml.Node, Any]:
    """One YAML document as its node tree (for line numbers) and its data, read in one pass."""
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()
    return node or yaml.ScalarNode("tag:yaml.org,2002:null", ""), data


def repeated_keys(root: yaml.Node) -> list[tuple[str, int, int]]:
    """Keys given twice in one mapping, as (key, line of the repeat, line of the first): a YAML loader keeps
    only the last, so the first would be silently lost."""
    found: list[tuple[str, int, int]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in first:
                        found.append((key.value, line, first[key.value]))
                    first.setdefault(key.value, line)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(child for child in node.value if not isinstance(child, yaml.ScalarNode))
    return sorted(found, key=lambda repeat: repeat[1])


def _load(path: Path, model: type[M], root: Path, errors: list[ContentError]) -> tuple[M, yaml.Node] | None:
    shown = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        node, data = _parse(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(ContentError(shown, 1, f"cannot read: {exc}"))
        return None
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        errors.append(ContentError(shown, line, f"not valid YAML: {exc.problem}"))
        return None
    repeats = repeated_keys(node)
    for key, line, first in repeats:
        errors.append(ContentError(shown, line, f"{key!r} is given again (first on line {first}); one must go"))
    if repeats:
        return None
    try:
        return model.model_validate(data), node
    except ValidationError as exc:
        for problem in exc.errors():
            where = ".".join(str(part) for part in problem["loc"])
            errors.append(ContentError(shown, _line_of(node, problem["loc"]), f"{where}: {problem['msg']}"))
        return None


def _files(folder: Path) -> Iterator[Path]:
    yield from sorted(folder.glob("*.yaml")) if folder.is_dir() else iter(())


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _check_flow(flow: Flow, topics: dict[str, Topic], error: Any) -> None:
    ids = [step.id for step in flow.steps]
    for index, step in enumerate(flow.steps):
        earlier = set(ids[:index])
        rules = step.next if isinstance(step.next, list) else []
        targets = [rule.goto for rule in rules] if rules else [step.next] if isinstance(step.next, str) else []
        for target in targets:
            if target != END and target not in ids:
                error(("steps", index, "next"), f"step {step.id!r} goes to unknown step {target!r}")
            if target in earlier or target == step.id:
                error(("steps", index, "next"), f"step {step.id!r} goes back to {target!r}: flows only go forward")
        if rules and rules[-1].when is not None:
            error(("steps", index, "next"), f"step {step.id!r}: the last rule needs no 'when' (the fallback)")
        for rule_index, rule in enumerate(rules):
            if rule.when is not None and rule.when.step not in earlier | {step.id}:
                error(
                    ("steps", index, "next", rule_index, "when", "step"),
                    f"condition tests {rule.when.step!r}, which is not this or an earlier step",
                )
        for option_index, option in enumerate(step.options):
            for tag in option.tags:
                if tag not in topics:
                    error(("steps", index, "options", option_index, "tags"), f"unknown tip tag {tag!r}")
        _check_records(step, index, error)
    for tag in flow.outcome.tip_tags:
        if tag not in topics:
            error(("outcome", "tip_tags"), f"unknown tip tag {tag!r}")
    for line_index, line in enumerate(flow.outcome.lines):
        for name in _placeholders(line):
            if name not in ids:
                error(("outcome", "lines", line_index), f"line names {name!r}, which is no step of this flow")


def _check_records(step: Step, index: int, error: Any) -> None:
    wanted = {"safety": InputKind.SCALE, "boundaries": InputKind.MULTI, "note": InputKind.TEXT}
    if step.records is not None and wanted[step.records] is not step.input:
        error(("steps", index, "records"), f"'{step.records}' must be recorded from a {wanted[step.records]} step")


REQUIRED_COUNTRIES = ("US", "CA", "GB", "IE", "AU", "NZ", "DE", "FR", "ES", "NL", "IN", "BR", "ZA")
VERIFIED_WITHIN_DAYS = 365


def _check_resources(resources: ResourcesFile, node: yaml.Node, shown: str, today: date,
                     errors: list[ContentError]) -> None:
    """Every number shown to a person in crisis has a source, checked within the last year."""
    missing = [code for code in REQUIRED_COUNTRIES if code not in resources.countries]
    if missing:
        errors.append(ContentError(shown, 1, f"resources missing for: {', '.join(missing)}"))
    regions: list[tuple[tuple[str, ...], Region]] = [(("fallback",), resources.fallback)]
    regions += [(("countries", code), region) for code, region in resources.countries.items()]
    for loc, region in regions:
        entries: list[tuple[tuple[str | int, ...], Verified]] = [((*loc, "emergency"), region.emergency)]
        entries += [((*loc, "services", index), service) for index, service in enumerate(region.services)]
        for entry_loc, entry in entries:
            age = (today - entry.last_verified).days
            name = getattr(entry, "name", "emergency number")
            where = f"{'/'.join(loc)}: {name}"
            if age > VERIFIED_WITHIN_DAYS:
                errors.append(ContentError(shown, _line_of(node, (*entry_loc, "last_verified")),
                                           f"{where} was last verified {age} days ago (more than "
                                           f"{VERIFIED_WITHIN_DAYS}): check it against its source"))
            if age < 0:
                errors.append(ContentError(shown, _line_of(node, (*entry_loc, "last_verified")),
                                           f"{where} has a last_verified date in the future"))


def load_content(root: Path, today: date | None = None) -> Content:
    """Load content/ or raise ContentInvalid listing every problem found."""
    errors: list[ContentError] = []
    root = root.resolve()
    today = today or datetime.now(UTC).date()

    topics: dict[str, Topic] = {}
    topic_lines: dict[str, int] = {}
    loaded_topics = _load(root / "topics.yaml", TopicsFile, root, errors)
    if loaded_topics:
        for index, topic in enumerate(loaded_topics[0].topics):
            topics[topic.id] = topic
            topic_lines[topic.id] = _line_of(loaded_topics[1], ("topics", index))

    tips: list[Tip] = []
    seen_tips: dict[str, str] = {}
    for path in _files(root / "tips"):
        loaded = _load(path, TipsFile, root, errors)
        if not loaded:
            continue
        tips_file, node = loaded
        shown = str(path.relative_to(root.parent))
        for index, tip in enumerate(tips_file.tips):
            line = _line_of(node, ("tips", index))
            if tip.id in seen_tips:
                errors.append(ContentError(shown, line, f"tip id {tip.id!r} is already used in {seen_tips[tip.id]}"))
            seen_tips[tip.id] = shown
            for tag in tip.tags:
                if tag not in topics:
                    errors.append(ContentError(shown, line, f"tip {tip.id!r} has unknown tag {tag!r}"))
            tips.append(tip)

    flows: dict[str, Flow] = {}
    for path in _files(root / "flows"):
        loaded_flow = _load(path, Flow, root, errors)
        if not loaded_flow:
            continue
        flow, node = loaded_flow
        shown = str(path.relative_to(root.parent))

        def error(loc: tuple[int | str, ...], message: str, _node: yaml.Node = node, _shown: str = shown) -> None:
            errors.append(ContentError(_shown, _line_of(_node, loc), message))

        if flow.id in flows:
            error(("id",), f"flow id {flow.id!r} is used twice")
        if any(other.name == flow.name for other in flows.values()):
            error(("name",), f"flow name {flow.name!r} is used twice")
        _check_flow(flow, topics, error)
        flows[flow.id] = flow

    texts: dict[str, str] = {}
    texts_path = root / "locales" / "en.yaml"
    loaded_texts = _load(texts_path, TextsFile, root, errors)
    if loaded_texts:
        texts = loaded_texts[0].texts
        missing = sorted(required_texts() - set(texts))
        if missing:
            errors.append(ContentError("content/locales/en.yaml", 1, f"missing texts: {', '.join(missing)}"))

    phrases: dict[str, list[str]] = {}
    loaded_phrases = _load(root / "safety" / "phrases.yaml", PhrasesFile, root, errors)
    if loaded_phrases:
        phrases = loaded_phrases[0].by_category()
    bank_path = root / "safety" / "bank.yaml"
    loaded_bank = _load(bank_path, ScreeningBank, root, errors) if bank_path.exists() else None
    concepts_path = root / "safety" / "concepts.yaml"
    loaded_concepts = _load(concepts_path, ScreeningConcepts, root, errors) if concepts_path.exists() else None
    head_path = root / "safety" / "semantic-head.json"
    loaded_head = _load(head_path, ScreeningHead, root, errors) if head_path.exists() else None

    resources: ResourcesFile | None = None
    resources_path = root / "safety" / "resources.yaml"
    loaded_resources = _load(resources_path, ResourcesFile, root, errors)
    if loaded_resources:
        resources = loaded_resources[0]
        _check_resources(resources, loaded_resources[1], f"{root.name}/safety/resources.yaml", today, errors)

    plan_path = root / "safety" / "plan.yaml"
    loaded_plan = _load(plan_path, PlanFile, root, errors) if plan_path.exists() else None

    themes, care_notice = _load_circles(root, errors)
    pulse_sets = _load_pulses(root, errors)

    if not errors:
        if "daily" not in flows:
            errors.append(ContentError("content/flows", 1, "the daily check-in flow ('daily') is missing"))
        for topic_id in topics:
            if not any(topic_id in tip.tags for tip in tips):
                errors.append(ContentError(f"{root.name}/topics.yaml", topic_lines.get(topic_id, 1),
                                           f"topic {topic_id!r} has no tips"))
    if errors or resources is None:
        raise ContentInvalid(errors)
    return Content(flows=flows, tips=tuple(tips), topics=topics, texts=Texts(texts), phrases=phrases,
                   resources=resources, root=root, circle_themes=themes, care_notice=care_notice,
                   pulse_sets=pulse_sets, screening_bank=loaded_bank[0] if loaded_bank else None,
                   screening_concepts=loaded_concepts[0] if loaded_concepts else None,
                   screening_head=loaded_head[0] if loaded_head else None,
                   safety_plan=loaded_plan[0] if loaded_plan else None)


def _load_circles(root: Path, errors: list[ContentError]) -> tuple[tuple[CircleTheme, ...], CareNotice | None]:
    """Weekly circle themes (unique ids, in file order) and the one community-care notice."""
    themes: list[CircleTheme] = []
    seen: dict[str, str] = {}
    care: CareNotice | None = None
    care_file = ""
    for path in _files(root / "circles"):
        loaded = _load(path, CirclesFile, root, errors)
        if not loaded:
            continue
        circles_file, node = loaded
        shown = str(path.relative_to(root.parent))
        for index, theme in enumerate(circles_file.themes):
            if theme.id in seen:
                errors.append(ContentError(shown, _line_of(node, ("themes", index)),
                                           f"circle theme id {theme.id!r} is already used in {seen[theme.id]}"))
            seen[theme.id] = shown
            themes.append(theme)
        if circles_file.care_notice is not None:
            if care is not None:
                errors.append(ContentError(shown, _line_of(node, ("care_notice",)),
                                           f"a community-care notice is already given in {care_file}"))
            care, care_file = circles_file.care_notice, shown
    if themes and care is None:
        errors.append(ContentError(f"{root.name}/circles", 1,
                                   "circles need a community-care notice (care_notice:) to post on setup"))
    return tuple(themes), care


def _load_pulses(root: Path, errors: list[ContentError]) -> dict[str, PulseSet]:
    """Pulse item sets, one per file, named like their file (team-safety.yaml holds id team-safety)."""
    sets: dict[str, PulseSet] = {}
    for path in _files(root / "pulses"):
        loaded = _load(path, PulseSet, root, errors)
        if not loaded:
            continue
        pulse_set, node = loaded
        shown = str(path.relative_to(root.parent))
        if pulse_set.id != path.stem:
            errors.append(ContentError(shown, _line_of(node, ("id",)),
                                       f"pulse set id {pulse_set.id!r} must match its file name {path.stem!r}"))
        sets[pulse_set.id] = pulse_set
    return sets


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
