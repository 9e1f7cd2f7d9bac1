"""Reports from a known ledger, every column checked against figures counted by hand."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from stdnum.cn import ric

from api.app import create_app
from cli.main import main
from jiuyuan.errors import ReportRefused
from jiuyuan.settings import DatabaseSettings, Settings
from jiuyuan.vocab import DecisionStatus, PlacementKind, RecognitionStatus, RecognitionStep, UrbanRural
from ledger.models import (
    AuditEntry,
    Household,
    HrAgency,
    JobFair,
    JobPosting,
    JobPush,
    Person,
    Placement,
    Recognition,
    RecognitionStepRow,
    ServiceContact,
    SubsidyDecision,
    TierAssignment,
    TrainingRecord,
)
from ledger.reports import dispatch, duties, jiaxing
from tests.conftest import bearer

_seq = iter(range(1, 999, 2))


def _person(s, county: str, name: str, born: date = date(1980, 3, 10), **over) -> Person:
    body = f"{county}{born:%Y%m%d}{next(_seq):03d}"
    person = Person(
        id_number=body + ric.calc_check_digit(body + "0"),
        name=name,
        sex="M",
        birth_date=born,
        hukou_region_code=county,
        residence_region_code=county,
        urban_rural=UrbanRural.URBAN,
        **over,
    )
    s.add(person)
    s.flush()
    return person


def _recognise(s, person: Person, county: str, on: date, status=RecognitionStatus.RECOGNISED) -> Recognition:
    r = Recognition(
        person_id=person.id,
        region_code=county,
        categories=[6],
        status=status,
        applied_on=on,
        recognised_on=on if status is RecognitionStatus.RECOGNISED else None,
    )
    s.add(r)
    s.flush()
    return r


def _place(s, person: Person, kind: PlacementKind, start: date, **over) -> Placement:
    p = Placement(person_id=person.id, kind=kind, start_date=start, **over)
    s.add(p)
    return p


@pytest.fixture
def hunan(sessions):
    """The dispatch ledger of the module docstring's worked example (as of 2023-03-15)."""
    with sessions.begin() as s:
        a = _person(s, "430121", "张三")
        _recognise(s, a, "430121", date(2023, 1, 10))  # before the start: not in column 2
        s.add_all(
            [
                ServiceContact(person_id=a.id, contacted_on=d, channel="visit", staff="x")
                for d in (date(2023, 2, 5), date(2023, 3, 1), date(2023, 1, 20))
            ]
        )
        _place(s, a, PlacementKind.EMPLOYER_ABSORPTION, date(2023, 2, 20))
        _place(s, a, PlacementKind.FLEXIBLE, date(2023, 3, 1))  # a second placement: the person counts once
        s.add(
            TrainingRecord(
                person_id=a.id, kind="employment_skills", start_date=date(2023, 2, 10), end_date=date(2023, 2, 20)
            )
        )
        b = _person(s, "430121", "李四")
        _recognise(s, b, "430121", date(2023, 2, 15))
        _place(s, b, PlacementKind.PUBLIC_WELFARE, date(2023, 3, 1))
        s.add(ServiceContact(person_id=b.id, contacted_on=date(2023, 2, 16), channel="phone", staff="x"))
        c = _person(s, "430102", "王五")
        _recognise(s, c, "430102", date(2023, 2, 20))
        _place(s, c, PlacementKind.FLEXIBLE, date(2023, 3, 5))
        d = _person(s, "430102", "赵六")
        _recognise(s, d, "430102", date(2023, 3, 1))
        _place(s, d, PlacementKind.SELF_EMPLOYED, date(2023, 3, 10))
        s.add_all(
            [
                TrainingRecord(
                    person_id=d.id, kind="post_skill", start_date=date(2023, 3, 12), end_date=date(2023, 3, 13)
                )
                for _ in range(2)
            ]
        )
        e = _person(s, "430202", "钱七")
        _recognise(s, e, "430202", date(2023, 2, 1))
        _place(s, e, PlacementKind.FLEXIBLE, date(2023, 1, 15))  # before the start
        s.add(ServiceContact(person_id=e.id, contacted_on=date(2023, 3, 10), channel="visit", staff="x"))
        f = _person(s, "430121", "孙八")  # never recognised: nothing of theirs counts
        _place(s, f, PlacementKind.FLEXIBLE, date(2023, 2, 10))
        s.add(ServiceContact(person_id=f.id, contacted_on=date(2023, 2, 11), channel="visit", staff="x"))
        g = _person(s, "430121", "周九")
        _recognise(s, g, "430121", date(2023, 2, 5))
        _place(s, g, PlacementKind.FLEXIBLE, date(2023, 3, 20))  # after the as-of date
        s.add_all(
            [
                JobFair(
                    ref=f"F{next(_seq)}",
                    region_code="430121",
                    held_on=date(2023, 2, 10),
                    title="春风行动专场",
                    online=False,
                    posts_offered=100,
                    love_posts_offered=20,
                ),
                JobFair(
                    ref=f"F{next(_seq)}",
                    region_code="430121",
                    held_on=date(2023, 3, 1),
                    title="线上专场",
                    online=True,
                    posts_offered=50,
                    love_posts_offered=5,
                ),
                JobFair(
                    ref=f"F{next(_seq)}",
                    region_code="430121",
                    held_on=date(2023, 3, 2),
                    title="综合招聘会",
                    for_difficult_persons=False,
                    posts_offered=30,
                ),
                JobFair(
                    ref=f"F{next(_seq)}",
                    region_code="430121",
                    held_on=date(2023, 1, 20),
                    title="一月专场",
                    posts_offered=10,
                ),
                JobFair(
                    ref=f"F{next(_seq)}",
                    region_code="430202",
                    held_on=date(2023, 2, 25),
                    title="株洲专场",
                    posts_offered=40,
                    love_posts_offered=10,
                ),
            ]
        )
    return sessions


