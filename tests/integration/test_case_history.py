"""A case's life over time, as an office lives it through the API (issue 15): the clock moves,
facts are recorded when they happen (contributions from the social-insurance export, ends,
exits, rulings), and every decision reads the person's whole history from the ledger.

Each scenario is named after its clause. The local parameters are the test fixture's invented
figures (tests/policy_cases/local_test_config.yaml: 36-month caps, 400 a month flexible, 600 a
month employer absorption) — not any locality's standards."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from litestar.testing import TestClient
from stdnum.cn import ric

from api.app import create_app
from demo.generate import Generator
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings
from ledger import intake
from scoring.dates import add_months
from tests.conftest import authorise, bearer

LOCAL = Path(__file__).resolve().parents[1] / "policy_cases" / "local_test_config.yaml"
EMPLOYER_PART = {"pension": "320.00", "medical": "150.00", "unemployment": "14.00"}
PERSONAL_PART = {"pension": "380.00", "medical": "120.00"}


def id_number(region: str, birth: str, serial: str) -> str:
    body = f"{region}{birth.replace('-', '')}{serial}"
    return body + ric.calc_check_digit(body + "0")  # the digit is counted over the first 17


def month_list(first: str, count: int) -> list[str]:
    year, month = map(int, first.split("-"))
    return [f"{add_months(date(year, month, 1), i):%Y-%m}" for i in range(count)]


class Office:
    """One county office's counter and officer, on a clock the test moves."""

    def __init__(self, client: TestClient, url: str, monkeypatch, region: str = "430121"):
        self.client, self.url, self.monkeypatch = client, url, monkeypatch
        self.officer = bearer(url, "officer", "县人社局经办", region=region)

    def elsewhere(self, region: str) -> Office:
        """The office of another county, on the same ledger and clock."""
        return Office(self.client, self.url, self.monkeypatch, region)

    def on(self, day: str) -> Office:
        self.monkeypatch.setattr(clock, "today", lambda: date.fromisoformat(day))
        return self

    def ok(self, response, status: int = 200):
        assert response.status_code == status, response.text
        return response.json()

    def post(self, path: str, body: dict | list, status: int = 200):
        return self.ok(self.client.post(path, json=body, headers=self.officer), status)

    def register(self, **person) -> int:
        return self.post("/persons", person, 201)["id"]

    def recognise(self, person_id: int, applied_on: str) -> int:
        """Apply at the hukou community and pass each step of 002 §2 on its due day."""
        self.on(applied_on)
        rec = self.post(f"/persons/{person_id}/recognitions", {"categories": [1], "applied_on": applied_on}, 201)
        for step in ("community_review", "publicity", "street_review", "county_review"):
            due = next(s for s in rec["steps"] if s["step"] == step)["due_on"]
            self.on(due)
            rec = self.post(f"/recognitions/{rec['id']}/steps/{step}", {"outcome": "passed", "completed_on": due})
        assert rec["status"] == "recognised", rec
        return rec["id"]

    def place(self, person_id: int, kind: str, start: str, **more) -> int:
        self.on(start)
        body = {"person_id": person_id, "kind": kind, "start_date": start, "contract_months": 36} | more
        return self.post("/placements", body, 201)["id"]

    def contributions(self, id_no: str, months: list[str], payer: str, parts: dict, on: str) -> None:
        self.on(on)
        rows = [
            {"id_number": id_no, "month": m, "payer": payer, "insurance": ins, "amount": amount, "source": "社保月报"}
            for m in months
            for ins, amount in parts.items()
        ]
        self.post("/contributions", rows, 201)

    def decision(self, placement_id: int, scheme: str) -> dict:
        placement = self.ok(
            self.client.get(f"/placements/{placement_id}", params={"purpose": "补贴审核"}, headers=self.officer)
        )
        return next(d for d in placement["decisions"] if d["scheme"] == scheme)


@pytest.fixture
def office(migrated_url, monkeypatch):
    monkeypatch.setenv("JIUYUAN_LOCAL_PARAMETERS", str(LOCAL))
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        yield Office(client, migrated_url, monkeypatch)


