"""The pure half of the Discord adapter: replies -> messages within Discord's limits."""

from __future__ import annotations

import itertools
import json
from types import SimpleNamespace

import discord
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.platform import DISCORD_PERMISSIONS, DiscordSettings, discord_invite_urls
from adapters.discord.render import (
    MAX_BUTTONS_PER_ROW,
    MAX_COMPONENTS,
    MAX_CONTENT,
    MAX_EMBED_TOTAL,
    MAX_EMBEDS,
    MAX_LABEL,
    MAX_ROWS,
    ButtonSpec,
    Outgoing,
    Row,
    SelectSpec,
    Style,
    discord_files,
    form_modal,
    merge_messages,
    question_rows,
    render_replies,
    render_reply,
)
from adapters.discord.translate import modal_text
from adapters.discord.transport import delivery_error
from bot.__main__ import main
from bot.content.loader import load_content
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
    form_name,
    parse_text_value,
    parse_token,
    text_value,
)
from bot.ports import RateLimited, TemporaryFailure, Unreachable
from bot.text import split_text
from tests.conftest import CONTENT_DIR

TEXTS = load_content(CONTENT_DIR).texts


def _count(rows: tuple[Row, ...]) -> int:
    return sum(1 if isinstance(row, SelectSpec) else len(row) for row in rows)


def _ids(rows: tuple[Row, ...]) -> list[str]:
    return [row.custom_id if isinstance(row, SelectSpec) else button.custom_id
            for row in rows for button in ((row,) if isinstance(row, SelectSpec) else row)]  # type: ignore[misc]


def scale(skippable: bool = True) -> Question:
    return Question("s1", "safety", InputKind.SCALE,
                    tuple(Choice(str(n), str(n), f"label {n}") for n in range(1, 6)), skippable=skippable)


def single(count: int, skippable: bool = True, session: str = "s1") -> Question:
    return Question(session, "pick", InputKind.SINGLE,
                    tuple(Choice(f"v{n}", f"Option {n}") for n in range(count)), skippable=skippable)


def test_a_scale_is_one_row_of_buttons_plus_skip() -> None:
    rows = question_rows(scale(), TEXTS)
    assert len(rows) == 2
    first, skip = rows
    assert isinstance(first, tuple)
    assert isinstance(skip, tuple)
    assert [b.custom_id for b in first] == [f"ci:s1:safety:{n}" for n in range(1, 6)]
    assert first[0].label == "1 · label 1"
    assert skip == (ButtonSpec("Skip", "ci:s1:safety:skip", Style.SECONDARY),)
    assert all(parse_token(cid) is not None for cid in _ids(rows))


def test_no_skip_button_when_a_step_cannot_be_skipped() -> None:
    assert [len(row) for row in question_rows(scale(skippable=False), TEXTS) if isinstance(row, tuple)] == [5]


@pytest.mark.parametrize("count", [1, 5, 6, 12, 20, 24, 25, 26, 40])
def test_buttons_stay_within_five_a_row_five_rows_and_25_components(count: int) -> None:
    rows = question_rows(single(count), TEXTS)
    assert len(rows) <= MAX_ROWS
    assert _count(rows) <= MAX_COMPONENTS
    assert all(len(row) <= MAX_BUTTONS_PER_ROW for row in rows if isinstance(row, tuple))
    assert len(set(_ids(rows))) == len(_ids(rows))
    if count > MAX_COMPONENTS - 1:  # too many for buttons: degraded to one select of up to 25
        select = next(row for row in rows if isinstance(row, SelectSpec))
        assert len(select.options) == min(count, 25)
        assert select.max_values == 1
    else:
        assert sum(len(row) for row in rows if isinstance(row, tuple)) == count + 1


def test_multi_choice_is_a_select_with_min_one_and_max_n() -> None:
    question = Question("s1", "boundaries", InputKind.MULTI,
                        tuple(Choice(f"v{n}", f"Option {n}", "why") for n in range(7)), max_choices=7)
    select, skip = question_rows(question, TEXTS)
    assert isinstance(select, SelectSpec)
    assert (select.custom_id, select.min_values, select.max_values) == ("ci:s1:boundaries", 1, 7)
    assert [o.value for o in select.options] == [f"v{n}" for n in range(7)]
    assert isinstance(skip, tuple)
    assert skip[0].custom_id == "ci:s1:boundaries:skip"


