"""The office profile: who issues the documents."""

from __future__ import annotations

from sqlmodel import Session, select

from amudesk.i18n import LANGUAGES, _
from amudesk.identifiers import IdentifierError, parse_bce
from amudesk.models import Office, OfficeKind
from amudesk.services import FieldError, audit
from amudesk.services import validation as v


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
) -> Office:
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
    office = get_office(session=session) or Office(name="")
    office.kind = kind
    office.name = v.clean(name, "name", _("Name of the office"), required=True, printed=True)
    office.address = v.clean(
        address, "address", _("Address"), max_length=500, multiline=True, printed=True
    )
    office.phone = v.clean(phone, "phone", _("Phone"), max_length=50)
    office.email = v.email(email, "email", _("E-mail"))
    office.bce = bce_value
    office.logo = logo
    office.signatory_name = v.clean(signatory_name, "signatory_name", _("Signatory"), printed=True)
    office.signatory_title = v.clean(
        signatory_title, "signatory_title", _("Signatory's title"), printed=True
    )
    office.document_language = document_language
    office.labour_court_address = v.visible(
        v.clean(
            labour_court_address,
            "labour_court_address",
            _("Labour court address"),
            max_length=500,
            printed=True,
            multiline=True,
        ),
        "labour_court_address",
        _("Labour court address"),
    )
    office.labour_court_address_nl = v.visible(
        v.clean(
            labour_court_address_nl,
            "labour_court_address_nl",
            _("Dutch-speaking labour court address"),
            max_length=500,
            printed=True,
            multiline=True,
        ),
        "labour_court_address_nl",
        _("Dutch-speaking labour court address"),
    )
    created, fields = office.id is None, audit.changed_fields(office)
    session.add(office)
    session.flush()
    audit.record_saved("office", office.id, session=session, created=created, fields=fields)
    return office
