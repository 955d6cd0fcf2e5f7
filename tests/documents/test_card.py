"""The durable medical card: CR80 pages, A4 sheets with cut marks and mirrored backs, the
front's data, the QR code (decoded from the rendered page), long names that never overflow."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.pdfbase.pdfmetrics import stringWidth

from amudesk import i18n
from amudesk.documents.card import (
    CARD_HEIGHT,
    CARD_WIDTH,
    MIN_SIZE,
    NAME_MIN_SIZE,
    QR_BORDER,
    QR_KEYS,
    QR_SIZE,
    QR_X,
    QR_Y,
    SAFE,
    TEXT_WIDTH,
    CardFacts,
    back_position,
    fit_line,
    qr_codewords,
    qr_modules,
    qr_payload,
    render_card,
    render_card_sheet,
    render_cards,
    sheet_position,
)
from amudesk.documents.fonts import register_fonts
from amudesk.documents.layout import MM, PAGE_HEIGHT, PAGE_WIDTH
from tests.documents.catalogs import translation_problems

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "amudesk" / "documents" / "card.py"
CR80 = (242.65, 153.01)
A4 = (595.0, 842.0)

LATIN_FAMILY = "Nguyễn-Wójcik"
LATIN_GIVEN = "Thị Minh Khai"
CYRILLIC_LONG = "Константинопольская-Александровна-Преображенская-Ивановичева"
ARABIC_FAMILY = "عبد الرحمن الهاشمي"
ARABIC_GIVEN = "محمد"


def photo(index: int = 0) -> bytes:
    """A small JPEG ID photo (35:45), its colours different for each index."""
    image = Image.new("RGB", (175, 225), (40 + index * 20 % 200, 120, 200 - index * 15 % 150))
    draw = ImageDraw.Draw(image)
    draw.ellipse((55, 40, 120, 130), fill=(180, 140, 110))
    draw.ellipse((25, 140, 150, 300), fill=(30, 50, 80 + index * 10 % 150))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def facts(index: int = 0, **changes: Any) -> CardFacts:
    base = CardFacts(
        number=f"CM-2026-{index:05d}",
        language="fr",
        photo=photo(index),
        family_name=f"{LATIN_FAMILY}{index or ''}",
        given_names=LATIN_GIVEN,
        niss="85073012345",
        mediprima_number=f"MP-2026-{index:04d}",
        valid_from=dt.date(2026, 4, 1),
        valid_to=dt.date(2026, 6, 30),
        ticket_moderateur_covered=True,
        cpas_name="CPAS de Saint-Gilles",
        cpas_phone="02 600 54 11",
        office_name="Service social Sans-Abri",
        office_phone="02 500 00 00",
        office_email="amu@office.example.be",
    )
    return dataclasses.replace(base, **changes)


def reader_of(data: bytes) -> PdfReader:
    assert data.startswith(b"%PDF")
    return PdfReader(io.BytesIO(data))


def page_texts(reader: PdfReader) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def page_size(page: Any) -> tuple[float, float]:
    return float(page.mediabox.width), float(page.mediabox.height)


@dataclasses.dataclass
class Run:
    """A piece of text drawn on a page: where it starts, its font and size."""

    text: str
    x: float
    y: float
    font: str
    size: float


def text_runs(page: Any) -> list[Run]:
    """Every piece of text on ``page`` with its position on the page."""
    fonts = register_fonts()
    runs: list[Run] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip() or font is None:
            return
        base = str(font.get("/BaseFont", ""))
        name = fonts.bold if base.endswith("DejaVuSans-Bold") else fonts.regular
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        runs.append(Run(text.strip("\n"), x, y, name, size * tm[0] * cm[0]))

    page.extract_text(visitor_text=visit)
    return runs


def timed(label: str, render: Any, *args: Any) -> bytes:
    start = time.perf_counter()
    data: bytes = render(*args)
    print(f"{label}: {(time.perf_counter() - start) * 1000:.1f} ms")
    return data


# --- the single card --------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_a_card_is_a_front_and_a_back_of_cr80_size(language: str) -> None:
    value = facts(language=language)
    render_card(value)  # the first render registers the fonts
    reader = reader_of(timed(f"render_card({language})", render_card, value))
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = page_size(page)
        assert abs(width - CR80[0]) <= 0.1 and abs(height - CR80[1]) <= 0.1
    front, back = page_texts(reader)
    assert LATIN_FAMILY.upper() in front
    assert LATIN_GIVEN in front
    assert "85.07.30-123.45" in front
    assert "MP-2026-0000" in front
    assert i18n.format_date(dt.date(2026, 4, 1), "dd/MM/y", locale=language) in front
    assert "01/04/2026" in front and "30/06/2026" in front
    assert "CPAS de Saint-Gilles" in front and "02 600 54 11" in front
    assert "CM-2026-00000" not in front
    assert "CM-2026-00000" in back
    assert "Service social Sans-Abri" in back
    assert "02 500 00 00" in back and "amu@office.example.be" in back
    assert LATIN_FAMILY.upper() not in back


def test_english_labels() -> None:
    front, back = page_texts(reader_of(render_card(facts(language="en"))))
    assert "Medical card — urgent medical aid" in front
    assert "Ticket modérateur (ambulatory care): covered by the CPAS" in front
    assert "For care providers" in back
    assert "MediPrima" in back and "Card number" in back


def test_the_ticket_moderateur_line() -> None:
    words = {
        True: i18n.gettext_for("en", "covered by the CPAS"),
        False: i18n.gettext_for("en", "not covered"),
        None: "—",
    }
    for covered, shown in words.items():
        front = page_texts(
            reader_of(render_card(facts(language="en", ticket_moderateur_covered=covered)))
        )[0]
        assert f"(ambulatory care): {shown}" in front
    assert "not covered" not in page_texts(reader_of(render_card(facts(language="en"))))[0]


def test_the_front_embeds_the_photo_once() -> None:
    reader = reader_of(render_card(facts()))
    assert len(reader.pages[0].images) == 1
    assert len(reader.pages[1].images) == 0
    image = reader.pages[0].images[0]
    assert image.data.startswith(b"\xff\xd8")  # the JPEG as it is, not decoded again


@pytest.mark.parametrize("picture", [None, b"", b"not an image at all"])
def test_no_photo_or_a_damaged_one_gives_an_empty_framed_box(picture: bytes | None) -> None:
    reader = reader_of(render_card(facts(photo=picture)))
    assert len(reader.pages) == 2
    assert len(reader.pages[0].images) == 0
    assert LATIN_FAMILY.upper() in page_texts(reader)[0]


def test_missing_numbers_are_shown_as_dashes() -> None:
    value = facts(
        niss="",
        mediprima_number="",
        ticket_moderateur_covered=None,
        cpas_phone="",
        office_phone="",
        office_email="",
        language="en",
    )
    front, back = page_texts(reader_of(render_card(value)))
    assert front.count("—") >= 3  # title, MediPrima, ticket modérateur
    # No NISS: the line says whom to ask rather than showing a dash; no phone to call.
    assert "NISS / BIS none: ask the CPAS" in front and "NISS / BIS —" not in front
    assert "number on the front" not in back and "named on the front" in back
    assert "CM-2026-00000" in back


def test_several_cards_for_a_card_printer_alternate_fronts_and_backs() -> None:
    cards = [facts(index) for index in range(3)]
    reader = reader_of(render_cards(cards))
    assert len(reader.pages) == 6
    texts = page_texts(reader)
    for index, value in enumerate(cards):
        assert value.family_name.upper() in texts[2 * index]
        assert value.number in texts[2 * index + 1]
        assert len(reader.pages[2 * index].images) == 1
        for page in reader.pages[2 * index : 2 * index + 2]:
            width, height = page_size(page)
            assert abs(width - CR80[0]) <= 0.1 and abs(height - CR80[1]) <= 0.1


def test_no_card_is_an_error() -> None:
    with pytest.raises(ValueError):
        render_cards([])
    with pytest.raises(ValueError):
        render_card_sheet([])


def test_user_text_is_shown_as_typed() -> None:
    value = facts(family_name="O'Brien <b>&", given_names="Ann\nMarie", language="en")
    front = page_texts(reader_of(render_card(value)))[0]
    assert "O'BRIEN <B>&" in front
    assert "Ann Marie" in front


# --- sheets -----------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "pages"), [(1, 2), (10, 2), (11, 4), (20, 4), (21, 6)])
def test_sheets_hold_ten_cards_and_their_backs(count: int, pages: int) -> None:
    cards = [facts(index) for index in range(count)]
    reader = reader_of(render_card_sheet(cards))
    assert len(reader.pages) == pages
    for page in reader.pages:
        width, height = page_size(page)
        assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1
    texts = page_texts(reader)
    for index, value in enumerate(cards):
        sheet = index // 10
        assert value.family_name.upper() in texts[2 * sheet]
        assert value.number in texts[2 * sheet + 1]
        assert value.number not in texts[2 * sheet]
    for sheet in range(pages // 2):
        on_sheet = min(10, count - 10 * sheet)
        assert len(reader.pages[2 * sheet].images) == on_sheet  # one photo per card
        assert len(reader.pages[2 * sheet + 1].images) == 0


def test_ten_cards_are_centred_in_two_columns_and_five_rows() -> None:
    places = [sheet_position(index) for index in range(10)]
    xs = sorted({round(x, 3) for x, _y in places})
    ys = sorted({round(y, 3) for _x, y in places})
    assert len(xs) == 2 and len(ys) == 5
    assert xs[0] == pytest.approx(PAGE_WIDTH - xs[1] - CARD_WIDTH, abs=0.01)  # centred
    assert ys[0] == pytest.approx(PAGE_HEIGHT - ys[-1] - CARD_HEIGHT, abs=0.01)
    assert places[0][0] < places[1][0] and places[0][1] == places[1][1]  # left to right
    assert places[0][1] > places[2][1]  # then top to bottom
    for first in range(10):
        for second in range(first + 1, 10):
            (x1, y1), (x2, y2) = places[first], places[second]
            assert abs(x1 - x2) >= CARD_WIDTH or abs(y1 - y2) >= CARD_HEIGHT  # no overlap
    for x, y in places:
        assert x > 5 * MM and x + CARD_WIDTH < PAGE_WIDTH - 5 * MM
        assert y > 5 * MM and y + CARD_HEIGHT < PAGE_HEIGHT - 5 * MM


def _cell(x: float, y: float, places: list[tuple[float, float]]) -> int | None:
    """The index of the card whose place holds the point, if any."""
    for index, (left, bottom) in enumerate(places):
        if left <= x <= left + CARD_WIDTH and bottom <= y <= bottom + CARD_HEIGHT:
            return index
    return None


def test_backs_are_mirrored_for_printing_on_both_sides() -> None:
    cards = [facts(index) for index in range(10)]
    reader = reader_of(render_card_sheet(cards))
    fronts = [sheet_position(index) for index in range(10)]
    for index, value in enumerate(cards):
        column, row = index % 2, index // 2
        mirrored = row * 2 + (1 - column)  # same row, the other column
        front_runs = [
            run for run in text_runs(reader.pages[0]) if run.text == value.family_name.upper()
        ]
        back_runs = [run for run in text_runs(reader.pages[1]) if run.text == value.number]
        assert len(front_runs) == 1 and len(back_runs) == 1
        assert _cell(front_runs[0].x, front_runs[0].y, fronts) == index
        assert _cell(back_runs[0].x, back_runs[0].y, fronts) == mirrored
        # exactly behind: the back's place is the front's mirrored across the page's middle
        x, y = back_position(index)
        assert x == pytest.approx(PAGE_WIDTH - fronts[index][0] - CARD_WIDTH)
        assert (x, y) == pytest.approx(fronts[mirrored])


def _top_level_lines(page: Any, reader: PdfReader) -> list[tuple[float, float, float, float]]:
    """The straight segments drawn outside any saved graphics state: the cut marks (each
    card is drawn inside a q … Q of its own)."""
    segments: list[tuple[float, float, float, float]] = []
    depth = 0
    current: tuple[float, float] | None = None
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"q":
            depth += 1
        elif operator == b"Q":
            depth -= 1
        elif depth == 0 and operator == b"m":
            current = (float(operands[0]), float(operands[1]))
        elif depth == 0 and operator == b"l":
            assert current is not None
            end = (float(operands[0]), float(operands[1]))
            segments.append((*current, *end))
            current = end
    return segments


@pytest.mark.parametrize("count", [10, 3])
def test_cut_marks_prolong_the_edges_outside_the_cards(count: int) -> None:
    reader = reader_of(render_card_sheet([facts(index) for index in range(count)]))
    segments = _top_level_lines(reader.pages[0], reader)
    assert len(segments) == 8 * count  # two at each corner
    assert _top_level_lines(reader.pages[1], reader) == []  # none on the backs
    places = [sheet_position(index) for index in range(count)]
    edges_x = {round(x + dx, 2) for x, _y in places for dx in (0, CARD_WIDTH)}
    edges_y = {round(y + dy, 2) for _x, y in places for dy in (0, CARD_HEIGHT)}
    for x1, y1, x2, y2 in segments:
        assert x1 == x2 or y1 == y2  # straight
        assert max(abs(x1 - x2), abs(y1 - y2)) >= 1 * MM
        if x1 == x2:  # vertical: on the line of a card's left or right edge
            assert round(x1, 2) in edges_x
        else:
            assert round(y1, 2) in edges_y
        for left, bottom in places:  # never on a card
            inside_x = left - 0.5 < min(x1, x2) and max(x1, x2) < left + CARD_WIDTH + 0.5
            inside_y = bottom - 0.5 < min(y1, y2) and max(y1, y2) < bottom + CARD_HEIGHT + 0.5
            assert not (inside_x and inside_y)
        for x, y in ((x1, y1), (x2, y2)):
            assert 0 < x < PAGE_WIDTH and 0 < y < PAGE_HEIGHT


def test_a_sheet_of_ten_is_fast() -> None:
    render_card_sheet([facts(index) for index in range(10)])  # warm-up: fonts, QR layouts
    cards = [facts(index, mediprima_number=f"T-{index}") for index in range(10)]  # new QR codes
    start = time.perf_counter()
    render_card_sheet(cards)
    elapsed = time.perf_counter() - start
    print(f"render_card_sheet(10 cards): {elapsed * 1000:.1f} ms")
    assert elapsed < 1.0  # ~50 ms on a laptop; generous for a busy machine


# --- the QR code ------------------------------------------------------------------------


def test_the_qr_payload_holds_the_front_and_nothing_else() -> None:
    value = facts(mediprima_number="MP-77", given_names="Thị\nMinh  Khai")
    payload = qr_payload(value)
    lines = payload.split("\n")
    assert [line.split(":", 1)[0] for line in lines] == list(QR_KEYS)
    assert lines == [
        "FN:Nguyễn-Wójcik",
        "GN:Thị Minh Khai",
        "NISS:85073012345",
        "MP:MP-77",
        "FROM:2026-04-01",
        "TO:2026-06-30",
        "TM:yes",
        "CPAS:CPAS de Saint-Gilles",
        "TEL:02 600 54 11",
    ]
    for absent in ("CM-2026", "Service social", "02 500 00 00", "amu@", "JFIF", "\xff"):
        assert absent not in payload
    assert "TM:no" in qr_payload(facts(ticket_moderateur_covered=False)).split("\n")
    assert "TM:" in qr_payload(facts(ticket_moderateur_covered=None)).split("\n")
    empty = qr_payload(facts(niss="", mediprima_number="", cpas_phone=""))
    assert {"NISS:", "MP:", "TEL:"} <= set(empty.split("\n"))
    # the same payload whatever the card's language, photo or number
    other = facts(language="nl", photo=None, number="CM-1", office_name="X")
    assert qr_payload(other) == qr_payload(facts())


_FORMAT_LEVELS = {1: "L", 0: "M", 3: "Q", 2: "H"}
_MASK_RULES = (
    lambda r, c: (r + c) % 2 == 0,
    lambda r, c: r % 2 == 0,
    lambda r, c: c % 3 == 0,
    lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0,
    lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0,
    lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
)


def _format_bits(level: int, mask: int) -> int:
    data = level << 3 | mask
    remainder = data
    for _ in range(10):
        remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537)
    return (data << 10 | remainder & 0x3FF) ^ 0x5412


def decode_qr(modules: list[list[bool]]) -> str:
    """A small QR decoder written from ISO/IEC 18004 for these tests: format information,
    function patterns, unmasking, codeword order, deinterleaving, byte and ECI segments
    (no error correction: a rendered symbol has no errors). The block table comes from
    reportlab."""
    from reportlab.graphics.barcode.qrencoder import QRErrorCorrectLevel, QRRSBlock

    size = len(modules)
    assert size % 4 == 1 and size >= 21 and all(len(row) == size for row in modules)
    version = (size - 17) // 4
    cells = [(r, 8) for r in (0, 1, 2, 3, 4, 5, 7, 8)] + [(8, c) for c in (7, 5, 4, 3, 2, 1, 0)]
    read = sum(modules[r][c] << index for index, (r, c) in enumerate(cells))
    matches = [(lv, mk) for lv in range(4) for mk in range(8) if _format_bits(lv, mk) == read]
    assert len(matches) == 1, "format information unreadable"
    level_bits, mask = matches[0]
    function = [[False] * size for _ in range(size)]

    def reserve(top: int, left: int, height: int, width: int) -> None:
        for r in range(max(top, 0), min(top + height, size)):
            for c in range(max(left, 0), min(left + width, size)):
                function[r][c] = True

    reserve(0, 0, 9, 9)
    reserve(0, size - 8, 9, 8)
    reserve(size - 8, 0, 8, 9)
    reserve(6, 0, 1, size)
    reserve(0, 6, size, 1)
    if version > 1:
        count = version // 7 + 2
        step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
        centres = sorted([size - 7 - i * step for i in range(count - 1)] + [6])
        for r in centres:
            for c in centres:
                if (r, c) not in ((6, 6), (6, size - 7), (size - 7, 6)):
                    reserve(r - 2, c - 2, 5, 5)
    if version >= 7:
        reserve(0, size - 11, 6, 3)
        reserve(size - 11, 0, 3, 6)
    bits: list[int] = []
    for right in range(size - 1, 0, -2):
        if right <= 6:
            right -= 1
        upward = ((right + 1) & 2) == 0
        for vertical in range(size):
            r = size - 1 - vertical if upward else vertical
            for c in (right, right - 1):
                if not function[r][c]:
                    bits.append(int(modules[r][c]) ^ int(_MASK_RULES[mask](r, c)))
    codewords = [
        int("".join(map(str, bits[index : index + 8])), 2) for index in range(0, len(bits) - 7, 8)
    ]
    level = getattr(QRErrorCorrectLevel, _FORMAT_LEVELS[level_bits])
    blocks = [block.dataCount for block in QRRSBlock.getRSBlocks(version, level)]
    data_blocks: list[list[int]] = [[] for _ in blocks]
    position = 0
    for index in range(max(blocks)):
        for block, count in enumerate(blocks):
            if index < count:
                data_blocks[block].append(codewords[position])
                position += 1
    stream = "".join(f"{byte:08b}" for block in data_blocks for byte in block)
    cursor = 0

    def take(width: int) -> int:
        nonlocal cursor
        value = int(stream[cursor : cursor + width] or "0", 2)
        cursor += width
        return value

    out = b""
    encoding = "iso-8859-1"  # the default of byte mode without ECI
    while cursor + 4 <= len(stream):
        mode = take(4)
        if mode == 0:
            break
        if mode == 0b0111:
            assert take(8) == 26  # UTF-8
            encoding = "utf-8"
        elif mode == 0b0100:
            out += bytes(take(8) for _ in range(take(8 if version < 10 else 16)))
        else:
            raise AssertionError(f"unexpected segment mode {mode:04b}")
    return out.decode(encoding)


@pytest.fixture
def pdf_pages(qapp: Any, tmp_path: Path) -> Iterator[Any]:
    """Render a PDF page to an 8-bit image of its ink coverage (QtPdf, as the app does)."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QImage
    from PySide6.QtPdf import QPdfDocument

    documents: list[Any] = []

    def render(data: bytes, page: int, scale: float) -> Image.Image:
        path = tmp_path / f"page{len(documents)}.pdf"
        path.write_bytes(data)
        document = QPdfDocument()
        documents.append(document)
        assert document.load(str(path)) == QPdfDocument.Error.None_
        points = document.pagePointSize(page)
        size = QSize(round(points.width() * scale), round(points.height() * scale))
        image = document.render(page, size).convertToFormat(QImage.Format.Format_Alpha8)
        data_bytes = bytes(image.constBits())[: image.bytesPerLine() * image.height()]
        return Image.frombytes(
            "L", (image.width(), image.height()), data_bytes, "raw", "L", image.bytesPerLine()
        )

    yield render
    for document in documents:
        document.close()


