"""Search results as rows of plain values, shared by the JSON API, the page and the exports,
with the Vietnamese labels of directions, statuses, urgency and confidentiality."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from core import N_
from core import gettext as _gettext
from plugins.registry.models import INCOMING, INTERNAL, OUTGOING, UrgencyLevel
from plugins.registry.notation import full_code, vietnam_time
from plugins.registry.services.registers_data import confidentiality_names
from plugins.registry.services.search import SearchHit

DIRECTION_LABELS = {
    INCOMING: N_("Văn bản đến"),
    OUTGOING: N_("Văn bản đi"),
    INTERNAL: N_("Văn bản nội bộ"),
}
STATUS_LABELS = {
    "registered": N_("Đã đăng ký"),
    "refused": N_("Đã từ chối"),
    "assigned": N_("Đã phân công"),
    "processing": N_("Đang giải quyết"),
    "completed": N_("Đã giải quyết"),
    "draft": N_("Dự thảo"),
    "in_review": N_("Đang góp ý"),
    "submitted": N_("Đã trình ký"),
    "returned": N_("Bị trả lại"),
    "approved": N_("Đã duyệt"),
    "signed": N_("Đã ký"),
    "issued": N_("Đã ban hành"),
    "recalled": N_("Đã thu hồi"),
    "received": N_("Đã nhận"),
    "cancelled": N_("Đã hủy"),
}


def _(message: str) -> str:
    return str(_gettext(message))


@dataclass(frozen=True)
class Labels:
    """Names of the urgency and confidentiality levels, by id."""

    urgency: dict[int, str]
    confidentiality: dict[int, str]


async def load_labels() -> Labels:
    urgency = {int(i): str(n) for i, n in await UrgencyLevel.all().values_list("id", "name")}
    return Labels(urgency, await confidentiality_names())


def _arrival_day(value: datetime | None) -> date | None:
    return vietnam_time(value).date() if value is not None else None


def result_row(hit: SearchHit, labels: Labels) -> dict[str, Any]:
    """One result as plain values (dates as :class:`date`; the API turns them into ISO)."""
    d = hit.document
    return {
        "id": d.id,
        "direction": d.direction,
        "direction_label": _(DIRECTION_LABELS.get(d.direction, d.direction)),
        "code": full_code(d.code_number, d.code_notation),
        "issued_date": d.issued_date,
        "type_name": d.type_name,
        "subject": d.subject,
        "organ_name": d.organ_name,
        "signer": d.signer_full_name,
        "arrival_number": d.arrival_number,
        "arrival_date": _arrival_day(d.arrival_date),
        "urgency": labels.urgency.get(d.priority_id, ""),
        "urgent": d.priority_weight > 0,
        "confidentiality": labels.confidentiality.get(d.confidentiality_id, ""),
        "confidential": d.confidentiality_level > 0,
        "due_date": d.due_date,
        "status": d.status,
        "status_label": _(STATUS_LABELS[d.status]) if d.status in STATUS_LABELS else d.status,
        "overdue": hit.overdue,
        "rank": hit.rank,
        "registered_unit_id": d.registered_unit_id,
    }


def json_row(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its dates as ISO strings."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}
