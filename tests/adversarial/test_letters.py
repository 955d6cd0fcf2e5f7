"""Hostile cases for the letters, their command and the new office field: an output path
into the data folder, a full disk, hostile references and hostile text in an edited body
or a court address. One clear line (or a FieldError naming the field), and nothing
numbered, archived or changed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import col, select

from amudesk.models import Document, Office, Request
from amudesk.services import FieldError, cases, consents, directory
from amudesk.services import letters as letter_service
from amudesk.services.desk import open_desk
from tests.adversarial.common import REFERENCE, one_line, run, snapshot
from tests.adversarial.test_full_disk import failing_disk, full
from tests.keys import FAST_KDF, PASSPHRASE

__all__ = ["failing_disk", "full"]  # the fixtures, used below

LETTER = ["document", "reasons-request", "--reference", REFERENCE, "-o"]


@pytest.fixture
def letter_desk(desk: Path) -> Path:
    """The hostile tests' desk, made ready for a request for a reasoned decision: the
    person's mandate, the CPAS's address, a refusal."""
    store = open_desk(desk, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.transaction() as session:
            request = session.scalar(select(Request).where(col(Request.reference) == REFERENCE))
            assert request is not None
            cpas = directory.get_cpas(request.cpas_id, session=session)
            cpas.address = "Rue du CPAS 1\n1000 Bruxelles"
            session.add(cpas)
            consents.record_consent(
                request.person_id,
                consents.ConsentData(
                    given_on=cases.local_date(request.received_at), uses=["letters"]
                ),
                session=session,
            )
            cases.record_decision(
                request.id or 0,
                cases.DecisionData(
                    kind="refusal", decided_on=cases.local_date(request.received_at)
                ),
                session=session,
            )
    finally:
        store.close()
    return desk


def letters_issued(data: Path) -> list[str]:
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            return list(session.scalars(select(col(Document.number))))
    finally:
        store.close()


def test_a_letter_into_the_data_folder_is_refused_before_any_number(
    capsys: pytest.CaptureFixture[str], letter_desk: Path
) -> None:
    before = snapshot(letter_desk)
    for target in (letter_desk / "letter.pdf", letter_desk / "backups" / "letter.pdf"):
        code, out, err = run(capsys, letter_desk, *LETTER, str(target))
        assert code == 2 and out == ""
        assert "inside the data folder" in one_line(err)
    assert snapshot(letter_desk) == before


def test_a_letter_on_a_full_disk_takes_no_number(
    capsys: pytest.CaptureFixture[str], letter_desk: Path, full: Path, tmp_path: Path
) -> None:
    code, out, err = run(capsys, letter_desk, *LETTER, str(full / "letter.pdf"))
    assert code == 2 and out == ""
    assert "the disk is full" in one_line(err)
    assert letters_issued(letter_desk) == []
    roomy = tmp_path / "roomy"
    roomy.mkdir()
    code, out, _err = run(capsys, letter_desk, *LETTER, str(roomy / "letter.pdf"))
    assert code == 0 and out.startswith("DM-") and out.split()[0].endswith("-00001")


@pytest.mark.parametrize(
    "reference",
    ["\u202eAMU-2026-0001", "AMU-2026-0001\x1b[2J", '=HYPERLINK("x")', "x" * 10_000, ""],
)
def test_a_hostile_reference_is_one_line(
    capsys: pytest.CaptureFixture[str], letter_desk: Path, tmp_path: Path, reference: str
) -> None:
    before = snapshot(letter_desk)
    code, out, err = run(
        capsys,
        letter_desk,
        "document",
        "appeal",
        "--reference",
        reference,
        "-o",
        str(tmp_path / "a.pdf"),
    )
    assert code == 2 and out == ""
    line = one_line(err)
    assert "\u202e" not in line and "\x1b" not in line and len(line) < 400
    assert snapshot(letter_desk) == before
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (["Madame,", "Texte \u202e inversé"], "U+202E"),
        (["Madame,", "bell \x07 here"], "U+0007"),
        (["Madame,", "中文的信"], "Text of the letter"),
        (["x" * 3001], "Text of the letter"),
        (["a"] * 41, "Text of the letter"),
        (["", "   "], "Text of the letter"),
    ],
)
def test_a_hostile_edited_body_is_refused_and_takes_no_number(
    letter_desk: Path, body: list[str], message: str
) -> None:
    store = open_desk(letter_desk, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            request_id = session.scalar(
                select(col(Request.id)).where(col(Request.reference) == REFERENCE)
            )
        with store.transaction() as session, pytest.raises(FieldError) as error:
            letter_service.issue_letter(
                request_id or 0, "reasons-request", session=session, body=body
            )
        assert error.value.field == "body" and message in error.value.message
    finally:
        store.close()
    assert letters_issued(letter_desk) == []


def test_a_formula_in_a_body_is_printed_as_text(letter_desk: Path) -> None:
    """A PDF runs nothing: a formula is words like any other, printed as typed."""
    store = open_desk(letter_desk, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            request_id = session.scalar(
                select(col(Request.id)).where(col(Request.reference) == REFERENCE)
            )
        with store.transaction() as session:
            issued = letter_service.issue_letter(
                request_id or 0,
                "reasons-request",
                session=session,
                body=["=cmd|'/c calc'!A0", "@SUM(1+1)"],
                now=dt.datetime.now(dt.UTC),
            )
    finally:
        store.close()
    import io

    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(issued.pdf)).pages)
    assert "=cmd|'/c calc'!A0" in text and "@SUM(1+1)" in text


@pytest.mark.parametrize(
    "value", ["Arbeidsrechtbank\u202e", "Rechtbank\x00", "x" * 5000, "中文法院"]
)
def test_a_hostile_dutch_court_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str], desk: Path, value: str
) -> None:
    def court() -> str:
        store = open_desk(desk, passphrase=PASSPHRASE, kdf=FAST_KDF)
        try:
            with store.session() as session:
                office = session.scalar(select(Office))
                assert office is not None
                return office.labour_court_address_nl
        finally:
            store.close()

    before = court()
    code, out, err = run(capsys, desk, "office", "set", "labour-court-address-nl", value)
    assert code == 2 and out == ""
    line = one_line(err)
    assert "\u202e" not in line and "\x00" not in line and len(line) < 400
    assert court() == before
