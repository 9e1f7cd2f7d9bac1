"""Decisions disclosed by audience (PIPL issue): the engine run over every worked policy case, every
scheme's trace redacted for agencies and employers, and nothing sensitive left in their view."""

from __future__ import annotations

import re

import pytest

from jiuyuan.vocab import Role
from scoring import case_from_python, evaluate
from scoring.disclosure import CATEGORY, FACTS, PERSONAL, SEES, disclose, kind_of
from scoring.schemes import SCHEMES
from tests.policy.conftest import expand, load_scenarios, local_for

SENSITIVE = re.compile(
    "残疾|低保|低边|最低生活保障|建档立卡|贫困|扶贫|就业困难|困难群体|困难家庭|零就业|大龄|认定|退休|户籍"
    "|disab|dibao|poverty"
)


def _decisions():
    for _, scenario in load_scenarios():
        report = evaluate(case_from_python(expand(scenario["facts"])), scenario["as_of"], local=local_for(scenario))
        yield from report.decisions


DECISIONS = list(_decisions())


def _shown(role, d):
    return disclose(
        role,
        scheme=d.scheme,
        name=d.name,
        trace=d.trace,
        failed=d.failed,
        missing=d.missing,
        unset=d.unset,
        parameters=d.parameters,
    )


def test_the_policy_cases_reach_every_scheme():
    assert {s.code for s in SCHEMES} <= {d.scheme for d in DECISIONS}


@pytest.mark.parametrize("role", [Role.AGENCY, Role.EMPLOYER])
def test_no_sensitive_term_reaches_an_agency_or_employer_view(role):
    sensitive_seen = 0
    for d in DECISIONS:
        whole = " ".join([d.scheme, d.name, *d.trace, *d.failed, *d.missing, *d.unset, *d.parameters])
        sensitive_seen += bool(SENSITIVE.search(whole))
        shown = _shown(role, d)
        view = repr(shown)
        assert not SENSITIVE.search(view), (d.scheme, view)
        assert len(shown.trace) == len(d.trace)  # a hidden line says a condition was there, and its mark
        assert [t[:2] for t in shown.trace] == [t[:2] for t in d.trace]
        assert shown.complete == (view == repr(_shown(Role.OFFICER, d)))
    assert sensitive_seen > 50  # the cases do carry the categories: the redaction is what removed them


@pytest.mark.parametrize("role", [Role.OFFICER, Role.COUNTER, Role.ADMIN])
def test_officers_and_counter_staff_see_everything(role):
    for d in DECISIONS:
        shown = _shown(role, d)
        assert (shown.scheme, shown.name, shown.trace, shown.failed, shown.missing, shown.unset) == (
            d.scheme,
            d.name,
            d.trace,
            d.failed,
            d.missing,
            d.unset,
        )
        assert shown.parameters == d.parameters and shown.complete


def test_the_table_puts_each_category_before_the_placement():
    assert [k for k, _ in FACTS].index(CATEGORY) < [k for k, _ in FACTS].index("placement")
    assert kind_of("✓ 2023-03-01 时为本省建档立卡贫困劳动力（004 §1(2)）") == CATEGORY
    assert kind_of("✓ 帮扶对象属于困难群体（003 §2）：持证残疾人") == CATEGORY
    assert kind_of("✓ 家庭为最低生活保障家庭或低保边缘户家庭") == CATEGORY
    assert kind_of("· 法定退休年龄 60周岁，于 2055-11-11 达到") == PERSONAL
    assert kind_of("✓ 劳动合同期限不少于 12 个月") == "placement"
    assert kind_of("一行没有归类的新事实") == "other"
    for role in (Role.AGENCY, Role.EMPLOYER):
        assert not ({CATEGORY, PERSONAL, "other"} & SEES[role])
