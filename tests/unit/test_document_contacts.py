"""What a document would print but cannot: ``services.documents.missing_contacts`` lists
the contacts left empty (a warning before issuing, never a refusal), and issuing without
them prints no reference to what is missing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from amudesk.i18n import gettext_for
from amudesk.models import Cpas
from amudesk.services import directory, documents
from amudesk.services.documents import Missing, missing_contacts
from amudesk.services.office import get_office, save_office
from amudesk.store import Store
from tests.documents.test_issue_forms import grant
from tests.documents.test_reader_language import applicant, bilingual_office, saint_josse

pytestmark = pytest.mark.both_engines


def found(store: Store, kind: str, request_id: int, language: str | None = None) -> set[str]:
    """``owner.field`` of each missing contact."""
    with store.session() as session:
        return {
            f"{item.owner}.{item.field}"
            for item in missing_contacts(kind, request_id, session=session, language=language)
        }


def set_cpas_phone(store: Store, cpas_id: int, phone: str) -> None:
    with store.transaction() as session:
        cpas = session.get(Cpas, cpas_id)
        assert cpas is not None
        directory.save_cpas(
            session=session,
            cpas_id=cpas_id,
            name_fr=cpas.name_fr,
            name_nl=cpas.name_nl,
            commune_fr=cpas.commune_fr,
            commune_nl=cpas.commune_nl,
            address=cpas.address,
            phone=phone,
        )


def test_the_empty_cpas_phone_is_listed_until_it_is_filled_in(store: Store) -> None:
    bilingual_office(store)
    cpas_id = saint_josse(store)
    request_id = applicant(store, cpas_id)
    with store.session() as session:
        listed = missing_contacts("card", request_id, session=session)
    phone = [item for item in listed if (item.owner, item.field) == ("cpas", "phone")]
    assert phone == [
        Missing("cpas", "phone", "the CPAS's phone number", cpas_id=cpas_id)
    ]  # the interface speaks English in the tests
    # Without a phone, the card's back says where the CPAS is: its address is wanted too.
    assert "cpas.address" in found(store, "card", request_id)
    assert {"cpas.phone", "cpas.address"} <= found(store, "info", request_id)
    set_cpas_phone(store, cpas_id, "02 220 29 29")
    assert "cpas.phone" not in found(store, "card", request_id)
    assert "cpas.address" not in found(store, "card", request_id)  # the phone is enough
    assert "cpas.phone" not in found(store, "info-form", request_id)
    assert "cpas.address" in found(store, "info-form", request_id)  # the form prints both


def test_the_office_profile_and_its_words_in_the_document_language(store: Store) -> None:
    with store.transaction() as session:
        save_office(session=session, kind="cpas", name="CPAS de Forest", document_language="fr")
    cpas_id = saint_josse(store, phone="02 220 29 29", address="Sint-Joostplein 13")
    request_id = applicant(store, cpas_id)
    # French, the office's language: only the empty contacts.
    assert found(store, "receipt", request_id) == {
        "office.address",
        "office.phone",
        "office.labour_court_address",
    }
    assert found(store, "card", request_id) == {"office.phone"}
    # Dutch: the French name would print on a Dutch document.
    assert "office.name_nl" in found(store, "receipt", request_id, "nl")
    assert "office.name_nl" in found(store, "card", request_id, "nl")
    with store.transaction() as session:
        office = get_office(session=session)
        assert office is not None
        office.name_nl = "OCMW Vorst"
        office.address = "Rue du Curé 2\n1190 Forest"
        office.phone = "02 340 00 00"
        office.labour_court_address = "Tribunal du travail francophone de Bruxelles"
        session.add(office)
    assert found(store, "receipt", request_id, "fr") == set()
    # The address and the court now print in French on a Dutch receipt: their Dutch
    # wording is wanted; English documents take the main language's words.
    assert found(store, "receipt", request_id, "nl") == {
        "office.address_nl",
        "office.labour_court_address_nl",
    }
    assert found(store, "receipt", request_id, "en") == set()
    assert found(store, "appeal", request_id, "nl") == {
        "office.address_nl",
        "office.labour_court_address_nl",
    }
    with store.session() as session:
        labels = {
            item.field: item.label
            for item in missing_contacts("receipt", request_id, session=session, language="nl")
        }
    assert labels["labour_court_address_nl"] == "the Dutch-speaking labour court"


def test_kinds_and_requests_it_does_not_know(store: Store) -> None:
    bilingual_office(store)
    cpas_id = saint_josse(store, phone="02 220 29 29", address="Sint-Joostplein 13")
    request_id = applicant(store, cpas_id)
    assert found(store, "aamu", request_id, "nl") == set()
    assert found(store, "reminder", request_id, "nl") == set()
    with pytest.raises(ValueError):
        found(store, "passport", request_id)


def test_a_card_missing_the_cpas_phone_still_issues_and_points_nowhere(store: Store) -> None:
    bilingual_office(store)
    cpas_id = saint_josse(store)
    today = dt.datetime.now(dt.UTC)
    request_id = applicant(store, cpas_id, received=today - dt.timedelta(days=20))
    grant(store, request_id)
    assert "cpas.phone" in found(store, "card", request_id, "nl")
    with store.transaction() as session:
        card = documents.issue_card(request_id, session=session, language="nl")
        pdf = documents.card_pdf([card.id or 0], session=session, sheet=False)
    back = " ".join((PdfReader(io.BytesIO(pdf)).pages[1].extract_text() or "").split())
    on_the_front = gettext_for("nl", "In case of doubt, call the CPAS (number on the front).")
    assert " ".join(on_the_front.split()) not in back
    named = gettext_for("nl", "In case of doubt, contact the CPAS named on the front.")
    assert " ".join(named.split()) in back
