"""Who this process is to the outbox: a stable instance identity, so a restarted process can take back at once
what it had leased before it died, instead of waiting for those leases to run out.

The identity is a slot in DATA_DIR (`instance-0`, `instance-1`, …): each running process holds one slot's file
locked (`flock`) for as long as it lives and names itself by the random id written in it. The kernel drops the
lock of a process that died, however it died, so its restart finds the same slot free and takes the same id;
two processes alive at once (two instances sharing one DATA_DIR) always hold different slots. INSTANCE_ID, when
set, is the id instead (one per process, chosen by whoever runs them).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

MAX_SLOTS = 64
ID_LENGTH = 12  # outbox lease owners are "<instance id>:<16 hex digits>", within the column's 32 characters
_VALID = re.compile(r"^[A-Za-z0-9_.-]{1,12}$")


class InstanceIdentity:
    """A held identity; `close()` (or the process ending) gives the slot back."""

    def __init__(self, instance_id: str, handle: IO[str] | None = None) -> None:
        self.id = instance_id
        self._handle = handle

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def random_id() -> str:
    return secrets.token_hex(ID_LENGTH // 2)


def claim_identity(data_dir: Path, configured: str = "") -> InstanceIdentity:
    """This process's identity: INSTANCE_ID if configured, else the first free slot of DATA_DIR (a random one,
    not stable, when the folder cannot hold slots)."""
    if configured:
        if not _VALID.match(configured):
            raise ValueError("INSTANCE_ID must be 1-12 letters, digits, '.', '_' or '-'")
        return InstanceIdentity(configured)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        return InstanceIdentity(random_id())
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        for slot in range(MAX_SLOTS):
            handle = open(data_dir / f"instance-{slot}", "a+", encoding="ascii")  # noqa: SIM115 - held open
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            handle.seek(0)
            known = handle.read().strip()
            if not _VALID.match(known):
                known = random_id()
                handle.seek(0)
                handle.truncate()
                handle.write(known + "\n")
                handle.flush()
                with contextlib.suppress(OSError):
                    os.chmod(handle.name, 0o600)
            return InstanceIdentity(known, handle)
    except OSError as exc:
        log.warning("no stable instance identity in DATA_DIR (%s); leases of a crashed run wait out their time",
                    type(exc).__name__)
    return InstanceIdentity(random_id())
