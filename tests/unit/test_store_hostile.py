"""A data folder that lies, fills up or cannot be written: the store never replaces data,
never reads a hostile key file into a traceback, says a full or read-only disk as such,
keeps every file private, and writes the wrong passphrases typed at the command line into
the audit trail at the next open."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import shutil
import stat
import unicodedata
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from amudesk import backups, crypto
from amudesk import store as store_module
from amudesk.crypto import DEFAULT_KDF, KdfParams
from amudesk.models import AuditEntry
from amudesk.paths import prepare_data_dir
from amudesk.services import audit, desk
from amudesk.services.desk import change_passphrase, open_desk
from amudesk.store import (
    DiskFailing,
    DiskFull,
    NotWritable,
    StoreError,
    WrongPassphrase,
    encrypt_file,
    failed_unlocks_path,
    folder_state,
    keyed_connection,
    make_engine,
    migrate,
    note_failed_unlock,
    storage_problem,
    take_failed_unlocks,
)
from tests.disks import empty_fillers, fill, remount_read_only
from tests.keys import FAST_KDF, PASSPHRASE

DATABASE = "amudesk.sqlite3"
KEY = "amudesk.key"
LONE_SURROGATE = os.fsdecode(b"caf\xe9 au lait")  # how Python hands over Latin-1 bytes
CAFE_NFC = unicodedata.normalize("NFC", "café crème brûlée 42")
CAFE_NFD = unicodedata.normalize("NFD", CAFE_NFC)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def database_digests(data_dir: Path) -> dict[str, str]:
    """The database file and its journal when they hold bytes: what must never change (an
    empty journal SQLite made on its way is nothing)."""
    return {
        name: digest(data_dir / name)
        for name in (DATABASE, DATABASE + "-wal")
        if (data_dir / name).exists() and (data_dir / name).stat().st_size
    }


def populated(data_dir: Path, passphrase: str = PASSPHRASE) -> Path:
    """A store with a person and some audit entries, closed (journal checkpointed)."""
    from amudesk.services.people import PersonData, save_person

    store = open_desk(data_dir, passphrase=passphrase, kdf=FAST_KDF)
    try:
        with store.transaction() as session:
            save_person(PersonData(family_name="Zzyzxová", given_names="Anna"), session=session)
    finally:
        store.close()
    return data_dir


def family_names(store: Any) -> list[str]:
    with store.engine.connect() as connection:
        return list(connection.execute(text("SELECT family_name FROM person")).scalars())


def key_json(data_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((data_dir / KEY).read_text(encoding="utf-8"))
    return data


def write_key_json(data_dir: Path, data: dict[str, Any]) -> None:
    (data_dir / KEY).write_text(json.dumps(data), encoding="utf-8")


def assert_one_line(error: BaseException) -> None:
    message = str(error)
    assert message and "\n" not in message and "Traceback" not in message


def refused_unchanged(data_dir: Path, passphrase: str = PASSPHRASE) -> StoreError:
    """Opening fails with a one-line StoreError and the database bytes stay as they were."""
    before = database_digests(data_dir)
    with pytest.raises(StoreError) as raised:
        open_desk(data_dir, passphrase=passphrase, kdf=FAST_KDF)
    assert database_digests(data_dir) == before
    assert_one_line(raised.value)
    return raised.value


# --- 1. the store is never re-created over data -----------------------------------------------


def mark_not_initialised(data_dir: Path) -> None:
    data = key_json(data_dir)
    data["initialised"] = False
    write_key_json(data_dir, data)


def test_a_flag_turned_back_to_not_initialised_does_not_wipe_the_data(data_dir: Path) -> None:
    populated(data_dir)
    mark_not_initialised(data_dir)
    assert folder_state(data_dir) == "encrypted"
    before = database_digests(data_dir)
    for wrong in ("any passphrase at all", "x"):
        with pytest.raises(WrongPassphrase):
            open_desk(data_dir, passphrase=wrong, kdf=FAST_KDF)
        assert database_digests(data_dir) == before
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert family_names(store) == ["Zzyzxová"]
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM cpas")).scalar() == 19
    finally:
        store.close()
    assert crypto.read_key_file(data_dir / KEY).initialised


def test_a_key_file_of_another_database_marked_new_is_refused(
    data_dir: Path, tmp_path: Path
) -> None:
    """An attacker's key file (their salt, 'not initialised'): their passphrase must not
    make a new empty database over the real one."""
    populated(data_dir)
    other = tmp_path / "other"
    open_desk(other, passphrase="attacker's phrase", kdf=FAST_KDF).close()
    shutil.copyfile(other / KEY, data_dir / KEY)
    mark_not_initialised(data_dir)
    for passphrase in ("attacker's phrase", PASSPHRASE):
        error = refused_unchanged(data_dir, passphrase)
        assert "does not belong" in str(error)
        assert "amudesk restore FILE" in str(error)


def test_a_missing_key_file_names_the_backup_key_that_matches(data_dir: Path) -> None:
    populated(data_dir)
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    made = backups.make_backup(store)
    store.close()
    saved = (data_dir / KEY).read_bytes()
    (data_dir / KEY).unlink()
    error = refused_unchanged(data_dir)
    assert "key file amudesk.key is missing" in str(error)
    assert f"copy backups/{made.key_path.name} to amudesk.key" in str(error)
    shutil.copyfile(made.key_path, data_dir / KEY)
    assert (data_dir / KEY).read_bytes() == saved
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    assert family_names(store) == ["Zzyzxová"]
    store.close()


def test_a_missing_key_file_without_backups_says_how_to_restore(data_dir: Path) -> None:
    populated(data_dir)
    (data_dir / KEY).unlink()
    error = refused_unchanged(data_dir)
    assert "backups/amudesk-….key" in str(error) and "amudesk restore FILE" in str(error)


DAMAGED_KEY_FILES: dict[str, Any] = {
    "not json": b"{salt: nope",
    "a list": [],
    "a number": 7,
    "not utf-8": b"\xff\xfe{\x00",
    "deep nesting": b"[" * 100_000,
    "huge": b" " * 1_000_000 + b"{}",
    "unknown format": {"format": 2},
    "salt too short": {"salt": "00" * 8},
    "salt not hex": {"salt": "zz" * 16},
    "salt a number": {"salt": 12},
    "time cost 0": {"time_cost": 0},
    "time cost 65": {"time_cost": 65},
    "time cost 4e9": {"time_cost": 4_000_000_000},
    "time cost a string": {"time_cost": "3"},
    "time cost true": {"time_cost": True},
    "time cost a fraction": {"time_cost": 1.5},
    "memory cost 0": {"memory_cost": 0},
    "memory cost 4e9": {"memory_cost": 4_000_000_000},
    "memory cost 1 KiB over 4 GiB": {"memory_cost": 4 * 1024 * 1024 + 1},
    "memory cost under 8 per lane": {"memory_cost": 8 * 4 - 1, "parallelism": 4},
    "memory cost missing": {"memory_cost": None},
    "parallelism 0": {"parallelism": 0},
    "parallelism 65": {"parallelism": 65},
    "parallelism negative": {"parallelism": -1},
    "parallelism a list": {"parallelism": [1]},
    "initialised a string": {"initialised": "false"},
    "unknown passphrase form": {"passphrase_form": "nfd"},
}


@pytest.mark.parametrize("damage", sorted(DAMAGED_KEY_FILES))
def test_a_damaged_or_hostile_key_file_is_one_line_and_changes_nothing(
    data_dir: Path, damage: str
) -> None:
    populated(data_dir)
    change = DAMAGED_KEY_FILES[damage]
    if isinstance(change, dict):
        data = key_json(data_dir)
        for name, value in change.items():
            if value is None:
                data.pop(name)
            else:
                data[name] = value
        write_key_json(data_dir, data)
    elif isinstance(change, bytes):
        (data_dir / KEY).write_bytes(change)
    else:
        write_key_json(data_dir, change)
    with pytest.raises(crypto.KeyFileError) as direct:
        crypto.read_key_file(data_dir / KEY)
    assert_one_line(direct.value)
    with pytest.raises(StoreError) as state:
        folder_state(data_dir)
    assert "cannot be used" in str(state.value)
    error = refused_unchanged(data_dir)
    assert "amudesk restore FILE" in str(error)


def test_the_costs_the_desk_uses_are_within_the_limits() -> None:
    for params in (FAST_KDF, DEFAULT_KDF, KdfParams(64, 4 * 1024 * 1024, 64)):
        crypto.check_params(params)
    with pytest.raises(ValueError):
        crypto.derive_key(PASSPHRASE, bytes(16), KdfParams(1, 4_000_000_000, 1))


def test_a_first_start_cut_short_before_the_schema_finishes_it(data_dir: Path) -> None:
    """The key file written, the database's first page too (its salt), no table yet."""
    data_dir.mkdir(parents=True)
    salt = crypto.new_salt()
    crypto.write_key_file(
        data_dir / KEY, crypto.KeyFile(salt=salt, params=FAST_KDF, initialised=False)
    )
    key = crypto.derive_key(crypto.normalise_passphrase(PASSPHRASE), salt, FAST_KDF)
    connection = keyed_connection(data_dir / DATABASE, key, check=False)
    connection.execute("PRAGMA journal_mode = WAL")  # writes the first page
    connection.close()
    assert (data_dir / DATABASE).stat().st_size > 0
    assert folder_state(data_dir) == "encrypted"
    with pytest.raises(WrongPassphrase):
        open_desk(data_dir, passphrase="not it", kdf=FAST_KDF)
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM cpas")).scalar() == 19
    finally:
        store.close()
    assert crypto.read_key_file(data_dir / KEY).initialised


