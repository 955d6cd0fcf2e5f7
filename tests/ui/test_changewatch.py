"""The watcher of a shared database when its question is never answered: the server is
taken as gone after a while, whatever waits on it is cut (even the UI thread), and it comes
back when it answers (the server's side is in tests/unit/test_serverlink.py)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from amudesk.store import ServerAway
from amudesk.ui import changewatch
from amudesk.ui.changewatch import ChangeWatcher


class Server:
    """The watcher's question as a server answers it: at once, or, once ``stopped`` is
    set, not before ``answer`` is."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.answer = threading.Event()

    def latest_id(self, *, session: Any) -> int:
        if self.stopped.is_set():
            self.answer.wait(30)
        return 7


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Server:
    faked = Server()
    monkeypatch.setattr(changewatch.audit, "latest_id", faked.latest_id)
    return faked


def _silence_timers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "change-silence" and t.is_alive()]


def test_a_question_left_unanswered_takes_the_server_as_gone_and_cuts_what_waits(
    qtbot: Any, store: Any, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut: list[threading.Thread] = []
    monkeypatch.setattr(store, "sever", lambda: cut.append(threading.current_thread()) or 1)
    watcher = ChangeWatcher(store, poll_ms=60_000, silence_s=0.2)
    said: list[str] = []
    watcher.lost.connect(lambda: said.append("lost"))
    watcher.back.connect(lambda: said.append("back"))
    server.stopped.set()
    with qtbot.waitSignal(watcher.lost, timeout=5000):
        watcher.check()
    assert store.away and not watcher.reachable
    # Cut from the timer's own thread: the UI thread may be the one waiting on the server.
    assert len(cut) == 1 and cut[0] is not threading.main_thread()
    with pytest.raises(ServerAway):  # a click meanwhile is told at once
        store.session()
    watcher.check()  # the first question still waits: no second one, nothing said again
    with qtbot.waitSignal(watcher.back, timeout=5000):
        server.answer.set()  # the server answers at last
    assert not store.away and watcher.reachable and said == ["lost", "back"]
    assert len(cut) == 1


def test_the_ui_thread_waiting_on_a_silent_server_is_cut_free(
    qtbot: Any, store: Any, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The questions keep coming while the UI thread itself waits on the server (here: on
    an event only the cut sets, without handling a single Qt event meanwhile)."""
    freed = threading.Event()
    monkeypatch.setattr(store, "sever", lambda: freed.set() or 1)
    watcher = ChangeWatcher(store, poll_ms=20, silence_s=0.2)
    watcher.start()
    try:
        qtbot.waitUntil(lambda: watcher.mark == 7, timeout=5000)  # answered while it runs
        server.stopped.set()  # the server stops answering
        assert freed.wait(10)  # the UI thread, "waiting on the server", is freed
        assert store.away
    finally:
        server.answer.set()
        watcher.stop()


def test_an_answer_in_time_cancels_the_silence_timer(
    qtbot: Any, store: Any, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    cut: list[int] = []
    monkeypatch.setattr(store, "sever", lambda: cut.append(1) or 1)
    watcher = ChangeWatcher(store, poll_ms=60_000, silence_s=30)
    watcher.check()
    qtbot.waitUntil(lambda: watcher.mark == 7 and not watcher.asking, timeout=5000)
    # Cancelled: the timer's thread ends now, not in 30 seconds.
    qtbot.waitUntil(lambda: not _silence_timers(), timeout=5000)
    assert watcher.reachable and not store.away and not cut


def test_closing_while_the_server_is_silent_cuts_the_question_instead_of_waiting(
    qtbot: Any, store: Any, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(changewatch, "STOP_WAIT_MS", 50)
    # Cutting the connection makes the waiting question fail at once.
    monkeypatch.setattr(store, "sever", lambda: server.answer.set() or 1)
    watcher = ChangeWatcher(store, poll_ms=60_000, silence_s=30)
    server.stopped.set()
    watcher.check()
    asker = watcher._asker
    assert asker is not None
    watcher.stop()  # returns: the question was cut after 50 ms
    assert server.answer.is_set() and not asker.is_alive()


def test_a_watcher_deleted_without_being_stopped_ends_its_thread(
    qtbot: Any, store: Any, server: Server
) -> None:
    import shiboken6

    watcher = ChangeWatcher(store, poll_ms=60_000, silence_s=30)
    watcher.start()
    clock = watcher._clock
    assert clock is not None
    # Answered, and no question under way: a thread emitting while the object is deleted
    # would be a race of the test's own making (the window always stops its watcher).
    qtbot.waitUntil(lambda: watcher.mark == 7 and not watcher.asking, timeout=5000)
    shiboken6.delete(watcher)  # its window destroyed without closing
    clock.join(5)
    assert not clock.is_alive()  # no question asked for a window that is gone


def test_a_question_whose_connection_timed_out_cuts_what_waits(
    qtbot: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import psycopg
    from sqlalchemy.exc import OperationalError

    def timed_out(*, session: Any) -> int:
        raise OperationalError(
            "connect", {}, psycopg.errors.ConnectionTimeout("connection timeout expired")
        )

    monkeypatch.setattr(changewatch.audit, "latest_id", timed_out)
    cut: list[int] = []
    monkeypatch.setattr(store, "sever", lambda: cut.append(1) or 1)
    watcher = ChangeWatcher(store, poll_ms=60_000, silence_s=30)
    with qtbot.waitSignal(watcher.lost, timeout=5000):
        watcher.check()
    assert store.away and cut == [1]
