"""``/api/v1/registry/search``: search the visible documents, export the results, and the
current user's saved searches.

Open to signed-in users: what they find is what :func:`services.documents.visibility` lets
them see (confidential documents only for those who may see them). Unknown query parameters
and bad values are 422 with ``errors``; another user's saved search is 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import InvalidInput, api_doc, authenticated
from plugins.registry.api import parse_body, path_id, respond
from plugins.registry.downloads import attachment_disposition
from plugins.registry.models_search import SavedSearch
from plugins.registry.schemas_search import (
    ExportQueryIn,
    PageIn,
    SavedSearchIn,
    SavedSearchOut,
    SavedSearchRunOut,
    SearchPageOut,
    SearchQueryIn,
)
from plugins.registry.services import search_saved
from plugins.registry.services.search import (
    DEFAULT_PAGE_SIZE,
    MAX_MATCHES,
    MAX_PAGE_SIZE,
    SearchPage,
    search_documents,
)
from plugins.registry.services.search_export import Format, export_results
from plugins.registry.services.search_filters import parse_filters
from plugins.registry.services.search_rows import json_row, load_labels, result_row

PAGE_PARAMS = ("offset", "limit")


def parse_page(params: Mapping[str, str]) -> tuple[int, int]:
    """``offset`` (0 … 5000) and ``limit`` (1 … 100) of a query string; 422 otherwise."""
    errors: dict[str, str] = {}
    values: dict[str, int] = {"offset": 0, "limit": DEFAULT_PAGE_SIZE}
    bounds = {"offset": (0, MAX_MATCHES), "limit": (1, MAX_PAGE_SIZE)}
    for name, (low, high) in bounds.items():
        raw = params.get(name, "").strip()
        if not raw:
            continue
        if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:
            values[name] = int(raw)
        else:
            errors[name] = f"an integer from {low} to {high}"
    if errors:
        summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise InvalidInput(f"Invalid page: {summary}", errors)
    return values["offset"], values["limit"]


async def page_json(page: SearchPage) -> dict[str, Any]:
    labels = await load_labels()
    return {
        "items": [json_row(result_row(hit, labels)) for hit in page.hits],
        "total": page.total,
        "capped": page.capped,
        "offset": page.offset,
        "limit": page.limit,
        "next_offset": page.offset + len(page.hits) if page.has_next else None,
        "no_terms": page.no_terms,
    }


def saved_json(saved: SavedSearch) -> dict[str, Any]:
    return {
        "id": saved.id,
        "name": saved.name,
        "params": dict(saved.params),
        "created_at": saved.created_at.isoformat(),
    }


@api_doc("Search documents", query=SearchQueryIn, response=SearchPageOut)
@authenticated
async def search(request: Request) -> Response:
    """Find the documents you may see by words (with or without diacritics; in the number,
    subject, issuer, signer, type, description and the files' text) and filters. With ``q``
    the best matches come first (exact diacritics above folded matches), then urgent, then
    newest; without it, urgent then newest."""
    params = request.query_params
    filters = parse_filters(params, extra=PAGE_PARAMS)
    offset, limit = parse_page(params)
    page = await search_documents(filters, offset=offset, limit=limit)
    return respond(await page_json(page))


async def _export(request: Request, fmt: Format) -> Response:
    filters = parse_filters(request.query_params)
    export = await export_results(filters, fmt)
    headers = {
        "Content-Disposition": attachment_disposition(export.filename),
        "Cache-Control": "no-store",
        "X-Congvan-Rows": str(export.rows),
    }
    if export.capped:
        headers["X-Congvan-Capped"] = str(MAX_MATCHES)
    return Response(export.content, media_type=export.media_type, headers=headers)


EXPORT_NOTE = (
    "The results of the same query and filters as `GET /search`, at most 5000 rows (the file "
    "says so when more matched; header `X-Congvan-Capped`). Audited as "
    "`registry.search.export`."
)


@api_doc(
    "Export search results as XLSX",
    query=ExportQueryIn,
    response="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    description=EXPORT_NOTE,
)
@authenticated
async def export_xlsx(request: Request) -> Response:
    return await _export(request, "xlsx")


@api_doc(
    "Export search results as PDF",
    query=ExportQueryIn,
    response="application/pdf",
    errors=(503,),
    description=EXPORT_NOTE + " 503 when the server lacks the PDF fonts.",
)
@authenticated
async def export_pdf(request: Request) -> Response:
    return await _export(request, "pdf")


@api_doc("List my saved searches", response=list[SavedSearchOut])
@authenticated
async def list_saved(request: Request) -> Response:
    """Your saved searches, by name (nobody else sees them)."""
    return respond([saved_json(s) for s in await search_saved.list_saved_searches()])


@api_doc("Save a search", body=SavedSearchIn, response=SavedSearchOut, status=201, errors=(409,))
@authenticated
async def create_saved(request: Request) -> Response:
    """Save ``params`` (the query and filters of ``GET /search``) under ``name``; 409 when
    you already have a saved search with that name."""
    body = await parse_body(request, SavedSearchIn)
    params = {k: v for k, v in body.params.items() if v is not None}
    saved = await search_saved.create_saved_search(body.name, params)
    return respond(saved_json(saved), status=201)


@api_doc("Run a saved search", query=PageIn, response=SavedSearchRunOut)
@authenticated
async def run_saved(request: Request) -> Response:
    """The saved search and a page of its results (404 for anyone else's)."""
    saved = await search_saved.get_saved_search(path_id(request, "search_id"))  # 404 first
    extra = set(request.query_params) - set(PAGE_PARAMS)
    if extra:
        errors = dict.fromkeys(sorted(extra), "unknown parameter")
        raise InvalidInput(f"Invalid page: {', '.join(errors)}: unknown parameter", errors)
    offset, limit = parse_page(request.query_params)
    filters = search_saved.saved_filters(saved)
    page = await search_documents(filters, offset=offset, limit=limit)
    return respond({"saved_search": saved_json(saved), "results": await page_json(page)})


@api_doc("Delete a saved search", response=None, status=204)
@authenticated
async def delete_saved(request: Request) -> Response:
    await search_saved.delete_saved_search(path_id(request, "search_id"))
    return Response(status_code=204)
