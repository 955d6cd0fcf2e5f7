"""GDPR duties: access export (JSON + PDF), erasure down to the file's bytes, retention,
record of processing; and the embedded fonts the PDFs use."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, col, select

from amudesk.dates import brussels_today
from amudesk.models import Aamu, AuditEntry, DeadlineMark, Decision, Person, Request
from amudesk.services import FieldError, NotFound, privacy
from amudesk.services.cases import (
    AamuData,
    DecisionData,
    RequestData,
    record_aamu,
    record_decision,
    register_request,
)
from amudesk.services.people import PersonData, find_people, save_person

pytestmark = pytest.mark.both_engines

FAMILY = "Кузнецова-Šťastná"
GIVEN = "Анна-Łucja Nguyễn Thị"
MINOR_FAMILY = "Кузнецов"
CHILD_WITH_CASE = "Öztürk-Kuznetsova"
OTHER_FAMILY = "Dupont-Lemaître"
RECEIVED = dt.datetime(2026, 1, 5, 10, 0)


def _niss(yymmdd: str, counter: str = "001") -> str:
    base = int(yymmdd + counter)
    return f"{yymmdd}{counter}{97 - base % 97:02d}"


def _photo() -> bytes:
    from PIL import Image

    from amudesk.photos import process_photo

    buffer = io.BytesIO()
    Image.new("RGB", (350, 450), (180, 120, 90)).save(buffer, "PNG")
    return process_photo(buffer.getvalue())


def _office(session: Session, kind: str = "association") -> None:
    from amudesk.services.office import save_office

    save_office(
        session=session,
        kind=kind,
        name="Maison Médicale du Midi",
        address="Rue Haute 1\n1000 Bruxelles",
        phone="02 000 00 00",
        email="contact@mmm.example",
    )


def _cpas_id(session: Session) -> int:
    from amudesk.services.directory import find_cpas

    cpas = find_cpas("Saint-Gilles", session=session)
    assert cpas is not None and cpas.id is not None
    return cpas.id


@dataclass
class Family:
    adult_id: int
    minor_id: int
    child_with_case_id: int
    other_id: int
    reference: str
    open_reference: str
    child_reference: str
    other_reference: str


def _family(session: Session) -> Family:
    """An adult with a photo, a decided request (attestation, decision, deadline mark), an
    open request, a minor without requests and a minor with a request of their own; and
    somebody else."""
    from amudesk.services.clock import mark_deadline

    cpas = _cpas_id(session)
    adult = save_person(
        PersonData(
            family_name=FAMILY,
            given_names=GIVEN,
            sex="F",
            birth_date="1985-07-30",
            niss=_niss("850730", "002"),
            nationality="UA",
            languages=["uk", "ru"],
            phone="0470 12 34 56",
            commune="Saint-Gilles",
            notes="Parle <un peu> français & anglais",
            photo=_photo(),
        ),
        session=session,
    )
    assert adult.id is not None
    minor = save_person(
        PersonData(family_name=MINOR_FAMILY, given_names="Иван", birth_date="2019-05-02"),
        session=session,
    )
    minor.guardian_id = adult.id
    session.add(minor)
    child = save_person(
        PersonData(family_name=CHILD_WITH_CASE, given_names="Elif", birth_date="2015-02"),
        session=session,
    )
    child.guardian_id = adult.id
    session.add(child)
    other = save_person(PersonData(family_name=OTHER_FAMILY, given_names="Marie"), session=session)
    request = register_request(
        RequestData(
            person_id=adult.id, cpas_id=cpas, received_at=RECEIVED, accompanied_by="Médecins"
        ),
        session=session,
    )
    assert request.id is not None
    record_aamu(
        request.id,
        AamuData(
            issued_on=dt.date(2026, 1, 4),
            doctor_name="Dr Amina Benali",
            valid_from=dt.date(2026, 1, 4),
            valid_to=dt.date(2026, 6, 30),
            care_categories=["gp", "pharmacy"],
        ),
        session=session,
    )
    record_decision(
        request.id,
        DecisionData(
            kind="guarantee",
            decided_on=dt.date(2026, 1, 20),
            notified_on=dt.date(2026, 1, 22),
            notification_method="hand",
            valid_from=dt.date(2026, 1, 5),
            valid_to=dt.date(2026, 4, 5),
            mediprima_number="MP-778899",
        ),
        session=session,
    )
    mark_deadline(request.id, "mediprima", session=session, kind="handled", reason="vu")
    open_request = register_request(
        RequestData(person_id=adult.id, cpas_id=cpas, received_at=RECEIVED + dt.timedelta(days=40)),
        session=session,
    )
    child_request = register_request(
        RequestData(person_id=child.id, cpas_id=cpas, received_at=RECEIVED + dt.timedelta(days=1)),
        session=session,
    )
    other_request = register_request(
        RequestData(person_id=other.id, cpas_id=cpas, received_at=RECEIVED + dt.timedelta(days=2)),
        session=session,
    )
    session.flush()
    assert minor.id is not None and child.id is not None and other.id is not None
    return Family(
        adult_id=adult.id,
        minor_id=minor.id,
        child_with_case_id=child.id,
        other_id=other.id,
        reference=request.reference,
        open_reference=open_request.reference,
        child_reference=child_request.reference,
        other_reference=other_request.reference,
    )


@pytest.fixture
def family(store: Any) -> Family:
    with store.transaction() as session:
        _office(session)
        return _family(session)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder to write exports into (the data folder is elsewhere)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _words(path: Path) -> str:
    """The PDF's text with every run of white space made one space."""
    return " ".join(_pdf_text(path).split())


