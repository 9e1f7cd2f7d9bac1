"""The columns an import reads: the names offices give them, and the words they write in them.

The first name is the usual one (it labels the column in reports); the field name intake takes
is accepted as a header too. ``choices`` turn the Chinese labels and common shorthands into
the stored values; anything else goes to intake unchanged, which refuses it with the allowed
values. ``extra`` columns are the import's own (looked up, checked against the ID number, or
consent), not intake fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jiuyuan import validation as v
from jiuyuan.vocab import ConsentScope, PostingKind, Schedule, UrbanRural, WageUnit


@dataclass(frozen=True, eq=False)
class Column:
    field: str
    names: tuple[str, ...]
    required: bool = False
    note: str = ""
    choices: Mapping[str, str] = field(default_factory=dict)
    many: bool = False  # a list written 保洁、护理 or 保洁,护理
    date: bool = False  # 2026/11/1 and 2026年11月1日 read as 2026-11-01
    identifier: bool = False  # refused when stored as a number: Excel drops the digits after the 15th
    extra: bool = False
    parse: Callable[[Any], Any] | None = None


def _labels(enum_cls, **aliases: str) -> dict[str, str]:
    return {m.label: m.value for m in enum_cls} | aliases


def _yes_no(label: str) -> Callable[[Any], bool]:
    def parse(value) -> bool:
        # Imported here: `jiuyuan import --help` lists these columns without loading the ORM.
        from ledger.intake import _flag

        return _flag(label)(value)

    return parse


def _sex(value: str) -> str:
    try:
        return {"男": "M", "女": "F", "M": "M", "F": "F"}[str(value).upper()]
    except KeyError:
        raise ValueError("性别应填“男”或“女”") from None


SCHEDULES = _labels(Schedule, 全职="full_time", 兼职="part_time", 钟点工="hourly")
_FROM_ID = "可不填，由身份证号码得出；填写时须与之一致"

PERSONS: tuple[Column, ...] = (
    Column("id_number", ("公民身份号码", "身份证号码", "身份证号"), True, "18位，单元格须为文本格式", identifier=True),
    Column("name", ("姓名",), True),
    Column("sex", ("性别",), note=_FROM_ID, extra=True, parse=_sex),
    Column("birth_date", ("出生日期",), note=_FROM_ID, date=True, extra=True, parse=v.a_date),
    Column("hukou_region_code", ("户籍地区划代码", "户籍地行政区划代码"), True, "6位县级代码"),
    Column("residence_region_code", ("所在地区划代码", "常住地区划代码", "居住地区划代码"), note="不填时同户籍地"),
    Column(
        "urban_rural",
        ("城乡类别", "户口性质"),
        True,
        "城镇/农村",
        choices=_labels(UrbanRural, 城市="urban", 非农业="urban", 乡村="rural", 农业="rural"),
    ),
    Column("phone", ("手机号码", "联系电话", "手机号")),
    Column("household_ref", ("户号",), note="须为已登记的家庭", extra=True),
    Column("education", ("学历", "文化程度")),
    Column("land_lost", ("失地农民", "是否失地农民"), note="是/否"),
    Column("disability_certificate", ("残疾证号", "残疾人证号")),
    Column(
        "disability_grade",
        ("残疾等级",),
        note="一级至四级",
        choices={"一级": "1", "二级": "2", "三级": "3", "四级": "4"},
    ),
    Column("skills", ("技能", "职业技能", "技能特长"), note="多项用顿号或逗号分隔"),
    Column("wished_work", ("求职意向", "意向岗位", "求职岗位"), note="多项用顿号或逗号分隔"),
    Column(
        "wished_schedules",
        ("可工作时间", "意向工作时间"),
        note="全日制/非全日制/小时工/日结，可多项",
        choices=SCHEDULES,
        many=True,
    ),
    Column("registered_unemployed_since", ("失业登记日期",), date=True),
    Column("poverty_registered_from", ("建档立卡起始日期",), date=True),
    Column("poverty_registered_to", ("建档立卡终止日期",), date=True),
    Column("latitude", ("纬度",)),
    Column("longitude", ("经度",)),
    *(
        Column(
            f"consent_{scope.value}",
            (name,),
            note=f"是/否（{scope.label}）；不填则不记录",
            extra=True,
            parse=_yes_no(name),
        )
        for scope, name in (
            (ConsentScope.DATA_PROCESSING, "同意处理个人信息"),
            (ConsentScope.SHOW_TO_EMPLOYERS, "同意向用人单位展示"),
            (ConsentScope.JOB_PUSH, "同意接收岗位推送"),
        )
    ),
)

POSTINGS: tuple[Column, ...] = (
    Column("ref", ("岗位编号",), True, "本单位的岗位编号，不能重复"),
    Column("title", ("岗位名称",), True),
    Column(
        "employer_uscc",
        ("用人单位统一社会信用代码", "统一社会信用代码"),
        note="须为已登记的用人单位",
        identifier=True,
        extra=True,
    ),
    Column("description", ("岗位描述", "岗位职责", "工作内容")),
    Column(
        "kind",
        ("岗位类型",),
        True,
        "普通岗位/爱心岗位/零工岗位/公益性岗位",
        choices=_labels(
            PostingKind, 普通="ordinary", 爱心="love", 零工="gig", 公益性="public_welfare", 公益岗位="public_welfare"
        ),
    ),
    Column("schedule", ("工作时间", "班次", "工作时间类型"), True, "全日制/非全日制/小时工/日结", choices=SCHEDULES),
    Column(
        "wage_unit",
        ("计薪方式", "工资单位"),
        True,
        "按小时/按天/按月/计件（或 元/月 等）",
        choices=_labels(
            WageUnit,
            按小时="hour",
            小时="hour",
            时薪="hour",
            按天="day",
            按日="day",
            天="day",
            日薪="day",
            按月="month",
            月="month",
            月薪="month",
            计件="piece",
            按件="piece",
        ),
    ),
    Column("wage_min", ("工资下限", "最低工资"), True, "元，最多两位小数"),
    Column("wage_max", ("工资上限", "最高工资"), note="不填时同工资下限"),
    Column("age_min", ("年龄下限", "最低年龄"), note="爱心岗位不填"),
    Column("age_max", ("年龄上限", "最高年龄"), note="爱心岗位不填"),
    Column("skills_required", ("技能要求",), note="多项用顿号或逗号分隔；爱心岗位不填"),
    Column("region_code", ("工作地点区划代码", "工作地区划代码"), True, "6位县级代码"),
    Column("address", ("工作地点", "工作地址")),
    Column("disabled_suitable", ("适合残疾人", "是否适合残疾人"), note="是/否"),
    Column("headcount", ("招聘人数",), note="不填为1"),
    Column("valid_from", ("有效期起",), True, date=True),
    Column("valid_until", ("有效期止",), True, date=True),
    Column("contact_phone", ("联系电话", "联系方式")),
    Column("latitude", ("纬度",)),
    Column("longitude", ("经度",)),
)


_PAYERS = {
    "单位": "employer",
    "单位缴纳": "employer",
    "单位缴费": "employer",
    "单位部分": "employer",
    "个人": "personal",
    "个人缴纳": "personal",
    "个人缴费": "personal",
    "灵活就业": "personal",
    "灵活就业人员": "personal",
    "个人(灵活就业)": "personal",
    "个人（灵活就业）": "personal",
    "个人（灵活就业人员）": "personal",
    "个人(灵活就业人员)": "personal",
}
_INSURANCES = {
    **{name: "pension" for name in ("养老", "养老保险", "基本养老保险", "企业职工基本养老保险", "职工基本养老保险")},
    **{name: "medical" for name in ("医疗", "医疗保险", "基本医疗保险", "职工基本医疗保险")},
    **{name: "unemployment" for name in ("失业", "失业保险")},
}

CONTRIBUTIONS: tuple[Column, ...] = (
    Column("id_number", ("公民身份号码", "身份证号码", "身份证号"), True, "18位，须为已登记人员", identifier=True),
    Column("name", ("姓名",), note="可不填；填写时须与台账一致", extra=True),
    Column("month", ("费款所属期", "缴费月份", "所属期"), True, "202611、2026-11、2026/11 或 2026年11月"),
    Column("payer", ("缴费主体", "缴费类型"), True, "单位/个人（灵活就业）", choices=_PAYERS),
    Column("insurance", ("险种", "险种类型"), True, "养老/医疗/失业（或 基本养老保险 等）", choices=_INSURANCES),
    Column("amount", ("缴费金额", "金额", "实缴金额"), True, "元，最多两位小数"),
    Column("source", ("数据来源",), note="不填时为“<文件名> 导入 <日期>”"),
)


def columns_markdown(columns: tuple[Column, ...]) -> str:
    """The columns as a Markdown table, for the README and the command's help."""
    lines = ["| 列名 | 也可写作 | 字段 | 必填 | 说明 |", "|---|---|---|---|---|"]
    for c in columns:
        lines.append(
            f"| {c.names[0]} | {'、'.join(c.names[1:])} | `{c.field}` | {'是' if c.required else ''} | {c.note} |"
        )
    return "\n".join(lines)
