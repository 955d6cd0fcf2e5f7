"""The command line: the same services as the window.

``amudesk`` alone opens the window. Every command works on a new, empty data
folder. Bad input prints one line on stderr naming the field and the problem,
and exits with status 2; nothing is half-written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import getpass
import json
import os
import re
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.exc import DatabaseError

from amudesk import cliaccounts, i18n, launch, outputs, serverlink, stats
from amudesk.arguments import (
    EXIT_BAD_INPUT,
    OFFICE_LOCALISED_FIELDS,
    UsageError,
    is_terminal,
    parse,
)
from amudesk.backups import backup_label, check_anchors, make_backup, restore_backup
from amudesk.database import DatabaseUrlError, shared_url, shown_url
from amudesk.deadlines import ACTOR_LABELS, RULES, STATE_LABELS, Deadline
from amudesk.i18n import _, format_date, ngettext
from amudesk.identifiers import IdentifierError, parse_niss
from amudesk.models import CLOSE_REASON_LABELS
from amudesk.paths import default_data_dir, prepare_data_dir
from amudesk.services import (
    FieldError,
    NotFound,
    audit,
    clock,
    closing,
    desk,
    documents,
    privacy,
    relocate,
)
from amudesk.services import letters as letter_service
from amudesk.services import stats as stats_service
from amudesk.services.cases import find_request
from amudesk.services.clock import today_in_brussels
from amudesk.services.demo import DemoError, fill_demo
from amudesk.services.directory import CONTACT_FIELDS, import_contacts, list_cpas
from amudesk.services.exporting import export_file
from amudesk.services.importing import UnknownColumns, header_key, import_file
from amudesk.services.office import get_office, office_values, update_office
from amudesk.services.spreadsheet import SpreadsheetError
from amudesk.settings import load_settings
from amudesk.store import (
    Store,
    StoreError,
    WrongPassphrase,
    folder_state,
    integrity_problems,
    note_failed_unlock,
    open_store,
    server_unreachable,
    storage_error,
    storage_problem,
)
from amudesk.text import shown

DATABASE_URL_ENV = "AMUDESK_DATABASE_URL"  # e.g. postgresql+psycopg://… for a shared server
EXIT_OK = 0
PASSPHRASE_ENV = "AMUDESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "AMUDESK_NEW_PASSPHRASE"


def main(argv: Sequence[str] | None = None) -> int:
    """``amudesk``: the window without a command (``launch.run_window``), else the command."""
    args = parse(argv)
    if args.command is None:
        return launch.run_window(args)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    """Run the command ``args`` name (read by ``arguments.parse``); its exit status."""
    # Before anything is written: no output of this run may land in the data folder.
    data_folder = Path(args.data_dir or default_data_dir())
    outputs.protect_folder(data_folder)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "demo": cmd_demo,
        "import": cmd_import,
        "export": cmd_export,
        "niss": cmd_niss,
        "check": cmd_check,
        "backup": cmd_backup,
        "restore": cmd_restore,
        "rekey": cmd_rekey,
        "erase": cmd_erase,
        "person-export": cmd_person_export,
        "document": cmd_document,
        "deadlines": cmd_deadlines,
        "close": cmd_close,
        "reopen": cmd_reopen,
        "office": cmd_office,
        "directory": cmd_directory,
        "stats": cmd_stats,
        "user": cmd_user,
        "migrate-to": cmd_migrate_to,
    }
    try:
        return handlers[args.command](args)
    except UsageError as exc:
        _say(str(exc))
        return EXIT_BAD_INPUT
    except (outputs.OutputError, StoreError) as exc:
        _say(str(exc))
        return EXIT_BAD_INPUT
    except OSError as exc:  # whatever no command foresaw: one line, never a traceback
        where = Path(exc.filename) if exc.filename else data_folder
        _say(str(storage_error(exc, where)))
        return EXIT_BAD_INPUT
    except DatabaseError as exc:  # the store's own mapping: full, read-only, failing disk
        problem = storage_problem(exc, data_folder)
        if problem is None and server_unreachable(exc):  # not libpq's lines with their tabs
            _say(_("The office's server cannot be reached."))
        elif problem is None:
            _say(_("the database cannot be read or written: {reason}").format(reason=exc.orig))
        else:
            _say(str(problem))
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(
            "amudesk: " + _("interrupted; nothing was changed by the unfinished step"),
            file=sys.stderr,
        )
        return 130


def _say(message: str) -> None:
    """One line on stderr: control characters escaped, so that nothing a user typed or a
    file name holds can move the cursor, break the line or turn the text around."""
    print("amudesk: " + shown(" ".join(message.split("\n"))), file=sys.stderr)


def database_url(args: argparse.Namespace) -> str | None:
    """The shared database named by --database or $AMUDESK_DATABASE_URL, checked (see
    :func:`amudesk.database.shared_url`); None for the data folder's own store."""
    given = getattr(args, "database", None)
    if given is None:  # an empty --database is a mistake said as such; an empty variable, unset
        given = os.environ.get(DATABASE_URL_ENV) or None
    if given is None:
        return None
    try:
        return shared_url(given)
    except DatabaseUrlError as exc:
        raise UsageError(_("--database: {reason}").format(reason=exc)) from None


