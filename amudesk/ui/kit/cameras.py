"""Cameras through Qt Multimedia: whether one is connected, news when one is plugged in or out,
the stream to ask for, the system's permission, and a taken picture kept in memory.

Qt Multimedia is slow to load: it is imported only when a camera is asked about.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any

from PySide6 import QtCore
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QIODevice, Qt
from PySide6.QtGui import QImage, QImageWriter
from PySide6.QtWidgets import QWidget

PREVIEW_MAX_PIXELS = 1920 * 1080  # a larger camera stream is slow to show on a small laptop


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


def camera_permission() -> tuple[Any, Qt.PermissionStatus]:
    """The camera permission and whether the system grants it; Granted where the system has no
    such permission to ask for (the permission is then None)."""
    permission = None
    try:
        permission = QtCore.QCameraPermission()
        status = QCoreApplication.instance().checkPermission(permission)  # type: ignore[union-attr]
    except (AttributeError, TypeError):
        status = Qt.PermissionStatus.Granted
    return permission, status


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
