"""Persons (PIPL-sensitive): registration with consent, the full record, masked lists, consents,
service contacts and the audit trail. Counter staff and officers only; employers and agencies
never reach a person's record (their candidates come masked from the matcher).

Jurisdiction (``services.jurisdiction``): the hukou or residence county within the caller's
(002 §4), else 404. Every read or write of a person's data writes one audit entry per person (who,
when, which fields, which purpose), committed with the answer in the request's unit of work; a
list writes one per person shown. The rules are ``services.persons``'s: these handlers decode,
call it and encode.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.spec import Example
from litestar.params import Body, QueryParameter

from api.auth import allow
from api.deps import service
from api.errors import on_jiuyuan_error, problem_responses
from api.routes.person_privacy import PersonPrivacyController, audit_out, card_out
from api.routes.person_wire import (
    LINE,
    WRITERS,
    AuditPage,
    ConsentIn,
    ConsentOut,
    ContactChannel,
    ContactIn,
    ContactOut,
    ContactPage,
    Limit,
    Offset,
    PersonId,
    PersonIn,
    PersonOut,
    PersonPage,
    PersonUpdateIn,
    PhoneLookupIn,
    Purpose,
    consent_out,
    person_out,
    purpose_of,
)
from jiuyuan import clock
from jiuyuan.errors import FieldError, InvalidInput
from jiuyuan.vocab import ConsentScope, Role
from ledger.models import ServiceContact
from services.persons import NotRegistrable, Persons

PERSON_EXAMPLE = Example(
    summary="窗口登记一位求职人员",
    value={
        "id_number": "430102199003071242",
        "name": "李秀英",
        "hukou_region_code": "430102",
        "urban_rural": "urban",
        "phone": "13812345678",
        "skills": ["保洁"],
        "wished_work": ["保洁员"],
        "wished_schedules": ["daily"],
        "registered_unemployed_since": "2025-01-06",
        "consents": {"data_processing": True, "show_to_employers": True, "job_push": False},
    },
)


def contact_out(c: ServiceContact) -> ContactOut:
    channel = ContactChannel(c.channel) if c.channel in ContactChannel._value2member_map_ else None
    return ContactOut(c.id, c.contacted_on, c.channel, channel.label if channel else c.channel, c.staff, c.note)


class PersonsController(Controller):
    """Counter staff and officers; the audit trail officers only."""

    path = "/"
    tags = ["persons"]
    guards = [WRITERS]
    dependencies = {"persons": service(Persons)}

    @post(
        "/persons",
        operation_id="registerPerson",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 409, 422, 500, 503),
        summary="登记求职人员（含个人信息授权）",
    )
    def register_person(
        self,
        request: Request,
        persons: NamedDependency[Persons],
        data: Annotated[PersonIn, Body(examples=[PERSON_EXAMPLE])],
    ) -> Response[PersonOut]:
        """Register a person with the consents they gave. An ID number registered within the caller's
        jurisdiction answers 409 with the person's id; one registered elsewhere 422 "无法登记，请联系户籍地经办机构",
        like any refused row.

        Returns:
            201 and the full record (the registering clerk has just typed it in).
        """
        fields = msgspec.structs.asdict(data)
        consents = fields.pop("consents")
        fields["wished_schedules"] = [s.value for s in data.wished_schedules]
        try:
            record = persons.register(fields, {s: getattr(consents, s.value) for s in ConsentScope})
        except NotRegistrable as refused:  # answered, not raised: its audit entry must commit
            return on_jiuyuan_error(request, refused)
        return Response(person_out(record), status_code=201)

    @get(
        "/persons/{person_id:int}",
        operation_id="getPerson",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="人员完整信息（写入审计日志）",
    )
    def get_person(self, persons: NamedDependency[Persons], person_id: PersonId, purpose: Purpose) -> PersonOut:
        """The full record, ID number, phone, disability and 低保 status included; the read is audited.

        Returns:
            The person, or 404 when unknown or outside the caller's jurisdiction.
        """
        return person_out(persons.read(person_id, purpose_of(purpose)))

    @patch(
        "/persons/{person_id:int}",
        operation_id="updatePerson",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="修改求职登记信息：电话、居住地、技能、意向工种、可工作时间（写入审计日志）",
    )
    def update_person(
        self,
        persons: NamedDependency[Persons],
        person_id: PersonId,
        data: Annotated[
            PersonUpdateIn,
            Body(
                examples=[
                    Example(
                        summary="补登技能和意向",
                        value={"skills": ["保洁", "收纳"], "wished_work": ["保洁员"], "wished_schedules": ["daily"]},
                    )
                ]
            ),
        ],
    ) -> PersonOut:
        """Change the keys given (checked as a whole record, 422 naming each bad field); the residence
        must stay within the caller's jurisdiction (403). Audited with the fields changed.

        Returns:
            The full record as it now stands.
        """
        point = [k for k in ("latitude", "longitude") if getattr(data, k) is not msgspec.UNSET]
        if len(point) == 1:  # a point is corrected or cleared whole: half of one is a mistake
            other = "longitude" if point == ["latitude"] else "latitude"
            raise InvalidInput([FieldError(other, "经纬度须同时填写：更正位置请两项都填，清除请两项都留空")])
        # null leaves a key as it is, except the address and the point, which null clears
        fields = {
            k: v
            for k, v in msgspec.structs.asdict(data).items()
            if v is not msgspec.UNSET and (v is not None or k in ("address", "latitude", "longitude"))
        }
        if "wished_schedules" in fields:
            fields["wished_schedules"] = [s.value for s in fields["wished_schedules"]]
        return person_out(persons.update(person_id, fields))

    @post(
        "/persons/by-phone",
        operation_id="findPersonsByPhone",
        sync_to_thread=True,
        status_code=200,
        responses=problem_responses(400, 401, 403, 422, 500, 503),
        summary="按手机号码查找人员（脱敏列表；号码放在请求体中；写入审计日志）",
    )
    def by_phone(
        self,
        persons: NamedDependency[Persons],
        data: Annotated[
            PhoneLookupIn, Body(examples=[Example(value={"phone": "13807311234", "purpose": "窗口求职登记"})])
        ],
    ) -> PersonPage:
        """Persons within the caller's jurisdiction registered with this number (a family may share one).

        Returns:
            Masked cards (none: an empty page); each card shown is audited.
        """
        page = persons.by_phone(data.phone, purpose_of(data.purpose))
        day = clock.today()
        return PersonPage(total=page.total, limit=20, offset=0, items=[card_out(p, day) for p in page.items])

    @get(
        "/persons",
        operation_id="listPersons",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 422, 500, 503),
        summary="人员列表（脱敏；每人一条审计记录）",
    )
    def list_persons(
        self,
        persons: NamedDependency[Persons],
        purpose: Purpose,
        region: Annotated[
            str | None,
            QueryParameter(max_length=6, pattern=r"^[0-9]{2}([0-9]{2}){0,2}$", description="省 43、市 4301、县 430102"),
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(
                min_length=1,
                max_length=40,
                pattern=LINE,
                description="姓名中的字（按身份证号码查找请用 POST /persons/lookup）",
            ),
        ] = None,
        limit: Limit = 20,
        offset: Offset = 0,
    ) -> PersonPage:
        """Persons within the caller's jurisdiction (hukou or residence), masked, in the order registered.

        Returns:
            One page of masked cards; every person shown gets an audit entry.
        """
        page = persons.listing(purpose_of(purpose), region, q, limit, offset)
        day = clock.today()
        return PersonPage(total=page.total, limit=limit, offset=offset, items=[card_out(p, day) for p in page.items])

    @post(
        "/persons/{person_id:int}/consents",
        operation_id="recordConsent",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="记录授权或撤回授权",
    )
    def record_consent(
        self,
        persons: NamedDependency[Persons],
        person_id: PersonId,
        data: Annotated[
            ConsentIn,
            Body(
                examples=[
                    Example(summary="撤回向用人单位展示的授权", value={"scope": "show_to_employers", "granted": False})
                ]
            ),
        ],
    ) -> list[ConsentOut]:
        """A grant or withdrawal of one scope; the latest record per scope is in force.

        Returns:
            The consents now in force.
        """
        return [consent_out(r) for r in persons.record_consent(person_id, data.scope, data.granted)]

    @post(
        "/persons/{person_id:int}/contacts",
        operation_id="addServiceContact",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="记录一次就业服务（三类帮扶对象每月至少1次，002 §4(3)）",
    )
    def add_contact(
        self,
        persons: NamedDependency[Persons],
        person_id: PersonId,
        data: Annotated[
            ContactIn,
            Body(
                examples=[
                    Example(
                        summary="上门走访",
                        value={"contacted_on": "2025-10-15", "channel": "visit", "note": "推荐保洁岗位2个"},
                    )
                ]
            ),
        ],
    ) -> ContactOut:
        """Record a service given to the person.

        Returns:
            The contact recorded.
        """
        return contact_out(persons.add_contact(person_id, data.contacted_on, data.channel.value, data.note))

    @get(
        "/persons/{person_id:int}/contacts",
        operation_id="listServiceContacts",
        sync_to_thread=True,
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="就业服务记录",
    )
    def list_contacts(
        self,
        persons: NamedDependency[Persons],
        person_id: PersonId,
        purpose: Purpose,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> ContactPage:
        """The person's service contacts, newest first; the read is audited.

        Returns:
            The total and one page of contacts.
        """
        page = persons.contacts(person_id, purpose_of(purpose), limit, offset)
        return ContactPage(total=page.total, limit=limit, offset=offset, items=[contact_out(c) for c in page.items])

    @get(
        "/persons/{person_id:int}/audit",
        operation_id="personAuditTrail",
        sync_to_thread=True,
        guards=[allow(Role.OFFICER)],
        responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
        summary="个人信息处理记录（审计日志，经办人员）",
    )
    def audit_trail(
        self,
        persons: NamedDependency[Persons],
        person_id: PersonId,
        purpose: Purpose,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> AuditPage:
        """Who read or changed the person's data, newest first. This read is itself recorded first, so it
        tops the trail it returns.

        Returns:
            The total and one page of entries.
        """
        page = persons.audit_trail(person_id, purpose_of(purpose), limit, offset)
        return AuditPage(total=page.total, limit=limit, offset=offset, items=[audit_out(e) for e in page.items])


ROUTES = [PersonsController, PersonPrivacyController]
