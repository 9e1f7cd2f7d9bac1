"""Documents to index and their vectors, made once per run; the model (``model_path``, ``model``)
is trained once per run in tests/conftest.py, where integration and browser tests share it too."""

from __future__ import annotations

import pytest

from tests.conftest import documents_from_demo


@pytest.fixture(scope="session")
def docs():
    return documents_from_demo(1500)


@pytest.fixture(scope="session")
def doc_vectors(model, docs):
    """``docs`` encoded once per run (read only): each test's fresh index upserts these."""
    vectors = model.encode([d.text for d in docs])
    vectors.setflags(write=False)
    return vectors
