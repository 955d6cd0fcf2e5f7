"""Re-extract the messages and update the fr, nl and en catalogs (``make translations``).

Existing translations are kept; new messages arrive untranslated in fr and nl
(the test suite then lists them) and are copied as they are into en, whose source
text is English already. Messages no longer in the code are dropped.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "_n": (1, 2)}
LANGUAGES = ("fr", "nl", "en")


def template() -> Catalog:
    catalog = Catalog(project="AMU Desk", msgid_bugs_address="", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT / "amudesk", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        catalog.add(
            message,
            None,
            [(f"amudesk/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def update(language: str, pot: Catalog) -> tuple[int, int]:
    path = TRANSLATIONS / language / "LC_MESSAGES" / "amudesk.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language)
    else:
        catalog = Catalog(locale=language, project="AMU Desk", charset="utf-8")
    catalog.update(pot, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    catalog.fuzzy = False  # the header is reviewed: no entry of the catalog is a guess
    missing = 0
    for message in catalog:
        if not message.id:
            continue
        if language == "en" and not _translated(message.string):
            message.string = message.id
        if not _translated(message.string):
            missing += 1
    with path.open("wb") as handle:
        write_po(
            handle, catalog, width=100, omit_header=False, sort_output=True, include_lineno=False
        )
    return len(catalog), missing


def _translated(value: object) -> bool:
    if isinstance(value, (tuple, list)):
        return all(value)
    return bool(value)


def main() -> int:
    pot = template()
    TRANSLATIONS.mkdir(exist_ok=True)
    with (TRANSLATIONS / "amudesk.pot").open("wb") as handle:
        write_po(handle, pot, width=100, sort_output=True, include_lineno=False)
    for language in LANGUAGES:
        total, missing = update(language, pot)
        print(f"{language}: {total} messages, {missing} untranslated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
