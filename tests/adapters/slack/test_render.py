"""Core replies -> Block Kit: every limit Slack enforces holds, and nothing is lost on the way."""

from __future__ import annotations

import re

from adapters.slack.render import (
    FORM_CALLBACK_PREFIX,
    MAX_BLOCKS,
    MAX_FALLBACK_TEXT,
    MAX_SECTION_TEXT,
    TEXT_CALLBACK,
    escape,
    form_modal,
    home_view,
    mrkdwn_chunks,
    render_replies,
    reply_blocks,
    text_modal,
)
from adapters.slack.translate import read_metadata, view_values
from bot.content.loader import Content, load_content
from bot.dashboard import board
from bot.messages import (
    Attachment,
    Choice,
    Form,
    FormField,
    Image,
    InputKind,
    Question,
    Reply,
    Tone,
    parse_text_value,
    parse_token,
)
from bot.response import TextBox
from tests.conftest import CONTENT_DIR
from tests.fakes.slack_server import block_errors, view_errors

TEXTS = load_content(CONTENT_DIR).texts


def _home(replies: list[Reply], paused: bool | None = None, chart_file_id: str = "") -> dict[str, object]:
    return home_view(board(TEXTS, replies, paused), TEXTS, chart_file_id=chart_file_id)


def _question(kind: InputKind, count: int, **options: object) -> Question:
    choices = tuple(Choice(f"v{n}", f"Choice {n}", f"about {n}") for n in range(1, count + 1))
    return Question("sess1", "step1", kind, choices, **options)  # type: ignore[arg-type]


def _sections_text(blocks: list[dict[str, object]]) -> str:
    return "".join(b["text"]["text"] for b in blocks if b["type"] == "section")  # type: ignore[index]


def test_long_text_is_split_into_sections_under_3000_characters_without_losing_any() -> None:
    words = " ".join(f"word{n}" for n in range(4000))
    blocks = reply_blocks(Reply(words), TEXTS)
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= MAX_SECTION_TEXT for b in blocks)
    assert _sections_text(blocks).replace(" ", "") == words.replace(" ", "")
    assert block_errors(blocks, max_blocks=MAX_BLOCKS) == []


def test_escaping_never_pushes_a_section_over_the_limit() -> None:
    text = "<&>" * 2500
    chunks = mrkdwn_chunks(text)
    assert all(len(chunk) <= MAX_SECTION_TEXT for chunk in chunks)
    assert "".join(chunks) == escape(text)


def test_a_huge_reply_becomes_several_messages_of_at_most_50_blocks_with_controls_last() -> None:
    question = _question(InputKind.SCALE, 5)
    huge = Reply("x " * 100_000, title="A very long one", question=question)
    messages = render_replies([Reply("first"), huge, Reply("after")], TEXTS)
    assert len(messages) == 3  # "first" alone, then the long one in two parts ("after" joins the last)
    for message in messages:
        assert 0 < len(message.blocks) <= MAX_BLOCKS
        assert block_errors(list(message.blocks), max_blocks=MAX_BLOCKS) == []
        assert 0 < len(message.text) <= MAX_FALLBACK_TEXT
    with_controls = [i for i, m in enumerate(messages) if any(b["type"] == "actions" for b in m.blocks)]
    assert len(with_controls) == 1
    assert "after" in messages[-1].text


def test_short_replies_share_one_message() -> None:
    messages = render_replies([Reply("one"), Reply("two", title="Two"), Reply("three")], TEXTS)
    assert len(messages) == 1
    assert messages[0].text == "one\n\nTwo\n\ntwo\n\nthree"


