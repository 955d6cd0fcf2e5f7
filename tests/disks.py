"""Small file systems of a test's own, to fill up or make read-only for real.

Mounting needs root on Linux (CI runs so here); where it is not allowed, the fixture
skips with its reason, and tests that fail a writer the way a full disk does cover the
same promises everywhere."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def tmpfs(mount_point: Path, size: str = "4m") -> Iterator[Path]:
    """``mount_point`` (made if needed) as a tmpfs of ``size``, unmounted afterwards."""
    mount_point.mkdir(exist_ok=True)
    if shutil.which("mount") is None or os.name != "posix":
        pytest.skip("no mount command here: the simulated disk failures cover this")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("this run may not mount a file system: the simulated failures cover this")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False, capture_output=True)


def fill(folder: Path) -> None:
    """Write into ``folder`` until its file system has no byte left."""
    for name, chunk in (("filler", bytes(1 << 16)), ("filler-small", b"\0")):
        with (folder / name).open("wb", buffering=0) as handle, contextlib.suppress(OSError):
            while True:
                handle.write(chunk)


def empty_fillers(folder: Path) -> None:
    """Give back the room :func:`fill` took."""
    for filler in folder.glob("filler*"):
        filler.unlink()


def remount_read_only(mount_point: Path) -> None:
    made = subprocess.run(
        ["mount", "-o", "remount,ro", str(mount_point)], capture_output=True, check=False
    )
    if made.returncode != 0:
        pytest.skip("this run may not remount a file system read-only")
