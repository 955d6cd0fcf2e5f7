"""The access export (GDPR art. 15) for people to read: everything held about one person.

It renders the plain record of ``amudesk.services.privacy.person_record`` (a JSON-ready
dict), in the language asked for: identity with the photo, the consents given, each
request with its attestations, decisions (with their reasons), deadline notes and appeals,
the minor dependants, the audit trail's entries about the file, and the person's rights
with the office's contact details.
Columns this module does not know yet are still shown, under their stored name, so that
nothing held is left out.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from typing import Any

from amudesk import i18n
from amudesk.dates import brussels_today
from amudesk.deadlines import MENTIONS, NOTIFICATION_LABELS, RULES, STATE_LABELS
from amudesk.documents.fonts import paragraph_text
from amudesk.documents.layout import (
    MM,
    TEXT_WIDTH,
    Letterhead,
    PageFrame,
    Styles,
    grid_table,
    label_value_table,
    photo_flowable,
    render,
    stylesheet,
    text,
)
from amudesk.documents.values import format_niss
from amudesk.i18n import N_, gettext_for
from amudesk.models import (
    APPEAL_FILING_LABELS,
    APPEAL_OUTCOME_LABELS,
    CARD_STATUS_LABELS,
    CARE_CATEGORIES,
    CARE_KIND_LABELS,
    CHANNEL_LABELS,
    CLOSE_REASON_LABELS,
    CONSENT_HOW_LABELS,
    CONSENT_USE_LABELS,
    DECISION_LABELS,
    DOCUMENT_KINDS,
    MARK_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
    URGENT_REASON_LABELS,
)
from amudesk.models.audit import ACTIONS, ENTITIES
from amudesk.refusals import REASONS

PHOTO_WIDTH = 30 * MM
PHOTO_COLUMN = PHOTO_WIDTH + 4 * MM

Translate = Callable[[str], str]

# Columns shown under their own label; any other column is listed as it is stored.
EDIT_BOOKKEEPING = ("version", "updated_by")
PERSON_SHOWN = frozenset(
    {
        "id",
        "family_name",
        "given_names",
        "latin_name",
        "sex",
        "birth_date",
        "niss",
        "nationality",
        "languages",
        "phone",
        "commune",
        "no_fixed_abode",
        "usual_place",
        "notes",
        "guardian_id",
        "created_at",
        "updated_at",
        "photo",
        "has_photo",
        "search_text",  # the folded names, derived from the names shown
        # The desk's bookkeeping of edits (amudesk.services.editing): a counter, and the
        # worker who last saved, whom the document never names (nor does its trail).
        *EDIT_BOOKKEEPING,
    }
)
REQUEST_SHOWN = frozenset(
    {
        "id",
        "reference",
        "person_id",
        "cpas_id",
        "cpas",
        "received_at",
        "channel",
        "accompanied_by",
        "aamu_handed_in",
        "care_started_on",
        "care_kind",
        "status",
        "transferred_on",
        "transferred_to_id",
        "transferred_to",
        "previous_id",
        "previous_reference",
        "first_filed_on",
        "spp_referred_on",
        "urgent",
        "urgent_reason",
        "appealed_on",
        "closed_on",
        "closed_reason",
        "closed_note",
        "next_due",
        "next_rule",
        "next_state",
        "created_at",
        "updated_at",
        "attestations",
        "decisions",
        "deadline_marks",
        "appeals",
        *EDIT_BOOKKEEPING,
    }
)


# The person's rights, each a lead and its text (translated when rendered).
RIGHTS: tuple[tuple[str, str], ...] = (
    (
        N_("Access (art. 15 GDPR)."),
        N_(
            "You may ask at any time which data the office holds about you; this "
            "document is the answer on the day it was made."
        ),
    ),
    (
        N_("Rectification (art. 16 GDPR)."),
        N_("You may have wrong or incomplete data corrected."),
    ),
    (
        N_("Erasure (art. 17 GDPR)."),
        N_(
            "You may ask for your data to be erased once they are no longer needed, "
            "unless the law obliges the office to keep them. Encrypted backups keep "
            "erased data for a few more weeks, until they expire."
        ),
    ),
    (
        N_("Restriction and objection (art. 18 and 21 GDPR)."),
        N_("You may ask the office to stop using your data while a question is settled."),
    ),
    (
        N_("Complaint (art. 77 GDPR)."),
        N_(
            "If you think your data are not handled lawfully, you may complain to the "
            "Data Protection Authority, rue de la Presse 35, 1000 Brussels, "
            "www.dataprotectionauthority.be."
        ),
    ),
)


class _Words:
    """Translation and formatting in the document's language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.t: Translate = functools.partial(gettext_for, language)

    def date(self, value: object) -> str:
        if not value:
            return ""
        try:
            return i18n.format_date(dt.date.fromisoformat(str(value)), locale=self.language)
        except ValueError:
            return str(value)

    def moment(self, value: object) -> str:
        if not value:
            return ""
        try:
            return i18n.format_datetime(
                dt.datetime.fromisoformat(str(value)), "medium", locale=self.language
            )
        except ValueError:
            return str(value)

    def yes_no(self, value: object) -> str:
        return self.t(N_("Yes")) if value else self.t(N_("No"))

    def label(self, labels: dict[str, str], code: object) -> str:
        if code is None or code == "":
            return ""
        return self.t(labels[str(code)]) if str(code) in labels else str(code)

    def cpas(self, cpas: dict[str, Any] | None) -> str:
        """A CPAS of the export by its name in the document's language."""
        if not cpas:
            return ""
        if self.language == "nl" and cpas.get("name_nl"):
            return str(cpas["name_nl"])
        return str(cpas.get("name_fr") or "")

    def period(self, start: object, end: object) -> str:
        if start and end:
            return self.t(N_("{start} to {end}")).format(start=self.date(start), end=self.date(end))
        if start:
            return self.t(N_("from {start}")).format(start=self.date(start))
        if end:
            return self.t(N_("until {end}")).format(end=self.date(end))
        return ""


