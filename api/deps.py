"""Dependencies: one unit of work per request, and the domain services over it.

``db_session`` is the request's unit of work. Handlers and services never commit: when the
handler has returned (its answer built and encoded, the response not sent yet) the session
commits, audit entries included; when the handler raises, it rolls back, so a failed request
writes nothing — not even the audit entry of what it read. A commit that fails (the database
went away) becomes the error answer (503), not a success that was never stored.

Services are provided per request over that session and the caller (``service(Persons)``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import anyio
from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from sqlalchemy.orm import Session

from ledger.access import Principal

log = logging.getLogger("jiuyuan.api")
T = TypeVar("T")


async def provide_session(state: State) -> AsyncIterator[Session]:
    """The request's session: committed after the handler returns, rolled back if it raises.

    Litestar runs the code after ``yield`` once the handler has returned and its response is
    built, before anything is sent; an exception there (a failed commit) becomes the error
    answer. An exception from the handler is thrown in at the ``yield``."""
    session: Session = state.sessions()
    try:
        yield session
    except Exception:
        await _quietly(session.rollback)  # the handler's exception is the answer, not a rollback's
        raise
    else:
        await _off_the_loop(session.commit)
    finally:
        await _quietly(session.close)


async def _off_the_loop(step: Callable[[], None]) -> None:
    """Run a step that ends a unit of work in a worker thread, outside anyio's default limiter.

    Handlers that work in anyio's threads (the claims route) hold that limiter's tokens, and under
    load they sit waiting for what only this commit gives back — a pooled connection, or a lock
    (50 agencies racing for one claim wait on the winner's unique-index entry). Queued behind
    them for a token, the commit would wait until the pool or the lock timed out. The steps that
    can run at once are bounded anyway, by the connections checked out."""
    await anyio.to_thread.run_sync(step, limiter=anyio.CapacityLimiter(1))


async def _quietly(step: Callable[[], None]) -> None:
    with anyio.CancelScope(shield=True):
        try:
            await _off_the_loop(step)
        except Exception:  # noqa: BLE001 — a dead connection cannot roll back; the server already has
            log.warning("ledger session cleanup failed", exc_info=True)


def service(cls: Callable[[Session, Principal], T]) -> Provide:
    """A dependency giving ``cls(db_session, caller)`` for the request."""

    def provide(request: Request[Principal, Any, Any], db_session: NamedDependency[Session]) -> Any:
        return cls(db_session, request.user)

    provide.__name__ = f"provide_{getattr(cls, '__name__', 'service').lower()}"
    return Provide(provide, sync_to_thread=False)
