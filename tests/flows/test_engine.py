"""The flow engine as a person meets it: what they type or click, where the flow goes, what comes back."""

from __future__ import annotations

from typing import Any

import pytest

from bot.content.loader import Content
from bot.content.schema import Flow, Step
from bot.flows.engine import (
    Answers,
    Rejected,
    Resolved,
    build_outcome,
    first_step,
    next_step,
    resolve_text,
    resolve_values,
)
from bot.text import clean_text


def _step(content: Content, flow_id: str, step_id: str) -> Step:
    step = content.flows[flow_id].step(step_id)
    assert step is not None, f"{flow_id} has no step {step_id}"
    return step


@pytest.fixture
def safety(content: Content) -> Step:
    return _step(content, "daily", "safety")


@pytest.fixture
def boundaries(content: Content) -> Step:
    return _step(content, "daily", "boundaries")


@pytest.fixture
def note(content: Content) -> Step:
    return _step(content, "daily", "note")


# ---------------------------------------------------------------- typed answers: the safety scale


@pytest.mark.parametrize("typed", ["1", "3", "5", " 4 ", "4."])
def test_a_number_on_the_scale_is_the_score(safety: Step, typed: str) -> None:
    assert resolve_text(safety, typed) == Resolved(int(typed.strip(" .")))


@pytest.mark.parametrize(("typed", "score"), [("Mostly safe", 4), ("mostly SAFE", 4), ("not safe at all", 1)])
def test_a_scale_label_is_read_as_its_score(safety: Step, typed: str, score: int) -> None:
    assert resolve_text(safety, typed) == Resolved(score)


@pytest.mark.parametrize("typed", ["0", "6", "9", "10", "-1", "often", ""])
def test_an_answer_off_the_scale_is_rejected_with_the_range(safety: Step, typed: str) -> None:
    assert resolve_text(safety, typed) == Rejected("invalid_scale", {"min": 1, "max": 5})


@pytest.mark.parametrize("typed", ["skip", "Skip", "SKIP ", "pass", "next"])
def test_skip_words_skip_the_scale(safety: Step, typed: str) -> None:
    assert resolve_text(safety, typed) == Resolved(None)


# ---------------------------------------------------------------- typed answers: several boundaries


@pytest.mark.parametrize(
    ("typed", "picked"),
    [
        ("1", ["saying_no"]),
        ("2", ["asked_space"]),
        ("asked for space", ["asked_space"]),
        ("Asked_space", ["asked_space"]),
        ("ASKED FOR SPACE", ["asked_space"]),
        ("Didn’t carry someone else’s feelings", ["not_carrying"]),
        ("none today", ["none"]),
        ("7", ["none"]),
    ],
)
def test_one_boundary_by_number_value_or_label(boundaries: Step, typed: str, picked: list[str]) -> None:
    assert resolve_text(boundaries, typed) == Resolved(picked)


@pytest.mark.parametrize("typed", ["1,3", "1, 3", "1 3", "1;3", "3,1", "3,1,1", "not_carrying, saying_no, 1"])
def test_several_boundaries_come_back_once_each_in_option_order(boundaries: Step, typed: str) -> None:
    assert resolve_text(boundaries, typed) == Resolved(["saying_no", "not_carrying"])


def test_labels_and_numbers_mix_in_one_answer(boundaries: Step) -> None:
    assert resolve_text(boundaries, "asked for space, 5") == Resolved(["asked_space", "guilt"])


@pytest.mark.parametrize("typed", ["skip", "Skip"])
def test_skip_skips_the_boundaries(boundaries: Step, typed: str) -> None:
    assert resolve_text(boundaries, typed) == Resolved(None)


@pytest.mark.parametrize(("typed", "bad_part"), [("gardening", "gardening"), ("1, dancing", "dancing"),
                                                  ("0", "0"), ("8", "8")])
def test_an_unknown_boundary_is_rejected_and_named(boundaries: Step, typed: str, bad_part: str) -> None:
    assert resolve_text(boundaries, typed) == Rejected("invalid_choice", {"answer": bad_part, "count": 7})


@pytest.mark.parametrize("typed", ["none today, 1", "1, none today", "7 1", "none, asked for space"])
def test_none_today_cannot_be_combined_with_a_boundary(boundaries: Step, typed: str) -> None:
    assert resolve_text(boundaries, typed) == Rejected("exclusive_choice", {"label": "None today"})


