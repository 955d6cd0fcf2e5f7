"""Signing in to a shared database, each worker under their own account.

``SignInDialog`` asks for the account's name and password and signs in off the UI thread
(the server may be far; the password's Argon2id check takes a fraction of a second). The
sentence of a failure is the service's (:mod:`amudesk.services.accounts`): a wrong name
and a wrong password read the same; a throttled account says until when. While the
database has no account yet, the same dialog creates the first administrator (the
password typed twice) and signs in as them.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLineEdit, QWidget

from amudesk.i18n import _
from amudesk.models import Role
from amudesk.services import FieldError, accounts
from amudesk.services.accounts import SignInError
from amudesk.store import Store
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import hint_label, set_hint
from amudesk.ui.kit.passphrase import (
    intro_label,
    lay_out,
    passphrase_buttons,
    passphrase_form,
    password_edit,
    show_passphrase_check,
)
from amudesk.ui.kit.taskdialog import TaskRunner

log = logging.getLogger(__name__)


class SignInDialog(QDialog):
    """The account's name and password; accepted once signed in (``store.account`` set).
    ``first`` (the database has no account yet): the first administrator is created."""

    def __init__(
        self,
        store: Store,
        *,
        server: str = "",
        first: bool = False,
        locked_name: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.first = first
        # Locked after a while without use: the same worker signs in again (the forms kept
        # open under the curtain are theirs); the store is connected again first.
        self.locked_name = locked_name
        self.tasks = TaskRunner(self)
        self.setObjectName("signInDialog")
        if first:
            self.setWindowTitle(_("AMU Desk — First administrator"))
            intro = _(
                "This shared database has no account yet. Create the first one, an "
                "administrator's: they add the other workers' accounts."
            )
        elif locked_name is not None:
            self.setWindowTitle(_("AMU Desk — Locked"))
            intro = _("AMU Desk is locked. Type your password to go on where you were.")
        else:
            self.setWindowTitle(_("AMU Desk — Sign in"))
            intro = _("The office's shared database: sign in with your own account.")
        self.intro = intro_label(intro)
        self.server_label = hint_label(
            _("Server: {server}").format(server=server) if server else ""
        )
        self.server_label.setVisible(bool(server))
        self.name_edit = QLineEdit()
        self.name_edit.setObjectName("accountName")
        self.name_edit.setMaxLength(accounts.MAX_NAME)
        if locked_name is not None:
            self.name_edit.setText(locked_name)
            self.name_edit.setReadOnly(True)
        self.password_edit = password_edit("accountPassword")
        self.again_edit = password_edit("accountPasswordAgain")
        self.show_check = show_passphrase_check([self.password_edit, self.again_edit])
        self.show_check.setText(_("Sh&ow the password"))
        self.show_check.setAccessibleName(_("Show the password"))
        form = passphrase_form()
        add_row(form, _("&Name"), self.name_edit)
        add_row(form, _("&Password"), self.password_edit)
        if first:
            add_row(form, _("Password a&gain"), self.again_edit)
        else:
            self.again_edit.hide()
        form.addRow("", self.show_check)
        self.status_label = hint_label()
        self.status_label.hide()
        self.error_label = ErrorLabel()
        self.buttons, self.sign_in_button, self.quit_button = passphrase_buttons(
            self,
            _("&Create and sign in") if first else _("&Sign in"),
            _("Sign in to the shared database"),
        )
        order: list[QWidget] = [self.name_edit, self.password_edit]
        if first:
            order.append(self.again_edit)
        order += [self.show_check, self.sign_in_button, self.quit_button]
        lay_out(
            self,
            [self.intro, self.server_label, form, self.status_label, self.error_label],
            self.buttons,
            tab_order=order,
            default=self.sign_in_button,
            width=460,
        )
        first_field = self.password_edit if locked_name is not None else self.name_edit
        first_field.setFocus(Qt.FocusReason.OtherFocusReason)

    @property
    def busy(self) -> bool:
        return self.tasks.busy

    def accept(self) -> None:
        """Enter or Sign in: try (the dialog closes once signed in)."""
        self.sign_in()

    def sign_in(self) -> None:
        if self.busy:
            return
        name, password = self.name_edit.text(), self.password_edit.text()
        if not name.strip():
            self._refuse(_("Name: type your account's name."), self.name_edit)
            return
        if not password:
            self._refuse(_("Password: type your password."), self.password_edit)
            return
        if self.first and self.again_edit.text() != password:
            self._refuse(_("Password again: the two passwords differ."), self.again_edit)
            return
        self.error_label.clear_message()
        self._set_enabled(False)
        set_hint(self.status_label, _("Signing in…"))
        self.status_label.show()
        store, first, relocking = self.store, self.first, self.locked_name is not None

        def work(**_ignored: object) -> str:
            if relocking:
                store.reopen_shared()
                try:
                    return accounts.sign_in_store(store, name, password).name
                except BaseException:
                    store.lock()  # still locked: nothing shows until the password is right
                    raise
            if first:
                with store.transaction() as session:
                    accounts.add_account(
                        name, Role.ADMINISTRATOR, session=session, password=password
                    )
            return accounts.sign_in_store(store, name, password).name

        self.tasks.start(work, finished=self._signed_in, failed=self._failed)

    def _signed_in(self, name: Any) -> None:
        log.info("signed in")
        self.password_edit.clear()
        self.again_edit.clear()
        super().accept()

    def _failed(self, error: object) -> None:
        self._set_enabled(True)
        self.status_label.hide()
        if isinstance(error, FieldError):
            field = self.name_edit if error.field == "name" else self.password_edit
            self._refuse(str(error), field)
        elif isinstance(error, SignInError):
            self.password_edit.clear()
            self._refuse(str(error), self.password_edit)
        else:
            log.warning("sign-in failed: %s", type(error).__name__)
            self._refuse(
                _("The office's server cannot be reached; try again in a moment."),
                self.password_edit,
            )

    def _refuse(self, message: str, field: QWidget) -> None:
        self.error_label.show_message(message)
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (
            self.name_edit,
            self.password_edit,
            self.again_edit,
            self.show_check,
            self.sign_in_button,
        ):
            widget.setEnabled(enabled)
