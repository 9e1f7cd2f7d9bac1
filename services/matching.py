"""Matching both ways, and pushes: posts for a registered person (counter staff and officers, in
their jurisdiction), masked candidates for a posting (its employer, or staff in jurisdiction),
pushes and what came of them.

Reach is ``services.jurisdiction``'s: a person out of reach answers 404, like one that does not
exist; a posting of another employer 404, one outside a clerk's region 403. Every read of a
person's record writes its audit entry here, in the request's unit of work (the route never
commits: ``api.deps`` commits after the answer is built, or rolls back).

Searches read one ``SearchSnapshot`` (``services.search``), taken once per call after the
caller's reach is checked — a clerk asking about a person out of reach hears 404, not 503.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Protocol

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from indexer.documents import from_posting
from jiuyuan import clock
from jiuyuan.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import ConsentScope, PostingKind, PostingStatus, PushChannel, Role, Schedule
from ledger import audit
from ledger.access import Principal
from ledger.models import ConsentRecord, JobPosting, JobPush
from ledger.tiers import current_tier
from matcher import pushes
from matcher.people import Candidate, shown_for
from matcher.posts import Match, posts_for
from matcher.seekers import seeker_from_person
from scoring.support import minimum_pushes
from services.jurisdiction import Jurisdiction
from services.persons import reach
from services.posting_search import LedgerChecked
from services.search import SearchSnapshot

# What building a Seeker reads from the person's record (matcher.seekers), for the audit log.
SEEKER_FIELDS = (
    "birth_date",
    "sex",
    "residence_region_code",
    "latitude",
    "longitude",
    "skills",
    "wished_work",
    "wished_schedules",
    "disability_certificate",
    "tier",
)
CARD_FIELDS = ("person_ref", "masked_name", "age_band", "skills", "wished_work", "distance_band", "subsidies")
"""What a candidate card can carry (``matcher.people.Candidate`` but its score); ``card_fields`` says
which of them one card did."""
REMOTE = {PushChannel.SMS, PushChannel.PHONE, PushChannel.WECHAT, PushChannel.APP}
# Built once: every match asks, and building the statement cost more than running it.
_PUSHED = select(JobPush.posting_id).where(JobPush.person_id == bindparam("person_id"))


class Snapshots(Protocol):
    """Where a call takes its one snapshot from (``services.search.snapshots``: a ``Reloadable``)."""

    def get(self) -> SearchSnapshot: ...


@dataclass(frozen=True)
class Wishes:
    """What the clerk typed over the person's registered wishes (None or blank: as registered)."""

    wished: str | None = None
    """Kinds of work, separated by commas, 、 or spaces."""
    schedules: tuple[Schedule, ...] = ()
    max_km: float | None = None
    wage_floor: int | None = None
    kinds: tuple[PostingKind, ...] = ()
    love_only: bool = False


@dataclass(frozen=True)
class PersonMatches:
    person_id: int
    tier: int | None
    ranker: str
    matches: list[Match]
    notes: list[str]
    pushed: frozenset[int]
    """Postings already pushed to the person."""


@dataclass(frozen=True)
class PushResult:
    person_id: int
    push: JobPush
    title: str


@dataclass(frozen=True)
class PushHistory:
    person_id: int
    tier: int | None
    pushes: list[pushes.PushRecord]
    notes: list[str]


def card_fields(card: Candidate) -> list[str]:
    """The fields one card disclosed: those it carries a value in (no distance without a location)."""
    return [f for f in CARD_FIELDS if getattr(card, f) not in (None, [], "")]


def consents_to_pushes(session: Session, person_id: int) -> bool:
    latest = session.scalar(
        select(ConsentRecord.granted)
        .where(ConsentRecord.person_id == person_id, ConsentRecord.scope == ConsentScope.JOB_PUSH)
        .order_by(ConsentRecord.id.desc())
        .limit(1)
    )
    return bool(latest)


