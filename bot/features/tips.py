"""/tip [topic]: a boundary tip with a line to say, never one of the person's recent ones."""

from __future__ import annotations

from bot.content.schema import Tip
from bot.content.tips import TipPicker, TipRequest
from bot.events import Command
from bot.features.base import Feature
from bot.features.context import Context
from bot.messages import Reply, Tone
from bot.response import Actor, Response, saying
from bot.storage.repository import Profile
from bot.text import fold


class Tips(Feature):
    commands = ("tip",)
    namespaces: tuple[str, ...] = ()

    def __init__(self, context: Context, picker: TipPicker, history_size: int) -> None:
        self._context = context
        self._picker = picker
        self._history_size = history_size

    async def command(self, who: Profile, event: Command, name: str, args: str, actor: Actor) -> Response:
        return saying(await self.tip(who, "topics" if fold(event.name) == "topics" else args))

    async def tip(self, who: Profile, args: str) -> list[Reply]:
        texts = self._context.texts
        topic_word = fold(args).replace(" ", "-")
        if topic_word in ("topics", "list", "help", "?"):
            return [self._topics_reply()]
        topic = None
        if topic_word:
            topic = self._match_topic(topic_word)
            if topic is None:
                return [Reply(texts.get("tip_unknown_topic", topic=args[:40]), tone=Tone.NOTICE),
                        self._topics_reply()]
        repo = self._context.repo
        recent = await repo.recent_tip_ids(who.identity_id, self._history_size)
        tip = self._picker.pick(TipRequest(topic=topic), recent)
        if tip is None:
            return [self._topics_reply()]
        await repo.record_tip_view(who.identity_id, tip.id)
        return [self.reply(tip), *self._context.sos_beside(who)]

    async def after_checkin(self, identity_id: int, request: TipRequest) -> Tip | None:
        """The tip that fits a finished check-in, not one of the person's recent ones."""
        recent = await self._context.repo.recent_tip_ids(identity_id, self._history_size)
        return self._picker.pick(request, recent)

    def _match_topic(self, word: str) -> str | None:
        topics = self._context.content.topics
        for topic in topics.values():
            if word in (topic.id, fold(topic.label).replace(" ", "-")):
                return topic.id
        prefixed = [topic for topic in topics if topic.startswith(word)]
        return prefixed[0] if len(prefixed) == 1 else None

    def _topics_reply(self) -> Reply:
        lines = "\n".join(f"  {topic.id} — {topic.description}" for topic in self._context.content.topics.values())
        return Reply(self._context.texts.get("topics", topics=lines), title="Tip topics")

    def reply(self, tip: Tip) -> Reply:
        return Reply(tip.body, title=tip.title, script=tip.script, tone=Tone.TIP,
                     footer=self._context.texts.get("tip_footer"))
