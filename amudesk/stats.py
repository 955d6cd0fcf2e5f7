"""Delays and refusals, measured: figures per CPAS, month or channel, and the anonymised extract.

Pure computation on plain rows (no database, no Qt): :mod:`amudesk.services.stats` reads
the store into :class:`CaseRow` objects, one per request, holding nothing that names a
person; :func:`figures` turns rows into a :class:`Report` (one :class:`GroupFigures` per
group and a total); :func:`extract_bytes` and :func:`read_extract` write and read the
anonymised case-level CSV a federation merges.

Counting rules (each figure also carries a note saying so, see :data:`FIGURE_NOTES`):

- A request counts in the period when it was *received* (filed with the CPAS) in it; a
  request still being prepared (nothing filed) never counts. People who withdrew their
  consent to statistics are left out. Both exclusions are counted in the report.
- Everything is evaluated as of the period's last day: a decision, notification, encoding
  or appeal after it is not seen (a report on a past year does not change afterwards).
- Days are calendar days from the start event to the end event (filing on the 1st, decision
  on the 31st: 30 days). Whether an event came "within" a limit is the legal clock's answer
  (:class:`amudesk.deadlines.Clock`, with the office's setting on administrative limits
  falling on a non-working day): the event on or before the limit's due day.
- Medians are :func:`statistics.median`; the 90th percentile is
  ``statistics.quantiles(values, n=10, method="inclusive")[8]`` (linear interpolation
  between the closest ranks, values included: of 1..10 it is 9.1), and a single value is
  its own percentile.

Small cells: in everything that leaves the desk (:meth:`Report.as_json`, the tables, the
extract) a count from 1 to 4 is shown as ``"<5"`` and a median, percentile or share
computed over fewer than 5 values is ``"<5"``; 0 stays 0; a figure that cannot be computed
is None (``null``) with its reason in the group's notes. :data:`SMALL_CELL_RULE` says so.
Shares are fractions from 0 to 1 (4 decimals).

The extract (:data:`FORMAT_NAME` version :data:`FORMAT_VERSION`): CSV, UTF-8 with a BOM,
CRLF, the header :data:`EXTRACT_COLUMNS`, one request a line, the format and version on
every line; the fields of :class:`CaseRow` (booleans "yes"/"no"/"" for unknown; reasons and
renewal gaps joined by "|"; day counts as whole numbers, "" when none). Small cells are
generalised by :func:`anonymised` (age band, then channel, then month to its year, then
CPAS, until each combination of the four holds 5 requests). :func:`read_extract` checks
every cell before a merge.

For the window and the PDF report: :func:`amudesk.services.stats.collect` gives the rows,
:meth:`~amudesk.services.stats.Collected.report` the :class:`Report`; ``report.groups``
and ``report.total`` hold the raw day lists (``days_to_decision`` …) for the box plots,
:func:`monthly_medians` the series over time, ``refusals_by_reason`` the bars; show
:meth:`GroupFigures.as_json` (the small-cell rule applied) wherever figures leave the desk.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from amudesk.deadlines import paused_gc
from amudesk.i18n import N_, _, gettext_for
from amudesk.refusals import REASONS
from amudesk.text import cpas_commune, shown

SMALL = 5  # counts under this (and above 0) are suppressed
SUPPRESSED = "<5"
DECISION_LIMIT_DAYS = 30
NOTIFICATION_LIMIT_DAYS = 8
ENCODING_LIMIT_DAYS = 8
AGE_BANDS = ("0-17", "18-29", "30-44", "45-64", "65+", "unknown")
_BAND_FLOORS = ((65, "65+"), (45, "45-64"), (30, "30-44"), (18, "18-29"), (0, "0-17"))
GROUPINGS = ("cpas", "month", "channel")
CHANNELS = ("in_person", "service", "hospital", "online", "post", "email")
DECISION_KINDS = ("principle", "guarantee", "refusal", "incompetent")
REASONED_KINDS = frozenset({"refusal", "incompetent"})
APPEAL_OUTCOMES = ("granted", "partly", "rejected", "withdrawn", "revised", "pending")
PENDING = "pending"  # an appeal without an outcome (by the period's end)

Share = float
Cell = int | float | str | None


class CaseRow(NamedTuple):
    """One request, as statistics see it: nothing that names a person. Immutable (a named
    tuple: three times quicker to build than a frozen dataclass, for 100,000 rows).

    Day counts are calendar days; ``None`` when the end event has not happened (by the
    period's end) or does not apply. The ``*_within`` flags are the legal clock's answer:
    True when the end event came on or before the limit's due day, False when it came
    later or had not come when the due day passed, None when the limit is still running
    or does not apply."""

    cpas: str  # the CPAS's French name in the directory
    month: str  # month of filing, YYYY-MM (an extract may have generalised it to YYYY)
    channel: str  # models.Channel key
    age_band: str  # AGE_BANDS, at filing
    decision_kind: str = ""  # kind of the first decision; "" when none
    days_to_decision: int | None = None  # filing → first decision
    decided_within: bool | None = None  # decision limit (30 days)
    days_to_notification: int | None = None  # first decision → its notification
    notified_within: bool | None = None  # notification limit (8 days)
    days_to_encoding: int | None = None  # positive first decision → MediPrima encoding
    encoded_within: bool | None = None  # encoding limit (8 days)
    reasons: tuple[str, ...] = ()  # refusals.REASONS keys of a refusal / incompetence
    unlawful: bool = False  # one of the reasons is not allowed by law
    transferred: bool = False  # sent on by this CPAS to another one
    days_lost_to_transfer: int | None = None  # follow-on request: first filed → received
    appealed: bool = False
    appeal_outcome: str = ""  # the first appeal's AppealOutcome key, "pending", or ""
    days_to_care: int | None = None  # filing → first coverage guarantee decided
    renewal_gaps: tuple[int, ...] = ()  # uncovered days before each renewed guarantee
    days_waiting: int | None = None  # no decision: filing → the period's last day


def age_band(birth_date: str | None, on: dt.date) -> str:
    """The age band at ``on`` of someone born on ``birth_date`` ('YYYY-MM-DD', 'YYYY-MM'
    or 'YYYY'): the band both the earliest and the latest possible birthday give, else
    "unknown" (a year only, on the edge of a band, is unknown)."""
    return band_between(birth_range(birth_date), on)


def birth_range(birth_date: str | None) -> tuple[dt.date, dt.date] | None:
    """The earliest and the latest possible birthday of a partial birth date; None when
    there is none or it is not a date."""
    if not birth_date:
        return None
    try:
        parts = [int(part) for part in birth_date.split("-")]
        year = parts[0]
        if len(parts) == 3:
            earliest = latest = dt.date(year, parts[1], parts[2])
        elif len(parts) == 2:
            earliest = dt.date(year, parts[1], 1)
            following = dt.date(year + parts[1] // 12, parts[1] % 12 + 1, 1)
            latest = following - dt.timedelta(days=1)
        else:
            earliest, latest = dt.date(year, 1, 1), dt.date(year, 12, 31)
    except (ValueError, IndexError):
        return None
    return earliest, latest


def band_between(born: tuple[dt.date, dt.date] | None, on: dt.date) -> str:
    """:func:`age_band` of a :func:`birth_range`."""
    if born is None or born[1] > on:
        return "unknown"
    band = _band(_age(born[1], on))
    return band if band == _band(_age(born[0], on)) else "unknown"


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _band(age: int) -> str:
    for floor, name in _BAND_FLOORS:
        if age >= floor:
            return name
    return "unknown"  # pragma: no cover - ages are never negative here


# --- numbers -----------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The median (:func:`statistics.median`), None for no value."""
    return float(statistics.median(values)) if values else None


def p90(values: Sequence[float]) -> float | None:
    """The 90th percentile: ``statistics.quantiles(values, n=10, method="inclusive")[8]``
    (the "inclusive" method: rank ``0.9 × (n − 1)`` in the sorted values, interpolated
    linearly between its two neighbours); a single value is its own percentile; None for
    no value."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=10, method="inclusive")[8])


Spread = tuple[float, float, float, float, float]


def spread(values: Sequence[int]) -> Spread | None:
    """What a box plot draws of ``values``: (10th percentile, lower quartile, median, upper
    quartile, 90th percentile), by the "inclusive" method of :mod:`statistics`, so that no
    single value is drawn; None under :data:`SMALL` values (not drawn: "<5")."""
    if len(values) < SMALL:
        return None
    ordered = sorted(values)
    deciles = statistics.quantiles(ordered, n=10, method="inclusive")
    quarters = statistics.quantiles(ordered, n=4, method="inclusive")
    return deciles[0], quarters[0], quarters[1], quarters[2], deciles[8]


def share(flags: Iterable[bool | None]) -> tuple[Share | None, int]:
    """The share of True among the flags that are not None (0–1, 4 decimals), and how many
    flags counted; (None, 0) without any."""
    known = [flag for flag in flags if flag is not None]
    if not known:
        return None, 0
    return round(sum(known) / len(known), 4), len(known)


def suppressed_count(value: int) -> int | str:
    """A count as it leaves the desk: 1 to 4 become "<5"."""
    return SUPPRESSED if 0 < value < SMALL else value


def suppressed_value(value: float | None, over: int) -> Cell:
    """A median, percentile or share as it leaves the desk: "<5" when computed over fewer
    than 5 values, None when it could not be computed; whole numbers as int."""
    if value is None:
        return None
    if over < SMALL:
        return SUPPRESSED
    return int(value) if float(value).is_integer() and not isinstance(value, bool) else value


# --- figures -----------------------------------------------------------------------------

# How each figure was counted (translated when shown): the start and end events and what is
# left out. Keys are the JSON keys they explain.
FIGURE_NOTES: dict[str, str] = {
    "filed": N_(
        "Filed: requests received by the CPAS in the period (requests still being "
        "prepared are not counted)."
    ),
    "decided": N_("Decided: requests with a first decision by the period's last day."),
    "waiting": N_(
        "Waiting: requests without a decision on the period's last day; longest wait: the"
        " days the longest of them had waited."
    ),
    "median_days_to_decision": N_(
        "Days to decision: calendar days from the day the CPAS received the request to "
        "its first decision; requests still open are left out of the median and the 90th "
        "percentile (they show in the longest wait)."
    ),
    "share_decided_within_30": N_(
        "Decided within 30 days: as the legal clock counts the decision limit (from the "
        "day the request was received, with this office's setting on limits ending on a "
        "non-working day); a request still without decision once its limit passed counts "
        "as late, one whose limit still runs is left out."
    ),
    "median_days_to_notification": N_(
        "Days to notification: from the first decision to its notification (for a "
        "registered letter, the day it was posted); within 8 days as the legal clock "
        "counts it; a decision not notified once the limit passed counts as late."
    ),
    "share_encoded_within_8": N_(
        "Encoded within 8 days: positive first decisions encoded in MediPrima by the due "
        "day of the clock's limit; one not encoded once the limit passed counts as late."
    ),
    "refusals_by_reason": N_(
        "Refusals and incompetences by reason: the reasons the first decision gave (one "
        "decision may give several); not allowed by law: decisions giving at least one "
        "reason the law does not allow."
    ),
    "transfers": N_(
        "Transfers: requests this CPAS sent on to another one; days lost to a transfer: "
        "for a request received by transfer, from the day the person first filed to the "
        "day this CPAS received it."
    ),
    "appeals": N_(
        "Appeals: requests appealed to the labour court by the period's last day; outcome"
        ' of the first appeal, "pending" when none is known.'
    ),
    "median_days_to_care": N_(
        "Days to care: from the day the request was received to the first coverage "
        "guarantee's decision; requests without one are left out."
    ),
    "renewals_with_gap": N_(
        "Renewals: guarantees that followed another one; a gap is a day between the end "
        "of one guarantee's validity and the start of the next that neither covers."
    ),
}
SMALL_CELL_RULE = N_(
    'Small cells: a count from 1 to 4 is shown as "<5", and a median, percentile or share '
    'computed over fewer than 5 requests as "<5", so that no person can be singled out; '
    "0 stays 0; a figure that cannot be computed is empty (null), with the reason in the "
    "notes."
)
TOTAL = "total"


def group_order(key: str) -> tuple[str, str]:
    """A group's place in the tables: a CPAS by its commune ("CPAS d'Ixelles" between
    "CPAS de Forest" and "CPAS de Jette", as the directory lists them), anything else by
    its name, case and accents aside."""
    return cpas_commune(key), key


@dataclass
class GroupFigures:
    """The figures of one group (a CPAS, a month, a channel, or the total), raw.

    The lists hold the day counts behind the medians, for the charts; the counters are
    keyed by decision kind, reason key, appeal outcome. :meth:`as_json` applies the
    small-cell rule; nothing raw should leave the desk."""

    group: str
    filed: int = 0
    decided: int = 0
    waiting: int = 0
    oldest_wait: int | None = None
    days_to_decision: list[int] = field(default_factory=list)
    decided_within_30: int = 0
    decided_limit_known: int = 0  # requests whose "within 30" is known
    days_to_notification: list[int] = field(default_factory=list)
    notified_within_8: int = 0
    notified_limit_known: int = 0
    encoded_within_8: int = 0
    encoded_limit_known: int = 0
    decisions_by_kind: Counter[str] = field(default_factory=Counter)
    refusals_by_reason: Counter[str] = field(default_factory=Counter)
    not_allowed_by_law: int = 0
    transfers: int = 0
    days_lost_to_transfer: list[int] = field(default_factory=list)
    appeals: int = 0
    appeal_outcomes: Counter[str] = field(default_factory=Counter)
    days_to_care: list[int] = field(default_factory=list)
    renewals: int = 0
    renewal_gaps: list[int] = field(default_factory=list)  # the gaps of more than 0 days

    def add(self, row: CaseRow) -> None:
        self.filed += 1
        if row.decision_kind:
            self.decided += 1
            self.decisions_by_kind[row.decision_kind] += 1
            if row.days_to_decision is not None:
                self.days_to_decision.append(row.days_to_decision)
        elif row.days_waiting is not None:
            self.waiting += 1
            if self.oldest_wait is None or row.days_waiting > self.oldest_wait:
                self.oldest_wait = row.days_waiting
        if row.decided_within is not None:
            self.decided_limit_known += 1
            self.decided_within_30 += row.decided_within
        if row.days_to_notification is not None:
            self.days_to_notification.append(row.days_to_notification)
        if row.notified_within is not None:
            self.notified_limit_known += 1
            self.notified_within_8 += row.notified_within
        if row.encoded_within is not None:
            self.encoded_limit_known += 1
            self.encoded_within_8 += row.encoded_within
        if row.decision_kind in REASONED_KINDS:
            self.refusals_by_reason.update(row.reasons)
            self.not_allowed_by_law += row.unlawful
        if row.transferred:
            self.transfers += 1
        if row.days_lost_to_transfer is not None:
            self.days_lost_to_transfer.append(row.days_lost_to_transfer)
        if row.appealed:
            self.appeals += 1
            self.appeal_outcomes[row.appeal_outcome or PENDING] += 1
        if row.days_to_care is not None:
            self.days_to_care.append(row.days_to_care)
        self.renewals += len(row.renewal_gaps)
        self.renewal_gaps.extend(gap for gap in row.renewal_gaps if gap > 0)

    def absorb(self, other: GroupFigures) -> None:
        """Add the figures of ``other`` (another group's) to these: the total."""
        for name in (
            "filed",
            "decided",
            "waiting",
            "decided_within_30",
            "decided_limit_known",
            "notified_within_8",
            "notified_limit_known",
            "encoded_within_8",
            "encoded_limit_known",
            "not_allowed_by_law",
            "transfers",
            "appeals",
            "renewals",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        if other.oldest_wait is not None:
            self.oldest_wait = max(self.oldest_wait or 0, other.oldest_wait)
        for name in (
            "days_to_decision",
            "days_to_notification",
            "days_lost_to_transfer",
            "days_to_care",
            "renewal_gaps",
        ):
            getattr(self, name).extend(getattr(other, name))
        self.decisions_by_kind.update(other.decisions_by_kind)
        self.refusals_by_reason.update(other.refusals_by_reason)
        self.appeal_outcomes.update(other.appeal_outcomes)

    # --- raw figures (for the window, which shows the office its own data) --------------

    @property
    def median_days_to_decision(self) -> float | None:
        return median(self.days_to_decision)

    @property
    def p90_days_to_decision(self) -> float | None:
        return p90(self.days_to_decision)

    @property
    def share_decided_within_30(self) -> float | None:
        return _ratio(self.decided_within_30, self.decided_limit_known)

    @property
    def median_days_to_notification(self) -> float | None:
        return median(self.days_to_notification)

    @property
    def share_notified_within_8(self) -> float | None:
        return _ratio(self.notified_within_8, self.notified_limit_known)

    @property
    def share_encoded_within_8(self) -> float | None:
        return _ratio(self.encoded_within_8, self.encoded_limit_known)

    @property
    def median_days_lost_to_transfer(self) -> float | None:
        return median(self.days_lost_to_transfer)

    @property
    def median_days_to_care(self) -> float | None:
        return median(self.days_to_care)

    @property
    def median_renewal_gap(self) -> float | None:
        return median(self.renewal_gaps)

    # --- what leaves the desk ------------------------------------------------------------

    def as_json(self, language: str = "en") -> dict[str, Any]:
        """The figures with the small-cell rule applied: numbers, None or "<5"; ``notes``
        says why a figure is None (translated into ``language``)."""
        t = _translator(language)
        notes: list[str] = []

        def value(key: str, raw: float | None, over: int, why: str) -> Cell:
            if raw is None:
                notes.append(f"{key}: {t(why)}")
            return suppressed_value(raw, over)

        no_decision = N_("no request decided")
        data: dict[str, Any] = {
            "group": self.group,
            "filed": suppressed_count(self.filed),
            "decided": suppressed_count(self.decided),
            "waiting": suppressed_count(self.waiting),
            "oldest_wait": value(
                "oldest_wait", self.oldest_wait, self.waiting, N_("no request waiting")
            ),
            "median_days_to_decision": value(
                "median_days_to_decision",
                self.median_days_to_decision,
                len(self.days_to_decision),
                no_decision,
            ),
            "p90_days_to_decision": value(
                "p90_days_to_decision",
                self.p90_days_to_decision,
                len(self.days_to_decision),
                no_decision,
            ),
            "share_decided_within_30": value(
                "share_decided_within_30",
                self.share_decided_within_30,
                self.decided_limit_known,
                N_("no request decided or past its decision limit"),
            ),
            "median_days_to_notification": value(
                "median_days_to_notification",
                self.median_days_to_notification,
                len(self.days_to_notification),
                N_("no decision notified"),
            ),
            "share_notified_within_8": value(
                "share_notified_within_8",
                self.share_notified_within_8,
                self.notified_limit_known,
                N_("no decision notified or past its notification limit"),
            ),
            "share_encoded_within_8": value(
                "share_encoded_within_8",
                self.share_encoded_within_8,
                self.encoded_limit_known,
                N_("no positive decision encoded or past its encoding limit"),
            ),
            "decisions_by_kind": _counts(self.decisions_by_kind, DECISION_KINDS),
            "refusals_by_reason": _counts(self.refusals_by_reason, ()),
            "not_allowed_by_law": suppressed_count(self.not_allowed_by_law),
            "transfers": suppressed_count(self.transfers),
            "median_days_lost_to_transfer": value(
                "median_days_lost_to_transfer",
                self.median_days_lost_to_transfer,
                len(self.days_lost_to_transfer),
                N_("no request received by transfer"),
            ),
            "appeals": suppressed_count(self.appeals),
            "appeal_outcomes": _counts(self.appeal_outcomes, ()),
            "median_days_to_care": value(
                "median_days_to_care",
                self.median_days_to_care,
                len(self.days_to_care),
                N_("no coverage guarantee"),
            ),
            "renewals": suppressed_count(self.renewals),
            "renewals_with_gap": suppressed_count(len(self.renewal_gaps)),
            "median_renewal_gap": value(
                "median_renewal_gap",
                self.median_renewal_gap,
                len(self.renewal_gaps),
                N_("no renewal with a gap"),
            ),
        }
        data["notes"] = notes
        return data


def _translator(language: str) -> Callable[[str], str]:
    """gettext into ``language`` (the report's, not necessarily the interface's)."""

    def translate(message: str) -> str:
        return gettext_for(language, message)

    return translate


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _counts(counter: Mapping[str, int], keys: Sequence[str]) -> dict[str, int | str]:
    """The counter as an object, ``keys`` first (0 when absent), then the others by key."""
    result: dict[str, int | str] = {key: suppressed_count(counter.get(key, 0)) for key in keys}
    for key in sorted(counter):
        if key not in result:
            result[key] = suppressed_count(counter[key])
    return result


@dataclass
class Report:
    """The figures of a period, grouped; see :func:`figures`."""

    by: str
    groups: list[GroupFigures]
    total: GroupFigures
    language: str = "en"
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    excluded_preparing: int = 0  # requests being prepared: never counted
    excluded_consent: int = 0  # requests of people who withdrew consent to statistics

    @property
    def notes(self) -> list[str]:
        """How the figures were counted, the exclusions and the small-cell rule, translated."""
        t = _translator(self.language)
        found = [t(text) for text in FIGURE_NOTES.values()]
        found.append(
            t(
                N_(
                    "Left out: {preparing} requests still being prepared (not filed); "
                    "{consent} requests of people who withdrew their consent to statistics."
                )
            ).format(
                preparing=suppressed_count(self.excluded_preparing),
                consent=suppressed_count(self.excluded_consent),
            )
        )
        found.append(
            t(
                N_(
                    "Events after the period's last day are not counted: the figures of a past "
                    "period do not change."
                )
            )
        )
        found.append(t(SMALL_CELL_RULE))
        return found

    def as_json(self) -> dict[str, Any]:
        """What ``amudesk stats --json`` prints: the period, one object per group, the total
        (group "total"), the notes."""
        return {
            "period": {
                "from": self.period_start.isoformat() if self.period_start else None,
                "to": self.period_end.isoformat() if self.period_end else None,
            },
            "by": self.by,
            "groups": [group.as_json(self.language) for group in self.groups],
            "total": self.total.as_json(self.language),
            "excluded": {
                "preparing": suppressed_count(self.excluded_preparing),
                "consent_withdrawn": suppressed_count(self.excluded_consent),
            },
            "notes": self.notes,
        }

    def table(self) -> list[list[Cell]]:
        """The figures as a table (a header, one line per group, the total), nested counts
        spread over columns ``decisions:KIND``, ``refusals:REASON``, ``appeal_outcome:KEY``:
        what the CSV and XLSX hold, small cells suppressed."""
        lines = [group.as_json(self.language) for group in [*self.groups, self.total]]
        nested = ("decisions_by_kind", "refusals_by_reason", "appeal_outcomes")
        prefixes = {
            "decisions_by_kind": "decisions",
            "refusals_by_reason": "refusals",
            "appeal_outcomes": "appeal_outcome",
        }
        columns: list[str] = [key for key in lines[0] if key not in (*nested, "notes")]
        extra: list[str] = []
        for key in nested:
            seen: list[str] = []
            for line in lines:
                seen.extend(name for name in line[key] if name not in seen)
            extra.extend(f"{prefixes[key]}:{name}" for name in sorted(seen))
        header: list[Cell] = [*columns, *extra, "notes"]
        table: list[list[Cell]] = [header]
        for line in lines:
            cells: list[Cell] = [line[key] for key in columns]
            for name in extra:
                prefix, key = name.split(":", 1)
                source = next(k for k, p in prefixes.items() if p == prefix)
                cells.append(line[source].get(key, 0))
            cells.append(" ".join(line["notes"]))
            table.append(cells)
        return table


def table_csv(report: Report) -> bytes:
    """:meth:`Report.table` as CSV (UTF-8 with a BOM, CRLF), then the notes, one a line;
    no cell is a formula."""
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=",", lineterminator="\r\n")
    for line in report.table():
        writer.writerow([_neutral(_text(cell)) for cell in line])
    writer.writerow([])
    for note in report.notes:
        writer.writerow([_neutral(note)])
    return text.getvalue().encode("utf-8-sig")


def table_xlsx(report: Report) -> bytes:
    """:meth:`Report.table` as a workbook: numbers as numbers, every text a string (never a
    formula or a link), then the notes below."""
    import xlsxwriter

    packed = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        packed,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(gettext_for(report.language, N_("Figures"))[:31])
    table = report.table()
    for number, line in enumerate(table):
        for column, cell in enumerate(line):
            if isinstance(cell, bool) or cell is None:
                continue
            if isinstance(cell, int | float):
                sheet.write_number(number, column, cell)
            elif cell:
                sheet.write_string(number, column, _neutral(cell))
    for offset, note in enumerate(report.notes, start=len(table) + 1):
        sheet.write_string(offset, 0, _neutral(note))
    workbook.close()
    return packed.getvalue()


def table_text(report: Report) -> list[str]:
    """The main figures as a readable table, one line per group and the total, then the
    exclusions and the small-cell rule."""
    t = _translator(report.language)
    keys = (
        ("filed", N_("filed")),
        ("decided", N_("decided")),
        ("waiting", N_("waiting")),
        ("median_days_to_decision", N_("median days")),
        ("p90_days_to_decision", N_("p90 days")),
        ("share_decided_within_30", N_("≤ 30 d")),
        ("share_notified_within_8", N_("notified ≤ 8 d")),
        ("appeals", N_("appeals")),
        ("median_days_to_care", N_("days to care")),
    )
    header = [t(N_("group")), *(t(label) for _key, label in keys)]
    lines = [
        [shown_cell(group["group"]), *(_text(group[key]) for key, _label in keys)]
        for group in (g.as_json(report.language) for g in [*report.groups, report.total])
    ]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    result = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in [header, *lines]
    ]
    result.append("")
    result.extend(report.notes[-3:])  # exclusions, the period rule, the small-cell rule
    return result


