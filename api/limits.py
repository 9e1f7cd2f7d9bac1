"""Input limits applied to every request in one place (issue 17): control characters in the path,
single-valued query parameters given twice, lax coercion of JSON bodies, and the query dates of
``api.bounds``.

Litestar converts every handler's arguments with msgspec's lax rules (``strict=False``), which a
query string needs (all its values are text) but a JSON body does not: lax, ``"false"``, ``"1"``
and ``0`` all pass for a boolean, so a consent or a ``full_time`` flag meant something other than
what the caller typed. ``check_request`` converts a JSON body once more with ``strict=True`` and
answers 400, naming the field, wherever the strict reading refuses what the lax one accepted.
A number with no fraction (``585.0``) is an integer to JSON and to the OpenAPI document's JSON
Schema, so the strict reading takes it where an integer is due.
"""

from __future__ import annotations

import json
import re

import msgspec
from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import ClientException, ValidationException
from litestar.params import BodyKwarg
from litestar.types import ASGIApp, Receive, Scope, Send

from api.bounds import check_query_dates

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def refuse_control_characters(app: ASGIApp) -> ASGIApp:
    """Middleware: a NUL or other control character in the path answers 400 before any handler,
    static files included (a NUL reached ``os.stat`` there and answered 500)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _CONTROL.search(scope.get("path", "")):
            raise ClientException("请求地址中含有控制字符（如 NUL），无法处理，请检查地址。")
        await app(scope, receive, send)

    return middleware


async def check_request(request: Request) -> None:
    """``before_request`` hook for the whole app: no single-valued query parameter given twice,
    query dates in range, JSON bodies strict."""
    _one_value_each(request)
    check_query_dates(request)
    await _strict_json_body(request)


REPEATED = "Value given more than once"
"""Said as 只能填写一次 (``api.errors``): a query parameter, or a key of one JSON object."""


def _one_value_each(request: Request) -> None:
    """400 naming a query parameter given twice where the route takes one value. Litestar keeps the
    last one: ``purpose=岗位推荐&purpose=认定审核`` would be logged as one purpose while a proxy's
    log, or a reviewer reading the address, saw the other."""
    query = request.query_params
    repeated = {key for key in query if len(query.getall(key)) > 1}
    if not repeated:
        return
    for name, field in request.route_handler.parsed_fn_signature.parameters.items():
        alias = getattr(field.kwarg_definition, "query", None) or name
        many = field.is_non_string_collection or any(t.is_non_string_collection for t in field.inner_types or ())
        if alias in repeated and not many:
            raise ValidationException(
                "请求参数格式不正确。", extra=[{"message": REPEATED, "key": alias, "source": "query"}]
            )


async def _strict_json_body(request: Request) -> None:
    handler = request.route_handler
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None or request.method in ("GET", "HEAD"):
        return
    kwarg = data.kwarg_definition
    if isinstance(kwarg, BodyKwarg) and kwarg.media_type != RequestEncodingType.JSON:
        return  # multipart and form bodies are text by nature
    raw = await request.body()
    if not raw:
        return
    try:
        body = await request.json()  # cached: Litestar's own decoding reuses it
    except Exception:  # noqa: BLE001 - malformed JSON is the parser's to answer, in its words
        return
    if (key := _repeated_key(raw)) is not None:
        raise ValidationException("请求参数格式不正确。", extra=[{"message": REPEATED, "key": key, "source": "body"}])
    hook = handler.default_deserializer
    try:
        msgspec.convert(_whole_numbers(body), data.annotation, strict=True, dec_hook=hook, str_keys=True)
    except msgspec.ValidationError as strict:
        refused = strict  # the strict reading refuses what the lax one accepts
        try:
            msgspec.convert(body, data.annotation, strict=False, dec_hook=hook, str_keys=True)
        except msgspec.ValidationError as lax:
            refused = lax  # refused either way: answered here as Litestar would, but see below
        except (TypeError, ValueError):
            return  # Litestar answers it as it always has
        # The message ends with where in the body (`` - at `$[2].source` ``), which ``api.errors``
        # names as the field: Litestar drops it (row 3's field of a list body was "data").
        raise ValidationException(
            "请求参数格式不正确。", extra=[{"message": str(refused), "key": "data", "source": "body"}]
        ) from None
    except (TypeError, ValueError):
        return


def _repeated_key(raw: bytes) -> str | None:
    """The first key an object of the JSON body names twice, if any: parsers keep the last
    (``{"granted": true, "granted": false}`` withdrew a consent a log or a reviewer read as given)."""
    repeated: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        if not repeated and len({k for k, _ in items}) < len(items):
            seen: set[str] = set()
            repeated.append(next(k for k, _ in items if k in seen or seen.add(k)))
        return dict(items)

    try:
        json.loads(raw, object_pairs_hook=pairs)
    except ValueError:  # not JSON (or not UTF-8): answered by the parser as before
        return None
    return repeated[0] if repeated else None


def _whole_numbers(value: object) -> object:
    """``value`` with every float that is a whole number (``585.0``) as an int: JSON has one kind of
    number, and JSON Schema counts 585.0 as an integer. Floats stay floats where a float is due
    (msgspec takes an int there)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole_numbers(v) for k, v in value.items()}
    return value


__all__ = ["check_request", "refuse_control_characters"]
