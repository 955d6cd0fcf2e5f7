"""The audit trail: the hash chain, what breaks it, the NISS guard, browsing and concurrency."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from amudesk.models import GENESIS_HASH, AuditEntry
from amudesk.services import audit

pytestmark = pytest.mark.both_engines

ACTIONS = ("create", "edit", "print", "export", "delete")
SIZE = 50


def reference(number: int) -> str:
    return f"AMU-2026-{number % 7 + 1:04d}"


def fill(store: Any, size: int = SIZE) -> list[AuditEntry]:
    """``size`` entries with ids 1 … size, committed."""
    made = []
    with store.transaction() as session:
        for number in range(1, size + 1):
            made.append(
                audit.record(
                    ACTIONS[number % len(ACTIONS)],
                    session=session,
                    entity="request",
                    entity_id=number,
                    reference=reference(number),
                    detail=f"fields=status,channel;count={number}",
                    actor="desk",
                )
            )
    return made


def tamper(store: Any, *statements: str) -> None:
    """Raw SQL, as someone holding the key (or the server's owner) could run it: the
    append-only triggers dropped."""
    with store.engine.begin() as connection:
        if store.is_sqlite:
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_update")
            connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_entry_no_delete")
        else:
            connection.exec_driver_sql("ALTER TABLE audit_entry DISABLE TRIGGER USER")
        for statement in statements:
            connection.exec_driver_sql(statement)


def schema_names(store: Any) -> set[str]:
    """The tables, indexes and triggers of the store's database."""
    with store.engine.connect() as connection:
        if store.is_sqlite:
            rows = connection.exec_driver_sql("SELECT name FROM sqlite_master")
        else:
            rows = connection.exec_driver_sql(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "UNION SELECT indexname FROM pg_indexes WHERE schemaname = 'public' "
                "UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            )
        return {row[0] for row in rows}


def verify(store: Any) -> audit.VerifyResult:
    with store.session() as session:
        return audit.verify(session=session)


def stored_hash(store: Any, entry_id: int) -> str:
    with store.engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT hash FROM audit_entry WHERE id = :id"), {"id": entry_id}
            ).scalar_one()
        )


# --- the chain --------------------------------------------------------------------------


def test_fifty_entries_make_an_intact_chain(store: Any) -> None:
    made = fill(store)
    assert [entry.id for entry in made] == list(range(1, SIZE + 1))
    assert made[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in zip(made, made[1:], strict=False))
    result = verify(store)
    assert result.intact
    assert result.checked == SIZE
    assert result.entry_id is None
    assert result.head == made[-1].hash
    assert result.message == "The chain is intact (50 entries)."


def test_an_empty_trail_is_intact(session: Any) -> None:
    result = audit.verify(session=session)
    assert (result.intact, result.checked, result.head) == (True, 0, GENESIS_HASH)


def test_hash_is_the_documented_canonical_form(session: Any) -> None:
    moment = dt.datetime(2026, 11, 24, 10, 15, 2, 123456, tzinfo=ZoneInfo("Europe/Brussels"))
    entry = audit.record(
        "print",
        session=session,
        entity="document",
        entity_id=7,
        reference="AMU-2026-0042",
        detail="receipt;copies=2;lang=nl",
        actor="Zoë",
        at=moment,
    )
    canonical = (
        f'["{GENESIS_HASH}","2026-11-24T09:15:02.123456+00:00","Zoë","print","document",7,'
        '"AMU-2026-0042","receipt;copies=2;lang=nl"]'
    )
    assert entry.hash == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert json.loads(canonical)[1] == entry.at.isoformat()  # stored in UTC


def test_moments_and_unicode_survive_the_round_trip(store: Any) -> None:
    moment = dt.datetime(2026, 3, 29, 1, 59, 59, 999999, tzinfo=dt.UTC)
    with store.transaction() as session:
        audit.record("unlock", session=session, actor="Ștefan Олена", at=moment)
        audit.record("backup", session=session, actor="desk", detail="file=backup-1.sqlite3")
    with store.session() as session:
        first = audit.entries(session=session, limit=10)[-1]
        assert first.at.replace(tzinfo=dt.UTC) == moment  # SQLite gives UTC back, naive
        assert first.actor == "Ștefan Олена"
    assert verify(store).intact


