"""The parts of the case panel built from the case alone: the header with the photo, the
person, request, attestation, other-request and timeline sections, and the texts they show
(dates, NISS, statuses, notifications). A section's buttons call what the panel hands in.

``CasePanel`` lays them out with the other sections.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.dates import brussels_today
from amudesk.deadlines import MENTIONS, NOTIFICATION_LABELS, NotificationMethod
from amudesk.i18n import _, ngettext
from amudesk.identifiers import IdentifierError, format_inami, parse_niss
from amudesk.models import (
    CARE_CATEGORIES,
    CARE_KIND_LABELS,
    CHANNEL_LABELS,
    SEX_LABELS,
    STATUS_LABELS,
)
from amudesk.services import cases
from amudesk.services.people import age_on
from amudesk.ui.caseparts import NOT_RECORDED, button_row, form, item_row, plain_label, section
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.labels import person_display_name

PHOTO_SIZE = QSize(90, 120)


def local_time(moment: dt.datetime) -> str:
    """'14:05', Brussels time (24-hour clock in all three languages)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(i18n.BRUSSELS)).strftime("%H:%M")


def received_text(moment: dt.datetime) -> str:
    return _("{date} at {time}").format(
        date=i18n.format_date(cases.local_date(moment), "long"), time=local_time(moment)
    )


def birth_text(birth_date: str | None) -> str:
    if not birth_date:
        return _("Unknown")

    written = i18n.format_partial_date(birth_date)
    age = age_on(birth_date, brussels_today())
    if age is None or age < 0:
        return written
    years = ngettext("{n} year", "{n} years", age).format(n=age)
    return _("{date} ({age})").format(date=written, age=years)


def niss_text(niss: str | None) -> str:
    if not niss:
        return NOT_RECORDED

    try:
        return parse_niss(niss).formatted
    except IdentifierError:
        return niss


