"""Every worked case in tests/policy_cases/*.yaml, each test named after its clause."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import msgspec
import pytest

from scoring import case_from_python, evaluate
from tests.policy.conftest import expand, load_scenarios, local_for

SCENARIOS = load_scenarios()


def _matches(decision, want: dict) -> bool:
    return all(getattr(decision, k) == want[k] for k in ("scheme", "subject", "document") if k in want)


def _check_decision(d, want: dict, where: str) -> None:
    if "status" in want:
        assert d.status.value == want["status"], f"{where}: status {d.status.value}; trace: {d.trace}"
    for money in ("amount", "cap", "floor"):
        if money in want:
            assert getattr(d, money) == Decimal(want[money]), f"{where}: {money} {getattr(d, money)}"
    for day in ("matures_on", "period_start", "period_end"):
        if day in want:
            assert getattr(d, day) == want[day], f"{where}: {day} {getattr(d, day)}"
    for listed in ("missing", "unset"):
        if listed in want:
            assert set(want[listed]) <= set(getattr(d, listed)), f"{where}: {listed} {getattr(d, listed)}"
    if "months_count" in want:
        assert len(d.months) == want["months_count"], f"{where}: months {d.months}"
    if "notes_contain" in want:
        assert any(want["notes_contain"] in n for n in d.notes), f"{where}: notes {d.notes}"


def _subset(actual: dict, want: dict) -> bool:
    return all(actual.get(k) == v for k, v in want.items())


@pytest.mark.parametrize("scenario", [s for _, s in SCENARIOS], ids=[n for n, _ in SCENARIOS])
def test_worked_case(scenario):
    case = case_from_python(expand(scenario["facts"]))
    as_of: date = scenario["as_of"]
    report = evaluate(case, as_of, local=local_for(scenario))
    for want in scenario.get("expect", []):
        found = [d for d in report.decisions if _matches(d, want)]
        assert len(found) == 1, f"{want}: found {[(d.scheme, d.subject, d.document) for d in found]}"
        _check_decision(found[0], want, f"{want['scheme']}")
    for unwanted in scenario.get("absent", []):
        assert not [d for d in report.decisions if _matches(d, unwanted)], unwanted
    if "expect_recognition" in scenario:
        assert _subset(report.recognition, scenario["expect_recognition"]), report.recognition
    for duty in scenario.get("expect_duties", []):
        assert any(_subset(d, duty) for d in report.duties), (duty, report.duties)
    if "expect_exit" in scenario:
        met = {e["clause"]: e["met"] for e in report.exit}
        assert _subset(met, scenario["expect_exit"]), met
    for conflict in scenario.get("expect_conflicts", []):
        assert any(_subset(msgspec.structs.asdict(c), conflict) for c in report.conflicts), (conflict, report.conflicts)


def test_every_scheme_has_a_worked_case():
    """An example per scheme: each scheme code appears in some expectation."""
    from scoring.schemes import SCHEMES

    covered = {w["scheme"] for _, s in SCENARIOS for w in s.get("expect", [])}
    assert {s.code for s in SCHEMES} <= covered, {s.code for s in SCHEMES} - covered
