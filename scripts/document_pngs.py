"""Every document AMU Desk prints, rendered to PNG in French and Dutch.

    python scripts/document_pngs.py OUTDIR

A temporary encrypted store gets an office (with a logo), a person with a long Cyrillic
name, a photo and two minors in her care, a request and a decision granting aid; each
document is then issued through the services (as the window does) and its pages turned
into ``OUTDIR/document-<kind>-<language>.png`` with ``pdftoppm`` (Debian poppler-utils).
A card's front and back are put side by side, as are a card sheet's fronts and backs and
the first two pages of the art. 15 export; the art. 30 record of processing shows its first page.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LANGUAGES = ("fr", "nl")
A4_DPI = 60
CARD_DPI = 150


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def portrait(colour: tuple[int, int, int]) -> bytes:
    """A plain stand-in for an ID photo: a head and shoulders on a pale background."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (350, 450), (226, 232, 238))
    draw = ImageDraw.Draw(image)
    draw.ellipse((105, 70, 245, 240), fill=colour)
    draw.ellipse((40, 250, 310, 520), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def logo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 120), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((6, 6, 234, 114), radius=20, fill=(31, 78, 121))
    draw.rectangle((100, 28, 140, 92), fill=(255, 255, 255))
    draw.rectangle((76, 50, 164, 70), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def showcase(store: Any) -> tuple[int, int]:
    """The office and the case every document is made for: (request id, minors)."""
    from amudesk.services import cases, directory, office, people

    today = dt.date.today()
    with store.transaction() as session:
        office.save_office(
            session=session,
            kind="cpas",
            name="CPAS de Saint-Josse-ten-Noode",
            name_nl="OCMW Sint-Joost-ten-Node",
            address="Rue Verbist 88, 1210 Saint-Josse-ten-Noode",
            address_nl="Verbiststraat 88, 1210 Sint-Joost-ten-Node",
            signatory_title_nl="Maatschappelijk werkster",
            labour_court_address_nl="Nederlandstalige arbeidsrechtbank Brussel, "
            "Waterloolaan 70, 1000 Brussel",
            phone="02 220 29 11",
            email="amu@example.be",
            logo=logo(),
            signatory_name="Sophie Vandenberghe",
            signatory_title="Assistante sociale",
            labour_court_address="Tribunal du travail francophone de Bruxelles, "
            "boulevard de Waterloo 70, 1000 Bruxelles",
        )
        cpas = directory.list_cpas(session=session)
        own = [c for c in cpas if "Saint-Josse" in c.name_fr] or cpas
        holder = people.save_person(
            people.PersonData(
                family_name="Константинопольская-Благовещенская",
                given_names="Александра Владимировна",
                latin_name="KONSTANTINOPOLSKAYA-BLAGOVESHCHENSKAYA Aleksandra Vladimirovna",
                sex="F",
                birth_date="1985-07-30",
                niss="85073000259",  # a woman born on 30 July 1985 (serial 2, even)
                languages=["uk", "fr"],
            ),
            session=session,
        )
        holder.photo = portrait((150, 110, 90))
        minors = 0
        for family, given, sex, born in (
            ("Константинопольский", "Пётр", "M", f"{today.year - 9}-03-02"),
            ("Đặng-Ngô", "Minh Ễ", "M", f"{today.year - 5}"),
        ):
            minor = people.save_person(
                people.PersonData(
                    family_name=family,
                    given_names=given,
                    sex=sex,
                    birth_date=born,
                    guardian_id=holder.id,
                ),
                session=session,
            )
            minor.photo = portrait((110, 90, 70))
            minors += 1
        request = cases.register_request(
            cases.RequestData(
                person_id=holder.id,
                cpas_id=own[0].id,
                received_at=dt.datetime.combine(today - dt.timedelta(days=2), dt.time(9, 40)),
                channel="in_person",
                accompanied_by="Médecins du Monde",
                aamu_handed_in=True,
            ),
            session=session,
        )
        cases.record_decision(
            request.id or 0,
            cases.DecisionData(
                kind="guarantee",
                decided_on=today,
                valid_from=today - dt.timedelta(days=2),
                valid_to=today + dt.timedelta(days=88),
                mediprima_number="MP-2026-778899",
                ticket_moderateur=True,
            ),
            session=session,
        )
        return request.id or 0, minors


def letter_cases(store: Any) -> tuple[int, int]:
    """An association's cases for the letters: a request refused for reasons the law does
    not allow (the appeal), and one the CPAS has left without a decision (the formal
    notice); the person gave the mandate. Returns (refused, waiting) request ids."""
    from amudesk.services import cases, consents, directory, office, people

    today = dt.date.today()
    with store.transaction() as session:
        office.save_office(
            session=session,
            kind="association",
            name="Accueil Santé asbl",
            address="Rue Haute 1\n1000 Bruxelles",
            phone="02 512 00 00",
            logo=logo(),
            signatory_name="Claire Dubois",
            signatory_title="Assistante sociale",
            labour_court_address="Tribunal du travail francophone de Bruxelles\n"
            "Boulevard de Waterloo 70\n1000 Bruxelles",
        )
        cpas = directory.find_cpas("Saint-Gilles", session=session)
        directory.save_cpas(
            session=session,
            cpas_id=cpas.id,
            name_fr=cpas.name_fr,
            name_nl=cpas.name_nl,
            commune_fr=cpas.commune_fr,
            commune_nl=cpas.commune_nl,
            address="Rue Fernand Bernier 40\n1060 Saint-Gilles",
        )
        person = people.save_person(
            people.PersonData(
                family_name="Ștefănescu-Иванова", given_names="Zoë Олена", birth_date="1990-04"
            ),
            session=session,
        )
        person.commune = "Saint-Gilles"
        consents.record_consent(
            person.id or 0,
            consents.ConsentData(
                given_on=today - dt.timedelta(days=60), uses=["follow-up", "letters"]
            ),
            session=session,
        )
        ids = []
        for days in (55, 40):
            ids.append(
                cases.register_request(
                    cases.RequestData(
                        person_id=person.id,
                        cpas_id=cpas.id,
                        received_at=dt.datetime.combine(
                            today - dt.timedelta(days=days), dt.time(10)
                        ),
                    ),
                    session=session,
                ).id
                or 0
            )
        cases.record_decision(
            ids[0],
            cases.DecisionData(
                kind="refusal",
                decided_on=today - dt.timedelta(days=30),
                notified_on=today - dt.timedelta(days=27),
                notification_method="hand",
                reasons=[
                    ("no-address", "« pas de domicile fixe »"),
                    ("three-months-proof", ""),
                ],
            ),
            session=session,
        )
        return ids[0], ids[1]


def access_pdf(session: Any, request_id: int, language: str) -> bytes:
    """The art. 15 export of the showcase person, as the PDF ``privacy.export_person`` writes."""
    from amudesk.documents.access import render_access
    from amudesk.documents.layout import Letterhead
    from amudesk.models import Request
    from amudesk.services import privacy
    from amudesk.services.office import get_office

    request = session.get(Request, request_id)
    record = privacy.person_record(request.person_id, session=session)
    letterhead = Letterhead.from_office(get_office(session=session))
    return render_access(record, letterhead, language=language, reference=request.reference)


def to_png(pdf: bytes, path: Path, *, dpi: int, pages: int = 1) -> None:
    """The first ``pages`` pages of ``pdf`` side by side in one PNG."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="amudesk-png-") as folder:
        source = Path(folder) / "document.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                str(dpi),
                "-f",
                "1",
                "-l",
                str(pages),
                source,
                Path(folder) / "page",
            ],
            check=True,
        )
        images = [Image.open(page) for page in sorted(Path(folder).glob("page*.png"))]
        gap = 16 if len(images) > 1 else 0
        width = sum(image.width for image in images) + gap * (len(images) - 1)
        height = max(image.height for image in images)
        sheet = Image.new("RGB", (width, height), (200, 204, 210) if gap else (255, 255, 255))
        left = 0
        for image in images:
            sheet.paste(image, (left, 0))
            left += image.width + gap
        sheet.save(path, optimize=True)
    say(f"wrote {path}")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        say(__doc__ or "")
        return 2
    if shutil.which("pdftoppm") is None:
        say("pdftoppm is missing: install Debian's poppler-utils")
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    from amudesk.documents.processing import render_processing
    from amudesk.services import documents, privacy
    from amudesk.services import letters as letter_service
    from amudesk.services.desk import open_desk

    with tempfile.TemporaryDirectory(prefix="amudesk-documents-") as folder:
        store = open_desk(Path(folder) / "data", passphrase="documents: fictional people only")
        try:
            request_id, _minors = showcase(store)
            for language in LANGUAGES:
                with store.transaction() as session:
                    receipt = documents.issue_receipt(
                        request_id, session=session, language=language
                    )
                    aamu = documents.issue_aamu_form(request_id, session=session, language=language)
                    form = documents.issue_info_form(request_id, session=session, language=language)
                    minor = documents.issue_info_form(
                        request_id, session=session, language=language, dependant=1
                    )
                    card = documents.issue_card(request_id, session=session, language=language)
                    ids = [card.id or 0]
                    ids += [
                        documents.issue_card(
                            request_id, session=session, language=language, dependant=number
                        ).id
                        or 0
                        for number in (1, 2)
                    ]
                    single = documents.card_pdf([ids[0]], session=session, sheet=False)
                    sheet = documents.card_pdf(ids * 3 + ids[:1], session=session, sheet=True)
                    access = access_pdf(session, request_id, language)
                    processing = render_processing(
                        privacy.record_of_processing(session=session, language=language)
                    )
                to_png(receipt.pdf, out / f"document-receipt-{language}.png", dpi=A4_DPI)
                to_png(aamu.pdf, out / f"document-aamu-{language}.png", dpi=A4_DPI)
                to_png(form.pdf, out / f"document-info-form-{language}.png", dpi=A4_DPI)
                to_png(minor.pdf, out / f"document-info-form-minor-{language}.png", dpi=A4_DPI)
                to_png(single, out / f"document-card-{language}.png", dpi=CARD_DPI, pages=2)
                to_png(sheet, out / f"document-card-sheet-{language}.png", dpi=A4_DPI, pages=2)
                to_png(access, out / f"document-access-{language}.png", dpi=A4_DPI, pages=2)
                to_png(processing, out / f"document-processing-{language}.png", dpi=A4_DPI)
            refused, waiting = letter_cases(store)
            for language in LANGUAGES:
                with store.transaction() as session:
                    appeal = letter_service.issue_letter(
                        refused, "appeal", session=session, language=language
                    )
                    notice = letter_service.issue_letter(
                        waiting, "formal-notice", session=session, language=language
                    )
                to_png(appeal.pdf, out / f"document-letter-appeal-{language}.png", dpi=A4_DPI)
                to_png(
                    notice.pdf, out / f"document-letter-formal-notice-{language}.png", dpi=A4_DPI
                )
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
