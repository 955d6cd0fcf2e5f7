"""A PDF shown in the window before it is printed or saved, without ever being on disk.

- ``DocumentPreviewDialog``: the pages of a PDF held in memory (bytes), one under the
  other, fitted to the width; zoom, page indicator, "Print…" (Ctrl+P), "Save PDF…"
  (Ctrl+S) and "Close" (Esc). It emits ``printed(pages)`` and ``saved(path)`` so that the
  caller records them in the audit trail.
- ``print_pdf``: paints the pages of a PDF on a ``QPrinter`` (the dialog's printing, and
  the tests').
- ``configure_printer`` / ``page_layout_for``: the paper of the PDF's first page, whole
  page and no margins (an 85.60 × 53.98 mm card gets a paper size of its own).
- ``ensure_pdf_support`` (``ui/kit/pdffiles.py``): None when QtPdf is there, otherwise a message saying why there
  is no preview (the caller then offers "Save" only).

The PDF is opened by QtPdf from a ``QBuffer`` in memory: no temporary file is written.
Saving is the user's own choice of a file, written whole or not at all
(``outputs.write_files``). QtPdf and QtPrintSupport are imported when first needed, not when
the application starts.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QIODevice,
    QMargins,
    QMarginsF,
    QPoint,
    QPointF,
    QRect,
    QSize,
    QSizeF,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeySequence,
    QPageLayout,
    QPageSize,
    QPainter,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from amudesk.i18n import _
from amudesk.ui.kit.fielderrors import ErrorLabel
from amudesk.ui.kit.pdffiles import (
    ask_pdf_path,
    with_pdf_suffix,
    write_pdf,
)

if TYPE_CHECKING:
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

log = logging.getLogger(__name__)

PREVIEW_SIZE = (900, 700)
MIN_SIZE = (520, 360)
ZOOM_STEP = 1.25
MIN_ZOOM = 0.25
MAX_ZOOM = 4.0
# The card of the access documents: ISO/IEC 7810 ID-1 ("CR80"), in millimetres.
CARD_MM = (85.60, 53.98)
CARD_TOLERANCE_PT = 2.0
POINTS_PER_MM = 72 / 25.4
# Pages are drawn as images: at most this many dots per inch (a 1200 dpi printer gets
# 600 dpi pixels, each drawn as 2 × 2 dots), rendered in bands of at most BAND_PIXELS so
# that an A4 page at 600 dpi never needs 140 MB at once.
MAX_PRINT_DPI = 600
BAND_PIXELS = 8_000_000

ProgressCallback = Callable[[int, int], bool]


class PrintError(Exception):
    """The pages could not be sent to the printer; the message says why, for people."""


# --- opening a PDF held in memory ---------------------------------------------------------


def open_pdf(pdf: bytes, parent: Any = None) -> QPdfDocument:
    """A ``QPdfDocument`` read from ``pdf`` in memory. Its ``QBuffer`` is its child, so it
    lives exactly as long as the document. Check ``status()`` before use."""
    from PySide6.QtPdf import QPdfDocument

    document = QPdfDocument(parent)
    buffer = QBuffer(document)
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document.load(buffer)
    document._amudesk_buffer = buffer  # type: ignore[attr-defined]  # Python keeps it too
    return document


def pdf_problem(document: QPdfDocument) -> str | None:
    """Why ``document`` cannot be shown or printed, for people; None when it can."""
    from PySide6.QtPdf import QPdfDocument

    if document.status() == QPdfDocument.Status.Ready and document.pageCount() > 0:
        return None
    error = document.error()
    if error in (
        QPdfDocument.Error.IncorrectPassword,
        QPdfDocument.Error.UnsupportedSecurityScheme,
    ):
        return _("The document cannot be shown: it is protected by a password.")
    if document.status() == QPdfDocument.Status.Ready:
        return _("The document cannot be shown: it has no page.")
    return _("The document cannot be shown: it is not a readable PDF file.")


# --- paper ----------------------------------------------------------------------------------


def is_card(points: QSizeF) -> bool:
    """True for a page of 85.60 × 53.98 mm (either way round), within 2 points."""
    short, long = sorted((points.width(), points.height()))
    card_long, card_short = (size * POINTS_PER_MM for size in CARD_MM)
    return (
        abs(short - card_short) <= CARD_TOLERANCE_PT and abs(long - card_long) <= CARD_TOLERANCE_PT
    )


def page_size_for(points: QSizeF) -> tuple[QPageSize, QPageLayout.Orientation]:
    """The paper for a page of ``points`` (A4, Letter … when it is one), and its way round."""
    width, height = points.width(), points.height()
    orientation = (
        QPageLayout.Orientation.Landscape if width > height else QPageLayout.Orientation.Portrait
    )
    if is_card(points):
        card_long, card_short = CARD_MM
        size = QPageSize(
            QSizeF(card_short, card_long),
            QPageSize.Unit.Millimeter,
            _("Card 85.6 × 54 mm (CR80)"),
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
    else:
        size = QPageSize(
            QSizeF(min(width, height), max(width, height)),
            QPageSize.Unit.Point,
            "",
            QPageSize.SizeMatchPolicy.FuzzyMatch,
        )
    return size, orientation


def page_layout_for(points: QSizeF) -> QPageLayout:
    """A whole-page layout without margins for a page of ``points``."""
    size, orientation = page_size_for(points)
    layout = QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Point)
    layout.setMode(QPageLayout.Mode.FullPageMode)
    return layout


def _configure(printer: QPrinter, document: QPdfDocument) -> None:
    printer.setFullPage(True)
    if document.pageCount() > 0 and not printer.setPageLayout(
        page_layout_for(document.pagePointSize(0))
    ):
        log.info("the printer refused the page layout of the document")
    # The job's name shows in print queues, which others may see: no personal data.
    printer.setDocName("AMU Desk")


def configure_printer(printer: QPrinter, pdf: bytes) -> None:
    """Give ``printer`` the paper of the PDF's first page: whole page, no margins."""
    document = open_pdf(pdf)
    try:
        if (problem := pdf_problem(document)) is not None:
            raise PrintError(problem)
        _configure(printer, document)
    finally:
        document.deleteLater()


