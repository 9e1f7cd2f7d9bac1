"""Every request body the OpenSearch backend sends, checked against OpenSearch's own published API
specification (``../shared/opensearch-api-spec``, closed against unknown keys: see
``tests/search/opensearch_spec.py``).

The bodies are not written out here: the backend runs its real code paths — a rebuild (create,
bulk, ``_meta``, refresh, alias swap), deletes, the id scan, and searches in every mode with
every filter — against a client that records each request, and each recorded body is checked
against the schema of the operation it was sent to. A request kind this client does not know
fails the test, so a new kind of request cannot go unchecked. The bulk documents are also
checked against the index's own mapping (``dynamic: strict`` refuses an unknown field).

Not sent, so not checked: a ``hybrid`` query and a search pipeline with the normalization
processor. Hybrid search sends its text list first (its hits' embeddings move the k-NN query),
then the k-NN list — or both in one ``_msearch`` without feedback — and fuses them in the
backend, so hits carry their score parts (docs/search.md).
"""

from __future__ import annotations

import json
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from indexer import opensearch as osb
from indexer import opensearch_bodies as bodies
from indexer.protocol import Filters, Query, feedback
from jiuyuan.vocab import PostingKind, Schedule
from tests.search import opensearch_spec as spec
from tests.search.fake_opensearch import hit_of

pytestmark = pytest.mark.skipif(
    not spec.available(), reason=f"OpenSearch's API specification is not at {spec.SPEC}: nothing to check against"
)

DIM = 4
V = np.array([0.6, 0.8, 0.0, 0.0], np.float32)
TEXT_HIT_EMBEDDING = [0.0, 0.0, 1.0, 0.0]
EVERY_FILTER = Filters(
    kinds=(PostingKind.LOVE, PostingKind.GIG),
    region_prefix="4301",
    near=(28.23, 112.94),
    within_km=5.0,
    wage_floor_monthly=Decimal(3000),
    wage_ceiling_monthly=Decimal("5200.50"),
    schedules=(Schedule.DAILY, Schedule.FULL_TIME),
    age=58,
    skills_free_only=True,
    disabled_suitable=True,
    valid_on=date(2026, 11, 22),
    occupations=("保洁员", "养老护理员"),
)
ONE_FILTER_EACH = [
    replace(Filters(), **{f.name: getattr(EVERY_FILTER, f.name)})
    for f in fields(Filters)
    if f.name != "within_km"  # only with near
]
ONE_FILTER_EACH = [f if f.near is None else replace(f, within_km=5.0) for f in ONE_FILTER_EACH]


class Serializer:
    def dumps(self, data) -> str:
        return data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)


class Transport:
    serializer = Serializer()


class Client:
    """opensearch-py's client as the backend and its helpers call it: records ``(operation,
    body)`` and answers just enough to go on."""

    transport = Transport()

    def __init__(self, text_hit=None):
        self.sent: list[tuple[str, object]] = []
        self.indices = Indices(self)
        self.text_hit = text_hit
        """A posting the text list of a hybrid search with feedback finds, so its k-NN body
        carries the moved vector."""

    def bulk(self, body, **_):
        lines = [json.loads(line) for line in body.splitlines() if line]
        self.sent.append(("bulk", lines))
        actions = [line for line in lines if len(line) == 1 and next(iter(line)) in ("index", "delete")]
        return {"errors": False, "items": [{op: {"status": 200}} for a in actions for op in a]}

    def search(self, *, body, index=None, **params):
        self.sent.append(("search", body))
        if "scroll" in params:
            shards = {"total": 1, "successful": 1, "skipped": 0}
            return {"_scroll_id": "s-1", "_shards": shards, "hits": {"hits": [{"_id": "1"}]}}
        if "aggs" in body:  # a facet count, as OpenSearch answers a terms aggregation
            buckets = [{"key": "保洁员", "doc_count": 7}, {"key": "", "doc_count": 2}]
            return {"hits": {"hits": []}, "aggregations": {"occupation": {"buckets": buckets}}}
        if "embedding" in body.get("_source", ()) and self.text_hit is not None:
            return {"hits": {"hits": [hit_of(self.text_hit, 2.0, body["_source"], TEXT_HIT_EMBEDDING)]}}
        return {"hits": {"hits": []}}

    def scroll(self, *, body, **_):
        self.sent.append(("scroll", body))
        return {"_scroll_id": "s-1", "hits": {"hits": []}}

    def clear_scroll(self, *, body, **_):
        self.sent.append(("clear_scroll", body))

    def msearch(self, *, body):
        self.sent.append(("msearch", body))
        return {"responses": [{"hits": {"hits": []}} for _ in body[::2]]}

    def count(self, *, index):
        self.sent.append(("count", None))
        return {"count": 0}


