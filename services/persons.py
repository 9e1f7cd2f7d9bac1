"""Persons (PIPL-sensitive): registration with consent, the full record, masked lists, consents,
service contacts and the audit trail.

Reach is ``Jurisdiction.covers`` (the hukou or residence county within the caller's, 002 §4); a
person out of reach answers 404, like one that does not exist: the service does not confirm who
is registered elsewhere. Every read or write of a person's data writes one audit entry per person
(who, when, which fields, which purpose) in the request's unit of work; a list writes one per
person shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiuyuan import clock, validation
from jiuyuan.errors import Duplicate, FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import ConsentScope
from ledger import audit, intake, places
from ledger.access import Principal
from ledger.imports import NOT_REGISTRABLE
from ledger.models import AuditEntry, ConsentRecord, Household, Person, Recognition, ServiceContact
from ledger.tiers import current_tier
from services.jurisdiction import Jurisdiction
from services.search import index_soon

FULL_FIELDS = [
    "id_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "hukou_region_code",
    "hukou_region_name",
    "residence_region_code",
    "residence_region_name",
    "address",
    "location_precision",
    "urban_rural",
    "household_id",
    "household_assistance",
    "zero_employment_household",
    "education",
    "land_lost",
    "disability_certificate",
    "disability_grade",
    "skills",
    "wished_work",
    "wished_schedules",
    "registered_unemployed_since",
    "poverty_registered_from",
    "poverty_registered_to",
    "latitude",
    "longitude",
    "created_at",
    "consents",
    "tier",
    "recognitions",
]
"""What a full record discloses (every field of the API's ``PersonOut`` but its id), for the audit log."""
UPDATABLE = (
    "phone",
    "address",
    "residence_region_code",
    "latitude",
    "longitude",
    "skills",
    "wished_work",
    "wished_schedules",
)
"""What ``Persons.update`` may change (issue 19: wishes are saved to the person, not per search)."""
DUPLICATE_CHECK = "登记查重"
"""The purpose of the audit entry an attempt to register someone already registered out of reach leaves."""
CARD_FIELDS = ["name(masked)", "id_number(masked)", "sex", "age_band", "hukou_region_code", "residence_region_code"]
"""What a masked list card discloses, for the audit log."""


@dataclass(frozen=True)
class PersonRecord:
    """A person's full record as one read: everything the answer shows, loaded."""

    person: Person
    household: Household | None
    consents: list[ConsentRecord]
    """The record in force per scope (the latest)."""
    tier: int | None
    """The support tier in force today (002 §4)."""
    recognitions: list[Recognition]
    as_of: date


class NotRegistrable(InvalidInput):
    """An ID number registered outside the caller's reach: refused like any bad row
    (``NOT_REGISTRABLE``). The attempt is audited on that person's trail, so the route answers it
    without raising (raising would roll the entry back)."""

    def __init__(self) -> None:
        super().__init__([FieldError("id_number", NOT_REGISTRABLE)])


@dataclass(frozen=True)
class Page:
    total: int
    items: list[Any]


def reach(session: Session, who: Principal | Jurisdiction, person_id: int, lock: bool = False) -> Person:
    """The person, if within the caller's jurisdiction; 404 otherwise (see the module's note)."""
    person = session.get(Person, person_id, with_for_update=lock)
    if person is None or not Jurisdiction.of(who).covers(person):
        raise NotFound(f"人员 {person_id} 不存在或不在您的管辖范围内。")
    return person


def consents_in_force(session: Session, person_id: int) -> list[ConsentRecord]:
    """The latest record per scope is the one in force (scopes in the order first recorded)."""
    latest: dict[ConsentScope, ConsentRecord] = {}
    for r in session.scalars(
        select(ConsentRecord).where(ConsentRecord.person_id == person_id).order_by(ConsentRecord.id)
    ):
        latest[r.scope] = r
    return list(latest.values())


class Persons:
    """The person records a caller (counter staff, officers) may reach."""

    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def reach(self, person_id: int, lock: bool = False) -> Person:
        return reach(self.session, self.jurisdiction, person_id, lock)

    def record(self, person: Person) -> PersonRecord:
        """The full record of a person already reached (no audit entry: the caller writes it)."""
        day = clock.today()
        recognitions = list(
            self.session.scalars(select(Recognition).where(Recognition.person_id == person.id).order_by(Recognition.id))
        )
        return PersonRecord(
            person,
            person.household,
            consents_in_force(self.session, person.id),
            current_tier(self.session, person.id, day),
            recognitions,
            day,
        )

    def register(self, fields: Mapping[str, Any], consents: Mapping[ConsentScope, bool | None]) -> PersonRecord:
        """Register a person with the consents they gave (``None``: nothing recorded for that
        scope); 409 if the ID number is registered already."""
        row = intake.clean_person(fields)  # field errors (422) come before the jurisdiction check
        if not self.jurisdiction.covers_places(row["hukou_region_code"], row["residence_region_code"]):
            raise Forbidden(f"户籍地和居住地均不在您的管辖范围（{self.jurisdiction.label}）内。")
        household_id = fields.get("household_id")
        if household_id is not None and self.session.get(Household, household_id) is None:
            raise InvalidInput([FieldError("household_id", "家庭不存在，请先登记家庭")])
        try:
            person = intake.add_person(self.session, fields)
        except Duplicate:
            self._registered_already(row["id_number"])
            raise
        for scope in ConsentScope:
            granted = consents.get(scope)
            if granted is not None:
                self.session.add(
                    ConsentRecord(person_id=person.id, scope=scope, granted=granted, recorded_by=self.who.actor[:60])
                )
        self.session.flush()
        audit.record(self.session, self.who, "register", person.id, FULL_FIELDS, "登记求职人员信息")
        index_soon(self.session)  # a consenting person's profile: people-for-a-post finds them
        return self.record(person)

    def _registered_already(self, id_number: str) -> None:
        """Within reach, a duplicate says so and names the person (409); out of reach it is refused
        like any bad row, and the attempt goes on that person's trail (``NotRegistrable``)."""
        existing = self.session.scalar(select(Person).where(Person.id_number == id_number))
        if existing is None:
            return
        if self.jurisdiction.covers(existing):
            raise Duplicate("id_number", f"该身份证号码已登记（人员编号 {existing.id}）")
        audit.record(self.session, self.who, "register_refused", existing.id, ["id_number"], DUPLICATE_CHECK)
        raise NotRegistrable()

    def lookup(self, id_number: str, purpose: str) -> Person:
        """The person with this ID number, if within reach; 404 as for an unknown number otherwise.
        The number comes in a request body, never a URL (access logs, PIPL). Audited as a card."""
        person = self.session.scalar(select(Person).where(Person.id_number == id_number.strip().upper()))
        if person is None or not self.jurisdiction.covers(person):
            raise NotFound("未找到该身份证号码的人员，或不在您的管辖范围内。")
        audit.record(self.session, self.who, "lookup", person.id, CARD_FIELDS, purpose)
        return person

    def update(self, person_id: int, fields: Mapping[str, Any]) -> PersonRecord:
        """Change what a person may change later at the counter: phone, address and residence
        county (a new address naming another county moves the residence), the point a clerk
        corrects, skills, wished work and schedules. Only the keys given change; each is checked by intake's rules (422 naming every bad field, in
        Chinese, nothing written). The residence must stay within reach (else 403), so a clerk
        cannot move a person out of the office's sight. Audited with the fields changed."""
        person = self.reach(person_id, lock=True)
        given = {k: v for k, v in fields.items() if k in UPDATABLE}
        if not given:
            raise InvalidInput(
                [FieldError("phone", "没有要修改的内容：请填写电话、地址、居住地、技能、意向工种或可工作时间")]
            )
        current = {k: getattr(person, k) for k in UPDATABLE} | {
            "id_number": person.id_number,
            "name": person.name,
            "hukou_region_code": person.hukou_region_code,
            "urban_rural": person.urban_rural.value,
        }
        # the record as it would be, checked as a whole
        row = intake.clean_person(places.after_change(current, given, "residence_region_code"))
        if not self.jurisdiction.covers_places(person.hukou_region_code, row["residence_region_code"]):
            raise Forbidden(f"新的居住地不在您的管辖范围（{self.jurisdiction.label}）内，请由居住地窗口修改。")
        changed = [k for k in UPDATABLE if row[k] != getattr(person, k)]
        for key in changed:
            setattr(person, key, row[key])
        self.session.flush()
        audit.record(self.session, self.who, "update", person.id, changed or ["(无变化)"], "窗口修改求职登记信息")
        # The answer is the whole record, ID number and phone included: that read is logged too.
        audit.record(self.session, self.who, "read", person.id, FULL_FIELDS, "窗口修改求职登记信息")
        index_soon(self.session)  # new wishes or skills: the profile is embedded again
        return self.record(person)

    def by_phone(self, phone: str, purpose: str, limit: int = 20) -> Page:
        """Persons within reach registered with this phone number (a family may share one), as
        masked cards; the number comes in a request body, never a URL. Each card shown is audited."""
        try:
            number = validation.phone(phone)
        except ValueError as exc:
            raise InvalidInput([FieldError("phone", f"{exc}，请核对后重新输入")]) from None
        query = self.jurisdiction.where_person(select(Person)).where(Person.phone == number)
        rows = list(self.session.scalars(query.order_by(Person.id).limit(limit)))
        for p in rows:
            audit.record(self.session, self.who, "lookup", p.id, CARD_FIELDS, purpose)
        return Page(len(rows), rows)

    def read(self, person_id: int, purpose: str) -> PersonRecord:
        """The full record, ID number, phone, disability and 低保 status included; audited."""
        out = self.record(self.reach(person_id))
        audit.record(self.session, self.who, "read", person_id, FULL_FIELDS, purpose)
        return out

    def listing(
        self, purpose: str, region: str | None = None, q: str | None = None, limit: int = 20, offset: int = 0
    ) -> Page:
        """Persons within reach (hukou or residence), in the order registered; optionally within
        ``region`` (which must be within reach) and matching ``q`` (characters of the name; an ID
        number is looked up with ``lookup``, never in a URL). Every person shown gets an audit
        entry (masked card fields)."""
        query = self.jurisdiction.where_person(select(Person))
        if region is not None:
            query = query.where(Jurisdiction.in_area_clause(self.jurisdiction.narrow(region)))
        if q and q.strip():
            if re.search(r"[0-9]", q):  # names hold no digits: this is (part of) an ID number
                raise InvalidInput([FieldError("q", "请使用 POST /persons/lookup 按身份证号码查找")])
            query = query.where(Person.name.contains(q.strip(), autoescape=True))
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = list(self.session.scalars(query.order_by(Person.id).limit(limit).offset(offset)))
        for p in rows:
            audit.record(self.session, self.who, "list", p.id, CARD_FIELDS, purpose)
        return Page(total or 0, rows)

    def record_consent(self, person_id: int, scope: ConsentScope, granted: bool) -> list[ConsentRecord]:
        """A grant or withdrawal of one scope; returns the consents now in force."""
        self.reach(person_id)
        self.session.add(
            ConsentRecord(person_id=person_id, scope=scope, granted=granted, recorded_by=self.who.actor[:60])
        )
        self.session.flush()
        audit.record(
            self.session,
            self.who,
            "consent",
            person_id,
            [f"consent.{scope.value}"],
            f"{'授权' if granted else '撤回授权'}：{scope.label}",
        )
        index_soon(self.session)  # a withdrawn consent takes the profile out of the index
        return consents_in_force(self.session, person_id)

    def add_contact(self, person_id: int, contacted_on: date, channel: str, note: str | None) -> ServiceContact:
        """Record a service given to the person (tier 3 needs one a month, 002 §4(3))."""
        if contacted_on > clock.today():
            raise InvalidInput([FieldError("contacted_on", "服务日期不能晚于今天")])
        self.reach(person_id)
        contact = ServiceContact(
            person_id=person_id, contacted_on=contacted_on, channel=channel, staff=self.who.actor[:60], note=note
        )
        self.session.add(contact)
        self.session.flush()
        audit.record(self.session, self.who, "contact", person_id, ["service_contacts"], "记录就业服务")
        return contact

    def contacts(self, person_id: int, purpose: str, limit: int = 50, offset: int = 0) -> Page:
        """The person's service contacts, newest first; the read is audited."""
        self.reach(person_id)
        where = ServiceContact.person_id == person_id
        total = self.session.scalar(select(func.count()).where(where))
        rows = list(
            self.session.scalars(
                select(ServiceContact)
                .where(where)
                .order_by(ServiceContact.contacted_on.desc(), ServiceContact.id.desc())
                .limit(limit)
                .offset(offset)
            )
        )
        audit.record(self.session, self.who, "contacts.read", person_id, ["service_contacts"], purpose)
        return Page(total or 0, rows)

    def audit_trail(self, person_id: int, purpose: str, limit: int = 50, offset: int = 0) -> Page:
        """Who read or changed the person's data, newest first. This read is recorded first, so
        it tops the trail it returns."""
        self.reach(person_id)
        audit.record(self.session, self.who, "audit.read", person_id, ["audit_log"], purpose)
        self.session.flush()
        total = self.session.scalar(select(func.count()).where(AuditEntry.subject_person_id == person_id))
        return Page(total or 0, audit.trail(self.session, person_id, limit, offset))

    def audit_export(self, person_id: int, purpose: str) -> tuple[Person, list[AuditEntry]]:
        """The person's whole trail, oldest first, for a PIPL access request (art. 45); the export
        is recorded first, so it is the trail's last entry."""
        person = self.reach(person_id)
        audit.record(self.session, self.who, "audit.export", person_id, ["audit_log"], purpose)
        self.session.flush()
        return person, audit.trail(self.session, person_id, limit=None, oldest_first=True)
