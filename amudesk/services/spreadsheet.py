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
every bad row is reported with its line number, column and reason.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import re
import tempfile
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, cast
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
# A request filed on a day without a time is taken as filed at noon, Brussels time:
# midnight would put it on the previous day in UTC and make the day ambiguous.
DEFAULT_FILED_TIME = dt.time(12, 0)
BATCH = 1000

_FILED = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_AMU_REFERENCE = cases.REFERENCE_PATTERN
_LABEL = re.compile(r"^[^:\n]{1,60}?\s?:\s+(?=\S)")
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
    """Why one row of the file was refused."""

    line: int
    field: str
    message: str

    def describe(self) -> str:
        return _("line {line}: {field}: {message}").format(
            line=self.line, field=self.field, message=self.message
        )


@dataclass
class ImportReport:
    imported: int
    new_people: int
    problems: list[RowProblem] = field(default_factory=list)
    bad_lines: list[int] = field(default_factory=list)


# --- reading the file ------------------------------------------------------------------


def _cell_text(value: object, column: str) -> str:
    """The text of a cell as a person would have typed it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)
        # A NISS typed into a number cell loses its leading zeros (born 2000-2009).
        if column == "niss" and value >= 0 and 8 <= len(text) < 11:
            text = text.zfill(11)
        return text
    return str(value).strip()


def _read_csv_records(path: Path) -> Records:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpreadsheetError(
            _("{file}: cannot read the file ({reason}).").format(
                file=path.name, reason=exc.strerror
            )
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpreadsheetError(
            _(
                "{file}: line {line} is not UTF-8 text; save the file as “CSV UTF-8” and try again."
            ).format(file=path.name, line=line)
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    while True:
        start = reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SpreadsheetError(
                _("{file}: line {line} cannot be read ({reason}).").format(
                    file=path.name, line=start, reason=exc
                )
            ) from None
        yield start, record


def _read_xlsx_records(path: Path) -> Records:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged file
        raise SpreadsheetError(
            _("{file}: this .xlsx file cannot be read ({reason}).").format(
                file=path.name, reason=type(exc).__name__
            )
        ) from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("{file}: the workbook has no sheet.").format(file=path.name))
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # some programs write wrong dimensions; read every row
        try:
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        except SpreadsheetError:
            raise
        except Exception as exc:
            raise SpreadsheetError(
                _("{file}: this .xlsx file cannot be read ({reason}).").format(
                    file=path.name, reason=type(exc).__name__
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
            unknown.append(name)
        elif name in columns.values():
            raise SpreadsheetError(
                _("{file}: the column {column} appears twice.").format(file=file, column=name)
            )
        else:
            columns[index] = name
    if unknown:
        raise SpreadsheetError(
            _("{file}: unknown columns: {columns}. Known columns: {known}.").format(
                file=file, columns=", ".join(unknown), known=", ".join(COLUMNS)
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


def read_sheet(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The non-empty data rows of a .csv or .xlsx file, as (line number, column → text).

    Every column of COLUMNS is in each row's dict ("" when absent from the file).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise SpreadsheetError(
            _("{file}: only .csv and .xlsx files can be imported.").format(file=path.name)
        )
    if not path.is_file():
        raise SpreadsheetError(_("File not found: {path}").format(path=path))
    records = _read_csv_records(path) if suffix == ".csv" else _read_xlsx_records(path)
    with contextlib.closing(records):  # the workbook is closed even when a row is refused
        return _rows(records, path.name)


def _rows(records: Records, file: str) -> list[tuple[int, dict[str, str]]]:
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
    return rows


# --- checking the rows -----------------------------------------------------------------


@dataclass(frozen=True)
class _PersonRef:
    """An existing person (``existing_id``) or one created by an earlier row (``new_index``)."""

    existing_id: int | None = None
    new_index: int | None = None


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


@dataclass
class _Context:
    folder: Path
    matcher: CpasMatcher
    references: dict[str, int | None]  # reference → line in the file, None when in the database
    by_niss: dict[str, _PersonRef]
    by_key: dict[tuple[str, str, str], _PersonRef]
    now: dt.datetime
    today: dt.date
    new_people: list[dict[str, Any]] = field(default_factory=list)


def _load_context(path: Path, session: Session) -> _Context:
    references: dict[str, int | None] = dict.fromkeys(
        session.scalars(select(col(Request.reference))), None
    )
    by_niss: dict[str, _PersonRef] = {}
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
            by_niss.setdefault(niss, ref)
        by_key.setdefault(_person_key(family, given, birth), ref)
    return _Context(
        folder=path.parent.resolve(),
        matcher=CpasMatcher(list_cpas(session=session)),
        references=references,
        by_niss=by_niss,
        by_key=by_key,
        now=utcnow(),
        today=dt.date.today(),
    )


def _person_key(family_name: str, given_names: str, birth_date: str | None) -> tuple[str, str, str]:
    return (" ".join(family_name.split()), " ".join(given_names.split()), birth_date or "")


def _without_label(message: str) -> str:
    """'Birth date: write the date…' → 'write the date…' (the column is named beside it)."""
    return _LABEL.sub("", message, count=1)


def _problem(line: int, error: FieldError) -> RowProblem:
    column = _COLUMN_OF_FIELD.get(error.field, error.field)
    return RowProblem(line=line, field=column, message=_without_label(error.message))


def _reference(text: str, line: int, context: _Context) -> str:
    reference = v.clean(text, "reference", _("Reference"), max_length=30).upper()
    if not reference:
        return ""
    if reference in context.references:
        first = context.references[reference]
        if first is None:
            message = _("Reference: {reference} is already used.").format(reference=reference)
        else:
            message = _("Reference: {reference} is already used on line {line}.").format(
                reference=reference, line=first
            )
        raise FieldError("reference", message)
    context.references[reference] = line
    return reference


def _photo(text: str, folder: Path) -> bytes | None:
    from amudesk.photos import PhotoError, load_photo_file

    value = text.strip()
    if not value:
        return None
    relative = value.replace("\\", "/")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(value).drive:
        raise FieldError("photo", _("Photo: give the path relative to the spreadsheet's folder."))
    target = (folder / relative).resolve()
    if ".." in PurePosixPath(relative).parts or not target.is_relative_to(folder):
        raise FieldError("photo", _("Photo: the file must be inside the spreadsheet's folder."))
    try:
        return load_photo_file(target)
    except PhotoError as exc:
        raise FieldError("photo", str(exc)) from None


def _received_at(text: str, context: _Context) -> dt.datetime:
    value = v.clean(text, "filed_on", _("Filed on"), required=True)
    match = _FILED.match(value)
    if not match:
        raise FieldError(
            "filed_on",
            _("Filed on: write the date as YYYY-MM-DD or YYYY-MM-DD HH:MM (got “{value}”).").format(
                value=value
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
    received = cases.to_utc(dt.datetime.combine(day, moment))
    v.not_in_future(received, "filed_on", _("Filed on"))
    return received


def _care(row: dict[str, str], context: _Context) -> tuple[dt.date | None, str | None]:
    started = v.iso_date(row["care_started_on"], "care_started_on", _("Care started on"))
    kind = row["care_kind"].strip().lower() or None
    cases.check_care(started, kind, today=context.today)
    return started, kind


def _decision(row: dict[str, str], received: dt.datetime) -> cases.DecisionData | None:
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
                value=row["decision"].strip()
            ),
        )
    data = cases.DecisionData(
        kind=kind,
        decided_on=v.iso_date(row["decided_on"], "decided_on", _("Decided on")),
        notified_on=v.iso_date(row["notified_on"], "notified_on", _("Notified on")),
        valid_from=v.iso_date(row["valid_from"], "valid_from", _("Valid from")),
        valid_to=v.iso_date(row["valid_to"], "valid_to", _("Valid to")),
    )
    cases.check_decision(data, cases.local_date(received))
    return data


def _languages(text: str) -> list[str]:
    return [part for part in re.split(r"[,;/\s]+", text) if part]


def _check_row(line: int, row: dict[str, str], context: _Context) -> _GoodRow:
    """The row ready to be written, or a FieldError for the first thing wrong with it."""
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
    values = people.checked_values(data)
    values["photo"] = _photo(row["photo"], context.folder)
    cpas_text = v.clean(row["cpas"], "cpas", _("CPAS"), required=True)
    cpas = context.matcher.find(cpas_text)
    if cpas is None or cpas.id is None:
        raise FieldError(
            "cpas", _("CPAS: no CPAS of the directory is called “{name}”.").format(name=cpas_text)
        )
    received = _received_at(row["filed_on"], context)
    care_started_on, care_kind = _care(row, context)
    decision = _decision(row, received)
    return _GoodRow(
        line=line,
        person=_match_person(values, context),
        cpas_id=cpas.id,
        received_at=received,
        reference=reference,
        care_started_on=care_started_on,
        care_kind=care_kind,
        decision=decision,
    )


def _match_person(values: dict[str, Any], context: _Context) -> _PersonRef:
    """The same person by NISS, else by names and birth date; a new one otherwise."""
    niss = values["niss"]
    key = _person_key(values["family_name"], values["given_names"], values["birth_date"])
    found = context.by_niss.get(niss) if niss else context.by_key.get(key)
    if found is not None:
        return found
    ref = _PersonRef(new_index=len(context.new_people))
    context.new_people.append(values)
    if niss:
        context.by_niss[niss] = ref
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
    _assign_references(rows, set(context.references), session)
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
    _stop_if_cancelled(cancelled)
    return len(person_rows)


def _stop_if_cancelled(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise ImportCancelled(_("The import was cancelled; nothing was changed."))


def import_file(
    path: Path,
    *,
    store: Store,
    skip_invalid: bool = False,
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
    row) when the NISS is the same, or, without NISS, when the family name,
    given names and birth date are the same; a known person is never modified.
    A date alone in ``filed_on`` means noon, Brussels time.
    """
    path = Path(path)
    rows = read_sheet(path)
    # Each row is checked, then written: two steps per row.
    meter = _Meter(progress, 2 * len(rows), len(rows))
    problems: list[RowProblem] = []
    good: list[_GoodRow] = []
    with store.session() as session:
        context = _load_context(path, session)
    for line, row in rows:
        _stop_if_cancelled(cancelled)  # cheap; a row with a photo can take a while
        try:
            good.append(_check_row(line, row, context))
        except FieldError as error:
            problems.append(_problem(line, error))
        meter.advance()
    bad_lines = [problem.line for problem in problems]
    if problems and not skip_invalid:
        meter.finish()
        log.info("import refused: %d rows, %d bad", len(rows), len(bad_lines))
        return ImportReport(imported=0, new_people=0, problems=problems, bad_lines=bad_lines)
    new_people = 0
    if good:
        try:
            with store.transaction() as session:
                new_people = _write(good, context, session, meter, cancelled)
                audit.record(
                    "import",
                    session=session,
                    entity="request",
                    detail=f"rows={len(good)};new_people={new_people};refused={len(bad_lines)}",
                )
        except IntegrityError:
            # Someone saved a request or a person between the check and the write.
            raise SpreadsheetError(
                _(
                    "The data changed while the file was being imported; nothing was imported. Try again."
                )
            ) from None
    meter.finish()
    log.info(
        "import: %d requests, %d new people, %d bad rows", len(good), new_people, len(bad_lines)
    )
    return ImportReport(
        imported=len(good), new_people=new_people, problems=problems, bad_lines=bad_lines
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


def _write_csv(handle: Any, rows: list[list[str]], meter: _Meter) -> None:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    writer = csv.writer(text, delimiter=",", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row)
        meter.advance()
    text.flush()
    os.fsync(handle.fileno())
    text.detach()


def _write_xlsx(handle: Any, rows: list[list[str]], meter: _Meter) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Requests"))
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)  # every cell as text: NISS keep their leading zeros
        meter.advance()
    workbook.save(handle)
    handle.flush()
    os.fsync(handle.fileno())


