"""The embedded backend's text index (issue 18, "a real embedded engine"): tantivy under
``indexer.text_index``. A save writes only what changed (the older segments are linked, not
rewritten), the version a reader holds never changes under it, BM25 is asked for a few
candidates by key or for every match, and an index saved before tantivy loads by indexing its
documents again."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from indexer import embedded, text
from indexer.documents import PostingDocument
from indexer.embedded import EmbeddedIndex
from indexer.protocol import Filters, Query
from indexer.storage import TEXT, WHOLE
from indexer.text_index import Row, TextIndex
from indexer.versions import current
from jiuyuan.vocab import PostingKind, Schedule, WageUnit

DIM = 8
WEIGHTS = {"words": 1.0, "bigrams": 0.5}


def _doc(doc_id: str, title: str = "保洁员", region: str = "430102") -> PostingDocument:
    return PostingDocument(
        doc_id, f"{title}{doc_id}", "小区保洁", "某物业", PostingKind.ORDINARY, Schedule.FULL_TIME,
        Decimal("2200"), Decimal("2600"), WageUnit.MONTH, region, date(2026, 1, 1), date(2026, 12, 31),
    )  # fmt: skip


def _vectors(n: int) -> np.ndarray:
    return np.random.default_rng(n).random((n, DIM), np.float32)


def _segments(folder) -> dict[str, int]:
    """Each segment file of a text folder with its inode."""
    return {f.name: f.stat().st_ino for f in (folder / TEXT).iterdir() if not f.name.startswith((".", "meta"))}


def test_a_save_links_the_segments_it_keeps_and_writes_only_the_new_one(tmp_path):
    path = tmp_path / "index"
    index = EmbeddedIndex(DIM, path)
    index.upsert([_doc(str(i)) for i in range(50)], _vectors(50))
    index.save()
    first = current(path)
    before = _segments(first)
    reader = EmbeddedIndex.load(path)  # a reader holds the first version

    index.upsert([_doc("new")], _vectors(1))
    index.delete(["3"])
    index.save()
    after = _segments(current(path))
    kept = {name: ino for name, ino in after.items() if name in before}
    assert kept and kept == {name: before[name] for name in kept}, "the old segment's files are the same inodes"
    assert len(set(after) - set(before)) >= 1, "a new segment (and the deletes) written beside them"

    hits = reader.search(Query(text="保洁", mode="bm25", k=100, collapse_duplicates=False))
    assert {h.id for h in hits} == {str(i) for i in range(50)}, "the reader's version did not move"
    fresh = EmbeddedIndex.load(path)
    ids = {h.id for h in fresh.search(Query(text="保洁", mode="bm25", k=100, collapse_duplicates=False))}
    assert "new" in ids and "3" not in ids and len(ids) == 50


def test_a_fork_leaves_its_source_as_it_was(tmp_path):
    source = TextIndex.build(tmp_path / "a", np.arange(3), [Row("保洁员 小区"), Row("保安 夜班"), Row("厨师 饭店")])
    source.close()
    meta = (tmp_path / "a" / "meta.json").read_bytes()
    copy = source.fork(tmp_path / "b")
    copy.delete([0])
    copy.add(np.array([3]), [Row("保洁 阿姨")])
    copy.close()
    assert (tmp_path / "a" / "meta.json").read_bytes() == meta
    assert TextIndex(tmp_path / "a").count() == 3 and TextIndex(tmp_path / "b").count() == 3
    keys, _ = TextIndex(tmp_path / "b").scores(text.query_terms("保洁"), WEIGHTS, None, 10)
    assert set(keys.tolist()) == {3}


def test_scores_by_key_or_for_every_match_agree(tmp_path):
    texts = ["保洁 保洁", "保洁", "保安", "保洁 厨师 厨师 厨师"]
    index = TextIndex.build(None, np.arange(4) * 10, [Row(t) for t in texts])
    terms = text.query_terms("保洁")
    all_keys, all_scores = index.scores(terms, WEIGHTS, None, 10)
    assert set(all_keys.tolist()) == {0, 10, 30} and list(all_scores) == sorted(all_scores, reverse=True)
    some_keys, some_scores = index.scores(terms, WEIGHTS, np.array([10, 20, 30]), 10)
    assert dict(zip(some_keys.tolist(), some_scores.tolist(), strict=True)) == {
        k: s for k, s in zip(all_keys.tolist(), all_scores.tolist(), strict=True) if k in (10, 30)
    }
    assert index.scores(terms, {"words": 0.0, "bigrams": 0.0}, None, 10)[0].size == 0, "no weight, no score"


FILTERED = [
    Filters(region_prefix="430102"),
    Filters(region_prefix="4301", valid_on=date(2026, 6, 1)),
    Filters(valid_on=date(2027, 6, 1)),  # none valid then
    Filters(kinds=(PostingKind.LOVE, PostingKind.ORDINARY), schedules=(Schedule.FULL_TIME,)),
    Filters(kinds=(PostingKind.GIG,)),
    Filters(region_prefix="43", age=40, wage_floor_monthly=Decimal(2500)),  # two filters tantivy has not
]


@pytest.mark.parametrize("filters", FILTERED)
def test_filters_in_tantivy_by_key_or_masked_after_rank_the_same_rows(monkeypatch, filters):
    """Filters tantivy applies itself (``_within``: region, kind, schedule, validity), candidates
    handed over by key (few), or every match masked after (many): the same hits."""
    docs = [_doc(str(i)) for i in range(30)]
    docs += [_doc(f"g{i}", "保安", region="430103") for i in range(5)]
    index = EmbeddedIndex(DIM)
    index.upsert(docs, _vectors(len(docs)))
    query = Query(text="保洁 保安", mode="bm25", k=10, filters=filters)
    by_key = [(h.id, h.score) for h in index.search(query)]  # few candidates: handed over by key
    monkeypatch.setattr(embedded, "KEYS_HANDED_OVER", 0)
    pushed = [(h.id, h.score) for h in index.search(query)]  # tantivy's own filters, then the masks
    monkeypatch.setattr(index, "_within", lambda query: None)
    masked = [(h.id, h.score) for h in index.search(query)]  # every match, masked after
    assert pushed == by_key == masked
    expected = {d.id for d in docs if index._mask(replace(query, text=""))[index.row_of[d.id]]}
    assert {i for i, _ in pushed} <= expected and len(pushed) == min(10, len(expected))


def test_an_index_saved_before_tantivy_loads_by_indexing_its_documents(tmp_path):
    path = tmp_path / "index"
    index = EmbeddedIndex(DIM, path)
    index.upsert([_doc("1"), _doc("2"), _doc("3")], _vectors(3))
    index.save()
    index.delete(["3"])  # a dead row in the saved rows: not indexed again (its terms would count)
    index.save()
    live = current(path)
    for f in (live / TEXT).iterdir():  # as a save before the text index was tantivy's left it
        os.unlink(f)
    os.rmdir(live / TEXT)
    loaded = EmbeddedIndex.load(path)
    assert loaded.text.count() == 2
    assert {h.id for h in loaded.search(Query(text="保洁", mode="bm25"))} <= {"1", "2"}
    assert loaded.search(Query(text="保洁", mode="bm25", collapse_duplicates=False))
    loaded.save()
    assert (current(path) / TEXT / "meta.json").exists(), "its next save writes the text index"
    assert len(EmbeddedIndex.load(path).search(Query(text="保洁", mode="bm25", collapse_duplicates=False))) == 2


def test_an_index_saved_with_another_analyser_is_indexed_again_from_its_documents(tmp_path, monkeypatch):
    """會計 saved under the old analyser was the token 會計; a query is now read as 会计."""
    path = tmp_path / "index"
    index = EmbeddedIndex(DIM, path)
    index.upsert([_doc("1", title="會計"), _doc("2")], _vectors(2))
    index.save()
    assert EmbeddedIndex.load(path).text.folder is not None  # the same analyser: opened as saved
    monkeypatch.setattr(text, "ANALYSER", "an older one")
    loaded = EmbeddedIndex.load(path)
    assert loaded.text.folder is None and loaded.text.count() == 2  # indexed again, in memory
    loaded.save()
    again = EmbeddedIndex.load(path)
    assert again.text.folder is not None, "its next save wrote the text index and the stamp"
    assert [h.id for h in again.search(Query(text="会计", mode="bm25", collapse_duplicates=False))] == ["1"]


def _rows_files(folder) -> dict[str, int]:
    """Each row folder of a version, by the inode of its vectors (the same inode: linked)."""
    return {f.name: (f / "vectors.npy").stat().st_ino for f in folder.iterdir() if f.name.startswith(WHOLE)}


def test_a_save_that_adds_links_the_rows_saved_before_and_writes_only_the_new(tmp_path, monkeypatch):
    path = tmp_path / "index"
    index = EmbeddedIndex(DIM, path)
    index.upsert([_doc(str(i)) for i in range(20)], _vectors(20))
    index.save()
    first = _rows_files(current(path))
    assert list(first) == [WHOLE]

    follower = EmbeddedIndex.load(path)  # the live follower's copy
    follower.upsert([_doc("new"), _doc("5")], _vectors(2))  # one added, one replaced
    follower.delete(["7"])

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", crash)
    with pytest.raises(OSError):
        follower.save()
    monkeypatch.undo()
    assert EmbeddedIndex.load(path).ids() == {str(i) for i in range(20)}, "a crash keeps the old version"

    follower.save()
    second = _rows_files(current(path))
    assert second[WHOLE] == first[WHOLE], "the rows saved before are linked, not written again"
    assert len(second) == 2
    loaded = EmbeddedIndex.load(path)
    assert loaded.ids() == ({str(i) for i in range(20)} - {"7"}) | {"new"}
    assert loaded.count() == 20 and loaded.document(loaded.row_of["new"]).id == "new"
    hits = loaded.search(Query(text="保洁", mode="bm25", k=100, collapse_duplicates=False))
    assert {h.id for h in hits} == loaded.ids()

    loaded.delete([str(i) for i in range(12)])  # past a quarter of the rows dead: written whole again
    loaded.save()
    assert list(_rows_files(current(path))) == [WHOLE]
    again = EmbeddedIndex.load(path)
    assert len(again.cols.ids) == again.count() == 9 and again.ids() == loaded.ids()
