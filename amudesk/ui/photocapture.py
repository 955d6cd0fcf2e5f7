"""ID photos from a camera or a file, framed by the user at the ID ratio (35:45).

- ``PhotoCropDialog``: the image with a 35:45 frame to move and resize with the mouse (drag
  inside to move, drag a corner to resize) or the keyboard (arrow keys, + and −); OK gives
  ``photo()``, the clean JPEG made by ``amudesk.photos.process_photo``.
- ``CameraDialog``: the live view of a camera, Take photo, then the crop dialog.

Qt Multimedia is imported only when a camera is asked about (start-up speed; see
``amudesk.ui.kit.cameras``), and a taken picture stays in memory: nothing is written to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QHideEvent, QImage, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from amudesk import photos
from amudesk.i18n import _
from amudesk.photos import MIN_SIZE, Crop, PhotoError, process_photo
from amudesk.ui.kit import cameras
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.hints import hint_label
from amudesk.ui.photoframe import MIN_UNIT, CameraPreview, CropView, default_frame, display_copy


def _fit_to_screen(dialog: QDialog, width: int, height: int) -> None:
    screen = dialog.screen().availableGeometry() if dialog.screen() else QRect(0, 0, 1366, 728)
    dialog.resize(min(width, screen.width() - 20), min(height, screen.height() - 40))


def _column(dialog: QDialog, *parts: QWidget | QLayout, stretch: QWidget) -> None:
    """``parts`` one under the other in ``dialog``; ``stretch`` (the picture) takes the room."""
    layout = QVBoxLayout(dialog)
    for part in parts:
        if isinstance(part, QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if part is stretch else 0)


def _button_row(*buttons: QPushButton) -> QHBoxLayout:
    """``buttons`` side by side on the right."""
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


# --- dialogs -----------------------------------------------------------------------------


class PhotoDialog(QDialog):
    """A dialog whose result is an ID photo: ``photo()`` is the JPEG after OK, else None."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._photo: bytes | None = None

    def photo(self) -> bytes | None:
        if self.result() != QDialog.DialogCode.Accepted:
            return None
        return self._photo


