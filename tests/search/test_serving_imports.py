"""Serving does not import training: an API worker loads neither torch nor sentence-transformers
(the encoder is numpy over the saved model) nor scikit-learn (the learned re-ranker is read with
numpy). Checked in a fresh interpreter, as a uvicorn worker starts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jiuyuan.settings import PROJECT_ROOT

TRAINING = ("torch", "sentence_transformers", "transformers", "sklearn")


def _loaded_after(statement: str) -> list[str]:
    probe = f"import json, sys\n{statement}\nprint(json.dumps(sorted(m for m in {TRAINING!r} if m in sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT_ROOT, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_importing_the_api_imports_no_training_stack():
    assert _loaded_after("import api.app") == []


def test_serving_a_search_imports_no_training_stack(tmp_path, model_path, docs):
    """Load the model, encode, search, re-rank: still none of it."""
    statement = (
        "from pathlib import Path\n"
        "from indexer.encoder import load\n"
        "from indexer.embedded import EmbeddedIndex\n"
        "from indexer.protocol import Query\n"
        "import matcher.ranker, services.matching, services.search\n"
        f"enc = load(Path({str(model_path)!r}))\n"
        f"idx = EmbeddedIndex.load(Path({str(tmp_path / 'index')!r}))\n"
        "idx.search(Query(text='保洁', vector=enc.encode(['保洁'])[0]))\n"
        f"matcher.ranker.in_use(Path({str(tmp_path / 'absent.json')!r}))\n"
    )
    from indexer.embedded import EmbeddedIndex
    from indexer.encoder import load

    encoder = load(model_path)
    index = EmbeddedIndex(encoder.dimension, tmp_path / "index")
    index.upsert(docs[:200], encoder.encode([d.text for d in docs[:200]]))
    index.save()
    assert _loaded_after(statement) == []


@pytest.mark.slow  # a fresh interpreter importing torch and sentence-transformers (seconds)
def test_training_still_works_where_it_is_asked_for():
    assert set(_loaded_after("import indexer.training")) >= {"torch", "sentence_transformers"}
