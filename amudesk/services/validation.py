"""Small validators shared by the services and the import."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from amudesk import dates
from amudesk.dates import brussels_today
from amudesk.documents.fonts import undrawable
from amudesk.i18n import _, is_country, is_language
from amudesk.services import FieldError
from amudesk.text import is_control, shown

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
QUOTED_LENGTH = 40
# Letters that draw nothing (Hangul fillers, the braille blank): a name of them alone is empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Format characters a name may hold: the joiners of Persian, Indic and other scripts.
_NAME_FORMAT_CHARACTERS = frozenset("\u200c\u200d")


def quoted(value: str) -> str:
    """``value`` as a message may quote it: every control character escaped
    (:func:`amudesk.text.shown`) and a long value cut short."""
    text = shown(value)
    if len(text) > QUOTED_LENGTH:
        return text[: QUOTED_LENGTH - 1] + "…"
    return text


def code_point(char: str) -> str:
    """'U+200B': how a message names a character that cannot be shown."""
    return f"U+{ord(char):04X}"


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


def note(text: str | None, field: str, label: str, *, max_length: int = 300) -> str:
    """A short free text (a reason, a note): spaces folded, and refused when it holds a
    control or an invisible format character (a bidi override can make a note read
    backwards on screen and in an export)."""
    return visible(clean(text, field, label, max_length=max_length), field, label)


def visible(value: str, field: str, label: str) -> str:
    """``value`` unchanged, or FieldError when it holds a control or an invisible format
    character other than the joiners of some scripts (line breaks are allowed)."""
    for char in value:
        if char == "\n":
            continue
        if is_control(char) or (
            unicodedata.category(char) == "Cf" and char not in _NAME_FORMAT_CHARACTERS
        ):
            raise FieldError(
                field,
                _("{field}: the invisible character {character} is not allowed; remove it.").format(
                    field=label, character=code_point(char)
                ),
            )
    return value


def _invisible(char: str) -> bool:
    return (
        char.isspace()
        or is_control(char)
        or unicodedata.category(char) == "Cf"
        or char in _BLANK_LETTERS
    )


def person_name(
    text: str | None, field: str, label: str, *, required: bool = True, max_length: int = 200
) -> str:
    """A family or given name: composed (NFC), spaces folded, printable on the documents.

    Refused: a name made only of invisible characters (spaces, zero-width and format
    characters, bidi controls), and anywhere in a name a control character (the bidi
    embeddings, overrides, isolates and marks among them) or a format character other
    than the zero-width joiners; line breaks and tabs are folded to spaces first."""
    value = clean(
        unicodedata.normalize("NFC", text or ""),
        field,
        label,
        required=required,
        max_length=max_length,
    )
    if value and all(_invisible(char) for char in value):
        codes = ", ".join(code_point(char) for char in dict.fromkeys(value))
        raise FieldError(
            field,
            _(
                "{field}: the name holds only invisible characters ({characters}); "
                "type the name again."
            ).format(field=label, characters=codes),
        )
    for char in value:
        if is_control(char) or (
            unicodedata.category(char) == "Cf" and char not in _NAME_FORMAT_CHARACTERS
        ):
            raise FieldError(
                field,
                _(
                    "{field}: the invisible character {character} is not allowed in a name "
                    "(it often comes with a copy and paste); remove it."
                ).format(field=label, character=code_point(char)),
            )
    return printable(value, field, label)


def printable(value: str, field: str, label: str) -> str:
    """``value`` in composed form (NFC), or a FieldError naming the first characters the
    documents cannot print."""
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
    parts = dates.iso_parts(value)
    if parts is None:
        raise FieldError(
            field,
            _("{field}: write the date as YYYY-MM-DD, YYYY-MM or YYYY (got “{value}”).").format(
                field=label, value=quoted(value)
            ),
        )
    year = parts[0]
    today = today or brussels_today()
    if year < 1900 or year > today.year:
        raise FieldError(
            field, _("{field}: the year {year} is not possible.").format(field=label, year=year)
        )
    try:
        full = dates.calendar_day(parts, value)
    except dates.NoSuchDate as error:
        if error.part == "month":
            message = _("{field}: the month must be between 01 and 12.")
        else:
            message = _("{field}: this day does not exist in that month.")
        raise FieldError(field, message.format(field=label)) from None
    if full is not None and full > today:
        raise FieldError(field, _("{field}: the date is in the future.").format(field=label))
    return value


def date_parts(value: str) -> tuple[int, int | None, int | None]:
    """Year, month and day of a checked partial date 'YYYY[-MM[-DD]]' (None when not given)."""
    parts = dates.iso_parts(value)
    if parts is None:
        raise ValueError(f"not a checked partial date: {value!r}")
    return parts


def born_by(birth_date: str | None, day: dt.date, field: str, label: str) -> None:
    """Refuse a birth date (checked, possibly partial) that comes after ``day``, the day
    a request was received: a year or a month is after it only when wholly after it."""
    if not birth_date:
        return
    year, month, dom = date_parts(birth_date)
    given = (year, month or 0, dom or 0)
    limit = (day.year, day.month if month else 0, day.day if dom else 0)
    if given > limit:
        raise FieldError(
            field,
            _(
                "{field}: the birth date ({birth}) comes after the day the request was "
                "received ({day}); check both dates."
            ).format(field=label, birth=birth_date, day=day.isoformat()),
        )


def iso_date(text: str | None, field: str, label: str) -> dt.date | None:
    value = (text or "").strip()
    if not value:
        return None
    parts = dates.iso_parts(value)
    try:
        if parts is None or parts[2] is None:
            raise dates.DateSyntaxError(value)
        return dates.calendar_day(parts, value)
    except dates.DateSyntaxError:
        raise FieldError(
            field,
            _("{field}: write the date as YYYY-MM-DD (got “{value}”).").format(
                field=label, value=quoted(value)
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
                field=label, value=quoted(value)
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
                    field=label, value=quoted(code)
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
        late = value > (today or brussels_today())
    if late:
        raise FieldError(field, _("{field}: the date is in the future.").format(field=label))
