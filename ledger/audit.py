"""Writing the audit log (PIPL): every read or change of a person's data, by whom, which
fields, for what purpose. Entries are added to the caller's session, so they commit — or roll
back — with the work they describe: in the API, the request's unit of work (``api.deps``)
commits them with the answer, reads included, and a request that fails leaves none."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.access import Principal
from ledger.base import utcnow
from ledger.models import AuditEntry


def record(
    session: Session, who: Principal, action: str, person_id: int | None, fields: Iterable[str], purpose: str
) -> AuditEntry:
    """One entry, naming the caller's own role (an administrator is logged as ``admin``)."""
    entry = AuditEntry(
        at=utcnow(),
        actor=who.actor,
        actor_role=who.role.value,
        action=action,
        subject_person_id=person_id,
        fields=sorted(set(fields)),
        purpose=purpose,
    )
    session.add(entry)
    return entry


def trail(
    session: Session, person_id: int, limit: int | None = 200, offset: int = 0, oldest_first: bool = False
) -> list[AuditEntry]:
    """A person's audit trail, newest first (``oldest_first``: as it happened); ``limit`` None: all."""
    order = (AuditEntry.at, AuditEntry.id) if oldest_first else (AuditEntry.at.desc(), AuditEntry.id.desc())
    query = select(AuditEntry).where(AuditEntry.subject_person_id == person_id).order_by(*order).offset(offset)
    return list(session.scalars(query if limit is None else query.limit(limit)))
