"""Train the learned layer's head: `python -m bot.safety.train` (run again whenever its data changes).

It learns from content/safety/bank.yaml (written for it) and the three development sets of the evaluation corpus
(tests/safety/corpus/dev.jsonl, dev2, dev3 and dev4, every language), never from the test half or the
hold-out set, and writes content/safety/semantic-head.json with the checksums of what it read; a test fails
when those no longer match, so changed data cannot ship with a stale head.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.content.loader import load_content
from bot.safety import semantic
from bot.safety.evaluation import read_corpus
from bot.safety.screening import Level, Screener

ROOT = Path(__file__).resolve().parents[2]
BANK = Path("content/safety/bank.yaml")
DEVELOPMENT = (Path("tests/safety/corpus/dev.jsonl"), Path("tests/safety/corpus/dev2.jsonl"),
               Path("tests/safety/corpus/dev3.jsonl"), Path("tests/safety/corpus/dev4.jsonl"))
HEAD = Path("content/safety/semantic-head.json")


def checksums(root: Path = ROOT) -> dict[str, str]:
    return {str(path): hashlib.sha256((root / path).read_bytes()).hexdigest() for path in (BANK, *DEVELOPMENT)}


def main(argv: Sequence[str] | None = None) -> int:
    content = load_content(ROOT / "content")
    if content.screening_bank is None:
        print("train: content/safety/bank.yaml is missing", file=sys.stderr)
        return 2
    reader = Screener(content.phrases, semantic=False)
    dev = [row for path in DEVELOPMENT for row in read_corpus(ROOT / path)]
    crisis = [*content.screening_bank.crisis, *(row.text for row in dev if row.level is not Level.NONE)]
    benign = [*content.screening_bank.benign, *(row.text for row in dev if row.level is Level.NONE)]
    words, bias = semantic.train([reader.words_for_head(text) for text in crisis],
                                 [reader.words_for_head(text) for text in benign])
    head = {"trained_on": checksums(), "threshold": content.screening_bank.threshold, "bias": bias, "words": words}
    (ROOT / HEAD).write_text(json.dumps(head, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {HEAD}: {len(crisis)} crisis and {len(benign)} benign examples, {len(words)} words and pairs, "
          f"threshold {head['threshold']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
