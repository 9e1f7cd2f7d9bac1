"""`jiuyuan index`: train the model on the ledger, rebuild, update as postings expire, stats."""

from __future__ import annotations

import json
from datetime import UTC

import pytest

from cli.main import main


def test_train_rebuild_update_stats(tmp_path, monkeypatch, capsys):
    db = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("JIUYUAN_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("JIUYUAN_EMBEDDING_MODEL", str(tmp_path / "model"))
    base = ["--database-url", db]
    assert main([*base, "index", "rebuild", "--quiet"]) == 2  # no model yet: a clear refusal
    assert "向量模型不存在" in capsys.readouterr().err
    assert (
        main([*base, "demo", "--postings", "600", "--persons", "20", "--seed", "5", "--as-of", "2026-11-22", "--quiet"])
        == 0
    )
    assert main([*base, "index", "train-model", "--dim", "32", "--quiet"]) == 0
    assert main([*base, "index", "rebuild", "--as-of", "2026-11-22", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "写入" in out and "条/秒" in out
    assert main(["index", "stats"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["dimension"] == 32 and 0 < first["postings"] <= 600
    # A month later some postings have expired: update drops them, adds nothing new.
    assert main([*base, "index", "update", "--as-of", "2026-12-25", "--quiet"]) == 0
    assert "移出" in capsys.readouterr().out
    assert main(["index", "stats"]) == 0
    assert json.loads(capsys.readouterr().out)["postings"] < first["postings"]
    assert main([*base, "index", "train-model", "--quiet"]) == 0
    assert "已存在" in capsys.readouterr().out


@pytest.mark.bench
def test_the_search_benchmark_runs_and_prints_its_table(capsys, model_path):
    from bench.search import eval_queries
    from bench.search import main as bench

    assert len(eval_queries()) >= 50
    assert bench(["--sizes", "400", "--model", str(model_path)]) == 0
    out = capsys.readouterr().out
    for needle in ("postings/s", "bare encode", "p50 ms", "nDCG@10", "recall@50", "hybrid − bm25"):
        assert needle in out


def test_rebuild_indexes_only_consenting_profiles(tmp_path, monkeypatch):
    from datetime import datetime

    from indexer.build import consenting_profiles
    from jiuyuan.vocab import ConsentScope
    from ledger import db
    from ledger.models import ConsentRecord, Person

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    assert (
        main(
            [
                "--database-url",
                url,
                "demo",
                "--postings",
                "50",
                "--persons",
                "40",
                "--seed",
                "8",
                "--as-of",
                "2026-11-22",
                "--quiet",
            ]
        )
        == 0
    )
    engine = db.make_engine(url)
    with db.session_factory(engine).begin() as s:
        first = s.query(Person).order_by(Person.id).first()
        s.add(
            ConsentRecord(
                person_id=first.id,
                scope=ConsentScope.DATA_PROCESSING,
                granted=False,
                recorded_by="test",
                recorded_at=datetime.now(UTC),
            )
        )
    with db.session_factory(engine)() as s:
        ids = {p.id for p in consenting_profiles(s)}
    engine.dispose()
    assert str(first.id) not in ids and len(ids) == 39  # demo: everyone consented; one withdrew


def test_no_id_number_name_or_phone_is_written_to_the_index(tmp_path, monkeypatch, model_path):
    """PIPL: the saved index files (postings and person profiles) hold no identity field."""
    from sqlalchemy import select

    from ledger import db
    from ledger.models import Person

    url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("JIUYUAN_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("JIUYUAN_EMBEDDING_MODEL", str(model_path))  # the run's model (tests/conftest.py)
    assert (
        main(
            [
                "--database-url",
                url,
                "demo",
                "--postings",
                "300",
                "--persons",
                "200",
                "--seed",
                "12",
                "--as-of",
                "2026-11-22",
                "--quiet",
            ]
        )
        == 0
    )
    assert main(["--database-url", url, "index", "rebuild", "--as-of", "2026-11-22", "--quiet"]) == 0
    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        people = s.execute(select(Person.id_number, Person.name, Person.phone)).all()
    engine.dispose()
    stored = b"".join(p.read_bytes() for p in (tmp_path / "index").rglob("*") if p.is_file())
    assert (tmp_path / "index" / "profiles").is_dir() and len(people) == 200
    for id_number, name, phone in people:
        assert id_number.encode() not in stored and name.encode() not in stored
        assert phone is None or phone.encode() not in stored
