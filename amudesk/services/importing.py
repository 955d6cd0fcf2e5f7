"""The import of a spreadsheet of requests (the columns: :mod:`amudesk.services.spreadsheet`).

:func:`read_file` reads a .csv or .xlsx file into rows of texts; :func:`import_file`
has each row checked by :mod:`amudesk.services.importchecks`, then writes the new
requests, their people, decisions (with their reasons), appeals and consents (and, with
``update``, the corrections) in one transaction, and reports the rows refused and the
duplicates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col

from amudesk.i18n import _
from amudesk.models import (
    Appeal,
    AppealFiling,
    CaseStatus,
    Consent,
    ConsentHow,
    Decision,
    DecisionKind,
    DecisionReason,
    Person,
    Request,
)
from amudesk.models.base import utcnow
from amudesk.refusals import REASONS
from amudesk.services import (
    FieldError,
    appeals,
    audit,
    bulkrows,
    cases,
    consents,
    nextdue,
    people,
)
from amudesk.services import validation as v
from amudesk.services.importchecks import (
    AppealRow,
    ConsentRow,
    Context,
    Duplicate,
    GoodRow,
    Update,
    check_row,
    load_context,
    row_problem,
)
from amudesk.services.spreadsheet import (
    COLUMNS,
    FILING_COLUMNS,
    HEADER_INDEX,
    IGNORE,
    PERSON_COLUMNS,
    REQUIRED_COLUMNS,
    Meter,
    Progress,
    RowProblem,
    SpreadsheetError,
    csv_records,
    file_name,
    fold_header,
    restored,
)
from amudesk.store import Store, refresh_statistics
from amudesk.text import is_control, shown

log = logging.getLogger(__name__)

Cancelled = Callable[[], bool]
Records = Generator[tuple[int, Sequence[object]], None, None]

BATCH = 1000
_AMU_REFERENCE = cases.REFERENCE_PATTERN
# How OOXML writes a character in a string: _x0009_ (a literal "_x" is written _x005F_x).
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


class ImportCancelled(Exception):
    """The user cancelled the import; nothing was written."""


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


def _read_csv_records(path: Path) -> Records:
    file = file_name(path)
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
    for start, record in csv_records(text, file):
        yield start, [restored(cell) for cell in record]


def _ooxml_text(cell: object) -> object:
    """A cell's string as Excel shows it: openpyxl leaves the _xHHHH_ escapes in."""
    if isinstance(cell, str) and "_x" in cell:
        return _OOXML_ESCAPE.sub(lambda match: chr(int(match[1], 16)), cell)
    return cell


def _read_xlsx_records(path: Path) -> Records:
    from openpyxl import load_workbook

    file = file_name(path)
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


class UnknownColumns(SpreadsheetError):
    """Headers the import does not know: ``headers`` are the file's (as written, the empty
    ones left out), ``unknown`` those a mapping must name a column for (or ignore)."""

    def __init__(self, message: str, headers: list[str], unknown: list[str]) -> None:
        super().__init__(message)
        self.headers = headers
        self.unknown = unknown


Mapping = dict[str, str]  # a header of the file (as written) → a column, or IGNORE
# How many files' layouts the settings remember the mapping of.
REMEMBERED_LAYOUTS = 50
MAPPINGS_SETTING = "import_mappings"


def _header_text(cell: object) -> str:
    return _cell_text(cell, "").replace("\ufeff", "").strip()


def header_key(header: str) -> str:
    """How headers are compared: folded (spreadsheet.fold_header), or as written when
    nothing is left of them folded ("???")."""
    return fold_header(header) or header.strip()


def _named(header: str) -> str:
    """A header as a message names it: cut short, every control and invisible format
    character written as an escape (\\u200b)."""
    text = "".join(
        f"\\u{ord(char):04x}" if unicodedata.category(char) == "Cf" else char for char in header
    )
    return v.quoted(text)


def _check_header(header: str, file: str) -> None:
    """A header holding a control or an invisible format character (a bidi override shows
    it reversed) is refused: it cannot be named to the user as it reads."""
    for char in header:
        if is_control(char) or unicodedata.category(char) == "Cf":
            raise SpreadsheetError(
                _(
                    "{file}: the column header “{header}” holds the invisible character "
                    "{character}; remove it."
                ).format(file=file, header=_named(header), character=v.code_point(char))
            )


