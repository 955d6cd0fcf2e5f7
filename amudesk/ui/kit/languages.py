"""``LanguagesEdit``: several spoken languages, added by typing a few letters and Enter."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLineEdit, QToolButton, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.i18n import _
from amudesk.ui.kit.finder import Finder, _CompletionModel, _hide_popup, _popup_completer
from amudesk.ui.kit.flowlayout import FlowLayout


class _AddLineEdit(QLineEdit):
    """Enter adds what was typed (instead of closing the dialog) when there is text."""

    add_requested = Signal()
    remove_last = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.text().strip():
            self.add_requested.emit()
            event.accept()
            return
        if event.key() == Qt.Key.Key_Backspace and not self.text():
            self.remove_last.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _Chip(QToolButton):
    """One chosen language; clicking (or Space) removes it."""

    remove_requested = Signal(str)

    def __init__(self, code: str, name: str) -> None:
        super().__init__()
        self.code = code
        self.setText(f"{name}  ✕")
        self.setAccessibleName(_("Remove {language}").format(language=name))
        self.setToolTip(_("Remove {language}").format(language=name))
        self.setStyleSheet(
            "QToolButton { border: 1px solid #8a9bb0; border-radius: 9px;"
            " background: #e8eef6; padding: 1px 8px; }"
            " QToolButton:focus { border: 2px solid #2a5db0; }"
        )
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.clicked.connect(self._on_clicked)

    def _on_clicked(self, *_args: object) -> None:
        self.remove_requested.emit(self.code)


class LanguagesEdit(QWidget):
    """Spoken languages, most used first: type a few letters, Enter adds; ✕ removes."""

    changed = Signal()

    def __init__(self, locale: str | None = None, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        locale = locale or i18n.get_locale()
        others = [code for code in i18n.LANGUAGES if code != locale]
        self._names = dict(i18n.languages(locale))
        self.finder = Finder(
            [
                (code, name, [code, *(i18n.language_name(code, other) for other in others)])
                for code, name in i18n.languages(locale)
            ]
        )
        self._codes: list[str] = []
        self.input = _AddLineEdit()
        self.input.setPlaceholderText(_("Type a language and press Enter"))
        self.input.setToolTip(
            _("Type a few letters of a language and press Enter; Backspace removes the last one.")
        )
        self._model = _CompletionModel(self)
        self._completer = _popup_completer(self, self._model)
        self.input.setCompleter(self._completer)
        self._completer.activated[QModelIndex].connect(self._on_completion)  # type: ignore[index]
        self.chips = QWidget()
        self.chips_layout = FlowLayout(self.chips)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.input)
        layout.addWidget(self.chips)
        self.setFocusProxy(self.input)
        self.input.textEdited.connect(self._on_edited)
        self.input.add_requested.connect(self.add_typed)
        self.input.remove_last.connect(self._remove_last)
        self.input.editingFinished.connect(self._on_leave)
        self._refresh()

    def setAccessibleName(self, name: str) -> None:  # noqa: N802 (Qt name)
        super().setAccessibleName(name)
        self.input.setAccessibleName(name)

    def _on_edited(self, text: str) -> None:
        found = [e for e in self.finder.matches(text, limit=30) if e.key not in self._codes]
        self._model.fill(found)
        if found:
            self._completer.complete()
        else:
            _hide_popup(self._completer)

    def _on_completion(self, index: QModelIndex) -> None:
        code = index.data(Qt.ItemDataRole.UserRole)
        if code:
            self.add(str(code))
        QTimer.singleShot(0, self.input.clear)

    def _pending(self) -> str | None:
        """The language the unfinished text stands for, if any."""
        best = self.finder.best(self.input.text()) if self.input.text().strip() else None
        return None if best is None else str(best.key)

    def add_typed(self) -> None:
        code = self._pending()
        if code is not None:
            self.add(code)
            self.input.clear()
            _hide_popup(self._completer)

    def _on_leave(self) -> None:
        popup = self._completer.popup()
        if popup is not None and popup.isVisible():
            return
        self.add_typed()

    def add(self, code: str) -> None:
        if code in self._names and code not in self._codes:
            self._codes.append(code)
            self._refresh()
            self.changed.emit()

    def remove(self, code: str) -> None:
        if code in self._codes:
            self._codes.remove(code)
            self._refresh()
            self.changed.emit()
            self.input.setFocus(Qt.FocusReason.OtherFocusReason)

    def _remove_last(self) -> None:
        if self._codes:
            self.remove(self._codes[-1])

    def _refresh(self) -> None:
        while self.chips_layout.count():
            item = self.chips_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for code in self._codes:
            name = self._names.get(code, code)
            chip = _Chip(code, name)
            chip.remove_requested.connect(self.remove)
            self.chips_layout.addWidget(chip)
        self.chips.setVisible(bool(self._codes))
        self.chips.updateGeometry()

    def value(self) -> list[str]:
        pending = self._pending()
        if pending is not None and pending not in self._codes:
            return [*self._codes, pending]
        return list(self._codes)

    def set_value(self, codes: Sequence[str]) -> None:
        self._codes = [
            c for c in dict.fromkeys(c.strip().lower() for c in codes) if c in self._names
        ]
        self.input.clear()
        self._refresh()

    def problem(self) -> str | None:
        text = self.input.text().strip()
        if text and self._pending() is None:
            return _("Spoken languages: no language matches “{value}”.").format(value=text)
        return None
