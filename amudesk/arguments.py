"""The command line's words: the parser of ``amudesk`` and its commands, and the language
its messages are written in.

Reading the arguments loads little (argparse, the catalogs, the settings file), so that
``amudesk.launch`` can tell the window from a command before loading either.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from amudesk import __version__, i18n
from amudesk.i18n import _
from amudesk.settings import load_settings
from amudesk.text import shown

EXIT_BAD_INPUT = 2


MESSAGE_LENGTH = 300  # a parser message, what was typed included

DOCUMENT_KINDS = (
    "receipt",
    "aamu",
    "info-form",
    "card",
    "card-sheet",
    # The letters (amudesk.letters.KINDS: a test keeps them equal).
    "reminder",
    "formal-notice",
    "reasons-request",
    "appeal",
    "transfer-reasons",
)
# models.CloseReason's values (a test keeps them equal: the parser loads no model).
CLOSE_REASONS = ("covered", "left", "withdrawn", "transferred", "appeal-ended", "other")
# What `amudesk office set` changes: the office profile's fields, as typed.
OFFICE_FIELDS = (
    "kind",
    "name",
    "address",
    "phone",
    "email",
    "bce",
    "signatory",
    "title",
    "court",
    "document-language",
)
# The names `office set` took before (still understood): signatory-name, signatory-title,
# labour-court-address, labour-court-address-nl.
OFFICE_FIELD_ALIASES = (
    "signatory-name",
    "signatory-title",
    "labour-court-address",
    "labour-court-address-nl",
)
# models.Role's values (the parser loads no model).
ROLES = ("administrator", "worker", "reader")
# The fields that can have their own words in French and in Dutch (`office set --lang`).
OFFICE_LOCALISED_FIELDS = ("name", "address", "title", "court")


def is_terminal(stream: TextIO | None) -> bool:
    """True for a terminal; False for a file, a pipe, or no stream at all (a windowed
    Windows build has None for its standard streams)."""
    return stream is not None and stream.isatty()


class UsageError(Exception):
    """A problem the user can fix; printed on one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse quotes what was typed: escaped (no control or bidi character reaches the
        # terminal) and cut short, so that the one line stays one readable line.
        text = shown(message)
        if len(text) > MESSAGE_LENGTH:
            text = text[: MESSAGE_LENGTH - 1] + "…"
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: {text}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="amudesk", description=_("Offline desk for urgent medical aid (AMU) requests.")
    )
    parser.add_argument("--version", action="version", version=f"amudesk {__version__}")
    parser.add_argument(
        "--data-dir", type=Path, help=_("data folder to use instead of the default one")
    )
    parser.add_argument(
        "--database",
        metavar="URL",
        help=_(
            "the office's shared PostgreSQL database (postgresql://…) instead of the data "
            "folder's own; also $AMUDESK_DATABASE_URL"
        ),
    )
    parser.add_argument("--lang", choices=("fr", "nl", "en"), help=_("language of messages"))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = commands.add_parser("demo", help=_("fill an empty data folder with fictional people"))
    demo.add_argument(
        "--count", type=_positive, default=200, help=_("how many people (default 200)")
    )
    demo.add_argument("--seed", type=int, default=2026, help=argparse.SUPPRESS)

    imp = commands.add_parser("import", help=_("import requests from a .csv or .xlsx file"))
    imp.add_argument("file", type=Path)
    imp.add_argument(
        "--skip-invalid", action="store_true", help=_("import the good rows, report the others")
    )
    imp.add_argument(
        "--update",
        action="store_true",
        help=_("correct the requests already registered (same reference) from their rows"),
    )
    imp.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=COLUMN",
        help=_(
            "the column a header of the file stands for, or ignore (repeatable): "
            "--map 'Date entrée=filed_on'"
        ),
    )

    exp = commands.add_parser(
        "export",
        help=_("export every request to a .csv or .xlsx file (- : CSV on standard output)"),
    )
    exp.add_argument("file", type=Path)

    niss = commands.add_parser("niss", help=_("check a NISS or BIS number"))
    niss.add_argument("number")
    niss.add_argument("--json", action="store_true", help=_("answer in JSON"))

    commands.add_parser("check", help=_("check the integrity of the data folder"))

    backup = commands.add_parser("backup", help=_("make an encrypted, checked backup now"))
    backup.add_argument(
        "--to",
        type=Path,
        metavar="DIR",
        help=_("folder to write it to (a USB stick); default: the data folder's backups"),
    )
    restore = commands.add_parser(
        "restore", help=_("replace the database by a backup, after checking the backup")
    )
    restore.add_argument("file", type=Path)
    commands.add_parser(
        "rekey", help=_("change the passphrase (the new one from $AMUDESK_NEW_PASSPHRASE)")
    )
    erase = commands.add_parser(
        "erase",
        help=_("erase for good the person of a request, with all their data (GDPR art. 17)"),
    )
    erase.add_argument("--reference", required=True, metavar="REF")
    person_export = commands.add_parser(
        "person-export",
        help=_("write everything held about the person of a request (GDPR art. 15)"),
    )
    person_export.add_argument("--reference", required=True, metavar="REF")
    person_export.add_argument("-o", dest="output", type=Path, required=True, metavar="DIR")
    document = commands.add_parser(
        "document", help=_("issue a document for a request and save its PDF (archived too)")
    )
    document.add_argument("kind", choices=DOCUMENT_KINDS)
    document.add_argument(
        "--reference",
        required=True,
        action="append",
        metavar="REF",
        help=_("the request (card-sheet: give it once per card, up to as many as you need)"),
    )
    document.add_argument("--lang", dest="document_language", choices=("fr", "nl", "en"))
    document.add_argument(
        "--dependant",
        type=int,
        metavar="N",
        help=_("info-form, card: the N-th minor in the applicant's care (1 = the eldest)"),
    )
    document.add_argument("-o", dest="output", type=Path, required=True, metavar="FILE.pdf")

    clock = commands.add_parser("deadlines", help=_("list the legal time limits of every case"))
    output = clock.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help=_("answer in JSON"))
    output.add_argument(
        "--ics",
        type=Path,
        metavar="FILE",
        help=_("write the running time limits to an iCalendar (.ics) file (- : standard output)"),
    )
    clock.add_argument(
        "--within",
        metavar="DAYS",
        help=_("only running time limits due within DAYS days, overdue ones included"),
    )
    clock.add_argument(
        "--worklist",
        action="store_true",
        help=_(
            "only what this office can act on (the office profile says CPAS or association), "
            "not marked handled or snoozed"
        ),
    )
    clock.add_argument("--on", metavar="YYYY-MM-DD", help=_("evaluate as if today were this day"))

    close = commands.add_parser(
        "close", help=_("close a case: its time limits stop running (audited)")
    )
    close.add_argument("--reference", required=True, metavar="REF")
    close.add_argument(
        "--reason",
        required=True,
        choices=CLOSE_REASONS,
        metavar="KEY",
        help=_("why: {keys}").format(keys=", ".join(CLOSE_REASONS)),
    )
    close.add_argument(
        "--note", default="", metavar="TEXT", help=_("a short note (required with 'other')")
    )
    reopen = commands.add_parser("reopen", help=_("reopen a closed case (audited)"))
    reopen.add_argument("--reference", required=True, metavar="REF")

    office = commands.add_parser("office", help=_("show or change the office profile"))
    office_commands = office.add_subparsers(dest="office_command", metavar="ACTION", required=True)
    show = office_commands.add_parser("show", help=_("print the office profile"))
    show.add_argument("--json", action="store_true", help=_("answer in JSON"))
    change = office_commands.add_parser("set", help=_("change one field of the office profile"))
    change.add_argument(
        "field",
        choices=OFFICE_FIELDS + OFFICE_FIELD_ALIASES,
        metavar="FIELD",
        help=_("one of {fields}").format(fields=", ".join(OFFICE_FIELDS)),
    )
    change.add_argument("value", metavar="VALUE")
    change.add_argument(
        "--lang",
        dest="field_language",
        choices=("fr", "nl"),
        help=_(
            "set the words of documents in this language ({fields}); without it, the words "
            "of every language that has none of its own"
        ).format(fields=", ".join(OFFICE_LOCALISED_FIELDS)),
    )

    directory = commands.add_parser("directory", help=_("show or fill in the CPAS directory"))
    directory_commands = directory.add_subparsers(
        dest="directory_command", metavar="ACTION", required=True
    )
    listing = directory_commands.add_parser(
        "show", help=_("print each CPAS of the directory with its contacts")
    )
    listing.add_argument("--json", action="store_true", help=_("answer in JSON"))
    contacts = directory_commands.add_parser(
        "import",
        help=_(
            "fill in the CPAS's contacts from a .csv file (columns cpas, address, address_nl, "
            "phone, email, amu_contact); all rows or none"
        ),
    )
    contacts.add_argument("file", type=Path, metavar="FILE.csv")

    stats = commands.add_parser(
        "stats",
        help=_("delays and refusals in figures, per CPAS, month or channel (no names)"),
    )
    stats.add_argument(
        "--from",
        dest="period_from",
        metavar="YYYY-MM-DD",
        help=_("first day of the period (default: 1 January of the year of --to)"),
    )
    stats.add_argument(
        "--to", dest="period_to", metavar="YYYY-MM-DD", help=_("last day (default: today)")
    )
    stats.add_argument(
        "--by",
        choices=("cpas", "month", "channel"),
        default="cpas",
        help=_("group the figures by CPAS (default), month or channel"),
    )
    stats_output = stats.add_mutually_exclusive_group()
    stats_output.add_argument("--json", action="store_true", help=_("answer in JSON"))
    stats_output.add_argument(
        "--csv", type=Path, metavar="FILE", help=_("write the figures to a .csv file")
    )
    stats_output.add_argument(
        "--xlsx", type=Path, metavar="FILE", help=_("write the figures to a .xlsx file")
    )
    stats_output.add_argument(
        "--pdf",
        type=Path,
        metavar="FILE",
        help=_("write the report, with its charts, to a .pdf file on the office's letterhead"),
    )
    stats_output.add_argument(
        "--extract",
        type=Path,
        metavar="FILE.csv",
        help=_("write the anonymised extract, one line per request, for a federation"),
    )
    stats.add_argument(
        "--merge",
        type=Path,
        nargs="+",
        metavar="FILE",
        help=_("the figures of these extracts together, instead of this desk's requests"),
    )
    stats.add_argument(
        "--lang",
        dest="report_language",
        choices=("fr", "nl", "en"),
        help=_("language of the figures' notes (default: the language of messages)"),
    )

    move = commands.add_parser(
        "migrate-to",
        help=_(
            "copy the data folder's whole database onto an empty PostgreSQL database URL "
            "(or, with --database, back into a new data folder: --data-dir DIR), then check "
            "the copy"
        ),
    )
    move.add_argument("url", nargs="?", metavar="URL", help=_("postgresql://… (empty)"))
    move.add_argument(
        "--data-dir",
        dest="target_dir",
        type=Path,
        metavar="DIR",
        help=_("with --database: the new data folder to copy the shared database into"),
    )

    user = commands.add_parser(
        "user", help=_("the workers' accounts of a shared database (--database)")
    )
    user_commands = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    add = user_commands.add_parser(
        "add",
        help=_(
            "add an account (its password from $AMUDESK_NEW_PASSWORD, or asked); the first "
            "account, an administrator's, needs no signing in"
        ),
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=ROLES, help=_("what the account may do"))
    add.add_argument(
        "--server-role",
        action="store_true",
        help=_("signs in as the PostgreSQL role NAME: the server checks the password"),
    )
    user_list = user_commands.add_parser("list", help=_("list the accounts"))
    user_list.add_argument("--json", action="store_true", help=_("answer in JSON"))
    disable = user_commands.add_parser("disable", help=_("stop an account from signing in"))
    disable.add_argument("name", metavar="NAME")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("--count: “{value}” is not a whole number").format(value=text)
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(_("--count: must be at least 1"))
    return value


