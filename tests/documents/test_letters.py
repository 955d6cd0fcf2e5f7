"""The letters: drafted from the case's own dates and reasons, refused when a fact is
missing (before any number is taken), the edited body archived as issued, the command line."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from amudesk import letters
from amudesk.arguments import DOCUMENT_KINDS
from amudesk.cli import main
from amudesk.models import Counter, Decision, DecisionReason, Document
from amudesk.services import FieldError, cases, clock, consents, directory
from amudesk.services import letters as letter_service
from amudesk.services.cases import DecisionData, RequestData
from amudesk.services.consents import ConsentData
from amudesk.services.office import get_office, save_office
from amudesk.services.people import PersonData, save_person
from amudesk.store import Store
from tests.unit.test_cli import only_notes

pytestmark = pytest.mark.both_engines

RECEIVED = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
COURT = "Tribunal du travail francophone de Bruxelles\nBoulevard de Waterloo 70\n1000 Bruxelles"
FAMILY, GIVEN = "Константинопольская-Ngô", "Анна-Мария Thị"


def words(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


def make_case(
    store: Store,
    *,
    mandate: bool = True,
    cpas_address: str = "Rue Fernand Bernier 40\n1060 Saint-Gilles",
) -> int:
    with store.transaction() as session:
        save_office(
            session=session,
            kind="association",
            name="Accueil Santé asbl",
            address="Rue Haute 1\n1000 Bruxelles",
            signatory_name="Claire Dubois",
            signatory_title="Assistante sociale",
            labour_court_address=COURT,
        )
        cpas = directory.find_cpas("Saint-Gilles", session=session)
        assert cpas is not None
        directory.save_cpas(
            session=session,
            cpas_id=cpas.id,
            name_fr=cpas.name_fr,
            name_nl=cpas.name_nl,
            commune_fr=cpas.commune_fr,
            commune_nl=cpas.commune_nl,
            address=cpas_address,
        )
        person = save_person(
            PersonData(family_name=FAMILY, given_names=GIVEN, birth_date="1990-04-02"),
            session=session,
        )
        person.usual_place = ""
        person.commune = "Saint-Gilles"
        request = cases.register_request(
            RequestData(person_id=person.id, cpas_id=cpas.id, received_at=RECEIVED),
            session=session,
        )
        if mandate:
            consents.record_consent(
                person.id or 0,
                ConsentData(given_on=dt.date(2026, 9, 1), uses=["follow-up", "letters"]),
                session=session,
            )
        return request.id or 0


def numbers_taken(store: Store) -> tuple[int, int]:
    with store.session() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Document)) or 0),
            int(session.scalar(select(func.coalesce(func.sum(Counter.last), 0))) or 0),
        )


def issue(store: Store, request_id: int, kind: str, **options: Any) -> Document:
    with store.transaction() as session:
        return letter_service.issue_letter(request_id, kind, session=session, now=NOW, **options)


def test_the_command_line_knows_every_letter() -> None:
    assert set(letters.KINDS) <= set(DOCUMENT_KINDS)


def test_a_reminder_names_the_filing_the_missed_limit_and_the_mandate(store: Store) -> None:
    request_id = make_case(store)
    issued = issue(store, request_id, letters.REMINDER, language="en")
    assert issued.number == "RC-2026-00001" and issued.kind == "reminder"
    text = words(issued.pdf)
    for expected in (
        "1 September 2026",  # filed
        "1 October 2026",  # the decision's last day
        "CPAS decision on the request",
        "Rue Fernand Bernier 40",
        FAMILY.upper(),
        "for " + FAMILY.upper(),
        "by mandate",
        "Claire Dubois",
        "RC-2026-00001",
    ):
        assert expected in text, expected


def test_a_formal_notice_gives_a_day_never_past_the_appeal_limit(store: Store) -> None:
    request_id = make_case(store)
    text = words(issue(store, request_id, letters.FORMAL_NOTICE, language="en").pdf)
    assert "28 November 2026" in text  # today + 8 days, before the appeal limit (1 Feb 2027)
    assert "formal notice" in text and "art. 71" in text


def test_an_appeal_answers_each_reason_with_its_point(store: Store) -> None:
    request_id = make_case(store)
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            DecisionData(
                kind="refusal",
                decided_on=dt.date(2026, 10, 1),
                notified_on=dt.date(2026, 10, 5),
                notification_method="hand",
                reasons=[("no-address", "« pas de domicile »"), ("other", "Dossier incomplet")],
            ),
            session=session,
        )
    text = words(issue(store, request_id, letters.APPEAL, language="en").pdf)
    for expected in (
        "Tribunal du travail francophone de Bruxelles",
        "The CPAS relies on: No address, or homeless",
        "« pas de domicile »",
        "Competence follows the place where the person usually stays",
        "Dossier incomplet",
        "1 October 2026",
        "art. 704",
        "The contested decision",
    ):
        assert expected in text, expected


def test_a_reasons_request_lists_the_missing_mentions(store: Store) -> None:
    request_id = make_case(store)
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            DecisionData(
                kind="refusal",
                decided_on=dt.date(2026, 10, 1),
                notified_on=dt.date(2026, 10, 5),
                notification_method="hand",
                missing_mentions=["reasons", "court_address"],
            ),
            session=session,
        )
    text = words(issue(store, request_id, letters.REASONS_REQUEST, language="en").pdf)
    assert "the reasons for the decision; the labour court's address" in text


def test_a_transfer_letter_goes_to_the_claimant(store: Store) -> None:
    request_id = make_case(store, mandate=False)
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            DecisionData(
                kind="incompetent", decided_on=dt.date(2026, 9, 3), reasons=[("competence", "")]
            ),
            session=session,
        )
        ixelles = directory.find_cpas("Ixelles", session=session)
        assert ixelles is not None
        clock.record_transfer(request_id, dt.date(2026, 9, 5), session=session)
    with store.transaction() as session, pytest.raises(FieldError, match="sent to"):
        letter_service.issue_letter(request_id, letters.TRANSFER_REASONS, session=session, now=NOW)
    with store.transaction() as session:
        own = cases.get_request(request_id, session=session).cpas_id
        with pytest.raises(FieldError) as error:
            clock.record_transfer(request_id, dt.date(2026, 9, 5), session=session, to_cpas_id=own)
        assert error.value.field == "transferred_to_id"
        clock.record_transfer(
            request_id, dt.date(2026, 9, 5), session=session, to_cpas_id=ixelles.id
        )
    text = words(issue(store, request_id, letters.TRANSFER_REASONS, language="en").pdf)
    assert "5 September 2026" in text and "art. 58" in text and "Another CPAS is competent" in text
    assert "CPAS d'Ixelles" in text
    with store.transaction() as session:  # clearing the day clears where it went
        clock.record_transfer(request_id, None, session=session)
        assert cases.get_request(request_id, session=session).transferred_to_id is None


@pytest.mark.parametrize(
    ("kind", "setup", "named"),
    [
        (letters.REMINDER, {"mandate": False}, "mandate"),
        (letters.REMINDER, {"cpas_address": ""}, "CPAS's address"),
        (letters.REASONS_REQUEST, {}, "the decision"),
        (letters.TRANSFER_REASONS, {}, "record the transfer"),
    ],
)
def test_a_letter_lacking_a_fact_is_refused_and_takes_no_number(
    store: Store, kind: str, setup: dict[str, Any], named: str
) -> None:
    request_id = make_case(store, **setup)
    before = numbers_taken(store)
    with store.transaction() as session, pytest.raises(FieldError) as error:
        letter_service.issue_letter(request_id, kind, session=session, language="en", now=NOW)
    assert error.value.field == "letter" and named in error.value.message
    assert numbers_taken(store) == before


def test_a_withdrawn_mandate_stops_the_letters(store: Store) -> None:
    request_id = make_case(store)
    with store.transaction() as session:
        person_id = cases.get_request(request_id, session=session).person_id
        (given,) = consents.consents_of(person_id, session=session)
        consents.withdraw_consent(given.id or 0, session=session, day=dt.date(2026, 11, 1))
    with store.transaction() as session, pytest.raises(FieldError, match="mandate"):
        letter_service.issue_letter(request_id, letters.REMINDER, session=session, now=NOW)


def test_an_appeal_past_its_limit_is_refused(store: Store) -> None:
    request_id = make_case(store)
    late = dt.datetime(2027, 3, 1, 10, 0, tzinfo=dt.UTC)
    with store.transaction() as session, pytest.raises(FieldError, match="appeal limit"):
        letter_service.issue_letter(request_id, letters.APPEAL, session=session, now=late)


def test_the_edited_body_is_what_is_archived(store: Store) -> None:
    request_id = make_case(store)
    body = ["Madame, Monsieur,", "Nous vous rappelons notre demande du 1er septembre.", "   "]
    issued = issue(store, request_id, letters.REMINDER, language="fr", body=body)
    text = words(issued.pdf)
    assert "Nous vous rappelons notre demande du 1er septembre." in text
    assert "thirty days" not in text and "trente jours" not in text
    with store.transaction() as session, pytest.raises(FieldError) as error:
        letter_service.issue_letter(
            request_id, letters.REMINDER, session=session, now=NOW, body=[" "]
        )
    assert error.value.field == "body"
    with store.transaction() as session, pytest.raises(FieldError):
        letter_service.issue_letter(
            request_id, letters.REMINDER, session=session, now=NOW, body=["x" * 5000]
        )


def test_letters_in_french_and_dutch(store: Store) -> None:
    request_id = make_case(store)
    french = words(issue(store, request_id, letters.REMINDER, language="fr").pdf)
    dutch = words(issue(store, request_id, letters.REMINDER, language="nl").pdf)
    assert "1er septembre 2026" in french and "CPAS de Saint-Gilles" in french
    assert "1 september 2026" in dutch and "OCMW Sint-Gillis" in dutch


@pytest.mark.usefixtures("command_line_account")
def test_the_command_line_issues_a_letter_or_says_what_is_missing(
    store: Store, data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request_id = make_case(store)
    with store.session() as session:
        reference = cases.get_request(request_id, session=session).reference
    store.close()
    target = tmp_path / "rappel.pdf"
    code = main(
        [
            "--lang",
            "en",
            "--data-dir",
            str(data_dir),
            "document",
            "reminder",
            "--reference",
            reference,
            "-o",
            str(target),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0 and only_notes(err) and target.exists() and "RC-2026-00001" in out
    missing_target = tmp_path / "requete.pdf"
    code = main(
        [
            "--lang",
            "en",
            "--data-dir",
            str(data_dir),
            "document",
            "reasons-request",
            "--reference",
            reference,
            "-o",
            str(missing_target),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and err.count("\n") == 1 and "the decision" in err
    assert not missing_target.exists()


def test_the_board_follows_the_letters_sent(store: Store) -> None:
    from amudesk.services import board, clock, worklist

    request_id = make_case(store)
    issue(store, request_id, letters.REMINDER, language="en")
    data = board.compute_board(store, today=TODAY, language="en", settings=clock.ClockSettings())
    assert data.letters[request_id] == {"reminder": TODAY}
    late = next(
        d
        for items in data.buckets.values()
        for d in items
        if d.case.request_id == request_id and d.rule == "decision"
    )
    step = worklist.next_action(late, "association", TODAY, sent=data.letters[request_id])
    assert step.key == worklist.NOTHING and step.text.startswith("Reminder sent on")


def test_an_issued_letter_is_in_the_case_timeline(store: Store) -> None:
    request_id = make_case(store)
    issued = issue(store, request_id, letters.REMINDER, language="en")
    with store.session() as session:
        detail = cases.get_case(request_id, session=session)
    assert letters.KINDS == cases.LETTER_KINDS
    texts = [event.text for event in detail.timeline if event.kind == "letter"]
    assert texts == [f"Reminder to the CPAS {issued.number} issued."]


def test_each_letter_from_a_demo_case(store: Store) -> None:
    """For each kind, a demo case it fits: the facts the letter prints are the case's."""
    from amudesk.i18n import format_date
    from amudesk.services.demo import fill_demo

    fill_demo(store=store, count=400, seed=13, today=TODAY)
    with store.transaction() as session:
        for cpas in directory.list_cpas(session=session):
            directory.save_cpas(
                session=session,
                cpas_id=cpas.id,
                name_fr=cpas.name_fr,
                name_nl=cpas.name_nl,
                commune_fr=cpas.commune_fr,
                commune_nl=cpas.commune_nl,
                address=f"Rue du CPAS {cpas.id}\n1000 Bruxelles",
            )
        save_office(
            session=session,
            kind="association",
            name="Accueil Santé asbl",
            labour_court_address=COURT,
        )
        ids = list(session.scalars(select(cases.Request.id).order_by(cases.Request.id)))
        reasoned = list(
            session.scalars(
                select(Decision.request_id)
                .join(DecisionReason, DecisionReason.decision_id == Decision.id)
                .distinct()
            )
        )
    issued: dict[str, int] = {}
    for kind in letters.KINDS:
        # The appeal from a refusal that gave reasons, when one can still be appealed.
        for request_id in (reasoned + ids) if kind == letters.APPEAL else ids:
            with store.session() as session:
                try:
                    letter_service.draft_letter(
                        request_id, kind, session=session, language="en", today=TODAY
                    )
                except FieldError:
                    continue
            issued[kind] = request_id
            break
    assert set(issued) == set(letters.KINDS), issued
    for kind, request_id in issued.items():
        document = issue(store, request_id, kind, language="en")
        text = words(document.pdf)
        with store.session() as session:
            detail = cases.get_case(request_id, session=session)
        filed = format_date(cases.local_date(detail.request.received_at), "d MMMM y", locale="en")
        assert detail.request.reference in text, kind
        assert filed in text, kind
        assert detail.cpas.name_fr in text, kind
        if kind in letters.ON_BEHALF:
            assert "by mandate" in text, kind
        if kind == letters.APPEAL and detail.decisions:
            from amudesk.refusals import REASONS

            with store.session() as session:
                given = cases.reasons_of(detail.decisions[-1].id or 0, session=session)
            for reason in given:
                assert REASONS[reason.key].label in text, (kind, reason.key)


