"""The search protocol's semantics, run against every reachable backend: the embedded one
always, OpenSearch when ``OPENSEARCH_URL`` is set (each test gets its own throwaway index)."""

from __future__ import annotations

import os
import uuid
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest

from indexer import text
from indexer.embedded import EmbeddedIndex
from indexer.opensearch import OpenSearchIndex
from indexer.protocol import FEEDBACK_ROWS, OCCUPATION_BOOST, Filters, Query, SearchBackend
from jiuyuan.errors import InvalidInput
from jiuyuan.vocab import PostingKind, Schedule

TODAY = date(2026, 11, 22)
OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL")

BACKENDS = [
    pytest.param("embedded", id="embedded"),
    pytest.param(
        "opensearch",
        id="opensearch",
        marks=pytest.mark.skipif(not OPENSEARCH_URL, reason="OPENSEARCH_URL is not set: no OpenSearch cluster here"),
    ),
]


class Backend:
    """One backend under test: make an empty index, and open a saved one again."""

    def __init__(self, kind: str, dimension: int, folder):
        self.kind, self.dimension, self.folder = kind, dimension, folder
        self.alias = f"test_{uuid.uuid4().hex[:10]}"
        self.made: list[OpenSearchIndex] = []

    def empty(self) -> SearchBackend:
        if self.kind == "embedded":
            return EmbeddedIndex(self.dimension, self.folder / "index")
        index = OpenSearchIndex.fresh(OPENSEARCH_URL, self.alias, self.dimension)
        self.made.append(index)
        return index

    def reopen(self) -> SearchBackend:
        if self.kind == "embedded":
            return EmbeddedIndex.load(self.folder / "index")
        return OpenSearchIndex(OPENSEARCH_URL, self.alias)

    def close(self) -> None:
        for index in self.made:
            index.client.indices.delete(index=f"{self.alias}-*", ignore_unavailable=True)


@pytest.fixture(params=BACKENDS)
def search_backend(request, model, tmp_path):
    made = Backend(request.param, model.dimension, tmp_path)
    yield made
    made.close()


@pytest.fixture
def index(search_backend, docs, doc_vectors):
    idx = search_backend.empty()
    idx.upsert(docs, doc_vectors)
    idx.save()
    return idx


def _search(index, model, q: str = "", mode="hybrid", k=10, **filters):
    vector = model.encode([q])[0] if q else None
    return index.search(Query(text=q, vector=vector, mode=mode, k=k, filters=Filters(**filters)))


def _doc(docs, hit):
    """The posting a hit names — and the hit carries that very posting."""
    doc = next(d for d in docs if d.id == hit.id)
    assert hit.document == doc
    return doc


@pytest.mark.parametrize("mode", ["bm25", "vector", "hybrid"])
def test_each_mode_finds_the_job_asked_for(index, model, docs, mode):
    hits = _search(index, model, "照顾老人的护理工作", mode=mode)
    assert hits and all("养老护理员" in _doc(docs, h).title for h in hits[:5])
    assert all(mode == "hybrid" or mode in h.parts for h in hits)


@pytest.mark.parametrize(
    ("mode", "keys"),
    [
        ("bm25", {"bm25"}),
        ("vector", {"vector"}),
        ("hybrid", {"bm25", "vector", "bm25_normalised", "vector_normalised"}),
    ],
)
def test_every_backend_returns_the_same_parts(index, model, mode, keys):
    """What a clerk reads beside a hit is the same from either backend: the parts' names (in
    hybrid, the occupation lift where 保洁 names the posting's occupation), and a vector part that
    is a cosine (−1…1: with the query's vector, or in hybrid with it moved towards the best text
    matches), a bm25 part on the embedded backend's scale."""
    hit = _search(index, model, "保洁", mode=mode)[0]
    lift = {"occupation"} if mode == "hybrid" and hit.document.occupation == "保洁员" else set()
    assert hit.parts.keys() == keys | lift
    if lift:
        assert hit.parts["occupation"] == OCCUPATION_BOOST
    if "vector" in keys:
        assert -1 <= hit.parts["vector"] <= 1
    if mode == "vector":
        assert hit.parts["vector"] == pytest.approx(
            float(model.encode(["保洁"])[0] @ model.encode([hit.document.text])[0]), abs=1e-4
        )
    if mode != "hybrid":
        assert hit.score == pytest.approx(hit.parts[mode])
    filters_only = _search(index, model, k=3, kinds=(PostingKind.LOVE,))
    assert filters_only and all(h.parts == {} and h.score == 0 for h in filters_only)


