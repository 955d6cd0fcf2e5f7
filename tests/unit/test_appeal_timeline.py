"""An appeal in the case's timeline (filed, hearings, outcome), and the access export's PDF
showing the appeals, a refusal's reasons and the person's consents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from amudesk import i18n
from amudesk.refusals import REASONS
from amudesk.services import appeals, cases, consents, privacy
from amudesk.services.appeals import AppealData
from amudesk.services.cases import DecisionData, RequestData, register_request
from amudesk.services.consents import ConsentData
from amudesk.services.people import PersonData, save_person

pytestmark = pytest.mark.both_engines

RECEIVED = dt.datetime(2026, 1, 5, 10, 0)
COURT = "Tribunal du travail francophone de Bruxelles"


def _case(store: Any) -> tuple[int, int, str]:
    """A person with a refused request: (request id, person id, reference)."""
    from amudesk.services.directory import find_cpas
    from amudesk.services.office import save_office

    with store.transaction() as session:
        save_office(
            session=session,
            kind="association",
            name="Maison Médicale du Midi",
            address="Rue Haute 1\n1000 Bruxelles",
        )
        cpas = find_cpas("Saint-Gilles", session=session)
        assert cpas is not None
        person = save_person(
            PersonData(family_name="Kowalska", given_names="Zofia"), session=session
        )
        request = register_request(
            RequestData(person_id=person.id, cpas_id=cpas.id, received_at=RECEIVED),
            session=session,
        )
        cases.record_decision(
            request.id or 0,
            DecisionData(
                kind="refusal",
                decided_on=dt.date(2026, 1, 20),
                notified_on=dt.date(2026, 1, 22),
                reasons=[("no-identity-document", "Asked for a passport at the desk")],
            ),
            session=session,
        )
        return request.id or 0, person.id or 0, request.reference


def _appeal(store: Any, request_id: int, **changes: Any) -> int:
    data = AppealData(
        filed_on=dt.date(2026, 2, 10),
        filed_how="registered-letter",
        court=COURT,
        role_number="26/123/A",
        hearing_dates=[dt.date(2026, 4, 14), dt.date(2026, 3, 17)],
        outcome="granted",
        outcome_on=dt.date(2026, 5, 5),
    )
    for key, value in changes.items():
        setattr(data, key, value)
    with store.transaction() as session:
        return appeals.record_appeal(request_id, data, session=session).id or 0


def _timeline(store: Any, request_id: int) -> list[cases.TimelineEvent]:
    with store.session() as session:
        return cases.get_case(request_id, session=session).timeline


def test_the_timeline_holds_the_filing_the_hearings_and_the_outcome(store: Any) -> None:
    request_id, _person, _reference = _case(store)
    _appeal(store, request_id)
    events = [(e.day, e.kind, e.text) for e in _timeline(store, request_id)]
    appeal_events = [event for event in events if "appeal" in event[1] or event[1] == "hearing"]
    assert appeal_events == [
        (
            dt.date(2026, 2, 10),
            "appeal",
            f"Appeal filed at {COURT} (by registered letter). Role number 26/123/A.",
        ),
        (dt.date(2026, 3, 17), "hearing", f"Hearing at {COURT}."),
        (dt.date(2026, 4, 14), "hearing", f"Hearing at {COURT}."),
        (dt.date(2026, 5, 5), "appeal-outcome", "Appeal outcome: Granted."),
    ]
    # In order with the rest: after the decision and its notification.
    kinds = [kind for _day, kind, _text in events]
    assert kinds.index("notification") < kinds.index("appeal")
    with store.session() as session:
        detail = cases.get_case(request_id, session=session)
        assert [a.court for a in detail.appeals] == [COURT]
        assert detail.request.appealed_on == dt.date(2026, 2, 10)


def test_an_appeal_at_the_registry_without_court_or_outcome(store: Any) -> None:
    request_id, _person, _reference = _case(store)
    _appeal(
        store,
        request_id,
        filed_how="registry",
        court="",
        role_number="",
        hearing_dates=[],
        outcome=None,
        outcome_on=None,
    )
    texts = [e.text for e in _timeline(store, request_id) if e.kind in {"appeal", "hearing"}]
    assert texts == ["Appeal filed (handed in at the court's registry)."]
    assert not [e for e in _timeline(store, request_id) if e.kind == "appeal-outcome"]


def test_the_timeline_speaks_the_interface_language(store: Any) -> None:
    request_id, _person, _reference = _case(store)
    _appeal(store, request_id, outcome="rejected")
    i18n.set_locale("fr")
    texts = [e.text for e in _timeline(store, request_id)]
    # Not yet translated: the English falls back, the court stays as typed.
    assert any(COURT in text for text in texts)


# --- the access export ---------------------------------------------------------------


def _words(path: Path) -> str:
    from pypdf import PdfReader

    return " ".join("\n".join(p.extract_text() for p in PdfReader(path).pages).split())


@pytest.mark.parametrize("language", ["en", "fr", "nl"])
def test_the_access_pdf_shows_appeals_reasons_and_consents(
    store: Any, tmp_path: Path, language: str
) -> None:
    request_id, person_id, reference = _case(store)
    _appeal(store, request_id)
    with store.transaction() as session:
        consents.record_consent(
            person_id,
            ConsentData(
                given_on=dt.date(2026, 1, 5),
                how="oral",
                uses=["follow-up", "letters"],
                note="Witness: Jan Peeters",
            ),
            session=session,
        )
        consents.record_consent(
            person_id,
            ConsentData(given_on=dt.date(2026, 1, 6), how="signed", uses=["statistics"]),
            session=session,
        )
        withdrawn = consents.consents_of(person_id, session=session)[1]
        consents.withdraw_consent(withdrawn.id or 0, session=session, day=dt.date(2026, 2, 1))
    folder = tmp_path / "out"
    folder.mkdir()
    with store.transaction() as session:
        _json, pdf = privacy.export_person(reference, folder, session=session, language=language)
    text = _words(pdf)
    assert COURT in text
    assert "26/123/A" in text
    assert "Jan Peeters" in text  # the consent's note
    assert "Asked for a passport at the desk" in text  # the reason's explanation
    # Nothing of it lands among the columns not known to the renderer.
    assert "appeals:" not in text and "hearing_dates" not in text
    if language == "en":
        assert "Appeals to the labour court" in text
        assert "Granted, on 5 May 2026" in text
        assert "Hearings" in text and "17 Mar 2026" in text and "14 Apr 2026" in text
        assert "Your consent" in text
        assert "Given orally, before a witness" in text
        assert "Letters on the person's behalf (mandate)" in text
        assert "1 Feb 2026" in text  # the withdrawal
        assert "not withdrawn" in text
        assert "Reasons given by the CPAS" in text
        assert REASONS["no-identity-document"].label in text
    else:
        # The dates in the document's language.
        month = "mai" if language == "fr" else "mei"
        assert f"5 {month} 2026" in text
