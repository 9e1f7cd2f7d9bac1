"""Recognition (002 §1), its workflow (002 §2), tier duties (002 §4) and exit (002 §5)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from jiuyuan.vocab import LEFT_REASONS, AssistanceStatus, DecisionStatus, PlacementKind, RecognitionStep, UrbanRural
from scoring.dates import add_months, full_months_between, months_covered
from scoring.decision import Decision
from scoring.facts import Case
from scoring.params import LocalConfig, PolicySet
from scoring.retirement import ASSUMED_NOTE, LEGAL_MINIMUM_WORKING_AGE, REFERENCE, age_on, retirement
from scoring.workdays import working_calendar

CATEGORY_LABELS = {
    1: "男满五十周岁、女满四十周岁且连续失业六个月以上",
    2: "城市居民家庭成员均处于失业状态且连续失业六个月以上",
    3: "享受城市居民最低生活保障的失业人员",
    4: "失业的残疾人员",
    5: "因承包土地被征收而失去土地且连续失业六个月以上",
    6: "连续失业一年以上",
    7: "省人民政府规定的其他就业困难人员",
}


def _hunan_002(case: Case, day: date, policies: PolicySet) -> bool:
    doc = policies.documents["002"]
    return doc.covers(case.person.hukou_region_code) and doc.in_force(day)


def _still_out_of_labour_market(case: Case, as_of: date) -> bool:
    """Left the labour market (002 §5(3)) and not since settled by an exit: a person back from
    study or military service whose recognition was exited for it may be recognised again."""
    left = case.person.left_labour_market_on
    if case.person.left_labour_market is None:
        return False
    exits = [r.exited_on for r in case.recognitions if r.exited_on is not None and r.exited_on <= as_of]
    return left is None or not exits or left > max(exits)


def recognition(case: Case, as_of: date, policies: PolicySet, local: LocalConfig) -> dict[str, Any]:
    """Which of the seven categories of 002 §1 the person meets on ``as_of``, with the evidence."""
    person = case.person
    if not _hunan_002(case, as_of, policies):
        return {
            "document": "002",
            "applicable": False,
            "reason": "002 只适用于湖南省户籍地，且在其有效期内（2025-07-18 至 2030-07-17）",
        }
    par = policies.parameters
    age = age_on(person.birth_date, as_of)
    retire = retirement(person.birth_date, person.category)
    assumed = person.retirement_category is None  # taken from sex: said on the precondition and the age
    since = person.registered_unemployed_since
    months = full_months_between(since, as_of) if since and since <= as_of else None
    short, long_ = (
        par["recognition.unemployed_months_short"].at(as_of),
        par["recognition.unemployed_months_long"].at(as_of),
    )
    older = par["recognition.older_age_male" if person.sex == "M" else "recognition.older_age_female"].at(as_of)
    unemployed = months is not None
    configured = local.at("recognition.other_categories", person.hukou_region_code, as_of) or []
    household = person.household
    urban = household.urban_rural is UrbanRural.URBAN
    spell = f"连续失业{months}个月" if unemployed else "未登记失业"

    def yes(flag: bool) -> str:
        return "是" if flag else "否"

    tests = {
        1: (
            age >= older and unemployed and months >= short,
            f"{'男' if person.sex == 'M' else '女'}，{age}周岁（标准{older}周岁）；{spell}",
        ),
        2: (
            household.zero_employment and urban and unemployed and months >= short,
            f"零就业家庭：{yes(household.zero_employment)}，城镇家庭：{yes(urban)}；{spell}",
        ),
        3: (
            household.assistance is AssistanceStatus.DIBAO and household.urban_rural is UrbanRural.URBAN and unemployed,
            f"家庭低保状况：{household.assistance.label}",
        ),
        4: (person.disability_grade is not None and unemployed, f"残疾等级：{person.disability_grade or '无'}"),
        5: (person.land_lost and unemployed and months >= short, f"失地：{yes(person.land_lost)}；{spell}"),
        6: (unemployed and months >= long_, f"{spell}（标准{long_}个月）"),
        7: (
            bool(set(person.other_categories) & set(configured)),
            f"本人类别 {'、'.join(person.other_categories) or '无'}；本地规定类别 {'、'.join(configured) or '未配置'}",
        ),
    }
    preconditions = [
        {
            "label": f"在法定劳动年龄内（{LEGAL_MINIMUM_WORKING_AGE}周岁至法定退休年龄{retire.label}，{retire.date}"
            + (f"；{ASSUMED_NOTE}）" if assumed else "）"),
            "met": age >= LEGAL_MINIMUM_WORKING_AGE and as_of < retire.date,
            "reference": REFERENCE,
        },
        {"label": "有劳动能力", "met": person.able_to_work, "reference": "002 §1"},
        {"label": "有就业愿望", "met": person.willing_to_work, "reference": "002 §1"},
        {"label": "登记失业", "met": unemployed, "reference": "002 §1"},
        # What 002 §5 says must end a recognition cannot begin one.
        {
            "label": "当日未在岗就业（无在岗安置记录）",
            "met": not any(pl.in_post_through(as_of) for pl in case.placements),
            "reference": "002 §1 登记失业人员",
        },
        {
            "label": "未担任企业法定代表人、董事、监事等管理人员",
            "met": not person.management_role,
            "reference": "002 §5(1)",
        },
        {"label": "未享受基本养老保险待遇", "met": not person.receives_pension, "reference": "002 §5(2)"},
        {
            "label": "未退出劳动力市场（死亡、入学、服兵役、移居境外、收监执行、完全丧失劳动能力）",
            "met": not _still_out_of_labour_market(case, as_of),
            "reference": "002 §5(3)",
        },
    ]
    categories = [
        {"number": n, "clause": f"002 §1({n})", "label": CATEGORY_LABELS[n], "met": met, "evidence": ev}
        for n, (met, ev) in tests.items()
    ]
    met = [c["number"] for c in categories if c["met"]]
    return {
        "document": "002",
        "applicable": True,
        "as_of": as_of.isoformat(),
        "eligible": bool(met) and all(p["met"] for p in preconditions),
        "categories_met": met,
        "preconditions": preconditions,
        "categories": categories,
        "retirement": {
            "age": retire.label,
            "date": retire.date.isoformat(),
            "reference": REFERENCE,
            "category": person.category.label,
            "assumed": assumed,
            "note": ASSUMED_NOTE if assumed else "按登记的原法定退休年龄类别计算",
        },
    }


STEP_CLAUSE = "002 §2"


def recognition_steps(
    applied_on: date,
    completed: dict[RecognitionStep, date] | None = None,
    as_of: date | None = None,
    *,
    working_days: int,
) -> list[dict[str, Any]]:
    """Due dates of the four steps of 002 §2 on the statutory working-day calendar.

    Convention: a step starts on the day the previous one was completed (the application
    day for the first) and is due on its 5th working day after that, the start day not
    counted; a step not yet completed is assumed to finish on its due date, so later
    steps' dates are a plan. A due date counted over a year whose holiday arrangement is not
    loaded is marked provisional, with the note saying so.

    Publicity is a minimum, not a deadline ("公示5个工作日后无异议的"): its day is the first on
    which it may pass, so it is never overdue: "公示中" before that day, "公示期满" from it.

    With ``as_of``, a step whose predecessor is not complete is "未开始", never overdue, and the
    plan runs from no earlier than ``as_of`` (a step under way cannot finish before then), so a
    step not started never shows a due date already passed.
    """
    completed = completed or {}
    calendar = working_calendar()
    out, start, started = [], applied_on, True
    for step in RecognitionStep:
        counted = calendar.add_working_days(start, working_days)
        due = counted.day
        done = completed.get(step)
        minimum = step is RecognitionStep.PUBLICITY
        if done is not None:
            status = "已完成" if minimum else "按时完成" if done <= due else "逾期完成"
        elif as_of is None:
            status = "计划"
        elif not started:
            status = "未开始"
        elif minimum:
            status = "公示期满" if as_of >= due else "公示中"
        else:
            status = "已逾期" if as_of > due else "办理中"
        out.append(
            {
                "step": step.value,
                "label": step.label,
                "clause": STEP_CLAUSE,
                "started_on": start.isoformat(),
                "due_on": due.isoformat(),
                "due_provisional": counted.provisional,
                "calendar_note": counted.note,
                "completed_on": done.isoformat() if done else None,
                "status": status,
            }
        )
        started = done is not None
        start = done or (max(due, as_of) if as_of is not None else due)
    return out


def duties(case: Case, as_of: date, policies: PolicySet) -> list[dict[str, Any]]:
    """For the person's tier (002 §4), each duty: met, due or overdue on ``as_of``."""
    if case.tier is None or not _hunan_002(case, as_of, policies):
        return []
    par = policies.parameters
    since = case.tier_since or (case.recognitions[-1].recognised_on if case.recognitions else as_of)
    out: list[dict[str, Any]] = []
    if case.tier == 1:
        out.append(
            {
                "duty": "职业指导、职业介绍，引导参加技能培训",
                "clause": "002 §4(1)",
                "status": "持续",
                "detail": "文件未规定可计数的期限",
            }
        )
    if case.tier == 2:
        need = par["tier2.minimum_pushes"].at(as_of)
        done = sum(1 for d in case.pushes if since <= d <= as_of)
        out.append(
            {
                "duty": f"精准推送至少{need}次岗位信息",
                "clause": "002 §4(2)",
                "status": "已完成" if done >= need else "待完成",
                "count": done,
                "required": need,
                "detail": "文件未规定完成期限" if done < need else "",
            }
        )
    if case.tier == 3:
        contacted = {f"{d:%Y-%m}" for d in case.contacts}
        current = f"{as_of:%Y-%m}"
        for month in months_covered(since, as_of):
            status = "已完成" if month in contacted else ("待完成" if month == current else "已逾期")
            out.append({"duty": f"{month} 主动提供就业服务不少于1次", "clause": "002 §4(3)", "status": status})
        household = case.person.household
        if household.zero_employment and case.recognitions:
            deadline = add_months(case.recognitions[-1].recognised_on, par["tier3.zero_employment_months"].at(as_of))
            employed = household.member_employed_on
            status = (
                "已完成"
                if employed and employed <= deadline
                else "逾期完成"
                if employed
                else "已逾期"
                if as_of > deadline
                else "待完成"
            )
            out.append(
                {
                    "duty": "零就业家庭1个月内至少1人实现就业",
                    "clause": "002 §4(3)",
                    "status": status,
                    "due_on": deadline.isoformat(),
                }
            )
        placed = any(p.kind is PlacementKind.PUBLIC_WELFARE for p in case.placements)
        out.append(
            {
                "duty": "优先实施公益性岗位兜底安置",
                "clause": "002 §4(3)",
                "status": "已安置" if placed else "优先推荐公益性岗位",
            }
        )
    return out