def test_hybrid_hits_carry_their_score_parts(index, model):
    hit = _search(index, model, "保洁")[0]
    assert {"bm25", "vector", "bm25_normalised", "vector_normalised"} <= hit.parts.keys()
    w = Query().text_weight
    lift = hit.parts.get("occupation", 0.0)  # 保洁 names 保洁员: the lift where the posting is one
    assert lift == (OCCUPATION_BOOST if hit.document.occupation == "保洁员" else 0.0)
    assert hit.score == pytest.approx(
        w * hit.parts["bm25_normalised"] + (1 - w) * hit.parts["vector_normalised"] + lift
    )


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
        (
            {"wage_floor_monthly": Decimal(4000)},
            lambda d: d.monthly_wage_max is not None and d.monthly_wage_max >= 4000,
        ),
        ({"occupations": ("保洁员", "保安员")}, lambda d: d.occupation in ("保洁员", "保安员")),
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
    hits = _search(
        index, model, "保洁", mode="vector", k=100, kinds=(PostingKind.PUBLIC_WELFARE,), region_prefix="3304"
    )
    assert {h.id for h in hits} == wanted


def test_upsert_overwrites_and_delete_removes(index, model, docs):
    before = index.count()
    changed = replace(docs[0], title="河道保洁员（已更新）", valid_until=TODAY + timedelta(days=400))
    assert index.upsert([changed], model.encode([changed.text])) == 1
    assert index.count() == before and changed.id in index.ids()
    found = [h for h in _search(index, model, "河道保洁员 已更新", mode="bm25", k=5) if h.id == changed.id]
    assert found and found[0].document == changed  # the hit carries the new version
    assert index.delete([changed.id, "no-such-id"]) == 1
    assert index.count() == before - 1 and changed.id not in index.ids()
    assert all(h.id != changed.id for h in _search(index, model, "河道保洁员 已更新", mode="bm25", k=50))


def test_saved_index_answers_the_same_after_a_restart(search_backend, index, model, docs):
    index.delete([docs[3].id])
    index.feed_cursor = 42
    query = Query(text="保安 夜班", vector=model.encode(["保安 夜班"])[0], k=10)
    before = [(h.id, round(h.score, 6)) for h in index.search(query)]
    index.save()
    restored = search_backend.reopen()
    assert restored.count() == index.count() and restored.ids() == index.ids() and restored.feed_cursor == 42
    assert [(h.id, round(h.score, 6)) for h in restored.search(query)] == before
    assert [h.document for h in restored.search(query)] == [h.document for h in index.search(query)]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (Query(), "text"),
        (
            Query(text="保洁", filters=Filters(wage_floor_monthly=Decimal(5000), wage_ceiling_monthly=Decimal(3000))),
            "wage_ceiling_monthly",
        ),
        (Query(text="保洁", filters=Filters(region_prefix="999999")), "region_prefix"),
        (Query(text="保洁", vector=np.zeros(7, np.float32)), "vector"),
        (Query(text="保洁", filters=Filters(near=(28.2, 112.9))), "within_km"),
        (Query(text="保洁", k=0), "k"),
        (Query(text="保洁", feedback_rows=-1), "feedback_rows"),
        (Query(text="保洁", occupation_boost=1.5), "occupation_boost"),
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
    index.upsert([twin], model.encode([twin.text]))
    query = Query(
        text=docs[5].title,
        vector=model.encode([docs[5].text])[0],
        k=200,
        filters=Filters(region_prefix=docs[5].region_code),
    )
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
    # From the ledger's counts (GROUP BY title), each distinct title segmented once: the same entries.
    titles = [d.title for d in docs] * 3 + ["爱心岗位·保洁员"]
    assert Typeahead.counted(Counter(titles).items()).entries == Typeahead(titles).entries


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"region_code": "999999"}, "region_code"),
        ({"wage_max": Decimal("1")}, "wage_max"),
        ({"valid_until": date(2020, 1, 1)}, "valid_until"),
        ({"title": " "}, "title"),
        ({"kind": PostingKind.LOVE, "age_min": 18, "age_max": 50}, "kind"),
    ],
)
def test_a_malformed_posting_is_rejected_with_its_reason(docs, change, field):
    with pytest.raises(InvalidInput) as err:
        replace(docs[0], **change)
    assert field in [e.field for e in err.value.errors]


