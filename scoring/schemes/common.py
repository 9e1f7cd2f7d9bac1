"""Helpers the rules share: months in post, paid months, target-group checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from jiuyuan.vocab import AssistanceStatus
from scoring.dates import ONE_DAY, add_months, full_months_between
from scoring.facts import Case, Placement
from scoring.retirement import ASSUMED_NOTE, RetirementCategory, age_on, category_undecided, retirement
from scoring.rule import Eval


def months_in_post(p: Placement, as_of: date) -> int:
    """Full months in post by ``as_of`` (closed periods: in post through ``end``)."""
    last = min(p.end, as_of) if p.end else as_of
    return 0 if last < p.start else full_months_between(p.start, last + ONE_DAY)


def paid_until(ev: Eval, p: Placement, *, recognised: bool = True) -> date:
    """The last day a monthly entitlement of ``p`` runs, and the trace says what ends it: the
    placement's end, the exit from recognition (``recognised``: the entitlement rests on it),
    the statutory retirement age (002 §5(2), 2024 reform), leaving the labour market or death
    (§5(3)), a management role (§5(1)), the document's end (one rule for all schemes: months
    after a policy's end date are not paid, docs/policy.md), or ``as_of``."""
    person = ev.case.person
    ends: list[tuple[date, str]] = [(ev.as_of, "")]
    if p.end is not None:
        ends.append((p.end, f"{p.end} 离岗"))
    recognition = ev.case.recognition_on(p.start) if recognised else None
    if recognition is not None and recognition.exited_on is not None:
        ends.append((recognition.exited_on, f"{recognition.exited_on} 退出就业困难人员（002 §5）"))
    retire = retirement(person.birth_date, person.category)
    assumed = f"；{ASSUMED_NOTE}" if person.retirement_category is None else ""
    if category_undecided(person.birth_date, person.sex, person.retirement_category, min(ev.as_of, p.end or ev.as_of)):
        # Past the age of one category and not of the other: the fact decides, so ask for it.
        ev.check("原法定退休年龄类别（女工人50周岁或女干部、灵活就业人员55周岁）", None, "person.retirement_category")
        retire = retirement(person.birth_date, RetirementCategory.FEMALE_CADRE)
    ends.append((retire.date - ONE_DAY, f"{retire.date} 达到法定退休年龄 {retire.label}（002 §5(2)）{assumed}"))
    # A §5 event before the recognition the placement rests on was overcome: the person was
    # recognised again after it (002 §5 last paragraph).
    since = recognition.recognised_on if recognition is not None else date.min
    events = (
        (person.pension_since, "起享受基本养老保险待遇（002 §5(2)）"),
        (person.left_labour_market_on, "退出劳动力市场（002 §5(3)）"),
        (person.management_role_since, "起担任企业管理人员（002 §5(1)）"),
    )
    ends += [(day - ONE_DAY, f"{day} {what}") for day, what in events if day is not None and day >= since]
    if ev.doc.valid_to is not None:
        ends.append((ev.doc.valid_to, f"政策有效期至 {ev.doc.valid_to}，此后的月份不予补贴"))
    last, why = min(ends, key=lambda e: e[0])
    if why and last < p.start:
        ev.check(f"安置开始时仍可享受按月补贴（{why}）", False)
    elif why and last < ev.as_of:
        ev.note(f"按月补贴计至 {last}：{why}")
    return last


def served_months(ev: Eval, p: Placement, *, recognised: bool = True) -> int:
    """Full months of ``p`` that a monthly entitlement can pay, up to ``paid_until``."""
    last = paid_until(ev, p, recognised=recognised)
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
    ev: Eval, p: Placement, monthly_param: str, max_param: str, used: int, paid_by: str | None = None
) -> tuple[Decimal | None, list[str], dict[str, Decimal]]:
    """A flat monthly subsidy at the locality's standard for the months in post so far, after
    the months already used (002 §5: periods accumulate across recognitions and placements).

    ``paid_by`` ("employer" or "personal"): a social-insurance subsidy pays only the months
    whose contribution that payer made, when the monthly contributions are on record.
    Returns the amount (None while the standard is unset), the months paid and the amount of
    each month."""
    monthly = ev.local_value(monthly_param, p.region_code, p.start)
    max_months = ev.local_value(max_param, p.region_code, p.start)
    served = served_months(ev, p)
    window = month_labels(p.start, served)
    if paid_by is not None and p.contributions:
        paid = contribution_months(p, paid_by)
        unpaid = [m for m in window if m not in paid]
        if unpaid:
            ev.note(f"{'、'.join(unpaid)} 无缴费记录（未缴费或缴费数据尚未导入），该月不予补贴")
        window = [m for m in window if m in paid]
    if paid_by is not None:
        window = ev.untaken(window)
    left = len(window) if max_months is None else max(0, int(max_months) - used)
    months = window[:left]
    if max_months is None:
        ev.note(f"可补贴 {len(months)} 个月；补贴期限由地方规定，未配置")
    else:
        ev.note(
            f"补贴期限 {max_months} 个月（重新认定累计计算，002 §5），此前已享受 {used} 个月，"
            f"本次可补贴 {len(months)} 个月"
        )
        if len(window) > left:
            ev.note(f"{'、'.join(window[left:])} 超过补贴期限，不予补贴")
    if monthly is None:
        return None, months, {}
    return monthly * len(months), months, {m: monthly for m in months}


def si_history(ev: Eval) -> int:
    """Social-insurance subsidy months used outside the case, of any form (002 §5: one period)."""
    h = ev.case.history
    return h.employer_si_months_used + h.flexible_si_months_used + h.public_welfare_si_months_used


def contribution_months(p: Placement, paid_by: str) -> set[str]:
    """Months with a contribution by ``paid_by`` ("employer" or "personal") on record: a row of
    zero is not a month paid."""
    return {c.month for c in p.contributions if any((c.employer if paid_by == "employer" else c.personal).values())}


def insurance_paid(p: Placement) -> bool | None:
    """Social insurance paid for the placement: as stated, else shown by monthly payments, else unknown."""
    if p.social_insurance_paid is not None:
        return p.social_insurance_paid
    return True if p.contributions else None


def check_matures(ev: Eval, p: Placement, months: int, what: str) -> date:
    """The day ``months`` in post are complete; fails if the person left before, or if that
    day falls after the document's end (an expired policy pays nothing that matures later)."""
    matures = add_months(p.start, months)
    ev.maturity = what
    if p.end is not None and p.end < matures - ONE_DAY:
        ev.check(f"{what}（{p.end} 已离岗）", False)
    if ev.doc.valid_to and matures - ONE_DAY > ev.doc.valid_to:
        ev.check(
            f"{what}时（{matures - ONE_DAY}）政策仍在有效期内（至 {ev.doc.valid_to}）",
            False,
            hint=f"条件在政策到期（{ev.doc.valid_to}）后才满足，不能按该政策享受（docs/policy.md 政策到期规则）",
        )
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
