"""The pacer keeps the bot under Discord's 50 requests a second counted per request, not per prompt."""

from __future__ import annotations

from collections import deque

import pytest

from adapters import rate_limits
from bot.messages import Address, Reply
from bot.ports import request_cost
from bot.scheduling.pacing import Limit, Pacer

DISCORD_LIMIT_PER_SECOND = 50


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def busiest_second(times: list[float]) -> int:
    window: deque[float] = deque()
    most = 0
    for moment in sorted(times):
        window.append(moment)
        while window[0] <= moment - 1.0:
            window.popleft()
        most = max(most, len(window))
    return most


def send_prompts(pacer: Pacer, clock: Clock, prompts: int, requests_each: int) -> list[float]:
    """What the dispatcher does: wait for a token, charge the rest of the send, then make the requests."""
    sent: list[float] = []
    for person in range(prompts):
        address = Address("discord", "", str(person))
        for _ in range(3):  # one wait is enough; a pacer that keeps asking for more would hang its sender
            if (wait := pacer.delay(address)) == 0:
                break
            clock.now += wait
        else:
            raise AssertionError(f"still told to wait {wait!r} s after waiting what it asked for")
        pacer.charge(address, requests_each - 1)
        sent.extend([clock.now] * requests_each)  # the requests of one send go out together
    return sent


def test_three_request_prompts_stay_under_discords_limit_in_every_second() -> None:
    clock = Clock()
    sent = send_prompts(Pacer(clock=clock, **rate_limits()), clock, prompts=600, requests_each=3)
    assert busiest_second(sent) <= DISCORD_LIMIT_PER_SECOND
    took = max(sent) - min(sent)
    assert 1800 / took > 40, "and it still uses most of the budget rather than crawling"


def test_without_charging_the_rest_a_three_request_prompt_would_break_the_limit() -> None:
    clock = Clock()
    sent = send_prompts(Pacer(clock=clock, **rate_limits()), clock, prompts=600, requests_each=1)
    tripled = [moment for moment in sent for _ in range(3)]
    assert busiest_second(tripled) > DISCORD_LIMIT_PER_SECOND  # what the drills measured before the charge


def test_a_charge_makes_the_next_send_wait_for_the_requests_it_used() -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, **rate_limits())
    ana, ben = Address("discord", "", "1"), Address("discord", "", "2")
    assert pacer.delay(ana) == 0
    pacer.charge(ana, 4)
    assert pacer.delay(ben) == (1 + 4) / 40


def test_a_transport_that_cannot_count_is_charged_one_request_per_reply() -> None:
    class Plain:
        async def send(self, address: Address, replies: object) -> None: ...

    class Counting(Plain):
        def request_cost(self, address: Address, replies: object) -> int:
            return 1 if address.channel_id else 3

    replies = [Reply("hello"), Reply("how are you?")]
    assert request_cost(Plain(), Address("discord", "", "1"), replies) == 2
    assert request_cost(Counting(), Address("discord", "", "1"), replies) == 3
    assert request_cost(Counting(), Address("discord", "", "1", "55"), replies) == 1


@pytest.mark.parametrize("rate", [44.0, 46.0, 48.0, 50.0 / 3])
def test_waiting_what_the_pacer_asks_is_always_enough(rate: float) -> None:
    clock = Clock()
    pacer = Pacer(clock=clock, platform_limits={"discord": Limit(rate, 1.0, per_workspace=False)},
                  channel_limits={})
    sent = send_prompts(pacer, clock, prompts=300, requests_each=3)
    assert len(sent) == 900
