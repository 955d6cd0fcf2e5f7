"""The Qt-free date parser shared by the date edits and the validators (amudesk.dates)."""

from __future__ import annotations

import datetime as dt

import pytest

from amudesk import i18n
from amudesk.dates import (
    DateSyntaxError,
    NoSuchDate,
    calendar_day,
    date_placeholder,
    iso_parts,
    numeric_date_pattern,
    parse_full_date,
    partial_text,
    split_date,
)
from amudesk.services import FieldError
from amudesk.services import validation as v

TODAY = dt.date(2026, 5, 1)

# --- typed day first ---------------------------------------------------------------------


def test_two_digit_years_are_read_as_the_most_recent_past_year() -> None:
    today = dt.date(2026, 5, 1)
    assert split_date("2/3/84", today=today) == (1984, 3, 2)
    assert split_date("2/3/19", today=today) == (2019, 3, 2)
    assert split_date("2/3/30", past=False, today=today) == (2030, 3, 2)


@pytest.mark.parametrize(
    ("typed", "parts"),
    [
        ("", None),
        ("   ", None),
        ("1984", (1984, None, None)),
        ("03/1984", (1984, 3, None)),
        ("2/3/1984", (1984, 3, 2)),
        ("02.03.1984", (1984, 3, 2)),
        ("02031984", (1984, 3, 2)),
        ("031984", (1984, 3, None)),
        ("1984-03-02", (1984, 3, 2)),
        ("1984-3", (1984, 3, None)),
        ("1984-??-??", (1984, None, None)),
        ("?/3/1984", (1984, 3, None)),
        ("00/00/1984", (1984, None, None)),
        ("31/02/1984", (1984, 2, 31)),  # read, not checked
    ],
)
def test_split_date_reads_the_usual_forms(typed: str, parts: object) -> None:
    assert split_date(typed, today=TODAY) == parts


@pytest.mark.parametrize("typed", ["hello", "1/2/3/4", "31/1984x", "5/", "2/?/1984", "123"])
def test_split_date_refuses_text_that_is_no_date(typed: str) -> None:
    with pytest.raises(DateSyntaxError):
        split_date(typed, today=TODAY)


def test_parse_full_date_wants_a_whole_day_of_the_calendar() -> None:
    assert parse_full_date("", today=TODAY) is None
    assert parse_full_date("2/3/2026", today=TODAY) == dt.date(2026, 3, 2)
    assert parse_full_date("02.03.26", today=TODAY) == dt.date(2026, 3, 2)
    assert parse_full_date("2026-03-02", today=TODAY) == dt.date(2026, 3, 2)
    for typed in ("3/2026", "2026", "31/02/2026", "2/13/2026", "0000-01-01", "nope"):
        with pytest.raises(DateSyntaxError):
            parse_full_date(typed, today=TODAY)


def test_partial_text_writes_what_iso_parts_reads() -> None:
    assert partial_text(None) == ""
    for text in ("1984", "1984-03", "1984-03-02", "0012-01-01"):
        assert partial_text(iso_parts(text)) == text


# --- kept as YYYY[-MM[-DD]] ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("1984", (1984, None, None)),
        ("1984-03", (1984, 3, None)),
        ("1984-03-02", (1984, 3, 2)),
        ("1984-13-45", (1984, 13, 45)),  # read, not checked
        ("1984-3", None),
        ("84", None),
        ("1984-03-02x", None),
        ("2/3/1984", None),
        ("١٩٨٤", None),  # Arabic-Indic digits
        ("", None),
    ],
)
def test_iso_parts_reads_only_the_kept_form(text: str, parts: object) -> None:
    assert iso_parts(text) == parts


def test_calendar_day_names_the_part_the_calendar_lacks() -> None:
    assert calendar_day((1984, None, None)) is None
    assert calendar_day((1984, 3, None)) is None
    assert calendar_day((1984, 3, 2)) == dt.date(1984, 3, 2)
    assert calendar_day((2024, 2, 29)) == dt.date(2024, 2, 29)
    for parts, part in [
        ((1984, 13, None), "month"),
        ((1984, 0, 2), "month"),
        ((1984, 2, 30), "day"),
        ((2023, 2, 29), "day"),
        ((0, 1, 1), "year"),
    ]:
        with pytest.raises(NoSuchDate) as error:
            calendar_day(parts, "typed")
        assert error.value.part == part
        assert error.value.args == ("typed",)
        assert isinstance(error.value, DateSyntaxError)


# --- the validators read dates the same way ----------------------------------------------


def _message(check: object) -> str:
    assert callable(check)
    with pytest.raises(FieldError) as error:
        check()
    return error.value.message


def test_partial_date_messages_are_unchanged() -> None:
    def check(text: str) -> str:
        return _message(lambda: v.partial_date(text, "birth_date", "Birth date", today=TODAY))

    assert v.partial_date(" 1984-03 ", "birth_date", "Birth date", today=TODAY) == "1984-03"
    assert v.partial_date("", "birth_date", "Birth date", today=TODAY) is None
    assert check("1984-3") == (
        "Birth date: write the date as YYYY-MM-DD, YYYY-MM or YYYY (got “1984-3”)."
    )
    assert check("1899") == "Birth date: the year 1899 is not possible."
    assert check("2027-01") == "Birth date: the year 2027 is not possible."
    assert check("1984-13") == "Birth date: the month must be between 01 and 12."
    assert check("1984-00-12") == "Birth date: the month must be between 01 and 12."
    assert check("1984-02-30") == "Birth date: this day does not exist in that month."
    assert check("1984-02-00") == "Birth date: this day does not exist in that month."
    assert check("2026-05-02") == "Birth date: the date is in the future."
    assert v.partial_date("2026-05", "birth_date", "Birth date", today=TODAY) == "2026-05"


def test_iso_date_messages_are_unchanged() -> None:
    assert v.iso_date(" 2026-03-02 ", "filed_on", "Filed on") == dt.date(2026, 3, 2)
    assert v.iso_date("", "filed_on", "Filed on") is None
    for text in ("2026-3-2", "2026-03", "2026-02-30", "2026-13-01", "0000-01-01", "2/3/2026"):
        assert _message(lambda text=text: v.iso_date(text, "filed_on", "Filed on")) == (
            f"Filed on: write the date as YYYY-MM-DD (got “{text}”)."
        )


def test_date_parts_of_a_checked_partial_date() -> None:
    assert v.date_parts("1984") == (1984, None, None)
    assert v.date_parts("1984-03") == (1984, 3, None)
    assert v.date_parts("1984-03-02") == (1984, 3, 2)
    with pytest.raises(ValueError):
        v.date_parts("2/3/1984")


def test_a_typed_birth_date_is_checked_by_the_validator() -> None:
    """What the birth date edit sends to the validator: the typed date, kept form."""
    parts = split_date("31/02/1984", today=TODAY)
    text = partial_text(parts)
    assert text == "1984-02-31"
    assert iso_parts(text) == parts
    with pytest.raises(FieldError):
        v.partial_date(text, "birth_date", "Birth date", today=TODAY)


# --- the reader's pattern ----------------------------------------------------------------


def test_numeric_date_pattern_and_placeholder() -> None:
    assert numeric_date_pattern("nl") == "dd/MM/yyyy"
    assert numeric_date_pattern("en") == "dd/MM/yyyy"
    i18n.set_locale("en")
    assert date_placeholder("dd/MM/yyyy") == "DD/MM/YYYY"
    i18n.set_locale("fr")
    assert date_placeholder(numeric_date_pattern()) == "JJ/MM/AAAA"
