"""deploy/: the systemd unit passes `systemd-analyze verify`, and the alert rules name metrics the bot exports."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from adapters import names
from bot.ops.metrics import Metrics

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_the_systemd_unit_verifies_cleanly(tmp_path: Path) -> None:
    # The unit's ExecStart must exist for verify: point it at this environment's own command.
    installed = Path(sys.executable).parent / "boundary-bot"
    unit = (DEPLOY / "boundary-bot.service").read_text()
    assert "ExecStart=/opt/boundary-bot/.venv/bin/boundary-bot run" in unit
    copy = tmp_path / "boundary-bot.service"
    copy.write_text(unit.replace("/opt/boundary-bot/.venv/bin/boundary-bot", str(installed)))
    checked = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    problems = [line for line in (checked.stdout + checked.stderr).splitlines() if copy.name in line]
    assert checked.returncode == 0, checked.stderr
    assert problems == []


def test_every_metric_the_alert_rules_use_is_exported() -> None:
    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    used = {name for expr in expressions for name in re.findall(r"\bboundary_[a-z_]+", expr)}
    exported = set(re.findall(r"^(boundary_[a-z_]+)", Metrics(names()).exposition().decode(), re.MULTILINE))
    assert used
    assert used <= exported, f"not exported: {used - exported}"
    assert any('class="429"' in expr for expr in expressions)
    assert any('le="600.0"' in expr for expr in expressions), "late by more than 10 minutes"
