"""The README's commands work as written on this checkout (architecture issue: the README is the
front door). Blocks fenced as ``sh safe`` run verbatim; the others need a running server, so only
their ``jiuyuan`` subcommands are checked to exist."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(sh(?: safe)?)\n(.*?)^```", re.M | re.S)


def _blocks(kind: str) -> list[str]:
    return [body for info, body in FENCE.findall(README) if info == kind]


def test_the_readme_is_a_front_door_under_200_lines_with_working_links():
    assert len(README.splitlines()) < 200
    for target in re.findall(r"\]\(([^)#]+)\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target


@pytest.mark.slow  # the tour: eight CLI runs in subprocesses on a demo ledger (seconds)
def test_the_safe_blocks_run_verbatim():
    assert len(_blocks("sh safe")) >= 3
    shutil.rmtree(ROOT / "var" / "tour", ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIUYUAN_")}
    for block in _blocks("sh safe"):
        out = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert out.returncode == 0, f"{block}\n{out.stdout}\n{out.stderr}"
    shutil.rmtree(ROOT / "var" / "tour", ignore_errors=True)


def test_every_jiuyuan_subcommand_the_readme_names_exists():
    named = set()
    for block in _blocks("sh") + _blocks("sh safe"):
        named |= set(re.findall(r"jiuyuan (?:--database-url \S+ )?([a-z][a-z-]*)", block))
    assert {"keys", "score", "calendar", "demo", "db", "report"} <= named
    for sub in sorted(named):
        out = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "jiuyuan"), sub, "--help"], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, f"jiuyuan {sub}: {out.stderr}"
