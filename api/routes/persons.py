"""Persons (PIPL-sensitive): registration with consent, the full record, masked lists, consents,
service contacts and the audit trail. Counter staff and officers only; employers and agencies
never reach a person's record (their candidates come masked from the matcher).

Jurisdiction (``person_wire.reach``): the hukou or residence county within the caller's (002 §4),
else 404. Every read or write of a person's data writes one audit entry per person (who, when,
which fields, which purpose), committed with the answer; a list writes one per person shown.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException
from litestar.openapi.spec import Example
from litestar.params import Body, QueryParameter
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jiuyuan.errors import FieldError, InvalidInput
from api.auth import allow
from api.errors import problem_responses
from api.routes.person_wire import (
    CARD_FIELDS, FULL_FIELDS, LINE, WRITERS, AuditOut, AuditPage, ConsentIn, ConsentOut, ContactChannel, ContactIn, ContactOut, ContactPage, Limit, Offset, PersonCard, PersonId, PersonIn, PersonOut, PersonPage, Purpose, consents_now, masked_id, person_out, purpose_of, reach,
)
from jiuyuan import clock
from jiuyuan import regions, validation
from jiuyuan.vocab import ConsentScope, Role
from ledger import audit, intake
from ledger.access import Principal
from ledger.models import AuditEntry, ConsentRecord, Household, Person, ServiceContact
from matcher.people import age_band, mask_name
from scoring.retirement import age_on

PERSON_EXAMPLE = Example(summary="窗口登记一位求职人员", value={
    "id_number": "430102199003071242", "name": "李秀英", "hukou_region_code": "430102", "urban_rural": "urban",
    "phone": "13812345678", "skills": ["保洁"], "wished_work": ["保洁员"], "wished_schedules": ["daily"],
    "registered_unemployed_since": "2025-01-06",
    "consents": {"data_processing": True, "show_to_employers": True, "job_push": False}})


@post("/persons", operation_id="registerPerson", tags=["persons"], sync_to_thread=True, guards=[WRITERS],
      responses=problem_responses(400, 401, 403, 409, 422, 500, 503), summary="登记求职人员（含个人信息授权）")
def register_person(request: Request, db_session: NamedDependency[Session],
                    data: Annotated[PersonIn, Body(examples=[PERSON_EXAMPLE])]) -> PersonOut:
    """Register a person with the consents they gave; 409 if the ID number is registered already.

    Returns:
        The full record (the registering clerk has just typed it in).
    """
    who: Principal = request.user
    fields = msgspec.structs.asdict(data)
    consents = fields.pop("consents")
    fields["wished_schedules"] = [s.value for s in data.wished_schedules]
    row = intake.clean_person(fields)  # field errors (422) come before the jurisdiction check
    if not (who.covers(row["hukou_region_code"]) or who.covers(row["residence_region_code"])):
        raise PermissionDeniedException(f"户籍地和居住地均不在您的管辖范围（{who.region_prefix}）内。")
    if data.household_id is not None and db_session.get(Household, data.household_id) is None:
        raise InvalidInput([FieldError("household_id", "家庭不存在，请先登记家庭")])
    person = intake.add_person(db_session, fields)
    for scope in ConsentScope:
        granted = getattr(consents, scope.value)
        if granted is not None:
            db_session.add(ConsentRecord(person_id=person.id, scope=scope, granted=granted,
                                         recorded_by=who.actor[:60]))
    db_session.flush()
    audit.record(db_session, who, "register", person.id, FULL_FIELDS, "登记求职人员信息")
    out = person_out(db_session, person)
    db_session.commit()
    return out


@get("/persons/{person_id:int}", operation_id="getPerson", tags=["persons"], sync_to_thread=True, guards=[WRITERS],
     responses=problem_responses(400, 401, 403, 404, 422, 500, 503), summary="人员完整信息（写入审计日志）")
def get_person(request: Request, db_session: NamedDependency[Session], person_id: PersonId,
               purpose: Purpose) -> PersonOut:
    """The full record, ID number, phone, disability and 低保 status included; the read is audited.

    Returns:
        The person, or 404 when unknown or outside the caller's jurisdiction.
    """
    why = purpose_of(purpose)
    out = person_out(db_session, reach(db_session, request.user, person_id))
    audit.record(db_session, request.user, "read", person_id, FULL_FIELDS, why)
    db_session.commit()
    return out


@get("/persons", operation_id="listPersons", tags=["persons"], sync_to_thread=True, guards=[WRITERS],
     responses=problem_responses(400, 401, 403, 422, 500, 503), summary="人员列表（脱敏；每人一条审计记录）")
def list_persons(
    request: Request, db_session: NamedDependency[Session], purpose: Purpose,
    region: Annotated[str | None, QueryParameter(pattern=r"^[0-9]{2}([0-9]{2}){0,2}$",
                                                 description="省 43、市 4301、县 430102")]
    = None,
    q: Annotated[str | None, QueryParameter(min_length=1, max_length=40, pattern=LINE,
                                            description="姓名中的字，或完整身份证号码")]
    = None,
    limit: Limit = 20, offset: Offset = 0,
) -> PersonPage:
    """Persons within the caller's jurisdiction (hukou or residence), masked, in the order registered.

    Returns:
        One page of masked cards; every person shown gets an audit entry.
    """
    who: Principal = request.user
    why = purpose_of(purpose)
    query = select(Person)
    if who.role is not Role.ADMIN:
        query = query.where(or_(Person.hukou_region_code.startswith(who.region_prefix),
                                Person.residence_region_code.startswith(who.region_prefix)))
    if region is not None:
        try:
            prefix = validation.region_prefix(region)
        except ValueError as exc:
            raise InvalidInput([FieldError("region", str(exc))]) from None
        if not who.covers(prefix):
            raise PermissionDeniedException(f"地区 {region} 不在您的管辖范围（{who.region_prefix}）内。")
        query = query.where(or_(Person.hukou_region_code.startswith(prefix),
                                Person.residence_region_code.startswith(prefix)))
    if q and q.strip():
        term = q.strip()
        query = query.where(Person.id_number == term.upper() if len(term) == 18
                            else Person.name.contains(term, autoescape=True))
    total = db_session.scalar(select(func.count()).select_from(query.subquery()))
    day = clock.today()
    items = [PersonCard(p.id, mask_name(p.name), masked_id(p.id_number), p.sex, age_band(age_on(p.birth_date, day)),
                        p.hukou_region_code, p.residence_region_code, regions.full_name(p.residence_region_code))
             for p in db_session.scalars(query.order_by(Person.id).limit(limit).offset(offset))]
    for card in items:
        audit.record(db_session, who, "list", card.id, CARD_FIELDS, why)
    db_session.commit()
    return PersonPage(total=total, limit=limit, offset=offset, items=items)


@post("/persons/{person_id:int}/consents", operation_id="recordConsent", tags=["persons"], sync_to_thread=True,
      guards=[WRITERS], responses=problem_responses(400, 401, 403, 404, 422, 500, 503), summary="记录授权或撤回授权")
def record_consent(request: Request, db_session: NamedDependency[Session], person_id: PersonId,
                   data: Annotated[ConsentIn, Body(examples=[Example(summary="撤回向用人单位展示的授权",
                                                                     value={"scope": "show_to_employers",
                                                                            "granted": False})])],
                   ) -> list[ConsentOut]:
    """A grant or withdrawal of one scope; the latest record per scope is in force.

    Returns:
        The consents now in force.
    """
    reach(db_session, request.user, person_id)
    db_session.add(ConsentRecord(person_id=person_id, scope=data.scope, granted=data.granted,
                                 recorded_by=request.user.actor[:60]))
    db_session.flush()
    audit.record(db_session, request.user, "consent", person_id, [f"consent.{data.scope.value}"],
                 f"{'授权' if data.granted else '撤回授权'}：{data.scope.label}")
    out = consents_now(db_session, person_id)
    db_session.commit()
    return out


def contact_out(c: ServiceContact) -> ContactOut:
    channel = ContactChannel(c.channel) if c.channel in ContactChannel._value2member_map_ else None
    return ContactOut(c.id, c.contacted_on, c.channel, channel.label if channel else c.channel, c.staff, c.note)


@post("/persons/{person_id:int}/contacts", operation_id="addServiceContact", tags=["persons"], sync_to_thread=True,
      guards=[WRITERS], responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
      summary="记录一次就业服务（三类帮扶对象每月至少1次，002 §4(3)）")
def add_contact(request: Request, db_session: NamedDependency[Session], person_id: PersonId,
                data: Annotated[ContactIn, Body(examples=[Example(summary="上门走访", value={
                    "contacted_on": "2025-10-15", "channel": "visit", "note": "推荐保洁岗位2个"})])]) -> ContactOut:
    """Record a service given to the person.

    Returns:
        The contact recorded.
    """
    if data.contacted_on > clock.today():
        raise InvalidInput([FieldError("contacted_on", "服务日期不能晚于今天")])
    reach(db_session, request.user, person_id)
    contact = ServiceContact(person_id=person_id, contacted_on=data.contacted_on, channel=data.channel.value,
                             staff=request.user.actor[:60], note=data.note)
    db_session.add(contact)
    db_session.flush()
    audit.record(db_session, request.user, "contact", person_id, ["service_contacts"], "记录就业服务")
    out = contact_out(contact)
    db_session.commit()
    return out


@get("/persons/{person_id:int}/contacts", operation_id="listServiceContacts", tags=["persons"], sync_to_thread=True,
     guards=[WRITERS], responses=problem_responses(400, 401, 403, 404, 422, 500, 503), summary="就业服务记录")
def list_contacts(request: Request, db_session: NamedDependency[Session], person_id: PersonId, purpose: Purpose,
                  limit: Limit = 50, offset: Offset = 0) -> ContactPage:
    """The person's service contacts, newest first; the read is audited.

    Returns:
        The total and one page of contacts.
    """
    why = purpose_of(purpose)
    reach(db_session, request.user, person_id)
    where = ServiceContact.person_id == person_id
    total = db_session.scalar(select(func.count()).where(where))
    rows = db_session.scalars(select(ServiceContact).where(where).order_by(
        ServiceContact.contacted_on.desc(), ServiceContact.id.desc()).limit(limit).offset(offset))
    out = ContactPage(total=total, limit=limit, offset=offset, items=[contact_out(c) for c in rows])
    audit.record(db_session, request.user, "contacts.read", person_id, ["service_contacts"], why)
    db_session.commit()
    return out


@get("/persons/{person_id:int}/audit", operation_id="personAuditTrail", tags=["persons"], sync_to_thread=True,
     guards=[allow(Role.OFFICER)], responses=problem_responses(400, 401, 403, 404, 422, 500, 503),
     summary="个人信息处理记录（审计日志，经办人员）")
def audit_trail(request: Request, db_session: NamedDependency[Session], person_id: PersonId, purpose: Purpose,
                limit: Limit = 50, offset: Offset = 0) -> AuditPage:
    """Who read or changed the person's data, newest first. This read is itself recorded first, so it
    tops the trail it returns.

    Returns:
        The total and one page of entries.
    """
    why = purpose_of(purpose)
    reach(db_session, request.user, person_id)
    audit.record(db_session, request.user, "audit.read", person_id, ["audit_log"], why)
    db_session.flush()
    total = db_session.scalar(select(func.count()).where(AuditEntry.subject_person_id == person_id))
    items = [AuditOut(e.id, e.at, e.actor, e.actor_role, e.action, e.fields, e.purpose)
             for e in audit.trail(db_session, person_id, limit, offset)]
    db_session.commit()
    return AuditPage(total=total, limit=limit, offset=offset, items=items)


ROUTES = [register_person, list_persons, get_person, record_consent, add_contact, list_contacts, audit_trail]
