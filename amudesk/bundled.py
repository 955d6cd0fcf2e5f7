"""Where the files shipped with AMU Desk are: ``resources`` (fonts, style sheet, the Brussels
CPAS directory) and ``translations`` (the message catalogs).

In the source tree they are the top-level folders ``resources/`` and ``translations/``;
installed, they are the packages ``amudesk.resources`` and ``amudesk.translations``
(pyproject.toml maps one onto the other). Both are found through ``importlib.resources``,
so the same lookup works in a development checkout (editable install), an installed wheel
and the PyInstaller one-folder app, whatever the working directory.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

RESOURCES = "amudesk.resources"
TRANSLATIONS = "amudesk.translations"


class BundleError(Exception):
    """The shipped files are not plain files on disk (a zipped install, say)."""


def _folder(package: str) -> Path:
    folder = files(package)
    if not isinstance(folder, Path):
        # Fonts are handed to reportlab and the style sheet to Qt by file name: both need a
        # real folder, which every supported install (wheel, editable, PyInstaller) gives.
        raise BundleError(f"{package} is not a folder on disk: {folder!r}")
    return folder


def resources_dir() -> Path:
    """The folder of the fonts, the style sheet and the CPAS directory data."""
    return _folder(RESOURCES)


def translations_dir() -> Path:
    """The folder holding ``<language>/LC_MESSAGES/amudesk.po``."""
    return _folder(TRANSLATIONS)
