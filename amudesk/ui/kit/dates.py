"""Dates typed day first (2/3/1984, 03/1984, 1984, ISO): the two date edits.

The parser beneath them is Qt-free and shared with the validators: :mod:`amudesk.dates`.

- ``PartialDateEdit``: a birth date typed as 2/3/1984, 03/1984, 1984 or ISO, with its reading shown.
- ``OptionalDateEdit``: a day that may be empty, typed or picked from a calendar.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from amudesk import i18n
from amudesk.dates import (
    DateSyntaxError,
    PartialDate,
    brussels_today,
    date_placeholder,
    numeric_date_pattern,
    parse_full_date,
    partial_text,
    split_date,
)
from amudesk.i18n import _, ngettext
from amudesk.services import FieldError
from amudesk.services import validation as v
from amudesk.services.people import age_on
from amudesk.ui.kit.hints import BAD_STYLE, GOOD_STYLE, HINT_STYLE, hint_label, set_hint


def _age_text(birth: str) -> str:
    age = age_on(birth, brussels_today())
    if age is None or age < 0:
        return ""
    return ngettext("{n} year old", "{n} years old", age).format(n=age)


class _DateLineEdit(QLineEdit):
    """A line edit that opens its calendar on Alt+Down or F4."""

    calendar_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        alt_down = event.key() == Qt.Key.Key_Down and (
            event.modifiers() & Qt.KeyboardModifier.AltModifier
        )
        if alt_down or event.key() == Qt.Key.Key_F4:
            self.calendar_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class PartialDateEdit(QWidget):
    """A date whose day, or day and month, may be unknown; its reading is shown under it."""

    changed = Signal()

    def __init__(
        self, *, label: str | None = None, show_age: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._label = label or _("Birth date")
        self._show_age = show_age
        self.edit = QLineEdit()
        self.edit.setMaxLength(20)
        self.edit.setPlaceholderText(_("e.g. 2/3/1984, 3/1984 or 1984"))
        self.edit.setToolTip(
            _(
                "Type the day, month and year (2/3/1984), the month and year (3/1984) or the "
                "year only (1984). Use ? or 00 for an unknown day or month."
            )
        )
        self.hint = hint_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.hint)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._update_hint)
        self.edit.editingFinished.connect(self._tidy)
        self._update_hint()

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def _parts(self) -> PartialDate | None:
        return split_date(self.edit.text(), past=True)

    def value(self) -> str:
        """'YYYY-MM-DD', 'YYYY-MM', 'YYYY', '' when empty, the typed text when unreadable."""
        try:
            return partial_text(self._parts())
        except DateSyntaxError:
            return self.edit.text().strip()

    def set_value(self, text: str | None) -> None:
        text = text or ""
        try:
            parts = split_date(text, past=True)
        except DateSyntaxError:
            self.edit.setText(text)
            return
        self.edit.setText(partial_text(parts, written=True))

    def problem(self) -> str | None:
        """What is wrong with the typed date, as a sentence naming the field; None when fine."""
        try:
            parts = self._parts()
        except DateSyntaxError:
            return _("{field}: write the date as 2/3/1984, 3/1984 or 1984 (got “{value}”).").format(
                field=self._label, value=self.edit.text().strip()
            )
        try:
            v.partial_date(partial_text(parts), "birth_date", self._label)
        except FieldError as error:
            return error.message
        return None

    def _tidy(self) -> None:
        if self.problem() is None and self.edit.text().strip():
            self.edit.setText(partial_text(self._parts(), written=True))

    def _update_hint(self, *_args: object) -> None:
        if not self.edit.text().strip():
            set_hint(self.hint, _("Unknown — leave empty if nobody knows."))
        elif (message := self.problem()) is not None:
            set_hint(self.hint, message, BAD_STYLE)
        else:
            set_hint(self.hint, self.reading(), GOOD_STYLE)
        self.changed.emit()

    def reading(self) -> str:
        """The interpreted date in words: '2 Mar 1984 — 42 years old', 'March 1984 — day unknown'."""
        value = self.value()
        shown = i18n.format_partial_date(value)
        if value.count("-") == 1:
            shown = _("{date} — day unknown").format(date=shown)
        elif value and "-" not in value:
            shown = _("{year} — day and month unknown").format(year=shown)
        age = _age_text(value) if self._show_age else ""
        return f"{shown} — {age}" if age else shown


class OptionalDateEdit(QWidget):
    """A day that may be left empty: typed (2/3/2026, ISO …) or picked in a calendar."""

    changed = Signal()

    def __init__(self, *, label: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self.edit = _DateLineEdit()
        self.edit.setMaxLength(20)
        self.edit.setPlaceholderText(date_placeholder(self._pattern()))
        self.edit.setToolTip(_("Type the date (e.g. 2/3/2026) or press Alt+Down for a calendar."))
        self.calendar_button = QToolButton()
        self.calendar_button.setArrowType(Qt.ArrowType.DownArrow)
        self.calendar_button.setAccessibleName(_("Choose the date in a calendar"))
        self.calendar_button.setToolTip(_("Choose the date in a calendar (Alt+Down)"))
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.reading = QLabel()
        self.reading.setStyleSheet(HINT_STYLE)
        self.reading.setMinimumWidth(
            self.fontMetrics().horizontalAdvance("Wednesday 30 September 2026")
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.edit)
        layout.addWidget(self.calendar_button)
        layout.addWidget(self.reading, 1)
        self.edit.setMaximumWidth(self.fontMetrics().horizontalAdvance("00/00/00000") + 24)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._update_reading)
        self.edit.editingFinished.connect(self._tidy)
        self.edit.calendar_requested.connect(self.open_calendar)
        self.calendar_button.clicked.connect(self.open_calendar)
        self._update_reading()

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)
        if not self._label:
            self._label = name

    @staticmethod
    def _pattern() -> str:
        return numeric_date_pattern()

    def _parsed(self) -> dt.date | None:
        return parse_full_date(self.edit.text())

    def value(self) -> dt.date | None:
        """The day, or None when empty or unreadable (``problem()`` tells which)."""
        try:
            return self._parsed()
        except DateSyntaxError:
            return None

    def set_value(self, day: dt.date | None) -> None:
        self.edit.setText(i18n.format_date(day, self._pattern()) if day else "")

    def problem(self) -> str | None:
        try:
            self._parsed()
        except DateSyntaxError:
            return _("{field}: “{value}” is not a date; write it like {example}.").format(
                field=self._label or _("Date"),
                value=self.edit.text().strip(),
                example=i18n.format_date(brussels_today(), self._pattern()),
            )
        return None

    def _tidy(self) -> None:
        day = self.value()
        if day is not None:
            self.set_value(day)

    def _update_reading(self, *_args: object) -> None:
        if not self.edit.text().strip():
            self.reading.setText(_("no date"))
            self.reading.setStyleSheet(HINT_STYLE)
        elif self.problem() is not None:
            self.reading.setText(_("not a date"))
            self.reading.setStyleSheet(BAD_STYLE)
        else:
            self.reading.setText(i18n.format_date(self.value(), "full"))
            self.reading.setStyleSheet(HINT_STYLE)
        self.reading.setAccessibleDescription(self.reading.text())
        self.changed.emit()

    def open_calendar(self) -> None:
        menu = QMenu(self)
        calendar = QCalendarWidget()
        calendar.setLocale(QLocale(i18n.babel_locale(None)))
        calendar.setGridVisible(True)
        current = self.value() or brussels_today()
        calendar.setSelectedDate(QDate(current.year, current.month, current.day))
        action = QWidgetAction(menu)
        action.setDefaultWidget(calendar)
        menu.addAction(action)

        def chosen(day: QDate) -> None:
            self.set_value(dt.date(day.year(), day.month(), day.day()))
            menu.close()
            self.edit.setFocus(Qt.FocusReason.PopupFocusReason)

        calendar.activated.connect(chosen)
        calendar.clicked.connect(chosen)
        calendar.setFocus()
        menu.popup(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        self._calendar_menu = menu
