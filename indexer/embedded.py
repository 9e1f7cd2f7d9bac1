"""The embedded backend: in-process, columnar numpy arrays, persisted under ``var/``.

Exact search: filters are boolean masks over all rows (applied before the top-k), BM25
scores come from one inverted index per text field (``indexer.text.FIELDS``: the same tokens
OpenSearch gets), summed with ``FIELD_WEIGHTS`` and the query terms' weights, vectors are one
float32 matrix scanned with a matrix–vector product. Each row keeps its document (JSON bytes,
decoded only for the hits returned), so a hit carries what was indexed. Deletes mark rows
dead; ``save`` compacts. Enough for a county or prefecture (10^4–10^5 postings); beyond
that, OpenSearch.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import secrets
import shutil
import time
from collections import defaultdict
from pathlib import Path

import msgspec
import numpy as np

from indexer import text
from indexer.documents import PostingDocument
from indexer.protocol import Hit, Query, check_query, collapse, depth, rank, usable_vector
from jiuyuan.vocab import PostingKind, Schedule

# BM25 parameters: Lucene's and OpenSearch's defaults, so both backends score text alike.
K1, B = 1.2, 0.75
# Each field's share of the BM25 score; measured on the judged benchmark (docs/search.md).
FIELD_WEIGHTS = {"words": 1.0, "bigrams": 0.5}
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


class _Documents:
    """Each row's document as JSON bytes: the rows loaded from disk in one buffer (sliced by
    offsets), rows written since then in a list."""

    def __init__(self, blob: bytes = b"", offsets: np.ndarray | None = None):
        self.blob = blob
        self.offsets = np.zeros(1, np.int64) if offsets is None else offsets
        self.loaded = len(self.offsets) - 1
        self.added: list[bytes] = []

    def append(self, encoded: bytes) -> None:
        self.added.append(encoded)

    def __getitem__(self, row: int) -> bytes:
        if row < self.loaded:
            return self.blob[self.offsets[row] : self.offsets[row + 1]]
        return self.added[row - self.loaded]

    def packed(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The given rows in one uint8 buffer, with their offsets (for ``np.savez``)."""
        parts = [self[int(r)] for r in rows]
        offsets = np.zeros(len(parts) + 1, np.int64)
        offsets[1:] = np.cumsum([len(p) for p in parts])
        return np.frombuffer(b"".join(parts), np.uint8), offsets


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
    }


