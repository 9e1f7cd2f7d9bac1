"""An HR agency's caseload (GET /agency/persons, issue 19): only the persons whose authorisation of
that agency is active, masked, with its own placements; each listed person audited; other roles
403. SQLite, and PostgreSQL with JIUYUAN_TEST_PG_URL."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from stdnum.cn import uscc

from api.app import create_app
from jiuyuan.settings import DatabaseSettings, Settings
from ledger import intake
from ledger.models import AuditEntry
from tests.conftest import authorise, bearer


def _uscc(body: str) -> str:
    return body + uscc.calc_check_digit(body)


@pytest.fixture
def api(migrated_url, sessions):
    with sessions.begin() as s:
        agencies = [
            intake.add_agency(
                s, {"uscc": _uscc(f"91430121MA4L0AG{n}0"), "name": f"人力公司{n}", "region_code": "430121"}
            ).id
            for n in (1, 2)
        ]
        people = [
            intake.add_person(
                s, {"id_number": number, "name": name, "hukou_region_code": "430121", "urban_rural": "urban"}
            ).id
            for number, name in (("430121197003071234", "王建国"), ("430121198005124568", "张桂芳"))
        ]
    authorise(sessions, people[0], agencies[0])
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)), follow=False)) as client:
        yield {
            "client": client,
            "people": people,
            "mine": bearer(migrated_url, "agency", "人力公司1", agency_uscc=_uscc("91430121MA4L0AG10")),
            "other": bearer(migrated_url, "agency", "人力公司2", agency_uscc=_uscc("91430121MA4L0AG20")),
            "counter": bearer(migrated_url, "counter", "窗口", region="430121"),
        }


def test_an_agency_sees_only_its_authorised_persons_masked(api, sessions):
    c, purpose = api["client"], {"purpose": "就业安置登记"}
    mine = c.get("/agency/persons", params=purpose, headers=api["mine"])
    assert mine.status_code == 200, mine.text
    [row] = mine.json()
    assert row["person"]["id"] == api["people"][0] and row["person"]["masked_name"] == "王**"
    assert "王建国" not in mine.text and "430121197003071234" not in mine.text and row["placements"] == []
    assert c.get("/agency/persons", params=purpose, headers=api["other"]).json() == []
    refused = c.get("/agency/persons", params=purpose, headers=api["counter"])
    assert refused.status_code == 403 and "人力资源服务机构" in refused.json()["detail"]
    assert c.get("/agency/persons", headers=api["mine"]).status_code == 400  # a purpose is required
    with sessions() as s:
        listed = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "list"))
    assert listed == 1
