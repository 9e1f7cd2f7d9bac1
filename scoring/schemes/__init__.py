"""Every subsidy and entitlement the seeds define: code, Chinese name, documents and rules.

A scheme has one rule per document that defines it (``Variant``); the engine picks the
variants whose jurisdiction and validity fit the placement or the person.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from jiuyuan.vocab import PlacementKind as K
from scoring.dates import ONE_DAY
from scoring.facts import Apprenticeship, Case, Employer, Placement, StartupLoan, Training
from scoring.rule import AnyScheme, Scheme, Subject, SubjectsFn, Variant
from scoring.schemes import agency, employer, employment, person, public_welfare


def placements(
    *kinds: K, paid_where: str = "work", only: Callable[[Case, Placement], bool] | None = None
) -> SubjectsFn[Placement]:
    """The case's placements of ``kinds`` (of any kind when none is given), under the rules of
    ``paid_where``: "work" (the workplace's) or "home" (the hukou's, where the documents pay from
    the sending region: 004 §2(2)2 §2(2)6 "由输出地…列支").

    ``only`` keeps the placements a scheme can apply to at all (one with an agency for an agency
    fee, one away from home for a transport subsidy): the others are not its subjects, so no
    decision, not even "不在政策有效期内", is reported for them."""

    def subjects(case: Case, as_of: date) -> list[Subject[Placement]]:
        home = case.person.hukou_region_code
        return [
            Subject(p.id, p.region_code if paid_where == "work" else home, p.start, p)
            for p in case.placements
            if (not kinds or p.kind in kinds) and (only is None or only(case, p))
        ]

    return subjects


def _with_agency(case: Case, p: Placement) -> bool:
    """004 §2(2)2, 003 §3(5): the fee is for an agency's placement; one made without an agency has none."""
    return p.agency is not None


def _away_from_home(case: Case, p: Placement) -> bool:
    """004 §2(2)6: 跨区域（跨省、跨市州、跨县区）外出务工 — work outside the hukou county."""
    return p.region_code[:6] != case.person.hukou_region_code[:6]


def _training(case: Case, as_of: date) -> list[Subject[Training]]:
    home = case.person.hukou_region_code
    return [Subject(f"training[{i}]", home, t.start, t) for i, t in enumerate(case.training)]


def _living(case: Case, as_of: date) -> list[Subject[tuple[date, date]]]:
    """The unemployment spell: from registration to the day before the next job (or ``as_of``)."""
    p = case.person
    if p.household.assistance.value == "none":
        return []
    since = p.registered_unemployed_since or as_of
    next_job = min((pl.start for pl in case.placements if pl.start > since), default=None)
    spell_end = min(as_of, next_job - ONE_DAY) if next_job else as_of
    spell = (since, max(since, spell_end))
    return [Subject("person", p.hukou_region_code, spell[0], spell, last_date=spell[1])]


def _ui(case: Case, as_of: date) -> list[Subject[date]]:
    """The day the unemployment benefit ended."""
    ended = case.person.unemployment_benefit_ended_on
    return [] if ended is None else [Subject("person", case.person.hukou_region_code, ended, ended)]


def _loan(case: Case, as_of: date) -> list[Subject[StartupLoan]]:
    loan = case.startup_loan
    return [] if loan is None else [Subject("startup_loan", case.person.hukou_region_code, loan.start, loan)]


def _apprenticeship(case: Case, as_of: date) -> list[Subject[Apprenticeship]]:
    a, e = case.apprenticeship, case.employer
    region = e.region_code if e else case.person.hukou_region_code
    return [] if a is None else [Subject("apprenticeship", region, a.start, a)]


def _employer(case: Case, as_of: date) -> list[Subject[Employer]]:
    e = case.employer
    return [] if e is None else [Subject("employer", e.region_code, as_of, e)]


