"""Recognition due dates (002 §2) in a year whose holiday arrangement is not loaded yet: marked
provisional through the API, never refused, and recounted by `jiuyuan calendar rederive` once an
officer adds the year's arrangement. Runs on SQLite and, with JIUYUAN_TEST_PG_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from litestar.testing import TestClient
from stdnum.cn import ric

from api.app import create_app
from cli.main import main
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings, get_settings
from tests.conftest import bearer
from tests.unit.test_workdays import EXAMPLE_2027

PURPOSE = {"purpose": "认定审核"}
NOTE = "2027 年放假安排未载入，按法定节假日推算，待国务院通知后复核"
WANG = {
    "id_number": "43012119700307123" + ric.calc_check_digit("430121197003071230"),
    "name": "王建国",
    "hukou_region_code": "430121",
    "urban_rural": "urban",
    "registered_unemployed_since": "2026-01-06",
}


@pytest.fixture
def arrangements(tmp_path, monkeypatch):
    """An empty arrangements file the test can fill, as an officer would."""
    path = tmp_path / "holiday_arrangements.yaml"
    path.write_text("years: {}\n", encoding="utf-8")
    monkeypatch.setenv("JIUYUAN_HOLIDAY_ARRANGEMENTS", str(path))
    get_settings.cache_clear()
    yield path
    get_settings.cache_clear()


def test_002_s2_an_application_on_2027_01_15_gets_provisional_due_dates_then_loading_2027_moves_them(
    migrated_url, arrangements, monkeypatch, capsys
):
    monkeypatch.setattr(clock, "today", lambda: date(2027, 1, 29))
    monkeypatch.setenv("JIUYUAN_DATABASE_URL", migrated_url)
    officer = bearer(migrated_url, "officer", "长沙县人社局", region="430121")
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        person = client.post("/persons", json=WANG, headers=officer).json()
        response = client.post(
            f"/persons/{person['id']}/recognitions",
            headers=officer,
            json={"categories": [1], "applied_on": "2027-01-15"},
        )
        assert response.status_code == 201, response.text
        rec = response.json()
        first = rec["steps"][0]
        assert (first["due_on"], first["due_provisional"], first["calendar_note"]) == ("2027-01-22", True, NOTE)
        # Today (29 January) the community review is late: the steps not started are planned from today.
        assert [s["due_on"] for s in rec["steps"]] == ["2027-01-22", "2027-02-11", "2027-02-18", "2027-02-25"]
        assert all(s["due_provisional"] and s["calendar_note"] == NOTE for s in rec["steps"])
        # Community review passes on 29 January: publicity starts that day, due on the provisional calendar
        # (the holidays package's Spring Festival, 5–10 February, skipped).
        passed = client.post(
            f"/recognitions/{rec['id']}/steps/community_review",
            headers=officer,
            json={"outcome": "passed", "completed_on": "2027-01-29"},
        )
        assert passed.status_code == 200, passed.text
        assert passed.json()["steps"][1]["due_on"] == "2027-02-11"

        health = client.get("/health").json()["calendar"]
        assert health["official_through"] == "2026-12-31" and "2027 年" in health["warning"]

        # The State Council notice comes out; the officer adds 2027 and recounts the stored dates.
        arrangements.write_text(yaml.safe_dump(EXAMPLE_2027, allow_unicode=True), encoding="utf-8")
        assert main(["calendar", "rederive"]) == 0
        out = capsys.readouterr().out
        assert f"认定申请 {rec['id']}" in out and "公示" in out and "2027-02-11 → 2027-02-05" in out
        assert "变动 1 个" in out  # the community review's stored date did not move

        view = client.get(f"/recognitions/{rec['id']}", params=PURPOSE, headers=officer).json()
        publicity = view["steps"][1]
        assert (publicity["due_on"], publicity["due_provisional"], publicity["calendar_note"]) == (
            "2027-02-05",
            False,
            None,
        )
        assert client.get("/health").json()["calendar"] == {"official_through": "2027-12-31", "warning": None}
        assert main(["calendar", "rederive"]) == 0
        assert "重算暂定办结日期 0 个，变动 0 个" in capsys.readouterr().out
