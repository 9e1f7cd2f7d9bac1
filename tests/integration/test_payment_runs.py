"""Monthly payment runs through the API (issue 16), on a clock the test moves: a run writes one
claim line per (scheme, placement, month), a rerun writes nothing unless the facts changed, and
then a correction line says why; officers approve in batches; finance gets an xlsx.

The figures are the test fixture's invented local parameters (400 a month flexible, 600 a month
employer absorption: tests/policy_cases/local_test_config.yaml), not any locality's."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from demo.generate import Generator
from jiuyuan.clock import CHINA
from ledger import intake
from ledger.facts import cases_for
from ledger.models import AuditEntry, Claim, ClaimLine, PaymentRun
from ledger.reports.payments import payments_xlsx
from tests.conftest import authorise, bearer
from tests.integration.test_case_history import (  # noqa: F401
    EMPLOYER_PART,
    MAN,
    PERSONAL_PART,
    POOR,
    month_list,
    office,
)

__all__ = ["office"]


def run(office, month: str, on: str, status: int = 201, **more) -> dict:
    return office.on(on).post("/payment-runs", {"month": month} | more, status)


def lines(office, run_id: int) -> list[dict]:
    return office.ok(office.client.get(f"/payment-runs/{run_id}/lines", headers=office.officer))


def decide(office, ids: list[int], approve: bool = True, status: int = 200, reason: str = "经核对无误") -> dict:
    return office.post("/claim-lines/decision", {"line_ids": ids, "approve": approve, "reason": reason}, status)


def count(sessions, model) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def flexible_worker(office, months: int = 3) -> tuple[int, int]:
    person = office.on("2025-08-04").register(**MAN)
    rec = office.recognise(person, "2025-08-04")
    office.place(person, "flexible", "2025-09-01", contract_months=None)
    office.contributions(MAN["id_number"], month_list("2025-09", months), "personal", PERSONAL_PART, on="2025-12-03")
    return person, rec


def test_a_run_pays_the_month_once_and_a_rerun_writes_nothing(office, sessions):
    person, _ = flexible_worker(office)
    first = run(office, "2025-11", on="2025-12-05")
    assert (first["written"], first["corrections"], first["persons"]) == (1, 0, 1)
    [line] = lines(office, first["id"])
    assert (line["scheme"], line["month"], line["amount"], line["payable"]) == (
        "flexible_si",
        "2025-11",
        "400.00",
        "400.00",
    )
    assert line["payee_kind"] == "person" and line["payee_id"] == person and line["payee_name"] == MAN["name"]
    assert "003" not in line["legal_basis"] and "002 §3" in line["legal_basis"] and line["trace"]
    assert isinstance(line["signals"], list)

    again = run(office, "2025-11", on="2025-12-06")
    assert (again["written"], again["unchanged"]) == (0, 1)
    assert lines(office, again["id"]) == []
    assert count(sessions, ClaimLine) == 1


def test_bad_input_is_refused_in_chinese_and_writes_nothing(office, sessions):
    flexible_worker(office)
    future = run(office, "2026-01", on="2025-12-05", status=422)
    assert "尚未到来" in str(future) and future["errors"][0]["field"] == "month"
    assert "YYYY-MM" in str(run(office, "2025-13", on="2025-12-05", status=422))
    outside = run(office, "2025-11", on="2025-12-05", status=403, region="430102")
    assert "不在您的管辖范围" in outside["detail"]
    assert count(sessions, PaymentRun) == 0 and count(sessions, ClaimLine) == 0

    done = run(office, "2025-11", on="2025-12-05")
    [line] = lines(office, done["id"])
    assert "理由" in str(decide(office, [line["id"]], reason=" ", status=422))
    decide(office, [line["id"]])
    twice = decide(office, [line["id"]], status=409)
    assert "不可重复审批" in twice["detail"] and str(line["id"]) in twice["detail"]
    elsewhere = office.elsewhere("430102")
    assert "不存在" in decide(elsewhere, [line["id"]], status=404)["detail"]
    with sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action.like("payments.%approved"))) == 1


def test_an_exit_recorded_afterwards_corrects_a_paid_month_and_the_paid_line_cannot_be_approved(office, sessions):
    person, rec = flexible_worker(office)
    first = run(office, "2025-11", on="2025-12-05")
    [paid] = lines(office, first["id"])
    decide(office, [paid["id"]])
    # Recorded in December: the person left recognition on 10 November (002 §5).
    office.on("2025-12-10").post(
        f"/recognitions/{rec}/exit",
        {"route": "self", "clause": "002 §5", "exited_on": "2025-11-10", "reason": "本人申报：已自行就业"},
    )
    second = run(office, "2025-11", on="2025-12-11")
    assert (second["written"], second["corrections"]) == (1, 1)
    [fix] = lines(office, second["id"])
    assert fix["supersedes_id"] == paid["id"] and fix["amount"] == "0.00" and fix["payable"] == "-400.00"
    assert "不再支付" in fix["correction_reason"] and "退出就业困难人员" in fix["correction_reason"]
    assert "应追回 400.00 元" in fix["correction_reason"]
    assert run(office, "2025-11", on="2025-12-12")["written"] == 0  # corrected once, not again

    # The first line's approval stands (it was paid); deciding it again names the correction.
    refused = decide(office, [paid["id"]], status=409)
    assert f"已被明细 {fix['id']} 更正" in refused["detail"] and "本批未作任何审批" in refused["detail"]
    decide(office, [fix["id"]], approve=False, reason="已电话核实，待本人退回")
    with sessions() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.subject_person_id == person)).all()
        assert "payments.approved" in actions and "payments.rejected" in actions and "payments.run" in actions


def test_a_late_employer_contribution_moves_the_month_to_the_earlier_placement(office, sessions):
    with sessions.begin() as s:
        employer = intake.add_employer(s, Generator(7, date(2025, 1, 1)).employers(1)[0])
        employer_id, employer_name = employer.id, employer.name
    person = office.on("2025-08-04").register(**MAN)
    office.recognise(person, "2025-08-04")
    absorbed = office.place(person, "employer_absorption", "2025-09-01", employer_id=employer_id)
    flexible = office.place(person, "flexible", "2025-10-01", contract_months=None)
    office.contributions(MAN["id_number"], ["2025-10", "2025-11"], "personal", PERSONAL_PART, on="2025-12-03")
    office.contributions(MAN["id_number"], ["2025-09", "2025-10"], "employer", EMPLOYER_PART, on="2025-12-03")

    first = run(office, "2025-11", on="2025-12-05")
    [line] = lines(office, first["id"])
    assert (line["scheme"], line["placement_id"], line["amount"]) == ("flexible_si", flexible, "400.00")
    october = run(office, "2025-10", on="2025-12-05")
    [kept] = lines(office, october["id"])  # October: both paid, the earlier placement keeps it
    assert (kept["scheme"], kept["payee_kind"], kept["payee_name"]) == ("employer_si", "employer", employer_name)

    # November's employer contribution arrives late: the month is the earlier placement's now.
    office.contributions(MAN["id_number"], ["2025-11"], "employer", EMPLOYER_PART, on="2025-12-20")
    second = run(office, "2025-11", on="2025-12-21")
    assert (second["written"], second["corrections"]) == (2, 1)
    by_scheme = {x["scheme"]: x for x in lines(office, second["id"])}
    fix, new = by_scheme["flexible_si"], by_scheme["employer_si"]
    assert fix["supersedes_id"] == line["id"] and fix["amount"] == "0.00" and fix["payable"] == "0.00"
    assert "已由企业吸纳就业社会保险补贴" in fix["correction_reason"]
    assert (new["placement_id"], new["amount"], new["payee_id"]) == (absorbed, "600.00", employer_id)
    # No month paid twice: one social-insurance line with money a person a month.
    with sessions() as s:
        live = s.execute(
            select(ClaimLine.month, ClaimLine.scheme_code).where(ClaimLine.status != "superseded", ClaimLine.amount > 0)
        ).all()
    assert sorted(live) == [("2025-10", "employer_si"), ("2025-11", "employer_si")]


def test_the_finance_export_lists_approved_lines_with_totals(office):
    flexible_worker(office, months=4)
    october = run(office, "2025-10", on="2025-12-05")
    november = run(office, "2025-11", on="2025-12-05")
    decide(office, [x["id"] for x in lines(office, november["id"])])
    response = office.client.get(f"/payment-runs/{november['id']}/export.xlsx", headers=office.officer)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["发放明细"].iter_rows(values_only=True))
    header = rows[1]
    [paid] = [dict(zip(header, r, strict=True)) for r in rows[2:-1]]
    assert paid["收款方"] == paid["账户名"] == MAN["name"] and paid["收款方类型"] == "个人"
    assert paid["本次应付（元）"] == 400 and paid["补贴项目"] == "灵活就业社会保险补贴"
    assert paid["所属月份"] == "2025-11" and "002 §3" in paid["政策依据"] and "长沙县" in paid["县（市区）"]
    assert rows[-1][0] == "合计" and rows[-1][5] == 400
    totals = list(book["合计"].iter_rows(values_only=True))
    assert ("灵活就业社会保险补贴", paid["县（市区）"], "2025-11", 1, 400) in totals
    assert totals[-1] == ("总计", None, None, 1, 400)
    # October's run has no approved line: an empty list, not another run's lines.
    empty = office.client.get(f"/payment-runs/{october['id']}/export.xlsx", headers=office.officer)
    assert len(list(load_workbook(io.BytesIO(empty.content))["发放明细"].iter_rows())) == 3


def test_text_cells_are_text_never_formulas():
    run_row = PaymentRun(id=1, month="2025-11", region="430121")
    line = ClaimLine(
        id=7, payee_kind="employer", payee_id=3, payee_name='=HYPERLINK("http://x","点击")', amount=1, payable=1,
        scheme_code="employer_si", legal_basis="=1+1", month="2025-11", region_code="430121", correction_reason=None,
    )  # fmt: skip
    book = load_workbook(io.BytesIO(payments_xlsx(run_row, [line])))
    cells = [c for row in book["发放明细"].iter_rows() for c in row if isinstance(c.value, str)]
    assert any(c.value.startswith("=HYPERLINK") for c in cells)
    assert all(c.data_type == "s" for c in cells)


@pytest.mark.parametrize("month", ["2025-1", "11-2025", "2025/11"])
def test_a_malformed_month_names_the_field(office, month):
    body = run(office, month, on="2025-12-05", status=422)
    assert body["errors"][0]["field"] == "month"


def test_the_command_line_runs_a_month_with_a_progress_bar(office, migrated_url, capsys):
    from cli.main import main

    flexible_worker(office)
    office.on("2025-12-05")
    command = ["--database-url", migrated_url, "pay", "run", "--region", "430121", "--month"]
    assert main([*command, "2025-11"]) == 0
    out = capsys.readouterr()
    assert "写入明细 1" in out.out and "2025-11 发放" in out.err  # tqdm's bar is on stderr
    assert main([*command, "2025-11"]) == 0 and "写入明细 0" in capsys.readouterr().out
    assert main([*command, "2026-01"]) == 2 and "尚未到来" in capsys.readouterr().err


def _agency_placements(office, sessions) -> tuple[int, list, list[int], dict]:
    """A registered poor worker (004 §2(2)2) placed by two agencies eight weeks apart, both
    authorised: the first placement's fee matures on 2019-07-07."""
    with sessions.begin() as s:
        agencies = [intake.add_agency(s, row) for row in Generator(7, date(2019, 1, 1)).agencies(2)]
        agencies = [(a.id, a.name, a.uscc) for a in agencies]
    person = office.on("2019-01-07").register(**POOR)
    for agency in agencies:
        authorise(sessions, person, agency[0], days=800)
    placed = [
        office.place(person, "employer_absorption", "2019-01-07", end_date="2019-12-31", agency_id=agencies[0][0]),
        office.place(person, "employer_absorption", "2019-03-04", agency_id=agencies[1][0]),
    ]
    first = bearer(office.url, "agency", agencies[0][1], agency_uscc=agencies[0][2])
    return person, agencies, placed, first