# --- the record --------------------------------------------------------------------------


def test_person_record_holds_everything_about_the_person(store: Any, family: Family) -> None:
    with store.session() as session:
        record = privacy.person_record(family.adult_id, session=session)
        photo = session.get(Person, family.adult_id).photo  # type: ignore[union-attr]
    person = record["person"]
    assert person["family_name"] == FAMILY
    assert person["given_names"] == GIVEN
    assert person["niss"] == _niss("850730", "002")
    assert person["birth_date"] == "1985-07-30"
    assert person["notes"] == "Parle <un peu> français & anglais"
    assert person["has_photo"] is True
    assert person["photo"]["media_type"] == "image/jpeg"
    assert base64.b64decode(person["photo"]["data"]) == photo
    assert dt.datetime.fromisoformat(person["created_at"]).tzinfo is not None

    references = [request["reference"] for request in record["requests"]]
    assert references == [family.reference, family.open_reference]
    decided = record["requests"][0]
    assert decided["cpas"]["name_fr"] == "CPAS de Saint-Gilles"
    assert decided["cpas"]["name_nl"]
    assert decided["received_at"] == "2026-01-05T09:00:00+00:00"
    assert decided["accompanied_by"] == "Médecins"
    assert [a["doctor_name"] for a in decided["attestations"]] == ["Dr Amina Benali"]
    assert decided["attestations"][0]["care_categories"] == "gp,pharmacy"
    (decision,) = decided["decisions"]
    assert decision["kind"] == "guarantee"
    assert decision["decided_on"] == "2026-01-20"
    assert decision["valid_to"] == "2026-04-05"
    assert decision["mediprima_number"] == "MP-778899"
    assert [m["rule"] for m in decided["deadline_marks"]] == ["mediprima"]

    minors = {minor["person"]["family_name"]: minor for minor in record["dependants"]}
    assert set(minors) == {MINOR_FAMILY, CHILD_WITH_CASE}
    assert minors[MINOR_FAMILY]["requests"] == []
    assert [r["reference"] for r in minors[CHILD_WITH_CASE]["requests"]] == [family.child_reference]
    assert minors[MINOR_FAMILY]["person"]["guardian_id"] == family.adult_id

    actions = {(entry["action"], entry["entity"]) for entry in record["audit_trail"]}
    assert ("create", "decision") in actions
    assert all("actor" not in entry for entry in record["audit_trail"])

    dumped = json.dumps(record, ensure_ascii=False)
    assert OTHER_FAMILY not in dumped
    assert family.other_reference not in dumped


