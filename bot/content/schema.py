"""The shape of every content file. Pydantic lives here, at the edge where YAML comes in."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.messages import InputKind

TIP_BODY_MAX = 400
TIP_SCRIPT_MAX = 160
KEBAB = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
IDENT = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
END = "end"

Kebab = Annotated[str, Field(pattern=KEBAB, max_length=40)]
Ident = Annotated[str, Field(pattern=IDENT, max_length=24)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- tips and topics


class Topic(Strict):
    id: Kebab
    label: Annotated[str, Field(min_length=1, max_length=60)]
    description: Annotated[str, Field(min_length=1, max_length=100)]


class TopicsFile(Strict):
    topics: list[Topic]


class Tip(Strict):
    id: Kebab
    title: Annotated[str, Field(min_length=1, max_length=60)]
    body: Annotated[str, Field(min_length=1, max_length=TIP_BODY_MAX)]
    script: Annotated[str, Field(max_length=TIP_SCRIPT_MAX)] = ""
    tags: Annotated[list[Kebab], Field(min_length=1, max_length=4)]
    stage: Literal["first-step", "practice", "reinforce"] = "practice"


class TipsFile(Strict):
    tips: list[Tip]


# ---------------------------------------------------------------- flows


class Option(Strict):
    value: Ident
    label: Annotated[str, Field(min_length=1, max_length=80)]
    description: Annotated[str, Field(max_length=100)] = ""
    tags: list[Kebab] = []
    exclusive: bool = False


class Scale(Strict):
    min: int = 1
    max: int = 5
    labels: dict[int, Annotated[str, Field(max_length=40)]] = {}

    @model_validator(mode="after")
    def _range(self) -> Scale:
        if not 0 <= self.min < self.max <= 10:
            raise ValueError("a scale runs from min to max, within 0..10")
        for value in self.labels:
            if not self.min <= value <= self.max:
                raise ValueError(f"label for {value} is outside {self.min}..{self.max}")
        return self


class Condition(Strict):
    """All given parts must hold. `step` names an earlier step whose answer is tested."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    step: Ident
    any_of: list[str] = []
    at_most: int | None = None
    at_least: int | None = None
    answered: bool | None = None


class Branch(Strict):
    """Where a flow goes next: the first branch whose condition holds (or that has none)."""

    when: Condition | None = None
    goto: Ident


Field_ = Literal["safety", "boundaries", "note"]


class Step(Strict):
    id: Ident
    prompt: Annotated[str, Field(min_length=1, max_length=500)]
    help: Annotated[str, Field(max_length=300)] = ""
    input: InputKind
    options: list[Option] = []
    scale: Scale | None = None
    skippable: bool = True
    max_length: Annotated[int, Field(ge=1, le=4000)] = 1500
    placeholder: Annotated[str, Field(max_length=100)] = ""
    records: Field_ | None = None
    next: list[Branch] | Ident | None = None

    @model_validator(mode="after")
    def _inputs(self) -> Step:
        choice = self.input in (InputKind.SINGLE, InputKind.MULTI)
        if choice and len(self.options) < 2:
            raise ValueError("a choice step needs at least two options")
        if not choice and self.options:
            raise ValueError(f"options only go with single or multi input, not {self.input.value}")
        if self.input is InputKind.SCALE and self.scale is None:
            object.__setattr__(self, "scale", Scale())
        if self.input is not InputKind.SCALE and self.scale is not None:
            raise ValueError("scale only goes with scale input")
        values = [option.value for option in self.options]
        if len(values) != len(set(values)):
            raise ValueError("option values must be unique within a step")
        if "skip" in values:
            raise ValueError("'skip' is reserved for skipping a step")
        return self


class Outcome(Strict):
    """What a finished flow gives back. Each line is dropped when an answer it names was skipped."""

    kind: Literal["tip", "script", "summary", "settings", "forget", "plan"]
    title: Annotated[str, Field(max_length=80)] = ""
    lead: Annotated[str, Field(max_length=300)] = ""
    lead_when_low: Annotated[str, Field(max_length=300)] = ""
    lines: list[str] = []
    empty: Annotated[str, Field(max_length=300)] = ""
    closing: Annotated[str, Field(max_length=400)] = ""
    tip: bool = False
    tip_tags: list[Kebab] = []


