"""Privacy duties (GDPR) from the window: access export, erasure, retention, art. 30 record.

- "Export a person's data": a request reference and a folder; everything held about the
  person is written there as ``<reference>-access.pdf`` and ``.json`` (art. 15 and 20).
- "Erase a person": a reference, then what will be erased (counts), then the reference
  typed again to confirm; the erasure and the clean-up of the database file run off the
  UI thread (art. 17). Backups keep the data until they expire, and the dialog says so.
- "Retention": people whose cases all closed more than N years ago; one of them is sent
  to the erasure tab, where the same confirmation applies.
- "Write the record of processing (art. 30)…": a PDF from the office profile.

The services write their own audit entries (``export``, ``erase``); ``exported`` and
``erased`` tell the window, which refreshes its lists. File and folder choosers are
methods (``choose_folder``, ``choose_record_path``) that tests replace.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import col, select

from amudesk import i18n
from amudesk.i18n import N_, _, ngettext
from amudesk.models import Person
from amudesk.services import FieldError, NotFound, privacy
from amudesk.store import Store
from amudesk.ui.kit.fielderrors import ErrorLabel, clear_field_errors, show_field_error
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import GOOD_STYLE, hint_label, set_hint, warning_label
from amudesk.ui.kit.taborder import _chain

log = logging.getLogger(__name__)

DEFAULT_SIZE = (780, 600)
MINIMUM_WIDTH = 620
LANGUAGE_NAMES = {"fr": N_("French"), "nl": N_("Dutch"), "en": N_("English")}
RECORD_FILE = "amudesk-art30-{date}.pdf"
MAX_LISTED = 1000  # rows of the retention list; the oldest first


def _button(text: str, name: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setAccessibleName(accessible)
    button.setAutoDefault(False)
    return button


def _status_label(name: str) -> QLabel:
    label = hint_label()
    label.setObjectName(name)
    label.setAccessibleName(_("Status"))
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


def erasure_summary(report: privacy.ErasureReport) -> str:
    """What an erasure removes (or removed), one line per kind of record."""
    adults = report.people - report.dependants
    lines = [ngettext("{n} person", "{n} people", adults).format(n=adults)]
    if report.dependants:
        lines.append(
            ngettext("{n} minor dependant", "{n} minor dependants", report.dependants).format(
                n=report.dependants
            )
        )
    lines += [
        ngettext("{n} request", "{n} requests", report.requests).format(n=report.requests),
        ngettext("{n} medical attestation", "{n} medical attestations", report.attestations).format(
            n=report.attestations
        ),
        ngettext("{n} decision", "{n} decisions", report.decisions).format(n=report.decisions),
        ngettext(
            "{n} note on a time limit", "{n} notes on time limits", report.deadline_marks
        ).format(n=report.deadline_marks),
        ngettext("{n} photo", "{n} photos", report.photos).format(n=report.photos),
    ]
    return "\n".join(f"• {line}" for line in lines)


def _names(person_ids: list[int], session: Any) -> dict[int, str]:
    """Full names of the people ``person_ids``, read in batches."""
    names: dict[int, str] = {}
    for start in range(0, len(person_ids), 500):
        batch = person_ids[start : start + 500]
        for person in session.exec(select(Person).where(col(Person.id).in_(batch))):
            names[person.id] = person.full_name
    return names


class PrivacyDialog(QDialog):
    """Access export, erasure, retention list and the art. 30 record, in three tabs."""

    erased = Signal(int)  # the id of the person erased
    exported = Signal(str)  # the reference the export was made for

    EXPORT_TAB, ERASE_TAB, RETENTION_TAB = range(3)

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        language: str | None = None,
        retention_years: int = privacy.DEFAULT_RETENTION_YEARS,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._task: Any = None
        self._export_folder: Path | None = None
        self._planned: tuple[int, str] | None = None  # person id, reference
        self.setObjectName("privacyDialog")
        self.setWindowTitle(_("Privacy (GDPR)"))

        self.language_combo = QComboBox()
        self.language_combo.setObjectName("documentLanguage")
        for code in i18n.LANGUAGES:
            self.language_combo.addItem(_(LANGUAGE_NAMES[code]), code)
        chosen = language or self._office_language() or i18n.get_locale()
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(chosen)))
        language_label = QLabel(_("&Language of the documents"))
        language_label.setBuddy(self.language_combo)
        self.language_combo.setAccessibleName(_("Language of the documents"))
        language_row = QHBoxLayout()
        language_row.addWidget(language_label)
        language_row.addWidget(self.language_combo)
        language_row.addStretch(1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("privacyTabs")
        self.tabs.setAccessibleName(_("Privacy duties"))
        self.tabs.addTab(self._export_page(), _("Export a person's data"))
        self.tabs.addTab(self._erase_page(), _("Erase a person"))
        self.tabs.addTab(self._retention_page(retention_years), _("Retention"))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.record_button = _button(
            _("Write the &record of processing (art. 30)…"),
            "writeRecord",
            _("Write the record of processing activities, GDPR article 30"),
        )
        self.record_button.clicked.connect(lambda _checked=False: self.write_record())
        self.record_status = _status_label("recordStatus")
        self.record_error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName(_("Close the privacy duties"))
        self.close_button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.record_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(language_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.record_status)
        layout.addWidget(self.record_error)
        layout.addLayout(bottom)
        _chain(
            [
                self.language_combo,
                self.tabs,
                self.export_reference,
                self.folder_button,
                self.export_button,
                self.erase_reference,
                self.preview_button,
                self.confirm_edit,
                self.erase_button,
                self.cleanup_button,
                self.years_spin,
                self.candidate_table,
                self.to_erase_button,
                self.record_button,
                self.close_button,
            ]
        )
        self.setMinimumWidth(MINIMUM_WIDTH)
        self.resize(*DEFAULT_SIZE)
        self.export_reference.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- set-up ----------------------------------------------------------------------

    def _office_language(self) -> str | None:
        from amudesk.services.office import get_office

        try:
            with self._store.session() as session:
                office = get_office(session=session)
        except Exception:  # a locked or unreadable store: the interface language will do
            log.warning("office profile not read for the document language")
            return None
        return office.document_language if office is not None else None

    def _export_page(self) -> QWidget:
        page = QWidget()
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
        self.folder_button = _button(
            _("C&hoose…"), "chooseExportFolder", _("Choose the folder of the export")
        )
        self.folder_button.clicked.connect(lambda _checked=False: self._pick_export_folder())
        folder_row = QWidget()
        folder_layout = QHBoxLayout(folder_row)
        folder_layout.setContentsMargins(0, 0, 0, 0)
        folder_layout.addWidget(self.folder_edit, 1)
        folder_layout.addWidget(self.folder_button)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        add_row(form, _("Re&ference"), self.export_reference, name=_("Reference of a request"))
        folder_label = QLabel(_("Folder"))
        form.addRow(folder_label, folder_row)
        self.export_button = _button(
            _("E&xport"), "export", _("Export the person's data to the folder")
        )
        self.export_button.clicked.connect(lambda _checked=False: self.export())
        self.export_status = _status_label("exportStatus")
        self.export_error = ErrorLabel()
        self.export_fields: dict[str, QWidget] = {
            "reference": self.export_reference,
            "folder": self.folder_button,
            "language": self.language_combo,
        }
        actions = QHBoxLayout()
        actions.addWidget(self.export_button)
        actions.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.export_status)
        layout.addWidget(self.export_error)
        layout.addStretch(1)
        return page

    def _erase_page(self) -> QWidget:
        from amudesk.backups import KEEP_DAILY, KEEP_WEEKLY
        from amudesk.documents.processing import backup_weeks

        page = QWidget()
        intro = hint_label(
            _(
                "Erases a person with their requests, attestations, decisions and the minor "
                "dependants who have no requests of their own (GDPR art. 17). It cannot be "
                "undone."
            )
        )
        self.backup_warning = warning_label(
            _(
                "Backups keep the erased data until they expire: up to about {weeks} weeks "
                "({daily} daily and {weekly} weekly backups). Delete by hand any copy kept "
                "elsewhere, such as on a USB stick."
            ).format(weeks=backup_weeks(), daily=KEEP_DAILY, weekly=KEEP_WEEKLY)
        )
        self.erase_reference = QLineEdit()
        self.erase_reference.setObjectName("eraseReference")
        self.erase_reference.setPlaceholderText("AMU-2026-0042")
        self.erase_reference.textEdited.connect(lambda _text: self._forget_plan())
        self.erase_reference.returnPressed.connect(self.preview_erasure)
        self.preview_button = _button(
            _("&Show what will be erased"), "previewErasure", _("Show what will be erased")
        )
        self.preview_button.clicked.connect(lambda _checked=False: self.preview_erasure())
        reference_row = QWidget()
        reference_layout = QHBoxLayout(reference_row)
        reference_layout.setContentsMargins(0, 0, 0, 0)
        reference_layout.addWidget(self.erase_reference, 1)
        reference_layout.addWidget(self.preview_button)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("erasurePreview")
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_label.setWordWrap(True)
        self.preview_label.setAccessibleName(_("What will be erased"))
        self.preview_label.hide()
        self.preview_warning = warning_label("")
        self.preview_warning.setObjectName("erasureWarning")
        self.preview_warning.hide()
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName("confirmReference")
        self.confirm_edit.setEnabled(False)
        self.confirm_edit.textChanged.connect(lambda _text: self._update_erase_button())
        self.confirm_edit.returnPressed.connect(self.erase)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        reference_label = add_row(
            form, _("Refe&rence"), reference_row, name=_("Reference of the person to erase")
        )
        reference_label.setBuddy(self.erase_reference)
        self.erase_reference.setAccessibleName(_("Reference of the person to erase"))
        form.addRow("", self.preview_label)
        form.addRow("", self.preview_warning)
        add_row(
            form,
            _("T&ype the reference again"),
            self.confirm_edit,
            name=_("Type the reference again to confirm the erasure"),
        )
        self.erase_button = _button(_("&Erase for good"), "erase", _("Erase the person for good"))
        self.erase_button.setEnabled(False)
        self.erase_button.setStyleSheet("QPushButton:enabled { color: #a4000f; font-weight: 600; }")
        self.erase_button.clicked.connect(lambda _checked=False: self.erase())
        self.cleanup_button = _button(
            _("&Clean up the database file again"),
            "cleanUp",
            _("Clean up the database file again"),
        )
        self.cleanup_button.clicked.connect(lambda _checked=False: self.clean_up())
        self.cleanup_button.hide()
        actions = QHBoxLayout()
        actions.addWidget(self.erase_button)
        actions.addWidget(self.cleanup_button)
        actions.addStretch(1)
        self.erase_status = _status_label("eraseStatus")
        self.erase_error = ErrorLabel()
        self.erase_fields: dict[str, QWidget] = {
            "reference": self.erase_reference,
            "confirm": self.confirm_edit,
        }
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addWidget(self.backup_warning)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.erase_status)
        layout.addWidget(self.erase_error)
        layout.addStretch(1)
        return page

    def _retention_page(self, years: int) -> QWidget:
        page = QWidget()
        intro = hint_label(
            _(
                "People whose cases are all closed (a decision no longer valid, a refusal or "
                "a finding of incompetence) and whose last activity is older than the number "
                "of years below. Nobody with an open case is listed. Choose one to erase it "
                "in the Erase tab."
            )
        )
        self.years_spin = QSpinBox()
        self.years_spin.setObjectName("retentionYears")
        self.years_spin.setRange(privacy.MIN_RETENTION_YEARS, privacy.MAX_RETENTION_YEARS)
        self.years_spin.setValue(years)
        self.years_spin.valueChanged.connect(lambda _value: self.list_candidates())
        self.years_spin.setMaximumWidth(
            self.years_spin.fontMetrics().horizontalAdvance("0000") + 48
        )
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        add_row(
            form,
            _("&Years after the last activity"),
            self.years_spin,
            name=_("Years after the last activity"),
        )
        self.years_spin.lineEdit().setAccessibleName(self.years_spin.accessibleName())
        self.candidate_table = QTableWidget(0, 4)
        self.candidate_table.setObjectName("retentionCandidates")
        self.candidate_table.setAccessibleName(_("People due for erasure"))
        self.candidate_table.setHorizontalHeaderLabels(
            [_("Reference"), _("Last activity"), _("Requests"), _("Person")]
        )
        self.candidate_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.candidate_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.candidate_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.candidate_table.setTabKeyNavigation(False)
        self.candidate_table.verticalHeader().hide()
        header = self.candidate_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.candidate_table.itemSelectionChanged.connect(self._candidate_selected)
        self.candidate_table.activated.connect(lambda _index: self.send_to_erasure())
        table_label = QLabel(_("People &due for erasure"))
        table_label.setBuddy(self.candidate_table)
        self.empty_label = hint_label(_("Nobody is due for erasure."))
        self.empty_label.setObjectName("retentionEmpty")
        self.to_erase_button = _button(
            _("Erase the &selected person…"),
            "sendToErasure",
            _("Erase the selected person, after confirmation"),
        )
        self.to_erase_button.setEnabled(False)
        self.to_erase_button.clicked.connect(lambda _checked=False: self.send_to_erasure())
        self.retention_status = _status_label("retentionStatus")
        self.retention_error = ErrorLabel()
        actions = QHBoxLayout()
        actions.addWidget(self.to_erase_button)
        actions.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(table_label)
        layout.addWidget(self.candidate_table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.retention_status)
        layout.addLayout(actions)
        layout.addWidget(self.retention_error)
        self._listed = False
        return page

    def language(self) -> str:
        """The language the documents are written in."""
        return str(self.language_combo.currentData())

    # --- running work off the UI thread ----------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None

    def _run(self, work: Any, finished: Any, failed: Any) -> None:
        from amudesk.ui.workers import Task

        def function(progress: Any, cancelled: Any) -> Any:
            return work()

        task = Task(function, self)
        self._task = task
        self._set_actions_enabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor)
        task.finished.connect(lambda result: self._end(task) and finished(result))
        task.failed.connect(lambda error: self._end(task) and failed(error))
        task.start()

    def _end(self, task: Any) -> bool:
        if task is not self._task:
            return False
        self._task = None
        self.unsetCursor()
        self._set_actions_enabled(True)
        task.deleteLater()
        return True

    def _set_actions_enabled(self, enabled: bool) -> None:
        for widget in (
            self.export_button,
            self.folder_button,
            self.preview_button,
            self.cleanup_button,
            self.to_erase_button,
            self.record_button,
            self.years_spin,
        ):
            widget.setEnabled(enabled)
        if enabled:
            self._update_erase_button()
            self.to_erase_button.setEnabled(self._selected_reference() is not None)
        else:
            self.erase_button.setEnabled(False)

    def wait_for_task(self, milliseconds: int = 30_000) -> bool:
        """Wait until the running work is over and its outcome shown (tests, closing)."""
        task = self._task
        return task is None or task.wait_reported(milliseconds)

    def done(self, result: int) -> None:
        """An export or erasure is never cut short: closing waits for it."""
        self.wait_for_task()
        super().done(result)

    @staticmethod
    def _message(error: object) -> str:
        if isinstance(error, FieldError | NotFound):
            return str(error)
        from amudesk.store import StoreError

        if isinstance(error, StoreError):
            return str(error)
        if isinstance(error, OSError):
            return _("The file could not be written: {detail}").format(
                detail=error.strerror or error
            )
        return _("It did not work: {detail}").format(detail=error)

    # --- export ----------------------------------------------------------------------

    def choose_folder(self) -> Path | None:
        """The folder the export goes to; None when the chooser was closed."""
        start = str(self._export_folder or Path.home())
        chosen = QFileDialog.getExistingDirectory(self, _("Export to a folder"), start)
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
        if self.busy:
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
        language = self.language()
        store = self._store

        def work() -> tuple[str, Path, Path]:
            with store.transaction() as session:
                request = privacy.request_for_reference(reference, session=session)
                json_path, pdf_path = privacy.export_person(
                    request.reference, folder, session=session, language=language
                )
                return request.reference, json_path, pdf_path

        set_hint(self.export_status, _("Writing the export…"))
        self._run(work, self._exported, self._export_failed)

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
            self.export_error.show_message(self._message(error))
            self.export_reference.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- erasure ---------------------------------------------------------------------

    def _forget_plan(self) -> None:
        self._planned = None
        self.preview_label.hide()
        self.preview_warning.hide()
        self.confirm_edit.clear()
        self.confirm_edit.setEnabled(False)
        self._update_erase_button()

    def preview_erasure(self) -> None:
        """Show what erasing the person of the typed reference would remove."""
        if self.busy:
            return
        self._forget_plan()
        clear_field_errors(self.erase_fields, self.erase_error)
        self.erase_status.hide()
        reference = self.erase_reference.text()
        try:
            with self._store.session() as session:
                request = privacy.request_for_reference(reference, session=session)
                report = privacy.plan_erasure(request.person_id, session=session)
                person = session.get(Person, request.person_id)
                name = person.full_name if person is not None else ""
        except FieldError as error:
            show_field_error(error, self.erase_fields, self.erase_error)
            return
        except NotFound as error:
            show_field_error(
                FieldError("reference", str(error)), self.erase_fields, self.erase_error
            )
            return
        self._planned = (report.person_id, request.reference)
        self.erase_reference.setText(request.reference)
        text = _("{name} (person no. {number}), found through {reference}. Will be erased:").format(
            name=name, number=report.person_id, reference=request.reference
        )
        self.preview_label.setText(f"{text}\n{erasure_summary(report)}")
        self.preview_label.setAccessibleDescription(self.preview_label.text())
        self.preview_label.show()
        warnings = []
        if report.open_requests:
            warnings.append(
                ngettext(
                    "{n} request is still open: check that nothing obliges the office to keep it.",
                    "{n} requests are still open: check that nothing obliges the office to keep them.",
                    report.open_requests,
                ).format(n=report.open_requests)
            )
        if report.dependants_kept:
            warnings.append(
                ngettext(
                    "{n} minor dependant has requests of their own: they are kept, no longer "
                    "linked to this person.",
                    "{n} minor dependants have requests of their own: they are kept, no longer "
                    "linked to this person.",
                    len(report.dependants_kept),
                ).format(n=len(report.dependants_kept))
            )
        if warnings:
            self.preview_warning.setText("\n".join(warnings))
            self.preview_warning.setAccessibleName(self.preview_warning.text())
            self.preview_warning.show()
        self.confirm_edit.setEnabled(True)
        self.confirm_edit.setPlaceholderText(request.reference)
        self.confirm_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self._update_erase_button()

    def _confirmed(self) -> bool:
        return (
            self._planned is not None
            and self.confirm_edit.text().strip().upper() == self._planned[1].upper()
        )

    def _update_erase_button(self) -> None:
        self.erase_button.setEnabled(not self.busy and self._confirmed())

    def erase(self) -> None:
        """Erase the previewed person, once the reference was typed again."""
        if self.busy:
            return
        clear_field_errors(self.erase_fields, self.erase_error)
        if self._planned is None:
            show_field_error(
                FieldError("reference", _("Reference: show what will be erased first.")),
                self.erase_fields,
                self.erase_error,
            )
            return
        if not self._confirmed():
            show_field_error(
                FieldError(
                    "confirm",
                    _("Confirmation: type the reference {reference} exactly.").format(
                        reference=self._planned[1]
                    ),
                ),
                self.erase_fields,
                self.erase_error,
            )
            return
        person_id, _reference = self._planned
        store = self._store

        def work() -> tuple[privacy.ErasureReport, str]:
            from amudesk.store import StoreError

            with store.transaction() as session:
                report = privacy.erase_person(person_id, session=session)
            try:
                privacy.compact(store)
            except StoreError as exc:  # erased all the same; the clean-up can be run again
                return report, str(exc)
            return report, ""

        set_hint(self.erase_status, _("Erasing…"))
        self._run(work, self._erased, self._erase_failed)

    def _erased(self, result: tuple[privacy.ErasureReport, str]) -> None:
        report, cleanup_problem = result
        reference = self._planned[1] if self._planned else ""
        self._forget_plan()
        self.erase_reference.clear()
        set_hint(
            self.erase_status,
            _("{reference}: erased.\n{summary}").format(
                reference=reference, summary=erasure_summary(report)
            ),
            GOOD_STYLE,
        )
        if cleanup_problem:
            self.erase_error.show_message(cleanup_problem)
            self.cleanup_button.show()
        self.erase_reference.setFocus(Qt.FocusReason.OtherFocusReason)
        self._listed = False
        self.erased.emit(report.person_id)

    def _erase_failed(self, error: object) -> None:
        self.erase_status.hide()
        self.erase_error.show_message(self._message(error))
        self.erase_reference.setFocus(Qt.FocusReason.OtherFocusReason)

    def clean_up(self) -> None:
        """Run the clean-up of the database file again (after it was kept from finishing)."""
        if self.busy:
            return
        store = self._store
        self.erase_error.clear_message()
        set_hint(self.erase_status, _("Cleaning up the database file…"))

        def cleaned(_result: object) -> None:
            self.cleanup_button.hide()
            set_hint(self.erase_status, _("The database file is cleaned up."), GOOD_STYLE)

        self._run(lambda: privacy.compact(store), cleaned, self._erase_failed)

    # --- retention -------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == self.RETENTION_TAB and not self._listed:
            self.list_candidates()

    def list_candidates(self) -> None:
        """List the people due for erasure after the chosen number of years (off the UI
        thread: on a large register it takes a few seconds)."""
        if self.busy:
            return
        self.retention_error.clear_message()
        self.candidate_table.setRowCount(0)
        self.empty_label.hide()
        set_hint(self.retention_status, _("Looking for people due for erasure…"))
        store = self._store
        years = self.years_spin.value()

        def work() -> tuple[list[privacy.RetentionCandidate], dict[int, str]]:
            with store.session() as session:
                found = privacy.retention_candidates(session=session, years=years)
                shown = found[:MAX_LISTED]
                return found, _names([c.person_id for c in shown], session)

        self._listed = True
        self._run(work, self._candidates_listed, self._candidates_failed)

    def _candidates_listed(
        self, result: tuple[list[privacy.RetentionCandidate], dict[int, str]]
    ) -> None:
        found, names = result
        shown = found[:MAX_LISTED]
        table = self.candidate_table
        table.setRowCount(len(shown))
        for row, candidate in enumerate(shown):
            reference = QTableWidgetItem(candidate.reference)
            reference.setData(Qt.ItemDataRole.UserRole, candidate.person_id)
            last = QTableWidgetItem(i18n.format_date(candidate.last_activity))
            last.setData(Qt.ItemDataRole.UserRole, candidate.last_activity.isoformat())
            count = QTableWidgetItem(str(len(candidate.references)))
            count.setToolTip(", ".join(candidate.references))
            count.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            name = QTableWidgetItem(names.get(candidate.person_id, ""))
            for column, item in enumerate((reference, last, count, name)):
                table.setItem(row, column, item)
        self.empty_label.setVisible(not found)
        if len(found) > len(shown):
            set_hint(
                self.retention_status,
                _("The {shown} oldest of {total} are shown; erase them to see the others.").format(
                    shown=len(shown), total=len(found)
                ),
            )
        elif found:
            set_hint(
                self.retention_status,
                ngettext(
                    "{n} person is due for erasure.", "{n} people are due for erasure.", len(found)
                ).format(n=len(found)),
            )
        else:
            self.retention_status.hide()
        if shown:
            table.selectRow(0)
        self._candidate_selected()

    def _candidates_failed(self, error: object) -> None:
        self.retention_status.hide()
        self.empty_label.hide()
        self._listed = False
        self.retention_error.show_message(self._message(error))

    def candidates(self) -> list[tuple[str, str]]:
        """(reference, last activity ISO date) of each row listed."""
        rows = []
        for row in range(self.candidate_table.rowCount()):
            reference = self.candidate_table.item(row, 0)
            last = self.candidate_table.item(row, 1)
            if reference is not None and last is not None:
                rows.append((reference.text(), str(last.data(Qt.ItemDataRole.UserRole))))
        return rows

    def _selected_reference(self) -> str | None:
        rows = self.candidate_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.candidate_table.item(rows[0].row(), 0)
        return item.text() if item is not None else None

    def _candidate_selected(self) -> None:
        self.to_erase_button.setEnabled(not self.busy and self._selected_reference() is not None)

    def send_to_erasure(self) -> None:
        """Open the erasure of the selected person: what goes, then the confirmation."""
        reference = self._selected_reference()
        if reference is None or self.busy:
            return
        self.tabs.setCurrentIndex(self.ERASE_TAB)
        self.erase_reference.setText(reference)
        self.preview_erasure()

    # --- record of processing --------------------------------------------------------

    def choose_record_path(self) -> Path | None:
        """Where to write the record of processing; None when the chooser was closed."""
        name = RECORD_FILE.format(date=dt.date.today().isoformat())
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            _("Write the record of processing"),
            str(Path.home() / name),
            _("PDF documents ({pattern})").format(pattern="*.pdf"),
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")

    def write_record(self) -> None:
        """Write the record of processing activities (GDPR art. 30) as a PDF."""
        if self.busy:
            return
        self.record_error.clear_message()
        self.record_status.hide()
        path = self.choose_record_path()
        if path is None:
            return
        store = self._store
        language = self.language()
        years = self.years_spin.value()

        def work() -> Path:
            with store.session() as session:
                return privacy.write_record_of_processing(
                    path, session=session, language=language, retention_years=years
                )

        def written(result: Path) -> None:
            set_hint(self.record_status, _("Written: {path}").format(path=result), GOOD_STYLE)

        def failed(error: object) -> None:
            self.record_status.hide()
            self.record_error.show_message(self._message(error))

        set_hint(self.record_status, _("Writing the record…"))
        self._run(work, written, failed)
