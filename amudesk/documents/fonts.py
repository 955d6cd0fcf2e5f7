"""The embedded Unicode font of every PDF: DejaVu Sans, regular, bold, oblique, bold oblique.

reportlab's built-in fonts know Latin-1 only: a Cyrillic, Vietnamese or Polish name would
come out as black boxes or vanish. DejaVu Sans (resources/fonts, with its licence) covers
Latin with every diacritic, Greek, Cyrillic, Armenian, Georgian, Hebrew and Arabic letters
(drawn as they are, without joining), and is embedded (subset) in each PDF.

Nothing happens at import: :func:`register_fonts` registers the family the first time a
document asks for it (from any thread) and hands back the names to use. User text placed
in a ``Paragraph`` goes through :func:`paragraph_text`, so that ``<``, ``&`` and line
breaks in a name or an address are shown as typed, never read as markup.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from amudesk.i18n import _

FONTS_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "fonts"
FAMILY = "DejaVuSans"
FONT_FILES: dict[str, str] = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bold_italic": "DejaVuSans-BoldOblique.ttf",
}
LICENCE_FILE = "LICENSE-DejaVu.txt"

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


def paragraph_text(user_text: object) -> str:
    """``user_text`` made safe for a reportlab ``Paragraph``: ``&``, ``<``, ``>`` and quotes
    escaped, line breaks kept (``<br/>``), control characters dropped. ``None`` gives ''."""
    if user_text is None:
        return ""
    text = str(user_text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROLS.sub("", text)
    escaped = escape(text, {'"': "&quot;", "'": "&#39;"})
    return escaped.replace("\n", "<br/>")
