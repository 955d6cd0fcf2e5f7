"""The checks of an import's rows: each row read as the forms would read it, the request
it repeats (a duplicate, or with ``update`` the request it corrects) and the person it is
for (known by NISS or by names and birth date, or new).

:func:`check_row` reads the database through a :class:`Context` made by
:func:`load_context`, and writes nothing: :mod:`amudesk.services.importing` writes the
rows it returns. The columns are those of :mod:`amudesk.services.spreadsheet`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from amudesk.dates import brussels_today
from amudesk.i18n import _
from amudesk.models import (
    APPEAL_OUTCOME_LABELS,
    DECISION_LABELS,
    Appeal,
    CaseStatus,
    Channel,
    Consent,
    ConsentUse,
    Decision,
    Person,
    Request,
)
from amudesk.models.base import utcnow
from amudesk.models.request import UrgentReason
from amudesk.photos import PhotoError, load_photo_file
from amudesk.refusals import REASONED_KINDS, REASONS
from amudesk.services import FieldError, appeals, cases, people
from amudesk.services import validation as v
from amudesk.services.directory import CpasMatcher, list_cpas
from amudesk.services.spreadsheet import (
    APPEAL_COLUMNS,
    COURT_COLUMNS,
    DECISION_DATE_COLUMNS,
    NO_WORDS,
    YES_WORDS,
    RowProblem,
    fold_header,
    split_reasons,
)
from amudesk.text import fold, is_control

# A request filed on a day without a time is taken as filed at noon, Brussels time:
# midnight would put it on the previous day in UTC and make the day ambiguous.
DEFAULT_FILED_TIME = dt.time(12, 0)

_FILED = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?)?$"
)
_LABEL = re.compile(r"^[^:\n]{1,60}?\s?:\s+(?=\S)")
# Fields named by the services, as the columns of the file call them.
_COLUMN_OF_FIELD = {
    "languages": "language",
    "kind": "decision",
    "received_at": "filed_on",
    "cpas_id": "cpas",
    "reasons": "refusal_reasons",
}
# The fields of services.appeals' checks, as the columns of the file call them.
_APPEAL_COLUMN_OF_FIELD = {
    "filed_on": "appeal_filed_on",
    "filed_how": "appeal_filed_on",
    "hearing_dates": "appeal_filed_on",
    "court": "appeal_court",
    "outcome": "appeal_outcome",
    "outcome_on": "appeal_outcome_on",
}
# A refusal_reasons cell: every reason with its longest explanation, and then some.
MAX_REASONS_TEXT = 8000


@dataclass(frozen=True)
class PersonRef:
    """An existing person (``existing_id``) or one created by an earlier row (``new_index``)."""

    existing_id: int | None = None
    new_index: int | None = None


@dataclass
class _Known:
    """A person known by their NISS, with what tells whether a row speaks of them."""

    ref: PersonRef
    family_name: str
    given_names: str
    birth_date: str | None
    line: int | None = None  # the row of the file that brought them, for new people


@dataclass
class AppealRow:
    """The appeal a row gives (``appeal_…`` columns), checked."""

    filed_on: dt.date
    court: str
    outcome: str | None
    outcome_on: dt.date | None


@dataclass
class ConsentRow:
    """The consent a row gives (``consent_on``, ``mandate``, ``consent_withdrawn_on``), checked."""

    given_on: dt.date
    mandate: bool
    withdrawn_on: dt.date | None

    @property
    def uses(self) -> list[str]:
        """What an imported consent covers: follow-up and statistics, letters with the mandate."""
        uses = [ConsentUse.FOLLOW_UP, ConsentUse.STATISTICS]
        if self.mandate:
            uses.insert(1, ConsentUse.LETTERS)
        return [str(use) for use in uses]


@dataclass
class _ConsentSeen:
    """A consent of a person, recorded (``consent_id``) or given by an earlier row."""

    given_on: dt.date
    mandate: bool
    withdrawn_on: dt.date | None
    consent_id: int | None


@dataclass
class Update:
    """What a row changes in a request already registered (``update=True``)."""

    request_id: int
    person_id: int
    values: dict[str, Any]
    timed: bool  # filed_on gave the time, not only the day
    # The decision to write: (the decision it corrects, or None for a new one, its data);
    # None when the decisions stay as they are.
    decision: tuple[int | None, cases.DecisionData] | None
    # The appeal to write: (the first appeal it corrects, or None for a new one, its data).
    appeal: tuple[int | None, appeals.AppealData] | None = None
    consent: ConsentRow | None = None  # a consent the person had not given yet
    withdraw: tuple[int, dt.date] | None = None  # (consent id, day) the row withdraws


@dataclass
class GoodRow:
    """A row ready to be written: a new request, or with ``update`` the correction of one."""

    line: int
    person: PersonRef
    cpas_id: int | None  # None, with received_at, for a request being prepared
    received_at: dt.datetime | None
    reference: str
    care_started_on: dt.date | None
    care_kind: str | None
    decision: cases.DecisionData | None
    update: Update | None = None
    appeal: AppealRow | None = None
    consent: ConsentRow | None = None  # for a new request: a consent to record
    front: FrontDesk = field(default_factory=lambda: FrontDesk())

    @property
    def preparing(self) -> bool:
        return self.received_at is None


@dataclass
class FrontDesk:
    """What a row says of the request at the front desk: how it came, whether it is
    urgent (and why), and where it was transferred."""

    channel: str = Channel.IN_PERSON
    urgent: bool = False
    urgent_reason: str | None = None
    transferred_on: dt.date | None = None
    transferred_to_id: int | None = None


@dataclass
class Duplicate:
    """A row that repeats a request, and which one (a sentence for the report)."""

    line: int
    message: str


@dataclass
class _Filed:
    """A request already registered (``request_id``) or brought by an earlier row (``line``)."""

    reference: str
    request_id: int | None
    person_id: int | None
    niss: str | None
    line: int | None


_DayKey = tuple[Any, ...]


@dataclass
class Context:
    """What the checks know: the database's requests and people, and the rows seen so far."""

    folder: Path
    matcher: CpasMatcher
    session: Session  # reads only, while the rows are checked
    existing: dict[str, tuple[int, int]]  # reference → (request id, person id) in the database
    in_file: dict[str, int]  # reference → line of the file
    by_niss: dict[str, _Known]
    by_key: dict[tuple[str, str, str], PersonRef]
    now: dt.datetime
    today: dt.date
    columns: frozenset[str]
    update: bool
    new_people: list[dict[str, Any]] = field(default_factory=list)
    # The requests by person, CPAS and day: the database's, read the first time a row has
    # no reference, and the file's, as its rows come.
    filed: dict[_DayKey, list[_Filed]] | None = None
    file_filed: dict[_DayKey, list[_Filed]] = field(default_factory=dict)
    claimed: dict[int, int] = field(default_factory=dict)  # request id → line updating it
    people_facts: dict[int, tuple[str | None, int | None, str | None]] | None = None
    latest: dict[int, Decision] | None = None
    # The current row's decision reaches back past 60 days: refused unless it corrects a
    # decision a court ordered (set and cleared by check_row).
    pending_court: FieldError | None = None
    first_appeals: dict[int, Appeal] | None = None  # request id → its first appeal
    preparing: set[int] | None = None  # the requests being prepared, read when first needed
    # Each person's consents: the database's (by person id, read when first needed) and
    # those the file's rows give new people (by their index in new_people).
    consents: dict[int, list[_ConsentSeen]] | None = None
    file_consents: dict[int, list[_ConsentSeen]] = field(default_factory=dict)


