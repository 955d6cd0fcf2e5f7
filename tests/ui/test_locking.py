"""Locking: after minutes without use the windows hide, the database closes and its key is
overwritten; the passphrase opens everything again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog

from amudesk.store import StoreLocked, WrongPassphrase
from tests.keys import PASSPHRASE


def test_the_idle_watcher_fires_after_the_minutes_and_input_starts_again(qtbot: Any) -> None:
    from amudesk.ui.locking import IdleWatcher

    app = QApplication.instance()
    watcher = IdleWatcher(app, 5)
    try:
        assert watcher.timer.interval() == 5 * 60_000
        watcher.start()
        remaining = watcher.timer.remainingTime()
        widget = QDialog()
        qtbot.addWidget(widget)
        QApplication.sendEvent(
            widget, QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)
        )
        assert watcher.timer.isActive() and watcher.timer.remainingTime() >= remaining - 50
        with qtbot.waitSignal(watcher.idle, timeout=1000):
            watcher.timer.setInterval(1)
            watcher.timer.start()
        watcher.set_minutes(0)
        assert watcher.timer.interval() == 60_000  # never under a minute
    finally:
        watcher.remove()


def test_the_store_locks_and_unlocks(store: Any) -> None:
    key = store.key
    store.lock()
    assert store.locked and key.wiped
    with pytest.raises(StoreLocked):
        store.session()
    with pytest.raises(WrongPassphrase):
        store.unlock("not it")
    assert store.locked
    store.unlock(PASSPHRASE)
    assert not store.locked and not store.key.wiped
    with store.session() as session:
        assert session is not None


def test_the_shell_hides_everything_and_comes_back_with_the_passphrase(
    qtbot: Any, store: Any, data_dir: Path, office: Any
) -> None:
    from amudesk.ui.app import Shell, application

    shell = Shell(application(), store, data_dir)
    window = shell.show_main()
    qtbot.addWidget(window)
    shell.start_locking()
    form = QDialog(window)
    form.setModal(True)
    form.show()
    with qtbot.waitSignal(shell.locked_changed, timeout=5000) as locked:
        shell.idle.idle.emit()
    assert locked.args == [True]
    assert store.locked and store.key.wiped
    assert not window.isVisible() and not form.isVisible()
    dialog = shell.unlock_dialog
    assert dialog is not None and dialog.isVisible()
    with qtbot.waitSignal(shell.locked_changed, timeout=10_000) as unlocked:
        dialog.submit(PASSPHRASE)
    assert unlocked.args == [False]
    assert not store.locked and window.isVisible()
    assert form.result() == QDialog.DialogCode.Rejected
    assert "closed without saving" in window.statusBar().currentMessage()
    shell.stop_alerts()
    window.close()


def test_quitting_at_the_unlock_screen_ends_the_app(
    qtbot: Any, store: Any, data_dir: Path, office: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk.ui.app import Shell, application

    app = application()
    quits: list[bool] = []
    monkeypatch.setattr(app, "quit", lambda: quits.append(True))
    shell = Shell(app, store, data_dir)
    window = shell.show_main()
    qtbot.addWidget(window)
    shell.start_locking()
    with qtbot.waitSignal(shell.locked_changed, timeout=5000):
        shell.lock()
    shell.unlock_dialog.reject()
    assert quits == [True] and store.locked
    window.close()


SCREEN_LOCK_SCRIPT = """
import subprocess
from PySide6.QtCore import QCoreApplication, QTimer
from amudesk.ui.locking import ScreenLockWatcher
app = QCoreApplication([])
watcher = ScreenLockWatcher()
print("listening", watcher.listening, flush=True)
watcher.screen_locked.connect(lambda: (print("screen locked", flush=True), app.quit()))
def announce(active):
    subprocess.run(["dbus-send", "--session", "--type=signal", "/org/gnome/ScreenSaver",
                    "org.gnome.ScreenSaver.ActiveChanged", "boolean:" + active], check=True)
QTimer.singleShot(0, lambda: announce("true"))
QTimer.singleShot(10_000, app.quit)
app.exec()
"""


@pytest.mark.skipif(shutil.which("dbus-run-session") is None, reason="no D-Bus session tools")
def test_a_screen_lock_announced_on_d_bus_locks(tmp_path: Path) -> None:
    """On a private D-Bus session, the GNOME screen saver's ActiveChanged(true) is heard."""
    script = tmp_path / "screen_lock.py"
    script.write_text(SCREEN_LOCK_SCRIPT, encoding="utf-8")
    result = subprocess.run(
        ["dbus-run-session", "--", sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.stdout.splitlines() == ["listening True", "screen locked"], result.stderr
