"""Pseudonyms for community features, and text made inert before it reaches a shared channel.

Keyed hashes: every place that must recognise a person again without naming them stores
`HMAC-SHA256(secret, purpose, scope, platform, workspace, user)`, with a different purpose and scope each
time (a share id, a round id, a day). Without the secret a tag cannot be reversed or matched to a person,
and two tags of the same person never look alike, so no two rows can be joined on them. The secret comes
from its own setting (COMMUNITY_SECRET) or a key file made once in DATA_DIR, not from the encryption keys,
so rotating those does not let anyone answer a pulse round twice.

Inert text: what someone shares is posted with mentions disabled by the adapter *and* neutralised in the
text itself, so a platform that ignores the flag still pings nobody:
- a zero-width space follows every `@` and every `<` (`@everyone`, `@here`, `<@123>`, `<@&1>`, `<#C1>`,
  `<!channel>`, `<!subteam^S1>`, `<https://x|y>` all stop being markup);
- links are defanged, never clickable: `https://` becomes `hxxps://`, any other `scheme://` becomes
  `scheme[:]//`, and the dots of anything that looks like a domain become `[.]` (`example[.]com`), so
  neither a scheme nor a platform's bare-domain autolinking can make them live.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.messages import Address
from bot.privacy.crypto import key_file
from bot.text import clean_text

log = logging.getLogger(__name__)

SECRET_FILE = "community.key"
SECRET_MIN_BYTES = 32
TAG_HEX = 40  # 160 bits: no collisions in practice, short enough to index
ZWSP = "\u200b"

_HTTP = re.compile(r"\b[hH][tT][tT][pP]([sS]?)://")
_OTHER_SCHEME = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]{1,15})://")
_DOMAIN = re.compile(r"(?<![\w.\-])((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-])")


class Pseudonyms:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < SECRET_MIN_BYTES:
            raise ValueError(f"the community secret needs at least {SECRET_MIN_BYTES} bytes")
        self._secret = secret

    @classmethod
    def from_key_material(cls, material: bytes) -> Pseudonyms:
        """A secret derived (HKDF) from other key material, for deployments that want one secret only."""
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                       info=b"boundary-bot community pseudonyms v1").derive(material)
        return cls(derived)

    def tag(self, purpose: str, *parts: str) -> str:
        message = "\x1f".join((purpose, *parts)).encode("utf-8")
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()[:TAG_HEX]

    def person(self, purpose: str, scope: str, address: Address) -> str:
        """This person's tag for one purpose in one scope (a share, a round, a day)."""
        return self.tag(purpose, scope, address.platform, address.workspace_id, address.user_id)

    @staticmethod
    def same(left: str | None, right: str) -> bool:
        return left is not None and hmac.compare_digest(left, right)


def load_pseudonyms(configured: str, data_dir: Path, keys_dir: Path | None = None) -> Pseudonyms:
    """COMMUNITY_SECRET when set; otherwise a random secret kept in a key file in `keys_dir` (without it, open
    pulse rounds and today's share limits start over, and nobody can delete an old share)."""
    if configured.strip():
        return Pseudonyms(configured.strip().encode("utf-8"))
    return Pseudonyms(key_file(SECRET_FILE, data_dir, keys_dir, lambda: secrets.token_hex(32).encode("ascii"),
                               "COMMUNITY_SECRET"))


def new_public_id(length: int = 16) -> str:
    """Random letters and digits: fits token values and never reveals order or time."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def inert(raw: str) -> str:
    """Text safe to post in a shared channel: no mention, channel ping or link can come alive."""
    text = clean_text(raw).replace(ZWSP, "")
    text = text.replace("@", "@" + ZWSP).replace("<", "<" + ZWSP).replace("＠", "＠" + ZWSP)
    text = _HTTP.sub(lambda match: f"hxxp{match.group(1)}://", text)
    text = _OTHER_SCHEME.sub(lambda match: match.group(0) if match.group(1).lower() in ("hxxp", "hxxps")
                             else f"{match.group(1)}[:]//", text)
    return _DOMAIN.sub(lambda match: match.group(1).replace(".", "[.]"), text)