def load_context(path: Path, session: Session, *, columns: frozenset[str], update: bool) -> Context:
    existing: dict[str, tuple[int, int]] = {
        reference: (request_id, person_id)
        for reference, request_id, person_id in session.execute(
            select(col(Request.reference), col(Request.id), col(Request.person_id))
        )
    }
    by_niss: dict[str, _Known] = {}
    by_key: dict[tuple[str, str, str], PersonRef] = {}
    statement = select(
        col(Person.id),
        col(Person.family_name),
        col(Person.given_names),
        col(Person.birth_date),
        col(Person.niss),
    )
    for person_id, family, given, birth, niss in session.execute(
        statement.order_by(col(Person.id))
    ):
        ref = PersonRef(existing_id=person_id)
        if niss:
            by_niss.setdefault(niss, _Known(ref, family, given, birth))
        by_key.setdefault(_person_key(family, given, birth), ref)
    return Context(
        folder=path.parent.resolve(),
        matcher=CpasMatcher(list_cpas(session=session)),
        session=session,
        existing=existing,
        in_file={},
        by_niss=by_niss,
        by_key=by_key,
        now=utcnow(),
        today=brussels_today(),
        columns=columns,
        update=update,
    )


def _person_key(family_name: str, given_names: str, birth_date: str | None) -> tuple[str, str, str]:
    return (" ".join(family_name.split()), " ".join(given_names.split()), birth_date or "")


def _folded(name: str) -> str:
    """A name for comparing: case, accents, script, spaces and hyphens ignored."""
    return fold(name).replace(" ", "")


def _dates_agree(first: str | None, second: str | None) -> bool:
    """Two birth dates (possibly partial, possibly unknown) that may be the same day."""
    if not first or not second:
        return True
    return all(
        a == b
        for a, b in zip(v.date_parts(first), v.date_parts(second), strict=True)
        if a is not None and b is not None
    )


def _same_person(known: _Known, values: dict[str, Any]) -> bool:
    return (
        _folded(known.family_name) == _folded(values["family_name"])
        and _folded(known.given_names) == _folded(values["given_names"])
        and _dates_agree(known.birth_date, values["birth_date"])
    )


def _without_label(message: str) -> str:
    """'Birth date: write the date…' → 'write the date…' (the column is named beside it)."""
    return _LABEL.sub("", message, count=1)


def row_problem(line: int, error: FieldError) -> RowProblem:
    column = _COLUMN_OF_FIELD.get(error.field, error.field)
    return RowProblem(line=line, field=column, message=_without_label(error.message))


def _reference(text: str, line: int, context: Context) -> str:
    """The row's reference, checked as the request form checks it; '' when empty."""
    reference = cases.check_reference(text)
    if not reference:
        return ""
    first = context.in_file.get(reference)
    if first is not None:
        raise FieldError(
            "reference",
            _("Reference: {reference} is already used on line {line}.").format(
                reference=reference, line=first
            ),
        )
    context.in_file[reference] = line
    return reference


def _photo(text: str, folder: Path) -> bytes | None:
    value = text.strip()
    if not value:
        return None
    relative = value.replace("\\", "/")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(value).drive:
        raise FieldError("photo", _("Photo: give the path relative to the spreadsheet's folder."))
    if any(is_control(char) for char in value):
        raise FieldError("photo", _("Photo: this is not a file name."))
    try:
        target = (folder / relative).resolve()
    except (OSError, ValueError, RuntimeError):
        raise FieldError("photo", _("Photo: this is not a file name.")) from None
    if ".." in PurePosixPath(relative).parts or not target.is_relative_to(folder):
        raise FieldError("photo", _("Photo: the file must be inside the spreadsheet's folder."))
    try:
        return load_photo_file(target)
    except PhotoError as exc:
        raise FieldError("photo", str(exc)) from None
    except (OSError, ValueError):
        raise FieldError("photo", _("Photo: this file cannot be read.")) from None