def checked_mapping(mapping: Mapping | None, headers: Sequence[str]) -> dict[str, str]:
    """``mapping`` by folded header → column (or IGNORE); SpreadsheetError naming the header
    of a mapping to an unknown column, to a header the file does not have, or of two
    headers mapped to one column. A column may be given by any of its names."""
    folded_headers = {header_key(header) for header in headers}
    checked: dict[str, str] = {}
    taken: dict[str, str] = {}
    for header, target in (mapping or {}).items():
        folded = header_key(header)
        if folded not in folded_headers:
            raise SpreadsheetError(
                _("Mapping: the file has no column “{header}”.").format(header=_named(header))
            )
        wanted = header_key(target)
        column = IGNORE if wanted == IGNORE else HEADER_INDEX.get(wanted)
        if column is None:
            raise SpreadsheetError(
                _(
                    "Mapping: “{header}” is given the column “{column}”, which the import "
                    "does not know. Known columns: {known}."
                ).format(header=_named(header), column=_named(target), known=", ".join(COLUMNS))
            )
        if column != IGNORE:
            other = taken.get(column)
            if other is not None and header_key(other) != folded:
                raise SpreadsheetError(
                    _(
                        "Mapping: “{header}” and “{other}” are both given the column {column}; "
                        "give each column to one header only."
                    ).format(header=_named(header), other=_named(other), column=column)
                )
            taken[column] = header
        if folded in checked:
            raise SpreadsheetError(
                _("Mapping: the header “{header}” is mapped twice.").format(header=_named(header))
            )
        checked[folded] = column
    return checked


def _header(cells: Sequence[object], file: str, mapping: Mapping | None = None) -> dict[int, str]:
    """Column index → column name, the headers read in French, Dutch or English (see
    spreadsheet.HEADER_ALIASES) or through ``mapping``; UnknownColumns for headers neither
    names, SpreadsheetError for repeated or missing columns."""
    texts = [_header_text(cell) for cell in cells]
    headers = [text for text in texts if text]
    for header in headers:
        _check_header(header, file)
    given = checked_mapping(mapping, headers)
    columns: dict[int, str] = {}
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for index, header in enumerate(texts):
        if not header:
            continue
        folded = header_key(header)
        column = given.get(folded) or HEADER_INDEX.get(folded)
        if column is None:
            unknown.append(header)
            continue
        if column == IGNORE:
            continue
        if column in seen:
            first = seen[column]
            if header_key(first) == folded and first == header:
                message = _("{file}: the column {column} appears twice.").format(
                    file=file, column=v.quoted(header)
                )
            else:
                message = _(
                    "{file}: the columns “{first}” and “{second}” are both the column {column}; "
                    "keep one of them, or map one to another column."
                ).format(file=file, first=v.quoted(first), second=v.quoted(header), column=column)
            raise SpreadsheetError(message)
        seen[column] = header
        columns[index] = column
    if unknown:
        raise UnknownColumns(
            _("{file}: unknown columns: {columns}. Known columns: {known}.").format(
                file=file,
                columns=", ".join(v.quoted(name) for name in unknown[:10]),
                known=", ".join(COLUMNS),
            ),
            headers,
            unknown,
        )
    present = set(columns.values())
    missing = [
        name
        for name in REQUIRED_COLUMNS
        if name not in present and not (name in FILING_COLUMNS and "status" in present)
    ]
    if missing:
        raise SpreadsheetError(
            _("{file}: required columns missing: {columns}.").format(
                file=file, columns=", ".join(missing)
            )
        )
    return columns


# --- mappings remembered per layout ------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def layout_key(headers: Sequence[str]) -> str:
    """The key of a file's layout: its folded headers, sorted (hashed: the settings never
    hold what a file says, even when its first row was not a header)."""
    return _digest("\x1f".join(sorted({header_key(header) for header in headers})))


def remembered_mapping(extra: dict[str, object], headers: Sequence[str]) -> Mapping:
    """The mapping remembered (in the settings' ``extra``) for a file with these headers:
    header → column or IGNORE, for the headers it named that are still valid."""
    layouts = extra.get(MAPPINGS_SETTING)
    layout = layouts.get(layout_key(headers)) if isinstance(layouts, dict) else None
    if not isinstance(layout, dict):
        return {}
    proposed: Mapping = {}
    for header in headers:
        column = layout.get(_digest(header_key(header)))
        if isinstance(column, str) and (column == IGNORE or column in COLUMNS):
            proposed[header] = column
    return proposed