class Matching:
    """Matching and pushes for one caller over the request's session."""

    def __init__(self, session: Session, caller: Principal):
        self.session, self.caller = session, caller

    def posts_for_person(
        self,
        snapshots: Snapshots,
        person_id: int,
        purpose: str,
        wishes: Wishes = Wishes(),
        on: date | None = None,
        k: int = 10,
    ) -> PersonMatches:
        """Posts for a registered person: hard filters, then the rule or learned re-rank; the read
        of the person's record is audited with ``purpose``."""
        person = reach(self.session, self.caller, person_id)
        snapshot = snapshots.get()
        day = on or clock.today()
        tier = current_tier(self.session, person.id, day)
        seeker = seeker_from_person(person, day, tier)
        overrides: dict[str, object] = {}
        typed = tuple(w for w in re.split(r"[,，、;；\s]+", wishes.wished or "") if w)
        if typed:  # a box left blank (or only commas) keeps the registered wishes
            overrides["wished_work"] = typed
        if wishes.schedules:
            overrides["schedules"] = tuple(wishes.schedules)
        if wishes.max_km is not None:
            overrides["max_km"] = wishes.max_km
        if wishes.wage_floor is not None:
            overrides["wage_floor_monthly"] = Decimal(wishes.wage_floor)
        seeker = replace(seeker, **overrides)
        postings = LedgerChecked(
            snapshot.backend, self.session, day, (PostingKind.LOVE,) if wishes.love_only else tuple(wishes.kinds)
        )
        result = posts_for(seeker, postings, snapshot.encoder, day, k=k, ranker=snapshot.ranker)
        notes = list(result.notes)
        if wishes.max_km is not None and person.latitude is None:
            notes.append("此人未登记住处位置，未按距离筛选，按所在城市推荐")
        pushed = frozenset(self.session.scalars(_PUSHED, {"person_id": person.id}))
        audit.record(self.session, self.caller, "match_posts", person.id, SEEKER_FIELDS, purpose)
        return PersonMatches(person.id, tier, snapshot.ranker.name, result.matches, notes, pushed)

    def candidates_for_posting(
        self,
        snapshots: Snapshots,
        posting_id: int,
        purpose: str,
        spread_exposure: bool = True,
        on: date | None = None,
        k: int = 10,
    ) -> list[Candidate]:
        """People for a posting, as masked cards of those who consented to be shown to employers;
        each card shown is an audited read of that person's record.

        An employer cannot choose the day (``on``: 422): a card's age band and dry run are those of
        today, or moving the day would find when a band flips — the birth date (PIPL issue)."""
        if on is not None and self.caller.role is Role.EMPLOYER:
            raise InvalidInput([FieldError("on", "用人单位不能指定日期：候选人按今天（北京时间）计算")])
        reach_of = Jurisdiction.of(self.caller)
        posting = self.session.get(JobPosting, posting_id, options=[joinedload(JobPosting.employer)])
        if posting is None or (self.caller.role is Role.EMPLOYER and not reach_of.is_employer(posting.employer_id)):
            raise NotFound(f"岗位 {posting_id} 不存在。")
        if self.caller.role is not Role.EMPLOYER and not reach_of.covers_region(posting.region_code):
            raise Forbidden(f"岗位所在地区 {posting.region_code} 不在您的管辖范围内。")
        today = clock.today()
        if posting.status is not PostingStatus.OPEN or posting.valid_until < today:
            # Each card is a disclosure of a person made for recruiting: none for a post that is not.
            state = posting.status.label if posting.status is not PostingStatus.OPEN else "已过有效期"
            raise Conflict(f"岗位 {posting_id} {state}，不再推荐候选人。")
        snapshot = snapshots.get()
        post = from_posting(posting)
        if posting.registered_latitude is not None:  # moved by its employer: bands from where it was registered
            post = replace(post, latitude=posting.registered_latitude, longitude=posting.registered_longitude)
        shown = shown_for(
            self.session,
            post,
            snapshot.profile_index(),
            snapshot.encoder,
            on or today,
            k=k,
            spread_exposure=spread_exposure,
            audience=self.caller.role,
        )
        for person_id, card in shown:  # the card's person_ref is a pseudonym: the id is kept here, for the log
            audit.record(self.session, self.caller, "view_candidate", person_id, card_fields(card), purpose)
        return [card for _, card in shown]

    def push(
        self, person_id: int, posting_id: int, channel: PushChannel, features: dict[str, float] | None = None
    ) -> PushResult:
        """Record a push. A post already pushed to the person is refused (409); a push by text,
        phone, WeChat or app needs the person's consent to receive pushes (a counter push does not)."""
        person = reach(self.session, self.caller, person_id)
        if channel in REMOTE and not consents_to_pushes(self.session, person.id):
            raise InvalidInput([FieldError("channel", "此人未同意接收岗位推送，只能在窗口当面推荐")])
        posting = self.session.get(JobPosting, posting_id)
        if posting is not None and posting.status is not PostingStatus.OPEN:
            raise InvalidInput([FieldError("posting_id", f"岗位{posting.status.label}，不能推送")])
        row = pushes.push(self.session, person.id, posting_id, channel.value, self.caller.actor[:60], features)
        audit.record(self.session, self.caller, "push_posting", person.id, ("job_pushes",), "岗位推送")
        return PushResult(person.id, row, posting.title)

    def applied(self, person_id: int, posting_id: int, applied_on: date) -> PushResult:
        """The person applied for a post pushed to them (422 when it never was)."""
        person = reach(self.session, self.caller, person_id)
        row = pushes.applied(self.session, person.id, posting_id, applied_on)
        audit.record(self.session, self.caller, "push_applied", person.id, ("job_pushes.applied_on",), "登记岗位投递")
        return PushResult(person.id, row, self.session.get(JobPosting, row.posting_id).title)

    def history(self, person_id: int, purpose: str, on: date | None = None) -> PushHistory:
        """Every post pushed to the person, oldest first, and a note when a tier-2 person has had
        fewer than the pushes 002 §4(2) asks for."""
        person = reach(self.session, self.caller, person_id)
        records = pushes.history(self.session, person.id)
        day = on or clock.today()
        tier = current_tier(self.session, person.id, day)
        notes = []
        need = minimum_pushes(tier, day)
        if need is not None and len(records) < need:
            notes.append(f"已推送{len(records)}个岗位，二级帮扶对象至少应推送{need}个（002 §4(2)）")
        audit.record(self.session, self.caller, "push_history", person.id, ("job_pushes",), purpose)
        return PushHistory(person.id, tier, records, notes)
