"""Spreadsheets of requests, one row per request: what the import and the export share.

The columns (header names, in any order; an unknown column is refused unless mapped):

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
``latin_name``     the names in Latin letters, when the names use another script
``channel``        in_person, service, hospital, online, post or email (or their
                   French or Dutch words: par courrier, per e-mail…); in_person
                   when empty
``urgent``         yes/no; ``urgent_reason``: hospital, treatment, pregnancy,
                   child or other (with urgent only)
``status``         ``preparing`` for a request not filed yet: no ``cpas``, no
                   ``filed_on``, no decision, appeal or transfer; the other
                   statuses (an export writes them) follow the decision
``transferred_on``  the day the request was sent on to the competent CPAS;
                   ``transferred_to``: that CPAS (only with transferred_on)
=================  ============================================================

The headers may also be written in French or Dutch, in any case, with or without
accents, spaces, underscores or hyphens (``Nom``, ``prénom``, ``date de la demande``,
``voornaam``, ``datum aanvraag``…: :data:`HEADER_ALIASES`); the import is told what
other headers are (or to ignore them) by a mapping. ``cpas`` and ``filed_on`` may be
left out of a file that has a ``status`` column.

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

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from amudesk.i18n import N_, _
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
    # The front desk's (appended too).
    "latin_name",
    "channel",
    "urgent",
    "urgent_reason",
    "status",
    "transferred_on",
    "transferred_to",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("family_name", "given_names", "cpas", "filed_on")
# Required unless the file has a status column: a row "preparing" has neither.
FILING_COLUMNS: tuple[str, ...] = ("cpas", "filed_on")
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
    "latin_name": "latin_name",
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


# --- headers in the user's words -------------------------------------------------------

# What a mapping gives a header the import should leave out.
IGNORE = "ignore"
# Each column and the other names a header may give it, in French, Dutch and English.
# Headers are compared folded (:func:`fold_header`): case, accents, spaces, underscores,
# hyphens and other punctuation ignored ("Date de la demande" = "date_de_la_demande").
# No folded name may belong to two columns (tests/unit/test_import_headers.py).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "reference": (
        "référence",
        "réf",
        "ref",
        "numéro de dossier",
        "n° de dossier",
        "dossier",
        "referentie",
        "dossiernummer",
        "reference number",
        "file number",
    ),
    "family_name": (
        "nom",
        "nom de famille",
        "naam",
        "familienaam",
        "achternaam",
        "surname",
        "last name",
        "family name",
    ),
    "given_names": (
        "prénom",
        "prénoms",
        "voornaam",
        "voornamen",
        "first name",
        "first names",
        "given name",
        "given names",
        "forename",
        "forenames",
    ),
    "sex": ("sexe", "genre", "geslacht", "gender"),
    "birth_date": (
        "date de naissance",
        "né le",
        "née le",
        "naissance",
        "geboortedatum",
        "geboren op",
        "date of birth",
        "birth date",
        "birthdate",
        "dob",
    ),
    "niss": (
        "numéro national",
        "numéro de registre national",
        "registre national",
        "numéro niss",
        "numéro bis",
        "rijksregisternummer",
        "rijksregister",
        "insz",
        "insz-nummer",
        "bisnummer",
        "national number",
        "national register number",
    ),
    "nationality": ("nationalité", "nationaliteit", "citizenship"),
    "language": ("langue", "langues", "taal", "talen", "languages"),
    "photo": ("foto", "picture"),
    "cpas": (
        "ocmw",
        "cpas/ocmw",
        "ocmw/cpas",
        "cpas concerné",
        "betrokken ocmw",
        "centre public d'action sociale",
        "openbaar centrum voor maatschappelijk welzijn",
    ),
    "filed_on": (
        "date de la demande",
        "date demande",
        "date d'introduction",
        "introduite le",
        "date de réception",
        "reçue le",
        "datum aanvraag",
        "aanvraagdatum",
        "datum van de aanvraag",
        "ingediend op",
        "ontvangen op",
        "filed on",
        "date filed",
        "request date",
        "received on",
        "received at",
        "date received",
    ),
    "decision": ("décision", "beslissing", "kind of decision", "type de décision"),
    "decided_on": (
        "date de décision",
        "date de la décision",
        "décidée le",
        "décidé le",
        "datum beslissing",
        "beslissingsdatum",
        "beslist op",
        "decision date",
        "decided on",
    ),
    "notified_on": (
        "notifiée le",
        "notifié le",
        "date de notification",
        "date de la notification",
        "datum kennisgeving",
        "kennisgegeven op",
        "betekend op",
        "notified on",
        "notification date",
    ),
    "valid_from": (
        "valable du",
        "valable à partir du",
        "début de validité",
        "geldig vanaf",
        "geldig van",
        "valid from",
    ),
    "valid_to": (
        "valable jusqu'au",
        "fin de validité",
        "geldig tot",
        "einde geldigheid",
        "valid to",
        "valid until",
    ),
    "care_started_on": (
        "début des soins",
        "soins commencés le",
        "date des soins",
        "begin zorg",
        "begin van de zorg",
        "zorg begonnen op",
        "care started on",
        "care start",
    ),
    "care_kind": (
        "type de soins",
        "sorte de soins",
        "soort zorg",
        "type zorg",
        "zorgtype",
        "care kind",
        "kind of care",
        "care type",
    ),
    "refusal_reasons": (
        "motifs",
        "motifs du refus",
        "motifs de refus",
        "raisons du refus",
        "redenen",
        "redenen van weigering",
        "weigeringsredenen",
        "weigeringsgronden",
        "reasons",
        "refusal reasons",
    ),
    "court_ordered": (
        "sur jugement",
        "ordonnée par le tribunal",
        "exécution d'un jugement",
        "op vonnis",
        "bevolen door de rechtbank",
        "uitvoering van een vonnis",
        "court ordered",
    ),
    "court_judgment_on": (
        "date du jugement",
        "jugement du",
        "datum vonnis",
        "vonnis van",
        "judgment date",
        "judgment of",
        "court judgment on",
    ),
    "court_name": (
        "tribunal du jugement",
        "juridiction du jugement",
        "rechtbank van het vonnis",
        "judgment court",
        "court name",
    ),
    "appeal_filed_on": (
        "recours",
        "date du recours",
        "recours introduit le",
        "beroep",
        "datum beroep",
        "beroep ingesteld op",
        "beroep ingediend op",
        "appeal",
        "appeal date",
        "appeal filed on",
    ),
    "appeal_court": (
        "tribunal",
        "tribunal du recours",
        "tribunal du travail",
        "rechtbank",
        "arbeidsrechtbank",
        "rechtbank beroep",
        "court",
        "appeal court",
        "labour court",
    ),
    "appeal_outcome": (
        "issue du recours",
        "résultat du recours",
        "issue",
        "uitkomst beroep",
        "uitkomst van het beroep",
        "uitkomst",
        "appeal outcome",
        "outcome",
    ),
    "appeal_outcome_on": (
        "date de l'issue",
        "issue le",
        "date de l'issue du recours",
        "datum uitkomst",
        "uitkomst op",
        "datum uitspraak",
        "appeal outcome on",
        "outcome on",
        "outcome date",
    ),
    "consent_on": (
        "consentement",
        "consentement le",
        "date du consentement",
        "consentement donné le",
        "toestemming",
        "toestemming op",
        "datum toestemming",
        "toestemming gegeven op",
        "consent",
        "consent on",
        "consent date",
        "consent given on",
    ),
    "mandate": ("mandat", "mandaat", "procuration", "volmacht"),
    "consent_withdrawn_on": (
        "consentement retiré le",
        "retrait du consentement",
        "toestemming ingetrokken op",
        "intrekking toestemming",
        "consent withdrawn",
        "consent withdrawn on",
    ),
    "latin_name": (
        "nom_latin",
        "nom latin",
        "nom en lettres latines",
        "latijnse_naam",
        "latijnse naam",
        "naam in latijnse letters",
        "latin name",
        "name in latin letters",
    ),
    "channel": (
        "canal",
        "voie",
        "mode d'introduction",
        "introduite par",
        "kanaal",
        "wijze van aanvraag",
        "ingediend via",
        "filed through",
    ),
    "urgent": ("urgence", "urgente", "dringend", "spoed", "dringende", "urgency"),
    "urgent_reason": (
        "motif d'urgence",
        "motif de l'urgence",
        "raison de l'urgence",
        "pourquoi urgent",
        "reden dringendheid",
        "reden spoed",
        "reden van de spoed",
        "urgentiereden",
        "urgent reason",
        "urgency reason",
        "why urgent",
    ),
    "status": ("statut", "état", "état du dossier", "toestand", "stand van zaken", "case status"),
    "transferred_on": (
        "transmise le",
        "transmis le",
        "transférée le",
        "transféré le",
        "date de transmission",
        "date du transfert",
        "doorgestuurd op",
        "overgemaakt op",
        "datum doorsturing",
        "transferred on",
        "transfer date",
    ),
    "transferred_to": (
        "transmise à",
        "transmis à",
        "transférée à",
        "transféré à",
        "envoyée au",
        "cpas compétent",
        "doorgestuurd naar",
        "overgemaakt aan",
        "bevoegd ocmw",
        "transferred to",
        "sent to",
    ),
}
# Headers, as the import dialog names them (with the column's name beside it).
COLUMN_LABELS: dict[str, str] = {
    "reference": N_("Reference"),
    "family_name": N_("Family name"),
    "given_names": N_("Given names"),
    "sex": N_("Sex"),
    "birth_date": N_("Birth date"),
    "niss": N_("NISS"),
    "nationality": N_("Nationality"),
    "language": N_("Languages"),
    "photo": N_("Photo"),
    "cpas": N_("CPAS"),
    "filed_on": N_("Filed on"),
    "decision": N_("Decision"),
    "decided_on": N_("Decided on"),
    "notified_on": N_("Notified on"),
    "valid_from": N_("Valid from"),
    "valid_to": N_("Valid to"),
    "care_started_on": N_("Care started on"),
    "care_kind": N_("Kind of care"),
    "refusal_reasons": N_("Reasons for the refusal"),
    "court_ordered": N_("Ordered by a court"),
    "court_judgment_on": N_("Judgment of"),
    "court_name": N_("Court of the judgment"),
    "appeal_filed_on": N_("Appeal filed on"),
    "appeal_court": N_("Court"),
    "appeal_outcome": N_("Outcome"),
    "appeal_outcome_on": N_("Outcome on"),
    "consent_on": N_("Consent given on"),
    "mandate": N_("Mandate for letters"),
    "consent_withdrawn_on": N_("Consent withdrawn on"),
    "latin_name": N_("Name in Latin letters"),
    "channel": N_("Channel"),
    "urgent": N_("Urgent request"),
    "urgent_reason": N_("Why urgent"),
    "status": N_("Status"),
    "transferred_on": N_("Transferred on"),
    "transferred_to": N_("Sent to"),
}


def fold_header(text: str) -> str:
    """A header or a word as the import compares it: lower case, accents, spaces and
    punctuation (``_``, ``-``, ``'``, ``/``…) left out; other scripts' letters kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(
        char for char in decomposed if char.isalnum() and unicodedata.category(char) != "Mn"
    )


def header_index(aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Folded name → column, the column's own name among them; ValueError when one folded
    name would mean two columns."""
    index: dict[str, str] = {}
    for column, names in aliases.items():
        for name in (column, *names):
            key = fold_header(name)
            known = index.setdefault(key, column)
            if not key or known != column:
                raise ValueError(f"header {name!r} would mean {known!r} and {column!r}")
    return index


HEADER_INDEX: dict[str, str] = header_index(HEADER_ALIASES)


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


def csv_records(text: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of each record of a CSV text, its delimiter ";" or "," as its
    first line uses most; a record's line is the one it starts on. A record csv cannot
    read is a SpreadsheetError naming the file and the line."""
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_error(file, start, str(exc)) from None
        yield start, record


def _csv_error(file: str, line: int, reason: str) -> SpreadsheetError:
    """csv's own reasons name its internals (the field size limit); say what to do instead."""
    if "field larger than field limit" in reason:
        message = _(
            '{file}: line {line} has a cell far too long for a request; a quote “"” left '
            "open may have taken in the lines after it. Check that line."
        )
    elif "NUL" in reason:
        message = _(
            "{file}: line {line} holds a NUL character, so this is not a text spreadsheet; "
            "save it as “CSV UTF-8” and try again."
        )
    else:
        message = _('{file}: line {line} cannot be read; check the quotes “"” on that line.')
    return SpreadsheetError(message.format(file=file, line=line))
