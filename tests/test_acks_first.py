"""The gate that keeps answered requests' work back while requests are still being answered."""

from __future__ import annotations

import asyncio

from bot.acks_first import QuietGate

QUIET = 0.01


async def test_it_opens_a_moment_after_the_last_request_is_answered() -> None:
    gate = QuietGate(QUIET)
    loop = asyncio.get_running_loop()
    gate.enter()
    gate.enter()
    waiting = asyncio.ensure_future(gate.wait(loop.time() + 60))
    gate.leave()
    for _ in range(10):
        await asyncio.sleep(0)
    assert not waiting.done(), "one request is still being answered"
    gate.leave()
    left = loop.time()
    await asyncio.wait_for(waiting, 5)
    assert gate.is_open
    assert loop.time() - left >= QUIET * 0.9  # the moment of quiet, not at once


async def test_a_request_within_the_moment_of_quiet_keeps_it_shut() -> None:
    gate = QuietGate(QUIET)
    loop = asyncio.get_running_loop()
    gate.enter()
    gate.leave()
    gate.enter()  # the next request of the burst
    deadline = loop.time() + QUIET * 5
    await gate.wait(deadline)  # returns at the deadline only
    assert loop.time() >= deadline - 0.001
    assert not gate.is_open
    gate.leave()
    await asyncio.wait_for(gate.wait(loop.time() + 60), 5)
    assert gate.is_open


async def test_a_steady_stream_of_requests_cannot_hold_the_work_back_past_its_deadline() -> None:
    gate = QuietGate(QUIET)
    loop = asyncio.get_running_loop()
    gate.enter()  # never answered
    await asyncio.wait_for(gate.wait(loop.time() + 0.05), 5)
    assert not gate.is_open
    await asyncio.wait_for(gate.wait(loop.time() - 1), 0.01)  # past its deadline already: no wait at all


async def test_an_idle_gate_lets_work_through_at_once() -> None:
    gate = QuietGate(QUIET)
    assert gate.is_open
    await asyncio.wait_for(gate.wait(asyncio.get_running_loop().time() + 60), 0.01)
