"""Bearer-token authentication and role guards.

Every route but health and the API docs needs a token (``Authorization: Bearer jy_…``) issued
with ``jiuyuan keys issue``. A missing, tampered, expired or revoked token answers 401 — from the
very next request on every worker process, since each request checks its key in the ledger; a valid
token whose role may not use the route answers 403. What a role may see inside a route (its own
employer, its own agency, its jurisdiction) is checked by the domain services (``services``), the
jurisdiction by ``services.jurisdiction`` alone.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult, DefineMiddleware
from litestar.openapi.spec import Components, SecurityRequirement, SecurityScheme

from jiuyuan.vocab import Role
from ledger import access
from ledger.access import Principal

PUBLIC_PATHS = ["^/health$", "^/schema", "^/ui", "^/$"]  # the page's files are public; its data is not
SECURITY_COMPONENTS = Components(
    security_schemes={
        "BearerToken": SecurityScheme(
            type="http",
            scheme="bearer",
            bearer_format="jy_<key id>.<secret>",
            description="由管理员用 `jiuyuan keys issue` 签发的访问令牌",
        ),
    }
)
SECURITY: list[SecurityRequirement] = [{"BearerToken": []}]


# No cache of valid tokens: a key revoked (``jiuyuan keys revoke``) must stop at once on every
# worker, and each worker's cache would hold it up to its lifetime. The check is one indexed read
# of ``api_keys`` and a SHA-256, in a worker thread.
def _lookup(connection: ASGIConnection, token: str) -> Principal | None:
    with connection.app.state.sessions() as session:
        return access.authenticate(session, token)


async def _principal(connection: ASGIConnection, token: str) -> Principal | None:
    return await anyio.to_thread.run_sync(_lookup, connection, token)


class TokenAuthentication(AbstractAuthenticationMiddleware):
    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        scheme, _, token = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌。")
        principal = await _principal(connection, token.strip())
        if principal is None:
            raise NotAuthorizedException("访问令牌无效、已过期或已吊销，请向管理员申请新令牌。")
        return AuthenticationResult(user=principal, auth=token)


AUTHENTICATION = DefineMiddleware(TokenAuthentication, exclude=PUBLIC_PATHS)


_BEFORE_REGISTRATION = "before_registration"
BEFORE_REGISTRATION = {_BEFORE_REGISTRATION: True}
"""Route ``opt`` for what an employer whose company is not yet registered may use: who am I,
the region picker, and registering its own company."""


def registered_employer(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """App-wide guard: an employer key issued for a company not yet registered reaches nothing
    else until the company registers itself (``POST /employers``); it has no employer to act as."""
    principal: Principal | None = connection.scope.get("user")
    if principal is None or not principal.unregistered_employer or handler.opt.get(_BEFORE_REGISTRATION):
        return
    raise PermissionDeniedException(
        f"贵单位（统一社会信用代码 {principal.employer_uscc}）尚未登记：请先登记本单位"
        "（POST /employers，页面上“登记本单位”），再发布岗位、查看候选人。"
    )


def allow(*roles: Role) -> Callable[[ASGIConnection, BaseRouteHandler], None]:
    """A guard letting only these roles (and administrators) through."""
    permitted = {*roles, Role.ADMIN}

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        if connection.scope.get("method") == "OPTIONS":  # says which methods exist, discloses nothing
            return
        principal: Principal = connection.user
        if principal.role not in permitted:
            raise PermissionDeniedException(
                f"{principal.role.label}无权使用此功能（仅限：{'、'.join(r.label for r in sorted(permitted))}）。"
            )

    guard.__name__ = "allow_" + "_".join(sorted(r.value for r in permitted))
    return guard
