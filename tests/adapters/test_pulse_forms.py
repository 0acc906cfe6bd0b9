"""The private pulse forms fit what the platforms accept for any pulse set the content schema allows (2-10
statements of up to 150 characters, a scale of up to ten points), start empty, and carry picks faithfully:
checked with the fakes' own Slack Block Kit rules and Discord component rules."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.render import SelectSpec, render_page
from adapters.slack.render import item_block, missing_errors, pulse_modal
from adapters.slack.translate import form_scores
from bot.community.pulse_pages import PER_PAGE, UNANSWERED, page, page_count, page_of, read_token, scores_of
from bot.community.pulses import PulseForm
from bot.content.loader import load_content
from bot.content.schema import PulseComment
from bot.messages import TOKEN_MAX_LENGTH, Choice, parse_token
from tests.conftest import CONTENT_DIR
from tests.fakes.slack_server import view_errors

TEXTS = load_content(CONTENT_DIR).texts


@st.composite
def forms(draw: st.DrawFn) -> PulseForm:
    low = draw(st.integers(0, 5))
    high = draw(st.integers(low + 1, 9))
    items = tuple(draw(st.lists(st.text(min_size=1, max_size=150).filter(str.strip), min_size=2, max_size=10)))
    labels = draw(st.lists(st.text(max_size=40), min_size=high - low + 1, max_size=high - low + 1))
    scale = tuple(Choice(str(point), f"{point} · {label}" if label else str(point))
                  for point, label in zip(range(low, high + 1), labels, strict=True))
    comment = draw(st.none() | st.builds(PulseComment, prompt=st.just("Anything else?"),
                                         max_length=st.integers(1, 1000)))
    round_id = draw(st.from_regex(r"[A-Za-z0-9]{12}", fullmatch=True))
    return PulseForm(round_id, "C0FAKECHN", draw(st.text(min_size=1, max_size=60)),
                     draw(st.text(min_size=1, max_size=700)), (), items, scale, comment)


@settings(max_examples=60, deadline=None)
@given(forms())
def test_the_slack_modal_is_valid_starts_empty_and_reads_back(form: PulseForm) -> None:
    view = pulse_modal(form, TEXTS)
    assert view_errors(view, expected_type="modal") == []
    assert "initial_option" not in str(view)
    assert form_scores({"state": {"values": {}}}, len(form.items)) == [None] * len(form.items)
    picked = {item_block(n): {"score": {"type": "radio_buttons", "selected_option": {"value": form.scale[-1].value}}}
              for n in range(1, len(form.items) + 1, 2)}
    scores = form_scores({"state": {"values": picked}}, len(form.items))
    assert [n for n, s in enumerate(scores, start=1) if s is not None] == list(range(1, len(form.items) + 1, 2))
    assert set(missing_errors(TEXTS, [2])) == {"item-2"}


@settings(max_examples=60, deadline=None)
@given(forms(), st.data())
def test_the_discord_form_fits_discord_and_carries_every_pick(form: PulseForm, data: st.DataObject) -> None:
    total = len(form.items)
    digits = UNANSWERED * total
    for number in range(1, page_count(total) + 1):
        shown = render_page(page(TEXTS, form, digits, number))
        assert len(shown.content) <= 2000
        assert len(shown.rows) <= 5
        selects = [row for row in shown.rows if isinstance(row, SelectSpec)]
        assert len(selects) == min(PER_PAGE, total - (number - 1) * PER_PAGE)
        for row in shown.rows:
            ids = [row.custom_id] if isinstance(row, SelectSpec) else [button.custom_id for button in row]
            assert all(len(cid) <= TOKEN_MAX_LENGTH and parse_token(cid) is not None for cid in ids)
        assert not any(option.default for select in selects for option in select.options)  # starts empty
    # Picks in any order, each redrawn from the token the select carried: the last one's token holds them all.
    picks = data.draw(st.lists(st.tuples(st.integers(1, total), st.sampled_from([c.value for c in form.scale])),
                               max_size=12))
    expected: list[int | None] = [None] * total
    for number, value in picks:
        select = next(row for row in render_page(page(TEXTS, form, digits, page_of(number))).rows
                      if isinstance(row, SelectSpec) and row.custom_id.split(":")[2] == f"f{number}")
        token = read_token(select.custom_id)
        assert token is not None
        digits = token.digits[:number - 1] + value + token.digits[number:]
        expected[number - 1] = int(value)
    assert scores_of(digits) == expected
