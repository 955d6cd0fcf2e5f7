"""Hostile cases for the shared office's ways in and out (issue 16): `--database`, the
account names and passwords of `user add`, the sign-in variables, `migrate-to` and a
shared database's `backup`. Each gets one clear line and changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amudesk.models import Account, AuditEntry
from amudesk.services.desk import open_desk
from tests import postgres
from tests.adversarial.common import one_line, run, snapshot
from tests.disks import fill

GOOD = "blue kettle seventeen harbour"
HOSTILE_URLS = [
    ("", "empty"),
    ("   ", "empty"),
    ("postgresql://db.example/amudesk\x07", "control character"),
    ("postgresql://db.example\u202e/amudesk", "control character"),
    ("postgresql://" + "a" * 3000 + "/amudesk", "too long"),
    ("=cmd|' /C calc'!A0", "must start with postgresql://"),
    ("mysql://db.example/amudesk", "must start with postgresql://"),
    ("postgresql://db.example:port/amudesk", "port"),
    ("postgresql://db.example/amudesk?sslmode=maybe", "sslmode=maybe"),
    ("postgresql://db.example/", "names no database"),
    ("postgresql:///amudesk", "names no server"),
]


def database_files(desk: Path) -> dict[str, tuple[int, str]]:
    return {name: value for name, value in snapshot(desk).items() if name.startswith("amudesk.")}


@pytest.mark.parametrize(("url", "problem"), HOSTILE_URLS)
def test_a_hostile_database_url_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], desk: Path, url: str, problem: str
) -> None:
    before = database_files(desk)
    commands = [("--database", url, "deadlines")]
    if url.strip():  # an empty target asks for one instead
        commands.append(("migrate-to", url))
    for arguments in commands:
        code, out, err = run(capsys, desk, *arguments)
        assert (code, out) == (2, "")
        line = one_line(err)
        assert problem in line
        assert "\x07" not in line and "\u202e" not in line and len(line) < 400
    assert database_files(desk) == before


def test_an_unreachable_server_is_one_line(capsys: pytest.CaptureFixture[str], desk: Path) -> None:
    before = database_files(desk)
    code, out, err = run(capsys, desk, "--database", "postgresql://127.0.0.1:1/amudesk", "check")
    assert (code, out) == (2, "")
    line = one_line(err)
    assert "server cannot be reached" in line and "restore" not in line.lower()
    assert database_files(desk) == before


def test_copying_back_into_the_data_folder_is_refused(
    capsys: pytest.CaptureFixture[str], desk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AMUDESK_DATABASE_URL", "postgresql://127.0.0.1:1/amudesk")
    before = snapshot(desk)
    for target, problem in ((desk, "already holds"), (desk / "inside", "inside the data folder")):
        code, out, err = run(capsys, desk, "migrate-to", "--data-dir", str(target))
        assert (code, out) == (2, "")
        assert problem in one_line(err)
    assert snapshot(desk) == before and not (desk / "inside").exists()


# --- on a real server ----------------------------------------------------------------

on_server = pytest.mark.skipif(not postgres.available(), reason=postgres.SKIP_REASON)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty shared database with its first administrator, named by the environment."""
    name = f"amudesk_hostile_{uuid.uuid4().hex[:10]}"
    postgres._admin(f'CREATE DATABASE "{name}"')
    url = postgres.database_url(name)
    try:
        monkeypatch.setenv("AMUDESK_DATABASE_URL", url)
        monkeypatch.setenv("AMUDESK_NEW_PASSWORD", GOOD)
        yield url
    finally:
        postgres._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts(url: str) -> tuple[int, int]:
    """(accounts, audit entries) of the shared database."""
    store = open_desk(url=url)
    try:
        with store.session() as session:
            accounts = session.scalar(select(func.count()).select_from(Account))
            entries = session.scalar(select(func.count()).select_from(AuditEntry))
            return int(accounts or 0), int(entries or 0)
    finally:
        store.close()


