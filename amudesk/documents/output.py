"""Writing documents to disk: all the files of one action, or none of them.

Each file is written to a private temporary file (mode 0600) in its own folder, flushed
to disk, and only then renamed over its final name; a failure at any step removes what
was written, so a reader never finds half a PDF or a JSON file without its PDF.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from amudesk.crypto import fsync_folder

PARTIAL_SUFFIX = ".partial"


def write_atomically(files: Mapping[Path, bytes]) -> list[Path]:
    """Write every ``path: content`` of ``files``; returns the paths. All or nothing: if
    one file cannot be written, none is left (an older file of the same name that was
    already replaced is removed too, never left half-updated)."""
    temporaries: dict[Path, Path] = {}
    placed: list[Path] = []
    try:
        for target, content in files.items():
            handle, name = tempfile.mkstemp(
                dir=target.parent, prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX
            )
            temporaries[target] = Path(name)
            with os.fdopen(handle, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
        for target, temporary in temporaries.items():
            os.replace(temporary, target)
            placed.append(target)
        for folder in {target.parent for target in placed}:
            fsync_folder(folder)
    except BaseException:
        for temporary in temporaries.values():
            temporary.unlink(missing_ok=True)
        for target in placed:
            target.unlink(missing_ok=True)
        raise
    return list(files)