def test_a_zero_query_vector_takes_no_part_in_hybrid_ranking(index, model, docs):
    """Issue 18: characters the model never saw gave an all-zero vector, whose tied cosines were
    worth half the hybrid score and ranked the first rows of the index first."""
    title = docs[700].title
    zero = np.zeros(model.dimension, np.float32)
    with_zero = index.search(Query(text=title, vector=zero, mode="hybrid", k=10))
    text_only = index.search(Query(text=title, mode="bm25", k=10))
    assert [h.id for h in with_zero] == [h.id for h in text_only]
    assert all("vector" not in h.parts for h in with_zero)


@pytest.mark.parametrize("mode", ["bm25", "vector", "hybrid"])
def test_a_text_that_gives_nothing_to_rank_by_finds_nothing(index, model, mode):
    """Letters the model and the index never saw: no mode answers with the newest postings, as
    if nothing had been typed (vector mode did, while hybrid found nothing)."""
    zero = np.zeros(model.dimension, np.float32)
    assert index.search(Query(text="zzzz zzzz", vector=zero, mode=mode, k=10)) == []
    assert _search(index, model, "😀🧹 *?:()", mode=mode) == []  # unknown tokens only: no direction
    assert index.search(Query(text="", vector=zero, mode="vector", k=10)) == []
    assert len(index.search(Query(text="", mode=mode, k=10, filters=Filters(kinds=(PostingKind.LOVE,))))) == 10


def test_a_list_of_tied_scores_gives_no_lift():
    from indexer.protocol import min_max

    assert {k: n for k, (_, n) in min_max({"a": 0.0, "b": 0.0, "c": 0.0}).items()} == {"a": 0.0, "b": 0.0, "c": 0.0}
    assert min_max({"only": 3.2}) == {"only": (3.2, 1.0)}  # a single hit is the top of its list
    assert min_max({"a": 1.0, "b": 3.0})["b"][1] == 1.0


def test_reciprocal_rank_fusion_scales_ranks_and_ties_alike():
    from indexer.protocol import RRF_K, rrf

    shares = {k: n for k, (_, n) in rrf({"a": 3.0, "b": 2.0, "c": 2.0, "d": 1.0}).items()}
    assert shares["a"] == 1.0  # the top of a list
    assert shares["b"] == shares["c"] == (RRF_K + 1) / (RRF_K + 2)  # a tie shares its best rank
    assert shares["d"] == (RRF_K + 1) / (RRF_K + 4)
    assert {k: n for k, (_, n) in rrf({"a": 0.5, "b": 0.5}).items()} == {"a": 0.0, "b": 0.0}
    assert rrf({"only": 3.2}) == {"only": (3.2, 1.0)}


def test_hybrid_with_rrf_is_the_weighted_mean_of_the_rank_shares(index, model, docs):
    title = docs[12].title
    query = Query(text=title, vector=model.encode([title])[0], mode="hybrid", k=20, fusion="rrf", text_weight=0.7)
    hits = index.search(query)
    assert hits
    for h in hits:
        expected = 0.7 * h.parts.get("bm25_normalised", 0.0) + 0.3 * h.parts.get("vector_normalised", 0.0)
        expected += h.parts.get("occupation", 0.0)  # the title's occupation, named by the query
        assert h.score == pytest.approx(expected)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def _matches_text(doc, q: str) -> bool:
    """Whether the posting holds a word of the query or a synonym (not a mere character pair)."""
    return bool(set(text.facet_terms(q)) & set(text.fields(doc.text)["words"]))


