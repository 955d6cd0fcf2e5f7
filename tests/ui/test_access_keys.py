"""Access keys (Alt+letter) are unique in every window, in French, Dutch and English.

The test walks the main window (its widgets, the case panel of a case with a refusal, a
dependant, an attestation and a consent, the titles of its menubar) and every dialog its
menus and buttons open, built in each language as the app builds them (the window is rebuilt
when the language changes, with Qt's own strings translated too). Within one window, every
label with a buddy, button, group box and tab shares one set of keys; the items of a menu
share another, one per menu. The test lists every clash of a language at once.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QMenu,
    QTabBar,
    QTabWidget,
    QWidget,
)

from amudesk import i18n, letters
from amudesk.services import cases, consents, people
from amudesk.services import letters as letter_service
from amudesk.services.consents import ConsentData
from amudesk.ui.app import install_qt_translator

LANGUAGES = ("fr", "nl", "en")


# --- collecting the keys --------------------------------------------------------------


def access_key(text: str) -> str | None:
    """The Alt+letter of ``text`` ('&Save' → 's'), None when it has none."""
    match = re.search(r"&([^&\s])", text.replace("&&", ""))
    return match.group(1).lower() if match else None


def _visible_in(widget: QWidget, window: QWidget) -> bool:
    return widget.window() is window and widget.isVisibleTo(window)


def window_keys(window: QWidget) -> list[tuple[str, str]]:
    """(key, text) of every access key active in ``window`` (menus apart)."""
    found: list[tuple[str, str]] = []

    def add(text: str) -> None:
        key = access_key(text)
        if key is not None:
            found.append((key, text))

    for label in window.findChildren(QLabel):
        if label.buddy() is not None and _visible_in(label, window):
            add(label.text())
    for button in window.findChildren(QAbstractButton):
        if _visible_in(button, window):
            add(button.text())
    for box in window.findChildren(QGroupBox):
        if _visible_in(box, window):
            add(box.title())
    for bar in window.findChildren(QTabBar):
        if _visible_in(bar, window):
            for index in range(bar.count()):
                add(bar.tabText(index))
    menubar = getattr(window, "menuBar", None)
    if callable(menubar) and window.findChildren(QMenu):
        for action in menubar().actions():
            if action.isVisible():
                add(action.text())
    return found


def menu_keys(window: QWidget) -> dict[str, list[tuple[str, str]]]:
    """Per menu of ``window`` (by its title): (key, text) of its items."""
    menus: dict[str, list[tuple[str, str]]] = {}
    for menu in window.findChildren(QMenu):
        if menu.objectName().startswith("qt_"):  # the menubar's overflow: not a menu of ours
            continue
        items = []
        for action in menu.actions():
            key = access_key(action.text()) if action.isVisible() else None
            if key is not None:
                items.append((key, action.text()))
        menus[menu.title()] = items
    return menus


def clashes_in(name: str, keys: list[tuple[str, str]]) -> list[str]:
    """'Name: Alt+P — &Person, &Print' for each key used more than once."""
    by_key: dict[str, list[str]] = defaultdict(list)
    for key, text in keys:
        by_key[key].append(text)
    return [
        f"{name}: Alt+{key.upper()} — {', '.join(texts)}"
        for key, texts in sorted(by_key.items())
        if len(texts) > 1
    ]


def clashes_of(name: str, window: QWidget) -> list[str]:
    """The clashes of ``window`` with each page of its tabs shown in turn, and of its menus."""
    found = clashes_in(name, window_keys(window))
    for tabs in window.findChildren(QTabWidget):
        if not _visible_in(tabs, window):
            continue
        current = tabs.currentIndex()
        for index in range(tabs.count()):
            tabs.setCurrentIndex(index)
            settle = getattr(window, "wait_for_task", None)  # a page may list in the background
            if callable(settle):
                settle()
            found += [c for c in clashes_in(name, window_keys(window)) if c not in found]
        tabs.setCurrentIndex(current)
    for title, items in menu_keys(window).items():
        found += clashes_in(f"{name} › menu {title.replace('&', '')}", items)
    return found


# --- the case and the windows ------------------------------------------------------------


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (700, 900), (180, 160, 140)).save(out, "JPEG")
    return out.getvalue()


def tiny_pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "AMU-2026-0001")
    page.save()
    return out.getvalue()


@pytest.fixture
def case(store: Any, add_case: Callable[..., tuple[int, str]]) -> dict[str, int]:
    """A refused request (the appeal clock runs) with a dependant, an attestation and a
    consent: the case panel shows all its buttons."""
    request_id, _reference = add_case("Kowalska", "Zofia")
    with store.transaction() as session:
        detail = cases.get_case(request_id, session=session)
        person_id = detail.person.id or 0
        cases.record_decision(
            request_id,
            cases.DecisionData(
                kind="refusal", decided_on=dt.date(2026, 1, 20), notified_on=dt.date(2026, 1, 21)
            ),
            session=session,
        )
        people.save_person(
            people.PersonData(
                family_name="Kowalska",
                given_names="Ola",
                birth_date="2019-03-04",
                guardian_id=person_id,
            ),
            session=session,
        )
        cases.record_aamu(
            request_id,
            cases.AamuData(issued_on=dt.date(2026, 1, 4), doctor_name="Dr Martin"),
            session=session,
        )
        consent = consents.record_consent(
            person_id,
            ConsentData(given_on=dt.date(2026, 1, 5), uses=["letters", "follow-up"]),
            session=session,
        )
    return {"request": request_id, "person": person_id, "consent": consent.id or 0}


def dialog_factories(
    store: Any, data_dir: Path, case: dict[str, int]
) -> Iterator[tuple[str, Callable[[], QWidget]]]:
    """Every dialog the main window's menus and the case panel's buttons open (the forms are
    imported here, as the window imports them: when first used)."""
    from amudesk.ui.aamudialog import AamuDialog
    from amudesk.ui.appealdialog import AppealDialog
    from amudesk.ui.auditdialog import AuditDialog
    from amudesk.ui.cardbatch import CardBatchDialog
    from amudesk.ui.closedialog import CloseCaseDialog, IdleCasesDialog, ReopenDialog
    from amudesk.ui.consentdialog import ConsentDialog, WithdrawConsentDialog
    from amudesk.ui.datalocation import DataLocationDialog
    from amudesk.ui.deadlineboard import DeadlineBoard
    from amudesk.ui.decisiondialog import DecisionDialog
    from amudesk.ui.directorydialog import DirectoryDialog
    from amudesk.ui.documentview import DocumentPreviewDialog
    from amudesk.ui.eventdialog import TransferDialog
    from amudesk.ui.importdialog import ImportDialog
    from amudesk.ui.letterdialog import LetterDialog
    from amudesk.ui.officedialog import OfficeDialog
    from amudesk.ui.persondialog import AttachDependantDialog, PersonDialog
    from amudesk.ui.photocapture import PhotoCropDialog
    from amudesk.ui.privacydialog import PrivacyDialog
    from amudesk.ui.requestdialog import RequestDialog
    from amudesk.ui.safekeeping import BackupDialog, ChangePassphraseDialog, RestoreDialog
    from amudesk.ui.settingsdialog import SettingsDialog
    from amudesk.ui.signindialog import SignInDialog
    from amudesk.ui.statsdialog import StatisticsDialog
    from amudesk.ui.unlockdialog import PassphraseDialog, UnlockDialog

    request_id, person_id = case["request"], case["person"]

    def letter() -> QWidget:
        from tests.documents.test_letters import make_case  # a case a reminder can go for

        late = make_case(store)
        with store.session() as session:
            draft = letter_service.draft_letter(
                late, letters.REMINDER, session=session, language="fr"
            )
        return LetterDialog(
            store, request_id=late, kind=letters.REMINDER, language="fr", draft=draft
        )

    yield "PersonDialog (new)", lambda: PersonDialog(store)
    yield "PersonDialog (edit)", lambda: PersonDialog(store, person_id=person_id)
    yield "PersonDialog (dependant)", lambda: PersonDialog(store, guardian_id=person_id)
    yield "AttachDependantDialog", lambda: AttachDependantDialog(store, adult_id=person_id)
    yield "RequestDialog (new)", lambda: RequestDialog(store)
    yield "RequestDialog (person)", lambda: RequestDialog(store, person_id=person_id)
    yield "RequestDialog (edit)", lambda: RequestDialog(store, request_id=request_id)
    yield "AamuDialog", lambda: AamuDialog(store, request_id=request_id)
    yield "DecisionDialog", lambda: DecisionDialog(store, request_id=request_id)
    yield "TransferDialog", lambda: TransferDialog(store, request_id=request_id)
    yield "AppealDialog", lambda: AppealDialog(store, request_id=request_id)
    yield "CloseCaseDialog", lambda: CloseCaseDialog(store, request_id=request_id)
    yield "ReopenDialog", lambda: ReopenDialog(store, request_id=request_id)
    yield "IdleCasesDialog", lambda: IdleCasesDialog(store)
    yield "ConsentDialog", lambda: ConsentDialog(store, person_id=person_id)
    yield (
        "WithdrawConsentDialog",
        lambda: WithdrawConsentDialog(store, person_id=person_id, consent_id=case["consent"]),
    )
    yield "LetterDialog", letter
    yield (
        "DocumentPreviewDialog",
        lambda: DocumentPreviewDialog(tiny_pdf(), title="AMU-1", suggested_name="AMU-1.pdf"),
    )
    yield "PhotoCropDialog", lambda: PhotoCropDialog(jpeg())
    yield "CardBatchDialog", lambda: CardBatchDialog(store, [request_id])
    yield "ImportDialog", lambda: ImportDialog(store)
    yield "DirectoryDialog", lambda: DirectoryDialog(store)
    yield "OfficeDialog", lambda: OfficeDialog(store)
    yield "SettingsDialog", lambda: SettingsDialog(data_dir)
    yield "PrivacyDialog", lambda: PrivacyDialog(store)
    yield "AuditDialog", lambda: AuditDialog(store)
    yield "StatisticsDialog", lambda: StatisticsDialog(store)
    yield "BackupDialog", lambda: BackupDialog(store)
    yield "RestoreDialog", lambda: RestoreDialog(data_dir)
    yield "ChangePassphraseDialog", lambda: ChangePassphraseDialog()
    yield "PassphraseDialog", lambda: PassphraseDialog("new")
    yield "UnlockDialog", lambda: UnlockDialog(lambda _passphrase: None, reference="data")
    yield "SignInDialog", lambda: SignInDialog(store, server="office:5432")
    yield "SignInDialog (first)", lambda: SignInDialog(store, first=True)
    yield "DataLocationDialog", lambda: DataLocationDialog(data_dir)
    yield "DeadlineBoard", lambda: DeadlineBoard(store, data_dir)


@pytest.fixture
def translated() -> Iterator[Callable[[str], None]]:
    """Switch the interface language as the app does: catalogs and Qt's own strings."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    current: list[Any] = [None]

    def switch(language: str) -> None:
        i18n.set_locale(language)
        current[0] = install_qt_translator(app, language, current[0])

    yield switch
    if current[0] is not None:
        app.removeTranslator(current[0])


