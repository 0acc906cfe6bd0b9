"""Encryption at rest for everything a person writes (MultiFernet: newest key first, old keys still read)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
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


# The one sentence about backing up a key file, wherever it is said (logs, doctor, README, .env.example).
KEYS_BACKUP = "back it up apart from the data folder: a backup of the data folder alone cannot be read without it"


def key_file(name: str, data_dir: Path, keys_dir: Path | None, make: Callable[[], bytes], setting: str) -> bytes:
    """A secret kept in a file made once (owner-only) in `keys_dir`, apart from the data it protects. A file
    an earlier version made inside DATA_DIR is still used, with a warning that it sits beside the data."""
    legacy = data_dir / name
    if keys_dir is None or legacy.exists():
        path = legacy
        if keys_dir is not None:
            log.warning("The key file %s sits inside the data folder, so a backup of that folder holds the data and "
                        "its key together: move it to %s (KEYS_DIR) and %s", legacy, keys_dir, KEYS_BACKUP)
    else:
        path = keys_dir / name
    if not path.exists():
        # Written whole under another name, then linked into place: two instances starting at once both make a
        # key, one link wins, and the other reads the winner's finished file (never a half-written one).
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(make())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        else:
            log.warning("No %s set: created the key file %s; %s", setting, path, KEYS_BACKUP)
        finally:
            draft.unlink()
    return path.read_bytes().strip()


def load_cipher(configured: str, data_dir: Path, keys_dir: Path | None = None) -> Cipher:
    """Keys from ENCRYPTION_KEYS; without them, a key file made once in `keys_dir` (readable by owner only)."""
    keys = [key.strip().encode("ascii") for key in configured.split(",") if key.strip()]
    if keys:
        return Cipher(keys)
    return Cipher([key_file(KEY_FILE, data_dir, keys_dir, Fernet.generate_key, "ENCRYPTION_KEYS")])
