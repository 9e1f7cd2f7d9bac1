"""Entitlements of the person rather than of one placement: training (004 §2(2)3; for 就业困难人员
000 §4, 002 §3), temporary living allowance (003 §3(6)), unemployment insurance to retirement and
失业补助金 (000 §9), startup training and the startup guaranteed loan (000 §6, 002 §3), startup
loan interest (003 §3(3)) and Guangdong's apprenticeship subsidy (001).

The entitlements 000 and 002 grant "按规定" (an amount and terms set by other rules) are decided
here on the conditions the text states; the amount is a local parameter nobody sets by default,
so the decision reads "eligible, amount not set by these documents"."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from jiuyuan.vocab import AssistanceStatus
from scoring.dates import ONE_DAY, add_months, full_months_between
from scoring.decision import Decision
from scoring.facts import Apprenticeship, Person, Placement, StartupLoan, Training
from scoring.retirement import ASSUMED_NOTE, RetirementAge, retirement
from scoring.rule import Eval
from scoring.schemes.common import check_poverty_registered, check_recognised, jiaxing_target_group, month_labels

FEN = Decimal("0.01")

_TRAINING_KINDS = {"employment_skills": "就业技能培训", "post_skill": "岗位技能提升培训"}


def retirement_of(person: Person) -> tuple[RetirementAge, str, bool]:
    """The statutory retirement age, the category's Chinese label, and whether the category was
    assumed from sex (``person.retirement_category`` not recorded)."""
    category = person.category
    return (
        retirement(person.birth_date, category),
        category.label,
        (person.retirement_category is None),
    )


def training_subsidy(ev: Eval, t: Training) -> Decision:
    """004 §2(2)3: 就业技能培训补贴在同类标准上上浮70%；岗位技能提升培训按就业前技能培训补贴标准的50%."""
    check_poverty_registered(ev, t.start)
    ev.check("培训已完成", t.completed)
    standard = ev.local_value("training.standard", ev.case.person.hukou_region_code, t.start)
    if t.kind == "employment_skills":
        share = Decimal(1) + ev.p("training.employment_skills_uplift", t.start)
        ev.note(f"就业技能培训：同类标准 × {share}")
    else:
        share = ev.p("training.post_skill_share", t.start)
        ev.note(f"岗位技能提升培训：就业前技能培训标准 × {share}")
    amount = (standard * share).quantize(FEN, ROUND_HALF_UP) if standard is not None else None
    return ev.decide(amount=amount, period_start=t.start, period_end=t.end)


def training_living_allowance(ev: Eval, t: Training) -> Decision | None:
    """004 §2(2)3: 参加就业前技能培训的，按实际到课时间每人每天给予20元生活费补贴."""
    if t.kind != "employment_skills":
        return None
    check_poverty_registered(ev, t.start)
    per_day = ev.p("training.living_allowance_per_day", t.start)
    ev.note(f"{per_day} 元/天 × 实际到课 {t.days_attended} 天")
    return ev.decide(amount=per_day * t.days_attended, period_start=t.start, period_end=t.end)


def _unemployed_on(ev: Eval, day: date) -> bool:
    return not any(p.in_post_through(day) for p in ev.case.placements)


def temporary_living_allowance(ev: Eval, spell: tuple[date, date]) -> Decision:
    """003 §3(6): 低保、低边家庭中的失业人员，按最低生活保障标准给予不超过6个月的临时生活补助.

    Paid for whole months of unemployment inside the action's period (003 is a 2023 action),
    at most 6 months in all; a person still unemployed goes on receiving it month by month."""
    person = ev.case.person
    ev.check(
        "登记失业", None if person.registered_unemployed_since is None else True, "person.registered_unemployed_since"
    )
    ev.check(
        "家庭为最低生活保障家庭或低保边缘户家庭",
        person.household.assistance in (AssistanceStatus.DIBAO, AssistanceStatus.DIBIAN),
    )
    start = max(spell[0], ev.doc.valid_from)
    end = min(spell[1], ev.doc.valid_to) if ev.doc.valid_to else spell[1]
    limit = ev.p("living_allowance.max_months", start)
    left = max(0, limit - ev.case.history.living_allowance_months_used)
    ev.check(f"临时生活补助未用满 {limit} 个月", left > 0)
    unemployed = full_months_between(start, end + ONE_DAY) if end >= start else 0
    months = min(left, unemployed)
    ev.note(
        f"失业期 {spell[0]} 至 {spell[1]}，在本行动期内失业满 {unemployed} 个月；可享受 {months} 个月 × 低保标准"
        + ("；仍失业的，按月继续发放至满限额" if months < left and spell[1] == ev.as_of else "")
    )
    standard = ev.local_value("dibao.monthly_standard", person.hukou_region_code, start)
    labels = month_labels(start, months)
    return ev.decide(
        amount=standard * months if standard is not None and months else None,
        matures_on=add_months(start, 1) if months == 0 else None,
        months=labels,
        month_amounts={m: standard for m in labels} if standard is not None else {},
        period_start=start,
        period_end=add_months(start, months) - ONE_DAY if months else None,
    )


def _close_to_retirement(ev: Eval, ended: date) -> tuple[bool, RetirementAge, int]:
    """000 §9: whether, when the benefit ran out on ``ended``, the statutory retirement age was
    less than the parameter's years away; the trace says which retirement category was used."""
    age, category, assumed = retirement_of(ev.case.person)
    if assumed:
        ev.note(f"{ASSUMED_NOTE}：按{category}计算")
        ev.notes.append(f"法定退休年龄系推定（{ASSUMED_NOTE}），登记类别后请复核")
    else:
        ev.note(f"原法定退休年龄类别：{category}")
    years = ev.p("unemployment_insurance.years_to_retirement_for_extension", ended)
    ev.note(f"法定退休年龄 {age.label}，于 {age.date} 达到（渐进式延迟法定退休年龄办法）")
    return add_months(ended, 12 * years) > age.date, age, years


