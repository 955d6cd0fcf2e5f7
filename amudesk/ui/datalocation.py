"""Where the data lives: this computer's encrypted store, or the office's PostgreSQL server.

The choice is kept in the settings (``database_url``) and taken at the next start. For a
server the dialog asks its address, port, database, the login the desk connects with and,
by default, the certificate authority that signed the server's certificate: the
connection then checks the server (``sslmode=verify-full``). "Test the connection" tries
it off the UI thread and says what it found (an AMU Desk database, an empty one, or why
not).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from amudesk.database import DatabaseUrlError, shared_url
from amudesk.i18n import _
from amudesk.settings import load_settings, save_settings
from amudesk.store import probe_database
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import hint_label, set_hint, warning_label
from amudesk.ui.kit.passphrase import password_edit
from amudesk.ui.kit.taskdialog import TaskRunner
from amudesk.ui.workers import keep_alive

log = logging.getLogger(__name__)

DEFAULT_PORT = 5432


def server_url(
    *, host: str, port: int, database: str, login: str, password: str, ca_file: str, check: bool
) -> str:
    """The postgresql:// URL of these fields (names and password escaped)."""
    credentials = quote(login.strip(), safe="")
    if password:
        credentials += ":" + quote(password, safe="")
    query: dict[str, str] = {"sslmode": "verify-full" if check else "require"}
    if check and ca_file.strip():
        query["sslrootcert"] = ca_file.strip()
    at = f"{credentials}@" if credentials else ""
    return (
        f"postgresql://{at}{host.strip()}:{port}/{quote(database.strip(), safe='')}"
        f"?{urlencode(query)}"
    )


