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
4. comments appear only when at least ten answered;
5. per statement the mean and the share on the safe side are shown; how many gave each answer only when
   at least ten answered, and then no cell holds fewer than 3 people (small ones merged with a neighbour),
   the cells cover the scale in order and add up to the respondents; what is kept for the next round's
   comparison holds nothing that was not published;
6. a statement's change since the last round is the difference of two *published* shares.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.community.pulses import (
    COMMENTS_MIN_RESPONDENTS,
    DISTRIBUTION_MIN_RESPONDENTS,
    MIN_CELL,
    RoundSummary,
    decide_close,
    merge_small_cells,
    summarise,
    too_few_reply,
)
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
        lines = text.splitlines()
        for position, (statement, item) in enumerate(zip(PULSE.items, own.items, strict=True)):
            at = next(at for at, line in enumerate(lines) if line.startswith(f"• {statement.text}"))
            shown_mean = f"  average {item.mean:.1f} on 1 to 5 · {item.favourable}% on the safe side"
            assert lines[at + 1].startswith(shown_mean)
            before = last_published.item(item.id) if last_published is not None else None
            if before is None:
                assert "since the last round" not in lines[at + 1]
            else:
                delta = (item.favourable or 0) - (before.favourable or 0)
                assert lines[at + 1].endswith(f"(up {delta} points since the last round)" if delta > 0 else
                                              f"(down {-delta} points since the last round)" if delta < 0 else
                                              "(the same as the last round)")
            spread = lines[at + 2] if at + 2 < len(lines) and "how the answers spread" in lines[at + 2] else None
            if own.respondents < DISTRIBUTION_MIN_RESPONDENTS:
                assert spread is None
                assert item.cells == ()
                continue
            assert spread is not None
            cells = re.findall(r"(\d)(?:–(\d))?: (\d+)", spread.split("(safest): ")[1])
            spans = [(int(low), int(high or low), int(count)) for low, high, count in cells]
            assert spans[0][0] == 1
            assert spans[-1][1] == 5
            assert all(left[1] + 1 == right[0] for left, right in pairwise(spans))
            assert all(count >= MIN_CELL for _, _, count in spans)
            scored = [6 - int(row[position]) if statement.reverse else int(row[position]) for row in one.answers]
            assert all(count == sum(low <= value <= high for value in scored) for low, high, count in spans)
        if own.respondents < DISTRIBUTION_MIN_RESPONDENTS:
            assert "how the answers spread" not in text
            assert not re.search(r"\d: \d", text)  # no count per answer anywhere
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


@settings(max_examples=300, deadline=None)
@given(st.lists(ANSWER, max_size=14))
def test_the_kept_aggregate_holds_only_what_was_published(answers: list[str]) -> None:
    kept = summarise(PULSE, answers).to_json()
    for item in kept["items"]:
        assert set(item) == {"id", "mean", "favourable", "cells"}
        if len(answers) < DISTRIBUTION_MIN_RESPONDENTS:
            assert item["cells"] == []
    assert RoundSummary.from_json(kept) == summarise(PULSE, answers)


@given(st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=7))
def test_small_cells_merge_into_neighbours_until_none_is_under_three(counts: list[int]) -> None:
    cells = merge_small_cells(counts, 1)
    assert cells[0].low == 1
    assert cells[-1].high == len(counts)
    assert all(left.high + 1 == right.low for left, right in pairwise(cells))
    assert all(cell.count == sum(counts[cell.low - 1:cell.high]) for cell in cells)
    if sum(counts) >= MIN_CELL:
        assert all(cell.count >= MIN_CELL for cell in cells)
    if all(count >= MIN_CELL for count in counts):
        assert len(cells) == len(counts)  # nothing is merged that need not be


@given(st.lists(ANSWER, min_size=3, max_size=20))
def test_reverse_items_are_flipped_so_higher_is_always_safer(answers: list[str]) -> None:
    summary = summarise(PULSE, answers)
    for position, (item, result) in enumerate(zip(PULSE.items, summary.items, strict=True)):
        raw = [int(answer[position]) for answer in answers]
        expected = sum(6 - value if item.reverse else value for value in raw) / len(raw)
        assert result.mean == round(expected, 2)
        favourable = sum((6 - value if item.reverse else value) >= 4 for value in raw)
        assert result.favourable == round(100 * favourable / len(raw))
    assert 0 <= summary.index <= 100
