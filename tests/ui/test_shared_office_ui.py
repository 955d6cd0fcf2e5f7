"""The window on a shared database: signing in, others' changes, the server away, where the
data lives, and what a role is offered (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QDialog

from amudesk.models import Request, Role
from amudesk.services import accounts, people
from amudesk.services.people import PersonData
from amudesk.settings import load_settings
from amudesk.ui.changewatch import ChangeWatcher
from amudesk.ui.datalocation import DataLocationDialog, server_url
from amudesk.ui.mainwindow import MainWindow
from amudesk.ui.signindialog import SignInDialog

GOOD = "blue kettle seventeen harbour"


def shown(qtbot: Any, dialog: QDialog) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_first_administrator_is_created_then_signs_in(qtbot: Any, store: Any) -> None:
    dialog = shown(qtbot, SignInDialog(store, first=True, server="office:5432"))
    assert dialog.again_edit.isVisible()
    dialog.name_edit.setText("Ana")
    dialog.password_edit.setText(GOOD)
    dialog.again_edit.setText(GOOD + " typo")
    dialog.sign_in()
    assert "two passwords differ" in dialog.error_label.text()
    dialog.again_edit.setText(GOOD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.sign_in()
    assert (store.account, store.role) == ("Ana", "administrator")
    assert dialog.password_edit.text() == ""


def test_a_wrong_password_is_said_and_the_field_cleared(qtbot: Any, store: Any) -> None:
    with store.transaction() as session:
        accounts.add_account("Ana", Role.ADMINISTRATOR, session=session, password=GOOD)
    dialog = shown(qtbot, SignInDialog(store))
    assert not dialog.again_edit.isVisible()
    dialog.name_edit.setText("ana")
    dialog.password_edit.setText("not the password")
    dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.error_label.text() == "Wrong name or password."
    assert dialog.password_edit.text() == "" and dialog.isVisible()
    assert store.account is None
    dialog.password_edit.setText(GOOD)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.sign_in()
    assert store.account == "Ana"


def test_others_changes_and_a_lost_server_are_noticed(
    qtbot: Any, store: Any, open_same: Any
) -> None:
    watcher = ChangeWatcher(store, poll_ms=60_000)  # checked by hand below
    changed: list[str] = []
    watcher.changed.connect(lambda: changed.append("changed"))
    watcher.lost.connect(lambda: changed.append("lost"))
    watcher.back.connect(lambda: changed.append("back"))
    watcher.check()
    qtbot.waitUntil(lambda: watcher.mark is not None, timeout=5000)
    other = open_same()
    try:
        with other.transaction() as session:
            people.save_person(PersonData(family_name="Okafor", given_names="Ada"), session=session)
    finally:
        other.close()
    watcher.check()
    qtbot.waitUntil(lambda: changed == ["changed"], timeout=5000)
    watcher.check()  # nothing new: nothing said
    qtbot.waitUntil(lambda: not watcher.asking, timeout=5000)
    assert changed == ["changed"]
    engine = store.engine
    store.engine = _Unreachable()
    watcher.check()
    qtbot.waitUntil(lambda: changed[-1:] == ["lost"], timeout=5000)
    watcher.check()  # still away: said once
    qtbot.waitUntil(lambda: not watcher.asking, timeout=5000)
    store.engine = engine
    watcher.check()
    qtbot.waitUntil(lambda: changed[-1:] == ["back"], timeout=5000)
    assert changed == ["changed", "lost", "back"]


class _Unreachable:
    """An engine whose server does not answer."""

    def connect(self) -> Any:
        from sqlalchemy.exc import OperationalError

        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    def __getattr__(self, name: str) -> Any:
        return self.connect


def test_the_main_window_shows_who_and_offers_a_reader_only_its_part(
    qtbot: Any, store: Any, data_dir: Path
) -> None:
    store.account, store.role = "Bram", Role.READER
    window = MainWindow(store, data_dir)
    qtbot.addWidget(window)
    assert "signed in as Bram" in window.windowTitle()
    assert window.cards_action.isEnabled() and window.find_action.isEnabled()
    for action in (
        window.export_action,
        window.import_action,
        window.new_person_action,
        window.new_request_action,
        window.office_action,
        window.privacy_action,
        window.statistics_action,
    ):
        assert not action.isEnabled(), action.text()
    assert window.server_banner.isHidden()
    from PySide6.QtWidgets import QPushButton

    for name in ("emptyNewPerson", "emptyImport"):
        button = window.stack.findChild(QPushButton, name)
        assert button is not None and not button.isEnabled()


def test_where_the_data_lives_is_checked_and_kept_for_the_next_start(
    qtbot: Any, data_dir: Path
) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    dialog = shown(qtbot, DataLocationDialog(data_dir))
    assert dialog.local.isChecked() and not dialog.host.isEnabled()
    dialog.server.setChecked(True)
    assert dialog.host.isEnabled() and dialog.ca_file.isEnabled()
    dialog.accept()
    assert "Server: give the server's name" in dialog.error_label.text()
    dialog.host.setText("db.office.example")
    dialog.login.setText("desk")
    dialog.password.setText("p@ss:w/rd")
    dialog.accept()
    assert "Certificate authority: choose its file" in dialog.error_label.text()
    dialog.ca_file.setText("/etc/amudesk/office-ca.pem")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted
    url = load_settings(data_dir).database_url
    assert url == (
        "postgresql://desk:p%40ss%3Aw%2Frd@db.office.example:5432/amudesk"
        "?sslmode=verify-full&sslrootcert=%2Fetc%2Famudesk%2Foffice-ca.pem"
    )
    assert json.loads((data_dir / "settings.json").read_text())["database_url"] == url
    again = shown(qtbot, DataLocationDialog(data_dir))
    assert again.server.isChecked() and again.url.text() == url
    again.local.setChecked(True)
    again.accept()
    assert load_settings(data_dir).database_url == ""


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://x/y", "must start with postgresql://"),
        ("postgresql:///amudesk", "names no server"),
        ("postgresql://db.example/", "names no database"),
        ("postgresql://db.example/amudesk?sslmode=sometimes", "sslmode=sometimes"),
        ("postgresql://db.example\u202e/amudesk", "control character"),
        ("postgresql://db.example/amu\x00desk", "control character"),
        ("postgresql://" + "d" * 5000 + "/amudesk", "too long"),
        ("=cmd|' /C calc'!A0", "must start with postgresql://"),
    ],
)
def test_a_bad_url_is_refused_naming_the_problem(
    qtbot: Any, data_dir: Path, url: str, problem: str
) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    dialog = shown(qtbot, DataLocationDialog(data_dir))
    dialog.server.setChecked(True)
    dialog.url.setText(url)
    dialog.accept()
    assert problem in dialog.error_label.text() and dialog.isVisible()
    assert load_settings(data_dir).database_url == ""


def test_the_url_of_the_fields_without_the_certificate_check() -> None:
    assert (
        server_url(
            host="10.0.0.5",
            port=6543,
            database="amu desk",
            login="",
            password="",
            ca_file="",
            check=False,
        )
        == "postgresql://10.0.0.5:6543/amu%20desk?sslmode=require"
    )


def test_a_new_desk_may_choose_the_office_server_instead_of_a_passphrase(qtbot: Any) -> None:
    from PySide6.QtCore import Qt

    from amudesk.ui.unlockdialog import PassphraseDialog

    converting = shown(qtbot, PassphraseDialog("convert"))
    assert not converting.server_button.isVisible()  # an existing database stays here
    dialog = shown(qtbot, PassphraseDialog("new"))
    assert dialog.server_button.isVisible()
    with qtbot.waitSignal(dialog.rejected, timeout=5000):
        qtbot.mouseClick(dialog.server_button, Qt.MouseButton.LeftButton)
    assert dialog.server_chosen and dialog.passphrase() == ""


@pytest.mark.both_engines
@pytest.mark.postgres_only  # the laptop's lock is tested in test_locking (its passphrase)
def test_a_shared_desk_locks_and_the_same_worker_signs_in_again(
    qtbot: Any, store: Any, data_dir: Path, office: Any
) -> None:
    from amudesk.ui.app import Shell, application

    with store.transaction() as session:
        accounts.add_account("Ana", Role.ADMINISTRATOR, session=session, password=GOOD)
    accounts.sign_in_store(store, "Ana", GOOD)
    shell = Shell(application(), store, data_dir)
    window = shell.show_main()
    qtbot.addWidget(window)
    shell.start_locking()
    assert shell.idle is not None
    with qtbot.waitSignal(shell.locked_changed, timeout=5000):
        shell.idle.idle.emit()
    assert store.locked and not window.isVisible()
    store.away = True  # the server was away when the desk locked: signing in asks afresh
    dialog = shell.unlock_dialog
    assert isinstance(dialog, SignInDialog) and dialog.isVisible()
    assert dialog.name_edit.text() == "Ana" and dialog.name_edit.isReadOnly()
    dialog.password_edit.setText("not the password")
    dialog.sign_in()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert store.locked and "Wrong name or password" in dialog.error_label.text()
    dialog.password_edit.setText(GOOD)
    with qtbot.waitSignal(shell.locked_changed, timeout=10_000) as unlocked:
        dialog.sign_in()
    assert unlocked.args == [False]
    assert not store.locked and store.account == "Ana" and window.isVisible()
    assert not store.away
    shell.stop_alerts()
    window.close()


def test_a_readers_case_panel_offers_no_change(qtbot: Any, store: Any, data_dir: Path) -> None:
    import datetime as dt

    from PySide6.QtWidgets import QPushButton
    from sqlalchemy import text

    from amudesk.services import cases
    from amudesk.services.cases import RequestData
    from amudesk.ui.casepanel import CasePanel

    with store.transaction() as session:
        person = people.save_person(
            PersonData(family_name="Diallo", given_names="Awa"), session=session
        )
        cpas_id = session.execute(text("SELECT min(id) FROM cpas")).scalar_one()
        request = cases.register_request(
            RequestData(
                person_id=person.id,
                cpas_id=cpas_id,
                received_at=dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC),
            ),
            session=session,
        )
    for role, editable in ((Role.WORKER, True), (Role.READER, False)):
        store.account, store.role = "Bram", role
        panel = CasePanel(store, data_dir=data_dir)
        qtbot.addWidget(panel)
        panel.show_case(request.id)
        qtbot.waitUntil(lambda panel=panel: panel.findChild(QPushButton, "editPerson") is not None)
        buttons = {b.objectName(): b.isEnabled() for b in panel.findChildren(QPushButton)}
        assert buttons["editPerson"] is editable and buttons["editRequest"] is editable
        assert buttons["recordDecision"] is editable
        assert buttons["showDocuments"] and buttons["issueDocument"]  # receipts and cards


def test_every_button_of_a_full_case_says_what_it_needs_and_a_reader_gets_only_its_own(
    qtbot: Any, store: Any, data_dir: Path
) -> None:
    """A case with an attestation, a decision, an appeal, a dependant, a consent, a
    receipt and a printed card: every button of its panel declares the action it does, a
    reader's are enabled exactly when a reader may do it (the others say why), and the
    documents a reader may issue are the receipt and the card."""
    import datetime as dt

    from PySide6.QtWidgets import QComboBox, QPushButton

    from amudesk.services import appeals, documents
    from amudesk.services.accounts import PERMISSIONS, allowed
    from amudesk.services.appeals import AppealData
    from amudesk.services.cases import AamuData, record_aamu
    from amudesk.ui.casepanel import CasePanel
    from amudesk.ui.kit.buttons import needs_of
    from tests.documents.test_issue_forms import TODAY, grant
    from tests.documents.test_reader_language import applicant, bilingual_office, saint_josse

    bilingual_office(store)
    received = dt.datetime.now(dt.UTC) - dt.timedelta(days=20)
    request_id = applicant(store, saint_josse(store), received=received)
    grant(store, request_id)
    with store.transaction() as session:
        request = session.get(Request, request_id)
        record_aamu(
            request_id,
            AamuData(issued_on=TODAY, doctor_name="Dr Wuyts", valid_from=TODAY, valid_to=TODAY),
            session=session,
        )
        people.save_person(
            PersonData(
                family_name="Константинопольская",
                given_names="Мила",
                birth_date="2019-05-02",
                guardian_id=request.person_id,
            ),
            session=session,
        )
        appeals.record_appeal(request_id, AppealData(filed_on=TODAY), session=session)
        documents.issue_receipt(request_id, session=session, language="fr")
        card = documents.issue_card(request_id, session=session, language="fr")
        documents.mark_cards_printed([card.id or 0], session=session)
    expected = {
        "editAamu0",
        "editDecision0",
        "editAppeal0",
        "editDependant0",
        "withdrawConsent0",
        f"handOverCard-{card.id}",
        "recordDecision",
        "closeCase",
        "issueDocument",
    }
    for role in (Role.READER, Role.WORKER):
        store.account, store.role = "Bram", role
        panel = CasePanel(store, data_dir=data_dir)
        qtbot.addWidget(panel)
        panel.show_case(request_id)
        qtbot.waitUntil(lambda panel=panel: panel.findChild(QPushButton, "editPerson") is not None)
        buttons = panel.findChildren(QPushButton)
        names = {button.objectName() for button in buttons}
        assert expected <= names, (expected - names, names)
        undeclared = [
            b.objectName() for b in buttons if needs_of(b) not in PERMISSIONS[Role.ADMINISTRATOR]
        ]
        assert not undeclared, undeclared
        for button in buttons:
            may = allowed(role, needs_of(button) or "")
            if may:
                assert button.isEnabled() or button.objectName() not in expected, (
                    button.objectName()
                )
            else:
                assert not button.isEnabled(), button.objectName()
                assert button.toolTip().startswith(f"A {role} may not "), button.objectName()
        kinds = panel.findChild(QComboBox, "documentKind")
        offered = {str(kinds.itemData(i)).partition(":")[0] for i in range(kinds.count())}
        if role == Role.READER:
            assert offered == {"receipt", "card"}
            said: list[str] = []
            panel.documents.message.connect(said.append)
            panel.documents._next = "reminder"  # Ctrl+P when a letter comes next
            assert panel.documents.issue_next() is None
            assert said == ["A reader may not issue documents and letters; ask an administrator."]
            assert panel.findChild(QPushButton, "editDecision0").isEnabled() is False
            assert panel.findChild(QPushButton, f"handOverCard-{card.id}").isEnabled()
        else:
            assert {"aamu", "info-form", "reminder"} <= offered


def test_a_reader_sees_the_worklist_but_cannot_mark_it(
    qtbot: Any, store: Any, data_dir: Path
) -> None:
    from amudesk.ui.deadlineboard import DeadlineBoard

    store.account, store.role = "Bram", Role.READER
    board = DeadlineBoard(store, data_dir)
    qtbot.addWidget(board)
    assert board.explanation.may_mark is False
    store.role = Role.WORKER
    worker_board = DeadlineBoard(store, data_dir)
    qtbot.addWidget(worker_board)
    assert worker_board.explanation.may_mark is True


@pytest.mark.both_engines
def test_a_case_added_at_another_desk_appears_in_this_windows_list(
    qtbot: Any, store: Any, open_same: Any, data_dir: Path
) -> None:
    """Two real connections: a case registered at another desk shows in this window's list
    once the change counter has moved (on a laptop's store there is nobody to watch)."""
    from tests.documents.test_issue import make_request

    make_request(store)
    window = MainWindow(store, data_dir)
    qtbot.addWidget(window)
    window.model.reload()
    assert window.model.rowCount() == 1
    if store.is_sqlite:
        assert window.watcher is None
        return
    watcher = window.watcher
    assert watcher is not None
    watcher.poll_ms = 3_600_000  # asked by hand below, not every three seconds
    watcher.check()
    qtbot.waitUntil(lambda: watcher.mark is not None and not watcher.asking, timeout=5000)
    other = open_same()
    try:
        make_request(other, family="Okafor", given="Ada", niss="")
    finally:
        other.close()
    watcher.check()
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=5000)
    shown_names = {window.model.index(row, 1).data() for row in range(2)}
    assert any("OKAFOR" in str(name).upper() for name in shown_names)
    window.close()


