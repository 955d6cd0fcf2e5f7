"""Files the desk writes for people: exports, documents, calendars, access exports.

Every file written outside the database goes through here, so the same promises hold for
all of them, from the command line and from the window:

- nothing is written inside a data folder this process opened (the database, its
  journal, the key file, backups, logs): refused, nothing changed;
- nothing replaces what is not a regular file (a symbolic link, a FIFO, a device, a
  folder), a file with other names (hard links), or a regular file holding another kind
  of content: a CSV export never replaces a database or a PDF;
- the folder must exist: it is never created (a typo in a path is said, not obeyed);
- a file is written whole or not at all: under a private temporary name (0600) beside
  its final place, flushed to disk, then renamed over it; a failure removes it, and one
  left by a killed process is removed at the next start (``clean_pending``);
- a failure is an :class:`OutputError`: one line naming the path, saying what to do.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import secrets
import stat
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO

from amudesk.crypto import fsync_folder
from amudesk.i18n import _
from amudesk.text import shown

log = logging.getLogger(__name__)

STDOUT = Path("-")
PART_SUFFIX = ".part"
PENDING_FOLDER = "pending"
SNIFF_BYTES = 65_536

# The kinds of content the desk writes, by file name ending.
KINDS = {".pdf": "pdf", ".csv": "csv", ".xlsx": "xlsx", ".ics": "ics", ".json": "json"}

# Data folders named or opened by this process: nothing is ever written inside them here.
_protected: set[Path] = set()
# The data folder opened last: notes of temporary files in progress are kept there.
_home: list[Path] = []


class OutputError(Exception):
    """A file cannot be written where asked; the message is one line for people."""


def protect_folder(data_dir: Path) -> None:
    """Refuse, from now on, every output of this process inside ``data_dir`` (which need
    not exist yet)."""
    _protected.add(Path(data_dir).expanduser().resolve())


def claim_data_folder(data_dir: Path) -> None:
    """Protect ``data_dir`` (an opened data folder) from every output of this process, and
    remove the temporary files that outputs interrupted by a kill left behind."""
    protect_folder(data_dir)
    _home[:] = [Path(data_dir).resolve() / PENDING_FOLDER]
    clean_pending(Path(data_dir))


def kind_of(path: Path) -> str | None:
    return KINDS.get(Path(path).suffix.lower())


# --- checking where a file goes ----------------------------------------------------------


def check_target(path: Path, kind: str, *, label: str) -> Path:
    """The absolute path ``path`` names, when a file of ``kind`` may be written there;
    OutputError (``label``: what asked for it, such as ``-o``) otherwise."""
    path = Path(path)
    name = shown(str(path))
    if not path.name or path.name in (".", ".."):
        raise OutputError(_("{label}: {path} is not a file name.").format(label=label, path=name))
    folder = path.parent
    try:
        folder_mode = folder.stat().st_mode
    except FileNotFoundError:
        raise OutputError(
            _("{label}: the folder {folder} does not exist; create it first.").format(
                label=label, folder=shown(str(folder))
            )
        ) from None
    except OSError as exc:
        raise OutputError(describe(exc, path, label)) from None
    if not stat.S_ISDIR(folder_mode):
        raise OutputError(
            _("{label}: {folder} is not a folder.").format(label=label, folder=shown(str(folder)))
        )
    target = folder.resolve() / path.name
    _refuse_protected(target, label, name)
    try:
        status = target.lstat()
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputError(describe(exc, path, label)) from None
    if stat.S_ISLNK(status.st_mode):
        raise OutputError(
            _(
                "{label}: {path} is a symbolic link; it is not replaced. Give the name of a "
                "new file or of a file written by AMU Desk."
            ).format(label=label, path=name)
        )
    if stat.S_ISDIR(status.st_mode):
        raise OutputError(
            _("{label}: {path} is a folder; give a file name.").format(label=label, path=name)
        )
    if not stat.S_ISREG(status.st_mode):
        raise OutputError(
            _(
                "{label}: {path} is not a regular file (a device or a pipe); it is not replaced."
            ).format(label=label, path=name)
        )
    if status.st_nlink > 1:
        raise OutputError(
            _(
                "{label}: {path} has other names (hard links); it is not replaced. Choose "
                "another file name."
            ).format(label=label, path=name)
        )
    if status.st_size and not _holds(target, kind):
        raise OutputError(
            _(
                "{label}: {path} exists and is not a {kind} file; it is not replaced. Choose "
                "another file name."
            ).format(label=label, path=name, kind=kind.upper())
        )
    return target


def _refuse_protected(target: Path, label: str, name: str) -> None:
    for folder in _protected:
        if target == folder or target.is_relative_to(folder):
            raise OutputError(
                _(
                    "{label}: {path} is inside the data folder, where AMU Desk keeps the "
                    "database and its backups; nothing is written there. Choose another folder."
                ).format(label=label, path=name)
            )


def refuse_data_folder(folder: Path, *, label: str) -> None:
    """OutputError when ``folder`` is, or lies inside, a data folder of this run."""
    _refuse_protected(Path(folder).resolve(), label, shown(str(folder)))


def check_folder(folder: Path, *, label: str) -> Path:
    """The absolute path of an existing folder outside every data folder, where files are
    to be written (a backup's, an access export's); OutputError otherwise."""
    folder = Path(folder)
    name = shown(str(folder))
    try:
        mode = folder.lstat().st_mode
    except FileNotFoundError:
        raise OutputError(
            _("{label}: the folder {folder} does not exist; create it first.").format(
                label=label, folder=name
            )
        ) from None
    except OSError as exc:
        raise OutputError(describe(exc, folder, label)) from None
    if stat.S_ISLNK(mode):
        mode = folder.stat().st_mode
    if not stat.S_ISDIR(mode):
        raise OutputError(_("{label}: {folder} is not a folder.").format(label=label, folder=name))
    resolved = folder.resolve()
    _refuse_protected(resolved, label, name)
    return resolved


def _holds(path: Path, kind: str) -> bool:
    """Whether the regular file ``path`` holds content of ``kind`` (what the desk writes)."""
    try:
        # Not following a link, and not waiting on a FIFO swapped in since the check.
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError:
        return False
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "xlsx":
        return head.startswith(b"PK\x03\x04")
    if not _is_text(head):
        return False
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if kind == "ics":
        return text.startswith(b"BEGIN:VCALENDAR")
    if kind == "json":
        return text[:1] in (b"{", b"[")
    # csv: text that is no other kind the desk knows
    return not text.startswith((b"%PDF-", b"BEGIN:VCALENDAR", b"SQLite format 3", b"{\\rtf"))


def _is_text(head: bytes) -> bool:
    """Text a spreadsheet or an editor wrote: no NUL, no other control character than
    tab, line feed, carriage return and form feed, in UTF-8 or a one-byte encoding."""
    if any(byte < 0x20 and byte not in (0x09, 0x0A, 0x0C, 0x0D) for byte in head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Cut in the middle of a character at the end of the sample: still UTF-8.
        if exc.start < len(head) - 3:
            return all(byte != 0x7F for byte in head)  # Windows-1252 and the like
    return True


# --- writing ---------------------------------------------------------------------------


@contextlib.contextmanager
def replacing(path: Path, kind: str, *, label: str) -> Iterator[BinaryIO]:
    """A binary handle whose bytes become the file ``path`` when the block ends normally;
    nothing changes at ``path`` when it raises. See :func:`check_target` for what is
    refused. OSError (a full disk, a folder without permission) becomes OutputError."""
    target = check_target(path, kind, label=label)
    with _temporary(target, label) as (handle, temporary):
        yield handle
        _finish(handle, temporary, target, path, label)


def write_files(files: Mapping[Path, bytes], *, label: str) -> list[Path]:
    """Write every ``path: content`` of ``files`` (the kind from each name's ending), all or
    none: if one cannot be written, none is left, not even one that was already renamed
    into place. Returns the paths written."""
    targets = {}
    for path in files:
        kind = kind_of(path)
        if kind is None:
            raise OutputError(
                _("{label}: {path}: the file name must end in {endings}.").format(
                    label=label, path=shown(str(path)), endings=", ".join(KINDS)
                )
            )
        targets[path] = check_target(path, kind, label=label)
    placed: list[Path] = []
    with contextlib.ExitStack() as stack:
        handles = []
        for path, content in files.items():
            handle, temporary = stack.enter_context(_temporary(targets[path], label))
            _write(handle, content, path, label)
            handles.append((handle, temporary, targets[path], path))
        try:
            for handle, temporary, target, path in handles:
                _finish(handle, temporary, target, path, label)
                placed.append(target)
        except BaseException:
            for target in placed:
                target.unlink(missing_ok=True)
            raise
    return list(files)


def _write(handle: BinaryIO, content: bytes, path: Path, label: str) -> None:
    try:
        handle.write(content)
    except OSError as exc:
        raise OutputError(describe(exc, path, label)) from None


def _finish(handle: BinaryIO, temporary: Path, target: Path, path: Path, label: str) -> None:
    try:
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        os.replace(temporary, target)
        fsync_folder(target.parent)
    except OSError as exc:
        raise OutputError(describe(exc, path, label)) from None


@contextlib.contextmanager
def _temporary(target: Path, label: str) -> Iterator[tuple[BinaryIO, Path]]:
    """A new private file beside ``target`` (removed when the block raises), noted in the
    data folder so that a kill midway is cleaned up at the next start."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}{PART_SUFFIX}")
    note = _note_pending(temporary)
    try:
        fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except OSError as exc:
        _drop_note(note)
        raise OutputError(describe(exc, target, label)) from None
    handle = os.fdopen(fd, "wb")
    try:
        yield handle, temporary
    except BaseException as exc:
        with contextlib.suppress(OSError):  # flushing what is left fails on a full disk
            handle.close()
        temporary.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(describe(exc, target, label)) from None
        raise
    finally:
        with contextlib.suppress(OSError):
            handle.close()
        _drop_note(note)


