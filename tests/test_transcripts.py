"""Check-ins end to end through the console: type a line, read what the terminal prints.

Every test runs on SQLite and on PostgreSQL (the `database_url` fixture behind `repository`).
"""

from __future__ import annotations

import re

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content
from bot.content.schema import Tip
from bot.conversation import Conversation, build_conversation
from bot.events import ChoicePicked, Command
from bot.messages import Address, Question, Reply
from bot.privacy.crypto import Cipher
from bot.storage.database import make_engine, make_sessionmaker
from bot.storage.repository import Repository
from tests.conftest import FakeClock, met

TITLE = re.compile(r"^─── (.+) ───$", re.MULTILINE)

SAFETY_PROMPT = "How emotionally safe did you feel today"
BOUNDARIES_PROMPT = "Which boundaries did you hold or try today?"
NOTE_PROMPT = "Anything you'd like to note for yourself?"
LOW_LEAD = "It sounds like today asked a lot of you."


def squash(text: str) -> str:
    return " ".join(text.split())


def shown_tip(out: str, content: Content) -> Tip:
    """The tip the output ends with, looked up in the content by the title the person saw."""
    titles = TITLE.findall(out)
    assert titles, f"no titled reply in:\n{out}"
    matches = [tip for tip in content.tips if tip.title == titles[-1]]
    assert len(matches) == 1, f"the last title {titles[-1]!r} is not the title of exactly one tip:\n{out}"
    tip = matches[0]
    tail = out.rsplit(f"─── {tip.title} ───", 1)[1]
    assert squash(tip.body) in squash(tail)
    if tip.script:
        assert f"“{tip.script}”" in tail
    assert tail.strip().endswith(content.texts.get("tip_footer")), "the output should end with the tip"
    return tip


def tags_of(content: Content, flow_id: str, step_id: str, values: set[str]) -> set[str]:
    step = content.flows[flow_id].step(step_id)
    assert step is not None
    return {tag for option in step.options if option.value in values for tag in option.tags}


def question_of(replies: list[Reply]) -> Question:
    question = replies[-1].question
    assert question is not None, f"expected a question, got {replies!r}"
    return question


def text_of(replies: list[Reply]) -> str:
    return "\n".join(f"{reply.title}\n{reply.text}\n{reply.script}" for reply in replies)


async def identity(repository: Repository, console: ConsoleAdapter) -> int:
    return await repository.identity_id(console.address)


# ---------------------------------------------------------------- the daily check-in


async def test_daily_checkin_ends_with_a_tip_that_fits_a_low_score_and_the_boundaries_held(
    console: ConsoleAdapter, content: Content, repository: Repository
) -> None:
    out = await console.respond("/checkin")
    assert "Daily check-in" in out
    assert SAFETY_PROMPT in out
    assert "  2. Mostly on guard" in out

    out = await console.respond("2")
    assert BOUNDARIES_PROMPT in out
    assert "  3. Didn't carry someone else's feelings" in out

    out = await console.respond("1,3")
    assert NOTE_PROMPT in out

    out = await console.respond("skip")
    assert LOW_LEAD in out
    tip = shown_tip(out, content)
    assert tip.script, "a daily check-in should end with a line the person can say"
    assert re.search(r"\n    “[^”]+”\n", out), "the script line is set apart and quoted"
    chosen = tags_of(content, "daily", "boundaries", {"saying_no", "not_carrying"})
    assert set(tip.tags) & chosen, f"tip {tip.id} {tip.tags} has nothing to do with {chosen}"
    # A boundary was held today, so the tip helps it hold again rather than starting from scratch.
    assert tip.stage == "reinforce"

    me = await identity(repository, console)
    [checkin] = await repository.checkins(me)
    assert (checkin.safety_score, checkin.boundaries, checkin.has_note) == (2, ("saying_no", "not_carrying"), False)
    assert checkin.tip_id == tip.id
    assert await repository.open_session(me) is None


async def test_daily_checkin_answered_by_label(console: ConsoleAdapter, content: Content,
                                               repository: Repository) -> None:
    await console.respond("/checkin")
    out = await console.respond("Mostly on guard")
    assert BOUNDARIES_PROMPT in out
    out = await console.respond("Asked for space")
    assert NOTE_PROMPT in out
    out = await console.respond("skip")
    tip = shown_tip(out, content)
    assert "space" in tip.tags
    [checkin] = await repository.checkins(await identity(repository, console))
    assert (checkin.safety_score, checkin.boundaries) == (2, ("asked_space",))


