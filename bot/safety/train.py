"""Train the learned layer's head: `python -m bot.safety.train` (run again whenever its data changes);
`python -m bot.safety.train --cross-validate [--folds N]` prints how the screen reads development lines its head did
not learn from, at several thresholds (how the threshold in content/safety/bank.yaml is chosen): each development set
in turn (or, with --folds, each of N groups of sets) is read by a head that learned from the bank and the other
sets. Each set was written by other people, so this is
closer to how the screen reads a stranger's words than folds cut at random across the sets.

It learns from content/safety/bank.yaml (written for it), the bot's own words (`own_words`: what it says, its
buttons, tips and scripts, as harmless examples) and the development sets of the evaluation corpus
(tests/safety/corpus/dev.jsonl, dev2 to dev47 and looks_back, every language), never from the test half, the fresh
sets, looks_back2 or the hold-out set, reading the words of content/safety/concepts.yaml as their kinds too. It writes
content/safety/semantic-head.json with those kinds and the checksums of what it read; a test fails when those no
longer match, so changed data cannot ship with a stale head.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from bot.content.loader import YAML_LOADER, Content, load_content
from bot.content.schema import ScreeningHead
from bot.safety import semantic
from bot.safety.evaluation import Labelled, read_corpus
from bot.safety.screening import Level, Screener, knots_as_knots

ROOT = Path(__file__).resolve().parents[2]
BANK = Path("content/safety/bank.yaml")
_CORPUS = Path("tests/safety/corpus")
# In the order they were learned from (it decides each line's place in training and its fold): dev, dev2 to dev37,
# looks_back (development data from the eighth session on), dev38 to dev47.
DEVELOPMENT = (_CORPUS / "dev.jsonl", *(_CORPUS / f"dev{n}.jsonl" for n in range(2, 38)), _CORPUS / "looks_back.jsonl",
               *(_CORPUS / f"dev{n}.jsonl" for n in range(38, 48)))
HEAD = Path("content/safety/semantic-head.json")
CONCEPTS = Path("content/safety/concepts.yaml")


# The bot's own words that no crisis line needs: what it says, its buttons, tips and scripts (a person may type a
# label or paste a script back). A string with one of these words is left out, so the head never learns that
# "not safe at all" or "you don't have to carry this alone" is harmless.
_NOT_OWN = re.compile(r"(?i)\b(?:safe|safety|unsafe|hurt|harm|die|dying|dead|death|kill|suicid|crisis|sos|emergency|"
                      r"helpline|life|lives|end|danger|threat|abuse|violence|hit|alone|carry|pain|scared|afraid)\w*")
OWN_WORDS = "content/ (the bot's own words, safety excluded)"


def own_words(root: Path = ROOT) -> list[str]:
    """Every text of two words or more in content/ outside content/safety/, with no placeholder and none of the
    words above: harmless examples for the head."""
    found: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, str):
            text = " ".join(node.split())
            if len(text.split()) >= 2 and "{" not in text and not _NOT_OWN.search(text):
                found.add(text)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((root / "content").rglob("*.yaml")):
        if "safety" not in path.relative_to(root / "content").parts:
            walk(yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER))
    return sorted(found)


def kinds(content: Content, reader: Screener) -> dict[str, str]:
    """content/safety/concepts.yaml as the head reads it: each word as the screen reads it (case, accents and
    spelling folded) -> "@" and its kind. A word that reads as more than one word, or as a word of another kind, is
    a mistake in that file."""
    found: dict[str, str] = {}
    if content.screening_concepts is None:
        return found
    for kind, words in content.screening_concepts.classes.items():
        for word in words:
            read = reader.words_for_head(word)
            if len(read) != 1 or found.setdefault(read[0], f"@{kind}") != f"@{kind}":
                raise ValueError(f"{CONCEPTS}: {word!r} reads as {' '.join(read)!r}, not as one word of one kind")
    return dict(sorted(found.items()))


def head_words(reader: Screener, text: str) -> list[str]:
    """A line's words as the head reads them when the screen meets it (a knot emoji among knot words as a knot)."""
    return reader.words_for_head(knots_as_knots(text))


def checksums(root: Path = ROOT) -> dict[str, str]:
    sums = {str(path): hashlib.sha256((root / path).read_bytes()).hexdigest()
            for path in (BANK, CONCEPTS, *DEVELOPMENT)}
    sums[OWN_WORDS] = hashlib.sha256("\n".join(own_words(root)).encode()).hexdigest()
    return sums


