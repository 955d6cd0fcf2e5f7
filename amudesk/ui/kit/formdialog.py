"""``FormDialog``: OK/Cancel, Ctrl+Enter, and a save that shows a ``FieldError`` on its field;
the base of the case forms.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRect, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError

from amudesk.i18n import _
from amudesk.identifiers import IdentifierError
from amudesk.photos import PhotoError
from amudesk.services import FieldError, NotFound
from amudesk.services.editing import EditConflict, reapplied
from amudesk.store import ServerAway, Store
from amudesk.ui.kit.fielderrors import ErrorLabel, clear_field_errors, show_field_error

log = logging.getLogger(__name__)


class FormDialog(QDialog):
    """OK/Cancel with Ctrl+Enter; OK checks the widgets, saves in one transaction, or shows
    the ``FieldError`` on its field and stays open with nothing saved."""

    MAX_HEIGHT = 700
    # Each form defines ``save(session)``: it calls the service inside the transaction and
    # returns the saved record's id.
    save: Callable[[Any], int | None]

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        # The version of the row the form shows (a person, a request, an attestation …),
        # checked when saving;
        # and the values the form first showed, to put the user's own changes back on top
        # of another worker's save (see reload_and_reapply).
        self.version: int | None = None
        self.shown_values: dict[str, Any] = {}
        self.reload_button = QPushButton(_("Reload their version"))
        self.reload_button.setObjectName("reloadTheirVersion")
        self.reload_button.setAccessibleDescription(
            _("Shows what the other worker saved, with your changes put back on top")
        )
        self.reload_button.hide()
        self.reload_button.clicked.connect(self.reload_and_reapply)
        self.fields: dict[str, QWidget] = {}
        self.scroll_area: QScrollArea | None = None
        self.error_label = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(_("OK"))
        ok.setAccessibleName(_("OK"))
        ok.setAccessibleDescription(_("Save and close (Ctrl+Enter)"))
        ok.setToolTip(_("Save and close (Ctrl+Enter)"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(_("Cancel"))
        cancel.setAccessibleName(_("Cancel"))
        cancel.setAccessibleDescription(_("Close without saving (Esc)"))
        cancel.setToolTip(_("Close without saving (Esc)"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(self.submit)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def cancel_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

    def finish_layout(self, body: QWidget, *, scroll: bool = False) -> None:
        """Body (scrolled when long), then the error line and the buttons."""
        layout = QVBoxLayout(self)
        if scroll:
            self.scroll_area = QScrollArea()
            self.scroll_area.setWidgetResizable(True)
            self.scroll_area.setFrameShape(QScrollArea.Shape.NoFrame)
            self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.scroll_area.setWidget(body)
            self.scroll_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            layout.addWidget(self.scroll_area, 1)
        else:
            layout.addWidget(body, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.buttons)
        self.setMaximumHeight(self.MAX_HEIGHT)
        # Enter in a field saves: OK is the default button (set once it is in the dialog).
        for button in self.findChildren(QPushButton):
            button.setDefault(False)
        self.ok_button.setDefault(True)

    def fit_to_screen(self, width: int, height: int) -> None:
        """Start at ``width``×``height`` but never larger than the screen (or 700 px high)."""
        screen = self.screen().availableGeometry() if self.screen() else QRect(0, 0, 1366, 728)
        self.resize(
            min(width, screen.width() - 20), min(height, screen.height() - 40, self.MAX_HEIGHT)
        )

    # --- saving ----------------------------------------------------------------------

    def check(self) -> None:
        """Raise FieldError for what the widgets already know is wrong (unreadable dates …)."""
        for key, widget in self.fields_to_check().items():
            owner = getattr(widget, "_problem_owner", widget)
            problem = getattr(owner, "problem", None)
            if callable(problem) and (message := problem()):
                raise FieldError(key, message)

    def fields_to_check(self) -> dict[str, QWidget]:
        return self.fields

    def saved(self, record_id: int | None) -> None:
        """After the commit: remember the id."""

    def submit(self) -> None:
        clear_field_errors(self.fields, self.error_label)
        self.reload_button.hide()
        try:
            self.check()
            with self.store.transaction() as session:
                record_id = self.save(session)
        except EditConflict as error:
            # Another worker saved first: nothing was written, the form keeps what was typed.
            self.error_label.show_message(str(error))
            self.reload_button.show()
            self.reload_button.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        except FieldError as error:
            self.show_error(error)
            return
        except IdentifierError as error:
            self.show_error(FieldError(self.identifier_field(), str(error)))
            return
        except PhotoError as error:
            self.show_error(FieldError("photo", str(error)))
            return
        except NotFound as error:
            self.error_label.show_message(str(error))
            return
        except Exception as error:
            if not isinstance(error, SQLAlchemyError | ServerAway):
                raise
            log.error("saving %s failed: %s", type(self).__name__, type(error).__name__)
            if not self.store.is_sqlite and isinstance(
                error, OperationalError | InterfaceError | ServerAway
            ):
                self.error_label.show_message(
                    _(
                        "Nothing was saved: the office's server cannot be reached. The form "
                        "stays open with what you typed; save again once it is back."
                    )
                )
            else:
                self.error_label.show_message(
                    _("Nothing was saved: the database is busy or cannot be written. Try again.")
                )
            return
        self.saved(record_id)
        self.accept()

    def identifier_field(self) -> str:
        return "niss"

    # --- another worker saved meanwhile (amudesk.services.editing) -----------------------

    def form_values(self) -> dict[str, Any]:
        """The values as the form holds them now: by default the fields of what its
        ``data()`` gives the service (a dataclass), without the version."""
        data = getattr(self, "data", None)
        if data is None:
            return {}
        values = dataclasses.asdict(data())
        values.pop("version", None)
        return values

    def reload_record(self) -> None:
        """Read the row again and show it, its version remembered (a versioned form's)."""

    def fill_values(self, values: dict[str, Any]) -> None:
        """Show ``values`` (keys of :meth:`form_values`) in the widgets."""

    def remember_shown(self) -> None:
        """Note what the form shows now: the user's changes are measured from it."""
        self.shown_values = self.form_values()

    def reload_and_reapply(self) -> None:
        """After a refused save: the other worker's version, with each field this user
        changed put back as typed; then checked and saved again by the user."""
        typed = self.form_values()
        self.reload_record()
        fresh = self.form_values()
        self.fill_values(reapplied(self.shown_values, typed, fresh))
        self.shown_values = fresh
        self.reload_button.hide()
        self.error_label.show_note(
            _("Their version is shown, with your changes on top: check, then save again.")
        )

    def show_error(self, error: FieldError) -> None:
        show_field_error(error, self.fields, self.error_label)
        widget = self.fields.get(error.field)
        if widget is not None and self.scroll_area is not None:
            self.scroll_area.ensureWidgetVisible(widget)


def problem_of(owner: QObject, widget: QWidget) -> QWidget:
    """Mark ``widget`` (the input that gets the red border) as reporting ``owner.problem()``."""
    widget._problem_owner = owner  # type: ignore[attr-defined]
    return widget
