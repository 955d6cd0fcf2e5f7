"""The main window: the case list on the left, the selected case on the right.

What its menus do (the forms, the export, the backups) is ``MainCommands``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from PySide6.QtCore import QByteArray, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from amudesk import i18n
from amudesk.i18n import _, ngettext
from amudesk.services import cases
from amudesk.services.office import get_office
from amudesk.settings import load_settings, save_settings
from amudesk.store import Store
from amudesk.ui import casemodel, sharedwindow
from amudesk.ui.alertbadge import AlertBadge
from amudesk.ui.caselist import CaseList
from amudesk.ui.casepanel import CasePanel
from amudesk.ui.idlecases import idle_action
from amudesk.ui.maincommands import MainCommands

log = logging.getLogger(__name__)

APP_TITLE = "AMU Desk"
SEARCH_DELAY_MS = 120
MESSAGE_MS = 10_000
DEFAULT_SIZE = (1280, 720)
MINIMUM_SIZE = (1000, 620)


def format_count(n: int, *, capped: bool = False) -> str:
    """'1 234 cases' with the locale's digit grouping; 'more than 1 000 cases' when capped."""
    if capped:
        number = format_decimal(casemodel.COUNT_CAP, locale=i18n.babel_locale(None))
        return _("more than {count} cases").format(count=number)
    number = format_decimal(n, locale=i18n.babel_locale(None))
    return ngettext("{count} case", "{count} cases", n).format(count=number)


def default_size() -> tuple[int, int]:
    """1280×720, or less on a smaller screen (a 1366×768 laptop has room for it)."""
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return DEFAULT_SIZE
    room = screen.availableGeometry()
    width = min(DEFAULT_SIZE[0], int(room.width() * 0.95))
    height = min(DEFAULT_SIZE[1], int(room.height() * 0.92))
    return max(width, MINIMUM_SIZE[0]), max(height, MINIMUM_SIZE[1])


