"""What the main window's menus and buttons do: the forms they open, the export, the
backups and the settings. The window holds the actions; this object holds their work."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QProgressDialog

from amudesk import __version__, i18n, letters
from amudesk.dates import brussels_today
from amudesk.i18n import _, ngettext
from amudesk.services import cases, worklist
from amudesk.services.documents import document_language
from amudesk.services.exporting import export_file
from amudesk.services.office import get_office
from amudesk.services.spreadsheet import SpreadsheetError
from amudesk.ui.workers import Cancelled, Task

if TYPE_CHECKING:
    from amudesk.ui.mainwindow import MainWindow

log = logging.getLogger("amudesk.ui.mainwindow")
# The board's "CPAS late" actions, and the letter each writes.
LETTER_OF_ACTION = {
    worklist.REMIND: letters.REMINDER,
    worklist.FORMAL_NOTICE: letters.FORMAL_NOTICE,
    worklist.LABOUR_COURT: letters.APPEAL,
}


class MainCommands(QObject):
    """The commands of the main window's menus, toolbar and empty list."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.store = window.store
        self.data_dir = window.data_dir
        self.card_batch: Any = None
        self.export_task: Any = None

    def request_saved(self, request_id: int | None) -> None:
        if request_id is None:
            self.window.refresh()
            return
        self.window.refresh(request_id)
        self.window.show_message(
            _("Request {reference} saved.").format(
                reference=self.window.request_reference(request_id)
            )
        )

    def stop_export(self) -> None:
        """Cancel a running export and wait for it to end (the store is about to close)."""
        if self.export_task is not None:
            self.export_task.cancel()
            self.export_task.wait()

    def deadline_action(self, request_id: int, action: str) -> None:
        """The deadlines board's next action (services.worklist), once the board had the case
        shown: the case panel opens the form that records the event."""
        panel = self.window.panel
        if panel.request_id() != request_id:
            return
        if action == worklist.UPDATE_DECISION:  # the latest one: its notification, its encoding
            with self.store.session() as session:
                latest = cases.latest_decision(request_id, session=session)
            panel.edit_decision(latest.id if latest is not None else None)
            return
        letter = LETTER_OF_ACTION.get(action)
        if letter is not None:
            panel.documents.write_letter(letter)
            return
        forms = {
            worklist.RECORD_DECISION: panel.record_decision,
            worklist.RECORD_TRANSFER: panel.record_transfer,
            worklist.RECORD_APPEAL: panel.record_appeal,
        }
        form = forms.get(action)
        if form is not None:
            form()

    def new_person(self) -> None:
        from amudesk.ui.persondialog import PersonDialog
        from amudesk.ui.requestdialog import RequestDialog

        dialog = PersonDialog(self.store, parent=self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        person_id = getattr(dialog, "person_id", None)
        self.window.show_message(_("Person saved."))
        if person_id is None:
            return
        request_dialog = RequestDialog(self.store, person_id=person_id, parent=self.window)
        if request_dialog.exec() == QDialog.DialogCode.Accepted:
            self.new_request_saved(getattr(request_dialog, "request_id", None))
        else:
            self.window.show_message(
                _("Person saved. Register their request later with “New request…”.")
            )

    def new_request(self) -> None:
        from amudesk.ui.requestdialog import RequestDialog

        dialog = RequestDialog(self.store, parent=self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.new_request_saved(getattr(dialog, "request_id", None))

    def new_request_saved(self, request_id: int | None) -> None:
        """A new request was saved: show it, then offer its acknowledgement of receipt."""
        self.request_saved(request_id)
        if request_id is not None:
            self.window.panel.documents.offer_receipt(request_id)

    def issue_next_document(self) -> None:
        """Ctrl+P: issue the document the selected case most likely needs next (the case
        panel's "Issue: …" button; ``casedocuments.next_document`` says which)."""
        if self.window.panel.request_id() is None:
            self.window.show_message(_("Select a request first."))
            return
        self.window.panel.issue_next_document()

    def edit_request(self, request_id: int) -> None:
        from amudesk.ui.requestdialog import RequestDialog

        dialog = RequestDialog(self.store, request_id=request_id, parent=self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.request_saved(getattr(dialog, "request_id", None) or request_id)

    def import_spreadsheet(self) -> None:
        from amudesk.ui.importdialog import ImportDialog

        dialog = ImportDialog(self.store, self.window)
        dialog.exec()
        if dialog.report is not None and dialog.report.updated:
            self.window.refresh()  # requests corrected from the file (--update in the dialog)
        if dialog.imported:
            self.window.refresh()
            self.window.show_message(
                ngettext("{n} request imported.", "{n} requests imported.", dialog.imported).format(
                    n=dialog.imported
                )
            )

    def print_cards(self) -> None:
        """Print the medical cards of the selected requests together."""
        from amudesk.ui.cardbatch import CardBatchDialog

        # The selected rows, else the case on show.
        request_ids = self.window.stack.selected_request_ids()
        current = self.window.panel.request_id()
        if not request_ids and current is not None:
            request_ids = [current]
        if not request_ids:
            self.window.show_message(_("Select one or more requests first."))
            return
        if self.card_batch is not None:
            self.card_batch.close()
            self.card_batch.deleteLater()
        with self.store.session() as session:
            office = get_office(session=session)
        dialog = CardBatchDialog(
            self.store,
            request_ids,
            self.window,
            language=document_language(None, office),
        )
        dialog.printed.connect(lambda _ids: self.window.refresh())
        self.card_batch = dialog
        dialog.open()

    def export_spreadsheet(self) -> None:
        name = _("amu-requests-{date}.csv").format(date=brussels_today().isoformat())
        start = str(Path.home() / name)
        chosen, chosen_filter = QFileDialog.getSaveFileName(
            self.window,
            _("Export the requests"),
            start,
            _("CSV spreadsheet (*.csv)") + ";;" + _("Excel workbook (*.xlsx)"),
        )
        if not chosen:
            return
        path = Path(chosen)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            suffix = ".xlsx" if "xlsx" in chosen_filter else ".csv"
            path = path.with_name(path.name + suffix)
        self.run_export(path)

    def run_export(self, path: Path) -> None:
        """Write every request to ``path`` off the UI thread, with progress and cancel."""
        store = self.store

        def work(progress: Any, cancelled: Any) -> int:
            def report(done: int, total: int) -> None:
                if cancelled():
                    raise Cancelled()  # export_file removes its unfinished file
                progress(done, total)

            return int(export_file(path, store=store, progress=report))

        dialog = QProgressDialog(_("Exporting the requests…"), _("Cancel"), 0, 0, self.window)
        dialog.setWindowTitle(_("Export"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        task = Task(work, self.window)
        dialog.canceled.connect(task.cancel)

        def on_progress(done: int, total: int) -> None:
            dialog.setMaximum(max(total, 1))
            dialog.setValue(min(done, max(total, 1)))

        def end() -> None:
            self.export_task = None
            dialog.canceled.disconnect(task.cancel)
            dialog.close()
            dialog.deleteLater()
            task.deleteLater()

        def on_finished(count: object) -> None:
            end()
            n = count if isinstance(count, int) else 0
            self.window.show_message(
                ngettext(
                    "{n} request exported to {file}.", "{n} requests exported to {file}.", n
                ).format(n=n, file=path.name)
            )
            log.info("export finished: %s requests", count)
            self.window.export_finished.emit(count)

        def on_failed(error: object) -> None:
            end()
            self._export_failed(error)
            self.window.export_finished.emit(error)

        task.progress.connect(on_progress)
        task.finished.connect(on_finished)
        task.failed.connect(on_failed)
        self.export_task = task
        task.start()

    def _export_failed(self, error: object) -> None:
        if isinstance(error, Cancelled):
            self.window.show_message(_("Export cancelled; no file was written."))
            return
        if isinstance(error, SpreadsheetError):
            message = str(error)
        elif isinstance(error, OSError):
            message = _("The file could not be written: {reason}").format(
                reason=error.strerror or error.__class__.__name__
            )
        else:
            message = _("The export failed. Details were written to the log file.")
        QMessageBox.warning(self.window, _("Export"), message)

    def edit_directory(self) -> None:
        from amudesk.ui.directorydialog import DirectoryDialog

        DirectoryDialog(self.store, parent=self.window).exec()
        self.window.refresh()

    def edit_office(self) -> None:
        from amudesk.ui.officedialog import OfficeDialog

        dialog = OfficeDialog(self.store, parent=self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.window.update_title()
            self.window.show_message(_("Office profile saved."))

    def edit_settings(self) -> None:
        from amudesk.ui.settingsdialog import SettingsDialog

        chosen: list[str] = []
        dialog = SettingsDialog(self.data_dir, parent=self.window)
        dialog.language_changed.connect(chosen.append)
        clock_changed: list[bool] = []
        dialog.clock_settings_changed.connect(lambda: clock_changed.append(True))
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if accepted:
            self.window.lock_settings_changed.emit()
        if clock_changed:
            # How deadlines are counted or alerted changed: every view of them follows.
            if self.window.alerts is not None:
                self.window.alerts.apply_settings()
            if self.window.board is not None and self.window.board.isVisible():
                self.window.board.refresh()
            self.window.panel.show_case(self.window.panel.request_id())
        if chosen and chosen[-1] != i18n.get_locale():
            # Emitted once the dialog is closed: the window may then be rebuilt safely.
            self.window.language_changed.emit(chosen[-1])

    def open_privacy(self) -> None:
        from amudesk.ui.privacydialog import PrivacyDialog

        dialog = PrivacyDialog(self.store, parent=self.window)
        dialog.erased.connect(lambda _person_id: self.window.refresh(None))
        dialog.exec()

    def open_statistics(self) -> None:
        from amudesk.ui.statsdialog import StatisticsDialog

        StatisticsDialog(self.store, parent=self.window).exec()

    def open_audit(self) -> None:
        from amudesk.ui.auditdialog import AuditDialog

        AuditDialog(self.store, parent=self.window).exec()

    def back_up(self) -> None:
        from amudesk.ui.safekeeping import BackupDialog

        BackupDialog(self.store, parent=self.window).exec()

    def restore_backup(self) -> None:
        """Ask which backup and its passphrase; the shell closes the store and restores."""
        from amudesk.ui.safekeeping import RestoreDialog

        if self.data_dir is None:
            return
        dialog = RestoreDialog(self.data_dir, parent=self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        path = dialog.chosen_path()
        if path is not None:
            self.window.restore_requested.emit(str(path), dialog.passphrase())

    def change_passphrase(self) -> None:
        """Ask the current and a new passphrase; the shell re-encrypts and reopens."""
        from amudesk.ui.safekeeping import ChangePassphraseDialog

        dialog = ChangePassphraseDialog(parent=self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.window.passphrase_change_requested.emit(dialog.current(), dialog.new())

    def about(self) -> None:
        text = _(
            "AMU Desk {version}\n\n"
            "An offline desk for urgent medical aid (AMU) requests.\n\n"
            "Free software under the European Union Public Licence (EUPL) 1.2."
        ).format(version=__version__)
        box = QMessageBox(
            QMessageBox.Icon.Information, _("About AMU Desk"), text, parent=self.window
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()
