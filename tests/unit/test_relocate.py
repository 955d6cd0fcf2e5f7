"""A laptop's desk moved onto a PostgreSQL server and back, checked (issue 16)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import SQLModel

from amudesk.cli import main
from amudesk.models import Document, Person, Request
from amudesk.services import audit, documents, relocate
from amudesk.services.demo import fill_demo
from amudesk.services.desk import open_desk
from amudesk.store import open_store
from tests import postgres
from tests.keys import FAST_KDF, PASSPHRASE

pytestmark = pytest.mark.skipif(not postgres.available(), reason=postgres.SKIP_REASON)

NOW = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
ADMIN_PASSWORD = "blue kettle seventeen harbour"


@pytest.fixture
def empty_server_database() -> Iterator[str]:
    """An empty database on the test server: no schema, no rows."""
    import uuid

    name = f"amudesk_move_{uuid.uuid4().hex[:10]}"
    postgres._admin(f'CREATE DATABASE "{name}"')
    try:
        yield postgres.database_url(name)
    finally:
        postgres._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def counts(store: Any) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            table.name: int(
                connection.execute(select(func.count()).select_from(table)).scalar_one()
            )
            for table in SQLModel.metadata.sorted_tables
        }


def people_rows(store: Any) -> list[tuple[Any, ...]]:
    with store.session() as session:
        return [
            (p.id, p.family_name, p.given_names, p.birth_date, p.niss, p.photo, p.guardian_id)
            for p in session.scalars(select(Person).order_by(Person.id))
        ]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_desk_moves_to_the_server_and_back_checked(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    empty_server_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    laptop = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    fill_demo(store=laptop, count=30)
    with laptop.session() as session:
        filed = select(Request.id).where(Request.received_at.is_not(None))  # type: ignore[union-attr]
        request_ids = list(session.scalars(filed.limit(3)))
    for request_id in request_ids:
        with laptop.transaction() as session:
            documents.issue_receipt(request_id, session=session, language="fr", now=NOW)
    before = counts(laptop)
    people_before = people_rows(laptop)
    laptop.close()
    assert before["document"] == 3 and before["person"] >= 30

    url = empty_server_database
    code, out, err = run(capsys, "--data-dir", str(data_dir), "migrate-to", url)
    assert (code, err) == (0, "")
    assert "3 documents" in out and "audit entries checked" in out
    server = open_desk(url=url)
    try:
        after = counts(server)
        assert {name: after[name] for name in before if name != "audit_entry"} == {
            name: before[name] for name in before if name != "audit_entry"
        }
        assert after["audit_entry"] == before["audit_entry"] + 1  # "migrated-in"
        assert people_rows(server) == people_before
        with server.session() as session:
            assert audit.verify(session=session).intact
            # New rows go on after the copied ids.
            assert session.scalar(select(func.max(Document.id))) == 3
    finally:
        server.close()
    # Once moved, a second copy onto the same database is refused, and nothing changes.
    code, out, err = run(capsys, "--data-dir", str(data_dir), "migrate-to", url)
    assert (code, out) == (2, "") and "not empty" in err and err.count("\n") == 1

    # And back, into a new data folder, by the server's administrator.
    monkeypatch.setenv("AMUDESK_NEW_PASSWORD", ADMIN_PASSWORD)
    assert run(capsys, "--database", url, "user", "add", "Ana", "--role", "administrator")[0] == 0
    monkeypatch.setenv("AMUDESK_USER", "Ana")
    monkeypatch.setenv("AMUDESK_PASSWORD", ADMIN_PASSWORD)
    back = tmp_path / "back"
    code, out, err = run(capsys, "--database", url, "migrate-to", "--data-dir", str(back))
    assert (code, err) == (0, "")
    returned = open_desk(back, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        again = counts(returned)
        assert again["person"] == before["person"] and again["document"] == 3
        assert again["account"] == 1
        assert people_rows(returned) == people_before
        with returned.session() as session:
            assert audit.verify(session=session).intact
    finally:
        returned.close()


def test_a_failed_check_keeps_nothing_on_the_target(
    data_dir: Path, empty_server_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    laptop = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    fill_demo(store=laptop, count=5)
    target = open_store(url=empty_server_database)

    def broken(_reader: Any, _writer: Any) -> int:
        raise relocate.RelocateError("Document AR-2026-00001: its copy does not match")

    monkeypatch.setattr(relocate, "_check_documents", broken)
    try:
        with pytest.raises(relocate.RelocateError, match="does not match"):
            relocate.copy_store(laptop, target)
        assert set(counts(target).values()) == {0}
    finally:
        target.close()
        laptop.close()


def test_copying_back_needs_a_new_folder_and_an_administrator(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    empty_server_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = empty_server_database
    open_desk(url=url).close()
    code, _out, err = run(capsys, "--database", url, "migrate-to", "--data-dir", str(data_dir))
    assert code == 2 and "no account yet" in err
    open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    code, _out, err = run(capsys, "--database", url, "migrate-to", "--data-dir", str(data_dir))
    assert code == 2 and "already holds a database" in err
    code, _out, err = run(capsys, "migrate-to")
    assert code == 2 and "give the URL of an empty PostgreSQL database" in err
    code, _out, err = run(capsys, "migrate-to", "mysql://somewhere/db")
    assert code == 2 and "must start with postgresql://" in err


def test_a_shared_database_is_backed_up_encrypted_and_goes_back_onto_a_server(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    empty_server_database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = empty_server_database
    server = open_desk(url=url)
    try:
        fill_demo(store=server, count=8)
        before = counts(server)
        people_before = people_rows(server)
    finally:
        server.close()
    monkeypatch.setenv("AMUDESK_NEW_PASSWORD", ADMIN_PASSWORD)
    assert run(capsys, "--database", url, "user", "add", "Ana", "--role", "administrator")[0] == 0
    monkeypatch.setenv("AMUDESK_USER", "Ana")
    monkeypatch.setenv("AMUDESK_PASSWORD", ADMIN_PASSWORD)
    stick = tmp_path / "stick"
    stick.mkdir()
    code, out, err = run(
        capsys, "--data-dir", str(data_dir), "--database", url, "backup", "--to", str(stick)
    )
    assert (code, err) == (0, "")
    [folder] = list(stick.iterdir())
    assert folder.name.startswith("amudesk-shared-") and str(folder) in out
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "amudesk.key",
        "amudesk.sqlite3",
    ]
    assert b"SQLite format 3" not in (folder / "amudesk.sqlite3").read_bytes()[:16]  # encrypted
    copy = open_desk(folder, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert people_rows(copy) == people_before
        assert counts(copy)["request"] == before["request"]
    finally:
        copy.close()
    # Back onto another, empty, database.
    import uuid

    name = f"amudesk_back_{uuid.uuid4().hex[:10]}"
    postgres._admin(f'CREATE DATABASE "{name}"')
    try:
        other = postgres.database_url(name)
        monkeypatch.delenv("AMUDESK_USER")
        code, out, err = run(capsys, "--data-dir", str(folder), "migrate-to", other)
        assert (code, err) == (0, "")
        again = open_desk(url=other)
        try:
            assert people_rows(again) == people_before
        finally:
            again.close()
    finally:
        postgres._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_failed_shared_backup_leaves_no_folder(
    data_dir: Path, tmp_path: Path, empty_server_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = open_desk(url=empty_server_database)
    fill_demo(store=server, count=3)

    def broken(_source: Any, _target: Any, **_extra: Any) -> Any:
        raise relocate.RelocateError("Table person: 2 rows copied of 3; nothing was kept.")

    monkeypatch.setattr(relocate, "copy_store", broken)
    try:
        with pytest.raises(relocate.RelocateError):
            relocate.backup_shared(server, tmp_path, PASSPHRASE)
    finally:
        server.close()
    assert list(tmp_path.iterdir()) == []
