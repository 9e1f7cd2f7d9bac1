"""The small machinery every rule uses: parameter lookups that are recorded, condition
checks that are traced, and one place that turns them into a status."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Generic, TypeVar

from jiuyuan.vocab import DecisionStatus
from scoring.decision import Decision
from scoring.facts import Case
from scoring.params import LOCAL_PARAMETERS, Document, LocalConfig, PolicySet

FEN = Decimal("0.01")
S = TypeVar("S")  # what a scheme's rules are applied to: a placement, a training course, a spell…


@dataclass(frozen=True)
class Subject(Generic[S]):
    """What a rule is applied to, the region whose rules apply, and the dates that pick them:
    a placement's start, or a span (an unemployment spell) that must overlap a document's
    validity."""

    label: str
    region: str
    key_date: date
    obj: S
    last_date: date | None = None

    def within(self, start: date, end: date | None) -> bool:
        last = self.last_date or self.key_date
        return start <= last and (end is None or self.key_date <= end)


@dataclass
class Granted:
    """What earlier subjects of one evaluation were granted, in start order: periods accumulate
    across a person's placements and recognitions (002 §5), placements are counted (002 §5
    "安置次数"), and one agency fee is paid a person a year (004 §2(2)2)."""

    months: dict[str, int] = field(default_factory=dict)
    """Months granted so far, by period family (``family_of``)."""
    fee_years: dict[int, str] = field(default_factory=dict)
    """Agency-fee year → the placement that has it."""
    taken: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    """Month → (scheme code, scheme name, subject) of the social-insurance subsidy that pays it."""
    lost: dict[tuple[str, str, str, str], list[str]] = field(default_factory=dict)
    """(winner code, winner subject, loser code, loser subject) → the months the loser gave up."""


SOCIAL_INSURANCE = "social_insurance"


def family_of(scheme: str, social_insurance: bool, document: str) -> str:
    """The period a scheme's months count against. 002 §5 "社保补贴…期限累计计算": one period for
    the social-insurance subsidies of 就业困难人员 whatever the form of work (000, 002, 003);
    004's subsidy for poverty-registered labour keeps its own three years (004 §2(3)2)."""
    if social_insurance and document != "004":
        return SOCIAL_INSURANCE
    return f"{document}.{scheme}" if social_insurance else scheme


