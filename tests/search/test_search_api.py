"""The search routes over a built index: ranked postings, typeahead, Chinese errors, 503 without an index.

Each app is built over its own settings (its own index folder, the run's model): no state is
shared between tests."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from cli.main import main
from indexer.protocol import DEFAULT_TEXT_WEIGHT, OCCUPATION_BOOST
from jiuyuan.settings import DatabaseSettings, SearchSettings, Settings
from tests.conftest import bearer


@pytest.fixture
def client(tmp_path, model_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    search = SearchSettings(
        index_dir=tmp_path / "index",
        model_dir=model_path,  # the run's model (tests/conftest.py)
        ranker_path=tmp_path / "ranker.json",
    )
    assert (
        main(
            [
                "--database-url",
                url,
                "demo",
                "--postings",
                "800",
                "--persons",
                "10",
                "--seed",
                "4",
                "--as-of",
                "2026-11-22",
                "--quiet",
            ]
        )
        == 0
    )
    with TestClient(create_app(Settings(db=DatabaseSettings(url=url), search=search))) as c:
        c.headers.update(bearer(url))
        yield c, url, search


def _rebuild(url, search):
    assert (
        main(
            [
                "--database-url",
                url,
                "index",
                "rebuild",
                "--path",
                str(search.index_dir),
                "--model",
                str(search.model_dir),
                "--as-of",
                "2026-11-22",
                "--quiet",
            ]
        )
        == 0
    )


def test_no_index_is_a_503_problem(client):
    c, _, _ = client
    r = c.get("/search/postings", params={"q": "保洁"})
    assert r.status_code == 503 and "jiuyuan index rebuild" in r.json()["detail"]


def test_a_worker_loads_its_search_state_as_it_starts_not_at_the_first_request(client):
    """services.search.warm: the app above started with no index (warned, serving, 503 to a
    search); once the index is built, a new worker has it loaded before it takes a request."""
    c, url, search = client
    assert c.app.state.search._current is None and c.get("/health").status_code == 200
    _rebuild(url, search)
    with TestClient(create_app(Settings(db=DatabaseSettings(url=url), search=search), follow=False)) as fresh:
        loaded = fresh.app.state.search._current
        assert loaded is not None and loaded[1].backend.count() > 0  # before any request
        fresh.headers.update(bearer(url))
        assert fresh.get("/search/postings", params={"q": "保洁", "valid_on": "2026-11-22"}).status_code == 200
        assert fresh.app.state.search._current is loaded  # the request took the snapshot loaded at start


def test_search_and_suggest(client):
    c, url, search = client
    _rebuild(url, search)
    body = c.get("/search/postings", params={"q": "照顾老人", "valid_on": "2026-11-22", "k": 5}).json()
    assert len(body["hits"]) == 5 and all("养老护理员" in h["posting"]["title"] for h in body["hits"])
    assert {"bm25", "vector"} <= body["hits"][0]["parts"].keys()
    # the search box fuses by reciprocal rank at the judged benchmark's text weight, and lifts the
    # postings of the occupation the words name (照顾老人 → 养老护理员)
    w = DEFAULT_TEXT_WEIGHT
    for hit in body["hits"]:
        parts = hit["parts"]
        shares = [parts.get(f"{name}_normalised", 0.0) for name in ("bm25", "vector")]
        assert parts["occupation"] == OCCUPATION_BOOST
        assert hit["score"] == pytest.approx(w * shares[0] + (1 - w) * shares[1] + OCCUPATION_BOOST)
        assert all(s == 0.0 or abs(61 / s - 60 - round(61 / s - 60)) < 1e-6 for s in shares)  # 61 / (60 + rank)
    love = c.get("/search/postings", params={"q": "保洁", "kind": "love", "valid_on": "2026-11-22"}).json()
    assert love["hits"] and all(h["posting"]["kind"] == "love" for h in love["hits"])
    city = c.get("/search/postings", params={"q": "保洁", "region": "430100", "valid_on": "2026-11-22"}).json()
    assert city["hits"] and all(h["posting"]["region_code"].startswith("4301") for h in city["hits"])
    nan = c.get("/search/postings", params={"q": "保洁", "wage_floor": "NaN"})
    assert nan.status_code in (400, 422)
    assert c.get("/search/suggest", params={"q": "bj"}).json()[0].startswith("保洁")
    bad = c.get("/search/postings", params={"q": "保洁", "wage_floor": "5000", "wage_ceiling": "3000"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "wage_ceiling"
    region = c.get("/search/postings", params={"q": "保洁", "region": "999999"})
    assert region.status_code == 422 and region.json()["errors"][0]["field"] == "region"
    # A place is a point and a distance, wages are yuan to the fen: refused, naming what was sent.
    for params, field in [
        ({"lat": "28.2"}, "lon"),
        ({"lat": "28.2", "lon": "113"}, "within_km"),
        ({"within_km": "5"}, "within_km"),
        ({"wage_ceiling": "-5"}, "wage_ceiling"),
        ({"wage_floor": "1e5"}, "wage_floor"),
        ({"wage_floor": "1000.123"}, "wage_floor"),
    ]:
        refused = c.get("/search/postings", params={"q": "保洁", **params})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, (params, refused.text)
    for params in (
        {"lat": "28.2", "lon": "113", "within_km": "NaN"},
        {"lat": "28.2", "lon": "113", "within_km": "inf"},
    ):
        assert c.get("/search/postings", params={"q": "保洁", **params}).status_code == 400, params
    near = {"lat": "28.2", "lon": "113", "within_km": "30", "valid_on": "2026-11-22"}
    assert c.get("/search/postings", params={"q": "保洁", **near}).status_code == 200
    # No words: the postings valid today (the route always filters by date), newest first.
    assert c.get("/search/postings", params={"valid_on": "2026-11-22"}).json()["hits"]


def test_a_clerks_word_maps_to_an_occupation_to_filter_and_count_by(client):
    """Issue 18: "a clerk's word maps to a standard occupation, and the occupation is a filter and
    a facet" (indexer/occupations.py)."""
    c, url, search = client
    _rebuild(url, search)
    assert c.get("/occupations", params={"q": "想找扫地的活"}).json() == [
        {"title": "保洁员", "group": 4, "group_name": "社会生产服务和生活服务人员"}
    ]
    assert len(c.get("/occupations").json()) >= 80
    day = {"valid_on": "2026-11-22"}
    asked = c.get("/search/postings", params={"q": "扫地", "facets": "true", **day}).json()
    assert asked["named_occupations"] == ["保洁员"]
    facets = {f["title"]: f["count"] for f in asked["occupation_facets"]}
    assert facets.get("保洁员", 0) > 0 and list(facets.values()) == sorted(facets.values(), reverse=True)
    only = c.get("/search/postings", params={"q": "扫地", "occupation": "保洁员", "facets": "true", "k": 50, **day})
    hits = only.json()["hits"]
    assert hits and all(h["occupation"] == "保洁员" for h in hits)
    assert {f["title"]: f["count"] for f in only.json()["occupation_facets"]} == facets  # its own filter not counted
    assert c.get("/search/postings", params={"q": "扫地", **day}).json()["occupation_facets"] is None  # only when asked
    wrong = c.get("/search/postings", params={"q": "扫地", "occupation": "扫地", **day})
    assert wrong.status_code == 422 and "“保洁员”" in wrong.json()["errors"][0]["message"]


