"""One small driver per platform, so each contract scenario is written once: a person sends a command, says
something in their direct messages, clicks answers, writes in a text box, fills a form, and reads what they saw.

Each drives its adapter through the adapter's public constructor and its own fake: Discord's real discord.py
client against tests/fakes/discord_server.py, Slack's real slack-bolt app against tests/fakes/slack_server.py
(with signed requests), the console through its stdin/stdout, echo in memory. A new platform adds a driver here.
"""

from __future__ import annotations

import contextlib
import html
import io
import itertools
import re
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

import aiohttp
import pytest

from adapters.console.adapter import ConsoleAdapter
from adapters.echo.adapter import EchoAdapter
from bot.content.loader import Content
from bot.conversation import Conversation
from bot.events import FormOpened
from bot.layout import layout
from bot.messages import Address, Question, Reply
from bot.ports import Transport
from bot.response import OpenForm, TextBox
from tests.adapters.discord.test_adapter import make_adapter as discord_adapter
from tests.adapters.discord.test_adapter import running
from tests.adapters.slack.conftest import SECRET, Slack, elements, text_of
from tests.adapters.slack.conftest import make_adapter as slack_adapter
from tests.fakes.discord_client import GUILD_ID, TIMEOUT, USER_ID, fake_discord
from tests.fakes.discord_server import FakeDiscord, SentMessage
from tests.fakes.slack_server import (
    CHANNEL_ID,
    TEAM_ID,
    FakeSlackApi,
    SlackRequests,
    message_im,
    serve_app,
    text_input,
)
from tests.fakes.slack_server import USER_ID as SLACK_USER_ID


class Driver(Protocol):
    me: Address  # the person, as the core knows them
    transport: Transport  # the adapter, as the dispatcher sends scheduled prompts through it
    stale_key: str  # the text a click on a finished question is answered with

    async def command(self, name: str, args: str = "", *, shared: bool = False) -> None:
        """`/name args`, in the person's DM with the bot or (`shared`) where others could read."""

    async def say(self, text: str) -> None:
        """Words typed in the person's DM with the bot."""

    def question(self) -> Any:
        """The newest question the person was shown (to click on now or later)."""

    async def click(self, question: Any, *positions: int) -> None:
        """Pick the answers at these positions (several: a multiple choice)."""

    async def write(self, question: Any, text: str) -> None:
        """Answer a free-text question in its text box."""

    async def submit_form(self, changes: Mapping[str, str]) -> None:
        """Open the newest form shown, change these fields and send it."""

    def close_dms(self) -> bool:
        """The platform refuses the bot's direct messages to the person from now on (False: it cannot)."""

    def seen(self) -> str:
        """Everything the person has been shown so far: texts, titles, answers' labels."""


def _replies_text(replies: tuple[Reply, ...] | list[Reply]) -> str:
    parts: list[str] = []
    for reply in replies:
        parts += [reply.title, reply.text, reply.script, reply.footer]
        if reply.question is not None:
            parts += [f"{choice.label} {choice.description}" for choice in reply.question.choices]
    return "\n".join(part for part in parts if part)


# ---------------------------------------------------------------- the console: its stdin and stdout


class ConsoleDriver:
    """A terminal has no buttons and no channel: answers are typed as the console shows them (a number each),
    a text box is the next line, a form is the command it shows, and it always reaches the person."""

    stale_key = "idle_text"  # an old answer typed is just words outside a check-in

    def __init__(self, conversation: Conversation, files: Path) -> None:
        self._conversation = conversation
        self._out = io.StringIO()
        self.adapter = ConsoleAdapter(conversation, "ana", stdin=io.StringIO(), stdout=self._out,
                                      interactive=False, files_dir=files)
        self.me, self.transport = self.adapter.address, self.adapter

    async def _type(self, line: str) -> None:
        self._out.write(await self.adapter.respond(line))

    async def command(self, name: str, args: str = "", *, shared: bool = False) -> None:
        await self._type(f"/{name} {args}".strip())

    async def say(self, text: str) -> None:
        await self._type(text)

    def question(self) -> None:
        return None

    async def click(self, question: Any, *positions: int) -> None:
        await self._type(",".join(str(position + 1) for position in positions))

    async def write(self, question: Any, text: str) -> None:
        await self._type(text)

    async def submit_form(self, changes: Mapping[str, str]) -> None:
        shown = re.findall(r"^.+: /(\w+) (.+)$", self.seen(), flags=re.MULTILINE)[-1]  # "Change: /schedule …"
        opened = (await self._conversation.handle(FormOpened(self.me, shown[0]))).opens
        assert isinstance(opened, OpenForm)
        current = {spec.name: spec.value for spec in opened.form.fields}
        assert opened.form.command_args(current) == shown[1], "the console shows the command the form stands for"
        await self.command(opened.form.command, opened.form.command_args({**current, **changes}))

    def close_dms(self) -> bool:
        return False

    def seen(self) -> str:
        return self._out.getvalue()