def shown_cell(text: str) -> str:
    return shown(text)


def _text(cell: Cell) -> str:
    if cell is None:
        return "–"
    if isinstance(cell, float):
        return f"{cell:g}"
    return str(cell)


def figures(
    rows: Iterable[CaseRow],
    *,
    by: str = "cpas",
    language: str = "en",
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    excluded_preparing: int = 0,
    excluded_consent: int = 0,
) -> Report:
    """The figures of ``rows`` per group (``by``: "cpas", "month" or "channel"), groups in
    order of their name, and the total; ``language`` for the notes."""
    if by not in GROUPINGS:
        raise ValueError(f"by: {by}")
    groups: dict[str, GroupFigures] = {}
    total = GroupFigures(TOTAL)
    for row in rows:
        key = getattr(row, by)
        group = groups.get(key)
        if group is None:
            group = groups[key] = GroupFigures(key)
        group.add(row)
    for group in groups.values():
        total.absorb(group)
    return Report(
        by=by,
        groups=[groups[key] for key in sorted(groups, key=group_order)],
        total=total,
        language=language,
        period_start=period_start,
        period_end=period_end,
        excluded_preparing=excluded_preparing,
        excluded_consent=excluded_consent,
    )


def monthly_medians(rows: Iterable[CaseRow], *, by: str | None = None) -> dict[str, dict[str, Any]]:
    """For the chart of medians over time: month → {"median": days to decision or None,
    "decided": how many}; with ``by`` ("cpas", "channel"), group → month → the same.
    Raw: apply :func:`suppressed_value` before the numbers leave the desk."""
    days: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        if row.days_to_decision is None:
            continue
        key = getattr(row, by) if by else ""
        days.setdefault(key, {}).setdefault(row.month, []).append(row.days_to_decision)
    result = {
        key: {
            month: {"median": median(values), "decided": len(values)}
            for month, values in sorted(months.items())
        }
        for key, months in sorted(days.items())
    }
    return result if by else result.get("", {})


