"""One unit of work per request (api.deps.provide_session): the session commits once the handler
has returned, audit entries included; a handler that raises writes nothing, its audit entry
included; a commit that fails is the answer (503), not a success never stored; a commit never
waits for a worker thread that a request it blocks holds. And the SQL side of Jurisdiction
selects exactly the persons its Python side covers, on each backend."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import anyio
import httpx
import pytest
import uvicorn
from litestar import Litestar, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.testing import TestClient
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from api.app import create_app
from api.deps import provide_session
from api.errors import EXCEPTION_HANDLERS
from jiuyuan.errors import InvalidInput
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.vocab import Role, UrbanRural
from ledger import audit, db, intake
from ledger.access import Principal
from ledger.models import AuditEntry, Person
from services.jurisdiction import Jurisdiction
from tests.conftest import bearer

WHO = Principal("abc123def456", "测试窗口", Role.COUNTER, region_prefix="430121")
LI = {"id_number": "430121199511110358", "name": "李建国", "hukou_region_code": "430121", "urban_rural": "rural"}


def _audited(session: Session, person_id: int | None = None) -> None:
    audit.record(session, WHO, "read", person_id, ["name"], "测试")
    session.flush()  # on the server already: only the rollback can take it back


@post("/ok", sync_to_thread=True)
def ok(db_session: NamedDependency[Session]) -> dict:
    _audited(db_session)
    return {"written": True}


@post("/fails", sync_to_thread=True)
def fails(db_session: NamedDependency[Session]) -> dict:
    _audited(db_session)
    raise InvalidInput([])


@post("/crashes", sync_to_thread=True)
def crashes(db_session: NamedDependency[Session]) -> dict:
    _audited(db_session)
    raise RuntimeError("a bug after the audit entry")


@get("/count", sync_to_thread=True)
def count(db_session: NamedDependency[Session]) -> dict:
    return {"entries": db_session.scalar(select(func.count()).select_from(AuditEntry))}


@pytest.fixture
def app(sessions):
    return Litestar(
        [ok, fails, crashes, count],
        dependencies={"db_session": Provide(provide_session)},
        state=State({"sessions": sessions}),
        exception_handlers=EXCEPTION_HANDLERS,
        logging_config=None,  # as api.app.create_app: no logging thread per app
    )


def _entries(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry))


def test_a_handler_that_returns_commits_its_work_and_its_audit_entry(app, sessions):
    with TestClient(app) as c:
        assert c.post("/ok").status_code == 201
    assert _entries(sessions) == 1


def test_a_handler_that_raises_writes_nothing_not_even_its_audit_entry(app, sessions):
    with TestClient(app) as c:
        refused = c.post("/fails")
        assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
        crashed = c.post("/crashes")
        assert crashed.status_code == 500
        assert c.get("/count").json() == {"entries": 0}  # and the pool's connections were left clean
        assert c.post("/ok").status_code == 201
    assert _entries(sessions) == 1


def test_a_commit_that_fails_is_the_answer_and_nothing_is_written(app, sessions):
    def lost(session):
        raise OperationalError("COMMIT", {}, ConnectionError("the server went away"))

    event.listen(sessions, "before_commit", lost)
    try:
        with TestClient(app) as c:
            answer = c.post("/ok")
    finally:
        event.remove(sessions, "before_commit", lost)
    assert answer.status_code == 503 and "未保存" in answer.json()["detail"]
    assert _entries(sessions) == 0


def test_a_commit_never_waits_for_a_worker_thread_held_by_a_request_it_blocks(migrated_url, sessions):
    """A handler that waits for a lock holds a worker-thread token; the commit that releases the
    lock must not need one, or both wait until the database gives up (as 50 agencies racing for
    one claim did, on PostgreSQL's unique index)."""
    if not migrated_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer makes the wait certain; test_api_claims races on PostgreSQL")
    with sessions.begin() as s:
        person_id = intake.add_person(s, LI).id
    engine = db.make_engine(migrated_url)  # waits 5 s for the write lock, then "database is locked"

    def change(session: Session) -> None:
        session.execute(update(Person).where(Person.id == person_id).values(name="李建华"))  # the write lock
        time.sleep(0.3)

    @post("/write")
    async def write(db_session: NamedDependency[Session]) -> dict:
        await anyio.to_thread.run_sync(change, db_session)  # as the claims route does its work
        return {}

    async def one_worker_thread() -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = 1

    async def answering(response: Response) -> Response:  # the answer's own awaits, before the commit
        await anyio.sleep(0.05)
        return response

    app = Litestar(
        [write],
        dependencies={"db_session": Provide(provide_session)},
        on_startup=[one_worker_thread],
        after_request=answering,
        state=State({"sessions": sessionmaker(engine)}),
        exception_handlers=EXCEPTION_HANDLERS,
        logging_config=None,
    )
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        while not server.started:
            assert thread.is_alive()
            time.sleep(0.05)
        base = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        with httpx.Client(base_url=base, timeout=30) as http, ThreadPoolExecutor(2) as pool:
            started = time.monotonic()
            first = pool.submit(http.post, "/write")
            time.sleep(0.1)  # the second waits for the one worker thread while the first writes
            second = pool.submit(http.post, "/write")
            codes = [first.result().status_code, second.result().status_code]
            took = time.monotonic() - started
        assert codes == [201, 201] and took < 3, (codes, took)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        engine.dispose()


def test_a_real_route_that_fails_after_its_service_audited_writes_no_audit_entry(migrated_url, sessions, monkeypatch):
    with sessions.begin() as s:
        person_id = intake.add_person(s, LI).id
    counter = bearer(migrated_url, "counter", "长沙县窗口", region="430121")
    app = create_app(Settings(db=DatabaseSettings(url=migrated_url)))
    with TestClient(app) as c:
        assert c.get(f"/persons/{person_id}", params={"purpose": "窗口求职登记"}, headers=counter).status_code == 200
        import api.routes.persons as routes

        def broken(record):
            raise RuntimeError("encoding failed")

        monkeypatch.setattr(routes, "person_out", broken)
        assert c.get(f"/persons/{person_id}", params={"purpose": "窗口求职登记"}, headers=counter).status_code == 500
    with sessions() as s:
        reads = s.scalars(select(AuditEntry.action).where(AuditEntry.subject_person_id == person_id)).all()
    assert reads == ["read"]  # the first read's entry only


def test_the_sql_side_of_jurisdiction_selects_whom_the_python_side_covers(sessions):
    places = [
        ("430121", "430121"),
        ("440305", "430121"),
        ("430121", "440305"),
        ("430102", "430102"),
        ("440305", "440305"),
    ]
    with sessions.begin() as s:
        for i, (hukou, residence) in enumerate(places):
            s.add(
                Person(
                    id_number=f"43012119900101{i:03d}X",
                    name=f"人{i}",
                    sex="M",
                    birth_date=date(1990, 1, 1),
                    hukou_region_code=hukou,
                    residence_region_code=residence,
                    urban_rural=UrbanRural.URBAN,
                )
            )
    callers = [
        Jurisdiction(Role.OFFICER, "430121"),
        Jurisdiction(Role.COUNTER, "4301"),
        Jurisdiction(Role.ADMIN),
        Jurisdiction(Role.AGENCY, agency_id=1),
        Jurisdiction(Role.OFFICER, "44"),
    ]
    with sessions() as s:
        everyone = s.scalars(select(Person)).all()
        for caller in callers:
            by_sql = set(s.scalars(caller.where_person(select(Person.id))))
            assert by_sql == {p.id for p in everyone if caller.covers(p)}, caller
        in_county = set(s.scalars(select(Person.id).where(Jurisdiction.in_area_clause("430121"))))
        assert in_county == {p.id for p in everyone if "430121" in (p.hukou_region_code, p.residence_region_code)}
