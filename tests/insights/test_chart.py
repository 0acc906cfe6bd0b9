"""The history chart: a real PNG of the expected size with our palette on it, an alt text that says the
same in words, and nothing at all when there is nothing to draw or no matplotlib."""

from __future__ import annotations

import io
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.content.loader import Content
from bot.insights import Boundaries, Point, alt_text, boundaries_from_content, prepare_charts, render_chart
from bot.insights.chart import BLUISH_GREEN, HEIGHT, VERMILLION, WIDTH
from tests.insights.helpers import TODAY, daily

ROOT = Path(__file__).resolve().parents[2]
FOUR_WEEKS_AGO = TODAY - timedelta(days=27)


@pytest.fixture
def boundaries(content: Content) -> Boundaries:
    return boundaries_from_content(content)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def decode(png: bytes) -> tuple[tuple[int, int], set[tuple[int, int, int]]]:
    image_module = pytest.importorskip("PIL.Image")
    with image_module.open(io.BytesIO(png)) as image:
        assert image.format == "PNG"
        rgb_image = image.convert("RGB")
        return rgb_image.size, {colour for _, colour in rgb_image.getcolors(maxcolors=WIDTH * HEIGHT)}


def test_four_weeks_chart_decodes_at_phone_size_with_our_colours(boundaries: Boundaries) -> None:
    pytest.importorskip("matplotlib")
    chart = render_chart(daily(28), FOUR_WEEKS_AGO, TODAY, boundaries)
    assert chart is not None
    size, colours = decode(chart.png)
    assert size == (WIDTH, HEIGHT) == (1000, 700)
    assert len(colours) > 20  # not blank: points, a line, bars, text and their anti-aliased edges
    assert rgb(VERMILLION) in colours  # the rolling average line
    assert rgb(BLUISH_GREEN) in colours  # the weekly bars


def test_one_check_in_still_makes_a_chart(boundaries: Boundaries) -> None:
    pytest.importorskip("matplotlib")
    chart = render_chart([Point(TODAY, 4, ("saying_no",))], TODAY, TODAY, boundaries)
    assert chart is not None
    size, colours = decode(chart.png)
    assert size == (1000, 700)
    assert rgb(BLUISH_GREEN) in colours
    assert chart.alt_text == ("One safety score, on 26 Nov 2026: 4 out of 5. Bars show boundaries held each "
                              "week, up to 1 in a week; held in the most weeks: said no without over-explaining.")


def test_check_ins_without_scores_still_show_their_boundaries(boundaries: Boundaries) -> None:
    pytest.importorskip("matplotlib")
    points = [Point(TODAY - timedelta(days=3), None, ("asked_space",)), Point(TODAY, None, ("asked_space",))]
    chart = render_chart(points, FOUR_WEEKS_AGO, TODAY, boundaries)
    assert chart is not None
    assert rgb(BLUISH_GREEN) in decode(chart.png)[1]
    assert chart.alt_text.startswith("Check-ins from 23 Nov to 26 Nov 2026, without safety scores.")


def test_three_years_daily_fit_the_same_picture(boundaries: Boundaries) -> None:
    pytest.importorskip("matplotlib")
    points = daily(1096)
    chart = render_chart(points, points[0].day, TODAY, boundaries)
    assert chart is not None
    size, colours = decode(chart.png)
    assert size == (1000, 700)
    assert {rgb(VERMILLION), rgb(BLUISH_GREEN)} <= colours


def test_nothing_to_draw_means_no_chart(boundaries: Boundaries) -> None:
    assert render_chart([], FOUR_WEEKS_AGO, TODAY, boundaries) is None
    assert render_chart([Point(date(2026, 1, 1), 3)], FOUR_WEEKS_AGO, TODAY, boundaries) is None


def test_without_matplotlib_the_chart_is_left_out(boundaries: Boundaries, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib...` raise ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    assert render_chart(daily(28), FOUR_WEEKS_AGO, TODAY, boundaries) is None
    assert prepare_charts() is False  # so the app can say at start-up that charts are off


def test_preparing_charts_at_start_up() -> None:
    pytest.importorskip("matplotlib")
    assert prepare_charts() is True


def test_the_core_imports_without_loading_matplotlib() -> None:
    code = "import sys, bot.insights, bot.insights.chart; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_charts_rendered_at_once_in_threads_are_each_intact(boundaries: Boundaries) -> None:
    pytest.importorskip("matplotlib")
    jobs = [(daily(days), TODAY - timedelta(days=days - 1)) for days in (28, 84, 400, 28)]
    alone = [render_chart(points, start, TODAY, boundaries) for points, start in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda job: render_chart(job[0], job[1], TODAY, boundaries), jobs))
    assert together == alone  # byte for byte: no figure drew into another's


def test_alt_text_says_the_range_the_average_and_the_direction(boundaries: Boundaries) -> None:
    # Two weeks around 3.0, then two weeks around 3.8 (the rolling window for four weeks is 7 days).
    start = date(2026, 11, 3)
    scores = [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 4, 4, 4, 4, 4, 4, 3, 4, 4, 4]
    held = {0: ("saying_no",), 8: ("saying_no",), 15: ("saying_no", "asked_space"), 22: ("saying_no",)}
    points = [Point(start + timedelta(days=index), score, held.get(index, ())) for index, score in enumerate(scores)]
    end = start + timedelta(days=27)
    assert alt_text(points, start, end, boundaries) == (
        "Safety scores from 3 Nov to 30 Nov 2026: average 3.4, rising from 3.0 to 3.9. "
        "Bars show boundaries held each week, up to 2 in a week; held in the most weeks: "
        "said no without over-explaining."
    )


def test_alt_text_for_a_steady_period(boundaries: Boundaries) -> None:
    points = [Point(TODAY - timedelta(days=days), 4, ()) for days in range(20)]
    assert alt_text(points, FOUR_WEEKS_AGO, TODAY, boundaries) == (
        "Safety scores from 7 Nov to 26 Nov 2026: average 4.0, steady around 4.0. "
        "No boundaries marked in this period."
    )
