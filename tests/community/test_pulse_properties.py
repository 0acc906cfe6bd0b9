"""The anonymity guarantee of pulse results, checked for any answers and any sequence of rounds.

The guarantee (bot/community/pulses.py): a round publishes once, after it closes, computed from its own
complete answer set only, and only when at least its threshold (>= 3) answered; otherwise one fixed
sentence. As properties:
1. a round below its threshold publishes exactly the fixed sentence: no number, no count, no comment;
2. non-interference: changing anything about hidden rounds (their answers, comments, how many of them
   answered while staying below the threshold) changes nothing published anywhere in the sequence, so
   no combination of published results, subtraction included, can recover any part of a hidden round;
3. every number published for a round is computed from that round's answers alone, except the change
   since the last round, which is the difference of two *published* indexes;
4. comments appear only when at least ten answered.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.community.pulses import COMMENTS_MIN_RESPONDENTS, RoundSummary, decide_close, summarise, too_few_reply
from bot.content.loader import Content, load_content
from bot.content.schema import PulseSet
from bot.messages import Reply
from tests.conftest import CONTENT_DIR

CONTENT: Content = load_content(CONTENT_DIR)
PULSE: PulseSet = CONTENT.pulse_sets["team-safety"]
ANSWER = st.text(alphabet="12345", min_size=len(PULSE.items), max_size=len(PULSE.items))
COMMENT = st.text(alphabet="abcdefghij @:/.<>!#", min_size=1, max_size=30).map(lambda words: f"§{words}§")


@dataclass(frozen=True)
class Round:
    threshold: int
    answers: tuple[str, ...]
    comments: tuple[str, ...]

    @property
    def hidden(self) -> bool:
        return len(self.answers) < self.threshold


@st.composite
def a_round(draw: st.DrawFn) -> Round:
    threshold = draw(st.integers(min_value=3, max_value=8))
    answers = draw(st.lists(ANSWER, max_size=14))
    comments = draw(st.lists(COMMENT, max_size=len(answers)))
    return Round(threshold, tuple(answers), tuple(comments))


def publish(rounds: list[Round], seed: int = 0) -> list[Reply]:
    """What one channel sees as its rounds close in turn (Pulses._close, without the database)."""
    rng = random.Random(seed)
    previous: RoundSummary | None = None
    posted: list[Reply] = []
    for one in rounds:
        reply, kept = decide_close(CONTENT.texts, PULSE, one.threshold, one.answers, one.comments, previous, rng)
        posted.append(reply)
        previous = RoundSummary.from_json(kept) if kept is not None else None
    return posted


def shown(reply: Reply) -> str:
    return "\n".join((reply.title, reply.text, reply.footer))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(a_round(), min_size=1, max_size=6))
def test_a_round_below_its_threshold_publishes_only_the_fixed_sentence(rounds: list[Round]) -> None:
    for one, reply in zip(rounds, publish(rounds), strict=True):
        if one.hidden:
            assert reply == too_few_reply(CONTENT.texts)
            assert not re.search(r"\d", shown(reply))
            assert not any(comment in shown(reply) for comment in one.comments)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(a_round(), min_size=1, max_size=6), st.data())
def test_nothing_published_depends_on_a_hidden_round(rounds: list[Round], data: st.DataObject) -> None:
    other_world = []
    for one in rounds:
        if one.hidden:
            answers = data.draw(st.lists(ANSWER, max_size=one.threshold - 1))
            comments = data.draw(st.lists(COMMENT, max_size=len(answers)))
            one = replace(one, answers=tuple(answers), comments=tuple(comments))
        other_world.append(one)
    assert publish(rounds) == publish(other_world)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(a_round(), min_size=1, max_size=6))
def test_every_published_number_comes_from_its_own_round_or_two_published_ones(rounds: list[Round]) -> None:
    last_published: RoundSummary | None = None
    for one, reply in zip(rounds, publish(rounds), strict=True):
        if one.hidden:
            last_published = None
            continue
        own = summarise(PULSE, one.answers)
        text = reply.text
        assert text.startswith(f"{own.respondents} people answered. Overall: {own.index} out of 100.")
        for item in own.items:
            assert f"average {item.mean:.1f} · answers from 1 to 5: {' · '.join(map(str, item.counts))}" in text
        change = re.search(r"That's (up|down) (\d+) since", text)
        if last_published is None:
            assert "since the last round" not in text
        elif change:
            sign = 1 if change.group(1) == "up" else -1
            assert sign * int(change.group(2)) == own.index - last_published.index
        else:
            assert own.index == last_published.index
        comment_lines = [line for line in text.splitlines() if line.startswith("• §")]
        if own.respondents < COMMENTS_MIN_RESPONDENTS:
            assert comment_lines == []
        else:
            assert len(comment_lines) == len(one.comments)
        last_published = own


@given(st.lists(ANSWER, min_size=3, max_size=20))
def test_reverse_items_are_flipped_so_higher_is_always_safer(answers: list[str]) -> None:
    summary = summarise(PULSE, answers)
    for position, (item, result) in enumerate(zip(PULSE.items, summary.items, strict=True)):
        raw = [int(answer[position]) for answer in answers]
        expected = sum(6 - value if item.reverse else value for value in raw) / len(raw)
        assert result.mean == round(expected, 2)
        assert sum(result.counts) == len(answers)
    assert 0 <= summary.index <= 100
