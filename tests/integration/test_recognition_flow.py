"""Recognition and exit as 002 says (issue 15), driven through the API: the application at the hukou
community (002 §2), publicity as a minimum with objections (002 §2), steps not started are not overdue,
the 002 §1 conditions (retirement age of the 2024 reform included) checked at the county review, and the
exit procedure and re-recognition of 002 §5. Each test is named after its clause; runs on SQLite and, with
JIUYUAN_TEST_PG_URL, on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from stdnum.cn import ric

import services.recognition_exits
from api.app import create_app
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.vocab import RecognitionStatus, RecognitionStep
from ledger.models import AuditEntry, Objection, Recognition, TierAssignment
from scoring.assess import recognition_steps
from tests.conftest import bearer

TODAY = date(2025, 12, 31)
PURPOSE = {"purpose": "认定审核"}


def _id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


WANG = {  # 55, disabled, registered unemployed since January: 002 §1(4)
    "id_number": _id("43012119700307123"),
    "name": "王建国",
    "hukou_region_code": "430121",
    "residence_region_code": "430102",  # lives in Furong district
    "urban_rural": "urban",
    "disability_grade": 3,
    "disability_certificate": "43012119700307123443",
    "registered_unemployed_since": "2025-01-06",
}
OLD = {  # a man born in 1960: statutory retirement age (60) reached in May 2020
    "id_number": _id("43012119600505123"),
    "name": "褚建军",
    "hukou_region_code": "430121",
    "urban_rural": "urban",
    "disability_grade": 3,
    "disability_certificate": "43012119600505123443",
    "registered_unemployed_since": "2024-01-08",
}
TURNING = {  # a man born in September 1965: 60 and 3 months under the 2024 reform, reached 2025-12-15
    "id_number": _id("43012119650915123"),
    "name": "卫国庆",
    "hukou_region_code": "430121",
    "urban_rural": "urban",
    "disability_grade": 3,
    "disability_certificate": "43012119650915123443",
    "registered_unemployed_since": "2024-01-08",
}
ZHANG = {"id_number": _id("43012119800512456"), "name": "张桂芳", "hukou_region_code": "430121", "urban_rural": "rural"}


@pytest.fixture
def api(migrated_url, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        yield {
            "client": client,
            "counter": bearer(migrated_url, "counter", "长沙县零工市场", region="430121"),
            "officer": bearer(migrated_url, "officer", "长沙县人社局", region="430121"),
            "furong": bearer(migrated_url, "counter", "芙蓉区零工市场", region="430102"),
            "furong_officer": bearer(migrated_url, "officer", "芙蓉区人社局", region="430102"),
        }


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def _ok(response, status=200):
    assert response.status_code == status, response.text
    return response.json()


def _register(api, body):
    return _ok(api["client"].post("/persons", json=body, headers=api["counter"]), 201)


def _apply(api, person, applied_on="2025-09-29", who="counter", **extra):
    return api["client"].post(
        f"/persons/{person['id']}/recognitions",
        json={"categories": [4], "applied_on": applied_on, **extra},
        headers=api[who],
    )


def _step(api, rec, step, day, outcome="passed", note=None, who="officer"):
    body = {"outcome": outcome, "completed_on": day} | ({"note": note} if note else {})
    return api["client"].post(f"/recognitions/{rec['id']}/steps/{step}", json=body, headers=api[who])


def _recognised(api, person, applied_on="2025-09-29"):
    """Through the four steps of 002 §2: community 10-10, publicity's 5th working day 10-16, street, county."""
    rec = _ok(_apply(api, person, applied_on), 201)
    for step, day in (
        ("community_review", "2025-10-10"),
        ("publicity", "2025-10-16"),
        ("street_review", "2025-10-20"),
        ("county_review", "2025-10-24"),
    ):
        rec = _ok(_step(api, rec, step, day))
    assert rec["status"] == "recognised" and rec["recognised_on"] == "2025-10-24"
    return rec


def _exit(api, rec, who="officer", **body):
    return api["client"].post(f"/recognitions/{rec['id']}/exit", json=body, headers=api[who])


