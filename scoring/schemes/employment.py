"""Employer absorption, flexible employment and self-employment (000 §5–§7, 002 §3, 003 §3, 004 §2(3))."""

from __future__ import annotations

from decimal import Decimal

from scoring.dates import ONE_DAY, add_months
from scoring.decision import Decision
from scoring.facts import INSURANCE_LABELS, Placement
from scoring.rule import Eval
from scoring.schemes.common import (
    check_matures,
    check_poverty_registered,
    check_recognised,
    insurance_paid,
    local_monthly,
    month_labels,
    served_months,
    si_history,
)


def employer_si_local(ev: Eval, p: Placement) -> Decision:
    """000 §5 / 002 §3 / 003 §3(3): 企业吸纳就业困难人员，按规定给予社会保险补贴.

    The documents leave the standard and the period to the rules in force locally.
    """
    check_recognised(ev, p.start)
    ev.check("用人单位为其依法缴纳社会保险", insurance_paid(p), "placements.social_insurance_paid")
    if ev.doc.code == "003":
        ev.notes.append("003 §3(3)：政策落地“直补快办”，能通过信息比对核实的直接兑现")
    used = ev.used(si_history(ev))
    amount, months, per_month = local_monthly(
        ev, p, "employer_si.monthly_subsidy", "employer_si.max_months", used, paid_by="employer"
    )
    return ev.decide(amount=amount, months=months, month_amounts=per_month, period_start=p.start)


def employer_si_poverty(ev: Eval, p: Placement) -> Decision:
    """004 §2(3)2: 建档立卡贫困劳动力签订1年以上劳动合同且实际在岗12个月，按单位实际缴纳的
    基本养老、基本医疗和失业保险费给予补贴（不含个人部分），期限不超过三年."""
    check_poverty_registered(ev, p.start)
    min_contract = ev.p("employer_si.min_contract_months", p.start)
    ev.check(
        f"劳动合同期限不少于 {min_contract} 个月",
        None if p.contract_months is None else p.contract_months >= min_contract,
        "placements.contract_months",
        hint=f"签订{min_contract // 12}年以上劳动合同后可享受社会保险补贴（004 §2(3)2）",
    )
    ev.check("实际缴纳社会保险的月度明细", bool(p.contributions) or None, "placements.contributions")
    need = ev.p("employer_si.min_months_in_post", p.start)
    matures = check_matures(ev, p, need, f"实际在岗满 {need} 个月")
    insurances = ev.p("employer_si.insurances", p.start)
    max_months = ev.p("employer_si.max_months", p.start)
    used = ev.used(ev.case.history.employer_si_months_used)
    window = ev.untaken(month_labels(p.start, min(served_months(ev, p, recognised=False), max_months)))
    by_month = {c.month: c for c in p.contributions}
    per_month: dict[str, Decimal] = {}
    for month in window:
        if len(per_month) >= max(0, max_months - used):
            break
        if month in by_month and any(by_month[month].employer.values()):
            per_month[month] = sum((by_month[month].employer.get(i, Decimal(0)) for i in insurances), Decimal(0))
    unpaid = [m for m in window if m not in by_month or not any(by_month[m].employer.values())]
    if unpaid and p.contributions:
        ev.note(f"{'、'.join(unpaid)} 无单位缴费记录，该月不予补贴")
    ev.note(
        f"补贴险种：{'、'.join(INSURANCE_LABELS[i] for i in insurances)}保险（不含个人缴纳部分）；可补贴 {len(per_month)} 个月，"
        f"期限上限 {max_months} 个月，此前已享受 {used} 个月（累计计算）"
    )
    return ev.decide(
        amount=sum(per_month.values(), Decimal(0)),
        matures_on=matures,
        months=list(per_month),
        month_amounts=per_month,
        period_start=p.start,
        period_end=add_months(p.start, max_months) - ONE_DAY,
    )


def one_off_job_subsidy(ev: Eval, p: Placement) -> Decision:
    """000 §5: 企业吸纳就业困难人员，按规定给予一次性岗位补贴."""
    check_recognised(ev, p.start)
    amount = ev.local_value("one_off_job_subsidy.amount", p.region_code, p.start)
    return ev.decide(amount=amount, period_start=p.start)


