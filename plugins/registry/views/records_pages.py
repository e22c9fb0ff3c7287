"""Pages of records (hồ sơ): ``/registry/records`` (the records list of a year, filters, the
new-record form) and ``/registry/records/{id}`` (the items in order, adding by search with an
htmx autocomplete, removing, closing, reopening, export links).

The services decide who sees and changes what (``services/records.py``); errors of a change
are shown on the page again with the status of the error (422, 409), nothing lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import (
    AlreadySubmitted,
    Conflict,
    InvalidInput,
    NotFound,
    fetch_tenant_rows,
    has_permission,
    read_form,
    redirect,
    render,
    requires,
)
from core import authenticated as signed_in
from core import gettext as _
from plugins.registry.actions import RECORDS_MANAGE, RECORDS_REOPEN, REGISTRIES_VIEW
from plugins.registry.models import RetentionPeriod
from plugins.registry.models_records import RECORD_OPEN, RECORD_STATUSES
from plugins.registry.notation import number_year
from plugins.registry.services import records, records_items, records_list

LIST_URL = "/registry/records"
LIST_LIMIT = 500
Form = Any  # what core.read_form returns, or a PageForm


@dataclass
class PageForm:
    """A form shown before anything was posted (or the list's filters): the interface of the
    ``core/forms.html`` macros and ``form_fields``."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    nonce: str = ""

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def checked(self, name: str) -> bool:
        return self.values.get(name, "") in ("on", "true", "1", "yes")

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def status(self) -> int:
        return 422 if self.errors else 200


def parse_id(raw: str) -> int | None:
    raw = raw.strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10:
        return None
    value = int(raw)
    return value if 0 < value <= 2_147_483_647 else None


def record_url(record_id: int) -> str:
    return f"{LIST_URL}/{record_id}"


async def unit_options(*actions: str) -> list[tuple[int, str]]:
    """Active units where the actor holds one of ``actions``, in tree order."""
    rows = await fetch_tenant_rows(
        "SELECT id, name, path FROM core_unit WHERE {tenant} AND is_active ORDER BY path", []
    )
    options = []
    for row in rows:
        unit_id = int(row["id"])
        for action in actions:
            if await has_permission(action, unit_id=unit_id):
                depth = str(row["path"]).count("/") - 2
                options.append((unit_id, "— " * max(depth, 0) + str(row["name"])))
                break
    return options


async def retention_options() -> list[tuple[str, str]]:
    periods = await RetentionPeriod.filter(is_active=True).order_by("sort_order", "id")
    return [(p.code, p.name) for p in periods]


class Filters:
    """The list's query string: year (default: this year), agency, status, words."""

    def __init__(self, request: Request, form: Form) -> None:
        params = request.query_params
        self.year: int | None = number_year()
        self.unit_id: int | None = None
        self.status: str | None = None
        raw_year = params.get("year", "").strip()
        if raw_year:
            self.year = int(raw_year) if raw_year.isdigit() and len(raw_year) == 4 else None
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
    manage_units = await unit_options(RECORDS_MANAGE)
    context = {
        "filter_form": filter_form,
        "rows": rows,
        "limited": len(rows) >= LIST_LIMIT,
        "units": await unit_options(REGISTRIES_VIEW, RECORDS_MANAGE),
        "manage_units": manage_units,
        "retentions": await retention_options(),
        "form": new_form or PageForm(),
        "statuses": [("open", _("Đang mở")), ("closed", _("Đã đóng"))],
    }
    code = status if new_form is not None else filter_form.status
    return await render(request, "registry/records/list.html", context, status=code)


@signed_in
async def records_page(request: Request) -> Response:
    """The records list the user may see, per year, with filters."""
    return await _list_page(request, None)


@requires(RECORDS_MANAGE, anywhere=True)
async def create_record(request: Request) -> Response:
    """Open a record from the form of the list page."""
    form = await read_form(request)
    for name in ("unit_id", "title", "retention"):
        if not form.get(name).strip():
            form.error(name, _("Vui lòng nhập trường này."))
    unit_id = parse_id(form.get("unit_id")) if form.get("unit_id").strip() else None
    if form.get("unit_id").strip() and unit_id is None:
        form.error("unit_id", _("Đơn vị không hợp lệ."))
    raw_handler = form.get("handler_unit_id").strip()
    handler_id = parse_id(raw_handler) if raw_handler else None
    if raw_handler and handler_id is None:
        form.error("handler_unit_id", _("Đơn vị không hợp lệ."))
    if form.ok and unit_id is not None:
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
        except (InvalidInput, NotFound) as exc:
            if isinstance(exc, InvalidInput):
                form.add_errors(exc)
            else:
                form.error("unit_id", _("Không có đơn vị này."))
        else:
            message = _("Đã mở hồ sơ số {code}/{year}.").format(code=record.code, year=record.year)
            return redirect(request, record_url(record.id), message)
    return await _list_page(request, form, status=form.status)


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
        "can_reopen": await has_permission(RECORDS_REOPEN, unit_id=record.unit_id),
        "q": query,
        "candidates": found,
        "add_form": add_form or PageForm(),
        "status_form": status_form or PageForm(),
        "code_of": records_items.document_code,
    }
    return await render(request, "registry/records/detail.html", context, status=status)


