"""Backups: encrypted copies made with the backup API, checked, pruned to 7 daily + 4 weekly;
restores that check first and keep what they replace; passphrase changes."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amudesk import crypto
from amudesk.backups import (
    BackupError,
    backup_due,
    kept_backups,
    list_backups,
    make_backup,
    restore_backup,
)
from amudesk.models import Person
from amudesk.services.demo import fill_demo
from amudesk.services.desk import change_passphrase, open_desk
from amudesk.services.exporting import export_file
from amudesk.services.people import PersonData, save_person
from amudesk.store import Store, StoreError, WrongPassphrase, integrity_problems, settle_key_file
from tests.keys import FAST_KDF, PASSPHRASE

NOW = dt.datetime(2026, 11, 30, 9, 30)


@pytest.fixture
def filled(data_dir: Path) -> Store:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    fill_demo(store=store, count=60, seed=4)
    yield store
    store.close()


def stick(folder: Path) -> Path:
    """A folder of the user's to back up into (a USB stick): it must exist."""
    folder.mkdir(exist_ok=True)
    return folder


def people(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(Person)) or 0)


def test_a_backup_is_an_encrypted_checked_pair(filled: Store, data_dir: Path) -> None:
    backup = make_backup(filled, now=NOW)
    assert backup.path == data_dir / "backups" / "amudesk-20261130-093000.sqlite3"
    assert backup.key_path.read_text() == (data_dir / "amudesk.key").read_text()
    assert crypto.file_kind(backup.path) == "sealed"
    assert not list((data_dir / "backups").glob("*.partial"))
    assert [b.path for b in list_backups(data_dir / "backups")] == [backup.path]
    with pytest.raises(BackupError, match="already exists"):
        make_backup(filled, now=NOW)


def test_a_backup_is_due_after_a_day(filled: Store, data_dir: Path) -> None:
    assert backup_due(data_dir, NOW)
    make_backup(filled, now=NOW)
    assert not backup_due(data_dir, NOW + dt.timedelta(hours=23))
    assert backup_due(data_dir, NOW + dt.timedelta(hours=24))


def test_seven_daily_and_four_weekly_backups_are_kept(filled: Store, data_dir: Path) -> None:
    """Two backups a day for 60 days: the newest of each of the last 7 days, then the newest
    of each of the 4 weeks before; everything else goes, both files of each pair."""
    start = NOW - dt.timedelta(days=59)
    for day in range(60):
        for hour in (8, 17):
            when = (start + dt.timedelta(days=day)).replace(hour=hour)
            make_backup(filled, now=when)
    kept = list_backups(data_dir / "backups")
    days = sorted({b.made_at.date() for b in kept})
    assert len(kept) == 11
    assert all(b.made_at.hour == 17 for b in kept)  # the newest of its day
    daily, weekly = days[-7:], days[:-7]
    assert daily == [(NOW - dt.timedelta(days=n)).date() for n in range(6, -1, -1)]
    assert len({d.isocalendar()[:2] for d in weekly}) == 4
    assert len(list((data_dir / "backups").glob("*.key"))) == 11
    assert len(list((data_dir / "backups").glob("*.anchor"))) == 11


def test_kept_backups_never_keeps_more_than_eleven() -> None:
    from amudesk.backups import Backup

    backups = [
        Backup(path=Path(f"b{n}"), made_at=NOW - dt.timedelta(hours=7 * n)) for n in range(300)
    ]
    kept = kept_backups(backups)
    assert len(kept) == 11 and Path("b0") in kept


def test_a_backup_taken_while_writing_opens_sound(filled: Store, tmp_path: Path) -> None:
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            with filled.transaction() as session:
                save_person(
                    PersonData(family_name=f"Writer{number}", given_names="Wanda"), session=session
                )
            written.append(number)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        backups = [
            make_backup(filled, stick(tmp_path / "usb"), now=NOW + dt.timedelta(seconds=n))
            for n in range(3)
        ]
    finally:
        stop.set()
        writer.join()
    assert written
    for backup in backups:
        copy = open_desk(tmp_path / "restored", passphrase=PASSPHRASE, kdf=FAST_KDF)
        copy.close()
        restore_backup(tmp_path / "restored", backup.path, PASSPHRASE)
        copy = open_desk(tmp_path / "restored", passphrase=PASSPHRASE)
        try:
            assert integrity_problems(copy) == []
            assert people(copy) >= 60
        finally:
            copy.close()