def unemployment_insurance_extension(ev: Eval, ended: date) -> Decision:
    """000 §9: 领取失业保险金期满仍未就业且距离法定退休年龄不足1年的，可继续发放失业保险金直至法定退休年龄.

    ``ended``: the day the benefit ended (``person.unemployment_benefit_ended_on``)."""
    person = ev.case.person
    ev.check(f"失业保险金于 {ended} 领取期满时仍未就业", _unemployed_on(ev, ended))
    close, age, years = _close_to_retirement(ev, ended)
    ev.check(f"期满时距离法定退休年龄不足 {years} 年", close)
    start = ended + ONE_DAY
    months = full_months_between(start, age.date) if close else 0
    monthly = ev.local_value("unemployment_benefit.monthly", person.hukou_region_code, ended)
    return ev.decide(
        amount=monthly * months if monthly is not None else None, period_start=start, period_end=age.date - ONE_DAY
    )


def startup_loan_interest(ev: Eval, loan: StartupLoan) -> Decision:
    """003 §3(3): 符合条件的困难群体初次创业的，按规定享受创业担保贷款并按实际发放利率给予全额贴息."""
    ok, group = jiaxing_target_group(ev.case, loan.start)
    ev.check("属于困难群体（003 §2）" + (f"：{group}" if group else ""), ok)
    ev.check("初次创业", loan.first_startup)
    share = ev.p("startup_loan.interest_subsidy_share", loan.start)
    interest = (loan.principal * loan.annual_rate * loan.months / 12).quantize(FEN, ROUND_HALF_UP)
    ev.note(
        f"利息按本金 {loan.principal} × 实际利率 {loan.annual_rate} × {loan.months}/12 计（按期足额占用本金的上限）"
    )
    return ev.decide(
        amount=(interest * share).quantize(FEN),
        period_start=loan.start,
        period_end=add_months(loan.start, loan.months) - ONE_DAY,
    )


def guangdong_apprenticeship(ev: Eval, a: Apprenticeship) -> Decision:
    """001 广东产业技能根基工程 二(一)3: 学生学徒制纳入企业新型学徒制，按每人每年5000元申领学徒培训补贴."""
    employer = ev.case.employer
    ev.check(
        "用人单位为产业技能生态链企业",
        None if employer is None else employer.in_skills_ecochain,
        "employer.in_skills_ecochain",
    )
    ev.check(
        "学徒为技工院校、职业院校或普通高等院校毕业年度学生", a.final_year_student, "apprenticeship.final_year_student"
    )
    ev.check("签订学徒培养协议", a.agreement_signed)
    per_year = ev.p("guangdong_apprenticeship.amount_per_year", a.start)
    years, rest = divmod(a.months, 12)
    ev.note(f"{per_year} 元/人/年 × {years} 个完整培养年度（培养期 {a.months} 个月，一般为1年）")
    if rest:
        ev.notes.append(f"不足一年的 {rest} 个月如何折算，文件未规定")
    return ev.decide(
        amount=per_year * years if per_year is not None and years else None,
        period_start=a.start,
        period_end=add_months(a.start, a.months) - ONE_DAY,
    )


def training_subsidy_difficult(ev: Eval, t: Training) -> Decision:
    """000 §4: 对有需要的就业困难人员开展针对性职业技能培训……符合条件的落实职业培训补贴；
    002 §3: 就业困难人员参加职业技能培训提升技能的，按规定落实职业培训补贴.

    The documents name who (a 就业困难人员 when the training starts) and leave the standard and
    any further condition to the rules in force ("按规定", "符合条件的")."""
    check_recognised(ev, t.start)
    ev.note(f"{_TRAINING_KINDS[t.kind]} {t.start} 至 {t.end}，{'已' if t.completed else '未'}完成")
    ev.notes.append("补贴标准及培训合格等具体条件按规定执行，本文件未列明")
    amount = ev.local_value("training.difficult_subsidy", ev.case.person.hukou_region_code, t.start)
    return ev.decide(amount=amount, period_start=t.start, period_end=t.end)


