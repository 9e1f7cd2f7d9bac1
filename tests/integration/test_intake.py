"""Foundation acceptance: bad input gives a Chinese error naming the field, and nothing is written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from jiuyuan.errors import Duplicate, InvalidInput
from ledger import intake
from ledger.models import Base, Person

GOOD_PERSON = {
    "id_number": "430102198507150011",
    "name": "王伟",
    "hukou_region_code": "430102",
    "urban_rural": "urban",
    "phone": "13807311234",
    "skills": "保洁经验，叉车证",
    "wished_schedules": ["daily", "hourly"],
}
GOOD_EMPLOYER = {"uscc": "91110000600037341L", "name": "长沙芙蓉物业服务有限公司", "region_code": "430102"}
GOOD_POSTING = {
    "ref": "CS-2026-0001",
    "title": "保洁员",
    "kind": "gig",
    "schedule": "daily",
    "wage_unit": "day",
    "wage_min": "120",
    "wage_max": "150",
    "region_code": "430102",
    "valid_from": "2026-11-01",
    "valid_until": "2026-12-31",
}


def _row_counts(sessions) -> dict[str, int]:
    with sessions() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def _refused(sessions, add, data, field, message):
    before = _row_counts(sessions)
    with pytest.raises(InvalidInput) as err, sessions.begin() as s:
        add(s, data)
    assert (field, message) in [(e.field, e.message) for e in err.value.errors]
    assert _row_counts(sessions) == before, "a refused input must write nothing"


def test_good_rows_are_written(sessions):
    with sessions.begin() as s:
        person = intake.add_person(s, GOOD_PERSON)
        employer = intake.add_employer(s, GOOD_EMPLOYER)
        posting = intake.add_posting(s, GOOD_POSTING | {"employer_id": employer.id})
        intake.add_placement(s, {"person_id": person.id, "kind": "flexible", "start_date": "2026-11-10"})
    assert person.birth_date == date(1985, 7, 15) and person.sex == "M"
    assert person.skills == ["保洁经验", "叉车证"]
    assert posting.kind.label == "零工岗位"
    assert _row_counts(sessions)["placements"] == 1


def test_wrong_id_checksum_names_the_field(sessions):
    _refused(
        sessions,
        intake.add_person,
        GOOD_PERSON | {"id_number": "430102198507150012"},
        "id_number",
        "身份证号码校验位不正确，请核对",
    )


def test_unknown_region_code_names_the_field(sessions):
    _refused(
        sessions,
        intake.add_person,
        GOOD_PERSON | {"hukou_region_code": "439999"},
        "hukou_region_code",
        "行政区划代码 439999 不存在或已撤销",
    )


def test_negative_amount_names_the_field(sessions):
    _refused(sessions, intake.add_posting, GOOD_POSTING | {"wage_min": "-10"}, "wage_min", "金额不能为负数")


def test_end_date_before_start_names_the_field(sessions):
    with sessions.begin() as s:
        person_id = intake.add_person(s, GOOD_PERSON).id
    _refused(
        sessions,
        intake.add_placement,
        {"person_id": person_id, "kind": "public_welfare", "start_date": "2026-05-01", "end_date": "2026-04-30"},
        "end_date",
        "结束日期不能早于开始日期（start_date）",
    )
    _refused(
        sessions,
        intake.add_posting,
        GOOD_POSTING | {"valid_until": "2026-10-01"},
        "valid_until",
        "结束日期不能早于开始日期（valid_from）",
    )


def test_malformed_uscc_names_the_field(sessions):
    _refused(
        sessions,
        intake.add_employer,
        GOOD_EMPLOYER | {"uscc": "91110000600037341M"},
        "uscc",
        "统一社会信用代码校验位不正确，请核对",
    )
    _refused(sessions, intake.add_employer, GOOD_EMPLOYER | {"uscc": "9111000060"}, "uscc", "统一社会信用代码应为18位")


def test_love_post_with_limits_is_refused_000_s2(sessions):
    _refused(
        sessions,
        intake.add_posting,
        GOOD_POSTING | {"kind": "love", "age_max": "50"},
        "age_min",
        "爱心岗位无年龄限制，不能填写年龄要求",
    )
    _refused(
        sessions,
        intake.add_posting,
        GOOD_POSTING | {"kind": "love", "skills_required": "叉车证"},
        "skills_required",
        "爱心岗位无技能要求，不能填写技能要求",
    )


def test_every_wrong_field_is_reported_at_once(sessions):
    with pytest.raises(InvalidInput) as err, sessions.begin() as s:
        intake.add_posting(s, GOOD_POSTING | {"kind": "full", "wage_min": "abc", "region_code": "1", "title": ""})
    assert {e.field for e in err.value.errors} == {"kind", "wage_min", "region_code", "title"}


def test_a_second_write_of_the_same_person_is_a_duplicate(sessions):
    with sessions.begin() as s:
        intake.add_person(s, GOOD_PERSON)
    with pytest.raises(Duplicate, match="该身份证号码已登记"), sessions.begin() as s:
        intake.add_person(s, GOOD_PERSON | {"name": "王小伟"})
    with sessions() as s:
        assert s.scalars(select(Person.name)).all() == ["王伟"]


def test_placement_for_an_unknown_person_is_refused(sessions):
    _refused(
        sessions,
        intake.add_placement,
        {"person_id": 12345, "kind": "flexible", "start_date": "2026-05-01"},
        "person_id",
        "人员不存在",
    )


def test_a_reference_that_is_not_a_number_names_the_field(sessions):
    _refused(
        sessions,
        intake.add_placement,
        {"person_id": 1, "kind": "flexible", "start_date": "2026-05-01", "employer_id": "abc"},
        "employer_id",
        "用人单位编号应为整数",
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("否", False), ("0", False), ("false", False), ("是", True), ("1", True), (True, True), (None, False)],
)
def test_yes_no_fields_read_as_offices_write_them(value, expected):
    assert intake.clean_posting(GOOD_POSTING | {"disabled_suitable": value})["disabled_suitable"] is expected


def test_an_unreadable_yes_no_or_an_overlong_text_names_the_field(sessions):
    _refused(
        sessions,
        intake.add_posting,
        GOOD_POSTING | {"disabled_suitable": "maybe"},
        "disabled_suitable",
        "适合残疾人应填“是”或“否”",
    )
    _refused(sessions, intake.add_person, GOOD_PERSON | {"education": "研" * 21}, "education", "学历不能超过20个字")