class Eval:
    """One rule applied to one subject; collects what the decision needs as it goes."""

    __slots__ = (
        "case",
        "as_of",
        "policies",
        "local",
        "doc",
        "scheme",
        "subject",
        "trace",
        "params",
        "failed",
        "missing",
        "unset",
        "notes",
        "granted",
        "approvals",
        "hints",
        "maturity",
    )

    def __init__(
        self,
        case: Case,
        as_of: date,
        policies: PolicySet,
        local: LocalConfig,
        doc: Document,
        scheme: AnyScheme,
        subject: str,
        granted: Granted | None = None,
    ):
        self.case, self.as_of, self.policies, self.local = case, as_of, policies, local
        self.doc, self.scheme, self.subject = doc, scheme, subject
        self.granted = granted if granted is not None else Granted()
        self.approvals: list[str] = []
        self.hints: list[str] = []
        self.maturity = ""
        """What matures on ``matures_on`` (在岗满12个月), for the next step of a decision not yet due."""
        self.trace: list[str] = []
        self.params: dict[str, str] = {}
        self.failed: list[str] = []
        self.missing: list[str] = []
        self.unset: list[str] = []
        self.notes: list[str] = []

    def p(self, name: str, day: date) -> Any:
        """A value the documents state; recorded with its clause."""
        param = self.policies.parameters[name]
        value = param.at(day)
        self.params[name] = f"{value}（{param.reference}）"
        return value

    def local_value(self, name: str, region: str, day: date) -> Any:
        """A value the documents leave to the locality; None (and listed as unset) when not configured."""
        value = self.local.at(name, region, day)
        if value is None:
            if name not in self.unset:
                self.unset.append(name)
        else:
            self.params[name] = f"{value}（地方参数：{LOCAL_PARAMETERS[name][2]}）"
        return value

    def used(self, elsewhere: int = 0) -> int:
        """Months of this scheme's period already used: ``elsewhere`` (History) plus what earlier
        placements here were granted (``family_of``)."""
        family = family_of(self.scheme.code, self.scheme.social_insurance, self.doc.code)
        return elsewhere + self.granted.months.get(family, 0)

    def untaken(self, months: list[str]) -> list[str]:
        """One month, one social-insurance subsidy: a month an earlier placement's subsidy already
        pays is dropped here, with a trace line (the documents never pay a month twice and do not
        say which scheme yields; the placement that started first keeps it, so money already
        scheduled is never taken back)."""
        out = []
        for month in months:
            owner = self.granted.taken.get(month)
            if owner is None or owner[2] == self.subject:
                out.append(month)
                continue
            self.trace.append(f"✗ {month} 已由{owner[1]}（安置 {owner[2]}）支付，本项不再重复支付")
            key = (owner[0], owner[2], self.scheme.code, self.subject)
            self.granted.lost.setdefault(key, []).append(month)
        return out

    def approval(self, label: str, ruling: bool | None) -> bool:
        """A limit the document sets "原则上": an officer's ruling decides; without one the
        decision waits for it (``needs_approval``) instead of failing."""
        if ruling is None:
            self.trace.append(f"… {label}：须经办人员审批")
            self.approvals.append(label)
            return False
        return self.check(f"{label}：经办人员{'已批准' if ruling else '不予批准'}", ruling)

    def check(self, label: str, ok: bool | None, fact: str | None = None, hint: str | None = None) -> bool:
        """A condition: ✓, ✗, or ? when the fact it needs is missing (``ok`` is None). ``hint``:
        what would meet it, in plain Chinese, for the decision's next step."""
        if hint and not ok and hint not in self.hints:
            self.hints.append(hint)
        if ok is None:
            self.trace.append(f"? {label}（缺少：{fact}）")
            if fact and fact not in self.missing:
                self.missing.append(fact)
            return False
        self.trace.append(("✓ " if ok else "✗ ") + label)
        if not ok:
            self.failed.append(label)
        return ok

    def note(self, text: str) -> None:
        self.trace.append(f"· {text}")

    def decide(
        self,
        *,
        amount: Decimal | None = None,
        matures_on: date | None = None,
        amount_expected: bool = True,
        **extra: Any,
    ) -> Decision:
        """Status precedence: a failed condition (ineligible) over a missing fact (needs facts)
        over a future maturity (not yet) over an unset local amount."""
        if self.failed:
            status = DecisionStatus.INELIGIBLE
        elif self.missing:
            status = DecisionStatus.NEEDS_FACTS
        elif self.approvals:
            status = DecisionStatus.NEEDS_APPROVAL
        elif matures_on is not None and matures_on > self.as_of:
            status = DecisionStatus.NOT_YET
            self.trace.append(f"… 条件将于 {matures_on.isoformat()} 满足")
        elif amount is None and amount_expected:
            status = DecisionStatus.ELIGIBLE_AMOUNT_UNSET
        else:
            status = DecisionStatus.ELIGIBLE
        if status is not DecisionStatus.ELIGIBLE and status is not DecisionStatus.ELIGIBLE_AMOUNT_UNSET:
            amount = None
            for paid in ("months", "month_amounts", "period_start", "period_end", "cap", "floor"):
                extra.pop(paid, None)
        amount = None if amount is None else amount.quantize(FEN, ROUND_HALF_UP)
        for bound in ("cap", "floor"):
            if extra.get(bound) is not None:
                extra[bound] = extra[bound].quantize(FEN, ROUND_HALF_UP)
        return Decision(
            scheme=self.scheme.code,
            name=self.scheme.name,
            status=status,
            document=self.doc.code,
            legal_basis=list(self.scheme.basis_for(self.doc.code)),
            subject=self.subject,
            amount=amount,
            matures_on=matures_on,
            failed=self.failed,
            missing=self.missing,
            unset=self.unset,
            parameters=self.params,
            trace=self.trace,
            notes=self.notes,
            payment=self.scheme.payment,
            next_step=next_step(self, status, matures_on),
            **extra,
        )


