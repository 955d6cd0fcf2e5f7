"""``amudesk close``, ``amudesk reopen`` and ``amudesk office``: the happy paths, and every
bad input answered by one line on stderr and status 2, with nothing written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import col, select

from amudesk.arguments import (
    CLOSE_REASONS,
    OFFICE_FIELD_ALIASES,
    OFFICE_FIELDS,
    OFFICE_LOCALISED_FIELDS,
)
from amudesk.cli import OFFICE_ALIASES, OFFICE_ARGUMENTS
from amudesk.models import AuditEntry, CloseReason, Office, Request
from amudesk.services.desk import open_desk
from tests.keys import FAST_KDF, PASSPHRASE
from tests.unit.test_deadlines_cli import filled, listing
from tests.unit.test_deadlines_cli import run as run_main

__all__ = ["filled"]  # the fixture, used below


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    """``amudesk ARGS``: its status, stdout and stderr (the parser's refusals included)."""
    try:
        return run_main(capsys, data_dir, *args)
    except SystemExit as exit_:
        out, err = capsys.readouterr()
        return int(exit_.code or 0), out, err


def _closed(data_dir: Path) -> dict[str, tuple[str | None, str]]:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            return {
                r.reference: (r.closed_reason, r.closed_note)
                for r in session.scalars(select(Request))
            }
    finally:
        store.close()


def _actions(data_dir: Path) -> list[tuple[str, str, str]]:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            return [
                (e.action, e.reference, e.detail)
                for e in session.scalars(
                    select(AuditEntry)
                    .where(col(AuditEntry.action).in_(["close", "reopen"]))
                    .order_by(col(AuditEntry.id))
                )
            ]
    finally:
        store.close()


def test_the_parser_knows_every_closing_reason_and_office_field() -> None:
    assert tuple(str(reason) for reason in CloseReason) == CLOSE_REASONS
    assert set(OFFICE_FIELDS) == set(OFFICE_ARGUMENTS)
    assert set(OFFICE_FIELD_ALIASES) == set(OFFICE_ALIASES)
    assert set(OFFICE_ARGUMENTS.values()) <= set(Office.model_fields)
    for field in OFFICE_LOCALISED_FIELDS:
        assert {f"{OFFICE_ARGUMENTS[field]}_{code}" for code in ("fr", "nl")} <= set(
            Office.model_fields
        )


def test_close_and_reopen_a_case(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    reference = filled["open"]
    code, out, err = run(
        capsys, data_dir, "close", "--reference", reference.lower(), "--reason", "left"
    )
    assert (code, err) == (0, "")
    assert out == f"Closed: {reference} (Person left or cannot be reached).\n"
    states = {r["state"] for r in listing(capsys, data_dir) if r["reference"] == reference}
    assert states == {"closed"}
    assert not [r for r in listing(capsys, data_dir, "--worklist") if r["reference"] == reference]
    assert run(capsys, data_dir, "reopen", "--reference", reference)[:2] == (
        0,
        f"Reopened: {reference}; its time limits run again.\n",
    )
    assert "closed" not in {r["state"] for r in listing(capsys, data_dir)}
    assert _actions(data_dir) == [
        ("close", reference, "reason=left"),
        ("reopen", reference, "was=left"),
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["close", "--reference", "{open}"], "--reason"),
        (["close", "--reference", "{open}", "--reason", "lost"], "invalid choice"),
        (["close", "--reference", "{open}", "--reason", "other"], "Note:"),
        (["close", "--reference", "{open}", "--reason", "other", "--note", "x" * 5000], "Note:"),
        (
            ["close", "--reference", "{open}", "--reason", "other", "--note", "a\u202eb\x1b[2J"],
            "Note: the invisible character U+202E",
        ),
        (["close", "--reference", "AMU-1999-9999", "--reason", "left"], "AMU-1999-9999"),
        (["close", "--reference", '=HYPERLINK("x")', "--reason", "left"], "No request"),
        (["reopen", "--reference", "{open}"], "it is not closed"),
        (["reopen"], "--reference"),
    ],
)
def test_bad_closings_say_one_line_and_change_nothing(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    filled: dict[str, str],
    args: list[str],
    expected: str,
) -> None:
    before = _closed(data_dir)
    code, out, err = run(capsys, data_dir, *[a.format(**filled) for a in args])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err, err
    assert "\x1b" not in err and "\u202e" not in err and len(err) < 400
    assert _closed(data_dir) == before
    assert _actions(data_dir) == []


