"""A form saved over another worker's change: refused, then their version with this
worker's typing on top (issue 16). Two stores on the same database, as two desks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from sqlalchemy import text

from amudesk.models import Aamu, Appeal, Decision, Person, Request
from amudesk.services import appeals, cases, filing, people
from amudesk.services.appeals import AppealData
from amudesk.services.cases import AamuData, DecisionData, RequestData
from amudesk.services.people import PersonData
from amudesk.ui.aamudialog import AamuDialog
from amudesk.ui.appealdialog import AppealDialog as AppealForm
from amudesk.ui.decisiondialog import DecisionDialog
from amudesk.ui.eventdialog import TransferDialog
from amudesk.ui.persondialog import PersonDialog
from amudesk.ui.requestdialog import RequestDialog

RECEIVED = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)
DAY = dt.date(2026, 12, 1)
HEARING = dt.date(2026, 12, 3)


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
    assert "#a4000f" in dialog.error_label.styleSheet()  # said as a problem
    assert dialog.reload_button.isVisible() and dialog.focusWidget() is dialog.reload_button
    with store.session() as session:
        kept = session.get(Person, person_id)
        assert kept is not None and (kept.family_name, kept.phone) == ("Diallo", "0488 00 00 00")
    qtbot.keyClick(dialog.reload_button, Qt.Key.Key_Space)
    assert (dialog.family_name.text(), dialog.phone.text()) == ("Dialo", "0488 00 00 00")
    assert not dialog.reload_button.isVisible()
    assert "your changes on top" in dialog.error_label.text()
    assert "#a4000f" not in dialog.error_label.styleSheet()  # a note, not an error
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    with store.session() as session:
        final = session.get(Person, person_id)
        assert final is not None and (final.family_name, final.phone) == ("Dialo", "0488 00 00 00")


def test_the_request_form_keeps_the_typing_and_shows_their_change(
    qtbot: Any, store: Any, open_same: Any
) -> None:
    request_id = new_request(store)
    with store.session() as session:
        request = cases.get_request(request_id, session=session)
        person_id, cpas_id = request.person_id, request.cpas_id
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


def new_request(store: Any) -> int:
    person_id = new_person(store)
    with store.transaction() as session:
        cpas_id = session.execute(text("SELECT min(id) FROM cpas")).scalar_one()
        request = cases.register_request(
            RequestData(person_id=person_id, cpas_id=cpas_id, received_at=RECEIVED),
            session=session,
        )
        assert request.id is not None
        return request.id


def as_bram(open_same: Any, change: Any) -> None:
    """The second worker, Bram, saves ``change(session)`` from his own desk."""
    other = open_same()
    other.account = "Bram"
    try:
        with other.transaction() as session:
            change(session)
    finally:
        other.close()


def refused_then_reloaded(qtbot: Any, dialog: Any) -> None:
    """OK is refused naming Bram; Reload shows his version with this worker's typing."""
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert "Changed by Bram at" in dialog.error_label.text()
    assert dialog.reload_button.isVisible()
    qtbot.keyClick(dialog.reload_button, Qt.Key.Key_Space)
    assert not dialog.reload_button.isVisible()


def saved(qtbot: Any, dialog: Any) -> None:
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()


def test_the_attestation_form_keeps_the_typing_and_shows_their_change(
    qtbot: Any, store: Any, open_same: Any
) -> None:
    request_id = new_request(store)
    with store.transaction() as session:
        aamu = cases.record_aamu(
            request_id, AamuData(issued_on=DAY, doctor_name="Dr Peeters"), session=session
        )
        aamu_id = aamu.id
    dialog = shown(qtbot, AamuDialog(store, request_id=request_id, aamu_id=aamu_id))
    dialog.doctor_name.setText("Dr Peeters-Dubois")  # this worker's change

    def theirs(session: Any) -> None:
        row = session.get(Aamu, aamu_id)
        data = AamuData(
            issued_on=DAY,
            doctor_name="Dr Peeters",
            care_categories=["ambulatory"],
            version=row.version,
        )
        cases.record_aamu(request_id, data, session=session, aamu_id=aamu_id)

    as_bram(open_same, theirs)
    refused_then_reloaded(qtbot, dialog)
    assert dialog.doctor_name.text() == "Dr Peeters-Dubois"
    assert dialog.categories["ambulatory"].isChecked()
    saved(qtbot, dialog)
    with store.session() as session:
        final = session.get(Aamu, aamu_id)
        assert final is not None
        assert (final.doctor_name, final.category_list) == ("Dr Peeters-Dubois", ["ambulatory"])


