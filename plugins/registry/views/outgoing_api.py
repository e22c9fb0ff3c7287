"""``/api/v1/registry/outgoing``: drafts of outgoing and internal documents — create, list,
read, change, files, download (the steps are in ``outgoing_steps``).

One resource for both directions (``direction`` in the body and the answers). Creating takes
``multipart/form-data``: a ``metadata`` JSON part and the file parts ``main`` (PDF or DOCX),
``attachments`` and ``annexes``. The services check the permissions in the right unit; the
routes only ask that the caller is signed in (or holds the action somewhere).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from core import InvalidInput, api_doc, authenticated, requires
from plugins.registry.actions import OUTGOING_DRAFT
from plugins.registry.api import (
    decode_cursor,
    encode_cursor,
    metadata_json,
    parse_body,
    parse_query,
    path_id,
    read_multipart,
    respond,
    validate,
)
from plugins.registry.downloads import file_response
from plugins.registry.schemas_outgoing_draft import (
    CREATE_PARTS,
    FILES_PARTS,
    DraftCreate,
    DraftPatch,
    FilesChange,
    OutgoingDetailOut,
    OutgoingPageOut,
    OutgoingQuery,
)
from plugins.registry.services import documents, outgoing_drafts
from plugins.registry.services.documents import ListPosition
from plugins.registry.services.incoming_files import IncomingFile
from plugins.registry.services.outgoing_common import find_outgoing, load_outgoing
from plugins.registry.services.outgoing_input import DraftMetadata
from plugins.registry.services.outgoing_lists import ListFilter, list_outgoing
from plugins.registry.views.outgoing_out import outgoing_detail, outgoing_dicts

M = TypeVar("M", bound=BaseModel)
FILE_PARTS = ("main", "attachments", "annexes")


async def document_unit(request: Request) -> int:
    """The registry unit of the document in the path (404 for another tenant's id): the unit
    where the signer's and the clerk's actions are checked."""
    found = await find_outgoing(path_id(request, "document_id"))
    return found.document.registered_unit_id


async def read_upload(request: Request) -> FormData:
    return await read_multipart(request, "the files")


def metadata_part(form: FormData, model: type[M], *, required: bool = True) -> M:
    if form.get("metadata") is None and not required:
        return model()
    return validate(model, metadata_json(form), "metadata")


def file_parts(form: FormData) -> dict[str, list[IncomingFile]]:
    """``main``/``attachments``/``annexes`` files of the form; other parts are 422."""
    groups: dict[str, list[IncomingFile]] = {name: [] for name in FILE_PARTS}
    errors: dict[str, str] = {}
    for key, value in form.multi_items():
        if key == "metadata":
            continue
        if key not in groups:
            errors[key] = "unknown part; send 'metadata', 'main', 'attachments', 'annexes'"
        elif not isinstance(value, UploadFile):
            errors[key] = "a file"
        else:
            groups[key].append(
                IncomingFile(value.filename or "", value.file, content_type=value.content_type)
            )
    if len(groups["main"]) > 1:
        errors["main"] = "one main file"
    if errors:
        raise InvalidInput("Unexpected parts in the request.", errors)
    return groups


def draft_metadata(body: BaseModel) -> DraftMetadata:
    values = {name: getattr(body, name) for name in DraftMetadata.__dataclass_fields__}
    return DraftMetadata(**values)


@api_doc(
    "Create a draft outgoing or internal document",
    multipart=CREATE_PARTS,
    files=["main", "attachments", "annexes"],
    response=OutgoingDetailOut,
    status=201,
    errors=[413],
)
@requires(OUTGOING_DRAFT, anywhere=True)
async def create_draft(request: Request) -> Response:
    """A new draft (status ``draft``) in the chosen (or default) registry of the agency."""
    form = await read_upload(request)
    try:
        body = metadata_part(form, DraftCreate)
        files = file_parts(form)
        document = await outgoing_drafts.create_draft(
            body.direction,
            draft_metadata(body),
            files["main"][0] if files["main"] else None,
            files["attachments"],
            files["annexes"],
            registry_id=body.registry_id,
            unit_id=body.unit_id,
        )
    finally:
        await form.close()
    return respond(await outgoing_detail(document), 201)


@api_doc("List outgoing and internal documents", query=OutgoingQuery, response=OutgoingPageOut)
@authenticated
async def list_drafts(request: Request) -> Response:
    """``view``: ``mine`` (drafted by me), ``review`` (waiting for my review), ``sign``
    (waiting for my signature) or ``unit`` (every visible one); urgent first, then newest."""
    query = parse_query(request, OutgoingQuery)
    after = None
    if query.cursor is not None:
        weight, received, last_id = decode_cursor(query.cursor, (int, str, int))
        try:
            after = ListPosition(weight, datetime.fromisoformat(received), last_id)
        except ValueError:
            raise InvalidInput("Invalid cursor.", {"cursor": "invalid cursor"}) from None
    filters = ListFilter(query.view, query.direction, query.status, query.unit_id)
    items = await list_outgoing(filters, after=after, limit=query.limit + 1)
    page = items[: query.limit]
    cursor = None
    if len(items) > query.limit:
        last = page[-1]
        cursor = encode_cursor([last.priority_weight, last.received_at.isoformat(), last.id])
    return respond({"items": await outgoing_dicts(page), "next_cursor": cursor})


@api_doc("Get an outgoing document with files, reviews and comments", response=OutgoingDetailOut)
@authenticated
async def get_draft(request: Request) -> Response:
    """One visible outgoing or internal document (the view is traced on its timeline)."""
    found = await load_outgoing(path_id(request, "document_id"))
    await documents.trace_view(found.document)  # load_outgoing checked it is visible
    return respond(await outgoing_detail(found.document))


@api_doc("Change a draft's metadata", body=DraftPatch, response=OutgoingDetailOut, errors=[409])
@authenticated
async def update_draft(request: Request) -> Response:
    """The drafter changes the fields sent, while the document is ``draft`` or ``returned``."""
    body = await parse_body(request, DraftPatch)
    found = await load_outgoing(path_id(request, "document_id"))
    codes = await outgoing_drafts.reference_codes(found.document)
    base = outgoing_drafts.current_metadata(found.document, found.detail, codes)
    changes: dict[str, Any] = {name: getattr(body, name) for name in body.model_fields_set}
    merged = DraftMetadata(**{**base.__dict__, **changes})
    document = await outgoing_drafts.update_draft(found.document.id, merged)
    return respond(await outgoing_detail(document))


@api_doc(
    "Replace or add a draft's files",
    multipart=FILES_PARTS,
    files=["main", "attachments", "annexes"],
    response=OutgoingDetailOut,
    errors=[409, 413],
)
@authenticated
async def change_files(request: Request) -> Response:
    """A new ``main`` replaces the main file (the old one is kept with role ``draft``);
    ``attachments``/``annexes`` are added; ``metadata.remove_file_ids`` removes some."""
    document_id = path_id(request, "document_id")
    form = await read_upload(request)
    try:
        body = metadata_part(form, FilesChange, required=False)
        files = file_parts(form)
        await outgoing_drafts.replace_files(
            document_id,
            main=files["main"][0] if files["main"] else None,
            attachments=files["attachments"],
            annexes=files["annexes"],
            remove_file_ids=body.remove_file_ids,
        )
    finally:
        await form.close()
    found = await load_outgoing(document_id)
    return respond(await outgoing_detail(found.document))


@api_doc(
    "Download a file of an outgoing document",
    response="application/octet-stream",
    description="The file's bytes with its stored content type, as an attachment.",
)
@authenticated
async def download_file(request: Request) -> Response:
    """A file of a visible outgoing/internal document (traced on its timeline)."""
    found = await load_outgoing(path_id(request, "document_id"))
    entry = await documents.open_file(
        found.document.id, path_id(request, "file_id"), found.document.direction
    )
    return await file_response(entry)
