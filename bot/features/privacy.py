"""What a person controls about their data: /privacy, /export, /settings and /forget; and the traces adapters
leave on platforms (files, DM messages), removed on /forget and by retention."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.content.schema import Flow
from bot.events import Command
from bot.features.base import Feature
from bot.features.context import Context
from bot.features.plan import OwnPlan
from bot.features.sessions import FlowRules, Sessions
from bot.logsafe import describe_exception
from bot.messages import Address, Attachment, Reply, Tone
from bot.ports import PersonalTraces
from bot.privacy.export import checkins_csv, export_json
from bot.response import Actor, Response, said, saying
from bot.storage.repository import FileRef, Profile, SessionRecord
from bot.system_flows import (
    CONFIRM_NUMBERS,
    ERASE,
    ERASE_WORDS,
    FORGET,
    KEEP_NOTES,
    NUMBERS_ONLY,
    SETTINGS,
    SHOW_STREAKS,
    system_flows,
)

log = logging.getLogger(__name__)


class _SettingsRules(FlowRules):
    def __init__(self, context: Context) -> None:
        self._context = context

    async def skipped(self, who: Profile, step_id: str) -> bool:
        """The "erase your past words?" question is asked only when there are past words to erase."""
        if step_id != CONFIRM_NUMBERS:
            return False
        if not who.store_notes:
            return True
        data = await self._context.repo.export(who.identity_id)
        return not any(row.get("own_words") for row in data["checkins"])


class Traces:
    """What adapters put on their platforms for a person: reported here, removed on /forget and by retention."""

    def __init__(self, context: Context) -> None:
        self._repo = context.repo
        self._traces: dict[str, list[PersonalTraces]] = {}  # per platform: what its adapters remove there

    def keep_with(self, platform: str, traces: PersonalTraces) -> None:
        """The adapter of `platform` removes its files and traces on /forget and retention."""
        self._traces.setdefault(platform, []).append(traces)

    async def remember_file(self, address: Address, ref: str) -> None:
        """An adapter put a file on its platform for this person (an export, a chart)."""
        await self._repo.remember_file(address, ref)

    async def file_removed(self, address: Address, ref: str) -> None:
        await self._repo.drop_files([FileRef(address.platform, address.workspace_id, ref)])

    async def remove(self, address: Address, files: Sequence[FileRef]) -> bool:
        """After /forget: the files go from their platforms, and the adapter's own traces. A failure is logged
        (type only) and does not undo the erase. True when an adapter is removing its messages to the person."""
        removing = False
        for traces in self._traces.get(address.platform, ()):
            try:
                removing = bool(await traces.forget_person(address)) or removing
            except Exception as exc:
                log.error("forget on %s failed: %s", address.platform, describe_exception(exc))
        await self._remove_files(files)
        return removing

    async def _remove_files(self, files: Sequence[FileRef]) -> list[FileRef]:
        gone: list[FileRef] = []
        groups: dict[tuple[str, str], list[str]] = {}
        for item in files:
            groups.setdefault((item.platform, item.workspace_id), []).append(item.ref)
        for (platform, workspace_id), refs in groups.items():
            removed: set[str] = set()
            for traces in self._traces.get(platform, ()):
                try:
                    removed.update(await traces.remove_files(workspace_id, [ref for ref in refs if ref not in removed]))
                except Exception as exc:
                    log.error("file removal on %s failed: %s", platform, describe_exception(exc))
            gone.extend(FileRef(platform, workspace_id, ref) for ref in refs if ref in removed)
        return gone

    async def expire_files(self, before: datetime) -> int:
        """Retention: files put on platforms before `before` are deleted there (by the adapters running in this
        process; another process takes its own platform's). Returns how many went."""
        gone = await self._remove_files(await self._repo.files_older_than(before))
        await self._repo.drop_files(gone)
        return len(gone)


class Privacy(Feature):
    commands = ("privacy", "export", SETTINGS, FORGET)
    namespaces: tuple[str, ...] = ()

    def __init__(self, context: Context, sessions: Sessions, plan: OwnPlan) -> None:
        self._context = context
        self._sessions = sessions
        self._plan = plan
        self._repo = context.repo
        self._forgetting: list[Callable[[int], None]] = []  # what else keeps something of a person in memory
        flows = system_flows(context.content)
        sessions.add_flow(flows[SETTINGS], _SettingsRules(context))
        sessions.add_flow(flows[FORGET])
        sessions.finish_with("settings", self._save_settings)
        sessions.finish_with("forget", self._forget)

    def on_forget(self, drop: Callable[[int], None]) -> None:
        self._forgetting.append(drop)

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        texts = self._context.texts
        if name == "privacy":
            days = self._context.retention_days
            return said(Reply(texts.get("privacy", retention=days), title="Your privacy"), *self._plan.privacy())
        if name == "export":
            return said(await self._export(who))
        return saying(await self._sessions.start(who, self._sessions.flows[name], fresh=True))

    async def _export(self, who: Profile) -> Reply:
        data = await self._repo.export(who.identity_id)
        count = len(data["checkins"])
        stamp = self._context.clock().strftime("%Y%m%d-%H%M%S")
        files = (Attachment(f"boundary-bot-{stamp}.json", export_json(data), "application/json"),
                 Attachment(f"boundary-bot-checkins-{stamp}.csv", checkins_csv(data), "text/csv"),
                 *await self._plan.printable(who))
        return Reply(self._context.texts.get("export_ready", checkins=count, plural="" if count == 1 else "s"),
                     title="Your data", files=files)

    async def _save_settings(self, who: Profile, record: SessionRecord, flow: Flow,
                             answers: dict[str, Any]) -> Response:
        context = self._context
        texts = context.texts
        if not await self._repo.close(record):
            return said(context.stale())
        chosen = answers.get("country")
        country = chosen.upper() if isinstance(chosen, str) else who.country
        notes = answers.get("notes")
        if notes == NUMBERS_ONLY and answers.get(CONFIRM_NUMBERS) not in (None, ERASE_WORDS):
            notes = None  # they chose to keep the words they have: nothing about notes changes
        store_notes = who.store_notes if notes is None else notes == KEEP_NOTES
        streaks = answers.get("streaks")
        show_streaks = who.show_streaks if streaks is None else streaks == SHOW_STREAKS
        await self._repo.update_settings(who.identity_id, country=country, store_notes=store_notes,
                                         show_streaks=show_streaks)
        region = context.content.resources.countries.get((country or context.default_country).upper())
        offer = await self._plan.offer(who)
        return said(Reply(texts.get("settings_saved",
                                    country=region.name if region else texts.get("crisis_anywhere"),
                                    notes=texts.get("notes_kept" if store_notes else "notes_not_kept"),
                                    streaks=texts.get("streaks_shown" if show_streaks else "streaks_hidden")),
                          tone=Tone.INFO), *offer)

    async def _forget(self, who: Profile, record: SessionRecord, flow: Flow, answers: dict[str, Any]) -> Response:
        """Erased, with the files the bot had put on platforms for them: the conversation takes their shares,
        pulse answers and files too (`Response.erased`)."""
        texts = self._context.texts
        if not await self._repo.close(record):
            return said(self._context.stale())
        if answers.get("confirm") != ERASE:
            return said(Reply(texts.get("forget_kept"), tone=Tone.INFO))
        files = await self._repo.forget_identity(who.identity_id)
        for drop in self._forgetting:
            drop(who.identity_id)
        return Response(replies=(Reply(texts.get("forgotten"), tone=Tone.INFO),), erased=tuple(files))
