"""The recipient's side of an internal issue: register or refuse a received copy.

An internal issue leaves an incoming copy (source ``internal``, status ``received``) in the
recipient agency's incoming registry. Its clerk (``registry.incoming.register`` in that
registry's unit) then either

* registers it (:func:`register_received`): the next arrival number of the year and the
  arrival date, status ``registered``, with the duplicate rules of ``services.incoming`` (same
  number, notation, issuer and year, or the same identifier: answered with ``duplicate_of``
  unless confirmed; two clerks at once: one wins); or
* refuses it with a reason (:func:`refuse_received`): status ``refused``, no number.

Either way the issuer's ``Recipient`` row follows (its status is read live from the copy
too). A copy cancelled by a recall, or already handled, is a 409.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from core import Conflict, NotFound, atomic, publish, record_audit
from plugins.registry.events import DocumentRefused, DocumentRegistered
from plugins.registry.models import INCOMING, ConfidentialityLevel, DocumentType
from plugins.registry.models_documents import REFUSED, REGISTERED, Document
from plugins.registry.models_flow import PART_CLERK
from plugins.registry.models_outgoing import CANCELLED, RECEIVED, Recipient
from plugins.registry.notation import moment_of
from plugins.registry.services.documents import visibility
from plugins.registry.services.incoming import (
    DOCUMENT_MODEL,
    RegistrationResult,
    receiving_registry,
    unit_key,
)
from plugins.registry.services.incoming_input import check_reason
from plugins.registry.services.numbering import NumberRequest, allocate_number
from plugins.registry.services.outgoing_common import current_user_id
from plugins.registry.services.outgoing_issue_common import SOURCE_INTERNAL
from plugins.registry.services.participants import add_participant
from plugins.registry.services.registries import MAX_ID
from plugins.registry.services.timeline import STEP_REFUSED, STEP_REGISTERED, record_step


async def _locked_copy(document_id: int) -> Document:
    copy = None
    if 1 <= document_id <= MAX_ID:
        copy = (
            await Document.select_for_update()
            .filter(id=document_id, direction=INCOMING, source=SOURCE_INTERNAL)
            .first()
        )
    if copy is None:
        raise NotFound(f"No received internal copy with id {document_id} in this tenant.")
    return copy


def _check_waiting(copy: Document) -> None:
    if copy.status == CANCELLED:
        raise Conflict(
            f"Document {copy.id} was recalled by its issuer and is cancelled: {copy.refusal_reason}"
        )
    if copy.status != RECEIVED:
        raise Conflict(
            f"Document {copy.id} is {copy.status}; only a received copy is registered or refused."
        )


async def _duplicates(copy: Document) -> list[int]:
    same = Q(identity_key=copy.identity_key)
    if copy.document_identifier:
        same |= Q(document_identifier=copy.document_identifier)
    query = Document.filter(
        same, direction=INCOMING, status=REGISTERED, registered_unit_id=copy.registered_unit_id
    ).exclude(id=copy.id)
    ids: list[Any] = list(await query.order_by("id").values_list("id", flat=True))
    return [int(i) for i in ids]


async def _follow(copy: Document, status: str, moment: datetime) -> None:
    """The issuer's recipient row follows its copy."""
    await Recipient.filter(copy_document_id=copy.id).update(status=status, status_at=moment)


async def register_received(
    document_id: int, *, confirm_duplicate: bool = False, now: datetime | None = None
) -> RegistrationResult:
    """Register the received copy ``document_id`` (see the module docstring)."""
    moment = moment_of(now)
    try:
        async with atomic():
            copy = await _locked_copy(document_id)
            await receiving_registry(copy.registry_id)  # 403 and 422 before the state
            _check_waiting(copy)
            duplicates = await _duplicates(copy)
            if duplicates and not confirm_duplicate:
                return RegistrationResult(None, duplicates)
            return RegistrationResult(await _register(copy, duplicates, moment))
    except IntegrityError:
        # A concurrent registration of the same document won the unique key.
        copy = await Document.get(id=document_id)
        duplicates = await _duplicates(copy)
        if not duplicates:
            raise Conflict("The document could not be registered; try again.") from None
        return RegistrationResult(None, duplicates)


