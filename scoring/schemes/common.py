"""Helpers the rules share: months in post, paid months, target-group checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiuyuan.vocab import AssistanceStatus
from scoring.dates import ONE_DAY, add_months, full_months_between
from scoring.facts import Case, Placement
from scoring.retirement import age_on
from scoring.rule import Eval


def months_in_post(p: Placement, as_of: date) -> int:
    """Full months in post by ``as_of`` (closed periods: in post through ``end``)."""
    last = min(p.end, as_of) if p.end else as_of
    return 0 if last < p.start else full_months_between(p.start, last + ONE_DAY)


def month_labels(start: date, count: int) -> list[str]:
    out = []
    for i in range(count):
        d = add_months(start, i)
        out.append(f"{d.year:04d}-{d.month:02d}")
    return out


def check_recognised(ev: Eval, day: date) -> bool:
    r = ev.case.recognition_on(day)
    return ev.check(f"{day} 时为已认定的就业困难人员（002 §1）", r is not None)


def check_poverty_registered(ev: Eval, day: date) -> bool:
    """004 §1(2): 我省建档立卡农村贫困人口 — registered on ``day`` with a Hunan hukou."""
    reg = ev.case.person.poverty_registration
    ok = reg is not None and reg.covers(day) and ev.case.person.hukou_region_code.startswith("43")
    return ev.check(f"{day} 时为本省建档立卡贫困劳动力（004 §1(2)）", ok)


def flat_monthly(ev: Eval, p: Placement, monthly: Decimal | None, used: int, max_months: int | None):
    """A flat monthly subsidy for the months in post so far, after months already used."""
    served = months_in_post(p, ev.as_of)
    count = served if max_months is None else max(0, min(served, max_months - used))
    if max_months is not None:
        ev.note(f"补贴期限 {max_months} 个月，已享受 {used} 个月（重新认定累计计算，002 §5），在岗满 {served} 个月")
    else:
        ev.note(f"在岗满 {served} 个月；补贴期限由地方规定，未配置")
    months = month_labels(p.start, count)
    if monthly is None:
        return None, months, {}
    per_month = {m: monthly for m in months}
    return monthly * count, months, per_month


def jiaxing_target_group(case: Case, day: date) -> tuple[bool, str]:
    """003 §2: difficult persons, unemployed members of difficult (低保/低边) families,
    unemployed certified disabled people, members of zero-employment families."""
    p = case.person
    if case.recognition_on(day):
        return True, "就业困难人员"
    if p.household.assistance is not AssistanceStatus.NONE:
        return True, "困难家庭成员"
    if p.disability_grade is not None:
        return True, "持证残疾人"
    if p.household.zero_employment:
        return True, "零就业家庭成员"
    return False, ""


def jiaxing_special_difficulty(case: Case, day: date) -> str | None:
    """003 §3(4): 大龄就业困难人员、零就业家庭成员、重度残疾人 may be placed again."""
    p = case.person
    older = age_on(p.birth_date, day) >= (50 if p.sex == "M" else 40)
    if older:
        return "大龄就业困难人员"
    if p.household.zero_employment:
        return "零就业家庭成员"
    if p.disability_grade in (1, 2):
        return "重度残疾人（一、二级）"
    return None
