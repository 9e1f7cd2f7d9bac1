"""The README's commands work as written on this checkout (architecture issue: the README is the
front door). Blocks fenced as ``sh safe`` run verbatim; the ``sh api`` block runs verbatim against
a live server on a fresh demo ledger (its address swapped in), as a newcomer runs it after
``make run`` (issue 19); the other blocks' ``jiuyuan`` subcommands are checked to exist."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```(sh(?: safe| api)?)\n(.*?)^```", re.M | re.S)


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
    for block in _blocks("sh") + _blocks("sh safe") + _blocks("sh api"):
        named |= set(re.findall(r"jiuyuan (?:--database-url \S+ )?([a-z][a-z-]*)", block))
    assert {"keys", "score", "calendar", "demo", "db", "report"} <= named
    for sub in sorted(named):
        out = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "jiuyuan"), sub, "--help"], capture_output=True, text=True, timeout=60
        )
        assert out.returncode == 0, f"jiuyuan {sub}: {out.stderr}"


@pytest.mark.slow  # a demo ledger, its index and a live server, then the tour's API block (about 20 s)
def test_the_api_tour_runs_verbatim_against_make_runs_demo_ledger(tmp_path, ledger_templates, model_path):
    """The demo loader's keys, the walk-in registered, posts from her words, a push she consented
    to, her hire by the demo agency scored with a fee, and its claim: every answer a success."""
    from datetime import date

    from demo.generate import generate
    from demo.load import load, load_demo_keys
    from indexer import build
    from ledger import db
    from tests.conftest import migrated_database
    from tests.live import live_server

    (block,) = _blocks("sh api")
    with migrated_database("sqlite", tmp_path, ledger_templates) as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("JIUYUAN_INDEX_DIR", str(tmp_path / "index"))
        mp.setenv("JIUYUAN_EMBEDDING_MODEL", str(model_path))
        mp.setenv("JIUYUAN_RANKER", str(tmp_path / "ranker.json"))
        engine = db.make_engine(url)
        with db.session_factory(engine).begin() as s:
            load(s, generate(20230201, 300, 100, date.today()))
            load_demo_keys(s)
        with db.session_factory(engine).begin() as s:
            build.rebuild_both(s, model_path, tmp_path / "index", date.today(), progress=False)
        engine.dispose()
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIUYUAN_")} | {"JIUYUAN_DATABASE_URL": url}
        with live_server(url) as base:
            out = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", block.replace("http://127.0.0.1:8000", base)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=300,
            )
    assert out.returncode == 0, f"{out.stdout}\n{out.stderr}"
    answers = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    problems = [a for a in answers if isinstance(a, dict) and str(a.get("type", "")).startswith("urn:jiuyuan:problem")]
    assert not problems, problems
    me, person, matches, push, authorisation, claim, claims = answers
    assert me["role"] == "counter" and me["name"].startswith("【演示】")
    assert person["hukou_region_name"] == "湖南省长沙市长沙县"
    assert matches["matches"] and any("保洁" in m["posting"]["title"] for m in matches["matches"])
    assert push["channel"] == "sms" and authorisation["agency_id"] == claim["agency_id"]
    assert (claim["scheme"], claim["amount"], claim["status"]) == ("agency_fee", "200.00", "submitted")
    assert claim["id"] in [c["id"] for c in claims]  # the officer sees it to decide
