"""Issuing documents: numbers that are never reused or skipped, the archived copy exactly
as handed out, the audit entry, and the command line."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from amudesk.cli import main
from amudesk.models import Document
from amudesk.services import NotFound, audit, documents
from amudesk.services.cases import RequestData, register_request
from amudesk.services.directory import list_cpas
from amudesk.services.office import save_office
from amudesk.services.people import PersonData, save_person
from amudesk.store import Store
from tests.unit.test_cli import only_notes

pytestmark = pytest.mark.both_engines

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def make_request(
    store: Store, family: str = "Šťastná-Ivanova", given: str = "Мария", niss: str = "85073003328"
) -> int:
    with store.transaction() as session:
        if session.scalar(select(Document.id).limit(1)) is None:
            from amudesk.services.office import get_office

            if get_office(session=session) is None:
                save_office(session=session, kind="cpas", name="CPAS de Test", address="Rue 1")
        cpas = list_cpas(session=session)[0]
        person = save_person(
            PersonData(family_name=family, given_names=given, niss=niss),
            session=session,
        )
        request = register_request(
            RequestData(person_id=person.id, cpas_id=cpas.id, received_at=NOW),
            session=session,
        )
        assert request.id is not None
        return request.id


def pdf_text(data: bytes) -> str:
    import io

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_a_receipt_is_numbered_archived_and_audited(store: Store) -> None:
    request_id = make_request(store)
    with store.transaction() as session:
        first = documents.issue_receipt(request_id, session=session, language="fr", now=NOW)
        second = documents.issue_receipt(request_id, session=session, language="nl", now=NOW)
    assert (first.number, second.number) == ("AR-2026-00001", "AR-2026-00002")
    assert first.sha256 == hashlib.sha256(first.pdf).hexdigest()
    text = pdf_text(first.pdf)
    assert "AR-2026-00001" in text and "Šťastná-Ivanova" in text and "Мария" in text
    with store.session() as session:
        listed = documents.documents_of_request(request_id, session=session)
        assert [d.number for d in listed] == ["AR-2026-00002", "AR-2026-00001"]
        assert documents.archived_pdf(first.id or 0, session=session) == first.pdf
        last = audit.entries(session=session, limit=1)[0]
        assert (last.action, last.entity, last.entity_id) == ("print", "document", second.id)
        assert "Šťastná" not in last.detail
        with pytest.raises(NotFound):
            documents.archived_pdf(999_999, session=session)


def test_an_altered_archive_copy_is_refused(store: Store) -> None:
    request_id = make_request(store)
    with store.transaction() as session:
        issued = documents.issue_receipt(request_id, session=session, language="en", now=NOW)
        issued.pdf = issued.pdf[:-1] + b"%"
    with store.session() as session, pytest.raises(Exception, match="fingerprint"):
        documents.archived_pdf(issued.id or 0, session=session)


def test_receipt_numbers_survive_concurrent_issuing(store: Store, open_same: Any) -> None:
    """Four threads, each with its own connection, issue receipts at once: every number is
    different and none is skipped."""
    request_id = make_request(store)
    errors: list[BaseException] = []

    def issue(count: int) -> None:
        own = open_same()
        try:
            for _ in range(count):
                with own.transaction() as session:
                    documents.issue_receipt(request_id, session=session, language="en", now=NOW)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            own.close()

    threads = [threading.Thread(target=issue, args=(5,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with store.session() as session:
        numbers = sorted(session.scalars(select(Document.number)))
    assert numbers == [f"AR-2026-{n:05d}" for n in range(1, 21)]


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.usefixtures("command_line_account")
def test_the_command_line_writes_the_archived_receipt(
    capsys: pytest.CaptureFixture[str], data_dir: Path, store: Store, open_same: Any, tmp_path: Path
) -> None:
    request_id = make_request(store)
    with store.session() as session:
        from amudesk.models import Request

        reference = session.get(Request, request_id).reference  # type: ignore[union-attr]
    store.close()
    target = tmp_path / "receipt.pdf"
    code, out, err = run(
        capsys,
        data_dir,
        "document",
        "receipt",
        "--reference",
        reference,
        "--lang",
        "nl",
        "-o",
        str(target),
    )
    assert code == 0 and only_notes(err)
    assert out.startswith("AR-")
    reopened = open_same()
    try:
        with reopened.session() as session:
            kept: Any = session.scalars(select(Document)).one()
    finally:
        reopened.close()
    assert target.read_bytes() == kept.pdf and kept.language == "nl"
    missing = tmp_path / "none.pdf"
    code, out, err = run(
        capsys,
        data_dir,
        "document",
        "receipt",
        "--reference",
        "AMU-1999-0001",
        "-o",
        str(missing),
    )
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert not missing.exists()


def test_erasing_a_person_removes_their_archived_documents(store: Store) -> None:
    from amudesk.models import Request
    from amudesk.services import privacy

    request_id = make_request(store)
    with store.transaction() as session:
        documents.issue_receipt(request_id, session=session, language="fr", now=NOW)
        person_id = session.get(Request, request_id).person_id  # type: ignore[union-attr]
        record = privacy.person_record(person_id, session=session)
    assert [d["number"] for d in record["documents_issued"]] == ["AR-2026-00001"]
    with store.transaction() as session:
        privacy.erase_person(person_id, session=session)
    with store.session() as session:
        assert session.scalars(select(Document)).all() == []
