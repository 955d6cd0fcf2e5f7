"""Issuing a letter from a case: its facts read from the case, the clock and the office
profile, drafted in the letter's language (``amudesk.letters``), perhaps with a body the
user edited, rendered, numbered in its kind's series and archived with an audit entry like
every document. A letter that needs a fact the case lacks is refused, naming what is
missing, before anything is numbered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from amudesk import i18n, letters
from amudesk.deadlines import MENTIONS, RUNNING_STATES, Actor, State
from amudesk.documents.layout import Letterhead
from amudesk.documents.values import latin_name
from amudesk.i18n import BRUSSELS, N_, _, gettext_for
from amudesk.letters import CaseLetterFacts, Draft, Ground, MissedLimit
from amudesk.models import DECISION_LABELS, Aamu, Cpas, Document, Request
from amudesk.models.base import utcnow
from amudesk.refusals import REASONS, UNLAWFUL_KEYS
from amudesk.services import FieldError, clock, consents
from amudesk.services import validation as v
from amudesk.services.cases import filed_at, get_case, local_date, reasons_of
from amudesk.services.documents import (
    _archive,
    _next_document_number,
    _office_for,
    document_language,
)

KINDS = letters.KINDS


def check_kind(kind: str) -> None:
    if kind not in letters.KINDS:
        raise FieldError(
            "kind", _("Letter: choose one of {kinds}.").format(kinds=", ".join(letters.KINDS))
        )


def case_letter_facts(
    request_id: int,
    kind: str,
    *,
    session: Session,
    language: str | None = None,
    today: dt.date | None = None,
    clock_settings: Any = None,
) -> CaseLetterFacts:
    """What the case says for a letter of ``kind``, in the letter's language."""
    check_kind(kind)
    office = _office_for(session)
    language = document_language(language, office)
    today = today or clock.today_in_brussels()

    def t(message: str) -> str:
        return gettext_for(language, message)

    case = get_case(request_id, session=session)
    request, person, cpas = case.request, case.person, case.cpas
    found = clock.deadlines(
        session=session,
        today=today,
        request_ids=[request_id],
        settings=clock_settings,
        language=language,
    )
    by_rule = {d.rule: d for d in found}
    missed = tuple(
        MissedLimit(d.title, d.due, d.basis)
        for d in found
        if d.actor == Actor.CPAS and d.state == State.OVERDUE and d.due is not None
    )
    appeal_last_day = next(
        (
            d.due
            for d in found
            if d.rule in ("appeal", "appeal-no-decision")
            and (d.state in RUNNING_STATES or d.state == State.LAPSED)
            and d.due is not None
        ),
        None,
    )
    latest = case.decisions[-1] if case.decisions else None
    grounds: tuple[Ground, ...] = ()
    mentions: tuple[str, ...] = ()
    if latest is not None:
        grounds = tuple(
            Ground(
                label=t(REASONS[reason.key].label),
                explanation=reason.explanation,
                answer=t(REASONS[reason.key].answer) if REASONS[reason.key].answer else "",
                basis=t(REASONS[reason.key].basis) if REASONS[reason.key].basis else "",
                unlawful=reason.key in UNLAWFUL_KEYS,
            )
            for reason in reasons_of(latest.id or 0, session=session)
            if reason.key in REASONS
        )
        mentions = tuple(
            t(MENTIONS[code]) for code in latest.missing_mention_list if code in MENTIONS
        )
    # The office's name and address as the letter's language writes them.
    office_name = office.localised("name", language)
    office_address = office.localised("address", language)
    reachable = person.usual_place if person.no_fixed_abode else person.commune
    if not reachable and office.kind == "association":
        reachable = t(N_("care of {office}, {address}")).format(
            office=office_name, address=" ".join(office_address.split())
        )
    decision = by_rule.get("decision")
    return CaseLetterFacts(
        kind=kind,
        language=language,
        today=today,
        reference=request.reference,
        claimant=person.full_name,
        claimant_latin=latin_name(person.latin_name or "", person.family_name, person.given_names),
        birth_date=person.birth_date or "",
        claimant_address=reachable or "",
        office_name=office_name,
        office_address=office_address or "",
        office_is_association=office.kind == "association",
        cpas_name=cpas.display_name(language) if cpas is not None else "",
        cpas_address=cpas.address_in(language) if cpas is not None else "",
        court=office.court_for(language) or "",
        filed_on=local_date(filed_at(request)),
        first_filed_on=request.first_filed_on,
        decision_due=decision.due if decision is not None else None,
        decided_on=latest.decided_on if latest is not None else None,
        decision_kind=t(DECISION_LABELS[latest.kind]) if latest is not None else "",
        notified_on=latest.notified_on if latest is not None else None,
        missing_mentions=mentions,
        missed=missed,
        grounds=grounds,
        appeal_last_day=appeal_last_day,
        transferred_on=request.transferred_on,
        transferred_to=_cpas_name(request.transferred_to_id, language, session),
        mandate=consents.has_mandate(person.id or 0, session=session, on=today),
        annexes=_annexes(kind, request_id, latest is not None, t, session),
    )


