"""Documents wholly in the reader's language, and cards a care provider can check.

An office in Brussels has its name, address, signatory's title and labour court in French
and in Dutch: a document in Dutch prints none of the French words, and the reverse. A card
shows the names in Latin letters under names written in another script, and the birth
date; a card or form for someone without a NISS or BIS number says how to find them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from amudesk import letters
from amudesk.documents.card import CardFacts, card_birth_date, names_a_cpas, render_card
from amudesk.documents.layout import Letterhead
from amudesk.documents.values import missing_niss
from amudesk.i18n import gettext_for
from amudesk.models import Person, Request
from amudesk.services import cases, consents, directory, documents, privacy
from amudesk.services import letters as letter_service
from amudesk.services.cases import RequestData
from amudesk.services.consents import ConsentData
from amudesk.services.office import get_office, save_office
from amudesk.services.people import PersonData, save_person
from amudesk.store import Store
from tests.documents.test_card import facts as card_facts
from tests.documents.test_card import text_runs
from tests.documents.test_issue_forms import add_minor, grant, jpeg
from tests.documents.test_letters import NOW, RECEIVED, words

pytestmark = pytest.mark.both_engines

FRENCH_COURT = (
    "Tribunal du travail francophone de Bruxelles\nBoulevard de Waterloo 70\n1000 Bruxelles"
)
DUTCH_COURT = "Nederlandstalige arbeidsrechtbank Brussel\nWaterloolaan 70\n1000 Brussel"
FAMILY, GIVEN = "Константинопольская", "Анна"
LATIN = "KONSTANTINOPOLSKAYA Anna"
# What a document in one language must never print: the other language's words.
FRENCH_WORDS = (
    "CPAS de Saint-Josse-ten-Noode",
    "Rue de la Limite",
    "Assistante sociale",
    "Tribunal du travail francophone",
)
DUTCH_WORDS = (
    "OCMW Sint-Joost-ten-Node",
    "Grensstraat",
    "Maatschappelijk werker",
    "Nederlandstalige arbeidsrechtbank",
)
OTHER = {"nl": FRENCH_WORDS, "fr": DUTCH_WORDS}
OWN = {"nl": DUTCH_WORDS, "fr": FRENCH_WORDS}


def bilingual_office(store: Store) -> None:
    """The office of Saint-Josse, its profile in French (its main language) and Dutch."""
    with store.transaction() as session:
        save_office(
            session=session,
            kind="cpas",
            name="CPAS de Saint-Josse-ten-Noode",
            address="Rue de la Limite 2\n1210 Saint-Josse-ten-Noode",
            phone="02 220 29 11",
            signatory_name="Marie Peeters",
            signatory_title="Assistante sociale",
            document_language="fr",
            labour_court_address=FRENCH_COURT,
        )
        office = get_office(session=session)
        assert office is not None
        office.name_fr, office.name_nl = "CPAS de Saint-Josse-ten-Noode", "OCMW Sint-Joost-ten-Node"
        office.address_fr = "Rue de la Limite 2\n1210 Saint-Josse-ten-Noode"
        office.address_nl = "Grensstraat 2\n1210 Sint-Joost-ten-Node"
        office.signatory_title_fr = "Assistante sociale"
        office.signatory_title_nl = "Maatschappelijk werker"
        office.labour_court_address_fr = FRENCH_COURT
        office.labour_court_address_nl = DUTCH_COURT
        session.add(office)


def saint_josse(store: Store, *, phone: str = "", address: str = "", address_nl: str = "") -> int:
    """The directory's CPAS of Saint-Josse, with ``phone`` and ``address`` (and
    ``address_nl``, its address in Dutch)."""
    with store.transaction() as session:
        cpas = directory.find_cpas("Saint-Josse-ten-Noode", session=session)
        assert cpas is not None and cpas.name_nl == "OCMW Sint-Joost-ten-Node"
        directory.save_cpas(
            session=session,
            cpas_id=cpas.id,
            name_fr=cpas.name_fr,
            name_nl=cpas.name_nl,
            commune_fr=cpas.commune_fr,
            commune_nl=cpas.commune_nl,
            address=address,
            address_nl=address_nl,
            phone=phone,
        )
        return cpas.id or 0


def applicant(
    store: Store,
    cpas_id: int,
    *,
    received: dt.datetime = RECEIVED,
    niss: str = "",
    born: str = "1990-04-02",
) -> int:
    """A request of Анна Константинопольская (KONSTANTINOPOLSKAYA Anna, with a photo and a
    mandate for letters) received by ``cpas_id``; its id."""
    with store.transaction() as session:
        person = save_person(
            PersonData(family_name=FAMILY, given_names=GIVEN, birth_date=born, niss=niss),
            session=session,
        )
        person.latin_name = LATIN
        person.photo = jpeg()
        person.commune = "Saint-Josse-ten-Noode"
        session.add(person)
        request = cases.register_request(
            RequestData(person_id=person.id, cpas_id=cpas_id, received_at=received),
            session=session,
        )
        consents.record_consent(
            person.id or 0,
            ConsentData(given_on=received.date(), uses=["follow-up", "letters"]),
            session=session,
        )
        return request.id or 0


def pdf_words(data: bytes) -> str:
    return words(data)


def assert_wholly_in(language: str, text: str, what: str) -> None:
    for foreign in OTHER[language]:
        assert foreign not in text, (language, what, foreign)


def test_every_document_is_wholly_in_its_language(store: Store, tmp_path: Path) -> None:
    bilingual_office(store)
    cpas_id = saint_josse(
        store,
        phone="02 220 29 29",
        address="Place Saint-Josse 13, 1210 Saint-Josse-ten-Noode",
        address_nl="Sint-Joostplein 13, 1210 Sint-Joost-ten-Node",
    )
    # An undecided request past the CPAS's time limit: the receipt, the AAMU form, the
    # access export and the letters to the CPAS and the court.
    waiting = applicant(store, cpas_id)
    # A request granted aid: the information form and the card.
    today = dt.datetime.now(dt.UTC)
    granted = applicant(store, cpas_id, received=today - dt.timedelta(days=20), niss="")
    grant(store, granted)
    with store.session() as session:
        reference = (session.get(Request, waiting) or Request()).reference
    for language in ("nl", "fr"):
        printed: dict[str, str] = {}
        with store.transaction() as session:
            printed["receipt"] = pdf_words(
                documents.issue_receipt(waiting, session=session, language=language, now=NOW).pdf
            )
            printed["aamu"] = pdf_words(
                documents.issue_aamu_form(waiting, session=session, language=language, now=NOW).pdf
            )
            printed["info"] = pdf_words(
                documents.issue_info_form(granted, session=session, language=language).pdf
            )
            card = documents.issue_card(granted, session=session, language=language)
            printed["card"] = pdf_words(
                documents.card_pdf([card.id or 0], session=session, sheet=False)
            )
            for kind in (letters.REMINDER, letters.FORMAL_NOTICE, letters.APPEAL):
                printed[kind] = pdf_words(
                    letter_service.issue_letter(
                        waiting, kind, session=session, language=language, now=NOW
                    ).pdf
                )
            folder = tmp_path / language
            folder.mkdir()
            _json, pdf = privacy.export_person(
                reference, folder, session=session, language=language
            )
            printed["access"] = pdf_words(pdf.read_bytes())
        office_name, _address, title, court = OWN[language]
        for what, text in printed.items():
            assert_wholly_in(language, text, what)
            if what != "card":  # the letterhead (the card's back names the office)
                assert office_name in text, (language, what)
        assert office_name[:12] in printed["card"]  # on the back, perhaps shortened
        for what in ("receipt", letters.APPEAL):
            assert court in printed[what], (language, what)
        for what in ("receipt", letters.REMINDER):
            assert title in printed[what], (language, what)
        # The CPAS's address in the document's language: its street's Dutch name in Dutch.
        street, other = ("Sint-Joostplein", "Place Saint-Josse")
        if language == "fr":
            street, other = other, street
        for what in ("receipt", "aamu", "info", letters.REMINDER, letters.APPEAL):
            assert street in printed[what] and other not in printed[what], (language, what)
        # The Latin spelling goes with the names on the forms and letters.
        for what in ("receipt", "aamu", "info", "card", letters.REMINDER, letters.APPEAL):
            assert LATIN in printed[what], (language, what)
            assert FAMILY.upper() in printed[what].upper(), (language, what)


def test_the_access_export_and_the_letterhead_follow_the_language() -> None:
    letterhead = Letterhead(
        name="CPAS de Saint-Josse-ten-Noode",
        address="Rue de la Limite 2",
        wordings=(
            ("fr", "CPAS de Saint-Josse-ten-Noode", "Rue de la Limite 2"),
            ("nl", "OCMW Sint-Joost-ten-Node", "Grensstraat 2"),
            ("en", "CPAS de Saint-Josse-ten-Noode", "Rue de la Limite 2"),
        ),
    )
    dutch = letterhead.in_language("nl")
    assert (dutch.name, dutch.address) == ("OCMW Sint-Joost-ten-Node", "Grensstraat 2")
    assert dutch.in_language("fr").name == "CPAS de Saint-Josse-ten-Noode"
    assert letterhead.in_language("de") is letterhead  # no wording: as it is


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_cyrillic_name_shows_both_spellings_and_the_birth_date(language: str) -> None:
    value = card_facts(
        language=language,
        family_name=FAMILY,
        given_names=GIVEN,
        latin_name=LATIN,
        birth_date="1990-04-02",
        cpas_name="OCMW Sint-Joost-ten-Node" if language == "nl" else "CPAS de Saint-Gilles",
    )
    page = PdfReader(io.BytesIO(render_card(value))).pages[0]
    front = " ".join((page.extract_text() or "").split())
    assert FAMILY.upper() in front and GIVEN in front and LATIN in front
    assert "02/04/1990" in front
    # The CPAS's name says what it is: no label before it ("CPAS CPAS de …").
    runs = text_runs(page)
    lowest = min(run.y for run in runs)
    bottom_line = [run.text.strip() for run in runs if abs(run.y - lowest) < 1]
    assert bottom_line[0].startswith(value.cpas_name[:10]), bottom_line
    assert not {"CPAS", "OCMW"} & set(bottom_line)
    # A Latin spelling that only repeats the names is not printed twice.
    same = card_facts(language=language, latin_name="NGUYỄN-WÓJCIK Thị Minh Khai")
    again = PdfReader(io.BytesIO(render_card(same))).pages[0].extract_text() or ""
    assert again.count("Thị Minh Khai") == 1


def test_partial_birth_dates_on_the_card() -> None:
    assert card_birth_date("1985-07-30", "fr") == "30/07/1985"
    assert card_birth_date("1985-07", "fr") == "juil. 1985"
    assert card_birth_date("1985-07", "nl") == "jul 1985"
    assert card_birth_date("1985", "nl") == "1985"
    assert card_birth_date("", "fr") == ""
    assert card_birth_date("1985-13", "fr") == "1985-13"  # malformed: as typed
    front = PdfReader(io.BytesIO(render_card(card_facts(birth_date="2019-09")))).pages[0]
    assert "sept. 2019" in (front.extract_text() or "")


def test_a_cpas_name_goes_without_a_second_label() -> None:
    assert names_a_cpas("CPAS de Saint-Gilles", "CPAS")
    assert names_a_cpas("OCMW Sint-Gillis", "OCMW")
    assert names_a_cpas("ocmw Brussel", "CPAS")
    assert not names_a_cpas("Saint-Gilles", "CPAS")
    front = PdfReader(io.BytesIO(render_card(card_facts(cpas_name="Saint-Gilles")))).pages[0]
    runs = text_runs(front)
    lowest = min(run.y for run in runs)
    assert [run.text.strip() for run in runs if abs(run.y - lowest) < 1][:2] == [
        "CPAS",
        "Saint-Gilles",
    ]


def test_a_minor_without_niss_gets_a_card_that_says_how_to_find_them(store: Store) -> None:
    bilingual_office(store)
    cpas_id = saint_josse(store, phone="02 220 29 29")
    today = dt.datetime.now(dt.UTC)
    request_id = applicant(store, cpas_id, received=today - dt.timedelta(days=20), niss="")
    add_minor(store, request_id, "Константинопольский", "Иван", "2019-09")
    grant(store, request_id)
    with store.transaction() as session:
        card = documents.issue_card(request_id, session=session, language="fr", dependant=1)
        pdf = documents.card_pdf([card.id or 0], session=session, sheet=False)
        form = documents.issue_info_form(request_id, session=session, language="fr", dependant=1)
    front, back = card_pages(pdf)
    # The decision has a MediPrima number: that is the way to the minor's record.
    assert "NISS / BIS —" not in front
    assert gettext_for("fr", "none: see the MediPrima no.") in front
    assert "MP-778899" in front and "sept. 2019" in front
    # The back does not send the provider to a NISS the minor does not have.
    with_niss = gettext_for(
        "fr",
        "Before giving care, look the person up in MediPrima with the NISS or BIS number.",
    )
    without = gettext_for(
        "fr",
        "Before giving care, look the person up in MediPrima: without a NISS or BIS number, "
        "use the MediPrima number on the front or ask the CPAS.",
    )
    assert " ".join(with_niss.split()) not in back and " ".join(without.split()) in back
    info = words(form.pdf)
    assert missing_niss("fr", mediprima_number="MP-778899", cpas_phone="02 220 29 29") in info

    # Without a MediPrima number, the card sends the provider to the CPAS, by phone.
    with store.transaction() as session:
        for decision in cases.get_case(request_id, session=session).decisions:
            decision.mediprima_number = ""
            session.add(decision)
        card = documents.issue_card(request_id, session=session, language="nl", dependant=1)
        pdf = documents.card_pdf([card.id or 0], session=session, sheet=False)
    front, back = card_pages(pdf)
    assert gettext_for("nl", "none: ask the CPAS") in front and "02 220 29 29" in front
    assert "OCMW OCMW" not in front and "CPAS de" not in front + back
    with store.transaction() as session:
        form = documents.issue_info_form(request_id, session=session, language="nl", dependant=1)
    assert missing_niss("nl", cpas_phone="02 220 29 29") in words(form.pdf)


def card_pages(pdf: bytes) -> tuple[str, str]:
    """The text of a card's front and back, each on one line."""
    front, back = (
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    return front, back


def test_a_card_without_a_cpas_phone_never_points_to_a_number() -> None:
    for address, expected in (("Sint-Joostplein 13\n1210 Brussel", "Sint-Joostplein 13"), ("", "")):
        value = card_facts(language="en", cpas_phone="", cpas_address=address)
        pages = PdfReader(io.BytesIO(render_card(value))).pages
        back = " ".join((pages[1].extract_text() or "").split())
        assert "number on the front" not in back
        assert expected in back
        if not address:
            assert "the CPAS named on the front" in back
    with_phone = PdfReader(io.BytesIO(render_card(card_facts(language="en")))).pages[1]
    assert "number on the front" in " ".join((with_phone.extract_text() or "").split())


def test_the_card_reads_the_office_in_its_language(store: Store) -> None:
    bilingual_office(store)
    cpas_id = saint_josse(store)
    today = dt.datetime.now(dt.UTC)
    request_id = applicant(store, cpas_id, received=today - dt.timedelta(days=20))
    grant(store, request_id)
    with store.transaction() as session:
        card = documents.issue_card(request_id, session=session, language="nl")
        facts = documents._card_facts(card, get_office(session=session), session)  # type: ignore[arg-type]
        person = session.get(Person, card.person_id)
        assert person is not None
    assert isinstance(facts, CardFacts)
    assert facts.office_name == "OCMW Sint-Joost-ten-Node"
    assert facts.cpas_name == "OCMW Sint-Joost-ten-Node"
    assert (facts.latin_name, facts.birth_date) == (LATIN, "1990-04-02")
