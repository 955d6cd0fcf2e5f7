"""Belgian identifiers: NISS/BIS, INAMI/RIZIV and BCE/KBO numbers.

Parsing functions return the compact form and raise ``IdentifierError`` with
a translated message that says what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stdnum.be import bis, nn, ssn, vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, ValidationError

from amudesk.i18n import _


class IdentifierError(ValueError):
    """An identifier is invalid; ``str(error)`` is a translated message for the user."""


@dataclass(frozen=True)
class NissInfo:
    """A valid NISS (national register or BIS number) and what it encodes."""

    number: str
    kind: str
    formatted: str
    birth_date: dt.date | None
    birth_year: int | None
    birth_month: int | None
    sex: str | None


# --- NISS / BIS -------------------------------------------------------------


def _is_digits(text: str) -> bool:
    return text.isascii() and text.isdecimal()


def _niss_error(error: ValidationError, compact: str) -> IdentifierError:
    # stdnum reports bad characters, all zeros and short input all as InvalidFormat.
    if not _is_digits(compact):
        return IdentifierError(_("NISS: only digits, spaces, dots and dashes are allowed"))
    if len(compact) != 11:
        return IdentifierError(
            _("NISS: 11 digits expected, {count} given").format(count=len(compact))
        )
    if isinstance(error, InvalidChecksum):
        return IdentifierError(_("NISS: the check digits do not match (wrong digit or typo?)"))
    if isinstance(error, InvalidComponent):
        return IdentifierError(_("NISS: the birth month (3rd and 4th digits) is impossible"))
    return IdentifierError(_("NISS: this number is not valid"))


def parse_niss(text: str) -> NissInfo:
    """Validate a NISS (national register or BIS number) and decode it."""
    compact = ssn.compact(text)
    if not compact:
        raise IdentifierError(_("NISS: the number is empty"))
    try:
        number = ssn.validate(compact)
    except ValidationError as error:
        raise _niss_error(error, compact) from None
    kind = "bis" if bis.is_valid(number) else "nn"
    sex = bis.get_gender(number) if kind == "bis" else nn.get_gender(number)
    return NissInfo(
        number=number,
        kind=kind,
        formatted=ssn.format(number),
        birth_date=ssn.get_birth_date(number),
        birth_year=ssn.get_birth_year(number),
        birth_month=ssn.get_birth_month(number),
        sex=sex,
    )


def normalize_niss(text: str) -> str:
    """The 11 digits of a valid NISS."""
    return parse_niss(text).number


def birth_date_text(info: NissInfo) -> str | None:
    """The birth date implied by the number: 'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or None."""
    if info.birth_date is not None:
        return info.birth_date.isoformat()
    if info.birth_year is None:
        return None
    if info.birth_month is None:
        return f"{info.birth_year:04d}"
    return f"{info.birth_year:04d}-{info.birth_month:02d}"


# --- INAMI / RIZIV ----------------------------------------------------------

_INAMI_SEPARATORS = re.compile(r"[\s./-]+")


def _inami_check_ok(number: str) -> bool:
    first6, check = int(number[:6]), int(number[6:8])
    return check in (97 - first6 % 97, 89 - first6 % 89)


def parse_inami(text: str) -> str:
    """Validate an INAMI/RIZIV number of a care provider; return its 11 digits."""
    compact = _INAMI_SEPARATORS.sub("", text)
    if not compact:
        raise IdentifierError(_("INAMI: the number is empty"))
    if not _is_digits(compact):
        raise IdentifierError(_("INAMI: only digits, spaces, dots, dashes and slashes are allowed"))
    if len(compact) != 11:
        raise IdentifierError(
            _("INAMI: 11 digits expected, {count} given").format(count=len(compact))
        )
    if not _inami_check_ok(compact):
        raise IdentifierError(_("INAMI: the check digits do not match (wrong digit or typo?)"))
    return compact


def format_inami(compact: str) -> str:
    """Display form of an INAMI number: 1-23456-78-901."""
    n = parse_inami(compact)
    return f"{n[0]}-{n[1:6]}-{n[6:8]}-{n[8:]}"


# --- BCE / KBO --------------------------------------------------------------


def _bce_error(error: ValidationError, compact: str) -> IdentifierError:
    if not _is_digits(compact):
        return IdentifierError(_("BCE: invalid characters (expected 10 digits, e.g. 0123.456.749)"))
    if len(compact) != 10:
        return IdentifierError(
            _("BCE: 10 digits expected, {count} given").format(count=len(compact))
        )
    if isinstance(error, InvalidChecksum):
        return IdentifierError(_("BCE: the check digits do not match (wrong digit or typo?)"))
    if isinstance(error, InvalidComponent):
        return IdentifierError(_("BCE: the number must start with 0 or 1"))
    return IdentifierError(_("BCE: this number is not valid"))


def parse_bce(text: str) -> str:
    """Validate a BCE/KBO enterprise number ('0123.456.749', 'BE0123456749'); return 10 digits."""
    compact = vat.compact(text)
    if not compact:
        raise IdentifierError(_("BCE: the number is empty"))
    try:
        return vat.validate(compact)
    except ValidationError as error:
        raise _bce_error(error, compact) from None


def format_bce(compact: str) -> str:
    """Display form of an enterprise number: 0123.456.749."""
    n = parse_bce(compact)
    return f"{n[:4]}.{n[4:7]}.{n[7:]}"