def _row(table, code):
    return next(r for r in table.rows if r.region == code).values


def test_dispatch_columns_by_hand(hunan):
    with hunan() as s:
        table = dispatch.build(s, "43", date(2023, 3, 15))
    #                               1  2  3  4    5   6  7  8  9 10 11 12
    assert _row(table, "430121") == [3, 2, 2, 1, 150, 25, 2, 2, 0, 0, 1, 1]
    assert _row(table, "430102") == [0, 2, 0, 0, 0, 0, 2, 0, 1, 1, 0, 2]
    assert _row(table, "430202") == [1, 1, 1, 1, 40, 10, 0, 0, 0, 0, 0, 0]
    assert _row(table, "430100") == [3, 4, 2, 1, 150, 25, 4, 2, 1, 1, 1, 3]
    assert _row(table, "430200") == [1, 1, 1, 1, 40, 10, 0, 0, 0, 0, 0, 0]
    assert _row(table, "430000") == [4, 5, 3, 2, 190, 35, 4, 2, 1, 1, 1, 3]
    assert table.rows[-1].name == "湖南省合计"
    assert sum(1 for r in table.rows if r.level == "county") == 122


def test_dispatch_logic_rules_hold_on_every_row(hunan):
    with hunan() as s:
        table = dispatch.build(s, "4301", date(2023, 3, 15))
    for r in table.rows:
        v = r.values
        assert v[2] >= v[3] and v[4] >= v[5] and v[6] == v[7] + v[8] + v[9] and v[7] >= v[10]
    assert table.rows[-1].region == "430100" and table.rows[-1].level == "city"


def test_a_table_breaking_its_logic_rules_is_refused_naming_the_rows():
    bad = dispatch.DispatchRow("430121", "长沙县", "county", [0, 0, 1, 2, 5, 6, 3, 1, 1, 0, 0, 0])
    good = dispatch.DispatchRow("430102", "芙蓉区", "county")
    with pytest.raises(ReportRefused) as err:
        dispatch.check_rules([good, bad])
    assert [(b.region, b.rule) for b in err.value.breaks] == [
        ("430121", "3≥4"),
        ("430121", "5≥6"),
        ("430121", "7=8+9+10"),
    ]


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2023, 2, [date(2023, 2, 15), date(2023, 2, 28)]),
        (2024, 2, [date(2024, 2, 15), date(2024, 2, 29)]),
        (2023, 3, [date(2023, 3, 15), date(2023, 3, 30)]),
        (2023, 4, [date(2023, 4, 15), date(2023, 4, 30)]),
    ],
)
def test_000_annex_due_on_the_15th_and_30th_february_its_last_day(year, month, expected):
    assert dispatch.due_dates(year, month) == expected


def test_next_due_date():
    assert dispatch.next_due(date(2023, 1, 10)) == date(2023, 2, 15)  # the first report
    assert dispatch.next_due(date(2023, 2, 16)) == date(2023, 2, 28)
    assert dispatch.next_due(date(2023, 3, 31)) == date(2023, 4, 15)
    assert dispatch.next_due(date(2023, 12, 31)) == date(2024, 1, 15)


