"""The urgent medical aid certificate (AAMU) to be filled in by a doctor: one A4 page,
the beneficiary pre-filled, blank boxes for the doctor, no room for a diagnosis."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import time
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from amudesk import i18n
from amudesk.documents.aamu import (
    AamuFacts,
    _date_placeholders,
    render_aamu,
    title_of,
)
from amudesk.documents.layout import Letterhead
from amudesk.models.request import CARE_CATEGORIES
from tests.documents.catalogs import translation_problems

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "amudesk" / "documents" / "aamu.py"
A4 = (595.0, 842.0)
NO_DIAGNOSIS = "Write no diagnosis and no medical details on this form."

LATIN_FAMILY = "Nguyễn-Wójcik de la Fontaine-Żółkiewska y Hernández-Çelik"
LATIN_GIVEN = "Thị Minh Khai Łucja Gráinne Ævar"
CYRILLIC_FAMILY = "Иванова-Петренко"
CYRILLIC_GIVEN = "Александра Владимировна"
# As long as the register allows (200 characters each), in words.
LONG_FAMILY = " ".join(["Иванова-Петренко"] * 12)[:200]
LONG_GIVEN = " ".join(["Александра Владимировна"] * 9)[:200].strip()


def facts(**changes: object) -> AamuFacts:
    base = AamuFacts(
        number="AM-2026-00007",
        issued_at=dt.datetime(2026, 4, 1, 8, 45, tzinfo=dt.UTC),
        language="en",
        letterhead=Letterhead(
            name="Médecins du Monde – Bruxelles",
            address="Rue Botanique 75, 1210 Saint-Josse-ten-Noode",
            phone="02 225 43 00",
            email="amu@example.be",
        ),
        reference="AMU-2026-0042",
        family_name=LATIN_FAMILY,
        given_names=LATIN_GIVEN,
        sex="F",
        birth_date="1985-07-30",
        niss="85073012345",
        cpas_name="CPAS de Saint-Gilles",
        cpas_address="Rue Fernand Bernier 40\n1060 Saint-Gilles",
        suggested_valid_from=dt.date(2026, 4, 1),
        suggested_valid_to=dt.date(2027, 3, 31),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def pdf_text(data: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    pages = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    return reader, pages


def timed(value: AamuFacts) -> bytes:
    start = time.perf_counter()
    data = render_aamu(value)
    print(f"render_aamu({value.language}): {(time.perf_counter() - start) * 1000:.1f} ms")
    return data


def assert_one_a4_page(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    reader, pages = pdf_text(data)
    assert len(pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1
    return pages


@pytest.mark.parametrize(
    ("family", "given"), [(LATIN_FAMILY, LATIN_GIVEN), (CYRILLIC_FAMILY, CYRILLIC_GIVEN)]
)
def test_the_certificate_shows_the_beneficiary_and_the_boxes(family: str, given: str) -> None:
    value = facts(family_name=family, given_names=given)
    timed(value)  # the first render registers the fonts
    [shown] = assert_one_a4_page(timed(value))
    assert family in shown
    assert given in shown
    assert "85.07.30-123.45" in shown
    assert "AMU-2026-0042" in shown
    assert "AM-2026-00007" in shown
    assert "Female" in shown
    assert i18n.format_date(dt.date(1985, 7, 30), locale="en") in shown
    assert "CPAS de Saint-Gilles, Rue Fernand Bernier 40, 1060 Saint-Gilles" in shown
    assert "Suggested: " + i18n.format_date(dt.date(2026, 4, 1), locale="en") in shown
    assert "Suggested: " + i18n.format_date(dt.date(2027, 3, 31), locale="en") in shown
    for label in CARE_CATEGORIES.values():
        assert label in shown
    assert NO_DIAGNOSIS in shown
    assert "royal decree of 12 December 1996, art. 1" in shown
    for label in ("Name", "Address", "INAMI number", "Place", "Stamp", "Signature", "Dentist"):
        assert label in shown
    assert "Personal data: confidential (art. 9 GDPR)" in shown


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize(
    ("family", "given"),
    [
        (LATIN_FAMILY, LATIN_GIVEN),
        (CYRILLIC_FAMILY, CYRILLIC_GIVEN),
        (LONG_FAMILY, LONG_GIVEN),
    ],
)
def test_each_language_fits_one_page(language: str, family: str, given: str) -> None:
    value = facts(language=language, family_name=family, given_names=given)
    [shown] = assert_one_a4_page(timed(value))
    assert "AM-2026-00007" in shown
    assert "85.07.30-123.45" in shown
    # Wrapped between words, never cut: every word of the names is printed.
    for word in (family + " " + given).split():
        assert word in shown


def test_the_title_follows_the_language() -> None:
    assert title_of(facts()) == "Urgent medical aid certificate"
    reader, _ = pdf_text(render_aamu(facts()))
    assert reader.metadata is not None
    assert reader.metadata.title == "Urgent medical aid certificate"
    for language in ("fr", "nl"):
        assert title_of(facts(language=language)) == i18n.gettext_for(
            language, "Urgent medical aid certificate"
        )


def test_user_text_is_shown_as_typed() -> None:
    value = facts(
        family_name="O'Brien <i>",
        given_names="Ann & <b>Co</b>",
        cpas_name='CPAS "A&B" <x>',
        reference="AMU-2026-0042 <&>",
        letterhead=Letterhead(name="Santé & <Solidarité>"),
    )
    [shown] = assert_one_a4_page(render_aamu(value))
    assert "O'Brien <i>" in shown
    assert "Ann & <b>Co</b>" in shown
    assert 'CPAS "A&B" <x>' in shown
    assert "AMU-2026-0042 <&>" in shown
    assert "Santé & <Solidarité>" in shown


def test_very_long_text_still_gives_one_page() -> None:
    long_text = " ".join(["Centre public d'action sociale de Saint-Josse-ten-Noode"] * 6)
    value = facts(
        language="fr",
        family_name="X" * 200,
        given_names="Y" * 200,
        cpas_name=long_text,
        cpas_address=long_text,
        reference="AMU-2026-0042" * 3,
        letterhead=Letterhead(name=long_text, address=long_text),
        birth_date="",
        niss="",
        sex="U",
    )
    [shown] = assert_one_a4_page(render_aamu(value))
    assert "AM-2026-00007" in shown
    assert "XXXXXXXXXX" in shown


def test_an_arabic_name_renders() -> None:
    value = facts(family_name="عبد الله", given_names="محمد فاطمة")
    assert_one_a4_page(render_aamu(value))
    long_arabic = facts(family_name=" ".join(["عبد الله"] * 25), given_names="محمد " * 30)
    assert_one_a4_page(render_aamu(long_arabic))


def _text_fonts(reader: PdfReader) -> set[str]:
    """The base fonts of the text actually drawn (not merely listed in the resources)."""
    used: set[str] = set()

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        if text.strip() and font is not None:
            used.add(str(font.get("/BaseFont", "")))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return used


def test_the_font_is_embedded_and_helvetica_draws_nothing() -> None:
    reader, _ = pdf_text(render_aamu(facts(family_name=CYRILLIC_FAMILY)))
    used = _text_fonts(reader)
    assert used and all("DejaVuSans" in name for name in used)
    assert not any("Helvetica" in name for name in used)
    embedded = []
    resources: Any = reader.pages[0]["/Resources"]
    for reference in resources["/Font"].values():
        font = reference.get_object()
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None and "/FontFile2" in descriptor.get_object():
            embedded.append(str(font["/BaseFont"]))
    assert any("DejaVuSans" in name for name in embedded)


def test_sex_and_partial_birth_dates() -> None:
    [shown] = assert_one_a4_page(render_aamu(facts(sex="X", birth_date="1985-07")))
    assert "X (neither F nor M)" in shown
    assert i18n.format_partial_date("1985-07", "en") in shown
    [shown] = assert_one_a4_page(render_aamu(facts(sex="U", birth_date="1985")))
    assert "Unknown" not in shown and "Female" not in shown
    assert "1985" in shown
    [shown] = assert_one_a4_page(render_aamu(facts(birth_date="30/07/1985")))
    assert "30/07/1985" in shown  # malformed: shown as typed


def test_without_suggested_dates_the_boxes_stay_blank() -> None:
    value = facts(suggested_valid_from=None, suggested_valid_to=None)
    [shown] = assert_one_a4_page(render_aamu(value))
    assert "Suggested" not in shown
    assert "Validity requested from" in shown
    assert "Validity requested until" in shown


def test_date_placeholders() -> None:
    assert _date_placeholders("DD/MM/YYYY") == "DDMMYYYY"
    assert _date_placeholders("JJ/MM/AAAA") == "JJMMAAAA"
    assert _date_placeholders("TT.MM.JJJJ") is None  # another shape: plain boxes


def test_rendering_is_fast() -> None:
    value = facts(family_name=CYRILLIC_FAMILY, given_names=CYRILLIC_GIVEN)
    render_aamu(value)
    start = time.perf_counter()
    for _ in range(5):
        render_aamu(value)
    per_render = (time.perf_counter() - start) / 5
    print(f"render_aamu: {per_render * 1000:.1f} ms")
    assert per_render < 0.5  # about 20 ms on a laptop; generous for a busy test machine


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_message_is_translated(language: str) -> None:
    """Each message of the renderer is in the language's catalog, placeholders intact."""
    missing, bad_placeholders = translation_problems(
        SOURCE, language, {"CPAS", "Date", "Profession", "Signature"}
    )
    assert missing == []
    assert bad_placeholders == []
