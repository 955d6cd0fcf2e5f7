"""Every name a user can type prints with real glyphs: never as empty boxes.

Two hundred names drawn from the scripts the desk accepts (Latin with every diacritic,
Cyrillic, Greek, Arabic) are checked against the embedded font itself, in the form they
are drawn (Arabic joined and in visual order); a character the font lacks is refused when
it is typed, with a message that names it.
"""

from __future__ import annotations

import io
import random
import unicodedata

import pytest
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from amudesk.documents import layout
from amudesk.documents.fonts import coverage, register_fonts, undrawable, visual
from amudesk.services import FieldError, people
from amudesk.services.people import PersonData

pytestmark = pytest.mark.both_engines

LATIN = (
    "ÀàÁáÂâÃãÄäÅåÆæÇçÈèÉéÊêËëÌìÍíÎîÏïÐðÑñÒòÓóÔôÕõÖöØøÙùÚúÛûÜüÝýÞþßÿĀāĂăĄąĆćČčĎďĐđĒēĘęĚě"
    "ĞğĢģĪīĮįİıĶķĹĺĻļĽľŁłŃńŅņŇňŌōŐőŒœŔŕŘřŚśŞşŠšŢţŤťŪūŮůŰűŲųŸŹźŻżŽžƠơƯưȘșȚțẠạẢảẤấẦầẨẩẪẫ"
    "ẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ'-"
)
CYRILLIC = (
    "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяІіЇїЄєҐґЂђЈјЉљЊњ"
    "ЋћЏџЎўӘәҒғҚқҢңӨөҮүҰұҺһ"
)
GREEK = "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩαβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰς"
ARABIC = "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىيپچژگکی"
SCRIPTS = (LATIN, CYRILLIC, GREEK, ARABIC)


def generated_names(count: int = 200, seed: int = 2026) -> list[str]:
    """``count`` names of two or three words, each word from one script, often mixed with
    plain Latin letters (as in real registers): reproducible for a given seed."""
    chooser = random.Random(seed)
    names = []
    for number in range(count):
        script = SCRIPTS[number % len(SCRIPTS)]
        words = []
        for _word in range(chooser.randint(2, 3)):
            pool = script if chooser.random() < 0.8 or script is ARABIC else script + "abcdefgh"
            words.append("".join(chooser.choice(pool) for _ in range(chooser.randint(2, 12))))
        names.append(" ".join(words))
    return names


NAMES = generated_names()


def _faces() -> dict[str, set[int]]:
    fonts = register_fonts()
    return {
        face: set(pdfmetrics.getFont(face).face.charToGlyph) for face in (fonts.regular, fonts.bold)
    }


def test_two_hundred_generated_names_cover_every_script() -> None:
    assert len(NAMES) == 200
    for script in SCRIPTS:
        assert sum(1 for name in NAMES if name[0] in script) >= 40


def test_every_glyph_of_the_generated_names_is_in_the_embedded_font() -> None:
    faces = _faces()
    for name in NAMES:
        drawn = visual(name)
        for face, cmap in faces.items():
            missing = {char for char in drawn if not char.isspace() and ord(char) not in cmap}
            assert not missing, f"{face} lacks {sorted(missing)} of {name!r}"
        assert undrawable(name) == []


def test_the_coverage_list_matches_the_font_files() -> None:
    faces = list(_faces().values())
    assert coverage() == frozenset(faces[0] & faces[1])


def test_arabic_is_joined_and_laid_out_right_to_left() -> None:
    name = "محمد"  # m-h-m-d
    drawn = visual(name)
    assert len(drawn) == 4
    # Only contextual presentation forms are drawn, none of the bare letters...
    assert all(0xFE70 <= ord(char) <= 0xFEFF for char in drawn)
    # ...in visual order: the last letter typed (dal, final form) is drawn first.
    assert unicodedata.name(drawn[0]).startswith("ARABIC LETTER DAL FINAL")
    assert unicodedata.name(drawn[-1]).startswith("ARABIC LETTER MEEM INITIAL")
    assert unicodedata.name(unicodedata.normalize("NFKC", drawn[-1])) == "ARABIC LETTER MEEM"


def test_word_ligatures_the_font_lacks_are_not_used() -> None:
    drawn = visual("عبد الله")
    assert "\ufdf2" not in drawn  # the ALLAH ligature: not in DejaVu Sans
    assert undrawable("عبد الله") == []


def test_latin_text_is_left_as_it_is() -> None:
    assert visual("Nguyễn Thị Minh Khai") == "Nguyễn Thị Minh Khai"


def test_the_names_print_and_read_back_from_a_pdf() -> None:
    styles = layout.stylesheet()
    story = [layout.text(name, styles.body) for name in NAMES]
    frame = layout.PageFrame(letterhead=layout.Letterhead(name="CPAS"), language="fr")
    pdf = layout.render(story, frame, title="names")
    extracted = unicodedata.normalize(
        "NFC", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    )
    compact = "".join(extracted.split())
    for name in NAMES:
        if name[0] not in ARABIC:
            assert "".join(name.split()) in compact


@pytest.mark.parametrize(
    ("text", "expected"),
    [("王小明", ["王", "小", "明"]), ("Ana क", ["क"]), ("ۀ", ["ۀ"]), ("Ana", [])],
)
def test_undrawable_names_each_missing_character_once(text: str, expected: list[str]) -> None:
    assert undrawable(text) == expected


def test_a_name_the_documents_cannot_print_is_refused_when_typed(session) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FieldError) as raised:
        people.save_person(PersonData(family_name="王", given_names="Ana"), session=session)
    assert raised.value.field == "family_name"
    assert "王" in str(raised.value) and "U+738B" in str(raised.value)


def test_decomposed_accents_are_stored_composed(session) -> None:  # type: ignore[no-untyped-def]
    person = people.save_person(
        PersonData(family_name="Nguye\u0302\u0303n", given_names="Jose\u0301"), session=session
    )
    assert person.family_name == "Nguyễn"
    assert person.given_names == "José"


def test_a_long_arabic_name_that_wraps_reads_from_its_first_line_down() -> None:
    """Lines are broken in reading order, then each is put in visual order: the first
    words typed are on the first line (drawn right to left), not the last ones."""
    styles = layout.stylesheet()
    name = "عبد الرحمن بن محمد الهاشمي القرشي"
    paragraph = layout.text(name, styles.cell)
    paragraph.wrap(110, 1000)
    lines = [" ".join(words) for _extra, words in paragraph.blPara.lines]
    assert len(lines) == 2
    assert lines[0] == visual("عبد الرحمن بن محمد")
    assert lines[1] == visual("الهاشمي القرشي")
    pdf = layout.render(
        [paragraph],
        layout.PageFrame(letterhead=layout.Letterhead(name="CPAS"), language="fr"),
        title="rtl",
    )
    assert pdf.startswith(b"%PDF")