def read_qr(image: Image.Image, scale: float) -> list[list[bool]]:
    """The modules of the QR code drawn in its place on the back of a card."""
    left = round(QR_X * scale)
    top = round((CARD_HEIGHT - QR_Y - QR_SIZE) * scale)  # images go downwards
    box = image.crop((left, top, left + round(QR_SIZE * scale), top + round(QR_SIZE * scale)))
    ink = box.point(lambda value: 255 if value > 127 else 0)
    bounds = ink.getbbox()
    assert bounds is not None, "no QR code"
    x0, y0, x1, y1 = bounds
    # The top left finder pattern starts with a row of 7 dark modules (a row of pixels a
    # little below the top: the anti-aliased corners may fall under the threshold).
    x, y = x0, y0 + 2
    while ink.getpixel((x, y)) == 0:
        x += 1
    run = 0
    while ink.getpixel((x + run, y)) == 255:
        run += 1
    estimate = (x1 - x0) / (run / 7)
    count = 4 * round((estimate - 17) / 4) + 17  # a symbol is 21, 25, 29... modules wide
    step = (x1 - x0) / count
    assert abs((y1 - y0) / step - count) < 0.5  # square
    return [
        [
            ink.getpixel((int(x0 + (c + 0.5) * step), int(y0 + (r + 0.5) * step))) == 255
            for c in range(count)
        ]
        for r in range(count)
    ]


