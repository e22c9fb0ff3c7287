"""The search page ``/registry/search``: query box and filters (a GET form, so a search can be
bookmarked), results urgent-first with overdue ones marked, htmx paging and filter changes
(only the results are replaced), save-this-search, the user's saved searches, export links.

Signed-in users only; the results are what :func:`services.documents.visibility` allows. A
bad filter is shown next to its field (422). Saving and deleting are POST forms with the CSRF
token and a submit-once nonce; a saved search of someone else is 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from core import InvalidInput, authenticated, read_form, redirect, render, submit_once
from plugins.registry.models import (
    DIRECTIONS,
    ConfidentialityLevel,
    DocumentType,
    Registry,
    UrgencyLevel,
)
from plugins.registry.services import search_saved
from plugins.registry.services.registers_data import unit_names
from plugins.registry.services.search import SearchPage, search_documents
from plugins.registry.services.search_filters import (
    FILTER_NAMES,
    TRUE_VALUES,
    SearchFilters,
    parse_filters,
)
from plugins.registry.services.search_rows import (
    DIRECTION_LABELS,
    STATUS_LABELS,
    _,
    load_labels,
    result_row,
)
from plugins.registry.views.search import parse_page

PAGE = "/registry/search"
RESULTS = "registry/search/_results.html"


@dataclass
class FilterForm:
    """The typed values and errors of the GET filter form (what ``core/forms.html`` reads)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def checked(self, name: str) -> bool:
        return self.values.get(name, "").lower() in TRUE_VALUES


async def _choices() -> dict[str, list[tuple[str, str]]]:
    unit_ids = sorted({int(str(u)) for u in await Registry.all().values_list("unit_id", flat=True)})
    names = await unit_names(set(unit_ids))
    units = [(str(unit_id), names[unit_id]) for unit_id in unit_ids if unit_id in names]
    return {
        "direction": [(d, _(DIRECTION_LABELS[d])) for d in DIRECTIONS],
        "document_type": [(t.code, t.name) for t in await DocumentType.all().order_by("name")],
        "urgency": [(u.code, u.name) for u in await UrgencyLevel.all().order_by("weight")],
        "confidentiality": [
            (c.code, c.name) for c in await ConfidentialityLevel.all().order_by("level")
        ],
        "status": [(key, _(label)) for key, label in STATUS_LABELS.items()],
        "unit": units,
        "date_field": [("issued", _("Ngày văn bản")), ("arrival", _("Ngày đến"))],
    }


def _query(filters: SearchFilters, **extra: Any) -> str:
    params: dict[str, Any] = dict(filters.as_params())
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)


async def _context(
    form: FilterForm, filters: SearchFilters | None, page: SearchPage | None, *, whole: bool
) -> dict[str, Any]:
    """What the templates read; the filter form's choices and the saved searches only for
    the ``whole`` page (an htmx request replaces the results alone)."""
    rows: list[dict[str, Any]] = []
    if page is not None:
        labels = await load_labels()
        rows = [result_row(hit, labels) for hit in page.hits]
    query = _query(filters) if filters is not None else ""
    next_url = prev_url = None
    if page is not None and filters is not None:
        if page.has_next:
            next_url = f"{PAGE}?{_query(filters, offset=page.offset + len(page.hits))}"
        if page.offset > 0:
            previous = max(0, page.offset - page.limit)
            prev_url = f"{PAGE}?{_query(filters, offset=previous or None)}"
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "query": query,
        "next_url": next_url,
        "prev_url": prev_url,
    }
    if whole:
        context["choices"] = await _choices()
        context["saved"] = await search_saved.list_saved_searches()
        context["save_values"] = filters.as_params() if filters is not None else {}
    return context


def _wants_results_only(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true" and (
        request.headers.get("HX-Target") == "search-results"
    )


async def _show(
    request: Request, params: Mapping[str, str], save_form: Any = None, status: int = 200
) -> Response:
    form = FilterForm(values={name: params.get(name, "") for name in FILTER_NAMES})
    filters: SearchFilters | None = None
    page: SearchPage | None = None
    try:
        filters = parse_filters(params, extra=("offset", "limit"))
        offset, limit = parse_page(params)
        page = await search_documents(filters, offset=offset, limit=limit)
    except InvalidInput as exc:
        form.errors.update(exc.errors or {"__form__": exc.detail})
        filters, page, status = None, None, 422
    whole = not _wants_results_only(request)
    context = await _context(form, filters, page, whole=whole)
    context["save_form"] = save_form
    template = "registry/search/search.html" if whole else RESULTS
    return await render(request, template, context, status=status)


@authenticated
async def search_page(request: Request) -> Response:
    """The search page (or, for htmx, only its results)."""
    return await _show(request, request.query_params)


@authenticated
async def save_search(request: Request) -> Response:
    """Save the filters posted with the form under the name typed."""
    form = await read_form(request)
    params = {name: form.get(name) for name in FILTER_NAMES if form.get(name)}
    back = f"{PAGE}?{urlencode(params)}" if params else PAGE
    if not form.get("name").strip():
        form.error("name", _("Nhập tên cho tìm kiếm cần lưu."))
    done = await submit_once(
        request,
        form,
        lambda: search_saved.create_saved_search(form.get("name"), params),
        url=back,
        message=_("Đã lưu tìm kiếm."),
    )
    if done is not None:
        return done
    return await _show(request, params, save_form=form, status=form.status)


@authenticated
async def delete_search(request: Request) -> Response:
    """Delete one of the user's saved searches (404 for anyone else's)."""
    search_id = int(request.path_params["search_id"])
    await search_saved.get_saved_search(search_id)
    form = await read_form(request)
    done = await submit_once(
        request,
        form,
        lambda: search_saved.delete_saved_search(search_id),
        url=PAGE,
        message=_("Đã xóa tìm kiếm đã lưu."),
    )
    if done is not None:
        return done
    return redirect(request, PAGE, form.errors.get("__form__", ""), "error")
