"""Before a document is issued: what it would print but the office profile or the CPAS
directory lacks, with a way to fill it in now.

A card whose CPAS has no phone number, a receipt without the labour court, a letterhead
without an address: each still prints (and says nothing of what it lacks), but the worker
is told first and can fill the gap in the office profile or the directory, then issue.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from amudesk.i18n import _
from amudesk.models import DOCUMENT_KINDS
from amudesk.services import documents
from amudesk.services.documents import Missing
from amudesk.store import Store

FILL, ISSUE, CANCEL = "fill", "issue", "cancel"


def missing_for(store: Store, kind: str, request_id: int, language: str | None) -> list[Missing]:
    with store.session() as session:
        return documents.missing_contacts(kind, request_id, session=session, language=language)


def message(kind: str, missing: Sequence[Missing]) -> str:
    lines = "\n".join(f"• {item.label}" for item in missing)
    return _("The {document} would print without:\n{missing}").format(
        document=_(DOCUMENT_KINDS.get(kind, kind)).lower(), missing=lines
    )


def choose(parent: QWidget, kind: str, missing: Sequence[Missing]) -> str:
    """Ask: fill in now (the default), issue as it is, or cancel."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        _(DOCUMENT_KINDS.get(kind, kind)),
        message(kind, missing),
        parent=parent,
    )
    box.setInformativeText(
        _("It can be issued as it is: it then leaves these out rather than print a gap.")
    )
    fill = box.addButton(_("&Fill in now…"), QMessageBox.ButtonRole.AcceptRole)
    issue = box.addButton(_("&Issue as it is"), QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(fill)
    box.exec()
    clicked = box.clickedButton()
    if clicked is fill:
        return FILL
    if clicked is issue:
        return ISSUE
    return CANCEL


def fill_in(parent: QWidget, store: Store, missing: Sequence[Missing]) -> None:
    """Open the office profile, then the directory at the CPAS concerned, with the first
    missing field focused."""
    from amudesk.ui.directorydialog import DirectoryDialog
    from amudesk.ui.officedialog import OfficeDialog

    office = [item for item in missing if item.owner == "office"]
    if office:
        dialog = OfficeDialog(store, parent=parent)
        field = dialog.fields.get(office[0].field)
        if field is not None:
            field.setFocus(Qt.FocusReason.OtherFocusReason)
        dialog.exec()
    cpas = [item for item in missing if item.owner == "cpas" and item.cpas_id is not None]
    if cpas:
        directory = DirectoryDialog(store, parent=parent)
        directory.select_cpas(cpas[0].cpas_id or 0)
        widget = getattr(directory, cpas[0].field, None)
        if isinstance(widget, QWidget):
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
        directory.exec()


def ready_to_issue(
    parent: QWidget, store: Store, kind: str, request_id: int, language: str | None
) -> bool:
    """Whether to go on issuing: nothing missing, or the worker chose to issue as it is
    (after filling in what they could)."""
    while True:
        missing = missing_for(store, kind, request_id, language)
        if not missing:
            return True
        answer = choose(parent, kind, missing)
        if answer == ISSUE:
            return True
        if answer == CANCEL:
            return False
        fill_in(parent, store, missing)  # then look again
