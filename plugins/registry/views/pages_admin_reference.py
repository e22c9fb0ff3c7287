"""Pages of the reference data (``/registry/reference``): one tab per kind, the list, and the
add and edit forms.

Reference data is tenant data: reading needs ``registry.reference.view`` in some unit,
changing it ``registry.reference.manage`` tenant-wide (the holders of the view right see the
lists without the forms). Items are never deleted: the edit form deactivates them. A code is
fixed once the item exists.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import (
    N_,
    Conflict,
    CongvanError,
    has_permission,
    read_form,
    render,
    requires,
    submit_once,
)
from core import gettext as _
from plugins.registry.actions import REFERENCE_MANAGE, REFERENCE_VIEW
from plugins.registry.models import ReferenceItem
from plugins.registry.services import reference
from plugins.registry.views.pages_admin_common import (
    CONFLICT,
    FormLike,
    PageForm,
    page_status,
    parse_int,
    record_errors,
    require,
)

BASE = "/registry/reference"
DEFAULT_KIND = "document-types"
TEMPLATE_LIST = "registry/admin/reference.html"
TEMPLATE_FORM = "registry/admin/reference_form.html"
# Tab titles, in the order of the tabs.
TITLES = {
    "document-types": N_("Loại văn bản"),
    "copy-forms": N_("Hình thức bản sao"),
    "urgency-levels": N_("Độ khẩn"),
    "confidentiality-levels": N_("Độ mật"),
    "retention-periods": N_("Thời hạn bảo quản"),
}
# The whole-number field of a kind, with its column title and hint.
NUMBER_FIELDS = {
    "urgency-levels": ("weight", N_("Trọng số"), N_("Số lớn hơn là khẩn hơn; 0 là thường.")),
    "confidentiality-levels": (
        "level",
        N_("Mức độ mật"),
        N_("0 là không mật; lớn hơn 0 được đánh số theo dãy số văn bản mật."),
    ),
    "retention-periods": (
        "years",
        N_("Số năm"),
        N_("Để trống nếu bảo quản vĩnh viễn."),
    ),
}
TEXT_FIELDS = ("abbreviation", "notation_pattern")


def kind_url(kind: str) -> str:
    return f"{BASE}/{kind}"


def _tabs(current: str) -> list[dict[str, Any]]:
    return [
        {"key": key, "title": _(title), "url": kind_url(key), "current": key == current}
        for key, title in TITLES.items()
    ]


def _detail(kind: reference.Kind, item: ReferenceItem) -> str:
    """The kind's own fields of an item, as one cell (abbreviation, weight, level, years)."""
    if "abbreviation" in kind.fields:
        return str(getattr(item, "abbreviation", "") or "")
    if kind.key == "retention-periods":
        years = getattr(item, "years", None)
        return _("Vĩnh viễn") if years is None else _("%(years)s năm") % {"years": years}
    name = NUMBER_FIELDS[kind.key][0]
    return str(getattr(item, name))


async def _can_manage() -> bool:
    return await has_permission(REFERENCE_MANAGE)


@requires(REFERENCE_VIEW, anywhere=True)
async def reference_page(request: Request) -> Response:
    """The list of one kind (``/registry/reference`` shows the document types)."""
    kind = reference.get_kind(str(request.path_params.get("kind", DEFAULT_KIND)))
    items = await reference.list_items(kind.key)
    rows = [
        {
            "code": item.code,
            "name": item.name,
            "detail": _detail(kind, item),
            "pattern": getattr(item, "notation_pattern", ""),
            "sort_order": item.sort_order,
            "is_active": item.is_active,
            "edit_url": f"{kind_url(kind.key)}/{item.code}/edit",
        }
        for item in items
    ]
    context = {
        "kind": kind.key,
        "title": _(TITLES[kind.key]),
        "tabs": _tabs(kind.key),
        "rows": rows,
        "detail_title": _detail_title(kind),
        "has_pattern": "notation_pattern" in kind.fields,
        "can_manage": await _can_manage(),
        "new_url": f"{kind_url(kind.key)}/new",
    }
    return await render(request, TEMPLATE_LIST, context)


def _detail_title(kind: reference.Kind) -> str:
    if "abbreviation" in kind.fields:
        return _("Viết tắt")
    return _(NUMBER_FIELDS[kind.key][1])


