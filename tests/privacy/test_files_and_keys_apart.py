"""At rest on this machine: the SQLite database, its WAL and the data folder are readable by the bot's user only,
`doctor` says when they are not, and the local key files live apart from the data folder, with one way of
saying how to back them up."""

from __future__ import annotations

import stat
from pathlib import Path

from bot.privacy.crypto import KEYS_BACKUP, key_file
from tests.conftest import ROOT, Cli
from tests.privacy.test_keys_and_logs import NOTE, _bot


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_first_start_makes_private_files_and_keys_apart_from_the_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = _bot("run", data_dir=data, stdin=f"/checkin\n2\n1,3\n{NOTE}\n")
    assert result.returncode == 0, result.stderr

    database = data / "boundary-bot.db"
    assert mode(data) == 0o700
    assert mode(database) == 0o600
    wal = database.with_name(database.name + "-wal")
    assert not wal.exists() or mode(wal) == 0o600
    keys = tmp_path / "data-keys"
    assert sorted(path.name for path in keys.iterdir()) == ["community.key", "encryption.key"]
    assert mode(keys) == 0o700
    assert all(mode(path) == 0o600 for path in keys.iterdir())
    assert not list(data.glob("*.key")), "no key sits beside the database"
    assert f"{keys / 'encryption.key'}; {KEYS_BACKUP}" in result.stderr, "the first start says where, and why apart"

    again = _bot("run", data_dir=data, stdin="/history\n")
    assert again.returncode == 0, again.stderr
    assert "created the key file" not in again.stderr
    assert "1 check-in" in again.stdout, "the next start reads the same keys"


def test_a_key_file_an_earlier_version_made_in_the_data_folder_still_works_with_a_warning(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _bot("run", data_dir=data, stdin=f"/checkin\n2\n1,3\n{NOTE}\n")
    assert first.returncode == 0, first.stderr
    for key in (tmp_path / "data-keys").iterdir():
        key.rename(data / key.name)  # where versions before KEYS_DIR kept them

    again = _bot("run", data_dir=data, stdin="/history\n")

    assert "1 check-in" in again.stdout
    assert "sits inside the data folder" in again.stderr
    assert KEYS_BACKUP in again.stderr
    assert not (tmp_path / "data-keys").exists() or not list((tmp_path / "data-keys").iterdir())


def test_doctor_warns_when_the_database_or_keys_are_readable_by_others(cli: Cli, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert _bot("run", data_dir=data, stdin="/help\n").returncode == 0
    quiet = cli("doctor", DATA_DIR=str(data))
    assert "[warn]" not in quiet.stdout, quiet.stdout

    (data / "boundary-bot.db").chmod(0o644)
    data.chmod(0o755)
    (tmp_path / "data-keys" / "encryption.key").chmod(0o640)
    loud = cli("doctor", DATA_DIR=str(data))

    warned = [line for line in loud.stdout.splitlines() if line.startswith("[warn]")]
    assert any(str(data / "boundary-bot.db") in line and "chmod 600" in line for line in warned), loud.stdout
    assert any(f"{data} can be read" in line and "chmod 700" in line for line in warned), loud.stdout
    assert any("encryption.key" in line for line in warned), loud.stdout


def test_the_backup_advice_is_the_same_everywhere() -> None:
    texts = {path: path.read_text(encoding="utf-8") for path in (
        ROOT / "README.md", ROOT / ".env.example", *(ROOT / "bot").rglob("*.py"), *(ROOT / "docs").glob("*.md"))}
    for path, text in texts.items():
        flat = " ".join(text.split()).lower()
        for contradiction in ("back it up with the database", "out of database backups", "keep it out of backups"):
            assert contradiction not in flat, f"{path.relative_to(ROOT)} says {contradiction!r}"
    for place in (ROOT / "README.md", ROOT / ".env.example"):
        assert KEYS_BACKUP.lower() in " ".join(texts[place].split()).lower(), place


def test_two_instances_making_the_key_file_at_once_both_use_the_one_that_landed(tmp_path: Path) -> None:
    """Two instances started together on one keys folder: the one whose key lands first is the key; the other
    reads it (it used to stop with FileExistsError, found by the two-instance drill)."""
    keys = tmp_path / "keys"
    winner = b"the-other-instance-key"

    def make_while_the_other_instance_wins() -> bytes:
        keys.mkdir(mode=0o700, exist_ok=True)
        (keys / "community.key").write_bytes(winner)
        return b"this-instance-key"

    got = key_file("community.key", tmp_path / "data", keys, make_while_the_other_instance_wins, "COMMUNITY_SECRET")
    assert got == winner
    assert sorted(path.name for path in keys.iterdir()) == ["community.key"], "no half-made key file is left"
