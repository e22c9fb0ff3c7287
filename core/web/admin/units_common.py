"""Unit labels and choices shared by the org tree pages and the user pages: kind labels,
``(id, label)`` options for a ``<select>`` indented by level."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.i18n import N_
from core.i18n import gettext as _
from core.units.models import UNIT_KINDS

INDENT = "\u00a0\u00a0\u00a0"

KIND_LABELS: dict[str, str] = {
    "agency": N_("Cơ quan"),
    "department": N_("Phòng, ban"),
    "division": N_("Bộ phận"),
    "office": N_("Văn phòng"),
    "other": N_("Khác"),
}
INACTIVE_SUFFIX = N_("(ngừng hoạt động)")


def kind_label(kind: str) -> str:
    return _(KIND_LABELS[kind]) if kind in KIND_LABELS else kind


def kind_options() -> list[tuple[str, str]]:
    return [(kind, kind_label(kind)) for kind in UNIT_KINDS]


def unit_label(row: dict[str, Any], *, indent: bool = True) -> str:
    """``Name (CODE)``, indented by the level, marked when deactivated."""
    label = f"{row['name']} ({row['code']})"
    if not row["is_active"]:
        label = f"{label} {_(INACTIVE_SUFFIX)}"
    return INDENT * int(row["level"]) + label if indent else label


def unit_options(
    rows: Iterable[dict[str, Any]], allowed: set[int] | None = None
) -> list[tuple[int, str]]:
    """``(id, label)`` of ``rows`` (tree order) for a select, only ``allowed`` ids if given."""
    return [
        (int(row["id"]), unit_label(row))
        for row in rows
        if allowed is None or int(row["id"]) in allowed
    ]