def delete_directory_and_mark_new(data_dir: Path, *, with_entry: bool) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.transaction() as session:
            if with_entry:
                audit.record("export", session=session)
            session.execute(text("DELETE FROM cpas"))
    finally:
        store.close()
    mark_not_initialised(data_dir)


def count_cpas(data_dir: Path) -> int:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.engine.connect() as connection:
            return int(connection.execute(text("SELECT count(*) FROM cpas")).scalar() or 0)
    finally:
        store.close()


def test_a_first_start_cut_short_before_the_directory_seeds_it(data_dir: Path) -> None:
    delete_directory_and_mark_new(data_dir, with_entry=False)
    assert count_cpas(data_dir) == 19


def test_a_used_database_whose_flag_was_changed_is_not_seeded_again(data_dir: Path) -> None:
    delete_directory_and_mark_new(data_dir, with_entry=True)
    assert count_cpas(data_dir) == 0


def test_a_journal_without_its_database_is_refused_and_kept(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    crypto.write_key_file(
        data_dir / KEY, crypto.KeyFile(salt=crypto.new_salt(), params=FAST_KDF, initialised=False)
    )
    (data_dir / (DATABASE + "-wal")).write_bytes(b"frames of someone's data")
    error = refused_unchanged(data_dir)
    assert "journal holds data" in str(error)
    assert (data_dir / (DATABASE + "-wal")).read_bytes() == b"frames of someone's data"


def test_an_unencrypted_database_beside_a_new_key_file_is_converted_not_wiped(
    data_dir: Path,
) -> None:
    data_dir.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{data_dir / DATABASE}")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cpas (name_fr, name_nl, commune_fr, commune_nl, address, phone, "
                "email, amu_contact) VALUES ('CPAS de Zzyzx', 'OCMW Zzyzx', 'Zzyzx', 'Zzyzx', "
                "'', '', '', '')"
            )
        )
    engine.dispose()
    crypto.write_key_file(
        data_dir / KEY, crypto.KeyFile(salt=crypto.new_salt(), params=FAST_KDF, initialised=False)
    )
    assert folder_state(data_dir) == "plain"
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.engine.connect() as connection:
            names = connection.execute(text("SELECT name_fr FROM cpas")).scalars().all()
        assert "CPAS de Zzyzx" in names
    finally:
        store.close()