# --- the anonymised extract --------------------------------------------------------------

FORMAT_NAME = "amudesk-stats-extract"
FORMAT_VERSION = "1"
YES, NO = "yes", "no"
EXTRACT_COLUMNS: tuple[str, ...] = (
    "format",
    "version",
    "cpas",
    "month",
    "channel",
    "age_band",
    "decision_kind",
    "days_to_decision",
    "decided_within",
    "days_to_notification",
    "notified_within",
    "days_to_encoding",
    "encoded_within",
    "reasons",
    "unlawful",
    "transferred",
    "days_lost_to_transfer",
    "appealed",
    "appeal_outcome",
    "days_to_care",
    "renewal_gaps",
    "days_waiting",
)
# The quasi-identifiers, generalised in this order until each combination of the row's
# (cpas, month, channel, age band) is shared by at least SMALL rows.
GENERALISED = ("age_band", "channel", "month", "cpas")
MAX_DAYS = 36_600  # a hundred years: any day count beyond is refused
MAX_TEXT = 200
_MONTH = re.compile(r"[0-9]{4}(-(0[1-9]|1[0-2]))?")
_NUMBER = re.compile(r"[0-9]{1,6}")
_FORMULA_START = re.compile(r"^[=+\-@\t\r\n']")


def anonymised(rows: Sequence[CaseRow]) -> list[CaseRow]:
    """``rows`` with small cells generalised, in their order: any row whose combination of
    (cpas, month, channel, age band) is shared by fewer than 5 rows has its age band set to
    "<5"; then, counting again, its channel; then its month becomes its year (YYYY); last
    its CPAS becomes "<5". After the last step, a combination still under 5 is a
    CPAS-less, year-only group of fewer than 5 requests: it is kept, since it names no
    one. The day counts, decision and reasons are kept: they are what is measured."""
    current = list(rows)
    keys = [row[:4] for row in current]  # (cpas, month, channel, age_band), kept up to date
    counts = Counter(keys)
    # Only the rows of small combinations change, and every row of a combination changes
    # together: after the first step, a combination can only be small if a changed row
    # went into it, so each later step looks at the rows changed before, not at them all.
    changed = [index for index, key in enumerate(keys) if counts[key] < SMALL]
    for step in GENERALISED:
        small = [index for index in changed if counts[keys[index]] < SMALL]
        if not small:
            break
        for index in small:
            row = current[index]
            if step == "month":
                row = row._replace(month=row.month[:4])
            elif step == "age_band":
                row = row._replace(age_band=SUPPRESSED)
            elif step == "channel":
                row = row._replace(channel=SUPPRESSED)
            else:
                row = row._replace(cpas=SUPPRESSED)
            current[index] = row
            counts[keys[index]] -= 1
            keys[index] = row[:4]
            counts[keys[index]] += 1
        changed = small
    return current