class Flow(Strict):
    id: Ident
    name: Annotated[str, Field(pattern=IDENT, max_length=24)]
    title: Annotated[str, Field(min_length=1, max_length=60)]
    description: Annotated[str, Field(min_length=1, max_length=100)]
    intro: Annotated[str, Field(max_length=500)] = ""
    steps: Annotated[list[Step], Field(min_length=1)]
    outcome: Outcome

    @field_validator("steps")
    @classmethod
    def _unique_steps(cls, steps: list[Step]) -> list[Step]:
        ids = [step.id for step in steps]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"step ids must be unique: {', '.join(duplicates)}")
        if END in ids:
            raise ValueError(f"'{END}' is reserved for the end of a flow")
        return steps

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)


# ---------------------------------------------------------------- texts


class TextsFile(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True)

    texts: dict[str, str]

    @field_validator("texts")
    @classmethod
    def _placeholders(cls, texts: dict[str, str]) -> dict[str, str]:
        for key, value in texts.items():
            if not re.fullmatch(r"[a-z0-9_.]+", key):
                raise ValueError(f"text key {key!r} must be lowercase with dots or underscores")
            if not value.strip():
                raise ValueError(f"text {key!r} is empty")
        return texts


# ---------------------------------------------------------------- safety

PHRASE_CATEGORIES = ("explicit", "slang", "burden", "farewell", "method", "danger", "ambiguous", "idioms")
Phrase = Annotated[str, Field(min_length=2, max_length=80)]


class PhrasesFile(Strict):
    explicit: list[Phrase]
    slang: list[Phrase] = []
    burden: list[Phrase] = []
    farewell: list[Phrase] = []
    method: list[Phrase] = []
    danger: list[Phrase] = []
    ambiguous: list[Phrase] = []
    idioms: list[Phrase] = []

    def by_category(self) -> dict[str, list[str]]:
        return {category: list(getattr(self, category)) for category in PHRASE_CATEGORIES}


BankLine = Annotated[str, Field(min_length=3, max_length=400)]


class ScreeningBank(Strict):
    """Labelled examples the semantic layer's head is trained on when the screener is built."""

    threshold: float = Field(ge=0.5, lt=1.0)
    crisis: list[BankLine] = Field(min_length=20)
    benign: list[BankLine] = Field(min_length=20)


ConceptWord = Annotated[str, Field(pattern=r"^[^\s@]+$", max_length=40)]


class ScreeningConcepts(Strict):
    """Kinds of words the head also reads a word as (content/safety/concepts.yaml): a kind name, its words."""

    classes: dict[Annotated[str, Field(pattern=r"^[a-z]+$")], list[ConceptWord]] = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind_a_word(self) -> ScreeningConcepts:
        seen: dict[str, str] = {}
        for kind, words in self.classes.items():
            for word in words:
                if seen.setdefault(word.casefold(), kind) != kind:
                    raise ValueError(f"{word!r} is both {seen[word.casefold()]} and {kind}")
        return self


class ScreeningHead(Strict):
    """The semantic layer's trained head (written by `python -m bot.safety.train`, never by hand)."""

    trained_on: dict[str, str]  # file -> sha256 of what it was trained on
    threshold: float = Field(ge=0.5, lt=1.0)
    bias: float
    words: dict[str, float]  # the words and pairs of words it learned, with their weights
    kinds: dict[str, str] = {}  # a word as the head reads it -> the kind it is also read as ("@place")


HttpsUrl = Annotated[str, Field(pattern=r"^https://[^\s]+$", max_length=300)]


class Verified(Strict):
    source: HttpsUrl
    last_verified: date


class Emergency(Verified):
    number: Annotated[str, Field(max_length=20)]


class Service(Verified):
    name: Annotated[str, Field(min_length=1, max_length=80)]
    phone: Annotated[str, Field(max_length=30)] = ""
    text: Annotated[str, Field(max_length=30)] = ""
    text_keyword: Annotated[str, Field(max_length=20)] = ""
    chat: HttpsUrl | None = None
    hours: Annotated[str, Field(max_length=40)] = ""
    languages: list[str] = []
    kind: Literal["crisis", "abuse", "youth"] = "crisis"
    note: Annotated[str, Field(max_length=600)] = ""

    @model_validator(mode="after")
    def _reachable(self) -> Service:
        if not (self.phone or self.text or self.chat):
            raise ValueError(f"{self.name}: a service needs a phone, a text number or a chat address")
        return self


class Region(Strict):
    name: Annotated[str, Field(min_length=1, max_length=60)]
    emergency: Emergency
    services: Annotated[list[Service], Field(min_length=1, max_length=4)]


class ResourcesFile(Strict):
    countries: dict[Annotated[str, Field(pattern=r"^[A-Z]{2}$")], Region]
    fallback: Region


