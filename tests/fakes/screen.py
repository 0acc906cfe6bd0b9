"""A stand-in for the crisis screen: the real phrase screen, except for a few marker messages that get a
`possible` verdict, so tests of the conversation around the screen do not depend on its exact wording."""

from __future__ import annotations

from bot.content.loader import Content
from bot.safety.screening import About, Level, Screener, Verdict

MAYBE_SELF = "honestly what is even the point of going on"
MAYBE_HARM = "I don't feel safe at home"
MAYBE_OTHER = "my best friend texted that she's going to end it tonight"
MARKERS = {MAYBE_SELF: About.SELF, MAYBE_HARM: About.HARM_FROM_OTHERS, MAYBE_OTHER: About.SOMEONE_ELSE}


class MarkerScreener:
    def __init__(self, content: Content) -> None:
        self._real = Screener(content.phrases)

    def screen(self, text: str) -> Verdict:
        for marker, about in MARKERS.items():
            if marker.casefold() in text.casefold():
                return Verdict(level=Level.POSSIBLE, about=about, other_person=about is About.SOMEONE_ELSE)
        return self._real.screen(text)
