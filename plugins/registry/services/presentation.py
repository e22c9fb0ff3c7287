"""Presenting a registered incoming document to a leader (trình lãnh đạo, ND30 Điều 24).

The clerk (``registry.incoming.register`` in the registry's unit) presents the document to a
leader who may assign it there (``registry.incoming.assign`` in that unit). The leader then
finds it in :func:`presented_to_me` until it is assigned (by them or by another holder of the
assign action); the assignment answers every open presentation of the document.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.expressions import Q, Subquery

from core import (
    Actor,
    Conflict,
    InvalidInput,
    NotFound,
    atomic,
    check_permission,
    current_actor,
    has_permission,
)
from plugins.registry.actions import INCOMING_ASSIGN, INCOMING_REGISTER
from plugins.registry.models_assignments import COMPLETED
from plugins.registry.models_documents import REFUSED, Document
from plugins.registry.models_flow import PART_PRESENTED, PRESENTATION_OPEN, Presentation
from plugins.registry.models_outgoing import CANCELLED, RECEIVED
from plugins.registry.services.documents import get_document
from plugins.registry.services.outgoing_common import user_row
from plugins.registry.services.participants import add_participant
from plugins.registry.services.timeline import STEP_PRESENTED, record_step

MAX_NOTE = 2000


async def _leader(user_id: int, unit_id: int) -> dict[str, Any]:
    row = await user_row(user_id)
    if row is None:
        raise InvalidInput(
            f"No user with id {user_id} in this tenant.", {"leader_user_id": "unknown user"}
        )
    if not row["is_active"]:
        raise InvalidInput(
            f"User {row['username']} is deactivated.", {"leader_user_id": "deactivated user"}
        )
    leader = Actor(kind="user", id=user_id, name=str(row["username"]))
    if not await has_permission(INCOMING_ASSIGN, unit_id=unit_id, actor=leader):
        raise InvalidInput(
            f"User {row['username']} may not assign documents of unit {unit_id} "
            f"({INCOMING_ASSIGN}); present it to a leader who may.",
            {"leader_user_id": "not a leader of this unit"},
        )
    return row


async def present(
    document_id: int, leader_user_id: int, *, note: str = "", now: datetime | None = None
) -> Presentation:
    """Present the incoming document ``document_id`` to ``leader_user_id``."""
    moment = now or datetime.now(UTC)
    document = await get_document(document_id)
    await check_permission(INCOMING_REGISTER, unit_id=document.registered_unit_id)
    text = note.strip()
    if len(text) > MAX_NOTE:
        raise InvalidInput("The note is too long.", {"note": f"at most {MAX_NOTE} characters"})
    if document.status in (REFUSED, COMPLETED, RECEIVED, CANCELLED):
        raise Conflict(
            f"Document {document.id} is {document.status}; only a registered document that is "
            "not completed is presented."
        )
    leader = await _leader(leader_user_id, document.registered_unit_id)
    actor = current_actor()
    async with atomic():
        locked = await Document.select_for_update().get(id=document.id)
        if await Presentation.exists(
            document_id=document.id, leader_user_id=leader_user_id, status=PRESENTATION_OPEN
        ):
            raise Conflict(f"Document {document.id} is already waiting for {leader['username']}.")
        presentation = await Presentation.create(
            document_id=document.id,
            leader_user_id=leader_user_id,
            presented_by=actor.id if actor.kind == "user" else None,
            presented_at=moment,
            note=text,
        )
        await add_participant(document.id, PART_PRESENTED, user_id=leader_user_id)
        await record_step(
            locked,
            STEP_PRESENTED,
            summary=text,
            detail={"leader_user_id": leader_user_id, "leader": leader["username"]},
            now=moment,
        )
    return presentation


async def presented_to_me(limit: int = 200) -> list[Document]:
    """The documents presented to the current user and not assigned yet, urgent first."""
    actor = current_actor()
    if actor.kind != "user" or actor.id is None:
        return []
    waiting = Presentation.filter(leader_user_id=actor.id, status=PRESENTATION_OPEN).values(
        "document_id"
    )
    query = Document.filter(Q(id__in=Subquery(waiting)))
    return list(await query.order_by("-priority_weight", "-received_at", "-id").limit(limit))


async def presentations_of(document_id: int) -> list[Presentation]:
    """The presentations of a document (the caller checked it is visible)."""
    if document_id < 1:
        raise NotFound(f"No document with id {document_id}.")
    return list(await Presentation.filter(document_id=document_id).order_by("presented_at", "id"))
