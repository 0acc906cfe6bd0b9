"""Which tip a person is shown: fitting today's answers, and not one they saw recently."""

from __future__ import annotations

import random

import pytest

from bot.content.loader import Content
from bot.content.schema import Tip
from bot.content.tips import TipPicker, TipRequest

HISTORY = 20  # how many recent tips the service passes in


def _picker(content: Content, seed: int = 7) -> TipPicker:
    return TipPicker(content.tips, random.Random(seed))


def _pick(picker: TipPicker, request: TipRequest, recent: list[str] | tuple[str, ...] = ()) -> Tip:
    tip = picker.pick(request, recent)
    assert tip is not None
    return tip


@pytest.mark.parametrize("safety", [1, 2])
def test_a_hard_day_with_no_boundary_held_gets_a_first_step(content: Content, safety: int) -> None:
    request = TipRequest(tags=(), safety=safety, boundaries=("none",))
    for seed in range(30):
        assert _pick(_picker(content, seed), request).stage == "first-step"


def test_a_hard_day_with_no_boundary_held_gets_different_first_steps(content: Content) -> None:
    request = TipRequest(safety=1, boundaries=("none",))
    picker = _picker(content)
    recent: list[str] = []
    for _ in range(5):
        tip = _pick(picker, request, recent)
        assert tip.stage == "first-step"
        recent.insert(0, tip.id)
    assert len(set(recent)) == 5


def test_saying_no_today_gets_a_saying_no_tip(content: Content) -> None:
    request = TipRequest(tags=("saying-no",), safety=4, boundaries=("saying_no",))
    for seed in range(30):
        assert "saying-no" in _pick(_picker(content, seed), request).tags


def test_a_boundary_held_gets_a_tip_to_hold_it_again(content: Content) -> None:
    request = TipRequest(tags=("space",), safety=3, boundaries=("asked_space",))
    tip = _pick(_picker(content), request)
    assert "space" in tip.tags
    assert tip.stage == "reinforce"


@pytest.mark.parametrize(
    "request_",
    [
        TipRequest(tags=("saying-no",), safety=4, boundaries=("saying_no",)),
        TipRequest(safety=1, boundaries=("none",)),
        TipRequest(),
    ],
)
def test_none_of_the_last_twenty_tips_comes_back_while_others_fit(content: Content, request_: TipRequest) -> None:
    picker = _picker(content)
    fitting = sum(1 for tip in content.tips if picker.score(tip, request_) > 0)
    window = min(HISTORY, fitting - 1)  # with fewer than 21 fitting tips, each still waits its turn
    recent: list[str] = []
    for _ in range(200):
        tip = _pick(picker, request_, recent[:HISTORY])
        assert tip.id not in recent[:window]
        recent.insert(0, tip.id)


def test_every_saying_no_tip_is_shown_before_one_repeats(content: Content) -> None:
    request = TipRequest(tags=("saying-no",), safety=4, boundaries=("saying_no",))
    picker = _picker(content)
    saying_no = {tip.id for tip in content.tips if "saying-no" in tip.tags and picker.score(tip, request) > 0}
    assert len(saying_no) >= 3
    recent: list[str] = []
    for _ in range(len(saying_no)):
        recent.insert(0, _pick(picker, request, recent[:HISTORY]).id)
    assert set(recent) == saying_no


def test_when_every_topic_tip_was_seen_the_one_seen_longest_ago_returns(content: Content) -> None:
    on_topic = [tip.id for tip in content.tips if _picker(content).score(tip, TipRequest(topic="space")) > 0]
    off_topic = [tip.id for tip in content.tips if "space" not in tip.tags][:5]
    shuffled = on_topic[:]
    random.Random(3).shuffle(shuffled)
    recent = shuffled + off_topic  # newest first; the off-topic ones are older still but do not fit
    assert _pick(_picker(content), TipRequest(topic="space"), recent).id == shuffled[-1]


def test_a_tip_shown_again_lately_counts_as_seen_lately(content: Content) -> None:
    """History holds repeats: a tip seen long ago AND just now was seen just now, so it is not the one to reshow."""
    on_topic = [tip.id for tip in content.tips if _picker(content).score(tip, TipRequest(topic="space")) > 0]
    recent = [on_topic[0], *on_topic[1:], on_topic[0]]  # newest first; on_topic[0] was also shown long ago
    assert _pick(_picker(content), TipRequest(topic="space"), recent).id == on_topic[-1]


def test_topic_tips_rotate_oldest_first_once_all_were_seen(content: Content) -> None:
    picker = _picker(content)
    on_topic = {tip.id for tip in content.tips if picker.score(tip, TipRequest(topic="family")) > 0}
    assert len(on_topic) < HISTORY
    recent: list[str] = []
    for _ in range(3 * len(on_topic)):
        recent.insert(0, _pick(picker, TipRequest(topic="family"), recent[:HISTORY]).id)
    shown = list(reversed(recent))
    first_round = shown[:len(on_topic)]
    assert set(first_round) == on_topic
    assert shown == first_round * 3


def test_a_full_history_of_fitting_tips_still_gives_a_tip(content: Content) -> None:
    request = TipRequest(tags=("saying-no",), safety=4, boundaries=("saying_no",))
    recent = [tip.id for tip in content.tips]
    picker = _picker(content)
    tip = _pick(picker, request, recent)
    assert tip.id == [tip.id for tip in content.tips if picker.score(tip, request) > 0][-1]


@pytest.mark.parametrize("topic", ["saying-no", "work", "repair", "professional-support", "online"])
def test_a_topic_only_gives_tips_on_that_topic(content: Content, topic: str) -> None:
    picker = _picker(content)
    recent: list[str] = []
    for _ in range(25):
        tip = _pick(picker, TipRequest(topic=topic), recent[:HISTORY])
        assert topic in tip.tags
        recent.insert(0, tip.id)


def test_every_topic_offers_a_tip(content: Content) -> None:
    picker = _picker(content)
    for topic in content.topics:
        assert topic in _pick(picker, TipRequest(topic=topic)).tags


@pytest.mark.parametrize("topic", ["gardening", "", "Saying-No", "saying no"])
def test_an_unknown_topic_gives_no_tip(content: Content, topic: str) -> None:
    assert _picker(content).pick(TipRequest(topic=topic)) is None


def test_the_same_seed_picks_the_same_tips(content: Content) -> None:
    request = TipRequest(tags=("energy",), safety=3, boundaries=("cut_short",))
    runs = []
    for _ in range(2):
        picker, recent = _picker(content, 11), list[str]()
        for _ in range(5):
            recent.insert(0, _pick(picker, request, recent).id)
        runs.append(recent)
    assert runs[0] == runs[1]
