"""The support tiers' duties (002 §4) and the older-worker ages (002 §1(1)) as matching and the
recognition routes need them, read from the policy parameters on the day in question."""

from __future__ import annotations

from datetime import date

from scoring.params import PolicySet, load_policies


def older_worker_age(sex: str, day: date, policies: PolicySet | None = None) -> int | None:
    """The age from which 002 §1(1) treats a person as an older worker (男50、女40), or None
    where 002 is not in force on ``day``."""
    par = (policies or load_policies()).parameters
    value = par["recognition.older_age_female" if sex == "F" else "recognition.older_age_male"].at(day)
    return None if value is None else int(value)


def minimum_pushes(tier: int | None, day: date, policies: PolicySet | None = None) -> int | None:
    """How many posts 002 §4(2) requires pushing to a tier-2 person; None for other tiers."""
    if tier != 2:
        return None
    value = (policies or load_policies()).parameters["tier2.minimum_pushes"].at(day)
    return None if value is None else int(value)


def tier_duties(tier: int, day: date, policies: PolicySet | None = None) -> str:
    """The duties of a support tier (002 §4 (1)(2)(3), abridged) as a clerk reads them."""
    par = (policies or load_policies()).parameters
    if tier == 1:
        return "职业指导、职业介绍，引导参加技能培训；有创业意愿的提供创业培训和服务（002 §4(1)）"
    if tier == 2:
        return f"鼓励用人单位吸纳，精准推送至少{par['tier2.minimum_pushes'].at(day)}次岗位信息，引导参加技能培训（002 §4(2)）"
    return (
        f"每月主动提供就业服务不少于{par['tier3.contacts_per_month'].at(day)}次，优先公益性岗位兜底安置，"
        f"零就业家庭{par['tier3.zero_employment_months'].at(day)}个月内至少1人就业（002 §4(3)）"
    )
