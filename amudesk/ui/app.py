"""The application shell: Qt set-up, log file, error dialog and the main window.

Opening the data folder (passphrase, restore, first-run office profile) is ``startup``.
"""

from __future__ import annotations

import gc
import logging
import logging.handlers
import os
import sys
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QLibraryInfo, QObject, QTimer, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QProgressDialog, QWidget

from amudesk import i18n
from amudesk.backups import backup_due, backup_label, check_backup, install_backup, make_backup
from amudesk.bundled import resources_dir
from amudesk.documents.fonts import register_fonts
from amudesk.failures import describe_exception
from amudesk.i18n import _
from amudesk.paths import default_data_dir, private_file
from amudesk.services import audit, desk
from amudesk.settings import load_settings
from amudesk.store import (
    DiskFailing,
    DiskFull,
    NotWritable,
    Store,
    StoreError,
    WrongPassphrase,
    server_unreachable,
)
from amudesk.ui import mainwindow
from amudesk.ui.alerts import DeadlineAlerts
from amudesk.ui.idlecases import offer_review
from amudesk.ui.lockcurtain import Curtain, kept_when_locked
from amudesk.ui.locking import IdleWatcher, ScreenLockWatcher
from amudesk.ui.nextlimits import NextLimits
from amudesk.ui.signindialog import SignInDialog
from amudesk.ui.startup import (
    APP_NAME,
    connect_shared,
    ensure_office,
    noting_failures,
    offer_restore,
    shared_database_text,
    unlock_store,
)
from amudesk.ui.unlockdialog import UnlockDialog
from amudesk.ui.workers import Task, UiThreadCollector

log = logging.getLogger("amudesk")

LOG_NAME = "amudesk.log"
LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5
ENV_QUIT_WHEN_READY = "AMUDESK_QUIT_WHEN_READY"
STYLE_SHEET = resources_dir() / "style.qss"
EXIT_STORE_ERROR = 2
LOCK_MINUTES = 5  # until the settings say otherwise

_IMPORTED_AT = time.perf_counter()


# --- timing ------------------------------------------------------------------------


def seconds_since_process_start() -> float:
    """Seconds since this process started (from /proc on Linux, else since this import)."""
    try:
        stat = Path("/proc/self/stat").read_text()
        # Fields after the command name (which may hold spaces) start at field 3.
        start_ticks = int(stat[stat.rindex(")") + 2 :].split()[19])
        ticks_per_second = os.sysconf("SC_CLK_TCK")
        now = time.clock_gettime(time.CLOCK_BOOTTIME)
        return max(0.0, now - start_ticks / ticks_per_second)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.perf_counter() - _IMPORTED_AT


# --- log file ----------------------------------------------------------------------


def setup_logging(data_dir: Path) -> Path | None:
    """Log to DATA_DIR/logs/amudesk.log (1 MB × 5). Only ids and references are ever logged."""
    folder = data_dir / "logs"
    path = folder / LOG_NAME
    close_logging()
    root = logging.getLogger()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if os.name == "posix":
            folder.chmod(0o700)
        private_file(path)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
        )
    except OSError as exc:
        print(f"amudesk: no log file ({exc.strerror})", file=sys.stderr)
        return None
    handler.amudesk = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    return path


def close_logging() -> None:
    """Detach and close the log file handler (at exit, and between tests)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "amudesk", False):
            root.removeHandler(handler)
            handler.close()


# --- uncaught exceptions -------------------------------------------------------------


class ErrorReporter(QObject):
    """Logs uncaught exceptions and tells the user in plain words, on the UI thread."""

    report = Signal()

    def __init__(self, log_path: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_path = log_path
        self._showing = False
        self._server_away = False  # the last error: the office's server not answering
        self._previous: tuple[Any, Any] | None = None
        self.report.connect(self._show)

    def install(self) -> None:
        self._previous = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        """Put back the hooks that were there before ``install``."""
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def excepthook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical(describe_exception(kind, error, tb))
        self._server_away = server_unreachable(error)
        self.report.emit()  # queued when raised in another thread

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        self.excepthook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    def message(self) -> str:
        if self._server_away:  # a shared database's server away: nothing went wrong here
            return _(
                "The office's server cannot be reached: what you just asked for could not be "
                "read or saved. Nothing else is lost, and an open form keeps what you typed. "
                "Try again in a moment; the window says when the server answers again."
            )
        where = str(self.log_path) if self.log_path else _("(no log file)")
        return _(
            "Something went wrong. Your data is safe; the last action may not have been saved. "
            "Details were written to the log file: {path}"
        ).format(path=where)

    def _show(self) -> None:
        if self._showing:  # one dialog at a time, even when errors come in bursts
            return
        self._showing = True
        try:
            parent = QApplication.activeWindow()
            QMessageBox.critical(parent, APP_NAME, self.message())
        finally:
            self._showing = False


# --- Qt's own strings -------------------------------------------------------------------


def qt_translations_dir() -> Path:
    return Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))


def install_qt_translator(
    app: QApplication, language: str, current: QTranslator | None
) -> QTranslator | None:
    """Translate Qt's own buttons (OK, Cancel…) into ``language`` when Qt ships it."""
    if current is not None:
        app.removeTranslator(current)
    if language not in ("fr", "nl"):
        return None
    path = qt_translations_dir() / f"qtbase_{language}.qm"
    if not path.exists():
        log.info("no Qt translation for %s", language)
        return None
    translator = QTranslator(app)
    if not translator.load(str(path)):
        return None
    app.installTranslator(translator)
    return translator