def test_scale_buttons_stay_within_button_limits_and_carry_tokens() -> None:
    long = "a label that goes on and on " * 10
    question = Question("sess1", "safety", InputKind.SCALE,
                        tuple(Choice(str(n), str(n), long) for n in range(1, 6)))
    [*_, actions] = reply_blocks(Reply("How safe?", question=question), TEXTS)
    buttons = actions["elements"]
    assert [b["value"] for b in buttons] == ["1", "2", "3", "4", "5", "skip"]
    assert all(len(b["text"]["text"]) <= 75 and len(b["action_id"]) <= 255 for b in buttons)
    assert all(parse_token(b["action_id"]) is not None for b in buttons)
    assert block_errors([actions], max_blocks=MAX_BLOCKS) == []


def test_more_than_five_choices_become_a_select_and_at_most_100_options() -> None:
    [*_, actions] = reply_blocks(Reply("Pick one", question=_question(InputKind.SINGLE, 6)), TEXTS)
    assert actions["elements"][0]["type"] == "static_select"
    many = Question("sess1", "step1", InputKind.SINGLE,
                    tuple(Choice(f"v{n}", "L" * 200, "D" * 200) for n in range(150)))
    [*_, actions] = reply_blocks(Reply("Pick", question=many), TEXTS)
    select = actions["elements"][0]
    assert len(select["options"]) == 100
    assert all(len(o["text"]["text"]) <= 75 and len(o["description"]["text"]) <= 75 for o in select["options"])
    assert block_errors([actions], max_blocks=MAX_BLOCKS) == []


def test_a_value_too_long_for_a_token_is_left_out_rather_than_sent_broken() -> None:
    question = Question("sess1", "step1", InputKind.SINGLE, (Choice("ok", "OK"), Choice("x" * 60, "Too long")))
    [*_, actions] = reply_blocks(Reply("Pick", question=question), TEXTS)
    assert [b["value"] for b in actions["elements"]] == ["ok", "skip"]


def test_multi_choice_is_a_multi_select_limited_to_max_choices() -> None:
    [*_, actions] = reply_blocks(Reply("Which?", question=_question(InputKind.MULTI, 4, max_choices=3)), TEXTS)
    select = actions["elements"][0]
    assert select["type"] == "multi_static_select"
    assert select["max_selected_items"] == 3
    assert parse_token(select["action_id"]) is not None


def test_free_text_offers_write_it_and_skip() -> None:
    question = Question("sess1", "note", InputKind.TEXT, max_length=1500)
    [*_, actions] = reply_blocks(Reply("Anything to add?", question=question), TEXTS)
    write, skip = actions["elements"]
    assert (write["text"]["text"], skip["text"]["text"]) == ("Write it", "Skip")
    parsed = parse_token(write["action_id"])
    assert parsed is not None
    assert parse_text_value(parsed.value) == 1500


def test_a_tip_sets_the_script_apart_as_a_quote() -> None:
    tip = Reply("Say it plainly.", title="Saying no", script="No, thanks.\nThat doesn't work for me.",
                tone=Tone.TIP, footer="Tips are suggestions.")
    blocks = reply_blocks(tip, TEXTS)
    kinds = [b["type"] for b in blocks]
    assert kinds == ["section", "context", "section", "context"]
    assert blocks[1]["elements"][0]["text"] == "*Try saying*"
    assert blocks[2]["text"]["text"] == "&gt; No, thanks.\n&gt; That doesn't work for me." or \
        blocks[2]["text"]["text"].startswith("&gt;")
    assert blocks[0]["text"]["text"].startswith("*Saying no*\n")
    assert "Try saying" in render_replies([tip], TEXTS)[0].text


def test_person_text_is_escaped_so_it_cannot_mention_or_link() -> None:
    [block] = reply_blocks(Reply("<!channel> & <https://evil.example|click>"), TEXTS)
    assert "<" not in block["text"]["text"]


def test_files_travel_with_their_message() -> None:
    attachment = Attachment("export.json", b"{}", "application/json")
    [message] = render_replies([Reply("Your data", files=(attachment,))], TEXTS)
    assert message.files == (attachment,)


