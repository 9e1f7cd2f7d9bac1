"""Load demo data into the ledger in one transaction; rows already there are skipped.

Natural keys decide what is "already there": USCC for employers and agencies, the
household and posting references, the ID number for persons. Rows owned by a person
(consent, recognition, tier, placement) are loaded only with a newly loaded person,
so loading the same seed twice writes nothing the second time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from demo.generate import DemoData
from jiuyuan.vocab import Role
from ledger import access, changes
from ledger.base import utcnow
from ledger.models import (
    ApiKey,
    ConsentRecord,
    Employer,
    Household,
    HrAgency,
    JobFair,
    JobPosting,
    Person,
    Placement,
    Recognition,
    TierAssignment,
    TrainingRecord,
)

CHUNK = 5000


def _keys(session: Session, column) -> dict[str, int]:
    model = column.class_
    return dict(session.execute(select(column, model.id)).all())


def _insert(session: Session, model, rows: list[dict[str, Any]], progress: bool, label: str) -> int:
    for start in tqdm(
        range(0, len(rows), CHUNK),
        desc=f"写入{label}",
        unit="批",
        disable=not progress or len(rows) <= CHUNK,
        leave=False,
    ):
        session.execute(insert(model), rows[start : start + CHUNK])
    return len(rows)


def _without(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}


def _new(rows: Iterable[dict[str, Any]], key: str, existing: dict[str, int]) -> list[dict[str, Any]]:
    return [r for r in rows if r[key] not in existing]


def load(session: Session, data: DemoData, progress: bool = False) -> dict[str, int]:
    """Insert what is missing; return how many rows each table received."""
    counts: dict[str, int] = {}

    employers = _keys(session, Employer.uscc)
    counts["employers"] = _insert(session, Employer, _new(data.employers, "uscc", employers), progress, "用人单位")
    agencies = _keys(session, HrAgency.uscc)
    counts["hr_agencies"] = _insert(session, HrAgency, _new(data.agencies, "uscc", agencies), progress, "服务机构")
    households = _keys(session, Household.ref)
    counts["households"] = _insert(session, Household, _new(data.households, "ref", households), progress, "家庭")
    employers, agencies = _keys(session, Employer.uscc), _keys(session, HrAgency.uscc)
    households = _keys(session, Household.ref)

    known_persons = _keys(session, Person.id_number)
    new_persons = _new(data.persons, "id_number", known_persons)
    counts["persons"] = _insert(
        session,
        Person,
        [_without(p, "household_ref") | {"household_id": households[p["household_ref"]]} for p in new_persons],
        progress,
        "人员",
    )
    # A posting's ref is unique per employer only: known postings are keyed by both.
    postings = {(e, r) for e, r in session.execute(select(JobPosting.employer_id, JobPosting.ref))}
    new_postings = [p for p in data.postings if (employers[p["employer_uscc"]], p["ref"]) not in postings]
    counts["job_postings"] = _insert(
        session,
        JobPosting,
        [_without(p, "employer_uscc") | {"employer_id": employers[p["employer_uscc"]]} for p in new_postings],
        progress,
        "岗位",
    )
    posting_ids = {
        (e, r): i for e, r, i in session.execute(select(JobPosting.employer_id, JobPosting.ref, JobPosting.id))
    }
    changes.record(session, [posting_ids[employers[p["employer_uscc"]], p["ref"]] for p in new_postings], "upsert")

    loaded = {p["id_number"] for p in new_persons}
    person_ids = _keys(session, Person.id_number)

    def owned(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            _without(r, "id_number", "employer_uscc", "agency_uscc")
            | {"person_id": person_ids[r["id_number"]]}
            | ({"employer_id": employers[r["employer_uscc"]]} if "employer_uscc" in r else {})
            | ({"agency_id": agencies[r["agency_uscc"]]} if "agency_uscc" in r else {})
            for r in rows
            if r["id_number"] in loaded
        ]

    counts["consent_records"] = _insert(session, ConsentRecord, owned(data.consents), progress, "授权")
    counts["recognitions"] = _insert(session, Recognition, owned(data.recognitions), progress, "认定")
    counts["tier_assignments"] = _insert(session, TierAssignment, owned(data.tiers), progress, "帮扶分级")
    counts["placements"] = _insert(session, Placement, owned(data.placements), progress, "就业安置")
    counts["training_records"] = _insert(session, TrainingRecord, owned(data.training), progress, "培训")
    fairs = _keys(session, JobFair.ref)
    counts["job_fairs"] = _insert(session, JobFair, _new(data.fairs, "ref", fairs), progress, "招聘会")
    return counts


# ----- demo keys: one per role, for the README's tour and the page; never in production -----------

DEMO_KEY_PREFIX = "【演示】"
"""The reserved name prefix of demo keys (no column marks them, and none is added for it):
``jiuyuan keys issue`` refuses a name that starts with it, and ``jiuyuan serve --production``
refuses to start while a live key carries it."""
DEMO_REGION = "430121"
"""长沙县: the counter's and the officer's jurisdiction in the demo."""
DEMO_KEY_DAYS = 30
_SECRET_NAME = "demo_keys"


def _demo_key_id(role: Role) -> str:
    return f"demo{role.value}"[:16]


def _demo_secret(session: Session, key_id: str) -> str:
    """The key's secret, derived from a secret of this ledger (``ServerSecret``, no migration):
    the same every time on this ledger, so ``jiuyuan keys demo`` can print it again, and unknown
    to anyone without the ledger."""
    return hmac.new(access.server_secret(session, _SECRET_NAME), key_id.encode(), hashlib.sha256).hexdigest()


def _demo_owners(session: Session) -> dict[Role, dict[str, Any]]:
    """Who each demo key acts for: the counter and the officer in 长沙县, an employer there (or the
    first), the first agency (the demo data must be loaded first)."""
    employer = session.scalar(select(Employer).order_by((Employer.region_code != DEMO_REGION), Employer.id).limit(1))
    agency = session.scalar(select(HrAgency).order_by(HrAgency.id).limit(1))
    owners: dict[Role, dict[str, Any]] = {
        Role.COUNTER: {"name": "长沙县零工市场 窗口", "region_prefix": DEMO_REGION},
        Role.OFFICER: {"name": "长沙县人社局 经办", "region_prefix": DEMO_REGION},
        Role.ADMIN: {"name": "系统管理员"},
    }
    if employer is not None:
        owners[Role.EMPLOYER] = {"name": employer.name[:40], "employer_id": employer.id}
    if agency is not None:
        owners[Role.AGENCY] = {"name": agency.name[:40], "agency_id": agency.id}
    return owners


def load_demo_keys(session: Session, days: int = DEMO_KEY_DAYS) -> dict[Role, str]:
    """One key per role, named ``【演示】…``; made again (secret, expiry, unrevoked) on every
    demo load. Returns role → token."""
    now = utcnow()
    tokens: dict[Role, str] = {}
    for role, owner in _demo_owners(session).items():
        key_id = _demo_key_id(role)
        secret = _demo_secret(session, key_id)
        row = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
        if row is None:
            row = ApiKey(key_id=key_id, role=role, created_at=now)
            session.add(row)
        row.name = f"{DEMO_KEY_PREFIX}{owner['name']}"
        row.secret_sha256 = hashlib.sha256(secret.encode()).hexdigest()
        row.employer_id, row.agency_id = owner.get("employer_id"), owner.get("agency_id")
        row.region_prefix = owner.get("region_prefix")
        row.expires_at, row.revoked_at = now + timedelta(days=days), None
        tokens[role] = f"{access.PREFIX}{key_id}.{secret}"
    session.flush()
    return tokens


def live_demo_keys(session: Session) -> list[ApiKey]:
    """Demo keys that still let someone in (neither revoked nor expired)."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.name.startswith(DEMO_KEY_PREFIX), ApiKey.revoked_at.is_(None), ApiKey.expires_at > utcnow())
            .order_by(ApiKey.id)
        )
    )


def demo_tokens(session: Session) -> dict[Role, str]:
    """The tokens of the live demo keys, in the order of ``Role`` (printed by ``jiuyuan keys demo``)."""
    live = {k.role: k for k in live_demo_keys(session) if k.key_id == _demo_key_id(k.role)}
    return {
        role: f"{access.PREFIX}{live[role].key_id}.{_demo_secret(session, live[role].key_id)}"
        for role in Role
        if role in live
    }
