"""Others' changes on a shared database, and the server going away.

Every change the desk makes is written with an audit entry, so the newest entry's id is a
change counter that costs one index read (:func:`amudesk.services.audit.latest_id`). On a
shared database the window asks it every few seconds, off the UI thread (a server that
does not answer never freezes the window): when it moved, ``changed`` is emitted and the
list, the worklist and the tray count are read again; when the question fails, ``lost`` is
emitted once (the window shows its banner), and ``back`` when the server answers again.
While the server is away the store refuses sessions at once (``Store.away``): a click or a
keystroke is told so without waiting for the connection's timeout.
A laptop's store has one user: nothing to watch.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from amudesk.services import audit
from amudesk.store import Store, server_unreachable
from amudesk.ui.workers import Task

log = logging.getLogger(__name__)

POLL_MS = 3000


class ChangeWatcher(QObject):
    changed = Signal()
    lost = Signal()
    back = Signal()

    def __init__(self, store: Store, parent: QObject | None = None, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.store = store
        self.mark: int | None = None
        self.reachable = True
        self._task: Task | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(poll_ms)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.check()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self._task is not None:
            self._task.wait()

    def check(self) -> None:
        """Ask for the change counter now (skipped while the previous answer is awaited)."""
        if self._task is not None or self.store.locked:
            return
        store = self.store

        def read(**_ignored: object) -> int:
            with store.session(even_away=True) as session:
                return audit.latest_id(session=session)

        task = Task(read, self)
        task.finished.connect(self._answered)
        task.failed.connect(self._failed)
        self._task = task
        task.start()

    def _answered(self, mark: object) -> None:
        self._task = None
        self.store.away = False
        if not self.reachable:
            self.reachable = True
            log.info("server reachable again")
            self.back.emit()
        if self.mark is not None and mark != self.mark:
            self.changed.emit()
        self.mark = int(mark)  # type: ignore[call-overload]

    def _failed(self, error: object) -> None:
        self._task = None
        # Not waited for again until it answers: the window's reads fail at once meanwhile.
        self.store.away = isinstance(error, BaseException) and server_unreachable(error)
        if self.reachable:
            self.reachable = False
            log.warning("server not reachable: %s", type(error).__name__)
            self.lost.emit()