def remember_mapping(extra: dict[str, object], headers: Sequence[str], mapping: Mapping) -> None:
    """Keep ``mapping`` in the settings' ``extra`` for the files with these headers (the
    latest :data:`REMEMBERED_LAYOUTS` layouts)."""
    layouts = extra.get(MAPPINGS_SETTING)
    kept: dict[str, object] = dict(layouts) if isinstance(layouts, dict) else {}
    key = layout_key(headers)
    kept.pop(key, None)
    if mapping:
        kept[key] = {_digest(header_key(header)): column for header, column in mapping.items()}
    while len(kept) > REMEMBERED_LAYOUTS:
        kept.pop(next(iter(kept)))
    extra[MAPPINGS_SETTING] = kept


@dataclass
class Sheet:
    """The rows of a file: (line number, column → text), and the columns it has."""

    rows: list[tuple[int, dict[str, str]]]
    columns: frozenset[str]


def read_file(path: Path, mapping: Mapping | None = None) -> Sheet:
    """The non-empty data rows of a .csv or .xlsx file and its columns.

    Every column of COLUMNS is in each row's dict ("" when absent from the file). The
    headers may name the columns in French, Dutch or English; ``mapping`` gives the column
    of other headers (or IGNORE). Raises SpreadsheetError (UnknownColumns for headers
    neither names), and nothing else, for a file that cannot be used as a whole.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise SpreadsheetError(
            _("{file}: only .csv and .xlsx files can be imported.").format(file=file_name(path))
        )
    if not path.is_file():
        raise SpreadsheetError(_("File not found: {path}").format(path=shown(str(path))))
    records = _read_csv_records(path) if suffix == ".csv" else _read_xlsx_records(path)
    with contextlib.closing(records):  # the workbook is closed even when a row is refused
        return _rows(records, file_name(path), mapping)


def read_sheet(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The non-empty data rows of a .csv or .xlsx file, as (line number, column → text).

    Every column of COLUMNS is in each row's dict ("" when absent from the file).
    """
    return read_file(path).rows


def _rows(records: Records, file: str, mapping: Mapping | None = None) -> Sheet:
    columns: dict[int, str] | None = None
    headers: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in records:
        if all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells):
            continue
        if columns is None:
            columns = _header(cells, file, mapping)
            headers = [_header_text(cell) for cell in cells]
            continue
        row: dict[str, str] = dict.fromkeys(COLUMNS, "")
        for index, cell in enumerate(cells):
            name = columns.get(index)
            if name is not None:
                row[name] = _cell_text(cell, name)
            elif index < len(headers) and headers[index]:
                continue  # a column the mapping ignores
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


# --- writing ---------------------------------------------------------------------------


def _assign_references(
    rows: list[GoodRow], taken: set[str], session: Session, today: dt.date
) -> None:
    """Give every row without a reference the next free number of its year's counter (the
    year it was filed; this year for a request being prepared).

    Counters are raised past the numbers given in the file, so a reference
    generated later never collides with one that was imported.
    """

    def year_of(row: GoodRow) -> int:
        return cases.local_date(row.received_at).year if row.received_at else today.year

    floors: dict[int, int] = {}
    for row in rows:
        match = _AMU_REFERENCE.match(row.reference)
        if match:
            year, number = int(match[1]), int(match[2])
            floors[year] = max(floors.get(year, 0), number)
    years = set(floors) | {year_of(row) for row in rows if not row.reference}
    counters = {
        year: cases.raise_counter(
            cases.REFERENCE_PREFIX, year, floors.get(year, 0), session=session
        )
        for year in sorted(years)
    }
    for row in rows:
        if row.reference:
            continue
        counter = counters[year_of(row)]
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


def _request_row(row: GoodRow, person_id: int, now: dt.datetime) -> dict[str, Any]:
    status = CaseStatus.PREPARING if row.preparing else CaseStatus.OPEN
    if row.decision is not None:
        status = cases.STATUS_OF_DECISION[DecisionKind(row.decision.kind)]
    front = row.front
    return {
        "reference": row.reference,
        "person_id": person_id,
        "cpas_id": row.cpas_id,
        "received_at": row.received_at,
        "channel": front.channel,
        "accompanied_by": "",
        "aamu_handed_in": False,
        "care_started_on": row.care_started_on,
        "care_kind": row.care_kind,
        "urgent": front.urgent,
        "urgent_reason": front.urgent_reason,
        "transferred_on": front.transferred_on,
        "transferred_to_id": front.transferred_to_id,
        "status": str(status),
        "appealed_on": row.appeal.filed_on if row.appeal is not None else None,
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
        "court_ordered": data.court_ordered,
        "court_judgment_on": data.court_judgment_on,
        "court_name": data.court_name,
        "created_at": now,
    }


