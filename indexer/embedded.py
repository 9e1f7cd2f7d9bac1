"""The embedded backend: in-process, columnar numpy arrays, persisted under ``var/``.

Exact search: filters are boolean masks over all rows (applied before the top-k), BM25
scores come from an inverted index of the same tokens OpenSearch gets, vectors are one
float32 matrix scanned with a matrix–vector product. Deletes mark rows dead; ``save``
compacts. Enough for a county or prefecture (10^4–10^5 postings); beyond that, OpenSearch.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
from collections import defaultdict
from pathlib import Path

import numpy as np

from indexer import text
from indexer.documents import PostingDocument
from indexer.protocol import CANDIDATES, Hit, Query, check_query
from jiuyuan.vocab import PostingKind, Schedule

# BM25 parameters: Lucene's and OpenSearch's defaults, so both backends score text alike.
K1, B = 1.2, 0.75
EARTH_KM = 6371.0
_KINDS = list(PostingKind)
_SCHEDULES = list(Schedule)


class _Columns:
    """Row ids and one numpy array per schema field; ``cols.lat`` reads the ``lat`` array."""

    def __init__(self, schema: dict[str, np.dtype]):
        self.ids: list[str] = []
        self.data = {name: np.zeros(0, dtype) for name, dtype in schema.items()}

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name) from None

    def arrays(self) -> dict[str, np.ndarray]:
        return self.data


def _stable_hash(value: str) -> int:
    return int(hashlib.sha1(value.encode()).hexdigest()[:16], 16)


POSTING_SCHEMA = {
    "alive": bool, "kind": np.int8, "schedule": np.int8, "region": np.int32, "lat": np.float32, "lon": np.float32,
    "wage_min": np.float32, "wage_max": np.float32, "age_min": np.int16, "age_max": np.int16, "skills_free": bool,
    "disabled": bool, "valid_from": np.int32, "valid_until": np.int32, "length": np.float32, "duplicate": np.uint64,
}


def _posting_row(doc: PostingDocument, length: int) -> dict:
    return {
        "alive": True, "kind": _KINDS.index(doc.kind), "schedule": _SCHEDULES.index(doc.schedule),
        "region": int(doc.region_code),
        "lat": np.nan if doc.latitude is None else doc.latitude,
        "lon": np.nan if doc.longitude is None else doc.longitude,
        "wage_min": np.nan if doc.monthly_wage_min is None else float(doc.monthly_wage_min),
        "wage_max": np.nan if doc.monthly_wage_max is None else float(doc.monthly_wage_max),
        "age_min": -1 if doc.age_min is None else doc.age_min, "age_max": -1 if doc.age_max is None else doc.age_max,
        "skills_free": not doc.skills_required, "disabled": doc.disabled_suitable,
        "valid_from": doc.valid_from.toordinal(), "valid_until": doc.valid_until.toordinal(), "length": length,
        "duplicate": int(doc.duplicate_key, 16),
    }


class EmbeddedIndex:
    """Postings. Subclasses index other documents by giving their own schema, row and mask."""

    SCHEMA: dict[str, type] = POSTING_SCHEMA

    def __init__(self, dimension: int, path: Path | None = None):
        self.dimension = dimension
        self.path = path
        self.cols = _Columns(self.SCHEMA)
        self.vectors = np.zeros((0, dimension), np.float32)
        self.row_of: dict[str, int] = {}
        self.postings: dict[str, dict[int, int]] = defaultdict(dict)  # token → {row: term frequency}
        self.feed_cursor = 0
        """The last change-feed entry the index has applied (ledger ``posting_changes.id``)."""

    # -- writes ---------------------------------------------------------------------
    def upsert(self, documents: list[PostingDocument], vectors: np.ndarray) -> int:
        """Insert or replace (duplicate policy: overwrite by id). Returns how many were written."""
        vectors = np.asarray(vectors, np.float32)
        if vectors.shape != (len(documents), self.dimension):
            raise ValueError(f"向量形状应为 ({len(documents)}, {self.dimension})，收到 {vectors.shape}")
        self.delete([d.id for d in documents if d.id in self.row_of])
        start = len(self.cols.ids)
        rows = []
        for offset, doc in enumerate(documents):
            tokens = text.tokens(doc.text)
            for token in tokens:
                self.postings[token][start + offset] = self.postings[token].get(start + offset, 0) + 1
            rows.append(self.row_values(doc, len(tokens)))
            self.row_of[doc.id] = start + offset
            self.cols.ids.append(doc.id)
        for name, column in self.cols.arrays().items():
            self.cols.data[name] = np.concatenate([column, np.array([r[name] for r in rows], column.dtype)])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = np.vstack([self.vectors, vectors / np.where(norms == 0, 1, norms)])
        return len(documents)

    def row_values(self, doc: PostingDocument, length: int) -> dict:
        return _posting_row(doc, length)

    def delete(self, ids: list[str]) -> int:
        removed = 0
        for doc_id in ids:
            row = self.row_of.pop(doc_id, None)
            if row is not None:
                self.cols.alive[row] = False
                removed += 1
        return removed

    def count(self) -> int:
        return len(self.row_of)

    # -- reads ----------------------------------------------------------------------
    def _mask(self, query: Query) -> np.ndarray:
        c, f = self.cols, query.filters
        mask = c.alive.copy()
        if f.kinds:
            mask &= np.isin(c.kind, [_KINDS.index(k) for k in f.kinds])
        if f.schedules:
            mask &= np.isin(c.schedule, [_SCHEDULES.index(s) for s in f.schedules])
        if f.region_prefix:
            scale = 10 ** (6 - len(f.region_prefix))
            mask &= (c.region // scale) == int(f.region_prefix)
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
        if f.valid_on is not None:
            day = f.valid_on.toordinal()
            mask &= (c.valid_from <= day) & (c.valid_until >= day)
        if f.near is not None:
            mask &= self.distance_km(*f.near) <= f.within_km
        return mask

    def distance_km(self, lat: float, lon: float) -> np.ndarray:
        """Great-circle distance of every row from a point (NaN where a row has no place)."""
        lat1, lon1 = math.radians(lat), math.radians(lon)
        lat2, lon2 = np.radians(self.cols.lat), np.radians(self.cols.lon)
        h = np.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
        return 2 * EARTH_KM * np.arcsin(np.sqrt(h))

    def _bm25(self, tokens: list[str], mask: np.ndarray) -> np.ndarray:
        scores = np.zeros(len(self.cols.ids), np.float32)
        alive = self.cols.alive
        n = int(alive.sum())
        if n == 0:
            return scores
        avgdl = float(self.cols.length[alive].mean()) or 1.0
        for token in set(tokens):
            postings = self.postings.get(token)
            if not postings:
                continue
            rows = np.fromiter(postings.keys(), np.int64, len(postings))
            tf = np.fromiter(postings.values(), np.float32, len(postings))
            live = alive[rows]
            rows, tf = rows[live], tf[live]
            df = len(rows)
            if df == 0:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            dl = self.cols.length[rows]
            scores[rows] += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl))
        scores[~mask] = 0
        return scores

    def search(self, query: Query) -> list[Hit]:
        check_query(query, self.dimension)
        mask = self._mask(query)
        candidates = np.flatnonzero(mask)
        if candidates.size == 0:
            return []
        lists: dict[str, dict[int, float]] = {}
        # Collapsing drops hits, so single-mode lists reach further down before the cut.
        depth = CANDIDATES if query.mode == "hybrid" else (max(4 * query.k, CANDIDATES)
                                                             if query.collapse_duplicates else query.k)
        if query.mode in ("bm25", "hybrid") and query.text.strip():
            bm25 = self._bm25(text.tokens(query.text), mask)
            lists["bm25"] = _top(bm25, candidates, depth, positive=True)
        if query.mode in ("vector", "hybrid") and query.vector is not None:
            sims = self.vectors[candidates] @ np.asarray(query.vector, np.float32)
            full = np.full(len(self.cols.ids), -np.inf, np.float32)
            full[candidates] = sims
            lists["vector"] = _top(full, candidates, depth)
        if not lists:  # filters only: newest valid postings first, no score to rank by
            rows = self._collapse(list(candidates[::-1]), query)
            return [Hit(self.cols.ids[r], 0.0, {}) for r in rows]
        if query.mode != "hybrid":
            (name, scores), = lists.items()
            ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
            return [Hit(self.cols.ids[r], scores[r], {name: scores[r]})
                    for r in self._collapse([r for r, _ in ranked], query)]
        weights = {"bm25": query.text_weight, "vector": 1 - query.text_weight}
        fused: dict[int, float] = defaultdict(float)
        parts: dict[int, dict[str, float]] = defaultdict(dict)
        for name, scores in lists.items():
            for row, (raw, norm) in _min_max(scores).items():
                fused[row] += weights[name] * norm
                parts[row][name] = raw
                parts[row][f"{name}_normalised"] = norm
        ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        return [Hit(self.cols.ids[r], fused[r], parts[r]) for r in self._collapse([r for r, _ in ranked], query)]

    def _collapse(self, rows: list[int], query: Query) -> list[int]:
        """The first ``k`` rows, one per duplicate group when the query asks for it."""
        if not query.collapse_duplicates:
            return [int(r) for r in rows[: query.k]]
        seen: set[int] = set()
        out: list[int] = []
        for r in rows:
            group = int(self.cols.duplicate[r])
            if group not in seen:
                seen.add(group)
                out.append(int(r))
                if len(out) == query.k:
                    break
        return out

    # -- persistence ----------------------------------------------------------------
    def save(self, path: Path | None = None) -> Path:
        """Write the live rows (compacted) to ``path``: arrays in one .npz, ids and postings as JSON."""
        path = Path(path or self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the index, then swapped in by renames: a reader never sees arrays and
        # ids from two different saves.
        staging = path.with_name(f".{path.name}.staging")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        keep = np.flatnonzero(self.cols.alive)
        remap = {int(old): new for new, old in enumerate(keep)}
        arrays = {k: v[keep] for k, v in self.cols.arrays().items()}
        np.savez(staging / "index.npz", vectors=self.vectors[keep], **arrays)
        postings = {t: {str(remap[r]): tf for r, tf in rows.items() if r in remap}
                    for t, rows in self.postings.items()}
        meta = {"dimension": self.dimension, "feed_cursor": self.feed_cursor, "ids": [self.cols.ids[r] for r in keep],
                "postings": {t: p for t, p in postings.items() if p}}
        (staging / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        for child in path.iterdir() if path.exists() else ():
            if child.is_dir():  # e.g. profiles/ inside the postings index: carried over
                child.rename(staging / child.name)
        old = path.with_name(f".{path.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if path.exists():
            path.rename(old)
        staging.rename(path)
        shutil.rmtree(old, ignore_errors=True)
        return path

    @classmethod
    def load(cls, path: Path) -> EmbeddedIndex:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        index = cls(meta["dimension"], path)
        with np.load(path / "index.npz") as data:
            index.vectors = data["vectors"]
            for name in index.cols.arrays():
                index.cols.data[name] = data[name]
        index.cols.ids = list(meta["ids"])
        index.feed_cursor = meta.get("feed_cursor", 0)
        index.row_of = {doc_id: row for row, doc_id in enumerate(index.cols.ids)}
        index.postings = defaultdict(dict, {t: {int(r): tf for r, tf in rows.items()}
                                            for t, rows in meta["postings"].items()})
        return index


def _top(scores: np.ndarray, candidates: np.ndarray, k: int, positive: bool = False) -> dict[int, float]:
    values = scores[candidates]
    if positive:
        keep = values > 0
        candidates, values = candidates[keep], values[keep]
    if values.size > k:
        part = np.argpartition(-values, k - 1)[:k]
        candidates, values = candidates[part], values[part]
    return {int(r): float(v) for r, v in zip(candidates, values, strict=True)}


def _min_max(scores: dict[int, float]) -> dict[int, tuple[float, float]]:
    """Each score with its min-max normalised value over the list (1.0 when all are equal)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {row: (raw, (raw - low) / span if span else 1.0) for row, raw in scores.items()}
