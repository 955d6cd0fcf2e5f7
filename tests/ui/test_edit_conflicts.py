"""A form saved over another worker's change: refused, then their version with this
worker's typing on top (issue 16). Two stores on the same database, as two desks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import text

from amudesk.models import Person, Request
from amudesk.services import cases, people
from amudesk.services.cases import RequestData
from amudesk.services.people import PersonData
from amudesk.ui.persondialog import PersonDialog
from amudesk.ui.requestdialog import RequestDialog

RECEIVED = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)


def shown(qtbot: Any, dialog: QDialog) -> QDialog:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def new_person(store: Any) -> int:
    with store.transaction() as session:
        person = people.save_person(
            PersonData(family_name="Diallo", given_names="Awa", phone="0470 11 22 33"),
            session=session,
        )
        assert person.id is not None
        return person.id


def test_the_person_form_keeps_the_typing_and_shows_their_change(
    qtbot: Any, store: Any, open_same: Any
) -> None:
    person_id = new_person(store)
    dialog = shown(qtbot, PersonDialog(store, person_id=person_id))
    dialog.family_name.setText("Dialo")  # this worker's change
    other = open_same()
    other.account = "Bram"
    try:
        with other.transaction() as session:
            theirs = people.get_person(person_id, session=session)
            people.save_person(
                PersonData(
                    family_name="Diallo",
                    given_names="Awa",
                    phone="0488 00 00 00",  # theirs
                    version=theirs.version,
                ),
                session=session,
                person_id=person_id,
            )
    finally:
        other.close()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "Changed by Bram at" in dialog.error_label.text()
    assert dialog.reload_button.isVisible() and dialog.focusWidget() is dialog.reload_button
    with store.session() as session:
        kept = session.get(Person, person_id)
        assert kept is not None and (kept.family_name, kept.phone) == ("Diallo", "0488 00 00 00")
    qtbot.keyClick(dialog.reload_button, Qt.Key.Key_Space)
    assert (dialog.family_name.text(), dialog.phone.text()) == ("Dialo", "0488 00 00 00")
    assert not dialog.reload_button.isVisible()
    assert "your changes on top" in dialog.error_label.text()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.session() as session:
        final = session.get(Person, person_id)
        assert final is not None and (final.family_name, final.phone) == ("Dialo", "0488 00 00 00")


def test_the_request_form_keeps_the_typing_and_shows_their_change(
    qtbot: Any, store: Any, open_same: Any
) -> None:
    person_id = new_person(store)
    with store.transaction() as session:
        cpas_id = session.execute(text("SELECT min(id) FROM cpas")).scalar_one()
        request = cases.register_request(
            RequestData(person_id=person_id, cpas_id=cpas_id, received_at=RECEIVED),
            session=session,
        )
        request_id = request.id
    dialog = shown(qtbot, RequestDialog(store, request_id=request_id))
    dialog.accompanied_by.setText("Médecins du Monde")
    other = open_same()
    try:
        with other.transaction() as session:
            theirs = cases.get_request(request_id, session=session)
            cases.register_request(
                RequestData(
                    person_id=person_id,
                    cpas_id=cpas_id,
                    received_at=RECEIVED,
                    aamu_handed_in=True,
                    version=theirs.version,
                ),
                session=session,
                request_id=request_id,
            )
    finally:
        other.close()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "Changed by" in dialog.error_label.text()
    qtbot.mouseClick(dialog.reload_button, Qt.MouseButton.LeftButton)
    assert dialog.accompanied_by.text() == "Médecins du Monde"
    assert dialog.aamu_handed_in.isChecked()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.session() as session:
        final = session.get(Request, request_id)
        assert final is not None
        assert (final.accompanied_by, final.aamu_handed_in) == ("Médecins du Monde", True)
        assert final.received_at is not None
        assert final.received_at.replace(tzinfo=dt.UTC) == RECEIVED
