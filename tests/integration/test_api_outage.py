"""The database going away mid-request (API issue): 503 problem details, nothing half-written,
and the service answers again once the database is back. PostgreSQL is reached through a TCP
proxy the test can cut, the way a failed network or a restarted server looks to the service."""

from __future__ import annotations

import socket
import threading
from contextlib import suppress

import pytest
from litestar.testing import TestClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from api.app import create_app
from jiuyuan.settings import DatabaseSettings, Settings
from ledger import intake
from ledger.models import Placement, SubsidyDecision
from tests.conftest import bearer
from tests.integration.test_api_claims import POOR


class Proxy:
    """Forwards a loopback port to PostgreSQL until cut; can be started again on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self.listener: socket.socket | None = None
        self.links: list[socket.socket] = []

    def start(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.links += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with suppress(OSError):
            dst.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with suppress(OSError):  # shutdown wakes the thread blocked in accept(); close alone does not
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        for s in self.links:
            with suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()
        self.links.clear()


@pytest.mark.postgres
def test_database_lost_mid_request_is_503_with_nothing_written_and_the_service_recovers(migrated_url, sessions):
    if not migrated_url.startswith("postgresql"):
        pytest.skip("needs a database server to lose")
    with sessions.begin() as s:
        person_id = intake.add_person(s, POOR).id
    headers = bearer(migrated_url, "officer", "长沙县人社局", region="430121")
    direct = make_url(migrated_url)
    proxy = Proxy((direct.host, direct.port or 5432))
    proxy.start()
    via_proxy = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    app = create_app(Settings(db=DatabaseSettings(url=via_proxy)))
    body = {"person_id": person_id, "kind": "employer_absorption", "start_date": "2019-03-01", "contract_months": 24}

    def cut_after_the_placement_insert(conn, cursor, statement, *args):
        if statement.startswith("INSERT INTO placements"):
            proxy.cut()  # the row is sent; its decisions and the commit never reach the server

    with TestClient(app) as c:
        assert c.get("/health").status_code == 200
        engine = app.state.engine
        event.listen(engine, "after_cursor_execute", cut_after_the_placement_insert)
        lost = c.post("/placements", json=body, headers=headers)
        event.remove(engine, "after_cursor_execute", cut_after_the_placement_insert)
        assert lost.status_code == 503, lost.text
        assert lost.headers["content-type"].startswith("application/problem+json")
        assert "数据库暂时无法连接" in lost.json()["detail"] and "未保存" in lost.json()["detail"]
        assert c.get("/health").status_code == 503  # still away
        with sessions() as s:  # nothing half-written
            assert s.scalar(select(func.count()).select_from(Placement)) == 0
            assert s.scalar(select(func.count()).select_from(SubsidyDecision)) == 0
        proxy.start()  # the database is back, on the same address
        assert c.get("/health").status_code == 200
        again = c.post("/placements", json=body, headers=headers)
        assert again.status_code == 201 and again.json()["decisions"]
    proxy.cut()
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Placement)) == 1
