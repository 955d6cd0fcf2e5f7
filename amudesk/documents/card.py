"""The durable medical card (carte médicale / medische kaart) of urgent medical aid.

The memorandum asks for one card model for every CPAS, printed on durable (laminated)
material because many holders sleep rough. It has the ID-1 (CR80) size of a bank card,
85.60 × 53.98 mm, and two sides:

- the front: a dark band with the title; the holder's photo (35:45) on the left; the family
  name (bold, upper case) and given names, the NISS or BIS number, the MediPrima number and
  the validity on the right; below them, on the whole width, whether the CPAS covers the
  ticket modérateur (patient's share) of ambulatory care, and the CPAS with its phone number;
- the back: what a care provider should do (look the person up in MediPrima, which is the
  reference; call the CPAS when in doubt), the office that issued the card and how to reach
  it, the card number, and a QR code holding the front's data (:func:`qr_payload`).

Two outputs: :func:`render_card` / :func:`render_cards` give card-size pages (front, back,
front, back...) for card printers; :func:`render_card_sheet` gives A4 sheets of 10 cards
(2 × 5, centred, with cut marks outside each card's corners) followed by a page of their
backs, mirrored so that printing on both sides, flipping on the long edge, puts each back
behind its front. Nothing is drawn closer than 3 mm to a card's edge, so that a slightly
misaligned cut or back still leaves everything on the card; no text is smaller than 5.5 pt.

Like the other renderers it is pure: it gets :class:`CardFacts` of plain values and returns
PDF bytes, drawing straight on the canvas (a sheet of 10 cards takes a few dozen ms).
User text goes through :func:`fonts.visual` (Arabic joined, right-to-left runs in visual
order) and is fitted with :func:`fit_line`: a long name shrinks down to a minimum size,
then is cut with an ellipsis; it never runs off the card.

The QR code comes from reportlab's encoder (``reportlab.graphics.barcode.qrencoder``, the
engine of ``QrCodeWidget``: no other dependency), but ``QrCodeWidget`` drawn through
``renderPDF`` costs about 100 ms a card (it chooses the mask twice, ~40 ms each time, and
draws each run of modules as a shape), which a sheet of 10 cannot afford. So the encoder
places the fixed patterns once per symbol version (:func:`_qr_layout`, cached), and this
module computes the codewords (the same bytes as reportlab's ``QRCode.createData``; the
Reed-Solomon generators cached), chooses the mask with row bit masks, and writes the dark
modules as one filled path: about 3 ms a card.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from babel.dates import format_skeleton

from amudesk import i18n
from amudesk.documents.fonts import FontNames, one_line, register_fonts, visual
from amudesk.documents.layout import MM, PAGE_HEIGHT, PAGE_WIDTH
from amudesk.documents.values import format_niss, latin_name
from amudesk.i18n import N_, gettext_for

# --- geometry (points) ------------------------------------------------------------------

CARD_WIDTH = 85.60 * MM  # ID-1 / CR80
CARD_HEIGHT = 53.98 * MM
SAFE = 3 * MM  # nothing is drawn closer to a card's edge
MIN_SIZE = 5.5  # no text is smaller (points)
NAME_MIN_SIZE = 6.0  # names shrink down to this size, then are cut with an ellipsis
DATE_FORMAT = "dd/MM/y"  # 01/04/2026

BAND_HEIGHT = 7 * MM
PHOTO_WIDTH = 20 * MM
PHOTO_HEIGHT = PHOTO_WIDTH * 45 / 35  # an ID photo is 35 × 45 mm
PHOTO_X = SAFE
PHOTO_TOP = CARD_HEIGHT - SAFE - BAND_HEIGHT - 1.6 * MM
PHOTO_Y = PHOTO_TOP - PHOTO_HEIGHT
TEXT_X = PHOTO_X + PHOTO_WIDTH + 2.5 * MM  # the column right of the photo
TEXT_WIDTH = CARD_WIDTH - SAFE - TEXT_X
FULL_WIDTH = CARD_WIDTH - 2 * SAFE
TICKET_HEIGHT = 5 * MM  # the tinted line of the ticket modérateur, under the photo
TICKET_Y = PHOTO_Y - 1.5 * MM - TICKET_HEIGHT

QR_SIZE = 22 * MM  # the symbol and its light margin, on the back's top right corner
QR_BORDER = 2  # light modules around the symbol, inside QR_SIZE (the card is blank around)
QR_X = CARD_WIDTH - SAFE - QR_SIZE
QR_Y = CARD_HEIGHT - SAFE - QR_SIZE
QR_KEYS = ("FN", "GN", "NISS", "MP", "FROM", "TO", "TM", "CPAS", "TEL")

# A4 sheet: 2 columns × 5 rows, centred, apart by gutters that hold the cut marks.
SHEET_COLUMNS = 2
SHEET_ROWS = 5
CARDS_PER_SHEET = SHEET_COLUMNS * SHEET_ROWS
COLUMN_GAP = 8 * MM
ROW_GAP = 3 * MM
SHEET_LEFT = (PAGE_WIDTH - SHEET_COLUMNS * CARD_WIDTH - (SHEET_COLUMNS - 1) * COLUMN_GAP) / 2
SHEET_BOTTOM = (PAGE_HEIGHT - SHEET_ROWS * CARD_HEIGHT - (SHEET_ROWS - 1) * ROW_GAP) / 2
MARK_OFFSET = 0.8 * MM  # a cut mark starts this far from the card's corner...
MARK_LENGTH = 3 * MM  # ...and is this long (shorter in a narrow gutter: never on a card)
MARK_WIDTH = 0.3

# High contrast: cards are printed on office printers, often in black and white.
INK = "#000000"
MUTED = "#30363d"  # labels: dark grey, still high contrast
BAND = "#163b63"  # dark blue; white text on it
TINT = "#e6ecf3"  # light background of the ticket modérateur line
EMPTY_PHOTO = "#d9dde2"


@dataclass(frozen=True)
class CardFacts:
    """Everything a card shows, as plain values."""

    number: str  # the card number, "CM-2026-00012" (small, on the back)
    language: str  # fr | nl | en: the labels
    photo: bytes | None  # JPEG, 35:45; without one an empty framed box is drawn
    family_name: str
    given_names: str
    niss: str  # 11 digits or ""; shown formatted
    mediprima_number: str  # may be ""
    valid_from: dt.date
    valid_to: dt.date
    ticket_moderateur_covered: bool | None  # the CPAS covers the patient's share of
    # ambulatory care (ticket modérateur / remgeld); None: not stated
    cpas_name: str
    cpas_phone: str
    office_name: str  # the issuing office (back), in the card's language
    office_phone: str
    office_email: str
    latin_name: str = ""  # the names in Latin letters, under the names as written
    birth_date: str = ""  # "1985-07-30", "1985-07", "1985" or ""
    cpas_address: str = ""  # where to reach the CPAS when it has no phone number


# --- words ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Words:
    """The card's labels in one language."""

    title: str
    niss: str
    validity: str
    ticket: str
    covered: str
    not_covered: str
    cpas: str
    birth: str
    no_niss: str  # on the NISS line of a holder without one: whom to ask...
    no_niss_mediprima: str  # ...or, with a MediPrima number, to use it
    providers: str
    steps: tuple[str, ...]
    issued_by: str
    phone: str
    email: str
    card_number: str