def test_backup_then_restore_gives_the_same_export(
    filled: Store, data_dir: Path, tmp_path: Path
) -> None:
    export_file(tmp_path / "before.csv", store=filled)
    backup = make_backup(filled, stick(tmp_path / "usb"), now=NOW)
    with filled.transaction() as session:
        save_person(PersonData(family_name="Added After", given_names="Ann"), session=session)
    filled.close()
    kept = restore_backup(data_dir, backup.path, PASSPHRASE)
    assert kept is not None and kept.name.startswith("before-restore-")
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    try:
        export_file(tmp_path / "after.csv", store=store)
    finally:
        store.close()
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()
    previous = open_desk(tmp_path / "previous", passphrase=PASSPHRASE, kdf=FAST_KDF)
    previous.close()
    restore_backup(tmp_path / "previous", kept, PASSPHRASE)  # what was replaced is whole
    previous = open_desk(tmp_path / "previous", passphrase=PASSPHRASE)
    try:
        assert people(previous) == 61  # the 60 demo people and the one added after
    finally:
        previous.close()


def test_a_damaged_backup_is_refused_and_nothing_changes(
    filled: Store, data_dir: Path, tmp_path: Path
) -> None:
    backup = make_backup(filled, stick(tmp_path / "usb"), now=NOW)
    filled.close()
    data = bytearray(backup.path.read_bytes())
    data[len(data) // 2] ^= 0x40
    backup.path.write_bytes(bytes(data))
    before = (data_dir / "amudesk.sqlite3").read_bytes()
    with pytest.raises(StoreError, match="damaged"):
        restore_backup(data_dir, backup.path, PASSPHRASE)
    with pytest.raises(WrongPassphrase):
        restore_backup(data_dir, make_backup_again(data_dir, tmp_path), "wrong phrase")
    assert (data_dir / "amudesk.sqlite3").read_bytes() == before
    assert not list((data_dir / "backups").glob("before-restore-*"))


def make_backup_again(data_dir: Path, tmp_path: Path) -> Path:
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    try:
        return make_backup(store, stick(tmp_path / "usb2"), now=NOW).path
    finally:
        store.close()


def test_a_damaged_database_is_set_aside_untouched_when_a_backup_is_restored(
    filled: Store, data_dir: Path
) -> None:
    backup = make_backup(filled, now=NOW)
    filled.close()
    database = data_dir / "amudesk.sqlite3"
    database.write_bytes(b"\x00" * 4096)
    kept = restore_backup(data_dir, backup.path, PASSPHRASE)
    assert kept is not None and kept.read_bytes() == b"\x00" * 4096
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    try:
        assert people(store) == 60
    finally:
        store.close()


def test_changing_the_passphrase_keeps_the_data(filled: Store, data_dir: Path) -> None:
    old_salt = crypto.read_key_file(data_dir / "amudesk.key").salt
    with pytest.raises(WrongPassphrase):
        change_passphrase(filled, "not the current one", "new phrase", FAST_KDF)
    store = change_passphrase(filled, PASSPHRASE, "new phrase", FAST_KDF)
    try:
        assert people(store) == 60
        assert integrity_problems(store) == []
    finally:
        store.close()
    assert crypto.read_key_file(data_dir / "amudesk.key").salt != old_salt
    assert not (data_dir / "amudesk.key.new").exists()
    assert not list(data_dir.glob("*.retired")) and not list(data_dir.glob("*.encrypting"))
    with pytest.raises(WrongPassphrase):
        open_desk(data_dir, passphrase=PASSPHRASE)
    open_desk(data_dir, passphrase="new phrase").close()


def test_a_key_change_cut_short_keeps_the_key_file_that_fits(data_dir: Path) -> None:
    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    key_path = data_dir / "amudesk.key"
    current = crypto.read_key_file(key_path)
    stray = crypto.KeyFile(salt=crypto.new_salt(), params=FAST_KDF, initialised=True)
    crypto.write_key_file(data_dir / "amudesk.key.new", stray)  # cut short before the swap
    settle_key_file(data_dir)
    assert crypto.read_key_file(key_path) == current
    assert not (data_dir / "amudesk.key.new").exists()
    crypto.write_key_file(data_dir / "amudesk.key.new", current)  # cut short after the swap
    crypto.write_key_file(key_path, stray)
    settle_key_file(data_dir)
    assert crypto.read_key_file(key_path) == current
    open_desk(data_dir, passphrase=PASSPHRASE).close()