def test_an_entry_belongs_to_the_callers_transaction(store: Any) -> None:
    with pytest.raises(RuntimeError), store.transaction() as session:
        audit.record("create", session=session, entity="person", entity_id=1)
        raise RuntimeError("the change failed")
    with store.session() as session:
        assert audit.count(session=session) == 0
    fill(store, 2)
    assert verify(store).intact


# --- what breaks it ---------------------------------------------------------------------


def test_an_edited_detail_names_that_entry(store: Any) -> None:
    fill(store)
    tamper(store, "UPDATE audit_entry SET detail = 'fields=status' WHERE id = 17")
    result = verify(store)
    assert not result.intact
    assert (result.entry_id, result.problem, result.checked) == (17, audit.CHANGED, 17)
    assert "Entry 17 was changed" in result.reason
    assert result.message == result.reason


LOOSELY_TYPED = ("at = 'not a moment'", "at = 12", "entity_id = 'abc'")  # SQLite stores them


@pytest.mark.parametrize(
    "assignment",
    [
        "actor = 'someone else'",
        "action = 'print'",
        "entity = 'person'",
        "entity_id = 99",
        "entity_id = NULL",
        "reference = 'AMU-2026-0999'",
        "at = '2026-01-01 00:00:00.000000'",
        "at = 'not a moment'",
        "at = 12",
        "entity_id = 'abc'",
        "hash = '" + "a" * 64 + "'",
    ],
)
def test_any_edited_field_is_found(store: Any, assignment: str) -> None:
    if not store.is_sqlite and assignment in LOOSELY_TYPED:
        pytest.skip("PostgreSQL's typed columns refuse such a value: it cannot be written")
    fill(store, 10)
    tamper(store, f"UPDATE audit_entry SET {assignment} WHERE id = 6")
    result = verify(store)
    assert (result.intact, result.entry_id, result.problem) == (False, 6, audit.CHANGED)


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(store: Any) -> None:
    made = fill(store)
    forged = made[16]
    new_hash = audit.entry_hash(
        forged.prev_hash,
        forged.at,
        forged.actor,
        forged.action,
        forged.entity,
        forged.entity_id,
        forged.reference,
        "fields=nothing",
    )
    tamper(
        store,
        f"UPDATE audit_entry SET detail = 'fields=nothing', hash = '{new_hash}' WHERE id = 17",
    )
    result = verify(store)
    assert (result.entry_id, result.problem) == (18, audit.BROKEN_LINK)
    assert "Entry 18 does not follow entry 17" in result.reason


def test_a_deleted_entry_is_reported_at_the_link_after_it(store: Any) -> None:
    fill(store)
    tamper(store, "DELETE FROM audit_entry WHERE id = 20")
    result = verify(store)
    assert (result.intact, result.entry_id, result.problem) == (False, 21, audit.BROKEN_LINK)
    assert result.checked == 20  # 1 … 19, then 21
    assert "Entry 21 does not follow entry 19" in result.reason


def test_deleting_the_first_entries_is_found(store: Any) -> None:
    fill(store)
    tamper(store, "DELETE FROM audit_entry WHERE id <= 3")
    result = verify(store)
    assert (result.entry_id, result.problem) == (4, audit.BROKEN_LINK)
    assert "Entry 4 is the first one left" in result.reason


def test_reordered_entries_are_found(store: Any) -> None:
    fill(store)
    tamper(
        store,
        "UPDATE audit_entry SET id = -10 WHERE id = 10",
        "UPDATE audit_entry SET id = 10 WHERE id = 11",
        "UPDATE audit_entry SET id = 11 WHERE id = -10",
    )
    result = verify(store)
    assert (result.entry_id, result.problem) == (10, audit.BROKEN_LINK)


def test_an_inserted_entry_is_found(store: Any) -> None:
    made = fill(store)
    moment = made[-1].at
    forged_prev = "b" * 64
    forged_hash = audit.entry_hash(forged_prev, moment, "desk", "erase", "", None, "", "")
    tamper(
        store,
        "INSERT INTO audit_entry (id, at, actor, action, entity, entity_id, reference, detail,"
        " prev_hash, hash) VALUES (51, '2026-11-24 10:00:00.000000', 'desk', 'erase', '', NULL,"
        f" '', '', '{forged_prev}', '{forged_hash}')",
    )
    result = verify(store)
    assert (result.entry_id, result.problem) == (51, audit.BROKEN_LINK)