def _niss(value: object) -> str:
    return format_niss(str(value or ""))


def _other_fields(values: dict[str, Any], shown: frozenset[str]) -> str:
    """Columns the renderer does not know, as 'name: value' lines."""
    lines = []
    for key, value in values.items():
        if key in shown or value is None or value == "" or isinstance(value, list | dict):
            continue
        lines.append(f"{key}: {value}")
    return "\n".join(lines)


def _photo_bytes(person: dict[str, Any]) -> bytes | None:
    photo = person.get("photo")
    if not isinstance(photo, dict) or photo.get("encoding") != "base64":
        return None
    try:
        return base64.b64decode(str(photo.get("data", "")), validate=True)
    except (binascii.Error, ValueError):
        return None


def full_name(person: dict[str, Any]) -> str:
    return f"{str(person.get('family_name', '')).upper()} {person.get('given_names', '')}".strip()


def _identity(person: dict[str, Any], words: _Words, styles: Styles) -> list[Any]:
    """The identity table, with the photo on its right."""
    from reportlab.platypus import Table, TableStyle

    t = words.t
    codes = [code for code in str(person.get("languages") or "").split(",") if code]
    rows: list[tuple[str, object]] = [
        (t(N_("Family name")), person.get("family_name")),
        (t(N_("Given names")), person.get("given_names")),
        (t(N_("Name in Latin letters")), person.get("latin_name")),
        (t(N_("Sex")), words.label(SEX_LABELS, person.get("sex"))),
        (
            t(N_("Birth date")),
            i18n.format_partial_date(person.get("birth_date"), locale=words.language),
        ),
        (t(N_("NISS")), _niss(person.get("niss"))),
        (t(N_("Nationality")), i18n.country_name(person.get("nationality"), words.language)),
        (
            t(N_("Languages")),
            ", ".join(i18n.language_name(code, words.language) for code in codes),
        ),
        (t(N_("Phone")), person.get("phone")),
        (t(N_("Commune of residence")), person.get("commune")),
        (t(N_("No fixed abode")), words.yes_no(person.get("no_fixed_abode"))),
        (t(N_("Where the person is usually found")), person.get("usual_place")),
        (t(N_("Notes")), person.get("notes")),
    ]
    if person.get("guardian_id") is not None:
        rows.append(
            (
                t(N_("Responsible adult")),
                t(N_("registered as the dependant of person no. {number}")).format(
                    number=person["guardian_id"]
                ),
            )
        )
    rows += [
        (t(N_("Photo")), t(N_("kept (shown here)")) if person.get("has_photo") else t(N_("none"))),
        (t(N_("Number in the register")), person.get("id")),
        (t(N_("Registered on")), words.moment(person.get("created_at"))),
        (t(N_("Last changed on")), words.moment(person.get("updated_at"))),
        (t(N_("Other stored data")), _other_fields(person, PERSON_SHOWN)),
    ]
    photo = photo_flowable(_photo_bytes(person), PHOTO_WIDTH)
    if photo is None:
        return [label_value_table(rows, styles)]
    table = label_value_table(rows, styles, TEXT_WIDTH - PHOTO_COLUMN)
    outer = Table([[table, photo]], colWidths=[TEXT_WIDTH - PHOTO_COLUMN, PHOTO_COLUMN])
    outer.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (0, 0), 0),
                ("RIGHTPADDING", (1, 0), (1, 0), 0),
                ("LEFTPADDING", (1, 0), (1, 0), 4 * MM),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    outer.hAlign = "LEFT"
    return [outer]


