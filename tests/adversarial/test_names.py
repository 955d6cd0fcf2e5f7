"""Hostile names: whatever is typed or imported as a family or given name comes out as a
FieldError naming the field, or as a clean name: composed (NFC), single spaces, no control
or bidi character, no invisible format character but the joiners, not invisible as a
whole, printable on the documents, and the same when checked again."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from amudesk.documents.fonts import undrawable
from amudesk.services import FieldError, people
from amudesk.services import validation as v
from amudesk.text import BIDI_CONTROLS, is_control

NAMES = settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SPECIAL = [
    *BIDI_CONTROLS,
    "\x00",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9b",
    "\t",
    "\n",
    "\r",
    "\u00a0",
    "\u00ad",
    "\u034f",
    "\u115f",
    "\u180e",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u2028",
    "\u2029",
    "\u2060",
    "\u2800",
    "\u3000",
    "\u3164",
    "\ufeff",
    "\ufffc",
    "\ud800",
    "\udfff",
    "\U000e0041",
    "\u0301",
    "\u0958",
    "'",
    "-",
    "=",
]
name_text = st.one_of(
    st.text(max_size=40),
    st.lists(
        st.one_of(
            st.sampled_from(SPECIAL),
            st.sampled_from(["Diallo", "Nguyễn", "Иванова", "محمد", "Ζωή", "O'Neil", "de la"]),
            st.characters(categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"]),
        ),
        max_size=12,
    ).map("".join),
    st.builds(
        lambda part, n: part * n, st.sampled_from(["a", "\u200b", "é"]), st.integers(190, 210)
    ),
)


def assert_clean(name: str) -> None:
    assert name
    assert unicodedata.normalize("NFC", name) == name
    assert name == " ".join(name.split())
    assert len(name) <= 200
    for char in name:
        assert not is_control(char), repr(char)
        assert char not in BIDI_CONTROLS
        assert unicodedata.category(char) != "Cf" or char in "\u200c\u200d", repr(char)
    assert not all(
        unicodedata.category(char) == "Cf"
        or char.isspace()
        or char in "\u115f\u1160\u3164\uffa0\u2800"
        for char in name
    )
    assert undrawable(name) == []


def check_refusal(error: FieldError, field: str) -> None:
    assert error.field == field
    assert not any(is_control(char) for char in error.message), repr(error.message)


@NAMES
@given(text=name_text)
@example(text="\u202eollaiD")
@example(text="\u2066\u2069")
@example(text="Dia\u200bllo")
@example(text="\u200b")
@example(text="Nguye\u0302\u0303n")
@example(text="a" * 199 + "\u0958")  # longer once composed? (U+0958 decomposes)
@example(text="  Diallo \n\t Aminata  ")
def test_a_name_is_refused_or_clean(text: str) -> None:
    try:
        name = v.person_name(text, "family_name", "Family name")
    except FieldError as error:
        check_refusal(error, "family_name")
        assert error.message.startswith("Family name: ")
        return
    assert_clean(name)
    assert v.person_name(name, "family_name", "Family name") == name


@settings(NAMES, max_examples=100)
@given(family=name_text, given_names=name_text, guardian=st.booleans())
def test_people_and_dependants_get_clean_names(
    family: str, given_names: str, guardian: bool
) -> None:
    data = people.PersonData(
        family_name=family,
        given_names=given_names,
        birth_date="2019-05-02" if guardian else "",
        guardian_id=1 if guardian else None,
    )
    try:
        values = people.checked_values(data)
    except FieldError as error:
        assert error.field in ("family_name", "given_names")
        check_refusal(error, error.field)
        return
    assert_clean(values["family_name"])
    assert_clean(values["given_names"])


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
def test_every_bidi_control_is_refused_and_named(char: str) -> None:
    with pytest.raises(FieldError) as raised:
        v.person_name(f"Dia{char}llo", "given_names", "Given names")
    code = f"U+{ord(char):04X}"
    assert raised.value.message == (
        f"Given names: the invisible character {code} is not allowed in a name (it often "
        "comes with a copy and paste); remove it."
    )