def _received_at(text: str, birth_date: str | None) -> tuple[dt.datetime, bool]:
    """The moment the request was filed, and whether the row gave its time."""
    value = v.clean(text, "filed_on", _("Filed on"), required=True)
    match = _FILED.match(value)
    if not match:
        raise FieldError(
            "filed_on",
            _("Filed on: write the date as YYYY-MM-DD or YYYY-MM-DD HH:MM (got “{value}”).").format(
                value=v.quoted(value)
            ),
        )
    day = v.iso_date(match[1], "filed_on", _("Filed on"))
    assert day is not None
    moment = DEFAULT_FILED_TIME
    if match[2]:
        try:
            moment = dt.time(int(match[2]), int(match[3]), int(match[4] or 0))
        except ValueError:
            raise FieldError("filed_on", _("Filed on: this time does not exist.")) from None
    if day < cases.FIRST_FILING_DAY:  # before converting: year 1 has no day before it in UTC
        raise FieldError(
            "filed_on", _("Filed on: the date is before 1 January 2000; check the year.")
        )
    try:
        received = cases.to_utc(dt.datetime.combine(day, moment))
    except (OverflowError, ValueError):
        raise FieldError("filed_on", _("Filed on: the date is in the future.")) from None
    cases.check_received(received, birth_date=birth_date)
    return received, bool(match[2])


def _care(row: dict[str, str], context: Context) -> tuple[dt.date | None, str | None]:
    started = v.iso_date(row["care_started_on"], "care_started_on", _("Care started on"))
    kind = row["care_kind"].strip().lower() or None
    cases.check_care(started, kind, today=context.today)
    return started, kind


def _yes_no(text: str, column: str) -> bool:
    """A yes/no cell: yes, oui, ja, true, 1… or no, non, nee, false, 0, empty."""
    value = text.strip().lower()
    if value in YES_WORDS:
        return True
    if value in NO_WORDS:
        return False
    raise FieldError(
        column,
        _("{column}: write yes or no (got “{value}”).").format(
            column=column, value=v.quoted(text.strip())
        ),
    )


def _reasons(text: str) -> list[tuple[str, str]]:
    """The reasons of a refusal_reasons cell: (key, explanation), keys checked."""
    value = text.strip()
    if not value:
        return []
    if len(value) > MAX_REASONS_TEXT:
        raise FieldError(
            "refusal_reasons",
            _("Refusal reasons: at most {n} characters.").format(n=MAX_REASONS_TEXT),
        )
    pairs = split_reasons(value)
    if len(pairs) > len(REASONS):
        raise FieldError(
            "refusal_reasons",
            _("Refusal reasons: at most {n} reasons.").format(n=len(REASONS)),
        )
    reasons: list[tuple[str, str]] = []
    for key, explanation in pairs:
        if key.lower() not in REASONS:
            raise FieldError(
                "refusal_reasons",
                _("Refusal reasons: “{key}” is not a reason listed; use {keys}.").format(
                    key=v.quoted(key), keys=", ".join(REASONS)
                ),
            )
        reasons.append((key.lower(), explanation))
    return reasons


def _court_order(row: dict[str, str], ordered: bool) -> tuple[dt.date | None, str]:
    """The judgment a court-ordered decision carries out: its day and its court."""
    judgment_on = v.iso_date(row["court_judgment_on"], "court_judgment_on", _("Judgment of"))
    court = v.note(row["court_name"], "court_name", _("Court"), max_length=300)
    if not ordered:
        given = [name for name in ("court_judgment_on", "court_name") if row[name].strip()]
        if given:
            raise FieldError(
                given[0],
                _(
                    "{column}: only for a decision a court ordered; write yes in the column "
                    "“court_ordered”, or leave this column empty."
                ).format(column=given[0]),
            )
        return None, ""
    if judgment_on is None:
        raise FieldError(
            "court_judgment_on",
            _("Judgment of: give the day of the judgment the decision carries out."),
        )
    if judgment_on < cases.FIRST_FILING_DAY:
        raise FieldError(
            "court_judgment_on",
            _("Judgment of: the date is before 1 January 2000; check the year."),
        )
    if not court:
        raise FieldError(
            "court_name",
            _(
                "Court: name the labour court whose judgment the decision carries out "
                "(the column “court_name”)."
            ),
        )
    return judgment_on, court


def _decision(
    row: dict[str, str], received: dt.datetime, context: Context
) -> cases.DecisionData | None:
    kind = row["decision"].strip().lower()
    ordered = _yes_no(row["court_ordered"], "court_ordered")
    if not kind:
        given = [name for name in DECISION_DATE_COLUMNS if row[name].strip()]
        if given:
            raise FieldError(
                given[0],
                _(
                    "{column}: give the kind of decision in the column “decision”, "
                    "or leave the decision dates empty."
                ).format(column=given[0]),
            )
        facts = ("refusal_reasons", "court_ordered", "court_judgment_on", "court_name")
        given = [
            name
            for name in facts
            if row[name].strip() and not (name == "court_ordered" and not ordered)
        ]
        if given:
            raise FieldError(
                given[0],
                _(
                    "{column}: give the decision in the column “decision”, or leave this "
                    "column empty."
                ).format(column=given[0]),
            )
        return None
    if kind not in DECISION_LABELS:
        raise FieldError(
            "decision",
            _("Decision: use principle, guarantee, refusal or incompetent (got “{value}”).").format(
                value=v.quoted(row["decision"].strip())
            ),
        )
    reasons = _reasons(row["refusal_reasons"])
    judgment_on, court = _court_order(row, ordered)
    data = cases.DecisionData(
        kind=kind,
        decided_on=v.iso_date(row["decided_on"], "decided_on", _("Decided on")),
        notified_on=v.iso_date(row["notified_on"], "notified_on", _("Notified on")),
        valid_from=v.iso_date(row["valid_from"], "valid_from", _("Valid from")),
        valid_to=v.iso_date(row["valid_to"], "valid_to", _("Valid to")),
        reasons=reasons,
        court_ordered=ordered,
        court_judgment_on=judgment_on,
        court_name=court,
    )
    try:
        cases.check_decision(data, cases.local_date(received), today=context.today)
    except FieldError as error:
        if not _may_be_court_ordered(data, error, context):
            raise
        # With --update and no court columns, the decision it corrects may be court-ordered:
        # settled once the row's request is known.
        cases.check_decision(
            dataclasses.replace(
                data,
                court_ordered=True,
                court_judgment_on=data.decided_on,
                court_name="-",
            ),
            cases.local_date(received),
            today=context.today,
        )
        context.pending_court = error
    return data


