"""Encryption at rest for everything a person writes (MultiFernet: newest key first, old keys still read)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)

KEY_FILE = "encryption.key"


class CipherError(ValueError):
    pass


class Cipher:
    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise CipherError("at least one encryption key is needed")
        try:
            self._fernet = MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise CipherError("ENCRYPTION_KEYS holds a key that is not a valid Fernet key") from exc

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken as exc:
            raise CipherError("stored text cannot be read with the configured keys") from exc

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode("ascii")).decode("ascii")


def load_cipher(configured: str, data_dir: Path) -> Cipher:
    """Keys from ENCRYPTION_KEYS; without them, a key file made once in DATA_DIR (readable by owner only)."""
    keys = [key.strip().encode("ascii") for key in configured.split(",") if key.strip()]
    if keys:
        return Cipher(keys)
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(Fernet.generate_key())
        log.warning("No ENCRYPTION_KEYS set: created a local key file at %s; back it up with the database", path)
    return Cipher([path.read_bytes().strip()])
