"""The CPAS decision on a request: kind, dates, validity, MediPrima, reasons, a court's
order, and how it was notified.

Two columns: the decision itself (kind, date, whether a judgment ordered it, and what only a
positive decision has) on the left, the notification (how, when it took effect, which
mandatory mentions it lacked) on the right. A refusal or an incompetence lists the reasons
given under both, in place of the validity; the form scrolls when the screen is short.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.dates import brussels_today
from amudesk.deadlines import MENTIONS, NOTIFICATION_LABELS, NotificationMethod
from amudesk.deadlines import registered_letter_effect as letter_effect
from amudesk.i18n import _
from amudesk.models import DECISION_LABELS, Decision, DecisionKind
from amudesk.refusals import REASONED_KINDS
from amudesk.services import FieldError, NotFound, cases
from amudesk.services.cases import DecisionData
from amudesk.store import Store
from amudesk.ui.kit.dates import OptionalDateEdit
from amudesk.ui.kit.formdialog import FormDialog, problem_of
from amudesk.ui.kit.formrows import add_hint_row, add_row, align_label_columns
from amudesk.ui.kit.hints import heading_label, hint_label, set_hint
from amudesk.ui.kit.labels import request_heading
from amudesk.ui.reasonsfield import ReasonsField

POSITIVE_KINDS = (DecisionKind.PRINCIPLE, DecisionKind.GUARANTEE)
WEEKDAY_DATE = "EEE d MMM y"  # 'Tue 18 Aug 2026', as in the clock's explanations


def effect_sentence(posted_on: dt.date, *, today: dt.date | None = None) -> str:
    """When a registered letter posted on ``posted_on`` takes effect, and why (art. 53bis)."""
    effect = letter_effect(posted_on)
    text = _(
        "Takes effect on {date} — the third working day after posting (Code judiciaire art. 53bis)."
    ).format(date=i18n.format_date(effect, WEEKDAY_DATE))
    if effect > (today or brussels_today()):
        text += " " + _(
            "That day has not come yet: leave “Notified on” empty and fill it in once it has."
        )
    return text


def keep_date_readable(edit: OptionalDateEdit) -> None:
    """The typed date stays whole when two columns share the width."""
    edit.edit.setMinimumWidth(edit.edit.maximumWidth())


class DecisionDialog(FormDialog):
    """Record (or correct) a decision; ``decision_id`` holds the saved id after OK."""

    def __init__(
        self,
        store: Store,
        *,
        request_id: int,
        decision_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(store, parent)
        self.setObjectName("decisionDialog")
        self.request_id = request_id
        self.decision_id = decision_id
        # The "Notified on" day this form filled in from the posting date (a registered
        # letter), so that it follows the posting date until the user types another.
        self._filled_notified_on: dt.date | None = None
        heading, decision, reasons = self._load()
        self.setWindowTitle(_("Edit decision") if decision is not None else _("New decision"))
        body = self.body = QWidget()
        layout = QVBoxLayout(body)
        self.heading = heading_label(heading)
        layout.addWidget(self.heading)
        columns = QHBoxLayout()
        columns.setSpacing(12)
        left = QVBoxLayout()
        left_forms: list[QFormLayout] = []
        left.addWidget(self._build_decision(left_forms))
        left.addWidget(self._build_validity(left_forms))
        left.addStretch(1)
        right = QVBoxLayout()
        right_forms: list[QFormLayout] = []
        right.addWidget(self._build_notification(right_forms))
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns)
        self.reasons = ReasonsField()
        layout.addWidget(self.reasons)
        layout.addStretch(1)
        align_label_columns(left_forms)
        align_label_columns(right_forms)
        self.finish_layout(body, scroll=True)
        self._set_tab_order()
        for edit in self.findChildren(OptionalDateEdit):
            keep_date_readable(edit)
        # Never narrower than the two columns (a date's reading grows them): the form
        # scrolls only up and down.
        body.installEventFilter(self)
        first_kind = next(iter(self.kinds.values()))
        self.fields = {
            "kind": first_kind,
            "decided_on": problem_of(self.decided_on, self.decided_on.edit),
            "notification_method": self.notification_method,
            "posted_on": problem_of(self.posted_on, self.posted_on.edit),
            "notified_on": problem_of(self.notified_on, self.notified_on.edit),
            "missing_mentions": next(iter(self.mentions.values())),
            "valid_from": problem_of(self.valid_from, self.valid_from.edit),
            "valid_to": problem_of(self.valid_to, self.valid_to.edit),
            "mediprima_number": self.mediprima_number,
            "encoded_on": problem_of(self.encoded_on, self.encoded_on.edit),
            "reasons": self.reasons,
            "court_judgment_on": problem_of(self.court_judgment_on, self.court_judgment_on.edit),
            "court_name": self.court_name,
        }
        if decision is not None:
            self._fill(decision, reasons)
            self.version = decision.version
        else:
            self.decided_on.set_value(brussels_today())
        self._on_kind_changed()
        self._on_court_changed()
        self._on_notification_changed()
        self.posted_on.changed.connect(self._on_posted_changed)
        self.notified_on.changed.connect(self._on_notification_changed)
        self.remember_shown()
        self.fit_to_screen(1080, 540)
        self._fit_height()
        (self.kind_group.checkedButton() or first_kind).setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        area = self.scroll_area
        if event.type() == QEvent.Type.LayoutRequest and area is not None and watched is self.body:
            bar = area.verticalScrollBar().sizeHint().width()
            area.setMinimumWidth(self.body.minimumSizeHint().width() + bar)
        return super().eventFilter(watched, event)

    def _fit_height(self) -> None:
        """Tall enough for what the kind shows (the wrapped hints, the reasons), up to the
        screen's height: the form scrolls beyond it. It grows, never shrinks under the user."""
        area = self.scroll_area
        assert area is not None
        layout = self.layout()
        if layout is not None:
            layout.activate()
        chrome = self.height() - area.viewport().height()
        needed = self.body.heightForWidth(area.viewport().width()) + chrome
        screen = self.screen().availableGeometry().height() - 40 if self.screen() else 728
        height = min(needed, self.MAX_HEIGHT, screen)
        if height > self.height():
            self.resize(self.width(), height)

    def _load(self) -> tuple[str, Decision | None, list[tuple[str, str]]]:
        with self.store.session() as session:
            heading = request_heading(self.request_id, session=session)
            decision, reasons = None, []
            if self.decision_id is not None:
                detail = cases.get_case(self.request_id, session=session)
                decision = next((d for d in detail.decisions if d.id == self.decision_id), None)
                if decision is None:
                    raise NotFound(_("This decision is not in the database."))
                reasons = [
                    (r.key, r.explanation)
                    for r in cases.reasons_of(self.decision_id, session=session)
                ]
        return heading, decision, reasons

    def _fill(self, decision: Decision, reasons: list[tuple[str, str]]) -> None:
        button = self.kinds.get(decision.kind)
        if button is not None:
            button.setChecked(True)
        self.decided_on.set_value(decision.decided_on)
        index = self.notification_method.findData(decision.notification_method or None)
        self.notification_method.setCurrentIndex(max(index, 0))
        self.posted_on.set_value(decision.posted_on)
        self.notified_on.set_value(decision.notified_on)
        if decision.posted_on is not None and decision.notified_on == letter_effect(
            decision.posted_on
        ):
            self._filled_notified_on = decision.notified_on
        for code, box in self.mentions.items():
            box.setChecked(code in decision.missing_mention_list)
        self.valid_from.set_value(decision.valid_from)
        self.valid_to.set_value(decision.valid_to)
        self.mediprima_number.setText(decision.mediprima_number)
        self.ticket_moderateur.setCurrentIndex(
            max(self.ticket_moderateur.findData(decision.ticket_moderateur), 0)
        )
        self.encoded_on.set_value(decision.encoded_on)
        self.reasons.set_value(reasons)
        self.court_ordered.setChecked(decision.court_ordered)
        self.court_judgment_on.set_value(decision.court_judgment_on)
        self.court_name.setText(decision.court_name)

    # --- building ----------------------------------------------------------------------

    def _build_decision(self, forms: list[QFormLayout]) -> QGroupBox:
        box = QGroupBox(_("The decision"))
        form = QFormLayout(box)
        forms.append(form)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.kind_group = QButtonGroup(self)
        self.kinds: dict[str, QRadioButton] = {}
        for code, label in DECISION_LABELS.items():
            button = QRadioButton(_(label))
            button.setAccessibleName(_("Kind of decision: {kind}").format(kind=_(label)))
            self.kind_group.addButton(button)
            self.kinds[code] = button
            column.addWidget(button)
        kind_label = add_row(form, _("&Kind *"), holder, name=_("Kind of decision (required)"))
        kind_label.setBuddy(next(iter(self.kinds.values())))
        holder.setFocusProxy(next(iter(self.kinds.values())))
        self.kind_group.buttonToggled.connect(self._on_kind_changed)
        self.decided_on = OptionalDateEdit(label=_("Decided on"))
        add_row(form, _("&Decided on *"), self.decided_on, name=_("Decided on (required)"))
        self.court_ordered = QCheckBox(_("Decision ordered b&y a labour court judgment"))
        self.court_ordered.setAccessibleName(_("Decision ordered by a labour court judgment"))
        self.court_ordered.setToolTip(
            _("A decision that carries out a judgment may start more than 60 days before it.")
        )
        form.addRow(self.court_ordered)
        self.court_ordered.toggled.connect(self._on_court_changed)
        self.court_judgment_on = OptionalDateEdit(label=_("Judgment of"))
        add_row(form, _("&Judgment of *"), self.court_judgment_on, name=_("Judgment of (required)"))
        self.court_name = QLineEdit()
        self.court_name.setMaxLength(300)
        self.court_name.setPlaceholderText(_("e.g. Tribunal du travail francophone de Bruxelles"))
        add_row(form, _("&Court *"), self.court_name, name=_("Court (required)"))
        self.decision_form = form
        return box

    def _build_validity(self, forms: list[QFormLayout]) -> QGroupBox:
        self.validity_box = QGroupBox(_("Positive decision"))
        form = self.validity_form = QFormLayout(self.validity_box)
        forms.append(form)
        self.valid_from = OptionalDateEdit(label=_("Valid from"))
        self.valid_from_label = add_row(form, _("Valid &from"), self.valid_from)
        self.valid_to = OptionalDateEdit(label=_("Valid until"))
        self.valid_to_label = add_row(form, _("Valid &until"), self.valid_to)
        self.validity_hint = hint_label(
            _(
                "A decision can start at most 60 days before it is taken, "
                "and lasts at most 12 months."
            )
        )
        add_hint_row(form, self.validity_hint)
        self.mediprima_number = QLineEdit()
        self.mediprima_number.setMaxLength(40)
        self.mediprima_label = add_row(form, _("&MediPrima number"), self.mediprima_number)
        self.ticket_moderateur = QComboBox()
        self.ticket_moderateur.setAccessibleName(_("Ticket modérateur of ambulatory care"))
        for label, value in (
            (_("not stated"), None),
            (_("covered by the CPAS"), True),
            (_("not covered"), False),
        ):
            self.ticket_moderateur.addItem(label, value)
        self.ticket_label = add_row(
            form, _("&Ticket modérateur (ambulatory)"), self.ticket_moderateur
        )
        self.ticket_moderateur.setToolTip(
            _(
                "Whether the CPAS also pays the patient's share of ambulatory care; "
                "printed on the medical card."
            )
        )
        self.encoded_on = OptionalDateEdit(label=_("Encoded in MediPrima on"))
        self.encoded_label = add_row(form, _("&Encoded in MediPrima on"), self.encoded_on)
        self.encoded_hint = hint_label(
            _(
                "Within 8 days of the decision; if later, care from day 9 until encoding "
                "is at the CPAS's expense."
            )
        )
        add_hint_row(form, self.encoded_hint)
        self.positive_hint = hint_label(
            _("Only a decision in principle or a coverage guarantee has a validity period.")
        )
        add_hint_row(form, self.positive_hint)
        return self.validity_box

    def _build_notification(self, forms: list[QFormLayout]) -> QGroupBox:
        box = QGroupBox(_("Notification"))
        form = QFormLayout(box)
        forms.append(form)
        self.notification_method = QComboBox()
        self.notification_method.addItem(_("Not recorded"), None)
        for code, label in NOTIFICATION_LABELS.items():
            self.notification_method.addItem(_(label), str(code))
        add_row(form, _("Notified &by"), self.notification_method, name=_("Notified by"))
        self.notification_method.currentIndexChanged.connect(self._on_method_changed)
        self.posted_on = OptionalDateEdit(label=_("Posted on"))
        self.posted_label = add_row(
            form, _("&Posted on"), self.posted_on, name=_("Registered letter posted on")
        )
        self.notified_on = OptionalDateEdit(label=_("Notified on"))
        add_row(form, _("&Notified on"), self.notified_on)
        self.notification_hint = hint_label()
        self.notification_hint.setObjectName("notificationHint")
        self.notification_hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        add_hint_row(form, self.notification_hint)
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        self.mentions: dict[str, QCheckBox] = {}
        for code, label in MENTIONS.items():
            checkbox = QCheckBox(_(label))
            checkbox.setAccessibleName(_("Missing mention: {mention}").format(mention=_(label)))
            self.mentions[code] = checkbox
            column.addWidget(checkbox)
        self.mentions_label = QLabel(_("The notification &lacks these mandatory mentions:"))
        self.mentions_label.setWordWrap(True)
        self.mentions_label.setBuddy(next(iter(self.mentions.values())))
        form.addRow(self.mentions_label)
        form.addRow(holder)
        holder.setContentsMargins(12, 0, 0, 0)
        self.mentions_holder = holder
        self.mentions_hint = hint_label(
            _(
                "Leave them unticked when you don't know: the claimant's clock is then shown "
                "as running. Once one is ticked, the appeal time limit is shown as not "
                "started (Charte de l'assuré social, art. 14)."
            )
        )
        form.addRow(self.mentions_hint)
        return box

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            *self.kinds.values(),
            self.decided_on.edit,
            self.court_ordered,
            self.court_judgment_on.edit,
            self.court_name,
            self.valid_from.edit,
            self.valid_to.edit,
            self.mediprima_number,
            self.ticket_moderateur,
            self.encoded_on.edit,
            self.notification_method,
            self.posted_on.edit,
            self.notified_on.edit,
            *self.mentions.values(),
            *self.reasons.tab_chain(),
            self.ok_button,
            self.cancel_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # --- behaviour ---------------------------------------------------------------------

    def kind(self) -> str:
        for code, button in self.kinds.items():
            if button.isChecked():
                return code
        return ""

    def method(self) -> str | None:
        data = self.notification_method.currentData()
        return str(data) if data else None

    def _registered(self) -> bool:
        return self.method() == NotificationMethod.REGISTERED

    def _on_kind_changed(self, *_args: object) -> None:
        positive = self.kind() in POSITIVE_KINDS
        for widget in (
            self.valid_from,
            self.valid_to,
            self.mediprima_number,
            self.ticket_moderateur,
            self.encoded_on,
            self.valid_from_label,
            self.valid_to_label,
            self.mediprima_label,
            self.ticket_label,
            self.encoded_label,
            self.validity_hint,
            self.encoded_hint,
        ):
            widget.setEnabled(positive)
        self.validity_form.setRowVisible(self.positive_hint, not positive)
        reasoned = self.kind() in REASONED_KINDS
        self.validity_box.setVisible(not reasoned)
        self.reasons.setVisible(reasoned)
        if self.isVisible():
            self._fit_height()

    def _on_court_changed(self, *_args: object) -> None:
        ordered = self.court_ordered.isChecked()
        self.decision_form.setRowVisible(self.court_judgment_on, ordered)
        self.decision_form.setRowVisible(self.court_name, ordered)

    def _on_method_changed(self, *_args: object) -> None:
        registered = self._registered()
        self.posted_on.setEnabled(registered)
        self.posted_label.setEnabled(registered)
        if not registered and self._filled_notified_on is not None:
            # The day came from the posting date, which no longer counts: take it back.
            if self.notified_on.value() == self._filled_notified_on:
                self.notified_on.set_value(None)
            self._filled_notified_on = None
        elif registered:
            self._on_posted_changed()
        self._on_notification_changed()

    def _on_posted_changed(self, *_args: object) -> None:
        """Fill "Notified on" with the day a registered letter took effect (art. 53bis)."""
        posted = self.posted_on.value() if self._registered() else None
        effect = letter_effect(posted) if posted is not None else None
        typed = self.notified_on.edit.text().strip()
        current = self.notified_on.value()
        ours = not typed or (
            self._filled_notified_on is not None and current == self._filled_notified_on
        )
        if ours:
            if effect is not None and effect <= brussels_today():
                self._filled_notified_on = effect
                self.notified_on.set_value(effect)
            elif typed:
                self._filled_notified_on = None
                self.notified_on.set_value(None)
        self._on_notification_changed()

    def _on_notification_changed(self, *_args: object) -> None:
        method = self.method()
        posted = self.posted_on.value()
        if method == NotificationMethod.REGISTERED and posted is not None:
            text = effect_sentence(posted)
        elif method == NotificationMethod.REGISTERED:
            text = _(
                "Give the posting date: a registered letter takes effect on the third working "
                "day after posting (Code judiciaire art. 53bis)."
            )
        elif method == NotificationMethod.HAND:
            text = _("Notified on: the day the decision was handed over against a receipt.")
        elif method == NotificationMethod.ORDINARY:
            text = _("Notified on: the day the claimant received the letter.")
        else:
            text = _(
                "Notified on: the day the notification took effect. "
                "Leave it empty while the decision is not notified."
            )
        set_hint(self.notification_hint, text)
        notified = bool(self.notified_on.edit.text().strip()) or method in (
            NotificationMethod.HAND,
            NotificationMethod.ORDINARY,
        )
        if method == NotificationMethod.REGISTERED and posted is not None:
            notified = notified or letter_effect(posted) <= brussels_today()
        self.mentions_label.setEnabled(notified)
        self.mentions_holder.setEnabled(notified)
        self.mentions_hint.setEnabled(notified)

    # --- saving ------------------------------------------------------------------------

    def fields_to_check(self) -> dict[str, QWidget]:
        # Disabled inputs are neither checked nor saved.
        skipped: set[str] = set()
        if self.kind() not in POSITIVE_KINDS:
            skipped |= {"valid_from", "valid_to", "mediprima_number", "encoded_on"}
        if not self._registered():
            skipped.add("posted_on")
        if not self.court_ordered.isChecked():
            skipped |= {"court_judgment_on", "court_name"}
        return {key: widget for key, widget in self.fields.items() if key not in skipped}

    def missing_mentions(self) -> list[str]:
        if not self.mentions_holder.isEnabled():
            return []
        return [code for code, box in self.mentions.items() if box.isChecked()]

    def data(self) -> DecisionData:
        positive = self.kind() in POSITIVE_KINDS
        ordered = self.court_ordered.isChecked()
        return DecisionData(
            kind=self.kind(),
            decided_on=self.decided_on.value(),
            notified_on=self.notified_on.value(),
            valid_from=self.valid_from.value() if positive else None,
            valid_to=self.valid_to.value() if positive else None,
            mediprima_number=self.mediprima_number.text() if positive else "",
            notification_method=self.method(),
            posted_on=self.posted_on.value() if self._registered() else None,
            missing_mentions=self.missing_mentions(),
            encoded_on=self.encoded_on.value() if positive else None,
            ticket_moderateur=self.ticket_moderateur.currentData() if positive else None,
            reasons=self.reasons.value() if self.kind() in REASONED_KINDS else [],
            court_ordered=ordered,
            court_judgment_on=self.court_judgment_on.value() if ordered else None,
            court_name=self.court_name.text() if ordered else "",
            version=self.version,
        )

    def save(self, session: Any) -> int | None:
        decision = cases.record_decision(
            self.request_id, self.data(), session=session, decision_id=self.decision_id
        )
        return decision.id

    def saved(self, record_id: int | None) -> None:
        self.decision_id = record_id

    def reload_record(self) -> None:
        _heading, decision, reasons = self._load()
        if decision is not None:
            self._fill(decision, reasons)
            self.version = decision.version

    def fill_values(self, values: dict[str, Any]) -> None:
        shown = SimpleNamespace(**values, missing_mention_list=values["missing_mentions"])
        self._fill(shown, values["reasons"])  # type: ignore[arg-type]

    def show_error(self, error: FieldError) -> None:
        if error.field == "reasons":  # on the reason it is about
            self.fields["reasons"] = self.reasons.error_target(self.kind())
        super().show_error(error)
