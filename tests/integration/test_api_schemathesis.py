"""Property-based checks of every route against the OpenAPI schema (schemathesis, a bounded
number of examples per operation, JIUYUAN_FUZZ_EXAMPLES, 12 unless set; `make fuzz` runs 50):
never a 500, every 4xx an RFC 9457 problem-details body in Chinese, and every one of
schemathesis's response checks (status codes, content types, headers and bodies as documented,
405s with an Allow header naming every method of the path …). Runs on PostgreSQL when its URL is
set (as CI does), else SQLite."""

from __future__ import annotations

import os
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import PositiveDataAcceptanceConfig

from api.app import create_app
from demo.generate import generate
from demo.load import load
from indexer import build
from jiuyuan.settings import DatabaseSettings, Settings
from ledger import db
from tests.conftest import PG_URL, bearer, migrated_database

EXAMPLES = int(os.environ.get("JIUYUAN_FUZZ_EXAMPLES", "12"))
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def _schema(url: str):
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", create_app(Settings(db=DatabaseSettings(url=url))))
    # positive_data_acceptance fails a schema-valid request answered with anything but 2xx, 401,
    # 403, 404 or 409. It stays on, with one status added: 422 is the service's documented answer to
    # a well-formed request a rule refuses (an unknown person in the body, a purpose outside the
    # office's vocabulary, a placement starting before 2000, a month with no run …), which no
    # JSON Schema can express. A 400 to a schema-valid request still fails: the schema lied.
    checks = schema.config.checks
    accepted = [*checks.positive_data_acceptance.expected_statuses, "422"]
    checks.positive_data_acceptance = PositiveDataAcceptanceConfig(expected_statuses=accepted)
    return schema


# The operations are read from the schema alone (no database is touched building the app).
OPERATIONS = [result.ok().label for result in _schema("sqlite://").get_all_operations()]


@pytest.fixture(scope="module")
def api(tmp_path_factory, ledger_templates, model_path):
    folder = tmp_path_factory.mktemp("fuzz")
    backend = "postgresql" if PG_URL else "sqlite"
    with migrated_database(backend, folder, ledger_templates) as url, pytest.MonkeyPatch.context() as mp:
        # The search routes run for real: the run's model (tests/conftest.py), an index of this ledger.
        mp.setenv("JIUYUAN_INDEX_DIR", str(folder / "index"))
        mp.setenv("JIUYUAN_EMBEDDING_MODEL", str(model_path))
        mp.setenv("JIUYUAN_RANKER", str(folder / "ranker.json"))
        engine = db.make_engine(url)
        with db.session_factory(engine).begin() as s:
            load(s, generate(9, 300, 80, date.today()))
        with db.session_factory(engine)() as s:
            build.rebuild_both(s, model_path, folder / "index", date.today(), progress=False)
        engine.dispose()
        schema = _schema(url)
        yield {r.ok().label: r.ok() for r in schema.get_all_operations()}, bearer(url)


def test_the_schema_lists_every_route():
    assert len(OPERATIONS) >= 20 and "POST /claims" in OPERATIONS


@pytest.mark.parametrize("label", OPERATIONS)
def test_every_route_answers_as_documented(api, label):
    operations, headers = api

    @given(case=operations[label].as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def check(case):
        response = case.call(headers=headers)
        assert response.status_code < 500 or response.status_code == 503, response.text
        if response.status_code >= 400:
            assert response.headers["content-type"][0].startswith("application/problem+json"), response.text
            body = response.json()
            assert body.keys() >= PROBLEM_KEYS and body["status"] == response.status_code
            assert any("\u4e00" <= ch <= "\u9fff" for ch in body["title"] + body["detail"]), body  # Chinese
        case.validate_response(response, headers=headers)  # every check schemathesis has

    check()
