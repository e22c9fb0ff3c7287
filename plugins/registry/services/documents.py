"""Reading documents: who may see which, one document, lists, files.

Visibility is decided in one place — :func:`visibility` for a query, :func:`check_visible`
for one document — so the later slices (assignment, processing) extend it there:

* the clerk who recorded a document (``registered_by``) always sees it;
* a document that is not confidential: holders of ``registry.registries.view`` in the unit of
  its registry (``registered_unit_id``);
* a confidential one (confidentiality level above 0): holders of
  ``registry.confidential.view`` in that unit;
* the system actor (jobs, CLI) sees everything; other actors nothing;
* a participant (``DocumentParticipant``: the leader it was presented to, assignees, drafter,
  reviewers, signer, recipients…) sees it, confidential or not — directly, or through a unit
  where they hold a position. Flows write participants; a confidential document should name
  users, not units, so that only named people see it;
* an internal copy waiting to be registered (source ``internal``, status ``received``):
  holders of ``registry.incoming.register`` in its registry's unit — the clerks who check and
  register it (confidential or not; once registered, the registering clerk keeps it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Q, Subquery

from core import (
    NotFound,
    PermissionDenied,
    current_actor,
    fetch_tenant_rows,
    has_permission,
    user_permissions,
)
from plugins.registry.actions import CONFIDENTIAL_VIEW, INCOMING_REGISTER, REGISTRIES_VIEW
from plugins.registry.models import INCOMING
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.models_flow import DocumentParticipant
from plugins.registry.models_outgoing import RECEIVED
from plugins.registry.services.participants import is_participant, participant_filter
from plugins.registry.services.registries import MAX_ID
from plugins.registry.units import position_units

NOTHING = Q(id=0)  # ids start at 1
# An internal copy waiting for its receiving clerk (the source is
# services.outgoing_issue_common.SOURCE_INTERNAL, a module that imports this one).
WAITING = {"status": RECEIVED, "source": "internal"}


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


async def _participation(user_id: int) -> Q:
    """Documents ``user_id`` takes part in (directly or through a unit where they hold a
    position), as a subquery: the list of ids never leaves the database."""
    rows = DocumentParticipant.filter(
        participant_filter(user_id, await position_units(user_id))
    ).values("document_id")
    return Q(id__in=Subquery(rows))


def _reaches(pattern: str, path: str) -> bool:
    """Whether a grant's domain pattern (``*``, ``/3/7/``, ``/3/7/*``: see
    ``core.user_permissions``) covers the unit at ``path`` — the enforcer's ``key_match``."""
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern


async def _units_holding(user_id: int, actions: tuple[str, ...]) -> dict[str, list[int]]:
    """For each of ``actions``, the units where ``user_id`` holds it — read from the user's
    grants, so a list costs one unit query (none without a grant), not a check per unit."""
    held = await user_permissions(user_id)
    patterns = {action: held.get(action, []) for action in actions}
    if not any(patterns.values()):
        return {action: [] for action in actions}
    rows = await fetch_tenant_rows("SELECT id, path FROM core_unit WHERE {tenant}", [])
    return {
        action: [int(r["id"]) for r in rows if any(_reaches(p, str(r["path"])) for p in found)]
        for action, found in patterns.items()
    }


async def visibility() -> Q:
    """The filter of the documents the current actor may see (see the module docstring)."""
    actor = current_actor()
    if actor.kind == "system":
        return Q()
    if actor.kind != "user" or actor.id is None:
        return NOTHING
    units = await _units_holding(actor.id, (REGISTRIES_VIEW, CONFIDENTIAL_VIEW, INCOMING_REGISTER))
    visible = Q(registered_by=actor.id) | await _participation(actor.id)
    if normal := units[REGISTRIES_VIEW]:
        visible |= Q(registered_unit_id__in=normal, confidentiality_level=0)
    if secret := units[CONFIDENTIAL_VIEW]:
        visible |= Q(registered_unit_id__in=secret, confidentiality_level__gt=0)
    if receiving := units[INCOMING_REGISTER]:
        visible |= Q(registered_unit_id__in=receiving, **WAITING)
    return visible


def _waiting(document: Document) -> bool:
    return all(getattr(document, name) == value for name, value in WAITING.items())


async def check_visible(document: Document) -> None:
    """Raise :class:`PermissionDenied` (naming the action) unless the actor may see it."""
    actor = current_actor()
    if actor.kind == "system":
        return
    if actor.kind == "user" and actor.id is not None:
        if document.registered_by == actor.id:
            return
        if await is_participant(actor.id, await position_units(actor.id), document.id):
            return
    if _waiting(document) and await _allowed(INCOMING_REGISTER, document.registered_unit_id):
        return
    action = CONFIDENTIAL_VIEW if document.confidentiality_level > 0 else REGISTRIES_VIEW
    if not await _allowed(action, document.registered_unit_id):
        raise PermissionDenied(
            action, f"Missing permission: {action} in unit {document.registered_unit_id}"
        )


async def get_document(document_id: int, direction: str | None = INCOMING) -> Document:
    """The document ``document_id`` of the current tenant (404 otherwise; ``direction``
    ``None``: any direction), if visible (403)."""
    document = None
    if 1 <= document_id <= MAX_ID:
        query = Document.filter(id=document_id)
        if direction is not None:
            query = query.filter(direction=direction)
        document = await query.first()
    if document is None:
        kind = f"{direction} " if direction else ""
        raise NotFound(f"No {kind}document with id {document_id} in this tenant.")
    await check_visible(document)
    return document


async def document_files(document: Document) -> list[DocumentFile]:
    return list(await DocumentFile.filter(document_id=document.id).order_by("position", "id"))


async def _file_of(document: Document, file_id: int) -> DocumentFile:
    """A file of ``document`` (404 for a file of another document or tenant)."""
    entry = None
    if 1 <= file_id <= MAX_ID:
        entry = await DocumentFile.get_or_none(id=file_id, document_id=document.id)
    if entry is None:
        raise NotFound(f"No file {file_id} in document {document.id}.")
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


async def open_document(document_id: int, direction: str = INCOMING) -> Document:
    """:func:`get_document` for a person reading it: the view is on the timeline and in the
    audit trail (ND30: every access is traced)."""
    document = await get_document(document_id, direction)
    await trace_view(document)
    return document


async def trace_view(document: Document) -> None:
    """Record that the current actor read ``document`` (already checked visible)."""
    from plugins.registry.services.timeline import STEP_VIEWED, record_step

    await record_step(document, STEP_VIEWED)


async def open_file(document_id: int, file_id: int, direction: str = INCOMING) -> DocumentFile:
    """A file of a visible document, for a download: traced like :func:`open_document`."""
    from plugins.registry.services.timeline import STEP_DOWNLOADED, record_step

    document = await get_document(document_id, direction)
    entry = await _file_of(document, file_id)
    await record_step(
        document, STEP_DOWNLOADED, summary=entry.filename, detail={"file_id": entry.id}
    )
    return entry