@pytest.mark.parametrize("typed", ["²", "1, ³"])
def test_a_superscript_digit_is_rejected_not_a_crash(boundaries: Step, typed: str) -> None:
    """'²' passes str.isdigit() but int() refuses it; a person must get a normal 'not an option' reply."""
    result = resolve_text(boundaries, typed)
    assert isinstance(result, Rejected)
    assert result.reason == "invalid_choice"


# ---------------------------------------------------------------- typed answers: the private note


def test_a_note_is_kept_as_written(note: Step) -> None:
    assert resolve_text(note, "  I told my sister I'd call tomorrow instead.  ") == \
        Resolved("I told my sister I'd call tomorrow instead.")


@pytest.mark.parametrize("typed", ["", "   ", "\n\n", "\x00\x07", "\u202e"])
def test_an_empty_note_is_rejected(note: Step, typed: str) -> None:
    assert resolve_text(note, typed) == Rejected("invalid_text_empty")


def test_a_note_over_the_limit_is_rejected_with_the_limit(note: Step) -> None:
    assert note.max_length == 1500
    assert resolve_text(note, "a" * 1501) == Rejected("too_long", {"limit": 1500, "length": 1501})


def test_a_note_exactly_at_the_limit_is_kept(note: Step) -> None:
    assert resolve_text(note, "a" * 1500) == Resolved("a" * 1500)


def test_skip_skips_the_note(note: Step) -> None:
    assert resolve_text(note, "Skip") == Resolved(None)


def test_control_and_bidi_override_characters_are_removed_from_a_note(note: Step) -> None:
    typed = "I said\x00 no\x1b[31m \u202eyllaer\u202c \u2066today\u2069\x07"
    assert resolve_text(note, typed) == Resolved("I said no[31m yllaer today")


@pytest.mark.parametrize(
    "kept",
    [
        "Proud of myself 💪🏽 today 🌱",
        "قلت لا بلطف",
        "אמרתי לא",
        "First line\nsecond line\n\nafter a blank line",
        "Mixed: I said «لا» and meant it 👍",
    ],
)
def test_emoji_right_to_left_text_and_newlines_are_kept_in_a_note(note: Step, kept: str) -> None:
    assert resolve_text(note, kept) == Resolved(kept)


def test_windows_line_endings_become_plain_newlines() -> None:
    assert clean_text("one\r\ntwo\rthree") == "one\ntwo\nthree"


# ---------------------------------------------------------------- clicks


def test_a_click_on_the_scale_is_the_score(safety: Step) -> None:
    assert resolve_values(safety, ["2"]) == Resolved(2)


@pytest.mark.parametrize("values", [["6"], ["0"], ["2", "3"]])
def test_a_click_off_the_scale_is_rejected(safety: Step, values: list[str]) -> None:
    assert resolve_values(safety, values) == Rejected("invalid_scale", {"min": 1, "max": 5})


def test_a_click_on_one_boundary_is_that_boundary(boundaries: Step) -> None:
    assert resolve_values(boundaries, ["asked_space"]) == Resolved(["asked_space"])


def test_clicked_boundaries_come_back_once_each_in_option_order(boundaries: Step) -> None:
    assert resolve_values(boundaries, ["guilt", "saying_no", "guilt"]) == Resolved(["saying_no", "guilt"])


@pytest.mark.parametrize("step_id", ["safety", "boundaries", "note"])
def test_the_skip_button_skips(content: Content, step_id: str) -> None:
    assert resolve_values(_step(content, "daily", step_id), ["skip"]) == Resolved(None)


@pytest.mark.parametrize("values", [["gardening"], ["saying_no", "gardening"], [], ["Asked for space"]])
def test_a_click_on_an_unknown_value_is_rejected(boundaries: Step, values: list[str]) -> None:
    result = resolve_values(boundaries, values)
    assert isinstance(result, Rejected)
    assert result.reason == "invalid_choice"


def test_clicking_none_today_with_a_boundary_is_rejected(boundaries: Step) -> None:
    assert resolve_values(boundaries, ["none", "saying_no"]) == Rejected("exclusive_choice", {"label": "None today"})


def test_a_single_choice_step_takes_one_click(content: Content) -> None:
    practise = _step(content, "weekly", "practise")
    assert resolve_values(practise, ["guilt"]) == Resolved("guilt")
    assert resolve_values(practise, ["guilt", "saying_no"]) == Rejected("one_choice")
    assert resolve_values(practise, ["nope"]) == Rejected("invalid_choice", {"answer": "", "count": 6})


