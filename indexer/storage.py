"""How the embedded index keeps its rows: columns, documents, vectors and the text index, saved
in version folders behind a pointer (``indexer.versions``).

No file of a saved version is written again, so a save links the files it keeps from the
version before (row files, tantivy segments) and writes only what is new: a reader's version
never changes under it.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Self

import msgspec
import numpy as np

from indexer.text_index import TextIndex, link
from indexer.versions import ROWS, current, fsync_folder, publish, version_name


class Columns:
    """Row ids and one numpy array per schema field; ``cols.lat`` reads the ``lat`` array."""

    def __init__(self, schema: dict[str, np.dtype]):
        self.ids: list[str] = []
        self.data = {name: np.zeros(0, dtype) for name, dtype in schema.items()}

    def __getattr__(self, name: str) -> np.ndarray:
        try:
            return self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name) from None

    def arrays(self) -> dict[str, np.ndarray]:
        return self.data


class Documents:
    """Each row's document as JSON bytes: the rows loaded from disk in one buffer (sliced by
    offsets), rows written since then in a list."""

    def __init__(self, blob: bytes = b"", offsets: np.ndarray | None = None):
        self.blob = blob
        self.offsets = np.zeros(1, np.int64) if offsets is None else offsets
        self.loaded = len(self.offsets) - 1
        self.added: list[bytes] = []

    def append(self, encoded: bytes) -> None:
        self.added.append(encoded)

    def __getitem__(self, row: int) -> bytes:
        if row < self.loaded:
            return self.blob[self.offsets[row] : self.offsets[row + 1]]
        return self.added[row - self.loaded]

    def packed(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The given rows in one uint8 buffer, with their offsets (for ``np.savez``)."""
        parts = [self[int(r)] for r in rows]
        offsets = np.zeros(len(parts) + 1, np.int64)
        offsets[1:] = np.cumsum([len(p) for p in parts])
        return np.frombuffer(b"".join(parts), np.uint8), offsets


DEAD = "dead.npy"
"""The rows of a version's files that are deleted (or replaced) since they were written."""


def write_rows(folder: Path, name: str, arrays: dict[str, np.ndarray], ids: list[str], documents) -> None:
    """Rows as one .npz: their arrays, ids and documents (``Documents.packed``)."""
    blob, offsets = documents
    np.savez(folder / name, ids=np.array(ids, dtype=str), documents=blob, document_offsets=offsets, **arrays)


def read_rows(folder: Path, names: list[str]) -> tuple[dict[str, np.ndarray], Documents]:
    """The rows of the files ``names`` in order: each array joined, and their documents."""
    parts = []
    for name in names:
        with np.load(folder / name) as data:
            if "documents" not in data:
                raise FileNotFoundError(f"检索索引 {folder} 是旧格式：请运行 jiuyuan index rebuild。")
            parts.append({key: data[key] for key in data.files})
    skip = ("documents", "document_offsets")
    arrays = {key: np.concatenate([p[key] for p in parts]) for key in parts[0] if key not in skip}
    offsets, size = [np.zeros(1, np.int64)], 0
    for p in parts:
        offsets.append(p["document_offsets"][1:] + size)
        size += int(p["document_offsets"][-1])
    return arrays, Documents(b"".join(p["documents"].tobytes() for p in parts), np.concatenate(offsets))


TEXT = "text"
"""The text index's folder inside a version folder (``indexer.text_index``)."""


MAX_FILES, COMPACT_SHARE = 16, 0.25
"""A save writes all rows again (compacted) past this many row files or this share of dead rows."""


