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


def test_cycles_are_collected_on_the_ui_thread_never_in_a_tasks_thread(qtbot: Any) -> None:
    """A closed dialog's cycle (here a QObject and a list holding each other) found while a
    task allocates in its own thread would be destroyed there: with the collector, it waits
    for the UI thread's next check, which collects it."""
    import gc
    import weakref

    from PySide6.QtCore import QObject

    from amudesk.ui.workers import UiThreadCollector

    freed_in: list[str] = []

    class Marker:
        def __del__(self) -> None:
            freed_in.append(threading.current_thread().name)

    collector = UiThreadCollector()
    was_enabled = gc.isenabled()
    collector.start()
    try:
        cycle: list[Any] = [QObject(), Marker()]
        cycle.append(cycle)
        alive = weakref.ref(cycle[0])
        del cycle

        def allocate(progress: Any, cancelled: Any) -> int:
            junk = [[index] for index in range(200_000)]  # past every threshold
            return len(junk)

        task = Task(allocate)
        with qtbot.waitSignal(task.finished, timeout=10_000):
            task.start()
        task.wait()
        assert alive() is not None and freed_in == []  # nothing collected in the task
        kept = [[index] for index in range(2_000)]  # the window goes on making objects
        qtbot.waitUntil(lambda: freed_in != [], timeout=5_000)  # the timer's next check
        assert len(kept) == 2_000
        assert freed_in == [threading.main_thread().name] and alive() is None
        assert not gc.isenabled()
    finally:
        collector.stop()
        stopped_enabled = gc.isenabled()
        if not was_enabled:
            gc.disable()
    assert stopped_enabled  # Python's own collection is back once the window closes
