"""The embedded backend's text part: BM25 over ``indexer.text.FIELDS`` in a tantivy index.

Each document is the two pre-segmented fields (``words``, ``bigrams``: the tokens OpenSearch
gets, split here by tantivy's whitespace tokenizer, term frequencies kept, no positions), an
integer ``key`` (indexed and a fast field) and the filters most searches carry (``TAGS``, the
validity days), so tantivy's top-k is taken among the rows they keep: ``EmbeddedIndex`` gives
every row a key that only grows, and keeps all its filters (applied exactly, as masks),
vectors and documents itself. A query is one ``should`` clause per
field and term, boosted by the field's weight × the term's weight, so the score is the sum the
OpenSearch backend asks Lucene for: BM25 with k1 1.2, b 0.75 (tantivy's constants, Lucene's
defaults), (k1 + 1) in the numerator as the embedded backend always had it.

On disk an index is one folder that tantivy never changes in place (new segments, ``.del``
files, a ``meta.json`` swapped atomically): ``fork`` links its files into a new folder and
writes there, so the version a reader has open stays as it was and a commit writes only what
is new. Without a folder the index is in memory. Writes are seen by this object's next search
(it commits first); ``close`` commits and waits for merges, after which the folder is final.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tantivy

from indexer import text

KEY = "key"
TAGS, VALID_FROM, VALID_UNTIL = "tags", "valid_from", "valid_until"
"""Filter fields, so tantivy's top-k is already filtered (``Within``): a row's tags (region
prefixes, kind, schedule: ``r:4301 k:love``) and its validity days (ordinals, fast fields)."""
HEAP_BYTES = 64_000_000
"""The writer's indexing memory (one thread): past it tantivy writes a segment."""
_LOCKS = (".tantivy-writer.lock", ".tantivy-meta.lock")


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_integer_field(KEY, indexed=True, fast=True)
    for field in text.FIELDS:
        b.add_text_field(field, tokenizer_name="ws", index_option="freq")
    b.add_text_field(TAGS, tokenizer_name="ws", index_option="basic")
    b.add_integer_field(VALID_FROM, fast=True)
    b.add_integer_field(VALID_UNTIL, fast=True)
    return b.build()


@dataclass(frozen=True)
class Row:
    """What the text index holds of a row: its text (segmented into ``text.FIELDS``) and, where
    the index filters (postings), its tags and validity days."""

    text: str
    tags: str = ""
    days: tuple[int, int] | None = None


@dataclass(frozen=True)
class Within:
    """Filters tantivy applies before its top-k: for each group, a row holding one of its tags;
    and valid on ``day`` (an ordinal)."""

    groups: tuple[tuple[str, ...], ...] = ()
    day: int | None = None


def has_filter_fields(folder: Path) -> bool:
    """Whether the text index in ``folder`` was made with the filter fields (``TAGS`` …)."""
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    return TAGS in {field["name"] for field in meta.get("schema", [])}


SCHEMA = _schema()
_WHITESPACE = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


