"""Validation at the edge (foundation issue): each wrong value names its field in Chinese."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuyuan import validation as v
from jiuyuan.errors import FieldError, InvalidInput

# Built by hand from GB 11643: 430102 (长沙市芙蓉区) + 1985-07-15 + 001 (odd: male) + check digit 1.
MALE_CHANGSHA = "430102198507150011"
FEMALE_CHANGSHA_COUNTY = "430121196603020022"  # 长沙县, 1966-03-02, 002 (even: female)


def test_id_number_gives_birth_date_sex_and_place():
    ident = v.id_number(MALE_CHANGSHA)
    assert ident.birth_date == date(1985, 7, 15)
    assert ident.sex == "M"
    assert ident.birth_region == "430102"
    assert v.id_number(FEMALE_CHANGSHA_COUNTY).sex == "F"


def test_id_number_lowercase_x_is_accepted_as_upper():
    # 11010519491231002X is the GB 11643 example number.
    assert v.id_number("11010519491231002x").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("430102198507150012", "身份证号码校验位不正确，请核对"),
        ("43010219850715001", "身份证号码应为18位"),
        ("4301021985071500A1", "身份证号码前17位应为数字，最后一位为数字或X"),
        ("430102198502300017", "身份证号码中的出生日期或地区码无效"),  # 30 February, right check digit
        ("430524196603020023", "身份证号码中的出生日期或地区码无效"),  # 隆回县 got 430524 only in 1986
        ("", "请填写身份证号码"),
    ],
)
def test_id_number_errors_are_chinese(value, message):
    with pytest.raises(ValueError) as err:
        v.id_number(value)
    assert str(err.value) == message


def test_id_number_born_in_the_future_is_refused():
    body = "43010220990101001"
    from stdnum.cn import ric

    with pytest.raises(ValueError, match="出生日期晚于今天"):
        v.id_number(body + ric.calc_check_digit(body + "0"), today=date(2026, 11, 22))


def test_social_credit_code_checksum():
    assert v.social_credit_code("91110000600037341L") == "91110000600037341L"
    with pytest.raises(ValueError, match="校验位不正确"):
        v.social_credit_code("91110000600037341M")
    with pytest.raises(ValueError, match="应为18位"):
        v.social_credit_code("9111000060003734")


@pytest.mark.parametrize("code", ["430102", "430524", "433130", "330402", "370202", "440106"])
def test_region_codes_the_seeds_need_are_known(code):
    assert v.region_code(code) == code


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("999999", "行政区划代码 999999 不存在或已撤销"),
        ("430122", "行政区划代码 430122 不存在或已撤销"),  # 望城县 became 望城区 (430112) in 2011
        ("43010", "行政区划代码应为6位数字"),
        ("430101", "行政区划代码 430101（市辖区）不是具体的县区，请选择县区"),
    ],
)
def test_region_code_errors(code, message):
    with pytest.raises(ValueError) as err:
        v.region_code(code)
    assert str(err.value) == message


@pytest.mark.parametrize("code", ["４３０１２１", "④③０１２１", "𝟒𝟑𝟎𝟏𝟐𝟏", "٤٣٠١٢١", "४३०१२१"])
def test_region_codes_in_other_digits_are_refused_saying_so(code):
    """isdigit() says yes to each, int() reads most: a caller keeping the text would match no prefix."""
    with pytest.raises(ValueError, match="请用半角数字"):
        v.region_code(code)
    with pytest.raises(ValueError, match="请用半角数字"):
        v.region_prefix(code[:2])


def test_phone_numbers():
    assert v.phone("138 0731 1234") == "13807311234"
    assert v.phone("0731-84900119") == "073184900119"  # 002's contact line
    with pytest.raises(ValueError, match="不是有效的中国大陆号码"):
        v.phone("12345")
    with pytest.raises(ValueError, match="不是有效的中国大陆号码"):
        v.phone("+1 650 253 0000")


@pytest.mark.parametrize(
    ("value", "expected"), [("1000", Decimal("1000.00")), ("0.5", Decimal("0.50")), (200, Decimal("200.00"))]
)
def test_money_is_decimal_in_fen(value, expected):
    amount = v.money(value)
    assert amount == expected and isinstance(amount, Decimal) and amount.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "金额不能为负数"),
        ("1.001", "金额最多保留两位小数（精确到分）"),
        ("abc", "金额不是有效的数字"),
        ("NaN", "金额不是有效的数字"),
        (12.5, "金额请以字符串或整数传入，避免浮点误差"),
        ("100000000.01", "金额超出允许范围"),
    ],
)
def test_money_errors(value, message):
    with pytest.raises(ValueError) as err:
        v.money(value)
    assert str(err.value) == message


def test_date_range_names_the_end_field():
    c = v.Checker()
    v.date_range(c, "start_date", date(2025, 3, 1), "end_date", date(2025, 2, 28))
    assert c.errors == [FieldError("end_date", "结束日期不能早于开始日期（start_date）")]


def test_checker_collects_every_field_before_raising():
    c = v.Checker()
    c.check("id_number", v.id_number, "430102198507150012")
    c.check("region_code", v.region_code, "999999")
    c.check("amount", v.money, "-5")
    with pytest.raises(InvalidInput) as err:
        c.raise_if_any()
    assert [e.field for e in err.value.errors] == ["id_number", "region_code", "amount"]
