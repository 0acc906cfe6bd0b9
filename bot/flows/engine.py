"""The pure flow engine: (flow, answers so far, an answer) -> the next step or the outcome.

No I/O and no clock here, so every rule of every flow can be tested as a plain function call.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.content.schema import END, Flow, Option, Step
from bot.messages import SKIP, Choice, InputKind, Question
from bot.text import clean_text, fold

Answer = int | str | list[str] | None
Answers = Mapping[str, Answer]

SKIP_WORDS = frozenset({SKIP, "pass", "skip it", "skip this", "next"})
YES_WORDS = frozenset({"yes", "y", "yeah", "yep", "yes please", "ok", "okay", "sure"})
NO_WORDS = frozenset({"no", "n", "nope", "no thanks", "not now"})


@dataclass(frozen=True)
class Resolved:
    """A valid answer (None means the person skipped the step)."""

    answer: Answer


@dataclass(frozen=True)
class Rejected:
    """Why an answer did not fit; `reason` is a text key, `fields` fill it in."""

    reason: str
    fields: dict[str, object] = field(default_factory=dict)


Resolution = Resolved | Rejected


def first_step(flow: Flow) -> str:
    return flow.steps[0].id


def question_for(flow: Flow, step: Step, session_id: str) -> Question:
    if step.input is InputKind.SCALE:
        assert step.scale is not None
        choices = tuple(
            Choice(str(value), str(value), step.scale.labels.get(value, ""))
            for value in range(step.scale.min, step.scale.max + 1)
        )
    else:
        choices = tuple(Choice(option.value, option.label, option.description) for option in step.options)
    return Question(
        session_id=session_id,
        step_id=step.id,
        kind=step.input,
        choices=choices,
        skippable=step.skippable,
        min_choices=1,
        max_choices=len(choices) if step.input is InputKind.MULTI else 1,
        max_length=step.max_length if step.input is InputKind.TEXT else 0,
        placeholder=step.placeholder,
    )


def _plain_number(word: str) -> int | None:
    """A typed whole number ("3"), or None; "-1", "3.5" and "²" are not answers to a numbered list."""
    stripped = word.strip().rstrip(".!)")
    return int(stripped) if re.fullmatch(r"[0-9]{1,6}", stripped) else None


def _looks_numeric(word: str) -> bool:
    return bool(re.fullmatch(r"\s*[-+]?[0-9.,]*[0-9][0-9.,]*\s*", word)) or any(
        unicodedata.category(ch) == "No" for ch in word)


def _match_option(options: Sequence[Option], word: str) -> Option | None:
    number = _plain_number(word)
    if number is not None:
        return options[number - 1] if 1 <= number <= len(options) else None
    if _looks_numeric(word):
        return None
    key = fold(word)
    if not key:
        return None
    for option in options:
        if key in (fold(option.value), fold(option.label)):
            return option
    return None


def _multi(step: Step, text: str) -> Resolution:
    whole = _match_option(step.options, text)
    if whole is not None:
        return _check_exclusive(step, [whole])
    parts = [p for p in re.split(r"[,;]+" if re.search(r"[,;]", text) else r"\s+", text) if p.strip()]
    picked: list[Option] = []
    for part in parts:
        option = _match_option(step.options, part)
        if option is None:
            return Rejected("invalid_choice", {"answer": part.strip()[:40], "count": len(step.options)})
        if option not in picked:
            picked.append(option)
    if not picked:
        return Rejected("invalid_choice", {"answer": text[:40], "count": len(step.options)})
    return _check_exclusive(step, picked)


def _check_exclusive(step: Step, picked: list[Option]) -> Resolution:
    exclusive = [option for option in picked if option.exclusive]
    if exclusive and len(picked) > 1:
        return Rejected("exclusive_choice", {"label": exclusive[0].label})
    order = [option.value for option in step.options]
    return Resolved(sorted((option.value for option in picked), key=order.index))


def resolve_text(step: Step, raw: str) -> Resolution:
    """A typed answer, read the way a person means it: a number, a value, a label, or 'skip'."""
    text = clean_text(raw)
    if step.skippable and fold(text) in SKIP_WORDS:
        return Resolved(None)
    if step.input is InputKind.TEXT:
        if not text.strip():
            return Rejected("invalid_text_empty")
        if len(text) > step.max_length:
            return Rejected("too_long", {"limit": step.max_length, "length": len(text)})
        return Resolved(text.strip())
    if not text.strip():
        return Rejected("invalid_empty_choice" if step.input is not InputKind.SCALE else "invalid_scale",
                        _scale_fields(step))
    if step.input is InputKind.SCALE:
        return _scale(step, text)
    if step.input is InputKind.SINGLE:
        option = _match_option(step.options, text) or _yes_or_no(step, text)
        if option is not None:
            return Resolved(option.value)
        if _is_yes_no(step):
            return Rejected("invalid_yes_no")
        if fold(text) in SKIP_WORDS:
            return Rejected("not_skippable")
        return Rejected("invalid_choice" if step.skippable else "invalid_choice_no_skip",
                        {"answer": text.strip()[:40], "count": len(step.options)})
    return _multi(step, text)


def _is_yes_no(step: Step) -> bool:
    """A question whose two options start "Yes" and "No": it takes yes and no as answers."""
    firsts = [fold(re.split(r"[\s,]", option.label, maxsplit=1)[0]) for option in step.options]
    return firsts == ["yes", "no"]


def _yes_or_no(step: Step, text: str) -> Option | None:
    if not _is_yes_no(step):
        return None
    word = fold(text).rstrip(".!")
    return step.options[0] if word in YES_WORDS else step.options[1] if word in NO_WORDS else None


def _scale_fields(step: Step) -> dict[str, object]:
    scale = step.scale
    return {"min": scale.min, "max": scale.max} if scale else {}


def _scale(step: Step, text: str) -> Resolution:
    assert step.scale is not None
    value = _plain_number(text)
    if value is None and not _looks_numeric(text):
        key = fold(text)
        value = next((number for number, label in step.scale.labels.items() if fold(label) == key), None)
    if value is None or not step.scale.min <= value <= step.scale.max:
        return Rejected("invalid_scale", _scale_fields(step))
    return Resolved(value)


def resolve_values(step: Step, values: Sequence[str]) -> Resolution:
    """A click: values come from our own buttons, but are checked as strictly as typed text."""
    if not values:
        return Rejected("invalid_choice", {"answer": "", "count": len(step.options)})
    if values == [SKIP] or tuple(values) == (SKIP,):
        return Resolved(None) if step.skippable else Rejected("not_skippable")
    if step.input is InputKind.TEXT:  # examples picked from a select: one item a line
        return resolve_text(step, "\n".join(values))
    if step.input is InputKind.SCALE:
        return _scale(step, values[0]) if len(values) == 1 else Rejected("invalid_scale", _scale_fields(step))
    by_value = {option.value: option for option in step.options}
    picked = [by_value.get(value) for value in values]
    if any(option is None for option in picked):
        return Rejected("invalid_choice", {"answer": "", "count": len(step.options)})
    chosen = list({option.value: option for option in picked if option is not None}.values())
    if step.input is InputKind.SINGLE:
        return Resolved(chosen[0].value) if len(chosen) == 1 else Rejected("one_choice")
    return _check_exclusive(step, chosen)


def _holds(answer: Answer, rule_any_of: list[str], at_most: int | None, at_least: int | None,
           answered: bool | None) -> bool:
    if answered is not None and (answer is not None) != answered:
        return False
    if rule_any_of:
        given = answer if isinstance(answer, list) else [] if answer is None else [str(answer)]
        if not set(given) & set(rule_any_of):
            return False
    if at_most is not None and not (isinstance(answer, int) and answer <= at_most):
        return False
    return at_least is None or (isinstance(answer, int) and answer >= at_least)


def next_step(flow: Flow, step: Step, answers: Answers) -> str | None:
    """The id of the step after `step`, or None when the flow is done."""
    target: str | None = None
    if isinstance(step.next, str):
        target = step.next
    elif isinstance(step.next, list):
        for branch in step.next:
            when = branch.when
            if when is None or _holds(answers.get(when.step), when.any_of, when.at_most, when.at_least,
                                      when.answered):
                target = branch.goto
                break
    else:
        index = flow.steps.index(step)
        target = flow.steps[index + 1].id if index + 1 < len(flow.steps) else END
    return None if target in (None, END) else target


# ---------------------------------------------------------------- outcome


@dataclass(frozen=True)
class FlowResult:
    """What a finished flow's answers add up to: the lines to show, and the tags and numbers a tip and the
    history read."""

    lines: tuple[str, ...]
    tags: tuple[str, ...]
    safety: int | None
    boundaries: tuple[str, ...]
    note: str | None


def _mid_sentence(text: str) -> str:
    """Keyboards and labels capitalise a first word; mid-sentence it reads lower case. Only a plain
    capitalised word is lowered: "I", "I'm", "NHS" and "McKay" keep theirs (a name at the start does not)."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[0].isupper() and first[1:].islower() and first.split("'")[0] != "I":
        return text[0].lower() + text[1:]
    return text