_SEPARATOR = "\x1f"  # between the cells of extract_lines: no cell can hold it


def extract_lines(rows: Sequence[CaseRow], *, quoted: bool = False) -> list[list[str]]:
    """The extract's lines (header first) for ``rows``, already :func:`anonymised`, as
    lists of cells; with ``quoted``, the CPAS name is written as a CSV cell."""
    return [list(EXTRACT_COLUMNS)] + [
        line.split(_SEPARATOR) for line in _joined_lines(rows, _SEPARATOR, quoted=quoted)
    ]


def _joined_lines(rows: Sequence[CaseRow], separator: str, *, quoted: bool) -> list[str]:
    """One string per row, its cells joined by ``separator``; with ``quoted``, the CPAS
    name is written as a CSV cell (quoted when it holds a comma, a quote or a line break:
    no other cell can). One f-string a row: the extract of 100,000 requests is written in
    a fraction of the time lists of cells took."""
    flag = {None: "", True: YES, False: NO}
    number = _Written({None: ""})  # day counts repeat: each one written once
    names: dict[str, str] = {}
    prefix = f"{FORMAT_NAME}{separator}{FORMAT_VERSION}{separator}"
    s = separator
    lines = []
    for (
        cpas,
        month,
        channel,
        band,
        kind,
        to_decision,
        decided_within,
        to_notification,
        notified_within,
        to_encoding,
        encoded_within,
        reasons,
        unlawful,
        transferred,
        lost,
        appealed,
        outcome,
        to_care,
        gaps,
        waiting,
    ) in rows:
        name = names.get(cpas)
        if name is None:
            name = names[cpas] = _csv_cell(_neutral(cpas)) if quoted else _neutral(cpas)
        lines.append(
            f"{prefix}{name}{s}{month}{s}{channel}{s}{band}{s}{kind}{s}{number[to_decision]}{s}"
            f"{flag[decided_within]}{s}{number[to_notification]}{s}{flag[notified_within]}{s}"
            f"{number[to_encoding]}{s}{flag[encoded_within]}{s}{'|'.join(reasons)}{s}"
            f"{flag[unlawful]}{s}{flag[transferred]}{s}{number[lost]}{s}{flag[appealed]}{s}"
            f"{outcome}{s}{number[to_care]}{s}{'|'.join(map(str, gaps)) if gaps else ''}{s}"
            f"{number[waiting]}"
        )
    return lines


