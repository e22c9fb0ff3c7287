"""Pages of the registries (sổ văn bản): ``/registry/registries`` (the registries of the units
the user may view, with a unit filter), the create and edit forms, deactivate and re-activate.

Permissions are those of the JSON API, checked in the registry's unit: viewing needs
``registry.registries.view``, changing ``registry.registries.manage`` (creating: in the unit
chosen). The unit and the direction are fixed once the registry exists. Conflicts of the
services (mixed numbering scopes, two registries numbering the same types) come back as
errors next to the fields, with status 409.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import (
    N_,
    CongvanError,
    NotFound,
    check_permission,
    current_unit_id,
    has_permission,
    read_form,
    render,
    requires,
    submit_once,
)
from core import gettext as _
from plugins.registry.actions import REGISTRIES_MANAGE, REGISTRIES_VIEW
from plugins.registry.models import DEFAULT_NOTATION, DIRECTIONS, SCOPE_AGENCY, SCOPES, DocumentType
from plugins.registry.services import registries
from plugins.registry.views.pages_admin_common import (
    FormLike,
    PageForm,
    UnitOption,
    page_status,
    parse_id,
    record_errors,
    require,
    unit_names,
    unit_options,
)
from plugins.registry.views.pages_admin_notation import document_types, notation_example
from plugins.registry.views.registries import registry_unit

BASE = "/registry/registries"
FIELDS = (
    "unit_id",
    "direction",
    "name",
    "description",
    "document_types",
    "numbering_scope",
    "agency_abbreviation",
    "notation_pattern",
)
DIRECTION_LABELS = {
    "incoming": N_("Sổ văn bản đến"),
    "outgoing": N_("Sổ văn bản đi"),
    "internal": N_("Sổ văn bản nội bộ"),
}
SCOPE_LABELS = {
    "agency": N_("Chung toàn cơ quan"),
    "registry": N_("Riêng sổ này"),
    "type": N_("Theo loại văn bản"),
}
SCOPE_HELP = {
    "agency": N_(
        "Mọi sổ cùng chiều (đi, hoặc nội bộ) của cơ quan dùng chung một dãy số: 01, 02, … "
        "cho mọi loại văn bản trong năm."
    ),
    "registry": N_(
        "Sổ này có dãy số của riêng nó. Hai sổ đánh số riêng của một cơ quan không được nhận "
        "cùng loại văn bản (sẽ cấp trùng số và ký hiệu)."
    ),
    "type": N_(
        "Mỗi loại văn bản có một dãy số riêng trong cơ quan: Quyết định 01, 02, …; Công văn "
        "01, 02, …"
    ),
}


def registry_url(registry_id: int) -> str:
    return f"{BASE}/{registry_id}"


def direction_label(direction: str) -> str:
    return _(DIRECTION_LABELS.get(direction, direction))


def _type_options(types: list[DocumentType]) -> list[tuple[str, str, bool]]:
    """Every document type (code, "QĐ — Quyết định", active), inactive ones last."""
    return [
        (t.code, f"{t.abbreviation} — {t.name}" if t.abbreviation else t.name, t.is_active)
        for t in sorted(types, key=lambda t: not t.is_active)
    ]


def _scopes() -> list[dict[str, str]]:
    return [{"key": s, "label": _(SCOPE_LABELS[s]), "help": _(SCOPE_HELP[s])} for s in SCOPES]


# ------------------------------------------------------------------------------ list


@requires(REGISTRIES_VIEW, anywhere=True)
async def registries_page(request: Request) -> Response:
    """The registries of the units where the user may view them; ``?unit_id=`` filters (the
    user's current unit by default when it keeps registries; empty: every unit)."""
    views = await registries.list_registries()
    allowed: dict[int, bool] = {}
    visible = []
    for view in views:
        unit_id = view.registry.unit_id
        if unit_id not in allowed:
            try:
                allowed[unit_id] = await has_permission(REGISTRIES_VIEW, unit_id=unit_id)
            except NotFound:  # the unit is gone from the tree
                allowed[unit_id] = False
        if allowed[unit_id]:
            visible.append(view)
    names = await unit_names({v.registry.unit_id for v in visible})
    units = sorted(names.items(), key=lambda item: (item[1], item[0]))
    raw = request.query_params.get("unit_id")
    chosen: int | None
    if raw is None:
        current = await current_unit_id(request)
        chosen = current if current in names else None
    else:
        chosen = parse_id(raw)
        chosen = chosen if chosen in names else None
    types = await document_types()
    type_names = {code: label for code, label, _active in _type_options(types)}
    manageable = {u.id for u in await unit_options(REGISTRIES_MANAGE)}
    rows = []
    for view in visible:
        r = view.registry
        if chosen is not None and r.unit_id != chosen:
            continue
        example = await notation_example(
            r.direction,
            r.notation_pattern,
            r.agency_abbreviation,
            view.document_types,
            types=types,
        )
        rows.append(
            {
                "id": r.id,
                "url": registry_url(r.id),
                "edit_url": f"{registry_url(r.id)}/edit" if r.unit_id in manageable else None,
                "name": r.name,
                "unit": names.get(r.unit_id, str(r.unit_id)),
                "direction": direction_label(r.direction),
                "scope": _(SCOPE_LABELS.get(r.numbering_scope, r.numbering_scope)),
                "types": [type_names.get(c, c) for c in view.document_types],
                "example": example.code,
                "is_active": r.is_active,
            }
        )
    context = {
        "rows": rows,
        "units": units,
        "chosen_unit": chosen,
        "can_create": bool(manageable),
    }
    return await render(request, "registry/admin/registries.html", context)


# ------------------------------------------------------------------------------ forms


def _changes(form: FormLike) -> dict[str, Any]:
    require(form, "name", "notation_pattern")
    scope = form.get("numbering_scope") or SCOPE_AGENCY
    if scope not in SCOPES:
        form.error("numbering_scope", _("Giá trị không hợp lệ."))
    return {
        "name": form.get("name").strip(),
        "description": form.get("description").strip(),
        "document_types": [c for c in form.getlist("document_types") if c.strip()],
        "numbering_scope": scope,
        "notation_pattern": form.get("notation_pattern").strip(),
    }


def _on_error(form: Any, exc: CongvanError) -> None:
    record_errors(form, exc, FIELDS)


async def _form_page(
    request: Request,
    form: FormLike,
    *,
    registry: Any = None,
    state_form: FormLike | None = None,
    units: list[UnitOption] | None = None,
    status: int = 200,
) -> Response:
    """The create form (``registry`` None: ``units`` are the units offered, looked up when
    not given) or the edit form of ``registry``."""
    if registry is None and units is None:
        units = await unit_options(REGISTRIES_MANAGE)
    direction = registry.direction if registry is not None else form.get("direction")
    unit_id = registry.unit_id if registry is not None else parse_id(form.get("unit_id"))
    types = await document_types()
    example = await notation_example(
        direction,
        form.get("notation_pattern"),
        form.get("agency_abbreviation"),
        form.getlist("document_types"),
        unit_id,
        types,
    )
    context = {
        "form": form,
        "state_form": state_form or PageForm(),
        "registry": registry,
        "unit_name": (await unit_names({registry.unit_id})).get(registry.unit_id, "")
        if registry is not None
        else "",
        "units": [(u.id, u.label) for u in units or []],
        "directions": [(d, direction_label(d)) for d in DIRECTIONS],
        "direction_label": direction_label(direction) if registry is not None else "",
        "types": _type_options(types),
        "chosen_types": set(form.getlist("document_types")),
        "scopes": _scopes(),
        "example": example,
        "action": f"{registry_url(registry.id)}/edit" if registry is not None else f"{BASE}/new",
    }
    return await render(request, "registry/admin/registry_form.html", context, status=status)


@requires(REGISTRIES_MANAGE, anywhere=True)
async def new_registry(request: Request) -> Response:
    """Create a registry in a unit where the user holds ``registry.registries.manage``."""
    if request.method != "POST":
        current = await current_unit_id(request)
        options = await unit_options(REGISTRIES_MANAGE)
        unit = next((u for u in options if u.id == current), options[0] if options else None)
        blank = PageForm(
            values={
                "unit_id": str(unit.id) if unit else "",
                "direction": "outgoing",
                "numbering_scope": SCOPE_AGENCY,
                "notation_pattern": DEFAULT_NOTATION,
            }
        )
        return await _form_page(request, blank, units=options)
    form = await read_form(request)
    require(form, "unit_id", "direction")
    unit_id = parse_id(form.get("unit_id"))
    if form.get("unit_id").strip() and unit_id is None:
        form.error("unit_id", _("Đơn vị không hợp lệ."))
    direction = form.get("direction")
    if direction and direction not in DIRECTIONS:
        form.error("direction", _("Giá trị không hợp lệ."))
    values = _changes(form)
    if unit_id is not None and not form.stale:
        # Another tenant's unit is 404, a unit the user may not manage 403 (naming the right).
        await check_permission(REGISTRIES_MANAGE, unit_id=unit_id)
    agency = form.get("agency_abbreviation").strip() or None

    async def create() -> registries.RegistryView:
        assert unit_id is not None
        return await registries.create_registry(
            unit_id, direction, agency_abbreviation=agency, **values
        )

    done = await submit_once(
        request,
        form,
        create,
        url=BASE,
        message=lambda view: _("Đã tạo sổ văn bản “%(name)s”.") % {"name": view.registry.name},
        on_error=_on_error,
    )
    if done is not None:
        return done
    return await _form_page(request, form, status=page_status(form))


def _stored(view: registries.RegistryView) -> PageForm:
    r = view.registry
    return PageForm(
        values={
            "name": r.name,
            "description": r.description,
            "numbering_scope": r.numbering_scope,
            "agency_abbreviation": r.agency_abbreviation,
            "notation_pattern": r.notation_pattern,
        },
        lists={"document_types": list(view.document_types)},
    )


@requires(REGISTRIES_MANAGE, unit=registry_unit)
async def edit_registry(request: Request) -> Response:
    """Change a registry (not its unit or direction)."""
    view = await registries.get_registry_view(int(request.path_params["registry_id"]))
    registry = view.registry
    if request.method != "POST":
        return await _form_page(request, _stored(view), registry=registry)
    form = await read_form(request)
    require(form, "agency_abbreviation")
    values = _changes(form)
    values["agency_abbreviation"] = form.get("agency_abbreviation").strip()
    done = await submit_once(
        request,
        form,
        lambda: registries.update_registry(registry.id, **values),
        url=registry_url(registry.id),
        message=_("Đã lưu sổ văn bản."),
        on_error=_on_error,
    )
    if done is not None:
        return done
    return await _form_page(request, form, registry=registry, status=page_status(form))


async def _set_active(request: Request, active: bool) -> Response:
    view = await registries.get_registry_view(int(request.path_params["registry_id"]))
    registry = view.registry
    form = await read_form(request)
    done = await submit_once(
        request,
        form,
        lambda: registries.update_registry(registry.id, is_active=active),
        url=registry_url(registry.id),
        message=_("Đã dùng lại sổ văn bản.") if active else _("Đã ngừng sử dụng sổ văn bản."),
        on_error=lambda f, exc: record_errors(f, exc, ()),
    )
    if done is not None:
        return done
    return await _form_page(
        request, _stored(view), registry=registry, state_form=form, status=page_status(form)
    )


@requires(REGISTRIES_MANAGE, unit=registry_unit)
async def deactivate_registry(request: Request) -> Response:
    """Stop using a registry: it gives no more numbers; its numbers stay in the register."""
    return await _set_active(request, False)


@requires(REGISTRIES_MANAGE, unit=registry_unit)
async def activate_registry(request: Request) -> Response:
    """Use a registry again (409 when it would mix scopes or repeat another's types)."""
    return await _set_active(request, True)
