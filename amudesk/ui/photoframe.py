"""The picture with its 35:45 frame (the ID ratio), as the crop dialog and the camera show it.

- ``CropView``: the image with a frame to move and resize with the mouse (drag inside to move,
  drag a corner to resize, the wheel to change its size) or the keyboard (arrow keys, + and −);
  the frame is kept in the image's own pixels, made 35:45 and never smaller than an ID photo.
- ``CameraPreview``: the live picture with the frame the photo will start from, or a message.
- ``default_frame``: where the frame starts; ``display_copy``: what is shown of a large image
  (Pillow is imported only there).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from amudesk import photos
from amudesk.photos import MIN_SIZE, RATIO, Crop

if TYPE_CHECKING:
    from PIL import Image

UNIT = (RATIO[0] // math.gcd(*RATIO), RATIO[1] // math.gcd(*RATIO))  # (7, 9)
MIN_UNIT = max(math.ceil(MIN_SIZE[0] / UNIT[0]), math.ceil(MIN_SIZE[1] / UNIT[1]))
DISPLAY_MAX = 2048  # longest side of the copy of the image that is shown
BACKGROUND = QColor("#2b2b2b")
SHADE = QColor(0, 0, 0, 150)


def default_frame(width: int, height: int) -> QRect:
    """The 35:45 box ``process_photo`` takes when no crop is given, in pixels."""
    left, top, right, bottom = photos._crop_box((width, height), None)
    return QRect(left, top, right - left, bottom - top)


def _qimage(image: Image.Image) -> QImage:
    """A QImage copy of an RGB Pillow image."""
    data = image.tobytes("raw", "RGB")
    qimage = QImage(data, image.width, image.height, 3 * image.width, QImage.Format.Format_RGB888)
    return qimage.copy()


def display_copy(image: Image.Image) -> QImage:
    """What is shown of ``image``: a copy of at most DISPLAY_MAX pixels on its longest side."""
    from PIL import Image

    shown = image.copy()
    shown.thumbnail((DISPLAY_MAX, DISPLAY_MAX), Image.Resampling.BILINEAR)
    return _qimage(shown)


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


# --- the camera's picture ---------------------------------------------------------------


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
