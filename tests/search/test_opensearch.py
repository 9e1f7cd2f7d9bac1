"""The OpenSearch backend: the requests it sends, as tables (always), checked against OpenSearch's
published API specification; the answers it makes of OpenSearch's responses (a recording stand-in
for the client); an app serving from it; and a live cluster when OPENSEARCH_URL is set (no
OpenSearch server can be installed here; tests/search/test_conformance.py runs against it too)."""

from __future__ import annotations

import os
import uuid
from datetime import date
from decimal import Decimal

import msgspec
import numpy as np
import pytest

from indexer import opensearch as osb
from indexer import opensearch_bodies as bodies
from indexer.embedded import EmbeddedIndex
from indexer.protocol import CANDIDATES, OCCUPATION_BOOST, Filters, Query, feedback
from jiuyuan.errors import InvalidInput, SearchIndexUnavailable
from jiuyuan.vocab import PostingKind, Schedule
from tests.search import opensearch_spec as spec
from tests.search.fake_opensearch import Recorder, hit_of

OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL")


@pytest.mark.parametrize(
    ("filters", "clauses"),
    [
        (Filters(kinds=(PostingKind.LOVE, PostingKind.GIG)), [{"terms": {"kind": ["love", "gig"]}}]),
        (Filters(schedules=(Schedule.DAILY,)), [{"terms": {"schedule": ["daily"]}}]),
        (Filters(region_prefix="4301"), [{"term": {"regions": "4301"}}]),
        (
            Filters(wage_floor_monthly=Decimal(3000), wage_ceiling_monthly=Decimal(5000)),
            [{"range": {"wage_max": {"gte": 3000.0}}}, {"range": {"wage_min": {"lte": 5000.0}}}],
        ),
        (
            Filters(skills_free_only=True, disabled_suitable=True),
            [{"term": {"skills_free": True}}, {"term": {"disabled_suitable": True}}],
        ),
        (
            Filters(valid_on=date(2026, 11, 22)),
            [{"range": {"valid_from": {"lte": "2026-11-22"}}}, {"range": {"valid_until": {"gte": "2026-11-22"}}}],
        ),
        (
            Filters(near=(28.23, 112.94), within_km=5.0),
            [{"geo_distance": {"distance": "5.0km", "location": {"lat": 28.23, "lon": 112.94}}}],
        ),
        (
            Filters(age=58),
            [
                {
                    "bool": {
                        "should": [
                            {"range": {"age_min": {"lte": 58}}},
                            {"bool": {"must_not": {"exists": {"field": "age_min"}}}},
                        ],
                        "minimum_should_match": 1,
                    }
                },
                {
                    "bool": {
                        "should": [
                            {"range": {"age_max": {"gte": 58}}},
                            {"bool": {"must_not": {"exists": {"field": "age_max"}}}},
                        ],
                        "minimum_should_match": 1,
                    }
                },
            ],
        ),
        (Filters(), []),
    ],
)
def test_filter_translation(filters, clauses):
    assert bodies.filter_clauses(filters) == clauses


def test_mapping_follows_the_embedding_dimension():
    m = bodies.mapping(128)
    emb = m["mappings"]["properties"]["embedding"]
    assert emb["dimension"] == 128 and emb["method"]["space_type"] == "cosinesimil"
    assert m["settings"]["index"]["knn"] is True
    for field in ("words", "bigrams", "tokens"):
        assert m["mappings"]["properties"][field] == {"type": "text", "analyzer": "whitespace"}
    # The document is kept for the hits (in _source), never searched.
    assert m["mappings"]["properties"]["document"] == {"type": "object", "enabled": False}
    assert m["mappings"]["_meta"] == {"feed_cursor": 0}


def test_documents_carry_the_same_tokens_as_the_embedded_index(docs):
    from indexer import text

    body = bodies.document(docs[0], np.ones(4, np.float32))
    assert body["tokens"].split() == text.tokens(docs[0].text)
    assert body["words"].split() == text.words(docs[0].text)
    assert body["bigrams"].split() == text.bigrams(docs[0].text)
    assert msgspec.convert(body["document"], type(docs[0])) == docs[0]
    assert body["regions"] == sorted({docs[0].region_code[:2], docs[0].region_code[:4], docs[0].region_code})
    assert "id_number" not in body and "name" not in body