def test_a_dependant_s_record_names_the_adult_by_number_only(store: Any, family: Family) -> None:
    with store.session() as session:
        record = privacy.person_record(family.minor_id, session=session)
    assert record["person"]["guardian_id"] == family.adult_id
    assert FAMILY not in json.dumps(record, ensure_ascii=False)
    assert record["dependants"] == [] and record["requests"] == []


def test_unknown_person_is_not_found(store: Any) -> None:
    with store.session() as session, pytest.raises(NotFound):
        privacy.person_record(999, session=session)


# --- the export --------------------------------------------------------------------------


def test_export_writes_json_and_pdf_named_after_the_reference(
    store: Any, family: Family, tmp_path: Path
) -> None:
    folder = tmp_path / "export"
    folder.mkdir()
    with store.transaction() as session:
        json_path, pdf_path = privacy.export_person(
            family.reference.lower(), folder, session=session, language="en"
        )
    assert json_path == folder / f"{family.reference}-access.json"
    assert pdf_path == folder / f"{family.reference}-access.pdf"
    assert sorted(p.name for p in folder.iterdir()) == sorted([json_path.name, pdf_path.name])
    if sys.platform != "win32":
        assert json_path.stat().st_mode & 0o077 == 0
        assert pdf_path.stat().st_mode & 0o077 == 0

    record = json.loads(json_path.read_text(encoding="utf-8"))
    assert record["format"] == privacy.RECORD_FORMAT
    assert record["person"]["family_name"] == FAMILY
    assert FAMILY in json_path.read_text(encoding="utf-8")  # UTF-8, not \u escapes

    text = _words(pdf_path)
    for expected in (
        FAMILY,
        GIVEN,
        MINOR_FAMILY,
        CHILD_WITH_CASE,
        "Maison Médicale du Midi",
        family.reference,
        family.child_reference,
        "Dr Amina Benali",
        "MP-778899",
        "20 Jan 2026",  # decided on
        "30 Jul 1985",  # birth date
        "85.07.30-002",  # NISS, formatted
        "Parle <un peu> français & anglais",
        "art. 15",
        "art. 17",
        "Page 1 of",
    ):
        assert expected in text, expected
    assert OTHER_FAMILY not in text
    # The desk's bookkeeping of edits stays in the JSON; the document names no worker.
    assert "updated_by" in record["person"] and "version" in record["requests"][0]
    for bookkeeping in ("updated_by", "version:"):
        assert bookkeeping not in text, bookkeeping

    with store.session() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "export")).one()
    assert entry.reference == family.reference
    assert entry.entity_id == family.adult_id


def test_export_in_french_and_dutch_formats_dates_for_the_language(
    store: Any, family: Family, tmp_path: Path
) -> None:
    for language, decided in (("fr", "20 janv. 2026"), ("nl", "20 jan 2026")):
        folder = tmp_path / language
        folder.mkdir()
        with store.transaction() as session:
            _json, pdf = privacy.export_person(
                family.reference, folder, session=session, language=language
            )
        text = _words(pdf)
        assert decided in text
        assert FAMILY in text