def _note(message: str, styles: Styles) -> Any:
    return text(message, styles.note)


def _request(request: dict[str, Any], words: _Words, styles: Styles) -> list[Any]:
    from reportlab.platypus import KeepTogether, Spacer

    t = words.t
    heading = text(
        t(N_("Request {reference}")).format(reference=request.get("reference", "")),
        styles.subheading,
    )
    rows: list[tuple[str, object]] = [
        (t(N_("Reference")), request.get("reference")),
        (t(N_("CPAS")), words.cpas(request.get("cpas"))),
        (t(N_("Follow-on of request")), request.get("previous_reference")),
        (t(N_("First filed on")), words.date(request.get("first_filed_on"))),
        (t(N_("Received on")), words.moment(request.get("received_at"))),
        (t(N_("Channel")), words.label(CHANNEL_LABELS, request.get("channel"))),
        (t(N_("Accompanied by")), request.get("accompanied_by")),
        (t(N_("AAMU handed in")), words.yes_no(request.get("aamu_handed_in"))),
        (t(N_("Care started on")), words.date(request.get("care_started_on"))),
        (t(N_("Kind of care")), words.label(CARE_KIND_LABELS, request.get("care_kind"))),
        (t(N_("Status")), words.label(STATUS_LABELS, request.get("status"))),
        (t(N_("Urgent")), words.yes_no(request.get("urgent"))),
        (t(N_("Why urgent")), words.label(URGENT_REASON_LABELS, request.get("urgent_reason"))),
        (t(N_("Transferred on")), words.date(request.get("transferred_on"))),
        (t(N_("Sent to")), words.cpas(request.get("transferred_to"))),
        (t(N_("Referred to the SPP IS on")), words.date(request.get("spp_referred_on"))),
        (t(N_("Appealed on")), words.date(request.get("appealed_on"))),
        (t(N_("Closed on")), words.date(request.get("closed_on"))),
        (
            t(N_("Reason for closing")),
            words.label(CLOSE_REASON_LABELS, request.get("closed_reason")),
        ),
        (t(N_("Note on the closing")), request.get("closed_note")),
        (t(N_("Next deadline")), _next_limit(request, words)),
        (t(N_("Registered on")), words.moment(request.get("created_at"))),
        (t(N_("Last changed on")), words.moment(request.get("updated_at"))),
        (t(N_("Other stored data")), _other_fields(request, REQUEST_SHOWN)),
    ]
    story: list[Any] = [KeepTogether([heading, label_value_table(rows, styles)])]

    story.append(text(t(N_("Medical attestations (AAMU)")), styles.caption))
    attestations = request.get("attestations") or []
    if attestations:
        story.append(
            grid_table(
                [
                    t(N_("Date of the attestation")),
                    t(N_("Doctor")),
                    t(N_("INAMI number of the doctor")),
                    t(N_("Requested validity")),
                    t(N_("Care categories")),
                ],
                [
                    [
                        words.date(row.get("issued_on")),
                        row.get("doctor_name", ""),
                        row.get("inami") or "",
                        words.period(row.get("valid_from"), row.get("valid_to")),
                        ", ".join(
                            words.label(CARE_CATEGORIES, code)
                            for code in str(row.get("care_categories") or "").split(",")
                            if code
                        ),
                    ]
                    for row in attestations
                ],
                styles,
                [17, 21, 16, 21, 25],
            )
        )
    else:
        story.append(_note(t(N_("No attestation is recorded.")), styles))

    story.append(text(t(N_("Decisions of the CPAS")), styles.caption))
    decisions = request.get("decisions") or []
    if decisions:
        story.append(
            grid_table(
                [
                    t(N_("Decision")),
                    t(N_("Decided on")),
                    t(N_("Notification")),
                    t(N_("Validity")),
                    t(N_("MediPrima")),
                ],
                [_decision_row(row, words) for row in decisions],
                styles,
                [17, 17, 28, 21, 17],
            )
        )
    else:
        story.append(_note(t(N_("No decision is recorded.")), styles))
    story.extend(_reasons(decisions, words, styles))
    story.extend(_appeals(request.get("appeals") or [], words, styles))

    marks = request.get("deadline_marks") or []
    if marks:
        story.append(text(t(N_("Notes on the time limits")), styles.caption))
        story.append(
            grid_table(
                [t(N_("Time limit")), t(N_("Mark")), t(N_("Until")), t(N_("Reason"))],
                [
                    [
                        t(RULES[row["rule"]].title)
                        if row.get("rule") in RULES
                        else row.get("rule"),
                        words.label(MARK_LABELS, row.get("kind")),
                        words.date(row.get("until")),
                        row.get("reason") or "",
                    ]
                    for row in marks
                ],
                styles,
                [34, 14, 16, 36],
            )
        )
    story.append(Spacer(1, 4 * MM))
    return story