class Indices:
    def __init__(self, client: Client):
        self.client, self.aliases = client, {}

    def _sent(self, operation: str, body=None):
        self.client.sent.append((operation, body))

    def create(self, *, index, body):
        self._sent("indices.create", body)

    def exists_alias(self, *, name):
        self._sent("indices.exists_alias")
        return name in self.aliases

    def put_alias(self, *, index, name):
        self._sent("indices.put_alias")
        self.aliases[name] = [index]

    def get_alias(self, *, name):
        self._sent("indices.get_alias")
        return {i: {"aliases": {name: {}}} for i in self.aliases[name]}

    def update_aliases(self, *, body):
        self._sent("indices.update_aliases", body)

    def delete(self, *, index):
        self._sent("indices.delete")

    def put_mapping(self, *, index, body):
        self._sent("indices.put_mapping", body)

    def refresh(self, *, index):
        self._sent("indices.refresh")

    def get_mapping(self, *, index):
        self._sent("indices.get_mapping")
        return {index: {"mappings": bodies.mapping(DIM)["mappings"]}}


NO_BODY = {"indices.exists_alias", "indices.put_alias", "indices.get_alias", "indices.delete", "indices.refresh"}
NO_BODY |= {"indices.get_mapping", "count"}
SCHEMA = {
    "indices.create": spec.CREATE_INDEX,
    "indices.put_mapping": spec.PUT_MAPPING,
    "indices.update_aliases": spec.UPDATE_ALIASES,
    "search": spec.SEARCH_BODY,
    "scroll": spec.request_body("_core", "scroll"),
    "clear_scroll": spec.request_body("_core", "clear_scroll"),
    "bulk": spec.request_body("_core", "bulk", "application/x-ndjson"),
    "msearch": spec.request_body("_core", "msearch", "application/x-ndjson"),
}


def _check(sent: list[tuple[str, object]], dimension: int = DIM) -> None:
    """Each body against its operation's schema; bulk and msearch line by line too."""
    assert sent
    for operation, body in sent:
        if operation in NO_BODY:
            assert body is None
            continue
        assert spec.errors(SCHEMA[operation], body) == [], (operation, body)
        if operation == "bulk":
            for line in body:
                if len(line) == 1 and next(iter(line)) in ("index", "delete"):
                    assert spec.errors(spec.BULK_ACTION, line) == [], line
                else:
                    _check_against_mapping(line, dimension)
        if operation == "msearch":
            for header, search in zip(body[::2], body[1::2], strict=True):
                assert spec.errors(spec.MSEARCH_HEADER, header) == [], header
                assert spec.errors(spec.MSEARCH_BODY, search) == [], search


def _fits(kind: str, value, prop: dict) -> bool:
    if isinstance(value, list) and kind not in ("knn_vector", "object"):
        return all(_fits(kind, v, prop) for v in value)
    return {
        "text": lambda v: isinstance(v, str),
        "keyword": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "date": lambda v: isinstance(v, str) and date.fromisoformat(v) is not None,
        "geo_point": lambda v: isinstance(v, dict) and set(v) == {"lat", "lon"},
        "knn_vector": lambda v: isinstance(v, list) and len(v) == prop.get("dimension"),
        "object": lambda v: isinstance(v, dict),
    }[kind](value)


def _check_against_mapping(source: dict, dimension: int = DIM) -> None:
    """A bulk document as the index's mapping (``dynamic: strict``) takes it: known fields, right types."""
    properties = bodies.mapping(dimension)["mappings"]["properties"]
    assert set(source) <= set(properties), set(source) - set(properties)
    for name, value in source.items():
        prop = properties[name]
        assert _fits(prop.get("type", "object"), value, prop), (name, value, prop)


def _index(client: Client) -> osb.OpenSearchIndex:
    return osb.OpenSearchIndex("http://unused:9200", "postings", DIM, client=client)


