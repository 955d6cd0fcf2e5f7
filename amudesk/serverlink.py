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
  The command line has no window: a :class:`Heartbeat` asks instead (:func:`keep_asking`).

Qt-free; only the PostgreSQL engine is tracked (a laptop's SQLite has no server).
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine, event

from amudesk.storeerrors import causes

log = logging.getLogger(__name__)

KEEPALIVE_IDLE_S = 10  # the client's probes of an idle connection start after
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_COUNT = 3
UNACKNOWLEDGED_MS = 20_000  # data the server has not acknowledged: given up after
SERVER_KEEPALIVE = (30, 10, 3)  # the server's probes of a silent laptop: idle, interval, count
SILENCE_S = 10.0  # a question unanswered this long: the server is taken as silent
HEARTBEAT_EVERY_S = 3.0


class _Link:
    """What is known of one engine's connections to the server."""

    def __init__(self) -> None:
        self.connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self.silent = False  # cut for silence: no new connection until the server answers
        self.heartbeat: Heartbeat | None = None


class Heartbeat:
    """For a process without a window (the command line): the server asked ``SELECT 1``
    every :data:`HEARTBEAT_EVERY_S` seconds from a thread of its own, on a connection of its
    own; a question unanswered for :data:`SILENCE_S` seconds cuts every connection
    (:func:`sever`), so that a command waiting on a stopped server ends, in one line,
    instead of never. A long statement of the command's own does not count: the question
    goes on another connection, which a working server answers at once."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="server-heartbeat", daemon=True)

    def _run(self) -> None:
        while not self.stopping.wait(HEARTBEAT_EVERY_S):
            try:
                with asking(SILENCE_S, self._silent), self.engine.connect() as connection:
                    connection.exec_driver_sql("SELECT 1")
                heard(self.engine)
            except Exception as error:
                if timed_out(error):  # a stopped server takes the connection, never answers
                    self._silent()
                # else gone, not silent: the command's own statements fail and say so

    def _silent(self) -> None:
        if not self.stopping.is_set():
            sever(self.engine)


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


@contextlib.contextmanager
def asking(
    silence_s: float, on_silent: Callable[[], object], *, name: str = "server-silence"
) -> Iterator[None]:
    """A question that finds out whether the server answers: in the block this thread may
    connect even to a server cut for silence (:func:`probing`), and ``on_silent`` is called
    from a timer thread (named ``name``) if the block has not ended after ``silence_s``."""
    silence = threading.Timer(silence_s, on_silent)
    silence.daemon = True
    silence.name = name
    silence.start()
    try:
        with probing():
            yield
    finally:
        silence.cancel()


def heard(engine: Engine) -> None:
    """The server answered again: connections may be opened as before."""
    link = _links.get(engine)
    if link is not None:
        link.silent = False


def timed_out(error: BaseException) -> bool:
    """Whether ``error`` (wrapped by SQLAlchemy or not) is a connection that timed out: the
    server took it and never answered, as a stopped one does."""
    import psycopg

    return any(isinstance(found, psycopg.errors.ConnectionTimeout) for found in causes(error))


def keep_asking(engine: Engine) -> None:
    """Start a :class:`Heartbeat` for ``engine`` (a tracked one; until :func:`stop_asking`)."""
    link = _links.get(engine)
    if link is not None and link.heartbeat is None:
        link.heartbeat = Heartbeat(engine)
        link.heartbeat.thread.start()


def stop_asking(engine: Engine) -> None:
    """Stop ``engine``'s heartbeat, if it has one (a question under way is cut short)."""
    link = _links.get(engine)
    if link is None or link.heartbeat is None:
        return
    heartbeat, link.heartbeat = link.heartbeat, None
    heartbeat.stopping.set()
    heartbeat.thread.join(1)
    if heartbeat.thread.is_alive():  # asking a silent server: cut it, then it ends
        sever(engine)
        heartbeat.thread.join()


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
        log.info("server not answering: %d connection(s) cut", severed)
    return severed
