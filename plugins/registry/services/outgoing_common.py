"""What the outgoing-document services (draft → sign) share: loading a document with its
outgoing part, who the current user is, the drafter-only guard, users of the tenant, files.

An outgoing or internal document is a ``Document`` (direction ``outgoing`` or ``internal``)
with one ``OutgoingDetail``. Another tenant's id is 404; a document the actor may not see is
403 (``services.documents.check_visible``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core import Conflict, NotFound, PermissionDenied, current_actor, fetch_tenant_rows
from plugins.registry.actions import OUTGOING_DRAFT
from plugins.registry.models import INTERNAL, OUTGOING
from plugins.registry.models_documents import Document, DocumentFile
from plugins.registry.models_outgoing import DRAFT, RETURNED, OutgoingDetail
from plugins.registry.notation import moment_of as moment_of
from plugins.registry.services.assignments import current_user_id as current_user_id
from plugins.registry.services.documents import check_visible
from plugins.registry.services.incoming_files import StoredFile
from plugins.registry.services.registries import MAX_ID

OUTGOING_DIRECTIONS = (OUTGOING, INTERNAL)
# Document.source of a document drafted in the system (not received).
SOURCE_DRAFTED = "drafted"
# DocumentFile.role of a superseded main file (the draft before the signed PDF, or a main
# file the drafter replaced): kept as history, never sent to recipients.
ROLE_DRAFT_FILE = "draft"
# Named in the 403 of a reviewer deciding out of turn (a step of the named reviewers, not a
# grant).
REVIEW_ACTION = "registry.outgoing.review"
EDITABLE = (DRAFT, RETURNED)


@dataclass(frozen=True)
class Outgoing:
    """A loaded outgoing/internal document and its outgoing part."""

    document: Document
    detail: OutgoingDetail


async def find_outgoing(document_id: int) -> Outgoing:
    """The outgoing/internal document ``document_id`` of this tenant (404), not checked for
    visibility: callers check the permission that fits their step."""
    document = None
    if 1 <= document_id <= MAX_ID:
        document = await Document.get_or_none(id=document_id, direction__in=OUTGOING_DIRECTIONS)
    if document is None:
        raise NotFound(f"No outgoing or internal document with id {document_id} in this tenant.")
    detail = await OutgoingDetail.get_or_none(document_id=document.id)
    if detail is None:  # a document made before this flow existed
        raise NotFound(f"Document {document_id} has no outgoing part.")
    return Outgoing(document, detail)


async def load_outgoing(document_id: int) -> Outgoing:
    """:func:`find_outgoing`, visible to the current actor (403 otherwise)."""
    found = await find_outgoing(document_id)
    await check_visible(found.document)
    return found


def require_drafter(found: Outgoing) -> None:
    """Only the drafter changes a draft (403 naming ``registry.outgoing.draft``)."""
    actor = current_actor()
    if actor.kind == "system":
        return
    if actor.kind != "user" or actor.id != found.detail.drafter_user_id:
        raise PermissionDenied(
            OUTGOING_DRAFT,
            f"Missing permission: {OUTGOING_DRAFT}: only the drafter of document "
            f"{found.document.id} changes it.",
        )


def require_editable(found: Outgoing, what: str) -> None:
    if found.document.status not in EDITABLE:
        raise Conflict(
            f"Document {found.document.id} is {found.document.status}; {what} only while it is "
            "a draft or returned."
        )


async def user_row(user_id: int) -> dict[str, Any] | None:
    """``id, username, full_name, is_active`` of a user of this tenant, or ``None``."""
    if not 1 <= user_id <= MAX_ID:
        return None
    rows = await fetch_tenant_rows(
        "SELECT id, username, full_name, is_active FROM core_user WHERE {tenant} AND id = $2",
        [user_id],
    )
    return rows[0] if rows else None


async def user_names(user_ids: list[int]) -> dict[int, str]:
    """Full names of the given users of this tenant (missing ids are left out); one query."""
    ids = sorted({i for i in user_ids if 1 <= i <= MAX_ID})
    if not ids:
        return {}
    marks = ", ".join(f"${n + 2}" for n in range(len(ids)))
    rows = await fetch_tenant_rows(
        f"SELECT id, full_name FROM core_user WHERE {{tenant}} AND id IN ({marks})", ids
    )
    return {int(r["id"]): str(r["full_name"]) for r in rows}


async def position_title(user_id: int, unit_id: int) -> str:
    """The title of ``user_id``'s position in ``unit_id`` ("" when none)."""
    rows = await fetch_tenant_rows(
        "SELECT title FROM core_position WHERE {tenant} AND user_id = $2 AND unit_id = $3",
        [user_id, unit_id],
    )
    return str(rows[0]["title"] or "") if rows else ""


async def primary_unit(user_id: int) -> int | None:
    """The unit of ``user_id``'s primary position, else of any position."""
    rows = await fetch_tenant_rows(
        "SELECT unit_id, is_primary FROM core_position WHERE {tenant} AND user_id = $2",
        [user_id],
    )
    ordered = sorted(rows, key=lambda r: (not r["is_primary"], int(r["unit_id"])))
    return int(ordered[0]["unit_id"]) if ordered else None


async def create_files(document: Document, stored: list[StoredFile]) -> None:
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
