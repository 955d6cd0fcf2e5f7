"""The privacy dialog's "Retention" tab (GDPR art. 5(1)(e)).

People whose cases all closed more than N years ago, the oldest first; one of them is sent
to the erasure tab (``chosen``), where the same confirmation applies.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import _, ngettext
from amudesk.services import privacy
from amudesk.store import Store
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import hint_label, set_hint
from amudesk.ui.kit.taskdialog import failure_message, status_label
from amudesk.ui.privacypages import PrivacyTasks, action_row

MAX_LISTED = 1000  # rows of the retention list; the oldest first


class RetentionPage(QWidget):
    """The people due for erasure after a number of years, listed off the UI thread."""

    chosen = Signal(str)  # the reference of the person to erase

    def __init__(
        self, store: Store, tasks: PrivacyTasks, years: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
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
        self.candidate_table = self._table()
        table_label = QLabel(_("People &due for erasure"))
        table_label.setBuddy(self.candidate_table)
        self.empty_label = hint_label(_("Nobody is due for erasure."))
        self.empty_label.setObjectName("retentionEmpty")
        self.to_erase_button = action_button(
            _("Erase the &selected person…"),
            self.send_to_erasure,
            object_name="sendToErasure",
            name=_("Erase the selected person, after confirmation"),
        )
        self.to_erase_button.setEnabled(False)
        self.retention_status = status_label("retentionStatus")
        self.retention_error = ErrorLabel()
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(table_label)
        layout.addWidget(self.candidate_table, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.retention_status)
        layout.addLayout(action_row(self.to_erase_button))
        layout.addWidget(self.retention_error)
        self.listed = False  # False until listed, and again once someone was erased

    def _table(self) -> QTableWidget:
        """The list of people due for erasure: one row a person, chosen whole."""
        table = QTableWidget(0, 4)
        table.setObjectName("retentionCandidates")
        table.setAccessibleName(_("People due for erasure"))
        table.setHorizontalHeaderLabels(
            [_("Reference"), _("Last activity"), _("Requests"), _("Person")]
        )
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setTabKeyNavigation(False)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        for column in range(3):  # the reference, the date and the count fit their text
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        table.itemSelectionChanged.connect(self._candidate_selected)
        table.activated.connect(lambda _index: self.send_to_erasure())
        return table

    def list_candidates(self) -> None:
        """List the people due for erasure after the chosen number of years (off the UI
        thread: on a large register it takes a few seconds)."""
        if self._tasks.busy:
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
                names = privacy.full_names([c.person_id for c in shown], session=session)
                return found, names

        self.listed = True
        self._tasks.run(work, self._candidates_listed, self._candidates_failed)

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
        self.listed = False
        self.retention_error.show_message(failure_message(error))

    def candidates(self) -> list[tuple[str, str]]:
        """(reference, last activity ISO date) of each row listed."""
        rows = []
        for row in range(self.candidate_table.rowCount()):
            reference = self.candidate_table.item(row, 0)
            last = self.candidate_table.item(row, 1)
            if reference is not None and last is not None:
                rows.append((reference.text(), str(last.data(Qt.ItemDataRole.UserRole))))
        return rows

    def selected_reference(self) -> str | None:
        """The reference of the row chosen; None when there is none."""
        rows = self.candidate_table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.candidate_table.item(rows[0].row(), 0)
        return item.text() if item is not None else None

    def _candidate_selected(self) -> None:
        self.to_erase_button.setEnabled(
            not self._tasks.busy and self.selected_reference() is not None
        )

    def send_to_erasure(self) -> None:
        """Send the selected person to the erasure: what goes, then the confirmation."""
        reference = self.selected_reference()
        if reference is None or self._tasks.busy:
            return
        self.chosen.emit(reference)
