"""Shared fixtures: a migrated ledger on SQLite and, when JIUYUAN_TEST_PG_URL is set, PostgreSQL;
one embedding model trained per test run; the markers that let ``-m`` leave slow tests out.

Migrations run once per test run, into a template: a SQLite file that each test gets a copy
of, and a PostgreSQL database that each test's own database is created from
(``CREATE DATABASE … TEMPLATE``, dropped afterwards). ``db_url`` stays an empty database (a
fresh SQLite path, or a fresh PostgreSQL schema on search_path) for the tests of the
migrations themselves; ``migrated_url`` is an empty ledger at the head revision.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

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

# Property tests try 150 examples each; `make test-fast` passes --hypothesis-profile=fast for 25.
hypothesis_settings.register_profile("suite", max_examples=150)
hypothesis_settings.register_profile("fast", max_examples=25)
hypothesis_settings.load_profile("suite")

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


def pytest_configure(config):
    # An app built from default settings runs the live-index follower (indexer.follow), which
    # writes the index: never the developer's var/index. Tests that want one set their own.
    if "JIUYUAN_INDEX_DIR" not in os.environ:
        config._jiuyuan_index_dir = os.environ["JIUYUAN_INDEX_DIR"] = tempfile.mkdtemp(prefix="jiuyuan-test-index-")


def pytest_unconfigure(config):
    made = getattr(config, "_jiuyuan_index_dir", None)
    if made:  # the folder this run made, and only that
        shutil.rmtree(made, ignore_errors=True)
        os.environ.pop("JIUYUAN_INDEX_DIR", None)


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


@pytest.fixture(autouse=True)
def _settings_read_afresh():
    """Settings come from the environment, which tests change (monkeypatch.setenv): no test
    sees settings cached by an earlier one, nor leaves its own behind."""
    from jiuyuan.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# --- databases ----------------------------------------------------------------------------


def _pg_database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


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


class LedgerTemplates:
    """The ledger migrated to head once per test run on each backend, made on first use."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._sqlite: Path | None = None
        self._pg_name: str | None = None
        self._pg_tried = False
        self._admin = None

    def sqlite(self) -> Path:
        if self._sqlite is None:
            path = self.folder / "template.db"
            db.upgrade(f"sqlite:///{path}")
            # Fold the write-ahead log into the file, so one file is the whole database to copy.
            conn = sqlite3.connect(path)
            try:
                conn.execute("PRAGMA journal_mode=DELETE")
            finally:
                conn.close()
            self._sqlite = path
        return self._sqlite

    def admin(self):
        if self._admin is None:
            self._admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        return self._admin

    def postgresql(self) -> str | None:
        """The name of the migrated template database; None where the role may not create
        databases (each test then migrates its own schema, as before)."""
        if not self._pg_tried:
            self._pg_tried = True
            name = f"jiuyuan_tpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            try:
                with self.admin().connect() as conn:
                    conn.execute(text(f'CREATE DATABASE "{name}"'))
            except SQLAlchemyError:
                return None
            self._pg_name = name
            db.upgrade(_pg_database_url(name))  # alembic disposes its engine: no session stays on the template
        return self._pg_name

    def close(self) -> None:
        if self._pg_name:
            with self.admin().connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{self._pg_name}" WITH (FORCE)'))
        if self._admin is not None:
            self._admin.dispose()


@pytest.fixture(scope="session")
def ledger_templates(tmp_path_factory) -> Iterator[LedgerTemplates]:
    templates = LedgerTemplates(tmp_path_factory.mktemp("ledger-template"))
    yield templates
    templates.close()


@contextmanager
def migrated_database(backend: str, folder: Path, templates: LedgerTemplates) -> Iterator[str]:
    """An empty ledger at the head revision: a copy of the run's migrated template."""
    if backend == "sqlite":
        path = folder / "ledger.db"
        shutil.copy(templates.sqlite(), path)
        yield f"sqlite:///{path}"
        return
    template = templates.postgresql()
    if template is None:
        with empty_database(backend, folder) as url:
            db.upgrade(url)
            yield url
        return
    name = f"jiuyuan_t_{uuid.uuid4().hex[:12]}"
    with templates.admin().connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _pg_database_url(name)
    finally:
        with templates.admin().connect() as conn:  # FORCE: a connection a test left open does not block it
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def db_url(backend, tmp_path) -> Iterator[str]:
    """An empty database URL on each backend (nothing migrated yet)."""
    with empty_database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def migrated_url(backend, tmp_path, ledger_templates) -> Iterator[str]:
    """An empty ledger at head on each backend, copied from the run's template."""
    with migrated_database(backend, tmp_path, ledger_templates) as url:
        yield url


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


def authorise(sessions, person_id: int, agency_id: int, days: int = 365) -> int:
    """The person's service authorisation of the agency, as a counter records it (a year either
    side of today): an agency places, reads and claims for a person only under one."""
    from datetime import timedelta

    from jiuyuan import clock
    from ledger.models import AgencyAuthorisation

    today = clock.today()
    with sessions.begin() as s:
        row = AgencyAuthorisation(
            person_id=person_id,
            agency_id=agency_id,
            valid_from=today - timedelta(days=days),
            valid_to=today + timedelta(days=days),
            purpose="委托推荐就业并申领服务补贴（测试）",
            source="counter",
            recorded_by="测试窗口",
        )
        s.add(row)
        s.flush()
        return row.id


# --- the embedding model ------------------------------------------------------------------


def documents_from_demo(n: int, seed: int = 1):
    from datetime import date

    from demo.generate import generate
    from indexer.documents import from_demo

    return from_demo(generate(seed, n, 1, date(2026, 11, 22)))


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> Path:
    """A small embedding model trained once per test run on demo postings, for every test that
    searches (point JIUYUAN_EMBEDDING_MODEL at it). Shared, so read only: a test that would
    write into a model folder copies this one first (shutil.copytree into its tmp_path)."""
    from indexer.training import train

    docs = documents_from_demo(3000, seed=2)
    path = tmp_path_factory.mktemp("model") / "static-zh"
    train([(d.title, d.description) for d in docs], path, dim=64, progress=False)
    return path


@pytest.fixture(scope="session")
def model(model_path):
    from indexer.encoder import load

    return load(model_path)