@functools.lru_cache(maxsize=8)
def _words(language: str) -> _Words:
    def t(message: str) -> str:
        return gettext_for(language, message)

    return _Words(
        title=t(N_("Medical card — urgent medical aid")),
        niss=t(N_("NISS / BIS")),
        validity=t(N_("Validity")),
        ticket=t(N_("Ticket modérateur (ambulatory care):")),
        covered=t(N_("covered by the CPAS")),
        not_covered=t(N_("not covered")),
        cpas=t(N_("CPAS")),
        birth=t(N_("Born")),
        no_niss=t(N_("none: ask the CPAS")),
        no_niss_mediprima=t(N_("none: see the MediPrima no.")),
        providers=t(N_("For care providers")),
        steps=(
            t(
                N_(
                    "Before giving care, look the person up in MediPrima with the NISS or "
                    "BIS number."
                )
            ),
            t(N_("This card alone does not prove coverage: MediPrima is the reference.")),
            t(N_("In case of doubt, call the CPAS (number on the front).")),
        ),
        issued_by=t(N_("Issued by")),
        phone=t(N_("Phone")),
        email=t(N_("E-mail")),
        card_number=t(N_("Card number")),
    )


def title_of(language: str) -> str:
    """The card's title in ``language``."""
    return _words(language).title


# --- text fitting -----------------------------------------------------------------------

_ELLIPSIS = "…"


def fit_line(
    value: str, font: str, size: float, min_size: float, width: float
) -> tuple[str, float]:
    """User text ready to be drawn on one line at most ``width`` points wide: shaped
    (:func:`fonts.visual`), at ``size`` when it fits, else at the largest size down to
    ``min_size`` that fits, else at ``min_size`` cut with an ellipsis. Returns the text to
    draw and its size."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    text = one_line(value)
    shown = visual(text)
    full = stringWidth(shown, font, size)
    if full <= width:
        return shown, size
    # A width grows with the size in proportion: the largest size that fits, to 0.05 pt.
    fitted = math.floor(size * width / full * 20) / 20
    if fitted >= min_size:
        return shown, fitted
    return visual(_cut(text, font, min_size, width)), min_size


def _cut(text: str, font: str, size: float, width: float) -> str:
    """The longest start of ``text`` that, with an ellipsis and shaped, fits ``width``:
    logical text, to be shaped to draw (a right-to-left name loses its end, not its
    beginning). '' when not even the ellipsis fits."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    def start(length: int) -> str:
        return text[:length].rstrip() + _ELLIPSIS

    if stringWidth(_ELLIPSIS, font, size) > width:
        return ""
    low, high = 0, len(text)  # start(low) fits; find the largest such length
    while low < high:
        middle = (low + high + 1) // 2
        if stringWidth(visual(start(middle)), font, size) <= width:
            low = middle
        else:
            high = middle - 1
    while 0 < low < len(text) and unicodedata.combining(text[low]):
        low -= 1  # never separate a letter from its accent
    return start(low)


