"""The history chart: safety scores over time with a gentle rolling average, and the boundaries held each
week below it. PNG bytes plus an alt text that says the same in words.

matplotlib is an optional extra ([charts]); it is imported inside `render_chart`, so the core imports
without it and the chart is simply left out. Rendering is synchronous and uses only the object-oriented
Figure API (no pyplot, no global rcParams changes), so callers can run it in a worker thread
(`await asyncio.to_thread(render_chart, ...)`) and several at once.

Nothing a person wrote is ever drawn: the input is `Point`s, which carry no words.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import TYPE_CHECKING

from bot.insights.points import Boundaries, Point, date_range, in_range, short_date, week_start
from bot.insights.summary import SAME_BAND
from bot.insights.texts import default_texts

if TYPE_CHECKING:
    import numpy as np
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

WIDTH, HEIGHT, DPI = 1000, 700, 100  # phone-sized: large text on a picture that fits a chat bubble
MIN_ROLLING_DAYS = 7
MIN_SPAN_DAYS = 28
ROLLING_SPAN_PARTS = 12  # the rolling window grows with the period: about a twelfth of it, at least a week
DENSE_POINTS = 150  # beyond this, smaller and lighter dots so the average line stays readable
TITLE_SIZE, LABEL_SIZE, LEGEND_SIZE = 22, 18, 16

# Okabe-Ito, distinguishable with every common colour-vision deficiency.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
BLUISH_GREEN = "#009E73"
INK = "#333333"
GRID = "#DDDDDD"
# Every date tick reads the same way ("8 Dec", "1 Jan 2027"): the year only where it changes or spans differ.


@dataclass(frozen=True)
class Chart:
    png: bytes
    alt_text: str
    width: int = WIDTH
    height: int = HEIGHT
    filename: str = "history.png"


@dataclass(frozen=True)
class WeekBar:
    start: date
    held: int


def rolling_days(start: date, end: date) -> int:
    return max(MIN_ROLLING_DAYS, ((end - start).days + 1) // ROLLING_SPAN_PARTS)


def weekly_held(points: Sequence[Point], start: date, end: date, boundaries: Boundaries) -> list[WeekBar]:
    """Every week of the period, Monday first, with how many boundaries were held in it (0 too)."""
    counts: dict[date, int] = {}
    for point in points:
        week = week_start(point.day)
        counts[week] = counts.get(week, 0) + len(boundaries.held(point.boundaries))
    bars: list[WeekBar] = []
    week = week_start(start)
    while week <= end:
        bars.append(WeekBar(week, counts.get(week, 0)))
        week += timedelta(days=7)
    return bars


def most_weeks_boundary(points: Sequence[Point], boundaries: Boundaries) -> str | None:
    weeks: dict[str, set[date]] = {}
    for point in points:
        for value in point.boundaries:
            if boundaries.named(value):
                weeks.setdefault(value, set()).add(week_start(point.day))
    if not weeks:
        return None
    return min(weeks, key=lambda value: (-len(weeks[value]), value))


def alt_text(points: Sequence[Point], start: date, end: date, boundaries: Boundaries,
             texts: Mapping[str, str] | None = None) -> str:
    """What the chart shows, in words, for screen readers and for anyone whose image didn't load."""
    texts = texts if texts is not None else default_texts()
    current = in_range(points, start, end)
    scored = [point for point in current if point.score is not None]
    first_day = current[0].day if current else start
    span = date_range(first_day, end)
    parts: list[str] = []
    if len(scored) == 1:
        parts.append(texts["chart_alt_one_score"].format(date=short_date(scored[0].day), score=scored[0].score))
    elif scored:
        window = timedelta(days=rolling_days(start, end))
        scores = [float(point.score) for point in scored if point.score is not None]
        average = fmean(scores)
        first = fmean(float(p.score) for p in scored if p.score is not None and p.day < scored[0].day + window)
        last = fmean(float(p.score) for p in scored if p.score is not None and p.day > scored[-1].day - window)
        if abs(last - first) < SAME_BAND:
            trend = texts["chart_alt_steady"].format(average=f"{average:.1f}")
        else:
            key = "chart_alt_rising" if last > first else "chart_alt_falling"
            trend = texts[key].format(first=f"{first:.1f}", last=f"{last:.1f}")
        parts.append(texts["chart_alt_scores"].format(range=span, average=f"{average:.1f}", trend=trend))
    else:
        parts.append(texts["chart_alt_no_scores"].format(range=span))
    bars = weekly_held(current, start, end, boundaries)
    most = max((bar.held for bar in bars), default=0)
    favourite = most_weeks_boundary(current, boundaries)
    if most and favourite:
        parts.append(texts["chart_alt_bars"].format(most=most, label=boundaries.label(favourite)))
    elif not most:
        parts.append(texts["chart_alt_no_bars"])
    return " ".join(parts)


