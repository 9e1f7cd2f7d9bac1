"""A small model trained once per test run on demo postings, and documents to index."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.documents import PostingDocument
from indexer.model import load, train
from ledger.demo.generate import generate

ANCHOR = date(2026, 11, 22)


def documents_from_demo(n: int, seed: int = 1) -> list[PostingDocument]:
    data = generate(seed, n, 1, ANCHOR)
    employers = {e["uscc"]: e["name"] for e in data.employers}
    return [PostingDocument(
        id=p["ref"], title=p["title"], description=p["description"], employer_name=employers[p["employer_uscc"]],
        kind=p["kind"], schedule=p["schedule"], wage_min=p["wage_min"], wage_max=p["wage_max"],
        wage_unit=p["wage_unit"], region_code=p["region_code"], valid_from=p["valid_from"],
        valid_until=p["valid_until"], latitude=p["latitude"], longitude=p["longitude"], age_min=p["age_min"],
        age_max=p["age_max"], skills_required=tuple(p["skills_required"]), disabled_suitable=p["disabled_suitable"],
        headcount=p["headcount"]) for p in data.postings]


@pytest.fixture(scope="session")
def model_path(tmp_path_factory):
    docs = documents_from_demo(3000, seed=2)
    path = tmp_path_factory.mktemp("model") / "static-zh"
    train([(d.title, d.description) for d in docs], path, dim=64, progress=False)
    return path


@pytest.fixture(scope="session")
def model(model_path):
    return load(model_path)


@pytest.fixture(scope="session")
def docs():
    return documents_from_demo(1500)
