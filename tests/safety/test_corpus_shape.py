"""The crisis-screen eval corpus keeps its shape: known fields and values, no repeats, every kind in both halves,
and the later sets (dev2 to dev47, fresh to fresh24, looks_back, looks_back2) hold only the kinds the halves define
and nothing from the test half or the hold-out set."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "corpus"
HALVES = ("dev", "test")
FILES = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev13",
         "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23", "dev24", "dev25",
         "dev26", "dev27", "dev28", "dev29", "dev30", "dev31", "dev32",
         "dev33", "dev34", "dev35", "dev36", "dev37", "dev38", "dev39", "dev40", "dev41", "dev42",
         "dev43", "dev44", "dev45", "dev46", "dev47", "test", "fresh",
         "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10", "fresh11",
         "fresh12", "fresh13", "fresh14", "fresh15", "fresh16", "fresh17", "fresh18", "fresh19",
         "fresh20", "fresh21", "fresh22", "fresh23", "fresh24", "looks_back", "looks_back2")
HOLDOUT = Path(__file__).resolve().parent / "holdout" / "holdout.jsonl"
ALLOWED = {
    "level": {"clear", "possible", "none"},
    "about": {"self", "someone_else", "harm_from_others"},
    "lang": {"en", "de", "es", "fr", "pt", "nl"},
}


def _rows(half: str) -> list[dict[str, str]]:
    lines = (CORPUS / f"{half}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("half", FILES)
def test_every_line_has_the_fields_and_allowed_values(half: str) -> None:
    for row in _rows(half):
        assert set(row) == {"text", "kind", "level", "about", "lang"}, row
        assert isinstance(row["text"], str), row
        assert row["text"].strip(), row
        assert isinstance(row["kind"], str), row
        assert row["kind"], row
        for field, allowed in ALLOWED.items():
            assert row[field] in allowed, row
        if row["level"] == "none":
            assert row["about"] == "self", row


def test_no_text_appears_twice_within_or_across_halves() -> None:
    texts = Counter(" ".join(row["text"].casefold().split()) for half in FILES for row in _rows(half))
    assert [text for text, count in texts.items() if count > 1] == []


@pytest.mark.parametrize(("later", "size"),
                         [("dev2", 1000), ("dev3", 2000), ("dev4", 1700), ("dev5", 1900), ("dev6", 2600),
                          ("dev7", 1700), ("dev8", 2000), ("dev9", 2500), ("dev10", 1700), ("dev11", 1700),
                          ("dev12", 1890), ("dev13", 2600), ("dev14", 2600), ("dev15", 1740), ("dev16", 1740),
                          ("dev17", 1740), ("dev18", 1740), ("dev19", 1740), ("dev20", 1740), ("dev21", 1740),
                          ("dev22", 1150), ("dev23", 1150), ("dev24", 550), ("dev25", 820), ("dev26", 870),
                          ("dev27", 550), ("dev28", 990), ("dev29", 550), ("dev30", 490), ("dev31", 540),
                          ("dev32", 550), ("dev33", 820), ("dev34", 490), ("dev35", 820),
                          ("dev36", 780), ("dev37", 490), ("dev38", 490), ("dev39", 540), ("dev40", 565),
                          ("dev41", 255), ("dev42", 540), ("dev43", 545), ("dev44", 490), ("dev45", 570),
                          ("dev46", 255), ("dev47", 540),
                          ("fresh", 600), ("fresh2", 600), ("fresh3", 600), ("fresh4", 590), ("fresh5", 590),
                          ("fresh6", 590), ("fresh7", 590), ("fresh8", 590), ("fresh9", 590), ("fresh10", 590),
                          ("fresh11", 580), ("fresh12", 580), ("fresh13", 580), ("fresh14", 580), ("fresh15", 580),
                          ("fresh16", 580), ("fresh17", 580), ("fresh18", 580), ("fresh19", 575),
                          ("fresh20", 585), ("fresh21", 575), ("fresh22", 565), ("fresh23", 565),
                          ("fresh24", 575), ("looks_back", 565), ("looks_back2", 485)])
def test_the_later_development_sets_share_nothing_with_the_hold_out_set_and_only_known_kinds(later: str,
                                                                                            size: int) -> None:
    held = {" ".join(json.loads(line)["text"].casefold().split())
            for line in HOLDOUT.read_text(encoding="utf-8").splitlines()}
    shared = sum(" ".join(row["text"].casefold().split()) in held for row in _rows(later))
    assert shared == 0  # a count, never the lines: the hold-out set is only ever scored
    assert {row["kind"] for row in _rows(later)} <= {row["kind"] for row in _rows("dev")}
    assert len(_rows(later)) >= size


def test_each_kind_is_in_both_halves_and_the_corpus_is_big_enough() -> None:
    kinds = {half: Counter(row["kind"] for row in _rows(half)) for half in HALVES}
    assert set(kinds["dev"]) == set(kinds["test"])
    assert len(kinds["dev"]) >= 20
    assert sum(len(_rows(half)) for half in HALVES) >= 1000
