"""The shared vocabulary: kinds, schedules, units and statuses, with their Chinese labels.

Pure enums (no database, no web) so scoring/, matcher/ and the ledger speak one language.
The values are the wire and storage form; ``.label`` is what a clerk reads.
"""

from __future__ import annotations

import enum
from typing import Self


class Labelled(str, enum.Enum):
    label: str

    def __new__(cls, value: str, label: str) -> Self:
        obj = str.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj


class PostingKind(Labelled):
    ORDINARY = "ordinary", "普通岗位"
    LOVE = "love", "爱心岗位"  # 000 §2: 无年龄限制、无技能要求
    GIG = "gig", "零工岗位"  # 000 §7: 零工市场的钟点工、兼职
    PUBLIC_WELFARE = "public_welfare", "公益性岗位"  # 000 §8, 002 §3


class Schedule(Labelled):
    FULL_TIME = "full_time", "全日制"
    PART_TIME = "part_time", "非全日制"
    HOURLY = "hourly", "小时工"
    DAILY = "daily", "日结"


class WageUnit(Labelled):
    HOUR = "hour", "元/小时"
    DAY = "day", "元/天"
    MONTH = "month", "元/月"
    PIECE = "piece", "元/件"


class PostingStatus(Labelled):
    OPEN = "open", "招聘中"
    FILLED = "filled", "已招满"
    EXPIRED = "expired", "已过期"


class PlacementKind(Labelled):
    EMPLOYER_ABSORPTION = "employer_absorption", "企业吸纳就业"  # 000 §5, 002 §3
    FLEXIBLE = "flexible", "灵活就业"  # 000 §7, 002 §3
    PUBLIC_WELFARE = "public_welfare", "公益性岗位安置"  # 000 §8, 002 §3
    SELF_EMPLOYED = "self_employed", "自主创业"  # 000 §6, 002 §3


class UrbanRural(Labelled):
    URBAN = "urban", "城镇"
    RURAL = "rural", "农村"


class AssistanceStatus(Labelled):
    """Minimum-living-guarantee status of a household (低保 / 低边)."""

    NONE = "none", "无"
    DIBAO = "dibao", "低保"
    DIBIAN = "dibian", "低保边缘"


class ConsentScope(Labelled):
    DATA_PROCESSING = "data_processing", "同意处理个人信息用于就业援助"
    SHOW_TO_EMPLOYERS = "show_to_employers", "同意向用人单位展示脱敏信息"
    JOB_PUSH = "job_push", "同意接收岗位推送"


class PushChannel(Labelled):
    COUNTER = "counter", "窗口"
    SMS = "sms", "短信"
    PHONE = "phone", "电话"
    WECHAT = "wechat", "微信"
    APP = "app", "平台"


class RecognitionStatus(Labelled):
    APPLIED = "applied", "已申请"
    IN_REVIEW = "in_review", "审核中"
    RECOGNISED = "recognised", "已认定"
    REJECTED = "rejected", "不予认定"
    EXITED = "exited", "已退出"


class RecognitionStep(Labelled):
    """002 §2: community 5 working days → publicity 5 → street 5 → county 5."""

    COMMUNITY_REVIEW = "community_review", "社区（行政村）受理调查"
    PUBLICITY = "publicity", "公示"
    STREET_REVIEW = "street_review", "街道（乡镇）复审"
    COUNTY_REVIEW = "county_review", "县级人社部门审核认定"


class StepOutcome(Labelled):
    PENDING = "pending", "办理中"
    PASSED = "passed", "通过"
    FAILED = "failed", "不通过"


class DecisionStatus(Labelled):
    ELIGIBLE = "eligible", "符合条件"
    ELIGIBLE_AMOUNT_UNSET = "eligible_amount_unset", "符合条件，金额由地方规定"
    NOT_YET = "not_yet", "暂未满足条件"
    INELIGIBLE = "ineligible", "不符合条件"
    NEEDS_FACTS = "needs_facts", "缺少信息"
    NEEDS_APPROVAL = "needs_approval", "待经办人员审批"  # a "原则上" limit passed: an officer decides
    OUTSIDE_VALIDITY = "outside_validity", "不在政策有效期内"


class ClaimStatus(Labelled):
    SUBMITTED = "submitted", "已提交"
    APPROVED = "approved", "已核准"
    REJECTED = "rejected", "已驳回"


class Role(Labelled):
    COUNTER = "counter", "零工市场窗口人员"
    AGENCY = "agency", "人力资源服务机构"
    EMPLOYER = "employer", "用人单位"
    OFFICER = "officer", "人社经办人员"
    ADMIN = "admin", "系统管理员"


# 002 §5(3) 退出劳动力市场: the ways out the clause names.
LEFT_REASONS = {
    "death": "死亡",
    "study": "升学",
    "military": "服兵役",
    "emigration": "移居境外",
    "prison": "被判刑收监执行",
    "incapacity": "完全丧失劳动能力",
}
