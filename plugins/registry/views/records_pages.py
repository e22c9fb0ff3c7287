"""Pages of records (hồ sơ): ``/registry/records`` (the records list of a year, filters, the
new-record form) and ``/registry/records/{id}`` (the items in order, adding by search with an
htmx autocomplete, removing, closing, reopening, export links).

The services decide who sees and changes what (``services/records.py``); errors of a change
are shown on the page again with the status of the error (422, 409), nothing lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import (
    AlreadySubmitted,
    Conflict,
    CongvanError,
    InvalidInput,
    NotFound,
    fetch_tenant_rows,
    has_permission,
    read_form,
    redirect,
    render,
    requires,
    submit_once,
)
from core import authenticated as signed_in
from core import gettext as _
from plugins.registry.actions import RECORDS_MANAGE, RECORDS_REOPEN, REGISTRIES_VIEW
from plugins.registry.api import path_id
from plugins.registry.models import RetentionPeriod
from plugins.registry.models_records import RECORD_CLOSED, RECORD_OPEN, RECORD_STATUSES
from plugins.registry.notation import number_year
from plugins.registry.services import records, records_items, records_list
from plugins.registry.views.pages_admin_common import (
    CONFLICT,
    FORM_ERROR,
    PageForm,
    page_status,
    parse_id,
    require,
    vietnamese,
)

LIST_URL = "/registry/records"
LIST_LIMIT = 500
Form = Any  # what core.read_form returns, or a PageForm
ErrorHandler = Callable[[Form, CongvanError], None]


def record_url(record_id: int) -> str:
    return f"{LIST_URL}/{record_id}"


async def unit_choices() -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Active units in tree order where the actor may read records lists (the list's filter:
    ``registry.registries.view`` or ``registry.records.manage``) and where they may open one
    (``registry.records.manage``), in one pass over the tree (two actions per unit, so not
    ``pages_admin_common.unit_options``)."""
    rows = await fetch_tenant_rows(
        "SELECT id, name, path FROM core_unit WHERE {tenant} AND is_active ORDER BY path", []
    )
    readable, manage = [], []
    for row in rows:
        unit_id = int(row["id"])
        option = (unit_id, "— " * max(str(row["path"]).count("/") - 2, 0) + str(row["name"]))
        if await has_permission(RECORDS_MANAGE, unit_id=unit_id):
            manage.append(option)
            readable.append(option)
        elif await has_permission(REGISTRIES_VIEW, unit_id=unit_id):
            readable.append(option)
    return readable, manage


async def retention_options() -> list[tuple[str, str]]:
    periods = await RetentionPeriod.filter(is_active=True).order_by("sort_order", "id")
    return [(p.code, p.name) for p in periods]


class Filters:
    """The list's query string: year (absent: this year; blank: every year), agency, status,
    words."""

    def __init__(self, request: Request, form: Form) -> None:
        params = request.query_params
        self.year: int | None = None if "year" in params else number_year()
        self.unit_id: int | None = None
        self.status: str | None = None
        raw_year = params.get("year", "").strip()
        if raw_year:
            if raw_year.isascii() and raw_year.isdigit() and len(raw_year) == 4:
                self.year = int(raw_year)
            if self.year is None or self.year < 2000:
                form.error("year", _("Năm phải có 4 chữ số, từ 2000."))
                self.year = None
        raw_unit = params.get("unit_id", "").strip()
        if raw_unit:
            self.unit_id = parse_id(raw_unit)
            if self.unit_id is None:
                form.error("unit_id", _("Đơn vị không hợp lệ."))
        raw_status = params.get("status", "").strip()
        if raw_status:
            self.status = raw_status if raw_status in RECORD_STATUSES else None
            if self.status is None:
                form.error("status", _("Trạng thái không hợp lệ."))
        self.q = params.get("q", "").strip()[:200]


