"""Import and export of requests as spreadsheets: one row per request.

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
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col

from amudesk.i18n import BRUSSELS, _
from amudesk.models import CaseStatus, Channel, Cpas, Decision, DecisionKind, Person, Request
from amudesk.models.base import utcnow
from amudesk.services import FieldError, audit, cases, people
from amudesk.services import validation as v
from amudesk.services.directory import CpasMatcher, list_cpas
from amudesk.store import Store
from amudesk.text import fold, is_control, shown

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
Records = Generator[tuple[int, Sequence[object]], None, None]

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
# A request filed on a day without a time is taken as filed at noon, Brussels time:
# midnight would put it on the previous day in UTC and make the day ambiguous.
DEFAULT_FILED_TIME = dt.time(12, 0)
BATCH = 1000
EXPORT_SUFFIXES = (".csv", ".xlsx")
# The data folder's own folder for the .xlsx export's scratch files: the rows pass through
# it on their way into the workbook, so they never land in the system's temporary folder.
SCRATCH_FOLDER = "tmp"
SCRATCH_PREFIX = "export-"
# A scratch folder this old whose export no longer holds its lock was left by a crash.
SCRATCH_GRACE_SECONDS = 60

_FILED = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?$"
)
_AMU_REFERENCE = cases.REFERENCE_PATTERN
_LABEL = re.compile(r"^[^:\n]{1,60}?\s?:\s+(?=\S)")
# OWASP's "CSV injection": a cell starting so is a formula for Excel and LibreOffice.
_FORMULA_START = re.compile(r"^'*[=+\-@\t\r\n]")
_NEUTRALISED = re.compile(r"^'+[=+\-@\t\r\n]")
# How OOXML writes a character in a string: _x0009_ (a literal "_x" is written _x005F_x).
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Fields named by the services, as the columns of the file call them.
_COLUMN_OF_FIELD = {
    "languages": "language",
    "kind": "decision",
    "received_at": "filed_on",
    "cpas_id": "cpas",
}


class SpreadsheetError(Exception):
    """The file as a whole cannot be used; ``str(error)`` is a sentence for the user."""


class ImportCancelled(Exception):
    """The user cancelled the import; nothing was written."""


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


@dataclass
class ImportReport:
    """What an import did.

    ``imported``: new requests written; ``new_people``: people created for them;
    ``problems`` / ``bad_lines``: the refused rows; ``duplicates``: the rows that repeat
    a request already registered, or an earlier row of the file (field ``reference``, the
    message says which request): never imported, never a reason to refuse the file;
    ``updated``: with ``update=True``, the requests changed by their row (a row that
    changes nothing is among the duplicates).
    """

    imported: int
    new_people: int
    problems: list[RowProblem] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)
    duplicates: list[RowProblem] = field(default_factory=list)
    updated: int = 0

    @property
    def duplicate_lines(self) -> list[int]:
        return [duplicate.line for duplicate in self.duplicates]


# --- formulas --------------------------------------------------------------------------


def neutralised(text: str) -> str:
    """``text`` as a CSV cell no spreadsheet program runs: one ' in front when it starts
    (after any number of ') with = + - @, a tab or a line break; :func:`restored` undoes it."""
    return "'" + text if _FORMULA_START.match(text) else text


def restored(text: str) -> str:
    """The text of a CSV cell written by :func:`neutralised` ("'=1+1" → "=1+1"); any other
    text ("'t Hooft") as it is."""
    return text[1:] if _NEUTRALISED.match(text) else text


# --- reading the file ------------------------------------------------------------------


def _cell_text(value: object, column: str) -> str:
    """The text of a cell as a person would have typed it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return f"{value.date().isoformat()} {value.hour:02d}:{value.minute:02d}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return f"{value.hour:02d}:{value.minute:02d}"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e18:
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        # A NISS typed into a number cell loses its leading zeros (born 2000-2009).
        if column == "niss" and value >= 0 and 8 <= len(text) < 11:
            text = text.zfill(11)
        return text
    return str(value).strip()


def _file_name(path: Path) -> str:
    return shown(path.name)


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


def _read_csv_records(path: Path) -> Records:
    file = _file_name(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpreadsheetError(
            _("{file}: cannot read the file ({reason}).").format(file=file, reason=exc.strerror)
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpreadsheetError(
            _(
                "{file}: line {line} is not UTF-8 text; save the file as “CSV UTF-8” and try again."
            ).format(file=file, line=line)
        ) from None
    del raw
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
        yield start, [restored(cell) for cell in record]


def _ooxml_text(cell: object) -> object:
    """A cell's string as Excel shows it: openpyxl leaves the _xHHHH_ escapes in."""
    if isinstance(cell, str) and "_x" in cell:
        return _OOXML_ESCAPE.sub(lambda match: chr(int(match[1], 16)), cell)
    return cell


def _read_xlsx_records(path: Path) -> Records:
    from openpyxl import load_workbook

    file = _file_name(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise SpreadsheetError(
            _("{file}: this .xlsx file cannot be read ({reason}).").format(
                file=file, reason=type(exc).__name__
            )
        ) from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("{file}: the workbook has no sheet.").format(file=file))
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some programs write wrong dimensions; read every row
        try:
            for line, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield line, [_ooxml_text(cell) for cell in cells]
        except (SpreadsheetError, GeneratorExit):
            raise
        except Exception as exc:
            raise SpreadsheetError(
                _("{file}: this .xlsx file cannot be read ({reason}).").format(
                    file=file, reason=type(exc).__name__
                )
            ) from None
    finally:
        workbook.close()


def _header(cells: Sequence[object], file: str) -> dict[int, str]:
    """Column index → column name; SpreadsheetError for unknown, repeated or missing columns."""
    names = [_cell_text(cell, "").replace("\ufeff", "").strip().lower() for cell in cells]
    columns: dict[int, str] = {}
    unknown: list[str] = []
    for index, name in enumerate(names):
        if not name:
            continue
        if name not in COLUMNS:
            unknown.append(v.quoted(name))
        elif name in columns.values():
            raise SpreadsheetError(
                _("{file}: the column {column} appears twice.").format(file=file, column=name)
            )
        else:
            columns[index] = name
    if unknown:
        raise SpreadsheetError(
            _("{file}: unknown columns: {columns}. Known columns: {known}.").format(
                file=file, columns=", ".join(unknown[:10]), known=", ".join(COLUMNS)
            )
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in columns.values()]
    if missing:
        raise SpreadsheetError(
            _("{file}: required columns missing: {columns}.").format(
                file=file, columns=", ".join(missing)
            )
        )
    return columns


@dataclass
class Sheet:
    """The rows of a file: (line number, column → text), and the columns it has."""

    rows: list[tuple[int, dict[str, str]]]
    columns: frozenset[str]


def read_file(path: Path) -> Sheet:
    """The non-empty data rows of a .csv or .xlsx file and its columns.

    Every column of COLUMNS is in each row's dict ("" when absent from the file). Raises
    SpreadsheetError, and nothing else, for a file that cannot be used as a whole.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise SpreadsheetError(
            _("{file}: only .csv and .xlsx files can be imported.").format(file=_file_name(path))
        )
    if not path.is_file():
        raise SpreadsheetError(_("File not found: {path}").format(path=shown(str(path))))
    records = _read_csv_records(path) if suffix == ".csv" else _read_xlsx_records(path)
    with contextlib.closing(records):  # the workbook is closed even when a row is refused
        return _rows(records, _file_name(path))


def read_sheet(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The non-empty data rows of a .csv or .xlsx file, as (line number, column → text).

    Every column of COLUMNS is in each row's dict ("" when absent from the file).
    """
    return read_file(path).rows


def _rows(records: Records, file: str) -> Sheet:
    columns: dict[int, str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in records:
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        if columns is None:
            columns = _header(cells, file)
            continue
        row: dict[str, str] = dict.fromkeys(COLUMNS, "")
        for index, cell in enumerate(cells):
            name = columns.get(index)
            if name is not None:
                row[name] = _cell_text(cell, name)
            elif cell is not None and str(cell).strip():
                raise SpreadsheetError(
                    _(
                        "{file}: line {line} has a value in column {column}, which has no header."
                    ).format(file=file, line=line, column=index + 1)
                )
        rows.append((line, row))
    if columns is None:
        raise SpreadsheetError(_("{file}: the file is empty.").format(file=file))
    return Sheet(rows=rows, columns=frozenset(columns.values()))


# --- checking the rows -----------------------------------------------------------------


@dataclass(frozen=True)
class _PersonRef:
    """An existing person (``existing_id``) or one created by an earlier row (``new_index``)."""

    existing_id: int | None = None
    new_index: int | None = None


@dataclass
class _Known:
    """A person known by their NISS, with what tells whether a row speaks of them."""

    ref: _PersonRef
    family_name: str
    given_names: str
    birth_date: str | None
    line: int | None = None  # the row of the file that brought them, for new people


@dataclass
class _Update:
    """What a row changes in a request already registered (``update=True``)."""

    request_id: int
    person_id: int
    values: dict[str, Any]
    timed: bool  # filed_on gave the time, not only the day
    # The decision to write: (the decision it corrects, or None for a new one, its data);
    # None when the decisions stay as they are.
    decision: tuple[int | None, cases.DecisionData] | None


@dataclass
class _GoodRow:
    line: int
    person: _PersonRef
    cpas_id: int
    received_at: dt.datetime
    reference: str
    care_started_on: dt.date | None
    care_kind: str | None
    decision: cases.DecisionData | None
    update: _Update | None = None


@dataclass
class _Duplicate:
    """A row that repeats a request, and which one (a sentence for the report)."""

    line: int
    message: str


@dataclass
class _Filed:
    """A request already registered (``request_id``) or brought by an earlier row (``line``)."""

    reference: str
    request_id: int | None
    person_id: int | None
    niss: str | None
    line: int | None


_DayKey = tuple[Any, ...]


@dataclass
class _Context:
    folder: Path
    matcher: CpasMatcher
    session: Session  # reads only, while the rows are checked
    existing: dict[str, tuple[int, int]]  # reference → (request id, person id) in the database
    in_file: dict[str, int]  # reference → line of the file
    by_niss: dict[str, _Known]
    by_key: dict[tuple[str, str, str], _PersonRef]
    now: dt.datetime
    today: dt.date
    columns: frozenset[str]
    update: bool
    new_people: list[dict[str, Any]] = field(default_factory=list)
    # The requests by person, CPAS and day: the database's, read the first time a row has
    # no reference, and the file's, as its rows come.
    filed: dict[_DayKey, list[_Filed]] | None = None
    file_filed: dict[_DayKey, list[_Filed]] = field(default_factory=dict)
    claimed: dict[int, int] = field(default_factory=dict)  # request id → line updating it
    people_facts: dict[int, tuple[str | None, int | None, str | None]] | None = None
    latest: dict[int, Decision] | None = None


def _load_context(
    path: Path, session: Session, *, columns: frozenset[str], update: bool
) -> _Context:
    existing: dict[str, tuple[int, int]] = {
        reference: (request_id, person_id)
        for reference, request_id, person_id in session.execute(
            select(col(Request.reference), col(Request.id), col(Request.person_id))
        )
    }
    by_niss: dict[str, _Known] = {}
    by_key: dict[tuple[str, str, str], _PersonRef] = {}
    statement = select(
        col(Person.id),
        col(Person.family_name),
        col(Person.given_names),
        col(Person.birth_date),
        col(Person.niss),
    )
    for person_id, family, given, birth, niss in session.execute(
        statement.order_by(col(Person.id))
    ):
        ref = _PersonRef(existing_id=person_id)
        if niss:
            by_niss.setdefault(niss, _Known(ref, family, given, birth))
        by_key.setdefault(_person_key(family, given, birth), ref)
    return _Context(
        folder=path.parent.resolve(),
        matcher=CpasMatcher(list_cpas(session=session)),
        session=session,
        existing=existing,
        in_file={},
        by_niss=by_niss,
        by_key=by_key,
        now=utcnow(),
        today=dt.date.today(),
        columns=columns,
        update=update,
    )


def _person_key(family_name: str, given_names: str, birth_date: str | None) -> tuple[str, str, str]:
    return (" ".join(family_name.split()), " ".join(given_names.split()), birth_date or "")


def _folded(name: str) -> str:
    """A name for comparing: case, accents, script, spaces and hyphens ignored."""
    return fold(name).replace(" ", "")


def _dates_agree(first: str | None, second: str | None) -> bool:
    """Two birth dates (possibly partial, possibly unknown) that may be the same day."""
    if not first or not second:
        return True
    return all(
        a == b
        for a, b in zip(v.date_parts(first), v.date_parts(second), strict=True)
        if a is not None and b is not None
    )


def _same_person(known: _Known, values: dict[str, Any]) -> bool:
    return (
        _folded(known.family_name) == _folded(values["family_name"])
        and _folded(known.given_names) == _folded(values["given_names"])
        and _dates_agree(known.birth_date, values["birth_date"])
    )


def _without_label(message: str) -> str:
    """'Birth date: write the date…' → 'write the date…' (the column is named beside it)."""
    return _LABEL.sub("", message, count=1)


def _problem(line: int, error: FieldError) -> RowProblem:
    column = _COLUMN_OF_FIELD.get(error.field, error.field)
    return RowProblem(line=line, field=column, message=_without_label(error.message))


def _reference(text: str, line: int, context: _Context) -> str:
    """The row's reference, checked as the request form checks it; '' when empty."""
    reference = cases.check_reference(text)
    if not reference:
        return ""
    first = context.in_file.get(reference)
    if first is not None:
        raise FieldError(
            "reference",
            _("Reference: {reference} is already used on line {line}.").format(
                reference=reference, line=first
            ),
        )
    context.in_file[reference] = line
    return reference


def _photo(text: str, folder: Path) -> bytes | None:
    from amudesk.photos import PhotoError, load_photo_file

    value = text.strip()
    if not value:
        return None
    relative = value.replace("\\", "/")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(value).drive:
        raise FieldError("photo", _("Photo: give the path relative to the spreadsheet's folder."))
    if any(is_control(char) for char in value):
        raise FieldError("photo", _("Photo: this is not a file name."))
    try:
        target = (folder / relative).resolve()
    except (OSError, ValueError, RuntimeError):
        raise FieldError("photo", _("Photo: this is not a file name.")) from None
    if ".." in PurePosixPath(relative).parts or not target.is_relative_to(folder):
        raise FieldError("photo", _("Photo: the file must be inside the spreadsheet's folder."))
    try:
        return load_photo_file(target)
    except PhotoError as exc:
        raise FieldError("photo", str(exc)) from None
    except (OSError, ValueError):
        raise FieldError("photo", _("Photo: this file cannot be read.")) from None


def _received_at(text: str, birth_date: str | None) -> tuple[dt.datetime, bool]:
    """The moment the request was filed, and whether the row gave its time."""
    value = v.clean(text, "filed_on", _("Filed on"), required=True)
    match = _FILED.match(value)
    if not match:
        raise FieldError(
            "filed_on",
            _("Filed on: write the date as YYYY-MM-DD or YYYY-MM-DD HH:MM (got “{value}”).").format(
                value=v.quoted(value)
            ),
        )
    day = v.iso_date(match[1], "filed_on", _("Filed on"))
    assert day is not None
    moment = DEFAULT_FILED_TIME
    if match[2]:
        try:
            moment = dt.time(int(match[2]), int(match[3]), int(match[4] or 0))
        except ValueError:
            raise FieldError("filed_on", _("Filed on: this time does not exist.")) from None
    if day < cases.FIRST_FILING_DAY:  # before converting: year 1 has no day before it in UTC
        raise FieldError(
            "filed_on", _("Filed on: the date is before 1 January 2000; check the year.")
        )
    try:
        received = cases.to_utc(dt.datetime.combine(day, moment))
    except (OverflowError, ValueError):
        raise FieldError("filed_on", _("Filed on: the date is in the future.")) from None
    cases.check_received(received, birth_date=birth_date)
    return received, bool(match[2])


def _care(row: dict[str, str], context: _Context) -> tuple[dt.date | None, str | None]:
    started = v.iso_date(row["care_started_on"], "care_started_on", _("Care started on"))
    kind = row["care_kind"].strip().lower() or None
    cases.check_care(started, kind, today=context.today)
    return started, kind


def _decision(
    row: dict[str, str], received: dt.datetime, context: _Context
) -> cases.DecisionData | None:
    kind = row["decision"].strip().lower()
    if not kind:
        given = [name for name in DECISION_DATE_COLUMNS if row[name].strip()]
        if given:
            raise FieldError(
                given[0],
                _(
                    "{column}: give the kind of decision in the column “decision”, "
                    "or leave the decision dates empty."
                ).format(column=given[0]),
            )
        return None
    if kind not in cases.DECISION_LABELS:
        raise FieldError(
            "decision",
            _("Decision: use principle, guarantee, refusal or incompetent (got “{value}”).").format(
                value=v.quoted(row["decision"].strip())
            ),
        )
    data = cases.DecisionData(
        kind=kind,
        decided_on=v.iso_date(row["decided_on"], "decided_on", _("Decided on")),
        notified_on=v.iso_date(row["notified_on"], "notified_on", _("Notified on")),
        valid_from=v.iso_date(row["valid_from"], "valid_from", _("Valid from")),
        valid_to=v.iso_date(row["valid_to"], "valid_to", _("Valid to")),
    )
    cases.check_decision(data, cases.local_date(received), today=context.today)
    return data


def _languages(text: str) -> list[str]:
    return [part for part in re.split(r"[,;/\s]+", text) if part]


def _check_row(line: int, row: dict[str, str], context: _Context) -> _GoodRow | _Duplicate:
    """The row ready to be written, the request it repeats, or a FieldError for the first
    thing wrong with it."""
    reference = _reference(row["reference"], line, context)
    data = people.PersonData(
        family_name=row["family_name"],
        given_names=row["given_names"],
        sex=row["sex"],
        birth_date=row["birth_date"],
        niss=row["niss"],
        nationality=row["nationality"],
        languages=_languages(row["language"]),
    )
    values = people.checked_values(data, today=context.today, niss_agrees=True)
    values["photo"] = _photo(row["photo"], context.folder)
    cpas_text = v.clean(row["cpas"], "cpas", _("CPAS"), required=True)
    cpas = context.matcher.find(cpas_text)
    if cpas is None or cpas.id is None:
        raise FieldError(
            "cpas",
            _("CPAS: no CPAS of the directory is called “{name}”.").format(
                name=v.quoted(cpas_text)
            ),
        )
    received, timed = _received_at(row["filed_on"], values["birth_date"])
    care_started_on, care_kind = _care(row, context)
    decision = _decision(row, received, context)
    good = _GoodRow(
        line=line,
        person=_PersonRef(),
        cpas_id=cpas.id,
        received_at=received,
        reference=reference,
        care_started_on=care_started_on,
        care_kind=care_kind,
        decision=decision,
    )
    day = cases.local_date(received)
    if reference and reference in context.existing:
        request_id, person_id = context.existing[reference]
        same = _Filed(reference, request_id, person_id, None, None)
    elif reference:
        same = None
    else:
        known = context.by_niss.get(values["niss"]) if values["niss"] else None
        if known is not None and not _same_person(known, values):
            raise _niss_taken(known, context)  # not the same request: someone else's number
        same = _same_request(values, cpas.id, day, context)
    if same is not None:
        return _repeat(good, same, values, timed, context)
    good.person = _match_person(values, line, context)
    _remember(values, cpas.id, day, _Filed(reference, None, None, values["niss"], line), context)
    return good


# --- rows that repeat a request ------------------------------------------------------------


def _day_keys(
    niss: str | None,
    family_name: str,
    given_names: str,
    birth_date: str | None,
    cpas_id: int,
    day: dt.date,
) -> tuple[_DayKey | None, _DayKey]:
    by_niss = ("niss", niss, cpas_id, day) if niss else None
    by_name = (
        "name",
        _folded(family_name),
        _folded(given_names),
        birth_date or "",
        cpas_id,
        day,
    )
    return by_niss, by_name


def _filed_requests(context: _Context) -> dict[_DayKey, list[_Filed]]:
    """The requests of the database by person, CPAS and day, read once, when first needed."""
    if context.filed is None:
        filed: dict[_DayKey, list[_Filed]] = {}
        statement = (
            select(
                col(Request.reference),
                col(Request.id),
                col(Request.person_id),
                col(Request.cpas_id),
                col(Request.received_at),
                col(Person.niss),
                col(Person.family_name),
                col(Person.given_names),
                col(Person.birth_date),
            )
            .join(Person, col(Person.id) == col(Request.person_id))
            .order_by(col(Request.id))
        )
        for (
            reference,
            request_id,
            person_id,
            cpas_id,
            received,
            niss,
            family,
            given,
            birth,
        ) in context.session.execute(statement):
            entry = _Filed(reference, request_id, person_id, niss, None)
            day = cases.local_date(received)
            for key in _day_keys(niss, family, given, birth, cpas_id, day):
                if key is not None:
                    filed.setdefault(key, []).append(entry)
        context.filed = filed
    return context.filed


def _same_request(
    values: dict[str, Any], cpas_id: int, day: dt.date, context: _Context
) -> _Filed | None:
    """The request registered (or brought by an earlier row) for the same person — same
    NISS, or same names and birth date without a different NISS — at the same CPAS on
    the same day."""
    niss = values["niss"]
    by_niss, by_name = _day_keys(
        niss, values["family_name"], values["given_names"], values["birth_date"], cpas_id, day
    )
    for filed in (_filed_requests(context), context.file_filed):
        if by_niss is not None and filed.get(by_niss):
            return filed[by_niss][0]
        for entry in filed.get(by_name, []):
            if not niss or not entry.niss or entry.niss == niss:
                return entry
    return None


def _remember(
    values: dict[str, Any], cpas_id: int, day: dt.date, entry: _Filed, context: _Context
) -> None:
    for key in _day_keys(
        values["niss"],
        values["family_name"],
        values["given_names"],
        values["birth_date"],
        cpas_id,
        day,
    ):
        if key is not None:
            context.file_filed.setdefault(key, []).append(entry)


def _repeat(
    good: _GoodRow, same: _Filed, values: dict[str, Any], timed: bool, context: _Context
) -> _Duplicate | _GoodRow:
    """A duplicate of ``same``; with ``update``, the row that corrects it."""
    if same.request_id is None:
        return _Duplicate(
            good.line,
            _("the same request as line {line}; this row was not imported.").format(line=same.line),
        )
    first = context.claimed.get(same.request_id)
    if first is not None:
        return _Duplicate(
            good.line,
            _("the same request as line {line} ({reference}); this row was not used.").format(
                line=first, reference=same.reference
            ),
        )
    context.claimed[same.request_id] = good.line
    if not context.update:
        return _Duplicate(
            good.line,
            _("already registered as {reference}; this row was not imported.").format(
                reference=same.reference
            ),
        )
    assert same.person_id is not None
    _check_update(good, same, values, context)
    good.reference = same.reference
    good.person = _PersonRef(existing_id=same.person_id)
    good.update = _Update(
        request_id=same.request_id,
        person_id=same.person_id,
        values=values,
        timed=timed,
        decision=_decision_change(good, same.request_id, context),
    )
    return good


def _people_facts(context: _Context) -> dict[int, tuple[str | None, int | None, str | None]]:
    """Person id → (NISS, guardian id, birth date), read once, when a row first updates."""
    if context.people_facts is None:
        context.people_facts = {
            person_id: (niss, guardian_id, birth)
            for person_id, niss, guardian_id, birth in context.session.execute(
                select(
                    col(Person.id),
                    col(Person.niss),
                    col(Person.guardian_id),
                    col(Person.birth_date),
                )
            )
        }
    return context.people_facts


def _latest_decisions(context: _Context) -> dict[int, Decision]:
    """Request id → its latest decision (as cases.latest_decision orders them), read once."""
    if context.latest is None:
        latest: dict[int, Decision] = {}
        statement = select(Decision).order_by(
            col(Decision.request_id), col(Decision.decided_on), col(Decision.id)
        )
        for decision in context.session.scalars(statement):
            latest[decision.request_id] = decision
        context.latest = latest
    return context.latest


def _check_update(good: _GoodRow, same: _Filed, values: dict[str, Any], context: _Context) -> None:
    """What the row would make of the person of ``same``, checked before anything is written."""
    assert same.person_id is not None
    known_niss, guardian_id, known_birth = _people_facts(context)[same.person_id]
    niss = values["niss"] if "niss" in context.columns else known_niss
    if known_niss and niss and niss != known_niss:
        raise FieldError(
            "niss",
            _(
                "NISS: the request {reference} is for a person with another NISS; check the "
                "reference and the number."
            ).format(reference=same.reference),
        )
    known = context.by_niss.get(niss) if niss else None
    if known is not None and known.ref != _PersonRef(existing_id=same.person_id):
        raise _niss_taken(known, context)
    birth = values["birth_date"] if "birth_date" in context.columns else known_birth
    age = people.age_on(birth, context.today)
    if guardian_id is not None and age is not None and age >= people.ADULT_AGE:
        raise FieldError("birth_date", _("Birth date: a dependant must be under 18."))
    if niss:
        context.by_niss[niss] = _Known(
            _PersonRef(existing_id=same.person_id),
            values["family_name"],
            values["given_names"],
            birth,
        )


def _decision_change(
    good: _GoodRow, request_id: int, context: _Context
) -> tuple[int | None, cases.DecisionData] | None:
    """The decision the row writes: none when the latest one already says it (or the row
    has none), a new one when the row's comes later, else the latest one corrected."""
    row = good.decision
    if row is None or "decision" not in context.columns:
        return None
    latest = _latest_decisions(context).get(request_id)
    if latest is None:
        return None, row
    assert row.decided_on is not None
    said = (latest.kind, latest.decided_on, latest.notified_on, latest.valid_from, latest.valid_to)
    if said == (row.kind, row.decided_on, row.notified_on, row.valid_from, row.valid_to):
        return None
    if row.decided_on > latest.decided_on:
        return None, row
    positive = cases.positive_decision(row.kind)
    corrected = cases.DecisionData(
        kind=row.kind,
        decided_on=row.decided_on,
        notified_on=row.notified_on,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        mediprima_number=latest.mediprima_number,
        notification_method=latest.notification_method,
        posted_on=latest.posted_on,
        missing_mentions=latest.missing_mention_list,
        encoded_on=latest.encoded_on if positive else None,
        ticket_moderateur=latest.ticket_moderateur if positive else None,
    )
    cases.check_decision(corrected, cases.local_date(good.received_at), today=context.today)
    return latest.id, corrected


# --- people ----------------------------------------------------------------------------------


def _reference_of_person(person_id: int, context: _Context) -> str:
    return (
        context.session.scalar(
            select(col(Request.reference))
            .where(col(Request.person_id) == person_id)
            .order_by(col(Request.received_at).desc(), col(Request.id).desc())
            .limit(1)
        )
        or ""
    )


def _niss_taken(known: _Known, context: _Context) -> FieldError:
    if known.line is not None:
        message = _(
            "NISS: this number is given on line {line} for another person; check the number "
            "or the names."
        ).format(line=known.line)
    else:
        reference = (
            _reference_of_person(known.ref.existing_id, context)
            if known.ref.existing_id is not None
            else ""
        )
        if reference:
            message = _(
                "NISS: this number belongs to another person already registered (reference "
                "{reference}); check the number or the names."
            ).format(reference=reference)
        else:
            message = _(
                "NISS: this number belongs to another person already registered; check the "
                "number or the names."
            )
    return FieldError("niss", message)


def _match_person(values: dict[str, Any], line: int, context: _Context) -> _PersonRef:
    """The same person by NISS (when the names and birth date agree), else by names and
    birth date; a new one otherwise."""
    niss = values["niss"]
    if niss:
        known = context.by_niss.get(niss)
        if known is not None:
            if not _same_person(known, values):
                raise _niss_taken(known, context)
            return known.ref
    key = _person_key(values["family_name"], values["given_names"], values["birth_date"])
    if not niss:
        found = context.by_key.get(key)
        if found is not None:
            return found
    ref = _PersonRef(new_index=len(context.new_people))
    context.new_people.append(values)
    if niss:
        context.by_niss[niss] = _Known(
            ref, values["family_name"], values["given_names"], values["birth_date"], line
        )
    context.by_key.setdefault(key, ref)
    return ref


# --- writing ---------------------------------------------------------------------------


def _assign_references(rows: list[_GoodRow], taken: set[str], session: Session) -> None:
    """Give every row without a reference the next free number of its year's counter.

    Counters are raised past the numbers given in the file, so a reference
    generated later never collides with one that was imported.
    """
    floors: dict[int, int] = {}
    for row in rows:
        match = _AMU_REFERENCE.match(row.reference)
        if match:
            year, number = int(match[1]), int(match[2])
            floors[year] = max(floors.get(year, 0), number)
    years = set(floors) | {
        cases.local_date(row.received_at).year for row in rows if not row.reference
    }
    counters = {
        year: cases.raise_counter(
            cases.REFERENCE_PREFIX, year, floors.get(year, 0), session=session
        )
        for year in sorted(years)
    }
    for row in rows:
        if row.reference:
            continue
        counter = counters[cases.local_date(row.received_at).year]
        while True:
            counter.last += 1
            reference = cases.make_reference(counter.year, counter.last)
            if reference not in taken:
                break
        taken.add(reference)
        row.reference = reference
    session.flush()


def _person_rows(new_people: list[dict[str, Any]], now: dt.datetime) -> list[dict[str, Any]]:
    return [dict(values, created_at=now, updated_at=now) for values in new_people]


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _insert_returning_ids(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    if not rows:
        return []
    result = session.execute(
        insert(table).returning(table.c.id, sort_by_parameter_order=True), rows
    )
    return [int(row[0]) for row in result]


def _request_row(row: _GoodRow, person_id: int, now: dt.datetime) -> dict[str, Any]:
    status = CaseStatus.OPEN
    if row.decision is not None:
        status = cases.STATUS_OF_DECISION[DecisionKind(row.decision.kind)]
    return {
        "reference": row.reference,
        "person_id": person_id,
        "cpas_id": row.cpas_id,
        "received_at": row.received_at,
        "channel": Channel.IN_PERSON.value,
        "accompanied_by": "",
        "aamu_handed_in": False,
        "care_started_on": row.care_started_on,
        "care_kind": row.care_kind,
        "status": str(status),
        "created_at": now,
        "updated_at": now,
    }


def _decision_row(data: cases.DecisionData, request_id: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "kind": data.kind,
        "decided_on": data.decided_on,
        "notified_on": data.notified_on,
        "valid_from": data.valid_from,
        "valid_to": data.valid_to,
        "mediprima_number": "",
        "created_at": now,
    }


class _Meter:
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


def _write(
    rows: list[_GoodRow],
    context: _Context,
    session: Session,
    meter: _Meter,
    cancelled: Cancelled | None,
) -> int:
    """Insert the new people, the requests and their decisions; returns how many new people."""
    now = utcnow()
    _assign_references(rows, set(context.existing) | set(context.in_file), session)
    used = sorted({row.person.new_index for row in rows if row.person.new_index is not None})
    position = {index: n for n, index in enumerate(used)}
    person_rows = _person_rows([context.new_people[index] for index in used], now)
    person_ids: list[int] = []
    for start in range(0, len(person_rows), BATCH):
        _stop_if_cancelled(cancelled)
        person_ids += _insert_returning_ids(
            session, _table(Person), person_rows[start : start + BATCH]
        )
    for start in range(0, len(rows), BATCH):
        _stop_if_cancelled(cancelled)
        chunk = rows[start : start + BATCH]
        request_rows = []
        for row in chunk:
            ref = row.person
            person_id = (
                ref.existing_id
                if ref.existing_id is not None
                else person_ids[position[ref.new_index or 0]]
            )
            request_rows.append(_request_row(row, person_id, now))
        request_ids = _insert_returning_ids(session, _table(Request), request_rows)
        decisions = [
            _decision_row(row.decision, request_id, now)
            for row, request_id in zip(chunk, request_ids, strict=True)
            if row.decision is not None
        ]
        if decisions:
            session.execute(insert(_table(Decision)), decisions)
        meter.advance(len(chunk))
    return len(person_rows)


def _same_moment(stored: dt.datetime, moment: dt.datetime) -> bool:
    """The same moment, as precisely as the file gives it (an export gives the minute)."""
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=dt.UTC)
    if moment.second == 0 and moment.microsecond == 0:
        stored = stored.replace(second=0, microsecond=0)
    return stored == moment


def _update_person(update: _Update, person: Person, context: _Context, session: Session) -> bool:
    for column, name in PERSON_COLUMNS.items():
        if column not in context.columns:
            continue
        value = update.values[name]
        if name == "photo" and value is None:
            continue  # an export never holds the photos: an empty cell keeps the one known
        if getattr(person, name) != value:
            setattr(person, name, value)
    fields = audit.changed_fields(person)
    if not fields:
        return False
    person.search_text = people.search_text(person.family_name, person.given_names, person.niss)
    person.updated_at = context.now
    session.add(person)
    session.flush()
    audit.record_saved("person", person.id, session=session, created=False, fields=fields)
    return True


def _update_request(
    row: _GoodRow, update: _Update, request: Request, context: _Context, session: Session
) -> bool:
    if request.cpas_id != row.cpas_id:
        request.cpas_id = row.cpas_id
    same_day = cases.local_date(request.received_at) == cases.local_date(row.received_at)
    # A day without a time keeps the time known for that day.
    if not _same_moment(request.received_at, row.received_at) and (update.timed or not same_day):
        request.received_at = row.received_at
    if "care_started_on" in context.columns and request.care_started_on != row.care_started_on:
        request.care_started_on = row.care_started_on
    if "care_kind" in context.columns and request.care_kind != row.care_kind:
        request.care_kind = row.care_kind
    fields = audit.changed_fields(request)
    changed = bool(fields)
    if fields:
        request.updated_at = context.now
        session.add(request)
        session.flush()
        audit.record_saved(
            "request",
            request.id,
            session=session,
            created=False,
            fields=fields,
            reference=request.reference,
        )
    if update.decision is not None:
        decision_id, data = update.decision
        cases.record_decision(update.request_id, data, session=session, decision_id=decision_id)
        changed = True
    return changed


def _write_updates(
    rows: list[_GoodRow],
    context: _Context,
    session: Session,
    meter: _Meter,
    cancelled: Cancelled | None,
) -> list[_Duplicate]:
    """Correct the requests (and their people) the rows repeat; the rows that change
    nothing come back as duplicates."""
    unchanged: list[_Duplicate] = []
    for start in range(0, len(rows), BATCH):
        _stop_if_cancelled(cancelled)
        chunk = rows[start : start + BATCH]
        updates = [row.update for row in chunk if row.update is not None]
        person_ids = {update.person_id for update in updates}
        request_ids = {update.request_id for update in updates}
        found = {
            person.id: person
            for person in session.scalars(select(Person).where(col(Person.id).in_(person_ids)))
        }
        requests = {
            request.id: request
            for request in session.scalars(select(Request).where(col(Request.id).in_(request_ids)))
        }
        for row, update in zip(chunk, updates, strict=True):
            person_changed = _update_person(update, found[update.person_id], context, session)
            request = requests[update.request_id]
            if not _update_request(row, update, request, context, session) and not person_changed:
                unchanged.append(
                    _Duplicate(
                        row.line,
                        _("already registered as {reference}, with the same values.").format(
                            reference=row.reference
                        ),
                    )
                )
            meter.advance()
    return unchanged


def _stop_if_cancelled(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled(_("The import was cancelled; nothing was changed."))


def _duplicate_problem(duplicate: _Duplicate) -> RowProblem:
    return RowProblem(line=duplicate.line, field="reference", message=duplicate.message)


def import_file(
    path: Path,
    *,
    store: Store,
    skip_invalid: bool = False,
    update: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> ImportReport:
    """Import the requests of a .csv or .xlsx file (see the module's docstring for the columns).

    Every row is checked; each bad row is reported with its line (the header is
    line 1; for .xlsx the sheet's row number), its column and the reason. By
    default a single bad row means nothing is written; with ``skip_invalid`` the
    good rows are imported and the bad ones reported. Everything is written in
    one transaction, so a failure or a cancel (``cancelled()`` returning True,
    then :class:`ImportCancelled`) leaves the database as it was.

    A person is the same as one already known (in the database or on an earlier
    row) when the NISS is the same and so are the names and the birth date (a NISS
    known for someone else is a bad row), or, without NISS, when the family name,
    given names and birth date are the same; a known person is never modified.

    A row whose reference is registered already, or without a reference the same
    person at the same CPAS on the same day, is a duplicate: listed in
    ``ImportReport.duplicates`` and not imported. With ``update`` it corrects that
    request and its person instead (the columns the file has; an empty ``photo``
    keeps the photo; a decision later than the latest one is added, another one
    corrects the latest), each change audited as an edit.

    A date alone in ``filed_on`` means noon, Brussels time.
    """
    path = Path(path)
    sheet = read_file(path)
    rows = sheet.rows
    # Each row is checked, then written: two steps per row.
    meter = _Meter(progress, 2 * len(rows), len(rows))
    problems: list[RowProblem] = []
    good: list[_GoodRow] = []
    duplicates: list[_Duplicate] = []
    with store.session() as session:
        context = _load_context(path, session, columns=sheet.columns, update=update)
        for line, row in rows:
            _stop_if_cancelled(cancelled)  # cheap; a row with a photo can take a while
            try:
                checked = _check_row(line, row, context)
            except FieldError as error:
                problems.append(_problem(line, error))
            else:
                if isinstance(checked, _Duplicate):
                    duplicates.append(checked)
                else:
                    good.append(checked)
            meter.advance()
    bad_lines = [problem.line for problem in problems]
    if problems and not skip_invalid:
        meter.finish()
        log.info("import refused: %d rows, %d bad", len(rows), len(bad_lines))
        return ImportReport(
            imported=0,
            new_people=0,
            problems=problems,
            bad_lines=bad_lines,
            duplicates=[_duplicate_problem(d) for d in duplicates],
        )
    new_rows = [row for row in good if row.update is None]
    update_rows = [row for row in good if row.update is not None]
    meter.advance(len(duplicates))
    new_people = 0
    unchanged: list[_Duplicate] = []
    if good:
        try:
            with store.transaction() as session:
                new_people = _write(new_rows, context, session, meter, cancelled)
                unchanged = _write_updates(update_rows, context, session, meter, cancelled)
                _stop_if_cancelled(cancelled)
                audit.record(
                    "import",
                    session=session,
                    entity="request",
                    detail=(
                        f"rows={len(new_rows)};new_people={new_people};refused={len(bad_lines)}"
                        f";duplicates={len(duplicates) + len(unchanged)}"
                        f";updated={len(update_rows) - len(unchanged)}"
                    ),
                )
        except (IntegrityError, FieldError):
            # Someone saved a request or a person between the check and the write.
            raise SpreadsheetError(
                _(
                    "The data changed while the file was being imported; nothing was imported. Try again."
                )
            ) from None
    meter.finish()
    duplicates = sorted(duplicates + unchanged, key=lambda duplicate: duplicate.line)
    updated = len(update_rows) - len(unchanged)
    log.info(
        "import: %d requests, %d new people, %d bad rows, %d duplicates, %d updated",
        len(new_rows),
        new_people,
        len(bad_lines),
        len(duplicates),
        updated,
    )
    return ImportReport(
        imported=len(new_rows),
        new_people=new_people,
        problems=problems,
        bad_lines=bad_lines,
        duplicates=[_duplicate_problem(d) for d in duplicates],
        updated=updated,
    )


# --- export ----------------------------------------------------------------------------


def _date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _local_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(BRUSSELS)).strftime("%Y-%m-%d %H:%M")


def export_rows(session: Session) -> list[list[str]]:
    """One row of texts per request, in COLUMNS order, sorted by reference."""
    latest: dict[int, tuple[Any, ...]] = {}
    decisions = select(
        col(Decision.request_id),
        col(Decision.kind),
        col(Decision.decided_on),
        col(Decision.notified_on),
        col(Decision.valid_from),
        col(Decision.valid_to),
    ).order_by(col(Decision.request_id), col(Decision.decided_on), col(Decision.id))
    for decision in session.execute(decisions):
        latest[decision[0]] = tuple(decision[1:])
    statement = (
        select(
            col(Request.id),
            col(Request.reference),
            col(Person.family_name),
            col(Person.given_names),
            col(Person.sex),
            col(Person.birth_date),
            col(Person.niss),
            col(Person.nationality),
            col(Person.languages),
            col(Cpas.name_fr),
            col(Request.received_at),
            col(Request.care_started_on),
            col(Request.care_kind),
        )
        .join(Person, col(Person.id) == col(Request.person_id))
        .join(Cpas, col(Cpas.id) == col(Request.cpas_id))
        .order_by(col(Request.reference))
    )
    rows: list[list[str]] = []
    for r in session.execute(statement):
        kind, decided, notified, valid_from, valid_to = latest.get(
            r[0], ("", None, None, None, None)
        )
        rows.append(
            [
                r[1],
                r[2],
                r[3],
                "" if r[4] == "U" else r[4],
                r[5] or "",
                r[6] or "",
                r[7] or "",
                r[8] or "",
                "",
                r[9],
                _local_text(r[10]),
                kind,
                _date_text(decided),
                _date_text(notified),
                _date_text(valid_from),
                _date_text(valid_to),
                _date_text(r[11]),
                r[12] or "",
            ]
        )
    return rows


def _csv_bytes(rows: list[list[str]], meter: _Meter) -> bytes:
    """UTF-8 with a BOM (so Excel reads the accents), ``,`` between fields, CRLF; every
    cell that a spreadsheet program would take for a formula neutralised."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=",", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
        meter.advance()
    return text.getvalue().encode("utf-8-sig")


def _write_out(handle: BinaryIO, data: bytes | memoryview) -> None:
    """``data`` straight to the file under ``handle``, past its buffer: on a full disk
    the error comes here, and no buffered byte is left to fail again when it is closed."""
    handle.flush()
    view = memoryview(data)
    fd = handle.fileno()
    while view:
        view = view[os.write(fd, view) :]


def _write_csv(handle: BinaryIO, rows: list[list[str]], meter: _Meter) -> None:
    _write_out(handle, _csv_bytes(rows, meter))


def _write_xlsx(
    handle: BinaryIO, rows: list[list[str]], meter: _Meter, scratch: Path | None
) -> None:
    """Every cell a string (never a formula, a number or a link: NISS keep their leading
    zeros). The rows go through ``scratch`` (a private folder in the data folder), or stay
    in memory without one; never through the system's temporary folder."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    options: dict[str, Any] = {
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    if scratch is None:
        options["in_memory"] = True
    else:
        options.update(constant_memory=True, tmpdir=str(scratch))
    # The workbook is zipped in memory (a few MB for 100,000 rows), then written out: a
    # full disk then fails on a plain write, never half-way through the zip file.
    packed = io.BytesIO()
    workbook = xlsxwriter.Workbook(packed, options)
    try:
        sheet = workbook.add_worksheet(_("Requests")[:31])
        sheet.write_row(0, 0, COLUMNS)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if value:
                    sheet.write_string(number, column, value)
            meter.advance()
        try:
            workbook.close()
        except FileCreateError as exc:  # XlsxWriter wraps the OSError of its scratch files
            cause = exc.args[0] if exc.args else None
            if isinstance(cause, OSError):
                raise cause from None
            raise OSError(str(exc)) from None
        _write_out(handle, packed.getbuffer())
    finally:
        if not workbook.fileclosed:
            # Interrupted: close the files the rows went to, so that they can be removed.
            for worksheet in workbook.worksheets():
                with contextlib.suppress(Exception):
                    worksheet._opt_close()


def _try_lock(path: Path) -> int | None:
    """A descriptor holding the lock of ``path`` (created if missing), or None while
    another export holds it. The lock goes with the descriptor, or with the process."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        return None
    try:
        if sys.platform == "win32":
            import msvcrt

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _clear_stale_scratch(root: Path) -> None:
    """Remove what crashed exports left in ``root``: folders no export holds any more."""
    with contextlib.suppress(OSError):
        entries = list(root.iterdir())
        now = time.time()
        for entry in entries:
            if not entry.name.startswith(SCRATCH_PREFIX):
                continue
            with contextlib.suppress(OSError):
                if now - entry.lstat().st_mtime < SCRATCH_GRACE_SECONDS:
                    continue  # just made: its export may not have taken its lock yet
            if not entry.is_dir() or entry.is_symlink():
                with contextlib.suppress(OSError):
                    entry.unlink()
                continue
            fd = _try_lock(entry / ".lock")
            if fd is None:
                continue  # an export is writing there
            try:
                shutil.rmtree(entry, ignore_errors=True)
            finally:
                os.close(fd)
            shutil.rmtree(entry, ignore_errors=True)  # Windows: the lock file, once closed


def clear_scratch(data_dir: Path) -> None:
    """Remove what exports killed midway left in ``data_dir``'s scratch folder; the folders
    of exports still running (in any process) are left alone. Each .xlsx export does it
    first; calling it when a data folder is opened clears them sooner."""
    root = Path(data_dir) / SCRATCH_FOLDER
    if root.is_dir() and not root.is_symlink():
        _clear_stale_scratch(root)


@contextlib.contextmanager
def scratch_folder(data_dir: Path | None) -> Iterator[Path | None]:
    """A private (0700) folder for one export's scratch files, inside ``data_dir``'s
    ``tmp`` folder, removed afterwards; what crashed exports left there is removed first.
    None without a data folder (the workbook is then built in memory)."""
    if data_dir is None:
        yield None
        return
    root = data_dir / SCRATCH_FOLDER
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        if os.name == "posix":
            root.chmod(0o700)
        _clear_stale_scratch(root)
        folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=root))
    except OSError as exc:
        raise SpreadsheetError(
            _("Cannot write in the data folder {path} ({reason}).").format(
                path=shown(str(root)), reason=exc.strerror or type(exc).__name__
            )
        ) from None
    fd = _try_lock(folder / ".lock")
    try:
        yield folder
    finally:
        if fd is not None:
            os.close(fd)
        shutil.rmtree(folder, ignore_errors=True)


def _export_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise SpreadsheetError(
            _("{file}: the export's file name must end in .csv or .xlsx.").format(
                file=_file_name(path) or shown(str(path))
            )
        )
    return suffix[1:]


def export_file(path: Path, *, store: Store, progress: Progress | None = None) -> int:
    """Write every request (with its latest decision) in the import's columns; returns the count.

    ``path`` ends in ``.csv`` or ``.xlsx`` (anything else is refused); ``-`` writes the
    CSV to standard output. CSV: UTF-8 with a BOM, ``,`` between fields, a header row,
    formulas neutralised (see :func:`neutralised`). The ``photo`` column stays empty:
    photos stay in the database. The file goes through :func:`amudesk.outputs.replacing`
    (a private file beside the target, moved over it once complete; never in the data
    folder, never over a link or another kind of file), and the .xlsx's scratch files
    stay in the data folder. The audit entry and the file go together: the entry is
    committed only once the file is in place, and the file is removed if it cannot be.
    """
    from amudesk import outputs

    path = Path(path)
    to_stdout = str(path) == "-"
    kind = "csv" if to_stdout else _export_kind(path)
    written = False
    with store.session() as session:
        try:
            rows = export_rows(session)
            session.rollback()  # the reads end here; the audit entry opens the write
            meter = _Meter(progress, len(rows))
            if to_stdout:
                data = _csv_bytes(rows, meter)
                _record_export(session, len(rows))
                outputs.write_stdout(data)
            else:
                with scratch_folder(store.data_dir if kind == "xlsx" else None) as scratch:
                    with outputs.replacing(path, kind, label=_("Export")) as handle:
                        if kind == "xlsx":
                            _write_xlsx(handle, rows, meter, scratch)
                        else:
                            _write_csv(handle, rows, meter)
                        _record_export(session, len(rows))
                    written = True
            session.commit()
        except BaseException as exc:
            session.rollback()
            if written:
                with contextlib.suppress(OSError):
                    path.unlink()
            if isinstance(exc, outputs.OutputError):
                raise SpreadsheetError(str(exc)) from None
            raise
    meter.finish()
    log.info("export: %d requests", len(rows))
    return len(rows)


def _record_export(session: Session, count: int) -> None:
    audit.record("export", session=session, entity="request", detail=f"rows={count}")
