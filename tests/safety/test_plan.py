"""The personal safety plan (/plan) through the console, on SQLite and PostgreSQL: built one line per part,
seen, changed, shown first by /sos and the crisis reply, offered at calm moments at most once a week, exported,
erased, kept or purged with retention; and never readable in the database or in any log."""

from __future__ import annotations

import json
import logging
import random
import shutil
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content, ContentInvalid, load_content
from bot.content.schema import PlanFile
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.privacy.crypto import Cipher
from bot.privacy.retention import purge_expired_words
from bot.scheduling.store import ScheduleStore
from bot.storage.repository import Repository
from tests.conftest import CONTENT_DIR, FakeClock, met
from tests.fakes.screen import MAYBE_SELF, MarkerScreener
from tests.privacy.test_keys_and_logs import (  # noqa: F401 (every_log_record is a fixture)
    _bot,
    as_logged,
    every_log_record,
    postgres_dump,
    sqlite_bytes,
    stored_tokens,
)

SIGNS = "Quokka-marigold can't sleep; skipping meals"
COPING = "Lantern-pistachio walk by the canal; cold water on my face"
PEOPLE = "Tamarind-oboe my cousin Inez, 555 0199; Ana from work"
REASONS = "Juniper-walrus my cat"
PLAN_MARKERS = ("Quokka", "marigold", "Lantern-pistachio", "Tamarind", "Inez", "Juniper-walrus")
CLEAR = "I want to kill myself"  # the real screen: clear, about the writer


@pytest.fixture
def service(content: Content, repository: Repository, clock: FakeClock, schedules: ScheduleStore) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock,
                          schedules=schedules, default_country="US")


@pytest.fixture
async def fresh(service: Conversation, tmp_path: Path) -> ConsoleAdapter:
    """Someone who has not seen /help yet (so no offer was made to them)."""
    return ConsoleAdapter(service, "ana", interactive=False, files_dir=tmp_path / "exports")


async def say(console: ConsoleAdapter, *lines: str) -> str:
    return "".join([await console.respond(line) for line in lines])


async def build(console: ConsoleAdapter) -> str:
    """The issue's scripted plan, with the person's own words: parts 3, 5 and 6 skipped."""
    return await say(console, "/plan", SIGNS, COPING, "skip", PEOPLE, "skip", "skip", REASONS)


async def test_a_plan_is_built_one_line_per_part_with_parts_skipped(console: ConsoleAdapter, content: Content) -> None:
    out = await say(console, "/plan")
    assert "1 of 7" in out
    assert "can stay empty" in out
    for line, number in ((SIGNS, 2), (COPING, 3), ("skip", 4), (PEOPLE, 5)):
        out = await console.respond(line)
        assert f"{number} of 7" in out
    assert "988 Suicide & Crisis Lifeline" in out, "part 5 is pre-filled with the services of their country"
    out = await say(console, "skip")
    assert "6 of 7" in out
    assert "what means" not in out.casefold()
    assert "do you have" not in out.casefold()
    out = await say(console, "skip", REASONS)
    assert "Keep it until I delete it" in out, "asked when it is saved whether it outlives retention"

    out = await console.respond("/plan")
    assert out.index("can't sleep") < out.index("skipping meals") < out.index("walk by the canal")
    assert "my cousin Inez, 555 0199" in out
    assert "• Ana from work" in out
    assert out.count("(empty)") == 3, "parts 3, 5 and 6 stay empty"
    assert "follows the 365 days" in out, "without an answer, the plan follows retention"


async def test_the_scripted_plan_of_the_issue_saves_even_without_the_last_question(
        console: ConsoleAdapter, repository: Repository) -> None:
    await say(console, "/plan", "signs", "steps", "skip", "people", "skip", "skip", "skip")
    plan = await repository.plan(await repository.identity_id(console.address))
    assert plan is not None
    assert plan.parts == {"signs": ["signs"], "coping": ["steps"], "distractions": [], "people": ["people"],
                          "professionals": [], "surroundings": [], "reasons": []}
    assert plan.keep is False