async def _register(copy: Document, duplicates: list[int], moment: datetime) -> Document:
    document_type = await DocumentType.get(id=copy.document_type_id)
    confidentiality = await ConfidentialityLevel.get(id=copy.confidentiality_id)
    number = await allocate_number(
        copy.registry_id,
        NumberRequest(document_type=document_type.code, confidentiality=confidentiality.code),
        now=moment,
    )
    confirmed = bool(duplicates)
    unit = copy.registered_unit_id
    clerk = current_user_id()
    updated = await Document.filter(id=copy.id, status=RECEIVED).update(
        status=REGISTERED,
        registry_number_id=number.id,
        arrival_number=number.number,
        arrival_date=moment,
        registered_by=clerk,
        dedupe_key=None if confirmed else unit_key(unit, copy.identity_key),
        identifier_key=None if confirmed else unit_key(unit, copy.document_identifier or None),
        duplicate_confirmed=confirmed,
        duplicate_of_id=duplicates[0] if confirmed else None,
    )
    if updated != 1:
        raise Conflict(f"Document {copy.id} was handled meanwhile.")
    number.document_model, number.document_id = DOCUMENT_MODEL, copy.id
    await number.save(update_fields=["document_model", "document_id"])
    await _follow(copy, REGISTERED, moment)
    copy = await Document.get(id=copy.id)
    await record_audit(
        "registry.document.register",
        object_type="registry.document",
        object_id=copy.id,
        after={
            "registry_id": copy.registry_id,
            "status": copy.status,
            "source": copy.source,
            "arrival_number": copy.arrival_number,
            "code": f"{copy.code_number}/{copy.code_notation}",
            "organ_name": copy.organ_name,
            "duplicate_confirmed": confirmed,
        },
        unit_id=unit,
    )
    await record_step(
        copy,
        STEP_REGISTERED,
        summary=f"{copy.code_number}/{copy.code_notation}".strip("/"),
        detail={"arrival_number": number.number, "year": number.year, "source": copy.source},
        audit=False,
        now=moment,
    )
    if clerk is not None:
        await add_participant(copy.id, PART_CLERK, user_id=clerk)
    await publish(
        DocumentRegistered(
            copy.id,
            copy.registry_id,
            INCOMING,
            number.number,
            number.year,
            SOURCE_INTERNAL,
            copy.confidentiality_level > 0,
        )
    )
    return copy


async def refuse_received(
    document_id: int, reason: str, *, now: datetime | None = None
) -> Document:
    """Refuse the received copy ``document_id`` with ``reason`` (returned to the issuer)."""
    moment = moment_of(now)
    async with atomic():
        copy = await _locked_copy(document_id)
        registry = await receiving_registry(copy.registry_id)
        _check_waiting(copy)
        text = check_reason(reason, "A refusal needs a reason.")
        clerk = current_user_id()
        updated = await Document.filter(id=copy.id, status=RECEIVED).update(
            status=REFUSED, refusal_reason=text, registered_by=clerk
        )
        if updated != 1:
            raise Conflict(f"Document {copy.id} was handled meanwhile.")
        await _follow(copy, REFUSED, moment)
        copy = await Document.get(id=copy.id)
        await record_audit(
            "registry.document.refuse",
            object_type="registry.document",
            object_id=copy.id,
            after={"status": copy.status, "source": copy.source, "refusal_reason": text},
            unit_id=registry.unit_id,
        )
        await record_step(copy, STEP_REFUSED, summary=text, audit=False, now=moment)
        if clerk is not None:
            await add_participant(copy.id, PART_CLERK, user_id=clerk)
        await publish(DocumentRefused(copy.id, registry.id, INCOMING, SOURCE_INTERNAL, text))
    return copy


async def received_copies(*, status: str | None = RECEIVED, limit: int = 200) -> list[Document]:
    """The internal copies the current actor may see (default: those waiting), urgent first,
    then oldest first — the order a clerk works through them."""
    query = Document.filter(await visibility(), direction=INCOMING, source=SOURCE_INTERNAL)
    if status is not None:
        query = query.filter(status=status)
    return list(await query.order_by("-priority_weight", "received_at", "id").limit(limit))