async def test_very_low_score_with_nothing_held_gets_a_gentle_sos_line_not_a_tip(console: ConsoleAdapter,
                                                                                content: Content) -> None:
    await console.respond("/checkin")
    await console.respond("1")
    await console.respond("None today")
    out = await console.respond("skip")
    assert content.texts.get("unsafe_day") in out
    assert LOW_LEAD not in out
    assert content.texts.get("tip_footer") not in out
    assert not any(f"─── {tip.title} ───" in out for tip in content.tips)


# ---------------------------------------------------------------- the other flows


async def test_weekly_reflection_sums_up_the_week_and_offers_a_fitting_tip(console: ConsoleAdapter,
                                                                           content: Content) -> None:
    out = await console.respond("/checkin weekly")
    assert "Weekly reflection" in out
    assert "Where did you feel safe to be yourself this week?" in out
    out = await console.respond("1,3")
    assert "where did you feel on guard" in out
    out = await console.respond("2")
    assert "Which boundary would you like to practise next week?" in out
    out = await console.respond("1")
    assert "Anything else about this week" in out
    out = await console.respond("skip")

    assert "─── Your week ───" in out
    assert "You felt safest: home and with friends." in out
    assert "You felt on guard: work." in out
    assert "Next week you'd like to practise saying no without over-explaining." in out
    tip = shown_tip(out, content)
    assert set(tip.tags) & {"work", "saying-no"}


async def test_weekly_summary_keeps_the_pronoun_i_capitalised(console: ConsoleAdapter) -> None:
    """The option reads "Trusting what I feel"; the summary must not say "trusting what i feel"."""
    await console.respond("/checkin weekly")
    await console.respond("skip")
    await console.respond("skip")
    await console.respond("Trusting what I feel")
    out = await console.respond("skip")
    assert "Next week you'd like to practise trusting what I feel." in out


async def test_prepare_puts_the_persons_own_words_into_a_script(console: ConsoleAdapter) -> None:
    out = await console.respond("/checkin prepare")
    assert "Prepare a hard conversation" in out
    assert 'Finish the sentence: "When…"' in out
    await console.respond("When you raise your voice")
    await console.respond("I feel small")
    await console.respond("to talk at a normal volume")
    out = await console.respond("take a break and come back later")

    assert "─── Your words, put together ───" in out
    assert "    When you raise your voice, I feel small.\n" in out
    assert "    What I need is to talk at a normal volume.\n" in out
    assert "    If it happens again, I'll take a break and come back later.\n" in out
    assert "You don't have to say it perfectly" in out


async def test_prepare_with_everything_skipped_says_so_kindly_and_prints_no_script(
    console: ConsoleAdapter, repository: Repository
) -> None:
    await console.respond("/checkin prepare")
    for _ in range(3):
        assert "Skipped — that's fine." in await console.respond("skip")
    out = await console.respond("skip")
    assert "There's nothing to put together yet, and that's okay." in out
    assert not re.search(r"^    \S", out, re.MULTILINE), f"no script lines expected:\n{out}"
    assert "When ," not in out
    assert "I feel ." not in out
    assert await repository.open_session(await identity(repository, console)) is None


async def test_repair_drafts_a_message_in_the_persons_words(console: ConsoleAdapter, content: Content) -> None:
    out = await console.respond("/checkin repair")
    assert "After a rupture" in out
    await console.respond("our fight about money")
    await console.respond("I care about us")
    out = await console.respond("a calmer tone when we disagree")

    assert "─── A repair message, in your words ───" in out
    assert "    I've been thinking about what happened between us: our fight about money.\n" in out
    assert "    I want you to know I care about us.\n" in out
    assert "    To feel safe with you again, I need a calmer tone when we disagree.\n" in out
    assert "Could we talk about it when you're ready?" in out
    assert "repair" in shown_tip(out, content).tags


# ---------------------------------------------------------------- tips, help, history


async def test_tip_gives_a_tip_from_the_content(console: ConsoleAdapter, content: Content) -> None:
    out = await console.respond("/tip")
    shown_tip(out, content)


async def test_tip_on_a_topic_is_tagged_with_it(console: ConsoleAdapter, content: Content) -> None:
    out = await console.respond("/tip saying-no")
    assert "saying-no" in shown_tip(out, content).tags


