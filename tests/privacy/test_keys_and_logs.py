"""Keys and what leaves the process: encryption at rest, key rotation, the PostgreSQL key rule, and logs
that never hold what a person wrote."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.console.adapter import ConsoleAdapter
from bot.content.loader import Content
from bot.content.tips import TipPicker
from bot.conversation import Conversation, build_conversation
from bot.privacy.crypto import Cipher, CipherError
from bot.storage.database import make_sessionmaker
from bot.storage.models import Base
from bot.storage.repository import Repository
from tests.conftest import POSTGRES_ADMIN_DSN, FakeClock, met

pytestmark = pytest.mark.storage  # how the database behaves: SQLite and PostgreSQL

ROOT = Path(__file__).resolve().parents[2]
NOTE = "Heliotrope-anvil 6047 my flatmate reads my messages"
PREPARE = ("Ptarmigan-ledger borrows money", "Mulberry-stanza used", "Kestrel-lozenge to be asked",
           "Nutmeg-quarry say no")
HALF_WAY = ("Clementine-bastion 1188 the half-finished one",)
CRISIS = "I want to die, Saffron-obelisk 3141"
WRONG_ANSWER = "Umber-falcon 6020"
FLOW_NAME = "Cobalt-whisper"
MARKERS = ("Heliotrope", "flatmate", "Ptarmigan", "Mulberry", "Kestrel", "Nutmeg", "Clementine", "Saffron",
           "Umber-falcon", "Cobalt-whisper")


async def conversation(console: ConsoleAdapter) -> str:
    """A daily check-in with a note, a finished prepare, and a prepare left half-way."""
    out = ""
    for line in ("/checkin", "2", "1,3", NOTE, "/checkin prepare", *PREPARE, "/checkin prepare", *HALF_WAY):
        out += await console.respond(line)
    return out


def encrypted_columns() -> list[Any]:
    return [column for table in Base.metadata.sorted_tables for column in table.c if column.name.endswith("_enc")]


async def stored_tokens(engine: AsyncEngine) -> list[str]:
    tokens: list[str] = []
    async with engine.connect() as connection:
        for column in encrypted_columns():
            tokens.extend((await connection.execute(select(column).where(column.is_not(None)))).scalars())
    return tokens


# ---------------------------------------------------------------- encryption at rest


def sqlite_bytes(database_url: str) -> bytes:
    path = Path(database_url.split(":///", 1)[1])
    return b"".join(file.read_bytes() for file in (path, path.with_name(path.name + "-wal")) if file.exists())


def postgres_dump(database_url: str) -> bytes:
    if shutil.which("pg_dump") is None:
        message = "pg_dump is not installed (it comes with the PostgreSQL client)"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI is set, so this is a failure, not a skip)")
        pytest.skip(message)
    url = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    result = subprocess.run(["pg_dump", "--no-owner", "--dbname", url], capture_output=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result.stdout


async def test_a_persons_words_are_not_in_the_database_files(console: ConsoleAdapter, database_url: str) -> None:
    out = await conversation(console)
    assert NOTE not in out
    assert "ptarmigan-ledger borrows money" in out.casefold(), "the script shows the words once"

    raw = sqlite_bytes(database_url) if database_url.startswith("sqlite") else postgres_dump(database_url)

    assert b"ana" in raw, "the bytes read do hold the stored rows"
    assert b"saying_no" not in raw, "what the person picked is encrypted too"
    for marker in MARKERS[:7]:
        assert marker.encode() not in raw, f"{marker!r} is readable in the stored bytes"


# ---------------------------------------------------------------- key rotation


def service_with(content: Content, repository: Repository, clock: FakeClock) -> Conversation:
    return build_conversation(content, repository, picker=TipPicker(content.tips, random.Random(7)), clock=clock)


async def test_after_rotation_the_new_key_alone_reads_everything(raw_engine: AsyncEngine, content: Content,
                                                                 clock: FakeClock, tmp_path: Path) -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    sessions = make_sessionmaker(raw_engine)
    before = Repository(sessions, Cipher([old]), clock)
    console = await met(ConsoleAdapter(service_with(content, before, clock), "ana", interactive=False,
                                       files_dir=tmp_path / "exports"))
    await conversation(console)
    me = await before.identity_id(console.address)
    tokens = await stored_tokens(raw_engine)
    assert len(tokens) >= 5, "three sessions and two check-ins with words"

    rotated = await Repository(sessions, Cipher([new, old]), clock).rotate_keys(batch_size=2)

    assert rotated == len(tokens)
    after_tokens = await stored_tokens(raw_engine)
    for token in after_tokens:
        Cipher([new]).decrypt(token)
        with pytest.raises(CipherError):
            Cipher([old]).decrypt(token)

    after = Repository(sessions, Cipher([new]), clock)
    data = await after.export(me)
    assert data["checkins"][0]["own_words"] == {"note": NOTE}
    assert list(data["checkins"][1]["own_words"].values()) == list(PREPARE)
    assert data["unfinished_checkins"][0]["answers"] == {"happened": HALF_WAY[0]}

    console = ConsoleAdapter(service_with(content, after, clock), "ana", interactive=False,
                             files_dir=tmp_path / "exports")
    out = await console.respond("/export")
    assert "2 check-ins" in out
    [exported] = list((tmp_path / "exports").glob("*.json"))
    assert NOTE in exported.read_text(encoding="utf-8")
    out = await console.respond("/checkin prepare")
    assert "Picking up your Prepare a hard conversation" in out
    for answer in ("small", "to be heard", "leave"):
        out = await console.respond(answer)
    assert "When clementine-bastion 1188 the half-finished one, I feel small." in out.replace("\n", " ").replace(
        "    ", ""), out


async def test_rotation_with_nothing_stored_changes_nothing(raw_engine: AsyncEngine, clock: FakeClock) -> None:
    repository = Repository(make_sessionmaker(raw_engine), Cipher([Fernet.generate_key()]), clock)
    assert await repository.rotate_keys() == 0


# ---------------------------------------------------------------- the command line


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DISCORD_", "SLACK_"))
           and key not in {"ADAPTER", "DATABASE_URL", "ENCRYPTION_KEYS", "CONTENT_DIR", "CONSOLE_USER"}}
    env.update(DATA_DIR=str(data_dir), LOG_LEVEL="INFO", **extra)
    return env


def _bot(*args: str, data_dir: Path, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=_env(data_dir, **extra), cwd=ROOT, timeout=120, check=False)


def test_postgresql_without_encryption_keys_refuses_to_start(tmp_path: Path) -> None:
    url = POSTGRES_ADMIN_DSN
    result = _bot("run", data_dir=tmp_path / "data", DATABASE_URL=url)
    assert result.returncode == 2
    assert "ENCRYPTION_KEYS" in result.stderr
    assert "keygen" in result.stderr, "the message says how to make a key"
    assert "Traceback" not in result.stderr
    assert result.stdout == "", "no conversation starts"
    assert not (tmp_path / "data" / "encryption.key").exists(), "no local key is made for a shared database"


def test_rotate_keys_command_reencrypts_and_the_new_key_alone_reads_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    first = _bot("run", data_dir=data, stdin=f"/checkin\n2\n1,3\n{NOTE}\n", ENCRYPTION_KEYS=old)
    assert first.returncode == 0, first.stderr

    result = _bot("rotate-keys", data_dir=data, ENCRYPTION_KEYS=f"{new},{old}")

    assert result.returncode == 0, result.stderr
    match = re.search(r"re-encrypted (\d+) value\(s\)", result.stdout)
    assert match, result.stdout
    assert int(match.group(1)) >= 2, "the session and the check-in's note"
    assert "Heliotrope" not in result.stdout + result.stderr

    export = _bot("run", data_dir=data, stdin="/export\n", ENCRYPTION_KEYS=new)
    assert export.returncode == 0, export.stderr
    assert "1 check-in " in export.stdout
    [file] = list((data / "exports").glob("*.json"))
    assert json.loads(file.read_text(encoding="utf-8"))["checkins"][0]["own_words"] == {"note": NOTE}
    assert not (data / "encryption.key").exists(), "configured keys: no key file is made"
    for run in (first, export):
        assert "Heliotrope" not in run.stderr, "logs never hold a person's words"


# ---------------------------------------------------------------- logs


class Collecting(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


SHOWN = logging.Formatter("%(levelname)s %(name)s %(message)s")


def as_logged(record: logging.LogRecord) -> str:
    """Everything a log line could carry: the formatted message with any traceback, the raw msg and args."""
    return "\n".join((SHOWN.format(record), repr(record.msg), repr(record.args)))


@pytest.fixture
def every_log_record(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Iterator[
        list[logging.LogRecord]]:
    """Every record from every logger at DEBUG, including loggers quietened or switched off elsewhere."""
    caplog.set_level(logging.DEBUG)
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            if logger.level != logging.NOTSET:
                caplog.set_level(logging.DEBUG, logger=name)
            monkeypatch.setattr(logger, "disabled", False)
            monkeypatch.setattr(logger, "propagate", True)
    handler = Collecting()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)


def assert_no_marker(records: list[logging.LogRecord]) -> None:
    for record in records:
        logged = as_logged(record).casefold()
        for marker in MARKERS:
            assert marker.casefold() not in logged, f"{marker!r} is in a log record of {record.name}:\n{logged}"


async def test_nothing_a_person_writes_reaches_any_log(every_log_record: list[logging.LogRecord],
                                                       console: ConsoleAdapter, database_url: str,
                                                       content: Content) -> None:
    out = await console.respond(f"/checkin {FLOW_NAME}")
    assert "I don't have a check-in called" in out
    await console.respond("/checkin")
    await console.respond("2")
    out = await console.respond(WRONG_ANSWER)
    assert "I couldn't match" in out
    await console.respond("1,3")
    await console.respond(NOTE)
    for line in ("/checkin prepare", *PREPARE):
        await console.respond(line)
    out = await console.respond(CRISIS)
    assert content.texts.get("crisis_title") in out
    out = await console.respond("/export")
    assert "2 check-ins" in out

    names = {record.name.split(".")[0] for record in every_log_record}
    driver = "aiosqlite" if database_url.startswith("sqlite") else "asyncpg"
    assert "sqlalchemy" in names, f"the capture should see SQLAlchemy's own records, saw {names}"
    assert any(record.levelno == logging.DEBUG for record in every_log_record)
    if driver == "aiosqlite":
        assert driver in names, f"the capture should see the driver's records, saw {names}"
    assert_no_marker(every_log_record)


async def test_a_failure_gets_a_kind_apology_and_its_log_holds_no_words(
    every_log_record: list[logging.LogRecord], console: ConsoleAdapter, repository: Repository,
    content: Content, monkeypatch: pytest.MonkeyPatch
) -> None:
    working = repository.finish

    async def failing(record: Any, picked: Any, words: dict[str, str], **kwargs: Any) -> bool:
        # Like a driver error that quotes the values it was given.
        raise ValueError(f"could not store {words!r}")

    for line in ("/checkin", "2", "1,3"):
        await console.respond(line)
    monkeypatch.setattr(repository, "finish", failing)
    out = await console.respond(NOTE)

    assert " ".join(out.split()) == " ".join(content.texts.get("error").split())
    monkeypatch.setattr(repository, "finish", working)
    out = await console.respond(NOTE)
    assert "Another tip any time" in out, "trying again works, as the apology promised"
    me = await repository.identity_id(console.address)
    assert (await repository.export(me))["checkins"][0]["own_words"] == {"note": NOTE}

    [failure] = [record for record in every_log_record if record.name == "bot.conversation"]
    assert failure.levelno == logging.ERROR
    assert "ValueError" in as_logged(failure), "the log still says what kind of fault it was"
    assert "Heliotrope" not in failure.getMessage() + repr(failure.args), "the message line itself is clean"
    # ...and so must be the traceback that log.exception() appends, which quotes the exception's message.
    assert_no_marker(every_log_record)
