"""The learned head reads words of a known kind (content/safety/concepts.yaml) as their kind too, so what it learned
of one word carries over to the others of its kind; the kinds file is checked like any other content."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from bot.content.loader import Content
from bot.content.schema import ScreeningConcepts
from bot.safety import semantic
from bot.safety.screening import Screener
from bot.safety.semantic import Head
from bot.safety.train import kinds, main


def _head(kinds_of: dict[str, str]) -> Head:
    crisis = [line.split() for line in ("going to the bridge tonight", "walking off the bridge on sunday",
                                        "the bridge at dawn and that is it")]
    benign = [line.split() for line in ("going to the shop tonight", "walking to the shop on sunday",
                                        "the shop at dawn for bread and that is it")]
    weights, bias = semantic.train(crisis, benign, kinds=kinds_of)
    return Head(weights, bias, threshold=0.5, kinds=kinds_of)


def test_a_place_the_head_never_learned_is_read_like_the_places_of_its_kind() -> None:
    message = ["going", "to", "the", "viaduct", "tonight"]
    with_kinds = _head({"bridge": "@place", "viaduct": "@place"}).probability(message)
    without = _head({}).probability(message)
    assert with_kinds > without + 0.05
    shop = ["going", "to", "the", "shop", "tonight"]
    assert _head({"bridge": "@place", "viaduct": "@place"}).probability(shop) < 0.5


def test_the_shipped_head_reads_the_kinds_file_as_it_stands(content: Content) -> None:
    assert content.screening_head is not None
    reader = Screener(content.phrases, semantic=False)
    assert content.screening_head.kinds == kinds(content, reader), "run: python -m bot.safety.train"
    assert content.screening_head.kinds["quarry"] == "@place"


@pytest.mark.parametrize("classes", [{"place": ["bridge", "car park"]}, {"place": ["bridge"], "water": ["Bridge"]},
                                     {"Place": ["bridge"]}, {"place": ["@bridge"]}])
def test_a_kinds_file_with_two_words_in_one_entry_or_one_word_in_two_kinds_is_refused(
        classes: dict[str, list[str]]) -> None:
    with pytest.raises(ValidationError):
        ScreeningConcepts(classes=classes)


def test_a_kind_word_the_screen_reads_as_two_words_is_a_mistake_in_the_file(content: Content) -> None:
    broken = dataclasses.replace(content, screening_concepts=ScreeningConcepts(classes={"place": ["car-park"]}))
    with pytest.raises(ValueError, match="car-park"):
        kinds(broken, Screener(content.phrases, semantic=False))


@pytest.mark.parametrize("args", [["--cross-validate", "--folds"], ["--cross-validate", "--folds", "1"],
                                  ["--cross-validate", "--folds", "six"], ["--cross-validate", "6"]])
def test_cross_validation_refuses_a_fold_count_it_cannot_use(args: list[str],
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    assert "--folds N" in capsys.readouterr().err
