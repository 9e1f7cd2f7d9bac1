"""An HR agency's fee claim and its claim line are one decision, so officers reach them by one
rule: the person's hukou **or** residence county (002 §4 "至户籍地或常住地公共就业服务机构享受
就业援助"; ``services.jurisdiction``). An officer of either county finds the claim in ``/claims``
and its line in a payment run's lines, and may decide it by either route; an officer of a third
county finds neither and decides nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from demo.generate import Generator
from ledger import intake
from ledger.models import Claim, ClaimLine
from tests.conftest import authorise, bearer
from tests.integration.test_case_history import POOR, office  # noqa: F401
from tests.integration.test_payment_runs import _claim, decide, lines, run

__all__ = ["office"]

HUKOU, RESIDENCE, THIRD = "433124", "430121", "430102"


def _claimed(office, sessions) -> tuple[int, int]:  # noqa: F811
    """A poor worker with hukou in 花垣县 who lives in 长沙县, placed by an agency (004 §2(2)2):
    the agency's claim (fee matured 2019-07) and its line's ids."""
    with sessions.begin() as s:
        agency = intake.add_agency(s, Generator(7, date(2019, 1, 1)).agencies(1)[0])
        agency_id, name, uscc = agency.id, agency.name, agency.uscc
    person = office.on("2019-01-07").register(**POOR, residence_region_code=RESIDENCE)
    authorise(sessions, person, agency_id, days=800)
    placed = office.place(person, "employer_absorption", "2019-01-07", agency_id=agency_id)
    claim = _claim(office.on("2020-01-10"), bearer(office.url, "agency", name, agency_uscc=uscc), placed, "fee-0000001")
    with sessions() as s:
        return claim["id"], s.scalar(select(ClaimLine.id).where(ClaimLine.claim_id == claim["id"]))


def _claims_listed(office) -> set[int]:
    shown = office.client.get("/claims", params={"purpose": "补贴审核"}, headers=office.officer)
    return {c["id"] for c in office.ok(shown)}


@pytest.mark.parametrize("county", [HUKOU, RESIDENCE])
def test_an_officer_of_the_hukou_or_the_residence_county_sees_the_claim_in_both_lists(office, sessions, county):  # noqa: F811
    claim_id, line_id = _claimed(office.elsewhere(HUKOU), sessions)
    officer = office.elsewhere(county).on("2020-01-11")
    outsider = office.elsewhere(THIRD)

    # The outsider first: nothing listed, nothing decided, by either route; its own run has no line.
    assert claim_id not in _claims_listed(outsider)
    elsewhere = run(outsider, "2019-07", on="2020-01-11")
    assert line_id not in {x["id"] for x in lines(outsider, elsewhere["id"])}
    assert "不在您的管辖范围" in outsider.post(f"/claims/{claim_id}/decision", {"approve": True}, 404)["detail"]
    assert "不在您的管辖范围" in decide(outsider, [line_id], status=404)["detail"]

    assert claim_id in _claims_listed(officer)
    here = run(officer, "2019-07", on="2020-01-11")
    assert line_id in {x["id"] for x in lines(officer, here["id"])}
    officer.post(f"/claims/{claim_id}/decision", {"approve": False, "reason": "劳动合同未附"})
    with sessions() as s:
        assert s.get(Claim, claim_id).status.value == "rejected"
        assert s.get(ClaimLine, line_id).status == "rejected"  # decided together, by the officer who reached both
