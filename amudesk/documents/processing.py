"""The record of processing activities (GDPR art. 30) of the office's AMU register.

:func:`processing_record` writes the record's content, in the language asked for, from
the office profile (who the controller is, a CPAS or an association) and from what AMU
Desk itself does (which data it holds, where, how it protects them, how long it keeps
them); :func:`render_processing` lays it out as a PDF. The office reviews it, completes
what only it knows (its data protection officer), and signs it.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from amudesk import i18n
from amudesk.backups import KEEP_DAILY, KEEP_WEEKLY
from amudesk.dates import brussels_today
from amudesk.documents.fonts import paragraph_text
from amudesk.documents.layout import (
    MM,
    Letterhead,
    PageFrame,
    label_value_table,
    render,
    stylesheet,
    text,
)
from amudesk.i18n import N_, gettext_for
from amudesk.identifiers import format_bce
from amudesk.models import OfficeKind

WEEKS_PER_BACKUP_SPAN = 7  # days in a week, for the backups' span
SIGNATURE_WIDTH = 120 * MM


@dataclass(frozen=True)
class ProcessingSection:
    """One heading of the record: a few rows (label, value), bullet items, paragraphs."""

    title: str
    rows: tuple[tuple[str, str], ...] = ()
    items: tuple[str, ...] = ()
    paragraphs: tuple[str, ...] = ()  # after the items


@dataclass(frozen=True)
class ProcessingRecord:
    language: str
    letterhead: Letterhead
    title: str
    made_on: dt.date
    intro: str
    sections: tuple[ProcessingSection, ...]
    closing: str
    # Who approves the record: rows to fill in, the last one left blank for the signature.
    approval: tuple[tuple[str, str], ...] = ()


def backup_weeks() -> int:
    """How many weeks, at most, a backup keeps erased data (7 daily + 4 weekly backups)."""
    return KEEP_WEEKLY + -(-KEEP_DAILY // WEEKS_PER_BACKUP_SPAN)


def processing_record(
    office: Any,
    *,
    language: str,
    retention_years: int,
    today: dt.date | None = None,
) -> ProcessingRecord:
    """The record's content for ``office`` (an ``amudesk.models.Office``)."""
    t = functools.partial(gettext_for, language)
    today = today or brussels_today()
    letterhead = Letterhead.from_office(office, language)
    localised = getattr(office, "localised", None)
    signatory_title = (
        localised("signatory_title", language) if callable(localised) else office.signatory_title
    )
    is_cpas = office.kind == OfficeKind.CPAS
    kind = t(N_("Public social welfare centre (CPAS / OCMW)")) if is_cpas else t(N_("Association"))
    dpo = (
        t(
            N_(
                "to be completed by hand: a CPAS, as a public authority, must designate one "
                "(art. 37(1)(a))"
            )
        )
        if is_cpas
        else t(N_("to be completed by hand, if one is designated (art. 37)"))
    )
    controller = ProcessingSection(
        title=t(N_("1. Controller (art. 30(1)(a))")),
        rows=(
            (t(N_("Name")), letterhead.name),
            (t(N_("Kind")), kind),
            (t(N_("Address")), letterhead.address),
            (t(N_("Phone")), letterhead.phone),
            (t(N_("E-mail")), letterhead.email),
            (t(N_("BCE number")), format_bce(letterhead.bce) if letterhead.bce else ""),
            (t(N_("Data protection officer")), dpo),
        ),
    )
    if is_cpas:
        purpose = t(
            N_(
                "Examining and deciding requests for urgent medical aid, a form of social aid "
                "of the CPAS (loi organique des CPAS of 8 July 1976, art. 57 to 60, in "
                "particular art. 57 §2; Royal Decree of 12 December 1996 on urgent medical aid "
                "to foreigners staying unlawfully in the Kingdom): acknowledging receipt, the "
                "social enquiry, deciding, notifying the decision, encoding it in MediPrima "
                "and keeping to the legal time limits."
            )
        )
        basis = t(
            N_(
                "Art. 6(1)(c) and (e) GDPR: a legal obligation and a task in the public interest "
                "of the CPAS under the laws above. Art. 9(2)(b) and (h) GDPR: social protection "
                "law and the management of social care services."
            )
        )
        recipients: tuple[str, ...] = (
            t(
                N_(
                    "The federal public planning service Social Integration (SPP IS / POD MI), "
                    "through MediPrima, for positive decisions."
                )
            ),
            t(
                N_(
                    "Care providers, who look up the decision in MediPrima; the person's own "
                    "information form."
                )
            ),
            t(N_("Another CPAS, when the request is transferred to it (art. 58 §3).")),
            t(N_("The labour court, when the person appeals.")),
        )
    else:
        purpose = t(
            N_(
                "Accompanying people without legal residence in their requests for urgent "
                "medical aid to the competent CPAS (loi organique des CPAS of 8 July 1976, "
                "art. 57 to 60; Royal Decree of 12 December 1996 on urgent medical aid): "
                "keeping proof of the date of the request, following the CPAS's time limits, "
                "preparing reminders and appeals, and counting delays, without names, to "
                "report on access to care."
            )
        )
        basis = t(
            N_(
                "Art. 6(1)(a) and art. 9(2)(a) GDPR: the explicit consent of the person "
                "accompanied, noted in the file, which they may withdraw at any time. Check "
                "this basis with your data protection adviser."
            )
        )
        recipients = (
            t(
                N_(
                    "The competent CPAS, at the person's request or with their mandate, to file "
                    "or follow up their request."
                )
            ),
            t(N_("The labour court, when the person appeals with the office's help.")),
        )
    weeks = backup_weeks()
    sections = (
        controller,
        ProcessingSection(
            title=t(N_("2. Purposes and legal basis (art. 30(1)(b))")),
            paragraphs=(purpose, basis),
        ),
        ProcessingSection(
            title=t(N_("3. Categories of data subjects (art. 30(1)(c))")),
            items=(
                t(
                    N_(
                        "People without legal residence, or without health insurance, who ask for "
                        "urgent medical aid."
                    )
                ),
                t(N_("Their minor dependants.")),
            ),
        ),
        ProcessingSection(
            title=t(N_("4. Categories of personal data (art. 30(1)(c))")),
            items=(
                t(
                    N_(
                        "Identity: family and given names, sex, birth date (possibly partial), "
                        "nationality, languages spoken, photo."
                    )
                ),
                t(N_("National register or BIS number (NISS).")),
                t(N_("Contact: phone number.")),
                t(
                    N_(
                        "Residence: commune, or where a person without fixed abode is usually "
                        "found."
                    )
                ),
                t(
                    N_(
                        "The request: dates, channel, CPAS, who accompanied the person, start "
                        "and kind of care."
                    )
                ),
                t(
                    N_(
                        "Medical attestations (AAMU): date, doctor, INAMI number, requested "
                        "validity, categories of care. Never a diagnosis."
                    )
                ),
                t(
                    N_(
                        "Decisions: kind, dates, validity, MediPrima number, how they were "
                        "notified; notes on time limits; free notes."
                    )
                ),
            ),
        ),
        ProcessingSection(
            title=t(N_("5. Special categories of data (art. 9)")),
            items=(
                t(
                    N_(
                        "Data concerning health: the fact that urgent medical aid is requested "
                        "and the categories of care on the attestations."
                    )
                ),
                t(N_("Data revealing the person's residence (migration) status.")),
            ),
            paragraphs=(t(N_("No data on criminal convictions or offences (art. 10).")),),
        ),
        ProcessingSection(
            title=t(N_("6. Recipients (art. 30(1)(d))")),
            items=recipients,
        ),
        ProcessingSection(
            title=t(N_("7. Transfers to third countries (art. 30(1)(e))")),
            paragraphs=(
                t(
                    N_(
                        "None. The data stay on the office's computer; the software makes no "
                        "network connection and sends nothing outside the European Union."
                    )
                ),
            ),
        ),
        ProcessingSection(
            title=t(N_("8. Time limits for erasure (art. 30(1)(f))")),
            paragraphs=(
                t(
                    N_(
                        "A case is closed when its decision is no longer valid, or after a "
                        "refusal or a finding of incompetence. {years} years after the last "
                        "activity on a person's closed cases (request, decision, notification, "
                        "end of validity), AMU Desk lists the person for erasure; the erasure "
                        "removes the person, their requests and their minor dependants from the "
                        "database and its journal."
                    )
                ).format(years=retention_years),
                t(
                    N_(
                        "Encrypted backups keep erased data until they expire: at most about "
                        "{weeks} weeks ({daily} daily and {weekly} weekly backups). Copies on "
                        "other media must be deleted by hand."
                    )
                ).format(weeks=weeks, daily=KEEP_DAILY, weekly=KEEP_WEEKLY),
            ),
        ),
        ProcessingSection(
            title=t(N_("9. Security measures (art. 30(1)(g) and art. 32)")),
            items=(
                t(
                    N_(
                        "Encryption at rest: the database is encrypted with SQLCipher (AES-256); "
                        "its key is derived from a passphrase with Argon2id, and the passphrase "
                        "is stored nowhere."
                    )
                ),
                t(
                    N_(
                        "Automatic lock: after a few minutes without use the desk locks itself "
                        "and asks for the passphrase again."
                    )
                ),
                t(
                    N_(
                        "Backups: encrypted copies, checked after writing, kept {daily} days "
                        "and {weekly} weeks."
                    )
                ).format(daily=KEEP_DAILY, weekly=KEEP_WEEKLY),
                t(
                    N_(
                        "Audit trail: every action on the records is noted in an append-only, "
                        "hash-chained trail holding numbers and references, never names."
                    )
                ),
                t(
                    N_(
                        "No network: the software works offline and transmits nothing; logs and "
                        "file names carry references, never names or NISS."
                    )
                ),
                t(
                    N_(
                        "Minimisation: no diagnosis is recorded; photos are re-encoded without "
                        "their metadata; the data folder is readable by its user only."
                    )
                ),
                t(
                    N_(
                        "Rights of data subjects: the software exports everything held about a "
                        "person (art. 15 and 20) and erases it on request or when it is due "
                        "(art. 17)."
                    )
                ),
            ),
        ),
    )
    return ProcessingRecord(
        language=language,
        letterhead=letterhead,
        title=t(N_("Record of processing activities (GDPR art. 30)")),
        made_on=today,
        intro=t(
            N_(
                "Processing: the register of urgent medical aid (AMU) requests kept with AMU "
                "Desk by {office}. This record describes it as art. 30 of the General Data "
                "Protection Regulation (EU) 2016/679 requires, together with the Belgian law "
                "of 30 July 2018 on the protection of personal data."
            )
        ).format(office=letterhead.name),
        sections=sections,
        closing=t(
            N_(
                "Made with AMU Desk on {date}. Review this record at least once a year and "
                "whenever the processing changes; keep it available for the Data Protection "
                "Authority (art. 30(4))."
            )
        ).format(date=i18n.format_date(today, "long", locale=language)),
        approval=(
            (t(N_("Signatory")), office.signatory_name or ""),
            (t(N_("Signatory's title")), signatory_title or ""),
            (t(N_("Date")), ""),
            (t(N_("Signature")), ""),
        ),
    )


