"""The echo adapter: text lines in, the core's Responses kept in memory (`responses`), nothing sent anywhere.

A line is one event: "/name args" a command, "!token values…" a click, "?token text" a text box sent,
"#form" opening a form and "#form name=value|…" sending it; anything else is typed text.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.conversation import Conversation
from bot.events import ChoicePicked, Command, FormOpened, FormSubmitted, Incoming, TextSubmitted
from bot.messages import Address, Reply
from bot.ports import Capabilities, Unreachable
from bot.response import Response


def parse_line(address: Address, line: str) -> Incoming:
    head, _, rest = line.strip().partition(" ")
    if head.startswith("/"):
        return Command(address, head[1:], rest.strip())
    if head.startswith("!"):
        return ChoicePicked(address, head[1:], tuple(rest.split()))
    if head.startswith("?"):
        return TextSubmitted(address, rest, head[1:])
    if head.startswith("#"):
        pairs = tuple((name, value) for name, _, value in (pair.partition("=") for pair in rest.split("|")))
        return FormSubmitted(address, head[1:], pairs) if rest else FormOpened(address, head[1:])
    return TextSubmitted(address, line.rstrip("\n"))


class EchoAdapter:
    name = "echo"
    capabilities = Capabilities(max_buttons=5)

    def __init__(self, conversation: Conversation, user_id: str = "echo") -> None:
        self._conversation = conversation
        self.address = Address(self.name, "local", user_id)
        self.responses: list[Response] = []
        self.closed = False  # the person's direct messages refuse the bot: a send is Unreachable

    async def hear(self, line: str) -> Response:
        response = await self._conversation.handle(parse_line(self.address, line))
        self.responses.append(response)
        return response

    async def send(self, address: Address, replies: Sequence[Reply]) -> None:
        if self.closed:
            raise Unreachable("direct messages closed")
        self.responses.append(Response(tuple(replies)))
