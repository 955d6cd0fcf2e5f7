"""Every failure of the command line is one line on stderr and exit status 2, never a
traceback: damaged files, hostile key files, passphrases that are not text, read-only and
full disks. And what the command line leaves for the audit trail: wrong passphrases, and
the heads that backups noted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlmodel import select

from amudesk.backups import make_backup
from amudesk.models import AuditEntry
from amudesk.services.desk import open_desk
from tests.adversarial.common import REFERENCE, make_desk, one_line, run, snapshot
from tests.disks import fill, remount_read_only
from tests.keys import FAST_KDF, PASSPHRASE
from tests.unit.test_audit_anchors import add_entries, rewrite_from


def actions(data: Path) -> list[str]:
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            return [e.action for e in session.exec(select(AuditEntry).order_by(AuditEntry.id))]
    finally:
        store.close()


def test_a_damaged_database_on_export_is_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path
) -> None:
    database = desk / "amudesk.sqlite3"
    with database.open("r+b") as handle:
        handle.seek(4096 + 100)
        handle.write(os.urandom(512))
    code, out, err = run(capsys, desk, "export", str(tmp_path / "x.csv"))
    assert (code, out) == (2, "")
    assert "cannot be read" in one_line(err) and "amudesk restore" in err
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe not json",
        b'{"format": 1, "kdf": "argon2id", "salt": "00", "time_cost": 3}',
        b'{"format": 1, "kdf": "argon2id", "salt": "%s", "time_cost": 0, '
        b'"memory_cost": 65536, "parallelism": 1}',
        b'{"format": 1, "kdf": "argon2id", "salt": "%s", "time_cost": 3, '
        b'"memory_cost": 4000000000, "parallelism": 1}',
        b'{"format": 1, "kdf": "argon2id", "salt": "%s", "time_cost": 3, '
        b'"memory_cost": 65536, "parallelism": 1, "initialised": false}',
    ],
    ids=["empty", "not-json", "no-costs", "zero-passes", "4e9-kib", "never-initialised"],
)
def test_a_hostile_key_file_never_leads_to_a_new_database(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path, content: bytes
) -> None:
    key = desk / "amudesk.key"
    made = json.loads(key.read_text())
    if content.endswith(b"false}"):  # the desk's own costs, so that its passphrase opens it
        content = content.replace(b"65536", str(made["memory_cost"]).encode())
        content = content.replace(b'"time_cost": 3', b'"time_cost": %d' % made["time_cost"])
    key.write_bytes(content.replace(b"%s", made["salt"].encode()))
    database = (desk / "amudesk.sqlite3").read_bytes()
    code, out, err = run(capsys, desk, "export", str(tmp_path / "x.csv"))
    if content.endswith(b"false}"):  # its own salt: an interrupted start, the data kept
        assert code == 0, err
    else:
        assert (code, out) == (2, "")
        one_line(err)
        assert "key file" in err or "amudesk.key" in err
    assert (desk / "amudesk.sqlite3").read_bytes()[:4096] == database[:4096]
    code, _out, _err = run(capsys, desk, "check")
    assert code == (0 if content.endswith(b"false}") else 2)


def test_a_key_file_reset_to_new_lets_no_passphrase_wipe_the_data(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reproduction: "initialised": false let any passphrase make a new empty database."""
    key = desk / "amudesk.key"
    data = json.loads(key.read_text())
    data["initialised"] = False
    key.write_text(json.dumps(data))
    before = snapshot(desk)
    monkeypatch.setenv("AMUDESK_PASSPHRASE", "any other passphrase")
    code, _out, err = run(capsys, desk, "export", str(tmp_path / "x.csv"))
    assert code == 2 and "Wrong passphrase" in one_line(err)
    after = snapshot(desk)
    assert after["amudesk.sqlite3"] == before["amudesk.sqlite3"]
    monkeypatch.setenv("AMUDESK_PASSPHRASE", PASSPHRASE)
    code, _out, err = run(capsys, desk, "export", str(tmp_path / "x.csv"))
    assert code == 0, err
    assert "Dupont" in (tmp_path / "x.csv").read_text(encoding="utf-8-sig")


