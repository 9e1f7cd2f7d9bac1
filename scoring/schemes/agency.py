"""HR-agency service fees (004 §2(2)2, 003 §3(5))."""

from __future__ import annotations

from jiuyuan.vocab import DecisionStatus
from scoring.dates import add_months
from scoring.decision import Decision
from scoring.facts import Placement
from scoring.rule import Eval
from scoring.schemes.common import check_matures, check_poverty_registered, jiaxing_target_group, months_in_post


def agency_fee_poverty(ev: Eval, p: Placement) -> Decision | None:
    """004 §2(2)2: 具有合法资质的人力资源服务机构每成功介绍1名建档立卡贫困劳动力稳定就业6个月以上，
    给予200元就业创业服务补贴；每人每年只享受一次."""
    if p.agency is None:
        return None
    ev.note(f"介绍机构：{p.agency.id}")
    ev.check("人力资源服务机构具有合法资质", p.agency.licensed)
    check_poverty_registered(ev, p.start)
    need = ev.p("agency_fee.min_months", p.start)
    matures = check_matures(ev, p, need, f"稳定就业满 {need} 个月")
    year = matures.year
    # Once a person a year, checked here (the claims table's unique index is the second line):
    # a live claim for another placement, a year kept elsewhere, or an earlier placement of this case.
    other = ev.granted.fee_years.get(year)
    ev.check(
        f"{year} 年度该人员尚未享受过此项补贴（每人每年一次）"
        + (f"：已由安置 {other} 享受" if other and other != p.id else ""),
        year not in ev.case.history.agency_fee_years and other in (None, p.id),
    )
    decision = ev.decide(amount=ev.p("agency_fee.amount", p.start), matures_on=matures, period_start=p.start)
    if decision.status in (DecisionStatus.ELIGIBLE, DecisionStatus.NOT_YET):
        ev.granted.fee_years.setdefault(year, p.id)
    return decision


def agency_service_jiaxing(ev: Eval, p: Placement) -> Decision | None:
    """003 §3(5): 人力资源机构帮助困难群体实现稳定就业，签订劳动合同并依法缴纳社会保险满3个月的，
    根据服务成效按规定给予就业创业服务补助."""
    if p.agency is None:
        return None
    ok, group = jiaxing_target_group(ev.case, p.start)
    ev.check("帮扶对象属于困难群体（003 §2）" + (f"：{group}" if group else ""), ok)
    ev.check("签订劳动合同", None if p.contract_months is None else p.contract_months > 0, "placements.contract_months")
    need = ev.p("agency_service.min_insured_months", p.start)
    matures = add_months(p.start, need)
    if p.contributions:
        insured = len({c.month for c in p.contributions if c.month >= f"{p.start:%Y-%m}"})
    elif p.social_insurance_paid:
        insured = months_in_post(p, ev.as_of)
    else:
        insured = None
    if matures <= ev.as_of:
        ev.check(
            f"依法缴纳社会保险满 {need} 个月（已缴 {insured} 个月）",
            None if insured is None else insured >= need,
            "placements.contributions",
        )
    amount = ev.local_value("jiaxing_agency_service.amount", p.region_code, p.start)
    return ev.decide(amount=amount, matures_on=matures, period_start=p.start)