class _Written(dict[int | None, str]):
    """A day count → its text, each written once (None → "")."""

    def __missing__(self, value: int | None) -> str:
        text = self[value] = str(value)
        return text


def _neutral(text: str) -> str:
    """A CPAS name as a cell no spreadsheet runs, with no control character: directory
    names never start so, but a cell that would is refused by :func:`read_extract` anyway."""
    cleaned = "".join(" " if ord(c) < 32 or c in _BIDI else c for c in text)
    return "'" + cleaned if _FORMULA_START.match(cleaned) else cleaned


def extract_bytes(rows: Sequence[CaseRow]) -> bytes:
    """The anonymised extract of ``rows`` (generalised by :func:`anonymised`) as CSV:
    UTF-8 with a BOM, "," between fields, CRLF, one request per line; every line names the
    format (:data:`FORMAT_NAME`) and its version (:data:`FORMAT_VERSION`)."""
    # Many small objects, none in a cycle: the collector would walk every row again and
    # again (a third of the time for 100,000 rows).
    with paused_gc():
        lines = [",".join(EXTRACT_COLUMNS), *_joined_lines(anonymised(rows), ",", quoted=True)]
        return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _csv_cell(text: str) -> str:
    """``text`` as the csv module writes a cell (quoted when it must be)."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="").writerow([text])
    return out.getvalue()


_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


class ExtractError(Exception):
    """An extract that cannot be merged; ``problems`` names every bad line:
    "FILE: line N: column: what is wrong"."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0])
        self.problems = problems


