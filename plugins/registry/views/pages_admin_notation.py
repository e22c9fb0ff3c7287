"""The live example of a registry's numbering (``15/QĐ-UBND``), computed on the server with
the same rules the numbering service applies (``plugins/registry/notation.py``).

The registry form shows it when rendered and refreshes it with htmx
(``GET /registry/registries/notation-example`` answers the fragment) as the user types.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from core import gettext as _
from core import render, requires
from plugins.registry.actions import REGISTRIES_MANAGE
from plugins.registry.models import INCOMING, DocumentType
from plugins.registry.notation import (
    MAX_CODE_NOTATION,
    abbreviation_problem,
    format_number,
    full_code,
    pattern_problem,
    render_notation,
    uses_unit,
)
from plugins.registry.units import find_unit
from plugins.registry.views.pages_admin_common import parse_id, vietnamese

EXAMPLE_NUMBER = 15
EXAMPLE_UNIT = "VP"  # stands for the drafting unit's short name in the example
FALLBACK_TYPE = "quyet_dinh"


@dataclass(frozen=True)
class Example:
    """What the form shows: the code (``15/QĐ-UBND``) or why there is none, and a note."""

    code: str = ""
    problem: str = ""
    note: str = ""


async def document_types() -> list[DocumentType]:
    """Every document type of the tenant (active or not), in the reference list's order."""
    return list(await DocumentType.all().order_by("sort_order", "id"))


def _example_type(codes: list[str], types: list[DocumentType]) -> DocumentType | None:
    """The first chosen type with an abbreviation, else the first chosen one, else Quyết
    định, else the first active type with an abbreviation."""
    by_code = {t.code: t for t in types}
    chosen = [by_code[code] for code in codes if code in by_code]
    found = next((t for t in chosen if t.abbreviation), chosen[0] if chosen else None)
    if found is not None:
        return found
    fallback = by_code.get(FALLBACK_TYPE)
    if fallback is not None and fallback.is_active:
        return fallback
    return next((t for t in types if t.is_active and t.abbreviation), None)


async def notation_example(
    direction: str,
    pattern: str,
    agency: str,
    codes: list[str],
    unit_id: int | None = None,
    types: list[DocumentType] | None = None,
) -> Example:
    """The code the registry would give its 15th document of the year; ``types`` are the
    tenant's document types when the caller has them (a list page computes many examples)."""
    number = format_number(EXAMPLE_NUMBER)
    if direction == INCOMING:
        return Example(
            number, note=_("Sổ văn bản đến cấp số đến theo năm (01, 02, …), không có ký hiệu.")
        )
    agency = agency.strip()
    if not agency and unit_id is not None:
        unit = await find_unit(unit_id)
        agency = unit.abbreviation if unit is not None else ""
    pattern = pattern.strip()
    problem = pattern_problem(pattern) or abbreviation_problem(agency)
    if problem:
        return Example(problem=vietnamese(problem))
    if not agency:
        return Example(problem=_("Nhập tên viết tắt của cơ quan để xem ví dụ."))
    if types is None:
        types = await document_types()
    document_type = _example_type(codes, types)
    type_abbr = document_type.abbreviation if document_type is not None else "QĐ"
    used = (document_type.notation_pattern if document_type is not None else "") or pattern
    notation = render_notation(used, type_abbr=type_abbr, agency=agency, unit=EXAMPLE_UNIT)
    notes = []
    if document_type is not None:
        notes.append(_("Ví dụ với loại %(type)s.") % {"type": document_type.name})
        if document_type.notation_pattern:
            notes.append(
                _("Loại văn bản này có mẫu ký hiệu riêng (%(pattern)s).")
                % {"pattern": document_type.notation_pattern}
            )
    if uses_unit(used):
        notes.append(_("{unit} là tên viết tắt của đơn vị soạn thảo, ví dụ VP."))
    if len(notation) > MAX_CODE_NOTATION:
        return Example(problem=_("Ký hiệu dài quá 30 ký tự."))
    return Example(full_code(number, notation), note=" ".join(notes))


@requires(REGISTRIES_MANAGE, anywhere=True)
async def notation_example_fragment(request: Request) -> Response:
    """The example of the registry form for the values typed so far (htmx)."""
    params = request.query_params
    example = await notation_example(
        params.get("direction", ""),
        params.get("notation_pattern", "")[:100],
        params.get("agency_abbreviation", "")[:60],
        [c[:50] for c in params.getlist("document_types")[:100]],
        parse_id(params.get("unit_id", "")),
    )
    return await render(request, "registry/admin/_notation_example.html", {"example": example})
