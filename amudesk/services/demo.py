"""Fictional people and requests, to try the desk, train new colleagues and measure speed.

Everything is invented and deterministic for a seed: names from many origins
(with diacritics, Cyrillic, transliterated Arabic, West African), checksum-valid
BIS numbers, partial birth dates, people without fixed abode, minors depending on
an adult, and requests at every stage across the 19 Brussels CPAS.

Rows are written with bulk inserts in one transaction (the search index follows
through its triggers), so 100,000 people take seconds, not minutes.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlmodel import Session, SQLModel, col

from amudesk import deadlines
from amudesk.dates import brussels_today
from amudesk.i18n import _
from amudesk.models import (
    CARE_CATEGORIES,
    Aamu,
    Appeal,
    AppealFiling,
    AppealOutcome,
    CareKind,
    CaseStatus,
    Channel,
    CloseReason,
    Consent,
    ConsentHow,
    ConsentUse,
    Counter,
    Cpas,
    Decision,
    DecisionKind,
    DecisionReason,
    OfficeKind,
    Person,
    Request,
    Sex,
    UrgentReason,
)
from amudesk.models.base import utcnow
from amudesk.refusals import REASONS
from amudesk.services import audit, bulkrows, cases, nextdue
from amudesk.services.directory import list_cpas
from amudesk.services.office import get_office, save_office
from amudesk.services.people import search_text
from amudesk.settings import load_settings
from amudesk.store import Store, refresh_statistics
from amudesk.text import latin_proposal

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
CHUNK = 5000
MINOR_SHARE = 0.10
BIS_SHARE = 0.70
HISTORY_DAYS = 548  # about 18 months
MENTION_CODES = tuple(deadlines.MENTIONS)
POSITIVE_KINDS = (DecisionKind.PRINCIPLE, DecisionKind.GUARANTEE)
NEGATIVE_KINDS = (DecisionKind.REFUSAL, DecisionKind.INCOMPETENT)
# Why an older case was closed, when neither an appeal nor a transfer says it.
CLOSE_CHOICES = (CloseReason.COVERED, CloseReason.LEFT, CloseReason.WITHDRAWN, CloseReason.OTHER)
CLOSE_WEIGHTS = (12, 6, 2, 1)
CLOSE_NOTE = "Suivi repris par le service social de l'hôpital."
NOTIFICATION_METHODS = (
    deadlines.NotificationMethod.HAND,
    deadlines.NotificationMethod.REGISTERED,
    deadlines.NotificationMethod.ORDINARY,
)
NOTIFICATION_WEIGHTS = (40, 40, 20)


class DemoError(Exception):
    """The demo cannot run here; ``str(error)`` is for the user."""


# --- names -------------------------------------------------------------------------------

Family = str | tuple[str, str]  # one form, or (male form, female form)


@dataclass(frozen=True)
class Origin:
    weight: int
    family_names: tuple[Family, ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    nationalities: tuple[str, ...]
    languages: tuple[str, ...]


ORIGINS: tuple[Origin, ...] = (
    Origin(
        8,
        # Repeated names are drawn more often, as they are in life (Nguyễn: about 4 in 10).
        (
            "Nguyễn",
            "Nguyễn",
            "Nguyễn",
            "Nguyễn",
            "Trần",
            "Trần",
            "Lê",
            "Phạm",
            "Hoàng",
            "Vũ",
            "Đặng",
            "Bùi",
            "Đỗ",
            "Huỳnh",
        ),
        ("Thị Lan", "Thu Trang", "Minh Anh", "Ngọc Ánh", "Thị Hương", "Phương Thảo"),
        ("Văn Hùng", "Đức Anh", "Minh Tuấn", "Quốc Bảo", "Văn Long", "Thành Đạt"),
        ("VN",),
        ("vi",),
    ),
    Origin(
        8,
        ("Öztürk", "Yılmaz", "Çelik", "Şahin", "Doğan", "Kılıç", "Aydın", "Özdemir", "Arslan"),
        ("Ayşe", "Elif", "Zeynep", "Fatma", "Gülşen", "Büşra", "Özlem"),
        ("Mehmet", "Mustafa", "Emre", "Hüseyin", "Oğuz", "Çağlar", "İbrahim"),
        ("TR",),
        ("tr", "ku"),
    ),
    Origin(
        6,
        (
            "Łukasiewicz",
            ("Wiśniewski", "Wiśniewska"),
            ("Kamiński", "Kamińska"),
            "Wójcik",
            "Zając",
            ("Dąbrowski", "Dąbrowska"),
            "Grzybowicz",
        ),
        ("Agnieszka", "Małgorzata", "Łucja", "Katarzyna", "Żaneta"),
        ("Paweł", "Wojciech", "Krzysztof", "Michał", "Łukasz"),
        ("PL",),
        ("pl",),
    ),
    Origin(
        7,
        (
            "Ștefănescu",
            "Popescu",
            "Rădulescu",
            "Dumitrașcu",
            "Constantinescu",
            "Țurcanu",
            "Lăzărescu",
        ),
        ("Ioana", "Mihaela", "Andreea", "Ștefania", "Rodica", "Alexandra Maria"),
        ("Ștefan", "Ion", "Gheorghe", "Florin", "Mihai", "Costel"),
        ("RO", "MD"),
        ("ro",),
    ),
    Origin(
        6,
        (
            "Gonçalves",
            "Conceição",
            "Magalhães",
            "Araújo",
            "Fernandes da Silva",
            "Simões",
            "Brandão",
        ),
        ("Maria da Conceição", "Ana Luísa", "Luíza", "Inês", "Joana", "Thaís"),
        ("João", "Gonçalo", "Thiago", "Luís Miguel", "Sebastião", "Antônio"),
        ("PT", "BR", "AO", "CV"),
        ("pt",),
    ),
    Origin(
        7,
        (
            ("Иванов", "Иванова"),
            "Шевченко",
            "Коваленко",
            ("Петров", "Петрова"),
            "Бондаренко",
            "Ткаченко",
            ("Кузнецов", "Кузнецова"),
        ),
        ("Олена", "Наталья", "Оксана", "Светлана", "Юлія", "Анастасия"),
        ("Дмитро", "Сергей", "Олександр", "Андрей", "Богдан", "Николай"),
        ("UA", "RU", "GE", "BY"),
        ("uk", "ru"),
    ),
    Origin(
        16,
        (
            "Abdelkader",
            "Benali",
            "El Idrissi",
            "Amrani",
            "Bouzid",
            "El Khattabi",
            "Ait Ouarab",
            "Belkacem",
            "Haddad",
            "Ben Youssef",
            "Ouled Ahmed",
        ),
        ("Fatima Zahra", "Khadija", "Amina", "Nadia", "Samira", "Yasmina", "Houda"),
        ("Mohamed", "Youssef", "Said", "Rachid", "Karim", "Abdellah", "Mehdi"),
        ("MA", "DZ", "TN", "EG", "SY"),
        ("ar", "fr"),
    ),
    Origin(
        20,
        (
            "Diallo",
            "Barry",
            "Sow",
            "Traoré",
            "Coulibaly",
            "Ndiaye",
            "Fofana",
            "Ouédraogo",
            "Camara",
            "Koné",
            "Mensah",
            "Okafor",
            "Adeyemi",
            "Mbala",
            "Nsimba",
            "Mukendi",
            "Kabongo",
            "Tshibanda",
            "Nkoulou",
            "Mbappé Ekotto",
        ),
        ("Aminata", "Fatoumata", "Mariama", "Aïssatou", "Ama", "Ngozi", "Grâce", "Bénédicte"),
        ("Mamadou", "Ibrahima", "Moussa", "Kofi", "Chinedu", "Alpha Oumar", "Jean-Bosco", "Serge"),
        ("GN", "SN", "ML", "CI", "BF", "GH", "NG", "CM", "CD", "CG"),
        ("fr", "ff", "wo", "ln", "en", "bm"),
    ),
    Origin(
        12,
        (
            "Dupont",
            "Van den Broeck",
            "De Smet",
            "Peeters",
            "Janssens",
            "Lambert",
            "Dubois",
            "Vandenberghe-De Clercq",
            "Claes",
            "Lefèbvre",
            "Vanderstraeten",
            "Mertens",
        ),
        ("Marie-Claire", "Anouk", "Els", "Chloé", "Françoise", "Ségolène", "Mégane"),
        ("Jean-Pierre", "Wouter", "Jef", "Benoît", "Loïc", "Raphaël", "Jérôme"),
        ("CD", "HT", "CM", "CI", "FR", "SR", "RW", "BI"),
        ("fr", "nl", "ln", "sw"),
    ),
    Origin(
        5,
        ("Ahmadi", "Hosseini", "Rahimi", "Karimi", "Noorzai", "Popalzai"),
        ("Zahra", "Maryam", "Shirin", "Farida", "Nargis"),
        ("Ahmad", "Ali Reza", "Mohammad Nabi", "Farid", "Jawad"),
        ("AF", "IR"),
        ("fa", "ps"),
    ),
    Origin(
        5,
        ("Gashi", "Krasniqi", "Berisha", "Hoxha", "Shehu"),
        ("Arta", "Blerina", "Drita", "Elira"),
        ("Arben", "Besnik", "Dritan", "Ermal"),
        ("AL", "XK", "MK"),
        ("sq",),
    ),
)

DOCTOR_NAMES = (
    "Anne Lemaire",
    "Pieter Van Damme",
    "Sophie Mathieu",
    "Karim Bennani",
    "Hélène Desmet",
    "Marc Vercammen",
    "Nathalie Goossens",
    "Olivier Degrève",
    "Fatou Sarr",
    "Joris Wuyts",
    "Isabelle Renard",
    "Tomasz Nowak",
)
USUAL_PLACES = (
    "Gare du Nord",
    "Gare du Midi",
    "Parc Maximilien",
    "Porte de Hal",
    "Place Fontainas",
    "Abri de nuit — rue de l'Exemple",
    "Centre de jour — exemple",
)
ACCOMPANIED_BY = {
    Channel.SERVICE: (
        "Permanence AMU — exemple",
        "Service social — exemple",
        "Accueil de jour — exemple",
    ),
    Channel.HOSPITAL: ("Service social — Hôpital exemple", "Service social — Clinique exemple"),
}
CHANNELS = (Channel.IN_PERSON, Channel.SERVICE, Channel.HOSPITAL, Channel.ONLINE)
CHANNEL_WEIGHTS = (50, 30, 15, 5)
DECISIONS = (
    DecisionKind.GUARANTEE,
    DecisionKind.PRINCIPLE,
    DecisionKind.REFUSAL,
    DecisionKind.INCOMPETENT,
)
DECISION_WEIGHTS = (50, 20, 20, 10)
CATEGORY_CODES = tuple(CARE_CATEGORIES)

# The letters' facts: what a refusal said, appeals, court-ordered decisions, consents.
# Unlawful reasons are given about as often as lawful ones, as the associations see it.
REFUSAL_REASON_WEIGHTS: dict[str, int] = {
    "resources": 10,
    "insured": 6,
    "residence-status": 6,
    "no-identity-document": 8,
    "no-address": 8,
    "three-months-proof": 9,
    "reason-of-stay": 5,
    "no-aamu": 8,
    "aamu-model": 4,
    "material-aid-waiver": 3,
    "not-urgent": 6,
    "enquiry-incomplete": 9,
    "other": 3,
}
INCOMPETENCE_REASON_WEIGHTS: dict[str, int] = {"competence": 20, "no-address": 5, "other": 1}
REASON_NOTES: dict[str, tuple[str, ...]] = {
    "competence": ("", "Renvoi vers le CPAS de la commune de l'ancien logement."),
    "resources": ("", "Revenus de l'hébergeant comptés dans l'enquête."),
    "insured": ("", "Assurance voyage invoquée, expirée depuis."),
    "residence-status": ("", "Demande d'asile en cours selon le CPAS."),
    "no-identity-document": ("", "Passeport exigé à l'accueil."),
    "no-address": ("", "Pas de preuve de résidence sur la commune."),
    "three-months-proof": ("", "Le CPAS exige trois mois de présence prouvée."),
    "reason-of-stay": ("", "Venue en Belgique pour se soigner selon le CPAS."),
    "no-aamu": ("", "Demande refusée faute d'attestation."),
    "aamu-model": ("", "Attestation refusée : pas le formulaire du CPAS."),
    "material-aid-waiver": ("Renonciation à l'aide matérielle demandée.",),
    "not-urgent": ("", "Soins jugés non urgents sans avis médical."),
    "enquiry-incomplete": ("", "Visite à domicile manquée, pas de nouvelle date proposée."),
    "other": ("Contrat de bail exigé.", "Présence exigée à un second entretien le même jour."),
}
COURTS = (
    "Tribunal du travail francophone de Bruxelles",
    "Nederlandstalige arbeidsrechtbank Brussel",
)
COURT_WEIGHTS = (80, 20)
APPEAL_OUTCOMES = tuple(AppealOutcome)
APPEAL_OUTCOME_WEIGHTS = (45, 15, 20, 10, 10)
CONSENT_SHARE = 0.85
MANDATE_SHARE = 0.45
WITHDRAWN_SHARE = 0.03
CONSENT_WITNESS = "Témoin : Camille Exemple, assistante sociale."
CONSENT_USES = ",".join((ConsentUse.FOLLOW_UP, ConsentUse.STATISTICS))
MANDATE_USES = ",".join((ConsentUse.FOLLOW_UP, ConsentUse.LETTERS, ConsentUse.STATISTICS))
_REASON_ORDER = {key: number for number, key in enumerate(REASONS)}


def _cumulative(weights: dict[str, int]) -> tuple[list[str], list[int]]:
    """Keys and cumulative weights, for random.choices without summing them each time."""
    total, cumulative = 0, []
    for weight in weights.values():
        total += weight
        cumulative.append(total)
    return list(weights), cumulative


def _pick(rng: random.Random, items: Sequence[str]) -> str:
    """One of ``items``: random.choice's draw, cheaper when it runs 100,000 times."""
    return items[int(rng.random() * len(items))]


