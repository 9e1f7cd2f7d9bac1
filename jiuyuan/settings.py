"""Typed settings read from the environment, one dataclass per concern."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = field(
        default_factory=lambda: _env("JIUYUAN_DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'var' / 'jiuyuan.db'}")
    )
    """SQLAlchemy URL of the ledger. Default: a SQLite file under ``var/``."""
    echo: bool = field(default_factory=lambda: _env("JIUYUAN_DATABASE_ECHO", "") == "1")
    """Log every SQL statement (debugging only)."""


@dataclass(frozen=True)
class ServerSettings:
    host: str = field(default_factory=lambda: _env("JIUYUAN_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("JIUYUAN_PORT", "8000")))
    debug: bool = field(default_factory=lambda: _env("JIUYUAN_DEBUG", "") == "1")
    """Debug mode shows tracebacks in error bodies; never in production."""


@dataclass(frozen=True)
class CalendarSettings:
    arrangements_file: Path = field(
        default_factory=lambda: Path(
            _env(
                "JIUYUAN_HOLIDAY_ARRANGEMENTS",
                str(PROJECT_ROOT / "scoring" / "policies" / "calendar" / "holiday_arrangements.yaml"),
            )
        )
    )
    """The State Council holiday arrangements for years ``chinesecalendar`` does not cover yet."""


@dataclass(frozen=True)
class PolicySettings:
    local_parameters_file: Path | None = field(
        default_factory=lambda: (
            Path(_env("JIUYUAN_LOCAL_PARAMETERS", "")) if _env("JIUYUAN_LOCAL_PARAMETERS", "") else None
        )
    )
    """The local parameters the documents leave to "按规定" (a ``scoring.load_local`` file); unset
    without it, and the decisions say so (eligible, amount set locally)."""
    poverty_counties_file: Path = field(
        default_factory=lambda: Path(
            _env("JIUYUAN_POVERTY_COUNTIES", str(PROJECT_ROOT / "scoring" / "policies" / "poverty_counties.yaml"))
        )
    )
    """The dated list of poverty counties 004 §2(3)1 pays the higher job subsidy in; an officer
    keeps a copy with the province's full list and points this at it."""


@dataclass(frozen=True)
class PrivacySettings:
    purposes_file: Path = field(
        default_factory=lambda: Path(_env("JIUYUAN_PURPOSES", str(PROJECT_ROOT / "jiuyuan" / "purposes.yaml")))
    )
    """The vocabulary of purposes a read of a person is made for (``jiuyuan.purposes``); an office
    keeps its own copy and points this at it."""


@dataclass(frozen=True)
class SearchSettings:
    backend: str = field(default_factory=lambda: _env("JIUYUAN_SEARCH_BACKEND", "embedded"))
    """Where postings are searched: ``embedded`` (in-process, files under ``index_dir``; the
    default, no server to install) or ``opensearch`` (a cluster at ``opensearch_url``)."""
    opensearch_url: str | None = field(default_factory=lambda: _env("OPENSEARCH_URL", "") or None)
    """The OpenSearch cluster, e.g. ``http://search.internal:9200`` (the ``opensearch`` backend)."""
    opensearch_index: str = field(default_factory=lambda: _env("JIUYUAN_OPENSEARCH_INDEX", "jiuyuan-postings"))
    """The alias the postings are searched through; a rebuild swaps the index behind it."""
    index_dir: Path = field(
        default_factory=lambda: Path(_env("JIUYUAN_INDEX_DIR", str(PROJECT_ROOT / "var" / "index")))
    )
    """The embedded posting index; person profiles are kept in ``index_dir / "profiles"`` (both backends)."""
    model_dir: Path = field(
        default_factory=lambda: Path(
            _env("JIUYUAN_EMBEDDING_MODEL", str(PROJECT_ROOT / "var" / "models" / "jiuyuan-static-zh"))
        )
    )
    """The embedding model: a sentence-transformers folder (``jiuyuan index train-model`` writes one)."""
    ranker_path: Path = field(
        default_factory=lambda: Path(_env("JIUYUAN_RANKER", str(PROJECT_ROOT / "var" / "models" / "ranker.json")))
    )
    """The learned re-ranker (``jiuyuan train-ranker``); the rule ranker serves while it is absent."""

    def __post_init__(self) -> None:
        if self.backend not in ("embedded", "opensearch"):
            raise ValueError(f"JIUYUAN_SEARCH_BACKEND 应为 embedded 或 opensearch，收到 {self.backend!r}")
        if self.backend == "opensearch" and not self.opensearch_url:
            raise ValueError("JIUYUAN_SEARCH_BACKEND=opensearch 需要 OPENSEARCH_URL")


@dataclass(frozen=True)
class MarketSettings:
    """The gig market (零工市场) the counter page serves: printed on every job slip."""

    name: str = field(
        default_factory=lambda: _env("JIUYUAN_MARKET_NAME", "零工市场服务窗口").strip() or "零工市场服务窗口"
    )
    """The market's name, e.g. "长沙县零工市场"."""
    phone: str = field(default_factory=lambda: _env("JIUYUAN_MARKET_PHONE", "").strip())
    """The counter's phone, e.g. "0731-84012345"; empty: the slip says to ask at the counter."""


@dataclass(frozen=True)
class Settings:
    db: DatabaseSettings = field(default_factory=DatabaseSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    market: MarketSettings = field(default_factory=MarketSettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