class EmbeddedIndex:
    """Postings. Subclasses index other documents by giving their own schema, document type,
    row and mask."""

    SCHEMA: dict[str, type] = POSTING_SCHEMA
    DOCUMENT: type = PostingDocument

    def __init__(self, dimension: int, path: Path | None = None):
        self.dimension = dimension
        self.path = path
        self.cols = _Columns(self.SCHEMA)
        self.documents = _Documents()
        self.vectors = np.zeros((0, dimension), np.float32)
        self.row_of: dict[str, int] = {}
        # field → token → {row: term frequency}, and field → each row's token count
        self.postings: dict[str, dict[str, dict[int, int]]] = {f: defaultdict(dict) for f in text.FIELDS}
        self.lengths = {f: np.zeros(0, np.float32) for f in text.FIELDS}
        self.field_weights = dict(FIELD_WEIGHTS)
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
        lengths: dict[str, list[int]] = {f: [] for f in text.FIELDS}
        for offset, doc in enumerate(documents):
            for name, tokens in text.fields(doc.text).items():
                postings = self.postings[name]
                for token in tokens:
                    postings[token][start + offset] = postings[token].get(start + offset, 0) + 1
                lengths[name].append(len(tokens))
            rows.append(self.row_values(doc))
            self.row_of[doc.id] = start + offset
            self.cols.ids.append(doc.id)
            self.documents.append(msgspec.json.encode(doc))
        for name, column in self.cols.arrays().items():
            self.cols.data[name] = np.concatenate([column, np.array([r[name] for r in rows], column.dtype)])
        for name, column in self.lengths.items():
            self.lengths[name] = np.concatenate([column, np.array(lengths[name], np.float32)])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        self.vectors = np.vstack([self.vectors, vectors / np.where(norms == 0, 1, norms)])
        return len(documents)

    def row_values(self, doc: PostingDocument) -> dict:
        return _posting_row(doc)

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

    def ids(self) -> set[str]:
        return set(self.row_of)

    def document(self, row: int):
        """The document indexed at ``row``, as the ``DOCUMENT`` type."""
        return msgspec.json.decode(self.documents[row], type=self.DOCUMENT)

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

    def _bm25(self, terms: dict[str, dict[str, float]], mask: np.ndarray) -> np.ndarray:
        """Σ over fields of the field's weight × Σ over its query terms of the term's weight × BM25."""
        scores = np.zeros(len(self.cols.ids), np.float32)
        alive = self.cols.alive
        n = int(alive.sum())
        if n == 0:
            return scores
        for field, weighted in terms.items():
            field_weight = self.field_weights.get(field, 0.0)
            if not field_weight:
                continue
            lengths = self.lengths[field]
            avgdl = float(lengths[alive].mean()) or 1.0
            for token, weight in weighted.items():
                postings = self.postings[field].get(token)
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
                dl = lengths[rows]
                share = field_weight * weight * idf
                scores[rows] += share * tf * (K1 + 1) / (tf + K1 * (1 - B + B * dl / avgdl))
        scores[~mask] = 0
        return scores

    def search(self, query: Query) -> list[Hit]:
        check_query(query, self.dimension)
        mask = self._mask(query)
        candidates = np.flatnonzero(mask)
        if candidates.size == 0:
            return []
        lists: dict[str, dict[int, float]] = {}
        reach = depth(query)
        if query.mode in ("bm25", "hybrid") and query.text.strip():
            bm25 = self._bm25(text.query_terms(query.text), mask)
            lists["bm25"] = _top(bm25, candidates, reach, positive=True)
        if query.mode in ("vector", "hybrid") and usable_vector(query):
            sims = self.vectors[candidates] @ np.asarray(query.vector, np.float32)
            full = np.full(len(self.cols.ids), -np.inf, np.float32)
            full[candidates] = sims
            lists["vector"] = _top(full, candidates, reach)
        group = lambda row: int(self.cols.duplicate[row])  # noqa: E731
        if not lists:  # filters only: newest valid postings first, no score to rank by
            rows = collapse((int(r) for r in candidates[::-1]), query, group)
            return [Hit(self.cols.ids[r], 0.0, {}, self.document(r)) for r in rows]
        ranked = rank(lists, query)
        scored = {row: (score, parts) for row, score, parts in ranked}
        rows = collapse((row for row, _, _ in ranked), query, group)
        return [Hit(self.cols.ids[r], scored[r][0], scored[r][1], self.document(r)) for r in rows]

    # -- persistence ----------------------------------------------------------------
    def save(self, path: Path | None = None) -> Path | None:
        """Write the live rows (compacted) to ``path`` (default: where it was loaded from or
        created for): arrays and documents in one .npz, ids and postings as JSON. An index made
        in memory without a path has nothing to write (its writes are visible at once).

        Each save writes a new version folder inside ``path`` and then replaces the pointer file
        ``CURRENT`` with ``os.replace``, the one step that makes it live: a crash before it leaves
        the old index, after it the new one, never none. Older versions are removed afterwards;
        an index saved before versions (files directly in ``path``) is migrated here.
        Sub-folders of ``path`` that are not versions (``profiles/``) are left where they are."""
        if path is None and self.path is None:
            return None
        path = Path(path or self.path)
        path.mkdir(parents=True, exist_ok=True)
        version = f"{VERSION_PREFIX}{time.time_ns():020d}-{secrets.token_hex(3)}"
        folder = path / version
        folder.mkdir()
        keep = np.flatnonzero(self.cols.alive)
        remap = {int(old): new for new, old in enumerate(keep)}
        arrays = {k: v[keep] for k, v in self.cols.arrays().items()}
        blob, offsets = self.documents.packed(keep)
        lengths = {f"{LENGTH_PREFIX}{f}": v[keep] for f, v in self.lengths.items()}
        np.savez(
            folder / "index.npz",
            vectors=self.vectors[keep],
            documents=blob,
            document_offsets=offsets,
            **arrays,
            **lengths,
        )
        postings = {
            field: {t: {str(remap[r]): tf for r, tf in rows.items() if r in remap} for t, rows in table.items()}
            for field, table in self.postings.items()
        }
        meta = {
            "dimension": self.dimension,
            "feed_cursor": self.feed_cursor,
            "ids": [self.cols.ids[r] for r in keep],
            "fields": {field: {t: p for t, p in table.items() if p} for field, table in postings.items()},
        }
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        _fsync_folder(folder)
        pending = path / f".{POINTER}.{version}"
        with open(pending, "w", encoding="utf-8") as f:
            f.write(version)
            f.flush()
            os.fsync(f.fileno())
        os.replace(pending, path / POINTER)  # the swap
        _fsync_folder(path)
        _tidy(path, version)
        return path

    @classmethod
    def load(cls, path: Path) -> EmbeddedIndex:
        """The index ``path``'s pointer names (or, saved before versions, the files in ``path``).
        A save that removes the version just read is met by reading the pointer again."""
        for attempt in range(3):
            folder = current(path)
            if folder is None:
                raise FileNotFoundError(f"检索索引不存在：{path}")
            try:
                return cls._load_folder(folder, path)
            except FileNotFoundError:
                if attempt == 2 or current(path) == folder:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _load_folder(cls, folder: Path, path: Path) -> EmbeddedIndex:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        index = cls(meta["dimension"], path)
        with np.load(folder / "index.npz") as data:
            index.vectors = data["vectors"]
            for name in index.cols.arrays():
                index.cols.data[name] = data[name]
            if "documents" not in data or "fields" not in meta:
                raise FileNotFoundError(f"检索索引 {path} 是旧格式：请运行 jiuyuan index rebuild。")
            index.documents = _Documents(data["documents"].tobytes(), data["document_offsets"])
            index.lengths = {f: data[f"{LENGTH_PREFIX}{f}"] for f in text.FIELDS}
        index.cols.ids = list(meta["ids"])
        index.feed_cursor = meta.get("feed_cursor", 0)
        index.row_of = {doc_id: row for row, doc_id in enumerate(index.cols.ids)}
        index.postings = {
            field: defaultdict(
                dict, {t: {int(r): tf for r, tf in rows.items()} for t, rows in meta["fields"][field].items()}
            )
            for field in text.FIELDS
        }
        return index