# ---------------------------------------------------------------- echo: in memory


class EchoDriver:
    """Lines in (adapters/echo/adapter.py), the core's Responses read back as a renderer would draw them."""

    stale_key = "stale_click"

    def __init__(self, conversation: Conversation) -> None:
        self.adapter = EchoAdapter(conversation)
        self.me, self.transport = self.adapter.address, self.adapter

    async def command(self, name: str, args: str = "", *, shared: bool = False) -> None:
        await self.adapter.hear(f"/{name} {args}")

    async def say(self, text: str) -> None:
        await self.adapter.hear(text)

    def question(self) -> Question:
        return [reply.question for response in self.adapter.responses for reply in response.replies
                if reply.question is not None][-1]

    async def click(self, question: Question, *positions: int) -> None:
        drawn = layout(question, self.adapter.capabilities)
        if drawn.picker is not None:
            values = " ".join(drawn.picker.options[position].value for position in positions)
            await self.adapter.hear(f"!{drawn.picker.token} {values}")
        else:
            await self.adapter.hear(f"!{drawn.buttons[positions[0]].token}")

    async def write(self, question: Question, text: str) -> None:
        drawn = layout(question, self.adapter.capabilities)
        assert drawn.write is not None
        box = (await self.adapter.hear(f"!{drawn.write.token}")).opens
        assert isinstance(box, TextBox)
        await self.adapter.hear(f"?{box.token} {text}")

    async def submit_form(self, changes: Mapping[str, str]) -> None:
        form = next(reply.form for response in reversed(self.adapter.responses) for reply in response.replies
                    if reply.form is not None)
        opened = (await self.adapter.hear(f"#{form.name}")).opens
        assert isinstance(opened, OpenForm)
        values = {**{spec.name: spec.value for spec in opened.form.fields}, **changes}
        await self.adapter.hear(f"#{form.name} " + "|".join(f"{name}={value}" for name, value in values.items()))

    def close_dms(self) -> bool:
        self.adapter.closed = True
        return True

    def seen(self) -> str:
        return "\n".join(_replies_text(response.replies) for response in self.adapter.responses)


# ---------------------------------------------------------------- Discord: discord.py against FakeDiscord


def _discord_options(name: str, args: str) -> dict[str, str]:
    if name == "schedule" and args:
        rule, _, zone = args.partition(" in ")
        return {"rule": rule, "timezone": zone} if zone else {"rule": rule}
    return {"flow": args} if name == "checkin" and args else {}