def test_text_question_is_a_write_button_carrying_the_length_limit() -> None:
    question = Question("s1", "note", InputKind.TEXT, max_length=1500, placeholder="A few words")
    [row] = question_rows(question, TEXTS)  # "Write it" and "Skip" side by side
    assert isinstance(row, tuple)
    write, skip = row
    assert write.label == "Write it"
    token = parse_token(write.custom_id)
    assert token is not None
    assert parse_text_value(token.value) == 1500
    assert parse_text_value(text_value(0)) == 0
    assert parse_text_value("3") is None
    assert skip.custom_id == "ci:s1:note:skip"


def test_command_questions_like_snooze_are_buttons_too() -> None:
    question = Question("snooze", "42", InputKind.SINGLE,
                        (Choice("1h", "In an hour"), Choice("evening", "This evening"), Choice("skip", "Skip it")),
                        skippable=False, command="snooze")
    [row] = question_rows(question, TEXTS)
    assert isinstance(row, tuple)
    assert [b.custom_id for b in row] == ["ci:snooze:42:1h", "ci:snooze:42:evening", "ci:snooze:42:skip"]


def test_labels_are_shortened_to_80_characters() -> None:
    question = Question("s1", "pick", InputKind.SINGLE, (Choice("a", "word " * 40),), skippable=False)
    [row] = question_rows(question, TEXTS)
    assert isinstance(row, tuple)
    assert len(row[0].label) <= MAX_LABEL
    assert row[0].label.endswith("…")


def test_custom_ids_never_exceed_100_characters() -> None:
    session, step = "s" * 24, "t" * 24
    question = Question(session, step, InputKind.SINGLE, (Choice("v" * 40, "long"), Choice("x" * 41, "bad")))
    rows = question_rows(question, TEXTS)
    assert all(len(cid) <= 100 for cid in _ids(rows))
    assert "ci:" + session + ":" + step + ":" + "v" * 40 in _ids(rows)
    assert not any("x" * 41 in cid for cid in _ids(rows))  # not a valid token value: dropped, not sent


def test_long_text_splits_under_2000_characters_at_word_boundaries() -> None:
    words = [f"word{n}" for n in range(1200)]
    text = " ".join(words)
    chunks = split_text(text, MAX_CONTENT)
    assert len(chunks) > 1
    assert all(len(chunk) <= MAX_CONTENT for chunk in chunks)
    assert " ".join(chunks).split() == words  # no word cut in half, nothing lost


def test_a_single_huge_word_is_cut_rather_than_refused() -> None:
    chunks = split_text("x" * 4500, MAX_CONTENT)
    assert [len(c) for c in chunks] == [2000, 2000, 500]


def test_paragraphs_are_preferred_cut_points() -> None:
    text = "a" * 1500 + "\n\n" + "b" * 1000
    assert split_text(text, MAX_CONTENT) == ["a" * 1500, "b" * 1000]


def test_a_long_reply_keeps_its_question_on_the_last_message() -> None:
    messages = render_reply(Reply("word " * 900, title="Long", question=scale()), TEXTS)
    assert len(messages) == 3
    assert all(len(m.content) <= MAX_CONTENT for m in messages)
    assert [bool(m.rows) for m in messages] == [False, False, True]
    assert messages[0].content.startswith("**Long**")


def test_a_tip_is_an_embed_with_the_script_set_apart() -> None:
    reply = Reply("Say it once, then stop explaining.", title="A short no", script="No, I can't this week.",
                  tone=Tone.TIP, footer="More: /tip")
    [message] = render_reply(reply, TEXTS)
    assert message.content == ""
    [embed] = message.embeds
    data = embed.to_dict()
    assert data["title"] == "A short no"
    assert data["description"] == "Say it once, then stop explaining."
    assert data["fields"] == [{"name": "Try saying", "value": "> No, I can't this week.", "inline": False}]
    assert data["footer"]["text"] == "More: /tip"


