"""``/api/v1/registry``: number, issue, distribute and recall outgoing/internal documents;
the recipient's received copies (list, register, refuse).

The clerk's steps carry ``registry.numbers.allocate`` checked in the unit of the document's
registry (another tenant's id: 404 before any 403). Recall is the clerk's or the signer's (the
service decides); reads go through visibility.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from core import Conflict, NotFound, api_doc, authenticated, requires
from plugins.registry.actions import INCOMING_REGISTER, NUMBERS_ALLOCATE
from plugins.registry.api import parse_body, parse_query, path_id, respond
from plugins.registry.models import INCOMING
from plugins.registry.models_documents import Document
from plugins.registry.schemas_outgoing_issue import (
    DistributeBody,
    IssueBody,
    NumberBody,
    NumberedOut,
    ReasonBody,
    ReceivedQuery,
    RecipientsOut,
    RegisterReceivedBody,
)
from plugins.registry.schemas_responses import DocumentDetailOut, DocumentPageOut
from plugins.registry.services import received
from plugins.registry.services.outgoing_common import Outgoing, find_outgoing, load_outgoing
from plugins.registry.services.outgoing_issue import ExternalRecipient, issue_document
from plugins.registry.services.outgoing_issue_common import SOURCE_INTERNAL, code_of
from plugins.registry.services.outgoing_issue_internal import distribute_internal
from plugins.registry.services.outgoing_issue_number import number_document
from plugins.registry.services.outgoing_issue_status import distribution_of, statuses_of
from plugins.registry.services.outgoing_recall import recall_document
from plugins.registry.services.registries import MAX_ID
from plugins.registry.views.incoming import detail, document_dicts


async def document_unit(request: Request) -> int:
    """The unit of the registry of the outgoing/internal document ``{document_id}`` (404)."""
    found = await find_outgoing(path_id(request, "document_id"))
    return found.document.registered_unit_id


async def copy_unit(request: Request) -> int:
    """The unit of the registry holding the received copy ``{document_id}`` (404)."""
    document_id = path_id(request, "document_id")
    copy = None
    if document_id <= MAX_ID:
        copy = await Document.get_or_none(
            id=document_id, direction=INCOMING, source=SOURCE_INTERNAL
        )
    if copy is None:
        raise NotFound(f"No received internal copy with id {document_id} in this tenant.")
    return copy.registered_unit_id


def _numbered(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "direction": document.direction,
        "status": document.status,
        "code_number": document.code_number,
        "code_notation": document.code_notation,
        "code": code_of(document),
        "issued_date": document.issued_date.isoformat(),
        "registry_number_id": document.registry_number_id,
    }


async def recipients_dict(found: Outgoing) -> dict[str, Any]:
    """The issuer's view of a (visible, freshly loaded) document's recipients and
    distribution."""
    document = found.document
    spread = await distribution_of(document)
    return {
        "document_id": document.id,
        "direction": document.direction,
        "status": document.status,
        "code": code_of(document),
        "recipients": [r.as_dict() for r in await statuses_of(document)],
        "distributed_units": spread.unit_ids,
        "distributed_users": spread.user_ids,
        "recall_reason": found.detail.recall_reason,
    }


@api_doc(
    "Number a signed outgoing or internal document",
    body=NumberBody,
    response=NumberedOut,
    errors=(409,),
)
@requires(NUMBERS_ALLOCATE, unit=document_unit)
async def number(request: Request) -> Response:
    """Give the signed document its number and notation from its registry (the next one, or
    a reserved one) and today's date (Vietnam time); 409 when already numbered or not
    signed."""
    body = await parse_body(request, NumberBody)
    document = await number_document(
        path_id(request, "document_id"),
        reservation_id=body.reservation_id,
        drafting_unit_id=body.drafting_unit_id,
    )
    return respond(_numbered(document))


@api_doc(
    "Issue a numbered outgoing document",
    body=IssueBody,
    response=RecipientsOut,
    status=201,
    errors=(409,),
)
@requires(NUMBERS_ALLOCATE, unit=document_unit)
async def issue(request: Request) -> Response:
    """Issue to units of the tenant (each gets an incoming copy; a unit that cannot receive
    is a 422 naming it and nothing is issued) and to external organisations (to be sent)."""
    body = await parse_body(request, IssueBody)
    document_id = path_id(request, "document_id")
    await issue_document(
        document_id,
        units=body.units,
        organisations=[ExternalRecipient(o.organ_id, o.organ_name) for o in body.organisations],
    )
    return respond(await recipients_dict(await find_outgoing(document_id)), 201)


@api_doc(
    "Distribute a numbered internal document",
    body=DistributeBody,
    response=RecipientsOut,
    errors=(409,),
)
@requires(NUMBERS_ALLOCATE, unit=document_unit)
async def distribute(request: Request) -> Response:
    """Distribute the internal document to units and users of its agency (they become
    participants and see it); no incoming copies."""
    body = await parse_body(request, DistributeBody)
    document_id = path_id(request, "document_id")
    await distribute_internal(document_id, units=body.units, users=body.users)
    return respond(await recipients_dict(await find_outgoing(document_id)))


@api_doc("Recipients of an issued document and their status", response=RecipientsOut, errors=(403,))
@authenticated
async def recipients(request: Request) -> Response:
    """Each recipient with its status: internal ones follow their incoming copy (received,
    registered, refused, assigned, processing, completed, cancelled), external ones their
    own (to_be_sent …)."""
    found = await load_outgoing(path_id(request, "document_id"))
    return respond(await recipients_dict(found))


@api_doc("Recall an issued document", body=ReasonBody, response=RecipientsOut, errors=(409,))
@authenticated
async def recall(request: Request) -> Response:
    """The clerk of the registry's unit or the signer recalls the document with a reason: it
    is frozen, its internal copies are cancelled; 409 when already recalled."""
    body = await parse_body(request, ReasonBody)
    document_id = path_id(request, "document_id")
    await recall_document(document_id, body.reason)
    return respond(await recipients_dict(await find_outgoing(document_id)))


@api_doc("Received internal copies", query=ReceivedQuery, response=DocumentPageOut)
@authenticated
async def list_received(request: Request) -> Response:
    """Incoming copies of internal issues the caller may see (default: waiting ones),
    urgent first, then oldest."""
    query = parse_query(request, ReceivedQuery)
    items = await received.received_copies(status=query.status, limit=query.limit)
    return respond({"items": await document_dicts(items), "next_cursor": None})


@api_doc(
    "Register a received internal copy",
    body=RegisterReceivedBody,
    response=DocumentDetailOut,
    errors=(409,),
)
@requires(INCOMING_REGISTER, unit=copy_unit)
async def register_received(request: Request) -> Response:
    """The recipient's clerk registers the copy (arrival number and date); 409 with
    ``duplicate_of`` for a probable duplicate, or when recalled or already handled."""
    body = await parse_body(request, RegisterReceivedBody)
    result = await received.register_received(
        path_id(request, "document_id"), confirm_duplicate=body.confirm_duplicate
    )
    if result.document is None:
        raise Conflict(
            "This document may already be registered (same number, notation, issuer and "
            "year, or the same identifier). Send confirm_duplicate: true to register it anyway.",
            duplicate_of=result.duplicate_of,
        )
    return respond(await detail(result.document))


@api_doc(
    "Refuse a received internal copy", body=ReasonBody, response=DocumentDetailOut, errors=(409,)
)
@requires(INCOMING_REGISTER, unit=copy_unit)
async def refuse_received(request: Request) -> Response:
    """The recipient's clerk returns the copy to the issuer with a reason (required)."""
    body = await parse_body(request, ReasonBody)
    copy = await received.refuse_received(path_id(request, "document_id"), body.reason)
    return respond(await detail(copy))
