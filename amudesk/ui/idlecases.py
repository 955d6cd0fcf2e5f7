"""Closing idle cases from the main window: the Tools menu's command, and the offer made
once, after an update, when many cases carry limits overdue for months (a red count nobody
can act on is worse than none)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox

from amudesk.i18n import _, ngettext
from amudesk.services import closing
from amudesk.settings import load_settings, save_settings

if TYPE_CHECKING:
    from amudesk.ui.mainwindow import MainWindow

OFFER_ABOVE = 50  # old items before the offer is made
OFFERED_KEY = "old_items_offered"


def idle_action(window: MainWindow) -> QAction:
    action = QAction(_("Close &idle cases…"), window)
    action.setObjectName("closeIdleCases")
    tip = _("Close in one go the cases nobody has changed for months")
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: close_idle_cases(window))
    return action


def close_idle_cases(window: MainWindow) -> int:
    """The batch dialog; the number of cases it closed."""
    from amudesk.ui.closedialog import IdleCasesDialog

    dialog = IdleCasesDialog(window.store, parent=window)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 0
    window.refresh(window.panel.request_id())
    if window.alerts is not None:
        window.alerts.schedule_check()
    window.show_message(
        ngettext("{n} case closed.", "{n} cases closed.", dialog.closed).format(n=dialog.closed)
    )
    return dialog.closed


def offer_review(window: MainWindow) -> str:
    """Once per data folder: when more than OFFER_ABOVE open cases have had an overdue limit
    for half a year, offer to close the idle ones or review them on the board. Returns what
    was done: "", "closed", "board" or "later"."""
    settings = load_settings(window.data_dir)
    if settings.extra.get(OFFERED_KEY):
        return ""
    with window.store.session() as session:
        old = closing.long_overdue(session=session)
    if old <= OFFER_ABOVE:
        return ""
    settings.extra[OFFERED_KEY] = True
    save_settings(settings, window.data_dir)
    box = QMessageBox(window)
    box.setObjectName("oldItemsOffer")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("Old time limits"))
    box.setText(
        ngettext(
            "{n} case has had a time limit overdue for more than six months.",
            "{n} cases have had a time limit overdue for more than six months.",
            old,
        ).format(n=old)
    )
    box.setInformativeText(
        _(
            "Close the cases nobody follows any more, so that the worklist and the alerts "
            "show what can still be done, or review them on the deadlines board."
        )
    )
    close_button = box.addButton(_("Close idle cases…"), QMessageBox.ButtonRole.AcceptRole)
    board_button = box.addButton(_("Review on the board"), QMessageBox.ButtonRole.ActionRole)
    later = box.addButton(_("Later"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(close_button)
    box.setEscapeButton(later)
    box.exec()
    clicked = box.clickedButton()
    if clicked is close_button:
        close_idle_cases(window)
        return "closed"
    if clicked is board_button:
        window.open_deadlines()
        return "board"
    return "later"
