"""People for a post: candidates ranked by fit, shown masked, each with what hiring them would
let the employer claim (a dry run through the policy engine).

Only persons whose latest consent to be shown to employers is a grant appear. A candidate is
a masked card: surname and *, an age band, skills, a distance band — never the ID number,
phone, full name, or any health or 低保 detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.documents import PostingDocument
from indexer.encoder import Encoder
from indexer.profiles import ProfileIndex
from indexer.protocol import Filters, Query
from jiuyuan.vocab import ConsentScope, DecisionStatus, PlacementKind
from ledger.facts import cases_for
from ledger.models import ConsentRecord, Person
from matcher.exposure import spread
from matcher.posts import _km
from scoring import evaluate
from scoring.facts import Placement
from scoring.retirement import age_on


class Subsidy(msgspec.Struct):
    scheme: str
    name: str
    status: str
    amount: str | None
    legal_basis: list[str]
    to_meet: list[str]


class Candidate(msgspec.Struct):
    person_ref: str
    """An opaque handle for follow-up through the office; not the ID number."""
    masked_name: str
    age_band: str
    skills: list[str]
    wished_work: list[str]
    distance_band: str | None
    score: float
    subsidies: list[Subsidy]


def mask_name(name: str) -> str:
    return name[:1] + "*" * max(1, len(name) - 1)


def age_band(age: int) -> str:
    low = age // 5 * 5
    return f"{low}–{low + 4}岁"


def distance_band(km: float | None) -> str | None:
    if km is None:
        return None
    for edge in (3, 5, 10, 20, 50):
        if km <= edge:
            return f"{edge}公里内"
    return "50公里以上"


def consenting_to_employers(session: Session, ids: list[int]) -> set[int]:
    latest = (
        select(ConsentRecord.person_id, func.max(ConsentRecord.id).label("last"))
        .where(ConsentRecord.scope == ConsentScope.SHOW_TO_EMPLOYERS, ConsentRecord.person_id.in_(ids))
        .group_by(ConsentRecord.person_id)
        .subquery()
    )
    return set(
        session.scalars(
            select(ConsentRecord.person_id).join(latest, ConsentRecord.id == latest.c.last).where(ConsentRecord.granted)
        )
    )


@dataclass(frozen=True)
class Hire:
    """What the employer would offer: enough for the dry run of 002 §3 / 000 §5 / 004 §2(3)."""

    kind: PlacementKind = PlacementKind.EMPLOYER_ABSORPTION
    contract_months: int | None = 12
    social_insurance: bool = True


def people_for(
    session: Session,
    post: PostingDocument,
    index: ProfileIndex,
    encoder: Encoder,
    today: date,
    k: int = 10,
    hire: Hire = Hire(),
    spread_exposure: bool = True,
) -> list[Candidate]:
    """Candidates for ``post``. Near-tied candidates are spread by a daily-seeded shuffle unless
    ``spread_exposure`` is off (see :mod:`matcher.exposure`)."""
    text = f"{post.title} {post.description} {' '.join(post.skills_required)}"
    near = (post.latitude, post.longitude) if post.latitude is not None else None
    query = Query(
        text=text,
        vector=encoder.encode([text])[0],
        k=min(5 * k, 1000),
        filters=Filters(
            region_prefix=None if near else post.region_code[:4], near=near, within_km=50.0 if near else None
        ),
    )
    hits = index.search(query)
    ids = [int(h.id) for h in hits]
    allowed = consenting_to_employers(session, ids)
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(allowed)))}
    ranked = [h for h in hits if int(h.id) in people]
    if spread_exposure:
        ranked = spread(ranked, lambda h: h.score, today, post.id)
    cases = cases_for(session, [int(h.id) for h in ranked[:k]], today)
    out = []
    for hit in ranked[:k]:
        person = people[int(hit.id)]
        km = _km(near, (person.latitude, person.longitude)) if near and person.latitude is not None else None
        out.append(
            Candidate(
                person_ref=f"P{person.id}",
                masked_name=mask_name(person.name),
                age_band=age_band(age_on(person.birth_date, today)),
                skills=list(person.skills or []),
                wished_work=list(person.wished_work or []),
                distance_band=distance_band(km),
                score=hit.score,
                subsidies=_dry_run(cases[person.id], post, hire, today),
            )
        )
    return out


def _dry_run(case, post: PostingDocument, hire: Hire, today: date) -> list[Subsidy]:
    """What the placement would open for the employer, evaluated as if it started today."""
    placement = {
        "id": "proposed",
        "kind": hire.kind.value,
        "start": today,
        "region_code": post.region_code,
        "contract_months": hire.contract_months,
        "social_insurance_paid": hire.social_insurance,
    }
    facts = msgspec.structs.replace(case, placements=[*case.placements, msgspec.convert(placement, Placement)])
    report = evaluate(facts, today, assessments=False)
    keep = (DecisionStatus.ELIGIBLE, DecisionStatus.ELIGIBLE_AMOUNT_UNSET, DecisionStatus.NOT_YET)
    return [
        Subsidy(
            d.scheme,
            d.name,
            d.status.value,
            None if d.amount is None else str(d.amount),
            d.legal_basis,
            d.failed + d.missing + ([f"{d.matures_on} 起"] if d.matures_on else []),
        )
        for d in report.decisions
        if d.subject == "proposed" and d.status in keep
    ]