class TextIndex:
    def __init__(self, folder: Path | None = None, create: bool = True):
        """In memory, or in ``folder``: made there if ``create``, else opened (``ValueError``
        when it is not there, say a version removed while it was being loaded)."""
        self.folder = folder
        if folder is None:
            self.index = tantivy.Index(SCHEMA)
        elif create:
            folder.mkdir(parents=True, exist_ok=True)
            self.index = tantivy.Index(SCHEMA, path=str(folder), reuse=True)
        else:
            self.index = tantivy.Index.open(str(folder))
        self.index.register_tokenizer("ws", _WHITESPACE)
        self.index.config_reader(reload_policy="Manual")
        self.writer: tantivy.IndexWriter | None = None
        self._dirty = False

    @classmethod
    def build(cls, folder: Path | None, keys: np.ndarray, rows: list[Row]) -> TextIndex:
        """A new index of ``rows`` under ``keys`` (a migration, or a save to another folder)."""
        index = cls(folder).fork(None)
        index.add(keys, rows)
        return index

    @property
    def writable(self) -> bool:
        return self.writer is not None

    def fork(self, folder: Path | None) -> TextIndex:
        """A writable index: this one (``folder`` None) or a copy in ``folder``, its files linked."""
        if folder is None:
            target = self
        else:
            folder.mkdir(parents=True)
            if self.folder is not None:
                for f in self.folder.iterdir():
                    if f.name not in _LOCKS:
                        link(f, folder / f.name)
            target = TextIndex(folder)
        if target.writer is None:
            target.writer = target.index.writer(heap_size=HEAP_BYTES, num_threads=1)
        return target

    # -- writes (``fork`` first) ---------------------------------------------------------
    def add(self, keys: np.ndarray, rows: list[Row]) -> None:
        assert self.writer is not None, "fork() before writing"
        for key, row in zip(keys.tolist(), rows, strict=True):
            values = {KEY: key, TAGS: row.tags} | text.joined(row.text)
            if row.days is not None:
                values |= {VALID_FROM: row.days[0], VALID_UNTIL: row.days[1]}
            self.writer.add_document(tantivy.Document(**values))
        self._dirty = True

    def delete(self, keys: list[int]) -> None:
        assert self.writer is not None, "fork() before writing"
        if keys:
            self.writer.delete_documents_by_query(tantivy.Query.term_set_query(SCHEMA, KEY, keys))
            self._dirty = True

    def close(self) -> None:
        """Commit, let merges finish and drop the writer: the folder is final (``fork`` to write on)."""
        if self.writer is not None:
            self.writer.commit()
            self.writer.wait_merging_threads()
            self.writer, self._dirty = None, False
            self.index.reload()

    # -- reads ---------------------------------------------------------------------------
    def searcher(self) -> tantivy.Searcher:
        if self._dirty and self.writer is not None:
            self.writer.commit()
            self.index.reload()
            self._dirty = False
        return self.index.searcher()

    def count(self) -> int:
        return self.searcher().num_docs

    def scores(
        self,
        terms: dict[str, dict[str, float]],
        weights: dict[str, float],
        keys: np.ndarray | None,
        limit: int,
        within: Within | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(keys, BM25 scores) of the best ``limit`` documents matching a term (Σ field weight ×
        term weight × BM25), among ``keys`` when given and ``within`` the filters. Best first."""
        q, should = tantivy.Query, tantivy.Occur.Should
        clauses = [
            (should, q.boost_query(q.term_query(SCHEMA, field, term), weights[field] * weight))
            for field, weighted in terms.items()
            if weights.get(field)
            for term, weight in weighted.items()
        ]
        searcher = self.searcher()
        if not clauses or not searcher.num_docs:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        must = [q.boolean_query(clauses)]
        if keys is not None:
            must.append(q.term_set_query(SCHEMA, KEY, keys.tolist()))
        if within is not None:
            must += _filters(within)
        query = must[0]
        if len(must) > 1:  # the filters score nothing: the score stays the text's BM25
            query = q.boolean_query(
                [(tantivy.Occur.Must, must[0])]
                + [(tantivy.Occur.Must, q.const_score_query(clause, 0.0)) for clause in must[1:]]
            )
        hits = searcher.search(query, limit, count=False).hits
        found = searcher.fast_field_values(KEY, [address for _, address in hits])
        return np.array(found, np.int64), np.array([score for score, _ in hits], np.float32)

    def stats(self) -> dict:
        searcher = self.searcher()
        disk = sum(f.stat().st_size for f in self.folder.iterdir()) if self.folder else 0
        return {"documents": searcher.num_docs, "segments": searcher.num_segments, "text_bytes": disk}


def _filters(within: Within) -> list[tantivy.Query]:
    q, should = tantivy.Query, tantivy.Occur.Should
    clauses = [q.boolean_query([(should, q.term_query(SCHEMA, TAGS, tag)) for tag in group]) for group in within.groups]
    if within.day is not None:
        integer = tantivy.FieldType.Integer
        clauses.append(q.range_query(SCHEMA, VALID_FROM, integer, upper_bound=within.day))
        clauses.append(q.range_query(SCHEMA, VALID_UNTIL, integer, lower_bound=within.day))
    return clauses


def link(source: Path, target: Path) -> None:
    """A hard link (tantivy and the row files never write a file twice, so versions can share
    them); a copy where links fail (another file system)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
