"""The shipped content/ folder is valid, and a broken one is refused with errors that point at the line."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

import adapters
from bot.config import PROJECT_CONTENT as CONTENT
from bot.content.loader import Content, ContentError, ContentInvalid, load_content, required_texts
from bot.content.schema import TIP_BODY_MAX
from bot.insights import ALL, Boundaries, Point, summarize

# ---------------------------------------------------------------- the real folder


def test_the_real_content_folder_loads(content: Content) -> None:
    assert load_content(content.root).flows.keys() == content.flows.keys()


def test_all_four_flows_are_there(content: Content) -> None:
    assert set(content.flows) == {"daily", "weekly", "prepare", "repair"}
    for flow_id in ("daily", "weekly", "prepare", "repair"):
        assert content.flow_named(flow_id) is content.flows[flow_id]


def test_there_are_at_least_sixty_tips(content: Content) -> None:
    assert len(content.tips) >= 60


def test_every_tip_is_short_enough_to_read_in_a_chat(content: Content) -> None:
    too_long = [tip.id for tip in content.tips if len(tip.body) > TIP_BODY_MAX]
    assert too_long == []
    assert TIP_BODY_MAX == 400


def test_tip_ids_are_unique(content: Content) -> None:
    ids = [tip.id for tip in content.tips]
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_every_tag_on_a_tip_or_an_option_is_a_topic(content: Content) -> None:
    tags = {tag for tip in content.tips for tag in tip.tags}
    tags |= {tag for flow in content.flows.values() for step in flow.steps for option in step.options
             for tag in option.tags}
    tags |= {tag for flow in content.flows.values() for tag in flow.outcome.tip_tags}
    assert tags - set(content.topics) == set()


def test_every_topic_has_a_tip(content: Content) -> None:
    assert [topic for topic in content.topics if not any(topic in tip.tags for tip in content.tips)] == []


def test_there_are_first_steps_for_hard_days(content: Content) -> None:
    assert sum(tip.stage == "first-step" for tip in content.tips) >= 5


def test_every_required_text_is_there_and_non_empty(content: Content) -> None:
    assert required_texts() == set(content.texts.values)  # tests/test_texts.py: exactly what the code reads
    for key in required_texts():
        assert content.texts.values[key].strip(), key


# ---------------------------------------------------------------- broken copies


@pytest.fixture
def copy(content: Content, tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(content.root, target)
    return target


def _edit(folder: Path, relative: str, old: str, new: str) -> str:
    """Replace one exact, unique fragment of a file; return the new text."""
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not unique in {relative}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def _append(folder: Path, relative: str, extra: str) -> str:
    path = folder / relative
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + extra
    path.write_text(text, encoding="utf-8")
    return text


def _retag(folder: Path, relative: str, tip_id: str, tags: str) -> str:
    """Give one tip new tags (its first `tags:` line after its id); return the new text."""
    path = folder / relative
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - id: {tip_id}\n")
    tags_at = text.index("    tags: [", start)
    end = text.index("\n", tags_at)
    text = text[:tags_at] + f"    tags: [{tags}]" + text[end:]
    path.write_text(text, encoding="utf-8")
    return text


def _line(text: str, fragment: str) -> int:
    """1-based line of the (unique) fragment."""
    assert text.count(fragment) == 1, fragment
    return text[: text.index(fragment)].count("\n") + 1


def _errors(folder: Path) -> list[ContentError]:
    with pytest.raises(ContentInvalid) as caught:
        load_content(folder)
    errors = caught.value.errors
    assert str(caught.value) == "\n".join(str(error) for error in errors)
    return errors


def _only_error(folder: Path) -> ContentError:
    errors = _errors(folder)
    assert len(errors) == 1, errors
    return errors[0]


def test_a_step_going_to_a_missing_step_is_refused(copy: Path) -> None:
    text = _edit(copy, "flows/daily.yaml", "    records: safety\n", "    records: safety\n    next: nowhere\n")
    error = _only_error(copy)
    assert error.path.endswith("daily.yaml")
    assert error.path == "content/flows/daily.yaml"
    assert error.line == _line(text, "next: nowhere")
    assert error.message == "step 'safety' goes to unknown step 'nowhere'"
    assert str(error) == f"content/flows/daily.yaml:{error.line}: step 'safety' goes to unknown step 'nowhere'"


def test_a_rule_going_to_a_missing_step_is_refused(copy: Path) -> None:
    text = _edit(copy, "flows/daily.yaml", "    records: safety\n",
                 "    records: safety\n    next:\n      - when: {step: safety, at_most: 2}\n"
                 "        goto: support\n      - goto: boundaries\n")
    error = _only_error(copy)
    assert error.path.endswith("daily.yaml")
    assert error.line in (_line(text, "- when: {step: safety"), _line(text, "goto: support"))
    assert error.message == "step 'safety' goes to unknown step 'support'"


def test_a_tip_with_an_unknown_tag_is_refused(copy: Path) -> None:
    text = _retag(copy, "tips/work.yaml", "finish-your-point", "work, hobbies")
    error = _only_error(copy)
    assert error.path == "content/tips/work.yaml"
    assert error.line == _line(text, "  - id: finish-your-point")
    assert error.message == "tip 'finish-your-point' has unknown tag 'hobbies'"


def test_a_tip_body_over_the_limit_is_refused(copy: Path) -> None:
    body = "word " * 80 + "end"
    assert len(body) > 400
    text = _append(copy, "tips/work.yaml",
                   "  - id: far-too-long\n    title: Far too long\n"
                   f"    body: {body}\n    tags: [work]\n")
    error = _only_error(copy)
    assert error.path.endswith("work.yaml")
    assert error.line == _line(text, "    body: word word")
    assert "body" in error.message
    assert "400" in error.message


@pytest.mark.parametrize(
    ("relative", "old", "new", "marker"),
    [
        ("topics.yaml", "    label: Saying no\n", "    label: Saying no: never\n", "Saying no: never"),
        ("flows/prepare.yaml", "    input: text\n    placeholder: small",
         "\tinput: text\n    placeholder: small", "\tinput: text"),
        ("tips/space.yaml", "tips:\n", "tips:\n  - id: a-tip\n   title: three spaces in\n", "   title: three"),
    ],
)
def test_a_file_that_is_not_yaml_is_refused_at_the_line(copy: Path, relative: str, old: str, new: str,
                                                         marker: str) -> None:
    text = _edit(copy, relative, old, new)
    errors = [error for error in _errors(copy) if error.path.endswith(Path(relative).name)]
    assert len(errors) == 1, errors
    assert errors[0].line == _line(text, marker)
    assert errors[0].message.startswith("not valid YAML: ")


def test_a_tip_id_used_in_two_files_is_refused(copy: Path) -> None:
    original = (copy / "tips" / "saying-no.yaml").read_text(encoding="utf-8")
    text = _append(copy, "tips/work.yaml",
                   "  - id: no-without-the-essay\n    title: A copy\n    body: The same id again.\n"
                   "    tags: [work]\n")
    error = _only_error(copy)
    assert error.path == "content/tips/work.yaml"
    assert error.line == _line(text, "  - id: no-without-the-essay")
    assert error.message == "tip id 'no-without-the-essay' is already used in content/tips/saying-no.yaml"
    assert "id: no-without-the-essay" in original


def test_an_option_tag_that_is_not_a_topic_is_refused(copy: Path) -> None:
    text = _edit(copy, "flows/daily.yaml", "        label: Something else\n",
                 "        label: Something else\n        tags: [hobbies]\n")
    error = _only_error(copy)
    assert error.path == "content/flows/daily.yaml"
    assert error.line == _line(text, "tags: [hobbies]")
    assert error.message == "unknown tip tag 'hobbies'"


def test_a_step_with_an_unknown_field_is_refused(copy: Path) -> None:
    text = _edit(copy, "flows/repair.yaml", "  - id: want_known\n", "  - id: want_known\n    colour: blue\n")
    error = _only_error(copy)
    assert error.path == "content/flows/repair.yaml"
    assert error.line == _line(text, "colour: blue")
    assert error.message.startswith("steps.1.colour: ")


def test_an_outcome_line_naming_no_step_is_refused(copy: Path) -> None:
    text = _edit(copy, "flows/repair.yaml", '    - "Could we talk about it when you\'re ready?"\n',
                 '    - "Could we talk about {when} when you\'re ready?"\n')
    error = _only_error(copy)
    assert error.path == "content/flows/repair.yaml"
    assert error.line == _line(text, "{when}")
    assert "'when'" in error.message


def test_a_topic_without_tips_is_refused_at_the_topic(copy: Path) -> None:
    text = _append(copy, "topics.yaml", "  - id: hobbies\n    label: Hobbies\n    description: Time for yourself\n")
    error = _only_error(copy)
    assert error.path == "content/topics.yaml"
    assert error.message == "topic 'hobbies' has no tips"
    assert error.line == _line(text, "  - id: hobbies")


def test_every_problem_is_listed_not_only_the_first(copy: Path) -> None:
    daily = _edit(copy, "flows/daily.yaml", "        label: Something else\n",
                  "        label: Something else\n        tags: [hobbies]\n")
    work = _retag(copy, "tips/work.yaml", "finish-your-point", "work, crafts")
    found = {(error.path, error.line) for error in _errors(copy)}
    assert found == {("content/flows/daily.yaml", _line(daily, "tags: [hobbies]")),
                     ("content/tips/work.yaml", _line(work, "  - id: finish-your-point"))}


def test_a_step_with_an_unknown_input_kind_is_refused(copy: Path) -> None:
    text = _edit(copy, "flows/repair.yaml", "    input: text\n    placeholder: our argument",
                 "    input: slider\n    placeholder: our argument")
    error = _only_error(copy)
    assert error.path == "content/flows/repair.yaml"
    assert error.line == _line(text, "input: slider")
    assert error.message.startswith("steps.0.input: ")
    assert "'text'" in error.message


def test_a_folder_without_the_daily_flow_is_refused(copy: Path) -> None:
    (copy / "flows" / "daily.yaml").unlink()
    error = _only_error(copy)
    assert error.path == "content/flows"
    assert "daily" in error.message


def test_a_locale_without_the_history_texts_is_refused(copy: Path) -> None:
    path = copy / "locales" / "en.yaml"
    text = path.read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith("  insights_observation_higher:")]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    error = _only_error(copy)
    assert error.path == "content/locales/en.yaml"
    assert error.message == "missing texts: insights_observation_higher"


def test_a_text_given_twice_is_refused_at_the_line_of_the_repeat(copy: Path) -> None:
    """A YAML loader keeps the last of two equal keys, so the first wording would be silently lost."""
    path = copy / "locales" / "en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  control_skip: Skip\n", "  control_skip: Skip\n  control_skip: Skip it\n"),
                    encoding="utf-8")
    error = _only_error(copy)
    assert error.path == "content/locales/en.yaml"
    assert error.line == _line(text, "  control_skip: Skip\n") + 1
    assert "'control_skip' is given again" in error.message


class _NoRepeatedKeys(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a mapping that names a key twice (it would keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [key.value for key, _ in node.value if isinstance(key, yaml.ScalarNode)]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"repeated keys {repeated}", node.start_mark)
        return super().construct_mapping(node, deep)


YAML_FILES = sorted(CONTENT.rglob("*.yaml")) + sorted(Path(adapters.__file__).parent.rglob("*.yaml"))


@pytest.mark.parametrize("path", YAML_FILES, ids=lambda path: path.name)
def test_no_yaml_file_names_a_key_twice(path: Path) -> None:
    yaml.load(path.read_text(encoding="utf-8"), Loader=_NoRepeatedKeys)


def test_history_wording_comes_from_the_locale_file(copy: Path) -> None:
    path = copy / "locales" / "en.yaml"
    text = path.read_text(encoding="utf-8").replace("  insights_title_all: All your check-ins",
                                                    "  insights_title_all: Everything so far")
    path.write_text(text, encoding="utf-8")
    texts = load_content(copy).texts.values
    summary = summarize([Point(date(2026, 11, 2), 4, ())], ALL, date(2026, 11, 26), Boundaries(), texts=texts)
    assert summary.title == "Everything so far"