def wrap(value: str, font: str, size: float, width: float) -> list[str]:
    """``value`` broken at spaces into lines at most ``width`` points wide (a word longer
    than a line is cut with an ellipsis). Lines are logical text: shape them to draw."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for word in one_line(value).split(" "):
        candidate = f"{current} {word}" if current else word
        if stringWidth(visual(candidate), font, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        if stringWidth(visual(word), font, size) > width:
            lines.append(_cut(word, font, size, width))
            current = ""
    if current:
        lines.append(current)
    return lines


@dataclass(frozen=True)
class _Block:
    """Paragraphs fitted into a box: their lines (logical text) and the size."""

    size: float
    leading: float
    paragraphs: tuple[tuple[str, ...], ...]


def _fit_block(
    paragraphs: Sequence[str],
    font: str,
    size: float,
    min_size: float,
    width: float,
    height: float,
    gap: float,
) -> _Block:
    """``paragraphs`` wrapped to ``width``, at the largest size from ``size`` down to
    ``min_size`` (by 0.25 pt) at which they take at most ``height`` points (``gap`` between
    paragraphs); at ``min_size`` the lines that do not fit are dropped, the last one shown
    ending with an ellipsis."""
    current = size
    while True:
        leading = current * 1.2
        wrapped = [wrap(paragraph, font, current, width) for paragraph in paragraphs]
        lines = sum(len(lines) for lines in wrapped)
        needed = lines * leading + gap * (len(wrapped) - 1)
        if needed <= height + 0.01 or current <= min_size:
            break
        current = max(min_size, current - 0.25)
    if needed > height + 0.01:
        wrapped = _truncate(wrapped, font, current, width, height, leading, gap)
    return _Block(current, leading, tuple(tuple(lines) for lines in wrapped))


def _truncate(
    wrapped: list[list[str]],
    font: str,
    size: float,
    width: float,
    height: float,
    leading: float,
    gap: float,
) -> list[list[str]]:
    kept: list[list[str]] = []
    used = 0.0
    for lines in wrapped:
        room = int((height - used - (gap if kept else 0) + 0.01) // leading)
        if room <= 0:
            break
        if room < len(lines):
            last = lines[room - 1] + " " + " ".join(lines[room:])
            kept.append([*lines[: room - 1], _cut(last, font, size, width)])
            break
        kept.append(lines)
        used += (gap if len(kept) > 1 else 0) + len(lines) * leading
    return kept


# --- the QR code ------------------------------------------------------------------------


def _niss_value(niss: str) -> str:
    digits = "".join(niss.split())
    return digits if len(digits) == 11 and digits.isdigit() else one_line(niss)


def qr_payload(facts: CardFacts) -> str:
    """What the QR code holds: the data printed on the front and nothing else (no photo,
    no card number), one ``KEY:value`` per line in this order: FN family name, GN given
    names, NISS (the NISS or BIS number, 11 digits), MP MediPrima number, FROM and TO
    validity (ISO dates), TM ticket modérateur of ambulatory care covered (yes, no, empty
    when not stated), CPAS name, TEL the CPAS's phone. An unknown value is empty."""
    ticket = {True: "yes", False: "no", None: ""}[facts.ticket_moderateur_covered]
    values = (
        one_line(facts.family_name),
        one_line(facts.given_names),
        _niss_value(facts.niss),
        one_line(facts.mediprima_number),
        facts.valid_from.isoformat(),
        facts.valid_to.isoformat(),
        ticket,
        one_line(facts.cpas_name),
        one_line(facts.cpas_phone),
    )
    return "\n".join(f"{key}:{value}" for key, value in zip(QR_KEYS, values, strict=True))


# GF(256) of QR codes (x^8 + x^4 + x^3 + x^2 + 1): exponentials (doubled, to skip a modulo)
# and logarithms.
_EXP = [0] * 510
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _EXP[_power + 255] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
del _value, _power

_ECI_UTF8 = 26  # the ECI designator of UTF-8
_MASKS = 8
_RUN = re.compile(r"0{5,}|1{5,}")
_DARK_RUN = re.compile(r"1+")


@functools.lru_cache(maxsize=64)
def _generator(degree: int) -> tuple[int, ...]:
    """The Reed-Solomon generator polynomial of ``degree`` (leading 1 left out), as logs."""
    poly = [1]
    for power in range(degree):
        product = [*poly, 0]
        for index, coefficient in enumerate(poly):
            if coefficient:
                product[index + 1] ^= _EXP[_LOG[coefficient] + power]
        poly = product
    return tuple(_LOG[coefficient] for coefficient in poly[1:])


def _error_correction(data: Sequence[int], degree: int) -> list[int]:
    generator = _generator(degree)
    remainder = [0] * degree
    for byte in data:
        factor = byte ^ remainder.pop(0)
        remainder.append(0)
        if factor:
            log = _LOG[factor]
            for index, coefficient in enumerate(generator):
                remainder[index] ^= _EXP[log + coefficient]
    return remainder


@functools.lru_cache(maxsize=160)
def _blocks(version: int, level: int) -> tuple[tuple[int, int], ...]:
    """The (total, data) codewords of each block of a symbol."""
    from reportlab.graphics.barcode.qrencoder import QRRSBlock

    return tuple(
        (block.totalCount, block.dataCount) for block in QRRSBlock.getRSBlocks(version, level)
    )


def _data_bits(length: int, eci: bool, version: int) -> int:
    return (12 if eci else 0) + 4 + (8 if version < 10 else 16) + 8 * length


def _version(length: int, eci: bool, level: int) -> int | None:
    for version in range(1, 41):
        capacity = sum(data for _total, data in _blocks(version, level))
        if _data_bits(length, eci, version) <= capacity * 8:
            return version
    return None


