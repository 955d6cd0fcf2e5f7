"""Waiting on the office's server is bounded: keepalives both ways, a bound on
unacknowledged data, and a statement waiting on a silent server cut short (a real
PostgreSQL server; these tests are of what only a shared database has)."""

from __future__ import annotations

import os
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import text

from amudesk import serverlink
from amudesk.store import server_unreachable

pytestmark = pytest.mark.postgres_only


def _driver_connection(session: Any) -> Any:
    return session.connection().connection.driver_connection


def test_each_connection_probes_both_ways_and_gives_up_on_unacknowledged_data(
    store: Any,
) -> None:
    with store.session() as session:
        found = {
            name: session.execute(text(f"SHOW {name}")).scalar_one()
            for name in ("tcp_keepalives_idle", "tcp_keepalives_interval", "tcp_keepalives_count")
        }
        assert found == {  # the server's side: a vanished laptop's locks go within a minute
            "tcp_keepalives_idle": "30",
            "tcp_keepalives_interval": "10",
            "tcp_keepalives_count": "3",
        }
        assert session.execute(text("SHOW timezone")).scalar_one() == "UTC"
        descriptor = _driver_connection(session).fileno()
        with socket.fromfd(descriptor, socket.AF_INET, socket.SOCK_STREAM) as client:
            if client.getsockname()[0] not in ("127.0.0.1", "::1"):  # pragma: no cover
                pytest.skip("the test server is not reached over TCP")
            assert client.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
            if hasattr(socket, "TCP_KEEPIDLE"):  # Linux
                assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 10
                assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == 5
                assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3
            if hasattr(socket, "TCP_USER_TIMEOUT"):
                assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 20_000


@contextmanager
def _waiting_statement(store: Any, sql: str) -> Iterator[dict[str, Any]]:
    """Run ``sql`` in a thread of its own, as the UI thread would; yields what it got."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            with store.session() as session:
                outcome["pid"] = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
                started.set()
                session.execute(text(sql))
                outcome["result"] = "answered"
        except Exception as error:  # what the window would be told
            outcome["error"] = error
        finally:
            started.set()

    started = threading.Event()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    started.wait(30)
    try:
        yield outcome
    finally:
        thread.join(30)
        assert not thread.is_alive(), "the statement was never cut short"


@contextmanager
def _observer(store: Any) -> Iterator[Any]:
    """A connection of its own to the same database, to watch and end the test's backends."""
    from sqlalchemy import create_engine

    engine = create_engine(store.engine.url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _state(observer: Any, pid: int) -> str | None:
    """What the server says backend ``pid`` is doing."""
    observer.rollback()  # a fresh snapshot of the server's activity
    return observer.execute(
        text("SELECT state FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
    ).scalar()


def test_a_statement_waiting_on_the_server_fails_at_once_when_cut_and_the_next_one_reconnects(
    store: Any,
) -> None:
    with _observer(store) as observer:
        with _waiting_statement(store, "SELECT pg_sleep(600)") as outcome:
            pid = outcome["pid"]
            asked = 0
            while _state(observer, pid) != "active":  # the sleep has reached the server
                asked += 1
                assert asked < 10_000
            assert store.sever() >= 1
        error = outcome.get("error")
        assert error is not None and outcome.get("result") is None
        assert server_unreachable(error)  # said as "the server cannot be reached"
        assert _state(observer, pid) == "active"  # never waited for: the server still sleeps
        store.heard()  # the server answers the watcher again
        with store.session() as session:  # the pool finds the cut connection dead: a new one
            assert session.execute(text("SELECT 1")).scalar_one() == 1
        observer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def test_a_stopped_server_process_no_longer_freezes_whoever_waits_on_it(store: Any) -> None:
    """The server's process stopped (SIGSTOP): the system still acknowledges every packet,
    so no timeout of the connection fires; cutting it ends the wait."""
    with store.session() as session:
        pid = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        try:
            os.kill(pid, signal.SIGSTOP)
        except PermissionError:
            pytest.skip("the test server's processes belong to another user")
        try:
            timer = threading.Timer(0.2, store.sever)
            timer.start()
            with pytest.raises(Exception) as raised:
                session.execute(text("SELECT 1"))
            timer.join()
        finally:
            os.kill(pid, signal.SIGCONT)
    assert server_unreachable(raised.value)
    store.heard()
    with store.session() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_only_open_connections_are_cut_and_a_laptop_store_has_none(
    store: Any, tmp_path: Any
) -> None:
    from amudesk.services.desk import open_desk
    from tests.keys import FAST_KDF, PASSPHRASE

    with store.session() as session:
        session.execute(text("SELECT 1"))
    store.engine.dispose()  # every connection closed
    assert serverlink.sever(store.engine) == 0
    laptop = open_desk(tmp_path / "laptop", passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert laptop.sever() == 0
    finally:
        laptop.close()


def test_once_cut_no_connection_is_opened_until_the_server_answers_the_watcher(
    store: Any,
) -> None:
    """A pool's ping that finds a cut connection opens a new one; on a silent server that
    would wait the whole connection timeout again: it is refused at once instead."""
    with store.session() as session:
        session.execute(text("SELECT 1"))
    assert store.sever() == 1
    with pytest.raises(Exception) as refused, store.session() as session:
        session.execute(text("SELECT 1"))
    assert server_unreachable(refused.value)
    with serverlink.probing(), store.session() as session:  # the watcher's own question
        assert session.execute(text("SELECT 1")).scalar_one() == 1
    store.heard()  # it answered: everyone may connect again
    assert not store.away
    with store.session() as session:
        session.connection().invalidate()  # a new connection, not the pooled one
    with store.session() as session:
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_an_older_libpq_is_not_handed_a_parameter_it_would_refuse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import psycopg

    monkeypatch.setattr(psycopg.pq, "version", lambda: 110_005)
    older = serverlink.connect_args(5)
    assert "tcp_user_timeout" not in older and older["keepalives"] == 1
    monkeypatch.setattr(psycopg.pq, "version", lambda: 160_002)
    assert serverlink.connect_args(5)["tcp_user_timeout"] == serverlink.UNACKNOWLEDGED_MS
