"""Drill 2 — two bot instances on one PostgreSQL, both running the scheduler and the Discord adapter.

Promises: several processes on one database never deliver the same prompt twice (issue 4), and an answer
is applied once however many instances receive the click (DESIGN: "a click still works ... on another
instance"; flow state is one row per session with an optimistic version).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from drills.common import (
    PROMPT_BUTTON,
    TOKEN,
    BotProcess,
    DrillResult,
    Person,
    bot_environment,
    check_metrics_agree,
    finished,
    fresh_database,
    greeting_text,
    keygen,
    make_people,
    migrate,
    query,
    scrape,
    seed,
    spread,
    tally,
    wait_for_identify,
    workspace,
)
from drills.database import free_port
from tests.fakes.discord_server import FakeDiscord, SentMessage

STALE = "That check-in has moved on"


def prompt_message(fake: FakeDiscord, person: Person) -> tuple[str, SentMessage] | None:
    channel = fake.dm_channels.get(person.user_id)
    for message in fake.messages.get(channel, []) if channel is not None else []:
        for custom_id in message.custom_ids():
            match = PROMPT_BUTTON.match(custom_id)
            if match:
                return match.group(1), message
    return None


def replies_to(fake: FakeDiscord, person: Person, session: str, since: float) -> tuple[int, int]:
    """(next questions, stale notices) the person got after `since`: follow-ups to their interactions and DMs."""
    messages: list[SentMessage] = []
    for iid, interaction in fake.interactions.items():
        if interaction.user_id == person.user_id:
            messages += fake.followups.get(iid, [])
    channel = fake.dm_channels.get(person.user_id)
    if channel is not None:
        messages += fake.messages.get(channel, [])
    fresh = [m for m in messages if _accepted(m) >= since]
    questions = sum(1 for m in fresh if any(c.startswith(f"ci:{session}:boundaries") for c in m.custom_ids()))
    stale = sum(1 for m in fresh if m.content.startswith(STALE))
    return questions, stale


def _accepted(message: SentMessage) -> float:
    from drills.common import accepted_at

    return accepted_at(message)


async def run(quick: bool) -> DrillResult:
    people_count, clickers = (300, 12) if quick else (2_000, 60)
    result = DrillResult(
        "two", "two instances on one PostgreSQL", quick=quick,
        what=(f"Two bot processes share one PostgreSQL database and one fake Discord (each with its own gateway "
              f"session, as two processes logged in with one token: every event reaches both). {people_count:,} "
              f"prompts are due at once. Then {clickers} people answer the first question of their prompt in three "
              f"ways, a third each: (a) one click delivered to both instances, (b) a double click — two "
              f"interactions, one to each instance, at the same moment, (c) a typed answer in the DM, which both "
              f"instances receive. Afterwards each session's row is read back: one answer must have been applied, "
              f"once (version +1, next step), and the person must have been asked the next question once."))
    greeting = greeting_text()
    started = time.monotonic()
    async with FakeDiscord(token=TOKEN, multi_session=True) as fake, fresh_database() as dsn, \
            workspace("two") as folder:
        await migrate(dsn)
        people = make_people(fake, people_count)
        await seed(dsn, people)
        keys = keygen()
        ports = [free_port(), free_port()]
        bots = [BotProcess(name, bot_environment(fake, dsn, keys, folder, {"METRICS_PORT": str(port)}), folder)
                for name, port in zip(("bot-a", "bot-b"), ports, strict=True)]
        await asyncio.gather(*(bot.start() for bot in bots))
        await wait_for_identify(fake, 2, bots)
        deadline = time.monotonic() + people_count / 40 + 120
        while time.monotonic() < deadline:
            done, _ = await finished(dsn, people_count)
            if done:
                break
            await asyncio.sleep(1.0)
        await asyncio.sleep(2.0)
        counted = await tally(fake, dsn, people, greeting)
        if all(bot.alive for bot in bots):  # what the two processes' /metrics add up to, against the outbox
            await check_metrics_agree(result, dsn, [await scrape(port) for port in ports])

        # ---- answers, received by both instances
        sessions = [sid for sid, session in fake.sessions.items() if session.connected]
        chosen = [(person, found) for person in people[:clickers * 2]
                  if (found := prompt_message(fake, person)) is not None][:clickers]
        click_started = time.time()
        modes: dict[str, str] = {}
        failures: list[str] = []
        for index, (person, (session, message)) in enumerate(chosen):
            mode = "abc"[index % 3]
            modes[session] = mode
            custom_id = f"ci:{session}:safety:4"
            try:
                if mode == "a":
                    await fake.click_button(person.user_id, custom_id, message)
                elif mode == "b":
                    await asyncio.gather(*(fake.click_button(person.user_id, custom_id, message, session_ids=[sid])
                                           for sid in sessions[:2]))
                else:
                    await fake.user_message(person.user_id, "4")
            except ValueError as exc:
                failures.append(f"{mode}: {exc}")
        await asyncio.sleep(8.0)  # both instances answer (or refuse) well within this on a busy machine
        rows = await query(dsn, "SELECT id, step_id, version, status FROM flow_sessions WHERE id = ANY($1::text[])",
                           list(modes))
        control = await query(dsn, "SELECT version FROM flow_sessions WHERE id = ANY($1::text[]) LIMIT 50",
                              [found[0] for person in people[clickers * 2:clickers * 2 + 50]
                               if (found := prompt_message(fake, person)) is not None])
        start_version = Counter(int(r["version"]) for r in control).most_common(1)[0][0] if control else 1
        applied: Counter[str] = Counter()
        wrong: list[str] = []
        asked: Counter[str] = Counter()
        stale_total = 0
        for row in rows:
            mode = modes[str(row["id"])]
            steps = int(row["version"]) - start_version
            applied[f"{mode}:{steps}"] += 1
            if steps != 1 or row["step_id"] != "boundaries":
                wrong.append(f"{mode}: session {row['id']} at step {row['step_id']} version {row['version']}")
        for person, (session, _) in chosen:
            questions, stale = replies_to(fake, person, session, click_started)
            asked[f"{modes[session]}:{questions}"] += 1
            stale_total += stale
        rejected = len(fake.rejected_callbacks)
        errors = [line for bot in bots for line in bot.error_lines()]
        for bot in bots:
            await bot.stop()

    twice = sum(counted.extra.values())
    result.numbers.update({
        "prompts due": f"{people_count:,}",
        "delivered exactly once": f"{counted.once:,}",
        "lost / extra copies": f"{len(counted.lost)} / {twice}",
        "outbox at the end": str(dict(counted.status)),
        "due -> first delivery": spread(counted.latency_s, "s", 1),
        "people answering": f"{len(chosen)} ({Counter(modes.values())})",
        "answers applied (mode:steps advanced -> sessions)": str(dict(applied)),
        "next question sent (mode:times -> people)": str(dict(asked)),
        "stale-click notices (the losing instance's answer)": str(stale_total),
        "second answers to one interaction refused by Discord (40060)": str(rejected),
        "ERROR lines in the bots' logs": str(len(errors)),
    })
    if failures:
        result.numbers["clicks the fake could not deliver"] = "; ".join(failures[:5])
    result.check("no prompt delivered twice", twice == 0 and not counted.lost and counted.status.get("sent", 0)
                 == people_count, f"{twice} extra copies, {len(counted.lost)} lost, "
                 f"{counted.status.get('sent', 0)}/{people_count} sent")
    result.check("no answer applied twice", not wrong and len(rows) == len(chosen),
                 f"{len(rows) - len(wrong)} of {len(chosen)} sessions advanced exactly one step"
                 + (f"; e.g. {wrong[:3]}" if wrong else ""))
    once = sum(count for key, count in asked.items() if key.endswith(":1"))
    result.check("the next question asked once", once == len(chosen),
                 f"{once} of {len(chosen)} people got the next question exactly once ({dict(asked)})")
    typed_twice = [item for item in wrong if item.startswith("c:")]
    if typed_twice:
        result.findings.append(
            f"A TYPED ANSWER IS APPLIED TWICE when two instances receive the same DM ({len(typed_twice)} of "
            f"{Counter(modes.values())['c']} people here): a typed answer carries no token, so each instance "
            f"resolves it against the session's current step; the second, arriving after the first committed, "
            f"applies the same text to the NEXT step (here '4' answered the safety scale, then was recorded as "
            f"option 4 of the boundaries question, which the person never picked), and the person is moved on two "
            f"steps. The optimistic version cannot catch it: the second instance read the row after the first "
            f"wrote it. It happens whenever one MESSAGE_CREATE reaches two processes (two unsharded instances "
            f"with one token, as in this drill). Reproduce: `python -m drills --only two` (mode c). Expected: a "
            f"typed message is applied at most once (e.g. remember handled message ids, or bind a typed answer "
            f"to the step that was current when it was written).")
    if errors:
        result.limits.append("ERROR lines in the logs (expected: the losing instance's refused acknowledgement): "
                             + "; ".join(sorted({e.split(': ', 1)[-1][:120] for e in errors})[:5]))
    result.seconds = time.monotonic() - started
    return result