async def test_examples_are_picked_by_number_beside_their_own_words(console: ConsoleAdapter,
                                                                    repository: Repository) -> None:
    out = await say(console, "/plan")
    assert "  1. can't sleep" in out, "the examples, numbered"
    assert "  2. pulling away from everyone" in out
    assert "numbers from the list and/or your own words" in out
    assert "For example" not in out
    out = await console.respond("1;3;Quokka-marigold walk the dog")
    assert "2 of 7" in out
    assert "  2. cold water on my face" in out
    await say(console, "2; 2 ;4", "skip", "988", "skip", "skip", "skip")
    plan = await repository.plan(await repository.identity_id(console.address))
    assert plan is not None
    assert plan.parts["signs"] == ["can't sleep", "after a fight at home", "Quokka-marigold walk the dog"]
    assert plan.parts["coping"] == ["cold water on my face", "a shower"], "a number picked twice is one item"
    assert plan.parts["people"] == ["988"], "a number beyond the examples is their own words"


async def test_keeping_it_and_the_pre_filled_services(console: ConsoleAdapter, repository: Repository) -> None:
    out = await say(console, "/plan", "skip", "skip", "skip", "skip", "ok", "skip", "skip", "1")
    assert "stays until you delete it" in out
    plan = await repository.plan(await repository.identity_id(console.address))
    assert plan is not None
    assert plan.keep
    assert any(item.startswith("988 Suicide & Crisis Lifeline") for item in plan.parts["professionals"])

    await say(console, "/plan edit 5", "my counsellor Dr Okafor; 988")
    plan = await repository.plan(await repository.identity_id(console.address))
    assert plan is not None
    assert plan.parts["professionals"] == ["my counsellor Dr Okafor", "988"]


async def test_editing_one_part_changes_only_that_part(console: ConsoleAdapter) -> None:
    await build(console)
    out = await say(console, "/plan edit coping")
    assert "2 of 7" in out
    out = await console.respond("a shower; my calm playlist")
    assert "Saved: Things I can do on my own." in out
    assert "• a shower" in out
    assert "walk by the canal" not in out
    assert "can't sleep" in out, "the other parts are as they were"
    assert "my cousin Inez" in out
    out = await console.respond("/plan edit the moon")
    assert "I don't know that part" in out


async def test_sos_shows_the_persons_own_plan_first(console: ConsoleAdapter) -> None:
    await build(console)
    out = await console.respond("/sos")
    assert out.index("From your own plan") < out.index("walk by the canal") < out.index("my cousin Inez") \
        < out.index("988 Suicide & Crisis Lifeline")
    assert "my cat" in out
    assert "can't sleep" not in out, "the warning signs are for noticing, not for this moment"
    assert "/plan starts it" not in out, "someone with a plan is not offered one"


async def test_the_crisis_reply_shows_the_plan_first_and_no_task(console: ConsoleAdapter, content: Content) -> None:
    await build(console)
    out = await console.respond(CLEAR)
    assert content.texts.get("crisis_title") in out
    assert out.index("walk by the canal") < out.index("my cousin Inez") < out.index("988 Suicide & Crisis Lifeline")


async def test_a_part_that_screens_clear_still_saves_and_gets_the_crisis_reply_with_it(
        console: ConsoleAdapter, content: Content, repository: Repository) -> None:
    await say(console, "/plan", "skip")
    out = await console.respond(f"{CLEAR}; call Ana")
    assert content.texts.get("crisis_title") in out
    assert "I saved what you wrote in your plan." in out
    assert out.index("call Ana") < out.index("988 Suicide & Crisis Lifeline")
    plan = await repository.plan(await repository.identity_id(console.address))
    assert plan is not None
    assert plan.parts["coping"] == [CLEAR, "call Ana"]
    out = await console.respond("/plan")
    assert "3 of 7" in out, "/plan picks up at the next part"


async def test_without_a_plan_sos_offers_one_once_a_week_and_never_in_a_crisis_reply(
        fresh: ConsoleAdapter, clock: FakeClock, content: Content) -> None:
    out = await fresh.respond("/sos")
    assert "988 Suicide & Crisis Lifeline" in out
    assert out.index("988") < out.index("/plan starts it"), "the helplines as today, then one line"
    assert "/plan starts it" not in await fresh.respond("/help"), "never twice in a week"
    clock.advance(days=6, hours=23)
    assert "/plan starts it" not in await fresh.respond("/sos")
    clock.advance(hours=2)
    assert "/plan starts it" in await fresh.respond("/help")

    clock.advance(days=8)
    out = await fresh.respond(CLEAR)
    assert content.texts.get("crisis_title") in out
    assert "/plan" not in out
    assert "/plan starts it" not in await fresh.respond("/sos"), "not during the pause after a crisis reply"


