"""The facts model: typed, immutable, validated as it is decoded.

Everything the rules read about a case — the person (with what the ID number says),
recognitions, the employer, placements with their monthly social-insurance payments,
training, loans and the subsidy history — arrives as JSON and is decoded into frozen
msgspec Structs. Bad facts (a wrong ID checksum, an end before a start, negative money,
an unknown region) stop decoding with :class:`FactsError`, which names the field in
Chinese; no rule ever sees them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Literal, TypeVar

import msgspec

from jiuyuan import validation
from jiuyuan.errors import FieldError
from jiuyuan.vocab import AssistanceStatus, PlacementKind, RecognitionStep, UrbanRural
from scoring.retirement import RetirementCategory, default_category

INSURANCES = ("pension", "medical", "unemployment", "injury", "maternity")
INSURANCE_LABELS = {"pension": "养老", "medical": "医疗", "unemployment": "失业", "injury": "工伤", "maternity": "生育"}
# Separates the field from the message inside errors raised while decoding (a character
# no message contains), so the error can name the field under msgspec's path.
SEP = "\x1f"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
T = TypeVar("T")
R = TypeVar("R")


class FactsError(ValueError):
    """The facts are wrong; ``errors`` names each field (``placements[0].end``) in Chinese."""

    def __init__(self, errors: list[FieldError]):
        self.errors = errors
        super().__init__("；".join(str(e) for e in errors))


def _check(field: str, fn: Callable[[T], R], value: T) -> R:
    try:
        return fn(value)
    except ValueError as exc:
        raise ValueError(f"{field}{SEP}{exc}") from None


def _non_negative(field: str, amount: Decimal | None) -> None:
    # Fast path for the common case (a finite, non-negative amount in whole fen); anything
    # else goes through the edge validator for its Chinese message.
    # (The exponent of a finite amount is an int; "n", "N" or "F" only for NaN and infinity.)
    if amount is None or (
        amount.is_finite()
        and amount >= 0
        and isinstance(exp := amount.as_tuple().exponent, int)
        and exp >= -2
        and amount <= validation.MAX_AMOUNT
    ):
        return
    _check(field, lambda a: validation.money(str(a)), amount)


def _ordered(start_field: str, start: date | None, end_field: str, end: date | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"{end_field}{SEP}结束日期不能早于开始日期（{start_field}）")


class Struct(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    pass


class Household(Struct, frozen=True):
    urban_rural: UrbanRural = UrbanRural.URBAN
    assistance: AssistanceStatus = AssistanceStatus.NONE
    zero_employment: bool = False
    """城市居民家庭成员均处于失业状态 (002 §1(2))."""
    member_employed_on: date | None = None
    """The first day a member of a zero-employment household started work (002 §4(3))."""


class PovertyRegistration(Struct, frozen=True):
    """建档立卡 (004 §1(2)): registered poor rural household, with its period."""

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        _ordered("start", self.start, "end", self.end)

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Person(Struct, frozen=True, dict=True):
    id_number: str
    hukou_region_code: str
    urban_rural: UrbanRural = UrbanRural.URBAN
    retirement_category: RetirementCategory | None = None
    """Original statutory retirement category; None: taken from sex (the trace says so)."""
    registered_unemployed_since: date | None = None
    able_to_work: bool = True
    willing_to_work: bool = True
    disability_grade: int | None = None
    land_lost: bool = False
    land_lost_on: date | None = None
    household: Household = Household()
    poverty_registration: PovertyRegistration | None = None
    other_categories: list[str] = []
    """Province-defined categories (002 §1(7)) the person is said to meet."""
    receives_pension: bool = False
    pension_since: date | None = None
    """The day a basic pension began (002 §5(2) "享受基本养老保险待遇"): monthly subsidies stop before it."""
    management_role: bool = False
    """Legal representative, director or supervisor of an enterprise (002 §5(1))."""
    management_role_since: date | None = None
    """The day the management role began: monthly subsidies stop before it."""
    left_labour_market: str | None = None
    """death, study, military, emigration, prison, incapacity (002 §5(3))."""
    left_labour_market_on: date | None = None
    """The day the person died or otherwise left the labour market: monthly subsidies stop before it."""
    consecutive_service_refusals: int = 0
    unreachable_months_past_year: int = 0
    fraud_found: bool = False
    employed_since: date | None = None
    last_subsidy_on: date | None = None
    unemployment_benefit_ended_on: date | None = None

    def __post_init__(self) -> None:
        ident = _check("id_number", validation.id_number, self.id_number)
        _check("hukou_region_code", validation.region_code, self.hukou_region_code)
        if self.disability_grade is not None and not 1 <= self.disability_grade <= 4:
            raise ValueError(f"disability_grade{SEP}残疾等级应为1到4级")
        for name in ("consecutive_service_refusals", "unreachable_months_past_year"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name}{SEP}不能为负数")
        if self.unreachable_months_past_year > 12:
            raise ValueError(f"unreachable_months_past_year{SEP}一年内无法联系的月数不能超过12")
        self.__dict__["_ident"] = ident  # cached: birth date and sex come from the checked number

    @property
    def birth_date(self) -> date:
        ident: validation.IdNumber = self.__dict__["_ident"]
        return ident.birth_date

    @property
    def sex(self) -> str:
        ident: validation.IdNumber = self.__dict__["_ident"]
        return ident.sex

    @cached_property
    def category(self) -> RetirementCategory:
        return self.retirement_category or default_category(self.sex)


class Recognition(Struct, frozen=True):
    region_code: str
    recognised_on: date
    exited_on: date | None = None
    categories: list[int] = []

    def __post_init__(self) -> None:
        _check("region_code", validation.region_code, self.region_code)
        _ordered("recognised_on", self.recognised_on, "exited_on", self.exited_on)
        if any(not 1 <= c <= 7 for c in self.categories):
            raise ValueError(f"categories{SEP}认定类别应为1到7（002 §1）")

    def covers(self, day: date) -> bool:
        return self.recognised_on <= day and (self.exited_on is None or day <= self.exited_on)


class Employer(Struct, frozen=True):
    region_code: str
    uscc: str | None = None
    small_micro: bool | None = None
    founded_on: date | None = None
    insured_headcount: int | None = None
    headcount_year_start: int | None = None
    headcount_year_end: int | None = None
    wages_and_insurance_on_time: bool | None = None
    clean_credit: bool | None = None
    in_poverty_area: bool | None = None
    """贫困地区 (004 §2(3)1): the employer's county is a designated poverty county."""
    in_skills_ecochain: bool | None = None
    """Guangdong 产业技能生态链 enterprise (001)."""

    def __post_init__(self) -> None:
        _check("region_code", validation.region_code, self.region_code)
        if self.uscc is not None:
            _check("uscc", validation.social_credit_code, self.uscc)
        for name in ("insured_headcount", "headcount_year_start", "headcount_year_end"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name}{SEP}人数不能为负数")


