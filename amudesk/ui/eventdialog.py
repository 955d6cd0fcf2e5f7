"""Record the day a request was sent on to the competent CPAS, or the day the claimant
appealed to the labour court: the events that stop the transfer and appeal clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.dates import brussels_today
from amudesk.deadlines import STATE_LABELS, Deadline
from amudesk.i18n import BRUSSELS, N_, _
from amudesk.models import Request
from amudesk.services import cases, clock, directory, filing
from amudesk.settings import load_settings
from amudesk.store import Store
from amudesk.ui.kit.combos import SearchCombo
from amudesk.ui.kit.dates import OptionalDateEdit
from amudesk.ui.kit.formdialog import FormDialog, problem_of
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import heading_label, hint_label
from amudesk.ui.kit.labels import cpas_label, request_heading
from amudesk.ui.kit.moments import WALL_CLOCK, brussels_now, from_qdatetime, to_qdatetime


class EventDateDialog(FormDialog):
    """One date of a request (empty clears it), saved through the clock service.

    Subclasses say which date (``field``), how it is labelled, which clocks it stops
    (``rules``) and which service records it.
    """

    field = ""
    object_name = ""
    title = ""
    label = ""  # with an & mnemonic
    explanation = ""
    rules: tuple[str, ...] = ()
    # The service that records the day (set by each kind of event).
    service: Callable[..., Request]

    def __init__(
        self,
        store: Store,
        *,
        request_id: int,
        data_dir: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, parent)
        self.setObjectName(self.object_name)
        self.setWindowTitle(_(self.title))
        self.request_id = request_id
        self._data_dir = data_dir if data_dir is not None else getattr(store, "data_dir", None)
        heading, current, running = self._load()
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = heading_label(heading)
        layout.addWidget(self.heading)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        plain_label = _(self.label).replace("&", "")
        self.date = OptionalDateEdit(label=plain_label)
        self.date.setObjectName("eventDate")
        add_row(form, _(self.label), self.date, name=plain_label)
        last = self.add_rows(form)
        layout.addLayout(form)
        self.explanation_label = hint_label(
            _(self.explanation) + " " + _("Leave the date empty to clear it.")
        )
        self.explanation_label.setObjectName("eventExplanation")
        layout.addWidget(self.explanation_label)
        self.clock_label = hint_label("\n\n".join(running))
        self.clock_label.setObjectName("eventClock")
        self.clock_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clock_label.setVisible(bool(running))
        layout.addWidget(self.clock_label)
        layout.addStretch(1)
        self.finish_layout(body)
        self.fields = {self.field: problem_of(self.date, self.date.edit), **self.extra_fields()}
        self.date.set_value(current if current is not None else brussels_today())
        self.remember_shown()
        self.date.edit.selectAll()
        if last is not None:
            QWidget.setTabOrder(self.date.edit, last)
            QWidget.setTabOrder(last, self.ok_button)
        else:
            QWidget.setTabOrder(self.date.edit, self.ok_button)
        QWidget.setTabOrder(self.ok_button, self.cancel_button)
        self.fit_to_screen(620, 320)
        needed = self.heightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), min(needed, self.MAX_HEIGHT))
        self.date.setFocus(Qt.FocusReason.OtherFocusReason)

    def _load(self) -> tuple[str, dt.date | None, list[str]]:
        """The heading, the date recorded so far, and how the clocks it stops stand."""
        settings = load_settings(self._data_dir).clock_settings()
        with self.store.session() as session:
            heading = request_heading(self.request_id, session=session)
            request = cases.get_request(self.request_id, session=session)
            found = clock.deadlines(
                session=session,
                request_ids=[self.request_id],
                settings=settings,
                language=i18n.get_locale(),
            )
        running = [self._clock_text(d) for d in found if d.rule in self.rules]
        self.version = request.version
        self.loaded(request)
        return heading, self.recorded(request), running

    def loaded(self, request: Request) -> None:
        """What a kind of event keeps of the request as read (called by each reading)."""

    def add_rows(self, form: QFormLayout) -> QWidget | None:
        """Rows a kind of event adds under its date; the last widget (for the tab order)."""
        return None

    def extra_fields(self) -> dict[str, QWidget]:
        return {}

    @staticmethod
    def _clock_text(deadline: Deadline) -> str:
        state = STATE_LABELS.get(deadline.state)
        return _("{title} ({state}): {explanation}").format(
            title=deadline.title,
            state=_(state) if state else deadline.state,
            explanation=deadline.explanation,
        )

    def recorded(self, request: Request) -> dt.date | None:
        value = getattr(request, self.field, None)
        return value if isinstance(value, dt.date) else None

    def value(self) -> dt.date | None:
        return self.date.value()

    def save(self, session: Any) -> int | None:
        request = self.service(self.request_id, self.value(), session=session, version=self.version)
        return request.id

    # --- another worker saved meanwhile (amudesk.services.editing) ---------------------

    def form_values(self) -> dict[str, Any]:
        return {self.field: self.value()}

    def reload_record(self) -> None:
        heading, current, running = self._load()
        self.heading.setText(heading)
        self.date.set_value(current)
        self.clock_label.setText("\n\n".join(running))
        self.clock_label.setVisible(bool(running))

    def fill_values(self, values: dict[str, Any]) -> None:
        self.date.set_value(values[self.field])


class TransferDialog(EventDateDialog):
    """The day the request was sent in writing to the CPAS held competent."""

    field = "transferred_on"
    object_name = "transferDialog"
    title = N_("Record the transfer")
    label = N_("&Transferred on")
    explanation = N_("A transfer stops the 5-day transfer clock.")
    rules = ("transfer",)

    service = staticmethod(clock.record_transfer)

    def add_rows(self, form: QFormLayout) -> QWidget | None:
        """Which CPAS the request was sent to (the letter to the claimant names it)."""
        with self.store.session() as session:
            request = cases.get_request(self.request_id, session=session)
            entries = [c for c in directory.list_cpas(session=session) if c.id != request.cpas_id]
            current = request.transferred_to_id
        self.target = SearchCombo(
            [
                (
                    cpas.id,
                    cpas_label(cpas),
                    [cpas.name_fr, cpas.name_nl, cpas.commune_fr, cpas.commune_nl],
                )
                for cpas in entries
            ],
            empty_label=_("not known"),
            label=_("Sent to"),
            placeholder=_("Type a few letters of the CPAS or commune"),
        )
        self.target.setObjectName("transferTarget")
        self.target.set_key(current)
        add_row(form, _("&Sent to:"), self.target, name=_("Sent to"))
        # The request the other CPAS received: its own limits run from that day.
        self.follow = QCheckBox(_("Create the &follow-on request, received there on"))
        self.follow.setObjectName("followOn")
        self.follow.setAccessibleName(_("Create the follow-on request"))
        self.follow.setToolTip(
            _(
                "The CPAS the request went to counts its own time limits from the day it "
                "received it; the first filing day stays on its documents as the claimant's "
                "proof of when they asked."
            )
        )
        self.received_there = QDateTimeEdit()
        self.received_there.setObjectName("receivedThere")
        self.received_there.setTimeZone(WALL_CLOCK)
        self.received_there.setCalendarPopup(True)
        self.received_there.setDisplayFormat("dd/MM/yyyy HH:mm")
        self.received_there.setDateTime(to_qdatetime(brussels_now()))
        self.received_there.setAccessibleName(_("Received by the other CPAS on"))
        self.received_there.lineEdit().setAccessibleName(_("Received by the other CPAS on"))
        self.received_there.setEnabled(False)
        self.follow.toggled.connect(self.received_there.setEnabled)
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.follow)
        row.addWidget(self.received_there, 1)
        form.addRow("", holder)
        with self.store.session() as session:
            self.already_followed = filing.following(self.request_id, session=session) is not None
        holder.setVisible(not self.already_followed)
        return self.received_there

    def extra_fields(self) -> dict[str, QWidget]:
        return {"transferred_to_id": self.target, "received_at": self.received_there}

    def loaded(self, request: Request) -> None:
        self.sent_to = request.transferred_to_id

    def form_values(self) -> dict[str, Any]:
        return {**super().form_values(), "transferred_to_id": self.target.key()}

    def reload_record(self) -> None:
        super().reload_record()
        self.target.set_key(self.sent_to)

    def fill_values(self, values: dict[str, Any]) -> None:
        super().fill_values(values)
        self.target.set_key(values["transferred_to_id"])

    def save(self, session: Any) -> int | None:
        key = self.target.key()
        request = clock.record_transfer(
            self.request_id,
            self.value(),
            session=session,
            to_cpas_id=int(key) if key is not None else None,
            version=self.version,
        )
        if self.follow.isChecked() and not self.already_followed:
            local = from_qdatetime(self.received_there.dateTime())
            filing.follow_on(
                self.request_id,
                local.replace(tzinfo=ZoneInfo(BRUSSELS)),
                session=session,
            )
        return request.id


class SppReferralDialog(EventDateDialog):
    """The day a CPAS that received the request by transfer, and also held itself not
    competent, referred the conflict of competence to the SPP IS."""

    field = "spp_referred_on"
    object_name = "sppReferralDialog"
    title = N_("Record the referral to the SPP IS")
    label = N_("&Referred to the SPP IS on")
    explanation = N_("The referral stops the 5-working-day clock.")
    rules = ("spp-referral",)

    service = staticmethod(filing.record_spp_referral)


class AppealDialog(EventDateDialog):
    """The day the claimant appealed to the labour court."""

    field = "appealed_on"
    object_name = "appealDialog"
    title = N_("Record the appeal")
    label = N_("&Appealed on")
    explanation = N_("A recorded appeal stops the appeal clocks.")
    rules = ("appeal", "appeal-no-decision")

    service = staticmethod(clock.record_appeal)