def _describe(step: Step, answer: Answer) -> str:
    if isinstance(answer, list):
        labels = [_mid_sentence(option.label) for option in step.options if option.value in answer]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
    if step.input is InputKind.SINGLE:
        return next((_mid_sentence(option.label) for option in step.options if option.value == answer), str(answer))
    return str(answer)


# A sentence that already says "I need", "I'll" or "I feel" before the person's words drops the same opening
# from their answer, however they phrased it: "I will put my phone away" -> "If it happens again, I'll put my
# phone away", not "I'll I will put ...".
_REPEATED_OPENINGS = (
    (re.compile(r"\bneed(?: is)?$", re.IGNORECASE),
     re.compile(r"^(?:i|we)(?:\s+really|\s+just|\s+would|'d)*\s+needs?\s+(?:is\s+)?", re.IGNORECASE)),
    (re.compile(r"\bI'll$", re.IGNORECASE),
     re.compile(r"^(?:i\s*(?:'ll|will|would|'d|shall|can|could|might|(?:am|'m) (?:going to|gonna))"
                r"|we\s*(?:'ll|will))\s+", re.IGNORECASE)),
    (re.compile(r"\bfeel$", re.IGNORECASE),
     re.compile(r"^(?:(?:i|it makes me|that makes me|makes me)\s+(?:feel|felt)|i\s*(?:'m|am)(?:\s+feeling)?|feeling"
                r"|i\s+get)\s+", re.IGNORECASE)),
)
_NEED_SOMEONE = re.compile(r"^(?:her|him|them|you|us|me)\s+to\b", re.IGNORECASE)


