"""An HR agency's own caseload: the persons whose authorisation of it is active today, each with
the agency's placements of them. Nothing about a person without an active authorisation is
shown (``services.authorisations``), and each person listed is an audited read (``list``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jiuyuan import clock
from jiuyuan.errors import Forbidden
from jiuyuan.vocab import Role
from ledger import audit
from ledger.access import Principal
from ledger.models import AgencyAuthorisation, Person, Placement
from services.persons import CARD_FIELDS

FIELDS = [*CARD_FIELDS, "agency_authorisations", "placements"]
"""What a listed person's entry discloses: the masked card (``services.persons.CARD_FIELDS``) and
the agency's own authorisation and placements."""


@dataclass(frozen=True)
class Authorised:
    person: Person
    authorisation: AgencyAuthorisation
    placements: list[Placement]


class Agency:
    def __init__(self, session: Session, who: Principal):
        self.session, self.who = session, who

    def persons(self, purpose: str, limit: int = 100) -> list[Authorised]:
        """The agency's authorised persons, newest authorisation first."""
        if self.who.role is not Role.AGENCY or self.who.agency_id is None:
            raise Forbidden("只有人力资源服务机构可以查看本机构受委托的人员。")
        today = clock.today()
        rows = self.session.execute(
            select(Person, AgencyAuthorisation)
            .join(AgencyAuthorisation, AgencyAuthorisation.person_id == Person.id)
            .where(  # active today: services.authorisations.active_clause, on the joined row
                AgencyAuthorisation.agency_id == self.who.agency_id,
                AgencyAuthorisation.valid_from <= today,
                AgencyAuthorisation.valid_to >= today,
                AgencyAuthorisation.revoked_at.is_(None),
            )
            .order_by(AgencyAuthorisation.valid_from.desc(), AgencyAuthorisation.id.desc())
            .limit(limit)
        ).all()
        seen: dict[int, Authorised] = {}
        for person, grant in rows:
            if person.id in seen:
                continue
            placements = list(
                self.session.scalars(
                    select(Placement)
                    .where(Placement.person_id == person.id, Placement.agency_id == self.who.agency_id)
                    .order_by(Placement.start_date.desc())
                )
            )
            audit.record(self.session, self.who, "list", person.id, FIELDS, purpose)
            seen[person.id] = Authorised(person, grant, placements)
        return list(seen.values())
