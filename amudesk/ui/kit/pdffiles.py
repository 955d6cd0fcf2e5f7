"""Saving a PDF the user asked for, and whether this computer can show and print PDFs."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from amudesk import outputs
from amudesk.i18n import _

log = logging.getLogger(__name__)


def ensure_pdf_support() -> str | None:
    """None when PDFs can be shown and printed; otherwise a message saying they cannot."""
    try:
        import PySide6.QtPdf  # noqa: F401
        import PySide6.QtPdfWidgets  # noqa: F401
        import PySide6.QtPrintSupport  # noqa: F401
    except ImportError as exc:
        log.warning("no PDF preview: %s", exc.__class__.__name__)
        return _(
            "The preview and printing of documents are not available on this computer "
            "(the Qt PDF module is missing). You can still save the document as a PDF and "
            "open it with another program."
        )
    return None


def _documents_folder() -> Path:
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def with_pdf_suffix(path: Path) -> Path:
    return path if path.suffix.lower() == ".pdf" else path.with_name(path.name + ".pdf")


def ask_pdf_path(parent: QWidget | None, suggested_name: str) -> Path | None:
    """Ask where to save a PDF, starting in the Documents folder (the file chooser adds
    .pdf); None when it was closed."""
    chooser = QFileDialog(
        parent,
        _("Save the PDF"),
        str(_documents_folder() / suggested_name),
        _("PDF documents (*.pdf)"),
    )
    chooser.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    chooser.setFileMode(QFileDialog.FileMode.AnyFile)
    chooser.setDefaultSuffix("pdf")
    chooser.selectFile(suggested_name)
    if chooser.exec() != QDialog.DialogCode.Accepted or not chooser.selectedFiles():
        return None
    return Path(chooser.selectedFiles()[0])


def write_pdf(parent: QWidget | None, path: Path, pdf: bytes) -> Path | None:
    """Write ``pdf`` at ``path`` (".pdf" added when missing), whole or not at all; a failure
    is told in a message naming the file. Returns the path written, None when it failed."""
    path = with_pdf_suffix(path)
    try:
        outputs.write_files({path: pdf}, label=_("Save the PDF"))
    except outputs.OutputError as exc:
        log.warning("PDF not saved")
        QMessageBox.warning(parent, _("Save the PDF"), str(exc))
        return None
    return path