def read_extract(path: Path, data: bytes | None = None) -> list[CaseRow]:
    """The rows of an extract written by :func:`extract_bytes`, every line checked: the
    header, the format name and version, each value (known keys, day counts from 0 to
    :data:`MAX_DAYS`, months, no formula, no control or bidi character, CPAS names of at
    most :data:`MAX_TEXT` characters). ExtractError lists every bad line."""

    name = shown(str(path))
    if data is None:
        data = path.read_bytes()
    problems: list[str] = []

    def bad(line: int, column: str, message: str) -> None:
        problems.append(
            _("{file}: line {line}: {column}: {message}").format(
                file=name, line=line, column=column, message=message
            )
        )

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        bad(1, "-", _("not UTF-8 text"))
        raise ExtractError(problems) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[CaseRow] = []
    try:
        header = next(reader, None)
        if header is None or tuple(header) != EXTRACT_COLUMNS:
            missing = [c for c in EXTRACT_COLUMNS if header is None or c not in header]
            bad(1, missing[0] if missing else "-", _("not the columns of an extract"))
            raise ExtractError(problems)
        for number, cells in enumerate(reader, start=2):
            if not any(cells):
                continue
            row = _parse_line(cells, lambda column, message, n=number: bad(n, column, message))
            if row is not None:
                rows.append(row)
    except csv.Error as exc:
        bad(reader.line_num, "-", str(exc))
    if problems:
        raise ExtractError(problems)
    return rows


