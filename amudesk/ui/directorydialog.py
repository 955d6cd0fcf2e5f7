"""The CPAS directory: a filterable list on the left, the selected entry's form on the right."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from amudesk.i18n import _, get_locale, ngettext
from amudesk.models import Cpas
from amudesk.services import FieldError, NotFound, directory
from amudesk.services.spreadsheet import SpreadsheetError
from amudesk.store import Store
from amudesk.text import fold
from amudesk.ui.kit.bce import BceEdit, add_bce_row
from amudesk.ui.kit.fielderrors import ErrorLabel, clear_field_errors, show_field_error
from amudesk.ui.kit.formrows import add_row, plain, required_label
from amudesk.ui.kit.taskdialog import TaskDialog, failure_message, status_label

ID_ROLE = Qt.ItemDataRole.UserRole
SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1

# The fields of the form, in tab order: service keyword → label (with mnemonic).
TEXT_FIELDS = ("name_fr", "name_nl", "commune_fr", "commune_nl")
REQUIRED = ("name_fr", "name_nl")


class SortItem(QTableWidgetItem):
    """A cell sorted as people read it: 'CPAS d'Uccle' after 'CPAS de Saint-Gilles'."""

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return directory.cpas_key(self.text()) < directory.cpas_key(other.text())


class _FilterKeys(QObject):
    """Enter or Down in the filter box moves to the list instead of reaching the dialog."""

    def __init__(self, dialog: DirectoryDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down)
        ):
            self._dialog.focus_list()
            return True
        return False


def cpas_search_key(cpas: Cpas) -> str:
    return fold(" ".join((cpas.name_fr, cpas.name_nl, cpas.commune_fr, cpas.commune_nl)))


def matches(search_key: str, query: str) -> bool:
    """Every word of the query appears in the entry, whatever the accents, case and dashes."""
    return all(word in search_key for word in fold(query).split())