V = np.array([0.6, 0.8, 0.0, 0.0], np.float32)  # a 4-dimensional query vector
VECTOR = [0.6000000238418579, 0.800000011920929, 0.0, 0.0]  # as float32 → JSON
DAY = date(2026, 11, 22)
SOURCE = ["document"]
FUSED_SOURCE = ["document", "duplicate_key"]
FEEDBACK_SOURCE = [*FUSED_SOURCE, "embedding"]  # the text hits' vectors move the k-NN query
COLLAPSE = {"field": "duplicate_key"}
LOVE = {"terms": {"kind": ["love"]}}
CITY = {"term": {"regions": "4301"}}
VALID = [{"range": {"valid_from": {"lte": "2026-11-22"}}}, {"range": {"valid_until": {"gte": "2026-11-22"}}}]
WAGE = {"range": {"wage_max": {"gte": 3000.0}}}
GEO = {"geo_distance": {"distance": "5.0km", "location": {"lat": 28.23, "lon": 112.94}}}


def _bm25(query: str, filters: list) -> dict:
    from indexer import text

    should = [
        {"term": {field: {"value": term, "boost": round(bodies.FIELD_WEIGHTS[field] * weight, 6)}}}
        for field, weighted in text.query_terms(query).items()
        for term, weight in weighted.items()
    ]
    return {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}


def test_the_text_query_is_each_fields_terms_with_synonyms_weighted_below_the_typed_word():
    """The terms the embedded backend scores, as boosts: field weight (words 1.0, bigrams 0.5)
    × term weight (typed 1.0, a synonym 0.5); Lucene sums the clauses as the embedded sum does."""
    body = bodies.search_bodies(Query(text="电焊", mode="bm25"))["bm25"]["query"]["bool"]
    terms = {(field, c["value"]): c["boost"] for clause in body["should"] for field, c in clause["term"].items()}
    assert terms == {
        ("words", "电焊"): 1.0,
        ("words", "电焊工"): 0.5,
        ("words", "焊工"): 0.5,
        ("words", "焊接"): 0.5,
        ("bigrams", "电焊"): 0.5,
        ("bigrams", "焊工"): 0.25,
        ("bigrams", "焊接"): 0.25,
    }
    assert body["minimum_should_match"] == 1


