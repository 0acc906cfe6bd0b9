"""Crisis screening as a moderator reads it: what is caught, what is left alone, and that nothing breaks it.

Recall comes first. A miss means a person in danger gets no numbers, so every always-on phrase is also
checked in disguise (case, spacing, zero-width characters, punctuation, surrounding noise) by a property test.
"""

from __future__ import annotations

import json
import random
import re
import string
import sys
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bot.content.loader import Content
from bot.content.schema import ScreeningHead
from bot.safety import semantic
from bot.safety.screening import ALWAYS, About, Level, Screener, Verdict
from tests.conftest import Cli, Ran

ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")
# A long message must not stall the bot (screening runs before anything else, for every message). Counted in
# the CPU time of the thread that screens (the event loop's, in the bot): what other processes on a busy machine
# take from it is not the screener's doing.
SCREENING_BUDGET_SECONDS = 2.0


class ShippedScreener(Screener):
    """The screener over the shipped lists, named briefly when Hypothesis reports a falsifying example."""

    def __repr__(self) -> str:
        return "Screener(content.phrases)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@pytest.fixture(scope="module")
def screener(content: Content) -> Screener:
    return ShippedScreener(content.phrases, content.screening_head)


def caught(screener: Screener, text: str) -> Verdict:
    verdict = screener.screen(text)
    assert verdict.crisis, f"{text!r} should bring up crisis resources, but screening let it through"
    return verdict


def not_caught(screener: Screener, text: str) -> None:
    verdict = screener.screen(text)
    assert not verdict.crisis, f"{text!r} is everyday talk, but screening matched {verdict.reasons}"


