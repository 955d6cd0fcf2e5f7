"""The database at rest: encrypted with a key derived from the passphrase, refused with a
wrong one, never replaced when it is missing or damaged, and converted safely when an
earlier version left it unencrypted."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest
from sqlalchemy import select, text

from amudesk import crypto
from amudesk.crypto import DEFAULT_KDF, KdfParams
from amudesk.models import Person
from amudesk.services.demo import fill_demo
from amudesk.services.desk import open_desk
from amudesk.store import (
    PassphraseNeeded,
    StoreError,
    WrongPassphrase,
    copy_database,
    folder_state,
    integrity_problems,
    make_engine,
    migrate,
    retire_leftovers,
)
from tests.keys import FAST_KDF, PASSPHRASE

DATABASE = "amudesk.sqlite3"


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of the folder and its SHA-256."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def make_store(data_dir: Path) -> None:
    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()


def plain_database(data_dir: Path, family_name: str = "Zzyzxová") -> Path:
    """An unencrypted database as the version before encryption left it, with one person."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DATABASE
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO person (family_name, given_names, sex, niss, languages, phone, "
                "commune, no_fixed_abode, usual_place, notes, search_text, created_at, "
                "updated_at) VALUES (:name, 'Anna', 'F', '', '', '', '', 0, '', '', 'x', "
                "'2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            ),
            {"name": family_name},
        )
    engine.dispose()
    return path


# --- the key --------------------------------------------------------------------------------


def test_default_costs_meet_owasp_and_weak_ones_do_not() -> None:
    assert DEFAULT_KDF.meets_owasp_minimum()
    assert DEFAULT_KDF.memory_cost >= 19_456 and DEFAULT_KDF.time_cost >= 2
    assert not KdfParams(time_cost=1, memory_cost=19_456, parallelism=1).meets_owasp_minimum()
    assert not FAST_KDF.meets_owasp_minimum()


def test_the_key_is_argon2id_of_the_passphrase_and_is_wiped() -> None:
    salt = bytes(range(16))
    one = crypto.derive_key("phrase", salt, FAST_KDF)
    again = crypto.derive_key("phrase", salt, FAST_KDF)
    other = crypto.derive_key("phrase!", salt, FAST_KDF)
    assert one.pragma() == again.pragma() != other.pragma()
    assert one.pragma().endswith(salt.hex() + "'\"")
    assert "phrase" not in repr(one)
    one.wipe()
    assert one.wiped
    with pytest.raises(RuntimeError):
        one.pragma()


# --- a new folder ---------------------------------------------------------------------------


def test_a_new_folder_gets_an_encrypted_database_and_a_key_file(data_dir: Path) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert store.key is not None
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA temp_store")).scalar() == 2  # memory
            assert connection.execute(text("SELECT count(*) FROM cpas")).scalar() == 19
        assert integrity_problems(store) == []
    finally:
        store.close()
    assert store.key.wiped
    database = data_dir / DATABASE
    key_file = crypto.read_key_file(data_dir / "amudesk.key")
    assert key_file.initialised and key_file.params == FAST_KDF
    head = database.read_bytes()[:16]
    assert head != crypto.SQLITE_HEADER and head == key_file.salt
    assert folder_state(data_dir) == "encrypted"
    if os.name == "posix":
        assert (data_dir / "amudesk.key").stat().st_mode & 0o777 == 0o600
        assert database.stat().st_mode & 0o777 == 0o600


def test_a_data_folder_is_not_opened_without_a_passphrase(data_dir: Path) -> None:
    with pytest.raises(PassphraseNeeded):
        open_desk(data_dir)


def test_twenty_wrong_passphrases_are_refused_and_change_no_byte(data_dir: Path) -> None:
    make_store(data_dir)
    before = fingerprint(data_dir)
    rng = random.Random(20)
    for attempt in range(20):
        wrong = PASSPHRASE + str(attempt) if attempt % 2 else "".join(rng.sample("abcdefgh", 6))
        with pytest.raises(WrongPassphrase, match="Wrong passphrase"):
            open_desk(data_dir, passphrase=wrong)
    after = fingerprint(data_dir)
    assert {k: v for k, v in after.items() if not k.startswith("logs")} == {
        k: v for k, v in before.items() if not k.startswith("logs")
    }
    open_desk(data_dir, passphrase=PASSPHRASE).close()  # the right one still opens it


def test_no_name_is_readable_in_any_file_of_the_folder_or_its_copies(data_dir: Path) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        fill_demo(store=store, count=100, seed=11)
        with store.session() as session:
            people = session.execute(
                select(Person.family_name, Person.given_names, Person.niss)
            ).all()
        copy_database(store, data_dir / "backups" / "copy.sqlite3")
    finally:
        store.close()
    assert len(people) >= 100
    needles: set[bytes] = set()
    for family, given, niss in people:
        for value in (family, given, niss):
            if value and len(value) >= 4:
                for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                    needles.add(value.encode(encoding))
    files = [path for path in data_dir.rglob("*") if path.is_file()]
    assert {path.name for path in files} >= {DATABASE, "copy.sqlite3", "amudesk.key"}
    found = [
        (path.name, needle) for path in files for needle in needles if needle in path.read_bytes()
    ]
    assert found == []


# --- what is never replaced -----------------------------------------------------------------


