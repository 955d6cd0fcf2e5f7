"""Tests for amudesk.identifiers (NISS/BIS, INAMI, BCE)."""

from __future__ import annotations

import datetime as dt

import pytest

from amudesk.i18n import _
from amudesk.identifiers import (
    IdentifierError,
    NissInfo,
    birth_date_text,
    format_bce,
    format_inami,
    normalize_niss,
    parse_bce,
    parse_inami,
    parse_niss,
)

CHECK_DIGITS_MSG = "NISS: the check digits do not match (wrong digit or typo?)"


def make_niss(yymmdd: str, counter: str, *, born_2000s: bool = False) -> str:
    """A NISS with correct check digits: 97 - (n % 97), with a '2' prefix after 1999."""
    base = yymmdd + counter
    value = int(("2" + base) if born_2000s else base)
    return f"{base}{97 - value % 97:02d}"


def make_inami(first6: str, qualification: str, *, modulus: int) -> str:
    return f"{first6}{modulus - int(first6) % modulus:02d}{qualification}"


def make_bce(first8: str) -> str:
    return f"{first8}{97 - int(first8) % 97:02d}"


def error_of(func: object, text: str) -> str:
    assert callable(func)
    with pytest.raises(IdentifierError) as info:
        func(text)
    return str(info.value)


# --- NISS -------------------------------------------------------------------


def test_valid_national_number_1900s() -> None:
    number = make_niss("850730", "033")
    assert number == "85073003328"
    info = parse_niss("85.07.30-033.28")
    assert info == NissInfo(
        number="85073003328",
        kind="nn",
        formatted="85.07.30-033.28",
        birth_date=dt.date(1985, 7, 30),
        birth_year=1985,
        birth_month=7,
        sex="M",
    )
    assert birth_date_text(info) == "1985-07-30"
    assert normalize_niss(" 85 07 30 033 28 ") == "85073003328"


def test_valid_national_number_2000s_female() -> None:
    number = make_niss("050215", "002", born_2000s=True)
    info = parse_niss(number)
    assert info.kind == "nn"
    assert info.birth_date == dt.date(2005, 2, 15)
    assert info.sex == "F"
    # Without the '2' prefix the same digits would not validate.
    assert make_niss("050215", "002") != number


def test_bis_number_with_known_sex() -> None:
    info = parse_niss(make_niss("854730", "034"))  # month + 40: sex known
    assert info.kind == "bis"
    assert info.birth_date == dt.date(1985, 7, 30)
    assert info.sex == "F"


def test_bis_number_with_unknown_sex() -> None:
    info = parse_niss(make_niss("852730", "033"))  # month + 20: sex unknown
    assert info.kind == "bis"
    assert info.birth_date == dt.date(1985, 7, 30)
    assert info.birth_month == 7
    assert info.sex is None


@pytest.mark.parametrize(
    ("yymmdd", "year", "month", "text"),
    [
        ("850700", 1985, 7, "1985-07"),  # day unknown
        ("850000", 1985, None, "1985"),  # month and day unknown
        ("852000", 1985, None, "1985"),  # BIS, month unknown
    ],
)
def test_partial_birth_date(yymmdd: str, year: int, month: int | None, text: str) -> None:
    info = parse_niss(make_niss(yymmdd, "035"))
    assert info.birth_date is None
    assert (info.birth_year, info.birth_month) == (year, month)
    assert birth_date_text(info) == text


def test_unknown_birth_date() -> None:
    info = parse_niss(make_niss("000001", "035"))
    assert (info.birth_date, info.birth_year, info.birth_month) == (None, None, None)
    assert birth_date_text(info) is None


def test_wrong_check_digits() -> None:
    number = make_niss("850730", "033")
    typo = number[:4] + ("4" if number[4] != "4" else "5") + number[5:]
    assert error_of(parse_niss, typo) == _(CHECK_DIGITS_MSG)
    wrong_check = number[:-1] + str((int(number[-1]) + 1) % 10)
    assert error_of(parse_niss, wrong_check) == _(CHECK_DIGITS_MSG)


