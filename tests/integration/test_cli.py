"""The jiuyuan command: help in Chinese, clear refusals of bad arguments, an idempotent demo."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy import func, select

from cli.main import main
from ledger import db
from ledger.models import JobPosting, Person


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=120)


def test_help_lists_the_subcommands():
    out = _run("--help")
    assert out.returncode == 0
    for word in ("db", "demo", "serve", "就援"):
        assert word in out.stdout
    demo_help = _run("demo", "--help").stdout
    assert "--postings" in demo_help and "重复运行不会重复写入" in demo_help


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("demo", "--postings", "-5"), "不能为负数"),
        (("demo", "--as-of", "2026-13-01"), "日期格式应为 YYYY-MM-DD"),
        (("demo", "--persons", "many"), "应为整数"),
        (("db", "sideways"), "invalid choice"),
        (("serve", "--workers", "0"), "应为正整数"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args, message):
    out = _run(*args)
    assert out.returncode == 2 and message in out.stderr


def test_demo_twice_writes_once(db_url, capsys):
    args = [
        "--database-url",
        db_url,
        "demo",
        "--postings",
        "120",
        "--persons",
        "80",
        "--seed",
        "3",
        "--as-of",
        "2026-11-22",
        "--quiet",
    ]
    assert main(args) == 0
    assert main(args) == 0
    assert "未重复写入" in capsys.readouterr().out
    engine = db.make_engine(db_url)
    with db.session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(JobPosting)) == 120
        assert s.scalar(select(func.count()).select_from(Person)) == 80
    engine.dispose()


def test_a_ledger_not_migrated_or_not_answering_is_a_chinese_message_not_a_traceback(tmp_path):
    for url in (f"sqlite:///{tmp_path / 'new.db'}", "postgresql+psycopg://postgres@127.0.0.1:1/none"):
        out = _run("--database-url", url, "report", "dispatch", "--region", "43")
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert "无法读写台账数据库" in out.stderr and "jiuyuan db upgrade" in out.stderr


def test_serve_starts_its_workers_and_logs_the_services_own_warnings(tmp_path):
    """``jiuyuan serve --workers 2``: the service answers, and its own log lines (here the warm
    start's: no index built yet) reach the console through uvicorn's handler, once from each
    worker (the app configures no logging of its own: api.app.create_app)."""
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    db.upgrade(url)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "JIUYUAN_DATABASE_URL": url, "JIUYUAN_INDEX_DIR": str(tmp_path / "no-index")}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,  # not a terminal: uvicorn's formatter colours nothing
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True)
    reader.start()
    warned = lambda: [line for line in lines if "检索未能预载" in line]  # noqa: E731
    try:
        deadline = time.monotonic() + 60
        while len(warned()) < 2:
            assert server.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        assert httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        reader.join(timeout=10)
    # Two or more: uvicorn restarts a worker that misses its health check, and the new one warns too.
    assert len(warned()) >= 2 and all(line.startswith("WARNING:") for line in warned()), "".join(lines)


def test_serve_refuses_a_ledger_not_migrated_before_starting(tmp_path):
    """Served, a ledger never migrated answered health "ok" while every route and the index
    follower failed; ``serve`` says what to run instead, at once, and starts nothing."""
    out = _run("--database-url", f"sqlite:///{tmp_path / 'empty.db'}", "serve", "--port", "9")
    assert out.returncode == 1 and "jiuyuan db upgrade" in out.stderr and "Traceback" not in out.stderr
    assert "Uvicorn running" not in out.stderr + out.stdout
