"""Where the desk keeps its files: one private data folder, chosen once per run."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "AMU Desk"
DATABASE_NAME = "amudesk.sqlite3"
ENV_DATA_DIR = "AMUDESK_DATA_DIR"


def default_data_dir() -> Path:
    """``$AMUDESK_DATA_DIR`` when set, else the platform's user data folder."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def prepare_data_dir(path: Path) -> Path:
    """Create the folder (and parents) if needed; keep it private (0700)."""
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        path.chmod(0o700)
    for sub in ("backups", "logs"):
        (path / sub).mkdir(exist_ok=True)
        if os.name == "posix":
            (path / sub).chmod(0o700)
    return path


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if missing; tighten it if it exists."""
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(fd)
    if os.name == "posix":
        path.chmod(0o600)