def _claim(office, agency: dict, placement: int, key: str, status: int = 201) -> dict:
    headers = agency | {"Idempotency-Key": key}
    return office.ok(office.client.post("/claims", json={"placement_id": placement}, headers=headers), status)


def test_an_agency_fee_claim_is_a_claim_line_a_run_of_its_month_takes_up(office, sessions):
    office = office.elsewhere("433124")
    person, agencies, placed, agency = _agency_placements(office, sessions)
    claim = _claim(office.on("2020-01-10"), agency, placed[0], "agency-fee-00000001")
    with sessions() as s:
        line = s.scalar(select(ClaimLine).where(ClaimLine.claim_id == claim["id"]))
        assert (line.scheme_code, line.month, line.payee_kind, line.payee_id) == (
            "agency_fee",
            "2019-07",
            "agency",
            agencies[0][0],
        )
        assert (line.amount, line.payable, line.status, line.run_id) == (200, 200, "pending", None)
        assert line.legal_basis == "004 §2(2)2" and line.payee_name == agencies[0][1] and line.trace

    july = run(office, "2019-07", on="2020-01-11")
    [fee] = [x for x in lines(office, july["id"]) if x["scheme"] == "agency_fee"]
    assert fee["id"] == line.id and fee["payee_kind_label"] == "人力资源服务机构"
    # Two agencies placed the person within 90 days: the signal shows on the agency's line.
    assert "several_agencies" in {x["code"] for x in fee["signals"]}

    office.post(f"/claims/{claim['id']}/decision", {"approve": True})  # the agency's route decides the line
    assert office.on("2020-01-12") and run(office, "2019-07", on="2020-01-12")["corrections"] == 0
    book = load_workbook(io.BytesIO(office.client.get(f"/payment-runs/{july['id']}/export.xlsx",
                                                      headers=office.officer).content))  # fmt: skip
    rows = list(book["发放明细"].iter_rows(values_only=True))
    [paid] = [dict(zip(rows[1], r, strict=True)) for r in rows[2:-1] if r[1] == "人力资源服务机构"]
    assert (paid["收款方"], paid["本次应付（元）"], paid["政策依据"]) == (agencies[0][1], 200, "004 §2(2)2")
    assert ("就业创业服务补贴" in paid["补贴项目"]) and rows[-1][0] == "合计"
    with sessions() as s:
        approved = s.get(ClaimLine, line.id)
        assert approved.status == "approved" and approved.decision_reason == "核准申领"
        # §5(6) reads the approved line as money paid (decided on the real clock, not the test's).
        paid_on = approved.decided_at.astimezone(CHINA).date()
        assert cases_for(s, [person], date(2020, 2, 1))[person].person.last_subsidy_on == paid_on


