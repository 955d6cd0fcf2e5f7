"""The main window on a shared database: what the signed-in role is offered, and others'
changes and the server's absence followed (:mod:`amudesk.ui.changewatch`).

On a laptop's store (no role, nobody else) both do nothing.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from amudesk.i18n import _
from amudesk.services.accounts import allowed, refusal
from amudesk.store import Store
from amudesk.ui.changewatch import ChangeWatcher
from amudesk.ui.kit.buttons import needs_of
from amudesk.ui.kit.hints import warning_label


def attach(window: Any) -> None:
    """The window's commands set for its store and role; ``window.watcher`` set."""
    apply_role(window)
    window.watcher = watch_changes(window)


def who(title: str, store: Store) -> str:
    """The window's title, with who is signed in on a shared database."""
    if not store.account:
        return title
    return _("{title} — signed in as {name}").format(title=title, name=store.account)


def apply_role(window: Any) -> None:
    """What the signed-in account's role does not allow is not offered (a reader looks
    cases up and prints receipts and cards). The session checks every write anyway
    (:func:`amudesk.services.accounts.install`). A shared database is backed up and
    protected on its server: the laptop's backup and passphrase commands are not offered."""
    for action in (window.backup_action, window.restore_action, window.passphrase_action):
        action.setEnabled(window.data_dir is not None and window.store.is_sqlite)
    role = window.store.role
    if role is None:
        return
    needs = {
        "cases": (window.new_person_action, window.new_request_action),
        "import": (window.import_action,),
        "export": (window.export_action,),
        "print": (window.cards_action, window.next_document_action),
        "office": (window.directory_action, window.office_action),
        "erase": (window.privacy_action,),
        "statistics": (window.statistics_action,),
    }
    for action_name, actions in needs.items():
        for action in actions:
            action.setEnabled(allowed(role, action_name))
    # The empty list's own buttons follow their menu commands.
    for name, action in (
        ("emptyNewPerson", window.new_person_action),
        ("emptyImport", window.import_action),
    ):
        button = window.stack.findChild(QPushButton, name)
        if button is not None:
            button.setEnabled(action.isEnabled())


def server_banner() -> QLabel:
    """The line over the list while the office's server does not answer (hidden)."""
    banner = warning_label(
        _(
            "The office's server cannot be reached. Nothing you typed is lost: a form "
            "stays open until it can save. AMU Desk tries again every few seconds."
        )
    )
    banner.setObjectName("serverBanner")
    banner.hide()
    return banner


def limit_buttons(widget: QWidget, role: str | None) -> None:
    """Disable the buttons of ``widget`` (a case shown) whose declared action
    (:func:`amudesk.ui.kit.buttons.action_button`'s ``needs``) the signed-in role does not
    allow, saying why in their tooltip; a laptop's store (no role) keeps them all."""
    if role is None:
        return
    for button in widget.findChildren(QPushButton):
        action = needs_of(button)
        if action is not None and not allowed(role, action):
            button.setEnabled(False)
            button.setToolTip(refusal(role, action))


def watch_changes(window: Any) -> ChangeWatcher | None:
    """On a shared database, a watcher that reads everything again after others' changes
    and shows the window's banner while the server is away; None on a laptop's store."""
    if window.store.is_sqlite:
        return None
    watcher = ChangeWatcher(window.store, window)
    watcher.changed.connect(lambda: others_changed(window))
    watcher.lost.connect(window.server_banner.show)
    watcher.back.connect(lambda: server_back(window))
    QTimer.singleShot(0, watcher.start)
    return watcher


def stop_watching(window: Any) -> None:
    """Before the window closes: no question to the server is left running."""
    if window.watcher is not None:
        window.watcher.stop()


def others_changed(window: Any) -> None:
    """Someone else changed something: read the list, the case shown, the worklist and the
    tray count again."""
    window.refresh()
    if window.board is not None:
        window.board.refresh()
    if window.alerts is not None:
        window.alerts.schedule_check()


def server_back(window: Any) -> None:
    window.server_banner.hide()
    others_changed(window)
