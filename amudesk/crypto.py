"""The key that opens the database: Argon2id over the passphrase, handed to SQLCipher raw.

The data folder holds a small key file (``amudesk.key``, JSON) with the Argon2id salt and
cost parameters; nothing about a person is in it. The same salt is given to SQLCipher with
the raw key, so it is also the first 16 bytes of the database file and of every encrypted
copy of it: a copy can be opened with its passphrase and the parameters alone.

The derived key lives in a ``bytearray`` that :meth:`Key.wipe` overwrites when the store
closes or locks. The passphrase itself arrives as a Python ``str``, which cannot be
overwritten: it is dropped as soon as the key is derived.

A passphrase is derived in Unicode's composed form (NFC): "café" typed with a precomposed
"é" or with "e" and a combining accent gives the same key. Key files written since then
say so (``"passphrase_form": "nfc"``); one without that field was made before, from the
passphrase exactly as typed, and is tried with the passphrase as typed, then in its
composed and decomposed forms (:func:`passphrase_candidates`).
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import secrets
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from argon2.exceptions import HashingError
from argon2.low_level import Type, hash_secret_raw

from amudesk.i18n import _

KEY_FILE_NAME = "amudesk.key"
KEY_FILE_FORMAT = 1
KEY_FILE_MAX_BYTES = 4096  # a key file is about 200 bytes
SALT_BYTES = 16
KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
# How key files written now derive the passphrase (absent from those made before).
PASSPHRASE_FORM = "nfc"
# The Argon2id costs a key file may ask for: beyond them it is damaged or hostile (a
# memory cost of terabytes, a billion passes), never derived.
TIME_COST_RANGE = (1, 64)
PARALLELISM_RANGE = (1, 64)
MAX_MEMORY_KIB = 4 * 1024 * 1024  # 4 GiB


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


MIN_LENGTH = 10  # of a passphrase or an account's password
MIN_SCORE = 3  # zxcvbn's "strong"
MAX_SCORE = 4
# zxcvbn gets slow on long inputs (about 50 ms at 100 characters): it never sees more.
MAX_CHECKED = 100
# Words zxcvbn should count as guessable in a passphrase chosen for this program.
GUESSABLE_WORDS = ("amudesk", "amu", "desk", "aide médicale urgente", "cpas", "ocmw")


def passphrase_strength(passphrase: str, *, also_guessable: tuple[str, ...] = ()) -> int:
    """zxcvbn's score, 0 (very weak) .. 4 (very strong), of the first 100 characters;
    ``also_guessable`` adds words (an account's own name) counted as easy to guess."""
    if not passphrase:
        return 0
    from zxcvbn import zxcvbn  # about 0.1 s to import its word lists: only when needed

    checked = passphrase[:MAX_CHECKED]
    words = [*GUESSABLE_WORDS, *also_guessable]
    try:
        result = zxcvbn(checked, user_inputs=words, max_length=MAX_CHECKED)
    except TypeError:  # zxcvbn before 4.5 has neither the argument nor the 72-character limit
        result = zxcvbn(checked, user_inputs=words)
    return max(0, min(MAX_SCORE, int(result["score"])))


def passphrase_is_text(passphrase: str) -> bool:
    """False when ``passphrase`` cannot be written in UTF-8: lone surrogates, which is how
    Python hands over bytes of another encoding from the environment or a terminal."""
    try:
        passphrase.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normalise_passphrase(passphrase: str) -> str:
    """The composed form (NFC) keys are derived from."""
    return unicodedata.normalize("NFC", passphrase)


def passphrase_candidates(passphrase: str, form: str | None) -> list[str]:
    """The forms of ``passphrase`` to derive a key from, for a key file whose passphrase
    form is ``form``: its composed form; for a key file made before passphrases were
    normalised (``None``), the passphrase as typed, then its NFC and NFD forms, each once."""
    if form == PASSPHRASE_FORM:
        return [normalise_passphrase(passphrase)]
    candidates: list[str] = []
    for candidate in (
        passphrase,
        unicodedata.normalize("NFC", passphrase),
        unicodedata.normalize("NFD", passphrase),
    ):
        if candidate not in candidates:
            candidates.append(candidate)
    return candidates


def derive_key(passphrase: str, salt: bytes, params: KdfParams = DEFAULT_KDF) -> Key:
    """Argon2id of ``passphrase`` exactly as given (callers normalise it first). Raises
    ValueError for a passphrase that is not text (see :func:`passphrase_is_text`) and
    for costs outside what a key file may ask for."""
    check_params(params)
    try:
        raw = hash_secret_raw(
            passphrase.encode("utf-8"),
            salt,
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
            hash_len=KEY_BYTES,
            type=Type.ID,
        )
    except (HashingError, MemoryError) as exc:  # the memory cost could not be allocated
        raise KeyDerivationError(str(exc)) from exc
    return Key(raw, salt)


class KeyDerivationError(Exception):
    """Argon2id could not run (its memory could not be allocated)."""


def new_salt() -> bytes:
    return secrets.token_bytes(SALT_BYTES)


# --- the key file --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFile:
    """What ``amudesk.key`` says: the salt, the costs, whether the database was made, and
    the form the passphrase is derived in (None: made before passphrases were normalised)."""

    salt: bytes
    params: KdfParams
    initialised: bool  # False between writing this file and the database's first commit
    passphrase_form: str | None = PASSPHRASE_FORM

    def marked_initialised(self) -> KeyFile:
        """The same salt, costs and passphrase form (as the key was derived), initialised."""
        return dataclasses.replace(self, initialised=True)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "format": KEY_FILE_FORMAT,
            "kdf": "argon2id",
            "salt": self.salt.hex(),
            **asdict(self.params),
            "initialised": self.initialised,
        }
        if self.passphrase_form is not None:
            data["passphrase_form"] = self.passphrase_form
        return json.dumps(data, indent=2)


