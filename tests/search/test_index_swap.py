"""The embedded index is swapped atomically (issue 17, "index swap"): a save that crashes at any
step leaves the old index or the new one loadable, never none, and the profile index kept in the
postings index's folder survives every save."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from indexer import versions as version_folders
from indexer.documents import PostingDocument
from indexer.embedded import POINTER, EmbeddedIndex, current
from indexer.storage import read_rows
from indexer.versions import ROWS
from jiuyuan.vocab import PostingKind, Schedule, WageUnit

DIM = 8


def _doc(doc_id: str) -> PostingDocument:
    return PostingDocument(
        doc_id,
        f"保洁员{doc_id}",
        "小区保洁",
        "某物业",
        PostingKind.ORDINARY,
        Schedule.FULL_TIME,
        Decimal("2200"),
        Decimal("2600"),
        WageUnit.MONTH,
        "430102",
        date(2026, 1, 1),
        date(2026, 12, 31),
    )


def _index(path: Path, ids: list[str]) -> EmbeddedIndex:
    index = EmbeddedIndex(DIM, path)
    index.upsert([_doc(i) for i in ids], np.random.default_rng(len(ids)).random((len(ids), DIM), np.float32))
    return index


def _ids(path: Path) -> list[str]:
    return sorted(EmbeddedIndex.load(path).cols.ids)


def _with_profiles(path: Path) -> None:
    _index(path / "profiles", ["p1"]).save()


def _as_saved_before_versions(path: Path) -> None:
    """The live version rewritten as a save before versions (and row folders) left it: one
    ``index.npz`` and ``meta.json`` directly in the index folder, no text index (the load indexes
    the documents again)."""
    live = current(path)
    meta = json.loads((live / "meta.json").read_text(encoding="utf-8"))
    arrays, documents = read_rows(live, meta.pop("rows"))
    blob, offsets = documents.packed(np.arange(documents.loaded))
    np.savez(path / ROWS, documents=blob, document_offsets=offsets, **arrays)
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    (path / POINTER).unlink()
    shutil.rmtree(live)
    assert current(path) == path


class Crash(Exception):
    pass


STEPS = [
    ("numpy.save", np, "save"),
    ("Path.write_text", Path, "write_text"),
    ("os.fsync", os, "fsync"),
    ("os.replace", os, "replace"),
    ("Path.rename", Path, "rename"),  # the old swap's two renames: a crash between them lost the index
    ("shutil.rmtree", shutil, "rmtree"),
    ("Path.unlink", Path, "unlink"),
]


@pytest.mark.parametrize("legacy", [False, True], ids=["versioned", "plain-folder"])
@pytest.mark.parametrize(("step", "owner", "name"), STEPS, ids=[s[0] for s in STEPS])
def test_a_save_that_crashes_at_any_step_leaves_the_old_or_the_new_index(
    tmp_path, monkeypatch, legacy, step, owner, name
):
    path = tmp_path / "index"
    _index(path, ["1", "2"]).save()
    _with_profiles(path)
    if legacy:  # an index saved before versions: its files directly in the folder
        _as_saved_before_versions(path)
    assert _ids(path) == ["1", "2"]

    # Crash at the first, second, … call of this step, until a save gets through.
    for nth in range(1, 40):  # a save writes each column with np.save
        calls = 0
        real = getattr(owner, name)

        def crashing(*args, _real=real, _nth=nth, **kwargs):
            nonlocal calls
            calls += 1
            if calls == _nth:
                raise Crash(step)
            return _real(*args, **kwargs)

        monkeypatch.setattr(owner, name, crashing)
        try:
            _index(path, ["1", "2", "3"]).save()
            crashed = False
        except Crash:
            crashed = True
        finally:
            monkeypatch.setattr(owner, name, real)
        assert _ids(path) in (["1", "2"], ["1", "2", "3"]), f"{step} #{nth}"
        assert _ids(path / "profiles") == ["p1"]
        if not crashed:
            break
    assert _ids(path) == ["1", "2", "3"]


def test_the_pointer_is_replaced_in_one_step(tmp_path, monkeypatch):
    """The live version changes only through ``os.replace`` of the pointer: a crash there keeps
    the old index, and the version folder it wrote is removed by the next save."""
    path = tmp_path / "index"
    _index(path, ["1"]).save()
    first = current(path)

    def refuse(src, dst):
        raise Crash("os.replace")

    monkeypatch.setattr(version_folders.os, "replace", refuse)
    with pytest.raises(Crash):
        _index(path, ["1", "2"]).save()
    monkeypatch.undo()
    assert current(path) == first and _ids(path) == ["1"]

    _index(path, ["1", "2", "3"]).save()
    versions = sorted(p.name for p in path.iterdir())
    assert versions == sorted([POINTER, current(path).name]), "old versions and pending pointers removed"


def test_a_plain_folder_index_still_loads_and_is_migrated_on_first_save(tmp_path):
    path = tmp_path / "index"
    _index(path, ["1"]).save()
    _with_profiles(path)
    _as_saved_before_versions(path)

    loaded = EmbeddedIndex.load(path)
    assert loaded.cols.ids == ["1"]
    loaded.save()
    assert not (path / "meta.json").exists() and not (path / ROWS).exists()
    assert current(path) != path and _ids(path) == ["1"]
    assert _ids(path / "profiles") == ["p1"], "the profile index in the folder is left where it is"


def test_a_pointer_that_is_not_a_version_is_not_followed(tmp_path):
    path = tmp_path / "index"
    _index(path, ["1"]).save()
    (path / POINTER).write_text("../../etc", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        EmbeddedIndex.load(path)


@pytest.mark.parametrize("removed", ["rows/vectors.npy", "rows/alive.npy", "rows/documents.bin", "dead.npy"])
def test_a_version_removed_while_it_is_read_is_never_half_loaded(tmp_path, removed):
    """A save removes old versions file by file: a reader that finds one of a version's files gone
    reads the pointer again (or says the index is not there), never serves half a version —
    without ``alive`` or ``dead.npy`` deleted postings would come back."""
    path = tmp_path / "index"
    index = _index(path, ["1", "2", "3"])
    index.save()
    index.delete(["3"])
    index.save()
    (current(path) / removed).unlink()
    with pytest.raises(FileNotFoundError):
        EmbeddedIndex.load(path)