async def test_tip_topics_lists_every_topic(console: ConsoleAdapter, content: Content) -> None:
    out = await console.respond("/tip topics")
    assert "Tip topics" in out
    for topic in content.topics.values():
        assert f"  {topic.id} — {topic.description}" in out


async def test_tip_on_an_unknown_topic_is_kind_and_lists_the_topics(console: ConsoleAdapter,
                                                                   content: Content) -> None:
    out = await console.respond("/tip nonsense")
    assert "I don't have tips on 'nonsense' yet." in out
    for topic in content.topics:
        assert f"  {topic} — " in out
    assert not any(tip.title in out for tip in content.tips)


async def test_help_says_it_is_not_therapy_and_not_a_crisis_service(console: ConsoleAdapter) -> None:
    out = await console.respond("/help")
    assert "/checkin" in out
    assert "/checkin prepare" in out
    assert "/cancel" in out
    assert "not a therapist" in out
    assert "not a therapist or a crisis service" in out
    assert "emergency services" in out


async def test_history_with_no_checkins(console: ConsoleAdapter) -> None:
    out = await console.respond("/history")
    assert "No check-ins yet." in out
    assert "Average" not in out


async def test_history_after_two_checkins_shows_the_trend_and_never_the_note(
    console: ConsoleAdapter, repository: Repository
) -> None:
    note = "Quokka-lantern 4471: he read my messages again"
    for answers in (("2", "1,3", "skip"), ("4", "1,2", note)):
        await console.respond("/checkin")
        for answer in answers:
            await console.respond(answer)

    out = await console.respond("/history")
    assert "2 check-ins in the last four weeks." in out
    assert "Average safety: 3.0 out of 5." in out
    assert "Boundaries you held most: said no without over-explaining (2×)" in out
    assert "asked for space (1×)" in out
    assert "didn't carry someone else's feelings (1×)" in out
    last = (await repository.checkins(await identity(repository, console)))[-1]
    assert last.has_note
    assert f"Your last note is from {last.created_at.strftime('%d %b %Y')}." in out
    assert note not in out
    assert "Quokka" not in out
    assert "messages" not in out


# ---------------------------------------------------------------- resuming


async def test_a_restart_resumes_at_the_step_reached(
    console: ConsoleAdapter, content: Content, database_url: str, cipher: Cipher, clock: FakeClock
) -> None:
    await console.respond("/checkin")
    await console.respond("2")

    # A new process: its own engine, repository, service and console, on the same database and keys.
    engine = make_engine(database_url)
    try:
        restarted_repository = Repository(make_sessionmaker(engine), cipher, clock)
        service = build_conversation(content, restarted_repository, clock=clock)
        restarted = ConsoleAdapter(service, "ana", interactive=False)
        out = await restarted.respond("/checkin")
        assert "Picking up your Daily check-in where you left off." in out
        assert BOUNDARIES_PROMPT in out
        assert SAFETY_PROMPT not in out
        out = await restarted.respond("2")
        assert NOTE_PROMPT in out
        out = await restarted.respond("skip")
        assert "Another tip any time with /tip" in out
        [checkin] = await restarted_repository.checkins(await restarted_repository.identity_id(restarted.address))
        assert (checkin.safety_score, checkin.boundaries) == (2, ("asked_space",))
    finally:
        await engine.dispose()


async def test_a_second_checkin_while_one_is_open_resumes_it(console: ConsoleAdapter,
                                                             repository: Repository) -> None:
    await console.respond("/checkin")
    me = await identity(repository, console)
    first = await repository.open_session(me)
    await console.respond("3")

    out = await console.respond("/checkin")
    assert "Picking up your Daily check-in where you left off." in out
    assert BOUNDARIES_PROMPT in out
    assert SAFETY_PROMPT not in out
    again = await repository.open_session(me)
    assert first is not None
    assert again is not None
    assert again.id == first.id
    assert again.answers == {"safety": 3}


async def test_checkin_new_starts_over(console: ConsoleAdapter, repository: Repository) -> None:
    await console.respond("/checkin")
    await console.respond("3")
    me = await identity(repository, console)
    old = await repository.open_session(me)

    out = await console.respond("/checkin new")
    assert SAFETY_PROMPT in out
    assert "Picking up" not in out
    fresh = await repository.open_session(me)
    assert old is not None
    assert fresh is not None
    assert fresh.id != old.id
    assert (fresh.step_id, fresh.answers) == ("safety", {})
    stored_old = await repository.get_session(old.id)
    assert stored_old is not None
    assert stored_old.status == "cancelled"