def qr_codewords(data: bytes, eci: bool, version: int, level: int) -> list[int]:
    """The codewords of a byte-mode symbol holding ``data`` (after an ECI header naming
    UTF-8 when ``eci``): data and error correction, interleaved, as placed in the symbol."""
    blocks = _blocks(version, level)
    capacity = sum(data_count for _total, data_count in blocks)
    bits = 0
    count = 0

    def put(value: int, width: int) -> None:
        nonlocal bits, count
        bits = (bits << width) | value
        count += width

    if eci:
        put(0b0111, 4)
        put(_ECI_UTF8, 8)
    put(0b0100, 4)
    put(len(data), 8 if version < 10 else 16)
    put(int.from_bytes(data, "big"), 8 * len(data))
    put(0, min(4, capacity * 8 - count))  # terminator
    put(0, -count % 8)
    stream = list(bits.to_bytes(count // 8, "big"))
    pad = 0xEC
    while len(stream) < capacity:
        stream.append(pad)
        pad ^= 0xEC ^ 0x11
    data_blocks: list[list[int]] = []
    correction_blocks: list[list[int]] = []
    offset = 0
    for total, data_count in blocks:
        block = stream[offset : offset + data_count]
        offset += data_count
        data_blocks.append(block)
        correction_blocks.append(_error_correction(block, total - data_count))
    out: list[int] = []
    for group in (data_blocks, correction_blocks):
        for index in range(max(len(block) for block in group)):
            out.extend(block[index] for block in group if index < len(block))
    return out


def _penalty(rows: Sequence[int], size: int) -> int:
    """The mask penalty of ISO/IEC 18004 (runs of one colour, 2×2 blocks, finder-like
    patterns, balance of dark and light) of a symbol given as rows of bits."""
    lines = [format(row, f"0{size}b") for row in rows]
    lines += ["".join(column) for column in zip(*lines, strict=True)]
    runs = _RUN.findall("|".join(lines))  # rows and columns apart
    score = sum(map(len, runs)) - 2 * len(runs)
    # Light modules around each row and column (the quiet zone is light). Neither pattern
    # overlaps itself: counting the occurrences of each one finds them all.
    padded = "0000" + "0000".join(lines) + "0000"
    score += 40 * (padded.count("10111010000") + padded.count("00001011101"))
    full = (1 << size) - 1
    for upper, lower in zip(rows, rows[1:], strict=False):
        same = ~(upper ^ lower) & full
        score += 3 * (same & (same >> 1) & ~(upper ^ (upper >> 1))).bit_count()
    dark = sum(row.bit_count() for row in rows)
    score += 10 * (abs(dark * 20 - 10 * size * size) // (size * size))
    return score


@dataclass(frozen=True)
class _QrLayout:
    """What every symbol of a version and error correction level shares, as rows of bits
    (the leftmost module is the highest bit): where the data modules are and in which
    order, and for each mask pattern the modules it inverts and the fixed patterns (finder,
    timing, alignment, format and version information)."""

    size: int
    positions: tuple[tuple[int, int], ...]  # (row, bit) of each data module, in order
    data: tuple[int, ...]
    masks: tuple[tuple[int, ...], ...]
    fixed: tuple[tuple[int, ...], ...]


@functools.lru_cache(maxsize=32)
def _qr_layout(version: int, level: int) -> _QrLayout:
    """Built once from reportlab's encoder, which places the patterns."""
    from reportlab.graphics.barcode.qrencoder import QRCode, QRUtil

    size = 4 * version + 17
    probe = QRCode(version, level)
    probe.dataCache = [0] * sum(total for total, _data in _blocks(version, level))
    fixed: list[tuple[int, ...]] = []
    for mask in range(_MASKS):
        probe.makeImpl(False, mask)
        fixed.append(
            tuple(int("".join("1" if dark else "0" for dark in row), 2) for row in probe.modules)
        )
    cells = [(row, col) for col, row in probe.dataPosIterator()]
    data = [0] * size
    masks = [[0] * size for _mask in range(_MASKS)]
    for row, col in cells:
        bit = 1 << (size - 1 - col)
        data[row] |= bit
        for mask in range(_MASKS):
            if QRUtil.getMask(mask)(row, col):
                masks[mask][row] |= bit
    return _QrLayout(
        size=size,
        positions=tuple((row, size - 1 - col) for row, col in cells),
        data=tuple(data),
        masks=tuple(tuple(rows) for rows in masks),
        fixed=tuple(
            tuple(row & ~cells_row for row, cells_row in zip(rows, data, strict=True))
            for rows in fixed
        ),
    )


@functools.lru_cache(maxsize=256)
def qr_modules(payload: str) -> tuple[str, ...]:
    """The QR code of ``payload`` (UTF-8, byte mode, with an ECI header naming UTF-8 when
    it is not ASCII; error correction level M, or L when M would need more than 57 × 57
    modules; the mask of lowest penalty): its rows, top first, '1' for a dark module.
    Raises ValueError when the payload is too long for any symbol."""
    from reportlab.graphics.barcode.qrencoder import QRErrorCorrectLevel

    data = payload.encode("utf-8")
    eci = not payload.isascii()
    version: int | None = None
    level = QRErrorCorrectLevel.M
    for level in (QRErrorCorrectLevel.M, QRErrorCorrectLevel.L):
        version = _version(len(data), eci, level)
        if version is not None and version <= 10:
            break
    if version is None:
        raise ValueError(f"QR payload too long ({len(data)} bytes)")
    layout = _qr_layout(version, level)
    codewords = qr_codewords(data, eci, version, level)
    bits = int.from_bytes(bytes(codewords), "big")
    count = 8 * len(codewords)
    placed = [0] * layout.size  # the data modules, before masking
    for index, (row, bit) in enumerate(layout.positions[:count]):
        if bits >> (count - 1 - index) & 1:
            placed[row] |= 1 << bit
    best: tuple[int, list[int]] | None = None
    for mask in range(_MASKS):
        rows = [
            fixed | ((placed_row ^ inverted) & data_row)
            for fixed, placed_row, inverted, data_row in zip(
                layout.fixed[mask], placed, layout.masks[mask], layout.data, strict=True
            )
        ]
        score = _penalty(rows, layout.size)
        if best is None or score < best[0]:
            best = (score, rows)
    assert best is not None
    return tuple(format(row, f"0{layout.size}b") for row in best[1])


@functools.lru_cache(maxsize=256)
def _qr_operators(payload: str) -> tuple[int, str]:
    """The module count of the QR code of ``payload`` and the PDF operators that fill its
    dark modules, in module units (x to the right, y downwards from the top left corner):
    one rectangle for each run of dark modules in a row."""
    rows = qr_modules(payload)
    operators = [
        f"{run.start()} {index} {run.end() - run.start()} 1 re"
        for index, row in enumerate(rows)
        for run in _DARK_RUN.finditer(row)
    ]
    operators.append("f")
    return len(rows), "\n".join(operators)


def _draw_qr(canvas: Any, payload: str, x: float, y: float, size: float) -> None:
    """The QR code of ``payload`` in a ``size`` square (its light margin included) whose
    lower left corner is at ``x``, ``y``, in the current fill colour."""
    count, operators = _qr_operators(payload)
    module = size / (count + 2 * QR_BORDER)
    canvas.saveState()
    canvas.transform(module, 0, 0, -module, x + QR_BORDER * module, y + size - QR_BORDER * module)
    canvas.addLiteral(operators)
    canvas.restoreState()


# --- drawing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Palette:
    ink: Any
    muted: Any
    band: Any
    tint: Any
    empty_photo: Any
    white: Any


@functools.lru_cache(maxsize=1)
def _palette() -> _Palette:
    from reportlab.lib import colors

    return _Palette(
        ink=colors.HexColor(INK),
        muted=colors.HexColor(MUTED),
        band=colors.HexColor(BAND),
        tint=colors.HexColor(TINT),
        empty_photo=colors.HexColor(EMPTY_PHOTO),
        white=colors.white,
    )


def _format_date(value: dt.date, language: str) -> str:
    return i18n.format_date(value, DATE_FORMAT, locale=language)


def card_birth_date(value: str, language: str) -> str:
    """A birth date as the card prints it: a whole date like the validity (30/07/1985), a
    month and year with the month's short name ("juil. 1985", "jul 1985"), a year alone
    as it is; '' when unknown, and a malformed value as it is."""
    shown = value.strip()
    try:
        parts = [int(part) for part in shown.split("-")] if shown else []
        if len(parts) == 3:
            return _format_date(dt.date(*parts), language)
        if len(parts) == 2:
            month = dt.date(parts[0], parts[1], 1)
            return str(format_skeleton("yMMM", month, locale=i18n.babel_locale(language)))
    except ValueError:
        return one_line(shown)
    return one_line(shown)


# The words with which the CPAS's own names begin, in the directory and as offices type them.
_CPAS_WORDS = frozenset({"cpas", "ocmw", "pcsw"})


def names_a_cpas(name: str, label: str) -> bool:
    """True when ``name`` already says it is a CPAS ("CPAS de Saint-Gilles", "OCMW
    Sint-Gillis"): then no "CPAS" label goes before it."""
    words = one_line(name).casefold().split(" ")
    return bool(words[0]) and (words[0] in _CPAS_WORDS or words[0] == one_line(label).casefold())


@functools.lru_cache(maxsize=1)
def _photo_class() -> Any:
    """An ImageReader that does not decode a JPEG only to name it (built once, reportlab
    loaded lazily). ``canvas.drawImage`` tells images apart by a digest of their pixels,
    while a JPEG is embedded as it is (DCTDecode): its bytes name it as well, at no cost."""
    from reportlab.lib.utils import ImageReader

    class Photo(ImageReader):  # type: ignore[misc, unused-ignore]
        def __init__(self, data: bytes) -> None:
            super().__init__(io.BytesIO(data))
            self._bytes = data

        def getRGBData(self) -> Any:  # noqa: N802 (reportlab's name)
            if self.jpeg_fh() is not None:
                self._dataA = None  # no transparency in a JPEG
                return self._bytes
            return super().getRGBData()

    return Photo


def _photo_reader(photo: bytes | None) -> Any | None:
    """An ImageReader of the photo, or None when there is none or it cannot be read."""
    if not photo:
        return None
    try:
        reader = _photo_class()(photo)
        width, height = reader.getSize()
    except Exception:  # reportlab and Pillow raise many kinds on a damaged image
        return None
    return reader if width > 0 and height > 0 else None


def _draw_photo(canvas: Any, photo: bytes | None, palette: _Palette) -> None:
    x, y, width, height = PHOTO_X, PHOTO_Y, PHOTO_WIDTH, PHOTO_HEIGHT
    reader = _photo_reader(photo)
    if reader is None:
        canvas.setFillColor(palette.empty_photo)
        canvas.rect(x, y, width, height, stroke=0, fill=1)
    else:
        pixels_wide, pixels_high = reader.getSize()
        scale = max(width / pixels_wide, height / pixels_high)  # fill the box, crop the rest
        drawn_wide, drawn_high = pixels_wide * scale, pixels_high * scale
        canvas.saveState()
        clip = canvas.beginPath()
        clip.rect(x, y, width, height)
        canvas.clipPath(clip, stroke=0, fill=0)
        canvas.drawImage(
            reader,
            x + (width - drawn_wide) / 2,
            y + (height - drawn_high) / 2,
            drawn_wide,
            drawn_high,
        )
        canvas.restoreState()
    canvas.setStrokeColor(palette.ink)
    canvas.setLineWidth(0.6)
    canvas.rect(x, y, width, height, stroke=1, fill=0)


def _text(canvas: Any, x: float, y: float, shown: str, font: str, size: float) -> float:
    """Draw already shaped text; returns its width."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    canvas.setFont(font, size)
    canvas.drawString(x, y, shown)
    return float(stringWidth(shown, font, size))


def _label_value(
    canvas: Any,
    x: float,
    y: float,
    width: float,
    label: str,
    value: str,
    fonts: FontNames,
    sizes: tuple[float, float],
    palette: _Palette,
) -> float:
    """``label value`` on one line at most ``width`` wide, the label regular and muted, the
    value bold. Both shrink together down to MIN_SIZE; then the label is cut (down to a
    third of the line), then the value. Returns the width drawn."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    label_size, value_size = sizes
    gap = 1.2 * MM
    label_shown = visual(one_line(label))
    value_shown = visual(one_line(value))
    label_width = stringWidth(label_shown, fonts.regular, label_size)
    value_width = stringWidth(value_shown, fonts.bold, value_size)
    full = label_width + gap + value_width
    if full > width:
        ratio = max(width / full, MIN_SIZE / min(label_size, value_size))
        ratio = math.floor(ratio * 400) / 400
        label_size, value_size = label_size * ratio, value_size * ratio
        label_width = stringWidth(label_shown, fonts.regular, label_size)
        value_width = stringWidth(value_shown, fonts.bold, value_size)
    if label_width + gap + value_width > width:
        room = max(width - gap - value_width, width / 3)
        if label_width > room:
            label_shown = visual(_cut(one_line(label), fonts.regular, label_size, room))
            label_width = stringWidth(label_shown, fonts.regular, label_size)
        value_shown, value_size = fit_line(
            value, fonts.bold, value_size, value_size, width - label_width - gap
        )
        value_width = stringWidth(value_shown, fonts.bold, value_size)
    canvas.setFillColor(palette.muted)
    _text(canvas, x, y, label_shown, fonts.regular, label_size)
    canvas.setFillColor(palette.ink)
    _text(canvas, x + label_width + gap, y, value_shown, fonts.bold, value_size)
    return float(label_width + gap + value_width)


def draw_front(canvas: Any, x: float, y: float, facts: CardFacts) -> None:
    """The front of the card, its lower left corner at ``x``, ``y``."""
    fonts = register_fonts()
    palette = _palette()
    words = _words(facts.language)
    canvas.saveState()
    canvas.translate(x, y)

    # The band and the title.
    band_y = CARD_HEIGHT - SAFE - BAND_HEIGHT
    canvas.setFillColor(palette.band)
    canvas.roundRect(SAFE, band_y, FULL_WIDTH, BAND_HEIGHT, 1.2 * MM, stroke=0, fill=1)
    title, size = fit_line(words.title, fonts.bold, 8.5, MIN_SIZE, FULL_WIDTH - 4 * MM)
    canvas.setFillColor(palette.white)
    canvas.setFont(fonts.bold, size)
    canvas.drawCentredString(CARD_WIDTH / 2, band_y + BAND_HEIGHT / 2 - size * 0.36, title)

    _draw_photo(canvas, facts.photo, palette)

    # Names, and under them the names in Latin letters when they are written otherwise.
    canvas.setFillColor(palette.ink)
    family, size = fit_line(facts.family_name.upper(), fonts.bold, 11, NAME_MIN_SIZE, TEXT_WIDTH)
    _text(canvas, TEXT_X, PHOTO_TOP - 8.6, family, fonts.bold, size)
    given, size = fit_line(facts.given_names, fonts.regular, 9, NAME_MIN_SIZE, TEXT_WIDTH)
    _text(canvas, TEXT_X, PHOTO_TOP - 18.5, given, fonts.regular, size)
    latin = latin_name(facts.latin_name, facts.family_name, facts.given_names)
    if latin:
        canvas.setFillColor(palette.muted)
        shown, size = fit_line(latin, fonts.regular, 7, MIN_SIZE, TEXT_WIDTH)
        _text(canvas, TEXT_X, PHOTO_TOP - 26.5, shown, fonts.regular, size)

    # Numbers, birth date and validity: labels in a column of their own. Without a NISS
    # or BIS number, the line says how a care provider finds the holder instead: by the
    # MediPrima number on the next line, else through the CPAS (its phone is at the bottom).
    niss = format_niss(facts.niss) or (
        words.no_niss_mediprima if one_line(facts.mediprima_number) else words.no_niss
    )
    rows = [(words.niss, niss), ("MediPrima", one_line(facts.mediprima_number) or "—")]
    born = card_birth_date(facts.birth_date, facts.language)
    if born:
        rows.append((words.birth, born))
    rows.append(
        (
            words.validity,
            f"{_format_date(facts.valid_from, facts.language)} – "
            f"{_format_date(facts.valid_to, facts.language)}",
        )
    )
    step = 9.7 if latin or len(rows) > 3 else 12.5
    _draw_rows(canvas, rows, PHOTO_TOP - (35.5 if latin else 31), fonts, palette, step)

    # The ticket modérateur, on a tinted line, and the CPAS.
    ticket_y = TICKET_Y
    canvas.setFillColor(palette.tint)
    canvas.roundRect(SAFE, ticket_y, FULL_WIDTH, TICKET_HEIGHT, 0.8 * MM, stroke=0, fill=1)
    covered = {
        True: words.covered,
        False: words.not_covered,
        None: "—",
    }[facts.ticket_moderateur_covered]
    _label_value(
        canvas,
        SAFE + 1.2 * MM,
        ticket_y + 4.8,
        FULL_WIDTH - 2.4 * MM,
        words.ticket,
        covered,
        fonts,
        (7, 7.5),
        palette,
    )
    _draw_cpas(canvas, words.cpas, facts, SAFE + 1.2 * MM, SAFE + 2.5, fonts, palette)
    canvas.restoreState()


def _draw_rows(
    canvas: Any,
    rows: Sequence[tuple[str, str]],
    top: float,
    fonts: FontNames,
    palette: _Palette,
    step: float = 12.5,
) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    label_size, value_size = 6.5, 8.5
    labels = [
        fit_line(label, fonts.regular, label_size, MIN_SIZE, TEXT_WIDTH * 0.4) for label, _ in rows
    ]
    column = max(stringWidth(shown, fonts.regular, size) for shown, size in labels) + 2 * MM
    for index, ((shown, size), (_label, value)) in enumerate(zip(labels, rows, strict=True)):
        baseline = top - index * step
        canvas.setFillColor(palette.muted)
        _text(canvas, TEXT_X, baseline, shown, fonts.regular, size)
        canvas.setFillColor(palette.ink)
        value_shown, value_fitted = fit_line(
            value, fonts.bold, value_size, MIN_SIZE, TEXT_WIDTH - column
        )
        _text(canvas, TEXT_X + column, baseline, value_shown, fonts.bold, value_fitted)


def _draw_cpas(
    canvas: Any,
    label: str,
    facts: CardFacts,
    x: float,
    y: float,
    fonts: FontNames,
    palette: _Palette,
) -> None:
    """``CPAS  name · phone`` on one line: the phone is never cut, the name may be. A name
    that already says it is a CPAS ("CPAS de …", "OCMW …") goes without the label."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    width = FULL_WIDTH - 2.4 * MM
    label_shown, label_size = fit_line(label, fonts.regular, 7, MIN_SIZE, width * 0.25)
    label_width = stringWidth(label_shown, fonts.regular, label_size) + 1.5 * MM
    if names_a_cpas(facts.cpas_name, label):
        label_shown, label_width = "", 0.0
    phone = one_line(facts.cpas_phone)
    phone_text = visual(f" · {phone}") if phone else ""
    size = 8.0
    name = one_line(facts.cpas_name) or "—"
    room = width - label_width
    full = stringWidth(visual(name), fonts.bold, size) + stringWidth(
        phone_text, fonts.regular, size
    )
    if full > room:
        size = max(MIN_SIZE, math.floor(size * room / full * 20) / 20)
    if stringWidth(phone_text, fonts.regular, size) > room / 2:  # an odd, long phone
        phone_text, _size = fit_line(phone_text, fonts.regular, size, size, room / 2)
    phone_width = stringWidth(phone_text, fonts.regular, size)
    name_shown, size = fit_line(name, fonts.bold, size, size, room - phone_width)
    canvas.setFillColor(palette.muted)
    _text(canvas, x, y, label_shown, fonts.regular, label_size)
    canvas.setFillColor(palette.ink)
    name_width = _text(canvas, x + label_width, y, name_shown, fonts.bold, size)
    _text(canvas, x + label_width + name_width, y, phone_text, fonts.regular, size)


# The back: the instructions in a column left of the QR code, numbered; the card number
# under the QR code; the issuing office on the whole width, under a rule.
_STEPS_X = SAFE + 3.6 * MM  # the text, after the numbers
_STEPS_WIDTH = QR_X - 2.5 * MM - _STEPS_X
_STEPS_TOP = CARD_HEIGHT - SAFE - 16  # the baseline of the first line
_STEP_GAP = 1.8  # between two instructions
_RULE_Y = SAFE + 28  # the rule above the issuing office
_STEPS_HEIGHT = _STEPS_TOP - _RULE_Y - 5


def back_steps(facts: CardFacts) -> tuple[str, ...]:
    """The back's instructions for this card, in its language: how a care provider finds
    the holder in MediPrima (by the NISS or BIS number, or how without one), and whom to
    ask in case of doubt: the CPAS at the phone number on the front, else at its address,
    else the CPAS named on the front (never a number the card does not show)."""

    def t(message: str) -> str:
        return gettext_for(facts.language, message)

    first, second, third = _words(facts.language).steps
    if not format_niss(facts.niss):
        if one_line(facts.mediprima_number):
            first = t(
                N_(
                    "Before giving care, look the person up in MediPrima: without a NISS or "
                    "BIS number, use the MediPrima number on the front or ask the CPAS."
                )
            )
        else:
            first = t(
                N_(
                    "Before giving care, look the person up in MediPrima: without a NISS or "
                    "BIS number, ask the CPAS how to find them."
                )
            )
    if not one_line(facts.cpas_phone):
        address = ", ".join(
            one_line(line) for line in facts.cpas_address.splitlines() if line.strip()
        )
        if address:
            third = t(N_("In case of doubt, contact {cpas}, {address}.")).format(
                cpas=one_line(facts.cpas_name), address=address
            )
        else:
            third = t(N_("In case of doubt, contact the CPAS named on the front."))
    return (first, second, third)


@functools.lru_cache(maxsize=64)
def _instructions(steps: tuple[str, ...]) -> _Block:
    """The back's instructions fitted into their column (the same on most cards)."""
    fonts = register_fonts()
    return _fit_block(steps, fonts.regular, 7.5, MIN_SIZE, _STEPS_WIDTH, _STEPS_HEIGHT, _STEP_GAP)


def draw_back(canvas: Any, x: float, y: float, facts: CardFacts) -> None:
    """The back of the card, its lower left corner at ``x``, ``y``."""
    fonts = register_fonts()
    palette = _palette()
    words = _words(facts.language)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.setFillColor(palette.ink)

    heading, size = fit_line(words.providers, fonts.bold, 8.5, MIN_SIZE, QR_X - 2.5 * MM - SAFE)
    _text(canvas, SAFE, CARD_HEIGHT - SAFE - 7, heading, fonts.bold, size)
    block = _instructions(back_steps(facts))
    baseline = _STEPS_TOP
    for step, paragraph in enumerate(block.paragraphs, start=1):
        _text(canvas, SAFE, baseline, f"{step}.", fonts.bold, block.size)
        canvas.setFont(fonts.regular, block.size)
        for line in paragraph:
            canvas.drawString(_STEPS_X, baseline, visual(line))
            baseline -= block.leading
        baseline -= _STEP_GAP

    _draw_qr(canvas, qr_payload(facts), QR_X, QR_Y, QR_SIZE)
    centre = QR_X + QR_SIZE / 2
    shown, size = fit_line(words.card_number, fonts.regular, 6, MIN_SIZE, QR_SIZE)
    canvas.setFillColor(palette.muted)
    canvas.setFont(fonts.regular, size)
    canvas.drawCentredString(centre, QR_Y - 7, shown)
    shown, size = fit_line(facts.number, fonts.bold, 7.5, MIN_SIZE, QR_SIZE)
    canvas.setFillColor(palette.ink)
    canvas.setFont(fonts.bold, size)
    canvas.drawCentredString(centre, QR_Y - 15.5, shown)

    canvas.setStrokeColor(palette.band)
    canvas.setLineWidth(0.6)
    canvas.line(SAFE, _RULE_Y, CARD_WIDTH - SAFE, _RULE_Y)
    office = (
        (words.issued_by, facts.office_name, 7.5),
        (words.phone, facts.office_phone, 7.0),
        (words.email, facts.office_email, 7.0),
    )
    baseline = _RULE_Y - 9
    for label, value, value_size in office:
        if one_line(value):
            _label_value(
                canvas,
                SAFE,
                baseline,
                FULL_WIDTH,
                label,
                value,
                fonts,
                (6.5, value_size),
                palette,
            )
            baseline -= 8.2
    canvas.restoreState()


# --- documents --------------------------------------------------------------------------


def _canvas(buffer: io.BytesIO, size: tuple[float, float], cards: Sequence[CardFacts]) -> Any:
    from reportlab.pdfgen.canvas import Canvas

    if not cards:
        raise ValueError("no card to print")
    first = cards[0]
    canvas = Canvas(buffer, pagesize=size, lang=first.language)
    canvas.setTitle(title_of(first.language))
    canvas.setAuthor(first.office_name)
    canvas.setSubject(
        ", ".join(card.number for card in cards[:10]) + ("…" if len(cards) > 10 else "")
    )
    canvas.setCreator("AMU Desk")
    return canvas


def render_card(facts: CardFacts) -> bytes:
    """The PDF of one card for a card printer: two CR80 pages, the front then the back."""
    return render_cards([facts])


def render_cards(
    cards: Sequence[CardFacts], *, on_card: Callable[[int], None] | None = None
) -> bytes:
    """The PDF of several cards for a card printer: CR80 pages, front, back, front, back...
    ``on_card(n)`` is called once the n-th card is drawn (progress, and a moment for a
    background task to give the window its turn). Raises ValueError when ``cards`` is empty."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, (CARD_WIDTH, CARD_HEIGHT), cards)
    for number, facts in enumerate(cards, start=1):
        draw_front(canvas, 0, 0, facts)
        canvas.showPage()
        draw_back(canvas, 0, 0, facts)
        canvas.showPage()
        if on_card is not None:
            on_card(number)
    canvas.save()
    return buffer.getvalue()


def sheet_position(index: int) -> tuple[float, float]:
    """The lower left corner of the ``index``-th card (0 to 9) on a sheet of fronts: left
    to right, then top to bottom."""
    column, row = index % SHEET_COLUMNS, index // SHEET_COLUMNS
    x = SHEET_LEFT + column * (CARD_WIDTH + COLUMN_GAP)
    y = PAGE_HEIGHT - SHEET_BOTTOM - (row + 1) * CARD_HEIGHT - row * ROW_GAP
    return x, y


def back_position(index: int) -> tuple[float, float]:
    """Where the back of the ``index``-th card goes on the sheet of backs: the front's
    place mirrored left to right (the sheet is turned over on its long edge)."""
    x, y = sheet_position(index)
    return PAGE_WIDTH - x - CARD_WIDTH, y


def _cut_marks(canvas: Any, x: float, y: float, palette: _Palette) -> None:
    """Short lines prolonging the card's edges beyond its four corners, in the gutters and
    margins only: where a gutter is narrow the marks of two cards meet, never reaching
    either card."""
    path = canvas.beginPath()
    right, top = x + CARD_WIDTH, y + CARD_HEIGHT
    vertical = min(MARK_LENGTH, ROW_GAP - 2 * MARK_OFFSET)
    horizontal = min(MARK_LENGTH, COLUMN_GAP - 2 * MARK_OFFSET)
    outer_vertical = min(MARK_LENGTH, SHEET_BOTTOM - MARK_OFFSET)
    outer_horizontal = min(MARK_LENGTH, SHEET_LEFT - MARK_OFFSET)
    for corner_x in (x, right):
        for corner_y, direction in ((y, -1), (top, 1)):
            inner = SHEET_BOTTOM + 1 < corner_y < PAGE_HEIGHT - SHEET_BOTTOM - 1
            length = vertical if inner else outer_vertical
            start = corner_y + direction * MARK_OFFSET
            path.moveTo(corner_x, start)
            path.lineTo(corner_x, start + direction * length)
    for corner_y in (y, top):
        for corner_x, direction in ((x, -1), (right, 1)):
            inner = SHEET_LEFT + 1 < corner_x < PAGE_WIDTH - SHEET_LEFT - 1
            length = horizontal if inner else outer_horizontal
            start = corner_x + direction * MARK_OFFSET
            path.moveTo(start, corner_y)
            path.lineTo(start + direction * length, corner_y)
    canvas.setStrokeColor(palette.ink)
    canvas.setLineWidth(MARK_WIDTH)
    canvas.drawPath(path, stroke=1, fill=0)


def render_card_sheet(
    cards: Sequence[CardFacts], *, on_card: Callable[[int], None] | None = None
) -> bytes:
    """The PDF of cards on A4 sheets for an office printer: 10 fronts a page (2 columns ×
    5 rows, with cut marks), then a page with their backs mirrored left to right, so that
    printing both sides and flipping on the long edge puts each back behind its front.
    More than 10 cards take several pairs of pages. Print at actual size (100 %).
    ``on_card`` as for :func:`render_cards`. Raises ValueError when ``cards`` is empty."""
    palette = _palette()
    buffer = io.BytesIO()
    canvas = _canvas(buffer, (PAGE_WIDTH, PAGE_HEIGHT), cards)
    drawn = 0
    for sheet in _chunks(cards, CARDS_PER_SHEET):
        for index, facts in enumerate(sheet):
            x, y = sheet_position(index)
            draw_front(canvas, x, y, facts)
            _cut_marks(canvas, x, y, palette)
        canvas.showPage()
        for index, facts in enumerate(sheet):
            draw_back(canvas, *back_position(index), facts)
            drawn += 1
            if on_card is not None:
                on_card(drawn)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _chunks(cards: Sequence[CardFacts], size: int) -> Iterable[Sequence[CardFacts]]:
    for start in range(0, len(cards), size):
        yield cards[start : start + size]