async def test_settings_makes_the_offer_at_its_end(fresh: ConsoleAdapter) -> None:
    out = await say(fresh, "/settings", "skip", "skip", "skip")
    assert "Saved." in out
    assert "/plan starts it" in out
    assert "/plan starts it" not in await say(fresh, "/settings", "skip", "skip", "skip")


async def test_export_has_the_plan_as_json_and_printable_text(console: ConsoleAdapter, tmp_path: Path) -> None:
    await build(console)
    out = await console.respond("/export")
    assert "safety-plan" in out
    [exported] = list((tmp_path / "exports").glob("*.json"))
    plan = json.loads(exported.read_text(encoding="utf-8"))["safety_plan"]
    assert plan["parts"]["people"] == ["Tamarind-oboe my cousin Inez, 555 0199", "Ana from work"]
    assert plan["keep_until_deleted"] is False
    [printable] = list((tmp_path / "exports").glob("*safety-plan*.txt"))
    text = printable.read_text(encoding="utf-8")
    assert "4. People I can ask for help" in text
    assert "   - Ana from work" in text


async def test_forget_and_delete_remove_the_plan(console: ConsoleAdapter, repository: Repository) -> None:
    await build(console)
    asked = await console.respond("/plan delete")
    assert "Delete your safety plan?" in asked
    assert "Yes, delete: /plan delete yes" in asked
    assert "Keep it: /plan delete keep" in asked
    assert await repository.plan(await repository.identity_id(console.address)) is not None, "nothing yet"
    assert "stays as it is" in await console.respond("/plan delete keep")
    assert await repository.plan(await repository.identity_id(console.address)) is not None
    assert "Your safety plan is deleted." in await console.respond("/plan delete yes")
    assert await repository.plan(await repository.identity_id(console.address)) is None
    assert "nothing to delete" in await console.respond("/plan delete")

    await build(console)
    erased = await say(console, "/forget", "1")
    assert "Everything I kept about you is erased" in erased
    assert "direct messages" not in erased, "a terminal has no messages of the bot's to remove"
    assert await repository.plan(await repository.identity_id(console.address)) is None
    out = await console.respond("/sos")
    assert "From your own plan" not in out


async def test_retention_purges_a_plan_unless_its_owner_kept_it(
        service: Conversation, repository: Repository, clock: FakeClock, tmp_path: Path) -> None:
    kept = await met(ConsoleAdapter(service, "kept", interactive=False, files_dir=tmp_path))
    follows = await met(ConsoleAdapter(service, "follows", interactive=False, files_dir=tmp_path))
    await say(kept, "/plan", "a", "b", "c", "d", "skip", "skip", "skip", "1")
    await say(follows, "/plan", "a", "b", "c", "d", "skip", "skip", "skip", "2")
    clock.advance(days=366)
    await purge_expired_words(repository, 365, clock=clock)
    assert await repository.plan(await repository.identity_id(kept.address)) is not None
    assert await repository.plan(await repository.identity_id(follows.address)) is None


@pytest.mark.storage
async def test_nothing_of_the_plan_is_readable_in_the_database(console: ConsoleAdapter, database_url: str,
                                                                raw_engine: AsyncEngine) -> None:
    await build(console)
    await say(console, "1", "/plan edit distractions", "Quokka-marigold the library")
    raw = sqlite_bytes(database_url) if database_url.startswith("sqlite") else postgres_dump(database_url)
    assert b"ana" in raw, "the bytes read do hold the stored rows"
    for marker in PLAN_MARKERS:
        assert marker.encode() not in raw, f"{marker!r} is readable in the stored bytes"
    assert len(await stored_tokens(raw_engine)) >= 1


