"""Scoring the screen on a labelled corpus (JSON Lines: text, kind, level, about, lang).

A positive (`clear` or `possible`) counts as caught when the screen says `crisis`; a harmless message
(`none`) that the screen flags is a false alarm. `boundary-bot screen --eval FILE` prints this report.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.safety.screening import Level, Screener, Verdict


@dataclass(frozen=True)
class Labelled:
    text: str
    kind: str
    level: Level
    about: str
    lang: str


def read_corpus(path: Path) -> list[Labelled]:
    rows: list[Labelled] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            rows.append(Labelled(str(data["text"]), str(data["kind"]), Level(data["level"]),
                                 str(data.get("about", "self")), str(data.get("lang", "en"))))
        except (ValueError, KeyError) as exc:
            raise ValueError(f"{path}:{number}: not a labelled message ({exc})") from exc
    return rows


@dataclass
class KindScore:
    total: int = 0
    caught: int = 0
    about_right: int = 0

    @property
    def rate(self) -> float:
        return self.caught / self.total if self.total else 1.0


@dataclass
class Report:
    kinds: dict[str, KindScore] = field(default_factory=dict)
    benign: KindScore = field(default_factory=KindScore)
    clear: KindScore = field(default_factory=KindScore)
    possible: KindScore = field(default_factory=KindScore)
    latencies_ms: list[float] = field(default_factory=list)
    misses: list[tuple[Labelled, Verdict]] = field(default_factory=list)
    false_alarms: list[tuple[Labelled, Verdict]] = field(default_factory=list)

    @property
    def false_alarm_rate(self) -> float:
        return self.benign.caught / self.benign.total if self.benign.total else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    def as_json(self) -> dict[str, object]:
        return {
            "recall_clear": round(self.clear.rate, 4), "recall_possible": round(self.possible.rate, 4),
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "positives": self.clear.total + self.possible.total, "benign": self.benign.total,
            "latency_ms": {"p50": round(self.percentile(0.5), 3), "p95": round(self.percentile(0.95), 3),
                           "max": round(max(self.latencies_ms, default=0.0), 3)},
            "kinds": {kind: {"total": score.total, "flagged": score.caught,
                             "rate": round(score.rate, 4)} for kind, score in sorted(self.kinds.items())},
        }

    def lines(self, *, show_misses: bool = False) -> list[str]:
        out = [f"{'kind':32} {'n':>4} {'flagged':>8} {'rate':>7}"]
        for kind, score in sorted(self.kinds.items()):
            out.append(f"{kind:32} {score.total:4} {score.caught:8} {score.rate:7.1%}")
        out += [
            f"recall, clear positives:    {self.clear.caught}/{self.clear.total} = {self.clear.rate:.1%}",
            f"recall, possible positives: {self.possible.caught}/{self.possible.total} = {self.possible.rate:.1%}",
            f"false alarms:               {self.benign.caught}/{self.benign.total} = {self.false_alarm_rate:.1%}",
            f"latency per message:        p50 {self.percentile(0.5):.2f} ms, p95 {self.percentile(0.95):.2f} ms, "
            f"max {max(self.latencies_ms, default=0.0):.2f} ms",
        ]
        if show_misses:
            out += [f"MISSED [{row.kind}/{row.level}] {row.text}" for row, _ in self.misses]
            out += [f"FALSE ALARM [{row.kind}] {row.text} <- {verdict.reasons}" for row, verdict in self.false_alarms]
        return out


def evaluate(screener: Screener, rows: Iterable[Labelled]) -> Report:
    report = Report()
    for row in rows:
        started = time.perf_counter()
        verdict = screener.screen(row.text)
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        score = report.kinds.setdefault(row.kind, KindScore())
        score.total += 1
        score.caught += verdict.crisis
        if row.level is Level.NONE:
            report.benign.total += 1
            report.benign.caught += verdict.crisis
            if verdict.crisis:
                report.false_alarms.append((row, verdict))
            continue
        bucket = report.clear if row.level is Level.CLEAR else report.possible
        bucket.total += 1
        bucket.caught += verdict.crisis
        if not verdict.crisis:
            report.misses.append((row, verdict))
    return report


def evaluate_files(screener: Screener, paths: Sequence[Path]) -> Report:
    return evaluate(screener, [row for path in paths for row in read_corpus(path)])