def _reason_rows(data: cases.DecisionData, decision_id: int) -> list[dict[str, Any]]:
    """The decision's reasons, in the order services.cases stores them."""
    order = {key: number for number, key in enumerate(REASONS)}
    return [
        {"decision_id": decision_id, "key": key, "explanation": explanation}
        for key, explanation in sorted(data.reasons, key=lambda pair: order[pair[0]])
    ]


def _appeal_row(appeal: AppealRow, request_id: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "request_id": request_id,
        "filed_on": appeal.filed_on,
        "filed_how": str(AppealFiling.REGISTERED_LETTER),
        "court": appeal.court,
        "role_number": "",
        "hearing_dates": "",
        "outcome": appeal.outcome,
        "outcome_on": appeal.outcome_on,
        "created_at": now,
        "updated_at": now,
    }


def _consent_row(consent: ConsentRow, person_id: int, now: dt.datetime) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "given_on": consent.given_on,
        "how": str(ConsentHow.SIGNED),
        "uses": ",".join(consent.uses),
        "withdrawn_on": consent.withdrawn_on,
        "note": "",
        "created_at": now,
    }


def _write(
    rows: list[GoodRow],
    context: Context,
    session: Session,
    meter: Meter,
    cancelled: Cancelled | None,
) -> int:
    """Insert the new people, the requests, their decisions (and the reasons), appeals and
    the people's consents; returns how many new people."""
    now = utcnow()
    _assign_references(rows, set(context.existing) | set(context.in_file), session, context.today)
    used = sorted({row.person.new_index for row in rows if row.person.new_index is not None})
    position = {index: n for n, index in enumerate(used)}
    person_rows = _person_rows([context.new_people[index] for index in used], now)
    person_ids: list[int] = []
    for start in range(0, len(person_rows), BATCH):
        _stop_if_cancelled(cancelled)
        person_ids += bulkrows.insert_returning_ids(
            session, _table(Person), person_rows[start : start + BATCH]
        )
    for start in range(0, len(rows), BATCH):
        _stop_if_cancelled(cancelled)
        chunk = rows[start : start + BATCH]
        request_rows = []
        consent_rows = []
        for row in chunk:
            ref = row.person
            person_id = (
                ref.existing_id
                if ref.existing_id is not None
                else person_ids[position[ref.new_index or 0]]
            )
            request_rows.append(_request_row(row, person_id, now))
            if row.consent is not None:
                consent_rows.append(_consent_row(row.consent, person_id, now))
        request_ids = bulkrows.insert_returning_ids(session, _table(Request), request_rows)
        nextdue.touch(request_ids, session=session)
        decided = [
            (row.decision, request_id)
            for row, request_id in zip(chunk, request_ids, strict=True)
            if row.decision is not None
        ]
        decision_ids = bulkrows.insert_returning_ids(
            session,
            _table(Decision),
            [_decision_row(data, request_id, now) for data, request_id in decided],
        )
        reasons = [
            reason
            for (data, _request_id), decision_id in zip(decided, decision_ids, strict=True)
            for reason in _reason_rows(data, decision_id)
        ]
        appealed = [
            _appeal_row(row.appeal, request_id, now)
            for row, request_id in zip(chunk, request_ids, strict=True)
            if row.appeal is not None
        ]
        for model, rows_of_model in (
            (DecisionReason, reasons),
            (Appeal, appealed),
            (Consent, consent_rows),
        ):
            if rows_of_model:
                bulkrows.insert_rows(session, _table(model), rows_of_model)
        meter.advance(len(chunk))
    return len(person_rows)


def _same_moment(stored: dt.datetime, moment: dt.datetime) -> bool:
    """The same moment, as precisely as the file gives it (an export gives the minute)."""
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=dt.UTC)
    if moment.second == 0 and moment.microsecond == 0:
        stored = stored.replace(second=0, microsecond=0)
    return stored == moment


def _update_person(update: Update, person: Person, context: Context, session: Session) -> bool:
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
    person.search_text = people.search_text(
        person.family_name, person.given_names, person.niss, person.latin_name
    )
    person.updated_at = context.now
    session.add(person)
    session.flush()
    audit.record_saved("person", person.id, session=session, created=False, fields=fields)
    return True


