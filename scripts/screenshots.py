"""Screenshots of the window and the forms, in French, Dutch and English.

    python scripts/screenshots.py OUTDIR

A temporary data folder is filled with fictional people (the demo, plus a few
names that test the fonts: Vietnamese, Cyrillic, long names with diacritics),
then every window is rendered offscreen at 1366×768 and saved as
``OUTDIR/<what>-<language>.png`` (``main-fr.png``, ``person-nl.png`` …).
Forms whose module does not exist yet are skipped with a message.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCREEN = (1366, 768)
LANGUAGES = ("fr", "nl", "en")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def fill(store: Any) -> dict[str, int]:
    """The demo (300 people) and the showcase cases; returns the ids the shots need."""
    try:
        from amudesk.services.demo import fill_demo
    except ImportError:
        say("demo not available: only the showcase people are added")
    else:
        fill_demo(store=store, count=300)
    ids = add_showcase(store)
    from amudesk.backups import make_backup

    make_backup(store)  # the backups window has one to list
    return ids


def add_showcase(store: Any) -> dict[str, int]:
    from amudesk.services import cases, directory, office, people

    today = dt.date.today()
    received = dt.datetime.combine(today - dt.timedelta(days=20), dt.time(9, 40))
    with store.transaction() as session:
        if office.get_office(session=session) is None:
            office.save_office(session=session, kind="association", name="Maison Médicale du Midi")
        cpas = directory.list_cpas(session=session)
        long_person = people.save_person(
            people.PersonData(
                family_name="Đặng-Ngô de la Fuente-Müller",
                given_names="Maria-Antónia Phương Thảo Łucja",
                sex="F",
                birth_date="1987-11",
                nationality="VN",
                languages=["vi", "fr", "pt"],
                phone="+32 470 12 34 56",
                no_fixed_abode=True,
                usual_place="Gare du Midi, hall sud, près des guichets",
            ),
            session=session,
        )
        people.save_person(
            people.PersonData(
                family_name="Đặng-Ngô",
                given_names="Minh Ễ",
                sex="M",
                birth_date=f"{today.year - 6}-04-02",
                guardian_id=long_person.id,
            ),
            session=session,
        )
        request = cases.register_request(
            cases.RequestData(
                person_id=long_person.id,
                cpas_id=cpas[min(6, len(cpas) - 1)].id,
                received_at=received,
                channel="service",
                accompanied_by="Médecins du Monde",
                care_started_on=today - dt.timedelta(days=22),
                care_kind="mediprima",
            ),
            session=session,
        )
        assert request.id is not None
        cases.record_aamu(
            request.id,
            cases.AamuData(
                issued_on=today - dt.timedelta(days=21),
                doctor_name="Dr Amélie Van den Broeck",
                valid_from=today - dt.timedelta(days=21),
                valid_to=today + dt.timedelta(days=340),
                care_categories=["ambulatory", "gp", "pharmacy"],
            ),
            session=session,
        )
        cases.record_decision(
            request.id,
            cases.DecisionData(
                kind="guarantee",
                decided_on=today - dt.timedelta(days=5),
                notified_on=today - dt.timedelta(days=3),
                valid_from=today - dt.timedelta(days=20),
                valid_to=today + dt.timedelta(days=70),
                mediprima_number="MP-2026-104233",
                ticket_moderateur=True,
            ),
            session=session,
        )
        long_person.photo = portrait()
        session.add(long_person)
        session.flush()
        from amudesk.services import documents

        receipt = documents.issue_receipt(request.id, session=session, language="fr")
        card = documents.issue_card(request.id, session=session, language="fr")
        documents.mark_cards_printed([card.id or 0], session=session)
        cyrillic = people.save_person(
            people.PersonData(
                family_name="Иванова",
                given_names="Ольга Сергеевна",
                latin_name="IVANOVA Olga Sergeevna",
                sex="F",
                birth_date="1979-02-14",
                nationality="UA",
                languages=["uk", "ru"],
                commune="Schaerbeek",
            ),
            session=session,
        )
        cyrillic_request = cases.register_request(
            cases.RequestData(
                person_id=cyrillic.id,
                cpas_id=cpas[0].id,
                received_at=received + dt.timedelta(days=2),
            ),
            session=session,
        )
        nguyen = people.save_person(
            people.PersonData(family_name="Nguyễn", given_names="Văn An", birth_date="1990"),
            session=session,
        )
        cases.register_request(
            cases.RequestData(person_id=nguyen.id, cpas_id=cpas[1].id, received_at=received),
            session=session,
        )
        # An association's request not filed yet: no date, no clock, urgent.
        preparing = cases.register_request(
            cases.RequestData(
                person_id=nguyen.id, preparing=True, urgent=True, urgent_reason="pregnancy"
            ),
            session=session,
        )
    return {
        "preparing_request": preparing.id or 0,
        "request": request.id,
        "cyrillic_person": cyrillic.id or 0,
        "cyrillic_request": cyrillic_request.id or 0,
        "receipt": receipt.id or 0,
    }


def portrait() -> bytes:
    """A plain stand-in for an ID photo (35:45)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (350, 450), (226, 232, 238))
    draw = ImageDraw.Draw(image)
    draw.ellipse((105, 70, 245, 240), fill=(150, 110, 90))
    draw.ellipse((40, 250, 310, 520), fill=(150, 110, 90))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88)
    return buffer.getvalue()


