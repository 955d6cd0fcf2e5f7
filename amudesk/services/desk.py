"""Opening the desk: the store opened, then what every open, unlock and passphrase change
writes (the CPAS directory of a new database, the audit entries).

``amudesk.store`` opens, keys and migrates; the window and the command line call these
instead, so that both write the same entries in the same order.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from amudesk import store as store_module
from amudesk.crypto import DEFAULT_KDF, KdfParams
from amudesk.services import accounts, audit, editing, nextdue
from amudesk.services.directory import seed_brussels
from amudesk.store import Store


def _fill_new(session: Session) -> None:
    seed_brussels(session=session)  # adds nothing to a directory that has entries


def open_desk(
    data_dir: Path | None = None,
    *,
    url: str | None = None,
    passphrase: str | None = None,
    kdf: KdfParams = DEFAULT_KDF,
    record_unlock: bool = False,
) -> Store:
    """``store.open_store`` (see there), a new database filled with the Brussels CPAS
    directory; then the wrong passphrases noted since the last open
    (``store.note_failed_unlock``) are written into the audit trail, followed by an
    ``unlock`` entry; with ``record_unlock`` that entry is written even when there were
    none (the window's start). From then on every commit keeps the cases' next time limits
    in step (``nextdue.install``)."""
    nextdue.install()
    editing.install()
    accounts.install()
    store = store_module.open_store(
        data_dir, url=url, passphrase=passphrase, kdf=kdf, fill_new=_fill_new
    )
    if store.key is not None and store.data_dir is not None:
        with store_module.closed_on_failure(store, store.data_dir):
            record_failed_unlocks(store, always=record_unlock)
    return store


def unlock(store: Store, passphrase: str, *, record_unlock: bool = False) -> None:
    """``store.unlock`` (raises WrongPassphrase and stays locked); then the wrong
    passphrases noted meanwhile are written into the audit trail, followed by an ``unlock``
    entry, written even when there were none with ``record_unlock`` (the window's unlock
    screen). When they cannot be written the store is locked again."""
    if not store.locked:
        return
    store.unlock(passphrase)
    try:
        record_failed_unlocks(store, always=record_unlock)
    except BaseException:
        store.lock()
        raise


def change_passphrase(
    store: Store, old_passphrase: str, new_passphrase: str, kdf: KdfParams = DEFAULT_KDF
) -> Store:
    """``store.change_passphrase`` (see there), then its ``rekey`` audit entry."""
    store_module.change_passphrase(store, old_passphrase, new_passphrase, kdf)
    with store.transaction() as session:
        audit.record("rekey", session=session)
    return store


def record_failed_unlocks(store: Store, *, always: bool = False) -> int:
    """Write the wrong passphrases noted for ``store``'s data folder into its audit trail,
    each at its moment, then an ``unlock`` entry (``audit.record_unlock``), in one
    transaction; nothing when none were noted, unless ``always``. The note is removed only
    once that transaction committed. Returns how many were written."""
    if store.data_dir is None:
        return 0
    with store_module.noted_failed_unlocks(store.data_dir) as moments:
        if moments or always:
            with store.transaction() as session:
                audit.record_unlock(session=session, failed_at=moments)
    return len(moments)
