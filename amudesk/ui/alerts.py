"""Local alerts: how many deadlines need attention, in the tray and as a system notification.

On start-up (a little after the window is shown) and every ``alert_interval_minutes``
(settings; 0 turns the alerts off), the deadlines are counted in a worker. Those
overdue or due within ``alert_within_days`` days, neither handled nor snoozed, are
counted; the tray icon shows the number, its tooltip says it in words, and a
notification tells when new ones appear.

Notification texts carry case references and rule names only, never a name or a
NISS: they stay in the operating system's notification history.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from amudesk import i18n
from amudesk.deadlines import RULES, Deadline, State
from amudesk.i18n import _, ngettext
from amudesk.services import clock
from amudesk.services.office import get_office
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui.deadlinemodel import stoppable
from amudesk.ui.kit.labels import format_number
from amudesk.ui.workers import Cancelled, Task

log = logging.getLogger(__name__)

APP_NAME = "AMU Desk"
STARTUP_DELAY_MS = 3000  # the window first: the count comes a moment later
CHANGE_DELAY_MS = 2000  # several saves in a row are counted once
LISTED = 3  # cases named in a notification
MESSAGE_MS = 15_000
ICON_SIZE = 64
RULE_NUMBER = {rule_id: number for number, rule_id in enumerate(RULES)}


@dataclass(frozen=True)
class Item:
    """One deadline needing attention, as a notification may name it."""

    key: int  # request, rule and whether it is overdue, packed in one number
    reference: str
    rule: str
    due: dt.date
    overdue: bool


@dataclass(frozen=True)
class Count:
    overdue: int = 0
    soon: int = 0
    items: tuple[Item, ...] = ()  # the ones a notification names: new ones first
    new: int = 0  # how many were not counted the time before
    keys: frozenset[int] = field(default_factory=frozenset)

    @property
    def total(self) -> int:
        return self.overdue + self.soon


def item_key(deadline: Deadline, overdue: bool) -> int:
    return (deadline.case.request_id * 16 + RULE_NUMBER[deadline.rule]) * 2 + int(overdue)


def count_attention(
    deadlines: Iterable[Deadline],
    *,
    today: dt.date,
    within_days: int,
    previous: frozenset[int] = frozenset(),
    listed: int = LISTED,
    office_kind: str | None = None,
) -> Count:
    """Overdue and soon-due deadlines this office can act on (``Deadline.actionable``: a
    CPAS its own, an association the appeals and the CPAS's overdue limits), neither
    handled nor snoozed; the ones to name first."""
    overdue = soon = 0
    fresh: list[Item] = []
    known: list[Item] = []
    keys: set[int] = set()
    for deadline in deadlines:
        if not deadline.needs_attention(today, within_days):
            continue
        if not deadline.actionable(office_kind):
            continue
        assert deadline.due is not None
        late = deadline.state == State.OVERDUE
        if late:
            overdue += 1
        else:
            soon += 1
        key = item_key(deadline, late)
        keys.add(key)
        item = Item(key, deadline.case.reference, deadline.rule, deadline.due, late)
        (known if key in previous else fresh).append(item)
    order = naming_order(today)
    fresh.sort(key=order)
    named = fresh[:listed]
    if len(named) < listed:
        known.sort(key=order)
        named += known[: listed - len(named)]
    return Count(overdue, soon, tuple(named), len(fresh), frozenset(keys))


def naming_order(today: dt.date) -> Callable[[Item], tuple[int, int, str]]:
    """Which deadlines a notification names first: those due today, then the ones that
    fell overdue most recently, then the soonest coming; a case months overdue is less
    news than one that ran out yesterday."""

    def key(item: Item) -> tuple[int, int, str]:
        days = (item.due - today).days
        if days == 0:
            return (0, 0, item.reference)
        if days < 0:
            return (1, -days, item.reference)
        return (2, days, item.reference)

    return key


def summary_text(overdue: int, soon: int, within_days: int) -> str:
    """'3 overdue, 2 due within 7 days' (or 'No deadline needs attention')."""
    parts = []
    if overdue:
        parts.append(
            ngettext("{n} overdue", "{n} overdue", overdue).format(n=format_number(overdue))
        )
    if soon:
        parts.append(
            ngettext("{n} due within {days} day", "{n} due within {days} days", within_days).format(
                n=format_number(soon), days=within_days
            )
        )
    if not parts:
        return _("No deadline needs attention")
    return ", ".join(parts)


def notification_text(count: Count, within_days: int) -> str:
    """Counts, then a few case references with the rule in plain words; nothing else."""
    summary = summary_text(count.overdue, count.soon, within_days)
    if not count.items:
        return summary
    names = [
        _("{reference} ({rule})").format(reference=item.reference, rule=_(RULES[item.rule].title))
        for item in count.items
    ]
    rest = count.total - len(names)
    if rest > 0:
        names.append(ngettext("and {n} more", "and {n} more", rest).format(n=format_number(rest)))
    return _("{summary}: {items}").format(summary=summary, items=", ".join(names))


def badge_text(total: int) -> str:
    return "999+" if total > 999 else str(total)


def tray_pixmap(total: int, size: int = ICON_SIZE) -> QPixmap:
    """A calendar page with the number of deadlines needing attention in a red badge."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    unit = size / 64
    page = QRectF(6 * unit, 10 * unit, 46 * unit, 46 * unit)
    painter.setPen(QPen(QColor("#0b4f96"), 3 * unit))
    painter.setBrush(QColor("#ffffff"))
    painter.drawRoundedRect(page, 6 * unit, 6 * unit)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#0b4f96"))
    painter.drawRect(QRectF(7 * unit, 11 * unit, 44 * unit, 11 * unit))
    painter.setBrush(QColor("#5c6168"))
    for x in (16, 28, 40):
        for y in (28, 38, 48):
            painter.drawRect(QRectF(x * unit - 3 * unit, y * unit - 2 * unit, 6 * unit, 4 * unit))
    if total > 0:
        text = badge_text(total)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int((22 if len(text) <= 2 else 16) * unit))
        painter.setFont(font)
        width = max(30 * unit, painter.fontMetrics().horizontalAdvance(text) + 10 * unit)
        badge = QRectF(size - width, 0, width, 30 * unit)
        painter.setBrush(QColor("#c4001a"))
        painter.setPen(QPen(QColor("#ffffff"), 2 * unit))
        painter.drawRoundedRect(badge, 15 * unit, 15 * unit)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return pixmap


