"""The service's errors (``jiuyuan.errors``) and Litestar's own, mapped to RFC 9457 problem details with
Chinese titles."""

from __future__ import annotations

import logging
import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy.exc import DBAPIError, OperationalError

from jiuyuan.errors import Conflict, Forbidden, InvalidInput, JiuyuanError, NotFound, ReportRefused, Unavailable

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
        status: ResponseSpec(
            ProblemDetails, description=_TITLES.get(status, "错误"), media_type=PROBLEM_JSON, generate_examples=False
        )
        for status in statuses
    }


# What a problem body may echo of the caller's input: a message quoting a cell or a value is cut
# to an excerpt, and a long list of refused rows to its first entries (a 100 MB cell was echoed
# whole once). The limits are generous for every message the service itself writes.
MAX_TEXT = 300
MAX_ERRORS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def excerpt(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _capped_errors(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    shown = [{k: excerpt(v) if isinstance(v, str) else v for k, v in e.items()} for e in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        shown.append(
            {"field": "", "message": f"另有 {len(errors) - MAX_ERRORS} 处错误未列出，请改正以上各处后重新提交"}
        )
    return shown


def problem(
    request: Request, status: int, slug: str, detail: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    if isinstance(extra.get("errors"), list):
        extra["errors"] = _capped_errors(extra["errors"])
    body = {
        "type": f"urn:jiuyuan:problem:{slug}",
        "title": _TITLES.get(status, "请求失败"),
        "status": status,
        "detail": excerpt(detail),
        "instance": excerpt(_CONTROL.sub("\ufffd", request.url.path), 200),
        **extra,
    }
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# Each kind of the service's errors answers with one status; the first match wins.
STATUS: tuple[tuple[type[JiuyuanError], int], ...] = (
    (InvalidInput, 422),
    (ReportRefused, 422),
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (Unavailable, 503),
)


def on_jiuyuan_error(request: Request, exc: JiuyuanError) -> Response:
    status = next((code for kind, code in STATUS if isinstance(exc, kind)), 500)
    if status == 500:
        return on_unexpected(request, exc)
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return problem(request, status, exc.slug, exc.detail, **({"errors": errors} if errors else {}), **exc.extra)


# The parser's English messages (msgspec, Litestar), said in Chinese a clerk can act on; the first
# pattern that matches wins, and anything else is "格式不正确".
PARSER_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"matching regex"), "格式不正确"),
    (re.compile(r"Expected `str` of length >= (\d+)"), "长度应不少于{0}个字符"),
    (re.compile(r"Expected `str` of length <= (\d+)"), "长度应不超过{0}个字符"),
    (re.compile(r"Expected `array` of length >= (\d+)"), "应至少填写{0}项"),
    (re.compile(r"Expected `array` of length <= (\d+)"), "最多填写{0}项"),
    (re.compile(r"Expected `(?:int|float|number)` >= (-?[\d.]+)"), "应不小于{0}"),
    (re.compile(r"Expected `(?:int|float|number)` <= (-?[\d.]+)"), "应不大于{0}"),
    (re.compile(r"Expected `(?:int|float|number)` > (-?[\d.]+)"), "应大于{0}"),
    (re.compile(r"Expected `int(?: \| null)?`"), "应为整数"),
    (re.compile(r"Expected `(?:float|number|decimal)(?: \| null)?`"), "应为数字"),
    (re.compile(r"Expected `bool(?: \| null)?`"), "应为 true 或 false"),
    (re.compile(r"Expected `array(?: \| null)?`"), "应为列表"),
    (re.compile(r"Expected `object` of length <= (\d+)"), "最多{0}项"),
    (re.compile(r"Expected `object(?: \| null)?`"), "应为对象"),
    (
        re.compile(r"Invalid RFC3339 encoded date|Expected `date(?: \| null)?`"),
        "日期格式应为 YYYY-MM-DD，如 2026-12-01",
    ),
    (
        re.compile(r"Invalid RFC3339 encoded datetime|Expected `datetime(?: \| null)?`"),
        "时间格式应为 2026-12-01T09:30:00+08:00",
    ),
    (re.compile(r"Object missing required field `([^`]+)`"), "缺少必填字段 {0}"),
    (re.compile(r"Object contains unknown field `(.*?)`(?= - at `|$)"), "没有字段 {0}：请检查拼写（各字段见 /schema）"),
    (re.compile(r"Invalid enum value"), "不是可选的取值"),
    (re.compile(r"given more than once"), "只能填写一次"),
    (re.compile(r"Expected `str(?: \| null)?`"), "应为文字"),
    (re.compile(r"truncated|malformed|Input data"), "请求内容不是有效的 JSON"),
    (re.compile(r"Invalid UTF-8"), "请求内容不是有效的 UTF-8 文字"),
    (re.compile(r"Number out of range"), "数字超出可处理的范围"),
)

_CJK = re.compile("[\u4e00-\u9fff]")


def parser_message(message: str) -> str:
    for pattern, chinese in PARSER_MESSAGES:
        if found := pattern.search(message):
            return chinese.format(*found.groups())
    return "格式不正确"


_UNKNOWN_FIELD = re.compile(r"Object contains unknown field `(.*?)`(?= - at `|$)")
_AT_PATH = re.compile(r" - at `\$(.*)`$")


def _field(error: dict) -> str:
    """The field an error names: where in the body it is when the parser names only the body
    (``[2].source``, ``consents.foo``), an unknown field by its own name (``chanel``)."""
    key = str(error.get("key") or error.get("source") or "")
    message = str(error.get("message"))
    path = key
    if key in ("data", "body", ""):
        at = _AT_PATH.search(message)
        path = at.group(1).lstrip(".") if at else ""
    if unknown := _UNKNOWN_FIELD.search(message):
        return f"{path}.{unknown.group(1)}" if path else unknown.group(1)
    return path or key


def on_validation_exception(request: Request, exc: ValidationException) -> Response:
    errors = [
        {"field": _field(e), "message": parser_message(str(e.get("message")))}
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
        status, "http-error"
    )
    if not _CJK.search(detail):  # the framework's English (a body that is no JSON, a method): said in Chinese
        detail = {
            400: f"{parser_message(detail)}：请检查请求内容（JSON，UTF-8 编码）后重试。",
            405: "该地址不支持此请求方法，可用的方法见响应头 Allow。",
        }.get(status, _TITLES.get(status, "请求失败"))
    if status == 404:
        detail = "请求的地址或记录不存在。"
        if _CONTROL.search(request.url.path):  # no route matched, so the path middleware never ran
            status, slug, detail = 400, "http-error", "请求地址中含有控制字符（如 NUL），无法处理，请检查地址。"
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


def on_too_deep(request: Request, exc: RecursionError) -> Response:
    # JSON nested thousands deep exhausts the decoder's recursion: the caller's fault, not ours.
    return problem(request, 400, "too-deep", "请求内容嵌套过深，请检查提交的 JSON。")


def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return problem(request, 500, "internal-error", "服务器处理请求时出错，已记录，请联系管理员。")


EXCEPTION_HANDLERS = {
    JiuyuanError: on_jiuyuan_error,
    ValidationException: on_validation_exception,
    HTTPException: on_http_exception,
    DBAPIError: on_database_error,
    RecursionError: on_too_deep,
    Exception: on_unexpected,
}

__all__ = ["EXCEPTION_HANDLERS", "PROBLEM_JSON"]
