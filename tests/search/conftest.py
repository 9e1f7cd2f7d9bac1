"""A small model trained once per test run on demo postings, and documents to index."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.documents import PostingDocument, from_demo
from indexer.model import load, train
from ledger.demo.generate import generate

ANCHOR = date(2026, 11, 22)


def documents_from_demo(n: int, seed: int = 1) -> list[PostingDocument]:
    return from_demo(generate(seed, n, 1, ANCHOR))


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
