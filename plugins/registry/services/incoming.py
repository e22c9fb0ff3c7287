"""Receiving incoming documents (văn bản đến, ND30 Điều 20–22): register or refuse.

:func:`register_incoming` is the one entry point of the web API, the scan flow and the
interconnect plugin; :func:`refuse_incoming` records a received document that the clerk
returns to the sender (``receive_and_refuse``: same validation, no number). In order:

1. the registry (another tenant's: 404), the permission ``registry.incoming.register`` in the
   registry's unit (403), an active incoming registry (422);
2. the metadata, every field at once (422 with ``errors``);
3. the files, checked by their bytes (422 for a file that is not what its name says; an
   encrypted or damaged PDF is kept with a warning);
4. a probable duplicate is answered now (nothing stored); otherwise the files are stored as
   blobs, before the transaction;
5. in one transaction: the duplicate check, the arrival number (numbering service), the
   document and its files, the audit event and the ``DocumentRegistered`` event. Anything
   failing after the number rolls the number back with the rest.

Duplicates (same number, notation, issuer and issued year, or the same document identifier)
are returned as ``RegistrationResult(duplicate_of=[…])`` without registering, unless the
clerk confirms with ``confirm_duplicate=True``. Two clerks registering the same document at the
same moment: the unique ``dedupe_key``/``identifier_key`` lets exactly one in; the other gets
the duplicate answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from core import (
    Conflict,
    InvalidInput,
    atomic,
    check_permission,
    current_actor,
    publish,
    record_audit,
)
from plugins.registry.actions import INCOMING_REGISTER
from plugins.registry.events import DocumentRefused, DocumentRegistered
from plugins.registry.models import INCOMING, Registry
from plugins.registry.models_documents import (
    REFUSED,
    REGISTERED,
    SOURCE_INTERCONNECT,
    SOURCES,
    Document,
    DocumentFile,
)
from plugins.registry.models_flow import PART_CLERK
from plugins.registry.notation import moment_of
from plugins.registry.services.incoming_files import (
    CheckedUpload,
    FileWarning,
    IncomingFile,
    StoredFile,
    check_files,
    file_warnings,
    store_checked,
)
from plugins.registry.services.incoming_input import (
    CheckedMetadata,
    IncomingMetadata,
    check_metadata,
    check_reason,
)
from plugins.registry.services.numbering import NumberRequest, allocate_number
from plugins.registry.services.participants import add_participant
from plugins.registry.services.registries import get_registry
from plugins.registry.services.timeline import STEP_REFUSED, STEP_REGISTERED, record_step

__all__ = [
    "IncomingFile",
    "IncomingMetadata",
    "RegistrationResult",
    "find_duplicates",
    "refuse_incoming",
    "register_incoming",
]

DOCUMENT_MODEL = "registry.Document"


@dataclass(frozen=True)
class RegistrationResult:
    """What receiving a document gave: the document, or the documents it may duplicate (then
    nothing was registered), and warnings about kept files."""

    document: Document | None = None
    duplicate_of: list[int] = field(default_factory=list)
    warnings: list[FileWarning] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        return self.document is not None


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise InvalidInput(
            f"Unknown source {source!r}.", {"source": f"one of {', '.join(SOURCES)}"}
        )


async def receiving_registry(registry_id: int) -> Registry:
    """The registry a document is received into: found (404), allowed (403), an active
    incoming registry (422)."""
    registry = await get_registry(registry_id)
    await check_permission(INCOMING_REGISTER, unit_id=registry.unit_id)
    if registry.direction != INCOMING:
        raise InvalidInput(
            f"Registry {registry.id} is an {registry.direction} registry; incoming documents "
            "are registered in an incoming registry.",
            {"registry_id": "not an incoming registry"},
        )
    if not registry.is_active:
        raise InvalidInput(
            f"Registry {registry.id} is inactive.", {"registry_id": "inactive registry"}
        )
    return registry


async def find_duplicates(checked: CheckedMetadata, unit_id: int) -> list[int]:
    """Ids of the registered incoming documents of the receiving agency ``unit_id`` with the
    same identity (number, notation, issuer, issued year) or the same document identifier,
    oldest first. Other agencies of the tenant receive the same document legitimately (a
    decree sent to twenty departments), so they are not duplicates."""
    same = Q(identity_key=checked.identity_key)
    if checked.identifier:
        same |= Q(document_identifier=checked.identifier)
    query = Document.filter(
        same, direction=INCOMING, status=REGISTERED, registered_unit_id=unit_id
    ).order_by("id")
    ids: list[Any] = list(await query.values_list("id", flat=True))
    return [int(i) for i in ids]


def unit_key(unit_id: int, value: str | None) -> str | None:
    """The unique key of ``value`` within one receiving agency (a digest, fixed length)."""
    if value is None:
        return None
    return hashlib.sha256(f"{unit_id}\x00{value}".encode()).hexdigest()


def _actor_fields(registry: Registry) -> dict[str, Any]:
    actor = current_actor()
    return {
        "registered_by": actor.id if actor.kind == "user" else None,
        "registered_unit_id": registry.unit_id,
        "created_by": actor.ref,
    }


async def _create_files(document: Document, stored: list[StoredFile]) -> None:
    for item in stored:
        await DocumentFile.create(
            document=document,
            role=item.role,
            position=item.position,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            pdf_state=item.pdf_state,
            pages=item.pages,
            text_status=item.text_status,
        )


def audit_view(document: Document, files: list[StoredFile]) -> dict[str, Any]:
    return {
        "registry_id": document.registry_id,
        "status": document.status,
        "source": document.source,
        "arrival_number": document.arrival_number,
        "code": f"{document.code_number}/{document.code_notation}",
        "organ_name": document.organ_name,
        "subject": document.subject,
        "type_name": document.type_name,
        "confidentiality_level": document.confidentiality_level,
        "duplicate_confirmed": document.duplicate_confirmed,
        "duplicate_of_id": document.duplicate_of_id,
        "refusal_reason": document.refusal_reason,
        "files": [{"filename": f.filename, "sha256": f.sha256, "role": f.role} for f in files],
    }


async def _check(
    registry: Registry,
    metadata: IncomingMetadata,
    files: list[IncomingFile],
    source: str,
    moment: datetime,
) -> tuple[CheckedMetadata, list[CheckedUpload]]:
    _check_source(source)
    checked = await check_metadata(registry, metadata, moment)
    return checked, await check_files(files, require_main=source != SOURCE_INTERCONNECT)


async def register_incoming(
    registry_id: int,
    metadata: IncomingMetadata,
    files: list[IncomingFile],
    *,
    source: str,
    confirm_duplicate: bool = False,
    now: datetime | None = None,
) -> RegistrationResult:
    """Register a received document in the incoming registry ``registry_id``: it gets the
    next arrival number of the year and the arrival date ``now`` (default: the current time)."""
    moment = moment_of(now)
    registry = await receiving_registry(registry_id)
    checked, uploads = await _check(registry, metadata, files, source, moment)
    if not confirm_duplicate:  # answered before the files are stored; checked again below
        duplicates = await find_duplicates(checked, registry.unit_id)
        if duplicates:
            return RegistrationResult(None, duplicates, file_warnings(uploads))
    stored, warnings = await store_checked(uploads)
    try:
        async with atomic():
            duplicates = await find_duplicates(checked, registry.unit_id)
            if duplicates and not confirm_duplicate:
                return RegistrationResult(None, duplicates, warnings)
            document = await _register(registry, checked, stored, source, moment, duplicates)
    except IntegrityError:
        # A concurrent registration of the same document won the unique key.
        duplicates = await find_duplicates(checked, registry.unit_id)
        if not duplicates:
            raise Conflict("The document could not be registered; try again.") from None
        return RegistrationResult(None, duplicates, warnings)
    return RegistrationResult(document, [], warnings)


async def _register(
    registry: Registry,
    checked: CheckedMetadata,
    stored: list[StoredFile],
    source: str,
    moment: datetime,
    duplicates: list[int],
) -> Document:
    number = await allocate_number(
        registry.id,
        NumberRequest(
            document_type=checked.document_type.code,
            confidentiality=checked.confidentiality.code,
        ),
        now=moment,
    )
    confirmed = bool(duplicates)
    document = await Document.create(
        registry=registry,
        direction=INCOMING,
        status=REGISTERED,
        source=source,
        document_type=checked.document_type,
        priority=checked.priority,
        confidentiality=checked.confidentiality,
        registry_number=number,
        arrival_number=number.number,
        arrival_date=moment,
        received_at=moment,
        identity_key=checked.identity_key,
        dedupe_key=None if confirmed else unit_key(registry.unit_id, checked.identity_key),
        identifier_key=None if confirmed else unit_key(registry.unit_id, checked.identifier),
        duplicate_confirmed=confirmed,
        duplicate_of_id=duplicates[0] if confirmed else None,
        search_text=checked.search_text(),
        **checked.values,
        **_actor_fields(registry),
    )
    await _create_files(document, stored)
    number.document_model, number.document_id = DOCUMENT_MODEL, document.id
    await number.save(update_fields=["document_model", "document_id"])
    await record_audit(
        "registry.document.register",
        object_type="registry.document",
        object_id=document.id,
        after=audit_view(document, stored),
        unit_id=registry.unit_id,
    )
    await record_step(
        document,
        STEP_REGISTERED,
        summary=f"{document.code_number}/{document.code_notation}".strip("/"),
        detail={"arrival_number": number.number, "year": number.year, "source": source},
        audit=False,
        now=moment,
    )
    if document.registered_by is not None:
        await add_participant(document.id, PART_CLERK, user_id=document.registered_by)
    await publish(
        DocumentRegistered(
            document.id,
            registry.id,
            INCOMING,
            number.number,
            number.year,
            source,
            checked.confidential,
        )
    )
    return document


async def refuse_incoming(
    registry_id: int,
    metadata: IncomingMetadata,
    files: list[IncomingFile],
    *,
    reason: str,
    source: str,
    now: datetime | None = None,
) -> RegistrationResult:
    """Record a received document that the clerk returns to the sender with ``reason``
    (receive and refuse): same validation as :func:`register_incoming`, no arrival number,
    status ``refused``. Refused documents never count as duplicates."""
    moment = moment_of(now)
    registry = await receiving_registry(registry_id)
    text = check_reason(reason, "A refusal needs a reason.")
    checked, uploads = await _check(registry, metadata, files, source, moment)
    stored, warnings = await store_checked(uploads)
    async with atomic():
        document = await Document.create(
            registry=registry,
            direction=INCOMING,
            status=REFUSED,
            source=source,
            document_type=checked.document_type,
            priority=checked.priority,
            confidentiality=checked.confidentiality,
            received_at=moment,
            refusal_reason=text,
            identity_key=checked.identity_key,
            search_text=checked.search_text(),
            **checked.values,
            **_actor_fields(registry),
        )
        await _create_files(document, stored)
        await record_audit(
            "registry.document.refuse",
            object_type="registry.document",
            object_id=document.id,
            after=audit_view(document, stored),
            unit_id=registry.unit_id,
        )
        await record_step(document, STEP_REFUSED, summary=text, audit=False, now=moment)
        await publish(DocumentRefused(document.id, registry.id, INCOMING, source, text))
    return RegistrationResult(document, [], warnings)
