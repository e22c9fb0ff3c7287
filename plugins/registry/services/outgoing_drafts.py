"""Drafting outgoing and internal documents (dự thảo; ND30 Điều 10–12).

* :func:`create_draft` — a holder of ``registry.outgoing.draft`` in the drafting unit makes a
  draft in an active registry of its agency (a registry of the drafting unit or of a unit above
  it; another unit's registry needs the action there too), with its main file (PDF or DOCX),
  attachments and annexes. Status ``draft``.
* :func:`update_draft` / :func:`replace_files` — the drafter changes the metadata and the files
  while the document is ``draft`` or ``returned`` (409 otherwise).

While a draft, the ``Document`` carries placeholders: ``code_number``/``code_notation`` empty,
``issued_date`` the draft's date, ``organ_name`` the agency's name, ``received_at`` the
creation time, ``identity_key`` empty, ``registered_unit_id`` the registry's unit and
``registered_by`` the drafter. Numbering (part B) replaces the number, notation and date.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from tortoise.expressions import F

from core import (
    InvalidInput,
    PayloadTooLarge,
    atomic,
    check_permission,
    current_actor,
    publish,
)
from plugins.registry.actions import OUTGOING_DRAFT
from plugins.registry.events import DraftCreated
from plugins.registry.models import DocumentType, Registry
from plugins.registry.models_documents import ROLE_ATTACHMENT, ROLE_MAIN, Document, DocumentFile
from plugins.registry.models_flow import PART_DRAFTER
from plugins.registry.models_outgoing import DRAFT, ROLE_ANNEX, OutgoingDetail
from plugins.registry.notation import vietnam_date
from plugins.registry.services.extraction import schedule_extraction
from plugins.registry.services.incoming_files import IncomingFile, StoredFile, store_files
from plugins.registry.services.outgoing_common import (
    OUTGOING_DIRECTIONS,
    ROLE_DRAFT_FILE,
    SOURCE_DRAFTED,
    create_files,
    find_outgoing,
    moment_of,
    primary_unit,
    require_drafter,
    require_editable,
)
from plugins.registry.services.outgoing_input import CheckedDraft, DraftMetadata, check_draft
from plugins.registry.services.participants import add_participant
from plugins.registry.services.registries import accepts, get_registry
from plugins.registry.services.timeline import STEP_DRAFTED, record_step
from plugins.registry.units import UnitRef, find_unit, get_unit

MAIN_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
)


# ------------------------------------------------------------------------------ the registry


async def _drafting_unit(unit_id: int | None) -> UnitRef:
    if unit_id is None:
        actor = current_actor()
        unit_id = await primary_unit(actor.id) if actor.kind == "user" and actor.id else None
        if unit_id is None:
            raise InvalidInput(
                "Say which unit drafts the document (you hold no position).",
                {"unit_id": "required"},
            )
    unit = await get_unit(unit_id)
    await check_permission(OUTGOING_DRAFT, unit_id=unit.id)
    return unit


async def _candidates(unit: UnitRef, direction: str) -> list[Registry]:
    """Active registries of ``direction`` of the drafting unit and the units above it, the
    nearest unit first."""
    registries = await Registry.filter(direction=direction, is_active=True).order_by("id")
    owners: dict[int, UnitRef | None] = {}
    for r in registries:
        if r.unit_id not in owners:
            owners[r.unit_id] = await find_unit(r.unit_id)
    mine = [r for r in registries if (o := owners[r.unit_id]) is not None and o.contains(unit)]
    return sorted(mine, key=lambda r: (-len(owners[r.unit_id].path), r.id))  # type: ignore[union-attr]


async def choose_registry(
    unit: UnitRef, direction: str, registry_id: int | None, document_type: str
) -> Registry:
    """The registry the draft goes to: the one chosen (checked), or the first active one of the
    agency taking the type."""
    if direction not in OUTGOING_DIRECTIONS:
        raise InvalidInput(
            f"Unknown direction {direction!r}.", {"direction": "outgoing or internal"}
        )
    if registry_id is not None:
        registry = await get_registry(registry_id)
        owner = await find_unit(registry.unit_id)
        if owner is None or not owner.contains(unit):
            # Another agency's registry: the drafter needs the action in that unit too.
            await check_permission(OUTGOING_DRAFT, unit_id=registry.unit_id)
        if registry.direction != direction:
            raise InvalidInput(
                f"Registry {registry.id} is an {registry.direction} registry.",
                {"registry_id": f"not an {direction} registry"},
            )
        if not registry.is_active:
            raise InvalidInput(
                f"Registry {registry.id} is inactive.", {"registry_id": "inactive registry"}
            )
        return registry
    candidates = await _candidates(unit, direction)
    wanted = await DocumentType.get_or_none(code=document_type) if document_type else None
    for registry in candidates:
        if wanted is None or await accepts(registry, wanted):
            return registry
    raise InvalidInput(
        f"No active {direction} registry of unit {unit.code} takes this document.",
        {"registry_id": f"no active {direction} registry for this unit"},
    )


# ------------------------------------------------------------------------------ files


def _rekey(exc: InvalidInput | PayloadTooLarge, group: str) -> dict[str, str]:
    """``files.N`` of ``store_files`` as ``<group>.N`` (``main`` alone for the main file)."""
    errors: dict[str, str] = exc.extra.get("errors") or {group: exc.detail}
    keyed = {name.replace("files", group, 1): message for name, message in errors.items()}
    return {("main" if name.startswith("main") else name): m for name, m in keyed.items()}


async def store_draft_files(
    main: IncomingFile | None,
    attachments: list[IncomingFile],
    annexes: list[IncomingFile],
    *,
    require_main: bool,
    first_position: int = 0,
) -> list[StoredFile]:
    """Check and store the files (``main``: PDF or DOCX); errors are keyed ``main``,
    ``attachments.N``, ``annexes.N``. Nothing is referenced until the caller's transaction."""
    if main is None and require_main:
        raise InvalidInput("A draft needs its main file.", {"main": "required"})
    groups: list[tuple[str, str, list[IncomingFile]]] = [
        ("main", ROLE_MAIN, [main] if main is not None else []),
        ("attachments", ROLE_ATTACHMENT, attachments),
        ("annexes", ROLE_ANNEX, annexes),
    ]
    stored: list[StoredFile] = []
    errors: dict[str, str] = {}
    position = first_position
    for group, role, files in groups:
        if not files:
            continue
        # store_files knows the roles of received documents; the role is set here.
        plain = [replace(f, role=ROLE_ATTACHMENT) for f in files]
        try:
            items, _ = await store_files(plain, require_main=False)
        except PayloadTooLarge as exc:
            raise PayloadTooLarge(exc.detail, errors=_rekey(exc, group)) from None
        except InvalidInput as exc:
            errors.update(_rekey(exc, group))
            continue
        for item in items:
            if role == ROLE_MAIN and item.content_type not in MAIN_TYPES:
                errors["main"] = "the main file is a PDF or a DOCX"
            stored.append(replace(item, role=role, position=position))
            position += 1
    if errors:
        summary = "; ".join(f"{name}: {message}" for name, message in errors.items())
        raise InvalidInput(f"Refused files: {summary}", errors)
    return stored