# ------------------------------------------------------------------------------ forms


def _values(kind: reference.Kind, form: FormLike) -> dict[str, Any]:
    """The typed values, checked for what the page can tell; errors marked on ``form``."""
    require(form, "name")
    values: dict[str, Any] = {"name": form.get("name").strip()}
    order = parse_int(form, "sort_order", blank=0)
    if order is not None:
        values["sort_order"] = order
    values["is_active"] = form.checked("is_active")
    for name in TEXT_FIELDS:
        if name in kind.fields:
            values[name] = form.get(name).strip()
    if kind.key in NUMBER_FIELDS:
        name = NUMBER_FIELDS[kind.key][0]
        blank = None if name == "years" else 0
        number = parse_int(form, name, blank=blank)
        if number is not None or name == "years":
            values[name] = number
    return values


def _form_context(
    kind: reference.Kind, form: FormLike, item: ReferenceItem | None
) -> dict[str, Any]:
    number = NUMBER_FIELDS.get(kind.key)
    return {
        "kind": kind.key,
        "kind_title": _(TITLES[kind.key]),
        "list_url": kind_url(kind.key),
        "form": form,
        "item": item,
        "action": (
            f"{kind_url(kind.key)}/{item.code}/edit" if item else f"{kind_url(kind.key)}/new"
        ),
        "text_fields": [n for n in TEXT_FIELDS if n in kind.fields],
        "number_field": (number[0], _(number[1]), _(number[2])) if number else None,
    }


def _on_error(form: Any, exc: CongvanError) -> None:
    if isinstance(exc, Conflict):  # the only conflict of a create: the code is taken
        form.error("code", _("Mã này đã được dùng cho một mục khác."))
        form.error(CONFLICT, "1")
        return
    record_errors(
        form, exc, ("code", "name", "sort_order", *TEXT_FIELDS, "weight", "level", "years")
    )


@requires(REFERENCE_MANAGE)
async def new_item(request: Request) -> Response:
    """Add an item of a kind (GET: the form; POST: create, then back to the tab)."""
    kind = reference.get_kind(str(request.path_params["kind"]))
    if request.method != "POST":
        next_order = max((i.sort_order for i in await reference.list_items(kind.key)), default=0)
        form = PageForm(values={"sort_order": str(next_order + 10), "is_active": "on"})
        return await render(request, TEMPLATE_FORM, _form_context(kind, form, None))
    posted = await read_form(request)
    code = posted.get("code").strip()
    require(posted, "code")
    values = _values(kind, posted)
    done = await submit_once(
        request,
        posted,
        lambda: reference.create_item(kind.key, code, **values),
        url=kind_url(kind.key),
        message=lambda item: _("Đã thêm “%(name)s”.") % {"name": item.name},
        on_error=_on_error,
    )
    if done is not None:
        return done
    context = _form_context(kind, posted, None)
    return await render(request, TEMPLATE_FORM, context, status=page_status(posted))


@requires(REFERENCE_MANAGE)
async def edit_item(request: Request) -> Response:
    """Change an item (not its code); unticking "Đang sử dụng" deactivates it."""
    kind = reference.get_kind(str(request.path_params["kind"]))
    item = await reference.get_item(kind.key, str(request.path_params["code"]))
    if request.method != "POST":
        values = {
            "name": item.name,
            "sort_order": str(item.sort_order),
            "is_active": "on" if item.is_active else "",
        }
        for name in (*TEXT_FIELDS, "weight", "level", "years"):
            if name in kind.fields:
                value = getattr(item, name)
                values[name] = "" if value is None else str(value)
        form = PageForm(values=values)
        return await render(request, TEMPLATE_FORM, _form_context(kind, form, item))
    posted = await read_form(request)
    values = _values(kind, posted)
    done = await submit_once(
        request,
        posted,
        lambda: reference.update_item(kind.key, item.code, **values),
        url=kind_url(kind.key),
        message=lambda changed: _("Đã lưu “%(name)s”.") % {"name": changed.name},
        on_error=_on_error,
    )
    if done is not None:
        return done
    context = _form_context(kind, posted, item)
    return await render(request, TEMPLATE_FORM, context, status=page_status(posted))
