"""The main window's deadline badge: "⚠ 5 deadlines" in the status bar, for desktops
without a tray (and for everyone); clicking it opens the deadlines board."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QWidget

from amudesk.i18n import _, ngettext
from amudesk.ui.kit.labels import format_number


class AlertBadge(QPushButton):
    """A link-like button, hidden while no deadline needs attention."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("deadlineBadge")
        self.setProperty("link", True)
        self.setStyleSheet("color: #a4000f; font-weight: 600;")
        self.hide()

    def show_count(self, overdue: int, soon: int, summary: str | None = None) -> None:
        """Show how many deadlines are overdue or soon due; ``summary`` (the alerts' own
        sentence) goes into the tip."""
        total = overdue + soon
        self.setVisible(total > 0)
        if total <= 0:
            return
        text = ngettext("⚠ {n} deadline", "⚠ {n} deadlines", total).format(n=format_number(total))
        self.setText(text)
        tip = _("Open the deadlines board (Ctrl+D)")
        if summary is not None:
            tip = _("{summary} — open the deadlines board (Ctrl+D)").format(summary=summary)
        self.setToolTip(tip)
        self.setAccessibleName(text.replace("⚠", "").strip())
        self.setAccessibleDescription(tip)