def test_a_tip_too_long_for_an_embed_degrades_to_text() -> None:
    messages = render_reply(Reply("x " * 2500, title="Big", script="say this", tone=Tone.TIP), TEXTS)
    assert all(not m.embeds and len(m.content) <= MAX_CONTENT for m in messages)
    assert "> say this" in messages[-1].content


def test_a_plain_reply_with_script_quotes_it() -> None:
    [message] = render_reply(Reply("Here is your script.", script="line one\nline two", tone=Tone.SCRIPT), TEXTS)
    assert message.content == "Here is your script.\n\n> line one\n> line two"


def test_files_ride_on_the_last_message_and_become_discord_files() -> None:
    files = (Attachment("export.json", b"{}", "application/json"), Attachment("export.csv", b"a,b\n", "text/csv"))
    [message] = render_reply(Reply("Your data", files=files), TEXTS)
    assert message.files == files
    made = discord_files(message.files)
    assert [f.filename for f in made] == ["export.json", "export.csv"]
    assert all(isinstance(f, discord.File) for f in made)
    assert made[0].fp.read() == b"{}"


def test_modal_text_is_found_in_rows_and_labels() -> None:
    rows = [{"type": 1, "components": [{"type": 4, "custom_id": "text", "value": "hello"}]}]
    labels = [{"type": 18, "component": {"type": 4, "custom_id": "text", "value": "hi"}}]
    assert modal_text(rows) == "hello"
    assert modal_text(labels) == "hi"
    assert modal_text([]) is None


def _http_error(cls: type[discord.HTTPException], status: int, code: int = 0,
                headers: dict[str, str] | None = None) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="x", headers=headers or {})
    return cls(response, {"code": code, "message": "m"})  # type: ignore[arg-type]


def test_delivery_errors_map_to_what_the_dispatcher_does_next() -> None:
    assert isinstance(delivery_error(_http_error(discord.Forbidden, 403, 50007)), Unreachable)
    assert delivery_error(_http_error(discord.Forbidden, 403, 50013)) is None  # a real bug: not retried blindly
    limited = delivery_error(_http_error(discord.HTTPException, 429, headers={"Retry-After": "7.5"}))
    assert isinstance(limited, RateLimited)
    assert limited.retry_after == 7.5
    assert isinstance(delivery_error(_http_error(discord.DiscordServerError, 503)), TemporaryFailure)
    assert isinstance(delivery_error(TimeoutError()), TemporaryFailure)
    assert delivery_error(ValueError("nope")) is None


def test_invite_urls_ask_for_the_minimal_permissions() -> None:
    assert DISCORD_PERMISSIONS == 2048 + 16384 + 32768 + 2147483648
    urls = discord_invite_urls("123")
    assert "client_id=123" in urls["server"]
    assert "scope=bot+applications.commands" in urls["server"]
    assert f"permissions={DISCORD_PERMISSIONS}" in urls["server"]
    assert "integration_type=0" in urls["server"]
    assert "integration_type=1" in urls["user"]
    assert "scope=applications.commands" in urls["user"]


def test_invite_url_command(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "987")
    assert main(["discord", "invite-url"]) == 0
    assert "client_id=987" in capsys.readouterr().out
    monkeypatch.setenv("DISCORD_APPLICATION_ID", "")
    assert main(["discord", "invite-url"]) == 2


def test_discord_id_lists_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_GUILD_IDS", "1, 2,3")
    monkeypatch.setenv("DISCORD_SHARD_IDS", "")
    settings = DiscordSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.discord_guild_id_list() == [1, 2, 3]
    assert settings.discord_shard_id_list() == []
    assert settings.discord_api_base == "https://discord.com/api/v10"
    assert json.dumps(settings.discord_gateway_url) == '"wss://gateway.discord.gg/"'


def test_run_discord_without_a_token_says_what_to_set(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "")
    assert main(["run", "--adapter", "discord"]) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


