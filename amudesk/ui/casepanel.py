"""The right-hand panel: everything about the selected request and its person.

It reads one case through ``cases.get_case`` and lays it out in sections (person,
dependants, request, attestations, decisions, other requests, time limits, timeline),
with the buttons that open the forms. After a form saved, it shows the case again and
emits ``changed(request_id)`` so the list follows.

The time limits are the legal clocks of the case (``services.clock``), counted with the
settings of the data folder and explained in the interface language.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.deadlines import (
    ACTOR_LABELS,
    MENTIONS,
    NEGATIVE,
    NOTIFICATION_LABELS,
    STATE_LABELS,
    Deadline,
    NotificationMethod,
    State,
    holidays_loaded,
    load_holidays,
)
from amudesk.i18n import _, ngettext
from amudesk.models.document import DOCUMENT_KINDS, Document
from amudesk.services import NotFound, cases, clock
from amudesk.services.people import SEX_LABELS
from amudesk.settings import load_settings
from amudesk.ui.casemodel import person_display_name
from amudesk.ui.widgets import action_button

log = logging.getLogger(__name__)

PHOTO_SIZE = QSize(90, 120)
NOT_RECORDED = "—"
WEEKDAY_DATE = "EEE d MMM y"  # 'Tue 18 Aug 2026', as in the clock's explanations

# Badge colours of a deadline's state (text on background at least 4.5:1).
BADGE_BASE = "border-radius: 3px; padding: 1px 6px; font-weight: 600;"
STATE_STYLES: dict[str, str] = {
    State.OVERDUE: "background: #a4000f; color: #ffffff; border: 1px solid #a4000f;",
    State.DUE: "background: #ffd9a8; color: #5c2c00; border: 1px solid #d9822b;",
    State.UPCOMING: "background: #e8f0fa; color: #1d3a5f; border: 1px solid #a9bfd9;",
    State.DONE: "background: #dff0e1; color: #1d5a2a; border: 1px solid #9fcaa7;",
    State.NOT_STARTED: "background: #eef0f2; color: #3d4249; border: 1px solid #b5bac1;",
}
HANDLED_STYLE = STATE_STYLES[State.NOT_STARTED]
RUNNING_STATES = (State.OVERDUE, State.DUE, State.UPCOMING)


class SelectableLabel(QLabel):
    """A wrapping label whose text can be selected and is never read as HTML.

    Selectable labels are drawn through a text document that clips what rises above
    its first line, cutting stacked accents (the tilde of Vietnamese "Ễ"); a margin
    inside the document keeps them whole.
    """

    def __init__(self, text: str, *, name: str | None = None, object_name: str = "") -> None:
        super().__init__()
        self._plain = text
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setText(selectable_html(text))
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        if object_name:
            self.setObjectName(object_name)
        self.setAccessibleName(name or text)

    def plain_text(self) -> str:
        return self._plain


def selectable_html(text: str) -> str:
    body = html.escape(text).replace("\n", "<br>")
    return (
        '<table cellspacing="0" cellpadding="0" style="margin-top:3px">'
        f"<tr><td>{body}</td></tr></table>"
    )


def plain_label(text: str, *, name: str | None = None, object_name: str = "") -> SelectableLabel:
    return SelectableLabel(text, name=name, object_name=object_name)


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
    from amudesk.services.people import age_on

    written = i18n.format_partial_date(birth_date)
    age = age_on(birth_date, dt.date.today())
    if age is None or age < 0:
        return written
    years = ngettext("{n} year", "{n} years", age).format(n=age)
    return _("{date} ({age})").format(date=written, age=years)


def niss_text(niss: str | None) -> str:
    if not niss:
        return NOT_RECORDED
    from amudesk.identifiers import IdentifierError, parse_niss

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
    label = cases.STATUS_LABELS.get(status)
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


def weekday_date(day: dt.date) -> str:
    return i18n.format_date(day, WEEKDAY_DATE)


def state_text(deadline: Deadline, today: dt.date) -> str:
    """'Overdue', 'Due today' … and whether a user marked it handled or snoozed it."""
    label = STATE_LABELS.get(deadline.state)
    text = _(label) if label else str(deadline.state)
    if deadline.state in RUNNING_STATES and deadline.handled:
        return _("{state}, marked handled").format(state=text)
    if deadline.state in RUNNING_STATES and deadline.snoozed(today) and deadline.mark:
        until = deadline.mark.until
        assert until is not None
        return _("{state}, snoozed until {date}").format(state=text, date=weekday_date(until))
    return text


def state_style(deadline: Deadline) -> str:
    """The badge's colours: red overdue, orange due today, green done, grey not started."""
    if deadline.state in RUNNING_STATES and deadline.handled:
        return HANDLED_STYLE + BADGE_BASE
    return STATE_STYLES.get(deadline.state, HANDLED_STYLE) + BADGE_BASE


