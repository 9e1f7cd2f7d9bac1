"""Import from the spreadsheets offices keep: every row or none, each problem named by row and column."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from stdnum.cn import ric

from cli.main import main
from jiuyuan.vocab import ConsentScope, PostingKind
from ledger import db, intake
from ledger.import_columns import PERSONS, POSTINGS, columns_markdown
from ledger.imports import Rejection, TableError, import_persons, import_postings, read_table
from ledger.models import ConsentRecord, Household, JobPosting, Person, PostingChange


def _id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


ID_WANG, ID_LI, ID_ZHANG = _id("43010219850715001"), _id("43010219900302002"), _id("43012119761111003")
BAD_CHECKSUM = ID_LI[:-1] + ("0" if ID_LI[-1] != "0" else "1")
EMPLOYER = {"uscc": "91110000600037341L", "name": "长沙芙蓉物业服务有限公司", "region_code": "430102"}
UNREGISTERED_USCC = "914301021234567884"

PERSON_HEADER = [
    "序号",
    "姓名",
    "公民身份号码",
    "户籍地区划代码",
    "城乡类别",
    "手机号码",
    "技能",
    "可工作时间",
    "同意处理个人信息",
    "同意向用人单位展示",
]


def _person(
    n: int,
    name: str,
    ident: str,
    region: str = "430102",
    area: str = "城镇",
    phone: str = "",
    skills: str = "",
    schedules: str = "日结",
    data: str = "是",
    show: str = "否",
) -> list[str]:
    return [str(n), name, ident, region, area, phone, skills, schedules, data, show]


GOOD_PERSONS = [
    _person(1, "王伟", ID_WANG, phone="13807311234", skills="保洁、叉车证", schedules="日结、小时工"),
    _person(2, "李娜", ID_LI, area="农村", schedules="全日制", show="是"),
    _person(3, "张强", ID_ZHANG, region="430121", schedules=""),
]

POSTING_HEADER = [
    "岗位编号",
    "岗位名称",
    "用人单位统一社会信用代码",
    "岗位类型",
    "班次",
    "工资下限（元）",
    "工资上限",
    "计薪方式",
    "年龄下限",
    "年龄上限",
    "技能要求",
    "工作地点区划代码",
    "有效期起",
    "有效期止",
]
GOOD_POSTINGS = [
    [
        "CS-001",
        "保洁员",
        EMPLOYER["uscc"],
        "零工岗位",
        "日结",
        "120",
        "150",
        "按天",
        "",
        "55",
        "",
        "430102",
        "2026/11/1",
        "2026年12月31日",
    ],
    [
        "CS-002",
        "社区协管员",
        EMPLOYER["uscc"],
        "爱心岗位",
        "全日制",
        "1900",
        "",
        "元/月",
        "",
        "",
        "",
        "430102",
        "2026-11-01",
        "2026-12-31",
    ],
]


def _csv(path: Path, header: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _counts(sessions) -> dict[str, int]:
    with sessions() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Person, ConsentRecord, JobPosting, PostingChange)
        }


def _import(sessions, kind, rows, **kwargs):
    with sessions.begin() as s:
        return (import_persons if kind == "persons" else import_postings)(s, rows, **kwargs)


def test_a_bom_csv_of_good_persons_is_imported_with_consents(sessions, tmp_path):
    rows = read_table(_csv(tmp_path / "人员.csv", PERSON_HEADER, GOOD_PERSONS))
    report = _import(sessions, "persons", rows, actor="芙蓉区窗口")
    assert (report.ok, report.total, report.imported, report.warnings) == (True, 3, 3, [])
    with sessions() as s:
        wang = s.scalars(select(Person).where(Person.id_number == ID_WANG)).one()
        assert (wang.sex, wang.birth_date, wang.urban_rural.value) == ("M", date(1985, 7, 15), "urban")
        assert wang.skills == ["保洁", "叉车证"] and wang.wished_schedules == ["daily", "hourly"]
        li = s.scalars(select(Person).where(Person.id_number == ID_LI)).one()
        assert (li.sex, li.urban_rural.value, li.phone) == ("F", "rural", None)
        consents = {(r.person_id, r.scope, r.granted, r.recorded_by) for r in s.scalars(select(ConsentRecord))}
    assert (wang.id, ConsentScope.DATA_PROCESSING, True, "芙蓉区窗口") in consents
    assert (wang.id, ConsentScope.SHOW_TO_EMPLOYERS, False, "芙蓉区窗口") in consents
    assert (li.id, ConsentScope.SHOW_TO_EMPLOYERS, True, "芙蓉区窗口") in consents
    assert len(consents) == 6


def test_a_gbk_csv_of_postings_reads_labels_and_office_dates(sessions, tmp_path):
    with sessions.begin() as s:
        employer_id = intake.add_employer(s, EMPLOYER).id
    path = _csv(tmp_path / "岗位.csv", POSTING_HEADER, GOOD_POSTINGS, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # the file really is GBK: the fallback is what reads it
    report = _import(sessions, "postings", read_table(path))
    assert report.ok and report.imported == 2, report.rejected
    with sessions() as s:
        gig, love = s.scalars(select(JobPosting).order_by(JobPosting.ref)).all()
    assert (gig.kind, gig.schedule.value, gig.wage_unit.value, gig.age_max) == (PostingKind.GIG, "daily", "day", 55)
    assert (gig.valid_from, gig.valid_until, gig.employer_id) == (date(2026, 11, 1), date(2026, 12, 31), employer_id)
    assert (love.kind, love.wage_min, love.wage_max) == (PostingKind.LOVE, Decimal("1900.00"), Decimal("1900.00"))
    assert _counts(sessions)["posting_changes"] == 2


def test_one_bad_id_checksum_among_good_rows_writes_nothing(sessions, tmp_path):
    rows = read_table(
        _csv(tmp_path / "人员.csv", PERSON_HEADER, [GOOD_PERSONS[0], _person(2, "李娜", BAD_CHECKSUM), GOOD_PERSONS[2]])
    )
    report = _import(sessions, "persons", rows)
    assert report.rejected == [Rejection(3, "公民身份号码", "身份证号码校验位不正确，请核对")]
    assert (report.imported, report.rejected_rows) == (0, 1)
    # Row 2 was written before row 3 failed: the savepoint takes it back, consents included.
    assert _counts(sessions) == {"persons": 0, "consent_records": 0, "job_postings": 0, "posting_changes": 0}


def test_the_same_person_twice_in_one_file_is_rejected(sessions, tmp_path):
    twice = [GOOD_PERSONS[0], GOOD_PERSONS[1], _person(3, "王 伟", ID_WANG.lower())]
    report = _import(sessions, "persons", read_table(_csv(tmp_path / "p.csv", PERSON_HEADER, twice)))
    assert report.rejected == [Rejection(4, "公民身份号码", "与第2行重复")]
    assert _counts(sessions)["persons"] == 0


def test_a_person_already_registered_is_a_rejection_not_a_crash(sessions, tmp_path):
    with sessions.begin() as s:
        intake.add_person(
            s, {"id_number": ID_LI, "name": "李娜", "hukou_region_code": "430102", "urban_rural": "rural"}
        )
    report = _import(sessions, "persons", read_table(_csv(tmp_path / "p.csv", PERSON_HEADER, GOOD_PERSONS)))
    assert report.rejected == [Rejection(3, "公民身份号码", "该身份证号码已登记")]
    assert _counts(sessions)["persons"] == 1


def test_a_missing_required_column_refuses_the_whole_file(sessions, tmp_path):
    header = [h if h != "姓名" else "备注" for h in PERSON_HEADER]
    report = _import(sessions, "persons", read_table(_csv(tmp_path / "p.csv", header, GOOD_PERSONS)))
    assert report.rejected == [Rejection(None, "姓名", "缺少必填列“姓名”")]
    assert report.warnings == ["未识别的列“备注”，已忽略"]
    assert _counts(sessions)["persons"] == 0


def test_two_columns_for_one_field_refuse_the_file(sessions, tmp_path):
    header, rows = PERSON_HEADER + ["身份证号"], [r + [r[2]] for r in GOOD_PERSONS]
    report = _import(sessions, "persons", read_table(_csv(tmp_path / "p.csv", header, rows)))
    assert report.rejected == [Rejection(None, "身份证号", "与“公民身份号码”是同一列，请只保留一列")]


def _posting_xlsx(path: Path, valid_until: datetime) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年11月岗位信息表"])  # a title line above the table, as offices keep them
    ws.append(POSTING_HEADER)
    ws.append(
        [
            "CS-001",
            "保洁员",
            EMPLOYER["uscc"],
            "零工",
            "日结",
            120,
            150.5,
            "按天",
            18,
            55,
            "保洁",
            430102,
            datetime(2026, 11, 1),
            datetime(2026, 12, 31),
        ]
    )
    ws.append([])  # a blank row keeps its number
    ws.append(
        [
            "CS-002",
            "仓库搬运",
            EMPLOYER["uscc"],
            "普通岗位",
            "全日制",
            4500,
            5200.5,
            "按月",
            None,
            None,
            "",
            "430102",
            date(2026, 11, 1),
            valid_until,
        ]
    )
    wb.save(path)
    return path


def test_xlsx_date_and_number_cells_are_read_as_offices_typed_them(sessions, tmp_path):
    with sessions.begin() as s:
        intake.add_employer(s, EMPLOYER)
    early = _posting_xlsx(tmp_path / "岗位.xlsx", datetime(2026, 10, 1))
    report = _import(sessions, "postings", read_table(early))
    assert report.rejected == [Rejection(5, "有效期止", "结束日期不能早于开始日期（valid_from）")]
    assert _counts(sessions)["job_postings"] == 0
    report = _import(sessions, "postings", read_table(_posting_xlsx(tmp_path / "岗位2.xlsx", datetime(2027, 1, 31))))
    assert report.ok and report.imported == 2, report.rejected
    with sessions() as s:
        gig, ordinary = s.scalars(select(JobPosting).order_by(JobPosting.ref)).all()
    assert (gig.wage_min, gig.wage_max, gig.age_min, gig.region_code) == (
        Decimal("120.00"),
        Decimal("150.50"),
        18,
        "430102",
    )
    assert (ordinary.valid_from, ordinary.valid_until) == (date(2026, 11, 1), date(2027, 1, 31))


def test_an_id_number_stored_as_a_number_is_refused_with_a_fix(sessions, tmp_path):
    wb = Workbook()
    wb.active.append(PERSON_HEADER)
    wb.active.append([1, "王伟", int(ID_WANG), 430102, "城镇", 13807311234, "", "", "是", "否"])
    wb.active.append([2, "李娜", ID_LI, "430102", "农村", "", "", "", "是", "是"])
    wb.save(tmp_path / "人员.xlsx")
    report = _import(sessions, "persons", read_table(tmp_path / "人员.xlsx"))
    assert [(r.row, r.column) for r in report.rejected] == [(2, "公民身份号码")]
    assert "存成了数字" in report.rejected[0].message and "文本" in report.rejected[0].message
    assert _counts(sessions)["persons"] == 0
    # The same column saved by Excel as CSV: 4.30102E+17.
    rows = read_table(_csv(tmp_path / "p.csv", PERSON_HEADER, [_person(1, "王伟", "4.30102E+17")]))
    assert "存成了数字" in _import(sessions, "persons", rows).rejected[0].message


def test_posting_refs_twice_and_unregistered_employers_are_rejected(sessions, tmp_path):
    with sessions.begin() as s:
        intake.add_employer(s, EMPLOYER)
    rows = [
        GOOD_POSTINGS[0],
        GOOD_POSTINGS[0],
        [*GOOD_POSTINGS[1][:2], UNREGISTERED_USCC, *GOOD_POSTINGS[1][3:]],
        ["CS-003", *GOOD_POSTINGS[1][1:2], UNREGISTERED_USCC[:-1] + "5", *GOOD_POSTINGS[1][3:]],
    ]
    report = _import(sessions, "postings", read_table(_csv(tmp_path / "j.csv", POSTING_HEADER, rows)))
    assert report.rejected == [
        Rejection(3, "岗位编号", "与第2行重复"),
        Rejection(4, "用人单位统一社会信用代码", "该用人单位尚未登记，请先登记用人单位"),
        Rejection(5, "用人单位统一社会信用代码", "统一社会信用代码校验位不正确，请核对"),
    ]
    assert _counts(sessions)["job_postings"] == _counts(sessions)["posting_changes"] == 0


def test_a_household_number_links_the_person_to_a_registered_household(sessions, tmp_path):
    with sessions.begin() as s:
        s.add(Household(ref="HH-0001", region_code="430102", urban_rural="urban"))
    rows = [GOOD_PERSONS[0] + ["HH-0001"], GOOD_PERSONS[1] + ["HH-9999"]]
    path = _csv(tmp_path / "p.csv", PERSON_HEADER + ["户号"], rows)
    report = _import(sessions, "persons", read_table(path))
    assert report.rejected == [Rejection(3, "户号", "未找到该户号的家庭，请先登记家庭")]
    assert _import(sessions, "persons", read_table(path)[:1]).imported == 1
    with sessions() as s:
        assert s.scalars(select(Person.household_id)).one() == s.scalars(select(Household.id)).one()


def test_every_problem_of_a_row_is_listed_and_a_sex_column_must_agree(sessions, tmp_path):
    header = PERSON_HEADER + ["性别"]
    rows = [GOOD_PERSONS[0] + ["女"], _person(2, "", ID_LI, region="439999", area="郊区", data="也许") + ["女"]]
    report = _import(sessions, "persons", read_table(_csv(tmp_path / "p.csv", header, rows)))
    assert {(r.row, r.column) for r in report.rejected} == {
        (2, "性别"),
        (3, "姓名"),
        (3, "户籍地区划代码"),
        (3, "城乡类别"),
        (3, "同意处理个人信息"),
    }
    assert Rejection(2, "性别", "性别与身份证号码不符（身份证号码为男性）") in report.rejected
    assert report.rejected_rows == 2


def test_a_dry_run_checks_everything_and_writes_nothing(sessions, tmp_path):
    rows = read_table(_csv(tmp_path / "p.csv", PERSON_HEADER, GOOD_PERSONS))
    report = _import(sessions, "persons", rows, dry_run=True)
    assert (report.ok, report.dry_run, report.imported) == (True, True, 0)
    assert _counts(sessions)["persons"] == 0


def test_rows_given_as_mappings_with_field_names_are_numbered_as_a_sheet(sessions):
    rows = [
        {"id_number": ID_WANG, "name": "王伟", "hukou_region_code": "430102", "urban_rural": "urban"},
        {"id_number": ID_LI, "name": "李娜", "hukou_region_code": "430102", "urban_rural": "nowhere"},
    ]
    report = _import(sessions, "persons", rows)
    assert [(r.row, r.column) for r in report.rejected] == [(3, "urban_rural")]
    assert _import(sessions, "persons", rows[:1]).imported == 1


def test_unreadable_files_are_refused_in_chinese(tmp_path):
    with pytest.raises(TableError, match="另存为 .xlsx"):
        read_table(b"", "人员.xls")
    with pytest.raises(TableError, match="表头"):
        read_table("只有一列\n一\n".encode(), "p.csv")
    with pytest.raises(TableError, match="不是 Excel 工作簿"):
        read_table(b"not a zip", "p.xlsx")


def test_cli_exits_1_with_a_table_and_writes_the_report(migrated_url, tmp_path, capsys):
    bad = _csv(tmp_path / "bad.csv", PERSON_HEADER, [GOOD_PERSONS[0], _person(2, "李娜", BAD_CHECKSUM)])
    base = ["--database-url", migrated_url, "import", "persons"]
    assert main([*base, str(bad), "--report", str(tmp_path / "结果.xlsx"), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"^3\s+公民身份号码\s+身份证号码校验位不正确，请核对$", out, re.M) and "未写入任何数据" in out
    sheet = load_workbook(tmp_path / "结果.xlsx").active
    assert [c.value for c in sheet[3]] == ["行号", "列名", "类别", "说明"]
    assert [c.value for c in sheet[4]] == [3, "公民身份号码", "拒绝", "身份证号码校验位不正确，请核对"]

    good = _csv(tmp_path / "good.csv", PERSON_HEADER, GOOD_PERSONS)
    assert main([*base, str(good), "--check", "--quiet"]) == 0
    assert "检查通过" in capsys.readouterr().out
    engine = db.make_engine(migrated_url)
    persons = db.session_factory(engine)
    assert _counts(persons)["persons"] == 0
    assert main([*base, str(good), "--report", str(tmp_path / "结果.csv"), "--quiet"]) == 0
    assert "已导入 3 行" in capsys.readouterr().out
    assert _counts(persons)["persons"] == 3
    engine.dispose()
    assert (tmp_path / "结果.csv").read_text(encoding="utf-8-sig").splitlines() == ["行号,列名,类别,说明"]


def test_cli_refuses_an_unreadable_file_with_exit_2(tmp_path, capsys):
    (tmp_path / "人员.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    assert main(["import", "persons", str(tmp_path / "人员.xls")]) == 2
    assert "另存为 .xlsx 或 CSV" in capsys.readouterr().err
    assert main(["import", "postings", str(tmp_path / "缺失.csv")]) == 2


def test_the_operations_guide_lists_the_accepted_columns():
    guide = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text(encoding="utf-8")
    assert columns_markdown(PERSONS) in guide and columns_markdown(POSTINGS) in guide
