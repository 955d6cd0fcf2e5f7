"""Where the data lives: the embedded store of a data folder, or an office's PostgreSQL server.

A shared database is named by a ``postgresql://`` URL (``--database``,
``$AMUDESK_DATABASE_URL`` or the settings). :func:`shared_url` checks it and gives the URL
the engine is built from: the psycopg 3 driver, and TLS that checks the server's
certificate (``sslmode=verify-full``) unless the URL says otherwise or the server is on this
computer (a loopback address or a local socket: nothing crosses a network). A password in
the URL is never shown: :func:`shown_url` hides it for messages and logs.

Qt-free and light: the command line reads it before anything else is loaded.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from amudesk.i18n import _
from amudesk.text import is_control

SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")
DRIVER_SCHEME = "postgresql+psycopg"
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
DEFAULT_SSL_MODE = "verify-full"
MAX_URL = 2000
LOOPBACK_NAMES = ("localhost",)


class DatabaseUrlError(ValueError):
    """A database URL that cannot be used; the message names the problem."""


def shared_url(text: str) -> str:
    """The engine's URL for the PostgreSQL database ``text`` names; raises DatabaseUrlError
    with a message naming what is wrong (scheme, host, database name, TLS mode)."""
    url = text.strip()
    if not url:
        raise DatabaseUrlError(_("The database URL is empty."))
    if len(url) > MAX_URL:
        raise DatabaseUrlError(_("The database URL is too long."))
    if any(is_control(c) for c in url):  # bidi marks included
        raise DatabaseUrlError(_("The database URL holds a control character."))
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise DatabaseUrlError(
            _("The database URL must start with postgresql:// (it starts with {start}).").format(
                start=(parts.scheme or url[:12]) + "…"
            )
        )
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    host = parts.hostname or query.get("host", "")
    if not host:
        raise DatabaseUrlError(_("The database URL names no server (host)."))
    database = parts.path.lstrip("/")
    if not database or "/" in database:
        raise DatabaseUrlError(_("The database URL names no database (…/name at its end)."))
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise DatabaseUrlError(_("The port in the database URL is not a number.")) from None
    mode = query.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise DatabaseUrlError(
            _("sslmode={mode} in the database URL is not one of {modes}.").format(
                mode=mode, modes=", ".join(SSL_MODES)
            )
        )
    if mode is None and not is_local(host):
        query["sslmode"] = DEFAULT_SSL_MODE
    return urlunsplit((DRIVER_SCHEME, parts.netloc, parts.path, urlencode(query), parts.fragment))


def is_local(host: str) -> bool:
    """A server on this computer: a loopback address, ``localhost`` or a socket folder."""
    if host.startswith("/") or host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def shown_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{user}:***@{host}", parts.path, parts.query, parts.fragment))
