"""Privacy duties (GDPR) from the window: access export, erasure, retention, art. 30 record.

- "Export a person's data": a request reference and a folder; everything held about the
  person is written there as ``<reference>-access.pdf`` and ``.json`` (art. 15 and 20).
  See ``amudesk.ui.privacyexport``.
- "Erase a person": a reference, then what will be erased (counts), then the reference
  typed again to confirm; the erasure and the clean-up of the database file run off the
  UI thread (art. 17). Backups keep the data until they expire, and the dialog says so.
  See ``amudesk.ui.erasurepage``.
- "Retention": people whose cases all closed more than N years ago; one of them is sent
  to the erasure tab, where the same confirmation applies. See
  ``amudesk.ui.privacyretention``.
- "Write the record of processing (art. 30)…": a PDF from the office profile.

One piece of work runs at a time for the whole dialog (``amudesk.ui.privacypages``); every
action waits meanwhile. The services write their own audit entries (``export``,
``erase``); ``exported`` and ``erased`` tell the window, which refreshes its lists. File
and folder choosers are methods (``ExportPage.choose_folder``, ``choose_record_path``)
that tests replace.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.dates import brussels_today
from amudesk.i18n import N_, _
from amudesk.services import privacy
from amudesk.services.office import get_office
from amudesk.store import Store
from amudesk.ui.erasurepage import ErasurePage
from amudesk.ui.kit.buttons import action_button
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.hints import GOOD_STYLE, set_hint
from amudesk.ui.kit.taborder import chain_tab_order
from amudesk.ui.kit.taskdialog import failure_message, status_label
from amudesk.ui.privacyexport import ExportPage
from amudesk.ui.privacypages import PrivacyTasks
from amudesk.ui.privacyretention import RetentionPage

log = logging.getLogger(__name__)

DEFAULT_SIZE = (780, 600)
MINIMUM_WIDTH = 620
LANGUAGE_NAMES = {"fr": N_("French"), "nl": N_("Dutch"), "en": N_("English")}
RECORD_FILE = "amudesk-art30-{date}.pdf"


class PrivacyDialog(QDialog):
    """Access export, erasure, retention list and the art. 30 record, in three tabs."""

    erased = Signal(int)  # the id of the person erased
    exported = Signal(str)  # the reference the export was made for

    EXPORT_TAB, ERASE_TAB, RETENTION_TAB = range(3)

    def __init__(
        self,
        store: Store,
        parent: QWidget | None = None,
        *,
        language: str | None = None,
        retention_years: int = privacy.DEFAULT_RETENTION_YEARS,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self.tasks = PrivacyTasks(self)
        self.tasks.running.connect(self._running)
        self.setObjectName("privacyDialog")
        self.setWindowTitle(_("Privacy (GDPR)"))

        self.language_combo = QComboBox()
        self.language_combo.setObjectName("documentLanguage")
        for code in i18n.LANGUAGES:
            self.language_combo.addItem(_(LANGUAGE_NAMES[code]), code)
        chosen = language or self._office_language() or i18n.get_locale()
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(chosen)))
        language_label = QLabel(_("&Language of the documents"))
        language_label.setBuddy(self.language_combo)
        self.language_combo.setAccessibleName(_("Language of the documents"))
        language_row = QHBoxLayout()
        language_row.addWidget(language_label)
        language_row.addWidget(self.language_combo)
        language_row.addStretch(1)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("privacyTabs")
        self.tabs.setAccessibleName(_("Privacy duties"))
        self.export_page = ExportPage(store, self.tasks, self.language_combo)
        self.tabs.addTab(self.export_page, _("Export a person's data"))
        self.erase_page = ErasurePage(store, self.tasks)
        self.tabs.addTab(self.erase_page, _("Erase a person"))
        self.retention_page = RetentionPage(store, self.tasks, retention_years)
        self.tabs.addTab(self.retention_page, _("Retention"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.export_page.exported.connect(self.exported)
        self.erase_page.erased.connect(self._person_erased)
        self.retention_page.chosen.connect(self._erase_chosen)

        self.record_button = action_button(
            _("Write the record of &processing (art. 30)…"),
            self.write_record,
            object_name="writeRecord",
            name=_("Write the record of processing activities, GDPR article 30"),
        )
        self.record_status = status_label("recordStatus")
        self.record_error = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setAccessibleName(_("Close the privacy duties"))
        self.close_button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)
        self._lay_out(language_row)
        self.setMinimumWidth(MINIMUM_WIDTH)
        self.resize(*DEFAULT_SIZE)
        self.export_page.export_reference.setFocus(Qt.FocusReason.OtherFocusReason)

    def _lay_out(self, language_row: QHBoxLayout) -> None:
        """The language on top, the tabs, the record and Close at the bottom; Tab from
        the language through the fields of every tab to Close."""
        bottom = QHBoxLayout()
        bottom.addWidget(self.record_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(language_row)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.record_status)
        layout.addWidget(self.record_error)
        layout.addLayout(bottom)
        export, erase, retention = self.export_page, self.erase_page, self.retention_page
        chain_tab_order(
            [
                self.language_combo,
                self.tabs,
                export.export_reference,
                export.folder_button,
                export.export_button,
                erase.erase_reference,
                erase.preview_button,
                erase.confirm_edit,
                erase.erase_button,
                erase.cleanup_button,
                retention.years_spin,
                retention.candidate_table,
                retention.to_erase_button,
                self.record_button,
                self.close_button,
            ]
        )

    def _office_language(self) -> str | None:
        try:
            with self._store.session() as session:
                office = get_office(session=session)
        except Exception:  # a locked or unreadable store: the interface language will do
            log.warning("office profile not read for the document language")
            return None
        return office.document_language if office is not None else None

    def language(self) -> str:
        """The language the documents are written in."""
        return str(self.language_combo.currentData())

    # --- the work of every tab, one piece at a time --------------------------------------

    @property
    def busy(self) -> bool:
        return self.tasks.busy

    def _running(self, running: bool) -> None:
        if running:
            self._set_actions_enabled(False)
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()
            self._set_actions_enabled(True)

    def _set_actions_enabled(self, enabled: bool) -> None:
        export, erase, retention = self.export_page, self.erase_page, self.retention_page
        # In the order of the tabs: a focused button that turns off hands the focus on.
        for widget in (
            export.export_button,
            export.folder_button,
            erase.preview_button,
            erase.cleanup_button,
            retention.to_erase_button,
            self.record_button,
            retention.years_spin,
        ):
            widget.setEnabled(enabled)
        if enabled:
            erase.update_erase_button()
            retention.to_erase_button.setEnabled(retention.selected_reference() is not None)
        else:
            erase.erase_button.setEnabled(False)

    def wait_for_task(self, milliseconds: int = 30_000) -> bool:
        """Wait until the running work is over and its outcome shown (tests, closing)."""
        return self.tasks.wait_reported(milliseconds)

    def done(self, result: int) -> None:
        """An export or erasure is never cut short: closing waits for it."""
        self.wait_for_task()
        super().done(result)

    # --- between the tabs ------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == self.RETENTION_TAB and not self.retention_page.listed:
            self.retention_page.list_candidates()

    def _erase_chosen(self, reference: str) -> None:
        """A person of the retention list to erase: what goes, then the confirmation."""
        self.tabs.setCurrentIndex(self.ERASE_TAB)
        self.erase_page.preview(reference)

    def _person_erased(self, person_id: int) -> None:
        self.retention_page.listed = False  # listed again when the tab is shown
        self.erased.emit(person_id)

    # --- record of processing --------------------------------------------------------

    def choose_record_path(self) -> Path | None:
        """Where to write the record of processing; None when the chooser was closed."""
        name = RECORD_FILE.format(date=brussels_today().isoformat())
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            _("Write the record of processing"),
            str(Path.home() / name),
            _("PDF documents ({pattern})").format(pattern="*.pdf"),
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")

    def write_record(self) -> None:
        """Write the record of processing activities (GDPR art. 30) as a PDF."""
        if self.busy:
            return
        self.record_error.clear_message()
        self.record_status.hide()
        path = self.choose_record_path()
        if path is None:
            return
        store = self._store
        language = self.language()
        years = self.retention_page.years_spin.value()

        def work() -> Path:
            with store.session() as session:
                return privacy.write_record_of_processing(
                    path, session=session, language=language, retention_years=years
                )

        def written(result: Path) -> None:
            set_hint(self.record_status, _("Written: {path}").format(path=result), GOOD_STYLE)

        def failed(error: object) -> None:
            self.record_status.hide()
            self.record_error.show_message(failure_message(error))

        set_hint(self.record_status, _("Writing the record…"))
        self.tasks.run(work, written, failed)