def test_a_new_database_is_never_made_over_bytes_written_meanwhile(data_dir: Path) -> None:
    """folder_state said 'new', then another program wrote the file: nothing is removed."""
    data_dir.mkdir(parents=True)
    (data_dir / DATABASE).write_bytes(b"another program's bytes")
    with pytest.raises(StoreError, match="another program"):
        store_module._prepare_new(data_dir, PASSPHRASE, FAST_KDF)
    assert (data_dir / DATABASE).read_bytes() == b"another program's bytes"
    assert not (data_dir / KEY).exists()


# --- 2. passphrases -----------------------------------------------------------------------


def test_a_passphrase_that_is_not_text_is_refused_in_one_line(data_dir: Path) -> None:
    with pytest.raises(StoreError) as new:
        open_desk(data_dir, passphrase=LONE_SURROGATE, kdf=FAST_KDF)
    assert_one_line(new.value)
    assert "UTF-8" in str(new.value)
    assert not (data_dir / KEY).exists() and not (data_dir / DATABASE).exists()
    populated(data_dir)
    error = refused_unchanged(data_dir, LONE_SURROGATE)
    assert not isinstance(error, WrongPassphrase)


def test_unlocking_or_rekeying_with_a_passphrase_that_is_not_text(store: Any) -> None:
    with pytest.raises(StoreError) as raised:
        change_passphrase(store, PASSPHRASE, LONE_SURROGATE, FAST_KDF)
    assert "UTF-8" in str(raised.value)
    assert family_names(store) == []  # still open, with the old passphrase
    store.lock()
    with pytest.raises(StoreError) as locked:
        desk.unlock(store, LONE_SURROGATE)
    assert "UTF-8" in str(locked.value) and store.locked
    desk.unlock(store, PASSPHRASE)
    assert not store.locked


