"""Others' changes on a shared database, and the server going away.

Every change the desk makes is written with an audit entry, so the newest entry's id is a
change counter that costs one index read (:func:`amudesk.services.audit.latest_id`). On a
shared database the window asks it every few seconds, off the UI thread (a server that
does not answer never freezes the window): when it moved, ``changed`` is emitted and the
list, the worklist and the tray count are read again; when the question fails, ``lost`` is
emitted once (the window shows its banner), and ``back`` when the server answers again.
While the server is away the store refuses sessions at once (``Store.away``): a click or a
keystroke is told so without waiting for the connection's timeout.

A server that stops answering without going away (its process stopped, its disk hung)
fails nothing: a question just waits. The questions are therefore asked by a thread of
their own, on its own clock, not by a timer of the UI thread (which may be the one
waiting on the server). When one has waited :data:`SILENCE_S` seconds, a timer thread
marks the store away and cuts every connection (:meth:`amudesk.store.Store.sever`): a read
or a save waiting on the server fails at once, said as "cannot be reached", and ``lost``
is emitted. A laptop's store has one user: nothing to watch.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

from amudesk import serverlink
from amudesk.services import audit
from amudesk.store import Store, server_unreachable

log = logging.getLogger(__name__)

POLL_MS = 3000
SILENCE_S = 10.0  # a question unanswered this long: the server is taken as gone
STOP_WAIT_MS = 1000  # closing: a question's answer is awaited this long, then cut


class ChangeWatcher(QObject):
    changed = Signal()
    lost = Signal()
    back = Signal()
    # Emitted by the asking threads, handled on the UI thread (queued).
    _replied = Signal(object)
    _refused = Signal(object)
    _silent = Signal()

    def __init__(
        self,
        store: Store,
        parent: QObject | None = None,
        poll_ms: int = POLL_MS,
        silence_s: float = SILENCE_S,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.mark: int | None = None
        self.reachable = True
        self.poll_ms = poll_ms
        self.silence_s = silence_s
        self._lock = threading.Lock()
        self._asker: threading.Thread | None = None  # the thread asking now, if any
        self._clock: threading.Thread | None = None  # asks every poll_ms once started
        self._stopping = threading.Event()
        stopping = self._stopping  # not self: the lambda must outlive the C++ object
        self.destroyed.connect(lambda *_: stopping.set())  # a window gone without closing
        self._replied.connect(self._answered)
        self._refused.connect(self._failed)
        self._silent.connect(self._went_silent)

    @property
    def asking(self) -> bool:
        """Whether a question is waiting for its answer (or for the UI thread to hear it)."""
        return self._asker is not None

    def start(self) -> None:
        self.check()
        self._clock = threading.Thread(target=self._every_poll, name="change-watch", daemon=True)
        self._clock.start()

    def stop(self) -> None:
        """No question is left running: one the server does not answer is cut."""
        self._stopping.set()
        if self._clock is not None:
            self._clock.join()
            self._clock = None
        asker = self._asker
        if asker is not None:
            asker.join(STOP_WAIT_MS / 1000)
            if asker.is_alive():
                self.store.sever()  # a server that does not answer: the window closes anyway
                asker.join()

    def check(self) -> None:
        """Ask for the change counter now, in a thread (skipped while the previous answer
        is awaited, or while the desk is locked)."""
        with self._lock:
            if self._asker is not None or self.store.locked or self._stopping.is_set():
                return
            asker = self._asker = threading.Thread(
                target=self._ask, name="change-question", daemon=True
            )
        asker.start()

    def _every_poll(self) -> None:
        while not self._stopping.wait(self.poll_ms / 1000):
            self.check()

    def _ask(self) -> None:
        """In the asking thread: one question, cut short if it goes unanswered."""
        asker = threading.current_thread()
        try:
            with (
                serverlink.asking(
                    self.silence_s, lambda: self._unanswered(asker), name="change-silence"
                ),
                self.store.session(even_away=True) as session,
            ):
                answer: Any = audit.latest_id(session=session)
        except Exception as error:
            answer = error
        if self._stopping.is_set():
            self._asker = None
            return
        try:
            (self._refused if isinstance(answer, Exception) else self._replied).emit(answer)
        except RuntimeError:  # the watcher's window went meanwhile: nobody to tell
            self._stopping.set()

    def _unanswered(self, asker: threading.Thread) -> None:
        """In the silence timer's thread: the question is still unanswered."""
        if self._asker is not asker:
            return  # answered meanwhile
        self.store.away = True  # refused at once from now on, until the server answers
        self.store.sever()  # whatever waits on it (the UI thread perhaps) fails now
        self._silent.emit()

    def _went_silent(self) -> None:
        if self.reachable and self.store.away:
            self.reachable = False
            log.warning("server not answering for %.0f s", self.silence_s)
            self.lost.emit()

    def _answered(self, mark: object) -> None:
        self._asker = None
        self.store.heard()
        if not self.reachable:
            self.reachable = True
            log.info("server reachable again")
            self.back.emit()
        if self.mark is not None and mark != self.mark:
            self.changed.emit()
        self.mark = int(mark)  # type: ignore[call-overload]

    def _failed(self, error: object) -> None:
        self._asker = None
        # Not waited for again until it answers: the window's reads fail at once meanwhile.
        self.store.away = isinstance(error, BaseException) and server_unreachable(error)
        if isinstance(error, BaseException) and serverlink.timed_out(error):
            # A stopped server took the question's new connection and never answered: a
            # read already waiting on it would wait for ever.
            self.store.sever()
        if self.reachable:
            self.reachable = False
            log.warning("server not reachable: %s", type(error).__name__)
            self.lost.emit()
