"""Dates as people type them and as the records keep them (no Qt).

- Typed day first or ISO (2/3/1984, 03/1984, 1984, 1984-03-02): :func:`split_date`,
  :func:`parse_full_date`.
- Kept as 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY': :func:`iso_parts` reads it, :func:`partial_text`
  writes it.
- Checked against the calendar (month 13, 31 February): :func:`calendar_day`.
- Shown in the reader's numeric pattern: :func:`numeric_date_pattern`, :func:`date_placeholder`.

The forms' date edits (``amudesk.ui.kit.dates``) and the validators
(``amudesk.services.validation``) both read dates here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import get_date_format

from amudesk import i18n
from amudesk.i18n import BRUSSELS, _


def brussels_today() -> dt.date:
    """Today as the desk counts days: in Brussels, whatever the computer's own time zone
    (a day entered "today" just after midnight is never "in the future")."""
    return dt.datetime.now(ZoneInfo(BRUSSELS)).date()


PartialDate = tuple[int, int | None, int | None]
"""(year, month, day); the month, or the day, None when not known."""

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2}|\?\?|xx|XX)(?:-(\d{1,2}|\?\?|xx|XX))?)?$")
_PARTIAL_ISO = re.compile(r"^([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?$")
_SEPARATORS = re.compile(r"[/.\-\s]+")
_UNKNOWN = {"?", "??", "x", "xx", "0", "00"}


class DateSyntaxError(ValueError):
    """The text cannot be read as a date at all."""


class NoSuchDate(DateSyntaxError):
    """The date read has a part the calendar lacks: month 13, 31 February, year 0."""

    def __init__(self, text: str, part: Literal["year", "month", "day"]) -> None:
        super().__init__(text)
        self.part = part


def _year(token: str, *, past: bool, today: dt.date) -> int:
    if not token.isascii() or not token.isdigit() or len(token) not in (2, 4):
        raise DateSyntaxError(token)
    year = int(token)
    if len(token) == 2:
        # Two digits: the most recent matching year (birth dates), or up to 20 years ahead.
        limit = today.year if past else today.year + 20
        year += 2000 if 2000 + year <= limit else 1900
    return year


def _part(token: str) -> int | None:
    if token.lower() in _UNKNOWN:
        return None
    if not token.isascii() or not token.isdigit() or len(token) > 2:
        raise DateSyntaxError(token)
    return int(token)


def _tokens(text: str) -> list[str]:
    parts = [p for p in _SEPARATORS.split(text) if p]
    if len(parts) == 1 and parts[0].isascii() and parts[0].isdigit():
        digits = parts[0]
        if len(digits) == 8:  # 02031984
            return [digits[:2], digits[2:4], digits[4:]]
        if len(digits) == 6:  # 031984 (month, year) or 020384 (day, month, two-digit year)
            if 1800 <= int(digits[2:]) <= 2200:
                return [digits[:2], digits[2:]]
            return [digits[:2], digits[2:4], digits[4:]]
    return parts


def split_date(text: str, *, past: bool = True, today: dt.date | None = None) -> PartialDate | None:
    """(year, month, day) of a date typed day first or ISO; None when empty.

    Accepts ``2/3/1984``, ``02.03.84``, ``02031984``, ``03/1984``, ``1984``, ``1984-03-02``,
    ``1984-03``; ``?``, ``x`` or ``00`` mark an unknown day or month. Raises
    :class:`DateSyntaxError` when the text is not a date at all. The numbers are not
    checked (31 February comes back as it is).
    """
    today = today or brussels_today()
    text = text.strip()
    if not text:
        return None
    iso = _ISO.match(text)
    if iso:
        year_text, month_text, day_text = iso.groups()
        year = int(year_text)
        month = _part(month_text) if month_text else None
        day = _part(day_text) if day_text else None
    else:
        parts = _tokens(text)
        if not 1 <= len(parts) <= 3:
            raise DateSyntaxError(text)
        year = _year(parts[-1], past=past, today=today)
        month = _part(parts[-2]) if len(parts) >= 2 else None
        day = _part(parts[-3]) if len(parts) == 3 else None
    if day is not None and month is None:
        raise DateSyntaxError(text)
    return year, month, day


def iso_parts(text: str) -> PartialDate | None:
    """(year, month, day) of a date kept as 'YYYY-MM-DD', 'YYYY-MM' or 'YYYY' (ASCII digits,
    two for the month and the day); None for any other text. The numbers are not checked
    (:func:`calendar_day` does)."""
    match = _PARTIAL_ISO.match(text)
    if not match:
        return None
    year, month, day = match.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def partial_text(parts: PartialDate | None, *, written: bool = False) -> str:
    """'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or ''; ``written``: as typed in a form, day first
    ('DD/MM/YYYY', 'MM/YYYY', 'YYYY')."""
    if parts is None:
        return ""
    year, month, day = parts
    fields = [f"{year:04d}"]
    if month is not None:
        fields.append(f"{month:02d}")
        if day is not None:
            fields.append(f"{day:02d}")
    return "/".join(reversed(fields)) if written else "-".join(fields)


def calendar_day(parts: PartialDate, text: str = "") -> dt.date | None:
    """The day ``parts`` name, None when the day is not given; :class:`NoSuchDate` (naming
    ``text``) when the month, or the day, or the year of a full date, is not in the calendar."""
    year, month, day = parts
    if month is not None and not 1 <= month <= 12:
        raise NoSuchDate(text, "month")
    if day is None:
        return None
    if month is None:
        raise DateSyntaxError(text)
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise NoSuchDate(text, "day" if dt.MINYEAR <= year <= dt.MAXYEAR else "year") from None


def parse_full_date(text: str, *, today: dt.date | None = None) -> dt.date | None:
    """A complete day typed as 2/3/2026, 02.03.26, 02032026 or ISO; None when empty.

    Raises :class:`DateSyntaxError` when the text is not a whole day of the calendar."""
    parts = split_date(text, past=False, today=today)
    if parts is None:
        return None
    day = calendar_day(parts, text)
    if day is None:
        raise DateSyntaxError(text)
    return day


def numeric_date_pattern(locale: str | None = None) -> str:
    """The locale's short date pattern with two-digit day and month and a four-digit year."""
    pattern = get_date_format("short", locale=i18n.babel_locale(locale)).pattern
    pattern = re.sub(r"d+", "dd", pattern)
    pattern = re.sub(r"M+", "MM", pattern)
    return re.sub(r"y+", "yyyy", pattern)


def date_placeholder(pattern: str) -> str:
    """'dd/MM/yyyy' written with the reader's letters: JJ/MM/AAAA, DD/MM/JJJJ, DD/MM/YYYY."""
    return pattern.replace("dd", _("DD")).replace("MM", _("MM")).replace("yyyy", _("YYYY"))