MAN = {
    "name": "赵志强",
    "id_number": id_number("430121", "1970-03-07", "123"),
    "hukou_region_code": "430121",
    "urban_rural": "urban",
    "registered_unemployed_since": "2024-06-03",
}
WOMAN = {
    "name": "钱秀英",
    "id_number": id_number("430121", "1976-06-10", "124"),
    "hukou_region_code": "430121",
    "urban_rural": "urban",
    "registered_unemployed_since": "2024-06-03",
}


def test_002_s5_re_recognised_person_social_insurance_months_accumulate_to_the_36_month_cap(office):
    person = office.on("2025-08-04").register(**MAN)
    first = office.recognise(person, "2025-08-04")
    one = office.place(person, "employer_absorption", "2025-09-01")
    office.contributions(MAN["id_number"], month_list("2025-09", 12), "employer", EMPLOYER_PART, on="2026-09-03")
    office.on("2026-09-03").post(f"/placements/{one}/end", {"end_date": "2026-08-31", "reason": "合同期满"})
    office.on("2026-09-30").post(
        f"/recognitions/{first}/exit",
        {"route": "self", "clause": "002 §5", "exited_on": "2026-09-30", "reason": "本人申报：暂不需要就业援助"},
    )
    office.recognise(person, "2026-11-02")  # re-recognised after the exit (002 §5 last paragraph)
    two = office.place(person, "employer_absorption", "2027-01-04")
    office.contributions(MAN["id_number"], month_list("2027-01", 36), "employer", EMPLOYER_PART, on="2030-01-15")

    earlier, later = office.decision(one, "employer_si"), office.decision(two, "employer_si")
    assert earlier["status"] == "eligible" and len(earlier["months"]) == 12
    assert later["status"] == "eligible" and len(later["months"]) == 24  # 36 − 12 already used
    assert later["months"][-1] == "2028-12" and later["amount"] == str(600 * 24) + ".00"
    assert any("此前已享受 12 个月" in line for line in later["trace"])


def test_002_s5_third_public_welfare_placement_waits_for_an_officers_approval(office):
    person = office.on("2025-08-04").register(**MAN)
    office.recognise(person, "2025-08-04")
    office.place(person, "public_welfare", "2025-09-01", end_date="2025-12-31")
    office.place(person, "public_welfare", "2026-01-05", end_date="2026-03-31")
    third = office.place(person, "public_welfare", "2026-04-06")
    waiting = office.decision(third, "public_welfare_subsidy")
    assert waiting["status"] == "needs_approval" and waiting["amount"] is None
    assert "第 3 次" in waiting["next_step"] and "审批" in waiting["next_step"]
    office.on("2026-04-10").post(
        f"/placements/{third}/rulings",
        {"question": "public_welfare_beyond_limit", "approved": True, "reason": "大龄且家庭困难，经研究同意再次安置"},
        201,
    )
    approved = office.decision(third, "public_welfare_subsidy")
    assert approved["status"] == "eligible_amount_unset"
    assert any("经办人员已批准" in line for line in approved["trace"])


def test_002_s5_2_flexible_subsidy_stops_at_retirement_under_the_2024_reform(office):
    person = office.on("2025-08-04").register(**WOMAN)
    office.ok(
        office.client.put(
            f"/persons/{person}/retirement-category", json={"category": "female_50"}, headers=office.officer
        )
    )
    office.recognise(person, "2025-08-04")
    flexible = office.place(person, "flexible", "2025-09-01", contract_months=None)
    office.contributions(WOMAN["id_number"], month_list("2025-09", 22), "personal", PERSONAL_PART, on="2027-07-01")
    d = office.decision(flexible, "flexible_si")
    # Born 1976-06-10, original age 50 (2026-06): 50 years 9 months under the reform, on 2027-03-10.
    assert d["months"][-1] == "2027-02" and len(d["months"]) == 18
    assert any("2027-03-10 达到法定退休年龄 50周岁9个月" in line for line in d["trace"])