def test_dispatch_xlsx_has_the_annex_header(hunan, tmp_path):
    out = tmp_path / "调度表.xlsx"
    assert (
        main(
            [
                "--database-url",
                str(hunan.kw["bind"].url.render_as_string(hide_password=False)),
                "report",
                "dispatch",
                "--region",
                "4301",
                "--as-of",
                "2023-03-15",
                "--format",
                "xlsx",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    ws = openpyxl.load_workbook(out).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:M1", "A2:M2", "A3:A4", "F3:G3", "B3:B4", "H3:H4", "M3:M4"} <= merged
    assert ws["A1"].value == "就业困难人员就业帮扶情况调度表"
    assert "单位：人、次、人次" in ws["A2"].value
    assert ws["F3"].value == "线上线下"
    assert ws["F4"].value == "就业困难人员专场招聘会提供就业岗位数"
    assert ws["G4"].value == "其中“无年龄限制、无技能要求”爱心岗位数"
    assert [ws.cell(row=5, column=c).value for c in range(2, 14)] == list(range(1, 13))
    rows = {
        ws.cell(row=r, column=1).value: [ws.cell(row=r, column=c).value for c in range(2, 14)]
        for r in range(6, ws.max_row + 1)
    }
    assert rows["湖南省长沙市长沙县"] == [3, 2, 2, 1, 150, 25, 2, 2, 0, 0, 1, 1]
    assert rows["湖南省长沙市合计"] == [3, 4, 2, 1, 150, 25, 4, 2, 1, 1, 1, 3]


@pytest.fixture
def jiaxing_ledger(sessions):
    with sessions.begin() as s:
        j1 = _person(s, "330421", "甲一")
        _recognise(s, j1, "330421", date(2023, 1, 10))
        _place(s, j1, PlacementKind.FLEXIBLE, date(2023, 5, 3))
        dibao = Household(ref="H-DB", region_code="330421", urban_rural=UrbanRural.URBAN, assistance="dibao")
        s.add(dibao)
        s.flush()
        j2 = _person(s, "330421", "甲二", household_id=dibao.id)
        agency = HrAgency(uscc="91110000600037341L", name="嘉善人力资源服务有限公司", region_code="330421")
        s.add(agency)
        s.flush()
        _place(s, j2, PlacementKind.EMPLOYER_ABSORPTION, date(2023, 5, 10), agency_id=agency.id)
        j3 = _person(s, "330421", "甲三")  # in no target group
        _place(s, j3, PlacementKind.EMPLOYER_ABSORPTION, date(2023, 5, 12))
        j4 = _person(s, "330402", "乙四", disability_grade=3)
        _place(s, j4, PlacementKind.PUBLIC_WELFARE, date(2023, 5, 20))
        j5 = _person(s, "330402", "乙五")
        _recognise(s, j5, "330402", date(2023, 5, 15))
        j6 = _person(s, "330421", "甲六")
        _recognise(s, j6, "330421", date(2023, 2, 1))
        _place(s, j6, PlacementKind.SELF_EMPLOYED, date(2023, 4, 1))
        j7 = _person(s, "330421", "甲七")
        _recognise(s, j7, "330421", date(2023, 3, 1))
        s.add(
            SubsidyDecision(
                person_id=j7.id,
                subject="person",
                scheme_code="temporary_living_allowance",
                status=DecisionStatus.ELIGIBLE,
                amount=None,
                period_start=date(2023, 4, 1),
                period_end=date(2023, 9, 30),
                legal_basis="003 §3(6)",
                ruleset_version="test",
            )
        )
    return sessions


def test_jiaxing_progress_table_by_hand(jiaxing_ledger):
    with jiaxing_ledger() as s:
        table = jiaxing.build(s, "3304", "2023-05")
    # total, flexible, absorption, self, public welfare, project, allowance, new, difficult into work, still need
    assert _row(table, "330421") == [2, 1, 1, 0, 0, 1, 1, 0, 1, 1]
    assert _row(table, "330402") == [1, 0, 0, 0, 1, 0, 0, 1, 0, 1]
    assert table.rows[-1].values == [3, 1, 1, 0, 1, 1, 1, 1, 1, 2]
    assert table.due_on == date(2023, 6, 25)
    for r in table.rows:  # the annex's parts add up to the total
        assert r.values[0] == sum(r.values[1:5]) and r.values[5] <= r.values[0] and r.values[8] <= r.values[0]


def test_jiaxing_xlsx_header(jiaxing_ledger):
    from ledger.reports.export import jiaxing_xlsx

    with jiaxing_ledger() as s:
        ws = openpyxl.load_workbook(io.BytesIO(jiaxing_xlsx(jiaxing.build(s, "330421", "2023-05")))).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A3:A4", "B3:B4", "C3:H3", "I3:I4", "J3:J4", "K3:K4"} <= merged
    assert ws["C3"].value == "帮扶成效" and ws["H4"].value == "享受临时生活补贴人数"


def test_duty_lists(sessions):
    as_of = date(2025, 10, 15)
    with sessions.begin() as s:
        t2 = _person(s, "430121", "吴二")
        _recognise(s, t2, "430121", date(2025, 8, 1))
        s.add(TierAssignment(person_id=t2.id, tier=2, effective_from=date(2025, 8, 1), assigned_by="x"))
        posting = JobPosting(
            ref="P1",
            title="保洁员",
            kind="ordinary",
            schedule="full_time",
            wage_min=1,
            wage_max=2,
            wage_unit="month",
            region_code="430121",
            valid_from=date(2025, 8, 1),
            valid_until=date(2025, 12, 1),
        )
        s.add(posting)
        s.flush()
        s.add(
            JobPush(
                person_id=t2.id,
                posting_id=posting.id,
                channel="sms",
                pushed_by="x",
                pushed_at=datetime(2025, 9, 1, tzinfo=UTC),
            )
        )
        t3 = _person(s, "430121", "郑三")
        _recognise(s, t3, "430121", date(2025, 8, 1))
        s.add(TierAssignment(person_id=t3.id, tier=3, effective_from=date(2025, 8, 1), assigned_by="x"))
        s.add(ServiceContact(person_id=t3.id, contacted_on=date(2025, 8, 10), channel="visit", staff="x"))
        home = Household(ref="H-Z", region_code="430121", urban_rural=UrbanRural.URBAN, zero_employment=True)
        s.add(home)
        s.flush()
        z = _person(s, "430121", "冯四", household_id=home.id)
        _recognise(s, z, "430121", date(2025, 8, 1))
        s.add(TierAssignment(person_id=z.id, tier=3, effective_from=date(2025, 8, 1), assigned_by="x"))
        s.add(ServiceContact(person_id=z.id, contacted_on=date(2025, 10, 1), channel="visit", staff="x"))
        applicant = _person(s, "430121", "陈五")
        rec = _recognise(s, applicant, "430121", date(2025, 9, 26), status=RecognitionStatus.IN_REVIEW)
        s.add(
            RecognitionStepRow(
                recognition_id=rec.id,
                step=RecognitionStep.COMMUNITY_REVIEW,
                started_on=date(2025, 9, 26),
                due_on=date(2025, 10, 10),
            )
        )
        old = _person(s, "430121", "褚六", born=date(1960, 5, 5))
        _recognise(s, old, "430121", date(2019, 1, 1))
        pw = _person(s, "430121", "卫七")
        _recognise(s, pw, "430121", date(2025, 1, 1))
        _place(s, pw, PlacementKind.PUBLIC_WELFARE, date(2025, 5, 1), end_date=date(2025, 11, 1))
    with sessions.begin() as s:
        items = duties.build(s, "430121", as_of, actor="officer-1")
    found = {(i.list, i.masked_name) for i in items}
    assert ("tier2_pushes", "吴*") in found
    assert ("tier3_contact", "郑*") in found
    assert ("zero_employment", "冯*") in found
    assert ("recognition_overdue", "陈*") in found
    assert ("exit", "褚*") in found
    assert ("public_welfare_ending", "卫*") in found
    assert ("tier3_contact", "冯*") not in found  # contacted this month
    assert all("*" in i.masked_name and len(i.masked_name) >= 2 for i in items)
    with sessions() as s:
        audited = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.actor == "officer-1"))
    assert audited == len({i.person_id for i in items})


def test_report_cli_refuses_bad_arguments(capsys):
    with pytest.raises(SystemExit) as err:
        main(["report", "dispatch", "--region", "99"])
    assert err.value.code == 2
    assert "行政区划代码 990000 不存在或已撤销" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "dispatch", "--region", "431"])
    assert "地区代码应为2、4或6位数字" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["report", "jiaxing", "--region", "3304", "--month", "2023-13"])
    assert "月份格式应为 YYYY-MM" in capsys.readouterr().err


