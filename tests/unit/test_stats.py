"""The statistics' figures from hand-built rows: every figure of the JSON, percentiles,
empty groups and the small-cell rule."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amudesk import stats
from amudesk.stats import CaseRow


def row(cpas: str = "CPAS A", **values: object) -> CaseRow:
    base: dict[str, object] = {"month": "2026-03", "channel": "in_person", "age_band": "30-44"}
    base.update(values)
    return CaseRow(cpas=cpas, **base)  # type: ignore[arg-type]


def test_percentiles_on_odd_even_single_and_no_values() -> None:
    assert stats.median([1, 2, 3, 4]) == 2.5
    assert stats.median([3, 1, 2]) == 2
    assert stats.p90(list(range(1, 11))) == pytest.approx(9.1)  # rank 0.9 × 9 = 8.1
    assert stats.p90([10, 20, 30, 40, 50]) == pytest.approx(46)  # rank 3.6: 40 + 0.6 × 10
    assert stats.p90([7]) == 7
    assert stats.median([]) is None and stats.p90([]) is None


def test_small_cells_are_suppressed_from_1_to_4_and_shown_from_5() -> None:
    assert [stats.suppressed_count(n) for n in (0, 1, 4, 5)] == [0, "<5", "<5", 5]
    assert stats.suppressed_value(12.0, 4) == "<5"
    assert stats.suppressed_value(12.0, 5) == 12
    assert stats.suppressed_value(12.5, 5) == 12.5
    assert stats.suppressed_value(None, 0) is None
    four = stats.figures([row(days_to_decision=10, decision_kind="principle")] * 4)
    five = stats.figures([row(days_to_decision=10, decision_kind="principle")] * 5)
    assert four.as_json()["total"]["filed"] == "<5"
    assert four.as_json()["total"]["median_days_to_decision"] == "<5"
    assert five.as_json()["total"]["filed"] == 5
    assert five.as_json()["total"]["median_days_to_decision"] == 10


# Six requests in CPAS A (all figures known), one in CPAS B (all suppressed).
CASES = [
    row(
        decision_kind="guarantee",
        days_to_decision=10,
        decided_within=True,
        days_to_notification=2,
        notified_within=True,
        days_to_encoding=3,
        encoded_within=True,
        days_to_care=10,
        renewal_gaps=(0, 5),
    ),
    row(
        decision_kind="principle",
        days_to_decision=20,
        decided_within=True,
        days_to_notification=4,
        notified_within=True,
        days_to_encoding=9,
        encoded_within=False,
    ),
    row(
        decision_kind="refusal",
        days_to_decision=30,
        decided_within=True,
        days_to_notification=6,
        notified_within=True,
        reasons=("no-address", "resources"),
        unlawful=True,
        appealed=True,
        appeal_outcome="granted",
    ),
    row(
        decision_kind="refusal",
        days_to_decision=40,
        decided_within=False,
        days_to_notification=8,
        notified_within=True,
        reasons=("resources",),
        appealed=True,
    ),
    row(
        decision_kind="incompetent",
        days_to_decision=50,
        decided_within=False,
        days_to_notification=20,
        notified_within=False,
        reasons=("competence",),
        transferred=True,
    ),
    row(decided_within=False, days_waiting=45, days_lost_to_transfer=7),
    row("CPAS B", decision_kind="guarantee", days_to_decision=5, decided_within=True),
]


def test_every_figure_of_a_group_from_hand_built_cases() -> None:
    report = stats.figures(CASES, by="cpas")
    data = json.loads(json.dumps(report.as_json()))
    assert [g["group"] for g in data["groups"]] == ["CPAS A", "CPAS B"]
    a = data["groups"][0]
    assert a == {
        "group": "CPAS A",
        "filed": 6,
        "decided": 5,
        "waiting": "<5",
        "oldest_wait": "<5",
        "median_days_to_decision": 30,
        "p90_days_to_decision": 46,
        "share_decided_within_30": 0.5,  # 3 of 6: the waiting one is past its limit
        "median_days_to_notification": 6,
        "share_notified_within_8": 0.8,
        "share_encoded_within_8": "<5",
        "decisions_by_kind": {
            "principle": "<5",
            "guarantee": "<5",
            "refusal": "<5",
            "incompetent": "<5",
        },
        "refusals_by_reason": {"competence": "<5", "no-address": "<5", "resources": "<5"},
        "not_allowed_by_law": "<5",
        "transfers": "<5",
        "median_days_lost_to_transfer": "<5",
        "appeals": "<5",
        "appeal_outcomes": {"granted": "<5", "pending": "<5"},
        "median_days_to_care": "<5",
        "renewals": "<5",
        "renewals_with_gap": "<5",
        "median_renewal_gap": "<5",
        "notes": [],
    }
    raw = report.groups[0]
    assert raw.days_to_decision == [10, 20, 30, 40, 50]
    assert raw.oldest_wait == 45 and raw.waiting == 1
    assert raw.share_encoded_within_8 == 0.5
    assert raw.refusals_by_reason == {"resources": 2, "no-address": 1, "competence": 1}
    assert raw.appeal_outcomes == {"granted": 1, "pending": 1}
    assert raw.renewals == 2 and raw.renewal_gaps == [5]
    assert raw.median_days_lost_to_transfer == 7
    b = data["groups"][1]
    assert b["filed"] == "<5" and b["waiting"] == 0
    assert b["oldest_wait"] is None and b["median_days_to_care"] is None
    assert "median_days_to_care: no coverage guarantee" in b["notes"]
    total = data["total"]
    assert total["group"] == "total" and total["filed"] == 7
    assert total["median_days_to_decision"] == 25  # 5, 10, 20, 30, 40, 50
    assert total["share_decided_within_30"] == round(4 / 7, 4)
    assert any("<5" in note for note in data["notes"])


def test_the_json_keys_the_issue_asks_for() -> None:
    group = stats.figures(CASES).as_json()["groups"][0]
    for key in (
        "group",
        "filed",
        "decided",
        "waiting",
        "median_days_to_decision",
        "p90_days_to_decision",
        "share_decided_within_30",
        "median_days_to_notification",
        "share_notified_within_8",
        "refusals_by_reason",
        "appeals",
        "appeal_outcomes",
        "median_days_to_care",
        "notes",
    ):
        assert key in group


def test_no_rows_give_an_empty_total_with_reasons() -> None:
    report = stats.figures([], by="month", excluded_preparing=3, excluded_consent=0)
    data = report.as_json()
    assert data["groups"] == []
    total = data["total"]
    assert (total["filed"], total["decided"], total["waiting"]) == (0, 0, 0)
    assert total["median_days_to_decision"] is None
    assert total["share_decided_within_30"] is None
    assert total["refusals_by_reason"] == {} and total["appeal_outcomes"] == {}
    assert "median_days_to_decision: no request decided" in total["notes"]
    assert data["excluded"] == {"preparing": "<5", "consent_withdrawn": 0}
    table = report.table()
    assert table[0][0] == "group" and table[1][0] == "total"
    with pytest.raises(ValueError):
        stats.figures([], by="person")


def test_grouping_by_month_and_channel_and_monthly_medians() -> None:
    rows = [
        row(month="2026-01", channel="post", days_to_decision=4, decision_kind="refusal"),
        row(month="2026-01", channel="email", days_to_decision=8, decision_kind="refusal"),
        row(month="2026-02", channel="post", days_waiting=3),
    ]
    assert [g.group for g in stats.figures(rows, by="month").groups] == ["2026-01", "2026-02"]
    assert [g.group for g in stats.figures(rows, by="channel").groups] == ["email", "post"]
    assert stats.monthly_medians(rows) == {"2026-01": {"median": 6.0, "decided": 2}}
    by_channel = stats.monthly_medians(rows, by="channel")
    assert by_channel["post"] == {"2026-01": {"median": 4.0, "decided": 1}}


@pytest.mark.parametrize(
    ("birth", "band"),
    [
        ("2010-03-02", "0-17"),
        ("2008-03-01", "18-29"),  # 18 on the day
        ("2008-03-02", "0-17"),  # 18 the next day
        ("1990-05", "30-44"),
        ("1996-03", "unknown"),  # 29 or 30 that month
        ("1950", "65+"),
        ("1990", "30-44"),
        ("1996", "unknown"),
        (None, "unknown"),
        ("garbage", "unknown"),
        ("2027-01-01", "unknown"),
    ],
)
def test_age_bands_from_partial_birth_dates(birth: str | None, band: str) -> None:
    assert stats.age_band(birth, dt.date(2026, 3, 1)) == band


def test_rows_are_generalised_until_each_combination_holds_five() -> None:
    common = row(channel="post", age_band="18-29")
    five = [common] * 5
    assert stats.anonymised(five) == five
    four_and_one = [common] * 4 + [row(channel="post", age_band="65+")]
    out = stats.anonymised(four_and_one)
    assert {r.age_band for r in out} == {"<5"} and {r.channel for r in out} == {"post"}
    # Across channels too: the channel goes, then the month (to its year), then the CPAS.
    mixed = [row(channel="post")] * 3 + [row(channel="email")] * 2
    assert {(r.channel, r.age_band) for r in stats.anonymised(mixed)} == {("<5", "<5")}
    spread = [row(month="2026-01")] * 2 + [row(month="2026-02")] * 3
    assert {r.month for r in stats.anonymised(spread)} == {"2026"}
    alone = [row("CPAS A")] * 2 + [row("CPAS B")] * 3
    assert {r.cpas for r in stats.anonymised(alone)} == {"<5"}


def _anonymised_by_recounting(rows: list[CaseRow]) -> list[CaseRow]:
    """The generalisation as its docstring says it, counting every row again at each step:
    what :func:`stats.anonymised` must give, however it counts."""
    current = list(rows)
    for step in stats.GENERALISED:
        counts = Counter(r[:4] for r in current)
        small = {key for key, count in counts.items() if count < stats.SMALL}
        if not small:
            break
        for index, r in enumerate(current):
            if r[:4] in small:
                value = r.month[:4] if step == "month" else stats.SUPPRESSED
                current[index] = r._replace(**{step: value})  # type: ignore[arg-type]
    return current


_drawn_rows = st.lists(
    st.builds(
        row,
        st.sampled_from(["CPAS A", "CPAS B", "CPAS C"]),
        month=st.sampled_from(["2025-12", "2026-01", "2026-02", "2026"]),
        channel=st.sampled_from(["post", "email", "in_person", "<5"]),
        age_band=st.sampled_from(["18-29", "30-44", "65+", "<5"]),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(_drawn_rows)
def test_generalising_counts_only_what_changed_and_gives_what_recounting_gives(
    rows: list[CaseRow],
) -> None:
    assert stats.anonymised(rows) == _anonymised_by_recounting(rows)


def test_the_spread_a_box_plot_draws_and_none_under_five_values() -> None:
    assert stats.spread(list(range(10, 0, -1))) == pytest.approx((1.9, 3.25, 5.5, 7.75, 9.1))
    assert stats.spread([7, 7, 7, 7, 7]) == (7, 7, 7, 7, 7)
    assert stats.spread([1, 2, 3, 4]) is None and stats.spread([]) is None


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_note_on_how_a_figure_was_counted_is_named_in_the_reports_language(
    language: str,
) -> None:
    """The French notes began "Filed :" and "Decided :", in English."""
    from amudesk.i18n import gettext_for

    for note in stats.FIGURE_NOTES.values():
        label = note.split(":", 1)[0]
        translated = gettext_for(language, note)
        assert translated != note
        assert translated.split(":", 1)[0].strip() != label, translated


def test_cpas_groups_come_in_the_order_of_their_communes() -> None:
    """As the directory lists them: "CPAS d'Ixelles" came before "CPAS de Berchem-…" (the
    apostrophe sorted before the "e" of "de")."""
    names = [
        "CPAS de Jette",
        "CPAS d'Ixelles",
        "CPAS de Forest",
        "CPAS d’Anderlecht",
        "CPAS de Berchem-Sainte-Agathe",
        "CPAS d'Uccle",
        "OCMW Elsene",
    ]
    report = stats.figures([row(name) for name in names])
    assert [group.group for group in report.groups] == [
        "CPAS d’Anderlecht",
        "CPAS de Berchem-Sainte-Agathe",
        "OCMW Elsene",
        "CPAS de Forest",
        "CPAS d'Ixelles",
        "CPAS de Jette",
        "CPAS d'Uccle",
    ]
