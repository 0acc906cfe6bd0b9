"""What the core needs from a platform adapter, and what an adapter tells the core about itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.messages import Address, Reply


@dataclass(frozen=True)
class Capabilities:
    """Limits an adapter renders within; it splits or degrades rather than fails."""

    max_text_length: int = 4000
    max_buttons: int = 25  # answers shown as buttons; more become one select (bot.layout)
    max_select_options: int = 25
    ephemeral: bool = False
    private_files: bool = True  # files can be shown to one person in a shared channel
    max_text_box: int = 4000  # the longest answer a text box takes
    choices_in_text_box: bool = False  # a text box can offer examples to tick (a modal with checkboxes)
    modals: bool = False
    images: bool = False
    rich_text: bool = False


class Transport(Protocol):
    """Sends replies to an address the core chose (scheduled prompts, follow-ups)."""

    async def send(self, address: Address, replies: Sequence[Reply]) -> None: ...


@runtime_checkable
class CostedTransport(Transport, Protocol):
    """A transport that can say how many platform requests a send will take (a prompt to a person whose
    DM is not open yet may take two: open the DM, post). The pacer charges that many,
    so the bot stays under a per-request limit rather than a per-prompt one."""

    def request_cost(self, address: Address, replies: Sequence[Reply]) -> int: ...


class KeyedTransport(Transport, Protocol):
    """A transport whose sends are safe to repeat. `key` names the outbox row and is the same for every attempt
    (in any process); `maybe_sent_since`, when set, says an earlier attempt may have reached the platform (it
    timed out, or its process or database went away before the outcome was recorded), and not before that moment.
    A platform may refuse a second copy itself (a nonce per message, enforced), or the adapter looks for the
    earlier copy first, among the messages since then (the core paces that look-up with `Pacer(lookup_limits=...)`).
    Returns True when the message was already there and nothing new was posted."""

    async def send_keyed(self, address: Address, replies: Sequence[Reply], key: str, *,
                         maybe_sent_since: datetime | None) -> bool: ...


def request_cost(transport: Transport, address: Address, replies: Sequence[Reply]) -> int:
    """Requests a send will take: the transport's own count, or one per reply when it cannot say."""
    if isinstance(transport, CostedTransport):
        return max(1, transport.request_cost(address, replies))
    return max(1, len(replies))


class Adapter(Transport, Protocol):
    name: str
    capabilities: Capabilities

    async def run(self) -> None:
        """Serve until stopped (or, for a terminal, until its input ends)."""
        ...


class PersonalTraces(Protocol):
    """What an adapter keeps about a person outside the core's tables, removed on /forget and by retention:
    the files it put on its platform for them, and (where the app is installed per workspace) who installed it."""

    async def remove_files(self, workspace_id: str, refs: Sequence[str]) -> list[str]:
        """Delete these files where they are; return the refs that are gone (now or before)."""
        ...

    async def forget_person(self, address: Address) -> bool | None:
        """Forget what the adapter keeps; True when its messages to the person are being deleted too."""
        ...


class DeliveryError(Exception):
    """Raised by a Transport when a message could not be delivered; the subclasses say what to do next."""


class RateLimited(DeliveryError):
    """The platform asked us to wait (HTTP 429); `retry_after` is in seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after:.2f}s")
        self.retry_after = retry_after


class Unreachable(DeliveryError):
    """The person cannot receive direct messages (closed DMs, a blocked or removed app)."""


class TemporaryFailure(DeliveryError):
    """A 5xx, a timeout or a dropped connection: worth retrying later."""
