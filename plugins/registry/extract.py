"""Text of a document's files for full-text search, and optional OCR.

:func:`extract_text` reads the text layer of a PDF (pypdf, page by page) or the body of a DOCX
(:mod:`plugins.registry.files_docx`); an image, or a PDF without a text layer (a scan), gives
status ``empty``: it needs OCR. It never raises for bad input — a damaged file gives
``failed`` with the reason, a PDF that needs a password ``encrypted``.

OCR is optional: :func:`ocr_available` tells whether ``tesseract`` with the Vietnamese
language (``vie``) is installed, :func:`ocr_pdf_or_image` runs it in a subprocess with a time
limit (a PDF is first rendered with ``pdftoppm`` from poppler-utils). On Debian/Ubuntu:
``apt-get install tesseract-ocr tesseract-ocr-vie poppler-utils``. Both functions block: call
them from a background job (or a worker thread), never on the request path.

The text returned is NFC, without NUL and other control characters (PostgreSQL rejects NUL
in text), at most ``max_chars`` long; store it, and its :func:`~plugins.registry.searchtext.fold`,
for search.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pypdf import PdfReader

from plugins.registry.files import FileKind
from plugins.registry.files_docx import DocxError, read_docx_text

__all__ = [
    "MAX_CHARS",
    "PDFTOPPM_MISSING",
    "ExtractResult",
    "ExtractStatus",
    "extract_text",
    "ocr_available",
    "ocr_pdf_or_image",
]

ExtractStatus = Literal["ok", "empty", "failed", "encrypted"]

MAX_CHARS = 2_000_000
MIN_CHARS_PER_PAGE = 10
"""Fewer letters and digits than this per page (on average) means the PDF is a scan."""
OCR_LANGUAGES = "vie"
OCR_TIMEOUT = 300.0
OCR_MAX_PAGES = 100
OCR_DPI = 300
PDFTOPPM_MISSING = "pdftoppm (poppler-utils) is not installed"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
_LANGUAGES = re.compile(r"^[A-Za-z_]+(?:\+[A-Za-z_]+)*$")


@dataclass(frozen=True)
class ExtractResult:
    """``ok``: ``text`` is the file's text. ``empty``: no (or too little) text — an image or a
    scan that needs OCR. ``failed``: the file could not be read (``reason`` says why).
    ``encrypted``: a PDF that needs a password. ``pages`` is known for PDFs. ``reason`` is
    technical English for logs; ``truncated`` is true when ``text`` was cut at ``max_chars``."""

    status: ExtractStatus
    text: str = ""
    pages: int | None = None
    reason: str = ""
    truncated: bool = False


def clean_text(text: str) -> str:
    """NFC, ``\\r\\n`` → ``\\n``, no control characters (tab and newline kept), no trailing
    spaces, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub(" ", text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def _meaningful(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _cap(text: str, max_chars: int) -> tuple[str, bool]:
    return (text[:max_chars], True) if len(text) > max_chars else (text, False)


def _failed(exc: BaseException, pages: int | None = None) -> ExtractResult:
    return ExtractResult("failed", pages=pages, reason=f"{type(exc).__name__}: {exc}"[:500])


def _extract_pdf(data: bytes, max_chars: int) -> ExtractResult:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            return ExtractResult("encrypted", reason="a password is required")
        pages = len(reader.pages)
    except Exception as exc:  # pypdf raises many kinds on hostile input
        return _failed(exc)
    if pages == 0:
        return ExtractResult("failed", pages=0, reason="the PDF has no pages")
    parts: list[str] = []
    size = 0
    bad_pages = 0
    truncated = False
    for page in reader.pages:
        try:
            page_text = clean_text(page.extract_text() or "")
        except Exception:  # one damaged page does not lose the others
            bad_pages += 1
            continue
        parts.append(page_text)
        size += len(page_text) + 2
        if size > max_chars:
            truncated = True
            break
    if bad_pages == pages:
        return ExtractResult("failed", pages=pages, reason="no page could be read")
    text, cut = _cap("\n\n".join(part for part in parts if part), max_chars)
    notes = [f"{bad_pages} unreadable page(s)"] if bad_pages else []
    if not truncated and _meaningful(text) < MIN_CHARS_PER_PAGE * (pages - bad_pages):
        notes.insert(0, "little or no text layer: needs OCR")
        return ExtractResult("empty", text, pages, "; ".join(notes))
    return ExtractResult("ok", text, pages, "; ".join(notes), truncated or cut)


def _extract_docx(data: bytes, max_chars: int) -> ExtractResult:
    try:
        docx = read_docx_text(data, max_chars=max_chars)
    except DocxError as exc:
        return ExtractResult("failed", reason=str(exc)[:500])
    except Exception as exc:  # anything unexpected is still a failed extraction
        return _failed(exc)
    text, cut = _cap(clean_text(docx.text), max_chars)
    if not _meaningful(text):
        return ExtractResult("empty", text, reason="no text in the document body")
    return ExtractResult("ok", text, truncated=docx.truncated or cut)


def extract_text(kind: FileKind, data: bytes, *, max_chars: int = MAX_CHARS) -> ExtractResult:
    """The searchable text of a file whose kind :func:`plugins.registry.files.sniff` found.

    PDF: the text layer, pages separated by a blank line (``empty`` when there is little or
    none: a scan). DOCX: paragraphs one per line, table cells included. Images: ``empty``
    (OCR later). Never raises."""
    try:
        if not data:
            return ExtractResult("failed", reason="the file is empty")
        if kind is FileKind.PDF:
            return _extract_pdf(data, max_chars)
        if kind is FileKind.DOCX:
            return _extract_docx(data, max_chars)
        if kind.is_image:
            return ExtractResult("empty", reason="an image: needs OCR")
        return ExtractResult("failed", reason=f"no text extraction for {kind.value!r} files")
    except Exception as exc:  # the promise is "never raises"
        return _failed(exc)


# ------------------------------------------------------------------------------------- OCR


def _ocr_environment() -> dict[str, str]:
    # One thread per tesseract: the jobs run in parallel already.
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def ocr_available(languages: str = OCR_LANGUAGES) -> bool:
    """Whether ``tesseract`` is on the ``PATH`` with every language of ``languages``
    (``vie``, or ``vie+eng``) installed (``tesseract --list-langs``)."""
    binary = shutil.which("tesseract")
    if binary is None or not _LANGUAGES.match(languages):
        return False
    try:
        listing = subprocess.run(
            [binary, "--list-langs"],
            capture_output=True,
            timeout=15,
            check=False,
            env=_ocr_environment(),
        )
    except (OSError, subprocess.SubprocessError):
        return False
    if listing.returncode != 0:
        return False
    # Tesseract 4+ prints the list on stdout, 3.x on stderr; the first line is a title.
    output = (listing.stdout + b"\n" + listing.stderr).decode("utf-8", "replace")
    installed = {line.strip() for line in output.splitlines() if line.strip()}
    return all(language in installed for language in languages.split("+"))


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise subprocess.TimeoutExpired("ocr", 0)
    return left


def _render_pdf(pdf: Path, workdir: Path, deadline: float, max_pages: int, dpi: int) -> list[Path]:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        raise FileNotFoundError("pdftoppm")
    command = [pdftoppm, "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", str(max_pages)]
    done = subprocess.run(
        [*command, str(pdf), str(workdir / "page")],
        capture_output=True,
        timeout=_remaining(deadline),
        check=False,
        env=_ocr_environment(),
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise RuntimeError(f"pdftoppm exited with {done.returncode}: {message}")

    def page_number(path: Path) -> int:
        digits = path.stem.rpartition("-")[2]
        return int(digits) if digits.isdigit() else 0

    return sorted(workdir.glob("page-*.png"), key=page_number)


def _tesseract(image: Path, languages: str, deadline: float) -> str:
    binary = shutil.which("tesseract")
    if binary is None:
        raise FileNotFoundError("tesseract")
    done = subprocess.run(
        [binary, str(image), "stdout", "-l", languages],
        capture_output=True,
        timeout=_remaining(deadline),
        check=False,
        env=_ocr_environment(),
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise RuntimeError(f"tesseract exited with {done.returncode}: {message}")
    return done.stdout.decode("utf-8", "replace")


def ocr_pdf_or_image(
    kind: FileKind,
    data: bytes,
    *,
    languages: str = OCR_LANGUAGES,
    timeout: float = OCR_TIMEOUT,
    max_pages: int = OCR_MAX_PAGES,
    dpi: int = OCR_DPI,
    max_chars: int = MAX_CHARS,
) -> ExtractResult:
    """The text that OCR reads in an image or a scanned PDF (its first ``max_pages`` pages).

    ``empty`` with the reason when OCR is not installed (or ``pdftoppm`` is missing for a
    PDF) or finds no text; ``failed`` when a tool fails or the whole run takes longer than
    ``timeout`` seconds (the running tool is killed). Never raises."""
    if kind is not FileKind.PDF and not kind.is_image:
        return ExtractResult("failed", reason=f"no OCR for {kind.value!r} files")
    if not data:
        return ExtractResult("failed", reason="the file is empty")
    if not ocr_available(languages):
        return ExtractResult("empty", reason=f"OCR is not available (tesseract with {languages})")
    if kind is FileKind.PDF and shutil.which("pdftoppm") is None:
        return ExtractResult("empty", reason=PDFTOPPM_MISSING)
    deadline = time.monotonic() + timeout
    try:
        with tempfile.TemporaryDirectory(prefix="congvan-ocr-") as tmp:
            workdir = Path(tmp)
            source = workdir / f"input.{kind.value}"
            source.write_bytes(data)
            if kind is FileKind.PDF:
                images = _render_pdf(source, workdir, deadline, max_pages, dpi)
            else:
                images = [source]
            texts = [clean_text(_tesseract(image, languages, deadline)) for image in images]
    except subprocess.TimeoutExpired:
        return ExtractResult("failed", reason=f"OCR took longer than {timeout:g} s")
    except Exception as exc:  # a tool failed, the disk is full, …
        return _failed(exc)
    pages = len(images) if kind is FileKind.PDF else None
    text, cut = _cap("\n\n".join(text for text in texts if text), max_chars)
    if not _meaningful(text):
        return ExtractResult("empty", text, pages, "OCR found no text")
    return ExtractResult("ok", text, pages, truncated=cut)