def test_export_names_the_transfer_the_follow_on_the_urgency_and_the_next_limit(
    store: Any, family: Family, tmp_path: Path
) -> None:
    """Each column of a request has its label and its value in words, in the document's
    language: nothing is listed as the desk stores it (``transferred_to_id: 18``,
    ``urgent: False``, a date in ISO)."""
    from amudesk.services import clock, filing
    from amudesk.services.directory import find_cpas

    with store.transaction() as session:
        first = session.exec(
            select(Request).where(Request.reference == family.open_reference)
        ).one()
        first.urgent, first.urgent_reason = True, "pregnancy"
        session.add(first)
        forest = find_cpas("Forest", session=session)
        assert forest is not None and first.id is not None
        clock.record_transfer(first.id, dt.date(2026, 2, 16), to_cpas_id=forest.id, session=session)
        second = filing.follow_on(first.id, dt.datetime(2026, 2, 17, 10, 0), session=session)
        assert second.id is not None
        filing.record_spp_referral(second.id, dt.date(2026, 2, 20), session=session)
        second_reference = second.reference
    raw_keys = (
        "transferred_to_id",
        "previous_id",
        "previous_reference",
        "first_filed_on",
        "spp_referred_on",
        "urgent:",
        "urgent_reason",
        "True",
        "next_due",
        "next_rule",
        "next_state",
        "2026-02-14",
        "2026-02-20",
    )
    for language, expected in (
        (
            "en",
            (
                "Sent to CPAS de Forest",
                f"Follow-on of request {family.open_reference}",
                "First filed on 14 Feb 2026",
                "Referred to the SPP IS on 20 Feb 2026",
                "Urgent Yes Why urgent Pregnancy",
                "Next deadline CPAS decision on the request: 19 Mar 2026 (Overdue)",
            ),
        ),
        (
            "fr",
            (
                "Envoyée au CPAS de Forest",
                f"Suite de la demande {family.open_reference}",
                "Première introduction le 14 févr. 2026",
                "SPP IS saisi le 20 févr. 2026",
                "Urgent Oui Motif de l'urgence Grossesse",
                "Prochain délai",
                "19 mars 2026 (En retard)",
            ),
        ),
        (
            "nl",
            (
                "Doorgestuurd naar OCMW Vorst",
                f"Vervolg op aanvraag {family.open_reference}",
                "Eerst ingediend op 14 feb 2026",
                "Voorgelegd aan de POD MI op 20 feb 2026",
                "Dringend Ja Waarom dringend Zwangerschap",
                "Volgende termijn",
                "19 mrt 2026 (Te laat)",
            ),
        ),
    ):
        folder = tmp_path / language
        folder.mkdir()
        with store.transaction() as session:
            json_path, pdf = privacy.export_person(
                second_reference, folder, session=session, language=language
            )
        text = _words(pdf)
        for words in expected:
            assert words in text, (language, words)
        for key in raw_keys:
            assert key not in text, (language, key)
    record = json.loads(json_path.read_text(encoding="utf-8"))
    follow = next(r for r in record["requests"] if r["reference"] == second_reference)
    assert follow["previous_reference"] == family.open_reference
    sent = next(r for r in record["requests"] if r["reference"] == family.open_reference)
    assert sent["transferred_to"]["name_nl"] == "OCMW Vorst"


def test_a_birth_date_stored_malformed_is_exported_as_it_is_kept(
    store: Any, family: Family, tmp_path: Path
) -> None:
    """Art. 15 is owed whatever an older version or a hand edit left in the database: the
    export does not fail on a birth date that is not one, it shows it as stored."""
    from sqlalchemy import text

    with store.transaction() as session:
        session.execute(
            text("UPDATE person SET birth_date = '1985-02-30' WHERE id = :id"),
            {"id": family.adult_id},
        )
    with store.transaction() as session:
        json_path, pdf = privacy.export_person(
            family.reference, tmp_path, session=session, language="fr"
        )
    assert "1985-02-30" in _words(pdf)
    assert json.loads(json_path.read_text(encoding="utf-8"))["person"]["birth_date"] == (
        "1985-02-30"
    )


def test_export_says_when_and_why_a_case_was_closed(
    store: Any, family: Family, tmp_path: Path
) -> None:
    from amudesk.services import closing

    with store.transaction() as session:
        request = session.exec(
            select(Request).where(Request.reference == family.open_reference)
        ).one()
        closing.close_case(
            request.id or 0,
            session=session,
            reason="other",
            note="Suivi par la maison médicale",
            today=dt.date(2026, 3, 2),
        )
    for language, expected in (
        ("en", ("Closed on", "2 Mar 2026", "Other reason (in the note)")),
        ("fr", ("Clôturé", "2 mars 2026", "Autre motif (dans la note)")),
        ("nl", ("Afgesloten", "2 mrt 2026", "Andere reden (in de notitie)")),
    ):
        folder = tmp_path / language
        folder.mkdir()
        with store.transaction() as session:
            json_path, pdf = privacy.export_person(
                family.reference, folder, session=session, language=language
            )
        text = _words(pdf)
        for words in (*expected, "Suivi par la maison médicale"):
            assert words in text, (language, words)
        record = json.loads(json_path.read_text(encoding="utf-8"))
        closed = [r for r in record["requests"] if r["reference"] == family.open_reference]
        assert closed[0]["closed_reason"] == "other"


