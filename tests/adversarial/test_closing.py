"""Hostile cases for closing, reopening and the office profile from the command line: a
read-only or full data folder, and a kill between the change and its commit. One line,
status 2, and nothing half-written: a case is closed with its audit entry and its next
limit, or not at all."""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import pytest
from sqlmodel import col, select

from amudesk.models import AuditEntry, Office, Request
from amudesk.services.desk import open_desk
from tests.adversarial.common import REFERENCE, make_desk, one_line, run
from tests.adversarial.test_outputs import kill_midway
from tests.disks import empty_fillers, fill, remount_read_only
from tests.keys import FAST_KDF, PASSPHRASE


def state(data: Path) -> tuple[object, ...]:
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            request = session.scalar(select(Request).where(col(Request.reference) == REFERENCE))
            office = session.scalar(select(Office))
            assert request is not None and office is not None
            actions = list(
                session.scalars(
                    select(col(AuditEntry.action)).where(
                        col(AuditEntry.action).in_(["close", "reopen", "edit"])
                    )
                )
            )
            return (
                request.closed_on,
                request.closed_reason,
                request.next_rule,
                request.next_state,
                office.kind,
                actions,
            )
    finally:
        store.close()


CHANGES = (
    ["close", "--reference", REFERENCE, "--reason", "left"],
    ["office", "set", "kind", "cpas"],
)


def test_a_read_only_data_folder_changes_nothing(
    capsys: pytest.CaptureFixture[str], small_disk: Path, tmp_path: Path
) -> None:
    data = make_desk(small_disk / "data")
    before = state(data)
    remount_read_only(small_disk)
    for args in (*CHANGES, ["reopen", "--reference", REFERENCE]):
        code, out, err = run(capsys, data, *args)
        assert (code, out) == (2, ""), (args, err)
        one_line(err)
    copy = tmp_path / "copy"
    shutil.copytree(data, copy)  # opened where it can be written: what the folder holds
    assert state(copy) == before


def test_a_full_disk_changes_nothing(capsys: pytest.CaptureFixture[str], small_disk: Path) -> None:
    data = make_desk(small_disk / "data")
    before = state(data)
    fill(small_disk)
    for args in CHANGES:
        code, out, err = run(capsys, data, *args)
        assert (code, out) == (2, ""), (args, err)
        assert "full" in one_line(err), err
    empty_fillers(small_disk)
    assert state(data) == before
    assert run(capsys, data, "check")[0] == 0


def test_a_kill_before_the_commit_leaves_the_case_open(
    capsys: pytest.CaptureFixture[str], desk: Path
) -> None:
    """Killed while the next limits are recounted, just before the commit: at the next start
    the case is open, with no closing in its trail, and the file checks sound."""
    before = state(desk)
    done = kill_midway(
        desk,
        "from amudesk.services import nextdue\n"
        "def die(*args, **kwargs):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "nextdue.refresh = die\n"
        "from amudesk.cli import main\n"
        f"main(['close', '--reference', {REFERENCE!r}, '--reason', 'covered'])\n",
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert state(desk) == before
    code, _out, err = run(capsys, desk, "check")
    assert code == 0, err
    # And the same command, not killed, does it whole.
    assert run(capsys, desk, "close", "--reference", REFERENCE, "--reason", "covered")[0] == 0
    closed = state(desk)
    assert closed[1] == "covered" and closed[2] is None and "close" in closed[5]  # type: ignore[operator]
