"""Spreadsheets of requests, one row per request: what the import and the export share.

The columns (header names, in any order; an unknown column is refused):

=================  ============================================================
``reference``      optional; generated (AMU-2026-0042) from the filed year when empty
``family_name``    required
``given_names``    required
``sex``            F, M, X, U or empty
``birth_date``     YYYY-MM-DD, YYYY-MM or YYYY
``niss``           national register or BIS number
``nationality``    ISO 3166 alpha-2 code
``language``       ISO 639-1 codes, several separated by commas
``photo``          image file, relative to the spreadsheet's folder
``cpas``           required; commune or CPAS/OCMW name, in French or Dutch
``filed_on``       required; YYYY-MM-DD or YYYY-MM-DD HH:MM, Brussels time
``decision``       principle, guarantee, refusal, incompetent or empty
``decided_on``     required with a decision
``notified_on``    ``valid_from``  ``valid_to``: dates of the decision
``care_started_on``  ``care_kind`` (mediprima or other)
``refusal_reasons``  a refusal's or incompetence's reasons: keys of
                   :data:`amudesk.refusals.REASONS` separated by ``|``, each
                   optionally followed by ``: explanation`` (in which a
                   backslash escapes a ``|`` or a backslash)
``court_ordered``  yes/no (also oui/non, ja/nee, true/false, 1/0): the
                   decision carries out a labour court judgment
``court_judgment_on``  ``court_name``: the judgment, required when court_ordered
``appeal_filed_on``  the (first) appeal to the labour court, by registered letter
``appeal_court``   ``appeal_outcome`` (granted, partly, rejected, withdrawn or
                   revised) and ``appeal_outcome_on`` (required with an outcome)
``consent_on``     the person's consent (follow-up and statistics), signed
``mandate``        yes/no: the consent includes letters on the person's behalf
``consent_withdrawn_on``  the day that consent was withdrawn
=================  ============================================================

Files are ``.csv`` (UTF-8, with or without BOM, ``,`` or ``;`` between fields)
or ``.xlsx`` (first sheet). Rows are checked with the same rules as the forms;
every bad row is reported with its line number, column and reason. A row that
repeats a request already registered (same reference; without a reference, the
same person at the same CPAS on the same day) is a duplicate: it is listed, not
imported, or with ``update`` it corrects that request and its person.

No exported cell is ever a formula: a CSV cell whose text starts with = + - @, a
tab or a line break (after any number of ') gets one more ' in front, which the
CSV import takes off again; .xlsx cells are all written as text.

This module holds the columns, the errors, the problems of a row, the progress meter and
the neutralising of formulas. :mod:`amudesk.services.importing` reads a file and writes
its requests once :mod:`amudesk.services.importchecks` has checked its rows;
:mod:`amudesk.services.exporting` writes every request into a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from amudesk.i18n import _
from amudesk.text import shown

Progress = Callable[[int, int], None]

COLUMNS: tuple[str, ...] = (
    "reference",
    "family_name",
    "given_names",
    "sex",
    "birth_date",
    "niss",
    "nationality",
    "language",
    "photo",
    "cpas",
    "filed_on",
    "decision",
    "decided_on",
    "notified_on",
    "valid_from",
    "valid_to",
    "care_started_on",
    "care_kind",
    # The letters' facts (appended: files written before them keep their meaning).
    "refusal_reasons",
    "court_ordered",
    "court_judgment_on",
    "court_name",
    "appeal_filed_on",
    "appeal_court",
    "appeal_outcome",
    "appeal_outcome_on",
    "consent_on",
    "mandate",
    "consent_withdrawn_on",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("family_name", "given_names", "cpas", "filed_on")
DECISION_DATE_COLUMNS: tuple[str, ...] = ("decided_on", "notified_on", "valid_from", "valid_to")
# Columns of the file → the person's fields they set.
PERSON_COLUMNS: dict[str, str] = {
    "family_name": "family_name",
    "given_names": "given_names",
    "sex": "sex",
    "birth_date": "birth_date",
    "niss": "niss",
    "nationality": "nationality",
    "language": "languages",
    "photo": "photo",
}
COURT_COLUMNS: tuple[str, ...] = ("court_ordered", "court_judgment_on", "court_name")
APPEAL_COLUMNS: tuple[str, ...] = (
    "appeal_filed_on",
    "appeal_court",
    "appeal_outcome",
    "appeal_outcome_on",
)
CONSENT_COLUMNS: tuple[str, ...] = ("consent_on", "mandate", "consent_withdrawn_on")
# How a yes/no cell is written, and read (English, French, Dutch; case ignored).
YES, NO = "yes", "no"
YES_WORDS = frozenset({"yes", "y", "true", "1", "oui", "o", "ja", "j"})
NO_WORDS = frozenset({"no", "n", "false", "0", "non", "nee", "neen", ""})
REASON_SEPARATOR = "|"
# OWASP's "CSV injection": a cell starting so is a formula for Excel and LibreOffice.
_FORMULA_START = re.compile(r"^'*[=+\-@\t\r\n]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r\n]")


class SpreadsheetError(Exception):
    """The file as a whole cannot be used; ``str(error)`` is a sentence for the user."""


@dataclass
class RowProblem:
    """Why one row of the file was refused (or, in ``ImportReport.duplicates``, left out)."""

    line: int
    field: str
    message: str

    def describe(self) -> str:
        return _("line {line}: {field}: {message}").format(
            line=self.line, field=self.field, message=self.message
        )


# --- formulas --------------------------------------------------------------------------


def neutralised(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet program runs: one ' in front when it starts
    (after any number of ') with = + - @, a tab or a line break; :func:`restored` undoes it."""
    return "'" + text if _FORMULA_START.match(text) else text