def test_a_well_chained_replacement_breaks_the_link_after_it(store: Any) -> None:
    """Entry 25 swapped for a forgery that links correctly to 24: 26 no longer follows."""
    fill(store)
    prev = stored_hash(store, 24)
    at = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
    forged = audit.entry_hash(prev, at, "desk", "print", "request", 25, "AMU-2026-0005", "")
    tamper(
        store,
        "DELETE FROM audit_entry WHERE id = 25",
        "INSERT INTO audit_entry (id, at, actor, action, entity, entity_id, reference, detail,"
        " prev_hash, hash) VALUES (25, '2026-11-24 10:00:00.000000', 'desk', 'print', 'request',"
        f" 25, 'AMU-2026-0005', '', '{prev}', '{forged}')",
    )
    result = verify(store)
    assert (result.entry_id, result.problem) == (26, audit.BROKEN_LINK)


def test_the_first_broken_link_is_reported(store: Any) -> None:
    fill(store)
    tamper(
        store,
        "UPDATE audit_entry SET detail = 'x' WHERE id = 40",
        "DELETE FROM audit_entry WHERE id = 12",
    )
    assert verify(store).entry_id == 13


def test_the_database_refuses_changes_and_forks(store: Any) -> None:
    made = fill(store, 3)
    with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE audit_entry SET detail = 'x' WHERE id = 2")
    with pytest.raises(DatabaseError, match="append-only"), store.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM audit_entry WHERE id = 2")
    with pytest.raises(DatabaseError), store.engine.begin() as connection:  # prev_hash is unique
        connection.exec_driver_sql(
            "INSERT INTO audit_entry (at, actor, action, entity, reference, detail, prev_hash,"
            f" hash) VALUES ('2026-11-24 10:00:00', 'x', 'edit', '', '', '', '{made[1].prev_hash}',"
            f" '{'c' * 64}')"
        )
    assert verify(store).intact


def test_progress_is_reported_and_can_stop_the_walk(store: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(audit, "VERIFY_BATCH", 20)
    fill(store)
    steps: list[tuple[int, int]] = []
    with store.session() as session:
        assert audit.verify(session=session, progress=lambda d, t: steps.append((d, t))).intact
    assert steps == [(0, 50), (20, 50), (40, 50), (50, 50)]

    class Stop(Exception):
        pass

    def stop(done: int, _total: int) -> None:
        if done >= 20:
            raise Stop

    with pytest.raises(Stop), store.session() as session:
        audit.verify(session=session, progress=stop)


# --- what goes in -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "detail",
    [
        "85073003328",
        "niss=85073003328",
        "85.07.30-033.28",
        "old=850730 033 28",
        "85-07-30-033-28",
        "fields=niss;was:85073003328.",
    ],
)
def test_a_detail_that_looks_like_a_niss_is_refused(session: Any, detail: str) -> None:
    with pytest.raises(ValueError, match="NISS") as refused:
        audit.record("edit", session=session, entity="person", entity_id=3, detail=detail)
    assert "85" not in str(refused.value)  # the number is not repeated towards a log
    assert audit.count(session=session) == 0


def test_a_reference_that_looks_like_a_niss_is_refused(session: Any) -> None:
    with pytest.raises(ValueError, match="NISS"):
        audit.record("print", session=session, reference="85073003328")


@pytest.mark.parametrize(
    "detail",
    [
        "fields=family_name,niss,birth_date",
        "ids=12,13,14;count=3",
        "at=2026-11-24T09:15:02",
        "sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "size=123456789012",  # twelve digits: not a NISS layout
        "file=backup-20261124-091502.sqlite3",
    ],
)
def test_ordinary_machine_details_are_accepted(session: Any, detail: str) -> None:
    assert audit.record("backup", session=session, detail=detail).detail == detail


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"action": ""}, "action"),
        ({"action": "Print all"}, "action"),
        ({"action": "x" * 31}, "action"),
        ({"entity": "Person record"}, "entity"),
        ({"entity_id": "12"}, "entity_id"),
        ({"detail": "x" * 501}, "detail"),
        ({"reference": "AMU-" + "0" * 30}, "reference"),
        ({"at": dt.datetime(2026, 11, 24, 10, 0)}, "timezone"),
    ],
)
def test_malformed_entries_are_refused(
    session: Any, arguments: dict[str, Any], message: str
) -> None:
    arguments = dict(arguments)  # the parameters are shared by the runs on each engine
    action = arguments.pop("action", "edit")
    with pytest.raises(ValueError, match=message):
        audit.record(action, session=session, **arguments)