def first_deadline(store: Any, request_id: int) -> Any:
    from amudesk import i18n
    from amudesk.services import clock

    with store.session() as session:
        found = clock.deadlines(
            session=session, request_ids=[request_id], language=i18n.get_locale()
        )
    return found[0]


def archived(store: Any, document_id: int) -> bytes:
    from amudesk.services import documents

    with store.session() as session:
        return documents.archived_pdf(document_id, session=session)


def settle(app: Any) -> None:
    for _round in range(3):
        app.processEvents()


def save(widget: Any, path: Path) -> None:
    if widget.grab().save(str(path)):
        say(f"wrote {path}")
    else:
        say(f"could not write {path}")


def dialog_makers(store: Any, data_dir: Path, ids: dict[str, int]) -> dict[str, Callable[..., Any]]:
    """Screenshot name → how to build that form from its class."""
    return {
        "person": lambda cls: cls(store, person_id=ids["cyrillic_person"]),
        "request": lambda cls: cls(store, request_id=ids["cyrillic_request"]),
        "preparing": lambda cls: cls(store, request_id=ids["preparing_request"]),
        "file": lambda cls: cls(store, request_id=ids["preparing_request"], file_now=True),
        "aamu": lambda cls: cls(store, request_id=ids["request"]),
        "decision": lambda cls: cls(store, request_id=ids["request"]),
        "directory": lambda cls: cls(store),
        "office": lambda cls: cls(store),
        "settings": lambda cls: cls(data_dir),
        "import": lambda cls: cls(store),
        "passphrase": lambda cls: cls(mode="new"),
        "unlock": lambda cls: cls(lambda passphrase: None, reference=str(data_dir)),
        "backups": lambda cls: cls(store),
        "restore": lambda cls: cls(data_dir),
        "rekey": lambda cls: cls(),
        "audit": lambda cls: cls(store),
        "preview": lambda cls: cls(
            archived(store, ids["receipt"]), title="AR", suggested_name="AR.pdf"
        ),
        "cards": lambda cls: cls(store, [ids["request"], ids["cyrillic_request"]]),
        "crop": lambda cls: cls(portrait()),
        "camera": lambda cls: cls(),
        "privacy": lambda cls: cls(store),
        "transfer": lambda cls: cls(store, request_id=ids["cyrillic_request"]),
        "snooze": lambda cls: cls(store, first_deadline(store, ids["cyrillic_request"]), "snoozed"),
        "close": lambda cls: cls(store, request_id=ids["cyrillic_request"]),
        "idle": lambda cls: cls(store),
        "appeal": lambda cls: cls(store, request_id=ids["cyrillic_request"]),
        "consent": lambda cls: cls(store, person_id=ids["cyrillic_person"]),
        "signin": lambda cls: cls(store, server="db.cpas-saint-josse.brussels:5432/amudesk"),
        "first-administrator": lambda cls: cls(store, first=True),
        "data-location": lambda cls: located(cls(data_dir)),
        "conflict": lambda cls: in_conflict(cls(store, person_id=ids["cyrillic_person"])),
    }