class DeadlineAlerts(QObject):
    """Counts the deadlines needing attention now and then; tray icon and notifications."""

    counted = Signal(int, int)  # overdue, due soon
    notified = Signal(str)  # the text of a notification just shown
    open_requested = Signal()  # "Open deadlines" in the tray menu, or a click on the icon
    quit_requested = Signal()

    def __init__(
        self,
        store: Store,
        data_dir: Path | None,
        parent: QObject | None = None,
        *,
        today: dt.date | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.data_dir = Path(data_dir) if data_dir is not None else store.data_dir
        self._fixed_today = today
        self.overdue = 0
        self.soon = 0
        self.last_message = ""
        self._last = Count()
        self._task: Any = None
        self._again = False
        self._no_tray_logged = False
        self._counted_once = False
        self.tray: QSystemTrayIcon | None = None
        self.menu: QMenu | None = None
        settings = load_settings(self.data_dir)
        self.within_days = settings.alert_within_days
        self.interval_minutes = settings.alert_interval_minutes
        self.timer = QTimer(self)
        self.timer.setObjectName("alertTimer")
        self.timer.timeout.connect(self.check_now)
        self._soon_timer = QTimer(self)
        self._soon_timer.setSingleShot(True)
        self._soon_timer.timeout.connect(self.check_now)

    # --- state ---------------------------------------------------------------------

    @property
    def count(self) -> int:
        """How many deadlines need attention (overdue and due soon)."""
        return self.overdue + self.soon

    @property
    def enabled(self) -> bool:
        return self.interval_minutes > 0

    @property
    def today(self) -> dt.date:
        return self._fixed_today or clock.today_in_brussels()

    def summary(self) -> str:
        if not self._counted_once:
            return _("Counting the deadlines…")
        return summary_text(self.overdue, self.soon, self.within_days)

    # --- running -------------------------------------------------------------------

    def start(self) -> None:
        """Count a moment after start-up, then every interval (nothing when it is 0)."""
        self.apply_settings(check=False)
        if self.enabled:
            self._soon_timer.start(STARTUP_DELAY_MS)

    def apply_settings(self, *, check: bool = True) -> None:
        """Read the interval and the number of days again (after the settings changed)."""
        settings = load_settings(self.data_dir)
        changed = settings.alert_within_days != self.within_days
        self.within_days = settings.alert_within_days
        self.interval_minutes = settings.alert_interval_minutes
        if self.enabled:
            self.timer.start(self.interval_minutes * 60_000)
            self._ensure_tray()
            if check and changed:
                self.schedule_check()
        else:
            self.timer.stop()
            self._soon_timer.stop()
            if self.tray is not None:
                self.tray.hide()

    def schedule_check(self) -> None:
        """Count again shortly (after a change was saved); several calls count once."""
        if self.enabled:
            self._soon_timer.start(CHANGE_DELAY_MS)

    def check_now(self) -> None:
        """Count the deadlines now, off the UI thread; ``counted`` tells the result."""
        if self._task is not None:
            self._again = True
            return
        settings = load_settings(self.data_dir).clock_settings()
        store, today, language = self.store, self.today, i18n.get_locale()
        within, previous = settings.alert_within_days, self._last.keys

        def work(progress: Any, cancelled: Any) -> Count:
            deadlines, _cases = clock.all_deadlines(
                store,
                today=today,
                language=language,
                settings=settings,
                progress=stoppable(None, cancelled),
            )
            with store.session() as session:
                office = get_office(session=session)
            return count_attention(
                deadlines,
                today=today,
                within_days=within,
                previous=previous,
                office_kind=str(office.kind) if office is not None else None,
            )

        self._again = False
        self.within_days = within
        task = Task(work, self)
        task.finished.connect(self._counted)
        task.failed.connect(self._failed)
        self._task = task
        task.start()

    def stop(self) -> None:
        """Stop the timers and wait for a running count (when the application quits)."""
        self.timer.stop()
        self._soon_timer.stop()
        task = self._task
        if task is not None:
            self._again = False
            task.cancel()
            task.wait()
        if self.tray is not None:
            self.tray.hide()

    def _end_task(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.deleteLater()

    def _counted(self, result: object) -> None:
        self._end_task()
        if isinstance(result, Count):
            self._show(result)
        if self._again:
            self.check_now()

    def _failed(self, error: object) -> None:
        self._end_task()
        if not isinstance(error, Cancelled):
            log.error("deadlines could not be counted: %s", type(error).__name__)
        if self._again:
            self.check_now()

    def _show(self, count: Count) -> None:
        self._last = count
        self._counted_once = True
        self.overdue, self.soon = count.overdue, count.soon
        log.info("deadlines needing attention: %s overdue, %s soon", count.overdue, count.soon)
        self._update_tray()
        if count.new > 0 and count.total > 0:
            self._notify(notification_text(count, self.within_days))
        self.counted.emit(count.overdue, count.soon)

    # --- tray ----------------------------------------------------------------------

    def _ensure_tray(self) -> QSystemTrayIcon | None:
        if self.tray is not None:
            self.tray.show()
            return self.tray
        if not QSystemTrayIcon.isSystemTrayAvailable():
            if not self._no_tray_logged:
                log.info("no system tray: the count is shown in the main window only")
                self._no_tray_logged = True
            return None
        tray = QSystemTrayIcon(self)
        tray.setObjectName("deadlineTray")
        self.menu = QMenu()
        self._open_action = QAction(self.menu)
        self._open_action.triggered.connect(lambda _checked=False: self.open_requested.emit())
        self._quit_action = QAction(self.menu)
        self._quit_action.triggered.connect(lambda _checked=False: self.quit_requested.emit())
        self.menu.addAction(self._open_action)
        self.menu.addSeparator()
        self.menu.addAction(self._quit_action)
        tray.setContextMenu(self.menu)
        tray.activated.connect(self._tray_activated)
        self.tray = tray
        self.retranslate()
        tray.show()
        return tray

    def retranslate(self) -> None:
        """Texts again in the interface language (after it changed)."""
        if self.tray is None:
            return
        self._open_action.setText(_("Open &deadlines"))
        self._quit_action.setText(_("&Quit AMU Desk"))
        self._update_tray()

    def tooltip(self) -> str:
        return f"{APP_NAME} — {self.summary()}"

    def _update_tray(self) -> None:
        if self.tray is None:
            return
        self.tray.setIcon(QIcon(tray_pixmap(self.count)))
        self.tray.setToolTip(self.tooltip())

    def _tray_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_requested.emit()

    def _notify(self, text: str) -> None:
        self.last_message = text
        tray = self.tray
        if tray is not None and tray.supportsMessages():
            tray.showMessage(
                _("AMU Desk: deadlines"),
                text,
                QSystemTrayIcon.MessageIcon.Warning,
                MESSAGE_MS,
            )
        self.notified.emit(text)