# What the backend sends for representative searches: ("search", body) — one request —,
# ("msearch", {list: body}) — hybrid without feedback: the lists in one _msearch — or
# ("search, search", {list: body}) — hybrid: the text list first, its hits' vectors moving the
# k-NN query (none here: the recorder answers no hits, so the vector is as given); fused by the backend.
REQUESTS = [
    pytest.param(
        Query(text="保洁", vector=V, k=7, filters=Filters(kinds=(PostingKind.LOVE,)), text_weight=0.3),
        (
            "search, search",
            {
                "bm25": {"size": CANDIDATES, "_source": FEEDBACK_SOURCE, "query": _bm25("保洁", [LOVE])},
                "vector": {
                    "size": CANDIDATES,
                    "_source": FUSED_SOURCE,
                    "query": {
                        "knn": {
                            "embedding": {"vector": VECTOR, "k": CANDIDATES, "filter": {"bool": {"filter": [LOVE]}}}
                        }
                    },
                },
            },
        ),
        id="hybrid: both lists, the filters inside each, k-NN filtered before its top k",
    ),
    pytest.param(
        Query(text="保洁", vector=V, k=7, feedback_rows=0),
        (
            "msearch",
            {
                "bm25": {"size": CANDIDATES, "_source": FUSED_SOURCE, "query": _bm25("保洁", [])},
                "vector": {
                    "size": CANDIDATES,
                    "_source": FUSED_SOURCE,
                    "query": {"knn": {"embedding": {"vector": VECTOR, "k": CANDIDATES}}},
                },
            },
        ),
        id="hybrid without feedback: both lists together in one _msearch",
    ),
    pytest.param(
        Query(text="照顾老人", k=5, filters=Filters(region_prefix="4301", valid_on=DAY)),
        (
            "msearch",
            {"bm25": {"size": CANDIDATES, "_source": FUSED_SOURCE, "query": _bm25("照顾老人", [CITY, *VALID])}},
        ),
        id="hybrid without a vector: the text list alone (照顾老人 and its synonyms), still min-max normalised",
    ),
    pytest.param(
        Query(text="清洁工", mode="bm25", filters=Filters(valid_on=DAY)),
        ("search", {"size": 10, "_source": SOURCE, "collapse": COLLAPSE, "query": _bm25("清洁工", VALID)}),
        id="bm25: the typed word and its synonyms weighted below it, duplicates collapsed by the cluster",
    ),
    pytest.param(
        Query(text="保洁", vector=V, mode="vector", k=3, filters=Filters(age=58)),
        (
            "search",
            {
                "size": 3,
                "_source": SOURCE,
                "collapse": COLLAPSE,
                "query": {
                    "knn": {
                        "embedding": {
                            "vector": VECTOR,
                            "k": CANDIDATES,
                            "filter": {"bool": {"filter": bodies.filter_clauses(Filters(age=58))}},
                        }
                    }
                },
            },
        ),
        id="vector: k-NN reaches further than k, as collapsing drops hits",
    ),
    pytest.param(
        Query(text="保洁", vector=V, mode="vector", k=3, collapse_duplicates=False),
        ("search", {"size": 3, "_source": SOURCE, "query": {"knn": {"embedding": {"vector": VECTOR, "k": 3}}}}),
        id="vector, duplicates kept: exactly k nearest, no filter clause",
    ),
    pytest.param(
        Query(k=20, filters=Filters(region_prefix="4301", skills_free_only=True, valid_on=DAY)),
        (
            "search",
            {
                "size": 20,
                "_source": SOURCE,
                "collapse": COLLAPSE,
                "query": {"bool": {"filter": [CITY, {"term": {"skills_free": True}}, *VALID]}},
                "sort": [{"valid_from": "desc"}],
            },
        ),
        id="filters only: newest first, nothing scored",
    ),
    pytest.param(
        Query(
            text="保安",
            vector=V,
            filters=Filters(near=(28.23, 112.94), within_km=5.0, wage_floor_monthly=Decimal(3000)),
        ),
        (
            "search, search",
            {
                "bm25": {"size": CANDIDATES, "_source": FEEDBACK_SOURCE, "query": _bm25("保安", [WAGE, GEO])},
                "vector": {
                    "size": CANDIDATES,
                    "_source": FUSED_SOURCE,
                    "query": {
                        "knn": {
                            "embedding": {
                                "vector": VECTOR,
                                "k": CANDIDATES,
                                "filter": {"bool": {"filter": [WAGE, GEO]}},
                            }
                        }
                    },
                },
            },
        ),
        id="hybrid near a place with a wage floor",
    ),
]


