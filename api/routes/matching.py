"""Matching both ways, and pushes: posts for a registered person (counter staff and officers, in
their jurisdiction), masked candidates for a posting (its employer, or staff in jurisdiction),
pushes and what came of them. Every read of a person's record is audited with the answer.

The posting index and the embedding model are search's (``_Search``); the profile index and the
re-ranker load the same way: on first use, and again when their files change."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, QueryParameter
from msgspec import Meta
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from jiuyuan.errors import FieldError, InvalidInput, NotFound, SearchIndexUnavailable
from api.auth import allow
from api.errors import problem_responses
from api.routes.person_wire import reach
from api.routes.search import _Search
from indexer import build
from indexer.documents import PostingDocument, from_posting
from indexer.profiles import ProfileIndex
from indexer.protocol import Hit, Query
from jiuyuan import clock
from jiuyuan import regions
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import ConsentScope, PostingKind, PostingStatus, PushChannel, Role, Schedule
from ledger import audit
from ledger.access import Principal
from ledger.models import ConsentRecord, Employer, JobPosting, JobPush
from matcher import pushes, ranker
from matcher.people import Candidate, people_for
from matcher.posts import RULES, WEIGHTS, Ranker, posts_for
from scoring.support import minimum_pushes
from matcher.seekers import current_tier, seeker_from_person

log = logging.getLogger("jiuyuan.api")
STAFF = allow(Role.COUNTER, Role.OFFICER)
ERRORS = problem_responses(400, 401, 403, 404, 409, 422, 500, 503)
PersonId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="人员编号")]
Id = Annotated[int, Meta(ge=1, le=MAX_ID)]
# The purpose goes into the audit log: some visible text, no control characters (PostgreSQL refuses NUL).
_PURPOSE = {"min_length": 2, "max_length": 100, "pattern": r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$",
            "description": "查阅目的（写入审计日志）"}
Purpose = Annotated[str, QueryParameter(**_PURPOSE, examples=[Example(value="窗口求职登记后推荐岗位")])]
On = Annotated[date | None, QueryParameter(description="以该日判断岗位有效和年龄（默认今天，北京时间）")]
# What building a Seeker reads from the person's record (matcher.seekers), for the audit log.
SEEKER_FIELDS = ("birth_date", "sex", "residence_region_code", "latitude", "longitude", "skills", "wished_work",
                 "wished_schedules", "disability_certificate", "tier")
CARD_FIELDS = ("masked_name", "age_band", "skills", "wished_work", "distance_band", "subsidy_dry_run")
REMOTE = {PushChannel.SMS, PushChannel.PHONE, PushChannel.WECHAT, PushChannel.APP}


class _Profiles:
    """The profile index (``var/index/profiles``), encoded with search's model."""

    _lock = threading.Lock()
    index: ProfileIndex | None = None
    loaded_mtime = 0.0

    @classmethod
    def get(cls, session: Session) -> tuple[ProfileIndex, object]:
        encoder = _Search.get(session).encoder
        path = build.index_dir() / "profiles"
        try:
            mtime = (path / "meta.json").stat().st_mtime
        except FileNotFoundError:
            raise SearchIndexUnavailable("人员画像索引尚未建立：请运行 jiuyuan index rebuild。") from None
        with cls._lock:
            if cls.index is None or mtime != cls.loaded_mtime:
                try:
                    index = ProfileIndex.load(path)
                except FileNotFoundError as exc:
                    raise SearchIndexUnavailable(str(exc)) from None
                if index.dimension != encoder.get_embedding_dimension():
                    raise SearchIndexUnavailable("向量模型与人员画像索引的维度不一致：请运行 jiuyuan index rebuild。")
                cls.index, cls.loaded_mtime = index, mtime
            return cls.index, encoder


class _Ranker:
    """``matcher.ranker.in_use()``, read again when the model file changes (``jiuyuan train-ranker``)."""

    _lock = threading.Lock()
    current: Ranker = RULES
    loaded_mtime: float | None = None

    @classmethod
    def get(cls) -> Ranker:
        path = ranker.ranker_path()
        try:
            mtime = path.stat().st_mtime
        except FileNotFoundError:
            mtime = None
        if mtime == cls.loaded_mtime:
            return cls.current
        with cls._lock:
            if mtime != cls.loaded_mtime:
                try:
                    cls.current = ranker.in_use(path) if mtime is not None else RULES
                except (ValueError, TypeError, KeyError) as exc:
                    # The rules are always a valid ranking; a broken model file must not stop the counter.
                    log.warning("re-ranker %s unreadable, ranking by rules: %s", path, exc)
                    cls.current = RULES
                cls.loaded_mtime = mtime
            return cls.current


