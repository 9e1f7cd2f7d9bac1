"""The request bodies the OpenSearch backend (``indexer.opensearch``) sends, as pure functions:
the index's settings and mappings, each posting's document, bulk and alias actions, the filters,
the searches in each mode and the occupation facet count. No OpenSearch server can run on our
machines: each body is table-tested and checked against OpenSearch's published API specification
(``tests/search/test_opensearch_spec.py``).

The text fields ``words`` and ``bigrams`` hold the embedded backend's pre-segmented tokens
(whitespace analyser, BM25 with the same k1 and b), queried with the same weighted terms and
synonyms (``indexer.text.query_terms``); the vector is a ``knn_vector`` on Lucene HNSW with cosine
similarity; filters go inside the k-NN query (efficient filtering, before the top-k) and inside
the BM25 query's filter context.
"""

from __future__ import annotations

from typing import Any

import msgspec
import numpy as np

from indexer import text
from indexer.documents import PostingDocument
from indexer.embedded import FIELD_WEIGHTS, K1
from indexer.protocol import CANDIDATES, Filters, Query, depth, usable_vector, without_occupations

# Lucene's BM25 (since Lucene 8) leaves out the constant (k1 + 1) factor of the textbook
# formula the embedded backend computes; ranking is the same, the raw value k1 + 1 times smaller.
BM25_SCALE = K1 + 1


def mapping(dimension: int) -> dict[str, Any]:
    """Index settings and mappings, derived from the embedding dimension."""
    return {
        "settings": {
            # Text is scored by OpenSearch's default similarity, BM25 with k1 = 1.2 and b = 0.75
            # (Lucene's defaults): the K1 and B the embedded backend uses.
            "index": {"knn": True, "number_of_shards": 1, "number_of_replicas": 1},
        },
        "mappings": {
            "dynamic": "strict",
            "_meta": {"feed_cursor": 0},
            "properties": {
                "document": {"type": "object", "enabled": False},  # kept in _source, not indexed
                # The embedded backend's two BM25 fields (indexer.text.FIELDS), pre-segmented here
                # and split on spaces there; synonyms are added to the query, weighted (_bm25).
                "words": {"type": "text", "analyzer": "whitespace"},
                "bigrams": {"type": "text", "analyzer": "whitespace"},
                "tokens": {"type": "text", "analyzer": "whitespace"},
                "title": {"type": "text", "analyzer": "whitespace"},
                "kind": {"type": "keyword"},
                "schedule": {"type": "keyword"},
                "regions": {"type": "keyword"},
                "location": {"type": "geo_point"},
                "wage_min": {"type": "float"},
                "wage_max": {"type": "float"},
                "age_min": {"type": "integer"},
                "age_max": {"type": "integer"},
                "skills_free": {"type": "boolean"},
                "disabled_suitable": {"type": "boolean"},
                "valid_from": {"type": "date", "format": "yyyy-MM-dd"},
                "valid_until": {"type": "date", "format": "yyyy-MM-dd"},
                "duplicate_key": {"type": "keyword"},
                "occupation": {"type": "keyword"},  # indexer.occupations: a filter and a facet
                "embedding": {
                    "type": "knn_vector",
                    "dimension": dimension,
                    "method": {
                        "name": "hnsw",
                        "space_type": "cosinesimil",
                        "engine": "lucene",
                        "parameters": {"m": 16, "ef_construction": 128},
                    },
                },
            },
        },
    }


def document(doc: PostingDocument, vector: np.ndarray) -> dict[str, Any]:
    code = doc.region_code
    body: dict[str, Any] = {
        **text.joined(doc.text),
        "tokens": " ".join(text.tokens(doc.text)),
        "title": " ".join(text.tokens(doc.title)),
        "kind": doc.kind.value,
        "schedule": doc.schedule.value,
        "regions": sorted({code[:2], code[:4], code}),
        "skills_free": not doc.skills_required,
        "disabled_suitable": doc.disabled_suitable,
        "valid_from": doc.valid_from.isoformat(),
        "valid_until": doc.valid_until.isoformat(),
        "duplicate_key": doc.duplicate_key,
        "occupation": doc.occupation,
        "embedding": [float(x) for x in vector],
        "document": msgspec.to_builtins(doc),
    }
    if doc.latitude is not None and doc.longitude is not None:
        body["location"] = {"lat": doc.latitude, "lon": doc.longitude}
    for name, value in (
        ("wage_min", doc.monthly_wage_min),
        ("wage_max", doc.monthly_wage_max),
        ("age_min", doc.age_min),
        ("age_max", doc.age_max),
    ):
        if value is not None:
            body[name] = float(value) if name.startswith("wage") else value
    return body


