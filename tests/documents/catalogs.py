"""Whether a renderer's every message is in a language's catalog: the check each document's
tests run on its own module."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

from babel.messages.extract import extract_from_file

from amudesk import i18n

KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "_n": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def translation_problems(
    source: Path, language: str, same_in_every_language: set[str]
) -> tuple[list[str], list[str]]:
    """The messages of ``source`` left untranslated in ``language`` (but those, placeholders
    and punctuation aside, in ``same_in_every_language``: "CPAS", "Date"…), and those whose
    translation has other placeholders."""
    translations = i18n.translator(language)
    assert isinstance(translations, gettext.GNUTranslations)
    missing: list[str] = []
    bad_placeholders: list[str] = []
    for _line, message, _comments, _context in extract_from_file(
        "python", str(source), keywords=KEYWORDS
    ):
        if isinstance(message, tuple):
            pairs = [
                (message[0], translations.ngettext(message[0], message[1], 1)),
                (message[1], translations.ngettext(message[0], message[1], 5)),
            ]
        else:
            pairs = [(message, translations.gettext(message))]
        for original, translated in pairs:
            bare = PLACEHOLDER.sub("", original).strip(" .·")
            if translated == original and bare not in {"", *same_in_every_language}:
                missing.append(original)
            elif set(PLACEHOLDER.findall(translated)) != set(PLACEHOLDER.findall(original)):
                bad_placeholders.append(original)
    return missing, bad_placeholders
