"""The API served by uvicorn on a loopback port in a background thread, for tests that need
real concurrent HTTP clients (TestClient serialises requests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import uvicorn

from api.app import create_app
from jiuyuan.settings import DatabaseSettings, SearchSettings, Settings


@contextmanager
def live_server(database_url: str, search: SearchSettings | None = None) -> Iterator[str]:
    settings = Settings(db=DatabaseSettings(url=database_url))
    app = create_app(replace(settings, search=search) if search else settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
