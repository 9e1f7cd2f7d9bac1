"""Matching both ways, and pushes: posts for a registered person (counter staff and officers, in
their jurisdiction), masked candidates for a posting (its employer, or staff in jurisdiction),
pushes and what came of them. Every read of a person's record is audited with the answer.

The rules are ``services.matching``'s; these handlers decode, call it and encode. The posting
index, encoder, profile index and re-ranker are the request's one search snapshot
(``services.search``), loaded on first use and again when their files change."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, KwargDefinition, PathParameter, QueryParameter
from msgspec import Meta

from api.auth import allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_wire import Purpose, purpose_of
from api.schemas import Input
from indexer.documents import PostingDocument
from jiuyuan import regions
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import PostingKind, PushChannel, Role, Schedule
from ledger.models import JobPush
from matcher import pushes
from matcher.people import Candidate
from matcher.posts import WEIGHTS
from services.matching import Matching, PushResult, Wishes
from services.search import RequestSnapshot

STAFF = allow(Role.COUNTER, Role.OFFICER)
ERRORS = problem_responses(400, 401, 403, 404, 409, 422, 500, 503)
PersonId = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="人员编号")]
Id = Annotated[int, Meta(ge=1, le=MAX_ID)]
On = Annotated[date | None, QueryParameter(description="以该日判断岗位有效和年龄（默认今天，北京时间）")]
CardsOn = Annotated[
    date | None,
    QueryParameter(description="窗口和经办人员：以该日做补贴试算（默认今天）；年龄段总按今天计；用人单位不能指定"),
]


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


FEATURES_SCHEMA = {
    "type": "object",
    "maxProperties": len(WEIGHTS),
    "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
}


class PushIn(Input):
    person_id: Id
    posting_id: Id
    channel: PushChannel
    # Litestar's schema drops the bounds of a dict's values: the schema_extra states them.
    features: Annotated[
        Annotated[dict[str, Annotated[float, Meta(ge=0, le=1)]], Meta(max_length=len(WEIGHTS))] | None,
        KwargDefinition(schema_extra={"one_of": [FEATURES_SCHEMA, {"type": "null"}]}),
    ] = None


class AppliedIn(Input):
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
        id=int(doc.id),
        title=doc.title,
        employer_name=doc.employer_name,
        kind=doc.kind.value,
        kind_label=doc.kind.label,
        schedule=doc.schedule.value,
        schedule_label=doc.schedule.label,
        wage_min=doc.wage_min,
        wage_max=doc.wage_max,
        wage_unit=doc.wage_unit.value,
        wage_unit_label=doc.wage_unit.label,
        region_code=doc.region_code,
        region_name=regions.full_name(doc.region_code),
        valid_until=doc.valid_until,
        disabled_suitable=doc.disabled_suitable,
    )


def _push_out(person_id: int, row: JobPush | pushes.PushRecord, title: str) -> PushOut:
    return PushOut(
        person_id=person_id,
        posting_id=row.posting_id,
        title=title,
        channel=row.channel.value,
        channel_label=row.channel.label,
        pushed_at=row.pushed_at,
        pushed_by=row.pushed_by,
        applied_on=row.applied_on,
    )


def _pushed(result: PushResult) -> PushOut:
    return _push_out(result.person_id, result.push, result.title)


class MatchingController(Controller):
    path = "/"
    tags = ["matching"]
    dependencies = {"matching": service(Matching)}

    @get(
        "/persons/{person_id:int}/matches",
        operation_id="matchPostsForPerson",
        sync_to_thread=True,
        guards=[STAFF],
        responses=ERRORS,
        summary="为登记人员推荐岗位（附理由，可念给求职者听）",
    )
    def matches_for_person(
        self,
        matching: NamedDependency[Matching],
        search: NamedDependency[RequestSnapshot],
        person_id: PersonId,
        purpose: Purpose,
        wished: Annotated[
            str | None,
            QueryParameter(max_length=200, description="意向工种，逗号或顿号分隔；覆盖登记的意向（留空按登记的）"),
        ] = None,
        schedule: Annotated[
            list[Schedule] | None, QueryParameter(max_items=4, description="可工作时间；覆盖登记的")
        ] = None,
        max_km: Annotated[
            float | None,
            QueryParameter(
                gt=0, le=500, description="离住处最远公里数（已登记位置时）", schema_extra={"exclusiveMinimum": 0}
            ),
        ] = None,
        wage_floor: Annotated[
            int | None,
            QueryParameter(ge=0, le=1_000_000, description="期望月工资下限（元）", schema_extra={"minimum": 0}),
        ] = None,
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
        wishes = Wishes(
            wished=wished,
            schedules=tuple(schedule or ()),
            max_km=max_km,
            wage_floor=wage_floor,
            kinds=tuple(kind or ()),
            love_only=love_only,
        )
        found = matching.posts_for_person(search, person_id, purpose_of(purpose), wishes, on=on, k=k)
        return MatchPage(
            person_id=found.person_id,
            tier=found.tier,
            ranker=found.ranker,
            notes=found.notes,
            matches=[
                MatchOut(
                    posting=_matched(m.posting),
                    score=m.score,
                    parts=m.parts,
                    reasons=m.reasons,
                    features=m.features,
                    stay_6m=m.stay_6m,
                    already_pushed=int(m.posting.id) in found.pushed,
                )
                for m in found.matches
            ],
        )

    @get(
        "/postings/{posting_id:int}/candidates",
        operation_id="candidatesForPosting",
        sync_to_thread=True,
        guards=[allow(Role.EMPLOYER, Role.COUNTER, Role.OFFICER)],
        responses=ERRORS,
        summary="岗位的候选人（脱敏，附录用后可申请的补贴试算）",
    )
    def candidates_for_posting(
        self,
        request: Request,
        matching: NamedDependency[Matching],
        search: NamedDependency[RequestSnapshot],
        posting_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)],
        purpose: Purpose,
        spread_exposure: Annotated[
            bool, QueryParameter(description="分数相近者按日轮换顺序，避免总是同几人被看到")
        ] = True,
        on: CardsOn = None,
        k: Annotated[int, QueryParameter(ge=1, le=50)] = 10,
    ) -> CandidatePage:
        """People for a posting, as masked cards: only those who consented to be shown to employers.

        Returns:
            The cards (surname + *, age band, skills, distance band, subsidy dry run); each card shown
            is an audited read of that person's record, naming the fields the card carries.
        """
        cards = matching.candidates_for_posting(
            search, posting_id, purpose_of(purpose, request.user.role), spread_exposure=spread_exposure, on=on, k=k
        )
        return CandidatePage(posting_id=posting_id, candidates=cards)

    @post(
        "/pushes",
        operation_id="pushPosting",
        sync_to_thread=True,
        guards=[STAFF],
        responses=ERRORS,
        summary="向求职者推送岗位（同一岗位不重复推送）",
    )
    def push_posting(
        self,
        matching: NamedDependency[Matching],
        data: Annotated[
            PushIn,
            Body(
                description="features 取自匹配结果，供排序模型学习",
                examples=[
                    Example(
                        summary="短信推送匹配结果中的岗位",
                        value={
                            "person_id": 42,
                            "posting_id": 1017,
                            "channel": "sms",
                            "features": {"relevance": 0.83, "distance": 0.9, "schedule": 1.0},
                        },
                    ),
                    Example(summary="窗口当面推荐", value={"person_id": 42, "posting_id": 1020, "channel": "counter"}),
                ],
            ),
        ],
    ) -> PushOut:
        """Record a push. A post already pushed to the person is refused (409); a push by text,
        phone, WeChat or app needs the person's consent to receive pushes (a counter push does not).

        Returns:
            201 and the push.
        """
        return _pushed(matching.push(data.person_id, data.posting_id, data.channel, data.features))

    @post(
        "/pushes/applied",
        operation_id="recordApplication",
        sync_to_thread=True,
        guards=[STAFF],
        status_code=200,
        responses=ERRORS,
        summary="登记求职者已投递推送的岗位",
    )
    def push_applied(
        self,
        matching: NamedDependency[Matching],
        data: Annotated[
            AppliedIn,
            Body(
                examples=[
                    Example(summary="已投递", value={"person_id": 42, "posting_id": 1017, "applied_on": "2026-11-25"})
                ]
            ),
        ],
    ) -> PushOut:
        """The person applied for a post pushed to them: the outcome the re-ranker learns from first.

        Returns:
            The push with its application day; 422 when the post was never pushed to the person.
        """
        return _pushed(matching.applied(data.person_id, data.posting_id, data.applied_on))

    @get(
        "/persons/{person_id:int}/pushes",
        operation_id="pushHistory",
        sync_to_thread=True,
        guards=[STAFF],
        responses=ERRORS,
        summary="求职者的岗位推送记录",
    )
    def push_history(
        self,
        matching: NamedDependency[Matching],
        person_id: PersonId,
        purpose: Purpose,
        on: On = None,
    ) -> PushHistory:
        """Every post pushed to the person, oldest first, and whether the tier-2 duty is met.

        Returns:
            The pushes; a note when a tier-2 person has had fewer than three (002 §4(2)).
        """
        found = matching.history(person_id, purpose_of(purpose), on=on)
        return PushHistory(
            person_id=found.person_id,
            tier=found.tier,
            total=len(found.pushes),
            notes=found.notes,
            pushes=[_push_out(found.person_id, r, r.title) for r in found.pushes],
        )


ROUTES = [MatchingController]
