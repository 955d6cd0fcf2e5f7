"""``amudesk deadlines``: listing, JSON, what-if day, window, calendar file, bad options."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from sqlmodel import select

from amudesk.cli import main
from amudesk.services import cases, clock, directory, people
from amudesk.services.cases import DecisionData, RequestData
from amudesk.services.desk import open_desk
from amudesk.services.people import PersonData
from amudesk.settings import Settings, save_settings
from tests.keys import FAST_KDF, PASSPHRASE

D = dt.date
JSON_KEYS = {
    "reference",
    "rule",
    "due",
    "last_day",
    "moved",
    "actor",
    "state",
    "actionable",
    "explanation",
    "handled",
    "snoozed_until",
}


def run(
    capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str, lang: str | None = "en"
) -> tuple[int, str, str]:
    code = main([*(["--lang", lang] if lang else []), "--data-dir", str(data_dir), *args])
    out, err = capsys.readouterr()
    return code, out, err


def listing(capsys: pytest.CaptureFixture[str], data_dir: Path, *args: str) -> list[dict[str, Any]]:
    code, out, err = run(capsys, data_dir, "deadlines", "--json", *args)
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert isinstance(records, list)
    return records


@pytest.fixture
def filled(data_dir: Path) -> dict[str, str]:
    """Three cases; returns their references by name.

    * ``open``: received Thu 16 Jul 2026, no decision: decision due Sat 15 Aug (Assumption);
    * ``refused``: received 1 Jul, refused 10 Jul, notified by hand on Wed 15 Jul: appeal
      from 16 Jul, 3 months, last day Thu 15 Oct 2026; the decision clock is done;
    * ``early``: received 1 Jun 2026, no decision: decision due 1 Jul, handled by a mark.
    """
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.transaction() as session:
            cpas = directory.find_cpas("Schaerbeek", session=session)
            assert cpas is not None
            references = {}
            for name, received in (
                ("open", dt.datetime(2026, 7, 16, 9, 0)),
                ("refused", dt.datetime(2026, 7, 1, 9, 0)),
                ("early", dt.datetime(2026, 6, 1, 9, 0)),
            ):
                person = people.save_person(
                    PersonData(family_name="Coulibaly", given_names=f"Awa {name}"),
                    session=session,
                )
                request = cases.register_request(
                    RequestData(person_id=person.id, cpas_id=cpas.id, received_at=received),
                    session=session,
                )
                references[name] = request.reference
                if name == "refused":
                    cases.record_decision(
                        request.id or 0,
                        DecisionData(
                            kind="refusal",
                            decided_on=D(2026, 7, 10),
                            notified_on=D(2026, 7, 15),
                            notification_method="hand",
                        ),
                        session=session,
                    )
                if name == "early":
                    clock.mark_deadline(
                        request.id or 0,
                        "decision",
                        session=session,
                        kind="handled",
                        today=D(2026, 6, 2),
                    )
    finally:
        store.close()
    return references


def test_an_empty_data_folder_lists_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert run(capsys, data_dir, "deadlines") == (0, "", "")
    assert run(capsys, data_dir, "deadlines", "--json") == (0, "[]\n", "")
    assert run(capsys, data_dir, "deadlines", "--json", "--within", "30") == (0, "[]\n", "")


def test_json_lists_every_deadline_with_the_documented_keys(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    records = listing(capsys, data_dir, "--on", "2026-08-14")
    assert records and all(set(r) == JSON_KEYS for r in records)
    by = {(r["reference"], r["rule"]): r for r in records}
    assert set(by) == {
        (filled["open"], "decision"),
        (filled["open"], "appeal-no-decision"),
        (filled["refused"], "decision"),
        (filled["refused"], "appeal-no-decision"),
        (filled["refused"], "notification"),
        (filled["refused"], "appeal"),
        (filled["early"], "decision"),
        (filled["early"], "appeal-no-decision"),
    }
    decision = by[(filled["open"], "decision")]
    assert decision == {
        **decision,
        "due": "2026-08-15",
        "last_day": "2026-08-15",
        "moved": False,
        "actor": "cpas",
        "state": "upcoming",
        "handled": False,
        "snoozed_until": None,
    }
    assert "Assumption" in decision["explanation"]
    appeal = by[(filled["refused"], "appeal")]
    assert (appeal["last_day"], appeal["due"], appeal["actor"]) == (
        "2026-10-15",
        "2026-10-15",
        "claimant",
    )
    assert by[(filled["refused"], "decision")]["state"] == "done"  # past and done ones included
    assert by[(filled["early"], "decision")]["handled"] is True
    # Sorted by due day, then reference.
    keys = [(r["due"] or "9999", r["reference"]) for r in records]
    assert keys == sorted(keys)


def test_on_changes_states_but_never_dates(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    before = listing(capsys, data_dir, "--on", "2026-08-14")
    after = listing(capsys, data_dir, "--on", "2026-08-16")
    dates = ("reference", "rule", "due", "last_day", "moved", "actor")
    assert [{k: r[k] for k in dates} for r in before] == [{k: r[k] for k in dates} for r in after]
    state = {(r["reference"], r["rule"]): r["state"] for r in before}
    later = {(r["reference"], r["rule"]): r["state"] for r in after}
    assert state[(filled["open"], "decision")] == "upcoming"
    assert later[(filled["open"], "decision")] == "overdue"
    on_the_day = listing(capsys, data_dir, "--on", "2026-08-15")
    assert {(r["reference"], r["rule"]): r["state"] for r in on_the_day}[
        (filled["open"], "decision")
    ] == "due"
    assert state != later


def test_the_claimant_s_appeal_window_lapses_the_day_after_its_last_day(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    """``refused``: the appeal's last day is Thu 15 Oct 2026; nobody recorded an appeal."""
    key = (filled["refused"], "appeal")
    states = {
        day: {
            (r["reference"], r["rule"]): r["state"] for r in listing(capsys, data_dir, "--on", day)
        }
        for day in ("2026-10-14", "2026-10-15", "2026-10-16")
    }
    assert [states[day][key] for day in sorted(states)] == ["upcoming", "due", "lapsed"]
    within = listing(capsys, data_dir, "--within", "7", "--on", "2026-10-16")
    assert key not in {(r["reference"], r["rule"]) for r in within}  # nothing to do: not listed