def _may_be_court_ordered(data: cases.DecisionData, error: FieldError, context: Context) -> bool:
    """Whether ``error`` is the 60-day limit of a row that may correct a decision ordered by
    a court, which a file without the court columns does not say."""
    return (
        context.update
        and "court_ordered" not in context.columns
        and error.field == "valid_from"
        and data.valid_from is not None
        and data.decided_on is not None
        and data.valid_from < data.decided_on - dt.timedelta(days=60)
    )


def _check_appeal(data: appeals.AppealData, received: dt.date, context: Context) -> None:
    """services.appeals' checks, their fields named as the file's columns."""
    try:
        appeals.check_appeal(data, received, today=context.today)
    except FieldError as error:
        column = _APPEAL_COLUMN_OF_FIELD.get(error.field, error.field)
        raise FieldError(column, error.message) from None


def _appeal(row: dict[str, str], received: dt.datetime, context: Context) -> AppealRow | None:
    """The appeal the row gives (filed by registered letter), checked as the form does."""
    filed_on = v.iso_date(row["appeal_filed_on"], "appeal_filed_on", _("Appeal filed on"))
    outcome_on = v.iso_date(row["appeal_outcome_on"], "appeal_outcome_on", _("Outcome on"))
    court = v.note(row["appeal_court"], "appeal_court", _("Court"), max_length=300)
    court = v.clean(court, "appeal_court", _("Court"), max_length=300, printed=True)
    outcome = row["appeal_outcome"].strip().lower()
    if filed_on is None:
        given = [
            name
            for name in ("appeal_court", "appeal_outcome", "appeal_outcome_on")
            if row[name].strip()
        ]
        if given:
            raise FieldError(
                given[0],
                _(
                    "{column}: give the day the appeal was filed in the column "
                    "“appeal_filed_on”, or leave this column empty."
                ).format(column=given[0]),
            )
        return None
    if outcome and outcome not in APPEAL_OUTCOME_LABELS:
        raise FieldError(
            "appeal_outcome",
            _(
                "Appeal outcome: use granted, partly, rejected, withdrawn or revised (got “{value}”)."
            ).format(value=v.quoted(row["appeal_outcome"].strip())),
        )
    data = appeals.AppealData(
        filed_on=filed_on, court=court, outcome=outcome or None, outcome_on=outcome_on
    )
    _check_appeal(data, cases.local_date(received), context)
    return AppealRow(filed_on, court, outcome or None, outcome_on)


def _consent(row: dict[str, str], context: Context) -> ConsentRow | None:
    """The person's consent the row gives: its day, the mandate, its withdrawal."""
    given_on = v.iso_date(row["consent_on"], "consent_on", _("Consent given on"))
    mandate = _yes_no(row["mandate"], "mandate")
    withdrawn_on = v.iso_date(
        row["consent_withdrawn_on"], "consent_withdrawn_on", _("Consent withdrawn on")
    )
    if given_on is None:
        if mandate:
            raise FieldError(
                "mandate",
                _(
                    "Mandate: a mandate is given with a consent; give its day in the column "
                    "“consent_on”."
                ),
            )
        if withdrawn_on is not None:
            raise FieldError(
                "consent_withdrawn_on",
                _(
                    "Consent withdrawn on: give the day the consent was given in the column "
                    "“consent_on”."
                ),
            )
        return None
    if given_on < cases.FIRST_FILING_DAY:
        raise FieldError(
            "consent_on", _("Consent given on: the date is before 1 January 2000; check the year.")
        )
    v.not_in_future(given_on, "consent_on", _("Consent given on"), today=context.today)
    if withdrawn_on is not None:
        v.not_in_future(
            withdrawn_on, "consent_withdrawn_on", _("Consent withdrawn on"), today=context.today
        )
        if withdrawn_on < given_on:
            raise FieldError(
                "consent_withdrawn_on",
                _("Consent withdrawn on: the withdrawal cannot come before the consent."),
            )
    return ConsentRow(given_on, mandate, withdrawn_on)


def _cpas(row: dict[str, str], context: Context) -> int:
    """The CPAS the request was filed with, found in the directory."""
    cpas_text = v.clean(row["cpas"], "cpas", _("CPAS"), required=True)
    cpas = context.matcher.find(cpas_text)
    if cpas is None or cpas.id is None:
        raise FieldError(
            "cpas",
            _("CPAS: no CPAS of the directory is called “{name}”.").format(
                name=v.quoted(cpas_text)
            ),
        )
    return cpas.id


def _languages(text: str) -> list[str]:
    return [part for part in re.split(r"[,;/\s]+", text) if part]


# --- the front desk's columns ------------------------------------------------------------------

