"""API skeleton: health, OpenAPI, and every error as RFC 9457 problem details in Chinese."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from litestar import get
from litestar.testing import TestClient
from tqdm import tqdm
from tqdm.std import TqdmDefaultWriteLock

from api.app import create_app
from demo.generate import generate
from demo.load import load
from jiuyuan.settings import DatabaseSettings, ServerSettings, Settings
from tests.conftest import bearer

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def _settings(url: str) -> Settings:
    return Settings(db=DatabaseSettings(url=url), server=ServerSettings(debug=False))


@pytest.fixture
def client(migrated_url, sessions):
    with sessions.begin() as s:
        load(s, generate(1, 300, 50, date(2026, 11, 22)))
    with TestClient(create_app(_settings(migrated_url))) as c:
        c.headers.update(bearer(migrated_url))
        yield c


def _problem(response, status):
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS and body["status"] == status
    return body


def test_health(client):
    body = client.get("/health").json()
    assert {k: body[k] for k in ("status", "database", "version")} == {
        "status": "ok",
        "database": "ok",
        "version": "0.1.0",
    }
    assert body["calendar"]["official_through"] >= "2026-12-31"  # 002 §2 working days: how far loaded


def test_openapi_lists_the_routes_and_problem_responses(client):
    spec = client.get("/schema/openapi.json").json()
    assert {"/health", "/regions/{code}", "/postings", "/postings/{posting_id}"} <= spec["paths"].keys()
    assert "application/problem+json" in spec["paths"]["/postings"]["get"]["responses"]["422"]["content"]
    page = client.get("/schema")
    assert page.status_code == 200 and "/schema-assets/swagger-ui-bundle.js" in page.text
    assert client.get("/schema-assets/swagger-ui-bundle.js").status_code == 200


def test_postings_filter_by_kind_and_region(client):
    body = client.get("/postings", params={"kind": "love", "region": "43", "limit": 200}).json()
    assert body["total"] > 0
    assert all(p["kind"] == "love" and p["region_code"].startswith("43") for p in body["items"])
    assert all(p["age_min"] is None and p["skills_required"] == [] for p in body["items"])
    one = body["items"][0]
    assert client.get(f"/postings/{one['id']}").json() == one


def test_region_lookup(client):
    assert client.get("/regions/430102").json()["full_name"] == "湖南省长沙市芙蓉区"
    body = _problem(client.get("/regions/439999"), 404)
    assert body["errors"] == [{"field": "code", "message": "行政区划代码 439999 不存在或已撤销"}]


def test_bad_query_is_a_chinese_400(client):
    body = _problem(client.get("/postings", params={"limit": "abc"}), 400)
    assert body["title"] == "请求参数有误" and body["errors"][0]["field"] == "limit"


def test_unknown_region_filter_is_a_422_naming_the_field(client):
    body = _problem(client.get("/postings", params={"region": "999999"}), 422)
    assert body["errors"] == [{"field": "region", "message": "行政区划代码 999999 不存在或已撤销"}]


def test_unknown_posting_and_route_are_404(client):
    assert _problem(client.get("/postings/987654"), 404)["detail"] == "岗位 987654 不存在。"
    _problem(client.get("/no/such/route"), 404)
    _problem(client.post("/health"), 405)


def test_an_unexpected_error_is_a_500_problem_without_internals(migrated_url):
    @get("/boom", sync_to_thread=False)
    def boom() -> None:
        raise RuntimeError("secret internal state")

    app = create_app(_settings(migrated_url))
    app.register(boom)
    with TestClient(app) as c:
        c.headers.update(bearer(migrated_url))
        body = _problem(c.get("/boom"), 500)
    assert "secret" not in str(body) and body["title"] == "服务器内部错误"


def test_database_unreachable_is_a_503_problem():
    # Nothing listens on port 9 of loopback: the connection is refused at once.
    app = create_app(_settings("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2"))
    with TestClient(app) as c:
        body = _problem(c.get("/health"), 503)
    assert "数据库" in body["detail"]


def test_an_app_that_has_stopped_leaves_no_thread_running(migrated_url):
    """An app's threads (the index follower, the warm start, logging) end with it: a process that
    builds many apps (the tests, a reloading server) must not pile them up. Python 3.11 shares the
    AST builder's depth counter between threads, so a stray thread formatting a traceback or reading
    an array header once broke an unrelated ``ast.parse`` in CI."""
    before = set(threading.enumerate())
    for _ in range(3):
        with TestClient(create_app(_settings(migrated_url))) as c:
            assert c.get("/health").status_code == 200
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=10)  # anyio's idle workers are told to stop as their loop ends, not waited for
    assert [t.name for t in threading.enumerate() if t not in before] == []


def test_an_apps_progress_bars_hold_no_multiprocessing_semaphore(migrated_url):
    """The follower writes through tqdm (no bar shown); tqdm's default lock holds multiprocessing
    semaphores, which a uvicorn worker left to the resource tracker's warning as it exited."""
    create_app(_settings(migrated_url), follow=False)
    with tqdm(range(1), disable=True) as bar:
        list(bar)
    assert not isinstance(tqdm.get_lock(), TqdmDefaultWriteLock)


def test_health_is_503_on_a_ledger_not_migrated(tmp_path):
    """A database never migrated answers SELECT 1, but every route would fail: health says so."""
    with TestClient(create_app(_settings(f"sqlite:///{tmp_path / 'empty.db'}"), follow=False)) as c:
        body = _problem(c.get("/health"), 503)
    assert "jiuyuan db upgrade" in body["detail"]