def test_a_form_becomes_one_button_and_a_modal_within_discords_limits() -> None:
    fields = tuple(FormField(f"f{index}", "A label that goes on for much longer than forty-five characters",
                             "x" * 50, "p" * 300, max_length=20) for index in range(7))
    form = Form("schedule", "Your check-in schedule", "schedule", fields, open_label="Change schedule")
    [message] = render_reply(Reply("Daily at 09:00.", form=form), TEXTS)
    assert [(b.label, b.custom_id, b.style) for row in message.rows for b in row] == [  # type: ignore[union-attr]
        ("Change schedule", "bb:form:schedule", Style.SECONDARY)]
    inputs = [item for item in form_modal(form, TEXTS).children if isinstance(item, discord.ui.TextInput)]
    assert len(inputs) == 5
    assert all(len(field.label) <= 45 and len(field.placeholder or "") <= 100 for field in inputs)
    assert all(len(field.default or "") <= (field.max_length or 0) == 20 for field in inputs)
    assert form_name("bb:form:schedule", "bb:form:") == "schedule"
    assert form_name("bb:form:../x", "bb:form:") is None
    assert form_name("ci:abc:def", "bb:form:") is None


# ------------------------------------------------------------------ merging parts into as few messages as fit


def snooze_question() -> Question:
    return Question("snooze", "42", InputKind.SINGLE,
                    (Choice("1h", "In an hour"), Choice("evening", "This evening"), Choice("tomorrow", "Tomorrow"),
                     Choice("skip", "Skip it")), skippable=False, command="snooze")


def _controls(messages: list[Outgoing]) -> list[str]:
    return [custom_id for message in messages for custom_id in _ids(message.rows)]


def test_a_scheduled_prompt_is_one_message_with_both_sets_of_buttons() -> None:
    replies = [Reply("A minute for you, if you'd like it.", title="Daily check-in", tone=Tone.PROMPT),
               Reply("How emotionally safe did you feel today?", question=scale()),
               Reply("Not a good moment? Snooze it.", tone=Tone.INFO, question=snooze_question())]
    parts = render_replies(replies, TEXTS)
    assert len(parts) == 3
    [message] = merge_messages(parts)
    assert message.content == "\n\n".join(part.content for part in parts)
    assert message.content.startswith("**Daily check-in**")
    assert message.rows == (*parts[1].rows, *parts[2].rows)
    assert _controls([message]) == _controls(parts)
    assert len(message.rows) <= MAX_ROWS


def test_text_too_long_for_one_message_goes_in_as_few_as_fit() -> None:
    parts = [Outgoing(content=letter * 900) for letter in "abcde"]
    merged = merge_messages(parts)
    assert [m.content for m in merged] == ["a" * 900 + "\n\n" + "b" * 900, "c" * 900 + "\n\n" + "d" * 900, "e" * 900]
    exact = merge_messages([Outgoing(content="x" * 999), Outgoing(content="y" * 999)])  # 999 + 2 + 999 = 2000
    assert [len(m.content) for m in exact] == [MAX_CONTENT]
    over = merge_messages([Outgoing(content="x" * 1000), Outgoing(content="y" * 999)])
    assert [len(m.content) for m in over] == [1000, 999]


def test_more_than_five_rows_of_controls_stay_in_two_messages() -> None:
    first = render_reply(Reply("Pick one", question=single(15, session="s1")), TEXTS)[-1]  # 3 rows of buttons + Skip
    second = render_reply(Reply("And one more", question=single(5, session="s2")), TEXTS)[-1]  # 1 row + Skip
    assert (len(first.rows), len(second.rows)) == (4, 2)
    merged = merge_messages([first, second])
    assert merged == [first, second]
    assert _controls(merged) == _controls([first, second])


def test_the_same_custom_id_twice_is_never_put_in_one_message() -> None:
    again = render_reply(Reply("Which one?", question=scale()), TEXTS)[-1]
    assert merge_messages([again, again]) == [again, again]


def _embed(title: str, size: int = 10) -> discord.Embed:
    return discord.Embed(title=title, description="d" * size)


