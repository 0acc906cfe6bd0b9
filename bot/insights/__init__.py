"""Insights: the /history summary, observations and chart, computed from check-ins reduced to `Point`s."""

from bot.insights.chart import Chart, alt_text, prepare_charts, render_chart
from bot.insights.observations import Observation, observe
from bot.insights.points import (
    ALL,
    FOUR_WEEKS,
    PERIODS,
    TWELVE_WEEKS,
    Boundaries,
    Period,
    PeriodError,
    Point,
    boundaries_from_content,
    parse_period,
    points_from_checkins,
)
from bot.insights.summary import Summary, Trend, summarize
from bot.insights.texts import default_texts

__all__ = [
    "ALL",
    "FOUR_WEEKS",
    "PERIODS",
    "TWELVE_WEEKS",
    "Boundaries",
    "Chart",
    "Observation",
    "Period",
    "PeriodError",
    "Point",
    "Summary",
    "Trend",
    "alt_text",
    "boundaries_from_content",
    "default_texts",
    "observe",
    "parse_period",
    "points_from_checkins",
    "prepare_charts",
    "render_chart",
    "summarize",
]