POINTER = "CURRENT"
"""The file in an index folder naming its live version folder."""
VERSION_PREFIX = "v-"
LENGTH_PREFIX = "length__"
"""Each text field's per-row token counts are saved as ``length__<field>`` in ``index.npz``."""
_VERSION = re.compile(r"^v-[0-9]{20}-[0-9a-f]{6}$")


def current(path: Path) -> Path | None:
    """The folder holding ``path``'s live ``meta.json`` and ``index.npz``: the version its pointer
    names, or ``path`` itself for an index saved before versions; None when there is no index."""
    try:
        name = (path / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return path if (path / "meta.json").exists() else None
    if not _VERSION.match(name):  # the pointer is ours to write: anything else is not followed
        raise FileNotFoundError(f"检索索引指针无效：{path / POINTER}（请运行 jiuyuan index rebuild）")
    return path / name


def _fsync_folder(folder: Path) -> None:
    """Make the entries in ``folder`` durable (POSIX; Windows cannot open a folder, nor needs to)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tidy(path: Path, live: str) -> None:
    """After a swap: remove every version but ``live``, pointers a crash left pending, and the
    files of an index saved before versions. Nothing here is needed to load ``live``."""
    for child in path.iterdir():
        if child.name == live:
            continue
        if child.is_dir() and _VERSION.match(child.name):
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{POINTER}.") or child.name in ("meta.json", "index.npz"):
            child.unlink(missing_ok=True)


def _top(scores: np.ndarray, candidates: np.ndarray, k: int, positive: bool = False) -> dict[int, float]:
    values = scores[candidates]
    if positive:
        keep = values > 0
        candidates, values = candidates[keep], values[keep]
    if values.size > k:
        part = np.argpartition(-values, k - 1)[:k]
        candidates, values = candidates[part], values[part]
    return {int(r): float(v) for r, v in zip(candidates, values, strict=True)}


def stamp(path: Path) -> tuple[str, int] | None:
    """What changes whenever the index at ``path`` is saved (the live version's ``meta.json`` and
    its time); None without an index. Readers reload when it changes. A save may swap the pointer
    and remove the version just read between the two steps here: the pointer is then read again."""
    for _ in range(3):
        try:
            folder = current(path)
            meta = folder / "meta.json" if folder is not None else None
            return (str(meta), meta.stat().st_mtime_ns) if meta is not None else None
        except FileNotFoundError:
            continue
    return None
