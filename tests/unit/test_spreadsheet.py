"""Import and export of requests as .csv / .xlsx; every file is generated in tmp_path."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import struct
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import func, select

from amudesk.models import Counter, Decision, Person, Request
from amudesk.services import cases, exporting, importing, people
from amudesk.services import spreadsheet as sheet
from amudesk.services.demo import bis_number, fill_demo
from amudesk.services.desk import open_desk
from amudesk.services.exporting import export_file
from amudesk.services.importing import ImportCancelled, import_file
from amudesk.services.spreadsheet import COLUMNS, SpreadsheetError
from tests.keys import FAST_KDF, PASSPHRASE

pytestmark = pytest.mark.both_engines

BRUSSELS = ZoneInfo("Europe/Brussels")
NISS_M = bis_number("1985-07-30", "M", 1)  # 85473000149
NISS_F = bis_number("1990-02", "F", 2)
NISS_2005 = bis_number("2005-01-02", "M", 3)  # starts with 0
HEADER = [
    "reference",
    "family_name",
    "given_names",
    "sex",
    "birth_date",
    "niss",
    "language",
    "cpas",
    "filed_on",
    "decision",
    "decided_on",
    "notified_on",
    "valid_from",
    "valid_to",
]


def write_csv(
    path: Path, rows: list[dict[str, str]], *, delimiter: str = ",", header: list[str] | None = None
) -> Path:
    columns = header or list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in columns])
    return path


def row(**values: str) -> dict[str, str]:
    base = {
        "family_name": "Diallo",
        "given_names": "Aminata",
        "cpas": "Saint-Gilles",
        "filed_on": "2025-03-10",
    }
    base.update(values)
    return base


def counts(store) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return (
            session.scalar(select(func.count()).select_from(Person)) or 0,
            session.scalar(select(func.count()).select_from(Request)) or 0,
            session.scalar(select(func.count()).select_from(Decision)) or 0,
        )


def jpeg(path: Path, size: tuple[int, int] = (140, 180)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, (120, 80, 40)).save(path, "JPEG")
    return path


def png_bomb(path: Path) -> Path:
    """A PNG header announcing 100,000 × 100,000 pixels: refused before decoding."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
    )
    return path


# --- good files ------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_good_csv_is_imported(store, tmp_path: Path, delimiter: str) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        tmp_path / "requests.csv",
        [
            row(
                family_name="Nguyễn",
                given_names="Thị Lan",
                sex="f",
                birth_date="1985",
                language="vi, fr",
            ),
            row(
                family_name="Öztürk",
                given_names="Mehmet",
                niss=NISS_M,
                filed_on="2025-03-11 14:30",
                decision="guarantee",
                decided_on="2025-03-20",
                notified_on="2025-03-22",
                valid_from="2025-03-01",
                valid_to="2025-05-31",
            ),
            row(
                family_name="Иванова",
                given_names="Олена",
                cpas="OCMW Elsene",
                filed_on="2025-07-01",
                decision="refusal",
                decided_on="2025-07-15",
            ),
        ],
        delimiter=delimiter,
    )
    report = import_file(path, store=store)
    assert (report.imported, report.new_people, report.problems, report.bad_lines) == (3, 3, [], [])
    with store.session() as session:
        requests = {r.reference: r for r in session.scalars(select(Request))}
        assert sorted(requests) == ["AMU-2025-0001", "AMU-2025-0002", "AMU-2025-0003"]
        first, second, third = (requests[f"AMU-2025-000{n}"] for n in (1, 2, 3))
        nguyen = session.get(Person, first.person_id)
        assert nguyen is not None
        assert (nguyen.family_name, nguyen.sex, nguyen.birth_date, nguyen.languages) == (
            "Nguyễn",
            "F",
            "1985",
            "vi,fr",
        )
        assert nguyen.search_text == "nguyen thi lan"
        # A date alone means noon in Brussels; a time is Brussels time.
        assert first.received_at.replace(tzinfo=dt.UTC).astimezone(BRUSSELS) == dt.datetime(
            2025, 3, 10, 12, 0, tzinfo=BRUSSELS
        )
        assert second.received_at.replace(tzinfo=dt.UTC).astimezone(BRUSSELS) == dt.datetime(
            2025, 3, 11, 14, 30, tzinfo=BRUSSELS
        )
        assert (first.status, second.status, third.status) == ("open", "decided", "refused")
        decision = cases.latest_decision(second.id or 0, session=session)
        assert decision is not None
        assert (decision.kind, decision.decided_on, decision.valid_to) == (
            "guarantee",
            dt.date(2025, 3, 20),
            dt.date(2025, 5, 31),
        )
        assert cases.get_case(third.id or 0, session=session).cpas.commune_fr == "Ixelles"
        # The search index follows the bulk insert.
        assert [c.reference for c in cases.list_cases(session=session, query="nguyen")] == [
            "AMU-2025-0001"
        ]
        assert [c.reference for c in cases.list_cases(session=session, query="ivanova")] == [
            "AMU-2025-0003"
        ]


