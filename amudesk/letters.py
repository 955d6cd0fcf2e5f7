"""The letters the law gives, drafted from a case's own facts: a reminder to a late CPAS, a
formal notice, a request for a written and reasoned decision, the appeal to the labour
court, and the letter telling a claimant where their request was sent.

Pure: no Qt, no database, no PDF. :class:`CaseLetterFacts` holds what a case says (read by
``services.letters``); :func:`missing` names what a letter needs and the case lacks;
:func:`draft` writes the subject and the paragraphs in the letter's language. The body can
be edited before the letter is issued; the parties, dates, reference and signature stay
as drafted. Every sentence is marked with ``N_`` and translated when drafted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from amudesk import i18n
from amudesk.i18n import N_, gettext_for, ngettext_for

REMINDER = "reminder"
FORMAL_NOTICE = "formal-notice"
REASONS_REQUEST = "reasons-request"
APPEAL = "appeal"
TRANSFER_REASONS = "transfer-reasons"
KINDS = (REMINDER, FORMAL_NOTICE, REASONS_REQUEST, APPEAL, TRANSFER_REASONS)
# Written on the claimant's behalf: they need the person's mandate (a recorded consent
# to letters). The transfer letter is the office's own, to the claimant.
ON_BEHALF = frozenset({REMINDER, FORMAL_NOTICE, REASONS_REQUEST, APPEAL})

KIND_LABELS: dict[str, str] = {
    REMINDER: N_("Reminder to the CPAS"),
    FORMAL_NOTICE: N_("Formal notice to the CPAS"),
    REASONS_REQUEST: N_("Request for a reasoned decision"),
    APPEAL: N_("Appeal to the labour court"),
    TRANSFER_REASONS: N_("Letter on the transfer of the request"),
}

# A formal notice gives the CPAS this many days before the appeal is filed, never past the
# appeal's own last day.
NOTICE_DAYS = 8
DATE_FORMAT = "d MMMM y"
MAX_PARAGRAPHS = 40
MAX_PARAGRAPH_LENGTH = 3000


@dataclass(frozen=True)
class MissedLimit:
    """A CPAS time limit past its last day, as the clock explains it."""

    title: str  # already in the letter's language
    last_day: dt.date
    basis: str  # the clock's legal basis, in the letter's language


@dataclass(frozen=True)
class Ground:
    """One reason the CPAS gave, and the point that answers it (refusals' table)."""

    label: str
    explanation: str  # the office's note about it
    answer: str  # "" for "other"
    basis: str
    unlawful: bool


@dataclass(frozen=True)
class CaseLetterFacts:
    """What a case says, for a letter: every text already in the letter's language."""

    kind: str
    language: str
    today: dt.date
    reference: str
    claimant: str  # "DIALLO Awa"
    birth_date: str  # as recorded: "1985-07-30", "1985-07", "1985" or ""
    claimant_address: str  # where the person can be reached, may be ""
    office_name: str
    office_address: str
    office_is_association: bool
    cpas_name: str
    cpas_address: str
    court: str  # the labour court's name and address, may be ""
    filed_on: dt.date
    decision_due: dt.date | None  # the decision limit's due day
    decided_on: dt.date | None  # the latest decision
    decision_kind: str  # its label, "" without one
    notified_on: dt.date | None
    missing_mentions: tuple[str, ...] = ()  # labels of the mentions the notification lacks
    missed: tuple[MissedLimit, ...] = ()
    grounds: tuple[Ground, ...] = ()
    appeal_last_day: dt.date | None = None  # of the running appeal limit
    transferred_on: dt.date | None = None
    transferred_to: str = ""  # the CPAS the request went to, when recorded
    mandate: bool = False
    annexes: tuple[str, ...] = field(default_factory=tuple)
    # The claimant's names in Latin letters when they are written in another script
    # ("" otherwise): after the names wherever the letter identifies them.
    claimant_latin: str = ""
    # A request received by transfer: the day the claimant first filed it with another CPAS.
    first_filed_on: dt.date | None = None


@dataclass(frozen=True)
class Draft:
    subject: str
    recipient: tuple[str, ...]  # name, then address lines
    body: tuple[str, ...]  # paragraphs: what the user may edit
    annexes: tuple[str, ...]


class _Words:
    def __init__(self, language: str) -> None:
        self.language = language

    def t(self, message: str) -> str:
        return gettext_for(self.language, message)

    def n(self, singular: str, plural: str, count: int) -> str:
        return ngettext_for(self.language, singular, plural, count)

    def date(self, day: dt.date | None) -> str:
        return i18n.format_date(day, DATE_FORMAT, locale=self.language) if day else ""


def notice_deadline(facts: CaseLetterFacts) -> dt.date:
    """The day after which the appeal follows a formal notice: NOTICE_DAYS after today,
    and never past the appeal's own last day."""
    day = facts.today + dt.timedelta(days=NOTICE_DAYS)
    if facts.appeal_last_day is not None:
        day = min(day, facts.appeal_last_day)
    return day


def missing(facts: CaseLetterFacts, language: str | None = None) -> list[str]:
    """What the letter needs and the case lacks, each in a few words of ``language`` (the
    reader's: by default the letter's), empty when the letter can be drafted."""
    language = language or facts.language
    t = _Words(language).t
    lacking = []
    if facts.kind in ON_BEHALF and not facts.mandate:
        lacking.append(t(N_("the person's mandate for letters on their behalf (consent)")))
    if facts.kind in (REMINDER, FORMAL_NOTICE, REASONS_REQUEST) and not facts.cpas_address:
        lacking.append(t(N_("the CPAS's address (CPAS directory)")))
    if facts.kind in (REMINDER, FORMAL_NOTICE) and not facts.missed:
        lacking.append(t(N_("a CPAS time limit that has passed")))
    if facts.kind == REASONS_REQUEST and facts.decided_on is None:
        lacking.append(t(N_("the decision (its day, even if it was only said aloud)")))
    if facts.kind == APPEAL:
        if not facts.court:
            lacking.append(t(N_("the labour court's address (office profile)")))
        if facts.decided_on is None and facts.appeal_last_day is None:
            lacking.append(t(N_("a decision to contest, or the month without one")))
        if facts.appeal_last_day is not None and facts.appeal_last_day < facts.today:
            lacking.append(
                t(N_("an appeal limit still running (it ended on {date})")).format(
                    date=_Words(language).date(facts.appeal_last_day)
                )
            )
    if facts.kind == TRANSFER_REASONS:
        if facts.transferred_on is None:
            lacking.append(t(N_("the day the request was sent on (record the transfer)")))
        elif not facts.transferred_to:
            lacking.append(t(N_("the CPAS the request was sent to (record the transfer)")))
        if not facts.claimant_address:
            lacking.append(t(N_("where the person can be reached (phone is not enough)")))
    return lacking


def draft(facts: CaseLetterFacts) -> Draft:
    """The letter's subject, recipient, paragraphs and annexes, in its language."""
    words = _Words(facts.language)
    writers = {
        REMINDER: _reminder,
        FORMAL_NOTICE: _formal_notice,
        REASONS_REQUEST: _reasons_request,
        APPEAL: _appeal,
        TRANSFER_REASONS: _transfer_reasons,
    }
    return writers[facts.kind](facts, words)


def check_body(paragraphs: Sequence[str]) -> tuple[str, ...]:
    """An edited body: paragraphs without surrounding spaces, empty ones dropped; at most
    MAX_PARAGRAPHS of MAX_PARAGRAPH_LENGTH characters (ValueError naming the problem)."""
    kept = tuple(" ".join(p.split()) for p in paragraphs if p.strip())
    if not kept:
        raise ValueError("empty")
    if len(kept) > MAX_PARAGRAPHS or any(len(p) > MAX_PARAGRAPH_LENGTH for p in kept):
        raise ValueError("too long")
    return kept


# --- the letters ---------------------------------------------------------------------------


def _cpas(facts: CaseLetterFacts) -> tuple[str, ...]:
    return (facts.cpas_name, *_lines(facts.cpas_address))


def _lines(address: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in address.splitlines() if line.strip())


def _named(facts: CaseLetterFacts) -> str:
    """The claimant as a letter identifies them: the names, and after them in brackets
    the names in Latin letters when they are written in another script."""
    if facts.claimant_latin:
        return f"{facts.claimant} ({facts.claimant_latin})"
    return facts.claimant


def _opening(facts: CaseLetterFacts, words: _Words) -> str:
    opening = _first_words(facts, words)
    if facts.first_filed_on is None:
        return opening
    return (
        opening
        + " "
        + words.t(
            N_(
                "The claimant had first filed it on {first} with another CPAS, which sent it on to "
                "yours."
            )
        ).format(first=words.date(facts.first_filed_on))
    )


def _first_words(facts: CaseLetterFacts, words: _Words) -> str:
    t = words.t
    if facts.office_is_association:
        return t(
            N_(
                "We write on behalf of {claimant}, whom our association accompanies and who has "
                "given us a mandate to do so, about the request for urgent medical aid filed "
                "with your CPAS on {filed} (our reference {reference})."
            )
        ).format(
            claimant=_named(facts), filed=words.date(facts.filed_on), reference=facts.reference
        )
    return t(
        N_(
            "We write about the request for urgent medical aid that {claimant} filed with your "
            "CPAS on {filed} (reference {reference})."
        )
    ).format(claimant=_named(facts), filed=words.date(facts.filed_on), reference=facts.reference)


def _reminder(facts: CaseLetterFacts, words: _Words) -> Draft:
    t = words.t
    body = [
        t(N_("Madam, Sir,")),
        _opening(facts, words),
        t(
            N_(
                "A CPAS decides on a request within thirty days of receiving it, and notifies its "
                "decision within eight days of taking it; each limit below is given with the text "
                "that sets it."
            )
        ),
        *_missed_sentences(facts, words),
        t(
            N_(
                "We ask you to take your decision without further delay and to notify it in "
                "writing, with the mentions the law requires. Urgent medical aid cannot wait."
            )
        ),
        t(N_("We thank you in advance and remain at your disposal.")),
    ]
    return Draft(
        subject=t(N_("Urgent medical aid — request of {filed}: reminder")).format(
            filed=words.date(facts.filed_on)
        ),
        recipient=_cpas(facts),
        body=tuple(body),
        annexes=facts.annexes,
    )


def _missed_sentences(facts: CaseLetterFacts, words: _Words) -> list[str]:
    t = words.t
    return [
        t(N_("{limit}: the last day was {date}. Legal basis: {basis}")).format(
            limit=limit.title, date=words.date(limit.last_day), basis=limit.basis.rstrip(".") + "."
        )
        for limit in facts.missed
    ]


def _formal_notice(facts: CaseLetterFacts, words: _Words) -> Draft:
    t = words.t
    deadline = notice_deadline(facts)
    body = [
        t(N_("Madam, Sir,")),
        _opening(facts, words),
        t(
            N_(
                "To this day, the following time limits the law sets for your CPAS have passed "
                "without the act they call for:"
            )
        ),
        *_missed_sentences(facts, words),
        t(
            N_(
                "We therefore give your CPAS formal notice to decide on the request and to "
                "notify its decision in writing, with its reasons and the mentions required by "
                "article 14 of the Charte de l'assuré social, by {deadline} at the latest."
            )
        ).format(deadline=words.date(deadline)),
        t(
            N_(
                "Without a decision by then, an appeal will be brought before the labour court, "
                "as the law allows when a CPAS does not decide within a month (loi organique des "
                "CPAS, art. 71). Such an appeal needs no lawyer and costs the claimant nothing."
            )
        ),
        t(N_("Yours faithfully,")),
    ]
    return Draft(
        subject=t(N_("Urgent medical aid — request of {filed}: formal notice")).format(
            filed=words.date(facts.filed_on)
        ),
        recipient=_cpas(facts),
        body=tuple(body),
        annexes=facts.annexes,
    )


def _reasons_request(facts: CaseLetterFacts, words: _Words) -> Draft:
    t = words.t
    body = [
        t(N_("Madam, Sir,")),
        _opening(facts, words),
        t(N_("Your CPAS took a decision on this request on {decided} ({kind}).")).format(
            decided=words.date(facts.decided_on), kind=facts.decision_kind
        ),
    ]
    if facts.missing_mentions:
        body.append(
            t(N_("The notification we received does not state: {mentions}.")).format(
                mentions="; ".join(facts.missing_mentions)
            )
        )
    else:
        body.append(t(N_("No written decision stating its reasons has reached the claimant.")))
    body += [
        t(
            N_(
                "We ask you to send a written decision giving its reasons in fact and in law, and "
                "stating the possibility of an appeal, the competent court, the time limit and "
                "how to bring it, and the file reference (Charte de l'assuré social, art. 14). "
                "Until such a notification is made, the time limit for an appeal does not start "
                "to run."
            )
        ),
        t(N_("We thank you in advance.")),
    ]
    return Draft(
        subject=t(
            N_("Urgent medical aid — request of {filed}: request for a reasoned decision")
        ).format(filed=words.date(facts.filed_on)),
        recipient=_cpas(facts),
        body=tuple(body),
        annexes=facts.annexes,
    )


def _appeal(facts: CaseLetterFacts, words: _Words) -> Draft:
    t = words.t
    body = [
        t(N_("To the President and Judges of the labour court,")),
        t(
            N_(
                "{claimant}, born {birth}, who can be reached at {address}, brings an appeal "
                "against the {cpas}, whose address is {cpas_address}."
            )
        ).format(
            claimant=_named(facts),
            birth=i18n.format_partial_date(facts.birth_date, locale=facts.language)
            or t(N_("on a day not known")),
            address=facts.claimant_address or facts.office_address,
            cpas=facts.cpas_name,
            cpas_address=" ".join(_lines(facts.cpas_address)) or t(N_("(address to be added)")),
        ),
        t(N_("The facts")),
        t(N_("On {filed}, the claimant asked the CPAS for urgent medical aid.")).format(
            filed=words.date(facts.filed_on)
        ),
    ]
    if facts.decided_on is not None:
        notified = (
            t(N_(", notified on {date}")).format(date=words.date(facts.notified_on))
            if facts.notified_on
            else ""
        )
        body.append(
            t(N_("On {decided}, the CPAS decided: {kind}{notified}.")).format(
                decided=words.date(facts.decided_on), kind=facts.decision_kind, notified=notified
            )
        )
        contested = t(N_("The claimant contests that decision."))
    else:
        body.append(
            t(
                N_(
                    "The CPAS has not decided within the month the law gives it (loi organique "
                    "des CPAS, art. 71)."
                )
            )
        )
        contested = t(N_("The claimant contests the CPAS's silence, which counts as a refusal."))
    body.append(contested)
    if facts.grounds:
        body.append(t(N_("The grounds")))
        for ground in facts.grounds:
            said = ground.label + (f" ({ground.explanation})" if ground.explanation else "")
            if ground.answer:
                body.append(
                    t(N_("The CPAS relies on: {said}. {answer} ({basis})")).format(
                        said=said, answer=ground.answer, basis=ground.basis
                    )
                )
            else:
                body.append(t(N_("The CPAS relies on: {said}.")).format(said=said))
    body += [
        t(N_("What is asked")),
        t(
            N_(
                "The claimant asks the court to declare the appeal admissible and well founded, "
                "to annul the contested decision (or to find the CPAS's silence unlawful), and to "
                "order the CPAS to grant urgent medical aid from the day of the request."
            )
        ),
        t(
            N_(
                "This appeal is brought by a written request filed at the court's registry or "
                "sent to it by registered letter (Code judiciaire, art. 704 §2)."
            )
        ),
    ]
    annexes = (*facts.annexes,)
    return Draft(
        subject=t(N_("Appeal against {cpas} — urgent medical aid")).format(cpas=facts.cpas_name),
        recipient=(t(N_("To the registry of the labour court")), *_lines(facts.court)),
        body=tuple(body),
        annexes=annexes,
    )


def _transfer_reasons(facts: CaseLetterFacts, words: _Words) -> Draft:
    t = words.t
    where = facts.transferred_to
    body = [
        t(N_("Dear {claimant},")).format(claimant=facts.claimant),
        t(
            N_(
                "You asked {cpas} for urgent medical aid on {filed}. That CPAS held that another "
                "CPAS is competent for your request and sent it on to {where} on {sent}."
            )
        ).format(
            cpas=facts.cpas_name,
            filed=words.date(facts.filed_on),
            where=where,
            sent=words.date(facts.transferred_on),
        ),
        t(
            N_(
                "A CPAS that holds itself not competent must send the request to the competent "
                "CPAS within five days and tell the person why (loi organique des CPAS, art. 58 "
                "§3). Your request keeps the day you filed it: the new CPAS's time limits count "
                "from the day it receives it."
            )
        ),
    ]
    body += [
        t(N_("The reason given: {reason}.")).format(
            reason=ground.label + (f" ({ground.explanation})" if ground.explanation else "")
        )
        for ground in facts.grounds
    ]
    body.append(
        t(
            N_(
                "If you disagree, you may appeal to the labour court within three months. We can "
                "help you with it; keep this letter."
            )
        )
    )
    return Draft(
        subject=t(N_("Your request for urgent medical aid of {filed}: transfer")).format(
            filed=words.date(facts.filed_on)
        ),
        recipient=(
            facts.claimant,
            *((facts.claimant_latin,) if facts.claimant_latin else ()),
            *_lines(facts.claimant_address),
        ),
        body=tuple(body),
        annexes=facts.annexes,
    )