def test_export_of_an_unknown_reference_writes_nothing(
    store: Any, family: Family, out: Path
) -> None:
    with store.transaction() as session:
        with pytest.raises(NotFound, match="AMU-2099-0001"):
            privacy.export_person("AMU-2099-0001", out, session=session, language="en")
        with pytest.raises(FieldError) as empty:
            privacy.export_person("  ", out, session=session, language="en")
        assert empty.value.field == "reference"
        with pytest.raises(FieldError) as missing:
            privacy.export_person(family.reference, out / "nowhere", session=session, language="en")
        assert missing.value.field == "folder"
        with pytest.raises(FieldError) as language:
            privacy.export_person(family.reference, out, session=session, language="de")
        assert language.value.field == "language"
    assert list(out.iterdir()) == []


def test_export_needs_the_office_profile(store: Any, out: Path) -> None:
    with store.transaction() as session:
        reference = _family(session).reference
        with pytest.raises(FieldError) as error:
            privacy.export_person(reference, out, session=session, language="en")
    assert error.value.field == "office"
    assert list(out.iterdir()) == []


def test_a_failing_export_leaves_no_file(
    store: Any, family: Family, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import amudesk.documents.access as access

    def broken(*_args: Any, **_kwargs: Any) -> bytes:
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(access, "render_access", broken)
    with pytest.raises(RuntimeError), store.transaction() as session:
        privacy.export_person(family.reference, out, session=session, language="en")
    assert list(out.iterdir()) == []


def test_an_export_that_cannot_be_written_leaves_no_file_and_no_audit_entry(
    store: Any, family: Family, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from amudesk import outputs

    def full_disk(_files: Any, **_kwargs: Any) -> list[Path]:
        raise outputs.OutputError("Folder: the disk is full")

    monkeypatch.setattr(outputs, "write_files", full_disk)
    with pytest.raises(FieldError, match="disk is full"), store.transaction() as session:
        privacy.export_person(family.reference, out, session=session, language="en")
    assert list(out.iterdir()) == []
    with store.session() as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "export")).all() == []


def test_files_are_written_all_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from amudesk import outputs

    first, second = tmp_path / "a.json", tmp_path / "a.pdf"
    real_replace = os.replace
    calls: list[Path] = []

    def failing_replace(source: Any, target: Any) -> None:
        calls.append(Path(target))
        if Path(target) == second:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", failing_replace)
    with pytest.raises(outputs.OutputError, match="the disk is full"):
        outputs.write_files({first: b"{}", second: b"%PDF"}, label="-o")
    assert calls == [first, second]
    assert list(tmp_path.iterdir()) == []


# --- erasure -----------------------------------------------------------------------------


def _traces(folder: Path, words: list[str]) -> dict[str, set[str]]:
    """Which of ``words`` appear in which file under ``folder``, in UTF-8 or UTF-16."""
    found: dict[str, set[str]] = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        for word in words:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if word.encode(encoding) in content:
                    found.setdefault(str(path.relative_to(folder)), set()).add(word)
    return found


def test_erasure_plan_counts_what_will_go(store: Any, family: Family) -> None:
    with store.session() as session:
        plan = privacy.plan_erasure(family.adult_id, session=session)
        assert session.get(Person, family.adult_id) is not None
    assert plan.done is False
    assert plan.people == 2  # the adult and the minor without requests of their own
    assert plan.dependants == 1
    assert plan.dependants_kept == (family.child_with_case_id,)
    assert plan.references == (family.reference, family.open_reference)
    assert (plan.requests, plan.open_requests) == (2, 1)
    assert (plan.attestations, plan.decisions, plan.deadline_marks) == (1, 1, 1)
    assert plan.photos == 1
    # SQLite's full-text index holds an entry per person; PostgreSQL's index lives in the row.
    assert plan.search_entries == (2 if store.is_sqlite else 0)


