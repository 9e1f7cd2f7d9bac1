"""People for a post: candidates ranked by fit, shown masked, each with what hiring them would
let the employer claim (a dry run through the policy engine).

Only persons whose latest consent to be shown to employers is a grant appear. A candidate is
a masked card: surname and *, an age band, skills, a distance band — never the ID number,
phone, full name, or any health or 低保 detail.

Masking rules (PIPL issue; docs/privacy.md):
- ``person_ref`` is a per-posting pseudonym, an HMAC of the posting id and the person id under a
  server secret kept in the ledger (``ledger.access.server_secret``): the same person reads
  differently on two postings, so cards cannot be linked across postings, and no id is shown;
- the age band (five years) is computed on ``jiuyuan.clock.today()`` — never a date the caller
  chose, or moving it would find the day the band flips, the birth date;
- the distance band is one of four, coarse and fixed: ≤3, ≤10, ≤30, >30 km;
- the subsidy dry run is disclosed by audience (``scoring.disclosure``): an employer reads the
  status, amount and what is missing, never the category that qualified the person.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

import msgspec
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.documents import PostingDocument
from indexer.encoder import Encoder
from indexer.profiles import ProfileIndex
from indexer.protocol import Filters, Query
from jiuyuan import clock, gazetteer
from jiuyuan.vocab import ConsentScope, DecisionStatus, PlacementKind, Role
from ledger.access import server_secret
from ledger.facts import cases_for
from ledger.models import ConsentRecord, Person
from matcher.exposure import spread
from scoring import evaluate
from scoring.disclosure import disclose
from scoring.facts import Placement
from scoring.retirement import age_on


class Subsidy(msgspec.Struct):
    scheme: str
    name: str
    status: str
    amount: str | None
    legal_basis: list[str]
    to_meet: list[str]
    next_step: str | None = None
    """What would make it payable: the day it matures, the amount the locality has still to set."""


class Candidate(msgspec.Struct):
    person_ref: str
    """A per-posting pseudonym (``person_ref``) for follow-up through the office: not the ID
    number, not the person id, and not the same on two postings."""
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


DISTANCE_EDGES = (3, 10, 30)
"""The distance bands, coarse and fixed (km): ≤3, ≤10, ≤30, >30."""


def distance_band(km: float | None) -> str | None:
    if km is None:
        return None
    for edge in DISTANCE_EDGES:
        if km <= edge:
            return f"{edge}公里内"
    return f"{DISTANCE_EDGES[-1]}公里以上"


PERSON_REF_SECRET = "person_ref"


def person_ref(key: bytes, posting_id: int | str, person_id: int) -> str:
    """The per-posting pseudonym of a person on a card: ``C`` and 20 hex digits of
    HMAC-SHA256(key, "posting:person")."""
    digest = hmac.new(key, f"{posting_id}:{person_id}".encode(), hashlib.sha256).hexdigest()
    return "C" + digest[:20]


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
    audience: Role = Role.EMPLOYER,
) -> list[Candidate]:
    """Candidates for ``post`` (the cards of ``shown_for``)."""
    return [card for _, card in shown_for(session, post, index, encoder, today, k, hire, spread_exposure, audience)]


def shown_for(
    session: Session,
    post: PostingDocument,
    index: ProfileIndex,
    encoder: Encoder,
    today: date,
    k: int = 10,
    hire: Hire = Hire(),
    spread_exposure: bool = True,
    audience: Role = Role.EMPLOYER,
) -> list[tuple[int, Candidate]]:
    """Candidates for ``post``, each with the person id behind its card (for the audit log; never
    shown). ``today`` is the day of the dry run and of the exposure shuffle; ages are always
    counted on ``clock.today()``. Near-tied candidates are spread by a daily-seeded shuffle
    unless ``spread_exposure`` is off (see :mod:`matcher.exposure`); the dry run is disclosed to
    ``audience`` (``scoring.disclosure``)."""
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
    key = server_secret(session, PERSON_REF_SECRET) if ranked else b""
    age_day = clock.today()
    out = []
    for hit in ranked[:k]:
        person = people[int(hit.id)]
        km = gazetteer.km(near, (person.latitude, person.longitude)) if near and person.latitude is not None else None
        card = Candidate(
            person_ref=person_ref(key, post.id, person.id),
            masked_name=mask_name(person.name),
            age_band=age_band(age_on(person.birth_date, age_day)),
            skills=list(person.skills or []),
            wished_work=list(person.wished_work or []),
            distance_band=distance_band(km),
            score=hit.score,
            subsidies=_dry_run(cases[person.id], post, hire, today, audience),
        )
        out.append((person.id, card))
    return out


def _dry_run(case, post: PostingDocument, hire: Hire, today: date, audience: Role = Role.EMPLOYER) -> list[Subsidy]:
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
    out = []
    for d in report.decisions:
        if d.subject != "proposed" or d.status not in keep:
            continue
        shown = disclose(
            audience, scheme=d.scheme, name=d.name, failed=d.failed, missing=d.missing, next_step=d.next_step
        )
        out.append(
            Subsidy(
                shown.scheme,
                shown.name,
                d.status.value,
                None if d.amount is None else str(d.amount),
                d.legal_basis,
                shown.failed + shown.missing + ([f"{d.matures_on} 起"] if d.matures_on else []),
                shown.next_step,
            )
        )
    return out
