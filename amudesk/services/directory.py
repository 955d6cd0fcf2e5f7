"""The CPAS directory: seeded with the 19 Brussels CPAS, editable, matched by name."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from sqlmodel import Session, select

from amudesk.bundled import resources_dir
from amudesk.i18n import _
from amudesk.identifiers import IdentifierError, parse_bce
from amudesk.models import Cpas, Request
from amudesk.services import FieldError, NotFound, audit
from amudesk.services import validation as v
from amudesk.text import fold

SEED_FILE = resources_dir() / "cpas-brussels.json"
_PREFIX = re.compile(
    r"^(?:cpas|ocmw)(?:\s+(?:de\s+la\s+ville\s+de|de\s+la|de|d|du|des|van\s+de|van|stad))?\s+"
)


_SAINT = re.compile(r"\b(?:saint|sainte|sint|st|ste)\b")


def cpas_key(text: str) -> str:
    """'CPAS de Saint-Gilles', 'St-Gilles' and 'OCMW Sint-Gillis' → comparable keys."""
    folded = _PREFIX.sub("", fold(text)).strip()
    return _SAINT.sub("st", folded)


def seed_brussels(*, session: Session) -> int:
    """Add the 19 Brussels CPAS when the directory is empty; returns how many were added."""
    if session.exec(select(Cpas.id).limit(1)).first() is not None:
        return 0
    entries = json.loads(SEED_FILE.read_text(encoding="utf-8"))
    for entry in entries:
        session.add(Cpas(**entry))
    session.flush()
    return len(entries)


def list_cpas(*, session: Session) -> Sequence[Cpas]:
    return session.exec(select(Cpas).order_by(Cpas.commune_fr, Cpas.name_fr)).all()


def get_cpas(cpas_id: int, *, session: Session) -> Cpas:
    cpas = session.get(Cpas, cpas_id)
    if cpas is None:
        raise NotFound(_("This CPAS is not in the directory."))
    return cpas


class CpasMatcher:
    """Finds a directory entry from a name as people write it; built once per import.

    A name matches a commune or a French or Dutch name exactly (case, accents,
    "CPAS de" / "OCMW" and Saint/Sint/St ignored), or as the start of exactly one
    of them ("Molenbeek" for Molenbeek-Saint-Jean, but "Woluwe" stays ambiguous).
    """

    def __init__(self, entries: Sequence[Cpas]) -> None:
        self._by_key: dict[str, Cpas] = {}
        for cpas in entries:
            for name in (cpas.name_fr, cpas.name_nl, cpas.commune_fr, cpas.commune_nl):
                if name:
                    self._by_key.setdefault(cpas_key(name), cpas)

    def find(self, text: str) -> Cpas | None:
        key = cpas_key(text)
        if not key:
            return None
        exact = self._by_key.get(key)
        if exact is not None:
            return exact
        starting = {id(c): c for k, c in self._by_key.items() if k.startswith(key + " ")}
        return next(iter(starting.values())) if len(starting) == 1 else None


def find_cpas(text: str, *, session: Session) -> Cpas | None:
    return CpasMatcher(list_cpas(session=session)).find(text)


def save_cpas(
    *,
    session: Session,
    cpas_id: int | None = None,
    name_fr: str,
    name_nl: str,
    commune_fr: str = "",
    commune_nl: str = "",
    address: str = "",
    phone: str = "",
    email: str = "",
    bce: str = "",
    amu_contact: str = "",
) -> Cpas:
    """Create or update a directory entry after checking every field."""
    cpas = (
        get_cpas(cpas_id, session=session) if cpas_id is not None else Cpas(name_fr="", name_nl="")
    )
    values: dict[str, str | None] = {
        "name_fr": v.clean(name_fr, "name_fr", _("French name"), required=True, printed=True),
        "name_nl": v.clean(name_nl, "name_nl", _("Dutch name"), required=True, printed=True),
        "commune_fr": v.clean(commune_fr, "commune_fr", _("Commune (French)")),
        "commune_nl": v.clean(commune_nl, "commune_nl", _("Commune (Dutch)")),
        "address": v.clean(
            address, "address", _("Address"), max_length=500, multiline=True, printed=True
        ),
        "phone": v.clean(phone, "phone", _("Phone"), max_length=50),
        "email": v.email(email, "email", _("E-mail")),
        "amu_contact": v.clean(amu_contact, "amu_contact", _("AMU contact person"), printed=True),
    }
    try:
        values["bce"] = parse_bce(bce) if bce.strip() else None
    except IdentifierError as exc:
        raise FieldError("bce", str(exc)) from None
    for other in list_cpas(session=session):
        if other.id != cpas.id and cpas_key(other.name_fr) == cpas_key(values["name_fr"] or ""):
            raise FieldError(
                "name_fr", _("French name: another CPAS in the directory already has this name.")
            )
    for key, value in values.items():
        setattr(cpas, key, value)
    created, fields = cpas.id is None, audit.changed_fields(cpas)
    session.add(cpas)
    session.flush()
    audit.record_saved("cpas", cpas.id, session=session, created=created, fields=fields)
    return cpas


def delete_cpas(cpas_id: int, *, session: Session) -> None:
    cpas = get_cpas(cpas_id, session=session)
    if session.exec(select(Request.id).where(Request.cpas_id == cpas_id).limit(1)).first():
        raise FieldError(
            "cpas", _("This CPAS has requests; it cannot be removed from the directory.")
        )
    session.delete(cpas)
    session.flush()
    audit.record("delete", session=session, entity="cpas", entity_id=cpas_id)