def apply_style(app: QApplication) -> None:
    try:
        app.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
    except OSError:
        log.warning("style sheet not found")


# --- the shell ----------------------------------------------------------------------------


class Shell(QObject):
    """Owns the main window; rebuilds it when the interface language changes."""

    window_replaced = Signal(object)
    backup_finished = Signal(str)  # what the status bar was told
    locked_changed = Signal(bool)

    def __init__(self, app: QApplication, store: Store, data_dir: Path) -> None:
        super().__init__(app)
        self.app = app
        self.store = store
        self.data_dir = data_dir
        self.window: Any = None
        self.alerts: Any = None
        self.next_limits: NextLimits | None = None
        self.backup_task: Any = None
        self.fonts_task: Any = None
        self.idle: Any = None
        self.screen_watch: Any = None
        self.locked = False
        self.hidden: list[QWidget] = []
        self.curtains: list[Curtain] = []
        self.closed_forms = 0
        self.unlock_dialog: Any = None
        self.busy_task: Any = None
        self.restoring = ""
        self.qt_translator: QTranslator | None = install_qt_translator(app, i18n.get_locale(), None)

    def show_main(self) -> Any:
        self.window = mainwindow.MainWindow(self.store, self.data_dir)
        self._connect_window(self.window)
        self.window.show()
        return self.window

    def _connect_window(self, window: Any) -> None:
        window.language_changed.connect(self.switch_language)
        window.lock_settings_changed.connect(self.apply_lock_settings)
        window.restore_requested.connect(self.restore)
        window.passphrase_change_requested.connect(self.change_passphrase)

    # --- restore and passphrase change ----------------------------------------------------

    def _quiesce(self) -> None:
        """Stop what reads the database in the background (alerts, backup, window work)."""
        if self.alerts is not None:
            self.alerts.stop()
        if self.next_limits is not None:
            self.next_limits.stop()
        self.wait_for_backup()
        if self.window is not None:
            _stop_window_work(self.window)

    def _resume(self) -> None:
        if self.alerts is not None:
            self.alerts.start()
        if self.next_limits is not None:
            self.next_limits.start()

    def _busy(self, text: str, work: Any, done: Any, failed: Any) -> None:
        """Run ``work()`` off the UI thread behind a modal "please wait" dialog."""
        progress = QProgressDialog(text, "", 0, 0, self.window)
        progress.setWindowTitle(APP_NAME)
        progress.setCancelButton(None)
        progress.setMinimumDuration(0)
        progress.setModal(True)
        task = Task(lambda progress, cancelled: work(), self)

        def finish(handler: Any, value: object) -> None:
            progress.close()
            progress.deleteLater()
            self.busy_task = None
            handler(value)

        task.finished.connect(lambda value: finish(done, value))
        task.failed.connect(lambda error: finish(failed, error))
        self.busy_task = task
        progress.show()
        task.start()

    def restore(self, path: str, passphrase: str) -> None:
        """Check the backup while the database stays open; then close it, put the backup in
        its place and open that with the backup's passphrase; the window is rebuilt."""
        self._busy(
            _("Checking the backup…"),
            lambda: check_backup(Path(path), passphrase),
            lambda _none: self._restore_checked(path, passphrase),
            self._show_failure,
        )

    def _restore_checked(self, path: str, passphrase: str) -> None:
        self._quiesce()
        self.store.lock()
        self.restoring = path
        store, data_dir = self.store, self.data_dir

        def work() -> Any:
            kept = install_backup(data_dir, Path(path))  # checked by restore()
            desk.unlock(store, passphrase)
            return kept

        self._busy(_("Restoring the backup…"), work, self._restored, self._restore_failed)

    def _restored(self, kept: object) -> None:
        with self.store.transaction() as session:
            audit.record(
                "restore", session=session, detail=f"file={backup_label(Path(self.restoring))}"
            )
        self.switch_language(i18n.get_locale())  # a new window over the restored data
        self._resume()
        if self.window is not None and isinstance(kept, Path):
            self.window.show_message(
                _("Backup restored. The database in use before is kept as {name}.").format(
                    name=kept.name
                )
            )

    def _restore_failed(self, error: object) -> None:
        """Failed after the database was set aside: it is whole in backups/, but this
        window cannot go on; say where it is and close."""
        log.error("restore failed: %s", error.__class__.__name__)
        QMessageBox.critical(
            self.window,
            APP_NAME,
            _(
                "The backup could not be put in place: {reason}\n\nThe database in use "
                "before is kept in {folder}. AMU Desk closes; at the next start, restore a "
                "backup from the command line (amudesk restore FILE)."
            ).format(reason=error, folder=self.data_dir / "backups"),
        )
        self.app.quit()

    def _show_failure(self, error: object) -> None:
        if self.window is not None:
            QMessageBox.warning(self.window, APP_NAME, str(error))

    def change_passphrase(self, current: str, new: str) -> None:
        self._quiesce()
        store = self.store
        self._busy(
            _("Encrypting the database with the new passphrase…"),
            lambda: desk.change_passphrase(store, current, new),
            self._passphrase_changed,
            self._passphrase_failed,
        )

    def _passphrase_changed(self, _store: object) -> None:
        self._resume()
        if self.window is not None:
            self.window.show_message(
                _("The passphrase was changed. Backups made before keep the old one.")
            )

    def _passphrase_failed(self, error: object) -> None:
        self._resume()  # the database is open again with the old passphrase, unchanged
        self._show_failure(error)

    # --- locking -----------------------------------------------------------------------

    def start_locking(self) -> None:
        """Lock after the chosen minutes without use, and when the screen locks."""
        if self.idle is not None:
            return
        if self.store.key is None and self.store.account is None:
            return  # nothing to lock: no key here, nobody signed in
        self.idle = IdleWatcher(self.app, self._lock_minutes(), self)
        self.idle.idle.connect(self.lock)
        self.idle.start()
        self.screen_watch = ScreenLockWatcher(self)
        self.screen_watch.screen_locked.connect(self.lock)

    def _lock_minutes(self) -> int:
        return int(getattr(load_settings(self.data_dir), "lock_after_minutes", LOCK_MINUTES))

    def apply_lock_settings(self) -> None:
        if self.idle is not None:
            self.idle.set_minutes(self._lock_minutes())

    def lock(self) -> None:
        """Stop the background work, close the database and overwrite its key; the unlock
        screen is all that shows until the passphrase is given again.

        The case forms open stay open, covered, and come back as they were with the
        passphrase (``lockcurtain``: they hold no session, and save on the database opened
        again); other dialogs are closed (nothing half-written: they save whole or not at
        all) and the other windows hidden."""
        if self.locked or (self.store.key is None and self.store.account is None):
            return
        self.locked = True
        if self.idle is not None:
            self.idle.stop()
        closed = 0
        for widget in QApplication.topLevelWidgets():
            if (
                isinstance(widget, QDialog)
                and widget.isVisible()
                and widget.isModal()
                and not kept_when_locked(widget)
            ):
                widget.done(QDialog.DialogCode.Rejected)  # closed by the program: no questions
                closed += 1
        # The closed dialogs' exec() calls return first; then the store closes under nobody.
        QTimer.singleShot(0, lambda: self._lock_now(closed))

    def _lock_now(self, closed_forms: int) -> None:
        self._quiesce()
        visible = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        kept = [w for w in visible if isinstance(w, QDialog) and kept_when_locked(w)]
        self.curtains = [Curtain(dialog) for dialog in kept]
        self.hidden = [w for w in visible if w not in kept]
        for widget in self.hidden:
            widget.hide()
        self.store.lock()
        self.closed_forms = closed_forms

        store, data_dir = self.store, self.data_dir

        def opener(passphrase: str) -> Any:
            # A wrong passphrase is noted in the data folder; the unlock writes the notes
            # into the audit trail, then its own entry (record_unlock).
            with noting_failures(data_dir):
                desk.unlock(store, passphrase, record_unlock=True)
            return store

        if self.store.is_sqlite:
            self.unlock_dialog = UnlockDialog(opener, reference=str(self.data_dir))
        else:  # a shared database: the same worker signs in again
            self.unlock_dialog = SignInDialog(self.store, locked_name=self.store.account)
        self.unlock_dialog.finished.connect(self._unlock_finished)
        self.unlock_dialog.open()
        self.locked_changed.emit(True)

    def _unlock_finished(self, result: int) -> None:
        dialog, self.unlock_dialog = self.unlock_dialog, None
        if dialog is not None:
            dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted or self.store.locked:
            log.info("closed at the unlock screen")
            self.app.quit()
            return
        self.locked = False
        for widget in self.hidden:
            widget.show()
        self.hidden = []
        curtains, self.curtains = self.curtains, []
        for curtain in curtains:
            curtain.lift()
        if curtains:  # the form in front (the last opened) gets the keyboard back
            curtains[-1].dialog.raise_()
            curtains[-1].dialog.activateWindow()
        self._resume()
        if self.idle is not None:
            self.idle.start()
        if self.window is not None and self.closed_forms:
            self.window.show_message(
                _("The form that was open when AMU Desk locked was closed without saving.")
            )
        self.locked_changed.emit(False)

    def start_alerts(self) -> None:
        """Count the deadlines needing attention now and then (tray icon, status bar);
        ``stop_alerts`` before the store closes."""
        if self.alerts is None:
            self.alerts = DeadlineAlerts(self.store, self.data_dir, self)
            self.alerts.open_requested.connect(self._open_deadlines)
            self.alerts.quit_requested.connect(self._quit)
            self.alerts.start()
        self.window.attach_alerts(self.alerts)
        if self.next_limits is None:
            self.next_limits = NextLimits(self.store, self.data_dir, self)
            self.next_limits.refreshed.connect(self._next_limits_refreshed)
            self.next_limits.start()

    def _next_limits_refreshed(self, how: str) -> None:
        """The stored next limits changed (a new day): the case list shows them again. After
        an update (every case recounted), many long-overdue cases prompt an offer, once."""
        if self.window is None:
            return
        self.window.apply_filter(force=True)
        if how == "all" and not self.locked:
            offer_review(self.window)

    def stop_alerts(self) -> None:
        if self.alerts is not None:
            self.alerts.stop()
        if self.next_limits is not None:
            self.next_limits.stop()
        self.wait_for_backup()
        if self.fonts_task is not None:
            self.fonts_task.wait()

    def load_document_fonts(self) -> None:
        """Read the documents' fonts (about 0.2 s, once a run) in the background a moment
        after start-up: the first document then appears at once, and a batch of cards never
        holds the window up while they load."""
        task = Task(lambda progress, cancelled: register_fonts(), self)
        task.failed.connect(lambda error: log.warning("fonts not loaded: %s", error))
        task.finished.connect(lambda _names: setattr(self, "fonts_task", None))
        self.fonts_task = task
        task.start()

    def start_backup(self) -> None:
        """The daily backup: when the newest one is older than a day, one is made off the
        UI thread and the status bar says how it went."""
        if self.backup_task is not None or not self.store.is_sqlite:
            return  # a shared database is backed up on its server
        if not backup_due(self.data_dir):
            return
        store = self.store

        def work(progress: Any, cancelled: Any) -> Any:
            return make_backup(store, progress=progress, cancelled=cancelled)

        task = Task(work, self)
        task.finished.connect(lambda _backup: self._backup_done(_("Daily backup made.")))
        task.failed.connect(self._backup_failed)
        self.backup_task = task
        task.start()

    def _backup_failed(self, error: object) -> None:
        log.error("daily backup failed: %s", error.__class__.__name__)
        self._backup_done(_("The daily backup could not be made: {reason}").format(reason=error))

    def _backup_done(self, text: str) -> None:
        self.backup_task = None
        if self.window is not None:
            self.window.show_message(text)
        self.backup_finished.emit(text)

    def wait_for_backup(self) -> None:
        """Let a running backup end before the store closes (it is cancelled first)."""
        task = self.backup_task
        if task is not None:
            task.cancel()
            task.wait()

    def _open_deadlines(self) -> None:
        if self.window is not None and not self.locked:
            self.window.open_deadlines()

    def _quit(self) -> None:
        if self.window is not None:
            self.window.close()  # saves the layout; the application ends with its last window

    def switch_language(self, language: str) -> None:
        """Build the window again in ``language``; what was shown stays shown."""
        i18n.set_locale(language)
        self.qt_translator = install_qt_translator(self.app, language, self.qt_translator)
        old = self.window
        new = mainwindow.MainWindow(self.store, self.data_dir)
        self._connect_window(new)
        if old is not None:
            new.restore_view_state(old.view_state())
        self.window = new
        if self.alerts is not None:
            new.attach_alerts(self.alerts)
            self.alerts.retranslate()
        if old is not None and old.isMaximized():
            new.showMaximized()
        else:
            new.show()
        if old is not None:
            old.close()
            old.deleteLater()
        log.info("interface language changed to %s", language)
        self.window_replaced.emit(new)


