"""The row above the deadlines board's list: which deadlines to show (open, marked, all…),
of which rule and which CPAS, grouped by case or not; and the Refresh button."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QWidget

from amudesk.deadlines import RULES
from amudesk.i18n import _
from amudesk.services.directory import list_cpas
from amudesk.store import Store
from amudesk.text import fold
from amudesk.ui.deadlinemodel import SHOW_CHOICES, Filters
from amudesk.ui.kit.labels import cpas_label


class DeadlineFilters(QWidget):
    """The board's filters; ``changed`` when one of them is, ``refresh_requested`` on Refresh."""

    changed = Signal()
    refresh_requested = Signal()

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.show_filter = QComboBox()
        self.show_filter.setObjectName("showFilter")
        for key, choice, _buckets in SHOW_CHOICES:
            self.show_filter.addItem(_(choice), key)
        self.rule_filter = QComboBox()
        self.rule_filter.setObjectName("ruleFilter")
        self.rule_filter.addItem(_("All time limits"), None)
        for rule_id, rule in RULES.items():
            self.rule_filter.addItem(_(rule.title), rule_id)
        self.cpas_filter = QComboBox()
        self.cpas_filter.setObjectName("cpasFilter")
        self.cpas_filter.setMinimumWidth(200)
        self.cpas_filter.setMaximumWidth(320)
        self.cpas_filter.addItem(_("All CPAS"), None)
        for cpas_id, cpas_name in cpas_entries(store):
            self.cpas_filter.addItem(cpas_name, cpas_id)
        self.by_case = QCheckBox(_("&Group by case"))
        self.by_case.setObjectName("groupByCase")
        self.by_case.setAccessibleName(_("Group by case"))
        for text, combo, name in (
            (_("&Show:"), self.show_filter, _("Show")),
            (_("&Rule:"), self.rule_filter, _("Rule")),
            (_("C&PAS:"), self.cpas_filter, _("CPAS")),
        ):
            label = QLabel(text)
            label.setBuddy(combo)
            combo.setAccessibleName(name)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
            row.addWidget(label)
            row.addWidget(combo)
            row.addSpacing(8)
        self.rule_filter.setMaximumWidth(300)
        self.by_case.toggled.connect(lambda _on: self.changed.emit())
        row.addWidget(self.by_case)
        row.addStretch(1)
        self.refresh_button = QPushButton(_("Re&fresh"))
        self.refresh_button.setObjectName("refreshDeadlines")
        self.refresh_button.setAccessibleName(_("Refresh"))
        self.refresh_button.setToolTip(_("Compute the deadlines again (F5)"))
        self.refresh_button.clicked.connect(lambda _checked=False: self.refresh_requested.emit())
        row.addWidget(self.refresh_button)

    def current(self) -> Filters:
        """What the filters are set to."""
        return Filters(
            show=self.show_filter.currentData() or "worklist",
            rule=self.rule_filter.currentData(),
            cpas_id=self.cpas_filter.currentData(),
            by_case=self.by_case.isChecked(),
        )


def cpas_entries(store: Store) -> list[tuple[int, str]]:
    """(id, name) of every CPAS, in the reader's alphabetical order."""
    with store.session() as session:
        entries = [(c.id, cpas_label(c)) for c in list_cpas(session=session) if c.id]
    return sorted(entries, key=lambda entry: fold(entry[1]))
