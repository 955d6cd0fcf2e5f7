"""When to lock: after some minutes without keyboard or mouse use, and when the screen locks.

``IdleWatcher`` sees every input event of the application (an event filter on it) and
fires ``idle`` once the chosen minutes pass without one. ``ScreenLockWatcher`` listens,
where the desktop announces it over D-Bus (freedesktop and GNOME screen savers on Linux),
for the screen being locked; elsewhere it stays silent and the idle time alone applies.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import SLOT, QEvent, QObject, QTimer, Signal, Slot

log = logging.getLogger(__name__)

INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.InputMethod,
    }
)
MS_PER_MINUTE = 60_000


class IdleWatcher(QObject):
    """``idle`` fires after ``minutes`` without input; any input starts the count again."""

    idle = Signal()

    def __init__(self, target: QObject, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._target = target
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle)
        self.set_minutes(minutes)
        target.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        self.timer.setInterval(max(1, minutes) * MS_PER_MINUTE)
        if self.timer.isActive():
            self.timer.start()

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def remove(self) -> None:
        self.timer.stop()
        self._target.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in INPUT_EVENTS and self.timer.isActive():
            self.timer.start()  # starts the count again
        return False


SCREEN_SAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
)


class ScreenLockWatcher(QObject):
    """``screen_locked`` fires when the desktop says its screen saver or lock came on."""

    screen_locked = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listening = False
        try:
            from PySide6.QtDBus import QDBusConnection  # noqa: PLC0415  (not in every Qt build)
        except ImportError:  # no D-Bus module in this Qt build
            return
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            return
        for interface, path in SCREEN_SAVERS:
            # Any sender ("" service): the screen saver owns the name, a test bus may not.
            # The slot goes as Qt's SLOT() text; the type stubs say bytes, which fails.
            if bus.connect(  # type: ignore[call-overload]
                "", path, interface, "ActiveChanged", self, SLOT("_changed(bool)")
            ):
                self.listening = True
        log.info("screen lock %s", "watched" if self.listening else "not announced here")

    @Slot(bool)
    def _changed(self, active: bool) -> None:
        if active:
            self.screen_locked.emit()
