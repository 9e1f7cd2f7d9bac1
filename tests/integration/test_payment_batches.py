"""A batch of claim lines is decided whole or not at all (issue 16): one line in it that cannot be
decided — decided already, corrected by a later run, unknown — refuses the batch in Chinese,
and the other lines stay pending with no decision and no audit entry written."""

from __future__ import annotations

from sqlalchemy import func, select

from ledger.models import AuditEntry, ClaimLine
from tests.integration.test_case_history import (  # noqa: F401
    MAN,
    PERSONAL_PART,
    WOMAN,
    month_list,
    office,
)
from tests.integration.test_payment_runs import decide, lines, run

__all__ = ["office"]


def _state(sessions) -> tuple[dict[int, tuple], int]:
    """Every line's (status, decision, decided_by), and the decisions' audit entries."""
    with sessions() as s:
        rows = s.execute(select(ClaimLine.id, ClaimLine.status, ClaimLine.decision, ClaimLine.decided_by)).all()
        audited = s.scalar(
            select(func.count()).where(AuditEntry.action.in_(["payments.approved", "payments.rejected"]))
        )
    return {r[0]: tuple(r[1:]) for r in rows}, audited


def _two_workers(office) -> tuple[dict, dict]:
    """Two flexible workers of the county, paid for November: their two lines, by person."""
    recognitions: dict[int, int] = {}
    for who in (MAN, WOMAN):
        person = office.on("2025-08-04").register(**who)
        recognitions[person] = office.recognise(person, "2025-08-04")
        office.place(person, "flexible", "2025-09-01", contract_months=None)
        office.contributions(who["id_number"], month_list("2025-09", 3), "personal", PERSONAL_PART, on="2025-12-03")
    done = run(office, "2025-11", on="2025-12-05")
    by_person = {x["person_id"]: x for x in lines(office, done["id"])}
    first, second = (by_person[p] | {"recognition": recognitions[p]} for p in recognitions)
    return first, second


def test_a_batch_with_a_line_decided_already_decides_none_of_them(office, sessions):
    first, second = _two_workers(office)
    decide(office, [first["id"]], approve=False, reason="缴费凭证待补")
    before = _state(sessions)
    for approve in (True, False):
        refused = decide(office, [second["id"], first["id"]], approve=approve, status=409)
        assert f"明细 {first['id']} 已驳回" in refused["detail"] and "本批未作任何审批" in refused["detail"]
    assert _state(sessions) == before and before[0][second["id"]] == ("pending", None, None)


def test_a_batch_with_an_unknown_line_decides_none_of_them(office, sessions):
    first, second = _two_workers(office)
    before = _state(sessions)
    unknown = max(before[0]) + 1000
    refused = decide(office, [first["id"], unknown, second["id"]], status=404)
    assert refused["detail"].startswith(f"明细 {unknown} 不存在或不在您的管辖范围内，")
    assert _state(sessions) == before and before[1] == 0
    # Decided as a batch, both lines are decided, each with its own audit entry.
    assert decide(office, [first["id"], second["id"]])["decided"] == 2
    after, audited = _state(sessions)
    assert {after[x["id"]][:2] for x in (first, second)} == {("approved", "approved")} and audited == 2


def test_a_batch_with_a_line_a_later_run_corrected_decides_none_of_them(office, sessions):
    first, second = _two_workers(office)
    # Recorded in December: the first worker left recognition on 10 November (002 §5).
    office.on("2025-12-10").post(
        f"/recognitions/{first['recognition']}/exit",
        {"route": "self", "clause": "002 §5", "exited_on": "2025-11-10", "reason": "本人申报：已自行就业"},
    )
    later = run(office, "2025-11", on="2025-12-11")
    [fix] = lines(office, later["id"])
    assert fix["supersedes_id"] == first["id"] and fix["amount"] == "0.00"
    before = _state(sessions)
    refused = decide(office, [second["id"], first["id"]], status=409)
    assert f"明细 {first['id']} 已被明细 {fix['id']} 更正" in refused["detail"]
    assert f"请审批明细 {fix['id']}" in refused["detail"] and "本批未作任何审批" in refused["detail"]
    assert _state(sessions) == before


def test_a_reason_with_a_nul_or_a_direction_override_is_a_422_and_decides_nothing(office, sessions):
    first, second = _two_workers(office)
    before = _state(sessions)
    for reason in ("经核对\u0000无误", "经核对\u202e误无"):
        refused = decide(office, [first["id"], second["id"]], reason=reason, status=422)
        assert refused["errors"][0]["field"] == "reason" and "控制字符" in refused["errors"][0]["message"]
    assert _state(sessions) == before
