"""Bad facts and bad parameter files give clear Chinese errors naming the field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import FactsError, decode_case
from scoring.params import ParameterError, load_local, load_policies

PERSON = {"id_number": "430102198507150011", "hukou_region_code": "430102"}


def _errors(facts: dict) -> list[tuple[str, str]]:
    with pytest.raises(FactsError) as err:
        decode_case(json.dumps(facts))
    return [(e.field, e.message) for e in err.value.errors]


def _placement(**over):
    return {"id": "p1", "kind": "flexible", "start": "2025-01-01", "region_code": "430102"} | over


@pytest.mark.parametrize(
    ("facts", "field", "message"),
    [
        (
            {"case_id": "x", "person": PERSON | {"id_number": "430102198507150012"}},
            "person.id_number",
            "身份证号码校验位不正确，请核对",
        ),
        (
            {"case_id": "x", "person": PERSON | {"hukou_region_code": "439999"}},
            "person.hukou_region_code",
            "行政区划代码 439999 不存在或已撤销",
        ),
        (
            {"case_id": "x", "person": PERSON, "placements": [_placement(end="2024-12-31")]},
            "placements[0].end",
            "结束日期不能早于开始日期（start）",
        ),
        (
            {"case_id": "x", "person": PERSON, "placements": [_placement(monthly_wage="-1")]},
            "placements[0].monthly_wage",
            "金额不能为负数",
        ),
        (
            {
                "case_id": "x",
                "person": PERSON,
                "placements": [_placement(contributions=[{"month": "2025-01", "employer": {"pension": "-5"}}])],
            },
            "placements[0].contributions[0].employer.pension",
            "金额不能为负数",
        ),
        (
            {"case_id": "x", "person": PERSON, "placements": [_placement(start="2025-02-30")]},
            "placements[0].start",
            "日期格式应为 YYYY-MM-DD",
        ),
        (
            {"case_id": "x", "person": PERSON, "placements": [_placement(kind="gig")]},
            "placements[0].kind",
            "取值不在允许范围内（'gig'）",
        ),
        ({"case_id": "x", "person": {"hukou_region_code": "430102"}}, "person.id_number", "缺少必填字段 id_number"),
        ({"case_id": "x", "person": PERSON, "tier": 4}, "tier", "帮扶分级应为1、2或3（002 §4）"),
        (
            {"case_id": "x", "person": PERSON | {"disability_grade": "一级"}},
            "person.disability_grade",
            "类型应为整数 或 null",
        ),
    ],
)
def test_bad_facts_name_the_field(facts, field, message):
    assert _errors(facts) == [(field, message)]


def test_policy_files_load_with_documents_and_dated_values():
    policies = load_policies()
    assert set(policies.documents) == {"000", "001", "002", "003", "004"}
    fee = policies.parameters["agency_fee.amount"]
    from datetime import date
    from decimal import Decimal

    assert fee.at(date(2020, 12, 31)) == Decimal("200") and fee.at(date(2021, 1, 1)) is None
    assert policies.documents["004"].valid_to == date(2020, 12, 31)


def test_a_local_file_must_name_its_source(tmp_path: Path):
    path = tmp_path / "local.yaml"
    path.write_text("parameters: {minimum_wage.monthly: {'43': {2025-01-01: '2000'}}}", encoding="utf-8")
    with pytest.raises(ParameterError, match="必须写明 source"):
        load_local(path)


def test_a_local_file_cannot_set_unknown_or_policy_parameters(tmp_path: Path):
    path = tmp_path / "local.yaml"
    path.write_text("source: 测试\nparameters: {agency_fee.amount: {'43': {2019-01-01: '300'}}}", encoding="utf-8")
    with pytest.raises(ParameterError, match="未知的地方参数 agency_fee.amount"):
        load_local(path)


def test_scoring_imports_no_database_web_or_search():
    """scoring/ is pure: importing it pulls in no SQLAlchemy, Litestar or OpenSearch."""
    code = (
        "import sys, scoring, scoring.schemes, scoring.whatif, scoring.versioning; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'litestar', 'opensearchpy', 'ledger', 'api', 'indexer', 'matcher')]; print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_an_application_in_a_year_without_arrangement_is_planned_provisionally_not_refused():
    from datetime import date

    from scoring import evaluate
    from scoring.text import summary

    case = decode_case(
        json.dumps({"case_id": "x", "person": PERSON, "recognition_application": {"applied_on": "2027-01-15"}})
    )
    report = evaluate(case, date(2027, 1, 15))
    steps = report.recognition_steps
    assert [s["due_on"] for s in steps] == ["2027-01-22", "2027-01-29", "2027-02-11", "2027-02-18"]
    assert all(s["due_provisional"] for s in steps)
    assert "暂定：2027 年放假安排未载入，按法定节假日推算，待国务院通知后复核" in summary(report)


def test_the_report_plans_the_recognition_steps_002_s2():
    from datetime import date

    from scoring import evaluate

    case = decode_case(
        json.dumps(
            {
                "case_id": "x",
                "person": PERSON,
                "recognition_application": {
                    "applied_on": "2025-09-26",
                    "completed": {"community_review": "2025-10-09"},
                },
            }
        )
    )
    steps = evaluate(case, date(2025, 10, 20)).recognition_steps
    # Publicity is a minimum, never overdue; the steps after it have not started (issue 15).
    assert [s["status"] for s in steps] == ["按时完成", "公示期满", "未开始", "未开始"]
    assert steps[1]["due_on"] == "2025-10-15"  # 10, 11 (adjusted Saturday), 13, 14, 15 October