def test_erasure_removes_the_person_and_leaves_no_trace_in_the_data_folder(
    store: Any, family: Family, data_dir: Path
) -> None:
    with store.transaction() as session:
        report = privacy.erase_person(family.adult_id, session=session)
    privacy.compact(store)
    assert report.done
    assert (report.people, report.requests, report.decisions) == (2, 2, 1)

    with store.session() as session:
        assert session.get(Person, family.adult_id) is None
        assert session.get(Person, family.minor_id) is None
        kept = session.get(Person, family.child_with_case_id)
        assert kept is not None and kept.guardian_id is None
        references = set(session.exec(select(Request.reference)).all())
        assert references == {family.child_reference, family.other_reference}
        for model in (Aamu, Decision, DeadlineMark):
            assert session.exec(select(model)).all() == []
        assert [p.family_name for p in find_people("Kuznetsova", session=session)] == [
            CHILD_WITH_CASE
        ]
        assert find_people("stastna", session=session) == []
        assert [p.family_name for p in find_people("Dupont", session=session)] == [OTHER_FAMILY]
        erase = session.exec(select(AuditEntry).where(AuditEntry.action == "erase")).one()
        assert erase.entity_id == family.adult_id
        assert FAMILY not in erase.detail
    assert _traces(data_dir, [FAMILY, "Šťastná", MINOR_FAMILY, "MP-778899"]) == {}


def test_erased_bytes_leave_an_unencrypted_database_file_and_its_journal(
    tmp_path: Path,
) -> None:
    """The encrypted store hides every byte anyway; on a plain SQLite file the names are
    readable, so this shows that erasure + compact really remove them."""
    from amudesk.services.desk import open_desk

    folder = tmp_path / "plain"
    folder.mkdir()
    plain = open_desk(url=f"sqlite:///{folder / 'amudesk.sqlite3'}")
    try:
        with plain.transaction() as session:
            _office(session)
            family = _family(session)
        names = ["Šťastná", "stastna", MINOR_FAMILY, "MP-778899", "Benali"]
        assert _traces(folder, names)  # readable before: the check below means something
        with plain.transaction() as session:
            privacy.erase_person(family.adult_id, session=session)
        privacy.compact(plain)
        assert _traces(folder, names) == {}
        assert _traces(folder, [OTHER_FAMILY])  # somebody else's data are still there
        wal = folder / "amudesk.sqlite3-wal"
        assert not wal.exists() or wal.stat().st_size == 0
        with plain.session() as session:
            assert [p.family_name for p in find_people("dupont", session=session)] == [OTHER_FAMILY]
    finally:
        plain.close()


def test_erasing_a_dependant_leaves_the_adult(store: Any, family: Family) -> None:
    with store.transaction() as session:
        report = privacy.erase_person(family.child_with_case_id, session=session)
    assert (report.people, report.requests, report.dependants) == (1, 1, 0)
    with store.session() as session:
        adult = session.get(Person, family.adult_id)
        assert adult is not None
        assert session.get(Person, family.minor_id) is not None


def test_erasing_nobody_is_not_found(store: Any) -> None:
    with store.transaction() as session, pytest.raises(NotFound):
        privacy.erase_person(12345, session=session)


# --- retention ---------------------------------------------------------------------------


def _case(
    session: Session,
    name: str,
    received: dt.date,
    decision: DecisionData | None = None,
    *,
    guardian_id: int | None = None,
) -> tuple[int, str]:
    person = save_person(PersonData(family_name=name, given_names="Test"), session=session)
    if guardian_id is not None:
        person.guardian_id = guardian_id
        session.add(person)
    request = register_request(
        RequestData(
            person_id=person.id,
            cpas_id=_cpas_id(session),
            received_at=dt.datetime.combine(received, dt.time(10)),
        ),
        session=session,
    )
    assert request.id is not None and person.id is not None
    if decision is not None:
        record_decision(request.id, decision, session=session)
    return person.id, request.reference


