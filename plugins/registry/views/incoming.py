"""``/api/v1/registry/incoming``: receive (register or refuse), list, read, download.

Receiving takes ``multipart/form-data``: one ``metadata`` part (a JSON object: the registry,
the document's metadata and options) and the file parts ``main`` (the document; at least one)
and ``attachments`` (any number). The permission ``registry.incoming.register`` is checked by
the service in the registry's unit (the route only asks that the caller holds it somewhere).
Reads are open to signed-in users; the service's visibility rules decide what they see.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from core import (
    Conflict,
    InvalidInput,
    api_doc,
    authenticated,
    requires,
)
from plugins.registry.actions import INCOMING_REGISTER
from plugins.registry.api import (
    decode_cursor,
    encode_cursor,
    metadata_json,
    parse_query,
    path_id,
    read_multipart,
    respond,
    validate,
)
from plugins.registry.downloads import file_response
from plugins.registry.models_documents import ROLE_ATTACHMENT, ROLE_MAIN, Document, DocumentFile
from plugins.registry.notation import format_number, number_year
from plugins.registry.schemas_documents import (
    RECEIVE_PARTS,
    REFUSE_PARTS,
    SYSTEM_FIELDS,
    IncomingBody,
    IncomingCreate,
    IncomingQuery,
    IncomingRefuse,
)
from plugins.registry.schemas_responses import (
    DocumentDetailOut,
    DocumentPageOut,
    IncomingResultOut,
)
from plugins.registry.services import documents, incoming
from plugins.registry.services.incoming_files import IncomingFile
from plugins.registry.services.incoming_input import IncomingMetadata

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
FILE_PARTS = {"main": ROLE_MAIN, "attachments": ROLE_ATTACHMENT}
PREFETCH_BYTES = 1024 * 1024  # a file up to this size is verified before the response starts


# ------------------------------------------------------------------------------ reading input


def _validate(model: type[M], data: Any) -> M:
    if isinstance(data, dict):
        assigned = {name: "assigned by the system" for name in SYSTEM_FIELDS if name in data}
        if assigned:
            raise InvalidInput(
                f"{', '.join(assigned)}: assigned by the system, not by the caller.", assigned
            )
    return validate(model, data, "metadata")


def _files(form: FormData) -> list[IncomingFile]:
    files: list[IncomingFile] = []
    errors: dict[str, str] = {}
    for key, value in form.multi_items():
        if key == "metadata":
            continue
        if key not in FILE_PARTS:
            errors[key] = "unknown part; send 'metadata', 'main' and 'attachments'"
        elif not isinstance(value, UploadFile):
            errors[key] = "a file"
        else:
            files.append(
                IncomingFile(
                    filename=value.filename or "",
                    content=value.file,
                    role=FILE_PARTS[key],
                    content_type=value.content_type,
                )
            )
    if errors:
        raise InvalidInput("Unexpected parts in the request.", errors)
    return files


def _metadata(body: IncomingBody) -> IncomingMetadata:
    return IncomingMetadata(
        organ_name=body.organ_name,
        code_number=body.code_number,
        code_notation=body.code_notation,
        document_type=body.document_type,
        issued_date=body.issued_date,
        subject=body.subject,
        signer_full_name=body.signer_full_name,
        signer_position=body.signer_position,
        priority=body.priority,
        confidentiality=body.confidentiality,
        page_amount=body.page_amount,
        due_date=body.due_date,
        organ_id=body.organ_id,
        document_identifier=body.document_identifier,
        description=body.description,
    )


# ------------------------------------------------------------------------------ output


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def file_dict(entry: DocumentFile) -> dict[str, Any]:
    return {
        "id": entry.id,
        "role": entry.role,
        "filename": entry.filename,
        "content_type": entry.content_type,
        "size": entry.size,
        "sha256": entry.sha256,
        "pdf_state": entry.pdf_state,
        "pages": entry.pages,
        "text_status": entry.text_status,
    }


async def document_dicts(items: list[Document]) -> list[dict[str, Any]]:
    if items:
        await Document.fetch_for_list(items, "document_type", "priority", "confidentiality")
    return [
        {
            "id": d.id,
            "registry_id": d.registry_id,
            "direction": d.direction,
            "status": d.status,
            "source": d.source,
            "code_number": d.code_number,
            "code_notation": d.code_notation,
            "code": f"{d.code_number}/{d.code_notation}",
            "document_type": d.document_type.code,
            "type_name": d.type_name,
            "subject": d.subject,
            "issued_date": _iso(d.issued_date),
            "organ_name": d.organ_name,
            "organ_id": d.organ_id,
            "signer_position": d.signer_position,
            "signer_full_name": d.signer_full_name,
            "priority": d.priority.code,
            "priority_weight": d.priority_weight,
            "confidentiality": d.confidentiality.code,
            "confidential": d.confidentiality_level > 0,
            "page_amount": d.page_amount,
            "description": d.description,
            "due_date": _iso(d.due_date),
            "document_identifier": d.document_identifier,
            "arrival_number": d.arrival_number,
            "arrival_code": format_number(d.arrival_number) if d.arrival_number else None,
            "arrival_year": number_year(d.arrival_date) if d.arrival_date else None,
            "arrival_date": _iso(d.arrival_date),
            "received_at": _iso(d.received_at),
            "refusal_reason": d.refusal_reason,
            "duplicate_confirmed": d.duplicate_confirmed,
            "duplicate_of": d.duplicate_of_id,
            "registered_by": d.registered_by,
            "registered_unit_id": d.registered_unit_id,
            "created_at": _iso(d.created_at),
        }
        for d in items
    ]


async def detail(document: Document) -> dict[str, Any]:
    data = (await document_dicts([document]))[0]
    data["files"] = [file_dict(f) for f in await documents.document_files(document)]
    return data


async def _answer(result: incoming.RegistrationResult) -> Response:
    if result.document is None:
        raise Conflict(
            "This document may already be registered (same number, notation, issuer and year, "
            "or the same document identifier). Send it again with confirm_duplicate: true to "
            "register it anyway.",
            duplicate_of=result.duplicate_of,
        )
    data = await detail(result.document)
    data["warnings"] = [w.as_dict() for w in result.warnings]
    return respond(data, status=201)


# ------------------------------------------------------------------------------ endpoints


@api_doc(
    "Register a received document",
    multipart=RECEIVE_PARTS,
    files=["main", "attachments"],
    response=IncomingResultOut,
    status=201,
    errors=[409, 413],
)
@requires(INCOMING_REGISTER, anywhere=True)
async def register(request: Request) -> Response:
    """Register a received document (multipart: ``metadata`` JSON, ``main`` and
    ``attachments`` files); 409 with ``duplicate_of`` for a probable duplicate."""
    form = await read_multipart(request, "the files ('main', 'attachments')")
    try:
        body = _validate(IncomingCreate, metadata_json(form))
        result = await incoming.register_incoming(
            body.registry_id,
            _metadata(body),
            _files(form),
            source=body.source,
            confirm_duplicate=body.confirm_duplicate,
        )
    finally:
        await form.close()
    return await _answer(result)


@api_doc(
    "Record a refused (returned) document",
    multipart=REFUSE_PARTS,
    files=["main", "attachments"],
    response=IncomingResultOut,
    status=201,
    errors=[413],
)
@requires(INCOMING_REGISTER, anywhere=True)
async def refuse(request: Request) -> Response:
    """Record a received document returned to its sender (``reason`` required in
    ``metadata``); it is kept with status ``refused`` and no arrival number."""
    form = await read_multipart(request, "the files ('main', 'attachments')")
    try:
        body = _validate(IncomingRefuse, metadata_json(form))
        result = await incoming.refuse_incoming(
            body.registry_id,
            _metadata(body),
            _files(form),
            reason=body.reason,
            source=body.source,
        )
    finally:
        await form.close()
    return await _answer(result)


@api_doc("List incoming documents", query=IncomingQuery, response=DocumentPageOut)
@authenticated
async def list_incoming(request: Request) -> Response:
    """The incoming documents the caller may see: urgent first, then newest."""
    query = parse_query(request, IncomingQuery)
    after = None
    if query.cursor is not None:
        weight, received, last_id = decode_cursor(query.cursor, (int, str, int))
        try:
            moment = datetime.fromisoformat(received)
        except ValueError:
            raise InvalidInput("Invalid cursor.", {"cursor": "invalid cursor"}) from None
        after = documents.ListPosition(weight, moment, last_id)
    items = await documents.list_documents(
        registry_id=query.registry_id, status=query.status, after=after, limit=query.limit + 1
    )
    page = items[: query.limit]
    cursor = None
    if len(items) > query.limit:
        last = page[-1]
        cursor = encode_cursor([last.priority_weight, last.received_at.isoformat(), last.id])
    return respond({"items": await document_dicts(page), "next_cursor": cursor})


@api_doc("Get an incoming document with its files", response=DocumentDetailOut, errors=[403])
@authenticated
async def get_incoming(request: Request) -> Response:
    """One incoming document with its files."""
    document = await documents.open_document(path_id(request, "document_id"))
    return respond(await detail(document))


@api_doc(
    "Download a file of an incoming document",
    response="application/octet-stream",
    errors=[403],
    description="The file's bytes with its stored content type, as an attachment; the "
    "content is verified against its SHA-256 while it streams.",
)
@authenticated
async def download_file(request: Request) -> Response:
    """A file of a visible incoming document, streamed from the blob store and verified."""
    entry = await documents.open_file(path_id(request, "document_id"), path_id(request, "file_id"))
    return await file_response(entry)