def _next_limit(request: dict[str, Any], words: _Words) -> str:
    """The case's next time limit as the desk keeps it for its case list: the limit, its
    due day and its state ("Decision of the CPAS: 30 Jul 2025 (Overdue)")."""
    rule, due = request.get("next_rule"), request.get("next_due")
    if not rule or not due:
        return ""
    title = words.t(RULES[rule].title) if rule in RULES else str(rule)
    state = words.label(STATE_LABELS, request.get("next_state"))
    return words.t(N_("{limit}: {due} ({state})")).format(
        limit=title, due=words.date(due), state=state
    )


def _decision_row(row: dict[str, Any], words: _Words) -> list[object]:
    t = words.t
    notification = []
    if row.get("notified_on"):
        notification.append(words.date(row.get("notified_on")))
    if row.get("notification_method"):
        notification.append(words.label(NOTIFICATION_LABELS, row.get("notification_method")))
    if row.get("posted_on"):
        notification.append(t(N_("posted on {date}")).format(date=words.date(row.get("posted_on"))))
    missing = [code for code in str(row.get("missing_mentions") or "").split(",") if code]
    if missing:
        notification.append(
            t(N_("without {mentions}")).format(
                mentions=", ".join(words.label(MENTIONS, code) for code in missing)
            )
        )
    mediprima = []
    if row.get("mediprima_number"):
        mediprima.append(str(row["mediprima_number"]))
    if row.get("encoded_on"):
        mediprima.append(t(N_("encoded on {date}")).format(date=words.date(row["encoded_on"])))
    return [
        words.label(DECISION_LABELS, row.get("kind")),
        words.date(row.get("decided_on")),
        "\n".join(notification),
        words.period(row.get("valid_from"), row.get("valid_to")),
        "\n".join(mediprima),
    ]


def _reasons(decisions: Sequence[dict[str, Any]], words: _Words, styles: Styles) -> list[Any]:
    """The reasons each decision gave, one row each (none: nothing shown)."""
    t = words.t
    rows = [
        [
            t(N_("{decision} of {date}")).format(
                decision=words.label(DECISION_LABELS, decision.get("kind")),
                date=words.date(decision.get("decided_on")),
            ),
            t(REASONS[str(reason.get("key"))].label)
            if str(reason.get("key")) in REASONS
            else str(reason.get("key") or ""),
            reason.get("explanation") or "",
        ]
        for decision in decisions
        for reason in decision.get("reasons") or []
    ]
    if not rows:
        return []
    return [
        text(t(N_("Reasons given by the CPAS")), styles.caption),
        grid_table(
            [t(N_("Decision")), t(N_("Reason")), t(N_("Explanation"))],
            rows,
            styles,
            [26, 30, 44],
        ),
    ]