def render_processing(record: ProcessingRecord) -> bytes:
    """The PDF of ``record``."""
    from reportlab.platypus import KeepTogether, Paragraph, Spacer

    styles = stylesheet()
    t = functools.partial(gettext_for, record.language)
    story: list[Any] = [
        text(record.title, styles.title),
        text(record.intro, styles.body),
    ]
    for section in record.sections:
        block: list[Any] = [text(section.title, styles.heading)]
        if section.rows:
            block.append(label_value_table(section.rows, styles))
        block.extend(
            Paragraph(paragraph_text(item), styles.bullet, bulletText="•") for item in section.items
        )
        block.extend(text(paragraph, styles.body) for paragraph in section.paragraphs)
        story.append(KeepTogether(block))
    closing: list[Any] = [Spacer(1, 4 * MM), text(record.closing, styles.note)]
    if record.approval:
        rows: list[tuple[str, object]] = [
            (label, value or "\u00a0") for label, value in record.approval
        ]
        rows[-1] = (rows[-1][0], Spacer(1, 14 * MM))  # room to sign
        closing += [Spacer(1, 3 * MM), label_value_table(rows, styles, SIGNATURE_WIDTH)]
    story.append(KeepTogether(closing))
    frame = PageFrame(
        letterhead=record.letterhead,
        language=record.language,
        header_lines=(
            t(N_("GDPR art. 30")),
            t(N_("Made on {date}")).format(
                date=i18n.format_date(record.made_on, locale=record.language)
            ),
        ),
        footer=record.title,
    )
    return render(story, frame, title=record.title)
