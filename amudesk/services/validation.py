"""Small validators shared by the services and the import."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from amudesk.i18n import _, is_country, is_language
from amudesk.services import FieldError

_PARTIAL = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean(
    text: str | None,
    field: str,
    label: str,
    *,
    required: bool = False,
    max_length: int = 200,
    multiline: bool = False,
    printed: bool = False,
) -> str:
    """Spaces folded (each line's, with ``multiline``, empty lines dropped) and checked.
    ``printed`` text goes on documents: it is put in composed form (NFC) and refused when
    it holds a character the documents' font cannot draw (it would print as a box)."""
    if multiline:
        lines = (" ".join(line.split()) for line in (text or "").splitlines())
        value = "\n".join(line for line in lines if line)
    else:
        value = " ".join((text or "").split())
    if required and not value:
        raise FieldError(field, _("{field}: this field is required.").format(field=label))
    if len(value) > max_length:
        raise FieldError(
            field, _("{field}: at most {n} characters.").format(field=label, n=max_length)
        )
    if printed:
        value = printable(value, field, label)
    return value


def printable(value: str, field: str, label: str) -> str:
    """``value`` in composed form (NFC), or a FieldError naming the first characters the
    documents cannot print."""
    from amudesk.documents.fonts import undrawable

    value = unicodedata.normalize("NFC", value)
    missing = undrawable(value)
    if missing:
        shown = " ".join(f"“{char}” (U+{ord(char):04X})" for char in missing[:3])
        raise FieldError(
            field,
            _(
                "{field}: {characters} cannot be printed on the documents; write the name "
                "in Latin, Cyrillic, Greek or Arabic letters, or remove the character."
            ).format(field=label, characters=shown),
        )
    return value


def partial_date(
    text: str | None, field: str, label: str, *, today: dt.date | None = None
) -> str | None:
    """'YYYY-MM-DD', 'YYYY-MM' or 'YYYY', checked; None when empty."""
    value = (text or "").strip()
    if not value:
        return None
    match = _PARTIAL.match(value)
    if not match:
        raise FieldError(
            field,
            _("{field}: write the date as YYYY-MM-DD, YYYY-MM or YYYY (got “{value}”).").format(
                field=label, value=value
            ),
        )
    year, month, day = (int(p) if p else None for p in match.groups())
    assert year is not None
    today = today or dt.date.today()
    if year < 1900 or year > today.year:
        raise FieldError(
            field, _("{field}: the year {year} is not possible.").format(field=label, year=year)
        )
    if month is not None and not 1 <= month <= 12:
        raise FieldError(
            field, _("{field}: the month must be between 01 and 12.").format(field=label)
        )
    if day is not None:
        assert month is not None
        try:
            full = dt.date(year, month, day)
        except ValueError:
            raise FieldError(
                field, _("{field}: this day does not exist in that month.").format(field=label)
            ) from None
        if full > today:
            raise FieldError(field, _("{field}: the date is in the future.").format(field=label))
    return value


def iso_date(text: str | None, field: str, label: str) -> dt.date | None:
    value = (text or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FieldError(
            field,
            _("{field}: write the date as YYYY-MM-DD (got “{value}”).").format(
                field=label, value=value
            ),
        ) from None


def country(code: str | None, field: str, label: str) -> str | None:
    value = (code or "").strip().upper()
    if not value:
        return None
    if not is_country(value):
        raise FieldError(
            field,
            _("{field}: “{value}” is not an ISO 3166 country code.").format(
                field=label, value=value
            ),
        )
    return value


def language_codes(codes: list[str] | str, field: str, label: str) -> str:
    items = codes.replace(";", ",").split(",") if isinstance(codes, str) else codes
    result: list[str] = []
    for item in items:
        code = item.strip().lower()
        if not code:
            continue
        if not is_language(code):
            raise FieldError(
                field,
                _("{field}: “{value}” is not an ISO 639-1 language code.").format(
                    field=label, value=code
                ),
            )
        if code not in result:
            result.append(code)
    return ",".join(result)


def email(text: str | None, field: str, label: str) -> str:
    value = (text or "").strip()
    if value and not _EMAIL.match(value):
        raise FieldError(field, _("{field}: this is not an e-mail address.").format(field=label))
    return value


def date_order(start: dt.date | None, end: dt.date | None, field: str, label: str) -> None:
    if start and end and end < start:
        raise FieldError(field, _("{field}: the end comes before the start.").format(field=label))


FUTURE_MARGIN = dt.timedelta(minutes=5)


def not_in_future(
    value: dt.date | dt.datetime | None, field: str, label: str, *, today: dt.date | None = None
) -> None:
    """Refuse a date (or an aware moment, with a few minutes' grace for clocks) after now."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        late = value > dt.datetime.now(dt.UTC) + FUTURE_MARGIN
    else:
        late = value > (today or dt.date.today())
    if late:
        raise FieldError(field, _("{field}: the date is in the future.").format(field=label))
