"""The acknowledgement of receipt of an AMU request: content, languages, two copies, A4."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from amudesk import i18n
from amudesk.documents.layout import Letterhead
from amudesk.documents.receipt import (
    DATE_FORMAT,
    ReceiptFacts,
    format_niss,
    render_receipt,
)
from tests.documents.catalogs import translation_problems

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "amudesk" / "documents" / "receipt.py"
A4 = (595.0, 842.0)

LATIN_FAMILY = "Nguyễn-Wójcik de la Fontaine-Żółkiewska y Hernández-Çelik"
LATIN_GIVEN = "Thị Minh Khai Łucja Gráinne Ævar"
CYRILLIC_FAMILY = "Иванова-Петренко"
CYRILLIC_GIVEN = "Александра Владимировна"


def facts(**changes: object) -> ReceiptFacts:
    base = ReceiptFacts(
        number="AR-2026-00042",
        issued_at=dt.datetime(2026, 4, 1, 8, 45, tzinfo=dt.UTC),
        language="fr",
        letterhead=Letterhead(
            name="CPAS de Saint-Gilles",
            address="Rue Fernand Bernier 40, 1060 Saint-Gilles",
            phone="02 600 54 11",
            email="amu@example.be",
        ),
        office_kind="cpas",
        signatory_name="Marie Dupont",
        signatory_title="Assistante sociale",
        labour_court_address="Boulevard de Waterloo 70, 1000 Bruxelles",
        reference="AMU-2026-0042",
        family_name=LATIN_FAMILY,
        given_names=LATIN_GIVEN,
        birth_date="1985-07-30",
        niss="85073012345",
        cpas_name="CPAS de Saint-Gilles",
        cpas_address="Rue Fernand Bernier 40\n1060 Saint-Gilles",
        received_at=dt.datetime(2026, 4, 1, 8, 30, tzinfo=dt.UTC),
        channel_label="En personne",
        accompanied_by="Médecins du Monde",
        aamu_handed_in=True,
        decision_due=dt.date(2026, 5, 1),
        notification_due_days=8,
        appeal_from=dt.date(2026, 5, 2),
        appeal_months=3,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def pdf_text(data: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    return reader, pages


def timed(value: ReceiptFacts) -> bytes:
    start = time.perf_counter()
    data = render_receipt(value)
    print(
        f"render_receipt({value.language}, {value.office_kind}): "
        f"{(time.perf_counter() - start) * 1000:.1f} ms"
    )
    return data


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize(
    ("family", "given"), [(LATIN_FAMILY, LATIN_GIVEN), (CYRILLIC_FAMILY, CYRILLIC_GIVEN)]
)
def test_receipt_shows_the_facts_in_each_language(language: str, family: str, given: str) -> None:
    value = facts(language=language, family_name=family, given_names=given)
    timed(value)  # the first render registers the fonts
    data = timed(value)
    assert data.startswith(b"%PDF")
    reader, pages = pdf_text(data)
    assert len(pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1
    decision = i18n.format_date(dt.date(2026, 5, 1), DATE_FORMAT, locale=language)
    appeal = i18n.format_date(dt.date(2026, 5, 2), DATE_FORMAT, locale=language)
    for shown in pages:
        assert "AR-2026-00042" in shown
        assert "AMU-2026-0042" in shown
        assert family in shown
        assert given in shown
        assert "85.07.30-123.45" in shown
        assert decision in shown
        assert appeal in shown
        assert "CPAS de Saint-Gilles" in shown
        assert "Boulevard de Waterloo 70, 1000 Bruxelles" in shown
        assert "Marie Dupont" in shown
    # received at 08:30 UTC = 10:30 in Brussels (summer time)
    assert "10:30" in pages[0]


def test_the_two_copies_are_headed() -> None:
    _, pages = pdf_text(render_receipt(facts(language="en")))
    assert "APPLICANT'S COPY" in pages[0]
    assert "FILE COPY" in pages[1]
    _, pages = pdf_text(render_receipt(facts(language="fr")))
    assert "EXEMPLAIRE DU DEMANDEUR" in pages[0]
    assert "EXEMPLAIRE POUR LE DOSSIER" in pages[1]


def text_positions(page: object) -> list[tuple[str, float, float]]:
    """Each piece of text on ``page`` and where it starts (x, y in points)."""
    found: list[tuple[str, float, float]] = []

    def visit(shown: str, cm: list[float], tm: list[float], *_: object) -> None:
        if shown.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((shown.strip(), round(x, 2), round(y, 2)))

    page.extract_text(visitor_text=visit)  # type: ignore[attr-defined]
    return found


@pytest.mark.parametrize(
    "value",
    [
        facts(language="en"),
        facts(language="nl", family_name=CYRILLIC_FAMILY, given_names=CYRILLIC_GIVEN),
        facts(language="fr", accompanied_by=" ".join(["Médecins du Monde"] * 30)),
    ],
    ids=["latin", "cyrillic", "long"],
)
def test_both_copies_are_laid_out_alike(value: ReceiptFacts) -> None:
    """The file copy is the applicant's copy, word for word and at the same places: only
    the banner and the page number differ."""
    reader = PdfReader(io.BytesIO(render_receipt(value)))
    first, second = (text_positions(page) for page in reader.pages)
    assert len(first) == len(second) > 40
    differ = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    assert len(differ) == 2
    (banner, file_banner), (page_one, page_two) = differ
    assert banner[2] == file_banner[2]  # the banners, at the same height (right-aligned)
    assert page_one[1:] == page_two[1:]  # "page 1 of 2", "page 2 of 2", at the same place
    assert "1" in page_one[0] and "2" in page_two[0]


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_an_association_gives_a_proof_of_filing(language: str) -> None:
    cpas = pdf_text(render_receipt(facts(language=language)))
    association = pdf_text(
        render_receipt(
            facts(
                language=language,
                office_kind="association",
                letterhead=Letterhead(name="Solidarité Santé asbl"),
            )
        )
    )
    cpas_title = cpas[0].metadata.title if cpas[0].metadata else ""
    association_title = association[0].metadata.title if association[0].metadata else ""
    assert cpas_title and association_title and cpas_title != association_title
    assert cpas_title in cpas[1][0] and association_title not in cpas[1][0]
    assert association_title in association[1][0] and cpas_title not in association[1][0]
    assert "Solidarité Santé asbl" in association[1][0]


def test_english_titles() -> None:
    cpas, _ = pdf_text(render_receipt(facts(language="en")))
    association, _ = pdf_text(render_receipt(facts(language="en", office_kind="association")))
    assert cpas.metadata is not None and association.metadata is not None
    assert cpas.metadata.title == "Acknowledgement of receipt of a request for urgent medical aid"
    assert association.metadata.title == "Proof of filing of a request for urgent medical aid"


def test_user_text_is_shown_as_typed() -> None:
    value = facts(
        language="en",
        accompanied_by="Ann <b>& Co</b>",
        family_name="O'Brien <i>",
        signatory_title='Social worker "A&B"',
    )
    _, pages = pdf_text(render_receipt(value))
    assert "Ann <b>& Co</b>" in pages[0]
    assert "O'Brien <i>" in pages[0]
    assert 'Social worker "A&B"' in pages[0]


def test_missing_facts_and_very_long_text_still_give_two_pages() -> None:
    long_text = " ".join(["Association d'accompagnement des personnes sans titre de séjour"] * 12)
    value = facts(
        language="nl",
        birth_date="",
        niss="",
        decision_due=None,
        appeal_from=None,
        labour_court_address="",
        accompanied_by=long_text,
        cpas_address=long_text,
        family_name="X" * 150,
        aamu_handed_in=False,
    )
    _, pages = pdf_text(render_receipt(value))
    assert len(pages) == 2
    assert "AR-2026-00042" in pages[1]


def test_partial_birth_dates() -> None:
    for birth, expected in (
        ("1985-07", i18n.format_partial_date("1985-07", "fr")),
        ("1985", "1985"),
    ):
        _, pages = pdf_text(render_receipt(facts(birth_date=birth)))
        assert expected in pages[0]


def test_format_niss() -> None:
    assert format_niss("85073012345") == "85.07.30-123.45"
    assert format_niss("") == ""
    assert format_niss("123") == "123"


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_message_is_translated(language: str) -> None:
    """Each message of the renderer is in the language's catalog, placeholders intact."""
    missing, bad_placeholders = translation_problems(
        SOURCE, language, {"NISS", "CPAS", "Notification"}
    )
    assert missing == []
    assert bad_placeholders == []