def state_badge(deadline: Deadline, today: dt.date) -> QLabel:
    text = state_text(deadline, today)
    badge = QLabel(text)
    badge.setTextFormat(Qt.TextFormat.PlainText)
    badge.setStyleSheet("QLabel { " + state_style(deadline) + " }")
    badge.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    badge.setAccessibleName(_("State: {state}").format(state=text))
    badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
    # As wide as the widest state, so that the rules' names line up.
    bold = QFont(badge.font())
    bold.setWeight(QFont.Weight.DemiBold)
    widest = max(QFontMetrics(bold).horizontalAdvance(_(label)) for label in STATE_LABELS.values())
    badge.setMinimumWidth(widest + 16)
    badge.setObjectName(f"deadlineState-{deadline.rule}")
    badge.setProperty("state", str(deadline.state))
    return badge


def due_text(deadline: Deadline) -> str:
    """'Due Tue 18 Aug 2026 · done on … · to be done by: CPAS'."""
    parts = []
    if deadline.due is not None:
        parts.append(_("Due {date}").format(date=weekday_date(deadline.due)))
    else:
        parts.append(_("Not running yet"))
    if deadline.done_on is not None:
        parts.append(_("done on {date}").format(date=weekday_date(deadline.done_on)))
    actor = ACTOR_LABELS.get(deadline.actor)
    parts.append(
        _("to be done by: {actor}").format(actor=_(actor) if actor else str(deadline.actor))
    )
    return " · ".join(parts)


@dataclass(frozen=True)
class _HandedOut:
    """The documents and cards of the case shown, and the language to issue the next in
    (the person's when the documents have it, else the office's)."""

    issued: Sequence[Any]
    cards: Sequence[Any]
    language: str


