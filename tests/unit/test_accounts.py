"""Workers' accounts: the first administrator, passwords, throttled sign-ins, roles, and
the account named on every change (issue 16)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from amudesk.cli import main
from amudesk.models import Account, AuditEntry, Person, Role
from amudesk.services import FieldError, accounts, people
from amudesk.services.accounts import Denied, SignInError
from amudesk.services.people import PersonData

pytestmark = pytest.mark.both_engines

GOOD = "blue kettle seventeen harbour"
OTHER = "violet comet winter ladder 9"
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


def add(store: Any, name: str, role: str = Role.ADMINISTRATOR, **extra: Any) -> Account:
    with store.transaction() as session:
        return accounts.add_account(name, role, session=session, password=GOOD, **extra)


def trail(store: Any) -> list[AuditEntry]:
    with store.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_the_first_account_is_an_administrator_and_names_are_unique(store: Any) -> None:
    with store.transaction() as session, pytest.raises(FieldError, match="first account"):
        accounts.add_account("Ana", Role.WORKER, session=session, password=GOOD)
    add(store, "Ana Lopez")
    add(store, "Bram", Role.READER)
    with store.transaction() as session, pytest.raises(FieldError, match="exists already"):
        accounts.add_account("  ána   LÓPEZ ", Role.WORKER, session=session, password=OTHER)
    with store.session() as session:
        assert [(a.name, a.role) for a in accounts.list_accounts(session=session)] == [
            ("Ana Lopez", "administrator"),
            ("Bram", "reader"),
        ]
        stored = accounts.find_account("ana lopez", session=session)
        assert stored is not None and stored.password_hash.startswith("$argon2id$")
        assert GOOD not in stored.password_hash


@pytest.mark.parametrize(
    ("name", "password", "field", "message"),
    [
        ("", GOOD, "name", "give the worker's name"),
        ("x" * 101, GOOD, "name", "at most 100"),
        ("Ana\u202e", GOOD, "name", "control"),
        ("Ana", "short", "password", "at least 10"),
        ("Ana", "password123", "password", "too easy"),
        ("Ana", "ana ana ana ana", "password", "too easy"),
        ("Ana", "p" * 1001, "password", "at most 1000"),
    ],
)
def test_bad_names_and_weak_passwords_are_refused_naming_the_field(
    store: Any, name: str, password: str, field: str, message: str
) -> None:
    with store.transaction() as session, pytest.raises(FieldError) as raised:
        accounts.add_account(name, Role.ADMINISTRATOR, session=session, password=password)
    assert raised.value.field == field and message in str(raised.value)
    with store.session() as session:
        assert not accounts.has_accounts(session=session)


def test_signing_in_names_the_account_on_every_change(store: Any) -> None:
    add(store, "Ana Lopez")
    account = accounts.sign_in_store(store, "ANA LOPEZ", GOOD, now=NOW)
    assert (account.name, store.account, store.role) == ("Ana Lopez", "Ana Lopez", "administrator")
    with store.transaction() as session:
        person = people.save_person(
            PersonData(family_name="Diallo", given_names="Awa"), session=session
        )
        person_id = person.id
    with store.session() as session:
        saved = session.get(Person, person_id)
        assert saved is not None and saved.updated_by == "Ana Lopez"
    actions = [(e.action, e.actor) for e in trail(store)]
    assert ("signin", "Ana Lopez") in actions
    assert actions[-1] == ("create", "Ana Lopez")


def test_wrong_passwords_are_counted_throttled_and_recorded(store: Any) -> None:
    add(store, "Ana")
    for number in range(accounts.FREE_TRIES):
        with pytest.raises(SignInError, match="Wrong name or password"):
            accounts.sign_in_store(store, "Ana", f"wrong {number}", now=NOW)
    # The fifth wrong one in a row: the account waits 30 seconds, even for the right password.
    with pytest.raises(SignInError, match="Wrong name or password"):
        accounts.sign_in_store(store, "Ana", "wrong again", now=NOW)
    with pytest.raises(SignInError, match="try again after"):
        accounts.sign_in_store(store, "Ana", GOOD, now=NOW + dt.timedelta(seconds=29))
    with pytest.raises(SignInError, match="Wrong name or password"):
        accounts.sign_in_store(store, "Ana", "wrong", now=NOW + dt.timedelta(seconds=31))
    with store.session() as session:
        waiting = accounts.find_account("Ana", session=session)
        assert waiting is not None and waiting.failed_count == 6
        until = waiting.locked_until
        assert until is not None
        assert until.replace(tzinfo=dt.UTC) == NOW + dt.timedelta(seconds=31 + 60)
    accounts.sign_in_store(store, "Ana", GOOD, now=NOW + dt.timedelta(minutes=5))
    with store.session() as session:
        again = accounts.find_account("Ana", session=session)
        assert again is not None and (again.failed_count, again.locked_until) == (0, None)
    failed = [e for e in trail(store) if e.action == "signin-failed"]
    assert len(failed) == 6 and {e.actor for e in failed} == {"Ana"}
    assert GOOD not in json.dumps([e.detail for e in trail(store)])


def test_an_unknown_name_gets_the_words_of_a_wrong_password(store: Any) -> None:
    add(store, "Ana")
    with pytest.raises(SignInError) as unknown:
        accounts.sign_in_store(store, "Nobody", GOOD, now=NOW)
    with pytest.raises(SignInError) as wrong:
        accounts.sign_in_store(store, "Ana", "not the password", now=NOW)
    assert str(unknown.value) == str(wrong.value)
    # The name typed is not kept: it might be a password typed in the wrong field.
    assert all("Nobody" not in e.actor + e.detail for e in trail(store))


def test_a_disabled_account_cannot_sign_in_and_the_last_administrator_stays(store: Any) -> None:
    add(store, "Ana")
    add(store, "Bram", Role.WORKER)
    with store.transaction() as session, pytest.raises(FieldError, match="last administrator"):
        accounts.disable_account("Ana", session=session)
    with store.transaction() as session:
        accounts.disable_account("Bram", session=session, by="Ana")
    with pytest.raises(SignInError, match="disabled"):
        accounts.sign_in_store(store, "Bram", GOOD, now=NOW)


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.READER, {"read", "print"}, {"export", "erase", "cases", "documents", "office"}),
        (Role.WORKER, {"cases", "documents", "deadlines", "print"}, {"export", "erase", "office"}),
        (Role.ADMINISTRATOR, set(accounts.ACTIONS), set()),
    ],
)
def test_what_each_role_may_do(role: str, allowed: set[str], refused: set[str]) -> None:
    for action in allowed:
        accounts.require(role, action)
    for action in refused:
        with pytest.raises(Denied, match="ask an administrator"):
            accounts.require(role, action)
    accounts.require(None, "erase")  # a laptop's store: no roles


# --- the command line ------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_signs_in_and_does_what_the_role_allows(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    store: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    store.close()
    if store.is_sqlite:
        code, out, err = run(capsys, data_dir, "user", "list")
        assert (code, out) == (2, "") and "shared database" in err and err.count("\n") == 1
        return
    # No account yet: every command but the first `user add` is refused.
    code, _out, err = run(capsys, data_dir, "deadlines", "--json")
    assert code == 2 and "no account yet" in err and err.count("\n") == 1
    monkeypatch.setenv("AMUDESK_NEW_PASSWORD", GOOD)
    code, _out, err = run(capsys, data_dir, "user", "add", "Reader One", "--role", "reader")
    assert code == 2 and "first account must be an administrator" in err
    code, out, _err = run(capsys, data_dir, "user", "add", "Ana", "--role", "administrator")
    assert code == 0 and "Ana" in out
    # From now on, signing in.
    code, _out, err = run(capsys, data_dir, "user", "add", "Bram", "--role", "reader")
    assert code == 2 and "no account: set AMUDESK_USER and AMUDESK_PASSWORD" in err
    monkeypatch.setenv("AMUDESK_USER", "ana")
    monkeypatch.setenv("AMUDESK_PASSWORD", "not hers at all")
    code, _out, err = run(capsys, data_dir, "user", "list")
    assert (code, err.strip()) == (2, "amudesk: Wrong name or password.")
    monkeypatch.setenv("AMUDESK_PASSWORD", GOOD)
    monkeypatch.setenv("AMUDESK_NEW_PASSWORD", OTHER)
    assert run(capsys, data_dir, "user", "add", "Bram", "--role", "reader")[0] == 0
    code, out, _err = run(capsys, data_dir, "user", "list", "--json")
    listed = json.loads(out)
    assert [(a["name"], a["role"], a["disabled"]) for a in listed] == [
        ("Ana", "administrator", False),
        ("Bram", "reader", False),
    ]
    # The reader looks cases up, and may not export.
    monkeypatch.setenv("AMUDESK_USER", "Bram")
    monkeypatch.setenv("AMUDESK_PASSWORD", OTHER)
    assert run(capsys, data_dir, "deadlines", "--json")[0] == 0
    target = tmp_path / "all.csv"
    code, out, err = run(capsys, data_dir, "export", str(target))
    assert (code, out) == (2, "") and "A reader may not export everything" in err
    assert err.count("\n") == 1 and not target.exists()
    code, _out, err = run(capsys, data_dir, "user", "disable", "Ana")
    assert code == 2 and "may not manage accounts" in err
    # The audit trail says who.
    monkeypatch.setenv("AMUDESK_USER", "Ana")
    monkeypatch.setenv("AMUDESK_PASSWORD", GOOD)
    assert run(capsys, data_dir, "user", "disable", "Bram")[0] == 0
    reopened = open_shared(store)
    try:
        entries = trail(reopened)
    finally:
        reopened.close()
    assert ("account-disable", "Ana") in [(e.action, e.actor) for e in entries]
    assert ("signin", "Bram") in [(e.action, e.actor) for e in entries]


def open_shared(store: Any) -> Any:
    from amudesk.services.desk import open_desk

    return open_desk(store.data_dir, url=store.url)


@pytest.mark.postgres_only  # PostgreSQL roles belong to a server
def test_a_server_role_account_signs_in_as_its_postgresql_role(
    store: Any, data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The office prefers PostgreSQL's roles: the server checks the password, the desk the
    role's account and its rights."""
    import uuid

    from sqlalchemy.engine import make_url

    role = f"carla_{uuid.uuid4().hex[:8]}"
    add(store, "Ana")
    with store.transaction() as session:
        accounts.add_account(role, Role.READER, session=session, server_role=True, by="Ana")
    url = make_url(store.url)
    with store.engine.begin() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD 'server side secret'")
        connection.exec_driver_sql(f"GRANT ALL ON ALL TABLES IN SCHEMA public TO {role}")
        connection.exec_driver_sql(f"GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO {role}")
        connection.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{url.database}" TO {role}')
    as_role = url.set(username=role, password="server side secret")
    monkeypatch.setenv("AMUDESK_DATABASE_URL", as_role.render_as_string(hide_password=False))
    monkeypatch.delenv("AMUDESK_USER", raising=False)
    try:
        assert run(capsys, data_dir, "deadlines", "--json")[0] == 0
        code, _out, err = run(capsys, data_dir, "user", "list")
        assert code == 2 and "A reader may not manage accounts" in err
        with pytest.raises(SignInError, match="no account here"), store.session() as session:
            accounts.sign_in_as_server_role(session=session)  # the superuser has none
    finally:
        store.engine.dispose()
        with store.engine.begin() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
        admin = store.engine.url.set(database="postgres")
        from sqlalchemy import create_engine

        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
            )
            connection.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        engine.dispose()


