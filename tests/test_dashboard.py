"""The dashboard's data and its chart as a hosted file (bot/dashboard.py): uploaded once per picture, the file it
replaces deleted after the next dashboard (again later when the platform refused), every file reported."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from bot.content.loader import Content
from bot.dashboard import ChartFiles, board
from bot.features.privacy import Traces
from bot.messages import Address, Image, Reply

ME = Address("test", "W1", "U1")


class Files:
    """A platform's file store, and the core's record of what is on it."""

    def __init__(self) -> None:
        self.hosted: dict[str, bytes] = {}
        self.remembered: set[str] = set()
        self.refuse_deletes = False

    async def remember_file(self, address: Address, ref: str) -> None:
        self.remembered.add(ref)

    async def file_removed(self, address: Address, ref: str) -> None:
        self.remembered.discard(ref)

    async def upload(self, chart: Image) -> str:
        file_id = f"F{len(self.hosted) + len(self.remembered) + 1}"
        self.hosted[file_id] = chart.content
        return file_id

    async def delete(self, file_ids: Sequence[str]) -> list[str]:
        if self.refuse_deletes:
            return []
        for file_id in file_ids:
            self.hosted.pop(file_id, None)
        return list(file_ids)


def chart(content: bytes) -> Image:
    return Image(content, "Safety scores", "history.png")


async def test_a_chart_is_uploaded_once_and_the_one_it_replaces_goes_after_the_next_dashboard() -> None:
    files = Files()
    charts = ChartFiles(cast(Traces, cast(Any, files)))
    first = await charts.file_for(ME, chart(b"one"), files.upload)
    assert await charts.file_for(ME, chart(b"one"), files.upload) == first
    assert list(files.hosted) == [first]

    second = await charts.file_for(ME, chart(b"two"), files.upload)
    assert second != first
    files.refuse_deletes = True  # the platform is down for this one
    await charts.delete_old(ME, files.delete)
    assert set(files.hosted) == {first, second}
    files.refuse_deletes = False
    await charts.delete_old(ME, files.delete)  # tried again after the next dashboard
    assert list(files.hosted) == [second]
    assert files.remembered == {second}


async def test_no_chart_any_more_retires_the_last_one_and_a_failed_upload_shows_none() -> None:
    files = Files()
    charts = ChartFiles(cast(Traces, cast(Any, files)))
    shown = await charts.file_for(ME, chart(b"one"), files.upload)
    assert await charts.file_for(ME, None, files.upload) == ""
    assert charts.forget(ME) == [shown]

    async def failing(image: Image) -> str:
        return ""

    assert await charts.file_for(ME, chart(b"two"), failing) == ""
    assert await charts.file_for(ME, chart(b"two"), files.upload) != ""


def test_the_dashboard_offers_resume_while_paused_and_pause_while_not(content: Content) -> None:
    def commands(paused: bool | None) -> list[str]:
        return [action.command for action in board(content.texts, [Reply("Your schedule")], paused).actions]

    assert commands(True) == ["checkin", "resume", "export", "forget"]
    assert commands(False) == ["checkin", "pause", "export", "forget"]
    assert {"pause", "resume"} <= set(commands(None))
    assert board(content.texts, [Reply("x", image=chart(b"a")), Reply("y", image=chart(b"b"))], None).chart \
        == chart(b"b")
