"""The CPAS directory: seeded with the 19 Brussels CPAS, editable, matched by name.

The seed holds names and communes only: no address, phone, e-mail or contact person is
shipped (none could be checked at a source). Each office fills them in, by hand or from a
CSV file of contacts (:func:`import_contacts`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from amudesk.bundled import resources_dir
from amudesk.i18n import _, get_locale
from amudesk.identifiers import IdentifierError, parse_bce
from amudesk.models import Cpas, Request
from amudesk.services import FieldError, NotFound, audit
from amudesk.services import validation as v
from amudesk.services.spreadsheet import (
    RowProblem,
    SpreadsheetError,
    csv_records,
    file_name,
    restored,
)
from amudesk.text import cpas_commune, fold, shown

SEED_FILE = resources_dir() / "cpas-brussels.json"
_SAINT = re.compile(r"\b(?:saint|sainte|sint|st|ste)\b")


def cpas_key(text: str) -> str:
    """'CPAS de Saint-Gilles', 'St-Gilles' and 'OCMW Sint-Gillis' → comparable keys."""
    return _SAINT.sub("st", cpas_commune(text))


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
    address_nl: str = "",
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
        **contact_values(
            {
                "address": address,
                "address_nl": address_nl,
                "phone": phone,
                "email": email,
                "amu_contact": amu_contact,
            }
        ),
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


# --- contacts ---------------------------------------------------------------------------

CONTACT_FIELDS: tuple[str, ...] = ("address", "address_nl", "phone", "email", "amu_contact")
ADDRESSES = frozenset({"address", "address_nl"})
_PHONE = re.compile(r"^\+?[0-9 ()./-]+$")
_PHONE_DIGITS = (6, 15)  # a short Belgian number has 9, E.164 allows 15
# OWASP's "CSV injection": a cell starting so is a formula for Excel and LibreOffice.
_FORMULA_START = ("=", "+", "-", "@")


def _contact_labels() -> dict[str, str]:
    return {
        "address": _("Address"),
        "address_nl": _("Address in Dutch"),
        "phone": _("Phone"),
        "email": _("E-mail"),
        "amu_contact": _("AMU contact person"),
        "bce": _("BCE/KBO number"),
    }


def phone_number(text: str | None, field: str, label: str) -> str:
    """A phone number as people write it ("02 563 11 11", "+32 (0)2/563.11.11"): digits,
    spaces and . / - ( ), a + only in front, 6 to 15 digits; "" stays ""."""
    value = v.visible(v.clean(text, field, label, max_length=50), field, label)
    if not value:
        return value
    if value[0] != "+":
        _not_formula(value, field, label)
    digits = sum(char.isdigit() for char in value)
    low, high = _PHONE_DIGITS
    if not _PHONE.match(value) or not value.isascii() or not low <= digits <= high:
        raise FieldError(
            field,
            _(
                "{field}: “{value}” is not a phone number; write its digits with spaces, "
                ". / - or ( ) between them and a + only in front (+32 2 563 11 11)."
            ).format(field=label, value=v.quoted(value)),
        )
    return value


def _not_formula(value: str, field: str, label: str) -> str:
    if value.startswith(_FORMULA_START):
        raise FieldError(
            field,
            _(
                "{field}: “{value}” starts with {character}, which a spreadsheet would run as "
                "a formula; remove that character."
            ).format(field=label, value=v.quoted(value), character=value[0]),
        )
    return value


def contact_value(key: str, text: str) -> str:
    """One contact field of a directory entry (CONTACT_FIELDS), checked: spaces folded, no
    control or invisible character, not too long, a plausible phone or e-mail address, not
    a spreadsheet formula; FieldError on ``key`` says what is wrong."""
    label = _contact_labels()[key]
    if key == "phone":
        return phone_number(text, key, label)
    if key == "email":
        value = _not_formula(v.visible(v.clean(text, key, label), key, label), key, label)
        return v.email(value, key, label)
    if key in ADDRESSES:
        value = v.clean(text, key, label, max_length=500, multiline=True, printed=True)
    else:
        value = v.clean(text, key, label, printed=True)
    return _not_formula(v.visible(value, key, label), key, label)


def contact_values(values: dict[str, str]) -> dict[str, str]:
    """Each of ``values`` (contact field → text) checked by :func:`contact_value`."""
    return {key: contact_value(key, text) for key, text in values.items()}


# The columns of a contacts file, by every name they may have (folded: case, accents and
# the spaces, dashes and slashes between words do not count).
CONTACT_COLUMNS: dict[str, tuple[str, ...]] = {
    "cpas": ("cpas", "ocmw", "cpas_ocmw", "ocmw_cpas", "name", "nom", "naam", "commune"),
    "address": ("address", "adresse", "adres"),
    "address_nl": (
        "address_nl",
        "adresse_nl",
        "adres_nl",
        "dutch_address",
        "address_in_dutch",
        "adresse_en_neerlandais",
        "nederlands_adres",
        "adres_in_het_nederlands",
    ),
    "phone": ("phone", "telephone", "tel", "telefoon", "phone_number", "telefoonnummer"),
    "email": ("email", "e_mail", "courriel", "mail", "adresse_email", "e_mailadres"),
    "amu_contact": (
        "amu_contact",
        "contact_amu",
        "contact_dmh",
        "dmh_contact",
        "contact",
        "contact_person",
        "personne_de_contact",
        "contactpersoon",
        "contactpersoon_dmh",
    ),
    "bce": ("bce", "kbo", "bce_kbo", "kbo_bce"),
}
MAX_CONTACTS_BYTES = 1024 * 1024  # 19 rows of contacts take a few kilobytes


def column_key(header: str) -> str:
    """'Téléphone' → 'telephone', 'E-mail' → 'e_mail', 'contact DMH' → 'contact_dmh'."""
    return "_".join(fold(header.replace("\ufeff", "")).split())


_COLUMN_OF = {alias: key for key, aliases in CONTACT_COLUMNS.items() for alias in aliases}


@dataclass
class ContactsReport:
    """What :func:`import_contacts` found: every problem, or what it changed."""

    rows: int = 0  # data rows read
    updated: list[str] = field(default_factory=list)  # the entries changed, by French name
    unchanged: int = 0  # rows that changed nothing
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def bad_lines(self) -> list[int]:
        return sorted({problem.line for problem in self.problems})

    @property
    def written(self) -> bool:
        return not self.problems and bool(self.updated)


def _contacts_text(source: Path | str) -> tuple[str, str]:
    """(the text, its name for messages): a Path is read from disk, a str is the text."""
    if not isinstance(source, Path):
        return source, _("the contacts")
    name = file_name(source)
    if source.suffix.lower() != ".csv":
        raise SpreadsheetError(
            _("{file}: choose a .csv file (UTF-8 text, fields separated by ; or ,).").format(
                file=name
            )
        )
    try:
        if source.stat().st_size > MAX_CONTACTS_BYTES:
            raise SpreadsheetError(
                _(
                    "{file}: the file is larger than 1 MB; a file of contacts is much smaller."
                ).format(file=name)
            )
        raw = source.read_bytes()
    except FileNotFoundError:
        raise SpreadsheetError(
            _("File not found: {path}").format(path=shown(str(source)))
        ) from None
    except OSError as exc:
        raise SpreadsheetError(
            _("{file}: cannot read the file ({reason}).").format(
                file=name, reason=exc.strerror or type(exc).__name__
            )
        ) from None
    try:
        return raw.decode("utf-8-sig"), name
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpreadsheetError(
            _(
                "{file}: line {line} is not UTF-8 text; save the file as “CSV UTF-8” and try again."
            ).format(file=name, line=line)
        ) from None


def _contact_header(cells: list[str], name: str) -> dict[int, tuple[str, str]]:
    """Column index → (field, the header as written); SpreadsheetError when a header is
    unknown or repeated, or the cpas column or every contact column is missing."""
    columns: dict[int, tuple[str, str]] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        header = cell.replace("\ufeff", "").strip()
        if not header:
            continue
        key = _COLUMN_OF.get(column_key(header))
        if key is None:
            unknown.append("“" + v.quoted(header) + "”")
        elif key in (known for known, _written in columns.values()):
            raise SpreadsheetError(
                _("{file}: two columns are for {column}; keep one.").format(
                    file=name, column=_column_label(key)
                )
            )
        else:
            columns[index] = (key, header)
    if unknown:
        raise SpreadsheetError(
            _(
                "{file}: unknown columns: {columns}. A file of contacts has the columns "
                "cpas, address, address_nl, phone, email and amu_contact (or their French or "
                "Dutch names)."
            ).format(file=name, columns=", ".join(unknown[:5]))
        )
    found = {key for key, _written in columns.values()}
    if "cpas" not in found:
        raise SpreadsheetError(
            _("{file}: the column cpas (the CPAS's name or commune) is missing.").format(file=name)
        )
    if len(found) == 1:
        raise SpreadsheetError(
            _(
                "{file}: no column of contacts: give at least one of address, address_nl, "
                "phone, email, amu_contact."
            ).format(file=name)
        )
    return columns


def _column_label(key: str) -> str:
    return _("CPAS") if key == "cpas" else _contact_labels()[key]


def _read_contacts(
    text: str, name: str
) -> tuple[dict[int, tuple[str, str]], list[tuple[int, list[str]]]]:
    header: dict[int, tuple[str, str]] | None = None
    rows: list[tuple[int, list[str]]] = []
    for line, cells in csv_records(text, name):
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = _contact_header(cells, name)
        else:
            rows.append((line, [restored(cell) for cell in cells]))
    if header is None:
        raise SpreadsheetError(_("{file}: the file is empty.").format(file=name))
    return header, rows


def import_contacts(source: Path | str, *, session: Session) -> ContactsReport:
    """Fill in the directory's contacts from a CSV file (a Path) or its text (a str).

    The file is UTF-8, with ; or , between fields, and a first line naming its columns in
    English, French or Dutch: ``cpas`` (nom, naam: the CPAS's name or commune, as
    :class:`CpasMatcher` reads it) and at least one of ``address`` (adresse, adres),
    ``address_nl`` (the address in Dutch: adresse_nl, adres_nl), ``phone`` (téléphone, telefoon), ``email`` (e-mail, courriel), ``amu_contact``
    (contact_amu, contact_dmh) and ``bce`` (kbo). An empty cell keeps what the directory
    holds. Every cell is checked as the directory's form checks it, and a spreadsheet
    formula is refused; a CPAS not in the directory or given twice is a problem too.

    All or nothing: the report lists every problem (line, column as written in the file,
    reason) and then nothing is written; otherwise every change is written and audited.
    SpreadsheetError says why a file cannot be used at all (missing, not CSV, not UTF-8,
    unknown columns)."""
    text, name = _contacts_text(source)
    header, rows = _read_contacts(text, name)
    matcher = CpasMatcher(list_cpas(session=session))
    report = ContactsReport(rows=len(rows))
    seen: dict[int, int] = {}
    changes: list[tuple[Cpas, dict[str, str | None]]] = []
    for line, cells in rows:
        problems, cpas, values = _check_row(line, cells, header, matcher)
        if cpas is not None and cpas.id is not None:
            if cpas.id in seen:
                written = next(w for k, w in header.values() if k == "cpas")
                problems.insert(
                    0,
                    RowProblem(
                        line,
                        written,
                        _("{name} is already on line {line}; keep one row per CPAS.").format(
                            name=cpas.display_name(get_locale()), line=seen[cpas.id]
                        ),
                    ),
                )
            else:
                seen[cpas.id] = line
        report.problems.extend(problems)
        if not problems and cpas is not None:
            changes.append((cpas, values))
    if report.problems:
        return report
    for cpas, values in changes:
        fields = {key: value for key, value in values.items() if getattr(cpas, key) != value}
        if not fields:
            report.unchanged += 1
            continue
        for key, value in fields.items():
            setattr(cpas, key, value)
        changed = audit.changed_fields(cpas)
        session.add(cpas)
        session.flush()
        audit.record_saved("cpas", cpas.id, session=session, created=False, fields=changed)
        report.updated.append(cpas.name_fr)
    audit.record(
        "import",
        session=session,
        entity="cpas",
        detail=f"contacts;rows={report.rows};updated={len(report.updated)}",
    )
    return report


def _check_row(
    line: int, cells: list[str], header: dict[int, tuple[str, str]], matcher: CpasMatcher
) -> tuple[list[RowProblem], Cpas | None, dict[str, str | None]]:
    problems: list[RowProblem] = []
    values: dict[str, str | None] = {}
    cpas: Cpas | None = None
    for index, cell in enumerate(cells):
        column = header.get(index)
        if column is None:
            if cell.strip():
                problems.append(
                    RowProblem(
                        line,
                        _("column {number}").format(number=index + 1),
                        _("this column has no header; name it or empty it."),
                    )
                )
            continue
        key, written = column
        where = v.quoted(written)
        try:
            if key == "cpas":
                cpas = _find_row_cpas(cell, matcher)
            elif not cell.strip():
                continue
            elif key == "bce":
                values[key] = _bce(cell)
            else:
                values[key] = contact_value(key, cell)
        except FieldError as error:
            problems.append(RowProblem(line, where, error.message))
    return problems, cpas, values


def _find_row_cpas(cell: str, matcher: CpasMatcher) -> Cpas:
    label = _("CPAS")
    text = v.visible(v.clean(cell, "cpas", label, required=True), "cpas", label)
    found = matcher.find(_not_formula(text, "cpas", label))
    if found is None:
        raise FieldError(
            "cpas",
            _(
                "“{value}” is not in the directory, or names several CPAS; write its commune "
                "or its name as the directory has it (add it to the directory first when "
                "it is missing)."
            ).format(value=v.quoted(text)),
        )
    return found


def _bce(cell: str) -> str:
    label = _("BCE/KBO number")
    text = v.visible(v.clean(cell, "bce", label, max_length=30), "bce", label)
    try:
        return parse_bce(text)
    except IdentifierError as exc:
        raise FieldError("bce", str(exc)) from None