_DOC_COLUMNS = (JobPosting.id, JobPosting.title, JobPosting.description, JobPosting.kind, JobPosting.schedule,
                JobPosting.wage_min, JobPosting.wage_max, JobPosting.wage_unit, JobPosting.region_code,
                JobPosting.valid_from, JobPosting.valid_until, JobPosting.latitude, JobPosting.longitude,
                JobPosting.age_min, JobPosting.age_max, JobPosting.skills_required, JobPosting.disabled_suitable,
                JobPosting.headcount, Employer.name.label("employer_name"))


class _LedgerPostings:
    """The posting index as ``posts_for`` sees it. Each search loads its hits' documents from the
    ledger in one query into ``documents`` (the dict handed to ``posts_for``, filled before it is
    read), dropping postings closed since the index was built; the caller's kinds join the
    filters (a Seeker has none)."""

    def __init__(self, index, session: Session, kinds: tuple[PostingKind, ...], today: date):
        self.index, self.session, self.kinds, self.today = index, session, kinds, today
        self.documents: dict[str, PostingDocument] = {}

    def search(self, query: Query) -> list[Hit]:
        if self.kinds:
            query = replace(query, filters=replace(query.filters, kinds=self.kinds))
        hits = self.index.search(query)
        if hits:
            rows = self.session.execute(
                select(*_DOC_COLUMNS).outerjoin(Employer, JobPosting.employer_id == Employer.id)
                .where(JobPosting.id.in_([int(h.id) for h in hits]), JobPosting.status == PostingStatus.OPEN,
                       JobPosting.valid_from <= self.today, JobPosting.valid_until >= self.today))
            self.documents.update((str(r.id), from_posting(r, r.employer_name)) for r in rows)
        return [h for h in hits if h.id in self.documents]


class MatchedPost(msgspec.Struct):
    id: int
    title: str
    employer_name: str
    kind: str
    kind_label: str
    schedule: str
    schedule_label: str
    wage_min: Decimal
    wage_max: Decimal
    wage_unit: str
    wage_unit_label: str
    region_code: str
    region_name: str
    valid_until: date
    disabled_suitable: bool


class MatchOut(msgspec.Struct):
    posting: MatchedPost
    score: float
    parts: dict[str, float]
    reasons: list[str]
    """Read aloud to the person; one for each part of the score but relevance."""
    features: dict[str, float]
    """Send these back with the push (POST /pushes) for the learned re-ranker."""
    stay_6m: float | None
    already_pushed: bool


class MatchPage(msgspec.Struct):
    person_id: int
    tier: int | None
    ranker: str
    matches: list[MatchOut]
    notes: list[str]


class CandidatePage(msgspec.Struct):
    posting_id: int
    candidates: list[Candidate]


class PushIn(msgspec.Struct):
    person_id: Id
    posting_id: Id
    channel: PushChannel
    features: Annotated[dict[str, Annotated[float, Meta(ge=0, le=1)]], Meta(max_length=len(WEIGHTS))] | None = None


class AppliedIn(msgspec.Struct):
    person_id: Id
    posting_id: Id
    applied_on: date


class PushOut(msgspec.Struct):
    person_id: int
    posting_id: int
    title: str
    channel: str
    channel_label: str
    pushed_at: datetime
    pushed_by: str
    applied_on: date | None


class PushHistory(msgspec.Struct):
    person_id: int
    tier: int | None
    total: int
    pushes: list[PushOut]
    notes: list[str]


def _matched(doc: PostingDocument) -> MatchedPost:
    return MatchedPost(
        id=int(doc.id), title=doc.title, employer_name=doc.employer_name, kind=doc.kind.value,
        kind_label=doc.kind.label, schedule=doc.schedule.value, schedule_label=doc.schedule.label,
        wage_min=doc.wage_min, wage_max=doc.wage_max, wage_unit=doc.wage_unit.value,
        wage_unit_label=doc.wage_unit.label, region_code=doc.region_code,
        region_name=regions.full_name(doc.region_code), valid_until=doc.valid_until,
        disabled_suitable=doc.disabled_suitable)


@get("/persons/{person_id:int}/matches", operation_id="matchPostsForPerson", tags=["matching"], sync_to_thread=True,
     guards=[STAFF], responses=ERRORS, summary="为登记人员推荐岗位（附理由，可念给求职者听）")