_REFUSAL_DRAW = _cumulative(REFUSAL_REASON_WEIGHTS)
_INCOMPETENCE_DRAW = _cumulative(INCOMPETENCE_REASON_WEIGHTS)


# --- helpers ------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def bis_number(birth_date: str, sex: str, serial: int) -> str:
    """A BIS number for a birth date 'YYYY[-MM[-DD]]' (unknown parts are 00) and a sex.

    The month is raised by 40 when the sex is known and by 20 otherwise; the
    serial (1–998) is odd for men and even for women; the check digits are
    97 − (number mod 97), the number being prefixed with 2 for births from 2000.
    """
    parts = [int(p) for p in birth_date.split("-")]
    year, month, day = (
        parts[0],
        parts[1] if len(parts) > 1 else 0,
        parts[2] if len(parts) > 2 else 0,
    )
    month += 40 if sex in (Sex.FEMALE, Sex.MALE) else 20
    first = f"{year % 100:02d}{month:02d}{day:02d}{serial:03d}"
    number = int(("2" if year >= 2000 else "") + first)
    return f"{first}{97 - number % 97:02d}"


def inami_number(rng: random.Random) -> str:
    """A fictional doctor's INAMI number with valid check digits (modulo 97)."""
    first6 = f"1{rng.randint(0, 99999):05d}"
    return f"{first6}{97 - int(first6) % 97:02d}{rng.choice(('003', '004', '580', '690'))}"


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _table(model: type[SQLModel]) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