# ---------------------------------------------------------------- community: circles and pulses


class CircleTheme(Strict):
    """One weekly circle prompt: a boundary theme, a short framing and exactly one question."""

    id: Kebab
    title: Annotated[str, Field(min_length=1, max_length=60)]
    framing: Annotated[str, Field(min_length=1, max_length=300)]
    question: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^?]*\?$")]


class CareNotice(Strict):
    title: Annotated[str, Field(min_length=1, max_length=80)]
    body: Annotated[str, Field(min_length=1, max_length=1200)]

    @field_validator("body")
    @classmethod
    def _names_sos(cls, body: str) -> str:
        if "/sos" not in body:
            raise ValueError("the community-care notice must point to /sos")
        return body


class CirclesFile(Strict):
    themes: list[CircleTheme] = []
    care_notice: CareNotice | None = None


class PulseItem(Strict):
    id: Ident
    text: Annotated[str, Field(min_length=1, max_length=150)]
    reverse: bool = False


class PulseComment(Strict):
    prompt: Annotated[str, Field(min_length=1, max_length=300)]
    placeholder: Annotated[str, Field(max_length=100)] = ""
    max_length: Annotated[int, Field(ge=1, le=1000)] = 500


class PulseSet(Strict):
    """A set of agreement statements answered together, anonymously, once per round."""

    id: Kebab
    title: Annotated[str, Field(min_length=1, max_length=60)]
    intro: Annotated[str, Field(min_length=1, max_length=400)]
    scale: Scale
    items: Annotated[list[PulseItem], Field(min_length=2, max_length=10)]
    comment: PulseComment | None = None

    @model_validator(mode="after")
    def _shape(self) -> PulseSet:
        # Answers travel as one digit per item in button tokens, so points must be single digits.
        if self.scale.min < 1 or self.scale.max > 9:
            raise ValueError("a pulse scale runs within 1..9")
        missing = [point for point in range(self.scale.min, self.scale.max + 1) if point not in self.scale.labels]
        if missing:
            raise ValueError(f"every point of a pulse scale needs a label; missing: {missing}")
        ids = [item.id for item in self.items]
        if len(ids) != len(set(ids)):
            raise ValueError("pulse item ids must be unique")
        return self


# ---------------------------------------------------------------- the personal safety plan (/plan)

PLAN_PARTS = ("signs", "coping", "distractions", "people", "professionals", "surroundings", "reasons")
PLAN_TEXTS = ("prefilled", "prefilled_none", "keep_prompt", "keep_forever", "keep_retention", "saved",
              "saved_keep", "saved_retention", "part_saved", "view_title", "view_empty_part", "view_footer",
              "edit_lead", "edit_unknown", "deleted", "nothing_to_delete", "sos_lead", "sos_coping", "sos_people",
              "sos_reasons", "offer", "crisis_saved", "privacy", "delete_confirm", "delete_yes", "delete_keep",
              "delete_kept")


class PlanPart(Strict):
    id: Ident
    title: Annotated[str, Field(min_length=1, max_length=60)]
    prompt: Annotated[str, Field(min_length=1, max_length=400)]
    examples: Annotated[list[Annotated[str, Field(min_length=1, max_length=60)]], Field(max_length=6)] = []
    placeholder: Annotated[str, Field(max_length=100)] = ""
    prefilled: bool = False  # pre-filled from content/safety/resources.yaml for the person's country


class PlanFile(Strict):
    """content/safety/plan.yaml: the six parts of a safety plan and "what matters to me", in their order."""

    title: Annotated[str, Field(min_length=1, max_length=60)]
    intro: Annotated[str, Field(min_length=1, max_length=500)]
    how_to_answer: Annotated[str, Field(min_length=1, max_length=200)]
    parts: list[PlanPart]
    texts: dict[str, Annotated[str, Field(min_length=1, max_length=500)]]

    @model_validator(mode="after")
    def _complete(self) -> PlanFile:
        ids = tuple(part.id for part in self.parts)
        if ids != PLAN_PARTS:
            raise ValueError(f"the parts must be, in this order: {', '.join(PLAN_PARTS)}")
        missing = [key for key in PLAN_TEXTS if key not in self.texts]
        if missing:
            raise ValueError(f"missing texts: {', '.join(missing)}")
        if [part.id for part in self.parts if part.prefilled] != ["professionals"]:
            raise ValueError("only the professionals part is pre-filled (from resources.yaml)")
        return self