def test_a_step_that_cannot_be_skipped_refuses_the_skip_button() -> None:
    flow = _flow([{"id": "must", "prompt": "?", "input": "scale", "skippable": False}])
    must = flow.steps[0]
    assert resolve_values(must, ["skip"]) == Rejected("not_skippable")
    assert resolve_text(must, "skip") == Rejected("invalid_scale", {"min": 1, "max": 5})


# ---------------------------------------------------------------- where the flow goes next


def _flow(steps: list[dict[str, Any]]) -> Flow:
    return Flow.model_validate({
        "id": "branchy", "name": "branchy", "title": "Branchy", "description": "a test flow",
        "steps": steps, "outcome": {"kind": "summary"},
    })


def _walk(flow: Flow, answers: Answers) -> list[str]:
    """Every step a person is asked, in order, given their answers."""
    asked = [first_step(flow)]
    while True:
        step = flow.step(asked[-1])
        assert step is not None
        following = next_step(flow, step, answers)
        if following is None:
            return asked
        asked.append(following)


@pytest.mark.parametrize("flow_id", ["daily", "weekly", "prepare", "repair"])
def test_linear_flows_ask_every_step_in_order_then_end(content: Content, flow_id: str) -> None:
    flow = content.flows[flow_id]
    assert _walk(flow, {}) == [step.id for step in flow.steps]
    assert next_step(flow, flow.steps[-1], {}) is None


@pytest.fixture
def branchy() -> Flow:
    return _flow([
        {"id": "mood", "prompt": "How safe?", "input": "scale", "next": [
            {"when": {"step": "mood", "at_most": 2}, "goto": "support"},
            {"goto": "where"},
        ]},
        {"id": "support", "prompt": "Would support help?", "input": "text"},
        {"id": "where", "prompt": "Where?", "input": "multi",
         "options": [{"value": "home", "label": "Home"}, {"value": "work", "label": "Work"},
                     {"value": "online", "label": "Online"}],
         "next": [
             {"when": {"step": "where", "any_of": ["work"]}, "goto": "work_detail"},
             {"when": {"step": "mood", "answered": False}, "goto": "note"},
             {"when": {"step": "mood", "at_least": 4}, "goto": "end"},
             {"goto": "note"},
         ]},
        {"id": "work_detail", "prompt": "At work?", "input": "text", "next": "note"},
        {"id": "note", "prompt": "Anything else?", "input": "text"},
    ])


@pytest.mark.parametrize(
    ("answers", "asked"),
    [
        ({"mood": 1, "where": ["home"]}, ["mood", "support", "where", "note"]),
        ({"mood": 2, "where": ["home"]}, ["mood", "support", "where", "note"]),
        ({"mood": 3, "where": ["home"]}, ["mood", "where", "note"]),
        ({"mood": 3, "where": ["home", "work"]}, ["mood", "where", "work_detail", "note"]),
        ({"mood": 5, "where": ["work"]}, ["mood", "where", "work_detail", "note"]),
        ({"mood": 5, "where": ["online"]}, ["mood", "where"]),
        ({"mood": 4, "where": None}, ["mood", "where"]),
        ({"mood": None, "where": ["home"]}, ["mood", "where", "note"]),
        ({"mood": None, "where": None}, ["mood", "where", "note"]),
    ],
)
def test_rules_send_each_person_down_the_branch_their_answers_pick(
    branchy: Flow, answers: Answers, asked: list[str]
) -> None:
    assert _walk(branchy, answers) == asked


def test_a_skipped_score_does_not_count_as_low(branchy: Flow) -> None:
    mood = branchy.steps[0]
    assert next_step(branchy, mood, {"mood": None}) == "where"


def test_answered_true_branches_only_on_an_answer() -> None:
    flow = _flow([
        {"id": "first", "prompt": "?", "input": "text",
         "next": [{"when": {"step": "first", "answered": True}, "goto": "follow_up"}, {"goto": "end"}]},
        {"id": "follow_up", "prompt": "Tell me more?", "input": "text"},
    ])
    assert _walk(flow, {"first": "something"}) == ["first", "follow_up"]
    assert _walk(flow, {"first": None}) == ["first"]


# ---------------------------------------------------------------- what a finished flow gives back


def test_daily_outcome_records_the_answers_and_the_tags_of_the_boundaries(content: Content) -> None:
    outcome = build_outcome(content.flows["daily"], {
        "safety": 2, "boundaries": ["saying_no", "asked_space", "other"], "note": "A hard day.",
    })
    assert outcome.safety == 2
    assert outcome.boundaries == ("saying_no", "asked_space", "other")
    assert outcome.note == "A hard day."
    assert outcome.tags == ("saying-no", "space")
    assert outcome.lines == ()


