"""Short texts several screens show: a CPAS's name, a request's heading, a person's name,
a number in the reader's locale."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from amudesk import i18n
from amudesk.i18n import _
from amudesk.models import Cpas
from amudesk.models.person import display_name
from amudesk.services import cases
from amudesk.text import fold


def cpas_label(cpas: Cpas, locale: str | None = None) -> str:
    """'CPAS de Saint-Gilles' or 'OCMW Sint-Gillis'; the commune added when the name lacks it."""
    locale = locale or i18n.get_locale()
    name = cpas.display_name(locale)
    commune = (cpas.commune_nl if locale == "nl" else "") or cpas.commune_fr
    if commune and fold(commune) not in fold(name):
        return _("{name} ({commune})").format(name=name, commune=commune)
    return name


def request_heading(request_id: int, *, session: Any) -> str:
    """'Request AMU-2026-0042, received 3 Mar 2026 at 14:05' and the person on a second line."""
    detail = cases.get_case(request_id, session=session)
    received = detail.request.received_at
    if received is None:
        first = _("Request {reference}, being prepared (not filed with a CPAS yet)").format(
            reference=detail.request.reference
        )
        return f"{first}\n{detail.person.full_name}"
    first = _("Request {reference}, received {date} at {time}").format(
        reference=detail.request.reference,
        date=i18n.format_date(cases.local_date(received)),
        time=i18n.format_datetime(received, "HH:mm"),
    )
    return f"{first}\n{detail.person.full_name}"


def person_display_name(family_name: str, given_names: str) -> str:
    """'NGUYỄN Văn An': family name in capitals, as on Belgian forms."""
    return display_name(family_name, given_names)


def format_number(n: int) -> str:
    return str(format_decimal(n, locale=i18n.babel_locale(None)))
