"""Preferences of this computer (interface language, window layout, where the data lives),
outside the database.

They are read before the database opens (the unlock screen must speak the user's
language) and hold nothing about any person. The shared database's URL may hold the
server login's password: the file is private to the user (0600), like PostgreSQL's own
password file.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from amudesk.paths import default_data_dir, private_file

SETTINGS_NAME = "settings.json"
# Minutes without use before the app locks: at least one, at most four hours.
LOCK_AFTER_RANGE = (1, 240)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClockSettings:
    """The choices that change how deadlines are counted or shown (from settings.json)."""

    move_administrative: bool = False
    alert_within_days: int = 7


@dataclass
class Settings:
    language: str | None = None
    window_geometry: str = ""
    splitter_state: str = ""
    # The CPAS's administrative time limits move off a non-working day too (Code judiciaire
    # art. 53 is written for procedural acts; off by default). Judicial ones always move.
    move_administrative_deadlines: bool = False
    # Alerts: deadlines overdue or due within this many days are brought to attention.
    alert_within_days: int = 7
    # How often the running app looks again, in minutes; 0 turns the alerts off.
    alert_interval_minutes: int = 60
    # Without use for this long, the running app locks and asks for the passphrase again.
    lock_after_minutes: int = 5
    # Where the data lives: "" for this computer's encrypted store, else the postgresql://
    # URL of the office's shared database (amudesk.database), opened at the next start.
    database_url: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def clock_settings(self) -> ClockSettings:
        return ClockSettings(
            move_administrative=self.move_administrative_deadlines,
            alert_within_days=self.alert_within_days,
        )


def settings_path(data_dir: Path | None) -> Path:
    return (data_dir or default_data_dir()) / SETTINGS_NAME


def load_settings(data_dir: Path | None) -> Settings:
    path = settings_path(data_dir)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings ignored: %s", exc)
        return Settings()
    settings = Settings()
    if not isinstance(raw, dict):
        return settings
    for name, default in asdict(Settings()).items():
        value = raw.get(name, default)
        if isinstance(default, bool):
            value = value if isinstance(value, bool) else default
        elif isinstance(default, int):
            value = value if isinstance(value, int) and not isinstance(value, bool) else default
        elif isinstance(default, str):
            value = value if isinstance(value, str) else default
        elif isinstance(default, dict):
            value = value if isinstance(value, dict) else default
        setattr(settings, name, value)
    if settings.language not in (None, "fr", "nl", "en"):
        settings.language = None
    settings.alert_within_days = min(max(settings.alert_within_days, 0), 90)
    settings.alert_interval_minutes = min(max(settings.alert_interval_minutes, 0), 24 * 60)
    settings.lock_after_minutes = min(
        max(settings.lock_after_minutes, LOCK_AFTER_RANGE[0]), LOCK_AFTER_RANGE[1]
    )
    return settings


def save_settings(settings: Settings, data_dir: Path | None) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    path = settings_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    private_file(temporary)
    temporary.write_text(json.dumps(asdict(settings), indent=1), encoding="utf-8")
    os.replace(temporary, path)
