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


class _SilentServer:
    """An engine whose server takes every question and never answers (until released)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def connect(self) -> _SilentServer:
        return self

    def __enter__(self) -> _SilentServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def exec_driver_sql(self, _sql: str) -> None:
        self.release.wait(30)


def test_the_command_lines_heartbeat_cuts_every_connection_when_unanswered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cut = threading.Event()
    monkeypatch.setattr(serverlink, "HEARTBEAT_EVERY_S", 0.01)
    monkeypatch.setattr(serverlink, "SILENCE_S", 0.1)
    monkeypatch.setattr(serverlink, "sever", lambda _engine: cut.set() or 1)
    server = _SilentServer()
    heartbeat = serverlink.Heartbeat(server)  # type: ignore[arg-type]
    heartbeat.thread.start()
    try:
        assert cut.wait(10)  # the command waiting on the server is freed
    finally:
        heartbeat.stopping.set()
        server.release.set()
        heartbeat.thread.join(5)
    assert not heartbeat.thread.is_alive()


def test_a_long_statement_of_the_command_is_not_taken_for_a_silent_server(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(serverlink, "HEARTBEAT_EVERY_S", 0.01)
    monkeypatch.setattr(serverlink, "SILENCE_S", 0.3)
    serverlink.keep_asking(store.engine)
    heartbeat = serverlink._links[store.engine].heartbeat
    assert heartbeat is not None and heartbeat.thread.is_alive()
    with store.session() as session:  # longer than the silence: the server answers the rest
        assert session.execute(text("SELECT 1 FROM pg_sleep(0.6)")).scalar_one() == 1
    store.close()  # the heartbeat stops with the store
    assert not heartbeat.thread.is_alive()


def test_a_command_whose_server_stopped_answering_says_so_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cut by the heartbeat, a command ended with libpq's own lines, tabs and all."""
    import psycopg
    from sqlalchemy.exc import OperationalError

    from amudesk import cli

    def cut(_args: Any) -> int:
        raise OperationalError(
            "SELECT 1",
            {},
            psycopg.OperationalError(
                "consuming input failed: server closed the connection unexpectedly\n\t"
                "This probably means the server terminated abnormally"
            ),
        )

    monkeypatch.setattr(cli, "cmd_deadlines", cut)
    code = cli.main(["--lang", "en", "--data-dir", str(tmp_path), "deadlines"])
    err = capsys.readouterr().err
    assert code == 2
    assert err == "amudesk: The office's server cannot be reached.\n"


def _connect_timed_out() -> Exception:
    import psycopg
    from sqlalchemy.exc import OperationalError

    return OperationalError(
        "connect", {}, psycopg.errors.ConnectionTimeout("connection timeout expired")
    )


def test_a_connection_that_timed_out_is_told_from_one_refused() -> None:
    import psycopg
    from sqlalchemy.exc import OperationalError

    assert serverlink.timed_out(_connect_timed_out())
    refused = OperationalError("connect", {}, psycopg.OperationalError("too many clients"))
    assert not serverlink.timed_out(refused)
    assert not serverlink.timed_out(ValueError("no"))


def test_the_heartbeat_cuts_when_its_own_connection_times_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A stopped server accepts the connection and never answers: the heartbeat's new
    connection times out (5 s) before its question could go silent; what waits on the
    connections already open is cut then."""
    cut = threading.Event()

    class Unanswering:
        def connect(self) -> Any:
            raise _connect_timed_out()

    monkeypatch.setattr(serverlink, "HEARTBEAT_EVERY_S", 0.01)
    monkeypatch.setattr(serverlink, "SILENCE_S", 30)
    monkeypatch.setattr(serverlink, "sever", lambda _engine: cut.set() or 1)
    heartbeat = serverlink.Heartbeat(Unanswering())  # type: ignore[arg-type]
    heartbeat.thread.start()
    try:
        assert cut.wait(10)
    finally:
        heartbeat.stopping.set()
        heartbeat.thread.join(5)


def test_a_connection_that_timed_out_is_said_as_the_server_cannot_be_reached() -> None:
    """It was said as "something went wrong" (the class is not OperationalError itself)."""
    assert server_unreachable(_connect_timed_out())
