"""The preview of a PDF held in memory: its pages, zoom, printing, saving, and nothing
written to disk but the copy the user asks for."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import QSizeF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPageLayout, QPageSize
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QMessageBox, QProgressDialog
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from amudesk import i18n, outputs
from amudesk.ui.documentview import (
    DocumentPreviewDialog,
    PrintError,
    configure_printer,
    open_pdf,
    print_document,
    print_pdf,
)
from amudesk.ui.kit.pdffiles import ensure_pdf_support
from tests.ui.test_admin_dialogs import assert_accessible, assert_fits_screen, tab_chain

CARD = (85.60 * mm, 53.98 * mm)
TITLE = "Receipt AMU-2026-0001"
NAME = "AMU-2026-0001"
TEST_DPI = 150  # the tests' printers: enough to see the pages, quick to render


def make_pdf(size: tuple[float, float], pages: int) -> bytes:
    """``pages`` pages of ``size`` points; page n has a black square n×20 % down its
    left edge, so that a printed page tells which page it was."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer, pagesize=size)
    width, height = size
    side = min(width, height) * 0.12
    for number in range(1, pages + 1):
        sheet.setFont("Helvetica", max(6, side / 4))
        sheet.drawString(side, height - side, f"Page {number} — AMU Desk preview test")
        top = height * (1 - 0.2 * number)
        sheet.rect(width * 0.05, top - side, side, side, stroke=0, fill=1)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def a4_pdf() -> bytes:
    return make_pdf(A4, 2)


@pytest.fixture(scope="module")
def three_pages() -> bytes:
    return make_pdf(A4, 3)


@pytest.fixture(scope="module")
def card_pdf() -> bytes:
    return make_pdf(CARD, 1)


@pytest.fixture
def pdf_printer(tmp_path: Path) -> Callable[..., QPrinter]:
    """Printers writing PDF files into tmp_path/printed (only the tests print to files)."""
    folder = tmp_path / "printed"
    folder.mkdir()
    made: list[QPrinter] = []

    def make(name: str = "out.pdf", resolution: int | None = TEST_DPI) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(folder / name))
        if resolution is not None:
            printer.setResolution(resolution)
        made.append(printer)
        return printer

    return make


@pytest.fixture
def preview(qtbot: Any, a4_pdf: bytes) -> Callable[..., DocumentPreviewDialog]:
    def make(pdf: bytes = a4_pdf, **kwargs: Any) -> DocumentPreviewDialog:
        dialog = DocumentPreviewDialog(pdf, title=TITLE, suggested_name=NAME, **kwargs)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        dialog.activateWindow()  # shortcuts work in the active window
        qtbot.waitUntil(dialog.isActiveWindow)
        return dialog

    return make


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []

    def warning(_parent: Any, title: str, text: str, *_args: Any) -> QMessageBox.StandardButton:
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


def page_sizes(path: Path) -> list[tuple[float, float]]:
    reader = pypdf.PdfReader(path)
    return [(float(page.mediabox.width), float(page.mediabox.height)) for page in reader.pages]


def marks(path: Path) -> list[int]:
    """Which test page each printed page is (the position of its black square)."""
    found = []
    document = open_pdf(path.read_bytes())
    try:
        for page in range(document.pageCount()):
            size = document.pagePointSize(page)
            image = document.render(page, (size * 0.5).toSize())
            number = 0
            for candidate in range(1, 5):
                y = round(image.height() * (0.2 * candidate + 0.04))
                x = round(image.width() * 0.05 + min(image.width(), image.height()) * 0.06)
                if 0 <= y < image.height() and QColor(image.pixel(x, y)).lightness() < 60:
                    number = candidate
            found.append(number)
    finally:
        document.deleteLater()
    return found