def matches_for_person(
    request: Request, db_session: NamedDependency[Session], person_id: PersonId, purpose: Purpose,
    wished: Annotated[str | None, QueryParameter(max_length=200, description="意向工种，逗号或顿号分隔；覆盖登记的意向")] = None,
    schedule: Annotated[list[Schedule] | None, QueryParameter(max_items=4, description="可工作时间；覆盖登记的")] = None,
    max_km: Annotated[float | None, QueryParameter(gt=0, le=500, description="离住处最远公里数（已登记位置时）")] = None,
    wage_floor: Annotated[int | None, QueryParameter(ge=0, le=1_000_000, description="期望月工资下限（元）")] = None,
    kind: Annotated[list[PostingKind] | None, QueryParameter(max_items=4, description="只看这些岗位类型")] = None,
    love_only: Annotated[bool, QueryParameter(description="只看爱心岗位")] = False,
    on: On = None,
    k: Annotated[int, QueryParameter(ge=1, le=50)] = 10,
) -> MatchPage:
    """Posts for a registered person: hard filters, then the rule or learned re-rank.

    Returns:
        Ranked posts with score parts, reasons and features; notes such as a tier-2 shortfall.
        The read of the person's record is audited (``purpose`` is required).
    """
    principal: Principal = request.user
    purpose = purpose.strip()
    person = reach(db_session, principal, person_id)  # 404 outside the jurisdiction, as the person routes
    search = _Search.get(db_session)
    day = on or clock.today()
    tier = current_tier(db_session, person.id, day)
    seeker = seeker_from_person(person, day, tier)
    overrides: dict[str, object] = {}
    if wished is not None:
        overrides["wished_work"] = tuple(w for w in re.split(r"[,，、;；\s]+", wished) if w)
    if schedule:
        overrides["schedules"] = tuple(schedule)
    if max_km is not None:
        overrides["max_km"] = max_km
    if wage_floor is not None:
        overrides["wage_floor_monthly"] = Decimal(wage_floor)
    seeker = replace(seeker, **overrides)
    postings = _LedgerPostings(search.index, db_session, (PostingKind.LOVE,) if love_only else tuple(kind or ()),
                               day)
    used = _Ranker.get()
    result = posts_for(seeker, postings, search.encoder, postings.documents, day, k=k, ranker=used)
    notes = list(result.notes)
    if max_km is not None and person.latitude is None:
        notes.append("此人未登记住处位置，未按距离筛选，按所在城市推荐")
    pushed = set(db_session.scalars(select(JobPush.posting_id).where(JobPush.person_id == person.id)))
    audit.record(db_session, principal, "match_posts", person.id, SEEKER_FIELDS, purpose)
    db_session.commit()
    return MatchPage(person_id=person.id, tier=tier, ranker=used.name, notes=notes, matches=[
        MatchOut(posting=_matched(m.posting), score=m.score, parts=m.parts, reasons=m.reasons, features=m.features,
                 stay_6m=m.stay_6m, already_pushed=int(m.posting.id) in pushed) for m in result.matches])


@get("/postings/{posting_id:int}/candidates", operation_id="candidatesForPosting", tags=["matching"],
     sync_to_thread=True, guards=[allow(Role.EMPLOYER, Role.COUNTER, Role.OFFICER)], responses=ERRORS,
     summary="岗位的候选人（脱敏，附录用后可申请的补贴试算）")
def candidates_for_posting(
    request: Request, db_session: NamedDependency[Session],
    posting_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)],
    purpose: Annotated[str, QueryParameter(**_PURPOSE)] = "用人单位浏览候选人",
    spread_exposure: Annotated[bool, QueryParameter(description="分数相近者按日轮换顺序，避免总是同几人被看到")] = True,
    on: On = None,
    k: Annotated[int, QueryParameter(ge=1, le=50)] = 10,
) -> CandidatePage:
    """People for a posting, as masked cards: only those who consented to be shown to employers.

    Returns:
        The cards (surname + *, age band, skills, distance band, subsidy dry run); each card shown
        is an audited read of that person's record.
    """
    principal: Principal = request.user
    purpose = purpose.strip()
    posting = db_session.get(JobPosting, posting_id, options=[joinedload(JobPosting.employer)])
    if posting is None or (principal.role is Role.EMPLOYER and posting.employer_id != principal.employer_id):
        raise NotFound(f"岗位 {posting_id} 不存在。")
    if principal.role is not Role.EMPLOYER and not principal.covers(posting.region_code):
        raise PermissionDeniedException(f"岗位所在地区 {posting.region_code} 不在您的管辖范围内。")
    profiles, encoder = _Profiles.get(db_session)
    cards = people_for(db_session, from_posting(posting), profiles, encoder, on or clock.today(), k=k,
                       spread_exposure=spread_exposure)
    for card in cards:  # person_ref is "P<id>": the card carries no other handle
        audit.record(db_session, principal, "view_candidate", int(card.person_ref[1:]), CARD_FIELDS, purpose)
    db_session.commit()
    return CandidatePage(posting_id=posting.id, candidates=cards)


def _push_out(person_id: int, row: JobPush | pushes.PushRecord, title: str) -> PushOut:
    return PushOut(person_id=person_id, posting_id=row.posting_id, title=title, channel=row.channel.value,
                   channel_label=row.channel.label, pushed_at=row.pushed_at, pushed_by=row.pushed_by,
                   applied_on=row.applied_on)


