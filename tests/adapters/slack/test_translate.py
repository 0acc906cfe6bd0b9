"""Slack payloads -> core events, on payload dicts shaped as Slack sends them (no network, no bolt): what a person
did is what the core hears, and what the app does not act on is nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.render import EXAMPLES_ACTION, EXAMPLES_BLOCK, TEXT_BLOCK, TEXT_CALLBACK
from adapters.slack.translate import (
    Typed,
    address,
    click_channel,
    click_event,
    command_event,
    home_opened,
    picked_labels,
    read_metadata,
    revoked,
    selected,
    text_modal_answer,
    typed,
    view_channel,
    view_event,
)
from bot.commands import split_command
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, TextSubmitted
from bot.messages import Address
from tests.fakes.slack_server import (
    CHANNEL_ID,
    TEAM_ID,
    USER_ID,
    app_home_opened,
    block_actions,
    message_im,
    slash_command,
    static_select,
    text_input,
    view_submission,
)

ME = Address("slack", TEAM_ID, USER_ID)
CONTEXT = {"team_id": TEAM_ID, "user_id": USER_ID}  # what bolt's context holds for these payloads

# A message event as Slack delivered it (Events API, a DM with the app), copied from a workspace's payload log.
RECORDED_DM = {
    "type": "message", "channel": "D0RECORDED", "user": USER_ID, "text": "3", "ts": "1700000123.000200",
    "event_ts": "1700000123.000200", "channel_type": "im", "team": TEAM_ID, "client_msg_id": "9f8e7d6c",
    "blocks": [{"type": "rich_text", "block_id": "Xy1", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": "3"}]}]}],
}


def test_an_address_is_the_workspace_and_the_person_and_an_enterprise_install_keys_by_its_enterprise() -> None:
    assert address(CONTEXT, "C1") == Address("slack", TEAM_ID, USER_ID, "C1")
    assert address({"enterprise_id": "E1", "user_id": USER_ID}) == Address("slack", "E1", USER_ID)
    assert address({}) == Address("slack", "", "")


@pytest.mark.parametrize(("text", "expected"), [
    ("", ("help", "")), ("   ", ("help", "")), ("tip saying-no", ("tip", "saying-no")),
    ("CheckIn  weekly  check", ("checkin", "weekly  check")),
    ("schedule\t09:00 mon-fri", ("schedule", "09:00 mon-fri")),
])
def test_the_slash_commands_text_is_a_command_and_its_arguments(text: str, expected: tuple[str, str]) -> None:
    assert split_command(text) == expected


def test_a_slash_command_becomes_the_core_command() -> None:
    assert command_event(slash_command(text="tip saying-no"), ME) == Command(ME, "tip", "saying-no")
    assert command_event(slash_command(text=""), ME) == Command(ME, "help", "")


def test_share_with_nothing_to_share_opens_the_form_while_a_modal_can_open() -> None:
    assert command_event(slash_command(text="share"), ME) == FormOpened(ME, "share")
    assert command_event(slash_command(text="share  some words"), ME) == Command(ME, "share", "some words")
    assert command_event(slash_command(text="share", trigger_id=""), ME) == Command(ME, "share", "")


def test_a_button_click_is_its_token_and_a_pick_carries_the_values() -> None:
    button = block_actions("ci:s1:score:4", value="4")
    assert click_event(button["actions"][0], ME) == ChoicePicked(ME, "ci:s1:score:4", ())
    one = block_actions("ci:s1:topic", selected_option={"value": "work", "text": {"text": "Work"}})
    assert click_event(one["actions"][0], ME) == ChoicePicked(ME, "ci:s1:topic", ("work",))
    many = block_actions("ci:s1:feel", selected_options=[{"value": "a", "text": {"text": "A"}}, {"value": ""},
                                                         {"value": "b", "text": {"text": "B"}}])
    assert selected(many["actions"][0]) == ("a", "b")
    assert picked_labels(many["actions"][0]) == ["A", "", "B"]
    assert picked_labels(button["actions"][0]) == ["4"]
    assert picked_labels(one["actions"][0]) == ["Work"]


def test_form_and_home_buttons_name_what_they_open_or_run() -> None:
    assert click_event({"action_id": "bb:form:schedule"}, ME) == FormOpened(ME, "schedule")
    assert click_event({"action_id": "bb:cmd:checkin"}, ME) == Command(ME, "checkin")
    assert click_event({"action_id": "bb:cmd:no-such-command"}, ME) is None
    assert click_event({"action_id": "someone-elses-button"}, ME) is None


def test_a_click_in_a_channel_names_it_and_one_in_a_view_names_none() -> None:
    assert click_channel(block_actions("ci:s1:score:4", value="4")) == CHANNEL_ID
    assert click_channel(block_actions("bb:cmd:checkin", view={"type": "home"})) == ""


def test_a_submitted_text_box_is_the_answer_to_its_token_with_the_ticked_examples_first() -> None:
    metadata = json.dumps({"token": "ci:s1:note", "channel": "D0DM"})
    values: dict[str, dict[str, dict[str, Any]]] = {
        EXAMPLES_BLOCK: {EXAMPLES_ACTION: {"type": "checkboxes", "selected_options": [{"value": "Ask for help"}]}},
        TEXT_BLOCK: {"text": text_input("and rest")},
    }
    view = view_submission(TEXT_CALLBACK, values, private_metadata=metadata)["view"]
    assert view_event(view, ME) == TextSubmitted(ME, "Ask for help\nand rest", token="ci:s1:note")
    assert view_channel(view) == "D0DM"
    assert text_modal_answer({"values": {TEXT_BLOCK: {"text": text_input("   ")}}}) == ""


def test_a_submitted_form_is_its_fields_by_name() -> None:
    view = view_submission("bb:formsubmit:schedule", {"times": {"value": text_input("09:00")},
                                                      "zone": {"value": text_input("Europe/Berlin")},
                                                      "day": {"pick": static_select("mon")}})["view"]
    assert view_event(view, ME) == FormSubmitted(ME, "schedule", (("times", "09:00"), ("zone", "Europe/Berlin")))
    assert view_channel(view) == ""
    assert view_event(view_submission("someone-elses-modal", {})["view"], ME) is None


def test_unreadable_private_metadata_is_empty() -> None:
    assert read_metadata("not json") == {}
    assert read_metadata("[1, 2]") == {}
    assert read_metadata("") == {}


def test_words_in_the_dm_are_read_and_the_apps_own_or_a_channels_are_not() -> None:
    assert typed(RECORDED_DM) is not None
    assert typed(message_im("3", channel="D0DM")["event"]) == Typed("D0DM", "3")
    assert typed({**message_im("hi", channel="D0DM")["event"], "subtype": "file_share"}) == Typed("D0DM", "hi")
    assert typed({**RECORDED_DM, "channel_type": "channel"}) is None
    assert typed({**RECORDED_DM, "bot_id": "B1"}) is None
    assert typed({**RECORDED_DM, "subtype": "channel_join"}) is None
    assert typed({**RECORDED_DM, "text": ""}) is None


def test_an_edited_dm_is_read_as_an_edit() -> None:
    edit = {"type": "message", "subtype": "message_changed", "channel": "D0DM", "channel_type": "im",
            "message": {"type": "message", "user": USER_ID, "text": "new words", "ts": "1.2"}}
    assert typed(edit) == Typed("D0DM", "new words", edited=True)
    assert typed({**edit, "message": {**edit["message"], "bot_id": "B1"}}) is None


def test_only_the_home_tab_shows_the_dashboard() -> None:
    assert home_opened(app_home_opened()["event"])
    assert not home_opened(app_home_opened(tab="messages")["event"])


def test_revoked_tokens_name_the_people_and_the_bot() -> None:
    assert revoked({"tokens": {"oauth": ["U1", "U2"], "bot": ["B1"]}}) == (["U1", "U2"], True)
    assert revoked({"tokens": {"oauth": ["U1"]}}) == (["U1"], False)
    assert revoked({}) == ([], False)