# ----- 002 §2: where and how an application runs -------------------------------------------------


def test_002_s2_application_only_at_hukou_county(api, sessions):
    """ "到户籍地社区（行政村）提出申请": the residence county serves the person (002 §4) but takes no
    application for recognition."""
    person = _register(api, WANG)
    body = _problem(_apply(api, person, region_code="430102", who="officer"), 422)
    [error] = body["errors"]
    assert error["field"] == "region_code" and "户籍地" in error["message"] and "002 §2" in error["message"]
    assert "常住地 430102" in error["message"] and "002 §4" in error["message"]
    _problem(_apply(api, person, region_code="430102", who="furong"), 422)
    # At the residence county's counter, without naming a county: the hukou county is not theirs.
    assert "002 §2" in _problem(_apply(api, person, who="furong"), 403)["detail"]
    # The residence county still reaches the person (002 §4): it reads the person.
    _ok(api["client"].get(f"/persons/{person['id']}", params=PURPOSE, headers=api["furong"]))
    with sessions() as s:
        assert s.scalars(select(Recognition)).all() == []
    rec = _ok(_apply(api, person), 201)
    assert rec["region_code"] == "430121" and rec["region_name"] == "湖南省长沙市长沙县"


def test_002_s2_one_day_publicity_is_refused(api):
    """ "公示5个工作日后无异议的": publicity cannot pass before its 5th working day after it started."""
    person = _register(api, WANG)
    rec = _ok(_apply(api, person), 201)
    rec = _ok(_step(api, rec, "community_review", "2025-10-10"))
    publicity = rec["steps"][1]
    # Saturday 2025-10-11 is a make-up working day: 10-11, 13, 14, 15, 16.
    assert (publicity["started_on"], publicity["due_on"]) == ("2025-10-10", "2025-10-16")
    for day in ("2025-10-11", "2025-10-13", "2025-10-15"):
        body = _problem(_step(api, rec, "publicity", day), 422)
        [error] = body["errors"]
        assert error["field"] == "completed_on" and "最早可于 2025-10-16" in error["message"]
        assert "002 §2" in error["message"] and "5个工作日" in error["message"]
    # Failing it is not bound to the period (an objection upheld, a fact found).
    view = _ok(
        api["client"].get(
            f"/recognitions/{rec['id']}", params={**PURPOSE, "as_of": "2025-10-13"}, headers=api["officer"]
        )
    )
    assert (view["steps"][1]["status"], view["steps"][1]["overdue"]) == ("公示中", False)
    rec = _ok(_step(api, rec, "publicity", "2025-10-16"))
    assert rec["steps"][1]["outcome"] == "passed" and rec["steps"][2]["started_on"] == "2025-10-16"
    # The other steps keep their deadline: the street review is due on its 5th working day.
    assert rec["steps"][2]["due_on"] == "2025-10-23"