# The words a cell may use for each key (French, Dutch, English), compared folded.
CHANNEL_WORDS: dict[str, tuple[str, ...]] = {
    Channel.IN_PERSON: (
        "in person",
        "en personne",
        "sur place",
        "au guichet",
        "guichet",
        "in persoon",
        "aan het loket",
        "loket",
        "ter plaatse",
    ),
    Channel.SERVICE: (
        "social service",
        "service social",
        "par un service social",
        "sociale dienst",
        "via een sociale dienst",
    ),
    Channel.HOSPITAL: (
        "hôpital",
        "service social d'un hôpital",
        "ziekenhuis",
        "sociale dienst ziekenhuis",
    ),
    Channel.ONLINE: ("en ligne", "internet", "web"),
    Channel.POST: (
        "poste",
        "par la poste",
        "courrier",
        "par courrier",
        "lettre",
        "per post",
        "brief",
        "per brief",
        "by post",
        "mail post",
    ),
    Channel.EMAIL: (
        "e-mail",
        "mail",
        "courriel",
        "par e-mail",
        "par courriel",
        "per e-mail",
        "per mail",
        "by e-mail",
    ),
}
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    CaseStatus.PREPARING: (
        "en préparation",
        "préparation",
        "pas encore introduite",
        "in voorbereiding",
        "voorbereiding",
        "nog niet ingediend",
        "not filed yet",
    ),
    CaseStatus.OPEN: ("ouverte", "ouvert", "en cours", "lopend"),
    CaseStatus.DECIDED: ("décidée", "décidé", "beslist"),
    CaseStatus.REFUSED: ("refusée", "refusé", "geweigerd"),
    CaseStatus.TRANSFERRED: ("transférée", "transféré", "transmise", "doorgestuurd"),
}
URGENT_REASON_WORDS: dict[str, tuple[str, ...]] = {
    UrgentReason.HOSPITAL: ("hôpital", "hospitalisation", "ziekenhuis", "opname"),
    UrgentReason.TREATMENT: ("traitement", "behandeling"),
    UrgentReason.PREGNANCY: ("grossesse", "zwangerschap"),
    UrgentReason.CHILD: ("enfant", "kind"),
    UrgentReason.OTHER: ("autre", "ander", "andere"),
}
# What a request being prepared cannot have yet: it has not reached a CPAS.
_NOT_WHILE_PREPARING = (
    "cpas",
    "filed_on",
    "decision",
    *DECISION_DATE_COLUMNS,
    "refusal_reasons",
    *COURT_COLUMNS,
    *APPEAL_COLUMNS,
    "transferred_on",
    "transferred_to",
)


