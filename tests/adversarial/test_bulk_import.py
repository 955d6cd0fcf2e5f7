"""Hostile rows through the import on both engines: on PostgreSQL the rows go in with COPY
(amudesk.services.bulkrows), on SQLite with INSERT; either way a file with a bad row gets
one line per bad row naming the field and writes nothing, and the hostile values a form
would accept (a formula, a tab, a backslash, another script) are stored as typed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from amudesk.models import Appeal, AuditEntry, Person
from amudesk.services.importing import import_file
from tests.unit.test_spreadsheet import counts, row, write_csv

pytestmark = pytest.mark.both_engines

NGUYEN = row(family_name="Nguyễn", given_names="Thị Lan")
FORMULA = row(family_name='=HYPERLINK("http://x")', given_names="Ann")
BIDI = row(family_name="Diallo\u202eevil", given_names="Awa")
TAB = row(family_name="Tab\there", given_names="Awa")
HUGE = row(family_name="x" * 5000, given_names="Awa")
EMPTY = row(family_name="", given_names="Awa")
NOT_A_DATE = row(family_name="Okafor", given_names="Ada", filed_on="not a date")
HUGE_YEAR = row(family_name="Okafor", given_names="Ada", filed_on="99999-01-01")
BACKSLASH = row(family_name="Back\\slash O'Brien", given_names="Seán")
CYRILLIC = row(
    family_name="Иванова-Константинопольская",
    given_names="Ольга",
    appeal_court="@SUM(A1)",
    appeal_filed_on="2025-04-01",
)


def test_a_file_with_hostile_rows_names_each_and_writes_nothing(store: Any, tmp_path: Path) -> None:
    rows = [NGUYEN, FORMULA, BIDI, TAB, HUGE, EMPTY, NOT_A_DATE, HUGE_YEAR, BACKSLASH, CYRILLIC]
    report = import_file(write_csv(tmp_path / "hostile.csv", rows), store=store)
    assert report.imported == 0
    assert {p.line: p.field for p in report.problems} == {
        4: "family_name",  # the bidi override
        6: "family_name",  # 5,000 characters
        7: "family_name",  # empty
        8: "filed_on",
        9: "filed_on",
    }
    for problem in report.problems:
        line = problem.describe()
        assert "\n" not in line and "\u202e" not in line and len(line) < 300, line
    assert counts(store) == (0, 0, 0)
    with store.session() as session:
        imports = select(func.count()).where(AuditEntry.action == "import")
        assert session.scalar(imports) == 0


def test_the_hostile_values_a_form_accepts_are_stored_as_typed(store: Any, tmp_path: Path) -> None:
    rows = [NGUYEN, FORMULA, TAB, BACKSLASH, CYRILLIC]
    report = import_file(write_csv(tmp_path / "accepted.csv", rows), store=store)
    assert (report.imported, report.problems) == (5, [])
    with store.session() as session:
        names = [
            (p.family_name, p.given_names, p.search_text)
            for p in session.scalars(select(Person).order_by(Person.id))
        ]
        courts = [(a.court, a.filed_on) for a in session.scalars(select(Appeal))]
    assert names == [
        ("Nguyễn", "Thị Lan", "nguyen thi lan"),
        ('=HYPERLINK("http://x")', "Ann", "hyperlink http x ann"),
        ("Tab here", "Awa", "tab here awa"),  # a tab is a space in a name
        ("Back\\slash O'Brien", "Seán", "back slash o brien sean"),
        ("Иванова-Константинопольская", "Ольга", "ivanova konstantinopol skaya ol ga"),
    ]
    assert courts == [("@SUM(A1)", dt.date(2025, 4, 1))]
