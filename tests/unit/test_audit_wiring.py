"""What the services and commands write to the audit trail: ids, references, field names and
counts, never a name or a number that identifies a person."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from amudesk.cli import main
from amudesk.models import AuditEntry
from amudesk.services import audit, clock
from amudesk.services.cases import DecisionData, RequestData, record_decision, register_request
from amudesk.services.directory import list_cpas
from amudesk.services.exporting import export_file
from amudesk.services.people import PersonData, save_person
from amudesk.store import Store
from tests.keys import PASSPHRASE

pytestmark = pytest.mark.both_engines

NAME = "Ivanova-Zzyzx"


def trail(store: Store) -> list[AuditEntry]:
    with store.session() as session:
        return list(reversed(audit.entries(session=session, limit=1000)))


def test_saving_a_case_leaves_entries_with_ids_and_field_names_only(store: Store) -> None:
    before = len(trail(store))
    with store.transaction() as session:
        cpas = list_cpas(session=session)[0]
        person = save_person(
            PersonData(family_name=NAME, given_names="Olga", niss="85073003328"), session=session
        )
        request = register_request(
            RequestData(
                person_id=person.id, cpas_id=cpas.id, received_at=dt.datetime(2026, 3, 2, 10)
            ),
            session=session,
        )
    with store.transaction() as session:
        save_person(
            PersonData(family_name=NAME, given_names="Olga", niss="85073003328", phone="0470"),
            session=session,
            person_id=person.id,
        )
        save_person(  # saved again unchanged: nothing to tell
            PersonData(family_name=NAME, given_names="Olga", niss="85073003328", phone="0470"),
            session=session,
            person_id=person.id,
        )
        record_decision(
            request.id,
            DecisionData(kind="refusal", decided_on=dt.date(2026, 3, 20)),
            session=session,
        )
        clock.mark_deadline(
            request.id, "appeal", session=session, kind="handled", today=dt.date(2026, 3, 21)
        )
    new = trail(store)[before:]
    assert [(e.action, e.entity, e.entity_id) for e in new] == [
        ("create", "person", person.id),
        ("create", "request", request.id),
        ("edit", "person", person.id),
        ("create", "decision", new[3].entity_id),
        ("create", "deadline_mark", new[4].entity_id),
    ]
    assert new[2].detail == "fields=phone"
    assert {e.reference for e in new[1:2] + new[3:]} == {request.reference}
    for entry in new:
        assert NAME not in entry.detail and "85073003328" not in entry.detail
    with store.session() as session:
        assert audit.verify(session=session).intact


def test_an_export_is_one_entry_with_its_count(store: Store, tmp_path: Path) -> None:
    count = export_file(tmp_path / "all.csv", store=store)
    last = trail(store)[-1]
    assert (last.action, last.entity, last.detail) == ("export", "request", f"rows={count}")


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_write_their_entries_and_check_finds_a_changed_one(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    assert run(capsys, data_dir, "demo", "--count", "5")[0] == 0
    assert run(capsys, data_dir, "backup")[0] == 0
    code, out, _err = run(capsys, data_dir, "check")
    assert code == 0
    from amudesk.services.desk import open_desk

    store = open_desk(data_dir, passphrase=PASSPHRASE)
    try:
        actions = [e.action for e in trail(store)]
        assert actions[-2:] == ["import", "backup"]
        assert trail(store)[-1].detail.startswith("file=amudesk-")
        with store.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_entry_no_update"))
            connection.execute(
                text("UPDATE audit_entry SET detail = 'rows=0' WHERE action = 'import'")
            )
    finally:
        store.close()
    code, out, err = run(capsys, data_dir, "check")
    assert (code, out) == (2, "")
    assert err.startswith("amudesk: audit trail: Entry ") and "was changed" in err


def test_wrong_passphrases_reach_the_trail_at_the_next_unlock(store: Store) -> None:
    moments: list[Any] = [
        dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 11, 30, 9, 1, tzinfo=dt.UTC),
    ]
    with store.transaction() as session:
        audit.record_unlock(session=session, failed_at=moments)
    last = trail(store)[-3:]
    assert [(e.action, e.detail) for e in last] == [
        ("failed-unlock", "attempt=1"),
        ("failed-unlock", "attempt=2"),
        ("unlock", ""),
    ]
    assert last[0].at.replace(tzinfo=dt.UTC) == moments[0]