# ---------------------------------------------------------------- what is caught


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I want to kill myself", "explicit"),
        ("i keep thinking about ending my life", "explicit"),
        ("Sometimes I wish I wasn't alive", "explicit"),
        ("I've been thinking about suicide", "explicit"),
        ("I started cutting again", "explicit"),
        ("honestly kms", "slang"),
        ("I just want to unalive myself", "slang"),
        ("thinking about sewerslide tbh", "slang"),
        ("might catch the bus tonight", "slang"),
        ("Everyone would be better off without me.", "burden"),
        ("I'm just a burden to everyone", "burden"),
        ("There's no reason to live anymore", "burden"),
        ("I can't go on like this", "burden"),
        ("This is goodbye. Thank you for everything.", "farewell"),
        ("I've been giving away my things", "farewell"),
        ("I won't be around much longer", "farewell"),
        ("How many pills would it take?", "method"),
        ("how much paracetamol to overdose", "method"),
        ("how much xanax to die for sure", "method"),
        ("what is the lethal dose of my meds", "method"),
        ("where is the tallest bridge near here", "method"),
        ("He threatened to kill me last night", "danger"),
        ("I'm scared to go home", "danger"),
        ("he hits me when he's drunk", "danger"),
        ("She choked me during the argument", "danger"),
        ("he won't let me leave the flat", "danger"),
    ],
)
def test_statements_that_suggest_danger_are_caught(screener: Screener, text: str, category: str) -> None:
    verdict = caught(screener, text)
    assert category in {match.category for match in verdict.matches}, verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "this deadline is killing me",
        "my phone died",
        "I could die of embarrassment",
        "dead tired after the night shift",
        "When you shout, I feel hurt",
        "I'm so proud of myself",
        "killed it at work today",
        "my feet are killing me",
        "the suspense is killing me",
        "I'm dying to see that film",
        "that was a dead end",
        "my plant died :(",
        "I'm so done with this meeting",
        "I said no and it felt good",
        "I'm exhausted but okay",
    ],
)
def test_everyday_idioms_are_not_mistaken_for_a_crisis(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize(
    "text",
    [
        "this deadline is killing me and I want to kill myself",
        "I could die of embarrassment, honestly I want to die",
        "my phone died and I have no reason to live",
        "work is killing me. kms",
        "dead tired, everyone would be better off without me",
    ],
)
def test_an_idiom_never_hides_an_explicit_statement(screener: Screener, text: str) -> None:
    verdict = caught(screener, text)
    assert any(match.category in ALWAYS for match in verdict.matches), verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "300 days since i last hurt myself, got a cake to celebrate",
        "burnt my hand on the motorbike exhaust, ouch",
        "grazed my knee on the patio steps chasing the dog",
        "a gente vai morrer de rir com esse vídeo",
        "where should the carbon monoxide detector go in a bedroom",
        "would leaving mid-project be career suicide, honestly",
        "zero self harm urges lately, just tired from exams",
        "no plans to hurt myself, i'm just angry at my brother",
    ],
)
def test_a_count_of_days_an_accident_an_idiom_or_a_denial_raise_nothing(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize(
    ("text", "level"),
    [("burnt my hand on the hob again, on purpose", Level.CLEAR), ("vou morrer hoje à noite", Level.CLEAR),
     ("3 days since i last hurt myself and the urges are loud", Level.POSSIBLE),
     ("career suicide? no, i mean i want to kill myself", Level.CLEAR),
     ("hit my head on the wall", Level.POSSIBLE), ("i banged my head on the bedroom wall", Level.POSSIBLE),
     ("that'd be career suicide. honestly i'm suicidal", Level.CLEAR), ("zero desire to live", Level.POSSIBLE),
     ("no will to keep going", Level.POSSIBLE)],
)
def test_the_same_words_with_intent_or_a_pull_are_still_raised(screener: Screener, text: str, level: Level) -> None:
    assert caught(screener, text).level is level


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    "text",
    [
        "I WANT TO KILL MYSELF",
        "i want to KiLl MySeLf",
        "kill. myself...",
        "Kill, myself?",
        "kiiiill myseeelf",
        "I want to diiiie",
        "k i l l myself",
        "k.i.l.l myself",
        "k-i-l-l myself",
        "k\u200bi\u200bl\u200bl myself",
        "ki\u200dll my\u2060self",
        "su\u00adicide",
        "k1ll mys3lf",
        "su1c1de",
        "$uicide",
        "5u1c1d3",
        "\u043a\u0456ll mys\u0435lf",  # Cyrillic к, і and е
        "\u0455uicide",  # Cyrillic ѕ
        "#killmyself",
        "#kms",
        "#endmylife",
        "ｋｉｌｌ ｍｙｓｅｌｆ",  # full-width
    ],
)
def test_disguised_spellings_are_still_caught(screener: Screener, text: str) -> None:
    caught(screener, text)


@pytest.mark.parametrize("text", ["kms!", "ugh kms!!!", "kys!!", "sui!", "ctb!", "I was raped!"])
def test_an_exclamation_mark_after_a_short_phrase_does_not_hide_it(screener: Screener, text: str) -> None:
    """A person in distress writes "kms!" as often as "kms"; the "!" must not turn the word into another one."""
    caught(screener, text)


def test_every_always_on_phrase_is_caught_with_an_exclamation_mark(screener: Screener, content: Content) -> None:
    missed = [phrase for category in ALWAYS for phrase in content.phrases[category]
              if not screener.screen(phrase.replace("*", "paracetamol") + "!").crisis]
    assert missed == [], f"these phrases go unnoticed when followed by '!': {missed}"


# ---------------------------------------------------------------- context: denied, past, someone else


