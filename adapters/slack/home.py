"""The App Home tab: the core's dashboard (bot.dashboard) published with views.publish, its history chart
uploaded privately (shared in no conversation, shown only through the Home's image block) once per chart, and
the charts it replaced deleted once the new Home is up."""

from __future__ import annotations

import functools
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import home_view
from adapters.slack.transport import ALT_TEXT_MAX, SlackTransport, delivery_error
from bot.conversation import Conversation
from bot.dashboard import ChartFiles, dashboard
from bot.logsafe import describe_exception
from bot.messages import Address, Image

log = logging.getLogger(__name__)


class SlackHome:
    def __init__(self, conversation: Conversation, transport: SlackTransport) -> None:
        self._conversation = conversation
        self._transport = transport
        self.charts = ChartFiles(conversation.traces)

    async def publish(self, client: AsyncWebClient, address: Address) -> None:
        """A dashboard that could not be drawn must not spoil the answer it follows: its fault is only logged."""
        try:
            async with self.charts.turn(address):
                await self._publish(client, address)
        except Exception as exc:
            log.error("slack App Home failed: %s", describe_exception(exc))

    async def _publish(self, client: AsyncWebClient, address: Address) -> None:
        board = await dashboard(self._conversation, address)
        texts = self._conversation.texts

        async def upload(chart: Image) -> str:
            try:  # no channel: the file is private to the app, shown only through the Home's image block
                return self._transport.file_id(await client.files_upload_v2(
                    content=chart.content, filename=chart.filename, title=chart.filename,
                    alt_txt=chart.alt_text[:ALT_TEXT_MAX]))
            except Exception as exc:
                log.warning("slack could not upload the App Home chart: %s", describe_exception(exc))
                return ""

        file_id = await self.charts.file_for(address, board.chart, upload)
        try:
            await client.views_publish(user_id=address.user_id, view=home_view(board, texts, chart_file_id=file_id))
        except SlackApiError as exc:
            if not file_id or delivery_error(exc) is not None:
                raise
            # Slack would not show that file (not ready yet, or gone): the Home goes up without it.
            log.warning("slack App Home chart refused: %s", exc.response.get("error"))
            await client.views_publish(user_id=address.user_id, view=home_view(board, texts))
        await self.charts.delete_old(address, functools.partial(self._transport.delete_files, client))

    async def forget(self, address: Address) -> None:
        """The person's replaced charts are deleted now (the one shown is among the files /forget removes)."""
        old = self.charts.forget(address)
        if old:
            await self._transport.delete_files(await self._transport.workspace_client(address.workspace_id), old)