async def test_cancel_leaves_and_says_nothing_was_saved(console: ConsoleAdapter, repository: Repository,
                                                       content: Content) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    me = await identity(repository, console)
    session = await repository.open_session(me)

    out = await console.respond("/cancel")
    assert "Nothing from it was saved." in out
    assert await repository.open_session(me) is None
    assert await repository.checkin_count(me) == 0
    assert session is not None
    cancelled = await repository.get_session(session.id)
    assert cancelled is not None
    assert cancelled.answers == {}
    # A number typed now answers nothing.
    out = await console.respond("1,3")
    assert content.texts.get("idle_text") in out
    assert NOTE_PROMPT not in out


async def test_cancel_with_nothing_open(console: ConsoleAdapter) -> None:
    out = await console.respond("/cancel")
    assert "There's no check-in open right now, so there's nothing to cancel." in out


async def test_an_open_checkin_older_than_a_day_is_not_resumed(console: ConsoleAdapter, repository: Repository,
                                                               clock: FakeClock) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    clock.advance(hours=25)

    out = await console.respond("/checkin")
    assert "Picking up" not in out
    assert SAFETY_PROMPT in out
    assert BOUNDARIES_PROMPT not in out
    session = await repository.open_session(await identity(repository, console))
    assert session is not None
    assert (session.step_id, session.answers) == ("safety", {})


async def test_an_open_checkin_a_few_hours_old_is_still_resumed(console: ConsoleAdapter,
                                                                clock: FakeClock) -> None:
    await console.respond("/checkin")
    await console.respond("2")
    clock.advance(hours=23)
    out = await console.respond("/checkin")
    assert "Picking up" in out
    assert BOUNDARIES_PROMPT in out


# ---------------------------------------------------------------- two people


async def test_two_people_never_see_each_others_sessions(console: ConsoleAdapter, service: Conversation,
                                                         repository: Repository, content: Content) -> None:
    ben = await met(ConsoleAdapter(service, "ben", interactive=False))
    await console.respond("/checkin")

    out = await ben.respond("2")
    assert content.texts.get("idle_text") in out
    assert BOUNDARIES_PROMPT not in out
    ana_id = await identity(repository, console)
    ana_session = await repository.open_session(ana_id)
    assert ana_session is not None
    assert (ana_session.step_id, ana_session.answers) == ("safety", {})

    out = await ben.respond("/checkin")
    assert "Picking up" not in out
    assert SAFETY_PROMPT in out
    await ben.respond("5")
    out = await ben.respond("/cancel")
    assert "Nothing from it was saved." in out

    out = await console.respond("1")
    assert BOUNDARIES_PROMPT in out
    await console.respond("1")
    await console.respond("ana's private words")
    out = await ben.respond("/history")
    assert "No check-ins yet." in out
    ben_id = await identity(repository, ben)
    assert ben_id != ana_id
    assert await repository.checkin_count(ben_id) == 0
    assert await repository.checkin_count(ana_id) == 1


# ---------------------------------------------------------------- clicks


DISCORD_ANA = Address("discord", "guild-1", "4242", "dm-4242")
DISCORD_BEN = Address("discord", "guild-1", "5151", "dm-5151")


async def start(service: Conversation, address: Address) -> Question:
    return question_of((await service.handle(Command(address, "checkin"))).replies)


async def test_a_click_answers_the_step(service: Conversation, repository: Repository) -> None:
    question = await start(service, DISCORD_ANA)
    assert question.step_id == "safety"
    replies = (await service.handle(ChoicePicked(DISCORD_ANA, question.token("2"), ("2",)))).replies
    assert BOUNDARIES_PROMPT in text_of(replies)
    assert question_of(replies).step_id == "boundaries"
    session = await repository.get_session(question.session_id)
    assert session is not None
    assert (session.step_id, session.answers) == ("boundaries", {"safety": 2})


async def test_a_multi_select_click_answers_the_step(service: Conversation, repository: Repository) -> None:
    """A Slack multi-select or Discord select menu sends several values at once."""
    question = await start(service, DISCORD_ANA)
    following = question_of((await service.handle(ChoicePicked(DISCORD_ANA, question.token("2")))).replies)
    replies = (await service.handle(ChoicePicked(DISCORD_ANA, following.token(), ("saying_no", "asked_space")))).replies
    assert NOTE_PROMPT in text_of(replies)
    session = await repository.get_session(question.session_id)
    assert session is not None
    assert session.step_id == "note"
    assert session.answers == {"safety": 2, "boundaries": ["saying_no", "asked_space"]}


