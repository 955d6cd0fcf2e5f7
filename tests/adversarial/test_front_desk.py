"""Hostile cases for what the front desk and the statistics let in: the import's new
columns, the Latin spelling and the urgency of the forms' services, and the options of
`amudesk stats`, `office set --lang` and `directory import`. Each ends in one clear line
(or a FieldError naming the field) and leaves the data folder as it was."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session, select

from amudesk.models import Person, Request
from amudesk.services import FieldError, cases, filing, people
from amudesk.services.cases import RequestData
from tests.adversarial.common import one_line, run, snapshot

WIDE = "family_name,given_names,cpas,filed_on,latin_name,urgent,urgent_reason,channel,status\n"


def sheet(tmp_path: Path, row: str) -> Path:
    path = tmp_path / "rows.csv"
    path.write_text(WIDE + row + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "column"),
    [
        ("Ivanova,Olga,Ixelles,2026-11-02,IVANOVA\u202e Olga,,,,", "latin_name"),  # bidi
        ("Ivanova,Olga,Ixelles,2026-11-02,IVA\x1bNOVA,,,,", "latin_name"),  # control
        (f"Ivanova,Olga,Ixelles,2026-11-02,{'I' * 5000},,,,", "latin_name"),  # huge
        ("Ivanova,Olga,Ixelles,2026-11-02,Иванова,,,,", "latin_name"),  # not Latin
        ("Ivanova,Olga,Ixelles,2026-11-02,,maybe,,,", "urgent"),  # wrong type
        ("Ivanova,Olga,Ixelles,2026-11-02,,yes,=HYPERLINK(1),,", "urgent_reason"),  # formula
        ("Ivanova,Olga,Ixelles,2026-11-02,,yes,,,", "urgent_reason"),  # empty reason
        ("Ivanova,Olga,Ixelles,2026-11-02,,,,pigeon,", "channel"),  # unknown
        ("Ivanova,Olga,Ixelles,2026-11-02,,,,,preparing", "status"),  # preparing with a date
        ("Ivanova,Olga,,,,,,,filed\u202e", "status"),  # bidi
    ],
)
def test_an_import_row_with_a_hostile_new_column_is_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path, row: str, column: str
) -> None:
    before = snapshot(desk)
    code, _out, err = run(capsys, desk, "import", str(sheet(tmp_path, row)))
    assert code == 2
    assert "Traceback" not in err
    assert column in err
    assert snapshot(desk) == before


@pytest.mark.parametrize(
    "latin",
    ["IVANOVA\u202e Olga", "IVA\x00NOVA", "I" * 401, "Иванова Ольга", "\u200b\u200b"],
)
def test_the_person_form_refuses_a_hostile_latin_spelling(session: Session, latin: str) -> None:
    data = people.PersonData(family_name="Иванова", given_names="Ольга", latin_name=latin)
    with pytest.raises(FieldError) as caught:
        people.save_person(data, session=session)
    assert caught.value.field == "latin_name"
    assert session.scalar(select(Person)) is None


@pytest.mark.parametrize("reason", [None, "", "a broken leg", "=1+1", 7])
def test_an_urgent_request_refuses_a_reason_that_is_not_a_category(
    session: Session, reason: object
) -> None:
    person = people.save_person(
        people.PersonData(family_name="Dupont", given_names="Marie"), session=session
    )
    data = RequestData(person_id=person.id, preparing=True, urgent=True, urgent_reason=reason)  # type: ignore[arg-type]
    with pytest.raises(FieldError) as caught:
        cases.register_request(data, session=session)
    assert caught.value.field == "urgent_reason"
    assert session.scalar(select(Request)) is None


def test_filing_refuses_a_moment_in_the_future_and_leaves_the_request_prepared(
    session: Session,
) -> None:
    person = people.save_person(
        people.PersonData(family_name="Dupont", given_names="Marie"), session=session
    )
    request = cases.register_request(
        RequestData(person_id=person.id, preparing=True), session=session
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=400)
    with pytest.raises(FieldError) as caught:
        filing.file_request(request.id or 0, cpas_id=1, received_at=later, session=session)
    assert caught.value.field == "received_at"
    session.refresh(request)
    assert request.status == "preparing" and request.received_at is None


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--from", "2026-13-40"], "--from"),  # wrong type
        (["--from", ""], "--from"),  # empty
        (["--from", "9" * 5000], "--from"),  # huge
        (["--to", "2026-01-01\u202e"], "--to"),  # bidi
        (["--from", "2026-06-01", "--to", "2026-01-01"], "--to"),  # backwards
        (["--merge", "/nonexistent/a.csv"], "a.csv"),  # a file that is not there
    ],
)
def test_hostile_statistics_options_are_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path, args: list[str], named: str
) -> None:
    before = snapshot(desk)
    code, _out, err = run(capsys, desk, "stats", *args)
    assert code == 2
    assert named in one_line(err)
    assert snapshot(desk) == before


def test_a_formula_for_the_grouping_is_refused_by_the_parser(
    capsys: pytest.CaptureFixture[str], desk: Path
) -> None:
    before = snapshot(desk)
    with pytest.raises(SystemExit) as raised:
        run(capsys, desk, "stats", "--by", "=cmd|' /C calc'!A0")
    assert raised.value.code == 2
    assert "--by" in capsys.readouterr().err
    assert snapshot(desk) == before


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["office", "set", "name", "Accueil\u202e", "--lang", "nl"], "name"),
        (["office", "set", "phone", "02 000 00 00", "--lang", "nl"], "phone"),
        (["office", "set", "court", "x" * 5000, "--lang", "fr"], "court"),
        (["directory", "import", "/nonexistent/contacts.csv"], "contacts.csv"),
    ],
)
def test_hostile_office_and_directory_commands_are_one_line(
    capsys: pytest.CaptureFixture[str], desk: Path, args: list[str], named: str
) -> None:
    before = snapshot(desk)
    code, _out, err = run(capsys, desk, *args)
    assert code == 2
    assert named.lower() in one_line(err).lower()
    assert snapshot(desk) == before


def test_a_contacts_file_inside_the_data_folder_changes_nothing(
    capsys: pytest.CaptureFixture[str], desk: Path
) -> None:
    before = snapshot(desk)
    code, _out, err = run(capsys, desk, "directory", "import", str(desk / "amudesk.sqlite3"))
    assert code == 2 and "amudesk.sqlite3" in one_line(err)
    assert snapshot(desk) == before


@pytest.mark.parametrize(
    "cell",
    [
        "Sint-Joostplein 13\u202e",  # bidi
        "Sint-Joost\x1bplein 13",  # control
        "Sint-Joostplein " * 40,  # huge: past 500 characters
        '=HYPERLINK("http://x")',  # formula
        "+32 Sint-Joostplein",  # formula by its first character
        "Sint-Joostplein\u200b13",  # invisible
    ],
)
def test_a_hostile_address_in_dutch_in_a_contacts_file_changes_nothing(
    capsys: pytest.CaptureFixture[str], desk: Path, tmp_path: Path, cell: str
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(f'Naam;Adres NL\nJette;Kardinaal Mercierplein 1\nSint-Joost;"{cell}"\n')
    before = snapshot(desk)
    code, out, err = run(capsys, desk, "directory", "import", str(path))
    line = one_line(err)
    assert code == 2 and "line 3: Adres NL:" in line and "nothing was written" in line, line
    assert not any(char in line for char in "\u202e\x1b\u200b") and len(line) < 1000
    assert out.startswith("line 3: Adres NL:")
    assert snapshot(desk) == before
