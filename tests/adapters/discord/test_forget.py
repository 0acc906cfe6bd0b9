"""/forget on Discord, end to end (the real discord.py client against the local fake Discord): after the
"erased" reply, the bot's own messages in the person's DM are deleted, files with them; what the person wrote
stays (a bot cannot delete it), and /privacy says so."""

from __future__ import annotations

from adapters.discord.adapter import DiscordAdapter
from tests.adapters.discord.test_adapter import followups, intro_done, question_in
from tests.fakes.discord_client import TIMEOUT, USER_ID
from tests.fakes.discord_server import FakeDiscord


def button(message_ids: list[str], value: str) -> str:
    return next(cid for cid in message_ids if cid.endswith(f":{value}"))


async def test_forget_deletes_the_bots_messages_in_the_dm_after_the_erased_reply(
        fake: FakeDiscord, bot: DiscordAdapter) -> None:
    await intro_done(fake)
    dm = fake.dm_channel_id(USER_ID)
    started = await fake.slash_command(USER_ID, "checkin")
    question = await question_in(fake, started.id)
    await fake.click_button(USER_ID, button(question.custom_ids(), "4"), question)
    typed = await fake.user_message(USER_ID, "Quokka, I said no to the extra shift")
    assert typed is not None

    def answered() -> bool | None:  # the bot's answer to the typed words is in the DM before /export
        return any(int(m["author"]["id"]) == fake.bot_id and int(str(m["id"])) > int(str(typed["id"]))
                   for m in fake._history(dm)) or None

    await fake.wait_until(answered, TIMEOUT, "the answer to the typed message")
    exported = await fake.slash_command(USER_ID, "export")
    assert [f for m in await followups(fake, exported.id, 1) for f in m.files], "a file in the DM"

    def own_messages() -> list[dict[str, object]] | None:  # the reply to the typed message may still be on its way
        own = [m for m in fake._history(dm) if int(m["author"]["id"]) == fake.bot_id]
        return own if len(own) >= 4 else None

    await fake.wait_until(own_messages, TIMEOUT, "the bot's replies in the DM (at least 4)")

    forget = await fake.slash_command(USER_ID, "forget")
    confirm = await question_in(fake, forget.id)
    erased = await fake.click_button(USER_ID, button(confirm.custom_ids(), "erase"), confirm)
    reply = await followups(fake, erased.id, 1)
    assert "removing my earlier messages" in reply[-1].content

    def bots_left() -> list[dict[str, object]] | None:
        left = [m for m in fake._history(dm) if int(m["author"]["id"]) == fake.bot_id]
        return left if len(left) <= len(reply) else None

    await bot.dm_cleanups_done()
    left = await fake.wait_until(bots_left, TIMEOUT, "the bot's older DM messages deleted")
    assert [int(str(m["id"])) for m in left] == [m.id for m in reply], "only the erased reply stays"
    assert [m["content"] for m in fake._history(dm) if int(m["author"]["id"]) == USER_ID] == \
        ["Quokka, I said no to the extra shift"], "what the person wrote cannot be deleted by the bot"

    privacy = await fake.slash_command(USER_ID, "privacy")
    said = await fake.wait_until(lambda: next((m.content for m in fake.followups.get(privacy.id, [])
                                               if "only you can remove them" in m.content), None), TIMEOUT,
                                 "/privacy saying the person's own messages are theirs to delete")
    assert "deletes my own messages in our direct messages" in said
