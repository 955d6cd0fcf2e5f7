"""The office's letterhead at the top of every A4 page: name, contact line and logo."""

from __future__ import annotations

import dataclasses
import io
import time
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader

from amudesk.documents import layout
from amudesk.documents.layout import (
    LOGO_GAP,
    LOGO_HEIGHT,
    LOGO_MAX_WIDTH,
    MARGIN,
    Letterhead,
    PageFrame,
    render,
    stylesheet,
    text,
)
from amudesk.documents.receipt import render_receipt
from amudesk.services import documents
from amudesk.services.office import save_office
from amudesk.store import Store
from tests.documents.test_issue import NOW, make_request
from tests.documents.test_receipt import facts as receipt_facts

pytestmark = pytest.mark.both_engines

NAME = "CPAS de Saint-Gilles"
LETTERHEAD = Letterhead(
    name=NAME,
    address="Rue Fernand Bernier 40, 1060 Saint-Gilles",
    phone="02 600 54 11",
    email="amu@example.be",
)


def png(width: int, height: int, *, transparent: bool = False) -> bytes:
    """A logo: a blue disc with a red square, on white or on a transparent background."""
    mode = "RGBA" if transparent else "RGB"
    image = Image.new(mode, (width, height), (0, 0, 0, 0) if transparent else "white")
    draw = ImageDraw.Draw(image)
    draw.ellipse((4, 4, width - 4, height - 4), fill=(30, 90, 160))
    draw.rectangle((width // 3, height // 3, 2 * width // 3, 2 * height // 3), fill=(220, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def two_pages(letterhead: Letterhead) -> bytes:
    from reportlab.platypus import PageBreak

    styles = stylesheet()
    story = [text("First page", styles.body), PageBreak(), text("Second page", styles.body)]
    frame = PageFrame(letterhead=letterhead, language="fr", header_lines=("N° AR-2026-00042",))
    return render(story, frame, title="Test")


def image_objects(reader: PdfReader) -> list[Any]:
    """Every image XObject in the file (a soft mask counts as one)."""
    found = []
    size: Any = reader.trailer["/Size"]
    for number in range(1, int(size)):
        try:
            thing: Any = reader.get_object(number)
        except Exception:  # a free entry of the cross-reference table
            continue
        if hasattr(thing, "get") and thing.get("/Subtype") == "/Image":
            found.append(thing)
    return found


def page_images(reader: PdfReader) -> list[set[int]]:
    """For each page, the object numbers of the images it draws."""
    pages = []
    for page in reader.pages:
        resources: Any = page["/Resources"]
        xobjects: Any = resources.get("/XObject") or {}
        pages.append(
            {
                reference.idnum
                for reference in xobjects.values()
                if reference.get_object()["/Subtype"] == "/Image"
            }
        )
    return pages


def positions(page: Any) -> dict[str, tuple[float, float]]:
    """Where each piece of text starts on ``page`` (x, y in points)."""
    found: dict[str, tuple[float, float]] = {}

    def visit(shown: str, cm: list[float], tm: list[float], *_: Any) -> None:
        if shown.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.setdefault(shown.strip(), (round(x, 2), round(y, 2)))

    page.extract_text(visitor_text=visit)
    return found


def header_text(page: Any) -> str:
    return " ".join((page.extract_text() or "").split())


def test_a_logo_is_embedded_once_for_all_pages() -> None:
    data = two_pages(dataclasses.replace(LETTERHEAD, logo=png(300, 150)))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    assert len(image_objects(reader)) == 1
    first, second = page_images(reader)
    assert len(first) == 1 and first == second
    for page in reader.pages:
        shown = header_text(page)
        assert NAME in shown
        assert "Rue Fernand Bernier 40, 1060 Saint-Gilles" in shown
        assert "N° AR-2026-00042" in shown
        # the name moves right of the logo: 24 mm wide (2:1 at 12 mm high), then the gap
        x, _y = positions(page)[NAME]
        assert x == pytest.approx(MARGIN + 2 * LOGO_HEIGHT + LOGO_GAP, abs=0.1)


def test_a_transparent_logo_keeps_its_transparency() -> None:
    data = two_pages(dataclasses.replace(LETTERHEAD, logo=png(200, 200, transparent=True)))
    reader = PdfReader(io.BytesIO(data))
    first, second = page_images(reader)
    assert len(first) == 1 and first == second
    [number] = first
    logo: Any = reader.get_object(number)
    assert "/SMask" in logo  # the alpha channel, as a soft mask: the logo itself and its mask
    assert len(image_objects(reader)) == 2


def test_the_logo_is_decoded_once_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read once for the whole document, whatever its number of pages."""
    from reportlab.platypus import PageBreak

    decoded = []
    original = Image.Image.tobytes

    def counted(self: Image.Image, *args: Any, **kwargs: Any) -> bytes:
        decoded.append(self.size)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Image.Image, "tobytes", counted)
    styles = stylesheet()
    story: list[Any] = []
    for number in range(4):
        story += [text(f"Page {number + 1}", styles.body), PageBreak()]
    letterhead = dataclasses.replace(LETTERHEAD, logo=png(300, 150))
    data = render(story[:-1], PageFrame(letterhead=letterhead, language="fr"), title="Test")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 4
    assert decoded == [(300, 150)]
    assert len(image_objects(reader)) == 1


def test_a_logo_reportlab_cannot_draw_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Decoded, yet refused when drawn: the pages go without it, tried on the first only."""
    from reportlab.pdfgen.canvas import Canvas

    tried = []

    def refuse(self: Canvas, *args: Any, **kwargs: Any) -> None:
        tried.append(args)
        raise ValueError("cannot embed")

    monkeypatch.setattr(Canvas, "drawImage", refuse)
    data = two_pages(dataclasses.replace(LETTERHEAD, logo=png(300, 150)))
    reader = PdfReader(io.BytesIO(data))
    assert len(tried) == 1
    assert image_objects(reader) == []
    for page in reader.pages:
        assert positions(page)[NAME][0] == pytest.approx(MARGIN, abs=0.01)
        assert NAME in header_text(page)


def test_without_a_logo_the_header_is_as_before() -> None:
    reader = PdfReader(io.BytesIO(two_pages(LETTERHEAD)))
    assert image_objects(reader) == []
    for page in reader.pages:
        assert positions(page)[NAME][0] == pytest.approx(MARGIN, abs=0.01)
        assert NAME in header_text(page)


@pytest.mark.parametrize(
    "damaged",
    [
        b"not an image at all",
        png(300, 150)[:120],  # cut short
        png(300, 150)[:60] + bytes(range(256)) * 4,  # a PNG header, then noise
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0" + b"\x00" * 40,  # a JPEG that stops at its first marker
    ],
)
def test_a_damaged_logo_is_left_out(damaged: bytes) -> None:
    reader = PdfReader(io.BytesIO(two_pages(dataclasses.replace(LETTERHEAD, logo=damaged))))
    assert len(reader.pages) == 2
    assert image_objects(reader) == []
    for page in reader.pages:
        assert NAME in header_text(page)
        assert positions(page)[NAME][0] == pytest.approx(MARGIN, abs=0.01)


@pytest.mark.parametrize(
    ("pixels", "size_mm"),
    [
        ((300, 300), (12, 12)),  # square: 12 mm high
        ((600, 300), (24, 12)),  # 2:1
        ((600, 100), (35, 35 / 6)),  # too wide at 12 mm high: 35 mm wide, lower
        ((100, 300), (4, 12)),  # tall
    ],
)
def test_the_logo_is_12_mm_high_and_at_most_35_mm_wide(
    pixels: tuple[int, int], size_mm: tuple[float, float]
) -> None:
    logo = layout._read_logo(png(*pixels))
    assert logo is not None
    mm = LOGO_HEIGHT / 12
    assert logo.width == pytest.approx(size_mm[0] * mm)
    assert logo.height == pytest.approx(size_mm[1] * mm)
    assert logo.width <= LOGO_MAX_WIDTH + 1e-9


def test_a_wide_logo_leaves_room_for_the_name() -> None:
    data = two_pages(dataclasses.replace(LETTERHEAD, logo=png(600, 100)))
    reader = PdfReader(io.BytesIO(data))
    for page in reader.pages:
        x, _y = positions(page)[NAME]
        assert x == pytest.approx(MARGIN + LOGO_MAX_WIDTH + LOGO_GAP, abs=0.1)
        # the contact line is wrapped into the narrower room, never lost
        assert "amu@example.be" in header_text(page)


def test_the_letterhead_takes_the_office_s_logo() -> None:
    logo = png(120, 60)
    office = SimpleNamespace(
        name=NAME, address="", phone="", email="", bce=None, logo=logo, kind="cpas"
    )
    letterhead = Letterhead.from_office(office)
    assert letterhead.logo == logo
    assert "logo" not in repr(letterhead)  # never dumps the image into a log
    assert Letterhead.from_office(SimpleNamespace(**{**vars(office), "logo": None})).logo is None
    assert Letterhead.from_office(SimpleNamespace(**{**vars(office), "logo": b""})).logo is None


def test_the_receipt_carries_the_logo_on_both_copies() -> None:
    value = receipt_facts(
        language="en", letterhead=dataclasses.replace(LETTERHEAD, logo=png(600, 300))
    )
    render_receipt(value)
    start = time.perf_counter()
    data = render_receipt(value)
    print(f"render_receipt with a 600×300 logo: {(time.perf_counter() - start) * 1000:.1f} ms")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    assert len(image_objects(reader)) == 1
    first, second = page_images(reader)
    assert len(first) == 1 and first == second
    assert "APPLICANT'S COPY" in header_text(reader.pages[0])
    assert "FILE COPY" in header_text(reader.pages[1])
    for page in reader.pages:
        assert NAME in header_text(page)


@pytest.mark.parametrize("issue", [documents.issue_receipt, documents.issue_aamu_form])
def test_issued_documents_carry_the_office_s_logo(store: Store, issue: Any) -> None:
    with store.transaction() as session:
        save_office(session=session, kind="cpas", name=NAME, logo=png(300, 150))
    request_id = make_request(store)
    with store.transaction() as session:
        issued = issue(request_id, session=session, language="fr", now=NOW)
        reader = PdfReader(io.BytesIO(issued.pdf))
    assert len(image_objects(reader)) == 1
    assert all(len(images) == 1 for images in page_images(reader))
    assert all(NAME in header_text(page) for page in reader.pages)