def _sent(query: Query) -> tuple[str, dict]:
    client = Recorder()
    osb.OpenSearchIndex("http://unused:9200", "postings", 4, client=client).search(query)
    if len(client.calls) == 2:  # hybrid with feedback: the text search, then the k-NN search
        assert [(kind, r["index"]) for kind, r in client.calls] == [("search", "postings")] * 2
        return "search, search", {
            name: r["body"] for name, (_, r) in zip(("bm25", "vector"), client.calls, strict=True)
        }
    ((kind, request),) = client.calls
    if kind == "search":
        assert request["index"] == "postings"
        return kind, request["body"]
    lines = request["body"]
    assert lines[::2] == [{"index": "postings"}] * (len(lines) // 2)  # each body after its header
    return kind, dict(zip(bodies.search_bodies(query), lines[1::2], strict=True))


@pytest.mark.parametrize(("query", "expected"), REQUESTS)
def test_the_requests_a_search_sends(query, expected):
    assert _sent(query) == expected


needs_spec = pytest.mark.skipif(not spec.available(), reason="../shared/opensearch-api-spec is not here")


@needs_spec
@pytest.mark.parametrize(("query", "expected"), REQUESTS)
def test_the_requests_conform_to_the_published_api(query, expected):
    kind, body = _sent(query)
    if kind == "search":
        assert spec.errors(spec.SEARCH_BODY, body) == []
    elif kind == "search, search":
        for sub in body.values():
            assert spec.errors(spec.SEARCH_BODY, sub) == []
    else:
        assert spec.errors(spec.MSEARCH_HEADER, {"index": "postings"}) == []
        for sub in body.values():
            assert spec.errors(spec.MSEARCH_BODY, sub) == []


@needs_spec
def test_the_build_requests_conform_to_the_published_api(docs):
    from opensearchpy.helpers import expand_action

    assert spec.errors(spec.CREATE_INDEX, bodies.mapping(64)) == []
    assert spec.errors(spec.PUT_MAPPING, {"_meta": {"feed_cursor": 7}}) == []
    assert spec.errors(spec.UPDATE_ALIASES, bodies.alias_actions("postings", ["postings-1"], "postings-2")) == []
    for action in bodies.bulk_actions("postings-2", docs[:3], np.zeros((3, 4), np.float32)):
        line, source = expand_action(action)
        assert line == {"index": {"_index": "postings-2", "_id": action["_id"]}}
        assert spec.errors(spec.BULK_ACTION, line) == []


@needs_spec
def test_the_specification_check_finds_a_misspelt_key():
    """The check is strict: a key OpenSearch does not know fails here, not on the cluster."""
    _, body = _sent(REQUESTS[2].values[0])
    assert spec.errors(spec.SEARCH_BODY, {**body, "colapse": COLLAPSE})
    knn = {"size": 3, "query": {"knn": {"embedding": {"vectr": VECTOR, "k": 3}}}}
    assert spec.errors(spec.SEARCH_BODY, knn)


def test_hybrid_answers_are_fused_as_the_embedded_backend_fuses(docs):
    """OpenSearch's scores come back on the embedded scale (bm25 × (k1 + 1), k-NN (1 + cos) / 2 →
    cos), fused by the same min-max and weighted mean, one hit per duplicate group, each with
    its document and the same parts."""
    from dataclasses import replace

    a, b, c, d = docs[:4]
    twin = replace(a, id="twin", description=a.description + " ")
    assert twin.duplicate_key == a.duplicate_key
    fused = ("document", "duplicate_key")
    bm25 = [hit_of(a, 2.0, fused), hit_of(twin, 1.9, fused), hit_of(b, 1.5, fused), hit_of(d, 1.0, fused)]
    knn = [hit_of(c, 0.95, fused), hit_of(b, 0.94, fused), hit_of(a, 0.85, fused)]
    client = Recorder({"msearch": {"responses": [{"hits": {"hits": bm25}}, {"hits": {"hits": knn}}]}})
    index = osb.OpenSearchIndex("http://unused:9200", "postings", 4, client=client)
    asked = Query(text="保洁", vector=V, k=10, text_weight=0.6, fusion="min_max", feedback_rows=0, occupation_boost=0)
    hits = index.search(asked)
    assert [h.id for h in hits] == [b.id, a.id, c.id, d.id]  # the twin (0.54) collapsed into a (0.6)
    by_id = {h.id: h for h in hits}
    assert [h.document for h in hits] == [b, a, c, d]
    assert by_id[a.id].parts == pytest.approx(
        {"bm25": 2.0 * bodies.BM25_SCALE, "bm25_normalised": 1.0, "vector": 0.7, "vector_normalised": 0.0}
    )
    assert by_id[b.id].parts == pytest.approx(
        {"bm25": 1.5 * bodies.BM25_SCALE, "bm25_normalised": 0.5, "vector": 0.88, "vector_normalised": 0.9}
    )
    assert by_id[c.id].parts == pytest.approx({"vector": 0.9, "vector_normalised": 1.0})
    assert [h.score for h in hits] == pytest.approx([0.66, 0.6, 0.4, 0.0])
    for h in hits:
        assert h.score == pytest.approx(
            0.6 * h.parts.get("bm25_normalised", 0) + 0.4 * h.parts.get("vector_normalised", 0)
        )


def test_hybrid_lifts_the_occupation_the_query_names_as_the_embedded_backend_does(docs):
    """The lift reads each hit's stored document (its occupation is derived, not a stored key);
    a text hit without its embedding moves nothing and breaks nothing."""
    cleaner = next(d for d in docs if d.occupation == "保洁员")
    other = next(d for d in docs if d.occupation not in ("", "保洁员"))
    fed = ("document", "duplicate_key", "embedding")
    text_hits = [hit_of(cleaner, 2.0, fed, [0.0, 0.0, 1.0, 0.0]), hit_of(other, 1.0, ("document", "duplicate_key"))]
    knn = [hit_of(other, 0.95, ("document", "duplicate_key")), hit_of(cleaner, 0.9, ("document", "duplicate_key"))]
    client = Recorder({"search": [{"hits": {"hits": text_hits}}, {"hits": {"hits": knn}}]})
    index = osb.OpenSearchIndex("http://unused:9200", "postings", 4, client=client)
    hits = {h.id: h for h in index.search(Query(text="保洁", vector=V, k=5, collapse_duplicates=False))}
    assert hits[cleaner.id].parts["occupation"] == OCCUPATION_BOOST and "occupation" not in hits[other.id].parts
    moved = client.calls[1][1]["body"]["query"]["knn"]["embedding"]["vector"]
    assert moved == pytest.approx(list(feedback(V, np.array([[0.0, 0.0, 1.0, 0.0]]))))
    # Matching reads the postings from the ledger: the same lift and ranking, no document decoded.
    client.answers["search"] = [{"hits": {"hits": text_hits}}, {"hits": {"hits": knn}}]
    bare = index.search(Query(text="保洁", vector=V, k=5, collapse_duplicates=False, with_documents=False))
    assert [(h.id, h.score, h.parts) for h in bare] == [(h.id, h.score, h.parts) for h in hits.values()]
    assert all(h.document is None for h in bare)


def test_single_list_and_filter_answers(docs):
    a = docs[0]
    client = Recorder({"search": {"hits": {"hits": [hit_of(a, 0.9)]}}})
    index = osb.OpenSearchIndex("http://unused:9200", "postings", 4, client=client)
    [hit] = index.search(Query(text="保洁", vector=V, mode="vector"))
    assert hit.parts == {"vector": pytest.approx(0.8)} and hit.score == pytest.approx(0.8) and hit.document == a
    [hit] = index.search(Query(text="保洁", mode="bm25"))
    assert hit.parts == {"bm25": pytest.approx(0.9 * bodies.BM25_SCALE)}
    client.answers["search"] = {"hits": {"hits": [{**hit_of(a, None), "sort": [1]}]}}
    [hit] = index.search(Query(filters=Filters(valid_on=DAY)))
    assert hit.parts == {} and hit.score == 0.0 and hit.document == a
    [hit] = index.search(Query(filters=Filters(valid_on=DAY), with_documents=False))
    assert hit.id == a.id and hit.document is None


def test_a_cluster_that_cannot_answer_is_unavailable_not_a_crash():
    from opensearchpy.exceptions import ConnectionError as Unreachable

    class Down(Recorder):
        def search(self, *, index, body):
            raise Unreachable("N/A", "connection refused", None)

    index = osb.OpenSearchIndex("http://unused:9200", "postings", 4, client=Down())
    with pytest.raises(SearchIndexUnavailable, match="OpenSearch"):
        index.search(Query(text="保洁", mode="bm25"))


def test_the_dimension_and_feed_cursor_are_read_from_the_index():
    client = Recorder(mapping={**bodies.mapping(64)["mappings"], "_meta": {"feed_cursor": 41}})
    index = osb.OpenSearchIndex("http://unused:9200", "postings", client=client)
    assert index.dimension == 64 and index.feed_cursor == 41
    assert [c[0] for c in client.calls] == ["get_mapping", "get_mapping"]


def test_bad_queries_are_refused_before_any_request():
    index = osb.OpenSearchIndex("http://127.0.0.1:9", "unused", 4, client=object())
    with pytest.raises(InvalidInput):
        index.search(Query(text="保洁", vector=np.zeros(3, np.float32)))


live = pytest.mark.skipif(not OPENSEARCH_URL, reason="OPENSEARCH_URL is not set: no OpenSearch cluster here")


@live
def test_live_cluster_agrees_with_the_embedded_backend(model, docs):
    """On the same corpus the two backends return the same top 10 for hybrid queries (≥ 0.9 overlap)."""
    alias = f"test_{uuid.uuid4().hex[:10]}"
    remote = osb.OpenSearchIndex.fresh(OPENSEARCH_URL, alias, model.dimension)
    local = EmbeddedIndex(model.dimension)
    vectors = model.encode([d.text for d in docs])
    try:
        remote.upsert(docs, vectors)
        remote.save()
        local.upsert(docs, vectors)
        assert remote.count() == local.count()
        overlaps = []
        for q in ("照顾老人", "保洁 日结", "会开叉车", "离家近的保安", "年纪大也能干"):
            query = Query(text=q, vector=model.encode([q])[0], k=10, filters=Filters(valid_on=date(2026, 11, 22)))
            a = {h.id for h in remote.search(query)}
            b = {h.id for h in local.search(query)}
            overlaps.append(len(a & b) / max(1, len(b)))
        assert sum(overlaps) / len(overlaps) >= 0.9, overlaps
        assert remote.delete([docs[0].id]) == 1
    finally:
        remote.client.indices.delete(index=f"{alias}-*", ignore_unavailable=True)
