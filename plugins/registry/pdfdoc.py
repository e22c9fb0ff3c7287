"""A small PDF toolkit on reportlab, shared by the plugin's printable outputs (registers,
search exports, record exports), with Vietnamese text rendered by an embedded Unicode font.

API (everything else is private):

* :func:`pdf_fonts` — find and register the fonts; returns :class:`PdfFonts` (the registered
  names of the regular and bold faces). DejaVu Sans and DejaVu Sans Bold
  (``DejaVuSans.ttf``, ``DejaVuSans-Bold.ttf``) are looked up in ``$CONGVAN_PDF_FONT_DIR``
  when that variable is set (and only there), else in the usual Debian and Fedora folders.
  Missing fonts raise :class:`FontUnavailable` — a 503 problem naming the Debian package
  ``fonts-dejavu-core`` — never a PDF with unreadable text.
* :class:`TitleBlock`, :class:`Column` and :func:`table_pdf` — a landscape A4 document: a
  title block (agency, document title, year, optional subtitle), then one table whose header
  row (and the row of column numbers ``(1) (2) …``) repeats on every page; cell text wraps
  (``Paragraph``, markup escaped, NFC-normalised); every page ends with "Trang x/y".
* :func:`paragraph_styles`, :func:`cell_text` and :func:`grid` — the body, bold, header and
  title styles in those fonts, text as Paragraph markup, and the ruled table of every output,
  for callers that build their own flowables (the record export's cover).

Rendering is CPU-bound and synchronous: call :func:`table_pdf` from a worker thread (with the
request's context copied, so translations follow the caller's language).
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, LongTable, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus.tables import TableStyle

from core import CongvanError
from core import gettext as _gettext

__all__ = [
    "FONT_DIR_ENV",
    "FONT_PACKAGE",
    "Column",
    "FontUnavailable",
    "PdfFonts",
    "TitleBlock",
    "cell_text",
    "grid",
    "paragraph_styles",
    "pdf_fonts",
    "table_pdf",
]

FONT_DIR_ENV = "CONGVAN_PDF_FONT_DIR"
FONT_PACKAGE = "fonts-dejavu-core"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/dejavu-sans-fonts",  # Fedora
    "/usr/share/fonts/TTF",  # Arch
)
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAGE = landscape(A4)
MARGIN = 12 * mm


def _(message: str) -> str:
    """The translation of ``message`` in the current language (at call time)."""
    return str(_gettext(message))


class FontUnavailable(CongvanError):
    """No font with Vietnamese coverage: PDFs cannot be made on this server (503)."""

    status = 503
    code = "pdf-font-unavailable"
    title = "PDF font unavailable"


@dataclass(frozen=True)
class PdfFonts:
    """Names under which the regular and bold faces are registered with reportlab."""

    regular: str
    bold: str
    folder: Path


@dataclass(frozen=True)
class TitleBlock:
    """The top of the first page: agency name, document title, year, optional subtitle."""

    agency: str
    title: str
    year: int | None = None
    subtitle: str = ""


@dataclass(frozen=True)
class Column:
    """A table column: its header text, relative width and alignment (``left``/``center``)."""

    title: str
    width: float = 1.0
    align: str = "left"


_registered: dict[str, PdfFonts] = {}


def _font_folders() -> list[Path]:
    override = os.environ.get(FONT_DIR_ENV, "").strip()
    return [Path(override)] if override else [Path(d) for d in FONT_DIRS]


def pdf_fonts() -> PdfFonts:
    """Register DejaVu Sans (regular and bold) once per folder; FontUnavailable otherwise."""
    folders = _font_folders()
    for folder in folders:
        key = str(folder)
        if key in _registered:
            return _registered[key]
        paths = [folder / name for name in FONT_FILES]
        if not all(p.is_file() for p in paths):
            continue
        try:
            pdfmetrics.registerFont(TTFont(REGULAR, str(paths[0])))
            pdfmetrics.registerFont(TTFont(BOLD, str(paths[1])))
        except Exception as exc:  # a truncated or foreign file: say which one
            raise FontUnavailable(
                f"The PDF fonts in {folder} could not be loaded ({exc}); reinstall the Debian "
                f"package {FONT_PACKAGE}."
            ) from None
        pdfmetrics.registerFontFamily(
            REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
        )
        fonts = _registered[key] = PdfFonts(REGULAR, BOLD, folder)
        return fonts
    where = ", ".join(str(f) for f in folders)
    raise FontUnavailable(
        f"PDF output needs the DejaVu Sans fonts ({', '.join(FONT_FILES)}) for Vietnamese "
        f"text; none were found in {where}. Install the Debian package {FONT_PACKAGE} "
        f"(apt-get install {FONT_PACKAGE}) or set {FONT_DIR_ENV} to a folder holding them."
    )


def paragraph_styles(fonts: PdfFonts | None = None) -> dict[str, ParagraphStyle]:
    """``body`` (9 pt), ``bold``, ``header`` (bold, centred), ``title`` (14 pt bold, centred)
    and ``agency`` (bold, left) in the registered fonts."""
    f = fonts or pdf_fonts()
    body = ParagraphStyle("body", fontName=f.regular, fontSize=8.5, leading=10.5, alignment=TA_LEFT)
    return {
        "body": body,
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "bold": ParagraphStyle("bold", parent=body, fontName=f.bold),
        "header": ParagraphStyle("header", parent=body, fontName=f.bold, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "title", parent=body, fontName=f.bold, fontSize=14, leading=18, alignment=TA_CENTER
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, fontSize=10, leading=13, alignment=TA_CENTER
        ),
        "agency": ParagraphStyle("agency", parent=body, fontName=f.bold, fontSize=10, leading=13),
    }


def cell_text(value: Any) -> str:
    """Cell text as Paragraph markup: NFC (combining marks render badly), escaped, and line
    breaks kept."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value))
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