def test_retention_lists_only_closed_cases_older_than_the_limit(store: Any) -> None:
    today = brussels_today()
    long_ago = privacy.years_before(today, 7)
    recent = today - dt.timedelta(days=400)

    def refusal(day: dt.date) -> DecisionData:
        return DecisionData(kind="refusal", decided_on=day, notified_on=day)

    with store.transaction() as session:
        refused_id, refused_ref = _case(session, "Refused", long_ago, refusal(long_ago))
        expired_id, _ = _case(
            session,
            "Expired",
            long_ago,
            DecisionData(
                kind="guarantee",
                decided_on=long_ago,
                valid_from=long_ago,
                valid_to=long_ago + dt.timedelta(days=90),
            ),
        )
        no_end_id, _ = _case(
            session, "NoEnd", long_ago, DecisionData(kind="principle", decided_on=long_ago)
        )
        _case(session, "StillOpen", long_ago)
        _case(session, "RecentRefusal", recent, refusal(recent))
        busy_id, _ = _case(session, "OldAndOpen", long_ago, refusal(long_ago))
        register_request(
            RequestData(
                person_id=busy_id,
                cpas_id=_cpas_id(session),
                received_at=dt.datetime.combine(recent, dt.time(9)),
            ),
            session=session,
        )
        _case(session, "Minor", long_ago, refusal(long_ago), guardian_id=refused_id)
        parent_id, _ = _case(session, "ParentOfBusy", long_ago, refusal(long_ago))
        _case(session, "BusyMinor", long_ago, guardian_id=parent_id)

    with store.session() as session:
        found = privacy.retention_candidates(session=session, years=5, today=today)
        by_id = {candidate.person_id: candidate for candidate in found}
        assert set(by_id) == {refused_id, expired_id, no_end_id}
        assert by_id[refused_id].reference == refused_ref
        assert by_id[refused_id].last_activity == long_ago
        assert by_id[expired_id].last_activity == long_ago + dt.timedelta(days=90)
        assert by_id[no_end_id].last_activity > long_ago  # valid 12 months when no end given
        assert privacy.retention_candidates(session=session, years=10, today=today) == []
        with pytest.raises(FieldError) as error:
            privacy.retention_candidates(session=session, years=0, today=today)
        assert error.value.field == "years"


def test_retention_counts_a_case_the_office_closed_as_ended_that_day(store: Any) -> None:
    """An open request the office closed (withdrawn, person gone) ends on its closing day:
    without that, a request nobody decided would keep its person's data for ever."""
    from amudesk.services import closing

    today = brussels_today()
    long_ago = privacy.years_before(today, 7)
    with store.transaction() as session:
        gone_id, gone_ref = _case(session, "Gone", long_ago)
        request_id = session.scalar(
            select(col(Request.id)).where(col(Request.reference) == gone_ref)
        )
        closing.close_case(
            request_id, session=session, reason="left", today=long_ago + dt.timedelta(days=40)
        )
        recent_id, recent_ref = _case(session, "ClosedLately", long_ago)
        request_id = session.scalar(
            select(col(Request.id)).where(col(Request.reference) == recent_ref)
        )
        closing.close_case(request_id, session=session, reason="withdrawn", today=today)
    with store.session() as session:
        found = privacy.retention_candidates(session=session, years=5, today=today)
    assert [(c.person_id, c.last_activity) for c in found] == [
        (gone_id, long_ago + dt.timedelta(days=40))
    ]
    assert recent_id not in {c.person_id for c in found}


def test_years_before_handles_29_february() -> None:
    assert privacy.years_before(dt.date(2028, 2, 29), 5) == dt.date(2023, 2, 28)
    assert privacy.years_before(dt.date(2026, 3, 1), 5) == dt.date(2021, 3, 1)