@pytest.mark.parametrize(
    "text",
    ["I would never kill myself", "I'm not going to kill myself", "I don't want to overdose",
     "not suicidal, just tired of my boss", "i have no thoughts of self harm, i'm asking about my sister"],
)
def test_a_plain_denial_is_not_an_alarm(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize(
    "text",
    ["I'm not okay, I want to kill myself", "i know i said i was fine but i'm not. i want to die",
     "I can't stop thinking about killing myself", "I don't want to live anymore"],
)
def test_a_negation_elsewhere_in_the_message_does_not_hide_a_statement(screener: Screener, text: str) -> None:
    assert screener.screen(text).level is Level.CLEAR


@pytest.mark.parametrize(
    "text",
    ["no self harm urges? i cut again tonight", "not suicidal. i just keep staring at the top floor of the car park",
     "i'm not going to hurt myself. i've been standing at the edge of the platform longer than i need to"],
)
def test_a_denial_sets_aside_its_own_sentence_not_the_next(screener: Screener, text: str) -> None:
    """The head still reads the sentences after a denial: what follows "not suicidal." is the message."""
    assert screener.screen(text).crisis


@pytest.mark.parametrize(
    "text",
    ["no SI, no SH, just a rough day. going to bed early",
     "a year ago today i tried to end my life. today i am here and grateful",
     "not suicidal. just burnt out and behind on everything at work"],
)
def test_a_denial_or_a_look_back_with_a_harmless_sentence_after_it_stays_quiet(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("I used to want to kill myself", "past"),
        ("years ago I thought about suicide", "past"),
        ("when I was a teen I was cutting myself", "past"),
        ("my friend wants to kill herself", "other_person"),
        ("my sister said she wants to die", "other_person"),
        ("I'm scared my brother will hurt himself", "other_person"),
    ],
)
def test_past_or_another_person_is_reported_and_still_raised(screener: Screener, text: str, flag: str) -> None:
    verdict = caught(screener, text)
    assert getattr(verdict, flag) is True, f"{text!r}: expected {flag}, got {verdict.context}"
    assert flag in verdict.context
    assert verdict.as_json()["crisis"] is True


def test_a_plain_first_person_statement_has_no_softening_context(screener: Screener) -> None:
    verdict = caught(screener, "I want to kill myself")
    assert (verdict.negated, verdict.past, verdict.other_person) == (False, False, False)
    assert verdict.context == []
    assert verdict.reasons[0] == "explicit: kill myself"
    assert (verdict.level, verdict.about) == (Level.CLEAR, About.SELF)


def test_someone_else_hurting_the_person_is_about_them_not_another_person(screener: Screener) -> None:
    verdict = caught(screener, "he threatened to kill me")
    assert "danger: threatened to kill me" in verdict.reasons
    assert not verdict.other_person


# ---------------------------------------------------------------- bad input


def _mixed_scripts(length: int) -> str:
    pieces = ("Hello there ", "今日は疲れた ", "مرحبا بالعالم ", "Привет мир ", "Γειά σου ", "😀😭🙂 ",
              "<b>bold</b> ", "**bold** ", "<@123> ", "\x00\x07\x1b[31m ", "\u202e\u2066 ", "   \n\t ")
    text = "".join(pieces[index % len(pieces)] for index in range(length // 8 + 1))
    return text[:length]


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\t",
        "😀😭🙂🫠",
        "<b>hello</b> **bold** _it_ <@123> <#456> <!here> `code` ```block```",
        "\x00\x01\x02\x07\x1b[31mred\x1b[0m\x7f",
        "\ud800",  # a lone surrogate, as a broken client may send
        "\u202eevil\u202c \u2066isolate\u2069",
        "!!!!$$$$@@@@||||++++''''",
        "1 2 3 4 5 6 7 8 9 0",
        "a " * 50_000,
        "x" * 100_000,
        _mixed_scripts(100_000),
    ],
    ids=["empty", "space", "whitespace", "emoji", "markup", "control", "surrogate", "bidi", "symbols", "digits",
         "single-letters", "one-long-word", "mixed-scripts-100k"],
)
def test_bad_input_never_crashes_and_finishes_quickly(screener: Screener, text: str) -> None:
    started = time.thread_time()
    verdict = screener.screen(text)
    elapsed = time.thread_time() - started
    assert verdict.crisis is False
    assert verdict.matches == ()
    assert elapsed < SCREENING_BUDGET_SECONDS, f"screening took {elapsed:.1f}s"