def restored(text: str) -> str:
    """The text of a CSV cell written by :func:`neutralised` ("'=1+1" → "=1+1"); any other
    text ("'t Hooft") as it is."""
    return text[1:] if _NEUTRALISED.match(text) else text


# --- refusal reasons ---------------------------------------------------------------------


def format_reasons(reasons: list[tuple[str, str]]) -> str:
    """(key, explanation) pairs as one cell: "no-address|other: asked for a lease"; in an
    explanation, "|" and "\\" are written "\\|" and "\\\\"."""
    parts = []
    for key, explanation in reasons:
        if explanation:
            escaped = explanation.replace("\\", "\\\\").replace("|", "\\|")
            parts.append(f"{key}: {escaped}")
        else:
            parts.append(key)
    return REASON_SEPARATOR.join(parts)


def split_reasons(text: str) -> list[tuple[str, str]]:
    """The cell :func:`format_reasons` writes, read back into (key, explanation) pairs
    (the key as written, spaces around it removed); empty parts are skipped."""
    parts: list[str] = []
    current: list[str] = []
    characters = iter(text)
    for char in characters:
        if char == "\\":
            following = next(characters, "")
            current.append(following if following in ("|", "\\") else char + following)
        elif char == REASON_SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    pairs = []
    for part in parts:
        key, _colon, explanation = part.partition(":")
        if key.strip() or explanation.strip():
            pairs.append((key.strip(), explanation.strip()))
    return pairs


def file_name(path: Path) -> str:
    """The file's name, safe to show in a message."""
    return shown(path.name)


class Meter:
    """Reports progress about every 1 %: ``steps`` units of work shown as ``shown`` items."""

    def __init__(self, progress: Progress | None, steps: int, shown: int | None = None) -> None:
        self.progress = progress
        self.steps = max(steps, 1)
        self.shown = self.steps if shown is None else shown
        self.every = max(self.steps // 100, 1)
        self.done = 0
        self._reported = -1

    def _report(self) -> None:
        self._reported = self.done
        if self.progress is not None:
            self.progress(self.done * self.shown // self.steps, self.shown)

    def advance(self, steps: int = 1) -> None:
        self.done = min(self.done + steps, self.steps)
        if self.done - self._reported >= self.every or self.done == self.steps:
            self._report()

    def finish(self) -> None:
        self.done = self.steps
        if self._reported != self.steps:
            self._report()
