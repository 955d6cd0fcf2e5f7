"""A request received by transfer: its receipt and its letters give the day the claimant
first filed, as their proof of when they asked, beside this CPAS's own receipt."""

from __future__ import annotations

import datetime as dt

import pytest

from amudesk.services import clock, directory, documents, filing
from amudesk.services import letters as letter_service
from amudesk.services.cases import DecisionData, record_decision
from amudesk.store import Store
from tests.documents.test_letters import NOW
from tests.documents.test_reader_language import applicant, bilingual_office, pdf_words, saint_josse

pytestmark = pytest.mark.both_engines


def test_the_follow_on_request_shows_the_first_filing(store: Store) -> None:
    bilingual_office(store)
    first_cpas = saint_josse(store, phone="02 000 00 00", address="Rue de l'Exemple 1, 1210")
    first = applicant(store, first_cpas, received=dt.datetime(2026, 6, 1, 10, 0, tzinfo=dt.UTC))
    with store.transaction() as session:
        record_decision(
            first, DecisionData(kind="incompetent", decided_on=dt.date(2026, 6, 3)), session=session
        )
        forest = directory.find_cpas("Forest", session=session)
        assert forest is not None
        forest.address = "Rue de l'Exemple 2, 1190"
        clock.record_transfer(first, dt.date(2026, 6, 4), session=session, to_cpas_id=forest.id)
        second = filing.follow_on(
            first, dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC), session=session
        )
        second_id = second.id or 0
    with store.transaction() as session:
        receipt = pdf_words(
            documents.issue_receipt(second_id, session=session, language="en", now=NOW).pdf
        )
        draft = letter_service.draft_letter(
            second_id, "reminder", session=session, language="en", today=dt.date(2026, 8, 1)
        )
    assert "First filed on" in receipt and "1 Jun 2026" in receipt.replace("June", "Jun")
    assert "15 Jun 2026" in receipt.replace("June", "Jun")
    opening = " ".join(draft.body)
    assert "first filed it on" in opening and "another CPAS" in opening