def _last_subsidy(decisions: Sequence[Decision], as_of: date) -> date | None:
    """The last day the engine grants a subsidy for, up to ``as_of``: a monthly one's last month
    paid, a one-off or yearly one's due day."""
    days: list[date] = []
    for d in decisions:
        if d.status not in (DecisionStatus.ELIGIBLE, DecisionStatus.ELIGIBLE_AMOUNT_UNSET):
            continue
        if d.months:
            year, month = map(int, max(d.months).split("-"))
            days.append(add_months(date(year, month, 1), 1) - timedelta(days=1))
        elif d.period_start is not None:
            days.append(d.matures_on or d.period_start)
    return max((d for d in days if d <= as_of), default=None)


def exit_conditions(
    case: Case, as_of: date, policies: PolicySet, local: LocalConfig, decisions: Sequence[Decision] = ()
) -> list[dict[str, Any]]:
    """The seven exit conditions of 002 §5, each with whether it is met and why; §5(5) and §5(6)
    read what the engine grants (``decisions``) besides the history kept elsewhere."""
    if not case.recognitions or not _hunan_002(case, as_of, policies):
        return []
    par = policies.parameters
    p = case.person
    retire = retirement(p.birth_date, p.category)
    refusals = par["exit.refusals"].at(as_of)
    unreachable = par["exit.unreachable_months_in_year"].at(as_of)
    years = par["exit.employed_years_without_subsidy"].at(as_of)
    employed_since = p.employed_since or min(
        (pl.start for pl in case.placements if pl.in_post_through(as_of)), default=None
    )
    long_employed = employed_since is not None and add_months(employed_since, 12 * years) < as_of
    last_subsidy = max((d for d in (p.last_subsidy_on, _last_subsidy(decisions, as_of)) if d is not None), default=None)
    no_recent_subsidy = last_subsidy is None or add_months(last_subsidy, 12 * years) < as_of
    si_used = case.history.employer_si_months_used + sum(
        len(d.months)
        for d in decisions
        if d.scheme == "employer_si" and d.status in (DecisionStatus.ELIGIBLE, DecisionStatus.ELIGIBLE_AMOUNT_UNSET)
    )
    si_max = local.at("employer_si.max_months", p.hukou_region_code, as_of)
    conditions = [
        (1, p.management_role, "担任企业法定代表人、董事、监事等管理人员"),
        (
            2,
            as_of >= retire.date or p.receives_pension,
            f"法定退休年龄 {retire.label}（{retire.date}"
            + ("" if p.retirement_category else f"，{ASSUMED_NOTE}")
            + f"）；领取基本养老保险待遇：{'是' if p.receives_pension else '否'}",
        ),
        (
            3,
            p.left_labour_market is not None,
            "退出劳动力市场："
            + (
                f"{LEFT_REASONS.get(p.left_labour_market, p.left_labour_market)}"
                + (f"（{p.left_labour_market_on}）" if p.left_labour_market_on else "")
                if p.left_labour_market
                else "否"
            ),
        ),
        (
            4,
            p.consecutive_service_refusals >= refusals or p.unreachable_months_past_year > unreachable,
            f"连续拒绝公共就业服务 {p.consecutive_service_refusals} 次（标准{refusals}次）；"
            f"一年内无法联系 {p.unreachable_months_past_year} 个月（标准超过{unreachable}个月）",
        ),
        (
            5,
            None if si_max is None else si_used >= si_max,
            f"已享受企业吸纳社保补贴 {si_used} 个月；补贴期限 "
            + (f"{si_max} 个月（地方参数）" if si_max is not None else "由地方规定，未配置，无法判断"),
        ),
        (
            6,
            long_employed and no_recent_subsidy,
            f"就业起始 {employed_since or '无'}；最近一次享受补贴 {last_subsidy or '无'}",
        ),
        (7, p.fraud_found, "弄虚作假获取身份或骗取、套取就业补助资金"),
    ]
    return [{"clause": f"002 §5({n})", "met": met, "evidence": evidence} for n, met, evidence in conditions]
