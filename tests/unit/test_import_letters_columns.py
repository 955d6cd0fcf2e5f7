"""The letters' facts in the import and the export: a refusal's reasons, court-ordered
decisions, appeals and their outcome, the person's consent and mandate."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from amudesk.dates import brussels_today
from amudesk.models import Appeal, Consent, Decision, DecisionReason, Person, Request
from amudesk.services import appeals, cases, consents
from amudesk.services.demo import bis_number
from amudesk.services.desk import open_desk
from amudesk.services.exporting import export_file
from amudesk.services.importing import import_file
from amudesk.services.spreadsheet import COLUMNS, format_reasons, split_reasons
from amudesk.text import is_control
from tests.keys import FAST_KDF, PASSPHRASE

pytestmark = pytest.mark.both_engines

NISS = bis_number("1985-07-30", "M", 1)
FUTURE = (brussels_today() + dt.timedelta(days=3)).isoformat()
NEW_COLUMNS = (
    "refusal_reasons",
    "court_ordered",
    "court_judgment_on",
    "court_name",
    "appeal_filed_on",
    "appeal_court",
    "appeal_outcome",
    "appeal_outcome_on",
    "consent_on",
    "mandate",
    "consent_withdrawn_on",
)
COURT_FR = "Tribunal du travail francophone de Bruxelles"
COURT_NL = "Nederlandstalige arbeidsrechtbank Brussel"


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    columns = list(dict.fromkeys(key for row in rows for key in row))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
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


def refusal(**values: str) -> dict[str, str]:
    return row(
        **{"decision": "refusal", "decided_on": "2025-03-20", "notified_on": "2025-03-22", **values}
    )


def counts(store: Any) -> dict[str, int]:
    with store.session() as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Person, Request, Decision, DecisionReason, Appeal, Consent)
        }


def facts(store: Any) -> dict[str, dict[str, Any]]:
    """By reference: what the letters rest on, as stored."""
    result: dict[str, dict[str, Any]] = {}
    with store.session() as session:
        for request in session.scalars(select(Request).order_by(Request.reference)):
            latest = cases.latest_decision(request.id or 0, session=session)
            result[request.reference] = {
                "appealed_on": request.appealed_on,
                "reasons": [
                    (reason.key, reason.explanation)
                    for reason in cases.reasons_of(latest.id or 0, session=session)
                ]
                if latest
                else [],
                "court": (latest.court_ordered, latest.court_judgment_on, latest.court_name)
                if latest
                else None,
                "appeals": [
                    (a.filed_on, a.filed_how, a.court, a.outcome, a.outcome_on)
                    for a in appeals.appeals_of(request.id or 0, session=session)
                ],
                "consents": [
                    (c.given_on, c.uses, c.withdrawn_on)
                    for c in consents.consents_of(request.person_id, session=session)
                ],
            }
    return result


def good_rows() -> list[dict[str, str]]:
    return [
        refusal(  # line 2
            reference="AMU-2025-0001",
            niss=NISS,
            refusal_reasons="No-Address | other: bail exigé \\| signé | three-months-proof",
            appeal_filed_on="2025-04-02",
            appeal_court=COURT_FR,
            appeal_outcome="Granted",
            appeal_outcome_on="2025-06-30",
            consent_on="2025-03-10",
            mandate="oui",
        ),
        row(  # line 3: a guarantee carrying out the judgment, reaching back past 60 days
            reference="AMU-2025-0002",
            given_names="Houda",
            filed_on="2025-01-06",
            decision="guarantee",
            decided_on="2025-07-10",
            valid_from="2025-01-06",
            valid_to="2025-12-31",
            court_ordered="ja",
            court_judgment_on="2025-06-30",
            court_name=COURT_NL,
            appeal_filed_on="2025-02-20",
            consent_on="2025-01-06",
            mandate="no",
            consent_withdrawn_on="2025-09-01",
        ),
        refusal(  # line 4: the same person as line 2, the same consent: recorded once
            reference="AMU-2025-0003",
            niss=NISS,
            filed_on="2025-03-12",
            decision="incompetent",
            decided_on="2025-03-13",
            notified_on="",
            refusal_reasons="competence",
            consent_on="2025-03-10",
            mandate="YES",
        ),
        row(reference="AMU-2025-0004", given_names="Mariama", court_ordered="no", mandate="n"),
    ]


def test_a_good_file_imports_reasons_court_appeal_and_consent(store: Any, tmp_path: Path) -> None:
    report = import_file(write_csv(tmp_path / "good.csv", good_rows()), store=store)
    assert [p.describe() for p in report.problems] == []
    assert report.imported == 4
    stored = facts(store)
    first = stored["AMU-2025-0001"]
    assert first["reasons"] == [
        ("no-address", ""),
        ("three-months-proof", ""),
        ("other", "bail exigé | signé"),
    ]
    assert first["court"] == (False, None, "")
    assert first["appeals"] == [
        (dt.date(2025, 4, 2), "registered-letter", COURT_FR, "granted", dt.date(2025, 6, 30))
    ]
    assert first["appealed_on"] == dt.date(2025, 4, 2)
    assert first["consents"] == [(dt.date(2025, 3, 10), "follow-up,letters,statistics", None)]
    second = stored["AMU-2025-0002"]
    assert second["court"] == (True, dt.date(2025, 6, 30), COURT_NL)
    assert second["appeals"] == [(dt.date(2025, 2, 20), "registered-letter", "", None, None)]
    assert second["consents"] == [
        (dt.date(2025, 1, 6), "follow-up,statistics", dt.date(2025, 9, 1))
    ]
    assert stored["AMU-2025-0003"]["reasons"] == [("competence", "")]
    assert stored["AMU-2025-0003"]["appeals"] == []
    assert stored["AMU-2025-0004"]["consents"] == []
    with store.session() as session:
        person_id = session.scalar(select(Person.id).where(Person.niss == NISS))
        assert person_id is not None
        assert consents.has_mandate(person_id, session=session)
        houda = session.scalar(select(Person.id).where(Person.given_names == "Houda"))
        assert houda is not None and not consents.has_mandate(houda, session=session)
    assert counts(store)["Consent"] == 2


def test_a_court_ordered_decision_may_reach_back_further_than_60_days(
    store: Any, tmp_path: Path
) -> None:
    late = row(
        decision="guarantee",
        decided_on="2025-07-10",
        valid_from="2025-03-10",
        valid_to="2026-03-09",
    )
    report = import_file(write_csv(tmp_path / "a.csv", [late]), store=store)
    assert [(p.field, "60 days" in p.message) for p in report.problems] == [("valid_from", True)]
    ordered = dict(late, court_ordered="yes", court_judgment_on="2025-07-01", court_name=COURT_FR)
    report = import_file(write_csv(tmp_path / "b.csv", [ordered]), store=store)
    assert report.problems == [] and report.imported == 1


HUGE = "x" * 100_000
HOSTILE: list[tuple[dict[str, str], str, str]] = [
    (refusal(refusal_reasons="no-passport"), "refusal_reasons", "no-passport"),
    (refusal(refusal_reasons="=1+1"), "refusal_reasons", "=1+1"),
    (refusal(refusal_reasons='no-address|=HYPERLINK("x")'), "refusal_reasons", "HYPERLINK"),
    (refusal(refusal_reasons="no-addr\u202eess"), "refusal_reasons", "no-addr\\u202eess"),
    (refusal(refusal_reasons="other: bail\u202e exigé"), "refusal_reasons", "U+202E"),
    (refusal(refusal_reasons="other: bail\x07"), "refusal_reasons", "U+0007"),
    (refusal(refusal_reasons="other"), "refusal_reasons", "other reason"),
    (refusal(refusal_reasons=HUGE), "refusal_reasons", "at most"),
    (refusal(refusal_reasons="other: " + "é" * 600), "refusal_reasons", "at most"),
    (refusal(refusal_reasons="|".join(["no-address"] * 20)), "refusal_reasons", "at most"),
    (row(refusal_reasons="no-address"), "refusal_reasons", "decision"),
    (
        row(decision="principle", decided_on="2025-03-20", refusal_reasons="no-address"),
        "refusal_reasons",
        "refusal",
    ),
    (refusal(court_ordered="=1+1"), "court_ordered", "yes or no"),
    (refusal(court_ordered="maybe"), "court_ordered", "yes or no"),
    (refusal(court_ordered="yes" * 5000), "court_ordered", "yes or no"),
    (row(court_ordered="yes"), "court_ordered", "decision"),
    (refusal(court_ordered="yes", court_name=COURT_FR), "court_judgment_on", "judgment"),
    (refusal(court_ordered="yes", court_judgment_on="2025-03-15"), "court_name", "court"),
    (
        refusal(court_ordered="yes", court_judgment_on=FUTURE, court_name=COURT_FR),
        "court_judgment_on",
        "future",
    ),
    (
        refusal(court_ordered="yes", court_judgment_on="2025-04-01", court_name=COURT_FR),
        "court_judgment_on",
        "before the decision",
    ),
    (
        refusal(court_ordered="yes", court_judgment_on="2025-03-15", court_name="Tri\u202ebunal"),
        "court_name",
        "U+202E",
    ),
    (
        refusal(court_ordered="yes", court_judgment_on="2025-03-15", court_name=HUGE),
        "court_name",
        "at most",
    ),
    (refusal(court_judgment_on="2025-03-15"), "court_judgment_on", "court_ordered"),
    (refusal(court_name=COURT_FR), "court_name", "court_ordered"),
    (row(appeal_filed_on=FUTURE), "appeal_filed_on", "future"),
    (row(appeal_filed_on="2025-03-01"), "appeal_filed_on", "before the request"),
    (row(appeal_filed_on="2025-04-01" * 1000), "appeal_filed_on", "YYYY-MM-DD"),
    (row(appeal_filed_on="=1+1"), "appeal_filed_on", "YYYY-MM-DD"),
    (row(appeal_outcome="granted", appeal_outcome_on="2025-05-01"), "appeal_outcome", "filed"),
    (row(appeal_court=COURT_FR), "appeal_court", "filed"),
    (row(appeal_filed_on="2025-04-01", appeal_outcome="granted"), "appeal_outcome_on", "day"),
    (
        row(appeal_filed_on="2025-04-01", appeal_outcome_on="2025-05-01"),
        "appeal_outcome",
        "outcome",
    ),
    (
        row(appeal_filed_on="2025-04-01", appeal_outcome="won", appeal_outcome_on="2025-05-01"),
        "appeal_outcome",
        "granted, partly",
    ),
    (
        row(appeal_filed_on="2025-04-01", appeal_outcome="=1+1", appeal_outcome_on="2025-05-01"),
        "appeal_outcome",
        "granted, partly",
    ),
    (
        row(appeal_filed_on="2025-04-01", appeal_outcome="granted", appeal_outcome_on=FUTURE),
        "appeal_outcome_on",
        "future",
    ),
    (
        row(appeal_filed_on="2025-04-01", appeal_outcome="granted", appeal_outcome_on="2025-03-20"),
        "appeal_outcome_on",
        "before the filing",
    ),
    (row(appeal_filed_on="2025-04-01", appeal_court="Cour\u2066 x"), "appeal_court", "U+2066"),
    (row(appeal_filed_on="2025-04-01", appeal_court=HUGE), "appeal_court", "at most"),
    (row(mandate="yes"), "mandate", "consent_on"),
    (row(mandate="=1+1", consent_on="2025-03-10"), "mandate", "yes or no"),
    (row(consent_on=FUTURE), "consent_on", "future"),
    (row(consent_on="1890-01-01"), "consent_on", "2000"),
    (row(consent_on="+32"), "consent_on", "YYYY-MM-DD"),
    (row(consent_withdrawn_on="2025-04-01"), "consent_withdrawn_on", "consent_on"),
    (
        row(consent_on="2025-03-10", consent_withdrawn_on="2025-03-01"),
        "consent_withdrawn_on",
        "before the consent",
    ),
    (
        row(consent_on="2025-03-10", consent_withdrawn_on=FUTURE),
        "consent_withdrawn_on",
        "future",
    ),
]


def hostile_file(tmp_path: Path) -> Path:
    rows = [
        dict(data, given_names=f"Hostile {number}") for number, (data, _f, _m) in enumerate(HOSTILE)
    ]
    return write_csv(tmp_path / "hostile.csv", [*rows, row(given_names="Good")])


def test_every_hostile_row_is_reported_and_nothing_is_written(store: Any, tmp_path: Path) -> None:
    before = counts(store)
    report = import_file(hostile_file(tmp_path), store=store)
    assert counts(store) == before
    assert report.imported == 0
    found = {problem.line: problem for problem in report.problems}
    expected = {number + 2: (field, words) for number, (_row, field, words) in enumerate(HOSTILE)}
    assert sorted(found) == sorted(expected)
    for line, (field, words) in expected.items():
        problem = found[line]
        assert problem.field == field, problem.describe()
        assert words.lower() in problem.message.lower(), problem.describe()
        text = problem.describe()
        assert len(text) < 400
        assert not any(is_control(char) for char in text)
        assert "\u202e" not in text and "\u2066" not in text


def test_skip_invalid_imports_only_the_good_row(store: Any, tmp_path: Path) -> None:
    report = import_file(hostile_file(tmp_path), store=store, skip_invalid=True)
    assert report.imported == 1 and len(report.problems) == len(HOSTILE)
    assert counts(store) == {
        "Person": 1,
        "Request": 1,
        "Decision": 0,
        "DecisionReason": 0,
        "Appeal": 0,
        "Consent": 0,
    }


def test_a_new_column_in_an_xlsx_file_with_typed_cells(store: Any, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    header = ["family_name", "given_names", "cpas", "filed_on", "decision", "decided_on"]
    header += ["court_ordered", "court_judgment_on", "court_name", "consent_on", "mandate"]
    sheet.append(header)
    sheet.append(
        [
            "Diallo",
            "Aminata",
            "Saint-Gilles",
            dt.datetime(2025, 3, 10),
            "refusal",
            dt.datetime(2025, 3, 20),
            True,
            dt.datetime(2025, 3, 15),
            COURT_FR,
            dt.datetime(2025, 3, 10),
            1,
        ]
    )
    path = tmp_path / "typed.xlsx"
    workbook.save(path)
    report = import_file(path, store=store)
    assert [p.describe() for p in report.problems] == []
    [stored] = facts(store).values()
    assert stored["court"] == (True, dt.date(2025, 3, 15), COURT_FR)
    assert stored["consents"] == [(dt.date(2025, 3, 10), "follow-up,letters,statistics", None)]


# --- export and round trip ---------------------------------------------------------------


def exported(store: Any, path: Path) -> list[dict[str, str]]:
    export_file(path, store=store)
    lines = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert tuple(lines[0]) == COLUMNS
    return [dict(zip(COLUMNS, line, strict=True)) for line in lines[1:]]


def test_the_new_columns_come_last(store: Any) -> None:
    start = COLUMNS.index(NEW_COLUMNS[0])
    assert COLUMNS[start : start + len(NEW_COLUMNS)] == NEW_COLUMNS
    assert COLUMNS[start - 1] == "care_kind"
    # The front desk's came after them (tests/unit/test_import_headers.py).
    assert COLUMNS[start + len(NEW_COLUMNS)] == "latin_name"


def test_the_export_writes_them_and_an_empty_folder_imports_them_back(
    store: Any, tmp_path: Path
) -> None:
    rows = good_rows()
    rows.append(
        row(
            reference="AMU-2025-0005",
            given_names="Formula",
            appeal_filed_on="2025-04-01",
            appeal_court="=cmd|' /C calc'!A0",
            consent_on="2025-03-11",
        )
    )
    assert import_file(write_csv(tmp_path / "good.csv", rows), store=store).problems == []
    with store.transaction() as session:  # an explanation with a backslash and a bar
        request = session.scalar(select(Request).where(Request.reference == "AMU-2025-0003"))
        assert request is not None
        latest = cases.latest_decision(request.id or 0, session=session)
        assert latest is not None
        cases.record_decision(
            request.id or 0,
            cases.DecisionData(
                kind="incompetent",
                decided_on=latest.decided_on,
                reasons=[("competence", "Art. 58 \\ §3 | CPAS d'Ixelles"), ("no-address", "")],
            ),
            session=session,
            decision_id=latest.id,
        )
    cells = {line["reference"]: line for line in exported(store, tmp_path / "first.csv")}
    first = cells["AMU-2025-0001"]
    assert first["refusal_reasons"] == "no-address|three-months-proof|other: bail exigé \\| signé"
    assert (first["appeal_filed_on"], first["appeal_court"], first["appeal_outcome"]) == (
        "2025-04-02",
        COURT_FR,
        "granted",
    )
    assert (first["consent_on"], first["mandate"], first["consent_withdrawn_on"]) == (
        "2025-03-10",
        "yes",
        "",
    )
    second = cells["AMU-2025-0002"]
    assert (second["court_ordered"], second["court_judgment_on"], second["court_name"]) == (
        "yes",
        "2025-06-30",
        COURT_NL,
    )
    assert (second["mandate"], second["consent_withdrawn_on"]) == ("no", "2025-09-01")
    assert cells["AMU-2025-0004"]["court_ordered"] == ""
    assert cells["AMU-2025-0004"]["consent_on"] == ""
    raw = (tmp_path / "first.csv").read_bytes().decode("utf-8-sig")
    assert ",'=cmd|' /C calc'!A0," in raw  # neutralised, and imported back as it was
    other = open_desk(tmp_path / "other-data", passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        report = import_file(tmp_path / "first.csv", store=other)
        assert [p.describe() for p in report.problems] == []
        assert facts(other) == facts(store)
        export_file(tmp_path / "second.csv", store=other)
    finally:
        other.close()
    assert (tmp_path / "second.csv").read_bytes() == (tmp_path / "first.csv").read_bytes()


def test_the_consent_in_force_is_exported_before_a_withdrawn_one(
    store: Any, tmp_path: Path
) -> None:
    import_file(write_csv(tmp_path / "a.csv", [row()]), store=store)
    with store.transaction() as session:
        person_id = session.scalar(select(Person.id))
        assert person_id is not None
        kept = consents.record_consent(
            person_id,
            consents.ConsentData(given_on=dt.date(2025, 3, 1), uses=["follow-up", "letters"]),
            session=session,
        )
        later = consents.record_consent(
            person_id,
            consents.ConsentData(given_on=dt.date(2025, 5, 1), uses=["follow-up"]),
            session=session,
        )
        consents.withdraw_consent(later.id or 0, session=session, day=dt.date(2025, 6, 1))
        assert kept.id is not None
    [line] = exported(store, tmp_path / "out.csv")
    assert (line["consent_on"], line["mandate"], line["consent_withdrawn_on"]) == (
        "2025-03-01",
        "yes",
        "",
    )


def test_reasons_cells_read_back_what_they_write() -> None:
    reasons = [("other", "a | b \\ c: d"), ("no-address", ""), ("competence", "\\|")]
    assert split_reasons(format_reasons(reasons)) == reasons
    assert split_reasons(" no-address || |resources ") == [("no-address", ""), ("resources", "")]
    assert split_reasons("other: a \\x") == [("other", "a \\x")]


# --- duplicates and --update -----------------------------------------------------------------


def test_the_same_file_twice_adds_no_appeal_and_no_consent(store: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "good.csv", good_rows())
    import_file(path, store=store)
    before = counts(store)
    report = import_file(path, store=store)
    assert report.imported == 0 and len(report.duplicates) == 4
    assert counts(store) == before
    report = import_file(path, store=store, update=True)
    assert report.updated == 0 and len(report.duplicates) == 4
    assert counts(store) == before


def test_a_file_without_the_new_columns_keeps_them_in_an_update(store: Any, tmp_path: Path) -> None:
    import_file(write_csv(tmp_path / "good.csv", good_rows()), store=store)
    before = facts(store)
    plain = [
        {key: value for key, value in data.items() if key not in NEW_COLUMNS}
        for data in good_rows()
    ]
    plain[0]["notified_on"] = "2025-03-21"  # a correction of the latest decision
    report = import_file(write_csv(tmp_path / "plain.csv", plain), store=store, update=True)
    assert report.problems == [] and report.updated == 1
    assert facts(store) == before


def test_update_corrects_reasons_court_appeal_and_consent(store: Any, tmp_path: Path) -> None:
    import_file(write_csv(tmp_path / "good.csv", good_rows()), store=store)
    with store.transaction() as session:  # a hearing recorded in the desk stays
        request = session.scalar(select(Request).where(Request.reference == "AMU-2025-0001"))
        assert request is not None
        [appeal] = appeals.appeals_of(request.id or 0, session=session)
        appeals.record_appeal(
            request.id or 0,
            appeals.AppealData(
                filed_on=appeal.filed_on,
                court=appeal.court,
                role_number="25/0042/A",
                hearing_dates=[dt.date(2025, 5, 15)],
                outcome=appeal.outcome,
                outcome_on=appeal.outcome_on,
            ),
            session=session,
            appeal_id=appeal.id,
        )
    changed = good_rows()
    changed[0].update(
        refusal_reasons="no-aamu",
        appeal_outcome="partly",
        consent_withdrawn_on="2025-08-01",
    )
    changed[1].update(court_name=COURT_FR, appeal_filed_on="2025-02-21")
    changed[3].update(appeal_filed_on="2025-03-30", consent_on="2025-03-10", mandate="yes")
    report = import_file(write_csv(tmp_path / "changed.csv", changed), store=store, update=True)
    assert [p.describe() for p in report.problems] == []
    assert report.updated == 3 and report.duplicate_lines == [4]
    stored = facts(store)
    first = stored["AMU-2025-0001"]
    assert first["reasons"] == [("no-aamu", "")]
    assert first["appeals"] == [
        (dt.date(2025, 4, 2), "registered-letter", COURT_FR, "partly", dt.date(2025, 6, 30))
    ]
    assert first["consents"] == [
        (dt.date(2025, 3, 10), "follow-up,letters,statistics", dt.date(2025, 8, 1))
    ]
    with store.session() as session:
        request = session.scalar(select(Request).where(Request.reference == "AMU-2025-0001"))
        assert request is not None
        [appeal] = appeals.appeals_of(request.id or 0, session=session)
        assert (appeal.role_number, appeal.hearing_dates) == ("25/0042/A", "2025-05-15")
    second = stored["AMU-2025-0002"]
    assert second["court"] == (True, dt.date(2025, 6, 30), COURT_FR)
    assert second["appealed_on"] == dt.date(2025, 2, 21)
    assert [a[0] for a in second["appeals"]] == [dt.date(2025, 2, 21)]
    fourth = stored["AMU-2025-0004"]
    assert fourth["appealed_on"] == dt.date(2025, 3, 30)
    assert fourth["consents"] == [(dt.date(2025, 3, 10), "follow-up,letters,statistics", None)]
    again = import_file(write_csv(tmp_path / "again.csv", changed), store=store, update=True)
    assert again.updated == 0 and len(again.duplicates) == 4


def test_update_refuses_a_correction_the_appeal_cannot_take(store: Any, tmp_path: Path) -> None:
    import_file(write_csv(tmp_path / "good.csv", good_rows()), store=store)
    changed = good_rows()
    changed[0].update(appeal_outcome_on="2025-04-01", appeal_filed_on="2025-05-01")
    before = facts(store)
    report = import_file(write_csv(tmp_path / "bad.csv", changed), store=store, update=True)
    assert [(p.line, p.field) for p in report.problems] == [(2, "appeal_outcome_on")]
    assert facts(store) == before


@pytest.mark.parametrize("word", ["yes", "Oui", "JA", "true", "1", "y", "j", "o"])
def test_yes_in_the_languages_of_the_desk(store: Any, tmp_path: Path, word: str) -> None:
    report = import_file(
        write_csv(tmp_path / "a.csv", [row(consent_on="2025-03-10", mandate=word)]), store=store
    )
    assert report.problems == []
    assert facts(store)["AMU-2025-0001"]["consents"][0][1] == "follow-up,letters,statistics"


def test_without_court_columns_only_a_court_ordered_decision_reaches_back(
    store: Any, tmp_path: Path
) -> None:
    import_file(write_csv(tmp_path / "good.csv", good_rows()), store=store)
    late = {
        "decision": "guarantee",
        "decided_on": "2025-07-10",
        "valid_from": "2025-01-06",
        "valid_to": "2025-12-31",
    }
    rows = [
        row(reference="AMU-2025-0002", given_names="Houda", filed_on="2025-01-06", **late),
        row(
            reference="AMU-2025-0004", given_names="Mariama", **dict(late, valid_from="2025-03-10")
        ),
        row(reference="AMU-2025-0009", given_names="New", **dict(late, valid_from="2025-03-10")),
    ]
    report = import_file(write_csv(tmp_path / "u.csv", rows), store=store, update=True)
    assert [(p.line, p.field) for p in report.problems] == [(3, "valid_from"), (4, "valid_from")]
    assert all("60 days" in p.message for p in report.problems)
    assert report.duplicate_lines == []
