"""Hostile cases for what this change let in or out: `import --update`, `export -`,
`deadlines --ics -`, a backup's anchor, the note of wrong passphrases, the key file's
passphrase form. Each gets one clear line (or is taken as plain text) and changes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from amudesk.store import failed_unlocks_path
from tests.adversarial.common import REFERENCE, one_line, run, snapshot
from tests.disks import fill

HEADER = "reference,family_name,given_names,cpas,filed_on\n"


def sheet(tmp_path: Path, *rows: str, name: str = "rows.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def database(desk: Path) -> dict[str, tuple[int, str]]:
    """The database file and what its journal holds (an empty journal or a shared-memory
    index that an open leaves behind holds no data)."""
    empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    return {
        name: value
        for name, value in snapshot(desk).items()
        if name == "amudesk.sqlite3" or (name == "amudesk.sqlite3-wal" and value[1] != empty)
    }


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (f"{REFERENCE},Dupont\u202e,Marie,Ixelles,2026-11-02", "family_name"),  # bidi override
        (f"{REFERENCE},Du\x07pont,Marie,Ixelles,2026-11-02", "family_name"),  # control character
        (f"{REFERENCE},\u200b\u200b,Marie,Ixelles,2026-11-02", "family_name"),  # only invisible
        (f"{REFERENCE},{'D' * 5000},Marie,Ixelles,2026-11-02", "family_name"),  # huge
        (f"{REFERENCE},,Marie,Ixelles,2026-11-02", "family_name"),  # empty
        (f"{REFERENCE},Dupont,Marie,Ixelles,99999-11-02", "filed_on"),  # wrong type
        (f"{REFERENCE},Dupont,Marie,Ixelles,1999-12-31", "filed_on"),  # out of bounds
    ],
)
def test_update_refuses_a_hostile_row_in_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path, row: str, column: str
) -> None:
    before = database(desk)
    code, out, err = run(capsys, desk, "import", "--update", str(sheet(tmp_path, row)))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith(f"amudesk: line 2: {column}: ")
    assert all("\x07" not in line and "\u202e" not in line for line in lines)
    assert len(lines[0]) < 300  # a huge value is cut, not echoed whole
    assert lines[-1].startswith("amudesk: nothing was imported")
    assert database(desk) == before


def test_update_with_a_formula_stores_it_as_text_and_exports_it_harmless(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    rows = io.StringIO()
    csv.writer(rows).writerow([REFERENCE, formula, "Marie", "Ixelles", "2026-11-02"])
    path = tmp_path / "rows.csv"
    path.write_text(HEADER + rows.getvalue(), encoding="utf-8")
    code, out, err = run(capsys, desk, "import", "--update", str(path))
    assert (code, err) == (0, ""), err
    assert "1 request updated" in out
    code, out, _err = run(capsys, desk, "export", "-")
    assert code == 0
    cells = next(
        row for row in csv.reader(io.StringIO(out.lstrip("\ufeff"))) if row[0] == REFERENCE
    )
    assert cells[1] == "'" + formula  # no spreadsheet runs it; the import takes the ' off again


def test_importing_the_database_itself_is_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path
) -> None:
    before = snapshot(desk)
    for target in (desk / "amudesk.sqlite3", desk / "amudesk.key", desk):
        code, out, err = run(capsys, desk, "import", "--update", str(target))
        assert (code, out) == (2, "")
        one_line(err)
    assert snapshot(desk) == before


def test_an_empty_or_header_only_file_with_update_changes_nothing(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path
) -> None:
    before = database(desk)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, _out, err = run(capsys, desk, "import", "--update", str(empty))
    assert code == 2 and "empty" in one_line(err)
    code, out, err = run(capsys, desk, "import", "--update", str(sheet(tmp_path)))
    assert (code, err) == (0, "")
    assert out.startswith("0 requests imported")
    assert database(desk) == before


def test_update_into_a_data_folder_on_a_full_disk(
    capsys: pytest.CaptureFixture[str], small_disk: Path, tmp_path: Path
) -> None:
    from tests.adversarial.common import make_desk

    data = make_desk(small_disk / "data")
    path = sheet(tmp_path, f"{REFERENCE},Durand,Marie,Ixelles,2026-11-02")
    before = database(data)
    fill(small_disk)
    code, out, err = run(capsys, data, "import", "--update", str(path))
    assert (code, out) == (2, "")
    assert "full" in one_line(err)
    assert database(data) == before


def test_standard_output_gets_only_the_data(capsys: pytest.CaptureFixture[str], desk: Path) -> None:
    code, out, err = run(capsys, desk, "deadlines", "--ics", "-", "--within", "x")
    assert (code, out) == (2, "")
    assert "--within" in one_line(err)
    code, out, err = run(capsys, desk, "export", "-")
    assert code == 0
    assert "exported" not in out and "exported" in err  # the count never mixes with the CSV


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json at all",
        b'{"format": 1, "entries": 4000000000, "head": "' + b"0" * 64 + b'"}',
        b'{"format": 1, "entries": -1, "head": "zz"}',
        b'{"format": 1, "entries": "2", "head": "\\u202e\\u0007"}',
        b"[" * 100_000,
    ],
    ids=["empty", "not-json", "huge-count", "negative", "wrong-types", "deep-nesting"],
)
def test_a_hostile_anchor_is_one_line_from_check(
    capsys: pytest.CaptureFixture[str], desk: Path, content: bytes
) -> None:
    anchor = next((desk / "backups").glob("amudesk-*.anchor"))
    anchor.write_bytes(content)
    before = database(desk)
    code, out, err = run(capsys, desk, "check")
    assert (code, out) == (2, "")
    line = one_line(err)
    assert anchor.stem in line and "\u202e" not in line and "\x07" not in line
    assert database(desk) == before


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xfe\x00 not text\n",
        "2026-13-45T99:99:99\n\u202e\n".encode(),
        b"1" * 200_000,
    ],
    ids=["binary", "not-moments", "huge"],
)
def test_a_hostile_note_of_wrong_passphrases_never_stops_the_desk(
    capsys: pytest.CaptureFixture[str], desk: Path, content: bytes
) -> None:
    note = failed_unlocks_path(desk)
    note.write_bytes(content)
    code, _out, err = run(capsys, desk, "check")
    assert (code, err) == (0, ""), err
    assert not note.exists()  # read once, taken away


def test_a_key_file_asking_for_an_unknown_passphrase_form_is_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path
) -> None:
    key = desk / "amudesk.key"
    data = json.loads(key.read_text())
    data["passphrase_form"] = "\u202enfd"
    key.write_text(json.dumps(data))
    before = database(desk)
    code, out, err = run(capsys, desk, "check")
    assert (code, out) == (2, "")
    assert "amudesk.key" in one_line(err) and "\u202e" not in err
    assert database(desk) == before