@pytest.mark.parametrize(("made_with", "typed"), [(CAFE_NFD, CAFE_NFC), (CAFE_NFC, CAFE_NFD)])
def test_a_passphrase_opens_whichever_unicode_form_it_is_typed_in(
    data_dir: Path, made_with: str, typed: str
) -> None:
    assert made_with != typed
    open_desk(data_dir, passphrase=made_with, kdf=FAST_KDF).close()
    assert key_json(data_dir)["passphrase_form"] == "nfc"
    open_desk(data_dir, passphrase=typed).close()
    with pytest.raises(WrongPassphrase):
        open_desk(data_dir, passphrase=typed + "!")


def make_legacy(data_dir: Path, raw_passphrase: str) -> None:
    """A folder as a version before normalisation left it: the key derived from the
    passphrase exactly as typed, a key file without ``passphrase_form``."""
    populated(data_dir)
    old = crypto.read_key_file(data_dir / KEY)
    old_key = crypto.derive_key(crypto.normalise_passphrase(PASSPHRASE), old.salt, old.params)
    salt = crypto.new_salt()
    new_key = crypto.derive_key(raw_passphrase, salt, FAST_KDF)
    encrypt_file(data_dir / DATABASE, new_key, old_key=old_key)
    legacy = crypto.KeyFile(salt=salt, params=FAST_KDF, initialised=True, passphrase_form=None)
    crypto.write_key_file(data_dir / KEY, legacy)
    assert "passphrase_form" not in key_json(data_dir)


@pytest.mark.parametrize("made_with", [CAFE_NFD, CAFE_NFC])
def test_a_key_file_made_before_normalisation_opens_in_either_form(
    data_dir: Path, made_with: str
) -> None:
    make_legacy(data_dir, made_with)
    for typed in (CAFE_NFC, CAFE_NFD):
        store = open_desk(data_dir, passphrase=typed)
        assert family_names(store) == ["Zzyzxová"]
        store.close()
    with pytest.raises(WrongPassphrase):
        open_desk(data_dir, passphrase=CAFE_NFC + " ")
    assert "passphrase_form" not in key_json(data_dir)  # its key is as it was


def test_the_forms_tried_for_an_old_key_file_are_each_tried_once() -> None:
    assert crypto.passphrase_candidates("plain ascii", None) == ["plain ascii"]
    assert crypto.passphrase_candidates(CAFE_NFC, None) == [CAFE_NFC, CAFE_NFD]
    assert crypto.passphrase_candidates(CAFE_NFD, None) == [CAFE_NFD, CAFE_NFC]
    assert crypto.passphrase_candidates(CAFE_NFD, "nfc") == [CAFE_NFC]


def test_a_rekey_of_an_old_key_file_writes_the_normalised_form(data_dir: Path) -> None:
    make_legacy(data_dir, CAFE_NFD)
    store = open_desk(data_dir, passphrase=CAFE_NFD)
    change_passphrase(store, CAFE_NFC, CAFE_NFD + " 2", FAST_KDF)
    store.close()
    assert key_json(data_dir)["passphrase_form"] == "nfc"
    open_desk(data_dir, passphrase=CAFE_NFC + " 2").close()


def test_a_restored_key_file_brings_no_stray_field(data_dir: Path) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    made = backups.make_backup(store)
    store.close()
    data = json.loads(made.key_path.read_text(encoding="utf-8"))
    assert data["passphrase_form"] == "nfc"  # a copy of the folder's
    data["note"] = "stray"
    made.key_path.write_text(json.dumps(data), encoding="utf-8")
    backups.restore_backup(data_dir, made.path, PASSPHRASE)
    assert set(key_json(data_dir)) == {
        "format",
        "kdf",
        "salt",
        "time_cost",
        "memory_cost",
        "parallelism",
        "initialised",
        "passphrase_form",
    }
    open_desk(data_dir, passphrase=PASSPHRASE).close()


