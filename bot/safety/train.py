"""Train the semantic layer's head: `python -m bot.safety.train` (run again whenever its data changes).

It learns from content/safety/bank.yaml (written for it) and the English messages of the two development sets
of the evaluation corpus (tests/safety/corpus/dev.jsonl and dev2.jsonl: the other languages' messages there are
mostly danger, and taught a first head that any Spanish was), never from the test half or the hold-out set, and writes
content/safety/semantic-head.json with the checksums of what it read; a test fails when those no longer
match, so a changed bank cannot ship with a stale head.
"""

from __future__ import annotations

import base64
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
DEV = Path("tests/safety/corpus/dev.jsonl")
DEV2 = Path("tests/safety/corpus/dev2.jsonl")
HEAD = Path("content/safety/semantic-head.json")


def checksums(root: Path = ROOT) -> dict[str, str]:
    return {str(path): hashlib.sha256((root / path).read_bytes()).hexdigest() for path in (BANK, DEV, DEV2)}


def main(argv: Sequence[str] | None = None) -> int:
    content = load_content(ROOT / "content")
    model = semantic.model()
    if model is None or content.screening_bank is None:
        print("train: the embedding model or content/safety/bank.yaml is missing", file=sys.stderr)
        return 2
    reader = Screener(content.phrases, semantic=True)
    # the other languages have their rules
    dev = [row for path in (DEV, DEV2) for row in read_corpus(ROOT / path) if row.lang == "en"]
    crisis = [*content.screening_bank.crisis, *(row.text for row in dev if row.level is not Level.NONE)]
    benign = [*content.screening_bank.benign, *(row.text for row in dev if row.level is Level.NONE)]
    words, embedding, bias = semantic.train(model, [reader.words_for_head(text) for text in crisis],
                                            [reader.words_for_head(text) for text in benign])
    head = {
        "trained_on": checksums(),
        "threshold": content.screening_bank.threshold,
        "bias": round(bias, 6),
        "embedding": base64.b64encode(embedding.astype("<f4").tobytes()).decode("ascii"),
        "words": words,
    }
    (ROOT / HEAD).write_text(json.dumps(head, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {HEAD}: {len(crisis)} crisis and {len(benign)} benign examples, threshold {head['threshold']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
