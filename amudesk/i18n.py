"""Translations, dates and localised names, with the locale chosen per call.

The interface has a current locale (``set_locale``); documents and exports can
ask for another one (``translator("nl")``) without touching it. Catalogs are the
Babel ``.po`` files under ``translations/``, compiled in memory on first use.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as _gettext
import io
import locale as _locale
import os
import re
from collections.abc import Iterable
from typing import Literal, cast
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.dates import format_skeleton, get_date_format, get_datetime_format
from babel.dates import format_time as _format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from amudesk.bundled import translations_dir
from amudesk.text import fold

LANGUAGES: tuple[str, ...] = ("fr", "nl", "en")
DOMAIN = "amudesk"
TRANSLATIONS_DIR = translations_dir()
BRUSSELS = "Europe/Brussels"

_current = "fr"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def default_locale() -> str:
    """The system's language when it is one of ours, French otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "")
        if value[:2] in LANGUAGES:
            return value[:2]
    try:
        code = (_locale.getlocale()[0] or "")[:2]
    except ValueError:
        code = ""
    return code if code in LANGUAGES else "fr"


def set_locale(code: str) -> None:
    """Make ``code`` (fr, nl or en) the interface language."""
    global _current
    if code not in LANGUAGES:
        raise ValueError(f"unsupported language {code!r}")
    _current = code


def get_locale() -> str:
    return _current


@functools.cache
def translator(code: str | None = None) -> _gettext.NullTranslations:
    """The catalog of ``code``; an untranslated fallback when it is missing."""
    code = code or _current
    po_path = TRANSLATIONS_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=code)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def _(message: str) -> str:
    """Translate ``message`` into the interface language."""
    return translator(_current).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translator(_current).ngettext(singular, plural, n)


def gettext_for(code: str, message: str) -> str:
    """Translate ``message`` into ``code`` whatever the interface language is."""
    return translator(code).gettext(message)


def ngettext_for(code: str, singular: str, plural: str, n: int) -> str:
    return translator(code).ngettext(singular, plural, n)


def babel_locale(code: str | None = None) -> str:
    """The Babel locale used for ``code`` (fr_BE, nl_BE, en_GB)."""
    code = code or _current
    return {"fr": "fr_BE", "nl": "nl_BE", "en": "en_GB"}.get(code, code)


_Named = Literal["full", "long", "medium", "short"]
_NAMED = frozenset({"short", "medium", "long", "full"})


def _named(fmt: str) -> _Named:
    return cast(_Named, fmt)


# A day of the month written alone ('d', not 'dd') before the month's name.
_FIRST_DAY = re.compile(r"(?<![dD])d(?= MMM)")


def format_date(value: dt.date | None, fmt: str = "medium", locale: str | None = None) -> str:
    """A date for people to read: '23 nov. 2026', '23 nov 2026', '23 Nov 2026'. In French
    the first day of a month is written '1er' before the month's name ('1er sept. 2026',
    'mardi 1er septembre 2026'), as French typography has it; '01/09/2026' stays."""
    if value is None:
        return ""
    where = babel_locale(locale)
    if value.day == 1 and where.startswith("fr"):
        pattern = get_date_format(_named(fmt), locale=where).pattern if fmt in _NAMED else fmt
        if "'" not in pattern:
            fmt = _FIRST_DAY.sub("d'er'", pattern)
    return _format_date(value, format=fmt, locale=where)


def format_datetime(
    value: dt.datetime | None, fmt: str = "medium", locale: str | None = None
) -> str:
    """A moment shown in Brussels time; naive values are taken as UTC."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(ZoneInfo(BRUSSELS))
    where = babel_locale(locale)
    if local.day == 1 and where.startswith("fr"):  # '1er', as format_date writes it
        if fmt in _NAMED:
            return (
                str(get_datetime_format(_named(fmt), locale=where))
                .replace("'", "")
                .replace("{0}", _format_time(local, fmt, tzinfo=local.tzinfo, locale=where))
                .replace("{1}", format_date(local.date(), fmt, locale=locale))
            )
        if "'" not in fmt:
            fmt = _FIRST_DAY.sub("d'er'", fmt)
    return _format_datetime(local, format=fmt, locale=where, tzinfo=local.tzinfo)


def format_moment(value: dt.datetime, locale: str | None = None) -> str:
    """A recent moment in Brussels time: '14:05' today, else '3 déc. 2026, 14:05'."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(ZoneInfo(BRUSSELS))
    if local.date() == dt.datetime.now(ZoneInfo(BRUSSELS)).date():
        return _format_time(local, format="short", locale=babel_locale(locale), tzinfo=local.tzinfo)
    return _format_datetime(local, format="short", locale=babel_locale(locale), tzinfo=local.tzinfo)


def format_partial_date(text: str | None, locale: str | None = None) -> str:
    """'1984-03-02', '1984-03' or '1984' written for people ('mars 1984'); any other text
    as it is stored (a person's access export, a card or the case panel show what is kept
    rather than fail on it)."""
    if not text:
        return ""
    try:
        parts = [int(p) for p in text.split("-")]
        if len(parts) == 3:
            return format_date(dt.date(*parts), locale=locale)
        if len(parts) == 2:
            day = dt.date(parts[0], parts[1], 1)
            return format_skeleton("yMMMM", day, locale=babel_locale(locale))
        if len(parts) == 1 and dt.MINYEAR <= parts[0] <= dt.MAXYEAR:
            return str(parts[0])
    except ValueError:
        pass
    return text


_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


@functools.cache
def countries(locale: str | None = None) -> tuple[tuple[str, str], ...]:
    """(ISO 3166 alpha-2 code, localised name), sorted by name for that locale."""
    names = Locale.parse(babel_locale(locale)).territories
    items = [
        (code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    ]
    return tuple(sorted(items, key=lambda item: _sort_key(item[1])))


def country_name(code: str | None, locale: str | None = None) -> str:
    if not code:
        return ""
    return str(Locale.parse(babel_locale(locale)).territories.get(code.upper(), code.upper()))


@functools.cache
def languages(locale: str | None = None) -> tuple[tuple[str, str], ...]:
    """(ISO 639-1 code, localised name), sorted by name."""
    names = Locale.parse(babel_locale(locale)).languages
    items = [(code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()]
    return tuple(sorted(items, key=lambda item: _sort_key(item[1])))


def language_name(code: str | None, locale: str | None = None) -> str:
    if not code:
        return ""
    return str(Locale.parse(babel_locale(locale)).languages.get(code.lower(), code))


def is_country(code: str) -> bool:
    return code.upper() in dict(countries("en"))


def is_language(code: str) -> bool:
    return code.lower() in dict(languages("en"))


def _sort_key(text: str) -> str:
    return fold(text)


def join_names(values: Iterable[str]) -> str:
    return ", ".join(v for v in values if v)