def export_file(path: Path, *, store: Store, progress: Progress | None = None) -> int:
    """Write every request (with its latest decision) in the import's columns; returns the count.

    ``.xlsx`` when the name ends so, else CSV: UTF-8 with a BOM (so Excel reads the
    accents), ``,`` between fields, a header row. The ``photo`` column stays empty:
    photos stay in the database. The file is written beside its final place and
    then moved over it, so a failed export never leaves half a file; the file is
    private (0600) because it holds personal data.
    """
    path = Path(path)
    xlsx = path.suffix.lower() == ".xlsx"
    with store.session() as session:
        rows = export_rows(session)
    meter = _Meter(progress, len(rows))
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise SpreadsheetError(_("Folder not found: {path}").format(path=folder))
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise SpreadsheetError(
            _("Cannot write in {path} ({reason}).").format(path=folder, reason=exc.strerror)
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            (_write_xlsx if xlsx else _write_csv)(handle, rows, meter)
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise SpreadsheetError(
                _("Cannot write {path} ({reason}).").format(path=path, reason=exc.strerror)
            ) from None
        raise
    with store.transaction() as session:
        audit.record("export", session=session, entity="request", detail=f"rows={len(rows)}")
    meter.finish()
    log.info("export: %d requests", len(rows))
    return len(rows)