def test_a_broken_half_emoji_in_a_long_message_neither_crashes_nor_hides_a_statement(screener: Screener) -> None:
    verdict = screener.screen("work was fine today. " * 150 + "\ud800 i want to kill myself")
    assert verdict.level is Level.CLEAR


def test_markup_around_a_statement_does_not_hide_it(screener: Screener) -> None:
    caught(screener, "<b>I want to kill myself</b>")
    caught(screener, "**i want to die**")
    caught(screener, "<@123> kms")
    caught(screener, "\x1b[31mi want to end my life\x1b[0m")


def test_a_statement_deep_inside_a_long_message_is_caught(screener: Screener) -> None:
    filler = _mixed_scripts(50_000)
    caught(screener, filler + " and I want to kill myself " + filler)


@pytest.mark.parametrize(
    "text",
    [
        ("dead tired " * 10_000)[:100_000],
        ("this deadline is killing me " * 4_000)[:100_000],
    ],
    ids=["dead-tired-repeated", "killing-me-repeated"],
)
def test_a_long_message_full_of_idioms_is_screened_without_stalling(screener: Screener, text: str) -> None:
    """Screening runs on the event loop before every reply; seconds spent here freeze the bot for everyone."""
    started = time.thread_time()
    verdict = screener.screen(text)
    elapsed = time.thread_time() - started
    assert verdict.crisis is False
    assert elapsed < SCREENING_BUDGET_SECONDS, f"screening {len(text):,} characters took {elapsed:.1f}s"


LONG_FILLER = " ".join(["we walked to the market and bought some bread and apples."] * 400)


@pytest.mark.parametrize(
    ("said", "level"),
    [
        ("ctb = call the boss. i am going to ctb tonight", Level.NONE),  # "i am going to ctb tonight" is clear
        ("CTB stands for call the boss, remind me to CTB", Level.NONE),
        ("sh means stock hold, my sh is up", Level.NONE),
        ("ſh = ſtock hold. my sh urges are bad", Level.POSSIBLE),  # a long s for the "s"; "my sh urges" is clear
        ("\u212aMS = \u212ailo metre sum. i will kms", Level.NONE),  # a Kelvin sign for the "K"
        ("youtubers SAY UNAL\u0130VE instead of died", Level.NONE),  # a dotted capital I
        ("youtubers say unalive instead of died", Level.NONE),
        ("SI units are hard", Level.NONE),
    ],
    ids=["defined", "stands-for", "means", "long-s", "kelvin-sign", "dotted-i", "talked-about", "si-units"],
)
def test_an_abbreviation_read_as_a_plain_word_is_read_so_deep_in_a_long_message_too(
        screener: Screener, said: str, level: Level) -> None:
    """A long message is read with RE2 pre-filters that find where an abbreviation is defined or a word talked
    about; they must find it wherever the short-message reading does, in any letters it takes for the same (the
    words that use the abbreviation are clear when it is not defined)."""
    verdict = screener.screen(f"{LONG_FILLER} {said} {LONG_FILLER}")
    assert verdict.level is level, f"{said!r} inside a long message was screened as {verdict.reasons}"


def test_the_long_message_pre_filters_know_every_letter_taken_for_an_ascii_letter() -> None:
    """What the pre-filters spell out for each letter must hold every character Python's case-blind matching takes
    for it, or an abbreviation written in such a letter would be found in a short message but not a long one."""
    from bot.safety import prefilter

    any_letter = re.compile("(?i)[a-z]")
    for code in range(128, sys.maxunicode + 1):
        char = chr(code)
        if any_letter.fullmatch(char):
            for letter in string.ascii_lowercase:
                if re.fullmatch(f"(?i){letter}", char):
                    assert char in prefilter.FOLDS.get(letter, ""), f"U+{code:04X} is read as {letter!r}"


# ---------------------------------------------------------------- the property: no disguise hides a phrase

