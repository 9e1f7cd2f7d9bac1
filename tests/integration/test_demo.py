"""Demo data: deterministic for a seed, valid identifiers, loading twice writes nothing twice."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from stdnum.cn import ric, uscc

from demo.generate import generate, org_code_check_digit
from demo.load import load
from jiuyuan import validation
from jiuyuan.vocab import PostingKind, Schedule
from ledger import intake
from ledger.models import Base

ANCHOR = date(2026, 11, 22)


def test_same_seed_same_data_other_seed_other_data():
    a, b = generate(7, 300, 200, ANCHOR), generate(7, 300, 200, ANCHOR)
    assert a == b
    c = generate(8, 300, 200, ANCHOR)
    assert a.persons != c.persons and a.postings != c.postings


def test_every_id_number_and_uscc_passes_its_validator():
    data = generate(11, 2000, 3000, ANCHOR)
    for person in data.persons:
        ident = validation.id_number(person["id_number"], today=ANCHOR)
        assert (ident.birth_date, ident.sex) == (person["birth_date"], person["sex"])
    for org in data.employers + data.agencies:
        assert validation.social_credit_code(org["uscc"]) == org["uscc"]
        body = org["uscc"][8:16]
        assert org["uscc"][16] == org_code_check_digit(body)  # GB 11714 inside GB 32100
    assert len({p["id_number"] for p in data.persons}) == len(data.persons)
    assert ric.is_valid(data.persons[0]["id_number"]) and uscc.is_valid(data.employers[0]["uscc"])


def test_gb11714_check_digit_of_a_published_code():
    # 91110000600037341L is the GB 32100 example; its organisation code is 60003734-1.
    assert org_code_check_digit("60003734") == "1"


def test_generated_rows_pass_the_intake_validation():
    """The demo is what a clerk could have typed: each row survives the same checks."""
    data = generate(3, 400, 300, ANCHOR)
    for posting in data.postings:
        intake.clean_posting(
            {k: (v.value if hasattr(v, "value") else v) for k, v in posting.items() if k != "employer_uscc"}
            | {"wage_min": str(posting["wage_min"]), "wage_max": str(posting["wage_max"])}
        )
    for person in data.persons:
        intake.clean_person({k: (v.value if hasattr(v, "value") else v) for k, v in person.items()})
    for employer in data.employers:
        intake.clean_employer(employer)


def test_all_kinds_and_schedules_and_places_appear():
    data = generate(5, 3000, 2000, ANCHOR)
    kinds = Counter(p["kind"] for p in data.postings)
    assert set(kinds) == set(PostingKind)
    assert {p["schedule"] for p in data.postings} == set(Schedule)
    assert all(
        p["age_min"] is None and not p["skills_required"] for p in data.postings if p["kind"] is PostingKind.LOVE
    )
    titles = {p["title"].removeprefix("爱心岗位·") for p in data.postings}
    assert {
        "保洁员",
        "保安员",
        "家政服务员",
        "养老护理员",
        "快递分拣员",
        "仓储搬运工",
        "绿化养护工",
        "社区协管员",
        "河道保洁员",
    } <= titles
    prefixes = Counter(p["hukou_region_code"][:4] for p in data.persons)
    assert prefixes["3304"] and prefixes["3702"]  # Jiaxing (003) and Qingdao (001)
    assert sum(n for pre, n in prefixes.items() if pre.startswith("43")) > 0.8 * len(data.persons)
    assert any(h["zero_employment"] for h in data.households)
    categories = Counter(c for r in data.recognitions for c in r["categories"])
    assert set(categories) == {1, 2, 3, 4, 5, 6}


def _counts(sessions):
    with sessions() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_loading_twice_does_not_duplicate(sessions):
    data = generate(9, 500, 400, ANCHOR)
    with sessions.begin() as s:
        first = load(s, data)
    after_first = _counts(sessions)
    assert first["job_postings"] == 500 and first["persons"] == 400
    assert after_first["job_postings"] == 500 and after_first["placements"] == first["placements"]
    with sessions.begin() as s:
        second = load(s, generate(9, 500, 400, ANCHOR))
    assert not any(second.values())
    assert _counts(sessions) == after_first


def test_identities_do_not_depend_on_the_anchor_date():
    """`make run` on a later day must find the same people, employers and postings."""
    early, late = generate(4, 200, 300, date(2026, 11, 22)), generate(4, 200, 300, date(2027, 3, 5))
    for table, key in (
        ("persons", "id_number"),
        ("employers", "uscc"),
        ("agencies", "uscc"),
        ("households", "ref"),
        ("postings", "ref"),
    ):
        assert [r[key] for r in getattr(early, table)] == [r[key] for r in getattr(late, table)], table
    assert early.postings[0]["valid_from"] != late.postings[0]["valid_from"]