def test_full_names_are_read_in_batches_and_skip_the_erased(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(privacy, "NAMES_PER_QUERY", 2)
    families = [FAMILY, OTHER_FAMILY, CHILD_WITH_CASE]
    with store.transaction() as session:
        people = [
            save_person(PersonData(family_name=name, given_names=GIVEN), session=session)
            for name in families
        ]
        ids = [person.id for person in people if person.id is not None]
    assert len(ids) == 3
    with store.session() as session:
        names = privacy.full_names([*ids, max(ids) + 1000], session=session)
        assert privacy.full_names([], session=session) == {}
    assert names == {
        person_id: f"{name.upper()} {GIVEN}" for person_id, name in zip(ids, families, strict=True)
    }


# --- record of processing ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["cpas", "association"])
def test_record_of_processing_names_the_controller_and_the_articles(
    store: Any, tmp_path: Path, kind: str
) -> None:
    with store.transaction() as session:
        _office(session, kind)
    target = tmp_path / "record.pdf"
    with store.session() as session:
        written = privacy.write_record_of_processing(
            target, session=session, language="en", retention_years=7
        )
        record = privacy.record_of_processing(session=session, language="en")
    assert written == target
    text = _words(target)
    for expected in (
        "Maison Médicale du Midi",
        "Record of processing activities (GDPR art. 30)",
        "art. 30(1)(a)",
        "art. 9",
        "art. 57 to 60",
        "12 December 1996",
        "7 years",
        "SQLCipher",
        "Argon2id",
        "European Union",
    ):
        assert expected in text, expected
    assert ("art. 37(1)(a)" in text) == (kind == "cpas")
    assert record.letterhead.name == "Maison Médicale du Midi"
    assert "5 years" in " ".join(record.sections[7].paragraphs)


def test_record_of_processing_needs_the_office(store: Any, out: Path) -> None:
    with store.session() as session, pytest.raises(FieldError) as error:
        privacy.write_record_of_processing(out / "r.pdf", session=session, language="fr")
    assert error.value.field == "office"
    assert list(out.iterdir()) == []


# --- fonts -------------------------------------------------------------------------------


def test_fonts_are_registered_on_first_use_only_and_once() -> None:
    probe = (
        "import amudesk.documents.fonts as fonts\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "assert 'DejaVuSans' not in pdfmetrics.getRegisteredFontNames()\n"
        "names = fonts.register_fonts()\n"
        "assert fonts.register_fonts() is names\n"
        "assert {names.regular, names.bold, names.italic, names.bold_italic} <= set("
        "pdfmetrics.getRegisteredFontNames())\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=Path(__file__).parents[2])


def test_fonts_ship_with_their_licence() -> None:
    from amudesk.documents import fonts

    for face in fonts.FONT_FILES:
        assert fonts.font_path(face).is_file()
    licence = (fonts.FONTS_DIR / fonts.LICENCE_FILE).read_text(encoding="utf-8")
    assert "Bitstream Vera" in licence and "Arev" in licence


@pytest.mark.parametrize(
    ("typed", "safe"),
    [
        ("Dupont & Fils", "Dupont &amp; Fils"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ('say "hi"', "say &quot;hi&quot;"),
        ("line one\r\nline two", "line one<br/>line two"),
        ("bell\x07 and \x00nul", "bell and nul"),
        # Arabic is drawn joined, in visual order (tests/documents/test_glyphs.py).
        (
            "Кузнецова Nguyễn عبد الله",
            "Кузнецова Nguyễn \ufeea\ufee0\ufedf\ufe8d \ufeaa\ufe92\ufecb",
        ),
        (None, ""),
    ],
)
def test_paragraph_text_shows_user_text_as_typed(typed: str | None, safe: str) -> None:
    from amudesk.documents.fonts import paragraph_text

    assert paragraph_text(typed) == safe


def test_arabic_and_unknown_scripts_do_not_stop_a_document() -> None:
    from amudesk.documents.layout import Letterhead, PageFrame, render, stylesheet, text

    styles = stylesheet()
    pdf = render(
        [text("عبد الله بن محمد — 山田太郎 — Ἀθηνᾶ — Đặng", styles.body)],
        PageFrame(letterhead=Letterhead(name="Бюро"), language="fr"),
        title="test",
    )
    assert pdf.startswith(b"%PDF")


def test_file_names_never_leave_the_chosen_folder() -> None:
    from amudesk.services.privacy import access_file_names

    assert access_file_names("AMU-2026-0042") == (
        "AMU-2026-0042-access.json",
        "AMU-2026-0042-access.pdf",
    )
    for hostile in ("../../etc/passwd", "..\\..\\boot.ini", "/abs/path", "A/B"):
        for name in access_file_names(hostile):
            assert "/" not in name and "\\" not in name and not name.startswith(".")
