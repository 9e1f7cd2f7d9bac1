"""The OpenSearch backend (opensearch-py): the engine for a province-wide deployment.

Same semantics as the embedded backend: the ``words`` and ``bigrams`` text fields hold the same
pre-segmented tokens (whitespace analyser, BM25 with the same k1 and b), queried with the same
weighted terms and synonyms (``indexer.text.query_terms``), the vector is a ``knn_vector`` on Lucene
HNSW with cosine similarity, and filters go inside the k-NN query (efficient filtering, before
the top-k) and inside the BM25 query's filter context.

Hybrid search asks for the BM25 and the k-NN sub-query's top ``CANDIDATES`` each (as a hybrid
query's ``pagination_depth``): the text search first, whose best hits' embeddings move the
vector query (``indexer.protocol.feedback``), then the k-NN search (in one ``_msearch`` when
there is no feedback), and fuses them here with the functions ``EmbeddedIndex`` uses
(``indexer.protocol.rank`` and ``collapse``): each list on a 0–1 scale (reciprocal rank or
min-max), the weighted mean, the occupation lift, one posting per duplicate group. A server-side search pipeline
(normalization processor) would fuse alike but return only the fused score, and a hit's
``parts`` — what a clerk reads — must carry the raw and normalised BM25 and vector scores
from either backend. Raw scores are put on the embedded backend's scale (see
``BM25_SCALE`` and ``cosine``). Each posting's document is kept in ``_source``
(``document``, stored, not indexed), so hits carry it as the embedded hits do.

No OpenSearch server can run on our machines: the request bodies are pure functions
(``indexer.opensearch_bodies``), table-tested and checked against OpenSearch's published API
specification, and the conformance suite runs against a live cluster when ``OPENSEARCH_URL`` is set.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import msgspec
import numpy as np

from indexer.documents import PostingDocument
from indexer.opensearch_bodies import (
    BM25_SCALE,
    alias_actions,
    bulk_actions,
    cosine,
    facet_body,
    lists_for,
    mapping,
    search_bodies,
    with_feedback,
)
from indexer.protocol import (
    Hit,
    Query,
    best,
    check_query,
    collapse,
    feedback,
    filters_only,
    named_occupations,
    rank,
)
from jiuyuan.errors import SearchIndexUnavailable

BULK_RETRIES = 3


def _raw(name: str, score: float | None) -> float:
    score = float(score or 0.0)
    return score * BM25_SCALE if name == "bm25" else cosine(score)


def _document(hit: dict[str, Any]) -> PostingDocument:
    return msgspec.convert(hit["_source"]["document"], PostingDocument)


class OpenSearchIndex:
    """Postings in an OpenSearch index behind an alias; the client is created on first use.

    ``OpenSearchIndex(url, alias)`` reads and writes through the alias. ``fresh`` creates a new
    physical index for a rebuild: writes go there, and ``save`` points the alias at it in one
    atomic step (zero downtime)."""

    def __init__(
        self, url: str, alias: str, dimension: int | None = None, *, client=None, write_index: str | None = None
    ):
        self.url, self.alias = url, alias
        self._dimension = dimension
        self._client = client
        self.write_index = write_index or alias
        self._feed_cursor: int | None = None

    @classmethod
    def fresh(cls, url: str, alias: str, dimension: int, *, client=None) -> OpenSearchIndex:
        index = cls(url, alias, dimension, client=client)
        index.write_index = index.create()
        index._feed_cursor = 0
        return index

    @property
    def client(self):
        if self._client is None:
            from opensearchpy import OpenSearch

            self._client = OpenSearch(hosts=[self.url], timeout=30, max_retries=2, retry_on_timeout=True)
        return self._client

    def _mappings(self) -> dict[str, Any]:
        response = self.client.indices.get_mapping(index=self.write_index)
        return next(iter(response.values()))["mappings"]

    @property
    def dimension(self) -> int:
        if self._dimension is None:
            self._dimension = int(self._mappings()["properties"]["embedding"]["dimension"])
        return self._dimension

    @property
    def feed_cursor(self) -> int:
        if self._feed_cursor is None:
            self._feed_cursor = int(self._mappings().get("_meta", {}).get("feed_cursor", 0))
        return self._feed_cursor

    @feed_cursor.setter
    def feed_cursor(self, value: int) -> None:
        self._feed_cursor = value

    def create(self) -> str:
        """A new physical index, pointed to by the alias when none exists yet."""
        name = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.monotonic_ns() % 10**6:06d}"
        self.client.indices.create(index=name, body=mapping(self.dimension))
        if not self.client.indices.exists_alias(name=self.alias):
            self.client.indices.put_alias(index=name, name=self.alias)
        return name

    def swap(self, new_index: str) -> None:
        """Point the alias at ``new_index`` in one atomic step and drop the old ones (zero downtime)."""
        old = (
            list(self.client.indices.get_alias(name=self.alias))
            if self.client.indices.exists_alias(name=self.alias)
            else []
        )
        self.client.indices.update_aliases(body=alias_actions(self.alias, old, new_index))
        for i in old:
            if i != new_index:
                self.client.indices.delete(index=i)

    def upsert(self, documents: list[PostingDocument], vectors: np.ndarray) -> int:
        from opensearchpy import helpers

        vectors = np.asarray(vectors, np.float32)
        if vectors.shape != (len(documents), self.dimension):
            raise ValueError(f"向量形状应为 ({len(documents)}, {self.dimension})，收到 {vectors.shape}")
        written, _ = helpers.bulk(
            self.client,
            bulk_actions(self.write_index, documents, vectors),
            max_retries=BULK_RETRIES,
            initial_backoff=1,
            refresh=self._refresh,
        )
        return written

    def delete(self, ids: list[str]) -> int:
        from opensearchpy import helpers

        actions = ({"_op_type": "delete", "_index": self.write_index, "_id": i} for i in ids)
        written, _ = helpers.bulk(self.client, actions, raise_on_error=False, refresh=self._refresh)
        return written

    @property
    def _refresh(self) -> str | bool:
        """Writes through the alias are searchable when they return; a fresh index is refreshed
        once, by ``save``, before the alias points at it."""
        return "wait_for" if self.write_index == self.alias else False

    def count(self) -> int:
        return int(self.client.count(index=self.write_index)["count"])

    def ids(self) -> set[str]:
        from opensearchpy import helpers

        return {
            h["_id"]
            for h in helpers.scan(
                self.client, index=self.write_index, query={"_source": False, "query": {"match_all": {}}}
            )
        }

    def save(self) -> None:
        """The feed cursor into the index's ``_meta``, a refresh, and for a fresh index the swap."""
        if self._feed_cursor is not None:
            self.client.indices.put_mapping(index=self.write_index, body={"_meta": {"feed_cursor": self._feed_cursor}})
        self.client.indices.refresh(index=self.write_index)
        if self.write_index != self.alias:
            self.swap(self.write_index)
            self.write_index = self.alias

    def _ask(self, request):
        """A search request; a cluster that cannot answer is a 503 (searching unavailable), not a 500."""
        from opensearchpy.exceptions import ConnectionError, TransportError

        try:
            return request()
        except ConnectionError as exc:  # timeouts too
            raise SearchIndexUnavailable(f"检索服务 OpenSearch 无法连接：{exc}") from None
        except TransportError as exc:
            if exc.status_code in (429, 502, 503, 504):
                raise SearchIndexUnavailable(f"检索服务 OpenSearch 暂时无法完成查询：{exc}") from None
            raise

    def search(self, query: Query) -> list[Hit[PostingDocument]]:
        check_query(query, self.dimension)
        if not lists_for(query) and not filters_only(query):  # a text or vector that ranks nothing
            return []
        bodies = search_bodies(query)
        if query.mode == "hybrid" and "filters" not in bodies:
            lists: dict[str, dict[str, float]] = {}
            sources: dict[str, dict[str, Any]] = {}
            for name, response in self._hybrid_responses(query, bodies).items():
                lists[name] = {}
                for h in response["hits"]["hits"]:
                    lists[name][h["_id"]] = _raw(name, h["_score"])
                    sources[h["_id"]] = h
            named = named_occupations(query)
            documents: dict[str, PostingDocument] = {}

            def document(key: str) -> PostingDocument:  # decoded once, and only where needed
                if key not in documents:
                    documents[key] = _document(sources[key])
                return documents[key]

            ranked = rank(lists, query, lifted=lambda key: bool(named) and document(key).occupation in named)
            scored = {key: (score, parts) for key, score, parts in ranked}
            keys = collapse((key for key, _, _ in ranked), query, lambda key: sources[key]["_source"]["duplicate_key"])
            wanted = document if query.with_documents else lambda key: None
            return [Hit(key, scored[key][0], scored[key][1], wanted(key)) for key in keys]
        ((name, body),) = bodies.items()
        response = self._ask(lambda: self.client.search(index=self.alias, body=body))
        decode = _document if query.with_documents else lambda h: None
        if name == "filters":
            return [Hit(h["_id"], 0.0, {}, decode(h)) for h in response["hits"]["hits"]]
        return [
            Hit(h["_id"], _raw(name, h["_score"]), {name: _raw(name, h["_score"])}, decode(h))
            for h in response["hits"]["hits"]
        ]

    def _hybrid_responses(self, query: Query, bodies: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """Each list's search response: both in one ``_msearch``, or, when the text hits move the
        vector query (``with_feedback``), the text search first and the k-NN search with the
        moved vector after it."""
        if with_feedback(query):
            text = self._ask(lambda: self.client.search(index=self.alias, body=bodies["bm25"]))
            hits = text["hits"]["hits"]
            # A hit without its embedding (an index whose _source leaves it out) moves nothing.
            embedding = {h["_id"]: h["_source"]["embedding"] for h in hits if h["_source"].get("embedding")}
            top = best({h["_id"]: h["_score"] for h in hits if h["_id"] in embedding}, query.feedback_rows)
            moved = replace(query, vector=feedback(query.vector, np.array([embedding[key] for key in top])))
            knn = search_bodies(moved)["vector"]
            return {"bm25": text, "vector": self._ask(lambda: self.client.search(index=self.alias, body=knn))}
        lines: list[dict[str, Any]] = []
        for body in bodies.values():
            lines += [{"index": self.alias}, body]
        responses = self._ask(lambda: self.client.msearch(body=lines))["responses"]
        for name, response in zip(bodies, responses, strict=True):
            if "error" in response:
                raise SearchIndexUnavailable(f"检索服务 OpenSearch 的 {name} 子查询失败：{response['error']}")
        return dict(zip(bodies, responses, strict=True))

    def facets(self, query: Query) -> dict[str, int]:
        check_query(query, self.dimension)
        response = self._ask(lambda: self.client.search(index=self.alias, body=facet_body(query)))
        return {b["key"]: b["doc_count"] for b in response["aggregations"]["occupation"]["buckets"] if b["key"]}
