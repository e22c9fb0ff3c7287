"""Numbering a signed outgoing or internal document (ND30 Điều 15, 18: the clerk assigns
the number and the date after signing).

The number and notation always come from the registry — the next number
(``services.numbering.allocate_number``) or a number reserved earlier for it
(``services.reservations.use_reservation``); no caller can type one. The date of the document
becomes today in Vietnam time. Numbering twice, or numbering a document that is not signed, is
a 409; a recalled document is frozen (409).
"""

from __future__ import annotations

from datetime import datetime

from core import Conflict, InvalidInput, atomic, publish
from plugins.registry.events import DocumentNumbered
from plugins.registry.models import DocumentType, Registry, RegistryNumber
from plugins.registry.models_documents import Document
from plugins.registry.models_flow import PART_CLERK
from plugins.registry.models_outgoing import SIGNED, OutgoingDetail
from plugins.registry.notation import moment_of, uses_unit, vietnam_date
from plugins.registry.searchtext import fold_fields
from plugins.registry.services.incoming_input import identity_key
from plugins.registry.services.numbering import NumberRequest, allocate_number, get_number
from plugins.registry.services.outgoing_common import current_user_id
from plugins.registry.services.outgoing_issue_common import (
    DOCUMENT_MODEL,
    check_clerk,
    check_not_recalled,
    code_of,
    locked_outgoing,
)
from plugins.registry.services.participants import add_participant
from plugins.registry.services.reservations import use_reservation
from plugins.registry.services.timeline import STEP_NUMBERED, record_step


def _check_numberable(document: Document) -> None:
    check_not_recalled(document)
    if document.registry_number_id is not None:
        raise Conflict(f"Document {document.id} is already numbered ({code_of(document)}).")
    if document.status != SIGNED:
        raise Conflict(
            f"Document {document.id} is {document.status}; only a signed document is numbered."
        )


async def _drafting_unit(
    registry: Registry, document_type: DocumentType, detail: OutgoingDetail, given: int | None
) -> int | None:
    """The unit named in the notation — only when the pattern has ``{unit}`` (Công văn)."""
    pattern = document_type.notation_pattern or registry.notation_pattern
    if not uses_unit(pattern):
        return None
    return given if given is not None else detail.drafter_unit_id


async def _reserved(number_id: int, document: Document) -> RegistryNumber:
    """A reservation fit for ``document``: same registry, type and secrecy (422 otherwise)."""
    entry = await get_number(number_id)
    errors: dict[str, str] = {}
    if entry.registry_id != document.registry_id:
        errors["reservation_id"] = f"a number of registry {entry.registry_id}, not of this one"
    elif entry.document_type_id not in (None, document.document_type_id):
        errors["reservation_id"] = f"reserved for {entry.type_name}, not {document.type_name}"
    elif entry.confidential != (document.confidentiality_level > 0):
        errors["reservation_id"] = "the confidential and normal sequences differ"
    if errors:
        raise InvalidInput(
            f"Reserved number {entry.code} cannot number document {document.id}.", errors
        )
    return entry


async def number_document(
    document_id: int,
    *,
    reservation_id: int | None = None,
    drafting_unit_id: int | None = None,
    now: datetime | None = None,
) -> Document:
    """Give the signed document ``document_id`` its number, notation and date.

    ``reservation_id`` uses a number reserved for it (giữ số) instead of the next one;
    ``drafting_unit_id`` names the unit of a ``{unit}`` notation (default: the drafting unit).
    """
    moment = moment_of(now)
    async with atomic():
        found = await locked_outgoing(document_id)
        document = found.document
        await check_clerk(document)
        _check_numberable(document)
        registry = await Registry.get(id=document.registry_id)
        document_type = await DocumentType.get(id=document.document_type_id)
        if reservation_id is not None:
            await _reserved(reservation_id, document)
            entry = await use_reservation(reservation_id, (DOCUMENT_MODEL, document.id), now=moment)
        else:
            confidentiality = await document.confidentiality
            unit = await _drafting_unit(registry, document_type, found.detail, drafting_unit_id)
            entry = await allocate_number(
                registry.id,
                NumberRequest(
                    document_type=document_type.code,
                    confidentiality=confidentiality.code,
                    drafting_unit_id=unit,
                ),
                document=(DOCUMENT_MODEL, document.id),
                now=moment,
            )
        issued = vietnam_date(moment)
        code = entry.code
        # Conditional: a concurrent numbering of the same document changes nothing.
        updated = await Document.filter(
            id=document.id, registry_number_id=None, status=SIGNED
        ).update(
            code_number=entry.code_number,
            code_notation=entry.code_notation,
            registry_number_id=entry.id,
            issued_date=issued,
            identity_key=identity_key(
                entry.code_number, entry.code_notation, document.organ_name, issued.year
            ),
            search_text=fold_fields(
                code,
                document.type_name,
                document.subject,
                document.organ_name,
                document.signer_position,
                document.signer_full_name,
                document.description,
                found.detail.recipients_text,  # indexed since the draft (outgoing_input)
            ),
        )
        if updated != 1:
            raise Conflict(f"Document {document.id} was numbered meanwhile.")
        document = await Document.get(id=document.id)
        user_id = current_user_id()
        if user_id is not None:
            await add_participant(document.id, PART_CLERK, user_id=user_id)
        await record_step(
            document,
            STEP_NUMBERED,
            summary=code,
            detail={
                "number_id": entry.id,
                "number": entry.number,
                "year": entry.year,
                "issued_date": issued.isoformat(),
                "reserved": reservation_id is not None,
            },
            now=moment,
        )
        await publish(DocumentNumbered(document.id, registry.id, entry.id, code, entry.year))
    return document