class DiscordDriver:
    stale_key = "stale_click"

    def __init__(self, fake: FakeDiscord, adapter: Any) -> None:
        self._fake = fake
        self.transport = adapter
        self.me = Address("discord", "dm", str(USER_ID))

    async def _answered(self, pushed: Any) -> None:
        """The core's answer has come: a follow-up, or a form or text box opened."""
        await self._fake.wait_until(lambda: self._fake.followups.get(pushed.id) or (
            (callback := self._fake.interaction_responses.get(pushed.id)) is not None and callback.type == 9),
            TIMEOUT, "the answer to the interaction")

    async def command(self, name: str, args: str = "", *, shared: bool = False) -> None:
        await self._answered(await self._fake.slash_command(USER_ID, name, _discord_options(name, args),
                                                            guild_id=GUILD_ID if shared else None))

    async def say(self, text: str) -> None:
        before = len(self._fake.dms(USER_ID))
        await self._fake.user_message(USER_ID, text)
        await self._fake.wait_for_dm(USER_ID, before + 1, TIMEOUT)

    def question(self) -> SentMessage:
        return [m for m in self._fake.every_message() if any(c.startswith("ci:") for c in m.custom_ids())][-1]

    async def click(self, question: SentMessage, *positions: int) -> None:
        select = next((c for c in question.walk_components() if c["type"] == 3), None)
        if select is not None:
            values = [select["options"][position]["value"] for position in positions]
            await self._answered(await self._fake.select(USER_ID, select["custom_id"], values, question))
            return
        buttons = [c for c in question.custom_ids() if c.startswith("ci:") and ":_text" not in c
                   and not c.endswith(":skip")]
        await self._answered(await self._fake.click_button(USER_ID, buttons[positions[0]], question))

    async def _modal(self, opener: str, message: SentMessage, fields: Mapping[str, str]) -> None:
        opened = await self._fake.click_button(USER_ID, opener, message)
        modal = await self._fake.wait_for_callback(opened, TIMEOUT)
        assert modal.type == 9, "a modal opened"
        await self._answered(await self._fake.submit_modal(USER_ID, str(modal.custom_id), fields))

    async def write(self, question: SentMessage, text: str) -> None:
        await self._modal(next(c for c in question.custom_ids() if ":_text" in c), question, {"text": text})

    async def submit_form(self, changes: Mapping[str, str]) -> None:
        shown = [m for m in self._fake.every_message() if any(not c.startswith("ci:") for c in m.custom_ids())][-1]
        await self._modal(next(c for c in shown.custom_ids() if not c.startswith("ci:")), shown, changes)

    def close_dms(self) -> bool:
        self._fake.block_dms(USER_ID)
        return True

    def seen(self) -> str:
        parts: list[str] = []
        for message in self._fake.every_message():
            parts.append(message.content)
            parts += [f"{embed.get('title', '')}\n{embed.get('description', '')}" for embed in message.embeds]
            parts += [str(c.get("label", "")) for c in message.walk_components() if c.get("type") == 2]
        return "\n".join(parts)


# ---------------------------------------------------------------- Slack: slack-bolt against FakeSlackApi


