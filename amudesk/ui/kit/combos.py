"""``SearchCombo`` / ``CountryCombo``: an editable list found by any part of a name, accents ignored."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import _
from amudesk.text import fold
from amudesk.ui.kit.finder import Finder, _CompletionModel, _hide_popup, _popup_completer


class _EmptyEntryDelegate(QStyledItemDelegate):
    """Shows the blank "unknown" entry of a list as its label, in grey italics."""

    def __init__(self, label: str, parent: QObject) -> None:
        super().__init__(parent)
        self._label = label

    def initStyleOption(self, option: QStyleOptionViewItem, index: Any) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        if index.row() == 0 and not index.data():
            option.text = self._label
            option.font.setItalic(True)
            option.palette.setColor(QPalette.ColorRole.Text, QColor("#666666"))


class SearchCombo(QComboBox):
    """An editable list where typing any part of a name (accents ignored) offers the matches.

    ``entries`` are (key, label, other names); ``empty_label`` adds a first entry meaning
    "unknown" (key None). Leaving the field picks the best match of what was typed.
    """

    changed = Signal()

    def __init__(
        self,
        entries: Sequence[tuple[Hashable, str, Sequence[str]]],
        *,
        empty_label: str | None = None,
        label: str = "",
        placeholder: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._label = label
        self._empty_label = empty_label
        self.finder = Finder(entries)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(15)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(18)
        if empty_label is not None:
            # An empty first entry: the field stays blank (placeholder shows the label);
            # the list shows the label in grey italics.
            self.addItem("", None)
            self.setItemData(0, empty_label, Qt.ItemDataRole.AccessibleTextRole)
            self.setItemDelegate(_EmptyEntryDelegate(empty_label, self))
        for key, text, _extra in entries:
            self.addItem(text, key)
        self.line_edit().setPlaceholderText(placeholder or empty_label or "")
        self.line_edit().setClearButtonEnabled(True)
        self._model = _CompletionModel(self)
        self._completer = _popup_completer(self, self._model)
        self.setCompleter(self._completer)
        self._completer.activated[str].connect(self._on_completion)  # type: ignore[index]
        self.line_edit().textEdited.connect(self._on_edited)
        self.line_edit().editingFinished.connect(self.resolve)
        self.currentIndexChanged.connect(self._emit_changed)
        self.setCurrentIndex(0 if empty_label is not None else -1)

    def line_edit(self) -> QLineEdit:
        line = self.lineEdit()
        assert line is not None  # always editable
        return line

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.line_edit().setAccessibleName(name)
        if not self._label:
            self._label = name

    def _emit_changed(self, *_args: object) -> None:
        self.changed.emit()

    def _on_edited(self, text: str) -> None:
        self._model.fill(self.finder.matches(text))
        if self._model.rowCount():
            self._completer.complete()
        else:
            _hide_popup(self._completer)

    def _on_completion(self, text: str) -> None:
        index = self.findText(text, Qt.MatchFlag.MatchExactly)
        if index >= 0:
            self.setCurrentIndex(index)

    def _typed_matches_current(self) -> bool:
        return self.currentIndex() >= 0 and self.itemText(self.currentIndex()) == self.currentText()

    def _resolved_index(self) -> int | None:
        """The row the typed text stands for; -1/0 for empty; None when nothing matches."""
        if self._typed_matches_current():
            return self.currentIndex()
        text = self.currentText().strip()
        if not text:
            return 0 if self._empty_label is not None else -1
        if self._empty_label is not None and fold(text) == fold(self._empty_label):
            return 0
        best = self.finder.best(text)
        return None if best is None else self.findData(best.key)

    def resolve(self) -> None:
        """Turn what was typed into the entry it stands for (kept as typed if none)."""
        index = self._resolved_index()
        if index is None:
            return
        if index != self.currentIndex():
            self.setCurrentIndex(index)
        elif index >= 0 and self.currentText() != self.itemText(index):
            self.setEditText(self.itemText(index))
        elif index < 0:
            self.setEditText("")

    def key(self) -> Any:
        index = self._resolved_index()
        return None if index is None or index < 0 else self.itemData(index)

    def set_key(self, key: Hashable | None) -> None:
        index = self.findData(key) if key is not None else -1
        if index < 0 and self._empty_label is not None:
            index = 0
        self.setCurrentIndex(index)
        if index < 0:
            self.setEditText("")

    def problem(self) -> str | None:
        if self._resolved_index() is None:
            return _("{field}: nothing matches “{value}”; choose from the list.").format(
                field=self._label, value=self.currentText().strip()
            )
        return None


class CountryCombo(SearchCombo):
    """A country typed in any of our languages (or as its code); ``value()`` is alpha-2 or ''."""

    def __init__(self, locale: str | None = None, *, parent: QWidget | None = None) -> None:
        locale = locale or i18n.get_locale()
        others = [code for code in i18n.LANGUAGES if code != locale]
        entries = [
            (code, name, [code, *(i18n.country_name(code, other) for other in others)])
            for code, name in i18n.countries(locale)
        ]
        super().__init__(entries, empty_label=_("Unknown"), label=_("Nationality"), parent=parent)
        self.line_edit().setPlaceholderText(_("Type a few letters, e.g. belg"))

    def value(self) -> str:
        key = self.key()
        return str(key) if key else ""

    def set_value(self, code: str | None) -> None:
        self.set_key(code.upper() if code else None)


# --- languages ---------------------------------------------------------------------------
