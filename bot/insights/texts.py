"""English wording of insights. These keys belong in content/locales/en.yaml; until they move there, callers
may pass `{**EN_TEXTS, **content.texts.values}` so a locale file can override any of them.

Tone: observations about the person's own answers, warm and plain — never advice, a diagnosis, a streak to
protect or anything they 'missed'.
"""

from __future__ import annotations

from collections.abc import Mapping

EN_TEXTS: Mapping[str, str] = {
    "insights_period_help": (
        "I can show 4w (the last four weeks), 12w (the last twelve weeks) or all — for example /history 12w."
    ),
    "insights_title_4w": "Your last four weeks",
    "insights_title_12w": "Your last twelve weeks",
    "insights_title_all": "All your check-ins",
    "insights_span_4w": "the last four weeks",
    "insights_span_12w": "the last twelve weeks",
    "insights_previous_4w": "the four weeks before",
    "insights_previous_12w": "the twelve weeks before",
    "insights_none": "No check-ins yet. Your first one takes about a minute — /checkin whenever you like.",
    "insights_none_in_period": "No check-ins in {span}. Whenever you're ready, /checkin is here.",
    "insights_count": "{count} check-in{plural} in {span}.",
    "insights_count_all": "{count} check-in{plural} since {start}.",
    "insights_average": "Average safety: {average} out of 5.",
    "insights_average_same": "Average safety: {average} out of 5, about the same as {previous_span} ({previous}).",
    "insights_average_higher": "Average safety: {average} out of 5, higher than {previous_span} ({previous}).",
    "insights_average_lower": "Average safety: {average} out of 5, lower than {previous_span} ({previous}).",
    "insights_boundaries": "Boundaries you held most: {boundaries}.",
    "insights_boundary_count": "{label} ({count}×)",
    "insights_last_note": "Your last note is from {date}. Notes stay private and encrypted.",
    "insights_streak": "{count} weeks in a row with at least one check-in.",
    "insights_observation_higher": "Your scores were higher in weeks when you {boundary}.",
    "insights_observation_lower": "Your scores were lower in weeks when you {boundary}.",
    "insights_footer": "These are observations from your own answers, not advice and not a score to keep up.",
    "chart_scores_title": "Safety score (1–5)",
    "chart_points_legend": "a check-in",
    "chart_average_legend": "average over {days} days",
    "chart_bars_title": "Boundaries held per week",
    "chart_no_scores": "No safety scores in this period",
    "chart_alt_scores": "Safety scores from {range}: average {average}, {trend}.",
    "chart_alt_one_score": "One safety score, on {date}: {score} out of 5.",
    "chart_alt_no_scores": "Check-ins from {range}, without safety scores.",
    "chart_alt_rising": "rising from {first} to {last}",
    "chart_alt_falling": "falling from {first} to {last}",
    "chart_alt_steady": "steady around {average}",
    "chart_alt_bars": "Bars show boundaries held each week, up to {most} in a week; held in the most weeks: {label}.",
    "chart_alt_no_bars": "No boundaries marked in this period.",
}
