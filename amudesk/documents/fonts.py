"""The embedded Unicode font of every PDF: DejaVu Sans, regular, bold, oblique, bold oblique.

reportlab's built-in fonts know Latin-1 only: a Cyrillic, Vietnamese or Polish name would
come out as black boxes or vanish. DejaVu Sans (resources/fonts, with its licence) covers
Latin with every diacritic, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic, and is
embedded (subset) in each PDF. reportlab draws characters one after the other, left to right:
:func:`visual` first joins Arabic letters into their contextual forms (``arabic-reshaper``,
with only the ligatures the font has) and puts right-to-left runs in visual order
(``python-bidi``), so that "محمد" prints joined and in the right direction.

Nothing happens at import: :func:`register_fonts` registers the family the first time a
document asks for it (from any thread) and hands back the names to use. User text placed
in a ``Paragraph`` goes through :func:`paragraph_text`, so that ``<``, ``&`` and line
breaks in a name or an address are shown as typed, never read as markup; text drawn straight
on a canvas goes through :func:`visual`.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from amudesk.bundled import resources_dir
from amudesk.i18n import _

FONTS_DIR = resources_dir() / "fonts"
FAMILY = "DejaVuSans"
FONT_FILES: dict[str, str] = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bold_italic": "DejaVuSans-BoldOblique.ttf",
}
LICENCE_FILE = "LICENSE-DejaVu.txt"
# The characters both the regular and the bold face draw (scripts/font_coverage.py writes it).
COVERAGE_FILE = FONTS_DIR / "coverage.txt"

# C0 controls but tab and line feed, DEL and C1 controls: not drawable, and some make
# reportlab's parser fail. Carriage returns are handled as line ends first.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class FontError(Exception):
    """The embedded fonts are missing or unreadable; the message says which file."""


@dataclass(frozen=True)
class FontNames:
    """The reportlab names of the registered faces, for styles and canvas calls."""

    family: str
    regular: str
    bold: str
    italic: str
    bold_italic: str


_lock = threading.Lock()
_registered: FontNames | None = None
_reshaper: Any = None
_coverage: frozenset[int] | None = None
# Right-to-left letters (Hebrew, Arabic and their presentation forms): only text holding one
# of them needs reshaping and reordering; the rest is returned as it is, at no cost.
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def font_path(face: str) -> Path:
    """The TTF file of ``face`` (regular, bold, italic or bold_italic)."""
    return FONTS_DIR / FONT_FILES[face]


def register_fonts() -> FontNames:
    """Register DejaVu Sans with reportlab (once; later calls return at once) and return the
    face names. ``<b>`` and ``<i>`` in a Paragraph styled with ``family`` use the matching
    faces. Raises FontError when a font file is missing or damaged."""
    global _registered
    if _registered is not None:
        return _registered
    with _lock:
        if _registered is None:
            _registered = _register()
    return _registered


def _register() -> FontNames:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    names = FontNames(
        family=FAMILY,
        regular=FAMILY,
        bold=f"{FAMILY}-Bold",
        italic=f"{FAMILY}-Oblique",
        bold_italic=f"{FAMILY}-BoldOblique",
    )
    faces = {
        "regular": names.regular,
        "bold": names.bold,
        "italic": names.italic,
        "bold_italic": names.bold_italic,
    }
    for face, name in faces.items():
        path = font_path(face)
        try:
            pdfmetrics.registerFont(TTFont(name, str(path)))
        except (OSError, TTFError) as exc:
            raise FontError(
                _("The font file {path} cannot be read ({detail}); reinstall AMU Desk.").format(
                    path=path, detail=exc
                )
            ) from exc
    pdfmetrics.registerFontFamily(
        FAMILY,
        normal=names.regular,
        bold=names.bold,
        italic=names.italic,
        boldItalic=names.bold_italic,
    )
    return names


def visual(value: str) -> str:
    """``value`` as reportlab must draw it: Arabic letters joined (contextual forms) and
    right-to-left runs in visual order, each line on its own. Text without right-to-left
    letters comes back unchanged."""
    if not _RTL.search(value):
        return value
    from bidi import get_display

    reshaper = _arabic_reshaper()
    return "\n".join(get_display(reshaper.reshape(line)) for line in value.split("\n"))


def has_right_to_left(value: str) -> bool:
    """Whether ``value`` holds Hebrew or Arabic letters (then it needs :func:`visual`)."""
    return _RTL.search(value) is not None


def joined(value: str) -> str:
    """Arabic letters of ``value`` in their contextual (joined) forms, still in reading
    order: for text that is broken into lines first and put in visual order line by line."""
    if not _RTL.search(value):
        return value
    reshaper = _arabic_reshaper()
    return "\n".join(reshaper.reshape(line) for line in value.split("\n"))


def one_line(value: str) -> str:
    """User text on one line, to be drawn: each control character made a space (it is not
    drawable), runs of white space (line breaks included) made one space."""
    return " ".join(_CONTROLS.sub(" ", value).split())


def base_direction(value: str) -> str:
    """ "R" when the first letter with a direction is right-to-left, else "L"."""
    for char in value:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "R"
        if kind == "L":
            return "L"
    return "L"


def visual_line(line: str, base: str) -> str:
    """One line already broken (and :func:`joined`) put in visual order, in a paragraph
    whose direction is ``base`` ("L" or "R")."""
    if not _RTL.search(line):
        return line
    from bidi import get_display

    return str(get_display(line, base_dir=base))


def _arabic_reshaper() -> Any:
    """An Arabic reshaper that uses only the ligatures the embedded font can draw (DejaVu
    has lam-alef, but not the word ligatures such as U+FDF2): built once."""
    global _reshaper
    if _reshaper is not None:
        return _reshaper
    with _lock:
        if _reshaper is None:
            import arabic_reshaper
            from arabic_reshaper.ligatures import LIGATURES

            cmap = coverage()
            configuration: dict[str, Any] = {"delete_harakat": False, "support_ligatures": True}
            for name, (_letters, forms) in LIGATURES:
                drawable = all(ord(char) in cmap for form in forms for char in form)
                configuration[name] = "yes" if drawable else "no"
            _reshaper = arabic_reshaper.ArabicReshaper(configuration=configuration)
    return _reshaper


def coverage() -> frozenset[int]:
    """The code points the embedded font draws in both its regular and bold faces, read
    from ``coverage.txt`` (fast: the fonts themselves are not loaded)."""
    global _coverage
    if _coverage is None:
        points: set[int] = set()
        try:
            lines = COVERAGE_FILE.read_text(encoding="ascii").splitlines()
        except OSError as exc:
            raise FontError(
                _("The font file {path} cannot be read ({detail}); reinstall AMU Desk.").format(
                    path=COVERAGE_FILE, detail=exc
                )
            ) from exc
        for line in lines:
            if line and not line.startswith("#"):
                start, _sep, end = line.partition("-")
                points.update(range(int(start, 16), int(end or start, 16) + 1))
        _coverage = frozenset(points)
    return _coverage


def undrawable(value: str) -> list[str]:
    """The characters of ``value`` that a document could not draw (they would print as
    empty boxes), in order of appearance, each once; white space is ignored. Arabic is
    checked in the joined forms that would be drawn."""
    drawable = coverage()
    missing: list[str] = []
    for source in (value, visual(value)):
        for char in source:
            if ord(char) in drawable or char.isspace():
                continue
            # A joined form the font lacks is reported as the letter that was typed.
            typed = unicodedata.normalize("NFKC", char) if source is not value else char
            if typed not in missing:
                missing.append(typed)
    return missing


def paragraph_text(user_text: object) -> str:
    """``user_text`` made safe for a reportlab ``Paragraph``: ``&``, ``<``, ``>`` and quotes
    escaped, line breaks kept (``<br/>``), control characters dropped, right-to-left scripts
    shaped (:func:`visual`). ``None`` gives ''."""
    if user_text is None:
        return ""
    text = str(user_text).replace("\r\n", "\n").replace("\r", "\n")
    return escape_markup(visual(_CONTROLS.sub("", text)))


def escape_markup(text: str) -> str:
    """``text`` for a Paragraph's markup as it is: control characters dropped, ``&``,
    ``<``, ``>`` and quotes escaped, line breaks as ``<br/>``."""
    escaped = escape(_CONTROLS.sub("", text), {'"': "&quot;", "'": "&#39;"})
    return escaped.replace("\n", "<br/>")
