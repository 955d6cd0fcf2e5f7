"""The command line, run in-process with its own data folder."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from amudesk import __version__
from amudesk.cli import main
from amudesk.services.demo import bis_number
from tests.keys import PASSPHRASE, keyed

NISS = bis_number("1985-07-30", "M", 1)


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def only_notes(err: str) -> bool:
    """The stderr of a command that succeeded: empty, or the note on what a document was
    printed without (the office profile or the directory lacks it)."""
    return all(line.startswith("Note: printed without ") for line in err.splitlines())


def exit_code(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    out, err = capsys.readouterr()
    return int(raised.value.code or 0), out, err


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["family_name", "given_names", "niss", "cpas", "filed_on"], *rows]
        )
    return path


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = exit_code(capsys, ["--version"])
    assert code == 0
    assert out.strip() == f"amudesk {__version__}"


def test_niss_valid(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, data_dir, "niss", "85.47.30-001.49")
    assert (code, err) == (0, "")
    assert "85.47.30-001.49: valid BIS number" in out
    assert "30 July 1985" in out and "sex: M" in out


def test_niss_valid_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _err = run(capsys, data_dir, "niss", NISS, "--json")
    assert code == 0
    assert json.loads(out) == {
        "valid": True,
        "kind": "bis",
        "formatted": "85.47.30-001.49",
        "birth_date": "1985-07-30",
        "sex": "M",
        "error": None,
    }


def test_niss_invalid(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, data_dir, "niss", "85473000148")
    assert (code, out) == (2, "")
    assert err.strip() == "amudesk: NISS: the check digits do not match (wrong digit or typo?)"


def test_niss_invalid_json(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _err = run(capsys, data_dir, "niss", "1234", "--json")
    assert code == 2
    answer = json.loads(out)
    assert set(answer) == {"valid", "kind", "formatted", "birth_date", "sex", "error"}
    assert answer["valid"] is False and answer["kind"] is None
    assert answer["error"] == "NISS: 11 digits expected, 4 given"


def test_import_bad_file_reports_every_bad_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        [
            ["Diallo", "Aminata", "", "Ixelles", "2025-01-02"],
            ["Barry", "Alpha", "85473000148", "Ixelles", "2025-01-02"],
            ["Sow", "Mariama", "", "Atlantis", "2025-01-02"],
            ["Camara", "Ibrahima", "", "Evere", "2099-01-01"],
        ],
    )
    code, out, err = run(capsys, data_dir, "import", str(path))
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith("amudesk: line 3: niss: ")
    assert lines[1].startswith("amudesk: line 4: cpas: ")
    assert lines[2] == "amudesk: line 5: filed_on: the date is in the future."
    assert lines[3] == "amudesk: nothing was imported: 3 bad rows; fix them or use --skip-invalid"
    code, out, _err = run(capsys, data_dir, "export", str(tmp_path / "out.csv"))
    assert (code, out.strip()) == (0, "0 requests exported.")


def test_import_skip_invalid(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "mixed.csv",
        [
            ["Diallo", "Aminata", NISS, "Ixelles", "2025-01-02"],
            ["Sow", "Mariama", "", "Atlantis", "2025-01-02"],
        ],
    )
    code, out, err = run(capsys, data_dir, "import", "--skip-invalid", str(path))
    assert code == 2  # some rows were rejected
    assert out.strip() == "1 request imported (1 new person), 1 row rejected."
    assert err.strip() == "amudesk: line 3: cpas: no CPAS of the directory is called “Atlantis”."


def test_import_good_file_then_export(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "good.csv", [["Nguyễn", "Thị Lan", "", "Sint-Gillis", "2025-01-02 10:00"]]
    )
    code, out, err = run(capsys, data_dir, "import", str(path))
    assert (code, err) == (0, "")
    assert out.strip() == "1 request imported (1 new person), 0 rows rejected."
    target = tmp_path / "export.csv"
    code, out, _err = run(capsys, data_dir, "export", str(target))
    assert (code, out.strip()) == (0, "1 request exported.")
    rows = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert [(r["reference"], r["family_name"], r["filed_on"]) for r in rows] == [
        ("AMU-2025-0001", "Nguyễn", "2025-01-02 10:00")
    ]


def test_import_file_level_error_is_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, data_dir, "import", str(tmp_path / "missing.csv"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("amudesk: File not found")


def test_check_sound_folder(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    from amudesk.models import GENESIS_HASH

    code, out, err = run(capsys, data_dir, "check")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "The data folder is sound.",
        f"Audit trail: 0 entries, head {GENESIS_HASH}",
    ]
    assert run(capsys, data_dir, "demo", "--count", "2")[0] == 0
    code, out, err = run(capsys, data_dir, "check")
    length, head = out.splitlines()[1].removeprefix("Audit trail: ").split(" entries, head ")
    assert int(length) > 0 and len(head) == 64 and head != GENESIS_HASH
    assert run(capsys, data_dir, "check")[1] == out  # checking writes nothing to the trail


def test_check_finds_an_emptied_search_index(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert run(capsys, data_dir, "demo", "--count", "30")[0] == 0
    connection = keyed(data_dir / "amudesk.sqlite3")
    connection.execute("INSERT INTO person_fts(person_fts) VALUES('delete-all')")
    connection.commit()
    connection.close()
    code, out, err = run(capsys, data_dir, "check")
    assert (code, out) == (2, "")
    assert "search index" in err


def test_check_finds_a_damaged_page(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    """One byte of an encrypted page changed on disk: its authentication code no longer
    matches, and the check says which page."""
    path = write_csv(tmp_path / "one.csv", [["Dupontzz", "Marie", "", "Evere", "2025-01-02"]])
    assert run(capsys, data_dir, "import", str(path))[0] == 0
    database = data_dir / "amudesk.sqlite3"
    connection = keyed(database)
    page = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_person_match'"
    ).fetchone()[0]
    size = int(connection.execute("PRAGMA page_size").fetchone()[0])
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(database.read_bytes())
    data[(page - 1) * size + 100] ^= 0x01
    database.write_bytes(bytes(data))
    code, out, err = run(capsys, data_dir, "check")
    assert (code, out) == (2, "")
    assert f"page {page}" in err


def test_demo(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = run(capsys, data_dir, "demo", "--count", "30")
    assert (code, err) == (0, "")
    assert out.strip() == "30 fictional people and their requests added."
    code, out, err = run(capsys, data_dir, "demo", "--count", "30")
    assert (code, out) == (2, "")
    assert (
        err.strip()
        == "amudesk: The demo fills an empty data folder only; this one already has people."
    )


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["export", "{tmp}/e.csv"],
        ["demo", "--count", "3"],
        ["niss", NISS],
        ["import", "{tmp}/good.csv"],
    ],
)
def test_every_command_works_on_a_new_empty_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: list[str]
) -> None:
    write_csv(tmp_path / "good.csv", [["Diallo", "Aminata", "", "Ixelles", "2025-01-02"]])
    folder = tmp_path / "new" / "data"
    code, _out, err = run(capsys, folder, *[a.format(tmp=tmp_path) for a in args])
    assert (code, err) == (0, "")
    assert (folder / "amudesk.sqlite3").exists() or args[0] == "niss"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["frobnicate"], "invalid choice"),
        (["demo", "--count", "many"], "“many” is not a whole number"),
        (["demo", "--count", "0"], "must be at least 1"),
        (["import"], "required"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], expected: str
) -> None:
    code, out, err = exit_code(capsys, ["--data-dir", str(tmp_path / "d"), *argv])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and expected in err


# --- the passphrase ---------------------------------------------------------------------------


def test_a_wrong_passphrase_exits_2_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run(capsys, data_dir, "demo", "--count", "5")[0] == 0
    before = {p.name: p.read_bytes() for p in data_dir.glob("amudesk.*")}
    monkeypatch.setenv("AMUDESK_PASSPHRASE", "not the passphrase")
    target = tmp_path / "out.csv"
    code, out, err = run(capsys, data_dir, "export", str(target))
    assert (code, out) == (2, "")
    assert err == "amudesk: Wrong passphrase, or the database file is damaged.\n"
    assert not target.exists()
    assert {p.name: p.read_bytes() for p in data_dir.glob("amudesk.*")} == before


def test_without_a_passphrase_or_a_terminal_the_command_says_how(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AMUDESK_PASSPHRASE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, out, err = run(capsys, data_dir, "check")
    assert (code, out) == (2, "")
    assert err.strip() == (
        "amudesk: no passphrase: set AMUDESK_PASSPHRASE or run the command in a terminal"
    )
    assert not (data_dir / "amudesk.sqlite3").exists()


def test_a_new_folder_asks_twice_at_the_terminal(
    capsys: pytest.CaptureFixture[str], data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AMUDESK_PASSPHRASE")
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter(["first phrase", "second phrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, _out, err = run(capsys, data_dir, "check")
    assert code == 2
    assert "the two passphrases differ; nothing was created" in err
    assert not (data_dir / "amudesk.sqlite3").exists()
    answers = iter(["same phrase", "same phrase", "same phrase"])
    assert run(capsys, data_dir, "check")[0] == 0
    assert run(capsys, data_dir, "check")[0] == 0  # asked once for an existing folder
    assert (data_dir / "amudesk.key").exists()


# --- backups and the passphrase change --------------------------------------------------------


def test_backup_restore_and_rekey_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run(capsys, data_dir, "demo", "--count", "12")[0] == 0
    (tmp_path / "usb").mkdir()
    code, out, err = run(capsys, data_dir, "backup", "--to", str(tmp_path / "usb"))
    assert (code, err) == (0, "")
    (backup,) = (tmp_path / "usb").glob("amudesk-*.sqlite3")
    assert out.strip() == f"Backup written: {backup}"
    assert backup.with_suffix(".key").exists()
    run(capsys, data_dir, "export", str(tmp_path / "before.csv"))

    monkeypatch.setenv("AMUDESK_NEW_PASSPHRASE", "a new phrase for the rekey")
    code, out, err = run(capsys, data_dir, "rekey")
    assert (code, err) == (0, "")
    assert run(capsys, data_dir, "check")[0] == 2  # the old passphrase no longer opens it
    monkeypatch.setenv("AMUDESK_PASSPHRASE", "a new phrase for the rekey")
    assert run(capsys, data_dir, "check")[0] == 0

    code, out, err = run(capsys, data_dir, "restore", str(backup))
    assert (code, out) == (2, "")
    assert err == "amudesk: restore: Wrong passphrase, or the database file is damaged.\n"
    monkeypatch.setenv("AMUDESK_PASSPHRASE", PASSPHRASE)  # the backup's passphrase
    code, out, err = run(capsys, data_dir, "restore", str(backup))
    assert (code, err) == (0, "")
    assert "before-restore-" in out
    run(capsys, data_dir, "export", str(tmp_path / "after.csv"))
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()


# --- privacy duties ---------------------------------------------------------------------------


def test_person_export_and_erase_from_the_command_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "two.csv",
        [
            ["Zzyzxová", "Marie", "", "Evere", "2025-01-02"],
            ["Keepmann", "Jo", "", "Evere", "2025-01-03"],
        ],
    )
    assert run(capsys, data_dir, "import", str(path))[0] == 0
    code, out, err = run(capsys, data_dir, "deadlines", "--json")
    references = sorted({item["reference"] for item in json.loads(out)})
    first = references[0]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    code, out, err = run(
        capsys, data_dir, "person-export", "--reference", first, "-o", str(out_dir)
    )
    assert (code, out) == (2, "")
    assert err == (
        "amudesk: Office: fill in the office profile first; its name and address go on "
        "the export.\n"
    )
    assert list(out_dir.iterdir()) == []
    from amudesk.services.desk import open_desk
    from amudesk.services.office import save_office

    store = open_desk(data_dir, passphrase=PASSPHRASE)
    with store.transaction() as session:
        save_office(session=session, kind="association", name="Permanence Test")
    store.close()
    code, out, err = run(
        capsys, data_dir, "person-export", "--reference", first, "-o", str(out_dir)
    )
    assert (code, err) == (0, "")
    assert sorted(p.name for p in out_dir.iterdir()) == [
        f"{first}-access.json",
        f"{first}-access.pdf",
    ]
    assert "Zzyzxová" in (out_dir / f"{first}-access.json").read_text(encoding="utf-8")
    code, out, err = run(
        capsys, data_dir, "person-export", "--reference", "AMU-1999-9999", "-o", str(out_dir)
    )
    assert (code, out) == (2, "") and err.count("\n") == 1

    code, out, err = run(capsys, data_dir, "erase", "--reference", first)
    assert (code, err) == (0, "")
    assert out.startswith(f"Erased: 1 person and 1 request ({first}).")
    for file in data_dir.rglob("*"):
        if file.is_file() and "backups" not in file.parts:
            data = file.read_bytes()
            assert b"Zzyzxov" not in data and "Zzyzxov".encode("utf-16-le") not in data
    code, out, err = run(capsys, data_dir, "erase", "--reference", first)
    assert (code, out) == (2, "") and first in err
    assert run(capsys, data_dir, "check")[0] == 0


def test_a_windowed_build_without_standard_streams_does_not_crash(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    """A windowed Windows build has None for stdin, stdout and stderr: the progress bar
    stays silent and a missing passphrase is refused (exit 2), with no AttributeError."""
    from amudesk import cli

    for name in ("stdin", "stdout", "stderr"):
        monkeypatch.setattr(cli.sys, name, None)
    assert cli.is_terminal(None) is False
    progress = cli._TerminalProgress("Checking")
    progress(1, 2)
    assert progress.enabled is False
    monkeypatch.delenv(cli.PASSPHRASE_ENV, raising=False)
    assert main(["--lang", "en", "--data-dir", str(data_dir), "check"]) == 2


def test_a_commands_own_lang_does_not_change_the_language_of_the_messages(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`office set … --lang nl` names the Dutch wording of a field, `stats --lang nl` the
    report's language: the help and the messages stay in the interface's language."""
    code, out, _err = exit_code(capsys, ["--lang", "en", "office", "set", "--lang", "nl", "--help"])
    assert code == 0 and "one of kind, name, address" in out and "een van" not in out
    code, out, _err = exit_code(capsys, ["--lang", "nl", "office", "set", "--lang", "fr", "--help"])
    assert code == 0 and "een van kind, name, address" in out
