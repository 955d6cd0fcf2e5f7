"""The window's restore and passphrase change, as the shell performs them: the backup is
checked while the database stays open, then put in place; the passphrase change runs off
the UI thread and leaves the database open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import func, select

from amudesk.backups import make_backup
from amudesk.models import Person
from amudesk.services.desk import open_desk
from amudesk.services.people import PersonData, save_person
from tests.keys import PASSPHRASE


def people(store: Any) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


@pytest.fixture
def shell(qtbot: Any, store: Any, data_dir: Path, office: Any) -> Any:
    from amudesk.ui.app import Shell, application

    shell = Shell(application(), store, data_dir)
    shell.show_main()  # closed below: a restore replaces it with a new window
    yield shell
    shell.stop_alerts()
    if shell.window is not None:
        shell.window.close()


def test_a_backup_is_restored_from_the_window(qtbot: Any, shell: Any, store: Any) -> None:
    backup = make_backup(store)
    with store.transaction() as session:
        save_person(PersonData(family_name="After", given_names="Backup"), session=session)
    assert people(store) == 1
    with qtbot.waitSignal(shell.window_replaced, timeout=20_000):
        shell.restore(str(backup.path), PASSPHRASE)
    assert people(store) == 0 and not store.locked
    assert "before-restore-" in shell.window.statusBar().currentMessage()
    with store.session() as session:
        from amudesk.services import audit

        assert audit.entries(session=session, limit=1)[0].action == "restore"


def test_a_wrong_backup_passphrase_changes_nothing(
    qtbot: Any, shell: Any, store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = make_backup(store)
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: warnings.append(a[2])))
    shell.restore(str(backup.path), "not the passphrase")
    qtbot.waitUntil(lambda: bool(warnings), timeout=20_000)
    assert warnings == ["Wrong passphrase, or the database file is damaged."]
    assert not store.locked and people(store) == 0


def test_the_passphrase_is_changed_from_the_window(
    qtbot: Any, shell: Any, store: Any, data_dir: Path
) -> None:
    shell.change_passphrase(PASSPHRASE, "a brand new passphrase")
    qtbot.waitUntil(
        lambda: "passphrase was changed" in shell.window.statusBar().currentMessage(),
        timeout=20_000,
    )
    assert not store.locked and people(store) == 0
    store.close()
    open_desk(data_dir, passphrase="a brand new passphrase").close()