def grid(
    data: list[list[Any]],
    widths: Sequence[float],
    fonts: PdfFonts,
    *,
    header_rows: int = 0,
    empty_text: str = "",
) -> LongTable:
    """A ruled table of ``data`` (rows of flowables or text) in ``fonts``: the first
    ``header_rows`` rows shaded and repeated on every page; ``empty_text`` spans a row under
    them when there is no other row."""
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), fonts.regular),  # the default would be Helvetica
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands += [
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(0.92, 0.92, 0.92)),
        ]
    rows = list(data)
    if len(rows) == header_rows and empty_text:
        style = paragraph_styles(fonts)["center"]
        rows.append([Paragraph(cell_text(empty_text), style)] + [""] * (len(widths) - 1))
        commands.append(("SPAN", (0, header_rows), (-1, header_rows)))
    table = LongTable(rows, colWidths=list(widths), repeatRows=header_rows)
    table.setStyle(TableStyle(commands))
    return table


def _numbered_canvas(fonts: PdfFonts, footer: str) -> type[Canvas]:
    """A canvas that holds its pages until the end, then writes "Trang x/y" on each."""
    label = _("Trang {page}/{pages}")

    class NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("initialFontName", fonts.regular)  # no unembedded Helvetica
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self.setFont(fonts.regular, 8)
                width = PAGE[0]
                text = label.format(page=number, pages=total)
                self.drawCentredString(width / 2, MARGIN / 2, text)
                if footer:
                    self.drawRightString(width - MARGIN, MARGIN / 2, footer[:90])
                super().showPage()
            super().save()

    return NumberedCanvas


def _title_flowables(block: TitleBlock, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    items: list[Flowable] = [
        Paragraph(cell_text(block.agency.upper()), styles["agency"]),
        Spacer(1, 4 * mm),
        Paragraph(cell_text(block.title.upper()), styles["title"]),
    ]
    if block.year is not None:
        items.append(
            Paragraph(cell_text(_("Năm {year}").format(year=block.year)), styles["subtitle"])
        )
    if block.subtitle:
        items.append(Paragraph(cell_text(block.subtitle), styles["subtitle"]))
    items.append(Spacer(1, 5 * mm))
    return items


def table_pdf(
    block: TitleBlock,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    empty_text: str = "",
    footer: str = "",
    author: str = "",
) -> bytes:
    """The whole document as PDF bytes: ``block``, then the table of ``rows`` (one value per
    column; ``None`` prints empty). ``empty_text`` is printed under the header when there are
    no rows; ``footer`` stands at the bottom left of every page (e.g. the register and year).
    """
    if not columns:
        raise ValueError("a table needs at least one column")
    fonts = pdf_fonts()
    styles = paragraph_styles(fonts)
    usable = PAGE[0] - 2 * MARGIN
    total = sum(c.width for c in columns)
    widths = [usable * c.width / total for c in columns]
    header = [Paragraph(cell_text(c.title), styles["header"]) for c in columns]
    numbers = [Paragraph(f"({i})", styles["center"]) for i in range(1, len(columns) + 1)]
    data: list[list[Any]] = [header, numbers]
    cell_styles = [styles["center"] if c.align == "center" else styles["body"] for c in columns]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"a row has {len(row)} values for {len(columns)} columns")
        data.append([Paragraph(cell_text(v), s) for v, s in zip(row, cell_styles, strict=True)])
    table = grid(data, widths, fonts, header_rows=2, empty_text=empty_text)
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=unicodedata.normalize("NFC", block.title),
        author=unicodedata.normalize("NFC", author or block.agency),
        creator="Congvan",
        initialFontName=fonts.regular,
    )
    document.build(
        [*_title_flowables(block, styles), table],
        canvasmaker=_numbered_canvas(fonts, unicodedata.normalize("NFC", footer)),
    )
    return out.getvalue()
