"""Parameters as data: policy values from the seeds, local values from a labelled local file.

Policy files (``scoring/policies/*.yaml``, one per seed) hold what the documents state,
each value dated and cited. What the documents leave to "按规定" or to the locality is a
*local parameter*: declared below with the clause that leaves it open, and set only by a
local configuration file that names its own source. A local parameter nobody set is
``None``: the rule then answers "eligible, amount not set by these documents".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

POLICY_DIR = Path(__file__).resolve().parent / "policies"
RULESET_VERSION = "2026.11.0"


@dataclass(frozen=True)
class Document:
    code: str
    file: str
    title: str
    number: str | None
    issuer: str
    jurisdiction: tuple[str, ...]
    valid_from: date
    valid_to: date | None
    last_reviewed: date

    def covers(self, region_code: str) -> bool:
        return any(region_code.startswith(p) for p in self.jurisdiction)

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    @property
    def citation(self) -> str:
        return f"{self.code} {self.title}" + (f"（{self.number}）" if self.number else "")


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    reference: str
    values: tuple[tuple[date, Any], ...]  # sorted by date; a None value ends the parameter

    def at(self, day: date) -> Any:
        current = None
        for start, value in self.values:
            if start <= day:
                current = value
            else:
                break
        return current


# name → (description, unit, the clause that leaves it to the locality)
LOCAL_PARAMETERS: dict[str, tuple[str, str, str]] = {
    "minimum_wage.monthly": ("当地月最低工资标准", "yuan/month", "000 §8"),
    "minimum_wage.hourly": ("当地小时最低工资标准", "yuan/hour", "000 §8"),
    "public_welfare.temporary_monthly_standard": (
        "城镇临时性全日制公益性岗位补贴标准（不超过月最低工资）",
        "yuan/month",
        "000 §8",
    ),
    "public_welfare.temporary_hourly_standard": (
        "非全日制临时性公益性岗位补贴标准（不超过小时最低工资）",
        "yuan/hour",
        "000 §8",
    ),
    "public_welfare.rural_monthly_standard": (
        "乡村公益性岗位补贴标准（月最低工资的50%–100%，由市州、县市区确定）",
        "yuan/month",
        "000 §8",
    ),
    "public_welfare.post_monthly_subsidy": ("公益性岗位补贴标准", "yuan/month", "002 §3"),
    "public_welfare.max_months": ("公益性岗位补贴期限", "months", "002 §3"),
    "public_welfare_si.monthly_subsidy": ("公益性岗位社会保险补贴标准", "yuan/month", "002 §3"),
    "employer_si.monthly_subsidy": ("企业吸纳就业困难人员社会保险补贴标准", "yuan/month", "000 §5, 002 §3, 003 §3(3)"),
    "employer_si.max_months": ("企业吸纳社会保险补贴期限", "months", "000 §5, 002 §3, 003 §3(3)"),
    "one_off_job_subsidy.amount": ("一次性岗位补贴标准", "yuan/person", "000 §5"),
    "flexible_si.monthly_subsidy": ("灵活就业社会保险补贴标准", "yuan/month", "000 §7, 002 §3, 003 §3(2)"),
    "flexible_si.max_months": ("灵活就业社会保险补贴期限", "months", "000 §7, 002 §3, 003 §3(2)"),
    "training.standard": ("同类职业培训补贴标准（每人每期）", "yuan/person", "004 §2(2)3"),
    "transport.amount": ("跨区域外出务工一次性交通补助标准", "yuan/person", "004 §2(2)6"),
    "dibao.monthly_standard": ("最低生活保障标准", "yuan/month", "003 §3(6)"),
    "unemployment_benefit.monthly": ("失业保险金标准", "yuan/month", "000 §9"),
    "startup.one_off_amount": ("一次性创业补贴标准", "yuan", "000 §6"),
    "jiaxing_agency_service.amount": ("就业创业服务补助标准", "yuan/person", "003 §3(5)"),
    "older_worker_age.male": ("“大龄”就业困难人员的年龄（男）", "years", "003 §3(4)"),
    "older_worker_age.female": ("“大龄”就业困难人员的年龄（女）", "years", "003 §3(4)"),
    "recognition.other_categories": ("省人民政府规定的其他就业困难人员类别（名称列表）", "list", "002 §1(7)"),
    "training.difficult_subsidy": (
        "就业困难人员职业培训补贴标准（每人每期，“按规定”）",
        "yuan/person",
        "000 §4, 002 §3",
    ),
    "training.difficult_living_allowance_per_day": (
        "就业困难人员培训期间生活费补贴标准（每天实际到课，“按规定”）",
        "yuan/day",
        "000 §4",
    ),
    "startup_training.subsidy": ("创业培训补贴标准（每人，“按规定”）", "yuan/person", "000 §6, 002 §3"),
    "startup_guarantee_loan.max_principal": ("创业担保贷款个人额度上限（“按规定”）", "yuan", "000 §6, 002 §3"),
    "unemployment_assistance.monthly": ("失业补助金标准（“按规定”）", "yuan/month", "000 §9"),
    "unemployment_assistance.max_months": ("失业补助金发放期限（“按规定”）", "months", "000 §9"),
}


class ParameterError(ValueError):
    """A parameter file or override is wrong; the message says which and why, in Chinese."""


def _value(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return Decimal(raw)
        except ArithmeticError:
            return raw
    if isinstance(raw, float):
        raise ParameterError(f"参数值 {raw!r} 请写成字符串，避免浮点误差")
    return raw


def _dated_values(raw: object, where: str) -> tuple[tuple[date, Any], ...]:
    if not isinstance(raw, dict) or not raw:
        raise ParameterError(f"{where}: values 应为“日期: 值”的映射")
    out = []
    for start, value in raw.items():
        if not isinstance(start, date):
            raise ParameterError(f"{where}: {start!r} 不是日期（YYYY-MM-DD）")
        out.append((start, _value(value)))
    return tuple(sorted(out, key=lambda pair: pair[0]))


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: load_policies caches one per directory
class PolicySet:
    documents: dict[str, Document]
    parameters: dict[str, Parameter]
    fingerprint: str

    @property
    def version(self) -> str:
        return f"{RULESET_VERSION}+{self.fingerprint}"


@lru_cache(maxsize=4)
def load_policies(directory: Path = POLICY_DIR) -> PolicySet:
    documents: dict[str, Document] = {}
    parameters: dict[str, Parameter] = {}
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        text = path.read_bytes()
        digest.update(text)
        data = yaml.safe_load(text)
        if not isinstance(data, dict) or "document" not in data:
            continue  # a list the rules read (poverty_counties.yaml): in the fingerprint, not a document
        doc = data["document"]
        documents[doc["code"]] = Document(
            code=doc["code"],
            file=doc["file"],
            title=doc["title"],
            number=doc.get("number"),
            issuer=doc["issuer"],
            jurisdiction=tuple(doc["jurisdiction"]),
            valid_from=doc["valid_from"],
            valid_to=doc.get("valid_to"),
            last_reviewed=doc["last_reviewed"],
        )
        for name, spec in (data.get("parameters") or {}).items():
            if name in parameters:
                raise ParameterError(f"{path.name}: 参数 {name} 重复定义")
            parameters[name] = Parameter(
                name,
                spec["description"],
                spec["unit"],
                spec["reference"],
                _dated_values(spec["values"], f"{path.name}:{name}"),
            )
    return PolicySet(documents, parameters, digest.hexdigest()[:10])


@dataclass(frozen=True)
class LocalConfig:
    """Local parameters by region prefix and date, with the source the locality names."""

    source: str
    values: dict[str, dict[str, tuple[tuple[date, Any], ...]]] = field(default_factory=dict)

    def at(self, name: str, region_code: str, day: date) -> Any:
        by_region = self.values.get(name)
        if not by_region:
            return None
        matches = [p for p in by_region if region_code.startswith(p)]
        if not matches:
            return None
        current = None
        for start, value in by_region[max(matches, key=len)]:
            if start <= day:
                current = value
        return current


EMPTY_LOCAL = LocalConfig(source="（未配置地方参数）")


def load_local(path: Path) -> LocalConfig:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"无法读取地方参数文件 {path}: {exc}") from None
    source = str(data.get("source") or "").strip()
    if not source:
        raise ParameterError(f"{path}: 地方参数文件必须写明 source（数值出处，如地方政府文件文号）")
    values: dict[str, dict[str, tuple[tuple[date, Any], ...]]] = {}
    for name, by_region in (data.get("parameters") or {}).items():
        if name not in LOCAL_PARAMETERS:
            raise ParameterError(f"{path}: 未知的地方参数 {name}；可设置的参数见 scoring.params.LOCAL_PARAMETERS")
        values[name] = {
            str(prefix): _dated_values(dated, f"{path}:{name}:{prefix}") for prefix, dated in by_region.items()
        }
    return LocalConfig(source=source, values=values)


def with_override(local: LocalConfig, name: str, region_prefix: str, start: date, value: Any) -> LocalConfig:
    """A copy of ``local`` where ``name`` takes ``value`` from ``start`` in ``region_prefix`` (what-if)."""
    if name not in LOCAL_PARAMETERS:
        raise ParameterError(f"未知的地方参数 {name}")
    values = {k: dict(v) for k, v in local.values.items()}
    dated = dict(values.setdefault(name, {}).get(region_prefix, ()))
    dated[start] = _value(value)
    values[name][region_prefix] = tuple(sorted(dated.items(), key=lambda pair: pair[0]))
    return LocalConfig(source=f"{local.source}；假设：{name}@{region_prefix}={value}（自{start}）", values=values)
