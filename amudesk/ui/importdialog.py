"""Import requests from a .csv or .xlsx file, off the UI thread, with progress and cancel.

Every rejected row is listed (line, field, reason) so the user can fix the file.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from amudesk.i18n import _, ngettext
from amudesk.services import importing
from amudesk.services.spreadsheet import (
    COLUMN_LABELS,
    COLUMNS,
    IGNORE,
    REQUIRED_COLUMNS,
    SpreadsheetError,
)
from amudesk.settings import load_settings, save_settings
from amudesk.store import Store
from amudesk.text import shown
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.taskdialog import TaskDialog, progress_bar, show_progress
from amudesk.ui.workers import Cancelled

log = logging.getLogger(__name__)

SPREADSHEET_SUFFIXES = (".csv", ".xlsx")


class ImportDialog(TaskDialog):
    """Choose a file, import it, read the report. ``imported`` says how many requests came in."""

    import_done = Signal(object)  # the report, or the error that stopped the import

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.imported = 0
        self.report: Any = None
        # The headers of the file imported last and the mapping it was given.
        self._mapped: tuple[list[str], dict[str, str]] = ([], {})
        self.setWindowTitle(_("Import requests"))
        self.setObjectName("importDialog")
        self.resize(760, 480)
        self._build()

    # --- building ------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        intro = QLabel(
            _(
                "Choose a spreadsheet (.csv or .xlsx) with one request per row. "
                "The first row must hold the column names."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        columns = QLabel(columns_hint())
        columns.setObjectName("hint")
        columns.setWordWrap(True)
        columns.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(columns)

        form = QFormLayout()
        file_row = QHBoxLayout()
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("importPath")
        self.path_edit.setAccessibleName(_("File to import"))
        self.path_edit.textChanged.connect(self._update_buttons)
        self.path_edit.textChanged.connect(self._forget_mapping)
        self.choose_button = QPushButton(_("&Choose…"))
        self.choose_button.setAccessibleName(_("Choose the file to import"))
        self.choose_button.setAutoDefault(False)
        self.choose_button.clicked.connect(self.choose_file)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        file_label = QLabel(_("&File:"))
        file_label.setBuddy(self.path_edit)
        form.addRow(file_label, file_row)
        layout.addLayout(form)

        self.skip_invalid = QCheckBox(_("Import the &good rows and skip the bad ones"))
        self.skip_invalid.setAccessibleName(_("Import the good rows and skip the bad ones"))
        self.skip_invalid.setToolTip(
            _("Without this, nothing is imported while one row has a problem.")
        )
        layout.addWidget(self.skip_invalid)

        self.update_known = QCheckBox(_("&Update the requests already registered from their rows"))
        self.update_known.setObjectName("importUpdate")
        self.update_known.setAccessibleName(
            _("Update the requests already registered from their rows")
        )
        self.update_known.setToolTip(
            _(
                "A row whose reference is registered already (or, without a reference, the "
                "same person at the same CPAS on the same day) corrects that request and its "
                "person. Without this, such rows are listed and left out."
            )
        )
        layout.addWidget(self.update_known)

        self.header_mapping = HeaderMapping()
        self.header_mapping.hide()
        layout.addWidget(self.header_mapping)

        self.progress = progress_bar(_("Import progress"))
        self.progress.hide()
        layout.addWidget(self.progress)

        self.error = ErrorLabel()
        layout.addWidget(self.error)
        self.summary = QLabel()
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName(_("Import result"))
        self.summary.hide()
        layout.addWidget(self.summary)

        self.problems = QTableWidget(0, 3)
        self.problems.setObjectName("importProblems")
        self.problems.setAccessibleName(_("Rows with problems"))
        self.problems.setHorizontalHeaderLabels([_("Line"), _("Field"), _("Problem")])
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems.setTabKeyNavigation(False)
        self.problems.setWordWrap(True)
        self.problems.verticalHeader().hide()
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.problems.hide()
        layout.addWidget(self.problems, 1)
        layout.addStretch(0)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.import_button = QPushButton(_("&Import"))
        self.import_button.setObjectName("startImport")
        self.import_button.setAccessibleName(_("Import"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setObjectName("cancelImport")
        self.cancel_button.setAccessibleName(_("Cancel the import"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        for button in (self.import_button, self.cancel_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._update_buttons()

    # --- state ---------------------------------------------------------------------

    def is_running(self) -> bool:
        return self.busy

    def _update_buttons(self) -> None:
        running = self.is_running()
        self.import_button.setEnabled(
            not running and not self.imported and bool(self.path_edit.text().strip())
        )
        self.path_edit.setEnabled(not running)
        self.choose_button.setEnabled(not running)
        self.skip_invalid.setEnabled(not running)
        self.update_known.setEnabled(not running)
        self.header_mapping.setEnabled(not running)

    def _forget_mapping(self) -> None:
        """Another file: the headers mapped were those of the one before."""
        if self.header_mapping.unknown:
            self.header_mapping.clear()

    def _chosen_mapping(self) -> dict[str, str] | None:
        """The mapping of the unknown headers, once each has a choice and the choices agree;
        None (the reason shown) otherwise. Empty when no header needed one."""
        panel = self.header_mapping
        if not panel.unknown:
            return {}
        missing = panel.missing()
        if missing:
            self.error.show_message(
                _("Columns: choose which column “{header}” is, or ignore it.").format(
                    header=_header_shown(missing[0])
                )
            )
            panel.combos[panel.unknown.index(missing[0])].setFocus()
            return None
        mapping = panel.mapping()
        try:
            importing.checked_mapping(mapping, panel.headers)
        except SpreadsheetError as exc:
            self.error.show_message(str(exc))
            return None
        return mapping

    def _ask_mapping(self, error: importing.UnknownColumns) -> None:
        """Show the unknown headers, each with the column remembered for this layout."""
        settings = self._settings()
        proposed = (
            importing.remembered_mapping(settings.extra, error.headers)
            if settings is not None
            else {}
        )
        self.header_mapping.show_headers(error.headers, error.unknown, proposed)
        self.header_mapping.show()
        if self.header_mapping.combos:
            self.header_mapping.combos[0].setFocus()

    def _settings(self) -> Any:
        data_dir = self._store.data_dir
        return load_settings(data_dir) if data_dir is not None else None

    def _remember_mapping(self, headers: list[str], mapping: dict[str, str]) -> None:
        settings = self._settings()
        if settings is None or not mapping:
            return
        importing.remember_mapping(settings.extra, headers, mapping)
        try:
            save_settings(settings, self._store.data_dir)
        except OSError as exc:
            log.warning("the import's column mapping was not remembered: %s", exc.strerror)

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the spreadsheet to import"),
            self.path_edit.text() or str(Path.home()),
            _("Spreadsheets (*.csv *.xlsx)"),
        )
        if chosen:
            self.path_edit.setText(chosen)

    # --- running -------------------------------------------------------------------

    def start(self) -> None:
        """Import the chosen file in the background."""
        if self.is_running():
            return
        path = Path(self.path_edit.text().strip()).expanduser()
        self.error.clear_message()
        if not path.is_file():
            self.error.show_message(_("File: this file does not exist."))
            self.path_edit.setFocus()
            return
        if path.suffix.lower() not in SPREADSHEET_SUFFIXES:
            self.error.show_message(_("File: choose a .csv or .xlsx file."))
            self.path_edit.setFocus()
            return
        mapping = self._chosen_mapping()
        if mapping is None:
            return
        self._mapped = (list(self.header_mapping.headers), mapping)
        store = self._store
        skip_invalid = self.skip_invalid.isChecked()
        update = self.update_known.isChecked()

        def work(progress: Any, cancelled: Any) -> Any:
            return importing.import_file(
                path,
                store=store,
                skip_invalid=skip_invalid,
                update=update,
                progress=progress,
                cancelled=cancelled,
                mapping=mapping,
            )

        self.summary.hide()
        self.problems.hide()
        self.problems.setRowCount(0)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel the import"))
        log.info("import started")
        self.tasks.start(
            work, finished=self._finished, failed=self._failed, progress=self._progress
        )
        self._update_buttons()
        self.cancel_button.setFocus()

    def cancel(self) -> None:
        if self.tasks.cancel():
            self.cancel_button.setEnabled(False)
            self.progress.setFormat(_("Cancelling…"))

    def reject(self) -> None:
        """Cancel stops a running import first; the dialog closes when it has stopped, and
        says whether requests came in (Accepted)."""
        if self.imported and not self.busy:
            self.accept()
        else:
            super().reject()

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            show_progress(self.progress, done, total, busy_when_unknown=False)
            self.progress.setFormat(_("Row %v of %m"))

    def _stopped(self, outcome: object) -> None:
        self.progress.hide()
        self.progress.setFormat("%p%")
        self.cancel_button.setEnabled(True)
        self.cancel_button.setText(_("Close"))
        self.cancel_button.setAccessibleName(_("Close"))
        self._update_buttons()
        self.import_done.emit(outcome)
        if not self.close_if_asked():
            self.cancel_button.setFocus()

    def _finished(self, report: Any) -> None:
        self.report = report
        self._remember_mapping(*self._mapped)
        self.imported += int(report.imported)
        log.info(
            "import finished: %s imported, %s bad lines", report.imported, len(report.bad_lines)
        )
        self._show_report(report)
        self._stopped(report)

    def _failed(self, error: object) -> None:
        if isinstance(error, importing.ImportCancelled | Cancelled):
            self.summary.setText(_("The import was cancelled; nothing was imported."))
            self.summary.show()
        elif (
            isinstance(error, importing.UnknownColumns) and len(error.unknown) <= MAX_MAPPED_HEADERS
        ):
            self._ask_mapping(error)
        elif isinstance(error, SpreadsheetError):
            self.error.show_message(str(error))
        else:
            self.error.show_message(_("The import failed. Details were written to the log file."))
        self._stopped(error)

    def _show_report(self, report: Any) -> None:
        bad = len(report.bad_lines)
        if report.problems and not self.skip_invalid.isChecked():
            text = ngettext(
                "Nothing was imported: {n} row has a problem. Fix it in the file, "
                "or tick “Import the good rows and skip the bad ones”.",
                "Nothing was imported: {n} rows have problems. Fix them in the file, "
                "or tick “Import the good rows and skip the bad ones”.",
                bad,
            ).format(n=bad)
        else:
            text = _("{n} requests imported ({people} new people), {bad} rows skipped.").format(
                n=report.imported, people=report.new_people, bad=bad
            )
        updated = int(getattr(report, "updated", 0))
        duplicates = list(getattr(report, "duplicates", []))
        if updated:
            text += " " + ngettext("{n} request updated.", "{n} requests updated.", updated).format(
                n=updated
            )
        if duplicates:
            text += " " + ngettext(
                "{n} row repeats a request already registered and was left out.",
                "{n} rows repeat requests already registered and were left out.",
                len(duplicates),
            ).format(n=len(duplicates))
        self.summary.setText(text)
        self.summary.show()
        self._fill_problems(sorted([*report.problems, *duplicates], key=lambda p: p.line))

    def _fill_problems(self, problems: list[Any]) -> None:
        self.problems.setRowCount(len(problems))
        for row, problem in enumerate(problems):
            line = QTableWidgetItem(str(problem.line))
            line.setData(Qt.ItemDataRole.AccessibleTextRole, problem.describe())
            self.problems.setItem(row, 0, line)
            self.problems.setItem(row, 1, QTableWidgetItem(str(problem.field or "")))
            reason = QTableWidgetItem(str(problem.message))
            reason.setToolTip(problem.describe())
            self.problems.setItem(row, 2, reason)
        self.problems.setVisible(bool(problems))
        self.problems.resizeRowsToContents()


def columns_hint() -> str:
    others = [c for c in COLUMNS if c not in REQUIRED_COLUMNS]
    return (
        _(
            "Required columns: {required}. Other columns: {others}. "
            "An export (File → Export…) gives a file with every column."
        ).format(required=", ".join(REQUIRED_COLUMNS), others=", ".join(others))
        + " "
        + _(
            "The names may also be written in French or Dutch (nom, prénom, date de la demande, "
            "naam, voornaam, datum aanvraag…); the import asks about the others."
        )
    )


# --- the headers the import does not know --------------------------------------------------

# Beyond this many unknown headers the file is not a list of requests: no table is offered.
MAX_MAPPED_HEADERS = 40
HEADER_SHOWN_LENGTH = 60


def _header_shown(header: str) -> str:
    text = shown(header)
    return text if len(text) <= HEADER_SHOWN_LENGTH else text[: HEADER_SHOWN_LENGTH - 1] + "…"


class HeaderMapping(QWidget):
    """The file's headers the import does not know, each with a list to say which column
    it is, or that it is to be ignored; ``mapping`` is what the user chose."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importMapping")
        # Its height is that of its rows: the dialog's spare room stays below the buttons' row.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.headers: list[str] = []  # every header of the file
        self.unknown: list[str] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.intro = QLabel(
            _(
                "Some columns of the file have names the import does not know. Say which "
                "column each one is, or ignore it, then click Import again. The choice is "
                "remembered for files with the same columns."
            )
        )
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.table = QTableWidget(0, 2)
        self.table.setObjectName("importMappingTable")
        self.table.setAccessibleName(_("Columns of the file to map"))
        self.table.setHorizontalHeaderLabels([_("Column of the file"), _("Is the column")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        self.combos: list[QComboBox] = []

    def show_headers(
        self, headers: list[str], unknown: list[str], proposed: dict[str, str]
    ) -> None:
        """One row per unknown header, its list set to the column ``proposed`` for it."""
        self.headers, self.unknown = list(headers), list(unknown)
        self.table.setRowCount(len(unknown))
        self.combos = []
        for row, name in enumerate(unknown):
            item = QTableWidgetItem(_header_shown(name))
            item.setToolTip(shown(name))
            self.table.setItem(row, 0, item)
            combo = QComboBox()
            combo.setAccessibleName(_("Column for “{header}”").format(header=_header_shown(name)))
            combo.addItem(_("Choose…"), None)
            combo.addItem(_("Ignore this column"), IGNORE)
            for column in COLUMNS:
                combo.addItem(f"{_(COLUMN_LABELS[column])} ({column})", column)
            wanted = proposed.get(name)
            if wanted is not None:
                combo.setCurrentIndex(max(combo.findData(wanted), 0))
            self.table.setCellWidget(row, 1, combo)
            self.combos.append(combo)
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().height() + 4
        height += sum(self.table.rowHeight(row) for row in range(min(len(unknown), 6)))
        self.table.setFixedHeight(height)

    def mapping(self) -> dict[str, str]:
        """Header → column or IGNORE, for the headers given one."""
        chosen: dict[str, str] = {}
        for name, combo in zip(self.unknown, self.combos, strict=True):
            column = combo.currentData()
            if isinstance(column, str):
                chosen[name] = column
        return chosen

    def missing(self) -> list[str]:
        """The unknown headers still without a choice."""
        given = self.mapping()
        return [name for name in self.unknown if name not in given]

    def clear(self) -> None:
        self.headers, self.unknown, self.combos = [], [], []
        self.table.setRowCount(0)
        self.hide()
