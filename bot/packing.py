"""Messages packed into as few platform messages as its limits allow, for every adapter: each platform says
only whether two messages can be one (`join`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def packed(parts: Sequence[T], join: Callable[[T, T], T | None]) -> list[T]:
    """The parts, in order, packed into as few messages as `join` allows (it gives two as one, or None when
    they must stay apart): each part joins the message before it or starts the next. Packing greedily in order
    gives the fewest messages when whatever keeps two parts apart also keeps apart any longer run holding both."""
    merged: list[T] = []
    for part in parts:
        joined = join(merged[-1], part) if merged else None
        if joined is None:
            merged.append(part)
        else:
            merged[-1] = joined
    return merged
