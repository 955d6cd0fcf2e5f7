"""What the pages of the privacy dialog share: the one piece of work they run at a time, and
the rows they are laid out with.

- ``PrivacyTasks``: the work of any page runs off the UI thread, one at a time for the whole
  dialog; ``running`` says when it starts and ends, so that the dialog can hold every
  action meanwhile.
- ``field_with_button`` and ``action_row``: a field with its button on one line, and the
  buttons under a form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from amudesk.ui.kit.taskdialog import TaskRunner

Result = TypeVar("Result")


class PrivacyTasks(TaskRunner):
    """The work the privacy dialog runs: one export, erasure, list or record at a time."""

    running = Signal(bool)  # True as the work starts, False once over (before its outcome)

    def run(
        self,
        work: Callable[[], Result],
        finished: Callable[[Result], object],
        failed: Callable[[object], object],
    ) -> None:
        """Run ``work()`` off the UI thread; ``finished`` gets its result, ``failed`` the
        exception it raised."""

        def function(progress: Any, cancelled: Any) -> Result:
            return work()

        def done(result: Any) -> None:
            self.running.emit(False)
            finished(result)

        def went_wrong(error: object) -> None:
            self.running.emit(False)
            failed(error)

        self.start(function, finished=done, failed=went_wrong)
        self.running.emit(True)


def field_with_button(field: QWidget, button: QPushButton) -> QWidget:
    """``field`` stretched, ``button`` after it, on one line of a form."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(field, 1)
    layout.addWidget(button)
    return row


def action_row(*buttons: QPushButton) -> QHBoxLayout:
    """The buttons of a page, from the left."""
    row = QHBoxLayout()
    for button in buttons:
        row.addWidget(button)
    row.addStretch(1)
    return row