def render_chart(points: Sequence[Point], start: date, end: date, boundaries: Boundaries,
                 texts: Mapping[str, str] | None = None) -> Chart | None:
    """None when there is nothing to draw or matplotlib isn't installed; the text summary stands alone."""
    texts = texts if texts is not None else default_texts()
    current = in_range(points, start, end)
    if not current:
        return None
    try:
        png = _render_png(current, start, end, boundaries, texts)
    except ImportError:
        log.info("charts are off: matplotlib is not installed (pip install 'boundary-bot[charts]')")
        return None
    return Chart(png, alt_text(current, start, end, boundaries, texts))


def prepare_charts() -> bool:
    """Import matplotlib and draw one chart, so that the first /history in a process doesn't pay for it (about
    a second here: imports and fonts). Call it off the event loop at start-up (`asyncio.to_thread`).
    False when matplotlib isn't installed."""
    day = date(2000, 1, 3)
    try:
        _render_png([Point(day, 3, ("warm_up",))], day, day, Boundaries(), default_texts())
    except ImportError:
        return False
    return True


def centred_average(days: NDArray[np.int64], scores: NDArray[np.float64], window: int) -> NDArray[np.float64]:
    """Mean of the scores within window/2 days either side of each one (days sorted): centred, so the line
    does not start with a jump at the first check-in. Cumulative sums keep it linear in the points."""
    import numpy as np

    half = window // 2
    totals = np.concatenate(([0.0], np.cumsum(scores)))
    low = np.searchsorted(days, days - half, side="left")
    high = np.searchsorted(days, days + half, side="right")
    averages: NDArray[np.float64] = (totals[high] - totals[low]) / (high - low)
    return averages


def runs_without_gaps(days: Sequence[date], window: int) -> list[tuple[int, int]]:
    """Index ranges (first, last, inclusive) of consecutive check-ins no more than `window` days apart: where an
    average can honestly be drawn as one line."""
    runs: list[tuple[int, int]] = []
    first = 0
    for index in range(1, len(days) + 1):
        if index == len(days) or (days[index] - days[index - 1]).days > window:
            if days:
                runs.append((first, index - 1))
            first = index
    return runs


def _style(axes: Axes, title: str) -> None:
    axes.set_title(title, loc="left", fontsize=TITLE_SIZE, color=INK, pad=12)
    axes.tick_params(labelsize=LABEL_SIZE, colors=INK, length=0, pad=8)
    axes.spines[["top", "right", "left"]].set_visible(False)
    axes.spines["bottom"].set_color(GRID)
    axes.grid(axis="y", color=GRID, linewidth=1)
    axes.set_axisbelow(True)