def test_the_data_folder_settings_can_move_administrative_limits(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    save_settings(Settings(move_administrative_deadlines=True), data_dir)
    records = listing(capsys, data_dir, "--on", "2026-08-16")
    decision = next(
        r for r in records if (r["reference"], r["rule"]) == (filled["open"], "decision")
    )
    assert (decision["last_day"], decision["due"], decision["moved"]) == (
        "2026-08-15",
        "2026-08-17",
        True,
    )
    assert decision["state"] == "upcoming"


def test_explanations_follow_the_interface_language(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    code, out, _err = run(capsys, data_dir, "deadlines", "--json", "--on", "2026-08-14", lang="fr")
    assert code == 0
    decision = next(
        r for r in json.loads(out) if (r["reference"], r["rule"]) == (filled["open"], "decision")
    )
    assert "août" in decision["explanation"] and "Assomption" in decision["explanation"]
    assert decision["state"] == "upcoming"  # codes stay codes
    save_settings(Settings(language="nl"), data_dir)
    code, out, _err = run(capsys, data_dir, "deadlines", "--json", "--on", "2026-08-14", lang=None)
    decision = next(
        r for r in json.loads(out) if (r["reference"], r["rule"]) == (filled["open"], "decision")
    )
    assert "aug" in decision["explanation"] and "Hemelvaart" in decision["explanation"]


def test_within_keeps_running_deadlines_due_soon_overdue_included(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    records = listing(capsys, data_dir, "--on", "2026-08-10", "--within", "7")
    found = {(r["reference"], r["rule"]) for r in records}
    # The open case's decision (due 15 Aug) is within 7 days of 10 Aug; the early case's
    # decision is overdue but handled; the refused case's clocks are done or later.
    assert found == {(filled["open"], "decision")}
    assert all(r["state"] in ("overdue", "due", "upcoming") for r in records)
    assert listing(capsys, data_dir, "--on", "2026-08-10", "--within", "4") == []
    # Overdue ones stay in, however small the window.
    overdue = listing(capsys, data_dir, "--on", "2026-08-20", "--within", "0")
    assert {(r["reference"], r["rule"]) for r in overdue} == {(filled["open"], "decision")}
    assert overdue[0]["state"] == "overdue"
    # A wide window brings in the later appeal clocks, never done or handled ones.
    wide = listing(capsys, data_dir, "--on", "2026-08-10", "--within", "120")
    assert {(r["reference"], r["rule"]) for r in wide} == {
        (filled["open"], "decision"),
        (filled["open"], "appeal-no-decision"),
        (filled["refused"], "appeal"),
        (filled["early"], "appeal-no-decision"),
    }
    assert [r["due"] for r in wide] == sorted(r["due"] for r in wide)


def test_within_leaves_out_snoozed_deadlines_until_the_day_they_come_back(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    store = open_desk(data_dir, passphrase=PASSPHRASE, kdf=FAST_KDF)
    try:
        with store.transaction() as session:
            request = cases.find_request(filled["open"], session=session)
            assert request is not None
            clock.mark_deadline(
                request.id or 0,
                "decision",
                session=session,
                kind="snoozed",
                reason="documents asked",
                until=D(2026, 8, 12),
                today=D(2026, 8, 1),
            )
    finally:
        store.close()
    assert listing(capsys, data_dir, "--on", "2026-08-10", "--within", "7") == []
    back = listing(capsys, data_dir, "--on", "2026-08-12", "--within", "7")
    assert [(r["reference"], r["rule"], r["snoozed_until"]) for r in back] == [
        (filled["open"], "decision", "2026-08-12")
    ]


def test_the_table_is_compact_and_sorted(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str]
) -> None:
    code, out, err = run(capsys, data_dir, "deadlines", "--on", "2026-08-14")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split() == ["Reference", "Rule", "Due", "Who", "acts", "State"]
    assert len(lines) == 1 + 8  # a header, one line per deadline, nothing else
    rows = lines[1:]
    assert rows[0].split()[:2] == [filled["early"], "decision"]  # due Wed 1 Jul 2026
    assert "Wed 1 Jul 2026" in rows[0] and "Overdue" in rows[0] and "CPAS" in rows[0]
    open_decision = next(r for r in rows if r.split()[:2] == [filled["open"], "decision"])
    assert "Sat 15 Aug 2026" in open_decision and "Upcoming" in open_decision
    appeal = next(r for r in rows if r.split()[:2] == [filled["refused"], "appeal"])
    assert "Thu 15 Oct 2026" in appeal and "Claimant" in appeal
    # Columns line up: every row has the due day where the header has "Due".
    column = lines[0].index("Due")
    assert all(row[column - 2 : column] == "  " for row in rows)
    json_order = [
        (r["reference"], r["rule"]) for r in listing(capsys, data_dir, "--on", "2026-08-14")
    ]
    assert [tuple(row.split()[:2]) for row in rows] == json_order


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--on", "2026-13-01"], "--on"),
        (["--on", "2026-02-29"], "--on"),  # not a leap year
        (["--on", "tomorrow"], "--on"),
        (["--on", "20260814"], "--on"),
        (["--on", "14/08/2026"], "--on"),
        (["--within", "abc"], "--within"),
        (["--within", "-1"], "--within"),
        (["--within", "2.5"], "--within"),
        (["--within", "100000"], "--within"),
    ],
)
def test_bad_options_give_one_line_naming_the_option(
    capsys: pytest.CaptureFixture[str], data_dir: Path, args: list[str], option: str
) -> None:
    code, out, err = run(capsys, data_dir, "deadlines", *args)
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith(f"amudesk: {option}: ")
    assert not data_dir.exists()  # refused before the data folder is even opened


def test_ics_writes_the_running_deadlines(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "out" / "deadlines.ics"
    target.parent.mkdir()
    code, out, err = run(capsys, data_dir, "deadlines", "--on", "2026-08-10", "--ics", str(target))
    assert (code, err) == (0, "")
    assert out == f"4 deadlines written to {target}\n"
    events = list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert len(summaries) == 4
    assert any(s.startswith(filled["open"]) and "CPAS decision" in s for s in summaries)
    assert not any("Coulibaly" in s or "Awa" in s for s in summaries)
    assert b"Coulibaly" not in target.read_bytes()

    code, out, err = run(
        capsys,
        data_dir,
        "deadlines",
        "--on",
        "2026-08-10",
        "--within",
        "7",
        "--ics",
        str(target),
    )
    assert (code, err, out) == (0, "", f"1 deadline written to {target}\n")
    events = list(Calendar.from_ical(target.read_bytes()).walk("VEVENT"))
    assert [str(e["SUMMARY"]).split()[0] for e in events] == [filled["open"]]


def test_ics_into_a_missing_folder_writes_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path, filled: dict[str, str], tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "deadlines.ics"
    code, out, err = run(capsys, data_dir, "deadlines", "--ics", str(target))
    assert (code, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith("amudesk: --ics: ")
    assert str(target.parent) in err
    assert not target.parent.exists()
    code, out, err = run(capsys, data_dir, "deadlines", "--ics", str(tmp_path))
    assert (code, out) == (2, "") and err.startswith("amudesk: --ics: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_json_and_ics_cannot_be_combined(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--data-dir", str(data_dir), "deadlines", "--json", "--ics", str(tmp_path / "x.ics")])
    assert raised.value.code == 2
    _out, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and "--ics" in err
    assert not (tmp_path / "x.ics").exists()


@pytest.mark.parametrize(("lang", "words"), [("fr", "répondre en JSON"), ("en", "answer in JSON")])
def test_help_is_written_in_the_language_asked_for(
    capsys: pytest.CaptureFixture[str], lang: str, words: str
) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["--lang", lang, "deadlines", "--help"])
    assert raised.value.code == 0
    out, _err = capsys.readouterr()
    assert "--within DAYS" in out and "--on YYYY-MM-DD" in out and "--ics FILE" in out
    assert words in out


@pytest.mark.parametrize("kind", ["association", "cpas"])
def test_the_demo_s_worklist_holds_what_this_office_can_act_on(
    capsys: pytest.CaptureFixture[str], data_dir: Path, kind: str
) -> None:
    """No provider limit, nothing lapsed or done, nothing marked; a CPAS sees its own limits,
    an association the appeals and the CPAS limits that are overdue."""
    from amudesk.models import Office
    from amudesk.services.clock import today_in_brussels
    from amudesk.services.desk import open_desk
    from tests.keys import PASSPHRASE

    assert run(capsys, data_dir, "demo", "--count", "60")[0] == 0
    store = open_desk(data_dir, passphrase=PASSPHRASE)
    try:
        with store.transaction() as session:
            office = session.exec(select(Office)).one()
            office.kind = kind
            session.add(office)
    finally:
        store.close()
    every = listing(capsys, data_dir)
    work = listing(capsys, data_dir, "--worklist")
    assert work and len(work) < len(every)
    assert {r["state"] for r in work} <= {"overdue", "due", "upcoming"}
    assert all(r["actionable"] and not r["handled"] and r["actor"] != "provider" for r in work)
    if kind == "cpas":
        assert {r["actor"] for r in work} == {"cpas"}
    else:
        assert {r["actor"] for r in work} == {"cpas", "claimant"}
        assert all(r["state"] == "overdue" for r in work if r["actor"] == "cpas")
    chosen = {(r["reference"], r["rule"]) for r in work}
    today = today_in_brussels().isoformat()  # a snooze ending today or before is over
    assert chosen == {
        (r["reference"], r["rule"])
        for r in every
        if r["actionable"] and not r["handled"] and (r["snoozed_until"] or "") <= today
    }
