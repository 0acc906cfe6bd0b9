"""What the core needs from a platform adapter, and what an adapter tells the core about itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.messages import Address, Reply


@dataclass(frozen=True)
class Capabilities:
    """Limits an adapter renders within; it splits or degrades rather than fails."""

    max_text_length: int = 4000
    max_buttons: int = 25
    max_select_options: int = 25
    ephemeral: bool = False
    modals: bool = False
    images: bool = False
    rich_text: bool = False


class Transport(Protocol):
    """Sends replies to an address the core chose (scheduled prompts, follow-ups)."""

    async def send(self, address: Address, replies: Sequence[Reply]) -> None: ...


class Adapter(Transport, Protocol):
    name: str
    capabilities: Capabilities

    async def run(self) -> None:
        """Serve until stopped (or, for the console, until its input ends)."""
        ...
