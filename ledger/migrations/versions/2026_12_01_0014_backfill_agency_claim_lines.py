"""backfill agency claim lines

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01

Claims made before 0013 have no claim line, so approved agency fees made then are missing from
runs' finance exports and totals, and the risk signals never show on them. Each such claim gets
the line ``ledger.claim_lines.for_claim`` writes today: payee the agency, month the fee matured
in (the claim's decision's ``matures_on``, else the day it was submitted), county where the work
is (posting's, else employer's, else where the person lives), amount, legal basis and trace of
its decision, and its status and decision as the claim's (``decide_claim_line``). Within one
(scheme, subject, month) the later claim's line corrects the earlier, rejected one's, as an
agency claiming again does.

Written with this file's own table definitions, not ``ledger.models``, so it keeps meaning what
it meant when the models move on. Money is copied in fen, as stored.
"""

from collections import defaultdict

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_claims = sa.table(
    "claims",
    *(sa.column(c) for c in ("id", "scheme_code", "person_id", "placement_id", "decision_id", "agency_id")),
    *(sa.column(c) for c in ("amount", "status", "decided_by", "reason")),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
    sa.column("decided_at", sa.DateTime(timezone=True)),
)
_lines = sa.table(
    "claim_lines",
    *(sa.column(c) for c in ("id", "run_id", "claim_id", "person_id", "placement_id", "scheme_code", "subject")),
    *(sa.column(c) for c in ("month", "social_insurance", "region_code", "payee_kind", "payee_id", "payee_name")),
    *(sa.column(c) for c in ("amount", "payable", "legal_basis", "status", "supersedes_id", "correction_reason")),
    *(sa.column(c) for c in ("decision", "decided_by", "decision_reason")),
    sa.column("trace", sa.JSON().with_variant(JSONB(), "postgresql")),
    sa.column("decided_at", sa.DateTime(timezone=True)),
)
_decisions = sa.table(
    "subsidy_decisions",
    sa.column("id"),
    sa.column("legal_basis"),
    sa.column("trace", sa.JSON().with_variant(JSONB(), "postgresql")),
    sa.column("matures_on", sa.Date()),
)
_placements = sa.table("placements", *(sa.column(c) for c in ("id", "posting_id", "employer_id")))
_postings = sa.table("job_postings", sa.column("id"), sa.column("region_code"))
_employers = sa.table("employers", sa.column("id"), sa.column("region_code"))
_persons = sa.table("persons", sa.column("id"), sa.column("residence_region_code"))
_agencies = sa.table("hr_agencies", sa.column("id"), sa.column("name"))


def _unlined(bind) -> list:
    """Every claim without a line, with what its line is made of, oldest first."""
    has_line = sa.exists().where(_lines.c.claim_id == _claims.c.id)
    query = (
        sa.select(
            _claims,
            _decisions.c.legal_basis,
            _decisions.c.trace,
            _decisions.c.matures_on,
            sa.func.coalesce(_postings.c.region_code, _employers.c.region_code, _persons.c.residence_region_code).label(
                "region"
            ),
            _agencies.c.name.label("agency_name"),
        )
        .join(_placements, _placements.c.id == _claims.c.placement_id)
        .join(_persons, _persons.c.id == _claims.c.person_id)
        .outerjoin(_postings, _postings.c.id == _placements.c.posting_id)
        .outerjoin(_employers, _employers.c.id == _placements.c.employer_id)
        .outerjoin(_decisions, _decisions.c.id == _claims.c.decision_id)
        .outerjoin(_agencies, _agencies.c.id == _claims.c.agency_id)
        .where(~has_line)
        .order_by(_claims.c.id)
    )
    return list(bind.execute(query))


def _row(claim, month: str) -> dict:
    decided = claim.status in ("approved", "rejected")
    return {
        "run_id": None,  # a run of its month takes it up, as it takes up a new claim's line
        "claim_id": claim.id,
        "person_id": claim.person_id,
        "placement_id": claim.placement_id,
        "scheme_code": claim.scheme_code,
        "subject": str(claim.placement_id),
        "month": month,
        "social_insurance": False,
        "region_code": (claim.region or "")[:6],
        "payee_kind": "agency",
        "payee_id": claim.agency_id,
        "payee_name": (claim.agency_name or "")[:100],
        "amount": claim.amount,
        "payable": claim.amount,  # what approving it moves: no approved line of its key before it
        "legal_basis": claim.legal_basis or "",
        "trace": list(claim.trace or []),
        "status": claim.status if decided else "pending",
        "supersedes_id": None,
        "correction_reason": None,
        "decision": claim.status if decided else None,
        "decided_by": claim.decided_by if decided else None,
        "decided_at": claim.decided_at if decided else None,
        "decision_reason": (claim.reason or "核准申领") if decided else None,
    }


def _reason(earlier: dict) -> str:
    # As ledger.claim_lines.for_claim words it when an agency claims again after a rejection.
    return f"原申领（明细 {earlier['id']}）已驳回：{earlier['decision_reason']}；机构重新申领"


def upgrade() -> None:
    bind = op.get_bind()
    by_key: dict[tuple, list[dict]] = defaultdict(list)
    for claim in _unlined(bind):
        on = claim.matures_on or claim.submitted_at.date()
        row = _row(claim, f"{on:%Y-%m}")
        by_key[(row["scheme_code"], row["subject"], row["month"])].append(row)
    for (scheme, subject, month), rows in by_key.items():
        # A line written for the key since 0013 is the key's latest: every backfilled one is older.
        live = bind.execute(
            sa.select(_lines.c.id).where(
                _lines.c.scheme_code == scheme,
                _lines.c.subject == subject,
                _lines.c.month == month,
                _lines.c.status != "superseded",
            )
        ).scalar()
        for i, row in enumerate(rows):
            if i + 1 < len(rows) or live is not None:
                row["status"] = "superseded"  # one live line a key; a decided one keeps its decision
            if i:
                row["supersedes_id"], row["correction_reason"] = rows[i - 1]["id"], _reason(rows[i - 1])
            row["id"] = bind.execute(sa.insert(_lines).values(**row).returning(_lines.c.id)).scalar_one()
        if live is not None:
            bind.execute(
                sa.update(_lines)
                .where(_lines.c.id == live, _lines.c.supersedes_id.is_(None))
                .values(supersedes_id=rows[-1]["id"], correction_reason=_reason(rows[-1]))
            )


def downgrade() -> None:
    # The backfilled lines cannot be told from lines written since: all stay (0013's downgrade
    # removes every claim's line, should it run next).
    pass
