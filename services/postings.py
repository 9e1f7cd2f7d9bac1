"""Job postings. Postings are public notices: no personal data, so no audit entries but one: a
change of a posting's location (``posting.location``, rate-limited for employers). Every role
may read them, except that an employer sees only its own. Employers write their own postings;
counter staff and officers write any employer's postings inside their jurisdiction
(``Jurisdiction.covers_region`` on the posting's region, before and after a change). Every write
goes through intake's checks (422, nothing written) and records a change in the feed
(``ledger.changes``)."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from jiuyuan import clock, gazetteer, regions
from jiuyuan.errors import FieldError, Forbidden, InvalidInput, NotFound
from jiuyuan.vocab import PostingKind, PostingStatus, Role
from ledger import audit, changes, intake, places
from ledger.access import Principal
from ledger.base import utcnow
from ledger.changes import Change
from ledger.models import JobPosting
from services.jurisdiction import Jurisdiction, region_filter
from services.search import index_soon

EDITABLE = (
    "title",
    "description",
    "kind",
    "schedule",
    "wage_unit",
    "wage_min",
    "wage_max",
    "region_code",
    "address",
    "latitude",
    "longitude",
    "age_min",
    "age_max",
    "skills_required",
    "disabled_suitable",
    "headcount",
    "valid_from",
    "valid_until",
    "contact_phone",
)
"""What a change may touch: every field but the posting number and the employer."""
LOCATION = ("region_code", "address", "latitude", "longitude")
"""A posting's location: changing it is audited (``posting.location``), and an employer may
change it once per ``LOCATION_INTERVAL`` (issue 17, trilateration by moving a posting)."""
LOCATION_INTERVAL = timedelta(hours=24)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Page:
    total: int
    items: list[JobPosting]


@dataclass(frozen=True)
class ChangeFeed:
    changes: list[Change]
    next_cursor: int


def _no_control_characters(row: dict[str, Any]) -> None:
    """PostgreSQL refuses NUL in text: a field error here rather than a 500 there."""
    bad = [
        FieldError(k, "不能包含控制字符")
        for k, v in row.items()
        if any(isinstance(x, str) and _CONTROL.search(x) for x in (v if isinstance(v, list) else [v]))
    ]
    if bad:
        raise InvalidInput(bad)


def _as_input(posting: JobPosting) -> dict[str, Any]:
    """A stored posting as intake input, so an update is checked exactly like a new posting."""
    return {"ref": posting.ref, "employer_id": posting.employer_id, **{f: getattr(posting, f) for f in EDITABLE}}


class Postings:
    """The postings a caller may read and write."""

    def __init__(self, session: Session, who: Principal):
        self.session, self.who, self.jurisdiction = session, who, Jurisdiction.of(who)

    # ----- reads

    def _own_only(self) -> bool:
        return self.who.role is Role.EMPLOYER

    def listing(
        self,
        kind: PostingKind | None = None,
        region: str | None = None,
        valid_on: date | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> Page:
        """Postings in the order entered; ``region`` a province, city or county code."""
        query = select(JobPosting)
        if self._own_only():
            query = query.where(JobPosting.employer_id == self.who.employer_id)
        if kind is not None:
            query = query.where(JobPosting.kind == kind)
        if region is not None:
            query = query.where(JobPosting.region_code.startswith(region_filter(region)))
        if valid_on is not None:
            query = query.where(
                JobPosting.valid_from <= valid_on,
                JobPosting.valid_until >= valid_on,
                JobPosting.status == PostingStatus.OPEN,
            )
        total = self.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = self.session.scalars(
            query.options(joinedload(JobPosting.employer)).order_by(JobPosting.id).limit(limit).offset(offset)
        ).all()
        return Page(total or 0, list(rows))

    def get(self, posting_id: int) -> JobPosting:
        """One posting; 404 for another employer's (not confirmed to exist)."""
        posting = self.session.get(JobPosting, posting_id, options=[joinedload(JobPosting.employer)])
        if posting is None or (self._own_only() and posting.employer_id != self.who.employer_id):
            raise NotFound(f"岗位 {posting_id} 不存在。")
        return posting

    def changes(self, cursor: int = 0, since: datetime | None = None, limit: int = 100) -> ChangeFeed:
        """Postings added, changed or withdrawn after a cursor or a time, oldest first."""
        if since is not None and since.tzinfo is None:
            raise InvalidInput([FieldError("since", "时间须带时区，例如 2026-11-22T08:00:00+08:00")])
        page = changes.since(self.session, cursor, after=since, limit=limit)
        # Nothing new after a time: continue from the newest change, not from the start.
        following = page[-1].cursor if page else (changes.latest(self.session) if since is not None else cursor)
        return ChangeFeed(page, following)

    # ----- writes

    def _check_region(self, region_code: str) -> None:
        if self.who.role is not Role.EMPLOYER and not self.jurisdiction.covers_region(region_code):
            raise Forbidden(f"岗位所在地区 {region_code} 不在您的管辖范围内。")

    def _writable(self, posting_id: int) -> JobPosting:
        """The posting, if this caller may change it: an employer its own (another's is not
        confirmed to exist), counter staff and officers inside their jurisdiction."""
        posting = self.session.get(JobPosting, posting_id, options=[joinedload(JobPosting.employer)])
        if posting is None or (self._own_only() and posting.employer_id != self.who.employer_id):
            raise NotFound(f"岗位 {posting_id} 不存在。")
        self._check_region(posting.region_code)
        return posting

    def create(self, row: dict[str, Any]) -> JobPosting:
        """Register a posting. An employer's posting is always its own, whatever ``employer_id``
        says; without a number one is made up (a number typed at a counter can come later)."""
        row = dict(row)
        _no_control_characters(row)
        if self.who.role is Role.EMPLOYER:
            row["employer_id"] = self.who.employer_id
        row["ref"] = row.get("ref") or f"API-{clock.today():%Y%m%d}-{secrets.token_hex(4).upper()}"
        cleaned = intake.clean_posting(row)  # 422 before 403: a mistyped region is a field error
        self._check_region(cleaned["region_code"])
        posting = intake.add_posting(self.session, row)  # records the change as every posting write does
        posting.employer  # noqa: B018 — loaded for the answer (its name)
        index_soon(self.session)
        return posting

    def update(self, posting_id: int, changed: dict[str, Any]) -> JobPosting:
        """Change a posting's fields; the result is checked as a whole, as intake checks a new one."""
        posting = self._writable(posting_id)
        _no_control_characters(changed)
        cleaned = intake.clean_posting(places.after_change(_as_input(posting), changed, "region_code"))
        self._check_region(cleaned["region_code"])
        moved = [f for f in LOCATION if getattr(posting, f) != cleaned[f]]
        if moved:
            self._move(posting, moved, cleaned["region_code"])
        if any(getattr(posting, f) != cleaned[f] for f in EDITABLE):  # a no-op PATCH writes no change
            for field in EDITABLE:
                setattr(posting, field, cleaned[field])
            changes.record(self.session, [posting.id], "upsert" if posting.status is PostingStatus.OPEN else "remove")
            index_soon(self.session)
        return posting

    def _move(self, posting: JobPosting, moved: list[str], new_region: str) -> None:
        """Before a location change: refuse an employer's second one within a day, keep the
        location bands are measured from, and audit it (counties only: no coordinates).

        An employer who moved its posting and re-read its candidates' distance bands could
        trilaterate a home. Its moves therefore never move the bands: they stay measured from
        where the posting was before its first move. Counter staff and officers, who check a new
        site, register the new location for the bands too."""
        now = utcnow()
        if self.who.role is Role.EMPLOYER:
            last = posting.location_changed_at
            if last is not None and now - last < LOCATION_INTERVAL:
                when = (last + LOCATION_INTERVAL).astimezone(clock.CHINA)
                message = f"岗位地点每24小时只能修改一次，请于{when:%Y-%m-%d %H:%M}（北京时间）后再修改"
                raise InvalidInput([FieldError(f, message) for f in moved], "岗位地点修改过于频繁，未保存任何数据。")
            if posting.registered_latitude is None:  # without a point entered: its county's centre
                kept = gazetteer.point(posting.latitude, posting.longitude, posting.region_code)
                if kept is not None:
                    posting.registered_latitude, posting.registered_longitude = kept.latitude, kept.longitude
        else:
            posting.registered_latitude = posting.registered_longitude = None
        posting.location_changed_at = now
        old, new = posting.region_code, new_region
        audit.record(
            self.session,
            self.who,
            "posting.location",
            None,
            moved,
            f"岗位{posting.id}地点变更：{regions.full_name(old)}（{old}）→{regions.full_name(new)}（{new}）",
        )

    def close(self, posting_id: int, status: PostingStatus) -> JobPosting:
        """Take a posting off the market (filled or expired); the same status again changes nothing."""
        posting = self._writable(posting_id)
        if posting.status is not status:
            changes.set_status(self.session, posting.id, status)
            index_soon(self.session)
        return posting
