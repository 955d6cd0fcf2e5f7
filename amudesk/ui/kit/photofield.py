"""``PhotoField``: the ID photo (35:45), from a file or the camera, framed by the user and
cleaned by ``amudesk.photos``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPixmap, QShowEvent
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from amudesk.i18n import _
from amudesk.photos import MAX_INPUT_BYTES, PhotoError, load_photo_file
from amudesk.ui.kit import cameras

if TYPE_CHECKING:
    from amudesk.ui import photocapture

PHOTO_FILTER = "*.jpg *.jpeg *.png *.webp *.bmp *.tif *.tiff *.gif"


class PhotoField(QWidget):
    """The ID photo (35:45): thumbnail, Choose photo…, Take photo… and Remove; ``failed`` says
    what went wrong.

    A chosen file is cropped by default at once, then shown in the crop dialog so that the
    frame can be adjusted (Cancel there restores the previous photo). Take photo… opens the
    camera dialog; without a camera it is disabled and says so. The dialogs come from
    ``crop_dialog_factory(data, parent)`` and ``camera_dialog_factory(parent)`` (tests replace
    them) and are opened window-modal without blocking.
    """

    changed = Signal()
    failed = Signal(str)
    THUMBNAIL = QSize(105, 135)

    def __init__(self, parent: QWidget | None = None) -> None:
        from amudesk.ui import photocapture  # the dialogs load with the first photo field

        super().__init__(parent)
        self._data: bytes | None = None
        self.crop_dialog_factory: Callable[[bytes, QWidget], photocapture.PhotoDialog] = (
            photocapture.PhotoCropDialog
        )
        self.camera_dialog_factory: Callable[[QWidget], photocapture.PhotoDialog] = (
            photocapture.CameraDialog
        )
        self.dialog: photocapture.PhotoDialog | None = None  # the crop or camera dialog, while open
        self._camera_watch: Any = None
        self._ordered = False
        self.thumbnail = QLabel()
        self.thumbnail.setFixedSize(self.THUMBNAIL)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setWordWrap(True)
        self.thumbnail.setStyleSheet(
            "border: 1px dashed #8a8a8a; color: #555555; background: #fafafa;"
        )
        self.choose_button = QPushButton(_("C&hoose photo…"))
        self.choose_button.setAccessibleName(_("Choose photo"))
        self.take_button = QPushButton(_("Ta&ke photo…"))
        self.take_button.setAccessibleName(_("Take photo"))
        self.remove_button = QPushButton(_("Remove photo"))
        self.remove_button.setAccessibleName(_("Remove photo"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.thumbnail, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.choose_button)
        layout.addWidget(self.take_button)
        layout.addWidget(self.remove_button)
        layout.addStretch(1)
        self.setFocusProxy(self.choose_button)
        self.choose_button.clicked.connect(self.choose)
        self.take_button.clicked.connect(self.take_photo)
        self.remove_button.clicked.connect(self.clear)
        self._show()

    def value(self) -> bytes | None:
        return self._data

    def set_value(self, data: bytes | None) -> None:
        self._data = data or None
        self._show()

    def clear(self) -> None:
        self.set_value(None)
        self.changed.emit()
        self.choose_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def choose(self) -> None:
        """Pick a file, take it with the default crop, then let the user adjust the frame."""
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Choose a photo"),
            "",
            _("Images ({patterns})").format(patterns=PHOTO_FILTER),
        )
        if not path:
            return
        previous = self._data
        if not self.load_file(path):
            return
        try:
            with open(path, "rb") as handle:
                original = handle.read(MAX_INPUT_BYTES + 1)
        except OSError:
            return  # read a moment ago: keep the default crop
        dialog = self.crop_dialog_factory(original, self)
        dialog.finished.connect(lambda _result: self._cropped(dialog, previous))
        self._open(dialog)

    def _cropped(self, dialog: photocapture.PhotoDialog, previous: bytes | None) -> None:
        photo = dialog.photo()
        self._closed(dialog)
        self.set_value(photo if photo else previous)  # Cancel: the photo from before
        self.changed.emit()

    def load_file(self, path: str) -> bool:
        """Read, check and crop the image in ``path``; on a PhotoError emit ``failed``."""
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            data = load_photo_file(path)
        except PhotoError as error:
            self.failed.emit(str(error))
            return False
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.set_value(data)
        self.changed.emit()
        return True

    def take_photo(self) -> None:
        """Open the camera dialog; its photo replaces the current one."""
        if not self.refresh_camera():
            return
        dialog = self.camera_dialog_factory(self)
        dialog.finished.connect(lambda _result: self._taken(dialog))
        self._open(dialog)

    def _taken(self, dialog: photocapture.PhotoDialog) -> None:
        photo = dialog.photo()
        self._closed(dialog)
        if photo:
            self.set_value(photo)
            self.changed.emit()
        self.take_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open(self, dialog: photocapture.PhotoDialog) -> None:
        self.dialog = dialog
        dialog.open()

    def _closed(self, dialog: photocapture.PhotoDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def refresh_camera(self) -> bool:
        """Enable Take photo… when a camera is connected; otherwise say that there is none."""
        available = cameras.camera_available()
        self.take_button.setEnabled(available)
        if available:
            self.take_button.setText(_("Ta&ke photo…"))
            self.take_button.setToolTip(_("Take the photo with the camera"))
            self.take_button.setAccessibleDescription("")
        else:
            explanation = _("No camera is connected: connect one, or choose a photo file.")
            self.take_button.setText(_("No camera found"))
            self.take_button.setToolTip(explanation)
            self.take_button.setAccessibleDescription(explanation)
        return available

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._ordered:
            # After the form's own tab order: Take photo… comes right after Choose photo….
            self._ordered = True
            QWidget.setTabOrder(self.choose_button, self.take_button)
        self.refresh_camera()
        if self._camera_watch is None:
            self._camera_watch = cameras.watch_cameras(self, self.refresh_camera)

    def _show(self) -> None:
        pixmap = QPixmap()
        if self._data and pixmap.loadFromData(self._data):
            self.thumbnail.setPixmap(
                pixmap.scaled(
                    self.THUMBNAIL,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.thumbnail.setAccessibleName(_("Photo of the person"))
        else:
            self.thumbnail.clear()
            self.thumbnail.setText(_("No photo"))
            self.thumbnail.setAccessibleName(_("No photo"))
        self.remove_button.setEnabled(self._data is not None)
