"""Fixtures for the window tests: an office profile, cases made through the services, fake forms."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from amudesk.dates import brussels_today

RECEIVED = dt.datetime(2026, 1, 5, 10, 0)


@pytest.fixture(autouse=True)
def holiday_calendar() -> None:
    """The case panel reads the holiday calendar in the background the first time; the
    window tests start with it read, so that clocks show at once (tests/ui/test_mainwindow
    checks the background path itself)."""
    from amudesk.deadlines import load_holidays

    load_holidays(brussels_today())


@pytest.fixture(autouse=True)
def missing_contacts_asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    """The question "the document would print without…" is answered "issue as it is" (the
    test offices have no phone or address); the calls are kept for the tests of it."""
    from amudesk.ui import missingcontacts

    asked: list[tuple[str, list[Any]]] = []

    def answer(_parent: Any, kind: str, missing: Any) -> str:
        asked.append((kind, list(missing)))
        return missingcontacts.ISSUE

    monkeypatch.setattr(missingcontacts, "choose", answer)
    return asked


@pytest.fixture
def office(store: Any) -> Any:
    """An office profile, so that the first-run form is not asked for."""
    from amudesk.services.office import save_office

    with store.transaction() as session:
        return save_office(session=session, kind="association", name="Maison Médicale du Midi")


@pytest.fixture
def cpas_ids(store: Any) -> list[int]:
    from amudesk.services.directory import list_cpas

    with store.session() as session:
        return [c.id for c in list_cpas(session=session) if c.id is not None]


def make_case(
    session: Any,
    cpas_id: int,
    family_name: str,
    given_names: str = "",
    *,
    received_at: dt.datetime = RECEIVED,
    niss: str = "",
) -> tuple[int, str]:
    """A person and their request; returns (request id, reference)."""
    from amudesk.services.cases import RequestData, register_request
    from amudesk.services.people import PersonData, save_person

    person = save_person(
        PersonData(family_name=family_name, given_names=given_names, niss=niss), session=session
    )
    request = register_request(
        RequestData(person_id=person.id, cpas_id=cpas_id, received_at=received_at),
        session=session,
    )
    assert request.id is not None
    return request.id, request.reference


@pytest.fixture
def add_case(store: Any, cpas_ids: list[int]) -> Callable[..., tuple[int, str]]:
    def add(family_name: str, given_names: str = "", **kwargs: Any) -> tuple[int, str]:
        cpas_id = kwargs.pop("cpas_id", cpas_ids[0])
        with store.transaction() as session:
            return make_case(session, cpas_id, family_name, given_names, **kwargs)

    return add


@pytest.fixture
def three_cases(add_case: Callable[..., tuple[int, str]]) -> dict[str, tuple[int, str]]:
    """Nguyễn (oldest), Öztürk, Dupont (newest): name → (request id, reference)."""
    return {
        "nguyen": add_case("Nguyễn", "Văn An", received_at=dt.datetime(2026, 1, 5, 9, 0)),
        "ozturk": add_case("Öztürk", "Ayşe", received_at=dt.datetime(2026, 1, 6, 9, 0)),
        "dupont": add_case("Dupont", "Marie", received_at=dt.datetime(2026, 1, 7, 9, 0)),
    }


def bulk_cases(store: Any, cpas_id: int, count: int) -> None:
    """``count`` people with one request each, in one transaction."""
    start = dt.datetime(2025, 1, 1, 9, 0)
    with store.transaction() as session:
        for number in range(count):
            make_case(
                session,
                cpas_id,
                f"Person{number:04d}",
                "Test",
                received_at=start + dt.timedelta(hours=number),
            )


@pytest.fixture
def main_window(qtbot: Any, store: Any, data_dir: Path, office: Any) -> Iterator[Any]:
    from amudesk.ui.mainwindow import MainWindow

    window = MainWindow(store, data_dir)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    yield window


@pytest.fixture
def fake_dialog(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str, type], None]:
    """Replace a modal form by a class of the test: in its module and in every window module
    that imported it (imports sit at the top of modules, so each holds its own name)."""

    def install(module_name: str, class_name: str, cls: type) -> None:
        original = getattr(importlib.import_module(module_name), class_name)
        for name, module in list(sys.modules.items()):
            if name.startswith("amudesk.ui") and getattr(module, class_name, None) is original:
                monkeypatch.setattr(module, class_name, cls)

    return install
