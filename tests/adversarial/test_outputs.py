"""Hostile output paths through the real command line, on a real encrypted store.

Each test is one way a careful attacker or a clumsy user could aim a command's output at
something precious: the database, its key file, a backup, a link, a pipe, a folder, a
file of another kind. Every one must end in exit status 2, one line on stderr naming the
path, and every byte of the data folder as it was.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from amudesk import outputs
from tests.adversarial.common import REFERENCE, one_line, run, snapshot
from tests.keys import PASSPHRASE
from tests.unit.test_cli import only_notes

# Each command that writes a file, with where its output goes.
FILE_COMMANDS = {
    "export": lambda target: ["export", str(target)],
    "ics": lambda target: ["deadlines", "--ics", str(target)],
    "document": lambda target: ["document", "receipt", "--reference", REFERENCE, "-o", str(target)],
    "stats-csv": lambda target: ["stats", "--csv", str(target)],
    "stats-xlsx": lambda target: ["stats", "--xlsx", str(target)],
    "stats-pdf": lambda target: ["stats", "--pdf", str(target)],
    "stats-extract": lambda target: ["stats", "--extract", str(target)],
}
# The file name each command's output takes.
SUFFIXES = {
    "export": ".csv",
    "ics": ".ics",
    "document": ".pdf",
    "stats-csv": ".csv",
    "stats-xlsx": ".xlsx",
    "stats-pdf": ".pdf",
    "stats-extract": ".csv",
}
FOLDER_COMMANDS = {
    "person-export": lambda folder: ["person-export", "--reference", REFERENCE, "-o", str(folder)],
    "backup": lambda folder: ["backup", "--to", str(folder)],
}


def precious(data: Path) -> list[Path]:
    backup = sorted((data / "backups").glob("amudesk-*.sqlite3"))[0]
    return [
        data / "amudesk.sqlite3",
        data / "amudesk.sqlite3-wal",
        data / "amudesk.key",
        backup,
        backup.with_suffix(".key"),
        data / "settings.json",
        data / "logs" / "amudesk.log",
    ]


@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
@pytest.mark.parametrize("index", range(7))
def test_no_command_writes_into_the_data_folder(
    capsys: pytest.CaptureFixture[str], desk: Path, command: str, index: int
) -> None:
    target = precious(desk)[index]
    before = snapshot(desk)
    code, out, err = run(capsys, desk, *FILE_COMMANDS[command](target))
    assert code == 2
    assert str(target) in one_line(err)
    assert out == ""
    assert snapshot(desk) == before


@pytest.mark.parametrize("command", sorted(FOLDER_COMMANDS))
@pytest.mark.parametrize("sub", ["", "backups", "logs"])
def test_no_command_writes_its_files_into_the_data_folder(
    capsys: pytest.CaptureFixture[str], desk: Path, command: str, sub: str
) -> None:
    folder = desk / sub if sub else desk
    before = snapshot(desk)
    code, _out, err = run(capsys, desk, *FOLDER_COMMANDS[command](folder))
    assert code == 2
    assert "inside the data folder" in one_line(err)
    assert snapshot(desk) == before


def test_the_reproduction_of_the_issue_is_refused(
    capsys: pytest.CaptureFixture[str], desk: Path
) -> None:
    """`amudesk export <data-dir>/amudesk.sqlite3` once replaced the database with a CSV."""
    database = desk / "amudesk.sqlite3"
    before = database.read_bytes()
    code, _out, err = run(capsys, desk, "export", str(database.with_suffix(".csv")))
    assert code == 2 and "inside the data folder" in err
    code, _out, err = run(capsys, desk, "export", str(database))
    assert code == 2 and ".csv or .xlsx" in one_line(err)
    assert database.read_bytes() == before


def test_a_path_that_leads_into_the_data_folder_through_a_link_is_refused(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path
) -> None:
    door = tmp_path / "innocent"
    door.symlink_to(desk)
    before = snapshot(desk)
    for args in (
        ["export", str(door / "export.csv")],
        ["document", "receipt", "--reference", REFERENCE, "-o", str(door / "r.pdf")],
        ["backup", "--to", str(door / "backups")],
        ["person-export", "--reference", REFERENCE, "-o", str(door)],
    ):
        code, _out, err = run(capsys, desk, *args)
        assert code == 2 and "inside the data folder" in one_line(err), args
    assert snapshot(desk) == before


@pytest.fixture
def oddities(tmp_path: Path, desk: Path) -> Iterator[dict[str, Path]]:
    odd = tmp_path / "odd"
    odd.mkdir()
    link = odd / "link"
    link.symlink_to(desk / "amudesk.sqlite3")
    fifo = odd / "fifo"
    os.mkfifo(fifo)
    folder = odd / "folder"
    folder.mkdir()
    hard = odd / "hard"
    (odd / "original").write_bytes(b"")
    os.link(odd / "original", hard)
    yield {"symbolic link": link, "FIFO": fifo, "folder": folder, "hard link": hard}


@pytest.mark.parametrize("kind", ["symbolic link", "FIFO", "folder", "hard link"])
@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
def test_a_target_that_is_not_a_plain_file_is_refused(
    capsys: pytest.CaptureFixture[str],
    desk: Path,
    oddities: dict[str, Path],
    kind: str,
    command: str,
) -> None:
    suffix = SUFFIXES[command]
    target = oddities[kind].with_name(oddities[kind].name + suffix)
    oddities[kind].rename(target)
    before = snapshot(desk)
    code, _out, err = run(capsys, desk, *FILE_COMMANDS[command](target))
    assert code == 2
    assert str(target) in one_line(err)
    assert snapshot(desk) == before
    assert os.path.lexists(target)
    if kind == "symbolic link":
        assert target.is_symlink()
    elif kind == "FIFO":
        assert stat.S_ISFIFO(target.lstat().st_mode)


def test_a_device_is_not_replaced(capsys: pytest.CaptureFixture[str], desk: Path) -> None:
    code, _out, err = run(capsys, desk, "deadlines", "--ics", "/dev/null")
    assert code == 2 and "not a regular file" in one_line(err)


@pytest.mark.parametrize(
    ("command", "suffix", "content"),
    [
        ("export", ".csv", b"%PDF-1.4 a document"),
        ("export", ".xlsx", b"plain text, not a workbook"),
        ("ics", ".ics", b"reference,family_name\r\n"),
        ("document", ".pdf", b"reference,family_name\r\nA,B\r\n"),
        ("export", ".csv", b"SQLite format 3\x00\x10\x00\x01\x01"),
        ("stats-pdf", ".pdf", b"reference,family_name\r\nA,B\r\n"),
        ("stats-extract", ".csv", b"%PDF-1.4 a document"),
        ("stats-xlsx", ".xlsx", b"plain text, not a workbook"),
    ],
)
def test_a_file_of_another_kind_is_not_replaced(
    capsys: pytest.CaptureFixture[str],
    desk: Path,
    tmp_path: Path,
    command: str,
    suffix: str,
    content: bytes,
) -> None:
    target = tmp_path / f"mine{suffix}"
    target.write_bytes(content)
    code, _out, err = run(capsys, desk, *FILE_COMMANDS[command](target))
    assert code == 2 and "is not a" in one_line(err)
    assert target.read_bytes() == content


@pytest.mark.parametrize("command", sorted(FILE_COMMANDS))
def test_a_file_of_the_same_kind_is_replaced_whole_and_private(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path, command: str
) -> None:
    suffix = SUFFIXES[command]
    target = tmp_path / f"out{suffix}"
    assert run(capsys, desk, *FILE_COMMANDS[command](target))[0] == 0
    first = target.read_bytes()
    target.chmod(0o644)
    code, _out, err = run(capsys, desk, *FILE_COMMANDS[command](target))
    assert code == 0 and only_notes(err)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_bytes()[:4] == first[:4]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize(
    "args",
    [
        ["export", "{missing}/x.csv"],
        ["deadlines", "--ics", "{missing}/x.ics"],
        ["document", "receipt", "--reference", REFERENCE, "-o", "{missing}/x.pdf"],
        ["person-export", "--reference", REFERENCE, "-o", "{missing}"],
        ["backup", "--to", "{missing}"],
    ],
)
def test_every_command_refuses_a_missing_folder_alike(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path, args: list[str]
) -> None:
    missing = tmp_path / "no" / "such"
    code, _out, err = run(capsys, desk, *(a.format(missing=missing) for a in args))
    assert code == 2
    assert "does not exist; create it first" in one_line(err)
    assert not (tmp_path / "no").exists()


def test_dash_writes_the_export_and_the_calendar_to_standard_output(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, desk, "export", "-")
    assert code == 0
    assert out.lstrip("\ufeff").startswith("reference,family_name")
    assert REFERENCE in out and "Dupont" in out
    assert err.strip() == "1 request exported."
    assert not (Path.cwd() / "-").exists()
    code, out, err = run(capsys, desk, "deadlines", "--ics", "-")
    assert (code, err) == (0, "")
    assert out.startswith("BEGIN:VCALENDAR") and REFERENCE in out
    assert "Dupont" not in out


def test_control_characters_in_a_path_are_escaped(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path
) -> None:
    hostile = tmp_path / "\x1b[2J\u202eevil\nname" / "x.csv"
    code, _out, err = run(capsys, desk, "export", str(hostile))
    assert code == 2
    line = one_line(err)
    assert "\x1b" not in line and "\u202e" not in line
    assert "\\x1b[2J\\u202eevil\\nname" in line


def kill_midway(desk: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (Python) in a child that opens the desk and kills itself with SIGKILL
    where the script says, as a power cut or ``kill -9`` would."""
    code = (
        f"import os, signal, sys\nfrom pathlib import Path\nfrom amudesk import outputs\n{script}\n"
    )
    env = dict(os.environ, AMUDESK_PASSPHRASE=PASSPHRASE, AMUDESK_DATA_DIR=str(desk))
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["document", "receipt", "--reference", REFERENCE, "-o"], "receipt.pdf"),
        (["export"], "requests.csv"),
    ],
)
def test_a_kill_midway_leaves_no_partial_file_after_the_next_start(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path, args: list[str], name: str
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = kill_midway(
        desk,
        "real = outputs._finish\n"
        "def die(handle, *args, **kwargs):\n"
        "    handle.flush()\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "outputs._finish = die\n"
        "from amudesk.cli import main\n"
        f"main({[*args, str(out / name)]!r})\n",
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    left = list(out.iterdir())
    assert len(left) == 1 and left[0].name.startswith(f".{name}.")
    assert left[0].name.endswith(outputs.PART_SUFFIX)
    assert left[0].stat().st_size > 0  # what a kill leaves: personal data in a stray file
    code, _out, err = run(capsys, desk, "check")
    assert code == 0, err
    assert list(out.iterdir()) == []
    assert list((desk / outputs.PENDING_FOLDER).iterdir()) == []


def test_the_partial_file_of_a_running_process_is_left_alone(desk: Path, tmp_path: Path) -> None:
    import json

    part = tmp_path / f".x.csv.0000{outputs.PART_SUFFIX}"
    part.write_bytes(b"in progress")
    notes = desk / outputs.PENDING_FOLDER
    notes.mkdir()
    parent = os.getppid()  # alive for as long as this test runs
    (notes / "a.json").write_text(
        json.dumps({"pid": parent, "path": os.fsencode(part).hex()}), encoding="utf-8"
    )
    assert outputs.clean_pending(desk) == []
    assert part.exists()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    (notes / "a.json").write_text(
        json.dumps({"pid": int(dead.stdout), "path": os.fsencode(part).hex()}), encoding="utf-8"
    )
    assert outputs.clean_pending(desk) == [part]
    assert not part.exists()


def test_a_note_never_removes_anything_but_a_partial_file(desk: Path, tmp_path: Path) -> None:
    import json

    notes = desk / outputs.PENDING_FOLDER
    notes.mkdir()
    victim = desk / "amudesk.sqlite3"
    before = victim.read_bytes()
    (notes / "evil.json").write_text(
        json.dumps({"pid": 999_999_999, "path": os.fsencode(victim).hex()}), encoding="utf-8"
    )
    (notes / "junk.json").write_text("{not json", encoding="utf-8")
    assert outputs.clean_pending(desk) == []
    assert victim.read_bytes() == before
    assert list(notes.iterdir()) == []


def test_a_backup_from_the_window_goes_nowhere_inside_the_data_folder(desk: Path) -> None:
    """The window's "Back up to a folder…" calls the same service as `backup --to`."""
    import datetime as dt

    from amudesk.backups import BackupError, make_backup
    from amudesk.services.desk import open_desk
    from tests.keys import FAST_KDF

    store = open_desk(desk, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        before = snapshot(desk / "logs")
        for folder in (desk / "logs", desk, desk / "logs" / "missing"):
            with pytest.raises(BackupError):
                make_backup(store, folder)
        assert snapshot(desk / "logs") == before
        later = dt.datetime.now() + dt.timedelta(minutes=1)
        assert make_backup(store, desk / "backups", now=later).path.parent == desk / "backups"
    finally:
        store.close()


def test_sniffing_a_fifo_swapped_in_after_the_check_does_not_wait_on_it(tmp_path: Path) -> None:
    """Between the check of a target and the look at its content, a FIFO could take the
    file's place: opening it for reading would wait for a writer forever."""
    fifo = tmp_path / "swapped.csv"
    os.mkfifo(fifo)
    code = f"from pathlib import Path; from amudesk import outputs; outputs._holds(Path({str(fifo)!r}), 'pdf')"
    done = subprocess.run([sys.executable, "-c", code], timeout=60, capture_output=True)
    assert done.returncode == 0, done.stderr
