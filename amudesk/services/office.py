"""The office profile: who issues the documents.

The name, the address, the signatory's title and the labour court can be written per
language (``Office.localised``): the plain column holds for every language, ``<field>_fr``
and ``<field>_nl`` hold that language's own words ("" when it has none of its own).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from amudesk.i18n import LANGUAGES, _
from amudesk.identifiers import IdentifierError, parse_bce
from amudesk.models import Office, OfficeKind
from amudesk.models.office import LOCALISED_FIELDS, PROFILE_LANGUAGES
from amudesk.services import FieldError, audit
from amudesk.services import validation as v

# save_office's keywords besides the logo: what a profile's values are read into and out of.
TEXT_FIELDS: tuple[str, ...] = (
    "kind",
    "name",
    "name_fr",
    "name_nl",
    "address",
    "address_fr",
    "address_nl",
    "phone",
    "email",
    "bce",
    "signatory_name",
    "signatory_title",
    "signatory_title_fr",
    "signatory_title_nl",
    "document_language",
    "labour_court_address",
    "labour_court_address_fr",
    "labour_court_address_nl",
)
# The localised fields' sizes and shapes: (most characters, several lines).
_SHAPES: dict[str, tuple[int, bool]] = {
    "name": (200, False),
    "address": (500, True),
    "signatory_title": (200, False),
    "labour_court_address": (500, True),
}


def get_office(*, session: Session) -> Office | None:
    """The profile, or None before the first run has asked for it."""
    return session.exec(select(Office).limit(1)).first()


def require_office(*, session: Session, message: str) -> Office:
    """The profile, or a FieldError on ``office`` saying ``message`` (marked with ``N_``,
    translated here) when there is none yet."""
    office = get_office(session=session)
    if office is None:
        raise FieldError("office", _(message))
    return office


def office_values(office: Office | None) -> dict[str, Any]:
    """The profile as save_office's keywords (the logo included); a new profile's
    defaults when there is none yet."""
    if office is None:
        values: dict[str, Any] = dict.fromkeys(TEXT_FIELDS, "")
        values.update(kind=str(OfficeKind.CPAS), document_language="fr", logo=None)
        return values
    values = {field: getattr(office, field) or "" for field in TEXT_FIELDS}
    values["kind"] = str(office.kind)
    values["logo"] = office.logo
    return values


def field_label(field: str) -> str:
    """The name of a profile's field in messages ("Address (Dutch)")."""
    base, _sep, language = field.rpartition("_")
    if language in PROFILE_LANGUAGES and base in LOCALISED_FIELDS:
        label = _base_label(base)
        if language == "fr":
            return _("{field} (French)").format(field=label)
        return _("{field} (Dutch)").format(field=label)
    return _base_label(field)


def _base_label(field: str) -> str:
    labels = {
        "name": _("Name of the office"),
        "address": _("Address"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "signatory_name": _("Signatory"),
        "signatory_title": _("Signatory's title"),
        "labour_court_address": _("Labour court"),
    }
    return labels.get(field, field)


def _text(value: str, field: str, *, required: bool = False, max_length: int = 200) -> str:
    """A one-line text of the profile: spaces folded, printable, no invisible character."""
    label = field_label(field)
    cleaned = v.clean(value, field, label, required=required, max_length=max_length, printed=True)
    return v.visible(cleaned, field, label)


def _localised(field: str, value: str, *, required: bool = False) -> str:
    base = field if field in _SHAPES else field.rsplit("_", 1)[0]
    max_length, multiline = _SHAPES[base]
    label = field_label(field)
    cleaned = v.clean(
        value,
        field,
        label,
        required=required,
        max_length=max_length,
        multiline=multiline,
        printed=True,
    )
    return v.visible(cleaned, field, label)


def save_office(
    *,
    session: Session,
    kind: str,
    name: str,
    address: str = "",
    phone: str = "",
    email: str = "",
    bce: str = "",
    logo: bytes | None = None,
    signatory_name: str = "",
    signatory_title: str = "",
    document_language: str = "fr",
    labour_court_address: str = "",
    labour_court_address_nl: str = "",
    name_fr: str = "",
    name_nl: str = "",
    address_fr: str = "",
    address_nl: str = "",
    signatory_title_fr: str = "",
    signatory_title_nl: str = "",
    labour_court_address_fr: str = "",
) -> Office:
    """Check every field, then create or replace the profile (audited: the fields changed).

    The per-language keywords (``name_nl`` …) are that language's own words; empty, the
    plain one holds for it. Nothing is written when a field is refused."""
    if kind not in {k.value for k in OfficeKind}:
        raise FieldError("kind", _("Kind of office: choose CPAS or association."))
    if document_language not in LANGUAGES:
        raise FieldError(
            "document_language", _("Document language: choose French, Dutch or English.")
        )
    try:
        bce_value = parse_bce(bce) if bce.strip() else None
    except IdentifierError as exc:
        raise FieldError("bce", str(exc)) from None
    given = {
        "name": name,
        "name_fr": name_fr,
        "name_nl": name_nl,
        "address": address,
        "address_fr": address_fr,
        "address_nl": address_nl,
        "signatory_title": signatory_title,
        "signatory_title_fr": signatory_title_fr,
        "signatory_title_nl": signatory_title_nl,
        "labour_court_address": labour_court_address,
        "labour_court_address_fr": labour_court_address_fr,
        "labour_court_address_nl": labour_court_address_nl,
    }
    values: dict[str, Any] = {
        field: _localised(field, text, required=field == "name") for field, text in given.items()
    }
    values["phone"] = _text(phone, "phone", max_length=50)
    values["email"] = v.visible(v.email(email, "email", _("E-mail")), "email", _("E-mail"))
    values["signatory_name"] = _text(signatory_name, "signatory_name")
    office = get_office(session=session) or Office(name="")
    office.kind = kind
    office.bce = bce_value
    office.logo = logo
    office.document_language = document_language
    for field, value in values.items():
        setattr(office, field, value)
    created, fields = office.id is None, audit.changed_fields(office)
    session.add(office)
    session.flush()
    audit.record_saved("office", office.id, session=session, created=created, fields=fields)
    return office


def update_office(*, session: Session, **changes: Any) -> Office:
    """Change some of the profile's fields (save_office's keywords), keeping the others;
    a profile that does not exist yet starts from the defaults (a CPAS, in French)."""
    unknown = set(changes) - {*TEXT_FIELDS, "logo"}
    if unknown:
        raise ValueError(f"not a field of the office profile: {sorted(unknown)}")
    values = office_values(get_office(session=session))
    values.update(changes)
    return save_office(session=session, **values)
