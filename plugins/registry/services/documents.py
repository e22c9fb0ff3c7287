"""Reading documents: who may see which, one document, lists, files.

Visibility is decided in one place — :func:`visibility` for a query, :func:`check_visible`
for one document — so the later slices (assignment, processing) extend it there:

* the clerk who recorded a document (``registered_by``) always sees it;
* a document that is not confidential: holders of ``registry.registries.view`` in the unit of
  its registry (``registered_unit_id``);
* a confidential one (confidentiality level above 0): holders of
  ``registry.confidential.view`` in that unit;
* the system actor (jobs, CLI) sees everything; other actors nothing;
* an assignee sees the documents assigned to them (directly, or to a unit where they hold a
  position), confidential or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from core import NotFound, PermissionDenied, current_actor, has_permission
from plugins.registry.actions import CONFIDENTIAL_VIEW, REGISTRIES_VIEW
from plugins.registry.models import INCOMING
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.services.registries import MAX_ID

NOTHING = Q(id=0)  # ids start at 1


@dataclass(frozen=True)
class ListPosition:
    """A keyset position in the list order: urgent first, then newest."""

    priority_weight: int
    received_at: datetime
    id: int


async def _allowed(action: str, unit_id: int) -> bool:
    try:
        return await has_permission(action, unit_id=unit_id)
    except NotFound:  # the unit is gone from the tree
        return False


async def _assigned_documents(user_id: int, document_id: int | None = None) -> list[int]:
    """Ids of the documents assigned to ``user_id`` or to a unit where they hold a position."""
    from plugins.registry.models_assignments import Assignment
    from plugins.registry.services.assignments import acting_filter, position_units

    query = Assignment.filter(acting_filter(user_id, await position_units(user_id)))
    if document_id is not None:
        query = query.filter(document_id=document_id)
    rows: list[Any] = list(await query.distinct().values_list("document_id", flat=True))
    return [int(r) for r in rows]


async def visibility() -> Q:
    """The filter of the documents the current actor may see (see the module docstring)."""
    actor = current_actor()
    if actor.kind == "system":
        return Q()
    if actor.kind != "user" or actor.id is None:
        return NOTHING
    rows: list[Any] = list(
        await Document.all().distinct().values_list("registered_unit_id", flat=True)
    )
    units = [int(u) for u in rows]
    normal = [u for u in units if await _allowed(REGISTRIES_VIEW, u)]
    secret = [u for u in units if await _allowed(CONFIDENTIAL_VIEW, u)]
    visible = Q(registered_by=actor.id)
    assigned = await _assigned_documents(actor.id)
    if assigned:
        visible |= Q(id__in=assigned)
    if normal:
        visible |= Q(registered_unit_id__in=normal, confidentiality_level=0)
    if secret:
        visible |= Q(registered_unit_id__in=secret, confidentiality_level__gt=0)
    return visible


async def check_visible(document: Document) -> None:
    """Raise :class:`PermissionDenied` (naming the action) unless the actor may see it."""
    actor = current_actor()
    if actor.kind == "system":
        return
    if actor.kind == "user" and actor.id is not None and document.registered_by == actor.id:
        return
    if (
        actor.kind == "user"
        and actor.id is not None
        and await _assigned_documents(actor.id, document.id)
    ):
        return
    action = CONFIDENTIAL_VIEW if document.confidentiality_level > 0 else REGISTRIES_VIEW
    if not await _allowed(action, document.registered_unit_id):
        raise PermissionDenied(
            action, f"Missing permission: {action} in unit {document.registered_unit_id}"
        )


async def get_document(document_id: int, direction: str = INCOMING) -> Document:
    """The document ``document_id`` of the current tenant (404 otherwise), if visible (403)."""
    document = None
    if 1 <= document_id <= MAX_ID:
        document = await Document.get_or_none(id=document_id, direction=direction)
    if document is None:
        raise NotFound(f"No {direction} document with id {document_id} in this tenant.")
    await check_visible(document)
    return document


async def document_files(document: Document) -> list[DocumentFile]:
    return list(await DocumentFile.filter(document_id=document.id).order_by("position", "id"))


async def get_file(document_id: int, file_id: int, direction: str = INCOMING) -> DocumentFile:
    """A file of a visible document (404 for a file of another document or tenant)."""
    document = await get_document(document_id, direction)
    entry = None
    if 1 <= file_id <= MAX_ID:
        entry = await DocumentFile.get_or_none(id=file_id, document_id=document.id)
    if entry is None:
        raise NotFound(f"No file {file_id} in document {document_id}.")
    return entry


async def list_documents(
    *,
    direction: str = INCOMING,
    registry_id: int | None = None,
    status: str | None = None,
    after: ListPosition | None = None,
    limit: int | None = None,
) -> list[Document]:
    """The visible documents, urgent first (``priority_weight``), then newest."""
    query = Document.filter(await visibility(), direction=direction)
    if registry_id is not None:
        query = query.filter(registry_id=registry_id)
    if status is not None:
        query = query.filter(status=status)
    if after is not None:
        w, t, i = after.priority_weight, after.received_at, after.id
        query = query.filter(
            Q(priority_weight__lt=w)
            | Q(priority_weight=w, received_at__lt=t)
            | Q(priority_weight=w, received_at=t, id__lt=i)
        )
    query = query.order_by("-priority_weight", "-received_at", "-id")
    if limit is not None:
        query = query.limit(limit)
    return list(await query)
