"""Circle themes and the team pulse are real, complete and validated like every other content file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.loader import Content, ContentInvalid, load_content

REQUIRED_THEMES = ("trust", "non-judgment", "consistency", "bridges", "no-without-the-essay", "asking-for-space",
                   "their-feelings", "draining-conversations", "guilt-trips", "repair", "pleasing-and-shutting-down",
                   "more-support")


def test_there_are_at_least_twelve_circle_themes_each_with_one_question(content: Content) -> None:
    ids = [theme.id for theme in content.circle_themes]
    assert len(ids) >= 12
    assert set(REQUIRED_THEMES) <= set(ids)
    for theme in content.circle_themes:
        assert theme.question.count("?") == 1, theme.id
        assert "?" not in theme.framing, theme.id


def test_the_care_notice_says_the_bot_is_not_a_crisis_service_and_names_sos(content: Content) -> None:
    notice = content.care_notice
    assert notice is not None
    assert "not a crisis service" in notice.body
    assert "/sos" in notice.body


def test_the_team_safety_pulse_has_seven_statements_three_reversed(content: Content) -> None:
    pulse = content.pulse_sets["team-safety"]
    assert [item.id for item in pulse.items] == ["mistakes", "problems", "different", "risk", "help", "undermine",
                                                 "skills"]
    assert [item.id for item in pulse.items if item.reverse] == ["mistakes", "different", "help"]
    assert (pulse.scale.min, pulse.scale.max) == (1, 5)
    assert pulse.scale.labels[1] == "Strongly disagree"
    assert pulse.scale.labels[5] == "Strongly agree"
    assert pulse.comment is not None
    assert "optional" in pulse.comment.prompt


@pytest.fixture
def copy(content: Content, tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(content.root, target)
    return target


def _refused(folder: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as caught:
        load_content(folder)
    return [str(error) for error in caught.value.errors]


def test_a_theme_with_two_questions_is_refused_at_its_line(copy: Path) -> None:
    path = copy / "circles" / "themes.yaml"
    text = path.read_text(encoding="utf-8")
    old = "    question: What's one small thing someone did that made you trust them a little more?\n"
    path.write_text(text.replace(old, "    question: Who do you trust? And why?\n"), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    [error] = _refused(copy)
    assert error.startswith(f"content/circles/themes.yaml:{line}: themes.0.question")


def test_a_pulse_scale_point_without_a_label_is_refused(copy: Path) -> None:
    path = copy / "pulses" / "team-safety.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    3: Neither agree nor disagree\n", ""),
                    encoding="utf-8")
    [error] = _refused(copy)
    assert error.startswith("content/pulses/team-safety.yaml:")
    assert "missing: [3]" in error


def test_themes_without_a_care_notice_are_refused(copy: Path) -> None:
    (copy / "circles" / "care.yaml").unlink()
    assert _refused(copy) == ["content/circles:1: circles need a community-care notice (care_notice:) to post on setup"]
