"""Posting refs are unique per employer (issue 17, "employer refs"): unique across all employers,
a 409 told one employer which numbers another used, and a number could be squatted. Through the
API, the import, and the ledger's own constraints (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from api.app import create_app
from demo.generate import Generator
from jiuyuan import clock
from jiuyuan.errors import Duplicate
from jiuyuan.settings import DatabaseSettings, Settings
from ledger import intake
from ledger.imports import import_postings
from ledger.models import JobPosting
from tests.conftest import bearer


def _gig(**extra) -> dict:
    today = clock.today()
    return {
        "title": "超市理货员",
        "kind": "gig",
        "schedule": "daily",
        "wage_unit": "day",
        "wage_min": "150",
        "region_code": "430102",
        "valid_from": str(today),
        "valid_until": str(today + timedelta(days=30)),
        **extra,
    }


@pytest.fixture
def world(migrated_url, sessions):
    with sessions.begin() as s:
        rows = Generator(11, date(2019, 1, 1)).employers(2)
        a, b = (intake.add_employer(s, {**r, "region_code": "430102", "address": None}) for r in rows)
        ids = {"a": a.id, "b": b.id, "a_uscc": a.uscc, "b_uscc": b.uscc}
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as c:
        yield {
            "c": c,
            "sessions": sessions,
            **ids,
            "as_a": bearer(migrated_url, "employer", "甲公司人事", employer_uscc=ids["a_uscc"]),
            "as_b": bearer(migrated_url, "employer", "乙公司人事", employer_uscc=ids["b_uscc"]),
            "counter": bearer(migrated_url, "counter", "芙蓉区零工市场", region="430102"),
        }


def _postings(sessions, ref: str) -> list[tuple[int | None, str]]:
    with sessions() as s:
        return sorted(
            s.execute(select(JobPosting.employer_id, JobPosting.ref).where(JobPosting.ref == ref)).all(),
            key=lambda r: r[0] or 0,
        )


def test_two_employers_may_use_the_same_ref(world):
    c, sessions = world["c"], world["sessions"]
    first = c.post("/postings", headers=world["as_a"], json=_gig(ref="HR-001"))
    second = c.post("/postings", headers=world["as_b"], json=_gig(ref="HR-001"))
    assert first.status_code == second.status_code == 201, second.text
    # Counter staff entering it for either employer, too.
    assert (
        c.post("/postings", headers=world["counter"], json=_gig(ref="HR-002", employer_id=world["a"])).status_code
        == 201
    )
    assert (
        c.post("/postings", headers=world["counter"], json=_gig(ref="HR-002", employer_id=world["b"])).status_code
        == 201
    )
    assert _postings(sessions, "HR-001") == [(world["a"], "HR-001"), (world["b"], "HR-001")]


def test_the_same_employer_may_not_use_a_ref_twice(world):
    c, sessions = world["c"], world["sessions"]
    assert c.post("/postings", headers=world["as_a"], json=_gig(ref="HR-001")).status_code == 201
    again = c.post("/postings", headers=world["as_a"], json=_gig(ref="HR-001", title="仓库理货员"))
    assert again.status_code == 409, again.text
    assert again.json()["errors"] == [{"field": "ref", "message": "该用人单位已有此岗位编号"}]
    # Entered by counter staff for that employer: the same answer.
    by_counter = c.post("/postings", headers=world["counter"], json=_gig(ref="HR-001", employer_id=world["a"]))
    assert by_counter.status_code == 409
    # Postings without an employer share one namespace.
    assert c.post("/postings", headers=world["counter"], json=_gig(ref="NO-EMP")).status_code == 201
    assert c.post("/postings", headers=world["counter"], json=_gig(ref="NO-EMP")).status_code == 409
    assert _postings(sessions, "HR-001") == [(world["a"], "HR-001")]
    assert _postings(sessions, "NO-EMP") == [(None, "NO-EMP")]


def test_an_employer_cannot_learn_another_employers_refs(world):
    c, sessions = world["c"], world["sessions"]
    assert c.post("/postings", headers=world["as_a"], json=_gig(ref="SECRET-7")).status_code == 201
    # B tries A's number and a number nobody uses: the same answer, and both are B's own postings.
    taken = c.post("/postings", headers=world["as_b"], json=_gig(ref="SECRET-7"))
    fresh = c.post("/postings", headers=world["as_b"], json=_gig(ref="NOBODY-1"))
    assert taken.status_code == fresh.status_code == 201
    strip = {"id", "ref"}
    assert {k: v for k, v in taken.json().items() if k not in strip} == {
        k: v for k, v in fresh.json().items() if k not in strip
    }
    assert world["b"] in {e for e, _ in _postings(sessions, "SECRET-7")}
    # B's own listing shows its own postings only, never A's with that number.
    listed = c.get("/postings", headers=world["as_b"], params={"limit": 200}).json()["items"]
    assert sorted(p["ref"] for p in listed) == ["NOBODY-1", "SECRET-7"]
    assert {p["employer_name"] for p in listed} == {taken.json()["employer_name"]}


def test_an_import_keys_refs_within_their_employer(world):
    sessions = world["sessions"]
    today = clock.today()

    def row(ref: str, uscc: str) -> dict:
        return {
            "岗位编号": ref,
            "岗位名称": "保洁员",
            "用人单位统一社会信用代码": uscc,
            "岗位类型": "零工岗位",
            "班次": "日结",
            "工资下限": "120",
            "计薪方式": "按天",
            "工作地点区划代码": "430102",
            "有效期起": str(today),
            "有效期止": str(today + timedelta(days=30)),
        }

    with sessions.begin() as s:
        intake.add_posting(s, {**_gig(ref="IMP-1"), "employer_id": world["a"]})
    # The same number for two employers in one file, and A's number for B: all fine.
    with sessions.begin() as s:
        report = import_postings(
            s, [row("IMP-2", world["a_uscc"]), row("IMP-2", world["b_uscc"]), row("IMP-1", world["b_uscc"])]
        )
    assert report.rejected == [] and report.imported == 3
    # Twice for one employer, in the file or against the ledger: refused.
    with sessions.begin() as s:
        report = import_postings(
            s, [row("IMP-3", world["b_uscc"]), row("IMP-3", world["b_uscc"]), row("IMP-1", world["a_uscc"])]
        )
    assert [(r.row, r.column, r.message) for r in report.rejected] == [
        (3, "岗位编号", "与第2行重复"),  # rows numbered as in a file, under its header
        (4, "岗位编号", "该用人单位已有此岗位编号"),
    ]


def test_the_ledger_holds_refs_unique_per_employer_and_among_postings_without_one(world):
    """The constraints themselves (a unique pair and a partial unique index), past intake's check."""
    sessions = world["sessions"]
    base = {k: v for k, v in intake.clean_posting(_gig(ref="DB-1"), clock.today()).items() if k != "employer_id"}
    with sessions.begin() as s:
        s.add_all([JobPosting(**base, employer_id=world["a"]), JobPosting(**base, employer_id=world["b"])])
        s.add(JobPosting(**base, employer_id=None))
    for employer_id in (world["a"], None):
        with pytest.raises(IntegrityError), sessions.begin() as s:
            s.add(JobPosting(**base, employer_id=employer_id))
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(JobPosting)) == 3
    with pytest.raises(Duplicate), sessions.begin() as s:
        intake.add_posting(s, {**_gig(ref="DB-1")})
