"""Statutory retirement age after the 2024 reform, month by month.

Source: 全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定 (2024-09-13), in force
2025-01-01, and its annex 国务院关于渐进式延迟法定退休年龄的办法 第二条: from 2025-01-01 the
retirement age of men (60) and of women whose original age was 55 rises by one month every
four months, to 63 and 58; for women whose original age was 50 it rises by one month every
two months, to 55. The delay is counted from the month the person would have retired under
the old rule: a man born in January 1965 (old date January 2025) retires at 60 years 1 month.

002 §1 ("法定劳动年龄内") and §5(2) ("已达到法定退休年龄") read this schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from scoring.dates import add_months

LEGAL_MINIMUM_WORKING_AGE = 16  # 劳动法 第十五条: no employment under 16
REFORM_START = date(2025, 1, 1)
REFERENCE = "全国人大常委会关于实施渐进式延迟法定退休年龄的决定（2024年9月13日）附件 第二条"


class RetirementCategory(str, Enum):
    MALE = "male"  # 男职工，原60周岁
    FEMALE_CADRE = "female_55"  # 原法定退休年龄为55周岁的女职工
    FEMALE_WORKER = "female_50"  # 原法定退休年龄为50周岁的女职工

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    RetirementCategory.MALE: "男职工（原法定退休年龄60周岁）",
    RetirementCategory.FEMALE_CADRE: "原法定退休年龄55周岁的女职工（女干部，或以灵活就业人员身份参保的女性）",
    RetirementCategory.FEMALE_WORKER: "原法定退休年龄50周岁的女职工",
}
ASSUMED_NOTE = "未登记原法定退休年龄类别，按性别推定"

# original age (years), months of delay per step, steps' span in months, maximum delay in months
_SCHEDULE = {
    RetirementCategory.MALE: (60, 4, 36),
    RetirementCategory.FEMALE_CADRE: (55, 4, 36),
    RetirementCategory.FEMALE_WORKER: (50, 2, 60),
}


@dataclass(frozen=True)
class RetirementAge:
    years: int
    months: int
    date: date
    delay_months: int

    @property
    def label(self) -> str:
        return f"{self.years}周岁" + (f"{self.months}个月" if self.months else "")


def retirement(birth: date, category: RetirementCategory) -> RetirementAge:
    """The statutory retirement age and the date it is reached (the birthday-month rule)."""
    original_years, every, maximum = _SCHEDULE[category]
    original = add_months(birth, original_years * 12)
    # Months from December 2024 to the original retirement month: January 2025 is 1.
    months_after = (original.year - 2024) * 12 + original.month - 12
    delay = 0 if months_after <= 0 else min(-(-months_after // every), maximum)
    return RetirementAge(
        years=original_years + delay // 12,
        months=delay % 12,
        date=add_months(birth, original_years * 12 + delay),
        delay_months=delay,
    )


def category_undecided(birth: date, sex: str, category: RetirementCategory | None, day: date) -> bool:
    """A woman whose original category is not recorded, on a day past a female worker's
    retirement (50 under the old rule) but before a cadre's or a flexible worker's (55): which
    one she is decides the answer, so it must be asked, not assumed."""
    if category is not None or sex != "F":
        return False
    return (
        retirement(birth, RetirementCategory.FEMALE_WORKER).date
        <= day
        < retirement(birth, RetirementCategory.FEMALE_CADRE).date
    )


def default_category(sex: str) -> RetirementCategory:
    """Without a stated original category, women are taken as 50 (workers), the earlier age.

    Callers should pass the category when it is known; the trace says when it was assumed.
    """
    return RetirementCategory.MALE if sex == "M" else RetirementCategory.FEMALE_WORKER


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
