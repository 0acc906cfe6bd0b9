"""Files for the one person at a terminal (exports, charts): kept in an owner-only folder that only the bot
writes to, never shown on screen, and recorded so that /forget and retention can find them again.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from bot.messages import Attachment


class PrivateFolder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._saved: list[Path] = []  # written since `take_saved` was last asked

    def save(self, attachment: Attachment, *, keep_existing: bool = False) -> Path:
        """An export never replaces an earlier one (two in the same second get "-2", "-3"); a chart is simply
        redrawn."""
        self.path.mkdir(parents=True, exist_ok=True)
        os.chmod(self.path, 0o700)
        name = Path(Path(attachment.filename).name)
        path = self.path / name
        if keep_existing:
            number = 1
            while True:
                try:
                    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    break
                except FileExistsError:
                    number += 1
                    path = self.path / f"{name.stem}-{number}{name.suffix}"
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(attachment.content)
        self._saved.append(path)
        return path

    def take_saved(self) -> list[Path]:
        saved, self._saved = self._saved, []
        return saved

    def remove(self, refs: Sequence[str]) -> list[str]:
        """The files named (only those inside this folder); returns the ones removed."""
        folder = self.path.resolve()
        gone: list[str] = []
        for ref in refs:
            path = Path(ref).resolve()
            if path.parent == folder:
                path.unlink(missing_ok=True)
                gone.append(ref)
        return gone

    def empty(self) -> None:
        """Every file in the folder, also those from before files were recorded."""
        if self.path.is_dir():
            for path in self.path.iterdir():
                if path.is_file():
                    path.unlink(missing_ok=True)
