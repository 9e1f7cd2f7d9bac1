"""`jiuyuan score`, what-if totals and re-evaluation of a stored decision."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from scoring import case_from_python, evaluate, to_json
from scoring.params import load_policies
from scoring.versioning import difference
from scoring.whatif import Change, compare
from tests.policy.conftest import CASES_DIR, TEST_LOCAL, expand

TEMP_POST = {
    "case_id": "w1",
    "person": {"id_number": "430121198003100028", "hukou_region_code": "430121"},
    "recognitions": [{"region_code": "430121", "recognised_on": "2023-02-20"}],
    "placements": [
        {
            "id": "w1",
            "kind": "public_welfare",
            "start": "2023-03-01",
            "end": "2023-12-31",
            "region_code": "430121",
            "temporary_public_welfare": True,
            "rural_post": True,
        }
    ],
}


def _score(*args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "cli", "score", *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_score_prints_the_report_as_json(tmp_path: Path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(TEMP_POST), encoding="utf-8")
    out = _score(str(path), "--as-of", "2024-01-10", "--local", str(CASES_DIR / "local_test_config.yaml"))
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    decision = next(d for d in report["decisions"] if d["scheme"] == "public_welfare_subsidy")
    assert decision["amount"] == "7200.00" and decision["legal_basis"] == ["000 §8"]
    assert report["ruleset_version"] == load_policies().version


def test_score_text_is_a_chinese_summary():
    out = _score("-", "--as-of", "2024-01-10", "--format", "text", stdin=json.dumps(TEMP_POST))
    assert out.returncode == 0
    # a local parameter still to be set is named by its Chinese description and the clause that leaves it open
    assert "公益性岗位补贴" in out.stdout and "须由地方设定的参数：当地月最低工资标准（000 §8）" in out.stdout


def test_score_refuses_bad_facts_with_the_field_named():
    bad = TEMP_POST | {"placements": [TEMP_POST["placements"][0] | {"end": "2022-01-01"}]}
    out = _score("-", stdin=json.dumps(bad))
    assert out.returncode == 2
    assert "事实有误：placements[0].end: 结束日期不能早于开始日期（start）" in out.stderr
    assert "Traceback" not in out.stderr


def test_score_schema_documents_input_and_output():
    schema = json.loads(_score("--schema").stdout)
    assert {"Case", "Person", "Placement", "Report", "Decision"} <= schema["$defs"].keys()


def test_what_if_a_higher_minimum_wage_changes_the_totals():
    """000 §8: a rural post pays between 50 % and 100 % of the minimum wage; the locality's
    standard (1200 in the test config) stays valid under a new minimum wage of 2000, so only
    posts whose standard is tied to the wage change. Raise the standard: the total moves."""
    case = case_from_python(TEMP_POST)
    result = compare(
        [case],
        date(2024, 1, 10),
        TEST_LOCAL,
        [Change.parse("public_welfare.rural_monthly_standard=1500@43:2023-01-01", date(2024, 1, 10))],
    )
    row = next(r for r in result["rows"] if r["scheme"] == "public_welfare_subsidy")
    assert (row["before"], row["after"], row["difference"]) == (
        Decimal("7200.00"),
        Decimal("9000.00"),
        Decimal("1800.00"),
    )


def test_what_if_cli(tmp_path: Path):
    path = tmp_path / "cases.json"
    path.write_text(json.dumps([TEMP_POST, TEMP_POST | {"case_id": "w2"}]), encoding="utf-8")
    out = _score(
        str(path),
        "--as-of",
        "2024-01-10",
        "--local",
        str(CASES_DIR / "local_test_config.yaml"),
        "--what-if",
        "public_welfare.rural_monthly_standard=1500@43:2023-01-01",
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["total_difference"] == "3600.00"
    bad = _score(str(path), "--what-if", "nonsense")
    assert bad.returncode == 2 and "假设参数格式" in bad.stderr


def test_a_stored_decision_is_explained_as_it_was_and_diffed_against_today():
    scenario = next(
        s
        for s in yaml.safe_load((CASES_DIR / "000_hunan_2023_assistance.yaml").read_text("utf-8"))
        if s["name"].startswith("000 §5 企业吸纳")
    )
    case = case_from_python(expand(scenario["facts"]))
    stored = json.loads(to_json(evaluate(case, date(2023, 9, 1), local=TEST_LOCAL)))
    decision = next(d for d in stored["decisions"] if d["scheme"] == "employer_si")
    assert decision["parameters"]["employer_si.monthly_subsidy"].startswith("600")
    same = difference(stored, case, local=TEST_LOCAL)
    assert same["changes"] == [] and same["before_version"] == same["after_version"]
    from scoring.params import with_override

    raised = with_override(TEST_LOCAL, "employer_si.monthly_subsidy", "43", date(2023, 1, 1), "700")
    changed = difference(stored, case, local=raised)
    change = next(c for c in changed["changes"] if c["scheme"] == "employer_si")
    assert change["changes"]["amount"] == {"before": Decimal("3600.00"), "after": Decimal("4200.00")}


@pytest.mark.parametrize("field", ["ruleset_version", "local_source"])
def test_every_report_records_rules_and_parameter_source(field):
    report = json.loads(to_json(evaluate(case_from_python(TEMP_POST), date(2024, 1, 10), local=TEST_LOCAL)))
    assert report[field]


def test_the_committed_schema_is_current():
    """docs/scoring-schema.json is what `jiuyuan score --schema` prints (`make schema` rewrites it)."""
    committed = (Path(__file__).resolve().parents[2] / "docs" / "scoring-schema.json").read_text("utf-8")
    assert json.loads(committed) == json.loads(_score("--schema").stdout)


def test_003_s3_4_older_age_unset_means_the_restart_cannot_be_decided():
    """003 does not define 大龄: without the locality's age the restart needs that parameter."""
    from scoring.params import LocalConfig

    values = {k: v for k, v in TEST_LOCAL.values.items() if not k.startswith("older_worker_age")}
    local = LocalConfig(source=TEST_LOCAL.source, values=values)
    case = case_from_python(
        {
            "case_id": "jx",
            "person": {"id_number": "332122197808080327", "hukou_region_code": "330421"},
            "recognitions": [{"region_code": "330421", "recognised_on": "2019-01-10"}],
            "history": {"public_welfare_placements": 1, "public_welfare_subsidy_months_used": 36},
            "placements": [{"id": "w2", "kind": "public_welfare", "start": "2023-03-01", "region_code": "330421"}],
        }
    )
    decision = next(
        d for d in evaluate(case, date(2023, 6, 1), local=local).decisions if d.scheme == "public_welfare_subsidy"
    )
    assert decision.status.value == "needs_facts"
    assert "older_worker_age.female" in decision.unset
