"""The import in the user's words: headers in French, Dutch or English, a mapping for the
others (remembered per layout), and the front desk's columns (names in Latin letters,
channel, urgency, transfer, requests being prepared)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from amudesk.cli import main
from amudesk.models import Decision, Person, Request
from amudesk.services import importing
from amudesk.services.desk import open_desk
from amudesk.services.exporting import export_file
from amudesk.services.importing import UnknownColumns, import_file
from amudesk.services.spreadsheet import (
    COLUMNS,
    HEADER_ALIASES,
    HEADER_INDEX,
    IGNORE,
    SpreadsheetError,
    fold_header,
    header_index,
)
from amudesk.settings import Settings, load_settings
from tests.keys import FAST_KDF, PASSPHRASE

pytestmark = pytest.mark.both_engines


def write_rows(path: Path, rows: list[list[str]], *, delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def write_dicts(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return write_rows(path, [columns, *[[row.get(c, "") for c in columns] for row in rows]])


def row(**values: str) -> dict[str, str]:
    return {
        "family_name": "Diallo",
        "given_names": "Aminata",
        "cpas": "Saint-Gilles",
        "filed_on": "2025-03-10",
        **values,
    }


def count(store: Any, model: type[Any]) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def requests(store: Any) -> list[Request]:
    with store.session() as session:
        return list(session.scalars(select(Request).order_by(Request.id)))  # type: ignore[arg-type]


def people(store: Any) -> list[Person]:
    with store.session() as session:
        return list(session.scalars(select(Person).order_by(Person.id)))  # type: ignore[arg-type]


def cpas_id(store: Any, name: str) -> int:
    from amudesk.services.directory import find_cpas

    with store.session() as session:
        found = find_cpas(name, session=session)
        assert found is not None and found.id is not None
        return found.id


# --- the alias table ---------------------------------------------------------------------


def test_every_column_has_its_aliases_and_no_alias_means_two_columns() -> None:
    assert set(HEADER_ALIASES) == set(COLUMNS)
    seen: dict[str, str] = {}
    for column, names in HEADER_ALIASES.items():
        for name in (column, *names):
            key = fold_header(name)
            assert key, name
            assert seen.setdefault(key, column) == column, (name, seen[key], column)
    assert seen == HEADER_INDEX
    assert IGNORE not in HEADER_INDEX


def test_a_colliding_alias_table_is_refused() -> None:
    with pytest.raises(ValueError, match="family_name"):
        header_index({"family_name": ("Nom",), "given_names": ("NOM",)})


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("nom", "family_name"),
        ("Nom de famille", "family_name"),
        ("NAAM", "family_name"),
        ("prénom", "given_names"),
        ("Prenom", "given_names"),
        ("Voornaam", "given_names"),
        ("date de la demande", "filed_on"),
        ("Date_de_la_demande", "filed_on"),
        ("datum-aanvraag", "filed_on"),
        ("Date de naissance", "birth_date"),
        ("geboortedatum", "birth_date"),
        ("NISS", "niss"),
        ("Rijksregisternummer", "niss"),
        ("Numéro de registre national", "niss"),
        ("OCMW", "cpas"),
        ("décision", "decision"),
        ("nom_latin", "latin_name"),
        ("Latijnse naam", "latin_name"),
        ("urgence", "urgent"),
        ("motif d'urgence", "urgent_reason"),
        ("Transmise à", "transferred_to"),
        ("doorgestuurd op", "transferred_on"),
        ("statut", "status"),
        ("canal", "channel"),
        ("family_name", "family_name"),
        ("Family Name", "family_name"),
    ],
)
def test_headers_are_read_in_french_dutch_and_english(header: str, column: str) -> None:
    assert HEADER_INDEX[fold_header(header)] == column


def test_a_file_in_french_and_one_in_dutch_are_imported(store: Any, tmp_path: Path) -> None:
    french = write_rows(
        tmp_path / "fr.csv",
        [
            [
                "Nom",
                "Prénom",
                "Date de naissance",
                "CPAS",
                "Date de la demande",
                "Décision",
                "Date de la décision",
            ],
            [
                "Diallo",
                "Aminata",
                "1990-02-03",
                "Saint-Gilles",
                "2025-03-10",
                "refusal",
                "2025-03-20",
            ],
        ],
        delimiter=";",
    )
    dutch = write_rows(
        tmp_path / "nl.csv",
        [
            [
                "naam",
                "voornaam",
                "geboortedatum",
                "ocmw",
                "datum aanvraag",
                "kanaal",
                "dringend",
                "urgent_reason",
            ],
            [
                "Peeters",
                "Jan",
                "1980",
                "Sint-Gillis",
                "2025-04-01 09:30",
                "per post",
                "ja",
                "hospital",
            ],
        ],
    )
    assert import_file(french, store=store).problems == []
    assert import_file(dutch, store=store).problems == []
    first, second = requests(store)
    assert [p.family_name for p in people(store)] == ["Diallo", "Peeters"]
    assert first.status == "refused" and count(store, Decision) == 1
    assert (second.channel, second.urgent) == ("post", True)


# --- hostile headers ------------------------------------------------------------------------


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\x1b", "\u200b", "\x07"])
def test_a_header_with_a_bidi_or_control_character_is_refused(
    store: Any, tmp_path: Path, char: str
) -> None:
    path = write_rows(
        tmp_path / "r.csv",
        [[f"no{char}m", "prénom", "cpas", "filed_on"], ["Diallo", "A", "Evere", "2025-01-02"]],
    )
    with pytest.raises(SpreadsheetError, match="invisible character U\\+") as raised:
        import_file(path, store=store)
    assert char not in str(raised.value)
    assert count(store, Request) == 0


def test_headers_the_same_once_folded_are_refused_naming_both(store: Any, tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "r.csv",
        [["Nom", "nom", "prénom", "cpas", "filed_on"], ["A", "B", "C", "Evere", "2025-01-02"]],
    )
    with pytest.raises(SpreadsheetError, match="“Nom” and “nom” are both the column family_name"):
        import_file(path, store=store)
    path = write_rows(
        tmp_path / "s.csv",
        [["naam", "family_name", "prénom", "cpas", "filed_on"], ["A", "B", "C", "Evere", "2025"]],
    )
    with pytest.raises(SpreadsheetError, match="“naam” and “family_name”"):
        import_file(path, store=store)


def test_a_huge_header_is_named_briefly(store: Any, tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "r.csv",
        [["x" * 100_000, *row()], ["1", *row().values()]],
    )
    with pytest.raises(UnknownColumns) as raised:
        import_file(path, store=store)
    assert len(str(raised.value)) < 2000
    assert raised.value.unknown == ["x" * 100_000]


# --- the mapping ----------------------------------------------------------------------------


def unknown_file(tmp_path: Path) -> Path:
    return write_rows(
        tmp_path / "r.csv",
        [
            ["Achternaam van de patiënt", "Roepnaam", "Zorgverlener", "cpas", "filed_on"],
            ["Diallo", "Aminata", "Dr Who", "Evere", "2025-01-02"],
        ],
    )


def test_unknown_headers_are_named_and_a_mapping_imports_them(store: Any, tmp_path: Path) -> None:
    path = unknown_file(tmp_path)
    with pytest.raises(UnknownColumns) as raised:
        import_file(path, store=store)
    assert raised.value.unknown == ["Achternaam van de patiënt", "Roepnaam", "Zorgverlener"]
    assert raised.value.headers[-2:] == ["cpas", "filed_on"]
    mapping = {
        "achternaam van de patient": "nom",  # folded both sides; a column by any of its names
        "Roepnaam": "given_names",
        "Zorgverlener": IGNORE,
    }
    report = import_file(path, store=store, mapping=mapping)
    assert (report.imported, report.problems) == (1, [])
    (person,) = people(store)
    assert (person.family_name, person.given_names) == ("Diallo", "Aminata")


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"Roepnaam": "nickname"}, "“Roepnaam” is given the column “nickname”"),
        (
            {"Roepnaam": "given_names", "Zorgverlener": "prénom"},
            "“Zorgverlener” and “Roepnaam” are both given the column given_names",
        ),
        ({"Roepnaam": "given_names", "ROEPNAAM": IGNORE}, "“ROEPNAAM” is mapped twice"),
        ({"Voornaam": "given_names"}, "the file has no column “Voornaam”"),
        ({"=HYPERLINK(1)": "given_names"}, "the file has no column “=HYPERLINK\\(1\\)”"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_header(
    store: Any, tmp_path: Path, mapping: dict[str, str], message: str
) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        import_file(unknown_file(tmp_path), store=store, mapping=mapping)
    assert count(store, Request) == 0


def test_a_mapping_onto_a_column_the_file_has_is_refused(store: Any, tmp_path: Path) -> None:
    mapping = {"Achternaam van de patiënt": "family_name", "Roepnaam": "cpas"}
    mapping["Zorgverlener"] = IGNORE
    with pytest.raises(SpreadsheetError, match="“Roepnaam” and “cpas” are both the column cpas"):
        import_file(unknown_file(tmp_path), store=store, mapping=mapping)


def test_the_mapping_is_remembered_per_layout_without_the_headers(tmp_path: Path) -> None:
    from amudesk.settings import save_settings

    headers = ["Achternaam", "Roepnaam", "cpas", "filed_on"]
    settings = Settings()
    importing.remember_mapping(
        settings.extra, headers, {"Achternaam": "family_name", "Roepnaam": "given_names"}
    )
    save_settings(settings, tmp_path)
    text = (tmp_path / "settings.json").read_text(encoding="utf-8")
    assert "Achternaam" not in text and "achternaam" not in text
    extra = load_settings(tmp_path).extra
    # The same headers, in another order and case: the same layout.
    assert importing.remembered_mapping(extra, ["FILED_ON", "roepnaam", "CPAS", "ACHTERNAAM"]) == {
        "roepnaam": "given_names",
        "ACHTERNAAM": "family_name",
    }
    assert importing.remembered_mapping(extra, ["Achternaam", "Roepnaam", "cpas"]) == {}
    for number in range(importing.REMEMBERED_LAYOUTS + 5):
        importing.remember_mapping(extra, [f"h{number}"], {f"h{number}": IGNORE})
    layouts = extra[importing.MAPPINGS_SETTING]
    assert isinstance(layouts, dict) and len(layouts) == importing.REMEMBERED_LAYOUTS
    assert importing.remembered_mapping(extra, headers) == {}  # the oldest went first
    assert importing.remembered_mapping({"import_mappings": "junk"}, headers) == {}


# --- the new columns -------------------------------------------------------------------------


def test_the_front_desk_columns_are_stored(store: Any, tmp_path: Path) -> None:
    path = write_dicts(
        tmp_path / "r.csv",
        [
            row(
                family_name="Константинопольская",
                given_names="Анна",
                latin_name="KONSTANTINOPOLSKAYA Anna",
                channel="par courrier",
                urgent="oui",
                urgent_reason="Pregnancy",
                decision="incompetent",
                decided_on="2025-03-12",
                transferred_on="2025-03-14",
                transferred_to="OCMW Elsene",
            ),
            row(given_names="Awa", channel="e-mail", urgent="0"),
            row(given_names="Fatou", channel="", urgent="nee"),
        ],
    )
    report = import_file(path, store=store)
    assert [p.describe() for p in report.problems] == []
    first, second, third = requests(store)
    assert people(store)[0].latin_name == "KONSTANTINOPOLSKAYA Anna"
    assert (first.channel, first.urgent, first.urgent_reason) == ("post", True, "pregnancy")
    assert first.transferred_on is not None and first.transferred_on.isoformat() == "2025-03-14"
    assert first.transferred_to_id == cpas_id(store, "Ixelles")
    assert (second.channel, second.urgent, second.urgent_reason) == ("email", False, None)
    assert (third.channel, third.transferred_to_id) == ("in_person", None)


def test_a_request_being_prepared_needs_no_cpas_and_no_date(store: Any, tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "r.csv",
        [
            ["nom", "prénom", "statut", "urgent", "motif d'urgence"],
            ["Diallo", "Aminata", "preparing", "yes", "child"],
            ["Barry", "Alpha", "En préparation", "", ""],
            ["Barry", "Alpha", "in voorbereiding", "", ""],  # the same again: a duplicate
        ],
    )
    report = import_file(path, store=store)
    assert report.problems == [] and report.duplicate_lines == [4]
    first, second = requests(store)
    for request in (first, second):
        assert (request.cpas_id, request.received_at, request.status) == (None, None, "preparing")
        assert request.reference.startswith("AMU-")
    assert (first.urgent, first.urgent_reason) == (True, "child")


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"cpas": "Evere"}, "cpas"),
        ({"filed_on": "2025-01-02"}, "filed_on"),
        ({"decision": "refusal"}, "decision"),
        ({"decided_on": "2025-01-02"}, "decided_on"),
        ({"refusal_reasons": "no-address"}, "refusal_reasons"),
        ({"court_ordered": "yes"}, "court_ordered"),
        ({"appeal_filed_on": "2025-02-02"}, "appeal_filed_on"),
        ({"appeal_outcome": "granted"}, "appeal_outcome"),
        ({"transferred_on": "2025-02-02"}, "transferred_on"),
        ({"transferred_to": "Evere"}, "transferred_to"),
    ],
)
def test_a_request_being_prepared_with_what_only_a_filed_one_has_is_refused(
    store: Any, tmp_path: Path, values: dict[str, str], column: str
) -> None:
    data = {"family_name": "Diallo", "given_names": "A", "status": "preparing", **values}
    report = import_file(write_dicts(tmp_path / "r.csv", [data]), store=store)
    assert [(p.line, p.field) for p in report.problems] == [(2, column)]
    assert "being prepared" in report.problems[0].message
    assert count(store, Request) == 0


def test_every_bad_row_is_reported_and_nothing_is_written(store: Any, tmp_path: Path) -> None:
    path = write_dicts(
        tmp_path / "r.csv",
        [
            row(given_names="Good"),
            row(latin_name="KONSTANTIN\u202eOPOLSKAYA"),
            row(latin_name="X" * 5000),
            row(urgent="perhaps"),
            row(urgent="yes", urgent_reason='=HYPERLINK("http://evil.example","click")'),
            row(urgent_reason="child"),
            row(channel="pigeon"),
            row(status="archived"),
            row(transferred_to="Evere"),
            row(transferred_on="2025-03-12", transferred_to="Atlantis"),
            row(transferred_on="2025-03-12", transferred_to="Saint-Gilles"),
            row(transferred_on="2025-03-01"),
            row(channel="=1+1"),
        ],
    )
    report = import_file(path, store=store)
    assert [(p.line, p.field) for p in report.problems] == [
        (3, "latin_name"),
        (4, "latin_name"),
        (5, "urgent"),
        (6, "urgent_reason"),
        (7, "urgent_reason"),
        (8, "channel"),
        (9, "status"),
        (10, "transferred_to"),
        (11, "transferred_to"),
        (12, "transferred_to"),
        (13, "transferred_on"),
        (14, "channel"),
    ]
    messages = " ".join(p.message for p in report.problems)
    assert "\u202e" not in messages and "X" * 100 not in messages
    assert (count(store, Person), count(store, Request)) == (0, 0)


def test_a_formula_in_a_name_is_kept_as_text_and_exported_neutralised(
    store: Any, tmp_path: Path
) -> None:
    formula = '=HYPERLINK("http://evil.example","click")'
    path = write_dicts(tmp_path / "r.csv", [row(latin_name=formula, given_names="Awa")])
    assert import_file(path, store=store).problems == []
    assert people(store)[0].latin_name == formula
    target = tmp_path / "out.csv"
    export_file(target, store=store)
    exported = next(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert exported["latin_name"] == "'" + formula


# --- the export and back -------------------------------------------------------------------


def test_the_new_columns_go_out_and_come_back(store: Any, tmp_path: Path) -> None:
    path = write_dicts(
        tmp_path / "r.csv",
        [
            row(
                latin_name="NGUYEN Van Hung",
                family_name="Nguyễn",
                given_names="Văn Hùng",
                channel="hospital",
                urgent="yes",
                urgent_reason="hospital",
                decision="incompetent",
                decided_on="2025-03-12",
                transferred_on="2025-03-14",
                transferred_to="Evere",
            ),
            row(
                given_names="Awa",
                status="preparing",
                cpas="",
                filed_on="",
                urgent="1",
                urgent_reason="child",
            ),
            row(given_names="Fatou", transferred_on="2025-03-20"),
        ],
    )
    assert import_file(path, store=store).problems == []
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    export_file(first, store=store)
    lines = list(csv.DictReader(io.StringIO(first.read_text(encoding="utf-8-sig"))))
    assert [
        (
            line["latin_name"],
            line["channel"],
            line["urgent"],
            line["urgent_reason"],
            line["status"],
            line["transferred_on"],
            line["transferred_to"],
            line["cpas"],
            line["filed_on"],
        )
        for line in lines
    ] == [
        (
            "NGUYEN Van Hung",
            "hospital",
            "yes",
            "hospital",
            "transferred",
            "2025-03-14",
            "CPAS d'Evere",
            "CPAS de Saint-Gilles",
            "2025-03-10 12:00",
        ),
        (
            "",
            "in_person",
            "no",
            "",
            "open",
            "2025-03-20",
            "",
            "CPAS de Saint-Gilles",
            "2025-03-10 12:00",
        ),
        ("", "in_person", "yes", "child", "preparing", "", "", "", ""),  # this year's reference
    ]
    other = open_desk(tmp_path / "other-data", passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        report = import_file(first, store=other)
        assert [p.describe() for p in report.problems] == []
        export_file(second, store=other)
    finally:
        other.close()
    assert first.read_bytes() == second.read_bytes()


def test_an_update_files_a_request_being_prepared_but_never_the_other_way(
    store: Any, tmp_path: Path
) -> None:
    prepared = write_dicts(
        tmp_path / "p.csv",
        [{"reference": "AMU-2025-0100", **row(status="preparing", cpas="", filed_on="")}],
    )
    assert import_file(prepared, store=store).problems == []
    filed = write_dicts(
        tmp_path / "f.csv", [{"reference": "AMU-2025-0100", **row(status="", channel="email")}]
    )
    report = import_file(filed, store=store, update=True)
    assert (report.updated, report.problems) == (1, [])
    (request,) = requests(store)
    assert (request.status, request.channel) == ("open", "email")
    assert request.cpas_id == cpas_id(store, "Saint-Gilles") and request.received_at is not None
    report = import_file(prepared, store=store, update=True)
    assert [(p.line, p.field) for p in report.problems] == [(2, "status")]
    assert requests(store)[0].status == "open"


# --- the command line ----------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_command_line_takes_a_mapping(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    path = unknown_file(tmp_path)
    code, out, err = run(capsys, data_dir, "import", str(path))
    assert code == 2 and out == ""
    assert "unknown columns: Achternaam van de patiënt, Roepnaam, Zorgverlener" in err
    assert "--map HEADER=COLUMN" in err
    code, out, err = run(
        capsys,
        data_dir,
        "import",
        str(path),
        "--map",
        "Achternaam van de patiënt=family_name",
        "--map",
        "Roepnaam=voornaam",
        "--map",
        "Zorgverlener=ignore",
    )
    assert (code, err) == (0, "")
    assert out.strip() == "1 request imported (1 new person), 0 rows rejected."


@pytest.mark.parametrize(
    ("maps", "message"),
    [
        (["Roepnaam"], "--map Roepnaam: write HEADER=COLUMN"),
        (["Roepnaam=given_names", "roepnaam=ignore"], "the header “roepnaam” is mapped twice"),
        (["Roepnaam=nickname"], "“Roepnaam” is given the column “nickname”"),
        (["Roepnaam=given_names", "Zorgverlener=given_names"], "“Zorgverlener” and “Roepnaam”"),
    ],
)
def test_the_command_line_refuses_a_bad_mapping(
    capsys: pytest.CaptureFixture[str],
    data_dir: Path,
    tmp_path: Path,
    maps: list[str],
    message: str,
) -> None:
    arguments = [part for pair in maps for part in ("--map", pair)]
    code, out, err = run(capsys, data_dir, "import", str(unknown_file(tmp_path)), *arguments)
    assert code == 2 and out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_settings_hold_no_mapping_from_the_command_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    run(capsys, data_dir, "import", str(unknown_file(tmp_path)), "--map", "Roepnaam=ignore")
    path = data_dir / "settings.json"
    saved = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    assert importing.MAPPINGS_SETTING not in saved.get("extra", {})


def test_a_header_of_punctuation_alone_can_be_mapped(store: Any, tmp_path: Path) -> None:
    path = write_rows(
        tmp_path / "r.csv",
        [["???", "nom", "prénom", "cpas", "filed_on"], ["x", "Diallo", "A", "Evere", "2025-01-02"]],
    )
    with pytest.raises(UnknownColumns) as raised:
        import_file(path, store=store)
    assert raised.value.unknown == ["???"]
    assert import_file(path, store=store, mapping={"???": IGNORE}).imported == 1