# --- printing -------------------------------------------------------------------------------


def pages_to_print(printer: QPrinter, page_count: int, current_page: int = 0) -> list[int]:
    """The pages (0-based) the print dialog asked for: all, a range, or the current one."""
    from PySide6.QtPrintSupport import QPrinter

    every = list(range(page_count))
    chosen = printer.printRange()
    if chosen == QPrinter.PrintRange.CurrentPage:
        return [min(max(current_page, 0), page_count - 1)] if page_count else []
    if chosen == QPrinter.PrintRange.PageRange:
        ranges = printer.pageRanges()
        if not ranges.isEmpty():
            return [page for page in every if ranges.contains(page + 1)]
        first, last = printer.fromPage(), printer.toPage()
        if first > 0:
            return [page for page in every if first <= page + 1 <= (last or page_count)]
    return every


def _print_order(pages: list[int], printer: QPrinter) -> list[int]:
    """Pages in the order they go out; copies made here only when the printer cannot."""
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    if copies == 1:
        return pages
    if printer.collateCopies():
        return pages * copies
    return [page for page in pages for _copy in range(copies)]


def _fit(page: QSizeF, area: QRect) -> QRect:
    """The largest rectangle of ``page``'s shape centred in ``area``."""
    if page.width() <= 0 or page.height() <= 0:
        return QRect(area)
    scale = min(area.width() / page.width(), area.height() / page.height())
    width, height = round(page.width() * scale), round(page.height() * scale)
    return QRect(
        area.x() + (area.width() - width) // 2,
        area.y() + (area.height() - height) // 2,
        width,
        height,
    )


def _opaque(image: QImage) -> QImage:
    """The rendered page (transparent where nothing is drawn) on white paper."""
    painter = QPainter(image)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_DestinationOver)
    painter.fillRect(image.rect(), QColor("white"))
    painter.end()
    return image.convertToFormat(QImage.Format.Format_RGB32)