class _Refusing:
    """A server that refuses connections, as psycopg says it, counting the attempts."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.attempts = 0

    def connect(self) -> Any:
        import psycopg
        from sqlalchemy.exc import OperationalError

        self.attempts += 1
        raise OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused"))

    def __getattr__(self, name: str) -> Any:
        if name == "dialect":
            return self.real.dialect
        return lambda *args, **kwargs: self.connect()


@pytest.mark.postgres_only
def test_while_the_server_is_away_a_form_is_told_at_once_and_keeps_its_typing(
    qtbot: Any, store: Any
) -> None:
    """Once the watcher found the server away, nothing waits for it again: the form's save
    is refused at once, saying so, with the typing kept; when it answers, the save lands."""
    from amudesk.store import ServerAway
    from amudesk.ui.persondialog import PersonDialog

    watcher = ChangeWatcher(store, poll_ms=60_000)
    dialog = shown(qtbot, PersonDialog(store))
    dialog.family_name.setText("Okafor")
    dialog.given_names.setText("Ada")
    real = store.engine
    refusing = store.engine = _Refusing(real)
    watcher.check()
    qtbot.waitUntil(lambda: not watcher.reachable and not watcher.asking, timeout=5000)
    assert store.away
    asked = refusing.attempts
    with pytest.raises(ServerAway):
        store.session()
    dialog.ok_button.click()
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "the office's server cannot be reached" in dialog.error_label.text()
    assert dialog.family_name.text() == "Okafor"
    assert refusing.attempts == asked  # refused at once: the server was not asked again
    store.engine = real
    watcher.check()
    qtbot.waitUntil(lambda: watcher.reachable and not watcher.asking, timeout=5000)
    assert not store.away
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.session() as session:
        assert [p.family_name for p in people.find_people("okafor", session=session)] == ["Okafor"]
