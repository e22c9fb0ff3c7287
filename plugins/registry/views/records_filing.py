"""``/registry/records/file?document_id=…``: file one document in a record, from the
document's side (the partial ``registry/records/_add_to_record.html`` on a document page loads
the form with htmx, or links here without JavaScript).

The form lists the open records the user may change that do not hold the document yet; after
adding, the user goes back to ``next`` (a path of this site: the document page) or to the
record.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from core import NotFound, read_form, render, submit_once
from core import authenticated as signed_in
from core import gettext as _
from plugins.registry.models_documents import Document
from plugins.registry.models_records import RECORD_OPEN, Record
from plugins.registry.services import records, records_items, records_list
from plugins.registry.services.documents import check_visible
from plugins.registry.views.pages_admin_common import PageForm, page_status, parse_id
from plugins.registry.views.records_pages import CHANGE_ERRORS, on_error, record_url

FILE_URL = "/registry/records/file"
MAX_CHOICES = 200


def safe_next(raw: str) -> str:
    """``raw`` when it is a path of this site (no scheme, no host), else ''."""
    raw = raw.strip()
    if not raw.startswith("/") or raw.startswith("//") or "\\" in raw:
        return ""
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else ""


async def _document(raw: str) -> Document:
    document_id = parse_id(raw)
    document = await Document.get_or_none(id=document_id) if document_id else None
    if document is None:
        raise NotFound(f"No document with id {raw!r} in this tenant.")
    await check_visible(document)
    return document


async def _choices(document: Document) -> list[Record]:
    """Open records the user may change that do not hold ``document``."""
    found = await records_list.list_records(
        records_list.RecordFilters(status=RECORD_OPEN), limit=500
    )
    holding = {r.id for r in await records_items.records_of_document(document)}
    choices = await records.manageable([r for r in found if r.id not in holding])
    return choices[:MAX_CHOICES]


async def _page(request: Request, document: Document, form: Any, status: int = 200) -> Response:
    next_url = safe_next(form.get("next"))
    if not next_url and request.headers.get("hx-current-url"):
        current = urlsplit(request.headers["hx-current-url"])
        next_url = safe_next(current.path + (f"?{current.query}" if current.query else ""))
    holding = await records_items.records_of_document(document)
    visible = [r for r in holding if await records.can_view(r)]
    choices = await _choices(document)
    context = {
        "document": document,
        "code": records_items.document_code(document),
        "choices": choices,
        "choices_options": [(r.id, f"{r.code}/{r.year} — {r.title}") for r in choices],
        "holding": visible,
        "form": form,
        "next_url": next_url,
    }
    fragment = request.headers.get("hx-request") == "true"
    name = "registry/records/_file_form.html" if fragment else "registry/records/file.html"
    return await render(request, name, context, status=status)


@signed_in
async def file_page(request: Request) -> Response:
    """The form choosing a record for the document ``document_id``."""
    document = await _document(request.query_params.get("document_id", ""))
    values = {"next": request.query_params.get("next", "")}
    return await _page(request, document, PageForm(values=values))


@signed_in
async def file_document(request: Request) -> Response:
    """Add the document to the chosen record."""
    form = await read_form(request)
    document = await _document(form.get("document_id"))
    record_id = parse_id(form.get("record_id"))
    if record_id is None:
        form.error("record_id", _("Chọn một hồ sơ."))
    else:
        chosen = record_id
        done = await submit_once(
            request,
            form,
            lambda: records_items.add_document(chosen, document.id),
            url=safe_next(form.get("next")) or record_url(chosen),
            message=_("Đã thêm văn bản vào hồ sơ."),
            on_error=on_error("record_id", _("Không có hồ sơ này.")),
            errors=CHANGE_ERRORS,
        )
        if done is not None:
            return done
    return await _page(request, document, form, page_status(form))