# --- the role, checked on every write --------------------------------------------------


def signed_in_as(store: Any, role: str) -> None:
    """``store`` signed in under a fresh account of ``role`` (an administrator first)."""
    with store.transaction() as session:
        if not accounts.has_accounts(session=session):
            accounts.add_account("Ana", Role.ADMINISTRATOR, session=session, password=GOOD)
        if role != Role.ADMINISTRATOR:
            accounts.add_account(f"Someone {role}", role, session=session, password=OTHER)
    name = "Ana" if role == Role.ADMINISTRATOR else f"Someone {role}"
    accounts.sign_in_store(store, name, GOOD if role == Role.ADMINISTRATOR else OTHER)


def test_a_reader_looks_up_and_prints_receipts_and_writes_nothing_else(store: Any) -> None:
    from amudesk.models import Document, Request
    from amudesk.services import clock, documents, office
    from tests.documents.test_issue import make_request

    request_id = make_request(store)
    signed_in_as(store, Role.READER)
    with store.transaction() as session:
        receipt = documents.issue_receipt(request_id, session=session, language="fr", now=NOW)
        assert receipt.actor == "Someone reader"
    refused = {
        "person": lambda session: people.save_person(
            PersonData(family_name="Diallo", given_names="Awa"), session=session
        ),
        "form": lambda session: documents.issue_aamu_form(request_id, session=session, now=NOW),
        "mark": lambda session: clock.mark_deadline(
            request_id, "decision", session=session, kind="handled"
        ),
        "office": lambda session: office.update_office(session=session, name="Autre nom"),
        "account": lambda session: accounts.add_account(
            "Eve", Role.ADMINISTRATOR, session=session, password="yet another long phrase 7"
        ),
        "clear": lambda session: clock.clear_mark(request_id, "decision", session=session),
    }
    for what, write in refused.items():
        with pytest.raises(Denied) as raised, store.transaction() as session:
            write(session)
        assert raised.value.field == "role", what
        assert "A reader may not" in str(raised.value), what
    with store.session() as session:
        kinds = [d.kind for d in session.scalars(select(Document))]
        assert kinds == ["receipt"]
        request = session.get(Request, request_id)
        assert request is not None and request.version == 1


def test_a_worker_records_cases_but_not_the_office_or_accounts(store: Any) -> None:
    from amudesk.services import clock, office
    from tests.documents.test_issue import make_request

    request_id = make_request(store)
    signed_in_as(store, Role.WORKER)
    with store.transaction() as session:
        people.save_person(PersonData(family_name="Diallo", given_names="Awa"), session=session)
        clock.mark_deadline(request_id, "decision", session=session, kind="handled")
    office_refused = pytest.raises(Denied, match="A worker may not change the office profile")
    with office_refused, store.transaction() as session:
        office.update_office(session=session, name="Autre nom")
    with pytest.raises(Denied, match="may not manage accounts"), store.transaction() as session:
        accounts.disable_account("Someone worker", session=session)
    store.role = Role.ADMINISTRATOR  # an administrator may do both
    with store.transaction() as session:
        office.update_office(session=session, name="Autre nom")