class Contribution(Struct, frozen=True):
    """One month of social insurance actually paid for the placement, by part and insurance."""

    month: str
    employer: dict[str, Decimal] = {}
    personal: dict[str, Decimal] = {}

    def __post_init__(self) -> None:
        if not _MONTH.match(self.month):
            raise ValueError(f"month{SEP}月份格式应为 YYYY-MM")
        for part, amounts in (("employer", self.employer), ("personal", self.personal)):
            for insurance, amount in amounts.items():
                if insurance not in INSURANCES:
                    raise ValueError(f"{part}.{insurance}{SEP}未知险种，应为 {'、'.join(INSURANCES)}")
                _non_negative(f"{part}.{insurance}", amount)


class Agency(Struct, frozen=True):
    id: str
    licensed: bool = True


class Placement(Struct, frozen=True):
    id: str
    kind: PlacementKind
    start: date
    region_code: str
    end: date | None = None
    contract_months: int | None = None
    full_time: bool = True
    monthly_hours: Decimal | None = None
    monthly_wage: Decimal | None = None
    rural_post: bool = False
    temporary_public_welfare: bool = False
    social_insurance_paid: bool | None = None
    first_registration: bool | None = None
    """Self-employment: a start-up or a first-time registered individual business (000 §6)."""
    agency: Agency | None = None
    claiming_agencies: list[str] = []
    """Agencies that asked for a service fee for this placement (only one can be paid)."""
    contributions: list[Contribution] = []
    in_poverty_area: bool | None = None
    """The employer's county is a poverty county on the start day (004 §2(3)1); None: see ``Case.employer``."""
    rulings: dict[str, bool] = {}
    """Officers' calls where a document says "原则上", by question (``public_welfare_beyond_limit``)."""
    agency_fee_claimed_year: int | None = None
    """The year of a live (not rejected) agency-fee claim for this placement (004 §2(2)2)."""

    def __post_init__(self) -> None:
        _check("region_code", validation.region_code, self.region_code)
        _ordered("start", self.start, "end", self.end)
        _non_negative("monthly_wage", self.monthly_wage)
        _non_negative("monthly_hours", self.monthly_hours)
        if self.contract_months is not None and self.contract_months < 0:
            raise ValueError(f"contract_months{SEP}合同期限不能为负数")

    def in_post_through(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


class Training(Struct, frozen=True):
    kind: Literal["employment_skills", "post_skill"]
    start: date
    end: date
    days_attended: int = 0
    completed: bool = True

    def __post_init__(self) -> None:
        _ordered("start", self.start, "end", self.end)
        if not 0 <= self.days_attended <= (self.end - self.start).days + 1:
            raise ValueError(f"days_attended{SEP}到课天数应在0到培训天数之间")


class StartupLoan(Struct, frozen=True):
    start: date
    principal: Decimal
    annual_rate: Decimal
    months: int
    first_startup: bool = True

    def __post_init__(self) -> None:
        _non_negative("principal", self.principal)
        if not Decimal(0) <= self.annual_rate <= Decimal("0.5"):
            raise ValueError(f"annual_rate{SEP}年利率应在0到0.5之间（如 0.0385）")
        if not 1 <= self.months <= 120:
            raise ValueError(f"months{SEP}贷款期限应为1到120个月")


class RecognitionApplication(Struct, frozen=True):
    """An application for recognition in progress (002 §2), with the steps completed so far."""

    applied_on: date
    completed: dict[RecognitionStep, date] = {}

    def __post_init__(self) -> None:
        for step, day in self.completed.items():
            _ordered("applied_on", self.applied_on, f"completed.{step.value}", day)


class Apprenticeship(Struct, frozen=True):
    """001 广东: a final-year student of a technical, vocational or higher school taken on as an
    apprentice by an enterprise of an industrial skills eco-chain, with an agreement."""

    start: date
    agreement_signed: bool = True
    final_year_student: bool | None = None
    months: int = 12

    def __post_init__(self) -> None:
        if not 1 <= self.months <= 60:
            raise ValueError(f"months{SEP}培养期限应为1到60个月")


class History(Struct, frozen=True):
    """What placements NOT in ``Case.placements`` already used (002 §5: periods accumulate).

    The placements in the case are counted by the engine itself, in start order; this is for
    history kept elsewhere (another system, before the ledger)."""

    employer_si_months_used: int = 0
    flexible_si_months_used: int = 0
    public_welfare_si_months_used: int = 0
    public_welfare_subsidy_months_used: int = 0
    public_welfare_placements: int = 0
    living_allowance_months_used: int = 0
    agency_fee_years: list[int] = []
    poverty_job_subsidy_years: list[int] = []

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if isinstance(value, int) and value < 0:
                raise ValueError(f"{name}{SEP}不能为负数")


class Case(Struct, frozen=True):
    case_id: str
    person: Person
    recognitions: list[Recognition] = []
    tier: int | None = None
    tier_since: date | None = None
    employer: Employer | None = None
    placements: list[Placement] = []
    training: list[Training] = []
    startup_loan: StartupLoan | None = None
    apprenticeship: Apprenticeship | None = None
    recognition_application: RecognitionApplication | None = None
    history: History = History()
    pushes: list[date] = []
    contacts: list[date] = []

    def __post_init__(self) -> None:
        if self.tier is not None and self.tier not in (1, 2, 3):
            raise ValueError(f"tier{SEP}帮扶分级应为1、2或3（002 §4）")
        if len({p.id for p in self.placements}) != len(self.placements):
            raise ValueError(f"placements{SEP}安置编号（id）不能重复")

    def recognition_on(self, day: date) -> Recognition | None:
        for r in self.recognitions:
            if r.covers(day):
                return r
        return None


_TYPE_WORDS = {
    "int": "整数",
    "str": "文本",
    "bool": "true/false",
    "object": "对象",
    "array": "数组",
    "float": "数字",
    "null": "null",
    "date": "日期 YYYY-MM-DD",
    "decimal": "金额字符串",
}


def _chinese(message: str) -> str:
    if m := re.match(r"Expected `(.+?)`, got `(.+?)`", message):
        want = " 或 ".join(_TYPE_WORDS.get(t.strip(), t.strip()) for t in m.group(1).split("|"))
        return f"类型应为{want}"
    if m := re.match(r"Object missing required field `(.+?)`", message):
        return f"缺少必填字段 {m.group(1)}"
    if m := re.match(r"Object contains unknown field `(.+?)`", message):
        return f"未知字段 {m.group(1)}"
    if message.startswith("Invalid enum value"):
        return f"取值不在允许范围内（{message.split('value', 1)[1].strip()}）"
    if "Invalid RFC3339" in message or "Invalid date" in message:
        return "日期格式应为 YYYY-MM-DD"
    if "Invalid decimal" in message:
        return "金额格式不正确"
    if "JSON is malformed" in message or "Input data was truncated" in message:
        return "JSON 格式不正确"
    return message


def _field_error(exc: msgspec.DecodeError) -> FieldError:
    text = str(exc)
    path = ""
    if m := re.search(r" - at `\$(.*)`$", text):
        path, text = m.group(1).lstrip("."), text[: m.start()]
    if SEP in text:
        own, text = text.split(SEP, 1)
        path = f"{path}.{own}" if path else own
        return FieldError(path or "$", text)
    if m := re.match(r"Object missing required field `(.+?)`", text):
        return FieldError(f"{path}.{m.group(1)}" if path else m.group(1), _chinese(text))
    return FieldError(path or "$", _chinese(text))


_decoder = msgspec.json.Decoder(Case)
_many_decoder = msgspec.json.Decoder(list[Case])


def decode_case(data: bytes | str) -> Case:
    try:
        return _decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise FactsError([_field_error(exc)]) from None


def decode_cases(data: bytes | str) -> list[Case]:
    try:
        return _many_decoder.decode(data)
    except msgspec.DecodeError as exc:
        raise FactsError([_field_error(exc)]) from None


def case_from_python(obj: object) -> Case:
    """Facts already as Python objects (dicts, dates) — the ledger's and the API's path."""
    try:
        return msgspec.convert(obj, Case)
    except msgspec.ValidationError as exc:
        raise FactsError([_field_error(exc)]) from None
