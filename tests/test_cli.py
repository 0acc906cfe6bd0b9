"""The `boundary-bot` command as a newcomer runs it: real files, no tokens; a real process where the process is
the subject (`run` reading a pipe, a restart, `python -m bot`, what a failing command lets reach stderr), the
command's main() in this process (the `cli` fixture) where what it prints and returns is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.conftest import Cli

ROOT = Path(__file__).resolve().parent.parent


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DISCORD_", "SLACK_")) and key not in {"ADAPTER", "DATABASE_URL", "ENCRYPTION_KEYS",
                                                                          "CONTENT_DIR", "CONSOLE_USER"}}
    env.update(DATA_DIR=str(data_dir), LOG_LEVEL="INFO", **extra)
    return env


def _bot(*args: str, data_dir: Path, stdin: str = "", cwd: Path | None = None,
         **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=_env(data_dir, **extra), cwd=cwd or ROOT, timeout=120, check=False)


def test_piped_daily_checkin_ends_with_a_fitting_tip(tmp_path: Path) -> None:
    result = _bot("run", data_dir=tmp_path / "data", stdin="/checkin\n2\n1,3\nskip\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "How emotionally safe" in out
    assert "Which boundaries did you hold" in out
    tip = out.rsplit("─── ", 2)[-1]
    assert "“" in tip, "the tip carries a line to say"
    assert "”" in tip
    assert "today asked a lot of you" in out, "a low score is met gently"
    assert (tmp_path / "data" / "boundary-bot.db").exists()
    assert "INFO" not in out, "logs stay off stdout"
    assert "WARNING" not in out


def test_an_unfinished_checkin_survives_a_restart(tmp_path: Path) -> None:
    first = _bot("run", data_dir=tmp_path / "data", stdin="/checkin\n4\n")
    assert first.returncode == 0
    second = _bot("run", data_dir=tmp_path / "data", stdin="/checkin\n")
    assert "Picking up your Daily check-in" in second.stdout
    assert "Which boundaries" in second.stdout
    assert "How emotionally safe" not in second.stdout


def test_run_from_another_folder_finds_the_content(tmp_path: Path) -> None:
    result = _bot("run", data_dir=tmp_path / "data", stdin="/help\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "/checkin" in result.stdout


def test_content_check_passes_on_the_shipped_content(cli: Cli, tmp_path: Path) -> None:
    result = cli("content", "check", DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "content OK" in result.stdout


def test_content_check_names_file_and_line_of_a_problem(cli: Cli, tmp_path: Path) -> None:
    broken = tmp_path / "content"
    shutil.copytree(ROOT / "content", broken)
    daily = broken / "flows" / "daily.yaml"
    lines = daily.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip() == "input: multi")
    lines[index] = "    input: dropdown"
    daily.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli("content", "check", DATA_DIR=str(tmp_path), CONTENT_DIR=str(broken))
    assert result.returncode == 1
    assert f"content/flows/daily.yaml:{index + 1}:" in result.stderr


def test_migrate_is_idempotent(cli: Cli, tmp_path: Path) -> None:
    for _ in range(2):
        result = cli("migrate", DATA_DIR=str(tmp_path / "data"))
        assert result.returncode == 0, result.stderr
        assert "revision" in result.stdout


def test_doctor_reports_a_healthy_setup(cli: Cli, tmp_path: Path) -> None:
    result = cli("doctor", DATA_DIR=str(tmp_path / "data"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "adapter: console" in result.stdout
    assert "DISCORD_TOKEN: not set" in result.stdout
    assert "database: reachable" in result.stdout


def test_doctor_fails_when_the_database_is_unreachable(tmp_path: Path) -> None:
    result = _bot("doctor", data_dir=tmp_path, DATABASE_URL="postgresql://bb:secretpw@127.0.0.1:9/nowhere")
    assert result.returncode == 1
    assert "[FAIL] database: not reachable" in result.stdout
    assert "secretpw" not in result.stdout + result.stderr


def test_doctor_never_prints_a_token(tmp_path: Path) -> None:
    result = _bot("doctor", data_dir=tmp_path / "data", SLACK_BOT_TOKEN="xoxb-very-secret", ADAPTER="console")
    assert "SLACK_BOT_TOKEN: set" in result.stdout
    assert "very-secret" not in result.stdout + result.stderr


def test_keygen_prints_a_usable_key(cli: Cli, tmp_path: Path) -> None:
    result = cli("keygen", DATA_DIR=str(tmp_path))
    key = result.stdout.strip().encode()
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"


def test_a_bad_database_url_is_explained(cli: Cli, tmp_path: Path) -> None:
    result = cli("migrate", DATA_DIR=str(tmp_path), DATABASE_URL="mysql://u@h/d")
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("module", [["-m", "bot", "--help"]])
def test_help_lists_the_commands(module: list[str]) -> None:
    result = subprocess.run([sys.executable, *module], capture_output=True, text=True, cwd=ROOT, check=False)
    for command in ("run", "migrate", "doctor", "content", "keygen"):
        assert command in result.stdout
