"""The embedded indexes' version folders behind a pointer.

Each save writes a new version folder (``v-…``) inside the index folder and then replaces the
pointer file ``CURRENT`` with ``os.replace`` (``publish``): readers follow the pointer
(``current``) and reload when ``stamp`` changes. A crash before the swap leaves the old index,
after it the new one, never none.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path

ROWS = "index.npz"
"""The rows of an index saved before row folders (``indexer.storage.WHOLE``), still read; in the
index folder itself, the rows of an index saved before versions, which ``tidy`` removes."""

POINTER = "CURRENT"
"""The file in an index folder naming its live version folder."""
VERSION_PREFIX = "v-"
_VERSION = re.compile(r"^v-[0-9]{20}-[0-9a-f]{6}$")


def version_name() -> str:
    """A new version folder's name: the time, so they sort, and a random part."""
    return f"{VERSION_PREFIX}{time.time_ns():020d}-{secrets.token_hex(3)}"


def publish(path: Path, folder: Path) -> None:
    """Make the version ``folder`` (written in full inside ``path``) the live one: its entries made
    durable, then the pointer replaced with ``os.replace``, the one step that makes it live (a
    crash before it leaves the old index, after it the new one, never none), then the rest tidied."""
    fsync_folder(folder)
    pending = path / f".{POINTER}.{folder.name}"
    with open(pending, "w", encoding="utf-8") as f:
        f.write(folder.name)
        f.flush()
        os.fsync(f.fileno())
    os.replace(pending, path / POINTER)  # the swap
    fsync_folder(path)
    tidy(path, folder.name)


def current(path: Path) -> Path | None:
    """The folder holding ``path``'s live ``meta.json`` and ``index.npz``: the version its pointer
    names, or ``path`` itself for an index saved before versions; None when there is no index."""
    try:
        name = (path / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return path if (path / "meta.json").exists() else None
    if not _VERSION.match(name):  # the pointer is ours to write: anything else is not followed
        raise FileNotFoundError(f"检索索引指针无效：{path / POINTER}（请运行 jiuyuan index rebuild）")
    return path / name


def fsync_folder(folder: Path) -> None:
    """Make the entries in ``folder`` durable (POSIX; Windows cannot open a folder, nor needs to)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def tidy(path: Path, live: str) -> None:
    """After a swap: remove every version but ``live``, pointers a crash left pending, and the
    files of an index saved before versions. Nothing here is needed to load ``live``."""
    for child in path.iterdir():
        if child.name == live:
            continue
        if child.is_dir() and _VERSION.match(child.name):
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(f".{POINTER}.") or child.name in ("meta.json", ROWS):
            child.unlink(missing_ok=True)


def stamp(path: Path) -> tuple[str, int] | None:
    """What changes whenever the index at ``path`` is saved (the live version's ``meta.json`` and
    its time); None without an index. Readers reload when it changes. A save may swap the pointer
    and remove the version just read between the two steps here: the pointer is then read again."""
    for _ in range(3):
        try:
            folder = current(path)
            meta = folder / "meta.json" if folder is not None else None
            return (str(meta), meta.stat().st_mtime_ns) if meta is not None else None
        except FileNotFoundError:
            continue
    return None
