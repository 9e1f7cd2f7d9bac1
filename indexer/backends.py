"""Which search backend serves the postings: chosen by configuration (``Settings.search``:
``JIUYUAN_SEARCH_BACKEND=embedded|opensearch``, ``OPENSEARCH_URL``), never by the caller.

The person-profile index (people for a post) stays embedded with either backend, under
``index_dir / "profiles"``: it is rebuilt whole on every index run (a withdrawn consent leaves
at once) and holds one county's or city's job seekers.
"""

from __future__ import annotations

from pathlib import Path

from indexer.embedded import EmbeddedIndex
from indexer.opensearch import OpenSearchIndex
from indexer.protocol import SearchBackend
from indexer.versions import current, stamp
from jiuyuan.settings import SearchSettings

NO_INDEX = "检索索引尚未建立：请运行 jiuyuan index train-model 和 jiuyuan index rebuild。"


def open_backend(settings: SearchSettings) -> SearchBackend:
    """The configured posting index as it is now: the embedded files (``FileNotFoundError`` with
    what to run when there are none) or the OpenSearch alias (no request until first used)."""
    if settings.backend == "opensearch":
        assert settings.opensearch_url  # SearchSettings refuses opensearch without a URL
        return OpenSearchIndex(settings.opensearch_url, settings.opensearch_index)
    if current(settings.index_dir) is None:
        raise FileNotFoundError(NO_INDEX)
    return EmbeddedIndex.load(settings.index_dir)


def fresh_backend(settings: SearchSettings, dimension: int) -> SearchBackend:
    """An empty posting index to rebuild into; readers keep the old one until ``save``."""
    if settings.backend == "opensearch":
        assert settings.opensearch_url
        return OpenSearchIndex.fresh(settings.opensearch_url, settings.opensearch_index, dimension)
    return EmbeddedIndex(dimension, settings.index_dir)


def profiles_dir(settings: SearchSettings) -> Path:
    return settings.index_dir / "profiles"


def index_key(settings: SearchSettings) -> tuple[str, int] | None:
    """What changes when the posting index is rebuilt, updated or synced: the embedded index's
    live ``meta.json`` (``embedded.stamp``: a new version folder on each save); None without one. An OpenSearch alias is swapped
    on the cluster, so it has no key here: the same client serves every rebuild."""
    if settings.backend == "opensearch":
        return ("opensearch", 0)
    return stamp(settings.index_dir)
