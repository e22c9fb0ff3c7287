"""What numbering, issue, distribution and recall share: the document under a row lock, the
clerk's permission, the frozen state of a recalled document.

The clerk's steps (number, issue, distribute) need ``registry.numbers.allocate`` in the unit
of the document's registry (``registered_unit_id``); recall is also open to the signer.
Another tenant's id is 404, a missing permission 403 naming the action.
"""

from __future__ import annotations

from datetime import datetime

from core import Conflict, PermissionDenied, check_permission, current_actor
from plugins.registry.actions import NUMBERS_ALLOCATE
from plugins.registry.models_documents import Document
from plugins.registry.models_outgoing import ISSUED, RECALLED, OutgoingDetail
from plugins.registry.services.outgoing_common import Outgoing, current_user_id, find_outgoing

# Document.source of an incoming copy made by an internal issue.
SOURCE_INTERNAL = "internal"
DOCUMENT_MODEL = "registry.Document"


async def locked_outgoing(document_id: int) -> Outgoing:
    """The outgoing/internal document (404), its row locked until the transaction ends (a
    no-op on SQLite, where the write lock serialises writers)."""
    found = await find_outgoing(document_id)
    locked = await Document.select_for_update().get(id=found.document.id)
    return Outgoing(locked, found.detail)


async def check_clerk(document: Document) -> None:
    """403 unless the actor holds ``registry.numbers.allocate`` in the registry's unit."""
    await check_permission(NUMBERS_ALLOCATE, unit_id=document.registered_unit_id)


async def check_clerk_or_signer(found: Outgoing) -> None:
    """The signer of the document, or a clerk of its registry's unit (403 otherwise)."""
    actor = current_actor()
    if actor.kind == "user" and actor.id is not None and found.detail.signer_user_id == actor.id:
        return
    try:
        await check_clerk(found.document)
    except PermissionDenied:
        raise PermissionDenied(
            NUMBERS_ALLOCATE,
            f"Missing permission: {NUMBERS_ALLOCATE} in unit "
            f"{found.document.registered_unit_id} (or be the signer of document "
            f"{found.document.id}).",
        ) from None


def check_not_recalled(document: Document) -> None:
    """A recalled document is frozen: every change is a 409."""
    if document.status == RECALLED:
        raise Conflict(
            f"Document {document.id} was recalled; a recalled document is frozen and accepts "
            "no further change."
        )


async def mark_issued(found: Outgoing, moment: datetime) -> None:
    """The first issue or distribution: the document becomes ``issued``, its outgoing part
    records when and by whom (later ones change nothing)."""
    if found.document.status == ISSUED:
        return
    await Document.filter(id=found.document.id).update(status=ISSUED)
    await OutgoingDetail.filter(id=found.detail.id).update(
        issued_at=moment, issued_by=current_user_id()
    )
    found.document.status = ISSUED


def code_of(document: Document) -> str:
    """``15/QĐ-UBND`` (empty before numbering)."""
    if not document.code_number:
        return ""
    if document.code_notation:
        return f"{document.code_number}/{document.code_notation}"
    return document.code_number
