"""While AMU Desk is locked, the forms open at the counter stay open, covered.

The idle lock (``app.Shell.lock``) closes the database and overwrites its key
(``Store.lock``); the passphrase opens the same ``Store`` object again (``Store.unlock``
makes a new engine in it). A case form (``FormDialog``: person, request, decision…) reads
the store when it is built and writes it in one transaction when OK is pressed: between
the two it holds no session, only that ``Store`` object. So a form can outlive the lock
and save afterwards, on the database opened again.

What was chosen, and why: the form stays open but covered. A dialog running ``exec()``
cannot be hidden without ending it (Qt leaves its event loop on hide), and its caller,
waiting for the answer, would then go on as if Cancel had been pressed. So every widget
inside the form is hidden (nothing of what was typed is painted, takes the keyboard or
shows to accessibility tools), a plain cover says the form is kept, and its title, which
may name the person, says only that AMU Desk is locked; the unlock screen, modal for the
whole application, takes every input meanwhile. The form's running timers (a search as
you type) are stopped before the database closes and started again after: none reads
the locked store. After the passphrase, the widgets, the focus and the title come back as
they were. Keeping the content encrypted in the store instead and building the forms
again was set aside: each form would need to write and read its whole state, and the
code that opened it (which saves the request after the person, for one) would be gone.

Other dialogs are still closed at the lock: those with work of their own in the
background (backups, imports, card batches), the camera, questions and previews.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from amudesk.i18n import _
from amudesk.ui.kit.formdialog import FormDialog


def kept_when_locked(dialog: QDialog) -> bool:
    """Whether ``dialog`` stays open (covered) through the lock: the case forms do."""
    return isinstance(dialog, FormDialog)


class Curtain(QObject):
    """Covers ``dialog`` at once; ``lift`` shows it again as it was."""

    def __init__(self, dialog: QDialog) -> None:
        super().__init__()  # held by the shell until lifted, then collected
        self.dialog = dialog
        self._title = dialog.windowTitle()
        self._focus = dialog.focusWidget()
        self._timers = [timer for timer in dialog.findChildren(QTimer) if timer.isActive()]
        for timer in self._timers:
            timer.stop()
        self._hidden = [
            child
            for child in dialog.findChildren(
                QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly
            )
            if not child.isWindow() and child.isVisibleTo(dialog)
        ]
        for child in self._hidden:
            child.hide()
        self.cover = QLabel(
            _("AMU Desk is locked. This form is kept as it was until the passphrase is given."),
            dialog,
        )
        self.cover.setObjectName("lockCover")
        self.cover.setWordWrap(True)
        self.cover.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.cover.setAutoFillBackground(True)
        self.cover.setMargin(24)
        self.cover.setGeometry(dialog.rect())
        self.cover.show()
        self.cover.raise_()
        dialog.setWindowTitle(_("AMU Desk — locked"))
        dialog.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.dialog and event.type() == QEvent.Type.Resize:
            self.cover.setGeometry(self.dialog.rect())
        return False

    def lift(self) -> None:
        """Show the form again: its widgets, title, focus and timers as before the lock."""
        self.dialog.removeEventFilter(self)
        self.cover.hide()
        self.cover.deleteLater()
        for child in self._hidden:
            child.show()
        self.dialog.setWindowTitle(self._title)
        for timer in self._timers:
            timer.start()
        if self._focus is not None:
            with contextlib.suppress(RuntimeError):  # the widget went meanwhile
                self._focus.setFocus(Qt.FocusReason.OtherFocusReason)
