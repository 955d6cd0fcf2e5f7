"""Buttons that behave the same in every window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QPushButton

NEEDS = "needs"  # the button's dynamic property: what it needs the signed-in role to allow


def action_button(
    text: str,
    slot: Callable[[], object],
    *,
    object_name: str,
    name: str = "",
    needs: str | None = None,
) -> QPushButton:
    """A button that never takes Enter from a field (no auto-default), named for screen
    readers by its text without the mnemonic, ellipsis or colon unless ``name`` is given.

    ``needs``: what the button does, as an action of :data:`amudesk.services.accounts.ACTIONS`
    ("read" for one that changes nothing): on a shared database, a button whose action the
    signed-in role does not allow is disabled (:func:`amudesk.ui.sharedwindow.limit_buttons`).
    """
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.setAccessibleName(name or text.replace("&", "").rstrip(":…").strip())
    button.setAutoDefault(False)
    if needs is not None:
        button.setProperty(NEEDS, needs)
    # clicked(bool) would fill the first default argument of a lambda: call the slot bare.
    button.clicked.connect(lambda _checked=False: slot())
    return button


def needs_of(button: QPushButton) -> str | None:
    """What ``button`` was declared to need (see :func:`action_button`), None if nothing."""
    value = button.property(NEEDS)
    return str(value) if value else None