def test_002_s5_1_flexible_subsidy_stops_at_an_exit_for_a_management_role(office):
    person = office.on("2025-08-04").register(**MAN)
    rec = office.recognise(person, "2025-08-04")
    flexible = office.place(person, "flexible", "2025-09-01", contract_months=None)
    office.on("2026-03-20").post(
        f"/persons/{person}/life-events", {"kind": "management_role", "happened_on": "2026-03-15"}, 201
    )
    office.post(
        f"/recognitions/{rec}/exit",
        {
            "route": "office",
            "clause": "002 §5(1)",
            "exited_on": "2026-03-20",
            "exit_notified_on": "2026-03-18",
            "reason": "经核实担任某公司监事",
        },
    )
    office.contributions(MAN["id_number"], month_list("2025-09", 9), "personal", PERSONAL_PART, on="2026-06-05")
    d = office.decision(flexible, "flexible_si")
    assert d["months"] == month_list("2025-09", 6)  # through February: the role began 15 March
    assert any("担任企业管理人员（002 §5(1)）" in line for line in d["trace"])


def test_002_s3_a_missing_contribution_month_is_not_paid_and_the_trace_names_it(office):
    person = office.on("2025-08-04").register(**MAN)
    office.recognise(person, "2025-08-04")
    flexible = office.place(person, "flexible", "2025-09-01", contract_months=None)
    paid = [m for m in month_list("2025-09", 6) if m != "2025-11"]
    office.contributions(MAN["id_number"], paid, "personal", PERSONAL_PART, on="2026-03-05")
    d = office.decision(flexible, "flexible_si")
    assert d["months"] == paid and d["amount"] == "2000.00"
    assert any("2025-11 无缴费记录" in line for line in d["trace"])


def test_002_s3_flexible_and_employer_months_overlap_one_subsidy_a_month(office):
    person = office.on("2025-08-04").register(**MAN)
    office.recognise(person, "2025-08-04")
    flexible = office.place(person, "flexible", "2025-09-01", contract_months=None, end_date="2026-02-28")
    employer = office.place(person, "employer_absorption", "2025-12-01")
    office.contributions(MAN["id_number"], month_list("2025-09", 6), "personal", PERSONAL_PART, on="2026-03-05")
    office.contributions(MAN["id_number"], month_list("2025-12", 3), "employer", EMPLOYER_PART, on="2026-03-05")
    kept = office.decision(flexible, "flexible_si")
    lost = office.decision(employer, "employer_si")
    assert kept["months"] == month_list("2025-09", 6)
    assert lost["months"] == [] or set(lost["months"]).isdisjoint(kept["months"])
    assert any("已由灵活就业社会保险补贴" in line for line in lost["trace"])


POOR = {
    "name": "孙小梅",
    "id_number": id_number("433124", "1995-11-11", "122"),
    "hukou_region_code": "433124",  # 花垣县: on the national list of poverty counties
    "urban_rural": "rural",
    "poverty_registered_from": "2016-10-01",
    "poverty_registered_to": "2020-12-31",
}


def test_004_s2_3_placements_straddling_2020_12_31(office):
    office = office.elsewhere("433124")
    person = office.on("2019-11-04").register(**POOR)
    inside = office.place(person, "employer_absorption", "2019-11-04", end_date="2020-02-28")
    straddling = office.place(person, "employer_absorption", "2020-03-02")
    office.contributions(POOR["id_number"], month_list("2019-11", 4), "employer", EMPLOYER_PART, on="2021-08-02")
    office.contributions(POOR["id_number"], month_list("2020-03", 16), "employer", EMPLOYER_PART, on="2021-08-02")
    # 12 months in post complete on 2021-03-01, after 004 ended: neither subsidy is due.
    assert office.decision(straddling, "employer_si")["status"] == "ineligible"
    job = office.decision(straddling, "poverty_job_subsidy")
    assert job["status"] == "ineligible" and "政策到期" in job["next_step"]
    left = office.decision(inside, "employer_si")
    assert left["status"] == "ineligible"  # left after 4 months: 12 months in post never reached


