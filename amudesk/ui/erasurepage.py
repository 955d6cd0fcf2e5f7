"""The privacy dialog's "Erase a person" tab (GDPR art. 17).

A reference, then what will be erased (counts), then the reference typed again to confirm;
the erasure and the clean-up of the database file run off the UI thread. Backups keep the
data until they expire, and the page says so.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from amudesk.backups import KEEP_DAILY, KEEP_WEEKLY
from amudesk.documents.processing import backup_weeks
from amudesk.i18n import _, ngettext
from amudesk.models import Person
from amudesk.services import FieldError, NotFound, privacy
from amudesk.store import Store, StoreError
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.fielderrors import ErrorLabel, clear_field_errors, show_field_error
from amudesk.ui.kit.formrows import add_row
from amudesk.ui.kit.hints import GOOD_STYLE, hint_label, set_hint, warning_label
from amudesk.ui.kit.taskdialog import failure_message, status_label
from amudesk.ui.privacypages import PrivacyTasks, action_row, field_with_button


def erasure_summary(report: privacy.ErasureReport) -> str:
    """What an erasure removes (or removed), one line per kind of record."""
    adults = report.people - report.dependants
    lines = [ngettext("{n} person", "{n} people", adults).format(n=adults)]
    if report.dependants:
        lines.append(
            ngettext("{n} minor dependant", "{n} minor dependants", report.dependants).format(
                n=report.dependants
            )
        )
    lines += [
        ngettext("{n} request", "{n} requests", report.requests).format(n=report.requests),
        ngettext("{n} medical attestation", "{n} medical attestations", report.attestations).format(
            n=report.attestations
        ),
        ngettext("{n} decision", "{n} decisions", report.decisions).format(n=report.decisions),
        ngettext(
            "{n} note on a time limit", "{n} notes on time limits", report.deadline_marks
        ).format(n=report.deadline_marks),
        ngettext("{n} photo", "{n} photos", report.photos).format(n=report.photos),
    ]
    return "\n".join(f"• {line}" for line in lines)


def _erase_and_compact(person_id: int, store: Store) -> tuple[privacy.ErasureReport, str]:
    """Erase the person, then clean up the database file; what kept the clean-up from
    finishing, if anything (the person is erased all the same, the clean-up can be run
    again)."""
    with store.transaction() as session:
        report = privacy.erase_person(person_id, session=session)
    try:
        privacy.compact(store)
    except StoreError as exc:
        return report, str(exc)
    return report, ""


class ErasurePage(QWidget):
    """A reference, what its person's erasure would remove, and the erasure once confirmed."""

    erased = Signal(int)  # the id of the person erased

    def __init__(self, store: Store, tasks: PrivacyTasks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self._planned: tuple[int, str] | None = None  # person id, reference
        intro = hint_label(
            _(
                "Erases a person with their requests, attestations, decisions and the minor "
                "dependants who have no requests of their own (GDPR art. 17). It cannot be "
                "undone."
            )
        )
        self.backup_warning = warning_label(
            _(
                "Backups keep the erased data until they expire: up to about {weeks} weeks "
                "({daily} daily and {weekly} weekly backups). Delete by hand any copy kept "
                "elsewhere, such as on a USB stick."
            ).format(weeks=backup_weeks(), daily=KEEP_DAILY, weekly=KEEP_WEEKLY)
        )
        self.erase_reference = QLineEdit()
        self.erase_reference.setObjectName("eraseReference")
        self.erase_reference.setPlaceholderText("AMU-2026-0042")
        self.erase_reference.textEdited.connect(lambda _text: self._forget_plan())
        self.erase_reference.returnPressed.connect(self.preview_erasure)
        self.preview_button = action_button(
            _("&Show what will be erased"),
            self.preview_erasure,
            object_name="previewErasure",
            name=_("Show what will be erased"),
        )
        reference_row = field_with_button(self.erase_reference, self.preview_button)
        self.preview_label = QLabel()
        self.preview_label.setObjectName("erasurePreview")
        self.preview_label.setTextFormat(Qt.TextFormat.PlainText)
        self.preview_label.setWordWrap(True)
        self.preview_label.setAccessibleName(_("What will be erased"))
        self.preview_label.hide()
        self.preview_warning = warning_label("")
        self.preview_warning.setObjectName("erasureWarning")
        self.preview_warning.hide()
        self.confirm_edit = QLineEdit()
        self.confirm_edit.setObjectName("confirmReference")
        self.confirm_edit.setEnabled(False)
        self.confirm_edit.textChanged.connect(lambda _text: self.update_erase_button())
        self.confirm_edit.returnPressed.connect(self.erase)
        form = QFormLayout()
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        reference_label = add_row(
            form, _("Refe&rence"), reference_row, name=_("Reference of the person to erase")
        )
        reference_label.setBuddy(self.erase_reference)
        self.erase_reference.setAccessibleName(_("Reference of the person to erase"))
        form.addRow("", self.preview_label)
        form.addRow("", self.preview_warning)
        add_row(
            form,
            _("T&ype the reference again"),
            self.confirm_edit,
            name=_("Type the reference again to confirm the erasure"),
        )
        self.erase_button = action_button(
            _("&Erase for good"),
            self.erase,
            object_name="erase",
            name=_("Erase the person for good"),
        )
        self.erase_button.setEnabled(False)
        self.erase_button.setStyleSheet("QPushButton:enabled { color: #a4000f; font-weight: 600; }")
        self.cleanup_button = action_button(
            _("&Clean up the database file again"),
            self.clean_up,
            object_name="cleanUp",
            name=_("Clean up the database file again"),
        )
        self.cleanup_button.hide()
        actions = action_row(self.erase_button, self.cleanup_button)
        self.erase_status = status_label("eraseStatus")
        self.erase_error = ErrorLabel()
        self.erase_fields: dict[str, QWidget] = {
            "reference": self.erase_reference,
            "confirm": self.confirm_edit,
        }
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.backup_warning)
        layout.addLayout(form)
        layout.addLayout(actions)
        layout.addWidget(self.erase_status)
        layout.addWidget(self.erase_error)
        layout.addStretch(1)

    def _forget_plan(self) -> None:
        self._planned = None
        self.preview_label.hide()
        self.preview_warning.hide()
        self.confirm_edit.clear()
        self.confirm_edit.setEnabled(False)
        self.update_erase_button()

    def preview(self, reference: str) -> None:
        """Show what erasing the person of ``reference`` would remove (from the retention
        list)."""
        self.erase_reference.setText(reference)
        self.preview_erasure()

    def preview_erasure(self) -> None:
        """Show what erasing the person of the typed reference would remove."""
        if self._tasks.busy:
            return
        self._forget_plan()
        clear_field_errors(self.erase_fields, self.erase_error)
        self.erase_status.hide()
        reference = self.erase_reference.text()
        try:
            with self._store.session() as session:
                request = privacy.request_for_reference(reference, session=session)
                report = privacy.plan_erasure(request.person_id, session=session)
                person = session.get(Person, request.person_id)
                name = person.full_name if person is not None else ""
        except FieldError as error:
            show_field_error(error, self.erase_fields, self.erase_error)
            return
        except NotFound as error:
            show_field_error(
                FieldError("reference", str(error)), self.erase_fields, self.erase_error
            )
            return
        self._planned = (report.person_id, request.reference)
        self.erase_reference.setText(request.reference)
        text = _("{name} (person no. {number}), found through {reference}. Will be erased:").format(
            name=name, number=report.person_id, reference=request.reference
        )
        self.preview_label.setText(f"{text}\n{erasure_summary(report)}")
        self.preview_label.setAccessibleDescription(self.preview_label.text())
        self.preview_label.show()
        warnings = []
        if report.open_requests:
            warnings.append(
                ngettext(
                    "{n} request is still open: check that nothing obliges the office to keep it.",
                    "{n} requests are still open: check that nothing obliges the office to keep them.",
                    report.open_requests,
                ).format(n=report.open_requests)
            )
        if report.dependants_kept:
            warnings.append(
                ngettext(
                    "{n} minor dependant has requests of their own: they are kept, no longer "
                    "linked to this person.",
                    "{n} minor dependants have requests of their own: they are kept, no longer "
                    "linked to this person.",
                    len(report.dependants_kept),
                ).format(n=len(report.dependants_kept))
            )
        if warnings:
            self.preview_warning.setText("\n".join(warnings))
            self.preview_warning.setAccessibleName(self.preview_warning.text())
            self.preview_warning.show()
        self.confirm_edit.setEnabled(True)
        self.confirm_edit.setPlaceholderText(request.reference)
        self.confirm_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.update_erase_button()

    def _confirmed(self) -> bool:
        return (
            self._planned is not None
            and self.confirm_edit.text().strip().upper() == self._planned[1].upper()
        )

    def update_erase_button(self) -> None:
        """The erase button works once the reference was typed again, while nothing runs."""
        self.erase_button.setEnabled(not self._tasks.busy and self._confirmed())

    def erase(self) -> None:
        """Erase the previewed person, once the reference was typed again."""
        if self._tasks.busy:
            return
        clear_field_errors(self.erase_fields, self.erase_error)
        if self._planned is None:
            show_field_error(
                FieldError("reference", _("Reference: show what will be erased first.")),
                self.erase_fields,
                self.erase_error,
            )
            return
        if not self._confirmed():
            show_field_error(
                FieldError(
                    "confirm",
                    _("Confirmation: type the reference {reference} exactly.").format(
                        reference=self._planned[1]
                    ),
                ),
                self.erase_fields,
                self.erase_error,
            )
            return
        person_id, _reference = self._planned
        store = self._store
        set_hint(self.erase_status, _("Erasing…"))
        self._tasks.run(
            lambda: _erase_and_compact(person_id, store), self._erased, self._erase_failed
        )

    def _erased(self, result: tuple[privacy.ErasureReport, str]) -> None:
        report, cleanup_problem = result
        reference = self._planned[1] if self._planned else ""
        self._forget_plan()
        self.erase_reference.clear()
        set_hint(
            self.erase_status,
            _("{reference}: erased.\n{summary}").format(
                reference=reference, summary=erasure_summary(report)
            ),
            GOOD_STYLE,
        )
        if cleanup_problem:
            self.erase_error.show_message(cleanup_problem)
            self.cleanup_button.show()
        self.erase_reference.setFocus(Qt.FocusReason.OtherFocusReason)
        self.erased.emit(report.person_id)

    def _erase_failed(self, error: object) -> None:
        self.erase_status.hide()
        self.erase_error.show_message(failure_message(error))
        self.erase_reference.setFocus(Qt.FocusReason.OtherFocusReason)

    def clean_up(self) -> None:
        """Run the clean-up of the database file again (after it was kept from finishing)."""
        if self._tasks.busy:
            return
        store = self._store
        self.erase_error.clear_message()
        set_hint(self.erase_status, _("Cleaning up the database file…"))

        def cleaned(_result: object) -> None:
            self.cleanup_button.hide()
            set_hint(self.erase_status, _("The database file is cleaned up."), GOOD_STYLE)

        self._tasks.run(lambda: privacy.compact(store), cleaned, self._erase_failed)
