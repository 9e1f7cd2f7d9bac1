"""Issuing, checking and revoking API keys, and who a request acts as.

A token reads ``jy_<key id>.<secret>``. The key id finds the row; the secret's SHA-256 must
match in constant time; the key must be neither expired nor revoked. Anything else, including
one changed character, is simply not a principal.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from jiuyuan import validation
from jiuyuan.errors import FieldError, InvalidInput
from jiuyuan.vocab import Role
from ledger.base import utcnow
from ledger.models import ApiKey, Employer, HrAgency, ServerSecret

PREFIX = "jy_"


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    role: Role
    employer_id: int | None = None
    agency_id: int | None = None
    region_prefix: str | None = None
    expires_at: datetime | None = None
    employer_uscc: str | None = None
    """An employer key's company, registered or not (``employer_id`` is None until it is)."""

    @property
    def unregistered_employer(self) -> bool:
        """An employer key whose company has yet to register itself (``POST /employers``)."""
        return self.role is Role.EMPLOYER and self.employer_id is None

    @property
    def actor(self) -> str:
        """How the audit log names this caller (fits its 60 characters: a key id is 12)."""
        return f"{self.name[:44]}（{self.key_id}）"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(
    session: Session,
    role: Role,
    name: str,
    days: int = 90,
    employer_uscc: str | None = None,
    agency_uscc: str | None = None,
    region: str | None = None,
) -> tuple[str, ApiKey]:
    """A new key; the returned token is the only copy of its secret. An employer key names its
    company by USCC: a registered one binds the key to it, an unregistered one (checksum checked)
    lets the company register itself first."""
    c = validation.Checker()
    if not name.strip() or len(name) > 60:
        c.fail("name", "持有人名称须为1–60个字")
    if not 1 <= days <= 3660:
        c.fail("days", "有效天数须在1到3660之间")
    employer_id = agency_id = pending_uscc = None
    if role is Role.EMPLOYER:
        given = c.check("employer", validation.social_credit_code, (employer_uscc or "").strip().upper())
        if given:
            employer_id = session.scalar(select(Employer.id).where(Employer.uscc == given))
            pending_uscc = given if employer_id is None else None
    if role is Role.AGENCY:
        agency_id = session.scalar(select(HrAgency.id).where(HrAgency.uscc == agency_uscc))
        if agency_id is None:
            c.fail("agency", "人力资源服务机构须为已登记机构的统一社会信用代码")
    prefix = None
    if role in (Role.COUNTER, Role.OFFICER):
        if not region:
            c.fail("region", "窗口人员和经办人员须指定管辖区划（省、市或县代码）")
        else:
            prefix = c.check("region", validation.region_prefix, region)
    c.raise_if_any()
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiKey(
        key_id=key_id,
        secret_sha256=_digest(secret),
        role=role,
        name=name.strip(),
        employer_id=employer_id,
        employer_uscc=pending_uscc,
        agency_id=agency_id,
        region_prefix=prefix,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    session.add(row)
    session.flush()
    return f"{PREFIX}{key_id}.{secret}", row


# Built once: every request checks its key, and building the statement cost more than running it.
_KEY = (
    select(ApiKey, Employer.uscc)
    .outerjoin(Employer, Employer.id == ApiKey.employer_id)
    .where(ApiKey.key_id == bindparam("key_id"))
)


def authenticate(session: Session, token: str, now: datetime | None = None) -> Principal | None:
    if not token.startswith(PREFIX) or "." not in token:
        return None
    key_id, _, secret = token[len(PREFIX) :].partition(".")
    found = session.execute(_KEY, {"key_id": key_id}).first()
    if found is None or not hmac.compare_digest(found[0].secret_sha256, _digest(secret)):
        return None
    row, uscc = found
    if row.revoked_at is not None or row.expires_at <= (now or utcnow()):
        return None
    employer_id = row.employer_id
    if employer_id is None and row.employer_uscc is not None:  # registered meanwhile, by a counter say
        employer_id, uscc = (
            session.scalar(select(Employer.id).where(Employer.uscc == row.employer_uscc)),
            row.employer_uscc,
        )
    return Principal(
        row.key_id, row.name, row.role, employer_id, row.agency_id, row.region_prefix, row.expires_at, uscc
    )


def bind_employer_keys(session: Session, employer: Employer) -> int:
    """Bind the live keys issued for ``employer``'s USCC before it was registered; how many. A
    revoked or expired one stays as it was: it acts for nobody either way."""
    keys = session.scalars(
        select(ApiKey).where(
            ApiKey.employer_uscc == employer.uscc,
            ApiKey.employer_id.is_(None),
            ApiKey.revoked_at.is_(None),
            ApiKey.expires_at > utcnow(),
        )
    )
    bound = 0
    for key in keys:
        key.employer_id, key.employer_uscc = employer.id, None
        bound += 1
    return bound


def revoke(session: Session, key_id: str) -> ApiKey:
    row = session.scalar(select(ApiKey).where(ApiKey.key_id == key_id))
    if row is None:
        raise InvalidInput([FieldError("key_id", "没有这个密钥")])
    row.revoked_at = row.revoked_at or utcnow()
    return row


def server_secret(session: Session, name: str) -> bytes:
    """A secret the service keeps in its ledger (``ServerSecret``): migration 0008 makes
    ``person_ref``; one missing (a ledger built without the migrations) is made on first use."""
    value = session.scalar(select(ServerSecret.value).where(ServerSecret.name == name))
    if value is None:
        try:
            with session.begin_nested():
                session.add(ServerSecret(name=name, value=secrets.token_hex(32), created_at=utcnow()))
        except IntegrityError:  # made meanwhile by a concurrent request: take that one
            pass
        value = session.scalar(select(ServerSecret.value).where(ServerSecret.name == name))
    return bytes.fromhex(value)