def poverty_job_subsidy(ev: Eval, p: Placement) -> Decision:
    """004 §2(3)1: 吸纳本省建档立卡贫困劳动力，签订劳动合同、在岗12个月以上并缴纳社保，每人每年1000元；
    贫困地区企业吸纳当地建档立卡贫困劳动力，每人每年1500元."""
    check_poverty_registered(ev, p.start)
    ev.check(
        "依法签订劳动合同", None if p.contract_months is None else p.contract_months > 0, "placements.contract_months"
    )
    ev.check("依法缴纳社会保险费", insurance_paid(p), "placements.social_insurance_paid")
    in_area = p.in_poverty_area
    if in_area is None and ev.case.employer is not None:
        in_area = ev.case.employer.in_poverty_area
    local_hire = ev.case.person.hukou_region_code == p.region_code
    if in_area is None and local_hire:  # the area decides the rate only for a local hire
        ev.check("用人单位是否位于贫困地区", None, "employer.in_poverty_area")
    rate_name = "job_subsidy.amount_per_year_poverty_area" if in_area and local_hire else "job_subsidy.amount_per_year"
    rate = ev.p(rate_name, p.start)
    need = ev.p("job_subsidy.min_months_in_post", p.start)
    first = check_matures(ev, p, need, f"实际在岗满 {need} 个月")
    # One year's subsidy for each full year in post completed while the policy was in force.
    years, k = [], 1
    served = served_months(ev, p, recognised=False)
    while True:
        due = add_months(p.start, need * k)
        if due > ev.as_of or served < need * k:
            break
        years.append(due)
        k += 1
    paid_years = set(ev.case.history.poverty_job_subsidy_years)
    new_years = [d for d in years if d.year not in paid_years]
    if years and not new_years:
        ev.check("尚有未享受的在岗年度（每人每年一次）", False)
    ev.note(f"适用标准每人每年 {rate} 元；已满在岗年度 {len(years)} 个，本次可享受 {len(new_years)} 个")
    return ev.decide(
        amount=rate * len(new_years) if new_years else None,
        matures_on=first,
        period_start=p.start,
        period_end=new_years[-1] - ONE_DAY if new_years else None,
    )


def flexible_si(ev: Eval, p: Placement) -> Decision:
    """000 §7 / 002 §3 / 003 §3(2): 就业困难人员灵活就业，按规定给予社会保险补贴（嘉兴：原则上按月兑现）."""
    check_recognised(ev, p.start)
    ev.check("以灵活就业人员身份缴纳社会保险", insurance_paid(p), "placements.social_insurance_paid")
    if ev.doc.code == "003":
        ev.notes.append("003 §3(2)：原则上应按月兑现补贴资金")
    used = ev.used(si_history(ev))
    amount, months, per_month = local_monthly(
        ev, p, "flexible_si.monthly_subsidy", "flexible_si.max_months", used, paid_by="personal"
    )
    return ev.decide(amount=amount, months=months, month_amounts=per_month, period_start=p.start)


def startup_one_off(ev: Eval, p: Placement) -> Decision:
    """000 §6: 对初创企业或初次注册的个体工商户，按规定给予一次性创业补贴；002 §3: 自主创业的，
    按规定落实创业补贴."""
    check_recognised(ev, p.start)
    if ev.doc.code == "000":
        ev.check("初创企业或初次注册的个体工商户", p.first_registration, "placements.first_registration")
    amount = ev.local_value("startup.one_off_amount", p.region_code, p.start)
    return ev.decide(amount=amount, period_start=p.start)


def transport_subsidy(ev: Eval, p: Placement) -> Decision | None:
    """004 §2(2)6: 跨区域（跨省、跨市州、跨县区）外出务工的建档立卡贫困劳动力，给予一次性交通补助.

    The subsidy is paid where the worker comes from ("由输出地财政统筹安排"), so the
    standard is looked up for the hukou region."""
    home, work = ev.case.person.hukou_region_code, p.region_code
    level = "跨省" if home[:2] != work[:2] else "跨市州" if home[:4] != work[:4] else "跨县区" if home != work else None
    if level is None:
        return None  # work in the home county: not a candidate for this subsidy
    check_poverty_registered(ev, p.start)
    ev.note(f"{level}：户籍地 {home} → 务工地 {work}")
    amount = ev.local_value("transport.amount", home, p.start)
    return ev.decide(amount=amount, period_start=p.start)
