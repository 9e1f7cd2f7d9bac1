"""Properties of the engine over generated cases (hypothesis): amounts never negative or above
their caps, accumulated periods within their limits, results deterministic, and no decision
taken outside a document's validity."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiuyuan.vocab import DecisionStatus
from scoring import case_from_python, evaluate, load_policies, to_json
from scoring.params import EMPTY_LOCAL
from scoring.schemes import SCHEMES
from tests.policy.conftest import TEST_LOCAL

PEOPLE = [
    ("430121199511110358", "430121"),
    ("430121198003100028", "430121"),
    ("430102198507150011", "430102"),
    ("33042119850505022X", "330421"),
    ("332122197808080327", "330421"),
    ("440106199001010152", "440106"),
    ("370202198501010199", "370202"),
    ("430121196406150119", "430121"),
]
REGIONS = ["430121", "430102", "431226", "330421", "330402", "440106", "370202"]
KINDS = ["employer_absorption", "flexible", "public_welfare", "self_employed"]

days = st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 10, 31))
money = st.integers(min_value=0, max_value=3000).map(str)


@st.composite
def placements(draw, index: int):
    start = draw(days)
    end = draw(st.one_of(st.none(), st.integers(0, 1500).map(lambda n: start + timedelta(days=n))))
    months = draw(st.integers(0, 40))
    first = date(start.year, start.month, 1)
    contributions = [
        {
            "month": f"{(first + timedelta(days=31 * i)):%Y-%m}",
            "employer": {"pension": draw(money), "medical": draw(money), "unemployment": draw(money)},
        }
        for i in range(months)
    ]
    contributions = list({c["month"]: c for c in contributions}.values())
    return {
        "id": f"p{index}",
        "kind": draw(st.sampled_from(KINDS)),
        "start": start,
        "end": end,
        "region_code": draw(st.sampled_from(REGIONS)),
        "contract_months": draw(st.one_of(st.none(), st.integers(0, 60))),
        "full_time": draw(st.booleans()),
        "monthly_hours": draw(st.one_of(st.none(), st.integers(1, 120))),
        "rural_post": draw(st.booleans()),
        "temporary_public_welfare": draw(st.booleans()),
        "social_insurance_paid": draw(st.one_of(st.none(), st.booleans())),
        "agency": draw(
            st.one_of(st.none(), st.builds(lambda licensed: {"id": "hr", "licensed": licensed}, st.booleans()))
        ),
        "contributions": contributions,
    }


@st.composite
def cases(draw):
    id_number, hukou = draw(st.sampled_from(PEOPLE))
    poverty_start = draw(st.one_of(st.none(), days))
    n = draw(st.integers(0, 3))
    return {
        "case_id": "generated",
        "person": {
            "id_number": id_number,
            "hukou_region_code": hukou,
            "registered_unemployed_since": draw(st.one_of(st.none(), days)),
            "household": {
                "assistance": draw(st.sampled_from(["none", "dibao", "dibian"])),
                "zero_employment": draw(st.booleans()),
            },
            "disability_grade": draw(st.one_of(st.none(), st.integers(1, 4))),
            "poverty_registration": None if poverty_start is None else {"start": poverty_start},
            "unemployment_benefit_ended_on": draw(st.one_of(st.none(), days)),
        },
        "recognitions": draw(
            st.lists(st.builds(lambda d: {"region_code": hukou, "recognised_on": d}, days), max_size=1)
        ),
        "employer": {"region_code": draw(st.sampled_from(REGIONS)), "in_poverty_area": draw(st.booleans())},
        "placements": [draw(placements(i)) for i in range(n)],
        "training": draw(
            st.lists(
                st.builds(
                    lambda s, k, d: {"kind": k, "start": s, "end": s + timedelta(days=20), "days_attended": d},
                    days,
                    st.sampled_from(["employment_skills", "post_skill"]),
                    st.integers(0, 21),
                ),
                max_size=2,
            )
        ),
        "history": {
            "employer_si_months_used": draw(st.integers(0, 40)),
            "public_welfare_placements": draw(st.integers(0, 3)),
            "public_welfare_subsidy_months_used": draw(st.integers(0, 40)),
            "living_allowance_months_used": draw(st.integers(0, 8)),
            "agency_fee_years": draw(st.lists(st.integers(2017, 2021), max_size=2)),
        },
    }


AS_OF = st.dates(min_value=date(2017, 1, 1), max_value=date(2026, 11, 30))
# Examples per property: 150 in a full run, fewer with --hypothesis-profile=fast (tests/conftest.py).
RUN = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
POLICIES = load_policies()
BY_CODE = {s.code: s for s in SCHEMES}


@RUN
@given(cases(), AS_OF, st.sampled_from([TEST_LOCAL, EMPTY_LOCAL]))
def test_amounts_are_never_negative_nor_above_their_caps(facts, as_of, local):
    report = evaluate(case_from_python(facts), as_of, local=local)
    for d in report.decisions:
        if d.amount is not None:
            assert d.amount >= 0, d
            assert d.cap is None or d.amount <= d.cap, d
        assert d.floor is None or d.cap is None or d.floor <= d.cap
        assert all(v >= 0 for v in d.month_amounts.values())
        assert sum(d.month_amounts.values(), Decimal(0)) == (d.amount or 0) or not d.month_amounts


@RUN
@given(cases(), AS_OF)
def test_accumulated_periods_never_pass_their_limits(facts, as_of):
    case = case_from_python(facts)
    report = evaluate(case, as_of, local=TEST_LOCAL)
    used = case.history
    for d in report.decisions:
        if d.scheme == "employer_si" and d.document in ("000", "002", "004"):
            # 004 §2(3)2: three years; 000/002: the test locality's 36 months; 002 §5: periods accumulate.
            assert len(d.months) <= max(0, 36 - used.employer_si_months_used), d
        if d.scheme == "public_welfare_subsidy" and d.document == "000":
            assert len(d.months) <= 6  # 000 §8
        if d.scheme == "temporary_living_allowance" and d.amount is not None:
            assert d.amount <= 6 * Decimal("1100")  # 003 §3(6), test 低保 standard
        if d.scheme == "agency_fee" and d.amount is not None:
            assert d.amount == Decimal("200.00")  # 004 §2(2)2
        if d.scheme == "training_living_allowance" and d.amount is not None:
            assert d.amount <= 20 * 21


@RUN
@given(cases(), AS_OF)
def test_results_are_deterministic(facts, as_of):
    first = to_json(evaluate(case_from_python(facts), as_of, local=TEST_LOCAL))
    second = to_json(evaluate(case_from_python(facts), as_of, local=TEST_LOCAL))
    assert first == second


@RUN
@given(cases(), AS_OF)
def test_no_decision_outside_a_documents_validity(facts, as_of):
    case = case_from_python(facts)
    starts = {p.id: p.start for p in case.placements}
    for d in evaluate(case, as_of, local=TEST_LOCAL).decisions:
        if d.subject not in starts:
            continue
        doc = POLICIES.documents[d.document]
        inside = doc.valid_from <= starts[d.subject] and (doc.valid_to is None or starts[d.subject] <= doc.valid_to)
        assert inside == (d.status is not DecisionStatus.OUTSIDE_VALIDITY), (d.scheme, d.document, starts[d.subject])