def _fit_into(template: str, name: str, text: str) -> str:
    """Fit a person's own words into a sentence: drop a repeated lead-in and the final full stop."""
    text = " ".join(text.replace("\u2019", "'").split()).rstrip(" .!;,")
    before = template.split("{" + name + "}", 1)[0]
    text = _drop_lead_in(before, text)
    lead = before.rstrip()
    for ends, opening in _REPEATED_OPENINGS:
        if ends.search(lead):
            text = opening.sub("", text, count=1)
    if lead.endswith("need is") and _NEED_SOMEONE.match(text):
        text = "for " + text  # "What I need is her to ask" -> "What I need is for her to ask"
    return _mid_sentence(text)


def _drop_lead_in(before: str, text: str) -> str:
    """The words the prompt offered as a sentence start ("What I need is…"), typed out again: dropped."""
    lead_words = re.findall(r"[A-Za-z']+", before)
    for size in range(len(lead_words), 0, -1):
        pattern = r"[\s,;:.…\"“”]*".join(re.escape(word) for word in lead_words[-size:])
        found = re.match(r"[\s\"“…]*" + pattern + r"[\s,;:.…\"“”]+", text, flags=re.IGNORECASE)
        if found:
            return text[found.end():]
    return text


def build_outcome(flow: Flow, answers: Answers) -> FlowResult:
    tags: list[str] = []
    safety: int | None = None
    boundaries: tuple[str, ...] = ()
    note: str | None = None
    steps = {step.id: step for step in flow.steps}
    for step in flow.steps:
        answer = answers.get(step.id)
        if answer is None:
            continue
        chosen = answer if isinstance(answer, list) else [answer] if isinstance(answer, str) else []
        for option in step.options:
            if option.value in chosen:
                tags.extend(tag for tag in option.tags if tag not in tags)
        if step.records == "safety" and isinstance(answer, int):
            safety = answer
        elif step.records == "boundaries" and isinstance(answer, list):
            boundaries = tuple(answer)
        elif step.records == "note" and isinstance(answer, str):
            note = answer
    tags.extend(tag for tag in flow.outcome.tip_tags if tag not in tags)

    lines: list[str] = []
    own_words = False
    for template in flow.outcome.lines:
        names = [name for _, name, _, _ in string.Formatter().parse(template) if name]
        if any(answers.get(name) is None for name in names):
            continue
        own_words = own_words or bool(names)
        values = {}
        for name in names:
            described = _describe(steps[name], answers[name])
            values[name] = _fit_into(template, name, described) if steps[name].input is InputKind.TEXT \
                else described
        line = template.format(**values)
        lines.append(line[0].upper() + line[1:] if line else line)
    # Lines with no answer in them (a closing question, say) only stand beside the person's own words.
    kept = tuple(lines) if own_words else ()
    return FlowResult(kept, tuple(tags), safety, boundaries, note)