def write_stdout(data: bytes) -> None:
    """``data`` to standard output; a reader that stops early (``| head``) is not an error."""
    try:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail


def describe(exc: OSError, path: Path, label: str) -> str:
    """One line for people about ``exc`` met while writing ``path``."""
    name = shown(str(path))
    number = exc.errno
    if number in (errno.ENOSPC, errno.EDQUOT):
        message = _(
            "{label}: the disk is full; {path} was not written. Free some space and try again."
        )
    elif number in (errno.EACCES, errno.EPERM):
        message = _("{label}: no permission to write {path}; choose a folder of your own.")
    elif number == errno.EROFS:
        message = _("{label}: {path} is on a read-only disk; choose another folder.")
    elif number == errno.EISDIR:
        message = _("{label}: {path} is a folder; give a file name.")
    elif number == errno.ENOENT:
        message = _("{label}: the folder of {path} does not exist; create it first.")
    else:
        return _("{label}: {path} cannot be written ({reason}).").format(
            label=label, path=name, reason=shown(exc.strerror or exc.__class__.__name__)
        )
    return message.format(label=label, path=name)


# --- what a kill leaves behind ----------------------------------------------------------


def _note_pending(temporary: Path) -> Path | None:
    if not _home:
        return None
    home = _home[0]
    try:
        home.mkdir(mode=0o700, exist_ok=True)
        note = home / f"{secrets.token_hex(8)}.json"
        fd = os.open(note, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
            json.dump({"pid": os.getpid(), "path": os.fsencode(temporary).hex()}, handle)
    except OSError:
        log.warning("could not note a temporary output file")  # a full disk fails just after
        return None
    return note


def _drop_note(note: Path | None) -> None:
    if note is not None:
        with contextlib.suppress(OSError):
            note.unlink()


def clean_pending(data_dir: Path) -> list[Path]:
    """Remove the temporary output files a killed process left (noted in ``data_dir``);
    those of a process still running are left alone. Returns what was removed."""
    removed: list[Path] = []
    home = Path(data_dir) / PENDING_FOLDER
    try:
        notes = sorted(home.glob("*.json"))
    except OSError:
        return removed
    for note in notes:
        try:
            data = json.loads(note.read_text(encoding="utf-8"))
            pid = int(data["pid"])
            temporary = Path(os.fsdecode(bytes.fromhex(data["path"])))
        except (OSError, ValueError, KeyError, TypeError):
            with contextlib.suppress(OSError):
                note.unlink()
            continue
        if pid != os.getpid() and _alive(pid):
            continue
        with contextlib.suppress(OSError):
            if temporary.name.endswith(PART_SUFFIX) and stat.S_ISREG(temporary.lstat().st_mode):
                temporary.unlink()
                removed.append(temporary)
        with contextlib.suppress(OSError):
            note.unlink()
    if removed:
        log.info("removed %d unfinished output files", len(removed))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True
