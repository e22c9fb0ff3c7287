"""``/api/v1/registry/records``: records (hồ sơ) — list, open, read, file documents, close,
reopen, export.

Routes need a signed-in caller (opening one: ``registry.records.manage`` somewhere); the
services check the rest on the record's units (``services/records.py``): another tenant's id
is 404, a record the caller may not see 403 naming ``registry.registries.view``, a change
without the right 403 naming ``registry.records.manage``; conflicts (a closed record, a
document already filed) are 409.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import api_doc, authenticated, requires
from plugins.registry.actions import RECORDS_MANAGE
from plugins.registry.api import decode_cursor, encode_cursor, parse_body, parse_query, path_id
from plugins.registry.api import respond as respond_json
from plugins.registry.downloads import attachment_disposition
from plugins.registry.models_documents import Document
from plugins.registry.models_records import Record, RecordItem
from plugins.registry.schemas_records import (
    CandidateQuery,
    CandidatesOut,
    ExportQuery,
    ItemCreate,
    ItemOut,
    RecordCreate,
    RecordDetailOut,
    RecordOut,
    RecordPageOut,
    RecordQuery,
    ReopenBody,
)
from plugins.registry.services import (
    records,
    records_export,
    records_items,
    records_list,
    records_pdf,
)

MEDIA = {"zip": "application/zip", "pdf": "application/pdf", "xml": "application/xml"}


def document_out(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "direction": document.direction,
        "code": records_items.document_code(document),
        "type_name": document.type_name,
        "subject": document.subject,
        "issued_date": document.issued_date.isoformat(),
        "organ_name": document.organ_name,
        "confidential": document.confidentiality_level > 0,
    }


def item_out(item: RecordItem, document: Document) -> dict[str, Any]:
    return {
        "position": item.position,
        "added_by": item.added_by,
        "added_at": item.added_at.isoformat(),
        "document": document_out(document),
    }


async def detail(record: Record) -> RecordDetailOut:
    view = await records.view(record)
    listed = await records_items.record_items(record)
    return RecordDetailOut.model_validate(
        {
            **view.as_dict(),
            "items": [item_out(i.item, i.document) for i in listed.items],
            "hidden_items": listed.hidden,
            "can_manage": await records.can_manage(record),
        }
    )


@api_doc("List records (records list, danh mục hồ sơ)", query=RecordQuery, response=RecordPageOut)
@authenticated
async def list_records(request: Request) -> Response:
    """The records the caller may see (their own; every record of the agency units where they
    hold registry.registries.view), by agency unit, year and number; filter by agency, year,
    status, retention, handler unit and title words."""
    query = parse_query(request, RecordQuery)
    after = None
    if query.cursor is not None:
        unit, year, number = decode_cursor(query.cursor, (int, int, int))
        after = (unit, year, number)
    filters = records_list.RecordFilters(
        unit_id=query.unit_id,
        year=query.year,
        status=query.status,
        retention=query.retention,
        handler_unit_id=query.handler_unit_id,
        q=query.q,
    )
    found = await records_list.list_records(filters, after=after, limit=query.limit + 1)
    page = found[: query.limit]
    next_cursor = None
    if len(found) > query.limit:
        last = page[-1]
        next_cursor = encode_cursor([last.unit_id, last.year, last.number])
    items = [RecordOut.model_validate(v.as_dict()) for v in await records.views(page)]
    return respond_json(RecordPageOut(items=items, next_cursor=next_cursor))


@api_doc("Open a record", body=RecordCreate, response=RecordDetailOut, status=201)
@requires(RECORDS_MANAGE, anywhere=True)
async def open_record(request: Request) -> Response:
    """Open a record in the agency's records list of this year; the system gives its number
    (``01``, per agency and year). Needs registry.records.manage in the handler unit."""
    body = await parse_body(request, RecordCreate)
    record = await records.open_record(
        body.unit_id,
        body.title,
        body.retention,
        handler_unit_id=body.handler_unit_id,
        description=body.description,
    )
    return respond_json(await detail(record), 201)


@api_doc("Read a record and its documents", response=RecordDetailOut)
@authenticated
async def get_record(request: Request) -> Response:
    """The record with its items in order (only the documents the caller may see)."""
    record = await records.get_record(path_id(request, "record_id"))
    return respond_json(await detail(record))


@api_doc(
    "File a document in a record", body=ItemCreate, response=ItemOut, status=201, errors=(409,)
)
@authenticated
async def add_item(request: Request) -> Response:
    """Add a document the caller may see to an open record, at the next position. 409 when
    the record is closed or already holds the document."""
    body = await parse_body(request, ItemCreate)
    item = await records_items.add_document(path_id(request, "record_id"), body.document_id)
    document = await Document.get(id=item.document_id)
    return respond_json(ItemOut.model_validate(item_out(item, document)), 201)


@api_doc("Remove a document from a record", response=None, status=204, errors=(409,))
@authenticated
async def remove_item(request: Request) -> Response:
    """Take a document out of an open record (409 when closed); later items move up."""
    await records_items.remove_document(
        path_id(request, "record_id"), path_id(request, "document_id")
    )
    return Response(status_code=204)


@api_doc("Close a record", response=RecordDetailOut, errors=(409,))
@authenticated
async def close_record(request: Request) -> Response:
    """Close an open record when the work ends (409 when closed already)."""
    record = await records.close_record(path_id(request, "record_id"))
    return respond_json(await detail(record))


@api_doc("Reopen a closed record", body=ReopenBody, response=RecordDetailOut, errors=(409,))
@authenticated
async def reopen_record(request: Request) -> Response:
    """Reopen a closed record, with a reason: registry.records.reopen in the agency unit."""
    body = await parse_body(request, ReopenBody)
    record = await records.reopen_record(path_id(request, "record_id"), body.reason)
    return respond_json(await detail(record))


@api_doc("Documents that could be added to a record", query=CandidateQuery, response=CandidatesOut)
@authenticated
async def candidates(request: Request) -> Response:
    """Visible documents not yet in the record whose number, notation or subject match the
    words of ``q`` (with or without diacritics)."""
    query = parse_query(request, CandidateQuery)
    record = await records.get_record(path_id(request, "record_id"))
    found = await records_items.candidates(record, query.q, limit=query.limit)
    return respond_json({"items": [document_out(d) for d in found]})


async def export_response(record_id: int, fmt: str) -> Response:
    """The export of a record as a download (shared with the pages)."""
    export = await records_export.gather(record_id)
    name = export.basename
    if fmt == "xml":
        content = records_export.record_xml(export)
    else:
        pdf = await records_pdf.build_record_pdf(export)
        if fmt == "pdf":
            content = pdf
        else:
            content = records_export.record_zip(export, pdf, records_export.record_xml(export))
    await records_export.record_export(export, fmt)
    return Response(
        content,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": attachment_disposition(f"{name}.{fmt}"),
            "Cache-Control": "no-store",
        },
    )


@api_doc(
    "Export a record (PDF, XML or both in a ZIP)",
    query=ExportQuery,
    response="application/zip",
    errors=(503,),
    description=(
        "`format=zip` (the default): `record-<code>.zip` holding `record-<code>.pdf` (a cover "
        "with the record's metadata and the table of contents, then the documents' PDF main "
        "files in chronological order) and `record-<code>.xml` (ND30 Phụ lục VI metadata). "
        "`format=pdf` / `format=xml`: one of them. Documents the caller may not see are left "
        "out and counted. 503 when the server lacks the PDF fonts."
    ),
)
@authenticated
async def export_record(request: Request) -> Response:
    """Download the record's export; the export is on each document's timeline."""
    query = parse_query(request, ExportQuery)
    return await export_response(path_id(request, "record_id"), query.format)
