from __future__ import annotations

from litestar import get
from litestar.di import NamedDependency
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.errors import problem_responses
from api.schemas import Health
from jiuyuan import __version__


@get("/health", operation_id="health", tags=["system"], sync_to_thread=True,
     security=[], responses=problem_responses(500, 503), summary="健康检查 / health check")
def health(db_session: NamedDependency[Session]) -> Health:
    """Answers 200 when the service and its ledger respond; 503 problem details when the database does not.

    Returns:
        The service version and the database status.
    """
    db_session.execute(text("SELECT 1"))
    return Health(status="ok", database="ok", version=__version__)


ROUTES = [health]
