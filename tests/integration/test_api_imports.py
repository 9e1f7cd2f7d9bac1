"""Uploading the spreadsheets offices keep (API issue): all rows or none, a per-row report, the
caller's jurisdiction applied to every row."""

from __future__ import annotations

import csv
import io

from litestar.testing import TestClient
from sqlalchemy import func, select

from api.app import create_app
from jiuyuan.settings import DatabaseSettings, Settings
from ledger.models import AuditEntry, Person
from tests.conftest import bearer
from tests.integration.test_import import BAD_CHECKSUM, GOOD_PERSONS, PERSON_HEADER, _id, _person


def _csv(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([PERSON_HEADER, *rows])
    return buffer.getvalue().encode("utf-8-sig")


def _persons(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Person))


def test_a_counter_uploads_persons_all_or_nothing(migrated_url, sessions):
    counter = bearer(migrated_url, "counter", "芙蓉区零工市场", region="4301")
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as c:

        def upload(rows, **params):
            return c.post(
                "/imports/persons",
                headers=counter,
                params=params,
                files={"file": ("登记表.csv", _csv(rows), "text/csv")},
            )

        bad = upload([*GOOD_PERSONS, _person(4, "赵敏", BAD_CHECKSUM)])
        assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
        assert bad.json()["errors"] == [
            {"field": "公民身份号码", "message": bad.json()["errors"][0]["message"], "row": 5}
        ]
        assert "整个文件未导入" in bad.json()["detail"] and _persons(sessions) == 0
        assert upload(GOOD_PERSONS, check=True).status_code == 200 and _persons(sessions) == 0
        done = upload(GOOD_PERSONS)
        assert done.status_code == 201 and done.json()["imported"] == 3 and _persons(sessions) == 3
        assert upload(GOOD_PERSONS).status_code == 422  # already registered: refused row by row, nothing doubled
        elsewhere = bearer(migrated_url, "counter", "岳阳楼区零工市场", region="4306")
        changsha_person = _person(1, "周杰", _id("43010219990101001"))
        refused = c.post(
            "/imports/persons", headers=elsewhere, files={"file": ("登记表.csv", _csv([changsha_person]), "text/csv")}
        )
        assert refused.status_code == 422 and "管辖范围" in refused.json()["errors"][0]["message"]
        assert _persons(sessions) == 3
        unreadable = c.post("/imports/persons", headers=counter, files={"file": ("表.xls", b"\xd0\xcf\x11\xe0", "x")})
        assert unreadable.status_code == 422
    with sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "register_import")) == 3  # one per person