@on_server
@pytest.mark.parametrize(
    ("name", "password", "problem"),
    [
        ("", GOOD, "Name: give the worker's name."),
        ("   ", GOOD, "Name: give the worker's name."),
        ("Ana\u202e", GOOD, "Name: no control or direction characters."),
        ("Ana\x07", GOOD, "Name: no control or direction characters."),
        ("A" * 5000, GOOD, "Name: at most 100 characters."),
        ("Ana", "", "Password: at least 10 characters."),
        ("Ana", "x" * 100_000, "Password: at most 1000 characters."),
        ("Ana", "1234567890", "Password: too easy to guess"),
    ],
)
def test_a_hostile_account_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    server: str,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    password: str,
    problem: str,
) -> None:
    monkeypatch.setenv("AMUDESK_NEW_PASSWORD", password)
    before = counts(server)
    code, out, err = run(capsys, tmp_path / "data", "user", "add", name, "--role", "administrator")
    assert (code, out) == (2, "")
    line = one_line(err)
    assert problem in line
    assert "\x07" not in line and "\u202e" not in line and len(line) < 400
    assert counts(server) == before


@on_server
def test_a_wrong_role_and_a_formula_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, server: str
) -> None:
    data = tmp_path / "data"
    with pytest.raises(SystemExit) as refused:
        run(capsys, data, "user", "add", "Ana", "--role", "superuser")
    out, err = capsys.readouterr()
    assert (refused.value.code, out) == (2, "") and "invalid choice" in one_line(err)
    # A name that a spreadsheet would run is only a name here: kept as typed, shown as text.
    code, out, err = run(capsys, data, "user", "add", "=HYPERLINK(1)", "--role", "administrator")
    assert (code, err) == (0, "") and "=HYPERLINK(1)" in out


@on_server
@pytest.mark.parametrize("user", ["Ana\u202e", "Ana\x1b[2J", "A" * 10_000, "", " "])
def test_a_hostile_sign_in_is_one_line_and_only_counted(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    server: str,
    monkeypatch: pytest.MonkeyPatch,
    user: str,
) -> None:
    data = tmp_path / "data"
    assert run(capsys, data, "user", "add", "Ana", "--role", "administrator")[0] == 0
    monkeypatch.setenv("AMUDESK_USER", user)
    monkeypatch.setenv("AMUDESK_PASSWORD", GOOD + "\u202e")
    accounts, entries = counts(server)
    code, out, err = run(capsys, data, "deadlines")
    assert (code, out) == (2, "")
    line = one_line(err)
    assert "\x1b" not in line and "\u202e" not in line and len(line) < 400
    # Nothing is changed but the failed attempt, which the trail keeps without the name.
    after_accounts, after_entries = counts(server)
    assert after_accounts == accounts and after_entries - entries <= 1


@on_server
def test_copying_back_onto_a_full_disk_leaves_nothing(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    server: str,
    small_disk: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from amudesk.services.demo import fill_demo

    store = open_desk(url=server)
    try:
        fill_demo(store=store, count=40)
    finally:
        store.close()
    data = tmp_path / "data"
    assert run(capsys, data, "user", "add", "Ana", "--role", "administrator")[0] == 0
    monkeypatch.setenv("AMUDESK_USER", "Ana")
    monkeypatch.setenv("AMUDESK_PASSWORD", GOOD)
    fill(small_disk)
    target = small_disk / "back"
    code, out, err = run(capsys, data, "migrate-to", "--data-dir", str(target))
    assert (code, out) == (2, "")
    assert "full" in one_line(err)
    assert not target.exists()
    code, out, err = run(capsys, data, "backup", "--to", str(small_disk))
    assert (code, out) == (2, "")
    assert "full" in one_line(err)
    assert not [path for path in small_disk.iterdir() if path.name.startswith("amudesk-shared-")]
