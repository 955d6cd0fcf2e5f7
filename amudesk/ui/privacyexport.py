"""The privacy dialog's "Export a person's data" tab (GDPR art. 15 and 20).

A request reference and a folder; everything held about the person is written there as
``<reference>-access.pdf`` and ``.json``, in the language of the documents chosen in the
dialog. The folder chooser is a method (``choose_folder``) that tests replace.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from amudesk.i18n import _
from amudesk.services import FieldError, privacy
from amudesk.store import Store
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.fielderrors import ErrorLabel, clear_field_errors, show_field_error
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import GOOD_STYLE, hint_label, set_hint
from amudesk.ui.kit.taskdialog import failure_message, status_label
from amudesk.ui.privacypages import PrivacyTasks, action_row, field_with_button


class ExportPage(QWidget):
    """A reference, a folder, and the export of the person's data into it."""

    exported = Signal(str)  # the reference the export was made for

    def __init__(
        self,
        store: Store,
        tasks: PrivacyTasks,
        language_combo: QComboBox,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self._language_combo = language_combo
        self._export_folder: Path | None = None
        intro = hint_label(
            _(
                "Everything the register holds about the person of a request (GDPR art. 15 "
                "and 20): a PDF to hand over, and the same data as a JSON file. The files are "
                "named after the reference, never after the person; keep them safe and "
                "delete them once handed over."
            )
        )
        self.export_reference = QLineEdit()
        self.export_reference.setObjectName("exportReference")
        self.export_reference.setPlaceholderText("AMU-2026-0042")
        self.export_reference.returnPressed.connect(self.export)
        self.folder_edit = QLineEdit()
        self.folder_edit.setObjectName("exportFolder")
        self.folder_edit.setReadOnly(True)
        self.folder_edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.folder_edit.setPlaceholderText(_("chosen when you export"))
        self.folder_edit.setAccessibleName(_("Folder"))
        self.folder_button = action_button(
            _("C&hoose…"),
            self._pick_export_folder,
            object_name="chooseExportFolder",
            name=_("Choose the folder of the export"),
        )
        folder_row = field_with_button(self.folder_edit, self.folder_button)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        add_row(form, _("Re&ference"), self.export_reference, name=_("Reference of a request"))
        folder_label = QLabel(_("Folder"))
        form.addRow(folder_label, folder_row)
        self.export_button = action_button(
            _("E&xport"),
            self.export,
            object_name="export",
            name=_("Export the person's data to the folder"),
        )
        self.export_status = status_label("exportStatus")
        self.export_error = ErrorLabel()
        self.export_fields: dict[str, QWidget] = {
            "reference": self.export_reference,
            "folder": self.folder_button,
            "language": language_combo,
        }
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(action_row(self.export_button))
        layout.addWidget(self.export_status)
        layout.addWidget(self.export_error)
        layout.addStretch(1)

    def choose_folder(self) -> Path | None:
        """The folder the export goes to; None when the chooser was closed."""
        start = str(self._export_folder or Path.home())
        chosen = QFileDialog.getExistingDirectory(self.window(), _("Export to a folder"), start)
        return Path(chosen) if chosen else None

    def _pick_export_folder(self) -> bool:
        folder = self.choose_folder()
        if folder is None:
            return False
        self._export_folder = folder
        self.folder_edit.setText(str(folder))
        self.folder_edit.setCursorPosition(0)
        self.folder_edit.setToolTip(str(folder))
        return True

    def export(self) -> None:
        """Write the access export of the typed reference into the chosen folder."""
        if self._tasks.busy:
            return
        clear_field_errors(self.export_fields, self.export_error)
        self.export_status.hide()
        reference = self.export_reference.text().strip().upper()
        if not reference:
            show_field_error(
                FieldError(
                    "reference",
                    _("Reference: type the reference of one of the person's requests."),
                ),
                self.export_fields,
                self.export_error,
            )
            return
        if self._export_folder is None and not self._pick_export_folder():
            return
        folder = self._export_folder
        assert folder is not None
        language = str(self._language_combo.currentData())
        store = self._store

        def work() -> tuple[str, Path, Path]:
            with store.transaction() as session:
                request = privacy.request_for_reference(reference, session=session)
                json_path, pdf_path = privacy.export_person(
                    request.reference, folder, session=session, language=language
                )
                return request.reference, json_path, pdf_path

        set_hint(self.export_status, _("Writing the export…"))
        self._tasks.run(work, self._exported, self._export_failed)

    def _exported(self, result: tuple[str, Path, Path]) -> None:
        reference, json_path, pdf_path = result
        set_hint(
            self.export_status,
            _("Written:\n{pdf}\n{json}").format(pdf=pdf_path, json=json_path),
            GOOD_STYLE,
        )
        self.export_reference.setFocus(Qt.FocusReason.OtherFocusReason)
        self.export_reference.selectAll()
        self.exported.emit(reference)

    def _export_failed(self, error: object) -> None:
        self.export_status.hide()
        if isinstance(error, FieldError):
            show_field_error(error, self.export_fields, self.export_error)
        else:
            self.export_error.show_message(failure_message(error))
            self.export_reference.setFocus(Qt.FocusReason.OtherFocusReason)