# --- 3. a full or read-only disk ------------------------------------------------------------


def test_a_full_disk_at_open_is_said_not_taken_for_a_wrong_passphrase(small_disk: Path) -> None:
    data_dir = populated(small_disk / "data")
    fill(small_disk)
    before = database_digests(data_dir)
    with pytest.raises(DiskFull) as raised:
        open_desk(data_dir, passphrase=PASSPHRASE)
    assert_one_line(raised.value)
    assert "is full" in str(raised.value) and str(data_dir) in str(raised.value)
    assert "Nothing was changed" in str(raised.value)
    # A wrong key fails on the first page, before SQLite needs room for its journal index.
    with pytest.raises(WrongPassphrase):
        open_desk(data_dir, passphrase="a wrong one")
    assert database_digests(data_dir) == before
    empty_fillers(small_disk)
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    assert family_names(store) == ["Zzyzxová"]
    store.close()


def test_a_new_data_folder_on_a_full_disk(small_disk: Path) -> None:
    (small_disk / "data").mkdir()
    fill(small_disk)
    with pytest.raises(DiskFull) as raised:
        open_desk(small_disk / "data", passphrase=PASSPHRASE, kdf=FAST_KDF)
    assert_one_line(raised.value)
    assert not (small_disk / "data" / (KEY + ".tmp")).exists()
    empty_fillers(small_disk)
    open_desk(small_disk / "data", passphrase=PASSPHRASE, kdf=FAST_KDF).close()


def test_a_read_only_disk_is_said_as_such(small_disk: Path) -> None:
    data_dir = populated(small_disk / "data")
    remount_read_only(small_disk)
    before = database_digests(data_dir)
    with pytest.raises(NotWritable) as opening:
        open_desk(data_dir, passphrase=PASSPHRASE)
    assert "cannot be written" in str(opening.value)
    assert_one_line(opening.value)
    with pytest.raises(NotWritable) as preparing:
        prepare_data_dir(small_disk / "elsewhere")
    assert_one_line(preparing.value)
    assert database_digests(data_dir) == before


class FailingConnection:
    """A SQLCipher connection whose first read fails with ``error``."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.closed = False

    def execute(self, statement: str, *args: Any) -> Any:
        if statement.startswith("SELECT"):
            raise self.error
        return self

    def close(self) -> None:
        self.closed = True


def sqlite_error(code: int | None, message: str) -> Exception:
    """A driver error as SQLite raises it: with its result code, or (as the backup API's
    errors are) with its text only when ``code`` is None."""
    module = store_module._sqlcipher()
    error = module.OperationalError(message)
    if code is not None:
        error.sqlite_errorcode = code
    assert isinstance(error, Exception)
    return error


@pytest.fixture
def failing_reads(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``failing_reads(error)``: from then on, every SQLCipher connection's first read
    fails with ``error``, as SQLite reports it."""
    module = store_module._sqlcipher()

    def arm(error: Exception) -> None:
        def connect(*_args: Any, **_kwargs: Any) -> Any:
            return FailingConnection(error)

        fake = SimpleNamespace(connect=connect, Error=module.Error)
        monkeypatch.setattr(store_module, "_sqlcipher", lambda: fake)

    return arm


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (13, "database or disk is full", DiskFull),
        (8, "attempt to write a readonly database", NotWritable),
        (14, "unable to open database file", NotWritable),
        (13 | (1 << 8), "extended full", DiskFull),
        (None, "database or disk is full", DiskFull),
        (None, "attempt to write a readonly database", NotWritable),
        (None, "file is not a database", WrongPassphrase),
        (26, "file is not a database", WrongPassphrase),
        (11, "database disk image is malformed", WrongPassphrase),
    ],
)
def test_sqlite_errors_at_unlock_are_told_apart(
    data_dir: Path,
    failing_reads: Any,
    code: int | None,
    message: str,
    expected: type[Exception],
) -> None:
    populated(data_dir)
    failing_reads(sqlite_error(code, message))
    before = database_digests(data_dir)
    with pytest.raises(StoreError) as raised:
        open_desk(data_dir, passphrase=PASSPHRASE)
    assert type(raised.value) is expected
    assert_one_line(raised.value)
    assert database_digests(data_dir) == before