class SlackDriver:
    stale_key = "stale_click"

    def __init__(self, slack: Slack) -> None:
        self._slack = slack
        self._fake = slack.fake
        self.transport = slack.adapter
        self.me = Address("slack", TEAM_ID, SLACK_USER_ID)
        self._ids = itertools.count(1)

    @property
    def _dm(self) -> str:
        return self._fake.dm_channel_for(SLACK_USER_ID)

    async def _done(self, status: int) -> None:
        assert status == 200
        await self._slack.adapter.drain()  # everything acknowledged is answered

    def _shown(self) -> list[tuple[str, dict[str, Any]]]:
        """(channel, message) for everything shown: DM messages, ephemeral answers to the person."""
        shown = [(str(m["channel"]), m) for m in self._fake.messages]
        shown += [(CHANNEL_ID, body) for _, body in self._fake.responses]
        return shown + [(str(m["channel"]), m) for m in self._fake.ephemerals]

    async def command(self, name: str, args: str = "", *, shared: bool = False) -> None:
        await self._done(await self._slack.command(f"{name} {args}".strip(), key=f"cmd{next(self._ids)}",
                                                   channel_id=CHANNEL_ID if shared else self._dm))

    async def say(self, text: str) -> None:
        event = message_im(text, channel=self._dm, event_id=f"Ev0CONTRACT{next(self._ids):03d}")
        status, _ = await self._slack.post(self._slack.signed.event(event))
        await self._done(status)

    def question(self) -> tuple[str, dict[str, Any]]:
        return [(channel, m) for channel, m in self._shown()
                if any(e["action_id"].startswith("ci:") for e in elements(m))][-1]

    async def _click(self, channel: str, message: dict[str, Any], element: dict[str, Any], **fields: Any) -> None:
        if "ts" in message:  # a message in a conversation (an ephemeral answer has none)
            fields["message"] = message
        await self._done(await self._slack.click(element, channel_id=channel, key=f"act{next(self._ids)}",
                                                 trigger_id=f"trigger-{next(self._ids)}", **fields))

    async def click(self, question: tuple[str, dict[str, Any]], *positions: int) -> None:
        channel, message = question
        controls = [e for e in elements(message) if e["action_id"].startswith("ci:")]
        select = next((e for e in controls if e["type"].endswith("select")), None)
        if select is None:
            buttons = [e for e in controls if e.get("value") != "skip" and "_text" not in e["action_id"]]
            await self._click(channel, message, buttons[positions[0]])
        elif select["type"] == "multi_static_select":
            picked = [select["options"][position] for position in positions]
            await self._click(channel, message, select, selected_options=picked, action_type=select["type"])
        else:
            await self._click(channel, message, select, selected_option=select["options"][positions[0]],
                              action_type=select["type"])

    async def _modal(self, channel: str, message: dict[str, Any], opener: dict[str, Any],
                     values: Callable[[dict[str, Any]], dict[str, dict[str, Any]]]) -> None:
        opened = len(self._fake.calls_to("views.open"))
        await self._click(channel, message, opener)
        view = (await self._fake.wait_for_calls("views.open", count=opened + 1))[-1].args["view"]
        stored = next(v for v in self._fake.views.values() if v["callback_id"] == view["callback_id"]
                      and v.get("private_metadata") == view.get("private_metadata"))
        await self._done(await self._slack.submit(stored, values(view)))

    async def write(self, question: tuple[str, dict[str, Any]], text: str) -> None:
        channel, message = question
        write = next(e for e in elements(message) if "_text" in e["action_id"] + str(e.get("value", "")))
        await self._modal(channel, message, write, lambda view: {"answer": {"text": text_input(text)}})

    async def submit_form(self, changes: Mapping[str, str]) -> None:
        channel, message = [(c, m) for c, m in self._shown()
                            if any(not e["action_id"].startswith("ci:") for e in elements(m))][-1]
        opener = next(e for e in elements(message) if not e["action_id"].startswith("ci:"))

        def values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
            current = {block["block_id"]: block["element"].get("initial_value") for block in view["blocks"]
                       if "element" in block}
            return {name: {"value": text_input(changes.get(name, value))} for name, value in current.items()}

        await self._modal(channel, message, opener, values)

    def close_dms(self) -> bool:
        self._fake.fail_next("conversations.open", "cannot_dm_bot", times=100)  # the person turned the app's
        self._fake.fail_next("chat.postMessage", "messages_tab_disabled", times=100)  # messages off
        return True

    def seen(self) -> str:
        parts: list[str] = []
        for _, message in self._shown():
            parts.append(text_of(message) or str(message.get("text") or ""))  # the blocks, else the plain text
            parts += [str(e["text"]["text"]) for e in elements(message) if isinstance(e.get("text"), dict)]
        return html.unescape("\n".join(parts)).replace("/boundary ", "/")  # the core's spelling of commands


# ---------------------------------------------------------------- starting each


@contextlib.asynccontextmanager
async def console(conversation: Conversation, content: Content, monkeypatch: pytest.MonkeyPatch,
                  tmp_path: Path) -> AsyncIterator[Driver]:
    yield ConsoleDriver(conversation, tmp_path / "exports")


@contextlib.asynccontextmanager
async def echo(conversation: Conversation, content: Content, monkeypatch: pytest.MonkeyPatch,
               tmp_path: Path) -> AsyncIterator[Driver]:
    yield EchoDriver(conversation)


@contextlib.asynccontextmanager
async def discord(conversation: Conversation, content: Content, monkeypatch: pytest.MonkeyPatch,
                  tmp_path: Path) -> AsyncIterator[Driver]:
    async with fake_discord(monkeypatch) as fake, running(discord_adapter(conversation, content)) as adapter:
        await fake.wait_until(lambda: fake.commands.get(None), TIMEOUT, "the commands to be synced")
        yield DiscordDriver(fake, adapter)
        await adapter.dm_cleanups_done()


@contextlib.asynccontextmanager
async def slack(conversation: Conversation, content: Content, monkeypatch: pytest.MonkeyPatch,
                tmp_path: Path) -> AsyncIterator[Driver]:
    async with FakeSlackApi() as fake:
        adapter = slack_adapter(conversation, fake)
        async with serve_app(adapter.web_app()) as url, aiohttp.ClientSession() as http:
            yield SlackDriver(Slack(fake, adapter, url, http, SlackRequests(SECRET)))
            await adapter.drain()
            await adapter.dm_cleanups_done()


DRIVERS = {"console": console, "echo": echo, "discord": discord, "slack": slack}