@pytest.mark.parametrize(
    ("q", "filters"),
    [
        ("保洁 保安 家政", Filters(valid_on=TODAY, region_prefix="43", occupations=("保洁员",))),
        ("想找扫地的活", Filters(region_prefix="4301")),
        ("", Filters(kinds=(PostingKind.GIG,), valid_on=TODAY)),
        ("想找个活", Filters(valid_on=TODAY, region_prefix="4301")),  # stop words only: all the filters keep
    ],
)
def test_occupation_facets_count_what_the_text_and_the_other_filters_find(index, docs, q, filters):
    """A facet counts the postings of each occupation that hold a word of the text or a synonym
    and pass every filter but the occupation filter itself, so a clerk sees what else to switch to."""
    others = replace(filters, occupations=())
    passing = {h.id for h in index.search(Query(filters=others, k=1000, collapse_duplicates=False))}
    assert len(passing) < 1000  # all of them
    has_terms = bool(text.facet_terms(q))
    expected = Counter(
        d.occupation for d in docs if d.id in passing and d.occupation and (not has_terms or _matches_text(d, q))
    )
    assert index.facets(Query(text=q, filters=filters)) == dict(expected)
    assert sum(expected.values()) > 0


def _unit(*axes: int, dimension: int) -> np.ndarray:
    v = np.zeros(dimension, np.float32)
    v[list(axes)] = 1.0
    return v / np.linalg.norm(v)


def test_hybrid_moves_the_vector_query_towards_its_best_text_matches(search_backend, docs):
    """Pseudo-relevance feedback (protocol.FEEDBACK_ROWS): 蛋鸡场 holds neither 养鸡 nor a vector
    near the query's, but a posting the words 养鸡 match has its vector: with feedback the vector
    list ranks 蛋鸡场 above the postings merely near the query, without it below them."""
    index = search_backend.empty()
    dim = index.dimension
    layer = replace(docs[0], id="layer", title="蛋鸡场饲养员", description="喂料捡蛋，包吃住", skills_required=())
    chicken = replace(docs[0], id="chicken", title="养鸡工", description="养鸡场招人，会养鸡", skills_required=())
    near = [
        replace(docs[i], id=f"near{i}", title="仓库理货员", description="整理货架", skills_required=()) for i in (1, 2)
    ]
    vectors = [_unit(0, dimension=dim), _unit(0, dimension=dim)] + [_unit(1, 3, dimension=dim)] * 2
    index.upsert([layer, chicken, *near], np.stack(vectors))
    index.save()
    asked = Query(text="养鸡", vector=_unit(3, dimension=dim), mode="hybrid", k=4, collapse_duplicates=False)
    for feedback_rows, layer_first in ((FEEDBACK_ROWS, True), (0, False)):
        parts = {h.id: h.parts for h in index.search(replace(asked, feedback_rows=feedback_rows))}
        assert (parts["layer"]["vector"] > parts["near1"]["vector"]) is layer_first


@pytest.mark.parametrize(("typed", "plain"), [("會計", "会计"), ("保潔員", "保洁员"), ("護理員 長期", "护理员 长期")])
def test_a_query_in_traditional_characters_ranks_as_its_simplified_text_on_every_backend(index, model, typed, plain):
    """Both backends get the same folded tokens, the encoder the simplified text: 會計 and 燒烤師傅
    found nothing before (no token matched, every character was [UNK], so the vector was zeros)."""
    for mode in ("bm25", "hybrid"):
        found = [(h.id, round(h.score, 6)) for h in _search(index, model, typed, mode=mode)]
        assert found and found == [(h.id, round(h.score, 6)) for h in _search(index, model, plain, mode=mode)]


