"""A person's own data, as they can take it away: JSON for everything, CSV for the check-ins."""

from __future__ import annotations

import csv
import io
import json
from typing import Any


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def checkins_csv(data: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "flow", "safety_score", "boundaries", "own_words", "tip_shown"])
    for row in data["checkins"]:
        words = " | ".join(f"{key}: {value}" for key, value in row["own_words"].items())
        writer.writerow([row["date"], row["flow"], "" if row["safety_score"] is None else row["safety_score"],
                         " ".join(row["boundaries"]), _defuse(words), row["tip_shown"] or ""])
    return out.getvalue().encode("utf-8")


def _defuse(cell: str) -> str:
    """A cell a spreadsheet would run as a formula is kept as text."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
