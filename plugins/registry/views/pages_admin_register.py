"""Page of one registry (``/registry/registries/{id}``): its register of a year — every number,
reserved ones marked, released ones shown "đã hủy giữ số" — reserving the next number,
releasing a reservation, and the links that print the registers of ND30 Phụ lục IV
(``GET /api/v1/registry/registries/{id}/registers/{kind}?year=…&format=pdf``).

Viewing needs ``registry.registries.view`` in the registry's unit; reserving and releasing
``registry.numbers.reserve`` there; the print links are shown to holders of
``registry.registers.print``. Confidential numbers keep their number and state, but their
type, note and reason are hidden from those without ``registry.confidential.view`` there.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import (
    N_,
    Conflict,
    CongvanError,
    InvalidInput,
    NotFound,
    has_permission,
    read_form,
    render,
    requires,
    submit_once,
)
from core import gettext as _
from plugins.registry.actions import (
    CONFIDENTIAL_VIEW,
    NUMBERS_RESERVE,
    REGISTERS_PRINT,
    REGISTRIES_MANAGE,
    REGISTRIES_VIEW,
)
from plugins.registry.models import (
    INCOMING,
    RELEASED,
    RESERVED,
    DocumentType,
    Registry,
    RegistryNumber,
)
from plugins.registry.notation import number_year
from plugins.registry.services import numbering, reference, registries, reservations
from plugins.registry.views.pages_admin_common import (
    CONFLICT,
    FORM_ERROR,
    MAX_ID,
    FormLike,
    PageForm,
    page_status,
    parse_id,
    record_errors,
    unit_names,
    units_below,
    user_names,
)
from plugins.registry.views.pages_admin_notation import document_types, notation_example
from plugins.registry.views.pages_admin_registries import (
    SCOPE_LABELS,
    direction_label,
    registry_url,
)
from plugins.registry.views.registries import registry_unit

PAGE_SIZE = 200
MIN_YEAR = 2000
PRINT_URL = "/api/v1/registry/registries/{id}/registers/{kind}?year={year}&format=pdf"
# The registers of ND30 Phụ lục IV that fit each direction, in the order of the buttons.
REGISTERS = {
    "incoming": (
        ("incoming", N_("Sổ đăng ký văn bản đến")),
        ("processing", N_("Sổ theo dõi giải quyết văn bản đến")),
    ),
    "outgoing": (("outgoing", N_("Sổ đăng ký văn bản đi")),),
    "internal": (("outgoing", N_("Sổ đăng ký văn bản đi")),),
}
STATE_LABELS = {
    "issued": N_("Đã cấp"),
    "reserved": N_("Đang giữ số"),
    "released": N_("Đã hủy giữ số"),
}
RESERVE_FIELDS = ("document_type", "confidentiality", "drafting_unit_id", "note")


def _year(raw: str | None) -> int:
    """The year asked for, within 2000 … next year; this year (Vietnam time) otherwise."""
    current = number_year()
    text = (raw or "").strip()
    if (
        text.isascii()
        and text.isdigit()
        and len(text) == 4
        and MIN_YEAR <= int(text) <= current + 1
    ):
        return int(text)
    return current


def _after(raw: str | None) -> tuple[bool, int, int] | None:
    """The keyset position ``c-number-id`` of the next page (``c`` 1: confidential)."""
    parts = (raw or "").split("-")
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 10 for p in parts):
        return None
    number, last = int(parts[1]), int(parts[2])
    if number > MAX_ID or last > MAX_ID:  # out of the database's range
        return None
    return parts[0] == "1", number, last


async def _years(registry: Registry, shown: int) -> list[int]:
    """Next year back to the registry's first year of numbers (at least last year, and the
    year shown), newest first."""
    current = number_year()
    first = await RegistryNumber.filter(registry_id=registry.id).order_by("year").first()
    start = min(first.year if first is not None else current, current - 1, shown)
    return list(range(current + 1, max(start, MIN_YEAR) - 1, -1))


async def _rows(entries: list[RegistryNumber], see_secret: bool) -> list[dict[str, Any]]:
    people = await user_names(
        {ref for e in entries for ref in (e.reserved_by, e.released_by, e.used_by) if ref}
    )
    rows = []
    for e in entries:
        masked = e.confidential and not see_secret
        rows.append(
            {
                "id": e.id,
                "code": e.code,
                "state": e.state,
                "state_label": _(STATE_LABELS.get(e.state, e.state)),
                "confidential": e.confidential,
                "masked": masked,
                "type_name": _("(văn bản mật)") if masked else e.type_name,
                "issued_date": e.issued_date,
                "note": "" if masked else e.note,
                "reserved_at": e.reserved_at,
                "reserved_by": people.get(e.reserved_by, e.reserved_by),
                "released_at": e.released_at,
                "released_by": people.get(e.released_by, e.released_by),
                "release_reason": "" if masked else e.release_reason,
            }
        )
    return rows


async def _reserve_options(
    registry: Registry, taken: list[str], types: list[DocumentType]
) -> dict[str, Any]:
    """The choices of the reserve form: the active types the registry takes (every active
    type when it takes any), the confidentiality levels and the drafting units."""
    offered = [t for t in types if t.is_active and (not taken or t.code in taken)]
    levels = await reference.list_items("confidentiality-levels", include_inactive=False)
    return {
        "types": [(t.code, t.name) for t in offered],
        "levels": [(c.code, c.name) for c in levels],
        "units": await units_below(registry.unit_id),
    }


async def _page(
    request: Request,
    registry_id: int,
    *,
    reserve_form: FormLike | None = None,
    release_form: FormLike | None = None,
    release_for: int | None = None,
    year: int | None = None,
    status: int = 200,
) -> Response:
    view = await registries.get_registry_view(registry_id)
    registry = view.registry
    params = request.query_params
    if year is None:
        year = _year(params.get("year"))
    after = _after(params.get("after")) if reserve_form is None and release_form is None else None
    entries = await numbering.list_numbers(registry.id, year=year, after=after, limit=PAGE_SIZE + 1)
    page = entries[:PAGE_SIZE]
    next_url = None
    if len(entries) > PAGE_SIZE:
        last = page[-1]
        position = f"{int(last.confidential)}-{last.number}-{last.id}"
        next_url = f"{registry_url(registry.id)}?year={year}&after={position}"
    unit = registry.unit_id
    see_secret = await has_permission(CONFIDENTIAL_VIEW, unit_id=unit)
    can_reserve = registry.is_active and await has_permission(NUMBERS_RESERVE, unit_id=unit)
    can_print = await has_permission(REGISTERS_PRINT, unit_id=unit)
    types = await document_types()
    example = await notation_example(
        registry.direction,
        registry.notation_pattern,
        registry.agency_abbreviation,
        view.document_types,
        types=types,
    )
    type_names = {t.code: t.name for t in types}
    context = {
        "registry": registry,
        "unit_name": (await unit_names({unit})).get(unit, str(unit)),
        "direction_label": direction_label(registry.direction),
        "scope_label": _(SCOPE_LABELS.get(registry.numbering_scope, registry.numbering_scope)),
        "types": [type_names.get(c, c) for c in view.document_types],
        "example": example,
        "year": year,
        "years": await _years(registry, year),
        "rows": await _rows(page, see_secret),
        "next_url": next_url,
        "first_url": f"{registry_url(registry.id)}?year={year}" if after is not None else None,
        "can_manage": await has_permission(REGISTRIES_MANAGE, unit_id=unit),
        "can_reserve": can_reserve and registry.direction != INCOMING,
        "reserve_form": reserve_form or PageForm(),
        "release_form": release_form or PageForm(),
        "release_for": release_for,
        "prints": [
            {
                "kind": kind,
                "title": _(title),
                "url": PRINT_URL.format(id=registry.id, kind=kind, year=year),
            }
            for kind, title in REGISTERS.get(registry.direction, ())
        ]
        if can_print
        else [],
        "reserved": RESERVED,
        "released": RELEASED,
    }
    if can_reserve:
        context.update(await _reserve_options(registry, view.document_types, types))
    return await render(request, "registry/admin/registry.html", context, status=status)


@requires(REGISTRIES_VIEW, unit=registry_unit)
async def registry_page(request: Request) -> Response:
    """The register of a year (``?year=``, default this year) with its actions."""
    return await _page(request, int(request.path_params["registry_id"]))


@requires(NUMBERS_RESERVE, unit=registry_unit)
async def reserve(request: Request) -> Response:
    """Reserve the next number (giữ số) for a document being signed."""
    registry = await registries.get_registry(int(request.path_params["registry_id"]))
    form = await read_form(request)
    raw_unit = form.get("drafting_unit_id").strip()
    unit_id = parse_id(raw_unit) if raw_unit else None
    if raw_unit and unit_id is None:
        form.error("drafting_unit_id", _("Đơn vị không hợp lệ."))
    request_ = numbering.NumberRequest(
        document_type=form.get("document_type").strip() or None,
        confidentiality=form.get("confidentiality").strip() or None,
        drafting_unit_id=unit_id,
        note=form.get("note"),
    )

    def on_error(f: Any, exc: CongvanError) -> None:
        if isinstance(exc, NotFound):  # the only lookup left: the drafting unit
            f.error("drafting_unit_id", _("Không có đơn vị này."))
        else:
            record_errors(f, exc, RESERVE_FIELDS)

    done = await submit_once(
        request,
        form,
        lambda: numbering.reserve_number(registry.id, request_),
        url=f"{registry_url(registry.id)}?year={number_year()}",
        message=lambda entry: _("Đã giữ số %(code)s.") % {"code": entry.code},
        on_error=on_error,
        errors=(InvalidInput, Conflict, NotFound),
    )
    if done is not None:
        return done
    return await _page(
        request, registry.id, reserve_form=form, year=number_year(), status=page_status(form)
    )


def _release_error(form: Any, exc: CongvanError) -> None:
    if isinstance(exc, Conflict):  # released or used since the page was shown
        form.error(FORM_ERROR, _("Số này không còn ở trạng thái giữ số."))
        form.error(CONFLICT, "1")
    else:
        record_errors(form, exc, ("reason",))


@requires(NUMBERS_RESERVE, unit=registry_unit)
async def release(request: Request) -> Response:
    """Release a reservation of this registry with a reason; it stays in the register."""
    registry = await registries.get_registry(int(request.path_params["registry_id"]))
    entry = await numbering.get_number(int(request.path_params["number_id"]))
    if entry.registry_id != registry.id:
        raise NotFound(f"No number {entry.id} in registry {registry.id}.")
    form = await read_form(request)
    if not form.get("reason").strip():
        form.error("reason", _("Vui lòng nêu lý do hủy giữ số."))
    done = await submit_once(
        request,
        form,
        lambda: reservations.release_reservation(entry.id, form.get("reason")),
        url=f"{registry_url(registry.id)}?year={entry.year}",
        message=_("Đã hủy giữ số %(code)s; số này không được cấp lại.") % {"code": entry.code},
        on_error=_release_error,
    )
    if done is not None:
        return done
    return await _page(
        request,
        registry.id,
        release_form=form,
        release_for=entry.id,
        year=entry.year,
        status=page_status(form),
    )
