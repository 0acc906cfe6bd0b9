"""Crisis screening speed: start-up cost of the model, and per-message latency on realistic inputs.

Run: .venv/bin/python benchmarks/screening.py   (also part of `make bench`)
Inputs: every message of the team's corpus (tests/safety/corpus, both halves), as people write them; long
messages of 500 and 100,000 characters built from the corpus's harmless lines with one risk sentence in the
middle (a long check-in with the risk buried); 100,000 characters of harmless lines that each raise nothing on
their own (joined, some make phrases across their ends; the long message every layer reads far, the learned head
included); and, as a worst case, 100,000 characters of corpus lines of every kind, half of them danger.
"""

from __future__ import annotations

import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    from bot.content.loader import load_content

    content = load_content(ROOT / "content")
    before_rss, started = rss_mb(), time.perf_counter()
    from bot.safety.screening import Screener

    screener = Screener(content.phrases, content.screening_head)
    startup_s, startup_mb = time.perf_counter() - started, rss_mb() - before_rss
    rows = [json.loads(line) for half in ("dev.jsonl", "test.jsonl")
            for line in (ROOT / "tests/safety/corpus" / half).read_text(encoding="utf-8").splitlines() if line]
    texts = [row["text"] for row in rows]
    benign = [row["text"] for row in rows if row["level"] == "none"]
    rng = random.Random(7)

    def padded(size: int, pool: list[str] | None = None) -> str:
        words: list[str] = []
        while sum(len(w) + 1 for w in words) < size:
            words.append(rng.choice(pool or benign))
        middle = len(words) // 2
        return " ".join([*words[:middle], "i keep thinking about ending my life", *words[middle:]])[:size]

    def timed(samples: list[str]) -> list[float]:
        out = []
        for text in samples:
            t0 = time.perf_counter()
            screener.screen(text)
            out.append((time.perf_counter() - t0) * 1000)
        return sorted(out)

    corpus_ms = timed(texts * 3)
    five_hundred = timed([padded(500) for _ in range(300)])
    hundred_k = timed([padded(100_000) for _ in range(60)])
    quiet = [text for text in benign if not screener.screen(text).crisis]
    harmless = timed([" ".join(rng.choice(quiet) for _ in range(2_000))[:100_000] for _ in range(60)])

    def sentences(size: int) -> str:  # harmless check-ins read a sentence at a time (the longest path up to 3,000)
        return ". ".join(rng.choice(quiet).rstrip(".!? ") for _ in range(size // 20))[:size]

    quiet_500 = timed([sentences(500) for _ in range(300)])
    quiet_3000 = timed([sentences(3_000) for _ in range(100)])
    hostile = timed([padded(100_000, texts) for _ in range(5)])

    def p(values: list[float], share: float) -> float:
        return values[min(len(values) - 1, int(share * len(values)))]

    print(f"start-up (model, vocabulary, rules): {startup_s:.2f} s, +{startup_mb:.0f} MB RSS "
          f"(process RSS {rss_mb():.0f} MB)")
    print(f"corpus messages ({len(corpus_ms)}): p50 {statistics.median(corpus_ms):.2f} ms, "
          f"p95 {p(corpus_ms, 0.95):.2f} ms, max {corpus_ms[-1]:.2f} ms")
    print(f"500-character messages ({len(five_hundred)}): p50 {statistics.median(five_hundred):.2f} ms, "
          f"p95 {p(five_hundred, 0.95):.2f} ms, max {five_hundred[-1]:.2f} ms")
    print(f"500 characters of harmless sentences ({len(quiet_500)}): p50 {statistics.median(quiet_500):.2f} ms, "
          f"p95 {p(quiet_500, 0.95):.2f} ms, max {quiet_500[-1]:.2f} ms")
    print(f"3,000 characters of harmless sentences ({len(quiet_3000)}): p50 {statistics.median(quiet_3000):.1f} ms, "
          f"p95 {p(quiet_3000, 0.95):.1f} ms, max {quiet_3000[-1]:.1f} ms")
    print(f"100,000-character messages ({len(hundred_k)}): p50 {statistics.median(hundred_k):.1f} ms, "
          f"p95 {p(hundred_k, 0.95):.1f} ms, max {hundred_k[-1]:.1f} ms")
    print(f"100,000 characters of lines that each raise nothing alone ({len(harmless)}): "
          f"p50 {statistics.median(harmless):.1f} ms, "
          f"p95 {p(harmless, 0.95):.1f} ms, max {harmless[-1]:.1f} ms")
    print(f"100,000 characters of nothing but corpus lines, half of them danger ({len(hostile)}): "
          f"p50 {statistics.median(hostile):.1f} ms, max {hostile[-1]:.1f} ms")


if __name__ == "__main__":
    main()
