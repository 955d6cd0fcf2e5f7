"""The command line on a shared database: signing in, what each command may do, and the
``amudesk user`` command.

On a shared database (``--database URL``) every command signs in first: as
``$AMUDESK_USER`` with ``$AMUDESK_PASSWORD`` (the password asked at a terminal when not
set), or, with no ``$AMUDESK_USER``, as the server-role account of the PostgreSQL role in
the URL. It then does only what that account's role allows (exit 2 and one line
otherwise). While the database has no account yet, only ``user add`` runs, and creates the
first administrator. A laptop's store has no accounts: its passphrase opens it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys

from amudesk.arguments import UsageError, is_terminal
from amudesk.i18n import _, format_datetime
from amudesk.services import FieldError, accounts
from amudesk.services.accounts import Denied, SignInError
from amudesk.store import Store
from amudesk.text import shown

USER_ENV = "AMUDESK_USER"
PASSWORD_ENV = "AMUDESK_PASSWORD"
NEW_PASSWORD_ENV = "AMUDESK_NEW_PASSWORD"
PRINTED_KINDS = ("receipt", "card", "card-sheet")  # what a reader may print


def command_action(args: argparse.Namespace) -> str:
    """The action (a key of :data:`amudesk.services.accounts.ACTIONS`) a command does."""
    command = args.command
    if command == "document":
        return "print" if args.kind in PRINTED_KINDS else "documents"
    if command == "office":
        return "read" if args.office_command == "show" else "office"
    if command == "directory":
        return "read" if args.directory_command == "show" else "office"
    return {
        "demo": "accounts",
        "import": "import",
        "export": "export",
        "check": "read",
        "backup": "backup",
        "erase": "erase",
        "person-export": "documents",
        "deadlines": "read",
        "close": "cases",
        "reopen": "cases",
        "stats": "statistics",
        "user": "accounts",
        "migrate-to": "export",
    }.get(command, "accounts")


def sign_in(args: argparse.Namespace, store: Store) -> None:
    """Sign in on ``store`` when it is shared, and check that the account's role allows
    the command; raises UsageError (one line) otherwise."""
    if store.is_sqlite:
        if args.command == "user":
            raise UsageError(
                _(
                    "user: accounts belong to a shared database (--database URL); "
                    "this data folder is opened by its passphrase"
                )
            )
        return
    with store.session() as session:
        any_account = accounts.has_accounts(session=session)
    if not any_account:
        if args.command == "user" and args.user_command == "add":
            return  # the first administrator, made without signing in
        raise UsageError(
            _(
                "this shared database has no account yet: create the first administrator "
                "with amudesk user add NAME --role administrator"
            )
        )
    name = os.environ.get(USER_ENV, "").strip() or None
    try:
        if name is None and not _signed_in_as_server_role(store):
            if not _at_terminal():
                raise UsageError(
                    _(
                        "no account: set {user} and {password}, or run the command in a terminal"
                    ).format(user=USER_ENV, password=PASSWORD_ENV)
                )
            name = input(_("Account name: ")).strip()
        if name is not None:
            password = os.environ.get(PASSWORD_ENV)
            if password is None:
                password = _ask(_("Password of {name}: ").format(name=name), PASSWORD_ENV)
            accounts.sign_in_store(store, name, password)
        accounts.require(store.role, command_action(args))
    except (SignInError, Denied) as exc:
        raise UsageError(str(exc)) from None


def _signed_in_as_server_role(store: Store) -> bool:
    """Signed in as the server-role account of the URL's PostgreSQL role, when it has one."""
    try:
        accounts.sign_in_store(store, None, None)
    except SignInError:
        return False
    return True


def _at_terminal() -> bool:
    return is_terminal(sys.stdin)


def _ask(prompt: str, variable: str) -> str:
    if not _at_terminal():
        raise UsageError(
            _("no password: set {name} or run the command in a terminal").format(name=variable)
        )
    return getpass.getpass(prompt)


def run_user(args: argparse.Namespace, store: Store) -> int:
    """``amudesk user add|list|disable`` on a shared database, signed in already."""
    try:
        if args.user_command == "add":
            return _add(args, store)
        if args.user_command == "disable":
            with store.transaction() as session:
                accounts.disable_account(args.name, session=session, by=store.account or "")
            print(_("Account {name} disabled.").format(name=shown(args.name)))
            return 0
        return _list(args, store)
    except FieldError as exc:
        raise UsageError(str(exc)) from None


def _add(args: argparse.Namespace, store: Store) -> int:
    password = None
    if not args.server_role:
        password = os.environ.get(NEW_PASSWORD_ENV)
        if password is None:
            password = _ask(_("Password for {name}: ").format(name=args.name), NEW_PASSWORD_ENV)
            again = _ask(_("The same password again: "), NEW_PASSWORD_ENV)
            if again != password:
                raise UsageError(_("user add: the two passwords differ; nothing was changed"))
    with store.transaction() as session:
        account = accounts.add_account(
            args.name,
            args.role,
            session=session,
            password=password,
            server_role=args.server_role,
            by=store.account or "",
        )
        name, role = account.name, account.role
    print(_("Account {name} added ({role}).").format(name=shown(name), role=role))
    return 0


def _list(args: argparse.Namespace, store: Store) -> int:
    with store.session() as session:
        rows = [
            {
                "name": account.name,
                "role": account.role,
                "server_role": account.server_role,
                "disabled": account.disabled_at is not None,
                "last_sign_in": account.last_sign_in_at.isoformat()
                if account.last_sign_in_at
                else None,
                "last_sign_in_shown": format_datetime(account.last_sign_in_at, "short"),
            }
            for account in accounts.list_accounts(session=session)
        ]
    if args.json:
        print(
            json.dumps(
                [{k: v for k, v in row.items() if k != "last_sign_in_shown"} for row in rows],
                ensure_ascii=False,
            )
        )
        return 0
    for row in rows:
        state = _("disabled") if row["disabled"] else ""
        kind = _("server role") if row["server_role"] else _("password")
        print(
            "  ".join(
                part
                for part in (
                    shown(str(row["name"])),
                    str(row["role"]),
                    kind,
                    state,
                    str(row["last_sign_in_shown"]),
                )
                if part
            )
        )
    return 0