# --- generation -------------------------------------------------------------------------------


@dataclass
class _Plan:
    """Everything to insert, as lists of column dicts; ids are filled at insertion."""

    adults: list[dict[str, Any]] = field(default_factory=list)
    minors: list[dict[str, Any]] = field(default_factory=list)
    guardians: list[int] = field(default_factory=list)  # index in adults, per minor
    requests: list[dict[str, Any]] = field(default_factory=list)
    owners: list[int] = field(default_factory=list)  # index in adults, per request
    # (index in requests, row)
    decisions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    aamus: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # (index in decisions, row); (index in requests, row); (index in adults, row)
    reasons: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    appeals: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    consents: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # (index in requests of a follow-on request, index of the request it follows on from)
    follow_ons: list[tuple[int, int]] = field(default_factory=list)
    today: dt.date = dt.date.min  # the demo's today: requests being prepared take its year


def request_row(now: dt.datetime, **values: Any) -> dict[str, Any]:
    """A request's columns for the bulk insert, ``values`` over the defaults: every row of
    one insert has them all (an open request, in person, with no CPAS or date yet)."""
    return {
        "reference": "",
        "person_id": 0,
        "cpas_id": None,
        "received_at": None,
        "channel": str(Channel.IN_PERSON),
        "accompanied_by": "",
        "aamu_handed_in": False,
        "care_started_on": None,
        "care_kind": None,
        "status": str(CaseStatus.OPEN),
        "transferred_on": None,
        "transferred_to_id": None,
        "appealed_on": None,
        "closed_on": None,
        "closed_reason": None,
        "closed_note": "",
        "previous_id": None,
        "first_filed_on": None,
        "spp_referred_on": None,
        "urgent": False,
        "urgent_reason": None,
        "created_at": now,
        "updated_at": now,
        **values,
    }