def test_embeds_are_kept_in_order_up_to_ten_a_message() -> None:
    parts = [Outgoing(content="Here are your tips.")] + [Outgoing(embeds=(_embed(f"tip {n}"),)) for n in range(12)]
    merged = merge_messages(parts)
    assert [len(m.embeds) for m in merged] == [MAX_EMBEDS, 2]
    assert merged[0].content == "Here are your tips."
    assert [e.title for m in merged for e in m.embeds] == [f"tip {n}" for n in range(12)]


def test_embeds_over_discords_total_size_are_not_merged() -> None:
    big = [Outgoing(embeds=(_embed(f"big {n}", 4000),)) for n in range(2)]
    assert sum(len(m.embeds[0]) for m in big) > MAX_EMBED_TOTAL
    assert merge_messages(big) == big


def test_text_after_an_embed_or_a_file_stays_below_it() -> None:
    tip = Outgoing(embeds=(_embed("tip"),))
    chart = Outgoing(content="Your last four weeks.", image=Image(b"png", "A rising line", "history.png"))
    thanks = Outgoing(content="Thank you for checking in.")
    assert merge_messages([tip, thanks]) == [tip, thanks]
    assert merge_messages([chart, thanks]) == [chart, thanks]
    [together] = merge_messages([thanks, chart])  # text before a file joins it, the file comes along
    assert together.content == "Thank you for checking in.\n\nYour last four weeks."
    assert together.image == chart.image


def test_attachments_ride_along_but_two_uploads_are_not_combined() -> None:
    export = Attachment("export.json", b"{}", "application/json")
    with_file = Outgoing(content="Your data", files=(export,))
    [merged] = merge_messages([Outgoing(content="Here it is."), with_file])
    assert merged.files == (export,)
    assert merge_messages([with_file, Outgoing(files=(export,))]) == [with_file, Outgoing(files=(export,))]


def test_a_blank_text_from_a_controls_only_part_is_not_joined_in() -> None:
    controls = Outgoing(content=" ", rows=question_rows(snooze_question(), TEXTS))
    [merged] = merge_messages([Outgoing(content="Snooze?"), controls])
    assert merged.content == "Snooze?"
    [alone] = merge_messages([controls, Outgoing(content=" ", rows=question_rows(scale(), TEXTS))])
    assert alone.content == " "  # Discord needs something; render_reply's placeholder stays


_part = st.builds(
    lambda text, rows, embeds, has_file, tag: Outgoing(
        content=text,
        embeds=tuple(_embed(f"{tag}-e{n}", size) for n, size in enumerate(embeds)),
        rows=tuple((ButtonSpec(f"b{n}", f"ci:{tag}:r{n}"),) for n in range(rows)),
        files=(Attachment(f"{tag}.txt", b"x"),) if has_file else ()),
    st.sampled_from(["", " ", "short", "m" * 700, "l" * 1500, "x" * 2000]),
    st.integers(0, 5), st.lists(st.sampled_from([10, 1500, 3000]), max_size=4), st.booleans(),
    st.uuids().map(lambda u: u.hex[:8]))


@given(st.lists(_part, max_size=12))
def test_merging_never_loses_anything_and_stays_within_every_limit(parts: list[Outgoing]) -> None:
    merged = merge_messages(parts)
    assert len(merged) <= len(parts)
    assert _controls(merged) == _controls(parts)  # every control, in order
    assert [e.title for m in merged for e in m.embeds] == [e.title for p in parts for e in p.embeds]
    assert [f for m in merged for f in m.files] == [f for p in parts for f in p.files]
    texts = [p.content for p in parts if p.content.strip()]
    assert [t for m in merged for t in m.content.split("\n\n") if t.strip()] == texts
    for message in merged:
        assert len(message.content) <= MAX_CONTENT
        assert len(message.rows) <= MAX_ROWS
        assert len(message.embeds) <= MAX_EMBEDS
        assert len(set(_ids(message.rows))) == len(_ids(message.rows))
    for first, second in itertools.pairwise(merged):  # as few as possible: no neighbours could join
        assert len(merge_messages([first, second])) == 2