def listing(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


# --- showing ----------------------------------------------------------------------------


def test_preview_opens_the_pdf_from_memory(
    preview: Callable[..., DocumentPreviewDialog],
) -> None:
    dialog = preview()
    from PySide6.QtPdf import QPdfDocument

    assert dialog.windowTitle() == TITLE
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.page_count == dialog.document.pageCount() == 2
    assert dialog.view.document() is dialog.document
    assert dialog.view.pageMode() == QPdfView.PageMode.MultiPage
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert dialog.page_label.text() == "Page 1 of 2"
    assert dialog.page_label.accessibleName() == "Page 1 of 2"
    assert {b.text() for b in dialog.buttons.buttons()} == {"&Print…", "&Save PDF…", "Close"}
    assert dialog.print_button.isDefault()
    assert dialog.focusWidget() is dialog.view
    assert not dialog.error_label.isVisible()


def test_pages_are_drawn_offscreen(
    qtbot: Any, preview: Callable[..., DocumentPreviewDialog]
) -> None:
    dialog = preview()

    def black_square_shown() -> bool:
        image = dialog.view.viewport().grab().toImage()
        return any(
            QColor(image.pixel(x, y)).lightness() < 30
            for y in range(0, image.height(), 4)
            for x in range(0, image.width() // 3, 4)
        )

    qtbot.waitUntil(black_square_shown, timeout=10_000)


def test_page_indicator_follows_the_pages(
    qtbot: Any, preview: Callable[..., DocumentPreviewDialog]
) -> None:
    dialog = preview()
    assert not dialog.previous_button.isEnabled() and dialog.next_button.isEnabled()
    dialog.next_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(dialog.next_button, Qt.Key.Key_Space)
    assert dialog.current_page() == 1
    assert dialog.page_label.text() == "Page 2 of 2"
    assert dialog.previous_button.isEnabled() and not dialog.next_button.isEnabled()
    # Scrolling back to the top with the keyboard shows page 1 again.
    dialog.view.setFocus(Qt.FocusReason.OtherFocusReason)
    bar = dialog.view.verticalScrollBar()
    for _ in range(40):
        if bar.value() == 0:
            break
        qtbot.keyClick(dialog.view, Qt.Key.Key_PageUp)
    assert bar.value() == 0
    qtbot.waitUntil(lambda: dialog.page_label.text() == "Page 1 of 2")


def test_page_indicator_speaks_french(preview: Callable[..., DocumentPreviewDialog]) -> None:
    i18n.set_locale("fr")
    dialog = preview()
    assert dialog.page_label.text() == "Page 1 sur 2"
    assert dialog.close_button.text() == "Fermer"


def test_zoom_with_buttons_and_keys(
    qtbot: Any, preview: Callable[..., DocumentPreviewDialog]
) -> None:
    dialog = preview()
    fitted = dialog.zoom()
    assert 0.5 < fitted < 2
    assert not dialog.fit_button.isEnabled()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.Custom
    assert dialog.zoom() == pytest.approx(fitted * 1.25)
    assert dialog.fit_button.isEnabled()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(dialog.view, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert dialog.zoom() == pytest.approx(fitted / 1.25)
    qtbot.keyClick(dialog.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    assert dialog.zoom() == pytest.approx(fitted)
    dialog.zoom_in_button.click()
    assert dialog.zoom() == pytest.approx(fitted * 1.25)
    dialog.fit_button.click()
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitToWidth
    dialog.set_zoom(100)
    assert dialog.zoom() == 4.0 and not dialog.zoom_in_button.isEnabled()
    dialog.set_zoom(0.01)
    assert dialog.zoom() == 0.25 and not dialog.zoom_out_button.isEnabled()


def test_keyboard_and_screen(qtbot: Any, preview: Callable[..., DocumentPreviewDialog]) -> None:
    dialog = preview()
    assert_accessible(dialog)
    assert_fits_screen(dialog)
    assert (dialog.width(), dialog.height()) <= (900, 700)
    assert dialog.minimumWidth() <= 900
    chain = tab_chain(qtbot, dialog, dialog.view, 6)
    assert chain == [  # "Previous page" and "Fit to width" are off on page 1, fitted
        dialog.view,
        dialog.next_button,
        dialog.zoom_out_button,
        dialog.zoom_in_button,
        dialog.print_button,
        dialog.save_button,
        dialog.close_button,
    ]
    qtbot.keyClick(dialog.close_button, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_card_is_shown_and_fits(
    preview: Callable[..., DocumentPreviewDialog], card_pdf: bytes
) -> None:
    dialog = preview(card_pdf)
    assert dialog.page_count == 1
    assert dialog.page_label.text() == "Page 1 of 1"
    assert not dialog.next_button.isEnabled() and not dialog.previous_button.isEnabled()
    assert_fits_screen(dialog)


def test_unreadable_pdf_is_said_and_can_still_be_saved(
    preview: Callable[..., DocumentPreviewDialog], tmp_path: Path
) -> None:
    broken = b"%PDF-1.4 this is not really a PDF"
    saved: list[str] = []
    dialog = preview(broken, choose_path=lambda _name: tmp_path / "broken")
    dialog.saved.connect(saved.append)
    assert dialog.error_label.isVisible()
    assert "not a readable PDF file" in dialog.error_label.text()
    assert not dialog.view.isVisible() and not dialog.print_button.isEnabled()
    assert not dialog.zoom_in_button.isVisible()
    assert dialog.page_label.text() == ""
    assert dialog.save_button.isDefault()
    assert_accessible(dialog)
    assert dialog.print_document() == 0
    assert dialog.save_pdf() == tmp_path / "broken.pdf"
    assert (tmp_path / "broken.pdf").read_bytes() == broken
    assert saved == [str(tmp_path / "broken.pdf")]
    with pytest.raises(PrintError, match="not a readable PDF"):
        print_pdf(broken, QPrinter())


def test_qtpdf_is_imported_only_when_needed() -> None:
    code = (
        "import sys, amudesk.ui.documentview; print(sorted(m for m in sys.modules if 'QtP' in m))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_ensure_pdf_support(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ensure_pdf_support() is None
    monkeypatch.setitem(sys.modules, "PySide6.QtPdf", None)
    message = ensure_pdf_support()
    assert message is not None and "save the document as a PDF" in message


# --- saving -----------------------------------------------------------------------------


def test_save_writes_exactly_the_bytes_and_adds_pdf(
    qtbot: Any, preview: Callable[..., DocumentPreviewDialog], tmp_path: Path, a4_pdf: bytes
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    asked: list[str] = []

    def choose(name: str) -> Path:
        asked.append(name)
        return folder / "receipt"

    dialog = preview(choose_path=choose)
    with qtbot.waitSignal(dialog.saved) as signal:
        qtbot.keyClick(dialog.view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert asked == ["AMU-2026-0001.pdf"]
    assert signal.args == [str(folder / "receipt.pdf")]
    assert (folder / "receipt.pdf").read_bytes() == a4_pdf
    assert listing(folder) == {"receipt.pdf"}  # no partial file left behind
    # A name that already ends in .pdf (any case) is kept.
    dialog._choose_path = lambda _name: str(folder / "Copy.PDF")
    assert dialog.save_pdf() == folder / "Copy.PDF"
    assert listing(folder) == {"receipt.pdf", "Copy.PDF"}


def test_closing_the_chooser_saves_nothing(
    preview: Callable[..., DocumentPreviewDialog], tmp_path: Path
) -> None:
    saved: list[str] = []
    dialog = preview(choose_path=lambda _name: None)
    dialog.saved.connect(saved.append)
    assert dialog.save_pdf() is None
    dialog.save_button.click()
    assert saved == []


def test_default_chooser_proposes_the_name_in_a_pdf_file_dialog(
    preview: Callable[..., DocumentPreviewDialog], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QFileDialog

    seen: dict[str, Any] = {}

    def fake_exec(chooser: QFileDialog) -> int:
        seen["filters"] = chooser.nameFilters()
        seen["suffix"] = chooser.defaultSuffix()
        seen["mode"] = chooser.acceptMode()
        seen["title"] = chooser.windowTitle()
        seen["files"] = chooser.selectedFiles()
        return QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(QFileDialog, "exec", fake_exec)
    dialog = preview()
    assert dialog.save_pdf() is None
    assert seen["filters"] == ["PDF documents (*.pdf)"]
    assert seen["suffix"] == "pdf"
    assert seen["mode"] == QFileDialog.AcceptMode.AcceptSave
    assert seen["title"] == "Save the PDF"
    assert [Path(name).name for name in seen["files"]] == ["AMU-2026-0001.pdf"]


@pytest.mark.parametrize("case", ["read-only folder", "missing folder"])
def test_save_to_an_unwritable_folder_warns_and_writes_nothing(
    preview: Callable[..., DocumentPreviewDialog],
    tmp_path: Path,
    warnings: list[tuple[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    case: str,
) -> None:
    folder = tmp_path / "locked"
    target = folder / "receipt.pdf"
    if case == "read-only folder":
        folder.mkdir()
        folder.chmod(0o555)
        if os.geteuid() == 0:  # root writes anyway: refuse as the file system would
            real = outputs.os.open

            def refuse(path: Any, *args: Any, **kwargs: Any) -> Any:
                if Path(path).parent == folder:
                    raise PermissionError(13, "Permission denied", str(path))
                return real(path, *args, **kwargs)

            monkeypatch.setattr(outputs.os, "open", refuse)
        message = f"Save the PDF: no permission to write {target}; choose a folder of your own."
    else:
        message = f"Save the PDF: the folder {folder} does not exist; create it first."
    saved: list[str] = []
    dialog = preview(choose_path=lambda _name: folder / "receipt.pdf")
    dialog.saved.connect(saved.append)
    try:
        assert dialog.save_pdf() is None
        assert warnings == [("Save the PDF", message)]
        assert saved == []
        assert not folder.exists() or listing(folder) == set()
    finally:
        if folder.exists():
            folder.chmod(0o755)


# --- printing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "pages", "size", "orientation"),
    [
        ("a4_pdf", 2, (595.28, 841.89), QPageLayout.Orientation.Portrait),
        ("card_pdf", 1, (242.65, 153.01), QPageLayout.Orientation.Landscape),
    ],
)
def test_print_pdf_keeps_the_pages_and_their_size(
    request: pytest.FixtureRequest,
    pdf_printer: Callable[..., QPrinter],
    fixture: str,
    pages: int,
    size: tuple[float, float],
    orientation: QPageLayout.Orientation,
) -> None:
    pdf = request.getfixturevalue(fixture)
    # The card at the printer's own resolution (1200 dpi here); A4 at the tests' one.
    printer = pdf_printer(resolution=None if fixture == "card_pdf" else TEST_DPI)
    configure_printer(printer, pdf)
    layout = printer.pageLayout()
    assert printer.fullPage()
    assert layout.orientation() == orientation
    assert layout.margins().isNull()
    assert print_pdf(pdf, printer) == pages
    out = Path(printer.outputFileName())
    sizes = page_sizes(out)
    assert len(sizes) == pages
    for width, height in sizes:
        assert width == pytest.approx(size[0], abs=1)
        assert height == pytest.approx(size[1], abs=1)
    assert marks(out) == list(range(1, pages + 1))  # each page whole, in its place


def test_card_gets_a_paper_size_of_its_own(card_pdf: bytes, a4_pdf: bytes) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    configure_printer(printer, card_pdf)
    page_size = printer.pageLayout().pageSize()
    assert page_size.id() == QPageSize.PageSizeId.Custom
    assert page_size.name() == "Card 85.6 × 54 mm (CR80)"
    assert page_size.size(QPageSize.Unit.Millimeter) == QSizeF(53.98, 85.60)
    configure_printer(printer, a4_pdf)
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    assert printer.pageLayout().orientation() == QPageLayout.Orientation.Portrait


def test_print_pdf_honours_the_page_range(
    pdf_printer: Callable[..., QPrinter], three_pages: bytes
) -> None:
    printer = pdf_printer("range.pdf")
    configure_printer(printer, three_pages)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert print_pdf(three_pages, printer) == 2
    assert marks(Path(printer.outputFileName())) == [2, 3]

    printer = pdf_printer("pages.pdf")
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    from PySide6.QtGui import QPageRanges

    ranges = QPageRanges()
    ranges.addPage(1)
    ranges.addPage(3)
    printer.setPageRanges(ranges)
    assert print_pdf(three_pages, printer) == 2
    assert marks(Path(printer.outputFileName())) == [1, 3]

    printer = pdf_printer("current.pdf")
    printer.setPrintRange(QPrinter.PrintRange.CurrentPage)
    document = open_pdf(three_pages)
    assert print_document(document, printer, current_page=1) == 1
    assert marks(Path(printer.outputFileName())) == [2]


def test_print_pdf_makes_the_copies_a_printer_cannot(
    pdf_printer: Callable[..., QPrinter], a4_pdf: bytes
) -> None:
    printer = pdf_printer("copies.pdf", resolution=72)
    assert not printer.supportsMultipleCopies()
    printer.setCopyCount(2)
    printer.setCollateCopies(True)
    assert print_pdf(a4_pdf, printer) == 4
    assert marks(Path(printer.outputFileName())) == [1, 2, 1, 2]
    printer = pdf_printer("uncollated.pdf", resolution=72)
    printer.setCopyCount(2)
    printer.setCollateCopies(False)
    assert print_pdf(a4_pdf, printer) == 4
    assert marks(Path(printer.outputFileName())) == [1, 1, 2, 2]


def test_print_pdf_stops_when_progress_says_so(
    pdf_printer: Callable[..., QPrinter], three_pages: bytes
) -> None:
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 1

    assert print_pdf(three_pages, pdf_printer(), progress=progress) == 0
    assert calls == [(0, 3), (1, 3)]
    calls.clear()
    assert print_pdf(three_pages, pdf_printer("all.pdf"), progress=lambda d, t: True) == 3


def test_print_pdf_says_when_the_printer_cannot_start(tmp_path: Path, a4_pdf: bytes) -> None:
    printer = QPrinter()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "missing" / "out.pdf"))
    with pytest.raises(PrintError, match="Printing could not start"):
        print_pdf(a4_pdf, printer)


def test_print_dialog_offers_the_document_pages(
    preview: Callable[..., DocumentPreviewDialog], pdf_printer: Callable[..., QPrinter]
) -> None:
    dialog = preview()
    chooser = dialog.print_dialog(pdf_printer())
    option = QAbstractPrintDialog.PrintDialogOption
    assert (chooser.minPage(), chooser.maxPage()) == (1, 2)
    assert not chooser.testOption(option.PrintToFile)
    assert chooser.testOption(option.PrintPageRange)
    assert chooser.testOption(option.PrintCurrentPage)
    assert chooser.windowTitle() == f"Print “{TITLE}”"
    chooser.deleteLater()


class Spy:
    """Stands in for the print dialog: records the printer, sets a range, says OK or not."""

    def __init__(self, accept: bool = True, pages: tuple[int, int] | None = None) -> None:
        self.accept = accept
        self.pages = pages
        self.printers: list[QPrinter] = []

    def __call__(self, printer: QPrinter) -> bool:
        self.printers.append(printer)
        if self.pages is not None:
            printer.setPrintRange(QPrinter.PrintRange.PageRange)
            printer.setFromTo(*self.pages)
        return self.accept


def test_print_from_the_preview(
    qtbot: Any,
    preview: Callable[..., DocumentPreviewDialog],
    pdf_printer: Callable[..., QPrinter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = preview(printer_factory=pdf_printer)
    spy = Spy()
    monkeypatch.setattr(dialog, "ask_print_settings", spy)
    shown: list[Any] = []
    real = dialog._progress_dialog

    def progress_dialog(total: int) -> Any:
        shown.append(total)
        return real(total)

    monkeypatch.setattr(dialog, "_progress_dialog", progress_dialog)
    with qtbot.waitSignal(dialog.printed) as signal:
        qtbot.keyClick(dialog.view, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert signal.args == [2]
    assert shown == [2]  # a progress window for two pages
    printer = spy.printers[0]
    assert printer.pageLayout().pageSize().id() == QPageSize.PageSizeId.A4
    assert printer.fullPage()
    out = Path(printer.outputFileName())
    assert len(page_sizes(out)) == 2
    assert not dialog.busy and dialog.isVisible()
    assert not dialog.findChildren(QProgressDialog) or not any(
        p.isVisible() for p in dialog.findChildren(QProgressDialog)
    )


def test_print_one_page_has_no_progress_window(
    qtbot: Any,
    preview: Callable[..., DocumentPreviewDialog],
    pdf_printer: Callable[..., QPrinter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = preview(printer_factory=pdf_printer)
    spy = Spy(pages=(2, 2))
    monkeypatch.setattr(dialog, "ask_print_settings", spy)
    monkeypatch.setattr(dialog, "_progress_dialog", lambda total: pytest.fail("no progress"))
    with qtbot.waitSignal(dialog.printed) as signal:
        dialog.print_button.click()
    assert signal.args == [1]
    assert marks(Path(spy.printers[0].outputFileName())) == [2]


def test_cancelled_print_dialog_prints_nothing(
    preview: Callable[..., DocumentPreviewDialog],
    pdf_printer: Callable[..., QPrinter],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    dialog = preview(printer_factory=pdf_printer)
    monkeypatch.setattr(dialog, "ask_print_settings", Spy(accept=False))
    printed: list[int] = []
    dialog.printed.connect(printed.append)
    assert dialog.print_document() == 0
    assert printed == [] and listing(tmp_path / "printed") == set()


def test_cancel_in_the_progress_window_stops_printing(
    preview: Callable[..., DocumentPreviewDialog],
    pdf_printer: Callable[..., QPrinter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = preview(printer_factory=pdf_printer)
    monkeypatch.setattr(dialog, "ask_print_settings", Spy())
    monkeypatch.setattr(QProgressDialog, "wasCanceled", lambda self: True)
    printed: list[int] = []
    dialog.printed.connect(printed.append)
    assert dialog.print_document() == 0
    assert printed == [] and not dialog.busy and dialog.isVisible()


def test_closing_while_printing_stops_then_closes(
    preview: Callable[..., DocumentPreviewDialog],
    pdf_printer: Callable[..., QPrinter],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dialog = preview(printer_factory=pdf_printer)
    monkeypatch.setattr(dialog, "ask_print_settings", Spy())
    printed: list[int] = []
    dialog.printed.connect(printed.append)
    QTimer.singleShot(0, dialog.reject)  # runs while the pages go out (AMU Desk locking)
    assert dialog.print_document() == 0
    assert printed == []
    assert not dialog.isVisible() and dialog.result() == QDialog.DialogCode.Rejected


def test_printer_errors_are_shown(
    preview: Callable[..., DocumentPreviewDialog],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    warnings: list[tuple[str, str]],
) -> None:
    def broken_printer() -> QPrinter:
        printer = QPrinter()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(tmp_path / "missing" / "out.pdf"))
        return printer

    dialog = preview(printer_factory=broken_printer)
    monkeypatch.setattr(dialog, "ask_print_settings", Spy())
    printed: list[int] = []
    dialog.printed.connect(printed.append)
    assert dialog.print_document() == 0
    assert printed == []
    assert len(warnings) == 1 and warnings[0][0] == "Print"
    assert warnings[0][1].startswith("Printing could not start on “")
    assert not dialog.busy


# --- nothing on disk --------------------------------------------------------------------------


@pytest.fixture
def watched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """A working folder and a temporary folder of their own, to see what gets written."""
    cwd, temporary = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    temporary.mkdir()
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("TMPDIR", str(temporary))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    yield [tmp_path, cwd, temporary]


def test_the_preview_writes_no_file(
    qtbot: Any,
    preview: Callable[..., DocumentPreviewDialog],
    watched: list[Path],
    three_pages: bytes,
    card_pdf: bytes,
) -> None:
    root = watched[0]
    before = listing(root)
    for pdf in (three_pages, card_pdf):
        dialog = preview(pdf)
        dialog.next_page()
        dialog.zoom_in()
        dialog.view.viewport().grab()
        qtbot.wait(200)  # let the pages render
        dialog.fit_width()
        dialog.go_to_page(0)
        dialog.reject()
    assert listing(root) == before


def test_saving_writes_only_the_saved_file(
    preview: Callable[..., DocumentPreviewDialog], watched: list[Path], a4_pdf: bytes
) -> None:
    root, cwd, _temporary = watched
    before = listing(root)
    dialog = preview(choose_path=lambda _name: cwd / "copy")
    dialog.save_pdf()
    assert listing(root) - before == {"cwd/copy.pdf"}
    assert (cwd / "copy.pdf").read_bytes() == a4_pdf


def test_grab_for_a_look(
    qtbot: Any, preview: Callable[..., DocumentPreviewDialog], tmp_path: Path
) -> None:
    """The dialog as it shows offscreen, for people to look at (tmp_path/preview.png)."""
    dialog = preview()
    dialog.resize(900, 700)
    qtbot.wait(300)
    image: QImage = dialog.grab().toImage()
    assert image.width() == 900 and image.height() == 700
    assert image.save(str(tmp_path / "preview.png"))