class _Generator:
    """People and requests from ``rng``; the legal clock's facts from ``clock_rng``.

    The clock's facts (how decisions were notified, encodings, transfers, appeals) are
    drawn from a stream of their own: adding to them does not shift the draws of the
    people, requests and decisions of a seed.
    """

    def __init__(
        self,
        rng: random.Random,
        today: dt.date,
        cpas: Sequence[Cpas],
        now: dt.datetime,
        clock_rng: random.Random | None = None,
        close_rng: random.Random | None = None,
    ) -> None:
        self.rng = rng
        self.clock_rng = clock_rng or random.Random(rng.random())
        self.close_rng = close_rng or random.Random(0)
        self.today = today
        self.cpas = list(cpas)
        self.now = now
        self.used_niss: set[str] = set()
        self.used_keys: set[tuple[str, str, str]] = set()
        self.origin_weights = [origin.weight for origin in ORIGINS]
        self.doctors = [(name, inami_number(rng)) for name in DOCTOR_NAMES]

    # people

    def _sex(self) -> str:
        roll = self.rng.random()
        if roll < 0.47:
            return Sex.FEMALE
        if roll < 0.94:
            return Sex.MALE
        return Sex.OTHER if roll < 0.96 else Sex.UNKNOWN

    def _birth_date(self, min_age: int, max_age: int, *, partial: bool) -> str:
        rng = self.rng
        oldest = _years_before(self.today, max_age + 1) + dt.timedelta(days=1)
        youngest = _years_before(self.today, min_age)
        day = oldest + dt.timedelta(days=rng.randint(0, (youngest - oldest).days))
        roll = rng.random()
        if partial and roll < 0.10:
            return f"{day.year:04d}"
        if partial and roll < 0.20:
            return f"{day.year:04d}-{day.month:02d}"
        return day.isoformat()

    def _niss(self, birth_date: str, sex: str) -> str | None:
        if self.rng.random() >= BIS_SHARE:
            return None
        male = sex == Sex.MALE
        female = sex == Sex.FEMALE
        serial = self.rng.randint(1, 998)
        for _attempt in range(998):
            if (male and serial % 2 == 0) or (female and serial % 2 == 1):
                serial = serial % 998 + 1
                continue
            number = bis_number(birth_date, sex, serial)
            if number not in self.used_niss:
                self.used_niss.add(number)
                return number
            serial = serial % 998 + 1
        return None

    def _names(
        self, origin: Origin, sex: str, family: Family | None, *, double: bool
    ) -> tuple[str, str]:
        rng = self.rng
        female = sex == Sex.FEMALE or (sex != Sex.MALE and rng.random() < 0.5)
        chosen = family if family is not None else rng.choice(origin.family_names)
        family_name = chosen if isinstance(chosen, str) else chosen[1 if female else 0]
        given = rng.choice(origin.female if female else origin.male)
        if double or rng.random() < 0.08:
            given = f"{given} {rng.choice(origin.female if female else origin.male)}"
        return family_name, given

    def person(
        self, *, minor: bool, origin: Origin | None = None, family: Family | None = None
    ) -> dict[str, Any]:
        rng = self.rng
        origin = origin or rng.choices(ORIGINS, weights=self.origin_weights)[0]
        sex = self._sex()
        # Two demo people never share names and birth date: an import would take them
        # for one person (the matching rule of amudesk.services.importchecks).
        for attempt in range(1000):
            family_name, given_names = self._names(origin, sex, family, double=attempt >= 20)
            ages = (0, 16) if minor else (19, 75)
            birth_date = self._birth_date(*ages, partial=not minor and attempt < 10)
            key = (family_name, given_names, birth_date)
            if key not in self.used_keys:
                break
        self.used_keys.add(key)
        niss = self._niss(birth_date, sex)
        languages = rng.sample(origin.languages, k=min(len(origin.languages), rng.randint(1, 2)))
        if "fr" not in languages and rng.random() < 0.3:
            languages.append("fr")
        homeless = not minor and rng.random() < 0.15
        commune = "" if homeless else rng.choice(self.cpas).commune_fr
        phone = ""
        if not minor and rng.random() < 0.65:
            pairs = " ".join(f"{rng.randint(0, 99):02d}" for _pair in range(3))
            phone = f"+32 4{rng.randint(70, 99)} {pairs}"
        return {
            "family_name": family_name,
            "given_names": given_names,
            "sex": str(sex),
            "birth_date": birth_date,
            "niss": niss,
            "nationality": rng.choice(origin.nationalities) if rng.random() < 0.95 else None,
            "languages": ",".join(languages),
            "phone": phone,
            "commune": commune,
            "no_fixed_abode": homeless,
            "usual_place": rng.choice(USUAL_PLACES) if homeless else "",
            "photo": None,
            "notes": "",
            "guardian_id": None,
            "latin_name": latin_proposal(family_name, given_names),
            "search_text": search_text(family_name, given_names, niss),
            "created_at": self.now,
            "updated_at": self.now,
        }

    # requests

    def _moment(self, day: dt.date) -> dt.datetime:
        minute = self.rng.randint(8 * 60 + 30, 16 * 60 + 30)
        return cases.to_utc(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))

    def _neighbour(self, cpas_id: int) -> int | None:
        """The CPAS a transferred request went to: the next one in the directory (no draw,
        so that the seed's other facts do not move)."""
        ids = [c.id for c in self.cpas if c.id is not None]
        if cpas_id not in ids or len(ids) < 2:
            return None
        return ids[(ids.index(cpas_id) + 1) % len(ids)]

    def _cpas_for(self, person: dict[str, Any]) -> Cpas:
        if person["commune"] and self.rng.random() < 0.85:
            return next(c for c in self.cpas if c.commune_fr == person["commune"])
        return self.rng.choice(self.cpas)

    def requests_of(self, adult_index: int, person: dict[str, Any], plan: _Plan) -> None:
        rng = self.rng
        first_day = self.today - dt.timedelta(days=rng.randint(1, HISTORY_DAYS))
        days = [first_day]
        if rng.random() < 0.3 and (self.today - first_day).days > 60:
            days.append(
                first_day + dt.timedelta(days=rng.randint(30, (self.today - first_day).days - 1))
            )
        for day in days:
            self._request(adult_index, person, day, plan)

    def _request(self, adult_index: int, person: dict[str, Any], day: dt.date, plan: _Plan) -> None:
        rng = self.rng
        channel = rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0]
        accompanied = rng.choice(ACCOMPANIED_BY[channel]) if channel in ACCOMPANIED_BY else ""
        care_started_on: dt.date | None = None
        care_kind: str | None = None
        if rng.random() < 0.35:
            care_started_on = day - dt.timedelta(days=rng.randint(0, 20))
            care_kind = str(CareKind.MEDIPRIMA if rng.random() < 0.6 else CareKind.OTHER)
            if self.clock_rng.random() < 0.08:
                care_kind = None  # not recorded: the clock counts the shorter limit
        index = len(plan.requests)
        aamu = rng.random() < 0.55
        if aamu:
            plan.aamus.append((index, self._aamu(day)))
        plan.requests.append(
            request_row(
                self.now,
                cpas_id=self._cpas_for(person).id,
                received_at=self._moment(day),
                channel=str(channel),
                accompanied_by=accompanied,
                aamu_handed_in=aamu,
                care_started_on=care_started_on,
                care_kind=care_kind,
            )
        )
        plan.owners.append(adult_index)
        age = (self.today - day).days
        open_share = 0.65 if age <= 30 else 0.12
        if rng.random() >= open_share:
            self._decide(index, day, plan)
        else:
            self._appeal_without_decision(plan.requests[index], day)
        self._close(plan.requests[index], day)
        self._last_change(index, plan, day)

    def _last_change(self, index: int, plan: _Plan, received: dt.date) -> None:
        """A request was last changed on the day of its latest event, not when the demo ran:
        old cases look idle, as they would in a desk used for months."""
        request = plan.requests[index]
        days = [received]
        for owner, decision in reversed(plan.decisions):
            if owner != index:
                break
            days += [d for d in (decision["decided_on"], decision["notified_on"]) if d]
        days += [
            d
            for d in (request["transferred_on"], request["appealed_on"], request["closed_on"])
            if d
        ]
        evening = cases.to_utc(dt.datetime.combine(max(days), dt.time(17, 0)))
        request["updated_at"] = min(evening, self.now)

    def _close(self, request: dict[str, Any], received: dt.date) -> None:
        """Some older cases were closed by the office, each for the reason that fits."""
        rng = self.close_rng
        if (self.today - received).days < 240 or rng.random() >= 0.3:
            return
        if request["appealed_on"] is not None:
            reason = CloseReason.APPEAL_ENDED
        elif request["transferred_on"] is not None:
            reason = CloseReason.TRANSFERRED
        else:
            reason = rng.choices(CLOSE_CHOICES, weights=CLOSE_WEIGHTS)[0]
        request["closed_on"] = min(received + dt.timedelta(days=rng.randint(90, 200)), self.today)
        request["closed_reason"] = str(reason)
        request["closed_note"] = CLOSE_NOTE if reason == CloseReason.OTHER else ""

    def _aamu(self, day: dt.date) -> dict[str, Any]:
        rng = self.rng
        issued = min(day - dt.timedelta(days=rng.randint(0, 14)), self.today)
        doctor, inami = rng.choice(self.doctors)
        categories = [code for code in CATEGORY_CODES if rng.random() < 0.35] or ["gp"]
        if "hospital" in categories and "ambulatory" not in categories:
            categories.append("ambulatory")
        return {
            "request_id": 0,
            "issued_on": issued,
            "doctor_name": doctor,
            "inami": inami if rng.random() < 0.9 else None,
            "valid_from": issued,
            "valid_to": add_months(issued, 12) - dt.timedelta(days=1),
            "care_categories": ",".join(code for code in CATEGORY_CODES if code in categories),
            "created_at": self.now,
        }

    def _decide(self, index: int, day: dt.date, plan: _Plan) -> None:
        rng = self.rng
        kind = rng.choices(DECISIONS, weights=DECISION_WEIGHTS)[0]
        delay = rng.randint(1, 6) if kind == DecisionKind.INCOMPETENT else rng.randint(5, 45)
        decided = min(day + dt.timedelta(days=delay), self.today)
        if kind == DecisionKind.GUARANTEE and rng.random() < 0.15 and (decided - day).days >= 2:
            earlier = day + dt.timedelta(days=rng.randint(0, (decided - day).days - 1))
            plan.decisions.append(
                (index, self._decision(DecisionKind.PRINCIPLE, earlier, with_validity=False))
            )
        decision = self._decision(kind, decided, with_validity=True)
        plan.decisions.append((index, decision))
        request = plan.requests[index]
        request["status"] = str(cases.STATUS_OF_DECISION[kind])
        if kind == DecisionKind.INCOMPETENT:
            request["transferred_on"] = self._transfer(day, decided)
            if request["transferred_on"] is not None:
                request["transferred_to_id"] = self._neighbour(request["cpas_id"])
        if kind in NEGATIVE_KINDS:
            request["appealed_on"] = self._appeal(decision)

    def _decision(
        self, kind: DecisionKind, decided: dt.date, *, with_validity: bool
    ) -> dict[str, Any]:
        rng = self.rng
        notified = decided + dt.timedelta(days=rng.randint(0, 12)) if rng.random() < 0.85 else None
        if notified and notified > self.today:
            notified = None
        valid_from = valid_to = None
        mediprima = ""
        if with_validity and kind == DecisionKind.GUARANTEE:
            valid_from = decided - dt.timedelta(days=rng.randint(0, 60))
            valid_to = _valid_to(valid_from, rng.choice((1, 3, 6, 12)))
            mediprima = f"{decided.year}{rng.randint(0, 9999999):07d}"
        elif with_validity and kind == DecisionKind.PRINCIPLE:
            valid_from = decided - dt.timedelta(days=rng.randint(0, 30))
            valid_to = _valid_to(valid_from, deadlines.DECISION_MAX_MONTHS)
        return {
            "request_id": 0,
            "kind": str(kind),
            "decided_on": decided,
            "valid_from": valid_from,
            "valid_to": valid_to,
            "mediprima_number": mediprima,
            **self._notification(decided, notified),
            "encoded_on": self._encoding(decided) if kind in POSITIVE_KINDS else None,
            "court_ordered": False,
            "court_judgment_on": None,
            "court_name": "",
            "created_at": self.now,
        }

    # the legal clock's facts

    def _not_after_today(self, day: dt.date) -> dt.date | None:
        return day if day <= self.today else None

    def _notification(self, decided: dt.date, notified: dt.date | None) -> dict[str, Any]:
        """By hand, by registered letter (effect on the 3rd working day) or by ordinary letter.

        About one notification in eight lacks mandatory mentions; a few registered letters
        posted lately have not taken effect yet.
        """
        rng = self.clock_rng
        method: str | None = None
        posted: dt.date | None = None
        if notified is not None:
            method = rng.choices(NOTIFICATION_METHODS, weights=NOTIFICATION_WEIGHTS)[0]
        elif (self.today - decided).days <= 8 and rng.random() < 0.5:
            method = deadlines.NotificationMethod.REGISTERED
        if method == deadlines.NotificationMethod.REGISTERED:
            latest = min((self.today - decided).days, 12)
            posted = decided + dt.timedelta(days=rng.randint(0, max(latest, 0)))
            notified = self._not_after_today(deadlines.registered_letter_effect(posted))
        missing = ""
        if notified is not None and rng.random() < 0.12:
            lacking = rng.sample(MENTION_CODES, k=rng.randint(1, 2))
            missing = ",".join(code for code in MENTION_CODES if code in lacking)
        return {
            "notified_on": notified,
            "notification_method": str(method) if method else None,
            "posted_on": posted,
            "missing_mentions": missing,
        }

    def _encoding(self, decided: dt.date) -> dt.date | None:
        """Most positive decisions are encoded in MediPrima within 8 days, some later, some not."""
        rng = self.clock_rng
        roll = rng.random()
        if roll < 0.65:
            delay = rng.randint(0, deadlines.RULES["mediprima"].days)
        elif roll < 0.85:
            delay = rng.randint(deadlines.RULES["mediprima"].days + 1, 45)
        else:
            return None
        return self._not_after_today(decided + dt.timedelta(days=delay))

    def _transfer(self, received: dt.date, decided: dt.date) -> dt.date | None:
        """An incompetent CPAS sends the request on: mostly within 5 days, sometimes late."""
        rng = self.clock_rng
        roll = rng.random()
        if roll < 0.55:
            sent = max(decided, received + dt.timedelta(days=rng.randint(1, 5)))
        elif roll < 0.8:
            sent = received + dt.timedelta(days=rng.randint(6, 25))
        else:
            return None
        return self._not_after_today(sent)

    def _appeal(self, decision: dict[str, Any]) -> dt.date | None:
        """Some claimants appeal a notified negative decision to the labour court."""
        notified: dt.date | None = decision["notified_on"]
        if notified is None or self.clock_rng.random() >= 0.2:
            return None
        return self._not_after_today(notified + dt.timedelta(days=self.clock_rng.randint(5, 120)))

    def _appeal_without_decision(self, request: dict[str, Any], received: dt.date) -> None:
        """Some claimants appeal when the CPAS has not decided within a month."""
        month_end = deadlines.add_months(received, 1)
        if month_end >= self.today or self.clock_rng.random() >= 0.15:
            return
        appealed = month_end + dt.timedelta(days=self.clock_rng.randint(1, 90))
        request["appealed_on"] = self._not_after_today(appealed)


