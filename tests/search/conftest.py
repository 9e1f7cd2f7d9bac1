"""Documents to index; the model (``model_path``, ``model``) is trained once per test run in
tests/conftest.py, where integration and browser tests share it too."""

from __future__ import annotations

import pytest

from tests.conftest import documents_from_demo


@pytest.fixture(scope="session")
def docs():
    return documents_from_demo(1500)
