"""Validation at the edge: each check names the field and says, in Chinese, what is wrong.

Field libraries do the real work: python-stdnum for resident ID numbers (GB 11643)
and unified social credit codes (GB 32100), phonenumbers for phone numbers, the
GB/T 2260 table in :mod:`jiuyuan.regions`. Checks collect into one
:class:`InvalidInput` so a clerk sees every wrong field at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, TypeVar

import phonenumbers
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from jiuyuan import regions
from jiuyuan.errors import FieldError, InvalidInput

T = TypeVar("T")

FEN = Decimal("0.01")
# The largest amount one row may carry: 100 million yuan, far above any subsidy or
# wage, low enough that fen fit in a 64-bit integer column.
MAX_AMOUNT = Decimal("100000000.00")
MAX_ID = 2**31 - 1
"""Row ids are INTEGER columns (32-bit on PostgreSQL): a larger id is refused at the edge, not by the database."""


class Checker:
    """Runs checks, keeps the cleaned values, raises all field errors together.

    >>> c = Checker()
    >>> c.check("amount", money, "-1")
    >>> c.errors[0].message
    '金额不能为负数'
    """

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def check(self, field: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        try:
            return fn(*args, **kwargs)
        except ValueError as exc:
            self.errors.append(FieldError(field, str(exc)))
            return None

    def fail(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise InvalidInput(self.errors)


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: str  # "M" or "F": the 17th digit, odd for men (GB 11643 §5.3)
    birth_region: str


_RIC_MESSAGES = {
    stdnum_errors.InvalidLength: "身份证号码应为18位",
    stdnum_errors.InvalidFormat: "身份证号码前17位应为数字，最后一位为数字或X",
    stdnum_errors.InvalidChecksum: "身份证号码校验位不正确，请核对",
    stdnum_errors.InvalidComponent: "身份证号码中的出生日期或地区码无效",
}


@lru_cache(maxsize=65536)
def _checked_ric(value: str) -> IdNumber:
    # Cached: the same person's number is checked again on every evaluation of their facts.
    # python-stdnum's ric.validate, step by step, with its birth-place lookup (a walk of its
    # table, most of the cost) cached by county and year: a payment run meets each person once
    # but the same few thousand counties and birth years again and again.
    try:
        number = ric.compact(value)
        if len(number) != 18:
            raise stdnum_errors.InvalidLength()
        if not number[:-1].isdigit() or not number[:-1].isascii():
            raise stdnum_errors.InvalidFormat()
        if number[-1] != ric.calc_check_digit(number):
            raise stdnum_errors.InvalidChecksum()
        born = ric.get_birth_date(number)
        _birth_place_known(number[:6], born.year)
    except stdnum_errors.ValidationError as exc:
        raise ValueError(_RIC_MESSAGES.get(type(exc), "身份证号码无效")) from None
    return IdNumber(number, born, "M" if int(number[16]) % 2 else "F", number[:6])


@lru_cache(maxsize=65536)
def _birth_place_known(county: str, year: int) -> None:
    """Raises InvalidComponent unless ``county`` was a county code in ``year`` (python-stdnum's table)."""
    ric.get_birth_place(f"{county}{year:04d}0101000")


def id_number(value: str, *, today: date | None = None) -> IdNumber:
    """A resident ID number (GB 11643): length, checksum, birth date and place."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("请填写身份证号码")
    ident = _checked_ric(value)
    if ident.birth_date > (today or date.today()):
        raise ValueError("身份证号码中的出生日期晚于今天")
    return ident


_USCC_MESSAGES = {
    stdnum_errors.InvalidLength: "统一社会信用代码应为18位",
    stdnum_errors.InvalidFormat: "统一社会信用代码含有不允许的字符",
    stdnum_errors.InvalidChecksum: "统一社会信用代码校验位不正确，请核对",
    stdnum_errors.InvalidComponent: "统一社会信用代码的组织机构代码部分无效",
}


def social_credit_code(value: str) -> str:
    """A unified social credit code (GB 32100), checksums included."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("请填写统一社会信用代码")
    try:
        return uscc.validate(value)
    except stdnum_errors.ValidationError as exc:
        raise ValueError(_USCC_MESSAGES.get(type(exc), "统一社会信用代码无效")) from None


def _code(value: object, what: str) -> str:
    """The code as typed, stripped; a ValueError for any character outside ASCII. A full-width
    ４３ would pass ``str.isdigit`` (and ``int``), and a caller that only checks the code would keep
    the full-width text, which no region prefix matches: refused, saying why."""
    code = str(value).strip() if value is not None else ""
    if not code.isascii():
        raise ValueError(f"{what}请用半角数字（0–9）填写")
    return code


def region_code(value: str) -> str:
    """A six-digit GB/T 2260 code in use today."""
    code = _code(value, "行政区划代码")
    if len(code) != 6 or not code.isdigit():
        raise ValueError("行政区划代码应为6位数字")
    region = regions.lookup(code)
    if region is None:
        raise ValueError(f"行政区划代码 {code} 不存在或已撤销")
    if region.placeholder:
        raise ValueError(f"行政区划代码 {code}（{region.name}）不是具体的县区，请选择县区")
    return code


def region_prefix(value: str) -> str:
    """A province, city or county given as 43 / 4301 / 430121 (or 430000 / 430100): the code
    prefix that selects everything inside it."""
    code = _code(value, "地区代码")
    if len(code) not in (2, 4, 6) or not code.isdigit():
        raise ValueError("地区代码应为2、4或6位数字（省、市、县）")
    full = region_code(code.ljust(6, "0"))
    return regions.prefix(full)


def phone(value: str) -> str:
    """A Chinese mobile or landline number, returned as digits (landlines with area code)."""
    text = str(value or "").strip()
    if not text:
        raise ValueError("请填写联系电话")
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        raise ValueError("联系电话格式不正确") from None
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise ValueError("联系电话不是有效的中国大陆号码")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")


def money(value: object, *, allow_zero: bool = True) -> Decimal:
    """An amount in yuan: a Decimal with at most two decimals (fen), never negative."""
    if isinstance(value, float):
        # A float has already lost the exact fen: ask the caller for a string.
        raise ValueError("金额请以字符串或整数传入，避免浮点误差")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError("金额不是有效的数字") from None
    if not amount.is_finite():
        raise ValueError("金额不是有效的数字")
    if abs(amount) > MAX_AMOUNT:  # before quantize, which cannot hold 1e400 to the fen
        raise ValueError("金额超出允许范围")
    if amount != amount.quantize(FEN, rounding=ROUND_HALF_UP):
        raise ValueError("金额最多保留两位小数（精确到分）")
    if amount < 0:
        raise ValueError("金额不能为负数")
    if amount == 0 and not allow_zero:
        raise ValueError("金额必须大于零")
    return abs(amount.quantize(FEN))  # abs: "-0" is zero, not a negative zero on the wire


def a_date(value: object) -> date:
    """A calendar date, given as a ``date`` or an ISO string ``YYYY-MM-DD``."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError("日期格式应为 YYYY-MM-DD") from None


def date_range(checker: Checker, start_field: str, start: date | None, end_field: str, end: date | None) -> None:
    """Both dates parse, and the end is not before the start (a closed range)."""
    if start is not None and end is not None and end < start:
        checker.fail(end_field, f"结束日期不能早于开始日期（{start_field}）")