class _Letters:
    """The facts the letters rest on, drawn from ``rng`` once the people, requests and
    decisions are planned (so adding them shifts none of those draws): a refusal's or an
    incompetence's reasons, the appeals of the requests appealed (and their outcome), a
    guarantee the CPAS took to carry out a judgment, the people's consents."""

    def __init__(self, rng: random.Random, today: dt.date, now: dt.datetime) -> None:
        self.rng = rng
        self.today = today
        self.now = now

    def fill(self, plan: _Plan) -> None:
        latest: dict[int, dict[str, Any]] = {}
        refusal, incompetent = str(DecisionKind.REFUSAL), str(DecisionKind.INCOMPETENT)
        for number, (index, decision) in enumerate(plan.decisions):
            latest[index] = decision
            if decision["kind"] == refusal:
                self._reasons(number, _REFUSAL_DRAW, plan)
            elif decision["kind"] == incompetent:
                self._reasons(number, _INCOMPETENCE_DRAW, plan)
        for index, request in enumerate(plan.requests):
            if request["appealed_on"] is not None:
                self._appeal(index, request, latest.get(index), plan)
        # An adult's requests are planned one after the other, the first one first.
        first_request: dict[int, dict[str, Any]] = {}
        for owner, request in zip(plan.owners, plan.requests, strict=True):
            first_request.setdefault(owner, request)
        for owner in range(len(plan.adults)):
            if owner in first_request:
                self._consent(owner, cases.local_date(first_request[owner]["received_at"]), plan)

    def _reasons(self, number: int, draw: tuple[list[str], list[int]], plan: _Plan) -> None:
        rng = self.rng
        chosen = rng.choices(draw[0], cum_weights=draw[1], k=2 if rng.random() < 0.35 else 1)
        for key in sorted(set(chosen), key=_REASON_ORDER.__getitem__):
            plan.reasons.append(
                (
                    number,
                    {"decision_id": 0, "key": key, "explanation": _pick(rng, REASON_NOTES[key])},
                )
            )

    def _appeal(
        self, index: int, request: dict[str, Any], latest: dict[str, Any] | None, plan: _Plan
    ) -> None:
        rng = self.rng
        filed: dt.date = request["appealed_on"]
        court = rng.choices(COURTS, weights=COURT_WEIGHTS)[0]
        hearings: list[dt.date] = []
        role = ""
        if rng.random() < 0.6:
            role = f"{filed.year % 100:02d}/{rng.randint(1, 9999):04d}/A"
            hearings = [filed + dt.timedelta(days=rng.randint(20, 60))]
            if rng.random() < 0.3:
                hearings.append(hearings[0] + dt.timedelta(days=rng.randint(14, 60)))
        outcome: str | None = None
        outcome_on: dt.date | None = None
        if rng.random() < 0.6:
            ended = filed + dt.timedelta(days=rng.randint(40, 200))
            if ended <= self.today:
                outcome = str(rng.choices(APPEAL_OUTCOMES, weights=APPEAL_OUTCOME_WEIGHTS)[0])
                outcome_on = ended
        plan.appeals.append(
            (
                index,
                {
                    "request_id": 0,
                    "filed_on": filed,
                    "filed_how": str(
                        AppealFiling.REGISTERED_LETTER
                        if rng.random() < 0.75
                        else AppealFiling.REGISTRY
                    ),
                    "court": court,
                    "role_number": role,
                    "hearing_dates": ",".join(day.isoformat() for day in hearings),
                    "outcome": outcome,
                    "outcome_on": outcome_on,
                    "created_at": self.now,
                    "updated_at": self.now,
                },
            )
        )
        if outcome == AppealOutcome.GRANTED and outcome_on is not None and rng.random() < 0.6:
            self._court_ordered(index, request, latest, court, outcome_on, plan)

    def _court_ordered(
        self,
        index: int,
        request: dict[str, Any],
        latest: dict[str, Any] | None,
        court: str,
        judgment_on: dt.date,
        plan: _Plan,
    ) -> None:
        """The CPAS carries out the judgment: a guarantee reaching back towards the request."""
        rng = self.rng
        decided = judgment_on + dt.timedelta(days=rng.randint(3, 25))
        if decided > self.today or (latest is not None and decided <= latest["decided_on"]):
            return
        # From the request's day, as judgments order: further back than the 60 days an
        # ordinary decision may reach (a court-ordered one is exempt).
        start = cases.local_date(request["received_at"])
        plan.decisions.append(
            (
                index,
                {
                    "request_id": 0,
                    "kind": str(DecisionKind.GUARANTEE),
                    "decided_on": decided,
                    "valid_from": start,
                    "valid_to": _valid_to(start, 12),
                    "mediprima_number": f"{decided.year}{rng.randint(0, 9999999):07d}",
                    "notified_on": min(decided + dt.timedelta(days=1), self.today),
                    "notification_method": str(deadlines.NotificationMethod.HAND),
                    "posted_on": None,
                    "missing_mentions": "",
                    "encoded_on": min(decided + dt.timedelta(days=rng.randint(0, 6)), self.today),
                    "court_ordered": True,
                    "court_judgment_on": judgment_on,
                    "court_name": court,
                    "created_at": self.now,
                },
            )
        )
        request["status"] = str(cases.STATUS_OF_DECISION[DecisionKind.GUARANTEE])
        evening = cases.to_utc(dt.datetime.combine(decided, dt.time(17, 0)))
        request["updated_at"] = max(request["updated_at"], min(evening, self.now))

    def _consent(self, owner: int, first_day: dt.date, plan: _Plan) -> None:
        """Most people the association follows agreed on their first day; some gave the
        mandate; a few withdrew it later."""
        rng = self.rng
        if rng.random() >= CONSENT_SHARE:
            return
        given = min(
            first_day + dt.timedelta(days=(0, 0, 0, 1, 7)[int(rng.random() * 5)]), self.today
        )
        uses = MANDATE_USES if rng.random() < MANDATE_SHARE else CONSENT_USES
        roll = rng.random()
        how = (
            ConsentHow.SIGNED
            if roll < 0.8
            else ConsentHow.ELECTRONIC
            if roll < 0.9
            else ConsentHow.ORAL
        )
        withdrawn: dt.date | None = None
        if rng.random() < WITHDRAWN_SHARE and given < self.today:
            withdrawn = given + dt.timedelta(days=rng.randint(1, (self.today - given).days))
        plan.consents.append(
            (
                owner,
                {
                    "person_id": 0,
                    "given_on": given,
                    "how": how.value,
                    "uses": uses,
                    "withdrawn_on": withdrawn,
                    "note": CONSENT_WITNESS if how == ConsentHow.ORAL else "",
                    "created_at": self.now,
                },
            )
        )


