"""Whatever someone shares reaches the channel unable to ping anyone or open a link."""

from __future__ import annotations

import re

import pytest

from bot.community.anonymity import ZWSP, Pseudonyms, inert
from bot.messages import Address

MENTION = re.compile(r"@(everyone|here|channel)\b|<[@#!/]|<https?:|https?://")
DOMAIN_DOT = re.compile(r"\b[a-z0-9-]+\.(com|org|gg|net|io|co)\b", re.I)


@pytest.mark.parametrize("raw", [
    "@everyone look at this", "hey @here", "<@123456789>", "<@!42>", "<@&999>", "<#C0123>", "<!channel> hi",
    "<!here|here>", "<!subteam^S1>", "<@U0G9QF9C6>", "@channel", "</sos:123>", "＠everyone",
])
def test_no_mention_survives(raw: str) -> None:
    out = inert(raw)
    assert not MENTION.search(out), out
    # The words are all still there for people to read.
    assert out.replace(ZWSP, "") == raw.strip()


@pytest.mark.parametrize(("raw", "shown"), [
    ("see https://example.com/path?q=1", "see hxxps://example[.]com/path?q=1"),
    ("HTTP://Evil.example.org", "hxxp://Evil[.]example[.]org"),
    ("join discord.gg/abc now", "join discord[.]gg/abc now"),
    ("[click me](https://phish.io)", "[click me](hxxps://phish[.]io)"),
    ("<https://x.com|nice>", f"<{ZWSP}hxxps://x[.]com|nice>"),
    ("ftp://files.net/a", "ftp[:]//files[.]net/a"),
    ("mail me: a@b.co", f"mail me: a@{ZWSP}b[.]co"),
])
def test_links_are_plain_text(raw: str, shown: str) -> None:
    out = inert(raw)
    assert out == shown
    assert "://" not in out.replace("hxxp://", "").replace("hxxps://", "")
    assert not DOMAIN_DOT.search(out)


def test_ordinary_words_are_left_alone() -> None:
    text = "I said no to my boss today. It was hard, e.g. 3.5 hours of worry, but I'm okay!"
    assert inert(text) == text


def test_zero_width_tricks_do_not_undo_it() -> None:
    assert not MENTION.search(inert(f"@{ZWSP}everyone @every{ZWSP}one"))


def test_tags_are_per_purpose_and_scope_and_need_the_secret() -> None:
    person = Address("discord", "g1", "u1")
    keys = Pseudonyms(b"x" * 32)
    tags = {keys.person("share-author", "s1", person), keys.person("share-author", "s2", person),
            keys.person("pulse-joined", "r1", person), keys.person("pulse-answer", "r1", person)}
    assert len(tags) == 4
    assert keys.person("pulse-joined", "r1", person) == keys.person("pulse-joined", "r1", person)
    assert Pseudonyms(b"y" * 32).person("pulse-joined", "r1", person) != keys.person("pulse-joined", "r1", person)
    assert all("u1" not in tag and "discord" not in tag for tag in tags)
    with pytest.raises(ValueError, match="at least 32"):
        Pseudonyms(b"short")