def period_text(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return _("{start} to {end}").format(
            start=i18n.format_date(start), end=i18n.format_date(end)
        )
    if start:
        return _("from {start}").format(start=i18n.format_date(start))
    if end:
        return _("until {end}").format(end=i18n.format_date(end))
    return ""


def status_text(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return _(label) if label else status


def notification_lines(decision: Any) -> list[str]:
    """'Notified on 18 Aug 2026 — Registered letter', the posting day, the missing mentions."""
    method = NOTIFICATION_LABELS.get(decision.notification_method or "")
    if decision.notified_on:
        line = _("Notified on {date}").format(date=i18n.format_date(decision.notified_on))
        if method:
            line = _("{notified} — {method}").format(notified=line, method=_(method))
    else:
        line = _("Not notified yet")
    lines = [line]
    if decision.posted_on and decision.notification_method == NotificationMethod.REGISTERED:
        lines.append(
            _("Registered letter posted on {date}.").format(
                date=i18n.format_date(decision.posted_on)
            )
        )
    missing = [_(MENTIONS[code]) for code in decision.missing_mention_list if code in MENTIONS]
    if missing:
        lines.append(_("The notification lacks: {mentions}.").format(mentions="; ".join(missing)))
    return lines


def inami_text(number: str) -> str:
    try:
        return format_inami(number)
    except IdentifierError:
        return number


# --- parts built from the case alone ------------------------------------------------


def placeholder() -> QWidget:
    widget = QWidget()
    widget.setObjectName("caseContent")
    layout = QVBoxLayout(widget)
    hint = QLabel(_("Select a request in the list to see it here."))
    hint.setObjectName("hint")
    hint.setWordWrap(True)
    hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
    layout.addStretch(1)
    layout.addWidget(hint)
    layout.addStretch(2)
    return widget


def header(detail: cases.CaseDetail) -> QHBoxLayout:
    person = detail.person
    row = QHBoxLayout()
    row.setSpacing(12)
    row.addWidget(photo_label(person.photo), 0, Qt.AlignmentFlag.AlignTop)
    column = QVBoxLayout()
    column.setSpacing(2)
    name = person_display_name(person.family_name, person.given_names)
    column.addWidget(plain_label(name, object_name="personName"))
    request = detail.request
    summary = _("{reference} · {status}").format(
        reference=request.reference, status=status_text(request.status)
    )
    column.addWidget(plain_label(summary, object_name="caseSummary"))
    if detail.cpas is not None:
        column.addWidget(plain_label(detail.cpas.display_name(i18n.get_locale())))
    column.addStretch(1)
    row.addLayout(column, 1)
    return row


def photo_label(photo: bytes | None) -> QLabel:
    label = QLabel()
    label.setFixedSize(PHOTO_SIZE)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    pixmap = QPixmap()
    if photo and pixmap.loadFromData(photo, "JPEG"):
        label.setPixmap(
            pixmap.scaled(
                PHOTO_SIZE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        label.setObjectName("photo")
        label.setAccessibleName(_("Photo"))
    else:
        label.setText(_("No photo"))
        label.setWordWrap(True)
        label.setObjectName("photoPlaceholder")
        label.setAccessibleName(_("No photo"))
    return label


def person_section(layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
    person = detail.person
    section(layout, _("Person"))
    languages = ", ".join(i18n.language_name(code) for code in person.language_list)
    if person.no_fixed_abode:
        residence = _("No fixed abode — usually at {place}").format(place=person.usual_place)
    else:
        residence = person.commune
    sex = SEX_LABELS.get(person.sex)
    form(
        layout,
        [
            (_("Birth date"), birth_text(person.birth_date)),
            (_("Sex"), _(sex) if sex else person.sex),
            (_("NISS"), niss_text(person.niss)),
            (_("Nationality"), i18n.country_name(person.nationality)),
            (_("Languages"), languages),
            (_("Phone"), person.phone),
            (_("Residence"), residence),
        ],
    )


def request_section(layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
    request = detail.request
    section(layout, _("Request"))
    channel = CHANNEL_LABELS.get(request.channel)
    rows = [
        (_("Reference"), request.reference),
        (
            _("CPAS"),
            detail.cpas.display_name(i18n.get_locale())
            if detail.cpas is not None
            else _("Not chosen yet"),
        ),
        (
            _("Received on"),
            received_text(request.received_at)
            if request.received_at is not None
            else _("Not filed with a CPAS yet"),
        ),
        (_("Channel"), _(channel) if channel else request.channel),
        (_("Accompanied by"), request.accompanied_by),
        (_("AAMU handed in"), _("Yes") if request.aamu_handed_in else _("No")),
    ]
    if request.care_started_on:
        care = i18n.format_date(request.care_started_on)
        kind = CARE_KIND_LABELS.get(request.care_kind or "")
        if kind:
            care = _("{date} ({kind})").format(date=care, kind=_(kind))
        rows.append((_("Care started on"), care))
    form(layout, rows)


def aamu_section(
    layout: QVBoxLayout,
    detail: cases.CaseDetail,
    edit: Callable[[int | None], None],
    record: Callable[[], None],
) -> None:
    """The attestations, each with its Edit button, and "Record AAMU…"."""
    section(layout, _("Urgent medical aid attestations (AAMU)"))
    if not detail.aamus:
        layout.addWidget(plain_label(_("No attestation recorded."), object_name="hint"))
    for number, aamu in enumerate(detail.aamus):
        parts = [
            _("Signed on {date} by {doctor}").format(
                date=i18n.format_date(aamu.issued_on), doctor=aamu.doctor_name
            )
        ]
        if aamu.inami:
            parts.append(_("INAMI {number}").format(number=inami_text(aamu.inami)))
        validity = period_text(aamu.valid_from, aamu.valid_to)
        if validity:
            parts.append(_("Validity asked: {period}").format(period=validity))
        categories = [_(CARE_CATEGORIES[c]) for c in aamu.category_list if c in CARE_CATEGORIES]
        if categories:
            parts.append(", ".join(categories))
        layout.addLayout(
            item_row(
                "\n".join(parts),
                partial(edit, aamu.id),
                object_name=f"editAamu{number}",
                name=_("Edit attestation of {date}").format(date=i18n.format_date(aamu.issued_on)),
                needs="cases",
            )
        )
    layout.addLayout(button_row(_("Record &AAMU…"), record, "recordAamu", needs="cases"))


def other_requests_section(
    layout: QVBoxLayout, detail: cases.CaseDetail, choose: Callable[[int | None], None]
) -> None:
    """The person's other requests, each a link that shows it."""
    section(layout, _("Other requests of this person"))
    for number, other in enumerate(detail.other_requests):
        text = _("{reference} · {date} · {status}").format(
            reference=other.reference,
            date=i18n.format_date(cases.local_date(other.received_at))
            if other.received_at is not None
            else _("not filed yet"),
            status=status_text(other.status),
        )
        button = action_button(
            text,
            partial(choose, other.id),
            object_name=f"otherRequest{number}",
            name=_("Show request {reference}").format(reference=other.reference),
            needs="read",
        )
        button.setFlat(True)
        button.setProperty("link", True)
        row = QHBoxLayout()
        row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)


def timeline_section(layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
    section(layout, _("Timeline"))
    rows = []
    for event in detail.timeline:
        day = i18n.format_date(event.day)
        if event.moment is not None:
            day = _("{date}, {time}").format(date=day, time=local_time(event.moment))
        rows.append((day, event.text))
    form(layout, rows)
