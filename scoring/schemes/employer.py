"""Employer-side eligibility: Qingdao's 青岗贷 job-stabilising loan (001)."""

from __future__ import annotations

from scoring.dates import add_months
from scoring.decision import Decision
from scoring.facts import Employer
from scoring.rule import Eval


def qingdao_job_loan(ev: Eval, e: Employer) -> Decision:
    """001 青岗贷 二、三: 青岛注册、成立1年以上、用工不少于10人、用工人数未减少、按时足额支付工资和社保、
    信用良好的小微企业；单户授信最高3000万元、利率原则上不超过4%，1000万元以内的不超过3.8%."""
    day = ev.as_of
    years = ev.p("qingdao_loan.min_company_age_years", day)
    ev.check(
        f"成立 {years} 年以上",
        None if e.founded_on is None else add_months(e.founded_on, 12 * years) <= day,
        "employer.founded_on",
    )
    need = ev.p("qingdao_loan.min_insured_employees", day)
    ev.check(
        f"用工（参保）人数不少于 {need} 人",
        None if e.insured_headcount is None else e.insured_headcount >= need,
        "employer.insured_headcount",
    )
    start, end, now = e.headcount_year_start, e.headcount_year_end, e.insured_headcount
    ev.check(
        "上年度用工人数未减少，且申请时不低于上年末",
        (end >= start and now >= end) if start is not None and end is not None and now is not None else None,
        "employer.headcount_year_start/headcount_year_end",
    )
    ev.check("按时足额支付工资、缴纳社会保险费", e.wages_and_insurance_on_time, "employer.wages_and_insurance_on_time")
    ev.check("企业及其法定代表人、实际控制人无不良授信、征信记录良好", e.clean_credit, "employer.clean_credit")
    ev.check("属于小微企业（国家市场监督管理总局小微企业名录）", e.small_micro, "employer.small_micro")
    cap = ev.p("qingdao_loan.max_credit", day)
    rate = ev.p("qingdao_loan.rate_cap", day)
    small = ev.p("qingdao_loan.small_credit_limit", day)
    small_rate = ev.p("qingdao_loan.small_credit_rate_cap", day)
    term = ev.p("qingdao_loan.max_term_years", day)
    ev.notes.append(
        f"授信额度最高 {cap} 元，利率不超过 {rate:.1%}；授信不超过 {small} 元的优质普惠小微企业"
        f"利率不超过 {small_rate:.1%}；期限一年，最长 {term} 年。"
        "是否符合经办银行的授信政策（二、6）由经办银行独立审贷决定。"
    )
    return ev.decide(cap=cap, amount_expected=False)
