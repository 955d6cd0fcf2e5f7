"""The key that opens the database: Argon2id over the passphrase, handed to SQLCipher raw.

The data folder holds a small key file (``amudesk.key``, JSON) with the Argon2id salt and
cost parameters; nothing about a person is in it. The same salt is given to SQLCipher with
the raw key, so it is also the first 16 bytes of the database file and of every encrypted
copy of it: a copy can be opened with its passphrase and the parameters alone.

The derived key lives in a ``bytearray`` that :meth:`Key.wipe` overwrites when the store
closes or locks. The passphrase itself arrives as a Python ``str``, which cannot be
overwritten: it is dropped as soon as the key is derived.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

KEY_FILE_NAME = "amudesk.key"
KEY_FILE_FORMAT = 1
SALT_BYTES = 16
KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class KdfParams:
    """Argon2id costs: passes, memory in KiB, lanes."""

    time_cost: int = 3
    memory_cost: int = 65_536  # 64 MiB: about 0.17 s on a 2-core laptop
    parallelism: int = 1

    def meets_owasp_minimum(self) -> bool:
        """At least one of OWASP's Argon2id settings (2023): m=19 MiB with t=2, or stronger."""
        if self.parallelism < 1:
            return False
        return (self.memory_cost >= 19_456 and self.time_cost >= 2) or (
            self.memory_cost >= 47_104 and self.time_cost >= 1
        )


DEFAULT_KDF = KdfParams()


class Key:
    """32 bytes of key, overwritten by :meth:`wipe`; its hex form is made only when asked."""

    __slots__ = ("_bytes", "salt")

    def __init__(self, material: bytes | bytearray, salt: bytes) -> None:
        self._bytes = bytearray(material)
        self.salt = bytes(salt)

    @property
    def wiped(self) -> bool:
        return not any(self._bytes)

    def pragma(self) -> str:
        """The ``PRAGMA key`` statement: raw key and salt, so SQLCipher runs no KDF of its own."""
        if self.wiped:
            raise RuntimeError("the key was wiped")
        return f"PRAGMA key = \"x'{self._bytes.hex()}{self.salt.hex()}'\""

    def wipe(self) -> None:
        for index in range(len(self._bytes)):
            self._bytes[index] = 0

    def __repr__(self) -> str:  # never print key material
        return "<Key wiped>" if self.wiped else "<Key>"


def derive_key(passphrase: str, salt: bytes, params: KdfParams = DEFAULT_KDF) -> Key:
    from argon2.low_level import Type, hash_secret_raw

    raw = hash_secret_raw(
        passphrase.encode("utf-8"),
        salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_cost,
        parallelism=params.parallelism,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )
    return Key(raw, salt)


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


# --- the key file --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFile:
    """What ``amudesk.key`` says: the salt, the costs, and whether the database was made."""

    salt: bytes
    params: KdfParams
    initialised: bool  # False between writing this file and the database's first commit

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": KEY_FILE_FORMAT,
                "kdf": "argon2id",
                "salt": self.salt.hex(),
                **asdict(self.params),
                "initialised": self.initialised,
            },
            indent=2,
        )


class KeyFileError(Exception):
    """The key file cannot be read; the message names the problem."""


def key_file_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE_NAME


def read_key_file(path: Path) -> KeyFile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != KEY_FILE_FORMAT or data.get("kdf") != "argon2id":
            raise KeyFileError(f"{path.name}: unknown format")
        salt = bytes.fromhex(data["salt"])
        if len(salt) != SALT_BYTES:
            raise KeyFileError(f"{path.name}: the salt has the wrong length")
        params = KdfParams(
            time_cost=int(data["time_cost"]),
            memory_cost=int(data["memory_cost"]),
            parallelism=int(data["parallelism"]),
        )
        return KeyFile(salt=salt, params=params, initialised=bool(data.get("initialised", True)))
    except KeyFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyFileError(f"{path.name}: {exc.__class__.__name__}") from exc


def write_key_file(path: Path, key_file: KeyFile) -> None:
    """Write atomically (temporary file, fsync, rename), private to the user."""
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    try:
        os.write(fd, key_file.to_json().encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    fsync_folder(path.parent)


def fsync_path(path: Path) -> None:
    """Flush ``path``'s bytes (a file, or a folder's entries) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where folders cannot be opened)."""
    if os.name == "posix":
        fsync_path(folder)


# --- what a database file is ---------------------------------------------------------------


def file_kind(path: Path) -> str:
    """``missing``, ``empty``, ``plain`` (an unencrypted SQLite file) or ``sealed`` (anything
    else: an encrypted database, or bytes that are not a database at all)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return "missing"
    if not head:
        return "empty"
    return "plain" if head == SQLITE_HEADER else "sealed"


def file_salt(path: Path) -> bytes:
    """The salt at the start of an encrypted database file."""
    with path.open("rb") as handle:
        return handle.read(SALT_BYTES)