def filter_clauses(f: Filters) -> list[dict[str, Any]]:
    """The filters as OpenSearch filter clauses (a pure translation, table-tested)."""
    clauses: list[dict[str, Any]] = []
    if f.kinds:
        clauses.append({"terms": {"kind": [k.value for k in f.kinds]}})
    if f.schedules:
        clauses.append({"terms": {"schedule": [s.value for s in f.schedules]}})
    if f.region_prefix:
        clauses.append({"term": {"regions": f.region_prefix}})
    if f.wage_floor_monthly is not None:
        clauses.append({"range": {"wage_max": {"gte": float(f.wage_floor_monthly)}}})
    if f.wage_ceiling_monthly is not None:
        clauses.append({"range": {"wage_min": {"lte": float(f.wage_ceiling_monthly)}}})
    if f.age is not None:  # no limit stored (love posts): no bound
        for field, op in (("age_min", "lte"), ("age_max", "gte")):
            clauses.append(
                {
                    "bool": {
                        "should": [
                            {"range": {field: {op: f.age}}},
                            {"bool": {"must_not": {"exists": {"field": field}}}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
    if f.occupations:
        clauses.append({"terms": {"occupation": list(f.occupations)}})
    if f.skills_free_only:
        clauses.append({"term": {"skills_free": True}})
    if f.disabled_suitable:
        clauses.append({"term": {"disabled_suitable": True}})
    if f.valid_on is not None:
        day = f.valid_on.isoformat()
        clauses.append({"range": {"valid_from": {"lte": day}}})
        clauses.append({"range": {"valid_until": {"gte": day}}})
    if f.near is not None:
        clauses.append(
            {"geo_distance": {"distance": f"{f.within_km}km", "location": {"lat": f.near[0], "lon": f.near[1]}}}
        )
    return clauses


def cosine(score: float) -> float:
    """The cosine similarity behind a k-NN score: Lucene's ``cosinesimil`` scores (1 + cos) / 2."""
    return 2 * score - 1


def _bm25(query: Query, filters: list[dict]) -> dict[str, Any]:
    """One ``term`` clause per field and query term, boosted by the field's weight times the
    term's (typed 1.0, a synonym below): Lucene sums the clauses' boost × BM25, the sum the
    embedded backend computes (``EmbeddedIndex._bm25``), so both rank alike. Query-time
    expansion from the one lexicon file, as a ``synonym_graph`` filter would, with weights."""
    should = [
        {"term": {field: {"value": term, "boost": round(FIELD_WEIGHTS[field] * weight, 6)}}}
        for field, weighted in text.query_terms(query.text).items()
        if FIELD_WEIGHTS.get(field)
        for term, weight in weighted.items()
    ]
    return {"bool": {"should": should, "minimum_should_match": 1, "filter": filters}}


def _knn(query: Query, filters: list[dict], k: int) -> dict[str, Any]:
    knn: dict[str, Any] = {"vector": [float(x) for x in np.asarray(query.vector)], "k": k}
    if filters:
        knn["filter"] = {"bool": {"filter": filters}}
    return {"knn": {"embedding": knn}}


def lists_for(query: Query) -> list[str]:
    """The scored lists a query asks for (none: filters only), as ``EmbeddedIndex.search`` decides."""
    wanted = []
    if query.mode in ("bm25", "hybrid") and query.text.strip():
        wanted.append("bm25")
    if query.mode in ("vector", "hybrid") and usable_vector(query):
        wanted.append("vector")
    return wanted


def with_feedback(query: Query) -> bool:
    """Whether a hybrid query's vector list waits for its text list (``protocol.feedback``): the
    two are then sent one after the other, not together."""
    return query.mode == "hybrid" and query.feedback_rows > 0 and lists_for(query) == ["bm25", "vector"]


def search_bodies(query: Query) -> dict[str, dict[str, Any]]:
    """The request bodies for a query, by list: ``{"bm25": …, "vector": …}`` for hybrid (sent
    together in one ``_msearch``, or the text first when ``with_feedback``, and fused here), one body for the bm25 or vector mode, or one
    ``{"filters": …}`` body (newest first) when there is nothing to score by. Pure: table-tested."""
    filters = filter_clauses(query.filters)
    lists = lists_for(query)
    if query.mode == "hybrid" and lists:
        # Each list's top candidates; fusion and collapsing happen after, over both lists.
        subs = {"bm25": lambda: _bm25(query, filters), "vector": lambda: _knn(query, filters, CANDIDATES)}
        bodies = {
            name: {"size": CANDIDATES, "_source": ["document", "duplicate_key"], "query": subs[name]()}
            for name in lists
        }
        if with_feedback(query):  # the text hits' vectors move the vector query (protocol.feedback)
            bodies["bm25"]["_source"].append("embedding")
        return bodies
    body: dict[str, Any] = {"size": query.k, "_source": ["document"]}
    if query.collapse_duplicates:
        body["collapse"] = {"field": "duplicate_key"}
    if not lists:
        body["query"] = {"bool": {"filter": filters}}
        body["sort"] = [{"valid_from": "desc"}]
        return {"filters": body}
    (name,) = lists
    body["query"] = _bm25(query, filters) if name == "bm25" else _knn(query, filters, depth(query))
    return {name: body}


FACET_SIZE = 200
"""More buckets than the table has occupations: every one is counted."""


def facet_body(query: Query) -> dict[str, Any]:
    """The request body of ``facets``: no hits, a ``terms`` aggregation on ``occupation`` over
    the postings holding a word of the text or a synonym (``text.facet_terms``) and passing the
    filters but the occupation filter (``protocol.without_occupations``). Pure: validated against
    the spec."""
    counted = without_occupations(query)
    filters = filter_clauses(counted.filters)
    terms = text.facet_terms(counted.text)
    matched: dict[str, Any] = {"bool": {"filter": filters}}
    if terms:
        matched["bool"] |= {"should": [{"term": {"words": t}} for t in terms], "minimum_should_match": 1}
    return {
        "size": 0,
        "track_total_hits": False,
        "query": matched,
        "aggs": {"occupation": {"terms": {"field": "occupation", "size": FACET_SIZE, "min_doc_count": 1}}},
    }


def bulk_actions(index: str, documents: list[PostingDocument], vectors: np.ndarray):
    """The bulk ``index`` actions (duplicate policy: overwrite by id), as opensearch-py's helpers take them."""
    return (
        {"_op_type": "index", "_index": index, "_id": d.id, "_source": document(d, v)}
        for d, v in zip(documents, vectors, strict=True)
    )


def alias_actions(alias: str, old: list[str], new_index: str) -> dict[str, Any]:
    """The one ``_aliases`` request that moves the alias from the old indexes to the new one."""
    actions: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias}} for i in old]
    actions.append({"add": {"index": new_index, "alias": alias}})
    return {"actions": actions}