def test_good_xlsx_with_typed_cells(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    workbook = Workbook()
    ws = workbook.active
    ws.append(
        [
            "family_name",
            "given_names",
            "birth_date",
            "niss",
            "cpas",
            "filed_on",
            "decision",
            "decided_on",
            "care_started_on",
            "care_kind",
        ]
    )
    ws.append(
        [
            "Gonçalves",
            "João",
            dt.datetime(2005, 1, 2),
            int(NISS_2005),
            "Anderlecht",
            dt.datetime(2025, 4, 2, 9, 15),
            "principle",
            dt.date(2025, 4, 20),
            dt.datetime(2025, 3, 30),
            "MediPrima",
        ]
    )
    ws.append([None, None, None, None, None, None, None, None, None, None])  # empty row: skipped
    ws.append(
        [
            "Łukasiewicz",
            "Paweł",
            1985,
            float(NISS_M),
            "CPAS de Schaerbeek",
            dt.datetime(2025, 4, 3),
            None,
            None,
            None,
            None,
        ]
    )
    path = tmp_path / "requests.xlsx"
    workbook.save(path)

    report = import_file(path, store=store)
    assert report.problems == []
    assert report.imported == 2
    with store.session() as session:
        joao = session.scalar(select(Person).where(Person.family_name == "Gonçalves"))
        pawel = session.scalar(select(Person).where(Person.family_name == "Łukasiewicz"))
        assert joao is not None and pawel is not None
        assert (joao.niss, joao.birth_date) == (NISS_2005, "2005-01-02")
        assert (pawel.niss, pawel.birth_date) == (NISS_M, "1985")
        request = session.scalar(select(Request).where(Request.person_id == joao.id))
        assert request is not None
        assert (
            request.received_at.replace(tzinfo=dt.UTC)
            .astimezone(BRUSSELS)
            .strftime("%Y-%m-%d %H:%M")
            == "2025-04-02 09:15"
        )
        assert (request.care_started_on, request.care_kind, request.status) == (
            dt.date(2025, 3, 30),
            "mediprima",
            "decided",
        )
        other = session.scalar(select(Request).where(Request.person_id == pawel.id))
        assert other is not None
        assert other.received_at.replace(tzinfo=dt.UTC).astimezone(BRUSSELS).hour == 12


def test_references_given_raise_the_counter(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        tmp_path / "r.csv",
        [
            row(given_names="A"),
            row(given_names="B", reference="amu-2025-0042"),
            row(given_names="C", filed_on="2024-12-31 23:30"),
            row(given_names="D", reference="OLD/17"),
        ],
    )
    report = import_file(path, store=store)
    assert report.problems == []
    with store.transaction() as session:
        references = {r.reference for r in session.scalars(select(Request))}
        assert references == {"AMU-2025-0043", "AMU-2025-0042", "AMU-2024-0001", "OLD/17"}
        assert session.get(Counter, ("AMU", 2025)).last == 43  # type: ignore[union-attr]
        # The next request registered at the desk continues the series.
        person = session.scalar(select(Person.id).limit(1))
        cpas = cases.get_request(1, session=session).cpas_id
        new = cases.register_request(
            cases.RequestData(
                person_id=person, cpas_id=cpas, received_at=dt.datetime(2025, 6, 1, 10, 0)
            ),
            session=session,
        )
        assert new.reference == "AMU-2025-0044"


def test_people_are_matched_by_niss_and_by_name_and_birth_date(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with store.transaction() as session:
        known = people.save_person(
            people.PersonData(
                family_name="Benali", given_names="Karim", niss=NISS_M, nationality="MA"
            ),
            session=session,
        )
        nameless = people.save_person(
            people.PersonData(family_name="Traoré", given_names="Moussa", birth_date="1990-05"),
            session=session,
        )
    path = write_csv(
        tmp_path / "r.csv",
        [
            row(
                family_name="Ben Ali", given_names="Karim", niss=NISS_M, filed_on="2025-01-01"
            ),  # same NISS
            row(
                family_name="Traoré",
                given_names=" Moussa ",
                birth_date="1990-05",
                filed_on="2025-01-02",
            ),
            row(
                family_name="Traoré", given_names="Moussa", birth_date="1991", filed_on="2025-01-03"
            ),  # other person
            row(family_name="Sow", given_names="Mariama", niss=NISS_F, filed_on="2025-01-04"),
            row(
                family_name="Sow", given_names="Mariama  ", niss=NISS_F, filed_on="2025-02-04"
            ),  # same new person
            row(family_name="Ndiaye", given_names="Awa", birth_date="1980", filed_on="2025-01-05"),
            row(
                family_name="Ndiaye", given_names="Awa", birth_date="1980", filed_on="2025-03-05"
            ),  # same new person
        ],
    )
    report = import_file(path, store=store)
    assert report.problems == []
    assert (report.imported, report.new_people) == (7, 3)
    with store.session() as session:
        owners = [
            r.person_id for r in session.scalars(select(Request).order_by(Request.received_at))
        ]
        assert owners[0] == known.id
        assert owners[1] == nameless.id
        assert owners[2] not in (known.id, nameless.id)
        assert owners[3] == owners[5] and owners[4] == owners[6]  # Sow, Ndiaye, Sow, Ndiaye
        reloaded = session.get(Person, known.id)
        assert reloaded is not None
        assert (reloaded.family_name, reloaded.nationality) == ("Benali", "MA")  # not overwritten
    assert counts(store)[0] == 5


@pytest.mark.parametrize(
    "name",
    [
        "Saint-Gilles",
        "cpas de saint-gilles",
        "OCMW Sint-Gillis",
        "SINT-GILLIS",
        "CPAS de Saint-Gilles",
        "saint gilles",
    ],
)
def test_cpas_name_variants(store, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    report = import_file(write_csv(tmp_path / "r.csv", [row(cpas=name)]), store=store)
    assert report.problems == []
    with store.session() as session:
        request = session.scalar(select(Request))
        assert request is not None
        assert cases.get_case(request.id or 0, session=session).cpas.commune_nl == "Sint-Gillis"


def test_photo_column_reads_images_beside_the_file(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    jpeg(tmp_path / "photos" / "diallo.jpg")
    report = import_file(
        write_csv(tmp_path / "r.csv", [row(photo="photos/diallo.jpg")]), store=store
    )
    assert report.problems == []
    with store.session() as session:
        person = session.scalar(select(Person))
        assert person is not None and person.photo is not None
        assert person.photo[:2] == b"\xff\xd8"
        assert Image.open(io.BytesIO(person.photo)).size == (140, 180)


# --- bad rows ---------------------------------------------------------------------------


def bad_file(tmp_path: Path) -> Path:
    (tmp_path / "notes.jpg").write_text("this is not an image", encoding="utf-8")
    png_bomb(tmp_path / "bomb.png")
    jpeg(tmp_path.parent / "x.jpg")
    bad_check = NISS_M[:-1] + str((int(NISS_M[-1]) + 1) % 10)
    rows = [
        row(reference="AMU-2025-0100", given_names="Good one"),  # line 2
        row(niss=bad_check),  # line 3
        row(cpas="Namur"),  # line 4
        row(birth_date="1985-13-01"),  # line 5
        row(family_name=""),  # line 6
        row(reference="AMU-2025-0100", given_names="Again"),  # line 7
        row(decided_on="2025-03-20"),  # line 8
        row(photo="../x.jpg"),  # line 9
        row(photo="bomb.png"),  # line 10
        row(photo="notes.jpg"),  # line 11
        row(filed_on="10/03/2025"),  # line 12
        row(given_names="Good two", decision="refusal", decided_on="2025-03-12"),  # line 13
        row(decision="principle"),  # line 14: no decided_on
        row(
            decision="guarantee",
            decided_on="2025-03-12",
            valid_from="2024-12-01",
            valid_to="2025-02-01",
        ),  # line 15
    ]
    return write_csv(tmp_path / "bad.csv", rows)


EXPECTED_BAD = {
    3: "niss",
    4: "cpas",
    5: "birth_date",
    6: "family_name",
    7: "reference",
    8: "decided_on",
    9: "photo",
    10: "photo",
    11: "photo",
    12: "filed_on",
    14: "decided_on",
    15: "valid_from",
}


def test_bad_rows_are_all_reported_and_nothing_is_written(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before = counts(store)
    report = import_file(bad_file(tmp_path), store=store)
    assert counts(store) == before
    assert (report.imported, report.new_people) == (0, 0)
    assert {p.line: p.field for p in report.problems} == EXPECTED_BAD
    assert report.bad_lines == sorted(EXPECTED_BAD)
    messages = {p.line: p.describe() for p in report.problems}
    assert messages[3] == "line 3: niss: the check digits do not match (wrong digit or typo?)"
    assert messages[4] == "line 4: cpas: no CPAS of the directory is called “Namur”."
    assert messages[5] == "line 5: birth_date: the month must be between 01 and 12."
    assert messages[6] == "line 6: family_name: this field is required."
    assert messages[7] == "line 7: reference: AMU-2025-0100 is already used on line 2."
    assert "decision" in messages[8]
    assert "inside the spreadsheet's folder" in messages[9]
    assert "too large" in messages[10]
    assert "not an image" in messages[11]
    assert messages[12].startswith("line 12: filed_on: write the date as YYYY-MM-DD")
    assert messages[14] == "line 14: decided_on: this field is required."
    assert "60 days" in messages[15]


def test_skip_invalid_imports_the_good_rows(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = import_file(bad_file(tmp_path), store=store, skip_invalid=True)
    assert {p.line: p.field for p in report.problems} == EXPECTED_BAD
    assert (report.imported, report.new_people) == (2, 2)
    with store.session() as session:
        names = sorted(p.given_names for p in session.scalars(select(Person)))
        assert names == ["Good one", "Good two"]
        statuses = sorted(r.status for r in session.scalars(select(Request)))
        assert statuses == ["open", "refused"]


def test_reference_already_in_the_database_is_a_duplicate_not_a_bad_row(
    store, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import_file(write_csv(tmp_path / "a.csv", [row(reference="AMU-2025-0007")]), store=store)
    report = import_file(
        write_csv(tmp_path / "b.csv", [row(given_names="X"), row(reference="amu-2025-0007")]),
        store=store,
    )
    assert report.problems == []
    assert [d.describe() for d in report.duplicates] == [
        "line 3: reference: already registered as AMU-2025-0007; this row was not imported."
    ]
    assert (report.imported, report.duplicate_lines, report.updated) == (1, [3], 0)
    assert counts(store)[1] == 2


def test_absolute_photo_paths_are_refused(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    photo = jpeg(tmp_path / "p.jpg")
    report = import_file(
        write_csv(tmp_path / "r.csv", [row(photo=str(photo)), row(photo="C:\\photos\\p.jpg")]),
        store=store,
    )
    assert [(p.line, p.field) for p in report.problems] == [(2, "photo"), (3, "photo")]
    assert "relative" in report.problems[0].message


def test_line_numbers_count_blank_lines_and_multiline_cells(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text(
        "family_name,given_names,cpas,filed_on\n"
        'Diallo,"Aminata\nsecond line",Ixelles,2025-01-01\n'
        "\n"
        "Diallo,Awa,Nowhere,2025-01-01\n",
        encoding="utf-8",
    )
    report = import_file(path, store=store)
    assert [(p.line, p.field) for p in report.problems] == [(5, "cpas")]


def test_names_and_niss_stay_out_of_the_logs(
    store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    import_file(
        write_csv(
            tmp_path / "r.csv", [row(family_name="Zyxwvut", niss=NISS_M), row(cpas="Nowhere")]
        ),
        store=store,
        skip_invalid=True,
    )
    assert "import" in caplog.text
    assert "Zyxwvut" not in caplog.text and NISS_M not in caplog.text


# --- file-level problems -------------------------------------------------------------------


def test_missing_required_column(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        tmp_path / "r.csv", [{"family_name": "A", "given_names": "B", "filed_on": "2025-01-01"}]
    )
    with pytest.raises(SpreadsheetError, match="required columns missing: cpas"):
        import_file(path, store=store)


def test_unknown_column(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(tmp_path / "r.csv", [row(diagnosis="x", Zorgverlener="y")])
    with pytest.raises(importing.UnknownColumns, match="unknown columns: diagnosis, Zorgverlener"):
        import_file(path, store=store)


def test_repeated_column(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text(
        "family_name,given_names,cpas,filed_on,cpas\nA,B,Evere,2025-01-01,Evere\n", encoding="utf-8"
    )
    with pytest.raises(SpreadsheetError, match="column cpas appears twice"):
        import_file(path, store=store)


def test_values_under_an_unnamed_column(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text(
        "family_name,given_names,cpas,filed_on,\nA,B,Evere,2025-01-01,oops\n", encoding="utf-8"
    )
    with pytest.raises(SpreadsheetError, match="line 2 has a value in column 5"):
        import_file(path, store=store)


def test_file_level_errors(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpreadsheetError, match="File not found"):
        import_file(tmp_path / "missing.csv", store=store)
    (tmp_path / "r.ods").write_text("x", encoding="utf-8")
    with pytest.raises(SpreadsheetError, match=r"only \.csv and \.xlsx"):
        import_file(tmp_path / "r.ods", store=store)
    (tmp_path / "latin1.csv").write_bytes(
        "family_name,given_names,cpas,filed_on\nLefèbvre,A,Evere,2025-01-01\n".encode("latin-1")
    )
    with pytest.raises(SpreadsheetError, match="line 2 is not UTF-8"):
        import_file(tmp_path / "latin1.csv", store=store)
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SpreadsheetError, match=r"\.xlsx file cannot be read"):
        import_file(tmp_path / "broken.xlsx", store=store)
    (tmp_path / "empty.csv").write_bytes(b"\xef\xbb\xbf\n\n")
    with pytest.raises(SpreadsheetError, match="empty"):
        import_file(tmp_path / "empty.csv", store=store)


def test_bom_is_tolerated(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bom.csv"
    path.write_bytes(
        b"\xef\xbb\xbffamily_name;given_names;cpas;filed_on\r\nDe Smet;Els;Jette;2025-02-01\r\n"
    )
    assert import_file(path, store=store).imported == 1


# --- cancel and progress -----------------------------------------------------------------------


def many_rows(tmp_path: Path, n: int) -> Path:
    return write_csv(
        tmp_path / "many.csv", [row(given_names=f"Person {i}", birth_date="1980") for i in range(n)]
    )


# 2,500 rows: one check per row, then one per batch of 1,000 people (calls 2,501-2,503),
# per batch of requests (2,504-2,506) and a last one before the commit (2,507).
@pytest.mark.parametrize("cancel_on_call", [1, 2000, 2502, 2505, 2507])
def test_cancel_writes_nothing(store, tmp_path: Path, cancel_on_call: int) -> None:  # type: ignore[no-untyped-def]
    path = many_rows(tmp_path, 2500)
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) >= cancel_on_call

    before = counts(store)
    with pytest.raises(ImportCancelled):
        import_file(path, store=store, cancelled=cancelled)
    assert len(calls) == cancel_on_call
    assert counts(store) == before
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Counter)) == 0


def test_progress_is_reported_to_the_end(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    seen: list[tuple[int, int]] = []
    import_file(
        many_rows(tmp_path, 1500),
        store=store,
        progress=lambda done, total: seen.append((done, total)),
    )
    assert seen[-1] == (1500, 1500)
    assert all(total == 1500 for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert 50 <= len(seen) <= 250


# --- export and round trip -----------------------------------------------------------------------


def test_export_writes_every_request_with_its_latest_decision(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import_file(
        write_csv(
            tmp_path / "r.csv",
            [
                row(
                    niss=NISS_2005,
                    language="fr,ln",
                    filed_on="2025-03-10 08:05",
                    decision="principle",
                    decided_on="2025-03-15",
                )
            ],
        ),
        store=store,
    )
    with store.transaction() as session:
        request = session.scalar(select(Request))
        assert request is not None
        cases.record_decision(
            request.id or 0,
            cases.DecisionData(
                kind="guarantee",
                decided_on=dt.date(2025, 4, 1),
                valid_from=dt.date(2025, 4, 1),
                valid_to=dt.date(2025, 6, 30),
            ),
            session=session,
        )
    target = tmp_path / "out.csv"
    assert export_file(target, store=store) == 1
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert lines[0] == list(COLUMNS)
    exported = dict(zip(COLUMNS, lines[1], strict=True))
    assert exported["niss"] == NISS_2005
    assert exported["language"] == "fr,ln"
    assert exported["cpas"] == "CPAS de Saint-Gilles"
    assert exported["filed_on"] == "2025-03-10 08:05"
    assert (exported["decision"], exported["decided_on"], exported["valid_to"]) == (
        "guarantee",
        "2025-04-01",
        "2025-06-30",
    )
    assert exported["photo"] == ""


def round_trip(source_store, tmp_path: Path, suffix: str) -> tuple[bytes, bytes]:  # type: ignore[no-untyped-def]
    first = tmp_path / f"first{suffix}"
    second = tmp_path / f"second{suffix}"
    export_file(first, store=source_store)
    other = open_desk(tmp_path / "other-data", passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        report = import_file(first, store=other)
        assert report.problems == []
        export_file(second, store=other)
    finally:
        other.close()
    return first.read_bytes(), second.read_bytes()


def test_round_trip_of_an_imported_file(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    jpeg(tmp_path / "p.jpg")
    report = import_file(
        write_csv(
            tmp_path / "r.csv",
            [
                row(
                    family_name="Nguyễn",
                    given_names="Văn Hùng",
                    sex="M",
                    birth_date="1970-03",
                    language="vi",
                    photo="p.jpg",
                ),
                row(
                    family_name="Шевченко",
                    given_names="Оксана",
                    sex="X",
                    niss=NISS_F,
                    nationality="ua",
                    cpas="Sint-Jans-Molenbeek",
                    filed_on="2025-10-26 02:30",
                    decision="incompetent",
                    decided_on="2025-10-27",
                    notified_on="2025-10-28",
                ),
                row(
                    family_name="El Idrissi",
                    given_names="Houda",
                    care_started_on="2025-03-01",
                    care_kind="other",
                    decision="principle",
                    decided_on="2025-03-30",
                    valid_from="2025-03-01",
                    valid_to="2026-02-28",
                ),
            ],
        ),
        store=store,
    )
    assert [p.describe() for p in report.problems] == []
    first, second = round_trip(store, tmp_path, ".csv")
    assert first == second
    assert "Шевченко".encode() in first


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_round_trip_of_demo_data(store, tmp_path: Path, suffix: str) -> None:  # type: ignore[no-untyped-def]
    fill_demo(store=store, count=300, seed=7)
    first, second = round_trip(store, tmp_path, suffix)
    if suffix == ".csv":
        assert first == second
        assert first.count(b"\n") == counts(store)[1] + 1
    else:
        assert read_xlsx(first) == read_xlsx(second)
        assert len(read_xlsx(first)) == counts(store)[1] + 1


def read_xlsx(data: bytes) -> list[tuple[object, ...]]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return list(workbook.worksheets[0].iter_rows(values_only=True))
    finally:
        workbook.close()


def test_failed_export_leaves_the_old_file_and_no_part_file(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import_file(write_csv(tmp_path / "r.csv", [row()]), store=store)
    target = tmp_path / "out" / "export.csv"
    target.parent.mkdir()
    target.write_text("previous export", encoding="utf-8")

    def broken(handle, rows, meter):  # type: ignore[no-untyped-def]
        handle.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exporting, "_write_csv", broken)
    with pytest.raises(SpreadsheetError, match="the disk is full"):
        export_file(target, store=store)
    assert target.read_text(encoding="utf-8") == "previous export"
    assert sorted(p.name for p in target.parent.iterdir()) == ["export.csv"]


def test_export_into_a_missing_folder(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpreadsheetError, match="folder .* does not exist"):
        export_file(tmp_path / "nope" / "x.csv", store=store)


def test_export_of_an_empty_folder_has_just_the_header(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "empty.csv"
    assert export_file(target, store=store) == 0
    assert target.read_bytes() == b"\xef\xbb\xbf" + ",".join(COLUMNS).encode() + b"\r\n"


# --- no live formula, no personal data in temporary files ------------------------------------

HOSTILE_NAMES = [
    '=HYPERLINK("http://x","y")',
    "+1",
    "-2",
    "@SUM(A1)",
    "'=x",
    "''+x",
    "'t Hooft",
    "=1+1",
    "_x0041_ literal",
    "-",
]


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\nx", "'\nx"),
        ("'=x", "''=x"),
        ("''-x", "'''-x"),
        ("'t Hooft", "'t Hooft"),
        ("'", "'"),
        ("O'Neil", "O'Neil"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_cells_are_neutralised_and_restored(text: str, cell: str) -> None:
    assert sheet.neutralised(text) == cell
    assert sheet.restored(cell) == text


def hostile_store(store) -> list[str]:  # type: ignore[no-untyped-def]
    """One request per hostile name, registered through the forms' services."""
    from amudesk.services.directory import list_cpas

    with store.transaction() as session:
        cpas = list_cpas(session=session)[0]
        for number, name in enumerate(HOSTILE_NAMES):
            person = people.save_person(
                people.PersonData(family_name=name, given_names=f"@{number}"), session=session
            )
            cases.register_request(
                cases.RequestData(
                    person_id=person.id,
                    cpas_id=cpas.id,
                    received_at=dt.datetime(2025, 3, 1 + number, 10, 0),
                ),
                session=session,
            )
    return HOSTILE_NAMES


def stored_names(store) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with store.session() as session:
        return sorted((p.family_name, p.given_names) for p in session.scalars(select(Person)))


def test_csv_export_hands_no_one_a_formula_and_imports_back_the_same(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile_store(store)
    target = tmp_path / "out.csv"
    export_file(target, store=store)
    lines = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    cells = [cell for line in lines[1:] for cell in line]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]
    family = {line[1] for line in lines[1:]}
    assert '\'=HYPERLINK("http://x","y")' in family
    assert {"'+1", "'-2", "'@SUM(A1)", "''=x", "'''+x", "'t Hooft", "'-"} <= family
    first, second = round_trip(store, tmp_path, ".csv")
    assert first == second
    other = open_desk(tmp_path / "other-data", passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert stored_names(other) == stored_names(store)
    finally:
        other.close()


def xlsx_parts(data: bytes) -> dict[str, bytes]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_xlsx_export_writes_every_cell_as_text_and_imports_back_the_same(
    store, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    hostile_store(store)
    first, second = round_trip(store, tmp_path, ".xlsx")
    assert read_xlsx(first) == read_xlsx(second)
    sheet_xml = xlsx_parts(first)["xl/worksheets/sheet1.xml"]
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml  # no formula at all
    workbook = load_workbook(io.BytesIO(first))  # not data_only: formulas would show as such
    cells = [cell for line in workbook.worksheets[0].iter_rows() for cell in line]
    assert {cell.data_type for cell in cells if cell.value is not None} == {"s"}
    # As they are (no ' needed in a text cell), once OOXML's _xHHHH_ escapes are read as
    # Excel reads them: XlsxWriter writes "_x0041_" as "_x005F_x0041_".
    family = {importing._ooxml_text(line[1]) for line in read_xlsx(first)[1:]}
    assert set(HOSTILE_NAMES) <= family
    other = open_desk(tmp_path / "other-data", passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        assert stored_names(other) == stored_names(store)
    finally:
        other.close()


def test_a_name_with_a_leading_tab_is_stored_without_it(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "r.csv"
    path.write_text(
        'family_name,given_names,cpas,filed_on\n"\tDiallo","\'\t=x",Ixelles,2025-01-01\n',
        encoding="utf-8",
    )
    report = import_file(path, store=store)
    assert report.problems == []
    assert stored_names(store) == [("Diallo", "=x")]


def test_no_export_leaves_a_file_in_the_system_temporary_folder(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    fill_demo(store=store, count=30, seed=3)
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    out = tmp_path / "out"
    out.mkdir()
    seen: list[list[str]] = []

    def progress(done: int, total: int) -> None:
        # While the rows are written, their scratch file is in the data folder, private.
        scratch = [p for p in (store.data_dir / "tmp").rglob("*") if p.is_file()]
        seen.append([p.name for p in scratch])
        for path in scratch:
            assert path.stat().st_mode & 0o077 == 0 or path.name == ".lock"
        assert list(system_tmp.iterdir()) == []

    for name in ("requests.xlsx", "requests.csv"):
        export_file(out / name, store=store, progress=progress)
    assert list(system_tmp.iterdir()) == []
    assert sorted(p.name for p in out.iterdir()) == ["requests.csv", "requests.xlsx"]
    assert list((store.data_dir / "tmp").iterdir()) == []
    assert (store.data_dir / "tmp").stat().st_mode & 0o777 == 0o700
    assert any(len(names) >= 2 for names in seen)  # the rows did go through the scratch folder
    assert len(read_xlsx((out / "requests.xlsx").read_bytes())) == counts(store)[1] + 1


class Stop(Exception):
    pass


def test_an_interrupted_xlsx_export_leaves_nothing_behind(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import tempfile

    from amudesk.services import audit

    fill_demo(store=store, count=30, seed=3)
    system_tmp = tmp_path / "system-tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    out = tmp_path / "out"
    out.mkdir()

    def progress(done: int, total: int) -> None:
        if done > total // 2:
            raise Stop()

    with pytest.raises(Stop):
        export_file(out / "requests.xlsx", store=store, progress=progress)
    assert list(out.iterdir()) == []
    assert list(system_tmp.iterdir()) == []
    assert list((store.data_dir / "tmp").iterdir()) == []
    with store.session() as session:
        assert audit.count(session=session, action="export") == 0


def test_stale_scratch_files_are_cleared_but_not_those_of_a_running_export(
    store, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import os

    root = store.data_dir / "tmp"
    root.mkdir(mode=0o700)
    stale = root / "export-crashed"
    stale.mkdir()
    (stale / "rows").write_text("Diallo,Aminata", encoding="utf-8")
    (root / "export-file-left").write_text("x", encoding="utf-8")
    running = root / "export-running"
    running.mkdir()
    (running / "rows").write_text("Sow,Awa", encoding="utf-8")
    fresh = root / "export-just-made"
    fresh.mkdir()
    other = root / "someone-else"
    other.write_text("kept", encoding="utf-8")
    old = dt.datetime(2020, 1, 1).timestamp()
    for path in (stale, root / "export-file-left", running):
        os.utime(path, (old, old))
    held = exporting._try_lock(running / ".lock")
    assert held is not None
    try:
        export_file(tmp_path / "out.xlsx", store=store)
    finally:
        os.close(held)
    assert sorted(p.name for p in root.iterdir()) == [
        "export-just-made",
        "export-running",
        "someone-else",
    ]
    assert (running / "rows").exists()


def test_the_export_refuses_other_file_names(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for name in ("requests.txt", "requests", "requests.csv.pdf"):
        with pytest.raises(SpreadsheetError) as raised:
            export_file(tmp_path / name, store=store)
        assert str(raised.value) == f"{name}: the export's file name must end in .csv or .xlsx."
    assert list(tmp_path.glob("requests*")) == []


def test_export_to_standard_output(
    store, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:  # type: ignore[no-untyped-def]
    from amudesk.services import audit

    hostile_store(store)
    assert export_file(Path("-"), store=store) == len(HOSTILE_NAMES)
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbf" + ",".join(COLUMNS).encode())
    assert b"'=HYPERLINK" in out
    assert out.count(b"\r\n") == len(HOSTILE_NAMES) + 1
    assert not (tmp_path / "-").exists()
    with store.session() as session:
        assert audit.count(session=session, action="export") == 1


def test_the_audit_entry_and_the_file_go_together(
    store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError
    from sqlmodel import Session

    from amudesk.services import audit

    import_file(write_csv(tmp_path / "r.csv", [row()]), store=store)
    target = tmp_path / "out.csv"

    def no_entry(session, count):  # type: ignore[no-untyped-def]
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(exporting, "_record_export", no_entry)
    with pytest.raises(OperationalError):
        export_file(target, store=store)
    assert list(tmp_path.glob("out*")) == [] and list(tmp_path.glob(".out*")) == []
    monkeypatch.undo()

    def failing_commit(self):  # type: ignore[no-untyped-def]
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", failing_commit)
    with pytest.raises(OperationalError):
        export_file(target, store=store)
    monkeypatch.undo()
    assert not target.exists()
    with store.session() as session:
        assert audit.count(session=session, action="export") == 0
    assert export_file(target, store=store) == 1
    with store.session() as session:
        assert audit.count(session=session, action="export") == 1


def test_a_cell_too_long_or_a_nul_is_said_plainly(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "long.csv"
    path.write_text(
        'family_name,given_names,cpas,filed_on\nA,"' + "x" * 200_000 + '",Ixelles,2025-01-01\n',
        encoding="utf-8",
    )
    with pytest.raises(SpreadsheetError) as raised:
        import_file(path, store=store)
    assert "line 2 has a cell far too long" in str(raised.value)
    assert "131072" not in str(raised.value) and "limit" not in str(raised.value)
    path = tmp_path / "nul.csv"
    path.write_bytes(b"family_name,given_names,cpas,filed_on\nA,B\x00,Ixelles,2025-01-01\n")
    problems = import_file(path, store=store).problems
    assert [(p.line, p.field) for p in problems] == [(2, "given_names")]
    assert "U+0000" in problems[0].message and "\x00" not in problems[0].message


def test_messages_never_echo_control_characters(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_csv(
        tmp_path / "r.csv",
        [
            row(cpas="\x1b[2JNowhere\u202e"),
            row(filed_on="\x1b]0;pwned\x07"),
            row(decision="yes\x1b[31m"),
            row(sex="\x9bQ"),
            row(birth_date="1980\x00"),
            row(nationality="\u202eXX"),
            row(cpas="A" * 5000),
        ],
    )
    report = import_file(path, store=store)
    assert len(report.problems) == 7
    for problem in report.problems:
        text = problem.describe()
        assert not any(char < " " or "\x7f" <= char < "\xa0" or char == "\u202e" for char in text)
        assert len(text) < 250
    assert "\\x1b[2JNowhere\\u202e" in report.problems[0].message


def test_file_names_in_messages_are_shown_safely(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "evil\x1b[2J.csv"
    path.write_text("nothing,here\n", encoding="utf-8")
    with pytest.raises(SpreadsheetError) as raised:
        import_file(path, store=store)
    assert "\x1b" not in str(raised.value) and "evil\\x1b[2J.csv" in str(raised.value)
