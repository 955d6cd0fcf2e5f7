"""Background tasks: progress, a cancel that stops the work, and a wait that returns."""

from __future__ import annotations

import threading
from typing import Any

from amudesk.ui.workers import Cancelled, Task


def test_a_task_reports_progress_and_its_result(qtbot: Any) -> None:
    def work(progress: Any, cancelled: Any) -> int:
        for step in range(1, 4):
            progress(step, 3)
        return 42

    task = Task(work)
    steps: list[tuple[int, int]] = []
    task.progress.connect(lambda done, total: steps.append((done, total)))
    with qtbot.waitSignal(task.finished, timeout=10_000) as result:
        task.start()
    assert result.args == [42]
    qtbot.waitUntil(lambda: steps == [(1, 3), (2, 3), (3, 3)])


def test_cancel_stops_the_work_and_reports_it(qtbot: Any) -> None:
    started = threading.Event()

    def work(progress: Any, cancelled: Any) -> None:
        started.set()
        while not cancelled():
            pass
        raise Cancelled

    task = Task(work)
    with qtbot.waitSignal(task.failed, timeout=10_000) as failure:
        task.start()
        assert started.wait(10)
        task.cancel()
    assert isinstance(failure.args[0], Cancelled)


def test_wait_returns_once_the_work_is_over_even_on_the_ui_thread(qtbot: Any) -> None:
    release = threading.Event()
    task = Task(lambda progress, cancelled: release.wait(10) and "done")
    task.start()
    release.set()
    assert task.wait(10_000)  # it used to block for the whole timeout, then abort
    with qtbot.waitSignal(task.finished, timeout=10_000) as result:
        pass  # the result was queued for the UI thread meanwhile
    assert result.args == ["done"]


def test_a_task_kept_alive_after_its_screen_closed_is_let_go_once_it_ends(qtbot: Any) -> None:
    from PySide6.QtCore import QObject

    from amudesk.ui import workers

    screen = QObject()
    release = threading.Event()

    def work(progress: Any, cancelled: Any) -> str:
        release.wait(10)
        return "done"

    task = Task(work, screen)
    task.start()
    workers.keep_alive(task)
    del screen  # the screen is gone; the running task is not deleted with it
    assert task.parent() is None and task in workers._ORPHANS
    release.set()
    qtbot.waitUntil(lambda: task not in workers._ORPHANS, timeout=10_000)


def test_a_failed_task_is_logged_by_where_it_failed_never_by_what_it_said(
    qtbot: Any, caplog: Any
) -> None:
    """A task's exception may quote a name (an import file's first line, a refused SQL
    statement's parameters): the log keeps its class, files and lines only."""

    def work(progress: Any, cancelled: Any) -> None:
        try:
            raise KeyError("Константинопольская")
        except KeyError as cause:
            raise ValueError("unknown columns: “Dupont”, “Marie”, 85.07.30-002") from cause

    task = Task(work)
    with caplog.at_level("ERROR", logger="amudesk.ui.workers"):
        with qtbot.waitSignal(task.failed, timeout=10_000) as failure:
            task.start()
        task.wait()
    assert isinstance(failure.args[0], ValueError)  # the window still says it, in full
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "background task failed" in logged and "builtins.ValueError" in logged
    assert "caused by builtins.KeyError" in logged and "test_workers.py" in logged
    for secret in ("Dupont", "Marie", "85.07.30", "Константинопольская"):
        assert secret not in logged, secret
    assert all(record.exc_info is None for record in caplog.records)  # no raw traceback
