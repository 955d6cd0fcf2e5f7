"""Workers' accounts on a shared database: who signs in, and what each role may do.

Only a shared (PostgreSQL) database has accounts; a laptop's store is opened by its
passphrase and names changes after the system user. An account has a name, a role
(:class:`amudesk.models.Role`) and either a password, kept as an Argon2id hash, or the
``server_role`` flag: its holder connects as the PostgreSQL role of the same name and the
server has checked the password already (:func:`sign_in_as_server_role`).

Wrong passwords are counted per account; from the fifth in a row, the account waits before
the next try (30 seconds, doubling, at most 15 minutes), and each is written into the audit
trail. A name that has no account gets the same answer as a wrong password, after the same
work, so that trying names tells nothing.

What a role may do is :data:`PERMISSIONS`; :func:`require` refuses the rest with a
sentence that names the role and the action.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Sequence
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import event, func, inspect, select, text
from sqlmodel import Session, col

from amudesk import crypto
from amudesk.i18n import N_, _, format_moment
from amudesk.models import ROLE_LABELS, Account, Role
from amudesk.models.base import utcnow
from amudesk.services import FieldError, audit
from amudesk.store import Store
from amudesk.text import fold, is_control

MAX_NAME = 100
MAX_PASSWORD = 1000
FREE_TRIES = 4  # wrong passwords in a row before the account waits
FIRST_WAIT = dt.timedelta(seconds=30)
LONGEST_WAIT = dt.timedelta(minutes=15)
_NAME = re.compile(r"[^\s].{0,99}", re.DOTALL)

# What each role may do. The command line and the window ask require(role, action).
ACTIONS = {
    "read": N_("look cases up"),
    "print": N_("print receipts and cards"),
    "cases": N_("record and change cases"),
    "documents": N_("issue documents and letters"),
    "deadlines": N_("mark time limits"),
    "import": N_("import requests"),
    "statistics": N_("compute statistics"),
    "export": N_("export everything"),
    "office": N_("change the office profile and the CPAS directory"),
    "accounts": N_("manage accounts"),
    "erase": N_("erase a person's data"),
    "backup": N_("back the database up"),
}
PERMISSIONS: dict[str, frozenset[str]] = {
    Role.READER: frozenset({"read", "print"}),
    Role.WORKER: frozenset(
        {"read", "print", "cases", "documents", "deadlines", "import", "statistics"}
    ),
    Role.ADMINISTRATOR: frozenset(ACTIONS),
}

_hasher = PasswordHasher()  # Argon2id, argon2-cffi's defaults (RFC 9106's second choice)


@functools.cache
def _unknown_hash() -> str:
    """A hash to verify against when the name has no account: the same work as a wrong
    password (made on first need, not when the module loads)."""
    return _hasher.hash("no account has this name")


class SignInError(Exception):
    """Signing in failed; ``str(error)`` is the sentence for the user."""


class Denied(FieldError):
    """The signed-in account's role does not allow the action; the sentence says which.
    A FieldError (on the field "role"), so that every form and command says it as it says
    any refused input, with nothing written."""

    def __init__(self, message: str) -> None:
        super().__init__("role", message)


def allowed(role: str, action: str) -> bool:
    return action in PERMISSIONS.get(role, frozenset())


def refusal(role: str, action: str) -> str:
    """The sentence that says ``role`` may not do ``action``."""
    return _("A {role} may not {action}; ask an administrator.").format(
        role=_(ROLE_LABELS.get(Role(role), role)) if role in set(Role) else role,
        action=_(ACTIONS.get(action, action)),
    )


def require(role: str | None, action: str) -> None:
    """Raise Denied unless ``role`` may do ``action`` (None: a laptop's store, no roles)."""
    if role is None or allowed(role, action):
        return
    raise Denied(refusal(role, action))


# --- the role, checked on every write ----------------------------------------------------

# The desk's own bookkeeping, written whoever is signed in: the trail, the number series,
# the clock's stamp, and an account's own sign-in counts.
ALWAYS_WRITTEN = frozenset({"audit_entry", "counter", "clock_stamp"})
SIGN_IN_FIELDS = frozenset({"failed_count", "locked_until", "last_sign_in_at", "password_hash"})
# Columns kept in step by the desk itself (the next time limit, the folded names).
BOOKKEEPING = frozenset(
    {"next_due", "next_rule", "next_state", "updated_at", "updated_by", "version", "search_text"}
)
PRINTED = frozenset({"receipt", "card"})  # the documents a reader may issue
ADMINISTRATORS_ONLY = frozenset({"office", "cpas", "account"})


def _write_action(obj: Any, change: str, session: Session) -> str | None:
    """The action (a key of ACTIONS) that writing ``obj`` does; None for bookkeeping."""
    table = getattr(obj, "__tablename__", "")
    if table in ALWAYS_WRITTEN:
        return None
    if change == "dirty":
        changed = {attr.key for attr in inspect(obj).attrs if attr.history.has_changes()}
        if table == "account" and changed <= SIGN_IN_FIELDS:
            return None
        if not changed - BOOKKEEPING:
            return None
    if table in ADMINISTRATORS_ONLY:
        return "accounts" if table == "account" else "office"
    if table == "person" and change == "deleted":
        return "erase"
    if table == "document" and change == "new":
        return "print" if getattr(obj, "kind", "") in PRINTED else "documents"
    if table == "card":
        return "print"
    if table == "deadline_mark":
        return "deadlines"
    return "cases"


def _guard(session: Session, _context: Any, _instances: Any) -> None:
    role = session.info.get("role")
    if role is None:
        return  # a laptop's store: its passphrase is its only key
    for change, objects in (
        ("new", session.new),
        ("dirty", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objects:
            action = _write_action(obj, change, session)
            if action is not None:
                require(role, action)


def _guard_statement(state: Any) -> None:
    """An INSERT, UPDATE or DELETE statement run through the session (an import's rows, a
    mark cleared, a person erased) is checked as its rows would be."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    check_statement(state.session, getattr(table, "name", ""), deleting=state.is_delete)


def check_statement(session: Session, table: str, *, deleting: bool = False) -> None:
    """Raise Denied unless the signed-in role may write rows of ``table`` by a statement
    (also called before rows go in by other means: COPY)."""
    role = session.info.get("role")
    if role is None or table in ALWAYS_WRITTEN:
        return
    if table in ADMINISTRATORS_ONLY:
        require(role, "accounts" if table == "account" else "office")
    elif table == "person" and deleting:
        require(role, "erase")
    elif table == "deadline_mark":
        require(role, "deadlines")
    elif table == "document":
        require(role, "documents")
    else:
        require(role, "cases")


def install() -> None:
    """Check every write of this process's sessions against the signed-in role
    (idempotent): whatever a screen offers, a reader's session writes no case."""
    for name, function in (("before_flush", _guard), ("do_orm_execute", _guard_statement)):
        if not event.contains(Session, name, function):
            event.listen(Session, name, function)


def has_accounts(*, session: Session) -> bool:
    return session.scalar(select(func.count()).select_from(Account)) != 0


def find_account(name: str, *, session: Session) -> Account | None:
    return session.scalar(select(Account).where(col(Account.folded) == fold_name(name)))


def fold_name(name: str) -> str:
    """The key an account is found by: case, accents and spaces ignored."""
    return " ".join(fold(name).split())


def check_name(name: str) -> str:
    """``name`` without surrounding spaces; raises FieldError when it cannot be an account's."""
    name = name.strip()
    if not name:
        raise FieldError("name", _("Name: give the worker's name."))
    if len(name) > MAX_NAME:
        raise FieldError("name", _("Name: at most {n} characters.").format(n=MAX_NAME))
    if any(is_control(c) for c in name):
        raise FieldError("name", _("Name: no control or direction characters."))
    if not fold_name(name):
        raise FieldError("name", _("Name: give letters or digits."))
    return name


def check_password(password: str, name: str) -> None:
    """Raise FieldError unless ``password`` is long and strong enough for account ``name``."""
    if not crypto.passphrase_is_text(password):
        raise FieldError("password", _("Password: not valid text in UTF-8."))
    if len(password) < crypto.MIN_LENGTH:
        raise FieldError(
            "password",
            _("Password: at least {n} characters.").format(n=crypto.MIN_LENGTH),
        )
    if len(password) > MAX_PASSWORD:
        raise FieldError("password", _("Password: at most {n} characters.").format(n=MAX_PASSWORD))
    if crypto.passphrase_strength(password, also_guessable=(name,)) < crypto.MIN_SCORE:
        raise FieldError(
            "password",
            _("Password: too easy to guess; add words or characters that belong together."),
        )


def add_account(
    name: str,
    role: str,
    *,
    session: Session,
    password: str | None = None,
    server_role: bool = False,
    by: str = "",
) -> Account:
    """A new account. The first account of a database must be an administrator's; a
    password account needs a strong password, a server-role account none."""
    name = check_name(name)
    if role not in set(Role):
        raise FieldError(
            "role", _("Role: one of {roles}.").format(roles=", ".join(r.value for r in Role))
        )
    if not has_accounts(session=session) and role != Role.ADMINISTRATOR:
        raise FieldError(
            "role", _("Role: the first account must be an administrator's (it manages the others).")
        )
    if find_account(name, session=session) is not None:
        raise FieldError("name", _("Name: an account with this name exists already."))
    if server_role:
        if password:
            raise FieldError(
                "password", _("Password: a server role's password is the server's, not kept here.")
            )
        password_hash = ""
    else:
        if password is None:
            raise FieldError("password", _("Password: give one."))
        check_password(password, name)
        password_hash = _hasher.hash(password)
    account = Account(
        name=name,
        folded=fold_name(name),
        role=role,
        password_hash=password_hash,
        server_role=server_role,
        created_by=by,
    )
    session.add(account)
    session.flush()
    audit.record(
        "account-add",
        session=session,
        entity="account",
        entity_id=account.id,
        detail=f"role={role};server_role={int(server_role)}",
        actor=by or None,
    )
    return account


def list_accounts(*, session: Session) -> Sequence[Account]:
    return session.scalars(select(Account).order_by(col(Account.folded))).all()


def disable_account(name: str, *, session: Session, by: str = "") -> Account:
    """Disable ``name``'s account (it can no longer sign in; its name stays in the trail).
    The last administrator who can sign in is not disabled."""
    account = find_account(name, session=session)
    if account is None:
        raise FieldError("name", _("Name: no account has this name."))
    if account.disabled_at is not None:
        return account
    if account.role == Role.ADMINISTRATOR:
        others = session.scalar(
            select(func.count())
            .select_from(Account)
            .where(
                col(Account.role) == Role.ADMINISTRATOR,
                col(Account.disabled_at).is_(None),
                col(Account.id) != account.id,
            )
        )
        if not others:
            raise FieldError(
                "name", _("Name: this is the last administrator; add another one first.")
            )
    account.disabled_at = utcnow()
    session.add(account)
    session.flush()
    audit.record(
        "account-disable",
        session=session,
        entity="account",
        entity_id=account.id,
        actor=by or None,
    )
    return account


def sign_in_store(
    store: Store, name: str | None, password: str | None, *, now: dt.datetime | None = None
) -> Account:
    """Sign in on ``store`` (a shared database) as ``name`` with ``password``, or, with no
    name, as the server-role account of the connection's PostgreSQL role. The store then
    names every change after the account (``store.account``) and knows its role. A failure
    is committed (counted, and in the audit trail) before SignInError is raised."""
    with store.session() as session:
        try:
            if name is None:
                account = sign_in_as_server_role(session=session, now=now)
            else:
                account = sign_in(name, password or "", session=session, now=now)
        except SignInError:
            session.commit()
            raise
        session.commit()
    store.account, store.role = account.name, account.role
    return account


def sign_in(
    name: str, password: str, *, session: Session, now: dt.datetime | None = None
) -> Account:
    """The account ``name`` when ``password`` is its password; raises SignInError (with
    the same words for an unknown name and a wrong password). Commits nothing itself:
    the caller commits even on failure (:func:`sign_in_store`), so that a failure is
    counted and written into the trail."""
    now = now or utcnow()
    account = find_account(name, session=session) if name.strip() else None
    if account is None or account.server_role or not account.password_hash:
        _verify(_unknown_hash(), password)
        audit.record("signin-failed", session=session, entity="account", actor="?")
        raise SignInError(_("Wrong name or password."))
    if account.disabled_at is not None:
        audit.record(
            "signin-failed",
            session=session,
            entity="account",
            entity_id=account.id,
            detail="disabled",
            actor=account.name,
        )
        raise SignInError(_("This account is disabled; ask an administrator."))
    locked_until = _aware(account.locked_until)
    if locked_until is not None and locked_until > now:
        raise SignInError(
            _("Too many wrong passwords: try again after {time}.").format(
                time=format_moment(locked_until)
            )
        )
    if not _verify(account.password_hash, password):
        account.failed_count += 1
        if account.failed_count > FREE_TRIES:
            wait = min(LONGEST_WAIT, FIRST_WAIT * 2 ** (account.failed_count - FREE_TRIES - 1))
            account.locked_until = now + wait
        session.add(account)
        audit.record(
            "signin-failed",
            session=session,
            entity="account",
            entity_id=account.id,
            detail=f"failed={account.failed_count}",
            actor=account.name,
        )
        raise SignInError(_("Wrong name or password."))
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return _signed_in(account, session, now)


def sign_in_as_server_role(*, session: Session, now: dt.datetime | None = None) -> Account:
    """The server-role account of the PostgreSQL role this connection signed in as."""
    role = str(session.execute(text("SELECT current_user")).scalar_one())
    account = find_account(role, session=session)
    if account is None or not account.server_role:
        raise SignInError(
            _("The server role {role} has no account here; ask an administrator.").format(role=role)
        )
    if account.disabled_at is not None:
        raise SignInError(_("This account is disabled; ask an administrator."))
    return _signed_in(account, session, now or utcnow())


def _signed_in(account: Account, session: Session, now: dt.datetime) -> Account:
    account.failed_count = 0
    account.locked_until = None
    account.last_sign_in_at = now
    session.add(account)
    audit.record(
        "signin", session=session, entity="account", entity_id=account.id, actor=account.name
    )
    return account


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored moment as UTC (SQLite gives naive values back)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)
