"""The OpenSearch backend (opensearch-py): the engine for a province-wide deployment.

Same semantics as the embedded backend: the text field holds the same pre-segmented tokens
(whitespace analyser, BM25 with the same k1 and b), the vector is a ``knn_vector`` on Lucene
HNSW with cosine similarity, filters go inside the k-NN query (efficient filtering, before
the top-k) and inside the BM25 query's filter context, and hybrid search runs through a
search pipeline whose normalization processor min-max normalises each sub-query and takes
the weighted arithmetic mean — what ``EmbeddedIndex`` does.

No OpenSearch server can run on our machines: the request bodies are tested here as pure
functions, and the conformance suite runs against a live cluster when ``OPENSEARCH_URL`` is set.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from indexer import text
from indexer.documents import PostingDocument
from indexer.protocol import CANDIDATES, Filters, Hit, Query, check_query

BULK_RETRIES = 3


def mapping(dimension: int) -> dict[str, Any]:
    """Index settings and mappings, derived from the embedding dimension."""
    return {
        "settings": {
            "index": {"knn": True, "number_of_shards": 1, "number_of_replicas": 1},
            "similarity": {"default": {"type": "BM25", "k1": 1.2, "b": 0.75}},
        },
        "mappings": {
            "dynamic": "strict",
            "properties": {
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
                "embedding": {
                    "type": "knn_vector", "dimension": dimension,
                    "method": {"name": "hnsw", "space_type": "cosinesimil", "engine": "lucene",
                               "parameters": {"m": 16, "ef_construction": 128}},
                },
            },
        },
    }


def document(doc: PostingDocument, vector: np.ndarray) -> dict[str, Any]:
    code = doc.region_code
    body: dict[str, Any] = {
        "tokens": " ".join(text.tokens(doc.text)),
        "title": " ".join(text.tokens(doc.title)),
        "kind": doc.kind.value, "schedule": doc.schedule.value,
        "regions": sorted({code[:2], code[:4], code}),
        "skills_free": not doc.skills_required, "disabled_suitable": doc.disabled_suitable,
        "valid_from": doc.valid_from.isoformat(), "valid_until": doc.valid_until.isoformat(),
        "duplicate_key": doc.duplicate_key,
        "embedding": [float(x) for x in vector],
    }
    if doc.latitude is not None and doc.longitude is not None:
        body["location"] = {"lat": doc.latitude, "lon": doc.longitude}
    for name, value in (("wage_min", doc.monthly_wage_min), ("wage_max", doc.monthly_wage_max),
                        ("age_min", doc.age_min), ("age_max", doc.age_max)):
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
            clauses.append({"bool": {"should": [{"range": {field: {op: f.age}}},
                                                {"bool": {"must_not": {"exists": {"field": field}}}}],
                                     "minimum_should_match": 1}})
    if f.skills_free_only:
        clauses.append({"term": {"skills_free": True}})
    if f.disabled_suitable:
        clauses.append({"term": {"disabled_suitable": True}})
    if f.valid_on is not None:
        day = f.valid_on.isoformat()
        clauses.append({"range": {"valid_from": {"lte": day}}})
        clauses.append({"range": {"valid_until": {"gte": day}}})
    if f.near is not None:
        clauses.append({"geo_distance": {"distance": f"{f.within_km}km",
                                         "location": {"lat": f.near[0], "lon": f.near[1]}}})
    return clauses


def _bm25(query: Query, filters: list[dict]) -> dict[str, Any]:
    return {"bool": {"must": {"match": {"tokens": " ".join(text.tokens(query.text))}}, "filter": filters}}


def _knn(query: Query, filters: list[dict], k: int) -> dict[str, Any]:
    knn: dict[str, Any] = {"vector": [float(x) for x in np.asarray(query.vector)], "k": k}
    if filters:
        knn["filter"] = {"bool": {"filter": filters}}
    return {"knn": {"embedding": knn}}


def pipeline_name(text_weight: float) -> str:
    return f"jiuyuan-hybrid-{round(text_weight * 100):03d}"


def pipeline(text_weight: float) -> dict[str, Any]:
    return {"description": "就援 hybrid search: min-max normalisation, weighted arithmetic mean",
            "phase_results_processors": [{"normalization-processor": {
                "normalization": {"technique": "min_max"},
                "combination": {"technique": "arithmetic_mean",
                                "parameters": {"weights": [text_weight, round(1 - text_weight, 4)]}}}}]}


def search_body(query: Query) -> tuple[dict[str, Any], str | None]:
    """The request body for a query, and the search pipeline it needs (hybrid only)."""
    filters = filter_clauses(query.filters)
    body: dict[str, Any] = {"size": query.k, "_source": False}
    if query.collapse_duplicates:
        body["collapse"] = {"field": "duplicate_key"}
    has_text, has_vector = bool(query.text.strip()), query.vector is not None
    if query.mode == "hybrid" and has_text and has_vector:
        body["query"] = {"hybrid": {"pagination_depth": CANDIDATES,
                                    "queries": [_bm25(query, filters), _knn(query, filters, CANDIDATES)]}}
        return body, pipeline_name(query.text_weight)
    if query.mode in ("vector", "hybrid") and has_vector:
        body["query"] = _knn(query, filters, query.k)
    elif has_text:
        body["query"] = _bm25(query, filters)
    else:
        body["query"] = {"bool": {"filter": filters}}
        body["sort"] = [{"valid_from": "desc"}]
    return body, None


class OpenSearchIndex:
    """Postings in an OpenSearch index behind an alias; the client is created on first use."""

    def __init__(self, url: str, alias: str, dimension: int, *, client=None):
        self.url, self.alias, self.dimension = url, alias, dimension
        self._client = client
        self._pipelines: set[str] = set()

    @property
    def client(self):
        if self._client is None:
            from opensearchpy import OpenSearch

            self._client = OpenSearch(hosts=[self.url], timeout=30, max_retries=2, retry_on_timeout=True)
        return self._client

    def create(self) -> str:
        """A new physical index, pointed to by the alias when none exists yet."""
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 10**6:06d}"
        self.client.indices.create(index=name, body=mapping(self.dimension))
        if not self.client.indices.exists_alias(name=self.alias):
            self.client.indices.put_alias(index=name, name=self.alias)
        return name

    def swap(self, new_index: str) -> None:
        """Point the alias at ``new_index`` in one atomic step and drop the old ones (zero downtime)."""
        old = list(self.client.indices.get_alias(name=self.alias)) if self.client.indices.exists_alias(
            name=self.alias) else []
        actions = [{"remove": {"index": i, "alias": self.alias}} for i in old]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        self.client.indices.update_aliases(body={"actions": actions})
        for i in old:
            if i != new_index:
                self.client.indices.delete(index=i)

    def upsert(self, documents: list[PostingDocument], vectors: np.ndarray, *, index: str | None = None) -> int:
        from opensearchpy import helpers

        vectors = np.asarray(vectors, np.float32)
        if vectors.shape != (len(documents), self.dimension):
            raise ValueError(f"向量形状应为 ({len(documents)}, {self.dimension})，收到 {vectors.shape}")
        actions = ({"_op_type": "index", "_index": index or self.alias, "_id": d.id, "_source": document(d, v)}
                   for d, v in zip(documents, vectors, strict=True))
        written, _ = helpers.bulk(self.client, actions, max_retries=BULK_RETRIES, initial_backoff=1,
                                  refresh="wait_for")
        return written

    def delete(self, ids: list[str]) -> int:
        from opensearchpy import helpers

        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids)
        written, errors = helpers.bulk(self.client, actions, raise_on_error=False, refresh="wait_for")
        return written

    def count(self) -> int:
        return int(self.client.count(index=self.alias)["count"])

    def search(self, query: Query) -> list[Hit]:
        check_query(query, self.dimension)
        body, pipe = search_body(query)
        params = {}
        if pipe:
            if pipe not in self._pipelines:
                self.client.transport.perform_request("PUT", f"/_search/pipeline/{pipe}",
                                                      body=pipeline(query.text_weight))
                self._pipelines.add(pipe)
            params["search_pipeline"] = pipe
        response = self.client.search(index=self.alias, body=body, params=params)
        part = "hybrid" if pipe else ("vector" if "knn" in body["query"] else "bm25")
        return [Hit(h["_id"], float(h["_score"] or 0.0), {part: float(h["_score"] or 0.0)})
                for h in response["hits"]["hits"]]
