"""Finding entries by any part of a name, accents ignored, and the popup that offers them."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QWidget

from amudesk.text import fold


@dataclass(frozen=True)
class _Entry:
    key: Hashable
    label: str
    folded: str
    extras: tuple[str, ...]


class Finder:
    """Ranks entries for a typed text: name start, word start, anywhere, then other names."""

    def __init__(self, entries: Sequence[tuple[Hashable, str, Sequence[str]]]) -> None:
        self.entries = [
            _Entry(key, label, fold(label), tuple(fold(x) for x in extra if x))
            for key, label, extra in entries
        ]

    def matches(self, text: str, limit: int = 50) -> list[_Entry]:
        needle = fold(text)
        if not needle:
            return []
        ranked: list[tuple[int, str, _Entry]] = []
        for entry in self.entries:
            rank = self._rank(needle, entry)
            if rank is not None:
                ranked.append((rank, entry.folded, entry))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [entry for _rank, _key, entry in ranked[:limit]]

    @staticmethod
    def _rank(needle: str, entry: _Entry) -> int | None:
        if entry.folded == needle or needle in entry.extras:
            return 0  # the name, another language's name or the code
        if entry.folded.startswith(needle):
            return 1
        if f" {needle}" in f" {entry.folded}":
            return 2
        if needle in entry.folded:
            return 3
        if any(f" {needle}" in f" {extra}" for extra in entry.extras):
            return 4
        if any(needle in extra for extra in entry.extras):
            return 5
        return None

    def best(self, text: str) -> _Entry | None:
        found = self.matches(text, limit=1)
        return found[0] if found else None


class _CompletionModel(QStandardItemModel):
    def fill(self, entries: Sequence[_Entry]) -> None:
        self.clear()
        for entry in entries:
            item = QStandardItem(entry.label)
            item.setData(entry.key, Qt.ItemDataRole.UserRole)
            item.setEditable(False)
            self.appendRow(item)


def _hide_popup(completer: QCompleter) -> None:
    popup = completer.popup()
    if popup is not None:
        popup.hide()


def _popup_completer(owner: QWidget, model: QStandardItemModel) -> QCompleter:
    completer = QCompleter(owner)
    completer.setModel(model)
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    completer.setMaxVisibleItems(10)
    return completer