@pytest.mark.parametrize(
    ("family", "given"),
    [(LATIN_FAMILY, LATIN_GIVEN), (CYRILLIC_LONG, "Александра"), (ARABIC_FAMILY, ARABIC_GIVEN)],
)
def test_the_printed_qr_code_decodes_to_the_payload(
    pdf_pages: Any, family: str, given: str
) -> None:
    value = facts(family_name=family, given_names=given)
    scale = 8.0  # pixels a point: 6 to 8 pixels a module
    image = pdf_pages(render_card(value), 1, scale)
    assert decode_qr(read_qr(image, scale)) == qr_payload(value)


def test_the_qr_code_of_an_ascii_payload_needs_no_eci(pdf_pages: Any) -> None:
    value = facts(family_name="Dupont", given_names="Marie")
    assert qr_payload(value).isascii()
    sheet = render_card_sheet([value, facts(1)])
    scale = 5.0
    image = pdf_pages(sheet, 1, scale)
    x, y = back_position(0)  # the back of the first card: the right column
    crop = image.crop(
        (
            round(x * scale),
            round((PAGE_HEIGHT - y - CARD_HEIGHT) * scale),
            round((x + CARD_WIDTH) * scale),
            round((PAGE_HEIGHT - y) * scale),
        )
    )
    assert decode_qr(read_qr(crop, scale)) == qr_payload(value)