def test_documents_in_dutch_name_the_dutch_speaking_court(store: Store) -> None:
    from amudesk.services import documents

    request_id = make_case(store)
    with store.transaction() as session:
        cases.record_decision(
            request_id,
            DecisionData(
                kind="refusal",
                decided_on=dt.date(2026, 10, 1),
                notified_on=dt.date(2026, 10, 5),
                notification_method="hand",
            ),
            session=session,
        )
    dutch_court = "Nederlandstalige arbeidsrechtbank Brussel\nWaterloolaan 70\n1000 Brussel"
    # Without a Dutch-speaking court, documents in Dutch name the only one known.
    assert "Tribunal du travail" in words(
        issue(store, request_id, letters.APPEAL, language="nl").pdf
    )
    with store.transaction() as session:
        office = get_office(session=session)
        assert office is not None
        office.labour_court_address_nl = dutch_court
        session.add(office)
    dutch = words(issue(store, request_id, letters.APPEAL, language="nl").pdf)
    french = words(issue(store, request_id, letters.APPEAL, language="fr").pdf)
    assert (
        "Nederlandstalige arbeidsrechtbank Brussel" in dutch and "Tribunal du travail" not in dutch
    )
    assert "Tribunal du travail francophone" in french and "Nederlandstalige" not in french
    with store.transaction() as session:
        receipt = documents.issue_receipt(request_id, session=session, language="nl", now=NOW)
    assert "Nederlandstalige arbeidsrechtbank Brussel" in words(receipt.pdf)