async def _list_page(request: Request, new_form: Form | None, *, status: int = 200) -> Response:
    values = dict(request.query_params.items())
    filter_form = PageForm(values=values)
    filters = Filters(request, filter_form)
    if "year" not in values and filters.year is not None:
        filter_form.values["year"] = str(filters.year)
    rows: list[records.RecordView] = []
    if filter_form.ok:
        found = await records_list.list_records(
            records_list.RecordFilters(
                unit_id=filters.unit_id, year=filters.year, status=filters.status, q=filters.q
            ),
            limit=LIST_LIMIT,
        )
        rows = await records.views(found)
    units, manage_units = await unit_choices()
    context = {
        "filter_form": filter_form,
        "rows": rows,
        "limited": len(rows) >= LIST_LIMIT,
        "units": units,
        "manage_units": manage_units,
        "retentions": await retention_options(),
        "form": new_form or PageForm(),
        "statuses": [(RECORD_OPEN, _("Đang mở")), (RECORD_CLOSED, _("Đã đóng"))],
    }
    code = status if new_form is not None else filter_form.status
    return await render(request, "registry/records/list.html", context, status=code)


# ------------------------------------------------------------------------------- errors


def _message(text: str) -> str:
    """A service's short message (a field error, the reason of a conflict) in the page's
    language."""
    known = {
        "closed": _("Hồ sơ đã đóng; hãy mở lại hồ sơ trước khi thay đổi."),
        "open": _("Hồ sơ đang mở."),
        "already in the record": _("Văn bản này đã có trong hồ sơ."),
        "outside the agency unit": _("Đơn vị xử lý phải thuộc cơ quan lập hồ sơ."),
    }
    return known.get(text) or vietnamese(text)


def on_error(field: str, not_found: str) -> ErrorHandler:
    """Record a refused change on the form: the services' field messages next to their fields
    (in Vietnamese), a conflict (409) or a missing object next to ``field``."""

    def record(form: Form, exc: CongvanError) -> None:
        if isinstance(exc, NotFound):
            form.error(field, not_found)
            return
        raw = exc.errors if isinstance(exc, InvalidInput) else exc.extra.get("errors")
        errors = dict(raw) if isinstance(raw, dict) else {}
        conflict = isinstance(exc, Conflict)
        for name, text in errors.items():
            form.error(field if conflict else name, _message(str(text)))
        if not errors:
            form.error(field, exc.detail)
        if conflict:
            form.error(CONFLICT, "1")  # after the message: the add form shows the first one

    return record


CHANGE_ERRORS = (InvalidInput, Conflict, NotFound)


@signed_in
async def records_page(request: Request) -> Response:
    """The records list the user may see, per year, with filters."""
    return await _list_page(request, None)


@requires(RECORDS_MANAGE, anywhere=True)
async def create_record(request: Request) -> Response:
    """Open a record from the form of the list page."""
    form = await read_form(request)
    require(form, "unit_id", "title", "retention")
    unit_id = parse_id(form.get("unit_id"))
    if form.get("unit_id").strip() and unit_id is None:
        form.error("unit_id", _("Đơn vị không hợp lệ."))
    raw_handler = form.get("handler_unit_id").strip()
    handler_id = parse_id(raw_handler)
    if raw_handler and handler_id is None:
        form.error("handler_unit_id", _("Đơn vị không hợp lệ."))
    if form.ok and unit_id is not None:
        # Not core.submit_once: the redirect goes to the record just opened.
        try:
            async with form.once():
                record = await records.open_record(
                    unit_id,
                    form.get("title"),
                    form.get("retention"),
                    handler_unit_id=handler_id,
                    description=form.get("description"),
                )
        except AlreadySubmitted:
            return redirect(request, LIST_URL, _("Biểu mẫu này đã được gửi."), "info")
        except CHANGE_ERRORS as exc:
            on_error("unit_id", _("Không có đơn vị này."))(form, exc)
        else:
            message = _("Đã mở hồ sơ số {code}/{year}.").format(code=record.code, year=record.year)
            return redirect(request, record_url(record.id), message)
    return await _list_page(request, form, status=page_status(form))


# ------------------------------------------------------------------------------- detail


