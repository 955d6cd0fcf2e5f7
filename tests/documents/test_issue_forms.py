"""Issuing the AAMU form, the information form and medical cards: what each needs, what it
refuses, the card's life (new → printed → handed over, reprints counted), the archive and
the command line."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from amudesk.dates import brussels_today
from amudesk.models import AuditEntry, Card, CardStatus, Document, Request
from amudesk.services import FieldError, audit, documents, privacy
from amudesk.services.cases import DecisionData, record_decision
from amudesk.services.people import PersonData, attach_dependant, save_person
from amudesk.store import Store
from tests.documents.test_issue import NOW, make_request, pdf_text, run
from tests.unit.test_cli import only_notes

pytestmark = pytest.mark.both_engines

CR80 = (85.60 * 72 / 25.4, 53.98 * 72 / 25.4)
A4 = (595.28, 841.89)


def jpeg(colour: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (350, 450), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def with_photo(store: Store, request_id: int) -> None:
    from amudesk.models import Person

    with store.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        person = session.get(Person, request.person_id)
        assert person is not None
        person.photo = jpeg()
        session.add(person)


def add_minor(store: Store, request_id: int, family: str, given: str, born: str) -> int:
    with store.transaction() as session:
        request = session.get(Request, request_id)
        assert request is not None
        minor = save_person(
            PersonData(family_name=family, given_names=given, birth_date=born), session=session
        )
        minor.photo = jpeg((40, 90, 200))
        attach_dependant(minor.id or 0, request.person_id, session=session)
        return minor.id or 0


TODAY = brussels_today()
GRANTED_FROM = TODAY - dt.timedelta(days=10)


def grant(
    store: Store,
    request_id: int,
    *,
    ticket: bool | None = True,
    months: int = 3,
    ended: bool = False,
) -> None:
    """A decision granting aid from 10 days ago for ``months`` (or, ``ended``, one that
    ran out yesterday)."""
    valid_to = GRANTED_FROM + dt.timedelta(days=30 * months - 1)
    if ended:
        valid_to = TODAY - dt.timedelta(days=1)
    with store.transaction() as session:
        record_decision(
            request_id,
            DecisionData(
                kind="principle",
                decided_on=TODAY - dt.timedelta(days=5),
                valid_from=GRANTED_FROM,
                valid_to=valid_to,
                mediprima_number="MP-778899",
                ticket_moderateur=ticket,
            ),
            session=session,
        )


def pages(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (float(page.mediabox.width), float(page.mediabox.height))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


def same_size(found: tuple[float, float], expected: tuple[float, float]) -> bool:
    return abs(found[0] - expected[0]) < 0.5 and abs(found[1] - expected[1]) < 0.5


def test_the_aamu_form_is_numbered_prefilled_and_archived(store: Store) -> None:
    request_id = make_request(store)
    with store.transaction() as session:
        first = documents.issue_aamu_form(request_id, session=session, language="fr", now=NOW)
        second = documents.issue_aamu_form(request_id, session=session, language="en", now=NOW)
    assert (first.number, second.number) == ("AM-2026-00001", "AM-2026-00002")
    assert first.kind == "aamu" and all(same_size(size, A4) for size in pages(first.pdf))
    text = pdf_text(second.pdf)
    assert "Šťastná-Ivanova" in text and "Мария" in text and "85.07.30-033.28" in text
    with store.session() as session:
        listed = documents.documents_of_request(request_id, session=session)
        assert {d.kind for d in listed} == {"aamu"}


def test_the_information_form_needs_the_holders_photo(store: Store) -> None:
    request_id = make_request(store)
    with store.transaction() as session, pytest.raises(FieldError) as raised:
        documents.issue_info_form(request_id, session=session, language="fr", now=NOW)
    assert raised.value.field == "photo"
    with store.session() as session:
        assert session.scalars(select(Document)).all() == []
    with_photo(store, request_id)
    add_minor(store, request_id, "Ivanov", "Пётр", "2019-05-04")
    with store.transaction() as session:
        form = documents.issue_info_form(request_id, session=session, language="en", now=NOW)
    assert form.number == "FI-2026-00001"
    text = pdf_text(form.pdf)
    assert "Šťastná-Ivanova" in text and "Пётр" in text


def test_a_minors_information_form_carries_the_minor(store: Store) -> None:
    request_id = make_request(store)
    with_photo(store, request_id)
    older = add_minor(store, request_id, "Ivanov", "Анна", "2014-01-02")
    add_minor(store, request_id, "Ivanov", "Пётр", "2019-05-04")
    with store.transaction() as session:
        form = documents.issue_info_form(
            request_id, session=session, language="en", dependant=1, now=NOW
        )
        assert form.person_id == older
        with pytest.raises(FieldError, match="1 to 2") as raised:
            documents.issue_info_form(request_id, session=session, dependant=3, now=NOW)
        assert raised.value.field == "dependant"
    text = pdf_text(form.pdf)
    assert "Анна" in text and "Пётр" not in text


def test_a_card_needs_a_decision_granting_aid_and_a_photo(store: Store) -> None:
    request_id = make_request(store)
    with store.transaction() as session, pytest.raises(FieldError) as raised:
        documents.issue_card(request_id, session=session, now=NOW)
    assert raised.value.field == "photo"
    with_photo(store, request_id)
    with store.transaction() as session, pytest.raises(FieldError) as raised:
        documents.issue_card(request_id, session=session, now=NOW)
    assert raised.value.field == "decision"
    with store.session() as session:
        assert session.scalars(select(Card)).all() == []
        assert session.scalars(select(Document)).all() == []


def test_a_cards_validity_never_exceeds_its_decisions(store: Store) -> None:
    request_id = make_request(store)
    with_photo(store, request_id)
    grant(store, request_id, months=3)
    decision_end = GRANTED_FROM + dt.timedelta(days=89)
    with store.transaction() as session:
        card = documents.issue_card(request_id, session=session, language="nl")
        shorter = documents.issue_card(
            request_id, session=session, valid_to=TODAY + dt.timedelta(days=20)
        )
        longer = documents.issue_card(
            request_id, session=session, valid_to=TODAY + dt.timedelta(days=900)
        )
        assert (card.valid_from, card.valid_to) == (GRANTED_FROM, decision_end)
        assert shorter.valid_to == TODAY + dt.timedelta(days=20)
        assert longer.valid_to == decision_end
        assert card.number == f"CM-{TODAY.year}-00001" and card.status == CardStatus.NEW
        archived = documents.archived_pdf(card.document_id or 0, session=session)
    sizes = pages(archived)
    assert len(sizes) == 2 and all(same_size(size, CR80) for size in sizes)
    text = pdf_text(archived)
    assert "MP-778899" in text and "85.07.30-033.28" in text


def test_no_card_is_made_once_the_aid_has_ended(store: Store) -> None:
    request_id = make_request(store)
    with_photo(store, request_id)
    grant(store, request_id, ended=True)
    with store.transaction() as session, pytest.raises(FieldError, match="expired") as raised:
        documents.issue_card(request_id, session=session)
    assert raised.value.field == "decision"
    with store.session() as session:
        assert session.scalars(select(Card)).all() == []


def test_a_card_goes_from_new_to_printed_to_handed_over_and_reprints_are_logged(
    store: Store,
) -> None:
    request_id = make_request(store)
    with_photo(store, request_id)
    grant(store, request_id)
    with store.transaction() as session:
        card = documents.issue_card(request_id, session=session, now=NOW)
        card_id = card.id or 0
        with pytest.raises(FieldError, match="print it first"):
            documents.hand_over_card(card_id, session=session)
    with store.transaction() as session:
        documents.mark_cards_printed([card_id], session=session)
        documents.mark_cards_printed([card_id], session=session)
        documents.hand_over_card(card_id, session=session)
        documents.mark_cards_printed([card_id], session=session)
    with store.session() as session:
        card = session.get(Card, card_id)
        assert card is not None
        assert (card.status, card.prints) == (CardStatus.HANDED_OVER, 3)
        actions = [
            entry.action
            for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.entity == "card").order_by(AuditEntry.id)
            )
        ]
        assert actions == ["print", "reprint", "edit", "reprint"]
        rows = documents.cards_of_request(request_id, session=session)
        assert [(row.number, row.status, row.prints) for row in rows] == [
            ("CM-2026-00001", CardStatus.HANDED_OVER, 3)
        ]
        assert audit.verify(session=session).intact


def test_cards_print_on_a_sheet_of_ten_with_mirrored_backs(store: Store) -> None:
    request_id = make_request(store)
    with_photo(store, request_id)
    grant(store, request_id)
    with store.transaction() as session:
        ids = [
            documents.issue_card(request_id, session=session, now=NOW).id or 0 for _ in range(11)
        ]
        sheet = documents.card_pdf(ids, session=session, sheet=True)
        single = documents.card_pdf(ids[:3], session=session, sheet=False)
        with pytest.raises(FieldError):
            documents.card_pdf([], session=session, sheet=True)
    assert len(pages(sheet)) == 4 and all(same_size(size, A4) for size in pages(sheet))
    assert len(pages(single)) == 6 and all(same_size(size, CR80) for size in pages(single))


def test_erasure_removes_the_cards(store: Store) -> None:
    request_id = make_request(store)
    with_photo(store, request_id)
    grant(store, request_id)
    with store.transaction() as session:
        documents.issue_card(request_id, session=session, now=NOW)
        person_id = session.get(Request, request_id).person_id  # type: ignore[union-attr]
        record = privacy.person_record(person_id, session=session)
        assert [card["number"] for card in record["medical_cards"]] == ["CM-2026-00001"]
        privacy.erase_person(person_id, session=session)
    with store.session() as session:
        assert session.scalars(select(Card)).all() == []
        assert session.scalars(select(Document)).all() == []


def _reference(store: Store, request_id: int) -> str:
    with store.session() as session:
        request = session.get(Request, request_id)
        assert request is not None
        return request.reference


@pytest.mark.usefixtures("command_line_account")
@pytest.mark.parametrize(
    ("kind", "extra", "expected_pages", "size"),
    [
        ("aamu", [], 1, A4),
        ("info-form", [], 1, A4),
        ("info-form", ["--dependant", "1"], 1, A4),
        ("card", [], 2, CR80),
        ("card", ["--dependant", "1"], 2, CR80),
    ],
)
def test_the_command_line_writes_every_kind(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    store: Store,
    tmp_path: Path,
    kind: str,
    extra: list[str],
    expected_pages: int,
    size: tuple[float, float],
) -> None:
    request_id = make_request(store)
    with_photo(store, request_id)
    add_minor(store, request_id, "Ivanov", "Пётр", "2019-05-04")
    grant(store, request_id)
    reference = _reference(store, request_id)
    store.close()
    target = tmp_path / "out.pdf"
    code, out, err = run(
        capsys, data_dir, "document", kind, "--reference", reference, *extra, "-o", str(target)
    )
    assert code == 0 and only_notes(err)
    found = pages(target.read_bytes())
    assert len(found) >= expected_pages and all(same_size(item, size) for item in found)
    if "--dependant" in extra:
        assert "Пётр" in pdf_text(target.read_bytes())


@pytest.mark.usefixtures("command_line_account")
def test_the_command_line_prints_a_sheet_for_several_references(
    capsys: pytest.CaptureFixture[str], data_dir: Path, store: Store, open_same: Any, tmp_path: Path
) -> None:
    references = []
    for family in ("Alpha", "Beta", "Gamma"):
        request_id = make_request(store, family=family, given="Ana", niss="")
        with_photo(store, request_id)
        grant(store, request_id)
        references.append(_reference(store, request_id))
    store.close()
    target = tmp_path / "sheet.pdf"
    arguments: list[str] = []
    for reference in references:
        arguments += ["--reference", reference]
    code, out, err = run(capsys, data_dir, "document", "card-sheet", *arguments, "-o", str(target))
    assert code == 0 and only_notes(err)
    assert out.count(f"CM-{TODAY.year}-") == 3
    assert len(pages(target.read_bytes())) == 2
    reopened = open_same()
    try:
        with reopened.session() as session:
            cards: Any = session.scalars(select(Card)).all()
    finally:
        reopened.close()
    assert [(card.status, card.prints) for card in cards] == [(CardStatus.PRINTED, 1)] * 3


@pytest.mark.usefixtures("command_line_account")
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["card", "--reference", "AMU-1999-0001"], "AMU-1999-0001"),
        (["card", "--reference", "{ref}"], "photo"),
        (["info-form", "--reference", "{ref}"], "photo"),
        (["aamu", "--reference", "{ref}", "--dependant", "1"], "--dependant"),
        (["card", "--reference", "{ref}", "--reference", "{ref}"], "--reference"),
    ],
)
def test_the_command_line_refuses_what_it_cannot_print(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    store: Store,
    open_same: Any,
    tmp_path: Path,
    arguments: list[str],
    message: str,
) -> None:
    request_id = make_request(store)
    reference = _reference(store, request_id)
    store.close()
    target = tmp_path / "none.pdf"
    filled = [argument.replace("{ref}", reference) for argument in arguments]
    code, out, err = run(capsys, data_dir, "document", *filled, "-o", str(target))
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert message in err
    assert not target.exists()
    reopened = open_same()
    try:
        with reopened.session() as session:
            assert session.scalars(select(Document)).all() == []
    finally:
        reopened.close()
