"""The retirement-age schedule (2024 NPC decision) and the working-day calendar (002 §2)."""

from __future__ import annotations

from datetime import date

import pytest

from jiuyuan.vocab import RecognitionStep
from scoring.assess import recognition_steps
from scoring.dates import add_months, full_months_between
from scoring.retirement import RetirementCategory as C
from scoring.retirement import retirement
from scoring.workdays import working_calendar


@pytest.mark.parametrize(
    ("birth", "category", "label", "on"),
    [
        # From the schedule annexed to the decision: before 2025 nothing changes.
        (date(1964, 12, 1), C.MALE, "60周岁", date(2024, 12, 1)),
        # Men: one month later for every four months of birth from January 1965, up to 63.
        (date(1965, 1, 10), C.MALE, "60周岁1个月", date(2025, 2, 10)),
        (date(1965, 4, 30), C.MALE, "60周岁1个月", date(2025, 5, 30)),
        (date(1965, 5, 1), C.MALE, "60周岁2个月", date(2025, 7, 1)),
        (date(1976, 8, 1), C.MALE, "62周岁11个月", date(2039, 7, 1)),
        (date(1976, 9, 1), C.MALE, "63周岁", date(2039, 9, 1)),
        (date(1990, 1, 1), C.MALE, "63周岁", date(2053, 1, 1)),
        # Women of original age 55: same pace, up to 58.
        (date(1970, 1, 1), C.FEMALE_CADRE, "55周岁1个月", date(2025, 2, 1)),
        (date(1981, 9, 1), C.FEMALE_CADRE, "58周岁", date(2039, 9, 1)),
        # Women of original age 50: one month for every two, up to 55.
        (date(1975, 1, 1), C.FEMALE_WORKER, "50周岁1个月", date(2025, 2, 1)),
        (date(1975, 3, 1), C.FEMALE_WORKER, "50周岁2个月", date(2025, 5, 1)),
        (date(1984, 11, 1), C.FEMALE_WORKER, "55周岁", date(2039, 11, 1)),
    ],
)
def test_retirement_schedule(birth, category, label, on):
    age = retirement(birth, category)
    assert (age.label, age.date) == (label, on)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 15), 14) == date(2025, 1, 15)


def test_full_months_between_counts_whole_months_only():
    assert full_months_between(date(2024, 1, 15), date(2024, 3, 14)) == 1
    assert full_months_between(date(2024, 1, 15), date(2024, 3, 15)) == 2
    assert full_months_between(date(2024, 3, 1), date(2024, 2, 1)) == 0


def test_002_s2_working_days_skip_the_national_day_holiday():
    """2025: 1–8 October off; Sunday 28 September and Saturday 11 October are working days."""
    assert working_calendar().add_working_days(date(2025, 9, 26), 5).day == date(2025, 10, 10)
    steps = recognition_steps(date(2025, 9, 26), working_days=5)
    assert [s["due_on"] for s in steps] == ["2025-10-10", "2025-10-16", "2025-10-23", "2025-10-30"]
    assert [s["step"] for s in steps] == [s.value for s in RecognitionStep]


def test_002_s2_a_late_step_is_overdue_and_moves_the_plan():
    steps = recognition_steps(
        date(2025, 9, 26),
        {RecognitionStep.COMMUNITY_REVIEW: date(2025, 10, 13)},
        as_of=date(2025, 10, 24),
        working_days=5,
    )
    assert steps[0]["status"] == "逾期完成"
    assert steps[1]["started_on"] == "2025-10-13" and steps[1]["due_on"] == "2025-10-20"
    assert steps[1]["status"] == "公示期满"  # publicity is a minimum (002 §2), never overdue
    # Not started: no due date already passed; planned from as_of, since publicity cannot end before it.
    assert (steps[2]["status"], steps[2]["started_on"], steps[2]["due_on"]) == ("未开始", "2025-10-24", "2025-10-31")


def test_002_s2_steps_within_the_loaded_calendar_are_not_provisional():
    steps = recognition_steps(date(2025, 9, 26), working_days=5)
    assert not any(s["due_provisional"] for s in steps)
    assert all(s["calendar_note"] is None for s in steps)
