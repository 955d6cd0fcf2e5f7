"""Each backup records where the audit trail stood when it was made (its length and last
hash, read in the copy's own read transaction); the trail of the data folder must still
hold that entry at that place. A trail cut at its end, or rewritten by someone holding the
passphrase (every hash recomputed, so that the chain alone looks intact), is found."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from amudesk import backups
from amudesk.backups import (
    Anchor,
    check_anchors,
    list_backups,
    make_backup,
    read_anchor,
    restore_backup,
)
from amudesk.models import GENESIS_HASH
from amudesk.services import audit
from amudesk.services.desk import open_desk
from amudesk.store import Store
from tests.keys import FAST_KDF, PASSPHRASE, keyed

HOUR = dt.timedelta(hours=1)
# The data folder keeps one backup a day: backups of a test are made on different days.
DAY = dt.timedelta(days=1)


def add_entries(store: Store, count: int, action: str = "export") -> None:
    with store.transaction() as session:
        for number in range(count):
            audit.record(action, session=session, detail=f"count={number}")


def head(store: Store) -> tuple[int, str]:
    with store.session() as session:
        return audit.head(session=session)


def rows(store: Store) -> list[tuple[Any, ...]]:
    with store.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                text(
                    "SELECT id, at, actor, action, entity, entity_id, reference, detail "
                    "FROM audit_entry ORDER BY id"
                )
            )
        ]


def rewrite_from(store: Store, entry_id: int, detail: str) -> None:
    """What someone holding the passphrase can do: change entry ``entry_id`` and compute
    every hash from there on again, so that the chain checks out."""
    entries = rows(store)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
        previous = GENESIS_HASH
        for row_id, at, actor, action, entity, entity_id, reference, old_detail in entries:
            moment = dt.datetime.fromisoformat(str(at))
            new_detail = detail if row_id == entry_id else old_detail
            digest = audit.entry_hash(
                previous, moment, actor, action, entity, entity_id, reference, new_detail
            )
            if row_id >= entry_id:
                connection.execute(
                    text(
                        "UPDATE audit_entry SET detail = :detail, prev_hash = :prev, "
                        "hash = :hash WHERE id = :id"
                    ),
                    {"detail": new_detail, "prev": previous, "hash": digest, "id": row_id},
                )
            previous = digest


def cut_after(store: Store, keep: int) -> None:
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        connection.execute(
            text(
                "DELETE FROM audit_entry WHERE id NOT IN "
                "(SELECT id FROM audit_entry ORDER BY id LIMIT :keep)"
            ),
            {"keep": keep},
        )


def verify(store: Store) -> audit.VerifyResult:
    with store.session() as session:
        return audit.verify(session=session)


# --- the trail's head ---------------------------------------------------------------------


def test_the_head_of_an_empty_trail_is_the_genesis(store: Store) -> None:
    assert head(store) == (0, GENESIS_HASH)
    result = verify(store)
    assert (result.checked, result.head) == (0, GENESIS_HASH)


def test_the_head_is_what_verify_reports_and_hash_at_finds_each_entry(store: Store) -> None:
    """Item for the command line's check: "Audit trail: {checked} entries, head {head}"."""
    add_entries(store, 7)
    length, last = head(store)
    result = verify(store)
    assert result.intact and (result.checked, result.head) == (length, last) == (7, last)
    with store.session() as session:
        assert audit.hash_at(7, session=session) == last
        assert audit.hash_at(1, session=session) != last
        assert audit.hash_at(8, session=session) is None
        assert audit.hash_at(0, session=session) == GENESIS_HASH
    add_entries(store, 1)
    assert head(store)[0] == 8 and head(store)[1] != last


# --- anchors beside backups ---------------------------------------------------------------


def test_a_backup_carries_a_private_anchor_of_the_trail(store: Store, data_dir: Path) -> None:
    add_entries(store, 5)
    expected = head(store)
    made = make_backup(store)
    assert made.anchor_path == made.path.with_suffix(".anchor")
    assert read_anchor(made.anchor_path) == Anchor(*expected)
    data = json.loads(made.anchor_path.read_text(encoding="utf-8"))
    assert data == {"format": 1, "entries": 5, "head": expected[1]}
    if os.name == "posix":
        assert stat.S_IMODE(made.anchor_path.stat().st_mode) == 0o600
    assert not list((data_dir / "backups").glob("*.tmp"))
    copy = keyed(made.path, data_dir)  # the copy holds exactly the anchored trail
    try:
        assert copy.execute("SELECT count(*) FROM audit_entry").fetchone()[0] == 5
        last = copy.execute("SELECT hash FROM audit_entry ORDER BY id DESC LIMIT 1").fetchone()
        assert last[0] == expected[1]
    finally:
        copy.close()
    assert check_anchors(store) == []