def test_a_missing_database_of_a_folder_set_up_before_is_an_error(data_dir: Path) -> None:
    make_store(data_dir)
    (data_dir / DATABASE).unlink()
    for side in ("-wal", "-shm"):
        (data_dir / (DATABASE + side)).unlink(missing_ok=True)
    with pytest.raises(StoreError, match="missing .* restore a backup"):
        open_desk(data_dir, passphrase=PASSPHRASE)
    assert not (data_dir / DATABASE).exists()


@pytest.mark.parametrize("with_key_file", [True, False])
def test_an_empty_database_file_is_an_error_and_stays_empty(
    data_dir: Path, with_key_file: bool
) -> None:
    make_store(data_dir)
    (data_dir / DATABASE).write_bytes(b"")
    if not with_key_file:
        (data_dir / "amudesk.key").unlink()
    with pytest.raises(StoreError, match=r"empty \(0 bytes\)"):
        open_desk(data_dir, passphrase=PASSPHRASE)
    assert (data_dir / DATABASE).read_bytes() == b""


def damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "truncated":
        path.write_bytes(bytes(data[: len(data) // 2 - 123]))
    elif how == "bit-flipped-first-page":
        data[40] ^= 0x10
        path.write_bytes(bytes(data))
    elif how == "bit-flipped-salt":
        data[3] ^= 0x01
        path.write_bytes(bytes(data))
    elif how == "random-bytes":
        path.write_bytes(random.Random(5).randbytes(len(data)))
    else:
        raise AssertionError(how)


@pytest.mark.parametrize(
    "how", ["truncated", "bit-flipped-first-page", "bit-flipped-salt", "random-bytes"]
)
def test_a_damaged_database_gives_a_clear_error_and_is_left_untouched(
    data_dir: Path, how: str
) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    fill_demo(store=store, count=40, seed=3)
    with store.engine.connect() as connection:
        connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    store.close()
    database = data_dir / DATABASE
    damage(database, how)
    damaged = database.read_bytes()
    with pytest.raises(StoreError) as raised:
        store = open_desk(data_dir, passphrase=PASSPHRASE)
        try:  # a truncated file may open: its missing pages are found by the check
            problems = integrity_problems(store)
        finally:
            store.close()
        assert problems
        raise StoreError("; ".join(problems))
    assert str(raised.value)
    assert database.read_bytes() == damaged


def test_random_bytes_without_a_key_file_are_not_an_amudesk_database(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / DATABASE).write_bytes(random.Random(1).randbytes(8192))
    with pytest.raises(StoreError, match="not an AMU Desk database"):
        open_desk(data_dir, passphrase=PASSPHRASE)


def test_a_first_start_cut_short_starts_again(data_dir: Path) -> None:
    """Key file written but the database never finished: nothing was stored, so the next
    start makes the database afresh instead of calling it missing."""
    data_dir.mkdir(parents=True)
    crypto.write_key_file(
        data_dir / "amudesk.key",
        crypto.KeyFile(salt=crypto.new_salt(), params=FAST_KDF, initialised=False),
    )
    (data_dir / DATABASE).write_bytes(b"")
    assert folder_state(data_dir) == "new"
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    store.close()
    assert crypto.read_key_file(data_dir / "amudesk.key").initialised


# --- an unencrypted database of an earlier version ----------------------------------------


def test_an_unencrypted_folder_is_converted_keeping_every_row(data_dir: Path) -> None:
    plain_database(data_dir)
    (data_dir / "backups").mkdir(exist_ok=True)
    old_copy = data_dir / "backups" / "before-migration-0001-20260101-000000.sqlite3"
    old_copy.write_bytes((data_dir / DATABASE).read_bytes())
    assert folder_state(data_dir) == "plain"
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            assert session.scalars(select(Person.family_name)).all() == ["Zzyzxová"]
    finally:
        store.close()
    assert folder_state(data_dir) == "encrypted"
    files = [path for path in data_dir.rglob("*") if path.is_file()]
    assert not [path for path in files if path.name.endswith((".retired", ".encrypting"))]
    for path in files:
        assert b"Zzyzxov" not in path.read_bytes(), path.name
        assert crypto.file_kind(path) != "plain", path.name
    open_desk(data_dir, passphrase=PASSPHRASE).close()


def test_a_conversion_cut_short_before_the_swap_loses_nothing(data_dir: Path) -> None:
    """A stop after the plain file got its second name but before the swap: the live file
    keeps its bytes (the second name is only unlinked) and is converted at the next start."""
    database = plain_database(data_dir)
    os.link(database, data_dir / (DATABASE + ".retired"))
    (data_dir / (DATABASE + ".encrypting")).write_bytes(b"half-made")
    before = database.read_bytes()
    retire_leftovers(data_dir)
    assert database.read_bytes() == before
    assert not (data_dir / (DATABASE + ".retired")).exists()
    assert not (data_dir / (DATABASE + ".encrypting")).exists()
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    with store.session() as session:
        assert session.scalars(select(Person.family_name)).all() == ["Zzyzxová"]
    store.close()


def test_a_conversion_cut_short_after_the_swap_overwrites_the_old_bytes(data_dir: Path) -> None:
    database = plain_database(data_dir)
    retired = data_dir / (DATABASE + ".retired")
    retired.write_bytes(database.read_bytes())  # the old bytes under their second name
    make_store(data_dir / "other")  # any encrypted file stands for the swapped-in one
    database.write_bytes((data_dir / "other" / DATABASE).read_bytes())
    retire_leftovers(data_dir)
    assert not retired.exists()
