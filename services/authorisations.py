"""A person's service authorisation of an HR agency (PIPL): the rule every agency read or write
about a person goes through.

An authorisation is the person's consent to one agency, recorded by counter staff or an officer
whose jurisdiction covers the person (``services.persons.reach``: 404 otherwise), with a purpose,
given in person at the counter or imported from a signed form (``proof``). It runs from
``valid_from`` to ``valid_to`` (Beijing dates) and may be revoked at any time; every grant,
revocation and listing is audited.

An agency may record a placement of a person, see the decisions about it, or claim for it only
while an authorisation of that agency by that person is active (``active``). Without one the
agency is answered exactly as for a person id that does not exist (``ledger.intake.add_placement``'s
``person_hidden``; for a claim or a placement read, as for a placement that does not exist): the
same status and body, and nothing written — so ids cannot be enumerated through the agency routes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from jiuyuan import clock, validation
from jiuyuan.errors import FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import Role
from ledger import audit
from ledger.access import Principal
from ledger.base import utcnow
from ledger.models import AgencyAuthorisation, HrAgency
from services.persons import reach

SOURCES = ("counter", "import")
MAX_DAYS = 3 * 366
"""The longest an authorisation may run (three years); the person renews it at a counter."""
FIELDS = ("agency_authorisations",)


def is_active(session: Session, person_id: int | None, agency_id: int | None, on: date | None = None) -> bool:
    """Whether ``agency_id`` holds an active authorisation from ``person_id`` on ``on`` (today)."""
    if person_id is None or agency_id is None:
        return False
    return bool(session.scalar(select(active_clause(person_id, agency_id, on))))


def active_clause(person_id: Any, agency_id: int | None, on: date | None = None) -> ColumnElement[bool]:
    """SQL twin of ``is_active``: ``person_id`` (an id or a column) has an active authorisation of
    ``agency_id`` on ``on`` (today)."""
    day = on or clock.today()
    return exists().where(
        AgencyAuthorisation.person_id == person_id,
        AgencyAuthorisation.agency_id == agency_id,
        AgencyAuthorisation.valid_from <= day,
        AgencyAuthorisation.valid_to >= day,
        AgencyAuthorisation.revoked_at.is_(None),
    )


def agency_may_act(session: Session, who: Principal, person_id: int | None) -> bool:
    """For an agency caller: whether it may act for ``person_id`` today. Other roles: True (their
    reach is ``Jurisdiction``'s)."""
    if who.role is not Role.AGENCY:
        return True
    return is_active(session, person_id, who.agency_id)


class AgencyAuthorisations:
    """Recording, revoking and listing authorisations: counter staff and officers within reach."""

    def __init__(self, session: Session, who: Principal):
        self.session, self.who = session, who

    def _staff(self) -> None:
        if self.who.role not in (Role.COUNTER, Role.OFFICER):
            raise Forbidden("只有窗口人员和经办人员可以登记或撤回对人力资源服务机构的授权。")

    def grant(
        self,
        person_id: int,
        agency_uscc: str,
        valid_from: date,
        valid_to: date,
        purpose: str,
        source: str = "counter",
        proof: str | None = None,
    ) -> AgencyAuthorisation:
        """Record the person's authorisation of the agency (its USCC); 422 naming each bad field."""
        self._staff()
        person = reach(self.session, self.who, person_id)
        c = validation.Checker()
        agency_id = self.session.scalar(select(HrAgency.id).where(HrAgency.uscc == (agency_uscc or "").strip()))
        if agency_id is None:
            c.fail("agency_uscc", "人力资源服务机构须为已登记机构的统一社会信用代码")
        purpose = (purpose or "").strip()
        if not 2 <= len(purpose) <= 200:
            c.fail("purpose", "授权目的须为2–200个字")
        if valid_to < valid_from:
            c.fail("valid_to", "授权截止日不能早于起始日")
        elif (valid_to - valid_from).days > MAX_DAYS:
            c.fail("valid_to", "授权期限最长三年")
        elif valid_to < clock.today():
            c.fail("valid_to", "授权截止日已过")
        if source not in SOURCES:
            c.fail("source", "来源须为 counter（窗口当面授权）或 import（导入，须附凭证）")
        proof = (proof or "").strip() or None
        if source == "import" and proof is None:
            c.fail("proof", "导入的授权须写明凭证（如签字授权书编号）")
        if proof is not None and len(proof) > 500:
            c.fail("proof", "凭证不超过500字")
        c.raise_if_any()
        row = AgencyAuthorisation(
            person_id=person.id,
            agency_id=agency_id,
            valid_from=valid_from,
            valid_to=valid_to,
            purpose=purpose,
            source=source,
            proof=proof,
            recorded_by=self.who.actor[:60],
            recorded_at=utcnow(),
        )
        self.session.add(row)
        self.session.flush()
        audit.record(self.session, self.who, "agency_authorisation_grant", person.id, FIELDS, purpose)
        return row

    def revoke(self, person_id: int, authorisation_id: int, reason: str) -> AgencyAuthorisation:
        """Revoke one of the person's authorisations (from now on); revoking twice keeps the first."""
        self._staff()
        person = reach(self.session, self.who, person_id)
        row = self.session.get(AgencyAuthorisation, authorisation_id)
        if row is None or row.person_id != person.id:
            raise NotFound(f"授权 {authorisation_id} 不存在。")
        reason = (reason or "").strip()
        if not 2 <= len(reason) <= 200:
            raise InvalidInput([FieldError("reason", "撤回理由须为2–200个字")])
        if row.revoked_at is None:
            row.revoked_at, row.revoked_by, row.revoke_reason = utcnow(), self.who.actor[:60], reason
            self.session.flush()
        audit.record(self.session, self.who, "agency_authorisation_revoke", person.id, FIELDS, reason)
        return row

    def listing(self, person_id: int, purpose: str) -> list[AgencyAuthorisation]:
        """The person's authorisations, newest first (revoked and expired ones too); audited."""
        self._staff()
        person = reach(self.session, self.who, person_id)
        rows = list(
            self.session.scalars(
                select(AgencyAuthorisation)
                .where(AgencyAuthorisation.person_id == person.id)
                .order_by(AgencyAuthorisation.id.desc())
            )
        )
        audit.record(self.session, self.who, "agency_authorisation_list", person.id, FIELDS, purpose.strip() or "查阅")
        return rows