def _stop_window_work(window: Any) -> None:
    """End the window's background work that reads the database (board, export); dialogs
    with work of their own (card batches, imports, backups) end it in their done()."""
    board = getattr(window, "board", None)
    if board is not None:
        board.stop()
    commands = getattr(window, "commands", None)
    if commands is not None:
        commands.stop_export()


def application() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("")
    app.setQuitOnLastWindowClosed(True)
    return app


def run(data_dir: Path | None, database: str | None = None) -> int:
    """Open the window on ``data_dir`` (default folder when None); the exit status.

    The caller chooses the interface language first (``i18n.set_locale``), as
    ``amudesk.arguments.parse`` does from ``--lang`` or the saved settings.
    """
    folder = Path(data_dir or default_data_dir()).expanduser()
    app = application()
    log_path = setup_logging(folder)
    reporter = ErrorReporter(log_path, app)
    reporter.install()
    apply_style(app)
    log.info("starting, language %s", i18n.get_locale())
    try:
        try:
            shared = shared_database_text(folder, database)
            store = connect_shared(folder, shared) if shared else unlock_store(folder)
        except (WrongPassphrase, DiskFull, NotWritable, DiskFailing):
            # A wrong $AMUDESK_PASSPHRASE, a full or unwritable disk: say so; a backup
            # would not help (and could not be put in place).
            raise
        except StoreError as exc:
            store = offer_restore(folder, str(exc))
            if store is None:
                raise
        if store is None:
            log.info("closed at the passphrase screen")
            reporter.uninstall()
            close_logging()
            return 0
    except StoreError as exc:
        log.error("database could not be opened: %s", exc.__class__.__name__)
        QMessageBox.critical(
            None,
            APP_NAME,
            _("The database in {folder} cannot be opened.\n\n{reason}").format(
                folder=folder, reason=exc
            ),
        )
        reporter.uninstall()
        close_logging()
        return EXIT_STORE_ERROR
    shell: Shell | None = None
    try:
        shell = Shell(app, store, store.data_dir or folder)
        if not ensure_office(store):
            log.info("first run: office profile not given; closing")
            return 0
        try:
            window = shell.show_main()
        except Exception as exc:  # the window could not be built: say so, do not hang
            reporter.excepthook(type(exc), exc, exc.__traceback__)
            return 1
        if os.environ.get(ENV_QUIT_WHEN_READY):
            QTimer.singleShot(0, lambda: _ready(app, window))
        # The alerts (tray icon, first count a few seconds later) start once the window
        # is on screen: start-up does not wait for their modules to load.
        QTimer.singleShot(0, shell.start_alerts)
        QTimer.singleShot(0, shell.start_backup)
        QTimer.singleShot(0, shell.start_locking)
        collector = UiThreadCollector(app)
        QTimer.singleShot(0, lambda: _started(collector))
        QTimer.singleShot(FONTS_AFTER_MS, shell.load_document_fonts)
        status = app.exec()
        collector.stop()
        log.info("closed with status %s", status)
        return int(status)
    finally:
        if shell is not None:
            shell.stop_alerts()
        store.close()
        reporter.uninstall()
        close_logging()


# How long after the window shows the documents' fonts are read (start-up comes first).
FONTS_AFTER_MS = 1500


def _started(collector: UiThreadCollector) -> None:
    """The window is up: what start-up made is set aside from the garbage collector's scans
    (``gc.freeze``), and collection, paused by ``amudesk.launch`` for start-up, resumes, on
    the UI thread only (:class:`amudesk.ui.workers.UiThreadCollector`)."""
    gc.freeze()
    collector.start()


def _ready(app: QApplication, window: Any) -> None:
    """Bench hook: the window is shown and its first page is loaded."""
    rows = window.model.rowCount()
    print(f"ready {seconds_since_process_start():.3f}", flush=True)
    log.info("ready with %s rows loaded", rows)
    window.close()
    app.exit(0)
