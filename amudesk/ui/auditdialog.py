"""The audit trail: who did what, when, page by page; and a check of its hash chain.

The list is a paged model (``AuditTableModel``): only the pages the view scrolls to are
read, newest first, filtered by action and by (part of) a case reference. Entries name
their case by reference (a person's entries by the reference of the person's latest
request), never by a name, a NISS or an internal number; the references of a page are read
with the page, in one statement. "Verify the chain" walks the whole trail off the UI thread
(``audit.verify`` in a ``Task``), with progress and Cancel, and says either that the chain is
intact or which entry is the first broken link; that entry is highlighted and "Go to the
entry" selects it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, NamedTuple

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import N_, _, ngettext
from amudesk.models import AuditEntry
from amudesk.services import audit
from amudesk.store import Store
from amudesk.text import fold
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.labels import format_number
from amudesk.ui.kit.pagedmodel import AnyIndex, PagedTableModel
from amudesk.ui.kit.selectable import make_selectable
from amudesk.ui.kit.tables import read_only_rows, set_column_widths
from amudesk.ui.kit.taborder import chain_tab_order
from amudesk.ui.kit.taskdialog import TaskRunner, fitted_size, progress_bar, show_progress
from amudesk.ui.workers import Cancelled

log = logging.getLogger(__name__)

PAGE_SIZE = 200
DEFAULT_SIZE = (1120, 640)
MINIMUM_SIZE = (760, 440)
INTACT_STYLE = "color: #1b5e20; font-weight: 600;"
BROKEN_STYLE = "color: #a4000f; font-weight: 600;"
BROKEN_COLOUR = "#a4000f"
BROKEN_BACKGROUND = "#fde7e9"
FILTER_DELAY_MS = 250
WHEN_FORMAT = "medium"

# Column headers, in column order.
COLUMNS: tuple[str, ...] = (
    N_("No."),
    N_("When"),
    N_("Who"),
    N_("Action"),
    N_("Record"),
    N_("Reference"),
    N_("Detail"),
)
NUMBER, WHEN, WHO, ACTION, RECORD, REFERENCE, DETAIL = range(len(COLUMNS))


# Records named by the reference of their case rather than by their internal number.
NAMED_BY_REFERENCE = frozenset({"request", "person"})


class AuditLine(NamedTuple):
    """One fetched entry, formatted once for display."""

    entry_id: int
    hash: str
    texts: tuple[str, ...]
    reference_tip: str = ""  # what the reference cell's tooltip adds


# An entry of a page, with how it names its case.
AuditRow = tuple[AuditEntry, audit.CaseName]


def record_text(entity: str, entity_id: int | None) -> str:
    """'Decision 12', 'Request' (named by its reference instead), or '' for an entry about
    no record."""
    if not entity:
        return ""
    label = audit.entity_label(entity)
    if entity_id is None or entity in NAMED_BY_REFERENCE:
        return label
    return _("{record} {number}").format(record=label, number=entity_id)


def reference_text(name: audit.CaseName) -> tuple[str, str]:
    """The reference cell of an entry and its tooltip."""
    if name.no_request:
        return _("person without a request"), ""
    if name.latest_of_person:
        return name.reference, _("The person's latest request")
    return name.reference, ""


class AuditTableModel(PagedTableModel[AuditRow, AuditLine]):
    """Entries of the trail matching the filters, newest first, fetched page by page."""

    page_size = PAGE_SIZE

    def __init__(self, store: Store, parent: QObject | None = None) -> None:
        super().__init__(store, tuple(_(label) for label in COLUMNS), self, parent)
        self._action: str | None = None
        self._reference = ""
        self._broken_id: int | None = None

    # --- state -------------------------------------------------------------------

    @property
    def action(self) -> str | None:
        return self._action

    @property
    def reference(self) -> str:
        return self._reference

    @property
    def broken_id(self) -> int | None:
        return self._broken_id

    def set_filter(self, action: str | None, reference: str) -> None:
        self._action = action or None
        self._reference = reference.strip()
        self.reload()

    def count(self, session: Any) -> int:
        return audit.count(session=session, action=self._action, reference=self._reference)

    def page(self, session: Any, offset: int) -> list[AuditRow]:
        found = audit.entries(
            session=session,
            limit=self.page_size,
            offset=offset,
            action=self._action,
            reference=self._reference,
        )
        names = audit.case_names(found, session=session)
        return [(e, names.get(e.id or 0, audit.CaseName(reference=e.reference))) for e in found]

    def line(self, row: AuditRow) -> AuditLine:
        entry, name = row
        assert entry.id is not None
        reference, tip = reference_text(name)
        texts = (
            str(entry.id),
            i18n.format_datetime(entry.at, WHEN_FORMAT),
            entry.actor,
            audit.action_label(entry.action),
            record_text(entry.entity, entry.entity_id),
            reference,
            entry.detail,
        )
        return AuditLine(entry.id, entry.hash, texts, tip)

    def set_broken(self, entry_id: int | None) -> None:
        """Highlight the first broken link found by the check (None: no highlight)."""
        rows = [self.row_of(i) for i in (self._broken_id, entry_id) if i is not None]
        self._broken_id = entry_id
        for row in rows:
            if row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # --- Qt model ----------------------------------------------------------------

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        line = self._line_of(index)
        if line is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return line.texts[column]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = line.texts[column]
            if line.entry_id == self._broken_id and column == NUMBER:
                return _("{entry} (first broken link)").format(entry=text)
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == NUMBER:
                return _("Entry {entry}; its hash: {hash}").format(
                    entry=line.entry_id, hash=line.hash
                )
            if column == REFERENCE and line.reference_tip:
                return f"{line.texts[column]} — {line.reference_tip}"
            return line.texts[column] or None
        if line.entry_id == self._broken_id:
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor(BROKEN_COLOUR))
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(QColor(BROKEN_BACKGROUND))
        if role == Qt.ItemDataRole.UserRole:
            return line.entry_id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == NUMBER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    # --- lookups -----------------------------------------------------------------

    def entry_id_at(self, row: int) -> int | None:
        line = self.line_at(row)
        return line.entry_id if line is not None else None

    def row_of(self, entry_id: int) -> int | None:
        """The row of a loaded entry."""
        return self._row_where(lambda line: line.entry_id == entry_id)

    def texts_at(self, row: int) -> tuple[str, ...]:
        return self._lines[row].texts


class _FilterKeys(QObject):
    """Enter or Down in the reference box moves to the list."""

    def __init__(self, dialog: AuditDialog) -> None:
        super().__init__(dialog)
        self._dialog = dialog

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Down)
        ):
            self._dialog.apply_filter()
            self._dialog.focus_list()
            return True
        return False


class AuditDialog(QDialog):
    """Browse the audit trail and check that nobody changed it."""

    verified = Signal(object)  # the VerifyResult, or the exception that stopped the check

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.tasks = TaskRunner(self)
        self.last_result: audit.VerifyResult | None = None
        self.setWindowTitle(_("Audit trail"))
        self.setObjectName("auditDialog")
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*fitted_size(DEFAULT_SIZE, MINIMUM_SIZE, height_share=0.9))
        self.model = AuditTableModel(store, self)
        self.model.reloaded.connect(self._update_count)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(FILTER_DELAY_MS)
        self._filter_timer.timeout.connect(self.apply_filter)
        self._build()
        self.model.reload()
        self.focus_list()
        shortcut = QShortcut(QKeySequence("F5"), self)
        shortcut.activated.connect(self.refresh)

    # --- building ------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setSpacing(6)
        layout.addLayout(self._build_filters())
        title = QLabel(_("&Entries, newest first"))
        layout.addWidget(title)
        layout.addWidget(self._build_table(), 1)
        title.setBuddy(self.table)
        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")
        layout.addWidget(self.count_label)
        layout.addLayout(self._build_check())
        self._set_tab_order()

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.action_filter = QComboBox()
        self.action_filter.setObjectName("auditActionFilter")
        self.action_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._fill_actions()
        self.action_filter.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("auditReference")
        self.reference_edit.setClearButtonEnabled(True)
        self.reference_edit.setPlaceholderText(_("AMU-2026-0042, or part of it"))
        self.reference_edit.setMaxLength(30)
        self.reference_edit.setMinimumWidth(220)
        self.reference_edit.textChanged.connect(lambda _text: self._filter_timer.start())
        self.reference_edit.installEventFilter(_FilterKeys(self))
        for text, widget, name in (
            (_("&Action:"), self.action_filter, _("Action to show")),
            (_("&Reference:"), self.reference_edit, _("Case reference to find")),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            widget.setAccessibleName(name)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(12)
        row.addStretch(1)
        return row

    def _fill_actions(self) -> None:
        with self._store.session() as session:
            found = audit.actions_in_use(session=session)
        codes = set(audit.ACTIONS) | set(found)
        entries = sorted(((audit.action_label(c), c) for c in codes), key=lambda e: fold(e[0]))
        self.action_filter.addItem(_("All actions"), None)
        for label, code in entries:
            self.action_filter.addItem(label, code)

    def _build_table(self) -> QTableView:
        table = QTableView()
        table.setObjectName("auditTable")
        table.setAccessibleName(_("Audit trail entries"))
        table.setModel(self.model)
        read_only_rows(table, alternating=True)
        metrics = table.fontMetrics()
        sample = i18n.format_datetime(dt.datetime(2026, 12, 30, 23, 59, 59, tzinfo=dt.UTC))
        widths = {
            NUMBER: metrics.horizontalAdvance("0000000") + 16,
            WHEN: metrics.horizontalAdvance(sample) + 24,
            WHO: metrics.horizontalAdvance("m" * 10),
            ACTION: max(metrics.horizontalAdvance(_(label)) for label in audit.ACTIONS.values())
            + 24,
            RECORD: max(
                metrics.horizontalAdvance(record_text(code, 99999)) for code in audit.ENTITIES
            )
            + 24,
            REFERENCE: max(
                metrics.horizontalAdvance("AMU-2026-00000"),
                metrics.horizontalAdvance(reference_text(audit.CaseName(no_request=True))[0]),
            )
            + 24,
        }
        set_column_widths(table, widths, metrics)
        table.horizontalHeader().setSectionResizeMode(DETAIL, QHeaderView.ResizeMode.Stretch)
        self.table = table
        return table

    def _build_check(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.verify_button = action_button(
            _("&Verify the chain"), self.verify, object_name="verifyChain"
        )
        self.verify_button.setToolTip(
            _("Check that no entry was changed, removed, inserted or moved since it was written")
        )
        self.progress = progress_bar(
            _("Progress of the check"), object_name="verifyProgress", max_width=200, text=False
        )
        self.cancel_button = action_button(_("Cancel"), self.cancel, object_name="cancelVerify")
        self.result_label = QLabel()
        self.result_label.setObjectName("verifyResult")
        self.result_label.setAccessibleName(_("Result of the check"))
        self.result_label.setWordWrap(True)
        make_selectable(self.result_label)
        self.go_button = action_button(
            _("&Go to the entry"), self.go_to_broken, object_name="goToBroken"
        )
        self.go_button.setToolTip(_("Select the first broken link in the list"))
        self.close_button = action_button(_("Cl&ose"), self.reject, object_name="closeAudit")
        row.addWidget(self.verify_button)
        row.addWidget(self.progress)
        row.addWidget(self.cancel_button)
        row.addWidget(self.result_label, 1)
        row.addWidget(self.go_button)
        row.addSpacing(12)
        row.addWidget(self.close_button)
        self._set_busy(False)
        self._show_result("", "")
        return row

    def _set_tab_order(self) -> None:
        chain_tab_order(
            [
                self.action_filter,
                self.reference_edit,
                self.table,
                self.verify_button,
                self.cancel_button,
                self.result_label,
                self.go_button,
                self.close_button,
            ]
        )

    # --- the list ------------------------------------------------------------------

    def apply_filter(self) -> None:
        """Show the entries of the chosen action and reference (public: Enter in the box)."""
        self._filter_timer.stop()
        action = self.action_filter.currentData()
        reference = self.reference_edit.text()
        if (action, reference.strip()) == (self.model.action, self.model.reference):
            return
        self.model.set_filter(action, reference)
        self._select_row(0)

    def refresh(self) -> None:
        """Read the trail again (F5): entries written meanwhile appear on top."""
        self.model.reload()
        self._select_row(0)

    def focus_list(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid():
            self._select_row(0)

    def _select_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            index = self.model.index(row, 0)
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)

    def _update_count(self) -> None:
        total = self.model.total
        self.count_label.setText(
            ngettext("{n} entry", "{n} entries", total).format(n=format_number(total))
        )

    def go_to_broken(self) -> bool:
        """Select the first broken link (clearing the filters when they hide it)."""
        entry_id = self.model.broken_id
        if entry_id is None:
            return False
        with self._store.session() as session:
            row = audit.position(
                entry_id, session=session, action=self.model.action, reference=self.model.reference
            )
        if row is None:
            self._clear_filters()
            with self._store.session() as session:
                row = audit.position(entry_id, session=session)
        if row is None or not self.model.load_up_to(row):
            return False
        self._select_row(row)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _clear_filters(self) -> None:
        for widget in (self.action_filter, self.reference_edit):
            widget.blockSignals(True)
        try:
            self.action_filter.setCurrentIndex(0)
            self.reference_edit.clear()
        finally:
            for widget in (self.action_filter, self.reference_edit):
                widget.blockSignals(False)
        self.model.set_filter(None, "")

    # --- checking the chain ------------------------------------------------------------

    @property
    def is_busy(self) -> bool:
        return self.tasks.busy

    def verify(self) -> None:
        """Walk the whole chain off the UI thread; the answer is shown under the list."""
        if self.tasks.busy:
            return
        store = self._store

        def work(progress: Any, cancelled: Any) -> audit.VerifyResult:
            def step(done: int, total: int) -> None:
                if cancelled():
                    raise Cancelled
                progress(done, total)

            with store.session() as session:
                return audit.verify(session=session, progress=step)

        self._show_result("", "")
        self.result_label.setText(_("Checking the chain…"))
        self._set_busy(True)
        self.progress.setRange(0, 0)
        self.tasks.start(
            work,
            finished=self._verified,
            failed=self._failed,
            progress=lambda done, total: show_progress(
                self.progress, done, total, busy_when_unknown=True
            ),
        )

    def cancel(self) -> None:
        self.tasks.cancel()

    def stop(self) -> None:
        """Cancel a running check and wait for its thread to end."""
        self.tasks.stop()

    def _verified(self, result: object) -> None:
        self._set_busy(False)
        if not isinstance(result, audit.VerifyResult):
            return
        self.last_result = result
        if result.intact:
            self.model.set_broken(None)
            self._show_result(result.message, INTACT_STYLE)
            self.result_label.setToolTip(
                _("Hash of the last entry: {hash}").format(hash=result.head)
            )
        else:
            # Show what the database holds now, not the rows read before the change.
            self.model.reload()
            self.model.set_broken(result.entry_id)
            self._show_result(result.message, BROKEN_STYLE)
            self.go_button.show()
            self.go_to_broken()
        self.verified.emit(result)

    def _failed(self, error: object) -> None:
        self._set_busy(False)
        if isinstance(error, Cancelled):
            self._show_result(_("Check cancelled."), "")
        else:
            log.error("audit chain check failed: %s", type(error).__name__)
            self._show_result(
                _("The chain could not be checked. Details were written to the log file."),
                BROKEN_STYLE,
            )
        self.verified.emit(error)

    def _show_result(self, text: str, style: str) -> None:
        self.result_label.setText(text)
        self.result_label.setStyleSheet(style)
        self.result_label.setAccessibleDescription(text)
        self.result_label.setToolTip("")
        # Tab reaches the answer (to read or copy it), not an empty line.
        self.result_label.setFocusPolicy(
            Qt.FocusPolicy.StrongFocus if text else Qt.FocusPolicy.NoFocus
        )
        self.go_button.hide()

    def _set_busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.verify_button.setEnabled(not busy)

    def result_text(self) -> str:
        return self.result_label.text()

    # --- window --------------------------------------------------------------------

    def done(self, code: int) -> None:
        """Closing stops a running check first."""
        self.stop()
        super().done(code)
