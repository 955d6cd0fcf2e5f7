"""A disk that fills up while the desk writes: nothing half-written, no number consumed.

Where this test run may mount file systems (root on Linux), a small tmpfs is made and
filled for real; elsewhere those tests are skipped and the same promises are checked
with a writer that fails the way a full disk does (ENOSPC), which always runs.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from sqlmodel import select

from amudesk import outputs
from amudesk.models import AuditEntry, Document
from amudesk.services.desk import open_desk
from tests.adversarial.common import REFERENCE, one_line, run
from tests.disks import empty_fillers, fill
from tests.keys import FAST_KDF, PASSPHRASE


def audit_actions(data: Path) -> list[str]:
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            return [entry.action for entry in session.exec(select(AuditEntry)).all()]
    finally:
        store.close()


def documents(data: Path) -> list[str]:
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            return [document.number for document in session.exec(select(Document)).all()]
    finally:
        store.close()


@pytest.fixture
def failing_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder where every write of an output fails as on a full disk."""
    folder = tmp_path / "failing"
    folder.mkdir()
    real_fsync = outputs.os.fsync

    def fsync(fd: int) -> None:
        target = Path(f"/proc/self/fd/{fd}").resolve()
        if target.parent == folder:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(outputs.os, "fsync", fsync)
    return folder


@pytest.fixture(params=["tmpfs", "failing writer"])
def full(request: pytest.FixtureRequest) -> Path:
    """A folder with no room left: a real tmpfs filled up where this run may mount one,
    and, everywhere, a folder whose writer fails as a full disk does."""
    if request.param == "tmpfs":
        folder: Path = request.getfixturevalue("small_disk")
        fill(folder)
        return folder
    failing: Path = request.getfixturevalue("failing_disk")
    return failing


def test_a_document_on_a_full_disk(
    capsys: pytest.CaptureFixture[str], desk: Path, full: Path, tmp_path: Path
) -> None:
    roomy = tmp_path / "roomy"
    roomy.mkdir()
    before = audit_actions(desk).count("print")
    receipt = ["document", "receipt", "--reference", REFERENCE, "-o"]
    code, out, err = run(capsys, desk, *receipt, str(full / "receipt.pdf"))
    assert code == 2 and out == ""
    assert "the disk is full" in one_line(err)
    assert [p.name for p in full.iterdir() if not p.name.startswith("filler")] == []
    assert documents(desk) == []
    assert audit_actions(desk).count("print") == before
    # The number the failed try would have had goes to the next document, which exists.
    code, out, _err = run(capsys, desk, *receipt, str(roomy / "receipt.pdf"))
    assert code == 0
    number = out.split()[0]
    assert number.endswith("-00001")
    assert documents(desk) == [number]
    assert (roomy / "receipt.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_export_on_a_full_disk(
    capsys: pytest.CaptureFixture[str], desk: Path, full: Path, suffix: str
) -> None:
    code, out, err = run(capsys, desk, "export", str(full / f"requests{suffix}"))
    assert code == 2 and out == ""
    assert "the disk is full" in one_line(err)
    assert [p.name for p in full.iterdir() if not p.name.startswith("filler")] == []
    assert "export" not in audit_actions(desk)


@pytest.mark.parametrize(
    ("option", "name"),
    [("--csv", "f.csv"), ("--xlsx", "f.xlsx"), ("--pdf", "report.pdf"), ("--extract", "e.csv")],
)
def test_statistics_on_a_full_disk(
    capsys: pytest.CaptureFixture[str], desk: Path, full: Path, option: str, name: str
) -> None:
    code, out, err = run(capsys, desk, "stats", option, str(full / name))
    assert code == 2 and out == ""
    assert "the disk is full" in one_line(err)
    assert [p.name for p in full.iterdir() if not p.name.startswith("filler")] == []


def test_an_import_into_a_data_folder_on_a_full_disk(
    capsys: pytest.CaptureFixture[str], small_disk: Path, tmp_path: Path
) -> None:
    data = small_disk / "data"
    open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    rows = ["family_name,given_names,cpas,filed_on"]
    rows += [f"Nom{n},Prénom,Ixelles,2026-11-02" for n in range(3000)]
    sheet = tmp_path / "requests.csv"
    sheet.write_text("\n".join(rows) + "\n", encoding="utf-8")
    fill(small_disk)
    code, out, err = run(capsys, data, "import", str(sheet))
    assert code == 2 and out == ""
    assert "full" in one_line(err)
    empty_fillers(small_disk)
    code, out, err = run(capsys, data, "check")
    assert (code, err) == (0, ""), err
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        from amudesk.models import Request

        with store.session() as session:
            assert session.exec(select(Request)).all() == []
    finally:
        store.close()


def test_a_directory_import_into_a_data_folder_on_a_full_disk(
    capsys: pytest.CaptureFixture[str], small_disk: Path, tmp_path: Path
) -> None:
    """Every CPAS's address and address in Dutch, on a disk with no byte left: one line,
    and the directory as it was once there is room again."""
    from amudesk.models import Cpas

    data = small_disk / "data"
    open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF).close()
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            names = [cpas.name_fr for cpas in session.exec(select(Cpas)).all()]
    finally:
        store.close()
    street = "Rue de la Loi 1 " * 25  # 400 characters, in each of the 19 rows
    rows = ["cpas;address;address_nl"] + [f'"{name}";"{street}";"{street}"' for name in names]
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    fill(small_disk)
    code, out, err = run(capsys, data, "directory", "import", str(contacts))
    assert code == 2 and out == ""
    assert "full" in one_line(err)
    empty_fillers(small_disk)
    assert run(capsys, data, "check")[0] == 0
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.session() as session:
            assert all(not c.address and not c.address_nl for c in session.exec(select(Cpas)))
    finally:
        store.close()
