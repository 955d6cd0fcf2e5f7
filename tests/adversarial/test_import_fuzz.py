"""Hostile spreadsheets: whatever a .csv or .xlsx holds, the import either refuses the file
as a whole (SpreadsheetError, one sentence) or reports each bad row (RowProblem); nothing
else escapes, and no message echoes a control character or a cell of any length."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from amudesk.services import FieldError, cases, importchecks, importing, people
from amudesk.services import spreadsheet as sheet
from amudesk.services.demo import bis_number
from amudesk.services.desk import open_desk
from amudesk.services.directory import list_cpas
from amudesk.services.spreadsheet import COLUMNS, SpreadsheetError
from amudesk.store import Store
from amudesk.text import is_control
from tests.keys import FAST_KDF, PASSPHRASE

NISS = bis_number("1985-07-30", "M", 1)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_names = itertools.count()


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """One store for every example: a person with a NISS and a request to collide with."""
    store = open_desk(tmp_path_factory.mktemp("fuzz") / "data", passphrase=PASSPHRASE, kdf=FAST_KDF)
    with store.transaction() as session:
        person = people.save_person(
            people.PersonData(family_name="Diallo", given_names="Aminata", niss=NISS),
            session=session,
        )
        cases.register_request(
            cases.RequestData(
                person_id=person.id,
                cpas_id=list_cpas(session=session)[0].id,
                received_at=dt.datetime(2025, 3, 10, 10, 0),
                reference="R-1",
            ),
            session=session,
        )
    yield store
    store.close()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


def new_file(folder: Path, suffix: str) -> Path:
    return folder / f"f{next(_names)}{suffix}"


# --- what goes into the cells ------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "\x1b[2J",
    "\x7f",
    "\x85",
    "\x9b31m",
    "\u200b",
    "\u202e",
    "\u2066",
    "\u2028",
    "\ufeff",
    "\ud800",
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "'=x",
    "\t=x",
    "_x0000_",
    "_x001B_",
    "_xD800_",
    '"',
    '"",""',
    ";",
    "\r\n",
    "9" * 400,
    "1e308",
    "-0",
    "NaN",
    "0001-01-01",
    "9999-12-31",
    "9999-12-31 23:59",
    "2025-02-30",
    "2025-13-01",
    "2025-03-10 24:00",
    "0000-00-00",
    "1899",
    "١٩٨٥",
    "85.07.30-001.49",
    NISS,
    "amu-2025-0001",
    "R-1",
    "../../etc/passwd",
    "C:\\photo.jpg",
    "photo.jpg",
    "principle",
    "guarantee",
    "refusal",
    "mediprima",
    "Saint-Gilles",
    "Ixelles",
    "2025-03-10",
    "2025-03-12",
    "1985-07-30",
    "1985",
    "F",
    "M",
    "X",
    "fr,nl",
    "BE",
]
cell_text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.text(
        alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Co"]), max_size=8
    ),
    st.builds(
        lambda part, n: part * n, st.sampled_from(["x", "é", "=", "\u202e"]), st.integers(1, 3000)
    ),
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)
good_row = {
    "family_name": "Sow",
    "given_names": "Awa",
    "cpas": "Ixelles",
    "filed_on": "2025-03-12",
}
rows_of_cells = st.lists(
    st.fixed_dictionaries(
        {},
        optional={column: cell_text for column in COLUMNS},
    ).map(lambda cells: {**good_row, **cells}),
    min_size=1,
    max_size=4,
)


def check_message(text: str) -> None:
    assert not any(is_control(char) for char in text), repr(text)
    assert len(text) < 600, len(text)
    assert "131072" not in text and "Traceback" not in text


# --- the CSV reader ----------------------------------------------------------------------


@FUZZ
@given(raw=st.binary(max_size=2000))
@example(raw=b'family_name,given_names,cpas,filed_on\nA,"' + b"x" * 140_000 + b"\n")
@example(raw=b"\xef\xbb\xbf\xff\xfe")
@example(raw=b"family_name,family_name\n")
@example(raw=b"\x00" * 50)
@example(raw=b'family_name,given_names,cpas,filed_on\n"a"b,"c\n')
def test_any_bytes_as_csv(folder: Path, raw: bytes) -> None:
    path = new_file(folder, ".csv")
    path.write_bytes(raw)
    try:
        read = importing.read_file(path)
    except SpreadsheetError as exc:
        check_message(str(exc))
        return
    for line, values in read.rows:
        assert line >= 2 and set(values) == set(COLUMNS)
        assert all(isinstance(value, str) for value in values.values())


@FUZZ
@given(cells=st.lists(st.lists(cell_text, max_size=6), max_size=5), delimiter=st.sampled_from(",;"))
def test_any_text_cells_as_csv(folder: Path, cells: list[list[str]], delimiter: str) -> None:
    path = new_file(folder, ".csv")
    with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(["family_name", "given_names", "cpas", "filed_on", "niss", "photo"])
        writer.writerows(cells)
    try:
        importing.read_file(path)
    except SpreadsheetError as exc:
        check_message(str(exc))


@FUZZ
@given(text=st.text())
@example(text="'\n=x")
@example(text="''''@")
def test_neutralised_csv_cells_come_back_as_they_were(text: str) -> None:
    cell = sheet.neutralised(text)
    assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r", "\n")
    assert sheet.restored(cell) == text


# --- the rows ------------------------------------------------------------------------------


@contextlib.contextmanager
def checking(store: Store, *, update: bool) -> Iterator[importchecks.Context]:
    with store.session() as session:
        yield importchecks.load_context(
            Path("/nonexistent/rows.csv"), session, columns=frozenset(COLUMNS), update=update
        )


@FUZZ
@given(rows=rows_of_cells, update=st.booleans())
def test_any_row_is_checked_or_refused_with_a_field_error(
    fuzz_store: Store, rows: list[dict[str, str]], update: bool
) -> None:
    with checking(fuzz_store, update=update) as context:
        for line, cells in enumerate(rows, start=2):
            values = dict.fromkeys(COLUMNS, "") | cells
            try:
                checked = importchecks.check_row(line, values, context)
            except FieldError as error:
                problem = importchecks.row_problem(line, error)
                assert problem.field in COLUMNS, problem
                check_message(problem.describe())
                continue
            if isinstance(checked, importchecks.Duplicate):
                check_message(checked.message)
                continue
            assert checked.reference == "" or cases.REFERENCE_CHARACTERS.fullmatch(
                checked.reference
            )
            assert dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= checked.received_at
            assert checked.received_at <= dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)


@settings(FUZZ, max_examples=25)
@given(rows=rows_of_cells, skip_invalid=st.booleans(), update=st.booleans())
def test_any_csv_imports_or_reports(
    fuzz_store: Store, folder: Path, rows: list[dict[str, str]], skip_invalid: bool, update: bool
) -> None:
    path = new_file(folder, ".csv")
    with path.open("w", encoding="utf-8", errors="surrogatepass", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for cells in rows:
            writer.writerow([cells.get(column, "") for column in COLUMNS])
    try:
        report = importing.import_file(
            path, store=fuzz_store, skip_invalid=skip_invalid, update=update
        )
    except SpreadsheetError as exc:
        check_message(str(exc))
        return
    for problem in [*report.problems, *report.duplicates]:
        assert problem.field in COLUMNS
        check_message(problem.describe())
    assert report.bad_lines == [problem.line for problem in report.problems]
    assert report.imported + report.updated + len(report.duplicates) + len(report.bad_lines) == len(
        rows
    ) or (report.problems and not skip_invalid)


# --- the .xlsx reader ------------------------------------------------------------------------

xml_safe = st.text(
    alphabet=st.characters(
        exclude_categories=["Cs"],
        exclude_characters="\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\ufffe\uffff",
    ),
    max_size=40,
)
typed_cell = st.one_of(
    st.none(),
    st.sampled_from(
        [
            text
            for text in NASTY
            if not any(ord(c) < 32 and c not in "\t\r\n" for c in text) and "\ud800" not in text
        ]
    ),
    xml_safe,
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31)),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.times(),
)


@FUZZ
@given(
    header=st.lists(st.sampled_from([*COLUMNS, "", "diagnosis", "=x"]), min_size=1, max_size=8),
    cells=st.lists(st.lists(typed_cell, max_size=8), max_size=4),
)
@example(
    header=["family_name", "given_names", "cpas", "filed_on", "niss"],
    cells=[["A", "B", "Ixelles", dt.datetime(2025, 3, 12), 85073000149]],
)
def test_any_typed_cells_as_xlsx(
    fuzz_store: Store, folder: Path, header: list[str], cells: list[list[Any]]
) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.append(header)
    for line in cells:
        worksheet.append(line)
    path = new_file(folder, ".xlsx")
    workbook.save(path)
    try:
        read = importing.read_file(path)
    except SpreadsheetError as exc:
        check_message(str(exc))
        return
    with checking(fuzz_store, update=False) as context:
        for line, values in read.rows:
            assert all(isinstance(value, str) for value in values.values())
            try:
                importchecks.check_row(line, values, context)
            except FieldError as error:
                check_message(importchecks.row_problem(line, error).describe())


@FUZZ
@given(raw=st.binary(max_size=600), sheet_xml=st.binary(max_size=400))
def test_any_bytes_as_xlsx(folder: Path, raw: bytes, sheet_xml: bytes) -> None:
    for data in (raw, b"PK\x03\x04" + raw, zipped_workbook(sheet_xml)):
        path = new_file(folder, ".xlsx")
        path.write_bytes(data)
        try:
            importing.read_file(path)
        except SpreadsheetError as exc:
            check_message(str(exc))


def zipped_workbook(sheet_xml: bytes) -> bytes:
    """A real workbook whose sheet is replaced by ``sheet_xml``."""
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData/>", b"<sheetData>" + sheet_xml + b"</sheetData>")
            target.writestr(name, data)
    return out.getvalue()


def test_the_fuzzed_store_holds_only_checked_names(fuzz_store: Store) -> None:
    """Whatever the examples imported went through the name rules."""
    from amudesk.models import Person

    with fuzz_store.session() as session:
        for family, given in session.execute(select(Person.family_name, Person.given_names)):
            for name in (family, given):
                assert name and not any(is_control(char) for char in name)
                assert name == " ".join(name.split())
