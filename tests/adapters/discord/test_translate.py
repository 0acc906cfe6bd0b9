"""Discord -> the core's events, on interactions and messages as Discord sends them (recorded/payloads.json:
gateway INTERACTION_CREATE and MESSAGE_CREATE data in Discord's own shape). No client, no network."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from adapters.discord.translate import (
    Origin,
    PulseFormEvent,
    click,
    command,
    command_payloads,
    dm_text,
    focused,
    picked_labels,
    submission,
)
from bot.content.loader import Content
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, TextSubmitted
from bot.messages import Address
from bot.response import Place, Roles

RECORDED: dict[str, Any] = json.loads((Path(__file__).parent / "recorded" / "payloads.json").read_text("utf-8"))
ANA = "80351110224678912"
DM_CHANNEL = "1200000000000000001"
GUILD, GUILD_CHANNEL = "1300000000000000001", "1300000000000000002"


def read(name: str) -> tuple[Origin, dict[str, Any]]:
    payload = RECORDED[name]
    return Origin.of(payload), payload["data"]


def in_dm() -> Address:
    return Address("discord", "dm", ANA, DM_CHANNEL)


def in_server() -> Address:
    return Address("discord", "dm", ANA, GUILD_CHANNEL)


def test_who_acted_and_where_in_a_dm_and_in_a_server() -> None:
    dm, _ = read("slash_checkin_dm")
    assert (dm.address, dm.place, dm.roles) == (in_dm(), Place.DM, Roles())
    member, _ = read("slash_schedule_guild")
    assert (member.address, member.place, member.roles) == (in_server(), Place.SHARED, Roles())
    admin, _ = read("slash_circle_setup")
    assert (admin.guild_id, admin.roles) == (GUILD, Roles(admin=True, moderator=True))


@pytest.mark.parametrize(("name", "expected"), [
    ("slash_checkin_dm", Command(in_dm(), "checkin", "weekly")),
    ("slash_schedule_guild", Command(in_server(), "schedule", "weekdays 09:00 in Europe/Berlin")),
    ("slash_schedule_zone_only", Command(in_dm(), "schedule", "in Asia/Tokyo")),
    ("slash_circle_setup", Command(in_server(), "circle", "setup thu 18:00 Europe/Lisbon")),  # the declared order
    ("slash_pulse_open", Command(in_server(), "pulse", "open 3d min 5")),
    ("slash_pulse_status", Command(in_server(), "pulse", "status")),
    ("slash_share_text", Command(in_server(), "share", "Said no to the late meeting.\nIt went fine.")),
    ("slash_share_empty", FormOpened(in_server(), "share")),  # the box to write it in
    ("slash_help", Command(in_dm(), "help", "")),
])
def test_slash_commands_are_the_commands_a_person_would_type(name: str, expected: Command | FormOpened) -> None:
    assert command(*read(name)) == expected


def test_autocomplete_reads_the_option_being_typed() -> None:
    assert focused(read("autocomplete_tip_topic")[1]) == ("topic", "say")
    assert focused(read("autocomplete_circle_timezone")[1]) == ("timezone", "berl")


def test_clicks_on_buttons_selects_forms_and_the_pulse_form() -> None:
    assert click(*read("click_button_dm")) == ChoicePicked(in_dm(), "ci:s1abc:safety:4", ())
    assert click(*read("click_select_dm")) == ChoicePicked(in_dm(), "ci:s1abc:boundaries", ("no", "help"))
    assert click(*read("click_form_button")) == FormOpened(in_dm(), "schedule")
    pulse = click(*read("click_pulse_select"))
    assert isinstance(pulse, PulseFormEvent)
    assert (pulse.token.step, pulse.token.round_id, pulse.token.digits, pulse.values) == (
        "f2", "AbCdEf123456", "1___", ("4",))
    join = click(*read("click_pulse_join"))
    assert isinstance(join, PulseFormEvent)
    assert join.token.step == "join"
    assert click(*read("click_unknown")) is None  # answered like a dead button


def test_what_was_picked_is_read_from_the_message_clicked() -> None:
    message = RECORDED["click_select_dm"]["message"]
    assert picked_labels(message["components"], "ci:s1abc:safety:4", ()) == ["4 · Mostly safe"]
    assert picked_labels(message["components"], "ci:s1abc:boundaries", ("no", "help")) == ["Said no",
                                                                                           "Asked for help"]
    assert picked_labels(message["components"], "ci:gone:step:1", ()) == []


def test_modal_submissions() -> None:
    assert submission(*read("modal_text_answer")) == TextSubmitted(in_dm(), "A walk after lunch", token="ci:s1abc:note")
    assert submission(*read("modal_text_answer_in_label")) == TextSubmitted(in_dm(), "In a label",
                                                                           token="ci:s1abc:note")
    assert submission(*read("modal_schedule_form")) == FormSubmitted(
        in_dm(), "schedule", (("times", "weekdays 09:00"), ("zone", "Europe/Berlin")))
    comment = submission(*read("modal_pulse_comment"))
    assert isinstance(comment, PulseFormEvent)
    assert (comment.submitted, comment.comment, comment.token.digits) == (True, "More focus time", "1234")
    assert submission(*read("modal_unknown")) is None


def message(name: str) -> SimpleNamespace:
    """A MESSAGE_CREATE / MESSAGE_UPDATE payload as discord.py presents it (what dm_text reads of it)."""
    payload = RECORDED[name]
    author = SimpleNamespace(id=int(payload["author"]["id"]), bot=bool(payload["author"].get("bot")))
    return SimpleNamespace(guild=payload.get("guild_id"), author=author, content=payload["content"],
                           channel=SimpleNamespace(id=int(payload["channel_id"])))


def test_a_dm_is_typed_text_and_nothing_else_is_read() -> None:
    assert dm_text(message("message_dm")) == TextSubmitted(in_dm(), "3")
    assert dm_text(message("message_edit_dm")) == TextSubmitted(in_dm(), "3, and I want to hurt myself")
    assert dm_text(message("message_guild")) is None  # a server's channel is never read
    assert dm_text(message("message_from_a_bot")) is None


def test_the_commands_registered_are_the_ones_discord_py_registered(content: Content) -> None:
    """The same commands, options, types, choices and permissions as discord.py's CommandTree sent before the
    adapter declared them itself (descriptions and choice names come from the content)."""

    def shape(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: shape(value) for key, value in node.items() if key != "description"
                    and not (key == "name" and isinstance(node.get("value"), str) and "type" not in node)}
        return [shape(value) for value in node] if isinstance(node, list) else node

    assert shape(command_payloads(content)) == RECORDED["commands_as_discord_py_registered_them"]