async def test_nothing_of_the_plan_reaches_any_log(every_log_record: list[logging.LogRecord],  # noqa: F811
                                                   console: ConsoleAdapter) -> None:
    await build(console)
    await say(console, "/plan", "/plan edit people", PEOPLE, "/sos", "/export", CLEAR, "/plan delete",
              "/plan delete yes")
    assert any(record.levelno == logging.DEBUG for record in every_log_record)
    for record in every_log_record:
        logged = as_logged(record).casefold()
        for marker in PLAN_MARKERS:
            assert marker.casefold() not in logged, f"{marker!r} is in a log record of {record.name}"


def test_content_check_names_the_plan_file_and_line(tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, copy)
    plan = copy / "safety" / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("  - id: surroundings", "  - id: means"),
                    encoding="utf-8")
    with pytest.raises(ContentInvalid) as invalid:
        load_content(copy)
    assert any(error.path.endswith("safety/plan.yaml") and "the parts must be" in error.message
               for error in invalid.value.errors)


def test_content_check_refuses_a_plan_without_its_parts(content: Content) -> None:
    assert content.safety_plan is not None
    data = content.safety_plan.model_dump()
    data["parts"] = data["parts"][:5]
    with pytest.raises(ValidationError, match="the parts must be"):
        PlanFile.model_validate(data)
    data = content.safety_plan.model_dump()
    del data["texts"]["offer"]
    with pytest.raises(ValidationError, match="missing texts: offer"):
        PlanFile.model_validate(data)


def test_the_issues_scripted_plan_through_the_real_command_line(tmp_path: Path) -> None:
    """`printf '/plan\\nsigns\\nsteps\\nskip\\npeople\\nskip\\nskip\\nskip\\n' | make run`, then /plan in a new run."""
    data = tmp_path / "data"
    first = _bot("run", data_dir=data, stdin="/plan\nsigns\nsteps\nskip\npeople\nskip\nskip\nskip\n")
    assert first.returncode == 0, first.stderr
    assert "7 of 7" in first.stdout
    assert "Should your plan stay" in first.stdout
    second = _bot("run", data_dir=data, stdin="/plan\n/sos\n")
    assert second.returncode == 0, second.stderr
    assert "1. My warning signs\n   • signs\n2. Things I can do on my own\n   • steps" in second.stdout
    assert "4. People I can ask for help\n   • people" in second.stdout
    sos = second.stdout.split("People you can talk to now", 1)[1]
    assert sos.index("Things you can do: steps") < sos.index("People you can reach: people") < sos.index("•")


async def test_a_part_that_raises_the_direct_question_is_saved_after_no_im_ok(
        content: Content, repository: Repository, clock: FakeClock, tmp_path: Path) -> None:
    service = build_conversation(content, repository, clock=clock, default_country="US",
                             screener=MarkerScreener(content))
    console = await met(ConsoleAdapter(service, "bo", interactive=False, files_dir=tmp_path))
    await say(console, "/plan", "skip")
    out = await console.respond(f"{MAYBE_SELF}; music")
    assert "Are you thinking about ending your life" in out
    out = await console.respond("3")
    assert "3 of 7" in out, "No, I'm OK: the plan goes on where it was"
    plan = await repository.plan(await repository.identity_id(console.address))
    assert plan is not None
    assert plan.parts["coping"] == [MAYBE_SELF, "music"]


async def test_the_plan_is_read_with_the_new_key_alone_after_rotation(
        content: Content, sessions: async_sessionmaker[AsyncSession], clock: FakeClock, tmp_path: Path) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    before = Repository(sessions, Cipher([old]), clock)
    console = await met(ConsoleAdapter(build_conversation(content, before, clock=clock), "cy", interactive=False,
                                       files_dir=tmp_path))
    await build(console)
    me = await before.identity_id(console.address)
    assert await Repository(sessions, Cipher([new, old]), clock).rotate_keys() >= 1
    plan = await Repository(sessions, Cipher([new]), clock).plan(me)
    assert plan is not None
    assert plan.parts["reasons"] == ["Juniper-walrus my cat"]


async def test_starting_a_plan_sets_an_unfinished_checkin_aside_and_says_so(console: ConsoleAdapter) -> None:
    await say(console, "/checkin", "3")
    out = await console.respond("/plan")
    assert "1 of 7" in out
    assert "Daily check-in" in out.split("1 of 7")[0]