def test_a_passphrase_that_is_not_text_is_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMUDESK_PASSPHRASE", os.fsdecode(b"caf\xe9 \xff"))
    code, out, err = run(capsys, desk, "check")
    assert (code, out) == (2, "")
    assert "\udce9" not in one_line(err)


def test_a_passphrase_typed_decomposed_opens_a_desk_made_composed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    monkeypatch.setenv("AMUDESK_PASSPHRASE", "caf\u00e9 au lait")
    assert run(capsys, data, "check")[0] == 0
    monkeypatch.setenv("AMUDESK_PASSPHRASE", "cafe\u0301 au lait")
    code, _out, err = run(capsys, data, "check")
    assert (code, err) == (0, "")


def test_wrong_passphrases_at_the_command_line_reach_the_audit_trail(
    capsys: pytest.CaptureFixture[str], desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMUDESK_PASSPHRASE", "guess 1")
    assert run(capsys, desk, "check")[0] == 2
    monkeypatch.setenv("AMUDESK_PASSPHRASE", "guess 2")
    assert run(capsys, desk, "export", "-")[0] == 2
    monkeypatch.setenv("AMUDESK_PASSPHRASE", PASSPHRASE)
    code, _out, err = run(capsys, desk, "check")
    assert (code, err) == (0, "")
    assert actions(desk)[-3:] == ["failed-unlock", "failed-unlock", "unlock"]
    assert run(capsys, desk, "check")[0] == 0
    assert actions(desk).count("failed-unlock") == 2  # written once


def test_check_names_a_backup_whose_head_the_rewritten_trail_lost(
    capsys: pytest.CaptureFixture[str], desk: Path
) -> None:
    import datetime as dt

    store = open_desk(desk, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        add_entries(store, 4)
        made = make_backup(store, now=dt.datetime.now() + dt.timedelta(seconds=5))
        code, out, err = run(capsys, desk, "check")
        assert (code, err) == (0, ""), err
        rewrite_from(store, 2, "count=999")
    finally:
        store.close()
    code, out, err = run(capsys, desk, "check")
    assert (code, out) == (2, "")
    assert made.path.name in one_line(err)


def test_a_read_only_data_folder_is_one_line(
    capsys: pytest.CaptureFixture[str], small_disk: Path, tmp_path: Path
) -> None:
    data = make_desk(small_disk / "data")
    remount_read_only(small_disk)
    for args in (["check"], ["export", str(tmp_path / "x.csv")], ["demo", "--count", "1"]):
        code, _out, err = run(capsys, data, *args)
        assert code == 2, (args, err)
        one_line(err)


def test_a_read_only_output_folder_is_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path, small_disk: Path
) -> None:
    remount_read_only(small_disk)
    for args in (
        ["export", str(small_disk / "x.csv")],
        ["deadlines", "--ics", str(small_disk / "x.ics")],
        ["document", "receipt", "--reference", REFERENCE, "-o", str(small_disk / "r.pdf")],
        ["person-export", "--reference", REFERENCE, "-o", str(small_disk)],
        ["backup", "--to", str(small_disk)],
    ):
        code, _out, err = run(capsys, desk, *args)
        assert code == 2, (args, err)
        assert "read-only" in one_line(err), args
    assert list(small_disk.iterdir()) == []
    assert "print" not in actions(desk)


def test_a_full_disk_at_open_says_so(capsys: pytest.CaptureFixture[str], small_disk: Path) -> None:
    data = make_desk(small_disk / "data")
    fill(small_disk)
    (data / "amudesk.sqlite3-wal").unlink(missing_ok=True)
    code, _out, err = run(capsys, data, "demo", "--count", "50")
    assert code == 2
    assert "full" in one_line(err) and "Wrong passphrase" not in err
