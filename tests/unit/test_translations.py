"""Every string the code marks for translation is translated in fr, nl and en."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "_n": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def _extracted() -> set[str]:
    messages: set[str] = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        ROOT / "amudesk", method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        messages.add(message[0] if isinstance(message, tuple) else message)
    return messages


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    return _extracted()


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_catalog_translates_every_message(extracted: set[str], language: str) -> None:
    path = ROOT / "translations" / language / "LC_MESSAGES" / "amudesk.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing = []
    bad_placeholders = []
    for message in sorted(extracted):
        entry = catalog.get(message)
        translated = entry.string if entry is not None else ""
        if isinstance(translated, tuple):
            translated = translated[0]
        if not translated or (entry is not None and entry.fuzzy):
            missing.append(message)
        elif set(PLACEHOLDER.findall(translated)) != set(PLACEHOLDER.findall(message)):
            bad_placeholders.append(message)
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:10]}"
    assert bad_placeholders == [], f"placeholders differ in {language}: {bad_placeholders[:10]}"
