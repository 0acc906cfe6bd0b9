"""Drill 1b — crash on Slack: the crash drill with `python -m bot run --adapter slack` (HTTP mode) and the fake
Slack. A prompt's message names its outbox row in its metadata; an attempt after a kill first looks in the DM
(conversations.history) and records a prompt that is already there instead of posting it again."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from drills.common import (
    FIRST_USER,
    SLACK_LISTENING,
    ZONES,
    BotProcess,
    DrillResult,
    Person,
    Received,
    fresh_database,
    greeting_text,
    keygen,
    workspace,
)
from drills.crash import Platform, crash_and_count
from drills.database import free_port
from drills.slack_load import slack_environment
from tests.fakes.slack_server import TEAM_ID, FakeSlackApi

PROMPT_ACTION = re.compile(r"^ci:([A-Za-z0-9_-]+):safety:")
SLACK_PACE = 20.0  # chat.postMessage a second per workspace (bot.scheduling.pacing)


class _Stamped(list[dict[str, Any]]):
    """The fake's message list, stamping when each message was accepted (the fake's ts is not a clock)."""

    def append(self, item: dict[str, Any]) -> None:
        item.setdefault("accepted_at", time.time())
        super().append(item)


def slack_user(person: Person) -> str:
    return f"U{person.user_id}"


def slack_people(fake: FakeSlackApi, count: int) -> list[Person]:
    """`count` people due this minute; half with their DM already known to the bot, half opened on first send."""
    from datetime import UTC, datetime

    start = datetime.now(UTC).replace(second=0, microsecond=0)
    seeded_at = time.time()
    people = [Person(index + 1, FIRST_USER + index + 1, ZONES[index % len(ZONES)], start, None, seeded_at)
              for index in range(count)]
    for person in people:
        fake.dm_channel_for(slack_user(person))
    return people


def slack_received(fake: FakeSlackApi, people: Sequence[Person], greeting: str) -> Mapping[int, Received]:
    by_channel: dict[str, list[dict[str, Any]]] = {}
    for message in fake.messages:
        by_channel.setdefault(str(message.get("channel")), []).append(message)
    found: dict[int, Received] = {}
    for person in people:
        got = Received()
        for message in by_channel.get(fake.dm_channel_for(slack_user(person)), []):
            got.messages += 1
            accepted = float(message.get("accepted_at") or 0.0)
            for block in message.get("blocks") or []:
                for element in block.get("elements") or []:
                    match = PROMPT_ACTION.match(str(element.get("action_id") or ""))
                    if match:
                        got.sessions.setdefault(match.group(1), accepted)
            if greeting and greeting[:40] in str(message.get("text") or "") + str(message.get("blocks")):
                got.greetings.append(accepted)
        found[person.user_id] = got
    return found


async def run(quick: bool) -> DrillResult:
    people_count, kills = (300, 2) if quick else (2_000, 4)
    result = DrillResult(
        "crash_slack", "SIGKILL at random moments, restart (Slack)", quick=quick,
        what=(f"{people_count:,} daily prompts due this minute (half the people with a known DM, half opened on "
              f"first send) go out through `python -m bot run --adapter slack` (HTTP mode) to the fake Slack, paced "
              f"at {SLACK_PACE:.0f} messages/s for the workspace; the process is killed with SIGKILL {kills} times at "
              f"random moments once it is up, and restarted after 0-2 s. Afterwards every person's DM is counted "
              f"against the deliveries table."))
    greeting = greeting_text()
    async with FakeSlackApi() as fake, fresh_database() as dsn, workspace("crash_slack") as folder:
        fake.messages = _Stamped()
        people = slack_people(fake, people_count)
        known = {person.identity_id for person in people[::2]}
        bot = BotProcess("bot", slack_environment(fake, dsn, keygen(), folder, free_port()), folder, adapter="slack")

        async def ready() -> None:
            await bot.logged(SLACK_LISTENING, this_start=True)

        platform = Platform(
            "slack", bot, ready, lambda: len(fake.messages), lambda: slack_received(fake, people, greeting),
            seed_options={"platform": "slack", "workspace_id": TEAM_ID, "user_of": slack_user,
                          "dm_of": lambda p: fake.dm_channel_for(slack_user(p)) if p.identity_id in known else None})
        await crash_and_count(result, platform, dsn, people, kills, people_count / SLACK_PACE)
        looked = fake.calls_to("conversations.history")
        result.numbers["DMs looked at before a repeat (conversations.history)"] = str(len(looked))
        result.numbers["chat.postMessage calls / prompts"] = \
            f"{len(fake.calls_to('chat.postMessage'))} / {people_count:,}"
    return result
