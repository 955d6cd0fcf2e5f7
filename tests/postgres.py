"""The PostgreSQL half of the tests: a fresh database per test on a real server.

``$AMUDESK_TEST_POSTGRES`` names a server where the tests may create databases (a
superuser's URL, ``postgresql://user@host:port/postgres``); ``make test`` starts a
throwaway one when PostgreSQL is installed (``scripts/postgres.sh run``). Without it the
PostgreSQL half is skipped, with :data:`SKIP_REASON` shown in the summary.

Each test gets its own database, copied from a template migrated and filled once per run
(``CREATE DATABASE … TEMPLATE``: a file copy, far quicker than migrating again). A copy
still takes a third of a second (the server writes a checkpoint), so a thread keeps a few
copies ready while the tests run.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "AMUDESK_TEST_POSTGRES"
SKIP_REASON = (
    "PostgreSQL half skipped: no server for the tests. Install PostgreSQL (Debian: "
    "postgresql) and run make test, or set $AMUDESK_TEST_POSTGRES to a superuser's URL."
)
_RUN = uuid.uuid4().hex[:8]  # this run's databases, apart from another run's on the server
_numbers = itertools.count(1)
_template: str | None = None
AHEAD = 3  # copies kept ready
_ready: queue.Queue[str | BaseException] = queue.Queue(maxsize=AHEAD)
_maker: threading.Thread | None = None
_stop = threading.Event()


def server_url() -> str | None:
    """The server's URL (``postgresql+psycopg://…/postgres``), or None."""
    url = os.environ.get(ENV, "").strip()
    if not url:
        return None
    return "postgresql+psycopg://" + url.split("://", 1)[1]


def available() -> bool:
    return server_url() is not None


def database_url(name: str) -> str:
    server = server_url()
    assert server is not None, SKIP_REASON
    return server.rsplit("/", 1)[0] + "/" + name


def _admin(sql: str) -> None:
    """Run ``sql`` outside a transaction (CREATE and DROP DATABASE need it)."""
    import psycopg

    server = os.environ[ENV]
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(sql)  # type: ignore[arg-type]


def _template_name() -> str:
    """The migrated, filled template of this run (made on first use)."""
    global _template
    if _template is None:
        from amudesk.services.desk import open_desk

        name = f"amudesk_t_{_RUN}_template"
        _admin(f'CREATE DATABASE "{name}"')
        store = open_desk(url=database_url(name))
        store.close()
        _template = name
    return _template


def _make_copies(template: str) -> None:
    """The thread that keeps copies of the template ready (a failure is handed on)."""
    while not _stop.is_set():
        name = f"amudesk_t_{_RUN}_{next(_numbers)}"
        made: str | BaseException = name
        try:
            _admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        except BaseException as exc:  # the test that takes it fails with it
            made = exc
        while not _stop.is_set():
            try:
                _ready.put(made, timeout=0.2)
                break
            except queue.Full:
                continue
        if isinstance(made, BaseException):
            return


@contextmanager
def fresh_database() -> Iterator[str]:
    """A new database holding what a new desk holds (schema and the CPAS directory), its
    URL given; dropped afterwards (connections closed by the caller first)."""
    global _maker
    template = _template_name()
    if _maker is None:
        _maker = threading.Thread(target=_make_copies, args=(template,), daemon=True)
        _maker.start()
    name = _ready.get()
    if isinstance(name, BaseException):
        raise name
    try:
        yield database_url(name)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def drop_all() -> None:
    """Drop this run's databases still on the server: the template and the ready copies
    (at the end of the run; the copying thread is then stopped by the process's end)."""
    import psycopg

    _stop.set()
    if _maker is not None:
        _maker.join(timeout=30)
    with psycopg.connect(os.environ[ENV], autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (f"amudesk_t_{_RUN}_%",),
            )
        ]
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