def test_a_rebuild_sends_what_the_api_accepts(docs, monkeypatch):
    """Create (settings and mappings), bulk index lines with their documents, ``_meta`` with
    the feed cursor, refresh, the alias swap; then deletes and the scan of ids."""
    client = Client()
    client.indices.aliases["postings"] = ["postings-old"]
    index = osb.OpenSearchIndex.fresh("http://unused:9200", "postings", DIM, client=client)
    rows = np.random.default_rng(1).normal(size=(20, DIM)).astype(np.float32)
    assert index.upsert(docs[:20], rows) == 20
    index.feed_cursor = 41
    index.save()
    assert index.delete([docs[0].id, docs[1].id]) == 2
    assert index.ids() == {"1"}
    operations = [op for op, _ in client.sent]
    for expected in ("indices.create", "bulk", "indices.put_mapping", "indices.update_aliases", "search", "scroll"):
        assert expected in operations
    bulks = [body for op, body in client.sent if op == "bulk"]
    assert {next(iter(line)) for body in bulks for line in body if len(line) == 1} == {"index", "delete"}
    _check(client.sent)


def test_a_document_without_a_place_wage_or_ages_also_fits_the_mapping(docs):
    doc = replace(docs[0], latitude=None, longitude=None, age_min=None, age_max=None)
    body = bodies.document(doc, V)
    assert "location" not in body and "age_min" not in body
    _check_against_mapping(body)


QUERIES = [
    *(
        pytest.param(Query(text="保洁 日结", vector=V, mode=mode, filters=f), id=f"{mode}-{name}")
        for mode in ("hybrid", "bm25", "vector")
        for name, f in [
            ("none", Filters()),
            ("every-filter", EVERY_FILTER),
            *(
                (next(n.name for n in fields(Filters) if getattr(f, n.name) != getattr(Filters(), n.name)), f)
                for f in ONE_FILTER_EACH
            ),
        ]
    ),
    pytest.param(Query(text="保洁", vector=np.zeros(DIM, np.float32), filters=EVERY_FILTER), id="hybrid-zero-vector"),
    pytest.param(Query(text="保洁", vector=V, collapse_duplicates=False, mode="vector"), id="vector-duplicates-kept"),
    pytest.param(Query(text="保洁", mode="bm25", collapse_duplicates=False, k=50), id="bm25-duplicates-kept"),
    pytest.param(Query(filters=EVERY_FILTER, k=20), id="filters-only"),
]


@pytest.mark.parametrize("query", QUERIES)
def test_every_search_sends_what_the_api_accepts(query, docs):
    client = Client(text_hit=docs[0])
    _index(client).search(query)
    sent = [(op, body) for op, body in client.sent if op != "indices.get_mapping"]
    assert [op for op, _ in sent] in (["search"], ["msearch"], ["search", "search"])
    if len(sent) == 2:  # hybrid with feedback: the k-NN query moved towards the text hit
        vector = sent[1][1]["query"]["knn"]["embedding"]["vector"]
        assert vector == pytest.approx(list(feedback(V, np.array([TEXT_HIT_EMBEDDING]))))
        assert vector[2] > 0
    _check(client.sent)


def test_a_vector_search_without_a_usable_vector_sends_nothing(docs):
    """It finds nothing (``protocol.filters_only``): no filters-only body stands in for it."""
    client = Client(text_hit=docs[0])
    assert _index(client).search(Query(text="保洁", mode="vector", filters=EVERY_FILTER)) == []
    assert [op for op, _ in client.sent if op != "indices.get_mapping"] == []


def test_every_filter_reaches_both_lists_of_a_hybrid_search(docs):
    """The table above is only as good as the filters it sends: each one is in each list's body,
    with feedback (text, then k-NN) and without (one _msearch)."""
    client = Client(text_hit=docs[0])
    _index(client).search(Query(text="保洁", vector=V, filters=EVERY_FILTER))
    (first, text), (second, vector) = client.sent
    assert first == second == "search"
    clauses = bodies.filter_clauses(EVERY_FILTER)
    assert len(clauses) == 13  # two for the age, two for the date, one for each other filter
    assert text["query"]["bool"]["filter"] == clauses
    assert vector["query"]["knn"]["embedding"]["filter"] == {"bool": {"filter": clauses}}
    client = Client()
    _index(client).search(Query(text="保洁", vector=V, filters=EVERY_FILTER, feedback_rows=0))
    [(_, lines)] = client.sent
    bm25, knn = lines[1]["query"], lines[3]["query"]
    assert bm25["bool"]["filter"] == clauses
    assert knn["knn"]["embedding"]["filter"] == {"bool": {"filter": clauses}}