class DataLocationDialog(QDialog):
    """This computer, or the office's server; saved in the settings for the next start."""

    def __init__(self, data_dir: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data_dir = data_dir
        self.tasks = TaskRunner(self)
        self.setObjectName("dataLocationDialog")
        self.setWindowTitle(_("Where the data lives"))
        current = load_settings(data_dir).database_url
        self.local = QRadioButton(_("&This computer (encrypted with the passphrase)"))
        self.server = QRadioButton(_("Our office's &server (PostgreSQL, shared by the workers)"))
        (self.server if current else self.local).setChecked(True)
        self.host = QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.database = QLineEdit("amudesk")
        self.login = QLineEdit()
        self.password = password_edit("serverPassword")
        self.check_server = QCheckBox(_("Check the server's &certificate (recommended)"))
        self.check_server.setChecked(True)
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText(_("the certificate authority's file (.crt or .pem)"))
        self.choose_ca = QPushButton(_("C&hoose…"))
        self.choose_ca.clicked.connect(self._choose_ca)
        self.url = QLineEdit(current)
        self.url.setPlaceholderText("postgresql://login@server:5432/amudesk?sslmode=verify-full")
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        add_row(self.form, _("Ser&ver"), self.host)
        add_row(self.form, _("&Port"), self.port)
        add_row(self.form, _("&Database"), self.database)
        add_row(self.form, _("&Login"), self.login)
        add_row(self.form, _("Pass&word"), self.password)
        self.form.addRow("", self.check_server)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(self.choose_ca)
        ca_holder = QWidget()
        ca_holder.setLayout(ca_row)
        ca_row.setContentsMargins(0, 0, 0, 0)
        add_row(self.form, _("Certificate &authority"), ca_holder)
        add_row(self.form, _("or a &URL"), self.url)
        self.password_note = warning_label(
            _(
                "A password typed here is kept in this computer's settings file (readable by "
                "this user only). Each worker also signs in with their own account."
            )
        )
        self.status = hint_label()
        self.status.hide()
        self.error_label = ErrorLabel()
        self.test_button = QPushButton(_("T&est the connection"))
        self.test_button.clicked.connect(self.test_connection)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.local)
        layout.addWidget(self.server)
        layout.addLayout(self.form)
        layout.addWidget(self.password_note)
        layout.addWidget(
            hint_label(_("AMU Desk opens the data where you chose at its next start."))
        )
        layout.addWidget(self.status)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        for toggle in (self.local, self.server, self.check_server):
            toggle.toggled.connect(self._update)
        self._update()
        self.resize(560, self.sizeHint().height())
        (self.host if current else self.local).setFocus(Qt.FocusReason.OtherFocusReason)

    def _update(self, *_args: object) -> None:
        on_server = self.server.isChecked()
        for widget in (
            self.host,
            self.port,
            self.database,
            self.login,
            self.password,
            self.check_server,
            self.url,
            self.test_button,
        ):
            widget.setEnabled(on_server)
        checked = on_server and self.check_server.isChecked()
        self.ca_file.setEnabled(checked)
        self.choose_ca.setEnabled(checked)

    def _choose_ca(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, _("Certificate authority"), "", _("Certificates (*.crt *.pem);;All files (*)")
        )
        if path:
            self.ca_file.setText(path)

    def chosen_url(self) -> str:
        """The URL of the server chosen (checked), "" for this computer; raises
        DatabaseUrlError naming the problem."""
        if self.local.isChecked():
            return ""
        if self.url.text().strip():
            text = self.url.text().strip()
        else:
            if not self.host.text().strip():
                raise DatabaseUrlError(_("Server: give the server's name or address."))
            if not self.database.text().strip():
                raise DatabaseUrlError(_("Database: give the database's name."))
            if self.check_server.isChecked() and not self.ca_file.text().strip():
                raise DatabaseUrlError(
                    _(
                        "Certificate authority: choose its file, so that the server can be "
                        "checked (or untick the check)."
                    )
                )
            text = server_url(
                host=self.host.text(),
                port=self.port.value(),
                database=self.database.text(),
                login=self.login.text(),
                password=self.password.text(),
                ca_file=self.ca_file.text(),
                check=self.check_server.isChecked(),
            )
        shared_url(text)  # raises with the problem named
        return text

    def test_connection(self) -> None:
        if self.tasks.busy:
            return
        try:
            url = shared_url(self.chosen_url())
        except DatabaseUrlError as exc:
            self.error_label.show_message(str(exc))
            return
        self.error_label.clear_message()
        set_hint(self.status, _("Connecting…"))
        self.status.show()
        self.test_button.setEnabled(False)

        def work(**_ignored: object) -> str:
            return probe_database(url)

        self.tasks.start(work, finished=self._tested, failed=self._test_failed)

    def _tested(self, found: Any) -> None:
        self.test_button.setEnabled(True)
        words = {
            "amudesk": _("Connected: an AMU Desk database."),
            "empty": _("Connected: an empty database; AMU Desk sets it up at its next start."),
            "other": _("Connected, but this database holds other tables: choose another one."),
        }
        set_hint(self.status, words.get(str(found), str(found)))

    def _test_failed(self, error: object) -> None:
        self.test_button.setEnabled(True)
        self.status.hide()
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        self.error_label.show_message(
            _("The server cannot be reached: {reason}").format(
                reason=reason[0][:300] if reason else type(error).__name__
            )
        )

    def accept(self) -> None:
        try:
            url = self.chosen_url()
        except DatabaseUrlError as exc:
            self.error_label.show_message(str(exc))
            return
        settings = load_settings(self.data_dir)
        settings.database_url = url
        try:
            save_settings(settings, self.data_dir)
        except OSError as exc:
            self.error_label.show_message(
                _("The settings could not be saved: {reason}").format(reason=exc.strerror or exc)
            )
            return
        log.info("data location: %s", "server" if url else "this computer")
        super().accept()

    def done(self, result: int) -> None:
        task = self.tasks.abandon()
        if task is not None:  # a test still running: kept alive until its thread ends
            keep_alive(task)
        super().done(result)
