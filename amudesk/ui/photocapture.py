"""ID photos from a camera or a file, framed by the user at the ID ratio (35:45).

- ``PhotoCropDialog``: the image with a 35:45 frame to move and resize with the mouse (drag
  inside to move, drag a corner to resize) or the keyboard (arrow keys, + and −); OK gives
  ``photo()``, the clean JPEG made by ``amudesk.photos.process_photo``.
- ``CameraDialog``: the live view of a camera, Take photo, then the crop dialog.
- ``camera_available()``: whether Qt Multimedia sees a camera.

Qt Multimedia is imported only when a camera is asked about (start-up speed), and a taken
picture stays in memory: nothing is written to disk.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from PIL import Image
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QHideEvent,
    QImage,
    QImageWriter,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from amudesk import photos
from amudesk.i18n import _
from amudesk.photos import MIN_SIZE, RATIO, Crop, PhotoError, process_photo
from amudesk.ui.kit.fielderrors import ErrorLabel

UNIT = (RATIO[0] // math.gcd(*RATIO), RATIO[1] // math.gcd(*RATIO))  # (7, 9)
MIN_UNIT = max(math.ceil(MIN_SIZE[0] / UNIT[0]), math.ceil(MIN_SIZE[1] / UNIT[1]))
DISPLAY_MAX = 2048  # longest side of the copy of the image that is shown
PREVIEW_MAX_PIXELS = 1920 * 1080  # a larger camera stream is slow to show on a small laptop
BACKGROUND = QColor("#2b2b2b")
SHADE = QColor(0, 0, 0, 150)


# --- Qt Multimedia, imported on demand ---------------------------------------------------


def multimedia() -> ModuleType | None:
    """PySide6.QtMultimedia, or None when it is not installed."""
    try:
        return importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        return None


def camera_available() -> bool:
    """Whether a camera is connected (False when camera support is not installed)."""
    module = multimedia()
    return module is not None and bool(module.QMediaDevices.videoInputs())


def watch_cameras(parent: QWidget, callback: Callable[[], object]) -> Any | None:
    """Call ``callback`` when a camera is plugged in or out; the watcher lives with ``parent``."""
    module = multimedia()
    if module is None:
        return None
    watcher = module.QMediaDevices(parent)
    watcher.videoInputsChanged.connect(callback)
    return watcher


def best_format(formats: Iterable[Any]) -> Any | None:
    """The camera format to use: the largest of at most Full HD that gives 15 images a second
    or more; None leaves the choice to the camera."""
    best, best_key = None, (0, 0.0)
    for candidate in formats:
        size = candidate.resolution()
        pixels = size.width() * size.height()
        rate = candidate.maxFrameRate()
        if 0 < pixels <= PREVIEW_MAX_PIXELS and rate >= 15 and (pixels, rate) > best_key:
            best, best_key = candidate, (pixels, rate)
    return best


def image_bytes(image: QImage) -> bytes:
    """``image`` as PNG bytes, made in memory: a taken picture never touches the disk."""
    array = QByteArray()
    buffer = QBuffer(array)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    writer.setQuality(90)  # for PNG: little compression, so quick; the pixels are unchanged
    writer.write(image.convertToFormat(QImage.Format.Format_RGB32))
    buffer.close()
    return bytes(array.data())


def default_frame(width: int, height: int) -> QRect:
    """The 35:45 box ``process_photo`` takes when no crop is given, in pixels."""
    left, top, right, bottom = photos._crop_box((width, height), None)
    return QRect(left, top, right - left, bottom - top)


def _qimage(image: Image.Image) -> QImage:
    """A QImage copy of an RGB Pillow image."""
    data = image.tobytes("raw", "RGB")
    qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
    return qimage.copy()


def _fit(width: int, height: int, area: QRect) -> QRectF:
    """Where a ``width``×``height`` picture fills ``area`` without distortion, centred."""
    if width <= 0 or height <= 0 or area.width() <= 0 or area.height() <= 0:
        return QRectF()
    scale = min(area.width() / width, area.height() / height)
    shown_w, shown_h = width * scale, height * scale
    return QRectF(
        area.x() + (area.width() - shown_w) / 2,
        area.y() + (area.height() - shown_h) / 2,
        shown_w,
        shown_h,
    )


def _paint_frame(painter: QPainter, picture: QRectF, frame: QRectF, *, handles: float) -> None:
    """Shade ``picture`` outside ``frame``, outline the frame, draw a face oval and, when
    ``handles`` > 0, square corner handles of that size."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    outside = QPainterPath()
    outside.setFillRule(Qt.FillRule.OddEvenFill)
    outside.addRect(picture)
    outside.addRect(frame)
    painter.fillPath(outside, SHADE)
    oval = QRectF(
        frame.x() + frame.width() * 0.22,
        frame.y() + frame.height() * 0.12,
        frame.width() * 0.56,
        frame.height() * 0.62,
    )
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(255, 255, 255, 170), 1.5, Qt.PenStyle.DashLine))
    painter.drawEllipse(oval)
    painter.setPen(QPen(QColor(0, 0, 0, 170), 3))
    painter.drawRect(frame)
    painter.setPen(QPen(QColor("white"), 1.5))
    painter.drawRect(frame)
    if handles > 0:
        painter.setPen(QPen(QColor(0, 0, 0, 200), 1))
        painter.setBrush(QColor("white"))
        for corner in (frame.topLeft(), frame.topRight(), frame.bottomLeft(), frame.bottomRight()):
            painter.drawRect(
                QRectF(corner.x() - handles / 2, corner.y() - handles / 2, handles, handles)
            )