SCHEMES: tuple[AnyScheme, ...] = (
    Scheme(
        "employer_si",
        "企业吸纳就业社会保险补贴",
        "placement",
        "monthly",
        (
            Variant("000", ("000 §5",), employment.employer_si_local),
            Variant("002", ("002 §3", "002 §5"), employment.employer_si_local),
            Variant("003", ("003 §3(3)",), employment.employer_si_local),
            Variant("004", ("004 §2(3)2",), employment.employer_si_poverty),
        ),
        placements(K.EMPLOYER_ABSORPTION),
        social_insurance=True,
    ),
    Scheme(
        "one_off_job_subsidy",
        "一次性岗位补贴",
        "placement",
        "one_off",
        (Variant("000", ("000 §5",), employment.one_off_job_subsidy),),
        placements(K.EMPLOYER_ABSORPTION),
    ),
    Scheme(
        "poverty_job_subsidy",
        "吸纳建档立卡贫困劳动力岗位补贴",
        "placement",
        "annual",
        (Variant("004", ("004 §2(3)1",), employment.poverty_job_subsidy),),
        placements(K.EMPLOYER_ABSORPTION),
    ),
    Scheme(
        "flexible_si",
        "灵活就业社会保险补贴",
        "placement",
        "monthly",
        (
            Variant("000", ("000 §7",), employment.flexible_si),
            Variant("002", ("002 §3", "002 §5"), employment.flexible_si),
            Variant("003", ("003 §3(2)",), employment.flexible_si),
        ),
        placements(K.FLEXIBLE),
        social_insurance=True,
    ),
    Scheme(
        "public_welfare_subsidy",
        "公益性岗位补贴",
        "placement",
        "monthly",
        (
            Variant("000", ("000 §8",), public_welfare.post_subsidy_2023),
            Variant("002", ("002 §3", "002 §5"), public_welfare.post_subsidy_hunan),
            Variant("003", ("003 §3(4)",), public_welfare.post_subsidy_jiaxing),
        ),
        placements(K.PUBLIC_WELFARE),
    ),
    Scheme(
        "public_welfare_si",
        "公益性岗位社会保险补贴",
        "placement",
        "monthly",
        (Variant("002", ("002 §3", "002 §5"), public_welfare.post_si_subsidy),),
        placements(K.PUBLIC_WELFARE),
        social_insurance=True,
    ),
    Scheme(
        "startup_subsidy",
        "一次性创业补贴",
        "placement",
        "one_off",
        (
            Variant("000", ("000 §6",), employment.startup_one_off),
            Variant("002", ("002 §3",), employment.startup_one_off),
        ),
        placements(K.SELF_EMPLOYED),
    ),
    Scheme(
        "transport_subsidy",
        "跨区域务工一次性交通补助",
        "placement",
        "one_off",
        (Variant("004", ("004 §2(2)6",), employment.transport_subsidy),),
        placements(K.EMPLOYER_ABSORPTION, K.FLEXIBLE, paid_where="home", only=_away_from_home),
    ),
    Scheme(
        "agency_fee",
        "人力资源服务机构就业创业服务补贴",
        "placement",
        "one_off",
        (Variant("004", ("004 §2(2)2",), agency.agency_fee_poverty),),
        placements(paid_where="home", only=_with_agency),
    ),
    Scheme(
        "agency_service_jiaxing",
        "人力资源机构就业创业服务补助",
        "placement",
        "one_off",
        (Variant("003", ("003 §3(5)",), agency.agency_service_jiaxing),),
        placements(only=_with_agency),
    ),
    Scheme(
        "startup_training_subsidy",
        "创业培训补贴",
        "placement",
        "one_off",
        (
            Variant("000", ("000 §6",), person.startup_training_subsidy),
            Variant("002", ("002 §3",), person.startup_training_subsidy),
        ),
        placements(K.SELF_EMPLOYED, paid_where="home"),
    ),
    Scheme(
        "training_subsidy",
        "职业培训补贴",
        "person",
        "one_off",
        (
            Variant("004", ("004 §2(2)3",), person.training_subsidy),
            Variant("000", ("000 §4",), person.training_subsidy_difficult),
            Variant("002", ("002 §3",), person.training_subsidy_difficult),
        ),
        _training,
    ),
    Scheme(
        "training_living_allowance",
        "培训期间生活费补贴",
        "person",
        "per_day",
        (
            Variant("004", ("004 §2(2)3",), person.training_living_allowance),
            Variant("000", ("000 §4",), person.training_living_allowance_difficult),
        ),
        _training,
    ),
    Scheme(
        "temporary_living_allowance",
        "临时生活补助",
        "person",
        "monthly",
        (Variant("003", ("003 §3(6)",), person.temporary_living_allowance),),
        _living,
    ),
    Scheme(
        "unemployment_insurance_extension",
        "失业保险金延续发放至法定退休年龄",
        "person",
        "monthly",
        (Variant("000", ("000 §9",), person.unemployment_insurance_extension),),
        _ui,
    ),
    Scheme(
        "unemployment_assistance",
        "失业补助金",
        "person",
        "monthly",
        (Variant("000", ("000 §9",), person.unemployment_assistance),),
        _ui,
    ),
    Scheme(
        "startup_guarantee_loan",
        "创业担保贷款",
        "person",
        "loan",
        (
            Variant("000", ("000 §6",), person.startup_guarantee_loan),
            Variant("002", ("002 §3",), person.startup_guarantee_loan),
        ),
        _loan,
    ),
    Scheme(
        "startup_loan_interest",
        "创业担保贷款全额贴息",
        "person",
        "one_off",
        (Variant("003", ("003 §3(3)",), person.startup_loan_interest),),
        _loan,
    ),
    Scheme(
        "guangdong_apprenticeship",
        "学徒培训补贴（学生学徒制）",
        "person",
        "annual",
        (
            Variant(
                "001",
                ("001 广东产业技能根基工程 二(一)3",),
                person.guangdong_apprenticeship,
                own_validity=(date(2022, 10, 31), date(2026, 12, 31)),
                jurisdiction=("44",),
            ),
        ),
        _apprenticeship,
    ),
    Scheme(
        "qingdao_job_loan",
        "“青岗贷”稳岗扩岗专项贷款",
        "employer",
        "loan",
        (
            Variant(
                "001",
                ("001 青岗贷 二", "001 青岗贷 三"),
                employer.qingdao_job_loan,
                # The Qingdao notice (2023-02-17) names no end date.
                own_validity=(date(2023, 2, 17), None),
                jurisdiction=("3702",),
            ),
        ),
        _employer,
    ),
)