def _word_index(words: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {fold_header(word): key for key, names in words.items() for word in (key, *names)}


_CHANNEL_INDEX = _word_index(CHANNEL_WORDS)
_STATUS_INDEX = _word_index(STATUS_WORDS)
_URGENT_REASON_INDEX = _word_index(URGENT_REASON_WORDS)


def _channel(text: str) -> str:
    """How the request came: a key of Channel or its French or Dutch word; in person when empty."""
    value = text.strip()
    if not value:
        return str(Channel.IN_PERSON)
    channel = _CHANNEL_INDEX.get(fold_header(value))
    if channel is None:
        raise FieldError(
            "channel",
            _("Channel: use {keys} (got “{value}”).").format(
                keys=", ".join(Channel), value=v.quoted(value)
            ),
        )
    return channel


def _status(text: str) -> str | None:
    """The status a row gives (only ``preparing`` changes anything: the others follow the
    decision, as the export writes them); None when empty."""
    value = text.strip()
    if not value:
        return None
    status = _STATUS_INDEX.get(fold_header(value))
    if status is None:
        raise FieldError(
            "status",
            _(
                "Status: write preparing for a request not filed yet; the other statuses "
                "({keys}) follow the decision (got “{value}”)."
            ).format(
                keys=", ".join(s for s in CaseStatus if s != CaseStatus.PREPARING),
                value=v.quoted(value),
            ),
        )
    return status


def _urgency(row: dict[str, str]) -> tuple[bool, str | None]:
    urgent = _yes_no(row["urgent"], "urgent")
    value = row["urgent_reason"].strip()
    if not value:  # an urgent request needs its category, as in the form
        return urgent, cases.check_urgency(urgent, None)
    if not urgent:
        raise FieldError(
            "urgent_reason",
            _(
                "urgent_reason: only for an urgent request; write yes in the column “urgent”, "
                "or leave this column empty."
            ),
        )
    reason = _URGENT_REASON_INDEX.get(fold_header(value))
    if reason is None:
        raise FieldError(
            "urgent_reason",
            _("Why urgent: use {keys} (got “{value}”).").format(
                keys=", ".join(UrgentReason), value=v.quoted(value)
            ),
        )
    return urgent, reason


def _transfer(
    row: dict[str, str], received: dt.datetime, cpas_id: int, context: Context
) -> tuple[dt.date | None, int | None]:
    """The day the request was sent on to the competent CPAS, and to which one."""
    day = v.iso_date(row["transferred_on"], "transferred_on", _("Transferred on"))
    name = v.clean(row["transferred_to"], "transferred_to", _("Sent to"))
    if day is None:
        if name:
            raise FieldError(
                "transferred_to",
                _(
                    "transferred_to: give the day of the transfer in the column "
                    "“transferred_on”, or leave this column empty."
                ),
            )
        return None, None
    v.not_in_future(day, "transferred_on", _("Transferred on"), today=context.today)
    if day < cases.local_date(received):
        raise FieldError(
            "transferred_on", _("Transferred on: the transfer cannot come before the request.")
        )
    if not name:
        return day, None
    cpas = context.matcher.find(name)
    if cpas is None or cpas.id is None:
        raise FieldError(
            "transferred_to",
            _("Sent to: no CPAS of the directory is called “{name}”.").format(name=v.quoted(name)),
        )
    if cpas.id == cpas_id:
        raise FieldError(
            "transferred_to",
            _("Sent to: choose another CPAS than the one that received the request."),
        )
    return day, cpas.id


def _refuse_while_preparing(row: dict[str, str]) -> None:
    """A row "preparing" that gives what only a filed request has is refused, naming the column."""
    for name in _NOT_WHILE_PREPARING:
        if not row[name].strip():
            continue
        if name == "court_ordered" and not _yes_no(row[name], name):
            continue
        raise FieldError(
            name,
            _(
                "{column}: a request being prepared has not been filed with a CPAS yet; "
                "leave this column empty, or remove “preparing” from the column “status”."
            ).format(column=name),
        )


def check_row(line: int, row: dict[str, str], context: Context) -> GoodRow | Duplicate:
    """The row ready to be written, the request it repeats, or a FieldError for the first
    thing wrong with it."""
    reference = _reference(row["reference"], line, context)
    data = people.PersonData(
        family_name=row["family_name"],
        given_names=row["given_names"],
        latin_name=row["latin_name"],  # checked with the names: Latin letters only
        sex=row["sex"],
        birth_date=row["birth_date"],
        niss=row["niss"],
        nationality=row["nationality"],
        languages=_languages(row["language"]),
    )
    values = people.checked_values(data, today=context.today, niss_agrees=True)
    values["photo"] = _photo(row["photo"], context.folder)
    preparing = _status(row["status"]) == CaseStatus.PREPARING
    context.pending_court = None
    front = FrontDesk(channel=_channel(row["channel"]))
    front.urgent, front.urgent_reason = _urgency(row)
    cpas_id: int | None = None
    received: dt.datetime | None = None
    timed = False
    decision: cases.DecisionData | None = None
    appeal: AppealRow | None = None
    if preparing:
        _refuse_while_preparing(row)
    else:
        cpas_id = _cpas(row, context)
        received, timed = _received_at(row["filed_on"], values["birth_date"])
    care_started_on, care_kind = _care(row, context)
    if received is not None and cpas_id is not None:
        decision = _decision(row, received, context)
        appeal = _appeal(row, received, context)
        front.transferred_on, front.transferred_to_id = _transfer(row, received, cpas_id, context)
    consent = _consent(row, context)
    good = GoodRow(
        line=line,
        person=PersonRef(),
        cpas_id=cpas_id,
        received_at=received,
        reference=reference,
        care_started_on=care_started_on,
        care_kind=care_kind,
        decision=decision,
        appeal=appeal,
        consent=consent,
        front=front,
    )
    day = cases.local_date(received) if received is not None else None
    if reference and reference in context.existing:
        request_id, person_id = context.existing[reference]
        same = _Filed(reference, request_id, person_id, None, None)
    elif reference:
        same = None
    else:
        known = context.by_niss.get(values["niss"]) if values["niss"] else None
        if known is not None and not _same_person(known, values):
            raise _niss_taken(known, context)  # not the same request: someone else's number
        same = _same_request(values, cpas_id, day, context)
    if same is not None:
        return _repeat(good, same, values, timed, context)
    if context.pending_court is not None:
        raise context.pending_court
    good.person = _match_person(values, line, context)
    if good.consent is not None:
        good.consent, _withdraw = _consent_change(
            good.person, good.consent, context, withdraw=False
        )
    _remember(values, cpas_id, day, _Filed(reference, None, None, values["niss"], line), context)
    return good


# --- rows that repeat a request ------------------------------------------------------------


def _day_keys(
    niss: str | None,
    family_name: str,
    given_names: str,
    birth_date: str | None,
    cpas_id: int | None,
    day: dt.date | None,
) -> tuple[_DayKey | None, _DayKey]:
    """The keys a request is found by: its person (by NISS, by names and birth date), its
    CPAS and its day (both None for the requests being prepared)."""
    by_niss = ("niss", niss, cpas_id, day) if niss else None
    by_name = (
        "name",
        _folded(family_name),
        _folded(given_names),
        birth_date or "",
        cpas_id,
        day,
    )
    return by_niss, by_name


def _filed_requests(context: Context) -> dict[_DayKey, list[_Filed]]:
    """The requests of the database by person, CPAS and day, read once, when first needed."""
    if context.filed is None:
        filed: dict[_DayKey, list[_Filed]] = {}
        statement = (
            select(
                col(Request.reference),
                col(Request.id),
                col(Request.person_id),
                col(Request.cpas_id),
                col(Request.received_at),
                col(Person.niss),
                col(Person.family_name),
                col(Person.given_names),
                col(Person.birth_date),
            )
            .join(Person, col(Person.id) == col(Request.person_id))
            .order_by(col(Request.id))
        )
        for (
            reference,
            request_id,
            person_id,
            cpas_id,
            received,
            niss,
            family,
            given,
            birth,
        ) in context.session.execute(statement):
            entry = _Filed(reference, request_id, person_id, niss, None)
            day = cases.local_date(received) if received is not None else None
            for key in _day_keys(niss, family, given, birth, cpas_id, day):
                if key is not None:
                    filed.setdefault(key, []).append(entry)
        context.filed = filed
    return context.filed


def _same_request(
    values: dict[str, Any], cpas_id: int | None, day: dt.date | None, context: Context
) -> _Filed | None:
    """The request registered (or brought by an earlier row) for the same person — same
    NISS, or same names and birth date without a different NISS — at the same CPAS on
    the same day."""
    niss = values["niss"]
    by_niss, by_name = _day_keys(
        niss, values["family_name"], values["given_names"], values["birth_date"], cpas_id, day
    )
    for filed in (_filed_requests(context), context.file_filed):
        if by_niss is not None and filed.get(by_niss):
            return filed[by_niss][0]
        for entry in filed.get(by_name, []):
            if not niss or not entry.niss or entry.niss == niss:
                return entry
    return None


def _remember(
    values: dict[str, Any],
    cpas_id: int | None,
    day: dt.date | None,
    entry: _Filed,
    context: Context,
) -> None:
    for key in _day_keys(
        values["niss"],
        values["family_name"],
        values["given_names"],
        values["birth_date"],
        cpas_id,
        day,
    ):
        if key is not None:
            context.file_filed.setdefault(key, []).append(entry)


def _repeat(
    good: GoodRow, same: _Filed, values: dict[str, Any], timed: bool, context: Context
) -> Duplicate | GoodRow:
    """A duplicate of ``same``; with ``update``, the row that corrects it."""
    if same.request_id is None:
        return Duplicate(
            good.line,
            _("the same request as line {line}; this row was not imported.").format(line=same.line),
        )
    first = context.claimed.get(same.request_id)
    if first is not None:
        return Duplicate(
            good.line,
            _("the same request as line {line} ({reference}); this row was not used.").format(
                line=first, reference=same.reference
            ),
        )
    context.claimed[same.request_id] = good.line
    if not context.update:
        return Duplicate(
            good.line,
            _("already registered as {reference}; this row was not imported.").format(
                reference=same.reference
            ),
        )
    assert same.person_id is not None
    _check_update(good, same, values, context)
    good.reference = same.reference
    good.person = PersonRef(existing_id=same.person_id)
    consent: tuple[ConsentRow | None, tuple[int, dt.date] | None] = (None, None)
    if good.consent is not None:
        consent = _consent_change(good.person, good.consent, context, withdraw=True)
    good.update = Update(
        request_id=same.request_id,
        person_id=same.person_id,
        values=values,
        timed=timed,
        decision=_decision_change(good, same.request_id, context),
        appeal=_appeal_change(good, same.request_id, context),
        consent=consent[0],
        withdraw=consent[1],
    )
    good.consent = None
    return good


def _people_facts(context: Context) -> dict[int, tuple[str | None, int | None, str | None]]:
    """Person id → (NISS, guardian id, birth date), read once, when a row first updates."""
    if context.people_facts is None:
        context.people_facts = {
            person_id: (niss, guardian_id, birth)
            for person_id, niss, guardian_id, birth in context.session.execute(
                select(
                    col(Person.id),
                    col(Person.niss),
                    col(Person.guardian_id),
                    col(Person.birth_date),
                )
            )
        }
    return context.people_facts


def _latest_decisions(context: Context) -> dict[int, Decision]:
    """Request id → its latest decision (as cases.latest_decision orders them), read once."""
    if context.latest is None:
        latest: dict[int, Decision] = {}
        statement = select(Decision).order_by(
            col(Decision.request_id), col(Decision.decided_on), col(Decision.id)
        )
        for decision in context.session.scalars(statement):
            latest[decision.request_id] = decision
        context.latest = latest
    return context.latest


def _preparing_requests(context: Context) -> set[int]:
    """The ids of the requests not filed yet, read once, when a row first updates."""
    if context.preparing is None:
        context.preparing = set(
            context.session.scalars(
                select(col(Request.id)).where(col(Request.received_at).is_(None))
            )
        )
    return context.preparing


def _check_update(good: GoodRow, same: _Filed, values: dict[str, Any], context: Context) -> None:
    """What the row would make of the person of ``same``, checked before anything is written."""
    assert same.person_id is not None and same.request_id is not None
    if good.preparing and same.request_id not in _preparing_requests(context):
        raise FieldError(
            "status",
            _(
                "Status: the request {reference} has been filed with a CPAS already; it cannot "
                "be in preparation again."
            ).format(reference=same.reference),
        )
    known_niss, guardian_id, known_birth = _people_facts(context)[same.person_id]
    niss = values["niss"] if "niss" in context.columns else known_niss
    if known_niss and niss and niss != known_niss:
        raise FieldError(
            "niss",
            _(
                "NISS: the request {reference} is for a person with another NISS; check the "
                "reference and the number."
            ).format(reference=same.reference),
        )
    known = context.by_niss.get(niss) if niss else None
    if known is not None and known.ref != PersonRef(existing_id=same.person_id):
        raise _niss_taken(known, context)
    birth = values["birth_date"] if "birth_date" in context.columns else known_birth
    age = people.age_on(birth, context.today)
    if guardian_id is not None and age is not None and age >= people.ADULT_AGE:
        raise FieldError("birth_date", _("Birth date: a dependant must be under 18."))
    if niss:
        context.by_niss[niss] = _Known(
            PersonRef(existing_id=same.person_id),
            values["family_name"],
            values["given_names"],
            birth,
        )


def _decision_change(
    good: GoodRow, request_id: int, context: Context
) -> tuple[int | None, cases.DecisionData] | None:
    """The decision the row writes: none when the latest one already says it (or the row
    has none), a new one when the row's comes later, else the latest one corrected."""
    row = good.decision
    if row is None or "decision" not in context.columns:
        return None
    latest = _latest_decisions(context).get(request_id)
    if latest is None:
        if context.pending_court is not None:
            raise context.pending_court
        return None, row
    assert row.decided_on is not None
    # The reasons and the court's judgment, as the file gives them or as they are known.
    known_reasons = [
        (reason.key, reason.explanation)
        for reason in cases.reasons_of(latest.id or 0, session=context.session)
    ]
    if "refusal_reasons" in context.columns:
        reasons = _in_table_order(row.reasons)
    else:
        reasons = known_reasons if row.kind in REASONED_KINDS else []
    court: tuple[bool, dt.date | None, str] = (
        (row.court_ordered, row.court_judgment_on, row.court_name)
        if "court_ordered" in context.columns
        else (latest.court_ordered, latest.court_judgment_on, latest.court_name)
    )
    said = (
        latest.kind,
        latest.decided_on,
        latest.notified_on,
        latest.valid_from,
        latest.valid_to,
        known_reasons,
        (latest.court_ordered, latest.court_judgment_on, latest.court_name),
    )
    if said == (
        row.kind,
        row.decided_on,
        row.notified_on,
        row.valid_from,
        row.valid_to,
        reasons,
        court,
    ):
        return None
    if row.decided_on > latest.decided_on:
        if context.pending_court is not None:
            raise context.pending_court
        return None, row
    positive = cases.positive_decision(row.kind)
    corrected = cases.DecisionData(
        kind=row.kind,
        decided_on=row.decided_on,
        notified_on=row.notified_on,
        valid_from=row.valid_from,
        valid_to=row.valid_to,
        mediprima_number=latest.mediprima_number,
        notification_method=latest.notification_method,
        posted_on=latest.posted_on,
        missing_mentions=latest.missing_mention_list,
        encoded_on=latest.encoded_on if positive else None,
        ticket_moderateur=latest.ticket_moderateur if positive else None,
        reasons=reasons,
        court_ordered=court[0],
        court_judgment_on=court[1],
        court_name=court[2],
    )
    assert good.received_at is not None  # a row with a decision has been filed
    cases.check_decision(corrected, cases.local_date(good.received_at), today=context.today)
    return latest.id, corrected


def _in_table_order(reasons: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Reasons as services.cases stores them: in the order of amudesk.refusals' table."""
    order = {key: number for number, key in enumerate(REASONS)}
    return sorted(reasons, key=lambda pair: order[pair[0]])


def _first_appeals(context: Context) -> dict[int, Appeal]:
    """Request id → its first appeal (the one its appealed_on follows), read once."""
    if context.first_appeals is None:
        first: dict[int, Appeal] = {}
        statement = select(Appeal).order_by(
            col(Appeal.request_id), col(Appeal.filed_on), col(Appeal.id)
        )
        for appeal in context.session.scalars(statement):
            first.setdefault(appeal.request_id, appeal)
        context.first_appeals = first
    return context.first_appeals


def _appeal_change(
    good: GoodRow, request_id: int, context: Context
) -> tuple[int | None, appeals.AppealData] | None:
    """The appeal the row writes: a new one when the request has none, else its first one
    corrected (the columns the file lacks, and the role number, the hearings and how it
    was filed, as they are); none when it already says so. An empty appeal_filed_on
    removes nothing."""
    row = good.appeal
    if row is None:
        return None
    first = _first_appeals(context).get(request_id)
    if first is None:
        return None, appeals.AppealData(
            filed_on=row.filed_on, court=row.court, outcome=row.outcome, outcome_on=row.outcome_on
        )
    court = row.court if "appeal_court" in context.columns else first.court
    outcome, outcome_on = (
        (row.outcome, row.outcome_on)
        if "appeal_outcome" in context.columns
        else (first.outcome, first.outcome_on)
    )
    if (first.filed_on, first.court, first.outcome, first.outcome_on) == (
        row.filed_on,
        court,
        outcome,
        outcome_on,
    ):
        return None
    data = appeals.AppealData(
        filed_on=row.filed_on,
        filed_how=first.filed_how,
        court=court,
        role_number=first.role_number,
        hearing_dates=first.hearing_list,
        outcome=outcome,
        outcome_on=outcome_on,
    )
    assert good.received_at is not None  # a row with an appeal has been filed
    _check_appeal(data, cases.local_date(good.received_at), context)
    return first.id, data


def _consents_seen(ref: PersonRef, context: Context) -> list[_ConsentSeen]:
    """The consents known for the person: recorded, or given by earlier rows."""
    if ref.existing_id is None:
        return context.file_consents.setdefault(ref.new_index or 0, [])
    if context.consents is None:
        known: dict[int, list[_ConsentSeen]] = {}
        statement = select(Consent).order_by(col(Consent.person_id), col(Consent.id))
        for consent in context.session.scalars(statement):
            known.setdefault(consent.person_id, []).append(
                _ConsentSeen(consent.given_on, consent.mandate, consent.withdrawn_on, consent.id)
            )
        context.consents = known
    return context.consents.setdefault(ref.existing_id, [])


def _consent_change(
    ref: PersonRef, consent: ConsentRow, context: Context, *, withdraw: bool
) -> tuple[ConsentRow | None, tuple[int, dt.date] | None]:
    """The consent to record for the person (None when the same one, given the same day
    with or without the mandate alike, is known), or with ``withdraw`` the withdrawal of
    the same one recorded and not withdrawn yet."""
    seen = _consents_seen(ref, context)
    for known in seen:
        if (known.given_on, known.mandate) != (consent.given_on, consent.mandate):
            continue
        if (
            withdraw
            and consent.withdrawn_on is not None
            and known.withdrawn_on is None
            and known.consent_id is not None
        ):
            known.withdrawn_on = consent.withdrawn_on
            return None, (known.consent_id, consent.withdrawn_on)
        return None, None
    seen.append(_ConsentSeen(consent.given_on, consent.mandate, consent.withdrawn_on, None))
    return consent, None


# --- people ----------------------------------------------------------------------------------


def _reference_of_person(person_id: int, context: Context) -> str:
    return (
        context.session.scalar(
            select(col(Request.reference))
            .where(col(Request.person_id) == person_id)
            .order_by(col(Request.received_at).desc(), col(Request.id).desc())
            .limit(1)
        )
        or ""
    )


def _niss_taken(known: _Known, context: Context) -> FieldError:
    if known.line is not None:
        message = _(
            "NISS: this number is given on line {line} for another person; check the number "
            "or the names."
        ).format(line=known.line)
    else:
        reference = (
            _reference_of_person(known.ref.existing_id, context)
            if known.ref.existing_id is not None
            else ""
        )
        if reference:
            message = _(
                "NISS: this number belongs to another person already registered (reference "
                "{reference}); check the number or the names."
            ).format(reference=reference)
        else:
            message = _(
                "NISS: this number belongs to another person already registered; check the "
                "number or the names."
            )
    return FieldError("niss", message)


def _match_person(values: dict[str, Any], line: int, context: Context) -> PersonRef:
    """The same person by NISS (when the names and birth date agree), else by names and
    birth date; a new one otherwise."""
    niss = values["niss"]
    if niss:
        known = context.by_niss.get(niss)
        if known is not None:
            if not _same_person(known, values):
                raise _niss_taken(known, context)
            return known.ref
    key = _person_key(values["family_name"], values["given_names"], values["birth_date"])
    if not niss:
        found = context.by_key.get(key)
        if found is not None:
            return found
    ref = PersonRef(new_index=len(context.new_people))
    context.new_people.append(values)
    if niss:
        context.by_niss[niss] = _Known(
            ref, values["family_name"], values["given_names"], values["birth_date"], line
        )
    context.by_key.setdefault(key, ref)
    return ref
