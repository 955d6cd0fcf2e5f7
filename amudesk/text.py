"""Text folding for search and matching: case, accents and scripts ignored.

"Nguyễn" and "nguyen", "Öztürk" and "ozturk", "Иванов" and "ivanov" fold to the
same key, so a person is found however the name is typed at the desk.
"""

from __future__ import annotations

import re

from anyascii import anyascii

_NON_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str | None) -> str:
    """Lower-case ASCII words separated by single spaces."""
    if not text:
        return ""
    return _NON_WORD.sub(" ", anyascii(text).casefold()).strip()


def fold_tokens(text: str | None) -> list[str]:
    return fold(text).split()
