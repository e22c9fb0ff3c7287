"""Exports of search results: XLSX (openpyxl) and PDF (reportlab through ``pdfdoc``).

The export runs the same search as the page (the same query and filters, within visibility)
and holds at most :data:`~plugins.registry.services.search.MAX_MATCHES` rows; when more
matched, the file says so in a closing line (and :class:`Export` ``capped``). Each export is
audited as ``registry.search.export`` with the filters, format and row count — after the file
was made, so a failed export leaves no trace of data that never left.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core import N_, current_tenant, record_audit
from plugins.registry.pdfdoc import Column, TitleBlock, table_pdf
from plugins.registry.services.search import MAX_MATCHES, all_matches
from plugins.registry.services.search_filters import SearchFilters
from plugins.registry.services.search_rows import (
    DIRECTION_LABELS,
    STATUS_LABELS,
    _,
    load_labels,
    result_row,
)

Format = Literal["xlsx", "pdf"]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE = N_("Kết quả tìm kiếm văn bản")
CAPPED_NOTE = N_(
    "Chỉ xuất {count} kết quả đầu tiên; còn kết quả khác, hãy thu hẹp điều kiện tìm kiếm."
)
EMPTY_NOTE = N_("Không có văn bản nào khớp điều kiện tìm kiếm.")
DATE_FORMAT = "DD/MM/YYYY"

# (header, key of the row, width in characters); the STT column comes first.
XLSX_COLUMNS: list[tuple[str, str, int]] = [
    (N_("Số, ký hiệu"), "code", 20),
    (N_("Ngày văn bản"), "issued_date", 13),
    (N_("Loại văn bản"), "type_name", 16),
    (N_("Trích yếu nội dung"), "subject", 60),
    (N_("Cơ quan ban hành"), "organ_name", 32),
    (N_("Người ký"), "signer", 22),
    (N_("Loại sổ"), "direction_label", 16),
    (N_("Số đến"), "arrival_number", 9),
    (N_("Ngày đến"), "arrival_date", 13),
    (N_("Độ khẩn"), "urgency", 12),
    (N_("Độ mật"), "confidentiality", 12),
    (N_("Hạn giải quyết"), "due_date", 14),
    (N_("Trạng thái"), "status_label", 18),
    (N_("Quá hạn"), "overdue", 10),
]


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    media_type: str
    rows: int
    capped: bool


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row[key]
    if key == "overdue":
        return _("Quá hạn") if value else ""
    return "" if value is None else value


def xlsx_bytes(rows: Sequence[dict[str, Any]], capped: bool) -> bytes:
    """The rows as a workbook: a Vietnamese header row, real dates, fitted column widths."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its sheet
    sheet.title = _("Kết quả")[:31]
    headers = [_("STT"), *(_(title) for title, _key, _width in XLSX_COLUMNS)]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for number, row in enumerate(rows, start=1):
        sheet.append([number, *(_cell(row, key) for _title, key, _width in XLSX_COLUMNS)])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
    if capped:
        sheet.append([])
        sheet.append([_(CAPPED_NOTE).format(count=MAX_MATCHES)])
    elif not rows:
        sheet.append([_(EMPTY_NOTE)])
    sheet.column_dimensions["A"].width = 6
    for index, (_title, _key, width) in enumerate(XLSX_COLUMNS, start=2):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _lines(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts if p)


def pdf_bytes(rows: Sequence[dict[str, Any]], capped: bool, agency: str, summary: str) -> bytes:
    """The rows as a landscape A4 table (DejaVu fonts: Vietnamese text as typed)."""
    columns = [
        Column(_("STT"), 0.6, "center"),
        Column(_("Số, ký hiệu"), 1.6),
        Column(_("Ngày văn bản"), 1.1, "center"),
        Column(_("Loại văn bản và trích yếu nội dung"), 4.2),
        Column(_("Cơ quan ban hành"), 2.0),
        Column(_("Số đến, ngày đến"), 1.2, "center"),
        Column(_("Độ khẩn, độ mật"), 1.2),
        Column(_("Hạn giải quyết"), 1.1, "center"),
        Column(_("Trạng thái"), 1.4),
    ]
    cells = [
        [
            number,
            row["code"],
            _pdf_date(row["issued_date"]),
            _lines(row["type_name"], row["subject"]),
            row["organ_name"],
            _lines(row["arrival_number"], _pdf_date(row["arrival_date"])),
            _lines(row["urgency"], row["confidentiality"]),
            _pdf_date(row["due_date"]),
            _lines(row["status_label"], _("Quá hạn") if row["overdue"] else ""),
        ]
        for number, row in enumerate(rows, start=1)
    ]
    subtitle = summary
    if capped:
        subtitle = _lines(summary, _(CAPPED_NOTE).format(count=MAX_MATCHES))
    return table_pdf(
        TitleBlock(agency=agency, title=_(TITLE), subtitle=subtitle),
        columns,
        cells,
        empty_text=_(EMPTY_NOTE),
        footer=_(TITLE),
        author=agency,
    )


FILTER_LABELS = {
    "q": N_("Từ khóa"),
    "direction": N_("Loại văn bản"),
    "document_type": N_("Hình thức văn bản"),
    "unit": N_("Đơn vị"),
    "date_field": N_("Theo ngày"),
    "date_from": N_("Từ ngày"),
    "date_to": N_("Đến ngày"),
    "status": N_("Trạng thái"),
    "overdue": N_("Quá hạn"),
    "urgency": N_("Độ khẩn"),
    "confidentiality": N_("Độ mật"),
}
DATE_FIELD_LABELS = {"arrival": N_("ngày đến"), "issued": N_("ngày ban hành")}


def _shown(name: str, value: str) -> str:
    if name in ("date_from", "date_to"):
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    if name == "overdue":
        return _("có")
    labels = {
        "direction": DIRECTION_LABELS,
        "status": STATUS_LABELS,
        "date_field": DATE_FIELD_LABELS,
    }.get(name, {})
    return _(labels[value]) if value in labels else value


def describe(filters: SearchFilters) -> str:
    """A one-line summary of the search for the PDF's title block, in the user's language
    (reference codes and unit ids are shown as they are)."""
    params = filters.as_params()
    if not params:
        return _("Tất cả văn bản")
    return "; ".join(
        f"{_(FILTER_LABELS.get(name, name))}: {_shown(name, value)}"
        for name, value in params.items()
    )


async def export_results(filters: SearchFilters, fmt: Format) -> Export:
    """The results of ``filters`` as an XLSX or PDF file; audited."""
    page = await all_matches(filters)
    # The files are CPU work: made in a worker thread, which runs in a copy of this context
    # (language, tenant) for the labels.
    labels = await load_labels()
    rows = [result_row(hit, labels) for hit in page.hits]
    if fmt == "xlsx":
        content = await asyncio.to_thread(xlsx_bytes, rows, page.capped)
        media_type = XLSX_TYPE
    else:
        agency = current_tenant().name
        summary = describe(filters)
        content = await asyncio.to_thread(pdf_bytes, rows, page.capped, agency, summary)
        media_type = "application/pdf"
    await record_audit(
        "registry.search.export",
        object_type="registry.search",
        after={
            "format": fmt,
            "filters": filters.as_params(),
            "rows": len(rows),
            "capped": page.capped,
        },
    )
    filename = f"{_(TITLE)}.{fmt}"
    return Export(content, filename, media_type, len(rows), page.capped)