FACETS = [
    pytest.param(Query(text="保洁 日结", filters=EVERY_FILTER), id="text-every-filter"),
    pytest.param(Query(text="想找个活", filters=EVERY_FILTER), id="stop-words-only: filters"),
    pytest.param(Query(filters=Filters(region_prefix="4301")), id="filters-only"),
    pytest.param(Query(text="保洁", vector=V, mode="vector"), id="vector-mode"),
]


@pytest.mark.parametrize("query", FACETS)
def test_every_facet_count_sends_what_the_api_accepts(query):
    """The occupation facet: a terms aggregation without hits, its own filter left out."""
    client = Client()
    counts = _index(client).facets(query)
    [(operation, body)] = [(op, body) for op, body in client.sent if op != "indices.get_mapping"]
    assert operation == "search" and body["size"] == 0 and counts == {"保洁员": 7}
    assert "养老护理员" not in json.dumps(body, ensure_ascii=False)  # the occupation filter left out
    _check(client.sent)


def test_the_check_fails_a_body_the_api_does_not_accept():
    """The check can fail: a misplaced k-NN option, a misspelt key, an unknown mapping option."""
    client = Client()
    _index(client).search(Query(text="保洁", vector=V, mode="vector", filters=EVERY_FILTER))
    [(_, body)] = client.sent
    knn = body["query"]["knn"]["embedding"]
    moved = {**body, "query": {"knn": {"embedding": {**knn, "filters": knn["filter"]}}}}
    assert spec.errors(spec.SEARCH_BODY, moved)
    assert spec.errors(spec.SEARCH_BODY, {**body, "colapse": body["collapse"]})
    misspelt = bodies.facet_body(Query(text="保洁"))
    misspelt["aggs"]["occupation"]["terms"]["sise"] = 5
    assert spec.errors(spec.SEARCH_BODY, misspelt)
    bad = bodies.mapping(DIM)
    bad["mappings"]["properties"]["tokens"]["analyser"] = "whitespace"
    assert spec.errors(spec.CREATE_INDEX, bad)
    with pytest.raises(AssertionError):
        _check_against_mapping({"unknown_field": 1})


def test_an_index_template_of_the_mapping_is_accepted():
    """docs/operations.md: a cluster whose policy wants a template for every index gets this one."""
    template = {"index_patterns": ["jiuyuan-postings-*"], "template": bodies.mapping(128)}
    assert spec.errors(spec.request_body("indices", "indices.put_index_template"), template) == []


def test_jiuyuan_index_rebuild_backend_opensearch(migrated_url, sessions, model_path, tmp_path, monkeypatch, capsys):
    """The operator's command against a cluster (the recording client): every posting in bulk,
    the alias swapped, every body accepted; without OPENSEARCH_URL a clear refusal."""
    import opensearchpy

    from cli.main import main
    from demo.generate import generate
    from demo.load import load

    with sessions.begin() as s:
        load(s, generate(2, 120, 5, date(2026, 11, 22)))
    base = ["--database-url", migrated_url, "index", "rebuild", "--backend", "opensearch", "--quiet"]
    base += ["--model", str(model_path), "--path", str(tmp_path / "index"), "--as-of", "2026-11-22"]
    monkeypatch.delenv("OPENSEARCH_URL", raising=False)
    assert main(base) == 2 and "OPENSEARCH_URL" in capsys.readouterr().err
    client = Client()
    monkeypatch.setattr(opensearchpy, "OpenSearch", lambda hosts, **_: client)
    monkeypatch.setenv("OPENSEARCH_URL", "http://search.test:9200")
    assert main(base) == 0
    written = sum(1 for op, body in client.sent if op == "bulk" for line in body if "index" in line)
    assert written > 0 and f"写入 {written} 条" in capsys.readouterr().out
    assert [op for op, _ in client.sent][-1] == "indices.update_aliases"
    [created] = [body for op, body in client.sent if op == "indices.create"]
    _check(client.sent, created["mappings"]["properties"]["embedding"]["dimension"])