def early_language(argv: Sequence[str] | None) -> str:
    """The language asked for (--lang, the data folder's settings, the system's), read before
    the parser is built; a bad value is left for the parser to report. Only the options
    before the command count: a command's own --lang is the language of a field or of a
    report (``office set address … --lang fr``), not of the messages."""
    early = _QuietParser(add_help=False)
    early.add_argument("--lang")
    early.add_argument("--data-dir", type=Path)
    early.add_argument("--database")
    early.add_argument("command", nargs=argparse.REMAINDER)  # and all after it, unread
    try:
        known, _rest = early.parse_known_args(argv)
    except UsageError:
        return i18n.default_locale()
    if known.lang in i18n.LANGUAGES:
        return str(known.lang)
    return settings_language(known.data_dir) or i18n.default_locale()


class _QuietParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def settings_language(data_dir: Path | None) -> str | None:
    return load_settings(data_dir).language


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The arguments of ``argv`` (``sys.argv`` when None), with the interface language set
    (``--lang``, else the data folder's settings, else the system's) and, on POSIX, the
    umask that keeps every file the desk writes private. A bad argument exits with status
    2 and one line on stderr."""
    i18n.set_locale(early_language(argv))  # the help texts are written in it too
    args = build_parser().parse_args(argv)
    if os.name == "posix":
        os.umask(0o077)  # every file the desk writes (logs, exports, copies) is private
    i18n.set_locale(args.lang or settings_language(args.data_dir) or i18n.default_locale())
    return args
