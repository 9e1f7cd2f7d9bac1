"""Security headers on every response, set in one place (``before_send``): no sniffing, no
referrer, no framing, a content policy for the /ui page and the docs, and ``no-store`` on
everything but the static files (any API answer can carry personal data)."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

# The /ui page loads its own script and stylesheet only; the Swagger page under /schema has one
# inline script and one inline style (Litestar's template) and a favicon from the Litestar CDN.
CSP_APP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
CSP_DOCS = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS = "/schema"
STATIC = ("/ui/", "/schema-assets/")
"""Paths of static files (the /ui page, its script and styles, the docs' assets): no personal data, cacheable."""


def security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: adds the headers to the start of every HTTP response."""
    if message["type"] != "http.response.start":
        return
    path = str(scope.get("path", ""))
    headers = MutableScopeHeaders.from_message(message)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    docs = path == DOCS or path.startswith(DOCS + "/")
    headers["Content-Security-Policy"] = CSP_DOCS if docs else CSP_APP
    if not path.startswith(STATIC):
        headers["Cache-Control"] = "no-store"


def allow_every_method(message: Message, scope: Scope) -> None:
    """``before_send`` hook: an OPTIONS answer's ``Allow`` lists every method of the path, across
    the controllers that share it (Litestar's own lists one controller's)."""
    if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
        return
    template = scope.get("path_template")
    methods = {
        m for route in scope["app"].routes if getattr(route, "path_format", None) == template for m in route.methods
    }
    if methods:
        MutableScopeHeaders.from_message(message)["Allow"] = ", ".join(sorted(methods))


__all__ = ["allow_every_method", "security_headers"]
