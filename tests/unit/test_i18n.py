from __future__ import annotations

import datetime as dt

import pytest

from amudesk import i18n
from amudesk.text import fold


def test_fold_ignores_case_accents_and_script() -> None:
    assert fold("Nguyễn Văn") == "nguyen van"
    assert fold("ÖZTÜRK") == "ozturk"
    assert fold("Łukasiewicz-Ștefănescu") == "lukasiewicz stefanescu"
    assert fold("Иванова") == "ivanova"
    assert fold("  El-Idrissi, ʿAbd  ") == "el idrissi abd"
    assert fold(None) == ""


def test_dates_follow_the_locale_per_call() -> None:
    day = dt.date(2026, 8, 15)
    assert i18n.format_date(day, "long", locale="fr") == "15 août 2026"
    assert i18n.format_date(day, "long", locale="nl") == "15 augustus 2026"
    assert i18n.format_date(day, "long", locale="en") == "15 August 2026"
    assert i18n.format_partial_date("1984", locale="fr") == "1984"
    assert "1984" in i18n.format_partial_date("1984-03", locale="nl")
    assert "maart" in i18n.format_partial_date("1984-03", locale="nl")


def test_the_first_of_a_month_is_1er_in_french_only() -> None:
    first, second = dt.date(2026, 9, 1), dt.date(2026, 9, 2)
    assert i18n.format_date(first, "long", locale="fr") == "1er septembre 2026"
    assert i18n.format_date(first, "medium", locale="fr") == "1er sept. 2026"
    assert i18n.format_date(first, "full", locale="fr") == "mardi 1er septembre 2026"
    assert i18n.format_date(first, "EEE d MMM y", locale="fr") == "mar. 1er sept. 2026"
    assert i18n.format_date(first, "dd/MM/y", locale="fr") == "01/09/2026"  # figures stay
    assert i18n.format_date(first, "short", locale="fr") == "1/09/26"
    assert i18n.format_date(second, "long", locale="fr") == "2 septembre 2026"
    assert i18n.format_date(first, "long", locale="nl") == "1 september 2026"
    assert i18n.format_date(first, "long", locale="en") == "1 September 2026"
    morning = dt.datetime(2026, 9, 1, 8, 5, tzinfo=dt.UTC)  # 10:05 in Brussels
    assert i18n.format_datetime(morning, locale="fr") == "1er sept. 2026, 10:05:00"
    late = dt.datetime(2026, 8, 31, 22, 30, tzinfo=dt.UTC)  # already the 1st in Brussels
    assert i18n.format_datetime(late, "short", locale="fr") == "1/09/26 00:30"
    assert i18n.format_datetime(late, locale="fr").startswith("1er sept. 2026")


@pytest.mark.parametrize(
    "stored", ["1984-13", "1984-02-30", "0000", "19x4", "1984-03-02-01", "-", "99999-01-01"]
)
def test_a_birth_date_that_is_not_one_is_shown_as_stored(stored: str) -> None:
    """What an old version, a hand edit or a damaged import left: shown as it is kept,
    never a crash of the panel, the card or the person's access export."""
    assert i18n.format_partial_date(stored, locale="fr") == stored
    from amudesk.ui.casesections import birth_text

    assert birth_text(stored).startswith(stored)  # the case panel: as kept, age if it can


def test_moments_are_shown_in_brussels_time() -> None:
    moment = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.UTC)
    assert "10:00" in i18n.format_datetime(moment, locale="fr")


def test_country_and_language_names_are_localised() -> None:
    assert i18n.country_name("BE", "fr") == "Belgique"
    assert i18n.country_name("BE", "nl") == "België"
    assert i18n.language_name("ar", "fr") == "arabe"
    codes = dict(i18n.countries("fr"))
    assert "XK" in codes or "MA" in codes
    assert "EU" not in codes and "001" not in codes
    assert i18n.is_country("cd") and not i18n.is_country("XY")
    assert i18n.is_language("ln") and not i18n.is_language("zz")


def test_translation_can_differ_from_the_interface_language() -> None:
    i18n.set_locale("en")
    assert i18n.gettext_for("fr", "Refusal") != "Refusal"
    assert i18n.gettext_for("nl", "Refusal") != "Refusal"
    assert i18n._("Refusal") == "Refusal"
    i18n.set_locale("fr")
    assert i18n._("Refusal") == i18n.gettext_for("fr", "Refusal")
