"""Policy figures live only in scoring/policies/*.yaml (architecture issue).

A dated change to a parameter must reach every place that uses it, so no package outside
``scoring`` may spell a figure that a YAML parameter already names: as a module or class
constant, in a comparison, or in a Chinese sentence next to its unit ("5个工作日", "满50周岁").
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from pathlib import Path

import pytest

from scoring import load_policies

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "cli", "indexer", "jiuyuan", "ledger", "matcher", "services")
# The demo generator (and its simulated world), the benchmarks (bench/) and the tests are tools, not
# rules, so they are not searched; a migration records the past as it was.
SKIP = ("migrations",)
UNITS = re.compile(r"(\d+)\s*(个工作日|工作日|周岁|次岗位|个岗位)")
# Names that carry a rule's quantity: a comparison of one of these with a figure is a copy of a rule.
# (Tier numbers 1–3 are names of tiers, not quantities.)
RULE_NAMES = re.compile(r"age|month|day|push|posts|minimum|refus|placement|year|unreachable|publicity|step", re.I)


def _parameter_figures() -> set[int]:
    """Whole-number figures of the counting parameters (ages, months, days, times; not money)."""
    figures = set()
    for parameter in load_policies().parameters.values():
        if "yuan" in parameter.unit or "%" in parameter.unit or "rate" in parameter.unit:
            continue
        for _, value in parameter.values:
            if isinstance(value, int | Decimal) and value == int(value) and int(value) > 1:
                figures.add(int(value))
    return figures


FIGURES = _parameter_figures()


def _files():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not any(part in SKIP for part in path.parts):
                yield path


def _ints(node: ast.AST):
    return [n for n in ast.walk(node) if isinstance(n, ast.Constant) and type(n.value) is int]


def _names(node: ast.AST) -> list[str]:
    return [
        n.id if isinstance(n, ast.Name) else n.attr for n in ast.walk(node) if isinstance(n, ast.Name | ast.Attribute)
    ]


def _docstrings(tree: ast.AST) -> set[int]:
    """Docstrings cite the documents' own words; they are not read by the code."""
    return {
        id(body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and (body := node.body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    }


def policy_figures_in(source: str) -> list[tuple[int, str]]:
    """(line, what) for each figure a YAML parameter names, spelled in ``source``."""
    found = []
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant | ast.Dict | ast.Tuple | ast.List)
            and any(isinstance(t, ast.Name) and t.id.isupper() and RULE_NAMES.search(t.id) for t in node.targets)
        ):
            found += [(c.lineno, f"constant {c.value}") for c in _ints(node.value) if c.value in FIGURES]
        elif isinstance(node, ast.Compare) and any(RULE_NAMES.search(name) for name in _names(node)):
            found += [(c.lineno, f"comparison with {c.value}") for c in _ints(node) if c.value in FIGURES]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found += [
                (node.lineno, f"“{m.group(0)}”") for m in UNITS.finditer(node.value) if int(m.group(1)) in FIGURES
            ]
    return found


def test_the_check_catches_a_new_copy_of_a_figure():
    assert policy_figures_in("WORKING_DAYS = 5\n") == [(1, "constant 5")]
    assert policy_figures_in("MIN_POSTS_TIER2 = 3  # 002 §4(2)\n") == [(1, "constant 3")]
    assert policy_figures_in("if len(pushes) < 3:\n    pass\n") == [(1, "comparison with 3")]
    assert policy_figures_in('note = f"不足{n}个，至少应推送3个岗位"\n') == [(1, "“3个岗位”")]
    assert policy_figures_in('text = "各环节5个工作日"\n') == [(1, "“5个工作日”")]
    assert policy_figures_in("older = age >= 50\n") == [(1, "comparison with 50")]
    assert policy_figures_in("OLDER_AGE = {'M': 50, 'F': 40}\n") == [(1, "constant 50"), (1, "constant 40")]
    assert policy_figures_in("k = 10\nfor i in range(3):\n    pass\nif tier == 3:\n    pass\n") == []
    assert policy_figures_in('"""满50周岁（002 §1(1)）"""\n') == []


@pytest.mark.parametrize("path", list(_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_policy_figure_outside_the_policy_files(path):
    found = policy_figures_in(path.read_text(encoding="utf-8"))
    assert not found, (
        f"{path.relative_to(ROOT)}: "
        + "; ".join(f"line {n}: {what}" for n, what in found)
        + " — read it from scoring/policies/*.yaml through parameters[name].at(day)"
    )
