"""How long anything waits on an office's PostgreSQL server, and how a wait is cut short.

Three ways a shared database can stop answering, and what bounds each:

- **The network goes** (a laptop's Wi-Fi drops, a cable is pulled): what the laptop sends
  is never acknowledged. ``tcp_user_timeout`` makes the system give up after
  :data:`UNACKNOWLEDGED_MS`; the client's keepalives find an idle connection dead within
  about :data:`KEEPALIVE_IDLE_S` + :data:`KEEPALIVE_INTERVAL_S` × :data:`KEEPALIVE_COUNT`
  seconds. Without them a statement could wait a quarter of an hour (the system's
  retransmissions).
- **A laptop vanishes** in the middle of a save (suspended, unplugged): the server would
  keep its transaction, and the row locks it holds (a receipt's counter: every desk's
  next receipt), for two hours, the system's default before it probes the peer. The
  server's own keepalives (:data:`SERVER_KEEPALIVE`, set for each session) end it in
  about a minute.
- **The server stops answering without going away** (its process stopped, its disk
  hung): the system still acknowledges every packet, so neither helps. The window's
  watcher (:mod:`amudesk.ui.changewatch`) notices that its question goes unanswered and
  calls :func:`sever`, which shuts down the socket of every connection of the engine: a
  statement waiting on one fails at once (the driver's ``OperationalError``, said as "the
  server cannot be reached") instead of freezing the window until the server wakes up.
  Until the watcher's question is answered again, no new connection is opened (a pool's
  ping that found a cut connection would otherwise wait the connection's timeout anew).

Qt-free; only the PostgreSQL engine is tracked (a laptop's SQLite has no server).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)

KEEPALIVE_IDLE_S = 10  # the client's probes of an idle connection start after
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_COUNT = 3
UNACKNOWLEDGED_MS = 20_000  # data the server has not acknowledged: given up after
SERVER_KEEPALIVE = (30, 10, 3)  # the server's probes of a silent laptop: idle, interval, count


class _Link:
    """What is known of one engine's connections to the server."""

    def __init__(self) -> None:
        self.connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self.silent = False  # cut for silence: no new connection until the server answers


_links: weakref.WeakKeyDictionary[Engine, _Link] = weakref.WeakKeyDictionary()
_local = threading.local()


def connect_args(connect_timeout: int) -> dict[str, Any]:
    """libpq's parameters for a connection to the office's server: moments in UTC, the
    server's keepalives for this session, the client's keepalives and the time the
    system waits for unacknowledged data (ignored where the system lacks it)."""
    idle, interval, count = SERVER_KEEPALIVE
    arguments: dict[str, Any] = {
        "options": (
            "-c timezone=UTC"
            f" -c tcp_keepalives_idle={idle}"
            f" -c tcp_keepalives_interval={interval}"
            f" -c tcp_keepalives_count={count}"
        ),
        "connect_timeout": connect_timeout,
        "keepalives": 1,
        "keepalives_idle": KEEPALIVE_IDLE_S,
        "keepalives_interval": KEEPALIVE_INTERVAL_S,
        "keepalives_count": KEEPALIVE_COUNT,
    }
    import psycopg

    if psycopg.pq.version() >= 120000:  # an older libpq refuses the parameter it lacks
        arguments["tcp_user_timeout"] = UNACKNOWLEDGED_MS
    return arguments


def track(engine: Engine) -> None:
    """Remember every driver connection ``engine`` opens, for :func:`sever`; once cut for
    silence, refuse to open new ones (but :func:`probing`) until :func:`heard`."""
    link = _links[engine] = _Link()

    def opened(dbapi_connection: Any, _record: Any) -> None:
        link.connections.add(dbapi_connection)

    def connecting(*_arguments: Any) -> None:
        # A pool's ping that found a cut connection opens a new one: on a server that
        # does not answer that would wait the whole connection timeout again.
        if link.silent and not getattr(_local, "probing", False):
            import psycopg

            raise psycopg.OperationalError("the server stopped answering")

    event.listen(engine, "connect", opened)
    event.listen(engine, "do_connect", connecting)


@contextlib.contextmanager
def probing() -> Iterator[None]:
    """In this block, this thread may connect even to a server cut for silence: the
    question that finds out whether it answers again."""
    _local.probing = True
    try:
        yield
    finally:
        _local.probing = False


def heard(engine: Engine) -> None:
    """The server answered again: connections may be opened as before."""
    link = _links.get(engine)
    if link is not None:
        link.silent = False


def sever(engine: Engine) -> int:
    """Shut down the socket of every open connection of ``engine`` (from any thread): a
    statement waiting on the server fails at once, and no new connection is opened until
    :func:`heard`. Returns how many were shut down."""
    link = _links.get(engine)
    if link is None:
        return 0
    link.silent = True
    severed = 0
    for connection in list(link.connections):
        try:
            descriptor = connection.fileno()
        except Exception:  # closed already: nothing waits on it
            continue
        try:
            # A duplicate of the descriptor: shutting it down shuts down the socket the
            # driver holds, whose own descriptor stays the driver's to close.
            with socket.fromfd(descriptor, socket.AF_INET, socket.SOCK_STREAM) as duplicate:
                duplicate.shutdown(socket.SHUT_RDWR)
        except OSError:  # not connected any more
            continue
        severed += 1
    if severed:
        log.warning("server not answering: %d connection(s) cut", severed)
    return severed
