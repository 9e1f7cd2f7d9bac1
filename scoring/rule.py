"""The small machinery every rule uses: parameter lookups that are recorded, condition
checks that are traced, and one place that turns them into a status."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
    ):
        self.case, self.as_of, self.policies, self.local = case, as_of, policies, local
        self.doc, self.scheme, self.subject = doc, scheme, subject
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

    def check(self, label: str, ok: bool | None, fact: str | None = None) -> bool:
        """A condition: ✓, ✗, or ? when the fact it needs is missing (``ok`` is None)."""
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
        elif matures_on is not None and matures_on > self.as_of:
            status = DecisionStatus.NOT_YET
            self.trace.append(f"… 条件将于 {matures_on.isoformat()} 满足")
        elif amount is None and amount_expected:
            status = DecisionStatus.ELIGIBLE_AMOUNT_UNSET
        else:
            status = DecisionStatus.ELIGIBLE
        if status is not DecisionStatus.ELIGIBLE and status is not DecisionStatus.ELIGIBLE_AMOUNT_UNSET:
            amount = None
            extra.pop("months", None)
            extra.pop("month_amounts", None)
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
            **extra,
        )


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