@pytest.mark.parametrize(("text", "count"), [("8507300332", 10), ("850730033289", 12), ("0", 1)])
def test_wrong_length(text: str, count: int) -> None:
    expected = _("NISS: 11 digits expected, {count} given").format(count=count)
    assert error_of(parse_niss, text) == expected


@pytest.mark.parametrize("text", ["85073003328X", "85/07/30-033-28", "abc"])
def test_invalid_characters(text: str) -> None:
    expected = _("NISS: only digits, spaces, dots and dashes are allowed")
    assert error_of(parse_niss, text) == expected


@pytest.mark.parametrize("text", ["", "   ", " . - "])
def test_empty(text: str) -> None:
    assert error_of(parse_niss, text) == _("NISS: the number is empty")


@pytest.mark.parametrize("yymmdd", ["851330", "853330", "856030"])
def test_impossible_month(yymmdd: str) -> None:
    expected = _("NISS: the birth month (3rd and 4th digits) is impossible")
    assert error_of(parse_niss, make_niss(yymmdd, "033")) == expected


def test_all_zeros() -> None:
    assert error_of(parse_niss, "00000000000") == _("NISS: this number is not valid")


def test_identifier_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        normalize_niss("123")


# --- INAMI ------------------------------------------------------------------


@pytest.mark.parametrize("modulus", [97, 89])
def test_inami_valid(modulus: int) -> None:
    number = make_inami("123456", "004", modulus=modulus)
    assert parse_inami(number) == number
    display = format_inami(number)
    assert display == f"1-23456-{number[6:8]}-004"
    assert parse_inami(display) == number
    assert parse_inami(display.replace("-", "/")) == number
    assert parse_inami(f" {number[:1]} {number[1:6]}.{number[6:8]} {number[8:]} ") == number


def test_inami_mod97_and_mod89_examples() -> None:
    assert parse_inami("1-23456-25-004") == "12345625004"  # 97 - 123456 % 97 == 25
    assert parse_inami("1-23456-76-004") == "12345676004"  # 89 - 123456 % 89 == 76
    assert parse_inami("3-00123-92-001") == "30012392001"
    assert parse_inami("3-00123-74-001") == "30012374001"


@pytest.mark.parametrize("text", ["1-23456-26-004", "1-23456-77-004", "3-00123-00-001"])
def test_inami_wrong_check_digits(text: str) -> None:
    expected = _("INAMI: the check digits do not match (wrong digit or typo?)")
    assert error_of(parse_inami, text) == expected


def test_inami_other_errors() -> None:
    assert error_of(parse_inami, "1-23456-25-04") == _(
        "INAMI: 11 digits expected, {count} given"
    ).format(count=10)
    assert error_of(parse_inami, "1-23456-25-00A") == _(
        "INAMI: only digits, spaces, dots, dashes and slashes are allowed"
    )
    assert error_of(parse_inami, " - ") == _("INAMI: the number is empty")
    with pytest.raises(IdentifierError):
        format_inami("12345626004")


# --- BCE --------------------------------------------------------------------


def test_bce_valid() -> None:
    number = make_bce("02032013")
    assert number == "0203201340"
    assert parse_bce("0203.201.340") == number
    assert parse_bce("BE 0203.201.340") == number
    assert parse_bce("be0203201340") == number
    assert parse_bce("203201340") == number  # old nine-digit form
    assert format_bce(number) == "0203.201.340"
    other = make_bce("10000001")
    assert format_bce(other) == f"{other[:4]}.{other[4:7]}.{other[7:]}"


@pytest.mark.parametrize(
    ("text", "message", "count"),
    [
        ("0203.201.341", "BCE: the check digits do not match (wrong digit or typo?)", None),
        ("2203.201.340", "BCE: the number must start with 0 or 1", None),
        ("0203.201.34000", "BCE: 10 digits expected, {count} given", 12),
        ("0203.2O1.340", "BCE: invalid characters (expected 10 digits, e.g. 0123.456.749)", None),
        ("BE", "BCE: the number is empty", None),
        ("0000000000", "BCE: this number is not valid", None),
    ],
)
def test_bce_invalid(text: str, message: str, count: int | None) -> None:
    expected = _(message).format(count=count) if count is not None else _(message)
    assert error_of(parse_bce, text) == expected
