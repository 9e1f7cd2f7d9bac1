"""The search routes over a built index: ranked postings, typeahead, Chinese errors, 503 without an index."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.routes.search import _Search
from cli.main import main
from jiuyuan.settings import DatabaseSettings, Settings
from tests.conftest import bearer


@pytest.fixture
def client(tmp_path, monkeypatch, model_path):
    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("JIUYUAN_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("JIUYUAN_EMBEDDING_MODEL", str(model_path))  # the run's model (tests/conftest.py)
    monkeypatch.setattr(_Search, "index", None)
    monkeypatch.setattr(_Search, "encoder", None)
    monkeypatch.setattr(_Search, "typeahead", None)
    assert main(["--database-url", url, "demo", "--postings", "800", "--persons", "10", "--seed", "4",
                 "--as-of", "2026-11-22", "--quiet"]) == 0
    with TestClient(create_app(Settings(db=DatabaseSettings(url=url)))) as c:
        c.headers.update(bearer(url))
        yield c, url


def test_no_index_is_a_503_problem(client):
    c, _ = client
    r = c.get("/search/postings", params={"q": "保洁"})
    assert r.status_code == 503 and "jiuyuan index rebuild" in r.json()["detail"]


def test_search_and_suggest(client):
    c, url = client
    assert main(["--database-url", url, "index", "rebuild", "--as-of", "2026-11-22", "--quiet"]) == 0
    body = c.get("/search/postings", params={"q": "照顾老人", "valid_on": "2026-11-22", "k": 5}).json()
    assert len(body["hits"]) == 5 and all("养老护理员" in h["posting"]["title"] for h in body["hits"])
    assert {"bm25", "vector"} <= body["hits"][0]["parts"].keys()
    love = c.get("/search/postings", params={"q": "保洁", "kind": "love", "valid_on": "2026-11-22"}).json()
    assert love["hits"] and all(h["posting"]["kind"] == "love" for h in love["hits"])
    city = c.get("/search/postings", params={"q": "保洁", "region": "430100", "valid_on": "2026-11-22"}).json()
    assert city["hits"] and all(h["posting"]["region_code"].startswith("4301") for h in city["hits"])
    nan = c.get("/search/postings", params={"q": "保洁", "wage_floor": "NaN"})
    assert nan.status_code in (400, 422)
    assert c.get("/search/suggest", params={"q": "bj"}).json()[0].startswith("保洁")
    bad = c.get("/search/postings", params={"q": "保洁", "wage_floor": "5000", "wage_ceiling": "3000"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "wage_ceiling_monthly"
    region = c.get("/search/postings", params={"q": "保洁", "region": "999999"})
    assert region.status_code == 422 and region.json()["errors"][0]["field"] == "region"
    # No words: the postings valid today (the route always filters by date), newest first.
    assert c.get("/search/postings", params={"valid_on": "2026-11-22"}).json()["hits"]