def _appeals(appeals: Sequence[dict[str, Any]], words: _Words, styles: Styles) -> list[Any]:
    """The appeals to the labour court (none: nothing shown)."""
    if not appeals:
        return []
    t = words.t
    rows = []
    for row in appeals:
        hearings = [day for day in str(row.get("hearing_dates") or "").split(",") if day]
        outcome = words.label(APPEAL_OUTCOME_LABELS, row.get("outcome"))
        if outcome and row.get("outcome_on"):
            outcome = t(N_("{outcome}, on {date}")).format(
                outcome=outcome, date=words.date(row.get("outcome_on"))
            )
        rows.append(
            [
                "\n".join(
                    part
                    for part in (
                        words.date(row.get("filed_on")),
                        words.label(APPEAL_FILING_LABELS, row.get("filed_how")),
                    )
                    if part
                ),
                row.get("court") or "",
                row.get("role_number") or "",
                "\n".join(words.date(day) for day in hearings),
                outcome or t(N_("none yet")),
            ]
        )
    return [
        text(t(N_("Appeals to the labour court")), styles.caption),
        grid_table(
            [
                t(N_("Filed on")),
                t(N_("Court")),
                t(N_("Role number")),
                t(N_("Hearings")),
                t(N_("Outcome")),
            ],
            rows,
            styles,
            [24, 26, 14, 16, 20],
        ),
    ]


def _consents(consents: Sequence[dict[str, Any]], words: _Words, styles: Styles) -> list[Any]:
    """What the person agreed to, withdrawn consents included (GDPR art. 7)."""
    t = words.t
    if not consents:
        return [_note(t(N_("No consent is recorded.")), styles)]
    return [
        grid_table(
            [
                t(N_("Given on")),
                t(N_("How")),
                t(N_("What for")),
                t(N_("Withdrawn on")),
                t(N_("Note")),
            ],
            [
                [
                    words.date(row.get("given_on")),
                    words.label(CONSENT_HOW_LABELS, row.get("how")),
                    "\n".join(
                        words.label(CONSENT_USE_LABELS, code)
                        for code in str(row.get("uses") or "").split(",")
                        if code
                    ),
                    words.date(row.get("withdrawn_on")) or t(N_("not withdrawn")),
                    row.get("note") or "",
                ]
                for row in consents
            ],
            styles,
            [16, 20, 30, 16, 18],
        )
    ]


def _requests(requests: Sequence[dict[str, Any]], words: _Words, styles: Styles) -> list[Any]:
    if not requests:
        return [_note(words.t(N_("No request is registered.")), styles)]
    story: list[Any] = []
    for request in requests:
        story.extend(_request(request, words, styles))
    return story


def _audit(entries: Sequence[dict[str, Any]], words: _Words, styles: Styles) -> list[Any]:
    t = words.t
    story: list[Any] = [
        _note(
            t(
                N_(
                    "The office's audit trail notes every action on the records: when, what "
                    "and on which file. It holds numbers and references, never names."
                )
            ),
            styles,
        )
    ]
    if not entries:
        story.append(_note(t(N_("Nothing is recorded.")), styles))
        return story
    story.append(
        grid_table(
            [t(N_("When")), t(N_("Action")), t(N_("Record")), t(N_("Reference"))],
            [
                [
                    words.moment(entry.get("at")),
                    words.label(ACTIONS, entry.get("action")),
                    _entity(entry, words, ENTITIES),
                    entry.get("reference") or "",
                ]
                for entry in entries
            ],
            styles,
            [30, 22, 26, 22],
        )
    )
    return story


def _documents(record: dict[str, Any], words: _Words, styles: Styles) -> list[Any]:
    """The documents handed out and the medical cards made, by number."""
    t = words.t
    issued = record.get("documents_issued") or []
    cards = record.get("medical_cards") or []
    if not issued and not cards:
        return [_note(t(N_("No document has been handed out to you.")), styles)]
    story: list[Any] = []
    if issued:
        story.append(
            grid_table(
                [t(N_("Number")), t(N_("Document")), t(N_("Language")), t(N_("Issued on"))],
                [
                    [
                        row.get("number") or "",
                        words.label(DOCUMENT_KINDS, row.get("kind")),
                        str(row.get("language") or "").upper(),
                        words.moment(row.get("issued_at")),
                    ]
                    for row in issued
                ],
                styles,
                [22, 40, 12, 26],
            )
        )
    if cards:
        story.append(text(t(N_("Medical cards")), styles.subheading))
        story.append(
            grid_table(
                [t(N_("Number")), t(N_("Valid")), t(N_("Status")), t(N_("Prints"))],
                [
                    [
                        card.get("number") or "",
                        words.period(card.get("valid_from"), card.get("valid_to")),
                        words.label(CARD_STATUS_LABELS, card.get("status")),
                        str(card.get("prints", 0)),
                    ]
                    for card in cards
                ],
                styles,
                [24, 40, 20, 16],
            )
        )
    return story


def _entity(entry: dict[str, Any], words: _Words, labels: dict[str, str]) -> str:
    name = words.label(labels, entry.get("entity"))
    if entry.get("entity_id") is None:
        return name
    return words.t(N_("{record} no. {number}")).format(record=name, number=entry["entity_id"])