class KeyFileError(Exception):
    """The key file cannot be used; the message (for people) names the problem."""


def key_file_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE_NAME


def check_params(params: KdfParams) -> None:
    """Raise ValueError unless the costs are whole numbers within what a key file may ask
    for (Argon2id itself needs at least 8 KiB of memory per lane)."""
    values = (params.time_cost, params.memory_cost, params.parallelism)
    if any(type(value) is not int for value in values):
        raise ValueError("Argon2id costs must be whole numbers")
    if not TIME_COST_RANGE[0] <= params.time_cost <= TIME_COST_RANGE[1]:
        raise ValueError("Argon2id time cost out of range")
    if not PARALLELISM_RANGE[0] <= params.parallelism <= PARALLELISM_RANGE[1]:
        raise ValueError("Argon2id parallelism out of range")
    if not 8 * params.parallelism <= params.memory_cost <= MAX_MEMORY_KIB:
        raise ValueError("Argon2id memory cost out of range")


def read_key_file(path: Path) -> KeyFile:
    """The key file at ``path``, checked: KeyFileError when it is missing, is not a key
    file, or asks for costs no key file of AMU Desk has. An error reading an existing
    file (no permission, a failing disk) is raised as the OSError it is."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(KEY_FILE_MAX_BYTES + 1)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
        raise KeyFileError(_("it is missing")) from exc
    if len(raw) > KEY_FILE_MAX_BYTES:
        raise KeyFileError(_("it is not a key file of AMU Desk"))
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, nested too deep
        raise KeyFileError(_("it is not a key file of AMU Desk")) from exc
    if not isinstance(data, dict):
        raise KeyFileError(_("it is not a key file of AMU Desk"))
    if data.get("format") != KEY_FILE_FORMAT or data.get("kdf") != "argon2id":
        raise KeyFileError(_("it is not in a format this version of AMU Desk knows"))
    salt_text = data.get("salt")
    try:
        salt = bytes.fromhex(salt_text) if isinstance(salt_text, str) else b""
    except ValueError:
        salt = b""
    if len(salt) != SALT_BYTES:
        raise KeyFileError(_("its salt is damaged"))
    costs: list[Any] = [data.get(name) for name in ("time_cost", "memory_cost", "parallelism")]
    if any(type(cost) is not int for cost in costs):  # a bool, a string, a fraction
        raise KeyFileError(_("its Argon2id costs are missing or out of range"))
    params = KdfParams(time_cost=costs[0], memory_cost=costs[1], parallelism=costs[2])
    try:
        check_params(params)
    except ValueError as exc:
        raise KeyFileError(_("its Argon2id costs are missing or out of range")) from exc
    initialised = data.get("initialised", True)
    if not isinstance(initialised, bool):
        raise KeyFileError(_("its initialisation flag is damaged"))
    form = data.get("passphrase_form")
    if form is not None and form != PASSPHRASE_FORM:
        raise KeyFileError(_("it asks for a passphrase form this version does not know"))
    return KeyFile(salt=salt, params=params, initialised=initialised, passphrase_form=form)


def write_key_file(path: Path, key_file: KeyFile) -> None:
    """Write atomically (temporary file, fsync, rename), private to the user; a failure
    (a full disk) leaves the file as it was and no temporary file behind."""
    write_private(path, key_file.to_json().encode("utf-8"))
    fsync_folder(path.parent)


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` (a small file of the data folder), private to the user
    (0600): written beside it, flushed, renamed; a failure (a full disk, a short write)
    leaves ``path`` as it was and no temporary file behind."""
    temporary = path.with_name(path.name + ".tmp")
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        try:
            if os.write(fd, data) != len(data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # a short write
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


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