def test_a_claim_line_decided_in_a_batch_decides_the_claim_and_a_rejected_claim_can_be_made_again(office, sessions):
    office = office.elsewhere("433124")
    person, agencies, placed, agency = _agency_placements(office, sessions)
    claim = _claim(office.on("2020-01-10"), agency, placed[0], "agency-fee-00000001")
    with sessions() as s:
        line_id = s.scalar(select(ClaimLine.id).where(ClaimLine.claim_id == claim["id"]))
    decide(office, [line_id], approve=False, reason="劳动合同未附")
    with sessions() as s:
        refused = s.get(Claim, claim["id"])
        assert (refused.status.value, refused.reason) == ("rejected", "劳动合同未附")
    again = office.post(f"/claims/{claim['id']}/decision", {"approve": True}, status=409)
    assert "已审结" in again["detail"]

    second = _claim(office, agency, placed[0], "agency-fee-00000002")
    with sessions() as s:
        new = s.scalar(select(ClaimLine).where(ClaimLine.claim_id == second["id"]))
        assert new.supersedes_id == line_id and "已驳回：劳动合同未附" in new.correction_reason
        assert s.get(ClaimLine, line_id).status == "superseded"
    # Approving the new line approves the claim the agency sees.
    decide(office, [new.id])
    shown = office.ok(office.client.get("/claims", params={"purpose": "补贴申领"}, headers=agency))
    assert {x["id"]: x["status"] for x in shown} == {claim["id"]: "rejected", second["id"]: "approved"}
