"""Posting search over one snapshot (``services.search``): a clerk's search as the API decodes it,
its hits with their ledger rows, and the occupation facet; and ``LedgerChecked``, the index as
matching sees it. The ledger has the last word: a posting filled or withdrawn since the index
was built is dropped from what the index returns, and the hits carry the ledger's current
document.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from indexer.documents import PostingDocument, from_posting
from indexer.encoder import query_vector
from indexer.protocol import Filters, Hit, Mode, Query, SearchBackend
from jiuyuan import clock
from jiuyuan.vocab import PostingKind, PostingStatus, Schedule
from ledger.models import Employer, JobPosting
from services.jurisdiction import region_filter
from services.search import SearchSnapshot

# ----- the ledger has the last word ---------------------------------------------------------

_DOC_COLUMNS = (
    JobPosting.id,
    JobPosting.title,
    JobPosting.description,
    JobPosting.kind,
    JobPosting.schedule,
    JobPosting.wage_min,
    JobPosting.wage_max,
    JobPosting.wage_unit,
    JobPosting.region_code,
    JobPosting.valid_from,
    JobPosting.valid_until,
    JobPosting.latitude,
    JobPosting.longitude,
    JobPosting.age_min,
    JobPosting.age_max,
    JobPosting.skills_required,
    JobPosting.disabled_suitable,
    JobPosting.headcount,
    Employer.name.label("employer_name"),
)
# Built once, run with the hits' ids and the day: building and keying the statement anew cost
# about as much as running it.
_CURRENT = (
    select(*_DOC_COLUMNS)
    .outerjoin(Employer, JobPosting.employer_id == Employer.id)
    .where(
        JobPosting.id.in_(bindparam("ids", expanding=True)),
        JobPosting.status == PostingStatus.OPEN,
        JobPosting.valid_from <= bindparam("today"),
        JobPosting.valid_until >= bindparam("today"),
    )
)
_Columns = namedtuple("_Columns", [c.key for c in _DOC_COLUMNS])


@lru_cache(maxsize=65_536)
def _document(columns: _Columns) -> PostingDocument:
    """The search document of a posting's ledger columns, kept by their values: an edit is a new
    key, never a stale document (money reads back as whole fen, ``ledger.base.Money``, so equal
    values are equal documents). The same open postings come back request after request, and
    building one (its checks, its occupation) cost more than reading it."""
    return from_posting(columns, columns.employer_name)


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value  # skills_required: a JSON list


class LedgerChecked:
    """A posting index as matching sees it: each search's hits are checked against the ledger in
    one query — postings closed (or out of their dates) since the index was built are dropped —
    and carry the ledger's current document (so the backend is asked for none). ``kinds`` join
    the filters (a Seeker has none)."""

    def __init__(self, backend: SearchBackend, session: Session, today: date, kinds: tuple[PostingKind, ...] = ()):
        self.backend, self.session, self.today, self.kinds = backend, session, today, kinds

    @property
    def dimension(self) -> int:
        return self.backend.dimension

    def search(self, query: Query) -> list[Hit[PostingDocument]]:
        query = replace(query, with_documents=False)
        if self.kinds:
            query = replace(query, filters=replace(query.filters, kinds=self.kinds))
        hits = self.backend.search(query)
        if not hits:
            return []
        # On the session's connection: a Core statement needs none of the ORM's execution path,
        # but it must see this session's own pending writes, as session.execute would.
        self.session.flush()
        rows = (
            self.session.connection().execute(_CURRENT, {"ids": [int(h.id) for h in hits], "today": self.today}).all()
        )
        current = {str(r.id): _document(_Columns(*map(_hashable, r))) for r in rows}
        # Hit(...), not dataclasses.replace: that walks the fields for each of the 50 hits.
        return [Hit(h.id, h.score, h.parts, current[h.id]) for h in hits if h.id in current]


# ----- posting search ------------------------------------------------------------------------


@dataclass(frozen=True)
class PostingSearch:
    """A clerk's search as the route decodes it."""

    text: str = ""
    mode: Mode = "hybrid"
    kinds: tuple[PostingKind, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    region: str | None = None
    near: tuple[float, float] | None = None
    within_km: float | None = None
    wage_floor: Decimal | None = None
    wage_ceiling: Decimal | None = None
    age: int | None = None
    skills_free: bool = False
    disabled: bool = False
    valid_on: date | None = None
    k: int = 10
    occupations: tuple[str, ...] = ()
    """Standard occupation titles (``indexer.occupations``): postings of any of them."""


def search_postings(
    session: Session, snapshot: SearchSnapshot, asked: PostingSearch
) -> list[tuple[Hit[PostingDocument], JobPosting]]:
    """Ranked postings with the parts of each score, and each posting's ledger row (open ones only).

    The text is embedded unless the mode is bm25; the day defaults to today (Beijing)."""
    query = posting_query(snapshot, asked)
    hits = snapshot.backend.search(query)
    rows = {
        str(p.id): p
        for p in session.scalars(
            select(JobPosting)
            .options(joinedload(JobPosting.employer))
            .where(JobPosting.id.in_([int(h.id) for h in hits]), JobPosting.status == PostingStatus.OPEN)
        )
    }
    return [(h, rows[h.id]) for h in hits if h.id in rows]


def occupation_facets(snapshot: SearchSnapshot, asked: PostingSearch) -> dict[str, int]:
    """How many postings of each standard occupation the search would find but for its own
    occupation filter (``SearchBackend.facets``), the most first."""
    counts = snapshot.backend.facets(posting_query(snapshot, asked, embed=False))
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def posting_query(snapshot: SearchSnapshot, asked: PostingSearch, embed: bool = True) -> Query:
    """The backend's query for a clerk's search: the text embedded unless the mode is bm25 (or
    ``embed`` is off: a facet count reads the text's terms only), the day today unless given."""
    region = region_filter(asked.region) if asked.region is not None else None
    return Query(
        text=asked.text,
        mode=asked.mode,
        k=asked.k,
        vector=query_vector(snapshot.encoder, asked.text)
        if embed and asked.text.strip() and asked.mode != "bm25"
        else None,
        filters=Filters(
            kinds=asked.kinds,
            schedules=asked.schedules,
            region_prefix=region,
            near=asked.near,
            within_km=asked.within_km,
            wage_floor_monthly=asked.wage_floor,
            wage_ceiling_monthly=asked.wage_ceiling,
            age=asked.age,
            skills_free_only=asked.skills_free,
            disabled_suitable=asked.disabled,
            valid_on=asked.valid_on or clock.today(),
            occupations=asked.occupations,
        ),
    )