def test_the_decision_form_keeps_the_typing_and_shows_their_change(
    qtbot: Any, store: Any, open_same: Any
) -> None:
    request_id = new_request(store)
    with store.transaction() as session:
        decision = cases.record_decision(
            request_id, DecisionData(kind="principle", decided_on=DAY), session=session
        )
        decision_id = decision.id
    dialog = shown(qtbot, DecisionDialog(store, request_id=request_id, decision_id=decision_id))
    dialog.mediprima_number.setText("MP-2026-0042")  # this worker's change

    def theirs(session: Any) -> None:
        row = session.get(Decision, decision_id)
        data = DecisionData(kind="principle", decided_on=DAY, encoded_on=DAY, version=row.version)
        cases.record_decision(request_id, data, session=session, decision_id=decision_id)

    as_bram(open_same, theirs)
    refused_then_reloaded(qtbot, dialog)
    assert dialog.mediprima_number.text() == "MP-2026-0042"
    assert dialog.encoded_on.value() == DAY
    saved(qtbot, dialog)
    with store.session() as session:
        final = session.get(Decision, decision_id)
        assert final is not None
        assert (final.mediprima_number, final.encoded_on) == ("MP-2026-0042", DAY)


def test_the_appeal_form_keeps_the_typing_and_shows_their_change(
    qtbot: Any, store: Any, open_same: Any
) -> None:
    request_id = new_request(store)
    with store.transaction() as session:
        appeal_id = appeals.record_appeal(request_id, AppealData(filed_on=DAY), session=session).id
    dialog = shown(qtbot, AppealForm(store, request_id=request_id, appeal_id=appeal_id))
    dialog.role_number.setText("26/1234/A")

    def theirs(session: Any) -> None:
        row = session.get(Appeal, appeal_id)
        data = AppealData(filed_on=DAY, hearing_dates=[HEARING], version=row.version)
        appeals.record_appeal(request_id, data, session=session, appeal_id=appeal_id)

    as_bram(open_same, theirs)
    refused_then_reloaded(qtbot, dialog)
    assert dialog.role_number.text() == "26/1234/A"
    assert dialog.hearings.days() == [HEARING]
    saved(qtbot, dialog)
    with store.session() as session:
        final = session.get(Appeal, appeal_id)
        assert final is not None and (final.role_number, final.hearing_list) == (
            "26/1234/A",
            [HEARING],
        )


def test_the_transfer_form_keeps_the_typing_and_shows_their_change(
    qtbot: Any, store: Any, open_same: Any
) -> None:
    request_id = new_request(store)
    dialog = shown(qtbot, TransferDialog(store, request_id=request_id))
    dialog.date.set_value(DAY)  # this worker's change

    def theirs(session: Any) -> None:
        # Bram records the referral to the SPP IS meanwhile: another field of the request.
        row = cases.get_request(request_id, session=session)
        filing.record_spp_referral(request_id, HEARING, session=session, version=row.version)

    as_bram(open_same, theirs)
    refused_then_reloaded(qtbot, dialog)
    assert dialog.date.value() == DAY
    saved(qtbot, dialog)
    with store.session() as session:
        final = session.get(Request, request_id)
        assert final is not None and (final.transferred_on, final.spp_referred_on) == (
            DAY,
            HEARING,
        )