def test_the_anchor_is_read_in_the_copy_s_own_read_transaction(
    store: Store, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry appended by another connection right after the anchor was read is in
    neither the anchor nor the copy."""
    add_entries(store, 3)
    real_head = audit.head

    def head_then_write(*, session: Any) -> tuple[int, str]:
        found = real_head(session=session)
        other = open_desk(data_dir, passphrase=PASSPHRASE)
        try:
            add_entries(other, 1, "import")
        finally:
            other.close()
        return found

    monkeypatch.setattr(audit, "head", head_then_write)
    made = make_backup(store)
    anchor = read_anchor(made.anchor_path)
    copy = keyed(made.path, data_dir)
    try:
        in_copy = copy.execute("SELECT count(*) FROM audit_entry").fetchone()[0]
    finally:
        copy.close()
    assert anchor.entries == in_copy == 3
    assert head(store)[0] == 4


def test_a_backup_elsewhere_has_its_anchor_too_and_a_failed_one_leaves_none(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_entries(store, 2)
    (tmp_path / "usb").mkdir()
    made = make_backup(store, tmp_path / "usb")
    assert read_anchor(made.anchor_path).entries == 2

    def damaged(_path: Path, _key: Any) -> None:
        raise backups.BackupError("damaged")

    monkeypatch.setattr(backups, "_check_copy", damaged)
    (tmp_path / "usb2").mkdir()
    with pytest.raises(backups.BackupError):
        make_backup(store, tmp_path / "usb2")
    assert list((tmp_path / "usb2").iterdir()) == []


def test_pruning_removes_the_anchor_with_its_pair(store: Store, data_dir: Path) -> None:
    now = dt.datetime(2026, 11, 30, 9, 30)
    for day in range(12):
        make_backup(store, now=now - dt.timedelta(days=60 - 5 * day))
    folder = data_dir / "backups"
    kept = {backup.path.stem for backup in list_backups(folder)}
    assert {path.stem for path in folder.glob("*.anchor")} == kept
    assert {path.stem for path in folder.glob("*.key")} == kept


# --- what the anchors reveal --------------------------------------------------------------


def test_a_rewritten_trail_is_found_by_the_anchor_though_its_chain_checks_out(
    store: Store,
) -> None:
    add_entries(store, 6)
    made = make_backup(store)
    add_entries(store, 2)
    rewrite_from(store, 3, "count=999")
    assert verify(store).intact  # the chain alone sees nothing
    problems = check_anchors(store)
    assert len(problems) == 1
    assert made.path.name in problems[0] and "rewritten" in problems[0]
    assert "\n" not in problems[0]


def test_a_trail_cut_at_its_end_is_found(store: Store) -> None:
    add_entries(store, 6)
    made = make_backup(store)
    cut_after(store, 4)
    assert verify(store).intact
    problems = check_anchors(store)
    assert len(problems) == 1
    assert made.path.name in problems[0] and "shorter" in problems[0]


def test_entries_added_after_the_backup_are_fine(store: Store, data_dir: Path) -> None:
    add_entries(store, 3)
    make_backup(store, now=dt.datetime.now() - DAY)
    add_entries(store, 4)
    make_backup(store)
    add_entries(store, 1)
    assert len(list_backups(data_dir / "backups")) == 2
    assert check_anchors(store) == []


def test_an_anchor_of_an_empty_trail_and_a_backup_without_anchor_are_skipped(
    store: Store,
) -> None:
    first = make_backup(store, now=dt.datetime.now() - 2 * DAY)
    assert read_anchor(first.anchor_path).entries == 0
    add_entries(store, 2)
    second = make_backup(store, now=dt.datetime.now() - DAY)
    second.anchor_path.unlink()  # as a backup made before anchors were recorded
    rewrite_from(store, 1, "count=7")
    assert check_anchors(store) == []


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"[]",
        b'{"format": 1, "entries": "5", "head": "' + b"0" * 64 + b'"}',
        b'{"format": 1, "entries": -1, "head": "' + b"0" * 64 + b'"}',
        b'{"format": 1, "entries": 5, "head": "xyz"}',
        b'{"format": 2, "entries": 5, "head": "' + b"0" * 64 + b'"}',
    ],
)
def test_a_damaged_anchor_is_reported(store: Store, content: bytes) -> None:
    add_entries(store, 2)
    made = make_backup(store)
    made.anchor_path.write_bytes(content)
    problems = check_anchors(store)
    assert len(problems) == 1 and made.anchor_path.name in problems[0]


def test_backups_between_a_restored_one_and_its_restore_are_not_compared(
    data_dir: Path,
) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    now = dt.datetime.now().replace(microsecond=0)
    add_entries(store, 3)
    restored = make_backup(store, now=now - 2 * DAY)
    add_entries(store, 3)
    between = make_backup(store, now=now - DAY)
    store.close()
    restore_backup(data_dir, restored.path, PASSPHRASE)
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    try:
        with store.transaction() as session:
            audit.record("restore", session=session, detail=f"file={restored.path.name}")
        add_entries(store, 1)
        # The backup made in between holds a trail that was set aside: compared, it would
        # be taken for a rewrite.
        anchor = read_anchor(between.anchor_path)
        with store.session() as session:
            assert audit.hash_at(anchor.entries, session=session) != anchor.head
        assert check_anchors(store) == []
        after = make_backup(store, now=now + HOUR)
        assert len(list_backups(data_dir / "backups")) == 3
        rewrite_from(store, 2, "count=42")
        problems = check_anchors(store)
        assert len(problems) == 2
        assert restored.path.name in problems[0] and after.path.name in problems[1]
        assert not any(between.path.name in problem for problem in problems)
    finally:
        store.close()


def test_a_restore_from_a_file_of_unknown_time_sets_every_earlier_backup_aside(
    store: Store,
) -> None:
    add_entries(store, 4)
    make_backup(store, now=dt.datetime.now() - DAY)
    cut_after(store, 2)
    assert len(check_anchors(store)) == 1
    with store.transaction() as session:
        audit.record("restore", session=session, detail="file=external")
    assert check_anchors(store) == []
