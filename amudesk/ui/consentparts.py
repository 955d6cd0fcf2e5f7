"""The person's consent in the case panel, under their details: what they agreed to and
when, each consent in force with the button that withdraws it, the withdrawn ones kept as
proof (GDPR art. 7), and the button that records a new consent."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from PySide6.QtWidgets import QDialog, QVBoxLayout, QWidget

from amudesk import i18n
from amudesk.i18n import N_, _
from amudesk.models import Consent, ConsentHow, ConsentUse
from amudesk.store import Store
from amudesk.ui.caseparts import button_row, item_row, plain_label

# The uses and the ways, as short as a line in the panel allows.
SHORT_USES: dict[str, str] = {
    ConsentUse.FOLLOW_UP: N_("follow-up"),
    ConsentUse.LETTERS: N_("letters (mandate)"),
    ConsentUse.STATISTICS: N_("statistics"),
}
SHORT_HOW: dict[str, str] = {
    ConsentHow.SIGNED: N_("signed"),
    ConsentHow.ORAL: N_("orally, before a witness"),
    ConsentHow.ELECTRONIC: N_("electronically"),
}


def uses_text(consent: Consent) -> str:
    return ", ".join(
        _(SHORT_USES[code]) if code in SHORT_USES else code for code in consent.use_list
    )


def consent_text(consent: Consent) -> str:
    """'Consent: follow-up, letters (mandate) — given on 3 Mar 2026 (signed)', and the
    withdrawal when there was one."""
    how = SHORT_HOW.get(consent.how)
    text = _("Consent: {uses} — given on {date} ({how})").format(
        uses=uses_text(consent),
        date=i18n.format_date(consent.given_on),
        how=_(how) if how else consent.how,
    )
    if consent.withdrawn_on is not None:
        text = _("{consent}, withdrawn on {date}").format(
            consent=text, date=i18n.format_date(consent.withdrawn_on)
        )
    return text


class ConsentStatus(QWidget):
    """The consent lines of one person and their buttons; ``saved(message)`` after a form
    saved (the panel shows the case again)."""

    def __init__(
        self,
        store: Store,
        person_id: int,
        found: Sequence[Consent],
        saved: Callable[[str | None], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("consentStatus")
        self._store = store
        self._person_id = person_id
        self._saved = saved
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        current = [c for c in found if c.withdrawn_on is None]
        if not current:
            empty = _("No consent in force.") if found else _("No consent recorded.")
            layout.addWidget(plain_label(empty, object_name="noConsent"))
        for number, consent in enumerate(current):
            layout.addLayout(
                item_row(
                    consent_text(consent),
                    partial(self.withdraw, consent.id or 0),
                    object_name=f"withdrawConsent{number}",
                    name=_("Withdraw the consent given on {date}").format(
                        date=i18n.format_date(consent.given_on)
                    ),
                    needs="cases",
                    button=_("Withdraw…"),
                )
            )
        for consent in found:
            if consent.withdrawn_on is not None:
                layout.addWidget(plain_label(consent_text(consent), object_name="hint"))
        layout.addLayout(
            button_row(_("Record c&onsent…"), self.record, "recordConsent", needs="cases")
        )

    def record(self) -> None:
        from amudesk.ui.consentdialog import ConsentDialog

        dialog = ConsentDialog(self._store, person_id=self._person_id, parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(_("Consent saved."))

    def withdraw(self, consent_id: int) -> None:
        from amudesk.ui.consentdialog import WithdrawConsentDialog

        dialog = WithdrawConsentDialog(
            self._store, person_id=self._person_id, consent_id=consent_id, parent=self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._saved(_("Consent withdrawn."))
