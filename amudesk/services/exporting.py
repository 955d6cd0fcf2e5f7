"""The export of every request to a spreadsheet, in the import's columns (see
:mod:`amudesk.services.spreadsheet`): a .csv with its formulas neutralised, or a .xlsx
whose cells are all text, built through a scratch folder inside the data folder.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from amudesk import outputs
from amudesk.i18n import BRUSSELS, _
from amudesk.models import (
    Appeal,
    Consent,
    ConsentUse,
    Cpas,
    Decision,
    DecisionReason,
    Person,
    Request,
)
from amudesk.refusals import REASONS
from amudesk.services import audit
from amudesk.services.cases import decision_summaries
from amudesk.services.spreadsheet import (
    COLUMNS,
    NO,
    YES,
    Meter,
    Progress,
    SpreadsheetError,
    file_name,
    format_reasons,
    neutralised,
)
from amudesk.store import Store
from amudesk.text import shown

if sys.platform == "win32":
    import msvcrt
else:
    import fcntl

log = logging.getLogger(__name__)

EXPORT_SUFFIXES = (".csv", ".xlsx")
# The data folder's own folder for the .xlsx export's scratch files: the rows pass through
# it on their way into the workbook, so they never land in the system's temporary folder.
SCRATCH_FOLDER = "tmp"
SCRATCH_PREFIX = "export-"
# A scratch folder this old whose export no longer holds its lock was left by a crash.
SCRATCH_GRACE_SECONDS = 60


def _date_text(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _local_text(moment: dt.datetime | None) -> str:
    if moment is None:  # a request being prepared: not filed yet
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(BRUSSELS)).strftime("%Y-%m-%d %H:%M")


def _latest_facts(session: Session) -> dict[int, list[str]]:
    """Request id → the cells of its latest decision's reasons and court order (the latest
    as services.cases orders them)."""
    latest: dict[int, tuple[int, bool, dt.date | None, str]] = {}
    statement = select(
        col(Decision.request_id),
        col(Decision.id),
        col(Decision.court_ordered),
        col(Decision.court_judgment_on),
        col(Decision.court_name),
    ).order_by(col(Decision.request_id), col(Decision.decided_on), col(Decision.id))
    for request_id, decision_id, ordered, judgment_on, court in session.execute(statement):
        latest[request_id] = (decision_id, ordered, judgment_on, court)
    wanted = {facts[0] for facts in latest.values()}
    order = {key: number for number, key in enumerate(REASONS)}
    reasons: dict[int, list[tuple[str, str]]] = {}
    for decision_id, key, explanation in session.execute(
        select(
            col(DecisionReason.decision_id),
            col(DecisionReason.key),
            col(DecisionReason.explanation),
        ).order_by(col(DecisionReason.decision_id), col(DecisionReason.id))
    ):
        if decision_id in wanted:
            reasons.setdefault(decision_id, []).append((key, explanation))
    cells: dict[int, list[str]] = {}
    for request_id, (decision_id, ordered, judgment_on, court) in latest.items():
        given = sorted(reasons.get(decision_id, []), key=lambda pair: order.get(pair[0], 99))
        cells[request_id] = [
            format_reasons(given),
            YES if ordered else "",
            _date_text(judgment_on) if ordered else "",
            court if ordered else "",
        ]
    return cells


def _first_appeals(session: Session) -> dict[int, list[str]]:
    """Request id → the cells of its first appeal (the one that stopped its clocks)."""
    cells: dict[int, list[str]] = {}
    statement = select(
        col(Appeal.request_id),
        col(Appeal.filed_on),
        col(Appeal.court),
        col(Appeal.outcome),
        col(Appeal.outcome_on),
    ).order_by(col(Appeal.request_id), col(Appeal.filed_on), col(Appeal.id))
    for request_id, filed_on, court, outcome, outcome_on in session.execute(statement):
        if request_id not in cells:
            cells[request_id] = [
                _date_text(filed_on),
                court,
                outcome or "",
                _date_text(outcome_on),
            ]
    return cells


def _consents(session: Session) -> dict[int, list[str]]:
    """Person id → the cells of the consent to write: the latest one still in force, else
    the latest one withdrawn."""
    chosen: dict[int, tuple[dt.date, bool, dt.date | None]] = {}
    statement = select(
        col(Consent.person_id), col(Consent.given_on), col(Consent.uses), col(Consent.withdrawn_on)
    ).order_by(col(Consent.person_id), col(Consent.given_on), col(Consent.id))
    for person_id, given_on, uses, withdrawn_on in session.execute(statement):
        known = chosen.get(person_id)
        if known is None or withdrawn_on is None or known[2] is not None:
            chosen[person_id] = (given_on, ConsentUse.LETTERS in uses.split(","), withdrawn_on)
    return {
        person_id: [_date_text(given_on), YES if mandate else NO, _date_text(withdrawn_on)]
        for person_id, (given_on, mandate, withdrawn_on) in chosen.items()
    }


def export_rows(session: Session) -> list[list[str]]:
    """One row of texts per request, in COLUMNS order, sorted by reference."""
    latest: dict[int, tuple[Any, ...]] = {}
    for decision in session.execute(decision_summaries()):
        latest[decision[0]] = tuple(decision[1:])
    facts = _latest_facts(session)
    appealed = _first_appeals(session)
    consented = _consents(session)
    no_facts, no_appeal, no_consent = ["", "", "", ""], ["", "", "", ""], ["", "", ""]
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
            col(Request.person_id),
            col(Person.latin_name),
            col(Request.channel),
            col(Request.urgent),
            col(Request.urgent_reason),
            col(Request.status),
            col(Request.transferred_on),
            col(Request.transferred_to_id),
        )
        .join(Person, col(Person.id) == col(Request.person_id))
        .outerjoin(Cpas, col(Cpas.id) == col(Request.cpas_id))  # none while being prepared
        .order_by(col(Request.reference))
    )
    names = {
        cpas_id: name for cpas_id, name in session.execute(select(col(Cpas.id), col(Cpas.name_fr)))
    }
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
                r[9] or "",
                _local_text(r[10]),
                kind,
                _date_text(decided),
                _date_text(notified),
                _date_text(valid_from),
                _date_text(valid_to),
                _date_text(r[11]),
                r[12] or "",
                *facts.get(r[0], no_facts),
                *appealed.get(r[0], no_appeal),
                *consented.get(r[13], no_consent),
                r[14],
                r[15],
                YES if r[16] else NO,
                r[17] or "",
                r[18],
                _date_text(r[19]),
                names.get(r[20], "") if r[20] is not None else "",
            ]
        )
    return rows


def _csv_bytes(rows: list[list[str]], meter: Meter) -> bytes:
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


def _write_csv(handle: BinaryIO, rows: list[list[str]], meter: Meter) -> None:
    _write_out(handle, _csv_bytes(rows, meter))


def _write_xlsx(
    handle: BinaryIO, rows: list[list[str]], meter: Meter, scratch: Path | None
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
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
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
                file=file_name(path) or shown(str(path))
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
    path = Path(path)
    to_stdout = str(path) == "-"
    kind = "csv" if to_stdout else _export_kind(path)
    written = False
    with store.session() as session:
        try:
            rows = export_rows(session)
            session.rollback()  # the reads end here; the audit entry opens the write
            meter = Meter(progress, len(rows))
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
