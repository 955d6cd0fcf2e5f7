"""Photos framed by the user (crop dialog) and taken with a camera (camera dialog).

This machine has no camera: the camera dialog is driven through a stand-in for Qt
Multimedia (same names and signals), and once with the real module to see it say so.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from PIL import Image, ImageStat
from PySide6.QtCore import QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QDialog

from amudesk.i18n import _
from amudesk.photos import process_photo
from amudesk.ui.kit import cameras
from amudesk.ui.kit.cameras import best_format, camera_available, image_bytes
from amudesk.ui.photocapture import CameraDialog, PhotoCropDialog
from amudesk.ui.photoframe import MIN_UNIT

RED = (220, 30, 30)
WHITE = (255, 255, 255)


def picture(size: tuple[int, int], *, red_quadrant: bool = False, fmt: str = "PNG") -> bytes:
    """A white picture, its top-left quarter red when asked."""
    image = Image.new("RGB", size, WHITE)
    if red_quadrant:
        image.paste(RED, (0, 0, size[0] // 2, size[1] // 2))
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def qimage(size: tuple[int, int] = (640, 480), colour: tuple[int, int, int] = RED) -> QImage:
    image = QImage(QSize(*size), QImage.Format.Format_RGB32)
    image.fill(colour[0] << 16 | colour[1] << 8 | colour[2])
    return image


def shown(qtbot: Any, dialog: QDialog) -> Any:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def is_35_45(rect: Any) -> bool:
    return rect.width() * 9 == rect.height() * 7 and rect.width() > 0


def inside(rect: Any, size: QSize) -> bool:
    return (
        rect.x() >= 0
        and rect.y() >= 0
        and rect.x() + rect.width() <= size.width()
        and rect.y() + rect.height() <= size.height()
    )


def mean_colour(jpeg: bytes | None) -> tuple[float, ...]:
    assert jpeg is not None
    return tuple(ImageStat.Stat(Image.open(io.BytesIO(jpeg)).convert("RGB")).mean)


def assert_id_jpeg(jpeg: bytes | None) -> Image.Image:
    assert jpeg is not None
    image = Image.open(io.BytesIO(jpeg))
    assert image.format == "JPEG"
    assert image.width * 45 == image.height * 35
    return image


# --- crop dialog -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "frame"),
    [((1200, 900), (250, 0, 700, 900)), ((700, 1200), (0, 100, 700, 900))],
    ids=["landscape", "portrait-top-third"],
)
def test_the_frame_starts_where_process_photo_would_crop(qtbot, size, frame) -> None:
    data = picture(size)
    dialog = shown(qtbot, PhotoCropDialog(data))
    rect = dialog.frame()
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == frame
    assert is_35_45(rect)
    assert dialog.focusWidget() is dialog.view  # the arrow keys work at once
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)  # Enter is OK
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.photo() == process_photo(data)  # untouched frame: the default crop exactly


def test_the_frame_is_on_the_upright_picture(qtbot) -> None:
    """A phone photo stored sideways with an EXIF orientation is framed as process_photo
    sees it (upright)."""
    image = Image.new("RGB", (1200, 700), WHITE)
    image.paste(RED, (0, 0, 600, 700))  # left half red: the top half once turned upright
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to view
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    dialog = shown(qtbot, PhotoCropDialog(data))
    assert dialog.view.image_size() == QSize(700, 1200)
    for _step in range(30):
        qtbot.keyClick(dialog.view, Qt.Key.Key_Minus)
        qtbot.keyClick(dialog.view, Qt.Key.Key_Up)
    dialog.accept()
    red, green, blue = mean_colour(dialog.photo())
    assert red > 200 and green < 60 and blue < 60


def test_the_keyboard_moves_and_resizes_the_frame_within_the_image(qtbot) -> None:
    dialog = shown(qtbot, PhotoCropDialog(picture((1200, 900))))
    view, size = dialog.view, dialog.view.image_size()
    start = dialog.frame()
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    smaller = dialog.frame()
    assert smaller.width() < start.width() and is_35_45(smaller)
    assert smaller.center().x() == pytest.approx(start.center().x(), abs=1)
    for key in [Qt.Key.Key_Right] * 60 + [Qt.Key.Key_Down] * 60:
        qtbot.keyClick(view, key)
        assert is_35_45(dialog.frame()) and inside(dialog.frame(), size)
    frame = dialog.frame()
    assert (frame.x() + frame.width(), frame.y() + frame.height()) == (1200, 900)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert dialog.frame().x() == frame.x() - view.move_step()
    qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)  # fine step
    assert dialog.frame().y() == frame.y() - max(1, view.move_step() // 5)
    for _step in range(40):
        qtbot.keyClick(view, Qt.Key.Key_Minus)
        assert is_35_45(dialog.frame()) and inside(dialog.frame(), size)
    assert dialog.frame().width() == MIN_UNIT * 7  # never smaller than process_photo accepts
    for key in [Qt.Key.Key_Plus] * 20 + [Qt.Key.Key_Equal] * 20:
        qtbot.keyClick(view, key)
        assert is_35_45(dialog.frame()) and inside(dialog.frame(), size)
    assert dialog.frame().height() == 900  # as large as the image allows


def test_ok_gives_a_35_45_jpeg_of_the_chosen_region(qtbot) -> None:
    data = picture((1400, 1800), red_quadrant=True)
    dialog = shown(qtbot, PhotoCropDialog(data))
    assert dialog.frame().size() == QSize(1400, 1800)  # the whole picture at first
    for _step in range(12):
        qtbot.keyClick(dialog.view, Qt.Key.Key_Minus)
    assert dialog.frame().width() <= 700
    for _step in range(50):
        qtbot.keyClick(dialog.view, Qt.Key.Key_Up)
        qtbot.keyClick(dialog.view, Qt.Key.Key_Left)
    assert dialog.frame().topLeft() == QPoint(0, 0)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert_id_jpeg(dialog.photo())
    red, green, blue = mean_colour(dialog.photo())
    assert red > 200 and green < 60 and blue < 60
    # the same picture framed by default is mostly white
    assert min(mean_colour(process_photo(data))) > 150


def test_cancel_gives_nothing(qtbot) -> None:
    dialog = shown(qtbot, PhotoCropDialog(picture((800, 600))))
    qtbot.keyClick(dialog.view, Qt.Key.Key_Escape)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.photo() is None


def test_the_mouse_moves_the_frame_and_a_corner_resizes_it(qtbot) -> None:
    dialog = shown(qtbot, PhotoCropDialog(picture((1200, 900))))
    view, size = dialog.view, dialog.view.image_size()
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    qtbot.keyClick(view, Qt.Key.Key_Minus)
    before = dialog.frame()
    centre = view.frame_on_screen().center().toPoint()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseMove(view, centre + QPoint(30, 0))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=centre + QPoint(30, 0))
    moved = dialog.frame()
    assert moved.x() > before.x() and moved.size() == before.size()
    corner = view.frame_on_screen().bottomRight().toPoint()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=corner)
    qtbot.mouseMove(view, corner - QPoint(60, 60))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=corner - QPoint(60, 60))
    resized = dialog.frame()
    assert resized.width() < moved.width()
    assert resized.topLeft() == moved.topLeft()  # the opposite corner stays put
    assert is_35_45(resized) and inside(resized, size)
    far = view.frame_on_screen().bottomRight().toPoint()
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=far)
    qtbot.mouseMove(view, far + QPoint(2000, 2000))
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=far + QPoint(2000, 2000))
    assert is_35_45(dialog.frame()) and inside(dialog.frame(), size)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not an image", "Photo: not an image file (JPEG, PNG, WebP, BMP, TIFF or GIF expected)"),
        (picture((60, 80)), "Photo: too small for an ID photo (at least {width}×{height} pixels)"),
    ],
    ids=["not-an-image", "too-small"],
)
def test_a_bad_picture_is_explained_in_the_dialog(qtbot, data: bytes, message: str) -> None:
    dialog = shown(qtbot, PhotoCropDialog(data))
    assert dialog.error_label.isVisible()
    assert dialog.error_label.text() == _(message).format(width=70, height=90)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.photo() is None


# --- camera dialog -----------------------------------------------------------------------


def test_without_qt_multimedia_there_is_no_camera(qtbot, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "PySide6.QtMultimedia", None)  # import fails
    assert cameras.multimedia() is None
    assert camera_available() is False
    dialog = shown(qtbot, CameraDialog())
    assert dialog.message() == _("Camera support is not installed: choose a photo file instead.")
    assert not dialog.take_button.isEnabled()


@pytest.mark.skipif(camera_available(), reason="a camera is connected")
def test_the_camera_dialog_says_there_is_no_camera(qtbot) -> None:
    dialog = shown(qtbot, CameraDialog())
    assert dialog.message() == _("No camera is connected: connect one, or choose a photo file.")
    assert dialog.preview.message() == _("No camera found")
    assert not dialog.take_button.isEnabled()
    assert not dialog.camera_combo.isVisible()
    dialog.take_photo()  # nothing happens
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.photo() is None


class FakeSignalling(QObject):
    errorOccurred = Signal(object, str)
    activeChanged = Signal(bool)
    imageCaptured = Signal(int, QImage)
    captureError = Signal(int, object, str)
    readyForCaptureChanged = Signal(bool)
    videoFrameChanged = Signal(object)


class FakeCamera(FakeSignalling):
    Error = SimpleNamespace(NoError=0, CameraError=1)
    made: list[FakeCamera] = []

    def __init__(self, device: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.device, self.running = device, False
        self.format: Any = None
        FakeCamera.made.append(self)

    def setCameraFormat(self, value: Any) -> None:
        self.format = value

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


class FakeImageCapture(FakeSignalling):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ready = False
        self.picture = qimage((1280, 960))
        self.errorOccurred = self.captureError

    def isReadyForCapture(self) -> bool:
        return self.ready

    def capture(self) -> int:
        self.imageCaptured.emit(1, self.picture)
        return 1


class FakeSession(QObject):
    def setImageCapture(self, capture: Any) -> None:
        self.capture = capture

    def setVideoSink(self, sink: Any) -> None:
        self.sink = sink

    def setCamera(self, camera: Any) -> None:
        self.camera = camera


class FakeFormat:
    def __init__(self, width: int, height: int, rate: float) -> None:
        self.size, self.rate = QSize(width, height), rate

    def resolution(self) -> QSize:
        return self.size

    def maxFrameRate(self) -> float:
        return self.rate


class FakeDevice:
    def __init__(self, name: str, ident: bytes) -> None:
        self.name, self.ident = name, ident

    def description(self) -> str:
        return self.name

    def id(self) -> bytes:
        return self.ident

    def videoFormats(self) -> list[FakeFormat]:
        return [FakeFormat(3840, 2160, 30), FakeFormat(1280, 720, 30), FakeFormat(640, 480, 30)]


class FakeFrame:
    def __init__(self, image: QImage) -> None:
        self.image = image

    def isValid(self) -> bool:
        return True

    def toImage(self) -> QImage:
        return self.image


def fake_multimedia(monkeypatch: pytest.MonkeyPatch, devices: list[FakeDevice]) -> SimpleNamespace:
    FakeCamera.made = []
    module = SimpleNamespace(
        QMediaDevices=SimpleNamespace(
            videoInputs=lambda: list(devices),
            defaultVideoInput=lambda: devices[-1] if devices else None,
        ),
        QCamera=FakeCamera,
        QImageCapture=FakeImageCapture,
        QMediaCaptureSession=FakeSession,
        QVideoSink=FakeSignalling,
    )
    monkeypatch.setattr(cameras, "multimedia", lambda: module)
    return module


def test_the_camera_dialog_takes_a_photo_then_frames_it(qtbot, monkeypatch) -> None:
    fake_multimedia(monkeypatch, [FakeDevice("Integrated Webcam", b"cam0")])
    assert camera_available()
    dialog = CameraDialog()
    assert not dialog.camera_combo.isVisibleTo(dialog)  # one camera: no chooser
    shown(qtbot, dialog)
    [camera] = FakeCamera.made
    assert camera.running
    assert camera.format.resolution() == QSize(1280, 720)  # not the 4K stream
    assert dialog.preview.message() == _("Starting the camera…")
    assert not dialog.take_button.isEnabled()
    camera.activeChanged.emit(True)
    dialog._sink.videoFrameChanged.emit(FakeFrame(qimage((640, 480), WHITE)))
    assert dialog.preview.message() == ""
    assert dialog.take_button.isEnabled()
    dialog._capture.ready = True
    assert dialog.focusWidget() is dialog.take_button
    qtbot.keyClick(dialog.take_button, Qt.Key.Key_Space)
    crop = dialog.crop_dialog
    assert isinstance(crop, PhotoCropDialog)
    assert not camera.running  # off while the photo is framed
    assert crop.view.image_size() == QSize(1280, 960)  # the captured picture, not a frame
    qtbot.waitExposed(crop)
    qtbot.keyClick(crop.view, Qt.Key.Key_Escape)  # not this one: the camera comes back
    assert dialog.isVisible() and dialog.crop_dialog is None
    assert FakeCamera.made[-1].running
    FakeCamera.made[-1].activeChanged.emit(True)
    dialog._capture.readyForCaptureChanged.emit(True)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter takes the photo too
    crop = dialog.crop_dialog
    assert isinstance(crop, PhotoCropDialog)
    qtbot.keyClick(crop.view, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    image = assert_id_jpeg(dialog.photo())
    assert image.size == (595, 765)  # 742×954 framed in 1280×960, reduced to fit 600×800
    red, green, blue = mean_colour(dialog.photo())
    assert red > 200 and green < 60 and blue < 60
    assert not FakeCamera.made[-1].running


def test_camera_errors_are_shown_and_cameras_can_be_chosen(qtbot, monkeypatch) -> None:
    devices = [FakeDevice("USB Camera", b"a"), FakeDevice("USB Camera", b"b")]
    fake_multimedia(monkeypatch, devices)
    dialog = shown(qtbot, CameraDialog())
    assert dialog.camera_combo.isVisible()
    assert dialog.cameras() == ["USB Camera (1)", "USB Camera (2)"]
    assert dialog.camera_combo.currentIndex() == 1  # the system's default camera
    assert FakeCamera.made[-1].device is devices[1]
    FakeCamera.made[-1].errorOccurred.emit(1, "Device or resource busy")
    assert "Device or resource busy" in dialog.message()
    assert dialog.preview.message() == _("Camera unavailable")
    assert not dialog.take_button.isEnabled()
    dialog.camera_combo.setCurrentIndex(0)
    assert FakeCamera.made[-1].device is devices[0] and FakeCamera.made[-1].running
    assert dialog.message() == ""
    FakeCamera.made[-1].activeChanged.emit(True)
    dialog._capture.ready = True
    dialog._capture.captureError.emit(1, 3, "Not ready")
    assert "Not ready" in dialog.message()
    dialog.reject()
    assert not FakeCamera.made[-1].running


def test_the_camera_is_asked_for_when_the_dialog_shows(qtbot, monkeypatch) -> None:
    fake_multimedia(monkeypatch, [FakeDevice("Webcam", b"a")])
    dialog = CameraDialog()
    qtbot.addWidget(dialog)
    assert FakeCamera.made == []  # the light stays off until the window is there
    dialog.show()
    assert FakeCamera.made[-1].running


def test_best_format_keeps_full_hd_at_most() -> None:
    formats = [FakeFormat(3840, 2160, 30), FakeFormat(1920, 1080, 5), FakeFormat(1280, 720, 30)]
    assert best_format(formats) is formats[2]
    assert best_format([FakeFormat(3840, 2160, 30)]) is None


def test_nothing_is_written_to_disk(qtbot, monkeypatch, tmp_path: Path) -> None:
    cwd, temp = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    temp.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    fake_multimedia(monkeypatch, [FakeDevice("Webcam", b"a")])
    dialog = shown(qtbot, CameraDialog())
    FakeCamera.made[-1].activeChanged.emit(True)
    dialog._capture.ready = True
    dialog._capture.readyForCaptureChanged.emit(True)
    dialog.take_photo()
    crop = dialog.crop_dialog
    assert crop is not None
    crop.accept()
    assert dialog.photo() is not None
    png = image_bytes(qimage())
    assert png.startswith(b"\x89PNG")
    framed = shown(qtbot, PhotoCropDialog(png))
    framed.accept()
    assert framed.photo() is not None
    assert list(cwd.iterdir()) == [] and list(temp.iterdir()) == []