def _render_png(points: Sequence[Point], start: date, end: date, boundaries: Boundaries,
                texts: Mapping[str, str]) -> bytes:
    figure = chart_figure(points, start, end, boundaries, texts)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def chart_figure(points: Sequence[Point], start: date, end: date, boundaries: Boundaries,
                 texts: Mapping[str, str]) -> Figure:
    """The chart as a matplotlib Figure (what `_render_png` saves), so tests can look at what is drawn."""
    import numpy as np
    from matplotlib import dates as mdates
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, facecolor="white")
    figure.subplots_adjust(left=0.07, right=0.95, top=0.9, bottom=0.08, hspace=0.45)
    scores_axes, bars_axes = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [2.2, 1]})

    scored = [point for point in points if point.score is not None]
    if scored:
        days = np.array([point.day for point in scored], dtype="datetime64[D]")
        values = np.array([point.score for point in scored], dtype=float)
        dense = len(scored) > DENSE_POINTS
        scores_axes.plot(days, values, "o", markersize=5 if dense else 8, alpha=0.3 if dense else 0.5, color=BLUE,
                         markeredgewidth=0, label=texts["chart_points_legend"])
        window = rolling_days(start, end)
        drawn = False
        for first, last in runs_without_gaps([point.day for point in scored], window):
            if last - first < 1:
                continue  # a lone check-in between gaps: its dot says it all
            piece = slice(first, last + 1)
            rolling = centred_average(days[piece].astype(np.int64), values[piece], window)
            # The average is drawn across stretches with check-ins only: never straight over a gap, which
            # would show a climb or a fall that never happened. In the legend only when it is drawn.
            scores_axes.plot(days[piece], rolling, color=VERMILLION, linewidth=4, solid_capstyle="round",
                             label=None if drawn else texts["chart_average_legend"].format(days=window))
            drawn = True
        scores_axes.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, frameon=False,
                           fontsize=LEGEND_SIZE, labelcolor=INK, handlelength=1.5, borderaxespad=0.2)
    else:
        scores_axes.text(0.5, 0.5, texts["chart_no_scores"], transform=scores_axes.transAxes, ha="center",
                         va="center", fontsize=LABEL_SIZE, color=INK,
                         bbox={"facecolor": "white", "edgecolor": "none", "pad": 8})
    scores_axes.set_ylim(0.5, 5.5)
    scores_axes.set_yticks([1, 2, 3, 4, 5])
    _style(scores_axes, texts["chart_scores_title"])

    # At least four weeks wide, ending on `end`: one check-in is a dot on a month, not a dot on its own.
    left = min(start, points[0].day, end - timedelta(days=MIN_SPAN_DAYS - 1)) - timedelta(days=1)
    right = end + timedelta(days=1)
    bars_axes.set_xlim(np.datetime64(left, "D"), np.datetime64(right, "D"))  # also makes it a date axis
    locator = mdates.AutoDateLocator(minticks=3, maxticks=6)  # type: ignore[no-untyped-call]  # untyped module
    bars_axes.xaxis.set_major_locator(locator)
    with_year = left.year != right.year

    def tick(value: float, _position: int | None = None) -> str:
        day = mdates.num2date(value).date()  # type: ignore[no-untyped-call]
        return short_date(day, year=with_year and (day.month == 1 or day == left))

    bars_axes.xaxis.set_major_formatter(FuncFormatter(tick))

    # One collection of rectangles, not one patch per week: three years of bars is 157 patches otherwise,
    # and bar() spends more time on them than everything else in the chart together.
    bars = weekly_held(points, start, end, boundaries)
    week_starts = np.array([bar.start for bar in bars], dtype="datetime64[D]")
    starts = mdates.date2num(week_starts)  # type: ignore[no-untyped-call]
    heights = np.array([bar.held for bar in bars], dtype=float)
    shown = heights > 0
    x0, x1, tops = starts[shown] + 0.5, starts[shown] + 6.5, heights[shown]
    zeros = np.zeros_like(tops)
    rectangles = np.stack([np.column_stack(corner) for corner in
                           ((x0, zeros), (x0, tops), (x1, tops), (x1, zeros))], axis=1)
    bars_axes.add_collection(PolyCollection(list(rectangles), facecolors=BLUISH_GREEN, linewidths=0),
                             autolim=False)
    bars_axes.set_ylim(0, max(1.0, float(heights.max(initial=0))) * 1.15)
    bars_axes.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    _style(bars_axes, texts["chart_bars_title"])
    return figure