def all_clashes(
    qtbot: Any, store: Any, data_dir: Path, case: dict[str, int], language: str
) -> list[str]:
    from amudesk.ui.mainwindow import MainWindow

    found: list[str] = []
    window = MainWindow(store, data_dir)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    window.select_request(case["request"])
    assert window.panel.request_id() == case["request"]
    found += clashes_of("MainWindow", window)
    for name, make in dialog_factories(store, data_dir, case):
        dialog = make()
        qtbot.addWidget(dialog)
        dialog.show()
        found += clashes_of(name, dialog)
        if isinstance(dialog, QDialog):
            dialog.done(QDialog.DialogCode.Rejected)
        else:
            dialog.close()
        # What the dialogs left for the garbage collector goes now, on this thread: a
        # collection run by a worker thread (a page listing in the background) would
        # destroy Qt objects there.
        gc.collect()
    window.close()
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_access_key_is_used_twice_in_a_window(
    qtbot: Any,
    store: Any,
    data_dir: Path,
    office: Any,
    case: dict[str, int],
    translated: Callable[[str], None],
    language: str,
) -> None:
    translated(language)
    found = all_clashes(qtbot, store, data_dir, case, language)
    assert found == [], f"{language}:\n" + "\n".join(found)


def test_the_collector_sees_a_clash(qtbot: Any) -> None:
    from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout

    dialog = QDialog()
    qtbot.addWidget(dialog)
    layout = QVBoxLayout(dialog)
    label = QLabel("&Name")
    edit = QLineEdit()
    label.setBuddy(edit)
    for widget in (label, edit, QPushButton("&New"), QPushButton("&Print"), QPushButton("A&&B")):
        layout.addWidget(widget)
    assert clashes_of("D", dialog) == ["D: Alt+N — &Name, &New"]