def _paint_page(
    painter: QPainter, document: QPdfDocument, page: int, target: QRect, step: int
) -> None:
    """Draw ``page`` into ``target`` (printer dots); one image pixel is ``step`` × ``step``
    dots, rendered band by band."""
    from PySide6.QtPdf import QPdfDocumentRenderOptions

    width, height = max(1, target.width() // step), max(1, target.height() // step)
    band = max(1, BAND_PIXELS // width)
    for top in range(0, height, band):
        rows = min(band, height - top)
        options = QPdfDocumentRenderOptions()
        options.setScaledSize(QSize(width, height))
        options.setScaledClipRect(QRect(0, top, width, rows))
        image = document.render(page, QSize(width, rows), options)
        if image.isNull():
            raise PrintError(
                _("Page {page} could not be prepared for printing.").format(page=page + 1)
            )
        painter.drawImage(
            QRect(target.x(), target.y() + top * step, width * step, rows * step), _opaque(image)
        )


def print_document(
    document: QPdfDocument,
    printer: QPrinter,
    *,
    progress: ProgressCallback | None = None,
    current_page: int = 0,
) -> int:
    """Paint the pages of ``document`` chosen on ``printer`` (its page range and copies).

    ``progress(done, total)`` is called before each page and once at the end; when it
    returns False the job is aborted (nothing is printed) and 0 is returned. Returns the
    number of pages sent; raises ``PrintError`` when the printer refuses the job.
    """
    from PySide6.QtPrintSupport import QPrinter

    if (problem := pdf_problem(document)) is not None:
        raise PrintError(problem)
    order = _print_order(pages_to_print(printer, document.pageCount(), current_page), printer)
    if not order:
        raise PrintError(_("There is no page to print in the range chosen."))
    printer_name = printer.printerName() or printer.outputFileName() or _("default printer")
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(
            _("Printing could not start on “{printer}”: is the printer on and connected?").format(
                printer=printer_name
            )
        )
    step = max(1, math.ceil(printer.resolution() / MAX_PRINT_DPI))
    done = 0
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        area = printer.pageRect(QPrinter.Unit.DevicePixel).toRect()
        area.moveTopLeft(QPoint(0, 0))
        for page in order:
            if progress is not None and not progress(done, len(order)):
                printer.abort()
                return 0
            if done and not printer.newPage():
                raise PrintError(
                    _("The printer “{printer}” stopped before page {page}.").format(
                        printer=printer_name, page=done + 1
                    )
                )
            _paint_page(painter, document, page, _fit(document.pagePointSize(page), area), step)
            done += 1
        if progress is not None and not progress(done, len(order)):
            printer.abort()
            return 0
    except BaseException:
        printer.abort()
        raise
    finally:
        if painter.isActive():
            painter.end()
    if printer.printerState() == QPrinter.PrinterState.Error:
        raise PrintError(
            _("The printer “{printer}” reported an error; check it and print again.").format(
                printer=printer_name
            )
        )
    return done


def print_pdf(pdf: bytes, printer: QPrinter, *, progress: ProgressCallback | None = None) -> int:
    """Paint the pages of ``pdf`` on ``printer`` as it is set up (paper, page range, copies
    the printer cannot make itself). Each page is fitted to the paper, centred.

    ``progress(done, total)`` may stop the job by returning False (then nothing is printed
    and 0 is returned). Returns the number of pages printed; raises ``PrintError``.
    """
    document = open_pdf(pdf)
    try:
        return print_document(document, printer, progress=progress)
    finally:
        document.deleteLater()


# --- the preview ------------------------------------------------------------------------------


def _default_printer() -> QPrinter:
    from PySide6.QtPrintSupport import QPrinter

    return QPrinter(QPrinter.PrinterMode.HighResolution)


class DocumentPreviewDialog(QDialog):
    """The pages of a PDF held in memory, to read, print or save.

    ``choose_path(suggested_name)`` returns where to save (None: not saved) and
    ``printer_factory()`` makes the printer; both are replaced in tests.
    """

    saved = Signal(str)
    printed = Signal(int)

    def __init__(
        self,
        pdf: bytes,
        *,
        title: str,
        suggested_name: str,
        parent: QWidget | None = None,
        choose_path: Callable[[str], str | Path | None] | None = None,
        printer_factory: Callable[[], QPrinter] | None = None,
    ) -> None:
        super().__init__(parent)
        from PySide6.QtPdfWidgets import QPdfView

        self._pdf = bytes(pdf)
        self.suggested_name = with_pdf_suffix(Path(Path(suggested_name).name or "document"))
        self._choose_path = choose_path or self.choose_path
        self._printer_factory = printer_factory or _default_printer
        self._printing = False
        self._cancel_print = False
        self._close_result: int | None = None
        self.setObjectName("documentPreview")
        self.setWindowTitle(title)
        self.setSizeGripEnabled(True)

        self.document = open_pdf(self._pdf, self)
        self.problem = pdf_problem(self.document)
        self.page_count = self.document.pageCount() if self.problem is None else 0

        self.view = QPdfView()
        self.view.setObjectName("pdfView")
        self.view.setAccessibleName(_("Document preview"))
        self.view.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocumentMargins(QMargins(12, 12, 12, 12))
        self.view.setPageSpacing(12)
        self.view.setDocument(self.document)
        self.navigator = self.view.pageNavigator()

        self.error_label = ErrorLabel()
        self.error_label.setObjectName("previewError")

        # Page navigation and zoom, above the pages.
        style = self.style()
        self.previous_button = self._tool_button(
            _("Previous page"), "previousPage", self.previous_page, shown=""
        )
        self.previous_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowBack))
        self.page_label = QLabel()
        self.page_label.setObjectName("pageIndicator")
        self.page_label.setTextFormat(Qt.TextFormat.PlainText)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        widest = _("Page {page} of {pages}").format(page=888, pages=888)
        self.page_label.setMinimumWidth(self.fontMetrics().horizontalAdvance(widest) + 12)
        self.next_button = self._tool_button(_("Next page"), "nextPage", self.next_page, shown="")
        self.next_button.setIcon(style.standardIcon(QStyle.StandardPixmap.SP_ArrowForward))
        self.zoom_out_button = self._tool_button(_("Zoom out"), "zoomOut", self.zoom_out, shown="−")
        self.zoom_out_button.setToolTip(_("Zoom out (Ctrl+minus)"))
        self.fit_button = self._tool_button(_("Fit to width"), "fitWidth", self.fit_width)
        self.fit_button.setToolTip(_("Show the whole width of the page (Ctrl+0)"))
        self.zoom_in_button = self._tool_button(_("Zoom in"), "zoomIn", self.zoom_in, shown="+")
        self.zoom_in_button.setToolTip(_("Zoom in (Ctrl+plus)"))
        bar = QHBoxLayout()
        bar.setSpacing(6)
        bar.addWidget(self.previous_button)
        bar.addWidget(self.page_label)
        bar.addWidget(self.next_button)
        bar.addStretch(1)
        bar.addWidget(self.zoom_out_button)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.zoom_in_button)

        self.buttons = QDialogButtonBox()
        self.print_button = self.buttons.addButton(
            _("&Print…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.print_button.setObjectName("printDocument")
        self.print_button.setAccessibleName(_("Print"))
        self.print_button.setToolTip(_("Choose a printer and print the document (Ctrl+P)"))
        self.print_button.setAccessibleDescription(self.print_button.toolTip())
        self.print_button.clicked.connect(lambda _checked=False: self.print_document())
        self.save_button = self.buttons.addButton(
            _("&Save PDF…"), QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_button.setObjectName("saveDocument")
        self.save_button.setAccessibleName(_("Save PDF"))
        self.save_button.setToolTip(_("Save the document as a PDF file (Ctrl+S)"))
        self.save_button.setAccessibleDescription(self.save_button.toolTip())
        self.save_button.clicked.connect(lambda _checked=False: self.save_pdf())
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.setText(_("Close"))
        self.close_button.setAccessibleName(_("Close"))
        self.close_button.setToolTip(_("Close the preview (Esc)"))
        self.close_button.setAccessibleDescription(self.close_button.toolTip())
        self.close_button.setAutoDefault(False)
        self.save_button.setAutoDefault(False)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view, 1)
        if self.problem is not None:
            layout.addStretch(1)
        layout.addWidget(self.buttons)

        for keys, slot in (
            (QKeySequence.StandardKey.Print, self.print_document),
            (QKeySequence.StandardKey.Save, self.save_pdf),
            (QKeySequence.StandardKey.ZoomIn, self.zoom_in),
            ("Ctrl+=", self.zoom_in),
            (QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            ("Ctrl+0", self.fit_width),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)

        for first, second in (
            (self.view, self.previous_button),
            (self.previous_button, self.next_button),
            (self.next_button, self.zoom_out_button),
            (self.zoom_out_button, self.fit_button),
            (self.fit_button, self.zoom_in_button),
            (self.zoom_in_button, self.print_button),
            (self.print_button, self.save_button),
            (self.save_button, self.close_button),
        ):
            QWidget.setTabOrder(first, second)

        self.navigator.currentPageChanged.connect(self._show_page)
        self.view.zoomFactorChanged.connect(self._update_zoom_buttons)
        self.view.zoomModeChanged.connect(self._update_zoom_buttons)
        if self.problem is not None:
            self.view.hide()
            self.error_label.show_message(
                self.problem + " " + _("You can still save it and open it with another program.")
            )
            for widget in self._page_widgets():
                widget.setEnabled(False)
                widget.setVisible(widget is self.print_button)
            self.page_label.hide()
            self.save_button.setDefault(True)
            self.save_button.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            self.print_button.setDefault(True)
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self._show_page()
        self._update_zoom_buttons()
        self.setMinimumSize(*MIN_SIZE)
        self.fit_to_screen(*(PREVIEW_SIZE if self.problem is None else MIN_SIZE))

    def _tool_button(
        self, text: str, name: str, slot: Callable[[], object], shown: str | None = None
    ) -> QPushButton:
        """A toolbar button named ``text`` (for screen readers and the tooltip) that shows
        ``shown`` when given (a sign or nothing, beside an icon): the bar fits in any language."""
        button = QPushButton(text if shown is None else shown)
        button.setObjectName(name)
        button.setAccessibleName(text)
        button.setToolTip(text)
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _page_widgets(self) -> list[QWidget]:
        return [
            self.previous_button,
            self.next_button,
            self.zoom_out_button,
            self.fit_button,
            self.zoom_in_button,
            self.print_button,
        ]

    def fit_to_screen(self, width: int, height: int) -> None:
        """Start at ``width``×``height``, never larger than the screen."""
        screen = self.screen().availableGeometry() if self.screen() else QRect(0, 0, 1366, 728)
        self.resize(min(width, screen.width() - 20), min(height, screen.height() - 40))

    # --- pages -----------------------------------------------------------------------

    def current_page(self) -> int:
        """The page shown (0-based)."""
        return self.navigator.currentPage()

    def page_text(self) -> str:
        if not self.page_count:
            return ""
        return _("Page {page} of {pages}").format(
            page=self.current_page() + 1, pages=self.page_count
        )

    def _show_page(self, *_args: object) -> None:
        text = self.page_text()
        self.page_label.setText(text)
        self.page_label.setAccessibleName(text)
        how = _("Scroll with the arrow keys, Page Up and Page Down; Ctrl+plus and Ctrl+minus zoom.")
        self.view.setAccessibleDescription(f"{text} — {how}" if text else how)
        page = self.current_page()
        enabled = self.problem is None
        self.previous_button.setEnabled(enabled and page > 0)
        self.next_button.setEnabled(enabled and page < self.page_count - 1)

    def go_to_page(self, page: int) -> None:
        """Show page ``page`` (0-based) from its top."""
        if not self.page_count:
            return
        page = min(max(page, 0), self.page_count - 1)
        self.navigator.jump(page, QPointF(), self.navigator.currentZoom())
        self._show_page()

    def previous_page(self) -> None:
        self.go_to_page(self.current_page() - 1)

    def next_page(self) -> None:
        self.go_to_page(self.current_page() + 1)

    # --- zoom ------------------------------------------------------------------------

    def zoom(self) -> float:
        """The scale the pages are shown at (1.0: real size on the screen)."""
        from PySide6.QtPdfWidgets import QPdfView

        if self.view.zoomMode() == QPdfView.ZoomMode.Custom or not self.page_count:
            return self.view.zoomFactor()
        margins = self.view.documentMargins()
        room = self.view.viewport().width() - margins.left() - margins.right()
        screen = QGuiApplication.primaryScreen()
        dots = (screen.logicalDotsPerInch() if screen else 96.0) / 72.0
        width = self.document.pagePointSize(self.current_page()).width() * dots
        return room / width if width > 0 else 1.0

    def set_zoom(self, factor: float) -> None:
        """Show the pages at ``factor`` (kept between 25 % and 400 %), near the same place."""
        from PySide6.QtPdfWidgets import QPdfView

        if not self.page_count:
            return
        factor = min(max(factor, MIN_ZOOM), MAX_ZOOM)
        bar = self.view.verticalScrollBar()
        where = bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(factor)
        bar.setValue(round(where * bar.maximum()))
        self._update_zoom_buttons()

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom() * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom() / ZOOM_STEP)

    def fit_width(self) -> None:
        """Back to pages as wide as the window."""
        from PySide6.QtPdfWidgets import QPdfView

        if not self.page_count:
            return
        bar = self.view.verticalScrollBar()
        where = bar.value() / bar.maximum() if bar.maximum() > 0 else 0.0
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        bar.setValue(round(where * bar.maximum()))
        self._update_zoom_buttons()

    def _update_zoom_buttons(self, *_args: object) -> None:
        from PySide6.QtPdfWidgets import QPdfView

        if not self.page_count:
            return
        zoom = self.zoom()
        self.zoom_in_button.setEnabled(zoom < MAX_ZOOM * 0.999)
        self.zoom_out_button.setEnabled(zoom > MIN_ZOOM * 1.001)
        self.fit_button.setEnabled(self.view.zoomMode() != QPdfView.ZoomMode.FitToWidth)

    # --- saving ----------------------------------------------------------------------

    def choose_path(self, suggested_name: str) -> Path | None:
        """Ask where to save (the file chooser adds .pdf); None when it was closed."""
        return ask_pdf_path(self, suggested_name)

    def save_pdf(self) -> Path | None:
        """Write the PDF where the user chooses; returns the path, None when not saved."""
        if self._printing:
            return None
        chosen = self._choose_path(self.suggested_name.name)
        if not chosen:
            return None
        path = write_pdf(self, Path(chosen), self._pdf)
        if path is not None:
            self.saved.emit(str(path))
        return path

    # --- printing --------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """True while pages are being sent to the printer."""
        return self._printing

    def print_dialog(self, printer: QPrinter) -> QPrintDialog:
        """The system's print dialog for ``printer``, offering this document's pages."""
        from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog

        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Print “{title}”").format(title=self.windowTitle()))
        option = QAbstractPrintDialog.PrintDialogOption
        dialog.setOption(option.PrintToFile, False)  # "Save PDF…" keeps the real PDF
        dialog.setOption(option.PrintSelection, False)
        dialog.setOption(option.PrintPageRange, self.page_count > 1)
        dialog.setOption(option.PrintCurrentPage, self.page_count > 1)
        dialog.setOption(option.PrintCollateCopies, True)
        dialog.setOption(option.PrintShowPageSize, True)
        dialog.setMinMax(1, max(1, self.page_count))
        return dialog

    def ask_print_settings(self, printer: QPrinter) -> bool:
        """Show the print dialog; False when it was cancelled. Tests replace this."""
        dialog = self.print_dialog(printer)
        try:
            return dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            dialog.deleteLater()

    def print_document(self) -> int:
        """Ask for the printer and the pages, then print; returns the pages printed."""
        if self.problem is not None or self._printing:
            return 0
        printer = self._printer_factory()
        _configure(printer, self.document)
        if not self.ask_print_settings(printer):
            return 0
        chosen = pages_to_print(printer, self.page_count, self.current_page())
        total = len(_print_order(chosen, printer))
        self._printing = True  # before the progress window, which lets events through
        self._cancel_print = False
        progress = self._progress_dialog(total) if total > 1 else None
        self.setCursor(Qt.CursorShape.BusyCursor)

        def report(done: int, count: int) -> bool:
            if progress is not None:
                progress.setMaximum(count)
                progress.setValue(done)
                if done < count:
                    progress.setLabelText(
                        _("Sending page {page} of {pages} to the printer…").format(
                            page=done + 1, pages=count
                        )
                    )
                QCoreApplication.processEvents()
                if progress.wasCanceled():
                    self._cancel_print = True
            return not self._cancel_print

        try:
            pages = print_document(
                self.document, printer, progress=report, current_page=self.current_page()
            )
        except PrintError as error:
            pages = 0
            self._end_printing(progress)
            QMessageBox.warning(self, _("Print"), str(error))
        else:
            self._end_printing(progress)
            if pages:
                self.printed.emit(pages)
        if self._close_result is not None:
            result, self._close_result = self._close_result, None
            super().done(result)
        return pages

    def _progress_dialog(self, total: int) -> Any:
        progress = QProgressDialog(
            _("Sending page {page} of {pages} to the printer…").format(page=1, pages=total),
            _("Cancel"),
            0,
            total,
            self,
        )
        progress.setObjectName("printProgress")
        progress.setWindowTitle(_("Print"))
        progress.setAccessibleName(_("Printing"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.setValue(0)
        return progress

    def _end_printing(self, progress: Any) -> None:
        self._printing = False
        self.unsetCursor()
        if progress is not None:
            progress.close()
            progress.deleteLater()

    # --- closing ---------------------------------------------------------------------

    def done(self, result: int) -> None:
        """Closed while printing (Esc, or AMU Desk locking): stop the job, then close."""
        if self._printing:
            self._cancel_print = True
            self._close_result = result
            return
        super().done(result)
