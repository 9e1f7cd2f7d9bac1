"""One unit of work per request (api.deps.provide_session): the session commits once the handler
has returned, audit entries included; a handler that raises writes nothing, its audit entry
included; a commit that fails is the answer (503), not a success never stored. And the SQL side
of Jurisdiction selects exactly the persons its Python side covers, on each backend."""

from __future__ import annotations

from datetime import date

import pytest
from litestar import Litestar, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.testing import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from api.app import create_app
from api.deps import provide_session
from api.errors import EXCEPTION_HANDLERS
from jiuyuan.errors import InvalidInput
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.vocab import Role, UrbanRural
from ledger import audit, intake
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
    return Litestar([ok, fails, crashes, count], dependencies={"db_session": Provide(provide_session)},
                    state=State({"sessions": sessions}), exception_handlers=EXCEPTION_HANDLERS)


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


def test_a_real_route_that_fails_after_its_service_audited_writes_no_audit_entry(migrated_url, sessions,
                                                                                 monkeypatch):
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
    places = [("430121", "430121"), ("440305", "430121"), ("430121", "440305"), ("430102", "430102"),
              ("440305", "440305")]
    with sessions.begin() as s:
        for i, (hukou, residence) in enumerate(places):
            s.add(Person(id_number=f"43012119900101{i:03d}X", name=f"人{i}", sex="M", birth_date=date(1990, 1, 1),
                         hukou_region_code=hukou, residence_region_code=residence, urban_rural=UrbanRural.URBAN))
    callers = [Jurisdiction(Role.OFFICER, "430121"), Jurisdiction(Role.COUNTER, "4301"), Jurisdiction(Role.ADMIN),
               Jurisdiction(Role.AGENCY, agency_id=1), Jurisdiction(Role.OFFICER, "44")]
    with sessions() as s:
        everyone = s.scalars(select(Person)).all()
        for caller in callers:
            by_sql = set(s.scalars(caller.where_person(select(Person.id))))
            assert by_sql == {p.id for p in everyone if caller.covers(p)}, caller
            by_claims = set(s.scalars(select(Person.id).where(caller.claims_person_clause())))
            assert by_claims == {p.id for p in everyone if caller.covers_for_claims(p)}, caller
        in_county = set(s.scalars(select(Person.id).where(Jurisdiction.in_area_clause("430121"))))
        assert in_county == {p.id for p in everyone if "430121" in (p.hukou_region_code, p.residence_region_code)}
