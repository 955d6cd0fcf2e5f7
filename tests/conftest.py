"""Shared fixtures: every test gets its own data folder; nothing touches the user's."""

from __future__ import annotations

import os
import re
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


ENGINES = ("sqlite", "postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_engines: the test's store (and session) on SQLite, then on PostgreSQL",
    )
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): in a both_engines module, a test of what only SQLite has",
    )
    config.addinivalue_line(
        "markers",
        "postgres_only: the test's store on PostgreSQL only (what only a shared database has)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked both_engines that uses the store runs once per engine; the
    PostgreSQL run is skipped, with the reason shown, where no server is at hand."""
    if "engine" not in metafunc.fixturenames:
        return
    only_postgres = metafunc.definition.get_closest_marker("postgres_only") is not None
    if metafunc.definition.get_closest_marker("both_engines") is None and not only_postgres:
        return
    if metafunc.definition.get_closest_marker("sqlite_only") is not None:
        return
    from tests import postgres

    on_postgres = pytest.param(
        "postgres",
        marks=pytest.mark.skipif(not postgres.available(), reason=postgres.SKIP_REASON),
    )
    engines = [on_postgres] if only_postgres else [pytest.param("sqlite"), on_postgres]
    metafunc.parametrize("engine", engines, indirect=True)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say on which engines the both_engines tests ran: a skipped half is never silent.
    Counted from the reports (with pytest-xdist the workers collect, not this process)."""
    from tests import postgres

    nodeids = {
        report.nodeid
        for reports in terminalreporter.stats.values()
        for report in reports
        if isinstance(getattr(report, "nodeid", None), str)
    }
    on_postgres = sum(1 for nodeid in nodeids if re.search(r"\[postgres[-\]]", nodeid))
    if not on_postgres:
        return
    if postgres.available():
        terminalreporter.write_line(
            f"both_engines tests: SQLite and PostgreSQL (a real server; {on_postgres} "
            "tests on PostgreSQL)"
        )
    else:
        terminalreporter.write_line(
            f"{postgres.SKIP_REASON} ({on_postgres} tests skipped)", yellow=True
        )


def pytest_sessionfinish(session: pytest.Session) -> None:
    from tests import postgres

    if postgres.available():
        postgres.drop_all()


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    """The store's engine: "sqlite" unless the test is marked both_engines."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def store(data_dir: Path, engine: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from amudesk.services.desk import open_desk

    if engine == "postgres":
        from tests import postgres

        with postgres.fresh_database() as url:
            # The command line run by the test works on the same database.
            monkeypatch.setenv("AMUDESK_DATABASE_URL", url)
            opened = open_desk(data_dir, url=url)
            yield opened
            opened.close()
        return
    opened = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    yield opened
    opened.close()


@pytest.fixture
def command_line_account(store, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """On a shared database the command line signs in: an administrator's account for the
    test's commands ($AMUDESK_USER, $AMUDESK_PASSWORD). Nothing on SQLite."""
    if store.is_sqlite:
        return
    from amudesk.services import accounts

    password = "test administrator's long passphrase"
    with store.transaction() as session:
        accounts.add_account(
            "Test Administrator", "administrator", session=session, password=password
        )
    monkeypatch.setenv("AMUDESK_USER", "Test Administrator")
    monkeypatch.setenv("AMUDESK_PASSWORD", password)


@pytest.fixture
def open_same(data_dir: Path, store):  # type: ignore[no-untyped-def]
    """Opens the test's store again, as another process or worker would: its own
    connections to the same database (the data folder's file, or the same server's)."""
    from amudesk.services.desk import open_desk

    def opened():  # type: ignore[no-untyped-def]
        if store.is_sqlite:
            return open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
        return open_desk(data_dir, url=store.url)

    return opened


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
