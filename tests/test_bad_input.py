"""Whatever a person types, the bot answers briefly and kindly, and an open check-in stays where it was.

Each input is tried outside a check-in and at each step of an open daily check-in where it is not a
valid answer; afterwards the check-in still finishes normally. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content
from bot.storage.repository import Repository

REPLY_LIMIT = 400

SAFETY_PROMPT = "How emotionally safe did you feel today"
BOUNDARIES_PROMPT = "Which boundaries did you hold or try today?"
NOTE_PROMPT = "Anything you'd like to note for yourself?"

LONG_WORDS = "x" * 10_000
LONG_NUMBER = "9" * 10_000

COMMANDS = {
    "unknown-command": "/frobnicate",
    "slash-alone": "/",
    "long-command": "/" + LONG_WORDS,
    "long-command-args": "/checkin " + LONG_WORDS,
}
BLANK = {
    "empty": "",
    "spaces": "   ",
    "whitespace-mix": " \t \u00a0 ",
}
CONTROLS_ONLY = {
    "control-characters-only": "\x00\x07\x08\x1b\x7f",
    "bidi-controls-only": "\u202e\u2066\u2069",
}
NOT_A_CHOICE = {
    "long-line": LONG_WORDS,
    "long-number": LONG_NUMBER,
    "control-characters": "\x07\x1b[31mred\x1b[0m\x00",
    "emoji": "😀🫠",
    "right-to-left": "مرحبا بك",
    "bidi-override-text": "\u202eon guard\u202c",
    "zero": "0",
    "minus-one": "-1",
    "decimal": "3.5",
    "huge": "99999999999999999999",
    "superscript-two": "²",
    "none-with-another": "none today, asked for space",
}
# On the 1–5 scale, 6 and 9 are out of range too; on the seven-option list, 9 is.
SCALE_ONLY = {"six": "6", "nine": "9"}
MULTI_ONLY = {"nine": "9"}

OUTSIDE = {**COMMANDS, **BLANK, **CONTROLS_ONLY, **NOT_A_CHOICE, **SCALE_ONLY}
AT_SAFETY = {**COMMANDS, **BLANK, **CONTROLS_ONLY, **NOT_A_CHOICE, **SCALE_ONLY}
AT_BOUNDARIES = {**COMMANDS, **BLANK, **CONTROLS_ONLY, **NOT_A_CHOICE, **MULTI_ONLY}
# Any words are a valid note; only nothing at all, or too much, is not.
AT_NOTE = {**COMMANDS, **BLANK, **CONTROLS_ONLY, "long-line": LONG_WORDS, "long-number": LONG_NUMBER}


def cases(inputs: dict[str, str]) -> list[object]:
    return [pytest.param(line, id=name) for name, line in inputs.items()]


def assert_kind_and_short(out: str, content: Content, reshown_prompt: str = "") -> None:
    """Short, no traceback, no apology for a fault; a question shown again does not count to the length."""
    assert out.strip(), "every line gets an answer"
    assert "Traceback" not in out
    assert "Error" not in out
    assert content.texts.get("error") not in out
    assert "something went wrong" not in out.lower()
    said = out.split(reshown_prompt, 1)[0] if reshown_prompt else out
    assert len(said) < REPLY_LIMIT, f"{len(said)} characters:\n{said[:600]}"


async def open_step(repository: Repository, console: ConsoleAdapter) -> tuple[str | None, dict[str, object]]:
    session = await repository.open_session(await repository.identity_id(console.address))
    assert session is not None, "the check-in should still be open"
    return session.step_id, session.answers


async def finish(console: ConsoleAdapter, repository: Repository, content: Content,
                 answers: list[str]) -> None:
    out = ""
    for answer in answers:
        out = await console.respond(answer)
    assert content.texts.get("tip_footer") in out, f"the check-in should end with a tip:\n{out}"
    me = await repository.identity_id(console.address)
    assert await repository.open_session(me) is None
    assert await repository.checkin_count(me) == 1


@pytest.mark.parametrize("line", cases(OUTSIDE))
async def test_outside_a_checkin(line: str, console: ConsoleAdapter, repository: Repository,
                                 content: Content) -> None:
    out = await console.respond(line)
    assert_kind_and_short(out, content)
    me = await repository.identity_id(console.address)
    assert await repository.open_session(me) is None, "nothing typed outside starts a check-in"
    assert await repository.checkin_count(me) == 0

    out = await console.respond("/checkin")
    assert SAFETY_PROMPT in out
    await finish(console, repository, content, ["2", "1,3", "skip"])


@pytest.mark.parametrize("line", cases(AT_SAFETY))
async def test_at_the_safety_scale(line: str, console: ConsoleAdapter, repository: Repository,
                                   content: Content) -> None:
    await console.respond("/checkin")
    out = await console.respond(line)
    assert_kind_and_short(out, content, SAFETY_PROMPT)
    assert await open_step(repository, console) == ("safety", {})
    assert BOUNDARIES_PROMPT not in out
    await finish(console, repository, content, ["2", "1,3", "skip"])


@pytest.mark.parametrize("line", cases(AT_BOUNDARIES))
async def test_at_the_boundaries_list(line: str, console: ConsoleAdapter, repository: Repository,
                                      content: Content) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    out = await console.respond(line)
    assert_kind_and_short(out, content, BOUNDARIES_PROMPT)
    assert await open_step(repository, console) == ("boundaries", {"safety": 2})
    assert NOTE_PROMPT not in out
    await finish(console, repository, content, ["1,3", "skip"])


@pytest.mark.parametrize("line", cases(AT_NOTE))
async def test_at_the_note(line: str, console: ConsoleAdapter, repository: Repository,
                           content: Content) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    await console.respond("1,3")
    out = await console.respond(line)
    assert_kind_and_short(out, content, NOTE_PROMPT)
    assert await open_step(repository, console) == ("note", {"safety": 2, "boundaries": ["saying_no", "not_carrying"]})
    assert LONG_WORDS not in out
    await finish(console, repository, content, ["a few words"])


async def test_an_out_of_range_answer_is_explained(console: ConsoleAdapter) -> None:
    await console.respond("/checkin")
    assert "Could you pick a number from 1 to 5? Or type 'skip'." in await console.respond("6")
    await console.respond("2")
    out = await console.respond("9")
    assert "I couldn't match '9' to the list. Type a number from 1 to 7, or 'skip'." in out
    out = await console.respond("none today, asked for space")
    assert "'None today' goes on its own" in out


async def test_a_note_that_is_too_long_says_how_long_it_may_be(console: ConsoleAdapter) -> None:
    await console.respond("/checkin")
    await console.respond("skip")
    await console.respond("skip")
    out = await console.respond(LONG_WORDS)
    assert "That's 10000 characters, and I can keep up to 1500 here." in out
    assert "Nothing has been saved yet." in out


async def test_emoji_and_right_to_left_notes_are_kept_as_written(console: ConsoleAdapter,
                                                                 repository: Repository,
                                                                 content: Content) -> None:
    await console.respond("/checkin")
    await console.respond("3")
    await console.respond("skip")
    out = await console.respond("مرحبا 😀 שלום")
    assert content.texts.get("tip_footer") in out
    [checkin] = await repository.checkins(await repository.identity_id(console.address))
    assert checkin.has_note
