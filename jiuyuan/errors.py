"""The service's one error hierarchy. Every layer raises these; the API maps each kind to an
RFC 9457 problem-details answer in Chinese (``api.errors``), the CLI prints the message.

Messages are Chinese sentences an end user can read; field errors name the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class JiuyuanError(Exception):
    """Base of every error the service raises on purpose. ``detail`` is what the user reads."""

    slug = "error"

    def __init__(self, detail: str, errors: list[FieldError] | None = None, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        self.extra = extra

    def __str__(self) -> str:
        return "；".join(str(e) for e in self.errors) if self.errors else self.detail


class InvalidInput(JiuyuanError):
    """One or more fields are wrong; nothing was written."""

    slug = "invalid-input"

    def __init__(self, errors: list[FieldError], detail: str = "有字段填写不正确，未保存任何数据。"):
        super().__init__(detail, errors)


class NotFound(JiuyuanError):
    """No such record, or not one the caller may know of (the same answer, on purpose)."""

    slug = "not-found"


class Forbidden(JiuyuanError):
    """The caller's role or jurisdiction does not allow this."""

    slug = "forbidden"


class Conflict(JiuyuanError):
    """The request clashes with what the ledger holds."""

    slug = "conflict"


class Duplicate(Conflict):
    """A row with the same natural key exists already."""

    slug = "duplicate"

    def __init__(self, field: str, message: str):
        super().__init__("记录已存在，未重复保存。", [FieldError(field, message)])


class ClaimConflict(Conflict):
    """A claim cannot be made or decided as asked; the field error says why."""

    slug = "claim-conflict"

    def __init__(self, field: str, message: str):
        super().__init__(message, [FieldError(field, message)])


class Unavailable(JiuyuanError):
    """A part the request needs (the search index, the database) cannot serve it now."""

    slug = "unavailable"


class SearchIndexUnavailable(Unavailable):
    slug = "search-index-unavailable"


@dataclass(frozen=True)
class RuleBreak:
    region: str
    rule: str
    values: str


class ReportRefused(JiuyuanError):
    """A report whose logic rules do not hold is refused, never emitted quietly."""

    slug = "report-rules-broken"

    def __init__(self, breaks: list[RuleBreak]):
        super().__init__(
            "报表逻辑关系不成立，未生成报表。", [FieldError(b.region, f"{b.rule}：{b.values}") for b in breaks]
        )
        self.breaks = breaks

    def __str__(self) -> str:
        return "报表逻辑关系不成立，拒绝生成：" + "；".join(f"{b.region} {b.rule}（{b.values}）" for b in self.breaks)
