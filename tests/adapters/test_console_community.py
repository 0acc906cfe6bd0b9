"""Community commands in the terminal: there is no channel of people there, so the console says where they work."""

from __future__ import annotations

from adapters.console.adapter import ConsoleAdapter
from bot.conversation import Conversation
from bot.events import Command
from bot.messages import Address


async def test_the_console_points_community_commands_to_a_server_or_workspace(
        console: ConsoleAdapter, service: Conversation) -> None:
    expected = service.texts.get("community_elsewhere")
    for line in ("/share it was a hard week", "/circle setup mon 18:00 Europe/Berlin", "/pulse open 3d"):
        assert expected in (await console.respond(line)).replace("\n", " ")


async def test_a_service_without_communities_says_so_instead_of_failing(service: Conversation) -> None:
    replies = (await service.handle(Command(Address("slack", "T1", "U1", "C1"), "pulse", "open 3d"))).replies
    assert replies[-1].text == service.texts.get("community_elsewhere")


async def test_words_of_a_community_command_are_still_read_for_danger_in_the_terminal(
        console: ConsoleAdapter, service: Conversation) -> None:
    out = await console.respond("/share I want to kill myself")
    assert service.texts.get("crisis_title") in out
    assert service.texts.get("community_elsewhere") not in out.replace("\n", " ")