def test_actor_defaults_to_the_system_user(session: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(audit.getpass, "getuser", lambda: "agent7")
    assert audit.record("unlock", session=session).actor == "agent7"
    assert audit.record("unlock", session=session, actor="worker:backup").actor == "worker:backup"

    def no_user() -> str:
        raise OSError("No username set in the environment")

    monkeypatch.setattr(audit.getpass, "getuser", no_user)
    assert audit.record("failed-unlock", session=session).actor == "user"


# --- browsing ---------------------------------------------------------------------------


def test_entries_are_paged_newest_first(store: Any) -> None:
    fill(store)
    with store.session() as session:
        first = audit.entries(session=session, limit=20)
        second = audit.entries(session=session, limit=20, offset=20)
        last = audit.entries(session=session, limit=20, offset=40)
        assert [e.id for e in first] == list(range(50, 30, -1))
        assert [e.id for e in second] == list(range(30, 10, -1))
        assert [e.id for e in last] == list(range(10, 0, -1))
        assert audit.count(session=session) == 50


def test_entries_and_count_filter_by_action_and_reference(store: Any) -> None:
    fill(store)
    with store.session() as session:
        prints = audit.entries(session=session, action="print", limit=100)
        assert {e.action for e in prints} == {"print"}
        assert len(prints) == audit.count(session=session, action="print") == 10
        wanted = reference(3)  # AMU-2026-0004
        for query in (wanted, "0004", "amu-2026-0004", f"  {wanted} "):
            found = audit.entries(session=session, reference=query, limit=100)
            assert found and {e.reference for e in found} == {wanted}
            assert audit.count(session=session, reference=query) == len(found)
        both = audit.entries(session=session, action="print", reference=wanted, limit=100)
        assert {(e.action, e.reference) for e in both} == {("print", wanted)}
        assert audit.count(session=session, action="print", reference=wanted) == len(both)
        assert audit.count(session=session, reference="%") == 0  # wildcards are literal
        assert audit.count(session=session, reference="_") == 0
        assert audit.count(session=session, action="rekey") == 0
        assert audit.count(session=session, reference="") == 50


def test_position_of_an_entry_in_the_list(store: Any) -> None:
    fill(store)
    with store.session() as session:
        assert audit.position(50, session=session) == 0
        assert audit.position(17, session=session) == 33
        prints = [e.id for e in audit.entries(session=session, action="print", limit=100)]
        assert audit.position(prints[3], session=session, action="print") == 3
        assert audit.position(prints[3], session=session, action="edit") is None
        assert audit.position(999, session=session) is None


def test_actions_in_use_and_labels(store: Any) -> None:
    fill(store)
    with store.session() as session:
        assert audit.actions_in_use(session=session) == sorted(ACTIONS)
    assert audit.action_label("failed-unlock") == "Unlock refused"
    assert audit.action_label("custom-code") == "custom-code"
    assert audit.entity_label("request") == "Request"


# --- several writers --------------------------------------------------------------------


def test_concurrent_writers_keep_one_chain(store: Any) -> None:
    """Writers on their own connections (as two processes would be) append at the same
    time: every entry lands, after the one before, and the chain stays whole."""
    writers, each = 4, 15
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            start.wait()
            for step in range(each):
                with store.transaction() as session:
                    audit.count(session=session)  # a read first, as a use-case does
                    audit.record("edit", session=session, actor=f"w{number}", detail=f"s={step}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = verify(store)
    assert result.intact
    assert result.checked == writers * each


def test_migration_from_the_legal_clock_schema(store: Any) -> None:
    from alembic import command

    from amudesk.store import alembic_config

    config = alembic_config()
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    names = schema_names(store)
    assert (
        "audit_entry" not in names
        and not {"audit_entry_no_update", "audit_entry_no_change"} & names
    )
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    names = schema_names(store)
    assert {"audit_entry", "ix_audit_entry_at"} <= names
    assert (
        {"audit_entry_no_update", "audit_entry_no_delete"}
        if store.is_sqlite
        else {"audit_entry_no_change", "audit_entry_no_truncate"}
    ) <= names
    fill(store, 3)
    assert verify(store).intact