@pytest.mark.parametrize(("free", "expected"), [(0, DiskFull), (1 << 40, DiskFailing)])
def test_a_disk_io_error_is_a_full_disk_only_when_no_room_is_left(
    data_dir: Path,
    failing_reads: Any,
    monkeypatch: pytest.MonkeyPatch,
    free: int,
    expected: type[Exception],
) -> None:
    populated(data_dir)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: SimpleNamespace(free=free))
    failing_reads(sqlite_error(10, "disk I/O error"))
    with pytest.raises(expected) as raised:
        open_desk(data_dir, passphrase=PASSPHRASE)
    assert_one_line(raised.value)


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        (errno.ENOSPC, DiskFull),
        (errno.EDQUOT, DiskFull),
        (errno.EROFS, NotWritable),
        (errno.EACCES, NotWritable),
        (errno.EPERM, NotWritable),
    ],
)
def test_system_errors_are_told_apart(tmp_path: Path, number: int, expected: type) -> None:
    problem = storage_problem(OSError(number, os.strerror(number)), tmp_path)
    assert type(problem) is expected
    assert str(tmp_path) in str(problem)
    assert storage_problem(OSError(errno.ENOENT, "gone"), tmp_path) is None


def test_a_data_folder_that_cannot_be_made_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: Path, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(NotWritable) as raised:
        prepare_data_dir(tmp_path / "data")
    assert_one_line(raised.value)
    with pytest.raises(NotWritable):
        open_desk(tmp_path / "data", passphrase=PASSPHRASE, kdf=FAST_KDF)


