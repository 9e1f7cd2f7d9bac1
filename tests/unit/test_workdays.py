"""The working-day calendar of 002 §2 beyond the years the chinesecalendar package covers.

The 2027 arrangement used here is a made-up example in the notice's format (the real notice is
not published yet); the 2025 one is transcribed from 国办发明电〔2024〕12号.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
import yaml

from scoring.assess import recognition_steps
from scoring.workdays import (
    ArrangementError,
    WorkingDayCalendar,
    load_arrangements,
    parse_arrangements,
    provisional_note,
    working_calendar,
)

OFFICIAL_2025 = Path(__file__).parent / "data" / "arrangement_2025_official.yaml"

# Made up for the test, in the notice's format: Spring Festival 6–13 February, Saturday 20 worked.
EXAMPLE_2027 = {
    "years": {
        2027: {
            "notice": "国办发明电〔2026〕示例号",
            "published_on": date(2026, 11, 20),
            "days_off": [
                {"name": "元旦", "from": date(2027, 1, 1), "to": date(2027, 1, 3)},
                {"name": "春节", "from": date(2027, 2, 6), "to": date(2027, 2, 13)},
            ],
            "makeup_workdays": [date(2027, 2, 20)],
        }
    }
}


def _days(year: int):
    day = date(year, 1, 1)
    while day.year == year:
        yield day
        day += timedelta(days=1)


def test_the_2025_arrangement_file_matches_the_notice_and_the_package_every_day():
    arrangement = load_arrangements(OFFICIAL_2025)[2025]
    assert arrangement.notice == "国办发明电〔2024〕12号"
    assert len(arrangement.days_off) == 28 and len(arrangement.makeup_workdays) == 5
    assert [d for d in _days(2025) if arrangement.is_working_day(d) != chinese_calendar.is_workday(d)] == []
    # Spot checks from the notice: 1 October off, Sunday 28 September and Saturday 11 October worked.
    assert not arrangement.is_working_day(date(2025, 10, 1))
    assert arrangement.is_working_day(date(2025, 9, 28)) and arrangement.is_working_day(date(2025, 10, 11))


def test_a_year_with_no_arrangement_is_estimated_and_marked_provisional_002_s2():
    steps = recognition_steps(date(2027, 1, 15), working_days=5)  # no 2027 arrangement is loaded
    assert [s["due_on"] for s in steps] == ["2027-01-22", "2027-01-29", "2027-02-11", "2027-02-18"]
    # 2027-02-05 to 02-10: the holidays package's statutory Spring Festival days are skipped.
    assert all(s["due_provisional"] for s in steps)
    assert steps[0]["calendar_note"] == "2027 年放假安排未载入，按法定节假日推算，待国务院通知后复核"


def test_loading_the_year_makes_the_dates_official_and_moves_them(tmp_path):
    path = tmp_path / "arrangements.yaml"
    path.write_text(yaml.safe_dump(EXAMPLE_2027, allow_unicode=True), encoding="utf-8")
    calendar = working_calendar(path)
    assert calendar.source(2027) == "国办发明电〔2026〕示例号（2026-11-20）"
    assert calendar.official_through() == date(2027, 12, 31)
    counted = calendar.add_working_days(date(2027, 1, 29), 5)
    assert counted.day == date(2027, 2, 5) and not counted.provisional
    assert WorkingDayCalendar({}).add_working_days(date(2027, 1, 29), 5).day == date(2027, 2, 11)
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday worked in exchange
    assert not calendar.is_working_day(date(2027, 2, 12))  # a Friday inside the holiday


def test_a_count_over_the_year_end_is_provisional_only_for_the_missing_year():
    counted = WorkingDayCalendar({}).add_working_days(date(2026, 12, 28), 5)
    assert counted.day == date(2027, 1, 5)  # 29, 30, 31 Dec; 1 Jan off; 4, 5 Jan
    assert counted.provisional_years == (2027,) and counted.note == provisional_note(2027)
    assert WorkingDayCalendar({}).add_working_days(date(2026, 12, 1), 5).note is None


def test_the_calendar_reaches_90_days_past_today_or_warns():
    calendar, today = working_calendar(), date.today()
    warning = calendar.coverage_warning(today)
    if calendar.official_through() >= today + timedelta(days=90):
        assert warning is None
    else:
        assert warning is not None and f"{calendar.official_through().year + 1} 年" in warning
    assert WorkingDayCalendar({}).coverage_warning(date(2026, 12, 1)) is not None
    assert WorkingDayCalendar({}).coverage_warning(date(2026, 9, 1)) is None
    assert WorkingDayCalendar(parse_arrangements(EXAMPLE_2027)).coverage_warning(date(2026, 12, 1)) is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"published_on": "2026-11-20"}, "通知文号"),
        ({"notice": "x", "published_on": "2026-11-20", "days_off": [{"from": "2027-13-01"}]}, "YYYY-MM-DD"),
        ({"notice": "x", "published_on": "2026-11-20", "days_off": [{"from": "2028-01-01"}]}, "不在 2027 年内"),
        (
            {"notice": "x", "published_on": "2026-11-20", "days_off": [{"from": "2027-02-03", "to": "2027-02-01"}]},
            "结束日早于开始日",
        ),
        (
            {
                "notice": "x",
                "published_on": "2026-11-20",
                "days_off": [{"from": "2027-02-06"}],
                "makeup_workdays": ["2027-02-06"],
            },
            "既是放假日又是调休上班日",
        ),
    ],
)
def test_a_malformed_arrangement_names_the_year_and_field(entry, message):
    with pytest.raises(ArrangementError, match=message):
        parse_arrangements({"years": {2027: entry}})


def test_the_shipped_arrangements_file_parses():
    working_calendar()  # the default file, which an officer edits
