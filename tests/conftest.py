"""Shared fixtures: every test gets its own data folder; nothing touches the user's."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.keys import FAST_KDF, PASSPHRASE

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    from amudesk import i18n

    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("AMUDESK_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "share"))
    monkeypatch.setenv("AMUDESK_PASSPHRASE", PASSPHRASE)  # the command line and the app use it
    before = i18n.get_locale()
    i18n.set_locale("en")
    yield
    i18n.set_locale(before)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path):  # type: ignore[no-untyped-def]
    from amudesk.services.desk import open_desk

    opened = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    yield opened
    opened.close()


@pytest.fixture
def session(store):  # type: ignore[no-untyped-def]
    with store.session() as opened:
        yield opened


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MiB tmpfs of this test's own (see tests/disks.py); skipped where this run may
    not mount one."""
    from tests.disks import tmpfs

    with tmpfs(tmp_path / "small", "4m") as mount_point:
        yield mount_point