def _valid_to(valid_from: dt.date, months: int) -> dt.date:
    """The last day of a validity of ``months`` months starting on ``valid_from`` (art. 54)."""
    return deadlines.add_months(valid_from - dt.timedelta(days=1), months)


def _plan(
    rng: random.Random,
    count: int,
    today: dt.date,
    cpas: Sequence[Cpas],
    tick: Callable[[int, int], None],
    clock_rng: random.Random | None = None,
    close_rng: random.Random | None = None,
    letters_rng: random.Random | None = None,
    desk_rng: random.Random | None = None,
) -> _Plan:
    generator = _Generator(rng, today, cpas, utcnow(), clock_rng, close_rng)
    minors = min(round(count * MINOR_SHARE), count - 1)
    plan = _Plan(today=today)
    origins: list[Origin] = []
    for index in range(count - minors):
        if index % 1000 == 0:
            tick(index, count)
        origin = rng.choices(ORIGINS, weights=generator.origin_weights)[0]
        origins.append(origin)
        plan.adults.append(generator.person(minor=False, origin=origin))
    for _index in range(minors):
        guardian = rng.randrange(len(plan.adults))
        adult = plan.adults[guardian]
        origin = origins[guardian]
        family = next(
            f
            for f in origin.family_names
            if adult["family_name"] in ((f,) if isinstance(f, str) else f)
        )
        plan.minors.append(generator.person(minor=True, origin=origin, family=family))
        plan.guardians.append(guardian)
    for index, adult in enumerate(plan.adults):
        generator.requests_of(index, adult, plan)
    if letters_rng is not None:
        _Letters(letters_rng, today, generator.now).fill(plan)
    if desk_rng is not None:
        _FrontDesk(desk_rng, today, generator.now).fill(plan)
    tick(count, count)
    return plan


