"""The search and matching routes are thin and share the conventions of the other routes: no route
or service commits (the request's unit of work does, api.deps), reach is Jurisdiction's, and
the search state is one injected snapshot, not module-level caches."""

from __future__ import annotations

import re

import pytest

from jiuyuan.settings import PROJECT_ROOT

MODULES = ["api/routes/search.py", "api/routes/matching.py", "services/search.py", "services/matching.py"]


@pytest.mark.parametrize("module", MODULES)
def test_no_commit_and_no_reach_decided_here(module):
    source = (PROJECT_ROOT / module).read_text(encoding="utf-8")
    assert ".commit()" not in source and ".rollback()" not in source, "the request's unit of work commits"
    caller = r"\b(who|principal|user|caller)\."
    assert not re.search(caller + r"region_prefix", source), "a caller's region prefix is Jurisdiction's business"
    assert not re.search(caller + r"covers\(", source), "ask a Jurisdiction"
    if module.startswith("api/"):
        assert not re.search(r"\bcovers(_\w+)?\(|\bselect\(|\.scalars?\(", source), "routes call services"


@pytest.mark.parametrize("module", MODULES)
def test_no_cache_held_in_a_class_or_module(module):
    source = (PROJECT_ROOT / module).read_text(encoding="utf-8")
    assert "threading" not in source and "loaded_mtime" not in source and "_lock" not in source
