"""Log scan (privacy issue, "ID numbers in logs"): a real server's access log after person look-ups
by ID number and name holds the paths but no query string, so no ID number or name."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from api.logs import WithoutQueryString
from ledger import db
from tests.conftest import bearer

ID_NUMBER = "430121197003071234"  # the shape of one; the log must not hold it whether or not it exists

pytestmark = pytest.mark.slow


def test_the_filter_cuts_the_query_string_from_an_access_record():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/persons?q={ID_NUMBER}&purpose=x", "1.1", 200),
        None,
    )
    assert WithoutQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /persons?… HTTP/1.1" 200'


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_log_scan_finds_no_id_number_or_name_after_person_lookups(tmp_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    db.upgrade(url)
    headers = bearer(url, "counter", "长沙县零工市场", region="430121")
    port = _free_port()
    env = {**os.environ, "JIUYUAN_DATABASE_URL": url, "JIUYUAN_PORT": str(port)}
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        found = {"id_number": ID_NUMBER, "purpose": "窗口求职登记"}  # by ID number: a POST, the number in the body
        assert httpx.post(f"{base}/persons/lookup", json=found, headers=headers).status_code == 404
        answer = httpx.get(f"{base}/persons", params={"q": "王建国", "purpose": "窗口求职登记"}, headers=headers)
        assert answer.status_code == 200
        assert httpx.get(f"{base}/persons", params={"q": ID_NUMBER, "purpose": "窗口求职登记"}).status_code == 401
    finally:
        server.send_signal(signal.SIGINT)
        log, _ = server.communicate(timeout=30)
    assert '"GET /persons?… HTTP/1.1" 200' in log and '"GET /persons?… HTTP/1.1" 401' in log, log
    assert ID_NUMBER not in log and "王建国" not in log and "%E7%8E%8B" not in log, log
