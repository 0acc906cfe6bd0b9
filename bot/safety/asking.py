"""The direct question after a `possible` verdict: ask before anything is paused.

The words that raised the question are kept, encrypted, with the question (never logged, never in clear),
so that "No, I'm OK" carries on exactly where the person was: the answer they typed is applied then. "Yes"
and "I'm not sure" get the full reply and the pause; the kept words are dropped unread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.content.loader import Texts
from bot.events import Command, Event, TextSubmitted
from bot.messages import Address, Choice, InputKind, Question, Reply, Tone
from bot.safety.screening import About
from bot.text import fold

ASK_SESSION = "ask"  # the token namespace of the question's buttons: ci:ask:<question id>:<answer>
YES, UNSURE, NO = "yes", "unsure", "no"
ANSWERS = (YES, UNSURE, NO)
_LABELS = {YES: "ask_yes", UNSURE: "ask_unsure", NO: "ask_no"}
_WORDS = {YES: "ask_yes_words", UNSURE: "ask_unsure_words", NO: "ask_no_words"}


@dataclass(frozen=True)
class Held:
    """What the person sent when the question was asked, to carry on with after "No, I'm OK"."""

    about: About
    channel_id: str
    text: str = ""
    token: str = ""
    command: str = ""

    @classmethod
    def of(cls, event: Event, about: About, token: str = "") -> Held:
        """`token` names the check-in step untokened text was typed into, so it is applied there or nowhere."""
        if isinstance(event, Command):
            return cls(about, event.address.channel_id, text=event.args, command=event.name)
        assert isinstance(event, TextSubmitted)
        return cls(about, event.address.channel_id, text=event.text, token=event.token or token)

    @property
    def carries(self) -> bool:
        """Whether there is anything to carry on with (words read only for danger are not kept)."""
        return bool(self.text or self.command)

    def event(self, address: Address) -> Event:
        """The event again, as the same person sent it, from where they sent it."""
        where = Address(address.platform, address.workspace_id, address.user_id, self.channel_id)
        if self.command:
            return Command(where, self.command, self.text)
        return TextSubmitted(where, self.text, token=self.token)

    def to_json(self) -> dict[str, Any]:
        return {"about": self.about.value, "channel": self.channel_id, "text": self.text, "token": self.token,
                "command": self.command}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Held:
        return cls(About(str(data.get("about", About.SELF.value))), str(data.get("channel", "")),
                   text=str(data.get("text", "")), token=str(data.get("token", "")),
                   command=str(data.get("command", "")))


def ask_reply(texts: Texts, question_id: str, about: About, *, again: bool = False) -> Reply:
    """The question itself: direct and kind, with Yes / I'm not sure / No, I'm OK. `again`: the person wrote
    something that answered neither way, so it is asked once more, the same question with the same buttons."""
    key = "ask_harm" if about is About.HARM_FROM_OTHERS else "ask_self"
    choices = tuple(Choice(answer, texts.get(_LABELS[answer])) for answer in ANSWERS)
    question = Question(session_id=ASK_SESSION, step_id=question_id, kind=InputKind.SINGLE, choices=choices,
                        skippable=False)
    text = f"{texts.get('ask_again')}\n{texts.get(key)}" if again else texts.get(key)
    return Reply(text, tone=Tone.CRISIS, question=question, footer=texts.get("ask_footer"))


def typed_answer(texts: Texts, typed: str) -> str | None:
    """A typed answer to the question: its number as listed, its label, or one of the words for it."""
    word = fold(typed).strip(" .!")
    if not word or len(word) > 40:
        return None
    for number, answer in enumerate(ANSWERS, start=1):
        spoken = {fold(texts.get(_LABELS[answer])).strip(" .!"), str(number)}
        spoken |= {fold(part).strip() for part in texts.get(_WORDS[answer]).split("|")}
        if word in spoken:
            return answer
    return None


__all__ = ["ANSWERS", "ASK_SESSION", "NO", "UNSURE", "YES", "Held", "ask_reply", "typed_answer"]
