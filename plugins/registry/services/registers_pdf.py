"""A register (:class:`~plugins.registry.services.registers.Register`) as a printable PDF
book: the columns of ND30 Phụ lục IV, dates as ``dd/mm/yyyy``, through :mod:`..pdfdoc`."""

from __future__ import annotations

from datetime import date
from typing import Any

from core import N_
from plugins.registry.files import safe_filename
from plugins.registry.pdfdoc import Column, TitleBlock, table_pdf
from plugins.registry.services.registers import (
    KIND_INCOMING,
    KIND_OUTGOING,
    KIND_PROCESSING,
    Register,
    _,
)

LEFT, CENTER = "left", "center"

# (header, relative width, alignment) per kind, in the order of the printed book.
COLUMNS: dict[str, list[tuple[str, float, str]]] = {
    KIND_INCOMING: [
        (N_("Ngày đến"), 1.5, CENTER),
        (N_("Số đến"), 0.9, CENTER),
        (N_("Tác giả (cơ quan ban hành)"), 2.2, LEFT),
        (N_("Số, ký hiệu"), 1.6, LEFT),
        (N_("Ngày tháng"), 1.5, CENTER),
        (N_("Tên loại và trích yếu nội dung"), 4.2, LEFT),
        (N_("Đơn vị hoặc người nhận"), 2.0, LEFT),
        (N_("Ngày chuyển"), 1.5, CENTER),
        (N_("Ký nhận"), 1.3, LEFT),
        (N_("Ghi chú"), 1.8, LEFT),
    ],
    KIND_OUTGOING: [
        (N_("Số, ký hiệu văn bản"), 1.7, LEFT),
        (N_("Ngày tháng văn bản"), 1.5, CENTER),
        (N_("Tên loại và trích yếu nội dung"), 4.2, LEFT),
        (N_("Người ký"), 1.8, LEFT),
        (N_("Nơi nhận văn bản"), 2.0, LEFT),
        (N_("Đơn vị, người nhận bản lưu"), 1.8, LEFT),
        (N_("Số lượng bản"), 1.0, CENTER),
        (N_("Ngày chuyển"), 1.5, CENTER),
        (N_("Ký nhận"), 1.3, LEFT),
        (N_("Ghi chú"), 1.8, LEFT),
    ],
    KIND_PROCESSING: [
        (N_("Số đến"), 0.9, CENTER),
        (N_("Tên loại, số, ký hiệu, ngày tháng văn bản, cơ quan ban hành"), 4.0, LEFT),
        (N_("Đơn vị hoặc người giải quyết"), 2.2, LEFT),
        (N_("Thời hạn giải quyết"), 1.5, CENTER),
        (N_("Tiến độ giải quyết"), 2.2, LEFT),
        (N_("Số, ký hiệu văn bản trả lời"), 1.8, LEFT),
        (N_("Ghi chú"), 2.0, LEFT),
    ],
}


def _date(value: str | None) -> str:
    """An ISO date of a row as ``dd/mm/yyyy`` (ND30 registers)."""
    return date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


def _lines(*parts: Any) -> str:
    return "\n".join(str(p) for p in parts if p)


def _cells(kind: str, row: dict[str, Any]) -> list[Any]:
    if kind == KIND_INCOMING:
        return [
            _date(row["arrival_date"]),
            row["arrival_number"],
            row["organ_name"],
            row["code"],
            _date(row["issued_date"]),
            _lines(row["type_name"], row["subject"]),
            row["recipient"],
            _date(row["forwarded_date"]),
            row["received_by"],
            row["note"],
        ]
    if kind == KIND_OUTGOING:
        return [
            row["code"],
            _date(row["issued_date"]),
            _lines(row["type_name"], row["subject"]),
            row["signer"],
            row["recipients"],
            row["keeping_unit"],
            row["copies"],
            _date(row["sent_date"]),
            row["received_by"],
            row["note"],
        ]
    progress = row["progress"]
    if row["overdue"]:
        progress = _lines(progress, _("Quá hạn"))
    if row["completed_date"]:
        progress = _lines(progress, _("ngày {day}").format(day=_date(row["completed_date"])))
    return [
        row["arrival_number"],
        _lines(row["type_name"], row["code"], _date(row["issued_date"]), row["organ_name"]),
        row["handler"],
        _date(row["deadline"]),
        progress,
        row["reply_code"],
        row["note"],
    ]


def register_filename(register: Register) -> str:
    """``Sổ đăng ký văn bản đến - Sổ văn bản đến - 2026.pdf`` (safe to send and store)."""
    return safe_filename(f"{register.title} - {register.registry.name} - {register.year}.pdf")


def register_pdf(register: Register) -> bytes:
    """The register as PDF bytes (synchronous and CPU-bound: run it in a worker thread)."""
    columns = [Column(_(title), width, align) for title, width, align in COLUMNS[register.kind]]
    block = TitleBlock(
        agency=register.agency_name,
        title=register.title,
        year=register.year,
        subtitle=register.registry.name,
    )
    footer = f"{register.title} — {register.registry.name} — {register.year}"
    return table_pdf(
        block,
        columns,
        (_cells(register.kind, row) for row in register.rows),
        empty_text=_("Không có số nào trong năm {year}.").format(year=register.year),
        footer=footer,
        author=register.agency_name,
    )