def test_a_key_file_that_cannot_be_written_at_the_first_start(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if b'"kdf"' in data:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(DiskFull) as raised:
        open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    assert_one_line(raised.value)
    assert sorted(path.name for path in data_dir.iterdir()) == ["backups", "logs"]
    monkeypatch.undo()
    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()


def test_a_full_disk_while_migrating_is_said(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populated(data_dir)
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0004'"))
    store.close()

    def full(*_args: Any, **_kwargs: Any) -> None:
        from sqlalchemy.exc import OperationalError

        raise OperationalError("COMMIT", {}, sqlite_error(13, "database or disk is full"))

    monkeypatch.setattr(store_module, "migrate", full)
    with pytest.raises(DiskFull):
        open_desk(data_dir, passphrase=PASSPHRASE)


# --- 4. a private data folder ---------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_every_file_in_the_data_folder_is_made_private(data_dir: Path, tmp_path: Path) -> None:
    populated(data_dir)
    outside = tmp_path / "outside"
    outside.mkdir()
    outside.chmod(0o755)
    (outside / "shared.txt").write_text("x")
    (outside / "shared.txt").chmod(0o644)
    nested = data_dir / "backups" / "usb" / "deeper"
    nested.mkdir(parents=True)
    for folder in (data_dir / "backups" / "usb", nested, data_dir / "logs"):
        folder.chmod(0o755)
    files = {
        data_dir / DATABASE: 0o644,
        data_dir / "backups" / "amudesk-20260101-000000.sqlite3": 0o664,
        data_dir / "logs" / "amudesk.log": 0o666,
        nested / "run.sh": 0o755,
        data_dir / "settings.json": 0o640,
    }
    for path, mode in files.items():
        path.touch()
        path.chmod(mode)
    (data_dir / "read-only-note").write_text("x")
    (data_dir / "read-only-note").chmod(0o444)
    (data_dir / "link-to-outside").symlink_to(outside / "shared.txt")
    (data_dir / "backups" / "folder-link").symlink_to(outside, target_is_directory=True)

    open_desk(data_dir, passphrase=PASSPHRASE).close()

    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    for folder in (data_dir, data_dir / "backups", data_dir / "logs", nested, nested.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder.name
    assert stat.S_IMODE((data_dir / "read-only-note").stat().st_mode) == 0o400
    # Links are not followed: what they point to outside keeps its mode.
    assert stat.S_IMODE((outside / "shared.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE(outside.stat().st_mode) == 0o755
    everything = [p for p in data_dir.rglob("*") if not p.is_symlink()]
    assert all(p.stat().st_mode & 0o077 == 0 for p in everything)


# --- 7. wrong passphrases given where nothing could be written ------------------------------


def trail(store: Any) -> list[tuple[str, str, dt.datetime]]:
    with store.session() as session:
        rows = session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
        return [(row.action, row.detail, row.at) for row in rows]


def test_a_noted_failure_holds_a_moment_only_and_is_private(data_dir: Path) -> None:
    prepare_data_dir(data_dir)
    moments = [dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC), dt.datetime.now(dt.UTC)]
    for moment in moments:
        note_failed_unlock(data_dir, moment)
    path = failed_unlocks_path(data_dir)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = path.read_text(encoding="ascii").splitlines()
    assert [dt.datetime.fromisoformat(line) for line in lines] == moments
    assert take_failed_unlocks(data_dir) == moments
    assert not path.exists()
    assert take_failed_unlocks(data_dir) == []


def test_noting_a_failure_never_raises(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    note_failed_unlock(tmp_path / "no such folder")
    assert "could not be noted" in caplog.text
    if os.name == "posix":
        target = tmp_path / "elsewhere"
        target.write_text("untouched")
        (tmp_path / "failed-unlocks").symlink_to(target)
        note_failed_unlock(tmp_path)  # a planted link is not followed
        assert target.read_text() == "untouched"


def test_the_next_open_writes_the_noted_failures_into_the_trail(data_dir: Path) -> None:
    populated(data_dir)
    moments = [dt.datetime.now(dt.UTC) - dt.timedelta(minutes=m) for m in (3, 2)]
    with pytest.raises(WrongPassphrase):
        open_desk(data_dir, passphrase="wrong")
    for moment in moments:
        note_failed_unlock(data_dir, moment)
    (failed_unlocks_path(data_dir)).open("a").write("not a moment\n")
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    try:
        entries = trail(store)
        assert [(a, d) for a, d, _at in entries[-3:]] == [
            ("failed-unlock", "attempt=1"),
            ("failed-unlock", "attempt=2"),
            ("unlock", ""),
        ]
        assert [at.replace(tzinfo=dt.UTC) for _a, _d, at in entries[-3:-1]] == moments
        assert not failed_unlocks_path(data_dir).exists()
        with store.session() as session:
            assert audit.verify(session=session).intact
    finally:
        store.close()
    store = open_desk(data_dir, passphrase=PASSPHRASE)  # nothing pending: nothing written
    try:
        assert trail(store) == entries
    finally:
        store.close()


def test_record_unlock_writes_the_unlock_even_without_failures(data_dir: Path) -> None:
    populated(data_dir)
    store = open_desk(data_dir, passphrase=PASSPHRASE, record_unlock=True)
    try:
        assert [a for a, _d, _at in trail(store)][-1] == "unlock"
        count = len(trail(store))
        store.lock()
        note_failed_unlock(data_dir)
        desk.unlock(store, PASSPHRASE)
        assert [a for a, _d, _at in trail(store)][count:] == ["failed-unlock", "unlock"]
        store.lock()
        desk.unlock(store, PASSPHRASE)  # nothing noted, not asked: no entry
        assert len(trail(store)) == count + 2
        store.lock()
        desk.unlock(store, PASSPHRASE, record_unlock=True)
        assert [a for a, _d, _at in trail(store)][count + 2 :] == ["unlock"]
    finally:
        store.close()


def test_the_note_stays_when_the_trail_cannot_be_written(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populated(data_dir)
    note_failed_unlock(data_dir)
    noted = failed_unlocks_path(data_dir).read_bytes()

    def refuse(**_kwargs: Any) -> None:
        raise StoreError("the trail cannot be written")

    monkeypatch.setattr(audit, "record_unlock", refuse)
    with pytest.raises(StoreError, match="cannot be written"):
        open_desk(data_dir, passphrase=PASSPHRASE)
    assert failed_unlocks_path(data_dir).read_bytes() == noted


def test_a_failure_noted_while_the_others_are_written_stays_for_the_next_open(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populated(data_dir)
    first = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    second = dt.datetime(2026, 11, 2, 9, 5, tzinfo=dt.UTC)
    note_failed_unlock(data_dir, first)
    real = audit.record_unlock

    def meanwhile(*, session: Any, failed_at: list[dt.datetime]) -> None:
        note_failed_unlock(data_dir, second)  # another process, at the same moment
        real(session=session, failed_at=failed_at)

    monkeypatch.setattr(audit, "record_unlock", meanwhile)
    open_desk(data_dir, passphrase=PASSPHRASE).close()
    monkeypatch.undo()
    assert take_failed_unlocks(data_dir) == [second]


def test_a_key_change_cut_short_after_the_swap_still_opens(data_dir: Path) -> None:
    """The database already re-encrypted (new salt), ``amudesk.key.new`` not yet in place:
    the folder is not taken for one whose key file belongs elsewhere."""
    populated(data_dir)
    old = crypto.read_key_file(data_dir / KEY)
    old_key = crypto.derive_key(crypto.normalise_passphrase(PASSPHRASE), old.salt, old.params)
    salt = crypto.new_salt()
    new_key = crypto.derive_key(crypto.normalise_passphrase(CAFE_NFC), salt, FAST_KDF)
    crypto.write_key_file(
        data_dir / (KEY + ".new"), crypto.KeyFile(salt=salt, params=FAST_KDF, initialised=True)
    )
    encrypt_file(data_dir / DATABASE, new_key, old_key=old_key)
    for broken in ("kept", "missing"):
        if broken == "missing":
            (data_dir / KEY).unlink()
        assert folder_state(data_dir) == "encrypted"
    store = open_desk(data_dir, passphrase=CAFE_NFD)
    try:
        assert family_names(store) == ["Zzyzxová"]
    finally:
        store.close()
    assert crypto.read_key_file(data_dir / KEY).salt == salt
    assert not (data_dir / (KEY + ".new")).exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_data_folder_that_is_the_home_folder_keeps_the_user_s_other_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / "bin").mkdir(parents=True)
    (home / "bin").chmod(0o755)
    script = home / "bin" / "tool"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    (home / "notes.txt").write_text("x")
    (home / "notes.txt").chmod(0o644)
    monkeypatch.setenv("HOME", str(home))
    open_desk(home, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    (home / "logs" / "amudesk.log").write_text("x")
    (home / "logs" / "amudesk.log").chmod(0o644)
    (home / "amudesk.key").chmod(0o644)
    prepare_data_dir(home)
    assert stat.S_IMODE(script.stat().st_mode) == 0o755
    assert stat.S_IMODE((home / "bin").stat().st_mode) == 0o755
    assert stat.S_IMODE((home / "notes.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((home / "logs" / "amudesk.log").stat().st_mode) == 0o600
    assert stat.S_IMODE((home / "amudesk.key").stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def test_a_backup_onto_a_full_disk_is_said_and_leaves_nothing(store: Any, small_disk: Path) -> None:
    from amudesk.services.demo import fill_demo

    fill_demo(store=store, count=200, seed=2)
    fill(small_disk)
    with pytest.raises(DiskFull) as raised:
        backups.make_backup(store, small_disk)
    assert_one_line(raised.value)
    assert sorted(p.name for p in small_disk.iterdir() if not p.name.startswith("filler")) == []
    empty_fillers(small_disk)
    made = backups.make_backup(store, small_disk)
    assert backups.read_anchor(made.anchor_path).entries > 0


def test_a_server_that_does_not_answer_is_told_from_other_errors() -> None:
    """The window says "the office's server cannot be reached" only for the driver's
    connection errors, however wrapped; a SQLite error or a mistake is something else."""
    import sqlite3

    import psycopg
    from sqlalchemy.exc import OperationalError as WrappedOperational
    from sqlalchemy.exc import ProgrammingError as WrappedProgramming

    from amudesk.store import server_unreachable

    refused = psycopg.OperationalError("connection refused")
    assert server_unreachable(refused)
    assert server_unreachable(psycopg.InterfaceError("the connection is closed"))
    assert server_unreachable(WrappedOperational("SELECT 1", {}, refused))
    try:
        try:
            raise refused
        except psycopg.OperationalError as inner:
            raise RuntimeError("reading the case failed") from inner
    except RuntimeError as outer:
        assert server_unreachable(outer)
    assert not server_unreachable(sqlite3.OperationalError("database is locked"))
    assert not server_unreachable(
        WrappedOperational("SELECT 1", {}, sqlite3.OperationalError("disk I/O error"))
    )
    assert not server_unreachable(
        WrappedProgramming("SELECT x", {}, psycopg.ProgrammingError("column x does not exist"))
    )
    assert not server_unreachable(ValueError("anything else"))
