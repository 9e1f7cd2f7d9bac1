"""Dependencies: one ledger session per request.

Handlers that write commit themselves, inside their worker thread; whatever they did
not commit is rolled back when the session closes, so a failed request writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator

from litestar.datastructures import State
from sqlalchemy.orm import Session


def provide_session(state: State) -> Iterator[Session]:
    session: Session = state.sessions()
    try:
        yield session
    finally:
        session.close()
