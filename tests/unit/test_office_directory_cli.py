"""``amudesk office`` per language and ``amudesk directory``: the happy paths, and every bad
input answered by one line on stderr and status 2, with nothing written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from amudesk.models import AuditEntry, Office
from amudesk.services import directory
from amudesk.services.desk import open_desk
from amudesk.services.spreadsheet import SpreadsheetError
from tests.keys import FAST_KDF, PASSPHRASE
from tests.unit.test_close_cli import run

LONG = "x" * 5000


def _office(data_dir: Path) -> Office:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            office = session.scalar(select(Office))
            assert office is not None
            return office
    finally:
        store.close()


def _audit(data_dir: Path) -> list[tuple[str, str, str]]:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            return [
                (e.action, e.entity, e.detail)
                for e in session.scalars(select(AuditEntry).order_by(col(AuditEntry.id)))
                if e.entity in ("office", "cpas")
            ]
    finally:
        store.close()


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


@pytest.fixture
def named(capsys: pytest.CaptureFixture[str], data_dir: Path) -> Path:
    assert run(capsys, data_dir, "office", "set", "name", "CPAS de Bruxelles")[0] == 0
    return data_dir


# --- office ------------------------------------------------------------------------------


def test_office_set_per_language_and_show(capsys: pytest.CaptureFixture[str], named: Path) -> None:
    steps = [
        (("name", "OCMW Brussel", "--lang", "nl"), "name (nl) is now OCMW Brussel."),
        (("address", "Rue Haute 298a\n1000 Bruxelles", "--lang", "fr"), "address (fr)"),
        (("address", "Hoogstraat 298a\n1000 Brussel", "--lang", "nl"), "address (nl)"),
        (("title", "Assistante sociale"), "title is now Assistante sociale."),
        (("title", "Maatschappelijk werker", "--lang", "nl"), "title (nl)"),
        (("court", "Tribunal du travail francophone de Bruxelles"), "court is now"),
        (("court", "Nederlandstalige arbeidsrechtbank Brussel", "--lang", "nl"), "court (nl)"),
        (("signatory", "Zoë Van den Bossche"), "signatory is now Zoë Van den Bossche."),
    ]
    for args, said in steps:
        code, out, err = run(capsys, named, "office", "set", *args)
        assert (code, err) == (0, ""), err
        assert said in out
    office = _office(named)
    assert office.name == "CPAS de Bruxelles" and office.name_nl == "OCMW Brussel"
    assert office.localised("name", "fr") == "CPAS de Bruxelles"
    assert office.localised("name", "nl") == "OCMW Brussel"
    assert office.localised("address", "nl") == "Hoogstraat 298a\n1000 Brussel"
    assert office.localised("signatory_title", "fr") == "Assistante sociale"
    assert office.localised("signatory_title", "nl") == "Maatschappelijk werker"
    assert office.court_for("nl") == "Nederlandstalige arbeidsrechtbank Brussel"
    assert office.court_for("fr") == "Tribunal du travail francophone de Bruxelles"
    assert office.signatory_name == "Zoë Van den Bossche"

    shown = json.loads(run(capsys, named, "office", "show", "--json")[1])
    assert shown["name"] == "CPAS de Bruxelles" and shown["name-nl"] == "OCMW Brussel"
    assert shown["name-fr"] == "" and shown["court-nl"].startswith("Nederlandstalige")
    assert shown["address-fr"] == "Rue Haute 298a\n1000 Bruxelles"
    assert shown["title-nl"] == "Maatschappelijk werker"
    assert shown["signatory"] == "Zoë Van den Bossche"
    code, out, _err = run(capsys, named, "office", "show")
    assert code == 0
    assert "name-nl" in out and "OCMW Brussel" in out
    assert "Hoogstraat 298a / 1000 Brussel" in out


def test_office_set_per_language_is_audited(
    capsys: pytest.CaptureFixture[str], named: Path
) -> None:
    before = _audit(named)
    assert run(capsys, named, "office", "set", "name", "OCMW Brussel", "--lang", "nl")[0] == 0
    assert _audit(named)[len(before) :] == [("edit", "office", "fields=name_nl")]
    # The same value again changes nothing, and records nothing.
    assert run(capsys, named, "office", "set", "name", "OCMW Brussel", "--lang", "nl")[0] == 0
    assert len(_audit(named)) == len(before) + 1


@pytest.mark.parametrize(
    ("args", "column", "value"),
    [
        (("labour-court-address-nl", "Arbeidsrechtbank Brussel"), "labour_court_address_nl", None),
        (("labour-court-address", "Tribunal du travail"), "labour_court_address", None),
        (("signatory-name", "Camille Exemple"), "signatory_name", None),
        (("signatory-title", "Directrice"), "signatory_title", None),
        (("labour-court-address-nl", "Arbeidsrechtbank", "--lang", "nl"), "", None),
    ],
)
def test_the_old_field_names_still_work(
    capsys: pytest.CaptureFixture[str], named: Path, args: tuple[str, ...], column: str, value: Any
) -> None:
    code, _out, err = run(capsys, named, "office", "set", *args)
    assert (code, err) == (0, "")
    column = column or "labour_court_address_nl"
    assert getattr(_office(named), column) == args[1]


@pytest.mark.parametrize(
    "field", ["kind", "phone", "email", "bce", "signatory", "document-language", "signatory-name"]
)
def test_lang_on_a_field_the_same_in_every_language_is_refused(
    capsys: pytest.CaptureFixture[str], named: Path, field: str
) -> None:
    before = run(capsys, named, "office", "show", "--json")[1]
    code, out, err = run(capsys, named, "office", "set", field, "cpas", "--lang", "nl")
    assert code == 2 and out == ""
    line = one_line(err)
    assert field.split("-")[0] in line and "--lang" in line
    assert run(capsys, named, "office", "show", "--json")[1] == before


def test_lang_contradicting_an_old_name_is_refused(
    capsys: pytest.CaptureFixture[str], named: Path
) -> None:
    code, out, err = run(
        capsys, named, "office", "set", "labour-court-address-nl", "Tribunal", "--lang", "fr"
    )
    assert code == 2 and out == "" and "labour-court-address-nl" in one_line(err)
    code, out, err = run(capsys, named, "office", "set", "name", "Office", "--lang", "en")
    assert code == 2 and out == "" and "--lang" in one_line(err)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("name", "OCMW\u202eBrussel", "--lang", "nl"), "Name of the office (Dutch)"),
        (("address", "Rue\x1b[2J Haute", "--lang", "fr"), "Address (French)"),
        (("title", "T" * 201, "--lang", "nl"), "Signatory's title (Dutch)"),
        (("court", LONG, "--lang", "fr"), "Labour court (French)"),
        (("court", "Rechtbank\u2066", "--lang", "nl"), "Labour court (Dutch)"),
        (("court", "中文法院"), "Labour court"),
        (("phone", "02\u200b600"), "Phone"),
        (("email", "amu@cpas.example\u202e"), "E-mail"),
        (("signatory", "Zoë\x00"), "Signatory"),
        (("bce", "0123.456.789"), "BCE"),
        (("name", "", "--lang", "nl"), None),  # empty: Dutch documents print the plain name
    ],
)
def test_bad_office_values_say_one_line_naming_the_field(
    capsys: pytest.CaptureFixture[str], named: Path, args: tuple[str, ...], expected: str | None
) -> None:
    before = run(capsys, named, "office", "show", "--json")[1]
    code, out, err = run(capsys, named, "office", "set", *args)
    if expected is None:
        assert (code, err) == (0, "")
        assert run(capsys, named, "office", "show", "--json")[1] == before
        return
    assert code == 2 and out == ""
    line = one_line(err)
    assert expected in line, line
    assert not any(char in line for char in "\u202e\u2066\x1b\x00\u200b")
    assert len(line) < 400
    assert run(capsys, named, "office", "show", "--json")[1] == before


def test_office_set_lang_starts_a_profile_only_with_a_name(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    code, out, err = run(capsys, data_dir, "office", "set", "name", "OCMW Brussel", "--lang", "nl")
    assert code == 2 and "Name of the office" in one_line(err)
    assert json.loads(run(capsys, data_dir, "office", "show", "--json")[1])["set"] is False


# --- directory ---------------------------------------------------------------------------


def _directory(capsys: pytest.CaptureFixture[str], data_dir: Path) -> list[dict[str, str]]:
    code, out, err = run(capsys, data_dir, "directory", "show", "--json")
    assert (code, err) == (0, "")
    entries = json.loads(out)
    assert isinstance(entries, list)
    return entries


def _entry(entries: list[dict[str, str]], commune: str) -> dict[str, str]:
    return next(e for e in entries if e["commune_fr"] == commune)


def test_directory_show_lists_the_19_cpas_without_contacts(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    entries = _directory(capsys, data_dir)
    assert len(entries) == 19
    # The seed ships no contact: none could be checked at a source.
    assert all(not e[key] for e in entries for key in ("address", "address_nl", "phone", "email"))
    code, out, _err = run(capsys, data_dir, "directory", "show")
    assert code == 0
    assert "CPAS de Saint-Gilles / OCMW Sint-Gillis" in out
    assert out.count("(no contacts yet)") == 19


GOOD = (
    "\ufeffNom;Téléphone;E-mail;Contact DMH;Adresse;Adres NL\n"
    'Saint-Gilles;02 600 54 11;amu@cpas-stgilles.example;Service AMU;"Rue Fernand Bernier 40\n'
    '1060 Saint-Gilles";"Fernand Bernierstraat 40\n1060 Sint-Gillis"\n'
    "OCMW Jette;+32 2 422 46 11;;;;\n"
    "\n"
    "CPAS d'Ixelles;;dmh@ocmw-elsene.example;;;\n"
)


def test_directory_import_fills_in_the_contacts(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(GOOD, encoding="utf-8")
    assert run(capsys, data_dir, "directory", "show")[0] == 0
    before = _audit(data_dir)
    code, out, err = run(capsys, data_dir, "directory", "import", str(path))
    assert (code, err) == (0, ""), err
    assert out == "3 CPAS updated, out of 3 in the file.\n"
    entries = _directory(capsys, data_dir)
    gilles = _entry(entries, "Saint-Gilles")
    assert gilles["phone"] == "02 600 54 11" and gilles["amu_contact"] == "Service AMU"
    assert gilles["address"] == "Rue Fernand Bernier 40\n1060 Saint-Gilles"
    assert gilles["address_nl"] == "Fernand Bernierstraat 40\n1060 Sint-Gillis"
    assert _entry(entries, "Jette")["phone"] == "+32 2 422 46 11"
    assert _entry(entries, "Ixelles")["email"] == "dmh@ocmw-elsene.example"
    added = _audit(data_dir)[len(before) :]
    assert ("import", "cpas", "contacts;rows=3;updated=3") in added
    assert ("edit", "cpas", "fields=address,address_nl,amu_contact,email,phone") in added
    code, out, _err = run(capsys, data_dir, "directory", "show")
    assert "Rue Fernand Bernier 40 / 1060 Saint-Gilles" in out
    assert "Address in Dutch" in out and "Fernand Bernierstraat 40 / 1060 Sint-Gillis" in out

    # An empty cell keeps what the directory holds; the same file again changes nothing.
    path.write_text("naam,telefoon\nSint-Gillis,\nJette,02 423 57 11\n", encoding="utf-8")
    assert run(capsys, data_dir, "directory", "import", str(path))[:2] == (
        0,
        "1 CPAS updated, out of 2 in the file.\n",
    )
    entries = _directory(capsys, data_dir)
    assert _entry(entries, "Saint-Gilles")["phone"] == "02 600 54 11"
    assert _entry(entries, "Jette")["phone"] == "02 423 57 11"


HOSTILE_ROWS = [
    ("Saint-Gilles;=cmd|' /C calc'!A0;", "Téléphone"),
    ('Saint-Gilles;;=HYPERLINK("http://x")', "E-mail"),
    ("Saint-Gilles;;@SUM(A1)", "E-mail"),
    ("Saint-Gilles;-2+3;", "Téléphone"),
    ("Saint-Gilles;02 600\u202e54 11;", "Téléphone"),
    ("Saint-Gilles;;amu@cpas.example\u2066", "E-mail"),
    ("Saint-Gilles;02\x07600 54 11;", "Téléphone"),
    ("Saint-Gilles;02\x00600 54 11;", "Téléphone"),
    ("Saint-Gilles;" + "0" * 5000 + ";", "Téléphone"),
    ("Saint-Gilles;;" + "a" * 300 + "@cpas.example", "E-mail"),
    ("Saint-Gilles;abc;", "Téléphone"),
    ("Saint-Gilles;12;", "Téléphone"),
    ("Saint-Gilles;;not-an-address", "E-mail"),
    ("Atlantis;02 600 54 11;", "Nom"),
    ("Woluwe;02 600 54 11;", "Nom"),  # Saint-Lambert or Saint-Pierre?
    ("=Saint-Gilles;02 600 54 11;", "Nom"),
    (";02 600 54 11;", "Nom"),
    ("Saint-Gilles;02 600 54 11;;surplus", "column 4"),
]


@pytest.mark.parametrize(("row", "column"), HOSTILE_ROWS)
def test_a_hostile_row_is_refused_naming_its_line_and_column(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, row: str, column: str
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(f"Nom;Téléphone;E-mail\nJette;02 423 57 11;\n{row}\n", encoding="utf-8")
    before, trail = _directory(capsys, data_dir), _audit(data_dir)
    code, out, err = run(capsys, data_dir, "directory", "import", str(path))
    assert code == 2
    line = one_line(err)
    assert "nothing was written" in line and f"line 3: {column}:" in line, line
    assert not any(char in line for char in "\u202e\u2066\x07")
    assert len(line) < 1000
    assert out.startswith(f"line 3: {column}:")
    assert _directory(capsys, data_dir) == before and _audit(data_dir) == trail


def test_a_duplicate_row_names_the_first(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "cpas,phone\nSaint-Gilles,02 600 54 11\nJette,02 423 57 11\nOCMW Sint-Gillis,02 1\n",
        encoding="utf-8",
    )
    before = _directory(capsys, data_dir)
    code, out, err = run(capsys, data_dir, "directory", "import", str(path))
    assert code == 2
    assert "line 4: cpas: CPAS de Saint-Gilles is already on line 2" in one_line(err)
    # Every problem of the row on stdout: the duplicate and its short phone number.
    assert out.count("\n") == 2 and "line 4: phone:" in out
    assert _directory(capsys, data_dir) == before


def test_every_bad_row_is_reported(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text(
        "cpas;phone;email\n"
        "Saint-Gilles;02 600 54 11;ok@cpas.example\n"
        "Atlantis;;\n"
        "Jette;=1+1;\n"
        "Ixelles;;@x\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, data_dir, "directory", "import", str(path))
    assert code == 2 and "3 rows have problems" in one_line(err)
    assert [line.split(":")[0] for line in out.splitlines()] == ["line 3", "line 4", "line 5"]
    assert not _entry(_directory(capsys, data_dir), "Saint-Gilles")["phone"]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.csv", None, "File not found"),
        ("contacts.xlsx", b"PK\x03\x04 not a workbook", "choose a .csv file"),
        ("contacts.csv", "Nom;Téléphone\nSaint-Gilles;02 600 54 11\n".encode("cp1252"), "UTF-8"),
        ("contacts.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "UTF-8"),
        ("contacts.csv", b"", "empty"),
        ("contacts.csv", b"Once upon a time, there was a CPAS.\n", "unknown columns"),
        ("contacts.csv", b"phone;email\n02 600 54 11;\n", "column cpas"),
        ("contacts.csv", b"cpas\nJette\n", "no column of contacts"),
        ("contacts.csv", b"cpas;phone;telefoon\nJette;1;2\n", "two columns"),
        ("contacts.csv", b'cpas;phone\nJette;"02 423\n' + b"x" * 200_000, "line 2"),
        ("contacts.csv", b"cpas;phone\n" + b"Jette;02 423 57 11\n" * 60_000, "1 MB"),
    ],
)
def test_a_file_that_cannot_be_used_is_one_line(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    name: str,
    content: bytes | None,
    expected: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    before, trail = _directory(capsys, data_dir), _audit(data_dir)
    code, out, err = run(capsys, data_dir, "directory", "import", str(path))
    assert code == 2 and out == ""
    assert expected in one_line(err), err
    assert _directory(capsys, data_dir) == before and _audit(data_dir) == trail


def test_the_service_reads_text_and_reports_every_cell(data_dir: Path) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.transaction() as session:
            report = directory.import_contacts(
                "naam,contact_amu,adres,telefoon,courriel,kbo\n"
                "Schaerbeek,\u202eX,Rue 1,x,y,0123.456.789\n",
                session=session,
            )
            assert report.bad_lines == [2] and not report.written
            fields = [problem.field for problem in report.problems]
            assert fields == ["contact_amu", "telefoon", "courriel", "kbo"]
        with (
            pytest.raises(SpreadsheetError, match="column cpas"),
            store.transaction() as session,
        ):
            directory.import_contacts("adres\nx\n", session=session)
    finally:
        store.close()