def test_a_query_with_a_character_of_the_same_sound_finds_the_job_meant_on_every_backend(
    search_backend, model, docs, monkeypatch
):
    """档车工 for 挡车工 (a loom tender): the homophone term joins the query below the typed words,
    so the post scores higher in BM25 than without the term (the judged sets measure the ranking:
    docs/search.md)."""
    from indexer import homophones

    index = search_backend.empty()
    wanted = replace(
        docs[0], id="wanted", title="纺织厂招挡车工", description="挡车工，长期招聘，包住", skills_required=()
    )
    index.upsert([wanted, *docs[1:200]], model.encode([wanted.text, *(d.text for d in docs[1:200])]))
    index.save()

    def wanted(mode: str) -> tuple[int, float]:
        found = _search(index, model, "档车工", mode=mode, k=50)
        return next((i, h.score) for i, h in enumerate(found) if h.id == "wanted")

    bm25 = wanted("bm25")
    assert "wanted" in [h.id for h in _search(index, model, "档车工", mode="hybrid", k=10)]
    monkeypatch.setattr(text, "sounds", lambda: homophones.Sounds([]))  # the term left out
    text._query_terms.cache_clear()
    try:
        assert bm25[0] == 0 and bm25[1] > wanted("bm25")[1]  # 车工's bigram alone ranked it first, by less
    finally:
        text._query_terms.cache_clear()  # no terms worked out without homophones outlive the test


def test_hybrid_lifts_the_postings_of_the_occupation_the_query_names(search_backend, docs):
    """保安 names 保安员: the guard's post is lifted by OCCUPATION_BOOST, the security company's
    accountant (会计) is not; bm25 and vector mode rank by their one list alone."""
    index = search_backend.empty()
    guard = replace(docs[0], id="guard", title="小区保安员", description="夜班保安，包住", skills_required=())
    clerk = replace(docs[0], id="clerk", title="保安公司招会计", description="保安服务公司财务会计", skills_required=())
    assert (guard.occupation, clerk.occupation) == ("保安员", "会计")
    index.upsert([guard, clerk], np.stack([_unit(0, dimension=index.dimension)] * 2))
    index.save()
    vector = _unit(0, dimension=index.dimension)
    hits = {h.id: h for h in index.search(Query(text="保安", vector=vector, k=5, collapse_duplicates=False))}
    assert hits["guard"].parts["occupation"] == OCCUPATION_BOOST and "occupation" not in hits["clerk"].parts
    assert hits["guard"].score > hits["clerk"].score
    for mode in ("bm25", "vector"):
        found = index.search(Query(text="保安", vector=vector, mode=mode, k=5, collapse_duplicates=False))
        assert found and all("occupation" not in h.parts for h in found)


def test_feedback_is_the_unit_mean_of_query_and_matches():
    from indexer.protocol import feedback

    query = np.array([1.0, 0.0, 0.0], np.float32)
    moved = feedback(query, np.array([[0.0, 2.0, 0.0], [0.0, 0.0, 3.0]], np.float32))  # lengths do not count
    # unit query [1, 0, 0] + unit mean of the matches [0, √½, √½], scaled to unit length
    assert moved == pytest.approx(np.array([1.0, 0.5**0.5, 0.5**0.5]) / 2**0.5)
    assert feedback(query, np.zeros((0, 3), np.float32)) is query  # no text match: the query as given
    assert feedback(query, np.array([[0.0, 1.0, 0.0], [0.0, -1.0, 0.0]], np.float32)) is query  # they cancel


@pytest.mark.parametrize("mode", ["bm25", "vector", "hybrid"])
@pytest.mark.parametrize("filters", [{}, {"kinds": (PostingKind.LOVE,)}, {"occupations": ("保洁员",)}])
def test_hits_without_their_documents_rank_alike(index, model, mode, filters):
    """A caller that reads the postings from the ledger (matching) asks for no documents: the
    same hits, scores and parts, each document None."""
    query = Query(text="保洁", vector=model.encode(["保洁"])[0], mode=mode, k=10, filters=Filters(**filters))
    full, bare = index.search(query), index.search(replace(query, with_documents=False))
    assert full and [(h.id, h.score, h.parts) for h in bare] == [(h.id, h.score, h.parts) for h in full]
    assert all(h.document is None for h in bare) and all(h.document is not None for h in full)
    filters_only = Query(k=5, filters=Filters(kinds=(PostingKind.LOVE,)), with_documents=False)
    assert [h.id for h in index.search(filters_only)] == [
        h.id for h in index.search(replace(filters_only, with_documents=True))
    ]
