"""Helpers for the worked policy cases in tests/policy_cases/."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import yaml

from scoring.dates import add_months
from scoring.params import EMPTY_LOCAL, load_local

CASES_DIR = Path(__file__).resolve().parent.parent / "policy_cases"
TEST_LOCAL = load_local(CASES_DIR / "local_test_config.yaml")


def expand(facts: dict) -> dict:
    """Expand ``contributions_repeat`` shorthands into monthly contribution rows."""
    facts = copy.deepcopy(facts)
    for placement in facts.get("placements", []):
        spec = placement.pop("contributions_repeat", None)
        if spec:
            year, month = map(int, spec["from"].split("-"))
            first = date(year, month, 1)
            placement["contributions"] = [
                {
                    "month": f"{add_months(first, i):%Y-%m}",
                    "employer": spec.get("employer", {}),
                    "personal": spec.get("personal", {}),
                }
                for i in range(spec["months"])
            ]
    return facts


def load_scenarios() -> list[tuple[str, dict]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        if path.name == "local_test_config.yaml":
            continue
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8")):
            out.append((f"{path.stem}: {scenario['name']}", scenario))
    return out


def local_for(scenario: dict):
    return TEST_LOCAL if scenario.get("local") == "test" else EMPTY_LOCAL
