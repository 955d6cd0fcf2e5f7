"""Keeps the cases' stored next time limits true while the window runs: at start, and
whenever the Brussels day changes (checked every few minutes), off the UI thread; the case
list reloads when an answer changed (``refreshed``)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from amudesk.services import clock, nextdue
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui.deadlinemodel import stoppable
from amudesk.ui.workers import Task

log = logging.getLogger(__name__)

CHECK_MS = 5 * 60 * 1000


class NextLimits(QObject):
    refreshed = Signal(str)  # nextdue.refresh_if_stale's answer: "day" or "all"

    def __init__(self, store: Store, data_dir: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.data_dir = data_dir
        self.task: Task | None = None
        self.checked: tuple[object, ...] | None = None  # the day and setting last brought up
        self.timer = QTimer(self)
        self.timer.setInterval(CHECK_MS)
        self.timer.timeout.connect(self.check)

    def start(self) -> None:
        self.timer.start()
        self.check()

    def check(self, *, force: bool = False) -> None:
        """Bring the stored answers to today when the day or the setting changed."""
        settings = load_settings(self.data_dir).clock_settings()
        key = (clock.today_in_brussels(), settings.move_administrative)
        if self.task is not None or (key == self.checked and not force):
            return
        store, today = self.store, key[0]

        def work(progress: Any, cancelled: Any) -> str:
            return nextdue.refresh_if_stale(
                store, today=today, settings=settings, progress=stoppable(None, cancelled)
            )

        task = Task(work, self)
        task.finished.connect(lambda result: self._done(key, result))
        task.failed.connect(self._failed)
        self.task = task
        task.start()

    def _done(self, key: tuple[object, ...], result: object) -> None:
        self.task = None
        self.checked = key
        if result != "fresh":
            log.info("next time limits recounted (%s)", result)
            self.refreshed.emit(str(result))

    def _failed(self, error: object) -> None:
        self.task = None
        # Cancelled at a lock or a restore, or the database was busy: the next check retries.
        log.warning("next time limits not recounted: %s", error.__class__.__name__)

    def stop(self) -> None:
        self.timer.stop()
        task = self.task
        if task is not None:
            task.cancel()
            task.wait()
            self.task = None
