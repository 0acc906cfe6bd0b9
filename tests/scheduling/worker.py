"""A delivery worker in its own process, for the multi-process tests.

    python -m tests.scheduling.worker DATABASE_URL OUTFILE [--lease SECONDS] [--send-ms MS] [--wait-for-go]
                                      [--keyed] [--hang-after-accepting]

Builds the real ScheduleStore and Dispatcher (real clock, short lease) with a transport that appends one
JSON line per sent prompt to OUTFILE (O_APPEND, one os.write per line, so lines from several processes
never interleave), and runs `tick()` until the outbox has no pending or sending rows. With --wait-for-go it
connects, prints "ready" and starts only when a line arrives on stdin, so a test can start several at once
(or one at a chosen moment) without guessing how long an interpreter takes to start. With --keyed the file is a
platform that keeps one message per outbox row (as Discord's enforced nonce does); with --hang-after-accepting
every send hangs once the platform has it, and the worker prints "accepted" after the first: the moment to kill it.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import text

from bot.messages import Address, Reply
from bot.scheduling.dispatcher import Dispatcher, Prompt
from bot.scheduling.pacing import Pacer
from bot.scheduling.store import PENDING, SENDING, DeliveryJob, ScheduleStore
from bot.storage.database import make_engine, make_sessionmaker

CONCURRENCY = 32


class TrivialPrompts:
    """The smallest PromptSource: the text names the (schedule, slot) it is for, so the test can count."""

    async def prompt_for(self, job: DeliveryJob) -> Prompt:
        return Prompt([Reply(f"hi {job.schedule_id} {job.slot}")])


class FileTransport:
    """A platform that 'accepts' a message by appending it to a file, after a short network-like wait."""

    def __init__(self, path: str, send_seconds: float) -> None:
        self._path = path
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._send_seconds = send_seconds
        self._pid = os.getpid()

    async def send(self, address: Address, replies: Sequence[Reply]) -> None:
        await asyncio.sleep(self._send_seconds)
        _, schedule_id, slot = replies[0].text.split(" ", 2)
        line = json.dumps({"schedule": int(schedule_id), "slot": slot, "user": address.user_id, "pid": self._pid,
                           "at": round(time.time(), 4)})
        os.write(self._fd, (line + "\n").encode())

    def close(self) -> None:
        os.close(self._fd)


class KeyedFileTransport(FileTransport):
    """A platform that keeps one message per outbox row whoever sends it, from any process (an exclusive lock
    on the file around look-and-append), as Discord does with an enforced nonce."""

    def __init__(self, path: str, send_seconds: float, *, hang_after_accepting: bool = False) -> None:
        super().__init__(path, send_seconds)
        self._hang = hang_after_accepting
        self._told = False

    def _accept(self, key: str, line: str) -> bool:
        """Append `line` unless a message for `key` is there already; False when it was."""
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            with open(self._path, encoding="utf-8") as sent:
                if any(json.loads(kept).get("key") == key for kept in sent if kept.strip()):
                    return False
            os.write(self._fd, (line + "\n").encode())
            return True
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    async def send_keyed(self, address: Address, replies: Sequence[Reply], key: str, *,
                         maybe_sent_since: datetime | None) -> bool:
        await asyncio.sleep(self._send_seconds)
        _, schedule_id, slot = replies[0].text.split(" ", 2)
        line = json.dumps({"schedule": int(schedule_id), "slot": slot, "user": address.user_id, "pid": self._pid,
                           "key": key, "at": round(time.time(), 4)})
        if not await asyncio.to_thread(self._accept, key, line):
            return True
        if self._hang:
            if not self._told:
                self._told = True
                print("accepted", flush=True)
            await asyncio.Event().wait()  # the platform has it; the process never records it
        return False


async def run(url: str, outfile: str, lease: float, send_ms: float, wait_for_go: bool = False, *,
              keyed: bool = False, hang_after_accepting: bool = False) -> None:
    engine = make_engine(url)
    store = ScheduleStore(make_sessionmaker(engine))
    transport = KeyedFileTransport(outfile, send_ms / 1000, hang_after_accepting=hang_after_accepting) \
        if keyed else FileTransport(outfile, send_ms / 1000)
    no_limits = Pacer(platform_limits={}, channel_limits={})
    dispatcher = Dispatcher(store, TrivialPrompts(), {"discord": transport}, pacer=no_limits,
                            lease_for=timedelta(seconds=lease), concurrency=CONCURRENCY, instance=f"w{os.getpid()}")
    try:
        if wait_for_go:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            print("ready", flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        while True:
            stats = await dispatcher.tick()
            counts = await store.counts()
            if counts.get(PENDING, 0) + counts.get(SENDING, 0) == 0:
                break
            if stats.claimed + stats.sent + stats.retried + stats.skipped + stats.failed == 0:
                await asyncio.sleep(0.05)  # rows leased by someone else, or waiting for a retry
    finally:
        transport.close()
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("outfile")
    parser.add_argument("--lease", type=float, default=2.0, help="lease_for, seconds")
    parser.add_argument("--send-ms", type=float, default=5.0, help="how long one send takes")
    parser.add_argument("--wait-for-go", action="store_true", help="print 'ready', start on a line from stdin")
    parser.add_argument("--keyed", action="store_true", help="a platform that keeps one message per outbox row")
    parser.add_argument("--hang-after-accepting", action="store_true",
                        help="sends hang once accepted; print 'accepted' after the first")
    options = parser.parse_args()
    asyncio.run(run(options.url, options.outfile, options.lease, options.send_ms, options.wait_for_go,
                    keyed=options.keyed, hang_after_accepting=options.hang_after_accepting))


if __name__ == "__main__":
    main()