def _rights(letterhead: Letterhead, words: _Words, styles: Styles) -> list[Any]:
    from reportlab.platypus import Paragraph

    t = words.t
    items = [(t(lead), t(body)) for lead, body in RIGHTS]
    story: list[Any] = [
        Paragraph(f"<b>{paragraph_text(lead)}</b> {paragraph_text(body)}", styles.body)
        for lead, body in items
    ]
    story.append(
        text(
            t(
                N_(
                    "The register never holds a diagnosis or any other medical detail: of a "
                    "medical attestation it keeps the dates, the doctor and the categories of "
                    "care only."
                )
            ),
            styles.body,
        )
    )
    story.append(text(t(N_("To use these rights, contact:")), styles.body))
    contact = [
        (t(N_("Name")), letterhead.name),
        (t(N_("Address")), letterhead.address),
        (t(N_("Phone")), letterhead.phone),
        (t(N_("E-mail")), letterhead.email),
    ]
    story.append(label_value_table(contact, styles))
    return story


def render_access(
    record: dict[str, Any],
    letterhead: Letterhead,
    *,
    language: str,
    reference: str,
    made_on: dt.date | None = None,
) -> bytes:
    """The PDF of ``record`` (``person_record``), found through request ``reference``."""
    from reportlab.platypus import CondPageBreak

    styles = stylesheet()
    words = _Words(language)
    t = words.t
    # The office's name and address as the reader's language writes them, everywhere.
    letterhead = letterhead.in_language(language)
    made_on = made_on or brussels_today()
    person: dict[str, Any] = record["person"]
    title = t(N_("Your personal data held by {office}")).format(office=letterhead.name)
    json_name = f"{reference}-access.json"
    story: list[Any] = [
        text(title, styles.title),
        text(
            t(
                N_(
                    "On {date}, {office} holds the data below about {name} in its register of "
                    "urgent medical aid requests. You receive them because you asked to see "
                    "your personal data (art. 15 of the General Data Protection Regulation, "
                    "GDPR). The file {file} holds the same data in a form computers can read "
                    "(art. 20 GDPR)."
                )
            ).format(
                date=words.date(made_on.isoformat()),
                office=letterhead.name,
                name=full_name(person),
                file=json_name,
            ),
            styles.body,
        ),
        text(t(N_("Your identity")), styles.heading),
        *_identity(person, words, styles),
        CondPageBreak(40 * MM),
        text(t(N_("Your consent")), styles.heading),
        *_consents(record.get("consents") or [], words, styles),
        CondPageBreak(40 * MM),
        text(t(N_("Your requests for urgent medical aid")), styles.heading),
        *_requests(record.get("requests") or [], words, styles),
    ]
    minors = record.get("dependants") or []
    story.append(CondPageBreak(50 * MM))
    story.append(text(t(N_("Minors who depend on you")), styles.heading))
    if not minors:
        story.append(_note(t(N_("No minor is registered as depending on you.")), styles))
    for number, minor in enumerate(minors, start=1):
        minor_person = minor["person"]
        story.append(CondPageBreak(50 * MM))
        story.append(
            text(
                t(N_("{number}. {name}")).format(number=number, name=full_name(minor_person)),
                styles.subheading,
            )
        )
        story.extend(_identity(minor_person, words, styles))
        story.append(text(t(N_("Requests")), styles.subheading))
        story.extend(_requests(minor.get("requests") or [], words, styles))
    story.append(CondPageBreak(40 * MM))
    story.append(text(t(N_("Documents handed out to you")), styles.heading))
    story.extend(_documents(record, words, styles))
    story.append(CondPageBreak(40 * MM))
    story.append(text(t(N_("Actions recorded on your file")), styles.heading))
    story.extend(_audit(record.get("audit_trail") or [], words, styles))
    story.append(CondPageBreak(60 * MM))
    story.append(text(t(N_("Your rights")), styles.heading))
    story.extend(_rights(letterhead, words, styles))
    frame = PageFrame(
        letterhead=letterhead,
        language=language,
        header_lines=(
            t(N_("Reference {reference}")).format(reference=reference),
            t(N_("Made on {date}")).format(date=words.date(made_on.isoformat())),
        ),
        footer=t(N_("Personal data: confidential (art. 9 GDPR)")),
    )
    return render(story, frame, title=title, subject=reference)
