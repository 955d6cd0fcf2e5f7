"""The MediPrima information form: content, photo, dependants, a minor's form, A4."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import time
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

from amudesk import i18n
from amudesk.documents.infoform import (
    Holder,
    InfoFormFacts,
    render_info_form,
    title_of,
)
from amudesk.documents.layout import Letterhead

A4 = (595.0, 842.0)

LATIN_FAMILY = "Nguyễn-Wójcik de la Fontaine-Żółkiewska"
LATIN_GIVEN = "Thị Minh Khai Łucja Gráinne"
CYRILLIC_FAMILY = "Иванова-Петренко"
CYRILLIC_GIVEN = "Александра Владимировна"
NO_RIGHT = "This form grants no right and is not proof of coverage"


def jpeg(colour: str, size: tuple[int, int] = (350, 450)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


PHOTO = jpeg("#c8d4e0")


def dependant(number: int, **changes: Any) -> Holder:
    base = Holder(
        family_name=f"Kowalski-{number}",
        given_names=f"Zoë {number}",
        sex="FMXU"[number % 4],
        birth_date=("2015-03-04", "2018-11", "2020", "")[number % 4],
        niss=f"1503040{number:02d}45",
        photo=jpeg(("#802020", "#208020", "#202080", "#808020")[number % 4]),
    )
    return dataclasses.replace(base, **changes)


def facts(**changes: Any) -> InfoFormFacts:
    base = InfoFormFacts(
        number="FI-2026-00003",
        issued_at=dt.datetime(2026, 4, 1, 8, 45, tzinfo=dt.UTC),
        language="en",
        letterhead=Letterhead(
            name="CPAS de Saint-Gilles",
            address="Rue Fernand Bernier 40, 1060 Saint-Gilles",
            phone="02 600 54 11",
            email="amu@example.be",
        ),
        reference="AMU-2026-0042",
        holder=Holder(
            family_name=LATIN_FAMILY,
            given_names=LATIN_GIVEN,
            sex="F",
            birth_date="1985-07-30",
            niss="85073012345",
            photo=PHOTO,
        ),
        dependants=(dependant(1), dependant(2)),
        for_minor=False,
        guardian_name="",
        cpas_name="CPAS de Saint-Gilles",
        cpas_address="Rue Fernand Bernier 40\n1060 Saint-Gilles",
        cpas_phone="02 600 54 12",
        cpas_email="amu@cpas-stgilles.example.be",
        cpas_contact="Service AMU — Mme Dupont",
        mediprima_number="MP-2026-12345",
    )
    return dataclasses.replace(base, **changes)


def holder(**changes: Any) -> Holder:
    return dataclasses.replace(facts().holder, **changes)


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    shown = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    return reader, shown


def image_count(reader: PdfReader) -> int:
    """Image XObjects drawn on the pages (what the page resources refer to)."""
    count = 0
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        objects = resources.get_object().get("/XObject")
        if objects is None:
            continue
        for reference in objects.get_object().values():
            if reference.get_object().get("/Subtype") == "/Image":
                count += 1
    return count


def assert_a4(reader: PdfReader) -> None:
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1


def timed(value: InfoFormFacts) -> bytes:
    start = time.perf_counter()
    data = render_info_form(value)
    print(f"render_info_form({value.language}): {(time.perf_counter() - start) * 1000:.1f} ms")
    return data


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize(
    ("family", "given"), [(LATIN_FAMILY, LATIN_GIVEN), (CYRILLIC_FAMILY, CYRILLIC_GIVEN)]
)
def test_the_form_shows_the_facts_in_each_language(language: str, family: str, given: str) -> None:
    value = facts(language=language, holder=holder(family_name=family, given_names=given))
    timed(value)  # the first render registers the fonts
    data = timed(value)
    assert data.startswith(b"%PDF")
    reader, shown = pdf_text(data)
    assert len(reader.pages) == 1
    assert_a4(reader)
    assert reader.metadata is not None and reader.metadata.title == title_of(value)
    assert title_of(value) in shown
    for expected in (
        family,
        given,
        "85.07.30-123.45",
        i18n.format_partial_date("1985-07-30", language),
        "FI-2026-00003",
        "AMU-2026-0042",
        "CPAS de Saint-Gilles",
        "02 600 54 12",
        "amu@cpas-stgilles.example.be",
        "Service AMU — Mme Dupont",
        "MP-2026-12345",
        i18n.gettext_for(language, "Female"),
    ):
        assert expected in shown
    for person in value.dependants:
        assert person.family_name in shown
        assert person.given_names in shown


def test_dependants_are_listed_with_their_numbers() -> None:
    value = facts(dependants=tuple(dependant(number) for number in range(4)))
    _, shown = pdf_text(render_info_form(value))
    for number in range(4):
        assert f"Kowalski-{number}" in shown
        assert f"Zoë {number}" in shown
        assert f"15.03.04-0{number:02d}.45" in shown
    assert "Male" in shown and "X (neither F nor M)" in shown
    assert "Unknown" not in shown  # "U" is left blank
    assert "November 2018" in shown


def test_the_statement_that_the_form_grants_no_right() -> None:
    _, shown = pdf_text(render_info_form(facts()))
    assert NO_RIGHT in shown
    assert "only the CPAS's decision registered in MediPrima" in shown
    assert "8 July 1976, art. 57 §2" in shown
    assert "12 December 1996" in shown
    assert "when that number changes" in shown
    assert "look the person up in MediPrima with the NISS or BIS number" in shown


def test_only_the_holders_photo_is_drawn() -> None:
    reader, _ = pdf_text(render_info_form(facts()))
    assert image_count(reader) == 1
    # The dependants' photos are never drawn, however many there are.
    many = facts(dependants=tuple(dependant(number) for number in range(6)))
    reader, _ = pdf_text(render_info_form(many))
    assert image_count(reader) == 1


def test_without_a_photo_the_box_is_empty_and_labelled() -> None:
    for photo in (None, b"", b"not an image"):
        reader, shown = pdf_text(render_info_form(facts(holder=holder(photo=photo))))
        assert image_count(reader) == 0
        assert "Photo" in shown
        assert NO_RIGHT in shown


def test_an_unusual_photo_shape_still_gives_one_page() -> None:
    for size in ((350, 1400), (900, 300)):
        reader, _ = pdf_text(render_info_form(facts(holder=holder(photo=jpeg("#999", size)))))
        assert len(reader.pages) == 1
        assert image_count(reader) == 1


def test_a_minors_form_names_the_adult_and_shows_the_minors_photo() -> None:
    minor = Holder(
        family_name="Иванов",
        given_names="Дмитрий",
        sex="M",
        birth_date="2015-03-04",
        niss="15030412345",
        photo=jpeg("#406080"),
    )
    value = facts(
        holder=minor,
        dependants=(),
        for_minor=True,
        guardian_name="Ivanova Alexandra",
    )
    reader, shown = pdf_text(render_info_form(value))
    assert len(reader.pages) == 1
    assert image_count(reader) == 1
    assert "Иванов" in shown and "Дмитрий" in shown
    assert "15.03.04-123.45" in shown
    assert "This is the separate form of a minor who depends on Ivanova Alexandra." in shown
    assert "Holder of the form (minor)" in shown
    assert "Dependants (minors)" not in shown
    assert NO_RIGHT in shown
    _, shown = pdf_text(render_info_form(dataclasses.replace(value, guardian_name="")))
    assert "This is the separate form of a minor." in shown


def test_no_dependants() -> None:
    _, shown = pdf_text(render_info_form(facts(dependants=())))
    assert "No dependants." in shown


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_eight_dependants_render_properly(language: str) -> None:
    value = facts(
        language=language,
        holder=holder(family_name=CYRILLIC_FAMILY, given_names=CYRILLIC_GIVEN),
        dependants=tuple(dependant(number) for number in range(8)),
    )
    reader, shown = pdf_text(timed(value))
    assert 1 <= len(reader.pages) <= 2
    assert_a4(reader)
    assert image_count(reader) == 1
    for number in range(8):
        assert f"Kowalski-{number}" in shown
        assert f"15.03.04-0{number:02d}.45" in shown
    assert "02 600 54 12" in shown
    if language == "en":
        assert NO_RIGHT in shown


def test_user_text_is_shown_as_typed() -> None:
    value = facts(
        holder=holder(family_name="O'Brien <i>", given_names="Ann & <b>Co</b>"),
        dependants=(dependant(1, family_name="Smith & <br/>Sons"),),
        cpas_name="CPAS <Ixelles> & Co",
        cpas_contact='Service "A&B"',
    )
    _, shown = pdf_text(render_info_form(value))
    for typed in ("O'Brien <i>", "Ann & <b>Co</b>", "Smith & <br/>Sons", "CPAS <Ixelles> & Co"):
        assert typed in shown
    assert 'Service "A&B"' in shown


def test_an_arabic_name_renders() -> None:
    value = facts(
        holder=holder(family_name="عبد الله", given_names="محمد"),
        dependants=(dependant(1, given_names="فاطمة"),),
        guardian_name="",
    )
    data = render_info_form(value)
    reader, shown = pdf_text(data)
    assert len(reader.pages) == 1
    assert "85.07.30-123.45" in shown
    # Drawn joined (contextual forms): the text holds Arabic letters, shaped or not.
    assert any("\u0600" <= char <= "\u06ff" or "\ufe70" <= char <= "\ufeff" for char in shown)


def test_long_names_and_missing_facts_do_not_break_the_form() -> None:
    long_name = " ".join(["Константинопольская-Преображенская"] * 6)
    value = facts(
        holder=holder(
            family_name=long_name,
            given_names="X" * 120,
            sex="U",
            birth_date="",
            niss="",
        ),
        dependants=(dependant(1, family_name=long_name, niss="", birth_date="1985-13"),),
        cpas_address="",
        cpas_phone="",
        cpas_email="",
        cpas_contact="",
        mediprima_number="",
        reference="R" * 200,
        letterhead=Letterhead(name="Centre public d'action sociale " * 8),
    )
    reader, shown = pdf_text(render_info_form(value))
    assert_a4(reader)
    assert "Константинопольская-Преображенская" in shown
    assert "1985-13" in shown  # a malformed date is shown as typed
    assert NO_RIGHT in shown


def test_partial_birth_dates() -> None:
    for birth in ("1985-07", "1985"):
        _, shown = pdf_text(render_info_form(facts(language="fr", holder=holder(birth_date=birth))))
        assert i18n.format_partial_date(birth, "fr") in shown


def test_the_issue_date_is_in_brussels_time() -> None:
    # 23:30 UTC on 31 March is already 1 April in Brussels.
    value = facts(issued_at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC))
    _, shown = pdf_text(render_info_form(value))
    assert "issued on 1 April 2026" in shown


def test_rendering_is_fast() -> None:
    value = facts(dependants=tuple(dependant(number) for number in range(3)))
    render_info_form(value)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        render_info_form(value)
        times.append(time.perf_counter() - start)
    print(f"render_info_form, best of 5: {min(times) * 1000:.1f} ms")
    assert min(times) < 0.25  # generous: the target is well under 50 ms
