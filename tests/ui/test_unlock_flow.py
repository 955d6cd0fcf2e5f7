"""Start-up with a passphrase: chosen on the first run, asked for afterwards, and an
unencrypted database of an earlier version converted behind the same screens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from amudesk import crypto
from amudesk.services.desk import open_desk
from amudesk.store import folder_state, make_engine, migrate
from tests.keys import FAST_KDF, PASSPHRASE

GOOD = "lantern orchard violet 42 harbour"


def when_shown(kind: str, action: Callable[[Any], None]) -> None:
    """Run ``action`` on the modal dialog of class ``kind`` as soon as it is shown."""

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is not None and type(dialog).__name__ == kind:
            action(dialog)
        else:
            QTimer.singleShot(10, look)

    QTimer.singleShot(0, look)


def choose(passphrase: str) -> Callable[[Any], None]:
    def act(dialog: Any) -> None:
        dialog.passphrase_edit.setText(passphrase)
        dialog.confirmation_edit.setText(passphrase)
        dialog.ok_button.click()

    return act


@pytest.fixture
def interactive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AMUDESK_PASSPHRASE")


def test_first_run_chooses_a_passphrase_and_creates_the_encrypted_database(
    qtbot: Any, tmp_path: Path, interactive: None
) -> None:
    from amudesk.ui.app import unlock_store

    data_dir = tmp_path / "data"
    when_shown("PassphraseDialog", choose(GOOD))
    store = unlock_store(data_dir)
    assert store is not None
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM cpas")).scalar() == 19
    finally:
        store.close()
    assert crypto.file_kind(data_dir / "amudesk.sqlite3") == "sealed"
    assert crypto.read_key_file(data_dir / "amudesk.key").initialised
    assert folder_state(data_dir) == "encrypted"


def test_an_encrypted_folder_asks_for_its_passphrase(
    qtbot: Any, data_dir: Path, interactive: None
) -> None:
    from amudesk.ui.app import unlock_store

    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    when_shown("UnlockDialog", lambda dialog: dialog.submit(PASSPHRASE))
    store = unlock_store(data_dir)
    assert store is not None and store.key is not None
    store.close()
    assert store.key.wiped


def test_closing_the_screen_opens_nothing(qtbot: Any, data_dir: Path, interactive: None) -> None:
    from amudesk.ui.app import unlock_store

    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    before = (data_dir / "amudesk.sqlite3").read_bytes()
    when_shown("UnlockDialog", lambda dialog: dialog.reject())
    assert unlock_store(data_dir) is None
    assert (data_dir / "amudesk.sqlite3").read_bytes() == before


def test_an_unencrypted_database_is_converted_with_the_chosen_passphrase(
    qtbot: Any, data_dir: Path, interactive: None
) -> None:
    from amudesk.ui.app import unlock_store

    data_dir.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{data_dir / 'amudesk.sqlite3'}")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cpas (name_fr, name_nl, commune_fr, commune_nl, address, phone, "
                "email, amu_contact) VALUES ('CPAS de Zzyzx', 'OCMW Zzyzx', 'Zzyzx', 'Zzyzx', "
                "'', '', '', '')"
            )
        )
    engine.dispose()
    assert folder_state(data_dir) == "plain"
    when_shown("PassphraseDialog", choose(GOOD))
    store = unlock_store(data_dir)
    assert store is not None
    try:
        with store.engine.connect() as connection:
            names = connection.execute(text("SELECT name_fr FROM cpas")).scalars().all()
        assert "CPAS de Zzyzx" in names
    finally:
        store.close()
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert b"Zzyzx" not in path.read_bytes(), path.name


def test_the_daily_backup_is_made_in_the_background_once_a_day(
    qtbot: Any, store: Any, data_dir: Path
) -> None:
    from amudesk.backups import list_backups
    from amudesk.ui.app import Shell, application

    shell = Shell(application(), store, data_dir)
    with qtbot.waitSignal(shell.backup_finished, timeout=20_000) as finished:
        shell.start_backup()
    assert finished.args == ["Daily backup made."]
    assert len(list_backups(data_dir / "backups")) == 1
    shell.start_backup()  # not due again today: nothing runs
    assert shell.backup_task is None
    shell.stop_alerts()


def test_an_unusable_database_offers_the_latest_backup(
    qtbot: Any, data_dir: Path, interactive: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database file was emptied: the latest backup is offered, its passphrase asked,
    and the emptied file kept as it was in backups/."""
    from PySide6.QtWidgets import QMessageBox

    from amudesk.backups import make_backup
    from amudesk.ui.app import offer_restore

    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    make_backup(store)
    store.close()
    (data_dir / "amudesk.sqlite3").write_bytes(b"")
    asked: list[str] = []

    def answer(*args: Any) -> Any:
        asked.append(args[2])
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(answer))
    when_shown("UnlockDialog", lambda dialog: dialog.submit(PASSPHRASE))
    restored = offer_restore(data_dir, "The database file amudesk.sqlite3 is empty (0 bytes).")
    assert restored is not None
    try:
        with restored.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM cpas")).scalar() == 19
    finally:
        restored.close()
    assert "empty (0 bytes)" in asked[0] and "latest backup was made on" in asked[0]
    (kept,) = (data_dir / "backups").glob("before-restore-*.sqlite3")
    assert kept.read_bytes() == b""


def test_after_a_wrong_passphrase_the_unlock_screen_offers_a_backup(
    qtbot: Any, data_dir: Path, interactive: None
) -> None:
    from amudesk.backups import make_backup
    from amudesk.ui.unlockdialog import UnlockDialog

    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    make_backup(store)
    store.close()
    dialog = UnlockDialog(lambda p: open_desk(data_dir, passphrase=p), offer_restore=True)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.restore_button.isVisible()
    dialog.submit("wrong passphrase")
    dialog.wait_for_task()
    assert dialog.restore_button.isVisible()
    dialog.restore_button.click()
    assert dialog.restore_chosen and dialog.result() == 0