def test_a_rebuild_and_a_new_model_are_picked_up_together(client, model_path, tmp_path):
    """The app reloads its snapshot when the index or the model folder changes; a model of
    another dimension with the old index is a 503 (never a search pairing the wrong two)."""
    from indexer.training import train

    c, url, search = client
    _rebuild(url, search)
    params = {"q": "保洁", "valid_on": "2026-11-22", "k": 3}
    assert c.get("/search/postings", params=params).status_code == 200
    other = tmp_path / "model-32"
    train([("保洁员", "打扫卫生"), ("保安员", "看门巡逻")] * 20, other, dim=32, progress=False)
    moved = SearchSettings(index_dir=search.index_dir, model_dir=other, ranker_path=search.ranker_path)
    with TestClient(create_app(Settings(db=DatabaseSettings(url=url), search=moved))) as c2:
        c2.headers.update(bearer(url))
        mismatch = c2.get("/search/postings", params=params)
        assert mismatch.status_code == 503 and "维度不一致" in mismatch.json()["detail"]
        _rebuild(url, moved)  # the index rebuilt with the new model: served at once
        assert c2.get("/search/postings", params=params).status_code == 200


def test_an_app_configured_for_opensearch_searches_the_cluster(tmp_path, model_path, monkeypatch):
    """JIUYUAN_SEARCH_BACKEND=opensearch: the app asks the cluster at OPENSEARCH_URL (here a recording
    stand-in for opensearch-py's client) through the alias, and answers with the same parts as
    the embedded backend, the ledger having the last word."""
    import opensearchpy
    from sqlalchemy import select
    from sqlalchemy.orm import joinedload

    from indexer import opensearch_bodies as bodies
    from indexer.documents import from_posting
    from jiuyuan.vocab import PostingStatus
    from ledger import db
    from ledger.models import JobPosting
    from tests.search.fake_opensearch import Recorder, hit_of

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert (
        main(
            [
                "--database-url",
                url,
                "demo",
                "--postings",
                "60",
                "--persons",
                "5",
                "--seed",
                "4",
                "--as-of",
                "2026-11-22",
                "--quiet",
            ]
        )
        == 0
    )
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        rows = s.scalars(
            select(JobPosting)
            .options(joinedload(JobPosting.employer))
            .order_by(JobPosting.id)
            .where(JobPosting.status == PostingStatus.OPEN)
            .limit(3)
        ).all()
        a, b, closed = (from_posting(p) for p in rows)
        s.get(JobPosting, rows[2].id).status = PostingStatus.FILLED  # closed since the index was built
        s.commit()
    engine.dispose()
    fused, with_embedding = ("document", "duplicate_key"), ("document", "duplicate_key", "embedding")
    text_hits = [
        hit_of(doc, score, with_embedding, [1.0] + [0.0] * 63) for doc, score in ((a, 3.0), (closed, 2.0), (b, 1.0))
    ]
    cluster = Recorder(
        {"search": [{"hits": {"hits": text_hits}}, {"hits": {"hits": [hit_of(b, 0.9, fused), hit_of(a, 0.7, fused)]}}]},
        mapping=bodies.mapping(64)["mappings"],
    )
    made = []
    monkeypatch.setattr(opensearchpy, "OpenSearch", lambda hosts, **_: made.append(hosts) or cluster)
    search = SearchSettings(
        backend="opensearch",
        opensearch_url="http://search.test:9200",
        opensearch_index="jiuyuan-postings",
        index_dir=tmp_path / "index",
        model_dir=model_path,
        ranker_path=tmp_path / "ranker.json",
    )
    # Serving's requests alone are counted here: no live-index follower writing to the cluster.
    with TestClient(create_app(Settings(db=DatabaseSettings(url=url), search=search), follow=False)) as c:
        c.headers.update(bearer(url))
        r = c.get("/search/postings", params={"q": "保洁", "valid_on": "2026-11-22", "k": 3})
        assert r.status_code == 200, r.text
        hits = r.json()["hits"]
        assert [h["posting"]["id"] for h in hits] == [int(a.id), int(b.id)]  # the filled one dropped
        parts = {"bm25", "vector", "bm25_normalised", "vector_normalised"}
        assert all(h["parts"].keys() - {"occupation"} == parts for h in hits)
        assert c.get("/search/suggest", params={"q": "bj"}).status_code == 200
    assert made == [["http://search.test:9200"]]
    kinds = [kind for kind, _ in cluster.calls]
    # the dimension, checked against the model; then the text search, then the k-NN search it moved
    assert kinds == ["get_mapping", "search", "search"]
    assert {call["index"] for _, call in cluster.calls[1:]} == {"jiuyuan-postings"}
    assert cluster.calls[2][1]["body"]["query"]["knn"]["embedding"]["vector"][0] > 0
    assert cluster.calls[1][1]["body"]["query"]["bool"]["filter"] == [
        {"range": {"valid_from": {"lte": "2026-11-22"}}},
        {"range": {"valid_until": {"gte": "2026-11-22"}}},
    ]
