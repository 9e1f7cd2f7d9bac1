"""The embedded backend: in-process, columnar numpy arrays and a tantivy text index, persisted
under ``var/``.

Exact search: filters are boolean masks over all rows (applied before the top-k), BM25
scores come from the text index (``indexer.text_index``: tantivy over ``indexer.text.FIELDS``,
the same tokens OpenSearch gets, weighted by ``FIELD_WEIGHTS`` and the query terms' weights at
query time), vectors are one float32 matrix scanned with a matrix–vector product. Each row
keeps its document (JSON bytes, decoded only for the hits returned), so a hit carries what was
indexed. Deletes mark rows dead; ``save`` compacts the arrays, and the text index writes only
what changed. Measured to a province on one machine (10^6 postings: hybrid p50 under 10 ms,
restart under 0.1 s, docs/search.md); past that, or for several hosts, OpenSearch.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path

import msgspec
import numpy as np

from indexer import occupations, text
from indexer.documents import PostingDocument
from indexer.protocol import (
    Hit,
    Query,
    best,
    check_query,
    collapse,
    depth,
    feedback,
    filters_only,
    named_occupations,
    rank,
    usable_vector,
    without_occupations,
)
from indexer.storage import StoredRows
from indexer.text_index import Row, Within
from indexer.versions import POINTER as POINTER
from indexer.versions import current as current
from indexer.versions import stamp as stamp
from jiuyuan.vocab import PostingKind, Schedule

# BM25 parameters: Lucene's and OpenSearch's defaults, so both backends score text alike.
K1, B = 1.2, 0.75
# Each field's share of the BM25 score; measured on the judged benchmark (docs/search.md).
FIELD_WEIGHTS = {"words": 1.0, "bigrams": 0.5}
EARTH_KM = 6371.0
_KINDS = list(PostingKind)
_SCHEDULES = list(Schedule)


def _stable_hash(value: str) -> int:
    return int(hashlib.sha1(value.encode()).hexdigest()[:16], 16)


POSTING_SCHEMA = {
    "alive": bool,
    "kind": np.int8,
    "schedule": np.int8,
    "region": np.int32,
    "lat": np.float32,
    "lon": np.float32,
    "wage_min": np.float32,
    "wage_max": np.float32,
    "age_min": np.int16,
    "age_max": np.int16,
    "skills_free": bool,
    "disabled": bool,
    "valid_from": np.int32,
    "valid_until": np.int32,
    "duplicate": np.uint64,
    "occupation": np.uint64,  # the standard title's stable hash (0: none), a filter and a facet
}


def _posting_row(doc: PostingDocument) -> dict:
    return {
        "alive": True,
        "kind": _KINDS.index(doc.kind),
        "schedule": _SCHEDULES.index(doc.schedule),
        "region": int(doc.region_code),
        "lat": np.nan if doc.latitude is None else doc.latitude,
        "lon": np.nan if doc.longitude is None else doc.longitude,
        "wage_min": np.nan if doc.monthly_wage_min is None else float(doc.monthly_wage_min),
        "wage_max": np.nan if doc.monthly_wage_max is None else float(doc.monthly_wage_max),
        "age_min": -1 if doc.age_min is None else doc.age_min,
        "age_max": -1 if doc.age_max is None else doc.age_max,
        "skills_free": not doc.skills_required,
        "disabled": doc.disabled_suitable,
        "valid_from": doc.valid_from.toordinal(),
        "valid_until": doc.valid_until.toordinal(),
        "duplicate": int(doc.duplicate_key, 16),
        "occupation": _occupation_code(doc.occupation),
    }


@cache
def _titles_by_code() -> dict[int, str]:
    return {_occupation_code(t): t for t in occupations.table().by_title}


def _occupation_code(title: str) -> int:
    """A stable number for a standard occupation title (0 for none): the table may be reordered
    or grow without a re-index."""
    return _stable_hash(title) if title else 0


class EmbeddedIndex(StoredRows):
    """Postings. Subclasses index other documents by giving their own schema, document type,
    row and mask."""

    SCHEMA: dict[str, type] = POSTING_SCHEMA
    DOCUMENT: type = PostingDocument

    def __init__(self, dimension: int, path: Path | None = None):
        super().__init__(dimension, path)
        self.field_weights = dict(FIELD_WEIGHTS)

    # -- writes ---------------------------------------------------------------------
    def upsert(self, documents: list[PostingDocument], vectors: np.ndarray) -> int:
        """Insert or replace (duplicate policy: overwrite by id). Returns how many were written."""
        vectors = np.asarray(vectors, np.float32)
        if vectors.shape != (len(documents), self.dimension):
            raise ValueError(f"向量形状应为 ({len(documents)}, {self.dimension})，收到 {vectors.shape}")
        self.delete([d.id for d in documents if d.id in self.row_of])
        start = len(self._cols.ids)
        keys = np.arange(self.next_key, self.next_key + len(documents), dtype=np.int64)
        self._writable().add(keys, [self.text_row(doc) for doc in documents])
        self.next_key += len(documents)
        for offset, doc in enumerate(documents):
            self.row_of[doc.id] = start + offset
            self.documents.append(msgspec.json.encode(doc))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        rows = [self.row_values(doc) for doc in documents]
        self._append([d.id for d in documents], rows, keys, vectors / np.where(norms == 0, 1, norms))
        return len(documents)

    def row_values(self, doc: PostingDocument) -> dict:
        return _posting_row(doc)

    def text_row(self, doc: PostingDocument) -> Row:
        """The text and the filters the text index keeps of a posting (see ``_within``)."""
        region = doc.region_code
        tags = f"r:{region[:2]} r:{region[:4]} r:{region} k:{doc.kind.value} s:{doc.schedule.value}"
        return Row(doc.text, tags, (doc.valid_from.toordinal(), doc.valid_until.toordinal()))

    def delete(self, ids: list[str]) -> int:
        rows = [row for row in (self.row_of.pop(doc_id, None) for doc_id in ids) if row is not None]
        if rows:
            self.cols.alive[rows] = False
            self._writable().delete(self.keys[rows].tolist())
        return len(rows)

    def count(self) -> int:
        return self.live_rows()

    def ids(self) -> set[str]:
        return set(self.row_of)

    # -- reads ----------------------------------------------------------------------
    def _mask(self, query: Query) -> np.ndarray:
        return self._masks(query)[1]

    def _masks(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """(the rows the text index's own filters keep (``_within``), the rows every filter keeps)."""
        c, f = self.cols, query.filters
        mask = c.alive.copy()
        if f.kinds:
            mask &= _among(c.kind, [_KINDS.index(k) for k in f.kinds])
        if f.schedules:
            mask &= _among(c.schedule, [_SCHEDULES.index(s) for s in f.schedules])
        if f.region_prefix:  # a range of codes: cheaper than dividing every one
            scale = 10 ** (6 - len(f.region_prefix))
            low = int(f.region_prefix) * scale
            mask &= (c.region >= low) & (c.region < low + scale)
        if f.valid_on is not None:
            day = f.valid_on.toordinal()
            mask &= (c.valid_from <= day) & (c.valid_until >= day)
        pushed = mask.copy()
        if f.wage_floor_monthly is not None:  # a posting that can pay at least the floor
            mask &= c.wage_max >= float(f.wage_floor_monthly)
        if f.wage_ceiling_monthly is not None:
            mask &= c.wage_min <= float(f.wage_ceiling_monthly)
        if f.age is not None:  # love posts and posts without limits carry -1: no bound
            mask &= ((c.age_min < 0) | (c.age_min <= f.age)) & ((c.age_max < 0) | (c.age_max >= f.age))
        if f.skills_free_only:
            mask &= c.skills_free
        if f.disabled_suitable:
            mask &= c.disabled
        if f.near is not None:
            mask &= self.distance_km(*f.near) <= f.within_km
        if f.occupations:
            mask &= _among(c.occupation, [_occupation_code(t) for t in f.occupations])
        return pushed, mask

    def _within(self, query: Query) -> Within | None:
        """The filters the text index applies itself (``text_row``'s tags and days: kind,
        schedule, region, validity), so its top-k holds the rows they keep; the masks apply
        every filter exactly after it."""
        f = query.filters
        groups = [tuple(f"{tag}:{v.value}" for v in values) for tag, values in (("k", f.kinds), ("s", f.schedules))]
        if f.region_prefix:
            groups.append((f"r:{f.region_prefix}",))
        day = f.valid_on.toordinal() if f.valid_on is not None else None
        groups = [g for g in groups if g]
        return Within(tuple(groups), day) if groups or day is not None else None

    def distance_km(self, lat: float, lon: float) -> np.ndarray:
        """Great-circle distance of every row from a point (NaN where a row has no place)."""
        lat1, lon1 = math.radians(lat), math.radians(lon)
        lat2, lon2 = np.radians(self.cols.lat), np.radians(self.cols.lon)
        h = np.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        return 2 * EARTH_KM * np.arcsin(np.sqrt(h))

    def _bm25(self, query: Query, masks: tuple[np.ndarray, np.ndarray], reach: int) -> dict[int, float]:
        """The best ``reach`` rows by BM25 among the candidates (tantivy scores, see text_index).
        A few candidates are handed to tantivy by key; otherwise tantivy applies the filters it
        holds (``_within``) and its best matches are masked by every filter, as many as should
        hold ``reach`` candidates at their share of the rows it kept, then all if they did not.
        Exact either way: the filters apply before the top-k."""
        terms, weights = text.query_terms(query.text), self.field_weights
        pushed, mask = masks
        candidates = int(np.count_nonzero(mask))
        if candidates <= KEYS_HANDED_OVER:  # a narrow filter tantivy does not hold (occupation, place, age …)
            keys = self.keys[np.flatnonzero(mask)]
            return self._rows(*self.text.scores(terms, weights, keys, reach), mask, reach)
        within = self._within(query)
        kept = int(np.count_nonzero(pushed)) if within is not None else self.live_rows()
        limit = int(reach * 2 * kept / candidates) + 16
        while True:
            keys, scores = self.text.scores(terms, weights, None, limit, within)
            found = self._rows(keys, scores, mask, reach)
            if len(found) == reach or keys.size < limit:
                return found
            limit = len(self.keys)

    def _row_positions(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Text index keys to rows, and which of the keys still have their row."""
        rows = np.minimum(np.searchsorted(self.keys, keys), max(len(self.keys) - 1, 0))
        return rows, self.keys[rows] == keys

    def _rows(self, keys: np.ndarray, scores: np.ndarray, mask: np.ndarray, reach: int) -> dict[int, float]:
        """Text index keys to rows, those the mask keeps, the best ``reach``."""
        rows, found = self._row_positions(keys)
        keep = found & mask[rows] & (scores > 0)
        return _top(rows[keep], scores[keep], reach)

    def search(self, query: Query) -> list[Hit]:
        check_query(query, self.dimension)
        masks = self._masks(query)
        candidates = np.flatnonzero(masks[1])
        if candidates.size == 0:
            return []
        lists: dict[str, dict[int, float]] = {}
        reach = depth(query)
        if query.mode in ("bm25", "hybrid") and query.text.strip():
            lists["bm25"] = self._bm25(query, masks, reach)
        if query.mode in ("vector", "hybrid") and usable_vector(query):
            vector = np.asarray(query.vector, np.float32)
            if query.mode == "hybrid" and lists.get("bm25") and query.feedback_rows:
                vector = feedback(vector, self.vectors[best(lists["bm25"], query.feedback_rows)])
            sims = self.vectors[candidates] @ vector
            lists["vector"] = _top(candidates, sims, reach)
        group = lambda row: int(self.cols.duplicate[row])  # noqa: E731
        if not lists and not filters_only(query):  # a text or vector that ranks nothing
            return []
        if not lists:  # filters only: newest valid postings first, no score to rank by
            rows = collapse((int(r) for r in candidates[::-1]), query, group)
            return [Hit(self.cols.ids[r], 0.0, {}, self._document(r, query)) for r in rows]
        ranked = rank(lists, query, lifted=self._lifted(query))
        scored = {row: (score, parts) for row, score, parts in ranked}
        rows = collapse((row for row, _, _ in ranked), query, group)
        return [Hit(self.cols.ids[r], scored[r][0], scored[r][1], self._document(r, query)) for r in rows]

    def _document(self, row: int, query: Query):
        return self.document(row) if query.with_documents else None

    def _lifted(self, query: Query) -> Callable[[int], bool]:
        """Whether a row's posting is of an occupation the query names (``OCCUPATION_BOOST``)."""
        codes = {_occupation_code(title) for title in named_occupations(query)}
        if not codes:
            return lambda row: False
        return lambda row: int(self.cols.occupation[row]) in codes

    def facets(self, query: Query) -> dict[str, int]:
        check_query(query, self.dimension)
        counted = without_occupations(query)
        mask = self._mask(counted)
        terms = text.facet_terms(counted.text)
        if terms and mask.any():  # rows holding a word or synonym, as OpenSearch's should clauses
            keys, scores = self.text.scores({"words": dict.fromkeys(terms, 1.0)}, {"words": 1.0}, None, len(self.keys))
            rows, found = self._row_positions(keys)
            matched = np.zeros_like(mask)
            matched[rows[found & (scores > 0)]] = True
            mask &= matched
        codes, counts = np.unique(self.cols.occupation[mask], return_counts=True)
        titles = _titles_by_code()
        return {titles[code]: int(n) for code, n in zip(codes.tolist(), counts.tolist(), strict=True) if code in titles}


def _among(column: np.ndarray, codes: list[int]) -> np.ndarray:
    """The rows whose ``column`` holds one of a few ``codes``: an equality each (np.isin sorts
    the column first, fifty times slower over 100,000 rows)."""
    found = np.zeros(column.shape, bool)
    for code in codes:
        found |= column == code
    return found


KEYS_HANDED_OVER = 1024
"""Up to this many candidates, BM25 is asked for them by key; past it, for every match."""


def _top(rows: np.ndarray, values: np.ndarray, k: int) -> dict[int, float]:
    """The ``k`` best rows by value (any of a tie at the edge), as row → value."""
    if values.size > k:
        part = np.argpartition(-values, k - 1)[:k]
        rows, values = rows[part], values[part]
    return {int(r): float(v) for r, v in zip(rows, values, strict=True)}
