"""A pulse form in pages, for platforms whose private form is a message of its own (a select per statement, four
statements a page, then one row of buttons): which page shows what, what each control carries, and what a
click on one means. The picks ride in the controls' own tokens ("<round>.<digits>", "_" for a statement not
answered yet), so nothing of a half-filled form is stored anywhere; opened again, the form starts empty.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.community.pulses import JOIN_STEP, PULSE_SESSION, PulseForm
from bot.content.loader import Texts
from bot.messages import Choice, make_token, parse_token

PER_PAGE = 4
ITEM_STEP = "f"  # f<n>: the select of statement n
PAGE_STEP = "fp"  # fp<n>: go to page n
SEND_STEP = "fs"
COMMENT_STEP = "fc"  # opens the box for the comment
MODAL_STEP = "fm"  # the box for the comment itself
UNANSWERED = "_"


@dataclass(frozen=True)
class FormToken:
    step: str
    round_id: str
    digits: str  # one character per statement: the picked point, or "_"


def read_token(custom_id: str) -> FormToken | None:
    """A pulse form control's token (Join included, with empty digits), or None for anything else."""
    parsed = parse_token(custom_id)
    if parsed is None or parsed.session_id != PULSE_SESSION:
        return None
    if parsed.step_id == JOIN_STEP:
        return FormToken(JOIN_STEP, parsed.value, "") if parsed.value else None
    steps = (PAGE_STEP, SEND_STEP, COMMENT_STEP, MODAL_STEP, ITEM_STEP)
    step = next((s for s in steps if parsed.step_id.startswith(s)), None)
    round_id, dot, digits = parsed.value.partition(".")
    if step is None or not dot or not round_id or not digits \
            or not all(ch.isdigit() or ch == UNANSWERED for ch in digits):
        return None
    return FormToken(parsed.step_id, round_id, digits)


def scores_of(digits: str) -> list[int | None]:
    return [int(ch) if ch.isdigit() else None for ch in digits]


def missing(digits: str) -> list[int]:
    """The statements (numbered from 1) without an answer yet."""
    return [number for number, score in enumerate(scores_of(digits), start=1) if score is None]


def page_count(items: int) -> int:
    return max(1, -(-items // PER_PAGE))


def page_of(number: int) -> int:
    return (number - 1) // PER_PAGE + 1


def comment_token(form: PulseForm, digits: str) -> str:
    """The token of the box the comment is written in: it carries the answers picked so far."""
    return make_token(PULSE_SESSION, MODAL_STEP, f"{form.round_id}.{digits}")


@dataclass(frozen=True)
class Click:
    """What a click on the form asks for: show `page` with `digits`, send, or open the comment box."""

    action: str  # "join", "show", "send" or "comment"
    digits: str
    page: int = 1


def clicked(token: FormToken, values: Sequence[str]) -> Click:
    """A click on a form control, read from its token and, for a select, the point picked."""
    rest = token.step.removeprefix(PAGE_STEP if token.step.startswith(PAGE_STEP) else ITEM_STEP)
    number = int(rest) if rest.isdigit() else 0
    if token.step == JOIN_STEP:
        return Click("join", token.digits)
    if token.step in (SEND_STEP, COMMENT_STEP):
        return Click("send" if token.step == SEND_STEP else "comment", token.digits)
    if token.step.startswith(PAGE_STEP):
        return Click("show", token.digits, number)
    digits = token.digits
    if 1 <= number <= len(digits) and values and len(values[0]) == 1 and values[0].isdigit():
        digits = digits[:number - 1] + values[0] + digits[number:]
    return Click("show", digits, page_of(max(number, 1)))


@dataclass(frozen=True)
class Statement:
    """One statement's select: its number and words, its token, the scale, and the point picked ("_": none)."""

    number: int
    text: str
    token: str
    scale: tuple[Choice, ...]
    picked: str


@dataclass(frozen=True)
class PageButton:
    label: str
    token: str
    primary: bool


@dataclass(frozen=True)
class Page:
    """One page of the form: the title, the intro and notes (first page), its statements, the comment's prompt
    (last page, when the round takes one), a note (which statements still need an answer), the page count line,
    and the buttons (Back / Next, or Send and "Send with a comment" on the last page)."""

    title: str
    intro: str
    notes: tuple[str, ...]
    statements: tuple[Statement, ...]
    comment_prompt: str
    note: str
    footer: str
    buttons: tuple[PageButton, ...]


def page(texts: Texts, form: PulseForm, digits: str, number: int, note: str = "") -> Page:
    total = len(form.items)
    pages = page_count(total)
    number = min(max(number, 1), pages)
    first, last = (number - 1) * PER_PAGE + 1, min(number * PER_PAGE, total)
    value = f"{form.round_id}.{digits}"
    statements = tuple(Statement(n, form.items[n - 1], make_token(PULSE_SESSION, f"{ITEM_STEP}{n}", value),
                                 form.scale, digits[n - 1]) for n in range(first, last + 1))
    buttons: list[PageButton] = []
    if number > 1:
        buttons.append(PageButton(texts.get("pulse_form_back"),
                                  make_token(PULSE_SESSION, f"{PAGE_STEP}{number - 1}", value), False))
    if number < pages:
        buttons.append(PageButton(texts.get("pulse_form_next"),
                                  make_token(PULSE_SESSION, f"{PAGE_STEP}{number + 1}", value), True))
    else:
        buttons.append(PageButton(texts.get("send"), make_token(PULSE_SESSION, SEND_STEP, value), True))
        if form.comment is not None:
            buttons.append(PageButton(texts.get("pulse_form_send_comment"),
                                      make_token(PULSE_SESSION, COMMENT_STEP, value), False))
    return Page(form.title, form.intro if number == 1 else "", form.notes if number == 1 else (), statements,
                form.comment.prompt if number == pages and form.comment is not None else "", note,
                texts.get("pulse_form_page", first=first, last=last, total=total), tuple(buttons))


def missing_page(texts: Texts, form: PulseForm, digits: str, numbers: Sequence[int]) -> Page:
    """The page of the first statement still without an answer, saying which ones are open."""
    note = texts.get("pulse_form_missing", numbers=", ".join(map(str, numbers)))
    return page(texts, form, digits, page_of(numbers[0]), note=note)