class MainWindow(QMainWindow):
    """The desk: search, the case list, the selected case and every command."""

    language_changed = Signal(str)
    export_finished = Signal(object)
    # Asked for here, done by the application shell (the store must be closed first):
    # (backup file, its passphrase) and (current passphrase, new passphrase).
    restore_requested = Signal(str, str)
    passphrase_change_requested = Signal(str, str)
    # After the settings dialog was accepted: the idle lock reads its delay again.
    lock_settings_changed = Signal()

    def __init__(self, store: Store, data_dir: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.data_dir = Path(data_dir) if data_dir is not None else store.data_dir
        # After the next reload: (request to show, read it again, show it even if unlisted).
        self._pending: tuple[int | None, bool, bool] | None = None
        self._database_empty = False
        self.board: Any = None  # the deadlines board, made when first opened
        self.alerts: Any = None  # DeadlineAlerts, attached by the application shell
        self.setObjectName("mainWindow")
        self.commands = MainCommands(self)
        self.setMinimumSize(*MINIMUM_SIZE)
        self.resize(*default_size())
        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_central()
        self._build_status_bar()
        self.update_title()
        self.restore_layout()
        self.model.reload()
        sharedwindow.attach(self)  # the role's commands, others' changes (a shared database)

    # --- building ------------------------------------------------------------------

    def _action(
        self, text: str, slot: Any, shortcut: QKeySequence | str | None = None, tip: str = ""
    ) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        plain = text.replace("&", "").rstrip("…").strip()
        action.setToolTip(
            f"{tip or plain} ({action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
            if shortcut
            else tip or plain
        )
        action.setStatusTip(tip or plain)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.new_person_action = self._action(
            _("New &person…"), self.commands.new_person, "Ctrl+Shift+N", _("Register a new person")
        )
        self.new_request_action = self._action(
            _("New &request…"), self.commands.new_request, "Ctrl+N", _("Register a new AMU request")
        )
        self.import_action = self._action(
            _("&Import…"),
            self.commands.import_spreadsheet,
            "Ctrl+I",
            _("Import requests from a spreadsheet"),
        )
        self.export_action = self._action(
            _("&Export…"),
            self.commands.export_spreadsheet,
            "Ctrl+E",
            _("Export every request to a spreadsheet"),
        )
        self.cards_action = self._action(
            _("Print medical &cards…"),
            self.commands.print_cards,
            "Ctrl+Shift+P",
            _("Print the medical cards of the selected requests"),
        )
        self.next_document_action = self._action(
            _("Issue the &next document…"),
            self.commands.issue_next_document,
            "Ctrl+P",
            _("Issue the document the selected case most likely needs next"),
        )
        self.directory_action = self._action(
            _("&CPAS directory…"), self.commands.edit_directory, tip=_("Edit the directory of CPAS")
        )
        self.office_action = self._action(
            _("&Office profile…"),
            self.commands.edit_office,
            tip=_("Name, address and signatory of your office"),
        )
        self.settings_action = self._action(
            _("&Settings…"), self.commands.edit_settings, tip=_("Language and other preferences")
        )
        self.backup_action = self._action(
            _("&Back up…"), self.commands.back_up, tip=_("Make an encrypted backup of the database")
        )
        self.restore_action = self._action(
            _("&Restore a backup…"),
            self.commands.restore_backup,
            tip=_("Replace the database by one of its backups"),
        )
        self.passphrase_action = self._action(
            _("Change the passp&hrase…"),
            self.commands.change_passphrase,
            tip=_("Encrypt the database with a new passphrase"),
        )
        self.audit_action = self._action(
            _("A&udit trail…"),
            self.commands.open_audit,
            tip=_("Who did what and when; check that nothing was altered"),
        )
        self.privacy_action = self._action(
            _("&Privacy duties…"),
            self.commands.open_privacy,
            tip=_("Everything about a person, erasure, retention, record of processing (GDPR)"),
        )
        self.statistics_action = self._action(
            _("St&atistics…"),
            self.commands.open_statistics,
            "Ctrl+Shift+S",
            _("Delays and refusals, measured: figures per CPAS, month or channel"),
        )
        self.quit_action = self._action(_("&Quit"), self.close, "Ctrl+Q")
        self.about_action = self._action(_("&About AMU Desk"), self.commands.about)
        self.find_action = self._action(_("&Find"), self.focus_search, "Ctrl+F")
        self.deadlines_action = self._action(
            _("&Deadlines"), self.open_deadlines, "Ctrl+D", _("Open the deadlines board")
        )
        self.idle_action = idle_action(self)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu(_("&File"))
        self.file_menu.addAction(self.new_person_action)
        self.file_menu.addAction(self.new_request_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.find_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.import_action)
        self.file_menu.addAction(self.export_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.next_document_action)
        self.file_menu.addAction(self.cards_action)
        self.file_menu.addSeparator()
        self.file_menu.addAction(self.quit_action)
        self.tools_menu = bar.addMenu(_("&Tools"))
        self.tools_menu.addAction(self.deadlines_action)
        self.tools_menu.addAction(self.idle_action)
        self.tools_menu.addAction(self.statistics_action)
        self.tools_menu.addSeparator()
        self.tools_menu.addAction(self.directory_action)
        self.tools_menu.addAction(self.office_action)
        self.tools_menu.addSeparator()
        self.tools_menu.addAction(self.backup_action)
        self.tools_menu.addAction(self.restore_action)
        self.tools_menu.addAction(self.passphrase_action)
        self.tools_menu.addAction(self.audit_action)
        self.tools_menu.addAction(self.privacy_action)
        self.tools_menu.addSeparator()
        self.tools_menu.addAction(self.settings_action)
        self.help_menu = bar.addMenu(_("&Help"))
        self.help_menu.addAction(self.about_action)

    def _build_toolbar(self) -> None:
        toolbar = QToolBar(_("Main toolbar"), self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.setAccessibleName(_("Main toolbar"))
        for action in (self.new_person_action, self.new_request_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.import_action, self.export_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        toolbar.addAction(self.deadlines_action)
        toolbar.addAction(self.directory_action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.toolbar = toolbar

    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 6, 8, 0)
        layout.setSpacing(6)
        self.server_banner = sharedwindow.server_banner()
        layout.addWidget(self.server_banner)
        layout.addLayout(self._build_search_row())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("caseSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.stack = CaseList(
            self.store,
            new_person=self.commands.new_person,
            import_spreadsheet=self.commands.import_spreadsheet,
        )
        self.model, self.table = self.stack.model, self.stack.table
        self.empty_hint = self.stack.empty_hint
        self.model.reloaded.connect(self._model_reloaded)
        self.table.activated.connect(self._row_activated)
        self.table.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.splitter.addWidget(self.stack)
        self.panel = CasePanel(self.store, data_dir=self.data_dir)
        self.panel.changed.connect(self._panel_changed)
        self.panel.request_chosen.connect(self.select_request)
        self.panel.message.connect(self.show_message)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([790, 470])
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        QWidget.setTabOrder(self.search, self.status_filter)
        QWidget.setTabOrder(self.status_filter, self.table)
        QWidget.setTabOrder(self.table, self.panel)

    def _build_search_row(self) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel(_("&Search:"))
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(_("Search by name, NISS or reference"))
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(_("Search by name, NISS or reference"))
        self.search.setMinimumWidth(260)
        label.setBuddy(self.search)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self._search_entered)
        self.search.installEventFilter(self)
        clear = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search)
        clear.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear.activated.connect(self.search.clear)
        status_label = QLabel(_("Stat&us:"))
        self.status_filter = QComboBox()
        self.status_filter.setObjectName("statusFilter")
        self.status_filter.setAccessibleName(_("Status"))
        self.status_filter.addItem(_("All"), None)
        for key, text in casemodel.FILTER_CHOICES:
            self.status_filter.addItem(_(text), key)
        status_label.setBuddy(self.status_filter)
        self.status_filter.currentIndexChanged.connect(lambda _index: self.apply_filter())
        self.count_label = QLabel()
        self.count_label.setObjectName("caseCount")
        self.count_label.setAccessibleName(_("Number of matching cases"))
        row.addWidget(label)
        row.addWidget(self.search, 3)
        row.addSpacing(12)
        row.addWidget(status_label)
        row.addWidget(self.status_filter)
        row.addSpacing(12)
        row.addWidget(self.count_label)
        row.addStretch(1)
        return row

    def _build_status_bar(self) -> None:
        folder = str(self.data_dir) if self.data_dir else ""
        self.folder_label = QLabel(_("Data folder: {path}").format(path=folder))
        self.folder_label.setObjectName("dataFolder")
        self.folder_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.folder_label)
        # Deadlines needing attention, for desktops without a tray (and for everyone).
        self.deadline_badge = AlertBadge()
        self.deadline_badge.clicked.connect(lambda _checked=False: self.open_deadlines())
        self.statusBar().addPermanentWidget(self.deadline_badge)

    # --- title, layout, state ---------------------------------------------------------

    def update_title(self) -> None:
        with self.store.session() as session:
            office = get_office(session=session)
        title = f"{APP_TITLE} — {office.name}" if office is not None and office.name else APP_TITLE
        self.setWindowTitle(sharedwindow.who(title, self.store))

    def restore_layout(self) -> None:
        settings = load_settings(self.data_dir)
        if settings.window_geometry:
            self.restoreGeometry(QByteArray.fromBase64(settings.window_geometry.encode("ascii")))
        if settings.splitter_state:
            self.splitter.restoreState(
                QByteArray.fromBase64(settings.splitter_state.encode("ascii"))
            )

    def save_layout(self) -> None:
        try:
            settings = load_settings(self.data_dir)
            settings.window_geometry = bytes(self.saveGeometry().toBase64().data()).decode("ascii")
            if self.panel.isVisible():  # hidden while the database is empty: keep the old one
                state = self.splitter.saveState().toBase64().data()
                settings.splitter_state = bytes(state).decode("ascii")
            save_settings(settings, self.data_dir)
        except OSError as exc:
            log.warning("window layout not saved: %s", exc.__class__.__name__)

    def view_state(self) -> dict[str, Any]:
        """What the user is looking at, to carry over to a rebuilt window."""
        return {
            "search": self.search.text(),
            "status": self.status_filter.currentIndex(),
            "request_id": self.panel.request_id(),
            "geometry": self.saveGeometry(),
            "splitter": self.splitter.saveState(),
            "maximized": self.isMaximized(),
        }

    def restore_view_state(self, state: dict[str, Any]) -> None:
        self.restoreGeometry(state["geometry"])
        self.splitter.restoreState(state["splitter"])
        self.search.blockSignals(True)
        self.search.setText(state["search"])
        self.search.blockSignals(False)
        self.status_filter.blockSignals(True)
        self.status_filter.setCurrentIndex(state["status"])
        self.status_filter.blockSignals(False)
        self._pending = (state["request_id"], False, True)
        self.apply_filter(force=True)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        sharedwindow.stop_watching(self)
        if self.board is not None:
            self.board.stop()  # its worker ends before the window (and the board) go
            self.board.close()
        self.commands.stop_export()
        self.panel.wait_for_clocks()
        self.save_layout()
        super().closeEvent(event)

    # --- search and list ---------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.rowCount() > 0
        ):
            self._search_entered()
            return True
        return super().eventFilter(watched, event)

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def _search_entered(self) -> None:
        self._search_timer.stop()
        self.apply_filter()
        if self.model.rowCount() > 0 and self.stack.currentWidget() is self.table:
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.model.index(0, 0))

    def apply_filter(self, force: bool = False) -> None:
        """Filter the list by the search words and the status now."""
        self._search_timer.stop()
        query = self.search.text().strip()
        status = self.status_filter.currentData()
        if not force and (query, status) == (self.model.query, self.model.status):
            return
        if self._pending is None:
            self._pending = (self.panel.request_id(), False, False)
        self.model.set_filter(query, status)

    def refresh(self, select_request_id: int | None = None, *, reread: bool = True) -> None:
        """Read the list again (after a form saved) and show ``select_request_id``.

        The case stays shown even when the filter hides it from the list.
        """
        self._pending = (select_request_id or self.panel.request_id(), reread, True)
        self.model.reload()
        self._deadlines_may_have_changed(select_request_id)

    def _model_reloaded(self) -> None:
        total = self.model.total
        self.count_label.setText(format_count(total, capped=self.model.total_is_capped))
        if total == 0 and (self.model.query or self.model.status):
            with self.store.session() as session:
                self._database_empty = cases.count_cases(session=session) == 0
        else:
            self._database_empty = total == 0
        self.stack.setCurrentIndex(1 if self._database_empty else 0)
        self.panel.setVisible(not self._database_empty)
        wanted, reread, keep_unlisted = self._pending or (None, False, False)
        self._pending = None
        row = self.model.row_of(wanted)
        if row is not None:
            self._select_row(row, reread=reread)
        elif wanted is not None and keep_unlisted:
            self.table.selectionModel().clear()
            self.panel.show_case(wanted)
        elif self.model.rowCount() > 0:
            self._select_row(0)
        else:
            self.panel.show_case(None)

    def _select_row(self, row: int, *, reread: bool = False) -> None:
        index = self.model.index(row, 0)
        request_id = self.model.request_id_at(row)
        if reread and request_id == self.panel.request_id():
            self.panel.show_case(request_id)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        if request_id != self.panel.request_id():
            self.panel.show_case(request_id)

    def select_request(self, request_id: int) -> None:
        """Show ``request_id``: select it in the list when it is loaded, else just show it."""
        row = self.model.row_of(request_id)
        if row is not None:
            self._select_row(row)
        else:
            self.table.clearSelection()
            self.panel.show_case(request_id)

    def _current_row_changed(self, current: Any, _previous: Any) -> None:
        if not current.isValid():
            return
        request_id = self.model.request_id_at(current.row())
        if request_id is not None and request_id != self.panel.request_id():
            self.panel.show_case(request_id)

    def _row_activated(self, index: Any) -> None:
        request_id = self.model.request_id_at(index.row())
        if request_id is not None:
            self.commands.edit_request(request_id)

    def _panel_changed(self, request_id: int) -> None:
        # The panel has shown the case again already; the list follows.
        self.refresh(request_id, reread=False)

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, MESSAGE_MS)

    @property
    def card_batch(self) -> Any:
        """The card batch dialog opened last (File › Print medical cards), if any."""
        return self.commands.card_batch

    def request_reference(self, request_id: int) -> str:
        with self.store.session() as session:
            return cases.get_request(request_id, session=session).reference

    # --- deadlines -------------------------------------------------------------------

    def open_deadlines(self) -> None:
        """Show the deadlines board (made on first use), in front, with fresh figures."""
        from amudesk.ui.deadlineboard import DeadlineBoard

        if self.board is None:
            self.board = DeadlineBoard(self.store, self.data_dir, self)
            self.board.open_case.connect(self._open_case_from_board)
            self.board.action_requested.connect(self.commands.deadline_action)
            self.board.marks_changed.connect(self._deadline_marked)
        self.board.open()

    def _open_case_from_board(self, request_id: int) -> None:
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        self.select_request(request_id)
        self.show_message(
            _("Case {reference} shown.").format(reference=self.request_reference(request_id))
        )

    def _deadline_marked(self, request_id: int) -> None:
        if self.panel.request_id() == request_id:
            self.panel.show_case(request_id)  # its running clocks follow the mark
        if self.alerts is not None:
            self.alerts.schedule_check()

    def _deadlines_may_have_changed(self, request_id: int | None = None) -> None:
        """A form saved: the open board (only that case, when one case was saved) and the
        alert count follow."""
        if self.board is not None and self.board.isVisible():
            if request_id is None:
                self.board.refresh()
            else:
                self.board.recount_case(request_id)
        if self.alerts is not None:
            self.alerts.schedule_check()

    def attach_alerts(self, alerts: Any) -> None:
        """Show the count of ``alerts`` (DeadlineAlerts) in the status bar."""
        self.alerts = alerts
        alerts.counted.connect(self.show_deadline_count)
        if alerts.count:
            self.show_deadline_count(alerts.overdue, alerts.soon)

    def show_deadline_count(self, overdue: int, soon: int) -> None:
        """The status bar says "⚠ 5 deadlines" (hidden when none needs attention)."""
        summary = self.alerts.summary() if self.alerts is not None else None
        self.deadline_badge.show_count(overdue, soon, summary)