def located(dialog: Any) -> Any:
    """The data location dialog filled in for an office's server."""
    dialog.server.setChecked(True)
    dialog.host.setText("db.cpas-saint-josse.brussels")
    dialog.login.setText("desk")
    dialog.ca_file.setText("/etc/amudesk/office-ca.pem")
    return dialog


def in_conflict(dialog: Any) -> Any:
    """The person form after another worker saved first (as its save would show it)."""
    import datetime as dt

    from amudesk.services.editing import EditConflict

    dialog.error_label.show_message(str(EditConflict("Bram Peeters", dt.datetime.now(dt.UTC))))
    dialog.reload_button.show()
    return dialog


DIALOG_CLASSES = {
    "person": ("amudesk.ui.persondialog", "PersonDialog"),
    "request": ("amudesk.ui.requestdialog", "RequestDialog"),
    "preparing": ("amudesk.ui.requestdialog", "RequestDialog"),
    "file": ("amudesk.ui.requestdialog", "RequestDialog"),
    "aamu": ("amudesk.ui.aamudialog", "AamuDialog"),
    "decision": ("amudesk.ui.decisiondialog", "DecisionDialog"),
    "directory": ("amudesk.ui.directorydialog", "DirectoryDialog"),
    "office": ("amudesk.ui.officedialog", "OfficeDialog"),
    "settings": ("amudesk.ui.settingsdialog", "SettingsDialog"),
    "import": ("amudesk.ui.importdialog", "ImportDialog"),
    "passphrase": ("amudesk.ui.unlockdialog", "PassphraseDialog"),
    "unlock": ("amudesk.ui.unlockdialog", "UnlockDialog"),
    "backups": ("amudesk.ui.safekeeping", "BackupDialog"),
    "restore": ("amudesk.ui.safekeeping", "RestoreDialog"),
    "rekey": ("amudesk.ui.safekeeping", "ChangePassphraseDialog"),
    "audit": ("amudesk.ui.auditdialog", "AuditDialog"),
    "preview": ("amudesk.ui.documentview", "DocumentPreviewDialog"),
    "cards": ("amudesk.ui.cardbatch", "CardBatchDialog"),
    "crop": ("amudesk.ui.photocapture", "PhotoCropDialog"),
    "camera": ("amudesk.ui.photocapture", "CameraDialog"),
    "privacy": ("amudesk.ui.privacydialog", "PrivacyDialog"),
    "transfer": ("amudesk.ui.eventdialog", "TransferDialog"),
    "snooze": ("amudesk.ui.markdialog", "MarkDialog"),
    "close": ("amudesk.ui.closedialog", "CloseCaseDialog"),
    "idle": ("amudesk.ui.closedialog", "IdleCasesDialog"),
    "appeal": ("amudesk.ui.appealdialog", "AppealDialog"),
    "consent": ("amudesk.ui.consentdialog", "ConsentDialog"),
    "signin": ("amudesk.ui.signindialog", "SignInDialog"),
    "first-administrator": ("amudesk.ui.signindialog", "SignInDialog"),
    "data-location": ("amudesk.ui.datalocation", "DataLocationDialog"),
    "conflict": ("amudesk.ui.persondialog", "PersonDialog"),
}


def shoot_clocks(app: Any, window: Any, path: Path, heading: str = "Time limits") -> None:
    """The case panel scrolled to a section (the running clocks) of the case shown."""
    from PySide6.QtWidgets import QLabel

    from amudesk.i18n import _

    panel = window.panel
    heading = _(heading)
    for label in panel.widget().findChildren(QLabel, "sectionTitle"):
        if label.accessibleName() == heading:
            bar = panel.verticalScrollBar()
            bar.setValue(label.mapTo(panel.widget(), label.rect().topLeft()).y() - 8)
            break
    settle(app)
    save(panel, path)
    panel.verticalScrollBar().setValue(0)


