"""People and the minors who depend on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, col, select

from amudesk.dates import brussels_today
from amudesk.i18n import _, format_partial_date
from amudesk.identifiers import IdentifierError, birth_date_text, parse_niss
from amudesk.models import SEX_LABELS as SEX_LABELS  # still read here by the window
from amudesk.models import Person, Sex
from amudesk.models.base import utcnow
from amudesk.services import FieldError, audit
from amudesk.services import validation as v
from amudesk.services.editing import check_version, fetched
from amudesk.services.search import person_ids_matching
from amudesk.text import fold, non_latin

if TYPE_CHECKING:
    from amudesk.identifiers import NissInfo

ADULT_AGE = 18


@dataclass
class PersonData:
    """What a form or an import row says about a person, before checking."""

    family_name: str = ""
    given_names: str = ""
    # The names in Latin letters when they are written in another script ("" otherwise).
    latin_name: str = ""
    sex: str = Sex.UNKNOWN
    birth_date: str = ""
    niss: str = ""
    nationality: str = ""
    languages: list[str] = field(default_factory=list)
    phone: str = ""
    commune: str = ""
    no_fixed_abode: bool = False
    usual_place: str = ""
    notes: str = ""
    photo: bytes | None = None
    guardian_id: int | None = None
    # The version the form showed (amudesk.services.editing): saving over a newer one is
    # refused. None for a new person or an import.
    version: int | None = None


def search_text(family_name: str, given_names: str, niss: str | None, latin_name: str = "") -> str:
    """The folded words the search index holds for a person: the names, the Latin spelling
    when a worker wrote one that the folding of the names does not give, and the NISS."""
    names = f"{fold(family_name)} {fold(given_names)}".strip()
    latin = fold(latin_name)
    if latin and latin in names:
        latin = ""
    return " ".join(part for part in (names, latin, niss or "") if part)


def checked_values(
    data: PersonData, *, today: dt.date | None = None, niss_agrees: bool = False
) -> dict[str, Any]:
    """Every column of a person from ``data``, or a FieldError for the first bad field.

    With ``niss_agrees`` (the forms and the import), a NISS whose birth date or sex
    contradicts the ones given is refused too (:func:`check_niss_agrees`)."""
    values: dict[str, Any] = {
        "family_name": v.person_name(data.family_name, "family_name", _("Family name")),
        "given_names": v.person_name(data.given_names, "given_names", _("Given names")),
    }
    values["latin_name"] = latin_name(data.latin_name)
    sex = (data.sex or Sex.UNKNOWN).strip().upper()
    if sex not in {s.value for s in Sex}:
        raise FieldError(
            "sex",
            _("Sex: use F, M, X or U (unknown), or leave it empty (got “{value}”).").format(
                value=v.quoted(data.sex)
            ),
        )
    values["sex"] = sex
    values["birth_date"] = v.partial_date(
        data.birth_date, "birth_date", _("Birth date"), today=today
    )
    values["niss"] = None
    if (data.niss or "").strip():
        try:
            info = parse_niss(data.niss)
        except IdentifierError as exc:
            raise FieldError("niss", str(exc)) from None
        if niss_agrees:
            check_niss_agrees(info, values["birth_date"], sex)
        values["niss"] = info.number
    values["nationality"] = v.country(data.nationality, "nationality", _("Nationality"))
    values["languages"] = v.language_codes(data.languages, "languages", _("Languages"))
    values["phone"] = v.clean(data.phone, "phone", _("Phone"), max_length=50)
    values["no_fixed_abode"] = bool(data.no_fixed_abode)
    values["commune"] = v.clean(data.commune, "commune", _("Commune of residence"))
    values["usual_place"] = v.clean(
        data.usual_place, "usual_place", _("Where the person is usually found"), max_length=300
    )
    if data.no_fixed_abode and not values["usual_place"]:
        raise FieldError(
            "usual_place",
            _("Where the person is usually found: required when the person has no fixed abode."),
        )
    values["notes"] = (data.notes or "").strip()
    values["photo"] = data.photo
    values["guardian_id"] = data.guardian_id
    values["search_text"] = search_text(
        str(values["family_name"]),
        str(values["given_names"]),
        values["niss"] and str(values["niss"]),
        values["latin_name"],
    )
    return values


def latin_name(text: str | None) -> str:
    """The names in Latin letters: a name like the others, in Latin letters only (accents
    allowed: "NGUYỄN" is Latin)."""
    value = v.person_name(
        text, "latin_name", _("Name in Latin letters"), required=False, max_length=400
    )
    if non_latin(value):
        raise FieldError(
            "latin_name",
            _("Name in Latin letters: write it in Latin letters only (A to Z, with accents)."),
        )
    return value


def check_niss_agrees(info: NissInfo, birth_date: str | None, sex: str) -> None:
    """Refuse a NISS whose birth date or sex contradicts the ones given (partial birth
    dates are compared as far as they go; a BIS number that does not encode the birth
    date or the sex is not compared on that part; sex X or U contradicts nothing).

    Every way a person comes in checks it (the forms and the import alike): a number
    that disagrees is nearly always a digit typed wrong, in it or in the birth date."""
    if birth_date:
        year, month, day = v.date_parts(birth_date)
        implied = birth_date_text(info)
        clash = (
            (info.birth_year is not None and info.birth_year != year)
            or (info.birth_month is not None and month is not None and info.birth_month != month)
            or (info.birth_date is not None and day is not None and info.birth_date.day != day)
        )
        if clash:
            raise FieldError(
                "niss",
                _(
                    "NISS: the number is that of a person born {implied}, but the birth date "
                    "says {birth}; check the number and the birth date."
                ).format(
                    implied=format_partial_date(implied), birth=format_partial_date(birth_date)
                ),
            )
    if info.sex in (Sex.FEMALE, Sex.MALE) and sex in (Sex.FEMALE, Sex.MALE) and info.sex != sex:
        raise FieldError(
            "niss",
            _(
                "NISS: the number is that of a person of sex {implied}, but the sex given is "
                "{sex}; check the number and the sex."
            ).format(implied=info.sex, sex=sex),
        )


def age_on(birth_date: str | None, day: dt.date) -> int | None:
    """Full years on ``day``; None when the year is unknown, or the stored text is not a
    date. Partial dates count from their start."""
    if not birth_date:
        return None
    try:
        parts = [int(p) for p in birth_date.split("-")]
    except ValueError:
        return None
    year, month, dom = (
        parts[0],
        parts[1] if len(parts) > 1 else 1,
        parts[2] if len(parts) > 2 else 1,
    )
    return day.year - year - ((day.month, day.day) < (month, dom))


def save_person(data: PersonData, *, session: Session, person_id: int | None = None) -> Person:
    """Create (``person_id`` None) or update a person after checking every field."""
    values = checked_values(data, niss_agrees=True)
    person = None
    if person_id is not None:
        person = get_person(person_id, session=session, for_update=True)
        check_version(person, data.version)
    niss = values["niss"]
    if niss:
        other = session.exec(select(Person.id).where(Person.niss == niss)).first()
        if other is not None and other != person_id:
            raise FieldError(
                "niss", _("NISS: this number is already registered for another person.")
            )
    guardian_id = values["guardian_id"]
    if guardian_id is not None:
        _check_guardian(
            int(str(guardian_id)), person_id, str(values["birth_date"] or ""), session=session
        )
    if person is None:
        person = Person(**values)
    else:
        for key, value in values.items():
            setattr(person, key, value)
        person.updated_at = utcnow()
    created, fields = person.id is None, audit.changed_fields(person)
    session.add(person)
    session.flush()
    audit.record_saved("person", person.id, session=session, created=created, fields=fields)
    return person


def _check_guardian(
    guardian_id: int, person_id: int | None, birth_date: str, *, session: Session
) -> None:
    if guardian_id == person_id:
        raise FieldError(
            "guardian_id", _("Responsible adult: a person cannot depend on themselves.")
        )
    guardian = session.get(Person, guardian_id)
    if guardian is None:
        raise FieldError("guardian_id", _("Responsible adult: this person does not exist."))
    if guardian.guardian_id is not None:
        raise FieldError(
            "guardian_id", _("Responsible adult: this person is a dependant themselves.")
        )
    age = age_on(birth_date or None, brussels_today())
    if age is not None and age >= ADULT_AGE:
        raise FieldError("birth_date", _("Birth date: a dependant must be under 18."))


def get_person(person_id: int | None, *, session: Session, for_update: bool = False) -> Person:
    """The person ``person_id``; with ``for_update``, read again and locked until the
    transaction ends (another worker's save waits), to be changed."""
    return fetched(
        Person,
        person_id,
        session,
        for_update=for_update,
        missing=_("This person is not in the database."),
    )


def dependants(person_id: int, *, session: Session) -> Sequence[Person]:
    return session.exec(
        select(Person)
        .where(Person.guardian_id == person_id)
        .order_by(col(Person.birth_date), col(Person.id))
    ).all()


def attach_dependant(minor_id: int, adult_id: int, *, session: Session) -> Person:
    minor = get_person(minor_id, session=session)
    if session.exec(select(Person.id).where(Person.guardian_id == minor_id).limit(1)).first():
        raise FieldError("guardian_id", _("Dependant: this person has dependants of their own."))
    _check_guardian(adult_id, minor_id, minor.birth_date or "", session=session)
    minor.guardian_id = adult_id
    minor.updated_at = utcnow()
    session.add(minor)
    session.flush()
    audit.record_saved("person", minor.id, session=session, created=False, fields=["guardian_id"])
    return minor


def detach_dependant(minor_id: int, *, session: Session) -> None:
    minor = get_person(minor_id, session=session)
    minor.guardian_id = None
    minor.updated_at = utcnow()
    session.add(minor)
    session.flush()
    audit.record_saved("person", minor.id, session=session, created=False, fields=["guardian_id"])


def find_people(
    query: str, *, session: Session, limit: int = 20, adults_only: bool = False
) -> Sequence[Person]:
    """People whose names or NISS start with the typed words, for pickers."""
    ids = person_ids_matching(query, session=session, limit=limit)
    if not ids:
        return []
    statement = select(Person).where(Person.id.in_(ids))  # type: ignore[union-attr]
    if adults_only:
        statement = statement.where(Person.guardian_id.is_(None))  # type: ignore[union-attr]
    return session.exec(statement.order_by(Person.family_name, Person.given_names)).all()
