"""The search and matching routes are thin (reach and commits are checked for every module in
tests/unit/test_jurisdiction.py), and the search state is one injected snapshot, not module-level
caches."""

from __future__ import annotations

import re

import pytest

from jiuyuan.settings import PROJECT_ROOT

MODULES = ["api/routes/search.py", "api/routes/matching.py", "services/search.py", "services/matching.py"]


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("api/")])
def test_routes_call_services(module):
    source = (PROJECT_ROOT / module).read_text(encoding="utf-8")
    assert not re.search(r"\bcovers(_\w+)?\(|\bselect\(|\.scalars?\(", source), "routes call services"


@pytest.mark.parametrize("module", MODULES)
def test_no_cache_held_in_a_class_or_module(module):
    source = (PROJECT_ROOT / module).read_text(encoding="utf-8")
    assert "threading" not in source and "loaded_mtime" not in source and "_lock" not in source
