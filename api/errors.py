"""One error hierarchy, one mapping to RFC 9457 problem details with Chinese titles."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.exc import DBAPIError, OperationalError

from jiuyuan.validation import InvalidInput
from ledger.claims import ClaimConflict
from ledger.intake import Duplicate
from ledger.reports import ReportRefused

log = logging.getLogger("jiuyuan.api")

PROBLEM_JSON = "application/problem+json"
_TITLES = {
    400: "请求参数有误",
    401: "未登录或登录已失效",
    403: "没有权限访问",
    404: "未找到",
    405: "不支持该请求方法",
    409: "数据冲突",
    413: "请求内容过大",
    415: "不支持的内容类型",
    422: "输入有误",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误",
    503: "服务暂时不可用，请稍后重试",
}


def problem_responses(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries saying these statuses answer with problem details."""
    from api.schemas import ProblemDetails

    return {
        status: ResponseSpec(ProblemDetails, description=_TITLES.get(status, "错误"), media_type=PROBLEM_JSON,
                             generate_examples=False)
        for status in statuses
    }


class ApplicationError(Exception):
    status_code = 500
    type_slug = "internal-error"

    def __init__(self, detail: str, **extra: Any):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(ApplicationError):
    status_code = 404
    type_slug = "not-found"


def problem(request: Request, status: int, slug: str, detail: str, headers: dict[str, str] | None = None,
            **extra: Any) -> Response:
    body = {
        "type": f"urn:jiuyuan:problem:{slug}",
        "title": _TITLES.get(status, "请求失败"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _errors(exc: InvalidInput | Duplicate | ClaimConflict) -> list[dict[str, str]]:
    return [{"field": e.field, "message": e.message} for e in exc.errors]


def on_invalid_input(request: Request, exc: InvalidInput) -> Response:
    return problem(request, 422, "invalid-input", "有字段填写不正确，未保存任何数据。", errors=_errors(exc))


def on_duplicate(request: Request, exc: Duplicate) -> Response:
    return problem(request, 409, "duplicate", "记录已存在，未重复保存。", errors=_errors(exc))


def on_claim_conflict(request: Request, exc: ClaimConflict) -> Response:
    return problem(request, 409, "claim-conflict", exc.errors[0].message, errors=_errors(exc))


def on_report_refused(request: Request, exc: ReportRefused) -> Response:
    return problem(request, 422, "report-rules-broken", "报表逻辑关系不成立，未生成报表。",
                   errors=[{"field": b.region, "message": f"{b.rule}：{b.values}"} for b in exc.breaks])


def on_application_error(request: Request, exc: ApplicationError) -> Response:
    return problem(request, exc.status_code, exc.type_slug, exc.detail, **exc.extra)


def on_validation_exception(request: Request, exc: ValidationException) -> Response:
    errors = [
        {"field": str(e.get("key") or e.get("source") or ""), "message": f"格式不正确（{e.get('message')}）"}
        for e in (exc.extra if isinstance(exc.extra, list) else [])
        if isinstance(e, dict)
    ]
    # Litestar names a missing required parameter only in its message.
    if not errors and (missing := re.search(r"Missing required \w+ parameter '([^']+)'", str(exc.detail))):
        errors = [{"field": missing.group(1), "message": "缺少必填参数"}]
    return problem(request, 400, "bad-request", "请求参数格式不正确。", errors=errors)


def on_http_exception(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    detail = _TITLES.get(status, "请求失败") if status >= 500 or exc.detail == "" else str(exc.detail)
    slug = {401: "unauthenticated", 403: "forbidden", 404: "not-found", 405: "method-not-allowed"}.get(
        status, "http-error")
    if status == 404:
        detail = "请求的地址或记录不存在。"
    headers = dict(exc.headers or {})  # e.g. the Allow header of a 405
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="jiuyuan"'
    return problem(request, status, slug, detail, headers=headers or None)


def on_database_unavailable(request: Request, exc: DBAPIError) -> Response:
    log.error("database unavailable on %s: %s", request.url.path, exc.__class__.__name__)
    return problem(request, 503, "database-unavailable", "数据库暂时无法连接，本次操作未保存，请稍后重试。")


def on_database_error(request: Request, exc: DBAPIError) -> Response:
    if exc.connection_invalidated or isinstance(exc, OperationalError):
        return on_database_unavailable(request, exc)
    return on_unexpected(request, exc)


def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return problem(request, 500, "internal-error", "服务器处理请求时出错，已记录，请联系管理员。")


EXCEPTION_HANDLERS = {
    InvalidInput: on_invalid_input,
    Duplicate: on_duplicate,
    ClaimConflict: on_claim_conflict,
    ReportRefused: on_report_refused,
    ApplicationError: on_application_error,
    ValidationException: on_validation_exception,
    HTTPException: on_http_exception,
    DBAPIError: on_database_error,
    Exception: on_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "ApplicationError", "NotFound", "PROBLEM_JSON"]
