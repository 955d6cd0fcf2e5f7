"""Hostile cases for `deadlines --worklist` and the `actionable` key: a value given to the
flag, control and bidi characters in the options beside it, an office kind nobody wrote,
the calendar on standard output. One clear line (or plain data), nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from amudesk.cli import main
from amudesk.models import Office
from amudesk.services.desk import open_desk
from tests.adversarial.common import REFERENCE, one_line, run, snapshot
from tests.keys import PASSPHRASE


@pytest.mark.parametrize("value", ["yes", "", "=1", "\u202eevil", "x" * 100_000])
def test_the_flag_takes_no_value(
    capsys: pytest.CaptureFixture[str], desk: Path, value: str
) -> None:
    before = snapshot(desk)
    with pytest.raises(SystemExit) as raised:
        main(["--lang", "en", "--data-dir", str(desk), "deadlines", f"--worklist={value}"])
    out, err = capsys.readouterr()
    assert (raised.value.code, out) == (2, "")
    line = one_line(err)
    assert "--worklist" in line and len(line) < 400 and "\u202e" not in line
    assert snapshot(desk) == before


@pytest.mark.parametrize("on", ["2026-13-01", "\u202e2026-12-07", "2026-12-07\x00", "=1+1"])
def test_a_bad_day_beside_it_is_refused_in_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path, on: str
) -> None:
    before = snapshot(desk)
    code, out, err = run(capsys, desk, "deadlines", "--worklist", "--json", "--on", on)
    assert (code, out) == (2, "")
    line = one_line(err)
    assert "--on" in line and "\u202e" not in line and "\x00" not in line
    assert snapshot(desk) == before


@pytest.mark.parametrize("kind", ["\u202ecpas", "'; DROP TABLE office; --", "=cmd|'/c calc'!A0"])
def test_an_office_kind_nobody_wrote_counts_as_no_profile(
    capsys: pytest.CaptureFixture[str], desk: Path, kind: str
) -> None:
    """Written into the database behind the desk's back: the worklist is what a desk
    without a profile acts on (every running limit but the provider's), never an error."""
    store = open_desk(desk, passphrase=PASSPHRASE)
    try:
        with store.transaction() as session:
            office = session.get(Office, 1)
            assert office is not None
            office.kind = kind
            session.add(office)
    finally:
        store.close()
    code, out, err = run(capsys, desk, "deadlines", "--worklist", "--json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert records and all(r["reference"] == REFERENCE for r in records)
    assert all(r["actionable"] and r["actor"] != "provider" for r in records)


def test_the_calendar_of_the_worklist_on_standard_output_is_only_the_calendar(
    capsys: pytest.CaptureFixture[str], desk: Path
) -> None:
    code, out, err = run(capsys, desk, "deadlines", "--worklist", "--ics", "-")
    assert code == 0
    assert out.startswith("BEGIN:VCALENDAR") and out.rstrip().endswith("END:VCALENDAR")
    assert err == "" and "Dupont" not in out and "Marie" not in out