@signed_in
async def record_page(request: Request) -> Response:
    return await detail_page(request, int(request.path_params["record_id"]))


@signed_in
async def candidates_fragment(request: Request) -> Response:
    """The htmx autocomplete: matching documents, each with its add button."""
    record = await records.get_record(int(request.path_params["record_id"]))
    query = request.query_params.get("q", "").strip()[:200]
    found = []
    if await records.can_manage(record) and record.status == RECORD_OPEN and query:
        found = await records_items.candidates(record, query)
    context = {"record": record, "candidates": found, "q": query}
    context["code_of"] = records_items.document_code
    return await render(request, "registry/records/_candidates.html", context)


async def _change(
    request: Request,
    change: Any,
    message: str,
    *,
    field: str,
    target: str = "add",
) -> Response:
    """Run a change of the detail page once; on an error show the page again with it."""
    record_id = int(request.path_params["record_id"])
    form = await read_form(request)
    if form.ok:
        try:
            async with form.once():
                await change(form)
        except AlreadySubmitted:
            return redirect(request, record_url(record_id), _("Biểu mẫu này đã được gửi."), "info")
        except (InvalidInput, Conflict, NotFound) as exc:
            if isinstance(exc, InvalidInput) and exc.errors:
                form.add_errors(exc)
            else:
                form.error(field, exc.detail)
            status = 409 if isinstance(exc, Conflict) else exc.status
            kwargs = {"add_form": form} if target == "add" else {"status_form": form}
            return await detail_page(request, record_id, status=status, **kwargs)
        else:
            return redirect(request, record_url(record_id), message)
    kwargs = {"add_form": form} if target == "add" else {"status_form": form}
    return await detail_page(request, record_id, status=form.status, **kwargs)


@signed_in
async def add_item(request: Request) -> Response:
    record_id = int(request.path_params["record_id"])

    async def change(form: Form) -> None:
        document_id = parse_id(form.get("document_id"))
        if document_id is None:
            raise InvalidInput("document", {"document_id": _("Chọn một văn bản.")})
        await records_items.add_document(record_id, document_id)

    return await _change(request, change, _("Đã thêm văn bản vào hồ sơ."), field="document_id")


@signed_in
async def remove_item(request: Request) -> Response:
    record_id = int(request.path_params["record_id"])
    document_id = int(request.path_params["document_id"])

    async def change(form: Form) -> None:
        await records_items.remove_document(record_id, document_id)

    return await _change(request, change, _("Đã bỏ văn bản khỏi hồ sơ."), field="document_id")


@signed_in
async def close_record(request: Request) -> Response:
    record_id = int(request.path_params["record_id"])

    async def change(form: Form) -> None:
        await records.close_record(record_id)

    message = _("Đã đóng hồ sơ.")
    return await _change(request, change, message, field="__form__", target="status")


@signed_in
async def reopen_record(request: Request) -> Response:
    record_id = int(request.path_params["record_id"])

    async def change(form: Form) -> None:
        if not form.get("reason").strip():
            raise InvalidInput("reason", {"reason": _("Vui lòng nhập lý do mở lại.")})
        await records.reopen_record(record_id, form.get("reason"))

    message = _("Đã mở lại hồ sơ.")
    return await _change(request, change, message, field="reason", target="status")
