"""After /forget: the bot's own messages in the person's DM with the app are deleted from Slack.

Only the bot's messages: a bot token cannot delete what the person wrote (Slack answers `cant_delete_message`),
so /privacy tells them how to delete their own. The cut-off is the newest message in the DM when the erase
was confirmed, read from Slack itself, so the "erased" reply that follows stays. Bounded: at most
`MAX_PAGES` pages of history; a 429 is waited out (bot.patience), and any other refusal ends the clean-up
(the erase itself is done and stays done).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import delivery_error
from bot.patience import patiently

log = logging.getLogger(__name__)

PAGE_SIZE = 200
MAX_PAGES = 50  # 10,000 messages: a daily check-in for years
GONE = frozenset({"message_not_found", "cant_delete_message"})  # nothing to do for this one message


async def newest_ts(client: AsyncWebClient, channel: str) -> str:
    """The newest message's ts in the conversation ("" when it is empty)."""
    page = await client.conversations_history(channel=channel, limit=1)
    messages = page.get("messages") or []
    return str(messages[0].get("ts") or "") if messages else ""


def is_own(message: Mapping[str, Any], bot_user_id: str, bot_id: str) -> bool:
    return bool((bot_user_id and message.get("user") == bot_user_id) or (bot_id and message.get("bot_id") == bot_id))


async def delete_own_messages(client: AsyncWebClient, channel: str, latest: str, *, page_size: int = PAGE_SIZE,
                              max_pages: int = MAX_PAGES) -> int:
    """Delete the bot's messages in `channel` up to and including `latest`; returns how many went."""
    identity = await client.auth_test()
    bot_user_id, bot_id = str(identity.get("user_id") or ""), str(identity.get("bot_id") or "")
    deleted, cursor = 0, ""
    for _ in range(max_pages):
        arguments: dict[str, Any] = {"channel": channel, "latest": latest, "inclusive": True, "limit": page_size}
        if cursor:
            arguments["cursor"] = cursor
        page = await patiently(functools.partial(client.conversations_history, **arguments), delivery_error)
        for message in page.get("messages") or []:
            if not is_own(message, bot_user_id, bot_id) or not message.get("ts"):
                continue
            try:
                await patiently(functools.partial(client.chat_delete, channel=channel, ts=str(message["ts"])),
                                delivery_error)
                deleted += 1
            except SlackApiError as exc:
                if exc.response.get("error") not in GONE:
                    raise
        cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
        if not page.get("has_more") or not cursor:
            break
    return deleted