def test_text_modal_fits_and_carries_its_token_across_restarts(content: Content) -> None:
    view = text_modal(TextBox("ci:sess1:note", 5000), content.texts, "p" * 300, channel="D123")
    assert view_errors(view, expected_type="modal") == []
    element = view["blocks"][0]["element"]
    assert element["max_length"] == 3000
    assert len(element["placeholder"]["text"]) <= 150
    assert view["callback_id"] == TEXT_CALLBACK
    assert read_metadata(view["private_metadata"]) == {"token": "ci:sess1:note", "channel": "D123"}
    assert read_metadata("not json") == {}


def test_form_modal_is_prefilled_and_within_limits() -> None:
    form = Form("schedule", "Your check-in schedule, a long title", "schedule", (
        FormField("times", "Times " * 500, "09:00", "e.g. 09:00, 18:30", max_length=30),
        FormField("zone", "Time zone", "Europe/Berlin", "x" * 200, keyword="tz", max_length=60),
    ), submit_label="Save")
    view = form_modal(form, TEXTS)
    assert view_errors(view, expected_type="modal") == []
    assert len(view["title"]["text"]) <= 24
    assert view["callback_id"] == FORM_CALLBACK_PREFIX + "schedule"
    times, zone = view["blocks"]
    assert (times["block_id"], times["element"]["initial_value"], times["element"]["max_length"]) == (
        "times", "09:00", 30)
    assert len(times["label"]["text"]) <= 2000
    assert zone["element"]["initial_value"] == "Europe/Berlin"
    state = {"values": {"times": {"value": {"type": "plain_text_input", "value": "10:00"}},
                        "zone": {"value": {"type": "plain_text_input", "value": None}}}}
    assert view_values(state) == {"times": "10:00"}
    assert form.command_args(view_values(state)) == "10:00"


def test_home_view_stays_under_100_blocks_and_is_valid() -> None:
    replies = [Reply("x " * 20_000, title="Your history") for _ in range(5)]
    view = _home(replies)
    assert view_errors(view, expected_type="home") == []
    assert len(view["blocks"]) <= 100
    assert re.search("Check in now", str(view["blocks"][1]))


def test_core_command_names_become_boundary_subcommands() -> None:
    [block] = reply_blocks(Reply("Try /checkin weekly or /tip. See https://example.org/help and /boundary help."),
                           TEXTS)
    assert block["text"]["text"] == (
        "Try /boundary checkin weekly or /boundary tip. See https://example.org/help and /boundary help.")


def test_home_view_shows_the_uploaded_chart_with_its_alt_text_and_nothing_for_a_chart_not_uploaded() -> None:
    alt = "Safety scores from 1 to 27 March: " + "steady around 4. " * 200  # longer than Slack's 2,000
    chart = Reply("", image=Image(b"\x89PNG", alt, "history.png"))
    replies = [Reply("Your schedule"), Reply("Your history", title="History"), chart]

    shown = _home(replies, chart_file_id="F0CHART01")
    assert view_errors(shown, expected_type="home") == []
    [image] = [block for block in shown["blocks"] if block["type"] == "image"]
    assert image["slack_file"] == {"id": "F0CHART01"}
    assert len(image["alt_text"]) <= 2000
    assert image["alt_text"].startswith("Safety scores from 1 to 27 March")

    without = _home(replies)
    assert [block["type"] for block in without["blocks"]].count("image") == 0
    assert [block["type"] for block in without["blocks"]].count("divider") == 2  # no empty section for it


def test_home_buttons_follow_the_pause_state() -> None:
    def labels(paused: bool | None) -> list[str]:
        return [element["text"]["text"] for element in _home([], paused)["blocks"][1]["elements"]]

    assert "Resume" in labels(True)
    assert "Pause" not in labels(True)
    assert "Pause" in labels(False)
    assert "Resume" not in labels(False)
    assert {"Pause", "Resume"} <= set(labels(None))  # not known: both, as before
