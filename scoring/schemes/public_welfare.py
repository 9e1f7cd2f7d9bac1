"""Public-welfare posts (000 §8, 002 §3 and §5, 003 §3(4))."""

from __future__ import annotations

from scoring.decision import Decision
from scoring.facts import Placement
from scoring.rule import Eval
from scoring.schemes.common import (
    check_recognised,
    jiaxing_special_difficulty,
    local_monthly,
    month_labels,
    months_in_post,
    served_months,
    si_history,
)

BEYOND_LIMIT = "public_welfare_beyond_limit"


def placements_before(ev: Eval, p: Placement) -> int:
    """Public-welfare placements before ``p``: those kept elsewhere (History) and the case's own."""
    earlier = sum(1 for q in ev.case.placements if q.kind is p.kind and (q.start, q.id) < (p.start, p.id))
    return ev.case.history.public_welfare_placements + earlier


def check_placement_count(ev: Eval, p: Placement) -> None:
    """002 §5: 公益性岗位安置次数原则上不超过2次 — beyond it an officer decides, it is not refused outright."""
    allowed = ev.p("public_welfare.max_placements", p.start)
    nth = placements_before(ev, p) + 1
    label = f"公益性岗位安置次数原则上不超过 {allowed} 次（本次为第 {nth} 次，002 §5）"
    if nth <= allowed:
        ev.check(label, True)
    else:
        ev.approval(label, p.rulings.get(BEYOND_LIMIT))


def post_subsidy_2023(ev: Eval, p: Placement) -> Decision | None:
    """000 §8: 临时性公益性岗位补贴期限最长不超过6个月；城镇临时性全日制不超过当地月最低工资标准，
    非全日制不超过当地小时最低工资标准；乡村公益性岗位每人每月不低于最低工资的50%、不高于最低工资，
    具体标准由各市州、县市区确定.

    The document sets standards for temporary posts and for rural posts; of other (urban,
    permanent) posts it says nothing, so no decision is made for them here."""
    if not (p.temporary_public_welfare or p.rural_post):
        return None
    check_recognised(ev, p.start)
    region, day = p.region_code, p.start
    served = served_months(ev, p)
    max_months = ev.p("public_welfare.temporary_max_months", day) if p.temporary_public_welfare else None
    months = served if max_months is None else min(served, max_months)
    if max_months is not None and p.end is not None and months_in_post(p, p.end) > max_months:
        ev.note(f"临时性岗位期限超过 {max_months} 个月，补贴只计前 {max_months} 个月")
    minimum = ev.local_value("minimum_wage.monthly", region, day)
    floor = cap = per_month = None
    if p.rural_post:
        low = ev.p("public_welfare.rural_min_share_of_minimum_wage", day)
        high = ev.p("public_welfare.rural_max_share_of_minimum_wage", day)
        per_month = ev.local_value("public_welfare.rural_monthly_standard", region, day)
        if minimum is not None:
            floor, cap = minimum * low, minimum * high
            ev.note(f"乡村岗位：每月 {floor}–{cap} 元（最低工资 {minimum} 的 {low:.0%}–{high:.0%}）")
    elif p.full_time:
        per_month = ev.local_value("public_welfare.temporary_monthly_standard", region, day)
        cap = minimum
        if cap is not None:
            ev.note(f"城镇全日制：每月不超过当地月最低工资 {cap} 元")
    else:
        hourly_min = ev.local_value("minimum_wage.hourly", region, day)
        hourly = ev.local_value("public_welfare.temporary_hourly_standard", region, day)
        hours = p.monthly_hours
        if ev.check("非全日制岗位的每月工时已知", None if hours is None else True, "placements.monthly_hours"):
            cap = hourly_min * hours if hourly_min is not None else None
            per_month = hourly * hours if hourly is not None else None
            if cap is not None:
                ev.note(f"非全日制：每月不超过小时最低工资 {hourly_min} × {hours} 小时 = {cap} 元")
    if per_month is not None:
        ev.check(f"地方补贴标准 {per_month} 元/月不超过上限", cap is None or per_month <= cap)
        ev.check(f"地方补贴标准 {per_month} 元/月不低于下限", floor is None or per_month >= floor)
    labels = month_labels(p.start, months)
    return ev.decide(
        amount=per_month * months if per_month is not None else None,
        cap=cap,
        floor=floor,
        months=labels,
        month_amounts={m: per_month for m in labels} if per_month is not None else {},
        period_start=p.start,
    )


def post_subsidy_hunan(ev: Eval, p: Placement) -> Decision:
    """002 §3: 安置在公益性岗位的，按规定给予公益性岗位补贴；002 §5：重新认定后补贴期限累计计算，
    安置次数原则上不超过2次."""
    check_recognised(ev, p.start)
    check_placement_count(ev, p)
    amount, months, per_month = local_monthly(
        ev,
        p,
        "public_welfare.post_monthly_subsidy",
        "public_welfare.max_months",
        ev.used(ev.case.history.public_welfare_subsidy_months_used),
    )
    return ev.decide(amount=amount, months=months, month_amounts=per_month, period_start=p.start)


def post_subsidy_jiaxing(ev: Eval, p: Placement) -> Decision:
    """003 §3(4): 安置就业困难人员的给予用人单位公益性岗位补贴；补贴期满后通过其他渠道仍然无法就业的
    大龄就业困难人员、零就业家庭成员、重度残疾人等，可再次安置，补贴期限重新计算."""
    check_recognised(ev, p.start)
    used = ev.used(ev.case.history.public_welfare_subsidy_months_used)
    max_months = ev.local_value("public_welfare.max_months", p.region_code, p.start)
    if placements_before(ev, p) >= 1 and used > 0:
        if max_months is None:
            ev.note("补贴期限由地方规定，未配置：无法判断此前补贴是否期满，期限按累计计算")
        elif used < int(max_months):
            ev.note(f"此前补贴尚未期满（已享受 {used} / {max_months} 个月），期限继续累计，不重新计算")
        else:
            special = jiaxing_special_difficulty(ev, p.start)
            if ev.check(
                "补贴期满后再次安置，须为大龄就业困难人员、零就业家庭成员或重度残疾人（003 §3(4)）",
                special is not None if special != "" else None,
                "older_worker_age（地方参数）",
            ):
                ev.note(f"{special}：补贴期限重新计算（003 §3(4)，报上级人力社保部门备案）")
                used = 0
    amount, months, per_month = local_monthly(
        ev, p, "public_welfare.post_monthly_subsidy", "public_welfare.max_months", used
    )
    ev.notes.append("003 §3(4)：补贴发给用人单位")
    return ev.decide(amount=amount, months=months, month_amounts=per_month, period_start=p.start)


def post_si_subsidy(ev: Eval, p: Placement) -> Decision:
    """002 §3: 安置在公益性岗位的，按规定给予社会保险补贴（期限累计计算，002 §5）."""
    check_recognised(ev, p.start)
    check_placement_count(ev, p)
    amount, months, per_month = local_monthly(
        ev,
        p,
        "public_welfare_si.monthly_subsidy",
        "public_welfare.max_months",
        ev.used(si_history(ev)),
        paid_by="employer",
    )
    return ev.decide(amount=amount, months=months, month_amounts=per_month, period_start=p.start)
