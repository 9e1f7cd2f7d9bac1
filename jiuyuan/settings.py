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
        default_factory=lambda: _env(
            "JIUYUAN_DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'var' / 'jiuyuan.db'}"
        )
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
    arrangements_file: Path = field(default_factory=lambda: Path(_env(
        "JIUYUAN_HOLIDAY_ARRANGEMENTS",
        str(PROJECT_ROOT / "scoring" / "policies" / "calendar" / "holiday_arrangements.yaml"))))
    """The State Council holiday arrangements for years ``chinesecalendar`` does not cover yet."""


@dataclass(frozen=True)
class PolicySettings:
    local_parameters_file: Path | None = field(default_factory=lambda: (
        Path(_env("JIUYUAN_LOCAL_PARAMETERS", "")) if _env("JIUYUAN_LOCAL_PARAMETERS", "") else None))
    """The local parameters the documents leave to "按规定" (a ``scoring.load_local`` file); unset
    without it, and the decisions say so (eligible, amount set locally)."""


@dataclass(frozen=True)
class Settings:
    db: DatabaseSettings = field(default_factory=DatabaseSettings)
    server: ServerSettings = field(default_factory=ServerSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    policy: PolicySettings = field(default_factory=PolicySettings)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
