"""Where the desk keeps its files: one private data folder, chosen once per run."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from platformdirs import user_data_path

from amudesk.storeerrors import storage_error

log = logging.getLogger(__name__)

APP_NAME = "AMU Desk"
DATABASE_NAME = "amudesk.sqlite3"
ENV_DATA_DIR = "AMUDESK_DATA_DIR"


def default_data_dir() -> Path:
    """``$AMUDESK_DATA_DIR`` when set, else the platform's user data folder."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return user_data_path(APP_NAME, appauthor=False)


def prepare_data_dir(path: Path) -> Path:
    """Create the folder (and parents) if needed, with ``backups`` and ``logs``, and keep
    everything in it private: every folder 0700, every regular file without any right
    for group or others (0600 at most). Symbolic links are neither followed nor changed.
    Raises StoreError (``amudesk.storeerrors``) when the folder cannot be made or written."""
    path = path.expanduser().resolve()
    try:
        path.mkdir(parents=True, exist_ok=True)
        for sub in ("backups", "logs"):
            (path / sub).mkdir(exist_ok=True)
        if os.name == "posix":
            tighten(path)
    except OSError as exc:
        raise storage_error(exc, path) from exc
    return path


# What the desk itself keeps in a data folder (files starting with "amudesk" too): all that
# is tightened when the data folder is a home folder, where other files are the user's.
DESK_ENTRIES = ("backups", "logs", "pending", "settings.json", "failed-unlocks")


def tighten(folder: Path) -> None:
    """``folder`` and every folder below it 0700, every regular file in them 0600 at most;
    a mode already that narrow is not written again (a read-only disk is not touched).

    A data folder that is the home folder (or holds it) is the user's too: there only the
    desk's own files and folders are tightened, never the user's other files."""
    _narrow(folder, 0o700, exact=True)
    home = Path.home().resolve()
    if folder == home or folder in home.parents:
        entries = [
            entry
            for entry in folder.iterdir()
            if entry.name.startswith("amudesk") or entry.name in DESK_ENTRIES
        ]
    else:
        entries = list(folder.iterdir())
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            _narrow(entry, 0o700, exact=True)
            _tighten_below(entry)
        else:
            _narrow(entry, 0o600, exact=False)


def _tighten_below(folder: Path) -> None:
    for root, folders, files in os.walk(folder, followlinks=False):
        for name in folders:
            _narrow(Path(root) / name, 0o700, exact=True)
        for name in files:
            _narrow(Path(root) / name, 0o600, exact=False)


def _narrow(path: Path, mode: int, *, exact: bool) -> None:
    """A folder (``exact``) gets ``mode``; a regular file loses the rights ``mode`` does
    not grant (a read-only 0400 stays so). Anything else (a link) is left alone."""
    try:
        status = path.lstat()
    except FileNotFoundError:  # removed meanwhile (a log rotated, a copy finished)
        return
    current = stat.S_IMODE(status.st_mode)
    if exact and stat.S_ISDIR(status.st_mode):
        wanted = mode
    elif not exact and stat.S_ISREG(status.st_mode):
        wanted = current & mode
    else:
        return
    if current != wanted:
        os.chmod(path, wanted)
        log.info("permissions of a file in the data folder narrowed")


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing; tighten it if it exists."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    if os.name == "posix":
        path.chmod(0o600)
