"""The embedded index's occupation column (issue 18: occupation as a filter and a facet): an
index saved before the column existed loads with the column derived from its documents, filters
and counts by it, and its next save writes the column, so the one after loads it as saved."""

from __future__ import annotations

from collections import Counter

from indexer.embedded import EmbeddedIndex
from indexer.protocol import Filters, Query
from indexer.storage import WHOLE
from indexer.versions import current
from jiuyuan.vocab import PostingKind

EVERY = Query(filters=Filters(kinds=tuple(PostingKind)))  # a filter every posting passes


def _drop_column(folder, name: str) -> None:
    """Remove ``name`` from each row folder of the live version, as an older version saved it."""
    for path in current(folder).glob(f"{WHOLE}*/{name}.npy"):
        path.unlink()  # a hard link shared with an older version: only this version's link goes


def test_an_index_saved_before_the_occupation_column_loads_filters_counts_and_saves_it(tmp_path, docs, doc_vectors):
    folder = tmp_path / "index"
    index = EmbeddedIndex(doc_vectors.shape[1], folder)
    index.upsert(docs[:400], doc_vectors[:400])
    index.save()
    _drop_column(folder, "occupation")

    old = EmbeddedIndex.load(folder)
    cleaners = {d.id for d in docs[:400] if d.occupation == "保洁员"}
    assert cleaners
    found = old.search(Query(filters=Filters(occupations=("保洁员",)), k=1000, collapse_duplicates=False))
    assert {h.id for h in found} == cleaners
    assert old.facets(EVERY) == dict(Counter(d.occupation for d in docs[:400] if d.occupation))

    old.upsert(docs[400:410], doc_vectors[400:410])
    old.save()
    for path in current(folder).glob(f"{WHOLE}*"):
        assert (path / "occupation.npy").exists(), path.name
    again = EmbeddedIndex.load(folder)
    assert again.facets(EVERY) == dict(Counter(d.occupation for d in docs[:410] if d.occupation))
