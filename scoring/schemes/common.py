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
    return ev.check(f"{day} 时为已认定的就业困难人员", r is not None)


def check_poverty_registered(ev: Eval, day: date) -> bool:
    """004 §1(2): 我省建档立卡农村贫困人口 — registered on ``day`` with a Hunan hukou."""
    reg = ev.case.person.poverty_registration
    ok = reg is not None and reg.covers(day) and ev.case.person.hukou_region_code.startswith("43")
    return ev.check(f"{day} 时为本省建档立卡贫困劳动力（004 §1(2)）", ok)


def local_monthly(
    ev: Eval, p: Placement, monthly_param: str, max_param: str, used: int
) -> tuple[Decimal | None, list[str], dict[str, Decimal]]:
    """A flat monthly subsidy at the locality's standard for the months in post so far, after
    the months already used (002 §5: periods accumulate across recognitions).

    Returns the amount (None while the standard is unset), the months paid and the amount of
    each month."""
    monthly = ev.local_value(monthly_param, p.region_code, p.start)
    max_months = ev.local_value(max_param, p.region_code, p.start)
    served = months_in_post(p, ev.as_of)
    if max_months is None:
        count = served
        ev.note(f"在岗满 {served} 个月；补贴期限由地方规定，未配置")
    else:
        count = max(0, min(served, int(max_months) - used))
        ev.note(f"补贴期限 {max_months} 个月，已享受 {used} 个月（重新认定累计计算，002 §5），在岗满 {served} 个月")
    months = month_labels(p.start, count)
    if monthly is None:
        return None, months, {}
    return monthly * count, months, {m: monthly for m in months}


def insurance_paid(p: Placement) -> bool | None:
    """Social insurance paid for the placement: as stated, else shown by monthly payments, else unknown."""
    if p.social_insurance_paid is not None:
        return p.social_insurance_paid
    return True if p.contributions else None


def check_matures(ev: Eval, p: Placement, months: int, what: str) -> date:
    """The day ``months`` in post are complete; fails if the person left before, or if that
    day falls after the document's end (an expired policy pays nothing that matures later)."""
    matures = add_months(p.start, months)
    if p.end is not None and p.end < matures - ONE_DAY:
        ev.check(f"{what}（{p.end} 已离岗）", False)
    if ev.doc.valid_to and matures > ev.doc.valid_to:
        ev.check(f"{what}时（{matures}）政策仍在有效期内（至 {ev.doc.valid_to}）", False)
    return matures


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


def jiaxing_special_difficulty(ev: Eval, day: date) -> str | None:
    """003 §3(4): 大龄就业困难人员、零就业家庭成员、重度残疾人 may be placed again.

    Returns the group met, None when none is, or "" when only 大龄 could decide it and the
    locality has not set what 大龄 means (003 does not define it)."""
    p = ev.case.person
    if p.household.zero_employment:
        return "零就业家庭成员"
    if p.disability_grade in (1, 2):
        return "重度残疾人（一、二级）"
    older = ev.local_value(
        "older_worker_age.male" if p.sex == "M" else "older_worker_age.female", p.hukou_region_code, day
    )
    if older is None:
        return ""
    return "大龄就业困难人员" if age_on(p.birth_date, day) >= int(older) else None