def _fit_to_screen(dialog: QDialog, width: int, height: int) -> None:
    screen = dialog.screen().availableGeometry() if dialog.screen() else QRect(0, 0, 1366, 728)
    dialog.resize(min(width, screen.width() - 20), min(height, screen.height() - 40))


# --- the frame on the image --------------------------------------------------------------


class CropView(QWidget):
    """The image with its 35:45 frame, which is kept in the image's own pixels."""

    MARGIN = 10
    HANDLE = 12  # side of the corner handles on screen
    GRAB = 14  # how far from a corner a press still takes the handle

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = QImage()  # what is shown (at most DISPLAY_MAX on its longest side)
        self._size = QSize()  # the full image, in pixels
        self._frame = QRect()
        self._cache = QPixmap()
        self._drag: tuple[str, QPointF] | None = None  # ("move", offset) or ("resize", anchor)
        self._direction = (1, 1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(240, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    # --- state -------------------------------------------------------------------------

    def set_image(self, image: QImage, size: QSize, frame: QRect) -> None:
        self._image = image
        self._size = QSize(size)
        self._cache = QPixmap()
        self.set_frame(frame)

    def image_size(self) -> QSize:
        return QSize(self._size)

    def frame(self) -> QRect:
        """The frame (x, y, width, height) in the image's pixels; width:height is 7:9."""
        return QRect(self._frame)

    def set_frame(self, frame: QRect) -> None:
        """Put the frame at ``frame``'s place and size, made 35:45 and kept inside the image."""
        width, height = self._size.width(), self._size.height()
        if frame.isEmpty() or self.max_unit() < 1:
            new = QRect()
        else:
            unit = min(frame.width() // UNIT[0], frame.height() // UNIT[1])
            unit = max(min(unit, self.max_unit()), min(MIN_UNIT, self.max_unit()))
            w, h = unit * UNIT[0], unit * UNIT[1]
            x = max(0, min(frame.x(), width - w))
            y = max(0, min(frame.y(), height - h))
            new = QRect(x, y, w, h)
        self._frame = new
        self.update()

    def max_unit(self) -> int:
        return min(self._size.width() // UNIT[0], self._size.height() // UNIT[1])

    def unit(self) -> int:
        return self._frame.width() // UNIT[0]

    def crop(self) -> Crop:
        """The frame as ``process_photo``'s crop: (left, top, right, bottom) in 0..1."""
        width, height = self._size.width(), self._size.height()
        f = self._frame
        return (
            f.x() / width,
            f.y() / height,
            (f.x() + f.width()) / width,
            (f.y() + f.height()) / height,
        )

    def move_step(self) -> int:
        return max(1, round(min(self._size.width(), self._size.height()) * 0.02))

    def unit_step(self) -> int:
        return max(1, round(self.max_unit() * 0.05))

    def move_by(self, dx: int, dy: int) -> None:
        self.set_frame(self._frame.translated(dx, dy))

    def resize_by(self, steps: int) -> None:
        """Grow (steps > 0) or shrink the frame around its centre."""
        if self._frame.isEmpty():
            return
        unit = self.unit() + steps * self.unit_step()
        unit = max(min(unit, self.max_unit()), min(MIN_UNIT, self.max_unit()))
        w, h = unit * UNIT[0], unit * UNIT[1]
        centre = QPointF(
            self._frame.x() + self._frame.width() / 2, self._frame.y() + self._frame.height() / 2
        )
        self.set_frame(QRect(round(centre.x() - w / 2), round(centre.y() - h / 2), w, h))

    # --- geometry on screen ------------------------------------------------------------

    def picture_rect(self) -> QRectF:
        area = self.rect().adjusted(self.MARGIN, self.MARGIN, -self.MARGIN, -self.MARGIN)
        return _fit(self._size.width(), self._size.height(), area)

    def _scale(self) -> float:
        picture = self.picture_rect()
        return picture.width() / self._size.width() if self._size.width() else 0.0

    def frame_on_screen(self) -> QRectF:
        picture, scale = self.picture_rect(), self._scale()
        f = self._frame
        return QRectF(
            picture.x() + f.x() * scale,
            picture.y() + f.y() * scale,
            f.width() * scale,
            f.height() * scale,
        )

    def _to_image(self, point: QPointF) -> QPointF:
        picture, scale = self.picture_rect(), self._scale()
        if scale <= 0:
            return QPointF()
        return QPointF((point.x() - picture.x()) / scale, (point.y() - picture.y()) / scale)

    def _corner_at(self, point: QPointF) -> tuple[int, int] | None:
        """(sx, sy), the direction of the frame corner under ``point``, if any."""
        if self._frame.isEmpty():
            return None
        frame = self.frame_on_screen()
        corners = {
            (-1, -1): frame.topLeft(),
            (1, -1): frame.topRight(),
            (-1, 1): frame.bottomLeft(),
            (1, 1): frame.bottomRight(),
        }
        for direction, corner in corners.items():
            if (
                abs(point.x() - corner.x()) <= self.GRAB
                and abs(point.y() - corner.y()) <= self.GRAB
            ):
                return direction
        return None

    # --- mouse -------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._frame.isEmpty():
            super().mousePressEvent(event)
            return
        point = event.position()
        corner = self._corner_at(point)
        image_point = self._to_image(point)
        if corner is not None:
            f = self._frame
            sx, sy = corner
            anchor = QPointF(
                f.x() if sx > 0 else f.x() + f.width(), f.y() if sy > 0 else f.y() + f.height()
            )
            self._direction = corner
            self._drag = ("resize", anchor)
        else:
            if not self.frame_on_screen().contains(
                point
            ):  # a press outside centres the frame there
                self.set_frame(
                    self._frame.translated(
                        round(image_point.x() - self._frame.x() - self._frame.width() / 2),
                        round(image_point.y() - self._frame.y() - self._frame.height() / 2),
                    )
                )
            self._drag = ("move", image_point - QPointF(self._frame.topLeft()))
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position()
        if self._drag is None:
            self._hover(point)
            return
        kind, reference = self._drag
        image_point = self._to_image(point)
        if kind == "move":
            top_left = image_point - reference
            self.set_frame(
                QRect(QPoint(round(top_left.x()), round(top_left.y())), self._frame.size())
            )
        else:
            self._resize_from(reference, image_point)
        event.accept()

    def _resize_from(self, anchor: QPointF, point: QPointF) -> None:
        sx, sy = self._direction
        ax, ay = round(anchor.x()), round(anchor.y())
        wanted = max((point.x() - ax) * sx / UNIT[0], (point.y() - ay) * sy / UNIT[1])
        room_x = self._size.width() - ax if sx > 0 else ax
        room_y = self._size.height() - ay if sy > 0 else ay
        limit = min(room_x // UNIT[0], room_y // UNIT[1])
        unit = max(min(round(wanted), limit), min(MIN_UNIT, limit))
        w, h = unit * UNIT[0], unit * UNIT[1]
        self.set_frame(QRect(ax if sx > 0 else ax - w, ay if sy > 0 else ay - h, w, h))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None and event.button() == Qt.MouseButton.LeftButton:
            self._drag = None
            self._hover(event.position())
            event.accept()
            return
        super().mouseReleaseEvent(event)

    def _hover(self, point: QPointF) -> None:
        corner = self._corner_at(point)
        if corner is not None:
            diagonal = corner[0] == corner[1]
            self.setCursor(
                Qt.CursorShape.SizeFDiagCursor if diagonal else Qt.CursorShape.SizeBDiagCursor
            )
        elif self.frame_on_screen().contains(point):
            self.setCursor(Qt.CursorShape.OpenHandCursor)
        else:
            self.unsetCursor()

    def wheelEvent(self, event: QWheelEvent) -> None:
        delta = event.angleDelta().y()
        if delta:
            self.resize_by(1 if delta > 0 else -1)
            event.accept()
        else:
            super().wheelEvent(event)

    # --- keyboard ----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        step = self.move_step()
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and key in _ARROWS:
            step = max(1, step // 5)  # Shift: fine steps
        moves = {
            Qt.Key.Key_Left: (-step, 0),
            Qt.Key.Key_Right: (step, 0),
            Qt.Key.Key_Up: (0, -step),
            Qt.Key.Key_Down: (0, step),
        }
        if key in moves:
            self.move_by(*moves[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.resize_by(1)
        elif key in (Qt.Key.Key_Minus, Qt.Key.Key_Underscore):
            self.resize_by(-1)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    # --- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        picture = self.picture_rect()
        if not self._image.isNull() and not picture.isEmpty():
            painter.drawPixmap(picture.topLeft(), self._scaled(picture.size().toSize()))
            if not self._frame.isEmpty():
                _paint_frame(painter, picture, self.frame_on_screen(), handles=self.HANDLE)
        if self.hasFocus():
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(self.palette().highlight().color(), 3))
            painter.drawRect(self.rect().adjusted(1, 1, -2, -2))
        painter.end()

    def _scaled(self, size: QSize) -> QPixmap:
        ratio = self.devicePixelRatioF()
        if self._cache.isNull() or self._cache.deviceIndependentSize().toSize() != size:
            self._cache = QPixmap.fromImage(
                self._image.scaled(
                    size * ratio,
                    Qt.AspectRatioMode.IgnoreAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self._cache.setDevicePixelRatio(ratio)
        return self._cache

    def focusInEvent(self, event: Any) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event: Any) -> None:
        super().focusOutEvent(event)
        self.update()


_ARROWS = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down)


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


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setStyleSheet("color: #555555;")
    return label


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
        self.hint = _hint(hint_text)
        self.error_label = ErrorLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button.setText(_("OK"))
        self.ok_button.setAccessibleName(_("OK"))
        self.cancel_button.setText(_("Cancel"))
        self.cancel_button.setAccessibleName(_("Cancel"))
        for button in (self.ok_button, self.cancel_button):
            button.setAutoDefault(False)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._load()
        if self.view.isHidden():
            self.resize(520, max(self.heightForWidth(520), self.minimumSizeHint().height()))
        else:
            _fit_to_screen(self, 620, 680)

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def cancel_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Cancel)

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
        shown = image.copy()
        shown.thumbnail((DISPLAY_MAX, DISPLAY_MAX), Image.Resampling.BILINEAR)
        self.view.set_image(_qimage(shown), size, default_frame(image.width, image.height))
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


class CameraPreview(QWidget):
    """The live picture with the 35:45 frame the photo will start from, or a message."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = QImage()
        self._message = ""
        self.setMinimumSize(240, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_image(self, image: QImage) -> None:
        self._image = image
        self.update()

    def image(self) -> QImage:
        return self._image

    def set_message(self, message: str) -> None:
        """Shown instead of the picture (the picture is dropped)."""
        self._message = message
        self._image = QImage()
        self.update()

    def message(self) -> str:
        return self._message if self._image.isNull() else ""

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._image.isNull():
            painter.setPen(QColor("white"))
            font = painter.font()
            font.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(font)
            painter.drawText(
                self.rect().adjusted(20, 20, -20, -20),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                self._message,
            )
        else:
            width, height = self._image.width(), self._image.height()
            picture = _fit(width, height, self.rect())
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawImage(picture, self._image)
            box = default_frame(width, height)
            if not box.isEmpty():
                scale = picture.width() / width
                frame = QRectF(
                    picture.x() + box.x() * scale,
                    picture.y() + box.y() * scale,
                    box.width() * scale,
                    box.height() * scale,
                )
                _paint_frame(painter, picture, frame, handles=0)
        painter.end()


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
        self._module = multimedia()
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
        self.hint = _hint(
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
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.take_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
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
        app = QCoreApplication.instance()
        try:
            from PySide6.QtCore import QCameraPermission

            permission = QCameraPermission()
            status = app.checkPermission(permission)  # type: ignore[union-attr]
        except (ImportError, AttributeError, TypeError):
            status = Qt.PermissionStatus.Granted
        if status == Qt.PermissionStatus.Undetermined:
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
        chosen = best_format(device.videoFormats())
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
        data = image_bytes(image)
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
