"""Placements and the subsidy decisions they open.

Recording a placement runs the policy engine at once and stores every decision about it with its
trace (``ledger.placements``). Counter staff and officers record placements of persons within reach
(``Jurisdiction.covers``: hukou or residence); an HR agency records its own placements (the agency
is always itself, whatever is sent) and sees only those — and only while the person's authorisation
of it is active (``services.authorisations``): without one, a placement is refused exactly as for a
person id that does not exist, and one already recorded answers 404 like a placement that does not.

The decisions shown are disclosed by audience (``scoring.disclosure``): an agency reads the status,
amount and what is missing, never the category that qualified the person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from jiuyuan.errors import FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import Role
from ledger import audit, placements
from ledger.access import Principal
from ledger.models import Person, Placement, SubsidyDecision
from scoring.disclosure import Disclosed, disclose
from services.authorisations import agency_may_act
from services.jurisdiction import Jurisdiction


@dataclass(frozen=True)
class PlacementView:
    placement: Placement
    decisions: list[SubsidyDecision]
    audience: Role
    """Who the decisions are shown to: ``disclosed`` redacts them for that role."""

    def disclosed(self, d: SubsidyDecision) -> Disclosed:
        """Decision ``d`` as this view's audience may read it."""
        return disclosed(d, self.audience)


def disclosed(d: SubsidyDecision, audience: Role) -> Disclosed:
    """A stored decision through ``scoring.disclosure.disclose`` for ``audience``."""
    conditions = d.open_conditions or {}
    return disclose(
        audience,
        scheme=d.scheme_code,
        name=d.scheme_code,
        trace=d.trace or [],
        failed=conditions.get("failed", []),
        missing=conditions.get("missing", []),
        unset=conditions.get("unset", []),
        parameters=d.parameters or {},
        next_step=d.next_step,
    )


class Placements:
    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def _may_see(self, placement: Placement) -> bool:
        if self.who.role is Role.AGENCY:
            return self.jurisdiction.is_agency(placement.agency_id) and agency_may_act(
                self.session, self.who, placement.person_id
            )
        return self.jurisdiction.covers(self.session.get(Person, placement.person_id))

    def record(self, fields: Mapping[str, Any], today: date) -> PlacementView:
        """Record that a person started work; every subsidy decision about it is stored at once."""
        fields = dict(fields)
        backdated = fields.get("backdate_reason")
        if backdated and self.who.role not in (Role.OFFICER, Role.ADMIN):
            # A start over a year back drives fee claims: only an officer records one, with a reason.
            raise InvalidInput([FieldError("backdate_reason", "只有经办人员可以补录一年以前开始的安置")])
        hidden = False
        if self.who.role is Role.AGENCY:
            fields["agency_id"] = self.who.agency_id
            # Not authorised: answered as for a person that does not exist, and nothing is written.
            hidden = not agency_may_act(self.session, self.who, fields.get("person_id"))
        else:
            person = self.session.get(Person, fields.get("person_id"))
            if person is not None and not self.jurisdiction.covers(person):
                raise Forbidden("该人员不在您的管辖范围内。")
        placement, decisions = placements.record(self.session, fields, today, person_hidden=hidden)
        audit.record(self.session, self.who, "placement_record", placement.person_id, self._fields(), "就业安置登记")
        if backdated:
            audit.record(
                self.session, self.who, "placement_backdate", placement.person_id, ["placement.start_date"], backdated
            )
        return PlacementView(placement, decisions, self.who.role)

    def _fields(self) -> list[str]:
        """What a placement answer discloses to this caller, for the audit log."""
        redacted = self.who.role in (Role.AGENCY, Role.EMPLOYER)
        return ["placement", "subsidy_decisions(redacted)" if redacted else "subsidy_decisions"]

    def get(self, placement_id: int, purpose: str) -> PlacementView:
        """A placement with the newest decision per scheme (each claim re-scores; history is kept);
        404 for a placement the caller may not see. The read is audited with ``purpose``."""
        placement = self.session.get(Placement, placement_id)
        if placement is None or not self._may_see(placement):
            raise NotFound(f"安置记录 {placement_id} 不存在。")
        audit.record(self.session, self.who, "placement_read", placement.person_id, self._fields(), purpose)
        return PlacementView(placement, placements.latest_decisions(self.session, placement_id), self.who.role)