def _consents_to_pushes(session: Session, person_id: int) -> bool:
    latest = session.scalar(select(ConsentRecord.granted).where(
        ConsentRecord.person_id == person_id, ConsentRecord.scope == ConsentScope.JOB_PUSH)
        .order_by(ConsentRecord.id.desc()).limit(1))
    return bool(latest)


@post("/pushes", operation_id="pushPosting", tags=["matching"], sync_to_thread=True, guards=[STAFF],
      responses=ERRORS, summary="向求职者推送岗位（同一岗位不重复推送）")
def push_posting(
    request: Request, db_session: NamedDependency[Session],
    data: Annotated[PushIn, Body(description="features 取自匹配结果，供排序模型学习", examples=[
        Example(summary="短信推送匹配结果中的岗位", value={
            "person_id": 42, "posting_id": 1017, "channel": "sms",
            "features": {"relevance": 0.83, "distance": 0.9, "schedule": 1.0}}),
        Example(summary="窗口当面推荐", value={"person_id": 42, "posting_id": 1020, "channel": "counter"})])],
) -> PushOut:
    """Record a push. A post already pushed to the person is refused (409); a push by text,
    phone, WeChat or app needs the person's consent to receive pushes (a counter push does not).

    Returns:
        201 and the push.
    """
    principal: Principal = request.user
    person = reach(db_session, principal, data.person_id)
    if data.channel in REMOTE and not _consents_to_pushes(db_session, person.id):
        raise InvalidInput([FieldError("channel", "此人未同意接收岗位推送，只能在窗口当面推荐")])
    posting = db_session.get(JobPosting, data.posting_id)
    if posting is not None and posting.status is not PostingStatus.OPEN:
        raise InvalidInput([FieldError("posting_id", f"岗位已{posting.status.label}，不能推送")])
    row = pushes.push(db_session, data.person_id, data.posting_id, data.channel.value, principal.actor[:60],
                      data.features)
    audit.record(db_session, principal, "push_posting", person.id, ("job_pushes",), "岗位推送")
    out = _push_out(person.id, row, posting.title)
    db_session.commit()
    return out


@post("/pushes/applied", operation_id="recordApplication", tags=["matching"], sync_to_thread=True, guards=[STAFF],
      status_code=200, responses=ERRORS, summary="登记求职者已投递推送的岗位")
def push_applied(
    request: Request, db_session: NamedDependency[Session],
    data: Annotated[AppliedIn, Body(examples=[
        Example(summary="已投递", value={"person_id": 42, "posting_id": 1017, "applied_on": "2026-11-25"})])],
) -> PushOut:
    """The person applied for a post pushed to them: the outcome the re-ranker learns from first.

    Returns:
        The push with its application day; 422 when the post was never pushed to the person.
    """
    principal: Principal = request.user
    person = reach(db_session, principal, data.person_id)
    row = pushes.applied(db_session, person.id, data.posting_id, data.applied_on)
    audit.record(db_session, principal, "push_applied", person.id, ("job_pushes.applied_on",), "登记岗位投递")
    out = _push_out(person.id, row, db_session.get(JobPosting, row.posting_id).title)
    db_session.commit()
    return out


@get("/persons/{person_id:int}/pushes", operation_id="pushHistory", tags=["matching"], sync_to_thread=True,
     guards=[STAFF], responses=ERRORS, summary="求职者的岗位推送记录")
def push_history(
    request: Request, db_session: NamedDependency[Session], person_id: PersonId,
    purpose: Annotated[str, QueryParameter(**_PURPOSE)] = "查看岗位推送记录",
    on: On = None,
) -> PushHistory:
    """Every post pushed to the person, oldest first, and whether the tier-2 duty is met.

    Returns:
        The pushes; a note when a tier-2 person has had fewer than three (002 §4(2)).
    """
    principal: Principal = request.user
    purpose = purpose.strip()
    person = reach(db_session, principal, person_id)
    records = pushes.history(db_session, person.id)
    day = on or clock.today()
    tier = current_tier(db_session, person.id, day)
    notes = []
    need = minimum_pushes(tier, day)
    if need is not None and len(records) < need:
        notes.append(f"已推送{len(records)}个岗位，二级帮扶对象至少应推送{need}个（002 §4(2)）")
    audit.record(db_session, principal, "push_history", person.id, ("job_pushes",), purpose)
    db_session.commit()
    return PushHistory(person_id=person.id, tier=tier, total=len(records), notes=notes,
                       pushes=[_push_out(person.id, r, r.title) for r in records])


ROUTES = [matches_for_person, candidates_for_posting, push_posting, push_applied, push_history]
