"""Preferences of this computer (interface language, window layout), outside the database.

They are read before the database opens (the unlock screen must speak the user's
language) and hold nothing about any person.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from amudesk.paths import default_data_dir, private_file

SETTINGS_NAME = "settings.json"
log = logging.getLogger(__name__)


@dataclass
class Settings:
    language: str | None = None
    window_geometry: str = ""
    splitter_state: str = ""
    extra: dict[str, object] = field(default_factory=dict)


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
    known = {
        k: raw[k] for k in ("language", "window_geometry", "splitter_state", "extra") if k in raw
    }
    settings = Settings(**known)
    if settings.language not in (None, "fr", "nl", "en"):
        settings.language = None
    return settings


def save_settings(settings: Settings, data_dir: Path | None) -> None:
    """Write atomically: a crash leaves the old file or the new one, never half of one."""
    path = settings_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    private_file(temporary)
    temporary.write_text(json.dumps(asdict(settings), indent=1), encoding="utf-8")
    os.replace(temporary, path)
