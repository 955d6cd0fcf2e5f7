"""Long work off the UI thread: a task with progress, a real cancel and a finished signal."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QDeadlineTimer,
    QEventLoop,
    QObject,
    QThread,
    QTimer,
    Signal,
)

from amudesk.failures import describe_exception

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside a task when the user pressed Cancel."""


class Task(QObject):
    """Runs ``function(progress=..., cancelled=...)`` in its own thread.

    ``progress(done, total)`` is emitted as the ``progress`` signal; ``cancelled()``
    returns True once ``cancel()`` was called, and the function should stop then
    (raising :class:`Cancelled` or returning). ``finished`` carries the result,
    ``failed`` the exception; exactly one of them is emitted, always on the UI thread.
    """

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, function: Callable[..., Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._function = function
        self._cancel = threading.Event()
        self._thread: QThread | None = None
        self.reported = False  # finished or failed was emitted (and handled)

    def start(self) -> None:
        self._thread = QThread()
        worker = _Worker(self._function, self._cancel)
        worker.moveToThread(self._thread)
        self._worker = worker
        self._thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.done.connect(self._done)
        worker.error.connect(self._error)
        self._thread.start()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, milliseconds: int = 30_000) -> bool:
        return self._thread.wait(milliseconds) if self._thread else True

    def wait_reported(self, milliseconds: int = 30_000) -> bool:
        """Wait for the work, then let its finished/failed signal reach its slots (tests,
        closing a dialog); False when that took longer than ``milliseconds``."""
        if not self.wait(milliseconds):
            return False
        deadline = QDeadlineTimer(milliseconds)
        while not self.reported and not deadline.hasExpired():
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        return self.reported

    def _stop_thread(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()

    def _done(self, result: object) -> None:
        self._stop_thread()
        self.reported = True
        self.finished.emit(result)

    def _error(self, error: object) -> None:
        self._stop_thread()
        self.reported = True
        self.failed.emit(error)


class _Worker(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    error = Signal(object)

    def __init__(self, function: Callable[..., Any], cancel: threading.Event) -> None:
        super().__init__()
        self._function = function
        self._cancel = cancel

    def run(self) -> None:
        try:
            result = self._function(progress=self.progress.emit, cancelled=self._cancel.is_set)
        except Exception as exc:  # handed to the UI thread, shown there
            if not isinstance(exc, Cancelled):
                # Where, not what: the message may quote a name (a file's first line …).
                log.error(
                    "background task failed: %s",
                    describe_exception(type(exc), exc, exc.__traceback__),
                )
            self.error.emit(exc)
        else:
            self.done.emit(result)
        finally:
            # End the thread's event loop from inside, so that Task.wait() on the UI thread
            # returns as soon as the work is over instead of waiting for that thread to stop it.
            thread = QThread.currentThread()
            if thread is not None:
                thread.quit()


# Tasks whose screen is gone while their thread still runs (see keep_alive).
_ORPHANS: list[Task] = []


def keep_alive(task: Task) -> None:
    """Keep ``task`` (abandoned by a screen that closed) alive until its thread ends: Qt
    aborts the program when a running thread's object is deleted."""
    task.setParent(None)
    _ORPHANS.append(task)

    def forget() -> None:
        if task in _ORPHANS:
            _ORPHANS.remove(task)

    def release(*_outcome: object) -> None:
        # Later, not inside the task's own signal: the last reference is dropped then.
        QTimer.singleShot(0, forget)

    task.finished.connect(release)
    task.failed.connect(release)


class UiThreadCollector(QObject):
    """Python's cycles collected on the UI thread only, while the window runs.

    The collector otherwise runs in whichever thread happens to allocate: a background
    task's thread would then destroy the Qt objects of the cycles it finds (a timer of a
    closed dialog, a lambda's widget), which Qt forbids outside their own thread ("QBasicTimer
    can only be used with threads started with QThread", and worse). So automatic
    collection stays off, and a timer on the UI thread collects as Python would have,
    generation by generation, when the counts pass the thresholds."""

    INTERVAL_MS = 300

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        gc.disable()
        self._timer.start()

    def stop(self) -> None:
        """Back to Python's own collection (the window is closing)."""
        self._timer.stop()
        gc.enable()

    def check(self) -> int:
        """Collect the generations whose counts passed their thresholds; the objects found
        unreachable (0 when nothing was due)."""
        counts = gc.get_count()
        if counts[0] <= self._thresholds[0]:
            return 0
        generation = 0
        if counts[1] > self._thresholds[1]:
            generation = 2 if counts[2] > self._thresholds[2] else 1
        return gc.collect(generation)