def test_004_s2_2_2_two_agency_placements_in_one_year_pay_one_fee(office, sessions):
    office = office.elsewhere("433124")
    with sessions.begin() as s:
        agencies = [intake.add_agency(s, row) for row in Generator(7, date(2019, 1, 1)).agencies(2)]
    person = office.on("2019-01-07").register(**POOR)
    for agency in agencies:
        authorise(sessions, person, agency.id, days=800)
    first = office.place(person, "employer_absorption", "2019-01-07", end_date="2019-12-31", agency_id=agencies[0].id)
    second = office.place(person, "employer_absorption", "2019-03-04", agency_id=agencies[1].id)
    # Both fees would fall due in 2019: the engine keeps the year for the earlier placement.
    refused = office.decision(second, "agency_fee")
    assert refused["status"] == "ineligible"
    assert any(f"已由安置 {first} 享受" in line for line in refused["trace"])
    assert "每人每年一次" in refused["next_step"]
    office.on("2020-01-10")
    claims = [
        office.client.post(
            "/claims",
            json={"placement_id": placement},
            headers=bearer(office.url, "agency", agency.name, agency_uscc=agency.uscc)
            | {"Idempotency-Key": f"agency-fee-{placement:08d}"},
        )
        for placement, agency in ((first, agencies[0]), (second, agencies[1]))
    ]
    assert claims[0].status_code == 201, claims[0].text
    assert claims[1].status_code in (409, 422), claims[1].text


def test_002_s5_6_exit_two_years_after_the_last_subsidy(office):
    person = office.on("2025-08-04").register(**MAN)
    office.recognise(person, "2025-08-04")
    office.place(person, "flexible", "2025-09-01", contract_months=None)
    # Still in work, but paying no contributions after August 2026: the subsidy ends with them.
    office.contributions(MAN["id_number"], month_list("2025-09", 12), "personal", PERSONAL_PART, on="2026-09-03")

    def exit_items(as_of: str) -> list[dict]:
        office.on(as_of)
        lists = office.ok(
            office.client.get(
                "/reports/duties",
                params={"region": "430121", "as_of": as_of, "purpose": "就业援助责任清单"},
                headers=office.officer,
            )
        )
        return [i for i in lists["items"] if i["list"] == "exit" and i["person_id"] == person]

    assert not [i for i in exit_items("2028-08-20") if "§5(6)" in i["clause"]]
    due = [i for i in exit_items("2028-09-05") if "§5(6)" in i["clause"]]
    assert due and "最近一次享受补贴 2026-08-31" in due[0]["detail"]
    assert "自主申报退出" in due[0]["detail"]  # the procedure of 002 §5's last paragraph


def test_002_s1_s5_3_a_person_who_left_the_labour_market_is_not_recognised(office):
    person = office.on("2025-08-04").register(**MAN)
    office.post(
        f"/persons/{person}/life-events",
        {"kind": "left_labour_market", "happened_on": "2025-08-01", "reason": "study"},
        201,
    )
    rec = office.post(f"/persons/{person}/recognitions", {"categories": [1], "applied_on": "2025-08-04"}, 201)
    for step in ("community_review", "publicity", "street_review"):
        due = next(s for s in rec["steps"] if s["step"] == step)["due_on"]
        rec = office.on(due).post(f"/recognitions/{rec['id']}/steps/{step}", {"outcome": "passed", "completed_on": due})
    due = next(s for s in rec["steps"] if s["step"] == "county_review")["due_on"]
    refused = office.on(due).client.post(
        f"/recognitions/{rec['id']}/steps/county_review",
        json={"outcome": "passed", "completed_on": due},
        headers=office.officer,
    )
    assert refused.status_code == 422 and "未退出劳动力市场" in refused.text, refused.text


def test_002_s5_a_new_application_cannot_be_dated_before_the_last_exit(office):
    person = office.on("2025-08-04").register(**MAN)
    rec = office.recognise(person, "2025-08-04")
    office.on("2026-02-02").post(
        f"/recognitions/{rec}/exit",
        {"route": "self", "clause": "002 §5", "exited_on": "2026-02-01", "reason": "本人申报：已自行就业"},
    )
    backdated = office.client.post(
        f"/persons/{person}/recognitions",
        json={"categories": [1], "applied_on": "2025-08-05"},
        headers=office.officer,
    )
    assert backdated.status_code == 422 and "applied_on" in backdated.text, backdated.text
