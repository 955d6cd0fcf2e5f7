"""Write resources/fonts/coverage.txt: the characters that both the regular and the bold face
of the embedded font can draw, as ranges of code points (one "XXXX-YYYY" per line).

The desk checks names against this list when they are typed, without loading the fonts
(which takes a fifth of a second); tests/documents/test_glyphs.py checks that the list
matches the font files. Run it again after replacing the fonts.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ranges(points: set[int]) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    for point in sorted(points):
        if found and found[-1][1] == point - 1:
            found[-1] = (found[-1][0], point)
        else:
            found.append((point, point))
    return found


def coverage_text() -> str:
    from reportlab.pdfbase import pdfmetrics

    from amudesk.documents.fonts import register_fonts

    names = register_fonts()
    regular = set(pdfmetrics.getFont(names.regular).face.charToGlyph)
    bold = set(pdfmetrics.getFont(names.bold).face.charToGlyph)
    lines = [f"{start:04X}-{end:04X}" for start, end in ranges(regular & bold)]
    header = "# Characters both DejaVu Sans and DejaVu Sans Bold draw (scripts/font_coverage.py)."
    return "\n".join([header, *lines]) + "\n"


def main() -> None:
    from amudesk.documents.fonts import COVERAGE_FILE

    COVERAGE_FILE.write_text(coverage_text(), encoding="ascii")
    print(COVERAGE_FILE)


if __name__ == "__main__":
    main()
