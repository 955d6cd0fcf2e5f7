"""The front desk's new flows in the forms: a Latin spelling proposed for a name in another
script, a request kept unfiled and filed later, an urgent flag that needs its category, a
transfer that creates the follow-on request, and the referral to the SPP IS."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime
from PySide6.QtWidgets import QDialog
from sqlmodel import select

from amudesk.models import CaseStatus, Person, Request
from amudesk.services import cases, clock, directory, filing
from amudesk.ui.eventdialog import SppReferralDialog, TransferDialog
from amudesk.ui.kit.moments import WALL_CLOCK
from amudesk.ui.persondialog import PersonDialog
from amudesk.ui.requestdialog import RequestDialog
from tests.ui.test_forms import assert_refused, click_ok, open_dialog, type_text
from tests.unit.test_clock_service import _decide, _person, _request


def test_a_name_in_cyrillic_gets_a_latin_spelling_the_worker_can_correct(
    qtbot: Any, store: Any
) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    type_text(dialog.family_name, "Константинопольская")
    type_text(dialog.given_names, "Анна")
    assert dialog.latin_name.text() == "KONSTANTINOPOL'SKAYA Anna"
    dialog.latin_name.selectAll()
    type_text(dialog.latin_name, "KONSTANTINOPOLSKAIA Anna")
    type_text(dialog.given_names, " Ivanovna")  # a later change keeps the worker's spelling
    assert dialog.latin_name.text() == "KONSTANTINOPOLSKAIA Anna"
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    with store.session() as session:
        person = session.scalar(select(Person))
        assert person is not None and person.latin_name == "KONSTANTINOPOLSKAIA Anna"
        assert "konstantinopolskaia" in person.search_text


def test_a_latin_spelling_in_another_script_is_refused(qtbot: Any, store: Any) -> None:
    dialog = open_dialog(qtbot, PersonDialog(store))
    type_text(dialog.family_name, "Nguyễn")
    type_text(dialog.given_names, "Lan")
    assert dialog.latin_name.text() == ""  # Latin with accents: nothing to propose
    type_text(dialog.latin_name, "Иванов")
    click_ok(qtbot, dialog)
    assert_refused(dialog, "latin_name", "Latin letters")


def _person_id(store: Any) -> int:
    with store.transaction() as session:
        return _person(session).id or 0


def test_a_request_kept_unfiled_then_filed(qtbot: Any, store: Any) -> None:
    person_id = _person_id(store)
    dialog = open_dialog(qtbot, RequestDialog(store, person_id=person_id))
    dialog.preparing.setChecked(True)
    assert not dialog.received_at.isEnabled()
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    with store.session() as session:
        request = cases.get_request(dialog.request_id, session=session)
        assert request.status == CaseStatus.PREPARING and request.received_at is None
    filing_dialog = open_dialog(
        qtbot, RequestDialog(store, request_id=dialog.request_id, file_now=True)
    )
    assert "File the request" in filing_dialog.windowTitle()
    assert not filing_dialog.preparing.isChecked() and filing_dialog.received_at.isEnabled()
    click_ok(qtbot, filing_dialog)
    assert_refused(filing_dialog, "cpas_id", "CPAS")
    filing_dialog.cpas.set_key(filing_dialog.cpas.itemData(0))
    click_ok(qtbot, filing_dialog)
    assert filing_dialog.result() == QDialog.DialogCode.Accepted, filing_dialog.error_label.text()
    with store.session() as session:
        request = cases.get_request(dialog.request_id, session=session)
        assert request.status == CaseStatus.OPEN and request.received_at is not None
        assert clock.deadlines(session=session, request_ids=[request.id or 0])


def test_urgent_needs_its_category(qtbot: Any, store: Any) -> None:
    person_id = _person_id(store)
    dialog = open_dialog(qtbot, RequestDialog(store, person_id=person_id))
    dialog.cpas.set_key(dialog.cpas.itemData(0))
    assert not dialog.urgent_reason.isEnabled()
    dialog.urgent.setChecked(True)
    assert dialog.urgent_reason.isEnabled()
    click_ok(qtbot, dialog)
    assert_refused(dialog, "urgent_reason", "urgent")
    dialog.urgent_reason.setCurrentIndex(dialog.urgent_reason.findData("pregnancy"))
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    with store.session() as session:
        request = cases.get_request(dialog.request_id, session=session)
        assert request.urgent and request.urgent_reason == "pregnancy"


def test_the_transfer_dialog_creates_the_follow_on_request(qtbot: Any, store: Any) -> None:
    with store.transaction() as session:
        request = _request(session, _person(session), dt.datetime(2026, 7, 1, 10, 0))
        _decide(session, request, kind="incompetent", decided_on=dt.date(2026, 7, 3))
        request_id = request.id or 0
        forest = directory.find_cpas("Forest", session=session)
        assert forest is not None
        forest_id = forest.id
    dialog = open_dialog(qtbot, TransferDialog(store, request_id=request_id))
    dialog.date.set_value(dt.date(2026, 7, 6))
    dialog.target.set_key(forest_id)
    assert not dialog.received_there.isEnabled()
    dialog.follow.setChecked(True)
    dialog.received_there.setDateTime(QDateTime(QDate(2026, 7, 9), QTime(11, 30), WALL_CLOCK))
    click_ok(qtbot, dialog)
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    with store.session() as session:
        follow = filing.following(request_id, session=session)
        assert follow is not None and follow.cpas_id == forest_id
        assert follow.first_filed_on == dt.date(2026, 7, 1)
        assert cases.local_date(follow.received_at) == dt.date(2026, 7, 9)  # type: ignore[arg-type]
        follow_id = follow.id or 0
    again = open_dialog(qtbot, TransferDialog(store, request_id=request_id))
    assert not again.follow.isVisibleTo(again)  # one follow-on per transfer
    with store.transaction() as session:
        _decide(
            session,
            session.get(Request, follow_id),
            kind="incompetent",
            decided_on=dt.date(2026, 7, 10),
        )  # type: ignore[arg-type]
    referral = open_dialog(qtbot, SppReferralDialog(store, request_id=follow_id))
    assert "5 working days" in referral.clock_label.text()
    referral.date.set_value(dt.date(2026, 7, 14))
    click_ok(qtbot, referral)
    assert referral.result() == QDialog.DialogCode.Accepted, referral.error_label.text()
    with store.session() as session:
        assert session.get(Request, follow_id).spp_referred_on == dt.date(2026, 7, 14)  # type: ignore[union-attr]