class _FrontDesk:
    """Urgent flags, follow-on requests after transfers (some found not competent again and
    referred to the SPP IS) and requests still being prepared, from a stream of their own."""

    def __init__(self, rng: random.Random, today: dt.date, now: dt.datetime) -> None:
        self.rng, self.today, self.now = rng, today, now

    def fill(self, plan: _Plan) -> None:
        rng = self.rng
        reasons = [str(reason) for reason in UrgentReason]
        for request in plan.requests:
            if rng.random() < 0.04:
                request["urgent"] = True
                request["urgent_reason"] = rng.choice(reasons)
        for index in range(len(plan.requests)):
            request = plan.requests[index]
            sent = request["transferred_on"]
            if request["transferred_to_id"] is None or sent is None or rng.random() >= 0.6:
                continue
            received = sent + dt.timedelta(days=rng.randint(1, 10))
            if received > self.today:
                continue
            self._follow_on(plan, index, received)
        for adult in rng.sample(range(len(plan.adults)), k=max(1, len(plan.adults) // 100)):
            plan.requests.append(
                request_row(
                    self.now, channel=str(Channel.SERVICE), status=str(CaseStatus.PREPARING)
                )
            )
            plan.owners.append(adult)

    def _follow_on(self, plan: _Plan, previous: int, received: dt.date) -> None:
        rng, first = self.rng, plan.requests[previous]
        moment = cases.to_utc(dt.datetime.combine(received, dt.time(rng.randint(9, 15), 0)))
        # The same person's request, as the CPAS it was sent to received it.
        kept = ("channel", "accompanied_by", "aamu_handed_in", "care_started_on", "care_kind")
        row = request_row(
            self.now,
            **{column: first[column] for column in (*kept, "urgent", "urgent_reason")},
            cpas_id=first["transferred_to_id"],
            received_at=moment,
            first_filed_on=first["first_filed_on"] or cases.local_date(first["received_at"]),
            updated_at=min(moment, self.now),
        )
        index = len(plan.requests)
        plan.requests.append(row)
        plan.owners.append(plan.owners[previous])
        plan.follow_ons.append((index, previous))
        if rng.random() >= 0.35:
            return
        decided = received + dt.timedelta(days=rng.randint(1, 6))
        if decided > self.today:
            return
        kind = DecisionKind.INCOMPETENT if rng.random() < 0.6 else DecisionKind.PRINCIPLE
        notified = decided + dt.timedelta(days=rng.randint(0, 5))
        principle = kind == DecisionKind.PRINCIPLE
        decision = {
            **{key: None for key in plan.decisions[0][1]},  # the same columns as the others
            "request_id": 0,
            "kind": str(kind),
            "decided_on": decided,
            "notified_on": notified if notified <= self.today else None,
            "notification_method": "hand" if notified <= self.today else None,
            "missing_mentions": "",
            "valid_from": decided if principle else None,
            "valid_to": _valid_to(decided, deadlines.DECISION_MAX_MONTHS) if principle else None,
            "mediprima_number": "",
            "court_ordered": False,
            "court_name": "",
            "created_at": self.now,
        }
        plan.decisions.append((index, decision))
        if kind == DecisionKind.INCOMPETENT:
            reason = {"decision_id": 0, "key": "competence", "explanation": ""}
            plan.reasons.append((len(plan.decisions) - 1, reason))
        row["status"] = str(cases.STATUS_OF_DECISION[kind])
        if kind == DecisionKind.INCOMPETENT and rng.random() < 0.5:
            referred = decided + dt.timedelta(days=rng.randint(2, 12))
            row["spp_referred_on"] = referred if referred <= self.today else None


# --- writing -------------------------------------------------------------------------------


class _Meter:
    """One progress bar over ``shown`` people: generating fills the first quarter, writing the rest."""

    PLAN_SHARE = 0.25

    def __init__(self, progress: Progress | None, shown: int) -> None:
        self.progress = progress
        self.shown = shown
        self.every = max(shown // 100, 1)
        self.rows_total = 1
        self.rows_done = 0
        self._last = -1

    def planned(self, done: int, total: int) -> None:
        self._report(self.PLAN_SHARE * done / max(total, 1))

    def start_writing(self, rows_total: int) -> None:
        self.rows_total = max(rows_total, 1)

    def advance(self, rows: int) -> None:
        self.rows_done += rows
        self._report(self.PLAN_SHARE + (1 - self.PLAN_SHARE) * self.rows_done / self.rows_total)

    def _report(self, share: float) -> None:
        done = min(int(share * self.shown), self.shown)
        if self.progress is None or done == self._last:
            return
        if done - self._last >= self.every or done == self.shown:
            self._last = done
            self.progress(done, self.shown)


def _references(plan: _Plan, order: list[int], session: Session) -> None:
    """AMU-YYYY-NNNN in order of reception, continuing each year's counter; one update per year."""
    last: dict[int, int] = {
        counter.year: counter.last
        for counter in session.scalars(
            select(Counter).where(col(Counter.kind) == cases.REFERENCE_PREFIX)
        )
    }
    for index in order:
        request = plan.requests[index]
        received = request["received_at"]
        year = (cases.local_date(received) if received is not None else plan.today).year
        last[year] = last.get(year, 0) + 1
        request["reference"] = cases.make_reference(year, last[year])
    for year, number in last.items():
        counter = session.get(Counter, (cases.REFERENCE_PREFIX, year)) or Counter(
            kind=cases.REFERENCE_PREFIX, year=year, last=0
        )
        counter.last = number
        session.add(counter)
    session.flush()


def _write(plan: _Plan, session: Session, meter: _Meter) -> None:
    person_table, request_table = _table(Person), _table(Request)
    adult_ids: list[int] = []
    for start in range(0, len(plan.adults), CHUNK):
        chunk = plan.adults[start : start + CHUNK]
        adult_ids += bulkrows.insert_returning_ids(session, person_table, chunk)
        meter.advance(len(chunk))
    for minor, guardian in zip(plan.minors, plan.guardians, strict=True):
        minor["guardian_id"] = adult_ids[guardian]
    for start in range(0, len(plan.minors), CHUNK):
        chunk = plan.minors[start : start + CHUNK]
        bulkrows.insert_rows(session, person_table, chunk)
        meter.advance(len(chunk))
    # Requests being prepared (no date) come last: their references are this year's.
    order = sorted(
        range(len(plan.requests)),
        key=lambda i: (
            plan.requests[i]["received_at"] is None,
            plan.requests[i]["received_at"] or 0,
            i,
        ),
    )
    _references(plan, order, session)
    request_ids = [0] * len(plan.requests)
    for start in range(0, len(order), CHUNK):
        indexes = order[start : start + CHUNK]
        rows = []
        for index in indexes:
            plan.requests[index]["person_id"] = adult_ids[plan.owners[index]]
            rows.append(plan.requests[index])
        for index, request_id in zip(
            indexes, bulkrows.insert_returning_ids(session, request_table, rows), strict=True
        ):
            request_ids[index] = request_id
        meter.advance(len(rows))
    if plan.follow_ons:  # each follow-on request points to the one it follows on from
        session.execute(
            update(request_table).where(request_table.c.id == bindparam("follow_on_id")),
            [
                {"follow_on_id": request_ids[index], "previous_id": request_ids[previous]}
                for index, previous in plan.follow_ons
            ],
        )
    # The decisions' ids, given here (this transaction holds the database's write lock;
    # PostgreSQL's sequence gives them): the reasons need them, and RETURNING would double
    # the time of this insert.
    decision_ids = bulkrows.next_ids(session, _table(Decision), len(plan.decisions))
    for start in range(0, len(plan.decisions), CHUNK):
        chunk = []
        for (index, row), decision_id in zip(
            plan.decisions[start : start + CHUNK],
            decision_ids[start : start + CHUNK],
            strict=True,
        ):
            row["id"] = decision_id
            row["request_id"] = request_ids[index]
            chunk.append(row)
        bulkrows.insert_rows(session, _table(Decision), chunk)
        meter.advance(len(chunk))
    for model, items, ids, column in (
        (Aamu, plan.aamus, request_ids, "request_id"),
        (DecisionReason, plan.reasons, decision_ids, "decision_id"),
        (Appeal, plan.appeals, request_ids, "request_id"),
        (Consent, plan.consents, adult_ids, "person_id"),
    ):
        rows = []
        for index, row in items:
            row[column] = ids[index]
            rows.append(row)
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            bulkrows.insert_rows(session, _table(model), chunk)
            meter.advance(len(chunk))


def _office(session: Session) -> None:
    if get_office(session=session) is not None:
        return
    save_office(
        session=session,
        kind=OfficeKind.ASSOCIATION,
        name="Permanence AMU — exemple",
        address="Rue de l'Exemple 1, 1000 Bruxelles",
        phone="+32 2 000 00 00",
        email="permanence@example.org",
        signatory_name="Camille Exemple",
        signatory_title="Assistante sociale",
        document_language="fr",
        labour_court_address="Tribunal du travail francophone de Bruxelles, boulevard de Waterloo 70, 1000 Bruxelles",
        labour_court_address_nl="Nederlandstalige arbeidsrechtbank Brussel, Waterloolaan 70, 1000 Brussel",
    )


def fill_demo(
    *,
    store: Store,
    count: int,
    seed: int = 2026,
    progress: Progress | None = None,
    today: dt.date | None = None,
) -> int:
    """Add ``count`` fictional people (about 10 % minors depending on an adult) and their requests.

    Only an empty data folder (no people) is filled. The same ``seed`` and
    ``today`` give the same data. Each adult has one or two requests received in
    the last 18 months, at every stage: open (recent or overdue), decided in
    principle, guaranteed, refused, transferred; with attestations, notifications
    and care dates. Every rule of the legal clock has cases: decisions notified by
    hand, by registered letter (posting day and the day it took effect) or by ordinary
    letter, some notifications lacking mandatory mentions, positive decisions encoded
    in MediPrima in time, late or not at all, transfers in time, late or missing, and
    appeals after a decision or after a month without one. Refusals and incompetences give
    one or two reasons (lawful or not), each appeal is recorded with its court and for some
    its outcome, a few granted appeals are followed by a guarantee the court ordered, and
    most adults gave their consent (some with the mandate, a few withdrawn since); these
    are drawn from a stream of their own, so they leave the rest of a seed's data as it
    was. An office profile is created when there is none. Returns ``count``.
    """
    if count < 1:
        raise DemoError(_("The number of people must be at least 1."))
    today = today or brussels_today()
    rng = random.Random(seed)
    with store.transaction() as session:
        if session.scalar(select(col(Person.id)).limit(1)) is not None:
            raise DemoError(
                _("The demo fills an empty data folder only; this one already has people.")
            )
        directory = [c for c in list_cpas(session=session) if c.commune_fr]
        if not directory:
            raise DemoError(_("The CPAS directory is empty; the demo needs the Brussels CPAS."))
        meter = _Meter(progress, count)
        plan = _plan(
            rng,
            count,
            today,
            sorted(directory, key=lambda c: c.id or 0),
            meter.planned,
            random.Random(f"amudesk-demo-clock-{seed}"),
            random.Random(f"amudesk-demo-close-{seed}"),
            random.Random(f"amudesk-demo-letters-{seed}"),
            random.Random(f"amudesk-demo-desk-{seed}"),
        )
        meter.start_writing(
            len(plan.adults)
            + len(plan.minors)
            + len(plan.requests)
            + len(plan.decisions)
            + len(plan.aamus)
            + len(plan.reasons)
            + len(plan.appeals)
            + len(plan.consents)
        )
        _write(plan, session, meter)
        _office(session)
        audit.record(
            "import",
            session=session,
            entity="person",
            detail=f"demo;people={len(plan.adults) + len(plan.minors)};requests={len(plan.requests)}",
        )
    # Every case's next time limit, for the case list (the rows above bypass the ORM).
    nextdue.refresh_all(store, today=today, settings=load_settings(store.data_dir).clock_settings())
    refresh_statistics(store, count)
    log.info(
        "demo: %d people, %d requests, %d decisions, %d attestations, %d appeals, %d consents",
        count,
        len(plan.requests),
        len(plan.decisions),
        len(plan.aamus),
        len(plan.appeals),
        len(plan.consents),
    )
    return count
