"""The engine over a person's history: one end-date rule for every scheme (docs/policy.md),
periods that accumulate across placements (002 §5), entitlements that stop, one agency fee a
year (004 §2(2)2). Facts are written here as an officer's JSON would give them; the same
stories through the ledger and services are tests/integration/test_case_history.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuyuan.vocab import DecisionStatus as S
from scoring import case_from_python, evaluate
from scoring.dates import add_months
from tests.policy.conftest import TEST_LOCAL

POOR = {
    "id_number": "430121199511110358",
    "hukou_region_code": "430121",
    "urban_rural": "rural",
    "poverty_registration": {"start": "2016-10-01", "end": "2020-12-31"},
}
WORKER = {"id_number": "430121197001010016", "hukou_region_code": "430121"}  # a man born 1970
EMPLOYER_PART = {"pension": "320.00", "medical": "150.00", "unemployment": "14.00"}


def months(first: str, count: int, part: str = "employer", amounts: dict | None = None) -> list[dict]:
    year, month = map(int, first.split("-"))
    return [
        {"month": f"{add_months(date(year, month, 1), i):%Y-%m}", part: amounts or EMPLOYER_PART} for i in range(count)
    ]


def decide(facts: dict, as_of: date, scheme: str, subject: str | None = None):
    report = evaluate(case_from_python({"case_id": "c", **facts}), as_of, local=TEST_LOCAL)
    found = [d for d in report.decisions if d.scheme == scheme and (subject is None or d.subject == subject)]
    assert len(found) == 1, [(d.scheme, d.subject) for d in report.decisions]
    return found[0]


# --- One rule for a policy's end date: the condition completes in force, no month after it ---


@pytest.mark.parametrize(
    ("start", "status"),
    [("2020-01-01", S.ELIGIBLE), ("2020-01-02", S.INELIGIBLE)],
)
def test_004_s2_3_1_job_subsidy_year_must_complete_by_2020_12_31(start, status):
    placement = {"id": "p1", "kind": "employer_absorption", "start": start, "region_code": "430121"}
    placement |= {"contract_months": 24, "social_insurance_paid": True, "in_poverty_area": False}
    d = decide({"person": POOR, "placements": [placement]}, date(2021, 6, 1), "poverty_job_subsidy")
    assert d.status is status
    if status is S.INELIGIBLE:
        assert "政策到期" in d.next_step and d.period_start is None


@pytest.mark.parametrize(
    ("start", "status"),
    [("2019-12-01", S.ELIGIBLE), ("2020-01-02", S.INELIGIBLE)],
)
def test_004_s2_3_2_employer_si_twelve_months_must_complete_in_force(start, status):
    facts = {
        "person": POOR,
        "placements": [
            {
                "id": "p1",
                "kind": "employer_absorption",
                "start": start,
                "region_code": "430121",
                "contract_months": 24,
                "contributions": months(start[:7], 18),
            }
        ],
    }
    d = decide(facts, date(2021, 8, 1), "employer_si")
    assert d.status is status
    if status is S.ELIGIBLE:
        # 2019-12 .. 2020-12 are paid; 2021 months fall after 004 ended and are not.
        assert d.months[0] == "2019-12" and d.months[-1] == "2020-12" and len(d.months) == 13
        assert d.amount == Decimal("484.00") * 13


@pytest.mark.parametrize(("start", "status"), [("2020-07-01", S.ELIGIBLE), ("2020-07-02", S.INELIGIBLE)])
def test_004_s2_2_2_agency_fee_six_months_must_complete_by_the_end(start, status):
    facts = {
        "person": POOR,
        "placements": [
            {"id": "p1", "kind": "employer_absorption", "start": start, "region_code": "430121", "agency": {"id": "a1"}}
        ],
    }
    assert decide(facts, date(2021, 3, 1), "agency_fee").status is status


def test_003_monthly_months_stop_at_the_end_of_2023():
    facts = {
        "person": {"id_number": "330402198501010010", "hukou_region_code": "330402"},
        "recognitions": [{"region_code": "330402", "recognised_on": "2023-01-01"}],
        "placements": [
            {
                "id": "f1",
                "kind": "flexible",
                "start": "2023-07-01",
                "region_code": "330402",
                "social_insurance_paid": True,
            }
        ],
    }
    d = decide(facts, date(2024, 6, 1), "flexible_si")
    assert d.months[-1] == "2023-12" and len(d.months) == 6
    assert any("政策有效期至 2023-12-31" in line for line in d.trace)


def test_000_s8_public_welfare_months_stop_at_the_end_of_2023():
    facts = {
        "person": WORKER,
        "recognitions": [{"region_code": "430121", "recognised_on": "2023-01-01"}],
        "placements": [
            {"id": "w1", "kind": "public_welfare", "start": "2023-10-01", "region_code": "430121", "rural_post": True}
        ],
    }
    d = decide(facts, date(2024, 6, 1), "public_welfare_subsidy")
    assert d.months == ["2023-10", "2023-11", "2023-12"]


# --- Periods accumulate and entitlements stop (002 §5) ---

RECOGNISED = [
    {"region_code": "430121", "recognised_on": "2025-08-01", "exited_on": "2026-09-30"},
    {"region_code": "430121", "recognised_on": "2026-11-01"},
]


def test_002_s5_employer_si_months_accumulate_across_placements_to_the_cap():
    facts = {
        "person": WORKER,
        "recognitions": RECOGNISED,
        "placements": [
            {
                "id": "1",
                "kind": "employer_absorption",
                "start": "2025-09-01",
                "end": "2026-08-31",
                "region_code": "430121",
                "contributions": months("2025-09", 12),
            },
            {
                "id": "2",
                "kind": "employer_absorption",
                "start": "2027-01-01",
                "region_code": "430121",
                "contributions": months("2027-01", 36),
            },
        ],
    }
    first = decide(facts, date(2030, 1, 15), "employer_si", "1")
    second = decide(facts, date(2030, 1, 15), "employer_si", "2")
    assert len(first.months) == 12
    assert len(second.months) == 24 and second.months[-1] == "2028-12"  # 36 − 12
    assert any("此前已享受 12 个月" in line for line in second.trace)


def test_002_s5_2_monthly_subsidy_stops_at_retirement_2024_reform():
    # A woman born 1976-06-10, a female worker (original 50, reached 2026-06): 18 months into the
    # reform, one month of delay every two, so 50 years 9 months, on 2027-03-10.
    person = {"id_number": "430121197606100022", "hukou_region_code": "430121", "retirement_category": "female_50"}
    facts = {
        "person": person,
        "recognitions": [{"region_code": "430121", "recognised_on": "2025-08-01"}],
        "placements": [
            {
                "id": "f1",
                "kind": "flexible",
                "start": "2025-09-01",
                "region_code": "430121",
                "contributions": months("2025-09", 30, "personal"),
            }
        ],
    }
    d = decide(facts, date(2028, 3, 1), "flexible_si")
    assert d.months[-1] == "2027-02"
    assert any("2027-03-10 达到法定退休年龄 50周岁9个月" in line for line in d.trace)


def test_002_s5_1_monthly_subsidy_stops_at_a_management_role():
    facts = {
        "person": WORKER | {"management_role": True, "management_role_since": "2026-03-15"},
        "recognitions": [{"region_code": "430121", "recognised_on": "2025-08-01"}],
        "placements": [
            {"id": "f1", "kind": "flexible", "start": "2025-09-01", "region_code": "430121"}
            | {"contributions": months("2025-09", 12, "personal")}
        ],
    }
    d = decide(facts, date(2026, 9, 1), "flexible_si")
    assert d.months[-1] == "2026-02"
    assert any("担任企业管理人员（002 §5(1)）" in line for line in d.trace)


def test_002_s3_missing_contribution_month_is_not_paid():
    contributions = [c for c in months("2025-09", 6, "personal") if c["month"] != "2025-11"]
    facts = {
        "person": WORKER,
        "recognitions": [{"region_code": "430121", "recognised_on": "2025-08-01"}],
        "placements": [
            {"id": "f1", "kind": "flexible", "start": "2025-09-01", "region_code": "430121"}
            | {"contributions": contributions}
        ],
    }
    d = decide(facts, date(2026, 3, 1), "flexible_si")
    assert "2025-11" not in d.months and len(d.months) == 5
    assert d.amount == Decimal("400.00") * 5
    assert any("2025-11 无缴费记录" in line for line in d.trace)


def test_004_s2_2_2_two_agency_placements_in_one_year_pay_one_fee():
    agency = {"id": "a1"}
    facts = {
        "person": POOR,
        "placements": [
            {"id": "p1", "kind": "employer_absorption", "start": "2019-01-01", "end": "2019-06-30"}
            | {"region_code": "430121", "agency": agency},
            {"id": "p2", "kind": "employer_absorption", "start": "2019-03-01", "region_code": "430121"}
            | {"agency": {"id": "a2"}},
        ],
    }
    assert decide(facts, date(2020, 1, 1), "agency_fee", "p1").status is S.ELIGIBLE
    second = decide(facts, date(2020, 1, 1), "agency_fee", "p2")
    assert second.status is S.INELIGIBLE
    assert any("已由安置 p1 享受" in line for line in second.trace)


def test_004_s2_2_2_a_live_claim_keeps_its_year():
    facts = {
        "person": POOR,
        "placements": [
            {"id": "p1", "kind": "employer_absorption", "start": "2019-01-01", "region_code": "430121"}
            | {"agency": {"id": "a1"}},
            {"id": "p2", "kind": "employer_absorption", "start": "2019-03-01", "region_code": "430121"}
            | {"agency": {"id": "a2"}, "agency_fee_claimed_year": 2019},
        ],
    }
    assert decide(facts, date(2020, 1, 1), "agency_fee", "p2").status is S.ELIGIBLE
    assert decide(facts, date(2020, 1, 1), "agency_fee", "p1").status is S.INELIGIBLE


def test_unpaid_decisions_say_what_would_make_them_payable():
    placement = {"id": "p1", "kind": "employer_absorption", "start": "2019-03-01", "region_code": "430121"}
    facts = {"person": POOR, "placements": [placement | {"contract_months": 6, "contributions": months("2019-03", 3)}]}
    d = decide(facts, date(2019, 6, 1), "employer_si")
    assert d.status is S.INELIGIBLE
    assert d.next_step == "签订1年以上劳动合同后可享受社会保险补贴（004 §2(3)2）"
    facts["placements"][0]["contract_months"] = 24
    d = decide(facts, date(2019, 6, 1), "employer_si")
    assert d.status is S.NOT_YET and d.next_step == "实际在岗满 12 个月后（2020-03-01起）可申领（004 §2(3)2）"
    facts["placements"][0].pop("contributions")
    d = decide(facts, date(2019, 6, 1), "employer_si")
    assert d.status is S.NEEDS_FACTS and "社会保险逐月缴费明细" in d.next_step


def test_002_s5_months_given_up_to_an_earlier_placement_do_not_count_against_the_period():
    facts = {
        "person": WORKER,
        "recognitions": [{"region_code": "430121", "recognised_on": "2025-08-01"}],
        "placements": [
            {"id": "1", "kind": "employer_absorption", "start": "2025-09-01", "end": "2026-08-31"}
            | {"region_code": "430121", "contributions": months("2025-09", 12)},
            {"id": "2", "kind": "flexible", "start": "2025-10-01", "region_code": "430121"}
            | {"contributions": months("2025-10", 36, "personal")},
        ],
    }
    flexible = decide(facts, date(2028, 10, 15), "flexible_si", "2")
    # 2025-10..2026-08 belong to the employer's subsidy; one social-insurance period of 36 months
    # (002 §5) leaves 24 for the flexible work: 2026-09..2028-08.
    assert flexible.months[0] == "2026-09" and len(flexible.months) == 24
    assert any("已由企业吸纳就业社会保险补贴（安置 1）支付" in line for line in flexible.trace)


def test_002_s5_2_a_pension_stops_monthly_subsidies():
    facts = {
        "person": WORKER | {"receives_pension": True, "pension_since": "2026-01-01"},
        "recognitions": [{"region_code": "430121", "recognised_on": "2025-08-01"}],
        "placements": [
            {"id": "1", "kind": "employer_absorption", "start": "2025-09-01", "region_code": "430121"}
            | {"contributions": months("2025-09", 12)}
        ],
    }
    d = decide(facts, date(2026, 9, 1), "employer_si")
    assert d.months == [f"2025-{m}" for m in ("09", "10", "11", "12")]
    assert any("2026-01-01 起享受基本养老保险待遇（002 §5(2)）" in line for line in d.trace)


def test_002_s5_3_leaving_the_labour_market_is_overcome_by_a_new_recognition():
    facts = {
        "person": WORKER | {"left_labour_market": "military", "left_labour_market_on": "2026-03-01"},
        "recognitions": [
            {"region_code": "430121", "recognised_on": "2025-08-01", "exited_on": "2026-03-05"},
            {"region_code": "430121", "recognised_on": "2028-04-01"},
        ],
        "placements": [
            {"id": "1", "kind": "flexible", "start": "2028-05-01", "region_code": "430121"}
            | {"contributions": months("2028-05", 6, "personal")}
        ],
    }
    d = decide(facts, date(2028, 11, 15), "flexible_si")
    assert d.status is S.ELIGIBLE and len(d.months) == 6


def test_002_s5_1_a_placement_begun_after_a_management_role_is_refused_not_paid_zero():
    facts = {
        "person": WORKER | {"management_role": True, "management_role_since": "2026-01-01"},
        "recognitions": [{"region_code": "430121", "recognised_on": "2025-08-01"}],
        "placements": [
            {"id": "1", "kind": "flexible", "start": "2026-02-01", "region_code": "430121"}
            | {"contributions": months("2026-02", 6, "personal")}
        ],
    }
    d = decide(facts, date(2026, 9, 1), "flexible_si")
    assert d.status is S.INELIGIBLE and d.amount is None


def test_the_s5_stop_lines_are_hidden_from_agencies_and_employers():
    from jiuyuan.vocab import Role
    from scoring.disclosure import disclose

    lines = [
        "· 按月补贴计至 2026-02-28：2026-03-01 起担任企业管理人员（002 §5(1)）",
        "· 按月补贴计至 2025-12-31：2026-01-01 起享受基本养老保险待遇（002 §5(2)）",
        "· 按月补贴计至 2026-02-28：2026-03-01 退出劳动力市场（002 §5(3)）",
    ]
    for role in (Role.AGENCY, Role.EMPLOYER):
        shown = disclose(role, scheme="flexible_si", name="灵活就业社会保险补贴", trace=lines)
        assert not any(("管理人员" in t or "养老" in t or "劳动力市场" in t) for t in shown.trace), shown.trace


def test_an_unrecorded_category_that_decides_the_stop_is_asked_for_not_assumed():
    # A woman born 1975-10-05: past a female worker's age (50 + 5 months, 2026-03-05) but not a
    # cadre's or flexible worker's (55 + …): the subsidy depends on which she is.
    woman = {"id_number": "430121197510050024", "hukou_region_code": "430121"}
    facts = {
        "person": woman,
        "recognitions": [{"region_code": "430121", "recognised_on": "2025-08-01"}],
        "placements": [
            {"id": "1", "kind": "flexible", "start": "2025-09-01", "region_code": "430121"}
            | {"contributions": months("2025-09", 12, "personal")}
        ],
    }
    d = decide(facts, date(2026, 9, 15), "flexible_si")
    assert d.status is S.NEEDS_FACTS and "原法定退休年龄类别" in d.next_step
    facts["person"] = woman | {"retirement_category": "female_55"}
    assert len(decide(facts, date(2026, 9, 15), "flexible_si").months) == 12