# ------------------------------------------------------------------------------ create


async def create_draft(
    direction: str,
    metadata: DraftMetadata,
    main: IncomingFile | None,
    attachments: list[IncomingFile] | None = None,
    annexes: list[IncomingFile] | None = None,
    *,
    registry_id: int | None = None,
    unit_id: int | None = None,
    now: datetime | None = None,
) -> Document:
    """Make a draft (see the module docstring); ``unit_id`` is the drafting unit (default: the
    drafter's primary unit)."""
    moment = moment_of(now)
    unit = await _drafting_unit(unit_id)
    registry = await choose_registry(unit, direction, registry_id, metadata.document_type)
    try:
        checked = await check_draft(registry, metadata, moment)
    except InvalidInput as exc:
        if main is None:  # one answer naming every missing field
            raise InvalidInput(exc.detail, {**exc.errors, "main": "required"}) from None
        raise
    agency = await get_unit(registry.unit_id)
    stored = await store_draft_files(main, attachments or [], annexes or [], require_main=True)
    actor = current_actor()
    drafter = actor.id if actor.kind == "user" else None
    async with atomic():
        document = await Document.create(
            registry=registry,
            direction=direction,
            status=DRAFT,
            source=SOURCE_DRAFTED,
            code_number="",
            code_notation="",
            document_type=checked.document_type,
            priority=checked.priority,
            confidentiality=checked.confidentiality,
            issued_date=vietnam_date(moment),
            organ_name=agency.name[:200],
            received_at=moment,
            identity_key="",
            registered_by=drafter,
            registered_unit_id=registry.unit_id,
            created_by=actor.ref,
            search_text=checked.search_text(agency.name),
            **checked.values,
        )
        await OutgoingDetail.create(
            document=document,
            drafter_user_id=drafter,
            drafter_unit_id=unit.id,
            keeping_unit_id=unit.id,
            **checked.outgoing,
        )
        await create_files(document, stored)
        if drafter is not None:
            await add_participant(document.id, PART_DRAFTER, user_id=drafter)
        await record_step(
            document,
            STEP_DRAFTED,
            summary=document.subject,
            detail={"registry_id": registry.id, "direction": direction, "unit_id": unit.id},
            now=moment,
        )
        await publish(DraftCreated(document.id, registry.id, direction, drafter))
    return document


