"""The passphrase tests open their stores with, and Argon2id costs low enough for a test.

Stores the tests make in-process use ``FAST_KDF``; what the command line or the app
creates on its own uses the real costs (``amudesk.crypto.DEFAULT_KDF``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from amudesk.crypto import KdfParams

PASSPHRASE = "test passphrase – ünïcödé 7"
FAST_KDF = KdfParams(time_cost=1, memory_cost=8, parallelism=1)


def keyed(path: Path, data_dir: Path | None = None) -> Any:
    """A SQLCipher connection to an encrypted file made with the tests' passphrase (the key
    file is read from ``data_dir``, by default the file's own folder)."""
    from amudesk import crypto
    from amudesk.store import keyed_connection

    key_file = crypto.read_key_file(crypto.key_file_path(data_dir or path.parent))
    return keyed_connection(path, crypto.derive_key(PASSPHRASE, key_file.salt, key_file.params))