def _update_request(
    row: GoodRow, update: Update, request: Request, context: Context, session: Session
) -> bool:
    if request.cpas_id != row.cpas_id:
        request.cpas_id = row.cpas_id
    known, received = request.received_at, row.received_at
    if received is not None:
        same_day = known is not None and cases.local_date(known) == cases.local_date(received)
        # A day without a time keeps the time known for that day.
        if known is None or (not _same_moment(known, received) and (update.timed or not same_day)):
            request.received_at = received
        if request.status == CaseStatus.PREPARING:  # filed now (a decision below may follow)
            request.status = str(CaseStatus.OPEN)
    if "care_started_on" in context.columns and request.care_started_on != row.care_started_on:
        request.care_started_on = row.care_started_on
    if "care_kind" in context.columns and request.care_kind != row.care_kind:
        request.care_kind = row.care_kind
    _update_front_desk(row, request, context)
    changed = bool(audit.changed_fields(request))
    if changed:
        request.updated_at = context.now
        cases.save_request(request, session=session)
    if update.decision is not None:
        decision_id, data = update.decision
        cases.record_decision(update.request_id, data, session=session, decision_id=decision_id)
        changed = True
    if update.appeal is not None:
        appeal_id, appeal = update.appeal
        appeals.record_appeal(
            update.request_id, appeal, session=session, appeal_id=appeal_id, today=context.today
        )
        changed = True
    return changed


def _update_front_desk(row: GoodRow, request: Request, context: Context) -> None:
    """The channel, the urgency and the transfer, as far as the file has their columns."""
    front = row.front
    wanted: dict[str, object] = {}
    if "channel" in context.columns:
        wanted["channel"] = front.channel
    if "urgent" in context.columns:
        wanted["urgent"] = front.urgent
        if not front.urgent:
            wanted["urgent_reason"] = None
    if "urgent_reason" in context.columns:
        wanted["urgent_reason"] = front.urgent_reason
    if "transferred_on" in context.columns:
        wanted["transferred_on"] = front.transferred_on
        if front.transferred_on is None or "transferred_to" in context.columns:
            wanted["transferred_to_id"] = front.transferred_to_id
    for name, value in wanted.items():
        if getattr(request, name) != value:
            setattr(request, name, value)


def _update_consent(update: Update, context: Context, session: Session) -> bool:
    """Record the consent the row gives the person, or its withdrawal; audited."""
    if update.consent is not None:
        given = update.consent
        consent = consents.record_consent(
            update.person_id,
            consents.ConsentData(given_on=given.given_on, uses=given.uses),
            session=session,
            today=context.today,
        )
        if given.withdrawn_on is not None:
            consents.withdraw_consent(
                consent.id or 0, session=session, day=given.withdrawn_on, today=context.today
            )
        return True
    if update.withdraw is not None:
        consent_id, day = update.withdraw
        consents.withdraw_consent(consent_id, session=session, day=day, today=context.today)
        return True
    return False


def _write_updates(
    rows: list[GoodRow],
    context: Context,
    session: Session,
    meter: Meter,
    cancelled: Cancelled | None,
) -> list[Duplicate]:
    """Correct the requests (and their people) the rows repeat; the rows that change
    nothing come back as duplicates."""
    unchanged: list[Duplicate] = []
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
            person_changed = _update_consent(update, context, session) or person_changed
            request = requests[update.request_id]
            if not _update_request(row, update, request, context, session) and not person_changed:
                unchanged.append(
                    Duplicate(
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


def _duplicate_problem(duplicate: Duplicate) -> RowProblem:
    return RowProblem(line=duplicate.line, field="reference", message=duplicate.message)


def import_file(
    path: Path,
    *,
    store: Store,
    skip_invalid: bool = False,
    update: bool = False,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    mapping: Mapping | None = None,
) -> ImportReport:
    """Import the requests of a .csv or .xlsx file (see :mod:`.spreadsheet` for the columns).

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

    The headers may be written in French, Dutch or English (``nom``, ``voornaam``, ``date
    de la demande``…); ``mapping`` gives the column of other headers, or IGNORE, and
    UnknownColumns names the headers left without one.
    """
    path = Path(path)
    sheet = read_file(path, mapping)
    rows = sheet.rows
    # Each row is checked, then written: two steps per row.
    meter = Meter(progress, 2 * len(rows), len(rows))
    problems: list[RowProblem] = []
    good: list[GoodRow] = []
    duplicates: list[Duplicate] = []
    with store.session() as session:
        context = load_context(path, session, columns=sheet.columns, update=update)
        for line, row in rows:
            _stop_if_cancelled(cancelled)  # cheap; a row with a photo can take a while
            try:
                checked = check_row(line, row, context)
            except FieldError as error:
                problems.append(row_problem(line, error))
            else:
                if isinstance(checked, Duplicate):
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
    unchanged: list[Duplicate] = []
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
    refresh_statistics(store, len(good))
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
