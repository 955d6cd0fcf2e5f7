"""The idle lock keeps the form open at the counter: covered while locked (nothing of it
readable, the database closed), as it was after the passphrase, and it saves."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QWidget

from amudesk.services import people
from tests.keys import PASSPHRASE


def when_shown(kind: str, action: Callable[[Any], None]) -> None:
    """Run ``action`` on the modal dialog of class ``kind`` once it is shown (in its exec)."""

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None and type(dialog).__name__ == kind:
            action(dialog)
        else:
            QTimer.singleShot(10, look)

    QTimer.singleShot(0, look)


def shown_texts(dialog: QWidget) -> list[str]:
    """The texts a user could read in ``dialog`` now: visible fields and labels."""
    texts = [edit.text() for edit in dialog.findChildren(QLineEdit) if edit.isVisible()]
    texts += [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    return texts + [dialog.windowTitle()]


class NoRequest(QDialog):
    """The request form that follows a new person: closed at once (Later)."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:
        super().__init__()

    def exec(self) -> int:
        return int(QDialog.DialogCode.Rejected)


def test_a_half_typed_person_outlives_the_lock_and_is_saved(
    qtbot: Any, store: Any, data_dir: Path, office: Any, fake_dialog: Any
) -> None:
    from amudesk.ui.app import Shell, application

    fake_dialog("amudesk.ui.requestdialog", "RequestDialog", NoRequest)
    shell = Shell(application(), store, data_dir)
    window = shell.show_main()
    qtbot.addWidget(window)
    shell.start_locking()
    seen: dict[str, Any] = {}

    def at_the_counter(dialog: Any) -> None:
        dialog.family_name.setText("Nguyễn")
        dialog.given_names.setText("Văn An")
        with qtbot.waitSignal(shell.locked_changed, timeout=5000) as locked:
            shell.idle.idle.emit()  # five minutes on the phone with an interpreter
        assert locked.args == [True]
        seen["store locked"] = store.locked and store.key.wiped
        seen["form open"] = dialog.isVisible() and dialog.result() == 0
        seen["window hidden"] = not window.isVisible()
        seen["readable"] = [t for t in shown_texts(dialog) if "Nguy" in t or "Văn" in t]
        seen["cover"] = dialog.findChild(QLabel, "lockCover").isVisible()
        with qtbot.waitSignal(shell.locked_changed, timeout=10_000) as unlocked:
            shell.unlock_dialog.submit(PASSPHRASE)
        assert unlocked.args == [False]
        seen["after"] = (dialog.family_name.text(), dialog.given_names.text())
        seen["shown again"] = dialog.family_name.isVisible() and window.isVisible()
        seen["title"] = dialog.windowTitle()
        dialog.ok_button.click()  # saves on the database opened again

    when_shown("PersonDialog", at_the_counter)
    window.commands.new_person()
    assert seen == {
        "store locked": True,
        "form open": True,
        "window hidden": True,
        "readable": [],
        "cover": True,
        "after": ("Nguyễn", "Văn An"),
        "shown again": True,
        "title": "New person",
    }
    with store.session() as session:
        found = people.find_people("nguyen", session=session)
    assert [(p.family_name, p.given_names) for p in found] == [("Nguyễn", "Văn An")]
    assert "closed without saving" not in window.statusBar().currentMessage()
    shell.stop_alerts()
    window.close()
