"""Incoming copies of an internal issue: where each recipient unit receives it, and the copy.

A recipient unit receives the document in the nearest active incoming registry that takes its
type — the unit's own, else its parent agency's (a department receives through its agency's
office). The copy is a ``Document`` (direction ``incoming``, status ``received``, source
``internal``) with the same metadata and new ``DocumentFile`` rows naming the same blobs
(nothing is copied); its arrival number stays empty until the recipient's clerk registers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core import InvalidInput, NotFound, current_actor
from plugins.registry.models import INCOMING, DocumentType, Registry
from plugins.registry.models_documents import TEXT_PENDING, Document, DocumentFile
from plugins.registry.models_outgoing import RECEIVED
from plugins.registry.services.incoming_input import TEXT_FIELDS
from plugins.registry.services.outgoing_common import ROLE_DRAFT_FILE
from plugins.registry.services.outgoing_issue_common import SOURCE_INTERNAL
from plugins.registry.services.registries import MAX_ID, accepts
from plugins.registry.units import UnitRef, find_unit

# Metadata an incoming copy takes over unchanged from the issued document: the ND30 fields of
# a received document (``incoming_input.TEXT_FIELDS``: what a clerk would type), the reference
# data with the values copied from it, and the keys of duplicates and search.
COPIED_FIELDS = (
    *TEXT_FIELDS,
    "type_name",
    "issued_date",
    "due_date",
    "page_amount",
    "document_type_id",
    "priority_id",
    "priority_weight",
    "confidentiality_id",
    "confidentiality_level",
    "identity_key",
    "search_text",
)


@dataclass(frozen=True)
class CopyPlan:
    """Where the unit ``unit`` receives the copy."""

    unit: UnitRef
    registry: Registry


def _chain(unit: UnitRef) -> list[int]:
    """The unit and its ancestors, nearest first (from the materialised path ``/3/7/``)."""
    ids = [int(part) for part in unit.path.strip("/").split("/") if part.isdigit()]
    return list(reversed(ids)) or [unit.id]


class _Receivers:
    """The tenant's active incoming registries by unit, read once per issue, and which of
    them take the document's type (asked once per registry)."""

    def __init__(self, registries: list[Registry], document_type: DocumentType) -> None:
        self.by_unit: dict[int, list[Registry]] = {}
        for registry in registries:
            self.by_unit.setdefault(registry.unit_id, []).append(registry)
        self.document_type = document_type
        self.taking: dict[int, bool] = {}

    async def registry_of(self, unit: UnitRef) -> Registry | None:
        """The nearest active incoming registry of ``unit`` or an ancestor taking the type."""
        for unit_id in _chain(unit):
            for registry in self.by_unit.get(unit_id, []):
                if registry.id not in self.taking:
                    self.taking[registry.id] = await accepts(registry, self.document_type)
                if self.taking[registry.id]:
                    return registry
        return None


async def plan_copies(document: Document, unit_ids: list[int]) -> list[CopyPlan]:
    """A plan for every recipient unit, or one error naming every unit that cannot receive
    (404 for a unit of no tenant's; 422 listing the others): all or nothing."""
    document_type = await DocumentType.get(id=document.document_type_id)
    registries = Registry.filter(direction=INCOMING, is_active=True).order_by("id")
    receivers = _Receivers(list(await registries), document_type)
    plans: list[CopyPlan] = []
    errors: dict[str, str] = {}
    for index, unit_id in enumerate(unit_ids):
        unit = await find_unit(unit_id) if 1 <= unit_id <= MAX_ID else None
        if unit is None:
            raise NotFound(f"No unit with id {unit_id} in this tenant.")
        field = f"units.{index}"
        if not unit.is_active:
            errors[field] = f"unit {unit.code} ({unit.name}) is deactivated"
            continue
        registry = await receivers.registry_of(unit)
        if registry is None:
            errors[field] = (
                f"unit {unit.code} ({unit.name}) has no active incoming registry that takes "
                f"{document.type_name} documents"
            )
        elif registry.unit_id == document.registered_unit_id:
            errors[field] = (
                f"unit {unit.code} ({unit.name}) belongs to the issuing agency; use an "
                "internal document"
            )
        else:
            plans.append(CopyPlan(unit, registry))
    if errors:
        names = "; ".join(errors.values())
        raise InvalidInput(f"Nothing was issued: {names}.", errors)
    return plans


async def issued_files(document: Document) -> list[DocumentFile]:
    """The files recipients get: every file but the superseded drafts."""
    query = DocumentFile.filter(document_id=document.id).exclude(role=ROLE_DRAFT_FILE)
    return list(await query.order_by("position", "id"))


async def make_copy(
    document: Document, plan: CopyPlan, files: list[DocumentFile], moment: datetime
) -> Document:
    """The incoming copy of ``document`` for ``plan`` (status ``received``).

    The recipient unit is not made a participant (that would show the copy, confidential or
    not, to everyone holding a position in the unit): the receiving registry's clerks see it
    while it waits (``services.documents.visibility``), its clerks and leaders by the unit
    rules, and the lead and co-handlers once it is assigned."""
    values = {name: getattr(document, name) for name in COPIED_FIELDS}
    copy = await Document.create(
        registry=plan.registry,
        direction=INCOMING,
        status=RECEIVED,
        source=SOURCE_INTERNAL,
        received_at=moment,
        registered_by=None,
        registered_unit_id=plan.registry.unit_id,
        created_by=current_actor().ref,
        **values,
    )
    for entry in files:
        await DocumentFile.create(
            document=copy,
            role=entry.role,
            position=entry.position,
            filename=entry.filename,
            content_type=entry.content_type,
            size=entry.size,
            sha256=entry.sha256,
            pdf_state=entry.pdf_state,
            pages=entry.pages,
            # The copy's text is extracted for its own search entry (same blob, read again).
            text_status=TEXT_PENDING,
        )
    return copy
