"""A case's life over time (issue 15), the writing edge: social-insurance contributions (a JSON
batch and the office's spreadsheet), the end of a placement and in-post checks, the retirement
category, life events (002 §5) and officers' rulings. Every bad row is named (row and column in
Chinese) and nothing is written; every write is audited and re-scores the person."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from litestar.testing import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from stdnum.cn import ric

from api.app import create_app
from jiuyuan import clock
from jiuyuan.settings import DatabaseSettings, Settings
from ledger.models import (
    AuditEntry,
    Contribution,
    LifeEvent,
    OfficerRuling,
    Person,
    PlacementConfirmation,
    SubsidyDecision,
)
from tests.conftest import bearer

PURPOSE = {"purpose": "补贴审核"}


def _id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


WANG = {"id_number": _id("43012119700307123"), "name": "王建国", "hukou_region_code": "430121", "urban_rural": "urban"}
ZHANG = {"id_number": _id("43012119800512456"), "name": "张桂芳", "hukou_region_code": "430121", "urban_rural": "rural"}
UNREGISTERED = _id("43012119850101123")


@pytest.fixture
def api(migrated_url):
    with TestClient(create_app(Settings(db=DatabaseSettings(url=migrated_url)))) as client:
        a = {
            "client": client,
            "counter": bearer(migrated_url, "counter", "长沙县零工市场", region="430121"),
            "officer": bearer(migrated_url, "officer", "长沙县人社局", region="430121"),
            "furong": bearer(migrated_url, "counter", "芙蓉区零工市场", region="430102"),
        }
        a["wang"] = _post(a, "/persons", {**WANG, "consents": {"data_processing": True}})["id"]
        a["zhang"] = _post(a, "/persons", {**ZHANG, "consents": {"data_processing": True}})["id"]
        a["job"] = _post(
            a, "/placements", {"person_id": a["wang"], "kind": "employer_absorption", "start_date": "2026-03-01"}
        )["id"]
        a["flex"] = _post(a, "/placements", {"person_id": a["zhang"], "kind": "flexible", "start_date": "2026-01-01"})[
            "id"
        ]
        yield a


def _post(api, path, body, who="counter", status=201):
    response = api["client"].post(path, json=body, headers=api[who])
    assert response.status_code == status, response.text
    return response.json()


def _problem(response, status):
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def _row(id_number=WANG["id_number"], month="2026-04", payer="employer", insurance="pension", amount="620.16"):
    return {
        "id_number": id_number,
        "month": month,
        "payer": payer,
        "insurance": insurance,
        "amount": amount,
        "source": "长沙县社保中心 缴费明细",
    }


def _contributions(api, person_id):
    response = api["client"].get(f"/persons/{person_id}/contributions", params=PURPOSE, headers=api["officer"])
    assert response.status_code == 200, response.text
    return response.json()


def _stored(sessions, model=Contribution) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _refused(api, sessions, rows):
    """A batch refused: 422, nothing stored (read back through the API and the table)."""
    body = _problem(api["client"].post("/contributions", json=rows, headers=api["counter"]), 422)
    assert "整批未保存" in body["detail"]
    assert _contributions(api, api["wang"]) == [] and _stored(sessions) == 0
    return body["errors"]


def test_a_month_outside_the_placement_is_refused_naming_row_and_column(api, sessions):
    errors = _refused(api, sessions, [_row(), _row(month="2026-02")])
    assert errors == [
        {
            "field": "费款所属期",
            "row": 2,
            "message": f"第2行 费款所属期：2026-02 不在此人单位就业（企业吸纳或公益性岗位）期间内（安置 #{api['job']}：2026-03-01 起）",
        }
    ]
    # a personal (flexible worker's) part needs a flexible placement; 2026-13 is no month
    errors = _refused(api, sessions, [_row(payer="personal"), _row(month="2026-13")])
    assert [e["row"] for e in errors] == [1, 2]
    assert "不在此人灵活就业期间内（此人没有该类安置记录）" in errors[0]["message"]
    assert "“2026-13”不是有效的月份" in errors[1]["message"]


def test_negative_nan_infinite_and_three_decimal_amounts_are_refused(api, sessions):
    rows = [
        _row(amount="-5.00"),
        _row(month="2026-05", amount="NaN"),
        _row(month="2026-06", amount="Infinity"),
        _row(month="2026-07", amount="1.234"),
        _row(month="2026-08", amount="100000000.01"),
    ]
    errors = _refused(api, sessions, rows)
    assert [(e["row"], e["field"]) for e in errors] == [(n, "缴费金额") for n in range(1, 6)]
    assert errors[0]["message"] == "第1行 缴费金额：金额不能为负数"
    assert errors[1]["message"] == "第2行 缴费金额：金额不是有效的数字"  # NaN
    assert errors[2]["message"] == "第3行 缴费金额：金额不是有效的数字"  # Infinity
    assert "两位小数" in errors[3]["message"] and "超出允许范围" in errors[4]["message"]


def test_an_id_number_not_in_the_ledger_or_with_a_bad_checksum_is_refused(api, sessions):
    bad_checksum = WANG["id_number"][:-1] + ("0" if WANG["id_number"][-1] != "0" else "1")
    errors = _refused(api, sessions, [_row(), _row(id_number=UNREGISTERED), _row(id_number=bad_checksum)])
    assert [(e["row"], e["field"]) for e in errors] == [(2, "公民身份号码"), (3, "公民身份号码")]
    assert "该身份证号码未在台账中登记" in errors[0]["message"]
    assert errors[1]["message"] == "第3行 公民身份号码：身份证号码校验位不正确，请核对"


def test_a_person_outside_the_jurisdiction_reads_as_not_registered(api, sessions):
    body = _problem(api["client"].post("/contributions", json=[_row()], headers=api["furong"]), 422)
    assert "该身份证号码未在台账中登记" in body["errors"][0]["message"]
    assert "安置" not in body["errors"][0]["message"]  # nothing about the person leaks
    assert _stored(sessions) == 0


def test_a_duplicate_row_names_both_rows_and_a_stored_duplicate_is_refused(api, sessions):
    errors = _refused(api, sessions, [_row(), _row(month="2026-05"), _row(month="202604", amount="1.00")])
    assert len(errors) == 1 and errors[0]["row"] == 3 and "与第1行重复" in errors[0]["message"]
    assert _post(api, "/contributions", [_row()]) == {"recorded": 1, "person_ids": [api["wang"]]}
    body = _problem(
        api["client"].post("/contributions", json=[_row(month="2026-05"), _row()], headers=api["counter"]), 422
    )
    assert [e["row"] for e in body["errors"]] == [2]
    assert "2026-04 单位缴纳的基本养老保险已登记（620.16 元" in body["errors"][0]["message"]
    assert [c["month"] for c in _contributions(api, api["wang"])] == ["2026-04"]  # the batch wrote nothing


def test_a_good_batch_is_stored_in_its_placements_audited_and_rescored(api, sessions):
    with sessions() as s:
        decisions_before = s.scalar(select(func.count()).select_from(SubsidyDecision))
    rows = [
        _row(),
        _row(insurance="medical", amount="250"),
        _row(id_number=ZHANG["id_number"], month="2026-02", payer="personal", amount="560.00"),
    ]
    assert _post(api, "/contributions", rows) == {"recorded": 3, "person_ids": sorted([api["wang"], api["zhang"]])}
    wang = _contributions(api, api["wang"])
    assert [(c["month"], c["insurance"], c["amount"], c["placement_id"]) for c in wang] == [
        ("2026-04", "medical", "250.00", api["job"]),
        ("2026-04", "pension", "620.16", api["job"]),
    ]
    assert wang[0]["payer_label"] == "单位缴纳" and wang[0]["insurance_label"] == "基本医疗保险"
    [flex] = _contributions(api, api["zhang"])
    assert flex["placement_id"] == api["flex"] and flex["payer"] == "personal"
    with sessions() as s:
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.subject_person_id == api["wang"])).all()
        assert "contributions.record" in actions and "contributions.read" in actions
        assert s.scalar(select(func.count()).select_from(SubsidyDecision)) > decisions_before
    assert api["client"].get(f"/persons/{api['wang']}/contributions", headers=api["officer"]).status_code == 400
    assert (
        api["client"].get(f"/persons/{api['wang']}/contributions", params=PURPOSE, headers=api["furong"]).status_code
        == 404
    )


def _xlsx(rows) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.append(["序号", "公民身份号码", "姓名", "费款所属期", "缴费主体", "险种", "缴费金额"])
    for n, row in enumerate(rows, 1):
        sheet.append([n, *row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_export_of_the_social_insurance_office_is_imported(api, sessions):
    good = [
        [WANG["id_number"], "王建国", "202604", "单位", "基本养老保险", "620.16"],
        [WANG["id_number"], "王建国", "2026/05", "单位", "失业", "31.01"],
        [WANG["id_number"], "王建国", "2026年06月", "单位", "医疗保险", "250"],
        [ZHANG["id_number"], "张桂芳", "2026-03", "个人(灵活就业)", "养老", "560.00"],
    ]
    client = api["client"]

    def upload(rows, **params):
        files = {"file": ("社保缴费明细.xlsx", _xlsx(rows), "application/vnd.ms-excel")}
        return client.post("/imports/contributions", headers=api["counter"], params=params, files=files)

    bad = _problem(upload([*good, [WANG["id_number"], "王建国", "2026-02", "单位", "养老", "-1"]]), 422)
    assert {(e["row"], e["field"]) for e in bad["errors"]} == {(6, "费款所属期"), (6, "缴费金额")}
    assert _stored(sessions) == 0
    assert upload(good, check=True).status_code == 200 and _stored(sessions) == 0
    done = upload(good)
    assert done.status_code == 201 and done.json()["imported"] == 4, done.text
    wang = _contributions(api, api["wang"])
    assert [(c["month"], c["insurance"]) for c in wang] == [
        ("2026-04", "pension"),
        ("2026-05", "unemployment"),
        ("2026-06", "medical"),
    ]
    assert wang[0]["source"] == f"社保缴费明细.xlsx 导入 {clock.today()}"
    assert _contributions(api, api["zhang"])[0]["payer"] == "personal"
    wrong_name = _problem(upload([[WANG["id_number"], "王建军", "2026-07", "单位", "养老", "1"]]), 422)
    assert "姓名与台账不符" in wrong_name["errors"][0]["message"]


def test_ending_a_placement_refuses_while_later_months_are_paid(api, sessions):
    _post(api, "/contributions", [_row(month="2026-05")])
    end = f"/placements/{api['job']}/end"
    conflict = _problem(
        api["client"].post(end, json={"end_date": "2026-04-30", "reason": "合同期满"}, headers=api["counter"]), 409
    )
    assert conflict["errors"][0]["field"] == "end_date" and "2026-05" in conflict["errors"][0]["message"]
    early = _problem(
        api["client"].post(end, json={"end_date": "2026-02-28", "reason": "x"}, headers=api["counter"]), 422
    )
    assert "不能早于安置开始日期（2026-03-01）" in early["errors"][0]["message"]
    late = str(clock.today() + timedelta(days=400))
    assert _problem(api["client"].post(end, json={"end_date": late, "reason": "x"}, headers=api["counter"]), 422)
    ended = _post(api, end, {"end_date": "2026-05-31", "reason": "合同期满离岗"}, status=200)
    assert ended["end_date"] == "2026-05-31"
    # a month after the end is no longer in the placement
    assert (
        "2026-06 不在此人单位就业"
        in _problem(api["client"].post("/contributions", json=[_row(month="2026-06")], headers=api["counter"]), 422)[
            "errors"
        ][0]["message"]
    )
    with sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "placement.end")) == 1


def test_002_s1_an_in_post_confirmation_is_recorded(api, sessions):
    path = f"/placements/{api['job']}/confirmations"
    body = _post(api, path, {"confirmed_on": "2026-11-20", "in_post": True, "note": "电话回访，在岗"})
    assert body["in_post"] is True and body["placement_id"] == api["job"]
    strict = _problem(
        api["client"].post(path, json={"confirmed_on": "2026-11-20", "in_post": "yes"}, headers=api["counter"]), 400
    )
    assert strict["errors"][0]["field"].endswith("in_post")
    future = str(clock.today() + timedelta(days=1))
    assert _problem(
        api["client"].post(path, json={"confirmed_on": future, "in_post": False}, headers=api["counter"]), 422
    )
    assert _stored(sessions, PlacementConfirmation) == 1


def test_the_retirement_category_is_recorded_and_agrees_with_the_sex(api, sessions):
    path = f"/persons/{api['zhang']}/retirement-category"
    body = api["client"].put(path, json={"category": "female_55"}, headers=api["counter"])
    assert body.status_code == 200 and body.json()["label"].startswith("女干部，或以灵活就业人员身份参保的女性")
    wrong = _problem(api["client"].put(path, json={"category": "male"}, headers=api["counter"]), 422)
    assert "与身份证号码的性别（女）不符" in wrong["errors"][0]["message"]
    with sessions() as s:
        assert s.get(Person, api["zhang"]).retirement_category == "female_55"
    assert _problem(api["client"].put(path, json={"category": "female_60"}, headers=api["counter"]), 400)


def test_002_s5_3_left_labour_market_needs_reason(api, sessions):
    path = f"/persons/{api['wang']}/life-events"
    missing = _problem(
        api["client"].post(
            path, json={"kind": "left_labour_market", "happened_on": "2026-09-01"}, headers=api["counter"]
        ),
        422,
    )
    assert missing["errors"][0]["field"] == "reason" and "002 §5(3)" in missing["errors"][0]["message"]
    assert _stored(sessions, LifeEvent) == 0
    body = _post(api, path, {"kind": "left_labour_market", "happened_on": "2026-09-01", "reason": "study"})
    assert body["reason_label"] == "升学" and body["kind_label"].startswith("退出劳动力市场")


def test_002_s5_1_a_management_role_is_recorded(api, sessions):
    path = f"/persons/{api['wang']}/life-events"
    body = _post(api, path, {"kind": "management_role", "happened_on": "2026-06-01", "note": "任某公司监事"})
    assert body["kind"] == "management_role" and body["reason"] is None
    with_reason = {"kind": "pension", "happened_on": "2026-06-01", "reason": "death"}
    assert _problem(api["client"].post(path, json=with_reason, headers=api["counter"]), 422)
    with sessions() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "life_event")) == 1


def test_002_s5_public_welfare_beyond_limit_is_an_officers_ruling(api, sessions):
    welfare = _post(
        api, "/placements", {"person_id": api["wang"], "kind": "public_welfare", "start_date": "2026-06-01"}
    )
    path = f"/placements/{welfare['id']}/rulings"
    ruling = {"question": "public_welfare_beyond_limit", "approved": True, "reason": "家庭无其他收入，集体研究同意"}
    counter = _problem(api["client"].post(path, json=ruling, headers=api["counter"]), 403)
    assert "无权" in counter["detail"]
    short = _problem(api["client"].post(path, json={**ruling, "reason": "同意"}, headers=api["officer"]), 422)
    assert "至少写4个字" in short["errors"][0]["message"]
    assert _problem(api["client"].post(path, json={**ruling, "approved": "true"}, headers=api["officer"]), 400)
    not_welfare = api["client"].post(f"/placements/{api['job']}/rulings", json=ruling, headers=api["officer"])
    assert "不是公益性岗位安置" in _problem(not_welfare, 422)["errors"][0]["message"]
    _post(api, path, ruling, who="officer")
    _post(api, path, {**ruling, "approved": False, "reason": "已有其他收入来源"}, who="officer")
    newest = api["client"].get(path, headers=api["officer"]).json()
    assert [r["approved"] for r in newest] == [False, True]  # the newest stands
    assert _stored(sessions, OfficerRuling) == 2


def test_history_writes_outside_the_jurisdiction_answer_404(api, sessions):
    client, other = api["client"], api["furong"]
    assert (
        client.post(
            f"/placements/{api['job']}/end", json={"end_date": "2026-05-31", "reason": "离岗"}, headers=other
        ).status_code
        == 404
    )
    assert (
        client.put(f"/persons/{api['wang']}/retirement-category", json={"category": "male"}, headers=other).status_code
        == 404
    )
    event = {"kind": "pension", "happened_on": "2026-06-01"}
    assert client.post(f"/persons/{api['wang']}/life-events", json=event, headers=other).status_code == 404
    assert _stored(sessions, LifeEvent) == 0
