"""Text folding for search and matching: case, accents and scripts ignored.

"Nguyễn" and "nguyen", "Öztürk" and "ozturk", "Иванов" and "ivanov" fold to the
same key, so a person is found however the name is typed at the desk.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces."""
    if not text:
        return ""
    return _NON_WORD.sub(" ", anyascii(text).casefold()).strip()


# What comes before the commune in a folded CPAS name ("cpas de la", "ocmw", "cpas d").
_CPAS_PREFIX = re.compile(
    r"^(?:cpas|ocmw)(?:\s+(?:de\s+la\s+ville\s+de|de\s+la|de|d|du|des|van\s+de|van|stad))?\s+"
)


def cpas_commune(name: str) -> str:
    """The commune part of a CPAS's name, folded: "CPAS d'Ixelles" → "ixelles", "OCMW
    Sint-Gillis" → "sint gillis"."""
    return _CPAS_PREFIX.sub("", fold(name)).strip()


def fold_tokens(text: str | None) -> list[str]:
    return fold(text).split()


def non_latin(text: str) -> bool:
    """Whether ``text`` has letters of a script other than Latin (Cyrillic, Arabic, Greek…):
    "Nguyễn" is Latin with accents; "Иванов" is not."""
    return any(
        char.isalpha() and not unicodedata.name(char, "").startswith("LATIN") for char in text
    )


def latin_proposal(family_name: str, given_names: str) -> str:
    """The names in Latin letters as a transliteration proposes them ("" when they are in
    Latin letters already), family name in capitals as on Belgian forms. A proposal only:
    registers may spell a name otherwise, and the desk lets the worker correct it."""
    if not non_latin(f"{family_name} {given_names}"):
        return ""
    family = " ".join(anyascii(family_name).split()).upper()
    given = " ".join(anyascii(given_names).split())
    return f"{family} {given}".strip()


# Characters that change how the text around them is shown without being seen themselves:
# explicit embeddings, overrides and isolates (U+202A–202E, U+2066–2069), and the marks.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def is_control(char: str) -> bool:
    """A character a terminal or a message box would act on or hide: C0 and C1 controls,
    DEL, line and paragraph separators, the bidi controls, and the lone surrogates a file
    name that is not valid UTF-8 decodes to (printing one would raise)."""
    code = ord(char)
    return (
        code < 0x20
        or 0x7F <= code < 0xA0
        or 0xD800 <= code < 0xE000
        or char in "\u2028\u2029"
        or char in BIDI_CONTROLS
    )


def shown(text: str) -> str:
    """``text`` safe to echo in a one-line message: every control character written as an
    escape (``\\n``, ``\\x1b``, ``\\u202e``), so a file name cannot move the cursor, clear
    the terminal, break the line or turn the rest of the message around."""
    if not any(is_control(char) for char in text):
        return text
    parts = []
    for char in text:
        if not is_control(char):
            parts.append(char)
        elif char in _ESCAPES:
            parts.append(_ESCAPES[char])
        elif ord(char) < 0x100:
            parts.append(f"\\x{ord(char):02x}")
        else:
            parts.append(f"\\u{ord(char):04x}")
    return "".join(parts)
