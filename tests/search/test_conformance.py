"""The search protocol's semantics, run against every reachable backend (here: embedded)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from jiuyuan.errors import InvalidInput
from indexer.embedded import EmbeddedIndex
from indexer.model import encode
from indexer.protocol import Filters, Query
from jiuyuan.vocab import PostingKind, Schedule

TODAY = date(2026, 11, 22)


@pytest.fixture
def index(model, docs):
    idx = EmbeddedIndex(model.get_embedding_dimension())
    idx.upsert(docs, encode(model, [d.text for d in docs]))
    return idx


def _search(index, model, q: str = "", mode="hybrid", k=10, **filters):
    vector = encode(model, [q])[0] if q else None
    return index.search(Query(text=q, vector=vector, mode=mode, k=k, filters=Filters(**filters)))


def _doc(docs, hit):
    return next(d for d in docs if d.id == hit.id)


@pytest.mark.parametrize("mode", ["bm25", "vector", "hybrid"])
def test_each_mode_finds_the_job_asked_for(index, model, docs, mode):
    hits = _search(index, model, "照顾老人的护理工作", mode=mode)
    assert hits and all("养老护理员" in _doc(docs, h).title for h in hits[:5])
    assert all(mode == "hybrid" or mode in h.parts for h in hits)


def test_hybrid_hits_carry_their_score_parts(index, model):
    hit = _search(index, model, "保洁")[0]
    assert {"bm25", "vector", "bm25_normalised", "vector_normalised"} <= hit.parts.keys()
    assert hit.score == pytest.approx(0.5 * hit.parts["bm25_normalised"] + 0.5 * hit.parts["vector_normalised"])


@pytest.mark.parametrize(
    ("filters", "holds"),
    [
        ({"kinds": (PostingKind.LOVE,)}, lambda d: d.kind is PostingKind.LOVE and d.age_min is None),
        ({"region_prefix": "4301"}, lambda d: d.region_code.startswith("4301")),
        ({"schedules": (Schedule.DAILY,)}, lambda d: d.schedule is Schedule.DAILY),
        ({"skills_free_only": True}, lambda d: not d.skills_required),
        ({"disabled_suitable": True}, lambda d: d.disabled_suitable),
        ({"valid_on": TODAY}, lambda d: d.valid_from <= TODAY <= d.valid_until),
        ({"age": 58}, lambda d: (d.age_min or 0) <= 58 and (d.age_max is None or d.age_max >= 58)),
        ({"wage_floor_monthly": Decimal(4000)},
         lambda d: d.monthly_wage_max is not None and d.monthly_wage_max >= 4000),
    ],
)
def test_filters_are_hard(index, model, docs, filters, holds):
    hits = _search(index, model, "保洁 保安 家政", k=50, **filters)
    assert hits and all(holds(_doc(docs, h)) for h in hits)


def test_distance_filter(index, model, docs):
    changsha = (28.23, 112.94)
    hits = _search(index, model, "保洁", k=50, near=changsha, within_km=30)
    assert hits
    for h in hits:
        d = _doc(docs, h)
        assert abs(d.latitude - changsha[0]) < 0.5 and abs(d.longitude - changsha[1]) < 0.5


def test_a_narrow_filter_never_starves_the_list(index, model, docs):
    """Filters come before the top-k: every matching posting is found, however few, even when
    thousands of others score higher without the filter."""
    wanted = {d.id for d in docs if d.kind is PostingKind.PUBLIC_WELFARE and d.region_code.startswith("3304")}
    assert 0 < len(wanted) < 20
    hits = _search(index, model, "保洁", mode="vector", k=100, kinds=(PostingKind.PUBLIC_WELFARE,),
                   region_prefix="3304")
    assert {h.id for h in hits} == wanted


def test_upsert_overwrites_and_delete_removes(index, model, docs):
    before = index.count()
    changed = replace(docs[0], title="河道保洁员（已更新）", valid_until=TODAY + timedelta(days=400))
    assert index.upsert([changed], encode(model, [changed.text])) == 1
    assert index.count() == before
    assert any(h.id == changed.id for h in _search(index, model, "河道保洁员 已更新", mode="bm25", k=5))
    assert index.delete([changed.id, "no-such-id"]) == 1
    assert index.count() == before - 1
    assert all(h.id != changed.id for h in _search(index, model, "河道保洁员 已更新", mode="bm25", k=50))


def test_saved_index_answers_the_same_after_a_restart(index, model, tmp_path):
    index.delete([index.cols.ids[3]])
    query = Query(text="保安 夜班", vector=encode(model, ["保安 夜班"])[0], k=10)
    before = [(h.id, round(h.score, 6)) for h in index.search(query)]
    index.save(tmp_path / "idx")
    restored = EmbeddedIndex.load(tmp_path / "idx")
    assert restored.count() == index.count()
    assert [(h.id, round(h.score, 6)) for h in restored.search(query)] == before


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (Query(), "text"),
        (Query(text="保洁", filters=Filters(wage_floor_monthly=Decimal(5000), wage_ceiling_monthly=Decimal(3000))),
         "wage_ceiling_monthly"),
        (Query(text="保洁", filters=Filters(region_prefix="999999")), "region_prefix"),
        (Query(text="保洁", vector=np.zeros(7, np.float32)), "vector"),
        (Query(text="保洁", filters=Filters(near=(28.2, 112.9))), "within_km"),
        (Query(text="保洁", k=0), "k"),
    ],
)
def test_bad_queries_are_refused_naming_the_field(index, query, field):
    with pytest.raises(InvalidInput) as err:
        index.search(query)
    assert field in [e.field for e in err.value.errors]


def test_a_malformed_vector_batch_is_rejected_not_indexed(index, docs):
    before = index.count()
    with pytest.raises(ValueError, match="向量形状"):
        index.upsert(docs[:2], np.zeros((2, 3), np.float32))
    assert index.count() == before


def test_the_same_job_posted_twice_is_collapsed(index, model, docs):
    twin = replace(docs[5], id="second-source-copy", description=docs[5].description + " ")
    assert twin.duplicate_key == docs[5].duplicate_key
    index.upsert([twin], encode(model, [twin.text]))
    query = Query(text=docs[5].title, vector=encode(model, [docs[5].text])[0], k=200,
                  filters=Filters(region_prefix=docs[5].region_code))
    ids = [h.id for h in index.search(query)]
    assert (docs[5].id in ids) != ("second-source-copy" in ids)  # exactly one of the two
    both = [h.id for h in index.search(replace(query, collapse_duplicates=False))]
    assert docs[5].id in both and "second-source-copy" in both


def test_typeahead_takes_characters_pinyin_and_initials(docs):
    from indexer.typeahead import Typeahead

    t = Typeahead(d.title for d in docs)
    assert t.suggest("bj")[0].startswith("保洁")
    assert "保安员" in t.suggest("bao")
    assert t.suggest("养老")[0].startswith("养老护理")
    assert "叉车工" in t.suggest("ccg")
    assert t.suggest("  ") == []


@pytest.mark.parametrize(
    ("change", "field"),
    [({"region_code": "999999"}, "region_code"), ({"wage_max": Decimal("1")}, "wage_max"),
     ({"valid_until": date(2020, 1, 1)}, "valid_until"), ({"title": " "}, "title"),
     ({"kind": PostingKind.LOVE, "age_min": 18, "age_max": 50}, "kind")],
)
def test_a_malformed_posting_is_rejected_with_its_reason(docs, change, field):
    with pytest.raises(InvalidInput) as err:
        replace(docs[0], **change)
    assert field in [e.field for e in err.value.errors]