class StoredRows:
    """The embedded index's rows (columns, documents, normalised vectors, text keys) and the
    tantivy text index, kept in version folders: ``EmbeddedIndex`` searches them. Subclasses
    give ``SCHEMA`` (the columns) and ``DOCUMENT`` (the type a row's document decodes to)."""

    SCHEMA: dict[str, type]
    DOCUMENT: type

    def __init__(self, dimension: int, path: Path | None = None):
        self.dimension = dimension
        self.path = path
        self.cols = Columns(self.SCHEMA)
        self.documents = Documents()
        self.vectors = np.zeros((0, dimension), np.float32)
        self.row_of: dict[str, int] = {}
        self.keys = np.zeros(0, np.int64)
        """Each row's key in the text index: only grows, so the array stays sorted."""
        self.next_key = 0
        self.text = TextIndex()
        self._working: Path | None = None  # the version folder the text writes go to, until saved
        self._base: Path | None = None  # the version whose row files this index's first rows are
        self._files: list[str] = []  # those files, in row order
        self._saved = 0  # how many rows they hold
        self.feed_cursor = 0
        """The last change-feed entry the index has applied (ledger ``posting_changes.id``)."""

    def _writable(self) -> TextIndex:
        """The text index to write to: after a load or a save, a copy in a new version folder
        (its files linked), which the next ``save`` makes live."""
        if not self.text.writable:
            self._working = None if self.path is None else Path(self.path) / version_name()
            self.text = self.text.fork(None if self._working is None else self._working / TEXT)
        return self.text

    def document(self, row: int):
        """The document indexed at ``row``, as the ``DOCUMENT`` type."""
        return msgspec.json.decode(self.documents[row], type=self.DOCUMENT)

    def save(self, path: Path | None = None) -> Path | None:
        """Make the writes so far durable at ``path`` (default: where it was loaded from or created
        for) as a new version folder, which ``publish`` makes live. The rows saved before are
        linked into it from the version before and only the rows added since are written (one
        more .npz, and the list of dead rows), as the text index writes only its new segment;
        past ``MAX_FILES`` row files or ``COMPACT_SHARE`` dead rows, the live rows are written
        whole, compacted. An index made in memory without a path has nothing to write (its
        writes are visible at once). Sub-folders of ``path`` that are not versions
        (``profiles/``) are left where they are."""
        if path is None and self.path is None:
            return None
        path = Path(path or self.path)
        path.mkdir(parents=True, exist_ok=True)
        keep = np.flatnonzero(self.cols.alive)
        folder = self._working
        if folder is None or folder.parent != path:
            folder = path / version_name()
            if self.text.folder is not None and self.text.folder.parent.parent == path:
                self.text = self.text.fork(folder / TEXT)  # nothing written since it was loaded
            else:  # in memory, or another folder's: indexed again from the documents
                texts = [self.document(int(r)).text for r in keep]
                self.text = TextIndex.build(folder / TEXT, self.keys[keep], texts)
        self.text.close()
        self._working = None
        files = self._files if self._adding_only(path) else []
        if not files:
            self._compact()
        for name in files:
            link(self._base / name, folder / name)
        if len(self.cols.ids) > self._saved or not files:
            rows = np.arange(self._saved if files else 0, len(self.cols.ids))
            name = f"rows-{secrets.token_hex(6)}.npz" if files else ROWS
            arrays = {k: v[rows] for k, v in self.cols.arrays().items()}
            arrays |= {"vectors": self.vectors[rows], "keys": self.keys[rows]}
            write_rows(folder, name, arrays, [self.cols.ids[r] for r in rows], self.documents.packed(rows))
            files = [*files, name]
        np.save(folder / DEAD, np.flatnonzero(~self.cols.alive))
        meta = {
            "dimension": self.dimension,
            "feed_cursor": self.feed_cursor,
            "next_key": self.next_key,
            "rows": files,
        }
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        fsync_folder(folder / TEXT)
        publish(path, folder)
        self._base, self._files, self._saved = folder, files, len(self.cols.ids)
        return path

    def _adding_only(self, path: Path) -> bool:
        """Whether a save to ``path`` may link the rows saved before and write only the new ones:
        not while more than ``COMPACT_SHARE`` of the rows are dead, nor past ``MAX_FILES``."""
        dead = len(self.cols.ids) - len(self.row_of)
        return bool(
            self._base is not None
            and self._base.parent == path
            and len(self._files) < MAX_FILES
            and dead <= COMPACT_SHARE * len(self.cols.ids)
            and all((self._base / name).exists() for name in self._files)
        )

    def _compact(self) -> None:
        """Drop the dead rows (the row numbers change; ids and text keys do not)."""
        keep = np.flatnonzero(self.cols.alive)
        if keep.size == len(self.cols.ids):
            return
        self.cols.data = {k: v[keep] for k, v in self.cols.arrays().items()}
        self.cols.ids = [self.cols.ids[r] for r in keep]
        blob, offsets = self.documents.packed(keep)
        self.documents = Documents(blob.tobytes(), offsets)
        self.vectors, self.keys = self.vectors[keep], self.keys[keep]
        self.row_of = {doc_id: row for row, doc_id in enumerate(self.cols.ids)}
        self._base, self._files, self._saved = None, [], 0  # the files saved before number rows otherwise

    @classmethod
    def load(cls, path: Path) -> Self:
        """The index ``path``'s pointer names (or, saved before versions, the files in ``path``).
        A save that removes the version just read is met by reading the pointer again."""
        for attempt in range(3):
            folder = current(path)
            if folder is None:
                raise FileNotFoundError(f"检索索引不存在：{path}")
            try:
                return cls._load_folder(folder, path)
            except (FileNotFoundError, ValueError):  # tantivy says ValueError for a folder removed
                if attempt == 2 or current(path) == folder:
                    raise
        raise AssertionError("unreachable")

    @classmethod
    def _load_folder(cls, folder: Path, path: Path) -> Self:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        index = cls(meta["dimension"], path)
        files = meta.get("rows", [ROWS])  # one file, ids in meta.json: saved before row files
        arrays, index.documents = read_rows(folder, files)
        index.vectors = arrays["vectors"]
        missing = [name for name in index.cols.arrays() if name not in arrays]
        for name in index.cols.arrays():
            if name in arrays:
                index.cols.data[name] = arrays[name]
        index.cols.ids = arrays["ids"].tolist() if "ids" in arrays else list(meta["ids"])
        index.keys = arrays["keys"] if "keys" in arrays else np.arange(len(index.vectors), dtype=np.int64)
        if (folder / DEAD).exists():
            index.cols.alive[np.load(folder / DEAD)] = False
        index.row_of = {index.cols.ids[row]: row for row in np.flatnonzero(index.cols.alive).tolist()}
        index.feed_cursor = meta.get("feed_cursor", 0)
        index.next_key = meta.get("next_key", len(index.keys))
        if "rows" in meta:
            index._base, index._files, index._saved = folder, files, len(index.cols.ids)
        if missing:  # a column added since this version was saved: derived, the next save writes all rows
            values = [index.row_values(index.document(row)) for row in range(len(index.cols.ids))]
            for name in missing:
                index.cols.data[name] = np.array([v[name] for v in values], index.SCHEMA[name])
            index._base, index._files, index._saved = None, [], 0
        if (folder / TEXT / "meta.json").exists():
            index.text = TextIndex(folder / TEXT, create=False)
        else:  # saved before the text index was tantivy's: indexed again here, written by the next save
            texts = [index.document(row).text for row in range(len(index.keys))]
            index.text = TextIndex.build(None, index.keys, texts)
        return index
