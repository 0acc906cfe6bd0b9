"""Replies packed into as few platform messages as a per-message limit allows, counted in whatever parts the
platform draws a reply with (blocks, components): consecutive replies share a message while their parts fit;
a reply with more parts than one message holds is split, its last parts (its controls) staying with its last
piece; its files and picture go with that piece."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.messages import Attachment, Image, Reply

P = TypeVar("P")


@dataclass
class Packed(Generic[P]):
    replies: list[Reply] = field(default_factory=list)  # the replies (or pieces of one) this message holds
    parts: list[P] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)


def pack(replies: Sequence[Reply], parts_of: Callable[[Reply], list[P]], limit: int) -> list[Packed[P]]:
    messages: list[Packed[P]] = []
    current: Packed[P] = Packed()

    def flush() -> None:
        nonlocal current
        if current.parts or current.files or current.images:
            messages.append(current)
        current = Packed()

    for reply in replies:
        own = parts_of(reply)
        if current.parts and len(current.parts) + len(own) > limit:
            flush()
        while len(own) > limit:
            current = Packed([reply], own[:limit])
            own = own[limit:]
            flush()
        current.parts.extend(own)
        current.replies.append(reply)
        current.files.extend(reply.files)
        if reply.image is not None:
            current.images.append(reply.image)
    flush()
    return messages