def test_closing_with_another_reason_needs_a_note_and_keeps_it(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    reference = filled["refused"]
    code, _out, err = run(
        capsys,
        data_dir,
        "close",
        "--reference",
        reference,
        "--reason",
        "other",
        "--note",
        "  Suivi par   Médecins du Monde ",
    )
    assert (code, err) == (0, "")
    assert _closed(data_dir)[reference] == ("other", "Suivi par Médecins du Monde")
    # The note may name people: the audit trail keeps the reason's key only.
    assert _actions(data_dir) == [("close", reference, "reason=other")]
    again = run(capsys, data_dir, "close", "--reference", reference, "--reason", "left")
    assert again[0] == 2 and "already closed" in again[2]


def test_office_show_and_set(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, _err = run(capsys, data_dir, "office", "show")
    assert code == 0 and "No office profile yet" in out
    assert json.loads(run(capsys, data_dir, "office", "show", "--json")[1])["set"] is False
    assert run(capsys, data_dir, "office", "set", "kind", "association")[0] == 2
    assert run(capsys, data_dir, "office", "set", "name", "Vivre ensemble asbl")[:2] == (
        0,
        "Office profile: name is now Vivre ensemble asbl.\n",
    )
    assert run(capsys, data_dir, "office", "set", "kind", "association")[0] == 0
    shown = json.loads(run(capsys, data_dir, "office", "show", "--json")[1])
    assert shown["kind"] == "association" and shown["name"] == "Vivre ensemble asbl"
    assert shown["set"] is True and shown["logo"] is False
    languages = {f"{field}-{code}" for field in OFFICE_LOCALISED_FIELDS for code in ("fr", "nl")}
    assert set(shown) == {*OFFICE_FIELDS, *languages, "logo", "set"}
    code, out, _err = run(capsys, data_dir, "office", "show")
    assert code == 0 and "kind" in out and "association" in out
    # The deadlines' worklist follows the kind just set.
    assert run(capsys, data_dir, "office", "set", "kind", "cpas")[0] == 0
    assert json.loads(run(capsys, data_dir, "office", "show", "--json")[1])["kind"] == "cpas"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("kind", "ngo", "Kind of office"),
        ("kind", "", "Kind of office"),
        ("email", "not-an-address", "E-mail"),
        ("bce", "0123.456.789", "BCE"),
        ("document-language", "de", "Document language"),
        ("name", "", "Name of the office"),
        ("name", "N" * 5000, "Name of the office"),
        ("colour", "red", "invalid choice"),
    ],
)
def test_bad_office_values_say_one_line_and_change_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path, field: str, value: str, expected: str
) -> None:
    assert run(capsys, data_dir, "office", "set", "name", "Vivre ensemble")[0] == 0
    before = run(capsys, data_dir, "office", "show", "--json")[1]
    code, out, err = run(capsys, data_dir, "office", "set", field, value)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err, err
    assert run(capsys, data_dir, "office", "show", "--json")[1] == before


def test_office_show_escapes_what_a_field_holds(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert run(capsys, data_dir, "office", "set", "name", "Vivre ensemble")[0] == 0
    assert run(capsys, data_dir, "office", "set", "address", "Rue Haute 1\n1000 Bruxelles")[0] == 0
    code, out, _err = run(capsys, data_dir, "office", "show")
    assert code == 0
    assert "Rue Haute 1 / 1000 Bruxelles" in out
    assert out.count("\n") == len(OFFICE_FIELDS) + 2 * len(OFFICE_LOCALISED_FIELDS)