class PhotoCropDialog(PhotoDialog):
    """Frame an image at 35:45; OK gives ``photo()`` = ``process_photo(data, crop=…)``."""

    def __init__(self, data: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Frame the photo"))
        self._data = data
        hint_text = _(
            "Place the face in the oval. Drag the frame to move it, or a corner to change its "
            "size; with the keyboard, the arrow keys move it and + and − change its size."
        )
        self.view = CropView()
        self.view.setAccessibleName(_("Photo frame"))
        self.view.setAccessibleDescription(hint_text)
        self.hint = hint_label(hint_text)
        self.error_label = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setText(_("OK"))
        self.ok_button.setAccessibleName(_("OK"))
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel"))
        for button in (self.ok_button, self.cancel_button):
            button.setAutoDefault(False)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        _column(self, self.view, self.hint, self.error_label, self.buttons, stretch=self.view)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._load()
        if self.view.isHidden():
            self.resize(520, max(self.heightForWidth(520), self.minimumSizeHint().height()))
        else:
            _fit_to_screen(self, 620, 680)

    def _load(self) -> None:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            image = photos._decode(self._data)  # upright, as process_photo sees it
        except PhotoError as error:
            self._refuse(str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        size = QSize(image.width, image.height)
        self.view.set_image(display_copy(image), size, default_frame(image.width, image.height))
        if self.view.max_unit() < MIN_UNIT:
            self._refuse(
                _("Photo: too small for an ID photo (at least {width}×{height} pixels)").format(
                    width=MIN_SIZE[0], height=MIN_SIZE[1]
                )
            )

    def _refuse(self, message: str) -> None:
        self.error_label.show_message(message)
        self.ok_button.setEnabled(False)
        if self.view.frame().isEmpty():  # nothing to frame: only the message and Cancel
            self.view.hide()
            self.hint.hide()
            self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def frame(self) -> QRect:
        """The chosen frame in the image's pixels."""
        return self.view.frame()

    def crop(self) -> Crop:
        return self.view.crop()

    def accept(self) -> None:
        if not self.ok_button.isEnabled() or self.view.frame().isEmpty():
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            photo = process_photo(self._data, crop=self.crop())
        except PhotoError as error:
            self.error_label.show_message(str(error))
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._photo = photo
        super().accept()


# --- camera ------------------------------------------------------------------------------


class CameraDialog(PhotoDialog):
    """Live view of a camera; Take photo (Space or Enter) captures a picture, in memory only,
    and opens the crop dialog; ``photo()`` is the framed JPEG after OK there."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        crop_dialog_factory: Callable[[bytes, QWidget], PhotoDialog] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Take a photo"))
        self.crop_dialog_factory: Callable[[bytes, QWidget], PhotoDialog] = (
            crop_dialog_factory or PhotoCropDialog
        )
        self.crop_dialog: PhotoDialog | None = None
        self._module = cameras.multimedia()
        self._devices: list[Any] = []
        self._camera: Any = None
        self._session: Any = None
        self._capture: Any = None
        self._sink: Any = None
        self._started = False
        self._busy = False
        self._active = False
        self._last_frame = QImage()

        self.preview = CameraPreview()
        self.preview.setAccessibleName(_("Camera"))
        self.camera_label = QLabel(_("&Camera:"))
        self.camera_combo = QComboBox()
        self.camera_combo.setAccessibleName(_("Camera"))
        self.camera_label.setBuddy(self.camera_combo)
        chooser = QHBoxLayout()
        chooser.addWidget(self.camera_label)
        chooser.addWidget(self.camera_combo, 1)
        self.hint = hint_label(
            _(
                "Place the person's face in the oval, then press Take photo (Space or Enter); "
                "you can adjust the frame afterwards."
            )
        )
        self.error_label = ErrorLabel()
        self.take_button = QPushButton(_("&Take photo"))
        self.take_button.setAccessibleName(_("Take photo"))
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel"))
        self.cancel_button.setAutoDefault(False)
        self.take_button.setDefault(True)
        self.take_button.setEnabled(False)
        _column(
            self,
            chooser,
            self.preview,
            self.hint,
            self.error_label,
            _button_row(self.take_button, self.cancel_button),
            stretch=self.preview,
        )
        self.take_button.clicked.connect(self.take_photo)
        self.cancel_button.clicked.connect(self.reject)
        self._fill_chooser()
        self.camera_combo.currentIndexChanged.connect(self._camera_chosen)
        _fit_to_screen(self, 680, 640)

    # --- cameras -----------------------------------------------------------------------

    def _fill_chooser(self) -> None:
        if self._module is None:
            self._fail(_("Camera support is not installed: choose a photo file instead."))
            self.preview.set_message(_("No camera found"))
            self.hint.hide()
        else:
            self._devices = list(self._module.QMediaDevices.videoInputs())
            if not self._devices:
                self._fail(_("No camera is connected: connect one, or choose a photo file."))
                self.preview.set_message(_("No camera found"))
                self.hint.hide()
        names = [device.description() or "?" for device in self._devices]
        for number, name in enumerate(names, 1):
            self.camera_combo.addItem(name if names.count(name) == 1 else f"{name} ({number})")
        if self._devices:
            default = self._module.QMediaDevices.defaultVideoInput() if self._module else None
            ids = [device.id() for device in self._devices]
            if default is not None and default.id() in ids:
                self.camera_combo.setCurrentIndex(ids.index(default.id()))
        several = len(self._devices) > 1
        self.camera_label.setVisible(several)
        self.camera_combo.setVisible(several)

    def cameras(self) -> list[str]:
        return [self.camera_combo.itemText(i) for i in range(self.camera_combo.count())]

    def message(self) -> str:
        """What went wrong, as shown to the user ('' when all is well)."""
        return self.error_label.text() if not self.error_label.isHidden() else ""

    def _fail(self, message: str) -> None:
        self.error_label.show_message(message)
        self._update_take()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._devices and self._camera is None and self.crop_dialog is None:
            if self._started:
                self._open_camera(self.camera_combo.currentIndex())
            else:
                self._started = True
                self._start()
        self.take_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _start(self) -> None:
        """Ask for the camera permission where the system has one, then open the camera."""
        permission, status = cameras.camera_permission()
        if status == Qt.PermissionStatus.Undetermined:
            app = QCoreApplication.instance()
            app.requestPermission(permission, self, self._permission_answered)  # type: ignore[union-attr]
        elif status == Qt.PermissionStatus.Denied:
            self._refused_permission()
        else:
            self._open_camera(self.camera_combo.currentIndex())

    def _permission_answered(self, permission: Any) -> None:
        if permission.status() == Qt.PermissionStatus.Granted:
            self._open_camera(self.camera_combo.currentIndex())
        else:
            self._refused_permission()

    def _refused_permission(self) -> None:
        self._fail(
            _(
                "The computer does not allow this program to use the camera: allow it in the "
                "system's privacy settings, or choose a photo file instead."
            )
        )
        self.preview.set_message(_("Camera unavailable"))

    def _camera_chosen(self, index: int) -> None:
        if self._started and 0 <= index < len(self._devices):
            self.error_label.clear_message()
            self._open_camera(index)

    def _open_camera(self, index: int) -> None:
        module = self._module
        if module is None or not 0 <= index < len(self._devices):
            return
        self._stop_camera()
        if self._session is None:
            self._session = module.QMediaCaptureSession(self)
            self._capture = module.QImageCapture(self)
            self._sink = module.QVideoSink(self)
            self._session.setImageCapture(self._capture)
            self._session.setVideoSink(self._sink)
            self._sink.videoFrameChanged.connect(self._on_frame)
            self._capture.imageCaptured.connect(self._on_captured)
            self._capture.errorOccurred.connect(self._on_capture_error)
            self._capture.readyForCaptureChanged.connect(self._update_take)
        device = self._devices[index]
        camera = module.QCamera(device, self)
        chosen = cameras.best_format(device.videoFormats())
        if chosen is not None:
            camera.setCameraFormat(chosen)
        camera.errorOccurred.connect(self._on_camera_error)
        camera.activeChanged.connect(self._on_active)
        self._camera = camera
        self._session.setCamera(camera)
        self.preview.set_message(_("Starting the camera…"))
        camera.start()

    def _stop_camera(self) -> None:
        camera, self._camera = self._camera, None
        self._active = False
        self._last_frame = QImage()
        if camera is not None:
            camera.errorOccurred.disconnect(self._on_camera_error)
            camera.activeChanged.disconnect(self._on_active)
            camera.stop()
            if self._session is not None:
                self._session.setCamera(None)
            camera.deleteLater()
        self._update_take()

    def _on_active(self, active: bool) -> None:
        self._active = active
        self._update_take()

    def _on_frame(self, frame: Any) -> None:
        if self._camera is None or not frame.isValid():
            return
        image = frame.toImage()
        if image.isNull():
            return
        self._last_frame = image
        self.preview.set_image(image)
        self._update_take()

    def _on_camera_error(self, error: Any, text: str) -> None:
        module = self._module
        if module is not None and error == module.QCamera.Error.NoError:
            return
        self._stop_camera()
        self._fail(
            _(
                "The camera cannot be used ({reason}). Check that it is connected and not used "
                "by another program, or choose a photo file instead."
            ).format(reason=text or "?")
        )
        self.preview.set_message(_("Camera unavailable"))

    def _update_take(self, *_args: Any) -> None:
        ready = self._capture is not None and self._capture.isReadyForCapture()
        enabled = (
            self._camera is not None
            and not self._busy
            and (ready or (self._active and not self._last_frame.isNull()))
        )
        was_enabled = self.take_button.isEnabled()
        self.take_button.setEnabled(enabled)
        if enabled and not was_enabled and self.focusWidget() is not self.camera_combo:
            self.take_button.setFocus(Qt.FocusReason.OtherFocusReason)  # Space takes the photo

    # --- taking the photo --------------------------------------------------------------

    def take_photo(self) -> None:
        """Capture a picture (in memory); the crop dialog follows."""
        if not self.take_button.isEnabled():
            return
        if self._capture is not None and self._capture.isReadyForCapture():
            self._busy = True
            self._update_take()
            self._capture.capture()  # imageCaptured gives a QImage: no file is written
        elif not self._last_frame.isNull():
            self.use_image(self._last_frame)

    def _on_captured(self, _id: int, image: QImage) -> None:
        self._busy = False
        if image.isNull():
            image = self._last_frame
        if image.isNull():
            self._on_capture_error(_id, None, "")
        else:
            self.use_image(image)

    def _on_capture_error(self, _id: int, _error: Any, text: str) -> None:
        self._busy = False
        self._fail(
            _("The photo could not be taken ({reason}). Try again.").format(reason=text or "?")
        )

    def use_image(self, image: QImage) -> None:
        """Frame ``image`` in the crop dialog; the camera is off meanwhile."""
        data = cameras.image_bytes(image)
        self._stop_camera()
        self.preview.set_image(image)
        self.error_label.clear_message()
        dialog = self.crop_dialog_factory(data, self)
        self.crop_dialog = dialog
        dialog.finished.connect(lambda _result: self._cropped(dialog))
        dialog.open()

    def _cropped(self, dialog: PhotoDialog) -> None:
        photo = dialog.photo()
        self.crop_dialog = None
        dialog.deleteLater()
        if photo:
            self._photo = photo
            self.accept()
        elif self._started and self.isVisible():  # Cancel there: take another one
            self._open_camera(self.camera_combo.currentIndex())

    # --- closing -----------------------------------------------------------------------

    def done(self, result: int) -> None:
        self._stop_camera()
        super().done(result)

    def hideEvent(self, event: QHideEvent) -> None:
        self._stop_camera()
        super().hideEvent(event)