@pytest.mark.parametrize(
    "payload",
    [
        "FN:Dupont\nGN:Marie",
        qr_payload(facts()),
        qr_payload(facts(family_name=CYRILLIC_LONG * 3, cpas_name="CPAS " * 40)),
    ],
)
def test_qr_codewords_are_reportlabs(payload: str) -> None:
    from reportlab.graphics.barcode import qrencoder

    modules = qr_modules(payload)
    version = (len(modules) - 17) // 4
    eci = not payload.isascii()
    for level_name in ("M", "L"):
        level = getattr(qrencoder.QRErrorCorrectLevel, level_name)
        code = qrencoder.QRCode(version, level)
        if eci:
            code.addData(qrencoder.QRECI(26))
        code.addData(qrencoder.QR8bitByte(payload))
        try:
            expected = qrencoder.QRCode.createData(version, level, code.dataList)
        except Exception:  # too long for this level at this version
            continue
        data = payload.encode()
        assert qr_codewords(data, eci, version, level) == expected
        if decode_qr([[module == "1" for module in row] for row in modules]) == payload:
            return
    raise AssertionError("no level gives the symbol")


def test_the_qr_code_has_a_light_margin_and_stays_in_the_safe_area() -> None:
    modules = qr_modules(qr_payload(facts()))
    assert len(modules) >= 21
    module = QR_SIZE / (len(modules) + 2 * QR_BORDER)
    assert module >= 0.3 * MM
    assert QR_X + QR_SIZE <= CARD_WIDTH - SAFE + 0.01 and QR_Y + QR_SIZE <= CARD_HEIGHT - SAFE
    with pytest.raises(ValueError):
        qr_modules("x" * 5000)


