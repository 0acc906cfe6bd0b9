"""The terminal adapter: interactive on a TTY, scriptable through a pipe (one line in, replies out)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.answering import without_channels
from bot.content.loader import Texts
from bot.conversation import Conversation
from bot.events import Command, Event, TextSubmitted
from bot.messages import Address, Attachment, InputKind, Question, Reply, Tone
from bot.ports import Capabilities
from bot.privacy.private_folder import PrivateFolder

RULE = "─" * 3


def parse_line(address: Address, line: str) -> Event:
    """'/name args' is a command; anything else is typed text (an answer, if a check-in is open)."""
    stripped = line.strip()
    if stripped.startswith("/"):
        name, _, args = stripped[1:].partition(" ")
        return Command(address, name, args.strip())
    return TextSubmitted(address, line.rstrip("\n"))


def _hint(question: Question, texts: Texts) -> str:
    skip = texts.get("console_hint_skip") if question.skippable else ""
    if question.kind is InputKind.SCALE:
        return texts.get("console_hint_scale", low=question.choices[0].value, high=question.choices[-1].value,
                         skip=skip)
    if question.kind is InputKind.MULTI:
        return texts.get("console_hint_multi", skip=skip)
    if question.kind is InputKind.SINGLE:
        firsts = [choice.label.split(",")[0].split(" ")[0].lower() for choice in question.choices]
        if firsts == ["yes", "no"]:  # a yes/no question takes yes and no, as the core reads them
            return texts.get("console_hint_yes_no", skip=skip)
        return texts.get("console_hint_number", skip=skip)
    if question.examples:  # "1;3;walk the dog": numbers pick examples, the rest are their own words
        return texts.get("console_hint_examples", skip=skip)
    example = f" {texts.get('console_hint_example', example=question.placeholder)}" if question.placeholder else ""
    return texts.get("console_hint_text", skip=skip) + example


def render(reply: Reply, texts: Texts) -> str:
    """Plain text for a terminal: titles set off, choices numbered, the script line set apart."""
    parts: list[str] = []
    if reply.title:
        parts.append(f"{RULE} {reply.title} {RULE}")
    if reply.text:
        parts.append(reply.text)
    if reply.script:
        script_lines = reply.script.splitlines()
        if reply.tone is Tone.TIP and len(script_lines) == 1:
            parts.append(f"\n    “{script_lines[0]}”\n")
        else:
            parts.append("\n" + "\n".join(f"    {line}" for line in script_lines) + "\n")
    question = reply.question
    if question is not None and question.command:
        parts.append("   ".join(f"{choice.label}: /{question.command} {choice.value}" for choice in question.choices))
    elif question is not None:
        parts.extend(f"  {index}. {example}" for index, example in enumerate(question.examples, start=1))
        for index, choice in enumerate(question.choices, start=1):
            number = choice.value if question.kind is InputKind.SCALE else str(index)
            label = choice.label if question.kind is not InputKind.SCALE else choice.description
            parts.append(f"  {number}. {label}".rstrip())
        parts.append(_hint(question, texts))
    form = reply.form
    if form is not None and all(spec.value for spec in form.fields):  # a form becomes the command that fills it
        current = {spec.name: spec.value for spec in form.fields}
        parts.append(f"{form.open_label}: /{form.command} {form.command_args(current)}")
    if reply.footer:
        parts.append(reply.footer)
    return "\n".join(parts)


class ConsoleAdapter:
    name = "console"
    capabilities = Capabilities(max_text_length=100_000, max_buttons=0, images=False)

    def __init__(self, conversation: Conversation, user_id: str, *, stdin: TextIO | None = None,
                 stdout: TextIO | None = None, interactive: bool | None = None,
                 files_dir: Path | None = None) -> None:
        self._conversation = conversation
        self._files = PrivateFolder(files_dir or Path("data") / "exports")
        self._stdin = stdin or sys.stdin
        self._stdout = stdout or sys.stdout
        self._interactive = self._stdin.isatty() if interactive is None else interactive
        self.address = Address("console", "local", user_id, "console")
        self._last_title = ""
        conversation.traces.keep_with(self.name, self)

    async def send(self, address: Address, replies: Sequence[Reply]) -> None:
        self._stdout.write(self.render_all(replies))
        self._stdout.flush()
        await self._report_saved(address)

    async def _report_saved(self, address: Address) -> None:
        for path in self._files.take_saved():  # written by render_all, for /forget and retention
            await self._conversation.traces.remember_file(address, str(path))

    async def remove_files(self, workspace_id: str, refs: Sequence[str]) -> list[str]:
        """Export and chart files of this console (only inside its own folder)."""
        return self._files.remove(refs)

    async def forget_person(self, address: Address) -> None:
        """Every file in this console's private folder (only the bot writes there, for its one person)."""
        if address.user_id == self.address.user_id:
            self._files.empty()

    def render_all(self, replies: Sequence[Reply]) -> str:
        """Each reply as a paragraph; a title already on screen is not repeated question after question."""
        out: list[str] = []
        for reply in replies:
            if reply.title and reply.title == self._last_title and reply.tone is Tone.PROMPT:
                reply = replace(reply, title="")
            elif reply.title:
                self._last_title = reply.title
            text = render(reply, self._conversation.texts)
            if reply.files:
                paths = ", ".join(str(self._files.save(attachment, keep_existing=True)) for attachment in reply.files)
                text += "\n" + self._conversation.texts.get("export_saved", paths=paths)
            if reply.image is not None:  # a terminal shows no pictures: the chart goes to a file, its words here
                image = reply.image
                path = self._files.save(Attachment(image.filename, image.content, image.mime_type))
                text = (text + "\n" if text else "") + self._conversation.texts.get("chart_saved", path=str(path),
                                                                                 alt=image.alt_text)
            out.append(text + "\n\n")
        return "".join(out)

    async def respond(self, line: str) -> str:
        """One line typed, the bot's answer as it appears on screen."""
        event = parse_line(self.address, line)
        elsewhere = await without_channels(self._conversation, event)
        if elsewhere is not None:
            return self.render_all(elsewhere)
        text = self.render_all((await self._conversation.handle(event)).replies)
        await self._report_saved(self.address)
        return text

    async def _read_line(self) -> str | None:
        """The next line, or None at the end of input (Ctrl-D). Read on a daemon thread: a blocked read must
        never keep the process alive after Ctrl-C, as asyncio's own worker threads would until Enter."""
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str | None] = loop.create_future()

        def read() -> None:
            try:
                result: str | None = input("› ") if self._interactive else (self._stdin.readline() or None)
            except (EOFError, OSError, ValueError):
                result = None
            except KeyboardInterrupt:  # the signal lands in the main thread; here it only ends the read
                result = None
            with contextlib.suppress(RuntimeError):  # the loop has closed: the bot is already on its way out
                loop.call_soon_threadsafe(lambda: None if line.done() else line.set_result(result))

        threading.Thread(target=read, name="console-input", daemon=True).start()
        return await line

    async def run(self) -> None:
        if self._interactive:
            await self.send(self.address, [Reply(self._conversation.texts.get("welcome"))])
            if await self._conversation.has_open_checkin(self.address):
                await self.send(self.address, [Reply(self._conversation.texts.get("resume_hint"))])
        while True:
            line = await self._read_line()
            if line is None:
                return
            self._stdout.write(await self.respond(line))
            self._stdout.flush()
