"""The OpenSearch backend: request bodies as pure functions (always), and the conformance of
a live cluster when OPENSEARCH_URL is set (no OpenSearch server can be installed here)."""

from __future__ import annotations

import os
import uuid
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from jiuyuan.errors import InvalidInput
from indexer import opensearch as osb
from indexer.embedded import EmbeddedIndex
from indexer.model import encode
from indexer.protocol import Filters, Query
from jiuyuan.vocab import PostingKind, Schedule

OPENSEARCH_URL = os.environ.get("OPENSEARCH_URL")


@pytest.mark.parametrize(
    ("filters", "clauses"),
    [
        (Filters(kinds=(PostingKind.LOVE, PostingKind.GIG)), [{"terms": {"kind": ["love", "gig"]}}]),
        (Filters(schedules=(Schedule.DAILY,)), [{"terms": {"schedule": ["daily"]}}]),
        (Filters(region_prefix="4301"), [{"term": {"regions": "4301"}}]),
        (Filters(wage_floor_monthly=Decimal(3000), wage_ceiling_monthly=Decimal(5000)),
         [{"range": {"wage_max": {"gte": 3000.0}}}, {"range": {"wage_min": {"lte": 5000.0}}}]),
        (Filters(skills_free_only=True, disabled_suitable=True),
         [{"term": {"skills_free": True}}, {"term": {"disabled_suitable": True}}]),
        (Filters(valid_on=date(2026, 11, 22)),
         [{"range": {"valid_from": {"lte": "2026-11-22"}}}, {"range": {"valid_until": {"gte": "2026-11-22"}}}]),
        (Filters(near=(28.23, 112.94), within_km=5.0),
         [{"geo_distance": {"distance": "5.0km", "location": {"lat": 28.23, "lon": 112.94}}}]),
        (Filters(age=58), [
            {"bool": {"should": [{"range": {"age_min": {"lte": 58}}},
                                 {"bool": {"must_not": {"exists": {"field": "age_min"}}}}], "minimum_should_match": 1}},
            {"bool": {"should": [{"range": {"age_max": {"gte": 58}}},
                                 {"bool": {"must_not": {"exists": {"field": "age_max"}}}}], "minimum_should_match": 1}},
        ]),
        (Filters(), []),
    ],
)
def test_filter_translation(filters, clauses):
    assert osb.filter_clauses(filters) == clauses


def test_mapping_follows_the_embedding_dimension():
    m = osb.mapping(128)
    emb = m["mappings"]["properties"]["embedding"]
    assert emb["dimension"] == 128 and emb["method"]["space_type"] == "cosinesimil"
    assert m["settings"]["index"]["knn"] is True
    assert m["mappings"]["properties"]["tokens"]["analyzer"] == "whitespace"


def test_documents_carry_the_same_tokens_as_the_embedded_index(docs):
    from indexer import text

    body = osb.document(docs[0], np.ones(4, np.float32))
    assert body["tokens"].split() == text.tokens(docs[0].text)
    assert body["regions"] == sorted({docs[0].region_code[:2], docs[0].region_code[:4], docs[0].region_code})
    assert "id_number" not in body and "name" not in body


def test_hybrid_body_filters_inside_both_subqueries_and_names_its_pipeline():
    q = Query(text="保洁", vector=np.zeros(4, np.float32), k=7,
              filters=Filters(kinds=(PostingKind.LOVE,)), text_weight=0.3)
    body, pipe = osb.search_body(q)
    bm25, knn = body["query"]["hybrid"]["queries"]
    assert bm25["bool"]["filter"] == [{"terms": {"kind": ["love"]}}]
    assert knn["knn"]["embedding"]["filter"] == {"bool": {"filter": [{"terms": {"kind": ["love"]}}]}}
    assert body["size"] == 7 and pipe == "jiuyuan-hybrid-030"
    weights = osb.pipeline(0.3)["phase_results_processors"][0]["normalization-processor"]["combination"]
    assert weights == {"technique": "arithmetic_mean", "parameters": {"weights": [0.3, 0.7]}}


def test_single_mode_bodies():
    vector_body, pipe = osb.search_body(Query(text="保洁", vector=np.zeros(4, np.float32), mode="vector", k=3))
    assert "knn" in vector_body["query"] and pipe is None
    bm25_body, _ = osb.search_body(Query(text="清洁工", mode="bm25"))
    assert bm25_body["query"]["bool"]["must"]["match"]["tokens"] == "保洁"


def test_bad_queries_are_refused_before_any_request():
    index = osb.OpenSearchIndex("http://127.0.0.1:9", "unused", 4, client=object())
    with pytest.raises(InvalidInput):
        index.search(Query(text="保洁", vector=np.zeros(3, np.float32)))


live = pytest.mark.skipif(not OPENSEARCH_URL, reason="OPENSEARCH_URL is not set: no OpenSearch cluster here")


@live
def test_live_cluster_agrees_with_the_embedded_backend(model, docs):
    """On the same corpus the two backends return the same top 10 for hybrid queries (≥ 0.9 overlap)."""
    alias = f"test_{uuid.uuid4().hex[:10]}"
    remote = osb.OpenSearchIndex(OPENSEARCH_URL, alias, model.get_embedding_dimension())
    local = EmbeddedIndex(model.get_embedding_dimension())
    vectors = encode(model, [d.text for d in docs])
    name = remote.create()
    try:
        remote.upsert(docs, vectors, index=name)
        local.upsert(docs, vectors)
        assert remote.count() == local.count()
        overlaps = []
        for q in ("照顾老人", "保洁 日结", "会开叉车", "离家近的保安", "年纪大也能干"):
            query = Query(text=q, vector=encode(model, [q])[0], k=10, filters=Filters(valid_on=date(2026, 11, 22)))
            a = {h.id for h in remote.search(query)}
            b = {h.id for h in local.search(query)}
            overlaps.append(len(a & b) / max(1, len(b)))
        assert sum(overlaps) / len(overlaps) >= 0.9, overlaps
        assert remote.delete([docs[0].id]) == 1
    finally:
        remote.client.indices.delete(index=name)