def shoot_board(app: Any, window: Any, path: Path) -> None:
    """The deadlines board once every request is counted, with a time limit selected."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    window.open_deadlines()
    board = window.board
    board.completed.connect(loop.quit)
    QTimer.singleShot(60_000, loop.quit)  # never hang the script on a board that fails
    loop.exec()
    board.completed.disconnect(loop.quit)
    board.resize(*SCREEN)
    settle(app)
    save(board, path)
    board.close()


def shoot_statistics(app: Any, store: Any, language: str, out: Path) -> None:
    """The statistics window once its figures are counted: the table and the box plots."""
    from amudesk.ui.statsdialog import StatisticsDialog

    dialog = StatisticsDialog(store)
    dialog.resize(*SCREEN)
    dialog.show()
    dialog.wait_for_task(60_000)
    settle(app)
    save(dialog, out / f"statistics-{language}.png")
    dialog.tabs.setCurrentIndex(1)
    settle(app)
    save(dialog, out / f"statistics-chart-{language}.png")
    dialog.done(0)
    dialog.deleteLater()
    settle(app)


def shoot_language(
    app: Any, store: Any, data_dir: Path, ids: dict[str, int], language: str, out: Path
) -> None:
    from amudesk.ui.mainwindow import MainWindow

    window = MainWindow(store, data_dir)
    window.resize(*SCREEN)
    window.show()
    window.select_request(ids["request"])
    window.panel.wait_for_clocks()  # the first case's clocks wait for the holiday calendar
    settle(app)
    save(window, out / f"main-{language}.png")
    shoot_clocks(app, window, out / f"clocks-{language}.png")
    shoot_clocks(app, window, out / f"documents-{language}.png", "Documents handed out")
    window.search.setText("nguyen")
    window.apply_filter()
    settle(app)
    save(window, out / f"search-{language}.png")
    window.search.clear()
    window.apply_filter()
    shoot_board(app, window, out / f"deadlines-{language}.png")
    makers = dialog_makers(store, data_dir, ids)
    for name, (module_name, class_name) in DIALOG_CLASSES.items():
        try:
            cls = getattr(importlib.import_module(module_name), class_name)
        except (ImportError, AttributeError):
            say(f"skipped {name}: {module_name}.{class_name} does not exist yet")
            continue
        try:
            dialog = makers[name](cls)
        except Exception as exc:  # a form being written may not open yet: say so, go on
            say(f"skipped {name}: {exc.__class__.__name__}: {exc}")
            continue
        dialog.show()
        settle(app)
        if hasattr(dialog, "wait_for_task"):  # what it looks for in the background, found
            dialog.wait_for_task()
            settle(app)
        if name == "preview":  # QtPdf draws its pages in the background: let it finish
            from PySide6.QtTest import QTest

            QTest.qWait(1500)
        save(dialog, out / f"{name}-{language}.png")
        dialog.close()
        dialog.deleteLater()
    shoot_statistics(app, store, language, out)
    window.close()
    window.deleteLater()
    settle(app)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        say(__doc__ or "")
        return 2
    out = Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    from PySide6.QtWidgets import QApplication

    from amudesk import i18n
    from amudesk.services.desk import open_desk
    from amudesk.ui.app import application, apply_style, install_qt_translator

    app: QApplication = application()
    apply_style(app)
    with tempfile.TemporaryDirectory(prefix="amudesk-shots-") as folder:
        data_dir = Path(folder) / "data"
        store = open_desk(data_dir, passphrase="screenshots: fictional people only")
        try:
            ids = fill(store)
            translator = None
            for language in LANGUAGES:
                i18n.set_locale(language)
                translator = install_qt_translator(app, language, translator)
                shoot_language(app, store, data_dir, ids, language, out)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
