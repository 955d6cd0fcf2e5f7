"""Long work in a screen: the one task it runs at a time, its progress bar, and a dialog
whose Cancel stops the work before it closes.

- ``TaskRunner`` starts a ``workers.Task`` and ends it: its outcome reaches ``finished`` or
  ``failed`` only while it is the screen's current task, and is then deleted; a closing
  screen may ``abandon`` it instead, to wait for it without its outcome.
- ``TaskDialog``: Esc, Close or Cancel while the work runs cancels it, and the dialog
  closes once it has stopped; closed by the program (locking), it stops the work first.
- ``progress_bar`` and ``show_progress``: the bar, and the figures a task reports on it.
- ``status_label`` and ``failure_message``: the line that says how the work went.
- ``fitted_size``: a large window's first size, on the screen it opens on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLabel, QProgressBar, QWidget

from amudesk.i18n import _
from amudesk.services import FieldError, NotFound
from amudesk.store import StoreError
from amudesk.ui.kit.hints import hint_label
from amudesk.ui.workers import Task

FALLBACK_SCREEN = QRect(0, 0, 1366, 728)


def _ignore(_outcome: object) -> None:
    """No task ran yet."""


class TaskRunner(QObject):
    """The long work a screen runs, one piece at a time."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self.was_cancelled = False  # the last task ended after a cancel was asked
        self._outcome: tuple[Callable[[Any], object], Callable[[object], object]] = (
            _ignore,
            _ignore,
        )

    @property
    def busy(self) -> bool:
        return self.task is not None

    def start(
        self,
        work: Callable[..., Any],
        *,
        finished: Callable[[Any], object],
        failed: Callable[[object], object],
        progress: Callable[[int, int], object] | None = None,
    ) -> Task:
        """Run ``work(progress=..., cancelled=...)`` off the UI thread; ``finished`` gets its
        result, ``failed`` the exception (``workers.Cancelled`` when it was cancelled)."""
        # Bound methods, not a lambda holding the task: released while Qt deleted the
        # task, such a lambda crashed the interpreter (segmentation fault).
        task = Task(work, self)
        self.task = task
        self._outcome = (finished, failed)
        if progress is not None:
            task.progress.connect(progress)
        task.finished.connect(self._finished)
        task.failed.connect(self._failed)
        task.start()
        return task

    def cancel(self) -> bool:
        """Ask the running work to stop; False when there is none."""
        if self.task is None:
            return False
        self.task.cancel()
        return True

    def stop(self) -> None:
        """Cancel the running work and wait for its thread to end."""
        task = self.task
        if task is not None:
            task.cancel()
            task.wait()

    def wait_reported(self, milliseconds: int = 30_000) -> bool:
        """Wait until the work is over and its outcome shown (tests, closing)."""
        task = self.task
        return task is None or task.wait_reported(milliseconds)

    def abandon(self) -> Task | None:
        """Forget the running work, whose outcome will not be reported, and hand it over
        (to wait for it, or keep it alive while it ends); None when there is none."""
        task, self.task = self.task, None
        return task

    def _finished(self, result: object) -> None:
        if self._end():
            self._outcome[0](result)

    def _failed(self, error: object) -> None:
        if self._end():
            self._outcome[1](error)

    def _end(self) -> bool:
        """The task is over: False when it was abandoned meanwhile."""
        task = self.sender()
        if task is not self.task or not isinstance(task, Task):
            return False
        self.task = None
        self.was_cancelled = task.is_cancelled()
        task.deleteLater()
        return True


class TaskDialog(QDialog):
    """A dialog running long work in ``self.tasks``.

    Subclasses override ``cancel`` to say "Cancelling…", and call ``close_if_asked`` once
    the work's outcome is shown.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tasks = TaskRunner(self)
        self._close_when_done = False

    @property
    def busy(self) -> bool:
        """True while the work runs."""
        return self.tasks.busy

    def cancel(self) -> None:
        self.tasks.cancel()

    def cancel_or_close(self) -> None:
        """The one button of the dialog stops the work (the dialog stays to say so), else
        closes."""
        if self.busy:
            self.cancel()
        else:
            self.reject()

    def stop(self) -> None:
        """Cancel the work and wait for its thread (the store is about to close)."""
        self.tasks.stop()

    def wait_for_task(self, milliseconds: int = 30_000) -> bool:
        """Wait until the work is over and its outcome shown (for tests and closing)."""
        return self.tasks.wait_reported(milliseconds)

    def close_if_asked(self) -> bool:
        """After the work: close when that was asked for while it ran."""
        if not self._close_when_done:
            return False
        self._close_when_done = False
        self.reject()
        return True

    def reject(self) -> None:
        """Esc, Close or the window's button while the work runs: cancel it, then close."""
        if self.busy:
            self._close_when_done = True
            self.cancel()
            return
        super().reject()

    def done(self, result: int) -> None:
        """Closed by the program (locking): the work ends before the dialog."""
        self.stop()
        super().done(result)


def progress_bar(
    name: str, *, object_name: str = "", max_width: int = 0, text: bool = True
) -> QProgressBar:
    """A task's progress bar, named for screen readers."""
    bar = QProgressBar()
    if object_name:
        bar.setObjectName(object_name)
    bar.setAccessibleName(name)
    if max_width:
        bar.setMaximumWidth(max_width)
    bar.setTextVisible(text)
    return bar


def show_progress(bar: QProgressBar, done: int, total: int, *, busy_when_unknown: bool) -> None:
    """A task's ``progress(done, total)`` on its bar. Without a total the bar turns busy
    (``busy_when_unknown``) or stays as it is."""
    if total > 0:
        bar.setRange(0, total)
        bar.setValue(min(done, total))
    elif busy_when_unknown:
        bar.setRange(0, 0)


def status_label(object_name: str) -> QLabel:
    """The grey line that says what the work is doing or did; hidden while empty."""
    label = hint_label()
    label.setObjectName(object_name)
    label.setAccessibleName(_("Status"))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def failure_message(error: object) -> str:
    """What to say when writing a file or a change failed."""
    if isinstance(error, FieldError | NotFound | StoreError):
        return str(error)
    if isinstance(error, OSError):
        return _("The file could not be written: {detail}").format(detail=error.strerror or error)
    return _("It did not work: {detail}").format(detail=error)


def fitted_size(
    default: tuple[int, int], minimum: tuple[int, int], *, height_share: float
) -> tuple[int, int]:
    """``default``, or less on a small screen (95 % of its width, ``height_share`` of its
    height), never less than ``minimum``."""
    screen = QGuiApplication.primaryScreen()
    room = screen.availableGeometry() if screen is not None else FALLBACK_SCREEN
    width = min(default[0], int(room.width() * 0.95))
    height = min(default[1], int(room.height() * height_share))
    return max(width, minimum[0]), max(height, minimum[1])