async def test_the_same_click_twice_is_applied_once(service: Conversation, repository: Repository,
                                                    content: Content) -> None:
    stale = content.texts.get("stale_click")
    question = await start(service, DISCORD_ANA)
    click = ChoicePicked(DISCORD_ANA, question.token("2"))
    first = (await service.handle(click)).replies
    assert BOUNDARIES_PROMPT in text_of(first)
    second = (await service.handle(click)).replies
    assert [reply.text for reply in second] == [stale]
    session = await repository.get_session(question.session_id)
    assert session is not None
    assert (session.step_id, session.answers, session.version) == ("boundaries", {"safety": 2}, 2)

    # The last step clicked twice: one check-in, not two.
    boundaries = question_of(first)
    note = question_of((await service.handle(ChoicePicked(DISCORD_ANA, boundaries.token("skip"), ("skip",)))).replies)
    skip = ChoicePicked(DISCORD_ANA, note.token("skip"), ("skip",))
    done = (await service.handle(skip)).replies
    assert content.texts.get("tip_footer") in [reply.footer for reply in done]
    again = (await service.handle(skip)).replies
    assert [reply.text for reply in again] == [stale]
    me = await repository.identity_id(DISCORD_ANA)
    assert await repository.checkin_count(me) == 1


async def assert_moved_on_and_unchanged(service: Conversation, repository: Repository, content: Content,
                                        click: ChoicePicked, session_id: str) -> None:
    before = await repository.get_session(session_id)
    replies = (await service.handle(click)).replies
    assert [reply.text for reply in replies] == [content.texts.get("stale_click")]
    assert all(reply.question is None for reply in replies)
    assert await repository.get_session(session_id) == before


async def test_a_forged_token_changes_nothing(service: Conversation, repository: Repository,
                                              content: Content) -> None:
    question = await start(service, DISCORD_ANA)
    for token in ("ci:AAAAAAAAAAAAAAAAAAAAAAAA:safety:2", f"ci:{question.session_id}:note:skip",
                  f"ci:{question.session_id}x:safety:2"):
        await assert_moved_on_and_unchanged(service, repository, content,
                                            ChoicePicked(DISCORD_ANA, token, ("2",)), question.session_id)


async def test_a_token_for_another_persons_session_changes_nothing(service: Conversation,
                                                                   repository: Repository,
                                                                   content: Content) -> None:
    bens = await start(service, DISCORD_BEN)
    await start(service, DISCORD_ANA)
    await assert_moved_on_and_unchanged(service, repository, content,
                                        ChoicePicked(DISCORD_ANA, bens.token("1")), bens.session_id)
    # The same account id on another platform is another person too.
    elsewhere = Address("slack", "T1", DISCORD_BEN.user_id, "D1")
    await service.handle(Command(elsewhere, "help"))  # past first contact, so only the answer is compared
    await assert_moved_on_and_unchanged(service, repository, content,
                                        ChoicePicked(elsewhere, bens.token("1")), bens.session_id)
    ben_session = await repository.get_session(bens.session_id)
    assert ben_session is not None
    assert (ben_session.step_id, ben_session.answers) == ("safety", {})


async def test_a_malformed_token_changes_nothing(service: Conversation, repository: Repository,
                                                 content: Content) -> None:
    question = await start(service, DISCORD_ANA)
    for token in ("", "garbage", "ci", "ci:", "ci::", "ci::safety:2", f"ci:{question.session_id}",
                  f"ci:{question.session_id}::2", f"xx:{question.session_id}:safety:2",
                  f"ci:{question.session_id}:safety:2" + "9" * 200, "ci:\u202e:😀:2"):
        await assert_moved_on_and_unchanged(service, repository, content,
                                            ChoicePicked(DISCORD_ANA, token), question.session_id)


async def test_a_token_with_a_nul_character_changes_nothing(service: Conversation, repository: Repository,
                                                            content: Content) -> None:
    """A forged click can carry any bytes; it is not a token and must not reach the database as one."""
    question = await start(service, DISCORD_ANA)
    await assert_moved_on_and_unchanged(service, repository, content,
                                        ChoicePicked(DISCORD_ANA, "ci:\x00:safety:2"), question.session_id)
