"""Migration 0014: an HR agency's fee claim made before 0013 gets the claim line the code writes
for a claim today (``ledger.claim_lines.for_claim``, decided as the claim was).

How: claims are made and decided through the API at head, their lines read, then the lines are
removed — all of them (every claim predates 0013), or only the rejected claim's (rejected before
0013, claimed again since) — the ledger is marked as at 0013 and upgraded to 0014. The
backfilled lines must be the lines the code wrote, field by field, corrections linked alike."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, inspect, select, text, update

from ledger import db
from ledger.models import ClaimLine
from tests.integration.test_case_history import office  # noqa: F401
from tests.integration.test_payment_runs import _agency_placements, _claim

__all__ = ["office"]

FIELDS = [c.key for c in inspect(ClaimLine).columns if c.key not in ("id", "supersedes_id", "correction_reason")]


def _snapshot(engine) -> dict[int, dict]:
    """Every claim's line by claim id; the line it corrects named by that line's claim."""
    with db.session_factory(engine)() as s:
        rows = list(s.scalars(select(ClaimLine).where(ClaimLine.claim_id.is_not(None))))
        claim_of = {r.id: r.claim_id for r in rows}
        return {
            r.claim_id: {f: getattr(r, f) for f in FIELDS}
            | {"corrects_claim": claim_of.get(r.supersedes_id), "reason": _ids_out(r.correction_reason, claim_of)}
            for r in rows
        }


def _ids_out(reason: str | None, claim_of: dict[int, int]) -> str | None:
    # The reason names the corrected line by its id, which the backfill cannot reuse.
    for line_id, claim_id in claim_of.items():
        reason = reason.replace(f"明细 {line_id}）", f"申领 {claim_id} 的明细）") if reason else reason
    return reason


@pytest.mark.parametrize("second", ["approved", "pending"])
@pytest.mark.parametrize("lost", ["all", "rejected"])
def test_0014_writes_each_claim_the_line_the_code_writes(office, sessions, lost, second):  # noqa: F811
    office = office.elsewhere("433124")
    _person, _agencies, placed, agency = _agency_placements(office, sessions)
    first = _claim(office.on("2020-01-10"), agency, placed[0], "agency-fee-00000001")
    office.post(f"/claims/{first['id']}/decision", {"approve": False, "reason": "劳动合同未附"})
    again = _claim(office, agency, placed[0], "agency-fee-00000002")
    if second == "approved":
        office.post(f"/claims/{again['id']}/decision", {"approve": True})
    engine = db.make_engine(office.url)
    try:
        written = _snapshot(engine)
        assert set(written) == {first["id"], again["id"]} and written[again["id"]]["corrects_claim"] == first["id"]
        assert written[first["id"]]["status"] == "superseded" and written[again["id"]]["status"] == second

        gone = [first["id"], again["id"]] if lost == "all" else [first["id"]]
        with engine.begin() as c:
            unlinked = {"supersedes_id": None, "correction_reason": None}  # as a claim made after 0013 was
            c.execute(update(ClaimLine).where(ClaimLine.claim_id.is_not(None)).values(**unlinked))
            c.execute(delete(ClaimLine).where(ClaimLine.claim_id.in_(gone)))
            c.execute(text("UPDATE alembic_version SET version_num = '0013'"))
        db.upgrade(office.url, "0014")

        assert _snapshot(engine) == written
        with engine.connect() as c:
            assert c.scalar(text("SELECT version_num FROM alembic_version")) == "0014"
    finally:
        engine.dispose()


def test_0014_leaves_a_ledger_whose_claims_all_have_lines_unchanged(office, sessions):  # noqa: F811
    office = office.elsewhere("433124")
    _person, _agencies, placed, agency = _agency_placements(office, sessions)
    _claim(office.on("2020-01-10"), agency, placed[0], "agency-fee-00000001")
    engine = db.make_engine(office.url)
    try:
        written = _snapshot(engine)
        with engine.begin() as c:
            c.execute(text("UPDATE alembic_version SET version_num = '0013'"))
        db.upgrade(office.url, "0014")
        assert _snapshot(engine) == written
    finally:
        engine.dispose()
