"""What the hostile tests share: a real encrypted desk, the command line, snapshots."""

from __future__ import annotations

import datetime as dt
import hashlib
import stat
from pathlib import Path

import pytest

from amudesk.backups import make_backup
from amudesk.cli import main
from amudesk.services import cases, office, people
from amudesk.services.desk import open_desk
from amudesk.services.directory import list_cpas
from tests.keys import FAST_KDF, PASSPHRASE

REFERENCE = "AMU-2026-0001"


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``: its mode and the SHA-256 of its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        status = path.lstat()
        if stat.S_ISREG(status.st_mode):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[str(path.relative_to(folder))] = (status.st_mode, digest)
    return found


def run(capsys: pytest.CaptureFixture[str], data: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", "--data-dir", str(data), *args])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    return err


def make_desk(data: Path) -> Path:
    """A data folder with an office, one person and one request, and one backup."""
    store = open_desk(data, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.transaction() as session:
            office.save_office(
                session=session,
                kind="association",
                name="Accueil Santé",
                address="Rue Haute 1\n1000 Bruxelles",
            )
            person = people.save_person(
                people.PersonData(family_name="Dupont", given_names="Marie"), session=session
            )
            cpas = list_cpas(session=session)[0]
            cases.register_request(
                cases.RequestData(
                    person_id=person.id,
                    cpas_id=cpas.id,
                    received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=3),
                    reference=REFERENCE,
                ),
                session=session,
            )
        make_backup(store)
    finally:
        store.close()
    return data