def ask_save_changes(parent: QWidget) -> QMessageBox.StandardButton:
    buttons = (
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    return QMessageBox.question(
        parent,
        _("Unsaved changes"),
        _("Save changes?"),
        buttons,
        QMessageBox.StandardButton.Save,
    )


# The problems a refused file of contacts lists in its message; the others are counted.
SHOWN_PROBLEMS = 25


def contacts_import(store: Store, path: Path) -> Callable[..., directory.ContactsReport]:
    """The work of "Import contacts…", run off the UI thread: one transaction, which
    writes nothing when a row is refused."""

    def work(progress: object = None, cancelled: object = None) -> directory.ContactsReport:
        with store.transaction() as session:
            return directory.import_contacts(path, session=session)

    return work


def refusal_text(report: directory.ContactsReport) -> str:
    """What a refused file of contacts was refused for: every problem (up to a screenful)."""
    bad = len(report.bad_lines)
    lines = [
        ngettext(
            "Nothing was imported: {n} row of the file has a problem. Fix it and import the "
            "file again.",
            "Nothing was imported: {n} rows of the file have problems. Fix them and import "
            "the file again.",
            bad,
        ).format(n=bad),
        "",
    ]
    lines += [problem.describe() for problem in report.problems[:SHOWN_PROBLEMS]]
    more = len(report.problems) - SHOWN_PROBLEMS
    if more > 0:
        lines.append(ngettext("… and {n} more.", "… and {n} more.", more).format(n=more))
    return "\n".join(lines)


class DirectoryDialog(TaskDialog):
    """Browse, edit, add and remove the CPAS / OCMW a request can be filed with, and fill in
    their contacts from a CSV file."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._entries: list[Cpas] = []
        self._current_id: int | None = None
        self._loaded: dict[str, str] = {}
        self._switching = False
        self.setWindowTitle(_("CPAS directory"))
        self.setObjectName("directoryDialog")
        self._build()
        self._reload()
        shown = self.visible_ids()
        self._load_entry(shown[0] if shown else None)
        self._sync_selection()
        self.resize(1080, 600)

    # --- building ----------------------------------------------------------------

    def _build(self) -> None:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_form())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        self.close_button = QPushButton(_("Cl&ose"))
        self.close_button.setAccessibleName(_("Close the directory"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.reject)
        self.import_button = QPushButton(_("Impor&t contacts…"))
        self.import_button.setAccessibleName(_("Import the CPAS's contacts from a CSV file"))
        self.import_button.setAutoDefault(False)
        self.import_button.clicked.connect(self.import_contacts)
        self.import_status = status_label("directoryImportStatus")
        bottom = QHBoxLayout()
        bottom.addWidget(self.import_button)
        bottom.addWidget(self.import_status, 1)
        bottom.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._set_tab_order()
        # Enter in a one-line field saves the entry; it never closes the dialog. (Set once the
        # button belongs to the dialog: before that Qt cannot make it the dialog's default.)
        self.save_button.setDefault(True)

    def _build_list(self) -> QWidget:
        self.filter_edit = QLineEdit()
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setPlaceholderText(_("Name or commune, in French or Dutch"))
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.filter_edit.installEventFilter(_FilterKeys(self))
        filter_form = QFormLayout()
        filter_form.setContentsMargins(0, 0, 0, 0)
        add_row(filter_form, _("F&ind"), self.filter_edit, name=_("Find a CPAS"))

        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([_("French name"), _("Dutch name"), _("Commune")])
        self.table.setAccessibleName(_("CPAS in the directory"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSortIndicator(2, Qt.SortOrder.AscendingOrder)
        self.table.currentCellChanged.connect(self._on_current_changed)
        self.count_label = QLabel()

        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 6, 0)
        layout.addLayout(filter_form)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        return box

    def _build_form(self) -> QWidget:
        self.name_fr = QLineEdit()
        self.name_nl = QLineEdit()
        self.commune_fr = QLineEdit()
        self.commune_nl = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.address_nl = QPlainTextEdit()  # its streets' Dutch names, for Dutch documents
        self.address_nl.setTabChangesFocus(True)
        self.address_nl.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.address_nl.setPlaceholderText(_("Only if the street has a Dutch name"))
        self.phone = QLineEdit()
        self.email = QLineEdit()
        self.bce = BceEdit()
        self.amu_contact = QLineEdit()
        self.fields: dict[str, QWidget] = {
            "name_fr": self.name_fr,
            "name_nl": self.name_nl,
            "commune_fr": self.commune_fr,
            "commune_nl": self.commune_nl,
            "address": self.address,
            "address_nl": self.address_nl,
            "phone": self.phone,
            "email": self.email,
            "bce": self.bce,
            "amu_contact": self.amu_contact,
        }
        labels = {
            "name_fr": _("&French name"),
            "name_nl": _("&Dutch name"),
            "commune_fr": _("Co&mmune (French)"),
            "commune_nl": _("Commu&ne (Dutch)"),
            "address": _("&Address"),
            "address_nl": _("Address in D&utch"),
            "phone": _("&Phone"),
            "email": _("&E-mail"),
            "bce": _("&BCE/KBO number"),
            "amu_contact": _("AMU &contact person"),
        }
        self.title_label = QLabel()
        self.title_label.setWordWrap(True)
        self.title_label.setStyleSheet("font-weight: 600;")
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for key, widget in self.fields.items():
            label = labels[key]
            if key == "bce":
                add_bce_row(form, label, self.bce)
            elif key in REQUIRED:
                add_row(
                    form,
                    required_label(label),
                    widget,
                    name=_("{field} (required)").format(field=plain(label)),
                )
            else:
                add_row(form, label, widget)
        for widget in self.fields.values():
            if isinstance(widget, QLineEdit):
                widget.textChanged.connect(self._update_buttons)
        self.address.textChanged.connect(self._update_buttons)
        self.address_nl.textChanged.connect(self._update_buttons)
        self.required_note = QLabel(_("* required"))
        self.error_label = ErrorLabel()

        self.new_button = QPushButton(_("Ne&w"))
        self.new_button.setAccessibleName(_("New CPAS"))
        self.new_button.clicked.connect(self.new_entry)
        self.save_button = QPushButton(_("&Save"))
        self.save_button.setAccessibleName(_("Save this CPAS"))
        self.save_button.clicked.connect(self.save)
        self.delete_button = QPushButton(_("De&lete"))
        self.delete_button.setAccessibleName(_("Delete this CPAS"))
        self.delete_button.clicked.connect(self.delete)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.save_button)

        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(6, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addLayout(form)
        layout.addWidget(self.required_note)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return box

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [self.filter_edit, self.table, *self.fields.values()]
        chain += [self.new_button, self.delete_button, self.save_button]
        chain += [self.import_button, self.close_button]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- the list ----------------------------------------------------------------

    def _reload(self, select_id: int | None = None) -> None:
        with self._store.session() as session:
            self._entries = list(directory.list_cpas(session=session))
        commune_nl = get_locale() == "nl"
        self._switching = True
        try:
            self.table.setSortingEnabled(False)
            self.table.clearContents()
            self.table.setRowCount(len(self._entries))
            for row, cpas in enumerate(self._entries):
                commune = (cpas.commune_nl if commune_nl else cpas.commune_fr) or cpas.commune_fr
                for column, text in enumerate((cpas.name_fr, cpas.name_nl, commune)):
                    item = SortItem(text)
                    item.setData(ID_ROLE, cpas.id)
                    item.setData(SEARCH_ROLE, cpas_search_key(cpas))
                    self.table.setItem(row, column, item)
            self.table.setSortingEnabled(True)
            self._apply_filter()
            self._select_row_of(select_id)
        finally:
            self._switching = False

    def _apply_filter(self) -> None:
        query = self.filter_edit.text()
        shown = 0
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            visible = item is not None and matches(str(item.data(SEARCH_ROLE)), query)
            self.table.setRowHidden(row, not visible)
            shown += visible
        self.count_label.setText(
            _("{shown} of {total} shown").format(shown=shown, total=self.table.rowCount())
        )

    def visible_ids(self) -> list[int]:
        """Ids of the entries the list shows now, top to bottom."""
        return [cpas_id for _row, cpas_id in self._visible_rows()]

    def focus_list(self) -> None:
        """Move to the list, on the first entry shown when none is current."""
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        current = self.table.currentRow()
        if current < 0 or self.table.isRowHidden(current):
            ids = self.visible_ids()
            if ids:
                self.select_cpas(ids[0])

    def _row_of(self, cpas_id: int | None) -> int:
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if cpas_id is not None and item is not None and item.data(ID_ROLE) == cpas_id:
                return row
        return -1

    def _select_row_of(self, cpas_id: int | None) -> None:
        row = self._row_of(cpas_id)
        if row < 0:
            self.table.clearSelection()
            self.table.setCurrentCell(-1, -1)
        else:
            self.table.setCurrentCell(row, 0)

    def select_cpas(self, cpas_id: int) -> bool:
        """Make this entry current, as a click would (asking about unsaved changes first)."""
        row = self._row_of(cpas_id)
        if row >= 0:
            self.table.setCurrentCell(row, 0)
        return self._current_id == cpas_id

    def _on_current_changed(self, row: int, _column: int, _previous: int, _pcolumn: int) -> None:
        if self._switching:
            return
        item = self.table.item(row, 0) if row >= 0 else None
        target = int(item.data(ID_ROLE)) if item is not None else None
        if target == self._current_id or target is None:
            return
        if self.resolve_unsaved():
            self._load_entry(target)
        else:
            self._sync_selection()
            # A mouse click selects its row after this signal: put it back once it has.
            QTimer.singleShot(0, self._sync_selection)

    def _sync_selection(self) -> None:
        self._switching = True
        try:
            self._select_row_of(self._current_id)
        finally:
            self._switching = False

    # --- the form ----------------------------------------------------------------

    def _entry(self, cpas_id: int | None) -> Cpas | None:
        return next((c for c in self._entries if c.id == cpas_id), None)

    def _load_entry(self, cpas_id: int | None) -> None:
        cpas = self._entry(cpas_id)
        self._current_id = cpas.id if cpas is not None else None
        values = {
            key: (getattr(cpas, key) or "") if cpas is not None else ""
            for key in self.fields
            if key != "bce"
        }
        for key, text in values.items():
            widget = self.fields[key]
            if isinstance(widget, QPlainTextEdit):
                widget.setPlainText(text)
            elif isinstance(widget, QLineEdit):
                widget.setText(text)
                widget.setCursorPosition(0)
        self.bce.set_value(cpas.bce if cpas is not None else None)
        clear_field_errors(self.fields, self.error_label)
        self._loaded = self.form_values()
        if cpas is None:
            self.title_label.setText(_("New CPAS"))
        else:
            self.title_label.setText(cpas.display_name(get_locale()))
        self._update_buttons()

    def form_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for key, widget in self.fields.items():
            if isinstance(widget, QPlainTextEdit):
                values[key] = widget.toPlainText()
            elif isinstance(widget, QLineEdit):
                values[key] = widget.text()
        return values

    def is_dirty(self) -> bool:
        return self.form_values() != self._loaded

    def _update_buttons(self) -> None:
        self.delete_button.setEnabled(self._current_id is not None)

    def resolve_unsaved(self) -> bool:
        """True when the form may be left: nothing to save, saved, or discarded."""
        if not self.is_dirty():
            return True
        answer = ask_save_changes(self)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.discard_changes()
            return True
        return False

    def discard_changes(self) -> None:
        """Put the form back as it was loaded."""
        self._load_entry(self._current_id)

    # --- actions -----------------------------------------------------------------

    def new_entry(self) -> None:
        if not self.resolve_unsaved():
            return
        self._load_entry(None)
        self._sync_selection()
        self.name_fr.setFocus(Qt.FocusReason.OtherFocusReason)

    def save(self) -> bool:
        """Check and store the form; on bad input say why and store nothing."""
        values = self.form_values()
        values["address"] = values["address"].strip()
        values["address_nl"] = values["address_nl"].strip()
        try:
            with self._store.transaction() as session:
                saved = directory.save_cpas(session=session, cpas_id=self._current_id, **values)
                saved_id = saved.id
        except FieldError as error:
            show_field_error(error, self.fields, self.error_label)
            return False
        except NotFound as error:
            self.error_label.show_message(str(error))
            return False
        assert saved_id is not None
        self._reload(select_id=saved_id)
        self._load_entry(saved_id)
        self.error_label.show_message("")
        return True

    def delete(self) -> None:
        cpas = self._entry(self._current_id)
        if cpas is None:
            return
        answer = QMessageBox.question(
            self,
            _("Delete CPAS"),
            _("Remove “{name}” from the directory?").format(name=cpas.display_name(get_locale())),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        assert cpas.id is not None
        try:
            with self._store.transaction() as session:
                directory.delete_cpas(cpas.id, session=session)
        except (FieldError, NotFound) as error:
            QMessageBox.warning(self, _("Delete CPAS"), str(error))
            return
        row = self._row_of(cpas.id)
        self._reload()
        following = self._following_visible(row)
        self._load_entry(following)
        self._sync_selection()

    def _following_visible(self, row: int) -> int | None:
        """The entry now at ``row`` (or the last one shown), to stay in place after a removal."""
        ids = [i for r, i in self._visible_rows() if r >= row]
        if ids:
            return ids[0]
        shown = self._visible_rows()
        return shown[-1][1] if shown else None

    def _visible_rows(self) -> Sequence[tuple[int, int]]:
        rows = []
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and not self.table.isRowHidden(row):
                rows.append((row, int(item.data(ID_ROLE))))
        return rows

    # --- importing contacts ----------------------------------------------------------

    def import_contacts(self) -> None:
        """Ask for a CSV file of contacts and import it in the background (all rows or none)."""
        if self.busy or not self.resolve_unsaved():
            return
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose the file of contacts"),
            str(Path.home()),
            _("CSV files (*.csv);;All files (*)"),
        )
        if not chosen:
            return
        self._set_busy(True)
        self.import_status.setText(_("Importing the contacts…"))
        self.import_status.show()
        self.tasks.start(
            contacts_import(self._store, Path(chosen)),
            finished=self._contacts_imported,
            failed=self._contacts_failed,
        )

    def _set_busy(self, busy: bool) -> None:
        for button in (self.import_button, self.new_button, self.save_button):
            button.setEnabled(not busy)
        self.delete_button.setEnabled(not busy and self._current_id is not None)

    def _contacts_imported(self, report: directory.ContactsReport) -> None:
        self._set_busy(False)
        if report.problems:
            self.import_status.setText(_("Nothing was imported."))
            QMessageBox.warning(self, _("Import contacts"), refusal_text(report))
        else:
            self.import_status.setText(
                ngettext(
                    "{n} CPAS updated, out of {rows} in the file.",
                    "{n} CPAS updated, out of {rows} in the file.",
                    len(report.updated),
                ).format(n=len(report.updated), rows=report.rows)
            )
            self._reload(select_id=self._current_id)
            self._load_entry(self._current_id)
        if not self.close_if_asked():
            self.import_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _contacts_failed(self, error: object) -> None:
        self._set_busy(False)
        self.import_status.setText(_("Nothing was imported."))
        message = str(error) if isinstance(error, SpreadsheetError) else failure_message(error)
        QMessageBox.warning(self, _("Import contacts"), message)
        self.close_if_asked()

    def reject(self) -> None:
        """Close (Escape, the Close button or the window's ×), asking about unsaved edits;
        while contacts are being imported, once the import is over."""
        if self.busy or self.resolve_unsaved():
            super().reject()
