"""Employers: counter staff, officers and administrators register a company by its USCC and find
one by USCC or name; an employer reads and changes its own profile, and invites a candidate it
was shown, which reaches the person through the counter (``GET /invitations``). The rules are
``services.employers``'s: these handlers decode, call it and encode."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, PathParameter, QueryParameter
from msgspec import UNSET, Meta, UnsetType

from api.auth import BEFORE_REGISTRATION, allow
from api.deps import service
from api.errors import problem_responses
from api.routes.person_privacy import card_out
from api.routes.person_wire import PersonCard, Purpose, purpose_of
from api.schemas import Input
from jiuyuan import clock, regions
from jiuyuan.validation import MAX_ID
from jiuyuan.vocab import Role
from ledger.models import Employer
from services.employers import Employers, Invitation

STAFF = allow(Role.COUNTER, Role.OFFICER)
ERRORS = problem_responses(400, 401, 403, 404, 409, 422, 500, 503)

Uscc = Annotated[str, Meta(min_length=1, max_length=40, description="统一社会信用代码（18位，GB 32100）")]
Name = Annotated[str, Meta(max_length=200, description="单位名称")]
Region6 = Annotated[
    str, Meta(max_length=12, description="单位所在县区的6位行政区划代码，可用 GET /regions?q= 按名称查找")
]
Address = Annotated[str, Meta(max_length=400, description="单位地址（原文保存）")]
Phone = Annotated[str, Meta(max_length=40, description="联系电话")]
# Litestar's schema drops a lower bound of 0 (falsy): extra_json_schema states it again.
_Headcount = Annotated[
    int,
    Meta(
        ge=0,
        le=10_000_000,
        description="参保职工人数（按社保记录，仅窗口、经办人员登记）",
        extra_json_schema={"extra": {"minimum": 0}},
    ),
]


class EmployerIn(Input):
    """A new employer; every field is checked at once (422 lists each wrong one, in Chinese)."""

    uscc: Uscc
    name: Name
    region_code: Region6 | None = None
    """May be left out when the address names the county (长沙县星沙街道…)."""
    address: Address | None = None
    contact_phone: Phone | None = None
    small_micro: Annotated[bool, Meta(description="是否小微企业（划型认定，未认定填 false）")] = False
    insured_headcount: _Headcount | None = None


class EmployerPatch(Input):
    """The fields to change; the USCC stays."""

    name: Name | UnsetType = UNSET
    region_code: Region6 | UnsetType = UNSET
    address: Address | None | UnsetType = UNSET
    contact_phone: Phone | None | UnsetType = UNSET
    small_micro: Annotated[bool, Meta(description="是否小微企业（仅窗口、经办人员按名录核实后修改）")] | UnsetType = (
        UNSET
    )
    insured_headcount: _Headcount | None | UnsetType = UNSET


class EmployerOut(msgspec.Struct):
    id: int
    uscc: str
    name: str
    region_code: str
    region_name: str
    address: str | None
    contact_phone: str | None
    small_micro: bool
    insured_headcount: int | None


class EmployerPage(msgspec.Struct):
    items: list[EmployerOut]


class InviteIn(Input):
    person_ref: Annotated[str, Meta(min_length=1, max_length=40, description="候选人卡片上的编号（person_ref）")]
    note: Annotated[str, Meta(max_length=400, description="给求职者的留言，如面试时间地点")] = ""


class InvitationOut(msgspec.Struct):
    id: int
    at: datetime
    employer_name: str
    posting_id: int | None
    posting_title: str | None
    note: str
    person: PersonCard | None
    """Staff only: the invited person's masked card (employers never learn who it is)."""


def employer_out(e: Employer) -> EmployerOut:
    return EmployerOut(
        id=e.id,
        uscc=e.uscc,
        name=e.name,
        region_code=e.region_code,
        region_name=regions.full_name(e.region_code),
        address=e.address,
        contact_phone=e.contact_phone,
        small_micro=e.small_micro,
        insured_headcount=e.insured_headcount,
    )


def invitation_out(i: Invitation, staff: bool) -> InvitationOut:
    return InvitationOut(
        id=i.id,
        at=i.at,
        employer_name=i.employer,
        posting_id=i.posting.id if i.posting else None,
        posting_title=i.posting.title if i.posting else None,
        note=i.note,
        person=card_out(i.person, clock.today()) if staff else None,
    )


def _given(patch_: EmployerPatch) -> dict:
    return {k: v for k, v in msgspec.structs.asdict(patch_).items() if v is not UNSET}


