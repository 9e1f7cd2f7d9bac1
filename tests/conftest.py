"""Shared fixtures: a migrated ledger on SQLite and, when JIUYUAN_TEST_PG_URL is set, PostgreSQL.

Each PostgreSQL test gets its own schema (search_path), dropped afterwards, so tests
never see each other's rows and need no database of their own. Markers by path let ``-m``
leave the slow tests out.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ledger import db

PG_URL = os.environ.get("JIUYUAN_TEST_PG_URL")

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not PG_URL, reason="JIUYUAN_TEST_PG_URL is not set"),
        ],
    ),
]

# Markers given by where a test lives (pyproject.toml declares them). Each of these also
# counts as slow, so `-m "not slow"` leaves them all out (`make test-fast`).
_TESTS = Path(__file__).resolve().parent
MARKS_BY_PATH = {
    "web": ("browser",),  # Playwright driving Debian's Chromium
    "integration/test_notebooks.py": ("notebook",),
    "integration/test_api_schemathesis.py": ("schemathesis",),
    "integration/test_api_bench.py": ("bench",),
    "search/test_match_bench.py": ("bench",),
}
SLOW_KINDS = ("browser", "notebook", "schemathesis", "bench")


def pytest_collection_modifyitems(config, items):
    for item in items:
        where = Path(str(item.path)).resolve()
        try:
            relative = where.relative_to(_TESTS).as_posix()
        except ValueError:
            continue
        for prefix, marks in MARKS_BY_PATH.items():
            if relative == prefix or relative.startswith(prefix + "/"):
                for mark in marks:
                    item.add_marker(mark)
        if any(item.get_closest_marker(kind) for kind in SLOW_KINDS) and not item.get_closest_marker("slow"):
            item.add_marker(pytest.mark.slow)


@contextmanager
def empty_database(backend: str, folder) -> Iterator[str]:
    """An empty database URL: a SQLite file in ``folder``, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'ledger.db'}"
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """An empty database URL on each backend (nothing migrated yet)."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def migrated_url(db_url: str) -> str:
    db.upgrade(db_url)
    return db_url


@pytest.fixture
def engine(migrated_url: str):
    eng = db.make_engine(migrated_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sessions(engine):
    return db.session_factory(engine)


def bearer(url: str, role: str = "admin", name: str = "测试管理员", **scope) -> dict[str, str]:
    """An Authorization header with a fresh key of ``role`` in the ledger at ``url``."""
    from jiuyuan.vocab import Role
    from ledger import access

    eng = db.make_engine(url)
    try:
        with db.session_factory(eng).begin() as session:
            token, _ = access.issue(session, Role(role), name, **scope)
    finally:
        eng.dispose()
    return {"Authorization": f"Bearer {token}"}