def _cpas_name(cpas_id: int | None, language: str, session: Session) -> str:
    cpas = session.get(Cpas, cpas_id) if cpas_id is not None else None
    return cpas.display_name(language) if cpas is not None else ""


def _annexes(
    kind: str, request_id: int, decided: bool, t: Any, session: Session
) -> tuple[str, ...]:
    """What goes with the letter: the proof of filing, the decision, the attestation."""
    receipts = list(
        session.scalars(
            select(col(Document.number))
            .where(col(Document.request_id) == request_id, col(Document.kind) == "receipt")
            .order_by(col(Document.issued_at))
        )
    )
    found: list[str] = []
    if receipts:
        found.append(t(N_("Acknowledgement of receipt {number}")).format(number=receipts[0]))
    if kind == letters.APPEAL:
        if decided:
            found.append(t(N_("The contested decision")))
        has_aamu = session.scalar(select(col(Aamu.id)).where(col(Aamu.request_id) == request_id))
        if has_aamu is not None:
            found.append(t(N_("The urgent medical aid attestation")))
    return tuple(found)


def draft_letter(
    request_id: int,
    kind: str,
    *,
    session: Session,
    language: str | None = None,
    today: dt.date | None = None,
    clock_settings: Any = None,
) -> Draft:
    """The letter as drafted, for the preview (FieldError naming what the case lacks)."""
    facts = case_letter_facts(
        request_id,
        kind,
        session=session,
        language=language,
        today=today,
        clock_settings=clock_settings,
    )
    return letters.draft(_complete(facts))


def _complete(facts: CaseLetterFacts) -> CaseLetterFacts:
    """``facts``, or FieldError naming what the letter needs and the case lacks, said in
    the interface's language (the letter may be in another)."""
    lacking = letters.missing(facts, i18n.get_locale())
    if lacking:
        raise FieldError(
            "letter", _("This letter needs: {missing}.").format(missing="; ".join(lacking))
        )
    return facts


def issue_letter(
    request_id: int,
    kind: str,
    *,
    session: Session,
    language: str | None = None,
    body: Sequence[str] | None = None,
    now: dt.datetime | None = None,
    clock_settings: Any = None,
) -> Document:
    """Draft (with ``body`` in place of the drafted paragraphs when given), render, number
    and archive a letter; an audit ``print`` entry goes with it."""
    from amudesk.documents.letter import LetterPage, render_letter

    now = now or utcnow()
    today = now.astimezone(ZoneInfo(BRUSSELS)).date()
    facts = _complete(
        case_letter_facts(
            request_id,
            kind,
            session=session,
            language=language,
            today=today,
            clock_settings=clock_settings,
        )
    )
    drafted = letters.draft(facts)
    office = _office_for(session)
    language = facts.language
    paragraphs = drafted.body
    if body is not None:
        try:
            paragraphs = letters.check_body(body)
        except ValueError:
            raise FieldError(
                "body",
                _(
                    "Text of the letter: give at least one paragraph, at most {n} of {m} characters."
                ).format(n=letters.MAX_PARAGRAPHS, m=letters.MAX_PARAGRAPH_LENGTH),
            ) from None
        # What is printed: no control or invisible character, only what the font draws.
        label = _("Text of the letter")
        paragraphs = tuple(
            v.clean(
                v.note(paragraph, "body", label, max_length=letters.MAX_PARAGRAPH_LENGTH),
                "body",
                label,
                max_length=letters.MAX_PARAGRAPH_LENGTH,
                printed=True,
            )
            for paragraph in paragraphs
        )
    request = session.get(Request, request_id)  # read with the facts: no query
    assert request is not None

    def t(message: str) -> str:
        return gettext_for(language, message)

    on_behalf = kind in letters.ON_BEHALF and office.kind == "association"
    sender = (
        facts.office_name,
        *[line for line in facts.office_address.splitlines() if line.strip()],
    )
    if kind == letters.APPEAL:
        sender = (
            facts.claimant,
            *((facts.claimant_latin,) if facts.claimant_latin else ()),
            t(N_("through {office}")).format(office=facts.office_name),
        )
    number = _next_document_number(kind, now, session)
    page = LetterPage(
        kind=kind,
        title=t(letters.KIND_LABELS[kind]),
        number=number,
        issued_at=now,
        language=language,
        letterhead=Letterhead.from_office(office, language),
        sender=sender,
        recipient=drafted.recipient,
        reference=facts.reference,
        subject=drafted.subject,
        body=paragraphs,
        signatory_name=office.signatory_name or "",
        signatory_title=office.localised("signatory_title", language) or "",
        signs_for=(
            t(N_("for {claimant}, by mandate")).format(claimant=facts.claimant) if on_behalf else ""
        ),
        annexes=drafted.annexes,
    )
    pdf = render_letter(page)
    return _archive(
        kind,
        number,
        pdf,
        request=request,
        person_id=request.person_id,
        language=language,
        now=now,
        session=session,
    )