def _parse_line(cells: list[str], bad: Any) -> CaseRow | None:
    if len(cells) != len(EXTRACT_COLUMNS):
        bad(
            "-",
            _("{found} cells, {expected} expected").format(
                found=len(cells), expected=len(EXTRACT_COLUMNS)
            ),
        )
        return None
    value = dict(zip(EXTRACT_COLUMNS, cells, strict=True))
    errors: list[tuple[str, str]] = []

    def fail(column: str, message: str) -> None:
        errors.append((column, message))

    for column, cell in value.items():
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or c in _BIDI for c in cell):
            fail(column, _("a control or bidi character"))
        elif _FORMULA_START.match(cell):
            fail(column, _("a formula, or a value starting like one"))
        elif len(cell) > MAX_TEXT:
            fail(column, _("longer than {n} characters").format(n=MAX_TEXT))
    if not errors:
        if value["format"] != FORMAT_NAME:
            fail("format", _("not {name}").format(name=FORMAT_NAME))
        if value["version"] != FORMAT_VERSION:
            fail(
                "version",
                _("version {found}, this desk reads version {version}").format(
                    found=value["version"] or "-", version=FORMAT_VERSION
                ),
            )
        if not value["cpas"]:
            fail("cpas", _("empty"))
        if not _MONTH.fullmatch(value["month"]):
            fail("month", _("not a month (YYYY-MM) or a year"))
        _choice(value, "channel", (*CHANNELS, SUPPRESSED), fail)
        _choice(value, "age_band", (*AGE_BANDS, SUPPRESSED), fail)
        _choice(value, "decision_kind", ("", *DECISION_KINDS), fail)
        _choice(value, "appeal_outcome", ("", *APPEAL_OUTCOMES), fail)
        reasons = tuple(key for key in value["reasons"].split("|") if key)
        if any(key not in REASONS for key in reasons):
            fail("reasons", _("an unknown reason key"))
        numbers = {
            column: _number(value[column], column, fail)
            for column in (
                "days_to_decision",
                "days_to_notification",
                "days_to_encoding",
                "days_lost_to_transfer",
                "days_to_care",
                "days_waiting",
            )
        }
        gaps = tuple(
            _number(part, "renewal_gaps", fail) or 0
            for part in value["renewal_gaps"].split("|")
            if part
        )
        flags = {
            column: _yes_no(value[column], column, fail)
            for column in (
                "decided_within",
                "notified_within",
                "encoded_within",
                "unlawful",
                "transferred",
                "appealed",
            )
        }
    for column, message in errors:
        bad(column, message)
    if errors:
        return None
    return CaseRow(
        cpas=value["cpas"],
        month=value["month"],
        channel=value["channel"],
        age_band=value["age_band"],
        decision_kind=value["decision_kind"],
        days_to_decision=numbers["days_to_decision"],
        decided_within=flags["decided_within"],
        days_to_notification=numbers["days_to_notification"],
        notified_within=flags["notified_within"],
        days_to_encoding=numbers["days_to_encoding"],
        encoded_within=flags["encoded_within"],
        reasons=reasons,
        unlawful=bool(flags["unlawful"]),
        transferred=bool(flags["transferred"]),
        days_lost_to_transfer=numbers["days_lost_to_transfer"],
        appealed=bool(flags["appealed"]),
        appeal_outcome=value["appeal_outcome"],
        days_to_care=numbers["days_to_care"],
        renewal_gaps=gaps,
        days_waiting=numbers["days_waiting"],
    )


def _choice(value: Mapping[str, str], column: str, allowed: Sequence[str], fail: Any) -> None:
    if value[column] not in allowed:
        fail(column, _("not one of {keys}").format(keys=", ".join(a or '""' for a in allowed)))


def _number(cell: str, column: str, fail: Any) -> int | None:
    if cell == "":
        return None
    if not _NUMBER.fullmatch(cell) or int(cell) > MAX_DAYS:
        fail(column, _("not a number of days from 0 to {most}").format(most=MAX_DAYS))
        return None
    return int(cell)


def _yes_no(cell: str, column: str, fail: Any) -> bool | None:
    if cell == "":
        return None
    if cell not in (YES, NO):
        fail(column, _("not yes, no or empty"))
        return None
    return cell == YES
