"""Choosing a tip that fits today's answers, without repeating what the person saw recently."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from bot.content.schema import Tip

LOW_SAFETY = 2
GENTLE_TAGS = ("self-trust", "safety-signs")
NOT_A_BOUNDARY = frozenset({"none"})


@dataclass(frozen=True)
class TipRequest:
    tags: tuple[str, ...] = ()
    safety: int | None = None
    boundaries: tuple[str, ...] = ()
    topic: str | None = None

    @property
    def held_something(self) -> bool:
        return any(value not in NOT_A_BOUNDARY for value in self.boundaries)

    @property
    def stage(self) -> str:
        """Low safety and nothing held: small, safe first steps. A boundary held: help it hold again."""
        if self.held_something:
            return "reinforce"
        if self.safety is not None and self.safety <= LOW_SAFETY:
            return "first-step"
        return "practice"


class TipPicker:
    def __init__(self, tips: Sequence[Tip], rng: random.Random | None = None) -> None:
        self._tips = tuple(tips)
        self._rng = rng or random.Random()

    def score(self, tip: Tip, request: TipRequest) -> int:
        if tip.stage == "reinforce" and not (request.held_something and tip.tags[0] in request.tags):
            # A "reinforce" tip opens on what the person just did ("You held a no today"): only after a
            # check-in where they said they held that very kind of boundary, never from /tip.
            return 0
        if request.topic is not None:
            return 1 if request.topic in tip.tags else 0
        overlap = len(set(tip.tags) & set(request.tags))
        score = 3 * overlap
        if tip.stage == request.stage:
            score += 2 if overlap or not request.tags else 1
        if request.safety is not None and request.safety <= LOW_SAFETY and set(tip.tags) & set(GENTLE_TAGS):
            score += 1
        return score

    def pick(self, request: TipRequest, recent: Sequence[str] = ()) -> Tip | None:
        """Best-fitting tip not among `recent` (newest first); if every fitting tip is recent, the oldest seen."""
        scored = [(self.score(tip, request), tip) for tip in self._tips]
        fitting = [(score, tip) for score, tip in scored if score > 0]
        if not fitting:
            if request.topic is not None:
                return None
            fitting = [(1, tip) for tip in self._tips]
        seen = set(recent)
        fresh = [(score, tip) for score, tip in fitting if tip.id not in seen]
        if fresh:
            best = max(score for score, _ in fresh)
            return self._rng.choice([tip for score, tip in fresh if score == best])
        order: dict[str, int] = {}
        for index, tip_id in enumerate(recent):
            order.setdefault(tip_id, index)  # a tip shown twice counts from its latest showing
        return max((tip for _, tip in fitting), key=lambda tip: (order.get(tip.id, -1), -self._tips.index(tip)))