class CasePanel(QScrollArea):
    """Shows one case; ``show_case(None)`` shows a hint instead."""

    changed = Signal(int)
    request_chosen = Signal(int)
    message = Signal(str)
    clocks_ready = Signal()  # the holiday calendar was read: clocks are shown

    def __init__(
        self, store: Any, parent: QWidget | None = None, *, data_dir: Path | None = None
    ) -> None:
        super().__init__(parent)
        self._store = store
        # Where settings.json lives (how the clock counts); the store's folder by default.
        self._data_dir = data_dir if data_dir is not None else getattr(store, "data_dir", None)
        self._deadlines: list[Deadline] = []
        # The holiday calendar is read in the background the first time (start-up does
        # not wait for it); meanwhile the clocks say they are being counted.
        self._clocks_pending = False
        self._calendar_task: Any = None
        self._today = clock.today_in_brussels()
        self._request_id: int | None = None
        self._person_id: int | None = None
        self._reference = ""
        # The printer a preview prints on (None: the system's default); tests replace it.
        self.printer_factory: Callable[[], Any] | None = None
        self.last_preview: Any = None
        self._handed_out = _HandedOut(issued=[], cards=[], language="fr")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(320)
        # Tab goes from the list straight to the panel's buttons (the area scrolls to them).
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("casePanel")
        self.setAccessibleName(_("Selected request"))
        self.show_case(None)

    # --- public ------------------------------------------------------------------

    def request_id(self) -> int | None:
        return self._request_id

    def person_id(self) -> int | None:
        return self._person_id

    def text(self) -> str:
        """Every text shown, one per line (labels and buttons), for checks and copying."""
        content = self.widget()
        if content is None:
            return ""
        parts: list[str] = []
        for child in content.findChildren(QWidget):
            if isinstance(child, SelectableLabel):
                parts.append(child.plain_text())
            elif isinstance(child, QLabel) and child.text():
                parts.append(child.text())
            elif isinstance(child, QPushButton):
                parts.append(child.text().replace("&", ""))
        return "\n".join(parts)

    def deadlines(self) -> list[Deadline]:
        """The time limits of the case shown (empty when none is)."""
        return list(self._deadlines)

    def show_case(self, request_id: int | None) -> None:
        """Show the case of ``request_id`` (read afresh from the database)."""
        focused = self._focused_name()
        detail = None
        self._deadlines = []
        self._clocks_pending = False
        if request_id is not None:
            try:
                with self._store.session() as session:
                    detail = cases.get_case(request_id, session=session)
                    self._handed_out = self._read_documents(detail, session)
                    if holidays_loaded():
                        self._deadlines = self._read_deadlines(request_id, session)
                    else:
                        self._clocks_pending = True
            except NotFound:
                detail = None
        if self._clocks_pending:
            # Once the event loop runs (the window is on screen at start-up): the read
            # holds the interpreter lock for a while and would slow what comes before.
            QTimer.singleShot(0, self._load_calendar)
        self.setUpdatesEnabled(False)
        try:
            if detail is None:
                self._request_id = self._person_id = None
                self._reference = ""
                self.setWidget(self._placeholder())
            else:
                self._request_id = detail.request.id
                self._person_id = detail.person.id
                self._reference = detail.request.reference
                self.setWidget(self._content(detail))
        finally:
            self.setUpdatesEnabled(True)
        self._restore_focus(focused)

    def _load_calendar(self) -> None:
        """Read the holiday calendar off the UI thread, then show the clocks."""
        if self._calendar_task is not None:
            return
        from amudesk.ui.workers import Task

        today, language = clock.today_in_brussels(), i18n.get_locale()
        task = Task(lambda progress, cancelled: load_holidays(today, language), self)
        task.finished.connect(self._calendar_loaded)
        task.failed.connect(self._calendar_failed)
        self._calendar_task = task
        task.start()

    def _calendar_loaded(self, _result: object = None) -> None:
        self._calendar_task = None
        if self._clocks_pending:
            self.show_case(self._request_id)
        self.clocks_ready.emit()

    def _calendar_failed(self, error: object) -> None:
        # Not expected (the calendar is a library's table); counting on the UI thread
        # then raises the same error where the crash reporter shows it.
        log.error("holiday calendar could not be read: %s", error.__class__.__name__)
        self._calendar_task = None
        load_holidays(clock.today_in_brussels(), i18n.get_locale())

    def wait_for_clocks(self) -> bool:
        """Block until the background calendar read is over (for closing and tests)."""
        task = self._calendar_task
        return task.wait() if task is not None else True

    def _read_documents(self, detail: cases.CaseDetail, session: Any) -> _HandedOut:
        """What the documents section shows, read with the case (one session)."""
        from amudesk.services import documents
        from amudesk.services.office import get_office

        request_id = detail.request.id or 0
        language = next(
            (
                code.strip()
                for code in (detail.person.languages or "").split(",")
                if code.strip() in documents.LANGUAGES
            ),
            None,
        )
        if language is None:  # not one of the documents' languages: the office's
            language = documents.document_language(None, get_office(session=session))
        return _HandedOut(
            issued=documents.documents_of_request(request_id, session=session),
            cards=documents.cards_of_request(request_id, session=session),
            language=language,
        )

    def _read_deadlines(self, request_id: int, session: Any) -> list[Deadline]:
        settings = load_settings(self._data_dir).clock_settings()
        self._today = clock.today_in_brussels()
        return clock.deadlines(
            session=session,
            today=self._today,
            request_ids=[request_id],
            settings=settings,
            language=i18n.get_locale(),
        )

    # --- building ------------------------------------------------------------------

    def _placeholder(self) -> QWidget:
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

    def _content(self, detail: cases.CaseDetail) -> QWidget:
        widget = QWidget()
        widget.setObjectName("caseContent")
        layout = QVBoxLayout(widget)
        layout.setContentsMargins(12, 8, 12, 12)
        layout.setSpacing(6)
        layout.addLayout(self._header(detail))
        layout.addLayout(self._main_actions())
        self._person_section(layout, detail)
        self._dependants_section(layout, detail)
        self._request_section(layout, detail)
        self._aamu_section(layout, detail)
        self._decision_section(layout, detail)
        if detail.other_requests:
            self._other_requests_section(layout, detail)
        self._clock_section(layout, detail)
        self._documents_section(layout, detail)
        self._timeline_section(layout, detail)
        layout.addStretch(1)
        return widget

    def _header(self, detail: cases.CaseDetail) -> QHBoxLayout:
        person = detail.person
        row = QHBoxLayout()
        row.setSpacing(12)
        row.addWidget(self._photo(person.photo), 0, Qt.AlignmentFlag.AlignTop)
        column = QVBoxLayout()
        column.setSpacing(2)
        name = person_display_name(person.family_name, person.given_names)
        column.addWidget(plain_label(name, object_name="personName"))
        request = detail.request
        summary = _("{reference} · {status}").format(
            reference=request.reference, status=status_text(request.status)
        )
        column.addWidget(plain_label(summary, object_name="caseSummary"))
        column.addWidget(plain_label(detail.cpas.display_name(i18n.get_locale())))
        column.addStretch(1)
        row.addLayout(column, 1)
        return row

    def _photo(self, photo: bytes | None) -> QLabel:
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

    def _main_actions(self) -> QLayout:
        from amudesk.ui.widgets import FlowLayout

        row = FlowLayout(spacing=6)  # wraps when the panel is narrow
        row.addWidget(action_button(_("Edit &person…"), self.edit_person, object_name="editPerson"))
        row.addWidget(
            action_button(_("Edit &request…"), self.edit_request, object_name="editRequest")
        )
        row.addWidget(
            action_button(
                _("New request for this person…"),
                self.new_request_for_person,
                object_name="newRequestForPerson",
            )
        )
        return row

    def _section(self, layout: QVBoxLayout, title: str) -> None:
        heading = plain_label(title, object_name="sectionTitle")
        heading.setAccessibleName(title)
        layout.addSpacing(8)
        layout.addWidget(heading)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setObjectName("sectionRule")
        layout.addWidget(line)

    def _form(self, layout: QVBoxLayout, rows: list[tuple[str, str]]) -> QFormLayout:
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(4)
        for caption, value in rows:
            shown = value or NOT_RECORDED
            key = plain_label(caption, object_name="fieldName")
            form.addRow(
                key,
                plain_label(shown, name=_("{label}: {value}").format(label=caption, value=shown)),
            )
        layout.addLayout(form)
        return form

    def _person_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        person = detail.person
        self._section(layout, _("Person"))
        languages = ", ".join(i18n.language_name(code) for code in person.language_list)
        if person.no_fixed_abode:
            residence = _("No fixed abode — usually at {place}").format(place=person.usual_place)
        else:
            residence = person.commune
        sex = SEX_LABELS.get(person.sex)
        self._form(
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

    def _dependants_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        self._section(layout, _("Dependants"))
        if not detail.dependants:
            layout.addWidget(plain_label(_("No dependants recorded."), object_name="hint"))
        for number, child in enumerate(detail.dependants):
            name = person_display_name(child.family_name, child.given_names)
            text = _("{name}, born {date}").format(
                name=name, date=i18n.format_partial_date(child.birth_date) or _("date unknown")
            )
            layout.addLayout(
                self._item_row(
                    text,
                    partial(self.edit_dependant, child.id),
                    object_name=f"editDependant{number}",
                    name=_("Edit dependant {name}").format(name=name),
                )
            )
        layout.addLayout(self._button_row(_("Add &dependant…"), self.add_dependant, "addDependant"))

    def _request_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        request = detail.request
        self._section(layout, _("Request"))
        channel = cases.CHANNEL_LABELS.get(request.channel)
        rows = [
            (_("Reference"), request.reference),
            (_("CPAS"), detail.cpas.display_name(i18n.get_locale())),
            (_("Received on"), received_text(request.received_at)),
            (_("Channel"), _(channel) if channel else request.channel),
            (_("Accompanied by"), request.accompanied_by),
            (_("AAMU handed in"), _("Yes") if request.aamu_handed_in else _("No")),
        ]
        if request.care_started_on:
            care = i18n.format_date(request.care_started_on)
            kind = cases.CARE_KIND_LABELS.get(request.care_kind or "")
            if kind:
                care = _("{date} ({kind})").format(date=care, kind=_(kind))
            rows.append((_("Care started on"), care))
        self._form(layout, rows)

    def _aamu_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        from amudesk.models import CARE_CATEGORIES

        self._section(layout, _("Urgent medical aid attestations (AAMU)"))
        if not detail.aamus:
            layout.addWidget(plain_label(_("No attestation recorded."), object_name="hint"))
        for number, aamu in enumerate(detail.aamus):
            parts = [
                _("Signed on {date} by {doctor}").format(
                    date=i18n.format_date(aamu.issued_on), doctor=aamu.doctor_name
                )
            ]
            if aamu.inami:
                parts.append(_("INAMI {number}").format(number=self._inami(aamu.inami)))
            validity = period_text(aamu.valid_from, aamu.valid_to)
            if validity:
                parts.append(_("Validity asked: {period}").format(period=validity))
            categories = [_(CARE_CATEGORIES[c]) for c in aamu.category_list if c in CARE_CATEGORIES]
            if categories:
                parts.append(", ".join(categories))
            layout.addLayout(
                self._item_row(
                    "\n".join(parts),
                    partial(self.edit_aamu, aamu.id),
                    object_name=f"editAamu{number}",
                    name=_("Edit attestation of {date}").format(
                        date=i18n.format_date(aamu.issued_on)
                    ),
                )
            )
        layout.addLayout(self._button_row(_("Record &AAMU…"), self.record_aamu, "recordAamu"))

    @staticmethod
    def _inami(number: str) -> str:
        from amudesk.identifiers import IdentifierError, format_inami

        try:
            return format_inami(number)
        except IdentifierError:
            return number

    def _decision_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        self._section(layout, _("Decisions"))
        if not detail.decisions:
            layout.addWidget(plain_label(_("No decision yet."), object_name="hint"))
        for number, decision in enumerate(detail.decisions):
            kind = cases.DECISION_LABELS.get(decision.kind)
            kind_text = _(kind) if kind else decision.kind
            parts = [
                _("{kind}, decided on {date}").format(
                    kind=kind_text, date=i18n.format_date(decision.decided_on)
                )
            ]
            parts.extend(notification_lines(decision))
            validity = period_text(decision.valid_from, decision.valid_to)
            if validity:
                parts.append(_("Valid {period}").format(period=validity))
            if decision.mediprima_number:
                parts.append(
                    _("MediPrima number {number}").format(number=decision.mediprima_number)
                )
            if decision.encoded_on:
                parts.append(
                    _("Encoded in MediPrima on {date}.").format(
                        date=i18n.format_date(decision.encoded_on)
                    )
                )
            layout.addLayout(
                self._item_row(
                    "\n".join(parts),
                    partial(self.edit_decision, decision.id),
                    object_name=f"editDecision{number}",
                    name=_("Edit decision of {date}").format(
                        date=i18n.format_date(decision.decided_on)
                    ),
                )
            )
        layout.addLayout(
            self._button_row(_("Record de&cision…"), self.record_decision, "recordDecision")
        )

    def _other_requests_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        self._section(layout, _("Other requests of this person"))
        for number, other in enumerate(detail.other_requests):
            text = _("{reference} · {date} · {status}").format(
                reference=other.reference,
                date=i18n.format_date(cases.local_date(other.received_at)),
                status=status_text(other.status),
            )
            button = action_button(
                text,
                partial(self.request_chosen.emit, other.id),
                object_name=f"otherRequest{number}",
                name=_("Show request {reference}").format(reference=other.reference),
            )
            button.setFlat(True)
            button.setProperty("link", True)
            row = QHBoxLayout()
            row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)

    def _clock_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        self._section(layout, _("Time limits"))
        if self._clocks_pending:
            layout.addWidget(plain_label(_("Counting the time limits…"), object_name="hint"))
        elif not self._deadlines:
            layout.addWidget(
                plain_label(_("No time limit runs for this case."), object_name="hint")
            )
        for deadline in self._deadlines:
            layout.addWidget(self._deadline_row(deadline))
        buttons = QHBoxLayout()
        if self._can_record_transfer(detail):
            buttons.addWidget(
                action_button(
                    _("Record tra&nsfer…"), self.record_transfer, object_name="recordTransfer"
                )
            )
        if self._can_record_appeal(detail):
            buttons.addWidget(
                action_button(_("Record appea&l…"), self.record_appeal, object_name="recordAppeal")
            )
        if buttons.count():
            buttons.addStretch(1)
            layout.addLayout(buttons)

    def _deadline_row(self, deadline: Deadline) -> QWidget:
        """Badge and rule, the due day and who acts, then how it was counted."""
        row = QWidget()
        row.setObjectName(f"deadline-{deadline.rule}")
        column = QVBoxLayout(row)
        column.setContentsMargins(0, 4, 0, 4)
        column.setSpacing(1)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(state_badge(deadline, self._today), 0, Qt.AlignmentFlag.AlignTop)
        title = plain_label(deadline.title, object_name="deadlineTitle")
        title.setStyleSheet("font-weight: 600;")
        top.addWidget(title, 1)
        column.addLayout(top)
        column.addWidget(plain_label(due_text(deadline), object_name="deadlineDue"))
        explanation = plain_label(deadline.explanation, object_name="deadlineExplanation")
        basis = _("Legal basis: {basis}").format(basis=deadline.basis)
        explanation.setToolTip(basis)
        explanation.setAccessibleDescription(basis)
        explanation.setStyleSheet("color: #50565e;")
        column.addWidget(explanation)
        return row

    def _can_record_transfer(self, detail: cases.CaseDetail) -> bool:
        incompetent = any(d.kind == "incompetent" for d in detail.decisions)
        return incompetent or detail.request.transferred_on is not None

    def _can_record_appeal(self, detail: cases.CaseDetail) -> bool:
        if detail.request.appealed_on is not None:
            return True
        if any(d.kind in NEGATIVE for d in detail.decisions):
            return True
        # Without a decision, the claimant may appeal once the month to decide has passed.
        return any(
            d.rule == "appeal-no-decision"
            and d.state in RUNNING_STATES
            and d.event_on is not None
            and d.event_on < self._today
            for d in self._deadlines
        )

    def _documents_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        """The documents handed out for this request (each reopened exactly as issued), the
        medical cards with their status, and the row that issues a new document."""
        from amudesk.models.card import CARD_STATUS_LABELS, CardStatus

        self._section(layout, _("Documents handed out"))
        issued, cards = self._handed_out.issued, self._handed_out.cards
        if not issued:
            layout.addWidget(plain_label(_("No document yet."), object_name="hint"))
        for document in issued:
            text = _("{number} · {kind} · {language} · {when} · {who}").format(
                number=document.number,
                kind=_(DOCUMENT_KINDS.get(document.kind, document.kind)),
                language=document.language.upper(),
                when=i18n.format_datetime(document.issued_at, "short"),
                who=document.actor,
            )
            layout.addLayout(
                self._item_row(
                    text,
                    partial(self.open_document, document.id, document.number),
                    object_name=f"openDocument-{document.id}",
                    name=_("Open {number}").format(number=document.number),
                    button=_("Open…"),
                )
            )
        for card in cards:
            text = _("{number} · {name} · valid {start} to {end} · {status}").format(
                number=card.number,
                name=card.person_name,
                start=i18n.format_date(card.valid_from, "short"),
                end=i18n.format_date(card.valid_to, "short"),
                status=_(CARD_STATUS_LABELS.get(card.status, card.status)),
            )
            if card.prints > 1:
                text += " · " + ngettext(
                    "printed {n} time", "printed {n} times", card.prints
                ).format(n=card.prints)
            row = QHBoxLayout()
            row.addWidget(plain_label(text), 1)
            row.addWidget(
                action_button(
                    _("Print again…") if card.prints else _("Print…"),
                    partial(self.print_card, card.id, card.number),
                    object_name=f"printCard-{card.id}",
                    name=_("Print card {number}").format(number=card.number),
                ),
                0,
                Qt.AlignmentFlag.AlignTop,
            )
            if card.status == CardStatus.PRINTED:
                row.addWidget(
                    action_button(
                        _("Mark as handed over"),
                        partial(self.hand_over_card, card.id, card.number),
                        object_name=f"handOverCard-{card.id}",
                        name=_("Card {number} handed over").format(number=card.number),
                    ),
                    0,
                    Qt.AlignmentFlag.AlignTop,
                )
            layout.addLayout(row)
        row = QHBoxLayout()
        self.document_kind = QComboBox()
        self.document_kind.setObjectName("documentKind")
        self.document_kind.setAccessibleName(_("Document to issue"))
        for label, kind, dependant in self._document_choices(detail):
            # "card" for the applicant's, "card:2" for the second minor's.
            self.document_kind.addItem(label, kind if dependant is None else f"{kind}:{dependant}")
        self.document_language = QComboBox()
        self.document_language.setObjectName("documentLanguage")
        self.document_language.setAccessibleName(_("Language of the document"))
        from amudesk.ui.settingsdialog import fill_language_combo

        fill_language_combo(self.document_language, self._handed_out.language)
        # The combo never widens the panel: long names (a minor's form) are cut in the box
        # and shown whole in the open list.
        self.document_kind.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.document_kind.setMinimumContentsLength(16)
        layout.addWidget(self.document_kind)
        row.addWidget(self.document_language)
        row.addWidget(
            action_button(
                _("&Issue and preview…"), self.issue_document, object_name="issueDocument"
            )
        )
        row.addStretch(1)
        layout.addLayout(row)

    def _document_choices(self, detail: cases.CaseDetail) -> list[tuple[str, str, int | None]]:
        """(label, kind, dependant) of each document this case can issue."""
        choices: list[tuple[str, str, int | None]] = [
            (_(DOCUMENT_KINDS["receipt"]), "receipt", None),
            (_(DOCUMENT_KINDS["aamu"]), "aamu", None),
            (_(DOCUMENT_KINDS["info-form"]), "info-form", None),
        ]
        for number, minor in enumerate(detail.dependants, start=1):
            choices.append(
                (
                    _("Information form of {name} (minor)").format(
                        name=person_display_name(minor.family_name, minor.given_names)
                    ),
                    "info-form",
                    number,
                )
            )
        choices.append((_(DOCUMENT_KINDS["card"]), "card", None))
        for number, minor in enumerate(detail.dependants, start=1):
            choices.append(
                (
                    _("Medical card of {name} (minor)").format(
                        name=person_display_name(minor.family_name, minor.given_names)
                    ),
                    "card",
                    number,
                )
            )
        return choices

    def issue_document(self) -> None:
        """Number, render and archive the chosen document, then show it to print or save."""
        if self._request_id is None:
            return
        from amudesk.services import FieldError, NotFound, documents
        from amudesk.settings import load_settings

        request_id = self._request_id
        kind, _sep, minor = str(self.document_kind.currentData()).partition(":")
        dependant = int(minor) if minor else None
        language = self.document_language.currentData()
        card_id: int | None = None
        try:
            with self._store.transaction() as session:
                if kind == "receipt":
                    issued = documents.issue_receipt(
                        request_id,
                        session=session,
                        language=language,
                        clock_settings=load_settings(self._data_dir).clock_settings(),
                    )
                elif kind == "aamu":
                    issued = documents.issue_aamu_form(
                        request_id, session=session, language=language
                    )
                elif kind == "info-form":
                    issued = documents.issue_info_form(
                        request_id, session=session, language=language, dependant=dependant
                    )
                else:
                    card = documents.issue_card(
                        request_id, session=session, language=language, dependant=dependant
                    )
                    card_id = card.id
                    issued = session.get(Document, card.document_id)
                number, pdf = issued.number, issued.pdf
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _(DOCUMENT_KINDS.get(kind, kind)), str(exc))
            return
        self._saved(
            request_id,
            _("{document} {number} issued.").format(
                document=_(DOCUMENT_KINDS.get(kind, kind)), number=number
            ),
        )
        on_printed = None
        if card_id is not None:
            on_printed = partial(self._cards_printed, request_id, [card_id])
        self.preview(pdf, number, on_printed=on_printed)

    def open_document(self, document_id: int, number: str) -> None:
        """Show the archived copy of a document, exactly as it was handed out, to print or
        save it again (each again is written in the audit trail)."""
        from amudesk.services import FieldError, NotFound, documents

        try:
            with self._store.session() as session:
                pdf = documents.archived_pdf(document_id, session=session)
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _("Documents handed out"), str(exc))
            return
        self.preview(
            pdf,
            number,
            on_printed=partial(self._reprinted, document_id, "print"),
            on_saved=partial(self._reprinted, document_id, "save"),
        )

    def print_card(self, card_id: int, number: str) -> None:
        """Show a card (front and back, card size) as it is now, to print it."""
        from amudesk.services import FieldError, NotFound, documents

        request_id = self._request_id
        try:
            with self._store.session() as session:
                pdf = documents.card_pdf([card_id], session=session, sheet=False)
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _("Medical card"), str(exc))
            return
        self.preview(pdf, number, on_printed=partial(self._cards_printed, request_id, [card_id]))

    def hand_over_card(self, card_id: int, number: str) -> None:
        from amudesk.services import FieldError, NotFound, documents

        try:
            with self._store.transaction() as session:
                documents.hand_over_card(card_id, session=session)
        except (FieldError, NotFound) as exc:
            QMessageBox.warning(self, _("Medical card"), str(exc))
            return
        self._saved(self._request_id, _("Card {number} handed over.").format(number=number))

    def _cards_printed(self, request_id: int | None, card_ids: list[int], _pages: int) -> None:
        from amudesk.services import documents

        with self._store.transaction() as session:
            documents.mark_cards_printed(card_ids, session=session)
        if request_id is not None and request_id == self._request_id:
            self._saved(request_id, _("Card printed."))

    def _reprinted(self, document_id: int, how: str, *_args: object) -> None:
        from amudesk.services import documents

        with self._store.transaction() as session:
            documents.record_reprint(document_id, session=session, how=how)

    def preview(
        self,
        pdf: bytes,
        number: str,
        *,
        on_printed: Callable[[int], None] | None = None,
        on_saved: Callable[[str], None] | None = None,
    ) -> Any:
        """Show ``pdf`` (held in memory only) to print or save; without Qt PDF support,
        offer to save it. Returns the preview dialog (None in the fallback)."""
        from amudesk.ui.documentview import DocumentPreviewDialog, ensure_pdf_support

        problem = ensure_pdf_support()
        if problem is not None:
            log.warning("no PDF preview: %s", problem)
            path = self._write_pdf(number, pdf)
            if path is not None and on_saved is not None:
                on_saved(str(path))
            return None
        if self.last_preview is not None:
            # One preview at a time: the one before goes, with its copy of the PDF.
            self.last_preview.close()
            self.last_preview.deleteLater()
        dialog = DocumentPreviewDialog(
            pdf,
            title=number,
            suggested_name=f"{number}.pdf",
            parent=self.window(),
            choose_path=lambda _name: self.choose_pdf_path(number),
            printer_factory=self.printer_factory,
        )
        if on_printed is not None:
            dialog.printed.connect(on_printed)
        if on_saved is not None:
            dialog.saved.connect(on_saved)
        self.last_preview = dialog
        dialog.open()
        return dialog

    def choose_pdf_path(self, number: str) -> Path | None:
        """Where to save ``number``'s PDF (None: not saved). Tests replace this."""
        from amudesk.ui.documentview import ask_pdf_path

        return ask_pdf_path(self, f"{number}.pdf")

    def _write_pdf(self, number: str, pdf: bytes) -> Path | None:
        from amudesk.ui.documentview import write_pdf

        chosen = self.choose_pdf_path(number)
        path = write_pdf(self, chosen, pdf) if chosen is not None else None
        if path is not None:
            self.message.emit(_("{number} saved to {path}").format(number=number, path=path))
        return path

    def _timeline_section(self, layout: QVBoxLayout, detail: cases.CaseDetail) -> None:
        self._section(layout, _("Timeline"))
        rows = []
        for event in detail.timeline:
            day = i18n.format_date(event.day)
            if event.moment is not None:
                day = _("{date}, {time}").format(date=day, time=local_time(event.moment))
            rows.append((day, event.text))
        self._form(layout, rows)

    def _item_row(
        self,
        text: str,
        slot: Callable[[], None],
        *,
        object_name: str,
        name: str,
        button: str = "",
    ) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(plain_label(text), 1)
        button_widget = action_button(
            button or _("Edit…"), slot, object_name=object_name, name=name
        )
        row.addWidget(button_widget, 0, Qt.AlignmentFlag.AlignTop)
        return row

    def _button_row(self, text: str, slot: Callable[[], None], object_name: str) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(action_button(text, slot, object_name=object_name))
        row.addStretch(1)
        return row

    # --- focus across rebuilds -------------------------------------------------------

    def _focused_name(self) -> str:
        content = self.widget()
        focus = self.focusWidget() if content is not None else None
        if focus is not None and content is not None and content.isAncestorOf(focus):
            return focus.objectName()
        return ""

    def _restore_focus(self, name: str) -> None:
        content = self.widget()
        if not name or content is None:
            return
        target = content.findChild(QWidget, name)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- actions (each opens a form; the forms are imported when first used) ----------

    def edit_person(self) -> None:
        if self._person_id is None:
            return
        from amudesk.ui.persondialog import PersonDialog

        dialog = PersonDialog(self._store, person_id=self._person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Person saved."))

    def edit_dependant(self, person_id: int | None) -> None:
        if person_id is None:
            return
        from amudesk.ui.persondialog import PersonDialog

        dialog = PersonDialog(self._store, person_id=person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Dependant saved."))

    def add_dependant(self) -> None:
        if self._person_id is None:
            return
        from amudesk.ui.persondialog import PersonDialog

        dialog = PersonDialog(self._store, guardian_id=self._person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Dependant saved."))

    def edit_request(self) -> None:
        if self._request_id is None:
            return
        from amudesk.ui.requestdialog import RequestDialog

        dialog = RequestDialog(self._store, request_id=self._request_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, None)

    def new_request_for_person(self) -> None:
        if self._person_id is None:
            return
        from amudesk.ui.requestdialog import RequestDialog

        dialog = RequestDialog(self._store, person_id=self._person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(getattr(dialog, "request_id", None) or self._request_id, None)

    def record_aamu(self) -> None:
        self.edit_aamu(None)

    def edit_aamu(self, aamu_id: int | None) -> None:
        if self._request_id is None:
            return
        from amudesk.ui.aamudialog import AamuDialog

        dialog = AamuDialog(self._store, request_id=self._request_id, aamu_id=aamu_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Attestation saved."))

    def record_decision(self) -> None:
        self.edit_decision(None)

    def edit_decision(self, decision_id: int | None) -> None:
        if self._request_id is None:
            return
        from amudesk.ui.decisiondialog import DecisionDialog

        dialog = DecisionDialog(
            self._store, request_id=self._request_id, decision_id=decision_id, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Decision saved."))

    def record_transfer(self) -> None:
        if self._request_id is None:
            return
        from amudesk.ui.eventdialog import TransferDialog

        dialog = TransferDialog(
            self._store, request_id=self._request_id, data_dir=self._data_dir, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Transfer saved."))

    def record_appeal(self) -> None:
        if self._request_id is None:
            return
        from amudesk.ui.eventdialog import AppealDialog

        dialog = AppealDialog(
            self._store, request_id=self._request_id, data_dir=self._data_dir, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(self._request_id, _("Appeal saved."))

    def _saved(self, request_id: int | None, text: str | None) -> None:
        """Show the (possibly new) case again and tell the window what changed."""
        self.show_case(request_id)
        if text is None and self._reference:
            text = _("Request {reference} saved.").format(reference=self._reference)
        if text:
            self.message.emit(text)
        if request_id is not None:
            log.info("request %s changed from the case panel", request_id)
            self.changed.emit(request_id)