def test_report_api(hunan):
    url = hunan.kw["bind"].url.render_as_string(hide_password=False)
    with TestClient(create_app(Settings(db=DatabaseSettings(url=url)))) as client:
        client.headers.update(bearer(url, "officer", "长沙经办", region="4301"))
        body = client.get("/reports/dispatch", params={"region": "430121", "as_of": "2023-03-15"}).json()
        assert body["rows"][0]["values"] == [3, 2, 2, 1, 150, 25, 2, 2, 0, 0, 1, 1]
        assert body["due_dates"] == ["2023-03-15", "2023-03-30"]
        xlsx = client.get("/reports/dispatch", params={"region": "4301", "as_of": "2023-03-15", "format": "xlsx"})
        assert (
            xlsx.status_code == 200
            and openpyxl.load_workbook(io.BytesIO(xlsx.content)).active["F3"].value == "线上线下"
        )
        csv_text = client.get(
            "/reports/dispatch", params={"region": "4301", "as_of": "2023-03-15", "format": "csv"}
        ).content.decode("utf-8-sig")
        assert csv_text.splitlines()[0].startswith("地区代码,地区,1.走访服务对象人次")
        bad = client.get("/reports/dispatch", params={"region": "999999", "as_of": "2023-03-15"})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "region"
        assert client.get("/reports/jiaxing-progress", params={"region": "3304", "month": "2023-13"}).status_code == 400
