"""A value loaded from files and loaded again when they change: one immutable snapshot at a time.

``Reloadable(key, load)`` asks ``key()`` on every ``get()`` (a few ``stat`` calls: cheap); when
the key differs from the one the current value was loaded under, ``load(key, previous)`` makes
the next value — ``previous`` is the current ``(key, value)`` or None, so a loader can keep the
parts whose own files did not change — and it replaces the current one in a single assignment.
A caller that took a value keeps a consistent one however long it uses it; a load that fails
raises to that caller and leaves the current value in place (the next ``get`` tries again).

Nothing loads at construction (no side effects at start-up): the first ``get`` does.
``Lazy(build)`` is the same for a part of a snapshot that only some requests read: built at its
first ``get``, once (a build that fails raises to that caller and is tried again by the next).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


class Reloadable(Generic[K, T]):
    def __init__(self, key: Callable[[], K], load: Callable[[K, tuple[K, T] | None], T]):
        self._key = key
        self._load = load
        self._lock = threading.Lock()
        self._current: tuple[K, T] | None = None

    @classmethod
    def fixed(cls, value: T) -> Reloadable[None, T]:
        """Always ``value`` (tests, tools): nothing is read from disk."""
        holder: Reloadable[None, T] = Reloadable(lambda: None, lambda key, previous: value)
        return holder

    def get(self) -> T:
        key = self._key()
        current = self._current
        if current is not None and current[0] == key:
            return current[1]
        with self._lock:  # one load at a time; a caller that waited finds it done
            current = self._current
            if current is None or current[0] != key:
                current = (key, self._load(key, current))
                self._current = current
            return current[1]


class Lazy(Generic[T]):
    def __init__(self, build: Callable[[], T]):
        self._build = build
        self._lock = threading.Lock()
        self._built: T | None = None

    def get(self) -> T:
        with self._lock:
            if self._built is None:
                self._built = self._build()
            return self._built