def training_living_allowance_difficult(ev: Eval, t: Training) -> Decision:
    """000 §4: 就业困难人员参加针对性职业技能培训，符合条件的落实……生活费补贴.

    The standard is a local parameter per day attended (as Hunan's 004 §2(2)3 pays it); 000 does
    not state it."""
    check_recognised(ev, t.start)
    per_day = ev.local_value("training.difficult_living_allowance_per_day", ev.case.person.hukou_region_code, t.start)
    ev.note(f"生活费补贴标准（每天）× 实际到课 {t.days_attended} 天")
    ev.notes.append("生活费补贴标准及具体条件按规定执行，本文件未列明")
    return ev.decide(
        amount=per_day * t.days_attended if per_day is not None else None, period_start=t.start, period_end=t.end
    )


def startup_training_subsidy(ev: Eval, p: Placement) -> Decision:
    """000 §6: 为符合条件的就业困难人员提供创业培训，并按规定给予培训补贴；
    002 §3: 就业困难人员自主创业的，按规定落实……创业培训补贴.

    The subject is the person's own business (自主创业): the facts record no startup-training
    course, so whether the person took one is for the officer to confirm (a note says so)."""
    check_recognised(ev, p.start)
    ev.note(f"自主创业：{p.start} 起")
    ev.notes.append("参加创业培训的情况须由经办人员核实（本系统尚未登记创业培训）；补贴标准按规定执行")
    amount = ev.local_value("startup_training.subsidy", ev.case.person.hukou_region_code, p.start)
    return ev.decide(amount=amount, period_start=p.start)


def startup_guarantee_loan(ev: Eval, loan: StartupLoan) -> Decision:
    """000 §6: 鼓励困难人员自主创业……加大创业担保贷款支持力度，按规定免除反担保要求；
    002 §3: 就业困难人员自主创业的，按规定落实创业担保贷款.

    A loan, not a payment: the decision says whether the person qualifies and, where the locality
    has set it, the most that may be lent (``cap``); the amount stays unset."""
    check_recognised(ev, loan.start)
    ev.note(f"申请贷款本金 {loan.principal} 元，期限 {loan.months} 个月")
    if ev.doc.code == "000":
        ev.notes.append("按规定免除反担保要求（000 §6）")
    ev.notes.append("贷款额度、期限、贴息和担保条件按规定执行，由经办银行和担保机构审核")
    cap = ev.local_value("startup_guarantee_loan.max_principal", ev.case.person.hukou_region_code, loan.start)
    return ev.decide(cap=cap, amount_expected=cap is None, period_start=loan.start)


def unemployment_assistance(ev: Eval, ended: date) -> Decision:
    """000 §9: 对领取失业保险金期满仍未就业的失业人员、不符合领取失业保险金条件的参保失业人员，
    按规定发放失业补助金.

    ``ended``: the day the unemployment benefit ran out (``person.unemployment_benefit_ended_on``).
    The second group (insured, not entitled to the benefit) is not recorded in the facts yet."""
    person = ev.case.person
    ev.check(f"失业保险金于 {ended} 领取期满时仍未就业", _unemployed_on(ev, ended))
    close, _, years = _close_to_retirement(ev, ended)
    # Who is within ``years`` of retirement goes on receiving the benefit itself (the first
    # sentence of 000 §9): the benefit has not run out for them.
    ev.check(f"期满时距离法定退休年龄 {years} 年以上（不足的，继续发放失业保险金）", not close)
    monthly = ev.local_value("unemployment_assistance.monthly", person.hukou_region_code, ended)
    max_months = ev.local_value("unemployment_assistance.max_months", person.hukou_region_code, ended)
    start = ended + ONE_DAY
    next_job = min((p.start for p in ev.case.placements if p.start > ended), default=None)
    last = min(ev.as_of, next_job - ONE_DAY) if next_job else ev.as_of
    unemployed = full_months_between(start, last + ONE_DAY) if last >= start else 0
    if max_months is None:
        ev.note(f"期满后失业满 {unemployed} 个月；发放标准和期限按规定执行，未配置")
        months = 0
    else:
        months = min(unemployed, int(max_months))
        ev.note(f"期满后失业满 {unemployed} 个月，发放期限 {max_months} 个月，可发放 {months} 个月")
    labels = month_labels(start, months)
    amount = monthly * months if monthly is not None and max_months is not None else None
    return ev.decide(
        amount=amount,
        matures_on=add_months(start, 1) if max_months is not None and months == 0 else None,
        months=labels,
        month_amounts={m: monthly for m in labels} if monthly is not None else {},
        period_start=start,
        period_end=add_months(start, months) - ONE_DAY if months else None,
    )