async def detail_page(
    request: Request,
    record_id: int,
    *,
    add_form: Form | None = None,
    status_form: Form | None = None,
    status: int = 200,
) -> Response:
    record = await records.get_record(record_id)
    view = await records.view(record)
    listed = await records_items.record_items(record)
    manage = await records.can_manage(record)
    query = request.query_params.get("q", "").strip()[:200]
    found = []
    if manage and record.status == RECORD_OPEN and query:
        found = await records_items.candidates(record, query)
    context = {
        "view": view,
        "record": record,
        "items": listed.items,
        "hidden": listed.hidden,
        "can_manage": manage,
        "is_open": record.status == RECORD_OPEN,
        "can_reopen": await records.allowed(RECORDS_REOPEN, record.unit_id),
        "q": query,
        "candidates": found,
        "add_form": add_form or PageForm(),
        "status_form": status_form or PageForm(),
        "code_of": records_items.document_code,
    }
    return await render(request, "registry/records/detail.html", context, status=status)


@signed_in
async def record_page(request: Request) -> Response:
    return await detail_page(request, path_id(request, "record_id"))


@signed_in
async def candidates_fragment(request: Request) -> Response:
    """The htmx autocomplete: matching documents, each with its add button."""
    record = await records.get_record(path_id(request, "record_id"))
    query = request.query_params.get("q", "").strip()[:200]
    found = []
    if await records.can_manage(record) and record.status == RECORD_OPEN and query:
        found = await records_items.candidates(record, query)
    context = {
        "record": record,
        "candidates": found,
        "q": query,
        "code_of": records_items.document_code,
    }
    return await render(request, "registry/records/_candidates.html", context)


async def _change(
    request: Request,
    change: Callable[[Form], Awaitable[Any]],
    message: str,
    *,
    field: str,
    not_found: str = "",
    target: str = "add",
) -> Response:
    """Run a change of the detail page once; on an error show the page again with it (422,
    409 for a conflict)."""
    record_id = path_id(request, "record_id")
    form = await read_form(request)
    done = await submit_once(
        request,
        form,
        lambda: change(form),
        url=record_url(record_id),
        message=message,
        on_error=on_error(field, not_found or _("Không tìm thấy văn bản này.")),
        errors=CHANGE_ERRORS,
    )
    if done is not None:
        return done
    forms = {"add_form": form} if target == "add" else {"status_form": form}
    return await detail_page(request, record_id, status=page_status(form), **forms)


@signed_in
async def add_item(request: Request) -> Response:
    record_id = path_id(request, "record_id")

    async def change(form: Form) -> None:
        document_id = parse_id(form.get("document_id"))
        if document_id is None:
            raise InvalidInput("document", {"document_id": _("Chọn một văn bản.")})
        await records_items.add_document(record_id, document_id)

    return await _change(request, change, _("Đã thêm văn bản vào hồ sơ."), field="document_id")


@signed_in
async def remove_item(request: Request) -> Response:
    record_id = path_id(request, "record_id")
    document_id = path_id(request, "document_id")

    async def change(form: Form) -> None:
        await records_items.remove_document(record_id, document_id)

    return await _change(
        request,
        change,
        _("Đã bỏ văn bản khỏi hồ sơ."),
        field="document_id",
        not_found=_("Văn bản này không có trong hồ sơ."),
    )


@signed_in
async def close_record(request: Request) -> Response:
    record_id = path_id(request, "record_id")

    async def change(form: Form) -> None:
        await records.close_record(record_id)

    message = _("Đã đóng hồ sơ.")
    return await _change(request, change, message, field=FORM_ERROR, target="status")


@signed_in
async def reopen_record(request: Request) -> Response:
    record_id = path_id(request, "record_id")

    async def change(form: Form) -> None:
        if not form.get("reason").strip():
            raise InvalidInput("reason", {"reason": _("Vui lòng nhập lý do mở lại.")})
        await records.reopen_record(record_id, form.get("reason"))

    message = _("Đã mở lại hồ sơ.")
    return await _change(request, change, message, field=FORM_ERROR, target="status")
