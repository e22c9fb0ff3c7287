"""A record as one PDF: a cover page (the record's metadata and the table of contents, in
chronological order) followed by the PDF main files of its documents, in that order.

The cover is drawn with reportlab in the DejaVu fonts of ``plugins/registry/pdfdoc.py``
(FontUnavailable, a 503, without them); the documents are appended with pypdf. A main file
that is not a readable PDF (a .docx, an encrypted or broken PDF) is not included: the table
of contents names it in the notes. The "Tờ số" column is the page of the bundle where each
document starts (the cover is laid out twice to know its own length).
"""

from __future__ import annotations

import contextvars
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer
from starlette.concurrency import run_in_threadpool

from core import blob_store
from core import gettext as _gettext
from plugins.registry.models_documents import PDF_OK
from plugins.registry.models_records import RECORD_OPEN
from plugins.registry.pdfdoc import cell_text, grid, paragraph_styles, pdf_fonts
from plugins.registry.services.records_export import ExportDocument, RecordExport

MARGIN = 15 * mm


def _(message: str) -> str:
    return str(_gettext(message))


@dataclass
class DocumentPdf:
    """The PDF parts of one exported document and the files left out (with the reason)."""

    item: ExportDocument
    parts: list[bytes] = field(default_factory=list)
    pages: int = 0
    left_out: list[str] = field(default_factory=list)


def _is_pdf(content_type: str, filename: str) -> bool:
    return content_type == "application/pdf" or filename.lower().endswith(".pdf")


async def load_parts(export: RecordExport) -> list[DocumentPdf]:
    """Read the main files of the exported documents; keep the readable PDFs."""
    store = blob_store()
    result = []
    for item in export.documents:
        entry = DocumentPdf(item)
        for f in item.main_files:
            if not _is_pdf(f.content_type, f.filename):
                entry.left_out.append(_("{name}: không phải tệp PDF").format(name=f.filename))
                continue
            if f.pdf_state != PDF_OK:
                entry.left_out.append(
                    _("{name}: tệp PDF bị mã hóa hoặc hỏng").format(name=f.filename)
                )
                continue
            try:
                data = await store.read(f.sha256)
                pages = len(PdfReader(io.BytesIO(data)).pages)
            except Exception:  # a missing blob or a PDF pypdf cannot read: leave it out
                entry.left_out.append(_("{name}: không đọc được tệp").format(name=f.filename))
                continue
            entry.parts.append(data)
            entry.pages += pages
        if not item.main_files:
            entry.left_out.append(_("Văn bản không có tệp chính"))
        result.append(entry)
    return result


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value is not None else ""


def _metadata_rows(export: RecordExport, count: int) -> list[tuple[str, str]]:
    r, v = export.view.record, export.view
    status = _("Đang mở") if r.status == RECORD_OPEN else _("Đã đóng")
    return [
        (_("Mã hồ sơ"), export.file_code),
        (_("Số hồ sơ"), f"{r.code}/{r.year}"),
        (_("Tiêu đề hồ sơ"), r.title),
        (_("Thời hạn bảo quản"), v.retention_name),
        (_("Người lập hồ sơ"), v.creator_name),
        (_("Đơn vị xử lý"), v.handler_unit_name),
        (_("Thời gian bắt đầu"), _date(export.start_date)),
        (_("Thời gian kết thúc"), _date(export.end_date)),
        (_("Số lượng văn bản"), str(count)),
        (_("Số lượng trang"), str(export.page_total)),
        (_("Trạng thái"), status),
        (_("Ghi chú"), r.description),
    ]


def _cover(export: RecordExport, parts: list[DocumentPdf], starts: list[int]) -> bytes:
    fonts = pdf_fonts()
    styles: dict[str, ParagraphStyle] = paragraph_styles(fonts)
    width = A4[0] - 2 * MARGIN
    story: list[Flowable] = [
        Paragraph(cell_text(export.agency_name.upper()), styles["agency"]),
        Spacer(1, 8 * mm),
        Paragraph(cell_text(_("HỒ SƠ")), styles["title"]),
        Paragraph(cell_text(export.view.record.title), styles["subtitle"]),
        Spacer(1, 6 * mm),
    ]
    meta = [
        [Paragraph(cell_text(k), styles["bold"]), Paragraph(cell_text(v), styles["body"])]
        for k, v in _metadata_rows(export, len(parts))
    ]
    story.append(grid(meta, [width * 0.3, width * 0.7], fonts))
    if export.omitted:
        notice = _(
            "{count} văn bản của hồ sơ không có trong bản xuất này vì bạn không có quyền xem."
        ).format(count=export.omitted)
        story += [Spacer(1, 3 * mm), Paragraph(cell_text(notice), styles["bold"])]
    story += [Spacer(1, 8 * mm), Paragraph(cell_text(_("MỤC LỤC VĂN BẢN")), styles["title"])]
    story.append(Spacer(1, 3 * mm))
    titles = [
        _("STT"),
        _("Số, ký hiệu"),
        _("Ngày văn bản"),
        _("Trích yếu nội dung"),
        _("Tác giả"),
        _("Tờ số"),
        _("Ghi chú"),
    ]
    rows: list[list[Any]] = [[Paragraph(cell_text(t), styles["header"]) for t in titles]]
    for entry, start in zip(parts, starts, strict=True):
        d = entry.item.document
        page = str(start) if entry.pages else ""
        note = "; ".join(entry.left_out)
        if entry.left_out and entry.parts:
            note = _("Một phần: ") + note
        elif entry.left_out:
            note = _("Không kèm trong bản PDF: ") + note
        values = [
            entry.item.ordinal,
            entry.item.code,
            _date(d.issued_date),
            d.subject,
            d.organ_name,
            page,
            note,
        ]
        rows.append([Paragraph(cell_text(v), styles["body"]) for v in values])
    ratios = [0.06, 0.14, 0.11, 0.33, 0.16, 0.07, 0.13]
    widths = [width * r for r in ratios]
    story.append(grid(rows, widths, fonts, header_rows=1, empty_text=_("Hồ sơ chưa có văn bản.")))
    out = io.BytesIO()
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=unicodedata.normalize("NFC", export.view.record.title),
        author=unicodedata.normalize("NFC", export.agency_name),
        creator="Congvan",
        initialFontName=fonts.regular,
    )
    document.build(story)
    return out.getvalue()


def _starts(cover_pages: int, parts: list[DocumentPdf]) -> list[int]:
    starts, page = [], cover_pages + 1
    for entry in parts:
        starts.append(page)
        page += entry.pages
    return starts


def record_pdf(export: RecordExport, parts: list[DocumentPdf]) -> bytes:
    """The cover and the documents' PDF pages as one PDF (synchronous, CPU-bound)."""
    cover = _cover(export, parts, _starts(1, parts))
    for _attempt in range(3):  # the page numbers may lengthen the cover; settle them
        cover_pages = len(PdfReader(io.BytesIO(cover)).pages)
        starts = _starts(cover_pages, parts)
        cover = _cover(export, parts, starts)
        if len(PdfReader(io.BytesIO(cover)).pages) == cover_pages:
            break
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(cover)))
    for entry in parts:
        for data in entry.parts:
            writer.append(PdfReader(io.BytesIO(data)))
    writer.add_metadata({"/Title": unicodedata.normalize("NFC", export.view.record.title)})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def build_record_pdf(export: RecordExport) -> bytes:
    """Read the files, then lay out and join the PDF off the event loop (in this request's
    context, so labels come out in the caller's language)."""
    parts = await load_parts(export)
    context = contextvars.copy_context()
    return await run_in_threadpool(context.run, record_pdf, export, parts)
