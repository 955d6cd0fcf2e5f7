"""``PersonPicker``: find an existing person by name or NISS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.i18n import _, ngettext
from amudesk.identifiers import IdentifierError, parse_niss
from amudesk.services import NotFound
from amudesk.services import people as people_service
from amudesk.store import Store
from amudesk.ui.kit.hints import GOOD_STYLE, hint_label, set_hint

SEARCH_DELAY_MS = 250


def person_line(person: Any) -> str:
    """'NGUYỄN Văn An — 2 Mar 1984 — 85.07.30-033.28' (parts left out when unknown)."""
    parts = [person.full_name]
    if person.birth_date:
        parts.append(i18n.format_partial_date(person.birth_date))
    if person.niss:
        try:
            parts.append(parse_niss(person.niss).formatted)
        except IdentifierError:
            parts.append(person.niss)
    return " — ".join(parts)


class _SearchLineEdit(QLineEdit):
    """Down goes to the results; Enter picks the first result when none is chosen yet."""

    go_down = Signal()
    pick_first = Signal()

    def __init__(self, picker: PersonPicker) -> None:
        super().__init__()
        self._picker = picker

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() == Qt.Key.Key_Down:
            self.go_down.emit()
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self._picker.wants_enter():
            self.pick_first.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class PersonPicker(QWidget):
    """Search box and results for choosing an existing person; ``value()`` is the id."""

    changed = Signal()

    def __init__(
        self, store: Store, *, adults_only: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._adults_only = adults_only
        self._chosen: int | None = None
        self._searched = ""
        self.search = _SearchLineEdit(self)
        self.search.setPlaceholderText(_("Type a name or a NISS…"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setAccessibleName(_("People found"))
        self.results.setWordWrap(True)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        rows = self.fontMetrics().lineSpacing() + 6
        self.results.setFixedHeight(rows * 5 + 6)
        self.status = hint_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        self.setFocusProxy(self.search)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search.textEdited.connect(self._restart_timer)
        self.search.go_down.connect(self._enter_results)
        self.search.pick_first.connect(self._enter_results)
        self.results.currentItemChanged.connect(self._on_current)
        self._show_status()

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.search.setAccessibleName(name)

    def _restart_timer(self, *_args: object) -> None:
        self._timer.start()

    def value(self) -> int | None:
        return self._chosen

    def wants_enter(self) -> bool:
        return self.results.count() > 0 and self._chosen is None

    def search_now(self) -> None:
        self._timer.stop()
        query = self.search.text().strip()
        self._searched = query
        people: Sequence[Any] = []
        if len(query) >= 2:
            with self._store.session() as session:
                people = people_service.find_people(
                    query, session=session, limit=20, adults_only=self._adults_only
                )
        self._fill(people)

    def set_person(self, person_id: int | None) -> None:
        """Show and choose ``person_id`` (None clears)."""
        self._timer.stop()
        self.search.clear()
        self._searched = ""
        if person_id is None:
            self._fill([])
            return
        with self._store.session() as session:
            try:
                person = people_service.get_person(person_id, session=session)
            except NotFound:
                self._fill([])
                return
        self._chosen = person_id
        self._fill([person])

    def _fill(self, people: Sequence[Any]) -> None:
        chosen = self._chosen
        self.results.blockSignals(True)
        self.results.clear()
        for person in people:
            item = QListWidgetItem(person_line(person))
            item.setData(Qt.ItemDataRole.UserRole, person.id)
            self.results.addItem(item)
            if person.id == chosen:
                self.results.setCurrentItem(item)
        self.results.blockSignals(False)
        if self.results.currentItem() is None and chosen is not None:
            self._chosen = None
            self.changed.emit()
        self._show_status()

    def _enter_results(self) -> None:
        if self._timer.isActive():
            self.search_now()
        if self.results.count():
            if self.results.currentRow() < 0:
                self.results.setCurrentRow(0)
            self.results.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_current(self, current: QListWidgetItem | None, _previous: Any) -> None:
        self._chosen = None if current is None else int(current.data(Qt.ItemDataRole.UserRole))
        self._show_status()
        self.changed.emit()

    def chosen_text(self) -> str:
        item = self.results.currentItem()
        return item.text() if item is not None else ""

    def _show_status(self) -> None:
        if self._chosen is not None:
            set_hint(
                self.status, _("Chosen: {person}").format(person=self.chosen_text()), GOOD_STYLE
            )
        elif len(self._searched) < 2:
            set_hint(self.status, _("Type at least two letters of a name, or digits of a NISS."))
        elif not self.results.count():
            set_hint(self.status, _("No one found for “{query}”.").format(query=self._searched))
        else:
            count = self.results.count()
            set_hint(
                self.status,
                ngettext(
                    "{n} person found: choose with the arrow keys.",
                    "{n} people found: choose with the arrow keys.",
                    count,
                ).format(n=count),
            )