def test_002_s2_objection_upheld_fails_publicity(api, sessions):
    person = _register(api, WANG)
    rec = _ok(_apply(api, person), 201)
    url = f"/recognitions/{rec['id']}/objections"
    # No publicity yet: no objection.
    _problem(api["client"].post(url, json={"raised_on": "2025-10-09", "summary": "x"}, headers=api["counter"]), 422)
    rec = _ok(_step(api, rec, "community_review", "2025-10-10"))
    body = _problem(
        api["client"].post(url, json={"raised_on": "2025-10-09", "summary": "本人在外务工"}, headers=api["counter"]),
        422,
    )
    assert body["errors"][0]["field"] == "raised_on"
    rec = _ok(
        api["client"].post(
            url, json={"raised_on": "2025-10-13", "summary": "邻居反映本人已在外地务工"}, headers=api["counter"]
        ),
        201,
    )
    [objection] = rec["objections"]
    assert (objection["outcome"], objection["outcome_label"], objection["decided_on"]) == ("open", "待处理", None)
    assert objection["recorded_by"].startswith("长沙县零工市场")
    # An open objection blocks publicity, even past its 5th working day.
    assert "尚未处理" in _problem(_step(api, rec, "publicity", "2025-10-17"), 409)["detail"]
    decision = f"{url}/{objection['id']}/decision"
    upheld = {"outcome": "upheld", "reason": "经核实本人已在外地就业", "decided_on": "2025-10-17"}
    _problem(api["client"].post(decision, json=upheld, headers=api["counter"]), 403)  # officers decide
    _problem(api["client"].post(f"{url}/999/decision", json=upheld, headers=api["officer"]), 404)
    _problem(api["client"].post(decision, json={**upheld, "reason": "  "}, headers=api["officer"]), 422)
    rec = _ok(api["client"].post(decision, json=upheld, headers=api["officer"]))
    assert rec["status"] == "rejected" and rec["status_label"] == "不予认定"
    publicity = rec["steps"][1]
    assert (publicity["outcome"], publicity["completed_on"]) == ("failed", "2025-10-17")
    assert publicity["note"] == "异议成立：经核实本人已在外地就业"
    [objection] = rec["objections"]
    assert (objection["outcome"], objection["outcome_label"], objection["reason"]) == (
        "upheld",
        "异议成立",
        "经核实本人已在外地就业",
    )
    assert objection["decided_by"].startswith("长沙县人社局")
    assert "不能再次处理" in _problem(api["client"].post(decision, json=upheld, headers=api["officer"]), 409)["detail"]
    view = _ok(api["client"].get(f"/recognitions/{rec['id']}", params=PURPOSE, headers=api["counter"]))
    assert view["objections"] == rec["objections"]  # shown in the recognition view
    with sessions() as s:
        row = s.scalars(select(Objection)).one()
        assert (row.outcome, row.decided_on) == ("upheld", date(2025, 10, 17))
        actions = [e.action for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions.count("recognition.objection") == 2


def test_002_s2_objection_dismissed_lets_publicity_pass(api):
    person = _register(api, WANG)
    rec = _ok(_apply(api, person), 201)
    rec = _ok(_step(api, rec, "community_review", "2025-10-10"))
    url = f"/recognitions/{rec['id']}/objections"
    rec = _ok(
        api["client"].post(url, json={"raised_on": "2025-10-14", "summary": "反映有收入"}, headers=api["officer"]), 201
    )
    decision = f"{url}/{rec['objections'][0]['id']}/decision"
    body = {"outcome": "dismissed", "reason": "经核实为临时帮工，仍处于失业状态", "decided_on": "2025-10-13"}
    _problem(api["client"].post(decision, json=body, headers=api["officer"]), 422)  # before it was raised
    rec = _ok(api["client"].post(decision, json={**body, "decided_on": "2025-10-15"}, headers=api["officer"]))
    assert rec["status"] == "in_review" and rec["objections"][0]["outcome_label"] == "异议不成立"
    rec = _ok(_step(api, rec, "publicity", "2025-10-16"))
    assert rec["steps"][1]["outcome"] == "passed"


def test_002_s2_step_not_started_is_not_overdue(api):
    """A step whose predecessor is not complete is "未开始": never overdue, never a due date passed."""
    person = _register(api, WANG)
    rec = _ok(_apply(api, person), 201)
    as_of = "2025-11-20"
    view = _ok(
        api["client"].get(f"/recognitions/{rec['id']}", params={**PURPOSE, "as_of": as_of}, headers=api["officer"])
    )
    first, *later = view["steps"]
    assert (first["status"], first["overdue"], first["due_on"]) == ("已逾期", True, "2025-10-13")
    assert [(s["status"], s["overdue"], s["outcome"]) for s in later] == [("未开始", False, "planned")] * 3
    assert all(s["due_on"] > as_of for s in later)
    # The scoring layer's plan says the same when asked on a day.
    steps = recognition_steps(date(2025, 9, 29), as_of=date(2025, 11, 20), working_days=5)
    assert [s["status"] for s in steps] == ["已逾期", "未开始", "未开始", "未开始"]
    assert all(s["due_on"] > as_of for s in steps[1:])
    # Once the community review passes late, publicity runs: not started becomes under way.
    rec = _ok(_step(api, rec, "community_review", "2025-11-20"))
    view = _ok(
        api["client"].get(
            f"/recognitions/{rec['id']}", params={**PURPOSE, "as_of": "2025-12-31"}, headers=api["officer"]
        )
    )
    assert [s["status"] for s in view["steps"]] == ["逾期完成", "公示期满", "未开始", "未开始"]
    assert [s["overdue"] for s in view["steps"]] == [False] * 4


# ----- 002 §1: the conditions, checked when the county review passes --------------------------------


def test_002_s1_past_retirement_age_cannot_be_recognised(api):
    # Past it when applying: the application itself is refused.
    old = _register(api, OLD)
    body = _problem(_apply(api, old), 422)
    [error] = body["errors"]
    assert (
        "2020-05-05" in error["message"] and "法定退休年龄" in error["message"] and "2024年9月13日" in error["message"]
    )
    # Reaching it during the review (60 and 3 months on 2025-12-15): the county review is refused.
    person = _register(api, TURNING)
    rec = _ok(_apply(api, person, "2025-11-28"), 201)
    rec = _ok(_step(api, rec, "community_review", "2025-12-01"))
    rec = _ok(_step(api, rec, "publicity", "2025-12-08"))
    rec = _ok(_step(api, rec, "street_review", "2025-12-10"))
    body = _problem(_step(api, rec, "county_review", "2025-12-16"), 422)
    assert "002 §1" in body["detail"]
    assert [e["field"] for e in body["errors"]] == ["conditions"]
    assert "法定劳动年龄" in body["errors"][0]["message"] and "60周岁3个月" in body["errors"][0]["message"]
    # The day before, still within working age, it passes.
    rec = _ok(_step(api, rec, "county_review", "2025-12-12"))
    assert rec["status"] == "recognised"


def test_002_s1_county_review_lists_each_unmet_condition(api):
    person = _register(api, ZHANG)  # not registered unemployed, no category met
    rec = _ok(_apply(api, person), 201)
    for step, day in (("community_review", "2025-10-10"), ("publicity", "2025-10-16"), ("street_review", "2025-10-20")):
        rec = _ok(_step(api, rec, step, day))
    body = _problem(_step(api, rec, "county_review", "2025-10-24"), 422)
    messages = {e["field"]: e["message"] for e in body["errors"]}
    assert "登记失业" in messages["conditions"]
    assert "002 §1(4)" in messages["categories"] and "失业的残疾人员" in messages["categories"]
    # Failing it is still possible, with a reason.
    rec = _ok(_step(api, rec, "county_review", "2025-10-24", outcome="failed", note="未登记失业"))
    assert rec["status"] == "rejected"


# ----- 002 §5: exit and re-recognition --------------------------------------------------------------


def test_002_s5_self_reported_exit(api, sessions, monkeypatch):
    person = _register(api, WANG)
    rec = _recognised(api, person)
    tier = api["client"].post(
        f"/persons/{person['id']}/tier", json={"tier": 2, "effective_from": "2025-11-01"}, headers=api["officer"]
    )
    assert tier.status_code == 201, tier.text
    rescored = []
    real = services.recognition_exits.rescore_person
    monkeypatch.setattr(
        services.recognition_exits,
        "rescore_person",
        lambda s, pid, day: rescored.append((pid, day)) or real(s, pid, day),
    )
    body = {"route": "self", "clause": "002 §5(1)", "exited_on": "2025-11-10", "reason": "本人申报已担任公司法定代表人"}
    _problem(_exit(api, rec, who="counter", **body), 403)  # officers decide
    # The residence county serves the person but did not recognise them: not theirs to end.
    assert "430121" in _problem(_exit(api, rec, who="furong_officer", **body), 403)["detail"]
    _problem(_exit(api, rec, **{**body, "clause": "002 §6"}), 400)
    errors = _problem(_exit(api, rec, **{**body, "exited_on": "2025-10-23"}), 422)["errors"]
    assert errors == [{"field": "exited_on", "message": "退出日期不能早于认定日期 2025-10-24"}]
    _problem(_exit(api, rec, **{**body, "exited_on": "2026-01-01"}), 422)  # after today
    _problem(_exit(api, rec, **{**body, "exit_notified_on": "2025-11-05"}), 422)  # no notice for a self report
    out = _ok(_exit(api, rec, **body))
    assert (out["status"], out["status_label"], out["exited_on"]) == ("exited", "已退出", "2025-11-10")
    assert (out["exit_route"], out["exit_clause"], out["exit_notified_on"]) == ("self", "002 §5(1)", None)
    assert out["exit_clause_label"] == "担任企业法定代表人、董事、监事等管理人员"
    assert out["exit_reason"] == "本人申报已担任公司法定代表人"
    assert rescored == [(person["id"], TODAY)]  # monthly subsidies stop
    assert "不能再次退出" in _problem(_exit(api, rec, **body), 409)["detail"]
    with sessions() as s:
        [row] = s.scalars(select(TierAssignment)).all()
        assert row.effective_to == date(2025, 11, 10)  # no tier after the exit day
        assert s.get(Recognition, rec["id"]).exit_route == "self"
        assert "recognition.exit" in [e.action for e in s.scalars(select(AuditEntry))]


def test_002_s5_office_exit_needs_notice(api):
    """ "社区（行政村）经调查了解发现不符合……应当以适当方式告知本人或进行公示公告后，在系统内予以退出"."""
    person = _register(api, WANG)
    # Only a recognised person can exit.
    applied = _ok(_apply(api, person), 201)
    body = {"route": "office", "clause": "002 §5(4)", "exited_on": "2025-12-01", "reason": "一年内多次回访无法联系"}
    _problem(_exit(api, applied, **{**body, "exit_notified_on": "2025-11-20"}), 422)
    for step, day in (
        ("community_review", "2025-10-10"),
        ("publicity", "2025-10-16"),
        ("street_review", "2025-10-20"),
        ("county_review", "2025-10-24"),
    ):
        rec = _ok(_step(api, applied, step, day))
    [error] = _problem(_exit(api, rec, **body), 422)["errors"]
    assert error["field"] == "exit_notified_on" and "告知本人或进行公示公告" in error["message"]
    [error] = _problem(_exit(api, rec, **{**body, "exit_notified_on": "2025-12-02"}), 422)["errors"]
    assert error["message"] == "告知或公示日期不能晚于退出日期 2025-12-01"
    out = _ok(_exit(api, rec, **{**body, "exit_notified_on": "2025-11-20"}))
    assert (out["status"], out["exit_route"], out["exit_notified_on"]) == ("exited", "office", "2025-11-20")
    assert out["exit_route_label"].startswith("社区调查发现")
    # The general case of 002 §5's first paragraph is a clause too.
    assert out["exit_clause"] == "002 §5(4)"


def test_002_s5_general_clause_is_accepted(api):
    person = _register(api, WANG)
    rec = _recognised(api, person)
    out = _ok(
        _exit(api, rec, route="self", clause="002 §5", exited_on="2025-12-31", reason="本人表示不再有就业帮扶需求")
    )
    assert out["exit_clause"] == "002 §5" and "不再符合认定条件" in out["exit_clause_label"]


def test_002_s5_re_recognition_after_exit(api, sessions):
    person = _register(api, WANG)
    rec = _recognised(api, person)
    # Recognised: no new application until the person exits.
    body = _problem(_apply(api, person, "2025-11-03"), 409)
    assert "退出（002 §5）后方可重新申请" in body["detail"]
    _ok(_exit(api, rec, route="self", clause="002 §5(6)", exited_on="2025-11-03", reason="本人申报已稳定就业"))
    again = _ok(_apply(api, person, "2025-11-10"), 201)
    assert again["id"] != rec["id"] and again["status"] == "applied"
    # An application in progress blocks another.
    assert "不能重复申请" in _problem(_apply(api, person, "2025-11-11"), 409)["detail"]
    with sessions() as s:
        rows = s.scalars(select(Recognition).order_by(Recognition.id)).all()
        assert [(r.status, r.exited_on) for r in rows] == [
            (RecognitionStatus.EXITED, date(2025, 11, 3)),
            (RecognitionStatus.APPLIED, None),
        ]
        assert [row.step for row in rows[1].steps] == [RecognitionStep.COMMUNITY_REVIEW]