def next_step(ev: Eval, status: DecisionStatus, matures_on: date | None) -> str | None:
    """What would make the decision payable, in words a clerk can read out."""
    basis = "、".join(ev.scheme.basis_for(ev.doc.code))
    if status is DecisionStatus.INELIGIBLE:
        return "；".join(ev.hints) if ev.hints else f"不符合：{ev.failed[0]}（{basis}）"
    if status is DecisionStatus.NEEDS_FACTS:
        return f"请补充：{'、'.join(fact_label(f) for f in ev.missing)}，补充后重新评估"
    if status is DecisionStatus.NEEDS_APPROVAL:
        return f"{ev.approvals[0]}，须经办人员审批：批准后按规定享受（{basis}）"
    if status is DecisionStatus.NOT_YET and matures_on is not None:
        return f"{ev.maturity or '条件满足'}后（{matures_on.isoformat()}起）可申领（{basis}）"
    if status is DecisionStatus.ELIGIBLE_AMOUNT_UNSET:
        # The parameters themselves are in ``unset``; their names could say who the person is.
        return f"符合条件；金额由地方按规定设定，尚未配置（{basis}）"
    return None


FACT_LABELS = {
    "placements.social_insurance_paid": "社会保险缴费记录（社保经办机构逐月缴费明细）",
    "placements.contributions": "社会保险逐月缴费明细",
    "placements.contract_months": "劳动合同期限",
    "placements.monthly_hours": "非全日制岗位每月工时",
    "placements.first_registration": "是否为初创企业或初次注册的个体工商户",
    "employer.in_poverty_area": "用人单位所在县是否属贫困地区（贫困县名录未载入该县）",
    "person.registered_unemployed_since": "登记失业日期",
    "person.retirement_category": "原法定退休年龄类别（女工人或女干部、灵活就业人员）",
    "employer.founded_on": "企业成立日期",
    "employer.insured_headcount": "企业参保人数",
    "employer.headcount_year_start/headcount_year_end": "上年初、上年末用工人数",
    "employer.clean_credit": "企业及其法定代表人、实际控制人的征信情况",
    "employer.small_micro": "是否属于小微企业",
    "employer.wages_and_insurance_on_time": "是否按时足额支付工资、缴纳社会保险费",
    "employer.in_skills_ecochain": "是否为产业技能生态链企业",
    "apprenticeship.final_year_student": "学徒是否为毕业年度学生",
    "older_worker_age（地方参数）": "大龄就业困难人员年龄标准（地方参数）",
}


def fact_label(path: str) -> str:
    return FACT_LABELS.get(path, path)


RuleFn = Callable[[Eval, S], Decision | None]
SubjectsFn = Callable[[Case, date], Iterable[Subject[S]]]


@dataclass(frozen=True)
class Variant(Generic[S]):
    document: str
    basis: tuple[str, ...]
    fn: RuleFn[S]
    own_validity: tuple[date, date | None] | None = None
    """The clause's own notice's dates where a document bundles several (001); None: the document's."""
    jurisdiction: tuple[str, ...] | None = None  # narrower than the document's (001 bundles places)

    def validity(self, doc: Document) -> tuple[date, date | None]:
        return self.own_validity or (doc.valid_from, doc.valid_to)

    def covers(self, doc: Document, region_code: str) -> bool:
        if self.jurisdiction is None:
            return doc.covers(region_code)
        return any(region_code.startswith(p) for p in self.jurisdiction)


@dataclass(frozen=True)
class Scheme(Generic[S]):
    code: str
    name: str
    level: str  # "placement", "person" or "employer"
    payment: str | None
    variants: tuple[Variant[S], ...]
    subjects: SubjectsFn[S]
    """What the rules are applied to in a case: its placements of some kinds, its training…"""
    social_insurance: bool = False
    """Pays social-insurance months: one month is paid by one such scheme only."""

    def basis_for(self, document: str) -> tuple[str, ...]:
        return next(v.basis for v in self.variants if v.document == document)


# Any: each scheme's rules take its own subject type; Scheme(...) checks the two agree where it is built.
AnyScheme = Scheme[Any]