def test_daily_outcome_with_everything_skipped_records_nothing(content: Content) -> None:
    outcome = build_outcome(content.flows["daily"], {"safety": None, "boundaries": None, "note": None})
    assert (outcome.safety, outcome.boundaries, outcome.note, outcome.tags) == (None, (), None, ())


@pytest.mark.parametrize(
    ("answers", "lines"),
    [
        (
            {"happened": "you raise your voice when I disagree", "feel": "small",
             "need": "for us to talk at a normal volume", "if_crossed": "take a break"},
            ("When you raise your voice when I disagree, I feel small.",
             "What I need is for us to talk at a normal volume.",
             "If it happens again, I'll take a break."),
        ),
        (
            {"happened": "When you shout", "feel": "I feel small.", "need": "Quiet.", "if_crossed": "I'll leave."},
            ("When you shout, I feel small.", "What I need is quiet.", "If it happens again, I'll leave."),
        ),
        (
            {"happened": "when you  shout\nat me...", "feel": "Scared!", "need": None, "if_crossed": "leave"},
            ("When you shout at me, I feel scared.", "If it happens again, I'll leave."),
        ),
        (
            {"happened": "you shout", "feel": None, "need": "calm", "if_crossed": None},
            ("What I need is calm.",),
        ),
        (
            {"happened": "you shout", "feel": "I'm scared", "need": None, "if_crossed": None},
            ("When you shout, I feel scared.",),
        ),
    ],
)
def test_prepare_puts_the_persons_own_words_into_the_script(
    content: Content, answers: Answers, lines: tuple[str, ...]
) -> None:
    assert build_outcome(content.flows["prepare"], answers).lines == lines


@pytest.mark.parametrize(
    ("step_id", "typed", "line"),
    [
        ("happened", "When you shout", "When you shout, I feel small."),
        ("feel", "I feel small", "When you shout, I feel small."),
        ("need", "What I need is more quiet", "What I need is more quiet."),
        ("if_crossed", "If it happens again, I'll leave the room.", "If it happens again, I'll leave the room."),
    ],
)
def test_prepare_drops_the_lead_in_the_prompt_invited(content: Content, step_id: str, typed: str,
                                                      line: str) -> None:
    """Each prompt offers a sentence start ("What I need is…"); typing it out must not repeat it in the script."""
    answers: dict[str, Any] = {"happened": "you shout", "feel": "small", "need": None, "if_crossed": None}
    answers[step_id] = typed
    assert line in build_outcome(content.flows["prepare"], answers).lines


def test_prepare_with_everything_skipped_has_no_script(content: Content) -> None:
    answers = {"happened": None, "feel": None, "need": None, "if_crossed": None}
    assert build_outcome(content.flows["prepare"], answers).lines == ()


def test_repair_with_everything_skipped_has_no_lines_at_all(content: Content) -> None:
    outcome = build_outcome(content.flows["repair"], {"what_happened": None, "want_known": None, "need_safe": None})
    assert outcome.lines == ()
    assert outcome.tags == ("repair",)


def test_repair_keeps_its_closing_question_beside_the_persons_words(content: Content) -> None:
    outcome = build_outcome(content.flows["repair"], {"what_happened": "our argument about the holidays",
                                                      "want_known": None, "need_safe": None})
    assert outcome.lines == ("I've been thinking about what happened between us: our argument about the holidays.",
                             "Could we talk about it when you're ready?")


def test_repair_drops_the_lead_in_the_prompt_invited(content: Content) -> None:
    outcome = build_outcome(content.flows["repair"], {"what_happened": None,
                                                      "want_known": "I want you to know that I care",
                                                      "need_safe": None})
    assert outcome.lines[0] == "I want you to know that I care."


def test_weekly_summary_describes_the_places_in_words(content: Content) -> None:
    outcome = build_outcome(content.flows["weekly"], {
        "safe_places": ["work", "home"], "unsafe_places": ["online"], "practise": "guilt", "note": None,
    })
    assert outcome.lines == (
        "You felt safest: home and work.",
        "You felt on guard: online.",
        "Next week you'd like to practise stepping back from guilt-tripping.",
    )
    assert outcome.tags == ("online", "guilt-and-manipulation")


def test_weekly_summary_lists_three_places_with_commas(content: Content) -> None:
    outcome = build_outcome(content.flows["weekly"], {
        "safe_places": ["home", "work", "friends"], "unsafe_places": None, "practise": None, "note": None,
    })
    assert outcome.lines == ("You felt safest: home, work and with friends.",)