# Words that change what a phrase beside them means ("no suicide" is a denial, "the show" makes a story, "a kms" is
# a distance): padding made of them is context, not a disguise.
CONTEXT_WORDS = frozenset({"no", "not", "nor", "never", "dont", "didnt", "wont", "cant", "isnt", "without", "show",
                           "play", "game", "story", "scene", "song", "film", "movie", "novel", "lol", "lmao", "jk",
                           "a", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "few",
                           "many", "more", "couple", "several", "twenty", "half", "fifteen", "hundred", "thousand"})
PADDING = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=ord("a"), max_codepoint=ord("z")),
        st.characters(min_codepoint=ord("A"), max_codepoint=ord("Z")),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
        st.characters(min_codepoint=0x0621, max_codepoint=0x063A),  # Arabic letters
        st.characters(min_codepoint=0x1F600, max_codepoint=0x1F64F),  # emoji
        st.sampled_from(" ,.;:?-()\n"),
    ),
    max_size=30,
).filter(lambda padding: not set(re.findall(r"[a-z]+", padding.lower())) & CONTEXT_WORDS)
# Never a character screening reads as part of a word (', !, $, @, |, +): padding must not join the phrase.
SEPARATOR = st.text(alphabet=" ,.;:?-()\"\n", min_size=1, max_size=3)
GAP = st.text(alphabet=" \t\u00a0", min_size=1, max_size=4)
TRAILING = st.sampled_from(["", ".", "!", "?", "...", "!!", "?!", "!?", ",", " :(", "…", "!!!"])
WILDCARD_WORDS = st.sampled_from(["paracetamol", "insulin", "tylenol", "ibuprofen", "it"])


@st.composite
def disguised(draw: st.DrawFn, phrase: str) -> str:
    words = []
    for word in phrase.split():
        if word == "*":
            word = draw(WILDCARD_WORDS)
        cased = "".join(ch.upper() if draw(st.booleans()) else ch.lower() for ch in word)
        hidden = cased[0] + "".join(
            (draw(st.sampled_from(ZERO_WIDTH)) if draw(st.booleans()) else "") + ch for ch in cased[1:])
        words.append(hidden)
    body = words[0] + "".join(draw(GAP) + word for word in words[1:])
    return draw(PADDING) + draw(SEPARATOR) + body + draw(TRAILING) + draw(SEPARATOR) + draw(PADDING)


def _always_on(screener: Screener) -> list[tuple[str, str]]:
    return [(category, phrase) for category in ALWAYS for phrase in screener.phrases[category]]


