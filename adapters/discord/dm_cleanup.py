"""After /forget: the bot's own messages in the person's DM are deleted from Discord (with the files they carry).

A bot cannot delete what the person wrote in a DM (Discord answers 50003), so /privacy tells them how to delete
their own. The cut-off is the newest message in the DM when the erase was confirmed, so the "erased" reply
that follows stays. Bounded: at most `MAX_MESSAGES` of history are read; discord.py waits out 429s itself
(Retry-After, within the client's max_ratelimit_timeout), and a message already gone is simply skipped.
"""

from __future__ import annotations

import discord

MAX_MESSAGES = 10_000


async def newest_id(channel: discord.abc.Messageable) -> int | None:
    async for message in channel.history(limit=1):
        return message.id
    return None


async def delete_own_messages(channel: discord.abc.Messageable, bot_user_id: int, up_to: int, *,
                              max_messages: int = MAX_MESSAGES) -> int:
    """Delete the bot's messages in `channel` up to and including message `up_to`; returns how many went."""
    deleted = 0
    async for message in channel.history(limit=max_messages, before=discord.Object(id=up_to + 1)):
        if message.author.id != bot_user_id:
            continue
        try:
            await message.delete()
            deleted += 1
        except discord.NotFound:
            continue
    return deleted