def cross_validate(content: Content, thresholds: Sequence[float] = (0.6, 0.64, 0.68, 0.72, 0.76, 0.8), *,
                   folds: int | None = None) -> list[str]:
    """How the whole screen would read lines its head never learned from: each development set in turn, scored by
    a head trained on the bank and the other sets, beside the rules; one line per threshold (clear / possible /
    false alarms). What the threshold in bank.yaml is chosen by. With `folds`, the sets are dealt into that many
    groups (set i into group i mod folds) and each group is read by one head trained once (one seed): a quicker
    look, with less learned per head."""
    assert content.screening_bank is not None
    reader = Screener(content.phrases, semantic=False)
    kinds_of = kinds(content, reader)
    rows: list[Labelled] = []
    fold: list[int] = []
    for part, path in enumerate(DEVELOPMENT):
        for row in read_corpus(ROOT / path):
            rows.append(row)
            fold.append(part if folds is None else part % folds)
    words = [head_words(reader, row.text) for row in rows]
    bank = ([head_words(reader, text) for text in content.screening_bank.crisis],
            [head_words(reader, text) for text in (*content.screening_bank.benign, *own_words())])
    read: dict[int, tuple[bool, float]] = {}  # line -> (a rule raised it, the head's score or -1)
    trainer = semantic.train_averaged if folds is None else semantic.train
    for part in range(len(DEVELOPMENT) if folds is None else folds):
        learn = [i for i in range(len(rows)) if fold[i] != part]
        weights, bias = trainer(
            bank[0] + [words[i] for i in learn if rows[i].level is not Level.NONE],
            bank[1] + [words[i] for i in learn if rows[i].level is Level.NONE], kinds=kinds_of)
        screener = Screener(content.phrases, ScreeningHead(trained_on={}, threshold=0.5, bias=bias, words=weights,
                                                           kinds=kinds_of))
        for i in (i for i in range(len(rows)) if fold[i] == part):
            verdict = screener.screen(rows[i].text)
            scores = [float(match.phrase) for match in verdict.matches if match.category == "semantic"]
            read[i] = (any(match.category != "semantic" for match in verdict.matches), scores[0] if scores else -1)
    out = []
    for threshold in thresholds:
        caught = {level: [0, 0] for level in Level}
        for i, row in enumerate(rows):
            ruled, score = read[i]
            caught[row.level][0] += ruled or score >= threshold
            caught[row.level][1] += 1
        rate = {level: hits / max(1, total) for level, (hits, total) in caught.items()}
        out.append(f"{threshold:.2f}: clear {rate[Level.CLEAR]:.1%}, possible {rate[Level.POSSIBLE]:.1%}, "
                   f"false alarms {rate[Level.NONE]:.1%}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    content = load_content(ROOT / "content")
    if content.screening_bank is None:
        print("train: content/safety/bank.yaml is missing", file=sys.stderr)
        return 2
    args = list(argv if argv is not None else sys.argv[1:])
    if args[:1] == ["--cross-validate"]:
        if args[1:] and (len(args) != 3 or args[1] != "--folds" or not args[2].isdigit() or int(args[2]) < 2):
            print("train: --cross-validate [--folds N], N at least 2", file=sys.stderr)
            return 2
        print("\n".join(cross_validate(content, folds=int(args[2]) if args[1:] else None)))
        return 0
    reader = Screener(content.phrases, semantic=False)
    dev = [row for path in DEVELOPMENT for row in read_corpus(ROOT / path)]
    crisis = [*content.screening_bank.crisis, *(row.text for row in dev if row.level is not Level.NONE)]
    benign = [*content.screening_bank.benign, *own_words(), *(row.text for row in dev if row.level is Level.NONE)]
    kinds_of = kinds(content, reader)
    words, bias = semantic.train_averaged([head_words(reader, text) for text in crisis],
                                          [head_words(reader, text) for text in benign], kinds=kinds_of)
    head = {"trained_on": checksums(), "threshold": content.screening_bank.threshold, "bias": bias, "words": words,
            "kinds": kinds_of}
    (ROOT / HEAD).write_text(json.dumps(head, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {HEAD}: {len(crisis)} crisis and {len(benign)} benign examples, {len(words)} words and pairs, "
          f"threshold {head['threshold']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