def _open(args: argparse.Namespace, passphrase: str | None = None) -> Store:
    url = database_url(args)
    folder = args.data_dir or default_data_dir()
    try:
        folder = prepare_data_dir(folder)
        if url is None and passphrase is None:
            passphrase = _passphrase(folder_state(folder))
        # Wrong passphrases typed before (noted below) go into the audit trail at this open.
        store = desk.open_desk(folder, url=url, passphrase=passphrase)
    except WrongPassphrase as exc:
        if url is None:
            note_failed_unlock(folder)
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    try:
        cliaccounts.sign_in(args, store)  # a shared database: who, and what they may do
    except BaseException:
        store.close()
        raise
    if not store.is_sqlite:  # a command never waits forever on a server that stopped
        serverlink.keep_asking(store.engine)
    return store


def cmd_migrate_to(args: argparse.Namespace) -> int:
    """The data folder's store onto an empty PostgreSQL database, or (with --database and
    --data-dir) a shared database into a new data folder; the copy checked, then audited
    on both sides."""
    shared = database_url(args)
    if args.url and (shared or args.target_dir):
        raise UsageError(
            _("migrate-to: give a URL to copy onto, or --database with --data-dir DIR, not both")
        )
    if args.url:
        try:
            target_url = shared_url(args.url)
        except DatabaseUrlError as exc:
            raise UsageError(_("migrate-to: {reason}").format(reason=exc)) from None
        return _migrate(args, shown_url(target_url), lambda: open_store(url=target_url))
    if not (shared and args.target_dir):
        raise UsageError(
            _(
                "migrate-to: give the URL of an empty PostgreSQL database (or --database with "
                "--data-dir DIR to copy a shared database back)"
            )
        )
    # A new data folder of its own: never inside this run's, holding nothing yet, and
    # emptied again when anything fails.
    target_dir = Path(args.target_dir)
    existed = target_dir.exists()
    if existed and (not target_dir.is_dir() or any(target_dir.iterdir())):
        raise UsageError(
            _("migrate-to: {folder} already holds a database; give a new folder").format(
                folder=shown(str(target_dir))
            )
        )
    outputs.refuse_data_folder(target_dir, label="--data-dir")
    passphrase = _passphrase("new")
    done = False
    try:
        folder = prepare_data_dir(target_dir)
        code = _migrate(args, str(target_dir), lambda: open_store(folder, passphrase=passphrase))
        done = True
        return code
    finally:
        if not done:
            _empty(target_dir, remove=not existed)


def _migrate(args: argparse.Namespace, target_label: str, open_target: Callable[[], Store]) -> int:
    source = _open(args)
    try:
        try:
            target = open_target()
        except StoreError as exc:
            raise UsageError(_("migrate-to: {reason}").format(reason=exc)) from None
        try:
            copied = relocate.copy_store(source, target)
            detail = f"rows={copied.total};documents={copied.documents}"
            with target.transaction() as session:
                audit.record("migrated-in", session=session, detail=detail)
            with source.transaction() as session:
                audit.record("migrated-out", session=session, detail=detail)
        except relocate.RelocateError as exc:
            raise UsageError(_("migrate-to: {reason}").format(reason=exc)) from None
        finally:
            target.close()
    finally:
        source.close()
    print(
        _(
            "Copied {rows} rows of {tables} tables to {target}; {documents} documents and "
            "{entries} audit entries checked."
        ).format(
            rows=copied.total,
            tables=len(copied.rows),
            target=shown(target_label),
            documents=copied.documents,
            entries=copied.audit_entries,
        )
    )
    return EXIT_OK


def _empty(folder: Path, *, remove: bool) -> None:
    """A copy that failed leaves nothing: the folder as it was (empty, or gone)."""
    if remove:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in list(folder.iterdir()) if folder.is_dir() else []:
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


