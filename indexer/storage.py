"""How the embedded index keeps its rows: columns, documents, vectors and the text index, saved
in version folders behind a pointer (``indexer.versions``).

No file of a saved version is written again, so a save links the files it keeps from the
version before (row files, tantivy segments) and writes only what is new: a reader's version
never changes under it.
"""

from __future__ import annotations

import json
import mmap
import secrets
from pathlib import Path
from typing import Self

import msgspec
import numpy as np

from indexer import text as analysis
from indexer.text_index import Row, TextIndex, has_filter_fields, link
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
    """Each row's document as JSON bytes: the rows loaded from disk in one buffer per row file
    (memory-mapped, sliced by offsets), rows written since then in a list."""

    def __init__(self, parts: list[tuple[bytes | mmap.mmap, np.ndarray]] | None = None):
        self.parts = parts or []
        self.starts = np.cumsum([0] + [len(offsets) - 1 for _, offsets in self.parts])
        """The first row of each part; the last entry is how many rows the parts hold."""
        self.loaded = int(self.starts[-1])
        self.added: list[bytes] = []

    def append(self, encoded: bytes) -> None:
        self.added.append(encoded)

    def __getitem__(self, row: int) -> bytes:
        if row >= self.loaded:
            return self.added[row - self.loaded]
        part = int(np.searchsorted(self.starts, row, side="right")) - 1
        blob, offsets = self.parts[part]
        at = row - int(self.starts[part])
        return blob[offsets[at] : offsets[at + 1]]

    def packed(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The given rows in one uint8 buffer, with their offsets."""
        parts = [self[int(r)] for r in rows]
        offsets = np.zeros(len(parts) + 1, np.int64)
        offsets[1:] = np.cumsum([len(p) for p in parts])
        return np.frombuffer(b"".join(parts), np.uint8), offsets


DEAD = "dead.npy"
"""The rows of a version's files that are deleted (or replaced) since they were written."""
WHOLE = "rows"
"""The row folder of a save that writes every row (a build, or a compaction); a save that only
adds writes ``rows-…`` beside the folders it links from the version before."""
DOCUMENTS = "documents.bin"
REQUIRED = ("ids", "keys", "vectors", "alive", "document_offsets")
"""The arrays every row folder has (a column added to a schema later is derived when absent)."""


def write_rows(folder: Path, name: str, arrays: dict[str, np.ndarray], ids: list[str], documents) -> None:
    """Rows as a folder of plain ``.npy`` arrays (their ids too) and their documents' bytes
    (``Documents.packed``) with offsets: files a load memory-maps instead of reading."""
    blob, offsets = documents
    target = folder / name
    target.mkdir()
    for key, values in {**arrays, "ids": np.array(ids, dtype=str), "document_offsets": offsets}.items():
        np.save(target / f"{key}.npy", values)
    (target / DOCUMENTS).write_bytes(blob.tobytes())


def _mapped(path: Path) -> bytes | mmap.mmap:
    """A file's bytes, memory-mapped (read-only; pages come in as documents are read)."""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if f.seek(0, 2) else b""


def _read_part(path: Path) -> dict[str, np.ndarray | bytes | mmap.mmap]:
    """One row file's arrays (memory-mapped copy-on-write: ``alive`` is marked in memory) and its
    documents; a ``.npz`` is a row file saved before row folders, read whole."""
    if path.suffix == ".npz":
        with np.load(path) as data:
            if "documents" not in data:
                raise FileNotFoundError(f"检索索引 {path.parent} 是旧格式：请运行 jiuyuan index rebuild。")
            part: dict = {key: data[key] for key in data.files}
        part["documents"] = part["documents"].tobytes()
        return part
    for name in [*(f"{key}.npy" for key in REQUIRED), DOCUMENTS]:
        if not (path / name).exists():  # a version being removed as it is read: load reads the pointer again
            raise FileNotFoundError(path / name)
    # Plain views of the maps: a numpy.memmap's every slice and comparison goes through Python
    # hooks, a tenth of a search; the view keeps the map open all the same.
    part = {f.stem: np.load(f, mmap_mode="c").view(np.ndarray) for f in path.glob("*.npy")}
    part["documents"] = _mapped(path / DOCUMENTS)
    return part


def read_rows(folder: Path, names: list[str]) -> tuple[dict[str, np.ndarray], Documents]:
    """The rows of the row files ``names`` in order: each array (joined when there are several),
    and their documents."""
    parts = [_read_part(folder / name) for name in names]
    skip = ("documents", "document_offsets")
    arrays = {
        key: parts[0][key] if len(parts) == 1 else np.concatenate([p[key] for p in parts])
        for key in parts[0]
        if key not in skip
    }
    return arrays, Documents([(p["documents"], p["document_offsets"]) for p in parts])


def link_rows(source: Path, target: Path) -> None:
    """A row file or folder of one version in another (``text_index.link``, file by file)."""
    if not source.is_dir():
        link(source, target)
        return
    target.mkdir()
    for f in source.iterdir():
        link(f, target / f.name)


TEXT = "text"
"""The text index's folder inside a version folder (``indexer.text_index``)."""


class _Settled:
    """An attribute of ``StoredRows`` kept as ``_<name>``, read and written only after the rows
    appended since are joined to it (``StoredRows._settle``)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.private = f"_{name}"

    def __get__(self, rows, owner=None):
        if rows is None:
            return self
        rows._settle()
        return getattr(rows, self.private)

    def __set__(self, rows, value) -> None:
        rows._settle()
        setattr(rows, self.private, value)


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
        self._cols = Columns(self.SCHEMA)
        self.documents = Documents()
        self._vectors = np.zeros((0, dimension), np.float32)
        self._pending: list[tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]] = []
        self._row_of: dict[str, int] | None = {}
        self._keys = np.zeros(0, np.int64)
        """Each row's key in the text index (``keys``): only grows, so the array stays sorted."""
        self.next_key = 0
        self.text = TextIndex()
        self._working: Path | None = None  # the version folder the text writes go to, until saved
        self._base: Path | None = None  # the version whose row files this index's first rows are
        self._files: list[str] = []  # those files, in row order
        self._saved = 0  # how many rows they hold
        self.feed_cursor = 0
        """The last change-feed entry the index has applied (ledger ``posting_changes.id``)."""

    # The rows: ``cols`` (ids and columns), ``vectors`` (normalised) and ``keys``, each joined
    # with the rows appended since it was last read (``_append``).
    cols = _Settled()
    vectors = _Settled()
    keys = _Settled()

    def _append(self, ids: list[str], rows: list[dict], keys: np.ndarray, vectors: np.ndarray) -> None:
        """Rows added at the end, their arrays joined to the others when next read: a build's
        batches are joined once, not all rows copied again for each batch."""
        self._cols.ids.extend(ids)
        columns = {name: np.array([r[name] for r in rows], column.dtype) for name, column in self._cols.data.items()}
        self._pending.append((columns, keys, vectors))

    def _settle(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        for name, column in self._cols.data.items():
            self._cols.data[name] = np.concatenate([column, *(columns[name] for columns, _, _ in pending)])
        self._keys = np.concatenate([self._keys, *(keys for _, keys, _ in pending)])
        self._vectors = np.concatenate([self._vectors, *(vectors for _, _, vectors in pending)])

    @property
    def row_of(self) -> dict[str, int]:
        """Each live id's row; built on first use after a load (a reader that only searches never
        needs it: a million ids take a while to hash)."""
        if self._row_of is None:
            self._row_of = {self.cols.ids[row]: row for row in np.flatnonzero(self.cols.alive).tolist()}
        return self._row_of

    def live_rows(self) -> int:
        return len(self._row_of) if self._row_of is not None else int(np.count_nonzero(self.cols.alive))

    def _writable(self) -> TextIndex:
        """The text index to write to: after a load or a save, a copy in a new version folder
        (its files linked), which the next ``save`` makes live."""
        if not self.text.writable:
            self._working = None if self.path is None else Path(self.path) / version_name()
            self.text = self.text.fork(None if self._working is None else self._working / TEXT)
        return self.text

    def text_row(self, document) -> Row:
        """What the text index keeps of a row's document: its text (subclasses add filters)."""
        return Row(document.text)

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
                rows = [self.text_row(self.document(int(r))) for r in keep]
                self.text = TextIndex.build(folder / TEXT, self.keys[keep], rows)
        self.text.close()
        self._working = None
        files = self._files if self._adding_only(path) else []
        if not files:
            self._compact()
        for name in files:
            link_rows(self._base / name, folder / name)
        if len(self.cols.ids) > self._saved or not files:
            rows = np.arange(self._saved if files else 0, len(self.cols.ids))
            name = f"rows-{secrets.token_hex(6)}" if files else WHOLE
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
            "analyser": analysis.ANALYSER,
        }
        (folder / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        fsync_folder(folder / TEXT)
        publish(path, folder)
        self._base, self._files, self._saved = folder, files, len(self.cols.ids)
        return path

    def _adding_only(self, path: Path) -> bool:
        """Whether a save to ``path`` may link the rows saved before and write only the new ones:
        not while more than ``COMPACT_SHARE`` of the rows are dead, nor past ``MAX_FILES``."""
        dead = len(self.cols.ids) - self.live_rows()
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
        self.documents = Documents([(blob.tobytes(), offsets)])
        self.vectors, self.keys = self.vectors[keep], self.keys[keep]
        self._row_of = {doc_id: row for row, doc_id in enumerate(self.cols.ids)}
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
        elif "rows" in meta:  # every save writes it: gone means the version is being removed
            raise FileNotFoundError(folder / DEAD)
        index._row_of = None  # built when first needed (``row_of``)
        index.feed_cursor = meta.get("feed_cursor", 0)
        index.next_key = meta.get("next_key", len(index.keys))
        if "rows" in meta:
            index._base, index._files, index._saved = folder, files, len(index.cols.ids)
        if missing:  # a column added since this version was saved: derived, the next save writes all rows
            values = [index.row_values(index.document(row)) for row in range(len(index.cols.ids))]
            for name in missing:
                index.cols.data[name] = np.array([v[name] for v in values], index.SCHEMA[name])
            index._base, index._files, index._saved = None, [], 0
        current_text = meta.get("analyser") == analysis.ANALYSER and (folder / TEXT / "meta.json").exists()
        if current_text and has_filter_fields(folder / TEXT):
            index.text = TextIndex(folder / TEXT, create=False)
        else:  # saved before tantivy, its filter fields or this analyser: indexed again, written by the next save
            live = np.flatnonzero(index.cols.alive)
            rows = [index.text_row(index.document(int(row))) for row in live]
            index.text = TextIndex.build(None, index.keys[live], rows)
        return index