# --- long names -------------------------------------------------------------------------


def test_fit_line_keeps_shrinks_then_cuts() -> None:
    fonts = register_fonts()
    shown, size = fit_line("Dupont", fonts.bold, 11, NAME_MIN_SIZE, TEXT_WIDTH)
    assert (shown, size) == ("Dupont", 11)
    medium = "Wolfeschlegelsteinhausen-Bergerdorff"
    shown, size = fit_line(medium, fonts.bold, 11, NAME_MIN_SIZE, TEXT_WIDTH)
    assert shown == medium and NAME_MIN_SIZE <= size < 11
    assert stringWidth(shown, fonts.bold, size) <= TEXT_WIDTH
    assert stringWidth(shown, fonts.bold, size + 0.1) > TEXT_WIDTH * 0.98  # no smaller than needed


@pytest.mark.parametrize(
    "name",
    [
        CYRILLIC_LONG.upper(),
        ("عبد الرحمن بن محمد بن عبد الله الهاشمي القرشي " * 2).strip(),
        "X" * 150,
        "Nguyễn " * 12,
    ],
)
@pytest.mark.parametrize("bold", [True, False])
def test_a_long_name_shrinks_then_is_cut_never_wider_than_its_place(name: str, bold: bool) -> None:
    fonts = register_fonts()
    font = fonts.bold if bold else fonts.regular
    shown, size = fit_line(name, font, 11, NAME_MIN_SIZE, TEXT_WIDTH)
    assert size == NAME_MIN_SIZE
    assert stringWidth(shown, font, size) <= TEXT_WIDTH
    assert "…" in shown
    assert stringWidth(shown, font, size) > TEXT_WIDTH * 0.85  # cut, not emptied