def cmd_user(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        return cliaccounts.run_user(args, store)
    finally:
        store.close()


def _passphrase(state: str) -> str:
    """From $AMUDESK_PASSPHRASE, else asked at the terminal (twice for a new one)."""
    given = os.environ.get(PASSPHRASE_ENV)
    if given is not None:
        if not given:
            raise StoreError(_("{name} is empty").format(name=PASSPHRASE_ENV))
        return given
    if not is_terminal(sys.stdin):
        raise StoreError(
            _("no passphrase: set {name} or run the command in a terminal").format(
                name=PASSPHRASE_ENV
            )
        )
    if state == "encrypted":
        return getpass.getpass(_("Passphrase: "))
    first = getpass.getpass(_("Choose a passphrase for this data folder: "))
    if not first:
        raise StoreError(_("the passphrase cannot be empty"))
    if getpass.getpass(_("The same passphrase again: ")) != first:
        raise StoreError(_("the two passphrases differ; nothing was created"))
    return first


class _TerminalProgress:
    """A one-line progress bar on stderr when it is a terminal; silent otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = is_terminal(sys.stderr)
        self._last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = done * 100 // total
        if percent != self._last:
            self._last = percent
            bar = "#" * (percent // 4)
            sys.stderr.write(f"\r{self.label} [{bar:<25}] {percent:3d}% ({done}/{total})")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()


def cmd_demo(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        count = fill_demo(
            store=store, count=args.count, seed=args.seed, progress=_TerminalProgress(_("Demo"))
        )
    except DemoError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(
        ngettext(
            "{n} fictional person and their requests added.",
            "{n} fictional people and their requests added.",
            count,
        ).format(n=count)
    )
    return EXIT_OK


def _import_mapping(pairs: Sequence[str]) -> dict[str, str]:
    """The --map HEADER=COLUMN pairs (the last = splits them: a header may hold one)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        header, equals, column = pair.rpartition("=")
        if not equals or not header.strip() or not column.strip():
            raise UsageError(
                _("import: --map {pair}: write HEADER=COLUMN, or HEADER=ignore").format(
                    pair=shown(pair)
                )
            )
        if any(header_key(header) == header_key(known) for known in mapping):
            raise UsageError(
                _("import: --map: the header “{header}” is mapped twice").format(
                    header=shown(header.strip())
                )
            )
        mapping[header.strip()] = column.strip()
    return mapping


def cmd_import(args: argparse.Namespace) -> int:
    mapping = _import_mapping(args.map)
    store = _open(args)
    try:
        report = import_file(
            args.file,
            store=store,
            skip_invalid=args.skip_invalid,
            update=args.update,
            progress=_TerminalProgress(_("Import")),
            mapping=mapping,
        )
    except UnknownColumns as exc:
        raise UsageError(
            str(exc)
            + " "
            + _("Give each one its column with --map HEADER=COLUMN, or --map HEADER=ignore.")
        ) from None
    except SpreadsheetError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    for problem in report.problems:
        _say(problem.describe())
    for duplicate in report.duplicates:
        _say(duplicate.describe())
    if report.problems and not args.skip_invalid:
        print(
            "amudesk: "
            + ngettext(
                "nothing was imported: {n} bad row; fix it or use --skip-invalid",
                "nothing was imported: {n} bad rows; fix them or use --skip-invalid",
                len(report.bad_lines),
            ).format(n=len(report.bad_lines)),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    imported = ngettext("{n} request imported", "{n} requests imported", report.imported).format(
        n=report.imported
    )
    people = ngettext("{n} new person", "{n} new people", report.new_people).format(
        n=report.new_people
    )
    rejected = ngettext("{n} row rejected", "{n} rows rejected", len(report.bad_lines)).format(
        n=len(report.bad_lines)
    )
    summary = [f"{imported} ({people})", rejected]
    if report.duplicates:
        summary.append(
            ngettext(
                "{n} already registered (not imported)",
                "{n} already registered (not imported)",
                len(report.duplicates),
            ).format(n=len(report.duplicates))
        )
    if report.updated:
        summary.append(
            ngettext("{n} request updated", "{n} requests updated", report.updated).format(
                n=report.updated
            )
        )
    print(", ".join(summary) + ".")
    return EXIT_BAD_INPUT if report.bad_lines else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    to_stdout = args.file == outputs.STDOUT
    if not to_stdout:
        kind = outputs.kind_of(args.file)
        if kind not in ("csv", "xlsx"):
            raise UsageError(
                _(
                    "export: {path}: the file name must end in .csv or .xlsx "
                    "(or be - for standard output)"
                ).format(path=shown(str(args.file)))
            )
        outputs.check_target(args.file, kind, label=_("export"))  # before the store is opened
    store = _open(args)
    try:
        count = export_file(args.file, store=store, progress=_TerminalProgress(_("Export")))
    except SpreadsheetError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    summary = ngettext("{n} request exported.", "{n} requests exported.", count).format(n=count)
    print(summary, file=sys.stderr if to_stdout else sys.stdout)
    return EXIT_OK


def cmd_niss(args: argparse.Namespace) -> int:
    try:
        info = parse_niss(args.number)
    except IdentifierError as exc:
        if args.json:
            print(
                json.dumps(
                    {
                        "valid": False,
                        "kind": None,
                        "formatted": None,
                        "birth_date": None,
                        "sex": None,
                        "error": str(exc),
                    },
                    ensure_ascii=False,
                )
            )
        else:
            _say(str(exc))
        return EXIT_BAD_INPUT
    answer = {
        "valid": True,
        "kind": info.kind,
        "formatted": info.formatted,
        "birth_date": info.birth_date.isoformat() if info.birth_date else None,
        "sex": info.sex,
        "error": None,
    }
    if args.json:
        print(json.dumps(answer, ensure_ascii=False))
    else:
        kind = _("national register number") if info.kind == "nn" else _("BIS number")
        print(_("{number}: valid {kind}").format(number=info.formatted, kind=kind))
        if info.birth_date:
            print(_("birth date: {date}").format(date=format_date(info.birth_date, "long")))
        if info.sex:
            print(_("sex: {sex}").format(sex=info.sex))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    store = _open(args)
    trail = None
    try:
        problems = integrity_problems(store)
        if not problems:
            with store.session() as session:
                trail = audit.verify(session=session)
            if not trail.intact:
                problems.append(_("audit trail: {reason}").format(reason=trail.message))
            # Each backup noted the trail's head when it was made: a trail rewritten since
            # (by someone holding the passphrase) no longer holds it.
            problems.extend(
                _("audit trail: {reason}").format(reason=reason) for reason in check_anchors(store)
            )
    finally:
        store.close()
    if problems:
        for problem in problems:
            _say(problem)
        return EXIT_BAD_INPUT
    assert trail is not None
    print(_("The data folder is sound."))
    # Noted elsewhere (on paper, in another file), the head shows later whether entries
    # were cut off at the end of the trail, the one change the chain itself cannot show.
    print(
        ngettext(
            "Audit trail: {n} entry, head {head}",
            "Audit trail: {n} entries, head {head}",
            trail.checked,
        ).format(n=trail.checked, head=trail.head)
    )
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    if args.to is not None:  # an existing folder of the user's, never inside the data folder
        outputs.check_folder(args.to, label="--to")
    store = _open(args)
    if not store.is_sqlite:
        return _backup_shared(args, store)
    try:
        backup = make_backup(store, args.to, progress=_TerminalProgress(_("Backing up")))
        # On the store still open: the passphrase is asked once (the copy is made before
        # the entry, which it therefore does not hold).
        with store.transaction() as session:
            audit.record("backup", session=session, detail=f"file={backup.path.name}")
    except StoreError as exc:
        raise UsageError(_("backup: {reason}").format(reason=exc)) from None
    except OSError as exc:
        raise UsageError(
            outputs.describe(exc, Path(exc.filename or args.to or store.data_dir or ""), "--to")
        ) from None
    finally:
        store.close()
    print(_("Backup written: {path}").format(path=shown(str(backup.path))))
    return EXIT_OK


def _backup_shared(args: argparse.Namespace, store: Store) -> int:
    """A shared database's backup: a new encrypted data folder holding a checked copy."""
    try:
        folder = args.to
        if folder is None:
            if store.data_dir is None:
                raise UsageError(_("backup: give the folder to write it to with --to DIR"))
            folder = store.data_dir / "backups"
            folder.mkdir(mode=0o700, exist_ok=True)
        passphrase = _passphrase("new")  # the backup's own, asked twice at a terminal
        try:
            target = relocate.backup_shared(
                store, folder, passphrase, progress=_TerminalProgress(_("Backing up"))
            )
        except (relocate.RelocateError, StoreError) as exc:
            raise UsageError(_("backup: {reason}").format(reason=exc)) from None
        with store.transaction() as session:
            audit.record("backup", session=session, detail=f"file={target.name}")
    finally:
        store.close()
    print(_("Backup written: {path}").format(path=shown(str(target))))
    print(
        _("To put it back onto an empty server: amudesk --data-dir {path} migrate-to URL").format(
            path=shown(str(target))
        )
    )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    if database_url(args):
        raise UsageError(_("restore: only a data folder's own database can be restored"))
    folder = prepare_data_dir(args.data_dir or default_data_dir())
    try:
        passphrase = _passphrase("encrypted")
        kept = restore_backup(folder, args.file, passphrase)
    except (StoreError, OSError) as exc:
        raise UsageError(_("restore: {reason}").format(reason=exc)) from None
    _audit(args, "restore", f"file={backup_label(args.file)}", passphrase)
    print(_("Backup restored from {path}.").format(path=shown(str(args.file))))
    if kept is not None:
        print(_("The database in use before was kept as {path}.").format(path=shown(str(kept))))
    return EXIT_OK


def cmd_rekey(args: argparse.Namespace) -> int:
    if database_url(args):
        raise UsageError(
            _("rekey: a shared database has no passphrase here; the server protects it")
        )
    try:
        if folder_state(prepare_data_dir(args.data_dir or default_data_dir())) != "encrypted":
            raise StoreError(_("this data folder has no encrypted database yet"))
        old = _passphrase("encrypted")
    except StoreError as exc:
        raise UsageError(_("rekey: {reason}").format(reason=exc)) from None
    store = _open(args, old)
    try:
        new = _new_passphrase()
        store = desk.change_passphrase(store, old, new)
    except StoreError as exc:
        raise UsageError(_("rekey: {reason}").format(reason=exc)) from None
    finally:
        store.close()
    print(_("The passphrase was changed. Backups made before keep the old one."))
    return EXIT_OK


def cmd_erase(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        try:
            with store.transaction() as session:
                request = privacy.request_for_reference(args.reference, session=session)
                report = privacy.erase_person(request.person_id, session=session)
        except (FieldError, NotFound) as exc:
            raise UsageError(str(exc)) from None
        try:
            privacy.compact(store)
        except StoreError as exc:
            raise UsageError(
                _(
                    "erase: the person was erased, but the file could not be compacted: {reason}"
                ).format(reason=exc)
            ) from None
    finally:
        store.close()
    people = ngettext("{n} person", "{n} people", report.people).format(n=report.people)
    requests = ngettext("{n} request", "{n} requests", report.requests).format(n=report.requests)
    print(
        _("Erased: {people} and {requests} ({references}).").format(
            people=people, requests=requests, references=", ".join(report.references)
        )
    )
    print(_("Backups keep these data until they expire (about 5 weeks at most)."))
    return EXIT_OK


def cmd_document(args: argparse.Namespace) -> int:
    output = Path(args.output)
    if output.suffix.lower() != ".pdf":
        raise UsageError(
            _("-o: {path}: the file name must end in .pdf").format(path=shown(str(output)))
        )
    outputs.check_target(output, "pdf", label="-o")  # before anything is numbered
    if len(args.reference) > 1 and args.kind != "card-sheet":
        raise UsageError(_("--reference: only card-sheet takes several references"))
    if args.dependant is not None and args.kind not in ("info-form", "card"):
        raise UsageError(_("--dependant: only info-form and card are made for a minor"))
    store = _open(args)
    try:
        with store.transaction() as session:
            missing = _missing_contacts(args, session)
            number, pdf = _issue_document(args, store, session)
            # The file is written inside the transaction: if it cannot be written, the
            # numbers and the archived copies are not kept either.
            outputs.write_files({output: pdf}, label="-o")
    except (FieldError, NotFound) as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(_("{number} written to {path}").format(number=number, path=shown(str(output))))
    if missing:
        print(
            _(
                "Note: printed without {missing}, which the office profile or the CPAS "
                "directory lacks (amudesk office set, amudesk directory import)."
            ).format(missing="; ".join(item.label for item in missing)),
            file=sys.stderr,
        )
    return EXIT_OK


def _missing_contacts(args: argparse.Namespace, session: Any) -> list[documents.Missing]:
    """What the document would print but is not filled in (for the first reference)."""
    request = find_request(args.reference[0], session=session)
    kind = "card" if args.kind == "card-sheet" else args.kind
    return documents.missing_contacts(
        kind, request.id or 0, session=session, language=args.document_language
    )


def _issue_document(args: argparse.Namespace, store: Store, session: Any) -> tuple[str, bytes]:
    """Issue the document ``args`` ask for; its number(s) and the PDF to write."""
    requests = [find_request(reference, session=session) for reference in args.reference]
    request_id = requests[0].id or 0
    language = args.document_language
    if args.kind == "receipt":
        issued = documents.issue_receipt(
            request_id,
            session=session,
            language=language,
            clock_settings=load_settings(store.data_dir).clock_settings(),
        )
        return issued.number, issued.pdf
    if args.kind == "aamu":
        issued = documents.issue_aamu_form(request_id, session=session, language=language)
        return issued.number, issued.pdf
    if args.kind in letter_service.KINDS:
        issued = letter_service.issue_letter(
            request_id,
            args.kind,
            session=session,
            language=language,
            clock_settings=load_settings(store.data_dir).clock_settings(),
        )
        return issued.number, issued.pdf
    if args.kind == "info-form":
        issued = documents.issue_info_form(
            request_id, session=session, language=language, dependant=args.dependant
        )
        return issued.number, issued.pdf
    cards = [
        documents.issue_card(
            request.id or 0, session=session, language=language, dependant=args.dependant
        )
        for request in requests
    ]
    ids = [card.id or 0 for card in cards]
    pdf = documents.card_pdf(ids, session=session, sheet=args.kind == "card-sheet")
    documents.mark_cards_printed(ids, session=session)
    return ", ".join(card.number for card in cards), pdf


def cmd_person_export(args: argparse.Namespace) -> int:
    outputs.check_folder(args.output, label="-o")
    store = _open(args)
    try:
        with store.transaction() as session:
            paths = privacy.export_person(
                args.reference, args.output, session=session, language=i18n.get_locale()
            )
    except (FieldError, NotFound) as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    for path in paths:
        print(shown(str(path)))
    return EXIT_OK


def _audit(
    args: argparse.Namespace, action: str, detail: str, passphrase: str | None = None
) -> None:
    """One entry in the audit trail of the data folder (its own short transaction)."""
    store = _open(args, passphrase)
    try:
        with store.transaction() as session:
            audit.record(action, session=session, detail=detail)
    finally:
        store.close()


def _new_passphrase() -> str:
    given = os.environ.get(NEW_PASSPHRASE_ENV)
    if given is not None:
        if not given:
            raise StoreError(_("{name} is empty").format(name=NEW_PASSPHRASE_ENV))
        return given
    if not is_terminal(sys.stdin):
        raise StoreError(
            _("no new passphrase: set {name} or run the command in a terminal").format(
                name=NEW_PASSPHRASE_ENV
            )
        )
    first = getpass.getpass(_("New passphrase: "))
    if not first:
        raise StoreError(_("the passphrase cannot be empty"))
    if getpass.getpass(_("The same passphrase again: ")) != first:
        raise StoreError(_("the two passphrases differ; nothing was changed"))
    return first


WITHIN_MAX_DAYS = 3650
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _evaluation_day(text: str | None) -> dt.date:
    """``--on``: the day the deadlines are evaluated on; today in Brussels when absent."""
    if text is None:
        return today_in_brussels()
    try:
        if not ISO_DAY.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            _("--on: “{value}” is not a date; write it as YYYY-MM-DD").format(value=text)
        ) from None
    if not 1900 <= day.year <= 2999:
        raise UsageError(_("--on: choose a day between the years 1900 and 2999"))
    return day


def _within(text: str | None) -> int | None:
    """``--within``: a number of days from 0 to WITHIN_MAX_DAYS, or None when absent."""
    if text is None:
        return None
    try:
        days = int(text.strip())
    except ValueError:
        raise UsageError(
            _("--within: “{value}” is not a whole number of days").format(value=text)
        ) from None
    if not 0 <= days <= WITHIN_MAX_DAYS:
        raise UsageError(
            _("--within: give a number of days from 0 to {most}").format(most=WITHIN_MAX_DAYS)
        )
    return days


def _calendar_path(path: Path | None) -> Path | None:
    """``--ics``: refused before anything is computed when it cannot be written."""
    if path is None or path == outputs.STDOUT:
        return path
    outputs.check_target(path, "ics", label="--ics")
    return path


def _sorted(items: list[Deadline]) -> list[Deadline]:
    """By due day (not started ones last), then reference, then the rule table's order."""
    order = {rule: number for number, rule in enumerate(RULES)}
    return sorted(items, key=lambda d: (d.due or dt.date.max, d.reference, order[d.rule]))


def _deadline_table(items: Sequence[Deadline]) -> list[str]:
    """A compact table: reference, rule, due day (weekday included), who acts, state."""

    @functools.cache
    def day(value: dt.date | None) -> str:
        return format_date(value, "EEE d MMM y") if value else "—"

    header = (_("Reference"), _("Rule"), _("Due"), _("Who acts"), _("State"))
    rows = [
        (
            d.reference,
            d.rule,
            day(d.due),
            _(ACTOR_LABELS[d.actor]),
            _(STATE_LABELS[d.state]),
        )
        for d in items
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in (header, *rows)
    ]


def cmd_deadlines(args: argparse.Namespace) -> int:
    on = _evaluation_day(args.on)
    within = _within(args.within)
    calendar = _calendar_path(args.ics)
    settings = load_settings(args.data_dir).clock_settings()
    store = _open(args)
    try:
        with store.session() as session:
            items = clock.deadlines(
                session=session, today=on, language=i18n.get_locale(), settings=settings
            )
            office = get_office(session=session)
    finally:
        store.close()
    office_kind = str(office.kind) if office is not None else None
    if args.worklist:
        items = [d for d in items if d.on_worklist(office_kind, on)]
    if within is not None:
        items = [d for d in items if d.needs_attention(on, within)]
    items = _sorted(items)
    if calendar is not None:
        if calendar == outputs.STDOUT:
            content, count = clock.ics_bytes(items)
            outputs.write_stdout(content)
        else:
            count = clock.write_ics(items, calendar)
            print(
                ngettext(
                    "{n} deadline written to {path}", "{n} deadlines written to {path}", count
                ).format(n=count, path=shown(str(calendar)))
            )
    elif args.json:
        records = [d.as_json(office_kind) for d in items]
        _print_listing([json.dumps(records, ensure_ascii=False)])
    elif items:
        _print_listing(_deadline_table(items))
    return EXIT_OK


def _print_listing(lines: Sequence[str]) -> None:
    """Print a long listing; a reader that stops early (``| head``) is not an error."""
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit must not fail


# --- closing, reopening, the office profile ------------------------------------------------


def cmd_close(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        with store.transaction() as session:
            request = find_request(args.reference, session=session)
            closing.close_case(request.id or 0, session=session, reason=args.reason, note=args.note)
            reference = request.reference
    except (FieldError, NotFound) as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(
        _("Closed: {reference} ({reason}).").format(
            reference=reference, reason=_(CLOSE_REASON_LABELS[args.reason])
        )
    )
    return EXIT_OK


def cmd_reopen(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        with store.transaction() as session:
            request = find_request(args.reference, session=session)
            closing.reopen_case(request.id or 0, session=session)
            reference = request.reference
    except (FieldError, NotFound) as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(_("Reopened: {reference}; its time limits run again.").format(reference=reference))
    return EXIT_OK


# The profile's fields, as `office set` names them → save_office's keyword; and the names
# it took before → (the field, the language they set, or None for every language).
OFFICE_ARGUMENTS = {
    "kind": "kind",
    "name": "name",
    "address": "address",
    "phone": "phone",
    "email": "email",
    "bce": "bce",
    "signatory": "signatory_name",
    "title": "signatory_title",
    "court": "labour_court_address",
    "document-language": "document_language",
}
OFFICE_ALIASES: dict[str, tuple[str, str | None]] = {
    "signatory-name": ("signatory", None),
    "signatory-title": ("title", None),
    "labour-court-address": ("court", None),
    "labour-court-address-nl": ("court", "nl"),
}


def _office_values(office: Any) -> dict[str, Any]:
    """What `office show` prints: each field, and each language's own words of the fields
    that have them ("name-nl": "" when Dutch documents print the plain name)."""
    values = office_values(office)
    shown_values: dict[str, Any] = {}
    for argument, keyword in OFFICE_ARGUMENTS.items():
        shown_values[argument] = values[keyword] or ""
        if argument in OFFICE_LOCALISED_FIELDS:
            for language in ("fr", "nl"):
                shown_values[f"{argument}-{language}"] = values[f"{keyword}_{language}"]
    return shown_values


def _office_change(args: argparse.Namespace) -> tuple[str, str, str]:
    """(save_office's keyword, the field as shown in messages, the value) of `office set`;
    UsageError for --lang on a field that is the same in every language."""
    field, language = args.field, args.field_language
    if field in OFFICE_ALIASES:
        field, fixed = OFFICE_ALIASES[field]
        if fixed is not None and language not in (None, fixed):
            raise UsageError(
                _("office set: {field} already names a language; leave out --lang.").format(
                    field=args.field
                )
            )
        language = language or fixed
    keyword = OFFICE_ARGUMENTS[field]
    if language is None:
        return keyword, field, args.value
    if field not in OFFICE_LOCALISED_FIELDS:
        raise UsageError(
            _("office set: {field} is the same in every language; leave out --lang.").format(
                field=field
            )
        )
    return f"{keyword}_{language}", f"{field} ({language})", args.value


def cmd_office(args: argparse.Namespace) -> int:
    if args.office_command == "set":
        keyword, label, value = _office_change(args)  # before the store is opened
    store = _open(args)
    try:
        if args.office_command == "show":
            with store.session() as session:
                office = get_office(session=session)
                values = _office_values(office)
                logo = office is not None and office.logo is not None
            if args.json:
                print(
                    json.dumps(
                        {**values, "logo": logo, "set": office is not None}, ensure_ascii=False
                    )
                )
            elif office is None:
                print(_("No office profile yet: `amudesk office set name …` starts one."))
            else:
                width = max(len(name) for name in values)
                for name, text in values.items():
                    line = shown(" / ".join(str(text).splitlines()))
                    print(f"{name.ljust(width)}  {line}".rstrip())
            return EXIT_OK
        with store.transaction() as session:
            saved = update_office(session=session, **{keyword: value})
            shown_value = getattr(saved, keyword) or ""
    except FieldError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print(
        _("Office profile: {field} is now {value}.").format(
            field=label, value=shown(str(shown_value))
        )
    )
    return EXIT_OK


# --- the CPAS directory ------------------------------------------------------------------


def cmd_directory(args: argparse.Namespace) -> int:
    if args.directory_command == "show":
        return _directory_show(args)
    store = _open(args)
    try:
        with store.transaction() as session:
            report = import_contacts(args.file, session=session)
    except SpreadsheetError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    if report.problems:
        # Every problem on standard output, one a line; the one line on stderr says why
        # nothing was written and shows the first.
        for problem in report.problems:
            print(shown(problem.describe()))
        bad = len(report.bad_lines)
        _say(
            ngettext(
                "directory import: nothing was written; {n} row has a problem: {first}",
                "directory import: nothing was written; {n} rows have problems, the first: {first}",
                bad,
            ).format(n=bad, first=report.problems[0].describe())
        )
        return EXIT_BAD_INPUT
    print(
        ngettext(
            "{n} CPAS updated, out of {rows} in the file.",
            "{n} CPAS updated, out of {rows} in the file.",
            len(report.updated),
        ).format(n=len(report.updated), rows=report.rows)
    )
    return EXIT_OK


def _directory_show(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        with store.session() as session:
            entries = [
                {
                    "name_fr": cpas.name_fr,
                    "name_nl": cpas.name_nl,
                    "commune_fr": cpas.commune_fr,
                    "commune_nl": cpas.commune_nl,
                    **{key: getattr(cpas, key) or "" for key in CONTACT_FIELDS},
                    "bce": cpas.bce or "",
                }
                for cpas in list_cpas(session=session)
            ]
    finally:
        store.close()
    if args.json:
        print(json.dumps(entries, ensure_ascii=False))
        return EXIT_OK
    labels = {
        "address": _("Address"),
        "address_nl": _("Address in Dutch"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "amu_contact": _("AMU contact person"),
        "bce": _("BCE/KBO number"),
    }
    width = max(len(label) for label in labels.values())
    for entry in entries:
        print(shown(f"{entry['name_fr']} / {entry['name_nl']}"))
        contacts = [(labels[key], entry[key]) for key in labels if entry[key]]
        for label, text in contacts:
            print(f"  {label.ljust(width)}  {shown(' / '.join(str(text).splitlines()))}")
        if not contacts:
            print("  " + _("(no contacts yet)"))
    return EXIT_OK


# --- statistics --------------------------------------------------------------------------


def _period_day(text: str | None, option: str, default: dt.date) -> dt.date:
    """``--from`` / ``--to``: a day written YYYY-MM-DD, ``default`` when absent."""
    if text is None:
        return default
    try:
        if not ISO_DAY.fullmatch(text):
            raise ValueError(text)
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            _("{option}: “{value}” is not a date; write it as YYYY-MM-DD").format(
                option=option, value=shown(text)
            )
        ) from None
    if not 1900 <= day.year <= 2999:
        raise UsageError(
            _("{option}: choose a day between the years 1900 and 2999").format(option=option)
        )
    return day


def cmd_stats(args: argparse.Namespace) -> int:
    """``amudesk stats``: the figures of a period (or of extracts, ``--merge``) as a table,
    JSON, CSV or XLSX; or the anonymised extract."""
    language = args.report_language or i18n.get_locale()
    today = today_in_brussels()
    if args.merge:
        if args.extract is not None:
            raise UsageError(_("--merge: an extract cannot be written from other extracts"))
        if args.period_from is not None or args.period_to is not None:
            raise UsageError(
                _("--merge: the extracts hold their own period; leave out --from and --to")
            )
        _check_figures_target(args)
        rows: list[stats.CaseRow] = []
        problems: list[str] = []
        for path in args.merge:
            try:
                rows.extend(stats.read_extract(path))
            except stats.ExtractError as exc:
                problems.extend(exc.problems)
        if problems:
            for problem in problems:
                print(shown(problem))
            _say(
                ngettext(
                    "--merge: nothing was computed; {n} problem: {first}",
                    "--merge: nothing was computed; {n} problems, the first: {first}",
                    len(problems),
                ).format(n=len(problems), first=problems[0])
            )
            return EXIT_BAD_INPUT
        report = stats.figures(rows, by=args.by, language=language)
        if args.pdf is not None:
            merged = stats_service.Collected(
                rows=rows,
                period_start=_month_day(min((row.month for row in rows), default="")) or today,
                period_end=_month_end(max((row.month for row in rows), default="")) or today,
                excluded_preparing=0,
                excluded_consent=0,
            )
            return _write_stats_pdf(args, merged, language)
    else:
        end = _period_day(args.period_to, "--to", today)
        start = _period_day(args.period_from, "--from", dt.date(end.year, 1, 1))
        if end < start:
            raise UsageError(_("--to: the period ends before it starts (--from)"))
        if end > today:
            raise UsageError(_("--to: the period cannot end after today"))
        if args.extract is not None:
            outputs.check_target(args.extract, "csv", label="--extract")
        _check_figures_target(args)
        settings = load_settings(args.data_dir).clock_settings()
        store = _open(args)
        try:
            with store.session() as session:
                collected = stats_service.collect(
                    session=session, start=start, end=end, settings=settings
                )
        finally:
            store.close()
        if args.pdf is not None:
            return _write_stats_pdf(args, collected, language)
        if args.extract is not None:
            data = stats.extract_bytes(collected.rows)
            with outputs.replacing(args.extract, "csv", label="--extract") as handle:
                handle.write(data)
            print(
                ngettext(
                    "{n} request written to the anonymised extract {path}",
                    "{n} requests written to the anonymised extract {path}",
                    len(collected.rows),
                ).format(n=len(collected.rows), path=shown(str(args.extract)))
            )
            return EXIT_OK
        report = collected.report(by=args.by, language=language)
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
    elif args.csv is not None:
        with outputs.replacing(args.csv, "csv", label="--csv") as handle:
            handle.write(stats.table_csv(report))
        print(_("Figures written to {path}").format(path=shown(str(args.csv))))
    elif args.xlsx is not None:
        with outputs.replacing(args.xlsx, "xlsx", label="--xlsx") as handle:
            handle.write(stats.table_xlsx(report))
        print(_("Figures written to {path}").format(path=shown(str(args.xlsx))))
    else:
        _print_listing(stats.table_text(report))
    return EXIT_OK


def _write_stats_pdf(
    args: argparse.Namespace, collected: stats_service.Collected, language: str
) -> int:
    """``--pdf``: the report on the office's letterhead, written as every output is."""
    from amudesk.services.statsreport import stats_report_pdf

    store = _open(args)
    try:
        with store.session() as session:
            pdf = stats_report_pdf(collected, by=args.by, language=language, session=session)
    finally:
        store.close()
    with outputs.replacing(args.pdf, "pdf", label="--pdf") as handle:
        handle.write(pdf)
    print(_("Report written to {path}").format(path=shown(str(args.pdf))))
    return EXIT_OK


def _month_day(month: str) -> dt.date | None:
    """The first day of a month of an extract ("2026-03", or a year when generalised)."""
    try:
        return dt.date.fromisoformat(f"{month}-01" if len(month) == 7 else f"{month}-01-01")
    except ValueError:
        return None


def _month_end(month: str) -> dt.date | None:
    """The last day of a month (or year) of an extract."""
    first = _month_day(month)
    if first is None:
        return None
    if len(month) == 4:
        return dt.date(first.year, 12, 31)
    following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _check_figures_target(args: argparse.Namespace) -> None:
    """``--csv`` / ``--xlsx`` / ``--pdf``: refused before anything is computed when it
    cannot be written."""
    if args.pdf is not None:
        if args.pdf.suffix.lower() != ".pdf":
            raise UsageError(
                _("--pdf: {path}: the file name must end in .pdf").format(path=shown(str(args.pdf)))
            )
        outputs.check_target(args.pdf, "pdf", label="--pdf")
    if args.csv is not None:
        outputs.check_target(args.csv, "csv", label="--csv")
    if args.xlsx is not None:
        outputs.check_target(args.xlsx, "xlsx", label="--xlsx")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