@settings(max_examples=1000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_no_disguise_hides_an_always_on_phrase(screener: Screener, data: st.DataObject) -> None:
    category, phrase = data.draw(st.sampled_from(_always_on(screener)), label="phrase")
    text = data.draw(disguised(phrase), label="text")
    verdict = screener.screen(text)
    assert verdict.crisis, f"{category} phrase {phrase!r} was missed in {text!r}"


def _apply(phrase: str, rnd: random.Random, gap: str) -> str:
    words = []
    for word in phrase.split():
        if word == "*":
            word = rnd.choice(["paracetamol", "insulin", "tylenol", "ibuprofen", "it"])
        cased = "".join(ch.upper() if rnd.random() < 0.5 else ch.lower() for ch in word)
        words.append(cased[0] + "".join(
            (rnd.choice(ZERO_WIDTH) if rnd.random() < 0.3 else "") + ch for ch in cased[1:]))
    return gap.join(words)


# No shrinking: the failure message already lists every phrase missed, and shrinking 190 screens per example
# would take minutes.
@settings(max_examples=100, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(before=PADDING, opening=SEPARATOR, gap=GAP, trailing=TRAILING, closing=SEPARATOR, after=PADDING,
       seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_one_disguise_hides_no_always_on_phrase(screener: Screener, before: str, opening: str, gap: str,
                                                trailing: str, closing: str, after: str, seed: int) -> None:
    """The sampled test above cannot reach every phrase; this one puts each disguise on all of them."""
    rnd = random.Random(seed)
    missed = []
    for category, phrase in _always_on(screener):
        text = before + opening + _apply(phrase, rnd, gap) + trailing + closing + after
        if not screener.screen(text).crisis:
            missed.append(f"{category}: {text!r}")
    assert missed == [], f"missed {len(missed)} phrase(s):\n" + "\n".join(missed)


# ---------------------------------------------------------------- the `screen` command


def _screen(cli: Cli, *args: str) -> Ran:
    return cli("screen", *args)


def test_screen_json_prints_the_machine_readable_verdict(cli: Cli) -> None:
    result = _screen(cli, "--json", "I used to want to kill myself")
    assert result.returncode == 0, result.stderr
    verdict = json.loads(result.stdout)
    assert {key: verdict[key] for key in ("crisis", "level", "about", "context")} == {
        "crisis": True, "level": "possible", "about": "self", "context": ["past"]}
    assert "explicit: kill myself" in verdict["reasons"]


def test_screen_json_for_an_idiom_says_no(cli: Cli) -> None:
    result = _screen(cli, "--json", "this deadline is killing me")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"crisis": False, "level": "none", "about": "self",
                                          "reasons": [], "context": []}


def test_screen_prints_a_readable_verdict(cli: Cli) -> None:
    result = _screen(cli, "my friend wants to kill herself")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "crisis: YES (clear) — resources would be shown, about: someone_else"
    assert "  matched explicit: kill herself" in lines
    assert "  context (changes the wording only): other_person" in lines

    calm = _screen(cli, "my phone died")
    assert calm.returncode == 0, calm.stderr
    assert calm.stdout.splitlines() == ["crisis: no"]


# ---------------------------------------------------------------- a long check-in, a sentence at a time


def _toy_head() -> ScreeningHead:
    """A head that knows one risky sentence ("the quarry edge at dawn") and nothing else."""
    return ScreeningHead(trained_on={}, threshold=0.72, bias=-2.0,
                         words={"quarry": 6.0, "quarry edge": 6.0, "edge": 6.0, "dawn": 6.0, "at dawn": 6.0})


_FILLER = ("had a long day at the office and then picked up the kids from school. made pasta for tea and watched "
           "a film with my partner. said no to covering the saturday shift, which felt good.")


def test_a_risk_sentence_in_a_long_check_in_is_read_on_its_own(content: Content) -> None:
    screener = Screener(content.phrases, _toy_head())
    long_check_in = f"{_FILLER} the quarry edge at dawn. {_FILLER}"
    assert len(long_check_in.split()) > semantic.CHUNK_WORDS
    verdict = screener.screen(long_check_in)
    assert verdict.level is Level.POSSIBLE
    assert any("one sentence" in reason for reason in verdict.reasons)
    # the same words spread over the check-in, in no one sentence, stay below the bar
    assert not screener.screen(f"{_FILLER} we drove past the quarry. {_FILLER} up at dawn for work. the edge of the "
                               "table.").crisis
    # and the whole of a message longer than the sentence reading reaches is left to the windows
    longer = " ".join([_FILLER] * 20)
    assert len(longer) > semantic.SENTENCES_UP_TO
    assert not screener.screen(f"{longer} the quarry edge at dawn. {_FILLER}").crisis


@pytest.mark.parametrize("text", ["my mum took a lot of photos at the wedding",
                                  "my sister took a whole cake to the party",
                                  "my dad had a whole bottle of wine at christmas", "my mate had lots of fun at uni"])
def test_someone_who_took_a_lot_of_something_harmless_is_not_an_overdose(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize("text", ["my colleague just told me she's taken a load of pills",
                                  "my brother says he's taken all his meds, he's locked in the bathroom",
                                  "my roommate just said she swallowed a bottle of tylenol",
                                  "mum rang slurring, said she's taken the whole strip"])
def test_someone_who_took_too_much_medicine_is_clear_and_about_them(screener: Screener, text: str) -> None:
    verdict = screener.screen(text)
    assert (verdict.level, verdict.about) == (Level.CLEAR, About.SOMEONE_ELSE), verdict.reasons


@pytest.mark.parametrize("text", ["🪢 practising a figure eight knot for climbing on saturday",
                                  "finally got the 🪢 swing up for the kids", "sui generis, as my lecturer says",
                                  "suicide sprints at training again, my legs are gone",
                                  "gonna top myself up with tea before the meeting",
                                  "i'm not going to top myself, relax, i'm just fuming about the rota",
                                  "hoeveel paracetamol mag ik per dag bij koorts?",
                                  "cuantas pastillas de ibuprofeno puedo tomar al dia para el dolor de muelas",
                                  "how much melatonin before you don't wake up groggy",
                                  "vou me jogar de cabeça no emprego novo", "me corté el dedo picando cebolla",
                                  "ik ga 💀 hahaha die video", "me tomé 12 cervezas en la boda de mi primo",
                                  "the KYS (know your supplier) form is due friday",
                                  "is SH 'stock hold' on the warehouse sheet?"])
def test_harmless_look_alikes_found_in_the_later_sets_stay_quiet(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize(("text", "level", "about"), [
    ("🪢 tonight. i'm done", Level.CLEAR, About.SELF),
    ("honestly might top myself after this week", Level.CLEAR, About.SELF),
    ("attempting tonight, don't try to stop me", Level.CLEAR, About.SELF),
    ("my 2nd attempt is going to be the one that works", Level.CLEAR, About.SELF),
    ("he says he'll set fire to the flat with me inside", Level.CLEAR, About.HARM_FROM_OTHERS),
    ("my landlord held me by the throat against the door", Level.CLEAR, About.HARM_FROM_OTHERS),
    ("hoje à noite eu me mato, já decidi", Level.CLEAR, About.SELF),
    ("el vecino me sacó un cuchillo en la escalera", Level.CLEAR, About.HARM_FROM_OTHERS),
    ("mein onkel hat mir wieder eine watschn gegeben", Level.CLEAR, About.HARM_FROM_OTHERS),
    ("não tô segura em casa com ele", Level.CLEAR, About.HARM_FROM_OTHERS),
    ("wenn's mi nid gäb wärs für alli besser", Level.POSSIBLE, About.SELF),
    ("i wett eifach nüme ufwache", Level.POSSIBLE, About.SELF),
    ("how many of my sleeping pills before you just don't wake up", Level.POSSIBLE, About.SELF),
    ("would paracetamol be detectable in a post mortem", Level.POSSIBLE, About.SELF),
    ("i carved her initials into my arm last night", Level.CLEAR, About.SELF),
    ("ich hab vorhin 40 tabletten geschluckt", Level.CLEAR, About.SELF),
    ("minha irmã tomou uma caixa de remédios", Level.CLEAR, About.SOMEONE_ELSE),
    ("ayer intenté ahorcarme en el garaje", Level.CLEAR, About.SELF),
    ("mi novio me dio una cachetada delante de sus amigos", Level.CLEAR, About.HARM_FROM_OTHERS),
    ("hij zei in de groep dat hij zich vanavond gaat doodmaken", Level.CLEAR, About.SOMEONE_ELSE),
    ("my guy don drink sniper, dem carry am go hospital", Level.CLEAR, About.SELF),
    ("my auntie has been beaten by her partner again", Level.CLEAR, About.SOMEONE_ELSE),
    ("the man we rent from slapped me over the deposit", Level.CLEAR, About.HARM_FROM_OTHERS),
])
def test_slang_dialects_and_threats_found_in_the_later_sets_are_read(screener: Screener, text: str, level: Level,
                                                                    about: About) -> None:
    verdict = screener.screen(text)
    assert (verdict.level, verdict.about) == (level, about), verdict.reasons


@pytest.mark.parametrize("text", ["i dont want to be here anymore",
                                  "im not going to hurt myself but i dont want to be here anymore",
                                  "i dont want to wake up tomorrow", "i cant go on like this"])
def test_a_phrase_typed_without_its_apostrophe_is_read_as_the_phrase(screener: Screener, text: str) -> None:
    verdict = screener.screen(text)
    assert verdict.crisis
    assert any(reason.startswith(("explicit:", "burden:")) for reason in verdict.reasons), verdict.reasons


@pytest.mark.parametrize("text", [
    "i took an overdose at 19. i'm 44 now with two teenagers and a mortgage, doing fine. anyway, my sister keeps "
    "borrowing money, how do i say no",
    "told my new partner about my suicide attempt in 2012. she just hugged me. i'm doing well these days",
    "my uncle used to hit me when i was a kid. i moved abroad at 20 and i'm doing well now",
    "the gp asked if i've had thoughts of ending my life and i said no, it's the noise at work that's wearing me down",
])
def test_a_hopeful_look_back_or_an_honest_no_is_not_raised(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize("text", [
    "i took an overdose at 19. i'm 44 now and doing fine but tonight i keep thinking about doing it again",
    "three years since my suicide attempt and lately it feels like back then, i'm scared",
    "my ex used to hit me when i was 17. he found my new address today and i'm shaking",
    "the gp asked if i've had thoughts of ending my life and i said no but that wasn't true",
    "mum asked if i'm ok and if i've eaten and i said no. i want to die",
    "my stepdad punched me before i left for school, it hurts to breathe",
])
def test_a_look_back_that_pulls_now_or_a_no_taken_back_is_still_raised(screener: Screener, text: str) -> None:
    caught(screener, text)


@pytest.mark.parametrize("text", [
    "the rota says OD next to the new starter's name, meaning on duty, so i'm covering",
    "our tracker uses CTB for cost to build, the intern was very confused",
    "burned my wrist on the grill again, occupational hazard for line cooks",
    "want to cut my hours to three days a week, how do i ask my manager",
    "what's the tallest bridge in the world? settling a bet with my dad",
    "what kind of rope do i need for a tyre swing on the old oak",
    "my novel's villain pushes the banker off the bridge in chapter nine, too dark?",
    "this spreadsheet is going to kill me 😩",
])
def test_words_of_danger_that_mean_something_else_stay_quiet(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize("text", [
    "burned my wrist on the grill again on purpose, i needed to feel something",
    "i want to cut my wrists tonight",
    "which bridge is the tallest near me, i can't do this anymore",
    "how many pills would it take, asking for my novel",
    "this guy at my work is going to kill me, he said so in the car park",
])
def test_the_same_words_told_as_meant_are_still_raised(screener: Screener, text: str) -> None:
    caught(screener, text)


@pytest.mark.parametrize("text", [
    "the song 'i just want to die tonight' by that emo band is stuck in my head",
    "how much grape juice is dangerous for a small dog? my terrier drank some",
    "is the ctb 42 still running on sundays?",
    "not saying goodbye forever lol, just logging off for the weekend",
])
def test_a_title_a_pet_a_bus_or_a_goodbye_taken_back_stays_quiet(screener: Screener, text: str) -> None:
    not_caught(screener, text)


@pytest.mark.parametrize(("text", "about"), [
    ("a poem i wrote: 'i want to die'", About.SELF),
    ("i'm not saying goodbye forever, but i might", About.SELF),
    ("gonna ctb after the last bus", About.SELF),
    ("mi padrastro amenazó con matarme si se lo cuento a alguien", About.HARM_FROM_OTHERS),
    ("mijn vriend dreigde me in elkaar te slaan", About.HARM_FROM_OTHERS),
])
def test_the_writers_own_words_and_threats_in_other_languages_are_raised(screener: Screener, text: str,
                                                                          about: About) -> None:
    assert caught(screener, text).about is about