# ------------------------------------------------------------------------------ change


def current_metadata(
    document: Document, detail: OutgoingDetail, codes: dict[str, str]
) -> DraftMetadata:
    """The draft's metadata as a :class:`DraftMetadata` (``codes``: document_type, priority,
    confidentiality codes) — the base a partial change is applied to."""
    return DraftMetadata(
        document_type=codes["document_type"],
        subject=document.subject,
        priority=codes["priority"],
        confidentiality=codes["confidentiality"],
        page_amount=document.page_amount,
        signer_position=document.signer_position,
        signer_full_name=document.signer_full_name,
        due_date=document.due_date,
        recipients_text=detail.recipients_text,
        copies=detail.copies,
        reply_to_document_id=detail.reply_to_document_id,
        description=document.description,
    )


async def reference_codes(document: Document) -> dict[str, str]:
    await document.fetch_related("document_type", "priority", "confidentiality")
    return {
        "document_type": document.document_type.code,
        "priority": document.priority.code,
        "confidentiality": document.confidentiality.code,
    }


async def update_draft(
    document_id: int, metadata: DraftMetadata, *, now: datetime | None = None
) -> Document:
    """Replace the draft's metadata (the drafter, while ``draft`` or ``returned``)."""
    moment = moment_of(now)
    found = await find_outgoing(document_id)
    require_drafter(found)
    require_editable(found, "its metadata changes")
    registry = await get_registry(found.document.registry_id)
    checked: CheckedDraft = await check_draft(registry, metadata, moment)
    document, detail = found.document, found.detail
    async with atomic():
        changed = await Document.filter(id=document.id, status=document.status).update(
            document_type_id=checked.document_type.id,
            priority_id=checked.priority.id,
            confidentiality_id=checked.confidentiality.id,
            search_text=checked.search_text(document.organ_name),
            **checked.values,
        )
        if not changed:
            require_editable(await find_outgoing(document_id), "its metadata changes")
        await OutgoingDetail.filter(id=detail.id).update(**checked.outgoing)
        await document.refresh_from_db()
        await record_step(
            document,
            STEP_DRAFTED,
            summary=document.subject,
            detail={"change": "metadata"},
            now=moment,
        )
    return document


async def replace_files(
    document_id: int,
    *,
    main: IncomingFile | None = None,
    attachments: list[IncomingFile] | None = None,
    annexes: list[IncomingFile] | None = None,
    remove_file_ids: list[int] | None = None,
    now: datetime | None = None,
) -> list[DocumentFile]:
    """Change the draft's files: a new ``main`` replaces the main file (the old one is kept as
    history, role ``draft``); ``attachments``/``annexes`` are added; ``remove_file_ids``
    removes attachments or annexes. Returns the document's files."""
    moment = moment_of(now)
    found = await find_outgoing(document_id)
    require_drafter(found)
    require_editable(found, "its files change")
    document = found.document
    removable = {
        f.id: f
        for f in await DocumentFile.filter(
            document_id=document.id, role__in=(ROLE_ATTACHMENT, ROLE_ANNEX)
        )
    }
    unknown = [i for i in remove_file_ids or [] if i not in removable]
    if unknown:
        raise InvalidInput(
            f"Files {unknown} are not attachments or annexes of document {document.id}.",
            {"remove_file_ids": "not an attachment or annex of this document"},
        )
    top = await DocumentFile.filter(document_id=document.id).order_by("-position").first()
    first = (top.position + 1) if top is not None else 0
    stored = await store_draft_files(
        main, attachments or [], annexes or [], require_main=False, first_position=first
    )
    if not stored and not remove_file_ids:
        raise InvalidInput("Send a file to add or one to remove.", {"files": "nothing to change"})
    async with atomic():
        if main is not None:
            await DocumentFile.filter(document_id=document.id, role=ROLE_MAIN).update(
                role=ROLE_DRAFT_FILE
            )
            # The new main file comes first.
            await DocumentFile.filter(document_id=document.id).update(position=F("position") + 1)
            stored = [replace(s, position=0) if s.role == ROLE_MAIN else s for s in stored]
        if remove_file_ids:
            await DocumentFile.filter(id__in=remove_file_ids, document_id=document.id).delete()
        await create_files(document, stored)
        detail: dict[str, Any] = {
            "added": [s.filename for s in stored],
            "removed": [removable[i].filename for i in remove_file_ids or []],
        }
        await record_step(document, STEP_DRAFTED, summary="files", detail=detail, now=moment)
        await schedule_extraction(document.id)  # the new files' text, for search
    return list(await DocumentFile.filter(document_id=document.id).order_by("position", "id"))
