"""A person's values as people read them: sex, birth date, NISS or BIS number.

Shared by the documents and the window. Plain values in, text out: nothing here opens the
database.
"""

from __future__ import annotations

from amudesk import i18n
from amudesk.i18n import N_, gettext_for
from amudesk.models.person import SEX_LABELS

_UNKNOWN_SEX = "U"


def sex_label(code: str, language: str) -> str:
    """The sex as a document prints it, in ``language``; blank when unknown ("U") or when
    the code is not one of :data:`SEX_LABELS`."""
    key = code.strip().upper()
    message = SEX_LABELS.get(key) if key != _UNKNOWN_SEX else None
    return gettext_for(language, message) if message else ""


def format_birth_date(value: str, language: str) -> str:
    """A birth date ("1985-07-30", "1985-07", "1985" or "") written for people in
    ``language``; a malformed value is given back as it is, so that it never stops a
    document."""
    try:
        return i18n.format_partial_date(value.strip(), locale=language)
    except ValueError:
        return value


def format_niss(value: str) -> str:
    """An 11-digit NISS or BIS number as YY.MM.DD-NNN.CC; anything else as it is."""
    digits = "".join(value.split())
    if len(digits) != 11 or not digits.isdigit():
        return value.strip()
    return f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:11]}"


def latin_name(latin: str, family_name: str, given_names: str) -> str:
    """The names in Latin letters to print under (or after) the names as written: ``latin``
    on one line, or '' when there is none or it only repeats the names (whatever the case
    and the order of family and given names)."""
    shown = " ".join(latin.split())
    if not shown:
        return ""
    written = {
        " ".join(f"{first} {second}".split()).casefold()
        for first, second in ((family_name, given_names), (given_names, family_name))
    }
    return "" if shown.casefold() in written else shown


def missing_niss(language: str, *, mediprima_number: str = "", cpas_phone: str = "") -> str:
    """What a document prints, in ``language``, in place of a NISS or BIS number the person
    does not have: how a care provider finds them instead (the MediPrima number of the
    decision, else the CPAS, by phone when its number is known)."""
    number = " ".join(mediprima_number.split())
    if number:
        return gettext_for(language, N_("none: use MediPrima no. {number}")).format(number=number)
    phone = " ".join(cpas_phone.split())
    if phone:
        return gettext_for(language, N_("none: ask the CPAS at {phone}")).format(phone=phone)
    return gettext_for(language, N_("none: ask the CPAS"))