class EmployersController(Controller):
    path = "/"
    tags = ["postings"]
    dependencies = {"employers": service(Employers)}

    @post(
        "/employers",
        operation_id="registerEmployer",
        sync_to_thread=True,
        guards=[allow(Role.EMPLOYER, Role.COUNTER, Role.OFFICER)],
        responses=ERRORS,
        summary="登记用人单位（窗口、经办人员登记辖区内单位；用人单位用签发给本单位代码的令牌自行登记）",
        opt=BEFORE_REGISTRATION,
    )
    def register(
        self,
        employers: NamedDependency[Employers],
        data: Annotated[
            EmployerIn,
            Body(
                examples=[
                    Example(
                        summary="窗口登记一家物业公司",
                        value={
                            "uscc": "91430121MA4L0XXXXX",
                            "name": "长沙县星沙物业管理有限公司",
                            "region_code": "430121",
                            "address": "长沙县星沙街道开元东路1号",
                            "contact_phone": "0731-84012345",
                        },
                    )
                ]
            ),
        ],
    ) -> EmployerOut:
        """Register an employer: staff one in their jurisdiction; an employer its own company, with
        the USCC its key was issued for (the key is then bound to it).

        Returns:
            The employer (201); 409 when the USCC is registered already, naming that employer.
        """
        return employer_out(employers.register(msgspec.structs.asdict(data)))

    @get(
        "/employers",
        operation_id="findEmployers",
        sync_to_thread=True,
        guards=[STAFF],
        responses=ERRORS,
        summary="按统一社会信用代码或名称查找用人单位（登记岗位时选用）",
    )
    def find(
        self,
        employers: NamedDependency[Employers],
        uscc: Annotated[str | None, QueryParameter(max_length=40, description="统一社会信用代码（精确）")] = None,
        q: Annotated[str | None, QueryParameter(max_length=60, description="单位名称的一部分")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
    ) -> EmployerPage:
        """Employers by USCC (exact) or a part of the name, shortest names first.

        Returns:
            At most ``limit`` employers; an empty list when none matches.
        """
        return EmployerPage(items=[employer_out(e) for e in employers.find(uscc, q, limit)])

    @get(
        "/employers/{employer_id:int}",
        operation_id="getEmployer",
        sync_to_thread=True,
        guards=[allow(Role.EMPLOYER, Role.COUNTER, Role.OFFICER)],
        responses=ERRORS,
        summary="用人单位信息（用人单位只能查看本单位）",
    )
    def get_one(
        self, employers: NamedDependency[Employers], employer_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)]
    ) -> EmployerOut:
        """One employer; an employer's token reads only its own (another's id answers 404).

        Returns:
            The employer's profile.
        """
        return employer_out(employers.get(employer_id))

    @patch(
        "/employers/{employer_id:int}",
        operation_id="updateEmployer",
        sync_to_thread=True,
        guards=[allow(Role.EMPLOYER, Role.COUNTER, Role.OFFICER)],
        responses=ERRORS,
        summary="修改用人单位信息（名称、所在区县、地址、联系电话）",
    )
    def update(
        self,
        employers: NamedDependency[Employers],
        employer_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)],
        data: Annotated[EmployerPatch, Body(description="要修改的字段；统一社会信用代码不能修改")],
    ) -> EmployerOut:
        """Change the profile: an employer its own, staff one in their jurisdiction.

        Returns:
            The employer as changed.
        """
        return employer_out(employers.update(employer_id, _given(data)))

    @post(
        "/postings/{posting_id:int}/invitations",
        operation_id="inviteCandidate",
        sync_to_thread=True,
        guards=[allow(Role.EMPLOYER)],
        responses=ERRORS,
        summary="邀约候选人（经窗口转达，单位看不到其身份）",
    )
    def invite(
        self,
        employers: NamedDependency[Employers],
        posting_id: Annotated[int, PathParameter(ge=1, le=MAX_ID)],
        data: Annotated[InviteIn, Body(description="候选人卡片上的 person_ref 与给求职者的留言")],
    ) -> InvitationOut:
        """Invite a candidate shown for one's own posting, by the card's ``person_ref``.

        Returns:
            The invitation (201); the counter sees it in ``GET /invitations``. Again → 409.
        """
        return invitation_out(employers.invite(posting_id, data.person_ref, data.note), staff=False)

    @get(
        "/invitations",
        operation_id="listInvitations",
        sync_to_thread=True,
        guards=[STAFF],
        responses=ERRORS,
        summary="用人单位的邀约（窗口转达给求职者；每位列出的人员记入审计）",
    )
    def invitations(
        self,
        employers: NamedDependency[Employers],
        purpose: Purpose,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[InvitationOut]:
        """Invitations for persons in the caller's jurisdiction, newest first.

        Returns:
            Each invitation with the person's masked card; each person listed is an audited read.
        """
        return [invitation_out(i, staff=True) for i in employers.invitations(purpose_of(purpose), limit)]


ROUTES = [EmployersController]
