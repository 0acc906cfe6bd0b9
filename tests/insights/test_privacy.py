"""A note's words never reach a summary, an observation, a chart or its alt text: only the fact that there
was a note, and its date."""

from __future__ import annotations

import dataclasses
from datetime import date

from bot.content.loader import Content
from bot.insights import ALL, FOUR_WEEKS, Point, boundaries_from_content, points_from_checkins, render_chart, summarize
from bot.messages import Address
from bot.storage.repository import Repository
from tests.conftest import FakeClock

SECRET = "my sister read my diary and I froze"


def test_a_point_has_no_room_for_words() -> None:
    assert [field.name for field in dataclasses.fields(Point)] == ["day", "score", "boundaries", "has_note"]


async def test_a_stored_note_shows_as_a_date_and_nothing_more(repository: Repository, content: Content,
                                                             clock: FakeClock) -> None:
    identity = await repository.identity_id(Address("console", "local", "someone"))
    for days_ago, score in ((3, 2), (0, 4)):
        clock.now = clock.now.replace(day=26 - days_ago)
        session = await repository.start_session(identity, "daily", "safety")
        assert await repository.finish(session, {"safety": score}, {"note": SECRET}, safety=score,
                                       boundaries=["asked_space"], tip_id=None)

    points = points_from_checkins(await repository.checkins(identity))
    boundaries = boundaries_from_content(content)
    today = date(2026, 11, 26)
    outputs: list[str] = []
    for period in (FOUR_WEEKS, ALL):
        summary = summarize(points, period, today, boundaries, streaks_enabled=True)
        outputs.extend((summary.title, *summary.lines, summary.footer))
        chart = render_chart(points, summary.start, today, boundaries)
        if chart is not None:  # None only without matplotlib
            outputs.append(chart.alt_text)
            assert SECRET.encode() not in chart.png
    assert "Your last note is from 26 Nov 2026. Notes stay private and encrypted." in outputs
    for words in outputs:
        assert SECRET not in words
        assert "diary" not in words