def test_an_arabic_name_is_joined_and_cut_at_its_end() -> None:
    fonts = register_fonts()
    name = "عبد الرحمن بن محمد بن عبد الله الهاشمي القرشي " * 3
    shown, _size = fit_line(name, fonts.bold, 11, NAME_MIN_SIZE, TEXT_WIDTH)
    assert not re.search("[\u0621-\u064a]", shown)  # contextual forms only: joined letters
    assert shown.startswith("…")  # right to left: the cut end is on the left
    short, _size = fit_line(ARABIC_FAMILY, fonts.bold, 11, NAME_MIN_SIZE, TEXT_WIDTH)
    assert short.endswith(fit_line("عبد", fonts.bold, 11, 6, 500)[0])  # the first word right


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize(
    ("family", "given", "latin", "phone"),
    [
        (
            CYRILLIC_LONG,
            "Александра Владимировна Екатерина Николаевна",
            "KONSTANTINOPOLSKAYA-ALEKSANDROVNA Aleksandra Vladimirovna " * 2,
            "+32 2 600 54 11 (du lundi au vendredi de 9 h à 12 h)",
        ),
        (ARABIC_FAMILY * 3, ARABIC_GIVEN * 12, "AL-HASHIMI Mohammed", ""),
        ("X" * 80, "Y" * 80, "", ""),
    ],
)
def test_every_text_on_a_card_stays_in_the_safe_area(
    language: str, family: str, given: str, latin: str, phone: str
) -> None:
    value = facts(
        language=language,
        family_name=family,
        given_names=given,
        latin_name=latin,
        birth_date="1990-09",
        mediprima_number="9" * 40,
        niss="1234567890123456789" if phone else "",
        cpas_name="Centre public d'action sociale de Molenbeek-Saint-Jean " * 2,
        cpas_phone=phone,
        cpas_address="Rue de l'Intendant 63-65, 1080 Molenbeek-Saint-Jean " * 3,
        office_name="Association " * 10,
        office_email="a" * 60 + "@example.be",
        number="CM-2026-" + "0" * 20,
    )
    reader = reader_of(render_card(value))
    for page in reader.pages:
        runs = text_runs(page)
        assert runs
        for run in runs:
            width = stringWidth(run.text, run.font, run.size)
            assert run.size >= MIN_SIZE - 0.01, run
            assert run.x >= SAFE - 0.01, run
            assert run.x + width <= CARD_WIDTH - SAFE + 0.5, run
            assert SAFE - 0.01 <= run.y <= CARD_HEIGHT - SAFE, run


# --- translations -----------------------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_message_is_translated(language: str) -> None:
    """Each message of the card is in the language's catalog, placeholders intact."""
    missing, bad_placeholders = translation_problems(
        SOURCE, language, {"CPAS", "E-mail", "NISS / BIS"}
    )
    assert missing == []
    assert bad_placeholders == []
