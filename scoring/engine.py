"""``evaluate(case, as_of)``: pick the rules a case's places and dates call for, run them,
apply the combination rules, and return one report.

Which rules apply: each rule comes from a document with a jurisdiction (region-code
prefixes) and a validity period. A placement's own region and start date pick the
rules for it (the employer-side subsidies are paid where the work is: 004 §2(3)
"从用人单位所在地就业补助资金中列支"); person-level entitlements use the person's hukou
region and the date of the event that opens them. A rule of another place is not
reported; a rule of this place whose document was not in force on that date is reported
as ``outside_validity``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from jiuyuan.vocab import DecisionStatus
from scoring import assess
from scoring.decision import Conflict, Decision, Report
from scoring.facts import Case
from scoring.params import EMPTY_LOCAL, LocalConfig, PolicySet, load_policies
from scoring.rule import Eval, Granted, S, Scheme, Subject, Variant, family_of
from scoring.schemes import SCHEMES

_GRANTED = (DecisionStatus.ELIGIBLE, DecisionStatus.ELIGIBLE_AMOUNT_UNSET)


@lru_cache(maxsize=4096)
def _variants_for(scheme: Scheme[S], region: str, policies: PolicySet) -> tuple[Variant[S], ...]:
    return tuple(v for v in scheme.variants if v.covers(policies.documents[v.document], region))


def _run(
    scheme: Scheme[S],
    subject: Subject[S],
    case: Case,
    as_of: date,
    policies: PolicySet,
    local: LocalConfig,
    granted: Granted,
) -> list[Decision]:
    variants = _variants_for(scheme, subject.region, policies)
    if not variants:
        return []
    out: list[Decision] = []
    outside: list[tuple[Variant[S], str]] = []
    in_force = False
    for v in variants:
        doc = policies.documents[v.document]
        start, end = v.validity(doc)
        if subject.within(start, end):
            in_force = True
            decision = v.fn(Eval(case, as_of, policies, local, doc, scheme, subject.label, granted), subject.obj)
            if decision is not None:
                out.append(decision)
                if decision.status in _GRANTED and decision.months:
                    family = family_of(scheme.code, scheme.social_insurance, doc.code)
                    granted.months[family] = granted.months.get(family, 0) + len(decision.months)
                    if scheme.social_insurance:
                        for month in decision.months:
                            granted.taken.setdefault(month, (scheme.code, scheme.name, subject.label))
        else:
            outside.append((v, f"{doc.code}《{doc.title}》有效期 {start} 至 {end or '（未定）'}"))
    # A rule in force that found nothing to say (its document is silent) is not overruled by
    # the documents that were not in force.
    if not in_force and outside:
        first = outside[0][0]
        out.append(
            Decision(
                scheme=scheme.code,
                name=scheme.name,
                status=DecisionStatus.OUTSIDE_VALIDITY,
                document=first.document,
                legal_basis=list(first.basis),
                subject=subject.label,
                payment=scheme.payment,
                trace=[
                    f"✗ {subject.key_date}{f' 至 {subject.last_date}' if subject.last_date else ''} 不在政策有效期内："
                    + "；".join(text for _, text in outside)
                ],
            )
        )
    return out


def _si_conflicts(granted: Granted) -> list[Conflict]:
    """The months each social-insurance subsidy gave up to an earlier placement's (``Eval.untaken``)."""
    return [
        Conflict(
            rule="同一人同一月份只能享受一项社会保险补贴",
            legal_basis=["本系统合并规则：000 §5 §7、002 §3、003 §3(2)(3) 各自规定社保补贴，均未规定同月可叠加"],
            winner=f"{winner}（{winner_subject}）",
            losers=[f"{loser}（{loser_subject}）"],
            months=months,
            reason="先开始的安置保留该月补贴，后开始的安置不再重复支付",
        )
        for (winner, winner_subject, loser, loser_subject), months in granted.lost.items()
    ]


def _agency_conflicts(decisions: list[Decision], case: Case) -> list[Conflict]:
    """A placement pays one service fee: the agency recorded on the placement made it."""
    out = []
    for p in case.placements:
        others = [a for a in p.claiming_agencies if p.agency is None or a != p.agency.id]
        if not others:
            continue
        fee = next((d for d in decisions if d.scheme.startswith("agency_") and d.subject == p.id), None)
        winner = p.agency.id if p.agency else "（无登记机构）"
        out.append(
            Conflict(
                rule="同一安置的服务补贴只支付一次",
                legal_basis=list(fee.legal_basis) if fee else ["004 §2(2)2", "003 §3(5)"],
                winner=f"{winner}（{p.id}）",
                losers=[f"{a}（{p.id}）" for a in others],
                reason="安置记录登记的介绍机构享受补贴，其他机构对同一安置的申领不予支付",
            )
        )
    return out


def evaluate(
    case: Case,
    as_of: date,
    *,
    local: LocalConfig = EMPTY_LOCAL,
    policies: PolicySet | None = None,
    assessments: bool = True,
) -> Report:
    """Every decision the documents give for ``case`` on ``as_of``, with trace and totals.

    ``assessments`` adds recognition (002 §1), duties (002 §4) and exit (002 §5).
    """
    policies = policies or load_policies()
    decisions: list[Decision] = []
    # Placements are judged in the order they started, each after what the earlier ones were
    # granted: periods accumulate and count (002 §5), one agency fee a year (004 §2(2)2), where
    # a fee already claimed keeps its year.
    granted = Granted(
        fee_years={p.agency_fee_claimed_year: p.id for p in case.placements if p.agency_fee_claimed_year is not None}
    )
    runs = [
        (subject, order, scheme) for order, scheme in enumerate(SCHEMES) for subject in scheme.subjects(case, as_of)
    ]
    for subject, _, scheme in sorted(runs, key=lambda run: (run[0].key_date, run[1])):
        decisions.extend(_run(scheme, subject, case, as_of, policies, local, granted))
    conflicts = _si_conflicts(granted) + _agency_conflicts(decisions, case)
    totals: dict[str, Decimal] = {}
    for d in decisions:
        if d.status is DecisionStatus.ELIGIBLE and d.amount is not None:
            totals[d.payment or "other"] = totals.get(d.payment or "other", Decimal(0)) + d.amount
    report = Report(
        case_id=case.case_id,
        as_of=as_of,
        ruleset_version=policies.version,
        local_source=local.source,
        decisions=decisions,
        conflicts=conflicts,
        totals=totals,
    )
    if assessments:
        report.recognition = assess.recognition(case, as_of, policies, local)
        report.duties = assess.duties(case, as_of, policies)
        report.exit = assess.exit_conditions(case, as_of, policies, local, decisions)
        application = case.recognition_application
        working_days = (
            None
            if application is None
            else policies.parameters["recognition.step_working_days"].at(application.applied_on)
        )
        if application is not None and working_days is not None:  # 002 §2 applies from its effective date
            report.recognition_steps = assess.recognition_steps(
                application.applied_on, dict(application.completed), as_of, working_days=working_days
            )
    return report
