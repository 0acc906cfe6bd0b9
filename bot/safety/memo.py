"""A dictionary that fills itself, for the screen's per-word steps over a long message's twenty thousand words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

_V = TypeVar("_V")


class Memo(dict[str, _V]):
    """`memo[key]` is `function(key)`, worked out once and kept (for up to `size` keys; past that it is worked out
    each time): mapping a long message's words through `memo.__getitem__` is a plain dictionary look-up a word, a
    fraction of what an `lru_cache` call costs."""

    def __init__(self, function: Callable[[str], _V], size: int = 65_536) -> None:
        super().__init__()
        self._function = function
        self._size = size

    def __missing__(self, key: str) -> _V:
        value = self._function(key)
        if len(self) < self._size:
            self[key] = value
        return value
