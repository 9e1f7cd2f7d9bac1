"""Claims: an HR agency claims its service fee for a placement (idempotently), an officer
approves or rejects it with a reason, and the decision is final. The ledger keeps the rules
money depends on (``ledger.claims``); this service decides who may do what, and audits it.

Reach: an agency its own claims, and a new one only while the person's authorisation of it is
active (``services.authorisations``: otherwise 404, as for a placement that does not exist);
officers the claims about persons within reach, hukou or residence county (002 §4), as they
reach the claim's line in a payment run (``Jurisdiction.covers``): one decision, one rule.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from jiuyuan.errors import Forbidden, NotFound
from jiuyuan.vocab import ClaimStatus, Role
from ledger import audit, claims
from ledger.access import Principal
from ledger.claims import CLAIMABLE, Submitted
from ledger.models import Claim, Person, Placement
from services.authorisations import active_clause, agency_may_act
from services.jurisdiction import Jurisdiction

__all__ = ["CLAIMABLE", "Claims", "Submitted"]
CLAIM_FIELDS = ["claim"]
"""What a claim answer discloses of its person: the claim itself (scheme, amount, status, reason)."""


class Claims:
    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    def submit(self, placement_id: int, scheme: str, key: str, today: date) -> Submitted:
        """Claim ``scheme`` for one of the agency's placements (see ``ledger.claims.submit``);
        a retry with the same key gets the same claim (``created`` False). Agencies only."""
        if self.who.role is not Role.AGENCY or self.who.agency_id is None:
            raise Forbidden("只有人力资源服务机构可以申领服务补贴。")
        placement = self.session.get(Placement, placement_id)
        if placement is not None and not agency_may_act(self.session, self.who, placement.person_id):
            raise NotFound(f"安置记录 {placement_id} 不存在或不是本机构介绍的")  # ledger.claims' words
        result = claims.submit(self.session, self.who.agency_id, placement_id, scheme, key, today)
        if result.created:
            audit.record(
                self.session,
                self.who,
                "claim_submit",
                result.claim.person_id,
                ["placement", "subsidy_decision"],
                f"申领{scheme}",
            )
        return result

    def decide(self, claim_id: int, approve: bool, reason: str | None) -> Claim:
        """An officer's final decision on a claim within reach (404 otherwise); audited."""
        claim = self.session.get(Claim, claim_id)
        if claim is None or not self.jurisdiction.covers(self.session.get_one(Person, claim.person_id)):
            raise NotFound(f"申领 {claim_id} 不存在或不在您的管辖范围内")
        claim = claims.decide(self.session, claim, approve, reason, self.who.actor)
        audit.record(
            self.session,
            self.who,
            "claim_" + claim.status.value,
            claim.person_id,
            ["claim"],
            claim.reason or "核准申领",
        )
        return claim

    def visible(self, status: ClaimStatus | None, limit: int, offset: int, purpose: str) -> list[Claim]:
        """An agency sees its own claims about persons whose authorisation of it is active today (one
        revoked hides the claims as for a person unknown); officers those of persons within reach
        (hukou or residence). Each claim listed is an audited read of its person, with ``purpose``."""
        query = claims.listing(status, limit, offset)
        if self.who.role is Role.AGENCY:
            query = query.where(
                Claim.agency_id == self.who.agency_id, active_clause(Claim.person_id, self.who.agency_id)
            )
        elif not self.jurisdiction.everywhere:
            query = query.join(Person, Person.id == Claim.person_id).where(self.jurisdiction.person_clause())
        rows = list(self.session.scalars(query))
        for claim in rows:
            audit.record(self.session, self.who, "claim_read", claim.person_id, CLAIM_FIELDS, purpose)
        return rows
